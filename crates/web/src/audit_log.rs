//! The audit log, read: a console page and an API for district auditors and administrators
//! (`kc_desk::workflow::may_read_audit_log`). The log itself is written by every change,
//! inside the change's own transaction (`kc_store::WriteTx`); nothing here writes.

use crate::error::ApiError;
use crate::pages::{login_redirect, Page};
use crate::session::{MaybeStaff, Staff};
use crate::AppState;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use kc_desk::workflow::FieldError;
use kc_store::AuditQuery;
use minijinja::{context, Value};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// Events one console page shows.
const PAGE_EVENTS: i64 = 100;
/// The most events one API answer returns.
const API_EVENTS_MAX: usize = 1000;
/// The furthest offset: what the databases' `OFFSET` (a signed 64-bit number) takes.
const OFFSET_MAX: usize = i64::MAX as usize;

/// What an auditor asks of the log, as the console form and the API send it.
#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AuditLogParams {
    /// What the event is about: `case`, `report`, `appeal`, `notice`, `user`, …
    pub entity: Option<String>,
    /// Its id (with `entity`), e.g. a case number.
    pub entity_id: Option<String>,
    /// A case number: the case's whole history (its reports, duplicates merged into it,
    /// publications, appeals and notices included).
    #[serde(rename = "case")]
    #[param(rename = "case", value_type = Option<u64>)]
    pub case_id: Option<String>,
    /// The account that acted.
    pub actor: Option<String>,
    /// One action (`case.decide`), or every action of a kind with a trailing dot (`case.`).
    pub action: Option<String>,
    /// From this day (YYYY-MM-DD, Vietnam's calendar), included.
    pub from: Option<String>,
    /// To this day (YYYY-MM-DD, Vietnam's calendar), included.
    pub to: Option<String>,
    /// At most this many events (1–1000; the console shows 100 a page), newest first.
    #[param(value_type = Option<u32>)]
    pub limit: Option<String>,
    /// Events to skip before the first one returned.
    #[param(value_type = Option<u32>)]
    pub offset: Option<String>,
    #[param(ignore)]
    pub lang: Option<String>,
}

/// One event of the audit log, as the API returns it.
#[derive(Debug, Serialize, ToSchema)]
pub struct AuditEventOut {
    /// Position in the hash chain, from 1.
    pub seq: i64,
    /// When (UTC, RFC 3339).
    pub at: String,
    pub actor: String,
    pub action: String,
    pub entity: String,
    pub entity_id: String,
    /// What the event recorded besides (ids, states, reasons); never a contact or a file hash.
    #[schema(value_type = Object)]
    pub data: serde_json::Value,
    /// This event's link in the chain (`kiemchung audit verify` checks it).
    pub hash: String,
}

/// Refuses anyone but a district auditor or an administrator, saying who may read it (a
/// role name alone would puzzle an auditor scoped to one agency).
fn may_read(actor: &kc_desk::model::Actor) -> Result<(), ApiError> {
    kc_desk::workflow::may_read_audit_log(actor).map_err(|_| {
        ApiError::new(
            StatusCode::FORBIDDEN,
            "forbidden",
            "Nhật ký kiểm toán chỉ dành cho người kiểm tra cấp huyện và quản trị viên.",
            "The audit log is for district-wide auditors and administrators only.",
        )
    })
}

fn field_text(v: &Option<String>) -> Option<String> {
    v.as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
}

fn day(field: &str, v: &Option<String>) -> Result<Option<chrono::NaiveDate>, FieldError> {
    let Some(text) = field_text(v) else {
        return Ok(None);
    };
    let parsed = chrono::NaiveDate::parse_from_str(&text, "%Y-%m-%d")
        .or_else(|_| chrono::NaiveDate::parse_from_str(&text, "%d/%m/%Y"))
        .ok()
        .filter(|d| (2000..=9999).contains(&chrono::Datelike::year(d)));
    parsed.map(Some).ok_or_else(|| {
        FieldError::new(
            field,
            format!(
                "Ngày `{text}` không hợp lệ; dùng dạng NNNN-TT-NN (2026-11-01) hoặc NN/TT/NNNN."
            ),
            format!("Invalid date `{text}`; use YYYY-MM-DD (2026-11-01) or DD/MM/YYYY."),
        )
    })
}

