//! Taking access away from the command line, as an administrator does when someone leaves
//! or a token leaks: the running desk must refuse at once.

use super::{run_with_stdin, serve, text};
use std::io::{Read, Write};

/// One HTTP/1.1 request over a fresh connection; returns the raw response.
fn http(addr: &str, method: &str, path: &str, headers: &[(&str, &str)], body: &str) -> String {
    let mut s = std::net::TcpStream::connect(addr).expect("connect");
    let mut req = format!("{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n");
    for (k, v) in headers {
        req.push_str(&format!("{k}: {v}\r\n"));
    }
    req.push_str(&format!("Content-Length: {}\r\n\r\n{body}", body.len()));
    s.write_all(req.as_bytes()).expect("send");
    let mut out = String::new();
    s.read_to_string(&mut out).expect("read");
    out
}

fn status(response: &str) -> u16 {
    response
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .expect("status line")
}

/// Signs in to the console; returns the session cookie, or None when refused.
fn sign_in(addr: &str, user: &str, password: &str) -> Option<String> {
    let response = http(
        addr,
        "POST",
        "/quan-tri/dang-nhap",
        &[
            ("Content-Type", "application/x-www-form-urlencoded"),
            ("Cookie", "kc_csrf=test-csrf"),
        ],
        &format!("csrf=test-csrf&username={user}&password={password}"),
    );
    if status(&response) != 303 {
        assert_eq!(status(&response), 401, "{response}");
        return None;
    }
    let cookie = response
        .lines()
        .filter_map(|l| {
            l.strip_prefix("set-cookie: ")
                .or(l.strip_prefix("Set-Cookie: "))
        })
        .find(|c| c.starts_with("kc_session="))
        .and_then(|c| c.split(';').next())
        .expect("a session cookie")
        .to_string();
    Some(cookie)
}

fn console_status(addr: &str, cookie: &str) -> u16 {
    status(&http(addr, "GET", "/quan-tri", &[("Cookie", cookie)], ""))
}

fn api_status(addr: &str, token: &str) -> u16 {
    let auth = format!("Bearer {token}");
    status(&http(
        addr,
        "GET",
        "/api/v1/cases",
        &[("Authorization", &auth)],
        "",
    ))
}

fn ok(args: &[&str], stdin: &str) -> String {
    let o = run_with_stdin(args, stdin);
    assert!(o.status.success(), "{args:?}: {:?}", text(&o));
    text(&o).0
}

fn fails(args: &[&str], stdin: &str) -> String {
    let o = run_with_stdin(args, stdin);
    assert!(!o.status.success(), "{args:?} should fail: {:?}", text(&o));
    text(&o).1
}

fn token_of(out: &str) -> String {
    out.split_whitespace()
        .last()
        .expect("token is the last word")
        .to_string()
}

/// The audit actions recorded so far, oldest first.
fn audit_actions(dir: &str) -> Vec<String> {
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    rt.block_on(async {
        sqlx::any::install_default_drivers();
        let pool = sqlx::AnyPool::connect(&format!("sqlite://{dir}/kiemchung.db"))
            .await
            .expect("open db");
        let rows: Vec<(String,)> = sqlx::query_as("SELECT action FROM audit_events ORDER BY seq")
            .fetch_all(&pool)
            .await
            .expect("audit");
        pool.close().await;
        rows.into_iter().map(|(a,)| a).collect()
    })
}

