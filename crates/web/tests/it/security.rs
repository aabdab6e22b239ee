//! The web surface as an attacker meets it: another site's page driving a signed-in
//! officer's browser, a password guesser, a shared cache, injected markup.

use crate::harness::*;
use kc_desk::Role;

fn header(resp: &reqwest::Response, name: &str) -> String {
    resp.headers()
        .get(name)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string()
}

/// A citizen's report, opening a case: (case id, receipt code).
async fn a_case(s: &TestServer, token: &str) -> (i64, String) {
    let (st, r) = s.report(RUMOUR).await;
    assert_eq!(st, 201);
    let (_, cases) = s.get("/api/v1/cases", Some(token)).await;
    let id = cases[0]["id"].as_i64().expect("case id");
    (id, r["receipt"].as_str().expect("receipt").to_string())
}

async fn reporter_sees(s: &TestServer, receipt: &str) -> serde_json::Value {
    let (st, status) = s.get(&format!("/api/v1/reports/{receipt}"), None).await;
    assert_eq!(st, 200);
    status["status"].clone()
}

/// A page on another site can make a signed-in officer's browser post a `text/plain` form
/// whose body is JSON to the API, with the session cookie: that must change nothing.
#[tokio::test]
async fn the_api_refuses_changes_a_session_cookie_alone_asks_for() {
    for kind in backends() {
        let s = start(kind).await;
        let token = s.user("intake1", &[(Role::Intake, None)]).await;
        let (id, receipt) = a_case(&s, &token).await;
        let (jar, csrf) = login(&s, "intake1").await;
        let close = format!("/api/v1/cases/{id}/close");
        // What `<form enctype="text/plain" method="post">` sends with one field named
        // `{"reason":"spam","note":"` and valued `Rác"}`: the `=` lands inside the note.
        let forged = r#"{"reason":"spam","note":"=Rác"}"#;
        let resp = s
            .client
            .post(s.url(&close))
            .header("cookie", &jar)
            .header("content-type", "text/plain")
            .body(forged)
            .send()
            .await
            .expect("post");
        assert_eq!(resp.status().as_u16(), 403, "{kind}");
        let body: serde_json::Value = resp.json().await.expect("json");
        assert_eq!(body["error"]["code"], "csrf", "{kind}");
        assert_eq!(reporter_sees(&s, &receipt).await, "received", "{kind}");

        // A wrong token in the header is no better.
        let resp = s
            .client
            .post(s.url(&close))
            .header("cookie", &jar)
            .header("x-csrf-token", "0".repeat(43))
            .header("content-type", "application/json")
            .body(forged)
            .send()
            .await
            .expect("post");
        assert_eq!(resp.status().as_u16(), 403, "{kind}");
        assert_eq!(reporter_sees(&s, &receipt).await, "received", "{kind}");

        // The console's pages have no script and never call the API; a tool of the desk's
        // own that does may, with the CSRF cookie's value in the header.
        let resp = s
            .client
            .post(s.url(&close))
            .header("cookie", &jar)
            .header("x-csrf-token", &csrf)
            .header("content-type", "application/json")
            .body(forged)
            .send()
            .await
            .expect("post");
        assert_eq!(resp.status().as_u16(), 200, "{kind}");
        assert_eq!(reporter_sees(&s, &receipt).await, "closed", "{kind}");

        // Reading with the cookie alone stays possible.
        let resp = s
            .client
            .get(s.url("/api/v1/cases"))
            .header("cookie", &jar)
            .send()
            .await
            .expect("get");
        assert_eq!(resp.status().as_u16(), 200, "{kind}");
    }
}

