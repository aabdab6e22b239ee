//! Notices to platforms: the desk service steps, the API, the console forms, the printable
//! notice and the public register. The rules are `kc_desk::notice`'s; nothing here sends
//! anything to a platform: a person prints or copies the notice and sends it themselves,
//! then records what the platform did.

use crate::api::{ApiJson, CaseId};
use crate::desk::Desk;
use crate::error::{ApiError, ErrorEnvelope};
use crate::pages::{LangQuery, Page};
use crate::session::{MaybeStaff, Staff};
use crate::AppState;
use axum::extract::{Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::{Form, Json};
use chrono::{NaiveDate, Utc};
use kc_desk::notice::{self, NoticeError, NoticeStep};
use kc_desk::{Actor, CaseState, Remedy, Verdict};
use kc_store::{NewNotice, NoticeRecord};
use minijinja::context;
use minijinja::{Environment, State as TplState};
use serde::Deserialize;
use serde_json::{json, Value};
use utoipa::{OpenApi, ToSchema};

impl From<NoticeError> for ApiError {
    fn from(e: NoticeError) -> Self {
        match e {
            NoticeError::NotPublished(state) => ApiError::new(
                StatusCode::CONFLICT,
                "wrong_state",
                format!(
                    "Chỉ soạn thông báo sau khi kết luận đã được công bố; hồ sơ đang ở trạng thái \"{}\".",
                    state.label_vi()
                ),
                format!("A notice follows a published decision; the case is `{state}`."),
            ),
            NoticeError::RemedyWithoutNotice(remedy) => ApiError::new(
                StatusCode::CONFLICT,
                "remedy_without_notice",
                format!(
                    "Biện pháp của kết luận là \"{}\": không có gì đề nghị nền tảng, nên không soạn thông báo.",
                    remedy.label_vi()
                ),
                format!(
                    "The decision's remedy is `{remedy}`: it asks nothing of a platform, so there is no notice."
                ),
            ),
            NoticeError::Opinion => ApiError::new(
                StatusCode::CONFLICT,
                "opinion",
                "Ý kiến không bao giờ là đối tượng của thông báo.",
                "An opinion is never the object of a notice.",
            ),
            NoticeError::OutOfOrder { step, last } => ApiError::new(
                StatusCode::CONFLICT,
                "wrong_order",
                format!(
                    "Không thể ghi \"{}\" sau \"{}\"; bước tiếp theo có thể là: {}.",
                    step.label_vi(),
                    last.map_or(notice::PREPARED_VI, |s| s.label_vi()),
                    allowed_vi(last)
                ),
                format!(
                    "Cannot record `{step}` after `{}`; next may be: {}.",
                    last.map_or(notice::PREPARED, |s| s.as_str()),
                    allowed_en(last)
                ),
            ),
            NoticeError::Invalid(f) => f.into(),
        }
    }
}

fn allowed_vi(last: Option<NoticeStep>) -> String {
    let next = notice::allowed_after(last);
    if next.is_empty() {
        return "không còn bước nào".into();
    }
    next.iter()
        .map(|s| s.label_vi())
        .collect::<Vec<_>>()
        .join(", ")
}

fn allowed_en(last: Option<NoticeStep>) -> String {
    let next = notice::allowed_after(last);
    if next.is_empty() {
        return "nothing more".into();
    }
    next.iter()
        .map(|s| s.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}

/// Today on Vietnam's calendar (UTC+7 all year): the day staff mean when they record one.
pub(crate) fn today_vn() -> NaiveDate {
    (Utc::now() + chrono::Duration::hours(7)).date_naive()
}

/// The Vietnam calendar day of a stored RFC 3339 time.
pub(crate) fn day_vn(rfc3339: &str) -> Option<NaiveDate> {
    chrono::DateTime::parse_from_rfc3339(rfc3339)
        .ok()
        .map(|t| (t.with_timezone(&Utc) + chrono::Duration::hours(7)).date_naive())
}

fn notice_not_found(id: i64) -> ApiError {
    ApiError::not_found(&format!("thông báo {id}"), &format!("Notice {id}"))
}

impl Desk {
    /// Prepares a notice for a published case whose approved decision asks something of a
    /// platform. Provisions, reasons and the issuing agency are the decision's and the
    /// case's, copied as they stand; staff give only the platform, the content's URLs and
    /// the territorial scope. Nothing is sent.
    pub async fn prepare_notice(
        &self,
        actor: &Actor,
        case_id: i64,
        platform: &str,
        locators: &[String],
        territorial_scope: Option<&str>,
    ) -> Result<i64, ApiError> {
        let case = self.store.case(case_id).await?.ok_or_else(|| {
            ApiError::not_found(&format!("hồ sơ {case_id}"), &format!("Case {case_id}"))
        })?;
        notice::authorize(actor, case.agency.as_deref())?;
        let state = CaseState::parse(&case.state)
            .ok_or_else(|| ApiError::internal(format!("unknown case state {}", case.state)))?;
        let decision = self
            .store
            .decisions(case_id)
            .await?
            .into_iter()
            .rev()
            .find(|d| d.status == "approved");
        let Some(decision) = decision else {
            return Err(NoticeError::NotPublished(state).into());
        };
        let verdict = Verdict::parse(&decision.verdict)
            .ok_or_else(|| ApiError::internal(format!("unknown verdict {}", decision.verdict)))?;
        let remedy = Remedy::parse(&decision.remedy)
            .ok_or_else(|| ApiError::internal(format!("unknown remedy {}", decision.remedy)))?;
        notice::check_case(state, verdict, remedy)?;
        let stands = match self.store.publication_of_decision(decision.id).await? {
            Some(p) => self.store.publication_stands(p.id).await?,
            None => false,
        };
        if !stands {
            return Err(ApiError::new(
                StatusCode::CONFLICT,
                "decision_not_standing",
                "Kết luận đã công bố của hồ sơ này không còn hiệu lực (đã bị huỷ sau khiếu nại hoặc được thay thế); không chuẩn bị thông báo trên kết luận đó.",
                "This case's published decision no longer stands (overturned on appeal or replaced); no notice is prepared on it.",
            ));
        }
        let valid = notice::validate(platform, locators, territorial_scope)?;
        let agency = case
            .agency
            .clone()
            .ok_or_else(|| ApiError::internal(format!("published case {case_id} has no agency")))?;
        let new = NewNotice {
            case_id,
            decision_id: decision.id,
            remedy: remedy.as_str().to_string(),
            platform: valid.platform,
            locators: valid.locators,
            legal_provisions: decision.legal_provisions.clone(),
            reasons: decision.reasons.clone(),
            agency,
            territorial_scope: valid.territorial_scope,
        };
        let mut tx = self.store.begin_write(&actor.name).await?;
        // Checked inside the write: a double click sends the same notice twice at once.
        for earlier in tx.notices_for_case(case_id).await? {
            let steps: Vec<NoticeStep> = earlier
                .events
                .iter()
                .filter_map(|e| NoticeStep::parse(&e.step))
                .collect();
            if earlier.decision_id == new.decision_id
                && notice::repeats(
                    &earlier.platform,
                    &earlier.locators,
                    &steps,
                    &new.platform,
                    &new.locators,
                )
            {
                let year = day_vn(&earlier.prepared_at).map_or(0, |d| chrono::Datelike::year(&d));
                let number = notice::number(earlier.id, year);
                return Err(ApiError::new(
                    StatusCode::CONFLICT,
                    "duplicate_notice",
                    format!(
                        "Đã có thông báo {number} gửi cùng nền tảng về đúng những nội dung này; hãy ghi nhận các bước tiếp theo trên thông báo đó thay vì lập thông báo mới (chỉ lập lại khi nền tảng đã từ chối)."
                    ),
                    format!(
                        "Notice {number} already asks this platform about exactly this content; record its next steps rather than preparing another (a new one is prepared only once the platform has declined)."
                    ),
                ));
            }
        }
        let id = tx.record_notice(&new).await?;
        tx.commit().await?;
        Ok(id)
    }

    /// Whether the published decision a notice rests on still stands.
    pub async fn notice_decision_stands(&self, n: &NoticeRecord) -> Result<bool, ApiError> {
        Ok(
            match self.store.publication_of_decision(n.decision_id).await? {
                Some(p) => self.store.publication_stands(p.id).await?,
                None => false,
            },
        )
    }

    /// Records what happened to a notice: sent, acknowledged, effect given, declined or
    /// reinstated, with the day and a note. The order is checked inside the write
    /// transaction, against the steps it sees.
    pub async fn record_notice_step(
        &self,
        actor: &Actor,
        notice_id: i64,
        step: &str,
        on: &str,
        note: Option<&str>,
    ) -> Result<(), ApiError> {
        let n = self
            .store
            .notice(notice_id)
            .await?
            .ok_or_else(|| notice_not_found(notice_id))?;
        notice::authorize(actor, Some(&n.agency))?;
        // A notice rests on its decision: once that verdict is overturned or replaced, the
        // platform is not to be asked for anything more; only a reinstatement is recorded.
        let acts = !matches!(
            NoticeStep::parse(step.trim()),
            Some(NoticeStep::Reinstated) | Some(NoticeStep::Declined)
        );
        if acts && !self.notice_decision_stands(&n).await? {
            return Err(ApiError::new(
                StatusCode::CONFLICT,
                "decision_not_standing",
                "Kết luận làm căn cứ cho thông báo này không còn hiệu lực (đã bị huỷ sau khiếu nại hoặc được thay thế); chỉ ghi nhận nền tảng từ chối hoặc khôi phục.",
                "The decision this notice rests on no longer stands (overturned on appeal or replaced); only a refusal or a reinstatement is recorded.",
            ));
        }
        let prepared_on = day_vn(&n.prepared_at)
            .ok_or_else(|| ApiError::internal(format!("notice {notice_id}: bad time")))?;
        let mut tx = self.store.begin_write(&actor.name).await?;
        let events = tx.notice_events(notice_id).await?;
        let last = match events.last() {
            Some(e) => Some((
                NoticeStep::parse(&e.step)
                    .ok_or_else(|| ApiError::internal(format!("unknown step {}", e.step)))?,
                NaiveDate::parse_from_str(&e.happened_on, "%Y-%m-%d")
                    .map_err(|_| ApiError::internal(format!("bad day {}", e.happened_on)))?,
            )),
            None => None,
        };
        let valid = notice::check_step(last, prepared_on, step, on, note, today_vn())?;
        tx.record_notice_event(
            notice_id,
            valid.step.as_str(),
            &valid.on.format("%Y-%m-%d").to_string(),
            valid.note.as_deref(),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }
}

/// A notice as JSON. The public view carries what was asked and what came of it, with
/// dates: no staff names, and no step notes (free text written at the desk, which may name
/// whoever was contacted). Staff also see who prepared and recorded each step, and the notes.
pub fn notice_view(state: &AppState, n: &NoticeRecord, slug: Option<&str>, staff: bool) -> Value {
    let pack = state.desk.pack();
    let provisions: Vec<Value> = n
        .legal_provisions
        .iter()
        .map(|id| json!({ "id": id, "citation": pack.provision_citation(id).unwrap_or_else(|| id.clone()) }))
        .collect();
    let agency = pack.agency(&n.agency);
    let steps: Vec<NoticeStep> = n
        .events
        .iter()
        .filter_map(|e| NoticeStep::parse(&e.step))
        .collect();
    let status = notice::status(&steps);
    let events: Vec<Value> = n
        .events
        .iter()
        .map(|e| {
            let label = NoticeStep::parse(&e.step);
            let mut v = json!({
                "step": e.step,
                "label": label.map(|s| s.label_vi()),
                "label_en": label.map(|s| s.label_en()),
                "on": e.happened_on,
            });
            if staff {
                v["note"] = json!(e.note);
                v["recorded_by"] = json!(e.recorded_by);
                v["recorded_at"] = json!(e.recorded_at);
            }
            v
        })
        .collect();
    let year = day_vn(&n.prepared_at).map_or(0, |d| chrono::Datelike::year(&d));
    let remedy = Remedy::parse(&n.remedy);
    let mut v = json!({
        "id": n.id,
        "number": notice::number(n.id, year),
        "url": format!("/thong-bao/{}", n.id),
        "factcheck_url": slug.map(crate::desk::publication_path),
        "remedy": n.remedy,
        "remedy_label": remedy.map(|r| r.label_vi()),
        "remedy_label_en": remedy.map(|r| r.label_en()),
        "platform": n.platform,
        "locators": n.locators,
        "legal_provisions": provisions,
        "reasons": n.reasons,
        "agency": n.agency,
        "agency_name": agency.map(|a| a.name_vi.clone()),
        "agency_name_en": agency.map(|a| a.name_en.clone()),
        "territorial_scope": n.territorial_scope,
        "prepared_on": day_vn(&n.prepared_at).map(|d| d.format("%Y-%m-%d").to_string()),
        "status": status.map_or(notice::PREPARED, |s| s.as_str()),
        "status_label": status.map_or(notice::PREPARED_VI, |s| s.label_vi()),
        "status_label_en": status.map_or(notice::PREPARED_EN, |s| s.label_en()),
        "next_steps": notice::allowed_after(status).iter().map(|s| s.as_str()).collect::<Vec<_>>(),
        "events": events,
    });
    if staff {
        v["case_id"] = json!(n.case_id);
        v["decision_id"] = json!(n.decision_id);
        v["prepared_by"] = json!(n.prepared_by);
        v["prepared_at"] = json!(n.prepared_at);
    }
    v
}

/// The fact-check a notice rests on: the publication of its own decision, not whatever
/// the case published last.
async fn slug_of(state: &AppState, n: &NoticeRecord) -> Result<Option<String>, ApiError> {
    Ok(state
        .desk
        .store
        .publication_of_decision(n.decision_id)
        .await?
        .map(|p| p.slug))
}

/// The notices issued on a published fact-check's decision, as the public register shows
/// them.
pub async fn public_notices(
    state: &AppState,
    p: &kc_store::PublicationRecord,
) -> Result<Vec<Value>, ApiError> {
    Ok(state
        .desk
        .store
        .notices_for_case(p.case_id)
        .await?
        .iter()
        .filter(|n| n.decision_id == p.decision_id)
        .map(|n| notice_view(state, n, Some(&p.slug), false))
        .collect())
}

// ---------- API ----------

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NoticeIn {
    /// The platform's name, e.g. `Facebook`.
    #[serde(default)]
    pub platform: String,
    /// URLs of the content itself (a post, a video), never of an account or profile, or
    /// hashes of content without an address (`sha256:…`, `md5:…`, `pdq:…`).
    #[serde(default)]
    pub locators: Vec<String>,
    /// Default `Việt Nam`.
    #[serde(default)]
    pub territorial_scope: Option<String>,
}

/// A notice as staff read it through the API ([`notice_view`] writes it; a test checks
/// every answer against this schema, so the two cannot drift apart).
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct NoticeOut {
    id: i64,
    /// The notice's number as printed, e.g. `TB-2026-0003`.
    number: String,
    /// The printable notice (`/thong-bao/{id}`).
    url: String,
    /// The fact-check whose decision the notice rests on.
    #[schema(nullable, required)]
    factcheck_url: Option<String>,
    /// `notice` or `label_request`, copied from the decision.
    remedy: String,
    #[schema(nullable, required)]
    remedy_label: Option<String>,
    #[schema(nullable, required)]
    remedy_label_en: Option<String>,
    platform: String,
    /// Content locators: canonical URLs of content, or `sha256:`/`md5:`/`pdq:` hashes.
    locators: Vec<String>,
    legal_provisions: Vec<NoticeProvisionOut>,
    reasons: String,
    /// The issuing agency (the case's lead agency).
    agency: String,
    #[schema(nullable, required)]
    agency_name: Option<String>,
    #[schema(nullable, required)]
    agency_name_en: Option<String>,
    territorial_scope: String,
    /// `YYYY-MM-DD`, Vietnam's calendar.
    #[schema(nullable, required)]
    prepared_on: Option<String>,
    /// `prepared`, or the last step recorded.
    status: String,
    status_label: String,
    status_label_en: String,
    /// The steps that may be recorded next.
    next_steps: Vec<String>,
    /// The steps recorded, in order.
    events: Vec<NoticeEventOut>,
    case_id: i64,
    decision_id: i64,
    prepared_by: String,
    prepared_at: String,
}

#[derive(ToSchema)]
#[allow(dead_code)]
pub struct NoticeProvisionOut {
    id: String,
    citation: String,
}

#[derive(ToSchema)]
#[allow(dead_code)]
pub struct NoticeEventOut {
    /// `sent`, `acknowledged`, `effect_given`, `declined` or `reinstated`.
    step: String,
    #[schema(nullable, required)]
    label: Option<String>,
    #[schema(nullable, required)]
    label_en: Option<String>,
    /// The day it happened, `YYYY-MM-DD`.
    on: String,
    #[schema(nullable, required)]
    note: Option<String>,
    recorded_by: String,
    recorded_at: String,
}

/// A case's notices.
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct NoticeList {
    count: usize,
    items: Vec<NoticeOut>,
}

/// Prepares a notice (editor or lead) for a published case whose decision's remedy is
/// `notice` or `label_request`. The desk never sends it.
#[utoipa::path(post, path = "/api/v1/cases/{id}/notices", params(("id" = i64, Path)), request_body = NoticeIn,
    responses((status = 201, body = NoticeOut), (status = 401, body = ErrorEnvelope), (status = 403, body = ErrorEnvelope),
              (status = 404, body = ErrorEnvelope),
              (status = 409, body = ErrorEnvelope, description = "not published, the remedy asks nothing of a platform, or the same notice exists (duplicate_notice, naming it) and was not declined"),
              (status = 422, body = ErrorEnvelope, description = "platform missing, or a locator neither an http(s) URL of content nor a sha256/md5/pdq hash")))]
pub async fn create(
    State(state): State<AppState>,
    Staff(actor): Staff,
    CaseId(id): CaseId,
    ApiJson(body): ApiJson<NoticeIn>,
) -> Result<impl IntoResponse, ApiError> {
    let notice_id = state
        .desk
        .prepare_notice(
            &actor,
            id,
            &body.platform,
            &body.locators,
            body.territorial_scope.as_deref(),
        )
        .await?;
    let n = state
        .desk
        .store
        .notice(notice_id)
        .await?
        .ok_or_else(|| ApiError::internal("notice vanished after commit"))?;
    let slug = slug_of(&state, &n).await?;
    Ok((
        StatusCode::CREATED,
        Json(notice_view(&state, &n, slug.as_deref(), true)),
    ))
}

/// The notices of a case, with their steps (staff).
#[utoipa::path(get, path = "/api/v1/cases/{id}/notices", params(("id" = i64, Path)),
    responses((status = 200, body = NoticeList), (status = 401, body = ErrorEnvelope), (status = 404, body = ErrorEnvelope)))]
