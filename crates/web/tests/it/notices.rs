//! Notices to platforms: prepared only for a published decision that asks something of a
//! platform, about content URLs only; each step recorded in order; the public register
//! shows what was asked and what came of it, without staff names.

use crate::harness::{backends, default_agency, login, some_provision, start, TestServer};
use kc_desk::Role;
use serde_json::{json, Value};

const SCAM: &str = "Cảnh báo: trang Facebook giả danh Công an huyện đang yêu cầu người dân \
    chuyển 2 triệu đồng để 'xác minh căn cước', bấm vào đường link trong bài để làm thủ tục.";
const FLOOD: &str = "Tin nóng: đập thủy điện thượng nguồn sắp vỡ, toàn bộ thị trấn Plei Kần \
    phải sơ tán ngay trong đêm nay, chia sẻ gấp cho mọi người cùng biết.";

struct Staffed {
    intake: String,
    verifier: String,
    reviewer: String,
    editor: String,
}

async fn staff(s: &TestServer) -> Staffed {
    Staffed {
        intake: s.user("tiepnhan", &[(Role::Intake, None)]).await,
        verifier: s.user("xacminh", &[(Role::Verifier, None)]).await,
        reviewer: s.user("thamdinh", &[(Role::Reviewer, None)]).await,
        editor: s.user("bientap", &[(Role::Editor, None)]).await,
    }
}

/// A new report of `text` taken through to publication with `remedy`; (case id, slug).
async fn publish_with(s: &TestServer, t: &Staffed, text: &str, remedy: &str) -> (i64, String) {
    let (st, body) = s.report(text).await;
    assert_eq!(st, 201, "{body}");
    let (_, cases) = s.get("/api/v1/cases?state=new", Some(&t.intake)).await;
    let id = cases
        .as_array()
        .and_then(|a| a.iter().find(|c| c["claim"].as_str() == Some(text)))
        .and_then(|c| c["id"].as_i64())
        .expect("the new case");
    let steps = [
        (&t.intake, "assign", json!({ "agency": default_agency() })),
        (
            &t.verifier,
            "decision",
            json!({
                "verdict": "false", "summary": "Nội dung giả mạo.",
                "reasons": "Cơ quan chức năng xác nhận không có yêu cầu nào như vậy.",
                "evidence": [{ "url": "https://congan.example.vn/canh-bao", "note": "Cảnh báo chính thức" }],
                "legal_provisions": [some_provision()], "remedy": remedy
            }),
        ),
        (&t.reviewer, "review", json!({ "approve": true })),
        (&t.editor, "publish", json!({})),
    ];
    let mut url = String::new();
    for (token, step, body) in steps {
        let (st, out) = s
            .post(&format!("/api/v1/cases/{id}/{step}"), Some(token), body)
            .await;
        assert!(st == 200 || st == 201, "{step}: {st} {out}");
        if step == "publish" {
            url = out["url"].as_str().expect("url").to_string();
        }
    }
    let slug = url.trim_start_matches("/kiem-chung/").to_string();
    (id, slug)
}

fn today() -> String {
    (chrono::Utc::now() + chrono::Duration::hours(7))
        .format("%Y-%m-%d")
        .to_string()
}

