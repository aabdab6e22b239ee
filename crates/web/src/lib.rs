//! HTTP edge of the desk: the public portal, the staff console, the JSON API and feeds.
//! No business rules live here; see [`desk::Desk`] for the workflow service handlers call.

pub mod api;
pub mod appeals;
pub mod articles;
pub mod audit_log;
pub mod desk;
pub mod document;
pub mod duties;
pub use desk::SemanticModel;
pub mod error;
pub mod feeds;
pub mod files;
pub mod lang_link;
pub mod notices;
pub mod pages;
pub mod queue;
pub mod render;
pub mod report;
pub mod security;
pub mod session;
pub mod unsaved;

use axum::extract::DefaultBodyLimit;
use axum::handler::Handler;
use axum::routing::{get, post};
use axum::Router;
use std::net::SocketAddr;
use std::sync::Arc;
use tower_http::trace::TraceLayer;

/// Settings of the HTTP edge.
#[derive(Debug, Clone)]
pub struct WebConfig {
    /// The URL the public reaches the portal at, used in feeds and ClaimReview.
    pub public_url: String,
    /// Mark cookies `Secure` (on when the public URL is https).
    pub secure_cookies: bool,
    /// Public reports accepted per client per minute.
    pub report_rate_per_minute: u32,
    /// Console sign-in attempts accepted per client, and per user name, per minute.
    pub login_rate_per_minute: u32,
    /// Trust `X-Forwarded-For` from a reverse proxy for the client address.
    pub trust_proxy: bool,
    /// Largest request body accepted, in bytes.
    pub body_limit: usize,
    /// With the model: start answering at once and compute the claims' missing vectors in
    /// the background (`serve`), instead of before the desk is built (commands, tests).
    pub warm_up_in_background: bool,
}

impl WebConfig {
    pub fn for_url(public_url: &str) -> WebConfig {
        WebConfig {
            public_url: public_url.trim_end_matches('/').to_string(),
            secure_cookies: public_url.starts_with("https://"),
            report_rate_per_minute: 10,
            login_rate_per_minute: LOGINS_PER_MINUTE,
            trust_proxy: false,
            body_limit: 64 * 1024,
            warm_up_in_background: false,
        }
    }
}

pub struct App {
    pub desk: desk::Desk,
    pub templates: minijinja::Environment<'static>,
    pub config: WebConfig,
    pub limiter: session::RateLimiter,
    /// Public posts carrying files, which are read whole before a handler runs:
    /// [`files::upload_gate`] lets a client send a few a minute and the desk read a few at
    /// once, before any byte of them is read.
    pub upload_limiter: session::RateLimiter,
    pub uploads: Arc<tokio::sync::Semaphore>,
    /// Console sign-ins per client and per user name a minute
    /// ([`WebConfig::login_rate_per_minute`]), and the password checks run at once
    /// ([`LOGINS_AT_ONCE`]).
    pub login_limiter: session::RateLimiter,
    pub login_name_limiter: session::RateLimiter<String>,
    pub logins: Arc<tokio::sync::Semaphore>,
    /// Lookups of receipt codes that do not exist, per client
    /// ([`session::RECEIPT_MISSES_PER_MINUTE`]).
    pub receipt_misses: session::RateLimiter,
}

/// Sign-in attempts a client, or a user name, may make a minute: a person who mistypes
/// never meets it; a password guesser gets a few hundred guesses an hour, not thousands a
/// second.
pub const LOGINS_PER_MINUTE: u32 = 10;
/// Password checks run at once: each holds argon2's memory (19 MiB) and a core.
pub const LOGINS_AT_ONCE: usize = 2;

pub type AppState = Arc<App>;

#[derive(Debug, thiserror::Error)]
pub enum WebError {
    #[error(transparent)]
    Template(#[from] render::TemplateError),
    #[error("{}", .0.body.message_en)]
    Desk(error::ApiError),
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        addr: SocketAddr,
        source: std::io::Error,
    },
    #[error("server error: {0}")]
    Serve(std::io::Error),
}

