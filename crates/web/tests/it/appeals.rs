//! Appeals against a published decision: filed by the public without an account within six
//! months, decided by a reviewer who had no part in the decision, and shown publicly
//! without the filer's contact.

use crate::harness::*;
use kc_desk::Role;
use serde_json::{json, Value};

const CONTACT: &str = "tac.gia@example.vn 0987 654 321";
const FILER_REASONS: &str =
    "Bài viết của tôi chỉ dẫn lại thông báo <b>cũ</b> của điện lực năm 2023.";

fn slug_of(url: &str) -> &str {
    url.trim_start_matches("/kiem-chung/")
}

async fn session_cookie(s: &TestServer, user: &str) -> String {
    let id = s
        .store
        .user_by_name(user)
        .await
        .expect("read user")
        .expect("user exists")
        .id;
    kc_web::session::start_session(&s.state, id)
        .await
        .expect("session")
}

async fn appeal(s: &TestServer, slug: &str, body: Value) -> (u16, Value) {
    s.post(&format!("/api/v1/publications/{slug}/appeals"), None, body)
        .await
}

async fn decide(
    s: &TestServer,
    token: &str,
    case_id: i64,
    appeal_id: i64,
    outcome: &str,
    reasons: &str,
) -> (u16, Value) {
    s.post(
        &format!("/api/v1/cases/{case_id}/appeals/{appeal_id}/decision"),
        Some(token),
        json!({ "outcome": outcome, "reasons": reasons }),
    )
    .await
}

