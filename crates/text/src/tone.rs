//! One tone-mark placement for Vietnamese syllables.
//!
//! Vietnamese writes a syllable's tone on one vowel, and two conventions
//! disagree on which one in open syllables with `oa`, `oe`, `uy`: the
//! traditional `hòa`, `khỏe`, `thủy` and the newer `hoà`, `khoẻ`, `thuỷ`.
//! Both appear in the same news feed, so the normaliser rewrites every
//! syllable to the traditional placement, which most Vietnamese newspapers
//! use. The rules:
//!
//! 1. `qu` and `gi` (before another vowel) are onsets: their `u`/`i` never
//!    carries the tone;
//! 2. a vowel with a quality mark (ă â ê ô ơ ư) carries it; with two (`ươ`),
//!    the second;
//! 3. with three vowels, the middle one (`oài`, `khuỷu`);
//! 4. with two vowels, the second when a final consonant follows (`hoàn`),
//!    otherwise the first (`hòa`, `mùa`);
//! 5. one vowel carries it.
//!
//! Anything that does not look like one Vietnamese syllable with exactly one
//! tone mark (foreign words, several tones) is returned unchanged.

use std::borrow::Cow;

use unicode_normalization::UnicodeNormalization;

const GRAVE: char = '\u{300}';
const ACUTE: char = '\u{301}';
const TILDE: char = '\u{303}';
const HOOK: char = '\u{309}';
const DOT: char = '\u{323}';
const CIRCUMFLEX: char = '\u{302}';
const BREVE: char = '\u{306}';
const HORN: char = '\u{31B}';

#[derive(Clone, Copy)]
struct Letter {
    base: char,
    quality: Option<char>,
}

fn is_vowel(c: char) -> bool {
    matches!(c, 'a' | 'e' | 'i' | 'o' | 'u' | 'y')
}

/// Rewrites one lowercase NFC word so its tone mark sits where rule 1–5 put it.
pub(crate) fn place_tone(word: &str) -> Cow<'_, str> {
    if word.is_ascii() {
        return Cow::Borrowed(word);
    }
    if let Some(fast) = reposition_known(word) {
        return fast;
    }
    match reposition(word) {
        Some(s) => Cow::Owned(s),
        None => Cow::Borrowed(word),
    }
}

/// Table-driven [`reposition`] for words made only of precomposed letters
/// (nearly all Vietnamese text). None means "use the general path".
fn reposition_known(word: &str) -> Option<Cow<'_, str>> {
    const MAX: usize = 12;
    let mut letters = [crate::viet::Letter {
        base: 'a',
        quality: 0,
        tone: 0,
    }; MAX];
    let mut n = 0;
    let mut tone = 0u8;
    let mut tone_count = 0;
    for c in word.chars() {
        let l = crate::viet::decompose(c)?;
        if l.tone != 0 {
            tone = l.tone;
            tone_count += 1;
        }
        *letters.get_mut(n)? = l;
        n += 1;
    }
    let letters = &letters[..n];
    if tone_count != 1 {
        return (tone_count == 0).then_some(Cow::Borrowed(word));
    }
    let mut bases = [Letter {
        base: 'a',
        quality: None,
    }; MAX];
    for (b, l) in bases.iter_mut().zip(letters) {
        *b = Letter {
            base: l.base,
            quality: (l.quality != 0).then(|| crate::viet::QUALITY[usize::from(l.quality - 1)]),
        };
    }
    let bases = &bases[..n];
    if bases.iter().any(|l| !matches!(l.base, 'a'..='z' | 'đ')) {
        return None;
    }
    if bases
        .iter()
        .any(|l| l.quality.is_some() && !is_vowel(l.base))
    {
        return Some(Cow::Borrowed(word));
    }
    let Some(target) = tone_target(bases) else {
        return Some(Cow::Borrowed(word));
    };
    if letters[target].tone != 0 {
        return Some(Cow::Borrowed(word)); // already where it belongs
    }
    let mut out = String::with_capacity(word.len());
    for (i, l) in letters.iter().enumerate() {
        let t = if i == target { tone } else { 0 };
        out.push(crate::viet::compose(l.base, l.quality, t)?);
    }
    Some(Cow::Owned(out))
}

