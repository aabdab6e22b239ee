use super::*;
use proptest::prelude::*;

fn check(input: &str, expected: &str) {
    assert_eq!(normalize(input), expected, "input {input:?}");
}

#[test]
fn both_tone_styles_and_both_unicode_forms_meet() {
    check("Hoà bình", "hòa bình");
    check("HÒA BÌNH", "hòa bình");
    // Decomposed input (NFD), as some keyboards and copy-paste produce.
    check("ho\u{0061}\u{0300} bi\u{0300}nh", "hòa bình");
    check("Thuỷ điện", "thủy điện");
}

#[test]
fn invisible_characters_and_emoji_are_removed() {
    check("kh\u{200b}ông", "không");
    check("tin\u{feff} giả🔥🔥 lan   truyền", "tin giả lan truyền");
    check("👨\u{200d}👩\u{200d}👧 gia đình", "gia đình");
}

#[test]
fn repeated_punctuation_collapses() {
    check("Thật không???!!!", "thật không?!");
    check("chờ nhé....", "chờ nhé.");
    check("a , b", "a , b");
}

#[test]
fn chat_abbreviations_expand() {
    check("ko dc j", "không được gì");
    check("Đc ko?", "được không?");
    check("mn ơi share đi", "mọi người ơi share đi");
    // Inside a longer token an abbreviation is a different word.
    check("5k", "5k");
    check("kg", "kg");
}

#[test]
fn folding_keeps_symbols_whole() {
    // A precomposed Greek symbol decomposes into punctuation plus a mark.
    assert_eq!(fold(&normalize("῭¨")), normalize(&fold("῭¨")));
}

#[test]
fn an_abbreviation_under_stacked_marks_expands_like_its_folded_form() {
    // Found by fuzzing (fuzz/fuzz_targets/normalize.rs): marks that folding
    // deletes made the word look too long to be an abbreviation, so `fold`
    // returned an `r` that normalising would still expand.
    let s = "R\u{31e}\u{31e}\u{31e}\u{31e}";
    assert_eq!(fold(&normalize(s)), normalize(&fold(s)));
    check(s, "rồi");
}

#[test]
fn folding_strips_diacritics() {
    assert_eq!(fold("Đà Nẵng ngập nặng"), "da nang ngap nang");
    assert_eq!(fold("da nang"), "da nang");
    assert_eq!(fold("ko biết"), "khong biet");
}

#[test]
fn syllables_drop_punctuation() {
    let n = normalize("Bão số 5, đổ bộ (Đà Nẵng)!");
    assert_eq!(
        syllables(&n),
        vec!["bão", "số", "5", "đổ", "bộ", "đà", "nẵng"]
    );
    assert!(syllables("").is_empty());
    // Numbers keep their separators; sentence punctuation after them does not.
    let n = normalize("Mất 1,4 tỷ đồng ngày 24/2, còn 5.000 người.");
    assert_eq!(
        syllables(&n),
        vec!["mất", "1,4", "tỷ", "đồng", "ngày", "24/2", "còn", "5.000", "người"]
    );
}

#[test]
fn content_hash_ignores_style() {
    assert_eq!(content_hash("Hoà bình!!"), content_hash("hòa   bình!"));
    assert_ne!(content_hash("hòa bình"), content_hash("hoa binh"));
    assert_eq!(content_hash("").len(), 64);
}

#[test]
fn slugs_are_ascii_and_never_empty() {
    assert_eq!(slugify("Tin đồn bão số 5"), "tin-don-bao-so-5");
    assert_eq!(slugify("  !!! "), "kiem-chung");
    assert_eq!(slugify("🔥"), "kiem-chung");
    let long = slugify(&"Đường dây nóng ".repeat(20));
    assert!(long.len() <= 80 && !long.ends_with('-'), "{long}");
}