#[tokio::test]
async fn an_overturned_decision_is_shown_as_such_and_stops_answering() {
    for kind in backends() {
        let s = start(kind).await;
        let (case_id, url) = publish_rumour(&s, RUMOUR).await;
        let slug = slug_of(&url);
        let (_, page) = s.get_text(&url).await;
        assert!(
            page.contains(&format!("action=\"/kiem-chung/{slug}/khieu-nai\"")),
            "[{kind}] the promise of an appeal comes with a form"
        );

        let (_, answered) = s.report(RUMOUR).await;
        assert_eq!(answered["status"], "answered", "[{kind}] {answered}");
        let answered = answered["receipt"].as_str().expect("receipt").to_string();

        let (st, filed) = appeal(
            &s,
            slug,
            json!({ "reasons": FILER_REASONS, "relation": "author", "contact": CONTACT }),
        )
        .await;
        assert_eq!(st, 201, "[{kind}] {filed}");
        assert_eq!(filed["status"], "pending");
        let receipt = filed["receipt"].as_str().expect("receipt").to_string();
        assert_eq!(filed["url"], format!("/khieu-nai/{receipt}").as_str());

        let (st, status) = s.get(&format!("/api/v1/appeals/{receipt}"), None).await;
        assert_eq!(
            (st, status["status"].as_str()),
            (200, Some("pending")),
            "[{kind}] {status}"
        );
        assert_eq!(status["publication_url"], url.as_str());
        assert!(!status.to_string().contains("0987"), "[{kind}] {status}");

        // Staff find it waiting, with what the filer wrote but not how to reach them.
        let decider = s.user("verifier1", &[(Role::Reviewer, None)]).await;
        let approver = s.user("reviewer1", &[(Role::Reviewer, None)]).await;
        let other = s.user("reviewer2", &[(Role::Reviewer, None)]).await;
        let (_, pending) = s.get("/api/v1/appeals", Some(&other)).await;
        let pending = pending.as_array().expect("list").clone();
        assert_eq!(pending.len(), 1, "[{kind}] {pending:?}");
        assert_eq!(pending[0]["case_id"].as_i64(), Some(case_id));
        assert_eq!(pending[0]["reasons"], FILER_REASONS);
        assert!(!pending[0].to_string().contains("0987"));
        let appeal_id = pending[0]["id"].as_i64().expect("id");
        let (st, _) = s.get("/api/v1/appeals", None).await;
        assert_eq!(st, 401, "[{kind}] the list is for staff");

        // Neither the person who decided nor the one who approved may judge the appeal,
        // even holding the reviewer role.
        for (who, token) in [("decider", &decider), ("approver", &approver)] {
            let (st, body) = decide(&s, token, case_id, appeal_id, "upheld", "Giữ nguyên.").await;
            assert_eq!(st, 409, "[{kind}] {who}: {body}");
            assert_eq!(
                body["error"]["code"], "appeal_not_independent",
                "[{kind}] {who}"
            );
        }
        let editor = s.user("editor1", &[(Role::Editor, None)]).await;
        let (st, _) = decide(&s, &editor, case_id, appeal_id, "upheld", "Giữ nguyên.").await;
        assert_eq!(st, 403, "[{kind}] deciding needs the reviewer role");
        let (st, body) = decide(&s, &other, case_id, appeal_id, "overturned", " ").await;
        assert_eq!(
            (st, body["error"]["field"].as_str()),
            (422, Some("reasons")),
            "[{kind}] {body}"
        );
        let (st, body) = decide(&s, &other, case_id + 1, appeal_id, "upheld", "x").await;
        assert_eq!(
            st, 404,
            "[{kind}] an appeal is decided on its own case: {body}"
        );

        let outcome = "Người đăng đã cung cấp thông báo <i>gốc</i>; kết luận sẽ được xem xét lại.";
        let (st, body) = decide(&s, &other, case_id, appeal_id, "overturned", outcome).await;
        assert_eq!(st, 200, "[{kind}] {body}");
        assert_eq!(body["status"], "overturned");
        let third = s.user("reviewer3", &[(Role::Reviewer, None)]).await;
        let (st, body) = decide(&s, &third, case_id, appeal_id, "upheld", "Khác.").await;
        assert_eq!(
            (st, body["error"]["code"].as_str()),
            (409, Some("appeal_decided")),
            "[{kind}]"
        );

        // The public page says the decision no longer stands, and why; the decision itself
        // is still there, unedited, and the filer's words and contact are not.
        let (_, page) = s.get_text(&url).await;
        assert!(
            page.contains("data-testid=\"appeal-overturned\""),
            "[{kind}]"
        );
        assert!(
            !page.contains("ClaimReview"),
            "[{kind}] no longer asserted to search engines"
        );
        assert!(page.contains("Kết luận được sửa hoặc huỷ"), "[{kind}]");
        assert!(
            page.contains("&lt;i&gt;gốc&lt;&#x2f;i&gt;"),
            "[{kind}] escaped outcome: {page}"
        );
        assert!(!page.contains("<i>gốc"), "[{kind}]");
        assert!(
            page.contains("Sai sự thật"),
            "[{kind}] the published verdict stays"
        );
        assert!(
            page.contains("Người đăng hoặc tác giả nội dung"),
            "[{kind}] the category"
        );
        assert!(
            !page.contains("0987") && !page.contains("tac.gia"),
            "[{kind}] contact"
        );
        assert!(
            !page.contains("năm 2023"),
            "[{kind}] the filer's own words stay inside"
        );
        // No new appeal for a decision that no longer stands, and the page says why: not
        // that six months went by (they did not), nor that the reader may still appeal.
        assert!(
            page.contains("Kết luận này không còn hiệu lực nên không nhận thêm khiếu nại."),
            "[{kind}]"
        );
        assert!(!page.contains("Đã hết thời hạn 6 tháng"), "[{kind}]");
        // The lists say so too, instead of the verdict it no longer asserts.
        for list in ["/kiem-chung", "/"] {
            let (_, html) = s.get_text(list).await;
            let item = html
                .split("<li>")
                .find(|li| li.contains(&format!("href=\"/kiem-chung/{slug}\"")))
                .unwrap_or_else(|| panic!("[{kind}] {list} lists the fact-check"));
            assert!(
                item.contains("data-testid=\"withdrawn\">Kết luận không còn hiệu lực<"),
                "[{kind}] {list}: {item}"
            );
            assert!(!item.contains("Sai sự thật"), "[{kind}] {list}: {item}");
        }
        assert!(!page.contains("bạn có quyền khiếu nại"), "[{kind}]");
        let (_, page_en) = s.get_text(&format!("{url}?lang=en")).await;
        assert!(
            page_en.contains("This decision was overturned on appeal"),
            "[{kind}]"
        );
        assert!(page_en.contains("Decision overturned"), "[{kind}]");

        let (_, open) = s.get("/du-lieu/kiem-chung.json", None).await;
        assert_eq!(
            open["count"], 0,
            "[{kind}] no ClaimReview for it in open data: {open}"
        );

        // So does the open register of appeals, with nothing of the filer but the category.
        let (st, register) = s.get("/du-lieu/khieu-nai.json", None).await;
        assert_eq!(st, 200, "[{kind}]");
        assert_eq!(register["count"], 1, "[{kind}] {register}");
        let entry = &register["items"][0];
        assert_eq!(entry["status"], "overturned", "[{kind}] {entry}");
        assert_eq!(entry["relation"], "author");
        assert_eq!(entry["outcome_reasons"], outcome);
        assert!(entry["publication_url"]
            .as_str()
            .is_some_and(|u| u.ends_with(&url)));
        let text = register.to_string();
        assert!(
            !text.contains("0987") && !text.contains("năm 2023") && !text.contains(&receipt),
            "[{kind}] {text}"
        );

        // The filer's status page shows the outcome too.
        let (st, mine) = s
            .get_text(&format!("/khieu-nai/{}", receipt.to_lowercase()))
            .await;
        assert_eq!(st, 200, "[{kind}] a receipt typed in lower case is found");
        assert!(mine.contains("Kết luận được sửa hoặc huỷ"), "[{kind}]");
        assert!(
            mine.contains("<h1 data-testid=\"appeal-heading\">Khiếu nại đã được giải quyết</h1>"),
            "[{kind}] the heading says it was decided, not just received"
        );
        assert!(mine.contains("&lt;i&gt;gốc"), "[{kind}]");
        assert!(!mine.contains("0987"), "[{kind}]");

        // The case is back for a new decision, and the old verdict answers nobody.
        let (_, cases) = s.get("/api/v1/cases", Some(&other)).await;
        assert_eq!(cases[0]["state"], "verifying", "[{kind}] {cases}");
        let (st, again) = s.report(RUMOUR).await;
        assert_eq!(st, 201);
        assert!(again["match"].is_null(), "[{kind}] {again}");
        // A reporter answered with it earlier is no longer shown it as the answer.
        let (_, earlier) = s.get(&format!("/api/v1/reports/{answered}"), None).await;
        assert_eq!(earlier["status"], "in_progress", "[{kind}] {earlier}");
        assert!(earlier["verdict"].is_null(), "[{kind}] {earlier}");
        let decisions = s.store.decisions(case_id).await.expect("decisions");
        assert_eq!(decisions.len(), 1, "[{kind}]");
        assert_eq!(decisions[0].status, "approved", "[{kind}] never edited");

        let events = s
            .store
            .audit_events_for("appeal", &appeal_id.to_string())
            .await
            .expect("audit");
        assert_eq!(events.len(), 2, "[{kind}] filed and decided");
        assert!(events.iter().all(|e| !e.data.contains("0987")), "[{kind}]");
        s.store.audit_verify().await.expect("chain intact");
    }
}

