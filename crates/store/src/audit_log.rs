//! Reading the audit log (for auditors) and recording who opened which stored file.
//!
//! The log is append-only and hash-chained (`tx.rs`); this module only reads it, apart
//! from the file-view event, which goes through the same chained append.

use crate::queries::audit_from_row;
use crate::{get_i64, get_opt_str, get_str, Result, Store, StoreError, WriteTx};
use kc_desk::audit::AuditRecord;
use serde_json::json;

/// Which events to read. Every field narrows; `None` leaves that field free.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AuditQuery {
    /// `case`, `report`, `appeal`, `notice`, `user`, … (exact).
    pub entity: Option<String>,
    /// The entity's id as the log writes it (exact; with `entity`).
    pub entity_id: Option<String>,
    /// The account that acted (exact).
    pub actor: Option<String>,
    /// An action (`case.decide`) or a family of actions ending in a dot (`case.`).
    pub action: Option<String>,
    /// Events at or after this instant (RFC 3339, UTC, as the log writes `at`).
    pub since: Option<String>,
    /// Events strictly before this instant.
    pub until: Option<String>,
    /// A case's whole history: events on the case and on the duplicates merged into it, on
    /// their reports, on its publications and the appeals against them, and on its notices.
    pub case: Option<i64>,
}

/// An overdue case escalated to the leads of its agency, as the log records it
/// (`case.escalate`): the log is the record, so the escalation cannot exist without its
/// audit event, and names no person.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Escalation {
    pub case_id: i64,
    /// The deadline that had passed. A later deadline (after re-assignment) is escalated
    /// again when it passes too.
    pub deadline: String,
    /// The agency holding the case then, if any.
    pub agency: Option<String>,
    /// When it was escalated.
    pub at: String,
}

/// The escalations of `case_ids`, oldest first, read through `conn` (the pool, or a write
/// transaction that must see the log as it holds it).
async fn escalations_of<'c, E>(conn: E, case_ids: &[i64]) -> Result<Vec<Escalation>>
where
    E: sqlx::Executor<'c, Database = sqlx::Any>,
{
    if case_ids.is_empty() {
        return Ok(Vec::new());
    }
    // The ids are numbers, written into the SQL as the log's text ids.
    let ids: Vec<String> = case_ids.iter().map(|id| format!("'{id}'")).collect();
    let sql = format!(
        "SELECT entity_id, data, at FROM audit_events WHERE action = 'case.escalate' \
         AND entity = 'case' AND entity_id IN ({}) ORDER BY seq",
        ids.join(", ")
    );
    let rows = sqlx::query(&sql).fetch_all(conn).await?;
    let mut found = Vec::with_capacity(rows.len());
    for r in &rows {
        let entity_id = get_str(r, "entity_id")?;
        let case_id = entity_id
            .parse()
            .map_err(|_| StoreError::Corrupt(format!("escalated case id `{entity_id}`")))?;
        let data: serde_json::Value = serde_json::from_str(&get_str(r, "data")?)
            .map_err(|e| StoreError::Corrupt(format!("escalation of case {case_id}: {e}")))?;
        let Some(deadline) = data["deadline"].as_str() else {
            return Err(StoreError::Corrupt(format!(
                "escalation of case {case_id} without a deadline"
            )));
        };
        found.push(Escalation {
            case_id,
            deadline: deadline.to_string(),
            agency: data["agency"].as_str().map(str::to_string),
            at: get_str(r, "at")?,
        });
    }
    Ok(found)
}

/// A page of the log, newest first, and how many events pass the filters in all.
#[derive(Debug, Clone)]
pub struct AuditPage {
    pub events: Vec<AuditRecord>,
    pub total: i64,
}

/// Where a stored file appears: in one of a report's files (the case is the one that holds
/// the report now, after any merge) or in a case's evidence.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileUse {
    pub case_id: i64,
    /// The agency holding that case, if any.
    pub agency: Option<String>,
    pub place: FilePlace,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FilePlace {
    Report { report_id: i64, position: i64 },
    Evidence { evidence_id: i64 },
}

