//! Cases that end without a verdict of their own: closed for a stated reason, or answered
//! with a fact-check already published.

use crate::harness::*;
use kc_desk::Role;
use serde_json::{json, Value};

/// A paraphrase of [`RUMOUR`]: the same claim in other words, which the matcher does not
/// confirm on its own, so it opens a case of its own.
const PARAPHRASE: &str = "Nghe nói bên điện đang trả lại tiền điện tháng 11 cho các hộ, \
    ai có tin nhắn thì vào link để lấy tiền.";

async fn only_case(s: &TestServer, token: &str) -> i64 {
    let (_, cases) = s.get("/api/v1/cases", Some(token)).await;
    cases[0]["id"].as_i64().expect("case id")
}

async fn case_json(s: &TestServer, token: &str, id: i64) -> Value {
    let (_, cases) = s.get("/api/v1/cases", Some(token)).await;
    cases
        .as_array()
        .expect("list")
        .iter()
        .find(|c| c["id"].as_i64() == Some(id))
        .cloned()
        .expect("the case is still listed")
}

#[tokio::test]
async fn a_closed_case_leaves_the_queue_and_tells_the_reporter_why() {
    for kind in backends() {
        let s = start(kind).await;
        let intake = s.user("intake1", &[(Role::Intake, None)]).await;
        let (_, first) = s.report(RUMOUR).await;
        let receipt = first["receipt"].as_str().expect("receipt").to_string();
        let id = only_case(&s, &intake).await;
        assert_eq!(s.refresh().await.open_cases, 1, "[{kind}]");

        let (st, body) = s
            .post(
                &format!("/api/v1/cases/{id}/close"),
                Some(&intake),
                json!({ "reason": "out_of_scope", "note": "Tranh chấp dân sự, chuyển tòa án." }),
            )
            .await;
        assert_eq!(st, 200, "[{kind}] {body}");
        assert_eq!(body, json!({ "id": id, "state": "closed" }), "[{kind}]");

        // The reporter is told it was closed and why, in plain words, with no verdict.
        let (st, status) = s.get(&format!("/api/v1/reports/{receipt}"), None).await;
        assert_eq!(st, 200);
        assert_eq!(status["status"], "closed", "[{kind}] {status}");
        assert_eq!(status["reason"], "out_of_scope");
        let message = status["message"].as_str().expect("Vietnamese message");
        assert!(message.contains("ngoài phạm vi"), "[{kind}] {message}");
        let message_en = status["message_en"].as_str().expect("English message");
        assert!(
            message_en.contains("outside the desk's remit"),
            "{message_en}"
        );
        assert!(
            status.get("verdict").is_none() && status.get("url").is_none(),
            "[{kind}] a closed case has no verdict: {status}"
        );
        let (_, page) = s.get_text(&format!("/phan-anh/{receipt}")).await;
        assert!(page.contains("data-testid=\"closed\""), "[{kind}] {page}");
        assert!(page.contains(message), "[{kind}] the receipt page says why");
        assert!(
            !page.contains("Tranh chấp dân sự"),
            "the staff note is not public"
        );
        let (_, page_en) = s.get_text(&format!("/phan-anh/{receipt}?lang=en")).await;
        assert!(page_en.contains("outside the desk"), "[{kind}] {page_en}");

        // It left the open-case library at once: the same rumour, retyped, opens a new case
        // instead of vanishing into the closed one, and a refresh does not bring it back.
        let (_, again) = s.report(RUMOUR_NO_ACCENTS).await;
        assert!(again["match"].is_null(), "[{kind}] {again}");
        let (_, cases) = s.get("/api/v1/cases", Some(&intake)).await;
        assert_eq!(cases.as_array().map(Vec::len), Some(2), "[{kind}] {cases}");
        assert_eq!(case_json(&s, &intake, id).await["reports"], 1, "[{kind}]");
        assert_eq!(
            s.refresh().await.open_cases,
            1,
            "[{kind}] only the new case"
        );

        // Kept, with the reason and the note in the audit log.
        let (_, closed) = s.get("/api/v1/cases?state=closed", Some(&intake)).await;
        assert_eq!(closed[0]["id"].as_i64(), Some(id), "[{kind}] {closed}");
        let events = s
            .store
            .audit_events_for("case", &id.to_string())
            .await
            .expect("audit");
        let close = events
            .iter()
            .find(|e| e.action == "case.close")
            .expect("a case.close event");
        assert_eq!(close.actor, "intake1");
        assert!(
            close.data.contains("out_of_scope") && close.data.contains("Tranh chấp dân sự"),
            "[{kind}] {}",
            close.data
        );
        s.store.audit_verify().await.expect("chain intact");
    }
}