#[tokio::test]
async fn appeals_close_six_months_after_publication() {
    for kind in backends() {
        let s = start(kind).await;
        let (_, url) = publish_rumour(&s, RUMOUR).await;
        let slug = slug_of(&url);
        backdate_publications(&s, 190).await;
        let body = json!({ "reasons": FILER_REASONS, "relation": "concerned" });
        let (st, err) = appeal(&s, slug, body.clone()).await;
        assert_eq!(st, 422, "[{kind}] {err}");
        assert_eq!(err["error"]["code"], "appeal_too_late");
        assert_eq!(err["error"]["field"], "published_at");
        let vi = err["error"]["message"].as_str().expect("vi");
        assert!(vi.contains("6 tháng"), "[{kind}] {vi}");
        assert!(err["error"]["message_en"]
            .as_str()
            .expect("en")
            .contains("6 months"));
        let (_, page) = s.get_text(&url).await;
        assert!(page.contains("Đã hết thời hạn 6 tháng"), "[{kind}]");
        assert!(
            !page.contains("/khieu-nai\""),
            "[{kind}] no form once closed"
        );

        backdate_publications(&s, 170).await;
        let (st, filed) = appeal(&s, slug, body).await;
        assert_eq!(st, 201, "[{kind}] within six months: {filed}");
        let (_, page) = s.get_text(&url).await;
        assert!(
            page.contains("\"@type\":\"ClaimReview\""),
            "[{kind}] a pending appeal changes nothing"
        );
        let (_, open) = s.get("/du-lieu/kiem-chung.json", None).await;
        assert_eq!(open["count"], 1, "[{kind}] {open}");
    }
}

