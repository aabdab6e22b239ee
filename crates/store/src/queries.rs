//! Reads on [`Store`] and writes on [`WriteTx`]. Plain records in, plain records out.

use crate::{get_i64, get_opt_str, get_str, now, Result, Store, StoreError, WriteTx};
use kc_desk::audit::{AuditRecord, ChainBreak, ChainVerifier};
use kc_desk::{Actor, CaseState, Grant, Role};
use serde::Serialize;
use serde_json::json;
use sqlx::any::AnyRow;
use sqlx::Row;

pub(crate) fn json_list(s: &str) -> Result<Vec<String>> {
    serde_json::from_str(s).map_err(|e| StoreError::Corrupt(format!("list `{s}`: {e}")))
}

pub(crate) fn to_json_list(v: &[String]) -> String {
    serde_json::Value::from(v.to_vec()).to_string()
}

#[derive(Debug, Clone, Serialize)]
pub struct UserRecord {
    pub id: i64,
    pub name: String,
    pub password_hash: String,
    pub disabled: bool,
}

/// A staff account as `user list` shows it: never its password hash.
#[derive(Debug, Clone, Serialize)]
pub struct UserSummary {
    pub name: String,
    pub created_at: String,
    pub disabled: bool,
    pub grants: Vec<Grant>,
}

/// An API token as `token list` shows it: never its secret or digest.
#[derive(Debug, Clone, Serialize)]
pub struct TokenRecord {
    pub id: i64,
    pub user: String,
    pub name: String,
    pub created_at: String,
    /// RFC 3339 UTC. `None` only for a row written outside the desk: migration 8 dated
    /// every older token.
    pub expires_at: Option<String>,
    pub revoked: bool,
}

impl TokenRecord {
    /// Whether the token no longer works at `now` for having passed its expiry (a revoked
    /// token is refused whatever its date).
    pub fn expired(&self, now: chrono::DateTime<chrono::Utc>) -> bool {
        self.expires_at
            .as_deref()
            .is_some_and(|e| kc_desk::auth::token_expired(e, now))
    }
}

/// What a bearer token is worth at a given moment.
#[derive(Debug, Clone)]
pub enum TokenCheck {
    /// A live token of an enabled account.
    Valid(Actor),
    /// A token that was issued and not revoked, but is past its expiry (RFC 3339 UTC), so
    /// its holder can be told to renew rather than left to guess.
    Expired { expires_at: String },
    /// Unknown, revoked, or the account is disabled.
    Refused,
}

/// The stored pack loaded last, and who loaded it.
#[derive(Debug, Clone)]
pub struct PackRecord {
    pub name: String,
    pub source: String,
    pub loaded_by: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct CaseSummary {
    pub id: i64,
    pub claim_id: i64,
    pub state: String,
    pub agency: Option<String>,
    pub consulted: Vec<String>,
    pub assignee: Option<String>,
    pub priority: String,
    pub harm_category: Option<String>,
    pub claim: String,
    pub reports: i64,
    pub created_at: String,
    pub updated_at: String,
    pub deadline: Option<String>,
    /// Set when the case was merged into another as a duplicate: the case its reports are
    /// counted and answered on now.
    pub merged_into: Option<i64>,
}

/// A case's assignment as triaged: lead and consulted agencies, the person if named,
/// harm category, priority and the deadline that follows from it.
#[derive(Debug, Clone, Copy)]
pub struct Assignment<'a> {
    pub agency: &'a str,
    pub consulted: &'a [String],
    pub assignee: Option<&'a str>,
    pub harm_category: Option<&'a str>,
    pub priority: &'a str,
    pub deadline: &'a str,
}

