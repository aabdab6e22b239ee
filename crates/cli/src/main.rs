//! `kiemchung`: the desk's command line. Argument parsing and wiring only; the work is done
//! by the library crates.

/// `println!` for command output that is often piped (`kiemchung user list | head -3`):
/// when the reader has closed the pipe, the command ends quietly instead of panicking with
/// "failed printing to stdout".
macro_rules! out {
    ($($arg:tt)*) => {
        $crate::print_line(format_args!($($arg)*))
    };
}

/// `eprintln!` for what the desk tells its operator on stderr (the start-up banner, the
/// first-admin hint, "stopped"): with `--log-format json` each is a log event instead, so
/// that stderr stays one JSON object a line, as a log shipper reading it expects.
macro_rules! say {
    ($($arg:tt)*) => {
        if $crate::JSON_LOGS.load(std::sync::atomic::Ordering::Relaxed) {
            tracing::info!("{}", format_args!($($arg)*));
        } else {
            eprintln!($($arg)*);
        }
    };
}

/// Set once, before anything is said, when the logs are JSON (see `say!`).
static JSON_LOGS: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

mod embed_cmd;
mod import_cmd;
mod matching;
mod progress;
mod report_cmd;
mod restore_cmd;
mod users;

// See the workspace Cargo.toml for why.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

use anyhow::{bail, Context, Result};
use clap::{Args, Parser, Subcommand};
use kc_desk::pack::Pack;
use kc_desk::Role;
use kc_store::Store;
use std::io::IsTerminal;
use std::net::SocketAddr;
use std::path::PathBuf;

#[derive(Parser)]
#[command(
    name = "kiemchung",
    version,
    about = "Kiểm chứng: bàn xử lý thông tin sai sự thật, xấu, độc trên mạng.\nA desk for handling false and harmful information online.",
    long_about = "Kiểm chứng: bàn xử lý thông tin sai sự thật, xấu, độc trên mạng.\n\
A desk for handling false and harmful information online: citizens report, agencies verify,\n\
a second person reviews each decision, and corrections are published.\n\n\
Start with `kiemchung serve`, then create the first account with `kiemchung user add`."
)]
struct Cli {
    /// Log format: human-readable text or one JSON object per line.
    #[arg(long, global = true, default_value = "text", value_parser = ["text", "json"])]
    log_format: String,
    #[command(subcommand)]
    command: Command,
}

/// Where the desk's data lives; every command that touches the store takes these.
#[derive(Args, Clone)]
struct StoreArgs {
    /// Directory for the embedded SQLite database and attachments.
    #[arg(long, env = "KIEMCHUNG_DATA_DIR", default_value = "./kiemchung-data")]
    data_dir: PathBuf,
    /// Database URL (postgres://… or sqlite://…); overrides --data-dir's SQLite file.
    #[arg(long, env = "KIEMCHUNG_DATABASE_URL")]
    database_url: Option<String>,
}

#[derive(Subcommand)]
enum Command {
    /// Run the desk: public portal, staff console (/quan-tri) and JSON API.
    Serve(ServeArgs),
    /// Staff accounts.
    #[command(subcommand)]
    User(UserCommand),
    /// API tokens for integrations and scripts.
    #[command(subcommand)]
    Token(TokenCommand),
    /// Directive packs: the directive, agencies, routing, deadlines and legal provisions.
    #[command(subcommand)]
    Pack(PackCommand),
    /// The hash-chained audit log.
    #[command(subcommand)]
    Audit(AuditCommand),
    /// Match query texts against a library of claims (JSONL in, JSONL out).
    Match(matching::MatchArgs),
    /// Measure matching quality (R@k, MRR, no-match AUC) on queries with known answers.
    Eval(matching::EvalArgs),
    /// Embed texts with the semantic model (384 little-endian f32 per line, L2-normalised).
    Embed(embed_cmd::EmbedArgs),
    /// Take the items of a monitored feed or file (JSONL, CSV, RSS, Atom) as reports, once
    /// each: running it again, or after an interruption, adds only what is new.
    Import(ImportCommand),
    /// The periodic report upward for a period: reports, cases, publications, each agency's
    /// standing and its duties under the directive (Markdown, a Word file, or JSON).
    Report(ReportCommand),
    /// A consistent copy of the database while the desk runs: SQLite's online copy, or
    /// pg_dump for PostgreSQL.
    Backup(BackupCommand),
    /// Put a backup from `kiemchung backup` back in place, after checking it; stop
    /// `kiemchung serve` first.
    Restore(RestoreCommand),
}

#[derive(Args)]
struct RestoreCommand {
    #[command(flatten)]
    restore: restore_cmd::RestoreArgs,
    #[command(flatten)]
    store: StoreArgs,
}

#[derive(Args)]
struct BackupCommand {
    /// The backup file to write; it must not exist yet.
    #[arg(long)]
    out: PathBuf,
    #[command(flatten)]
    store: StoreArgs,
}

