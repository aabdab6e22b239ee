//! The `kiemchung` binary as an operator uses it: real processes, a real data directory,
//! a real server on 127.0.0.1.

mod admin;
mod hybrid;
mod privacy;
mod restore;

use std::io::{BufRead, BufReader, Write};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

fn kiemchung() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_kiemchung"));
    c.env_remove("KIEMCHUNG_DATABASE_URL")
        .env("RUST_LOG", "warn");
    c
}

fn run_with_stdin(args: &[&str], stdin: &str) -> Output {
    let mut child = kiemchung()
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn kiemchung");
    // A command that refuses its arguments exits before reading stdin: a broken pipe is
    // then its answer, not the test's failure.
    if let Err(e) = child
        .stdin
        .take()
        .expect("stdin")
        .write_all(stdin.as_bytes())
    {
        assert_eq!(e.kind(), std::io::ErrorKind::BrokenPipe, "write stdin: {e}");
    }
    child.wait_with_output().expect("wait")
}

fn text(o: &Output) -> (String, String) {
    (
        String::from_utf8_lossy(&o.stdout).into_owned(),
        String::from_utf8_lossy(&o.stderr).into_owned(),
    )
}

struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Starts `serve` on a free port and returns it with the first lines it printed.
fn serve(dir: &str) -> (Server, String, String) {
    serve_on(&["--data-dir", dir])
}

/// As [`serve`], on the database the options name (`--data-dir DIR`, `--database-url URL`).
fn serve_on(store: &[&str]) -> (Server, String, String) {
    serve_as(kiemchung(), store)
}