#[tokio::test]
async fn a_notice_is_prepared_for_content_of_a_published_notice_decision_only() {
    for kind in backends() {
        let s = start(kind).await;
        let t = staff(&s).await;
        let (id, _) = publish_with(&s, &t, SCAM, "notice").await;
        let path = format!("/api/v1/cases/{id}/notices");
        let good = json!({
            "platform": "Facebook",
            "locators": ["https://www.facebook.com/trang.gia/posts/123?fbclid=xyz"],
        });

        let (st, body) = s.post(&path, Some(&t.intake), good.clone()).await;
        assert_eq!(st, 403, "[{kind}] intake may not prepare: {body}");

        let (st, body) = s
            .post(
                &path,
                Some(&t.editor),
                json!({ "platform": "Facebook", "locators": ["https://www.facebook.com/ten.nguoi.dung"] }),
            )
            .await;
        assert_eq!(st, 422, "[{kind}] {body}");
        assert_eq!(body["error"]["field"], "locators");
        let vi = body["error"]["message"].as_str().expect("message");
        assert!(
            vi.contains("tài khoản") && vi.contains("không nêu con người"),
            "{vi}"
        );
        assert!(body["error"]["message_en"]
            .as_str()
            .expect("en")
            .contains("never people"));

        for bad in [
            json!({ "platform": "TikTok", "locators": ["https://www.tiktok.com/@ten"] }),
            json!({ "platform": "Facebook", "locators": ["ftp://example.com/a"] }),
            json!({ "platform": "Facebook", "locators": [] }),
        ] {
            let (st, body) = s.post(&path, Some(&t.editor), bad).await;
            assert_eq!(st, 422, "[{kind}] {body}");
            assert_eq!(body["error"]["field"], "locators");
        }
        let (st, body) = s
            .post(
                &path,
                Some(&t.editor),
                json!({ "locators": ["https://a.example/x"] }),
            )
            .await;
        assert_eq!(st, 422);
        assert_eq!(body["error"]["field"], "platform");

        let (st, n) = s.post(&path, Some(&t.editor), good).await;
        assert_eq!(st, 201, "[{kind}] {n}");
        assert_eq!(
            n["locators"],
            json!(["https://facebook.com/trang.gia/posts/123"])
        );
        assert_eq!(n["legal_provisions"][0]["id"], some_provision());
        assert_eq!(
            n["reasons"],
            "Cơ quan chức năng xác nhận không có yêu cầu nào như vậy."
        );
        assert_eq!(n["agency"], default_agency());
        assert_eq!(n["territorial_scope"], "Việt Nam");
        assert_eq!(n["status"], "prepared");
        assert!(n["number"].as_str().expect("number").starts_with("TB-"));
        let notice_id = n["id"].as_i64().expect("id");
        let audit = s
            .store
            .audit_events_for("notice", &notice_id.to_string())
            .await
            .expect("audit");
        assert_eq!(audit.len(), 1);
        assert_eq!(audit[0].action, "notice.prepare");
        assert_eq!(audit[0].actor, "bientap");

        // A correction asks nothing of a platform.
        let (other, _) = publish_with(&s, &t, FLOOD, "correction").await;
        let (st, body) = s
            .post(
                &format!("/api/v1/cases/{other}/notices"),
                Some(&t.editor),
                json!({ "platform": "Facebook", "locators": ["https://facebook.com/a/posts/1"] }),
            )
            .await;
        assert_eq!(st, 409, "[{kind}] {body}");
        assert_eq!(body["error"]["code"], "remedy_without_notice");
        let (st, list) = s
            .get(&format!("/api/v1/cases/{other}/notices"), Some(&t.editor))
            .await;
        assert_eq!(st, 200);
        assert_eq!(list["count"], 0);
        let (_, list) = s.get(&path, Some(&t.editor)).await;
        assert_eq!(list["count"], 1);
    }
}

#[tokio::test]
async fn a_case_not_yet_published_gets_no_notice() {
    let s = start("sqlite").await;
    let t = staff(&s).await;
    let (st, _) = s.report(SCAM).await;
    assert_eq!(st, 201);
    let (_, cases) = s.get("/api/v1/cases", Some(&t.intake)).await;
    let id = cases[0]["id"].as_i64().expect("id");
    let (st, body) = s
        .post(
            &format!("/api/v1/cases/{id}/notices"),
            Some(&t.editor),
            json!({ "platform": "Facebook", "locators": ["https://facebook.com/a/posts/1"] }),
        )
        .await;
    assert_eq!(st, 409, "{body}");
    assert_eq!(body["error"]["code"], "wrong_state");
}

async fn step(
    s: &TestServer,
    token: &str,
    id: i64,
    step: &str,
    note: Option<&str>,
) -> (u16, Value) {
    s.post(
        &format!("/api/v1/notices/{id}/events"),
        Some(token),
        json!({ "step": step, "date": today(), "note": note }),
    )
    .await
}

