//! Duplicate cases folded into the case handling the same claim: the reports move, their
//! receipts answer with that case, and the duplicate leaves the queue and the figures.

use crate::harness::*;
use kc_desk::Role;
use serde_json::{json, Value};

/// [`RUMOUR`] in other words: the matcher does not confirm it, so it opens its own case.
const PARAPHRASE: &str = "Nghe nói bên điện đang trả lại tiền điện tháng 11 cho các hộ, \
    ai có tin nhắn thì vào link để lấy tiền.";
const BRIDGE: &str =
    "Cầu Long Biên sẽ bị đóng cửa vĩnh viễn từ tuần sau, xe máy không được đi qua nữa.";
const SCHOOLS: &str =
    "Trường học toàn thành phố nghỉ học hết tháng 12 vì dịch cúm mới, phụ huynh chia sẻ gấp.";
const LEMON: &str =
    "Uống nước chanh nóng mỗi sáng chữa khỏi ung thư giai đoạn cuối, bác sĩ đã xác nhận.";

/// Sends `text` and returns (receipt, the case it opened or joined).
async fn report_case(s: &TestServer, text: &str) -> (String, i64) {
    let (st, body) = s.report(text).await;
    assert_eq!(st, 201, "{body}");
    let receipt = body["receipt"].as_str().expect("receipt").to_string();
    let report = s
        .store
        .report_by_receipt(&receipt)
        .await
        .expect("lookup")
        .expect("stored");
    (receipt, report.case_id.expect("a case"))
}

async fn case_json(s: &TestServer, token: &str, id: i64) -> Value {
    let (_, cases) = s.get("/api/v1/cases", Some(token)).await;
    cases
        .as_array()
        .expect("list")
        .iter()
        .find(|c| c["id"].as_i64() == Some(id))
        .cloned()
        .expect("the case is listed")
}

async fn merge(s: &TestServer, token: &str, id: i64, body: Value) -> (u16, Value) {
    s.post(&format!("/api/v1/cases/{id}/merge"), Some(token), body)
        .await
}

async fn receipt(s: &TestServer, receipt: &str) -> Value {
    let (st, body) = s.get(&format!("/api/v1/reports/{receipt}"), None).await;
    assert_eq!(st, 200, "{body}");
    body
}

/// Takes an open case through assignment, decision, review and publication; returns its url.
async fn publish_case(s: &TestServer, intake: &str, id: i64) -> String {
    let verifier = s.user("verifier1", &[(Role::Verifier, None)]).await;
    let reviewer = s.user("reviewer1", &[(Role::Reviewer, None)]).await;
    let editor = s.user("editor1", &[(Role::Editor, None)]).await;
    let steps = [
        ("assign", intake, json!({ "agency": default_agency() })),
        (
            "decision",
            verifier.as_str(),
            json!({
                "verdict": "false", "summary": "Không có chương trình hoàn tiền điện.",
                "reasons": "Công ty Điện lực xác nhận đây là tin giả.",
                "evidence": [{ "note": "Công văn của Điện lực" }], "remedy": "correction"
            }),
        ),
        ("review", reviewer.as_str(), json!({ "approve": true })),
        (
            "publish",
            editor.as_str(),
            json!({ "title": "Tin giả hoàn tiền điện" }),
        ),
    ];
    let mut url = String::new();
    for (step, token, body) in steps {
        let (st, out) = s
            .post(&format!("/api/v1/cases/{id}/{step}"), Some(token), body)
            .await;
        assert!(st == 200 || st == 201, "{step}: {st} {out}");
        if let Some(u) = out["url"].as_str() {
            url = u.to_string();
        }
    }
    url
}