pub async fn list(
    State(state): State<AppState>,
    _staff: Staff,
    CaseId(id): CaseId,
) -> Result<Json<Value>, ApiError> {
    state.desk.case_detail(id).await?;
    let mut items: Vec<Value> = Vec::new();
    for n in state.desk.store.notices_for_case(id).await? {
        let slug = slug_of(&state, &n).await?;
        items.push(notice_view(&state, &n, slug.as_deref(), true));
    }
    Ok(Json(json!({ "count": items.len(), "items": items })))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StepIn {
    /// `sent`, `acknowledged`, `effect_given`, `declined` or `reinstated`.
    #[serde(default)]
    pub step: String,
    /// The day it happened, `YYYY-MM-DD`.
    #[serde(default)]
    pub date: String,
    /// Required for `declined` and `reinstated`.
    #[serde(default)]
    pub note: Option<String>,
}

/// A notice number from the path; anything else is a notice that does not exist.
pub struct NoticeId(pub i64);

impl<S: Send + Sync> axum::extract::FromRequestParts<S> for NoticeId {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        state: &S,
    ) -> Result<Self, Self::Rejection> {
        crate::api::path_id(parts, state, ("thông báo", "Notice"))
            .await
            .map(NoticeId)
    }
}

/// Records a step of a notice (editor or lead): 409 when it does not follow the last one.
#[utoipa::path(post, path = "/api/v1/notices/{id}/events", params(("id" = i64, Path)), request_body = StepIn,
    responses((status = 201, body = NoticeOut), (status = 401, body = ErrorEnvelope), (status = 403, body = ErrorEnvelope),
              (status = 404, body = ErrorEnvelope),
              (status = 409, body = ErrorEnvelope, description = "the step does not follow the last one recorded"),
              (status = 422, body = ErrorEnvelope, description = "unknown step, bad date, or a missing note")))]
