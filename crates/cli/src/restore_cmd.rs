//! `kiemchung restore`: puts a backup written by `kiemchung backup` back in place, after
//! checking that it is a sound kiemchung database, and brings its schema up to date.

use crate::{pg_command, pg_tool};
use anyhow::{bail, Context, Result};
use clap::Args;
use kc_store::Store;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::Stdio;

#[derive(Args)]
pub struct RestoreArgs {
    /// The backup to restore: a file written by `kiemchung backup` (an SQLite copy, or a
    /// pg_dump archive for PostgreSQL).
    #[arg(long)]
    from: PathBuf,
    /// Replace a desk database that already exists. On SQLite the old file is kept beside
    /// it as kiemchung.db.before-restore-TIME; on PostgreSQL the tables and functions of the
    /// public schema are dropped and the backup loaded, in one transaction (psql).
    #[arg(long)]
    force: bool,
}

enum BackupKind {
    Sqlite,
    PgDump,
}

/// The first bytes of each kind of backup file.
const SQLITE_MAGIC: &[u8] = b"SQLite format 3\0";
const PGDUMP_MAGIC: &[u8] = b"PGDMP";

pub async fn run_restore(args: &RestoreArgs, store: &crate::StoreArgs) -> Result<()> {
    let from = &args.from;
    let kind = backup_kind(from)?;
    let postgres = store
        .database_url
        .as_deref()
        .filter(|u| !u.starts_with("sqlite:"));
    match (kind, postgres) {
        (BackupKind::Sqlite, None) => restore_sqlite(args, &sqlite_target(store)).await,
        (BackupKind::PgDump, Some(url)) => restore_postgres(args, url).await,
        (BackupKind::Sqlite, Some(_)) => bail!(
            "{} là bản sao lưu SQLite: khôi phục bằng --data-dir, không vào PostgreSQL \
             (--database-url hay KIEMCHUNG_DATABASE_URL) / {} is an SQLite backup: restore it \
             with --data-dir, not into PostgreSQL (--database-url or KIEMCHUNG_DATABASE_URL)",
            from.display(),
            from.display()
        ),
        (BackupKind::PgDump, None) => bail!(
            "{} là bản sao lưu PostgreSQL (pg_dump): cần --database-url postgres://… / \
             {} is a PostgreSQL backup (pg_dump): give --database-url postgres://…",
            from.display(),
            from.display()
        ),
    }
}

fn backup_kind(from: &Path) -> Result<BackupKind> {
    use std::io::Read;
    if !from.is_file() {
        bail!(
            "không có tệp sao lưu {} / no backup file at {}",
            from.display(),
            from.display()
        );
    }
    let mut head = Vec::with_capacity(SQLITE_MAGIC.len());
    std::fs::File::open(from)
        .and_then(|f| f.take(SQLITE_MAGIC.len() as u64).read_to_end(&mut head))
        .with_context(|| format!("cannot read {}", from.display()))?;
    if head.starts_with(SQLITE_MAGIC) {
        Ok(BackupKind::Sqlite)
    } else if head.starts_with(PGDUMP_MAGIC) {
        Ok(BackupKind::PgDump)
    } else {
        bail!(
            "{} không phải bản sao lưu của kiemchung (không phải SQLite, không phải pg_dump) / \
             {} is not a kiemchung backup (neither an SQLite database nor a pg_dump archive)",
            from.display(),
            from.display()
        )
    }
}

/// The SQLite file the desk uses: --database-url sqlite://PATH, or kiemchung.db in
/// --data-dir.
fn sqlite_target(store: &crate::StoreArgs) -> PathBuf {
    match store.database_url.as_deref() {
        Some(url) => {
            let path = url
                .trim_start_matches("sqlite://")
                .trim_start_matches("sqlite:");
            PathBuf::from(path.split('?').next().unwrap_or(path))
        }
        None => store.data_dir.join("kiemchung.db"),
    }
}

fn sqlite_url(path: &Path) -> String {
    format!("sqlite://{}?mode=rw", path.display())
}

/// `path` with `suffix` appended to its file name (SQLite's WAL and shared-memory files
/// are named that way after their database).
fn with_suffix(path: &Path, suffix: &str) -> PathBuf {
    let mut s = path.as_os_str().to_owned();
    s.push(suffix);
    PathBuf::from(s)
}

/// Removes a half-made restore's files unless the restore got through, and the data
/// directory too when the restore created it.
struct Staging {
    path: PathBuf,
    created_dir: Option<PathBuf>,
    keep: bool,
}

