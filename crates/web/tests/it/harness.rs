use kc_desk::pack::Pack;
use kc_desk::Role;
use kc_store::Store;
use serde_json::Value;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use tokio::sync::oneshot;

/// The databases every test runs against.
pub fn backends() -> Vec<&'static str> {
    let mut b = vec!["sqlite"];
    match std::env::var("KC_TEST_DATABASE_URL") {
        Ok(url) if !url.is_empty() => b.push("postgres"),
        _ if std::env::var("CI").is_ok() => {
            panic!("CI must test PostgreSQL too: set KC_TEST_DATABASE_URL (scripts/test does)")
        }
        _ => eprintln!("note: KC_TEST_DATABASE_URL unset, testing SQLite only (scripts/test starts PostgreSQL)"),
    }
    b
}

static COUNTER: AtomicUsize = AtomicUsize::new(0);

/// A fresh, empty database of the given kind; the temp dir keeps a SQLite file alive.
pub async fn fresh_database(kind: &str) -> (String, tempfile::TempDir) {
    let dir = tempfile::tempdir().expect("temp dir");
    match kind {
        "sqlite" => (kc_store::sqlite_url_for_dir(dir.path()), dir),
        _ => {
            let admin = std::env::var("KC_TEST_DATABASE_URL").expect("KC_TEST_DATABASE_URL");
            sqlx::any::install_default_drivers();
            let name = format!(
                "kc_test_{}_{}_{}",
                std::process::id(),
                COUNTER.fetch_add(1, Ordering::SeqCst),
                rand_suffix()
            );
            let pool = sqlx::AnyPool::connect(&admin)
                .await
                .expect("connect to test PostgreSQL");
            sqlx::raw_sql(&format!("CREATE DATABASE {name}"))
                .execute(&pool)
                .await
                .expect("create test database");
            pool.close().await;
            let (base, _) = admin.rsplit_once('/').expect("database URL has a path");
            (format!("{base}/{name}"), dir)
        }
    }
}

fn rand_suffix() -> u32 {
    use std::time::{SystemTime, UNIX_EPOCH};
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or(0)
}

pub struct TestServer {
    pub base: String,
    pub url: String,
    pub state: kc_web::AppState,
    pub client: reqwest::Client,
    pub store: Store,
    shutdown: Option<oneshot::Sender<()>>,
    _dir: tempfile::TempDir,
}

impl Drop for TestServer {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
    }
}

pub async fn start(kind: &'static str) -> TestServer {
    start_with(kind, |_| {}).await
}

pub async fn start_with(
    kind: &'static str,
    tweak: impl FnOnce(&mut kc_web::WebConfig),
) -> TestServer {
    let (url, dir) = fresh_database(kind).await;
    start_on(&url, dir, tweak).await
}

/// A server over an existing database: several of them on one database are several
/// instances of the desk.
pub async fn start_on(
    url: &str,
    dir: tempfile::TempDir,
    tweak: impl FnOnce(&mut kc_web::WebConfig),
) -> TestServer {
    start_on_with_pack(url, dir, Pack::shipped_source(), tweak).await
}

/// A server whose desk runs on the given pack text.
pub async fn start_on_with_pack(
    url: &str,
    dir: tempfile::TempDir,
    pack_source: &str,
    tweak: impl FnOnce(&mut kc_web::WebConfig),
) -> TestServer {
    start_full(url, dir, pack_source, None, tweak).await
}

/// A server with the semantic model loaded, or None when the model is not there.
pub async fn start_semantic(kind: &'static str) -> Option<TestServer> {
    let (url, dir) = fresh_database(kind).await;
    let cache = kc_store::VectorCache::in_memory(384);
    start_semantic_on(&url, dir, cache).await
}

/// A server with the semantic model over an existing database and the given vector cache.
pub async fn start_semantic_on(
    url: &str,
    dir: tempfile::TempDir,
    cache: kc_store::VectorCache,
) -> Option<TestServer> {
    let encoder = model()?;
    let semantic = kc_web::SemanticModel { encoder, cache };
    Some(start_full(url, dir, Pack::shipped_source(), Some(semantic), |_| {}).await)
}

