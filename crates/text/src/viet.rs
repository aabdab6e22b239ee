//! A lookup table for precomposed Latin letters with Vietnamese diacritics,
//! so the hot paths (folding, tone placement, word-character tests) avoid a
//! Unicode decomposition per character. Built once from the Unicode data of
//! `unicode-normalization`, so it cannot disagree with NFD.

use std::sync::OnceLock;

use unicode_normalization::UnicodeNormalization;

/// Quality marks, in index order 1..=3.
pub(crate) const QUALITY: [char; 3] = ['\u{302}', '\u{306}', '\u{31B}'];
/// Tone marks, in index order 1..=5.
pub(crate) const TONE: [char; 5] = ['\u{300}', '\u{301}', '\u{303}', '\u{309}', '\u{323}'];

/// `base` is an ASCII lowercase or uppercase letter, or `đ`/`Đ`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Letter {
    pub base: char,
    pub quality: u8,
    pub tone: u8,
}

const RANGES: [(u32, u32); 2] = [(0x00C0, 0x0250), (0x1E00, 0x1F00)];

struct Table {
    decomp: Vec<Option<Letter>>,
    /// (base index 0..=26 for a..z and đ) × quality 0..=3 × tone 0..=5.
    compose: Vec<Option<char>>,
}

fn base_index(c: char) -> Option<usize> {
    match c {
        'a'..='z' => Some(c as usize - 'a' as usize),
        'đ' => Some(26),
        _ => None,
    }
}

fn slot(c: char) -> Option<usize> {
    let u = c as u32;
    let mut offset = 0usize;
    for (lo, hi) in RANGES {
        if (lo..hi).contains(&u) {
            return Some(offset + (u - lo) as usize);
        }
        offset += (hi - lo) as usize;
    }
    None
}

fn table() -> &'static Table {
    static TABLE: OnceLock<Table> = OnceLock::new();
    TABLE.get_or_init(|| {
        let size: usize = RANGES.iter().map(|(lo, hi)| (hi - lo) as usize).sum();
        let mut decomp = vec![None; size];
        let mut compose = vec![None; 27 * 4 * 6];
        for (lo, hi) in RANGES {
            for u in lo..hi {
                let Some(c) = char::from_u32(u) else { continue };
                let Some(letter) = analyse(c) else { continue };
                if let Some(i) = slot(c) {
                    decomp[i] = Some(letter);
                }
                if let Some(b) = base_index(letter.base) {
                    let k = (b * 4 + usize::from(letter.quality)) * 6 + usize::from(letter.tone);
                    compose[k] = Some(c);
                }
            }
        }
        Table { decomp, compose }
    })
}

/// Decomposes one character into a letter with at most one quality and one
/// tone mark, or None when it is anything else.
fn analyse(c: char) -> Option<Letter> {
    if c == 'đ' || c == 'Đ' {
        return Some(Letter {
            base: c,
            quality: 0,
            tone: 0,
        });
    }
    let mut chars = std::iter::once(c).nfd();
    let base = chars.next()?;
    if !base.is_ascii_alphabetic() {
        return None;
    }
    let mut letter = Letter {
        base,
        quality: 0,
        tone: 0,
    };
    for m in chars {
        if let Some(q) = QUALITY.iter().position(|&x| x == m) {
            if letter.quality != 0 {
                return None;
            }
            letter.quality = u8::try_from(q + 1).ok()?;
        } else if let Some(t) = TONE.iter().position(|&x| x == m) {
            if letter.tone != 0 {
                return None;
            }
            letter.tone = u8::try_from(t + 1).ok()?;
        } else {
            return None;
        }
    }
    Some(letter)
}

/// The letter a precomposed character stands for (ASCII letters included).
pub(crate) fn decompose(c: char) -> Option<Letter> {
    if c.is_ascii_alphabetic() {
        return Some(Letter {
            base: c,
            quality: 0,
            tone: 0,
        });
    }
    slot(c).and_then(|i| table().decomp[i])
}

/// The precomposed character for a lowercase letter, if Unicode has one.
pub(crate) fn compose(base: char, quality: u8, tone: u8) -> Option<char> {
    if quality == 0 && tone == 0 {
        return Some(base);
    }
    let b = base_index(base)?;
    let k = (b * 4 + usize::from(quality)) * 6 + usize::from(tone);
    table().compose.get(k).copied().flatten()
}

/// True for characters known to be letters without a lookup in the general
/// Unicode tables (ASCII and the Vietnamese precomposed letters).
pub(crate) fn is_known_letter(c: char) -> bool {
    decompose(c).is_some()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_agrees_with_unicode() {
        assert_eq!(
            decompose('ệ'),
            Some(Letter {
                base: 'e',
                quality: 1,
                tone: 5
            })
        );
        assert_eq!(
            decompose('Ở'),
            Some(Letter {
                base: 'O',
                quality: 3,
                tone: 4
            })
        );
        assert_eq!(decompose('ë'), None); // diaeresis is not Vietnamese
        assert_eq!(compose('e', 1, 5), Some('ệ'));
        assert_eq!(compose('u', 3, 2), Some('ứ'));
        assert_eq!(compose('y', 3, 0), None); // no y with horn
        for c in [
            'à', 'ả', 'ã', 'á', 'ạ', 'ă', 'ằ', 'ẳ', 'ẵ', 'ắ', 'ặ', 'â', 'ầ', 'ẩ', 'ẫ', 'ấ', 'ậ',
            'đ', 'ỳ', 'ỷ', 'ỹ', 'ý', 'ỵ', 'ơ', 'ờ', 'ư', 'ự',
        ] {
            let l = decompose(c).expect("Vietnamese letter");
            assert_eq!(compose(l.base, l.quality, l.tone), Some(c), "{c}");
        }
    }

    /// `clean_chars_fast` lets every letter of the table through without an
    /// NFC check of its own.
    #[test]
    fn every_table_letter_is_an_nfc_starter() {
        use unicode_normalization::{char::canonical_combining_class, is_nfc_quick, IsNormalized};
        let mut seen = 0;
        for (lo, hi) in RANGES {
            for c in (lo..hi).filter_map(char::from_u32) {
                if decompose(c).is_some() {
                    seen += 1;
                    assert_eq!(canonical_combining_class(c), 0, "{c}");
                    assert_eq!(is_nfc_quick(std::iter::once(c)), IsNormalized::Yes, "{c}");
                }
            }
        }
        // At least the Vietnamese ones: 12 vowels × 6 tones, less the 6
        // plain ASCII vowels, and đ, in both cases.
        assert!(seen >= 134, "{seen}");
    }
}
