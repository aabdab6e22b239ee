//! Access taken away by an administrator (`kiemchung user disable`, `token revoke`,
//! `user remove-role`) is refused on the very next request, on both backends.

use crate::harness::{backends, esc, location, post_sign_in, start, TestServer, PASSWORD};
use kc_desk::Role;

/// Signs in to the console; the session cookie, or the status of the refusal.
async fn sign_in(s: &TestServer, user: &str) -> Result<String, u16> {
    let resp = post_sign_in(
        s,
        "kc_csrf=test-csrf",
        &[
            ("csrf", "test-csrf"),
            ("username", user),
            ("password", PASSWORD),
        ],
    )
    .await;
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
/// is not saved: the sign-in page says so, shows what was typed to copy back, and signing in
/// leads back to the page the form was on. Opening a console page without a session leads
/// to the plain sign-in form, and back to that page after signing in.
#[tokio::test]
async fn a_form_sent_after_the_session_ended_keeps_what_was_typed() {
    for kind in backends() {
        let s = start(kind).await;
        let intake = s.user("lan", &[(Role::Intake, None)]).await;
        let (st, _) = s.report(crate::harness::RUMOUR).await;
        assert_eq!(st, 201, "[{kind}]");
        let (_, list) = s.get("/api/v1/cases", Some(&intake)).await;
        let id = list[0]["id"].as_i64().expect("case id");
        let (jar, csrf) = crate::harness::login(&s, "lan").await;
        // The session ends while the officer fills the form in: revoked (the browser still
        // sends the dead cookie) or signed out in another tab (the cookie is gone; the same
        // when it expires with the session).
        let mut tx = s.store.begin_write("cli").await.expect("begin");
        tx.set_user_disabled("lan", true).await.expect("disable");
        tx.set_user_disabled("lan", false).await.expect("enable");
        tx.commit().await.expect("commit");
        let without_session = jar
            .split("; ")
            .filter(|c| !c.starts_with("kc_session="))
            .collect::<Vec<_>>()
            .join("; ");
        let case_page = format!("/quan-tri/ho-so/{id}");
        let leads_back =
            |page: &str| page.contains(&format!("name=\"next\" value=\"{}\"", esc(&case_page)));
        // As a browser sends it: `Sec-Fetch-Site` says which site the form was on.
        let close = |cookies: &str, site: &str, note: &str| {
            s.client
                .post(s.url(&format!("{case_page}/dong")))
                .header("cookie", cookies)
                .header("referer", s.url(&case_page))
                .header("sec-fetch-site", site)
                .form(&[("csrf", csrf.as_str()), ("reason", "spam"), ("note", note)])
                .send()
        };
        const NOTE: &str = "Quảng cáo <b>bán</b> thuốc\nlần hai";
        for cookies in [jar.as_str(), without_session.as_str()] {
            let resp = close(cookies, "same-origin", NOTE).await.expect("post");
            assert_eq!(resp.status().as_u16(), 401, "[{kind}] {cookies}");
            let page = resp.text().await.expect("page");
            assert!(
                page.contains("data-testid=\"session-ended\"")
                    && page.contains("nội dung vừa gửi chưa được lưu. Những gì bạn đã nhập ở dưới"),
                "[{kind}] the sign-in page says what was lost"
            );
            assert!(
                page.contains("data-testid=\"unsaved-note\">Quảng cáo &lt;b&gt;bán&lt;&#x2f;b&gt; thuốc\nlần hai</textarea>"),
                "[{kind}] what was typed is shown back, escaped: {page}"
            );
            assert!(!page.contains("unsaved-reason"), "[{kind}] choices are not");
            assert!(
                leads_back(&page),
                "[{kind}] signing in leads back to the case"
            );
        }
        let (_, list) = s.get("/api/v1/cases", Some(&intake)).await;
        assert_eq!(list[0]["state"], "new", "[{kind}] nothing was done");
        // A form with nothing typed into it: the page does not announce text below.
        let resp = close(&jar, "same-origin", "").await.expect("post");
        assert_eq!(resp.status().as_u16(), 401, "[{kind}]");
        let page = resp.text().await.expect("page");
        assert!(page.contains("nội dung vừa gửi chưa được lưu"), "[{kind}]");
        assert!(
            !page.contains("ở dưới") && !page.contains("data-testid=\"unsaved\""),
            "[{kind}]"
        );
        // A form another site sent, a sibling subdomain included, is not shown back.
        for site in ["cross-site", "same-site", "none"] {
            let resp = close(&jar, site, NOTE).await.expect("post");
            assert_eq!(resp.status().as_u16(), 303, "[{kind}] {site}");
            let to = location(&resp);
            assert_eq!(to, "/quan-tri/dang-nhap?het-han=1", "[{kind}]");
            let (st, page) = s.get_text(&to).await;
            assert_eq!(st, 200, "[{kind}]");
            assert!(page.contains("data-testid=\"session-ended\""), "[{kind}]");
            assert!(!page.contains("Quảng cáo"), "[{kind}] {site}");
        }

        // A console page opened without a session leads to the sign-in form, and back.
        let resp = s
            .client
            .get(s.url(&format!("{case_page}?lang=en")))
            .header("cookie", &jar)
            .send()
            .await
            .expect("get");
        let to = location(&resp);
        assert_eq!(
            to,
            format!("/quan-tri/dang-nhap?tiep=%2Fquan-tri%2Fho-so%2F{id}"),
            "[{kind}]"
        );
        let (_, page) = s.get_text(&to).await;
        assert!(!page.contains("session-ended"), "[{kind}]");
        assert!(leads_back(&page), "[{kind}]");
        let csrf = crate::harness::csrf_for(&s, "/quan-tri/dang-nhap").await;
        let jar = format!("kc_csrf={csrf}");
        for (next, lands) in [
            (case_page.as_str(), case_page.as_str()),
            ("https://evil.example/quan-tri", "/quan-tri"),
            ("//evil.example/quan-tri/x", "/quan-tri"),
        ] {
            let resp = post_sign_in(
                &s,
                &jar,
                &[
                    ("csrf", &csrf),
                    ("username", "lan"),
                    ("password", PASSWORD),
                    ("next", next),
                ],
            )
            .await;
            assert_eq!(resp.status().as_u16(), 303, "[{kind}] {next}");
            assert_eq!(location(&resp), lands, "[{kind}] {next}");
        }
        let resp = s
            .client
            .get(s.url("/quan-tri"))
            .header("cookie", &jar)
            .send()
            .await
            .expect("get");
        assert_eq!(
            location(&resp),
            "/quan-tri/dang-nhap",
            "[{kind}] the queue needs no way back"
        );
    }
}
