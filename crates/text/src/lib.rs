//! Vietnamese text normalisation and tokenisation for claim matching.
//!
//! Architecture invariant: text is normalised in exactly one function,
//! [`normalize`]. Every other part of kiemchung that compares text (content
//! hashes, the matcher's index, slugs) goes through it, so a report and a
//! library claim typed in different styles meet in one form. The matcher's
//! index keys go one step further, through [`fold`] (its folded fields) and
//! [`i_spelling`] (kỹ/kĩ, tỷ/tỉ): equivalences the reader should not see
//! imposed on the text itself.
//!
//! The crate is pure: no I/O, no clock, no global state.

mod abbrev;
mod polarity;
mod tone;
mod typeset;
mod url_canon;
mod viet;

pub use abbrev::ABBREVIATIONS;
pub use polarity::negation_conflict;
pub use typeset::{is_shouting, typeset, unshout};
pub use url_canon::{canonical_url, extract_urls, replace_urls, UrlError};

use sha2::{Digest, Sha256};
use unicode_normalization::UnicodeNormalization;

/// Normalises Vietnamese text into the one form the desk compares.
///
/// Steps, in order:
/// - NFC, so that precomposed and decomposed input meet;
/// - zero-width characters, bidi controls and soft hyphens are deleted (they
///   hide inside words to dodge filters), emoji and control characters become
///   spaces;
/// - lowercase;
/// - the tone mark of every Vietnamese syllable is put on one vowel, using the
///   traditional placement (`hoà` → `hòa`, `thuỷ` → `thủy`), see [`tone`];
/// - chat abbreviations are expanded (`ko` → `không`), see [`ABBREVIATIONS`];
/// - a run of the same punctuation character becomes one (`!!!` → `!`);
/// - whitespace is collapsed to single spaces and trimmed.
///
/// URLs are left in the text (lowercased); use [`extract_urls`] to get them
/// canonicalised. The function is idempotent and never panics.
pub fn normalize(s: &str) -> String {
    let cleaned = clean_chars(s);
    let mut out = String::with_capacity(cleaned.len());
    // Words are slices of `cleaned`, not copies built a character at a time.
    let mut word_start: Option<usize> = None;
    let mut last_punct: Option<char> = None;
    let mut pending_space = false;
    for (i, c) in cleaned.char_indices() {
        if is_word_char(c) {
            word_start.get_or_insert(i);
            continue;
        }
        if let Some(start) = word_start.take() {
            flush_word(&mut out, &cleaned[start..i], &mut pending_space);
            last_punct = None;
        }
        if c.is_whitespace() {
            pending_space = !out.is_empty();
            last_punct = None;
        } else if last_punct != Some(c) || pending_space {
            if pending_space {
                out.push(' ');
                pending_space = false;
            }
            out.push(c);
            last_punct = Some(c);
        }
    }
    if let Some(start) = word_start {
        flush_word(&mut out, &cleaned[start..], &mut pending_space);
    }
    out
}

fn flush_word(out: &mut String, word: &str, pending_space: &mut bool) {
    if *pending_space {
        out.push(' ');
        *pending_space = false;
    }
    let placed = tone::place_tone(word);
    match abbrev::expand(placed.as_ref()) {
        Some(full) => out.push_str(full),
        None => out.push_str(&placed),
    }
}

/// NFC, character filtering and lowercasing: the part of normalisation that
/// works on single characters.
fn clean_chars(s: &str) -> String {
    if let Some(fast) = clean_chars_fast(s) {
        return fast;
    }
    clean_chars_general(s)
}

/// One pass for the common case: NFC input whose lowercasing maps each
/// character to one character and keeps no combining mark. None when the
/// general path (three NFC passes) is needed.
fn clean_chars_fast(s: &str) -> Option<String> {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if c.is_ascii() {
            out.push(if c.is_ascii_control() {
                ' '
            } else {
                c.to_ascii_lowercase()
            });
            continue;
        }
        // Precomposed Vietnamese letters are NFC and start no combining
        // sequence (a test checks the whole table), so they skip the check
        // below: that is what makes this pass cheaper than a quick check of
        // the whole text followed by the loop.
        if let Some(l) = viet::decompose(c) {
            let base = if l.base == 'Đ' {
                'đ'
            } else {
                l.base.to_ascii_lowercase()
            };
            out.push(viet::compose(base, l.quality, l.tone)?);
            continue;
        }
        // Text whose characters are each NFC with combining class 0 is NFC
        // as a whole; anything else goes the general way.
        if !is_nfc_starter(c) || is_invisible(c) || is_mark(c) {
            // Deleting an invisible one may join a base letter and a mark:
            // let the general path recompose.
            return None;
        }
        if is_emoji(c) || c.is_control() {
            out.push(' ');
            continue;
        }
        let mut lower = c.to_lowercase();
        match (lower.next(), lower.next()) {
            (Some(l), None) => out.push(l),
            _ => return None,
        }
    }
    Some(out)
}