/// As [`serve_on`], from the command given (its environment set).
fn serve_as(mut command: Command, store: &[&str]) -> (Server, String, String) {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("free port")
        .port();
    let mut child = command
        .arg("serve")
        .args(store)
        .args(["--addr", &format!("127.0.0.1:{port}")])
        .stderr(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()
        .expect("spawn serve");
    let stderr = child.stderr.take().expect("stderr");
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    let mut printed = String::new();
    let deadline = Instant::now() + Duration::from_secs(60);
    let mut ready_at = None;
    while Instant::now() < deadline {
        if let Ok(line) = rx.recv_timeout(Duration::from_millis(100)) {
            printed.push_str(&line);
            printed.push('\n');
        }
        // Once it says where it serves, give it a moment to print the rest of its banner.
        if ready_at.is_none() && printed.contains("data:") {
            ready_at = Some(Instant::now());
        }
        if ready_at.is_some_and(|t| t.elapsed() > Duration::from_millis(500)) {
            break;
        }
    }
    (Server(child), format!("127.0.0.1:{port}"), printed)
}

fn http_get(addr: &str, path: &str, token: Option<&str>) -> String {
    use std::io::Read;
    let mut s = std::net::TcpStream::connect(addr).expect("connect");
    let auth = token
        .map(|t| format!("Authorization: Bearer {t}\r\n"))
        .unwrap_or_default();
    write!(
        s,
        "GET {path} HTTP/1.1\r\nHost: {addr}\r\n{auth}Connection: close\r\n\r\n"
    )
    .expect("send");
    let mut out = String::new();
    s.read_to_string(&mut out).expect("read");
    out
}

#[test]
fn first_start_loads_the_pack_and_says_how_to_create_the_admin() {
    let dir = tempfile::tempdir().expect("dir");
    let d = dir.path().to_str().expect("utf-8 path");
    let (_server, addr, printed) = serve(d);
    assert!(
        printed.contains(&format!("http://{addr}/")),
        "serve prints its URL: {printed}"
    );
    assert!(
        printed.contains("SQLite in"),
        "serve says where its data lives: {printed}"
    );
    assert!(
        printed.contains("user add admin --role admin"),
        "first-admin hint: {printed}"
    );
    // In Vietnamese first, as the desk's other messages: its operator may read no English.
    for said in [
        "kiemchung đang chạy tại / is serving on",
        "Chưa có tài khoản cán bộ nào. Tạo tài khoản quản trị đầu tiên / No staff accounts yet.",
        "Đã nạp gói chỉ đạo (pack) có sẵn / Loaded the shipped directive pack",
    ] {
        assert!(printed.contains(said), "{said:?}: {printed}");
    }
    let health = http_get(&addr, "/healthz", None);
    assert!(health.contains("{\"status\":\"ok\"}"), "{health}");
    assert!(dir.path().join("kiemchung.db").exists());
}

/// Started as the README says (no --public-url), the desk's feed and ClaimReview link to
/// http://127.0.0.1:8080, which no reader can open: the operator is told, with the option,
/// and not when the option is given.
#[test]
fn serve_without_a_public_url_says_where_its_feed_links_lead() {
    let dir = tempfile::tempdir().expect("dir");
    let d = dir.path().to_str().expect("utf-8 path");
    let (server, addr, printed) = serve(d);
    drop(server);
    let line = printed
        .lines()
        .find(|l| l.contains("public URL"))
        .unwrap_or_else(|| panic!("no public URL line: {printed}"));
    assert!(
        line.starts_with("địa chỉ công khai / public URL: ")
            && line.contains(&format!("http://{addr}"))
            && line.contains("--public-url"),
        "{line}"
    );
    let (_server, _, printed) = serve_on(&["--data-dir", d, "--public-url", "https://kc.example"]);
    assert!(!printed.contains("public URL"), "{printed}");
}

/// On PostgreSQL, the first start's hint names that database: the command it prints, run as
/// printed, makes the administrator of the desk that printed it (it named `--data-dir
/// ./kiemchung-data`, a new SQLite desk the PostgreSQL one never reads).
#[test]
fn the_first_admin_hint_names_the_postgresql_database_the_desk_serves() {
    let Some(url) = restore::pg_database("kc_first_admin_hint") else {
        return;
    };
    let dir = tempfile::tempdir().expect("tempdir");
    let (server, _, printed) = serve_on(&["--database-url", &url]);
    drop(server);
    let hint = printed
        .lines()
        .find(|l| l.contains("user add admin"))
        .expect(&printed);
    assert!(hint.contains(&format!("--database-url '{url}'")), "{hint}");
    assert!(!hint.contains("--data-dir"), "{hint}");
    let out = Command::new("sh")
        .arg("-c")
        .arg(hint.trim().replace(
            "kiemchung ",
            &format!("'{}' ", env!("CARGO_BIN_EXE_kiemchung")),
        ))
        .current_dir(dir.path())
        .env_remove("KIEMCHUNG_DATABASE_URL")
        .output()
        .expect("run the hint");
    assert!(out.status.success(), "{:?}", text(&out));
    let out = kiemchung()
        .args(["user", "list", "--database-url", &url])
        .output()
        .expect("user list");
    assert!(text(&out).0.contains("admin"), "{:?}", text(&out));
    assert!(
        !dir.path().join("kiemchung-data").exists(),
        "no SQLite desk made beside it"
    );
}

#[test]
fn users_and_tokens_from_the_command_line_reach_the_api() {
    let dir = tempfile::tempdir().expect("dir");
    let d = dir.path().to_str().expect("utf-8 path");
    let weak = run_with_stdin(
        &["user", "add", "lan", "--role", "intake", "--data-dir", d],
        "short\n",
    );
    assert!(!weak.status.success());
    assert!(text(&weak).1.contains("at least 8"), "{:?}", text(&weak));
    let bad_role = run_with_stdin(
        &["user", "add", "lan", "--role", "boss", "--data-dir", d],
        "long-enough-pw\n",
    );
    assert!(!bad_role.status.success());
    assert!(
        text(&bad_role).1.contains("intake"),
        "lists the roles: {:?}",
        text(&bad_role)
    );
    let bad_agency = run_with_stdin(
        &[
            "user",
            "add",
            "lan",
            "--role",
            "intake",
            "--agency",
            "khong-co",
            "--data-dir",
            d,
        ],
        "long-enough-pw\n",
    );
    assert!(!bad_agency.status.success());
    assert!(
        text(&bad_agency).1.contains("unknown agency `khong-co`"),
        "{:?}",
        text(&bad_agency)
    );

    let ok = run_with_stdin(
        &["user", "add", "lan", "--role", "intake", "--data-dir", d],
        "long-enough-pw\n",
    );
    assert!(ok.status.success(), "{:?}", text(&ok));
    assert!(text(&ok).0.contains("created user lan"));
    // Vietnamese first, as every message of the desk.
    assert!(
        text(&ok)
            .0
            .starts_with("Đã tạo tài khoản lan, vai trò intake (mọi cơ quan) / "),
        "{:?}",
        text(&ok)
    );
    let token_out = run_with_stdin(&["token", "create", "lan", "--data-dir", d], "");
    assert!(token_out.status.success(), "{:?}", text(&token_out));
    let stdout = text(&token_out).0;
    let token = stdout
        .split_whitespace()
        .last()
        .expect("token is the last word")
        .to_string();
    assert!(token.starts_with("kct_"));
    let nobody = run_with_stdin(&["token", "create", "nobody", "--data-dir", d], "");
    assert!(!nobody.status.success());

    let (_server, addr, _) = serve(d);
    let cases = http_get(&addr, "/api/v1/cases", Some(&token));
    assert!(cases.starts_with("HTTP/1.1 200"), "{cases}");
    let anonymous = http_get(&addr, "/api/v1/cases", None);
    assert!(anonymous.starts_with("HTTP/1.1 401"), "{anonymous}");
}

#[test]
fn audit_verify_names_the_first_altered_event() {
    let dir = tempfile::tempdir().expect("dir");
    let d = dir.path().to_str().expect("utf-8 path");
    for (name, role) in [("a", "intake"), ("b", "verifier"), ("c", "reviewer")] {
        let o = run_with_stdin(
            &["user", "add", name, "--role", role, "--data-dir", d],
            "long-enough-pw\n",
        );
        assert!(o.status.success(), "{:?}", text(&o));
    }
    let ok = run_with_stdin(&["audit", "verify", "--data-dir", d], "");
    assert!(ok.status.success(), "{:?}", text(&ok));
    assert!(
        text(&ok).0.contains("audit chain intact: 4 events")
            && text(&ok)
                .0
                .starts_with("Nhật ký kiểm toán nguyên vẹn: đã kiểm 4 sự kiện"),
        "{:?}",
        text(&ok)
    );

    // Someone with access to the database file edits history behind the desk's back.
    let url = format!("sqlite://{}/kiemchung.db", d);
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    rt.block_on(async {
        sqlx::any::install_default_drivers();
        let pool = sqlx::AnyPool::connect(&url).await.expect("open db");
        sqlx::raw_sql(
            "DROP TRIGGER audit_no_update; UPDATE audit_events SET actor = 'x' WHERE seq = 3",
        )
        .execute(&pool)
        .await
        .expect("tamper");
        pool.close().await;
    });
    let broken = run_with_stdin(&["audit", "verify", "--data-dir", d], "");
    assert!(!broken.status.success());
    assert!(
        text(&broken).1.contains("audit event 3 was altered"),
        "{:?}",
        text(&broken)
    );
}

#[test]
fn pack_errors_name_the_file_line_and_field() {
    let dir = tempfile::tempdir().expect("dir");
    let shipped = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../packs/ngoc-hoi.toml"
    ))
    .expect("shipped pack");
    let good = dir.path().join("good.toml");
    std::fs::write(&good, &shipped).expect("write");
    let check = run_with_stdin(&["pack", "check", good.to_str().expect("path")], "");
    assert!(check.status.success(), "{:?}", text(&check));

    // A syntax error: an unterminated string on a known line.
    let broken = dir.path().join("broken.toml");
    let mut lines: Vec<String> = shipped.lines().map(str::to_string).collect();
    let at = lines
        .iter()
        .position(|l| l.trim_start().starts_with("code"))
        .expect("a code line");
    lines[at] = "code = \"khong-dong".to_string();
    std::fs::write(&broken, lines.join("\n")).expect("write");
    let out = run_with_stdin(&["pack", "check", broken.to_str().expect("path")], "");
    assert!(!out.status.success());
    let err = text(&out).1;
    assert!(
        err.contains(&format!("broken.toml:{}", at + 1)),
        "names file and line {}: {err}",
        at + 1
    );

    let d = dir.path().join("data");
    let load = run_with_stdin(
        &[
            "pack",
            "load",
            good.to_str().expect("path"),
            "--data-dir",
            d.to_str().expect("path"),
        ],
        "",
    );
    assert!(load.status.success(), "{:?}", text(&load));
    let show = run_with_stdin(
        &["pack", "show", "--data-dir", d.to_str().expect("path")],
        "",
    );
    assert!(
        text(&show).0.contains("147/2024/NĐ-CP"),
        "shows the instrument in force: {:?}",
        text(&show)
    );
}

