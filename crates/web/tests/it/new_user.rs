//! Defects a first-time user of the desk ran into: what the browser sends and what a person
//! types is not always what the server stores.

use crate::harness::*;

#[tokio::test]
async fn an_article_written_in_a_browser_keeps_its_paragraphs() {
    let s = start("sqlite").await;
    // A textarea submits its line breaks as CRLF.
    let (_, path) = publish_rumour_with(
        &s,
        RUMOUR,
        serde_json::json!({
            "title": "Tin giả hoàn tiền điện",
            "body": "Đoạn một.\r\n\r\nĐoạn hai.\r\rĐoạn ba."
        }),
    )
    .await;
    let (st, page) = s.get_text(&path).await;
    assert_eq!(st, 200);
    for para in ["Đoạn một.", "Đoạn hai.", "Đoạn ba."] {
        assert!(
            page.contains(&format!("<p>{para}</p>")),
            "{para} is a paragraph of its own: {page}"
        );
    }
}

#[tokio::test]
async fn the_decisions_reasons_stay_public_whatever_the_article_says() {
    let s = start("sqlite").await;
    let (_, path) = publish_rumour_with(
        &s,
        RUMOUR,
        serde_json::json!({ "title": "Tin giả hoàn tiền điện", "body": "Đừng bấm link." }),
    )
    .await;
    let (_, page) = s.get_text(&path).await;
    assert!(page.contains("<p>Đừng bấm link.</p>"), "{page}");
    assert!(page.contains("data-testid=\"decision-reasons\""), "{page}");
    assert!(
        page.contains("Điện lực không có chương trình hoàn tiền nào."),
        "{page}"
    );
    assert!(
        page.contains("Công ty Điện lực xác nhận đây là tin giả nhằm lừa đảo."),
        "{page}"
    );

    // The open data states them too, beside the verdict.
    let (_, data) = s.get("/du-lieu/kiem-chung.json", None).await;
    assert_eq!(
        data["items"][0]["reviewBody"], "Công ty Điện lực xác nhận đây là tin giả nhằm lừa đảo.",
        "{data}"
    );
    assert_eq!(
        data["items"][0]["description"],
        "Điện lực không có chương trình hoàn tiền nào."
    );
    let (_, csv) = s.get_text("/du-lieu/kiem-chung.csv").await;
    assert!(
        csv.starts_with("\u{feff}slug,title,verdict,claim,published_at,url,summary,reasons\n"),
        "{csv}"
    );
    assert!(
        csv.contains(",\"Công ty Điện lực xác nhận đây là tin giả nhằm lừa đảo.\"\n"),
        "{csv}"
    );

    // Without an article of its own, the page is those two, once.
    let s = start("sqlite").await;
    let (_, path) = publish_rumour(&s, RUMOUR).await;
    let (_, page) = s.get_text(&path).await;
    assert_eq!(
        page.matches(">Công ty Điện lực xác nhận đây là tin giả nhằm lừa đảo.<")
            .count(),
        1,
        "{page}"
    );
}

#[tokio::test]
async fn a_receipt_code_is_found_however_it_was_typed() {
    for kind in backends() {
        receipt_found_however_typed(kind).await;
    }
}

async fn receipt_found_however_typed(kind: &'static str) {
    let s = start(kind).await;
    let (st, body) = s.report(RUMOUR).await;
    assert_eq!(st, 201, "{body}");
    let code = body["receipt"].as_str().expect("receipt").to_string();
    assert!(code.starts_with("KC-") && code.len() == 12, "{code}");
    let bare: String = code.chars().filter(|c| *c != '-').collect();
    let spaced = code.to_lowercase().replace('-', " ");
    let typed = [
        code.to_lowercase(),
        format!("  {spaced} "),
        bare.clone(),
        bare.to_lowercase(),
        code[3..].to_string(),
    ];
    for t in &typed {
        let (st, status) = s
            .get(&format!("/api/v1/reports/{}", t.replace(' ', "%20")), None)
            .await;
        assert_eq!(st, 200, "API lookup of {t:?}: {status}");
        assert_eq!(status["receipt"], code.as_str(), "{t:?}");
        let resp = s
            .client
            .get(s.url("/phan-anh/tra-cuu"))
            .query(&[("ma", t)])
            .send()
            .await
            .expect("lookup");
        assert_eq!(resp.status().as_u16(), 303, "web lookup of {t:?}");
        let location = resp.headers()["location"].to_str().expect("location");
        assert_eq!(location, format!("/phan-anh/{code}"), "{t:?}");
    }
    let (st, page) = s
        .get_text(&format!("/phan-anh/{}", bare.to_lowercase()))
        .await;
    assert_eq!(st, 200);
    assert!(
        page.contains(&code),
        "the receipt page shows the stored code"
    );
    let (st, _) = s.get("/api/v1/reports/KC-ZZZZ-ZZZZ", None).await;
    assert_eq!(st, 404, "an unknown code is still not found");
}