impl Drop for Staging {
    fn drop(&mut self) {
        if !self.keep {
            for suffix in ["", "-wal", "-shm", "-journal"] {
                let _ = std::fs::remove_file(with_suffix(&self.path, suffix));
            }
            if let Some(dir) = &self.created_dir {
                // Only if still empty: never anything someone else put there meanwhile.
                let _ = std::fs::remove_dir(dir);
            }
        }
    }
}

async fn refuse_if_in_use(target: &Path) -> Result<()> {
    let in_use = kc_store::sqlite_in_use(target)
        .await
        .with_context(|| format!("cannot open {}", target.display()))?;
    if in_use {
        bail!(
            "{} đang được một chương trình khác mở (kiemchung serve?): dừng nó trước khi khôi phục / \
             {} is open in another program (a running `kiemchung serve`?): stop it before restoring",
            target.display(),
            target.display()
        );
    }
    Ok(())
}

async fn restore_sqlite(args: &RestoreArgs, target: &Path) -> Result<()> {
    let from = &args.from;
    if target.exists() {
        if !args.force {
            bail!(
                "{} đã có cơ sở dữ liệu; thêm --force để thay (bản cũ được giữ lại bên cạnh) / \
                 {} already holds a desk database; add --force to replace it (the old one is kept beside it)",
                target.display(),
                target.display()
            );
        }
        refuse_if_in_use(target).await?;
    }
    let dir = target
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let created_dir = (!dir.exists()).then(|| dir.to_path_buf());
    kc_store::private::create_private_dir_all(dir)
        .with_context(|| format!("cannot create data directory {}", dir.display()))?;
    let stamp = chrono::Utc::now().format("%Y%m%dT%H%M%SZ").to_string();

    // Work on a copy beside the target: the backup file itself is never changed, and the
    // final move is a rename within one directory.
    eprintln!(
        "Kiểm tra bản sao lưu / checking the backup {}…",
        from.display()
    );
    let staging = Staging {
        path: with_suffix(target, &format!(".restoring-{stamp}")),
        created_dir,
        keep: false,
    };
    copy_private(from, &staging.path)
        .with_context(|| format!("cannot copy {} to {}", from.display(), dir.display()))?;
    // A copy taken while some program still had it open may have its last writes in its WAL.
    let from_wal = with_suffix(from, "-wal");
    if from_wal.is_file() {
        copy_private(&from_wal, &with_suffix(&staging.path, "-wal"))
            .with_context(|| format!("cannot copy {}", from_wal.display()))?;
    }
    let (version, events) = check_backup(&staging.path).await.with_context(|| {
        format!(
            "{} không phải bản sao lưu kiemchung dùng được / {} is not a usable kiemchung backup",
            from.display(),
            from.display()
        )
    })?;
    eprintln!(
        "  bản sao lưu toàn vẹn / the backup is sound: schema version {version}, audit chain intact ({events} events)"
    );

    let latest = kc_store::schema_version();
    let copy = Store::open(&sqlite_url(&staging.path))
        .await
        .context("cannot bring the backup's schema up to date")?;
    if version < latest {
        eprintln!("  nâng cấp lược đồ / schema upgraded: {version} → {latest}");
    }
    copy.audit_verify()
        .await
        .map_err(|e| anyhow::anyhow!("the audit chain is broken after the upgrade: {e}"))?;
    // Closing the last connection folds the WAL back into the file.
    copy.close().await;

    if target.exists() {
        refuse_if_in_use(target).await?;
        let kept = with_suffix(target, &format!(".before-restore-{stamp}"));
        // The probe above folded any WAL into the file. Without a WAL the shared-memory
        // index left by a stopped server indexes nothing; should a WAL remain, both travel
        // with the file, renamed alike, so SQLite still pairs them.
        if !with_suffix(target, "-wal").exists() {
            let _ = std::fs::remove_file(with_suffix(target, "-shm"));
        }
        for suffix in ["-wal", "-shm", ""] {
            let old = with_suffix(target, suffix);
            if old.exists() {
                std::fs::rename(&old, with_suffix(&kept, suffix))
                    .with_context(|| format!("cannot move {} out of the way", old.display()))?;
            }
        }
        eprintln!(
            "  cơ sở dữ liệu cũ được giữ ở / the old database is kept at {}",
            kept.display()
        );
    }
    for suffix in ["-wal", ""] {
        let part = with_suffix(&staging.path, suffix);
        match std::fs::rename(&part, with_suffix(target, suffix)) {
            Ok(()) => {}
            // The copy's last connection may still be closing when `close` returns: its WAL,
            // folded into the file, can vanish between a look and the move.
            Err(e) if suffix == "-wal" && e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => {
                return Err(e).with_context(|| {
                    format!("cannot move the restored database to {}", target.display())
                })
            }
        }
    }
    let _ = std::fs::remove_file(with_suffix(&staging.path, "-shm"));
    let mut staging = staging;
    staging.keep = true;

    let restored = Store::open(&sqlite_url(target))
        .await
        .with_context(|| format!("cannot open the restored {}", target.display()))?;
    let events = restored
        .audit_verify()
        .await
        .map_err(|e| anyhow::anyhow!("the restored audit chain is broken: {e}"))?;
    restored.close().await;
    println!(
        "Đã khôi phục / restored {} to {} (schema version {latest}); audit chain intact ({events} events).",
        from.display(),
        target.display()
    );
    Ok(())
}