fn vietnamese_like() -> impl Strategy<Value = String> {
    let pieces = prop::sample::select(vec![
        "hoà",
        "hòa",
        "tỷ",
        "Kỹ",
        "quý",
        "mĩ",
        "hy",
        "Thuỷ",
        "người",
        "NGƯỜI",
        "ko",
        "đc",
        "j",
        "!!!",
        "...",
        " ",
        "  ",
        "\u{200b}",
        "🔥",
        "a\u{300}",
        "\u{301}",
        "www.x.vn/a?utm_source=1",
        "İ",
        "ǅ",
        "ß",
        "Đà",
        "nẵng",
        "qủa",
        "gía",
        "5k",
        "\n",
        ",",
        "kò",
        "Ω",
        "\u{345}",
        "ﬁ",
    ]);
    prop::collection::vec(pieces, 0..12).prop_map(|v| v.concat())
}

fn i_form(s: &str) -> String {
    let mut out = String::new();
    if i_spelling(s, &mut out) {
        out
    } else {
        s.to_owned()
    }
}

#[test]
fn i_and_y_spellings_meet() {
    for (y, i) in [
        ("tỷ", "tỉ"),
        ("kỹ", "kĩ"),
        ("lý", "lí"),
        ("mỹ", "mĩ"),
        ("sỹ", "sĩ"),
        ("hy", "hi"),
        ("quý", "quí"),
        ("quy", "qui"),
        ("kỳ", "kì"),
        ("tỵ", "tị"),
        // Marks Vietnamese does not use stay on the i.
        ("tÿ", "tï"),
        ("kŷ", "kî"),
        ("t\u{31b}ỷ", "t\u{31b}ỉ"),
    ] {
        assert_eq!(i_form(y), i, "{y}");
        assert_eq!(i_form(i), i, "{i} is already the i form");
    }
    // Other syllables keep their spelling: y that is not free to be i
    // (thủy, tuy, vy, ý), and text that is not one syllable.
    for s in ["thủy", "tuy", "vy", "ý", "y", "bị", "tỷ lệ", "", "qu"] {
        assert_eq!(i_form(s), s, "{s:?}");
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn i_spelling_commutes_with_folding(s in vietnamese_like()) {
        for syl in syllables(&normalize(&s)) {
            prop_assert_eq!(i_form(&fold_normalized(syl)), fold_normalized(&i_form(syl)));
        }
    }

    #[test]
    fn normalize_is_idempotent(s in any::<String>()) {
        let once = normalize(&s);
        prop_assert_eq!(normalize(&once), once);
    }

    #[test]
    fn normalize_is_idempotent_on_vietnamese(s in vietnamese_like()) {
        let once = normalize(&s);
        prop_assert_eq!(normalize(&once), once);
    }

    #[test]
    fn fold_commutes_with_normalize(s in vietnamese_like()) {
        prop_assert_eq!(fold(&normalize(&s)), normalize(&fold(&s)));
    }

    #[test]
    fn fold_commutes_with_normalize_any(s in any::<String>()) {
        prop_assert_eq!(fold(&normalize(&s)), normalize(&fold(&s)));
    }

    #[test]
    fn never_panics_on_bytes(bytes in prop::collection::vec(any::<u8>(), 0..256)) {
        let s = String::from_utf8_lossy(&bytes);
        let n = normalize(&s);
        let _ = syllables(&n);
        let _ = fold(&s);
        let _ = extract_urls(&s);
        let _ = canonical_url(&s);
        let slug = slugify(&s);
        prop_assert!(!slug.is_empty() && slug.len() <= 80);
        prop_assert!(slug.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-'));
    }
}

#[test]
fn plain_text_drops_what_normalize_drops_and_keeps_the_rest() {
    let hidden = "⚠️⚠️ Vắc\u{200b}xin gây 😱 vô\u{ad}sinh🔥thật!🙏";
    assert_eq!(plain_text(hidden), "Vắcxin gây vôsinh thật!");
    assert_eq!(normalize(&plain_text(hidden)), normalize(hidden));
    let plain = "Tin đồn: vắc xin gây vô sinh (TP.HCM).";
    assert!(matches!(plain_text(plain), std::borrow::Cow::Borrowed(_)));
}

proptest! {
    #[test]
    fn plain_text_changes_nothing_normalize_would_see(
        s in "[a-zA-Zđơư \\n.,?!😱🔥⚠\u{fe0f}\u{200b}\u{ad}]{0,30}"
    ) {
        let plain = plain_text(&s).into_owned();
        prop_assert_eq!(normalize(&plain), normalize(&s));
        prop_assert_eq!(plain_text(&plain).into_owned(), plain);
    }
}