#[tokio::test]
async fn the_receipt_lookup_without_a_code_shows_the_form() {
    let s = start("sqlite").await;
    let (st, page) = s.get_text("/phan-anh/tra-cuu").await;
    assert_eq!(st, 200);
    assert!(
        page.contains("<html lang=\"vi\">") && page.contains("name=\"ma\""),
        "{page}"
    );
    assert!(
        !page.contains("role=\"alert\""),
        "a plain visit is no error: {page}"
    );
    for empty in ["/phan-anh/tra-cuu?ma=", "/phan-anh/tra-cuu?ma=++-+"] {
        let (st, page) = s.get_text(empty).await;
        assert_eq!(st, 400, "{empty}");
        assert!(page.contains("name=\"ma\""), "{empty}: the form again");
        assert!(
            page.contains("Vui lòng nhập mã tiếp nhận"),
            "{empty}: {page}"
        );
    }
    let (st, page) = s.get_text("/phan-anh/tra-cuu?ma=&lang=en").await;
    assert_eq!(st, 400);
    assert!(page.contains("Please type a receipt code"), "{page}");
}

#[tokio::test]
async fn an_unknown_address_says_so() {
    let s = start("sqlite").await;
    for path in ["/api/v1/khong-co", "/api/khong-co", "/api"] {
        let resp = s.client.get(s.url(path)).send().await.expect("get");
        assert_eq!(resp.status().as_u16(), 404, "{path}");
        let body: serde_json::Value = resp.json().await.expect("a JSON body");
        assert_eq!(body["error"]["code"], "not_found", "{path}: {body}");
        assert!(body["error"]["message"]
            .as_str()
            .is_some_and(|m| m.contains("Không có")));
        assert!(body["error"]["message_en"].is_string(), "{body}");
    }
    let (st, body) = s
        .post("/api/v1/khong-co", None, serde_json::json!({}))
        .await;
    assert_eq!(
        (st, &body["error"]["code"]),
        (404, &serde_json::json!("not_found"))
    );
    let resp = s.client.get(s.url("/khong-co")).send().await.expect("get");
    assert_eq!(resp.status().as_u16(), 404);
    let kind = resp.headers()["content-type"]
        .to_str()
        .expect("type")
        .to_string();
    assert!(kind.starts_with("text/html"), "{kind}");
    let page = resp.text().await.expect("body");
    assert!(
        page.contains("<html lang=\"vi\">") && page.contains("Không tìm thấy trang này"),
        "{page}"
    );
    let (st, page) = s.get_text("/khong-co/nua?lang=en").await;
    assert_eq!(st, 404);
    assert!(
        page.contains("<html lang=\"en\">") && page.contains("Page not found"),
        "{page}"
    );
}

