//! `kiemchung backup` then `kiemchung restore`, as an operator recovers a desk: the data
//! comes back with an unbroken audit chain, nothing is overwritten without --force, and a
//! damaged file is refused before anything is touched.

use super::{kiemchung, run_with_stdin, serve, text};
use std::path::Path;
use std::process::Output;

fn run(args: &[&str]) -> Output {
    kiemchung().args(args).output().expect("run kiemchung")
}

/// Where the desk is: `--data-dir DIR` or `--database-url URL`.
type Place<'a> = [&'a str; 2];

/// A desk with an account and two reports taken in from a file.
fn fill(place: Place, dir: &Path) {
    let mut args = vec!["user", "add", "admin", "--role", "admin"];
    args.extend(place);
    let out = run_with_stdin(&args, "a-long-password\n");
    assert!(out.status.success(), "{:?}", text(&out));
    let feed = dir.join("nguon.jsonl");
    std::fs::write(
        &feed,
        "{\"text\": \"Điện lực hoàn tiền điện tháng 11 cho mọi hộ dân\"}\n\
         {\"text\": \"Uống nước chanh nóng chữa khỏi ung thư\"}\n",
    )
    .expect("write feed");
    let mut args = vec!["import", feed.to_str().expect("utf-8 path")];
    args.extend(place);
    let out = run(&args);
    assert!(out.status.success(), "{:?}", text(&out));
}

fn reports_in(url: &str) -> i64 {
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    rt.block_on(async {
        sqlx::any::install_default_drivers();
        let pool = sqlx::AnyPool::connect(url).await.expect("open db");
        let n: i64 = sqlx::query_scalar("SELECT count(*) FROM reports")
            .fetch_one(&pool)
            .await
            .expect("count reports");
        pool.close().await;
        n
    })
}

fn users_in(place: Place) -> String {
    let mut args = vec!["user", "list"];
    args.extend(place);
    let out = run(&args);
    assert!(out.status.success(), "{:?}", text(&out));
    text(&out).0
}

fn audit_verifies(place: Place) {
    let mut args = vec!["audit", "verify"];
    args.extend(place);
    let out = run(&args);
    assert!(
        out.status.success() && text(&out).0.contains("audit chain intact"),
        "{:?}",
        text(&out)
    );
}

#[test]
fn an_sqlite_backup_restores_into_a_new_data_dir_and_replaces_only_with_force() {
    let dir = tempfile::tempdir().expect("tempdir");
    let old = dir.path().join("cu");
    let old = old.to_str().expect("utf-8 path");
    fill(["--data-dir", old], dir.path());
    let file = dir.path().join("sao-luu.db");
    let file = file.to_str().expect("utf-8 path");
    let out = run(&["backup", "--out", file, "--data-dir", old]);
    assert!(out.status.success(), "{:?}", text(&out));
    assert!(
        text(&out).0.contains("kiemchung restore --from"),
        "backup says how to restore: {:?}",
        text(&out)
    );

    let new = dir.path().join("moi");
    let new_s = new.to_str().expect("utf-8 path");
    let out = run(&["restore", "--from", file, "--data-dir", new_s]);
    let (stdout, stderr) = text(&out);
    assert!(out.status.success(), "{stdout}{stderr}");
    assert!(stdout.contains("audit chain intact"), "{stdout}");
    assert!(users_in(["--data-dir", new_s]).contains("admin"));
    audit_verifies(["--data-dir", new_s]);
    let db = new.join("kiemchung.db");
    let db_url = format!("sqlite://{}", db.display());
    assert_eq!(reports_in(&db_url), 2);
    // The database's own -wal/-shm come and go with whoever has it open (this test's
    // pool above closes in the background); anything else would be a half-made copy.
    let mut files: Vec<String> = std::fs::read_dir(&new)
        .expect("list")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .filter(|f| f != "kiemchung.db-wal" && f != "kiemchung.db-shm")
        .collect();
    files.sort();
    assert_eq!(files, ["kiemchung.db"], "nothing half-made left beside it");

    // The restored desk goes on; restoring over it needs --force and keeps it.
    let out = run_with_stdin(
        &[
            "user",
            "add",
            "lan",
            "--role",
            "intake",
            "--data-dir",
            new_s,
        ],
        "long-enough-pw\n",
    );
    assert!(out.status.success(), "{:?}", text(&out));
    let out = run(&["restore", "--from", file, "--data-dir", new_s]);
    assert!(!out.status.success());
    assert!(text(&out).1.contains("add --force"), "{:?}", text(&out));
    assert!(users_in(["--data-dir", new_s]).contains("lan"), "unchanged");

    let out = run(&["restore", "--from", file, "--data-dir", new_s, "--force"]);
    assert!(out.status.success(), "{:?}", text(&out));
    assert!(!users_in(["--data-dir", new_s]).contains("lan"), "replaced");
    let kept = std::fs::read_dir(&new)
        .expect("list")
        .map(|e| e.expect("entry").path())
        .find(|p| {
            p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with("kiemchung.db.before-restore-") && n.ends_with('Z'))
        })
        .expect("the replaced database is kept");
    let kept_url = format!("sqlite://{}", kept.display());
    assert!(
        users_in(["--database-url", &kept_url]).contains("lan"),
        "the kept database is the one replaced"
    );
}

