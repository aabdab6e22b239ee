//! The JSON API (contract v1 in DESIGN.md §6). Every route here is listed in [`ApiDoc`], and a
//! test checks that the router and the document agree.

use crate::desk::Triage;
use crate::error::{ApiError, ErrorEnvelope};
use crate::session::{ClientIp, Staff};
use crate::AppState;
use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, Path, Query, Request, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::Json;
use kc_desk::{Channel, DecisionDraft};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use utoipa::{OpenApi, ToSchema};

/// The one number in a request's path, or a 404 naming `(vi, en)` what was not found:
/// a path segment that is not a number is a record that does not exist, answered in the
/// API's JSON rather than axum's plain-text 400 ("Cannot parse `abc` to a `i64`").
pub async fn path_id<S: Send + Sync>(
    parts: &mut axum::http::request::Parts,
    state: &S,
    (vi, en): (&str, &str),
) -> Result<i64, ApiError> {
    let Path(raw) = Path::<String>::from_request_parts(parts, state)
        .await
        .map_err(|_| ApiError::not_found(vi, en))?;
    raw.parse()
        .map_err(|_| ApiError::not_found(&format!("{vi} `{raw}`"), &format!("{en} `{raw}`")))
}

/// A case number from the path (see [`path_id`]).
pub struct CaseId(pub i64);

impl<S: Send + Sync> axum::extract::FromRequestParts<S> for CaseId {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        state: &S,
    ) -> Result<Self, Self::Rejection> {
        path_id(parts, state, ("hồ sơ", "Case")).await.map(CaseId)
    }
}

/// JSON body extractor whose errors name what was wrong: a body over the limit, malformed
/// JSON (with line and column), or the field whose value does not fit.
pub struct ApiJson<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for ApiJson<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let bytes = Bytes::from_request(req, state).await.map_err(|e| {
            if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
                ApiError::new(
                    StatusCode::PAYLOAD_TOO_LARGE,
                    "body_too_large",
                    "Nội dung gửi lên vượt quá giới hạn cho phép.",
                    "The request body is over the size limit.",
                )
            } else {
                ApiError::new(e.status(), "bad_body", e.body_text(), e.body_text())
            }
        })?;
        // No body at all is an empty object: endpoints whose fields are all optional
        // (publish) then work, and the others name the field that is missing.
        let bytes = if bytes.iter().all(u8::is_ascii_whitespace) {
            Bytes::from_static(b"{}")
        } else {
            bytes
        };
        let de = &mut serde_json::Deserializer::from_slice(&bytes);
        serde_path_to_error::deserialize(de)
            .map(ApiJson)
            .map_err(|err| {
                let path = err.path().to_string();
                let inner = err.into_inner();
                let (line, column) = (inner.line(), inner.column());
                // serde_json ends its English with the place, which both messages give.
                let full = inner.to_string();
                let msg = full
                    .strip_suffix(&format!(" at line {line} column {column}"))
                    .unwrap_or(&full)
                    .to_string();
                if inner.is_syntax() || inner.is_eof() {
                    // serde explains in English only: the Vietnamese message gives the
                    // place, which is what finds the mistake.
                    ApiError::new(
                        StatusCode::BAD_REQUEST,
                        "malformed_json",
                        format!("JSON không hợp lệ ở dòng {line}, cột {column}."),
                        format!("Malformed JSON at line {line}, column {column}: {msg}"),
                    )
                } else {
                    let field = if path == "." {
                        msg.split('`').nth(1).unwrap_or("body").to_string()
                    } else {
                        path
                    };
                    // serde explains in English only; the Vietnamese message says what
                    // kind of mistake it is without quoting it.
                    let vi = if msg.starts_with("missing field") {
                        format!("Thiếu trường `{field}`.")
                    } else if msg.starts_with("unknown field") {
                        format!("Không có trường `{field}` trong yêu cầu này.")
                    } else {
                        format!("Trường `{field}` có giá trị sai kiểu hoặc không hợp lệ.")
                    };
                    ApiError::new(
                        StatusCode::UNPROCESSABLE_ENTITY,
                        "invalid_field",
                        vi,
                        format!("Field `{field}` is invalid: {msg}"),
                    )
                    .with_field(field)
                }
            })
    }
}