#[derive(Args)]
struct ReportCommand {
    #[command(flatten)]
    report: report_cmd::ReportArgs,
    #[command(flatten)]
    store: StoreArgs,
}

#[derive(Args)]
struct ImportCommand {
    #[command(flatten)]
    import: import_cmd::ImportArgs,
    #[command(flatten)]
    store: StoreArgs,
    /// Semantic model file, as for `serve` (default: models/e5-small-q4.bin when it
    /// exists), so items are matched as the running desk would match them.
    #[arg(long, env = "KIEMCHUNG_MODEL")]
    model: Option<PathBuf>,
}

#[derive(Args)]
struct ServeArgs {
    #[command(flatten)]
    store: StoreArgs,
    /// Address to listen on.
    #[arg(long, env = "KIEMCHUNG_ADDR", default_value = "127.0.0.1:8080")]
    addr: SocketAddr,
    /// Public URL of the portal, used in feeds and ClaimReview (default: http://ADDR).
    #[arg(long, env = "KIEMCHUNG_PUBLIC_URL", value_parser = parse_public_url)]
    public_url: Option<String>,
    /// Public reports accepted per client address per minute.
    // At least 1: 0 was taken and quietly served as 1, where an operator may have meant
    // "no limit" or "no public reports".
    #[arg(long, env = "KIEMCHUNG_REPORT_RATE", default_value_t = 10,
          value_parser = clap::value_parser!(u32).range(1..))]
    report_rate: u32,
    /// Take the client address from X-Forwarded-For (only behind a trusted reverse proxy).
    #[arg(long, env = "KIEMCHUNG_TRUST_PROXY")]
    trust_proxy: bool,
    /// Semantic model file; matching also compares meaning when given. Defaults to
    /// models/e5-small-q4.bin when that file exists (scripts/fetch-model puts it there).
    #[arg(long, env = "KIEMCHUNG_MODEL")]
    model: Option<PathBuf>,
    /// Seconds between re-reading published and open claims, so several instances on one
    /// PostgreSQL database answer alike.
    #[arg(long, env = "KIEMCHUNG_REFRESH_SECS", default_value_t = 10,
          value_parser = clap::value_parser!(u64).range(1..))]
    refresh_secs: u64,
}

#[derive(Subcommand)]
enum UserCommand {
    /// Create a staff account, or give an existing one another role. A new account's
    /// password is read from stdin; an existing account keeps its password unless
    /// --reset-password is given.
    Add {
        /// Login name: one word, no spaces or control characters.
        name: String,
        /// Role: intake, verifier, reviewer, editor, lead, admin or auditor.
        #[arg(long, value_parser = parse_role)]
        role: Role,
        /// Agency code from the pack; without it the role applies district-wide.
        #[arg(long)]
        agency: Option<String>,
        /// Also replace an existing account's password with one read from stdin (this ends
        /// the account's console sessions).
        #[arg(long)]
        reset_password: bool,
        #[command(flatten)]
        store: StoreArgs,
    },
    /// Take a role away (district-wide, or for the agency given with --agency).
    RemoveRole {
        name: String,
        #[arg(long, value_parser = parse_role)]
        role: Role,
        /// The agency the role was given for; without it, the district-wide grant.
        #[arg(long)]
        agency: Option<String>,
        #[command(flatten)]
        store: StoreArgs,
    },
    /// Disable an account at once: no sign-in, its sessions end and its API tokens stop
    /// working. Nothing the person did is removed.
    Disable {
        name: String,
        #[command(flatten)]
        store: StoreArgs,
    },
    /// Re-enable a disabled account (its API tokens work again unless revoked).
    Enable {
        name: String,
        #[command(flatten)]
        store: StoreArgs,
    },
    /// List accounts with their roles and whether they are disabled.
    List {
        #[command(flatten)]
        store: StoreArgs,
    },
}

#[derive(Subcommand)]
enum TokenCommand {
    /// Create an API token for a user; the token is printed once, as the last word. It
    /// expires (90 days unless `--expires-in`); there is no token without expiry.
    Create {
        /// The user the token acts as.
        name: String,
        /// A label to recognise the token by.
        #[arg(long, default_value = "api")]
        label: String,
        /// Days until the token stops working, 1 to 365.
        #[arg(long, value_name = "DAYS", default_value_t = kc_desk::auth::TOKEN_DAYS_DEFAULT)]
        expires_in: u32,
        #[command(flatten)]
        store: StoreArgs,
    },
    /// Give a token a new expiry counted from now, expired or not, by its id from `token
    /// list`, or by a label or user name that matches exactly one active token. The secret
    /// stays the same; a revoked token stays revoked. A token that may have leaked should be
    /// revoked and replaced instead.
    Renew {
        id_or_name: String,
        /// Days from now until the token stops working, 1 to 365.
        #[arg(long, value_name = "DAYS", default_value_t = kc_desk::auth::TOKEN_DAYS_DEFAULT)]
        expires_in: u32,
        #[command(flatten)]
        store: StoreArgs,
    },
    /// List API tokens (id, user, label, created, expiry, status: active, expired or
    /// revoked); never their secrets.
    List {
        /// Only this user's tokens.
        #[arg(long)]
        user: Option<String>,
        #[command(flatten)]
        store: StoreArgs,
    },
    /// Revoke an API token at once, by its id from `token list`, or by a label or user name
    /// that matches exactly one active token.
    Revoke {
        id_or_name: String,
        #[command(flatten)]
        store: StoreArgs,
    },
}

