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

use std::collections::HashMap;
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

fn lookup() -> &'static HashMap<&'static str, &'static str> {
    static MAP: OnceLock<HashMap<&'static str, &'static str>> = OnceLock::new();
    MAP.get_or_init(|| ABBREVIATIONS.iter().copied().collect())
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
    let mut buf = [0u8; 8];
    let folded;
    let key = if word.is_ascii() {
        word
    } else if let Some(k) = fold_small(word, &mut buf) {
        k
    } else {
        folded = crate::fold_normalized(word);
        folded.as_str()
    };
    if key.len() > MAX_ABBREVIATION {
        return None;
    }
    lookup().get(key).copied()
}

/// Folds a short word of Vietnamese letters into `buf` without allocating;
/// None when a character is not in the letter table.
fn fold_small<'b>(word: &str, buf: &'b mut [u8; 8]) -> Option<&'b str> {
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
        *buf.get_mut(n)? = u8::try_from(u32::from(b)).ok()?;
        n += 1;
    }
    std::str::from_utf8(&buf[..n]).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

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