#[test]
fn help_explains_every_command() {
    let out = kiemchung().arg("--help").output().expect("run");
    let help = String::from_utf8_lossy(&out.stdout);
    for cmd in [
        "serve", "user", "token", "pack", "audit", "match", "eval", "embed", "import", "report",
        "backup", "restore",
    ] {
        assert!(help.contains(cmd), "--help lists {cmd}: {help}");
    }
    // Each format `report --format` takes is named where the command is listed.
    let report_line = help
        .lines()
        .find(|l| l.trim_start().starts_with("report "))
        .unwrap_or_default();
    assert!(
        report_line.contains("Markdown")
            && report_line.contains("Word")
            && report_line.contains("JSON"),
        "--help names the report's formats: {report_line}"
    );
    let out = kiemchung().args(["serve", "--help"]).output().expect("run");
    let help = String::from_utf8_lossy(&out.stdout);
    assert!(
        help.contains("--data-dir") && help.contains("--database-url") && help.contains("--addr")
    );
}

#[test]
fn an_import_takes_each_item_once_and_names_the_bad_ones() {
    let dir = tempfile::tempdir().expect("tempdir");
    let data = dir.path().join("data");
    let data = data.to_str().expect("utf-8 path");
    let feed = dir.path().join("nguon.jsonl");
    let import = |file: &std::path::Path| {
        let out = kiemchung()
            .args(["import", file.to_str().expect("path"), "--data-dir", data])
            .output()
            .expect("run import");
        (out.status.success(), text(&out).1)
    };
    std::fs::write(
        &feed,
        "{\"id\": \"p1\", \"text\": \"Điện lực hoàn tiền điện tháng 11 cho mọi hộ dân\", \"url\": \"https://fb.com/p/1\"}\n\
         {\"urls\": [\"https://fb.com/p/2\"]}\n\
         {\"text\": \"Uống nước chanh nóng chữa khỏi ung thư\"}\n",
    )
    .expect("write");
    let (ok, err) = import(&feed);
    assert!(!ok, "a bad item makes the run fail: {err}");
    assert!(err.contains("nguon.jsonl:2: `text`"), "{err}");
    assert!(err.contains("2 mục mới / new items"), "{err}");
    assert!(err.contains("/ 1 item was not taken, see above"), "{err}");
    // Again, as after an interruption: nothing is taken twice.
    let (_, err) = import(&feed);
    assert!(
        err.contains("0 mục mới / new items") && err.contains("2 đã nhập trước đó"),
        "{err}"
    );
    // The bad line fixed: only it is new.
    std::fs::write(
        &feed,
        "{\"id\": \"p1\", \"text\": \"Điện lực hoàn tiền điện tháng 11 cho mọi hộ dân\", \"url\": \"https://fb.com/p/1\"}\n\
         {\"text\": \"Ảnh chụp lũ quét ở Ngọc Hồi là ảnh cũ từ năm 2019\", \"urls\": [\"https://fb.com/p/2\"]}\n\
         {\"text\": \"Uống nước chanh nóng chữa khỏi ung thư\"}\n",
    )
    .expect("write");
    let (ok, err) = import(&feed);
    assert!(ok, "{err}");
    assert!(
        err.contains("1 mục mới / new items") && err.contains("2 đã nhập trước đó"),
        "{err}"
    );
    // A feed saved under another name is still the same feed.
    let rss = "<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>Nguồn</title>\
               <link>https://nguon.example.vn/</link><item><title>Tin đồn cấm xe máy ở Ngọc Hồi</title>\
               <guid>g-1</guid></item></channel></rss>";
    let day1 = dir.path().join("feed-2026-11-29.xml");
    let day2 = dir.path().join("feed-2026-11-30.xml");
    std::fs::write(&day1, rss).expect("write");
    std::fs::write(&day2, rss).expect("write");
    let (ok, err) = import(&day1);
    assert!(ok && err.contains("1 mục mới / new items"), "{err}");
    let (ok, err) = import(&day2);
    assert!(ok && err.contains("0 mục mới / new items"), "{err}");
    // A format it cannot tell is asked for.
    let odd = dir.path().join("nguon.txt");
    std::fs::write(&odd, "x").expect("write");
    let (ok, err) = import(&odd);
    assert!(!ok && err.contains("--format"), "{err}");
}