#[tokio::test]
async fn steps_are_recorded_in_order_with_their_audit_events() {
    for kind in backends() {
        let s = start(kind).await;
        let t = staff(&s).await;
        let lead = s
            .user("lanhdao", &[(Role::Lead, Some(&default_agency()))])
            .await;
        let (id, _) = publish_with(&s, &t, SCAM, "label_request").await;
        let (st, n) = s
            .post(
                &format!("/api/v1/cases/{id}/notices"),
                Some(&lead),
                json!({ "platform": "TikTok", "locators": ["https://www.tiktok.com/@kenh/video/7300000000000"], "territorial_scope": "Huyện Ngọc Hồi" }),
            )
            .await;
        assert_eq!(st, 201, "[{kind}] {n}");
        assert_eq!(n["territorial_scope"], "Huyện Ngọc Hồi");
        let nid = n["id"].as_i64().expect("id");

        let (st, body) = step(&s, &t.editor, nid, "effect_given", None).await;
        assert_eq!(st, 409, "[{kind}] {body}");
        assert_eq!(body["error"]["code"], "wrong_order");
        assert!(body["error"]["message"]
            .as_str()
            .expect("vi")
            .contains("Đã gửi"));

        let (st, body) = step(&s, &t.intake, nid, "sent", None).await;
        assert_eq!(st, 403, "[{kind}] {body}");

        let (st, body) = s
            .post(
                &format!("/api/v1/notices/{nid}/events"),
                Some(&t.editor),
                json!({ "step": "sent", "date": "2999-01-01" }),
            )
            .await;
        assert_eq!(st, 422, "[{kind}] {body}");
        assert_eq!(body["error"]["field"], "date");

        let (st, body) = step(
            &s,
            &t.editor,
            nid,
            "sent",
            Some("Gửi qua kênh báo cáo của nền tảng"),
        )
        .await;
        assert_eq!(st, 201, "[{kind}] {body}");
        assert_eq!(body["status"], "sent");
        let (st, _) = step(&s, &t.editor, nid, "sent", None).await;
        assert_eq!(st, 409, "[{kind}] a step happens once");
        let (st, _) = step(&s, &t.editor, nid, "reinstated", Some("x")).await;
        assert_eq!(st, 409, "[{kind}] nothing to reinstate yet");
        let (st, _) = step(&s, &lead, nid, "acknowledged", None).await;
        assert_eq!(st, 201);
        let (st, body) = step(&s, &t.editor, nid, "declined", None).await;
        assert_eq!(st, 422, "[{kind}] {body}");
        assert_eq!(body["error"]["field"], "note");
        let (st, body) = step(&s, &t.editor, nid, "effect_given", None).await;
        assert_eq!(st, 201, "[{kind}] {body}");
        assert_eq!(body["status"], "effect_given");
        let (st, body) = step(
            &s,
            &t.editor,
            nid,
            "reinstated",
            Some("Khiếu nại được chấp nhận"),
        )
        .await;
        assert_eq!(st, 201, "[{kind}] {body}");
        assert_eq!(body["status"], "reinstated");
        assert_eq!(body["next_steps"], json!([]));
        let (st, _) = step(&s, &t.editor, nid, "declined", Some("x")).await;
        assert_eq!(st, 409);

        let (st, body) = step(&s, &t.editor, 999_999, "sent", None).await;
        assert_eq!(st, 404, "{body}");

        // The period's figures count the notice and its steps (all recorded today).
        let (_, f) = s.get("/api/v1/stats", Some(&t.editor)).await;
        assert_eq!(f["notices_prepared"].as_u64(), Some(1), "[{kind}] {f}");
        let steps: Vec<&str> = f["notice_steps"]
            .as_array()
            .expect("steps")
            .iter()
            .filter_map(|c| c["code"].as_str())
            .collect();
        assert_eq!(
            steps,
            ["sent", "acknowledged", "effect_given", "reinstated"],
            "[{kind}] {f}"
        );

        let actions: Vec<String> = s
            .store
            .audit_events_for("notice", &nid.to_string())
            .await
            .expect("audit")
            .into_iter()
            .map(|e| e.action)
            .collect();
        assert_eq!(
            actions,
            [
                "notice.prepare",
                "notice.step",
                "notice.step",
                "notice.step",
                "notice.step"
            ]
        );
        s.store.audit_verify().await.expect("the chain holds");
    }
}

