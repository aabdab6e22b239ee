//! What kiemchung leaves on disk is readable by its owner only: the data directory it
//! creates, the database, backups and a restored database; a directory an operator opened
//! up is kept as it is, with a warning.
#![cfg(unix)]

use super::{kiemchung, run_with_stdin, text};
use std::os::unix::fs::PermissionsExt;
use std::path::Path;

/// Permission bits in octal, as `ls -l` and `chmod` speak of them.
fn mode(path: &Path) -> String {
    let bits = std::fs::metadata(path)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
        .permissions()
        .mode();
    format!("{:o}", bits & 0o777)
}

fn add_admin(data: &str) -> String {
    let out = run_with_stdin(
        &[
            "user",
            "add",
            "admin",
            "--role",
            "admin",
            "--data-dir",
            data,
        ],
        "a-long-password\n",
    );
    assert!(out.status.success(), "{:?}", text(&out));
    text(&out).1
}

#[test]
fn the_data_dir_its_database_and_backups_are_owner_only() {
    let dir = tempfile::tempdir().expect("tempdir");
    // Where an operator keeps things, readable by all as umask 022 makes it.
    std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o755)).expect("chmod");
    let data = dir.path().join("kiemchung-data");
    let data_s = data.to_str().expect("utf-8 path");
    let stderr = add_admin(data_s);
    assert_eq!(mode(&data), "700", "the data dir kiemchung creates");
    assert_eq!(mode(&data.join("kiemchung.db")), "600", "the database");
    assert!(
        !stderr.contains("chmod"),
        "nothing to warn of in what kiemchung made: {stderr}"
    );

    let copy = dir.path().join("sao-luu.db");
    let copy_s = copy.to_str().expect("utf-8 path");
    let out = kiemchung()
        .args(["backup", "--out", copy_s, "--data-dir", data_s])
        .output()
        .expect("run backup");
    assert!(out.status.success(), "{:?}", text(&out));
    assert_eq!(
        mode(&copy),
        "600",
        "a backup holds contacts and password hashes"
    );

    // A backup someone copied around with wider permissions still restores owner-only.
    std::fs::set_permissions(&copy, std::fs::Permissions::from_mode(0o644)).expect("chmod");
    let new = dir.path().join("moi").join("kiemchung-data");
    let out = kiemchung()
        .args(["restore", "--from", copy_s, "--data-dir"])
        .arg(&new)
        .output()
        .expect("run restore");
    assert!(out.status.success(), "{:?}", text(&out));
    assert_eq!(mode(&new), "700", "the data dir restore creates");
    assert_eq!(
        mode(&new.join("kiemchung.db")),
        "600",
        "the restored database"
    );
}

#[test]
fn an_open_data_dir_is_kept_and_warned_about() {
    let dir = tempfile::tempdir().expect("tempdir");
    let data = dir.path().join("kiemchung-data");
    std::fs::create_dir(&data).expect("mkdir");
    std::fs::set_permissions(&data, std::fs::Permissions::from_mode(0o750)).expect("chmod");
    let data_s = data.to_str().expect("utf-8 path");
    let stderr = add_admin(data_s);
    assert!(
        stderr.contains(&format!("chmod 700 {data_s}")) && stderr.contains("other local users"),
        "says who can read it and how to close it: {stderr}"
    );
    assert_eq!(mode(&data), "750", "the operator's choice is kept");
    assert_eq!(
        mode(&data.join("kiemchung.db")),
        "600",
        "a database kiemchung creates there is still owner-only"
    );
}