#[derive(Subcommand)]
enum PackCommand {
    /// Validate a pack file and make it the active pack.
    Load {
        file: PathBuf,
        #[command(flatten)]
        store: StoreArgs,
    },
    /// Validate a pack file without loading it.
    Check { file: PathBuf },
    /// Show the active pack: directive, agencies and instruments in force.
    Show {
        #[command(flatten)]
        store: StoreArgs,
    },
}

#[derive(Subcommand)]
enum AuditCommand {
    /// Verify the whole audit chain; names the first event altered or removed.
    Verify {
        #[command(flatten)]
        store: StoreArgs,
    },
}

/// Where scripts/fetch-model puts the semantic model.
const DEFAULT_MODEL: &str = "models/e5-small-q4.bin";

/// The name the shipped pack is stored under.
const SHIPPED_PACK: &str = "packs/ngoc-hoi.toml";

/// The actor that records the built-in pack, in `packs.loaded_by` and the audit log; `pack
/// load` records as `cli`. It is how a stored copy of the built-in pack is told from a pack
/// an operator loaded by hand, even one loaded from the shipped file's path.
const BUILT_IN_LOADER: &str = "system";

fn parse_role(s: &str) -> Result<Role, String> {
    Role::parse(s)
        .ok_or_else(|| format!("unknown role `{s}`; expected one of: {}", Role::expected()))
}

/// `--public-url`: every link the feed, the ClaimReview and the open data carry starts with
/// it, and a feed reader or a search engine follows only absolute links, so a value that is
/// not an `http(s)://host` address is refused at start rather than published.
fn parse_public_url(s: &str) -> Result<String, String> {
    let refuse = |why_vi: &str, why_en: &str| {
        format!(
            "{why_vi}; ví dụ https://kiemchung.ngochoi.kontum.gov.vn / {why_en}; \
             e.g. https://kiemchung.ngochoi.kontum.gov.vn"
        )
    };
    let url = url::Url::parse(s.trim()).map_err(|e| {
        refuse(
            &format!("không phải địa chỉ đầy đủ ({e})"),
            &format!("not an absolute address ({e})"),
        )
    })?;
    if !matches!(url.scheme(), "http" | "https") || !url.has_host() {
        return Err(refuse(
            "phải bắt đầu bằng http:// hoặc https:// và có tên máy",
            "must start with http:// or https:// and name a host",
        ));
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err(refuse(
            "không được có ? hoặc # (các đường dẫn được nối vào sau)",
            "must not carry a ? or # (paths are appended to it)",
        ));
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(refuse(
            "không được chứa tên đăng nhập hay mật khẩu (địa chỉ này được công bố)",
            "must not carry a user name or password (it is published)",
        ));
    }
    Ok(url.as_str().trim_end_matches('/').to_string())
}

fn init_logging(format: &str, quiet: bool) {
    let default = if quiet {
        "warn"
    } else {
        "info,sqlx=warn,tower_http=info"
    };
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(default));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal());
    if format == "json" {
        JSON_LOGS.store(true, std::sync::atomic::Ordering::Relaxed);
        builder.json().init();
    } else {
        builder.init();
    }
}

/// Warns when a data directory made before kiemchung created them private, or opened up by
/// an operator, lets other local users read it. Their choice is kept: a backup group may
/// read it on purpose, and `chmod` is theirs to run.
fn warn_if_exposed(dir: &std::path::Path) {
    let db = dir.join("kiemchung.db");
    for (path, private) in [(dir, "700"), (db.as_path(), "600")] {
        if let Some(mode) = kc_store::private::exposure(path) {
            tracing::warn!(
                "{} có quyền {mode:o}: người dùng khác trên máy có thể đọc liên hệ và mật khẩu đã băm; \
                 nên chạy `chmod {private} {}` / {} has mode {mode:o}: other local users can read \
                 contacts and password hashes; consider `chmod {private} {}`",
                path.display(),
                path.display(),
                path.display(),
                path.display()
            );
        }
    }
}