#[tokio::test]
async fn the_public_register_shows_notices_and_their_status_without_staff_names() {
    for kind in backends() {
        let s = start(kind).await;
        let t = staff(&s).await;
        let (id, slug) = publish_with(&s, &t, SCAM, "notice").await;
        let (st, n) = s
            .post(
                &format!("/api/v1/cases/{id}/notices"),
                Some(&t.editor),
                json!({ "platform": "Nền tảng Ví Dụ", "locators": ["https://video.example.com/v/42"] }),
            )
            .await;
        assert_eq!(st, 201, "{n}");
        let nid = n["id"].as_i64().expect("id");
        let (st, _) = step(
            &s,
            &t.editor,
            nid,
            "sent",
            Some("gửi cho chị Nguyễn Thị Bí Mật"),
        )
        .await;
        assert_eq!(st, 201);
        let (st, _) = step(&s, &t.editor, nid, "effect_given", None).await;
        assert_eq!(st, 201);

        let staff_names = ["bientap", "xacminh", "thamdinh", "tiepnhan", "Bí Mật"];
        let (st, html) = s.get_text(&format!("/kiem-chung/{slug}")).await;
        assert_eq!(st, 200);
        assert!(html.contains("data-testid=\"notice-register\""), "[{kind}]");
        assert!(html.contains("Nền tảng Ví Dụ"));
        assert!(
            html.contains("https:&#x2f;&#x2f;video.example.com&#x2f;v&#x2f;42")
                || html.contains("https://video.example.com/v/42")
        );
        assert!(html.contains("Đã thực hiện"), "[{kind}] the status shows");
        // Days on Vietnamese pages are written day first.
        let shown = (chrono::Utc::now() + chrono::Duration::hours(7))
            .format("%d/%m/%Y")
            .to_string();
        assert!(html.contains(&shown), "[{kind}] with its date");

        let (st, printable) = s.get_text(&format!("/thong-bao/{nid}")).await;
        assert_eq!(st, 200);
        assert!(printable.contains("Thông báo gỡ bỏ nội dung"));
        assert!(printable.contains("Quyền khiếu nại"));
        let absolute = format!("{}/kiem-chung/{slug}", s.base).replace('/', "&#x2f;");
        assert!(
            printable.contains(&absolute),
            "[{kind}] the printed link is absolute"
        );
        let (_, printable_en) = s.get_text(&format!("/thong-bao/{nid}?lang=en")).await;
        assert!(printable_en.contains("Notice to remove content"));
        assert!(printable_en.contains("Effect given"));

        let (st, data) = s.get("/du-lieu/thong-bao.json", None).await;
        assert_eq!(st, 200);
        assert_eq!(data["count"], 1);
        assert_eq!(data["items"][0]["status"], "effect_given");
        assert_eq!(data["items"][0]["platform"], "Nền tảng Ví Dụ");
        assert_eq!(
            data["items"][0]["url"],
            s.url(&format!("/thong-bao/{nid}")).as_str(),
            "[{kind}] open data links are absolute"
        );
        assert!(
            data["items"][0]["factcheck_url"]
                .as_str()
                .is_some_and(|u| u.starts_with("http://") && u.contains("/kiem-chung/")),
            "[{kind}] {data}"
        );
        assert!(data["items"][0]["legal_provisions"][0]["citation"]
            .as_str()
            .expect("citation")
            .contains("Điều"));
        let (st, csv) = s.get_text("/du-lieu/thong-bao.csv").await;
        assert_eq!(st, 200);
        assert!(csv.contains("\"effect_given\"") && csv.contains("https://video.example.com/v/42"));
        let mut lines = csv.lines();
        let header = lines.next().expect("header");
        assert!(
            header.ends_with(",status,status_on,factcheck_url,reasons"),
            "[{kind}] reasons is the last column, the others keep their places: {header}"
        );
        let row = lines.next().expect("a row");
        assert!(
            row.ends_with(",\"Cơ quan chức năng xác nhận không có yêu cầu nào như vậy.\""),
            "[{kind}] the decision's reasons, as in the JSON: {row}"
        );

        let json_text = data.to_string();
        for public in [&html, &printable, &printable_en, &json_text, &csv] {
            for name in staff_names {
                assert!(!public.contains(name), "[{kind}] `{name}` in public output");
            }
            assert!(!public.contains("recorded_by") && !public.contains("prepared_by"));
        }
        // The existing open data keeps its shape.
        let (_, checks) = s.get("/du-lieu/kiem-chung.json", None).await;
        assert_eq!(checks["count"], 1);
        assert_eq!(checks["items"][0]["@type"], "ClaimReview");
    }
}

