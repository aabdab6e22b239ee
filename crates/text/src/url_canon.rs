//! URL extraction and canonicalisation: the same page shared with tracking
//! parameters, a `www.` prefix or a fragment is one item for the desk.

use thiserror::Error;
use url::Url;

/// Why a string is not a URL the desk can record.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum UrlError {
    #[error("URL trống / empty URL")]
    Empty,
    #[error("URL không hợp lệ / invalid URL: {0}")]
    Invalid(url::ParseError),
    #[error("chỉ nhận http và https / only http and https URLs are accepted, got {0}")]
    UnsupportedScheme(String),
    #[error("URL thiếu tên miền / URL has no host")]
    MissingHost,
}

impl UrlError {
    /// The reason in Vietnamese alone, for a message that is in one language.
    pub fn reason_vi(&self) -> String {
        match self {
            UrlError::Empty => "URL trống".into(),
            UrlError::Invalid(e) => format!("URL không hợp lệ: {}", parse_error_vi(*e)),
            UrlError::UnsupportedScheme(s) => format!("chỉ nhận http và https, không nhận {s}"),
            UrlError::MissingHost => "URL thiếu tên miền".into(),
        }
    }

    /// The reason in English alone.
    pub fn reason_en(&self) -> String {
        match self {
            UrlError::Empty => "empty URL".into(),
            UrlError::Invalid(e) => format!("invalid URL: {e}"),
            UrlError::UnsupportedScheme(s) => {
                format!("only http and https URLs are accepted, got {s}")
            }
            UrlError::MissingHost => "URL has no host".into(),
        }
    }
}

/// The URL parser's reasons, in Vietnamese (its own text is English).
fn parse_error_vi(e: url::ParseError) -> &'static str {
    use url::ParseError as P;
    match e {
        P::RelativeUrlWithoutBase | P::RelativeUrlWithCannotBeABaseBase => {
            "thiếu phần http:// hoặc https:// ở đầu"
        }
        P::EmptyHost => "thiếu tên miền",
        P::IdnaError | P::InvalidDomainCharacter => "tên miền có ký tự không dùng được",
        P::InvalidPort => "số cổng không hợp lệ",
        P::InvalidIpv4Address | P::InvalidIpv6Address => "địa chỉ IP không hợp lệ",
        _ => "không đọc được địa chỉ này",
    }
}

/// Query parameters that only track who shared a link.
fn is_tracking_param(name: &str) -> bool {
    let name = name.to_ascii_lowercase();
    name.starts_with("utm_")
        || matches!(
            name.as_str(),
            "fbclid"
                | "gclid"
                | "dclid"
                | "msclkid"
                | "igshid"
                | "mibextid"
                | "zarsrc"
                | "zarsiteid"
                | "_hsenc"
                | "_hsmi"
                | "mc_cid"
                | "mc_eid"
                | "ref_src"
                | "si"
        )
}

/// Canonical form of one URL: http(s) only, lowercase host without `www.`,
/// no default port, no fragment, no tracking parameters, remaining query
/// parameters sorted, no trailing slash on a non-root path.
pub fn canonical_url(s: &str) -> Result<String, UrlError> {
    let s = s.trim();
    if s.is_empty() {
        return Err(UrlError::Empty);
    }
    let with_scheme;
    // People paste links as their address bar shows them: `www.…`, or a bare
    // `site.vn/path` under a common top-level domain.
    let bare = !s.contains("://") && is_bare_domain(s);
    let input = if bare || s.get(..4).is_some_and(|p| p.eq_ignore_ascii_case("www.")) {
        with_scheme = format!("https://{s}");
        with_scheme.as_str()
    } else {
        s
    };
    let mut url = Url::parse(input).map_err(UrlError::Invalid)?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(UrlError::UnsupportedScheme(url.scheme().to_owned()));
    }
    let host = url
        .host_str()
        .ok_or(UrlError::MissingHost)?
        .to_ascii_lowercase();
    if host.is_empty() {
        return Err(UrlError::MissingHost);
    }
    // Every leading `www.`: stripping one would leave a form that a second
    // pass changes again.
    let bare = host.trim_start_matches("www.").to_owned();
    if bare != host && !bare.is_empty() {
        url.set_host(Some(&bare)).map_err(UrlError::Invalid)?;
    }
    url.set_fragment(None);
    let _ = url.set_username("");
    let _ = url.set_password(None);
    let mut params: Vec<(String, String)> = url
        .query_pairs()
        .filter(|(k, _)| !is_tracking_param(k))
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    params.sort();
    if params.is_empty() {
        url.set_query(None);
    } else {
        url.query_pairs_mut().clear().extend_pairs(params);
    }
    let path = url.path().to_owned();
    if path.len() > 1 && path.ends_with('/') {
        url.set_path(path.trim_end_matches('/'));
    }
    Ok(url.to_string())
}

/// Every http(s) or `www.` URL in free text, and every bare domain under a
/// common top-level domain (`tin-nong-24h.net/bai-viet`, `Zing.vn`),
/// canonicalised, first occurrence first, without repeats. Text that only
/// looks like a URL is skipped.
pub fn extract_urls(s: &str) -> Vec<String> {
    let mut found: Vec<String> = Vec::new();
    for (_, url) in url_spans(s) {
        if !found.contains(&url) {
            found.push(url);
        }
    }
    found
}

