//! Machine-readable publishing: schema.org ClaimReview, the Atom feed and open data.

use crate::AppState;
use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use kc_store::PublicationRecord;
use serde_json::{json, Value};

/// Google's ClaimReview guidance maps verdicts onto a 1–5 scale, 1 being false.
fn rating(verdict: &str) -> Option<i64> {
    match verdict {
        "false" => Some(1),
        "misleading" => Some(2),
        "missing_context" => Some(3),
        "true" => Some(5),
        _ => None,
    }
}

/// The ClaimReview of a publication. `itemReviewed` carries no `appearance`: the only links
/// the desk holds for where a claim appeared are the ones reporters typed, which no editor
/// has vetted and which can point at a person's profile rather than the content (the
/// desk acts on content, never on people). `appearance` is recommended, not required, so
/// the ClaimReview stays valid without it.
/// `reasons`: the decision's summary and reasons, stated as the review's description and
/// body (schema.org `description`, `reviewBody`).
pub fn claim_review(
    state: &AppState,
    p: &PublicationRecord,
    reasons: Option<(&str, &str)>,
) -> Value {
    let pack = state.desk.pack();
    let url = format!("{}/kiem-chung/{}", state.config.public_url, p.slug);
    let label = kc_desk::Verdict::parse(&p.verdict)
        .map_or_else(|| p.verdict.clone(), |v| pack.verdict_label(v, false));
    let mut review_rating = json!({ "@type": "Rating", "alternateName": label });
    if let Some(r) = rating(&p.verdict) {
        review_rating["ratingValue"] = json!(r);
        review_rating["bestRating"] = json!(5);
        review_rating["worstRating"] = json!(1);
    }
    // When the claim first appeared is not known: the desk knows only when it was reported,
    // and the fact-check's own date is already `datePublished` above. Better no date than
    // a wrong one.
    let item = json!({ "@type": "Claim" });
    let mut review = json!({
        "@context": "https://schema.org",
        "@type": "ClaimReview",
        "url": url,
        "datePublished": p.published_at,
        "inLanguage": "vi",
        "headline": p.title,
        "claimReviewed": p.claim_text,
        "author": { "@type": "Organization", "name": pack.portal.publisher },
        "reviewRating": review_rating,
        "itemReviewed": item,
    });
    if let Some((summary, body)) = reasons {
        review["description"] = json!(summary);
        review["reviewBody"] = json!(body);
    }
    review
}

/// JSON made safe inside `<script>`: `<` is escaped so no text can close the element.
pub fn script_safe_json(v: &Value) -> String {
    v.to_string()
        .replace('<', "\\u003c")
        .replace('>', "\\u003e")
        .replace('&', "\\u0026")
}

fn xml_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            // Control characters, and the noncharacters U+FFFE and U+FFFF, are not XML 1.0
            // characters: one of them in one title and every reader refuses the whole feed.
            // Drop them rather than emit an unreadable feed.
            c if c.is_control() && !matches!(c, '\n' | '\t' | '\r') => {}
            '\u{FFFE}' | '\u{FFFF}' => {}
            c => out.push(c),
        }
    }
    out
}

/// Publications whose verdict was not overturned on appeal: the ones the feed and the open
/// data still assert.
async fn asserted_publications(
    state: &AppState,
) -> Result<Vec<kc_store::PublicationRecord>, kc_store::StoreError> {
    let overturned = state.desk.store.overturned_publications().await?;
    Ok(state
        .desk
        .store
        .publications()
        .await?
        .into_iter()
        .filter(|p| !overturned.contains(&p.id))
        .collect())
}

/// The most entries the Atom feed carries, fact-checks and articles together.
const FEED_ENTRIES: usize = 50;