#[tokio::test]
async fn content_forwarded_in_chats_is_named_by_its_hash() {
    for kind in backends() {
        let s = start(kind).await;
        let t = staff(&s).await;
        let (id, slug) = publish_with(&s, &t, SCAM, "notice").await;
        let path = format!("/api/v1/cases/{id}/notices");
        let sha = "9F86D081884C7D659A2FEAA0C55AD015A3BF4F1B2B0B822CD15D6C15B0F00A08";
        let (st, body) = s
            .post(
                &path,
                Some(&t.editor),
                json!({ "platform": "Zalo", "locators": ["sha256:9f86d0"] }),
            )
            .await;
        assert_eq!(st, 422, "[{kind}] a short hash is refused: {body}");
        assert_eq!(body["error"]["field"], "locators");
        assert!(body["error"]["message_en"]
            .as_str()
            .expect("en")
            .contains("64 hexadecimal digits"));

        let (st, n) = s
            .post(
                &path,
                Some(&t.editor),
                json!({ "platform": "Zalo", "locators": [format!("SHA256:{sha}"), "https://video.example.com/v/7"] }),
            )
            .await;
        assert_eq!(st, 201, "[{kind}] {n}");
        let hash = format!("sha256:{}", sha.to_ascii_lowercase());
        assert_eq!(
            n["locators"],
            json!([hash, "https://video.example.com/v/7"])
        );
        let (_, html) = s.get_text(&format!("/kiem-chung/{slug}")).await;
        assert!(html.contains(&hash), "[{kind}] the register shows the hash");
        let (_, printable) = s
            .get_text(&format!("/thong-bao/{}", n["id"].as_i64().expect("id")))
            .await;
        assert!(printable.contains(&hash), "[{kind}] so does the notice");
        let (_, data) = s.get("/du-lieu/thong-bao.json", None).await;
        assert_eq!(data["items"][0]["locators"][0], hash.as_str());
    }
}

async fn console(
    s: &TestServer,
    jar: &str,
    path: &str,
    form: Option<&[(&str, &str)]>,
) -> (u16, String) {
    let req = match form {
        Some(f) => s.client.post(s.url(path)).form(f),
        None => s.client.get(s.url(path)),
    };
    let resp = req.header("cookie", jar).send().await.expect("request");
    let st = resp.status().as_u16();
    (st, resp.text().await.expect("body"))
}