impl StoreArgs {
    fn url(&self) -> Result<String> {
        if let Some(url) = &self.database_url {
            return Ok(url.clone());
        }
        // Owner-only: the database holds contacts and password hashes (0700 for a directory
        // kiemchung creates; the database file itself is made 0600 by the store).
        // A file at that path answers "File exists", which reads as if the directory were
        // fine: say what is there and which option chose it.
        if self.data_dir.exists() && !self.data_dir.is_dir() {
            let d = self.data_dir.display();
            bail!(
                "--data-dir {d} là một tệp, không phải thư mục; chọn thư mục khác / \
                 --data-dir {d} is a file, not a directory; choose another directory"
            );
        }
        kc_store::private::create_private_dir_all(&self.data_dir).with_context(|| {
            let d = self.data_dir.display();
            format!(
                "không tạo được thư mục dữ liệu (--data-dir) {d} / \
                 cannot create the data directory (--data-dir) {d}"
            )
        })?;
        warn_if_exposed(&self.data_dir);
        Ok(kc_store::sqlite_url_for_dir(&self.data_dir))
    }

    fn describe(&self) -> String {
        match &self.database_url {
            Some(url) => kc_store::redact(url),
            None => {
                let dir =
                    std::fs::canonicalize(&self.data_dir).unwrap_or_else(|_| self.data_dir.clone());
                format!("SQLite in {}", dir.display())
            }
        }
    }

    /// Fails at once, saying what to do, when this user cannot write the data directory or
    /// its database files: SQLite would otherwise fail each connection ("attempt to write
    /// a readonly database") until the pool gives up 30 seconds later. Even a command that
    /// only reads writes there: SQLite's write-ahead log keeps its -wal and -shm files
    /// beside the database.
    fn check_writable(&self) -> Result<()> {
        let dir = &self.data_dir;
        let denied = |e: &std::io::Error| {
            matches!(
                e.kind(),
                std::io::ErrorKind::PermissionDenied | std::io::ErrorKind::ReadOnlyFilesystem
            )
        };
        let probe = dir.join(format!(".kiemchung-write-check-{}", std::process::id()));
        let mut not_writable = match std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&probe)
        {
            Ok(_) => {
                let _ = std::fs::remove_file(&probe);
                None
            }
            Err(e) if denied(&e) => Some(dir.clone()),
            // Anything else is for SQLite to report.
            Err(_) => None,
        };
        for name in ["kiemchung.db", "kiemchung.db-wal", "kiemchung.db-shm"] {
            let file = dir.join(name);
            if not_writable.is_none() && file.is_file() {
                if let Err(e) = std::fs::OpenOptions::new().write(true).open(&file) {
                    if denied(&e) {
                        not_writable = Some(file);
                    }
                }
            }
        }
        if let Some(path) = not_writable {
            let shown = std::fs::canonicalize(&path).unwrap_or(path);
            bail!(
                "không ghi được vào {p}: người dùng chạy lệnh này cần quyền ghi thư mục dữ liệu và \
                 các tệp kiemchung.db* trong đó (SQLite ghi cả khi chỉ đọc). Chạy lệnh bằng người dùng \
                 chạy `kiemchung serve`, hoặc cấp quyền ghi (chown/chmod) / \
                 cannot write to {p}: the user running this command needs write access to the data \
                 directory and its kiemchung.db* files (SQLite writes there even to read). Run the \
                 command as the user that runs `kiemchung serve`, or grant write access (chown/chmod)",
                p = shown.display()
            );
        }
        Ok(())
    }

    /// [`StoreArgs::open`] for commands that read or change an existing desk: a mistyped
    /// `--data-dir` must not quietly create an empty database and report on it.
    async fn open_existing(&self) -> Result<(Store, Pack)> {
        if self.database_url.is_none() {
            let db = self.data_dir.join("kiemchung.db");
            if !db.is_file() {
                bail!(
                    "không có cơ sở dữ liệu ở {} / no desk database in {} (kiemchung.db): \
                     check --data-dir, or start the desk there first with `kiemchung serve`",
                    self.data_dir.display(),
                    self.data_dir.display()
                );
            }
        }
        self.open().await
    }

    /// Opens the store and the active pack, loading the shipped pack on first start.
    async fn open(&self) -> Result<(Store, Pack)> {
        let url = self.url()?;
        if self.database_url.is_none() {
            self.check_writable()?;
        }
        let store = Store::open(&url)
            .await
            .with_context(|| format!("cannot open the database ({})", self.describe()))?;
        let pack = match store.active_pack_record().await? {
            // The shipped pack is updated with kiemchung (e.g. when the law it cites is
            // replaced); a desk still on a built-in copy follows it. A pack loaded by hand
            // stays until someone loads another, even if it was loaded from the shipped
            // file's path (an operator editing packs/ngoc-hoi.toml in place).
            Some(stored)
                if stored.loaded_by == BUILT_IN_LOADER
                    && stored.name == SHIPPED_PACK
                    && stored.source != Pack::shipped_source() =>
            {
                let pack = Pack::shipped().context("the shipped pack is invalid")?;
                let mut tx = store.begin_write(BUILT_IN_LOADER).await?;
                tx.record_pack(SHIPPED_PACK, Pack::shipped_source()).await?;
                tx.commit().await?;
                say!(
                    "Đã cập nhật gói chỉ đạo (pack) có sẵn theo phiên bản kiemchung này / \
                     Updated the shipped directive pack to this version of kiemchung."
                );
                pack
            }
            Some(stored) => Pack::parse(&stored.name, &stored.source)
                .context("the stored pack no longer validates")?,
            None => {
                let pack = Pack::shipped().context("the shipped pack is invalid")?;
                let mut tx = store.begin_write(BUILT_IN_LOADER).await?;
                tx.record_pack(SHIPPED_PACK, Pack::shipped_source()).await?;
                tx.commit().await?;
                say!(
                    "Đã nạp gói chỉ đạo (pack) có sẵn / Loaded the shipped directive pack: {}",
                    pack.directive.subject
                );
                pack
            }
        };
        Ok((store, pack))
    }
}

