//! What an officer typed into a console form when their session had already ended.
//!
//! A console form sent without a session was answered with a redirect to the sign-in page,
//! which says nothing was saved: a decision's reasons or an article written over half an
//! hour were gone. The middleware here keeps the body of such a form and, when the handler
//! answers "session ended", shows the sign-in page with the text fields as typed, to copy
//! back after signing in, and signs the officer in back to the page the form was on.
//!
//! Only a form the browser says it sent from one of the desk's own pages is shown back
//! (`Sec-Fetch-Site: same-origin`, or an `Origin` of this host): another site, a sibling
//! subdomain included, must not be able to put its words on the desk's sign-in page. The
//! form's token cannot tell: once the session cookie is gone (it expired with the session,
//! or a sign-out in another tab cleared it) the token it carries matches nothing.

use axum::body::{to_bytes, Body};
use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, Method, StatusCode};
use axum::middleware::Next;
use axum::response::Response;
use minijinja::context;

use crate::pages::{Page, SESSION_ENDED_LOCATION};
use crate::AppState;

/// The fields worth showing back: free text a person wrote. Ids, choices and tokens are
/// left out (the page the form was on offers them again). Each has a label under
/// `unsaved.field.<field>` in the templates' texts.
pub const TEXT_FIELDS: &[&str] = &[
    "claim",
    "title",
    "summary",
    "reasons",
    "body",
    "opinion",
    "comment",
    "note",
    "evidence_note",
    "evidence_url",
    "locators",
    "platform",
    "territorial_scope",
    "topic",
    "materials_url",
    "links",
];

/// A typed field as the sign-in page shows it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct TypedField {
    pub name: &'static str,
    pub value: String,
}

/// The text fields of an url-encoded form body, in [`TEXT_FIELDS`] order, blank ones left
/// out. A field sent twice (none of the desk's are) keeps its first value.
pub fn typed_fields(body: &[u8]) -> Vec<TypedField> {
    let pairs: Vec<(String, String)> = url::form_urlencoded::parse(body).into_owned().collect();
    TEXT_FIELDS
        .iter()
        .filter_map(|&name| {
            let value = pairs.iter().find(|(k, _)| k == name)?.1.trim().to_string();
            (!value.is_empty()).then_some(TypedField { name, value })
        })
        .collect()
}

/// Whether the browser says the request came from a page of this site. `Sec-Fetch-Site`
/// (every current browser sends it) says so directly, and a sibling subdomain is
/// "same-site", not "same-origin"; otherwise `Origin` must name this host. A request with
/// neither is not a browser's form, and what it sent is not shown back.
pub fn from_this_site(headers: &HeaderMap) -> bool {
    let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    if let Some(site) = header("sec-fetch-site") {
        return site == "same-origin";
    }
    match (header("origin"), header(header::HOST.as_str())) {
        (Some(origin), Some(host)) => origin
            .strip_prefix("https://")
            .or_else(|| origin.strip_prefix("http://"))
            .is_some_and(|o| o == host),
        _ => false,
    }
}

/// Where to return after signing in: the console page the form was on (same host only), or
/// none. Never the sign-in page itself, and never a path a browser reads as another host.
pub fn return_path(headers: &HeaderMap) -> Option<String> {
    let (path, query) = crate::lang_link::same_origin_referer(headers)?;
    safe_return(&match query {
        Some(q) if !q.is_empty() => format!("{path}?{q}"),
        _ => path,
    })
}

/// `next` as the sign-in form sends it back: kept only when it is a console page of this
/// site (a link to `/quan-tri/dang-nhap?tiep=https://evil.example` must not send a freshly
/// signed-in officer elsewhere).
pub fn safe_return(next: &str) -> Option<String> {
    let path = next.split(['?', '#']).next().unwrap_or("");
    let console = path == "/quan-tri" || path.starts_with("/quan-tri/");
    let other_host = next.starts_with("//") || next.contains('\\');
    let control = next.chars().any(char::is_control);
    // `.` and `..` segments, plain or percent-encoded, lead out of the console (or back to
    // the sign-in) once the browser resolves them.
    let dots = path.split('/').any(|segment| {
        let decoded = segment.to_ascii_lowercase().replace("%2e", ".");
        decoded == "." || decoded == ".."
    });
    let login = path.starts_with("/quan-tri/dang-nhap") || path.starts_with("/quan-tri/dang-xuat");
    (console && !other_host && !control && !dots && !login).then(|| next.to_string())
}