#[tokio::test]
async fn the_console_prepares_a_notice_and_records_its_steps() {
    let s = start("sqlite").await;
    let t = staff(&s).await;
    let (id, _) = publish_with(&s, &t, SCAM, "notice").await;
    let (other, _) = publish_with(&s, &t, FLOOD, "correction").await;
    let case_path = format!("/quan-tri/ho-so/{id}");
    let (ed, csrf) = login(&s, "bientap").await;
    let (in_jar, _) = login(&s, "tiepnhan").await;

    let (_, page) = console(&s, &ed, &case_path, None).await;
    assert!(
        page.contains("data-testid=\"prepare-notice\""),
        "the editor gets the form"
    );
    let (_, page) = console(&s, &ed, &format!("/quan-tri/ho-so/{other}"), None).await;
    assert!(!page.contains("prepare-notice"), "no form for a correction");
    let (_, page) = console(&s, &in_jar, &case_path, None).await;
    assert!(!page.contains("prepare-notice"), "no form for intake");

    let prepare = format!("{case_path}/thong-bao");
    let (st, _) = console(
        &s,
        &ed,
        &prepare,
        Some(&[
            ("csrf", "forged"),
            ("platform", "Facebook"),
            ("locators", "https://facebook.com/a/posts/1"),
        ]),
    )
    .await;
    assert_eq!(st, 403);
    let (st, page) = console(
        &s,
        &ed,
        &prepare,
        Some(&[
            ("csrf", &csrf),
            ("platform", "Facebook"),
            (
                "locators",
                "https://facebook.com/a/posts/1\r\nhttps://www.facebook.com/ten.nguoi",
            ),
        ]),
    )
    .await;
    assert_eq!(st, 422);
    assert!(page.contains("không nêu con người"), "{page}");
    // Back on the case page with what was typed, to correct the one bad line.
    assert!(page.contains("data-testid=\"prepare-notice\""), "{page}");
    assert!(
        page.contains("name=\"platform\" placeholder=\"Facebook\" value=\"Facebook\""),
        "{page}"
    );
    assert!(
        page.contains("https:&#x2f;&#x2f;facebook.com&#x2f;a&#x2f;posts&#x2f;1\r\nhttps:&#x2f;&#x2f;www.facebook.com&#x2f;ten.nguoi</textarea>"),
        "{page}"
    );
    let (_, list) = s
        .get(&format!("/api/v1/cases/{id}/notices"), Some(&t.editor))
        .await;
    assert_eq!(list["count"], 0, "nothing was recorded");

    let (st, _) = console(
        &s,
        &ed,
        &prepare,
        Some(&[
            ("csrf", &csrf),
            ("platform", "Facebook"),
            (
                "locators",
                "https://facebook.com/a/posts/1\r\nhttps://facebook.com/a/posts/2",
            ),
            ("territorial_scope", "Việt Nam"),
        ]),
    )
    .await;
    assert_eq!(st, 303);
    let (_, list) = s
        .get(&format!("/api/v1/cases/{id}/notices"), Some(&t.editor))
        .await;
    assert_eq!(list["count"], 1);
    assert_eq!(
        list["items"][0]["locators"].as_array().map(Vec::len),
        Some(2)
    );
    let nid = list["items"][0]["id"].as_i64().expect("id");
    let (_, page) = console(&s, &ed, &case_path, None).await;
    assert!(page.contains("Đã soạn, chưa gửi"));

    let step_path = format!("/quan-tri/thong-bao/{nid}/buoc");
    let (st, _) = console(
        &s,
        &ed,
        &step_path,
        Some(&[
            ("csrf", &csrf),
            ("step", "effect_given"),
            ("date", &today()),
            ("note", ""),
        ]),
    )
    .await;
    assert_eq!(st, 409, "out of order from the console too");
    let (st, _) = console(
        &s,
        &ed,
        &step_path,
        Some(&[
            ("csrf", &csrf),
            ("step", "sent"),
            ("date", &today()),
            ("note", "qua cổng báo cáo"),
        ]),
    )
    .await;
    assert_eq!(st, 303);
    let (_, page) = console(&s, &ed, &case_path, None).await;
    assert!(
        page.contains("data-testid=\"case-notice-status\">Đã gửi<"),
        "{page}"
    );
    assert!(page.contains("qua cổng báo cáo"), "staff see the note");
}

