//! Appeals against published decisions: filed by the public from a fact-check page or the
//! API (no account, free, within six months), decided by a reviewer who had no part in the
//! decision appealed, and shown publicly beside it. The rules are `kc_desk::appeal`; this
//! module is the service step and the HTTP around it.

use crate::api::ApiJson;
use crate::desk::{normalize_receipt, publication_path, Desk, CONTACT_RETENTION_DAYS};
use crate::error::{ApiError, ErrorEnvelope};
use crate::pages::{self, Page};
use crate::session::{check_csrf, ClientIp, MaybeStaff, Staff};
use crate::AppState;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::{Form, Json};
use chrono::{DateTime, Utc};
use kc_desk::appeal::{self, AppealError};
use kc_desk::{Actor, AppealStatus, CaseState};
use kc_store::{fmt_time, AppealRecord, NewAppealRecord};
use minijinja::context;
use rand::RngCore;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::ToSchema;

impl From<AppealError> for ApiError {
    fn from(e: AppealError) -> Self {
        match e {
            AppealError::Forbidden => ApiError::new(
                StatusCode::FORBIDDEN,
                "forbidden",
                "Giải quyết khiếu nại cần vai trò \"Thẩm định\".",
                "Deciding an appeal requires the role `reviewer`.",
            ),
            AppealError::NotIndependent { part, .. } => {
                let (vi, en) = if part == "drafted" {
                    ("ra", "drafted")
                } else {
                    ("thẩm định", "approved")
                };
                ApiError::new(
                    StatusCode::CONFLICT,
                    "appeal_not_independent",
                    format!(
                        "Bạn đã {vi} kết luận bị khiếu nại nên không thể giải quyết khiếu nại này; cần một người thẩm định khác."
                    ),
                    format!(
                        "You {en} the decision under appeal, so another reviewer must decide the appeal."
                    ),
                )
            }
            AppealError::AlreadyDecided(status) => ApiError::new(
                StatusCode::CONFLICT,
                "appeal_decided",
                format!("Khiếu nại này đã được giải quyết ({}).", status.label_vi()),
                format!("This appeal was already decided ({status})."),
            ),
            AppealError::TooLate { deadline } => {
                let at = fmt_time(deadline);
                ApiError::new(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    "appeal_too_late",
                    format!(
                        "Đã quá thời hạn khiếu nại: chỉ nhận khiếu nại trong vòng 6 tháng kể từ ngày công bố (hạn cuối {}).",
                        crate::render::local_time(&at, "vi")
                    ),
                    format!(
                        "Too late to appeal: appeals are accepted for 6 months after publication (until {}).",
                        crate::render::local_time(&at, "en")
                    ),
                )
                .with_field("published_at")
            }
            AppealError::Invalid(f) => f.into(),
        }
    }
}

/// What the filer gets back: the receipt and where to follow the appeal.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AppealReceipt {
    pub receipt: String,
    pub status: String,
    /// The appeal's status page.
    pub url: String,
}

/// An appeal as the public sees it: the category of the filer's relation to the content,
/// never their contact or their own words; the outcome and its reasons once decided.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PublicAppeal {
    pub status: String,
    pub relation: String,
    pub filed_at: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub decided_at: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub outcome_reasons: Option<String>,
}

impl From<&AppealRecord> for PublicAppeal {
    fn from(a: &AppealRecord) -> Self {
        PublicAppeal {
            status: a.status.clone(),
            relation: a.relation.clone(),
            filed_at: a.filed_at.clone(),
            decided_at: a.decided_at.clone(),
            outcome_reasons: a.outcome_reasons.clone(),
        }
    }
}

/// One line of the public register of appeals (open data): which fact-check, and what came
/// of the appeal. No receipt, no filer's words, no contact.
#[derive(Debug, Clone, Serialize)]
pub struct RegisterEntry {
    pub publication_url: String,
    #[serde(flatten)]
    pub appeal: PublicAppeal,
}

/// `/du-lieu/khieu-nai.json`: every appeal and its outcome, oldest first.
pub async fn open_register(State(state): State<AppState>) -> Result<Json<Value>, ApiError> {
    let base = &state.config.public_url;
    let items: Vec<RegisterEntry> = state
        .desk
        .store
        .appeals()
        .await?
        .iter()
        .map(|a| RegisterEntry {
            publication_url: format!("{base}{}", publication_path(&a.slug)),
            appeal: PublicAppeal::from(a),
        })
        .collect();
    Ok(Json(
        serde_json::json!({ "count": items.len(), "items": items }),
    ))
}

