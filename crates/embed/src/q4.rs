//! Matrix products with GGML Q4_0 weights.
//!
//! A weight row is a run of blocks of 32 values: an f16 scale `d`, then 16 bytes whose low
//! nibble is value j and high nibble value j+16, each meaning `d × (nibble − 8)`. Activations
//! are quantised on the fly to 8 bits per block of 32 (scale = max|x| / 127), so a block's dot
//! product is one integer sum times two scales. The integer sums are exact, so the AVX2 and
//! scalar paths agree up to the order of the float additions.

use crate::format::{Q4_BLOCK_BYTES, QK};

/// A Q4_0 matrix of `rows × cols`, stored row-major as in the file, with scales widened to f32.
pub(crate) struct Q4Matrix {
    pub rows: usize,
    pub cols: usize,
    /// One scale per block, `rows × cols / 32`.
    scales: Vec<f32>,
    /// 16 bytes of nibbles per block.
    quants: Vec<u8>,
}

pub(crate) fn f16_to_f32(h: u16) -> f32 {
    let sign = ((h as u32) & 0x8000) << 16;
    let exp = ((h >> 10) & 0x1f) as u32;
    let mant = (h & 0x3ff) as u32;
    let bits = match exp {
        0 if mant == 0 => sign,
        0 => {
            // Subnormal: renormalise the mantissa.
            let mut e = 127 - 15 + 1;
            let mut m = mant;
            while m & 0x400 == 0 {
                m <<= 1;
                e -= 1;
            }
            sign | ((e as u32) << 23) | ((m & 0x3ff) << 13)
        }
        0x1f => sign | 0x7f80_0000 | (mant << 13),
        _ => sign | ((exp + 127 - 15) << 23) | (mant << 13),
    };
    f32::from_bits(bits)
}

impl Q4Matrix {
    /// `raw` must hold exactly `rows × cols / 32` blocks; the caller checked the size.
    pub(crate) fn from_raw(raw: &[u8], rows: usize, cols: usize) -> Q4Matrix {
        let blocks = rows * cols / QK;
        let mut scales = Vec::with_capacity(blocks);
        let mut quants = Vec::with_capacity(blocks * 16);
        for b in raw.chunks_exact(Q4_BLOCK_BYTES).take(blocks) {
            scales.push(f16_to_f32(u16::from_le_bytes([b[0], b[1]])));
            quants.extend_from_slice(&b[2..]);
        }
        Q4Matrix {
            rows,
            cols,
            scales,
            quants,
        }
    }

    /// Row `r` as f32 (used for the word-embedding lookup).
    pub(crate) fn dequantize_row(&self, r: usize, out: &mut [f32]) {
        let bpr = self.cols / QK;
        for b in 0..bpr {
            let blk = r * bpr + b;
            let d = self.scales[blk];
            let q = &self.quants[blk * 16..blk * 16 + 16];
            let o = &mut out[b * QK..(b + 1) * QK];
            for j in 0..16 {
                o[j] = d * ((q[j] & 0x0f) as i32 - 8) as f32;
                o[j + 16] = d * ((q[j] >> 4) as i32 - 8) as f32;
            }
        }
    }
}

/// Activations quantised to 8 bits per block of 32, row by row.
pub(crate) struct Q8Rows {
    pub cols: usize,
    scales: Vec<f32>,
    quants: Vec<i8>,
}

impl Q8Rows {
    pub(crate) fn new() -> Q8Rows {
        Q8Rows {
            cols: 0,
            scales: Vec::new(),
            quants: Vec::new(),
        }
    }

    /// Quantises `x`, `rows × cols` row-major, reusing this buffer.
    pub(crate) fn quantize(&mut self, x: &[f32], cols: usize) {
        self.cols = cols;
        let blocks = x.len() / QK;
        self.scales.clear();
        self.quants.clear();
        self.scales.reserve(blocks);
        self.quants.reserve(x.len());
        for blk in x.chunks_exact(QK) {
            let amax = blk.iter().fold(0.0f32, |m, v| m.max(v.abs()));
            let d = amax / 127.0;
            let inv = if d > 0.0 { 1.0 / d } else { 0.0 };
            self.scales.push(d);
            // Round half away from zero, as `f32::round` does, without its libm call; the
            // cast saturates, and |v · inv| ≤ 127 anyway.
            self.quants.extend(blk.iter().map(|v| {
                let q = v * inv;
                (q + 0.5f32.copysign(q)) as i8
            }));
        }
    }
}