#[tokio::test]
async fn closing_needs_a_role_a_reason_a_note_and_an_early_state() {
    for kind in backends() {
        let s = start(kind).await;
        let intake = s.user("intake1", &[(Role::Intake, None)]).await;
        let verifier = s.user("verifier1", &[(Role::Verifier, None)]).await;
        let editor = s.user("editor1", &[(Role::Editor, None)]).await;
        let lead = s.user("lead1", &[(Role::Lead, None)]).await;
        let admin = s.user("admin1", &[(Role::Admin, None)]).await;
        s.report(RUMOUR).await;
        let id = only_case(&s, &intake).await;
        let path = format!("/api/v1/cases/{id}/close");
        let good = json!({ "reason": "spam", "note": "Quảng cáo" });

        let (st, _) = s.post(&path, None, good.clone()).await;
        assert_eq!(st, 401, "[{kind}]");
        for token in [&verifier, &editor] {
            let (st, body) = s.post(&path, Some(token), good.clone()).await;
            assert_eq!(
                (st, body["error"]["code"].as_str()),
                (403, Some("forbidden")),
                "[{kind}] {body}"
            );
        }
        let (st, body) = s
            .post("/api/v1/cases/9999/close", Some(&intake), good.clone())
            .await;
        assert_eq!(st, 404, "[{kind}] {body}");

        for (body, field) in [
            (json!({ "note": "x" }), "reason"),
            (json!({ "reason": "verified", "note": "x" }), "reason"),
            (json!({ "reason": "spam" }), "note"),
            (json!({ "reason": "spam", "note": "  \u{200b} " }), "note"),
        ] {
            let (st, err) = s.post(&path, Some(&intake), body.clone()).await;
            assert_eq!(st, 422, "[{kind}] {body} → {err}");
            assert_eq!(err["error"]["field"], field, "[{kind}] {err}");
            let vi = err["error"]["message"].as_str().expect("message");
            let en = err["error"]["message_en"].as_str().expect("message_en");
            assert!(
                vi != en && !vi.is_empty() && !en.is_empty(),
                "[{kind}] {err}"
            );
        }
        let (st, err) = s
            .post(
                &path,
                Some(&intake),
                json!({ "reason": "spam", "note": "x", "by": "me" }),
            )
            .await;
        assert_eq!(st, 422, "[{kind}] unknown fields are refused: {err}");
        assert_eq!(
            case_json(&s, &intake, id).await["state"],
            "new",
            "[{kind}] nothing moved"
        );

        // Once a decision awaits review, the four-eyes path decides the case.
        s.post(
            &format!("/api/v1/cases/{id}/assign"),
            Some(&intake),
            json!({ "agency": default_agency() }),
        )
        .await;
        let (st, body) = s
            .post(
                &format!("/api/v1/cases/{id}/decision"),
                Some(&verifier),
                json!({ "verdict": "false", "summary": "s", "reasons": "r", "evidence": [{ "note": "n" }] }),
            )
            .await;
        assert_eq!(st, 201, "[{kind}] {body}");
        for token in [&intake, &lead, &admin] {
            let (st, body) = s.post(&path, Some(token), good.clone()).await;
            assert_eq!(
                (st, body["error"]["code"].as_str()),
                (409, Some("wrong_state")),
                "[{kind}] {body}"
            );
        }

        // The lead and the administrator may close too.
        for (token, text) in [
            (&lead, "Tin đồn thứ hai về chợ Plei Kần cháy."),
            (&admin, "Tin rác thứ ba: mua thuốc giảm cân giá rẻ."),
        ] {
            let (_, r) = s.report(text).await;
            assert!(r["match"].is_null());
            let (_, cases) = s.get("/api/v1/cases?state=new", Some(token)).await;
            let other = cases[0]["id"].as_i64().expect("id");
            let (st, body) = s
                .post(
                    &format!("/api/v1/cases/{other}/close"),
                    Some(token),
                    good.clone(),
                )
                .await;
            assert_eq!(
                (st, body["state"].as_str()),
                (200, Some("closed")),
                "[{kind}] {body}"
            );
            // Closed is final.
            let (st, _) = s
                .post(
                    &format!("/api/v1/cases/{other}/close"),
                    Some(token),
                    good.clone(),
                )
                .await;
            assert_eq!(st, 409, "[{kind}]");
            let (st, _) = s
                .post(
                    &format!("/api/v1/cases/{other}/assign"),
                    Some(&intake),
                    json!({ "agency": default_agency() }),
                )
                .await;
            assert_eq!(
                st, 409,
                "[{kind}] a closed case is not reopened by assigning it"
            );
        }
    }
}

