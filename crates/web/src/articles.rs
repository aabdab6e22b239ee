//! Awareness material on the portal (`/nhan-dien`): editors write articles on recognising
//! false information; the public reads them, in the list, on the home page and in the Atom
//! feed. The rules are `kc_desk::awareness`'s.

use crate::api::ApiJson;
use crate::desk::Desk;
use crate::error::{ApiError, ErrorEnvelope};
use crate::pages::{LangQuery, Page, PageId};
use crate::session::{check_csrf, MaybeStaff, Staff};
use crate::AppState;
use axum::extract::rejection::FormRejection;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::{Form, Json};
use kc_desk::awareness::{self, ArticleDraft};
use kc_desk::Actor;
use kc_store::ArticleRecord;
use minijinja::context;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use utoipa::{OpenApi, ToSchema};

/// How many articles the public list and the feed show.
const LISTED: i64 = 200;

pub fn article_path(slug: &str) -> String {
    format!("/nhan-dien/{slug}")
}

/// An article number from an API path: anything else is the API's JSON 404.
pub struct ArticleId(pub i64);

impl<S: Send + Sync> axum::extract::FromRequestParts<S> for ArticleId {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        state: &S,
    ) -> Result<Self, Self::Rejection> {
        crate::api::path_id(parts, state, ("bài viết", "Article"))
            .await
            .map(ArticleId)
    }
}

/// The largest request body the article routes take, in bytes: the longest article
/// allowed (title, summary and body at their limits) even when every character is one
/// that form encoding turns into 12 bytes (`%XX` for each byte of a 4-byte character).
/// The general limit is far smaller and would refuse a long article before it is read.
pub const ARTICLE_BODY_BYTES: usize =
    (awareness::MAX_TITLE_CHARS + awareness::MAX_SUMMARY_CHARS + awareness::MAX_BODY_CHARS) * 12
        + 4096;

/// An article sent over the byte limit: said with the limit a writer can act on, the
/// body's length in characters.
fn article_too_large() -> ApiError {
    let max = awareness::MAX_BODY_CHARS;
    ApiError::new(
        StatusCode::PAYLOAD_TOO_LARGE,
        "body_too_large",
        format!(
            "Bài viết quá dài: phần nội dung tối đa {} ký tự. Hãy rút gọn hoặc chia thành nhiều bài.",
            thousands(max, '.')
        ),
        format!(
            "The article is too long: the body is at most {} characters. Shorten it or split it into several articles.",
            thousands(max, ',')
        ),
    )
}

/// `50000` as `50.000` (Vietnamese) or `50,000` (English).
fn thousands(n: usize, sep: char) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, d) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(sep);
        }
        out.push(d);
    }
    out
}

/// A form the console could not read: too large is [`article_too_large`]; anything else
/// is axum's reason, said in both languages' place.
fn form_refused(rejection: &FormRejection) -> ApiError {
    if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
        article_too_large()
    } else {
        ApiError::new(
            rejection.status(),
            "bad_body",
            "Không đọc được biểu mẫu gửi lên.",
            rejection.body_text(),
        )
    }
}

fn article_not_found() -> ApiError {
    ApiError::not_found("bài viết", "Article")
}

impl Desk {
    /// Publishes an awareness article at once (an editor's own portal content, like a
    /// correction's text); returns it.
    pub async fn publish_article(
        &self,
        actor: &Actor,
        draft: &ArticleDraft,
    ) -> Result<ArticleRecord, ApiError> {
        awareness::may_write(actor)?;
        let valid = awareness::validate(draft)?;
        let store = &self.store;
        let slug = crate::desk::free_slug(&awareness::slug_text(&valid.title), |s| async move {
            store.article_slug_taken(&s).await
        })
        .await?;
        let mut tx = self.store.begin_write(&actor.name).await?;
        let id = tx.publish_article(&slug, &valid).await?;
        tx.commit().await?;
        self.store
            .article(id)
            .await?
            .ok_or_else(|| ApiError::internal("article vanished after commit"))
    }