#[derive(Debug, Clone, Serialize)]
pub struct ReportRecord {
    pub id: i64,
    pub receipt: String,
    pub channel: String,
    pub text: String,
    pub urls: Vec<String>,
    pub case_id: Option<i64>,
    pub answered_by: Option<i64>,
    pub match_score: Option<f64>,
    pub received_at: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct DecisionRecord {
    pub id: i64,
    pub case_id: i64,
    pub version: i64,
    pub verdict: String,
    pub summary: String,
    pub reasons: String,
    pub legal_provisions: Vec<String>,
    pub remedy: String,
    pub status: String,
    pub decided_by: String,
    pub decided_at: String,
    pub reviewed_by: Option<String>,
    pub reviewed_at: Option<String>,
    pub review_comment: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct EvidenceRecord {
    pub id: i64,
    pub decision_id: Option<i64>,
    pub url: Option<String>,
    pub note: Option<String>,
    pub added_by: String,
    pub added_at: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct PublicationRecord {
    pub id: i64,
    pub case_id: i64,
    pub decision_id: i64,
    pub slug: String,
    pub title: String,
    pub body: String,
    pub claim_text: String,
    pub verdict: String,
    pub published_by: String,
    pub published_at: String,
}

/// How a case ended without publishing a verdict of its own: closed for `reason`, or
/// answered with the fact-check `publication_id` (exactly one of the two is set).
#[derive(Debug, Clone, Serialize)]
pub struct ClosureRecord {
    pub case_id: i64,
    pub reason: Option<String>,
    pub publication_id: Option<i64>,
    pub note: Option<String>,
    pub closed_by: String,
    pub closed_at: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct CaseDetail {
    pub case: CaseSummary,
    /// Opinions of the agencies the case consults, oldest first.
    pub opinions: Vec<OpinionRecord>,
    pub reports: Vec<ReportRecord>,
    pub decisions: Vec<DecisionRecord>,
    pub evidence: Vec<EvidenceRecord>,
    pub publication: Option<PublicationRecord>,
    /// Set when the case was closed or answered with an existing fact-check.
    pub closure: Option<ClosureRecord>,
    /// The fact-check an answered case points its reports to (another case's publication).
    pub answered_with: Option<PublicationRecord>,
    /// Set when the case was merged into another as a duplicate.
    pub merge: Option<MergeRecord>,
    /// The duplicates merged into this case, oldest first; their reports are in `reports`.
    pub merged_cases: Vec<i64>,
}

/// A consulted agency's opinion on a case.
#[derive(Debug, Clone, Serialize)]
pub struct OpinionRecord {
    pub id: i64,
    pub case_id: i64,
    pub agency: String,
    pub opinion: String,
    pub given_by: String,
    pub given_at: String,
}

/// A case merged into another: the case named then, the note, who and when. The case's
/// reports now count on `cases.merged_into`, which follows later merges of that case.
#[derive(Debug, Clone, Serialize)]
pub struct MergeRecord {
    pub case_id: i64,
    pub into_case: i64,
    pub note: Option<String>,
    pub merged_by: String,
    pub merged_at: String,
}

/// What intake decided to do with a new report.
#[derive(Debug, Clone, PartialEq)]
pub enum IntakeTarget {
    /// Matched a published fact-check; the report is counted on that case.
    Answered { publication_id: i64, score: f64 },
    /// The same claim is already being handled.
    JoinCase { case_id: i64 },
    /// A claim the desk has not seen: open a case.
    NewCase {
        priority: String,
        harm_category: Option<String>,
        deadline: Option<String>,
    },
}

#[derive(Debug, Clone)]
pub struct NewReportRecord {
    pub receipt: String,
    pub channel: String,
    pub text: String,
    pub urls: Vec<String>,
    pub content_hash: String,
    pub contact: Option<String>,
    pub contact_purge_after: String,
    pub target: IntakeTarget,
    /// For an item taken by `kiemchung import`: its key in `imported_items`.
    pub import_key: Option<String>,
    /// The report's files (screenshots), checked and stripped of metadata, in the order sent.
    pub files: Vec<crate::NewFile>,
}

#[derive(Debug, Clone, Serialize)]
pub struct RecordedReport {
    pub report_id: i64,
    pub case_id: i64,
}

#[derive(Debug, Clone)]
pub struct NewPublication {
    pub slug: String,
    pub title: String,
    pub body: String,
    pub claim_text: String,
    pub verdict: String,
    pub decision_id: i64,
}

const CASE_COLUMNS: &str =
    "c.id, c.claim_id, c.state, c.agency, c.consulted, c.assignee, c.priority, \
     c.harm_category, c.deadline, c.created_at, c.updated_at, c.merged_into, cl.text AS claim_text, \
     (SELECT COUNT(*) FROM reports r WHERE r.case_id = c.id) \
     + (SELECT COUNT(*) FROM reports r JOIN cases m ON m.id = r.case_id \
        WHERE m.merged_into = c.id) AS report_count";

/// The reports a case answers for: its own and those of the duplicates merged into it.
/// (Written as one `IN` over a union, not `= $1 OR IN (…)`: PostgreSQL's planner keeps the
/// index on `reports.case_id` for the former and scans every report for the latter.)
const CASE_REPORTS: &str =
    "r.case_id IN (SELECT CAST($1 AS BIGINT) UNION ALL SELECT m.id FROM cases m WHERE m.merged_into = $1)";

fn case_from_row(row: &AnyRow) -> Result<CaseSummary> {
    Ok(CaseSummary {
        id: get_i64(row, "id")?,
        claim_id: get_i64(row, "claim_id")?,
        state: get_str(row, "state")?,
        agency: get_opt_str(row, "agency")?,
        consulted: json_list(&get_str(row, "consulted")?)?,
        assignee: get_opt_str(row, "assignee")?,
        priority: get_str(row, "priority")?,
        harm_category: get_opt_str(row, "harm_category")?,
        claim: get_str(row, "claim_text")?,
        reports: get_i64(row, "report_count")?,
        created_at: get_str(row, "created_at")?,
        updated_at: get_str(row, "updated_at")?,
        deadline: get_opt_str(row, "deadline")?,
        merged_into: row.try_get::<Option<i64>, _>("merged_into")?,
    })
}

fn report_from_row(row: &AnyRow) -> Result<ReportRecord> {
    Ok(ReportRecord {
        id: get_i64(row, "id")?,
        receipt: get_str(row, "receipt")?,
        channel: get_str(row, "channel")?,
        text: get_str(row, "text")?,
        urls: json_list(&get_str(row, "urls")?)?,
        case_id: row.try_get::<Option<i64>, _>("case_id")?,
        answered_by: row.try_get::<Option<i64>, _>("answered_by")?,
        match_score: row.try_get::<Option<f64>, _>("match_score")?,
        received_at: get_str(row, "received_at")?,
    })
}

fn decision_from_row(row: &AnyRow) -> Result<DecisionRecord> {
    Ok(DecisionRecord {
        id: get_i64(row, "id")?,
        case_id: get_i64(row, "case_id")?,
        version: get_i64(row, "version")?,
        verdict: get_str(row, "verdict")?,
        summary: get_str(row, "summary")?,
        reasons: get_str(row, "reasons")?,
        legal_provisions: json_list(&get_str(row, "legal_provisions")?)?,
        remedy: get_str(row, "remedy")?,
        status: get_str(row, "status")?,
        decided_by: get_str(row, "decided_by")?,
        decided_at: get_str(row, "decided_at")?,
        reviewed_by: get_opt_str(row, "reviewed_by")?,
        reviewed_at: get_opt_str(row, "reviewed_at")?,
        review_comment: get_opt_str(row, "review_comment")?,
    })
}

fn publication_from_row(row: &AnyRow) -> Result<PublicationRecord> {
    Ok(PublicationRecord {
        id: get_i64(row, "id")?,
        case_id: get_i64(row, "case_id")?,
        decision_id: get_i64(row, "decision_id")?,
        slug: get_str(row, "slug")?,
        title: get_str(row, "title")?,
        body: get_str(row, "body")?,
        claim_text: get_str(row, "claim_text")?,
        verdict: get_str(row, "verdict")?,
        published_by: get_str(row, "published_by")?,
        published_at: get_str(row, "published_at")?,
    })
}

pub(crate) fn audit_from_row(r: &AnyRow) -> Result<AuditRecord> {
    Ok(AuditRecord {
        seq: get_i64(r, "seq")?,
        at: get_str(r, "at")?,
        actor: get_str(r, "actor")?,
        action: get_str(r, "action")?,
        entity: get_str(r, "entity")?,
        entity_id: get_str(r, "entity_id")?,
        data: get_str(r, "data")?,
        prev_hash: get_str(r, "prev_hash")?,
        hash: get_str(r, "hash")?,
    })
}

/// The finished states as an SQL list. They come from `kc_desk`, which decides what
/// finished means, and are fixed identifiers, never user input.
pub(crate) fn finished_states_sql() -> String {
    CaseState::FINISHED
        .iter()
        .map(|s| format!("'{}'", s.as_str()))
        .collect::<Vec<_>>()
        .join(", ")
}

const PUBLICATION_COLUMNS: &str =
    "id, case_id, decision_id, slug, title, body, claim_text, verdict, published_by, published_at";

/// The latest re-check of a publication `p`'s verdict, read by [`verified_at`].
const VERIFIED_COLUMNS: &str =
    "(SELECT MAX(r.checked_at) FROM publication_rechecks r WHERE r.publication_id = p.id) AS checked_at";

/// When a publication row's verdict was last verified: its `published_at`, or its latest
/// re-check ([`VERIFIED_COLUMNS`]). Both are the store's own UTC timestamps in one fixed
/// format, so the later sorts last. Answering a case with the verdict does not count: that is
/// intake's judgement that a report repeats the claim, not a second look at the verdict.
fn verified_at(r: &AnyRow) -> Result<String> {
    let published = get_str(r, "published_at")?;
    Ok(match get_opt_str(r, "checked_at")? {
        Some(checked) if checked > published => checked,
        _ => published,
    })
}

/// A published verdict checked again and found to still hold.
#[derive(Debug, Clone, Serialize)]
pub struct RecheckRecord {
    /// What was checked, in the reviewer's words.
    pub note: String,
    pub checked_by: String,
    pub checked_at: String,
}

/// Why `audit verify` failed.
#[derive(Debug, thiserror::Error)]
pub enum AuditVerifyError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Broken(#[from] ChainBreak),
}

impl From<sqlx::Error> for AuditVerifyError {
    fn from(e: sqlx::Error) -> Self {
        AuditVerifyError::Store(StoreError::Db(e))
    }
}

impl Store {
    // ---- packs ----

    /// The source text of the pack loaded last, if any.
    pub async fn active_pack(&self) -> Result<Option<(String, String)>> {
        let row = sqlx::query("SELECT name, source FROM packs ORDER BY id DESC LIMIT 1")
            .fetch_optional(self.pool())
            .await?;
        row.map(|r| Ok((get_str(&r, "name")?, get_str(&r, "source")?)))
            .transpose()
    }

    /// The pack loaded last with the actor that loaded it, which tells a copy of the
    /// built-in pack from one an operator loaded by hand.
    pub async fn active_pack_record(&self) -> Result<Option<PackRecord>> {
        let row = sqlx::query("SELECT name, source, loaded_by FROM packs ORDER BY id DESC LIMIT 1")
            .fetch_optional(self.pool())
            .await?;
        row.map(|r| {
            Ok(PackRecord {
                name: get_str(&r, "name")?,
                source: get_str(&r, "source")?,
                loaded_by: get_str(&r, "loaded_by")?,
            })
        })
        .transpose()
    }

    // ---- users ----

    /// Every account by name, with its grants.
    pub async fn users(&self) -> Result<Vec<UserSummary>> {
        let rows = sqlx::query("SELECT id, name, created_at, disabled FROM users ORDER BY name")
            .fetch_all(self.pool())
            .await?;
        let mut users = Vec::with_capacity(rows.len());
        for r in rows {
            users.push(UserSummary {
                name: get_str(&r, "name")?,
                created_at: get_str(&r, "created_at")?,
                disabled: get_i64(&r, "disabled")? != 0,
                grants: self.grants(get_i64(&r, "id")?).await?,
            });
        }
        Ok(users)
    }

    async fn grants(&self, user_id: i64) -> Result<Vec<Grant>> {
        let rows =
            sqlx::query("SELECT role, agency FROM grants WHERE user_id = $1 ORDER BY role, agency")
                .bind(user_id)
                .fetch_all(self.pool())
                .await?;
        let mut grants = Vec::new();
        for r in rows {
            let role = get_str(&r, "role")?;
            let role = Role::parse(&role)
                .ok_or_else(|| StoreError::Corrupt(format!("unknown role `{role}`")))?;
            let agency = get_str(&r, "agency")?;
            grants.push(Grant {
                role,
                agency: (!agency.is_empty()).then_some(agency),
            });
        }
        Ok(grants)
    }

    /// API tokens, oldest first, of one user or of everyone.
    pub async fn tokens(&self, user: Option<&str>) -> Result<Vec<TokenRecord>> {
        let rows = sqlx::query(
            "SELECT t.id, u.name AS user_name, t.name, t.created_at, t.expires_at, t.revoked \
             FROM api_tokens t JOIN users u ON u.id = t.user_id \
             WHERE $1 = '' OR u.name = $1 ORDER BY t.id",
        )
        .bind(user.unwrap_or("").to_string())
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|r| {
                Ok(TokenRecord {
                    id: get_i64(r, "id")?,
                    user: get_str(r, "user_name")?,
                    name: get_str(r, "name")?,
                    created_at: get_str(r, "created_at")?,
                    expires_at: get_opt_str(r, "expires_at")?,
                    revoked: get_i64(r, "revoked")? != 0,
                })
            })
            .collect()
    }

    pub async fn user_by_name(&self, name: &str) -> Result<Option<UserRecord>> {
        let row =
            sqlx::query("SELECT id, name, password_hash, disabled FROM users WHERE name = $1")
                .bind(name.to_string())
                .fetch_optional(self.pool())
                .await?;
        row.map(|r| {
            Ok(UserRecord {
                id: get_i64(&r, "id")?,
                name: get_str(&r, "name")?,
                password_hash: get_str(&r, "password_hash")?,
                disabled: get_i64(&r, "disabled")? != 0,
            })
        })
        .transpose()
    }

    pub async fn user_count(&self) -> Result<i64> {
        let row = sqlx::query("SELECT COUNT(*) AS n FROM users")
            .fetch_one(self.pool())
            .await?;
        get_i64(&row, "n")
    }

    pub async fn actor(&self, user_id: i64) -> Result<Option<Actor>> {
        let Some(user) = sqlx::query("SELECT name FROM users WHERE id = $1 AND disabled = 0")
            .bind(user_id)
            .fetch_optional(self.pool())
            .await?
        else {
            return Ok(None);
        };
        Ok(Some(Actor {
            name: get_str(&user, "name")?,
            grants: self.grants(user_id).await?,
        }))
    }

    /// Who a bearer token (its digest) acts for at `now`; the caller reads the clock.
    pub async fn actor_by_token(
        &self,
        token_hash: &str,
        now: chrono::DateTime<chrono::Utc>,
    ) -> Result<TokenCheck> {
        let Some(row) = sqlx::query(
            "SELECT user_id, expires_at FROM api_tokens WHERE token_hash = $1 AND revoked = 0",
        )
        .bind(token_hash.to_string())
        .fetch_optional(self.pool())
        .await?
        else {
            return Ok(TokenCheck::Refused);
        };
        if let Some(expires_at) = get_opt_str(&row, "expires_at")? {
            if kc_desk::auth::token_expired(&expires_at, now) {
                return Ok(TokenCheck::Expired { expires_at });
            }
        }
        Ok(match self.actor(get_i64(&row, "user_id")?).await? {
            Some(actor) => TokenCheck::Valid(actor),
            None => TokenCheck::Refused,
        })
    }

    pub async fn actor_by_session(&self, token_hash: &str) -> Result<Option<Actor>> {
        let row =
            sqlx::query("SELECT user_id FROM sessions WHERE token_hash = $1 AND expires_at > $2")
                .bind(token_hash.to_string())
                .bind(now())
                .fetch_optional(self.pool())
                .await?;
        match row {
            Some(r) => self.actor(get_i64(&r, "user_id")?).await,
            None => Ok(None),
        }
    }

    /// Sessions are not audited state, so they are written outside the audit chain.
    pub async fn create_session(
        &self,
        user_id: i64,
        token_hash: &str,
        expires_at: &str,
    ) -> Result<()> {
        sqlx::query("INSERT INTO sessions (token_hash, user_id, created_at, expires_at) VALUES ($1, $2, $3, $4)")
            .bind(token_hash.to_string())
            .bind(user_id)
            .bind(now())
            .bind(expires_at.to_string())
            .execute(self.pool())
            .await?;
        sqlx::query("DELETE FROM sessions WHERE expires_at <= $1")
            .bind(now())
            .execute(self.pool())
            .await?;
        Ok(())
    }

    pub async fn delete_session(&self, token_hash: &str) -> Result<()> {
        sqlx::query("DELETE FROM sessions WHERE token_hash = $1")
            .bind(token_hash.to_string())
            .execute(self.pool())
            .await?;
        Ok(())
    }

    // ---- cases ----

    /// Every case still open, and the latest `finished_limit` finished ones (published,
    /// closed, answered, …), newest first; only those in `state` when given. Open cases are
    /// never cut off: an old overdue case is the one that must stay in sight.
    pub async fn list_cases(
        &self,
        state: Option<&str>,
        finished_limit: i64,
    ) -> Result<Vec<CaseSummary>> {
        let finished: Vec<String> = kc_desk::CaseState::FINISHED
            .iter()
            .map(|s| format!("'{}'", s.as_str()))
            .collect();
        let finished = finished.join(", ");
        let sql = format!(
            "SELECT {CASE_COLUMNS} FROM cases c JOIN claims cl ON cl.id = c.claim_id \
             WHERE ($1 = '' OR c.state = $1) AND (c.state NOT IN ({finished}) OR c.id IN \
               (SELECT f.id FROM cases f WHERE f.state IN ({finished}) AND ($1 = '' OR f.state = $1) \
                ORDER BY f.id DESC LIMIT $2)) \
             ORDER BY c.id DESC"
        );
        let rows = sqlx::query(&sql)
            .bind(state.unwrap_or("").to_string())
            .bind(finished_limit)
            .fetch_all(self.pool())
            .await?;
        rows.iter().map(case_from_row).collect()
    }

    pub async fn case(&self, id: i64) -> Result<Option<CaseSummary>> {
        let sql = format!(
            "SELECT {CASE_COLUMNS} FROM cases c JOIN claims cl ON cl.id = c.claim_id WHERE c.id = $1"
        );
        let row = sqlx::query(&sql)
            .bind(id)
            .fetch_optional(self.pool())
            .await?;
        row.as_ref().map(case_from_row).transpose()
    }

    pub async fn case_detail(&self, id: i64) -> Result<Option<CaseDetail>> {
        let Some(case) = self.case(id).await? else {
            return Ok(None);
        };
        let reports = sqlx::query(&format!(
            "SELECT r.* FROM reports r WHERE {CASE_REPORTS} ORDER BY r.id"
        ))
        .bind(id)
        .fetch_all(self.pool())
        .await?
        .iter()
        .map(report_from_row)
        .collect::<Result<_>>()?;
        let decisions = self.decisions(id).await?;
        let evidence = sqlx::query(
            "SELECT id, decision_id, url, note, added_by, added_at FROM evidence WHERE case_id = $1 ORDER BY id",
        )
        .bind(id)
        .fetch_all(self.pool())
        .await?
        .iter()
        .map(|r| {
            Ok(EvidenceRecord {
                id: get_i64(r, "id")?,
                decision_id: r.try_get::<Option<i64>, _>("decision_id")?,
                url: get_opt_str(r, "url")?,
                note: get_opt_str(r, "note")?,
                added_by: get_str(r, "added_by")?,
                added_at: get_str(r, "added_at")?,
            })
        })
        .collect::<Result<_>>()?;
        let sql = format!("SELECT {PUBLICATION_COLUMNS} FROM publications WHERE case_id = $1 ORDER BY id DESC LIMIT 1");
        let publication = sqlx::query(&sql)
            .bind(id)
            .fetch_optional(self.pool())
            .await?
            .as_ref()
            .map(publication_from_row)
            .transpose()?;
        let closure = self.closure(id).await?;
        let answered_with = match closure.as_ref().and_then(|c| c.publication_id) {
            Some(pid) => self.publication(pid).await?,
            None => None,
        };
        let merge = self.merge(id).await?;
        let merged_cases = sqlx::query("SELECT id FROM cases WHERE merged_into = $1 ORDER BY id")
            .bind(id)
            .fetch_all(self.pool())
            .await?
            .iter()
            .map(|r| get_i64(r, "id"))
            .collect::<Result<_>>()?;
        let opinions = self.case_opinions(id).await?;
        Ok(Some(CaseDetail {
            case,
            opinions,
            reports,
            decisions,
            evidence,
            publication,
            closure,
            answered_with,
            merge,
            merged_cases,
        }))
    }

    /// The opinions consulted agencies gave on a case, oldest first.
    pub async fn case_opinions(&self, case_id: i64) -> Result<Vec<OpinionRecord>> {
        sqlx::query(
            "SELECT id, case_id, agency, opinion, given_by, given_at FROM case_opinions \
             WHERE case_id = $1 ORDER BY id",
        )
        .bind(case_id)
        .fetch_all(self.pool())
        .await?
        .iter()
        .map(|r| {
            Ok(OpinionRecord {
                id: get_i64(r, "id")?,
                case_id: get_i64(r, "case_id")?,
                agency: get_str(r, "agency")?,
                opinion: get_str(r, "opinion")?,
                given_by: get_str(r, "given_by")?,
                given_at: get_str(r, "given_at")?,
            })
        })
        .collect()
    }

    /// How the case was merged into another, if it was.
    pub async fn merge(&self, case_id: i64) -> Result<Option<MergeRecord>> {
        let row = sqlx::query(
            "SELECT case_id, into_case, note, merged_by, merged_at FROM case_merges WHERE case_id = $1",
        )
        .bind(case_id)
        .fetch_optional(self.pool())
        .await?;
        row.map(|r| {
            Ok(MergeRecord {
                case_id: get_i64(&r, "case_id")?,
                into_case: get_i64(&r, "into_case")?,
                note: get_opt_str(&r, "note")?,
                merged_by: get_str(&r, "merged_by")?,
                merged_at: get_str(&r, "merged_at")?,
            })
        })
        .transpose()
    }

    /// How the case ended, if it was closed or answered with an existing fact-check.
    pub async fn closure(&self, case_id: i64) -> Result<Option<ClosureRecord>> {
        let row = sqlx::query(
            "SELECT case_id, reason, publication_id, note, closed_by, closed_at \
             FROM case_closures WHERE case_id = $1",
        )
        .bind(case_id)
        .fetch_optional(self.pool())
        .await?;
        row.map(|r| {
            Ok(ClosureRecord {
                case_id: get_i64(&r, "case_id")?,
                reason: get_opt_str(&r, "reason")?,
                publication_id: r.try_get::<Option<i64>, _>("publication_id")?,
                note: get_opt_str(&r, "note")?,
                closed_by: get_str(&r, "closed_by")?,
                closed_at: get_str(&r, "closed_at")?,
            })
        })
        .transpose()
    }

    pub async fn decisions(&self, case_id: i64) -> Result<Vec<DecisionRecord>> {
        sqlx::query("SELECT * FROM decisions WHERE case_id = $1 ORDER BY version")
            .bind(case_id)
            .fetch_all(self.pool())
            .await?
            .iter()
            .map(decision_from_row)
            .collect()
    }

    pub async fn decision(&self, id: i64) -> Result<Option<DecisionRecord>> {
        sqlx::query("SELECT * FROM decisions WHERE id = $1")
            .bind(id)
            .fetch_optional(self.pool())
            .await?
            .as_ref()
            .map(decision_from_row)
            .transpose()
    }

    /// Summary and reasons of every published decision, by decision id: what the open data
    /// states beside each verdict.
    pub async fn published_decision_reasons(
        &self,
    ) -> Result<std::collections::HashMap<i64, (String, String)>> {
        let rows = sqlx::query(
            "SELECT d.id, d.summary, d.reasons FROM decisions d \
             WHERE d.id IN (SELECT decision_id FROM publications)",
        )
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|r| {
                Ok((
                    get_i64(r, "id")?,
                    (get_str(r, "summary")?, get_str(r, "reasons")?),
                ))
            })
            .collect()
    }

    /// The open case already handling content with this hash, if any.
    /// The receipt of the report an import key was taken as, if it was.
    pub async fn imported_receipt(&self, key: &str) -> Result<Option<String>> {
        let row = sqlx::query(
            "SELECT r.receipt FROM imported_items i JOIN reports r ON r.id = i.report_id WHERE i.key = $1",
        )
        .bind(key.to_string())
        .fetch_optional(self.pool())
        .await?;
        row.map(|r| r.try_get::<String, _>("receipt"))
            .transpose()
            .map_err(Into::into)
    }

    pub async fn case_for_content(&self, content_hash: &str) -> Result<Option<i64>> {
        let row = sqlx::query(
            "SELECT c.id FROM items i JOIN cases c ON c.claim_id = i.claim_id \
             WHERE i.content_hash = $1 ORDER BY c.id DESC LIMIT 1",
        )
        .bind(content_hash.to_string())
        .fetch_optional(self.pool())
        .await?;
        row.map(|r| get_i64(&r, "id")).transpose()
    }

    /// Claims of cases still being worked on, for joining new reports to them.
    pub async fn open_case_claims(&self) -> Result<Vec<(i64, String)>> {
        // A merged duplicate stays while the case it went into is open: its wording still
        // finds that case.
        let sql = format!(
            "SELECT c.id, cl.text FROM cases c JOIN claims cl ON cl.id = c.claim_id \
             LEFT JOIN cases k ON k.id = c.merged_into \
             WHERE (c.merged_into IS NULL AND c.state NOT IN ({f})) \
                OR (c.merged_into IS NOT NULL AND k.state NOT IN ({f}))",
            f = finished_states_sql()
        );
        let rows = sqlx::query(&sql).fetch_all(self.pool()).await?;
        rows.iter()
            .map(|r| Ok((get_i64(r, "id")?, get_str(r, "text")?)))
            .collect()
    }

    /// (case id, claim text) of every case answered with a published fact-check or with a
    /// publication of its own (published as the editor stated the claim, not as it was
    /// reported), and of every duplicate merged into a case that is answered or published:
    /// later reports worded like such a case get that fact-check too.
    pub async fn answered_case_claims(&self) -> Result<Vec<(i64, String)>> {
        let rows = sqlx::query(
            "SELECT c.id, cl.text FROM cases c JOIN claims cl ON cl.id = c.claim_id \
             WHERE EXISTS (SELECT 1 FROM case_closures x \
                           WHERE x.case_id = c.id AND x.publication_id IS NOT NULL) \
                OR EXISTS (SELECT 1 FROM publications q WHERE q.case_id = c.id) \
                OR EXISTS (SELECT 1 FROM cases k WHERE k.id = c.merged_into AND \
                           (EXISTS (SELECT 1 FROM publications p WHERE p.case_id = k.id) \
                            OR EXISTS (SELECT 1 FROM case_closures y \
                            WHERE y.case_id = k.id AND y.publication_id IS NOT NULL)))",
        )
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|r| Ok((get_i64(r, "id")?, get_str(r, "text")?)))
            .collect()
    }

    // ---- reports ----

    pub async fn report_by_receipt(&self, receipt: &str) -> Result<Option<ReportRecord>> {
        sqlx::query("SELECT * FROM reports WHERE receipt = $1")
            .bind(receipt.to_string())
            .fetch_optional(self.pool())
            .await?
            .as_ref()
            .map(report_from_row)
            .transpose()
    }

    /// Which of a case's reports still hold a contact (not purged, and given at all).
    pub async fn reports_with_contact(&self, case_id: i64) -> Result<Vec<i64>> {
        let rows = sqlx::query(&format!(
            "SELECT rc.report_id FROM report_contacts rc JOIN reports r ON r.id = rc.report_id \
             WHERE {CASE_REPORTS} ORDER BY rc.report_id"
        ))
        .bind(case_id)
        .fetch_all(self.pool())
        .await?;
        rows.iter().map(|r| get_i64(r, "report_id")).collect()
    }

    pub async fn contact_of(&self, report_id: i64) -> Result<Option<String>> {
        let row = sqlx::query("SELECT contact FROM report_contacts WHERE report_id = $1")
            .bind(report_id)
            .fetch_optional(self.pool())
            .await?;
        row.map(|r| get_str(&r, "contact")).transpose()
    }

    // ---- publications ----

    /// (publication id, claim text) of every publication: what the matcher indexes, without
    /// the titles and bodies a periodic refresh has no use for.
    pub async fn publication_claims(&self) -> Result<Vec<(i64, String)>> {
        // A verdict overturned on appeal no longer answers anyone at intake.
        let rows = sqlx::query(
            "SELECT id, claim_text FROM publications WHERE id NOT IN \
             (SELECT publication_id FROM appeals WHERE status = 'overturned')",
        )
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|r| Ok((get_i64(r, "id")?, get_str(r, "claim_text")?)))
            .collect()
    }