#[tokio::test]
async fn intake_of_one_agency_closes_only_its_own_cases() {
    for kind in backends() {
        let s = start(kind).await;
        let district = s.user("intake1", &[(Role::Intake, None)]).await;
        let pack = kc_desk::pack::Pack::shipped().expect("pack");
        let agency = default_agency();
        let other_agency = pack
            .agencies
            .iter()
            .map(|a| a.code.clone())
            .find(|c| *c != agency)
            .expect("a second agency");
        let outsider = s
            .user("intake2", &[(Role::Intake, Some(other_agency.as_str()))])
            .await;
        s.report(RUMOUR).await;
        let id = only_case(&s, &district).await;
        s.post(
            &format!("/api/v1/cases/{id}/assign"),
            Some(&district),
            json!({ "agency": agency }),
        )
        .await;
        let close = json!({ "reason": "no_action", "note": "Đã hết lan truyền." });
        let (st, _) = s
            .post(
                &format!("/api/v1/cases/{id}/close"),
                Some(&outsider),
                close.clone(),
            )
            .await;
        assert_eq!(st, 403, "[{kind}] another agency's case");
        let own = s
            .user("intake3", &[(Role::Intake, Some(agency.as_str()))])
            .await;
        let (st, body) = s
            .post(&format!("/api/v1/cases/{id}/close"), Some(&own), close)
            .await;
        assert_eq!(st, 200, "[{kind}] {body}");
    }
}

