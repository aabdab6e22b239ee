//! Accessibility of the public portal, the report and appeal forms and the staff login
//! (docs/accessibility.md): what a screen reader, a keyboard or a zoomed phone finds in the
//! markup the real server sends, in Vietnamese and in English.

use crate::harness::*;
use crate::html::Document;
use kc_desk::Role;
use serde_json::json;

/// The words that never say where a link leads when read alone (a screen reader's list of
/// links reads them without their sentence).
const VAGUE_LINKS: &[&str] = &[
    "xem thêm",
    "tại đây",
    "chi tiết",
    "đây",
    "read more",
    "more",
    "here",
    "click here",
    "details",
];

/// Everything a page fails of the checks that markup can answer, as sentences.
pub fn problems(html: &str, lang: &str) -> Vec<String> {
    let doc = Document::parse(html);
    let mut out = doc.problems.clone();
    let one = |tag: &str| doc.all(tag).collect::<Vec<_>>();

    match one("html").first() {
        Some(&h) if doc.el(h).attr("lang") == Some(lang) => {}
        Some(&h) => out.push(format!(
            "<html lang> is {:?}, the page is in {lang}",
            doc.el(h).attr("lang")
        )),
        None => out.push("no <html>".into()),
    }
    // An SVG's <title> names a shape; the page's own is the one in <head>.
    let titles: Vec<usize> = one("title")
        .into_iter()
        .filter(|&t| doc.el(t).parent.is_some_and(|p| doc.el(p).tag == "head"))
        .collect();
    match titles.as_slice() {
        [t] => {
            let title = doc.text(*t);
            let (own, _) = title.split_once(" · ").unwrap_or(("", ""));
            if own.trim().is_empty() {
                out.push(format!("<title> {title:?} does not name the page"));
            }
        }
        _ => out.push(format!("{} <title> elements", titles.len())),
    }
    if let Some(&m) = one("meta")
        .iter()
        .find(|&&m| doc.el(m).attr("name") == Some("viewport"))
    {
        let content = doc.el(m).attr("content").unwrap_or("").replace(' ', "");
        if content.contains("user-scalable=no") || content.contains("maximum-scale=1") {
            out.push(format!("the viewport forbids zooming: {content}"));
        }
    }

    let h1 = one("h1");
    if h1.len() != 1 {
        out.push(format!("{} <h1> elements, not one", h1.len()));
    }
    let mut previous = 0;
    for i in 0..doc.elements.len() {
        let tag = &doc.el(i).tag;
        let Some(level) = tag
            .strip_prefix('h')
            .and_then(|n| n.parse::<usize>().ok())
            .filter(|n| (1..=6).contains(n))
        else {
            continue;
        };
        if doc.text(i).is_empty() {
            out.push(format!("an empty <{tag}>"));
        }
        if level > previous + 1 {
            out.push(format!(
                "<{tag}> {:?} follows <h{previous}>: a level is skipped",
                doc.text(i)
            ));
        }
        previous = level;
    }

    let mains: Vec<usize> = (0..doc.elements.len())
        .filter(|&i| doc.el(i).tag == "main" || doc.el(i).attr("role") == Some("main"))
        .collect();
    if mains.len() != 1 {
        out.push(format!("{} main landmarks, not one", mains.len()));
    }
    for landmark in ["header", "nav", "footer"] {
        if one(landmark).is_empty() {
            out.push(format!("no <{landmark}> landmark"));
        }
    }
    for n in one("nav") {
        let labelled = doc.el(n).attr("aria-label").is_some_and(|l| !l.is_empty())
            || doc.el(n).has("aria-labelledby");
        if !labelled && one("nav").len() > 1 {
            out.push("several <nav> and one has no name to tell it apart".into());
        }
    }
    // The skip link is the first thing a keyboard reaches and leads into the main content.
    match one("a").first() {
        Some(&a) => {
            let target = doc
                .el(a)
                .attr("href")
                .and_then(|h| h.strip_prefix('#'))
                .and_then(|id| doc.by_id(id));
            let into_main = target.is_some_and(|t| mains.iter().any(|&m| doc.within(t, m)));
            if !into_main {
                out.push(format!(
                    "the first link ({:?}) is not a skip link to the main content",
                    doc.text(a)
                ));
            } else if doc.text(a).is_empty() {
                out.push("the skip link has no text".into());
            }
        }
        None => out.push("no link at all, so no skip link".into()),
    }

    let mut seen = std::collections::BTreeSet::new();
    for i in 0..doc.elements.len() {
        if let Some(id) = doc.el(i).attr("id") {
            if !seen.insert(id.to_string()) {
                out.push(format!("the id {id:?} is used twice"));
            }
        }
        for attr in ["aria-describedby", "aria-labelledby"] {
            for id in doc.el(i).attr(attr).unwrap_or("").split_whitespace() {
                if doc.by_id(id).is_none() {
                    out.push(format!(
                        "<{}> {attr} names {id:?}, which is not on the page",
                        doc.el(i).tag
                    ));
                }
            }
        }
    }
    for l in one("label") {
        if let Some(id) = doc.el(l).attr("for") {
            if doc.by_id(id).is_none() {
                out.push(format!("<label for={id:?}> names nothing"));
            }
        }
    }

    for i in 0..doc.elements.len() {
        let e = doc.el(i);
        let control = match e.tag.as_str() {
            "select" | "textarea" => true,
            "input" => !matches!(
                e.attr("type").unwrap_or("text"),
                "hidden" | "submit" | "button" | "reset" | "image"
            ),
            _ => false,
        };
        if !control {
            continue;
        }
        let what = format!("<{} name={:?}>", e.tag, e.attr("name").unwrap_or_default());
        let name = accessible_name(&doc, i);
        if name.is_empty() {
            out.push(format!("{what} has no label"));
            continue;
        }
        if e.has("required") {
            // A required field says so in words, not only with the attribute a screen
            // reader announces: sighted people see the label, its help or its group.
            let mut said = name.clone();
            for id in e.attr("aria-describedby").unwrap_or("").split_whitespace() {
                if let Some(d) = doc.by_id(id) {
                    said.push(' ');
                    said.push_str(&doc.text(d));
                }
            }
            if let Some(f) = doc.closest(i, "fieldset") {
                if let Some(legend) = doc.all("legend").find(|&g| doc.el(g).parent == Some(f)) {
                    said.push(' ');
                    said.push_str(&doc.text(legend));
                }
            }
            let word = if lang == "en" {
                "required"
            } else {
                "bắt buộc"
            };
            let lower = said.to_lowercase();
            if !lower.contains(word) || lower.contains(&format!("không {word}")) {
                out.push(format!(
                    "{what} is required but nothing on the page says so: {said:?}"
                ));
            }
        }
    }

    for a in one("a") {
        let text = link_name(&doc, a);
        if text.is_empty() {
            out.push(format!(
                "a link to {:?} has no text",
                doc.el(a).attr("href")
            ));
        } else if VAGUE_LINKS.contains(
            &text
                .to_lowercase()
                .trim_matches(|c: char| !c.is_alphanumeric() && c != ' ')
                .trim(),
        ) {
            out.push(format!("the link {text:?} says nothing read alone"));
        }
    }
    for img in one("img") {
        if !doc.el(img).has("alt") {
            out.push(format!(
                "<img src={:?}> has no alt",
                doc.el(img).attr("src")
            ));
        }
    }
    for t in one("table") {
        let named = doc.all("caption").any(|c| doc.el(c).parent == Some(t))
            || doc.el(t).has("aria-labelledby")
            || doc.el(t).has("aria-label");
        if !named {
            out.push("a <table> has no caption or name".into());
        }
    }
    for th in one("th") {
        if !doc.el(th).has("scope") {
            out.push(format!("<th> {:?} has no scope", doc.text(th)));
        }
        // A column with an empty header is read cell by cell with no name.
        if doc.text(th).is_empty() && !doc.el(th).has("aria-label") {
            out.push("an empty <th>".into());
        }
    }
    out
}