impl FilePlace {
    /// What the audit event says of the file: where it sits, never its hash (a hash of a
    /// purged screenshot would still confirm that someone held that picture).
    fn audit_data(self) -> serde_json::Value {
        match self {
            FilePlace::Report {
                report_id,
                position,
            } => json!({ "report_id": report_id, "position": position }),
            FilePlace::Evidence { evidence_id } => json!({ "evidence_id": evidence_id }),
        }
    }
}

impl Store {
    /// Every escalation of these cases, oldest first.
    pub async fn escalations(&self, case_ids: &[i64]) -> Result<Vec<Escalation>> {
        escalations_of(self.pool(), case_ids).await
    }

    /// The events passing `q`, newest first, `limit` of them after skipping `offset`.
    pub async fn audit_page(&self, q: &AuditQuery, limit: i64, offset: i64) -> Result<AuditPage> {
        let mut clauses: Vec<String> = Vec::new();
        let mut binds: Vec<String> = Vec::new();
        if let Some(case) = q.case {
            // The id is a number, written into the SQL as one; the ids of the log are text.
            clauses.push(format!(
                "((entity = 'case' AND entity_id IN (SELECT CAST(id AS TEXT) FROM cases \
                 WHERE id = {case} OR merged_into = {case})) \
                 OR (entity = 'report' AND entity_id IN (SELECT CAST(r.id AS TEXT) FROM reports r \
                 JOIN cases c ON c.id = r.case_id WHERE c.id = {case} OR c.merged_into = {case})) \
                 OR (entity = 'publication' AND entity_id IN \
                 (SELECT CAST(id AS TEXT) FROM publications WHERE case_id = {case})) \
                 OR (entity = 'appeal' AND entity_id IN (SELECT CAST(a.id AS TEXT) FROM appeals a \
                 JOIN publications p ON p.id = a.publication_id WHERE p.case_id = {case})) \
                 OR (entity = 'notice' AND entity_id IN \
                 (SELECT CAST(id AS TEXT) FROM notices WHERE case_id = {case})))"
            ));
        }
        let mut add = |clause: &str, value: String| {
            binds.push(value);
            clauses.push(clause.replace('?', &format!("${}", binds.len())));
        };
        if let Some(v) = &q.entity {
            add("entity = ?", v.clone());
        }
        if let Some(v) = &q.entity_id {
            add("entity_id = ?", v.clone());
        }
        if let Some(v) = &q.actor {
            add("actor = ?", v.clone());
        }
        match q.action.as_deref() {
            // A family: its prefix compared as a string, so that `_` or `%` in an action
            // could never act as a LIKE pattern. Not a range up to `family~`: under a
            // PostgreSQL collation other than C (vi-VN, en-US), punctuation sorts before
            // letters and the range would hold nothing.
            Some(family) if family.ends_with('.') => {
                let chars = family.chars().count();
                add(
                    &format!("substr(action, 1, {chars}) = ?"),
                    family.to_string(),
                );
            }
            Some(exact) => add("action = ?", exact.to_string()),
            None => {}
        }
        if let Some(v) = &q.since {
            add("at >= ?", v.clone());
        }
        if let Some(v) = &q.until {
            add("at < ?", v.clone());
        }
        let filter = if clauses.is_empty() {
            String::new()
        } else {
            format!(" WHERE {}", clauses.join(" AND "))
        };
        let count_sql = format!("SELECT COUNT(*) AS n FROM audit_events{filter}");
        let mut count = sqlx::query(&count_sql);
        for b in &binds {
            count = count.bind(b.clone());
        }
        let total = get_i64(&count.fetch_one(self.pool()).await?, "n")?;
        let page_sql = format!(
            "SELECT * FROM audit_events{filter} ORDER BY seq DESC LIMIT ${} OFFSET ${}",
            binds.len() + 1,
            binds.len() + 2
        );
        let mut page = sqlx::query(&page_sql);
        for b in &binds {
            page = page.bind(b.clone());
        }
        let rows = page.bind(limit).bind(offset).fetch_all(self.pool()).await?;
        Ok(AuditPage {
            events: rows.iter().map(audit_from_row).collect::<Result<_>>()?,
            total,
        })
    }

