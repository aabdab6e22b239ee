//! Awareness articles: editors publish and correct them; the public reads them on the
//! portal, on the home page and in the Atom feed, without any staff name.

use crate::harness::{backends, console_get, console_post, login, start};
use kc_desk::Role;
use serde_json::json;

const BODY: &str = "Tin giả thường giật gân và thúc giục chia sẻ ngay.\r\n\r\n\
    Hãy kiểm tra nguồn: trang của cơ quan nhà nước, báo chí được cấp phép.\r\n\r\n\
    Đừng bấm vào đường dẫn lạ hay chuyển tiền theo yêu cầu trong tin nhắn & bài đăng <b>lạ</b>.";

#[tokio::test]
async fn an_editor_publishes_and_corrects_an_article_the_public_reads() {
    for kind in backends() {
        let s = start(kind).await;
        let editor = s.user("bientap", &[(Role::Editor, None)]).await;
        let verifier = s.user("xacminh", &[(Role::Verifier, None)]).await;
        let draft = json!({ "title": "Năm dấu hiệu nhận biết tin giả", "body": BODY });

        let (st, body) = s.post("/api/v1/articles", None, draft.clone()).await;
        assert_eq!(st, 401, "[{kind}] {body}");
        let (st, body) = s
            .post("/api/v1/articles", Some(&verifier), draft.clone())
            .await;
        assert_eq!(st, 403, "[{kind}] only editors write: {body}");
        let (st, body) = s
            .post(
                "/api/v1/articles",
                Some(&editor),
                json!({ "title": "🔥🔥", "body": BODY }),
            )
            .await;
        assert_eq!(st, 422, "[{kind}] {body}");
        assert_eq!(body["error"]["field"], "title");
        assert!(
            body["error"]["message_en"]
                .as_str()
                .is_some_and(|m| m.contains("letters or numbers")),
            "[{kind}] a title was given, it needs words: {body}"
        );
        let (st, body) = s
            .post(
                "/api/v1/articles",
                Some(&editor),
                json!({ "title": "Tiêu đề", "body": " " }),
            )
            .await;
        assert_eq!(st, 422, "[{kind}] {body}");
        assert_eq!(body["error"]["field"], "body");

        let (st, a) = s
            .post("/api/v1/articles", Some(&editor), draft.clone())
            .await;
        assert_eq!(st, 201, "[{kind}] {a}");
        let url = a["url"].as_str().expect("url").to_string();
        assert_eq!(url, "/nhan-dien/nam-dau-hieu-nhan-biet-tin-gia");
        assert_eq!(
            a["summary"],
            "Tin giả thường giật gân và thúc giục chia sẻ ngay."
        );
        // The same title again gets its own address.
        let (st, again) = s.post("/api/v1/articles", Some(&editor), draft).await;
        assert_eq!(st, 201);
        assert_eq!(again["url"], "/nhan-dien/nam-dau-hieu-nhan-biet-tin-gia-2");

        let (st, html) = s.get_text(&url).await;
        assert_eq!(st, 200, "[{kind}]");
        assert!(html.contains("<h1 lang=\"vi\">Năm dấu hiệu nhận biết tin giả</h1>"));
        assert!(
            html.contains(
                "<p>Hãy kiểm tra nguồn: trang của cơ quan nhà nước, báo chí được cấp phép.</p>"
            ),
            "[{kind}] paragraphs typed in a browser are kept"
        );
        assert!(
            html.contains("&amp; bài đăng &lt;b&gt;lạ&lt;&#x2f;b&gt;")
                || html.contains("&amp; bài đăng &lt;b&gt;lạ&lt;/b&gt;"),
            "[{kind}] markup is text"
        );
        assert!(html.contains("\"@type\":\"Article\""), "[{kind}] JSON-LD");
        assert!(!html.contains("bientap"), "[{kind}] no staff name");

        let (_, list) = s.get_text("/nhan-dien").await;
        assert!(list.contains("Năm dấu hiệu nhận biết tin giả"));
        let (_, home) = s.get_text("/").await;
        assert!(home.contains("data-testid=\"home-articles\""), "[{kind}]");
        let (_, feed) = s.get_text("/feed.xml").await;
        assert!(feed.contains("/nhan-dien/nam-dau-hieu-nhan-biet-tin-gia</id>"));
        assert!(feed.contains("term=\"awareness\""));
        assert!(!feed.contains("bientap"));
        let (st, api) = s.get("/api/v1/articles", None).await;
        assert_eq!(st, 200);
        assert_eq!(api["count"], 2);
        assert!(api["items"][0].get("published_by").is_none());

        let id = a["id"].as_i64().expect("id");
        let (st, fixed) = s
            .post(
                &format!("/api/v1/articles/{id}"),
                Some(&editor),
                json!({ "title": "Sáu dấu hiệu nhận biết tin giả", "summary": "Tóm tắt mới.", "body": BODY }),
            )
            .await;
        assert_eq!(st, 200, "[{kind}] {fixed}");
        assert_eq!(fixed["url"], url.as_str(), "the address stays");
        let (_, html) = s.get_text(&url).await;
        assert!(html.contains("Sáu dấu hiệu nhận biết tin giả"));
        assert!(html.contains("Tóm tắt mới."));
        let (st, body) = s
            .post(
                "/api/v1/articles/999999",
                Some(&editor),
                json!({ "title": "T", "body": "B" }),
            )
            .await;
        assert_eq!(st, 404, "[{kind}] {body}");
        let (st, _) = s
            .post(
                "/api/v1/articles/abc",
                Some(&editor),
                json!({ "title": "T", "body": "B" }),
            )
            .await;
        assert_eq!(st, 404);
        let (st, _) = s.get_text("/nhan-dien/khong-co-bai-nay").await;
        assert_eq!(st, 404);

        let audit = s
            .store
            .audit_events_for("article", &id.to_string())
            .await
            .expect("audit");
        let actions: Vec<&str> = audit.iter().map(|e| e.action.as_str()).collect();
        assert_eq!(actions, ["article.publish", "article.update"], "[{kind}]");
        assert_eq!(audit[0].actor, "bientap");
    }
}