/// Query-string extractor whose refusal is the API's own error: axum answers a parameter
/// given twice (`?limit=1&limit=2`, the one way the string parameters here can fail to
/// read) with a plain-text 400 that no client of the document expects.
pub struct ApiQuery<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequestParts<S> for ApiQuery<T> {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        state: &S,
    ) -> Result<Self, Self::Rejection> {
        match Query::<T>::from_request_parts(parts, state).await {
            Ok(Query(q)) => Ok(ApiQuery(q)),
            Err(e) => {
                let text = e.body_text();
                let detail = text
                    .strip_prefix("Failed to deserialize query string: ")
                    .unwrap_or(&text);
                // serde names the parameter between backticks ("duplicate field `limit`").
                let field = detail.split('`').nth(1).unwrap_or("query").to_string();
                Err(ApiError::new(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    "invalid_field",
                    format!("Tham số `{field}` không hợp lệ hoặc được gửi hơn một lần."),
                    format!("Query parameter `{field}` is invalid: {detail}."),
                )
                .with_field(field))
            }
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct Health {
    pub status: &'static str,
}

#[utoipa::path(get, path = "/healthz", responses((status = 200, body = Health)))]
pub async fn healthz() -> Json<Health> {
    Json(Health { status: "ok" })
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReportIn {
    /// What was seen: the text of the post or message.
    pub text: String,
    /// Links to where it was seen.
    #[serde(default)]
    pub urls: Vec<String>,
    /// Optional contact for a reply; stored apart and purged after 90 days.
    #[serde(default)]
    pub contact: Option<String>,
    /// Optional screenshots: at most 3 images (JPEG, PNG, WebP, GIF) of up to 5 MB each.
    /// Their location, device and other metadata are removed before they are stored; only
    /// staff see them, never the public, and they are deleted 90 days after the report
    /// unless its case is still open or staff keep one as evidence.
    #[serde(default)]
    pub files: Vec<crate::files::FileIn>,
}

#[derive(Serialize, ToSchema)]
pub struct MatchOut {
    pub verdict: String,
    pub url: String,
    pub score: f64,
}

#[derive(Serialize, ToSchema)]
pub struct ReportOut {
    pub receipt: String,
    pub status: String,
    #[schema(nullable, required)]
    pub r#match: Option<MatchOut>,
    /// How many images were stored with the report.
    pub files: usize,
}

#[utoipa::path(post, path = "/api/v1/reports", request_body = ReportIn,
    responses((status = 201, body = ReportOut), (status = 422, body = ErrorEnvelope),
              (status = 400, body = ErrorEnvelope), (status = 413, body = ErrorEnvelope),
              (status = 429, body = ErrorEnvelope)))]
pub async fn submit_report(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    ApiJson(body): ApiJson<ReportIn>,
) -> Result<impl IntoResponse, ApiError> {
    state.limiter.check(ip)?;
    // Every image is checked before anything is stored: one refused, none kept.
    let files = crate::files::accept_report_json(&body.files)?;
    let answer = state
        .desk
        .submit_report(
            &body.text,
            &body.urls,
            body.contact.as_deref(),
            Channel::Api,
            &files,
        )
        .await?;
    let out = ReportOut {
        files: answer.files,
        receipt: answer.receipt,
        status: answer.status.to_string(),
        r#match: answer.answer.map(|a| MatchOut {
            verdict: a.verdict,
            url: a.url,
            score: a.score,
        }),
    };
    Ok((StatusCode::CREATED, Json(out)))
}

#[derive(Serialize, ToSchema)]
pub struct ReceiptOut {
    pub receipt: String,
    pub status: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub verdict: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// When the case was closed without a verdict: why (`spam`, `out_of_scope`,
    /// `no_action`), and what that means in Vietnamese and English.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message_en: Option<String>,
}

#[utoipa::path(get, path = "/api/v1/reports/{receipt}", params(("receipt" = String, Path)),
    responses((status = 200, body = ReceiptOut), (status = 404, body = ErrorEnvelope),
              (status = 429, body = ErrorEnvelope, description = "too many codes that do not exist looked up from this client; see Retry-After")))]
pub async fn report_status(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    Path(receipt): Path<String>,
) -> Result<Json<ReceiptOut>, ApiError> {
    crate::session::receipt_lookup_allowed(&state, ip)?;
    let view =
        crate::session::count_receipt_lookup(&state, ip, state.desk.receipt(&receipt).await)?;
    Ok(Json(ReceiptOut {
        receipt: view.receipt,
        status: view.status.to_string(),
        verdict: view.answer.as_ref().map(|a| a.verdict.clone()),
        url: view.answer.map(|a| a.url),
        reason: view.closed.as_ref().map(|c| c.reason.to_string()),
        message: view.closed.as_ref().map(|c| c.message_vi.to_string()),
        message_en: view.closed.as_ref().map(|c| c.message_en.to_string()),
    }))
}

#[derive(Serialize, ToSchema)]
pub struct AgencyOut {
    pub code: String,
    pub name: String,
    pub name_en: String,
    pub kind: String,
}

#[utoipa::path(get, path = "/api/v1/agencies",
    responses((status = 200, body = [AgencyOut]), (status = 401, body = ErrorEnvelope)))]
pub async fn agencies(State(state): State<AppState>, _staff: Staff) -> Json<Vec<AgencyOut>> {
    let pack = state.desk.pack();
    Json(
        pack.agencies
            .iter()
            .map(|a| AgencyOut {
                code: a.code.clone(),
                name: a.name_vi.clone(),
                name_en: a.name_en.clone(),
                kind: a.kind.clone(),
            })
            .collect(),
    )
}

#[derive(Serialize, ToSchema)]
pub struct ProvisionOut {
    pub id: String,
    pub citation: String,
    pub title: String,
}

/// The legal provisions a decision may cite, with the instrument now in force flagged.
#[utoipa::path(get, path = "/api/v1/provisions", responses((status = 200, body = [ProvisionOut])))]
pub async fn provisions(State(state): State<AppState>) -> Json<Vec<ProvisionOut>> {
    let pack = state.desk.pack();
    Json(
        pack.provisions
            .iter()
            .map(|p| ProvisionOut {
                id: p.id.clone(),
                citation: pack
                    .provision_citation(&p.id)
                    .unwrap_or_else(|| p.id.clone()),
                title: p.title_vi.clone(),
            })
            .collect(),
    )
}