/// What a screen reader announces for a form control: aria-label, aria-labelledby, or
/// the text of its <label> (by `for`, or around it).
fn accessible_name(doc: &Document, i: usize) -> String {
    let e = doc.el(i);
    if let Some(l) = e.attr("aria-label").filter(|l| !l.trim().is_empty()) {
        return l.trim().to_string();
    }
    if let Some(ids) = e.attr("aria-labelledby") {
        let text: Vec<String> = ids
            .split_whitespace()
            .filter_map(|id| doc.by_id(id))
            .map(|d| doc.text(d))
            .collect();
        return text.join(" ").trim().to_string();
    }
    let mut names = Vec::new();
    if let Some(id) = e.attr("id") {
        names.extend(
            doc.all("label")
                .filter(|&l| doc.el(l).attr("for") == Some(id))
                .map(|l| doc.text(l)),
        );
    }
    if let Some(l) = doc.closest(i, "label") {
        // A label both around the control and pointing at it is one label.
        if e.attr("id").is_none() || doc.el(l).attr("for") != e.attr("id") {
            names.push(doc.text(l));
        }
    }
    names.join(" ").trim().to_string()
}

fn link_name(doc: &Document, a: usize) -> String {
    doc.el(a)
        .attr("aria-label")
        .map(str::to_string)
        .unwrap_or_else(|| doc.text(a))
}