#[test]
fn a_backup_is_a_database_the_desk_can_open() {
    let dir = tempfile::tempdir().expect("tempdir");
    let data = dir.path().join("data");
    let data = data.to_str().expect("utf-8 path");
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
    let copy = dir.path().join("sao-luu.db");
    let copy_s = copy.to_str().expect("utf-8 path");
    let out = kiemchung()
        .args(["backup", "--out", copy_s, "--data-dir", data])
        .output()
        .expect("run backup");
    let (stdout, stderr) = text(&out);
    assert!(out.status.success(), "{stdout}{stderr}");
    assert!(stdout.contains("audit chain is intact"), "{stdout}");
    assert!(
        stdout.starts_with("Đã sao lưu vào ")
            && stdout.contains("chuỗi nhật ký kiểm toán của bản sao nguyên vẹn"),
        "Vietnamese first, all of it: {stdout}"
    );
    // The copy is a working desk database: the account is in it.
    let url = format!("sqlite://{copy_s}");
    let out = kiemchung()
        .args(["user", "list", "--database-url", &url])
        .output()
        .expect("run user list");
    let (stdout, stderr) = text(&out);
    assert!(
        out.status.success() && stdout.contains("admin"),
        "{stdout}{stderr}"
    );
    // Never over an existing file.
    let out = kiemchung()
        .args(["backup", "--out", copy_s, "--data-dir", data])
        .output()
        .expect("run backup");
    assert!(!out.status.success());
    assert!(text(&out).1.contains("already exists"), "{:?}", text(&out));
    // Into a directory that is not there: one message naming it, in both languages.
    let missing = dir.path().join("chua-co");
    let into = missing.join("x.db");
    let out = kiemchung()
        .args([
            "backup",
            "--out",
            into.to_str().expect("utf-8 path"),
            "--data-dir",
            data,
        ])
        .output()
        .expect("run backup");
    let (_, err) = text(&out);
    assert!(!out.status.success());
    let named = missing.to_str().expect("utf-8 path");
    assert!(
        err.contains(&format!("thư mục {named} không tồn tại"))
            && err.contains(&format!("the directory {named} does not exist")),
        "{err}"
    );
    assert!(!err.contains("os error"), "{err}");
    assert!(!missing.exists(), "nothing is created");
}