/// A whole number in `range` (the API's own parameter rule), as the store counts rows.
fn count(
    field: &str,
    v: &Option<String>,
    range: std::ops::RangeInclusive<usize>,
) -> Result<Option<i64>, FieldError> {
    // Every range here ends at or below `OFFSET_MAX`, so the conversion cannot fail.
    Ok(crate::api::count_param(field, v.as_deref(), range)?.and_then(|n| i64::try_from(n).ok()))
}

impl AuditLogParams {
    /// The store's filter; errors name the field.
    fn query(&self) -> Result<AuditQuery, FieldError> {
        let from = day("from", &self.from)?;
        let to = day("to", &self.to)?;
        if let (Some(f), Some(t)) = (from, to) {
            if t < f {
                return Err(FieldError::new(
                    "to",
                    "Ngày kết thúc phải sau ngày bắt đầu.",
                    "The end date is before the start date.",
                ));
            }
        }
        let bound = |d: chrono::NaiveDate| kc_desk::stats::Period::vietnam_days(d, d);
        let entity_id = field_text(&self.entity_id);
        let entity = field_text(&self.entity);
        if entity_id.is_some() && entity.is_none() {
            return Err(FieldError::new(
                "entity",
                "Chọn loại đối tượng (ví dụ `case`) cho mã đối tượng.",
                "Name the kind of entity (e.g. `case`) for the entity id.",
            ));
        }
        let case = match field_text(&self.case_id) {
            None => None,
            Some(text) => Some(text.parse::<i64>().ok().filter(|n| *n > 0).ok_or_else(|| {
                FieldError::new(
                    "case",
                    format!("Số hồ sơ là một số nguyên dương (nhận được `{text}`)."),
                    format!("A case number is a positive whole number (got `{text}`)."),
                )
            })?),
        };
        Ok(AuditQuery {
            entity,
            entity_id,
            case,
            actor: field_text(&self.actor),
            action: field_text(&self.action),
            since: from.map(|d| kc_store::fmt_time(bound(d).from)),
            until: to.map(|d| kc_store::fmt_time(bound(d).to)),
        })
    }
}

/// The audit log, newest first (auditors and administrators).
#[utoipa::path(get, path = "/api/v1/audit", params(AuditLogParams),
    responses((status = 200, body = [AuditEventOut], headers(("X-Total-Count" = u64, description = "events passing the filters, before `limit` and `offset`"))),
              (status = 401, body = crate::error::ErrorEnvelope),
              (status = 403, body = crate::error::ErrorEnvelope, description = "not a district auditor or administrator"),
              (status = 422, body = crate::error::ErrorEnvelope, description = "a date, a limit or an offset that cannot be read")))]
pub async fn api_audit(
    State(state): State<AppState>,
    Staff(actor): Staff,
    crate::api::ApiQuery(params): crate::api::ApiQuery<AuditLogParams>,
) -> Result<Response, ApiError> {
    may_read(&actor)?;
    let q = params.query()?;
    let limit = count("limit", &params.limit, 1..=API_EVENTS_MAX)?.unwrap_or(PAGE_EVENTS);
    let offset = count("offset", &params.offset, 0..=OFFSET_MAX)?.unwrap_or(0);
    let page = state.desk.store.audit_page(&q, limit, offset).await?;
    let events: Vec<AuditEventOut> = page
        .events
        .into_iter()
        .map(|e| AuditEventOut {
            data: shown_data(&e.data),
            seq: e.seq,
            at: e.at,
            actor: e.actor,
            action: e.action,
            entity: e.entity,
            entity_id: e.entity_id,
            hash: e.hash,
        })
        .collect();
    let mut resp = Json(events).into_response();
    resp.headers_mut().insert(
        "x-total-count",
        axum::http::HeaderValue::from(page.total.max(0)),
    );
    Ok(resp)
}