pub async fn record_step(
    State(state): State<AppState>,
    Staff(actor): Staff,
    NoticeId(id): NoticeId,
    ApiJson(body): ApiJson<StepIn>,
) -> Result<impl IntoResponse, ApiError> {
    state
        .desk
        .record_notice_step(&actor, id, &body.step, &body.date, body.note.as_deref())
        .await?;
    let n = state
        .desk
        .store
        .notice(id)
        .await?
        .ok_or_else(|| notice_not_found(id))?;
    let slug = slug_of(&state, &n).await?;
    Ok((
        StatusCode::CREATED,
        Json(notice_view(&state, &n, slug.as_deref(), true)),
    ))
}

#[derive(OpenApi)]
#[openapi(paths(create, list, record_step))]
pub struct NoticeDoc;

// ---------- pages ----------

/// The printable notice, public: what a person sends to the platform. No staff names.
pub async fn notice_page(
    State(state): State<AppState>,
    headers: HeaderMap,
    // The page's own 404 for an address that is no number (one cut short when copied from
    // a letter): the API's extractor answered a reader's browser with JSON.
    crate::pages::PageId(id): crate::pages::PageId,
    Query(q): Query<LangQuery>,
) -> Response {
    let page = Page::new(&headers, q.lang.as_deref());
    let result = async {
        let n = state
            .desk
            .store
            .notice(id)
            .await?
            .ok_or_else(|| notice_not_found(id))?;
        let slug = slug_of(&state, &n).await?;
        Ok::<_, ApiError>(notice_view(&state, &n, slug.as_deref(), false))
    }
    .await;
    match result {
        Ok(n) => page.render(
            &state,
            StatusCode::OK,
            "notice.html",
            // A printed notice leaves the site: its link to the fact-check must be absolute.
            context! { n => minijinja::Value::from_serialize(&n), public_url => state.config.public_url.clone() },
        ),
        Err(e) => page.error(&state, &e, "/kiem-chung"),
    }
}

