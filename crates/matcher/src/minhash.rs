//! MinHash with LSH banding over syllable-bigram shingles.
//!
//! 8 bands of 4 rows: two texts whose shingle sets have Jaccard similarity
//! 0.6 share at least one band with probability 1 − (1 − 0.6⁴)⁸ ≈ 0.68, at 0.8
//! with ≈ 0.99, at 0.3 with ≈ 0.06. That is the "forwarded with small edits"
//! regime; looser paraphrases are BM25's job. Only the band keys are stored
//! (64 bytes per claim), not the signature.

pub(crate) const BANDS: usize = 8;
pub(crate) const ROWS: usize = 4;

const fn mix(mut x: u64) -> u64 {
    // splitmix64 finaliser: a fixed, stable permutation of u64.
    x = (x ^ (x >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    x ^ (x >> 31)
}

const HASHES: usize = BANDS * ROWS;

/// The 32 hash functions: `h_i(s) = (s ^ SALT[i]) × MULT[i]`, each a
/// permutation of u64 (the multipliers are odd).
const MULT: [u64; HASHES] = {
    let mut m = [0u64; HASHES];
    let mut i = 0;
    while i < HASHES {
        m[i] = mix(i as u64 + 1) | 1;
        i += 1;
    }
    m
};
const SALT: [u64; HASHES] = {
    let mut x = [0u64; HASHES];
    let mut i = 0;
    while i < HASHES {
        x[i] = mix(i as u64 + 0x100);
        i += 1;
    }
    x
};

/// One key per band, or none for a text without shingles.
///
/// Shingles arrive already mixed, so each of the 32 hash functions is one
/// multiply by an odd constant after a xor (a permutation of u64): the
/// minimum under each is a MinHash value.
pub(crate) fn band_keys(shingles: &[u64]) -> Vec<u64> {
    if shingles.is_empty() {
        return Vec::new();
    }
    let sig = signature(shingles);
    sig.chunks(ROWS)
        .enumerate()
        .map(|(band, rows)| {
            rows.iter()
                .fold(mix(band as u64 + 0x51), |acc, &r| mix(acc ^ r))
        })
        .collect()
}

/// The MinHash signature. With AVX-512 (checked at run time) the 32 hashes
/// of a shingle are four vector multiplies instead of 32 scalar ones; the
/// arithmetic, and so every value, is the same either way.
fn signature(shingles: &[u64]) -> [u64; HASHES] {
    #[cfg(target_arch = "x86_64")]
    if std::arch::is_x86_feature_detected!("avx512f")
        && std::arch::is_x86_feature_detected!("avx512dq")
    {
        // SAFETY: the CPU has both features the function is compiled for.
        return unsafe { signature_avx512(shingles) };
    }
    signature_portable(shingles)
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f,avx512dq")]
fn signature_avx512(shingles: &[u64]) -> [u64; HASHES] {
    signature_portable(shingles)
}

/// Inlined into each caller so that the compiler vectorises it for the
/// caller's target features.
#[inline(always)]
fn signature_portable(shingles: &[u64]) -> [u64; HASHES] {
    let mut sig = [u64::MAX; HASHES];
    for &s in shingles {
        for i in 0..HASHES {
            sig[i] = sig[i].min((s ^ SALT[i]).wrapping_mul(MULT[i]));
        }
    }
    sig
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn band_keys_are_stable() {
        // Pinned: the constants or the arithmetic changing would move every
        // claim to other LSH buckets, silently.
        let shingles: Vec<u64> = (1..=12u64).map(|i| mix(i * 31)).collect();
        assert_eq!(
            band_keys(&shingles),
            [
                0x3f23_fca3_896d_d076,
                0x5691_924a_5ed4_e727,
                0x6b89_7c97_deed_b301,
                0x91cb_118a_26f7_19c4,
                0x5524_cfdf_7d06_9e6b,
                0x728c_9468_7859_f659,
                0x57ee_594c_105c_2980,
                0x2090_d17f_192a_a6b7,
            ]
        );
    }

    #[test]
    fn the_vector_signature_is_the_portable_one() {
        #[cfg(target_arch = "x86_64")]
        crate::report_vector_path(
            "minhash parity",
            std::arch::is_x86_feature_detected!("avx512dq"),
        );
        let shingles: Vec<u64> = (1..200u64).map(|i| mix(i * 7919)).collect();
        for n in [1, 2, 7, 35, 199] {
            let reference = signature_portable(&shingles[..n]);
            assert_eq!(signature(&shingles[..n]), reference, "{n}");
            // The minimum under each hash, computed the slow way.
            for i in 0..HASHES {
                let min = shingles[..n]
                    .iter()
                    .map(|&s| (s ^ SALT[i]).wrapping_mul(MULT[i]))
                    .min();
                assert_eq!(Some(reference[i]), min);
            }
        }
    }
}