#[tokio::test]
async fn a_repeat_of_a_published_claim_is_answered_with_that_fact_check() {
    for kind in backends() {
        let s = start(kind).await;
        let (published_case, url) = publish_rumour(&s, RUMOUR).await;
        let slug = url.trim_start_matches("/kiem-chung/").to_string();
        let intake = s.user("intake2", &[(Role::Intake, None)]).await;
        let verifier = s.user("verifier2", &[(Role::Verifier, None)]).await;

        // The paraphrase is not answered at once: it opens a case of its own.
        let (st, first) = s.report(PARAPHRASE).await;
        assert_eq!(st, 201);
        assert!(first["match"].is_null(), "[{kind}] {first}");
        let receipt = first["receipt"].as_str().expect("receipt").to_string();
        let (_, open) = s.get("/api/v1/cases?state=new", Some(&intake)).await;
        let id = open[0]["id"].as_i64().expect("a new case");
        assert_ne!(id, published_case);

        let path = format!("/api/v1/cases/{id}/answer");
        let (st, _) = s
            .post(&path, Some(&verifier), json!({ "slug": slug }))
            .await;
        assert_eq!(st, 403, "[{kind}]");
        let (st, err) = s
            .post(&path, Some(&intake), json!({ "slug": "khong-co-bai-nay" }))
            .await;
        assert_eq!(
            (st, err["error"]["field"].as_str()),
            (422, Some("slug")),
            "[{kind}] {err}"
        );
        let (st, err) = s.post(&path, Some(&intake), json!({})).await;
        assert_eq!(
            (st, err["error"]["field"].as_str()),
            (422, Some("slug")),
            "[{kind}] {err}"
        );

        let (st, body) = s
            .post(
                &path,
                Some(&intake),
                json!({ "slug": url, "note": "Cùng tin hoàn tiền điện." }),
            )
            .await;
        assert_eq!(st, 200, "[{kind}] {body}");
        assert_eq!(
            body,
            json!({ "id": id, "state": "answered", "url": url }),
            "[{kind}]"
        );
        let (st, _) = s.post(&path, Some(&intake), json!({ "slug": slug })).await;
        assert_eq!(st, 409, "[{kind}] answered is final");

        // The case's reporter gets the published verdict and link.
        let (_, status) = s.get(&format!("/api/v1/reports/{receipt}"), None).await;
        assert_eq!(status["status"], "answered", "[{kind}] {status}");
        assert_eq!(status["verdict"], "false");
        assert_eq!(status["url"], url.as_str());
        let (_, page) = s.get_text(&format!("/phan-anh/{receipt}")).await;
        assert!(
            page.contains("data-testid=\"match\"") && page.contains(&slug),
            "[{kind}] the receipt page links the fact-check: {page}"
        );

        // The next copy of the paraphrase is answered at once, and nothing is published twice.
        let (_, again) = s.report(PARAPHRASE).await;
        assert_eq!(again["status"], "answered", "[{kind}] {again}");
        assert_eq!(again["match"]["url"], url.as_str());
        // So is the paraphrase typed without diacritics, lightly edited: the matcher knows
        // the answered case's wording, not only its exact text.
        let retyped = format!("{}!!", kc_text::fold(PARAPHRASE));
        let (_, again) = s.report(&retyped).await;
        assert_eq!(again["status"], "answered", "[{kind}] {again}");
        assert_eq!(again["match"]["url"], url.as_str());
        let (_, cases) = s.get("/api/v1/cases", Some(&intake)).await;
        assert_eq!(cases.as_array().map(Vec::len), Some(2), "[{kind}] {cases}");
        assert_eq!(s.store.publications().await.expect("read").len(), 1);
        assert_eq!(s.refresh().await.open_cases, 0, "[{kind}]");
        let events = s
            .store
            .audit_events_for("case", &id.to_string())
            .await
            .expect("audit");
        assert!(
            events
                .iter()
                .any(|e| e.action == "case.answer" && e.data.contains("Cùng tin")),
            "[{kind}] {events:?}"
        );
    }
}