#[test]
fn a_mistyped_data_dir_is_an_error_not_an_empty_desk() {
    let dir = tempfile::tempdir().expect("tempdir");
    let typo = dir.path().join("kiemchung-dta");
    let typo = typo.to_str().expect("utf-8 path");
    let out_file = dir.path().join("b.db");
    for args in [
        vec!["report", "--data-dir", typo],
        vec!["audit", "verify", "--data-dir", typo],
        vec!["user", "list", "--data-dir", typo],
        vec![
            "backup",
            "--out",
            out_file.to_str().expect("path"),
            "--data-dir",
            typo,
        ],
    ] {
        let out = kiemchung().args(&args).output().expect("run");
        let (_, err) = text(&out);
        assert!(!out.status.success(), "{args:?}");
        assert!(err.contains("no desk database"), "{args:?}: {err}");
        assert!(
            !std::path::Path::new(typo).exists(),
            "{args:?} created {typo}"
        );
    }
}

/// `serve --data-dir` pointing at a file (a backup's name typed for the directory's) is
/// named as such, with the option, in both languages: it said only "File exists".
#[test]
fn a_data_dir_that_is_a_file_is_named_as_one() {
    let dir = tempfile::tempdir().expect("tempdir");
    let file = dir.path().join("sao-luu.db");
    std::fs::write(&file, b"not a directory").expect("write");
    let file = file.to_str().expect("utf-8 path");
    let mut serve = kiemchung();
    serve.args(["serve", "--addr", "127.0.0.1:0", "--data-dir", file]);
    let (refused, err) = refused_at_start(serve);
    assert!(refused, "{err}");
    let vi = err.find("là một tệp, không phải thư mục").expect(&err);
    let en = err.find("is a file, not a directory").expect(&err);
    assert!(vi < en && err.contains("--data-dir"), "{err}");
}

