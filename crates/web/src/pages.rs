//! The public portal and the staff console: HTML over the same desk service as the API.

use crate::desk::{ReceiptView, Triage};
use crate::error::ApiError;
use crate::session::{self, check_csrf, csrf_token, ClientIp, MaybeStaff};
use crate::AppState;
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode, Uri};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::Form;
use kc_desk::workflow::{self, CaseAction};
use kc_desk::{Actor, Channel, DecisionDraft, EvidenceInput, Remedy, Role, Verdict};
use minijinja::context;
use minijinja::value::Value;
use serde::Deserialize;
use std::collections::BTreeMap;

/// What every page needs: language, CSRF token, site settings.
pub struct Page {
    lang: &'static str,
    csrf: String,
    set_csrf: bool,
    set_lang: Option<&'static str>,
}

#[derive(Deserialize, Default)]
pub struct LangQuery {
    pub lang: Option<String>,
}

impl Page {
    pub fn new(headers: &HeaderMap, lang_query: Option<&str>) -> Page {
        let (csrf, set_csrf) = csrf_token(headers);
        let from_query = match lang_query {
            Some("en") => Some("en"),
            Some("vi") => Some("vi"),
            _ => None,
        };
        let lang = from_query.unwrap_or_else(|| {
            match session::cookie(headers, session::LANG_COOKIE).as_deref() {
                Some("en") => "en",
                _ => "vi",
            }
        });
        Page {
            lang,
            csrf,
            set_csrf,
            set_lang: from_query,
        }
    }

    pub fn render(&self, state: &AppState, status: StatusCode, name: &str, ctx: Value) -> Response {
        let pack = state.desk.pack();
        let site_name = if self.lang == "en" {
            pack.portal.site_name_en.clone()
        } else {
            pack.portal.site_name_vi.clone()
        };
        let en = self.lang == "en";
        // The pack may word verdicts, categories and remedies its own way; templates look
        // these up before the built-in labels.
        let pack_labels = context! {
            verdict => pack.verdict_labels.keys().map(|v| (v.as_str(), pack.verdict_label(*v, en))).collect::<BTreeMap<_, _>>(),
            harm => pack.harm_labels.keys().map(|h| (h.as_str(), pack.harm_label(*h, en))).collect::<BTreeMap<_, _>>(),
            remedy => pack.remedy_labels.keys().map(|r| (r.as_str(), pack.remedy_label(*r, en))).collect::<BTreeMap<_, _>>(),
        };
        let base = context! {
            pack_labels,
            semantic => state.desk.is_semantic(),
            semantic_status => state.desk.semantic_status(),
            lang => self.lang,
            lang_link => crate::lang_link::current(),
            csrf => self.csrf.clone(),
            site_name => site_name,
            publisher => pack.portal.publisher_in(en).to_string(),
        };
        let merged = context! { ..ctx, ..base };
        let html = match state
            .templates
            .get_template(name)
            .and_then(|t| t.render(merged))
        {
            Ok(h) => h,
            Err(e) => {
                return ApiError::internal(format!("rendering {name}: {e:#}")).into_response()
            }
        };
        let mut resp = (status, Html(html)).into_response();
        let secure = state.config.secure_cookies;
        if self.set_csrf {
            resp.headers_mut().append(
                header::SET_COOKIE,
                session::set_cookie(session::CSRF_COOKIE, &self.csrf, 60 * 60 * 24, secure, true),
            );
        }
        if let Some(lang) = self.set_lang {
            resp.headers_mut().append(
                header::SET_COOKIE,
                session::set_cookie(
                    session::LANG_COOKIE,
                    lang,
                    60 * 60 * 24 * 365,
                    secure,
                    false,
                ),
            );
        }
        resp
    }

    pub fn error(&self, state: &AppState, err: &ApiError, back: &str) -> Response {
        let message = if self.lang == "en" {
            err.body.message_en.clone()
        } else {
            err.body.message.clone()
        };
        let status = err.status.as_u16();
        let mut resp = self.render(
            state,
            err.status,
            "error.html",
            context! { message, back, status },
        );
        crate::error::with_retry_after(&mut resp, err.retry_after);
        resp
    }

    pub fn is_en(&self) -> bool {
        self.lang == "en"
    }

    /// `vi` or `en`.
    pub(crate) fn lang(&self) -> &'static str {
        self.lang
    }

    pub(crate) fn message(&self, err: &ApiError) -> String {
        if self.lang == "en" {
            err.body.message_en.clone()
        } else {
            err.body.message.clone()
        }
    }
}

/// Any address no route answers: the API's JSON error under /api/, the site's error page
/// elsewhere, so a mistyped link still says what happened and leads back.
/// A number from a console or portal path. Anything else is a page that does not exist:
/// the site's 404 page, not axum's plain-text 400 ("Cannot parse `abc` to a `i64`").
pub struct PageId(pub i64);

impl axum::extract::FromRequestParts<AppState> for PageId {
    type Rejection = Response;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        state: &AppState,
    ) -> Result<Self, Response> {
        let raw = Path::<String>::from_request_parts(parts, state).await.ok();
        match raw.and_then(|Path(r)| r.parse().ok()) {
            Some(id) => Ok(PageId(id)),
            None => Err(not_found(
                State(state.clone()),
                parts.headers.clone(),
                parts.uri.clone(),
            )
            .await),
        }
    }
}

/// A route that exists, asked with a method it does not take (GET on a POST-only action).
pub async fn method_not_allowed(
    State(state): State<AppState>,
    headers: HeaderMap,
    method: axum::http::Method,
    uri: Uri,
) -> Response {
    let path = uri.path();
    let err = ApiError::new(
        StatusCode::METHOD_NOT_ALLOWED,
        "method_not_allowed",
        format!("Địa chỉ {path} không nhận phương thức {method}. Xem /api/openapi.json."),
        format!("{path} does not take {method}. See /api/openapi.json."),
    );
    if path == "/api" || path.starts_with("/api/") {
        return err.into_response();
    }
    // The language switch on this very page links to `?lang=en`: without reading it the
    // page answered in Vietnamese again, and the English reader had no way out.
    let lang = Query::<LangQuery>::try_from_uri(&uri)
        .ok()
        .and_then(|q| q.0.lang);
    Page::new(&headers, lang.as_deref()).error(&state, &err, "/")
}

pub async fn not_found(State(state): State<AppState>, headers: HeaderMap, uri: Uri) -> Response {
    let path = uri.path();
    if path == "/api" || path.starts_with("/api/") {
        return ApiError::new(
            StatusCode::NOT_FOUND,
            "not_found",
            format!("Không có địa chỉ API này: {path}. Xem /api/openapi.json."),
            format!("No such API route: {path}. See /api/openapi.json."),
        )
        .into_response();
    }
    let lang = Query::<LangQuery>::try_from_uri(&uri)
        .ok()
        .and_then(|q| q.0.lang);
    let page = Page::new(&headers, lang.as_deref());
    let err = ApiError::new(
        StatusCode::NOT_FOUND,
        "not_found",
        "Không tìm thấy trang này. Đường dẫn có thể đã sai hoặc trang đã bị gỡ.",
        "Page not found. The link may be wrong or the page was removed.",
    );
    page.error(&state, &err, "/")
}

// ---------- portal ----------

pub async fn home(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(q): Query<LangQuery>,
) -> Response {
    let page = Page::new(&headers, q.lang.as_deref());
    let found = async {
        let ps = state.desk.store.recent_publications(10, 0, false).await?;
        let articles = state.desk.store.articles(3).await?;
        let withdrawn = withdrawn(&state, &ps).await?;
        Ok::<_, kc_store::StoreError>((ps, articles, withdrawn))
    }
    .await;
    match found {
        Ok((ps, articles, withdrawn)) => {
            let articles: Vec<crate::articles::ArticleOut> =
                articles.iter().map(Into::into).collect();
            page.render(
                &state,
                StatusCode::OK,
                "home.html",
                context! { publications => ps, articles, withdrawn },
            )
        }
        Err(e) => page.error(&state, &e.into(), "/"),
    }
}

#[derive(Deserialize, Default, serde::Serialize)]
pub struct ReportForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    text: String,
    #[serde(default)]
    urls: String,
    #[serde(default)]
    contact: String,
}

pub async fn report_form(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(q): Query<LangQuery>,
) -> Response {
    let page = Page::new(&headers, q.lang.as_deref());
    page.render(
        &state,
        StatusCode::OK,
        "report_form.html",
        context! { form => ReportForm::default() },
    )
}

/// The report form's target. The page sends `multipart/form-data` (it may carry images);
/// a plain `application/x-www-form-urlencoded` post, with no images, is taken too.
pub async fn report_submit(
    State(state): State<AppState>,
    headers: HeaderMap,
    ClientIp(ip): ClientIp,
    req: axum::extract::Request,
) -> Response {
    use axum::extract::FromRequest;
    let page = Page::new(&headers, None);
    let multipart = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.to_ascii_lowercase().starts_with("multipart/form-data"));
    let (form, uploads, read) = if multipart {
        match axum::extract::Multipart::from_request(req, &state).await {
            Ok(mp) => {
                let (up, read) = crate::files::read_upload_form(mp, "files").await;
                let form = ReportForm {
                    csrf: up.field("csrf"),
                    text: up.field("text"),
                    urls: up.field("urls"),
                    contact: up.field("contact"),
                };
                (form, up.files, read)
            }
            Err(rejection) => return rejection.into_response(),
        }
    } else {
        match Form::<ReportForm>::from_request(req, &state).await {
            Ok(Form(form)) => (form, Vec::new(), Ok(())),
            Err(rejection) => return rejection.into_response(),
        }
    };
    let result = async {
        read?;
        check_csrf(&headers, &form.csrf)?;
        state.limiter.check(ip)?;
        // Every image is checked before anything is stored: one refused, none kept.
        let files = crate::files::accept_report_uploads(&uploads)?;
        let urls: Vec<String> = form.urls.lines().map(str::to_string).collect();
        let contact = Some(form.contact.as_str());
        state
            .desk
            .submit_report(&form.text, &urls, contact, Channel::Web, &files)
            .await
    }
    .await;
    match result {
        // Post/redirect/get: a reload of the receipt page does not file the report twice.
        Ok(answer) => Redirect::to(&format!("/phan-anh/{}", answer.receipt)).into_response(),
        Err(err) => page.render(
            &state,
            err.status,
            "report_form.html",
            context! {
                form => form,
                error => page.message(&err),
                error_control => report_control(err.body.field.as_deref()),
                // A browser never refills a file picker: whoever chose images must know to
                // choose them again.
                files_dropped => !uploads.is_empty(),
            },
        ),
    }
}

/// The report form's control a field error is about (`urls[2]` is the links box, `files[0]`
/// the file picker), for the page to mark it and link to it; None for an error about the
/// whole form (CSRF, rate limit).
fn report_control(field: Option<&str>) -> Option<&'static str> {
    let field = field?;
    let base = field.split('[').next().unwrap_or(field);
    ["text", "urls", "contact", "files"]
        .into_iter()
        .find(|c| *c == base)
}