#[tokio::test]
async fn an_appellant_contact_is_purged_with_report_contacts() {
    for kind in backends() {
        let s = start(kind).await;
        let (_, url) = publish_rumour(&s, RUMOUR).await;
        let body = json!({ "reasons": FILER_REASONS, "relation": "author", "contact": CONTACT });
        let (st, filed) = appeal(&s, slug_of(&url), body).await;
        assert_eq!(st, 201, "[{kind}] {filed}");
        let a = s
            .store
            .appeal_by_receipt(filed["receipt"].as_str().expect("receipt"))
            .await
            .expect("read")
            .expect("appeal");
        assert_eq!(
            s.store.appeal_contact(a.id).await.expect("read").as_deref(),
            Some(CONTACT)
        );
        // Still within retention: kept.
        s.state.desk.purge_contacts().await.expect("purge");
        assert!(
            s.store.appeal_contact(a.id).await.expect("read").is_some(),
            "[{kind}]"
        );
        sqlx::query("UPDATE appeal_contacts SET purge_after = '2000-01-01T00:00:00.000Z'")
            .execute(s.store.pool())
            .await
            .expect("age it");
        s.state.desk.purge_contacts().await.expect("purge");
        assert_eq!(
            s.store.appeal_contact(a.id).await.expect("read"),
            None,
            "[{kind}]"
        );
    }
}