#[derive(Serialize, ToSchema)]
pub struct CaseOut {
    pub id: i64,
    pub state: String,
    #[schema(nullable, required)]
    pub agency: Option<String>,
    /// Agencies consulted, from the pack's routing for the harm category.
    pub consulted: Vec<String>,
    #[schema(nullable, required)]
    pub harm_category: Option<String>,
    pub priority: String,
    pub claim: String,
    pub reports: i64,
    pub created_at: String,
    #[schema(nullable, required)]
    pub deadline: Option<String>,
    /// The verifier the case is assigned to, when one was named.
    #[schema(nullable, required)]
    pub assignee: Option<String>,
    /// For a case merged as a duplicate: the case that holds its reports now.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub merged_into: Option<i64>,
    /// When the case, overdue, was escalated to its agency's leads for its current
    /// deadline; null until then (and for a case never overdue).
    #[schema(nullable, required)]
    pub escalated_at: Option<String>,
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CaseListQuery {
    /// Only cases in this state.
    pub state: Option<String>,
    /// Only cases this agency leads (its code), or `none` for cases not yet assigned.
    pub agency: Option<String>,
    /// `true`: only cases past their deadline and still waiting for a decision.
    #[param(value_type = Option<bool>)]
    pub overdue: Option<String>,
    /// At most this many cases (1–1000), newest first; absent: all of them. The
    /// `X-Total-Count` header gives how many pass the filters.
    #[param(value_type = Option<u32>)]
    pub limit: Option<String>,
    /// Cases to skip before the first one returned (with `limit`, for paging).
    #[param(value_type = Option<u32>)]
    pub offset: Option<String>,
}

/// The most cases one page of `GET /api/v1/cases` returns.
const CASES_PAGE_MAX: usize = 1000;

#[utoipa::path(get, path = "/api/v1/cases", params(CaseListQuery),
    responses((status = 200, body = [CaseOut], headers(("X-Total-Count" = u64, description = "cases passing the filters, before `limit` and `offset`"))),
              (status = 401, body = ErrorEnvelope),
              (status = 422, body = ErrorEnvelope, description = "unknown state or agency, or a limit outside 1–1000")))]
pub async fn cases(
    State(state): State<AppState>,
    _staff: Staff,
    ApiQuery(filter): ApiQuery<CaseListQuery>,
) -> Result<axum::response::Response, ApiError> {
    // Parsed here rather than by serde, so that a wrong value is named in the desk's own
    // error envelope instead of axum's plain-text rejection.
    let overdue = match filter.overdue.as_deref().map(str::trim) {
        None | Some("" | "false" | "0") => false,
        Some("true" | "1") => true,
        Some(other) => {
            return Err(kc_desk::workflow::FieldError::new(
                "overdue",
                format!("`overdue` là `true` hoặc `false` (nhận được `{other}`)."),
                format!("`overdue` is `true` or `false` (got `{other}`)."),
            )
            .into())
        }
    };
    let chosen = crate::queue::CaseFilter::parse(
        &state.desk.pack(),
        ("agency", filter.agency.as_deref().unwrap_or("")),
        ("state", filter.state.as_deref().unwrap_or("")),
        overdue,
    )?;
    let limit = count_param("limit", filter.limit.as_deref(), 1..=CASES_PAGE_MAX)?;
    let offset = count_param("offset", filter.offset.as_deref(), 0..=usize::MAX)?;
    let now = kc_store::fmt_time(chrono::Utc::now());
    let list: Vec<_> = state
        .desk
        .cases(filter.state.as_deref())
        .await?
        .into_iter()
        .filter(|c| chosen.keeps(c, &now))
        .collect();
    let total = list.len();
    let list: Vec<_> = list
        .into_iter()
        .skip(offset.unwrap_or(0))
        .take(limit.unwrap_or(usize::MAX))
        .collect();
    let ids: Vec<i64> = list.iter().map(|c| c.id).collect();
    let escalations = state.desk.store.escalations(&ids).await?;
    let page: Vec<CaseOut> = list
        .into_iter()
        .map(|c| CaseOut {
            escalated_at: crate::queue::escalation_for_deadline(&c, &escalations)
                .map(|e| e.at.clone()),
            id: c.id,
            state: c.state,
            agency: c.agency,
            consulted: c.consulted,
            harm_category: c.harm_category,
            priority: c.priority,
            claim: c.claim,
            reports: c.reports,
            created_at: c.created_at,
            deadline: c.deadline,
            assignee: c.assignee,
            merged_into: c.merged_into,
        })
        .collect();
    let mut resp = Json(page).into_response();
    resp.headers_mut()
        .insert("x-total-count", axum::http::HeaderValue::from(total));
    Ok(resp)
}

