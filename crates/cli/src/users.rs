//! `user` and `token`: who may act on the desk, and taking that access away.

use crate::{StoreArgs, TokenCommand, UserCommand};
use anyhow::{bail, Context, Result};
use chrono::{DateTime, Utc};
use kc_desk::pack::Pack;
use kc_desk::{Grant, Role};
use kc_store::{fmt_time, Store, TokenRecord};
use kc_web::render::local_time;
use std::io::{BufRead, IsTerminal, Write};

fn check_agency(pack: &Pack, code: &str) -> Result<()> {
    if pack.agency(code).is_none() {
        let codes: Vec<&str> = pack.agencies.iter().map(|a| a.code.as_str()).collect();
        bail!(
            "không có cơ quan `{code}` / unknown agency `{code}`; the pack has: {}",
            codes.join(", ")
        );
    }
    Ok(())
}

fn grant_label(g: &Grant) -> String {
    match &g.agency {
        Some(a) => format!("{}@{a}", g.role),
        None => g.role.to_string(),
    }
}

async fn known_user(store: &Store, name: &str) -> Result<()> {
    if store.user_by_name(name).await?.is_none() {
        bail!("không có tài khoản `{name}` / no user named `{name}` (`kiemchung user list` shows the accounts)");
    }
    Ok(())
}

pub async fn run(command: UserCommand) -> Result<()> {
    match command {
        UserCommand::Add {
            name,
            role,
            agency,
            reset_password,
            store,
        } => user_add(&name, role, agency.as_deref(), reset_password, &store).await,
        UserCommand::RemoveRole {
            name,
            role,
            agency,
            store,
        } => {
            let (store, _) = store.open_existing().await?;
            known_user(&store, &name).await?;
            let held = store
                .users()
                .await?
                .into_iter()
                .find(|u| u.name == name)
                .map(|u| u.grants)
                .unwrap_or_default();
            let wanted = Grant {
                role,
                agency: agency.clone(),
            };
            if !held.contains(&wanted) {
                let has: Vec<String> = held.iter().map(grant_label).collect();
                bail!(
                    "`{name}` không có vai trò {} / user `{name}` does not have role {}; they have: {}",
                    grant_label(&wanted),
                    grant_label(&wanted),
                    if has.is_empty() {
                        "no role".to_string()
                    } else {
                        has.join(", ")
                    }
                );
            }
            let mut tx = store.begin_write("cli").await?;
            tx.remove_grant(&name, role, agency.as_deref()).await?;
            tx.commit().await?;
            let left = held.len() - 1;
            let label = grant_label(&wanted);
            if left == 0 {
                out!(
                    "Đã bỏ vai trò {label} của {name}; tài khoản không còn vai trò nào và không thể thao tác / removed role {label} from user {name}; they have no role left and can no longer act on the desk"
                );
            } else {
                out!(
                    "Đã bỏ vai trò {label} của {name}; còn {left} vai trò / removed role {label} from user {name}; {left} role(s) left"
                );
            }
            Ok(())
        }
        UserCommand::Disable { name, store } => set_disabled(&name, true, &store).await,
        UserCommand::Enable { name, store } => set_disabled(&name, false, &store).await,
        UserCommand::List { store } => {
            let (store, _) = store.open_existing().await?;
            let users = store.users().await?;
            if users.is_empty() {
                out!("no accounts yet (`kiemchung user add NAME --role ROLE` creates one)");
                return Ok(());
            }
            let width = users
                .iter()
                .map(|u| u.name.chars().count())
                .max()
                .unwrap_or(0)
                .max("NAME".len());
            out!("{:<width$}  {:<9}  ROLES", "NAME", "STATUS");
            for u in &users {
                let roles: Vec<String> = u.grants.iter().map(grant_label).collect();
                out!(
                    "{:<width$}  {:<9}  {}",
                    u.name,
                    if u.disabled { "disabled" } else { "active" },
                    if roles.is_empty() {
                        "-".to_string()
                    } else {
                        roles.join(", ")
                    }
                );
            }
            Ok(())
        }
    }
}

