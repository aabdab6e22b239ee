//! A small live library built, edited and searched from fuzz input: no panic,
//! and the answers keep the promises the desk builds on.
//!
//! Input: first byte = k (1..=12), then lines. The first line is the query;
//! every other line edits the library:
//! - `~N` removes claim `cN`;
//! - `=N text` adds or replaces claim `cN`;
//! - any other line adds claim `cN`, N counting such lines from 1 (so it
//!   may replace a claim added with `=`).
#![no_main]

use std::collections::BTreeMap;

use kc_match::{Generator, Library, Match, MatchLevel};
use libfuzzer_sys::fuzz_target;

/// Enough claims for postings, buckets and freed slots to be reused, few
/// enough to keep thousands of runs a second.
const MAX_LINES: usize = 48;
/// Claims searched for by their own text per run.
const MAX_SELF_SEARCHES: usize = 12;

fuzz_target!(|data: &[u8]| {
    let Some((&k, rest)) = data.split_first() else {
        return;
    };
    let k = usize::from(k % 12) + 1;
    let mut lines = rest.split(|&b| b == b'\n');
    let query = String::from_utf8_lossy(lines.next().unwrap_or_default());

    let mut lib = Library::new();
    let mut live: BTreeMap<String, String> = BTreeMap::new();
    let mut next = 0usize;
    for line in lines.take(MAX_LINES) {
        let line = String::from_utf8_lossy(line);
        if let Some(n) = line.strip_prefix('~') {
            let id = format!("c{}", n.trim());
            assert_eq!(lib.remove(&id), live.remove(&id).is_some(), "remove {id}");
        } else {
            let (id, text) = match line.strip_prefix('=') {
                Some(r) => {
                    let digits = r.len() - r.trim_start_matches(|c: char| c.is_ascii_digit()).len();
                    (format!("c{}", &r[..digits]), r[digits..].to_owned())
                }
                None => {
                    next += 1;
                    (format!("c{next}"), line.into_owned())
                }
            };
            lib.upsert(&id, &text);
            live.insert(id, text);
        }
        assert_eq!(lib.len(), live.len());
        // Searching between edits fills the library's per-claim caches; the
        // snapshot check below finds any that an edit left stale.
        lib.search(&query, k);
    }

    let ms = lib.search(&query, k);
    check_answer(&lib, &live, &query, k, &ms);
    // Ranking without explanations gives the same answers.
    let ranked: Vec<(&str, f32, MatchLevel)> = lib
        .rank(&query, None, k)
        .into_iter()
        .map(|r| (r.id, r.score, r.level))
        .collect();
    let full: Vec<(&str, f32, MatchLevel)> =
        ms.iter().map(|m| (m.id.as_str(), m.score, m.level)).collect();
    assert_eq!(ranked, full);

    // A claim searched for by its own text is found as an exact copy, unless
    // k other claims are exact copies of it too (ties keep insertion order).
    let p = lib.params();
    let exact_score = 1.0 / (1.0 + (-p.slope * (1.0 - p.midpoint)).exp());
    for (id, text) in live.iter().take(MAX_SELF_SEARCHES) {
        let found = lib.search(text, k);
        check_answer(&lib, &live, text, k, &found);
        if syllable_count(text) == 0 {
            assert!(
                found.is_empty(),
                "a text without syllables matched: {text:?}"
            );
            continue;
        }
        let top = found
            .first()
            .unwrap_or_else(|| panic!("{id} not found by its own text"));
        assert!(
            (top.score - exact_score).abs() < 1e-6,
            "best answer to {id}'s own text scores {} < {exact_score}: {found:?}",
            top.score
        );
        match found.iter().find(|m| &m.id == id) {
            Some(m) => {
                assert!(m.generators.contains(&Generator::Exact), "{m:?}");
                assert!((m.score - exact_score).abs() < 1e-6, "{m:?}");
            }
            None => assert!(
                found.len() == k && found.iter().all(|m| (m.score - exact_score).abs() < 1e-6),
                "{id} missing from the answers to its own text: {found:?}"
            ),
        }
    }

    // A snapshot restores a library that answers alike.
    let back = Library::from_snapshot(&lib.snapshot()).expect("own snapshot loads");
    assert_eq!(back.len(), lib.len());
    let again = back.search(&query, k);
    assert_eq!(again.len(), ms.len(), "{again:?} vs {ms:?}");
    for (a, b) in again.iter().zip(&ms) {
        // Term ids, so summation order, change on reload: last bits only.
        assert!((a.score - b.score).abs() < 1e-4, "{a:?} vs {b:?}");
    }
});

/// Invariants of every answer: at most k matches of live claims, each once,
/// scores in [0, 1] best first, levels that agree with the thresholds, an
/// explanation, and no confirmation of a short text.
fn check_answer(
    lib: &Library,
    live: &BTreeMap<String, String>,
    query: &str,
    k: usize,
    ms: &[Match],
) {
    let p = lib.params();
    assert!(ms.len() <= k, "{} matches for k = {k}", ms.len());
    let short = (syllable_count(query) as u64) < u64::from(p.min_confirm_syllables);
    for (i, m) in ms.iter().enumerate() {
        assert!((0.0..=1.0).contains(&m.score), "score out of [0, 1]: {m:?}");
        assert!(live.contains_key(&m.id), "not a live claim: {m:?}");
        assert!(
            !ms[..i].iter().any(|o| o.id == m.id),
            "{} twice: {ms:?}",
            m.id
        );
        assert!(!m.generators.is_empty(), "no generator: {m:?}");
        match m.level {
            MatchLevel::Confirm => {
                assert!(m.score >= p.confirm, "{m:?}");
                assert!(!short, "a short query was confirmed: {query:?} {m:?}");
            }
            MatchLevel::Suggest => assert!(m.score >= p.suggest, "{m:?}"),
            MatchLevel::None => assert!(m.score < p.suggest, "{m:?}"),
        }
    }
    for w in ms.windows(2) {
        assert!(w[0].score >= w[1].score, "not best first: {ms:?}");
    }
}

/// Syllables as the matcher reads them: a link is one term, not the pieces
/// normalising would cut it into (`vnhttps://a` is `vn` and a link).
fn syllable_count(text: &str) -> usize {
    let linked = kc_text::replace_urls(text, |_| " link ".to_owned());
    kc_text::syllables(&kc_text::normalize(&linked)).len()
}