#[tokio::test]
async fn a_merged_duplicate_moves_its_reports_and_its_reporters_get_the_one_answer() {
    for kind in backends() {
        let s = start(kind).await;
        let intake = s.user("intake1", &[(Role::Intake, None)]).await;
        let lead = s.user("lead1", &[(Role::Lead, None)]).await;
        let (first_receipt, kept) = report_case(&s, RUMOUR).await;
        let (dup_receipt, dup) = report_case(&s, PARAPHRASE).await;
        assert_ne!(kept, dup, "[{kind}] the paraphrase opened its own case");
        // The duplicate was forgotten and is past its deadline.
        sqlx::query("UPDATE cases SET deadline = '2020-01-01T00:00:00.000Z' WHERE id = $1")
            .bind(dup)
            .execute(s.store.pool())
            .await
            .expect("backdate");
        let (_, f) = s.get("/api/v1/stats", Some(&lead)).await;
        assert_eq!(
            (f["open_at_end"].as_u64(), f["overdue_at_end"].as_u64()),
            (Some(2), Some(1)),
            "[{kind}] {f}"
        );

        let (st, body) = merge(
            &s,
            &intake,
            dup,
            json!({ "into": kept, "note": "Cùng tin hoàn tiền điện, khác lời" }),
        )
        .await;
        assert_eq!(st, 200, "[{kind}] {body}");
        assert_eq!(
            body,
            json!({ "id": dup, "state": "merged", "into": kept }),
            "[{kind}]"
        );

        // The reports count on the case kept; the duplicate points to it.
        assert_eq!(case_json(&s, &intake, kept).await["reports"], 2, "[{kind}]");
        let merged = case_json(&s, &intake, dup).await;
        assert_eq!(
            (merged["state"].as_str(), merged["merged_into"].as_i64()),
            (Some("merged"), Some(kept)),
            "[{kind}] {merged}"
        );
        let detail = s
            .store
            .case_detail(kept)
            .await
            .expect("read")
            .expect("case");
        let receipts: Vec<&str> = detail.reports.iter().map(|r| r.receipt.as_str()).collect();
        assert_eq!(
            receipts,
            [first_receipt.as_str(), dup_receipt.as_str()],
            "[{kind}]"
        );
        assert_eq!(detail.merged_cases, [dup], "[{kind}]");

        // Out of the queue's figures and deadlines; its wording stays in the open-case
        // library, where it now finds the case kept.
        let (_, f) = s.get("/api/v1/stats", Some(&lead)).await;
        assert_eq!(
            (f["open_at_end"].as_u64(), f["overdue_at_end"].as_u64()),
            (Some(1), Some(0)),
            "[{kind}] {f}"
        );
        // One claim taken up, one duplicate counted apart.
        assert_eq!(
            (f["cases_opened"].as_u64(), f["cases_merged"].as_u64()),
            (Some(1), Some(1)),
            "[{kind}] {f}"
        );
        assert_eq!(s.refresh().await.open_cases, 2, "[{kind}]");
        let (_, merged_list) = s.get("/api/v1/cases?state=merged", Some(&intake)).await;
        assert_eq!(merged_list[0]["id"].as_i64(), Some(dup), "[{kind}]");

        // The duplicate's reporter follows the case kept: not "closed".
        let status = receipt(&s, &dup_receipt).await;
        assert_eq!(status["status"], "received", "[{kind}] {status}");
        assert!(status.get("reason").is_none(), "[{kind}] {status}");
        // A copy of the duplicate's words joins the case kept, not a third case; so does
        // the same typed without diacritics, which only the matcher can tell.
        let (_, copy_case) = report_case(&s, PARAPHRASE).await;
        assert_eq!(copy_case, kept, "[{kind}]");
        let retyped = format!("{}!", kc_text::fold(PARAPHRASE));
        let (_, retyped_case) = report_case(&s, &retyped).await;
        assert_eq!(retyped_case, kept, "[{kind}]");

        // Once the case kept is published, every report of it gets the verdict.
        let url = publish_case(&s, &intake, kept).await;
        for r in [&first_receipt, &dup_receipt] {
            let status = receipt(&s, r).await;
            assert_eq!(
                (
                    status["status"].as_str(),
                    status["verdict"].as_str(),
                    status["url"].as_str()
                ),
                (Some("answered"), Some("false"), Some(url.as_str())),
                "[{kind}] {r}: {status}"
            );
        }
        // And a later copy of the duplicate's words is answered at intake, though the
        // library would not have matched its wording to the published claim; so is the
        // same typed without diacritics, before and after the next refresh.
        for text in [
            PARAPHRASE.to_string(),
            format!("{}!!", kc_text::fold(PARAPHRASE)),
        ] {
            for refreshed in [false, true] {
                if refreshed {
                    s.refresh().await;
                }
                let (st, again) = s.report(&text).await;
                assert_eq!(st, 201, "[{kind}] {again}");
                assert_eq!(again["status"], "answered", "[{kind}] {text} {again}");
                assert_eq!(
                    again["match"]["url"].as_str(),
                    Some(url.as_str()),
                    "[{kind}] {again}"
                );
            }
        }

        // The merge is in the audit chain with its note; nothing about the reporters.
        let events = s
            .store
            .audit_events_for("case", &dup.to_string())
            .await
            .expect("audit");
        let event = events
            .iter()
            .find(|e| e.action == "case.merge")
            .expect("a case.merge event");
        assert_eq!(event.actor, "intake1");
        assert!(
            event.data.contains(&format!("\"into\":{kept}")) && event.data.contains("khác lời"),
            "[{kind}] {}",
            event.data
        );
        s.store.audit_verify().await.expect("chain intact");
    }
}