/// An event's data as auditors read it. Versions before this one named an evidence file by
/// its SHA-256 (`evidence.file_add`); the chained row keeps it (`kiemchung audit verify`
/// still checks it), but the page and the API leave it out, as they promise.
fn shown_data(data: &str) -> serde_json::Value {
    match serde_json::from_str(data) {
        Ok(serde_json::Value::Object(mut fields)) => {
            fields.remove("sha256");
            serde_json::Value::Object(fields)
        }
        Ok(other) => other,
        Err(_) => serde_json::Value::String(data.to_string()),
    }
}

/// What an action means, for the page (the code is shown beside it).
fn action_label(action: &str, en: bool) -> Option<&'static str> {
    let (vi, en_label) = match action {
        "report.receive" => ("Nhận phản ánh", "Report received"),
        "report.contact_view" => ("Xem liên hệ người phản ánh", "Reporter contact read"),
        "case.open" => ("Mở hồ sơ", "Case opened"),
        "case.assign" => ("Phân công", "Assigned"),
        "case.opinion" => ("Ý kiến cơ quan phối hợp", "Consulted agency's opinion"),
        "case.answer" => ("Trả lời người phản ánh", "Reporters answered"),
        "case.merge" => ("Gộp hồ sơ trùng", "Duplicate merged"),
        "case.close" => ("Đóng hồ sơ", "Case closed"),
        "case.escalate" => (
            "Báo lãnh đạo đơn vị: hồ sơ quá hạn",
            "Overdue case escalated to the agency lead",
        ),
        "decision.record" => ("Ghi kết luận", "Decision recorded"),
        "decision.approve" => ("Thẩm định kết luận", "Decision reviewed"),
        "decision.return" => ("Trả lại kết luận để sửa", "Decision returned for changes"),
        "duty.progress" => ("Báo cáo kết quả nhiệm vụ", "Duty progress recorded"),
        "evidence.file_add" => ("Thêm tệp chứng cứ", "Evidence file added"),
        "file.view" => ("Mở tệp", "File opened"),
        "publication.publish" => ("Công bố kết luận", "Fact-check published"),
        "publication.restate_claim" => ("Sửa nội dung đã công bố", "Published claim restated"),
        "publication.recheck" => (
            "Kiểm tra lại kết luận đã công bố",
            "Published verdict re-checked",
        ),
        "notice.prepare" => ("Lập thông báo gỡ bỏ", "Notice prepared"),
        "notice.step" => ("Cập nhật thông báo", "Notice step"),
        "appeal.file" => ("Nhận khiếu nại", "Appeal filed"),
        "appeal.decide" => ("Giải quyết khiếu nại", "Appeal decided"),
        "appeal.contact_view" => ("Xem liên hệ người khiếu nại", "Appellant contact read"),
        "article.publish" => ("Đăng bài nhận diện", "Awareness article published"),
        "article.update" => ("Sửa bài nhận diện", "Awareness article updated"),
        "outreach.record" => ("Ghi buổi tuyên truyền", "Outreach recorded"),
        "contacts.purge" => ("Xoá liên hệ hết hạn", "Expired contacts purged"),
        "files.purge" => ("Xoá tệp hết hạn", "Expired files purged"),
        "pack.load" => ("Nạp bộ văn bản chỉ đạo", "Directive pack loaded"),
        "user.create" => ("Tạo tài khoản", "Account created"),
        "user.disable" => ("Khoá tài khoản", "Account disabled"),
        "user.enable" => ("Mở khoá tài khoản", "Account enabled"),
        "user.grant" => ("Cấp quyền", "Role granted"),
        "user.remove_role" => ("Thu hồi quyền", "Role removed"),
        "user.password" => ("Đổi mật khẩu", "Password changed"),
        "token.create" => ("Cấp khoá API", "API token issued"),
        "token.renew" => ("Gia hạn khoá API", "API token renewed"),
        "token.revoke" => ("Thu hồi khoá API", "API token revoked"),
        _ => return None,
    };
    Some(if en { en_label } else { vi })
}

