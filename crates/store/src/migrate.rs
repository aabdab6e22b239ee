//! A small migration runner. sqlx's own migrator cannot share one file between SQLite and
//! PostgreSQL when they spell auto-increment keys differently, so each migration is one
//! portable file (with `@ID@` and `@BLOB@`) plus an optional per-backend file for triggers.

use crate::{Backend, Result, Store, StoreError};
use sqlx::Row;

struct Migration {
    version: i64,
    name: &'static str,
    common: &'static str,
    sqlite: &'static str,
    postgres: &'static str,
}

const MIGRATIONS: &[Migration] = &[
    Migration {
        version: 1,
        name: "init",
        common: include_str!("../migrations/0001_init.sql"),
        sqlite: include_str!("../migrations/0001_init.sqlite.sql"),
        postgres: include_str!("../migrations/0001_init.postgres.sql"),
    },
    Migration {
        version: 2,
        name: "case_closures",
        common: include_str!("../migrations/0002_case_closures.sql"),
        sqlite: include_str!("../migrations/0002_case_closures.sqlite.sql"),
        postgres: include_str!("../migrations/0002_case_closures.postgres.sql"),
    },
    Migration {
        version: 3,
        name: "imports",
        common: include_str!("../migrations/0003_imports.sql"),
        sqlite: "",
        postgres: "",
    },
    Migration {
        version: 4,
        name: "appeals",
        common: include_str!("../migrations/0004_appeals.sql"),
        sqlite: "",
        postgres: "",
    },
    Migration {
        version: 5,
        name: "notices",
        common: include_str!("../migrations/0005_notices.sql"),
        sqlite: include_str!("../migrations/0005_notices.sqlite.sql"),
        postgres: include_str!("../migrations/0005_notices.postgres.sql"),
    },
    Migration {
        version: 6,
        name: "outreach",
        common: include_str!("../migrations/0006_outreach.sql"),
        sqlite: "",
        postgres: "",
    },
    Migration {
        version: 7,
        name: "articles",
        common: include_str!("../migrations/0007_articles.sql"),
        sqlite: "",
        postgres: "",
    },
    Migration {
        version: 8,
        name: "token_expiry",
        common: include_str!("../migrations/0008_token_expiry.sql"),
        sqlite: include_str!("../migrations/0008_token_expiry.sqlite.sql"),
        postgres: include_str!("../migrations/0008_token_expiry.postgres.sql"),
    },
    Migration {
        version: 9,
        name: "case_merges",
        common: include_str!("../migrations/0009_case_merges.sql"),
        sqlite: include_str!("../migrations/0009_case_merges.sqlite.sql"),
        postgres: include_str!("../migrations/0009_case_merges.postgres.sql"),
    },
    Migration {
        version: 10,
        name: "files",
        common: include_str!("../migrations/0010_files.sql"),
        sqlite: include_str!("../migrations/0010_files.sqlite.sql"),
        postgres: include_str!("../migrations/0010_files.postgres.sql"),
    },
    Migration {
        version: 11,
        name: "indexes",
        common: include_str!("../migrations/0011_indexes.sql"),
        sqlite: "",
        postgres: "",
    },
    Migration {
        version: 12,
        name: "opinions",
        common: include_str!("../migrations/0012_opinions.sql"),
        sqlite: include_str!("../migrations/0012_opinions.sqlite.sql"),
        postgres: include_str!("../migrations/0012_opinions.postgres.sql"),
    },
    Migration {
        version: 13,
        name: "duty_progress",
        common: include_str!("../migrations/0013_duty_progress.sql"),
        sqlite: include_str!("../migrations/0013_duty_progress.sqlite.sql"),
        postgres: include_str!("../migrations/0013_duty_progress.postgres.sql"),
    },
    Migration {
        version: 14,
        name: "publication_rechecks",
        common: include_str!("../migrations/0014_publication_rechecks.sql"),
        sqlite: include_str!("../migrations/0014_publication_rechecks.sqlite.sql"),
        postgres: include_str!("../migrations/0014_publication_rechecks.postgres.sql"),
    },
];

/// The newest schema version this build knows.
pub(crate) fn latest() -> i64 {
    MIGRATIONS.last().map_or(0, |m| m.version)
}

pub(crate) async fn run(store: &Store) -> Result<()> {
    let pool = store.pool();
    sqlx::raw_sql(
        "CREATE TABLE IF NOT EXISTS schema_migrations (version BIGINT PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)",
    )
    .execute(pool)
    .await?;
    let applied: Vec<(i64, String)> =
        sqlx::query("SELECT version, name FROM schema_migrations ORDER BY version")
            .fetch_all(pool)
            .await?
            .iter()
            .map(|r| {
                Ok((
                    r.try_get::<i64, _>("version")?,
                    r.try_get::<String, _>("name")?,
                ))
            })
            .collect::<Result<_, sqlx::Error>>()?;
    // A version applied under another name comes from a different build (a branch whose
    // migrations were numbered otherwise): applying the rest by number would skip one.
    for (version, name) in &applied {
        if let Some(m) = MIGRATIONS.iter().find(|m| m.version == *version) {
            if m.name != name {
                return Err(StoreError::Corrupt(format!(
                    "migration {version} in this database is `{name}`, in this build `{}`: \
                     the database was made by another build of kiemchung",
                    m.name
                )));
            }
        }
    }
    let applied: Vec<i64> = applied.into_iter().map(|(v, _)| v).collect();
    for m in MIGRATIONS {
        if applied.contains(&m.version) {
            continue;
        }
        let id = match store.backend() {
            Backend::Sqlite => "INTEGER PRIMARY KEY",
            Backend::Postgres => "BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY",
        };
        // Bytes: SQLite's BLOB is PostgreSQL's BYTEA.
        let blob = match store.backend() {
            Backend::Sqlite => "BLOB",
            Backend::Postgres => "BYTEA",
        };
        let specific = match store.backend() {
            Backend::Sqlite => m.sqlite,
            Backend::Postgres => m.postgres,
        };
        let common = m.common.replace("@ID@", id).replace("@BLOB@", blob);
        let sql = format!("{common}\n{specific}");
        let wrap = |source| StoreError::Migration {
            version: m.version,
            name: m.name,
            source,
        };
        let mut tx = pool.begin().await?;
        sqlx::raw_sql(&sql).execute(&mut *tx).await.map_err(wrap)?;
        sqlx::query(
            "INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)",
        )
        .bind(m.version)
        .bind(m.name)
        .bind(crate::now())
        .execute(&mut *tx)
        .await
        .map_err(wrap)?;
        tx.commit().await?;
        tracing::info!(version = m.version, name = m.name, "applied migration");
    }
    Ok(())
}