#[tokio::test]
async fn a_duplicate_merged_into_a_published_case_is_answered_at_once() {
    for kind in backends() {
        let s = start(kind).await;
        let (published, url) = publish_rumour(&s, RUMOUR).await;
        let lead = s.user("lead1", &[(Role::Lead, None)]).await;
        let (dup_receipt, dup) = report_case(&s, PARAPHRASE).await;
        assert_ne!(dup, published, "[{kind}]");
        assert_eq!(receipt(&s, &dup_receipt).await["status"], "received");

        let (st, body) = merge(&s, &lead, dup, json!({ "into": published })).await;
        assert_eq!(st, 200, "[{kind}] {body}");
        let status = receipt(&s, &dup_receipt).await;
        assert_eq!(
            (
                status["status"].as_str(),
                status["verdict"].as_str(),
                status["url"].as_str()
            ),
            (Some("answered"), Some("false"), Some(url.as_str())),
            "[{kind}] {status}"
        );
        let (_, page) = s.get_text(&format!("/phan-anh/{dup_receipt}")).await;
        let slug = url.trim_start_matches("/kiem-chung/");
        assert!(
            page.contains("data-testid=\"match\"") && page.contains(slug),
            "[{kind}] the receipt page links the fact-check: {page}"
        );
        let published_case = case_json(&s, &lead, published).await;
        assert_eq!(published_case["reports"], 2, "[{kind}] {published_case}");
        assert_eq!(published_case["state"], "published", "[{kind}] unchanged");

        // Into a case answered with that fact-check: the same answer.
        let (_, answered) = report_case(&s, BRIDGE).await;
        let (st, body) = s
            .post(
                &format!("/api/v1/cases/{answered}/answer"),
                Some(&lead),
                json!({ "slug": url }),
            )
            .await;
        assert_eq!(st, 200, "[{kind}] {body}");
        let (late_receipt, late) = report_case(&s, SCHOOLS).await;
        let (st, body) = merge(&s, &lead, late, json!({ "into": answered })).await;
        assert_eq!(st, 200, "[{kind}] {body}");
        let status = receipt(&s, &late_receipt).await;
        assert_eq!(
            (status["status"].as_str(), status["url"].as_str()),
            (Some("answered"), Some(url.as_str())),
            "[{kind}] {status}"
        );
    }
}

