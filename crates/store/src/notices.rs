//! Notices to platforms and the steps recorded about them. Rows are kept as recorded; a
//! notice's status is its latest event, decided by `kc_desk::notice`, not here.

use crate::{get_i64, get_opt_str, get_str, now, Result, Store, StoreError, WriteTx};
use serde::Serialize;
use serde_json::json;
use sqlx::any::AnyRow;

#[derive(Debug, Clone, Serialize)]
pub struct NoticeEventRecord {
    pub id: i64,
    pub notice_id: i64,
    pub step: String,
    /// The day it happened, `YYYY-MM-DD` on Vietnam's calendar, as staff recorded it.
    pub happened_on: String,
    pub note: Option<String>,
    pub recorded_by: String,
    pub recorded_at: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct NoticeRecord {
    pub id: i64,
    pub case_id: i64,
    pub decision_id: i64,
    pub remedy: String,
    pub platform: String,
    pub locators: Vec<String>,
    pub legal_provisions: Vec<String>,
    pub reasons: String,
    pub agency: String,
    pub territorial_scope: String,
    pub prepared_by: String,
    pub prepared_at: String,
    /// In the order recorded.
    pub events: Vec<NoticeEventRecord>,
}

/// A notice as prepared, with what it copies from the approved decision.
#[derive(Debug, Clone)]
pub struct NewNotice {
    pub case_id: i64,
    pub decision_id: i64,
    pub remedy: String,
    pub platform: String,
    pub locators: Vec<String>,
    pub legal_provisions: Vec<String>,
    pub reasons: String,
    pub agency: String,
    pub territorial_scope: String,
}

fn list(s: &str) -> Result<Vec<String>> {
    serde_json::from_str(s).map_err(|e| StoreError::Corrupt(format!("list `{s}`: {e}")))
}

fn notice_from_row(r: &AnyRow) -> Result<NoticeRecord> {
    Ok(NoticeRecord {
        id: get_i64(r, "id")?,
        case_id: get_i64(r, "case_id")?,
        decision_id: get_i64(r, "decision_id")?,
        remedy: get_str(r, "remedy")?,
        platform: get_str(r, "platform")?,
        locators: list(&get_str(r, "locators")?)?,
        legal_provisions: list(&get_str(r, "legal_provisions")?)?,
        reasons: get_str(r, "reasons")?,
        agency: get_str(r, "agency")?,
        territorial_scope: get_str(r, "territorial_scope")?,
        prepared_by: get_str(r, "prepared_by")?,
        prepared_at: get_str(r, "prepared_at")?,
        events: Vec::new(),
    })
}

fn event_from_row(r: &AnyRow) -> Result<NoticeEventRecord> {
    Ok(NoticeEventRecord {
        id: get_i64(r, "id")?,
        notice_id: get_i64(r, "notice_id")?,
        step: get_str(r, "step")?,
        happened_on: get_str(r, "happened_on")?,
        note: get_opt_str(r, "note")?,
        recorded_by: get_str(r, "recorded_by")?,
        recorded_at: get_str(r, "recorded_at")?,
    })
}

const EVENT_COLUMNS: &str = "id, notice_id, step, happened_on, note, recorded_by, recorded_at";

impl Store {
    /// Notices of one case, oldest first, each with its events.
    pub async fn notices_for_case(&self, case_id: i64) -> Result<Vec<NoticeRecord>> {
        let rows = sqlx::query("SELECT * FROM notices WHERE case_id = $1 ORDER BY id")
            .bind(case_id)
            .fetch_all(self.pool())
            .await?;
        self.with_events(rows.iter().map(notice_from_row).collect::<Result<_>>()?)
            .await
    }

    /// Every notice, newest first, each with its events: the public register.
    pub async fn all_notices(&self) -> Result<Vec<NoticeRecord>> {
        let rows = sqlx::query("SELECT * FROM notices ORDER BY id DESC")
            .fetch_all(self.pool())
            .await?;
        self.with_events(rows.iter().map(notice_from_row).collect::<Result<_>>()?)
            .await
    }

    pub async fn notice(&self, id: i64) -> Result<Option<NoticeRecord>> {
        let row = sqlx::query("SELECT * FROM notices WHERE id = $1")
            .bind(id)
            .fetch_optional(self.pool())
            .await?;
        match row {
            Some(r) => Ok(self.with_events(vec![notice_from_row(&r)?]).await?.pop()),
            None => Ok(None),
        }
    }

