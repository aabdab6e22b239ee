//! What the desk shows people: the evidence behind a decision (to its reviewer and, once
//! published, to the public), the reports joined to a case, and what an automatic answer
//! is about.

use crate::harness::*;
use kc_desk::Role;
use serde_json::json;

/// A console page as the named user sees it, signed in through a session cookie.
async fn console_page(s: &TestServer, user: &str, path: &str) -> String {
    let id = s
        .store
        .user_by_name(user)
        .await
        .expect("read user")
        .expect("user exists")
        .id;
    let secret = kc_web::session::start_session(&s.state, id)
        .await
        .expect("session");
    let resp = s
        .client
        .get(s.url(path))
        .header("cookie", format!("kc_session={secret}"))
        .send()
        .await
        .expect("get");
    assert_eq!(resp.status().as_u16(), 200, "{path}");
    resp.text().await.expect("body")
}

async fn post_ok(s: &TestServer, path: &str, token: &str, body: serde_json::Value) {
    let (st, resp) = s.post(path, Some(token), body).await;
    assert!(st == 200 || st == 201, "{path}: {st} {resp}");
}

const OLD_SOURCE: &str = "https://example.org/ban-nhap-cu";
const SOURCE: &str = "https://evn.com.vn/tin-tuc/thong-bao-12";
const NOTE: &str = "Thông báo chính thức số 12 <b>in đậm</b>\nDòng thứ hai của ghi chú";
const CALL_NOTE: &str = "Đã gọi tổng đài 1900 1006: không có chương trình hoàn tiền.";

#[tokio::test]
async fn the_reviewer_and_the_public_see_the_evidence_of_a_decision() {
    for kind in backends() {
        evidence_shown(kind).await;
    }
}

