//! Who is asking: bearer tokens for the API, a session cookie for the console, a CSRF
//! cookie for every form, and the per-client rate limit on public intake.

use crate::error::ApiError;
use crate::AppState;
use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::request::Parts;
use axum::http::{header, HeaderMap, HeaderValue};
use kc_desk::auth::{constant_time_eq, new_secret, secret_digest};
use kc_desk::Actor;
use kc_store::TokenCheck;
use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::sync::Mutex;
use std::time::Instant;

pub const SESSION_COOKIE: &str = "kc_session";
pub const CSRF_COOKIE: &str = "kc_csrf";
pub const LANG_COOKIE: &str = "kc_lang";
/// The header an API call signed in by the console's session cookie (rather than a bearer
/// token) sends the CSRF cookie's value in, to change anything.
pub const CSRF_HEADER: &str = "x-csrf-token";
pub const SESSION_HOURS: i64 = 12;

pub fn cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.to_string())
}

/// A `Set-Cookie` value. `secure` follows the public URL's scheme, so a plain-HTTP desk on
/// a laptop still works while an HTTPS deployment never sends the cookie in clear.
pub fn set_cookie(
    name: &str,
    value: &str,
    max_age_secs: i64,
    secure: bool,
    http_only: bool,
) -> HeaderValue {
    let mut c = format!("{name}={value}; Path=/; Max-Age={max_age_secs}; SameSite=Lax");
    if http_only {
        c.push_str("; HttpOnly");
    }
    if secure {
        c.push_str("; Secure");
    }
    HeaderValue::from_str(&c).unwrap_or_else(|_| HeaderValue::from_static("kc_invalid=1"))
}

/// A signed-in member of staff, from a bearer token or the console session cookie.
#[derive(Debug, Clone)]
pub struct Staff(pub Actor);

/// Staff if signed in, or `None` for the public.
#[derive(Debug, Clone)]
pub struct MaybeStaff(pub Option<Actor>);

pub async fn resolve_actor(
    state: &AppState,
    headers: &HeaderMap,
) -> Result<Option<Actor>, ApiError> {
    if let Some(auth) = headers.get(header::AUTHORIZATION) {
        let token = auth
            .to_str()
            .ok()
            .and_then(bearer_token)
            .ok_or_else(ApiError::unauthorized)?;
        return match state
            .desk
            .store
            .actor_by_token(&secret_digest(token), chrono::Utc::now())
            .await?
        {
            TokenCheck::Valid(actor) => Ok(Some(actor)),
            // Refused even where the public may read: the script meant to act as staff, and
            // answering it as the public would hide why its work stopped.
            TokenCheck::Expired { expires_at } => Err(ApiError::token_expired(&expires_at)),
            TokenCheck::Refused => Ok(None),
        };
    }
    if let Some(session) = cookie(headers, SESSION_COOKIE) {
        return Ok(state
            .desk
            .store
            .actor_by_session(&secret_digest(&session))
            .await?);
    }
    Ok(None)
}

/// The token of an `Authorization: Bearer TOKEN` header. The scheme's name is
/// case-insensitive (RFC 9110 §11.1), so `bearer` from an HTTP library that lowercases it
/// is the same credential, not an anonymous request answered 401.
fn bearer_token(value: &str) -> Option<&str> {
    let (scheme, token) = value.trim_start().split_once(' ')?;
    let token = token.trim();
    (scheme.eq_ignore_ascii_case("bearer") && !token.is_empty()).then_some(token)
}

impl FromRequestParts<AppState> for Staff {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let actor = match resolve_actor(state, &parts.headers).await? {
            Some(actor) if actor.is_staff() => actor,
            _ => return Err(ApiError::unauthorized()),
        };
        // The browser adds the console's session cookie to any request it sends here, even
        // one a foreign page makes it send: a form posted as `text/plain` carries a body the
        // API reads as JSON. A change made with the cookie alone (no bearer token) must then
        // carry the CSRF token in a header, which no other site can read or send.
        let by_cookie = !parts.headers.contains_key(header::AUTHORIZATION);
        if by_cookie && !parts.method.is_safe() {
            let sent = parts
                .headers
                .get(CSRF_HEADER)
                .and_then(|v| v.to_str().ok())
                .unwrap_or("");
            check_csrf(&parts.headers, sent)?;
        }
        Ok(Staff(actor))
    }
}

