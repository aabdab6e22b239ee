//! Accessibility of the staff console (docs/accessibility.md): the same markup checks as the
//! public portal's (`a11y::problems`) on every console page, signed in with every role so
//! that each form shows, in Vietnamese and in English; and console form errors tied to
//! their field.

use crate::a11y::{assert_error_tied_to, problems};
use crate::harness::*;
use crate::html::Document;
use kc_desk::Role;
use serde_json::json;

/// The user who holds every role district-wide, so the case pages show every form.
const CHIEF: &str = "truong-ban";

/// Cases in each state a case page can be in, with a publication that carries a notice and
/// an appeal; the article and the console pages around them.
struct Console {
    paths: Vec<String>,
    /// A case assigned and waiting for its decision (the decision form).
    to_decide: i64,
    /// The published case (the notice form).
    published: i64,
}

async fn console(s: &TestServer) -> Console {
    let intake = s.user("tiepnhan", &[(Role::Intake, None)]).await;
    let verifier = s.user("xacminh", &[(Role::Verifier, None)]).await;
    let reviewer = s.user("thamdinh", &[(Role::Reviewer, None)]).await;
    let editor = s.user("bientap", &[(Role::Editor, None)]).await;
    s.user(
        CHIEF,
        &[
            (Role::Intake, None),
            (Role::Verifier, None),
            (Role::Reviewer, None),
            (Role::Editor, None),
            (Role::Lead, None),
            (Role::Admin, None),
            (Role::Auditor, None),
        ],
    )
    .await;
    let agency = "vhtt";
    let decision = json!({
        "verdict": "false", "summary": "Điện lực không có chương trình hoàn tiền nào.",
        "reasons": "Công ty Điện lực xác nhận đây là tin giả nhằm lừa đảo.",
        "evidence": [{ "url": "https://evn.com.vn/thong-bao", "note": "Thông báo chính thức" }],
        "legal_provisions": [some_provision()], "remedy": "notice"
    });
    // A health rumour: its lead consults two other agencies, so the case pages also show the
    // consulted agencies' opinion form.
    let steps = [
        (
            &intake,
            "assign",
            json!({ "agency": agency, "harm_category": "health" }),
        ),
        (&verifier, "decision", decision),
        (&reviewer, "review", json!({ "approve": true })),
        (
            &editor,
            "publish",
            json!({ "title": "Tin giả hoàn tiền điện" }),
        ),
    ];
    // Case k of these is taken k steps along: new, assigned, decided, approved, published.
    let mut ids = Vec::new();
    let mut factcheck = String::new();
    for k in 0..=steps.len() {
        let text = if k == steps.len() {
            RUMOUR.to_string()
        } else {
            unrelated_rumour(k)
        };
        let (st, body) = s
            .post(
                "/api/v1/reports",
                None,
                json!({ "text": text, "urls": ["https://example.vn/bai-dang/1"],
                        "contact": "nguoidan@example.com" }),
            )
            .await;
        assert_eq!(st, 201, "{body}");
        let (_, cases) = s.get("/api/v1/cases", Some(&intake)).await;
        let id = cases
            .as_array()
            .expect("cases")
            .iter()
            .filter_map(|c| c["id"].as_i64())
            .max()
            .expect("case id");
        for (token, step, body) in steps.iter().take(k) {
            let (st, out) = s
                .post(
                    &format!("/api/v1/cases/{id}/{step}"),
                    Some(token),
                    body.clone(),
                )
                .await;
            assert!(st == 200 || st == 201, "{step}: {st} {out}");
            if *step == "publish" {
                factcheck = out["url"].as_str().expect("url").to_string();
            }
        }
        ids.push(id);
    }
    let published = ids[steps.len()];
    let (_, article) = crate::a11y::notice_and_article(s, published, &editor).await;
    let slug = factcheck.trim_start_matches("/kiem-chung/");
    let (st, appeal) = s
        .post(
            &format!("/api/v1/publications/{slug}/appeals"),
            None,
            json!({ "reasons": "Bài viết hiểu sai thông báo của tôi.", "relation": "author",
                    "contact": "tacgia@example.com" }),
        )
        .await;
    assert_eq!(st, 201, "{appeal}");
    let article = article["id"].as_i64().expect("article id");
    let mut paths: Vec<String> = [
        "/quan-tri",
        "/quan-tri/thong-ke",
        "/quan-tri/nhiem-vu",
        "/quan-tri/nhat-ky",
        "/quan-tri/tuyen-truyen",
        "/quan-tri/bai-viet",
    ]
    .into_iter()
    .map(String::from)
    .collect();
    paths.push(format!("/quan-tri/bai-viet/{article}"));
    paths.extend(ids.iter().map(|id| format!("/quan-tri/ho-so/{id}")));
    Console {
        paths,
        to_decide: ids[1],
        published,
    }
}