/// Whether this CPU runs the AVX2 + FMA paths (checked once; the check is cheap anyway).
pub(crate) fn simd_available() -> bool {
    #[cfg(target_arch = "x86_64")]
    {
        avx2::available()
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        false
    }
}

/// `out[t][r] = bias[r] + Σ_c x[t][c] · W[r][c]` for every token row t of `x` (already
/// quantised) and weight row r, with `out` of `tokens × w.rows`.
pub(crate) fn matmul(w: &Q4Matrix, bias: &[f32], x: &Q8Rows, out: &mut [f32], simd: bool) {
    debug_assert_eq!(x.cols, w.cols);
    let tokens = x.scales.len() * QK / w.cols.max(1);
    debug_assert_eq!(out.len(), tokens * w.rows);
    #[cfg(target_arch = "x86_64")]
    {
        if simd && avx2::available() {
            // SAFETY: the CPU supports AVX2 and FMA (checked at run time just above).
            unsafe { avx2::matmul(w, bias, x, tokens, out) };
            return;
        }
    }
    scalar_matmul(w, bias, x, tokens, out);
}

pub(crate) fn scalar_matmul(
    w: &Q4Matrix,
    bias: &[f32],
    x: &Q8Rows,
    tokens: usize,
    out: &mut [f32],
) {
    let bpr = w.cols / QK;
    let mut acc = vec![0.0f32; tokens];
    for r in 0..w.rows {
        acc.iter_mut().for_each(|a| *a = 0.0);
        for b in 0..bpr {
            let blk = r * bpr + b;
            // Unpacked once, used by every token: a plain i8 × i8 → i32 dot product, which
            // the compiler vectorises for the target (SSE2, NEON) on its own.
            let mut wv = [0i8; QK];
            for (j, &q) in w.quants[blk * 16..blk * 16 + 16].iter().enumerate() {
                wv[j] = (q & 0x0f) as i8 - 8;
                wv[j + 16] = (q >> 4) as i8 - 8;
            }
            let ws = w.scales[blk];
            for (t, a) in acc.iter_mut().enumerate() {
                let xb = &x.quants[t * w.cols + b * QK..t * w.cols + (b + 1) * QK];
                let sum: i32 = wv.iter().zip(xb).map(|(&p, &q)| p as i32 * q as i32).sum();
                *a += ws * x.scales[t * bpr + b] * sum as f32;
            }
        }
        for (t, a) in acc.iter().enumerate() {
            out[t * w.rows + r] = a + bias[r];
        }
    }
}

#[cfg(target_arch = "x86_64")]
mod avx2 {
    use super::{Q4Matrix, Q8Rows, QK};
    use std::arch::x86_64::*;

    pub(super) fn available() -> bool {
        is_x86_feature_detected!("avx2") && is_x86_feature_detected!("fma")
    }

    /// Four token rows share each unpacked weight block, which is where the time goes.
    const TILE: usize = 4;