#[test]
fn restore_refuses_a_data_dir_a_running_desk_has_open() {
    let dir = tempfile::tempdir().expect("tempdir");
    let data = dir.path().join("data");
    let data = data.to_str().expect("utf-8 path");
    fill(["--data-dir", data], dir.path());
    let file = dir.path().join("b.db");
    let file = file.to_str().expect("utf-8 path");
    let out = run(&["backup", "--out", file, "--data-dir", data]);
    assert!(out.status.success(), "{:?}", text(&out));
    let (server, _, _) = serve(data);
    let out = run(&["restore", "--from", file, "--data-dir", data, "--force"]);
    assert!(!out.status.success());
    assert!(
        text(&out).1.contains("stop it before restoring"),
        "{:?}",
        text(&out)
    );
    drop(server);
    let out = run(&["restore", "--from", file, "--data-dir", data, "--force"]);
    assert!(out.status.success(), "{:?}", text(&out));
    audit_verifies(["--data-dir", data]);
}

#[test]
fn a_damaged_or_foreign_file_is_refused_before_anything_is_touched() {
    let dir = tempfile::tempdir().expect("tempdir");
    let data = dir.path().join("data");
    let data = data.to_str().expect("utf-8 path");
    fill(["--data-dir", data], dir.path());
    let good = dir.path().join("b.db");
    let out = run(&[
        "backup",
        "--out",
        good.to_str().expect("path"),
        "--data-dir",
        data,
    ]);
    assert!(out.status.success(), "{:?}", text(&out));
    let bytes = std::fs::read(&good).expect("read backup");

    let truncated = dir.path().join("cut.db");
    std::fs::write(&truncated, &bytes[..bytes.len() / 2]).expect("write");
    let foreign = dir.path().join("notes.db");
    std::fs::write(&foreign, "không phải cơ sở dữ liệu").expect("write");
    let missing = dir.path().join("sao-luu-khong-co.db");
    let target = dir.path().join("new");
    let target_s = target.to_str().expect("path");
    for (file, says) in [
        (&truncated, "is not a usable kiemchung backup"),
        (&foreign, "is not a kiemchung backup"),
        (&missing, "no backup file at"),
    ] {
        let f = file.to_str().expect("path");
        let out = run(&["restore", "--from", f, "--data-dir", target_s]);
        let err = text(&out).1;
        assert!(!out.status.success(), "{f}: {err}");
        assert!(err.contains(says) && err.contains(f), "{f}: {err}");
        assert!(!target.exists(), "{f}: the target was left as it was");
    }

    // A backup from a newer kiemchung, whose schema this one does not know.
    let newer = dir.path().join("newer.db");
    std::fs::write(&newer, &bytes).expect("write");
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    rt.block_on(async {
        sqlx::any::install_default_drivers();
        let pool = sqlx::AnyPool::connect(&format!("sqlite://{}", newer.display()))
            .await
            .expect("open");
        sqlx::raw_sql(
            "PRAGMA journal_mode = DELETE; \
             INSERT INTO schema_migrations (version, name, applied_at) VALUES (9999, 'future', '2030-01-01')",
        )
        .execute(&pool)
        .await
        .expect("insert");
        pool.close().await;
    });
    let out = run(&[
        "restore",
        "--from",
        newer.to_str().expect("path"),
        "--data-dir",
        target_s,
    ]);
    assert!(!out.status.success());
    assert!(
        text(&out).1.contains("newer than this kiemchung"),
        "{:?}",
        text(&out)
    );
    assert!(!target.exists());

    // A backup whose audit chain was edited after the fact.
    let tampered = dir.path().join("tampered.db");
    std::fs::write(&tampered, &bytes).expect("write");
    rt.block_on(async {
        let pool = sqlx::AnyPool::connect(&format!("sqlite://{}", tampered.display()))
            .await
            .expect("open");
        // Straight into the file, not a write-ahead log that the pool's background close
        // may not have folded back when the restore reads the file.
        sqlx::raw_sql(
            "PRAGMA journal_mode = DELETE; \
             DROP TRIGGER audit_no_update; UPDATE audit_events SET actor = 'x' WHERE seq = 2",
        )
        .execute(&pool)
        .await
        .expect("tamper");
        pool.close().await;
    });
    let out = run(&[
        "restore",
        "--from",
        tampered.to_str().expect("path"),
        "--data-dir",
        target_s,
    ]);
    assert!(!out.status.success());
    assert!(
        text(&out).1.contains("audit event 2 was altered"),
        "{:?}",
        text(&out)
    );
    assert!(!target.exists());
}