/// The filer's view of their appeal, by receipt.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AppealStatusOut {
    pub receipt: String,
    /// The fact-check appealed.
    pub publication_url: String,
    pub publication_title: String,
    #[serde(flatten)]
    pub appeal: PublicAppeal,
}

/// An appeal as staff see it in lists: what the filer wrote, never their contact.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct StaffAppeal {
    pub id: i64,
    pub case_id: i64,
    pub publication_url: String,
    /// The title of the fact-check appealed.
    pub publication_title: String,
    pub relation: String,
    pub reasons: String,
    pub status: String,
    pub filed_at: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub decided_by: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub outcome_reasons: Option<String>,
}

impl From<&AppealRecord> for StaffAppeal {
    fn from(a: &AppealRecord) -> Self {
        StaffAppeal {
            id: a.id,
            case_id: a.case_id,
            publication_url: publication_path(&a.slug),
            publication_title: a.title.clone(),
            relation: a.relation.clone(),
            reasons: a.reasons.clone(),
            status: a.status.clone(),
            filed_at: a.filed_at.clone(),
            decided_by: a.decided_by.clone(),
            outcome_reasons: a.outcome_reasons.clone(),
        }
    }
}

fn appeal_path(receipt: &str) -> String {
    format!("/khieu-nai/{receipt}")
}

pub(crate) fn parse_time(s: &str) -> Result<DateTime<Utc>, ApiError> {
    DateTime::parse_from_rfc3339(s)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|e| ApiError::internal(format!("stored time `{s}`: {e}")))
}

impl Desk {
    /// Takes an appeal from the public against the fact-check at `slug`.
    pub async fn file_appeal(
        &self,
        slug: &str,
        reasons: &str,
        relation: &str,
        contact: Option<&str>,
    ) -> Result<AppealReceipt, ApiError> {
        let publication = self
            .store
            .publication_by_slug(slug)
            .await?
            .ok_or_else(|| ApiError::not_found("bài kiểm chứng", "Fact-check"))?;
        appeal::check_appeal_window(parse_time(&publication.published_at)?, Utc::now())?;
        if !self.store.publication_stands(publication.id).await? {
            return Err(not_standing());
        }
        let valid = appeal::validate_appeal(reasons, relation, contact)?;
        let mut random = [0u8; 8];
        rand::thread_rng().fill_bytes(&mut random);
        let receipt = kc_desk::workflow::receipt_code(random);
        let record = NewAppealRecord {
            receipt: receipt.clone(),
            publication_id: publication.id,
            relation: valid.relation.as_str().to_string(),
            reasons: valid.reasons,
            contact: valid.contact,
            contact_purge_after: fmt_time(
                Utc::now() + chrono::Duration::days(CONTACT_RETENTION_DAYS),
            ),
        };
        // As with reports, the public has no account: the chain records the channel only.
        let mut tx = self.store.begin_write("public:appeal").await?;
        tx.record_appeal(&record).await?;
        tx.commit().await?;
        tracing::info!(receipt = %receipt, publication = publication.id, "appeal filed");
        Ok(AppealReceipt {
            url: appeal_path(&receipt),
            receipt,
            status: AppealStatus::Pending.as_str().to_string(),
        })
    }

    pub async fn appeal_status(&self, receipt: &str) -> Result<AppealStatusOut, ApiError> {
        let a = self
            .store
            .appeal_by_receipt(&normalize_receipt(receipt))
            .await?
            .ok_or_else(|| ApiError::not_found("khiếu nại với mã này", "Appeal"))?;
        Ok(AppealStatusOut {
            receipt: a.receipt.clone(),
            publication_url: publication_path(&a.slug),
            publication_title: a.title.clone(),
            appeal: PublicAppeal::from(&a),
        })
    }

