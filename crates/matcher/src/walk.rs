//! The inner loop of a query: one posting list's BM25 parts added to the
//! claims' score accumulators.
//!
//! It is a quarter of a query's time, about nine cycles a posting, and a
//! list never names a claim twice, so sixteen postings at a time can be
//! gathered, scored and scattered back without conflicts. With AVX-512
//! (checked at run time) that is what [`accumulate`] does; the arithmetic is
//! the portable loop's, operation for operation, so the scores are the same
//! bit for bit (a test compares them).

use crate::{TF_BITS, TF_MAX};

/// What a walk needs besides the list: the term's weight `w` (idf × query
/// count × (k1 + 1)) and the length normalisation `norm_a + norm_b × len`.
#[derive(Clone, Copy)]
pub(crate) struct Term {
    pub w: f32,
    pub norm_a: f32,
    pub norm_b: f32,
}

/// The accumulators of one query: a score per claim slot, the claims touched
/// so far (in first-touch order) and the best score.
pub(crate) struct Walk<'a> {
    pub lens: &'a [u32],
    pub acc: &'a mut [f32],
    /// Room for every posting of the query; `touched[..n_touched]` is used.
    pub touched: &'a mut [u32],
    pub n_touched: usize,
    pub best: f32,
}

/// Adds `list`'s postings to the walk.
pub(crate) fn accumulate(walk: &mut Walk, list: &[u32], t: Term) {
    #[cfg(target_arch = "x86_64")]
    if list.len() >= 16
        && std::arch::is_x86_feature_detected!("avx512f")
        && walk.touched.len() - walk.n_touched.min(walk.touched.len()) >= list.len()
    {
        // SAFETY: the CPU has AVX-512F, and `touched` has room for every
        // posting of the list, as the function requires.
        unsafe { avx512::accumulate(walk, list, t) };
        return;
    }
    accumulate_portable(walk, list, t);
}

pub(crate) fn accumulate_portable(walk: &mut Walk, list: &[u32], t: Term) {
    for &packed in list {
        add_one(walk, packed, t);
    }
}

#[inline(always)]
fn add_one(walk: &mut Walk, packed: u32, t: Term) {
    let d = packed >> TF_BITS;
    let slot = d as usize;
    let (Some(&len), Some(a)) = (walk.lens.get(slot), walk.acc.get_mut(slot)) else {
        return;
    };
    // Room for every posting up front: the first touch of a claim is then
    // recorded without a branch (it is unpredictable).
    if let Some(x) = walk.touched.get_mut(walk.n_touched) {
        *x = d;
    }
    walk.n_touched += usize::from(*a == 0.0);
    let tf = (packed & TF_MAX) as f32;
    *a += t.w * tf / (tf + (t.norm_a + t.norm_b * len as f32));
    walk.best = walk.best.max(*a);
}

#[cfg(target_arch = "x86_64")]
mod avx512 {
    use std::arch::x86_64::*;

    use super::{add_one, Term, Walk};
    use crate::{TF_BITS, TF_MAX};

