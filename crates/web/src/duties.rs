//! The directive's duties and the progress agencies record on them (`kc_desk::duty`): the
//! console page where an officer reports what their agency did, and the JSON API. The
//! statistics page and the report upward show the same entries for their period.

use crate::api::ApiJson;
use crate::error::{ApiError, ErrorEnvelope};
use crate::pages::{login_redirect, Page};
use crate::session::{check_csrf, MaybeStaff, Staff};
use crate::AppState;
use axum::extract::rejection::FormRejection;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::{Form, Json};
use chrono::NaiveDate;
use kc_desk::duty::{ProgressDraft, ProgressEntry};
use kc_desk::pack::{Duty, Pack};
use kc_desk::workflow::FieldError;
use kc_desk::Actor;
use minijinja::context;
use serde::{Deserialize, Serialize};
use utoipa::{OpenApi, ToSchema};

/// A progress entry as the API and the console show it: as recorded, with the entry that
/// corrected it, if one did (such an entry no longer counts in statistics or reports).
#[derive(Debug, Clone, Serialize)]
pub struct ProgressOut {
    #[serde(flatten)]
    pub entry: ProgressEntry,
    pub corrected_by: Option<i64>,
}

/// A progress entry as the document shows it ([`ProgressOut`] flattens
/// [`ProgressEntry`], which lives in the pure core and carries no schema; a test checks the
/// API's answers against this).
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct ProgressOutDoc {
    id: i64,
    duty: String,
    agency: String,
    /// First day covered, `YYYY-MM-DD`.
    from: String,
    /// Last day covered, `YYYY-MM-DD`.
    to: String,
    summary: String,
    #[schema(nullable, required)]
    count: Option<u32>,
    #[schema(nullable, required)]
    unit: Option<String>,
    links: Vec<String>,
    /// The entry this one corrects.
    #[schema(nullable, required)]
    corrects: Option<i64>,
    recorded_by: String,
    /// RFC 3339, UTC.
    recorded_at: String,
    /// The entry that corrected this one; such an entry no longer counts.
    #[schema(nullable, required)]
    corrected_by: Option<i64>,
}

/// A duty with the agencies it names and the progress recorded on it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct DutyOut {
    pub id: String,
    pub clause: String,
    pub kind: String,
    pub recurrence: String,
    pub mode: String,
    pub text_vi: String,
    /// In English, when the pack gives it.
    #[schema(required)]
    pub text_en: Option<String>,
    pub agencies: Vec<String>,
    #[schema(value_type = Vec<ProgressOutDoc>)]
    pub progress: Vec<ProgressOut>,
}

/// Every duty (those naming `agency` when one is given) with its progress entries, oldest
/// first: only `agency`'s, and only those meeting the days `period` when one is given.
fn duties_with_progress(
    pack: &Pack,
    entries: &[ProgressEntry],
    agency: Option<&str>,
    period: Option<(NaiveDate, NaiveDate)>,
) -> Vec<DutyOut> {
    let corrected_by = |id: i64| {
        entries
            .iter()
            .find(|e| e.corrects == Some(id))
            .map(|e| e.id)
    };
    pack.duties
        .iter()
        .filter(|d| agency.is_none_or(|a| d.agencies.iter().any(|x| x == a)))
        .map(|d: &Duty| DutyOut {
            id: d.id.clone(),
            clause: d.clause.clone(),
            kind: d.kind.clone(),
            recurrence: d.recurrence.clone(),
            mode: d.mode.clone(),
            text_vi: d.text_vi.clone(),
            text_en: d.text_en.clone(),
            agencies: d.agencies.clone(),
            progress: entries
                .iter()
                .filter(|e| e.duty == d.id && agency.is_none_or(|a| e.agency == a))
                .filter(|e| period.is_none_or(|(first, last)| e.overlaps(first, last)))
                .map(|e| ProgressOut {
                    entry: e.clone(),
                    corrected_by: corrected_by(e.id),
                })
                .collect(),
        })
        .collect()
}