    /// One page of publications, newest first: the home page's latest and the portal's list,
    /// which read a page instead of every fact-check the desk ever published. `asserted`
    /// leaves out verdicts overturned on appeal (the feed's choice).
    pub async fn recent_publications(
        &self,
        limit: i64,
        offset: i64,
        asserted: bool,
    ) -> Result<Vec<PublicationRecord>> {
        let filter = if asserted {
            "WHERE NOT EXISTS (SELECT 1 FROM appeals a WHERE a.publication_id = publications.id \
             AND a.status = 'overturned')"
        } else {
            ""
        };
        let sql = format!(
            "SELECT {PUBLICATION_COLUMNS} FROM publications {filter} \
             ORDER BY published_at DESC, id DESC LIMIT $1 OFFSET $2"
        );
        sqlx::query(&sql)
            .bind(limit)
            .bind(offset)
            .fetch_all(self.pool())
            .await?
            .iter()
            .map(publication_from_row)
            .collect()
    }

    /// Publications a later publication of the same case replaced (a decision taken again
    /// after an appeal): they no longer state the desk's verdict.
    pub async fn replaced_publications(&self) -> Result<Vec<i64>> {
        let rows = sqlx::query(
            "SELECT p.id FROM publications p WHERE EXISTS \
             (SELECT 1 FROM publications q WHERE q.case_id = p.case_id AND q.id > p.id)",
        )
        .fetch_all(self.pool())
        .await?;
        rows.iter().map(|r| get_i64(r, "id")).collect()
    }