fn clean_chars_general(s: &str) -> String {
    let mut filtered = String::with_capacity(s.len());
    // A combining mark is only kept when it can attach to a letter or digit;
    // an orphan mark on punctuation would make punctuation runs unstable.
    let mut prev_word = false;
    for c in nfc_cow(s).chars() {
        if is_invisible(c) {
            continue;
        }
        if is_emoji(c) || c.is_control() {
            filtered.push(' ');
            prev_word = false;
            continue;
        }
        if is_mark(c) {
            if prev_word {
                filtered.push(c);
            }
            continue;
        }
        prev_word = is_alnum(c);
        filtered.push(c);
    }
    let lowered: String = nfc_cow(&filtered)
        .chars()
        .flat_map(char::to_lowercase)
        .collect();
    let mut out = String::with_capacity(lowered.len());
    prev_word = false;
    for c in nfc_cow(&lowered).chars() {
        if is_mark(c) {
            if prev_word {
                out.push(c);
            }
            continue;
        }
        prev_word = is_alnum(c);
        out.push(c);
    }
    out
}

/// True when `c` is NFC on its own and combines with nothing before it.
fn is_nfc_starter(c: char) -> bool {
    use unicode_normalization::{char::canonical_combining_class, is_nfc_quick, IsNormalized};
    canonical_combining_class(c) == 0 && is_nfc_quick(std::iter::once(c)) == IsNormalized::Yes
}

/// NFC without the copy when the text already is NFC (nearly always).
fn nfc_cow(s: &str) -> std::borrow::Cow<'_, str> {
    use unicode_normalization::{is_nfc_quick, IsNormalized};
    if s.is_ascii() || is_nfc_quick(s.chars()) == IsNormalized::Yes {
        std::borrow::Cow::Borrowed(s)
    } else {
        std::borrow::Cow::Owned(s.nfc().collect())
    }
}

/// `char::is_alphanumeric` with the common cases answered without a lookup
/// in the general Unicode tables.
fn is_alnum(c: char) -> bool {
    c.is_ascii_alphanumeric()
        || (!c.is_ascii() && (viet::is_known_letter(c) || c.is_alphanumeric()))
}

fn is_word_char(c: char) -> bool {
    c.is_ascii_alphanumeric()
        || (!c.is_ascii() && (viet::is_known_letter(c) || c.is_alphanumeric() || is_mark(c)))
}

/// Combining diacritical marks (the ranges Vietnamese and Latin text use).
fn is_mark(c: char) -> bool {
    matches!(c as u32,
        0x0300..=0x036F | 0x1AB0..=0x1AFF | 0x1DC0..=0x1DFF | 0x20D0..=0x20FF | 0xFE20..=0xFE2F)
}

/// The text as [`normalize`] sees it before its other steps, for a reader of
/// the raw text such as the semantic encoder: invisible characters
/// (zero-width characters, bidi controls, soft hyphens, slipped inside words
/// to dodge filters) and emoji deleted, an emoji between two words leaving
/// one space; case, accents, punctuation and other spacing as they were.
pub fn plain_text(text: &str) -> std::borrow::Cow<'_, str> {
    if !text.chars().any(|c| is_invisible(c) || is_emoji(c)) {
        return std::borrow::Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len());
    // An emoji was just dropped: the spacing around it collapses.
    let mut dropped = false;
    for c in text.chars() {
        if is_invisible(c) {
            continue;
        }
        if is_emoji(c) {
            dropped = true;
            continue;
        }
        if dropped {
            let after_space = out.chars().next_back().is_none_or(char::is_whitespace);
            if c.is_whitespace() && after_space {
                continue;
            }
            if !c.is_whitespace() && !after_space {
                out.push(' ');
            }
            dropped = false;
        }
        out.push(c);
    }
    std::borrow::Cow::Owned(out)
}