    /// # Safety
    /// The CPU must support AVX2 and FMA; `x` holds `tokens` rows of `w.cols` values and
    /// `out` has room for `tokens × w.rows`.
    #[target_feature(enable = "avx2,fma")]
    pub(super) unsafe fn matmul(
        w: &Q4Matrix,
        bias: &[f32],
        x: &Q8Rows,
        tokens: usize,
        out: &mut [f32],
    ) {
        let bpr = w.cols / QK;
        assert!(w.quants.len() >= w.rows * bpr * 16 && w.scales.len() >= w.rows * bpr);
        assert!(x.quants.len() >= tokens * w.cols && x.scales.len() >= tokens * bpr);
        assert!(out.len() >= tokens * w.rows && bias.len() >= w.rows);
        let low = _mm256_set1_epi8(0x0f);
        let eight = _mm256_set1_epi8(8);
        let ones = _mm256_set1_epi16(1);
        let mut t0 = 0;
        while t0 + TILE <= tokens {
            for r in 0..w.rows {
                // SAFETY: the asserts above cover rows × bpr weight blocks and tokens ×
                // cols activations; t0 + 3 < tokens.
                let sums = unsafe { full_tile(w, x, r, t0, bpr) };
                for (k, v) in sums.into_iter().enumerate() {
                    out[(t0 + k) * w.rows + r] = v + bias[r];
                }
            }
            t0 += TILE;
        }
        while t0 < tokens {
            let nt = TILE.min(tokens - t0);
            for r in 0..w.rows {
                let mut acc = [_mm256_setzero_ps(); TILE];
                for b in 0..bpr {
                    let blk = r * bpr + b;
                    // SAFETY: blk < rows × bpr, so the 16 bytes lie inside `quants` (asserted).
                    let packed = unsafe {
                        _mm_loadu_si128(w.quants.as_ptr().add(blk * 16) as *const __m128i)
                    };
                    // Low nibbles are values 0..16, high nibbles 16..32: one 256-bit register
                    // holds the block's 32 values in order, shifted to −8..7.
                    let both = _mm256_set_m128i(_mm_srli_epi16(packed, 4), packed);
                    let wq = _mm256_sub_epi8(_mm256_and_si256(both, low), eight);
                    let wabs = _mm256_sign_epi8(wq, wq);
                    let ws = w.scales[blk];
                    for (k, a) in acc.iter_mut().enumerate().take(nt) {
                        let t = t0 + k;
                        // SAFETY: t < tokens and b < bpr, inside `x.quants` (asserted).
                        let xq = unsafe {
                            _mm256_loadu_si256(
                                x.quants.as_ptr().add(t * w.cols + b * QK) as *const __m256i
                            )
                        };
                        // maddubs needs one unsigned operand: move w's sign onto x.
                        let prod = _mm256_maddubs_epi16(wabs, _mm256_sign_epi8(xq, wq));
                        let sum = _mm256_cvtepi32_ps(_mm256_madd_epi16(prod, ones));
                        let d = ws * x.scales[t * bpr + b];
                        *a = _mm256_fmadd_ps(_mm256_set1_ps(d), sum, *a);
                    }
                }
                for (k, a) in acc.iter().enumerate().take(nt) {
                    let t = t0 + k;
                    // SAFETY: AVX2 is enabled in this function, so in hsum too.
                    out[t * w.rows + r] = unsafe { hsum(*a) } + bias[r];
                }
            }
            t0 += nt;
        }
    }

    /// Row `r` of `w` against tokens `t0..t0 + 4`, with every pointer worked out once: the
    /// general loop spends as much on indexing and bounds checks as on arithmetic.
    ///
    /// # Safety
    /// AVX2 and FMA; `r < w.rows`, `t0 + 4 ≤` the tokens held in `x`, sizes as asserted
    /// by [`matmul`].
    #[target_feature(enable = "avx2,fma")]
    unsafe fn full_tile(w: &Q4Matrix, x: &Q8Rows, r: usize, t0: usize, bpr: usize) -> [f32; 4] {
        let low = _mm256_set1_epi8(0x0f);
        let eight = _mm256_set1_epi8(8);
        let ones = _mm256_set1_epi16(1);
        let cols = w.cols;
        // SAFETY (all pointer arithmetic below): offsets stay within the blocks of row r
        // and the rows t0..t0 + 4 of `x`, which the caller guarantees exist.
        let (wq_p, ws_p, xq_p, xs_p) = unsafe {
            (
                w.quants.as_ptr().add(r * bpr * 16),
                w.scales.as_ptr().add(r * bpr),
                x.quants.as_ptr().add(t0 * cols),
                x.scales.as_ptr().add(t0 * bpr),
            )
        };
        let mut acc = [_mm256_setzero_ps(); 4];
        for b in 0..bpr {
            // SAFETY: b < bpr (see above).
            let (packed, ws) = unsafe {
                (
                    _mm_loadu_si128(wq_p.add(b * 16) as *const __m128i),
                    *ws_p.add(b),
                )
            };
            let both = _mm256_set_m128i(_mm_srli_epi16(packed, 4), packed);
            let wq = _mm256_sub_epi8(_mm256_and_si256(both, low), eight);
            let wabs = _mm256_sign_epi8(wq, wq);
            for (k, a) in acc.iter_mut().enumerate() {
                // SAFETY: k < 4 and b < bpr (see above).
                let (xv, xs) = unsafe {
                    (
                        _mm256_loadu_si256(xq_p.add(k * cols + b * QK) as *const __m256i),
                        *xs_p.add(k * bpr + b),
                    )
                };
                let prod = _mm256_maddubs_epi16(wabs, _mm256_sign_epi8(xv, wq));
                let sum = _mm256_cvtepi32_ps(_mm256_madd_epi16(prod, ones));
                *a = _mm256_fmadd_ps(_mm256_set1_ps(ws * xs), sum, *a);
            }
        }
        // SAFETY: AVX2 is enabled in this function, so in hsum too.
        acc.map(|a| unsafe { hsum(a) })
    }