pub async fn start_full(
    url: &str,
    dir: tempfile::TempDir,
    pack_source: &str,
    semantic: Option<kc_web::SemanticModel>,
    tweak: impl FnOnce(&mut kc_web::WebConfig),
) -> TestServer {
    let store = Store::open(url).await.expect("open store");
    let pack = Pack::parse("test-pack.toml", pack_source).expect("valid pack");
    if store.active_pack().await.expect("read pack").is_none() {
        let mut tx = store.begin_write("system").await.expect("begin");
        tx.record_pack("test-pack.toml", pack_source)
            .await
            .expect("pack");
        tx.commit().await.expect("commit");
    }
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    let mut config = kc_web::WebConfig::for_url(&format!("http://{addr}"));
    config.report_rate_per_minute = 1000;
    tweak(&mut config);
    let state = kc_web::app(store.clone(), pack, config, semantic)
        .await
        .expect("app");
    let (tx, rx) = oneshot::channel::<()>();
    let served = state.clone();
    tokio::spawn(async move {
        let _ = kc_web::serve(served, listener, async {
            let _ = rx.await;
        })
        .await;
    });
    TestServer {
        base: format!("http://{addr}"),
        url: url.to_string(),
        state,
        client: reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .expect("client"),
        store,
        shutdown: Some(tx),
        _dir: dir,
    }
}

impl TestServer {
    /// Re-reads the libraries from the database, as the upkeep task does every few seconds.
    pub async fn refresh(&self) -> kc_web::desk::LibrarySync {
        self.state.desk.refresh_libraries().await.expect("refresh")
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// Creates a user with the given grants and returns an API token for them.
    pub async fn user(&self, name: &str, grants: &[(Role, Option<&str>)]) -> String {
        let hash = kc_desk::auth::hash_password(PASSWORD).expect("hash");
        let mut tx = self.store.begin_write("test").await.expect("begin");
        for (role, agency) in grants {
            tx.add_user(name, &hash, *role, *agency)
                .await
                .expect("add user");
        }
        // One transaction: with no grants (another token for an existing user), the token
        // is its only audited write.
        let (secret, digest) = kc_desk::auth::new_secret("kct_");
        let until = chrono::Utc::now() + chrono::Duration::days(90);
        tx.create_token(name, "test", &digest, until)
            .await
            .expect("token");
        tx.commit().await.expect("commit");
        secret
    }

    /// Another API token for an existing user, working until `expires_at` (which may be in
    /// the past, for a token that has already expired).
    pub async fn token_until(
        &self,
        name: &str,
        expires_at: chrono::DateTime<chrono::Utc>,
    ) -> String {
        let (secret, digest) = kc_desk::auth::new_secret("kct_");
        let mut tx = self.store.begin_write("test").await.expect("begin");
        tx.create_token(name, "test", &digest, expires_at)
            .await
            .expect("token");
        tx.commit().await.expect("commit");
        secret
    }

    pub async fn post(&self, path: &str, token: Option<&str>, body: Value) -> (u16, Value) {
        let mut req = self.client.post(self.url(path)).json(&body);
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        let resp = req.send().await.expect("request");
        let status = resp.status().as_u16();
        let body = resp.json::<Value>().await.unwrap_or(Value::Null);
        (status, body)
    }

    /// A citizen's report of `text`, anonymous, through the public API.
    pub async fn report(&self, text: &str) -> (u16, Value) {
        self.post("/api/v1/reports", None, serde_json::json!({ "text": text }))
            .await
    }

    /// The case a citizen's report of `text` opens (the newest case), assigned by `intake`
    /// to `agency`; its number.
    pub async fn assigned_case(&self, intake: &str, text: &str, agency: &str) -> i64 {
        let (st, body) = self.report(text).await;
        assert_eq!(st, 201, "{body}");
        let (_, cases) = self.get("/api/v1/cases", Some(intake)).await;
        let id = cases
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|c| c["id"].as_i64())
            .max()
            .expect("the report opened a case");
        let (st, body) = self
            .post(
                &format!("/api/v1/cases/{id}/assign"),
                Some(intake),
                serde_json::json!({ "agency": agency }),
            )
            .await;
        assert_eq!(st, 200, "{body}");
        id
    }

    pub async fn get(&self, path: &str, token: Option<&str>) -> (u16, Value) {
        let mut req = self.client.get(self.url(path));
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        let resp = req.send().await.expect("request");
        let status = resp.status().as_u16();
        let body = resp.json::<Value>().await.unwrap_or(Value::Null);
        (status, body)
    }

    pub async fn get_text(&self, path: &str) -> (u16, String) {
        let resp = self
            .client
            .get(self.url(path))
            .send()
            .await
            .expect("request");
        let status = resp.status().as_u16();
        (status, resp.text().await.expect("body"))
    }
}

/// The semantic model from models/e5-small-q4.bin, or None when it has not been fetched
/// (outside CI only: CI fetches it, so there its absence fails the test).
pub fn model() -> Option<Arc<kc_embed::Encoder>> {
    static MODEL: std::sync::OnceLock<Option<Arc<kc_embed::Encoder>>> = std::sync::OnceLock::new();
    MODEL
        .get_or_init(|| {
            let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../models/e5-small-q4.bin");
            match std::fs::read(path) {
                Ok(bytes) => Some(Arc::new(
                    kc_embed::Encoder::from_bytes(&bytes).expect("valid model"),
                )),
                Err(_) if std::env::var("CI").is_ok() => panic!("CI must fetch the model ({path})"),
                Err(_) => {
                    eprintln!("note: {path} absent (scripts/fetch-model); semantic tests skipped");
                    None
                }
            }
        })
        .clone()
}