#[tokio::test]
async fn the_console_closes_and_answers_from_the_case_page() {
    let s = start("sqlite").await;
    let (_, url) = publish_rumour(&s, RUMOUR).await;
    s.user("lan", &[(Role::Intake, None)]).await;
    let (jar, csrf) = login(&s, "lan").await;
    s.report(PARAPHRASE).await;
    s.report("Bán thuốc giảm cân cấp tốc, liên hệ Zalo để mua giá rẻ.")
        .await;
    let (_, open) = s
        .get(
            "/api/v1/cases?state=new",
            Some(&s.user("lead9", &[(Role::Lead, None)]).await),
        )
        .await;
    let ids: Vec<i64> = open
        .as_array()
        .expect("list")
        .iter()
        .filter_map(|c| c["id"].as_i64())
        .collect();
    assert_eq!(ids.len(), 2, "{open}");
    let (spam, repeat) = (ids[0], ids[1]);

    // The repeat's page offers the published fact-check as its answer, beside the match.
    let page = console_get(&s, &jar, &format!("/quan-tri/ho-so/{repeat}")).await;
    assert!(
        page.contains(&format!("action=\"/quan-tri/ho-so/{repeat}/tra-loi\"")),
        "{page}"
    );
    assert!(page.contains("data-testid=\"answer-with\""));
    // Why it is similar, in the console's language rather than the matcher's code names.
    let why = page
        .split("data-testid=\"match-why\">")
        .nth(1)
        .and_then(|rest| rest.split("</td>").next())
        .expect("a why cell");
    assert!(why.contains("chung từ ngữ"), "{why}");
    assert!(
        !why.contains("bm25") && !why.contains("near_duplicate"),
        "{why}"
    );
    assert!(page.contains(&format!("action=\"/quan-tri/ho-so/{repeat}/dong\"")));
    let slug = url.trim_start_matches("/kiem-chung/");
    let (st, _) = console_post(
        &s,
        &jar,
        &format!("/quan-tri/ho-so/{repeat}/tra-loi"),
        &[("csrf", "forged"), ("slug", slug)],
    )
    .await;
    assert_eq!(st, 403, "no CSRF token, no change");
    let (st, _) = console_post(
        &s,
        &jar,
        &format!("/quan-tri/ho-so/{repeat}/tra-loi"),
        &[("csrf", &csrf), ("slug", slug)],
    )
    .await;
    assert_eq!(st, 303);
    let page = console_get(&s, &jar, &format!("/quan-tri/ho-so/{repeat}")).await;
    assert!(page.contains("Đã trả lời bằng tin đã công bố"), "{page}");
    assert!(
        page.contains(&format!("data-testid=\"answered-link\" href=\"{url}\"")),
        "{page}"
    );
    assert!(
        !page.contains("/tra-loi\""),
        "no more actions on a finished case"
    );

    // Closing without a note keeps what was chosen and says what is missing.
    let path = format!("/quan-tri/ho-so/{spam}/dong");
    let (st, page) = console_post(
        &s,
        &jar,
        &path,
        &[("csrf", &csrf), ("reason", "spam"), ("note", "")],
    )
    .await;
    assert_eq!(st, 422);
    assert!(page.contains("Cần ghi chú lý do đóng hồ sơ."), "{page}");
    assert!(page.contains("<option value=\"spam\" selected>"), "{page}");
    let (st, _) = console_post(
        &s,
        &jar,
        &path,
        &[
            ("csrf", &csrf),
            ("reason", "spam"),
            ("note", "Quảng cáo thuốc"),
        ],
    )
    .await;
    assert_eq!(st, 303);
    let page = console_get(&s, &jar, &format!("/quan-tri/ho-so/{spam}")).await;
    assert!(
        page.contains("data-testid=\"close-reason\">Không phải phản ánh<"),
        "{page}"
    );
    assert!(page.contains("Quảng cáo thuốc"), "the note shows to staff");

    // A finished case's deadline is history: its page says when the work ended (closed,
    // answered) and how that compares with the deadline.
    for (id, deadline, said) in [
        (spam, "2099-01-01T00:00:00.000Z", "đúng hạn"),
        (spam, "2020-01-01T00:00:00.000Z", "quá hạn"),
        (repeat, "2099-01-01T00:00:00.000Z", "đúng hạn"),
    ] {
        sqlx::query("UPDATE cases SET deadline = $1 WHERE id = $2")
            .bind(deadline)
            .bind(id)
            .execute(s.store.pool())
            .await
            .expect("set deadline");
        let page = console_get(&s, &jar, &format!("/quan-tri/ho-so/{id}")).await;
        let line = testid_text(&page, "case-finished", "</span>")
            .expect("a finished case says when it was finished");
        assert!(
            line.starts_with("(xong ngày ") && line.ends_with(&format!(", {said})")),
            "#{id} {deadline}: {line}"
        );
    }

    // Both left the queue; they are listed as finished, with the published case.
    let console = console_get(&s, &jar, "/quan-tri").await;
    for id in [spam, repeat] {
        assert!(
            !console.contains(&format!(
                "data-testid=\"case-link\" href=\"/quan-tri/ho-so/{id}\""
            )),
            "{console}"
        );
        assert!(
            console.contains(&format!(
                "data-testid=\"finished-case-link\" href=\"/quan-tri/ho-so/{id}\""
            )),
            "{console}"
        );
    }
    assert!(console.contains("Hồ sơ đã kết thúc (3)"), "{console}");
}