async fn evidence_shown(kind: &'static str) {
    let s = start(kind).await;
    let intake = s.user("intake1", &[(Role::Intake, None)]).await;
    let verifier = s.user("verifier1", &[(Role::Verifier, None)]).await;
    let reviewer = s.user("reviewer1", &[(Role::Reviewer, None)]).await;
    let editor = s.user("editor1", &[(Role::Editor, None)]).await;
    let (st, _) = s.report(RUMOUR).await;
    assert_eq!(st, 201);
    let (_, cases) = s.get("/api/v1/cases", Some(&intake)).await;
    let id = cases[0]["id"].as_i64().expect("case id");
    let case = format!("/api/v1/cases/{id}");
    post_ok(
        &s,
        &format!("{case}/assign"),
        &intake,
        json!({ "agency": default_agency() }),
    )
    .await;
    let decision = |evidence: serde_json::Value| {
        json!({
            "verdict": "false", "summary": "Điện lực không hoàn tiền.",
            "reasons": "Điện lực xác nhận đây là tin giả.", "evidence": evidence,
            "legal_provisions": [some_provision()], "remedy": "correction"
        })
    };
    // A first draft, returned by the reviewer; its source must not reach the public.
    post_ok(
        &s,
        &format!("{case}/decision"),
        &verifier,
        decision(json!([{ "url": OLD_SOURCE, "note": "Nguồn của bản nháp đầu" }])),
    )
    .await;
    post_ok(
        &s,
        &format!("{case}/review"),
        &reviewer,
        json!({ "approve": false, "comment": "Cần nguồn chính thức" }),
    )
    .await;
    post_ok(
        &s,
        &format!("{case}/decision"),
        &verifier,
        decision(json!([{ "url": SOURCE, "note": NOTE }, { "note": CALL_NOTE }])),
    )
    .await;

    // The reviewer sees, under each version, the sources the verifier entered.
    let page = console_page(&s, "reviewer1", &format!("/quan-tri/ho-so/{id}")).await;
    assert!(page.contains("/tham-dinh\""), "the review form is there");
    let v2 = page
        .split("data-testid=\"evidence-v2\"")
        .nth(1)
        .and_then(|rest| rest.split("</ul>").next())
        .expect("the second draft lists its evidence");
    assert!(
        v2.contains(&format!("href=\"{}\"", esc(SOURCE))),
        "the source is a link: {v2}"
    );
    assert!(
        v2.contains(&format!(
            "<div class=\"lines\" lang=\"vi\">{}</div>",
            esc(NOTE)
        )),
        "the note, escaped, with its line break: {v2}"
    );
    assert!(!v2.contains("<b>"), "no markup from the note: {v2}");
    assert!(v2.contains(&esc(CALL_NOTE)), "a note without a link: {v2}");
    assert!(v2.contains("verifier1"), "who added it: {v2}");
    assert!(
        v2.contains("giờ Việt Nam"),
        "when, on Vietnam's clock: {v2}"
    );
    assert!(!v2.contains(&esc(OLD_SOURCE)), "{v2}");
    let v1 = page
        .split("data-testid=\"evidence-v1\"")
        .nth(1)
        .and_then(|rest| rest.split("</ul>").next())
        .expect("the returned draft keeps its evidence");
    assert!(v1.contains(&esc(OLD_SOURCE)), "{v1}");
    assert!(
        !page.contains("case-finished"),
        "in review: no end to compare"
    );
    let page_en = console_page(&s, "reviewer1", &format!("/quan-tri/ho-so/{id}?lang=en")).await;
    assert!(page_en.contains("Evidence") && page_en.contains("Added by"));

    post_ok(
        &s,
        &format!("{case}/review"),
        &reviewer,
        json!({ "approve": true }),
    )
    .await;
    let (st, body) = s
        .post(
            &format!("{case}/publish"),
            Some(&editor),
            json!({ "title": "Tin giả hoàn tiền điện" }),
        )
        .await;
    assert_eq!(st, 201, "{body}");
    let path = body["url"].as_str().expect("url").to_string();

    // Its deadline is now history: the page says when the work ended, and that it was in time.
    let page = console_page(&s, "reviewer1", &format!("/quan-tri/ho-so/{id}")).await;
    let finished = testid_text(&page, "case-finished", "</span>")
        .expect("a published case says when it was finished");
    assert!(
        finished.starts_with("(xong ngày ") && finished.ends_with(", đúng hạn)"),
        "{finished}"
    );

    // The public sees what the published verdict rests on: links and notes only.
    let (st, public) = s.get_text(&path).await;
    assert_eq!(st, 200);
    let listed = public
        .split("data-testid=\"evidence\"")
        .nth(1)
        .and_then(|rest| rest.split("</ul>").next())
        .expect("the fact-check lists its evidence");
    assert!(
        listed.contains(&format!("href=\"{}\"", esc(SOURCE))),
        "{listed}"
    );
    assert!(
        listed.contains(&format!("<div class=\"lines\">{}</div>", esc(NOTE))),
        "{listed}"
    );
    assert!(listed.contains(&esc(CALL_NOTE)), "{listed}");
    assert!(public.contains("<h2>Bằng chứng</h2>"), "{public}");
    assert!(
        !public.contains(&esc(OLD_SOURCE)) && !public.contains("example.org"),
        "a returned draft's evidence stays inside the desk"
    );
    assert!(
        !public.contains("verifier1"),
        "staff names stay inside the desk"
    );
    let (_, public_en) = s.get_text(&format!("{path}?lang=en")).await;
    assert!(public_en.contains("<h2>Evidence</h2>"), "{public_en}");
    // The legal provision reads in the page's language; its numbers stay as issued.
    let pack = kc_desk::pack::Pack::shipped().expect("pack");
    for (page, en) in [(&public, false), (&public_en, true)] {
        let cited = pack
            .provision_citation_in(&some_provision(), en)
            .expect("citation");
        assert!(page.contains(&esc(&cited)), "{cited}: {page}");
    }
    assert!(public_en.contains("Article "), "{public_en}");
    assert!(!public_en.contains("Điều "), "{public_en}");
}