pub async fn app(
    store: kc_store::Store,
    pack: kc_desk::pack::Pack,
    config: WebConfig,
    semantic: Option<desk::SemanticModel>,
) -> Result<AppState, WebError> {
    let desk = if config.warm_up_in_background {
        desk::Desk::new_warming(store, pack, semantic).await
    } else {
        desk::Desk::new(store, pack, semantic).await
    }
    .map_err(WebError::Desk)?;
    let state = Arc::new(App {
        desk,
        templates: render::environment()?,
        limiter: session::RateLimiter::new(config.report_rate_per_minute),
        upload_limiter: session::RateLimiter::new(files::UPLOADS_PER_MINUTE),
        uploads: Arc::new(tokio::sync::Semaphore::new(files::UPLOADS_AT_ONCE)),
        login_limiter: session::RateLimiter::new(config.login_rate_per_minute),
        login_name_limiter: session::RateLimiter::new(config.login_rate_per_minute),
        logins: Arc::new(tokio::sync::Semaphore::new(LOGINS_AT_ONCE)),
        receipt_misses: session::RateLimiter::new(session::RECEIPT_MISSES_PER_MINUTE),
        config,
    });
    if state.config.warm_up_in_background {
        let warming = state.clone();
        tokio::spawn(async move {
            // A failure (the database away for a moment) is tried again; matching stays by
            // words meanwhile, and the console keeps saying so.
            while let Err(e) = warming.desk.warm_up().await {
                tracing::error!(error = %e.body.message_en, "the claim vectors could not be computed; trying again in 30 s, reports are matched by their words meanwhile");
                tokio::time::sleep(std::time::Duration::from_secs(30)).await;
            }
        });
    }
    Ok(state)
}