    /// Whether `actor` may decide appeal `a`: checked against the decision it appeals.
    /// An appellant's contact, for a reviewer answering them; every reading is an audit
    /// event naming the appeal, never the contact.
    pub async fn reveal_appeal_contact(
        &self,
        actor: &Actor,
        case_id: i64,
        appeal_id: i64,
    ) -> Result<String, ApiError> {
        let a = self
            .store
            .appeals_for_case(case_id)
            .await?
            .into_iter()
            .find(|a| a.id == appeal_id)
            .ok_or_else(|| appeal_not_found(&appeal_id.to_string()))?;
        // The same independence as for deciding: whoever drafted or approved the decision
        // appealed does not get to reach the person who challenges it.
        // Once decided, the appeal's outcome is what the filer must be told: a decided
        // appeal keeps the role and independence checks, not the "still pending" one.
        match self.may_decide_appeal(actor, &a).await? {
            Ok(()) | Err(AppealError::AlreadyDecided(_)) => {}
            Err(AppealError::Forbidden) => {
                return Err(kc_desk::workflow::WorkflowError::Forbidden {
                    role: kc_desk::Role::Reviewer,
                }
                .into())
            }
            Err(e) => return Err(e.into()),
        }
        let contact = self.store.appeal_contact(appeal_id).await?.ok_or_else(|| {
            ApiError::not_found(
                "thông tin liên hệ (không được cung cấp hoặc đã xoá khi hết thời hạn lưu)",
                "Contact (never given, or deleted at the end of its retention)",
            )
        })?;
        let mut tx = self.store.begin_write(&actor.name).await?;
        tx.record_appeal_contact_view(appeal_id).await?;
        tx.commit().await?;
        Ok(contact)
    }

    pub async fn may_decide_appeal(
        &self,
        actor: &Actor,
        a: &AppealRecord,
    ) -> Result<Result<(), AppealError>, ApiError> {
        let publication = self
            .store
            .publication(a.publication_id)
            .await?
            .ok_or_else(|| ApiError::internal(format!("appeal {} has no publication", a.id)))?;
        let decision = self
            .store
            .decision(publication.decision_id)
            .await?
            .ok_or_else(|| {
                ApiError::internal(format!("publication {} has no decision", publication.id))
            })?;
        let case = self
            .store
            .case(a.case_id)
            .await?
            .ok_or_else(|| ApiError::internal(format!("appeal {} has no case", a.id)))?;
        let status = AppealStatus::parse(&a.status)
            .ok_or_else(|| ApiError::internal(format!("appeal status `{}`", a.status)))?;
        Ok(appeal::authorize_appeal_decision(
            actor,
            case.agency.as_deref(),
            &decision.decided_by,
            decision.reviewed_by.as_deref(),
            status,
        ))
    }

    /// Decides an appeal. Overturning never edits the decision appealed: it records the
    /// outcome, which the fact-check page then shows, and sends the case back to
    /// verification so a new decision takes the normal path.
    pub async fn decide_case_appeal(
        &self,
        actor: &Actor,
        case_id: i64,
        appeal_id: i64,
        outcome: &str,
        reasons: &str,
    ) -> Result<AppealRecord, ApiError> {
        let a = self
            .store
            .appeal(appeal_id)
            .await?
            .filter(|a| a.case_id == case_id)
            .ok_or_else(|| appeal_not_found(&appeal_id.to_string()))?;
        self.may_decide_appeal(actor, &a).await??;
        let (outcome, reasons) = appeal::validate_appeal_outcome(outcome, reasons)?;
        let case = self.case_detail(a.case_id).await?.case;
        let from = CaseState::parse(&case.state)
            .ok_or_else(|| ApiError::internal(format!("case state `{}`", case.state)))?;
        // Only an appeal against the verdict that stands moves the case: one filed against
        // a verdict since replaced or overturned is answered, and changes nothing else.
        let stands = self.store.publication_stands(a.publication_id).await?;
        let to = match outcome {
            AppealStatus::Overturned if stands => appeal::state_after_overturn(from),
            _ => None,
        };
        let mut tx = self.store.begin_write(&actor.name).await?;
        tx.decide_appeal(
            appeal_id,
            outcome.as_str(),
            &reasons,
            to.map(|to| (a.case_id, from.as_str(), to.as_str())),
        )
        .await?;
        tx.commit().await?;
        if outcome == AppealStatus::Overturned {
            // The overturned verdict stops answering reports; the case takes new ones again.
            self.refresh_libraries().await?;
        }
        self.store
            .appeal(appeal_id)
            .await?
            .ok_or_else(|| ApiError::internal("appeal vanished after commit"))
    }
}

/// An appeal against a verdict that no longer stands (replaced by a newer decision, or
/// already overturned).
fn not_standing() -> ApiError {
    ApiError::new(
        StatusCode::CONFLICT,
        "decision_not_standing",
        "Kết luận này không còn hiệu lực (đã được thay bằng kết luận mới hoặc đã bị huỷ sau khiếu nại); không thể khiếu nại kết luận này.",
        "This decision no longer stands (replaced by a newer one, or overturned on appeal); it cannot be appealed.",
    )
}