    /// # Safety
    /// The CPU must have AVX-512F, and `walk.touched` room for
    /// `walk.n_touched + list.len()` entries.
    #[target_feature(enable = "avx512f")]
    pub(super) unsafe fn accumulate(walk: &mut Walk, list: &[u32], t: Term) {
        let n = walk.lens.len().min(walk.acc.len());
        let limit = _mm512_set1_epi32(u32::try_from(n).unwrap_or(u32::MAX) as i32);
        let (w, norm_a, norm_b) = (
            _mm512_set1_ps(t.w),
            _mm512_set1_ps(t.norm_a),
            _mm512_set1_ps(t.norm_b),
        );
        let tf_mask = _mm512_set1_epi32(TF_MAX as i32);
        let zero = _mm512_setzero_ps();
        let mut best = _mm512_set1_ps(walk.best);
        let mut chunks = list.chunks_exact(16);
        for chunk in &mut chunks {
            // SAFETY: `chunk` is 16 u32s, 64 readable bytes.
            let packed = unsafe { _mm512_loadu_si512(chunk.as_ptr().cast()) };
            let d = _mm512_srli_epi32::<TF_BITS>(packed);
            if _mm512_cmplt_epu32_mask(d, limit) != 0xffff {
                // A slot out of range (not in a consistent library): the
                // portable loop skips it.
                for &p in chunk {
                    add_one(walk, p, t);
                }
                best = _mm512_max_ps(_mm512_set1_ps(walk.best), best);
                continue;
            }
            // SAFETY: every slot in `d` is below the length of both `lens`
            // and `acc`, checked just above.
            let (len, a) = unsafe {
                (
                    _mm512_i32gather_epi32::<4>(d, walk.lens.as_ptr().cast()),
                    _mm512_i32gather_ps::<4>(d, walk.acc.as_ptr().cast()),
                )
            };
            let first = _mm512_cmp_ps_mask::<_CMP_EQ_OQ>(a, zero);
            // SAFETY: the caller guarantees room in `touched` for every
            // posting of the list, and this writes at most one per posting.
            // (Compressing in a register and storing all 16 lanes, said to be
            // faster on some CPUs, measured 2 % slower on ours.)
            unsafe {
                _mm512_mask_compressstoreu_epi32(
                    walk.touched.as_mut_ptr().add(walk.n_touched).cast(),
                    first,
                    d,
                );
            }
            walk.n_touched += first.count_ones() as usize;
            let tf = _mm512_cvtepi32_ps(_mm512_and_si512(packed, tf_mask));
            // The portable expression, operation for operation:
            // w × tf / (tf + (norm_a + norm_b × len)), then a + that.
            let norm = _mm512_add_ps(norm_a, _mm512_mul_ps(norm_b, _mm512_cvtepu32_ps(len)));
            let part = _mm512_div_ps(_mm512_mul_ps(w, tf), _mm512_add_ps(tf, norm));
            let a = _mm512_add_ps(a, part);
            // SAFETY: the slots are in range (above), and a list holds each
            // slot once, so each accumulator is written once.
            unsafe { _mm512_i32scatter_ps::<4>(walk.acc.as_mut_ptr().cast(), d, a) };
            // `a` first: like `f32::max`, a NaN score then leaves the best
            // as it was (VMAXPS returns its second operand on a NaN).
            best = _mm512_max_ps(a, best);
        }
        walk.best = _mm512_reduce_max_ps(best);
        for &p in chunks.remainder() {
            add_one(walk, p, t);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Runs `lists` through `f` on fresh accumulators.
    fn run(
        lens: &[u32],
        lists: &[(Vec<u32>, Term)],
        f: fn(&mut Walk, &[u32], Term),
    ) -> (Vec<f32>, Vec<u32>, f32) {
        let mut acc = vec![0.0f32; lens.len()];
        let room: usize = lists.iter().map(|(l, _)| l.len()).sum();
        let mut touched = vec![0u32; room];
        let mut walk = Walk {
            lens,
            acc: &mut acc,
            touched: &mut touched,
            n_touched: 0,
            best: 0.0,
        };
        for (list, t) in lists {
            f(&mut walk, list, *t);
        }
        let (n, best) = (walk.n_touched, walk.best);
        touched.truncate(n);
        (acc, touched, best)
    }

    #[test]
    fn the_vector_walk_scores_exactly_as_the_portable_one() {
        // A small deterministic generator: no test depends on a seed file.
        let mut x = 0x2545_f491_4f6c_dd1d_u64;
        let mut next = move || {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x
        };
        let claims = 3000usize;
        let lens: Vec<u32> = (0..claims).map(|_| 1 + (next() % 120) as u32).collect();
        let mut lists = Vec::new();
        for len in [1usize, 15, 16, 17, 33, 250, 1024] {
            // Distinct slots, in increasing order as in the index, with
            // counts up to the 6-bit maximum.
            let mut slots: Vec<u32> = (0..len).map(|_| (next() % claims as u64) as u32).collect();
            slots.sort_unstable();
            slots.dedup();
            let list: Vec<u32> = slots
                .iter()
                .map(|&s| s << TF_BITS | (1 + (next() % u64::from(TF_MAX)) as u32))
                .collect();
            let t = Term {
                w: 0.5 + (next() % 1000) as f32 / 97.0,
                norm_a: 0.225,
                norm_b: 0.675 / 31.7,
            };
            lists.push((list, t));
        }
        // A slot past the end (a list from an inconsistent library) is
        // skipped by both, inside a vector chunk.
        let mut odd: Vec<u32> = (0..20u32).map(|i| (i * 7) << TF_BITS | 1).collect();
        odd[5] = (claims as u32 + 3) << TF_BITS | 2;
        lists.push((
            odd,
            Term {
                w: 1.5,
                norm_a: 0.3,
                norm_b: 0.02,
            },
        ));
        #[cfg(target_arch = "x86_64")]
        crate::report_vector_path(
            "walk parity",
            std::arch::is_x86_feature_detected!("avx512f"),
        );
        let portable = run(&lens, &lists, accumulate_portable);
        let dispatched = run(&lens, &lists, accumulate);
        assert!(portable.1.len() > 1000 && portable.2 > 0.0);
        assert_eq!(portable.1, dispatched.1, "touched, in order");
        assert_eq!(portable.2.to_bits(), dispatched.2.to_bits(), "best");
        let bits = |v: &[f32]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
        assert_eq!(bits(&portable.0), bits(&dispatched.0), "scores");
    }
}