/// A case published with a notice remedy (so its page carries the notice register), a
/// notice about it, an article, a report answered by it and an appeal against it: every
/// kind of public page has something to show.
struct Portal {
    paths: Vec<String>,
}

async fn portal(s: &TestServer) -> Portal {
    let intake = s.user("tiepnhan", &[(Role::Intake, None)]).await;
    let verifier = s.user("xacminh", &[(Role::Verifier, None)]).await;
    let reviewer = s.user("thamdinh", &[(Role::Reviewer, None)]).await;
    let editor = s.user("bientap", &[(Role::Editor, None)]).await;
    let (st, body) = s.report(RUMOUR).await;
    assert_eq!(st, 201, "{body}");
    let (_, cases) = s.get("/api/v1/cases", Some(&intake)).await;
    let id = cases[0]["id"].as_i64().expect("case id");
    let steps = [
        (&intake, "assign", json!({ "agency": default_agency() })),
        (
            &verifier,
            "decision",
            json!({
                "verdict": "false", "summary": "Điện lực không có chương trình hoàn tiền nào.",
                "reasons": "Công ty Điện lực xác nhận đây là tin giả nhằm lừa đảo.",
                "evidence": [{ "url": "https://evn.com.vn/thong-bao", "note": "Thông báo chính thức" }],
                "legal_provisions": [some_provision()], "remedy": "notice"
            }),
        ),
        (&reviewer, "review", json!({ "approve": true })),
        (
            &editor,
            "publish",
            json!({ "title": "Tin giả hoàn tiền điện" }),
        ),
    ];
    let mut factcheck = String::new();
    for (token, step, body) in steps {
        let (st, out) = s
            .post(&format!("/api/v1/cases/{id}/{step}"), Some(token), body)
            .await;
        assert!(st == 200 || st == 201, "{step}: {st} {out}");
        if step == "publish" {
            factcheck = out["url"].as_str().expect("url").to_string();
        }
    }
    let (notice, article) = notice_and_article(s, id, &editor).await;
    s.refresh().await;
    let (_, answered) = s.report(RUMOUR).await;
    assert_eq!(answered["status"], "answered", "{answered}");
    let slug = factcheck.trim_start_matches("/kiem-chung/");
    let (st, appeal) = s
        .post(
            &format!("/api/v1/publications/{slug}/appeals"),
            None,
            json!({ "reasons": "Bài viết hiểu sai thông báo của tôi.", "relation": "author" }),
        )
        .await;
    assert_eq!(st, 201, "{appeal}");
    let text = |v: &serde_json::Value, k: &str| v[k].as_str().expect(k).to_string();
    Portal {
        paths: vec![
            "/".into(),
            "/phan-anh".into(),
            format!("/phan-anh/{}", text(&answered, "receipt")),
            "/kiem-chung".into(),
            factcheck.clone(),
            text(&appeal, "url"),
            "/tra-cuu".into(),
            "/tra-cuu?q=ho%C3%A0n+ti%E1%BB%81n+%C4%91i%E1%BB%87n".into(),
            "/phan-anh/tra-cuu?ma=".into(),
            "/nhan-dien".into(),
            text(&article, "url"),
            text(&notice, "url"),
            "/du-lieu".into(),
            "/quan-tri/dang-nhap".into(),
            "/khong-co-trang-nay".into(),
        ],
    }
}