/// A whole number in `range`, or none when absent or empty.
pub(crate) fn count_param(
    field: &str,
    value: Option<&str>,
    range: std::ops::RangeInclusive<usize>,
) -> Result<Option<usize>, kc_desk::workflow::FieldError> {
    let Some(text) = value.map(str::trim).filter(|t| !t.is_empty()) else {
        return Ok(None);
    };
    match text.parse::<usize>() {
        Ok(n) if range.contains(&n) => Ok(Some(n)),
        _ if *range.end() == usize::MAX => Err(kc_desk::workflow::FieldError::new(
            field,
            format!(
                "`{field}` phải là số nguyên từ {} (nhận được `{text}`).",
                range.start()
            ),
            format!(
                "`{field}` must be a whole number from {} (got `{text}`).",
                range.start()
            ),
        )),
        _ => Err(kc_desk::workflow::FieldError::new(
            field,
            format!(
                "`{field}` phải là số nguyên từ {} đến {} (nhận được `{text}`).",
                range.start(),
                range.end()
            ),
            format!(
                "`{field}` must be a whole number from {} to {} (got `{text}`).",
                range.start(),
                range.end()
            ),
        )),
    }
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AssignIn {
    pub agency: String,
    /// The user name of the verifier who will draft the decision: an active account with
    /// the verifier role for `agency` (422 on `assignee` otherwise). Absent or empty: nobody
    /// is named.
    #[serde(default)]
    pub assignee: Option<String>,
    /// One of the pack's harm categories (`scam`, `health`, …); it picks the consulted
    /// agencies. Absent: the case keeps its category.
    #[serde(default)]
    pub harm_category: Option<String>,
    /// `urgent`, `high`, `normal` or `low`; it sets the deadline. Absent: the case keeps
    /// its priority.
    #[serde(default)]
    pub priority: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct CaseStateOut {
    pub id: i64,
    pub state: String,
}

async fn case_state(state: &AppState, id: i64) -> Result<Json<CaseStateOut>, ApiError> {
    let detail = state.desk.case_detail(id).await?;
    Ok(Json(CaseStateOut {
        id,
        state: detail.case.state,
    }))
}

#[utoipa::path(post, path = "/api/v1/cases/{id}/assign", params(("id" = i64, Path)), request_body = AssignIn,
    responses((status = 200, body = CaseStateOut), (status = 401, body = ErrorEnvelope), (status = 403, body = ErrorEnvelope),
              (status = 404, body = ErrorEnvelope, description = "no case has this number"),
              (status = 409, body = ErrorEnvelope), (status = 422, body = ErrorEnvelope)))]
pub async fn assign(
    State(state): State<AppState>,
    Staff(actor): Staff,
    CaseId(id): CaseId,
    ApiJson(body): ApiJson<AssignIn>,
) -> Result<Json<CaseStateOut>, ApiError> {
    state
        .desk
        .assign(
            &actor,
            id,
            &body.agency,
            body.assignee.as_deref(),
            Triage {
                harm_category: body.harm_category.as_deref(),
                priority: body.priority.as_deref(),
            },
        )
        .await?;
    case_state(&state, id).await
}

#[derive(Serialize, ToSchema)]
pub struct DecisionOut {
    pub id: i64,
    pub case_id: i64,
    pub state: String,
}

/// A decision's body as the document shows it; the desk reads it as [`DecisionDraft`], which
/// lives in the pure core and carries no schema. A test posts exactly these fields.
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct DecisionIn {
    /// `false`, `misleading`, `missing_context`, `true`, `unverifiable` or `opinion`.
    verdict: String,
    /// Published with the fact-check: the finding about the content, never a person.
    summary: String,
    /// Published too: the grounds, about the content.
    reasons: String,
    /// At least one item: a source link, a note, or both.
    evidence: Vec<EvidenceIn>,
    /// Provision ids from `GET /api/v1/provisions`.
    #[schema(nullable = false)]
    legal_provisions: Option<Vec<String>>,
    /// `correction`, `reply`, `label_request`, `notice`, `referral` or `no_action`.
    #[schema(nullable = false)]
    remedy: Option<String>,
}

#[derive(ToSchema)]
#[allow(dead_code)]
pub struct EvidenceIn {
    #[schema(nullable = false)]
    url: Option<String>,
    #[schema(nullable = false)]
    note: Option<String>,
}

/// Body: `{"verdict", "summary", "reasons", "evidence": [{"url"?, "note"?}], "legal_provisions": [id]?, "remedy"?}`.
#[utoipa::path(post, path = "/api/v1/cases/{id}/decision", params(("id" = i64, Path)),
    request_body = DecisionIn,
    responses((status = 201, body = DecisionOut), (status = 401, body = ErrorEnvelope), (status = 403, body = ErrorEnvelope),
              (status = 404, body = ErrorEnvelope, description = "no case has this number"),
              (status = 409, body = ErrorEnvelope), (status = 422, body = ErrorEnvelope)))]
pub async fn decide(
    State(state): State<AppState>,
    Staff(actor): Staff,
    CaseId(id): CaseId,
    ApiJson(draft): ApiJson<DecisionDraft>,
) -> Result<impl IntoResponse, ApiError> {
    let decision = state.desk.decide(&actor, id, &draft).await?;
    let Json(s) = case_state(&state, id).await?;
    Ok((
        StatusCode::CREATED,
        Json(DecisionOut {
            id: decision,
            case_id: id,
            state: s.state,
        }),
    ))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReviewIn {
    pub approve: bool,
    #[serde(default)]
    pub comment: Option<String>,
}

#[utoipa::path(post, path = "/api/v1/cases/{id}/review", params(("id" = i64, Path)), request_body = ReviewIn,
    responses((status = 200, body = CaseStateOut), (status = 401, body = ErrorEnvelope), (status = 403, body = ErrorEnvelope),
              (status = 404, body = ErrorEnvelope, description = "no case has this number"),
              (status = 409, body = ErrorEnvelope, description = "the reviewer decided the case, or it is not in review"),
              (status = 422, body = ErrorEnvelope)))]
