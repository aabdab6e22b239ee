//! Index terms of a normalised text: syllables and syllable bigrams, on the
//! accented and on the diacritic-folded form, each in its own field.

/// Accented syllables, accented bigrams, folded syllables, folded bigrams.
pub(crate) const FIELDS: usize = 4;
pub(crate) const F_UNI: u8 = 0;
pub(crate) const F_BI: u8 = 1;
pub(crate) const F_FUNI: u8 = 2;
pub(crate) const F_FBI: u8 = 3;

/// One distinct term of a text with its count.
#[derive(Debug, Clone)]
pub(crate) struct Term<'a> {
    pub key: u64,
    pub field: u8,
    pub tf: u32,
    /// The query's syllable, for unigram terms of both forms (explanations).
    pub text: Option<&'a str>,
}

pub(crate) struct Features<'a> {
    pub syllables: u32,
    pub terms: Vec<Term<'a>>,
    /// Stable hash of the folded text: two texts equal up to diacritics and
    /// style share it.
    pub exact_key: u64,
    /// Hashes of folded syllable bigrams (the shingles for MinHash).
    pub shingles: Vec<u64>,
    /// A query's normalised text, for [`kc_text::negation_conflict`]; set by the search,
    /// `None` for claims.
    pub negation_check: Option<&'a str>,
}

/// FNV-1a, 64 bit: stable across processes and platforms, because keys end up
/// in snapshots. (std's `DefaultHasher` is not stable.)
pub(crate) fn fnv(seed: u64, bytes: &[u8]) -> u64 {
    fnv_parts(seed, &[bytes])
}