#[tokio::test]
async fn the_console_writes_articles_and_keeps_what_was_typed_when_refused() {
    for kind in backends() {
        let s = start(kind).await;
        s.user("bientap", &[(Role::Editor, None)]).await;
        s.user("tiepnhan", &[(Role::Intake, None)]).await;

        let (jar, csrf) = login(&s, "tiepnhan").await;
        let page = console_get(&s, &jar, "/quan-tri/bai-viet").await;
        assert!(page.contains("Chỉ biên tập viên"), "[{kind}]");
        let (st, _) = console_post(
            &s,
            &jar,
            "/quan-tri/bai-viet",
            &[("csrf", &csrf), ("title", "Tiêu đề"), ("body", "Nội dung.")],
        )
        .await;
        assert_eq!(st, 403, "[{kind}] intake may not publish");

        let (jar, csrf) = login(&s, "bientap").await;
        let (st, page) = console_post(
            &s,
            &jar,
            "/quan-tri/bai-viet",
            &[("csrf", &csrf), ("title", ""), ("body", "Đoạn văn đã gõ.")],
        )
        .await;
        assert_eq!(st, 422, "[{kind}]");
        assert!(page.contains("Cần nhập tiêu đề"), "[{kind}] {page}");
        assert!(
            page.contains("Đoạn văn đã gõ."),
            "[{kind}] what was typed stays"
        );

        let (st, _) = console_post(
            &s,
            &jar,
            "/quan-tri/bai-viet",
            &[("csrf", "sai"), ("title", "Tiêu đề"), ("body", "Nội dung.")],
        )
        .await;
        assert_eq!(st, 403, "[{kind}] CSRF is checked");

        let (st, _) = console_post(
            &s,
            &jar,
            "/quan-tri/bai-viet",
            &[
                ("csrf", &csrf),
                ("title", "Cảnh giác lừa đảo qua mạng"),
                ("body", "Không chuyển tiền cho người lạ."),
            ],
        )
        .await;
        assert_eq!(st, 303, "[{kind}]");
        let list = console_get(&s, &jar, "/quan-tri/bai-viet").await;
        assert!(list.contains("Cảnh giác lừa đảo qua mạng"));
        let (_, api) = s.get("/api/v1/articles", None).await;
        let id = api["items"][0]["id"].as_i64().expect("id");
        let edit = console_get(&s, &jar, &format!("/quan-tri/bai-viet/{id}")).await;
        assert!(edit.contains("Không chuyển tiền cho người lạ."), "[{kind}]");
        let (st, _) = console_post(
            &s,
            &jar,
            &format!("/quan-tri/bai-viet/{id}"),
            &[
                ("csrf", &csrf),
                ("title", "Cảnh giác lừa đảo qua mạng"),
                (
                    "body",
                    "Không chuyển tiền cho người lạ, dù họ xưng là cơ quan chức năng.",
                ),
            ],
        )
        .await;
        assert_eq!(st, 303, "[{kind}]");
        let (_, html) = s.get_text("/nhan-dien/canh-giac-lua-dao-qua-mang").await;
        assert!(html.contains("dù họ xưng là cơ quan chức năng"), "[{kind}]");
    }
}