#[test]
fn disabling_revoking_and_removing_roles_take_effect_on_the_running_desk() {
    let dir = tempfile::tempdir().expect("dir");
    let d = dir.path().to_str().expect("utf-8 path");
    ok(
        &["user", "add", "lan", "--role", "intake", "--data-dir", d],
        "mat-khau-cua-lan\n",
    );
    ok(
        &["user", "add", "hoa", "--role", "reviewer", "--data-dir", d],
        "mat-khau-cua-hoa\n",
    );
    let lan_token = token_of(&ok(&["token", "create", "lan", "--data-dir", d], ""));
    let lan_ci = token_of(&ok(
        &["token", "create", "lan", "--label", "ci", "--data-dir", d],
        "",
    ));
    let hoa_token = token_of(&ok(&["token", "create", "hoa", "--data-dir", d], ""));

    let listed = ok(&["token", "list", "--data-dir", d], "");
    for secret in [&lan_token, &lan_ci, &hoa_token] {
        assert!(
            !listed.contains(secret.as_str()),
            "never the secret: {listed}"
        );
    }
    assert!(listed.contains("ci") && listed.contains("hoa"), "{listed}");
    let users = ok(&["user", "list", "--data-dir", d], "");
    assert!(!users.contains("argon2"), "never a password hash: {users}");
    assert!(
        users
            .lines()
            .any(|l| l.starts_with("lan ") && l.contains("active") && l.contains("intake")),
        "{users}"
    );

    let (_server, addr, _) = serve(d);
    assert_eq!(api_status(&addr, &lan_token), 200);
    assert_eq!(api_status(&addr, &lan_ci), 200);
    let session = sign_in(&addr, "lan", "mat-khau-cua-lan").expect("lan signs in");
    assert_eq!(console_status(&addr, &session), 200);

    // A leaked token: `lan` alone is ambiguous (two active tokens), the label is not.
    let err = fails(&["token", "revoke", "lan", "--data-dir", d], "");
    assert!(err.contains("matches 2 active tokens"), "{err}");
    ok(&["token", "revoke", "ci", "--data-dir", d], "");
    assert_eq!(
        api_status(&addr, &lan_ci),
        401,
        "a revoked token is refused at once"
    );
    assert_eq!(
        api_status(&addr, &lan_token),
        200,
        "the other token still works"
    );
    let listed = ok(&["token", "list", "--user", "lan", "--data-dir", d], "");
    assert!(
        listed
            .lines()
            .any(|l| l.contains(" ci ") && l.ends_with("revoked")),
        "{listed}"
    );
    assert!(!listed.contains("hoa"), "--user filters: {listed}");

    // Someone leaves: their session, their tokens and their password stop working.
    let out = ok(&["user", "disable", "lan", "--data-dir", d], "");
    assert!(out.contains("disabled user lan"), "{out}");
    assert_ne!(
        console_status(&addr, &session),
        200,
        "the open session ends"
    );
    assert_eq!(api_status(&addr, &lan_token), 401);
    assert_eq!(sign_in(&addr, "lan", "mat-khau-cua-lan"), None);
    let users = ok(&["user", "list", "--data-dir", d], "");
    assert!(
        users
            .lines()
            .any(|l| l.starts_with("lan ") && l.contains("disabled")),
        "{users}"
    );
    let err = fails(&["token", "create", "lan", "--data-dir", d], "");
    assert!(err.contains("disabled"), "{err}");

    // Back from leave: signing in works again, the old session does not come back.
    ok(&["user", "enable", "lan", "--data-dir", d], "");
    assert_ne!(console_status(&addr, &session), 200);
    let again = sign_in(&addr, "lan", "mat-khau-cua-lan").expect("lan signs in again");
    assert_eq!(console_status(&addr, &again), 200);
    assert_eq!(
        api_status(&addr, &lan_ci),
        401,
        "a revoked token stays revoked"
    );

    // A role taken away: with none left, hoa's token no longer reaches staff endpoints.
    let err = fails(
        &[
            "user",
            "remove-role",
            "hoa",
            "--role",
            "editor",
            "--data-dir",
            d,
        ],
        "",
    );
    assert!(err.contains("they have: reviewer"), "{err}");
    assert_eq!(api_status(&addr, &hoa_token), 200);
    ok(
        &[
            "user",
            "remove-role",
            "hoa",
            "--role",
            "reviewer",
            "--data-dir",
            d,
        ],
        "",
    );
    assert_eq!(api_status(&addr, &hoa_token), 401);

    let actions = audit_actions(d);
    for action in [
        "token.revoke",
        "user.disable",
        "user.enable",
        "user.remove_role",
    ] {
        assert!(
            actions.iter().any(|a| a == action),
            "{action} is audited: {actions:?}"
        );
    }
    let verify = ok(&["audit", "verify", "--data-dir", d], "");
    assert!(verify.contains("audit chain intact"), "{verify}");
}

