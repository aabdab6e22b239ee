//! Persistence for the desk on SQLite (embedded default) or PostgreSQL, through one set of
//! migrations and one set of queries.
//!
//! The store holds no business rules: callers decide with `kc_desk` and the store records
//! the outcome. Every write goes through [`WriteTx`], which appends the audit event in the
//! same transaction, so no state change exists without its audit row.
//!
//! Beside the database, [`VectorCache`] keeps the semantic model's vectors of
//! texts in a file, so they are computed once.

mod appeals;
mod articles;
mod audit_log;
mod changes;
mod duties;
mod files;
mod inspect;
mod migrate;
mod notices;
pub mod private;
mod queries;
mod tx;
pub mod vectors;

pub use appeals::*;
pub use articles::*;
pub use audit_log::{AuditPage, AuditQuery, Escalation, FilePlace, FileUse};
pub use changes::{Change, ChangeFeed};
pub use files::*;
pub use inspect::{check_sqlite_file, schema_version, sqlite_in_use};
pub use notices::*;
pub use queries::*;
pub use tx::WriteTx;
pub use vectors::{VectorCache, VectorCacheError};

use sqlx::any::{AnyPoolOptions, AnyRow};
use sqlx::{AnyPool, Executor, Row};
use std::path::Path;
use std::str::FromStr;
use std::time::Duration;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("database error: {0}")]
    Db(#[from] sqlx::Error),
    #[error("migration {version} ({name}) failed: {source}")]
    Migration {
        version: i64,
        name: &'static str,
        source: sqlx::Error,
    },
    #[error("unsupported database URL `{0}`: use sqlite://PATH or postgres://…")]
    UnsupportedUrl(String),
    #[error("{entity} {id} was changed by someone else meanwhile (expected state `{expected}`)")]
    Conflict {
        entity: &'static str,
        id: i64,
        expected: String,
    },
    #[error("{0} not found")]
    NotFound(String),
    #[error("stored data is corrupt: {0}")]
    Corrupt(String),
    #[error("{path}: {source}")]
    File {
        path: String,
        source: std::io::Error,
    },
}

impl StoreError {
    /// Whether the database refused the change because another one ran at the same moment
    /// (a PostgreSQL deadlock or serialization failure, SQLite busy): the same request a
    /// moment later can succeed, and nothing was written.
    pub fn is_contention(&self) -> bool {
        let StoreError::Db(sqlx::Error::Database(db)) = self else {
            return false;
        };
        matches!(
            db.code().as_deref(),
            Some("40P01" | "40001" | "5" | "6" | "517" | "262")
        )
    }
}

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    pub fn name(self) -> &'static str {
        match self {
            Backend::Sqlite => "SQLite",
            Backend::Postgres => "PostgreSQL",
        }
    }
}

#[derive(Clone, Debug)]
pub struct Store {
    pool: AnyPool,
    backend: Backend,
    /// Kept to open the change feed's own connection (PostgreSQL).
    url: ConnectUrl,
    /// Names this process's writes in their change notifications, so that its own feed
    /// skips them.
    instance: String,
}

/// A name for one opened store, unique among the programs on a database: the process, the
/// moment it opened it, and how many it opened before (tests open several in one process).
fn instance_name() -> String {
    static OPENED: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    let n = OPENED.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    format!("{}-{nanos}-{n}", std::process::id())
}

/// A database URL, which may hold a password: never printed whole.
#[derive(Clone)]
struct ConnectUrl(String);

impl ConnectUrl {
    fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for ConnectUrl {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&redact(&self.0))
    }
}

/// The SQLite file kiemchung keeps in a data directory.
pub fn sqlite_url_for_dir(dir: &Path) -> String {
    format!("sqlite://{}?mode=rwc", dir.join("kiemchung.db").display())
}

impl Store {
    /// Connects and brings the schema up to date.
    pub async fn open(url: &str) -> Result<Store> {
        let store = Store::connect(url, None).await?;
        migrate::run(&store).await?;
        store.zero_free_space_once().await?;
        Ok(store)
    }