/// [`fnv`] of the concatenation of `parts`.
fn fnv_parts(seed: u64, parts: &[&[u8]]) -> u64 {
    let mut h = 0xcbf2_9ce4_8422_2325_u64 ^ seed.wrapping_mul(0x1000_0000_01b3);
    for part in parts {
        for &b in *part {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
    }
    // Final avalanche so that nearby seeds spread over the whole range.
    h ^= h >> 33;
    h = h.wrapping_mul(0xff51_afd7_ed55_8ccd);
    h ^= h >> 33;
    h
}

/// Final mixer (splitmix64): a fixed, stable permutation of u64.
fn mix(mut x: u64) -> u64 {
    x = (x ^ (x >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    x ^ (x >> 31)
}

/// Index key of a term: a hash with the field in the top two bits, so a key
/// alone says which field it belongs to.
fn field_key(field: u8, h: u64) -> u64 {
    (mix(h ^ u64::from(field).wrapping_mul(0x9e37_79b9_7f4a_7c15)) >> 2) | (u64::from(field) << 62)
}

pub(crate) fn field_of(key: u64) -> u8 {
    (key >> 62) as u8
}

/// Hash of a normalised syllable, the same for both spellings of i/y
/// syllables ([`kc_text::i_spelling`]), hashed in pieces rather than built.
/// Only the y forms Vietnamese writes are merged here; a y under other marks
/// (ÿ, ŷ) keeps its accented key, and meets its i form in the folded field.
fn syllable_hash(s: &str) -> u64 {
    match kc_text::i_spelling_parts(s) {
        Some((onset, vowel, marks)) => {
            let mut v = [0u8; 4];
            let vowel = vowel.encode_utf8(&mut v).as_bytes();
            fnv_parts(0, &[onset.as_bytes(), vowel, marks.as_bytes()])
        }
        None => fnv(0, s.as_bytes()),
    }
}

/// `syllable_hash` of the syllable's folded form, without building it when
/// every character folds by table (nearly always).
fn folded_syllable_hash(s: &str) -> u64 {
    if s.is_ascii() {
        return syllable_hash(s);
    }
    let mut buf = [0u8; 64];
    let mut len = 0;
    for c in s.chars() {
        let Some(f) = kc_text::fold_char(c) else {
            return syllable_hash(&kc_text::fold_normalized(s));
        };
        if len + f.len_utf8() > buf.len() {
            return syllable_hash(&kc_text::fold_normalized(s));
        }
        len += f.encode_utf8(&mut buf[len..]).len();
    }
    match std::str::from_utf8(&buf[..len]) {
        Ok(folded) => syllable_hash(folded),
        Err(_) => fnv(0, &buf[..len]), // not reached: whole characters were written
    }
}

fn pair_hash(a: u64, b: u64) -> u64 {
    a.rotate_left(23) ^ b.wrapping_mul(0x9e37_79b9_7f4a_7c15)
}

/// The text with each URL as one token of its canonical form.
/// A link is one fact (the same page, whatever scheme, tracking parameters
/// or `www.` it was shared with), not the dozen syllables its pieces would make:
/// `tin-nong-24h.net/bai-viet` would otherwise match claims on `tin nóng` and
/// `bài viết`, and weigh in every report's self-score.
pub(crate) fn with_url_tokens(text: &str) -> std::borrow::Cow<'_, str> {
    kc_text::replace_urls(text, |url| {
        // http and https name the same page here.
        let page = url.split_once("://").map_or(url, |(_, rest)| rest);
        format!(
            " {URL_TOKEN}{:012x} ",
            fnv(0, page.as_bytes()) & 0xffff_ffff_ffff
        )
    })
}

const URL_TOKEN: &str = "url";

/// Whether a syllable is a link's token ([`with_url_tokens`]): a term to
/// match on, not a word to show an officer.
pub(crate) fn is_url_token(syllable: &str) -> bool {
    syllable.len() == URL_TOKEN.len() + 12
        && syllable.starts_with(URL_TOKEN)
        && syllable[URL_TOKEN.len()..]
            .bytes()
            .all(|b| b.is_ascii_hexdigit())
}

/// What a library claim needs for indexing: its distinct terms as (key,
/// field, count) sorted by key, built straight from the keys (a claim never
/// needs the syllable texts that [`features_with_text`] attaches).
pub(crate) struct IndexTerms {
    pub syllables: u32,
    pub terms: Vec<(u64, u8, u16)>,
    pub exact_key: u64,
    pub shingles: Vec<u64>,
}

pub(crate) fn index_terms(normalized: &str) -> IndexTerms {
    let a = analyse(normalized);
    let mut terms: Vec<(u64, u8, u16)> = Vec::with_capacity(a.keys.len());
    for &k in &a.keys {
        match terms.last_mut() {
            Some(t) if t.0 == k => t.2 = t.2.saturating_add(1),
            _ => terms.push((k, field_of(k), 1)),
        }
    }
    IndexTerms {
        syllables: a.syllables(),
        terms,
        exact_key: a.exact_key(),
        shingles: a.shingles(),
    }
}

/// A query's features, with the syllable text attached to unigram terms
/// (explanations name the shared syllables).
pub(crate) fn features_with_text(normalized: &str) -> Features<'_> {
    let a = analyse(normalized);
    let mut terms: Vec<Term<'_>> = Vec::with_capacity(a.keys.len());
    for &k in &a.keys {
        match terms.last_mut() {
            Some(t) if t.key == k => t.tf += 1,
            _ => terms.push(Term {
                key: k,
                field: field_of(k),
                tf: 1,
                text: None,
            }),
        }
    }
    for (i, s) in a.syl.iter().enumerate() {
        for k in [field_key(F_UNI, a.hu[i]), field_key(F_FUNI, a.hf[i])] {
            if let Ok(j) = terms.binary_search_by_key(&k, |t| t.key) {
                terms[j].text.get_or_insert(s);
            }
        }
    }
    Features {
        syllables: a.syllables(),
        terms,
        exact_key: a.exact_key(),
        shingles: a.shingles(),
        negation_check: None,
    }
}

/// A text's syllables, their hashes (accented and folded) and its index
/// keys, sorted (a key repeats as often as its term occurs).
struct Analysis<'a> {
    syl: Vec<&'a str>,
    hu: Vec<u64>,
    hf: Vec<u64>,
    keys: Vec<u64>,
}