#[tokio::test]
async fn a_merge_is_refused_with_the_reason_named() {
    for kind in backends() {
        let s = start(kind).await;
        let intake = s.user("intake1", &[(Role::Intake, None)]).await;
        let verifier = s.user("verifier1", &[(Role::Verifier, None)]).await;
        let agency = default_agency();
        let other = kc_desk::pack::Pack::shipped()
            .expect("pack")
            .agencies
            .iter()
            .map(|a| a.code.clone())
            .find(|c| *c != agency)
            .expect("a second agency");
        let scoped = s.user("intake2", &[(Role::Intake, Some(&other))]).await;
        let (_, a) = report_case(&s, RUMOUR).await;
        let (_, b) = report_case(&s, BRIDGE).await;
        let (_, c) = report_case(&s, SCHOOLS).await;
        let (_, d) = report_case(&s, LEMON).await;
        assert_eq!(
            [a, b, c, d]
                .iter()
                .collect::<std::collections::BTreeSet<_>>()
                .len(),
            4,
            "[{kind}] four cases"
        );

        // Who may: not the public, not a verifier, not intake of another agency's case.
        let (st, _) = s
            .post(
                &format!("/api/v1/cases/{b}/merge"),
                None,
                json!({ "into": a }),
            )
            .await;
        assert_eq!(st, 401, "[{kind}]");
        let (st, body) = merge(&s, &verifier, b, json!({ "into": a })).await;
        assert_eq!(
            (st, body["error"]["code"].as_str()),
            (403, Some("forbidden")),
            "[{kind}] {body}"
        );
        let (st, body) = s
            .post(
                &format!("/api/v1/cases/{a}/assign"),
                Some(&intake),
                json!({ "agency": agency }),
            )
            .await;
        assert_eq!(st, 200, "[{kind}] {body}");
        let (st, body) = merge(&s, &scoped, a, json!({ "into": b })).await;
        assert_eq!(
            (st, body["error"]["code"].as_str()),
            (403, Some("other_agency")),
            "[{kind}] {body}"
        );
        // Nor may it move its reports into a case of an agency it does not serve.
        let (st, body) = s
            .post(
                &format!("/api/v1/cases/{b}/assign"),
                Some(&intake),
                json!({ "agency": other }),
            )
            .await;
        assert_eq!(st, 200, "[{kind}] {body}");
        let (st, body) = merge(&s, &scoped, b, json!({ "into": a })).await;
        assert_eq!(
            (st, body["error"]["code"].as_str()),
            (403, Some("other_agency")),
            "[{kind}] {body}"
        );

        // What into: a case that exists, another one, given as a number.
        let (st, body) = merge(&s, &intake, 9999, json!({ "into": a })).await;
        assert_eq!(st, 404, "[{kind}] {body}");
        let (st, body) = merge(&s, &intake, b, json!({ "into": 9999 })).await;
        assert_eq!(
            (st, body["error"]["field"].as_str()),
            (422, Some("into")),
            "[{kind}] {body}"
        );
        assert!(
            body["error"]["message"]
                .as_str()
                .is_some_and(|m| m.contains("9999")),
            "{body}"
        );
        let (st, body) = merge(&s, &intake, b, json!({ "into": b })).await;
        assert_eq!(
            (st, body["error"]["field"].as_str()),
            (422, Some("into")),
            "[{kind}] {body}"
        );
        let (st, body) = merge(&s, &intake, b, json!({})).await;
        assert_eq!(st, 422, "[{kind}] {body}");

        // Not into a case closed without a verdict.
        let (st, body) = s
            .post(
                &format!("/api/v1/cases/{d}/close"),
                Some(&intake),
                json!({ "reason": "spam", "note": "Không phải phản ánh" }),
            )
            .await;
        assert_eq!(st, 200, "[{kind}] {body}");
        let (st, body) = merge(&s, &intake, c, json!({ "into": d })).await;
        assert_eq!(
            (st, body["error"]["code"].as_str()),
            (409, Some("target_closed")),
            "[{kind}] {body}"
        );

        // Not into a case merged itself: the message names where it went.
        let (st, body) = merge(&s, &intake, c, json!({ "into": a })).await;
        assert_eq!(st, 200, "[{kind}] {body}");
        let (st, body) = merge(&s, &intake, b, json!({ "into": c })).await;
        assert_eq!(
            (st, body["error"]["code"].as_str()),
            (409, Some("target_merged")),
            "[{kind}] {body}"
        );
        for lang in ["message", "message_en"] {
            let m = body["error"][lang].as_str().expect("message");
            assert!(
                m.contains(&format!("#{c}")) && m.contains(&format!("#{a}")),
                "[{kind}] {m}"
            );
        }
        // A merged case is not merged again.
        let (st, body) = merge(&s, &intake, c, json!({ "into": b })).await;
        assert_eq!(
            (st, body["error"]["code"].as_str()),
            (409, Some("wrong_state")),
            "[{kind}] {body}"
        );

        // Not a case whose decision awaits review: the four-eyes path decides it.
        let (st, body) = s
            .post(
                &format!("/api/v1/cases/{a}/decision"),
                Some(&verifier),
                json!({
                    "verdict": "false", "summary": "Sai.", "reasons": "Không có chương trình.",
                    "evidence": [{ "note": "Công văn" }], "remedy": "correction"
                }),
            )
            .await;
        assert_eq!(st, 201, "[{kind}] {body}");
        let (st, body) = merge(&s, &intake, a, json!({ "into": b })).await;
        assert_eq!(
            (st, body["error"]["code"].as_str()),
            (409, Some("wrong_state")),
            "[{kind}] {body}"
        );
        // But a case in review may receive a duplicate.
        let (st, body) = merge(&s, &intake, b, json!({ "into": a })).await;
        assert_eq!(st, 200, "[{kind}] {body}");
        assert_eq!(case_json(&s, &intake, a).await["reports"], 3, "[{kind}]");
        s.store.audit_verify().await.expect("chain intact");
    }
}