/// The console's page of the log: filters, 100 events a page, each case linked.
pub async fn console_audit(
    State(state): State<AppState>,
    headers: HeaderMap,
    MaybeStaff(staff): MaybeStaff,
    Query(params): Query<AuditLogParams>,
) -> Response {
    let Some(staff) = staff else {
        return login_redirect();
    };
    let page = Page::new(&headers, params.lang.as_deref());
    let back = "/quan-tri";
    if let Err(e) = may_read(&staff) {
        return page.error(&state, &e, back);
    }
    let (q, offset) = match params
        .query()
        .and_then(|q| Ok((q, count("offset", &params.offset, 0..=OFFSET_MAX)?)))
    {
        Ok(v) => v,
        Err(e) => {
            let err = crate::error::ApiError::from(e);
            let error = (page.message(&err), err.body.field.clone());
            return render(
                &state,
                &page,
                &staff,
                &params,
                StatusCode::UNPROCESSABLE_ENTITY,
                Some(error),
                None,
            );
        }
    };
    let offset = offset.unwrap_or(0);
    match state.desk.store.audit_page(&q, PAGE_EVENTS, offset).await {
        Ok(found) => render(
            &state,
            &page,
            &staff,
            &params,
            StatusCode::OK,
            None,
            Some((found, offset)),
        ),
        Err(e) => page.error(&state, &e.into(), back),
    }
}