pub async fn receipt_page(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    headers: HeaderMap,
    Path(receipt): Path<String>,
    Query(q): Query<LangQuery>,
) -> Response {
    let page = Page::new(&headers, q.lang.as_deref());
    let view = match session::receipt_lookup_allowed(&state, ip) {
        Ok(()) => session::count_receipt_lookup(&state, ip, state.desk.receipt(&receipt).await),
        Err(e) => Err(e),
    };
    match view {
        Ok(view) => receipt_response(&state, &page, view),
        Err(e) => page.error(&state, &e, "/tra-cuu"),
    }
}

fn receipt_response(state: &AppState, page: &Page, view: ReceiptView) -> Response {
    page.render(state, StatusCode::OK, "receipt.html", context! { view })
}

#[derive(Deserialize)]
pub struct ReceiptLookup {
    ma: Option<String>,
    lang: Option<String>,
}

/// The receipt form's target: to the receipt page under the code's stored form, or back to
/// the lookup form with a message when nothing was typed.
pub async fn receipt_lookup(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    headers: HeaderMap,
    Query(q): Query<ReceiptLookup>,
) -> Response {
    let typed = q.ma.as_deref().unwrap_or("");
    let code = crate::desk::normalize_receipt(typed);
    if !code.is_empty() {
        // Where it leads tells whether an appeal has this code: a lookup like the others.
        if let Err(e) = session::receipt_lookup_allowed(&state, ip) {
            return Page::new(&headers, q.lang.as_deref()).error(&state, &e, "/tra-cuu");
        }
        // Appeals get codes of the same form, and this is the one box a citizen finds to
        // type a saved code into: an appeal's code goes to the appeal's page.
        let is_appeal = matches!(state.desk.store.report_by_receipt(&code).await, Ok(None))
            && matches!(state.desk.store.appeal_by_receipt(&code).await, Ok(Some(_)));
        let to = if is_appeal { "khieu-nai" } else { "phan-anh" };
        return Redirect::to(&format!("/{to}/{code}")).into_response();
    }
    let page = Page::new(&headers, q.lang.as_deref());
    // Opening the address bare is a visit to the form; submitting it empty is a mistake.
    let (status, receipt_error) = match q.ma {
        None => (StatusCode::OK, false),
        Some(_) => (StatusCode::BAD_REQUEST, true),
    };
    page.render(
        &state,
        status,
        "search.html",
        context! { q => "", results => Vec::<String>::new(), receipt_error },
    )
}

/// The page asked for by a list's `?trang=` (1 when absent), or what is wrong with it.
fn page_number(trang: Option<&str>) -> Result<usize, kc_desk::workflow::FieldError> {
    match trang.map(str::trim) {
        None | Some("") => Ok(1),
        Some(t) => match t.parse::<usize>() {
            // Bounded so that an offset computed from it cannot overflow.
            Ok(n) if (1..=1_000_000).contains(&n) => Ok(n),
            _ => Err(kc_desk::workflow::FieldError::new(
                "trang",
                format!("Số trang `{t}` không hợp lệ: trang đánh số từ 1."),
                format!("`{t}` is not a page number: pages are numbered from 1."),
            )),
        },
    }
}

/// Fact-checks on one page of the portal's list: a year of them on one page was a
/// megabyte, too much for a phone.
pub const FACTCHECKS_PER_PAGE: i64 = 30;

#[derive(Deserialize)]
pub struct ListQuery {
    lang: Option<String>,
    trang: Option<String>,
}

pub async fn factchecks(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(q): Query<ListQuery>,
) -> Response {
    let page = Page::new(&headers, q.lang.as_deref());
    let number = match page_number(q.trang.as_deref()) {
        Ok(n) => n as i64,
        Err(e) => return page.error(&state, &e.into(), "/kiem-chung"),
    };
    let found = async {
        let total = state.desk.store.publication_count().await?;
        let offset = (number - 1).saturating_mul(FACTCHECKS_PER_PAGE);
        let ps = state
            .desk
            .store
            .recent_publications(FACTCHECKS_PER_PAGE, offset, false)
            .await?;
        let withdrawn = withdrawn(&state, &ps).await?;
        Ok::<_, kc_store::StoreError>((total, ps, withdrawn))
    }
    .await;
    match found {
        Ok((total, ps, withdrawn)) => {
            let pages = ((total + FACTCHECKS_PER_PAGE - 1) / FACTCHECKS_PER_PAGE).max(1);
            if number > pages {
                let err = ApiError::not_found(
                    &format!("trang {number}: danh sách có {pages} trang"),
                    &format!("Page {number} (the list has {pages})"),
                );
                return page.error(&state, &err, "/kiem-chung");
            }
            page.render(
                &state,
                StatusCode::OK,
                "factchecks.html",
                context! { publications => ps, withdrawn, page_number => number, pages, total },
            )
        }
        Err(e) => page.error(&state, &e.into(), "/"),
    }
}

/// The publications listed whose verdict no longer stands: overturned on appeal, or
/// replaced by a later publication of the same case. Lists show them as such, not with a
/// verdict the desk no longer asserts.
async fn withdrawn(
    state: &AppState,
    ps: &[kc_store::PublicationRecord],
) -> Result<Vec<i64>, kc_store::StoreError> {
    // Lists show a page: whether a later publication replaced one is asked of the store,
    // since the one that replaced it may be on another page.
    let overturned = state.desk.store.overturned_publications().await?;
    let replaced = state.desk.store.replaced_publications().await?;
    Ok(ps
        .iter()
        .filter(|p| overturned.contains(&p.id) || replaced.contains(&p.id))
        .map(|p| p.id)
        .collect())
}

pub async fn factcheck(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(slug): Path<String>,
    Query(q): Query<LangQuery>,
) -> Response {
    let page = Page::new(&headers, q.lang.as_deref());
    render_factcheck(&state, &page, &slug, StatusCode::OK, context! {}).await
}

/// A fact-check page with its appeals and the appeal form; `extra` carries what the form
/// needs after a refused appeal (what was typed, the message).
pub(crate) async fn render_factcheck(
    state: &AppState,
    page: &Page,
    slug: &str,
    status: StatusCode,
    extra: Value,
) -> Response {
    let result = async {
        let p = state
            .desk
            .store
            .publication_by_slug(slug)
            .await?
            .ok_or_else(|| ApiError::not_found("bài kiểm chứng", "Fact-check"))?;
        let decision = state.desk.store.decision(p.decision_id).await?;
        let detail = state.desk.case_detail(p.case_id).await?;
        let appeals = state.desk.store.appeals_for_publication(p.id).await?;
        let notices = crate::notices::public_notices(state, &p).await?;
        let verified = state.desk.store.publication_verified_at(p.id).await?;
        let stands = verified.is_some();
        // When a reviewer last found the verdict still holds, for readers of an old one.
        let rechecked_at = verified.filter(|at| *at != p.published_at);
        // The decision that replaced this one, once the case was decided again.
        let newer = detail.publication.clone().filter(|q| q.id > p.id);
        Ok::<_, ApiError>((
            p,
            decision,
            detail,
            appeals,
            notices,
            stands,
            rechecked_at,
            newer,
        ))
    }
    .await;
    match result {
        Ok((p, decision, detail, appeals, notices, stands, rechecked_at, newer)) => {
            // What the published verdict rests on, and nothing more: the sources' links and
            // notes, not who at the desk entered them, nor the evidence of earlier drafts.
            let evidence: Vec<Value> = detail
                .evidence
                .iter()
                .filter(|e| e.decision_id == Some(p.decision_id))
                .map(|e| context! { url => e.url.clone(), note => e.note.clone() })
                .collect();
            let pack = state.desk.pack();
            // The decision's own summary and reasons are always public, whatever article
            // the editor wrote around them: every action states reasons people can read.
            // A body that is only those two (the default) is not shown twice.
            let reasons_pair = decision
                .as_ref()
                .map(|d| (d.summary.clone(), d.reasons.clone()));
            let reasons = decision.as_ref().map(|d| {
                context! { summary => d.summary.clone(), reasons => d.reasons.clone() }
            });
            let body_is_reasons = decision.as_ref().is_some_and(|d| {
                paragraphs(&p.body) == paragraphs(&format!("{}\n\n{}", d.summary, d.reasons))
            });
            let provisions: Vec<String> = decision
                .map(|d| {
                    d.legal_provisions
                        .iter()
                        .map(|id| {
                            pack.provision_citation_in(id, page.lang == "en")
                                .unwrap_or_else(|| id.clone())
                        })
                        .collect()
                })
                .unwrap_or_default();
            let jsonld = crate::feeds::claim_review(
                state,
                &p,
                reasons_pair.as_ref().map(|(s, r)| (s.as_str(), r.as_str())),
            );
            let paragraphs = if body_is_reasons {
                Vec::new()
            } else {
                paragraphs(&p.body)
            };
            // Appeals as the public sees them: category, dates, outcome and its reasons.
            // The appeal that overturned it is the first decided so; any later one was moot.
            let overturned = appeals
                .iter()
                .filter(|a| a.status == "overturned")
                .min_by(|a, b| a.decided_at.cmp(&b.decided_at))
                .map(crate::appeals::PublicAppeal::from);
            let appeals: Vec<crate::appeals::PublicAppeal> = appeals
                .iter()
                .map(crate::appeals::PublicAppeal::from)
                .collect();
            let deadline = chrono::DateTime::parse_from_rfc3339(&p.published_at)
                .ok()
                .map(|t| kc_desk::appeal::appeal_deadline(t.with_timezone(&chrono::Utc)));
            let appeal_open = stands && deadline.is_some_and(|d| chrono::Utc::now() <= d);
            let replaced_by = newer.map(|q| {
                context! { url => crate::desk::publication_path(&q.slug), title => q.title }
            });
            let appeal_deadline = deadline.map(kc_store::fmt_time);
            let relations: Vec<&str> = kc_desk::AppealRelation::ALL
                .iter()
                .map(|r| r.as_str())
                .collect();
            // A verdict overturned on appeal is no longer asserted to search engines.
            let jsonld = overturned
                .is_none()
                .then(|| crate::feeds::script_safe_json(&jsonld));
            let ctx = context! {
                p => p, provisions, paragraphs, evidence, jsonld, reasons,
                appeals, overturned, appeal_open, appeal_deadline, relations, replaced_by, stands,
                rechecked_at, notices => Value::from_serialize(&notices),
            };
            page.render(state, status, "factcheck.html", context! { ..extra, ..ctx })
        }
        Err(e) => page.error(state, &e, "/kiem-chung"),
    }
}

/// An article body as paragraphs. Browsers send textarea line breaks as CRLF, so every
/// line-break convention is read as one before blank lines split paragraphs.
pub(crate) fn paragraphs(body: &str) -> Vec<String> {
    body.replace("\r\n", "\n")
        .replace('\r', "\n")
        .split("\n\n")
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect()
}

#[derive(Deserialize, Default)]
pub struct SearchQuery {
    #[serde(default)]
    q: String,
    lang: Option<String>,
}

/// The most characters of a search the desk reads; the form's field stops there too.
const SEARCH_CHARS: usize = 2000;

