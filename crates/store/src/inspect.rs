//! Looking at a database before a restore changes anything: which schema version it is
//! at, whether it is intact, whether it is empty, whether a running desk has it open.

use crate::{Backend, Result, Store, StoreError};
use sqlx::sqlite::{SqliteConnectOptions, SqliteLockingMode};
use sqlx::{ConnectOptions, Connection, Row};
use std::path::Path;
use std::time::Duration;

/// The newest schema version this build of kiemchung knows: a database at a higher version
/// was written by a newer kiemchung, whose schema this one cannot be trusted to read.
pub fn schema_version() -> i64 {
    crate::migrate::latest()
}

/// Whether another program has the SQLite database at `path` open, as a running
/// `kiemchung serve` always does: every connection to a WAL database holds a shared lock on
/// the file, so an exclusive one cannot be had while any is open. When it can be had,
/// closing the probe also checkpoints a WAL left by a crash back into the file, so the file
/// alone is the whole database afterwards.
pub async fn sqlite_in_use(path: &Path) -> Result<bool> {
    let opts = SqliteConnectOptions::new()
        .filename(path)
        .create_if_missing(false)
        .locking_mode(SqliteLockingMode::Exclusive)
        .busy_timeout(Duration::ZERO)
        .disable_statement_logging();
    let mut conn = match opts.connect().await {
        Ok(c) => c,
        Err(e) if is_busy(&e) => return Ok(true),
        Err(e) => return Err(e.into()),
    };
    // The lock is taken at the first read.
    let probe = sqlx::query("SELECT count(*) FROM sqlite_master")
        .fetch_one(&mut conn)
        .await;
    let in_use = match probe {
        Ok(_) => false,
        Err(e) if is_busy(&e) => true,
        Err(e) => return Err(e.into()),
    };
    conn.close().await?;
    Ok(in_use)
}

/// SQLite's own consistency check of every page of the file at `path`, on one connection
/// of its own (a pool would keep retrying a file it cannot open): a truncated or damaged
/// file is [`StoreError::Corrupt`] with SQLite's words for what is wrong.
pub async fn check_sqlite_file(path: &Path) -> Result<()> {
    let opts = SqliteConnectOptions::new()
        .filename(path)
        .create_if_missing(false)
        .disable_statement_logging();
    let corrupt = |e: sqlx::Error| match &e {
        // SQLITE_CORRUPT and SQLITE_NOTADB, with any extended code.
        sqlx::Error::Database(d)
            if d.code()
                .and_then(|c| c.parse::<i64>().ok())
                .is_some_and(|c| matches!(c & 0xff, 11 | 26)) =>
        {
            StoreError::Corrupt(d.message().to_string())
        }
        _ => StoreError::Db(e),
    };
    let mut conn = opts.connect().await.map_err(corrupt)?;
    let rows = sqlx::query("PRAGMA quick_check")
        .fetch_all(&mut conn)
        .await
        .map_err(corrupt)?;
    conn.close().await?;
    let problems: Vec<String> = rows
        .iter()
        .filter_map(|r| r.try_get::<String, _>(0).ok())
        .filter(|m| m != "ok")
        .take(3)
        .collect();
    if problems.is_empty() {
        Ok(())
    } else {
        Err(StoreError::Corrupt(problems.join("; ")))
    }
}

fn is_busy(e: &sqlx::Error) -> bool {
    // SQLITE_BUSY and SQLITE_LOCKED, with any extended code.
    match e {
        sqlx::Error::Database(d) => d
            .code()
            .and_then(|c| c.parse::<i64>().ok())
            .is_some_and(|c| matches!(c & 0xff, 5 | 6)),
        _ => false,
    }
}

impl Store {
    /// The highest migration applied, or `None` when the database has no kiemchung schema.
    pub async fn applied_schema_version(&self) -> Result<Option<i64>> {
        if !self.has_table("schema_migrations").await? {
            return Ok(None);
        }
        let row = sqlx::query("SELECT MAX(version) AS v FROM schema_migrations")
            .fetch_one(self.pool())
            .await?;
        Ok(row.try_get::<Option<i64>, _>("v")?)
    }

    /// How many tables, views and sequences of anyone's the database holds: a restore
    /// must not mix a backup into a database already in use for something.
    pub async fn object_count(&self) -> Result<i64> {
        let sql = match self.backend() {
            Backend::Sqlite => {
                "SELECT count(*) AS n FROM sqlite_master WHERE name NOT LIKE 'sqlite_%'"
            }
            Backend::Postgres => {
                "SELECT count(*) AS n FROM pg_catalog.pg_class c \
                 JOIN pg_catalog.pg_namespace s ON s.oid = c.relnamespace \
                 WHERE c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f') \
                 AND s.nspname NOT IN ('pg_catalog', 'information_schema') \
                 AND s.nspname NOT LIKE 'pg_toast%' AND s.nspname NOT LIKE 'pg_temp%'"
            }
        };
        let row = sqlx::query(sql).fetch_one(self.pool()).await?;
        Ok(row.try_get::<i64, _>("n")?)
    }

    /// PostgreSQL client sessions on this database other than this store's own, such as a
    /// running `kiemchung serve`. Always 0 on SQLite (see [`sqlite_in_use`]).
    pub async fn other_sessions(&self) -> Result<i64> {
        if self.backend() != Backend::Postgres {
            return Ok(0);
        }
        let row = sqlx::query(
            "SELECT count(*) AS n FROM pg_catalog.pg_stat_activity \
             WHERE datname = current_database() AND backend_type = 'client backend' \
             AND pid <> pg_backend_pid()",
        )
        .fetch_one(self.pool())
        .await?;
        Ok(row.try_get::<i64, _>("n")?)
    }

    async fn has_table(&self, name: &str) -> Result<bool> {
        let sql = match self.backend() {
            Backend::Sqlite => {
                "SELECT count(*) AS n FROM sqlite_master WHERE type = 'table' AND name = $1"
            }
            Backend::Postgres => {
                "SELECT count(*) AS n FROM pg_catalog.pg_tables \
                 WHERE tablename = $1 AND schemaname = current_schema()"
            }
        };
        let row = sqlx::query(sql)
            .bind(name.to_string())
            .fetch_one(self.pool())
            .await?;
        Ok(row.try_get::<i64, _>("n")? > 0)
    }
}