fn unknown_agency(code: &str) -> ApiError {
    FieldError::new(
        "agency",
        format!("Không có cơ quan mã `{code}` trong văn bản chỉ đạo."),
        format!("The directive names no agency with code `{code}`."),
    )
    .into()
}

// ---------- API ----------

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DutiesQuery {
    /// An agency code: only the duties naming it, and only its progress.
    pub agency: Option<String>,
    /// First day, `YYYY-MM-DD`: only progress covering a day from `from` to `to`. Without
    /// `from` and `to`, all progress; with `to` alone, from the first of its month.
    pub from: Option<String>,
    /// Last day, included; default: today when `from` is given.
    pub to: Option<String>,
}

/// The directive's duties (`id`, `clause`, `kind`, `recurrence`, `mode`, `text_vi`, `text_en`?,
/// `agencies`) with the progress recorded on each (`progress`: `id`, `duty`, `agency`,
/// `from`, `to`, `summary`, `count`?, `unit`?, `links`, `corrects`?, `corrected_by`?,
/// `recorded_by`, `recorded_at`), oldest first. An entry with `corrected_by` was replaced
/// by that entry and no longer counts.
#[utoipa::path(get, path = "/api/v1/duties", operation_id = "list_duties", params(DutiesQuery),
    responses((status = 200, body = [DutyOut]), (status = 401, body = ErrorEnvelope), (status = 422, body = ErrorEnvelope)))]
pub async fn api_list(
    State(state): State<AppState>,
    _staff: Staff,
    crate::api::ApiQuery(q): crate::api::ApiQuery<DutiesQuery>,
) -> Result<Json<Vec<DutyOut>>, ApiError> {
    let pack = state.desk.pack();
    let agency = q.agency.as_deref().map(str::trim).filter(|a| !a.is_empty());
    if let Some(a) = agency {
        if pack.agency(a).is_none() {
            return Err(unknown_agency(a));
        }
    }
    let blank = |v: &Option<String>| v.as_deref().is_none_or(|v| v.trim().is_empty());
    let period = if blank(&q.from) && blank(&q.to) {
        None
    } else {
        Some(crate::desk::report_days(
            q.from.as_deref(),
            q.to.as_deref(),
        )?)
    };
    let entries = state.desk.store.duty_progress(agency).await?;
    Ok(Json(duties_with_progress(&pack, &entries, agency, period)))
}

#[derive(Serialize, ToSchema)]
pub struct ProgressCreated {
    pub id: i64,
}

/// A progress entry's body as the document shows it; the desk reads it as
/// [`kc_desk::duty::ProgressDraft`], which lives in the pure core and carries no schema.
#[derive(ToSchema)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
pub struct ProgressIn {
    /// The agency whose work it is (its code); the duty must name it.
    agency: String,
    /// First day covered, `YYYY-MM-DD`.
    from: String,
    /// Last day covered, `YYYY-MM-DD`; the first day when absent (work of one day).
    #[schema(nullable = false)]
    to: Option<String>,
    /// What was done, in the agency's own words.
    summary: String,
    #[schema(nullable = false)]
    count: Option<i64>,
    /// What the count counts; required with a count.
    #[schema(nullable = false)]
    unit: Option<String>,
    /// Links to public material.
    #[schema(nullable = false)]
    links: Option<Vec<String>>,
    /// The entry this one corrects (same duty and agency).
    #[schema(nullable = false)]
    corrects: Option<i64>,
}

/// Records progress on a duty for an agency it names (staff of that agency, or an
/// administrator): `{"agency", "from": "YYYY-MM-DD", "to"?: "YYYY-MM-DD", "summary",
/// "count"?, "unit"? (with a count), "links"?: [url], "corrects"?: id}`. Entries are kept
/// as recorded; a mistake is put right by a new entry naming the one it `corrects`.
#[utoipa::path(post, path = "/api/v1/duties/{id}/progress", request_body = ProgressIn,
    params(("id" = String, Path, description = "The duty's id in the pack")),
    responses((status = 201, body = ProgressCreated), (status = 401, body = ErrorEnvelope), (status = 403, body = ErrorEnvelope),
              (status = 404, body = ErrorEnvelope), (status = 422, body = ErrorEnvelope)))]