pub async fn search(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(sq): Query<SearchQuery>,
) -> Response {
    let page = Page::new(&headers, sq.lang.as_deref());
    let q = sq.q.trim().chars().take(SEARCH_CHARS).collect::<String>();
    let results = if q.is_empty() {
        Vec::new()
    } else {
        match state.desk.search_published(&q, 10).await {
            Ok(r) => r.into_iter().map(|(p, _)| p).collect(),
            Err(e) => return page.error(&state, &e, "/tra-cuu"),
        }
    };
    page.render(
        &state,
        StatusCode::OK,
        "search.html",
        context! { q, results, max => SEARCH_CHARS },
    )
}

pub async fn open_data(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(q): Query<LangQuery>,
) -> Response {
    let page = Page::new(&headers, q.lang.as_deref());
    page.render(&state, StatusCode::OK, "open_data.html", context! {})
}

// ---------- console ----------

/// The signed-in officer as the staff bar shows them: name, roles, and whether the audit
/// log is theirs to read (its link is shown only then).
pub(crate) fn staff_context(staff: &Actor) -> Value {
    context! {
        name => staff.name.clone(),
        roles => staff.grants.iter().map(|g| g.role.as_str()).collect::<Vec<_>>(),
        reads_audit => kc_desk::workflow::may_read_audit_log(staff).is_ok(),
    }
}

/// A console page asked for without a session: the sign-in page, which leads back to it
/// (`tiep`, "next") once signed in, so that a link to a case sent by a colleague still
/// reaches the case.
pub(crate) fn login_redirect() -> Response {
    let back = crate::lang_link::current_page()
        .as_deref()
        .and_then(crate::unsaved::safe_return)
        .filter(|p| p != "/quan-tri");
    match back {
        Some(p) => {
            let q: String = url::form_urlencoded::Serializer::new(String::new())
                .append_pair("tiep", &p)
                .finish();
            Redirect::to(&format!("/quan-tri/dang-nhap?{q}")).into_response()
        }
        None => Redirect::to("/quan-tri/dang-nhap").into_response(),
    }
}

/// Where [`session_ended_redirect`] points.
pub(crate) const SESSION_ENDED_LOCATION: &str = "/quan-tri/dang-nhap?het-han=1";

/// Where a console form sent without a session goes: only a signed-in officer had the
/// form, so their session ended (it expired, or they were signed out) and what they sent
/// was not saved. The sign-in page says so instead of silently dropping the input; for a
/// plain form, `unsaved::keep` answers with what was typed instead of this redirect.
pub(crate) fn session_ended_redirect() -> Response {
    Redirect::to(SESSION_ENDED_LOCATION).into_response()
}

/// A form body that could not be read whole (cut off, or longer than it said).
pub(crate) fn bad_request_body() -> Response {
    (
        StatusCode::BAD_REQUEST,
        "Không đọc được nội dung biểu mẫu. / The form's content could not be read.",
    )
        .into_response()
}

#[derive(Deserialize)]
pub struct LoginQuery {
    lang: Option<String>,
    #[serde(rename = "het-han")]
    ended: Option<String>,
    /// The console page to return to once signed in.
    tiep: Option<String>,
}

pub async fn login_form(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(q): Query<LoginQuery>,
) -> Response {
    let page = Page::new(&headers, q.lang.as_deref());
    let ended = q
        .ended
        .is_some()
        .then(|| page_text(&page, "login.session_ended"));
    let next = q.tiep.as_deref().and_then(crate::unsaved::safe_return);
    page.render(
        &state,
        StatusCode::OK,
        "login.html",
        context! { ended, next },
    )
}

#[derive(Deserialize)]
pub struct LoginForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    username: String,
    #[serde(default)]
    password: String,
    /// The console page to return to (see [`login_redirect`]); checked again here, since a
    /// form can send anything.
    #[serde(default)]
    next: String,
}

pub async fn login_submit(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    headers: HeaderMap,
    Form(mut form): Form<LoginForm>,
) -> Response {
    let page = Page::new(&headers, None);
    // A failed attempt keeps where the officer was going.
    let next = crate::unsaved::safe_return(&form.next);
    if let Err(e) = check_csrf(&headers, &form.csrf) {
        return page.render(
            &state,
            e.status,
            "login.html",
            context! { error => page.message(&e), next },
        );
    }
    // Guessing passwords is slowed per client and per name (a guesser spread over many
    // addresses still meets the second), before any password is hashed.
    let name = form.username.trim();
    let throttled = state
        .login_limiter
        .check(ip)
        .and_then(|()| state.login_name_limiter.check(name.to_lowercase()));
    if let Err(e) = throttled {
        tracing::warn!(user = ?name, %ip, "console login throttled");
        let mut resp = page.render(
            &state,
            StatusCode::TOO_MANY_REQUESTS,
            "login.html",
            context! { error => page_text(&page, "login.throttled"), next },
        );
        crate::error::with_retry_after(&mut resp, e.retry_after);
        return resp;
    }
    let user = match state.desk.store.user_by_name(name).await {
        Ok(u) => u,
        Err(e) => return page.error(&state, &e.into(), "/quan-tri/dang-nhap"),
    };
    // Verify against a dummy hash when the user is unknown, so timing does not reveal names.
    // Argon2 takes tens of megabytes and milliseconds of a core per check: a few at once, off
    // the threads that serve requests, so a flood of logins cannot take the memory.
    let stored = match &user {
        Some(u) if !u.disabled => Some(u.password_hash.clone()),
        _ => None,
    };
    let Ok(_permit) = state.logins.clone().acquire_owned().await else {
        return page.error(
            &state,
            &ApiError::internal("login semaphore closed"),
            "/quan-tri/dang-nhap",
        );
    };
    let password = std::mem::take(&mut form.password);
    let ok = tokio::task::spawn_blocking(move || match stored {
        Some(hash) => kc_desk::auth::verify_password(&password, &hash),
        None => {
            let _ = kc_desk::auth::verify_password(&password, dummy_hash());
            false
        }
    })
    .await
    .unwrap_or(false);
    let Some(user) = user.filter(|_| ok) else {
        // Debug-quoted: a name typed with a line break cannot forge a line of the log.
        tracing::info!(user = ?form.username, "failed console login");
        let err = page_text(&page, "login.failed");
        return page.render(
            &state,
            StatusCode::UNAUTHORIZED,
            "login.html",
            context! { error => err, next },
        );
    };
    // Signing in again from a browser replaces its session: the one it held (perhaps
    // another person's, on a shared office computer) must not stay valid behind it.
    if let Some(old) = session::cookie(&headers, session::SESSION_COOKIE) {
        if let Err(e) = state
            .desk
            .store
            .delete_session(&kc_desk::auth::secret_digest(&old))
            .await
        {
            return page.error(&state, &e.into(), "/quan-tri/dang-nhap");
        }
    }
    match session::start_session(&state, user.id).await {
        Ok(secret) => {
            let to = crate::unsaved::safe_return(&form.next).unwrap_or_else(|| "/quan-tri".into());
            let mut resp = Redirect::to(&to).into_response();
            resp.headers_mut().append(
                header::SET_COOKIE,
                session::set_cookie(
                    session::SESSION_COOKIE,
                    &secret,
                    session::SESSION_HOURS * 3600,
                    state.config.secure_cookies,
                    true,
                ),
            );
            tracing::info!(user = %user.name, "console login");
            resp
        }
        Err(e) => page.error(&state, &e, "/quan-tri/dang-nhap"),
    }
}

/// A real argon2id hash to verify against when the user is unknown, so that a failed login
/// costs the same time whether or not the name exists.
fn dummy_hash() -> &'static str {
    static HASH: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    HASH.get_or_init(|| {
        kc_desk::auth::hash_password("kiemchung-dummy-password").unwrap_or_default()
    })
}

/// The sign-in page's own messages, in the page's language.
pub(crate) fn page_text(page: &Page, key: &str) -> String {
    let (_, vi, en) = LOGIN_TEXT
        .iter()
        .find(|(k, _, _)| *k == key)
        .copied()
        .unwrap_or(("", "", ""));
    if page.lang == "en" { en } else { vi }.to_string()
}

const LOGIN_TEXT: &[(&str, &str, &str)] = &[
    (
        "login.failed",
        "Tên đăng nhập hoặc mật khẩu không đúng.",
        "Wrong username or password.",
    ),
    (
        "login.session_ended",
        "Phiên đăng nhập đã kết thúc (hết hạn hoặc đã đăng xuất), nên nội dung vừa gửi chưa được lưu. Hãy đăng nhập lại rồi nhập lại.",
        "Your session has ended (it expired or was signed out), so what you just sent was not saved. Sign in again and enter it again.",
    ),
    (
        "login.session_ended_kept",
        "Phiên đăng nhập đã kết thúc (hết hạn hoặc đã đăng xuất), nên nội dung vừa gửi chưa được lưu. Những gì bạn đã nhập ở dưới: hãy sao chép lại, đăng nhập rồi gửi lại; sau khi đăng nhập bạn sẽ trở lại trang vừa làm việc.",
        "Your session has ended (it expired or was signed out), so what you just sent was not saved. What you typed is below: copy it, sign in and send it again; signing in takes you back to the page you were on.",
    ),
    (
        "login.throttled",
        "Có quá nhiều lần đăng nhập trong thời gian ngắn; vui lòng thử lại sau một phút.",
        "Too many sign-in attempts in a short time; please try again in a minute.",
    ),
];

#[derive(Deserialize)]
pub struct CsrfOnly {
    #[serde(default)]
    csrf: String,
}

pub async fn logout(
    State(state): State<AppState>,
    headers: HeaderMap,
    Form(form): Form<CsrfOnly>,
) -> Response {
    // A sign-out another site's page sends is refused whole, the cookie kept: clearing it
    // would let any page sign staff out in the middle of their work.
    if let Err(e) = check_csrf(&headers, &form.csrf) {
        return Page::new(&headers, None).error(&state, &e, "/quan-tri");
    }
    if let Some(s) = session::cookie(&headers, session::SESSION_COOKIE) {
        if let Err(e) = state
            .desk
            .store
            .delete_session(&kc_desk::auth::secret_digest(&s))
            .await
        {
            return ApiError::from(e).into_response();
        }
    }
    let mut resp = Redirect::to("/quan-tri/dang-nhap").into_response();
    resp.headers_mut().append(
        header::SET_COOKIE,
        session::set_cookie(
            session::SESSION_COOKIE,
            "",
            0,
            state.config.secure_cookies,
            true,
        ),
    );
    resp
}

pub(crate) fn agency_names(state: &AppState, lang: &str) -> BTreeMap<String, String> {
    state
        .desk
        .pack()
        .agencies
        .iter()
        .map(|a| {
            (
                a.code.clone(),
                if lang == "en" {
                    a.name_en.clone()
                } else {
                    a.name_vi.clone()
                },
            )
        })
        .collect()
}

/// Open cases on one page of the console's queue: a desk with thousands open sent every one
/// of them (3 MB of HTML at 8,000).
pub const QUEUE_PER_PAGE: usize = 100;

/// The queue's filters, as the console's filter form sends them.
#[derive(Deserialize, Default, serde::Serialize)]
pub struct QueueQuery {
    #[serde(default)]
    lang: Option<String>,
    /// An agency's code, `none` for cases no agency holds yet, or empty for all.
    #[serde(default, rename = "co-quan")]
    agency: String,
    /// A case state, or empty for every open one.
    #[serde(default, rename = "trang-thai")]
    state: String,
    /// Only cases past their deadline.
    #[serde(default, rename = "qua-han")]
    overdue: String,
    #[serde(default)]
    trang: Option<String>,
}