/// A report sent through the public web form, as a browser sends it (CSRF cookie and field).
async fn report_by_form(s: &TestServer, text: &str, urls: &str, contact: &str) {
    let csrf = csrf_for(s, "/phan-anh").await;
    let resp = s
        .client
        .post(s.url("/phan-anh"))
        .header("cookie", format!("kc_csrf={csrf}"))
        .form(&[
            ("csrf", csrf.as_str()),
            ("text", text),
            ("urls", urls),
            ("contact", contact),
        ])
        .send()
        .await
        .expect("post");
    assert_eq!(resp.status().as_u16(), 303, "the report is accepted");
}

const CONTACT: &str = "lan.nguyen@example.vn 0912 345 678";

#[tokio::test]
async fn staff_see_what_every_joined_report_says_but_not_who_sent_it() {
    for kind in backends() {
        joined_reports_shown(kind).await;
    }
}

async fn joined_reports_shown(kind: &'static str) {
    let s = start(kind).await;
    s.user("intake1", &[(Role::Intake, None)]).await;
    let (st, _) = s.report(RUMOUR).await;
    assert_eq!(st, 201);
    // The same rumour retyped without accents, over two lines and with a bracket that
    // must not become markup.
    let forwarded = RUMOUR_NO_ACCENTS.replacen(", bam", ",\n<bam>", 1);
    assert_ne!(forwarded, RUMOUR_NO_ACCENTS);
    report_by_form(&s, &forwarded, "https://example.com/bai-viet/1", CONTACT).await;
    let (_, cases) = s
        .get(
            "/api/v1/cases",
            Some(&s.user("lead1", &[(Role::Lead, None)]).await),
        )
        .await;
    assert_eq!(
        cases.as_array().map(Vec::len),
        Some(1),
        "the forwarded text joined the open case: {cases}"
    );
    let id = cases[0]["id"].as_i64().expect("case id");
    assert_eq!(cases[0]["reports"], 2, "{cases}");

    let page = console_page(&s, "intake1", &format!("/quan-tri/ho-so/{id}")).await;
    let reports: Vec<&str> = page
        .split("data-testid=\"report\"")
        .skip(1)
        .map(|r| r.split("</li>").next().unwrap_or(r))
        .collect();
    assert_eq!(reports.len(), 2, "{page}");
    assert!(reports[0].contains(&esc(RUMOUR)), "{}", reports[0]);
    assert!(reports[0].contains("· API</p>"), "{}", reports[0]);
    assert!(
        reports[1].contains(&format!(
            "<blockquote class=\"lines\">{}</blockquote>",
            esc(&forwarded)
        )),
        "the second text, escaped, its line breaks kept: {}",
        reports[1]
    );
    assert!(!page.contains("<bam>"), "no markup from a report");
    assert!(reports[1].contains("Biểu mẫu công khai"), "{}", reports[1]);
    assert!(
        reports[1].contains(&format!(
            "href=\"{}\"",
            esc("https://example.com/bai-viet/1")
        )),
        "{}",
        reports[1]
    );
    assert!(reports[1].contains("giờ Việt Nam"), "{}", reports[1]);
    for part in ["lan.nguyen", "0912", "345 678"] {
        assert!(!page.contains(part), "the reporter's contact stays apart");
    }
    let page_en = console_page(&s, "intake1", &format!("/quan-tri/ho-so/{id}?lang=en")).await;
    assert!(page_en.contains("· Public form</p>"), "{page_en}");
    assert!(page_en.contains("Vietnam time"));
}

/// The JSON-LD a fact-check page carries.
fn json_ld(page: &str) -> serde_json::Value {
    let script = page
        .split("<script type=\"application/ld+json\">")
        .nth(1)
        .and_then(|rest| rest.split("</script>").next())
        .expect("the page carries JSON-LD");
    serde_json::from_str(script).expect("valid JSON")
}

#[tokio::test]
async fn links_reporters_typed_never_reach_the_public_claim_review() {
    for kind in backends() {
        reporter_links_stay_inside(kind).await;
    }
}