fn render(
    state: &AppState,
    page: &Page,
    staff: &kc_desk::model::Actor,
    params: &AuditLogParams,
    status: StatusCode,
    error: Option<(String, Option<String>)>,
    found: Option<(kc_store::AuditPage, i64)>,
) -> Response {
    let en = page.lang() == "en";
    let (error, error_field) = error.map_or((None, None), |(m, f)| (Some(m), f));
    let (events, total, offset): (Vec<Value>, i64, i64) = match found {
        Some((p, offset)) => (
            p.events
                .iter()
                .map(|e| {
                    context! {
                        seq => e.seq,
                        at => e.at.clone(),
                        actor => e.actor.clone(),
                        action => e.action.clone(),
                        label => action_label(&e.action, en),
                        entity => e.entity.clone(),
                        entity_id => e.entity_id.clone(),
                        data => shown_data(&e.data).to_string(),
                    }
                })
                .collect(),
            p.total,
            offset,
        ),
        None => (Vec::new(), 0, 0),
    };
    // Paging links keep the filters; only the offset moves.
    let link = |offset: i64| {
        let mut query = url::form_urlencoded::Serializer::new(String::new());
        for (name, value) in [
            ("case", &params.case_id),
            ("entity", &params.entity),
            ("entity_id", &params.entity_id),
            ("actor", &params.actor),
            ("action", &params.action),
            ("from", &params.from),
            ("to", &params.to),
        ] {
            if let Some(v) = field_text(value) {
                query.append_pair(name, &v);
            }
        }
        if offset > 0 {
            query.append_pair("offset", &offset.to_string());
        }
        let query = query.finish();
        if query.is_empty() {
            "/quan-tri/nhat-ky".to_string()
        } else {
            format!("/quan-tri/nhat-ky?{query}")
        }
    };
    // Saturating: an offset typed far past the end must give an empty page, not overflow.
    let shown_to = offset
        .saturating_add(i64::try_from(events.len()).unwrap_or(0))
        .min(total);
    let newer = (offset > 0).then(|| link((offset - PAGE_EVENTS).max(0)));
    let older = (shown_to < total).then(|| link(shown_to));
    page.render(
        state,
        status,
        "audit_log.html",
        context! {
            staff => crate::pages::staff_context(staff),
            form => context! {
                entity => field_text(&params.entity),
                entity_id => field_text(&params.entity_id),
                case => field_text(&params.case_id),
                actor => field_text(&params.actor),
                action => field_text(&params.action),
                from => field_text(&params.from),
                to => field_text(&params.to),
            },
            error, error_field, events, total, first => offset.saturating_add(1), last => shown_to, newer, older,
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn days_are_vietnam_days_and_errors_name_the_field() {
        let p = AuditLogParams {
            from: Some("01/11/2026".into()),
            to: Some("2026-11-30".into()),
            ..Default::default()
        };
        let q = p.query().expect("valid");
        // 00:00 on 1 November in Vietnam is 17:00 the day before in UTC.
        assert_eq!(q.since.as_deref(), Some("2026-10-31T17:00:00.000Z"));
        assert_eq!(q.until.as_deref(), Some("2026-11-30T17:00:00.000Z"));
        let bad = AuditLogParams {
            from: Some("31/02/2026".into()),
            ..Default::default()
        };
        assert_eq!(bad.query().expect_err("refused").field, "from");
        let backwards = AuditLogParams {
            from: Some("2026-11-30".into()),
            to: Some("2026-11-01".into()),
            ..Default::default()
        };
        assert_eq!(backwards.query().expect_err("refused").field, "to");
        let id_alone = AuditLogParams {
            entity_id: Some("7".into()),
            ..Default::default()
        };
        assert_eq!(id_alone.query().expect_err("refused").field, "entity");
    }

    /// Every action the store writes has a name on the page: an auditor should not have to
    /// guess what `decision.return` means. The actions are the store's `"entity.verb"`
    /// string literals.
    #[test]
    fn every_action_the_store_writes_is_named() {
        let sources = [
            include_str!("../../store/src/queries.rs"),
            include_str!("../../store/src/appeals.rs"),
            include_str!("../../store/src/articles.rs"),
            include_str!("../../store/src/audit_log.rs"),
            include_str!("../../store/src/duties.rs"),
            include_str!("../../store/src/files.rs"),
            include_str!("../../store/src/notices.rs"),
            include_str!("../../store/src/tx.rs"),
        ];
        let is_action = |s: &str| {
            s.split_once('.').is_some_and(|(entity, verb)| {
                !entity.is_empty()
                    && !verb.is_empty()
                    && entity.bytes().all(|b| b.is_ascii_lowercase())
                    && verb.bytes().all(|b| b.is_ascii_lowercase() || b == b'_')
                    && verb != "db"
            })
        };
        let mut actions: Vec<&str> = sources
            .iter()
            .flat_map(|src| src.split('"').skip(1).step_by(2))
            .filter(|s| is_action(s))
            .collect();
        actions.sort_unstable();
        actions.dedup();
        assert!(actions.contains(&"duty.progress"), "{actions:?}");
        let unnamed: Vec<&str> = actions
            .into_iter()
            .filter(|a| action_label(a, false).is_none() || action_label(a, true).is_none())
            .collect();
        assert!(unnamed.is_empty(), "actions without a name: {unnamed:?}");
    }

    #[test]
    fn a_limit_is_one_to_the_maximum() {
        assert_eq!(
            count("limit", &Some("0".into()), 1..=1000)
                .expect_err("0")
                .field,
            "limit"
        );
        assert_eq!(
            count("limit", &Some("1000".into()), 1..=1000),
            Ok(Some(1000))
        );
        assert_eq!(
            count("offset", &Some("0".into()), 0..=OFFSET_MAX),
            Ok(Some(0))
        );
        assert_eq!(count("offset", &None, 0..=OFFSET_MAX), Ok(None));
        assert!(count("offset", &Some("-1".into()), 0..=OFFSET_MAX).is_err());
    }
}