/// What the case page shows about notices: the list with steps (staff view) and whether
/// this person may prepare one or record steps.
pub async fn case_context(state: &AppState, staff: &Actor, case_id: i64) -> minijinja::Value {
    let notices = match state.desk.store.notices_for_case(case_id).await {
        Ok(ns) => ns,
        Err(e) => {
            tracing::warn!(error = %e, "could not read notices");
            Vec::new()
        }
    };
    let case = state.desk.store.case(case_id).await.ok().flatten();
    let agency = case.as_ref().and_then(|c| c.agency.clone());
    let may_act = notice::authorize(staff, agency.as_deref()).is_ok();
    let remedy_ok = match state.desk.store.decisions(case_id).await {
        Ok(ds) => ds
            .iter()
            .rev()
            .find(|d| d.status == "approved")
            .is_some_and(|d| {
                matches!(
                    (
                        case.as_ref().and_then(|c| CaseState::parse(&c.state)),
                        Verdict::parse(&d.verdict),
                        Remedy::parse(&d.remedy)
                    ),
                    (Some(s), Some(v), Some(r)) if notice::check_case(s, v, r).is_ok()
                )
            }),
        Err(_) => false,
    };
    let views: Vec<Value> = notices
        .iter()
        .map(|n| notice_view(state, n, None, true))
        .collect();
    context! {
        items => minijinja::Value::from_serialize(&views),
        can_prepare => may_act && remedy_ok,
        can_record => may_act,
        steps => NoticeStep::ALL.iter().map(|s| s.as_str()).collect::<Vec<_>>(),
        today => today_vn().format("%Y-%m-%d").to_string(),
        default_scope => notice::DEFAULT_SCOPE,
    }
}

