//! Headers every answer carries so that a browser treats the desk's pages as what they
//! are: never framed by another site (the console's buttons under a decoy), never running
//! a script (the pages have none, so an injected one is refused too), never leaking a
//! console or receipt address to a site a link leads to, and never kept by a shared cache
//! when they were made for one person.

use crate::AppState;
use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, HeaderValue};
use axum::middleware::Next;
use axum::response::Response;

/// The pages' policy. They use no script at all; styles are inline (`<style>`, `style=`);
/// images are the desk's own (report images in the console) and the stats' inline SVG;
/// forms post to the desk only.
pub const PAGE_CSP: &str = "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; \
     form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

/// Everything else (JSON, feeds, CSV): nothing to load, run or frame, even when a browser
/// is led to open it.
pub const DATA_CSP: &str = "default-src 'none'; frame-ancestors 'none'; sandbox";

/// Adds the headers to every response, keeping any a handler set itself (a stored file
/// has its own stricter policy).
pub async fn headers(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let personal = is_personal(request.uri().path(), request.headers());
    let mut resp = next.run(request).await;
    let html = resp
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|t| t.starts_with("text/html"));
    let sets_cookie = resp.headers().contains_key(header::SET_COOKIE);
    let h = resp.headers_mut();
    h.entry(header::X_CONTENT_TYPE_OPTIONS)
        .or_insert(HeaderValue::from_static("nosniff"));
    h.entry(header::X_FRAME_OPTIONS)
        .or_insert(HeaderValue::from_static("DENY"));
    // Links from a fact-check to its sources, or from a case to a reported page, tell the
    // other site nothing: not a case number, not a receipt code, not that the desk looked.
    h.entry(header::REFERRER_POLICY)
        .or_insert(HeaderValue::from_static("same-origin"));
    h.entry(header::CONTENT_SECURITY_POLICY)
        .or_insert(HeaderValue::from_static(if html {
            PAGE_CSP
        } else {
            DATA_CSP
        }));
    // Served over https (the public URL says so), a browser that has been here once never
    // again tries plain http, where a network on the way could read the session cookie's
    // first request or rewrite a page.
    if state.config.secure_cookies {
        h.entry(header::STRICT_TRANSPORT_SECURITY)
            .or_insert(HeaderValue::from_static("max-age=31536000"));
    }
    // A page carries its reader's CSRF token in its forms, and a console page or a receipt
    // is one person's: none may be kept and served to another. Feeds and open data, the
    // same for everyone, stay cacheable.
    if html || personal || sets_cookie {
        h.entry(header::CACHE_CONTROL)
            .or_insert(HeaderValue::from_static("no-store"));
    }
    resp
}

/// A request whose answer is for its sender only: signed in, the console, the API (whose
/// staff answers depend on the token), or a receipt.
fn is_personal(path: &str, headers: &HeaderMap) -> bool {
    headers.contains_key(header::AUTHORIZATION)
        || headers.contains_key(header::COOKIE)
        || ["/quan-tri", "/api/", "/phan-anh/", "/khieu-nai/"]
            .iter()
            .any(|p| path.starts_with(p))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn console_api_and_receipts_are_personal_feeds_are_not() {
        let none = HeaderMap::new();
        for p in [
            "/quan-tri",
            "/quan-tri/ho-so/3",
            "/api/v1/cases",
            "/phan-anh/KC-2345-6789",
            "/khieu-nai/KC-2345-6789",
        ] {
            assert!(is_personal(p, &none), "{p}");
        }
        for p in ["/feed.xml", "/du-lieu/kiem-chung.csv", "/kiem-chung"] {
            assert!(!is_personal(p, &none), "{p}");
        }
        let mut signed_in = HeaderMap::new();
        signed_in.insert(header::COOKIE, HeaderValue::from_static("kc_session=x"));
        assert!(is_personal("/feed.xml", &signed_in));
    }
}
