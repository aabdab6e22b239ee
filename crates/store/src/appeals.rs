//! Appeals against published decisions: their rows, their contacts kept apart, and the
//! outcome recorded beside the decision appealed (which is never edited).

use crate::{get_i64, get_opt_str, get_str, now, Result, Store, StoreError, WriteTx};
use serde::Serialize;
use serde_json::json;
use sqlx::any::AnyRow;

/// An appeal with the publication it is against. It holds no identity of the filer, and
/// never their contact (see [`Store::appeal_contact`]).
#[derive(Debug, Clone, Serialize)]
pub struct AppealRecord {
    pub id: i64,
    pub receipt: String,
    pub publication_id: i64,
    pub case_id: i64,
    pub slug: String,
    pub title: String,
    pub published_at: String,
    pub relation: String,
    pub reasons: String,
    pub status: String,
    pub filed_at: String,
    pub decided_by: Option<String>,
    pub decided_at: Option<String>,
    pub outcome_reasons: Option<String>,
}

#[derive(Debug, Clone)]
pub struct NewAppealRecord {
    pub receipt: String,
    pub publication_id: i64,
    pub relation: String,
    pub reasons: String,
    pub contact: Option<String>,
    pub contact_purge_after: String,
}

/// A case state change that goes with an appeal decision: (case id, from, to).
pub type CaseMove<'a> = (i64, &'a str, &'a str);

const APPEAL_COLUMNS: &str = "a.id, a.receipt, a.publication_id, p.case_id, p.slug, p.title, \
     p.published_at, a.relation, a.reasons, a.status, a.filed_at, a.decided_by, a.decided_at, \
     a.outcome_reasons";

fn appeal_from_row(r: &AnyRow) -> Result<AppealRecord> {
    Ok(AppealRecord {
        id: get_i64(r, "id")?,
        receipt: get_str(r, "receipt")?,
        publication_id: get_i64(r, "publication_id")?,
        case_id: get_i64(r, "case_id")?,
        slug: get_str(r, "slug")?,
        title: get_str(r, "title")?,
        published_at: get_str(r, "published_at")?,
        relation: get_str(r, "relation")?,
        reasons: get_str(r, "reasons")?,
        status: get_str(r, "status")?,
        filed_at: get_str(r, "filed_at")?,
        decided_by: get_opt_str(r, "decided_by")?,
        decided_at: get_opt_str(r, "decided_at")?,
        outcome_reasons: get_opt_str(r, "outcome_reasons")?,
    })
}

impl Store {
    async fn appeals_where(
        &self,
        cond: &str,
        bind: Option<AppealKey<'_>>,
    ) -> Result<Vec<AppealRecord>> {
        let sql = format!(
            "SELECT {APPEAL_COLUMNS} FROM appeals a JOIN publications p ON p.id = a.publication_id \
             WHERE {cond} ORDER BY a.id"
        );
        let mut q = sqlx::query(&sql);
        q = match bind {
            Some(AppealKey::Id(id)) => q.bind(id),
            Some(AppealKey::Text(s)) => q.bind(s.to_string()),
            None => q,
        };
        q.fetch_all(self.pool())
            .await?
            .iter()
            .map(appeal_from_row)
            .collect()
    }

    pub async fn appeal(&self, id: i64) -> Result<Option<AppealRecord>> {
        Ok(self
            .appeals_where("a.id = $1", Some(AppealKey::Id(id)))
            .await?
            .pop())
    }

    pub async fn appeal_by_receipt(&self, receipt: &str) -> Result<Option<AppealRecord>> {
        Ok(self
            .appeals_where("a.receipt = $1", Some(AppealKey::Text(receipt)))
            .await?
            .pop())
    }

    /// Appeals against one publication, oldest first.
    pub async fn appeals_for_publication(&self, publication_id: i64) -> Result<Vec<AppealRecord>> {
        self.appeals_where("a.publication_id = $1", Some(AppealKey::Id(publication_id)))
            .await
    }

    /// Appeals against any publication of a case, oldest first.
    pub async fn appeals_for_case(&self, case_id: i64) -> Result<Vec<AppealRecord>> {
        self.appeals_where("p.case_id = $1", Some(AppealKey::Id(case_id)))
            .await
    }

