//! Re-checking published verdicts: a verdict answers matching reports on its own for the
//! pack's `recheck_after_days` from when it was last verified; the console lists those
//! falling due, and a reviewer (not the decision's author) records that one still holds.

use crate::harness::*;
use kc_desk::Role;
use serde_json::json;

#[tokio::test]
async fn a_reviewer_rechecks_a_verdict_due_for_it_and_it_answers_reports_again() {
    for kind in backends() {
        let s = start(kind).await;
        let (case, url) = publish_rumour(&s, RUMOUR).await;
        let intake = s.user("intake1", &[(Role::Intake, None)]).await;
        let reviewer = s.user("reviewer2", &[(Role::Reviewer, None)]).await;

        // Fresh: not listed, not due.
        let (st, due) = s.get("/api/v1/rechecks", Some(&intake)).await;
        assert_eq!((st, due.clone()), (200, json!([])), "[{kind}]");
        let (_, soon) = s
            .get("/api/v1/rechecks?within_days=800", Some(&intake))
            .await;
        assert_eq!(
            soon[0]["case_id"], case,
            "[{kind}] falls due within 800 days: {soon}"
        );
        let (st, err) = s
            .get("/api/v1/rechecks?within_days=tuan", Some(&intake))
            .await;
        assert_eq!(
            (st, err["error"]["field"].as_str()),
            (422, Some("within_days")),
            "[{kind}] {err}"
        );
        let (st, err) = s
            .get(
                "/api/v1/rechecks?within_days=1&within_days=2",
                Some(&intake),
            )
            .await;
        assert_eq!(
            (st, err["error"]["field"].as_str()),
            (422, Some("within_days")),
            "[{kind}] a parameter given twice: {err}"
        );
        let (st, _) = s.get("/api/v1/rechecks", None).await;
        assert_eq!(st, 401, "[{kind}]");

        // Two years on it is due: listed, and a copy of the rumour waits for a person.
        backdate_publications(&s, 731).await;
        let (_, due) = s.get("/api/v1/rechecks", Some(&intake)).await;
        let list = due.as_array().expect("a list");
        assert_eq!(list.len(), 1, "[{kind}] {due}");
        assert_eq!(list[0]["case_id"], case);
        assert_eq!(list[0]["url"], url.as_str());
        let now = kc_store::fmt_time(chrono::Utc::now());
        assert!(
            list[0]["due_at"]
                .as_str()
                .is_some_and(|d| d <= now.as_str())
                && list[0]["verified_at"].as_str() < list[0]["due_at"].as_str(),
            "[{kind}] {due}"
        );
        let (_, waiting) = s.report(RUMOUR).await;
        assert_eq!(waiting["status"], "received", "[{kind}] {waiting}");

        s.user("lan", &[(Role::Intake, None)]).await;
        let (jar, _) = login(&s, "lan").await;
        let console = console_get(&s, &jar, "/quan-tri").await;
        assert!(
            console.contains("data-testid=\"rechecks-due\"")
                && console.contains(&format!(
                    "data-testid=\"recheck-case-link\" href=\"/quan-tri/ho-so/{case}\""
                ))
                && console.contains("(đã đến hạn)"),
            "[{kind}] {console}"
        );
        let page = console_get(&s, &jar, &format!("/quan-tri/ho-so/{case}")).await;
        assert!(
            page.contains("data-testid=\"recheck-due\""),
            "[{kind}] {page}"
        );
        assert!(
            !page.contains(&format!("action=\"/quan-tri/ho-so/{case}/kiem-tra-lai\"")),
            "[{kind}] intake may not record a re-check"
        );

        // Who may record it: a reviewer, not intake, and not the decision's own author.
        let path = format!("/api/v1/cases/{case}/publication/recheck");
        let note =
            json!({ "note": "Đã hỏi lại Công ty Điện lực: vẫn không có chương trình hoàn tiền." });
        let (st, _) = s.post(&path, Some(&intake), note.clone()).await;
        assert_eq!(st, 403, "[{kind}]");
        let author = s.user("verifier1", &[(Role::Reviewer, None)]).await;
        let (st, err) = s.post(&path, Some(&author), note.clone()).await;
        assert_eq!(
            (st, err["error"]["code"].as_str()),
            (409, Some("self_review")),
            "[{kind}] four eyes: {err}"
        );
        let approver = s.user("reviewer1", &[]).await;
        let (st, err) = s.post(&path, Some(&approver), note.clone()).await;
        assert_eq!(
            (st, err["error"]["code"].as_str()),
            (409, Some("self_review")),
            "[{kind}] nor who approved it: {err}"
        );
        let other = if default_agency() == "ca" {
            "vhtt"
        } else {
            "ca"
        };
        let elsewhere = s.user("reviewer9", &[(Role::Reviewer, Some(other))]).await;
        let (st, err) = s.post(&path, Some(&elsewhere), note.clone()).await;
        assert_eq!(st, 403, "[{kind}] another agency's reviewer: {err}");
        let (st, err) = s
            .post(&path, Some(&reviewer), json!({ "note": " … " }))
            .await;
        assert_eq!(
            (st, err["error"]["field"].as_str()),
            (422, Some("note")),
            "[{kind}] {err}"
        );
        let (st, err) = s
            .post(
                "/api/v1/cases/999999/publication/recheck",
                Some(&reviewer),
                note.clone(),
            )
            .await;
        assert_eq!(st, 404, "[{kind}] {err}");
        let (_, nothing) = s.get("/api/v1/cases?state=new", Some(&intake)).await;
        let waiting_case = nothing[0]["id"]
            .as_i64()
            .expect("the waiting report's case");
        let (st, err) = s
            .post(
                &format!("/api/v1/cases/{waiting_case}/publication/recheck"),
                Some(&reviewer),
                note.clone(),
            )
            .await;
        assert_eq!(st, 409, "[{kind}] nothing published there: {err}");

        let (st, body) = s.post(&path, Some(&reviewer), note).await;
        assert_eq!((st, body.clone()), (200, json!({ "url": url })), "[{kind}]");

        // Verified anew: no longer listed, and copies are answered at once again.
        let (_, due) = s.get("/api/v1/rechecks", Some(&intake)).await;
        assert_eq!(due, json!([]), "[{kind}]");
        let (_, again) = s.report(RUMOUR).await;
        assert_eq!(again["status"], "answered", "[{kind}] {again}");
        assert_eq!(again["match"]["url"], url.as_str());
        let page = console_get(&s, &jar, &format!("/quan-tri/ho-so/{case}")).await;
        assert!(!page.contains("data-testid=\"recheck-due\""), "[{kind}]");
        let history = testid_text(&page, "recheck-history", "</ul>").expect("history");
        assert!(
            history.contains("reviewer2: <span lang=\"vi\">Đã hỏi lại Công ty Điện lực"),
            "[{kind}] {history}"
        );
        // Kept as recorded.
        for sql in [
            "UPDATE publication_rechecks SET note = 'khác'",
            "DELETE FROM publication_rechecks",
        ] {
            assert!(
                sqlx::query(sql).execute(s.store.pool()).await.is_err(),
                "[{kind}] {sql}"
            );
        }
        let events = s
            .store
            .audit_events_for("case", &case.to_string())
            .await
            .expect("audit");
        assert!(
            events.iter().any(|e| e.action == "publication.recheck"
                && e.actor == "reviewer2"
                && e.data.contains("Đã hỏi lại")),
            "[{kind}] {events:?}"
        );
    }
}

