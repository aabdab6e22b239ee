//! What an officer typed into a console form when their session had already ended.
//!
//! A console form sent without a session was answered with a redirect to the sign-in page,
//! which says nothing was saved: a decision's reasons or an article written over half an
//! hour were gone. The middleware here keeps the body of such a form and, when the handler
//! answers "session ended", shows the sign-in page with the text fields as typed, to copy
//! back after signing in, and signs the officer in back to the page the form was on.
//!
//! Only a form that carries the browser's own form token is shown back: a form posted from
//! another site must not be able to put its words on the desk's sign-in page.

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
    "source_url",
    "locators",
    "platform",
    "territorial_scope",
    "topic",
    "materials_url",
    "links",
];

/// Larger bodies are passed on untouched rather than held in memory twice; the longest
/// console text (an article) is far below this.
const MAX_KEPT_BYTES: usize = 1 << 20;

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

/// The form token a body carries, if any.
fn form_token(body: &[u8]) -> String {
    url::form_urlencoded::parse(body)
        .find(|(k, _)| k == "csrf")
        .map(|(_, v)| v.into_owned())
        .unwrap_or_default()
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
    let console =
        next == "/quan-tri" || next.starts_with("/quan-tri/") || next.starts_with("/quan-tri?");
    let other_host = next.starts_with("//") || next.contains('\\');
    let control = next.chars().any(char::is_control);
    let login = next.starts_with("/quan-tri/dang-nhap") || next.starts_with("/quan-tri/dang-xuat");
    (console && !other_host && !control && !login).then(|| next.to_string())
}

/// Keeps a console form's body so that, if its session had ended, what was typed is shown
/// on the sign-in page (see the module's documentation).
pub async fn keep(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let is_form = request
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"));
    let small = request
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok())
        .is_some_and(|n| n <= MAX_KEPT_BYTES);
    let path = request.uri().path();
    // The sign-in form holds a password: never kept, even for a moment longer.
    let console_form = path.starts_with("/quan-tri/") && !path.starts_with("/quan-tri/dang-nhap");
    if request.method() != Method::POST || !console_form || !is_form || !small {
        return next.run(request).await;
    }
    let (parts, body) = request.into_parts();
    let Ok(bytes) = to_bytes(body, MAX_KEPT_BYTES).await else {
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
    if !ended || crate::session::check_csrf(&headers, &form_token(&bytes)).is_err() {
        return response;
    }
    let page = Page::new(&headers, None);
    page.render(
        &state,
        StatusCode::UNAUTHORIZED,
        "login.html",
        context! {
            ended => crate::pages::login_text(&page, "login.session_ended_kept"),
            typed => typed_fields(&bytes),
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
        assert_eq!(form_token(body), "tok");
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
            "",
        ] {
            assert_eq!(safe_return(bad), None, "{bad:?}");
        }
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