async fn reporter_links_stay_inside(kind: &'static str) {
    let s = start(kind).await;
    let profile = "https://www.tiktok.com/@ten.nguoi.dang/video/7301234567890";
    for _ in 0..2 {
        let (st, body) = s
            .post(
                "/api/v1/reports",
                None,
                json!({ "text": RUMOUR, "urls": [profile, "https://example.com/bai/9"] }),
            )
            .await;
        assert_eq!(st, 201, "{body}");
    }
    let (_, path) = publish_rumour(&s, RUMOUR).await;
    let (st, page) = s.get_text(&path).await;
    assert_eq!(st, 200);
    let review = json_ld(&page);
    assert_eq!(review["@type"], "ClaimReview", "{review}");
    assert_eq!(review["claimReviewed"], RUMOUR, "{review}");
    assert_eq!(review["reviewRating"]["ratingValue"], 1, "{review}");
    assert_eq!(review["itemReviewed"]["@type"], "Claim", "{review}");
    assert!(
        review["itemReviewed"].get("datePublished").is_none(),
        "the fact-check's date is no date of the claim: {review}"
    );
    assert!(
        review["url"].as_str().is_some_and(|u| u.ends_with(&path)),
        "{review}"
    );
    let text = review.to_string();
    assert!(
        !text.contains("tiktok") && !text.contains("example.com"),
        "no reporter's link in the ClaimReview: {review}"
    );
    assert!(!page.contains("tiktok"), "nor anywhere on the public page");
    for public in [
        "/du-lieu/kiem-chung.json",
        "/du-lieu/kiem-chung.csv",
        "/feed.xml",
    ] {
        let (_, body) = s.get_text(public).await;
        assert!(!body.contains("tiktok"), "{public}: {body}");
    }
}

#[tokio::test]
async fn an_answered_receipt_names_the_claim_its_verdict_is_about() {
    for kind in backends() {
        receipt_names_claim(kind).await;
    }
}

async fn receipt_names_claim(kind: &'static str) {
    let s = start(kind).await;
    let (_, path) = publish_rumour(&s, RUMOUR).await;
    let claim = s.store.publications().await.expect("publications")[0]
        .claim_text
        .clone();
    let (st, body) = s.report(RUMOUR_NO_ACCENTS).await;
    assert_eq!(st, 201, "{body}");
    assert_eq!(
        body["match"]["url"],
        path.as_str(),
        "answered at once: {body}"
    );
    let receipt = body["receipt"].as_str().expect("receipt");
    let (st, page) = s.get_text(&format!("/phan-anh/{receipt}")).await;
    assert_eq!(st, 200);
    let answer = page
        .split("data-testid=\"match\"")
        .nth(1)
        .and_then(|rest| rest.split("</div>").next())
        .expect("the receipt shows the answer");
    assert!(
        answer.contains(&format!(
            "<blockquote class=\"lines\" data-testid=\"matched-claim\" lang=\"vi\">{}</blockquote>",
            esc(&claim)
        )),
        "the published claim, in full: {answer}"
    );
    assert!(
        answer.contains(&format!("href=\"{}\"", esc(&path))),
        "a link to the fact-check: {answer}"
    );
    assert!(answer.contains("Sai sự thật"), "{answer}");
    assert!(
        answer.contains("Kết luận trên là về tin này, không phải về lời phản ánh của bạn."),
        "{answer}"
    );
    let (_, page_en) = s.get_text(&format!("/phan-anh/{receipt}?lang=en")).await;
    assert!(
        page_en.contains("The verdict is about this claim, not about what you wrote."),
        "{page_en}"
    );
    // The API's documented answer is unchanged.
    let (_, status) = s.get(&format!("/api/v1/reports/{receipt}"), None).await;
    let mut keys: Vec<&str> = status
        .as_object()
        .map(|o| o.keys().map(String::as_str).collect())
        .unwrap_or_default();
    keys.sort_unstable();
    assert_eq!(keys, ["receipt", "status", "url", "verdict"], "{status}");
    let mut keys: Vec<&str> = body["match"]
        .as_object()
        .map(|o| o.keys().map(String::as_str).collect())
        .unwrap_or_default();
    keys.sort_unstable();
    assert_eq!(keys, ["score", "url", "verdict"], "{body}");
}