#[test]
fn adding_a_role_keeps_the_password_unless_asked_to_reset_it() {
    let dir = tempfile::tempdir().expect("dir");
    let d = dir.path().to_str().expect("utf-8 path");
    ok(
        &[
            "user",
            "add",
            "minh",
            "--role",
            "verifier",
            "--agency",
            "vhtt",
            "--data-dir",
            d,
        ],
        "mat-khau-dau-tien\n",
    );
    // Whatever is on stdin is not read: the README's way to give someone another role.
    let out = ok(
        &["user", "add", "minh", "--role", "reviewer", "--data-dir", d],
        "mat-khau-khac-han\n",
    );
    assert!(out.contains("password kept"), "{out}");
    let users = ok(&["user", "list", "--data-dir", d], "");
    assert!(users.contains("reviewer, verifier@vhtt"), "{users}");

    let (server, addr, _) = serve(d);
    assert!(sign_in(&addr, "minh", "mat-khau-dau-tien").is_some());
    assert_eq!(sign_in(&addr, "minh", "mat-khau-khac-han"), None);
    drop(server);

    let err = fails(
        &[
            "user",
            "add",
            "minh",
            "--role",
            "lead",
            "--reset-password",
            "--data-dir",
            d,
        ],
        "ngan\n",
    );
    assert!(err.contains("at least 8"), "{err}");
    let out = ok(
        &[
            "user",
            "add",
            "minh",
            "--role",
            "lead",
            "--reset-password",
            "--data-dir",
            d,
        ],
        "mat-khau-moi-nhe\n",
    );
    assert!(out.contains("password reset"), "{out}");
    let (_server, addr, _) = serve(d);
    assert_eq!(sign_in(&addr, "minh", "mat-khau-dau-tien"), None);
    assert!(sign_in(&addr, "minh", "mat-khau-moi-nhe").is_some());
    assert!(audit_actions(d).iter().any(|a| a == "user.password"));
}

