//! Progress on the directive's duties (`kc_desk::duty`), kept as recorded.

use crate::queries::{json_list, time_of, to_json_list};
use crate::{get_i64, get_str, now, Result, Store, StoreError, WriteTx};
use kc_desk::duty::{ProgressEntry, ValidProgress};
use serde_json::json;
use sqlx::any::AnyRow;
use sqlx::Row;

const PROGRESS_COLUMNS: &str =
    "id, duty, agency, covers_from, covers_to, summary, quantity, unit, \
     links, corrects, recorded_by, recorded_at";

fn day_of(s: &str, what: &str) -> Result<chrono::NaiveDate> {
    chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .map_err(|e| StoreError::Corrupt(format!("{what} `{s}`: {e}")))
}

fn progress_from_row(r: &AnyRow) -> Result<ProgressEntry> {
    let count = r
        .try_get::<Option<i64>, _>("quantity")?
        .map(|q| u32::try_from(q).map_err(|e| StoreError::Corrupt(format!("quantity: {e}"))))
        .transpose()?;
    Ok(ProgressEntry {
        id: get_i64(r, "id")?,
        duty: get_str(r, "duty")?,
        agency: get_str(r, "agency")?,
        from: day_of(&get_str(r, "covers_from")?, "covers_from")?,
        to: day_of(&get_str(r, "covers_to")?, "covers_to")?,
        summary: get_str(r, "summary")?,
        count,
        unit: r.try_get::<Option<String>, _>("unit")?,
        links: json_list(&get_str(r, "links")?)?,
        corrects: r.try_get::<Option<i64>, _>("corrects")?,
        recorded_by: get_str(r, "recorded_by")?,
        recorded_at: time_of(&get_str(r, "recorded_at")?, "recorded_at")?,
    })
}

impl Store {
    /// Every progress entry, corrected ones included, in the order recorded; only those of
    /// `agency` when one is named.
    pub async fn duty_progress(&self, agency: Option<&str>) -> Result<Vec<ProgressEntry>> {
        let rows = match agency {
            Some(a) => {
                let sql = format!(
                    "SELECT {PROGRESS_COLUMNS} FROM duty_progress WHERE agency = $1 ORDER BY id"
                );
                sqlx::query(&sql)
                    .bind(a.to_string())
                    .fetch_all(self.pool())
                    .await?
            }
            None => {
                let sql = format!("SELECT {PROGRESS_COLUMNS} FROM duty_progress ORDER BY id");
                sqlx::query(&sql).fetch_all(self.pool()).await?
            }
        };
        rows.iter().map(progress_from_row).collect()
    }

    /// One entry, and whether a later entry corrects it.
    pub async fn duty_progress_entry(&self, id: i64) -> Result<Option<(ProgressEntry, bool)>> {
        let mut conn = self.pool().acquire().await?;
        progress_entry(&mut conn, id).await
    }
}

/// One entry and whether it is corrected, read on `conn`: the pool's, or a write
/// transaction's, where writers are serialised and the answer cannot go stale before the
/// insert.
async fn progress_entry(
    conn: &mut sqlx::AnyConnection,
    id: i64,
) -> Result<Option<(ProgressEntry, bool)>> {
    let sql = format!("SELECT {PROGRESS_COLUMNS} FROM duty_progress WHERE id = $1");
    let Some(row) = sqlx::query(&sql)
        .bind(id)
        .fetch_optional(&mut *conn)
        .await?
    else {
        return Ok(None);
    };
    let corrected = sqlx::query("SELECT id FROM duty_progress WHERE corrects = $1")
        .bind(id)
        .fetch_optional(&mut *conn)
        .await?
        .is_some();
    Ok(Some((progress_from_row(&row)?, corrected)))
}

impl WriteTx {
    /// [`Store::duty_progress_entry`] inside this transaction.
    pub async fn duty_progress_entry(&mut self, id: i64) -> Result<Option<(ProgressEntry, bool)>> {
        progress_entry(self.conn(), id).await
    }

    /// Records progress on a duty; returns its id. The audit event names the duty, the
    /// agency and the days, not the text.
    pub async fn record_duty_progress(&mut self, p: &ValidProgress) -> Result<i64> {
        let row = sqlx::query(
            "INSERT INTO duty_progress (duty, agency, covers_from, covers_to, summary, quantity, unit, \
             links, corrects, recorded_by, recorded_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id",
        )
        .bind(p.duty.clone())
        .bind(p.agency.clone())
        .bind(p.from.to_string())
        .bind(p.to.to_string())
        .bind(p.summary.clone())
        .bind(p.count.map(i64::from))
        .bind(p.unit.clone())
        .bind(to_json_list(&p.links))
        .bind(p.corrects)
        .bind(self.actor().to_string())
        .bind(now())
        .fetch_one(&mut *self.tx)
        .await?;
        let id = get_i64(&row, "id")?;
        self.audit(
            "duty.progress",
            "duty_progress",
            id,
            json!({ "duty": p.duty, "agency": p.agency, "from": p.from.to_string(),
                    "to": p.to.to_string(), "corrects": p.corrects }),
        )
        .await?;
        Ok(id)
    }
}