/// Every answer tells the browser: no framing (clickjacking the console), no script, no
/// sniffing, no referrer to other sites; pages made for one person are not cached.
#[tokio::test]
async fn every_answer_carries_the_security_headers() {
    for kind in backends() {
        let s = start(kind).await;
        let token = s.user("intake1", &[(Role::Intake, None)]).await;
        let (id, _) = a_case(&s, &token).await;
        let (jar, _) = login(&s, "intake1").await;
        let get = |path: &str, jar: Option<&str>| {
            let mut req = s.client.get(s.url(path));
            if let Some(j) = jar {
                req = req.header("cookie", j.to_string());
            }
            req.send()
        };
        let case_page = format!("/quan-tri/ho-so/{id}");
        for (path, signed_in) in [
            ("/", false),
            ("/kiem-chung", false),
            ("/tra-cuu?q=x", false),
            ("/quan-tri/dang-nhap", false),
            ("/khong-co-trang-nay", false),
            ("/quan-tri", true),
            (case_page.as_str(), true),
            ("/quan-tri/thong-ke", true),
        ] {
            let resp = get(path, signed_in.then_some(jar.as_str()))
                .await
                .expect("get");
            let csp = header(&resp, "content-security-policy");
            assert!(
                csp.contains("frame-ancestors 'none'"),
                "{kind} {path}: {csp}"
            );
            assert!(csp.contains("default-src 'none'"), "{kind} {path}: {csp}");
            assert!(!csp.contains("script-src"), "{kind} {path}: {csp}");
            assert_eq!(header(&resp, "x-frame-options"), "DENY", "{kind} {path}");
            assert_eq!(header(&resp, "x-content-type-options"), "nosniff");
            assert_eq!(header(&resp, "referrer-policy"), "same-origin");
            // Every page holds its reader's CSRF token in its forms.
            assert_eq!(header(&resp, "cache-control"), "no-store", "{kind} {path}");
        }
        // A staff answer of the API, and a citizen's receipt.
        let resp = s
            .client
            .get(s.url("/api/v1/cases"))
            .bearer_auth(&token)
            .send()
            .await
            .expect("get");
        assert_eq!(header(&resp, "cache-control"), "no-store");
        assert!(header(&resp, "content-security-policy").contains("sandbox"));
        let (_, r) = s.report(&unrelated_rumour(1)).await;
        let receipt = r["receipt"].as_str().expect("receipt").to_string();
        let resp = s
            .client
            .get(s.url(&format!("/phan-anh/{receipt}")))
            .send()
            .await
            .expect("get");
        assert_eq!(header(&resp, "cache-control"), "no-store");
        // The feed is the same for everyone: a cache may keep it.
        let resp = get("/feed.xml", None).await.expect("get");
        assert_eq!(resp.status().as_u16(), 200);
        assert_ne!(header(&resp, "cache-control"), "no-store");
        assert_eq!(header(&resp, "x-content-type-options"), "nosniff");
    }
}

async fn try_login(
    s: &TestServer,
    forwarded_for: &str,
    name: &str,
    password: &str,
) -> reqwest::Response {
    let csrf = "c".repeat(43);
    s.client
        .post(s.url("/quan-tri/dang-nhap"))
        .header("cookie", format!("kc_csrf={csrf}"))
        .header("x-forwarded-for", forwarded_for)
        .form(&[
            ("csrf", csrf.as_str()),
            ("username", name),
            ("password", password),
        ])
        .send()
        .await
        .expect("post")
}

/// A password guesser meets a limit per address and, spread over many addresses, per name;
/// the limit refuses before the password is checked, so even the right one waits.
#[tokio::test]
async fn console_sign_in_is_throttled_per_client_and_per_name() {
    // Three a minute: one attempt comes back every 20 s, far longer than this test's
    // attempts take, so what is refused does not depend on the machine's speed.
    let limit = 3;
    let s = start_with("sqlite", |c| {
        c.trust_proxy = true;
        c.login_rate_per_minute = limit;
    })
    .await;
    s.user("lan", &[(Role::Intake, None)]).await;
    s.user("minh", &[(Role::Intake, None)]).await;
    for (i, name) in ["lan", "x", "y"].into_iter().enumerate() {
        let resp = try_login(&s, "203.0.113.7", name, "sai").await;
        assert_eq!(resp.status().as_u16(), 401, "attempt {i}");
    }
    let resp = try_login(&s, "203.0.113.7", "minh", PASSWORD).await;
    assert_eq!(resp.status().as_u16(), 429, "the address is held back");
    assert!(header(&resp, "retry-after")
        .parse::<u64>()
        .is_ok_and(|n| n >= 1));
    let page = resp.text().await.expect("body");
    assert!(page.contains("quá nhiều lần đăng nhập"), "{page}");
    // Another address signs in at once.
    let resp = try_login(&s, "203.0.113.8", "minh", PASSWORD).await;
    assert_eq!(resp.status().as_u16(), 303);

    // One name guessed from many addresses: "lan" took one guess above.
    for i in 0..2 {
        let resp = try_login(&s, &format!("198.51.100.{i}"), "LAN", "sai").await;
        assert_eq!(resp.status().as_u16(), 401, "attempt {i}");
    }
    let resp = try_login(&s, "198.51.100.200", "lan", PASSWORD).await;
    assert_eq!(resp.status().as_u16(), 429, "the name is held back");
}

