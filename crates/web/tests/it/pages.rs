use crate::harness::*;
use kc_desk::Role;

fn set_cookies(resp: &reqwest::Response) -> Vec<String> {
    resp.headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok().map(str::to_string))
        .collect()
}

fn cookie_value(cookies: &[String], name: &str) -> Option<String> {
    cookies
        .iter()
        .find(|c| c.starts_with(&format!("{name}=")))
        .and_then(|c| c.split(';').next())
        .and_then(|kv| kv.split_once('='))
        .map(|(_, v)| v.to_string())
}

#[tokio::test]
async fn every_public_page_renders_in_both_languages() {
    let s = start("sqlite").await;
    publish_rumour(&s, RUMOUR).await;
    let slug_url = {
        let ps = s.store.publications().await.expect("publications");
        format!("/kiem-chung/{}", ps[0].slug)
    };
    for path in [
        "/",
        "/phan-anh",
        "/kiem-chung",
        slug_url.as_str(),
        "/tra-cuu?q=tien+dien",
        "/du-lieu",
        "/quan-tri/dang-nhap",
    ] {
        let (st, vi) = s.get_text(path).await;
        assert_eq!(st, 200, "{path}");
        assert!(vi.contains("<html lang=\"vi\">"), "{path}");
        assert!(vi.contains("<h1"), "{path} has a heading");
        let (st, en) = s
            .get_text(&format!(
                "{path}{}lang=en",
                if path.contains('?') { "&" } else { "?" }
            ))
            .await;
        assert_eq!(st, 200);
        assert!(en.contains("<html lang=\"en\">"), "{path}");
        // The footer names the publisher in the page's language (minijinja escapes the
        // apostrophe); a ClaimReview keeps the authority's own name.
        assert!(
            vi.contains("<p>Ủy ban nhân dân huyện Ngọc Hồi</p>"),
            "{path}"
        );
        assert!(
            en.contains("<p>People&#x27;s Committee of Ngọc Hồi district</p>")
                && !en.contains("<p>Ủy ban nhân dân"),
            "{path}: {en}"
        );
    }
    for path in [
        "/du-lieu/kiem-chung.json",
        "/du-lieu/kiem-chung.csv",
        "/feed.xml",
    ] {
        let (st, body) = s.get_text(path).await;
        assert_eq!(st, 200, "{path}");
        assert!(body.contains("tin-gia-hoan-tien-dien"), "{path}: {body}");
    }
    let (st, _) = s.get_text("/kiem-chung/khong-co-bai-nay").await;
    assert_eq!(st, 404);
}

#[tokio::test]
async fn forms_refuse_posts_without_the_csrf_token() {
    let s = start("sqlite").await;
    let resp = s
        .client
        .post(s.url("/phan-anh"))
        .form(&[("text", RUMOUR), ("csrf", "forged")])
        .send()
        .await
        .expect("post");
    assert_eq!(resp.status().as_u16(), 403);
    // With the cookie the form page set, the same post is accepted.
    let page = s.client.get(s.url("/phan-anh")).send().await.expect("get");
    let cookies = set_cookies(&page);
    let csrf = cookie_value(&cookies, "kc_csrf").expect("csrf cookie");
    assert!(cookies
        .iter()
        .any(|c| c.contains("HttpOnly") && c.contains("SameSite")));
    let resp = s
        .client
        .post(s.url("/phan-anh"))
        .header("cookie", format!("kc_csrf={csrf}"))
        .form(&[
            ("text", RUMOUR),
            ("csrf", csrf.as_str()),
            ("urls", ""),
            ("contact", ""),
        ])
        .send()
        .await
        .expect("post");
    assert_eq!(resp.status().as_u16(), 303);
    let location = resp.headers()["location"]
        .to_str()
        .expect("location")
        .to_string();
    assert!(location.starts_with("/phan-anh/KC-"), "{location}");
    let (st, receipt) = s.get_text(&location).await;
    assert_eq!(st, 200);
    assert!(receipt.contains("data-testid=\"receipt\""));
}