pub fn router(state: AppState) -> Router {
    let limit = state.config.body_limit;
    // An article may be far longer than any other request (see ARTICLE_BODY_BYTES); set
    // on its routes, this replaces the general limit for them only.
    let article_limit = DefaultBodyLimit::max(limit.max(articles::ARTICLE_BODY_BYTES));
    // Reports may carry images, and an evidence file may be added: room for those on their
    // routes only.
    let report_form_limit = DefaultBodyLimit::max(limit.max(files::REPORT_FORM_BODY_BYTES));
    let report_json_limit = DefaultBodyLimit::max(limit.max(files::REPORT_JSON_BODY_BYTES));
    let evidence_limit = DefaultBodyLimit::max(limit.max(files::EVIDENCE_BODY_BYTES));
    Router::new()
        .route("/healthz", get(api::healthz))
        .route("/api/openapi.json", get(api::openapi_json))
        .route(
            "/api/v1/reports",
            post(api::submit_report.layer(report_json_limit)).route_layer(
                axum::middleware::from_fn_with_state(state.clone(), files::upload_gate),
            ),
        )
        .route("/api/v1/files/{sha256}", get(files::api_file))
        .route("/api/v1/cases/{id}/files", get(files::api_case_files))
        .route(
            "/api/v1/cases/{id}/evidence-files",
            post(files::api_add_evidence.layer(evidence_limit)),
        )
        .route("/api/v1/reports/{receipt}", get(api::report_status))
        .route("/api/v1/agencies", get(api::agencies))
        .route("/api/v1/provisions", get(api::provisions))
        .route("/api/v1/cases", get(api::cases))
        .route("/api/v1/stats", get(api::stats))
        .route("/api/v1/audit", get(audit_log::api_audit))
        .route("/api/v1/duties", get(duties::api_list))
        .route("/api/v1/duties/{id}/progress", post(duties::api_record))
        .route(
            "/api/v1/outreach",
            get(api::list_outreach).post(api::record_outreach),
        )
        .route("/api/v1/cases/{id}/assign", post(api::assign))
        .route("/api/v1/cases/{id}/decision", post(api::decide))
        .route("/api/v1/cases/{id}/review", post(api::review))
        .route("/api/v1/cases/{id}/publish", post(api::publish))
        .route(
            "/api/v1/cases/{id}/publication/claim",
            post(api::restate_claim),
        )
        .route("/api/v1/cases/{id}/publication/recheck", post(api::recheck))
        .route("/api/v1/rechecks", get(api::rechecks_due))
        .route(
            "/api/v1/cases/{id}/opinions",
            get(api::opinions).post(api::give_opinion),
        )
        .route("/api/v1/cases/{id}/close", post(api::close))
        .route("/api/v1/cases/{id}/answer", post(api::answer))
        .route("/api/v1/cases/{id}/merge", post(api::merge))
        .route(
            "/api/v1/publications/{slug}/appeals",
            post(appeals::api_file),
        )
        .route("/api/v1/appeals", get(appeals::api_pending))
        .route("/api/v1/appeals/{receipt}", get(appeals::api_status))
        .route(
            "/api/v1/cases/{id}/appeals/{appeal}/decision",
            post(appeals::api_decide),
        )
        .route(
            "/api/v1/cases/{id}/notices",
            get(notices::list).post(notices::create),
        )
        .route("/api/v1/notices/{id}/events", post(notices::record_step))
        .route(
            "/api/v1/articles",
            get(articles::api_list).post(articles::api_publish.layer(article_limit)),
        )
        .route(
            "/api/v1/articles/{id}",
            post(articles::api_update).layer(article_limit),
        )
        .route("/nhan-dien", get(articles::list_page))
        .route("/nhan-dien/{slug}", get(articles::article_page))
        .route(
            "/quan-tri/bai-viet",
            get(articles::console_page).post(articles::console_publish.layer(article_limit)),
        )
        .route(
            "/quan-tri/bai-viet/{id}",
            get(articles::console_edit_page).post(articles::console_update.layer(article_limit)),
        )
        .route("/thong-bao/{id}", get(notices::notice_page))
        .route("/du-lieu/thong-bao.json", get(notices::open_json))
        .route("/du-lieu/thong-bao.csv", get(notices::open_csv))
        .route(
            "/quan-tri/ho-so/{id}/thong-bao",
            post(notices::console_prepare),
        )
        .route("/quan-tri/thong-bao/{id}/buoc", post(notices::console_step))
        .route("/", get(pages::home))
        .route(
            "/phan-anh",
            get(pages::report_form)
                .post(pages::report_submit.layer(report_form_limit))
                .route_layer(axum::middleware::from_fn_with_state(
                    state.clone(),
                    files::upload_gate,
                )),
        )
        .route("/phan-anh/tra-cuu", get(pages::receipt_lookup))
        .route("/phan-anh/{receipt}", get(pages::receipt_page))
        .route("/kiem-chung", get(pages::factchecks))
        .route("/kiem-chung/{slug}", get(pages::factcheck))
        .route("/kiem-chung/{slug}/khieu-nai", post(appeals::page_file))
        .route("/khieu-nai/{receipt}", get(appeals::page_status))
        .route("/tra-cuu", get(pages::search))
        .route("/du-lieu", get(pages::open_data))
        .route("/du-lieu/kiem-chung.json", get(feeds::open_json))
        .route("/du-lieu/kiem-chung.csv", get(feeds::open_csv))
        .route("/du-lieu/khieu-nai.json", get(appeals::open_register))
        .route("/feed.xml", get(feeds::atom))
        .route("/quan-tri", get(pages::console))
        .route(
            "/quan-tri/dang-nhap",
            get(pages::login_form).post(pages::login_submit),
        )
        .route("/quan-tri/dang-xuat", post(pages::logout))
        .route("/quan-tri/thong-ke", get(pages::stats_page))
        .route("/quan-tri/nhat-ky", get(audit_log::console_audit))
        .route(
            "/quan-tri/thong-ke/bao-cao.md",
            get(pages::stats_report_download),
        )
        .route(
            "/quan-tri/thong-ke/bao-cao.docx",
            get(pages::stats_report_docx),
        )
        .route(
            "/quan-tri/thong-ke/co-quan.csv",
            get(pages::stats_agencies_csv),
        )
        .route(
            "/quan-tri/nhiem-vu",
            get(duties::console_page).post(duties::console_record),
        )
        .route(
            "/quan-tri/tuyen-truyen",
            get(pages::outreach_page).post(pages::outreach_record),
        )
        .route("/quan-tri/ho-so/{id}", get(pages::case_page))
        .route("/quan-tri/ho-so/{id}/giao", post(pages::case_assign))
        .route("/quan-tri/ho-so/{id}/ket-luan", post(pages::case_decide))
        .route("/quan-tri/ho-so/{id}/tham-dinh", post(pages::case_review))
        .route("/quan-tri/ho-so/{id}/cong-bo", post(pages::case_publish))
        .route(
            "/quan-tri/ho-so/{id}/noi-dung-cong-bo",
            post(pages::case_restate_claim),
        )
        .route(
            "/quan-tri/ho-so/{id}/kiem-tra-lai",
            post(pages::case_recheck),
        )
        .route("/quan-tri/ho-so/{id}/y-kien", post(pages::case_opinion))
        .route("/quan-tri/ho-so/{id}/dong", post(pages::case_close))
        .route("/quan-tri/ho-so/{id}/lien-he", post(pages::case_contact))
        .route("/quan-tri/ho-so/{id}/tra-loi", post(pages::case_answer))
        .route("/quan-tri/ho-so/{id}/gop", post(pages::case_merge))
        .route("/quan-tri/tep/{sha256}", get(files::console_file))
        .route("/quan-tri/ho-so/{id}/giu-tep", post(files::console_keep))
        .route(
            "/quan-tri/ho-so/{id}/tep-chung-cu",
            post(files::console_add_evidence.layer(evidence_limit)),
        )
        .route(
            "/quan-tri/ho-so/{id}/khieu-nai/{appeal}",
            post(appeals::page_decide),
        )
        .route(
            "/quan-tri/ho-so/{id}/khieu-nai/{appeal}/lien-he",
            post(pages::appeal_contact),
        )
        .fallback(pages::not_found)
        .method_not_allowed_fallback(pages::method_not_allowed)
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            unsaved::keep,
        ))
        .layer(DefaultBodyLimit::max(limit))
        .layer(axum::middleware::from_fn(lang_link::remember))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            security::headers,
        ))
        .layer(TraceLayer::new_for_http())
        .with_state(state)
}