pub async fn console(
    State(state): State<AppState>,
    headers: HeaderMap,
    MaybeStaff(staff): MaybeStaff,
    Query(q): Query<QueueQuery>,
) -> Response {
    let Some(staff) = staff else {
        return login_redirect();
    };
    let page = Page::new(&headers, q.lang.as_deref());
    let number = match page_number(q.trang.as_deref()) {
        Ok(n) => n,
        Err(e) => return page.error(&state, &e.into(), "/quan-tri"),
    };
    let filter = match crate::queue::CaseFilter::parse(
        &state.desk.pack(),
        ("co-quan", &q.agency),
        ("trang-thai", &q.state),
        !q.overdue.is_empty(),
    ) {
        Ok(f) => f,
        Err(e) => return page.error(&state, &e.into(), "/quan-tri"),
    };
    // Fact-checks due for re-checking now or within the month, so that a reviewer
    // can look at them before a matching report has to wait for a person.
    let rechecks: Vec<Value> = match state.desk.rechecks_due(RECHECK_NOTICE_DAYS).await {
        Ok(due) => due
            .into_iter()
            .map(|d| {
                context! {
                    url => crate::desk::publication_path(&d.publication.slug),
                    ..Value::from_serialize(&d)
                }
            })
            .collect(),
        Err(e) => return page.error(&state, &e, "/quan-tri"),
    };
    let pending_appeals = match state.desk.store.pending_appeals().await {
        Ok(list) => list
            .iter()
            .map(crate::appeals::StaffAppeal::from)
            .collect::<Vec<_>>(),
        Err(e) => return page.error(&state, &e.into(), "/quan-tri"),
    };
    match state.desk.cases(None).await {
        Ok(all) => {
            // The queue is what still needs work; finished cases stay listed below it.
            let (finished, open): (Vec<_>, Vec<_>) = all.into_iter().partition(|c| {
                kc_desk::CaseState::parse(&c.state).is_some_and(kc_desk::CaseState::is_finished)
            });
            let now = kc_store::fmt_time(chrono::Utc::now());
            let late = |c: &kc_store::CaseSummary| {
                crate::queue::is_overdue(&c.state, c.deadline.as_deref(), &now)
            };
            let overdue_total = open.iter().filter(|c| late(c)).count();
            // A lead's own list of what waits for their direction, whatever the filters.
            let directing: Vec<&kc_store::CaseSummary> = open
                .iter()
                .filter(|c| late(c) && crate::queue::leads_case(&staff, c.agency.as_deref()))
                .collect();
            let ids: Vec<i64> = directing.iter().map(|c| c.id).collect();
            let escalations = match state.desk.store.escalations(&ids).await {
                Ok(e) => e,
                Err(e) => return page.error(&state, &e.into(), "/quan-tri"),
            };
            let for_direction: Vec<Value> = directing
                .iter()
                .map(|c| {
                    context! {
                        id => c.id, claim => c.claim.clone(), agency => c.agency.clone(),
                        deadline => c.deadline.clone(),
                        escalated_at => crate::queue::escalation_for_deadline(c, &escalations)
                            .map(|e| e.at.clone()),
                    }
                })
                .collect();
            let open_total = open.len();
            let matching: Vec<_> = open.into_iter().filter(|c| filter.keeps(c, &now)).collect();
            let shown_total = matching.len();
            let pages = shown_total.div_ceil(QUEUE_PER_PAGE).max(1);
            if number > pages {
                let err = ApiError::not_found(
                    &format!("trang {number}: hàng đợi có {pages} trang"),
                    &format!("Page {number} (the queue has {pages})"),
                );
                return page.error(&state, &err, "/quan-tri");
            }
            let cases: Vec<_> = matching
                .into_iter()
                .skip((number - 1) * QUEUE_PER_PAGE)
                .take(QUEUE_PER_PAGE)
                .collect();
            let overdue: Vec<i64> = cases.iter().filter(|c| late(c)).map(|c| c.id).collect();
            // The filters as a query string, for the pager's links.
            let mut keep = url::form_urlencoded::Serializer::new(String::new());
            for (k, v) in [
                ("co-quan", &q.agency),
                ("trang-thai", &q.state),
                ("qua-han", &q.overdue),
            ] {
                if !v.is_empty() {
                    keep.append_pair(k, v);
                }
            }
            let filters = keep.finish();
            let open_states: Vec<Value> = [
                kc_desk::CaseState::New,
                kc_desk::CaseState::Triaged,
                kc_desk::CaseState::Assigned,
                kc_desk::CaseState::Verifying,
                kc_desk::CaseState::InReview,
                kc_desk::CaseState::Decided,
                kc_desk::CaseState::Appealed,
            ]
            .iter()
            .map(|s| context! { code => s.as_str() })
            .collect();
            let agencies: Vec<String> = state
                .desk
                .pack()
                .agencies
                .iter()
                .map(|a| a.code.clone())
                .collect();
            page.render(
                &state,
                StatusCode::OK,
                "console.html",
                context! {
                    staff => staff_context(&staff), cases, finished, overdue, pending_appeals, rechecks,
                    for_direction,
                    finished_listed => crate::desk::FINISHED_LISTED,
                    agency_names => agency_names(&state, page.lang),
                    queue => context! {
                        agency => q.agency, state => q.state, overdue => !q.overdue.is_empty(),
                        page_number => number, pages, filters, open_total, shown_total, overdue_total,
                        first => (number - 1) * QUEUE_PER_PAGE + 1,
                        last => ((number - 1) * QUEUE_PER_PAGE + QUEUE_PER_PAGE).min(shown_total),
                        open_states, agencies,
                    },
                },
            )
        }
        Err(e) => page.error(&state, &e, "/quan-tri"),
    }
}

#[derive(Deserialize)]
pub struct StatsPageQuery {
    lang: Option<String>,
    tu: Option<String>,
    den: Option<String>,
    /// One agency's report instead of the district's (download only).
    co_quan: Option<String>,
}

/// The days a statistics request asks for (`tu`, `den`; this month to date by default) and
/// the desk's figures for them.
async fn period_figures(
    state: &AppState,
    q: &StatsPageQuery,
) -> Result<(chrono::NaiveDate, chrono::NaiveDate, kc_desk::stats::Stats), ApiError> {
    let (first, last) = crate::desk::report_days(q.tu.as_deref(), q.den.as_deref())?;
    Ok((first, last, state.desk.stats(first, last).await?))
}

/// Statistics of a period for staff: what came in, how it ended, each agency's standing
/// and its duties under the directive.
pub async fn stats_page(
    State(state): State<AppState>,
    headers: HeaderMap,
    MaybeStaff(staff): MaybeStaff,
    Query(q): Query<StatsPageQuery>,
) -> Response {
    let Some(staff) = staff else {
        return login_redirect();
    };
    let page = Page::new(&headers, q.lang.as_deref());
    let (first, last, s) = match period_figures(&state, &q).await {
        Ok(figures) => figures,
        Err(e) => return page.error(&state, &e, "/quan-tri/thong-ke"),
    };
    let pack = state.desk.pack();
    let en = page.lang == "en";
    let duties: BTreeMap<String, Vec<Value>> = pack
        .agencies
        .iter()
        .map(|a| {
            let list = pack
                .duties_of(&a.code)
                .map(|d| context! { clause => d.clause.clone(), text => d.text_in(en).to_string(), text_lang => d.text_lang_in(en) })
                .collect();
            (a.code.clone(), list)
        })
        .collect();
    // Per agency and duty, the progress the period's figures hold.
    let duty_progress: Vec<Value> = pack
        .agencies
        .iter()
        .filter(|a| pack.duties_of(&a.code).next().is_some())
        .map(|a| {
            let list: Vec<Value> = pack
                .duties_of(&a.code)
                .map(|d| {
                    context! {
                        id => d.id.clone(), clause => d.clause.clone(), text => d.text_in(en).to_string(), text_lang => d.text_lang_in(en),
                        entries => crate::report::progress_of(&s, &d.id, &a.code),
                    }
                })
                .collect();
            context! { code => a.code.clone(), duties => list }
        })
        .collect();
    let most = |counts: &[kc_desk::stats::Count]| counts.iter().map(|c| c.count).max().unwrap_or(0);
    let widest = most(&s.reports_by_channel)
        .max(most(&s.cases_by_category))
        .max(most(&s.published_by_verdict))
        .max(most(&s.closed_by_reason))
        .max(1);
    let trend = trend_chart(&s.trend, page.lang);
    let staff_ctx = staff_context(&staff);
    let shown = |d: chrono::NaiveDate| shown_date(d, page.lang);
    // Staff of one agency (a commune, an office) get their own unit's report first.
    let own_agencies: Vec<String> = if staff.grants.iter().any(|g| g.agency.is_none()) {
        Vec::new()
    } else {
        let mut codes: Vec<String> = staff
            .grants
            .iter()
            .filter_map(|g| g.agency.clone())
            .collect();
        codes.sort();
        codes.dedup();
        codes
    };
    let quarters: Vec<Value> = quarter_presets(crate::notices::today_vn())
        .into_iter()
        .map(|(label_vi, label_en, a, b)| {
            let label = if page.lang == "en" {
                label_en
            } else {
                label_vi
            };
            context! { label, first => a.to_string(), last => b.to_string() }
        })
        .collect();
    page.render(
        &state,
        StatusCode::OK,
        "stats.html",
        context! {
            s, widest, duties, duty_progress, trend, staff => staff_ctx, quarters, own_agencies,
            first => first.to_string(), last => last.to_string(),
            first_shown => shown(first), last_shown => shown(last),
            as_of => (last > crate::notices::today_vn()).then(|| shown(crate::notices::today_vn())),
            agency_names => agency_names(&state, page.lang),
        },
    )
}

/// The quarter `today` falls in and the one before: the periods a district reports on.
fn quarter_presets(
    today: chrono::NaiveDate,
) -> Vec<(String, String, chrono::NaiveDate, chrono::NaiveDate)> {
    use chrono::Datelike;
    let quarter = |year: i32, q: u32| {
        let first = chrono::NaiveDate::from_ymd_opt(year, 3 * q - 2, 1);
        let next = if q == 4 {
            chrono::NaiveDate::from_ymd_opt(year + 1, 1, 1)
        } else {
            chrono::NaiveDate::from_ymd_opt(year, 3 * q + 1, 1)
        };
        first.zip(next.and_then(|n| n.pred_opt()))
    };
    let q = (today.month() - 1) / 3 + 1;
    let (py, pq) = if q == 1 {
        (today.year() - 1, 4)
    } else {
        (today.year(), q - 1)
    };
    [(today.year(), q, "này", "This"), (py, pq, "trước", "Last")]
        .into_iter()
        .filter_map(|(y, q, vi, en)| {
            quarter(y, q).map(|(a, b)| {
                (
                    format!("Quý {vi} (quý {} năm {y})", roman(q)),
                    format!("{en} quarter (Q{q} {y})"),
                    a,
                    b,
                )
            })
        })
        .collect()
}