fn is_invisible(c: char) -> bool {
    matches!(c as u32,
        0x00AD | 0x034F | 0x061C | 0x180E | 0x200B..=0x200F | 0x202A..=0x202E
        | 0x2060..=0x2064 | 0x2066..=0x206F | 0xFEFF)
}

fn is_emoji(c: char) -> bool {
    matches!(c as u32,
        0x1F000..=0x1FAFF   // emoticons, pictographs, transport, flags, supplemental
        | 0x2600..=0x27BF   // misc symbols, dingbats
        | 0x2B00..=0x2BFF   // arrows and stars used as emoji
        | 0x2300..=0x23FF   // watch, hourglass, media controls
        | 0xFE00..=0xFE0F   // variation selectors
        | 0xE0000..=0xE007F // tag characters (flag sequences)
        | 0xE0100..=0xE01EF)
}

/// The diacritic-folded form (`Đà Nẵng` → `da nang`) of normalised text.
///
/// It accepts raw or normalised text: it normalises first, so
/// `fold(normalize(s)) == fold(s) == normalize(fold(s))`.
pub fn fold(s: &str) -> String {
    fold_normalized(&normalize(s))
}

/// Folds text that is already the output of [`normalize`], skipping the
/// normalisation pass (hot path of the matcher).
pub fn fold_normalized(normalized: &str) -> String {
    if normalized.is_ascii() {
        return normalized.to_owned();
    }
    if let Some(fast) = fold_known(normalized) {
        return fast;
    }
    let mut out = String::with_capacity(normalized.len());
    for ch in normalized.chars() {
        // Punctuation and symbols stay whole: decomposing one (῭ → ¨ + ̀)
        // would create a new punctuation run that normalising then merges.
        if !is_word_char(ch) {
            out.push(ch);
            continue;
        }
        for c in std::iter::once(ch).nfd() {
            if matches!(c as u32, 0x0300..=0x036F) {
                continue;
            }
            match c {
                'đ' => out.push('d'),
                'Đ' => out.push('D'),
                _ => out.push(c),
            }
        }
    }
    out.nfc().collect()
}

/// Folding by table lookup; None when a character needs the general path.
fn fold_known(s: &str) -> Option<String> {
    s.chars().map(fold_char).collect()
}

/// One character of normalised text, folded, when a table lookup can tell
/// (ASCII and the Vietnamese letters); `None` when only
/// [`fold_normalized`] on the whole text can. Lets a hot loop fold without
/// allocating: if every character of a text folds here, the characters are
/// exactly `fold_normalized` of that text.
pub fn fold_char(c: char) -> Option<char> {
    if c.is_ascii() {
        return Some(c);
    }
    Some(match viet::decompose(c)?.base {
        'đ' => 'd',
        'Đ' => 'D',
        b => b,
    })
}

/// The onsets after which Vietnamese writes a final i or y freely.
const I_Y_ONSETS: [&str; 7] = ["h", "k", "l", "m", "s", "t", "qu"];
const Y_FORMS: [char; 6] = ['y', 'ý', 'ỳ', 'ỷ', 'ỹ', 'ỵ'];
const I_FORMS: [char; 6] = ['i', 'í', 'ì', 'ỉ', 'ĩ', 'ị'];

/// Writes into `out` the i spelling of a normalised syllable that ends in y
/// after h, k, l, m, s, t or qu (`tỷ` → `tỉ`, `kỹ` → `kĩ`, `mỹ` → `mĩ`,
/// `quy` → `qui`), and returns true; returns false, leaving `out` alone, for
/// every other syllable.
///
/// Both spellings of these syllables are in everyday use (the 2018 school
/// spelling prefers i, most newspapers y; in the evaluation corpus `tỷ` and
/// `tỉ` come 3 to 2), so a rumour and its correction can differ in nothing
/// else. [`normalize`] keeps the writer's spelling, which the officer sees;
/// the matcher's index keys are made from this form, so both meet there.
/// Any marks on or after the y stay on the i (`tÿ` → `tï`), so folding
/// commutes with it.
pub fn i_spelling(syllable: &str, out: &mut String) -> bool {
    if let Some((onset, vowel, marks)) = i_spelling_parts(syllable) {
        out.clear();
        out.push_str(onset);
        out.push(vowel);
        out.push_str(marks);
        return true;
    }
    // A y under marks Vietnamese does not use (ÿ, ŷ): the same rule, on the
    // base letter of its canonical decomposition.
    let body = syllable.trim_end_matches(is_mark);
    let Some(last) = body.chars().next_back() else {
        return false;
    };
    let onset = &body[..body.len() - last.len_utf8()];
    if last.is_ascii() || !is_i_y_onset(onset) {
        return false;
    }
    let mut parts = std::iter::once(last).nfd();
    if parts.next() != Some('y') {
        return false;
    }
    let i_form: String = std::iter::once('i')
        .chain(parts)
        .chain(syllable[body.len()..].chars())
        .nfc()
        .collect();
    out.clear();
    out.push_str(onset);
    out.push_str(&i_form);
    true
}