async fn user_add(
    name: &str,
    role: Role,
    agency: Option<&str>,
    reset_password: bool,
    store_args: &StoreArgs,
) -> Result<()> {
    kc_desk::auth::check_user_name(name)?;
    let (store, pack) = store_args.open().await?;
    if let Some(code) = agency {
        check_agency(&pack, code)?;
    }
    let existing = store.user_by_name(name).await?;
    // Read before the write transaction starts, so a slow typist holds no lock.
    let (hash, reset) = match &existing {
        Some(user) if !reset_password => (user.password_hash.clone(), false),
        _ => (
            kc_desk::auth::hash_password(&read_password(name)?)?,
            existing.is_some(),
        ),
    };
    let mut tx = store.begin_write("cli").await?;
    if reset {
        tx.set_password(name, &hash).await?;
    }
    // For an existing account the hash is not used: add_user keeps its password.
    let created = tx.add_user(name, &hash, role, agency).await?;
    tx.commit().await?;
    let (scope_vi, scope) = match agency {
        Some(a) => (format!("cơ quan {a}"), format!("agency {a}")),
        None => ("mọi cơ quan".to_string(), "all agencies".to_string()),
    };
    if created {
        out!(
            "Đã tạo tài khoản {name}, vai trò {role} ({scope_vi}) / created user {name} with role {role} ({scope})"
        );
    } else {
        let (password_vi, password) = if reset {
            ("đã đặt mật khẩu mới", "password reset")
        } else {
            ("giữ mật khẩu cũ", "password kept")
        };
        let (disabled_vi, disabled) = if existing.is_some_and(|u| u.disabled) {
            (
                "; tài khoản đang bị khoá (`kiemchung user enable` mở lại)",
                "; the account is disabled (`kiemchung user enable` re-enables it)",
            )
        } else {
            ("", "")
        };
        out!(
            "{name} có thêm vai trò {role} ({scope_vi}); {password_vi}{disabled_vi} / user {name} now has role {role} ({scope}); {password}{disabled}"
        );
    }
    Ok(())
}

fn read_password(name: &str) -> Result<String> {
    let stdin = std::io::stdin();
    if stdin.is_terminal() {
        eprint!("Mật khẩu / password for {name}: ");
        std::io::stderr().flush()?;
    }
    let mut password = String::new();
    stdin
        .lock()
        .read_line(&mut password)
        .context("cannot read the password from stdin")?;
    Ok(password.trim_end_matches(['\r', '\n']).to_string())
}

async fn set_disabled(name: &str, disabled: bool, store: &StoreArgs) -> Result<()> {
    let (store, _) = store.open_existing().await?;
    known_user(&store, name).await?;
    let mut tx = store.begin_write("cli").await?;
    let changed = tx.set_user_disabled(name, disabled).await?;
    if changed {
        tx.commit().await?;
    }
    match (disabled, changed) {
        (true, true) => out!(
            "Đã khoá tài khoản {name}: không đăng nhập được, phiên làm việc kết thúc, mã truy cập API bị từ chối / disabled user {name}: they can no longer sign in, their sessions are ended and their API tokens refused"
        ),
        (false, true) => out!("Đã mở lại tài khoản {name} / enabled user {name}"),
        (true, false) => out!("Tài khoản {name} đã bị khoá từ trước / user {name} was already disabled"),
        (false, false) => out!("Tài khoản {name} không bị khoá / user {name} was not disabled"),
    }
    Ok(())
}

/// A stored time in a table cell: Vietnam's clock to the minute (the header says so).
fn cell_time(rfc3339: &str) -> String {
    kc_web::render::vietnam_minute(rfc3339).unwrap_or_else(|| rfc3339.to_string())
}

fn print_tokens(tokens: &[TokenRecord], now: DateTime<Utc>) {
    let user_w = tokens
        .iter()
        .map(|t| t.user.chars().count())
        .max()
        .unwrap_or(4)
        .max(4);
    let name_w = tokens
        .iter()
        .map(|t| t.name.chars().count())
        .max()
        .unwrap_or(5)
        .max(5);
    out!(
        "{:>4}  {:<user_w$}  {:<name_w$}  {:<16}  {:<16}  STATUS",
        "ID",
        "USER",
        "LABEL",
        "CREATED (UTC+7)",
        "EXPIRES (UTC+7)"
    );
    for t in tokens {
        let status = if t.revoked {
            "revoked"
        } else if t.expired(now) {
            "expired"
        } else {
            "active"
        };
        out!(
            "{:>4}  {:<user_w$}  {:<name_w$}  {:<16}  {:<16}  {status}",
            t.id,
            t.user,
            t.name,
            cell_time(&t.created_at),
            t.expires_at
                .as_deref()
                .map_or_else(|| "no expiry".to_string(), cell_time),
        );
    }
}