    /// Every appeal, oldest first: the public register of appeal outcomes.
    pub async fn appeals(&self) -> Result<Vec<AppealRecord>> {
        self.appeals_where("1 = 1", None).await
    }

    /// Publications whose verdict an appeal overturned.
    pub async fn overturned_publications(&self) -> Result<Vec<i64>> {
        let rows =
            sqlx::query("SELECT DISTINCT publication_id FROM appeals WHERE status = 'overturned'")
                .fetch_all(self.pool())
                .await?;
        rows.iter().map(|r| get_i64(r, "publication_id")).collect()
    }

    /// Appeals still waiting for a decision, oldest first.
    pub async fn pending_appeals(&self) -> Result<Vec<AppealRecord>> {
        self.appeals_where("a.status = 'pending'", None).await
    }

    /// The filer's contact, for staff who answer them; purged after its retention.
    pub async fn appeal_contact(&self, appeal_id: i64) -> Result<Option<String>> {
        let row = sqlx::query("SELECT contact FROM appeal_contacts WHERE appeal_id = $1")
            .bind(appeal_id)
            .fetch_optional(self.pool())
            .await?;
        row.map(|r| get_str(&r, "contact")).transpose()
    }
}

enum AppealKey<'a> {
    Id(i64),
    Text(&'a str),
}

impl WriteTx {
    /// Records an appeal and, apart from it, the filer's contact.
    pub async fn record_appeal(&mut self, a: &NewAppealRecord) -> Result<i64> {
        let row = sqlx::query(
            "INSERT INTO appeals (receipt, publication_id, relation, reasons, status, filed_at) \
             VALUES ($1, $2, $3, $4, 'pending', $5) RETURNING id",
        )
        .bind(a.receipt.clone())
        .bind(a.publication_id)
        .bind(a.relation.clone())
        .bind(a.reasons.clone())
        .bind(now())
        .fetch_one(&mut *self.tx)
        .await?;
        let id = get_i64(&row, "id")?;
        if let Some(contact) = &a.contact {
            sqlx::query(
                "INSERT INTO appeal_contacts (appeal_id, contact, purge_after) VALUES ($1, $2, $3)",
            )
            .bind(id)
            .bind(contact.clone())
            .bind(a.contact_purge_after.clone())
            .execute(&mut *self.tx)
            .await?;
        }
        // As with reports: the log is kept forever, contacts are not, so it never holds one.
        self.audit(
            "appeal.file",
            "appeal",
            id,
            json!({
                "receipt": a.receipt, "publication_id": a.publication_id,
                "relation": a.relation, "has_contact": a.contact.is_some(),
            }),
        )
        .await?;
        Ok(id)
    }

    /// Records the outcome of a pending appeal and, when it is overturned, moves the case
    /// back so a new decision can be made. Fails with a conflict if someone decided it
    /// meanwhile.
    pub async fn decide_appeal(
        &mut self,
        appeal_id: i64,
        outcome: &str,
        reasons: &str,
        case_move: Option<CaseMove<'_>>,
    ) -> Result<()> {
        let done = sqlx::query(
            "UPDATE appeals SET status = $1, decided_by = $2, decided_at = $3, outcome_reasons = $4 \
             WHERE id = $5 AND status = 'pending'",
        )
        .bind(outcome.to_string())
        .bind(self.actor().to_string())
        .bind(now())
        .bind(reasons.to_string())
        .bind(appeal_id)
        .execute(&mut *self.tx)
        .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::Conflict {
                entity: "appeal",
                id: appeal_id,
                expected: "pending".into(),
            });
        }
        if let Some((case_id, from, to)) = case_move {
            self.move_case(case_id, from, to).await?;
        }
        self.audit(
            "appeal.decide",
            "appeal",
            appeal_id,
            json!({
                "outcome": outcome, "reasons": reasons,
                "case": case_move.map(|(id, from, to)| json!({ "id": id, "from": from, "to": to })),
            }),
        )
        .await
    }

    /// Deletes appeal contacts whose retention has passed. Returns how many.
    pub async fn purge_appeal_contacts(&mut self, now: &str) -> Result<u64> {
        self.purge_expired_contacts("appeal_contacts", now).await
    }
}
