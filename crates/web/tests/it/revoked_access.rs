//! Access taken away by an administrator (`kiemchung user disable`, `token revoke`,
//! `user remove-role`) is refused on the very next request, on both backends.

use crate::harness::{backends, start, TestServer};
use kc_desk::Role;

/// Signs in to the console; the session cookie, or the status of the refusal.
async fn sign_in(s: &TestServer, user: &str) -> Result<String, u16> {
    let resp = s
        .client
        .post(s.url("/quan-tri/dang-nhap"))
        .header("cookie", "kc_csrf=test-csrf")
        .form(&[
            ("csrf", "test-csrf"),
            ("username", user),
            ("password", "mat-khau-thu-nghiem"),
        ])
        .send()
        .await
        .expect("post");
    let status = resp.status().as_u16();
    resp.headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|c| c.starts_with("kc_session="))
        .and_then(|c| c.split(';').next())
        .map(str::to_string)
        .filter(|_| status == 303)
        .ok_or(status)
}

async fn console(s: &TestServer, session: &str) -> u16 {
    s.client
        .get(s.url("/quan-tri"))
        .header("cookie", session)
        .send()
        .await
        .expect("get")
        .status()
        .as_u16()
}

async fn cases(s: &TestServer, token: &str) -> u16 {
    s.get("/api/v1/cases", Some(token)).await.0
}

#[tokio::test]
async fn a_disabled_user_is_refused_at_sign_in_in_their_session_and_with_their_token() {
    for kind in backends() {
        let s = start(kind).await;
        let token = s.user("lan", &[(Role::Intake, None)]).await;
        let session = sign_in(&s, "lan").await.expect("signs in");
        assert_eq!(console(&s, &session).await, 200, "[{kind}]");
        assert_eq!(cases(&s, &token).await, 200, "[{kind}]");

        let mut tx = s.store.begin_write("cli").await.expect("begin");
        tx.set_user_disabled("lan", true).await.expect("disable");
        tx.commit().await.expect("commit");
        assert_eq!(
            console(&s, &session).await,
            303,
            "[{kind}] the open session is sent back to sign-in"
        );
        assert_eq!(cases(&s, &token).await, 401, "[{kind}]");
        assert_eq!(sign_in(&s, "lan").await, Err(401), "[{kind}]");

        let mut tx = s.store.begin_write("cli").await.expect("begin");
        tx.set_user_disabled("lan", false).await.expect("enable");
        tx.commit().await.expect("commit");
        assert_eq!(console(&s, &session).await, 303, "[{kind}] stays ended");
        let again = sign_in(&s, "lan").await.expect("signs in again");
        assert_eq!(console(&s, &again).await, 200, "[{kind}]");
        assert_eq!(cases(&s, &token).await, 200, "[{kind}]");
    }
}

#[tokio::test]
async fn a_revoked_token_and_a_removed_role_are_refused_at_once() {
    for kind in backends() {
        let s = start(kind).await;
        let token = s.user("lan", &[(Role::Intake, None)]).await;
        let other = s.user("hoa", &[(Role::Reviewer, None)]).await;
        let id = s.store.tokens(Some("lan")).await.expect("tokens")[0].id;
        let mut tx = s.store.begin_write("cli").await.expect("begin");
        tx.revoke_token(id).await.expect("revoke");
        tx.commit().await.expect("commit");
        assert_eq!(cases(&s, &token).await, 401, "[{kind}]");
        assert_eq!(cases(&s, &other).await, 200, "[{kind}] other tokens work");

        let session = sign_in(&s, "hoa").await.expect("signs in");
        let mut tx = s.store.begin_write("cli").await.expect("begin");
        tx.remove_grant("hoa", Role::Reviewer, None)
            .await
            .expect("remove");
        tx.commit().await.expect("commit");
        assert_eq!(cases(&s, &other).await, 401, "[{kind}] no role, not staff");
        assert_ne!(console(&s, &session).await, 200, "[{kind}]");
    }
}

/// A console form sent after the session ended (it expired, or the officer was signed out)
/// is not saved: the sign-in page it leads to says so, rather than showing a plain sign-in
/// form as if nothing had been lost. Opening a console page without a session does not.
#[tokio::test]
async fn a_form_sent_after_the_session_ended_says_it_was_not_saved() {
    for kind in backends() {
        let s = start(kind).await;
        let intake = s.user("lan", &[(Role::Intake, None)]).await;
        let (st, _) = s.report(crate::harness::RUMOUR).await;
        assert_eq!(st, 201, "[{kind}]");
        let (_, list) = s.get("/api/v1/cases", Some(&intake)).await;
        let id = list[0]["id"].as_i64().expect("case id");
        let (jar, csrf) = crate::harness::login(&s, "lan").await;
        // The session ends while the officer fills the form in.
        let mut tx = s.store.begin_write("cli").await.expect("begin");
        tx.set_user_disabled("lan", true).await.expect("disable");
        tx.set_user_disabled("lan", false).await.expect("enable");
        tx.commit().await.expect("commit");
        let resp = s
            .client
            .post(s.url(&format!("/quan-tri/ho-so/{id}/dong")))
            .header("cookie", &jar)
            .form(&[
                ("csrf", csrf.as_str()),
                ("reason", "spam"),
                ("note", "Quảng cáo"),
            ])
            .send()
            .await
            .expect("post");
        assert_eq!(resp.status().as_u16(), 303, "[{kind}]");
        let to = resp
            .headers()
            .get("location")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_string();
        assert_eq!(to, "/quan-tri/dang-nhap?het-han=1", "[{kind}]");
        let (st, page) = s.get_text(&to).await;
        assert_eq!(st, 200, "[{kind}]");
        assert!(
            page.contains("data-testid=\"session-ended\"")
                && page.contains("nội dung vừa gửi chưa được lưu"),
            "[{kind}] the sign-in page says what was lost"
        );
        let (_, list) = s.get("/api/v1/cases", Some(&intake)).await;
        assert_eq!(list[0]["state"], "new", "[{kind}] nothing was done");
        // A console page opened without a session leads to the plain sign-in form.
        let resp = s
            .client
            .get(s.url("/quan-tri"))
            .header("cookie", &jar)
            .send()
            .await
            .expect("get");
        assert_eq!(
            resp.headers().get("location").and_then(|v| v.to_str().ok()),
            Some("/quan-tri/dang-nhap"),
            "[{kind}]"
        );
        let (_, page) = s.get_text("/quan-tri/dang-nhap").await;
        assert!(!page.contains("session-ended"), "[{kind}]");
    }
}
