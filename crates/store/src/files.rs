//! Files: the screenshots attached to reports and the files kept as a case's evidence,
//! stored once per distinct content (keyed by SHA-256) in the database itself.
//!
//! The store takes files already checked and stripped of metadata by the caller
//! (`kc_desk::attachment`); it records their bytes, where they belong and who added them,
//! and never their original names.

use crate::queries::finished_states_sql;
use crate::{get_i64, get_opt_str, get_str, now, Result, Store, StoreError, WriteTx};
use serde::Serialize;
use serde_json::json;
use sqlx::any::AnyRow;
use sqlx::Row;

/// A file to store: its bytes, their SHA-256 (lowercase hex) and media type (`jpeg`,
/// `png`, `webp`, `gif`, `pdf`).
#[derive(Debug, Clone)]
pub struct NewFile {
    pub sha256: String,
    pub media_type: String,
    pub bytes: Vec<u8>,
}

/// One of a report's files, without its bytes. `position` starts at 1, as staff count them
/// ("ảnh 1").
#[derive(Debug, Clone, Serialize)]
pub struct ReportFileRecord {
    pub report_id: i64,
    pub position: i64,
    pub sha256: String,
    pub media_type: String,
    pub size: i64,
}

/// A file kept as evidence of a case, with its provenance.
#[derive(Debug, Clone, Serialize)]
pub struct EvidenceFileRecord {
    pub id: i64,
    pub case_id: i64,
    pub sha256: String,
    pub media_type: String,
    pub size: i64,
    /// The page it was taken from, when the officer gave one.
    pub source_url: Option<String>,
    pub note: Option<String>,
    /// The report it was kept from, when it was one of a report's files.
    pub from_report_id: Option<i64>,
    pub added_by: String,
    pub added_at: String,
}

/// The files of a case: those of its reports (and of the duplicates merged into it), in
/// report and position order, and its evidence files, oldest first.
#[derive(Debug, Clone, Serialize, Default)]
pub struct CaseFiles {
    pub reports: Vec<ReportFileRecord>,
    pub evidence: Vec<EvidenceFileRecord>,
}

/// One file's content, to serve it.
#[derive(Debug, Clone)]
pub struct StoredFile {
    pub media_type: String,
    pub bytes: Vec<u8>,
}

/// A new evidence file: new bytes, or one of a report's files kept (`from_report_id`).
#[derive(Debug, Clone)]
pub struct NewEvidenceFile {
    pub case_id: i64,
    /// The bytes, when they are new to the case (an upload). `None` keeps the stored file
    /// `sha256` (one of a report's files).
    pub file: Option<NewFile>,
    pub sha256: String,
    pub source_url: Option<String>,
    pub note: Option<String>,
    pub from_report_id: Option<i64>,
}

/// What a retention purge of files removed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct FilesPurged {
    /// Links between a report and one of its files.
    pub report_files: u64,
    /// Stored contents no report and no evidence refers to any more.
    pub files: u64,
}

fn report_file_from_row(r: &AnyRow) -> Result<ReportFileRecord> {
    Ok(ReportFileRecord {
        report_id: get_i64(r, "report_id")?,
        position: get_i64(r, "position")?,
        sha256: get_str(r, "sha256")?,
        media_type: get_str(r, "media_type")?,
        size: get_i64(r, "size")?,
    })
}

fn evidence_file_from_row(r: &AnyRow) -> Result<EvidenceFileRecord> {
    Ok(EvidenceFileRecord {
        id: get_i64(r, "id")?,
        case_id: get_i64(r, "case_id")?,
        sha256: get_str(r, "sha256")?,
        media_type: get_str(r, "media_type")?,
        size: get_i64(r, "size")?,
        source_url: get_opt_str(r, "source_url")?,
        note: get_opt_str(r, "note")?,
        from_report_id: r.try_get::<Option<i64>, _>("from_report_id")?,
        added_by: get_str(r, "added_by")?,
        added_at: get_str(r, "added_at")?,
    })
}