/// Each URL in `s` as (byte range in `s`, canonical form), in order.
fn url_spans(s: &str) -> Vec<(std::ops::Range<usize>, String)> {
    let mut found = Vec::new();
    let mut at = 0;
    for chunk in s.split(|c: char| c.is_whitespace() || matches!(c, '<' | '>' | '"' | '“' | '”'))
    {
        let chunk_at = at;
        // Every separator above is one character; find its width.
        at += chunk.len()
            + s[at + chunk.len()..]
                .chars()
                .next()
                .map_or(0, char::len_utf8);
        let www = chunk
            .as_bytes()
            .windows(4)
            .any(|w| w.eq_ignore_ascii_case(b"www."));
        let start = if www || chunk.contains(":/") {
            let lower = chunk.to_ascii_lowercase();
            // `https:/` too: a slash dropped by hand, or by `normalize`, which
            // collapses every run of one punctuation character.
            ["https:/", "http:/", "www."]
                .iter()
                .filter_map(|p| lower.find(p))
                .min()
        } else if chunk.contains('.') {
            bare_domain_start(chunk)
        } else {
            None
        };
        let Some(start) = start else {
            continue;
        };
        let Some(candidate) = chunk.get(start..) else {
            continue;
        };
        let candidate = candidate.trim_end_matches(|c: char| {
            matches!(
                c,
                '.' | ',' | ';' | ':' | '!' | '?' | ')' | ']' | '}' | '\'' | '…'
            )
        });
        let whole = match candidate.split_once(":/") {
            Some((scheme, rest)) if !rest.starts_with('/') => format!("{scheme}://{rest}"),
            Some(_) => candidate.to_string(),
            None if is_bare_domain(candidate) => format!("https://{candidate}"),
            None => candidate.to_string(),
        };
        if let Ok(url) = canonical_url(&whole) {
            let from = chunk_at + start;
            found.push((from..from + candidate.len(), url));
        }
    }
    found
}

/// Top-level domains a bare domain is recognised under: the common generic
/// ones and those of Vietnam and its usual neighbours in links. A closed
/// list, because `TP.HCM`, `v.v.` or `đã ký.Tiếp` must stay words; labels
/// that are Vietnamese words on their own (`la`, `in`) are left out.
const BARE_TLDS: &[&str] = &[
    "app", "asia", "au", "biz", "cc", "click", "club", "cn", "co", "com", "de", "dev", "edu", "fr",
    "gov", "hk", "info", "io", "jp", "kr", "link", "live", "me", "mobi", "net", "news", "online",
    "org", "ru", "sg", "shop", "site", "store", "top", "tv", "tw", "uk", "us", "vip", "vn", "xyz",
];

/// Where a bare domain starts in a whitespace-free chunk, after opening
/// brackets or quotes; `None` for anything else (an e-mail address is not a
/// page).
fn bare_domain_start(chunk: &str) -> Option<usize> {
    let start = chunk.find(|c: char| !matches!(c, '(' | '[' | '{' | '\'' | '‘'))?;
    let rest = chunk[start..].trim_end_matches(|c: char| {
        matches!(
            c,
            '.' | ',' | ';' | ':' | '!' | '?' | ')' | ']' | '}' | '\'' | '…'
        )
    });
    (!chunk.contains('@') && is_bare_domain(rest)).then_some(start)
}

/// `host[/path]` where the host is two or more labels of ASCII letters,
/// digits and inner hyphens, the last one in [`BARE_TLDS`].
fn is_bare_domain(s: &str) -> bool {
    let host = s.split(['/', '?', '#']).next().unwrap_or(s);
    let labels: Vec<&str> = host.split('.').collect();
    let Some((tld, names)) = labels.split_last() else {
        return false;
    };
    !names.is_empty()
        && BARE_TLDS.iter().any(|t| t.eq_ignore_ascii_case(tld))
        && names.iter().all(|l| {
            !l.is_empty()
                && !l.starts_with('-')
                && !l.ends_with('-')
                && l.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
        })
}

/// The text with each URL replaced by `replace(canonical URL)`; the text
/// itself (borrowed) when it holds none.
pub fn replace_urls(s: &str, replace: impl Fn(&str) -> String) -> std::borrow::Cow<'_, str> {
    // Every library text passes here: substring searches, not a byte loop.
    let www = ["www.", "WWW.", "Www."].iter().any(|p| s.contains(p));
    if !(www || s.contains(":/") || may_hold_bare_domain(s)) {
        return std::borrow::Cow::Borrowed(s);
    }
    let spans = url_spans(s);
    if spans.is_empty() {
        return std::borrow::Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len());
    let mut at = 0;
    for (range, url) in spans {
        out.push_str(&s[at..range.start]);
        out.push_str(&replace(&url));
        at = range.end;
    }
    out.push_str(&s[at..]);
    std::borrow::Cow::Owned(out)
}