#[tokio::test]
async fn pages_show_vietnam_time_and_machine_outputs_keep_utc() {
    let s = start("sqlite").await;
    let (_, path) = publish_rumour(&s, RUMOUR).await;
    let published = s.store.publications().await.expect("publications")[0]
        .published_at
        .clone();
    let utc = chrono::DateTime::parse_from_rfc3339(&published).expect("RFC 3339");
    let vietnam = chrono::FixedOffset::east_opt(7 * 3600).expect("offset");
    let local = utc.with_timezone(&vietnam);
    // Vietnamese pages put the day first, as Vietnamese documents do.
    let vi = local.format("%d/%m/%Y %H:%M").to_string();
    let en = local.format("%Y-%m-%d %H:%M").to_string();
    for page_path in [path.as_str(), "/kiem-chung"] {
        let (st, page) = s.get_text(page_path).await;
        assert_eq!(st, 200);
        assert!(
            page.contains(&format!("{vi} (giờ Việt Nam, UTC+7)")),
            "{page_path} shows {published} as {vi} Vietnam time: {page}"
        );
        let (_, page) = s.get_text(&format!("{page_path}?lang=en")).await;
        assert!(
            page.contains(&format!("{en} (Vietnam time, UTC+7)")),
            "{page}"
        );
    }
    for feed in [
        "/du-lieu/kiem-chung.json",
        "/du-lieu/kiem-chung.csv",
        "/feed.xml",
    ] {
        let (_, body) = s.get_text(feed).await;
        assert!(
            body.contains(&published),
            "{feed} keeps the UTC time: {body}"
        );
        assert!(!body.contains("UTC+7"), "{feed}");
    }
    let (_, page) = s.get_text(&path).await;
    assert!(page.contains(&published), "the JSON-LD keeps the UTC time");
}

#[tokio::test]
async fn a_report_holding_a_nul_byte_is_taken_on_every_backend() {
    for kind in backends() {
        let s = start(kind).await;
        // PostgreSQL cannot store a NUL in text: this was a 500 there.
        let (st, body) = s.report("Tin đồn\u{0} hoàn tiền điện\r\ntháng 11").await;
        assert_eq!(st, 201, "{kind}: {body}");
        let code = body["receipt"].as_str().expect("receipt");
        let (st, page) = s.get_text(&format!("/phan-anh/{code}")).await;
        assert_eq!(st, 200, "{kind}");
        assert!(!page.contains('\u{0}'), "{kind}");
        // Zero-width characters alone are no report.
        let (st, body) = s.report("\u{200b}\u{200b}\u{0}").await;
        assert_eq!(st, 422, "{kind}: {body}");
        assert_eq!(body["error"]["field"], "text", "{kind}: {body}");
    }
}