#[tokio::test]
async fn a_decision_overturned_on_appeal_takes_no_new_appeal_and_its_notices_no_new_step() {
    for kind in backends() {
        let s = start(kind).await;
        let t = staff(&s).await;
        let other_reviewer = s.user("thamdinh2", &[(Role::Reviewer, None)]).await;
        let (id, slug) = publish_with(&s, &t, SCAM, "notice").await;
        let (st, n) = s
            .post(
                &format!("/api/v1/cases/{id}/notices"),
                Some(&t.editor),
                json!({ "platform": "TikTok", "locators": ["https://www.tiktok.com/@kenh/video/7300000000000"] }),
            )
            .await;
        assert_eq!(st, 201, "[{kind}] {n}");
        let nid = n["id"].as_i64().expect("id");
        let appeal = json!({ "reasons": "Bài của tôi không phải lừa đảo.", "relation": "author" });
        let (st, filed) = s
            .post(
                &format!("/api/v1/publications/{slug}/appeals"),
                None,
                appeal.clone(),
            )
            .await;
        assert_eq!(st, 201, "[{kind}] {filed}");
        let (_, pending) = s.get("/api/v1/appeals", Some(&other_reviewer)).await;
        let appeal_id = pending[0]["id"].as_i64().expect("appeal id");
        let (st, body) = s
            .post(
                &format!("/api/v1/cases/{id}/appeals/{appeal_id}/decision"),
                Some(&other_reviewer),
                json!({ "outcome": "overturned", "reasons": "Thiếu bằng chứng về lừa đảo." }),
            )
            .await;
        assert_eq!(st, 200, "[{kind}] {body}");
        // The overturned verdict can be appealed no more, and the platform is asked nothing more.
        let (st, err) = s
            .post(
                &format!("/api/v1/publications/{slug}/appeals"),
                None,
                appeal,
            )
            .await;
        assert_eq!(
            (st, err["error"]["code"].as_str()),
            (409, Some("decision_not_standing")),
            "[{kind}] {err}"
        );
        let (st, err) = step(&s, &t.editor, nid, "sent", None).await;
        assert_eq!(
            (st, err["error"]["code"].as_str()),
            (409, Some("decision_not_standing")),
            "[{kind}] {err}"
        );
        // Nor does it answer the case, nor stay in the feed or the open data.
        let (st, err) = s
            .post(
                &format!("/api/v1/cases/{id}/answer"),
                Some(&t.intake),
                json!({ "slug": slug }),
            )
            .await;
        assert_eq!(
            (st, err["error"]["field"].as_str()),
            (422, Some("slug")),
            "[{kind}] {err}"
        );
        for feed in ["/feed.xml", "/du-lieu/kiem-chung.csv"] {
            let (st, body) = s.get_text(feed).await;
            assert_eq!(st, 200, "[{kind}] {feed}");
            assert!(!body.contains(&slug), "[{kind}] {feed} still lists {slug}");
        }
        // The case went back to verification; the period's figures count it open again. The
        // fact-check was published in the period and counts so, shown apart as overturned.
        let (_, f) = s.get("/api/v1/stats", Some(&t.editor)).await;
        assert_eq!(
            (
                f["published"].as_u64(),
                f["published_overturned"].as_u64(),
                f["open_at_end"].as_u64()
            ),
            (Some(1), Some(1), Some(1)),
            "[{kind}] {f}"
        );
        // Decided and published again: the old page points to the new decision and takes
        // no appeal.
        for (token, step, body) in [
            (
                &t.verifier,
                "decision",
                json!({
                    "verdict": "misleading", "summary": "Gây hiểu lầm.", "reasons": "Xem lại sau khiếu nại.",
                    "evidence": [{ "note": "Đối chiếu lại nguồn" }], "remedy": "correction"
                }),
            ),
            (&t.reviewer, "review", json!({ "approve": true })),
            (&t.editor, "publish", json!({})),
        ] {
            let (st, out) = s
                .post(&format!("/api/v1/cases/{id}/{step}"), Some(token), body)
                .await;
            assert!(st == 200 || st == 201, "[{kind}] {step}: {st} {out}");
        }
        let (st, page) = s.get_text(&format!("/kiem-chung/{slug}")).await;
        assert_eq!(st, 200);
        assert!(
            page.contains("data-testid=\"replaced-by\""),
            "[{kind}] {page}"
        );
        assert!(
            !page.contains("/khieu-nai\""),
            "[{kind}] no appeal form on it"
        );
    }
}