/// The agency the shipped pack routes unclassified content to.
pub fn default_agency() -> String {
    Pack::shipped().expect("pack").route(None).0.to_string()
}

pub fn some_provision() -> String {
    Pack::shipped().expect("pack").provisions[0].id.clone()
}

pub const RUMOUR: &str =
    "Khẩn cấp: Điện lực thông báo hoàn tiền điện tháng 11 cho mọi hộ gia đình, \
    bấm vào đường link để nhận 500.000 đồng trước ngày 30, nhớ chia sẻ cho người thân.";
pub const RUMOUR_NO_ACCENTS: &str =
    "Khan cap: dien luc thong bao hoan tien dien thang 11 cho moi ho gia dinh, \
    bam vao duong link de nhan 500.000 dong truoc ngay 30, nho chia se cho nguoi than!!";

/// Moves every publication's date `days` into the past, as if published then (appeal windows,
/// re-checking).
pub async fn backdate_publications(s: &TestServer, days: i64) {
    let at = kc_store::fmt_time(chrono::Utc::now() - chrono::Duration::days(days));
    sqlx::query("UPDATE publications SET published_at = $1")
        .bind(at)
        .execute(s.store.pool())
        .await
        .expect("backdate");
}

/// Takes a fresh report all the way to publication over the API; returns (case id, url).
pub async fn publish_rumour(s: &TestServer, text: &str) -> (i64, String) {
    publish_rumour_with(
        s,
        text,
        serde_json::json!({ "title": "Tin giả hoàn tiền điện" }),
    )
    .await
}

/// As [`publish_rumour`], with the given publish request body (title, article body).
pub async fn publish_rumour_with(
    s: &TestServer,
    text: &str,
    publish: serde_json::Value,
) -> (i64, String) {
    let intake = s.user("intake1", &[(Role::Intake, None)]).await;
    let verifier = s.user("verifier1", &[(Role::Verifier, None)]).await;
    let reviewer = s.user("reviewer1", &[(Role::Reviewer, None)]).await;
    let editor = s.user("editor1", &[(Role::Editor, None)]).await;
    let (st, _) = s.report(text).await;
    assert_eq!(st, 201);
    let (_, cases) = s.get("/api/v1/cases", Some(&intake)).await;
    let id = cases[0]["id"].as_i64().expect("case id");
    let agency = default_agency();
    let (st, body) = s
        .post(
            &format!("/api/v1/cases/{id}/assign"),
            Some(&intake),
            serde_json::json!({ "agency": agency }),
        )
        .await;
    assert_eq!(st, 200, "{body}");
    let (st, body) = s
        .post(
            &format!("/api/v1/cases/{id}/decision"),
            Some(&verifier),
            serde_json::json!({
                "verdict": "false", "summary": "Điện lực không có chương trình hoàn tiền nào.",
                "reasons": "Công ty Điện lực xác nhận đây là tin giả nhằm lừa đảo.",
                "evidence": [{ "url": "https://evn.com.vn/thong-bao", "note": "Thông báo chính thức" }],
                "legal_provisions": [some_provision()], "remedy": "correction"
            }),
        )
        .await;
    assert_eq!(st, 201, "{body}");
    let (st, body) = s
        .post(
            &format!("/api/v1/cases/{id}/review"),
            Some(&reviewer),
            serde_json::json!({ "approve": true }),
        )
        .await;
    assert_eq!(st, 200, "{body}");
    let (st, body) = s
        .post(
            &format!("/api/v1/cases/{id}/publish"),
            Some(&editor),
            publish,
        )
        .await;
    assert_eq!(st, 201, "{body}");
    (id, body["url"].as_str().expect("url").to_string())
}

/// The CSRF cookie a signed-out visitor gets with the page at `path` (a public form), as
/// a browser keeps it to post the form back.
pub async fn csrf_for(s: &TestServer, path: &str) -> String {
    let resp = s.client.get(s.url(path)).send().await.expect("get");
    resp.headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find_map(|c| c.strip_prefix("kc_csrf="))
        .and_then(|c| c.split(';').next())
        .expect("csrf cookie")
        .to_string()
}

/// The password of every account `TestServer::user` makes.
pub const PASSWORD: &str = "mat-khau-thu-nghiem";