/// Another site's page cannot sign an officer out (the cookie kept, the session alive).
#[tokio::test]
async fn sign_out_needs_the_forms_csrf_token() {
    for kind in backends() {
        let s = start(kind).await;
        s.user("intake1", &[(Role::Intake, None)]).await;
        let (jar, csrf) = login(&s, "intake1").await;
        let resp = s
            .client
            .post(s.url("/quan-tri/dang-xuat"))
            .header("cookie", &jar)
            .form(&[("csrf", "")])
            .send()
            .await
            .expect("post");
        assert_eq!(resp.status().as_u16(), 403, "{kind}");
        assert!(
            !resp
                .headers()
                .get_all("set-cookie")
                .iter()
                .filter_map(|v| v.to_str().ok())
                .any(|c| c.starts_with("kc_session=")),
            "{kind}: the session cookie is not cleared"
        );
        console_get(&s, &jar, "/quan-tri").await;
        let (st, _) = console_post(&s, &jar, "/quan-tri/dang-xuat", &[("csrf", &csrf)]).await;
        assert_eq!(st, 303, "{kind}");
        let resp = s
            .client
            .get(s.url("/quan-tri"))
            .header("cookie", &jar)
            .send()
            .await
            .expect("get");
        assert_eq!(resp.status().as_u16(), 303, "{kind}: signed out");
    }
}

/// Markup typed by a citizen or an officer is shown as text everywhere it reappears,
/// including inside the fact-check's JSON-LD `<script>`.
#[tokio::test]
async fn typed_markup_stays_text_on_every_page() {
    const XSS: &str = "</script><script>alert(1)</script>\"><img src=x onerror=alert(2)>";
    for kind in backends() {
        let s = start(kind).await;
        let text = format!("{RUMOUR} {XSS}");
        let (id, url) = publish_rumour_with(
            &s,
            &text,
            serde_json::json!({ "title": format!("Tin giả {XSS}"), "claim": text }),
        )
        .await;
        s.user("lead1", &[(Role::Lead, None)]).await;
        let (jar, _) = login(&s, "lead1").await;
        let pages = [
            s.get_text(&url).await.1,
            s.get_text("/kiem-chung").await.1,
            s.get_text("/").await.1,
            s.get_text(&format!("/tra-cuu?q={}", urlencode(XSS)))
                .await
                .1,
            s.get_text(&format!("/{}", urlencode(XSS))).await.1,
            console_get(&s, &jar, &format!("/quan-tri/ho-so/{id}")).await,
            console_get(&s, &jar, "/quan-tri").await,
        ];
        for (i, page) in pages.iter().enumerate() {
            assert!(!page.contains("<script>alert"), "{kind} page {i}");
            assert!(!page.contains("<img src=x"), "{kind} page {i}");
        }
        assert!(pages[0].contains("application/ld+json"), "{kind}");
        let feed = s.get_text("/feed.xml").await.1;
        assert!(!feed.contains("<script>"), "{kind}");
    }
}

fn urlencode(s: &str) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

/// Receipt codes are not secret enough to show a report, but a guesser trying codes must
/// not find every citizen's and appellant's: codes that do not exist count against the
/// client, and then even a right one waits.
#[tokio::test]
async fn guessing_receipt_codes_is_held_back() {
    for kind in backends() {
        let s = start_with(kind, |c| c.trust_proxy = true).await;
        let (_, r) = s.report(RUMOUR).await;
        let real = r["receipt"].as_str().expect("receipt").to_string();
        let lookup = |ip: &'static str, path: String| {
            s.client
                .get(s.url(&path))
                .header("x-forwarded-for", ip)
                .send()
        };
        let guesser = "203.0.113.9";
        let misses = kc_web::session::RECEIPT_MISSES_PER_MINUTE as usize;
        for i in 0..misses {
            // Pages, the API, appeals and the lookup box all count.
            let path = match i % 4 {
                0 => format!("/phan-anh/KC-2222-{:04}", i),
                1 => format!("/api/v1/reports/KC-2222-{:04}", i),
                2 => format!("/khieu-nai/KC-2222-{:04}", i),
                _ => format!("/api/v1/appeals/KC-2222-{:04}", i),
            };
            let resp = lookup(guesser, path.clone()).await.expect("get");
            assert_eq!(resp.status().as_u16(), 404, "{kind} {path}");
        }
        for path in [
            format!("/phan-anh/{real}"),
            format!("/api/v1/reports/{real}"),
            format!("/api/v1/appeals/{real}"),
            format!("/phan-anh/tra-cuu?ma={real}"),
        ] {
            let resp = lookup(guesser, path.clone()).await.expect("get");
            assert_eq!(resp.status().as_u16(), 429, "{kind} {path}");
            assert!(resp.headers().contains_key("retry-after"), "{kind} {path}");
        }
        // The citizen, elsewhere, reads their receipt as often as they like.
        for _ in 0..misses + 5 {
            let resp = lookup("198.51.100.4", format!("/phan-anh/{real}"))
                .await
                .expect("get");
            assert_eq!(resp.status().as_u16(), 200, "{kind}");
        }
    }
}