#[tokio::main]
async fn main() {
    let cli = Cli::parse();
    // An import takes each item through the desk's intake, which logs every report at
    // info: a progress line and the summary say more to the person running it.
    let quiet = matches!(cli.command, Command::Import(_));
    init_logging(&cli.log_format, quiet);
    if let Err(e) = run(cli.command).await {
        if JSON_LOGS.load(std::sync::atomic::Ordering::Relaxed) {
            tracing::error!("{e:#}");
        } else {
            eprintln!("error: {e:#}");
        }
        std::process::exit(1);
    }
}

async fn run(command: Command) -> Result<()> {
    match command {
        // CPU-bound and synchronous: run off the async runtime's worker threads.
        Command::Match(args) => {
            tokio::task::spawn_blocking(move || matching::run_match(&args)).await?
        }
        Command::Eval(args) => {
            tokio::task::spawn_blocking(move || matching::run_eval(&args)).await?
        }
        Command::Embed(args) => {
            tokio::task::spawn_blocking(move || embed_cmd::run_embed(&args)).await?
        }
        Command::Serve(args) => serve(args).await,
        Command::Backup(args) => backup(&args).await,
        Command::Restore(args) => restore_cmd::run_restore(&args.restore, &args.store).await,
        Command::Report(args) => {
            let (store, pack) = args.store.open_existing().await?;
            report_cmd::run_report(&args.report, &store, &pack).await
        }
        Command::Import(args) => {
            let (store, pack) = args.store.open().await?;
            let semantic = semantic_model(args.model.clone(), &args.store)?;
            let desk = kc_web::desk::Desk::new(store, pack, semantic)
                .await
                .map_err(kc_web::WebError::Desk)?;
            import_cmd::run_import(&args.import, &desk).await
        }
        Command::User(command) => users::run(command).await,
        Command::Token(command) => users::run_token(command).await,
        Command::Pack(PackCommand::Check { file }) => {
            let pack = read_pack(&file)?;
            println!(
                "{}: valid — {} agencies, {} duties, {} instruments, {} provisions",
                file.display(),
                pack.agencies.len(),
                pack.duties.len(),
                pack.instruments.len(),
                pack.provisions.len()
            );
            Ok(())
        }
        Command::Pack(PackCommand::Load { file, store }) => {
            let pack = read_pack(&file)?;
            let source = std::fs::read_to_string(&file)?;
            let (store, _) = store.open().await?;
            let mut tx = store.begin_write("cli").await?;
            tx.record_pack(&file.display().to_string(), &source).await?;
            tx.commit().await?;
            println!(
                "Loaded {} ({} agencies). Restart `kiemchung serve` to use it.",
                file.display(),
                pack.agencies.len()
            );
            Ok(())
        }
        Command::Pack(PackCommand::Show { store }) => {
            // Shows the shipped pack on a desk not started yet, too.
            let (_, pack) = store.open().await?;
            show_pack(&pack);
            Ok(())
        }
        Command::Audit(AuditCommand::Verify { store }) => {
            let (store, _) = store.open_existing().await?;
            match store.audit_verify().await {
                Ok(n) => {
                    println!(
                        "Nhật ký kiểm toán nguyên vẹn: đã kiểm {n} sự kiện / audit chain intact: {n} events verified"
                    );
                    Ok(())
                }
                Err(e) => bail!("nhật ký kiểm toán bị sửa hoặc xoá / audit chain broken: {e}"),
            }
        }
    }
}

fn print_line(line: std::fmt::Arguments) {
    let mut stdout = std::io::stdout().lock();
    if let Err(e) = std::io::Write::write_fmt(&mut stdout, format_args!("{line}\n")) {
        if e.kind() == std::io::ErrorKind::BrokenPipe {
            std::process::exit(0);
        }
        eprintln!("error: cannot write the output: {e}");
        std::process::exit(1);
    }
}

fn read_pack(file: &std::path::Path) -> Result<Pack> {
    let source =
        std::fs::read_to_string(file).with_context(|| format!("cannot read {}", file.display()))?;
    Ok(Pack::parse(&file.display().to_string(), &source)?)
}

