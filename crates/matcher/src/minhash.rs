//! MinHash with LSH banding over syllable-bigram shingles.
//!
//! 8 bands of 4 rows: two texts whose shingle sets have Jaccard similarity
//! 0.6 share at least one band with probability 1 − (1 − 0.6⁴)⁸ ≈ 0.68, at 0.8
//! with ≈ 0.99, at 0.3 with ≈ 0.06. That is the "forwarded with small edits"
//! regime; looser paraphrases are BM25's job. Only the band keys are stored
//! (64 bytes per claim), not the signature.

pub(crate) const BANDS: usize = 8;
pub(crate) const ROWS: usize = 4;

fn mix(mut x: u64) -> u64 {
    // splitmix64 finaliser: a fixed, stable permutation of u64.
    x = (x ^ (x >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    x ^ (x >> 31)
}

/// One key per band, or none for a text without shingles.
///
/// Shingles arrive already mixed, so each of the 32 hash functions is one
/// multiply by an odd constant after a xor (a permutation of u64): the
/// minimum under each is a MinHash value.
pub(crate) fn band_keys(shingles: &[u64]) -> Vec<u64> {
    if shingles.is_empty() {
        return Vec::new();
    }
    let mut mult = [0u64; BANDS * ROWS];
    let mut salt = [0u64; BANDS * ROWS];
    for (i, (m, x)) in mult.iter_mut().zip(salt.iter_mut()).enumerate() {
        *m = mix(i as u64 + 1) | 1;
        *x = mix(i as u64 + 0x100);
    }
    let mut sig = [u64::MAX; BANDS * ROWS];
    for &s in shingles {
        for i in 0..BANDS * ROWS {
            let h = (s ^ salt[i]).wrapping_mul(mult[i]);
            if h < sig[i] {
                sig[i] = h;
            }
        }
    }
    sig.chunks(ROWS)
        .enumerate()
        .map(|(band, rows)| {
            rows.iter()
                .fold(mix(band as u64 + 0x51), |acc, &r| mix(acc ^ r))
        })
        .collect()
}