    /// Every publication of a case, oldest first (a later one replaces an earlier after an
    /// appeal; both stay public pages).
    pub async fn case_publications(&self, case_id: i64) -> Result<Vec<PublicationRecord>> {
        let sql = format!(
            "SELECT {PUBLICATION_COLUMNS} FROM publications WHERE case_id = $1 ORDER BY id"
        );
        sqlx::query(&sql)
            .bind(case_id)
            .fetch_all(self.pool())
            .await?
            .iter()
            .map(publication_from_row)
            .collect()
    }

    /// How many fact-checks were ever published (the portal list's page count).
    pub async fn publication_count(&self) -> Result<i64> {
        let row = sqlx::query("SELECT COUNT(*) AS n FROM publications")
            .fetch_one(self.pool())
            .await?;
        get_i64(&row, "n")
    }

    pub async fn publications(&self) -> Result<Vec<PublicationRecord>> {
        let sql = format!(
            "SELECT {PUBLICATION_COLUMNS} FROM publications ORDER BY published_at DESC, id DESC"
        );
        sqlx::query(&sql)
            .fetch_all(self.pool())
            .await?
            .iter()
            .map(publication_from_row)
            .collect()
    }

    /// Whether a publication still stands: it is its case's latest publication and no
    /// appeal overturned it. A replaced or overturned verdict answers nobody and can be
    /// neither appealed nor acted on.
    pub async fn publication_stands(&self, id: i64) -> Result<bool> {
        Ok(self.publication_verified_at(id).await?.is_some())
    }

    /// When the verdict of publication `id` was last verified, if it stands (see
    /// [`Store::publication_stands`]): its publication, or a reviewer's re-check
    /// (`publication_rechecks`) that found it still holds. `None` when it does not stand.
    pub async fn publication_verified_at(&self, id: i64) -> Result<Option<String>> {
        let sql = format!(
            "SELECT (SELECT MAX(q.id) FROM publications q WHERE q.case_id = p.case_id) AS latest, \
             (SELECT COUNT(*) FROM appeals a WHERE a.publication_id = p.id AND a.status = 'overturned') AS overturned, \
             p.published_at, {VERIFIED_COLUMNS} FROM publications p WHERE p.id = $1"
        );
        let row = sqlx::query(&sql)
            .bind(id)
            .fetch_optional(self.pool())
            .await?;
        let Some(r) = row else {
            return Ok(None);
        };
        if get_i64(&r, "latest")? != id || get_i64(&r, "overturned")? != 0 {
            return Ok(None);
        }
        Ok(Some(verified_at(&r)?))
    }

    /// The publications that stand (their case's latest, not overturned on appeal) whose
    /// verdict was last verified ([`Store::publication_verified_at`]) at or before `cutoff`
    /// (a stored timestamp), with that time, the longest unverified first.
    pub async fn standing_publications_verified_by(
        &self,
        cutoff: &str,
    ) -> Result<Vec<(PublicationRecord, String)>> {
        let sql = format!(
            "SELECT {PUBLICATION_COLUMNS}, {VERIFIED_COLUMNS} FROM publications p \
             WHERE p.published_at <= $1 \
             AND NOT EXISTS (SELECT 1 FROM publication_rechecks r WHERE r.publication_id = p.id AND r.checked_at > $1) \
             AND p.id = (SELECT MAX(q.id) FROM publications q WHERE q.case_id = p.case_id) \
             AND NOT EXISTS (SELECT 1 FROM appeals a WHERE a.publication_id = p.id AND a.status = 'overturned')"
        );
        let mut out = sqlx::query(&sql)
            .bind(cutoff.to_string())
            .fetch_all(self.pool())
            .await?
            .iter()
            .map(|r| Ok((publication_from_row(r)?, verified_at(r)?)))
            .collect::<Result<Vec<_>>>()?;
        out.sort_by(|a, b| a.1.cmp(&b.1).then(a.0.id.cmp(&b.0.id)));
        Ok(out)
    }

    /// The re-checks of publication `id`, oldest first.
    pub async fn publication_rechecks(&self, id: i64) -> Result<Vec<RecheckRecord>> {
        sqlx::query(
            "SELECT note, checked_by, checked_at FROM publication_rechecks \
             WHERE publication_id = $1 ORDER BY id",
        )
        .bind(id)
        .fetch_all(self.pool())
        .await?
        .iter()
        .map(|r| {
            Ok(RecheckRecord {
                note: get_str(r, "note")?,
                checked_by: get_str(r, "checked_by")?,
                checked_at: get_str(r, "checked_at")?,
            })
        })
        .collect()
    }

    /// The publication of a decision, if it was published.
    pub async fn publication_of_decision(
        &self,
        decision_id: i64,
    ) -> Result<Option<PublicationRecord>> {
        let sql = format!(
            "SELECT {PUBLICATION_COLUMNS} FROM publications WHERE decision_id = $1 ORDER BY id DESC LIMIT 1"
        );
        sqlx::query(&sql)
            .bind(decision_id)
            .fetch_optional(self.pool())
            .await?
            .as_ref()
            .map(publication_from_row)
            .transpose()
    }

    pub async fn publication(&self, id: i64) -> Result<Option<PublicationRecord>> {
        let sql = format!("SELECT {PUBLICATION_COLUMNS} FROM publications WHERE id = $1");
        sqlx::query(&sql)
            .bind(id)
            .fetch_optional(self.pool())
            .await?
            .as_ref()
            .map(publication_from_row)
            .transpose()
    }