pub async fn atom(State(state): State<AppState>) -> Response {
    let publications = match state
        .desk
        .store
        .recent_publications(FEED_ENTRIES as i64, 0, true)
        .await
    {
        Ok(p) => p,
        Err(e) => return crate::error::ApiError::from(e).into_response(),
    };
    let articles = match state.desk.store.articles(FEED_ENTRIES as i64).await {
        Ok(a) => a,
        Err(e) => return crate::error::ApiError::from(e).into_response(),
    };
    let pack = state.desk.pack();
    let base = &state.config.public_url;
    // RFC 3339 UTC strings of one shape sort as they read.
    let updated = publications
        .first()
        .map(|p| p.published_at.clone())
        .into_iter()
        .chain(articles.iter().map(|a| a.updated_at.clone()))
        .max()
        .unwrap_or_else(|| "1970-01-01T00:00:00Z".to_string());
    let mut xml = String::new();
    xml.push_str("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<feed xmlns=\"http://www.w3.org/2005/Atom\" xml:lang=\"vi\">\n");
    xml.push_str(&format!(
        "  <title>{}</title>\n",
        xml_escape(&pack.portal.site_name_vi)
    ));
    xml.push_str(&format!("  <id>{}/feed.xml</id>\n", xml_escape(base)));
    xml.push_str(&format!(
        "  <link rel=\"self\" href=\"{}/feed.xml\"/>\n",
        xml_escape(base)
    ));
    xml.push_str(&format!(
        "  <link href=\"{}/kiem-chung\"/>\n",
        xml_escape(base)
    ));
    xml.push_str(&format!("  <updated>{}</updated>\n", xml_escape(&updated)));
    xml.push_str(&format!(
        "  <author><name>{}</name></author>\n",
        xml_escape(&pack.portal.publisher)
    ));
    // Fact-checks and awareness articles in one stream, newest first, each at the time it
    // last changed, so a reader's feed shows a new article above last month's fact-checks.
    let mut entries: Vec<(&str, String)> = Vec::new();
    for p in publications.iter().take(FEED_ENTRIES) {
        let url = format!("{base}/kiem-chung/{}", p.slug);
        let label = kc_desk::Verdict::parse(&p.verdict)
            .map_or_else(|| p.verdict.clone(), |v| pack.verdict_label(v, false));
        let mut e = String::from("  <entry>\n");
        e.push_str(&format!("    <title>{}</title>\n", xml_escape(&p.title)));
        e.push_str(&format!("    <id>{}</id>\n", xml_escape(&url)));
        e.push_str(&format!("    <link href=\"{}\"/>\n", xml_escape(&url)));
        e.push_str(&format!(
            "    <updated>{}</updated>\n",
            xml_escape(&p.published_at)
        ));
        e.push_str(&format!(
            "    <category term=\"{}\" label=\"{}\"/>\n",
            xml_escape(&p.verdict),
            xml_escape(&label)
        ));
        e.push_str(&format!(
            "    <summary>{}: {}</summary>\n",
            xml_escape(&label),
            xml_escape(&p.claim_text)
        ));
        e.push_str("  </entry>\n");
        entries.push((&p.published_at, e));
    }
    for a in &articles {
        let url = format!("{base}{}", crate::articles::article_path(&a.slug));
        let mut e = String::from("  <entry>\n");
        e.push_str(&format!("    <title>{}</title>\n", xml_escape(&a.title)));
        e.push_str(&format!("    <id>{}</id>\n", xml_escape(&url)));
        e.push_str(&format!("    <link href=\"{}\"/>\n", xml_escape(&url)));
        e.push_str(&format!(
            "    <published>{}</published>\n",
            xml_escape(&a.published_at)
        ));
        e.push_str(&format!(
            "    <updated>{}</updated>\n",
            xml_escape(&a.updated_at)
        ));
        e.push_str("    <category term=\"awareness\" label=\"Nhận diện tin giả\"/>\n");
        e.push_str(&format!(
            "    <summary>{}</summary>\n",
            xml_escape(&a.summary)
        ));
        e.push_str("  </entry>\n");
        entries.push((&a.updated_at, e));
    }
    // Stable, so entries of one second keep the order the store gave them.
    entries.sort_by(|x, y| y.0.cmp(x.0));
    for (_, e) in entries.into_iter().take(FEED_ENTRIES) {
        xml.push_str(&e);
    }
    xml.push_str("</feed>\n");
    (
        StatusCode::OK,
        [(header::CONTENT_TYPE, "application/atom+xml; charset=utf-8")],
        xml,
    )
        .into_response()
}