#[tokio::test]
async fn the_console_lists_a_verdict_falling_due_within_the_month_before_it_is_due() {
    let s = start("sqlite").await;
    let (case, _) = publish_rumour(&s, RUMOUR).await;
    s.user("lan", &[(Role::Intake, None)]).await;
    let (jar, _) = login(&s, "lan").await;
    let console = console_get(&s, &jar, "/quan-tri").await;
    assert!(
        !console.contains("data-testid=\"rechecks-due\""),
        "{console}"
    );
    backdate_publications(&s, 710).await;
    let console = console_get(&s, &jar, "/quan-tri").await;
    let list = testid_text(&console, "rechecks-due", "</details>").expect("the list");
    assert!(
        list.contains(&format!("href=\"/quan-tri/ho-so/{case}\"")) && !list.contains("đã đến hạn"),
        "due in twenty days, not yet: {list}"
    );
    let (_, answered) = s.report(RUMOUR).await;
    assert_eq!(answered["status"], "answered", "{answered}");
}

#[tokio::test]
async fn the_case_page_records_a_recheck_and_keeps_the_note_on_an_error() {
    let s = start("sqlite").await;
    let (case, url) = publish_rumour(&s, RUMOUR).await;
    let (_, public) = s.get_text(&url).await;
    assert!(!public.contains("data-testid=\"rechecked\""), "{public}");
    backdate_publications(&s, 800).await;
    s.user("hoa", &[(Role::Reviewer, None)]).await;
    let (jar, csrf) = login(&s, "hoa").await;
    let path = format!("/quan-tri/ho-so/{case}");
    let page = console_get(&s, &jar, &path).await;
    assert!(
        page.contains(&format!("action=\"/quan-tri/ho-so/{case}/kiem-tra-lai\"")),
        "{page}"
    );
    assert!(page.contains("Ghi nhận: kết luận vẫn đúng"), "{page}");

    let action = format!("/quan-tri/ho-so/{case}/kiem-tra-lai");
    let (st, page) = console_post(&s, &jar, &action, &[("csrf", &csrf), ("note", "?!")]).await;
    assert_eq!(st, 422);
    assert!(
        page.contains("Cần ghi rõ đã kiểm tra lại những gì."),
        "{page}"
    );
    assert!(
        page.contains("aria-invalid=\"true\"") && page.contains(">?!</textarea>"),
        "the error is tied to the note, which is kept: {page}"
    );
    let (st, _) = console_post(
        &s,
        &jar,
        &action,
        &[
            ("csrf", &csrf),
            ("note", "Đối chiếu lại thông báo trên trang của Điện lực."),
        ],
    )
    .await;
    assert_eq!(st, 303);
    // Readers of the fact-check see when it was last found to hold, never by whom or the note.
    let (_, public) = s.get_text(&url).await;
    let line = testid_text(&public, "rechecked", "</span>").expect("the re-check's day");
    assert!(line.starts_with("Kiểm tra lại, vẫn đúng: "), "{line}");
    assert!(
        !public.contains("hoa:") && !public.contains("Đối chiếu lại"),
        "{public}"
    );
    let (_, public) = s.get_text(&format!("{url}?lang=en")).await;
    let line = testid_text(&public, "rechecked", "</span>").expect("the re-check's day");
    assert!(line.starts_with("Checked again, still holds: "), "{line}");
    let page = console_get(&s, &jar, &format!("{path}?lang=en")).await;
    assert!(page.contains("Re-checking the verdict"), "{page}");
    assert!(!page.contains("data-testid=\"recheck-due\""), "{page}");
    assert!(
        page.contains("hoa: <span lang=\"vi\">Đối chiếu lại thông báo trên trang của Điện lực."),
        "{page}"
    );
}
