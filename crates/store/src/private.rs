//! Files that hold personal data (reporters' contacts, password hashes, report texts and
//! their vectors, backups) are created readable by their owner only: under the usual
//! umask 022 they would otherwise be readable by every user of the machine.
//!
//! Only what kiemchung creates is made private. A directory or file that already exists
//! keeps the permissions an operator gave it (a backup group may read on purpose);
//! [`exposure`] tells the caller, which warns.

use std::fs::{File, OpenOptions};
use std::io;
use std::path::Path;

/// Creates `dir` and any missing parents, owner-only (0700 on Unix). A directory that
/// exists already is left as it is.
pub fn create_private_dir_all(dir: &Path) -> io::Result<()> {
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        builder.mode(0o700);
    }
    builder.create(dir)
}

/// Creates a new file, owner-only (0600 on Unix); fails if `path` exists, so that nothing
/// is ever overwritten and the file is private from its first byte.
pub fn create_private_file(path: &Path) -> io::Result<File> {
    let mut opts = OpenOptions::new();
    opts.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.mode(0o600);
    }
    opts.open(path)
}

/// Opens a file for appending, creating it owner-only when it does not exist yet.
pub fn append_private_file(path: &Path) -> io::Result<File> {
    let mut opts = OpenOptions::new();
    opts.create(true).append(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.mode(0o600);
    }
    opts.open(path)
}

/// The permission bits of `path` when users other than its owner may read or enter it
/// (Unix), `None` when it is private, missing, or on a system without such bits.
pub fn exposure(path: &Path) -> Option<u32> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(path).ok()?.permissions().mode() & 0o777;
        (mode & 0o077 != 0).then_some(mode)
    }
    #[cfg(not(unix))]
    {
        let _ = path;
        None
    }
}

/// For an SQLite URL that may create its file (`mode=rwc`), creates the still missing
/// file empty and owner-only before SQLite opens it: SQLite itself would create it 0644,
/// and it gives the `-wal` and `-shm` files it adds later the database file's permissions.
/// An empty file is an empty database to SQLite.
pub(crate) fn precreate_sqlite_file(url: &str) -> io::Result<()> {
    use std::str::FromStr;
    // The driver's own URL rendering panics on in-memory options: read `mode` here.
    let creates = url
        .split_once('?')
        .is_some_and(|(_, query)| query.split('&').any(|kv| kv == "mode=rwc"));
    if !creates {
        return Ok(());
    }
    let Ok(opts) = sqlx::sqlite::SqliteConnectOptions::from_str(url) else {
        // The driver reports a malformed URL when it connects.
        return Ok(());
    };
    let path = opts.get_filename();
    if path.as_os_str().is_empty() || path.exists() {
        return Ok(());
    }
    match create_private_file(path) {
        // Another process created it meanwhile: it is theirs to have made.
        Err(e) if e.kind() == io::ErrorKind::AlreadyExists => Ok(()),
        other => other.map(drop),
    }
}
