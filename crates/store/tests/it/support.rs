use std::sync::atomic::{AtomicUsize, Ordering};

pub fn backends() -> Vec<&'static str> {
    let mut b = vec!["sqlite"];
    match std::env::var("KC_TEST_DATABASE_URL") {
        Ok(url) if !url.is_empty() => b.push("postgres"),
        _ if std::env::var("CI").is_ok() => {
            panic!("CI must test PostgreSQL too: set KC_TEST_DATABASE_URL (scripts/test does)")
        }
        _ => eprintln!("note: KC_TEST_DATABASE_URL unset, testing SQLite only"),
    }
    b
}

static COUNTER: AtomicUsize = AtomicUsize::new(0);

pub async fn fresh(kind: &str) -> (kc_store::Store, String, tempfile::TempDir) {
    let dir = tempfile::tempdir().expect("temp dir");
    let url = match kind {
        "sqlite" => kc_store::sqlite_url_for_dir(dir.path()),
        _ => {
            let admin = std::env::var("KC_TEST_DATABASE_URL").expect("KC_TEST_DATABASE_URL");
            sqlx::any::install_default_drivers();
            let name = format!(
                "kc_store_{}_{}",
                std::process::id(),
                COUNTER.fetch_add(1, Ordering::SeqCst)
            );
            let pool = sqlx::AnyPool::connect(&admin).await.expect("connect");
            sqlx::raw_sql(&format!("DROP DATABASE IF EXISTS {name}"))
                .execute(&pool)
                .await
                .expect("drop");
            sqlx::raw_sql(&format!("CREATE DATABASE {name}"))
                .execute(&pool)
                .await
                .expect("create");
            pool.close().await;
            let (base, _) = admin.rsplit_once('/').expect("path");
            format!("{base}/{name}")
        }
    };
    let store = kc_store::Store::open(&url).await.expect("open");
    (store, url, dir)
}