/// Quarters as Vietnamese documents number them.
fn roman(q: u32) -> &'static str {
    match q {
        1 => "I",
        2 => "II",
        3 => "III",
        _ => "IV",
    }
}

/// The report upward as Markdown, for the period the statistics page shows.
pub async fn stats_report_download(
    state: State<AppState>,
    headers: HeaderMap,
    staff: MaybeStaff,
    q: Query<StatsPageQuery>,
) -> Response {
    stats_download(state, headers, staff, q, Download::Markdown).await
}

/// The same report as a Word file, to sign and forward.
pub async fn stats_report_docx(
    state: State<AppState>,
    headers: HeaderMap,
    staff: MaybeStaff,
    q: Query<StatsPageQuery>,
) -> Response {
    stats_download(state, headers, staff, q, Download::Docx).await
}

/// The report's agency table as CSV, for a spreadsheet.
pub async fn stats_agencies_csv(
    state: State<AppState>,
    headers: HeaderMap,
    staff: MaybeStaff,
    q: Query<StatsPageQuery>,
) -> Response {
    stats_download(state, headers, staff, q, Download::Csv).await
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Download {
    Markdown,
    Docx,
    Csv,
}

async fn stats_download(
    State(state): State<AppState>,
    headers: HeaderMap,
    MaybeStaff(staff): MaybeStaff,
    Query(q): Query<StatsPageQuery>,
    kind: Download,
) -> Response {
    if staff.is_none() {
        return login_redirect();
    }
    let page = Page::new(&headers, q.lang.as_deref());
    let (first, last, s) = match period_figures(&state, &q).await {
        Ok(figures) => figures,
        Err(e) => return page.error(&state, &e, "/quan-tri/thong-ke"),
    };
    let pack = state.desk.pack();
    let today = crate::notices::today_vn();
    if kind == Download::Csv {
        return (
            [
                (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_string()),
                (
                    header::CONTENT_DISPOSITION,
                    format!("attachment; filename=\"so-lieu-co-quan-{first}-den-{last}.csv\""),
                ),
            ],
            crate::report::agencies_csv(&s, &pack),
        )
            .into_response();
    }
    let code = q
        .co_quan
        .as_deref()
        .map(str::trim)
        .filter(|c| !c.is_empty());
    let period = (first, last);
    let body = match (kind, code) {
        (Download::Docx, None) => Some(crate::report::docx(&s, &pack, first, last, today)),
        (Download::Docx, Some(code)) => crate::report::agency_docx(&s, &pack, code, period, today),
        (_, None) => Some(crate::report::markdown(&s, &pack, first, last, today).into_bytes()),
        (_, Some(code)) => {
            crate::report::agency_markdown(&s, &pack, code, period, today).map(String::into_bytes)
        }
    };
    let Some(body) = body else {
        let code = code.unwrap_or_default();
        let e = workflow::FieldError::new(
            "co_quan",
            format!("Không có cơ quan mã `{code}` trong văn bản chỉ đạo."),
            format!("The directive names no agency with code `{code}`."),
        );
        return page.error(&state, &e.into(), "/quan-tri/thong-ke");
    };
    let stem = match code {
        None => format!("bao-cao-{first}-den-{last}"),
        Some(code) => format!("bao-cao-{code}-{first}-den-{last}"),
    };
    let (mime, ext) = if kind == Download::Docx {
        (
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            "docx",
        )
    } else {
        ("text/markdown; charset=utf-8", "md")
    };
    (
        [
            (header::CONTENT_TYPE, mime.to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{stem}.{ext}\""),
            ),
        ],
        body,
    )
        .into_response()
}

#[derive(Deserialize, Default, serde::Serialize)]
pub struct OutreachForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    agency: String,
    #[serde(default)]
    kind: String,
    #[serde(default)]
    audience: String,
    #[serde(default)]
    held_on: String,
    #[serde(default)]
    topic: String,
    #[serde(default)]
    attendees: String,
    #[serde(default)]
    materials_url: String,
}

/// Awareness talks, trainings and campaigns: the form to record one and the latest ones.
pub async fn outreach_page(
    State(state): State<AppState>,
    headers: HeaderMap,
    MaybeStaff(staff): MaybeStaff,
    Query(q): Query<LangQuery>,
) -> Response {
    let Some(staff) = staff else {
        return login_redirect();
    };
    let page = Page::new(&headers, q.lang.as_deref());
    render_outreach(
        &state,
        &page,
        &staff,
        (StatusCode::OK, None, None),
        OutreachForm::default(),
    )
    .await
}

pub async fn outreach_record(
    State(state): State<AppState>,
    headers: HeaderMap,
    MaybeStaff(staff): MaybeStaff,
    Form(form): Form<OutreachForm>,
) -> Response {
    let Some(staff) = staff else {
        return session_ended_redirect();
    };
    let page = Page::new(&headers, None);
    let attendees = match form.attendees.trim().parse::<i64>() {
        Ok(n) => Ok(n),
        Err(_) => Err(ApiError::from(workflow::FieldError::new(
            "attendees",
            "Số người tham dự phải là một số.",
            "Attendees must be a number.",
        ))),
    };
    let draft = attendees.map(|attendees| kc_desk::outreach::OutreachDraft {
        agency: form.agency.clone(),
        kind: form.kind.clone(),
        audience: form.audience.clone(),
        held_on: form.held_on.clone(),
        topic: form.topic.clone(),
        attendees,
        materials_url: Some(form.materials_url.clone()),
    });
    let result = match (check_csrf(&headers, &form.csrf), draft) {
        (Err(e), _) | (Ok(()), Err(e)) => Err(e),
        (Ok(()), Ok(d)) => state.desk.record_outreach(&staff, &d).await,
    };
    match result {
        Ok(_) => Redirect::to("/quan-tri/tuyen-truyen").into_response(),
        Err(err) => {
            let msg = page.message(&err);
            let shown = (err.status, Some(msg), err.body.field.clone());
            render_outreach(&state, &page, &staff, shown, form).await
        }
    }
}

async fn render_outreach(
    state: &AppState,
    page: &Page,
    staff: &Actor,
    (status, error, error_field): (StatusCode, Option<String>, Option<String>),
    form: OutreachForm,
) -> Response {
    let events = match state.desk.store.list_outreach(200).await {
        Ok(e) => e,
        Err(e) => return page.error(state, &e.into(), "/quan-tri"),
    };
    let pack = state.desk.pack();
    let agencies: Vec<Value> = pack
        .agencies
        .iter()
        .map(|a| context! { code => a.code.clone(), name_vi => a.name_vi.clone(), name_en => a.name_en.clone() })
        .collect();
    let kinds: Vec<Value> = kc_desk::outreach::OutreachKind::ALL
        .iter()
        .map(|k| context! { code => k.as_str(), vi => k.label_vi(), en => k.label_en() })
        .collect();
    let audiences: Vec<Value> = kc_desk::outreach::Audience::ALL
        .iter()
        .map(|k| context! { code => k.as_str(), vi => k.label_vi(), en => k.label_en() })
        .collect();
    let staff_ctx = staff_context(staff);
    page.render(
        state,
        status,
        "outreach.html",
        context! {
            events, agencies, kinds, audiences, error, error_field, form, staff => staff_ctx,
            agency_names => agency_names(state, page.lang),
        },
    )
}

/// A day as the page's language writes it: dd/mm/yyyy in Vietnamese, ISO in English.
fn shown_date(d: chrono::NaiveDate, lang: &str) -> String {
    if lang == "en" {
        d.to_string()
    } else {
        crate::report::vn_date(d)
    }
}

/// The trend as an SVG column chart: a pair of columns per bucket, reports and
/// publications, on one scale; the numbers themselves are in the table beside it.
fn trend_chart(buckets: &[kc_desk::stats::TrendBucket], lang: &str) -> Value {
    let shown = |d: chrono::NaiveDate| shown_date(d, lang);
    const HEIGHT: f64 = 120.0;
    const SLOT: f64 = 12.0;
    let top = buckets
        .iter()
        .map(|b| b.reports.max(b.published))
        .max()
        .unwrap_or(0)
        .max(1) as f64;
    let bars: Vec<Value> = buckets
        .iter()
        .enumerate()
        .map(|(i, b)| {
            let h = |n: usize| (n as f64 / top * HEIGHT * 10.0).round() / 10.0;
            let label = if b.first == b.last {
                shown(b.first)
            } else {
                format!("{} – {}", shown(b.first), shown(b.last))
            };
            context! {
                x => i as f64 * SLOT,
                reports_h => h(b.reports), published_h => h(b.published),
                reports => b.reports, cases_opened => b.cases_opened, published => b.published,
                label,
            }
        })
        .collect();
    context! {
        bars, height => HEIGHT, width => (buckets.len() as f64 * SLOT).max(SLOT),
        top => top as usize,
        first => buckets.first().map(|b| shown(b.first)),
        last => buckets.last().map(|b| shown(b.last)),
    }
}

#[derive(Deserialize, Default, serde::Serialize)]
pub struct DecisionForm {
    #[serde(default)]
    verdict: String,
    #[serde(default)]
    summary: String,
    #[serde(default)]
    reasons: String,
    #[serde(default)]
    evidence_url: String,
    #[serde(default)]
    evidence_note: String,
    #[serde(default)]
    remedy: String,
    #[serde(default)]
    close_reason: String,
    #[serde(default)]
    close_note: String,
    #[serde(default)]
    merge_into: String,
    #[serde(default)]
    merge_note: String,
    /// The case a merge would go into and its claim, shown for confirmation before the
    /// merge, which cannot be undone.
    #[serde(default)]
    merge_target: String,
    #[serde(default)]
    merge_target_claim: String,
    /// The assignment as chosen, given back with its error: `assign_sent` says the
    /// assignment form was the one sent, so its choices replace the case's own.
    #[serde(default)]
    assign_sent: bool,
    #[serde(default)]
    assign_agency: String,
    #[serde(default)]
    assign_harm_category: String,
    #[serde(default)]
    assign_priority: String,
    #[serde(default)]
    assign_assignee: String,
    /// The evidence file's source and note, given back with its error (the file itself
    /// must be chosen again: a browser never refills a file input).
    #[serde(default)]
    evidence_file_source: String,
    #[serde(default)]
    evidence_file_note: String,
    /// The notice form, given back with its error instead of lost on an error page.
    #[serde(default)]
    notice_platform: String,
    #[serde(default)]
    notice_locators: String,
    #[serde(default)]
    notice_scope: String,
    /// A published claim being restated, given back with its error.
    #[serde(default)]
    restated_claim: String,
    /// What a reviewer checked again, given back with its error.
    #[serde(default)]
    recheck_note: String,
    /// A consulted agency's opinion being given, given back with its error.
    #[serde(default)]
    opinion: String,
    #[serde(default)]
    opinion_agency: String,
    /// The provisions ticked; filled by hand, as a checkbox group repeats its name.
    #[serde(skip_deserializing)]
    legal_provisions: Vec<String>,
    /// The publication being made, given back with its error.
    #[serde(default)]
    pub_claim: String,
    #[serde(default)]
    pub_title: String,
    #[serde(default)]
    pub_body: String,
    /// Which of the case page's forms was sent, so that an error is tied to a field of
    /// that form: several of them have a `reasons`, a `note` or a `claim`.
    /// An appeal's decision being made, given back with its error: which appeal, the
    /// outcome chosen and the reasons typed.
    #[serde(default)]
    appeal_id: Option<i64>,
    #[serde(default)]
    appeal_outcome: String,
    #[serde(default)]
    appeal_reasons: String,
    /// A notice's step being recorded, given back with its error.
    #[serde(default)]
    step_notice: Option<i64>,
    #[serde(default)]
    step: String,
    #[serde(default)]
    step_date: String,
    #[serde(default)]
    step_note: String,
    #[serde(skip)]
    origin: CaseForm,
    /// The id of the control in error, see [`case_control`].
    #[serde(skip_deserializing)]
    error_control: Option<String>,
}