/// Posts the console's sign-in form as a browser holding `cookies` sends it.
pub async fn post_sign_in(
    s: &TestServer,
    cookies: &str,
    form: &[(&str, &str)],
) -> reqwest::Response {
    s.client
        .post(s.url("/quan-tri/dang-nhap"))
        .header("cookie", cookies)
        .form(form)
        .send()
        .await
        .expect("post the sign-in form")
}

/// Signs `name` in to the console; returns the cookie header and the CSRF token.
pub async fn login(s: &TestServer, name: &str) -> (String, String) {
    let page = s
        .client
        .get(s.url("/quan-tri/dang-nhap"))
        .send()
        .await
        .expect("get");
    let cookie = |resp: &reqwest::Response, name: &str| {
        resp.headers()
            .get_all("set-cookie")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .find_map(|c| {
                c.strip_prefix(&format!("{name}="))
                    .map(|v| v.split(';').next().unwrap_or("").to_string())
            })
    };
    let csrf = cookie(&page, "kc_csrf").expect("csrf cookie");
    let resp = post_sign_in(
        s,
        &format!("kc_csrf={csrf}"),
        &[("csrf", &csrf), ("username", name), ("password", PASSWORD)],
    )
    .await;
    assert_eq!(resp.status().as_u16(), 303);
    let session = cookie(&resp, "kc_session").expect("session");
    let jar = format!("kc_csrf={csrf}; kc_session={session}");
    // Signed in, forms carry a token bound to the session, not the cookie's.
    let console = console_get(s, &jar, "/quan-tri").await;
    let signed_in = form_csrf(&console).expect("the console's forms carry a CSRF token");
    assert_ne!(signed_in, csrf, "the signed-in token is the session's");
    (jar, signed_in)
}

/// The CSRF token a page's forms carry.
pub fn form_csrf(page: &str) -> Option<String> {
    let marker = "name=\"csrf\" value=\"";
    let start = page.find(marker)? + marker.len();
    let len = page[start..].find('"')?;
    Some(page[start..start + len].to_string())
}

/// A console GET with a signed-in officer's cookies, as it came back.
pub async fn console_fetch(s: &TestServer, jar: &str, path: &str) -> reqwest::Response {
    s.client
        .get(s.url(path))
        .header("cookie", jar)
        .send()
        .await
        .expect("get")
}

/// A console page's status and body.
pub async fn console_status(s: &TestServer, jar: &str, path: &str) -> (u16, String) {
    let resp = console_fetch(s, jar, path).await;
    let st = resp.status().as_u16();
    (st, resp.text().await.expect("body"))
}

pub async fn console_get(s: &TestServer, jar: &str, path: &str) -> String {
    let (st, body) = console_status(s, jar, path).await;
    assert_eq!(st, 200, "{path}");
    body
}

pub async fn console_post(
    s: &TestServer,
    jar: &str,
    path: &str,
    form: &[(&str, &str)],
) -> (u16, String) {
    // As a browser sends a form from one of the desk's pages.
    let resp = s
        .client
        .post(s.url(path))
        .header("cookie", jar)
        .header("sec-fetch-site", "same-origin")
        .form(form)
        .send()
        .await
        .expect("post");
    let st = resp.status().as_u16();
    (st, resp.text().await.expect("body"))
}

/// A text that shares no word with any other this function makes: letters spelled from `i`
/// so that no two reports match each other and each opens its own case.
pub fn unrelated_rumour(i: usize) -> String {
    let letters = b"bcdghklmnpqrstvx";
    let word = |k: usize| -> String {
        let mut n = i * 16 + k + 1;
        let mut w = String::new();
        while n > 0 {
            w.push(letters[n % 16] as char);
            w.push(['a', 'o', 'u', 'e', 'i'][(n / 16) % 5]);
            n /= 16;
        }
        w.push('x');
        w
    };
    (0..10).map(word).collect::<Vec<_>>().join(" ")
}

/// Text as the templates write it: HTML-escaped the way minijinja escapes, `/` included.
pub fn esc(s: &str) -> String {
    let mut out = String::new();
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#x27;"),
            '/' => out.push_str("&#x2f;"),
            c => out.push(c),
        }
    }
    out
}

/// Where a redirect points ("" when it has no Location).
pub fn location(resp: &reqwest::Response) -> String {
    resp.headers()
        .get("location")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string()
}

/// The text of a page after the first `data-testid="ID"…>` up to `end`: what the element
/// marked ID holds (None when the page has no such element).
pub fn testid_text<'p>(page: &'p str, id: &str, end: &str) -> Option<&'p str> {
    page.split(&format!("data-testid=\"{id}\">"))
        .nth(1)
        .and_then(|rest| rest.split(end).next())
}