#[tokio::test]
async fn the_feed_lists_fact_checks_and_articles_newest_first() {
    for kind in backends() {
        let s = start(kind).await;
        let editor = s.user("bientap", &[(Role::Editor, None)]).await;
        let (st, old) = s
            .post(
                "/api/v1/articles",
                Some(&editor),
                json!({ "title": "Bài cũ về tin giả", "body": BODY }),
            )
            .await;
        assert_eq!(st, 201, "[{kind}] {old}");
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        let (_, fact_check) = crate::harness::publish_rumour(
            &s,
            "Nhận 2 triệu tiền hoàn điện, bấm vào link để nhận ngay",
        )
        .await;
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        let (st, new) = s
            .post(
                "/api/v1/articles",
                Some(&editor),
                json!({ "title": "Bài mới về tin giả", "body": BODY }),
            )
            .await;
        assert_eq!(st, 201, "[{kind}] {new}");

        let (st, feed) = s.get_text("/feed.xml").await;
        assert_eq!(st, 200, "[{kind}]");
        let at = |needle: &str| {
            feed.find(needle)
                .unwrap_or_else(|| panic!("[{kind}] {needle} in {feed}"))
        };
        let newest = at("/nhan-dien/bai-moi-ve-tin-gia</id>");
        let middle = at(&format!("{fact_check}</id>"));
        let oldest = at("/nhan-dien/bai-cu-ve-tin-gia</id>");
        assert!(
            newest < middle && middle < oldest,
            "[{kind}] newest first, whatever the kind: {feed}"
        );
    }
}

#[tokio::test]
async fn markup_in_a_title_stays_out_of_the_article_address() {
    for kind in backends() {
        let s = start(kind).await;
        let editor = s.user("bientap", &[(Role::Editor, None)]).await;
        let (st, a) = s
            .post(
                "/api/v1/articles",
                Some(&editor),
                json!({ "title": "<b>Đậm</b> nhạt", "body": BODY }),
            )
            .await;
        assert_eq!(st, 201, "[{kind}] {a}");
        assert_eq!(a["url"], "/nhan-dien/dam-nhat", "[{kind}]");
        assert_eq!(a["title"], "<b>Đậm</b> nhạt", "[{kind}] the title is kept");
    }
}

