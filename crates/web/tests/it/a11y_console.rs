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
    let agency = default_agency();
    let decision = json!({
        "verdict": "false", "summary": "Điện lực không có chương trình hoàn tiền nào.",
        "reasons": "Công ty Điện lực xác nhận đây là tin giả nhằm lừa đảo.",
        "evidence": [{ "url": "https://evn.com.vn/thong-bao", "note": "Thông báo chính thức" }],
        "legal_provisions": [some_provision()], "remedy": "notice"
    });
    let steps = [
        (&intake, "assign", json!({ "agency": agency })),
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
    let (st, notice) = s
        .post(
            &format!("/api/v1/cases/{published}/notices"),
            Some(&editor),
            json!({ "platform": "Facebook", "locators": ["https://www.facebook.com/trang.gia/posts/123"] }),
        )
        .await;
    assert_eq!(st, 201, "{notice}");
    let (st, article) = s
        .post(
            "/api/v1/articles",
            Some(&editor),
            json!({ "title": "Năm dấu hiệu nhận biết tin giả",
                    "summary": "Cách nhận ra một tin giả trước khi chia sẻ.",
                    "body": "Tin giả thường giật gân.\n\nHãy kiểm tra nguồn tin." }),
        )
        .await;
    assert_eq!(st, 201, "{article}");
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
    // deciding an appeal; outreach, duties and articles.
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
        "held_on",
        "duty",
        "body",
    ] {
        assert!(ids.contains(id), "no page showed the control #{id}");
    }
}