    async fn with_events(&self, mut notices: Vec<NoticeRecord>) -> Result<Vec<NoticeRecord>> {
        if notices.is_empty() {
            return Ok(notices);
        }
        // Ids are integers from the database, never input: safe to inline as a list.
        let ids = notices
            .iter()
            .map(|n| n.id.to_string())
            .collect::<Vec<_>>()
            .join(", ");
        let sql = format!(
            "SELECT {EVENT_COLUMNS} FROM notice_events WHERE notice_id IN ({ids}) ORDER BY id"
        );
        let rows = sqlx::query(&sql).fetch_all(self.pool()).await?;
        for r in &rows {
            let e = event_from_row(r)?;
            if let Some(n) = notices.iter_mut().find(|n| n.id == e.notice_id) {
                n.events.push(e);
            }
        }
        Ok(notices)
    }
}

impl WriteTx {
    /// Records a prepared notice and its audit event.
    pub async fn record_notice(&mut self, n: &NewNotice) -> Result<i64> {
        let locators = serde_json::Value::from(n.locators.clone()).to_string();
        let provisions = serde_json::Value::from(n.legal_provisions.clone()).to_string();
        let row = sqlx::query(
            "INSERT INTO notices (case_id, decision_id, remedy, platform, locators, legal_provisions, \
             reasons, agency, territorial_scope, prepared_by, prepared_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id",
        )
        .bind(n.case_id)
        .bind(n.decision_id)
        .bind(n.remedy.clone())
        .bind(n.platform.clone())
        .bind(locators)
        .bind(provisions)
        .bind(n.reasons.clone())
        .bind(n.agency.clone())
        .bind(n.territorial_scope.clone())
        .bind(self.actor().to_string())
        .bind(now())
        .fetch_one(&mut *self.tx)
        .await?;
        let id = get_i64(&row, "id")?;
        self.audit(
            "notice.prepare",
            "notice",
            id,
            json!({
                "case_id": n.case_id, "decision_id": n.decision_id, "remedy": n.remedy,
                "platform": n.platform, "locators": n.locators,
                "legal_provisions": n.legal_provisions, "agency": n.agency,
                "territorial_scope": n.territorial_scope,
            }),
        )
        .await?;
        Ok(id)
    }

    /// Notices of one case as this transaction sees them, each with its events: a new
    /// notice checked against these cannot race an identical one prepared at once.
    pub async fn notices_for_case(&mut self, case_id: i64) -> Result<Vec<NoticeRecord>> {
        let rows = sqlx::query("SELECT * FROM notices WHERE case_id = $1 ORDER BY id")
            .bind(case_id)
            .fetch_all(&mut *self.tx)
            .await?;
        let mut notices = rows
            .iter()
            .map(notice_from_row)
            .collect::<Result<Vec<_>>>()?;
        for n in &mut notices {
            n.events = self.notice_events(n.id).await?;
        }
        Ok(notices)
    }

    /// The notice's events as this transaction sees them. Writers are serialised on the
    /// audit head, so a step checked against these cannot race another one.
    pub async fn notice_events(&mut self, notice_id: i64) -> Result<Vec<NoticeEventRecord>> {
        let sql =
            format!("SELECT {EVENT_COLUMNS} FROM notice_events WHERE notice_id = $1 ORDER BY id");
        let rows = sqlx::query(&sql)
            .bind(notice_id)
            .fetch_all(&mut *self.tx)
            .await?;
        rows.iter().map(event_from_row).collect()
    }

    /// Records one step of a notice (already checked by `kc_desk::notice::check_step`) and
    /// its audit event.
    pub async fn record_notice_event(
        &mut self,
        notice_id: i64,
        step: &str,
        happened_on: &str,
        note: Option<&str>,
    ) -> Result<i64> {
        let row = sqlx::query(
            "INSERT INTO notice_events (notice_id, step, happened_on, note, recorded_by, recorded_at) \
             VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
        )
        .bind(notice_id)
        .bind(step.to_string())
        .bind(happened_on.to_string())
        .bind(note.map(str::to_string))
        .bind(self.actor().to_string())
        .bind(now())
        .fetch_one(&mut *self.tx)
        .await?;
        let id = get_i64(&row, "id")?;
        self.audit(
            "notice.step",
            "notice",
            notice_id,
            json!({ "step": step, "on": happened_on, "note": note }),
        )
        .await?;
        Ok(id)
    }
}