    pub async fn publication_by_slug(&self, slug: &str) -> Result<Option<PublicationRecord>> {
        let sql = format!("SELECT {PUBLICATION_COLUMNS} FROM publications WHERE slug = $1");
        sqlx::query(&sql)
            .bind(slug.to_string())
            .fetch_optional(self.pool())
            .await?
            .as_ref()
            .map(publication_from_row)
            .transpose()
    }

    pub async fn slug_taken(&self, slug: &str) -> Result<bool> {
        Ok(sqlx::query("SELECT id FROM publications WHERE slug = $1")
            .bind(slug.to_string())
            .fetch_optional(self.pool())
            .await?
            .is_some())
    }

    // ---- audit ----

    /// Walks the whole chain; the error names the first event altered or removed.
    pub async fn audit_verify(&self) -> Result<i64, AuditVerifyError> {
        let mut verifier = ChainVerifier::default();
        let mut after = 0i64;
        loop {
            let rows =
                sqlx::query("SELECT * FROM audit_events WHERE seq > $1 ORDER BY seq LIMIT 1000")
                    .bind(after)
                    .fetch_all(self.pool())
                    .await?;
            if rows.is_empty() {
                break;
            }
            for r in &rows {
                let rec = audit_from_row(r)?;
                after = rec.seq;
                verifier.push(&rec)?;
            }
        }
        let head = sqlx::query("SELECT seq, hash FROM audit_head WHERE id = 1")
            .fetch_one(self.pool())
            .await?;
        Ok(verifier.finish(get_i64(&head, "seq")?, &get_str(&head, "hash")?)?)
    }

    pub async fn audit_events_for(
        &self,
        entity: &str,
        entity_id: &str,
    ) -> Result<Vec<AuditRecord>> {
        let rows = sqlx::query(
            "SELECT * FROM audit_events WHERE entity = $1 AND entity_id = $2 ORDER BY seq",
        )
        .bind(entity.to_string())
        .bind(entity_id.to_string())
        .fetch_all(self.pool())
        .await?;
        rows.iter().map(audit_from_row).collect()
    }
}

impl WriteTx {
    /// Records a consulted agency's opinion on a case. The audit event names the agency and
    /// the opinion's length; the text itself stays in `case_opinions`.
    pub async fn record_opinion(
        &mut self,
        case_id: i64,
        agency: &str,
        opinion: &str,
    ) -> Result<i64> {
        let row = sqlx::query(
            "INSERT INTO case_opinions (case_id, agency, opinion, given_by, given_at) \
             VALUES ($1, $2, $3, $4, $5) RETURNING id",
        )
        .bind(case_id)
        .bind(agency.to_string())
        .bind(opinion.to_string())
        .bind(self.actor().to_string())
        .bind(crate::now())
        .fetch_one(self.conn())
        .await?;
        let id = get_i64(&row, "id")?;
        self.audit(
            "case.opinion",
            "case",
            case_id,
            serde_json::json!({ "opinion": id, "agency": agency, "chars": opinion.chars().count() }),
        )
        .await?;
        Ok(id)
    }

    /// Records an awareness event; returns its id.
    pub async fn record_outreach(&mut self, o: &kc_desk::outreach::ValidOutreach) -> Result<i64> {
        let row = sqlx::query(
            "INSERT INTO outreach (agency, kind, audience, held_on, topic, attendees, materials_url, recorded_by, recorded_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id",
        )
        .bind(o.agency.clone())
        .bind(o.kind.as_str())
        .bind(o.audience.as_str())
        .bind(o.held_on.to_string())
        .bind(o.topic.clone())
        .bind(i64::from(o.attendees))
        .bind(o.materials_url.clone())
        .bind(self.actor().to_string())
        .bind(now())
        .fetch_one(&mut *self.tx)
        .await?;
        let id = get_i64(&row, "id")?;
        self.audit(
            "outreach.record",
            "outreach",
            id,
            json!({ "agency": o.agency, "kind": o.kind.as_str(), "audience": o.audience.as_str(),
                    "held_on": o.held_on.to_string(), "attendees": o.attendees }),
        )
        .await?;
        Ok(id)
    }

    /// Records that the actor read a reporter's contact (to reply). The event names the
    /// report, never the contact: the log is kept forever, contacts are not.
    pub async fn record_contact_view(&mut self, report_id: i64) -> Result<()> {
        self.audit(
            "report.contact_view",
            "report",
            report_id,
            json!({ "purpose": "reply" }),
        )
        .await
    }

    /// The same for the contact an appellant left.
    pub async fn record_appeal_contact_view(&mut self, appeal_id: i64) -> Result<()> {
        self.audit(
            "appeal.contact_view",
            "appeal",
            appeal_id,
            json!({ "purpose": "reply" }),
        )
        .await
    }

    pub async fn record_pack(&mut self, name: &str, source: &str) -> Result<i64> {
        let row = sqlx::query(
            "INSERT INTO packs (name, source, loaded_at, loaded_by) VALUES ($1, $2, $3, $4) RETURNING id",
        )
        .bind(name.to_string())
        .bind(source.to_string())
        .bind(now())
        .bind(self.actor().to_string())
        .fetch_one(&mut *self.tx)
        .await?;
        let id = get_i64(&row, "id")?;
        self.audit("pack.load", "pack", id, json!({ "name": name }))
            .await?;
        Ok(id)
    }

    /// Creates the user with `password_hash` if new, and adds the grant if missing. An
    /// existing user's password is kept: giving someone another role must not reset it
    /// ([`WriteTx::set_password`] does that). Returns whether the user was new.
    pub async fn add_user(
        &mut self,
        name: &str,
        password_hash: &str,
        role: Role,
        agency: Option<&str>,
    ) -> Result<bool> {
        let existing = sqlx::query("SELECT id FROM users WHERE name = $1")
            .bind(name.to_string())
            .fetch_optional(&mut *self.tx)
            .await?;
        let (id, created) = match existing {
            Some(r) => (get_i64(&r, "id")?, false),
            None => {
                let r = sqlx::query(
                    "INSERT INTO users (name, password_hash, created_at) VALUES ($1, $2, $3) RETURNING id",
                )
                .bind(name.to_string())
                .bind(password_hash.to_string())
                .bind(now())
                .fetch_one(&mut *self.tx)
                .await?;
                (get_i64(&r, "id")?, true)
            }
        };
        let agency = agency.unwrap_or("").to_string();
        let has =
            sqlx::query("SELECT role FROM grants WHERE user_id = $1 AND role = $2 AND agency = $3")
                .bind(id)
                .bind(role.as_str())
                .bind(agency.clone())
                .fetch_optional(&mut *self.tx)
                .await?
                .is_some();
        if !has {
            sqlx::query("INSERT INTO grants (user_id, role, agency) VALUES ($1, $2, $3)")
                .bind(id)
                .bind(role.as_str())
                .bind(agency.clone())
                .execute(&mut *self.tx)
                .await?;
        }
        self.audit(
            if created { "user.create" } else { "user.grant" },
            "user",
            name,
            json!({ "role": role.as_str(), "agency": agency }),
        )
        .await?;
        Ok(created)
    }

    async fn user_id(&mut self, name: &str) -> Result<i64> {
        let row = sqlx::query("SELECT id FROM users WHERE name = $1")
            .bind(name.to_string())
            .fetch_optional(&mut *self.tx)
            .await?
            .ok_or_else(|| StoreError::NotFound(format!("user `{name}`")))?;
        get_i64(&row, "id")
    }

    /// Replaces a user's password and ends their console sessions, which were opened
    /// with the old one.
    pub async fn set_password(&mut self, name: &str, password_hash: &str) -> Result<()> {
        let id = self.user_id(name).await?;
        sqlx::query("UPDATE users SET password_hash = $1 WHERE id = $2")
            .bind(password_hash.to_string())
            .bind(id)
            .execute(&mut *self.tx)
            .await?;
        self.end_sessions(id).await?;
        self.audit("user.password", "user", name, json!({})).await
    }

    async fn end_sessions(&mut self, user_id: i64) -> Result<u64> {
        Ok(sqlx::query("DELETE FROM sessions WHERE user_id = $1")
            .bind(user_id)
            .execute(&mut *self.tx)
            .await?
            .rows_affected())
    }

    /// Disables or re-enables an account. A disabled user can neither sign in nor act
    /// through an existing session or API token; disabling also ends their sessions, so
    /// re-enabling never revives one. Returns false (and records nothing) when the account
    /// was already in that state.
    pub async fn set_user_disabled(&mut self, name: &str, disabled: bool) -> Result<bool> {
        let id = self.user_id(name).await?;
        let changed =
            sqlx::query("UPDATE users SET disabled = $1 WHERE id = $2 AND disabled <> $1")
                .bind(i64::from(disabled))
                .bind(id)
                .execute(&mut *self.tx)
                .await?
                .rows_affected()
                > 0;
        if !changed {
            return Ok(false);
        }
        let sessions = if disabled {
            self.end_sessions(id).await?
        } else {
            0
        };
        self.audit(
            if disabled {
                "user.disable"
            } else {
                "user.enable"
            },
            "user",
            name,
            json!({ "sessions_ended": sessions }),
        )
        .await?;
        Ok(true)
    }

    /// Removes one grant (district-wide when `agency` is `None`). The change applies to the
    /// user's next request, sessions and tokens included.
    pub async fn remove_grant(
        &mut self,
        name: &str,
        role: Role,
        agency: Option<&str>,
    ) -> Result<()> {
        let id = self.user_id(name).await?;
        let agency = agency.unwrap_or("").to_string();
        let removed =
            sqlx::query("DELETE FROM grants WHERE user_id = $1 AND role = $2 AND agency = $3")
                .bind(id)
                .bind(role.as_str())
                .bind(agency.clone())
                .execute(&mut *self.tx)
                .await?
                .rows_affected();
        if removed == 0 {
            let scope = if agency.is_empty() {
                "district-wide".to_string()
            } else {
                format!("for agency `{agency}`")
            };
            return Err(StoreError::NotFound(format!(
                "role `{role}` {scope} of user `{name}`"
            )));
        }
        self.audit(
            "user.remove_role",
            "user",
            name,
            json!({ "role": role.as_str(), "agency": agency }),
        )
        .await
    }