fn analyse(normalized: &str) -> Analysis<'_> {
    let syl = kc_text::syllables(normalized);
    let hu: Vec<u64> = syl.iter().map(|s| syllable_hash(s)).collect();
    let hf: Vec<u64> = syl
        .iter()
        .zip(&hu)
        .map(|(s, &h)| {
            if s.is_ascii() {
                h
            } else {
                folded_syllable_hash(s)
            }
        })
        .collect();
    // The field is a key's top bits, so keys laid out field after field
    // (F_UNI, F_BI, F_FUNI, F_FBI) and sorted within each field are sorted:
    // four short sorts instead of one long one.
    let mut keys: Vec<u64> = Vec::with_capacity(syl.len() * FIELDS);
    let mut start = 0;
    for run in 0..FIELDS {
        match run as u8 {
            F_UNI => keys.extend(hu.iter().map(|&h| field_key(F_UNI, h))),
            F_BI => keys.extend(pair_keys(&hu, F_BI)),
            F_FUNI => keys.extend(hf.iter().map(|&h| field_key(F_FUNI, h))),
            _ => keys.extend(pair_keys(&hf, F_FBI)),
        }
        keys[start..].sort_unstable();
        start = keys.len();
    }
    Analysis { syl, hu, hf, keys }
}

/// Keys of the syllable pairs of `h` (syllable hashes) in `field`.
fn pair_keys(h: &[u64], field: u8) -> impl Iterator<Item = u64> + '_ {
    h.windows(2)
        .map(move |w| field_key(field, pair_hash(w[0], w[1])))
}

impl Analysis<'_> {
    fn syllables(&self) -> u32 {
        u32::try_from(self.syl.len()).unwrap_or(u32::MAX)
    }

    /// MinHash shingles: folded syllable pairs (single syllables for a
    /// one-syllable text).
    fn shingles(&self) -> Vec<u64> {
        let mut shingles: Vec<u64> = if self.hf.len() >= 2 {
            self.hf
                .windows(2)
                .map(|w| mix(pair_hash(w[0], w[1])))
                .collect()
        } else {
            self.hf.iter().map(|&h| mix(h)).collect()
        };
        shingles.sort_unstable();
        shingles.dedup();
        shingles
    }

    fn exact_key(&self) -> u64 {
        self.hf
            .iter()
            .fold(0x51_7cc1_b727_220a_u64, |acc, &h| mix(acc ^ h))
    }
}

/// Index key of a syllable's folded form (a normalised syllable).
pub(crate) fn folded_unigram_key(syllable: &str) -> u64 {
    field_key(F_FUNI, folded_syllable_hash(syllable))
}

/// Index keys of the syllables (and syllable pairs) a query writes with a
/// capital letter mid-sentence: names of people, places and organisations,
/// which decide what a claim is about. Empty when the text shouts (mostly
/// capitals) or has no such syllables.
pub(crate) fn capitalized_keys(raw: &str) -> Vec<u64> {
    if kc_text::is_shouting(raw) {
        return Vec::new();
    }
    let mut caps: Vec<Option<String>> = Vec::new();
    let mut sentence_start = true;
    for token in raw.split_whitespace() {
        let first_alpha = token.chars().find(|c| c.is_alphanumeric());
        let is_cap = first_alpha.is_some_and(char::is_uppercase);
        if is_cap && !sentence_start {
            let norm = kc_text::normalize(token);
            caps.extend(
                kc_text::syllables(&norm)
                    .into_iter()
                    .map(|s| Some(s.to_owned())),
            );
        } else {
            // Only positions matter here (for adjacent capitalised pairs), so
            // the raw token's syllable count is enough.
            caps.extend(kc_text::syllables(token).into_iter().map(|_| None));
        }
        if first_alpha.is_some() {
            sentence_start = false;
        }
        if token.ends_with(['.', '!', '?', ':', ';', '"', '“', '…', '-']) || token == "-" {
            sentence_start = true;
        }
    }
    let mut keys = Vec::new();
    for (i, c) in caps.iter().enumerate() {
        let Some(s) = c else { continue };
        let hu = syllable_hash(s);
        let hf = folded_syllable_hash(s);
        keys.push(field_key(F_UNI, hu));
        keys.push(field_key(F_FUNI, hf));
        if let Some(Some(next)) = caps.get(i + 1) {
            let nu = syllable_hash(next);
            let nf = folded_syllable_hash(next);
            keys.push(field_key(F_BI, pair_hash(hu, nu)));
            keys.push(field_key(F_FBI, pair_hash(hf, nf)));
        }
    }
    keys.sort_unstable();
    keys.dedup();
    keys
}