    /// On SQLite, rebuilds the file once (`VACUUM`) the first time this version opens it.
    /// Versions before `secure_delete` left the bytes of purged contacts in free space,
    /// where a copy of the file would still carry them; asking operators to run a command
    /// once leaves most databases as they were. A busy database (another program has it
    /// open) is left for the next start.
    async fn zero_free_space_once(&self) -> Result<()> {
        const KEY: &str = "free_space_zeroed";
        if self.backend != Backend::Sqlite {
            return Ok(());
        }
        let done = sqlx::query("SELECT value FROM meta WHERE key = $1")
            .bind(KEY)
            .fetch_optional(&self.pool)
            .await?;
        if done.is_some() {
            return Ok(());
        }
        if let Err(e) = sqlx::query("VACUUM").execute(&self.pool).await {
            tracing::warn!(error = %e, "could not rebuild the SQLite file once to zero the free space older versions left (will try at the next start)");
            return Ok(());
        }
        // The rebuilt pages go from the WAL into the file, the old ones out of it.
        self.flush_deleted().await?;
        sqlx::query("INSERT INTO meta (key, value) VALUES ($1, $2)")
            .bind(KEY)
            .bind(chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true))
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// Connects to a database as it is, without migrating it: for looking at a backup, or
    /// at a restore's target, before anything is changed. Commands that use the desk open
    /// it with [`Store::open`]. It uses one connection, so that other sessions on the
    /// database ([`Store::other_sessions`]) are other programs'.
    pub async fn open_unmigrated(url: &str) -> Result<Store> {
        Store::connect(url, Some(1)).await
    }

    async fn connect(url: &str, max_connections: Option<u32>) -> Result<Store> {
        sqlx::any::install_default_drivers();
        let backend = if url.starts_with("sqlite:") {
            Backend::Sqlite
        } else if url.starts_with("postgres:") || url.starts_with("postgresql:") {
            Backend::Postgres
        } else {
            return Err(StoreError::UnsupportedUrl(redact(url)));
        };
        let mut opts = AnyPoolOptions::new().acquire_timeout(Duration::from_secs(30));
        opts = match backend {
            // WAL lets readers proceed beside the one writer; the busy timeout makes a
            // second writer wait instead of failing. secure_delete zeroes what a DELETE
            // removes (a purged contact) instead of leaving its bytes in the file's free
            // space; it is a per-connection setting, hence here for every pooled one.
            Backend::Sqlite => opts.max_connections(8).after_connect(|conn, _meta| {
                Box::pin(async move {
                    conn.execute("PRAGMA secure_delete = ON").await?;
                    conn.execute("PRAGMA journal_mode = WAL").await?;
                    conn.execute("PRAGMA busy_timeout = 10000").await?;
                    conn.execute("PRAGMA foreign_keys = ON").await?;
                    conn.execute("PRAGMA synchronous = NORMAL").await?;
                    Ok(())
                })
            }),
            Backend::Postgres => opts.max_connections(16),
        };
        if let Some(n) = max_connections {
            opts = opts.max_connections(n);
        }
        // Validate the URL shape before connecting so the error names the URL, not a socket.
        sqlx::any::AnyConnectOptions::from_str(url)
            .map_err(|_| StoreError::UnsupportedUrl(redact(url)))?;
        if backend == Backend::Sqlite {
            private::precreate_sqlite_file(url).map_err(|source| StoreError::File {
                path: redact(url),
                source,
            })?;
        }
        let pool = opts.connect(url).await?;
        Ok(Store {
            pool,
            backend,
            url: ConnectUrl(url.to_string()),
            instance: instance_name(),
        })
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    pub fn pool(&self) -> &AnyPool {
        &self.pool
    }

    /// Starts a write: takes the audit-chain lock first, which also serialises writers on
    /// SQLite instead of letting two deferred transactions deadlock on upgrade.
    pub async fn begin_write(&self, actor: &str) -> Result<WriteTx> {
        WriteTx::begin(self, actor).await
    }

    /// Closes the pool. On SQLite the WAL is first copied into the database file and
    /// emptied: the driver closes its connections in the background, so the last one's own
    /// checkpoint may come after the program has ended, or never.
    pub async fn close(&self) {
        if self.backend == Backend::Sqlite {
            if let Err(e) = self.flush_deleted().await {
                tracing::warn!(error = %e, "could not checkpoint the SQLite WAL before closing");
            }
        }
        self.pool.close().await;
    }

    /// After a purge: on SQLite, copies the WAL into the database file and empties the WAL,
    /// so the pages that held deleted rows (zeroed by secure_delete in the file) no longer
    /// sit in older WAL frames until the file is next overwritten. Waits for readers of
    /// older snapshots (at most the busy timeout); returns whether the WAL was emptied.
    /// PostgreSQL has no such file to flush (deleted tuples go at VACUUM, see the README).
    pub async fn flush_deleted(&self) -> Result<bool> {
        if self.backend != Backend::Sqlite {
            return Ok(true);
        }
        let row = sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)")
            .fetch_one(&self.pool)
            .await?;
        // (busy, frames in the WAL, frames checkpointed); busy = 1 when readers held it back.
        Ok(row.try_get::<i64, _>(0)? == 0)
    }
}