pub async fn review(
    State(state): State<AppState>,
    Staff(actor): Staff,
    CaseId(id): CaseId,
    ApiJson(body): ApiJson<ReviewIn>,
) -> Result<Json<CaseStateOut>, ApiError> {
    state
        .desk
        .review(&actor, id, body.approve, body.comment.as_deref())
        .await?;
    case_state(&state, id).await
}

#[derive(Deserialize, ToSchema, Default)]
#[serde(deny_unknown_fields)]
pub struct PublishIn {
    #[serde(default)]
    pub title: Option<String>,
    /// The claim checked, as it will be published (page, ClaimReview, feed, open data),
    /// without anything about who reported it. Absent: the case's claim, which is the
    /// first report's own words.
    #[serde(default)]
    pub claim: Option<String>,
    #[serde(default)]
    pub body: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct PublishOut {
    pub url: String,
}

#[utoipa::path(post, path = "/api/v1/cases/{id}/publish", params(("id" = i64, Path)), request_body = PublishIn,
    responses((status = 201, body = PublishOut), (status = 401, body = ErrorEnvelope), (status = 403, body = ErrorEnvelope),
              (status = 404, body = ErrorEnvelope, description = "no case has this number"),
              (status = 409, body = ErrorEnvelope), (status = 422, body = ErrorEnvelope)))]
pub async fn publish(
    State(state): State<AppState>,
    Staff(actor): Staff,
    CaseId(id): CaseId,
    ApiJson(body): ApiJson<PublishIn>,
) -> Result<impl IntoResponse, ApiError> {
    let p = state
        .desk
        .publish(
            &actor,
            id,
            body.title.as_deref(),
            body.body.as_deref(),
            body.claim.as_deref(),
        )
        .await?;
    Ok((
        StatusCode::CREATED,
        Json(PublishOut {
            url: crate::desk::publication_path(&p.slug),
        }),
    ))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RestateIn {
    /// The claim checked, restated without anything about who reported it.
    pub claim: String,
}

/// Restates the claim of the case's published fact-check (editor): to take out what the
/// reporter's own words said about them. The audit event names the publication, not the text.
#[utoipa::path(post, path = "/api/v1/cases/{id}/publication/claim", params(("id" = i64, Path)), request_body = RestateIn,
    responses((status = 200, body = PublishOut), (status = 401, body = ErrorEnvelope), (status = 403, body = ErrorEnvelope),
              (status = 404, body = ErrorEnvelope, description = "no case has this number"),
              (status = 409, body = ErrorEnvelope, description = "the case has no published fact-check"),
              (status = 422, body = ErrorEnvelope, description = "the claim is empty or too long")))]
pub async fn restate_claim(
    State(state): State<AppState>,
    Staff(actor): Staff,
    CaseId(id): CaseId,
    ApiJson(body): ApiJson<RestateIn>,
) -> Result<Json<PublishOut>, ApiError> {
    let url = state
        .desk
        .restate_published_claim(&actor, id, &body.claim)
        .await?;
    Ok(Json(PublishOut { url }))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RecheckIn {
    /// What was checked again (sources looked at, what they say now); required.
    pub note: String,
}

/// Records that the case's published verdict was checked again and still holds (a reviewer
/// of the case's agency who neither drafted nor approved the decision). A verdict answers matching
/// reports on its own for the pack's `recheck_after_days` from when it was last verified;
/// this starts them again. A verdict that no longer holds is not re-checked: it stays due,
/// and matching reports keep going to staff.
#[utoipa::path(post, path = "/api/v1/cases/{id}/publication/recheck", params(("id" = i64, Path)), request_body = RecheckIn,
    responses((status = 200, body = PublishOut), (status = 401, body = ErrorEnvelope),
              (status = 403, body = ErrorEnvelope, description = "not a reviewer of the case's agency"),
              (status = 404, body = ErrorEnvelope, description = "no case has this number"),
              (status = 409, body = ErrorEnvelope, description = "the case has no standing published fact-check (`not_published`), or the reviewer drafted or approved the decision (`self_review`)"),
              (status = 422, body = ErrorEnvelope, description = "the note is empty or too long")))]
pub async fn recheck(
    State(state): State<AppState>,
    Staff(actor): Staff,
    CaseId(id): CaseId,
    ApiJson(body): ApiJson<RecheckIn>,
) -> Result<Json<PublishOut>, ApiError> {
    let url = state.desk.recheck_published(&actor, id, &body.note).await?;
    Ok(Json(PublishOut { url }))
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct RechecksDueQuery {
    /// Also those falling due within this many days (0–3650; default 0: only those due now).
    #[param(value_type = Option<u32>)]
    pub within_days: Option<String>,
}

/// A published fact-check whose verdict is due for re-checking.
#[derive(Serialize, ToSchema)]
pub struct RecheckDueOut {
    pub case_id: i64,
    pub url: String,
    pub title: String,
    pub verdict: String,
    /// When the verdict was last verified: published, or re-checked.
    pub verified_at: String,
    /// From when a matching report is no longer answered with it on its own.
    pub due_at: String,
}

/// Published fact-checks due for re-checking, the longest unverified first.
#[utoipa::path(get, path = "/api/v1/rechecks", params(RechecksDueQuery),
    responses((status = 200, body = [RecheckDueOut]), (status = 401, body = ErrorEnvelope),
              (status = 422, body = ErrorEnvelope, description = "within_days is not a whole number from 0 to 3650")))]