/// pg_dump, on PATH or where Debian's server packages put it.
fn pg_dump() -> std::path::PathBuf {
    let on_path = std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|d| d.join("pg_dump"))
            .find(|p| p.is_file())
    });
    on_path
        .or_else(|| {
            let mut found: Vec<_> = std::fs::read_dir("/usr/lib/postgresql")
                .ok()?
                .filter_map(|d| d.ok())
                .map(|d| d.path().join("bin/pg_dump"))
                .filter(|p| p.is_file())
                .collect();
            found.sort();
            found.pop()
        })
        .expect("pg_dump (postgresql-client)")
}

/// A database of its own on the test PostgreSQL server, or None when there is none.
pub(crate) fn pg_database(name: &str) -> Option<String> {
    let admin = match std::env::var("KC_TEST_DATABASE_URL") {
        Ok(url) if !url.is_empty() => url,
        _ if std::env::var("CI").is_ok() => {
            panic!("CI must test PostgreSQL too: set KC_TEST_DATABASE_URL (scripts/test does)")
        }
        _ => {
            eprintln!("note: KC_TEST_DATABASE_URL unset, PostgreSQL restore not tested");
            return None;
        }
    };
    let name = format!("{name}_{}", std::process::id());
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    rt.block_on(async {
        sqlx::any::install_default_drivers();
        let pool = sqlx::AnyPool::connect(&admin).await.expect("connect");
        for sql in [
            format!("DROP DATABASE IF EXISTS {name}"),
            format!("CREATE DATABASE {name}"),
        ] {
            sqlx::raw_sql(&sql).execute(&pool).await.expect(&sql);
        }
        pool.close().await;
    });
    let (base, _) = admin.rsplit_once('/').expect("a URL with a database");
    Some(format!("{base}/{name}"))
}