#[tokio::test]
async fn console_login_sets_a_secure_session_and_logout_ends_it() {
    let s = start("sqlite").await;
    s.user("intake1", &[(Role::Intake, None)]).await;
    let page = s
        .client
        .get(s.url("/quan-tri/dang-nhap"))
        .send()
        .await
        .expect("get");
    let csrf = cookie_value(&set_cookies(&page), "kc_csrf").expect("csrf");
    let jar = format!("kc_csrf={csrf}");
    let bad = post_sign_in(
        &s,
        &jar,
        &[
            ("csrf", &csrf),
            ("username", "intake1"),
            ("password", "sai-mat-khau"),
        ],
    )
    .await;
    assert_eq!(bad.status().as_u16(), 401);
    let ok = post_sign_in(
        &s,
        &jar,
        &[
            ("csrf", &csrf),
            ("username", "intake1"),
            ("password", PASSWORD),
        ],
    )
    .await;
    assert_eq!(ok.status().as_u16(), 303);
    let cookies = set_cookies(&ok);
    let session_cookie = cookies
        .iter()
        .find(|c| c.starts_with("kc_session="))
        .expect("session cookie");
    assert!(session_cookie.contains("HttpOnly") && session_cookie.contains("SameSite=Lax"));
    let session = cookie_value(&cookies, "kc_session").expect("session");
    let jar = format!("kc_csrf={csrf}; kc_session={session}");
    let console = s
        .client
        .get(s.url("/quan-tri"))
        .header("cookie", &jar)
        .send()
        .await
        .expect("get");
    assert_eq!(console.status().as_u16(), 200);
    // Signed in, the forms carry the session's token.
    let signed_in = form_csrf(&console.text().await.expect("body")).expect("csrf");
    let out = s
        .client
        .post(s.url("/quan-tri/dang-xuat"))
        .header("cookie", &jar)
        .form(&[("csrf", signed_in.as_str())])
        .send()
        .await
        .expect("post");
    assert_eq!(out.status().as_u16(), 303);
    let after = s
        .client
        .get(s.url("/quan-tri"))
        .header("cookie", &jar)
        .send()
        .await
        .expect("get");
    assert_eq!(
        after.status().as_u16(),
        303,
        "the old session cookie no longer works"
    );
}

#[tokio::test]
async fn openapi_documents_every_api_route() {
    let s = start("sqlite").await;
    let (st, doc) = s.get("/api/openapi.json", None).await;
    assert_eq!(st, 200);
    let paths = doc["paths"].as_object().expect("paths");
    for p in [
        "/healthz",
        "/api/v1/reports",
        "/api/v1/reports/{receipt}",
        "/api/v1/agencies",
        "/api/v1/cases",
        "/api/v1/cases/{id}/assign",
        "/api/v1/cases/{id}/decision",
        "/api/v1/cases/{id}/review",
        "/api/v1/cases/{id}/publish",
        "/api/v1/publications/{slug}/appeals",
        "/api/v1/appeals",
        "/api/v1/appeals/{receipt}",
        "/api/v1/cases/{id}/appeals/{appeal}/decision",
        "/api/openapi.json",
    ] {
        assert!(
            paths.contains_key(p),
            "{p} missing from the OpenAPI document"
        );
    }
    let router_src = include_str!("../../src/lib.rs");
    for line in router_src
        .lines()
        .filter(|l| l.contains(".route(\"/api") || l.contains(".route(\"/healthz"))
    {
        let route = line.split('"').nth(1).expect("route path");
        assert!(
            paths.contains_key(route),
            "router has {route} but the OpenAPI document does not"
        );
    }
    let (st, health) = s.get("/healthz", None).await;
    assert_eq!((st, health), (200, serde_json::json!({ "status": "ok" })));
}

#[tokio::test]
async fn an_unknown_receipt_is_named_back_to_the_citizen() {
    let s = start("sqlite").await;
    let (st, page) = s.get_text("/phan-anh/kc-0000-oooo").await;
    assert_eq!(st, 404);
    assert!(
        page.contains("Không tìm thấy mã tiếp nhận KC-0000-OOOO."),
        "{page}"
    );
    assert!(
        page.contains("Quay lại</a>"),
        "the way back says what it is"
    );
    let (st, body) = s.get("/api/v1/reports/KC-0000-0000", None).await;
    assert_eq!(st, 404);
    assert_eq!(
        body["error"]["message_en"],
        "Receipt KC-0000-0000 not found."
    );
}