#[test]
fn user_names_must_be_one_visible_word() {
    let dir = tempfile::tempdir().expect("dir");
    let d = dir.path().to_str().expect("utf-8 path");
    ok(&["pack", "show", "--data-dir", d], "");
    for bad in ["", "   ", "lan anh", "lan\t", "a\u{7}b", "la\u{200b}n"] {
        let err = fails(
            &["user", "add", bad, "--role", "intake", "--data-dir", d],
            "long-enough-pw\n",
        );
        assert!(err.contains("(NAME)"), "names the field for {bad:?}: {err}");
    }
    let users = ok(&["user", "list", "--data-dir", d], "");
    assert!(users.contains("no accounts yet"), "{users}");
    ok(
        &[
            "user",
            "add",
            "nguyen.lân",
            "--role",
            "intake",
            "--data-dir",
            d,
        ],
        "long-enough-pw\n",
    );
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

/// Sets a token's expiry behind the desk's back, as time passing would.
fn set_expiry(dir: &str, label: &str, expires_at: &str) {
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    rt.block_on(async {
        sqlx::any::install_default_drivers();
        let pool = sqlx::AnyPool::connect(&format!("sqlite://{dir}/kiemchung.db"))
            .await
            .expect("open db");
        sqlx::query("UPDATE api_tokens SET expires_at = $1 WHERE name = $2")
            .bind(expires_at.to_string())
            .bind(label.to_string())
            .execute(&pool)
            .await
            .expect("update");
        pool.close().await;
    });
}

/// The Vietnam calendar day `days` from now.
fn vietnam_day_in(days: i64) -> String {
    (chrono::Utc::now() + chrono::Duration::days(days) + chrono::Duration::hours(7))
        .format("%Y-%m-%d")
        .to_string()
}

#[test]
fn tokens_expire_are_listed_as_expired_and_renew() {
    let dir = tempfile::tempdir().expect("dir");
    let d = dir.path().to_str().expect("utf-8 path");
    ok(
        &["user", "add", "lan", "--role", "intake", "--data-dir", d],
        "mat-khau-cua-lan\n",
    );
    let day_before = vietnam_day_in(30);
    let o = run_with_stdin(
        &[
            "token",
            "create",
            "lan",
            "--label",
            "feed",
            "--expires-in",
            "30",
            "--data-dir",
            d,
        ],
        "",
    );
    assert!(o.status.success(), "{:?}", text(&o));
    let (stdout, stderr) = text(&o);
    let feed = token_of(&stdout);
    assert!(
        feed.starts_with("kct_"),
        "the token is the last word: {stdout}"
    );
    let day_after = vietnam_day_in(30);
    assert!(
        stderr.contains("valid until")
            && stderr.contains("(Vietnam time, UTC+7)")
            && stderr.contains("giờ Việt Nam")
            && (stderr.contains(&day_before) || stderr.contains(&day_after)),
        "states the expiry, 30 days on, on Vietnam's clock: {stderr}"
    );
    let day = vietnam_day_in(90);
    let default = run_with_stdin(&["token", "create", "lan", "--data-dir", d], "");
    // Unless the command ran across midnight in Vietnam, when the day is the next one.
    let day = [day, vietnam_day_in(90)]
        .into_iter()
        .find(|day| text(&default).1.contains(day))
        .expect("90 days unless told");
    let scripts = token_of(&text(&default).0);
    for days in ["0", "366"] {
        let err = fails(
            &[
                "token",
                "create",
                "lan",
                "--expires-in",
                days,
                "--data-dir",
                d,
            ],
            "",
        );
        assert!(err.contains("1 to 365 days"), "{days}: {err}");
    }

    // Thirty days later, as far as the desk can tell.
    set_expiry(d, "feed", "2020-01-01T00:00:00.000Z");
    let listed = ok(&["token", "list", "--data-dir", d], "");
    assert!(listed.contains("EXPIRES (UTC+7)"), "{listed}");
    assert!(
        listed.lines().any(|l| l.contains(" feed ")
            && l.contains("2020-01-01 07:00")
            && l.ends_with("expired")),
        "{listed}"
    );
    assert!(
        listed
            .lines()
            .any(|l| l.contains(" api ") && l.contains(&day) && l.ends_with("active")),
        "{listed}"
    );

    // The other token ends in three days: the desk says so when it starts.
    let in_three_days = chrono::Utc::now() + chrono::Duration::days(3);
    set_expiry(d, "api", &kc_store::fmt_time(in_three_days));
    let (_server, addr, banner) = serve(d);
    assert!(
        banner.contains("API tokens expiring within 14 days: 2 (api of lan)"),
        "names the token about to lapse, not the one already expired: {banner}"
    );
    assert!(
        banner.contains("API tokens expired, not revoked: 1 (feed of lan)"),
        "and, apart, the one already expired: {banner}"
    );
    assert!(!banner.contains("(SQLite)"), "said once: {banner}");
    let refused = http(
        &addr,
        "GET",
        "/api/v1/cases",
        &[("Authorization", &format!("Bearer {feed}"))],
        "",
    );
    assert_eq!(status(&refused), 401, "{refused}");
    assert!(
        refused.contains("\"token_expired\"") && refused.contains("2020-01-01 07:00"),
        "{refused}"
    );
    assert_eq!(
        api_status(&addr, &scripts),
        200,
        "the other token still works"
    );

    let out = ok(
        &[
            "token",
            "renew",
            "feed",
            "--expires-in",
            "7",
            "--data-dir",
            d,
        ],
        "",
    );
    assert!(
        out.contains("it had expired") && out.contains(&vietnam_day_in(7)),
        "{out}"
    );
    let vi_first = |out: &str, vi: &str, en: &str| {
        let lines: Vec<&str> = out.lines().collect();
        assert!(
            lines.len() == 2 && lines[0].contains(vi) && lines[1].contains(en),
            "Vietnamese first, English second: {out}"
        );
    };
    vi_first(&out, "Đã gia hạn mã truy cập", "Renewed token");
    assert!(out.contains("đã hết hạn trước đó"), "{out}");
    assert_eq!(
        api_status(&addr, &feed),
        200,
        "renewed, the same secret works"
    );

    let out = ok(&["token", "revoke", "feed", "--data-dir", d], "");
    vi_first(&out, "Đã thu hồi mã truy cập", "Revoked token");
    let out = ok(&["token", "revoke", "feed", "--data-dir", d], "");
    vi_first(&out, "đã bị thu hồi từ trước", "was already revoked");
    let err = fails(&["token", "renew", "feed", "--data-dir", d], "");
    assert!(err.contains("stays revoked"), "{err}");
    assert_eq!(api_status(&addr, &feed), 401);

    let actions = audit_actions(d);
    assert!(actions.iter().any(|a| a == "token.renew"), "{actions:?}");
}

#[test]
fn help_lists_the_commands_that_take_access_away() {
    for (group, commands) in [
        (
            "user",
            &["add", "disable", "enable", "remove-role", "list"][..],
        ),
        ("token", &["create", "renew", "list", "revoke"][..]),
    ] {
        let out = super::kiemchung()
            .args([group, "--help"])
            .output()
            .expect("run");
        let help = String::from_utf8_lossy(&out.stdout);
        for c in commands {
            assert!(help.contains(c), "`{group} --help` lists {c}: {help}");
        }
    }
    let dir = tempfile::tempdir().expect("dir");
    let d = dir.path().to_str().expect("utf-8 path");
    // A desk with one account, so the errors below are about the name.
    let out = super::run_with_stdin(
        &["user", "add", "admin", "--role", "admin", "--data-dir", d],
        "a-long-password\n",
    );
    assert!(out.status.success(), "{:?}", super::text(&out));
    for args in [
        &["user", "disable", "nobody"][..],
        &["user", "remove-role", "nobody", "--role", "intake"][..],
        &["token", "list", "--user", "nobody"][..],
    ] {
        let err = fails(&[args, &["--data-dir", d][..]].concat(), "");
        assert!(err.contains("no user named `nobody`"), "{args:?}: {err}");
    }
    let err = fails(&["token", "revoke", "7", "--data-dir", d], "");
    assert!(err.contains("no API token with id 7"), "{err}");
}