#[derive(Deserialize)]
pub struct PrepareForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    platform: String,
    /// One URL a line.
    #[serde(default)]
    locators: String,
    #[serde(default)]
    territorial_scope: String,
}

pub async fn console_prepare(
    State(state): State<AppState>,
    headers: HeaderMap,
    MaybeStaff(staff): MaybeStaff,
    crate::pages::PageId(id): crate::pages::PageId,
    Form(form): Form<PrepareForm>,
) -> Response {
    let actor = staff.clone();
    let locators: Vec<String> = form.locators.lines().map(str::to_string).collect();
    let scope = Some(form.territorial_scope.as_str()).filter(|s| !s.trim().is_empty());
    // A refused locator comes back on the case page with what was typed, to be corrected.
    let typed =
        crate::pages::DecisionForm::notice(&form.platform, &form.locators, &form.territorial_scope);
    let desk = &state.desk;
    let action = async {
        let actor = actor.ok_or_else(ApiError::unauthorized)?;
        desk.prepare_notice(&actor, id, &form.platform, &locators, scope)
            .await
            .map(|_| ())
    };
    match crate::pages::console_action(&state, &headers, staff, id, &form.csrf, typed, action).await
    {
        r if r.status() == axum::http::StatusCode::SEE_OTHER => {
            Redirect::to(&format!("/quan-tri/ho-so/{id}#thong-bao")).into_response()
        }
        r => r,
    }
}