/// The common case of [`i_spelling`] in pieces, for a caller that hashes it
/// without building it: for a y written as Vietnamese writes it (y ý ỳ ỷ ỹ ỵ),
/// the onset, the i vowel that replaces it, and any marks stacked after it.
pub fn i_spelling_parts(syllable: &str) -> Option<(&str, char, &str)> {
    let body = syllable.trim_end_matches(is_mark);
    let last = body.chars().next_back()?;
    let vowel = *Y_FORMS
        .iter()
        .position(|&y| y == last)
        .and_then(|tone| I_FORMS.get(tone))?;
    let onset = &body[..body.len() - last.len_utf8()];
    is_i_y_onset(onset).then_some((onset, vowel, &syllable[body.len()..]))
}

/// Whether `onset`, folded, is one of [`I_Y_ONSETS`]; a mark on it (rare, and
/// never Vietnamese) does not change which letter it is.
fn is_i_y_onset(onset: &str) -> bool {
    if onset.is_ascii() {
        I_Y_ONSETS.contains(&onset)
    } else {
        I_Y_ONSETS.contains(&fold_normalized(onset).as_str())
    }
}

/// Syllable tokens of normalised text: maximal runs of letters, digits and
/// their marks. Punctuation is dropped, except a `.`, `,` or `/` between two
/// digits: `5.000`, `1,4` and `24/2` are one token each, because a number is
/// far more specific than its pieces.
pub fn syllables(normalized: &str) -> Vec<&str> {
    let bytes = normalized.as_bytes();
    // Nearly every Vietnamese syllable and its space take four bytes or more:
    // room for all of them at once (only a hint), instead of five
    // reallocations for a paragraph.
    let mut out = Vec::with_capacity(normalized.len() / 4 + 1);
    let mut start: Option<usize> = None;
    for (i, c) in normalized.char_indices() {
        let joins_number = matches!(c, '.' | ',' | '/')
            && i > 0
            && bytes[i - 1].is_ascii_digit()
            && bytes.get(i + 1).is_some_and(u8::is_ascii_digit);
        if is_word_char(c) || (joins_number && start.is_some()) {
            start.get_or_insert(i);
        } else if let Some(s) = start.take() {
            out.push(&normalized[s..i]);
        }
    }
    if let Some(s) = start {
        out.push(&normalized[s..]);
    }
    out
}

/// Hex SHA-256 of [`normalize`]`(s)`: the same content typed differently gets
/// the same hash, in every process.
pub fn content_hash(s: &str) -> String {
    let digest = Sha256::digest(normalize(s).as_bytes());
    let mut hex = String::with_capacity(64);
    for b in digest {
        hex.push(char::from(HEX[usize::from(b >> 4)]));
        hex.push(char::from(HEX[usize::from(b & 0x0f)]));
    }
    hex
}

const HEX: &[u8; 16] = b"0123456789abcdef";

/// A URL path segment for a title: ASCII `[a-z0-9-]`, at most 80 characters,
/// never empty (`kiem-chung` when nothing is left).
pub fn slugify(s: &str) -> String {
    const MAX: usize = 80;
    let folded = fold(s);
    let mut slug = String::with_capacity(folded.len().min(MAX));
    for c in folded.chars() {
        if c.is_ascii_lowercase() || c.is_ascii_digit() {
            slug.push(c);
        } else if !slug.is_empty() && !slug.ends_with('-') {
            slug.push('-');
        }
    }
    if slug.len() > MAX {
        // Cut at a word boundary when one is reasonably close.
        let cut = slug[..MAX]
            .rfind('-')
            .filter(|&i| i > MAX / 2)
            .unwrap_or(MAX);
        slug.truncate(cut);
    }
    while slug.ends_with('-') {
        slug.pop();
    }
    if slug.is_empty() {
        "kiem-chung".to_owned()
    } else {
        slug
    }
}

#[cfg(test)]
mod tests;