#[tokio::test]
async fn a_long_article_is_taken_and_one_over_the_limit_is_told_the_limit() {
    const SENTENCE: &str = "Tin giả về điện lực được chia sẻ rất nhiều trên mạng xã hội. ";
    let text_of = |n: usize| -> String {
        let mut t: String = SENTENCE.chars().cycle().take(n).collect();
        // The last character must not be a space the server would trim.
        t.pop();
        t.push('.');
        t
    };
    for kind in backends() {
        let s = start(kind).await;
        s.user("bientap", &[(Role::Editor, None)]).await;
        let editor = s.user("bientap2", &[(Role::Editor, None)]).await;
        let (jar, csrf) = login(&s, "bientap").await;
        let page = console_get(&s, &jar, "/quan-tri/bai-viet").await;
        assert!(
            page.contains("maxlength=\"50000\""),
            "[{kind}] the browser keeps the body within the limit"
        );

        // 45,000 characters of Vietnamese: several times the general request limit once
        // form-encoded, still an article.
        let long = text_of(45_000);
        let (st, page) = console_post(
            &s,
            &jar,
            "/quan-tri/bai-viet",
            &[("csrf", &csrf), ("title", "Cẩm nang dài"), ("body", &long)],
        )
        .await;
        assert_eq!(
            st,
            303,
            "[{kind}] {}",
            page.chars().take(500).collect::<String>()
        );
        let (_, api) = s.get("/api/v1/articles", None).await;
        assert_eq!(
            api["items"][0]["body"].as_str().map(|b| b.chars().count()),
            Some(45_000),
            "[{kind}] the whole body is kept"
        );

        // 60,000 characters: refused by the rule, naming it, with the text kept.
        let over = text_of(60_000);
        let (st, page) = console_post(
            &s,
            &jar,
            "/quan-tri/bai-viet",
            &[("csrf", &csrf), ("title", "Quá dài"), ("body", &over)],
        )
        .await;
        assert_eq!(st, 422, "[{kind}]");
        assert!(page.contains("50000 ký tự"), "[{kind}] the limit is named");
        assert!(
            page.contains(&over[..2000]),
            "[{kind}] what was typed stays"
        );

        // Far over: refused before it is read, on the site's error page in the reader's
        // language, naming the limit.
        let huge = "x".repeat(800_000);
        for (lang, said) in [("vi", "50.000 ký tự"), ("en", "50,000 characters")] {
            let resp = s
                .client
                .post(s.url("/quan-tri/bai-viet"))
                .header("cookie", format!("{jar}; kc_lang={lang}"))
                .form(&[
                    ("csrf", csrf.as_str()),
                    ("title", "Rất dài"),
                    ("body", &huge),
                ])
                .send()
                .await
                .expect("post");
            assert_eq!(resp.status().as_u16(), 413, "[{kind}] {lang}");
            let ct = resp
                .headers()
                .get("content-type")
                .and_then(|v| v.to_str().ok())
                .unwrap_or("")
                .to_string();
            let page = resp.text().await.expect("body");
            assert!(ct.starts_with("text/html"), "[{kind}] {ct}: {page}");
            assert!(page.contains(said), "[{kind}] {lang}: {page}");
        }
        let (st, body) = s
            .post(
                "/api/v1/articles",
                Some(&editor),
                json!({ "title": "Rất dài", "body": huge }),
            )
            .await;
        assert_eq!(st, 413, "[{kind}] {body}");
        assert_eq!(body["error"]["code"], "body_too_large");
        assert!(
            body["error"]["message_en"]
                .as_str()
                .is_some_and(|m| m.contains("50,000 characters")),
            "[{kind}] {body}"
        );
        let (st, body) = s
            .post(
                "/api/v1/articles",
                Some(&editor),
                json!({ "title": "Dài vừa", "body": text_of(45_000) }),
            )
            .await;
        assert_eq!(st, 201, "[{kind}] the API takes a long article too: {body}");
    }
}

/// Text pasted from another program can carry U+FFFF or U+FFFE, which XML 1.0 does not
/// allow: with one in one title, every feed reader (expat, libxml2, .NET) refused the whole
/// feed, every entry with it.
#[tokio::test]
async fn a_title_with_a_character_xml_forbids_leaves_the_feed_readable() {
    let s = start("sqlite").await;
    let editor = s.user("bientap", &[(Role::Editor, None)]).await;
    let (st, a) = s
        .post(
            "/api/v1/articles",
            Some(&editor),
            json!({ "title": "Dấu hiệu \u{FFFF}tin giả\u{FFFE}", "body": "Đoạn \u{FFFF}một." }),
        )
        .await;
    assert_eq!(st, 201, "{a}");
    let (st, feed) = s.get_text("/feed.xml").await;
    assert_eq!(st, 200);
    // XML 1.0's Char production, which conforming parsers enforce.
    let bad: Vec<char> = feed
        .chars()
        .filter(|&c| {
            !(matches!(c, '\t' | '\n' | '\r')
                || ('\u{20}'..='\u{D7FF}').contains(&c)
                || ('\u{E000}'..='\u{FFFD}').contains(&c)
                || c >= '\u{10000}')
        })
        .collect();
    assert!(bad.is_empty(), "not XML characters: {bad:?}");
    let mut reader = quick_xml::Reader::from_str(&feed);
    loop {
        match reader.read_event() {
            Ok(quick_xml::events::Event::Eof) => break,
            Ok(_) => {}
            Err(e) => panic!("not well-formed: {e}"),
        }
    }
    assert!(feed.contains("<title>Dấu hiệu tin giả</title>"), "{feed}");
}
