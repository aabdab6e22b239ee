//! Defects a first-time user of the desk ran into: what the browser sends and what a person
//! types is not always what the server stores.

use crate::harness::*;

#[tokio::test]
async fn an_article_written_in_a_browser_keeps_its_paragraphs() {
    let s = start("sqlite").await;
    // A textarea submits its line breaks as CRLF.
    let (_, path) = publish_rumour_with(
        &s,
        RUMOUR,
        serde_json::json!({
            "title": "Tin giả hoàn tiền điện",
            "body": "Đoạn một.\r\n\r\nĐoạn hai.\r\rĐoạn ba."
        }),
    )
    .await;
    let (st, page) = s.get_text(&path).await;
    assert_eq!(st, 200);
    for para in ["Đoạn một.", "Đoạn hai.", "Đoạn ba."] {
        assert!(
            page.contains(&format!("<p>{para}</p>")),
            "{para} is a paragraph of its own: {page}"
        );
    }
}