#[tokio::test]
async fn the_public_form_files_an_appeal_and_an_upheld_outcome_is_public() {
    for kind in backends() {
        let s = start(kind).await;
        let (case_id, url) = publish_rumour(&s, RUMOUR).await;
        let slug = slug_of(&url);
        let action = format!("/kiem-chung/{slug}/khieu-nai");
        let csrf = csrf_for(&s, &url).await;
        let post = |fields: Vec<(&'static str, String)>| {
            let req = s
                .client
                .post(s.url(&action))
                .header("cookie", format!("kc_csrf={csrf}"))
                .form(&fields);
            async move { req.send().await.expect("post") }
        };

        // A mistake comes back on the page with what was typed and the field named.
        let resp = post(vec![
            ("csrf", csrf.clone()),
            ("reasons", "Tôi là người được nêu tên trong bài.".into()),
            ("contact", CONTACT.into()),
        ])
        .await;
        assert_eq!(resp.status().as_u16(), 422, "[{kind}]");
        let page = resp.text().await.expect("body");
        assert!(page.contains("id=\"appeal-error\""), "[{kind}]");
        assert!(page.contains("Vui lòng chọn bạn liên quan"), "[{kind}]");
        assert!(
            page.contains("Tôi là người được nêu tên trong bài."),
            "[{kind}] kept"
        );

        let resp = post(vec![
            ("csrf", csrf.clone()),
            ("relation", "concerned".into()),
            ("reasons", "Tôi là người được nêu tên trong bài.".into()),
            ("contact", CONTACT.into()),
        ])
        .await;
        assert_eq!(resp.status().as_u16(), 303, "[{kind}]");
        let to = resp
            .headers()
            .get("location")
            .and_then(|v| v.to_str().ok())
            .expect("redirect")
            .to_string();
        assert!(to.starts_with("/khieu-nai/KC-"), "[{kind}] {to}");
        let (st, mine) = s.get_text(&to).await;
        assert_eq!(st, 200);
        assert!(mine.contains("Đang xem xét"), "[{kind}]");
        let (_, mine_en) = s.get_text(&format!("{to}?lang=en")).await;
        assert!(mine_en.contains("Under consideration"), "[{kind}]");

        // The console lists it; a reviewer with no part in the decision decides it there.
        s.user("verifier1", &[(Role::Reviewer, None)]).await;
        s.user("reviewer2", &[(Role::Reviewer, None)]).await;
        let decider = session_cookie(&s, "verifier1").await;
        let reviewer = session_cookie(&s, "reviewer2").await;
        let get_as = |cookie: String, path: String| {
            let req = s
                .client
                .get(s.url(&path))
                .header("cookie", format!("kc_session={cookie}"));
            async move { req.send().await.expect("get").text().await.expect("body") }
        };
        let console = get_as(reviewer.clone(), "/quan-tri".into()).await;
        assert!(
            console.contains("data-testid=\"pending-appeals\""),
            "[{kind}]"
        );
        assert!(
            console.contains(&format!("/quan-tri/ho-so/{case_id}\"")),
            "[{kind}]"
        );
        // The fact-check appealed is named by its title, not by its address.
        let title_link = format!(
            "<a href=\"{}\">Tin giả hoàn tiền điện</a>",
            url.replace('/', "&#x2f;")
        );
        assert!(console.contains(&title_link), "[{kind}] {title_link}");
        let case_page = get_as(reviewer.clone(), format!("/quan-tri/ho-so/{case_id}")).await;
        assert!(case_page.contains(&title_link), "[{kind}] on the case page");
        let as_decider = get_as(decider, format!("/quan-tri/ho-so/{case_id}")).await;
        assert!(
            as_decider.contains("data-testid=\"appeal-not-independent\""),
            "[{kind}]"
        );
        assert!(
            !as_decider.contains("/khieu-nai/1\""),
            "[{kind}] no form for the decider"
        );
        let as_reviewer = get_as(reviewer.clone(), format!("/quan-tri/ho-so/{case_id}")).await;
        assert!(
            as_reviewer.contains(&format!("/quan-tri/ho-so/{case_id}/khieu-nai/")),
            "[{kind}]"
        );
        // The reviewer can reach the filer, on an explicit request that the log records.
        assert!(
            !as_reviewer.contains("0987 654 321")
                && as_reviewer.contains("data-testid=\"reveal-appeal-contact\""),
            "[{kind}] the contact only on request"
        );

        let (_, pending) = s
            .get("/api/v1/appeals", Some(&s.user("reviewer2", &[]).await))
            .await;
        let appeal_id = pending[0]["id"].as_i64().expect("id");
        // Signed in, the forms carry the session's token.
        let reviewer_csrf = form_csrf(&as_reviewer).expect("csrf");
        let shown = s
            .client
            .post(s.url(&format!(
                "/quan-tri/ho-so/{case_id}/khieu-nai/{appeal_id}/lien-he"
            )))
            .header("cookie", format!("kc_session={reviewer}; kc_csrf={csrf}"))
            .form(&[("csrf", reviewer_csrf.as_str())])
            .send()
            .await
            .expect("post");
        assert_eq!(shown.status().as_u16(), 200, "[{kind}]");
        assert!(
            shown.text().await.expect("body").contains("0987 654 321"),
            "[{kind}] the reviewer can answer"
        );
        let events = s
            .store
            .audit_events_for("appeal", &appeal_id.to_string())
            .await
            .expect("audit");
        assert!(
            events
                .iter()
                .any(|e| e.action == "appeal.contact_view" && !e.data.contains("0987")),
            "[{kind}] {events:?}"
        );
        let resp = s
            .client
            .post(s.url(&format!("/quan-tri/ho-so/{case_id}/khieu-nai/{appeal_id}")))
            .header("cookie", format!("kc_session={reviewer}; kc_csrf={csrf}"))
            .form(&[
                ("csrf", reviewer_csrf.as_str()),
                ("outcome", "upheld"),
                (
                    "reasons",
                    "Nội dung bài viết vẫn sai sự thật như đã kết luận.",
                ),
            ])
            .send()
            .await
            .expect("post");
        assert_eq!(resp.status().as_u16(), 303, "[{kind}]");
        // The outcome is what the filer must be told: the contact stays within reach.
        let shown = s
            .client
            .post(s.url(&format!(
                "/quan-tri/ho-so/{case_id}/khieu-nai/{appeal_id}/lien-he"
            )))
            .header("cookie", format!("kc_session={reviewer}; kc_csrf={csrf}"))
            .form(&[("csrf", reviewer_csrf.as_str())])
            .send()
            .await
            .expect("post");
        assert_eq!(shown.status().as_u16(), 200, "[{kind}] after the decision");

        let (_, page) = s.get_text(&url).await;
        assert!(page.contains("Kết luận giữ nguyên"), "[{kind}]");
        assert!(
            page.contains("Nội dung bài viết vẫn sai sự thật như đã kết luận."),
            "[{kind}]"
        );
        assert!(
            page.contains("Người được nhắc đến trong nội dung"),
            "[{kind}]"
        );
        assert!(
            !page.contains("appeal-overturned"),
            "[{kind}] upheld is no correction"
        );
        assert!(
            !page.contains("0987") && !page.contains("tac.gia"),
            "[{kind}] contact"
        );
        let (_, page_en) = s.get_text(&format!("{url}?lang=en")).await;
        assert!(page_en.contains("Decision upheld"), "[{kind}]");
        let (_, cases) = s
            .get("/api/v1/cases", Some(&s.user("reviewer2", &[]).await))
            .await;
        assert_eq!(
            cases[0]["state"], "published",
            "[{kind}] upheld leaves the case"
        );
        let (_, mine) = s.get_text(&to).await;
        assert!(mine.contains("Kết luận giữ nguyên"), "[{kind}]");
    }
}