/// Copies `from` into a new owner-only file: the desk's database is 0600 whatever the
/// backup's permissions (`std::fs::copy` would carry those over).
fn copy_private(from: &Path, to: &Path) -> std::io::Result<()> {
    let mut src = std::fs::File::open(from)?;
    let mut dst = kc_store::private::create_private_file(to)?;
    std::io::copy(&mut src, &mut dst)?;
    dst.sync_all()
}

/// Checks a copy of an SQLite backup as it is: intact pages, a kiemchung schema no newer
/// than this binary's, an unbroken audit chain. Returns the schema version and the number
/// of audit events.
async fn check_backup(path: &Path) -> Result<(i64, i64)> {
    kc_store::check_sqlite_file(path).await?;
    let store = Store::open_unmigrated(&sqlite_url(path)).await?;
    let version = store
        .applied_schema_version()
        .await?
        .context("không có lược đồ kiemchung / it holds no kiemchung schema")?;
    refuse_newer(version)?;
    let events = store
        .audit_verify()
        .await
        .map_err(|e| anyhow::anyhow!("audit chain broken: {e}"))?;
    store.close().await;
    Ok((version, events))
}

fn refuse_newer(version: i64) -> Result<()> {
    let latest = kc_store::schema_version();
    if version > latest {
        bail!(
            "bản sao lưu có lược đồ {version}, mới hơn bản kiemchung này ({latest}): dùng kiemchung mới hơn / \
             the backup's schema version {version} is newer than this kiemchung's ({latest}): restore it with a newer kiemchung"
        );
    }
    Ok(())
}