/// Keeps a console form's body so that, if its session had ended, what was typed is shown
/// on the sign-in page (see the module's documentation).
pub async fn keep(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let is_form = request
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"));
    let path = request.uri().path();
    // No more than the route takes: a larger body is refused by the handler's limit, and
    // reading it all first would hold in memory what the limit is there to keep out.
    let limit = if path.starts_with("/quan-tri/bai-viet") {
        state
            .config
            .body_limit
            .max(crate::articles::ARTICLE_BODY_BYTES)
    } else {
        state.config.body_limit
    };
    let small = request
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok())
        .is_some_and(|n| n <= limit);
    // The sign-in form holds a password: never kept, even for a moment longer.
    let console_form = path.starts_with("/quan-tri/") && !path.starts_with("/quan-tri/dang-nhap");
    if request.method() != Method::POST || !console_form || !is_form || !small {
        return next.run(request).await;
    }
    let (parts, body) = request.into_parts();
    let Ok(bytes) = to_bytes(body, limit).await else {
        // Shorter than it said, or cut off: the handler's own extractor would refuse it too.
        return crate::pages::bad_request_body();
    };
    let headers = parts.headers.clone();
    let response = next
        .run(Request::from_parts(parts, Body::from(bytes.clone())))
        .await;
    let ended = response.status() == StatusCode::SEE_OTHER
        && response
            .headers()
            .get(header::LOCATION)
            .is_some_and(|l| l == SESSION_ENDED_LOCATION);
    if !ended || !from_this_site(&headers) {
        return response;
    }
    let page = Page::new(&headers, None);
    let typed = typed_fields(&bytes);
    // A form with nothing typed into it (an assignment, an approval without comment) has
    // nothing to show back: the page must not announce text below that is not there.
    let message = if typed.is_empty() {
        "login.session_ended"
    } else {
        "login.session_ended_kept"
    };
    page.render(
        &state,
        StatusCode::UNAUTHORIZED,
        "login.html",
        context! {
            ended => crate::pages::page_text(&page, message),
            typed,
            next => return_path(&headers),
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    #[test]
    fn the_text_a_person_wrote_is_kept_and_tokens_and_choices_are_not() {
        let body = b"csrf=tok&verdict=false&summary=Tin+sai+v%E1%BB%81+l%C5%A9&reasons=%20&legal_provisions=nd-15&reasons=second&note=%C4%90%C3%A3+g%E1%BB%8Di";
        assert_eq!(
            typed_fields(body),
            vec![
                TypedField {
                    name: "summary",
                    value: "Tin sai về lũ".into()
                },
                TypedField {
                    name: "note",
                    value: "Đã gọi".into()
                },
            ]
        );
        assert!(typed_fields(b"").is_empty());
        assert!(typed_fields(b"%FF%FE=%ZZ&&=").is_empty());
    }

    #[test]
    fn every_kept_field_has_a_label_in_both_languages() {
        for f in TEXT_FIELDS {
            let key = format!("unsaved.field.{f}");
            assert!(
                crate::render::STRINGS
                    .iter()
                    .any(|(k, vi, en)| *k == key && !vi.is_empty() && !en.is_empty()),
                "{key}"
            );
        }
    }

    #[test]
    fn only_console_pages_of_this_site_are_returned_to() {
        assert_eq!(
            safe_return("/quan-tri/ho-so/7").as_deref(),
            Some("/quan-tri/ho-so/7")
        );
        assert_eq!(
            safe_return("/quan-tri?qua-han=1").as_deref(),
            Some("/quan-tri?qua-han=1")
        );
        assert_eq!(safe_return("/quan-tri").as_deref(), Some("/quan-tri"));
        for bad in [
            "https://evil.example/quan-tri",
            "//evil.example/quan-tri/",
            "/quan-tri/\\evil.example",
            "/quan-trix",
            "/kiem-chung",
            "/quan-tri/dang-nhap?het-han=1",
            "/quan-tri/dang-xuat",
            "/quan-tri/ho-so/7\r\nSet-Cookie: x=y",
            "/quan-tri/../kiem-chung",
            "/quan-tri/%2e%2e/phan-anh",
            "/quan-tri/%2E%2E/phan-anh",
            "/quan-tri/.%2e/phan-anh",
            "/quan-tri/./dang-xuat",
            "/quan-tri/ho-so/..",
            "",
        ] {
            assert_eq!(safe_return(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn only_a_form_the_browser_sent_from_this_site_is_shown_back() {
        let with = |pairs: &[(&'static str, &'static str)]| {
            let mut h = HeaderMap::new();
            h.insert(header::HOST, HeaderValue::from_static("desk.example"));
            for (k, v) in pairs {
                h.insert(*k, HeaderValue::from_static(v));
            }
            from_this_site(&h)
        };
        assert!(with(&[("sec-fetch-site", "same-origin")]));
        assert!(
            !with(&[("sec-fetch-site", "same-site")]),
            "a sibling subdomain"
        );
        assert!(!with(&[("sec-fetch-site", "cross-site")]));
        assert!(
            !with(&[
                ("sec-fetch-site", "cross-site"),
                ("origin", "https://desk.example")
            ]),
            "the browser's own word wins"
        );
        assert!(with(&[("origin", "https://desk.example")]));
        assert!(with(&[("origin", "http://desk.example")]));
        assert!(!with(&[("origin", "https://x.desk.example")]));
        assert!(!with(&[("origin", "https://desk.example.evil")]));
        assert!(!with(&[("origin", "null")]));
        assert!(!with(&[]), "no browser said anything");
    }

    #[test]
    fn the_return_path_comes_from_a_same_host_referer_only() {
        let mut h = HeaderMap::new();
        h.insert(header::HOST, HeaderValue::from_static("desk.example"));
        h.insert(
            header::REFERER,
            HeaderValue::from_static("https://desk.example/quan-tri/ho-so/7?lang=en#ket-luan"),
        );
        assert_eq!(
            return_path(&h).as_deref(),
            Some("/quan-tri/ho-so/7?lang=en")
        );
        h.insert(
            header::REFERER,
            HeaderValue::from_static("https://evil.example/quan-tri/ho-so/7"),
        );
        assert_eq!(return_path(&h), None);
    }
}