#[tokio::test]
async fn appeal_mistakes_name_the_field() {
    for kind in backends() {
        let s = start(kind).await;
        let (_, url) = publish_rumour(&s, RUMOUR).await;
        let slug = slug_of(&url);
        for (body, field) in [
            (json!({ "reasons": " ", "relation": "author" }), "reasons"),
            (
                json!({ "reasons": "Sai.", "relation": "Nguyễn Văn A" }),
                "relation",
            ),
            (
                json!({ "reasons": "Sai.", "relation": "other", "name": "Nguyễn Văn A" }),
                "name",
            ),
        ] {
            let (st, err) = appeal(&s, slug, body).await;
            assert_eq!(st, 422, "[{kind}] {err}");
            assert_eq!(err["error"]["field"], field, "[{kind}] {err}");
        }
        let (st, _) = appeal(
            &s,
            "khong-co",
            json!({ "reasons": "Sai.", "relation": "other" }),
        )
        .await;
        assert_eq!(st, 404, "[{kind}]");
        let (st, _) = s.get("/api/v1/appeals/KC-0000-0000", None).await;
        assert_eq!(st, 404, "[{kind}]");
    }
}

#[tokio::test]
async fn appeals_share_the_public_rate_limit() {
    for kind in backends() {
        // One report to publish the rumour, then one appeal: the third public request in
        // the minute is refused.
        let s = start_with(kind, |c| c.report_rate_per_minute = 2).await;
        let (_, url) = publish_rumour(&s, RUMOUR).await;
        let body = json!({ "reasons": FILER_REASONS, "relation": "other" });
        let (st, _) = appeal(&s, slug_of(&url), body.clone()).await;
        assert_eq!(st, 201, "[{kind}]");
        let (st, err) = appeal(&s, slug_of(&url), body).await;
        assert_eq!(st, 429, "[{kind}] {err}");
        assert_eq!(err["error"]["code"], "rate_limited");
    }
}

#[tokio::test]
async fn an_appeal_code_typed_into_the_lookup_box_finds_the_appeal() {
    for kind in backends() {
        let s = start(kind).await;
        let (_, url) = publish_rumour(&s, RUMOUR).await;
        let (st, filed) = appeal(
            &s,
            slug_of(&url),
            json!({ "reasons": FILER_REASONS, "relation": "concerned" }),
        )
        .await;
        assert_eq!(st, 201, "[{kind}] {filed}");
        let receipt = filed["receipt"].as_str().expect("receipt").to_string();
        // The search page's one box for a saved code, typed as people type it.
        let typed = receipt.to_lowercase().replace('-', " ");
        let resp = s
            .client
            .get(s.url("/phan-anh/tra-cuu"))
            .query(&[("ma", typed.as_str())])
            .send()
            .await
            .expect("lookup");
        assert_eq!(resp.status().as_u16(), 303, "[{kind}]");
        let to = resp
            .headers()
            .get("location")
            .and_then(|l| l.to_str().ok())
            .unwrap_or("")
            .to_string();
        assert_eq!(to, format!("/khieu-nai/{receipt}"), "[{kind}]");
        let (st, page) = s.get_text(&to).await;
        assert_eq!(st, 200, "[{kind}]");
        assert!(page.contains(&receipt), "[{kind}]");
        assert!(
            page.contains("<h1 data-testid=\"appeal-heading\">Khiếu nại đã được tiếp nhận</h1>"),
            "[{kind}] pending: received"
        );

        // A report's code still goes to the report's page.
        let (_, report) = s.report("Tin đồn mất điện toàn huyện ba ngày liền").await;
        let code = report["receipt"].as_str().expect("receipt").to_string();
        let resp = s
            .client
            .get(s.url("/phan-anh/tra-cuu"))
            .query(&[("ma", code.as_str())])
            .send()
            .await
            .expect("lookup");
        assert_eq!(
            resp.headers().get("location").and_then(|l| l.to_str().ok()),
            Some(format!("/phan-anh/{code}").as_str()),
            "[{kind}]"
        );
    }
}