/// Whether a dot in `s` is followed by a letter: a bare domain needs one,
/// and most texts (sentence ends, `5.000`) have none.
fn may_hold_bare_domain(s: &str) -> bool {
    s.as_bytes()
        .windows(2)
        .any(|w| w[0] == b'.' && w[1].is_ascii_alphabetic())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_are_found_in_normalised_text_and_replaced_whole() {
        let raw =
            "Xem tại https://bit.ly/3xYz9Qa: tin-nong-24h.net www.Facebook.com/groups/1?fbclid=x";
        let urls = extract_urls(raw);
        assert_eq!(extract_urls(&crate::normalize(raw)).len(), urls.len());
        assert_eq!(urls.len(), 3, "{urls:?}");
        let marked = replace_urls(raw, |u| format!("<{u}>"));
        assert_eq!(
            marked,
            "Xem tại <https://bit.ly/3xYz9Qa>: <https://tin-nong-24h.net/> \
             <https://facebook.com/groups/1>"
        );
        assert!(matches!(
            replace_urls("không có liên kết", |_| String::new()),
            std::borrow::Cow::Borrowed(_)
        ));
    }

    #[test]
    fn bare_domains_are_links_and_abbreviations_with_dots_are_not() {
        let raw =
            "Theo Zing.vn (tuoitre.vn/xa-hoi), trang tin-nong-24h.net/bai-viet?utm_source=fb \
                   đăng lại; liên hệ ban.bientap@gmail.com";
        assert_eq!(
            extract_urls(raw),
            [
                "https://zing.vn/",
                "https://tuoitre.vn/xa-hoi",
                "https://tin-nong-24h.net/bai-viet",
            ]
        );
        for words in [
            "TAND TP.HCM xử vụ án, v.v. và 5.000 đồng",
            "Ông đã ký.Tiếp theo là Mr.Bean và Ths.BS Lan",
            "gửi về ban.bientap@gmail.com",
        ] {
            assert_eq!(extract_urls(words), Vec::<String>::new(), "{words}");
            assert!(matches!(
                replace_urls(words, |_| String::new()),
                std::borrow::Cow::Borrowed(_)
            ));
        }
    }

    fn check(input: &str, expected: &str) {
        assert_eq!(
            canonical_url(input).as_deref(),
            Ok(expected),
            "input {input:?}"
        );
    }

    #[test]
    fn tracking_and_fragments_are_dropped() {
        check(
            "https://WWW.Example.vn/tin/bao-so-5/?utm_source=fb&id=3&fbclid=x#binh-luan",
            "https://example.vn/tin/bao-so-5?id=3",
        );
        check("www.baochinhphu.vn", "https://baochinhphu.vn/");
        check("http://example.vn:80/a", "http://example.vn/a");
    }

    #[test]
    fn canonical_form_is_stable() {
        // The second found by fuzzing (fuzz/fuzz_targets/normalize.rs): one
        // `www.` was stripped per pass, so each pass gave another form.
        for url in ["https://www.a.vn/x/?b=2&a=1", "Www.Www.a.vn/x"] {
            let once = canonical_url(url).expect("valid");
            assert_eq!(canonical_url(&once).as_deref(), Ok(once.as_str()));
        }
        check("www.www.a.vn/x", "https://a.vn/x");
    }

    #[test]
    fn a_link_pasted_without_its_scheme_is_read_as_https() {
        assert_eq!(
            canonical_url("tin-nong-24h.net/bai-viet/1?utm_source=fb").as_deref(),
            Ok("https://tin-nong-24h.net/bai-viet/1")
        );
        assert_eq!(canonical_url("Zing.vn").as_deref(), Ok("https://zing.vn/"));
        // Not a domain under a common top-level domain: still not a link.
        for not_a_link in ["TP.HCM", "v.v.", "5.000", "a.b/c", "ten@mail.vn"] {
            assert!(canonical_url(not_a_link).is_err(), "{not_a_link}");
        }
    }

    #[test]
    fn bad_urls_say_why() {
        assert_eq!(canonical_url("  "), Err(UrlError::Empty));
        assert!(
            matches!(canonical_url("ftp://a.vn/x"), Err(UrlError::UnsupportedScheme(s)) if s == "ftp")
        );
        let e = canonical_url("khong phai url").expect_err("no URL");
        assert!(matches!(e, UrlError::Invalid(_)));
        // Each language alone: no English from the parser in the Vietnamese reason.
        assert_eq!(
            e.reason_vi(),
            "URL không hợp lệ: thiếu phần http:// hoặc https:// ở đầu"
        );
        assert_eq!(e.reason_en(), "invalid URL: relative URL without a base");
        let e = canonical_url("https://a b.vn/x").expect_err("a space in the host");
        assert!(e.reason_vi().contains("tên miền"), "{}", e.reason_vi());
    }

    #[test]
    fn urls_are_found_in_text() {
        let text = "Xem tại https://example.vn/a?utm_medium=x, và (www.example.vn/a).";
        assert_eq!(extract_urls(text), vec!["https://example.vn/a".to_owned()]);
        assert!(extract_urls("không có liên kết nào").is_empty());
    }
}