/// The decision's body is documented field by field, and a body of exactly those fields
/// is what the desk takes.
#[tokio::test]
async fn the_decision_body_is_documented_as_the_desk_reads_it() {
    let s = start("sqlite").await;
    let (_, doc) = s.get("/api/openapi.json", None).await;
    let body = &doc["paths"]["/api/v1/cases/{id}/decision"]["post"]["requestBody"]["content"]
        ["application/json"]["schema"]["$ref"];
    assert_eq!(body, "#/components/schemas/DecisionIn", "{doc}");
    let schema = &doc["components"]["schemas"]["DecisionIn"];
    let mut fields: Vec<&str> = schema["properties"]
        .as_object()
        .expect("properties")
        .keys()
        .map(String::as_str)
        .collect();
    fields.sort_unstable();
    assert_eq!(
        fields,
        [
            "evidence",
            "legal_provisions",
            "reasons",
            "remedy",
            "summary",
            "verdict"
        ]
    );
    let mut required: Vec<&str> = schema["required"]
        .as_array()
        .expect("required")
        .iter()
        .filter_map(|v| v.as_str())
        .collect();
    required.sort_unstable();
    assert_eq!(required, ["evidence", "reasons", "summary", "verdict"]);

    let intake = s.user("intake1", &[(Role::Intake, None)]).await;
    let verifier = s.user("verifier1", &[(Role::Verifier, None)]).await;
    let (_, _) = s.report(RUMOUR).await;
    let (_, cases) = s.get("/api/v1/cases", Some(&intake)).await;
    let id = cases[0]["id"].as_i64().expect("id");
    let (st, _) = s
        .post(
            &format!("/api/v1/cases/{id}/assign"),
            Some(&intake),
            serde_json::json!({ "agency": default_agency() }),
        )
        .await;
    assert_eq!(st, 200);
    let (st, answer) = s
        .post(
            &format!("/api/v1/cases/{id}/decision"),
            Some(&verifier),
            serde_json::json!({
                "verdict": "false", "summary": "Tóm tắt.", "reasons": "Lý do.",
                "evidence": [{ "url": "https://evn.com.vn/a", "note": "Ghi chú" }],
                "legal_provisions": [some_provision()], "remedy": "notice"
            }),
        )
        .await;
    assert_eq!(st, 201, "{answer}");
}

/// An integrator handles the statuses the document lists; each answer here must be one.
#[tokio::test]
async fn the_case_routes_answer_only_statuses_openapi_lists() {
    let s = start("sqlite").await;
    let (_, doc) = s.get("/api/openapi.json", None).await;
    let documented = |method: &str, path: &str, status: u16| {
        doc["paths"][path][method]["responses"]
            .get(status.to_string())
            .is_some()
    };
    let intake = s.user("intake1", &[(Role::Intake, None)]).await;
    let verifier = s.user("verifier1", &[(Role::Verifier, None)]).await;
    let reviewer = s.user("reviewer1", &[(Role::Reviewer, None)]).await;
    let editor = s.user("editor1", &[(Role::Editor, None)]).await;
    let good = [
        (
            "assign",
            &intake,
            serde_json::json!({ "agency": default_agency() }),
        ),
        (
            "decision",
            &verifier,
            serde_json::json!({ "verdict": "false", "summary": "Tóm tắt.", "reasons": "Lý do.", "evidence": [] }),
        ),
        ("review", &reviewer, serde_json::json!({ "approve": true })),
        (
            "publish",
            &editor,
            serde_json::json!({ "title": "Tiêu đề" }),
        ),
    ];
    for (step, token, body) in good {
        let path = format!("/api/v1/cases/{{id}}/{step}");
        // No such case; then a body with a field the route does not take.
        let (st, answer) = s
            .post(&format!("/api/v1/cases/987654/{step}"), Some(token), body)
            .await;
        assert_eq!(st, 404, "{step}: {answer}");
        assert!(
            documented("post", &path, st),
            "{path} answers {st}, undocumented"
        );
        let (st, answer) = s
            .post(
                &format!("/api/v1/cases/987654/{step}"),
                Some(token),
                serde_json::json!({ "bogus": 1 }),
            )
            .await;
        assert_eq!(st, 422, "{step}: {answer}");
        assert!(
            documented("post", &path, st),
            "{path} answers {st}, undocumented"
        );
    }
    // A list is documented as a list.
    let (st, list) = s.get("/api/v1/outreach", Some(&intake)).await;
    assert!(st == 200 && list.is_array(), "{st} {list}");
    assert_eq!(
        doc["paths"]["/api/v1/outreach"]["get"]["responses"]["200"]["content"]["application/json"]
            ["schema"]["type"],
        "array"
    );
    let (st, _) = s.get("/api/v1/cases?state=bogus", Some(&intake)).await;
    assert_eq!(st, 422);
    assert!(
        documented("get", "/api/v1/cases", st),
        "GET /api/v1/cases answers 422, undocumented"
    );
}