/// The case page's forms whose errors are tied to one of their fields.
#[derive(Clone, Copy, Default, PartialEq, Eq, Debug)]
pub(crate) enum CaseForm {
    #[default]
    None,
    Assign,
    Decide,
    Publish,
    Restate,
    Recheck,
    Opinion,
    Close,
    Merge,
    Notice,
    EvidenceFile,
    /// The decision form of this appeal.
    Appeal(i64),
    /// The step form of this notice.
    NoticeStep(i64),
}

/// The id of the control on the case page that an error about `field` of `form` is about,
/// for the page to mark it and link to it; None when no one control is (a ticked
/// provision, the CSRF token, a step the case is not in).
pub(crate) fn case_control(form: CaseForm, field: Option<&str>) -> Option<String> {
    let field = field?;
    // `evidence[0].url` is the evidence box, `locators[2]` the locators box.
    let base = field.split(['[', '.']).next().unwrap_or(field);
    // The appeals and notices each have their own form, so their controls carry their id.
    match (form, base) {
        (CaseForm::Appeal(a), "outcome") => return Some(format!("outcome-{a}")),
        (CaseForm::Appeal(a), "reasons") => return Some(format!("appeal-reasons-{a}")),
        (CaseForm::NoticeStep(n), "step" | "date" | "note") => return Some(format!("{base}-{n}")),
        _ => {}
    }
    let id = match (form, base) {
        (CaseForm::Assign, "agency") => "agency",
        (CaseForm::Assign, "assignee") => "assignee",
        (CaseForm::Assign, "harm_category") => "harm_category",
        (CaseForm::Assign, "priority") => "priority",
        (CaseForm::Decide, "verdict") => "verdict",
        (CaseForm::Decide, "summary") => "summary",
        (CaseForm::Decide, "reasons") => "reasons",
        (CaseForm::Decide, "evidence") => "evidence_url",
        (CaseForm::Decide, "remedy") => "remedy",
        (CaseForm::Publish, "claim") => "claim",
        (CaseForm::Publish, "title") => "title",
        (CaseForm::Publish, "body") => "body",
        (CaseForm::Restate, "claim") => "restated-claim",
        (CaseForm::Recheck, "note") => "recheck-note",
        (CaseForm::Opinion, "opinion") => "opinion-text",
        (CaseForm::Close, "reason") => "close_reason",
        (CaseForm::Close, "note") => "close_note",
        (CaseForm::Merge, "into") => "merge_into",
        (CaseForm::Notice, "platform") => "notice-platform",
        (CaseForm::Notice, "locators") => "notice-locators",
        (CaseForm::Notice, "territorial_scope") => "notice-scope",
        (CaseForm::EvidenceFile, "file") => "evidence-file",
        (CaseForm::EvidenceFile, "source_url") => "evidence-source",
        (CaseForm::EvidenceFile, "note") => "evidence-file-note",
        _ => return None,
    };
    Some(id.to_string())
}

impl DecisionForm {
    /// The evidence file form as typed (but its file).
    pub(crate) fn evidence_file(source: &str, note: &str) -> DecisionForm {
        DecisionForm {
            evidence_file_source: source.to_string(),
            evidence_file_note: note.to_string(),
            origin: CaseForm::EvidenceFile,
            ..DecisionForm::default()
        }
    }

    /// The notice form as typed.
    pub(crate) fn notice(platform: &str, locators: &str, scope: &str) -> DecisionForm {
        DecisionForm {
            notice_platform: platform.to_string(),
            notice_locators: locators.to_string(),
            notice_scope: scope.to_string(),
            origin: CaseForm::Notice,
            ..DecisionForm::default()
        }
    }

    /// An appeal's decision as typed.
    pub(crate) fn appeal(appeal: i64, outcome: &str, reasons: &str) -> DecisionForm {
        DecisionForm {
            appeal_id: Some(appeal),
            appeal_outcome: outcome.to_string(),
            appeal_reasons: reasons.to_string(),
            origin: CaseForm::Appeal(appeal),
            ..DecisionForm::default()
        }
    }

    /// A notice's step as typed.
    pub(crate) fn notice_step(notice: i64, step: &str, date: &str, note: &str) -> DecisionForm {
        DecisionForm {
            step_notice: Some(notice),
            step: step.to_string(),
            step_date: date.to_string(),
            step_note: note.to_string(),
            origin: CaseForm::NoticeStep(notice),
            ..DecisionForm::default()
        }
    }

    /// A returned decision, to be corrected rather than typed again from nothing.
    fn from_returned(d: &kc_store::CaseDetail) -> Option<DecisionForm> {
        let last = d.decisions.last().filter(|x| x.status == "returned")?;
        let evidence = d.evidence.iter().find(|e| e.decision_id == Some(last.id));
        Some(DecisionForm {
            verdict: last.verdict.clone(),
            summary: last.summary.clone(),
            reasons: last.reasons.clone(),
            evidence_url: evidence.and_then(|e| e.url.clone()).unwrap_or_default(),
            evidence_note: evidence.and_then(|e| e.note.clone()).unwrap_or_default(),
            remedy: last.remedy.clone(),
            legal_provisions: last.legal_provisions.clone(),
            ..DecisionForm::default()
        })
    }
}

/// How far ahead the console lists fact-checks falling due for re-checking.
const RECHECK_NOTICE_DAYS: i64 = 30;

/// The case page, with only the forms the signed-in person may use in the case's state.
async fn render_case(
    state: &AppState,
    page: &Page,
    staff: &Actor,
    case_id: i64,
    (status, error): (StatusCode, Option<String>),
    form: DecisionForm,
    revealed: Option<Revealed>,
) -> Response {
    let d = match state.desk.case_detail(case_id).await {
        Ok(d) => d,
        Err(e) => return page.error(state, &e, "/quan-tri"),
    };
    // Only whether a contact is held, and only for those who may read it; the contact
    // itself appears only after an explicit, audited request.
    let may_read_contact = workflow::may_read_contact(staff, d.case.agency.as_deref()).is_ok();
    let with_contact: Vec<i64> = if may_read_contact {
        match state.desk.store.reports_with_contact(case_id).await {
            Ok(ids) => ids,
            Err(e) => return page.error(state, &e.into(), "/quan-tri"),
        }
    } else {
        Vec::new()
    };
    let (revealed_report, revealed_appeal, revealed_contact) = match revealed {
        Some(Revealed::Report(id, c)) => (Some(id), None, Some(c)),
        Some(Revealed::Appeal(id, c)) => (None, Some(id), Some(c)),
        None => (None, None, None),
    };
    let pack = state.desk.pack();
    let case_state = kc_desk::CaseState::parse(&d.case.state);
    let agency = d.case.agency.as_deref();
    let allowed = |action: CaseAction| {
        case_state.is_some_and(|s| workflow::next_state(s, action).is_ok())
            && action.roles().iter().any(|r| staff.has_role(*r, agency))
    };
    let pending_by = d
        .decisions
        .iter()
        .rev()
        .find(|x| x.status == "pending")
        .map(|x| x.decided_by.clone());
    let own_decision = pending_by.as_deref() == Some(staff.name.as_str());
    let untouched = form.verdict.is_empty() && form.summary.is_empty() && form.reasons.is_empty();
    let error_control = form.error_control.clone();
    let form = match DecisionForm::from_returned(&d) {
        Some(returned) if untouched && error.is_none() => returned,
        _ => form,
    };
    let can = context! {
        assign => allowed(CaseAction::Assign),
        decide => allowed(CaseAction::Decide),
        review => allowed(CaseAction::Review { approve: true }) && !own_decision,
        publish => allowed(CaseAction::Publish),
        restate => d.publication.is_some()
            && CaseAction::Publish.roles().iter().any(|r| staff.has_role(*r, agency)),
        close => allowed(CaseAction::Close),
        answer => allowed(CaseAction::Answer),
        merge => allowed(CaseAction::Merge),
    };
    // The consulted agencies this officer may give an opinion for, now.
    let opinion_agencies: Vec<String> = match case_state {
        Some(st) => d
            .case
            .consulted
            .iter()
            .filter(|c| {
                kc_desk::consult::opinion_agency(staff, st, &d.case.consulted, Some(c)).is_ok()
            })
            .cloned()
            .collect(),
        None => Vec::new(),
    };
    let category = d
        .case
        .harm_category
        .as_deref()
        .and_then(kc_desk::HarmCategory::parse);
    let suggested_agency = pack.route(category).0.to_string();
    let provisions: Vec<Value> = pack
        .provisions
        .iter()
        .map(|p| {
            context! {
                id => p.id.clone(),
                citation => pack.provision_citation_in(&p.id, page.lang == "en").unwrap_or_else(|| p.id.clone()),
                title => p.title_vi.clone(),
            }
        })
        .collect();
    let citations: BTreeMap<String, String> = pack
        .provisions
        .iter()
        .map(|p| {
            (
                p.id.clone(),
                pack.provision_citation_in(&p.id, page.lang == "en")
                    .unwrap_or_else(|| p.id.clone()),
            )
        })
        .collect();
    let harm_categories: Vec<&str> = kc_desk::HarmCategory::ALL
        .iter()
        .map(|c| c.as_str())
        .collect();
    let priorities: Vec<&str> = kc_desk::Priority::ALL.iter().map(|p| p.as_str()).collect();
    // The pack's routing, shown beside the form: the lead is the triager's choice.
    let routing: Vec<Value> = pack
        .routing
        .iter()
        .map(|r| context! { category => r.category.as_str(), lead => r.lead.clone(), consulted => r.consulted.clone() })
        .collect();
    let deadlines: Vec<Value> = kc_desk::Priority::ALL
        .iter()
        .map(|p| context! { priority => p.as_str(), hours => pack.deadline_hours(*p) })
        .collect();
    let verdicts: Vec<&str> = Verdict::ALL.iter().map(|v| v.as_str()).collect();
    let remedies: Vec<&str> = Remedy::ALL.iter().map(|v| v.as_str()).collect();
    let close_reasons: Vec<&str> = kc_desk::CloseReason::ALL
        .iter()
        .map(|r| r.as_str())
        .collect();
    let agencies: Vec<Value> = pack
        .agencies
        .iter()
        .map(|a| context! { code => a.code.clone(), name_vi => a.name_vi.clone(), name_en => a.name_en.clone() })
        .collect();
    let staff_ctx = staff_context(staff);
    let now = kc_store::fmt_time(chrono::Utc::now());
    let overdue = crate::queue::is_overdue(&d.case.state, d.case.deadline.as_deref(), &now);
    let finished_at = crate::queue::case_finished_at(&d);
    let finished =
        crate::queue::finished_in_time(&d.case.state, d.case.deadline.as_deref(), finished_at)
            .map(|in_time| context! { at => finished_at, in_time });
    let escalated_at = if overdue {
        match state.desk.store.escalations(&[case_id]).await {
            Ok(e) => crate::queue::escalation_for_deadline(&d.case, &e).map(|e| e.at.clone()),
            Err(e) => return page.error(state, &e.into(), "/quan-tri"),
        }
    } else {
        None
    };
    let recheck = match &d.publication {
        Some(p) => match recheck_context(state, staff, &d, p).await {
            Ok(r) => r,
            Err(e) => return page.error(state, &e, "/quan-tri"),
        },
        None => None,
    };
    let notices = crate::notices::case_context(state, staff, case_id).await;
    let similar = match state.desk.similar_published(&d.case.claim, 5).await {
        Ok(s) => s,
        Err(e) => return page.error(state, &e, "/quan-tri"),
    };
    let (appeals, decide_appeal) = match crate::appeals::case_appeals(state, staff, case_id).await {
        Ok(a) => a,
        Err(e) => return page.error(state, &e, "/quan-tri"),
    };
    // Staff of another agency see the case but not its files (a screenshot can show
    // people): the page says how many there are.
    let may_see_files = workflow::may_read_files(staff, agency).is_ok();
    let files = if may_see_files {
        match state.desk.case_files(staff, case_id).await {
            Ok(f) => f,
            Err(e) => return page.error(state, &e, "/quan-tri"),
        }
    } else {
        kc_store::CaseFiles::default()
    };
    let add_evidence = workflow::may_add_evidence(staff, agency).is_ok();
    let file_ctx = |sha256: &str, media_type: &str, size: i64| {
        let media = kc_desk::attachment::MediaType::parse(media_type);
        context! {
            sha256 => sha256,
            media_type => media.map_or(media_type, |m| m.mime()),
            is_image => media.is_some_and(|m| m.is_image()),
            size => crate::files::size_label(size),
            kept => files.evidence.iter().any(|e| e.sha256 == sha256),
        }
    };
    let report_files: Vec<Value> = files
        .reports
        .iter()
        .map(|f| {
            context! {
                report_id => f.report_id,
                position => f.position,
                ..file_ctx(&f.sha256, &f.media_type, f.size)
            }
        })
        .collect();
    let evidence_files: Vec<Value> = files
        .evidence
        .iter()
        .map(|e| {
            context! {
                source_url => e.source_url.clone(),
                note => e.note.clone(),
                from_report => e.from_report_id.and_then(|id| d.reports.iter().find(|r| r.id == id)).map(|r| r.receipt.clone()),
                added_by => e.added_by.clone(),
                added_at => e.added_at.clone(),
                ..file_ctx(&e.sha256, &e.media_type, e.size)
            }
        })
        .collect();
    page.render(
        state,
        status,
        "case.html",
        context! {
            d, can, own_decision, error, error_control, form, provisions, appeals, decide_appeal, citations, verdicts, remedies, agencies, similar, finished, recheck,
            suggested_agency, harm_categories, priorities, routing, deadlines, close_reasons, notices,
            with_contact, revealed_report, revealed_appeal, revealed_contact,
            report_files, evidence_files, add_evidence, opinion_agencies, may_see_files,
            overdue, escalated_at, staff => staff_ctx, agency_names => agency_names(state, page.lang),
        },
    )
}