#[tokio::test]
async fn a_case_is_assigned_only_to_a_verifier_who_can_act_on_it_and_shows_who() {
    for kind in backends() {
        let s = start(kind).await;
        let intake = s.user("intake1", &[(Role::Intake, None)]).await;
        s.user("minh", &[(Role::Verifier, Some("vhtt"))]).await;
        s.user("binh", &[(Role::Verifier, Some("ca"))]).await;
        s.user("tuan", &[(Role::Editor, None)]).await;
        let (st, _) = s.report(RUMOUR).await;
        assert_eq!(st, 201);
        let (_, cases) = s.get("/api/v1/cases", Some(&intake)).await;
        let id = cases[0]["id"].as_i64().expect("case id");
        let assign =
            |who: &str| json!({ "agency": "ca", "harm_category": "scam", "assignee": who });
        let path = format!("/api/v1/cases/{id}/assign");
        // A mistyped name, someone with no verifier role, a verifier of another agency.
        for (who, says) in [
            ("binhh", "Không có tài khoản `binhh`"),
            ("tuan", "`tuan` không có vai trò xác minh"),
            (
                "minh",
                "`minh` không có vai trò xác minh (verifier) cho cơ quan `ca`",
            ),
        ] {
            let (st, body) = s.post(&path, Some(&intake), assign(who)).await;
            assert_eq!(st, 422, "[{kind}] {who}: {body}");
            assert_eq!(body["error"]["field"], "assignee", "[{kind}] {body}");
            let msg = body["error"]["message"].as_str().unwrap_or("");
            assert!(msg.contains(says), "[{kind}] {who}: {msg}");
        }
        let (_, cases) = s.get("/api/v1/cases", Some(&intake)).await;
        assert_eq!(cases[0]["state"], "new", "[{kind}] nothing was assigned");

        let (st, body) = s.post(&path, Some(&intake), assign("binh")).await;
        assert_eq!(st, 200, "[{kind}] {body}");
        let (_, cases) = s.get("/api/v1/cases", Some(&intake)).await;
        assert_eq!(cases[0]["assignee"], "binh", "[{kind}] {cases}");
        let page = console_page(&s, "intake1", &format!("/quan-tri/ho-so/{id}")).await;
        assert!(
            page.contains("<td data-testid=\"case-assignee\">binh</td>"),
            "[{kind}] the case page names who works on it"
        );
        assert!(
            page.contains("name=\"assignee\" value=\"binh\""),
            "[{kind}] re-assigning keeps the assignee unless changed"
        );
        let queue = console_page(&s, "intake1", "/quan-tri").await;
        assert!(
            queue.contains("data-testid=\"queue-assignee\">binh</span>"),
            "[{kind}] the queue shows who works on each case"
        );

        // A disabled account is not given new work.
        let mut tx = s.store.begin_write("test").await.expect("begin");
        tx.set_user_disabled("binh", true).await.expect("disable");
        tx.commit().await.expect("commit");
        let (st, body) = s.post(&path, Some(&intake), assign("binh")).await;
        assert_eq!(
            (st, body["error"]["field"].as_str()),
            (422, Some("assignee")),
            "[{kind}] {body}"
        );
    }
}