impl FromRequestParts<AppState> for MaybeStaff {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        Ok(MaybeStaff(
            resolve_actor(state, &parts.headers)
                .await?
                .filter(Actor::is_staff),
        ))
    }
}

/// Starts a console session; returns the cookie secret to set.
pub async fn start_session(state: &AppState, user_id: i64) -> Result<String, ApiError> {
    let (secret, digest) = new_secret("kcs_");
    let expires = chrono::Utc::now() + chrono::Duration::hours(SESSION_HOURS);
    state
        .desk
        .store
        .create_session(user_id, &digest, &kc_store::fmt_time(expires))
        .await?;
    Ok(secret)
}

/// The CSRF token for this browser's forms, and whether it is a fresh cookie to set.
///
/// Signed in, the token is derived from the session's secret, which never leaves the
/// HttpOnly session cookie: a page on a sibling subdomain of the authority's site can plant
/// a `kc_csrf` cookie of its choosing (cookies are shared across subdomains), but cannot
/// know this. Signed out, it is a double-submit cookie: a cross-site page can neither read
/// the cookie nor echo it in a form.
pub fn csrf_token(headers: &HeaderMap) -> (String, bool) {
    if let Some(session) = cookie(headers, SESSION_COOKIE) {
        return (session_csrf(&session), false);
    }
    match cookie(headers, CSRF_COOKIE) {
        Some(t) if t.len() >= 32 => (t, false),
        _ => (new_secret("").0, true),
    }
}

fn session_csrf(session: &str) -> String {
    secret_digest(&format!("kiemchung csrf\u{0}{session}"))
}

pub fn check_csrf(headers: &HeaderMap, submitted: &str) -> Result<(), ApiError> {
    let expected = match cookie(headers, SESSION_COOKIE) {
        Some(session) => Some(session_csrf(&session)),
        None => cookie(headers, CSRF_COOKIE),
    };
    match expected {
        Some(expected) if !submitted.is_empty() && constant_time_eq(&expected, submitted) => Ok(()),
        _ => Err(ApiError::new(
            axum::http::StatusCode::FORBIDDEN,
            "csrf",
            "Phiên biểu mẫu đã hết hạn hoặc không hợp lệ; vui lòng tải lại trang và gửi lại.",
            "The form session expired or is invalid; reload the page and submit again.",
        )),
    }
}

/// The client address rate limits are keyed on. Behind a reverse proxy that the operator
/// trusts, the last `X-Forwarded-For` hop, the one that proxy added: the hops before it are
/// whatever the client chose to send (nginx's `$proxy_add_x_forwarded_for` appends to
/// them), and keying on the first let anyone pass every limit with a made-up address.
#[derive(Debug, Clone, Copy)]
pub struct ClientIp(pub IpAddr);

impl FromRequestParts<AppState> for ClientIp {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        if state.config.trust_proxy {
            if let Some(ip) = parts
                .headers
                .get_all("x-forwarded-for")
                .iter()
                .next_back()
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.rsplit(',').next())
                .and_then(|v| v.trim().parse().ok())
            {
                return Ok(ClientIp(ip));
            }
        }
        let ip = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map(|c| c.0.ip())
            .unwrap_or(IpAddr::from([127, 0, 0, 1]));
        Ok(ClientIp(ip))
    }
}

/// A token bucket per client (or per other key, such as a user name): `per_minute`
/// requests, refilled continuously, bursting to the same number.
pub struct RateLimiter<K = IpAddr> {
    per_minute: f64,
    buckets: Mutex<HashMap<K, (f64, Instant)>>,
}