fn show_pack(pack: &Pack) {
    let d = &pack.directive;
    out!("{} — {}", d.number, d.subject);
    out!("\nCơ quan / agencies:");
    for a in &pack.agencies {
        out!("  {:<14} {}", a.code, a.name_vi);
    }
    out!("\nVăn bản pháp lý / legal instruments:");
    for i in &pack.instruments {
        let note = match pack.in_force(&i.id) {
            Some(now) if now.id != i.id => {
                format!("  → thay thế bởi / superseded by {}", now.number)
            }
            _ => String::new(),
        };
        out!("  {:<24} {}{}", i.number, i.title_vi, note);
    }
}

/// How far ahead `serve` names the tokens about to expire.
const TOKEN_WARN_DAYS: i64 = 14;

/// Names, at start, the tokens that stop working within two weeks: an importer whose token
/// lapses fails quietly at night, and the operator starting the desk can renew it first.
async fn warn_of_expiring_tokens(store: &kc_store::Store) -> Result<()> {
    let now = chrono::Utc::now();
    let horizon = now + chrono::Duration::days(TOKEN_WARN_DAYS);
    let soon: Vec<String> = store
        .tokens(None)
        .await?
        .into_iter()
        .filter(|t| !t.revoked && !t.expired(now) && t.expired(horizon))
        .map(|t| format!("{} ({} of {})", t.id, t.name, t.user))
        .collect();
    if !soon.is_empty() {
        say!(
            "{} mã truy cập API hết hạn trong {TOKEN_WARN_DAYS} ngày tới / API tokens expiring within {TOKEN_WARN_DAYS} days: {}; `kiemchung token list` shows when, `kiemchung token renew ID` extends one",
            soon.len(),
            soon.join(", ")
        );
    }
    // Those already lapsed and not revoked: a script still using one is being refused.
    let lapsed: Vec<String> = store
        .tokens(None)
        .await?
        .into_iter()
        .filter(|t| !t.revoked && t.expired(now))
        .map(|t| format!("{} ({} of {})", t.id, t.name, t.user))
        .collect();
    if !lapsed.is_empty() {
        say!(
            "{} mã truy cập API đã hết hạn, chưa thu hồi / API tokens expired, not revoked: {}; `kiemchung token renew ID` brings one back, `kiemchung token revoke ID` retires it",
            lapsed.len(),
            lapsed.join(", ")
        );
    }
    Ok(())
}

/// The listening socket for `serve`, or what to do when the address cannot be had.
async fn listen(addr: SocketAddr) -> Result<tokio::net::TcpListener> {
    tokio::net::TcpListener::bind(addr).await.map_err(|e| {
        let (vi, en) = match e.kind() {
            std::io::ErrorKind::AddrInUse => (
                "đã có chương trình khác dùng địa chỉ này (có thể là một kiemchung serve khác); \
                 dừng chương trình đó hoặc chọn cổng khác bằng --addr",
                "another program already uses this address (perhaps another kiemchung serve); \
                 stop it or choose another port with --addr",
            ),
            std::io::ErrorKind::PermissionDenied => (
                "không có quyền dùng cổng này (cổng dưới 1024 cần quyền quản trị); chọn cổng khác \
                 bằng --addr, ví dụ 127.0.0.1:8080",
                "no permission to use this port (ports below 1024 need privileges); choose another \
                 with --addr, e.g. 127.0.0.1:8080",
            ),
            std::io::ErrorKind::AddrNotAvailable => (
                "máy này không có địa chỉ IP đó; kiểm tra --addr",
                "this machine has no such IP address; check --addr",
            ),
            _ => ("kiểm tra --addr", "check --addr"),
        };
        anyhow::anyhow!("không mở được {addr}: {vi} / cannot listen on {addr}: {en} ({e})")
    })
}