#[derive(Deserialize)]
pub struct StepForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    step: String,
    #[serde(default)]
    date: String,
    #[serde(default)]
    note: String,
}

pub async fn console_step(
    State(state): State<AppState>,
    headers: HeaderMap,
    MaybeStaff(staff): MaybeStaff,
    NoticeId(id): NoticeId,
    Form(form): Form<StepForm>,
) -> Response {
    let Some(staff) = staff else {
        return crate::pages::session_ended_redirect();
    };
    let case_id = match state.desk.store.notice(id).await {
        Ok(Some(n)) => n.case_id,
        Ok(None) => {
            return Page::new(&headers, None).error(&state, &notice_not_found(id), "/quan-tri")
        }
        Err(e) => return Page::new(&headers, None).error(&state, &e.into(), "/quan-tri"),
    };
    // A refused step comes back on the case page, tied to its field, with what was typed.
    let typed = crate::pages::DecisionForm::notice_step(id, &form.step, &form.date, &form.note);
    let desk = &state.desk;
    let action = desk.record_notice_step(&staff, id, &form.step, &form.date, Some(&form.note));
    let action = async { action.await.map(|_| ()) };
    match crate::pages::console_action(
        &state,
        &headers,
        Some(staff.clone()),
        case_id,
        &form.csrf,
        typed,
        action,
    )
    .await
    {
        r if r.status() == axum::http::StatusCode::SEE_OTHER => {
            Redirect::to(&format!("/quan-tri/ho-so/{case_id}#thong-bao")).into_response()
        }
        r => r,
    }
}

