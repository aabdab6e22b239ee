//! The language switch's link: the page the reader is on, in the other language.
//!
//! A bare `?lang=en` replaced the whole query (a search lost its words, a filtered queue its
//! filters), and on a form answered with its errors it pointed at the form's action, which
//! only takes POST (405). The middleware here remembers, for the length of one request, which
//! page that is; [`current`] is read by `Page::render`. A task-local rather than a parameter
//! because forty handlers build a `Page` from their headers alone.

use axum::extract::Request;
use axum::http::{header, HeaderMap, Method};
use axum::middleware::Next;
use axum::response::Response;

tokio::task_local! {
    static PAGE_LINK: String;
}

/// Runs the request with its language link known (see [`current`]).
pub async fn remember(request: Request, next: Next) -> Response {
    let link = base(
        request.method(),
        request.uri().path(),
        request.uri().query(),
        request.headers(),
    );
    PAGE_LINK.scope(link, next.run(request)).await
}

/// The link's start, to which the template appends `en` or `vi`: `?lang=` outside a request
/// (a unit test rendering a page), as before.
pub fn current() -> String {
    PAGE_LINK
        .try_with(Clone::clone)
        .unwrap_or_else(|_| "?lang=".to_string())
}

/// The page the current request shows, `path?query` without its language: where a sign-in
/// should lead back to. None outside a request.
pub fn current_page() -> Option<String> {
    let link = PAGE_LINK.try_with(Clone::clone).ok()?;
    let link = link.strip_suffix("lang=").unwrap_or(&link);
    Some(link.trim_end_matches(['&', '?']).to_string())
}

/// `path?other=params&lang=` for the page a request shows. A GET shows its own URL. Any other
/// method is a form answered in place (with its errors): the page is the one the form was on,
/// which the browser names in `Referer` (same-origin, by the site's referrer policy), and
/// otherwise the action's own path, as the old link did.
fn base(method: &Method, path: &str, query: Option<&str>, headers: &HeaderMap) -> String {
    let (path, query) = if method == Method::GET || method == Method::HEAD {
        (path.to_string(), query.map(str::to_string))
    } else {
        match same_origin_referer(headers) {
            Some((p, q)) => (p, q),
            None => (path.to_string(), None),
        }
    };
    // Never `//host/…` or `/\host/…`: a browser reads either as another site's address, and
    // the path of a 404 is whatever was asked for.
    let mut link = format!("/{}", path.trim_start_matches('/').replace('\\', "%5C"));
    link.push('?');
    for pair in query.iter().flat_map(|q| q.split('&')) {
        let key = pair.split('=').next().unwrap_or("");
        if pair.is_empty() || key == "lang" {
            continue;
        }
        link.push_str(pair);
        link.push('&');
    }
    link.push_str("lang=");
    link
}

/// The path and query of the `Referer`, when it is a page of this host.
pub(crate) fn same_origin_referer(headers: &HeaderMap) -> Option<(String, Option<String>)> {
    let host = headers.get(header::HOST)?.to_str().ok()?;
    let referer = headers.get(header::REFERER)?.to_str().ok()?;
    let rest = referer
        .strip_prefix("http://")
        .or_else(|| referer.strip_prefix("https://"))?
        .strip_prefix(host)?;
    if !rest.starts_with('/') {
        return None; // `host.evil.example/…` or `host:8080` against `host`
    }
    let rest = rest.split('#').next().unwrap_or(rest);
    Some(match rest.split_once('?') {
        Some((p, q)) => (p.to_string(), Some(q.to_string())),
        None => (rest.to_string(), None),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn headers(host: &str, referer: Option<&str>) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert(header::HOST, HeaderValue::from_str(host).expect("host"));
        if let Some(r) = referer {
            h.insert(header::REFERER, HeaderValue::from_str(r).expect("referer"));
        }
        h
    }

    #[test]
    fn a_page_keeps_its_query_but_the_language() {
        let h = headers("desk.example", None);
        assert_eq!(
            base(
                &Method::GET,
                "/tra-cuu",
                Some("q=ho%C3%A0n+ti%E1%BB%81n&lang=vi&trang=2"),
                &h
            ),
            "/tra-cuu?q=ho%C3%A0n+ti%E1%BB%81n&trang=2&lang="
        );
        assert_eq!(base(&Method::GET, "/", None, &h), "/?lang=");
        assert_eq!(
            base(&Method::GET, "/kiem-chung", Some("lang=en"), &h),
            "/kiem-chung?lang="
        );
    }

    #[test]
    fn a_form_answered_in_place_links_to_the_page_it_was_on() {
        let h = headers(
            "127.0.0.1:8080",
            Some("http://127.0.0.1:8080/quan-tri/ho-so/7?lang=vi#ket-luan"),
        );
        assert_eq!(
            base(&Method::POST, "/quan-tri/ho-so/7/ket-luan", None, &h),
            "/quan-tri/ho-so/7?lang="
        );
    }

    #[test]
    fn a_path_never_makes_a_link_to_another_site() {
        let h = headers("desk.example", None);
        assert_eq!(
            base(&Method::GET, "//evil.example/x", None, &h),
            "/evil.example/x?lang="
        );
        assert_eq!(
            base(&Method::GET, "/\\evil.example", None, &h),
            "/%5Cevil.example?lang="
        );
        let h = headers("desk.example", Some("https://desk.example//evil.example/"));
        assert_eq!(
            base(&Method::POST, "/phan-anh", None, &h),
            "/evil.example/?lang="
        );
    }

    #[test]
    fn another_sites_referer_is_not_followed() {
        for referer in [
            "https://elsewhere.example/quan-tri",
            "https://desk.example.evil/quan-tri",
            "https://desk.example:444/x",
            "not a url",
        ] {
            let h = headers("desk.example", Some(referer));
            assert_eq!(
                base(&Method::POST, "/phan-anh", None, &h),
                "/phan-anh?lang=",
                "{referer}"
            );
        }
    }
}