#[tokio::test]
async fn merging_a_case_that_had_received_duplicates_moves_them_too() {
    for kind in backends() {
        let s = start(kind).await;
        let intake = s.user("intake1", &[(Role::Intake, None)]).await;
        let (r_x, x) = report_case(&s, BRIDGE).await;
        let (_, y) = report_case(&s, SCHOOLS).await;
        let (_, z) = report_case(&s, LEMON).await;
        assert_eq!(merge(&s, &intake, x, json!({ "into": y })).await.0, 200);
        assert_eq!(merge(&s, &intake, y, json!({ "into": z })).await.0, 200);
        assert_eq!(case_json(&s, &intake, z).await["reports"], 3, "[{kind}]");
        assert_eq!(case_json(&s, &intake, y).await["reports"], 1, "[{kind}]");
        assert_eq!(
            case_json(&s, &intake, x).await["merged_into"],
            z,
            "[{kind}]"
        );
        let detail = s.store.case_detail(z).await.expect("read").expect("case");
        assert_eq!(detail.merged_cases, [x, y], "[{kind}]");
        // The first merge is kept as it was done.
        let m = s.store.merge(x).await.expect("read").expect("merge");
        assert_eq!(m.into_case, y, "[{kind}]");
        // x's reporter follows z: closing z tells them it was closed.
        let (st, body) = s
            .post(
                &format!("/api/v1/cases/{z}/close"),
                Some(&intake),
                json!({ "reason": "no_action", "note": "Không cần xử lý" }),
            )
            .await;
        assert_eq!(st, 200, "[{kind}] {body}");
        let status = receipt(&s, &r_x).await;
        assert_eq!(
            (status["status"].as_str(), status["reason"].as_str()),
            (Some("closed"), Some("no_action")),
            "[{kind}] {status}"
        );
    }
}