/// `--log-format json` is "one JSON object per log line" (README): the start-up banner and
/// the first-admin hint, printed as plain text among the JSON, broke a log shipper's parse.
#[test]
fn json_logs_are_json_from_the_first_line() {
    let dir = tempfile::tempdir().expect("tempdir");
    let data = dir.path().join("data");
    let data = data.to_str().expect("utf-8 path");
    // At the default level, where the banner is said.
    let mut command = kiemchung();
    command.env_remove("RUST_LOG");
    let (server, _, printed) = serve_as(command, &["--log-format", "json", "--data-dir", data]);
    drop(server);
    assert!(printed.contains("user add admin"), "{printed}");
    for line in printed.lines().filter(|l| !l.trim().is_empty()) {
        let v: serde_json::Value =
            serde_json::from_str(line).unwrap_or_else(|e| panic!("not JSON ({e}): {line}"));
        assert!(v["level"].is_string(), "{line}");
    }
}

#[test]
fn serve_on_a_busy_port_says_so_in_both_languages() {
    let dir = tempfile::tempdir().expect("tempdir");
    let data = dir.path().join("data");
    let taken = std::net::TcpListener::bind("127.0.0.1:0").expect("a port");
    let addr = taken.local_addr().expect("addr").to_string();
    let out = kiemchung()
        .args([
            "serve",
            "--addr",
            &addr,
            "--data-dir",
            data.to_str().expect("utf-8 path"),
        ])
        .output()
        .expect("run serve");
    let (_, err) = text(&out);
    assert!(!out.status.success(), "{err}");
    let vi = err.find("đã có chương trình khác dùng").expect(&err);
    let en = err.find("another program already uses").expect(&err);
    assert!(
        vi < en && err.contains(&addr) && err.contains("--addr"),
        "{err}"
    );
    assert!(!data.exists(), "a busy port fails before creating the desk");
}

#[test]
fn a_public_url_that_would_publish_broken_links_is_refused_naming_the_option() {
    let dir = tempfile::tempdir().expect("tempdir");
    let data = dir.path().join("data");
    // Each would be the start of every link in the feed and the ClaimReview: `foo` makes
    // them relative, which feed readers and search engines do not follow.
    for bad in [
        "foo",
        "kiemchung.ngochoi.gov.vn",
        "ftp://kiemchung.example",
        "https://kiemchung.example/?utm=1",
        "https://user:secret@kiemchung.example",
    ] {
        let mut serve = kiemchung();
        serve
            .args(["serve", "--addr", "127.0.0.1:0", "--public-url", bad])
            .arg("--data-dir")
            .arg(&data);
        let (refused, err) = refused_at_start(serve);
        assert!(refused, "{bad}: {err}");
        assert!(err.contains("--public-url"), "{bad}: {err}");
        assert!(!data.exists(), "{bad}: refused before creating the desk");
    }
    // The environment variable is held to the same rule.
    let mut serve = kiemchung();
    serve
        .env("KIEMCHUNG_PUBLIC_URL", "foo")
        .args(["serve", "--addr", "127.0.0.1:0", "--data-dir"])
        .arg(&data);
    let (refused, err) = refused_at_start(serve);
    assert!(refused, "{err}");
}

/// `--report-rate 0` and `--refresh-secs 0` were taken and served as 1: an operator who
/// meant "no limit" or "no public reports" got one report a minute, silently.
#[test]
fn a_zero_rate_or_refresh_is_refused_naming_the_option() {
    let dir = tempfile::tempdir().expect("tempdir");
    let data = dir.path().join("data");
    for option in ["--report-rate", "--refresh-secs"] {
        let mut serve = kiemchung();
        serve
            .args(["serve", "--addr", "127.0.0.1:0", option, "0", "--data-dir"])
            .arg(&data);
        let (refused, err) = refused_at_start(serve);
        assert!(refused, "{option}: {err}");
        assert!(err.contains(option), "{err}");
    }
}

/// Whether `serve` exited with an error within a few seconds (a value it took would leave
/// it serving: it is then stopped), and what it printed.
fn refused_at_start(mut serve: Command) -> (bool, String) {
    let mut child = serve
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn serve");
    let deadline = Instant::now() + Duration::from_secs(10);
    let refused = loop {
        match child.try_wait().expect("wait") {
            Some(status) => break !status.success(),
            None if Instant::now() > deadline => {
                let _ = child.kill();
                let _ = child.wait();
                break false;
            }
            None => std::thread::sleep(Duration::from_millis(50)),
        }
    };
    let out = child.wait_with_output().expect("output");
    (refused, String::from_utf8_lossy(&out.stderr).into_owned())
}

