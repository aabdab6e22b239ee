//! Any bytes through the normaliser: it never panics and keeps the properties
//! the matcher and the desk rely on (crates/text/src/tests.rs has the same
//! properties as proptests; this target searches far wider inputs).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    // Reports arrive as text; invalid UTF-8 reaches the normaliser only after
    // a lossy decode (U+FFFD), which is what the adapters do.
    let s = String::from_utf8_lossy(data);
    let n = kc_text::normalize(&s);

    // Idempotent: a normalised library text meets a normalised report.
    assert_eq!(kc_text::normalize(&n), n, "normalize is not idempotent");

    // Folding commutes with normalising, and the matcher's fast path
    // (fold_normalized on already normalised text) agrees with fold.
    let folded = kc_text::fold(&s);
    assert_eq!(kc_text::fold(&n), folded, "fold(normalize(s)) != fold(s)");
    assert_eq!(
        kc_text::normalize(&folded),
        folded,
        "normalize(fold(s)) != fold(s)"
    );
    assert_eq!(
        kc_text::fold_normalized(&n),
        folded,
        "fold_normalized(normalize(s)) != fold(s)"
    );

    // Negation conflict never panics and is symmetric: the halves of the input as a
    // report and a claim.
    let (a, b) = n.split_at(n.char_indices().nth(n.chars().count() / 2).map_or(0, |(i, _)| i));
    assert_eq!(
        kc_text::negation_conflict(a, b),
        kc_text::negation_conflict(b, a),
        "negation_conflict is not symmetric for {a:?} / {b:?}"
    );

    // The same content typed differently has one hash.
    assert_eq!(kc_text::content_hash(&s), kc_text::content_hash(&n));

    // Syllables are non-empty pieces of the normalised text, in order.
    let syl = kc_text::syllables(&n);
    let mut rest = n.as_str();
    for t in &syl {
        assert!(!t.is_empty(), "empty syllable in {n:?}");
        let at = rest
            .find(t)
            .unwrap_or_else(|| panic!("{t:?} not in order in {n:?}"));
        rest = &rest[at + t.len()..];
    }

    // The matcher's i/y spelling merge commutes with folding, so the accented
    // and folded index fields merge the same syllables.
    let i_form = |syl: &str| {
        let mut out = String::new();
        if kc_text::i_spelling(syl, &mut out) {
            out
        } else {
            syl.to_owned()
        }
    };
    for t in &syl {
        assert_eq!(
            i_form(&kc_text::fold_normalized(t)),
            kc_text::fold_normalized(&i_form(t)),
            "i_spelling does not commute with folding for {t:?}"
        );
    }

    // A slug is a short, non-empty URL path segment.
    let slug = kc_text::slugify(&s);
    assert!(!slug.is_empty() && slug.len() <= 80, "slug {slug:?}");
    assert!(
        slug.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-'),
        "slug {slug:?}"
    );

    // A canonical URL is its own canonical form: the same page is one item.
    for url in kc_text::extract_urls(&s) {
        assert_eq!(
            kc_text::canonical_url(&url).as_deref(),
            Ok(url.as_str()),
            "canonical_url is not idempotent"
        );
    }
});