#[tokio::test]
async fn the_same_notice_is_not_prepared_twice_unless_the_platform_declined_it() {
    for kind in backends() {
        let s = start(kind).await;
        let t = staff(&s).await;
        let (id, _) = publish_with(&s, &t, SCAM, "notice").await;
        let path = format!("/api/v1/cases/{id}/notices");
        let a = "https://www.facebook.com/trang.gia/posts/123";
        let b = "https://www.facebook.com/trang.gia/posts/456";
        let (st, first) = s
            .post(
                &path,
                Some(&t.editor),
                json!({ "platform": "Facebook", "locators": [a, b] }),
            )
            .await;
        assert_eq!(st, 201, "[{kind}] {first}");
        let number = first["number"].as_str().expect("number").to_string();

        // The same platform and content, typed differently: a second copy, refused.
        let (st, body) = s
            .post(
                &path,
                Some(&t.editor),
                json!({ "platform": "facebook ", "locators": [format!("{b}?fbclid=x"), a] }),
            )
            .await;
        assert_eq!(st, 409, "[{kind}] {body}");
        assert_eq!(body["error"]["code"], "duplicate_notice");
        for lang in ["message", "message_en"] {
            assert!(
                body["error"][lang]
                    .as_str()
                    .is_some_and(|m| m.contains(&number)),
                "[{kind}] names {number}: {body}"
            );
        }
        // Other content, or another platform, is another notice.
        let (st, body) = s
            .post(
                &path,
                Some(&t.editor),
                json!({ "platform": "Facebook", "locators": [a] }),
            )
            .await;
        assert_eq!(st, 201, "[{kind}] {body}");
        let (st, body) = s
            .post(
                &path,
                Some(&t.editor),
                json!({ "platform": "Zalo", "locators": [a, b] }),
            )
            .await;
        assert_eq!(st, 201, "[{kind}] {body}");

        // Once the platform declined the first, asking again is a fair retry.
        let fid = first["id"].as_i64().expect("id");
        let (st, body) = step(&s, &t.editor, fid, "sent", None).await;
        assert_eq!(st, 201, "[{kind}] {body}");
        let (st, body) = step(
            &s,
            &t.editor,
            fid,
            "declined",
            Some("Nền tảng cho rằng chưa đủ căn cứ"),
        )
        .await;
        assert_eq!(st, 201, "[{kind}] {body}");
        let (st, body) = s
            .post(
                &path,
                Some(&t.editor),
                json!({ "platform": "Facebook", "locators": [a, b] }),
            )
            .await;
        assert_eq!(st, 201, "[{kind}] a retry after a refusal: {body}");
        let (_, all) = s.get(&path, Some(&t.editor)).await;
        let count = all
            .as_array()
            .or_else(|| all["items"].as_array())
            .map(Vec::len);
        assert_eq!(count, Some(4), "[{kind}] {all}");
    }
}

/// A printed notice's address cut short or mistyped (`/thong-bao/12a`) by whoever copies it
/// from the letter: the site's "not found" page in the reader's language, not the API's
/// JSON error in a browser.
#[tokio::test]
async fn a_notice_address_that_is_no_number_is_the_sites_not_found_page() {
    let s = start("sqlite").await;
    for (path, lang) in [("/thong-bao/12a", "vi"), ("/thong-bao/abc?lang=en", "en")] {
        let resp = s.client.get(s.url(path)).send().await.expect("get");
        assert_eq!(resp.status().as_u16(), 404, "{path}");
        let kind = resp
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_string();
        assert!(kind.starts_with("text/html"), "{path}: {kind}");
        let page = resp.text().await.expect("body");
        assert!(page.contains(&format!("<html lang=\"{lang}\"")), "{path}");
    }
}
