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
    /// The accented syllable, for unigram terms (explanations).
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
}

/// FNV-1a, 64 bit: stable across processes and platforms, because keys end up
/// in snapshots. (std's `DefaultHasher` is not stable.)
pub(crate) fn fnv(seed: u64, bytes: &[u8]) -> u64 {
    let mut h = 0xcbf2_9ce4_8422_2325_u64 ^ seed.wrapping_mul(0x1000_0000_01b3);
    for &b in bytes {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    // Final avalanche so that nearby seeds spread over the whole range.
    h ^= h >> 33;
    h = h.wrapping_mul(0xff51_afd7_ed55_8ccd);
    h ^= h >> 33;
    h
}

fn pair_key(field: u8, a: &str, b: &str) -> u64 {
    let h = fnv(u64::from(field), a.as_bytes());
    fnv(h ^ 0x9e37_79b9_7f4a_7c15, b.as_bytes())
}

pub(crate) fn features<'a>(normalized: &'a str) -> Features<'a> {
    let syl = kc_text::syllables(normalized);
    let folded: Vec<std::borrow::Cow<'_, str>> = syl
        .iter()
        .map(|s| {
            if s.is_ascii() {
                std::borrow::Cow::Borrowed(*s)
            } else {
                std::borrow::Cow::Owned(kc_text::fold_normalized(s))
            }
        })
        .collect();
    let mut terms: Vec<Term<'a>> = Vec::with_capacity(syl.len() * FIELDS);
    let mut push = |key: u64, field: u8, text: Option<&'a str>| {
        terms.push(Term {
            key,
            field,
            tf: 1,
            text,
        });
    };
    for (i, s) in syl.iter().enumerate() {
        {
            push(fnv(u64::from(F_UNI), s.as_bytes()), F_UNI, Some(s));
        }
        {
            push(fnv(u64::from(F_FUNI), folded[i].as_bytes()), F_FUNI, None);
        }
        if i + 1 < syl.len() {
            {
                push(pair_key(F_BI, s, syl[i + 1]), F_BI, None);
            }
            {
                push(pair_key(F_FBI, &folded[i], &folded[i + 1]), F_FBI, None);
            }
        }
    }
    terms.sort_unstable_by_key(|t| t.key);
    terms.dedup_by(|later, kept| {
        if later.key == kept.key {
            kept.tf += later.tf;
            true
        } else {
            false
        }
    });
    let mut shingles: Vec<u64> = if folded.len() >= 2 {
        folded
            .windows(2)
            .map(|w| pair_key(9, &w[0], &w[1]))
            .collect()
    } else {
        folded.iter().map(|s| fnv(9, s.as_bytes())).collect()
    };
    shingles.sort_unstable();
    shingles.dedup();
    let joined = folded.join(" ");
    Features {
        syllables: u32::try_from(syl.len()).unwrap_or(u32::MAX),
        terms,
        exact_key: fnv(7, joined.as_bytes()),
        shingles,
    }
}

/// Index keys of the syllables (and syllable pairs) a query writes with a
/// capital letter mid-sentence: names of people, places and organisations,
/// which decide what a claim is about. Empty when the text shouts (mostly
/// capitals) or has no such syllables.
pub(crate) fn capitalized_keys(raw: &str) -> Vec<u64> {
    let mut caps: Vec<Option<String>> = Vec::new();
    let mut sentence_start = true;
    let (mut upper, mut words) = (0usize, 0usize);
    for token in raw.split_whitespace() {
        let first_alpha = token.chars().find(|c| c.is_alphanumeric());
        let is_cap = first_alpha.is_some_and(char::is_uppercase);
        if first_alpha.is_some() {
            words += 1;
            if token
                .chars()
                .filter(|c| c.is_alphabetic())
                .all(char::is_uppercase)
            {
                upper += 1;
            }
        }
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
    if words == 0 || upper * 2 > words {
        return Vec::new();
    }
    let mut keys = Vec::new();
    for (i, c) in caps.iter().enumerate() {
        let Some(s) = c else { continue };
        let f = kc_text::fold_normalized(s);
        keys.push(fnv(u64::from(F_UNI), s.as_bytes()));
        keys.push(fnv(u64::from(F_FUNI), f.as_bytes()));
        if let Some(Some(next)) = caps.get(i + 1) {
            keys.push(pair_key(F_BI, s, next));
            keys.push(pair_key(F_FBI, &f, &kc_text::fold_normalized(next)));
        }
    }
    keys.sort_unstable();
    keys.dedup();
    keys
}