pub async fn rechecks_due(
    State(state): State<AppState>,
    _staff: Staff,
    ApiQuery(q): ApiQuery<RechecksDueQuery>,
) -> Result<Json<Vec<RecheckDueOut>>, ApiError> {
    let days = count_param("within_days", q.within_days.as_deref(), 0..=3650)?.unwrap_or(0);
    let due = state.desk.rechecks_due(days as i64).await?;
    Ok(Json(
        due.into_iter()
            .map(|d| RecheckDueOut {
                case_id: d.publication.case_id,
                url: crate::desk::publication_path(&d.publication.slug),
                title: d.publication.title,
                verdict: d.publication.verdict,
                verified_at: d.verified_at,
                due_at: d.due_at,
            })
            .collect(),
    ))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OpinionIn {
    /// The consulted agency the opinion is for (its code); may be left out by an officer
    /// who works for exactly one of the case's consulted agencies.
    #[serde(default)]
    pub agency: Option<String>,
    /// What the agency thinks of the content and what to do with it (at most 5,000
    /// characters). Never about who wrote it.
    #[serde(default)]
    pub opinion: String,
}

#[derive(Serialize, ToSchema)]
pub struct OpinionOut {
    pub id: i64,
    pub agency: String,
}

/// A consulted agency's opinion on a case, from that agency's verifier or lead (or a
/// district-wide one, naming the agency), while the case is open and routed.
#[utoipa::path(post, path = "/api/v1/cases/{id}/opinions", params(("id" = i64, Path)), request_body = OpinionIn,
    responses((status = 201, body = OpinionOut), (status = 401, body = ErrorEnvelope),
              (status = 403, body = ErrorEnvelope, description = "no verifier or lead role for a consulted agency"),
              (status = 404, body = ErrorEnvelope),
              (status = 409, body = ErrorEnvelope, description = "the case is not open, or not routed yet"),
              (status = 422, body = ErrorEnvelope, description = "opinion empty or too long, agency not consulted or to be named")))]
pub async fn give_opinion(
    State(state): State<AppState>,
    Staff(actor): Staff,
    CaseId(id): CaseId,
    ApiJson(body): ApiJson<OpinionIn>,
) -> Result<(StatusCode, Json<OpinionOut>), ApiError> {
    let (oid, agency) = state
        .desk
        .give_opinion(&actor, id, body.agency.as_deref(), &body.opinion)
        .await?;
    Ok((StatusCode::CREATED, Json(OpinionOut { id: oid, agency })))
}

/// The agencies a case consults, and the opinions they gave (oldest first).
#[derive(Serialize, ToSchema)]
pub struct OpinionsOut {
    pub consulted: Vec<String>,
    #[schema(value_type = Vec<OpinionItem>)]
    pub opinions: Vec<kc_store::OpinionRecord>,
}

/// A consulted agency's opinion as the document shows it ([`kc_store::OpinionRecord`],
/// which carries no schema; a test checks the API's answers against this).
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct OpinionItem {
    id: i64,
    case_id: i64,
    /// The consulted agency it speaks for (its code).
    agency: String,
    opinion: String,
    /// The officer who gave it (a user name).
    given_by: String,
    given_at: String,
}

#[utoipa::path(get, path = "/api/v1/cases/{id}/opinions", params(("id" = i64, Path)),
    responses((status = 200, body = OpinionsOut), (status = 401, body = ErrorEnvelope), (status = 404, body = ErrorEnvelope)))]
pub async fn opinions(
    State(state): State<AppState>,
    _staff: Staff,
    CaseId(id): CaseId,
) -> Result<Json<OpinionsOut>, ApiError> {
    let detail = state.desk.case_detail(id).await?;
    Ok(Json(OpinionsOut {
        consulted: detail.case.consulted,
        opinions: detail.opinions,
    }))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CloseIn {
    /// `spam` (not a report), `out_of_scope` (outside the desk's remit) or `no_action`
    /// (nothing to act on).
    #[serde(default)]
    pub reason: String,
    /// Why, in a few words; required, kept in the audit log.
    #[serde(default)]
    pub note: String,
}

/// Closes a case without a verdict (intake, lead, admin), before any decision awaits review.
#[utoipa::path(post, path = "/api/v1/cases/{id}/close", params(("id" = i64, Path)), request_body = CloseIn,
    responses((status = 200, body = CaseStateOut), (status = 401, body = ErrorEnvelope), (status = 403, body = ErrorEnvelope),
              (status = 404, body = ErrorEnvelope),
              (status = 409, body = ErrorEnvelope, description = "the case is past the early states"),
              (status = 422, body = ErrorEnvelope, description = "reason unknown or note missing")))]