pub async fn api_record(
    State(state): State<AppState>,
    Staff(actor): Staff,
    Path(duty): Path<String>,
    ApiJson(body): ApiJson<ProgressDraft>,
) -> Result<impl IntoResponse, ApiError> {
    let id = state
        .desk
        .record_duty_progress(&actor, &duty, &body)
        .await?;
    Ok((StatusCode::CREATED, Json(ProgressCreated { id })))
}

#[derive(OpenApi)]
#[openapi(paths(api_list, api_record), components(schemas(ProgressCreated)))]
pub struct DutyDoc;

// ---------- console ----------

#[derive(Deserialize, Default)]
pub struct DutyPageQuery {
    pub lang: Option<String>,
    /// The agency whose duties are shown.
    pub co_quan: Option<String>,
}

#[derive(Deserialize, Default, Serialize)]
pub struct ProgressForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    agency: String,
    #[serde(default)]
    duty: String,
    #[serde(default)]
    from: String,
    #[serde(default)]
    to: String,
    #[serde(default)]
    summary: String,
    #[serde(default)]
    count: String,
    #[serde(default)]
    unit: String,
    /// One link a line.
    #[serde(default)]
    links: String,
    #[serde(default)]
    corrects: String,
}

impl ProgressForm {
    fn draft(&self) -> Result<ProgressDraft, FieldError> {
        let number = |field: &str, v: &str, vi: &str, en: &str| match v.trim() {
            "" => Ok(None),
            v => v
                .parse::<i64>()
                .map(Some)
                .map_err(|_| FieldError::new(field, vi, en)),
        };
        Ok(ProgressDraft {
            agency: self.agency.clone(),
            from: self.from.clone(),
            to: Some(self.to.clone()),
            summary: self.summary.clone(),
            count: number(
                "count",
                &self.count,
                "Số lượng phải là một số.",
                "The count must be a number.",
            )?,
            unit: Some(self.unit.clone()),
            links: self.links.lines().map(str::to_string).collect(),
            corrects: number(
                "corrects",
                &self.corrects,
                "Số mục được sửa phải là một số.",
                "The corrected entry must be a number.",
            )?,
        })
    }
}

/// The agencies whose duties an officer sees first: those their roles are scoped to, or,
/// for district-wide staff, every agency the directive gives duties.
fn own_agencies(staff: &Actor, pack: &Pack) -> Vec<String> {
    let with_duties = |code: &str| pack.duties_of(code).next().is_some();
    if staff.grants.iter().any(|g| g.agency.is_none()) {
        pack.agencies
            .iter()
            .map(|a| a.code.clone())
            .filter(|c| with_duties(c))
            .collect()
    } else {
        let mut codes: Vec<String> = staff
            .grants
            .iter()
            .filter_map(|g| g.agency.clone())
            .filter(|c| with_duties(c))
            .collect();
        codes.sort();
        codes.dedup();
        codes
    }
}

/// An agency's duties, each with its latest standing progress and its history, and the form
/// to record progress.
pub async fn console_page(
    State(state): State<AppState>,
    headers: HeaderMap,
    MaybeStaff(staff): MaybeStaff,
    Query(q): Query<DutyPageQuery>,
) -> Response {
    let Some(staff) = staff else {
        return login_redirect();
    };
    let page = Page::new(&headers, q.lang.as_deref());
    let form = ProgressForm {
        agency: q.co_quan.unwrap_or_default(),
        ..ProgressForm::default()
    };
    render(&state, &page, &staff, (StatusCode::OK, None), form).await
}