#[test]
fn the_feed_links_to_the_public_url_given_with_a_trailing_slash() {
    let dir = tempfile::tempdir().expect("tempdir");
    let data = dir.path().join("data");
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("free port")
        .port();
    let addr = format!("127.0.0.1:{port}");
    let child = kiemchung()
        .args([
            "serve",
            "--addr",
            &addr,
            "--public-url",
            "https://KiemChung.Example/",
            "--data-dir",
        ])
        .arg(&data)
        .stderr(Stdio::null())
        .stdout(Stdio::null())
        .spawn()
        .expect("spawn serve");
    let _server = Server(child);
    let deadline = Instant::now() + Duration::from_secs(60);
    while std::net::TcpStream::connect(&addr).is_err() && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(100));
    }
    let feed = http_get(&addr, "/feed.xml", None);
    assert!(
        feed.contains("<id>https://kiemchung.example/feed.xml</id>"),
        "{feed}"
    );
}

/// How to run `kiemchung` as a user who may read `dir` but not write it: as `nobody` when
/// the tests run as root (root writes anywhere), else as the current user. None when root
/// cannot switch users here.
fn reader_only(dir: &std::path::Path) -> Option<Vec<String>> {
    use std::os::unix::fs::PermissionsExt;
    let set = |p: &std::path::Path, mode| {
        std::fs::set_permissions(p, std::fs::Permissions::from_mode(mode)).expect("chmod");
    };
    for entry in std::fs::read_dir(dir).expect("read dir") {
        set(&entry.expect("entry").path(), 0o644);
    }
    set(dir, 0o555);
    set(dir.parent().expect("a parent"), 0o755);
    let bin = env!("CARGO_BIN_EXE_kiemchung").to_string();
    let uid = Command::new("id").arg("-u").output().expect("id -u");
    if String::from_utf8_lossy(&uid.stdout).trim() != "0" {
        return Some(vec![bin]);
    }
    let runuser = Command::new("runuser")
        .args(["-u", "nobody", "--", "true"])
        .status();
    if !runuser.is_ok_and(|s| s.success()) {
        eprintln!("skipped: running as root without `runuser -u nobody`");
        return None;
    }
    Some(
        ["runuser", "-u", "nobody", "--", &bin]
            .map(String::from)
            .to_vec(),
    )
}

/// A fresh data directory with its database made by adding an administrator, as a new
/// desk starts; the temporary directory holding it lives as long as the first value.
fn desk_with_admin() -> (tempfile::TempDir, std::path::PathBuf) {
    let dir = tempfile::tempdir().expect("tempdir");
    let data = dir.path().join("data");
    let d = data.to_str().expect("utf-8 path");
    let out = run_with_stdin(
        &["user", "add", "admin", "--role", "admin", "--data-dir", d],
        "a-long-password\n",
    );
    assert!(out.status.success(), "{:?}", text(&out));
    (dir, data)
}

#[test]
fn a_data_dir_this_user_cannot_write_is_named_at_once() {
    let (_dir, data) = desk_with_admin();
    let d = data.to_str().expect("utf-8 path");
    let Some(prefix) = reader_only(&data) else {
        return;
    };
    for args in [
        vec!["report", "--data-dir", d],
        vec!["user", "list", "--data-dir", d],
        vec!["audit", "verify", "--data-dir", d],
    ] {
        let out = Command::new(&prefix[0])
            .args(&prefix[1..])
            .args(&args)
            .env_remove("KIEMCHUNG_DATABASE_URL")
            .env("RUST_LOG", "warn")
            .output()
            .expect("run");
        let (_, err) = text(&out);
        assert!(!out.status.success(), "{args:?}: {err}");
        assert!(
            err.contains("không ghi được vào") && err.contains("cannot write to"),
            "{args:?}: {err}"
        );
        assert!(
            err.contains(d) && err.contains("chown/chmod"),
            "{args:?}: {err}"
        );
        assert!(!err.contains("timed out"), "{args:?}: {err}");
    }
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&data, std::fs::Permissions::from_mode(0o755)).expect("chmod");
}