    /// Revokes an API token at once. Returns false (and records nothing) when it was
    /// already revoked.
    pub async fn revoke_token(&mut self, id: i64) -> Result<bool> {
        let row = sqlx::query(
            "SELECT u.name AS user_name, t.name, t.revoked FROM api_tokens t \
             JOIN users u ON u.id = t.user_id WHERE t.id = $1",
        )
        .bind(id)
        .fetch_optional(&mut *self.tx)
        .await?
        .ok_or_else(|| StoreError::NotFound(format!("API token {id}")))?;
        if get_i64(&row, "revoked")? != 0 {
            return Ok(false);
        }
        sqlx::query("UPDATE api_tokens SET revoked = 1 WHERE id = $1")
            .bind(id)
            .execute(&mut *self.tx)
            .await?;
        self.audit(
            "token.revoke",
            "user",
            get_str(&row, "user_name")?,
            json!({ "token": get_str(&row, "name")?, "token_id": id }),
        )
        .await?;
        Ok(true)
    }

    /// Sets a new expiry on a token that is not revoked, expired or not: the administrator
    /// vouches for it again. Returns false (and records nothing) for a revoked token, which
    /// stays revoked.
    pub async fn renew_token(
        &mut self,
        id: i64,
        expires_at: chrono::DateTime<chrono::Utc>,
    ) -> Result<bool> {
        let row = sqlx::query(
            "SELECT u.name AS user_name, t.name, t.revoked, t.expires_at FROM api_tokens t \
             JOIN users u ON u.id = t.user_id WHERE t.id = $1",
        )
        .bind(id)
        .fetch_optional(&mut *self.tx)
        .await?
        .ok_or_else(|| StoreError::NotFound(format!("API token {id}")))?;
        if get_i64(&row, "revoked")? != 0 {
            return Ok(false);
        }
        let until = crate::fmt_time(expires_at);
        sqlx::query("UPDATE api_tokens SET expires_at = $1 WHERE id = $2")
            .bind(until.clone())
            .bind(id)
            .execute(&mut *self.tx)
            .await?;
        self.audit(
            "token.renew",
            "user",
            get_str(&row, "user_name")?,
            json!({
                "token": get_str(&row, "name")?,
                "token_id": id,
                "previous_expires_at": get_opt_str(&row, "expires_at")?,
                "expires_at": until,
            }),
        )
        .await?;
        Ok(true)
    }

    /// Stores a new token (its digest only) that works until `expires_at`.
    pub async fn create_token(
        &mut self,
        user_name: &str,
        token_name: &str,
        token_hash: &str,
        expires_at: chrono::DateTime<chrono::Utc>,
    ) -> Result<()> {
        let user = sqlx::query("SELECT id FROM users WHERE name = $1")
            .bind(user_name.to_string())
            .fetch_optional(&mut *self.tx)
            .await?
            .ok_or_else(|| StoreError::NotFound(format!("user `{user_name}`")))?;
        let user_id = get_i64(&user, "id")?;
        let until = crate::fmt_time(expires_at);
        sqlx::query("INSERT INTO api_tokens (user_id, name, token_hash, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)")
            .bind(user_id)
            .bind(token_name.to_string())
            .bind(token_hash.to_string())
            .bind(now())
            .bind(until.clone())
            .execute(&mut *self.tx)
            .await?;
        self.audit(
            "token.create",
            "user",
            user_name,
            json!({ "token": token_name, "expires_at": until }),
        )
        .await
    }

    /// Records a report, its item and claim, and the case it opens or joins.
    pub async fn record_report(&mut self, r: &NewReportRecord) -> Result<RecordedReport> {
        let at = now();
        let (case_id, answered_by, score) = match &r.target {
            IntakeTarget::Answered {
                publication_id,
                score,
            } => {
                let row = sqlx::query("SELECT case_id FROM publications WHERE id = $1")
                    .bind(*publication_id)
                    .fetch_optional(&mut *self.tx)
                    .await?
                    .ok_or_else(|| StoreError::NotFound(format!("publication {publication_id}")))?;
                (
                    get_i64(&row, "case_id")?,
                    Some(*publication_id),
                    Some(*score),
                )
            }
            IntakeTarget::JoinCase { case_id } => (*case_id, None, None),
            IntakeTarget::NewCase {
                priority,
                harm_category,
                deadline,
            } => {
                let claim = sqlx::query(
                    "INSERT INTO claims (text, created_at) VALUES ($1, $2) RETURNING id",
                )
                .bind(r.text.clone())
                .bind(at.clone())
                .fetch_one(&mut *self.tx)
                .await?;
                let claim_id = get_i64(&claim, "id")?;
                let case = sqlx::query(
                    "INSERT INTO cases (claim_id, state, priority, harm_category, deadline, created_at, updated_at) \
                     VALUES ($1, 'new', $2, $3, $4, $5, $5) RETURNING id",
                )
                .bind(claim_id)
                .bind(priority.clone())
                .bind(harm_category.clone())
                .bind(deadline.clone())
                .bind(at.clone())
                .fetch_one(&mut *self.tx)
                .await?;
                let case_id = get_i64(&case, "id")?;
                self.audit(
                    "case.open",
                    "case",
                    case_id,
                    json!({ "claim_id": claim_id, "priority": priority }),
                )
                .await?;
                (case_id, None, None)
            }
        };
        let claim_row = sqlx::query("SELECT claim_id FROM cases WHERE id = $1")
            .bind(case_id)
            .fetch_optional(&mut *self.tx)
            .await?
            .ok_or_else(|| StoreError::NotFound(format!("case {case_id}")))?;
        let claim_id = get_i64(&claim_row, "claim_id")?;
        let item = sqlx::query("SELECT id FROM items WHERE content_hash = $1")
            .bind(r.content_hash.clone())
            .fetch_optional(&mut *self.tx)
            .await?;
        let item_id = match item {
            Some(row) => get_i64(&row, "id")?,
            None => {
                let row = sqlx::query(
                    "INSERT INTO items (content_hash, text, claim_id, created_at) VALUES ($1, $2, $3, $4) RETURNING id",
                )
                .bind(r.content_hash.clone())
                .bind(r.text.clone())
                .bind(claim_id)
                .bind(at.clone())
                .fetch_one(&mut *self.tx)
                .await?;
                get_i64(&row, "id")?
            }
        };
        let row = sqlx::query(
            "INSERT INTO reports (receipt, channel, text, urls, item_id, case_id, answered_by, match_score, received_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, CAST($8 AS DOUBLE PRECISION), $9) RETURNING id",
        )
        .bind(r.receipt.clone())
        .bind(r.channel.clone())
        .bind(r.text.clone())
        .bind(to_json_list(&r.urls))
        .bind(item_id)
        .bind(case_id)
        .bind(answered_by)
        // sqlx's Any driver mis-encodes f64 parameters for PostgreSQL ("incorrect binary data
        // format"), so the score travels as text and the database converts it.
        .bind(score.map(|s| s.to_string()))
        .bind(at.clone())
        .fetch_one(&mut *self.tx)
        .await?;
        let report_id = get_i64(&row, "id")?;
        if let Some(contact) = &r.contact {
            sqlx::query(
                "INSERT INTO report_contacts (report_id, contact, purge_after) VALUES ($1, $2, $3)",
            )
            .bind(report_id)
            .bind(contact.clone())
            .bind(r.contact_purge_after.clone())
            .execute(&mut *self.tx)
            .await?;
        }
        if let Some(key) = &r.import_key {
            sqlx::query(
                "INSERT INTO imported_items (key, report_id, imported_at) VALUES ($1, $2, $3)",
            )
            .bind(key.clone())
            .bind(report_id)
            .bind(at.clone())
            .execute(&mut *self.tx)
            .await?;
        }
        self.put_report_files(report_id, &r.files).await?;
        // The audit row never carries the contact: the log is kept forever, contacts are not.
        // Nor the files' hashes: kept for ever, a hash would let anyone holding a photo prove
        // this report carried it long after the photo itself was purged. Only their number.
        let mut data = json!({
            "receipt": r.receipt, "channel": r.channel, "case_id": case_id,
            "answered_by": answered_by, "score": score, "has_contact": r.contact.is_some(),
        });
        if !r.files.is_empty() {
            data["files"] = json!(r.files.len());
        }
        self.audit("report.receive", "report", report_id, data)
            .await?;
        Ok(RecordedReport { report_id, case_id })
    }