    #[target_feature(enable = "avx2,fma")]
    unsafe fn hsum(v: __m256) -> f32 {
        let s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
        let s = _mm_add_ps(s, _mm_movehl_ps(s, s));
        let s = _mm_add_ss(s, _mm_shuffle_ps(s, s, 1));
        _mm_cvtss_f32(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample_matrix(rows: usize, cols: usize) -> Q4Matrix {
        let mut raw = Vec::new();
        for blk in 0..rows * cols / QK {
            let d = 0.01 + (blk % 7) as f32 * 0.003;
            let h = f32_to_f16_for_test(d);
            raw.extend_from_slice(&h.to_le_bytes());
            for j in 0..16u8 {
                raw.push(((blk as u8).wrapping_mul(31).wrapping_add(j * 7)) ^ (j << 3));
            }
        }
        Q4Matrix::from_raw(&raw, rows, cols)
    }

    fn f32_to_f16_for_test(v: f32) -> u16 {
        // Only normal positive values are used here.
        let bits = v.to_bits();
        let exp = ((bits >> 23) & 0xff) as i32 - 127 + 15;
        ((exp as u16) << 10) | ((bits >> 13) & 0x3ff) as u16
    }

    #[test]
    fn f16_conversion_covers_normal_subnormal_and_special_values() {
        assert_eq!(f16_to_f32(0x3c00), 1.0);
        assert_eq!(f16_to_f32(0xc000), -2.0);
        assert_eq!(f16_to_f32(0x0000), 0.0);
        assert_eq!(f16_to_f32(0x0001), 2.0f32.powi(-24));
        assert_eq!(f16_to_f32(0x7c00), f32::INFINITY);
        assert!((f16_to_f32(0x3555) - 0.333_251_95).abs() < 1e-7);
    }

    #[test]
    fn quantised_product_is_close_to_the_float_product_and_paths_agree() {
        let (rows, cols, tokens) = (9, 96, 6);
        let w = sample_matrix(rows, cols);
        let x: Vec<f32> = (0..tokens * cols)
            .map(|i| ((i * 37 % 101) as f32 - 50.0) / 17.0)
            .collect();
        let bias: Vec<f32> = (0..rows).map(|r| r as f32 * 0.5).collect();
        let mut q = Q8Rows::new();
        q.quantize(&x, cols);
        let mut fast = vec![0.0; tokens * rows];
        let mut slow = vec![0.0; tokens * rows];
        matmul(&w, &bias, &q, &mut fast, true);
        scalar_matmul(&w, &bias, &q, tokens, &mut slow);
        let mut wrow = vec![0.0; cols];
        for r in 0..rows {
            w.dequantize_row(r, &mut wrow);
            for t in 0..tokens {
                let exact: f32 = bias[r]
                    + wrow
                        .iter()
                        .zip(&x[t * cols..(t + 1) * cols])
                        .map(|(a, b)| a * b)
                        .sum::<f32>();
                let got = slow[t * rows + r];
                assert!(
                    (got - exact).abs() < 0.02 * (1.0 + exact.abs()),
                    "{got} vs {exact}"
                );
                assert!((fast[t * rows + r] - got).abs() < 1e-4 * (1.0 + got.abs()));
            }
        }
    }
}