#[test]
fn report_takes_one_end_of_the_period_and_names_both_when_inverted() {
    let (_dir, data) = desk_with_admin();
    let d = data.to_str().expect("utf-8 path");
    let report = |args: &[&str]| {
        let out = kiemchung()
            .arg("report")
            .args(args)
            .args(["--data-dir", d])
            .output()
            .expect("run report");
        (out.status.success(), text(&out))
    };
    let (ok, (md, err)) = report(&["--to", "2025-01-15"]);
    assert!(ok, "{err}");
    assert!(
        md.contains("từ ngày 01/01/2025 đến ngày 15/01/2025"),
        "{md}"
    );
    let (ok, (_, err)) = report(&["--from", "2026-11-20", "--to", "2026-11-10"]);
    assert!(!ok);
    assert!(err.contains("--from") && err.contains("--to"), "{err}");
}

/// The report upward lists, under each duty, what the agency reported doing in the period,
/// in the district's report and in one agency's (`--agency`).
#[test]
fn report_lists_the_progress_on_each_duty_in_the_period() {
    let (_dir, data) = desk_with_admin();
    let d = data.to_str().expect("utf-8 path");
    let day = |n| chrono::NaiveDate::from_ymd_opt(2026, 11, n).expect("date");
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    rt.block_on(async {
        let store = kc_store::Store::open(&kc_store::sqlite_url_for_dir(&data))
            .await
            .expect("open");
        let mut tx = store.begin_write("admin").await.expect("begin");
        tx.record_duty_progress(&kc_desk::duty::ValidProgress {
            duty: "3.2-ra-soat".into(),
            agency: "ca".into(),
            from: day(3),
            to: day(20),
            summary: "Rà soát 12 trang mạng xã hội".into(),
            count: Some(12),
            unit: Some("trang".into()),
            links: vec![],
            corrects: None,
        })
        .await
        .expect("record");
        tx.commit().await.expect("commit");
        store.close().await;
    });
    let entry = "  - 03/11/2026 – 20/11/2026: Rà soát 12 trang mạng xã hội (12 trang)";
    for agency in [&[][..], &["--agency", "ca"][..]] {
        let out = kiemchung()
            .args(["report", "--from", "2026-11-01", "--to", "2026-11-30"])
            .args(agency)
            .args(["--data-dir", d])
            .output()
            .expect("run report");
        let (md, err) = text(&out);
        assert!(out.status.success(), "{err}");
        assert!(md.contains(entry), "{agency:?}: {md}");
        assert!(md.contains("  - _Chưa có báo cáo kết quả._"), "{md}");
    }
    // A period the entry does not cover says nothing was reported.
    let out = kiemchung()
        .args([
            "report",
            "--from",
            "2026-12-01",
            "--to",
            "2026-12-31",
            "--agency",
            "ca",
        ])
        .args(["--data-dir", d])
        .output()
        .expect("run report");
    let (md, _) = text(&out);
    assert!(!md.contains("Rà soát 12 trang"), "{md}");
}

/// The report as a Word file, for the office to sign and forward: written to `--output`, or
/// to standard output when that is not a terminal; the same text as the Markdown.
#[test]
fn report_writes_a_word_file() {
    let (dir, data) = desk_with_admin();
    let d = data.to_str().expect("utf-8 path");
    let file = dir.path().join("bao-cao.docx");
    let out = kiemchung()
        .args(["report", "--from", "2026-11-01", "--to", "2026-11-30"])
        .args(["--format", "docx", "--output"])
        .arg(&file)
        .args(["--data-dir", d])
        .output()
        .expect("run report");
    let (_, err) = text(&out);
    assert!(out.status.success(), "{err}");
    assert!(err.contains("bao-cao.docx"), "it says where: {err}");
    let bytes = std::fs::read(&file).expect("the file");
    assert_eq!(&bytes[..4], b"PK\x03\x04", "a ZIP package");
    // Stored without compression, so the document's text is there as written.
    let raw = String::from_utf8_lossy(&bytes);
    for expected in [
        "word/document.xml",
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "từ ngày 01/11/2026 đến ngày 30/11/2026",
        "8. Theo cơ quan",
        "Tổng cộng",
    ] {
        assert!(raw.contains(expected), "{expected}");
    }
    // One agency's, to standard output (a pipe here).
    let out = kiemchung()
        .args(["report", "--from", "2026-11-01", "--to", "2026-11-30"])
        .args(["--format", "docx", "--agency", "ca", "--data-dir", d])
        .output()
        .expect("run report");
    assert!(out.status.success(), "{:?}", text(&out));
    assert_eq!(&out.stdout[..4], b"PK\x03\x04");
    assert!(String::from_utf8_lossy(&out.stdout).contains("Đơn vị báo cáo: Công an huyện"));
}