    /// Corrects an article's text; its address and publication date stay.
    pub async fn update_article(
        &self,
        actor: &Actor,
        id: i64,
        draft: &ArticleDraft,
    ) -> Result<ArticleRecord, ApiError> {
        awareness::may_write(actor)?;
        let valid = awareness::validate(draft)?;
        let mut tx = self.store.begin_write(&actor.name).await?;
        if !tx.update_article(id, &valid).await? {
            return Err(article_not_found());
        }
        tx.commit().await?;
        self.store.article(id).await?.ok_or_else(article_not_found)
    }
}

/// An article as the public sees it: no staff name.
#[derive(Serialize, ToSchema)]
pub struct ArticleOut {
    pub id: i64,
    pub url: String,
    pub title: String,
    pub summary: String,
    pub body: String,
    pub published_at: String,
    pub updated_at: String,
}

impl From<&ArticleRecord> for ArticleOut {
    fn from(a: &ArticleRecord) -> Self {
        ArticleOut {
            id: a.id,
            url: article_path(&a.slug),
            title: a.title.clone(),
            summary: a.summary.clone(),
            body: a.body.clone(),
            published_at: a.published_at.clone(),
            updated_at: a.updated_at.clone(),
        }
    }
}

/// An article's body as the document shows it; the desk reads it as [`ArticleDraft`], which
/// lives in the pure core and carries no schema.
#[derive(ToSchema)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
pub struct ArticleIn {
    /// At most 200 characters; the address is made from it.
    title: String,
    /// The lead shown in lists and the feed (at most 400 characters); the body's first
    /// paragraph when absent or empty.
    #[schema(nullable = false)]
    summary: Option<String>,
    /// Paragraphs separated by a blank line.
    body: String,
}

/// The awareness articles, newest first.
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct ArticleList {
    count: usize,
    items: Vec<ArticleOut>,
}

/// Publishes an awareness article (editor): `{"title", "summary"?, "body"}`, paragraphs
/// separated by a blank line. The summary defaults to the first paragraph.
#[utoipa::path(post, path = "/api/v1/articles", request_body = ArticleIn,
    responses((status = 201, body = ArticleOut), (status = 401, body = ErrorEnvelope),
              (status = 403, body = ErrorEnvelope), (status = 413, body = ErrorEnvelope),
              (status = 422, body = ErrorEnvelope)))]
pub async fn api_publish(
    State(state): State<AppState>,
    Staff(actor): Staff,
    body: Result<ApiJson<ArticleDraft>, ApiError>,
) -> Result<impl IntoResponse, ApiError> {
    let ApiJson(body) = body.map_err(api_body_refused)?;
    let a = state.desk.publish_article(&actor, &body).await?;
    Ok((StatusCode::CREATED, Json(ArticleOut::from(&a))))
}

/// Corrects an article (editor), same body as publishing; its address stays.
#[utoipa::path(post, path = "/api/v1/articles/{id}", request_body = ArticleIn,
    params(("id" = i64, Path, description = "Article id")),
    responses((status = 200, body = ArticleOut), (status = 401, body = ErrorEnvelope),
              (status = 403, body = ErrorEnvelope), (status = 404, body = ErrorEnvelope),
              (status = 413, body = ErrorEnvelope), (status = 422, body = ErrorEnvelope)))]
pub async fn api_update(
    State(state): State<AppState>,
    Staff(actor): Staff,
    ArticleId(id): ArticleId,
    body: Result<ApiJson<ArticleDraft>, ApiError>,
) -> Result<Json<ArticleOut>, ApiError> {
    let ApiJson(body) = body.map_err(api_body_refused)?;
    let a = state.desk.update_article(&actor, id, &body).await?;
    Ok(Json(ArticleOut::from(&a)))
}