async fn serve(args: ServeArgs) -> Result<()> {
    // Before the database and the model: a busy port is told at once.
    let listener = listen(args.addr).await?;
    let (store, pack) = args.store.open().await?;
    let users = store.user_count().await?;
    let public_url = args
        .public_url
        .clone()
        .unwrap_or_else(|| format!("http://{}", args.addr));
    let mut config = kc_web::WebConfig::for_url(&public_url);
    config.report_rate_per_minute = args.report_rate;
    config.trust_proxy = args.trust_proxy;
    config.warm_up_in_background = true;
    let semantic = semantic_model(args.model.clone(), &args.store)?;
    let state = kc_web::app(store, pack, config, semantic).await?;
    match state.desk.semantic_status() {
        kc_web::desk::SemanticStatus::WarmingUp { .. } => {
            let (stored, _) = state.desk.semantic_vectors().unwrap_or_default();
            say!(
                "semantic: đang tính vector cho các nhận định chưa có ({stored} đã lưu); trong lúc đó đối chiếu theo từ ngữ / \
                 computing the missing claim vectors in the background ({stored} cached); matching by words until done"
            );
        }
        kc_web::desk::SemanticStatus::Ready => {
            let (stored, _) = state.desk.semantic_vectors().unwrap_or_default();
            say!(
                "semantic: {stored} vector đã lưu, đối chiếu cả theo nghĩa / \
                 {stored} claim vectors cached, matching by meaning too"
            );
        }
        kc_web::desk::SemanticStatus::Off => {}
    }
    let addr = listener.local_addr()?;
    say!(
        "kiemchung đang chạy tại / is serving on http://{addr}/  \
         (quản trị / console: http://{addr}/quan-tri)"
    );
    match &args.store.database_url {
        Some(_) => say!(
            "dữ liệu / data: {} ({})",
            args.store.describe(),
            state.desk.store.backend().name()
        ),
        None => say!("dữ liệu / data: {}", args.store.describe()),
    }
    // Without --public-url the feed, ClaimReview and open data link to the listening
    // address, which no reader can open when it is 0.0.0.0 or loopback behind a proxy.
    if args.public_url.is_none()
        && (args.addr.ip().is_unspecified() || args.addr.ip().is_loopback())
    {
        say!(
            "địa chỉ công khai / public URL: {public_url} — nguồn tin, ClaimReview và dữ liệu mở \
             dẫn về địa chỉ này; khi chạy cho người dân, đặt --public-url https://TÊN-MIỀN / \
             the feed, ClaimReview and open data link to it; for a public desk set \
             --public-url https://YOUR-DOMAIN"
        );
    }
    warn_of_expiring_tokens(&state.desk.store).await?;
    if users == 0 {
        // The database this desk serves: on PostgreSQL a `--data-dir` here would make the
        // administrator in an SQLite file the desk never reads.
        let (store_arg, redacted) = match &args.store.database_url {
            Some(url) => {
                let shown = kc_store::redact(url);
                let redacted = shown != *url;
                (format!("--database-url '{shown}'"), redacted)
            }
            None => (
                format!("--data-dir {}", args.store.data_dir.display()),
                false,
            ),
        };
        say!(
            "\nChưa có tài khoản cán bộ nào. Tạo tài khoản quản trị đầu tiên / \
             No staff accounts yet. Create the first administrator with:"
        );
        say!("  printf '%s\\n' 'a-long-password' | kiemchung user add admin --role admin {store_arg}");
        if redacted {
            say!("  (điền mật khẩu cơ sở dữ liệu vào chỗ *** / put the database password where *** is)");
        }
        say!(
            "rồi tài khoản cán bộ / and staff with --role intake|verifier|reviewer|editor|lead|auditor [--agency CODE].\n"
        );
    }
    kc_web::spawn_upkeep(
        state.clone(),
        std::time::Duration::from_secs(args.refresh_secs.max(1)),
    );
    kc_web::spawn_change_follower(state.clone()).await;
    let store = state.desk.store.clone();
    kc_web::serve(state, listener, shutdown_signal()).await?;
    // A clean stop folds the WAL into the database file and empties it, so no older page
    // (a purged contact's) stays behind in it.
    store.close().await;
    say!("kiemchung đã dừng / kiemchung stopped");
    Ok(())
}

async fn backup(args: &BackupCommand) -> Result<()> {
    let out = &args.out;
    if out.exists() {
        bail!(
            "{} đã có; chọn tên khác / {} already exists; choose another name",
            out.display(),
            out.display()
        );
    }
    // Checked before anything is written, so the answer names the directory once rather
    // than the OS error twice through the layers below.
    let dir = match out.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => std::path::Path::new("."),
    };
    if !dir.is_dir() {
        let what_vi = if dir.exists() {
            "không phải là thư mục"
        } else {
            "không tồn tại"
        };
        let what_en = if dir.exists() {
            "is not a directory"
        } else {
            "does not exist"
        };
        bail!(
            "thư mục {d} {what_vi}; hãy tạo nó trước (mkdir -p {d}) hoặc chọn nơi khác / the directory {d} {what_en}; create it first (mkdir -p {d}) or choose another place",
            d = dir.display()
        );
    }
    let (store, _) = args.store.open_existing().await?;
    match store.backend() {
        kc_store::Backend::Sqlite => {
            store
                .backup_sqlite_to(out)
                .await
                .with_context(|| format!("cannot write the backup to {}", out.display()))?;
            // Read the copy back: a backup is only as good as what can be restored.
            let copy = Store::open(&format!("sqlite://{}?mode=rw", out.display()))
                .await
                .with_context(|| format!("the backup {} cannot be opened", out.display()))?;
            let events = copy
                .audit_verify()
                .await
                .map_err(|e| anyhow::anyhow!("the backup's audit chain is broken: {e}"))?;
            copy.close().await;
            let size = std::fs::metadata(out).map(|m| m.len()).unwrap_or(0);
            let (shown, kb) = (out.display(), size.div_ceil(1024));
            println!(
                "Đã sao lưu vào {shown} ({kb} KB); chuỗi nhật ký kiểm toán của bản sao nguyên vẹn ({events} sự kiện) / backed up to {shown} ({kb} KB); the copy's audit chain is intact ({events} events)."
            );
            println!(
                "Khôi phục / restore: kiemchung restore --from {} --data-dir DIR",
                out.display()
            );
        }
        kc_store::Backend::Postgres => {
            let url = args
                .store
                .database_url
                .clone()
                .context("a PostgreSQL store without its URL")?;
            let pg_dump = pg_tool("pg_dump")?;
            let mut command = pg_command(&pg_dump, &url)?;
            // pg_dump writes into the file as it finds it: made owner-only first, since
            // the dump holds contacts and password hashes.
            kc_store::private::create_private_file(out)
                .with_context(|| format!("cannot create {}", out.display()))?;
            let ran = command
                .args(["--format=custom", "--no-owner", "--file"])
                .arg(out)
                .status()
                .with_context(|| format!("cannot run {}", pg_dump.display()));
            if !matches!(&ran, Ok(status) if status.success()) {
                let _ = std::fs::remove_file(out);
                let status = ran?;
                bail!(
                    "pg_dump failed ({status}); nothing was written to {}",
                    out.display()
                );
            }
            println!(
                "Đã sao lưu / backed up to {} (pg_dump, custom format).",
                out.display()
            );
            println!(
                "Khôi phục / restore: kiemchung restore --from {} --database-url URL",
                out.display()
            );
        }
    }
    Ok(())
}

