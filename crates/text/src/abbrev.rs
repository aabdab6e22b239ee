//! Chat abbreviations expanded by the normaliser.
//!
//! Only abbreviations that are unambiguous in reports to the desk are listed:
//! a wrong expansion costs more than a missed one, because it changes the
//! text on both sides of a comparison only when both sides used it. Words
//! such as `bn` (bạn / bao nhiêu), `bt` (biết / bình thường), `hn` (Hà Nội /
//! hôm nay) or `kg` (kilogram) are deliberately left out.
//!
//! Matching is on the diacritic-folded word, so `kò` or `đc` expand like `ko`
//! and `dc`. That also keeps folding and normalising commutative: a folded
//! text never contains a word that normalising would still expand.

use std::sync::OnceLock;

/// `(abbreviation, expansion)`; the abbreviation is lowercase ASCII.
pub const ABBREVIATIONS: &[(&str, &str)] = &[
    ("ko", "không"),
    ("k", "không"),
    ("kh", "không"),
    ("khg", "không"),
    ("hok", "không"),
    ("dc", "được"),
    ("j", "gì"),
    ("vs", "với"),
    ("ng", "người"),
    ("mn", "mọi người"),
    ("mng", "mọi người"),
    ("ntn", "như thế nào"),
    ("r", "rồi"),
    ("cx", "cũng"),
    ("cg", "cũng"),
    ("bik", "biết"),
    ("wa", "quá"),
    ("trc", "trước"),
    ("ns", "nói"),
    ("tl", "trả lời"),
    ("lm", "làm"),
    ("vk", "vợ"),
    ("ck", "chồng"),
    ("vn", "việt nam"),
    ("tphcm", "thành phố hồ chí minh"),
    ("sdt", "số điện thoại"),
    ("stk", "số tài khoản"),
];

const MAX_ABBREVIATION: usize = 5;

/// Slots of the lookup table: a power of two, a few times the table's size,
/// so that nearly every word that is not an abbreviation meets an empty slot
/// at once.
const SLOTS: usize = 128;

/// The table, open-addressed by packed key (0 marks an empty slot). Every
/// word of a text is looked up, and most Vietnamese syllables are short
/// enough to need it, so a lookup is one multiplication and a compare or
/// two rather than hashing a string.
fn lookup() -> &'static [(u64, &'static str); SLOTS] {
    static TABLE: OnceLock<[(u64, &'static str); SLOTS]> = OnceLock::new();
    TABLE.get_or_init(|| {
        let mut t = [(0u64, ""); SLOTS];
        for &(abbr, full) in ABBREVIATIONS {
            let Some(key) = pack(abbr.bytes()) else {
                continue;
            };
            let mut i = slot_of(key);
            while t[i].0 != 0 {
                i = (i + 1) % SLOTS;
            }
            t[i] = (key, full);
        }
        t
    })
}

fn slot_of(key: u64) -> usize {
    (key.wrapping_mul(0x9e37_79b9_7f4a_7c15) >> 57) as usize % SLOTS
}

fn find(key: u64) -> Option<&'static str> {
    let t = lookup();
    let mut i = slot_of(key);
    loop {
        let (k, full) = t[i];
        if k == key {
            return Some(full);
        }
        if k == 0 {
            return None;
        }
        i = (i + 1) % SLOTS;
    }
}

/// Up to `MAX_ABBREVIATION` ASCII bytes and their count in one integer (the
/// count keeps it one-to-one, and never 0); None for an empty word, and for
/// anything longer or not ASCII, which no abbreviation is.
fn pack(bytes: impl Iterator<Item = u8>) -> Option<u64> {
    let mut key = 0u64;
    let mut n = 0u32;
    for b in bytes {
        if !b.is_ascii() || n as usize >= MAX_ABBREVIATION {
            return None;
        }
        key |= u64::from(b) << (8 * n);
        n += 1;
    }
    (n > 0).then_some(key | u64::from(n) << 56)
}

/// The expansion of one normalised word, if it is an abbreviation.
pub(crate) fn expand(word: &str) -> Option<&'static str> {
    // Cheap rejection of long words. Counted in characters that folding
    // keeps: it deletes combining marks, so `r` under four marks is still `r`.
    if word.len() > 8
        && word
            .chars()
            .filter(|&c| !matches!(c as u32, 0x0300..=0x036F))
            .nth(MAX_ABBREVIATION)
            .is_some()
    {
        return None;
    }
    let key = if word.is_ascii() {
        pack(word.bytes())
    } else if let Some(k) = fold_small(word) {
        k
    } else {
        pack(crate::fold_normalized(word).bytes())
    }?;
    find(key)
}

/// The packed key of a short word of Vietnamese letters, folded on the way;
/// None when a character is not in the letter table (the general fold then
/// decides), Some(None) when the word cannot be an abbreviation.
fn fold_small(word: &str) -> Option<Option<u64>> {
    let mut folded = [0u8; MAX_ABBREVIATION + 1];
    let mut n = 0;
    for c in word.chars() {
        let b = if c.is_ascii() {
            c
        } else {
            match crate::viet::decompose(c)?.base {
                'đ' => 'd',
                'Đ' => 'D',
                b => b,
            }
        };
        let Some(slot) = folded.get_mut(n) else {
            return Some(None);
        };
        *slot = u8::try_from(u32::from(b)).unwrap_or(0xff);
        n += 1;
    }
    Some(pack(folded[..n].iter().copied()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lookup_tells_abbreviations_from_other_words() {
        assert_eq!(expand("kò"), Some("không"));
        assert_eq!(expand("đc"), Some("được"));
        assert_eq!(expand("TPHCM"), None); // words arrive lowercased
        for word in ["", "a", "khô", "không", "kox", "dcc", "tphcm!", "ngườ"] {
            assert_eq!(expand(word), None, "{word}");
        }
        // The table stays at most half full, so a probe always meets an
        // empty slot soon (and building it always finds one).
        assert!(ABBREVIATIONS.len() * 2 <= SLOTS);
    }

    #[test]
    fn table_is_consistent() {
        for (abbr, full) in ABBREVIATIONS {
            assert!(abbr.len() <= MAX_ABBREVIATION && abbr.is_ascii(), "{abbr}");
            assert_eq!(expand(abbr), Some(*full));
            // An expansion never folds back into an abbreviation (keeps
            // folding and normalising commutative).
            assert_eq!(expand(&crate::fold_normalized(full)), None, "{full}");
        }
    }
}