/// The API's refusal of a body, with an article's own limit when it was too large.
fn api_body_refused(e: ApiError) -> ApiError {
    if e.status == StatusCode::PAYLOAD_TOO_LARGE {
        article_too_large()
    } else {
        e
    }
}

/// The awareness articles, newest first (public).
#[utoipa::path(get, path = "/api/v1/articles", operation_id = "list_articles",
    responses((status = 200, body = ArticleList)))]
pub async fn api_list(State(state): State<AppState>) -> Result<Json<Value>, ApiError> {
    let items: Vec<ArticleOut> = state
        .desk
        .store
        .articles(LISTED)
        .await?
        .iter()
        .map(ArticleOut::from)
        .collect();
    Ok(Json(json!({ "count": items.len(), "items": items })))
}

#[derive(OpenApi)]
#[openapi(paths(api_publish, api_update, api_list))]
pub struct ArticleDoc;

// ---------- public pages ----------

pub async fn list_page(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(q): Query<LangQuery>,
) -> Response {
    let page = Page::new(&headers, q.lang.as_deref());
    match state.desk.store.articles(LISTED).await {
        Ok(articles) => page.render(
            &state,
            StatusCode::OK,
            "articles.html",
            context! { articles => articles.iter().map(ArticleOut::from).collect::<Vec<_>>() },
        ),
        Err(e) => page.error(&state, &e.into(), "/"),
    }
}

pub async fn article_page(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(slug): Path<String>,
    Query(q): Query<LangQuery>,
) -> Response {
    let page = Page::new(&headers, q.lang.as_deref());
    let a = match state.desk.store.article_by_slug(&slug).await {
        Ok(Some(a)) => a,
        Ok(None) => return page.error(&state, &article_not_found(), "/nhan-dien"),
        Err(e) => return page.error(&state, &e.into(), "/nhan-dien"),
    };
    let url = format!("{}{}", state.config.public_url, article_path(&a.slug));
    let publisher = state.desk.pack().portal.publisher.clone();
    let jsonld = json!({
        "@context": "https://schema.org",
        "@type": "Article",
        "headline": a.title,
        "description": a.summary,
        "url": url,
        "inLanguage": "vi",
        "datePublished": a.published_at,
        "dateModified": a.updated_at,
        "publisher": { "@type": "GovernmentOrganization", "name": publisher },
    });
    let edited = a.updated_at != a.published_at;
    let paragraphs = crate::pages::paragraphs(&a.body);
    // A summary that is only the first paragraph again is not shown twice.
    let own_summary = paragraphs
        .first()
        .map(|p| p.split_whitespace().collect::<Vec<_>>().join(" "))
        .as_deref()
        != Some(a.summary.as_str());
    page.render(
        &state,
        StatusCode::OK,
        "article.html",
        context! {
            a => ArticleOut::from(&a),
            paragraphs, own_summary,
            jsonld => crate::feeds::script_safe_json(&jsonld),
            edited,
        },
    )
}

// ---------- console ----------

#[derive(Deserialize, Default, Serialize)]
pub struct ArticleForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    title: String,
    #[serde(default)]
    summary: String,
    #[serde(default)]
    body: String,
}

impl ArticleForm {
    fn draft(&self) -> ArticleDraft {
        ArticleDraft {
            title: self.title.clone(),
            summary: self.summary.clone(),
            body: self.body.clone(),
        }
    }
}

/// The editor's desk for articles: the form to write one and the list to correct them.
pub async fn console_page(
    State(state): State<AppState>,
    headers: HeaderMap,
    MaybeStaff(staff): MaybeStaff,
    Query(q): Query<LangQuery>,
) -> Response {
    let Some(staff) = staff else {
        return crate::pages::login_redirect();
    };
    let page = Page::new(&headers, q.lang.as_deref());
    render_console(
        &state,
        &page,
        &staff,
        (StatusCode::OK, None, None),
        None,
        ArticleForm::default(),
    )
    .await
}