/// A PostgreSQL client program's command, connected to the database at `url` (given as
/// --dbname, without its password).
fn pg_command(program: &std::path::Path, url: &str) -> Result<std::process::Command> {
    // The password goes through the environment: on the command line `ps` would show it
    // to every user of the machine.
    let mut target = url::Url::parse(url).context("the database URL is not a URL")?;
    let password = target.password().map(percent_decode);
    let _ = target.set_password(None);
    let mut command = std::process::Command::new(program);
    if let Some(p) = password {
        command.env("PGPASSWORD", p);
    }
    command.arg(format!("--dbname={target}"));
    Ok(command)
}

/// `%XX` escapes of a URL part decoded (a password may hold `@` or `:`).
fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| (b as char).to_digit(16);
        match (
            bytes[i],
            bytes.get(i + 1).copied().and_then(hex),
            bytes.get(i + 2).copied().and_then(hex),
        ) {
            (b'%', Some(h), Some(l)) => {
                out.push(u8::try_from(h * 16 + l).unwrap_or(b'?'));
                i += 3;
            }
            (b, _, _) => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// A PostgreSQL client program: on the PATH, or the newest of Debian's server packages.
fn pg_tool(name: &str) -> Result<PathBuf> {
    let on_path = std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|d| d.join(name))
            .find(|p| p.is_file())
    });
    if let Some(p) = on_path {
        return Ok(p);
    }
    let mut found: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
        .map(|dirs| {
            dirs.filter_map(|d| d.ok())
                .map(|d| d.path().join("bin").join(name))
                .filter(|p| p.is_file())
                .collect()
        })
        .unwrap_or_default();
    // Version directories are numbers: the newest sorts last by number.
    found.sort_by_key(|p| {
        p.iter()
            .rev()
            .nth(2)
            .and_then(|v| v.to_str())
            .and_then(|v| v.parse::<u32>().ok())
            .unwrap_or(0)
    });
    found.pop().with_context(|| {
        format!(
            "không tìm thấy {name} / {name} not found: install PostgreSQL's client programs \
             (apt-get install postgresql-client)"
        )
    })
}

/// The semantic model for matching: `model`, or models/e5-small-q4.bin when it exists.
fn semantic_model(
    model: Option<PathBuf>,
    store: &StoreArgs,
) -> Result<Option<kc_web::SemanticModel>> {
    let default_model = PathBuf::from(DEFAULT_MODEL);
    let model_path = model.or_else(|| default_model.exists().then_some(default_model));
    Ok(match &model_path {
        Some(path) => {
            let (encoder, hash) = embed_cmd::load_model(path, None)?;
            let cache = embed_cmd::open_cache(&store.data_dir, &hash, &encoder)?;
            say!(
                "đối chiếu theo từ ngữ và theo nghĩa / matching: lexical + semantic ({}, sha256 {}); \
                 {} vector đã lưu / vectors cached in {}",
                path.display(),
                hash.get(..12).unwrap_or(&hash),
                cache.len(),
                cache
                    .path()
                    .map_or_else(String::new, |p| p.display().to_string()),
            );
            Some(kc_web::SemanticModel {
                encoder: std::sync::Arc::new(encoder),
                cache,
            })
        }
        None => {
            say!(
                "đối chiếu chỉ theo từ ngữ (chưa có mô hình; scripts/fetch-model tải về) / \
                 matching: lexical only (no semantic model; scripts/fetch-model gets it)"
            );
            None
        }
    })
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        if let Ok(mut s) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        {
            s.recv().await;
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = term => {},
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_password_from_a_url_is_decoded_for_pg_dump() {
        assert_eq!(super::percent_decode("p%40ss%3Aw%C3%B3rd%"), "p@ss:wórd%");
        assert_eq!(super::percent_decode("plain"), "plain");
    }
}