/// A desk served over https tells browsers to stay on https (HSTS); one on plain http, a
/// laptop's, does not, or the browser would refuse it afterwards.
#[tokio::test]
async fn https_deployments_send_strict_transport_security() {
    let s = start_with("sqlite", |c| c.secure_cookies = true).await;
    let resp = s.client.get(s.url("/")).send().await.expect("get");
    assert!(header(&resp, "strict-transport-security").starts_with("max-age="));
    let resp = s
        .client
        .get(s.url("/api/v1/provisions"))
        .send()
        .await
        .expect("get");
    assert!(header(&resp, "strict-transport-security").starts_with("max-age="));
    let plain = start("sqlite").await;
    let resp = plain.client.get(plain.url("/")).send().await.expect("get");
    assert_eq!(header(&resp, "strict-transport-security"), "");
}

/// Behind the operator's proxy, the address a limit counts is the one the proxy saw, not
/// one the client wrote into `X-Forwarded-For` itself (the proxy appends to it).
#[tokio::test]
async fn a_made_up_forwarded_address_does_not_escape_the_report_limit() {
    for kind in backends() {
        let s = start_with(kind, |c| {
            c.trust_proxy = true;
            c.report_rate_per_minute = 2;
        })
        .await;
        let mut statuses = Vec::new();
        for i in 0..4 {
            let resp = s
                .client
                .post(s.url("/api/v1/reports"))
                .header("x-forwarded-for", format!("10.9.8.{i}, 203.0.113.5"))
                .json(&serde_json::json!({ "text": unrelated_rumour(i) }))
                .send()
                .await
                .expect("post");
            statuses.push(resp.status().as_u16());
        }
        assert_eq!(statuses, [201, 201, 429, 429], "{kind}");
        // Another client behind the same proxy is not held back.
        let resp = s
            .client
            .post(s.url("/api/v1/reports"))
            .header("x-forwarded-for", "203.0.113.6")
            .json(&serde_json::json!({ "text": unrelated_rumour(9) }))
            .send()
            .await
            .expect("post");
        assert_eq!(resp.status().as_u16(), 201, "{kind}");
    }
}

/// Nothing the public can reach (pages, receipts, feeds, open data, registers, search)
/// carries a reporter's or an appellant's contact, what an appellant wrote, or the hash of
/// a report's image.
#[tokio::test]
async fn no_public_answer_carries_contacts_appeal_words_or_file_hashes() {
    const CONTACT: &str = "lan.rieng-tu@example.vn";
    const APPELLANT: &str = "0912 345 678 anh Minh";
    const APPEAL_WORDS: &str = "Tôi là người đăng, số nhà 17 ngõ Hoa Sữa";
    for kind in backends() {
        let s = start(kind).await;
        let image = crate::files::png(77);
        let (st, r) = s
            .post(
                "/api/v1/reports",
                None,
                serde_json::json!({
                    "text": RUMOUR, "contact": CONTACT,
                    "files": [{ "content_base64": crate::files::b64(&image) }],
                }),
            )
            .await;
        assert_eq!(st, 201, "{kind} {r}");
        let receipt = r["receipt"].as_str().expect("receipt").to_string();
        // The same words again: the published case holds the report above.
        let (id, url) = publish_rumour(&s, RUMOUR).await;
        let auditor = s.user("auditor1", &[(Role::Auditor, None)]).await;
        let (_, files) = s
            .get(&format!("/api/v1/cases/{id}/files"), Some(&auditor))
            .await;
        let sha = files["reports"][0]["sha256"]
            .as_str()
            .unwrap_or_else(|| panic!("{kind}: the report's image is on the case: {files}"))
            .to_string();
        let slug = url.trim_start_matches("/kiem-chung/");
        let (st, a) = s
            .post(
                &format!("/api/v1/publications/{slug}/appeals"),
                None,
                serde_json::json!({ "reasons": APPEAL_WORDS, "relation": "author", "contact": APPELLANT }),
            )
            .await;
        assert_eq!(st, 201, "{kind} {a}");
        let appeal = a["receipt"].as_str().expect("appeal receipt").to_string();
        let mut seen = Vec::new();
        for path in [
            "/".to_string(),
            "/kiem-chung".to_string(),
            url.clone(),
            format!("/tra-cuu?q={}", urlencode(RUMOUR)),
            format!("/phan-anh/{receipt}"),
            format!("/api/v1/reports/{receipt}"),
            format!("/khieu-nai/{appeal}"),
            format!("/api/v1/appeals/{appeal}"),
            "/feed.xml".to_string(),
            "/du-lieu".to_string(),
            "/du-lieu/kiem-chung.json".to_string(),
            "/du-lieu/kiem-chung.csv".to_string(),
            "/du-lieu/khieu-nai.json".to_string(),
            "/du-lieu/thong-bao.json".to_string(),
            "/du-lieu/thong-bao.csv".to_string(),
            format!("/quan-tri/tep/{sha}"),
            format!("/api/v1/files/{sha}"),
        ] {
            let (st, body) = s.get_text(&path).await;
            seen.push((path.clone(), st));
            for secret in [CONTACT, APPELLANT, APPEAL_WORDS, sha.as_str()] {
                // The file's own address names its hash: it must not answer the public.
                if path.contains(secret) {
                    assert!(st == 303 || st == 401, "{kind} {path}: {st}");
                    continue;
                }
                assert!(!body.contains(secret), "{kind} {path} shows {secret:?}");
            }
        }
        assert!(
            seen.iter().filter(|(_, st)| *st == 200).count() >= 15,
            "{kind}: the public answers were read: {seen:?}"
        );
    }
}