/// A fact-check replaced after an appeal is still a public page: restating the claim
/// reaches it too, with its title and address.
#[tokio::test]
async fn restating_a_claim_reaches_a_fact_check_replaced_after_an_appeal() {
    const REPORTED: &str =
        "Tôi là Lò Thị Hoa, 0977 888 999, bản Đăk Ang. Tin đồn cấm người dân lên rẫy tháng này.";
    const CLAIM: &str = "Tin đồn cấm người dân lên rẫy tháng này.";
    for kind in backends() {
        let s = start(kind).await;
        // Both published before the editor could state the claim, titles made from it.
        let (case_id, first_url) = publish_rumour_with(&s, REPORTED, json!({})).await;
        let (st, body) = appeal(
            &s,
            slug_of(&first_url),
            json!({ "reasons": FILER_REASONS, "relation": "author" }),
        )
        .await;
        assert_eq!(st, 201, "[{kind}] {body}");
        let other = s.user("reviewer2", &[(Role::Reviewer, None)]).await;
        let (_, pending) = s.get("/api/v1/appeals", Some(&other)).await;
        let appeal_id = pending[0]["id"].as_i64().expect("id");
        let (st, body) = decide(&s, &other, case_id, appeal_id, "overturned", "Xem xét lại.").await;
        assert_eq!(st, 200, "[{kind}] {body}");
        let verifier = s.user("verifier1", &[]).await;
        let reviewer = s.user("reviewer3", &[(Role::Reviewer, None)]).await;
        let editor = s.user("editor1", &[]).await;
        for (path, token, body) in [
            (
                "decision",
                &verifier,
                json!({
                    "verdict": "misleading", "summary": "Chỉ cấm đốt rẫy.", "reasons": "UBND xã xác nhận.",
                    "evidence": [{ "note": "Công văn của xã" }],
                    "legal_provisions": [some_provision()], "remedy": "correction" }),
            ),
            ("review", &reviewer, json!({ "approve": true })),
            ("publish", &editor, json!({})),
        ] {
            let (st, body) = s
                .post(
                    &format!("/api/v1/cases/{case_id}/{path}"),
                    Some(token),
                    body,
                )
                .await;
            assert!(st < 300, "[{kind}] {path}: {body}");
        }
        let before = s
            .store
            .case_publications(case_id)
            .await
            .expect("publications");
        assert_eq!(before.len(), 2, "[{kind}]");
        assert!(
            before.iter().all(|p| p.title.contains("Lò Thị Hoa")),
            "[{kind}]"
        );

        let (st, body) = s
            .post(
                &format!("/api/v1/cases/{case_id}/publication/claim"),
                Some(&editor),
                json!({ "claim": CLAIM }),
            )
            .await;
        assert_eq!(st, 200, "[{kind}] {body}");
        let after = s
            .store
            .case_publications(case_id)
            .await
            .expect("publications");
        for p in &after {
            assert_eq!(p.claim_text, CLAIM, "[{kind}]");
            assert!(!p.title.contains("Lò Thị Hoa"), "[{kind}] {}", p.title);
            assert!(!p.slug.contains("lo-thi-hoa"), "[{kind}] {}", p.slug);
            let (st, page) = s.get_text(&format!("/kiem-chung/{}", p.slug)).await;
            assert_eq!(st, 200, "[{kind}]");
            assert!(
                !page.contains("0977") && !page.contains("Lò Thị Hoa"),
                "[{kind}]"
            );
        }
        assert_ne!(
            after[0].slug, after[1].slug,
            "[{kind}] two pages, two addresses"
        );
        assert_eq!(
            body["url"],
            format!("/kiem-chung/{}", after[1].slug),
            "[{kind}] the latest"
        );
        for old in &before {
            let (st, _) = s.get_text(&format!("/kiem-chung/{}", old.slug)).await;
            assert_eq!(st, 404, "[{kind}] {}", old.slug);
        }
    }
}