// ---------- open data ----------

/// Every notice in the public register, as JSON.
pub async fn open_json(State(state): State<AppState>) -> Response {
    match register(&state).await {
        Ok(mut items) => {
            // Open data is read away from the site: its links are absolute, as in the CSV
            // and the other registers.
            for n in &mut items {
                for key in ["url", "factcheck_url"] {
                    if let Some(path) = n[key].as_str() {
                        n[key] = Value::from(format!("{}{path}", state.config.public_url));
                    }
                }
            }
            Json(json!({ "count": items.len(), "items": items })).into_response()
        }
        Err(e) => e.into_response(),
    }
}

async fn register(state: &AppState) -> Result<Vec<Value>, ApiError> {
    let notices = state.desk.store.all_notices().await?;
    // One read of the publications instead of one case read per notice.
    let slugs: std::collections::HashMap<i64, String> = state
        .desk
        .store
        .publications()
        .await?
        .into_iter()
        .map(|p| (p.decision_id, p.slug))
        .collect();
    Ok(notices
        .iter()
        .map(|n| {
            notice_view(
                state,
                n,
                slugs.get(&n.decision_id).map(String::as_str),
                false,
            )
        })
        .collect())
}

/// Every notice as CSV, one row a notice: lists are joined with a space (URLs have none).
pub async fn open_csv(State(state): State<AppState>) -> Response {
    let items = match register(&state).await {
        Ok(items) => items,
        Err(e) => return e.into_response(),
    };
    let mut out = String::from(
        "\u{feff}number,platform,remedy,locators,legal_provisions,agency,territorial_scope,prepared_on,status,status_on,factcheck_url,reasons\n",
    );
    let s = |v: &Value| v.as_str().unwrap_or("").to_string();
    for n in &items {
        let locators = n["locators"]
            .as_array()
            .map(|a| a.iter().map(s).collect::<Vec<_>>().join(" "))
            .unwrap_or_default();
        let provisions = n["legal_provisions"]
            .as_array()
            .map(|a| {
                a.iter()
                    .map(|p| s(&p["citation"]))
                    .collect::<Vec<_>>()
                    .join("; ")
            })
            .unwrap_or_default();
        let status_on = n["events"]
            .as_array()
            .and_then(|a| a.last())
            .map(|e| s(&e["on"]))
            .unwrap_or_default();
        let factcheck = if n["factcheck_url"].is_string() {
            format!("{}{}", state.config.public_url, s(&n["factcheck_url"]))
        } else {
            String::new()
        };
        let row = [
            s(&n["number"]),
            s(&n["platform"]),
            s(&n["remedy"]),
            locators,
            provisions,
            s(&n["agency"]),
            s(&n["territorial_scope"]),
            s(&n["prepared_on"]),
            s(&n["status"]),
            status_on,
            factcheck,
            s(&n["reasons"]),
        ]
        .iter()
        .map(|f| crate::feeds::csv_field(f))
        .collect::<Vec<_>>()
        .join(",");
        out.push_str(&row);
        out.push('\n');
    }
    (
        StatusCode::OK,
        [(header::CONTENT_TYPE, "text/csv; charset=utf-8")],
        out,
    )
        .into_response()
}

// ---------- templates ----------

pub const TEMPLATES: &[(&str, &str)] = &[
    ("notice.html", include_str!("../templates/notice.html")),
    (
        "notice_register.html",
        include_str!("../templates/notice_register.html"),
    ),
    (
        "case_notices.html",
        include_str!("../templates/case_notices.html"),
    ),
];

/// Template functions for notices: a step's label in the page's language.
pub fn register_functions(env: &mut Environment<'static>) {
    env.add_function("notice_step_label", |state: &TplState, code: &str| {
        let en = state
            .lookup("lang")
            .and_then(|v| v.as_str().map(|s| s == "en"))
            .unwrap_or(false);
        match NoticeStep::parse(code) {
            Some(s) => if en { s.label_en() } else { s.label_vi() }.to_string(),
            None if code == notice::PREPARED => if en {
                notice::PREPARED_EN
            } else {
                notice::PREPARED_VI
            }
            .to_string(),
            None => code.to_string(),
        }
    });
}