#[tokio::test]
async fn the_console_merges_from_the_case_page() {
    let s = start("sqlite").await;
    let intake_token = s.user("lan", &[(Role::Intake, None)]).await;
    s.user("verifier9", &[(Role::Verifier, None)]).await;
    let (jar, csrf) = login(&s, "lan").await;
    let (_, kept) = report_case(&s, RUMOUR).await;
    let (dup_receipt, dup) = report_case(&s, PARAPHRASE).await;

    let page = console_get(&s, &jar, &format!("/quan-tri/ho-so/{dup}")).await;
    assert!(
        page.contains(&format!("action=\"/quan-tri/ho-so/{dup}/gop\"")),
        "{page}"
    );
    assert!(page.contains("Gộp vào hồ sơ số"), "{page}");
    let (vjar, _) = login(&s, "verifier9").await;
    let vpage = console_get(&s, &vjar, &format!("/quan-tri/ho-so/{dup}")).await;
    assert!(
        !vpage.contains("/gop\""),
        "a verifier is not offered the merge"
    );

    let path = format!("/quan-tri/ho-so/{dup}/gop");
    let (st, page) = console_post(
        &s,
        &jar,
        &path,
        &[("csrf", &csrf), ("into", "mười"), ("note", "cùng tin")],
    )
    .await;
    assert_eq!(st, 422);
    assert!(
        page.contains("Vui lòng nhập số hồ sơ cần gộp vào"),
        "{page}"
    );
    assert!(
        page.contains("cùng tin</textarea>"),
        "what was typed is kept: {page}"
    );
    let (st, _) = console_post(
        &s,
        &jar,
        &path,
        &[("csrf", "forged"), ("into", &kept.to_string())],
    )
    .await;
    assert_eq!(st, 403, "no CSRF token, no change");
    // A merge cannot be undone: the first step shows the claim of the case it would go
    // into, and merges nothing.
    let into = format!("#{kept}");
    let (st, page) = console_post(
        &s,
        &jar,
        &path,
        &[
            ("csrf", &csrf),
            ("into", &into),
            ("note", "Cùng tin hoàn tiền điện"),
        ],
    )
    .await;
    assert_eq!(st, 200, "{page}");
    assert!(page.contains("data-testid=\"merge-confirm\""), "{page}");
    assert!(
        page.contains("Điện lực thông báo hoàn tiền điện tháng 11"),
        "the kept claim: {page}"
    );
    assert_eq!(
        case_json(&s, &intake_token, dup).await["state"],
        "new",
        "nothing merged yet"
    );
    let kept_s = kept.to_string();
    let (st, _) = console_post(
        &s,
        &jar,
        &path,
        &[
            ("csrf", &csrf),
            ("into", &kept_s),
            ("note", "Cùng tin hoàn tiền điện"),
            ("confirm", "1"),
        ],
    )
    .await;
    assert_eq!(st, 303);

    let page = console_get(&s, &jar, &format!("/quan-tri/ho-so/{dup}")).await;
    assert!(page.contains("data-testid=\"merged-into\""), "{page}");
    assert!(
        page.contains(&format!(
            "Đã gộp vào hồ sơ <a href=\"/quan-tri/ho-so/{kept}\">#{kept}</a>"
        )),
        "{page}"
    );
    assert!(
        page.contains("Cùng tin hoàn tiền điện"),
        "the note shows to staff"
    );
    assert!(!page.contains("/gop\""), "no more merging a merged case");
    let page = console_get(&s, &jar, &format!("/quan-tri/ho-so/{kept}")).await;
    assert!(
        page.contains(&format!("<a href=\"/quan-tri/ho-so/{dup}\">#{dup}</a>")),
        "the case kept lists the duplicate: {page}"
    );
    assert!(page.contains(&dup_receipt), "and shows its report: {page}");
    assert!(
        page.contains(&format!(
            "data-testid=\"report-from-case\" href=\"/quan-tri/ho-so/{dup}\""
        )),
        "{page}"
    );
    // The queue lists the duplicate as finished, pointing to the case kept.
    let console = console_get(&s, &jar, "/quan-tri").await;
    assert!(
        console.contains(&format!(
            "data-testid=\"finished-case-link\" href=\"/quan-tri/ho-so/{dup}\""
        )) && console.contains(&format!("→ <a href=\"/quan-tri/ho-so/{kept}\">#{kept}</a>")),
        "{console}"
    );
    let page_en = console_get(&s, &jar, &format!("/quan-tri/ho-so/{dup}?lang=en")).await;
    assert!(page_en.contains("Merged into case"), "{page_en}");
}

#[tokio::test]
async fn the_merge_endpoint_is_documented() {
    let s = start("sqlite").await;
    let (st, doc) = s.get("/api/openapi.json", None).await;
    assert_eq!(st, 200);
    let op = &doc["paths"]["/api/v1/cases/{id}/merge"]["post"];
    assert!(op.is_object(), "{doc}");
    for code in ["200", "409", "422"] {
        assert!(op["responses"][code].is_object(), "{code}: {op}");
    }
}

/// Two officers merging two cases into each other at the same moment: one merge wins and
/// the other is refused (409), never a server error, whichever way the database settles it.
#[tokio::test]
async fn crossed_merges_at_the_same_moment_leave_one_merge() {
    for kind in backends() {
        for round in 0..4 {
            // A desk of its own each round: a merged duplicate's wording keeps finding the
            // case kept, so the next round's reports would join the last round's cases.
            let s = start(kind).await;
            let intake = s.user("lan", &[(Role::Intake, None)]).await;
            let (_, a) = report_case(&s, BRIDGE).await;
            let (_, b) = report_case(&s, SCHOOLS).await;
            assert_ne!(a, b);
            let (one, two) = tokio::join!(
                merge(&s, &intake, a, json!({ "into": b })),
                merge(&s, &intake, b, json!({ "into": a })),
            );
            let codes = [one.0, two.0];
            assert!(
                codes.iter().all(|c| *c == 200 || *c == 409),
                "[{kind}] round {round}: {one:?} {two:?}"
            );
            assert_eq!(
                codes.iter().filter(|c| **c == 200).count(),
                1,
                "[{kind}] round {round}: exactly one merge: {one:?} {two:?}"
            );
        }
    }
}