pub async fn case_page(
    State(state): State<AppState>,
    headers: HeaderMap,
    MaybeStaff(staff): MaybeStaff,
    PageId(id): PageId,
    Query(q): Query<LangQuery>,
) -> Response {
    let Some(staff) = staff else {
        return login_redirect();
    };
    let page = Page::new(&headers, q.lang.as_deref());
    render_case(
        &state,
        &page,
        &staff,
        id,
        (StatusCode::OK, None),
        DecisionForm::default(),
        None,
    )
    .await
}

/// A contact a member of staff asked to see, shown once on the case page.
pub enum Revealed {
    Report(i64, String),
    Appeal(i64, String),
}

#[derive(Deserialize)]
pub struct ContactForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    report_id: i64,
}

/// Shows one reporter's contact on the case page, to reply to them; the reading is
/// audited. Rendered directly, never redirected: the contact must not travel in a URL.
pub async fn case_contact(
    State(state): State<AppState>,
    headers: HeaderMap,
    MaybeStaff(staff): MaybeStaff,
    PageId(id): PageId,
    Form(form): Form<ContactForm>,
) -> Response {
    let Some(staff) = staff else {
        return session_ended_redirect();
    };
    let page = Page::new(&headers, None);
    let result = match check_csrf(&headers, &form.csrf) {
        Ok(()) => state.desk.reveal_contact(&staff, id, form.report_id).await,
        Err(e) => Err(e),
    };
    let (status, error, revealed) = match result {
        Ok(contact) => (
            StatusCode::OK,
            None,
            Some(Revealed::Report(form.report_id, contact)),
        ),
        Err(err) => (err.status, Some(page.message(&err)), None),
    };
    render_case(
        &state,
        &page,
        &staff,
        id,
        (status, error),
        DecisionForm::default(),
        revealed,
    )
    .await
}

#[derive(Deserialize)]
pub struct AppealContactForm {
    #[serde(default)]
    csrf: String,
}

/// Shows an appellant's contact to a reviewer, audited, like a reporter's.
pub async fn appeal_contact(
    State(state): State<AppState>,
    headers: HeaderMap,
    MaybeStaff(staff): MaybeStaff,
    Path((id, appeal_id)): Path<(i64, i64)>,
    Form(form): Form<AppealContactForm>,
) -> Response {
    let Some(staff) = staff else {
        return session_ended_redirect();
    };
    let page = Page::new(&headers, None);
    let result = match check_csrf(&headers, &form.csrf) {
        Ok(()) => {
            state
                .desk
                .reveal_appeal_contact(&staff, id, appeal_id)
                .await
        }
        Err(e) => Err(e),
    };
    let (status, error, revealed) = match result {
        Ok(contact) => (
            StatusCode::OK,
            None,
            Some(Revealed::Appeal(appeal_id, contact)),
        ),
        Err(err) => (err.status, Some(page.message(&err)), None),
    };
    render_case(
        &state,
        &page,
        &staff,
        id,
        (status, error),
        DecisionForm::default(),
        revealed,
    )
    .await
}

/// Runs a console action; on success back to the case page (post/redirect/get), on failure
/// the case page again with the message and what was typed.
pub(crate) async fn console_action<F>(
    state: &AppState,
    headers: &HeaderMap,
    staff: Option<Actor>,
    id: i64,
    csrf: &str,
    form: DecisionForm,
    action: F,
) -> Response
where
    F: std::future::Future<Output = Result<(), ApiError>>,
{
    let Some(staff) = staff else {
        return session_ended_redirect();
    };
    let page = Page::new(headers, None);
    let result = match check_csrf(headers, csrf) {
        Ok(()) => action.await,
        Err(e) => Err(e),
    };
    match result {
        Ok(()) => Redirect::to(&format!("/quan-tri/ho-so/{id}")).into_response(),
        Err(err) => {
            let msg = page.message(&err);
            let control = case_control(form.origin, err.body.field.as_deref());
            render_case(
                state,
                &page,
                &staff,
                id,
                (err.status, Some(msg)),
                DecisionForm {
                    error_control: control,
                    ..form
                },
                None,
            )
            .await
        }
    }
}

#[derive(Deserialize)]
pub struct AssignForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    agency: String,
    #[serde(default)]
    assignee: String,
    #[serde(default)]
    harm_category: String,
    #[serde(default)]
    priority: String,
}

pub async fn case_assign(
    State(state): State<AppState>,
    headers: HeaderMap,
    MaybeStaff(staff): MaybeStaff,
    PageId(id): PageId,
    Form(form): Form<AssignForm>,
) -> Response {
    let actor = staff.clone();
    let desk = &state.desk;
    console_action(
        &state,
        &headers,
        staff,
        id,
        &form.csrf,
        DecisionForm {
            origin: CaseForm::Assign,
            assign_sent: true,
            assign_agency: form.agency.clone(),
            assign_harm_category: form.harm_category.clone(),
            assign_priority: form.priority.clone(),
            assign_assignee: form.assignee.clone(),
            ..DecisionForm::default()
        },
        async {
            let actor = actor.ok_or_else(ApiError::unauthorized)?;
            let triage = Triage {
                harm_category: Some(&form.harm_category),
                priority: Some(&form.priority),
            };
            desk.assign(&actor, id, &form.agency, Some(&form.assignee), triage)
                .await
        },
    )
    .await
}

pub async fn case_decide(
    State(state): State<AppState>,
    headers: HeaderMap,
    MaybeStaff(staff): MaybeStaff,
    PageId(id): PageId,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Response {
    // Checkbox groups repeat a name, which a struct cannot hold; collect them by hand.
    let get = |k: &str| {
        pairs
            .iter()
            .find(|(n, _)| n == k)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    let provisions: Vec<String> = pairs
        .iter()
        .filter(|(n, _)| n == "legal_provisions")
        .map(|(_, v)| v.clone())
        .collect();
    let form = DecisionForm {
        verdict: get("verdict"),
        summary: get("summary"),
        reasons: get("reasons"),
        evidence_url: get("evidence_url"),
        evidence_note: get("evidence_note"),
        remedy: get("remedy"),
        legal_provisions: provisions.clone(),
        origin: CaseForm::Decide,
        ..DecisionForm::default()
    };
    let csrf = get("csrf");
    let actor = staff.clone();
    let desk = &state.desk;
    let draft = (|| {
        let verdict = Verdict::parse(&form.verdict).ok_or_else(|| {
            ApiError::from(kc_desk::workflow::FieldError::new(
                "verdict",
                "Vui lòng chọn kết luận.",
                format!("Choose a verdict ({}).", Verdict::expected()),
            ))
        })?;
        let remedy = if form.remedy.is_empty() {
            None
        } else {
            Some(Remedy::parse(&form.remedy).ok_or_else(|| {
                ApiError::from(kc_desk::workflow::FieldError::new(
                    "remedy",
                    "Biện pháp không hợp lệ.",
                    format!("Unknown remedy ({}).", Remedy::expected()),
                ))
            })?)
        };
        Ok::<_, ApiError>(DecisionDraft {
            verdict,
            summary: form.summary.clone(),
            reasons: form.reasons.clone(),
            evidence: vec![EvidenceInput {
                url: Some(form.evidence_url.clone()),
                note: Some(form.evidence_note.clone()),
            }],
            legal_provisions: provisions,
            remedy,
        })
    })();
    console_action(&state, &headers, staff, id, &csrf, form, async {
        let actor = actor.ok_or_else(ApiError::unauthorized)?;
        desk.decide(&actor, id, &draft?).await.map(|_| ())
    })
    .await
}

#[derive(Deserialize)]
pub struct ReviewForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    approve: String,
    #[serde(default)]
    comment: String,
}

pub async fn case_review(
    State(state): State<AppState>,
    headers: HeaderMap,
    MaybeStaff(staff): MaybeStaff,
    PageId(id): PageId,
    Form(form): Form<ReviewForm>,
) -> Response {
    let actor = staff.clone();
    let desk = &state.desk;
    console_action(
        &state,
        &headers,
        staff,
        id,
        &form.csrf,
        DecisionForm::default(),
        async {
            let actor = actor.ok_or_else(ApiError::unauthorized)?;
            desk.review(&actor, id, form.approve == "true", Some(&form.comment))
                .await
        },
    )
    .await
}

#[derive(Deserialize)]
pub struct PublishForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    title: String,
    #[serde(default)]
    body: String,
    #[serde(default)]
    claim: String,
}