// ---------- JSON API ----------

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AppealIn {
    /// Why the decision is wrong, in the filer's own words (no legal citation needed).
    pub reasons: String,
    /// `author` (người đăng nội dung), `concerned` (người được nhắc đến) or `other` (khác).
    pub relation: String,
    /// Optional contact for the answer; stored apart, never published, purged after 90 days.
    #[serde(default)]
    pub contact: Option<String>,
}

#[utoipa::path(post, path = "/api/v1/publications/{slug}/appeals", operation_id = "file_appeal", params(("slug" = String, Path)),
    request_body = AppealIn,
    responses((status = 201, body = AppealReceipt), (status = 404, body = ErrorEnvelope),
              (status = 409, body = ErrorEnvelope, description = "the decision no longer stands (`decision_not_standing`): overturned on appeal or replaced by a newer one"),
              (status = 422, body = ErrorEnvelope, description = "a field is missing or invalid, or the 6 months are over (`appeal_too_late`)"),
              (status = 429, body = ErrorEnvelope)))]
pub async fn api_file(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    Path(slug): Path<String>,
    ApiJson(body): ApiJson<AppealIn>,
) -> Result<impl IntoResponse, ApiError> {
    state.limiter.check(ip)?;
    let receipt = state
        .desk
        .file_appeal(
            &slug,
            &body.reasons,
            &body.relation,
            body.contact.as_deref(),
        )
        .await?;
    Ok((StatusCode::CREATED, Json(receipt)))
}

#[utoipa::path(get, path = "/api/v1/appeals/{receipt}", params(("receipt" = String, Path)),
    responses((status = 200, body = AppealStatusOut), (status = 404, body = ErrorEnvelope),
              (status = 429, body = ErrorEnvelope, description = "too many codes that do not exist looked up from this client; see Retry-After")))]
pub async fn api_status(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    Path(receipt): Path<String>,
) -> Result<Json<AppealStatusOut>, ApiError> {
    crate::session::receipt_lookup_allowed(&state, ip)?;
    let found = state.desk.appeal_status(&receipt).await;
    Ok(Json(crate::session::count_receipt_lookup(
        &state, ip, found,
    )?))
}

/// Appeals waiting for a decision, oldest first.
#[utoipa::path(get, path = "/api/v1/appeals",
    responses((status = 200, body = [StaffAppeal]), (status = 401, body = ErrorEnvelope)))]
pub async fn api_pending(
    State(state): State<AppState>,
    _staff: Staff,
) -> Result<Json<Vec<StaffAppeal>>, ApiError> {
    let list = state.desk.store.pending_appeals().await?;
    Ok(Json(list.iter().map(StaffAppeal::from).collect()))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AppealDecisionIn {
    /// `upheld` or `overturned`.
    pub outcome: String,
    /// Published with the outcome.
    pub reasons: String,
}

fn appeal_not_found(raw: &str) -> ApiError {
    ApiError::not_found(&format!("khiếu nại `{raw}`"), &format!("Appeal `{raw}`"))
}

#[utoipa::path(post, path = "/api/v1/cases/{id}/appeals/{appeal}/decision",
    params(("id" = i64, Path, description = "the case"), ("appeal" = i64, Path, description = "the appeal's id, as listed")),
    request_body = AppealDecisionIn,
    responses((status = 200, body = StaffAppeal), (status = 401, body = ErrorEnvelope), (status = 403, body = ErrorEnvelope),
              (status = 404, body = ErrorEnvelope),
              (status = 409, body = ErrorEnvelope, description = "the reviewer drafted or approved the decision appealed, or the appeal was decided"),
              (status = 422, body = ErrorEnvelope)))]
pub async fn api_decide(
    State(state): State<AppState>,
    Staff(actor): Staff,
    Path((case, appeal)): Path<(String, String)>,
    ApiJson(body): ApiJson<AppealDecisionIn>,
) -> Result<Json<StaffAppeal>, ApiError> {
    let case_id: i64 = case
        .parse()
        .map_err(|_| ApiError::not_found(&format!("hồ sơ `{case}`"), &format!("Case `{case}`")))?;
    let appeal_id: i64 = appeal.parse().map_err(|_| appeal_not_found(&appeal))?;
    let a = state
        .desk
        .decide_case_appeal(&actor, case_id, appeal_id, &body.outcome, &body.reasons)
        .await?;
    Ok(Json(StaffAppeal::from(&a)))
}

