//! Credentials: argon2id password hashes, and random bearer secrets (API tokens, session ids)
//! of which only a SHA-256 digest is stored, so a leaked database grants no access.

use argon2::password_hash::{
    rand_core::OsRng, PasswordHash, PasswordHasher, PasswordVerifier, SaltString,
};
use argon2::Argon2;
use chrono::{DateTime, Utc};
use rand::RngCore;
use sha2::{Digest, Sha256};

#[derive(Debug, thiserror::Error)]
pub enum AuthError {
    #[error("mật khẩu cần ít nhất {min} ký tự / the password must have at least {min} characters")]
    WeakPassword { min: usize },
    #[error("could not hash the password: {0}")]
    Hash(String),
    #[error("tên đăng nhập (NAME) không được để trống / the user name (NAME) must not be empty")]
    EmptyName,
    #[error(
        "tên đăng nhập (NAME) `{name}` có khoảng trắng hoặc ký tự điều khiển / the user name \
         (NAME) `{name}` contains whitespace or a control character: use one word, e.g. `lan` \
         or `nguyen.lan`"
    )]
    BadName { name: String },
    #[error(
        "thời hạn mã truy cập phải từ 1 đến {max} ngày, không phải {days} / an API token lasts \
         1 to {max} days, not {days} (`--expires-in DAYS`)"
    )]
    TokenDays { days: u32, max: u32 },
}

/// How long a new API token works unless told otherwise: a quarter, so a token a partner
/// agency's script forgot, or one that leaked, stops working within months.
pub const TOKEN_DAYS_DEFAULT: u32 = 90;

/// The longest a token may be given, at creation or renewal. There is deliberately no
/// token without expiry: renewing is one command, and a yearly renewal is the least a
/// script that nobody looks after should cost.
pub const TOKEN_DAYS_MAX: u32 = 365;

/// When a token created or renewed at `now` for `days` days stops working.
pub fn token_expiry(now: DateTime<Utc>, days: u32) -> Result<DateTime<Utc>, AuthError> {
    if !(1..=TOKEN_DAYS_MAX).contains(&days) {
        return Err(AuthError::TokenDays {
            days,
            max: TOKEN_DAYS_MAX,
        });
    }
    Ok(now + chrono::Duration::days(i64::from(days)))
}

/// Whether a token with this stored expiry (RFC 3339) no longer works at `now`. One whose
/// expiry cannot be read is refused: failing closed is the point of an expiry.
pub fn token_expired(expires_at: &str, now: DateTime<Utc>) -> bool {
    DateTime::parse_from_rfc3339(expires_at).map_or(true, |t| t <= now)
}

/// Checks a login name before an account is created. The sign-in form trims what is typed,
/// so a name with spaces could never sign in, and an empty or invisible name cannot be told
/// apart in lists or the audit log.
pub fn check_user_name(name: &str) -> Result<(), AuthError> {
    if name.trim().is_empty() && !name.chars().any(char::is_control) {
        return Err(AuthError::EmptyName);
    }
    if name
        .chars()
        .any(|c| c.is_whitespace() || c.is_control() || is_invisible(c))
    {
        return Err(AuthError::BadName {
            name: name.escape_debug().to_string(),
        });
    }
    Ok(())
}

/// Format characters that render as nothing (zero-width space and joiners, word joiner,
/// BOM), which `char::is_whitespace` does not count.
fn is_invisible(c: char) -> bool {
    matches!(c, '\u{200b}'..='\u{200f}' | '\u{2060}'..='\u{2064}' | '\u{feff}' | '\u{00ad}')
}

pub const MIN_PASSWORD_CHARS: usize = 8;

pub fn hash_password(password: &str) -> Result<String, AuthError> {
    if password.chars().count() < MIN_PASSWORD_CHARS {
        return Err(AuthError::WeakPassword {
            min: MIN_PASSWORD_CHARS,
        });
    }
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| AuthError::Hash(e.to_string()))
}

/// False for a wrong password and for a stored hash that cannot be parsed.
pub fn verify_password(password: &str, stored: &str) -> bool {
    match PasswordHash::new(stored) {
        Ok(parsed) => Argon2::default()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok(),
        Err(_) => false,
    }
}

/// A new random secret (shown to its holder once) and the digest to store.
pub fn new_secret(prefix: &str) -> (String, String) {
    let mut bytes = [0u8; 32];
    rand::thread_rng().fill_bytes(&mut bytes);
    let secret = format!("{prefix}{}", hex::encode(bytes));
    let digest = secret_digest(&secret);
    (secret, digest)
}

pub fn secret_digest(secret: &str) -> String {
    hex::encode(Sha256::digest(secret.as_bytes()))
}

/// Compares without leaking, through timing, how long a prefix matched.
pub fn constant_time_eq(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn password_round_trip() {
        let h = hash_password("mật-khẩu-dài").expect("hash");
        assert!(h.starts_with("$argon2id$"));
        assert!(verify_password("mật-khẩu-dài", &h));
        assert!(!verify_password("mật-khẩu-sai", &h));
        assert!(!verify_password("x", "not a hash"));
    }

    #[test]
    fn short_passwords_are_refused() {
        assert!(matches!(
            hash_password("short"),
            Err(AuthError::WeakPassword { .. })
        ));
    }

    #[test]
    fn user_names_are_one_visible_word() {
        for ok in ["lan", "nguyen.lan", "Lân", "minh_vhtt-2"] {
            assert!(check_user_name(ok).is_ok(), "{ok}");
        }
        assert!(matches!(check_user_name(""), Err(AuthError::EmptyName)));
        assert!(matches!(check_user_name("   "), Err(AuthError::EmptyName)));
        for bad in [
            "lan anh",
            " lan",
            "lan\t",
            "lan\n",
            "a\u{0}b",
            "\u{7}",
            "la\u{200b}n",
        ] {
            assert!(
                matches!(check_user_name(bad), Err(AuthError::BadName { .. })),
                "{bad:?}"
            );
        }
        let msg = check_user_name("").map_err(|e| e.to_string());
        assert!(msg.is_err_and(|m| m.contains("NAME")));
    }

    #[test]
    fn tokens_expire_after_their_days_and_never_live_forever() {
        let now = DateTime::parse_from_rfc3339("2026-11-29T17:00:00Z")
            .expect("time")
            .with_timezone(&Utc);
        let end = token_expiry(now, TOKEN_DAYS_DEFAULT).expect("90 days");
        assert_eq!(end.to_rfc3339(), "2027-02-27T17:00:00+00:00");
        assert!(token_expiry(now, TOKEN_DAYS_MAX).is_ok());
        for days in [0, TOKEN_DAYS_MAX + 1] {
            let err = token_expiry(now, days).map_err(|e| e.to_string());
            assert!(err.is_err_and(|m| m.contains("--expires-in")), "{days}");
        }
        assert!(!token_expired("2027-02-27T17:00:00.000Z", now));
        assert!(
            token_expired("2026-11-29T17:00:00.000Z", now),
            "expires at that instant"
        );
        assert!(
            token_expired("2026-11-29T23:59:00+07:00", now),
            "offsets are honoured"
        );
        assert!(
            token_expired("not a time", now),
            "an unreadable expiry refuses"
        );
    }

    #[test]
    fn secrets_are_stored_as_digests() {
        let (secret, digest) = new_secret("kct_");
        assert!(secret.starts_with("kct_"));
        assert_eq!(secret_digest(&secret), digest);
        assert_ne!(secret, digest);
        assert!(constant_time_eq(&digest, &secret_digest(&secret)));
        assert!(!constant_time_eq("abc", "abd"));
    }
}