impl<K: std::hash::Hash + Eq> RateLimiter<K> {
    pub fn new(per_minute: u32) -> Self {
        RateLimiter {
            per_minute: f64::from(per_minute.max(1)),
            buckets: Mutex::new(HashMap::new()),
        }
    }

    /// Whether `key` has a request left, without spending it (see [`RateLimiter::check`]).
    pub fn has_left(&self, key: &K) -> bool {
        let buckets = match self.buckets.lock() {
            Ok(b) => b,
            Err(p) => p.into_inner(),
        };
        buckets.get(key).is_none_or(|(tokens, last)| {
            let refill = last.elapsed().as_secs_f64() * self.per_minute / 60.0;
            tokens + refill >= 1.0
        })
    }

    pub fn check(&self, key: K) -> Result<(), ApiError> {
        let now = Instant::now();
        let mut buckets = match self.buckets.lock() {
            Ok(b) => b,
            Err(p) => p.into_inner(),
        };
        if buckets.len() > 100_000 {
            // Forget idle clients so that a scan of many addresses cannot grow this forever.
            buckets.retain(|_, (_, t)| now.duration_since(*t).as_secs() < 120);
        }
        let (tokens, last) = buckets.entry(key).or_insert((self.per_minute, now));
        let refill = now.duration_since(*last).as_secs_f64() * self.per_minute / 60.0;
        *tokens = (*tokens + refill).min(self.per_minute);
        *last = now;
        if *tokens >= 1.0 {
            *tokens -= 1.0;
            Ok(())
        } else {
            // One token comes back every 60 / per_minute seconds.
            let wait = ((1.0 - *tokens) * 60.0 / self.per_minute).ceil() as u64;
            Err(ApiError::rate_limited(wait))
        }
    }
}

/// Looking receipt codes up: a citizen types one code, maybe mistyped once or twice; a
/// guesser tries millions (a code has about 40 bits). Codes that do not exist count against
/// the client, and once it has used up [`RECEIPT_MISSES_PER_MINUTE`] every lookup waits,
/// the right code too, so guessing cannot outrun the limit by mixing in known codes.
pub const RECEIPT_MISSES_PER_MINUTE: u32 = 20;

/// Refuses a lookup from a client out of misses (429).
pub fn receipt_lookup_allowed(state: &AppState, ip: IpAddr) -> Result<(), ApiError> {
    if state.receipt_misses.has_left(&ip) {
        return Ok(());
    }
    let mut e = ApiError::new(
        axum::http::StatusCode::TOO_MANY_REQUESTS,
        "rate_limited",
        "Có quá nhiều lần tra cứu mã không tồn tại từ máy của bạn; vui lòng kiểm tra lại mã và thử lại sau một phút.",
        "Too many lookups of codes that do not exist from your device; check the code and try again in a minute.",
    );
    e.retry_after = Some(u64::from(60 / RECEIPT_MISSES_PER_MINUTE).max(1));
    Err(e)
}

/// Counts a lookup's result against the client when the code does not exist.
pub fn count_receipt_lookup<T>(
    state: &AppState,
    ip: IpAddr,
    result: Result<T, ApiError>,
) -> Result<T, ApiError> {
    if matches!(&result, Err(e) if e.status == axum::http::StatusCode::NOT_FOUND) {
        let _ = state.receipt_misses.check(ip);
    }
    result
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rate_limit_is_per_client() {
        let l = RateLimiter::new(3);
        let a = IpAddr::from([10, 0, 0, 1]);
        let b = IpAddr::from([10, 0, 0, 2]);
        for _ in 0..3 {
            assert!(l.check(a).is_ok());
        }
        assert_eq!(l.check(a).map_err(|e| e.status.as_u16()), Err(429));
        assert!(l.check(b).is_ok());
    }

    #[test]
    fn reads_cookies() {
        let mut h = HeaderMap::new();
        h.insert(
            header::COOKIE,
            HeaderValue::from_static("a=1; kc_csrf=xyz; b=2"),
        );
        assert_eq!(cookie(&h, CSRF_COOKIE).as_deref(), Some("xyz"));
        assert_eq!(cookie(&h, "zz"), None);
    }
}