#[tokio::test]
async fn api_mistakes_are_answered_in_json_in_each_language() {
    let s = start("sqlite").await;
    let intake = s.user("intake1", &[(kc_desk::Role::Intake, None)]).await;
    s.report(RUMOUR).await;
    let editor = s.user("editor1", &[(kc_desk::Role::Editor, None)]).await;
    let send_as = |token: &str, path: &'static str, body: &'static str| {
        let (s, token) = (&s, token.to_string());
        async move {
            let resp = s
                .client
                .post(s.url(path))
                .bearer_auth(token)
                .header("content-type", "application/json")
                .body(body)
                .send()
                .await
                .expect("post");
            let st = resp.status().as_u16();
            (
                st,
                resp.json::<serde_json::Value>()
                    .await
                    .expect("a JSON error"),
            )
        }
    };
    let send = |path: &'static str, body: &'static str| send_as(&intake, path, body);
    // A case number that is not a number is a case that does not exist, on every route.
    for path in [
        "/api/v1/cases/abc/assign",
        "/api/v1/cases/abc/close",
        "/api/v1/cases/99999999999999999999/answer",
    ] {
        let (st, err) = send(path, r#"{"agency":"vhtt"}"#).await;
        assert_eq!(
            (st, err["error"]["code"].as_str()),
            (404, Some("not_found")),
            "{path}: {err}"
        );
    }
    let (st, page) = s.get_text("/quan-tri/ho-so/abc").await;
    assert_eq!(st, 404, "{page}");
    // A route asked with the wrong method says so, in JSON.
    let (st, err) = s.get("/api/v1/cases/1/close", Some(&intake)).await;
    assert_eq!(
        (st, err["error"]["code"].as_str()),
        (405, Some("method_not_allowed")),
        "{err}"
    );
    // Each message in one language.
    let (st, err) = s.get("/api/v1/reports/KC-ZZZZ-ZZZZ", None).await;
    assert_eq!(st, 404);
    assert_eq!(
        err["error"]["message"],
        "Không tìm thấy mã tiếp nhận KC-ZZZZ-ZZZZ."
    );
    assert_eq!(
        err["error"]["message_en"],
        "Receipt KC-ZZZZ-ZZZZ not found."
    );
    // No body is an empty object: the missing field is named.
    let (st, err) = send("/api/v1/cases/1/assign", "").await;
    assert_eq!(err["error"]["message"], "Thiếu trường `agency`.", "{err}");
    // A link with the wrong scheme: each message in its own language.
    let (_, bad) = s
        .post(
            "/api/v1/reports",
            None,
            serde_json::json!({ "text": RUMOUR, "urls": ["ftp://tin.example/x"] }),
        )
        .await;
    let vi = bad["error"]["message"].as_str().expect("vi");
    let en = bad["error"]["message_en"].as_str().expect("en");
    assert!(
        vi.contains("chỉ nhận http") && !vi.contains("only http"),
        "{vi}"
    );
    assert!(en.contains("only http") && !en.contains("chỉ nhận"), "{en}");
    assert_eq!(
        (st, err["error"]["field"].as_str()),
        (422, Some("agency")),
        "{err}"
    );
    // A filter that cannot match says why instead of listing nothing.
    let (st, err) = s.get("/api/v1/cases?state=bogus", Some(&intake)).await;
    assert_eq!(
        (st, err["error"]["field"].as_str()),
        (422, Some("state")),
        "{err}"
    );
    // The wrong-state message speaks Vietnamese throughout.
    let (st, err) = send_as(&editor, "/api/v1/cases/1/publish", "").await;
    assert_eq!(st, 409, "{err}");
    let vi = err["error"]["message"].as_str().expect("message");
    assert!(vi.contains("công bố") && !vi.contains("publish"), "{vi}");
}

#[tokio::test]
async fn intake_reads_a_reporters_contact_only_on_request_and_the_log_says_so() {
    for kind in backends() {
        let s = start(kind).await;
        let contact = "0912 345 678";
        let (st, _) = s
            .post(
                "/api/v1/reports",
                None,
                serde_json::json!({ "text": RUMOUR, "contact": contact }),
            )
            .await;
        assert_eq!(st, 201);
        s.report(&format!("{RUMOUR} Mọi người cẩn thận nhé")).await;
        s.user("lan", &[(kc_desk::Role::Intake, None)]).await;
        s.user("minh", &[(kc_desk::Role::Verifier, None)]).await;
        let (jar, csrf) = login(&s, "lan").await;
        let page = console_get(&s, &jar, "/quan-tri/ho-so/1").await;
        assert!(!page.contains(contact), "[{kind}] not shown before asked");
        assert_eq!(
            page.matches("data-testid=\"reveal-contact\"").count(),
            1,
            "[{kind}] one of the two reports left a contact"
        );
        let report_id = s
            .store
            .case_detail(1)
            .await
            .expect("read")
            .expect("case")
            .reports[0]
            .id
            .to_string();
        let (st, page) = console_post(
            &s,
            &jar,
            "/quan-tri/ho-so/1/lien-he",
            &[("csrf", &csrf), ("report_id", &report_id)],
        )
        .await;
        assert_eq!(st, 200, "[{kind}]");
        assert!(page.contains(contact), "[{kind}] shown on request");
        let events = s
            .store
            .audit_events_for("report", &report_id)
            .await
            .expect("audit");
        let viewed: Vec<_> = events
            .iter()
            .filter(|e| e.action == "report.contact_view")
            .collect();
        assert_eq!(viewed.len(), 1, "[{kind}] {events:?}");
        assert!(
            !viewed[0].data.contains("0912"),
            "[{kind}] the log never holds the contact"
        );
        // A verifier works from the content alone.
        let (jar, csrf) = login(&s, "minh").await;
        let page = console_get(&s, &jar, "/quan-tri/ho-so/1").await;
        assert!(!page.contains("reveal-contact"), "[{kind}]");
        let (st, page) = console_post(
            &s,
            &jar,
            "/quan-tri/ho-so/1/lien-he",
            &[("csrf", &csrf), ("report_id", &report_id)],
        )
        .await;
        assert_eq!(st, 403, "[{kind}]");
        assert!(!page.contains(contact), "[{kind}]");
    }
}