pub async fn close(
    State(state): State<AppState>,
    Staff(actor): Staff,
    CaseId(id): CaseId,
    ApiJson(body): ApiJson<CloseIn>,
) -> Result<Json<CaseStateOut>, ApiError> {
    state
        .desk
        .close(&actor, id, &body.reason, &body.note)
        .await?;
    case_state(&state, id).await
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AnswerIn {
    /// The published fact-check's slug (or its `/kiem-chung/SLUG` path).
    #[serde(default)]
    pub slug: String,
    #[serde(default)]
    pub note: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct AnswerOut {
    pub id: i64,
    pub state: String,
    /// The fact-check the case's reports now point to.
    pub url: String,
}

/// Answers a case that repeats a published claim with that fact-check (intake, lead, admin).
#[utoipa::path(post, path = "/api/v1/cases/{id}/answer", params(("id" = i64, Path)), request_body = AnswerIn,
    responses((status = 200, body = AnswerOut), (status = 401, body = ErrorEnvelope), (status = 403, body = ErrorEnvelope),
              (status = 404, body = ErrorEnvelope),
              (status = 409, body = ErrorEnvelope, description = "the case is past the early states"),
              (status = 422, body = ErrorEnvelope, description = "no publication has that slug")))]
pub async fn answer(
    State(state): State<AppState>,
    Staff(actor): Staff,
    CaseId(id): CaseId,
    ApiJson(body): ApiJson<AnswerIn>,
) -> Result<Json<AnswerOut>, ApiError> {
    let p = state
        .desk
        .answer_with(&actor, id, &body.slug, body.note.as_deref())
        .await?;
    let Json(s) = case_state(&state, id).await?;
    Ok(Json(AnswerOut {
        id,
        state: s.state,
        url: crate::desk::publication_path(&p.slug),
    }))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MergeIn {
    /// The number of the case that handles the same claim and takes this one's reports.
    pub into: i64,
    /// Why they are the same claim, in a few words; kept with the merge and in the audit log.
    #[serde(default)]
    pub note: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct MergeOut {
    pub id: i64,
    /// `merged`.
    pub state: String,
    /// The case that now holds, counts and answers this case's reports.
    pub into: i64,
}

/// Merges a duplicate into the case handling the same claim (intake, lead, admin, for both
/// cases' agencies): its reports join that case and get its answer, and it leaves the queue.
#[utoipa::path(post, path = "/api/v1/cases/{id}/merge", params(("id" = i64, Path)), request_body = MergeIn,
    responses((status = 200, body = MergeOut), (status = 401, body = ErrorEnvelope), (status = 403, body = ErrorEnvelope),
              (status = 404, body = ErrorEnvelope),
              (status = 409, body = ErrorEnvelope, description = "this case is past the early states (`wrong_state`), or the other case was merged (`target_merged`, naming where) or closed (`target_closed`)"),
              (status = 422, body = ErrorEnvelope, description = "no case has that number, or it is this case")))]
pub async fn merge(
    State(state): State<AppState>,
    Staff(actor): Staff,
    CaseId(id): CaseId,
    ApiJson(body): ApiJson<MergeIn>,
) -> Result<Json<MergeOut>, ApiError> {
    let target = state
        .desk
        .merge(&actor, id, body.into, body.note.as_deref())
        .await?;
    let Json(s) = case_state(&state, id).await?;
    Ok(Json(MergeOut {
        id,
        state: s.state,
        into: target.id,
    }))
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct StatsQuery {
    /// First day, `YYYY-MM-DD` (Vietnam's clock); default: the first of `to`'s month, or of
    /// this month.
    pub from: Option<String>,
    /// Last day, included; default: today.
    pub to: Option<String>,
}

/// The figures of a period: reports by channel, cases by harm category, publications by
/// verdict (`published` counts every fact-check published in the period, and
/// `published_overturned` those of them overturned or replaced after an appeal by its end),
/// cases closed by reason, median hours to a first publication, open and overdue cases, the
/// same per agency (and `unassigned` for cases no agency leads), awareness events and
/// articles, notices, and the progress agencies recorded on the directive's duties for the
/// period (`duty_progress`, in their own words). Nothing about who sent a report.
#[utoipa::path(get, path = "/api/v1/stats", params(StatsQuery),
    responses((status = 200, body = Object), (status = 401, body = ErrorEnvelope), (status = 422, body = ErrorEnvelope)))]
pub async fn stats(
    State(state): State<AppState>,
    _staff: Staff,
    ApiQuery(q): ApiQuery<StatsQuery>,
) -> Result<Json<kc_desk::stats::Stats>, ApiError> {
    let (first, last) = crate::desk::report_days(q.from.as_deref(), q.to.as_deref())?;
    Ok(Json(state.desk.stats(first, last).await?))
}

#[derive(Serialize, ToSchema)]
pub struct OutreachOut {
    pub id: i64,
}

/// An awareness event's body as the document shows it; the desk reads it as
/// [`kc_desk::outreach::OutreachDraft`], which lives in the pure core and carries no schema.
#[derive(ToSchema)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
pub struct OutreachIn {
    /// The agency that held it (its code).
    agency: String,
    /// `talk`, `training` or `campaign`.
    kind: String,
    /// `staff`, `speakers`, `members`, `youth` or `public`.
    audience: String,
    /// `YYYY-MM-DD`.
    held_on: String,
    topic: String,
    /// How many attended: a count, never names.
    attendees: i64,
    #[schema(nullable = false)]
    materials_url: Option<String>,
}