impl Store {
    /// The files of case `case_id`'s reports (its own and its merged duplicates') and its
    /// evidence files, without their bytes.
    pub async fn case_files(&self, case_id: i64) -> Result<CaseFiles> {
        let reports = sqlx::query(
            "SELECT rf.report_id, rf.position, rf.sha256, f.media_type, f.size \
             FROM report_files rf JOIN files f ON f.sha256 = rf.sha256 \
             JOIN reports r ON r.id = rf.report_id \
             WHERE r.case_id IN (SELECT CAST($1 AS BIGINT) UNION ALL SELECT m.id FROM cases m WHERE m.merged_into = $1) \
             ORDER BY rf.report_id, rf.position",
        )
        .bind(case_id)
        .fetch_all(self.pool())
        .await?
        .iter()
        .map(report_file_from_row)
        .collect::<Result<_>>()?;
        let evidence = sqlx::query(
            "SELECT e.id, e.case_id, e.sha256, f.media_type, f.size, e.source_url, e.note, \
             e.from_report_id, e.added_by, e.added_at \
             FROM evidence_files e JOIN files f ON f.sha256 = e.sha256 \
             WHERE e.case_id = $1 ORDER BY e.id",
        )
        .bind(case_id)
        .fetch_all(self.pool())
        .await?
        .iter()
        .map(evidence_file_from_row)
        .collect::<Result<_>>()?;
        Ok(CaseFiles { reports, evidence })
    }

    /// How many files a report still holds (none once purged).
    pub async fn report_file_count(&self, report_id: i64) -> Result<i64> {
        let row = sqlx::query("SELECT COUNT(*) AS n FROM report_files WHERE report_id = $1")
            .bind(report_id)
            .fetch_one(self.pool())
            .await?;
        get_i64(&row, "n")
    }

    /// A stored file's content by its SHA-256 (lowercase hex), if it is still held.
    pub async fn file(&self, sha256: &str) -> Result<Option<StoredFile>> {
        let row = sqlx::query("SELECT media_type, bytes FROM files WHERE sha256 = $1")
            .bind(sha256.to_string())
            .fetch_optional(self.pool())
            .await?;
        row.map(|r| {
            Ok(StoredFile {
                media_type: get_str(&r, "media_type")?,
                bytes: r.try_get::<Vec<u8>, _>("bytes")?,
            })
        })
        .transpose()
    }

    /// Every stored content's SHA-256, for tests and checks of what a purge left.
    pub async fn file_hashes(&self) -> Result<Vec<String>> {
        sqlx::query("SELECT sha256 FROM files ORDER BY sha256")
            .fetch_all(self.pool())
            .await?
            .iter()
            .map(|r| get_str(r, "sha256"))
            .collect()
    }
}

impl WriteTx {
    /// Stores a content once: the same bytes sent again are the row already there.
    pub(crate) async fn put_file(&mut self, f: &NewFile) -> Result<()> {
        let size = i64::try_from(f.bytes.len())
            .map_err(|_| StoreError::Corrupt(format!("file {} is too large", f.sha256)))?;
        sqlx::query(
            "INSERT INTO files (sha256, media_type, size, bytes, created_at) \
             VALUES ($1, $2, $3, $4, $5) ON CONFLICT (sha256) DO NOTHING",
        )
        .bind(f.sha256.clone())
        .bind(f.media_type.clone())
        .bind(size)
        .bind(f.bytes.clone())
        .bind(now())
        .execute(&mut *self.tx)
        .await?;
        Ok(())
    }

    /// Links `files` to a new report, in order (positions from 1).
    pub(crate) async fn put_report_files(
        &mut self,
        report_id: i64,
        files: &[NewFile],
    ) -> Result<()> {
        for (i, f) in files.iter().enumerate() {
            self.put_file(f).await?;
            let position =
                i64::try_from(i + 1).map_err(|_| StoreError::Corrupt("too many files".into()))?;
            sqlx::query(
                "INSERT INTO report_files (report_id, position, sha256) VALUES ($1, $2, $3)",
            )
            .bind(report_id)
            .bind(position)
            .bind(f.sha256.clone())
            .execute(&mut *self.tx)
            .await?;
        }
        Ok(())
    }

