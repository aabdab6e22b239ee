//! Administration from the command line: packs loaded by hand.

use super::{run_with_stdin, text};

fn ok(args: &[&str], stdin: &str) -> String {
    let o = run_with_stdin(args, stdin);
    assert!(o.status.success(), "{args:?}: {:?}", text(&o));
    text(&o).0
}

fn packs_table(dir: &std::path::Path) -> Vec<(String, String, String)> {
    let url = format!("sqlite://{}/kiemchung.db", dir.display());
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    rt.block_on(async {
        sqlx::any::install_default_drivers();
        let pool = sqlx::AnyPool::connect(&url).await.expect("open db");
        let rows = sqlx::query_as("SELECT name, source, loaded_by FROM packs ORDER BY id")
            .fetch_all(&pool)
            .await
            .expect("packs");
        pool.close().await;
        rows
    })
}

#[test]
fn a_pack_loaded_by_hand_is_never_replaced_by_the_built_in_one() {
    let shipped = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../packs/ngoc-hoi.toml"
    ))
    .expect("shipped pack");
    assert!(
        shipped.contains("\nnormal = 168"),
        "the repro edits this line"
    );
    let edited = shipped.replace("\nnormal = 168", "\nnormal = 48");

    // The operator edits the shipped file in place, under its own path, and loads it.
    let work = tempfile::tempdir().expect("dir");
    std::fs::create_dir(work.path().join("packs")).expect("mkdir");
    std::fs::write(work.path().join("packs/ngoc-hoi.toml"), &edited).expect("write");
    let data = work.path().join("data");
    let d = data.to_str().expect("path");
    let load = super::kiemchung()
        .current_dir(work.path())
        .args(["pack", "load", "packs/ngoc-hoi.toml", "--data-dir", d])
        .output()
        .expect("run");
    assert!(load.status.success(), "{:?}", text(&load));
    for _ in 0..2 {
        let show = run_with_stdin(&["pack", "show", "--data-dir", d], "");
        assert!(show.status.success(), "{:?}", text(&show));
        assert!(
            !text(&show).1.contains("Updated the shipped"),
            "{:?}",
            text(&show)
        );
    }
    let packs = packs_table(&data);
    let (name, source, by) = packs.last().expect("a pack");
    assert_eq!(name, "packs/ngoc-hoi.toml");
    assert_eq!(by, "cli");
    assert!(source.contains("\nnormal = 48"), "the edit stays active");

    // A desk still on an earlier built-in version follows the shipped pack.
    let old = tempfile::tempdir().expect("dir");
    let od = old.path().to_str().expect("path");
    ok(&["pack", "show", "--data-dir", od], "");
    let url = format!("sqlite://{od}/kiemchung.db");
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    rt.block_on(async {
        sqlx::any::install_default_drivers();
        let pool = sqlx::AnyPool::connect(&url).await.expect("open db");
        sqlx::query(
            "INSERT INTO packs (name, source, loaded_at, loaded_by) \
             VALUES ('packs/ngoc-hoi.toml', $1, '2025-01-01T00:00:00.000Z', 'system')",
        )
        .bind(edited.clone())
        .execute(&pool)
        .await
        .expect("an earlier built-in version");
        pool.close().await;
    });
    let show = run_with_stdin(&["pack", "show", "--data-dir", od], "");
    assert!(
        text(&show).1.contains("Updated the shipped"),
        "{:?}",
        text(&show)
    );
    let packs = packs_table(old.path());
    let (_, source, by) = packs.last().expect("a pack");
    assert_eq!(source, &shipped);
    assert_eq!(by, "system");
}