pub async fn run_token(command: TokenCommand) -> Result<()> {
    match command {
        TokenCommand::Create {
            name,
            label,
            expires_in,
            store,
        } => {
            let expires_at = kc_desk::auth::token_expiry(Utc::now(), expires_in)?;
            let (store, _) = store.open_existing().await?;
            match store.user_by_name(&name).await? {
                None => bail!("không có tài khoản `{name}` / no user named `{name}`; create it first with `kiemchung user add {name} --role ROLE`"),
                Some(u) if u.disabled => bail!("tài khoản `{name}` đang bị khoá / user `{name}` is disabled, so a token would not work; `kiemchung user enable {name}` first"),
                Some(_) => {}
            }
            let (secret, digest) = kc_desk::auth::new_secret("kct_");
            let mut tx = store.begin_write("cli").await?;
            tx.create_token(&name, &label, &digest, expires_at).await?;
            tx.commit().await?;
            let until = fmt_time(expires_at);
            // The explanation goes to stderr, so `TOKEN=$(kiemchung token create …)` holds
            // the secret alone.
            eprintln!(
                "Mã truy cập API của {name}, hiệu lực đến {}; chỉ hiện một lần, hãy lưu giữ cẩn thận.",
                local_time(&until, "vi")
            );
            eprintln!(
                "API token for {name}, valid until {}; shown once, store it safely:",
                local_time(&until, "en")
            );
            out!("{secret}");
            Ok(())
        }
        TokenCommand::Renew {
            id_or_name,
            expires_in,
            store,
        } => {
            let expires_at = kc_desk::auth::token_expiry(Utc::now(), expires_in)?;
            let (store, _) = store.open_existing().await?;
            let all = store.tokens(None).await?;
            let token = pick_token(&all, &id_or_name)?;
            let mut tx = store.begin_write("cli").await?;
            if !tx.renew_token(token.id, expires_at).await? {
                bail!(
                    "mã truy cập {id} ({label} của {user}) đã bị thu hồi và không gia hạn được / token {id} ({label} of {user}) is revoked and stays revoked; `kiemchung token create {user}` makes a new one",
                    id = token.id,
                    label = token.name,
                    user = token.user
                );
            }
            tx.commit().await?;
            let until = fmt_time(expires_at);
            let (was_vi, was_en) = if token.expired(Utc::now()) {
                (" (đã hết hạn trước đó)", " (it had expired)")
            } else {
                ("", "")
            };
            out!(
                "Đã gia hạn mã truy cập {} ({} của {}){was_vi}: hiệu lực đến {}.",
                token.id,
                token.name,
                token.user,
                local_time(&until, "vi")
            );
            out!(
                "Renewed token {} ({} of {}){was_en}: valid until {}.",
                token.id,
                token.name,
                token.user,
                local_time(&until, "en")
            );
            Ok(())
        }
        TokenCommand::List { user, store } => {
            let (store, _) = store.open_existing().await?;
            if let Some(name) = &user {
                known_user(&store, name).await?;
            }
            let tokens = store.tokens(user.as_deref()).await?;
            if tokens.is_empty() {
                out!("no API tokens");
            } else {
                print_tokens(&tokens, Utc::now());
            }
            Ok(())
        }
        TokenCommand::Revoke { id_or_name, store } => {
            let (store, _) = store.open_existing().await?;
            let all = store.tokens(None).await?;
            let token = pick_token(&all, &id_or_name)?;
            if token.revoked {
                out!(
                    "Mã truy cập {} ({} của {}) đã bị thu hồi từ trước.",
                    token.id,
                    token.name,
                    token.user
                );
                out!(
                    "Token {} ({} of {}) was already revoked.",
                    token.id,
                    token.name,
                    token.user
                );
                return Ok(());
            }
            let mut tx = store.begin_write("cli").await?;
            if tx.revoke_token(token.id).await? {
                tx.commit().await?;
            }
            out!(
                "Đã thu hồi mã truy cập {} ({} của {}); từ giờ mọi yêu cầu dùng mã này đều bị từ chối.",
                token.id,
                token.name,
                token.user
            );
            out!(
                "Revoked token {} ({} of {}); requests with it are refused from now on.",
                token.id,
                token.name,
                token.user
            );
            Ok(())
        }
    }
}

/// An id names one token, revoked or not. A label or user name must match exactly one
/// active token: labels default to `api`, so a name alone is often ambiguous, and guessing
/// would revoke the wrong integration's access.
fn pick_token<'a>(tokens: &'a [TokenRecord], id_or_name: &str) -> Result<&'a TokenRecord> {
    if let Ok(id) = id_or_name.trim().parse::<i64>() {
        return match tokens.iter().find(|t| t.id == id) {
            Some(t) => Ok(t),
            None => bail!("không có mã truy cập số {id} / no API token with id {id} (`kiemchung token list` shows them)"),
        };
    }
    let matching: Vec<&TokenRecord> = tokens
        .iter()
        .filter(|t| t.name == id_or_name || t.user == id_or_name)
        .collect();
    let active: Vec<&TokenRecord> = matching.iter().copied().filter(|t| !t.revoked).collect();
    match (active.as_slice(), matching.first()) {
        ([one], _) => Ok(one),
        ([], Some(revoked)) => Ok(revoked),
        ([], None) => bail!(
            "không có mã truy cập nào tên `{id_or_name}` / no API token labelled `{id_or_name}` or belonging to a user of that name (`kiemchung token list` shows them)"
        ),
        (several, _) => {
            let ids: Vec<String> = several
                .iter()
                .map(|t| format!("{} ({} of {})", t.id, t.name, t.user))
                .collect();
            bail!(
                "`{id_or_name}` khớp {} mã đang dùng / matches {} active tokens: {}; revoke one by its id",
                several.len(),
                several.len(),
                ids.join(", ")
            )
        }
    }
}