// ---------- pages ----------

#[derive(Deserialize, Default, Serialize)]
pub struct AppealForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    reasons: String,
    #[serde(default)]
    relation: String,
    #[serde(default)]
    contact: String,
}

/// The appeal form on a fact-check page.
pub async fn page_file(
    State(state): State<AppState>,
    headers: HeaderMap,
    ClientIp(ip): ClientIp,
    Path(slug): Path<String>,
    Form(form): Form<AppealForm>,
) -> Response {
    let page = Page::new(&headers, None);
    let result = async {
        check_csrf(&headers, &form.csrf)?;
        state.limiter.check(ip)?;
        state
            .desk
            .file_appeal(&slug, &form.reasons, &form.relation, Some(&form.contact))
            .await
    }
    .await;
    match result {
        // Post/redirect/get, as for reports: a reload does not file it twice.
        Ok(r) => Redirect::to(&r.url).into_response(),
        Err(err) => {
            let extra = context! {
                appeal_form => form, appeal_error => page_message(&page, &err),
                appeal_error_field => err.body.field.clone(),
            };
            pages::render_factcheck(&state, &page, &slug, err.status, extra).await
        }
    }
}

fn page_message(page: &Page, err: &ApiError) -> String {
    if page.is_en() {
        err.body.message_en.clone()
    } else {
        err.body.message.clone()
    }
}

#[derive(Deserialize, Default)]
pub struct LangQuery {
    lang: Option<String>,
}

/// The filer's status page.
pub async fn page_status(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    headers: HeaderMap,
    Path(receipt): Path<String>,
    Query(q): Query<LangQuery>,
) -> Response {
    let page = Page::new(&headers, q.lang.as_deref());
    let found = match crate::session::receipt_lookup_allowed(&state, ip) {
        Ok(()) => crate::session::count_receipt_lookup(
            &state,
            ip,
            state.desk.appeal_status(&receipt).await,
        ),
        Err(e) => Err(e),
    };
    match found {
        Ok(view) => page.render(&state, StatusCode::OK, "appeal.html", context! { view }),
        Err(e) => page.error(&state, &e, "/kiem-chung"),
    }
}

#[derive(Deserialize)]
pub struct DecideForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    outcome: String,
    #[serde(default)]
    reasons: String,
}

/// The decide form on the case page.
pub async fn page_decide(
    State(state): State<AppState>,
    headers: HeaderMap,
    MaybeStaff(staff): MaybeStaff,
    Path((case_id, appeal_id)): Path<(i64, i64)>,
    Form(form): Form<DecideForm>,
) -> Response {
    let actor = staff.clone();
    let desk = &state.desk;
    pages::console_action(
        &state,
        &headers,
        staff,
        case_id,
        &form.csrf,
        pages::DecisionForm::appeal(appeal_id, &form.outcome, &form.reasons),
        async {
            let actor = actor.ok_or_else(ApiError::unauthorized)?;
            desk.decide_case_appeal(&actor, case_id, appeal_id, &form.outcome, &form.reasons)
                .await
                .map(|_| ())
        },
    )
    .await
}

/// The appeals of a case for its console page: what each filer wrote and their contact
/// (for reviewers, who answer them), and whether the person viewing may decide it; then
/// whether they may decide any.
pub async fn case_appeals(
    state: &AppState,
    staff: &Actor,
    case_id: i64,
) -> Result<(Vec<minijinja::Value>, bool), ApiError> {
    let mut out = Vec::new();
    let mut any = false;
    for a in state.desk.store.appeals_for_case(case_id).await? {
        let may = state.desk.may_decide_appeal(staff, &a).await?;
        let not_independent = matches!(may, Err(AppealError::NotIndependent { .. }));
        any |= may.is_ok();
        // Only reviewers, who answer appeals, may reach the filer, and only on an explicit,
        // audited request (`reveal_appeal_contact`): here, whether there is a contact.
        let may_reach = matches!(may, Ok(()) | Err(AppealError::AlreadyDecided(_)));
        let has_contact = may_reach && state.desk.store.appeal_contact(a.id).await?.is_some();
        out.push(context! {
            a => StaffAppeal::from(&a), filed_at => a.filed_at.clone(), decided_at => a.decided_at.clone(),
            has_contact, can_decide => may.is_ok(), not_independent,
        });
    }
    Ok((out, any))
}