#[test]
fn a_postgresql_backup_restores_into_an_empty_database_and_replaces_only_with_force() {
    let (Some(src), Some(dst)) = (pg_database("kc_restore_src"), pg_database("kc_restore_dst"))
    else {
        return;
    };
    let dir = tempfile::tempdir().expect("tempdir");
    fill(["--database-url", &src], dir.path());
    let file = dir.path().join("sao-luu.dump");
    let file = file.to_str().expect("utf-8 path");
    let out = run(&["backup", "--out", file, "--database-url", &src]);
    assert!(out.status.success(), "{:?}", text(&out));
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let bits = std::fs::metadata(file)
            .expect("backup")
            .permissions()
            .mode();
        assert_eq!(
            format!("{:o}", bits & 0o777),
            "600",
            "a dump holds contacts and password hashes"
        );
    }

    let out = run(&["restore", "--from", file, "--database-url", &dst]);
    assert!(out.status.success(), "{:?}", text(&out));
    assert!(
        text(&out).0.contains("audit chain intact"),
        "{:?}",
        text(&out)
    );
    assert!(users_in(["--database-url", &dst]).contains("admin"));
    audit_verifies(["--database-url", &dst]);
    assert_eq!(reports_in(&dst), 2);

    let out = run(&["restore", "--from", file, "--database-url", &dst]);
    assert!(!out.status.success());
    assert!(text(&out).1.contains("is not empty"), "{:?}", text(&out));
    let out = run_with_stdin(
        &[
            "user",
            "add",
            "lan",
            "--role",
            "intake",
            "--database-url",
            &dst,
        ],
        "long-enough-pw\n",
    );
    assert!(out.status.success(), "{:?}", text(&out));
    let out = run(&["restore", "--from", file, "--database-url", &dst, "--force"]);
    assert!(out.status.success(), "{:?}", text(&out));
    assert!(
        !users_in(["--database-url", &dst]).contains("lan"),
        "replaced"
    );
    audit_verifies(["--database-url", &dst]);
    assert_eq!(reports_in(&dst), 2);

    // A backup from before an upgrade replaces a newer desk (a rollback): the newer
    // migrations' tables, with keys into the backup's, go too, and the result is upgraded.
    let sql = |url: &str, sql: &str| {
        let rt = tokio::runtime::Runtime::new().expect("runtime");
        rt.block_on(async {
            let pool = sqlx::AnyPool::connect(url).await.expect("connect");
            sqlx::raw_sql(sql).execute(&pool).await.expect(sql);
            let v: i64 = sqlx::query_scalar("SELECT MAX(version) FROM schema_migrations")
                .fetch_one(&pool)
                .await
                .expect("version");
            pool.close().await;
            v
        })
    };
    let latest = sql(&src, "SELECT 1");
    assert_eq!(
        sql(
            &src,
            "DROP TABLE publication_rechecks; DROP TABLE duty_progress; \
             DROP TABLE case_opinions; DELETE FROM schema_migrations WHERE version >= 12"
        ),
        latest - 3,
        "the three newest migrations (opinions, keyed to cases; duty progress; re-checks) undone"
    );
    // pg_dump itself: `kiemchung backup` would bring the schema up to date first.
    let older = dir.path().join("truoc-nang-cap.dump");
    let older = older.to_str().expect("utf-8 path");
    let out = std::process::Command::new(pg_dump())
        .args([
            "--format=custom",
            "--no-owner",
            "--file",
            older,
            "--dbname",
            &src,
        ])
        .output()
        .expect("run pg_dump");
    assert!(out.status.success(), "{:?}", text(&out));
    let out = run(&[
        "restore",
        "--from",
        older,
        "--database-url",
        &dst,
        "--force",
    ]);
    assert!(out.status.success(), "{:?}", text(&out));
    assert_eq!(sql(&dst, "SELECT 1"), latest, "upgraded after the restore");
    audit_verifies(["--database-url", &dst]);
    assert_eq!(reports_in(&dst), 2);

    // A restore pg_restore cannot finish leaves the database as it was, and says why.
    let Some(odd) = pg_database("kc_restore_odd") else {
        return;
    };
    let tables = |sql: &str| {
        let rt = tokio::runtime::Runtime::new().expect("runtime");
        rt.block_on(async {
            let pool = sqlx::AnyPool::connect(&odd).await.expect("connect");
            sqlx::raw_sql(sql).execute(&pool).await.expect(sql);
            let n: i64 = sqlx::query_scalar(
                "SELECT count(*) FROM pg_catalog.pg_tables WHERE schemaname = 'public'",
            )
            .fetch_one(&pool)
            .await
            .expect("count tables");
            pool.close().await;
            n
        })
    };
    assert_eq!(tables("CREATE VIEW reports AS SELECT 1 AS x"), 0);
    let out = run(&["restore", "--from", file, "--database-url", &odd, "--force"]);
    let err = text(&out).1;
    assert!(!out.status.success());
    assert!(
        err.contains("pg_restore failed") && err.contains("\"reports\""),
        "{err}"
    );
    assert_eq!(tables("SELECT 1"), 0, "nothing was restored half-way");

    // The SQLite and PostgreSQL kinds are not mixed up.
    let out = run(&[
        "restore",
        "--from",
        file,
        "--data-dir",
        dir.path().join("x").to_str().expect("path"),
    ]);
    assert!(!out.status.success());
    assert!(
        text(&out).1.contains("give --database-url"),
        "{:?}",
        text(&out)
    );
}