/// Signing in again from a browser ends the session it held: on a shared office computer
/// the previous officer's session does not live on behind the new one.
#[tokio::test]
async fn signing_in_again_ends_the_session_the_browser_held() {
    for kind in backends() {
        let s = start(kind).await;
        s.user("lan", &[(Role::Intake, None)]).await;
        s.user("minh", &[(Role::Intake, None)]).await;
        let (first, csrf) = login(&s, "lan").await;
        let resp = post_sign_in(
            &s,
            &first,
            &[
                ("csrf", &csrf),
                ("username", "minh"),
                ("password", PASSWORD),
            ],
        )
        .await;
        assert_eq!(resp.status().as_u16(), 303, "{kind}");
        let resp = s
            .client
            .get(s.url("/quan-tri"))
            .header("cookie", &first)
            .send()
            .await
            .expect("get");
        assert_eq!(
            resp.status().as_u16(),
            303,
            "{kind}: lan's session has ended"
        );
    }
}

/// A page on a sibling subdomain of the authority's site can set a `kc_csrf` cookie for
/// the whole site, and so knows the value a double-submit check compares against; signed
/// in, the forms' token comes from the session instead, which it cannot read.
#[tokio::test]
async fn a_planted_csrf_cookie_does_not_pass_for_a_signed_in_officer() {
    for kind in backends() {
        let s = start(kind).await;
        let token = s.user("intake1", &[(Role::Intake, None)]).await;
        let (id, receipt) = a_case(&s, &token).await;
        let (jar, csrf) = login(&s, "intake1").await;
        let session = jar
            .split("; ")
            .find(|c| c.starts_with("kc_session="))
            .expect("session cookie");
        let planted = "p".repeat(43);
        let forged_jar = format!("kc_csrf={planted}; {session}");
        let close = format!("/quan-tri/ho-so/{id}/dong");
        let (st, _) = console_post(
            &s,
            &forged_jar,
            &close,
            &[("csrf", &planted), ("reason", "spam"), ("note", "Rác")],
        )
        .await;
        assert_eq!(st, 403, "{kind}");
        assert_eq!(reporter_sees(&s, &receipt).await, "received", "{kind}");
        // The API, driven with the cookie alone, is held to the same token.
        let resp = s
            .client
            .post(s.url(&format!("/api/v1/cases/{id}/close")))
            .header("cookie", &forged_jar)
            .header("x-csrf-token", &planted)
            .json(&serde_json::json!({ "reason": "spam", "note": "Rác" }))
            .send()
            .await
            .expect("post");
        assert_eq!(resp.status().as_u16(), 403, "{kind}");
        assert_eq!(reporter_sees(&s, &receipt).await, "received", "{kind}");

        // The form as the console rendered it still works, whatever the csrf cookie holds.
        let (st, body) = console_post(
            &s,
            &forged_jar,
            &close,
            &[("csrf", &csrf), ("reason", "spam"), ("note", "Rác")],
        )
        .await;
        assert!(st == 303 || st == 200, "{kind}: {st} {body}");
        assert_ne!(reporter_sees(&s, &receipt).await, "received", "{kind}");
    }
}