#[tokio::test]
async fn pages_use_the_packs_own_wording_for_verdicts() {
    let source = kc_desk::pack::Pack::shipped_source().replacen(
        "false = { vi = \"Sai sự thật\"",
        "false = { vi = \"Tin giả\"",
        1,
    );
    assert_ne!(
        source,
        kc_desk::pack::Pack::shipped_source(),
        "the label line is in the pack"
    );
    let (url, dir) = fresh_database("sqlite").await;
    let s = start_on_with_pack(&url, dir, &source, |_| {}).await;
    let (_, path) = publish_rumour(&s, RUMOUR).await;
    let (_, page) = s.get_text(&path).await;
    assert!(page.contains("Tin giả"), "the pack's label is shown");
    assert!(!page.contains("Sai sự thật"), "not the built-in one");
}

#[tokio::test]
async fn the_fact_check_list_comes_in_pages_and_the_home_page_and_feed_read_only_the_latest() {
    for kind in backends() {
        let s = start(kind).await;
        let intake = s.user("intake1", &[(Role::Intake, None)]).await;
        let verifier = s.user("verifier1", &[(Role::Verifier, None)]).await;
        let reviewer = s.user("reviewer1", &[(Role::Reviewer, None)]).await;
        let editor = s.user("editor1", &[(Role::Editor, None)]).await;
        let mut titles = Vec::new();
        for i in 0..31 {
            let text = unrelated_rumour(i);
            let (st, _) = s.report(&text).await;
            assert_eq!(st, 201);
            let (_, cases) = s.get("/api/v1/cases?state=new", Some(&intake)).await;
            let id = cases[0]["id"].as_i64().expect("case id");
            let title = format!("Tin sai số {i}: {}", text[..20].trim());
            for (path, who, body) in [
                (
                    "assign",
                    &intake,
                    serde_json::json!({ "agency": default_agency() }),
                ),
                (
                    "decision",
                    &verifier,
                    serde_json::json!({
                    "verdict": "false", "summary": "Không đúng.", "reasons": "Cơ quan chức năng xác nhận.",
                    "evidence": [{ "note": "Văn bản xác minh" }],
                    "legal_provisions": [some_provision()], "remedy": "correction" }),
                ),
                ("review", &reviewer, serde_json::json!({ "approve": true })),
                ("publish", &editor, serde_json::json!({ "title": title })),
            ] {
                let (st, body) = s
                    .post(&format!("/api/v1/cases/{id}/{path}"), Some(who), body)
                    .await;
                assert!(st == 200 || st == 201, "[{kind}] {path}: {body}");
            }
            titles.push(title);
        }
        let shown = |page: &str| titles.iter().filter(|t| page.contains(t.as_str())).count();
        let (st, first) = s.get_text("/kiem-chung").await;
        assert_eq!(st, 200);
        assert_eq!(shown(&first), 30, "[{kind}] a page holds 30");
        assert!(first.contains(titles[30].as_str()), "[{kind}] newest first");
        assert!(
            !first.contains(titles[0].as_str()),
            "[{kind}] the oldest is on page 2"
        );
        assert!(
            first.contains("href=\"/kiem-chung?trang=2\""),
            "[{kind}] {first}"
        );
        assert!(first.contains("Trang 1 / 2"), "[{kind}]");
        let (st, second) = s.get_text("/kiem-chung?trang=2").await;
        assert_eq!(st, 200);
        assert_eq!(shown(&second), 1, "[{kind}] {second}");
        assert!(second.contains(titles[0].as_str()));
        assert!(
            second.contains("rel=\"prev\" href=\"/kiem-chung\""),
            "[{kind}] {second}"
        );

        let (st, beyond) = s.get_text("/kiem-chung?trang=3").await;
        assert_eq!(st, 404, "[{kind}]");
        assert!(beyond.contains("có 2 trang"), "[{kind}] {beyond}");
        let (st, bad) = s.get_text("/kiem-chung?trang=hai").await;
        assert_eq!(st, 422, "[{kind}]");
        assert!(bad.contains("trang đánh số từ 1"), "[{kind}] {bad}");

        let (_, home) = s.get_text("/").await;
        assert_eq!(
            shown(&home),
            10,
            "[{kind}] the home page shows the ten latest"
        );
        assert!(home.contains(titles[30].as_str()));
        let (_, feed) = s.get_text("/feed.xml").await;
        assert_eq!(
            feed.matches("<entry>").count(),
            31,
            "[{kind}] all, under 50"
        );
    }
}