pub async fn console_record(
    State(state): State<AppState>,
    headers: HeaderMap,
    MaybeStaff(staff): MaybeStaff,
    form: Result<Form<ProgressForm>, FormRejection>,
) -> Response {
    let Some(staff) = staff else {
        return crate::pages::session_ended_redirect();
    };
    let page = Page::new(&headers, None);
    let form = match form {
        Ok(Form(form)) => form,
        Err(e) => {
            let err = ApiError::new(
                e.status(),
                "bad_body",
                "Không đọc được biểu mẫu gửi lên.",
                e.body_text(),
            );
            return page.error(&state, &err, "/quan-tri/nhiem-vu");
        }
    };
    let result = match check_csrf(&headers, &form.csrf) {
        Err(e) => Err(e),
        Ok(()) => match form.draft() {
            Err(e) => Err(e.into()),
            Ok(d) => {
                state
                    .desk
                    .record_duty_progress(&staff, form.duty.trim(), &d)
                    .await
            }
        },
    };
    match result {
        Ok(id) => Redirect::to(&format!(
            "/quan-tri/nhiem-vu?co_quan={}#muc-{id}",
            form.agency.trim()
        ))
        .into_response(),
        Err(err) => {
            let msg = page.message(&err);
            let field = err.body.field.clone();
            render(
                &state,
                &page,
                &staff,
                (err.status, Some((msg, field))),
                form,
            )
            .await
        }
    }
}

async fn render(
    state: &AppState,
    page: &Page,
    staff: &Actor,
    (status, error): (StatusCode, Option<(String, Option<String>)>),
    form: ProgressForm,
) -> Response {
    let pack = state.desk.pack();
    let mine = own_agencies(staff, &pack);
    // The agency asked for, if the directive gives it duties; else the officer's first.
    let agency = Some(form.agency.trim())
        .filter(|a| pack.duties_of(a).next().is_some())
        .map(str::to_string)
        .or_else(|| mine.first().cloned());
    let Some(agency) = agency else {
        let err = ApiError::new(
            StatusCode::NOT_FOUND,
            "no_duties",
            "Văn bản chỉ đạo không giao nhiệm vụ cho đơn vị của bạn.",
            "The directive gives your agency no duties.",
        );
        return page.error(state, &err, "/quan-tri");
    };
    let entries = match state.desk.store.duty_progress(Some(&agency)).await {
        Ok(e) => e,
        Err(e) => return page.error(state, &e.into(), "/quan-tri"),
    };
    let en = page.is_en();
    let duties: Vec<minijinja::Value> = duties_with_progress(&pack, &entries, Some(&agency), None)
        .into_iter()
        .map(|d| {
            let (text, text_lang) = pack
                .duties
                .iter()
                .find(|x| x.id == d.id)
                .map_or((d.text_vi.clone(), "vi"), |x| {
                    (x.text_in(en).to_string(), x.text_lang_in(en))
                });
            let latest = d
                .progress
                .iter()
                .rev()
                .find(|p| p.corrected_by.is_none())
                .cloned();
            context! { d, latest, text, text_lang }
        })
        .collect();
    let names = crate::pages::agency_names(state, if page.is_en() { "en" } else { "vi" });
    let choices: Vec<minijinja::Value> = pack
        .agencies
        .iter()
        .filter(|a| mine.contains(&a.code) || a.code == agency)
        .map(|a| context! { code => a.code.clone(), name => names.get(&a.code).cloned().unwrap_or_default() })
        .collect();
    let may_record = kc_desk::duty::may_record(staff, &agency).is_ok();
    let (error, error_field) = error.map_or((None, None), |(m, f)| (Some(m), f));
    let form = ProgressForm {
        agency: agency.clone(),
        csrf: String::new(),
        ..form
    };
    page.render(
        state,
        status,
        "duties.html",
        context! {
            duties, choices, may_record, error, error_field, form,
            agency_name => names.get(&agency).cloned().unwrap_or_else(|| agency.clone()),
            staff => crate::pages::staff_context(staff),
            today => crate::notices::today_vn().to_string(),
        },
    )
}