fn reposition(word: &str) -> Option<String> {
    let mut letters: Vec<Letter> = Vec::with_capacity(word.len());
    let mut tone: Option<char> = None;
    for c in word.nfd() {
        match c {
            GRAVE | ACUTE | TILDE | HOOK | DOT => {
                if tone.is_some() || letters.is_empty() {
                    return None;
                }
                tone = Some(c);
            }
            CIRCUMFLEX | BREVE | HORN => {
                let last = letters.last_mut()?;
                if last.quality.is_some() || !is_vowel(last.base) {
                    return None;
                }
                last.quality = Some(c);
            }
            'a'..='z' | 'đ' => letters.push(Letter {
                base: c,
                quality: None,
            }),
            _ => return None,
        }
    }
    let tone = tone?;
    let target = tone_target(&letters)?;
    let mut out = String::with_capacity(word.len() + 2);
    for (i, l) in letters.iter().enumerate() {
        out.push(l.base);
        if let Some(q) = l.quality {
            out.push(q);
        }
        if i == target {
            out.push(tone);
        }
    }
    Some(out.nfc().collect())
}

/// Index of the letter that carries the tone (rules 1–5), or None when the
/// letters are not one Vietnamese syllable.
fn tone_target(letters: &[Letter]) -> Option<usize> {
    let first = letters.iter().position(|l| is_vowel(l.base))?;
    let mut end = first;
    while end < letters.len() && is_vowel(letters[end].base) {
        end += 1;
    }
    if letters[end..].iter().any(|l| is_vowel(l.base)) {
        return None; // two vowel groups: not one syllable
    }
    let mut start = first;
    if first == 1 && end - start > 1 {
        let onset = (letters[0].base, letters[1].base, letters[1].quality);
        if matches!(onset, ('q', 'u', None) | ('g', 'i', None)) {
            start += 1;
        }
    }
    let cluster = end - start;
    let target = if let Some(i) = (start..end).rev().find(|&i| letters[i].quality.is_some()) {
        i
    } else {
        match cluster {
            1 => start,
            2 if end < letters.len() => start + 1,
            2 => start,
            3 => start + 1,
            _ => return None,
        }
    };
    Some(target)
}

#[cfg(test)]
mod tests {
    use super::{place_tone, reposition, reposition_known};
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn table_path_agrees_with_decomposition_path(
            w in "[qgk]?[hu]?[aăâeêioôơuưyàáảãạằắẳẵặầấẩẫậèéẻẽẹềếểễệìíỉĩịòóỏõọồốổỗộờớởỡợùúủũụừứửữựỳýỷỹỵđĝǹ]{1,3}[ncmptgh]{0,2}"
        ) {
            let slow = reposition(&w).unwrap_or_else(|| w.clone());
            let fast = reposition_known(&w).map_or_else(|| slow.clone(), |c| c.into_owned());
            prop_assert_eq!(fast, slow);
        }
    }

    fn check(input: &str, expected: &str) {
        assert_eq!(place_tone(input), expected, "input {input:?}");
    }

    #[test]
    fn new_style_becomes_traditional() {
        check("hoà", "hòa");
        check("thuỷ", "thủy");
        check("khoẻ", "khỏe");
        check("hoá", "hóa");
    }

    #[test]
    fn final_consonant_puts_tone_on_second_vowel() {
        check("hòan", "hoàn");
        check("tóan", "toán");
        check("hoàng", "hoàng");
    }

    #[test]
    fn quality_marked_vowel_carries_tone() {
        check("ngừơi", "người");
        check("tìên", "tiền");
        check("ứơc", "ước");
        check("thuở", "thuở");
    }

    #[test]
    fn onsets_qu_and_gi_are_skipped() {
        check("qúy", "quý");
        check("gíá", "gíá"); // two tones: left alone
        check("gía", "giá");
        check("gì", "gì");
        check("qủa", "quả");
    }

    #[test]
    fn three_vowels_take_the_middle() {
        check("òai", "oài");
        check("khủyu", "khuỷu");
    }

    #[test]
    fn foreign_and_toneless_words_are_unchanged() {
        check("café", "café");
        check("résumé", "résumé");
        check("việt", "việt");
        check("nam", "nam");
        check("ñandu", "ñandu");
    }
}
