//! Personal data on disk: a purged contact leaves no bytes behind in the SQLite files, and
//! what the store creates is readable by its owner only.

use crate::support::fresh;
use kc_store::{IntakeTarget, NewReportRecord, Store};
use std::path::Path;

const CONTACT: &str = "nguoidan@example.vn";

async fn report_with_contact(store: &Store, receipt: &str) {
    let mut tx = store.begin_write("public:web").await.expect("begin");
    tx.record_report(&NewReportRecord {
        receipt: receipt.into(),
        channel: "web".into(),
        text: format!("tin đồn về giá điện ({receipt})"),
        urls: vec![],
        content_hash: format!("hash-{receipt}"),
        contact: Some(CONTACT.into()),
        contact_purge_after: "2000-01-01T00:00:00.000Z".into(),
        target: IntakeTarget::NewCase {
            priority: "normal".into(),
            harm_category: None,
            deadline: None,
        },
        import_key: None,
        files: vec![],
    })
    .await
    .expect("record");
    tx.commit().await.expect("commit");
}

async fn purge(store: &Store) {
    let mut tx = store.begin_write("system:retention").await.expect("begin");
    let n = tx
        .purge_contacts("2026-01-01T00:00:00.000Z")
        .await
        .expect("purge");
    tx.commit().await.expect("commit");
    assert_eq!(n, 2, "both contacts were past retention");
}

/// The files of `dir` whose bytes contain `needle`.
fn files_holding(dir: &Path, needle: &str) -> Vec<String> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir(dir).expect("read dir") {
        let path = entry.expect("entry").path();
        if path.is_file() {
            // A journal SQLite deletes as it closes can go between listing and reading: it
            // holds nothing then.
            let bytes = match std::fs::read(&path) {
                Ok(b) => b,
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue,
                Err(e) => panic!("read {}: {e}", path.display()),
            };
            if bytes.windows(needle.len()).any(|w| w == needle.as_bytes()) {
                found.push(path.display().to_string());
            }
        }
    }
    found
}

#[tokio::test]
async fn a_purged_contact_is_not_left_in_the_database_files_after_a_stop() {
    let (store, _, dir) = fresh("sqlite").await;
    report_with_contact(&store, "KC-PRIV-0001").await;
    report_with_contact(&store, "KC-PRIV-0002").await;
    store.close().await;
    assert!(
        !files_holding(dir.path(), CONTACT).is_empty(),
        "the contact is on disk before the purge (else this test proves nothing)"
    );
    let store = Store::open(&kc_store::sqlite_url_for_dir(dir.path()))
        .await
        .expect("reopen");
    purge(&store).await;
    store.close().await;
    assert_eq!(
        files_holding(dir.path(), CONTACT),
        Vec::<String>::new(),
        "a purged contact is gone from the db, wal and shm files"
    );
}

#[tokio::test]
async fn a_purged_contact_is_not_left_in_the_wal_of_a_running_desk() {
    let (store, _, dir) = fresh("sqlite").await;
    report_with_contact(&store, "KC-PRIV-0001").await;
    report_with_contact(&store, "KC-PRIV-0002").await;
    purge(&store).await;
    assert!(
        store.flush_deleted().await.expect("flush"),
        "no reader held it back"
    );
    // The desk keeps running: its files are read as another local user would.
    assert_eq!(
        files_holding(dir.path(), CONTACT),
        Vec::<String>::new(),
        "after the purge's flush neither the db nor the wal holds the contact"
    );
    assert_eq!(
        store.contact_of(1).await.expect("read"),
        None,
        "and the desk no longer has it"
    );
    store.close().await;
}

#[tokio::test]
async fn contacts_an_older_version_purged_leave_the_file_at_the_first_start() {
    let (store, url, dir) = fresh("sqlite").await;
    report_with_contact(&store, "KC-PRIV-0001").await;
    report_with_contact(&store, "KC-PRIV-0002").await;
    store.close().await;
    // What a version without secure_delete did: delete, and leave the bytes in free space.
    {
        use sqlx::Connection;
        sqlx::any::install_default_drivers();
        let mut conn = sqlx::AnyConnection::connect(&url).await.expect("connect");
        for sql in [
            "PRAGMA secure_delete = OFF",
            "DELETE FROM report_contacts",
            "DELETE FROM meta WHERE key = 'free_space_zeroed'",
            "PRAGMA wal_checkpoint(TRUNCATE)",
        ] {
            sqlx::raw_sql(sql).execute(&mut conn).await.expect(sql);
        }
        conn.close().await.expect("close");
    }
    assert!(
        !files_holding(dir.path(), CONTACT).is_empty(),
        "the old version left the purged contact in the file (else this test proves nothing)"
    );
    let store = Store::open(&url).await.expect("the new version opens it");
    store.close().await;
    assert_eq!(
        files_holding(dir.path(), CONTACT),
        Vec::<String>::new(),
        "the first start rebuilt the file without it"
    );
    let store = Store::open(&url).await.expect("and opens it again");
    assert_eq!(store.contact_of(1).await.expect("read"), None);
    store.close().await;
}

/// Permission bits in octal, as `ls -l` and `chmod` speak of them.
#[cfg(unix)]
fn mode(path: &Path) -> String {
    use std::os::unix::fs::PermissionsExt;
    let bits = std::fs::metadata(path)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
        .permissions()
        .mode();
    format!("{:o}", bits & 0o777)
}

/// A directory made the way a shell or an installer would, readable by all (umask 022).
#[cfg(unix)]
fn open_dir() -> tempfile::TempDir {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o755)).expect("chmod");
    dir
}

#[cfg(unix)]
#[tokio::test]
async fn the_database_and_its_wal_and_shm_are_owner_only() {
    let dir = open_dir();
    let store = Store::open(&kc_store::sqlite_url_for_dir(dir.path()))
        .await
        .expect("open");
    report_with_contact(&store, "KC-PRIV-0001").await;
    for name in ["kiemchung.db", "kiemchung.db-wal", "kiemchung.db-shm"] {
        assert_eq!(mode(&dir.path().join(name)), "600", "{name}");
    }
    let copy = dir.path().join("sao-luu.db");
    store.backup_sqlite_to(&copy).await.expect("backup");
    assert_eq!(mode(&copy), "600", "a backup holds the same contacts");
    store.close().await;
    let again = Store::open(&format!("sqlite://{}?mode=rw", copy.display()))
        .await
        .expect("the backup opens");
    assert_eq!(again.user_count().await.expect("users"), 0);
    again.close().await;
}

#[cfg(unix)]
#[test]
fn the_vector_cache_is_owner_only() {
    let dir = open_dir();
    let cache_dir = dir.path().join("embeddings");
    let mut cache = kc_store::VectorCache::open(&cache_dir, "abc", 2).expect("open");
    cache
        .insert(vec![([7u8; 32], vec![0.6, 0.8])])
        .expect("insert");
    assert_eq!(mode(&cache_dir), "700");
    assert_eq!(mode(&cache_dir.join("abc.e5c")), "600");
}

#[cfg(unix)]
#[test]
fn an_existing_directory_keeps_its_permissions_and_is_reported() {
    let dir = open_dir();
    kc_store::private::create_private_dir_all(dir.path()).expect("exists already");
    assert_eq!(mode(dir.path()), "755", "an operator's choice is kept");
    assert_eq!(kc_store::private::exposure(dir.path()), Some(0o755));
    let made = dir.path().join("a").join("b");
    kc_store::private::create_private_dir_all(&made).expect("create");
    assert_eq!(mode(&made), "700");
    assert_eq!(kc_store::private::exposure(&made), None);
}