async fn restore_postgres(args: &RestoreArgs, url: &str) -> Result<()> {
    let from = &args.from;
    let shown = kc_store::redact(url);
    let pg_restore = pg_tool("pg_restore")?;

    eprintln!(
        "Kiểm tra bản sao lưu / checking the backup {}…",
        from.display()
    );
    let version = archive_schema_version(&pg_restore, from)?;
    refuse_newer(version)?;
    eprintln!("  bản sao lưu đọc được / the archive is readable: schema version {version}");

    let target = Store::open_unmigrated(url)
        .await
        .with_context(|| format!("cannot connect to {shown}"))?;
    let objects = target.object_count().await?;
    let others = target.other_sessions().await?;
    target.close().await;
    if objects > 0 && !args.force {
        bail!(
            "cơ sở dữ liệu {shown} không trống ({objects} bảng/đối tượng); thêm --force để thay / \
             the database {shown} is not empty ({objects} tables and other objects); add --force to replace the backup's tables"
        );
    }
    if others > 0 {
        bail!(
            "{others} phiên khác đang kết nối tới {shown} (kiemchung serve?): dừng chúng trước khi khôi phục / \
             {others} other sessions are connected to {shown} (a running `kiemchung serve`?): stop them before restoring"
        );
    }

    eprintln!("  pg_restore → {shown}…");
    let (status, stderr) = if args.force && objects > 0 {
        replace_with_psql(&pg_restore, url, from)?
    } else {
        let mut command = pg_command(&pg_restore, url)?;
        // One transaction: a restore that fails part-way leaves the database as it was.
        let out = command
            .args(["--no-owner", "--single-transaction"])
            .arg(from)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .output()
            .with_context(|| format!("cannot run {}", pg_restore.display()))?;
        (
            out.status,
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    };
    if !status.success() {
        bail!(
            "pg_restore thất bại ({status}); cơ sở dữ liệu không bị thay đổi / pg_restore failed ({status}); the database was left unchanged:\n{}",
            stderr.trim()
        );
    }

    let latest = kc_store::schema_version();
    let restored = Store::open(url)
        .await
        .with_context(|| format!("cannot open the restored database {shown}"))?;
    if version < latest {
        eprintln!("  nâng cấp lược đồ / schema upgraded: {version} → {latest}");
    }
    let events = restored
        .audit_verify()
        .await
        .map_err(|e| anyhow::anyhow!("the restored audit chain is broken: {e}"))?;
    restored.close().await;
    println!(
        "Đã khôi phục / restored {} to {shown} (schema version {latest}); audit chain intact ({events} events).",
        from.display()
    );
    Ok(())
}

/// Empties the public schema of the tables and functions kiemchung made, then loads the
/// archive, in one transaction of `psql`: pg_restore turns the archive into SQL, psql runs
/// it after the emptying. `pg_restore --clean` alone drops only what the archive holds, so
/// tables of a newer schema than the backup's (a rollback after an upgrade) kept their
/// foreign keys to the tables it tried to drop, and the restore failed.
fn replace_with_psql(
    pg_restore: &Path,
    url: &str,
    from: &Path,
) -> Result<(std::process::ExitStatus, String)> {
    const EMPTY: &str = "DO $$ DECLARE r record; BEGIN \
        FOR r IN SELECT tablename FROM pg_catalog.pg_tables WHERE schemaname = 'public' LOOP \
        EXECUTE 'DROP TABLE IF EXISTS public.' || quote_ident(r.tablename) || ' CASCADE'; END LOOP; \
        FOR r IN SELECT p.oid::regprocedure AS f FROM pg_catalog.pg_proc p \
        WHERE p.pronamespace = 'public'::regnamespace AND p.prokind = 'f' LOOP \
        EXECUTE 'DROP FUNCTION IF EXISTS ' || r.f || ' CASCADE'; END LOOP; END $$;\n";
    let psql = pg_tool("psql")?;
    let mut script = std::process::Command::new(pg_restore)
        .args(["--no-owner", "--file=-"])
        .arg(from)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .with_context(|| format!("cannot run {}", pg_restore.display()))?;
    let mut load = pg_command(&psql, url)?
        .args(["--no-psqlrc", "--quiet", "--single-transaction"])
        .args(["--variable=ON_ERROR_STOP=1"])
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .with_context(|| format!("cannot run {}", psql.display()))?;
    let mut into = load.stdin.take().context("psql's input")?;
    let mut sql = script.stdout.take().context("pg_restore's output")?;
    let copied = into
        .write_all(EMPTY.as_bytes())
        .and_then(|()| std::io::copy(&mut sql, &mut into).map(|_| ()));
    drop(into);
    let dumped = script.wait_with_output()?;
    let loaded = load.wait_with_output()?;
    let mut stderr = String::from_utf8_lossy(&loaded.stderr).into_owned();
    stderr.push_str(&String::from_utf8_lossy(&dumped.stderr));
    // psql stopping at an error is the cause; pg_restore then only lost its reader.
    if !loaded.status.success() {
        return Ok((loaded.status, stderr));
    }
    if !dumped.status.success() {
        return Ok((dumped.status, stderr));
    }
    copied.context("cannot pass the archive to psql")?;
    Ok((loaded.status, stderr))
}

/// The highest schema version recorded in a pg_dump archive, read from the archive alone
/// (its schema_migrations rows) before anything is restored.
fn archive_schema_version(pg_restore: &Path, from: &Path) -> Result<i64> {
    let out = std::process::Command::new(pg_restore)
        .args(["--data-only", "--table=schema_migrations", "--file=-"])
        .arg(from)
        .stdin(Stdio::null())
        .output()
        .with_context(|| format!("cannot run {}", pg_restore.display()))?;
    if !out.status.success() {
        bail!(
            "{} không đọc được bằng pg_restore / pg_restore cannot read {}: {}",
            from.display(),
            from.display(),
            String::from_utf8_lossy(&out.stderr).trim()
        );
    }
    let sql = String::from_utf8_lossy(&out.stdout);
    // COPY … FROM stdin; then one tab-separated row a line, up to `\.`.
    let rows = sql
        .lines()
        .skip_while(|l| !l.starts_with("COPY "))
        .skip(1)
        .take_while(|l| *l != "\\.");
    let version = rows
        .filter_map(|l| l.split('\t').next()?.parse::<i64>().ok())
        .max();
    version.with_context(|| {
        format!(
            "{} không phải bản sao lưu kiemchung (không có lược đồ kiemchung) / \
             {} is not a kiemchung backup (it holds no kiemchung schema)",
            from.display(),
            from.display()
        )
    })
}