/// A verdict last verified longer ago than the pack's `recheck_after_days` (two years) no
/// longer answers a matching report on its own: the report opens a case, whose page shows the
/// fact-check as due for re-checking and where to re-check it. Staff cannot hand it out by
/// answering or merging either; once a reviewer has re-checked it, they can, and the next
/// copy is answered at once again.
#[tokio::test]
async fn a_verdict_due_for_rechecking_goes_to_staff_and_answers_only_after_a_recheck() {
    for kind in backends() {
        let s = start(kind).await;
        let (published, url) = publish_rumour(&s, RUMOUR).await;
        let slug = url.trim_start_matches("/kiem-chung/").to_string();
        let (_, fresh) = s.report(RUMOUR_NO_ACCENTS).await;
        assert_eq!(fresh["status"], "answered", "[{kind}] {fresh}");

        // A day short of the two years: still answered on its own.
        backdate_publications(&s, 729).await;
        let (_, still) = s.report(RUMOUR_NO_ACCENTS).await;
        assert_eq!(still["status"], "answered", "[{kind}] {still}");

        // The same text two years on: left to staff.
        backdate_publications(&s, 731).await;
        let (st, stale) = s.report(RUMOUR_NO_ACCENTS).await;
        assert_eq!(st, 201, "[{kind}] {stale}");
        assert_eq!(stale["status"], "received", "[{kind}] {stale}");
        assert!(stale["match"].is_null(), "[{kind}] {stale}");
        let receipt = stale["receipt"].as_str().expect("receipt").to_string();

        let intake = s.user("intake3", &[(Role::Intake, None)]).await;
        let (_, open) = s.get("/api/v1/cases?state=new", Some(&intake)).await;
        let open = open.as_array().expect("a list").clone();
        assert_eq!(open.len(), 1, "[{kind}] one new case: {open:?}");
        let id = open[0]["id"].as_i64().expect("id");

        // Its page offers no answer with it, says why, and where a reviewer re-checks it.
        s.user("lan", &[(Role::Intake, None)]).await;
        let (jar, _) = login(&s, "lan").await;
        let page = console_get(&s, &jar, &format!("/quan-tri/ho-so/{id}")).await;
        let note = testid_text(&page, "recheck", "</span>").expect("a re-check note");
        assert!(
            note.starts_with("Đến hạn kiểm tra lại")
                && note.contains(&format!("href=\"/quan-tri/ho-so/{published}\"")),
            "[{kind}] {note}"
        );
        assert!(
            !page.contains("data-testid=\"answer-with\""),
            "[{kind}] {page}"
        );
        let page = console_get(&s, &jar, &format!("/quan-tri/ho-so/{id}?lang=en")).await;
        let note = testid_text(&page, "recheck", "</span>").expect("a re-check note");
        assert!(note.starts_with("Due for re-checking"), "[{kind}] {note}");

        // Neither answering nor merging hands the stale verdict out.
        let answer = format!("/api/v1/cases/{id}/answer");
        let (st, err) = s
            .post(&answer, Some(&intake), json!({ "slug": slug }))
            .await;
        assert_eq!(
            (st, err["error"]["field"].as_str()),
            (422, Some("slug")),
            "[{kind}] {err}"
        );
        assert!(
            err["error"]["message"]
                .as_str()
                .is_some_and(|m| m.contains("đến hạn kiểm tra lại")),
            "[{kind}] {err}"
        );
        let (st, err) = s
            .post(
                &format!("/api/v1/cases/{id}/merge"),
                Some(&intake),
                json!({ "into": published }),
            )
            .await;
        assert_eq!(
            (st, err["error"]["field"].as_str()),
            (422, Some("into")),
            "[{kind}] {err}"
        );
        let (_, status) = s.get(&format!("/api/v1/reports/{receipt}"), None).await;
        assert_eq!(status["status"], "received", "[{kind}] {status}");

        // A reviewer re-checks it; then the waiting case is answered with it, and copies are
        // answered at once again.
        let reviewer = s.user("reviewer3", &[(Role::Reviewer, None)]).await;
        let (st, body) = s
            .post(
                &format!("/api/v1/cases/{published}/publication/recheck"),
                Some(&reviewer),
                json!({ "note": "Đã hỏi lại Điện lực: vẫn là tin giả." }),
            )
            .await;
        assert_eq!(st, 200, "[{kind}] {body}");
        let (st, body) = s
            .post(&answer, Some(&intake), json!({ "slug": slug }))
            .await;
        assert_eq!(st, 200, "[{kind}] {body}");
        let (_, status) = s.get(&format!("/api/v1/reports/{receipt}"), None).await;
        assert_eq!(status["status"], "answered", "[{kind}] {status}");
        let (_, again) = s.report(RUMOUR_NO_ACCENTS).await;
        assert_eq!(again["status"], "answered", "[{kind}] {again}");
        assert_eq!(again["match"]["url"], url.as_str(), "[{kind}]");
    }
}