    /// Whether case `case_id` already holds `sha256` as evidence.
    pub async fn has_evidence_file(&mut self, case_id: i64, sha256: &str) -> Result<bool> {
        let row = sqlx::query("SELECT id FROM evidence_files WHERE case_id = $1 AND sha256 = $2")
            .bind(case_id)
            .bind(sha256.to_string())
            .fetch_optional(&mut *self.tx)
            .await?;
        Ok(row.is_some())
    }

    /// Whether report `report_id` still holds the file `sha256` (not purged).
    pub async fn report_holds_file(&mut self, report_id: i64, sha256: &str) -> Result<bool> {
        let row =
            sqlx::query("SELECT position FROM report_files WHERE report_id = $1 AND sha256 = $2")
                .bind(report_id)
                .bind(sha256.to_string())
                .fetch_optional(&mut *self.tx)
                .await?;
        Ok(row.is_some())
    }

    /// Records a file as evidence of a case, with who added it, when and from where. The
    /// audit event names the content by its hash, never its bytes.
    pub async fn add_evidence_file(&mut self, e: &NewEvidenceFile) -> Result<i64> {
        if let Some(f) = &e.file {
            self.put_file(f).await?;
        }
        let at = now();
        let row = sqlx::query(
            "INSERT INTO evidence_files (case_id, sha256, source_url, note, from_report_id, added_by, added_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
        )
        .bind(e.case_id)
        .bind(e.sha256.clone())
        .bind(e.source_url.clone())
        .bind(e.note.clone())
        .bind(e.from_report_id)
        .bind(self.actor().to_string())
        .bind(at)
        .fetch_one(&mut *self.tx)
        .await?;
        let id = get_i64(&row, "id")?;
        // Named by its id, never its hash: the log is kept for ever, and a hash of a citizen's
        // screenshot kept as evidence would prove who held that picture after it is purged.
        self.audit(
            "evidence.file_add",
            "case",
            e.case_id,
            json!({
                "evidence_file": id, "source_url": e.source_url,
                "from_report": e.from_report_id,
            }),
        )
        .await?;
        Ok(id)
    }

    /// Deletes the files of reports received at or before `received_before` whose case is
    /// finished (a duplicate's: the case it was merged into), then every stored content no
    /// report and no evidence refers to any more. One audit event gives the counts.
    pub async fn purge_report_files(&mut self, received_before: &str) -> Result<FilesPurged> {
        let finished = finished_states_sql();
        let links = sqlx::query(&format!(
            "DELETE FROM report_files WHERE report_id IN ( \
               SELECT r.id FROM reports r \
               LEFT JOIN cases c ON c.id = r.case_id \
               LEFT JOIN cases k ON k.id = c.merged_into \
               WHERE r.received_at <= $1 \
                 AND (c.id IS NULL OR COALESCE(k.state, c.state) IN ({finished})))"
        ))
        .bind(received_before.to_string())
        .execute(&mut *self.tx)
        .await?
        .rows_affected();
        let files = sqlx::query(
            "DELETE FROM files WHERE \
               NOT EXISTS (SELECT 1 FROM report_files rf WHERE rf.sha256 = files.sha256) \
               AND NOT EXISTS (SELECT 1 FROM evidence_files e WHERE e.sha256 = files.sha256)",
        )
        .execute(&mut *self.tx)
        .await?
        .rows_affected();
        let purged = FilesPurged {
            report_files: links,
            files,
        };
        self.audit(
            "files.purge",
            "files",
            "*",
            json!({ "report_files": links, "files": files, "received_before": received_before }),
        )
        .await?;
        Ok(purged)
    }
}