/// Records an awareness talk, training or campaign an agency held (its lead, or an editor):
/// `{"agency", "kind", "audience", "held_on": "YYYY-MM-DD", "topic", "attendees",
/// "materials_url"?}`. Attendees are a count, never names.
#[utoipa::path(post, path = "/api/v1/outreach", request_body = OutreachIn,
    responses((status = 201, body = OutreachOut), (status = 401, body = ErrorEnvelope), (status = 403, body = ErrorEnvelope),
              (status = 422, body = ErrorEnvelope)))]
pub async fn record_outreach(
    State(state): State<AppState>,
    Staff(actor): Staff,
    ApiJson(body): ApiJson<kc_desk::outreach::OutreachDraft>,
) -> Result<impl IntoResponse, ApiError> {
    let id = state.desk.record_outreach(&actor, &body).await?;
    Ok((StatusCode::CREATED, Json(OutreachOut { id })))
}

/// An awareness event as the API lists it ([`kc_store::OutreachRecord`], which carries no
/// schema; a test checks the API's answers against this).
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct OutreachItem {
    id: i64,
    agency: String,
    /// `talk`, `training` or `campaign`.
    kind: String,
    /// `staff`, `speakers`, `members`, `youth` or `public`.
    audience: String,
    /// `YYYY-MM-DD`.
    held_on: String,
    topic: String,
    /// A count, never names.
    attendees: i64,
    #[schema(nullable, required)]
    materials_url: Option<String>,
    recorded_at: String,
}

/// The latest awareness events (up to 500).
#[utoipa::path(get, path = "/api/v1/outreach",
    responses((status = 200, body = [OutreachItem]), (status = 401, body = ErrorEnvelope)))]
pub async fn list_outreach(
    State(state): State<AppState>,
    _staff: Staff,
) -> Result<Json<Vec<kc_store::OutreachRecord>>, ApiError> {
    Ok(Json(state.desk.store.list_outreach(500).await?))
}

#[derive(OpenApi)]
#[openapi(
    info(
        title = "kiemchung",
        description = "Desk for handling false and harmful information online (contract v1)."
    ),
    paths(
        healthz,
        submit_report,
        report_status,
        agencies,
        provisions,
        cases,
        assign,
        decide,
        review,
        publish,
        restate_claim,
        recheck,
        rechecks_due,
        give_opinion,
        opinions,
        close,
        answer,
        merge,
        stats,
        record_outreach,
        list_outreach,
        crate::appeals::api_file,
        crate::appeals::api_status,
        crate::appeals::api_pending,
        crate::appeals::api_decide,
        crate::audit_log::api_audit,
        openapi_json
    ),
    components(schemas(ErrorEnvelope))
)]
pub struct ApiDoc;

#[utoipa::path(get, path = "/api/openapi.json", responses((status = 200, description = "This document")))]
pub async fn openapi_json() -> Json<utoipa::openapi::OpenApi> {
    let mut doc = ApiDoc::openapi();
    doc.merge(crate::notices::NoticeDoc::openapi());
    doc.merge(crate::articles::ArticleDoc::openapi());
    doc.merge(crate::files::FileDoc::openapi());
    doc.merge(crate::duties::DutyDoc::openapi());
    complete(&mut doc);
    Json(doc)
}

/// What every operation shares, written once rather than on each route: every JSON body
/// goes through [`ApiJson`], which answers 400 (`malformed_json`) and 413 (`body_too_large`)
/// before the handler runs; and an operation that may answer 401 takes the bearer token
/// or the console's session cookie (with `X-CSRF-Token` to change anything).
fn complete(doc: &mut utoipa::openapi::OpenApi) {
    use utoipa::openapi::path::Operation;
    use utoipa::openapi::security::{
        ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityRequirement, SecurityScheme,
    };
    use utoipa::openapi::{Content, Ref, RefOr, Response, ResponseBuilder};

    let error = |description: &str| -> RefOr<Response> {
        ResponseBuilder::new()
            .description(description)
            .content(
                "application/json",
                Content::new(Some(Ref::from_schema_name("ErrorEnvelope"))),
            )
            .build()
            .into()
    };
    for item in doc.paths.paths.values_mut() {
        let operations: [&mut Option<Operation>; 2] = [&mut item.get, &mut item.post];
        for op in operations.into_iter().flatten() {
            if op.request_body.is_some() {
                let responses = &mut op.responses.responses;
                responses.entry("400".into()).or_insert_with(|| {
                    error("malformed JSON (`malformed_json`, with line and column) or a body that is not UTF-8")
                });
                responses
                    .entry("413".into())
                    .or_insert_with(|| error("the body is over the size limit (`body_too_large`)"));
            }
            if op.responses.responses.contains_key("401") {
                op.security = Some(vec![
                    SecurityRequirement::new("bearer", Vec::<String>::new()),
                    SecurityRequirement::new("console_session", Vec::<String>::new()),
                ]);
            }
        }
    }
    let components = doc.components.get_or_insert_with(Default::default);
    components.add_security_scheme(
        "bearer",
        SecurityScheme::Http(
            HttpBuilder::new()
                .scheme(HttpAuthScheme::Bearer)
                .description(Some("An API token from `kiemchung token create NAME`."))
                .build(),
        ),
    );
    components.add_security_scheme(
        "console_session",
        SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::with_description(
            crate::session::SESSION_COOKIE,
            "A browser signed in to the console; a request that changes anything also sends the console forms' CSRF token in `X-CSRF-Token` (403 `csrf` without it).",
        ))),
    );
}