/// The cookies of a signed-in officer reading the console in `lang`.
fn in_lang(jar: &str, lang: &str) -> String {
    format!("{jar}; kc_lang={lang}")
}

#[tokio::test]
async fn every_console_page_passes_the_markup_checks_in_both_languages() {
    let s = start("sqlite").await;
    let c = console(&s).await;
    let (jar, _) = login(&s, CHIEF).await;
    let mut failures = Vec::new();
    let mut ids = std::collections::BTreeSet::new();
    for path in &c.paths {
        for lang in ["vi", "en"] {
            let page = console_get(&s, &in_lang(&jar, lang), path).await;
            for p in problems(&page, lang) {
                failures.push(format!("{path} ({lang}): {p}"));
            }
            let doc = Document::parse(&page);
            ids.extend(
                (0..doc.elements.len()).filter_map(|i| doc.el(i).attr("id").map(String::from)),
            );
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    // The sweep reached every form: assigning, deciding, reviewing, publishing, restating,
    // closing, merging, adding evidence, preparing a notice and recording its step,
    // deciding an appeal, a consulted agency's opinion; outreach, duties and articles.
    for id in [
        "agency",
        "verdict",
        "comment",
        "claim",
        "restated-claim",
        "close_reason",
        "merge_into",
        "evidence-file",
        "notice-platform",
        "step-1",
        "appeal-reasons-1",
        "opinion-agency",
        "opinion-text",
        "held_on",
        "duty",
        "body",
    ] {
        assert!(ids.contains(id), "no page showed the control #{id}");
    }
}

/// The sign-in page that shows back what was typed into a form sent after the session
/// ended, with every field it can show, passes the same checks in both languages (a kept
/// `title` field once shared its id with the section's heading, leaving it unlabelled).
#[tokio::test]
async fn the_sign_in_page_keeping_a_forms_text_passes_the_markup_checks() {
    let s = start("sqlite").await;
    s.user("bientap", &[(Role::Editor, None)]).await;
    let (jar, csrf) = login(&s, "bientap").await;
    let mut tx = s.store.begin_write("cli").await.expect("begin");
    tx.set_user_disabled("bientap", true)
        .await
        .expect("disable");
    tx.set_user_disabled("bientap", false)
        .await
        .expect("enable");
    tx.commit().await.expect("commit");
    let mut form = vec![("csrf", csrf.as_str())];
    form.extend(
        kc_web::unsaved::TEXT_FIELDS
            .iter()
            .map(|&f| (f, "Đã nhập <b>gì</b>")),
    );
    for lang in ["vi", "en"] {
        let (st, page) = console_post(&s, &in_lang(&jar, lang), "/quan-tri/bai-viet", &form).await;
        assert_eq!(st, 401, "{page}");
        let doc = Document::parse(&page);
        let kept = (0..doc.elements.len())
            .filter(|&i| doc.el(i).tag == "textarea" && doc.el(i).attr("readonly").is_some())
            .count();
        assert_eq!(
            kept,
            kc_web::unsaved::TEXT_FIELDS.len(),
            "[{lang}] every field shown back"
        );
        let failures = problems(&page, lang);
        assert!(failures.is_empty(), "[{lang}] {}", failures.join("\n"));
    }
}

/// Posts a console form as an officer reading the console in `lang`; the form is refused
/// (422) and the page comes back with its error.
async fn refused(
    s: &TestServer,
    jar: &str,
    lang: &str,
    path: &str,
    form: &[(&str, &str)],
) -> String {
    let (st, page) = console_post(s, &in_lang(jar, lang), path, form).await;
    assert_eq!(st, 422, "{path}: {page}");
    page
}

/// The text of the control `id` (a textarea's content, an input's value), as typed.
fn kept(page: &str, id: &str) -> String {
    let doc = Document::parse(page);
    let i = doc.by_id(id).unwrap_or_else(|| panic!("no #{id}"));
    match doc.el(i).tag.as_str() {
        "textarea" => doc.text(i),
        "select" => doc
            .all("option")
            .find(|&o| doc.el(o).parent == Some(i) && doc.el(o).has("selected"))
            .and_then(|o| doc.el(o).attr("value").map(String::from))
            .unwrap_or_default(),
        _ => doc.el(i).attr("value").unwrap_or_default().to_string(),
    }
}

#[tokio::test]
async fn console_form_errors_are_tied_to_their_field_and_keep_what_was_typed() {
    let s = start("sqlite").await;
    let c = console(&s).await;
    s.user("lanh-dao-ca", &[(Role::Lead, Some("ca"))]).await;
    let (jar, csrf) = login(&s, CHIEF).await;
    let (lead, lead_csrf) = login(&s, "lanh-dao-ca").await;
    let agency = default_agency();
    let today = (chrono::Utc::now() + chrono::Duration::hours(7))
        .date_naive()
        .to_string();
    let reasons = "Công ty Điện lực xác nhận không có chương trình này.";
    for lang in ["vi", "en"] {
        let en = lang == "en";
        let say = |vi: &'static str, e: &'static str| if en { e } else { vi };

        // The decision form: no summary, then an evidence link that is not one.
        let decide = format!("/quan-tri/ho-so/{}/ket-luan", c.to_decide);
        let mut form = vec![
            ("csrf", csrf.as_str()),
            ("verdict", "false"),
            ("summary", " "),
            ("reasons", reasons),
            ("evidence_url", ""),
            ("evidence_note", "Thông báo chính thức"),
            ("remedy", "correction"),
        ];
        let page = refused(&s, &jar, lang, &decide, &form).await;
        assert_error_tied_to(
            &page,
            lang,
            "summary",
            say("Cần có tóm tắt kết luận.", "A summary is required."),
        );
        assert_eq!(kept(&page, "reasons"), reasons, "the reasons are kept");
        assert_eq!(kept(&page, "verdict"), "false", "the verdict is kept");
        assert_eq!(kept(&page, "evidence_note"), "Thông báo chính thức");
        form[2] = ("summary", "Không có chương trình hoàn tiền.");
        form[4] = ("evidence_url", "khong phai duong dan");
        let page = refused(&s, &jar, lang, &decide, &form).await;
        assert_error_tied_to(
            &page,
            lang,
            "evidence_url",
            say("Đường dẫn bằng chứng không hợp lệ", "Invalid evidence link"),
        );
        assert_eq!(kept(&page, "evidence_url"), "khong phai duong dan");

        // The notice form: no platform.
        let locator = "https://www.facebook.com/trang.gia/posts/456";
        let notice = format!("/quan-tri/ho-so/{}/thong-bao", c.published);
        let page = refused(
            &s,
            &jar,
            lang,
            &notice,
            &[
                ("csrf", &csrf),
                ("platform", ""),
                ("locators", locator),
                ("territorial_scope", ""),
            ],
        )
        .await;
        assert_error_tied_to(
            &page,
            lang,
            "notice-platform",
            say("Vui lòng nhập tên nền tảng", "Name the platform"),
        );
        assert_eq!(
            kept(&page, "notice-locators"),
            locator,
            "the locators are kept"
        );

        // Restating a published claim as nothing: the folded form opens on its field.
        let (st, page) = console_post(
            &s,
            &in_lang(&jar, lang),
            &format!("/quan-tri/ho-so/{}/noi-dung-cong-bo", c.published),
            &[("csrf", &csrf), ("claim", " ")],
        )
        .await;
        assert_eq!(st, 422, "{page}");
        let doc = Document::parse(&page);
        let field = doc.by_id("restated-claim").expect("the restate field");
        let message = doc
            .el(field)
            .attr("aria-describedby")
            .and_then(|d| d.split_whitespace().next())
            .and_then(|d| doc.by_id(d))
            .map(|d| doc.text(d))
            .unwrap_or_default();
        assert!(
            message.chars().count() > 10,
            "the field's message: {message:?}"
        );
        assert_error_tied_to(
            &page,
            lang,
            "restated-claim",
            &message.replacen(&format!("{}: ", say("Lỗi", "Error")), "", 1),
        );
        let folded = doc
            .closest(field, "details")
            .expect("the restate form folds");
        assert!(doc.el(folded).has("open"), "the form in error is open");

        // A notice's step: a date that is not one; the step and note are kept.
        let page = refused(
            &s,
            &jar,
            lang,
            "/quan-tri/thong-bao/1/buoc",
            &[
                ("csrf", &csrf),
                ("step", "sent"),
                ("date", "hom qua"),
                ("note", "Gửi qua cổng báo cáo"),
            ],
        )
        .await;
        assert_error_tied_to(
            &page,
            lang,
            "date-1",
            say(
                "Vui lòng nhập ngày theo dạng YYYY-MM-DD.",
                "Give the date as YYYY-MM-DD.",
            ),
        );
        assert_eq!(kept(&page, "date-1"), "hom qua");
        assert_eq!(kept(&page, "step-1"), "sent");
        assert_eq!(kept(&page, "note-1"), "Gửi qua cổng báo cáo");

        // An appeal's decision: no outcome chosen; the reasons are kept.
        let why = "Kết luận dựa trên thông báo chính thức của Điện lực.";
        let page = refused(
            &s,
            &jar,
            lang,
            &format!("/quan-tri/ho-so/{}/khieu-nai/1", c.published),
            &[("csrf", &csrf), ("outcome", ""), ("reasons", why)],
        )
        .await;
        assert_error_tied_to(
            &page,
            lang,
            "outcome-1",
            say("Vui lòng chọn kết quả", "Choose an outcome"),
        );
        assert_eq!(kept(&page, "appeal-reasons-1"), why);

        // Outreach: no topic.
        let page = refused(
            &s,
            &jar,
            lang,
            "/quan-tri/tuyen-truyen",
            &[
                ("csrf", &csrf),
                ("agency", &agency),
                ("kind", "talk"),
                ("audience", "members"),
                ("held_on", &today),
                ("topic", "  "),
                ("attendees", "60"),
                ("materials_url", ""),
            ],
        )
        .await;
        assert_error_tied_to(
            &page,
            lang,
            "topic",
            say("Cần nêu chủ đề.", "A topic is required."),
        );
        assert_eq!(kept(&page, "attendees"), "60");
        assert_eq!(kept(&page, "held_on"), today);

        // Duties: the last day before the first.
        let summary = "Rà soát 12 trang mạng xã hội trên địa bàn";
        let page = refused(
            &s,
            &lead,
            lang,
            "/quan-tri/nhiem-vu",
            &[
                ("csrf", &lead_csrf),
                ("agency", "ca"),
                ("duty", "3.2-ra-soat"),
                ("from", "2026-11-02"),
                ("to", "2026-11-01"),
                ("summary", summary),
                ("count", "12"),
                ("unit", "trang"),
                ("links", ""),
                ("corrects", ""),
            ],
        )
        .await;
        assert_error_tied_to(
            &page,
            lang,
            "to",
            say(
                "Ngày kết thúc trước ngày bắt đầu.",
                "The last day is before the first day.",
            ),
        );
        assert_eq!(kept(&page, "summary"), summary);
        assert_eq!(kept(&page, "count"), "12");

        // The audit log's filter: a day that is not one.
        let resp = s
            .client
            .get(s.url("/quan-tri/nhat-ky?from=hom-qua"))
            .header("cookie", in_lang(&jar, lang))
            .send()
            .await
            .expect("get");
        assert_eq!(resp.status().as_u16(), 422);
        let page = resp.text().await.expect("body");
        assert_error_tied_to(&page, lang, "from", "hom-qua");

        // Articles: no title.
        let body = "Tin giả thường giật gân.\n\nHãy kiểm tra nguồn tin.";
        let page = refused(
            &s,
            &jar,
            lang,
            "/quan-tri/bai-viet",
            &[
                ("csrf", &csrf),
                ("title", " "),
                ("summary", ""),
                ("body", body),
            ],
        )
        .await;
        assert_error_tied_to(
            &page,
            lang,
            "title",
            say("Cần nhập tiêu đề bài viết.", "A title is required."),
        );
        assert_eq!(
            kept(&page, "body"),
            body.split_whitespace().collect::<Vec<_>>().join(" ")
        );
    }
}

/// The language a screen reader reads the element `i` in: its own `lang` or its nearest
/// ancestor's.
fn lang_of(doc: &Document, i: usize) -> Option<&str> {
    let mut at = Some(i);
    while let Some(k) = at {
        if let Some(l) = doc.el(k).attr("lang") {
            return Some(l);
        }
        at = doc.el(k).parent;
    }
    None
}

/// Asserts that `page` shows `said` and that a screen reader reads it in `lang`: the
/// innermost elements holding it are marked so, or inside an element that is.
fn assert_read_in(page: &str, said: &str, lang: &str, path: &str) {
    let doc = Document::parse(page);
    let holders: Vec<usize> = (0..doc.elements.len())
        .filter(|&i| doc.text(i).contains(said))
        .filter(|&i| {
            !(0..doc.elements.len())
                .any(|k| doc.el(k).parent == Some(i) && doc.text(k).contains(said))
        })
        .collect();
    assert!(!holders.is_empty(), "{path} shows {said:?}");
    for i in holders {
        assert_eq!(
            lang_of(&doc, i),
            Some(lang),
            "{path}: <{}> with {said:?} is read in {lang}",
            doc.el(i).tag
        );
    }
}

#[tokio::test]
async fn desk_written_vietnamese_is_marked_as_such_on_english_console_pages() {
    // A screen reader set to English reads "Công ty Điện lực xác nhận" with English
    // pronunciation unless the text says it is Vietnamese.
    let s = start("sqlite").await;
    let c = console(&s).await;
    s.user("lanh-dao-ca", &[(Role::Lead, Some("ca"))]).await;
    let (jar, _) = login(&s, CHIEF).await;
    let (lead, _) = login(&s, "lanh-dao-ca").await;
    let case = format!("/quan-tri/ho-so/{}", c.published);
    let duty = kc_desk::pack::Pack::shipped()
        .expect("pack")
        .duties
        .iter()
        .find(|d| d.id == "3.2-ra-soat")
        .and_then(|d| d.text_en.as_deref())
        .map(|t| t.chars().take(30).collect::<String>())
        .expect("the monitoring duty, in English");
    for (jar, path, said) in [
        (
            &jar,
            case.as_str(),
            "Công ty Điện lực xác nhận đây là tin giả",
        ),
        (&jar, case.as_str(), "Bài viết hiểu sai thông báo của tôi."),
        (&jar, "/quan-tri", "Bài viết hiểu sai thông báo của tôi."),
    ] {
        let page = console_get(&s, &in_lang(jar, "en"), path).await;
        assert_read_in(&page, said, "vi", path);
    }
    // The directive's duties read in English there, and are not marked Vietnamese.
    let page = console_get(&s, &in_lang(&lead, "en"), "/quan-tri/nhiem-vu").await;
    assert_read_in(&page, &duty, "en", "/quan-tri/nhiem-vu");
}