#[tokio::test]
async fn the_console_queue_comes_in_pages_and_filters_by_agency_state_and_lateness() {
    for kind in backends() {
        let s = start(kind).await;
        let intake = s.user("intake1", &[(Role::Intake, None)]).await;
        s.user("lead1", &[(Role::Lead, None)]).await;
        for i in 0..101 {
            let (st, body) = s.report(&unrelated_rumour(i)).await;
            assert_eq!(st, 201, "[{kind}] {body}");
        }
        let (_, cases) = s.get("/api/v1/cases", Some(&intake)).await;
        let police_case = cases[0]["id"].as_i64().expect("id");
        let (st, body) = s
            .post(
                &format!("/api/v1/cases/{police_case}/assign"),
                Some(&intake),
                serde_json::json!({ "agency": "ca" }),
            )
            .await;
        assert_eq!(st, 200, "[{kind}] {body}");
        let (jar, _) = login(&s, "lead1").await;
        let rows = |page: &str| page.matches("data-testid=\"case-link\"").count();

        let first = console_get(&s, &jar, "/quan-tri").await;
        assert_eq!(rows(&first), 100, "[{kind}]");
        assert!(first.contains("1–100 / 101"), "[{kind}]");
        assert!(first.contains("href=\"/quan-tri?trang=2\""), "[{kind}]");
        let second = console_get(&s, &jar, "/quan-tri?trang=2").await;
        assert_eq!(rows(&second), 1, "[{kind}]");

        let police = console_get(&s, &jar, "/quan-tri?co-quan=ca").await;
        assert_eq!(rows(&police), 1, "[{kind}]");
        assert!(
            police.contains(&format!("href=\"/quan-tri/ho-so/{police_case}\"")),
            "[{kind}]"
        );
        assert!(
            police.contains("trong tổng số hồ sơ đang xử lý: 101"),
            "[{kind}]"
        );
        let assigned = console_get(&s, &jar, "/quan-tri?trang-thai=assigned").await;
        assert_eq!(rows(&assigned), 1, "[{kind}]");
        let unassigned = console_get(&s, &jar, "/quan-tri?co-quan=none&trang=1").await;
        assert_eq!(rows(&unassigned), 100, "[{kind}]");
        assert!(
            !unassigned.contains("href=\"/quan-tri?co-quan=none&amp;trang=2\""),
            "[{kind}] 100 fit on one page"
        );
        let late = console_get(&s, &jar, "/quan-tri?qua-han=1").await;
        assert!(late.contains("Không có hồ sơ nào khớp bộ lọc"), "[{kind}]");

        let (st, _) = console_status(&s, &jar, "/quan-tri?trang-thai=bogus").await;
        assert_eq!(st, 422, "[{kind}]");
        let (st, _) = console_status(&s, &jar, "/quan-tri?trang=9").await;
        assert_eq!(st, 404, "[{kind}]");
    }
}