pub async fn open_json(State(state): State<AppState>) -> Response {
    let overturned = match state.desk.store.overturned_publications().await {
        Ok(ids) => ids,
        Err(e) => return crate::error::ApiError::from(e).into_response(),
    };
    let reasons = match state.desk.store.published_decision_reasons().await {
        Ok(r) => r,
        Err(e) => return crate::error::ApiError::from(e).into_response(),
    };
    match state.desk.store.publications().await {
        Ok(ps) => {
            // A verdict overturned on appeal is no longer asserted as a ClaimReview; the
            // register of appeals (/du-lieu/khieu-nai.json) says what became of it.
            let items: Vec<Value> = ps
                .iter()
                .filter(|p| !overturned.contains(&p.id))
                .map(|p| {
                    let r = reasons.get(&p.decision_id);
                    claim_review(&state, p, r.map(|(s, b)| (s.as_str(), b.as_str())))
                })
                .collect();
            axum::Json(json!({ "count": items.len(), "items": items })).into_response()
        }
        Err(e) => crate::error::ApiError::from(e).into_response(),
    }
}

/// One CSV cell, quoted. A cell that a spreadsheet would read as a formula (`=`, `+`, `-`,
/// `@`, or a tab or carriage return first) gets a `'` in front: the open data carries
/// reporters' and rumours' words, and `=HYPERLINK(…)` must stay text when a journalist
/// opens the file in Excel or LibreOffice.
pub(crate) fn csv_field(s: &str) -> String {
    // A spreadsheet told to trim spaces on import (LibreOffice's "Trim spaces") drops
    // leading spaces and line breaks, and then reads the formula after them.
    let guard = if s.starts_with(['\t', '\r']) || s.trim_start().starts_with(['=', '+', '-', '@']) {
        "'"
    } else {
        ""
    };
    format!("\"{guard}{}\"", s.replace('"', "\"\""))
}

pub async fn open_csv(State(state): State<AppState>) -> Response {
    let reasons = match state.desk.store.published_decision_reasons().await {
        Ok(r) => r,
        Err(e) => return crate::error::ApiError::from(e).into_response(),
    };
    match asserted_publications(&state).await {
        Ok(ps) => {
            let mut out =
                String::from("\u{feff}slug,title,verdict,claim,published_at,url,summary,reasons\n");
            let none = (String::new(), String::new());
            for p in &ps {
                let url = format!("{}/kiem-chung/{}", state.config.public_url, p.slug);
                let (summary, why) = reasons.get(&p.decision_id).unwrap_or(&none);
                let row = [
                    &p.slug,
                    &p.title,
                    &p.verdict,
                    &p.claim_text,
                    &p.published_at,
                    &url,
                    summary,
                    why,
                ]
                .iter()
                .map(|f| csv_field(f))
                .collect::<Vec<_>>()
                .join(",");
                out.push_str(&row);
                out.push('\n');
            }
            (
                StatusCode::OK,
                [(header::CONTENT_TYPE, "text/csv; charset=utf-8")],
                out,
            )
                .into_response()
        }
        Err(e) => crate::error::ApiError::from(e).into_response(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_csv_cell_is_never_a_formula() {
        assert_eq!(
            csv_field("=HYPERLINK(\"http://x\",\"Bấm\")"),
            "\"'=HYPERLINK(\"\"http://x\"\",\"\"Bấm\"\")\""
        );
        for lead in [
            "+1",
            "-1+2",
            "@SUM(A1)",
            "\t=1",
            "  =1+1",
            "\n=HYPERLINK(\"x\")",
        ] {
            assert!(csv_field(lead).starts_with("\"'"), "{lead}");
        }
        assert_eq!(
            csv_field("Tin đồn, có dấu phẩy"),
            "\"Tin đồn, có dấu phẩy\""
        );
    }

    #[test]
    fn script_json_cannot_close_the_element() {
        let v = json!({ "claimReviewed": "</script><script>alert(1)</script>" });
        assert!(!script_safe_json(&v).contains("</script>"));
    }

    #[test]
    fn xml_escapes_markup_and_controls() {
        assert_eq!(xml_escape("a<b & \"c\"\u{1}"), "a&lt;b &amp; &quot;c&quot;");
    }
}