/// The form again, filled with one article to correct it.
pub async fn console_edit_page(
    State(state): State<AppState>,
    headers: HeaderMap,
    MaybeStaff(staff): MaybeStaff,
    PageId(id): PageId,
    Query(q): Query<LangQuery>,
) -> Response {
    let Some(staff) = staff else {
        return crate::pages::login_redirect();
    };
    let page = Page::new(&headers, q.lang.as_deref());
    let a = match state.desk.store.article(id).await {
        Ok(Some(a)) => a,
        Ok(None) => return page.error(&state, &article_not_found(), "/quan-tri/bai-viet"),
        Err(e) => return page.error(&state, &e.into(), "/quan-tri/bai-viet"),
    };
    let form = ArticleForm {
        csrf: String::new(),
        title: a.title,
        summary: a.summary,
        body: a.body,
    };
    render_console(
        &state,
        &page,
        &staff,
        (StatusCode::OK, None, None),
        Some(id),
        form,
    )
    .await
}

pub async fn console_publish(
    State(state): State<AppState>,
    headers: HeaderMap,
    MaybeStaff(staff): MaybeStaff,
    form: Result<Form<ArticleForm>, FormRejection>,
) -> Response {
    let Some(staff) = staff else {
        return crate::pages::session_ended_redirect();
    };
    let form = match form {
        Ok(Form(form)) => form,
        Err(e) => {
            return Page::new(&headers, None).error(&state, &form_refused(&e), "/quan-tri/bai-viet")
        }
    };
    let result = match check_csrf(&headers, &form.csrf) {
        Ok(()) => state.desk.publish_article(&staff, &form.draft()).await,
        Err(e) => Err(e),
    };
    console_outcome(&state, &headers, &staff, None, form, result).await
}

pub async fn console_update(
    State(state): State<AppState>,
    headers: HeaderMap,
    MaybeStaff(staff): MaybeStaff,
    PageId(id): PageId,
    form: Result<Form<ArticleForm>, FormRejection>,
) -> Response {
    let Some(staff) = staff else {
        return crate::pages::session_ended_redirect();
    };
    let form = match form {
        Ok(Form(form)) => form,
        Err(e) => {
            let back = format!("/quan-tri/bai-viet/{id}");
            return Page::new(&headers, None).error(&state, &form_refused(&e), &back);
        }
    };
    let result = match check_csrf(&headers, &form.csrf) {
        Ok(()) => state.desk.update_article(&staff, id, &form.draft()).await,
        Err(e) => Err(e),
    };
    console_outcome(&state, &headers, &staff, Some(id), form, result).await
}

/// After a publish or a correction: the public page, or the form again with what was
/// typed and the reason it was refused.
async fn console_outcome(
    state: &AppState,
    headers: &HeaderMap,
    staff: &Actor,
    editing: Option<i64>,
    form: ArticleForm,
    result: Result<ArticleRecord, ApiError>,
) -> Response {
    match result {
        Ok(a) => Redirect::to(&article_path(&a.slug)).into_response(),
        Err(err) => {
            let page = Page::new(headers, None);
            let msg = page.message(&err);
            let shown = (err.status, Some(msg), err.body.field.clone());
            render_console(state, &page, staff, shown, editing, form).await
        }
    }
}

async fn render_console(
    state: &AppState,
    page: &Page,
    staff: &Actor,
    (status, error, error_field): (StatusCode, Option<String>, Option<String>),
    editing: Option<i64>,
    form: ArticleForm,
) -> Response {
    let articles = match state.desk.store.articles(LISTED).await {
        Ok(a) => a,
        Err(e) => return page.error(state, &e.into(), "/quan-tri"),
    };
    let articles: Vec<ArticleOut> = articles.iter().map(ArticleOut::from).collect();
    let can_write = awareness::may_write(staff).is_ok();
    let staff_ctx = crate::pages::staff_context(staff);
    page.render(
        state,
        status,
        "console_articles.html",
        context! {
            articles, error, error_field, form, editing, can_write, staff => staff_ctx,
        },
    )
}