/// Hides a password in a URL before it reaches a log or an error message.
pub fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(s), Some(at)) if at > s => {
            let creds = &url[s + 3..at];
            match creds.find(':') {
                Some(c) => format!("{}{}:***{}", &url[..s + 3], &creds[..c], &url[at..]),
                None => url.to_string(),
            }
        }
        _ => url.to_string(),
    }
}

pub(crate) fn get_str(row: &AnyRow, col: &str) -> Result<String> {
    Ok(row.try_get::<String, _>(col)?)
}

pub(crate) fn get_opt_str(row: &AnyRow, col: &str) -> Result<Option<String>> {
    Ok(row.try_get::<Option<String>, _>(col)?)
}

pub(crate) fn get_i64(row: &AnyRow, col: &str) -> Result<i64> {
    Ok(row.try_get::<i64, _>(col)?)
}

pub(crate) fn now() -> String {
    fmt_time(chrono::Utc::now())
}

pub fn fmt_time(t: chrono::DateTime<chrono::Utc>) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

impl Store {
    /// Writes a consistent copy of an SQLite database to `path` while the desk keeps
    /// running (`VACUUM INTO`: one read transaction, so the copy is of one moment). The
    /// file must not exist yet; it is created owner-only (0600), since it holds contacts
    /// and password hashes. PostgreSQL is backed up with its own `pg_dump` instead.
    pub async fn backup_sqlite_to(&self, path: &Path) -> Result<()> {
        if self.backend != Backend::Sqlite {
            return Err(StoreError::UnsupportedUrl(
                "backup_sqlite_to needs an SQLite database".into(),
            ));
        }
        // VACUUM INTO fills an empty file as it would a new one, keeping its permissions.
        private::create_private_file(path).map_err(|source| StoreError::File {
            path: path.display().to_string(),
            source,
        })?;
        let copied = sqlx::query("VACUUM INTO $1")
            .bind(path.display().to_string())
            .execute(&self.pool)
            .await;
        if let Err(e) = copied {
            let _ = std::fs::remove_file(path);
            return Err(e.into());
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redacts_passwords() {
        assert_eq!(
            redact("postgres://kc:secret@db:5432/kc"),
            "postgres://kc:***@db:5432/kc"
        );
        assert_eq!(redact("postgres://kc@db/kc"), "postgres://kc@db/kc");
        assert_eq!(redact("sqlite://x.db"), "sqlite://x.db");
    }

    #[test]
    fn a_store_never_prints_its_password() {
        let url = ConnectUrl("postgres://kc:secret@db:5432/kc".to_string());
        assert_eq!(format!("{url:?}"), "postgres://kc:***@db:5432/kc");
    }
}
