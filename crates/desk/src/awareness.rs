//! Awareness material (bài tuyên truyền, cẩm nang nhận diện tin giả): what the portal
//! publishes to teach people to recognise false information, as the directive asks of the
//! district portal and the culture centre (clause 4) and of the mass organisations
//! (clause 5). Editors write it; the public reads it on the portal and in the feed.
//!
//! An article teaches; it never names or profiles anyone who posted something.

use crate::model::{Actor, Role};
use crate::workflow::{clean_text, FieldError, WorkflowError};
use serde::{Deserialize, Serialize};

pub const MAX_TITLE_CHARS: usize = 200;
pub const MAX_SUMMARY_CHARS: usize = 400;
pub const MAX_BODY_CHARS: usize = 50_000;

/// An article as typed in the console or sent to the API.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ArticleDraft {
    #[serde(default)]
    pub title: String,
    /// The lead shown in lists and the feed; the body's first paragraph when empty.
    #[serde(default)]
    pub summary: String,
    /// Paragraphs separated by a blank line.
    #[serde(default)]
    pub body: String,
}

/// An article that passed [`validate`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ValidArticle {
    pub title: String,
    pub summary: String,
    pub body: String,
}

/// Editors run the portal, so they write its awareness material.
pub fn may_write(actor: &Actor) -> Result<(), WorkflowError> {
    if actor.has_role(Role::Editor, None) {
        Ok(())
    } else {
        Err(WorkflowError::Forbidden { role: Role::Editor })
    }
}

pub fn validate(draft: &ArticleDraft) -> Result<ValidArticle, FieldError> {
    let title = one_line(&draft.title);
    if title.is_empty() {
        return Err(FieldError::new(
            "title",
            "Cần nhập tiêu đề bài viết.",
            "A title is required.",
        ));
    }
    if !has_words(&title) {
        return Err(FieldError::new(
            "title",
            "Tiêu đề cần có chữ hoặc số, không chỉ biểu tượng cảm xúc hay dấu câu.",
            "The title needs words (letters or numbers), not only emoji or punctuation.",
        ));
    }
    if title.chars().count() > MAX_TITLE_CHARS {
        return Err(FieldError::new(
            "title",
            format!("Tiêu đề dài quá {MAX_TITLE_CHARS} ký tự."),
            format!("The title is longer than {MAX_TITLE_CHARS} characters."),
        ));
    }
    let body = clean_text(&draft.body).trim().to_string();
    if !has_words(&body) {
        return Err(FieldError::new(
            "body",
            "Cần nhập nội dung bài viết.",
            "The article needs a body.",
        ));
    }
    if body.chars().count() > MAX_BODY_CHARS {
        return Err(FieldError::new(
            "body",
            format!("Nội dung dài quá {MAX_BODY_CHARS} ký tự."),
            format!("The body is longer than {MAX_BODY_CHARS} characters."),
        ));
    }
    let summary = one_line(&draft.summary);
    let summary = if has_words(&summary) {
        if summary.chars().count() > MAX_SUMMARY_CHARS {
            return Err(FieldError::new(
                "summary",
                format!("Phần tóm tắt dài quá {MAX_SUMMARY_CHARS} ký tự."),
                format!("The summary is longer than {MAX_SUMMARY_CHARS} characters."),
            ));
        }
        summary
    } else {
        lead_of(&body)
    };
    Ok(ValidArticle {
        title,
        summary,
        body,
    })
}

/// The text an article's address is made from: its title without anything that looks
/// like a markup tag, so `<b>Đậm</b>` is addressed as `dam`, not `b-dam-b`. The title
/// itself keeps what was typed (pages show it as text).
pub fn slug_text(title: &str) -> String {
    let mut out = String::with_capacity(title.len());
    let mut rest = title;
    while let Some(open) = rest.find('<') {
        let after = &rest[open + 1..];
        let is_tag = after
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_alphabetic() || c == '/' || c == '!');
        match after.find('>').filter(|_| is_tag) {
            Some(close) => {
                out.push_str(&rest[..open]);
                out.push(' ');
                rest = &after[close + 1..];
            }
            None => {
                out.push_str(&rest[..=open]);
                rest = after;
            }
        }
    }
    out.push_str(rest);
    if has_words(&out) {
        out
    } else {
        // A title that is all markup still gets an address from what was typed.
        title.to_string()
    }
}