pub async fn case_publish(
    State(state): State<AppState>,
    headers: HeaderMap,
    MaybeStaff(staff): MaybeStaff,
    PageId(id): PageId,
    Form(form): Form<PublishForm>,
) -> Response {
    let actor = staff.clone();
    let desk = &state.desk;
    console_action(
        &state,
        &headers,
        staff,
        id,
        &form.csrf,
        DecisionForm {
            pub_claim: form.claim.clone(),
            pub_title: form.title.clone(),
            pub_body: form.body.clone(),
            origin: CaseForm::Publish,
            ..DecisionForm::default()
        },
        async {
            let actor = actor.ok_or_else(ApiError::unauthorized)?;
            desk.publish(
                &actor,
                id,
                Some(&form.title),
                Some(&form.body),
                Some(&form.claim),
            )
            .await
            .map(|_| ())
        },
    )
    .await
}

#[derive(Deserialize)]
pub struct RestateForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    claim: String,
}

/// An editor restates a published fact-check's claim, from the case page.
pub async fn case_restate_claim(
    State(state): State<AppState>,
    headers: HeaderMap,
    MaybeStaff(staff): MaybeStaff,
    PageId(id): PageId,
    Form(form): Form<RestateForm>,
) -> Response {
    let actor = staff.clone();
    let desk = &state.desk;
    let typed = DecisionForm {
        restated_claim: form.claim.clone(),
        origin: CaseForm::Restate,
        ..DecisionForm::default()
    };
    console_action(&state, &headers, staff, id, &form.csrf, typed, async {
        let actor = actor.ok_or_else(ApiError::unauthorized)?;
        desk.restate_published_claim(&actor, id, &form.claim)
            .await
            .map(|_| ())
    })
    .await
}

/// Where the case's published verdict stands with re-checking: when it was last verified,
/// from when it stops answering reports on its own, its re-checks, and whether this officer
/// may record one (a reviewer of the case's agency who neither drafted nor approved the
/// decision). `None` when the publication no longer stands (overturned or replaced).
async fn recheck_context(
    state: &AppState,
    staff: &Actor,
    d: &kc_store::CaseDetail,
    p: &kc_store::PublicationRecord,
) -> Result<Option<Value>, ApiError> {
    let store = &state.desk.store;
    let Some(verified) = store.publication_verified_at(p.id).await? else {
        return Ok(None);
    };
    let pack = state.desk.pack();
    let at = crate::appeals::parse_time(&verified)?;
    let decision = d.decisions.iter().find(|x| x.id == p.decision_id);
    let may = CaseAction::Review { approve: true }
        .roles()
        .iter()
        .any(|r| staff.has_role(*r, d.case.agency.as_deref()))
        && decision.is_some_and(|x| {
            workflow::check_rechecker(&x.decided_by, x.reviewed_by.as_deref(), &staff.name).is_ok()
        });
    Ok(Some(context! {
        verified_at => verified,
        due_at => kc_store::fmt_time(workflow::recheck_due(at, &pack)),
        is_due => workflow::due_for_recheck(at, chrono::Utc::now(), &pack),
        history => store.publication_rechecks(p.id).await?,
        may,
    }))
}

#[derive(Deserialize)]
pub struct RecheckForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    note: String,
}

/// A reviewer records, from the case page, that the published verdict still holds.
pub async fn case_recheck(
    State(state): State<AppState>,
    headers: HeaderMap,
    MaybeStaff(staff): MaybeStaff,
    PageId(id): PageId,
    Form(form): Form<RecheckForm>,
) -> Response {
    let actor = staff.clone();
    let desk = &state.desk;
    let typed = DecisionForm {
        recheck_note: form.note.clone(),
        origin: CaseForm::Recheck,
        ..DecisionForm::default()
    };
    console_action(&state, &headers, staff, id, &form.csrf, typed, async {
        let actor = actor.ok_or_else(ApiError::unauthorized)?;
        desk.recheck_published(&actor, id, &form.note)
            .await
            .map(|_| ())
    })
    .await
}

#[derive(Deserialize)]
pub struct OpinionForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    agency: String,
    #[serde(default)]
    opinion: String,
}

/// A consulted agency's opinion, from the case page.
pub async fn case_opinion(
    State(state): State<AppState>,
    headers: HeaderMap,
    MaybeStaff(staff): MaybeStaff,
    PageId(id): PageId,
    Form(form): Form<OpinionForm>,
) -> Response {
    let actor = staff.clone();
    let desk = &state.desk;
    let typed = DecisionForm {
        opinion: form.opinion.clone(),
        opinion_agency: form.agency.clone(),
        origin: CaseForm::Opinion,
        ..DecisionForm::default()
    };
    console_action(&state, &headers, staff, id, &form.csrf, typed, async {
        let actor = actor.ok_or_else(ApiError::unauthorized)?;
        let agency = Some(form.agency.as_str()).filter(|a| !a.trim().is_empty());
        desk.give_opinion(&actor, id, agency, &form.opinion)
            .await
            .map(|_| ())
    })
    .await
}

#[derive(Deserialize)]
pub struct CloseForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    reason: String,
    #[serde(default)]
    note: String,
}

pub async fn case_close(
    State(state): State<AppState>,
    headers: HeaderMap,
    MaybeStaff(staff): MaybeStaff,
    PageId(id): PageId,
    Form(form): Form<CloseForm>,
) -> Response {
    let actor = staff.clone();
    let desk = &state.desk;
    let typed = DecisionForm {
        close_reason: form.reason.clone(),
        close_note: form.note.clone(),
        origin: CaseForm::Close,
        ..DecisionForm::default()
    };
    console_action(&state, &headers, staff, id, &form.csrf, typed, async {
        let actor = actor.ok_or_else(ApiError::unauthorized)?;
        desk.close(&actor, id, &form.reason, &form.note).await
    })
    .await
}

#[derive(Deserialize)]
pub struct AnswerForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    slug: String,
    #[serde(default)]
    note: String,
}

pub async fn case_answer(
    State(state): State<AppState>,
    headers: HeaderMap,
    MaybeStaff(staff): MaybeStaff,
    PageId(id): PageId,
    Form(form): Form<AnswerForm>,
) -> Response {
    let actor = staff.clone();
    let desk = &state.desk;
    console_action(
        &state,
        &headers,
        staff,
        id,
        &form.csrf,
        DecisionForm::default(),
        async {
            let actor = actor.ok_or_else(ApiError::unauthorized)?;
            desk.answer_with(&actor, id, &form.slug, Some(&form.note))
                .await
                .map(|_| ())
        },
    )
    .await
}

#[derive(Deserialize)]
pub struct MergeForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    into: String,
    #[serde(default)]
    note: String,
    /// Set by the confirmation step: the officer has seen the target's claim.
    #[serde(default)]
    confirm: String,
}

pub async fn case_merge(
    State(state): State<AppState>,
    headers: HeaderMap,
    MaybeStaff(staff): MaybeStaff,
    PageId(id): PageId,
    Form(form): Form<MergeForm>,
) -> Response {
    let actor = staff.clone();
    let desk = &state.desk;
    let mut typed = DecisionForm {
        merge_into: form.into.clone(),
        merge_note: form.note.clone(),
        origin: CaseForm::Merge,
        ..DecisionForm::default()
    };
    // Officers type "#12" as often as "12".
    let into: Result<i64, ApiError> = form
        .into
        .trim()
        .trim_start_matches('#')
        .trim()
        .parse()
        .map_err(|_| {
            ApiError::from(kc_desk::workflow::FieldError::new(
                "into",
                "Vui lòng nhập số hồ sơ cần gộp vào (ví dụ 12).",
                "Give the number of the case to merge into (e.g. 12).",
            ))
        });
    // A merge cannot be undone: first show the case it would go into, by its claim, and
    // merge only when the officer confirms that one.
    if form.confirm != "1" && check_csrf(&headers, &form.csrf).is_ok() {
        if let (Some(staff), Ok(into)) = (&staff, &into) {
            if let Ok(Some(target)) = desk.store.case(*into).await {
                typed.merge_target = into.to_string();
                typed.merge_target_claim = target.claim;
                let page = Page::new(&headers, None);
                return render_case(
                    &state,
                    &page,
                    staff,
                    id,
                    (StatusCode::OK, None),
                    typed,
                    None,
                )
                .await;
            }
        }
    }
    console_action(&state, &headers, staff, id, &form.csrf, typed, async {
        let actor = actor.ok_or_else(ApiError::unauthorized)?;
        desk.merge(&actor, id, into?, Some(&form.note))
            .await
            .map(|_| ())
    })
    .await
}

/// Any role at all lets a person see the console; the public sees nothing of it.
pub fn has_any_role(actor: &Actor) -> bool {
    Role::ALL.iter().any(|r| actor.has_role(*r, None))
}

pub fn no_store(mut resp: Response) -> Response {
    resp.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    resp
}

#[cfg(test)]
mod tests {
    /// A field error names the form control to mark: `urls[2]` is the links box.
    #[test]
    fn report_errors_point_at_the_control_they_are_about() {
        assert_eq!(super::report_control(Some("text")), Some("text"));
        assert_eq!(super::report_control(Some("urls[2]")), Some("urls"));
        assert_eq!(super::report_control(Some("files[0]")), Some("files"));
        assert_eq!(super::report_control(Some("contact")), Some("contact"));
        assert_eq!(super::report_control(Some("csrf")), None);
        assert_eq!(super::report_control(None), None);
    }

    /// The quarter presets: the quarter a day falls in and the one before, across a year.
    #[test]
    fn quarter_presets_cover_this_quarter_and_the_last_across_a_year() {
        let d = |y, m, day| chrono::NaiveDate::from_ymd_opt(y, m, day).expect("date");
        let presets = super::quarter_presets(d(2026, 1, 15));
        let spans: Vec<_> = presets
            .iter()
            .map(|(vi, _, a, b)| (vi.as_str(), *a, *b))
            .collect();
        assert_eq!(
            spans,
            [
                ("Quý này (quý I năm 2026)", d(2026, 1, 1), d(2026, 3, 31)),
                (
                    "Quý trước (quý IV năm 2025)",
                    d(2025, 10, 1),
                    d(2025, 12, 31)
                ),
            ]
        );
        let presets = super::quarter_presets(d(2026, 11, 30));
        assert_eq!(
            (presets[0].2, presets[0].3),
            (d(2026, 10, 1), d(2026, 12, 31))
        );
        assert_eq!(
            (presets[1].2, presets[1].3),
            (d(2026, 7, 1), d(2026, 9, 30))
        );
    }
}