/// Background upkeep while serving: follow other instances' changes, escalate overdue cases
/// to their agency's leads, purge expired reporter contacts and report files past retention.
/// Runs until the process ends.
pub fn spawn_upkeep(state: AppState, refresh_every: std::time::Duration) {
    tokio::spawn(async move {
        let mut ticker = tokio::time::interval(refresh_every);
        let mut last_purge: Option<std::time::Instant> = None;
        let mut last_escalation: Option<std::time::Instant> = None;
        loop {
            ticker.tick().await;
            if let Err(e) = state.desk.refresh_libraries().await {
                tracing::warn!(error = %e.body.message_en, "could not refresh the matcher libraries");
            }
            // Once a minute: deadlines are counted in hours and days, and each check reads
            // every open case (tens of milliseconds on a large desk).
            if last_escalation.is_none_or(|t| t.elapsed() >= std::time::Duration::from_secs(60)) {
                last_escalation = Some(std::time::Instant::now());
                match state.desk.escalate_overdue(chrono::Utc::now()).await {
                    Ok(cases) if cases.is_empty() => {}
                    Ok(cases) => {
                        tracing::info!(?cases, "escalated overdue cases to their agency's leads")
                    }
                    Err(e) => {
                        tracing::warn!(error = %e.body.message_en, "could not escalate overdue cases")
                    }
                }
            }
            if last_purge.is_none_or(|t| t.elapsed() >= std::time::Duration::from_secs(3600)) {
                last_purge = Some(std::time::Instant::now());
                match state.desk.purge_contacts().await {
                    Ok(0) => {}
                    Ok(n) => tracing::info!(purged = n, "purged reporter contacts past retention"),
                    Err(e) => {
                        tracing::warn!(error = %e.body.message_en, "could not purge contacts")
                    }
                }
                match state.desk.purge_files().await {
                    Ok(p) if p.report_files + p.files == 0 => {}
                    Ok(p) => tracing::info!(
                        report_files = p.report_files,
                        files = p.files,
                        "purged report files past retention"
                    ),
                    Err(e) => {
                        tracing::warn!(error = %e.body.message_en, "could not purge report files")
                    }
                }
            }
        }
    });
}

/// Follows the writes other instances commit to the same PostgreSQL database and re-reads
/// the matcher libraries at once, so a fact-check published on one instance answers
/// reports on every other within moments rather than at the next poll. Nothing on SQLite
/// (one process). If the feed breaks, the upkeep's polling still brings the libraries in
/// line; the feed is reopened after a pause.
///
/// Subscribes before it returns, so that every write committed afterwards is heard.
pub async fn spawn_change_follower(state: AppState) {
    /// At most this often, so that a burst of writes (an import) costs a few re-reads.
    const MIN_GAP: std::time::Duration = std::time::Duration::from_millis(250);
    const RETRY: std::time::Duration = std::time::Duration::from_secs(5);
    let mut opened = Some(state.desk.store.change_feed().await);
    tokio::spawn(async move {
        loop {
            let opening = match opened.take() {
                Some(first) => first,
                None => state.desk.store.change_feed().await,
            };
            let mut feed = match opening {
                Ok(Some(feed)) => feed,
                Ok(None) => return,
                Err(e) => {
                    tracing::warn!(error = %e, "cannot follow other instances' changes; polling only, retrying");
                    tokio::time::sleep(RETRY).await;
                    continue;
                }
            };
            loop {
                match feed.next().await {
                    Ok(kc_store::Change::Committed | kc_store::Change::Missed) => {
                        if let Err(e) = state.desk.refresh_libraries().await {
                            tracing::warn!(error = %e.body.message_en, "could not refresh the matcher libraries");
                        }
                        tokio::time::sleep(MIN_GAP).await;
                    }
                    Err(e) => {
                        tracing::warn!(error = %e, "lost other instances' change notifications; polling only, retrying");
                        tokio::time::sleep(RETRY).await;
                        break;
                    }
                }
            }
        }
    });
}

/// Serves until the future `shutdown` completes.
pub async fn serve(
    state: AppState,
    listener: tokio::net::TcpListener,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> Result<(), WebError> {
    axum::serve(
        listener,
        router(state).into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown)
    .await
    .map_err(WebError::Serve)
}