    /// Every place a stored file appears, in a fixed order (reports first, by report and
    /// position, then evidence by id), so the same view is always logged against the same
    /// place.
    pub async fn file_uses(&self, sha256: &str) -> Result<Vec<FileUse>> {
        let reports = sqlx::query(
            "SELECT COALESCE(k.id, c.id) AS case_id, COALESCE(k.agency, c.agency) AS agency, \
             rf.report_id, rf.position FROM report_files rf \
             JOIN reports r ON r.id = rf.report_id JOIN cases c ON c.id = r.case_id \
             LEFT JOIN cases k ON k.id = c.merged_into WHERE rf.sha256 = $1 \
             ORDER BY rf.report_id, rf.position",
        )
        .bind(sha256.to_string())
        .fetch_all(self.pool())
        .await?;
        let evidence = sqlx::query(
            "SELECT e.id, e.case_id, c.agency FROM evidence_files e \
             JOIN cases c ON c.id = e.case_id WHERE e.sha256 = $1 ORDER BY e.id",
        )
        .bind(sha256.to_string())
        .fetch_all(self.pool())
        .await?;
        let mut uses = Vec::with_capacity(reports.len() + evidence.len());
        for r in &reports {
            uses.push(FileUse {
                case_id: get_i64(r, "case_id")?,
                agency: get_opt_str(r, "agency")?,
                place: FilePlace::Report {
                    report_id: get_i64(r, "report_id")?,
                    position: get_i64(r, "position")?,
                },
            });
        }
        for r in &evidence {
            uses.push(FileUse {
                case_id: get_i64(r, "case_id")?,
                agency: get_opt_str(r, "agency")?,
                place: FilePlace::Evidence {
                    evidence_id: get_i64(r, "id")?,
                },
            });
        }
        Ok(uses)
    }

    /// Whether `actor` opening the file at `place` is already in the log since `since`:
    /// a case page shows its images inline, and logging every reload would bury the
    /// openings that matter.
    pub async fn file_view_logged(
        &self,
        actor: &str,
        case_id: i64,
        place: FilePlace,
        since: &str,
    ) -> Result<bool> {
        let row = sqlx::query(
            "SELECT COUNT(*) AS n FROM audit_events WHERE entity = 'case' AND entity_id = $1 \
             AND action = 'file.view' AND actor = $2 AND data = $3 AND at >= $4",
        )
        .bind(case_id.to_string())
        .bind(actor.to_string())
        .bind(place.audit_data().to_string())
        .bind(since.to_string())
        .fetch_one(self.pool())
        .await?;
        Ok(get_i64(&row, "n")? > 0)
    }
}

impl WriteTx {
    /// An officer opened a stored file: logged against the case it was opened from.
    pub async fn record_file_view(&mut self, case_id: i64, place: FilePlace) -> Result<()> {
        self.audit("file.view", "case", case_id, place.audit_data())
            .await
    }

    /// The escalations of these cases as this transaction sees the log: checked again under
    /// the chain's lock, two instances ticking at once escalate a case once.
    pub async fn escalations(&mut self, case_ids: &[i64]) -> Result<Vec<Escalation>> {
        escalations_of(self.conn(), case_ids).await
    }

    /// An overdue case escalated to the leads of its agency (no person is named: who the
    /// leads are follows from the grants at the time).
    pub async fn record_escalation(
        &mut self,
        case_id: i64,
        deadline: &str,
        agency: Option<&str>,
    ) -> Result<()> {
        self.audit(
            "case.escalate",
            "case",
            case_id,
            json!({ "deadline": deadline, "agency": agency }),
        )
        .await
    }
}