/// The language switch of a page: its `href`, as a browser reads it (entities decoded).
fn lang_switch(page: &str) -> String {
    let link = page
        .split("<a href=\"")
        .skip(1)
        .find(|rest| rest.contains("\" lang=\"en\">English</a>"))
        .and_then(|rest| rest.split('"').next())
        .expect("the page has the language switch");
    link.replace("&#x2f;", "/").replace("&amp;", "&")
}

/// Switching language stays on the same page: a search keeps its words, and a console form
/// answered with its errors switches to the page the form was on, not to its action (which
/// only takes POST, so the old `?lang=en` answered 405 there).
#[tokio::test]
async fn the_language_switch_stays_on_the_page() {
    let s = start("sqlite").await;
    let (_, search) = s
        .get_text("/tra-cuu?q=ho%C3%A0n+ti%E1%BB%81n&lang=vi")
        .await;
    let link = lang_switch(&search);
    assert_eq!(link, "/tra-cuu?q=ho%C3%A0n+ti%E1%BB%81n&lang=en");
    let (st, english) = s.get_text(&link).await;
    assert_eq!(st, 200);
    assert!(
        english.contains("value=\"hoàn tiền\""),
        "the search's words are kept"
    );

    let intake = s.user("intake1", &[(Role::Intake, None)]).await;
    s.user("verifier1", &[(Role::Verifier, None)]).await;
    let id = s.assigned_case(&intake, RUMOUR, &default_agency()).await;
    let (jar, csrf) = login(&s, "verifier1").await;
    let case_page = format!("/quan-tri/ho-so/{id}");
    let resp = s
        .client
        .post(s.url(&format!("{case_page}/ket-luan")))
        .header("cookie", &jar)
        .header("referer", s.url(&case_page))
        .form(&[("csrf", csrf.as_str()), ("verdict", "false")])
        .send()
        .await
        .expect("post");
    assert_eq!(
        resp.status().as_u16(),
        422,
        "the decision lacks its reasons"
    );
    let refused = resp.text().await.expect("body");
    let link = lang_switch(&refused);
    assert_eq!(link, format!("{case_page}?lang=en"));
    let english = console_get(&s, &jar, &link).await;
    assert!(
        english.contains("<html lang=\"en\""),
        "the case page, in English"
    );
}

/// A reader who opens a form's action by its address (a bookmark, a link copied after
/// sending the appeal form) gets the 405 page; in English when the address asks for it, so
/// that its own language switch, which links to `?lang=en`, leads somewhere.
#[tokio::test]
async fn the_wrong_method_page_speaks_the_language_asked_for() {
    let s = start("sqlite").await;
    let (_, path) = publish_rumour(&s, RUMOUR).await;
    let action = format!("{path}/khieu-nai");
    let (st, vi) = s.get_text(&action).await;
    assert_eq!(st, 405);
    assert!(vi.contains("<html lang=\"vi\""), "{vi}");
    let link = lang_switch(&vi);
    assert_eq!(link, format!("{action}?lang=en"));
    let (st, en) = s.get_text(&link).await;
    assert_eq!(st, 405);
    assert!(en.contains("<html lang=\"en\""), "{en}");
    assert!(en.contains("does not take GET"), "{en}");
}

/// A reader who pastes a whole article into the search: the field keeps what the desk reads
/// (2000 characters), so the address the form makes stays under the server's limit; a
/// longer one was answered by an empty 414 page.
#[tokio::test]
async fn the_search_field_sends_no_more_than_the_desk_reads() {
    let s = start("sqlite").await;
    let (_, page) = s.get_text("/tra-cuu").await;
    let field = page
        .split("<input")
        .find(|i| i.contains("name=\"q\""))
        .expect("the search field");
    assert!(field.contains("maxlength=\"2000\""), "{field}");
    // The longest the field sends, in the letters that percent-encode longest.
    let q = "ặ".repeat(2000);
    let (st, answer) = s.get_text(&format!("/tra-cuu?q={q}")).await;
    assert_eq!(st, 200);
    assert!(answer.contains("maxlength=\"2000\""));
}