#[tokio::test]
async fn every_public_page_passes_the_markup_checks_in_both_languages() {
    let s = start("sqlite").await;
    let portal = portal(&s).await;
    let mut failures = Vec::new();
    for path in &portal.paths {
        for lang in ["vi", "en"] {
            let sep = if path.contains('?') { '&' } else { '?' };
            let url = format!("{path}{sep}lang={lang}");
            let (st, page) = s.get_text(&url).await;
            assert!(
                st == 200 || (400..500).contains(&st),
                "{url}: HTTP {st}: {page}"
            );
            for p in problems(&page, lang) {
                failures.push(format!("{url}: {p}"));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// The page's one form control with this id, or the test fails naming what is there.
fn control(doc: &Document, id: &str) -> usize {
    doc.by_id(id)
        .unwrap_or_else(|| panic!("no element with id {id:?}"))
}

/// Checks that the field `id` is marked invalid, takes the focus, and is described by a
/// message on the page that says `message`; that no other control is marked; and that the
/// summary at the top announces the message and links to the field.
pub fn assert_error_tied_to(page: &str, lang: &str, id: &str, message: &str) {
    let problems = problems(page, lang);
    assert!(problems.is_empty(), "{}", problems.join("\n"));
    let doc = Document::parse(page);
    let title = doc
        .all("title")
        .next()
        .map(|t| doc.text(t))
        .unwrap_or_default();
    let prefix = if lang == "en" { "Error: " } else { "Lỗi: " };
    assert!(
        title.starts_with(prefix),
        "the title says there is an error: {title:?}"
    );

    let field = doc.el(control(&doc, id));
    assert_eq!(
        field.attr("aria-invalid"),
        Some("true"),
        "{id} is marked invalid"
    );
    let described: Vec<String> = field
        .attr("aria-describedby")
        .unwrap_or("")
        .split_whitespace()
        .filter_map(|d| doc.by_id(d))
        .map(|d| doc.text(d))
        .collect();
    assert!(
        described.iter().any(|t| t.contains(message)),
        "{id} is described by the message {message:?}: {described:?}"
    );
    let invalid: Vec<&str> = (0..doc.elements.len())
        .filter(|&i| doc.el(i).attr("aria-invalid") == Some("true"))
        .filter_map(|i| doc.el(i).attr("id"))
        .collect();
    assert_eq!(invalid, vec![id], "only the field in error is marked");

    let alerts: Vec<usize> = (0..doc.elements.len())
        .filter(|&i| doc.el(i).attr("role") == Some("alert"))
        .collect();
    assert_eq!(alerts.len(), 1, "one announced summary");
    assert!(
        doc.text(alerts[0]).contains(message),
        "{}",
        doc.text(alerts[0])
    );
    let to_field = format!("#{id}");
    assert!(
        doc.all("a")
            .any(|a| doc.within(a, alerts[0]) && doc.el(a).attr("href") == Some(to_field.as_str())),
        "the summary links to the field: {}",
        doc.text(alerts[0])
    );
}

/// The report form as a browser posts it (multipart), with the CSRF cookie and the language
/// cookie a visitor has.
async fn post_report(
    s: &TestServer,
    lang: &str,
    text: &str,
    urls: &str,
    contact: &str,
    file: Option<&'static [u8]>,
) -> (u16, String) {
    let csrf = csrf_for(s, "/phan-anh").await;
    let mut form = reqwest::multipart::Form::new()
        .text("csrf", csrf.clone())
        .text("text", text.to_string())
        .text("urls", urls.to_string())
        .text("contact", contact.to_string());
    if let Some(bytes) = file {
        form = form.part(
            "files",
            reqwest::multipart::Part::bytes(bytes).file_name("anh-chup.png"),
        );
    }
    let resp = s
        .client
        .post(s.url("/phan-anh"))
        .header("cookie", format!("kc_csrf={csrf}; kc_lang={lang}"))
        .multipart(form)
        .send()
        .await
        .expect("post");
    let st = resp.status().as_u16();
    (st, resp.text().await.expect("body"))
}

#[tokio::test]
async fn a_report_form_error_is_tied_to_its_field_and_keeps_what_was_typed() {
    let s = start("sqlite").await;
    let link = "https://example.vn/bai-dang/123";
    let contact = "nguoidan@example.com";
    for lang in ["vi", "en"] {
        let en = lang == "en";
        // Nothing typed in the one required box.
        let (st, page) = post_report(&s, lang, "  ", link, contact, None).await;
        assert_eq!(st, 422, "{page}");
        let empty = if en {
            "The report text is empty."
        } else {
            "Vui lòng nhập nội dung phản ánh."
        };
        assert_error_tied_to(&page, lang, "text", empty);
        let doc = Document::parse(&page);
        assert_eq!(doc.text(control(&doc, "urls")), link, "the links are kept");
        assert_eq!(
            doc.el(control(&doc, "contact")).attr("value"),
            Some(contact)
        );
        assert!(
            doc.el(control(&doc, "text")).has("autofocus"),
            "the field takes the focus"
        );

        // A link that is not one: the links box is marked, the report text is kept.
        let (st, page) = post_report(&s, lang, RUMOUR, "khong phai duong dan", contact, None).await;
        assert_eq!(st, 422, "{page}");
        let bad = if en {
            "Invalid link"
        } else {
            "Đường dẫn không hợp lệ"
        };
        assert_error_tied_to(&page, lang, "urls", bad);
        let doc = Document::parse(&page);
        assert_eq!(doc.text(control(&doc, "text")), doc_text(RUMOUR));
        assert_eq!(doc.text(control(&doc, "urls")), "khong phai duong dan");

        // A file that is not an image: the file picker is marked, and since no browser
        // refills one, the page asks for the images again.
        let (st, page) = post_report(&s, lang, RUMOUR, "", "", Some(b"khong phai anh")).await;
        assert_eq!(st, 422, "{page}");
        let image = if en { "Image 1" } else { "Ảnh 1" };
        assert_error_tied_to(&page, lang, "files", image);
        let again = if en {
            "choose them again"
        } else {
            "hãy chọn lại ảnh"
        };
        assert!(page.contains(again), "{page}");
        let doc = Document::parse(&page);
        assert_eq!(doc.text(control(&doc, "text")), doc_text(RUMOUR));
    }
}

/// A text as the page's tree reads it back: whitespace collapsed.
fn doc_text(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[tokio::test]
async fn an_appeal_form_error_is_tied_to_its_field_and_keeps_what_was_typed() {
    let s = start("sqlite").await;
    let (_, url) = publish_rumour(&s, RUMOUR).await;
    let reasons = "Bài viết hiểu sai thông báo của tôi.";
    for lang in ["vi", "en"] {
        let en = lang == "en";
        for (relation, typed, id, message) in [
            (
                "author",
                "",
                "appeal-reasons",
                if en {
                    "Please give the reasons"
                } else {
                    "Vui lòng nêu lý do khiếu nại."
                },
            ),
            (
                "",
                reasons,
                "appeal-relation",
                if en {
                    "Choose how you relate"
                } else {
                    "Vui lòng chọn bạn liên quan"
                },
            ),
        ] {
            let csrf = csrf_for(&s, &url).await;
            let resp = s
                .client
                .post(s.url(&format!("{url}/khieu-nai")))
                .header("cookie", format!("kc_csrf={csrf}; kc_lang={lang}"))
                .form(&[
                    ("csrf", csrf.as_str()),
                    ("relation", relation),
                    ("reasons", typed),
                    ("contact", ""),
                ])
                .send()
                .await
                .expect("post");
            assert_eq!(resp.status().as_u16(), 422);
            let page = resp.text().await.expect("body");
            assert_error_tied_to(&page, lang, id, message);
            let doc = Document::parse(&page);
            assert_eq!(
                doc.text(control(&doc, "appeal-reasons")),
                typed,
                "the reasons are kept"
            );
            let checked: Vec<&str> = doc
                .all("input")
                .filter(|&i| doc.el(i).has("checked"))
                .filter_map(|i| doc.el(i).attr("value"))
                .collect();
            let kept: Vec<&str> = [relation].into_iter().filter(|r| !r.is_empty()).collect();
            assert_eq!(checked, kept, "the choice is kept");
        }
    }
}

#[tokio::test]
async fn desk_written_vietnamese_is_marked_as_such_on_english_pages() {
    // A screen reader set to English reads "Tin giả hoàn tiền điện" as English words unless
    // the text says it is Vietnamese.
    let s = start("sqlite").await;
    let (_, url) = publish_rumour(&s, RUMOUR).await;
    for path in [url.as_str(), "/kiem-chung", "/"] {
        let (st, page) = s.get_text(&format!("{path}?lang=en")).await;
        assert_eq!(st, 200);
        let doc = Document::parse(&page);
        let titled: Vec<usize> = (0..doc.elements.len())
            .filter(|&i| {
                let e = doc.el(i);
                (e.tag == "a" || e.tag == "h1") && doc.text(i) == "Tin giả hoàn tiền điện"
            })
            .collect();
        assert!(!titled.is_empty(), "{path} shows the title");
        for i in titled {
            let mut at = Some(i);
            let mut lang = None;
            while let Some(k) = at {
                if let Some(l) = doc.el(k).attr("lang") {
                    lang = Some(l);
                    break;
                }
                at = doc.el(k).parent;
            }
            assert_eq!(lang, Some("vi"), "{path}: the title is marked Vietnamese");
        }
    }
}

/// WCAG's relative luminance of `#rgb` or `#rrggbb`.
fn luminance(hex: &str) -> f64 {
    let h = hex.trim_start_matches('#');
    let h: String = if h.len() == 3 {
        h.chars().flat_map(|c| [c, c]).collect()
    } else {
        h.to_string()
    };
    let channel = |i: usize| {
        let c = f64::from(u8::from_str_radix(&h[i..i + 2], 16).expect("hex colour")) / 255.0;
        if c <= 0.04045 {
            c / 12.92
        } else {
            ((c + 0.055) / 1.055).powf(2.4)
        }
    };
    0.2126 * channel(0) + 0.7152 * channel(2) + 0.0722 * channel(4)
}

fn contrast(a: &str, b: &str) -> f64 {
    let (x, y) = (luminance(a), luminance(b));
    (x.max(y) + 0.05) / (x.min(y) + 0.05)
}

#[test]
fn contrast_follows_the_wcag_formula() {
    assert!((contrast("#000", "#fff") - 21.0).abs() < 1e-9);
    assert!((contrast("#767676", "#fff") - 4.54).abs() < 0.01);
}

#[tokio::test]
async fn the_served_palette_has_enough_contrast_and_focus_is_always_visible() {
    let s = start("sqlite").await;
    let (_, page) = s.get_text("/").await;
    let css = page
        .split("<style>")
        .nth(1)
        .and_then(|rest| rest.split("</style>").next())
        .expect("the page's stylesheet");
    let root = css
        .split(":root {")
        .nth(1)
        .and_then(|rest| rest.split('}').next())
        .expect(":root block");
    let colour = |name: &str| -> String {
        root.split(';')
            .filter_map(|d| d.split_once(':'))
            .find(|(k, _)| k.trim() == format!("--{name}"))
            .map(|(_, v)| v.trim().to_string())
            .unwrap_or_else(|| panic!("--{name} in :root"))
    };
    // Each pair the stylesheet puts together: (foreground, background, what, minimum).
    let pairs = [
        ("fg", "bg", "body text", 4.5),
        ("accent", "bg", "links", 4.5),
        ("bg", "accent", "header text and buttons", 4.5),
        ("muted", "bg", "help text and footer", 4.5),
        ("accent", "notice-bg", "links in a notice box", 4.5),
        ("muted", "notice-bg", "help text in a notice box", 4.5),
        ("fg", "error-bg", "text in an error box", 4.5),
        ("accent", "error-bg", "links in an error box", 4.5),
        ("warn", "bg", "a field's error message", 4.5),
        ("warn", "error-bg", "an error message in an error box", 4.5),
        ("bg", "warn", "a false verdict badge", 4.5),
        ("bg", "ok", "a true verdict badge", 4.5),
        (
            "bg",
            "neutral",
            "other verdict badges, secondary buttons",
            4.5,
        ),
        ("field-border", "bg", "a text box's edge", 3.0),
        ("focus", "bg", "the focus ring in the page", 3.0),
        ("focus", "notice-bg", "the focus ring in a notice box", 3.0),
        ("focus", "error-bg", "the focus ring in an error box", 3.0),
        (
            "focus-on-accent",
            "accent",
            "the focus ring on the header",
            3.0,
        ),
    ];
    for (fg, bg, what, min) in pairs {
        let ratio = contrast(&colour(fg), &colour(bg));
        assert!(
            ratio >= min,
            "{what}: --{fg} on --{bg} is {ratio:.2}:1, below {min}:1"
        );
    }
    let compact: String = css.chars().filter(|c| !c.is_whitespace()).collect();
    for el in ["a", "button", "input", "select", "textarea", "summary"] {
        assert!(
            compact.contains(&format!("{el}:focus")),
            "{el} has a focus style"
        );
    }
    assert!(
        !compact.contains("outline:none") && !compact.contains("outline:0"),
        "no rule hides the focus ring"
    );
    // The text follows the reader's font size setting, not only the browser's zoom.
    let body = compact
        .split("body{")
        .nth(1)
        .and_then(|r| r.split('}').next())
        .expect("body rule");
    assert!(!body.contains("px/"), "body text size in rem or %: {body}");
    // Motion is opt-in: any transition or animation stops for those who asked for less.
    if compact.contains("transition") || compact.contains("animation") {
        assert!(
            compact.contains("prefers-reduced-motion"),
            "reduced motion honoured"
        );
    }
}

/// A notice to a platform about published case `case` and an awareness article, made by
/// `editor` over the API: the pages that show them need one of each.
pub(crate) async fn notice_and_article(
    s: &TestServer,
    case: i64,
    editor: &str,
) -> (serde_json::Value, serde_json::Value) {
    let (st, notice) = s
        .post(
            &format!("/api/v1/cases/{case}/notices"),
            Some(editor),
            json!({ "platform": "Facebook", "locators": ["https://www.facebook.com/trang.gia/posts/123"] }),
        )
        .await;
    assert_eq!(st, 201, "{notice}");
    let (st, article) = s
        .post(
            "/api/v1/articles",
            Some(editor),
            json!({ "title": "Năm dấu hiệu nhận biết tin giả",
                    "summary": "Cách nhận ra một tin giả trước khi chia sẻ.",
                    "body": "Tin giả thường giật gân.\n\nHãy kiểm tra nguồn tin." }),
        )
        .await;
    assert_eq!(st, 201, "{article}");
    (notice, article)
}