/// The body's first paragraph on one line, cut at a word before the summary's limit.
fn lead_of(body: &str) -> String {
    let first = body
        .split("\n\n")
        .map(one_line)
        .find(|p| has_words(p))
        .unwrap_or_default();
    if first.chars().count() <= MAX_SUMMARY_CHARS {
        return first;
    }
    let mut cut = String::new();
    for word in first.split(' ') {
        if cut.chars().count() + word.chars().count() + 2 > MAX_SUMMARY_CHARS {
            break;
        }
        if !cut.is_empty() {
            cut.push(' ');
        }
        cut.push_str(word);
    }
    cut.push('…');
    cut
}

fn one_line(s: &str) -> String {
    clean_text(s)
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// Text with at least one word in it: emoji or punctuation alone is no title.
fn has_words(s: &str) -> bool {
    !kc_text::syllables(&kc_text::normalize(s)).is_empty()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Grant;

    fn draft(title: &str, summary: &str, body: &str) -> ArticleDraft {
        ArticleDraft {
            title: title.into(),
            summary: summary.into(),
            body: body.into(),
        }
    }

    #[test]
    fn only_editors_write_awareness_material() {
        let with = |role, agency: Option<&str>| Actor {
            name: "a".into(),
            grants: vec![Grant {
                role,
                agency: agency.map(str::to_string),
            }],
        };
        assert!(may_write(&with(Role::Editor, None)).is_ok());
        assert!(may_write(&with(Role::Editor, Some("vhtt"))).is_ok());
        assert_eq!(
            may_write(&with(Role::Verifier, None)),
            Err(WorkflowError::Forbidden { role: Role::Editor })
        );
    }

    #[test]
    fn the_summary_defaults_to_the_first_paragraph() {
        let a = validate(&draft(
            "  Năm dấu hiệu\r\n của tin giả ",
            "",
            "\r\n\r\nTin giả thường giật gân.\r\nNó kêu gọi chia sẻ gấp.\r\n\r\nHãy kiểm tra nguồn.",
        ))
        .expect("valid");
        assert_eq!(a.title, "Năm dấu hiệu của tin giả");
        assert_eq!(
            a.summary,
            "Tin giả thường giật gân. Nó kêu gọi chia sẻ gấp."
        );
        assert_eq!(
            a.body,
            "Tin giả thường giật gân.\nNó kêu gọi chia sẻ gấp.\n\nHãy kiểm tra nguồn."
        );
        let long = "chia sẻ ".repeat(100);
        let a = validate(&draft("Tiêu đề", "", &long)).expect("valid");
        assert!(a.summary.ends_with('…'), "{}", a.summary);
        assert!(a.summary.chars().count() <= MAX_SUMMARY_CHARS);
        assert!(a.summary.starts_with("chia sẻ chia"));
        let a = validate(&draft("Tiêu đề", " Tóm tắt riêng ", "Nội dung.")).expect("valid");
        assert_eq!(a.summary, "Tóm tắt riêng");
    }

    #[test]
    fn a_title_of_emoji_alone_is_told_it_needs_words() {
        let e = validate(&draft("🔥🔥 !!!", "", "Nội dung.")).expect_err("refused");
        assert_eq!(e.field, "title");
        assert!(e.message_vi.contains("chữ hoặc số"), "{e:?}");
        assert!(e.message_en.contains("letters or numbers"), "{e:?}");
        let e = validate(&draft("  ", "", "Nội dung.")).expect_err("refused");
        assert_eq!(e.message_en, "A title is required.");
    }

    #[test]
    fn markup_in_a_title_stays_out_of_its_address() {
        assert_eq!(kc_text::slugify(&slug_text("<b>Đậm</b> nhạt")), "dam-nhat");
        assert_eq!(
            kc_text::slugify(&slug_text("Giá 5 < 10 và 10 > 5")),
            "gia-5-10-va-10-5"
        );
        assert_eq!(
            kc_text::slugify(&slug_text("<script>alert(1)</script>")),
            "alert-1"
        );
        assert_eq!(kc_text::slugify(&slug_text("<b></b>")), "b-b");
    }

    #[test]
    fn each_refusal_names_its_field() {
        let field = |d: ArticleDraft| validate(&d).expect_err("refused").field;
        assert_eq!(field(draft("", "", "Nội dung.")), "title");
        assert_eq!(field(draft("🔥🔥 !!!", "", "Nội dung.")), "title");
        assert_eq!(field(draft(&"a".repeat(201), "", "Nội dung.")), "title");
        assert_eq!(field(draft("Tiêu đề", "", " \u{200b} ")), "body");
        assert_eq!(field(draft("Tiêu đề", "", &"a ".repeat(30_000))), "body");
        assert_eq!(
            field(draft("Tiêu đề", &"b".repeat(401), "Nội dung.")),
            "summary"
        );
    }
}