/// An assignment the desk refuses comes back as the officer chose it (agency, harm,
/// priority, the name typed), with the error at the field: not reset to the case's own
/// values, to be chosen again.
#[tokio::test]
async fn a_refused_assignment_keeps_what_was_chosen() {
    for kind in backends() {
        let s = start(kind).await;
        let intake = s.user("intake1", &[(Role::Intake, None)]).await;
        s.user("minh", &[(Role::Verifier, Some("vhtt"))]).await;
        let (st, _) = s.report(RUMOUR).await;
        assert_eq!(st, 201);
        let (_, cases) = s.get("/api/v1/cases", Some(&intake)).await;
        let id = cases[0]["id"].as_i64().expect("case id");
        let (jar, csrf) = login(&s, "intake1").await;
        let (st, page) = console_post(
            &s,
            &jar,
            &format!("/quan-tri/ho-so/{id}/giao"),
            &[
                ("csrf", &csrf),
                ("agency", "ca"),
                ("harm_category", "scam"),
                ("priority", "high"),
                ("assignee", "minh"),
            ],
        )
        .await;
        assert_eq!(st, 422, "[{kind}]");
        for kept in [
            r#"<option value="ca" selected>"#,
            r#"<option value="scam" selected>"#,
            r#"<option value="high" selected>"#,
            r#"name="assignee" value="minh""#,
        ] {
            assert!(page.contains(kept), "[{kind}] {kept} is kept");
        }
        assert!(
            !page.contains(r#"<option value="normal" selected>"#),
            "[{kind}] the case's own priority is not put back"
        );
        assert!(
            page.contains(r#"id="assignee-error""#),
            "[{kind}] the error is at the assignee"
        );
        let (_, cases) = s.get("/api/v1/cases", Some(&intake)).await;
        assert_eq!(cases[0]["state"], "new", "[{kind}] nothing was assigned");
    }
}

/// A report's own words can name the reporter; the fact-check publishes the claim as the
/// editor states it, so none of that reaches the page, the ClaimReview, the feed or the
/// open data.
#[tokio::test]
async fn the_claim_published_is_the_editors_wording_not_the_reporters() {
    const REPORTED: &str = "Tôi là Nguyễn Thị Lan, SĐT 0912 345 678, thôn 3 xã Bờ Y. Tôi nhận \
        được tin nhắn nói nước máy xã Bờ Y bị nhiễm độc, không được uống.";
    const CLAIM: &str = "Nước máy xã Bờ Y bị nhiễm độc, không được uống.";
    for kind in backends() {
        let s = start(kind).await;
        // Without a title the title is made from the claim: the stated one.
        let (_, url) =
            publish_rumour_with(&s, REPORTED, json!({ "claim": format!("  {CLAIM}\n") })).await;
        let slug = url.trim_start_matches("/kiem-chung/").to_string();
        for path in [
            url.clone(),
            "/du-lieu/kiem-chung.json".to_string(),
            "/du-lieu/kiem-chung.csv".to_string(),
            "/feed.xml".to_string(),
            "/kiem-chung".to_string(),
        ] {
            let (st, text) = s.get_text(&path).await;
            assert_eq!(st, 200, "[{kind}] {path}");
            assert!(
                !text.contains("0912") && !text.contains("Nguyễn Thị Lan"),
                "[{kind}] {path} shows the reporter"
            );
        }
        let (_, page) = s.get_text(&url).await;
        assert!(
            page.contains(&format!("\"claimReviewed\":\"{CLAIM}\"")),
            "[{kind}] {page}"
        );
        assert!(!slug.contains("nguyen-thi-lan"), "[{kind}] {slug}");

        // The console's form holds the case's claim for the editor to restate.
        let (st, _) = s
            .report("Tôi là Trần Văn Bình. Có tin chợ Plei Kần đóng cửa một tháng để xây mới.")
            .await;
        assert_eq!(st, 201);
        let verifier = s.user("verifier1", &[]).await;
        let reviewer = s.user("reviewer1", &[]).await;
        let intake = s.user("intake1", &[]).await;
        let (_, cases) = s.get("/api/v1/cases?state=new", Some(&intake)).await;
        let id = cases[0]["id"].as_i64().expect("case id");
        for (path, token, body) in [
            ("assign", &intake, json!({ "agency": default_agency() })),
            (
                "decision",
                &verifier,
                json!({ "verdict": "false", "summary": "Chợ vẫn mở cửa.",
                        "reasons": "Ban quản lý chợ xác nhận.", "evidence": [{ "note": "Xác nhận" }] }),
            ),
            ("review", &reviewer, json!({ "approve": true })),
        ] {
            let (st, body) = s
                .post(&format!("/api/v1/cases/{id}/{path}"), Some(token), body)
                .await;
            assert!(st < 300, "[{kind}] {path}: {body}");
        }
        let form = console_page(&s, "editor1", &format!("/quan-tri/ho-so/{id}")).await;
        assert!(
            form.contains("<textarea id=\"claim\" name=\"claim\" required"),
            "[{kind}] the publish form has the claim"
        );
        assert!(
            form.contains("aria-describedby=\"claim-help\"></textarea>"),
            "[{kind}] the editor states the claim: nothing to publish by one click"
        );
        assert!(
            form.contains("Tôi là Trần Văn Bình. Có tin chợ Plei Kần đóng cửa một tháng để xây mới.</blockquote>"),
            "[{kind}] the report's words are shown beside, read-only"
        );
        // Emptied, it is refused, naming the field.
        let editor = s.user("editor1", &[]).await;
        let (st, body) = s
            .post(
                &format!("/api/v1/cases/{id}/publish"),
                Some(&editor),
                json!({ "claim": " " }),
            )
            .await;
        assert_eq!(
            (st, body["error"]["field"].as_str()),
            (422, Some("claim")),
            "[{kind}] {body}"
        );
    }
}

/// The verifier's decision form keeps what they chose: the provisions ticked when the form
/// comes back with an error, and the whole returned draft when a reviewer sends it back.
#[tokio::test]
async fn a_returned_or_refused_decision_form_keeps_the_verifiers_draft() {
    for kind in backends() {
        let s = start(kind).await;
        let intake = s.user("intake1", &[(Role::Intake, None)]).await;
        s.user("verifier1", &[(Role::Verifier, None)]).await;
        let reviewer = s.user("reviewer1", &[(Role::Reviewer, None)]).await;
        let id = s.assigned_case(&intake, RUMOUR, &default_agency()).await;
        let provision = some_provision();
        let ticked = format!("value=\"{provision}\" checked>");
        let (jar, csrf) = login(&s, "verifier1").await;
        let path = format!("/quan-tri/ho-so/{id}/ket-luan");
        let mut fields = vec![
            ("csrf", csrf.as_str()),
            ("verdict", "false"),
            ("summary", "Điện lực không có chương trình hoàn tiền."),
            ("reasons", "Điện lực xác nhận đây là tin giả."),
            ("legal_provisions", provision.as_str()),
            ("remedy", "correction"),
        ];
        // No evidence: refused, and the provision is still ticked.
        let (st, page) = console_post(&s, &jar, &path, &fields).await;
        assert_eq!(st, 422, "[{kind}]");
        assert!(
            page.contains(&ticked),
            "[{kind}] the provision stays ticked"
        );

        fields.push(("evidence_note", "Thông báo của Điện lực"));
        let (st, _) = console_post(&s, &jar, &path, &fields).await;
        assert_eq!(st, 303, "[{kind}]");
        let (st, body) = s
            .post(
                &format!("/api/v1/cases/{id}/review"),
                Some(&reviewer),
                json!({ "approve": false, "comment": "Thêm đường dẫn bằng chứng." }),
            )
            .await;
        assert_eq!(st, 200, "[{kind}] {body}");
        let page = console_get(&s, &jar, &format!("/quan-tri/ho-so/{id}")).await;
        let form = page
            .split(&format!("action=\"/quan-tri/ho-so/{id}/ket-luan\""))
            .nth(1)
            .and_then(|rest| rest.split("</form>").next())
            .expect("the decision form is offered again");
        assert!(
            form.contains(">Điện lực không có chương trình hoàn tiền.</textarea>"),
            "[{kind}] {form}"
        );
        assert!(
            form.contains(">Thông báo của Điện lực</textarea>"),
            "[{kind}]"
        );
        assert!(form.contains("value=\"false\" selected"), "[{kind}]");
        assert!(form.contains(&ticked), "[{kind}]");
    }
}

/// A fact-check already published with the reporter's words about themselves has them
/// taken out by an editor, everywhere it is shown, and the audit log keeps neither text.
#[tokio::test]
async fn an_editor_restates_a_published_claim_that_names_the_reporter() {
    const REPORTED: &str =
        "Tôi là Lò Thị Hoa, 0977 888 999, bản Đăk Ang. Tin đồn cấm người dân lên rẫy tháng này.";
    const CLAIM: &str = "Tin đồn cấm người dân lên rẫy tháng này.";
    for kind in backends() {
        let s = start(kind).await;
        // As it was published before the editor could state the claim, with the title the
        // desk makes from it.
        let (id, url) = publish_rumour_with(&s, REPORTED, json!({})).await;
        let (_, page) = s.get_text(&url).await;
        assert!(page.contains("0977 888 999"), "[{kind}] the starting point");

        let intake = s.user("intake1", &[]).await;
        let editor = s.user("editor1", &[]).await;
        let path = format!("/api/v1/cases/{id}/publication/claim");
        let (st, _) = s
            .post(&path, Some(&intake), json!({ "claim": CLAIM }))
            .await;
        assert_eq!(st, 403, "[{kind}] only an editor");
        let (st, body) = s.post(&path, Some(&editor), json!({ "claim": "  " })).await;
        assert_eq!(
            (st, body["error"]["field"].as_str()),
            (422, Some("claim")),
            "[{kind}] {body}"
        );

        // On the console: the form holds the published wording to edit.
        let form = console_page(&s, "editor1", &format!("/quan-tri/ho-so/{id}")).await;
        assert!(form.contains("data-testid=\"restate-claim\""), "[{kind}]");
        assert!(form.contains(&format!("{REPORTED}</textarea>")), "[{kind}]");
        let (jar, csrf) = login(&s, "editor1").await;
        let (st, _) = console_post(
            &s,
            &jar,
            &format!("/quan-tri/ho-so/{id}/noi-dung-cong-bo"),
            &[("csrf", csrf.as_str()), ("claim", CLAIM)],
        )
        .await;
        assert_eq!(st, 303, "[{kind}]");
        // The title the desk made from the reporter's words, and the address made from the
        // title, are made again from the claim as restated; the old address is gone.
        let restated = s.store.publications().await.expect("publications")[0].clone();
        assert!(
            !restated.title.contains("Lò Thị Hoa"),
            "[{kind}] {}",
            restated.title
        );
        assert!(
            !restated.slug.contains("hoa") && !restated.slug.contains("0977"),
            "[{kind}] {}",
            restated.slug
        );
        let (st, _) = s.get_text(&url).await;
        assert_eq!(st, 404, "[{kind}] the old address named the reporter");
        let url = format!("/kiem-chung/{}", restated.slug);
        for path in [
            url.clone(),
            "/".to_string(),
            "/kiem-chung".to_string(),
            "/du-lieu/kiem-chung.json".to_string(),
            "/du-lieu/kiem-chung.csv".to_string(),
            "/feed.xml".to_string(),
        ] {
            let (_, text) = s.get_text(&path).await;
            assert!(
                !text.contains("0977") && !text.contains("Lò Thị Hoa"),
                "[{kind}] {path} still shows the reporter"
            );
            assert!(
                text.contains(CLAIM),
                "[{kind}] {path} shows the restated claim"
            );
        }
        let publication = s.store.publications().await.expect("publications")[0].id;
        let audit = s
            .store
            .audit_events_for("publication", &publication.to_string())
            .await
            .expect("audit");
        let restated: Vec<_> = audit
            .iter()
            .filter(|e| e.action == "publication.restate_claim")
            .collect();
        assert_eq!(restated.len(), 1, "[{kind}]");
        assert!(
            !restated[0].data.contains("0977") && !restated[0].data.contains("rẫy"),
            "[{kind}]"
        );

        // A case with nothing published has no claim to restate.
        let (_, r) = s.report("Tin đồn đóng cửa chợ Plei Kần cả tháng.").await;
        assert_eq!(r["status"], "received");
        let (_, cases) = s.get("/api/v1/cases?state=new", Some(&intake)).await;
        let open = cases[0]["id"].as_i64().expect("id");
        let (st, body) = s
            .post(
                &format!("/api/v1/cases/{open}/publication/claim"),
                Some(&editor),
                json!({ "claim": CLAIM }),
            )
            .await;
        assert_eq!(
            (st, body["error"]["code"].as_str()),
            (409, Some("not_published")),
            "[{kind}]"
        );
    }
}