    /// Moves a case from `from` to `to` only if nobody moved it meanwhile.
    pub(crate) async fn move_case(&mut self, case_id: i64, from: &str, to: &str) -> Result<()> {
        let done = sqlx::query(
            "UPDATE cases SET state = $1, updated_at = $2 WHERE id = $3 AND state = $4",
        )
        .bind(to.to_string())
        .bind(now())
        .bind(case_id)
        .bind(from.to_string())
        .execute(&mut *self.tx)
        .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::Conflict {
                entity: "case",
                id: case_id,
                expected: from.to_string(),
            });
        }
        Ok(())
    }

    /// Moves the case from state `from` to `to` and records its assignment.
    pub async fn assign_case(
        &mut self,
        case_id: i64,
        (from, to): (&str, &str),
        assignment: &Assignment<'_>,
    ) -> Result<()> {
        let Assignment {
            agency,
            consulted,
            assignee,
            harm_category,
            priority,
            deadline,
        } = *assignment;
        self.move_case(case_id, from, to).await?;
        sqlx::query(
            "UPDATE cases SET agency = $1, consulted = $2, assignee = $3, deadline = $4, \
             harm_category = $5, priority = $6 WHERE id = $7",
        )
        .bind(agency.to_string())
        .bind(to_json_list(consulted))
        .bind(assignee.map(str::to_string))
        .bind(deadline.to_string())
        .bind(harm_category.map(str::to_string))
        .bind(priority.to_string())
        .bind(case_id)
        .execute(&mut *self.tx)
        .await?;
        self.audit(
            "case.assign",
            "case",
            case_id,
            json!({ "from": from, "to": to, "agency": agency, "consulted": consulted, "assignee": assignee,
                    "harm_category": harm_category, "priority": priority, "deadline": deadline }),
        )
        .await
    }

    #[allow(clippy::too_many_arguments)]
    pub async fn record_decision(
        &mut self,
        case_id: i64,
        from: &str,
        to: &str,
        d: &kc_desk::workflow::ValidDecision,
    ) -> Result<i64> {
        self.move_case(case_id, from, to).await?;
        let at = now();
        let version_row =
            sqlx::query("SELECT COALESCE(MAX(version), 0) AS v FROM decisions WHERE case_id = $1")
                .bind(case_id)
                .fetch_one(&mut *self.tx)
                .await?;
        let version = get_i64(&version_row, "v")? + 1;
        // A returned draft keeps its status as the record of the review; only a draft still
        // pending (never reviewed) is superseded by the new one.
        sqlx::query(
            "UPDATE decisions SET status = 'superseded' WHERE case_id = $1 AND status = 'pending'",
        )
        .bind(case_id)
        .execute(&mut *self.tx)
        .await?;
        let row = sqlx::query(
            "INSERT INTO decisions (case_id, version, verdict, summary, reasons, legal_provisions, remedy, status, decided_by, decided_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, 'pending', $8, $9) RETURNING id",
        )
        .bind(case_id)
        .bind(version)
        .bind(d.verdict.as_str())
        .bind(d.summary.clone())
        .bind(d.reasons.clone())
        .bind(to_json_list(&d.legal_provisions))
        .bind(d.remedy.as_str())
        .bind(self.actor().to_string())
        .bind(at.clone())
        .fetch_one(&mut *self.tx)
        .await?;
        let decision_id = get_i64(&row, "id")?;
        for e in &d.evidence {
            sqlx::query(
                "INSERT INTO evidence (case_id, decision_id, url, note, added_by, added_at) VALUES ($1, $2, $3, $4, $5, $6)",
            )
            .bind(case_id)
            .bind(decision_id)
            .bind(e.url.clone())
            .bind(e.note.clone())
            .bind(self.actor().to_string())
            .bind(at.clone())
            .execute(&mut *self.tx)
            .await?;
        }
        self.audit(
            "decision.record",
            "case",
            case_id,
            json!({
                "decision_id": decision_id, "version": version, "verdict": d.verdict.as_str(),
                "remedy": d.remedy.as_str(), "legal_provisions": d.legal_provisions,
                "evidence": d.evidence.len(),
            }),
        )
        .await?;
        Ok(decision_id)
    }

    pub async fn review_decision(
        &mut self,
        case_id: i64,
        from: &str,
        to: &str,
        decision_id: i64,
        approve: bool,
        comment: Option<&str>,
    ) -> Result<()> {
        self.move_case(case_id, from, to).await?;
        sqlx::query(
            "UPDATE decisions SET status = $1, reviewed_by = $2, reviewed_at = $3, review_comment = $4 \
             WHERE id = $5 AND status = 'pending'",
        )
        .bind(if approve { "approved" } else { "returned" })
        .bind(self.actor().to_string())
        .bind(now())
        .bind(comment.map(str::to_string))
        .bind(decision_id)
        .execute(&mut *self.tx)
        .await?;
        self.audit(
            if approve {
                "decision.approve"
            } else {
                "decision.return"
            },
            "case",
            case_id,
            json!({ "decision_id": decision_id, "comment": comment }),
        )
        .await
    }

    pub async fn publish(
        &mut self,
        case_id: i64,
        from: &str,
        to: &str,
        p: &NewPublication,
    ) -> Result<i64> {
        self.move_case(case_id, from, to).await?;
        let row = sqlx::query(
            "INSERT INTO publications (case_id, decision_id, slug, title, body, claim_text, verdict, published_by, published_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id",
        )
        .bind(case_id)
        .bind(p.decision_id)
        .bind(p.slug.clone())
        .bind(p.title.clone())
        .bind(p.body.clone())
        .bind(p.claim_text.clone())
        .bind(p.verdict.clone())
        .bind(self.actor().to_string())
        .bind(now())
        .fetch_one(&mut *self.tx)
        .await?;
        let id = get_i64(&row, "id")?;
        self.audit(
            "publication.publish",
            "case",
            case_id,
            json!({ "publication_id": id, "slug": p.slug, "decision_id": p.decision_id, "verdict": p.verdict }),
        )
        .await?;
        Ok(id)
    }

    /// Restates a published fact-check's claim (to take out what the reporter's own words
    /// said about them). The audit event names the publication, never the old or new text:
    /// the log is append-only and must not keep what was removed.
    pub async fn restate_claim(
        &mut self,
        publication_id: i64,
        claim: &str,
        retitled: Option<(&str, &str)>,
    ) -> Result<bool> {
        let done =
            match retitled {
                None => {
                    sqlx::query("UPDATE publications SET claim_text = $1 WHERE id = $2")
                        .bind(claim.to_string())
                        .bind(publication_id)
                        .execute(&mut *self.tx)
                        .await?
                }
                Some((title, slug)) => sqlx::query(
                    "UPDATE publications SET claim_text = $1, title = $2, slug = $3 WHERE id = $4",
                )
                .bind(claim.to_string())
                .bind(title.to_string())
                .bind(slug.to_string())
                .bind(publication_id)
                .execute(&mut *self.tx)
                .await?,
            };
        if done.rows_affected() == 0 {
            return Ok(false);
        }
        self.audit(
            "publication.restate_claim",
            "publication",
            publication_id,
            json!({ "publication_id": publication_id }),
        )
        .await?;
        Ok(true)
    }

    /// Closes a case for a stated reason; the note goes to the closure row and the audit log.
    pub async fn close_case(
        &mut self,
        case_id: i64,
        from: &str,
        to: &str,
        reason: &str,
        note: &str,
    ) -> Result<()> {
        self.move_case(case_id, from, to).await?;
        sqlx::query(
            "INSERT INTO case_closures (case_id, reason, note, closed_by, closed_at) \
             VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(case_id)
        .bind(reason.to_string())
        .bind(note.to_string())
        .bind(self.actor().to_string())
        .bind(now())
        .execute(&mut *self.tx)
        .await?;
        self.audit(
            "case.close",
            "case",
            case_id,
            json!({ "from": from, "to": to, "reason": reason, "note": note }),
        )
        .await
    }

    /// Records that a reviewer checked publication `id`'s verdict again and found it holds.
    pub async fn record_recheck(
        &mut self,
        case_id: i64,
        publication_id: i64,
        note: &str,
    ) -> Result<()> {
        sqlx::query(
            "INSERT INTO publication_rechecks (publication_id, note, checked_by, checked_at) \
             VALUES ($1, $2, $3, $4)",
        )
        .bind(publication_id)
        .bind(note.to_string())
        .bind(self.actor().to_string())
        .bind(now())
        .execute(&mut *self.tx)
        .await?;
        self.audit(
            "publication.recheck",
            "case",
            case_id,
            json!({ "publication_id": publication_id, "note": note }),
        )
        .await
    }

    /// Ends a case that repeats a published claim by pointing it to that publication.
    pub async fn answer_case(
        &mut self,
        case_id: i64,
        from: &str,
        to: &str,
        publication_id: i64,
        note: Option<&str>,
    ) -> Result<()> {
        self.move_case(case_id, from, to).await?;
        sqlx::query(
            "INSERT INTO case_closures (case_id, publication_id, note, closed_by, closed_at) \
             VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(case_id)
        .bind(publication_id)
        .bind(note.map(str::to_string))
        .bind(self.actor().to_string())
        .bind(now())
        .execute(&mut *self.tx)
        .await?;
        self.audit(
            "case.answer",
            "case",
            case_id,
            json!({ "from": from, "to": to, "publication_id": publication_id, "note": note }),
        )
        .await
    }

    /// Merges the duplicate `case_id` (moved `from` → `to`) into `into`, which must still be
    /// in `into_state` and not merged. The duplicate's reports count on `into` from now on,
    /// and so do those of cases merged into the duplicate before. Returns those cases.
    pub async fn merge_case(
        &mut self,
        case_id: i64,
        (from, to): (&str, &str),
        into: i64,
        into_state: &str,
        note: Option<&str>,
    ) -> Result<Vec<i64>> {
        self.move_case(case_id, from, to).await?;
        // Compare-and-set on the receiving case too: merged or closed meanwhile, it must not
        // take the reports. The no-op write also holds its row until commit.
        let held = sqlx::query(
            "UPDATE cases SET updated_at = updated_at WHERE id = $1 AND state = $2 AND merged_into IS NULL",
        )
        .bind(into)
        .bind(into_state.to_string())
        .execute(&mut *self.tx)
        .await?;
        if held.rows_affected() == 0 {
            return Err(StoreError::Conflict {
                entity: "case",
                id: into,
                expected: into_state.to_string(),
            });
        }
        let earlier: Vec<i64> =
            sqlx::query("SELECT id FROM cases WHERE merged_into = $1 ORDER BY id")
                .bind(case_id)
                .fetch_all(&mut *self.tx)
                .await?
                .iter()
                .map(|r| get_i64(r, "id"))
                .collect::<Result<_>>()?;
        sqlx::query("UPDATE cases SET merged_into = $1 WHERE id = $2 OR merged_into = $2")
            .bind(into)
            .bind(case_id)
            .execute(&mut *self.tx)
            .await?;
        sqlx::query(
            "INSERT INTO case_merges (case_id, into_case, note, merged_by, merged_at) \
             VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(case_id)
        .bind(into)
        .bind(note.map(str::to_string))
        .bind(self.actor().to_string())
        .bind(now())
        .execute(&mut *self.tx)
        .await?;
        self.audit(
            "case.merge",
            "case",
            case_id,
            json!({ "from": from, "to": to, "into": into, "note": note, "also_moved": earlier }),
        )
        .await?;
        Ok(earlier)
    }

    /// Deletes reporter contacts whose retention has passed. Returns how many.
    pub async fn purge_contacts(&mut self, now: &str) -> Result<u64> {
        self.purge_expired_contacts("report_contacts", now).await
    }

    /// Deletes the rows of a contacts table (`report_contacts`, `appeal_contacts`) whose
    /// retention has passed, with one audit event of how many.
    pub(crate) async fn purge_expired_contacts(
        &mut self,
        table: &'static str,
        now: &str,
    ) -> Result<u64> {
        let done = sqlx::query(&format!("DELETE FROM {table} WHERE purge_after <= $1"))
            .bind(now.to_string())
            .execute(&mut *self.tx)
            .await?;
        let n = done.rows_affected();
        self.audit("contacts.purge", table, "*", json!({ "purged": n }))
            .await?;
        Ok(n)
    }
}

pub(crate) fn time_of(s: &str, what: &str) -> Result<chrono::DateTime<chrono::Utc>> {
    chrono::DateTime::parse_from_rfc3339(s)
        .map(|t| t.with_timezone(&chrono::Utc))
        .map_err(|e| StoreError::Corrupt(format!("{what} `{s}`: {e}")))
}

fn vocab<T>(s: &str, parse: fn(&str) -> Option<T>, what: &str) -> Result<T> {
    parse(s).ok_or_else(|| StoreError::Corrupt(format!("unknown {what} `{s}`")))
}

impl Store {
    /// One fact per case and per report, for `kc_desk::stats`: states, agencies, categories,
    /// times and outcomes, never texts or anything about the people who sent them.
    pub async fn stats_facts(
        &self,
    ) -> Result<(
        Vec<kc_desk::stats::CaseFact>,
        Vec<kc_desk::stats::ReportFact>,
    )> {
        use kc_desk::{CaseState, Channel, CloseReason, HarmCategory, Verdict};
        // Every publication, with when it stopped standing: the first overturn on appeal or
        // the first later publication of its case, whichever came first.
        let rows = sqlx::query(
            "SELECT p.case_id, p.verdict, p.published_at, \
             (SELECT MIN(a.decided_at) FROM appeals a WHERE a.publication_id = p.id AND a.status = 'overturned') AS overturned_at, \
             (SELECT MIN(q.published_at) FROM publications q WHERE q.case_id = p.case_id AND q.id > p.id) AS replaced_at \
             FROM publications p ORDER BY p.case_id, p.id",
        )
        .fetch_all(self.pool())
        .await?;
        let mut publications: std::collections::HashMap<i64, Vec<kc_desk::stats::PublicationFact>> =
            std::collections::HashMap::new();
        for row in &rows {
            let when = |column: &str| {
                get_opt_str(row, column)?
                    .map(|at| time_of(&at, column))
                    .transpose()
            };
            let withdrawn_at = match (when("overturned_at")?, when("replaced_at")?) {
                (Some(a), Some(b)) => Some(a.min(b)),
                (a, b) => a.or(b),
            };
            publications
                .entry(get_i64(row, "case_id")?)
                .or_default()
                .push(kc_desk::stats::PublicationFact {
                    verdict: vocab(&get_str(row, "verdict")?, Verdict::parse, "verdict")?,
                    at: time_of(&get_str(row, "published_at")?, "published_at")?,
                    withdrawn_at,
                });
        }
        let sql = "SELECT c.id, c.state, c.agency, c.harm_category, c.created_at, c.deadline, \
             (SELECT MAX(d.reviewed_at) FROM decisions d WHERE d.case_id = c.id AND d.status = 'approved') AS approved_at, \
             (SELECT MAX(a.decided_at) FROM appeals a JOIN publications p ON p.id = a.publication_id \
               WHERE p.case_id = c.id AND a.status = 'overturned') AS overturned_at, \
             cc.reason, cc.closed_at \
             FROM cases c LEFT JOIN case_closures cc ON cc.case_id = c.id";
        let rows = sqlx::query(sql).fetch_all(self.pool()).await?;
        let mut cases = Vec::with_capacity(rows.len());
        for row in &rows {
            let when = |column: &str| {
                get_opt_str(row, column)?
                    .map(|at| time_of(&at, column))
                    .transpose()
            };
            let closed = match get_opt_str(row, "closed_at")? {
                Some(at) => Some((
                    get_opt_str(row, "reason")?
                        .map(|r| vocab(&r, CloseReason::parse, "close reason"))
                        .transpose()?,
                    time_of(&at, "closed_at")?,
                )),
                None => None,
            };
            cases.push(kc_desk::stats::CaseFact {
                state: vocab(&get_str(row, "state")?, CaseState::parse, "case state")?,
                agency: get_opt_str(row, "agency")?,
                harm_category: get_opt_str(row, "harm_category")?
                    .map(|h| vocab(&h, HarmCategory::parse, "harm category"))
                    .transpose()?,
                opened_at: time_of(&get_str(row, "created_at")?, "created_at")?,
                deadline: get_opt_str(row, "deadline")?
                    .map(|d| time_of(&d, "deadline"))
                    .transpose()?,
                publications: publications
                    .remove(&get_i64(row, "id")?)
                    .unwrap_or_default(),
                // An overturn after the latest approval sent the case back to wait for a
                // new decision.
                decided_at: match (when("approved_at")?, when("overturned_at")?) {
                    (Some(a), Some(o)) if o > a => None,
                    (a, _) => a,
                },
                closed,
            });
        }
        let rows = sqlx::query("SELECT channel, received_at, answered_by FROM reports")
            .fetch_all(self.pool())
            .await?;
        let mut reports = Vec::with_capacity(rows.len());
        for row in &rows {
            reports.push(kc_desk::stats::ReportFact {
                channel: vocab(&get_str(row, "channel")?, Channel::parse, "channel")?,
                received_at: time_of(&get_str(row, "received_at")?, "received_at")?,
                answered_at_once: row.try_get::<Option<i64>, _>("answered_by")?.is_some(),
            });
        }
        Ok((cases, reports))
    }
}

/// An awareness event as stored.
#[derive(Debug, Clone, Serialize)]
pub struct OutreachRecord {
    pub id: i64,
    pub agency: String,
    pub kind: String,
    pub audience: String,
    pub held_on: String,
    pub topic: String,
    pub attendees: i64,
    pub materials_url: Option<String>,
    pub recorded_at: String,
}

impl Store {
    /// Awareness events, the latest held first.
    pub async fn list_outreach(&self, limit: i64) -> Result<Vec<OutreachRecord>> {
        let rows = sqlx::query(
            "SELECT id, agency, kind, audience, held_on, topic, attendees, materials_url, recorded_at \
             FROM outreach ORDER BY held_on DESC, id DESC LIMIT $1",
        )
        .bind(limit)
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|r| {
                Ok(OutreachRecord {
                    id: get_i64(r, "id")?,
                    agency: get_str(r, "agency")?,
                    kind: get_str(r, "kind")?,
                    audience: get_str(r, "audience")?,
                    held_on: get_str(r, "held_on")?,
                    topic: get_str(r, "topic")?,
                    attendees: get_i64(r, "attendees")?,
                    materials_url: get_opt_str(r, "materials_url")?,
                    recorded_at: get_str(r, "recorded_at")?,
                })
            })
            .collect()
    }

    /// One fact per notice to a platform, with its recorded steps, for `kc_desk::stats`.
    pub async fn notice_facts(&self) -> Result<Vec<kc_desk::stats::NoticeFact>> {
        let notices = sqlx::query("SELECT id, agency, prepared_at FROM notices ORDER BY id")
            .fetch_all(self.pool())
            .await?;
        let steps = sqlx::query("SELECT notice_id, step, happened_on FROM notice_events")
            .fetch_all(self.pool())
            .await?;
        let mut by_notice: std::collections::HashMap<
            i64,
            Vec<(kc_desk::notice::NoticeStep, chrono::NaiveDate)>,
        > = std::collections::HashMap::new();
        for r in &steps {
            let day = get_str(r, "happened_on")?;
            by_notice
                .entry(get_i64(r, "notice_id")?)
                .or_default()
                .push((
                    vocab(
                        &get_str(r, "step")?,
                        kc_desk::notice::NoticeStep::parse,
                        "notice step",
                    )?,
                    chrono::NaiveDate::parse_from_str(day.get(..10).unwrap_or(&day), "%Y-%m-%d")
                        .map_err(|e| StoreError::Corrupt(format!("happened_on `{day}`: {e}")))?,
                ));
        }
        notices
            .iter()
            .map(|r| {
                Ok(kc_desk::stats::NoticeFact {
                    agency: get_str(r, "agency")?,
                    prepared_at: time_of(&get_str(r, "prepared_at")?, "prepared_at")?,
                    steps: by_notice.remove(&get_i64(r, "id")?).unwrap_or_default(),
                })
            })
            .collect()
    }

    /// When each awareness article was first published, for `kc_desk::stats`.
    pub async fn article_facts(&self) -> Result<Vec<chrono::DateTime<chrono::Utc>>> {
        let rows = sqlx::query("SELECT published_at FROM articles")
            .fetch_all(self.pool())
            .await?;
        rows.iter()
            .map(|r| time_of(&get_str(r, "published_at")?, "published_at"))
            .collect()
    }

    /// One fact per awareness event, for `kc_desk::stats`.
    pub async fn outreach_facts(&self) -> Result<Vec<kc_desk::stats::OutreachFact>> {
        let rows = sqlx::query("SELECT agency, kind, held_on, attendees FROM outreach")
            .fetch_all(self.pool())
            .await?;
        rows.iter()
            .map(|r| {
                let day = get_str(r, "held_on")?;
                Ok(kc_desk::stats::OutreachFact {
                    agency: get_str(r, "agency")?,
                    kind: vocab(
                        &get_str(r, "kind")?,
                        kc_desk::outreach::OutreachKind::parse,
                        "outreach kind",
                    )?,
                    held_on: chrono::NaiveDate::parse_from_str(&day, "%Y-%m-%d")
                        .map_err(|e| StoreError::Corrupt(format!("held_on `{day}`: {e}")))?,
                    attendees: u32::try_from(get_i64(r, "attendees")?)
                        .map_err(|e| StoreError::Corrupt(format!("attendees: {e}")))?,
                })
            })
            .collect()
    }
}
