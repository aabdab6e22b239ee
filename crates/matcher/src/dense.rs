//! Dense (semantic) side of hybrid matching: a brute-force nearest-neighbour
//! scan over 8-bit copies of the claims' vectors, and the fusion of its cosine
//! with the lexical evidence.
//!
//! The scan only proposes candidates; every candidate is then rescored with
//! its exact f32 cosine, so the 8-bit rounding never reaches a score.

/// Fusion and calibration used when a query vector is given (see
/// docs/benchmarks.md, "Hybrid", for how each value was fitted on the public
/// evaluation files).
#[derive(Debug, Clone, PartialEq)]
pub struct HybridParams {
    /// Weight of the lexical evidence in the fused evidence; the rest goes
    /// to the rescaled cosine.
    pub lexical_weight: f32,
    /// [`HybridParams::lexical_weight`] for a query typed without diacritics.
    /// The encoder reads unaccented Vietnamese poorly (its cosines rank the
    /// right claim far lower), while the lexical side matches it on the
    /// folded fields; at the accented weight such queries would rank worse
    /// than with no vectors at all.
    pub unaccented_lexical_weight: f32,
    /// Cosine that counts as no semantic evidence at all: e5 puts unrelated
    /// texts of one language around 0.7, so raw cosines are rescaled from
    /// [`cos_floor`, 1] to [0, 1].
    pub cos_floor: f32,
    /// Dense neighbours proposed per requested match (at least
    /// `min_dense_candidates`).
    pub dense_per_k: usize,
    pub min_dense_candidates: usize,
    /// Calibration of the fused evidence: logistic(slope × (evidence − midpoint)).
    pub slope: f32,
    pub midpoint: f32,
    /// The same for a query typed without diacritics, whose fused evidence
    /// (at [`HybridParams::unaccented_lexical_weight`]) runs lower.
    pub unaccented_slope: f32,
    pub unaccented_midpoint: f32,
    /// Score thresholds in hybrid mode (the lexical ones stay in
    /// [`crate::Params`] for libraries searched without vectors).
    pub confirm: f32,
    pub suggest: f32,
}

impl Default for HybridParams {
    fn default() -> Self {
        HybridParams {
            lexical_weight: 0.3,
            unaccented_lexical_weight: 0.7,
            cos_floor: 0.7,
            dense_per_k: 4,
            min_dense_candidates: 30,
            slope: 25.0,
            midpoint: 0.63,
            unaccented_slope: 17.5,
            unaccented_midpoint: 0.41,
            confirm: 0.90,
            suggest: 0.27,
        }
    }
}

impl HybridParams {
    /// The fused evidence of a candidate with lexical evidence `lexical` (in
    /// [0, 1]) and cosine `cos` to the query, for a query typed with
    /// diacritics or (`unaccented`) without.
    pub(crate) fn fuse(&self, lexical: f32, cos: f32, unaccented: bool) -> f32 {
        let w = if unaccented {
            self.unaccented_lexical_weight
        } else {
            self.lexical_weight
        };
        let sem = ((cos - self.cos_floor) / (1.0 - self.cos_floor).max(1e-6)).clamp(0.0, 1.0);
        w * lexical + (1.0 - w) * sem
    }
}

/// 8-bit copies of the vectors, one row per library slot: a 45k-claim
/// library of 384-d vectors is a 17 MB scan instead of 69 MB, which is what
/// bounds brute force on a few cores.
#[derive(Debug, Default)]
pub(crate) struct DenseIndex {
    dim: usize,
    codes: Vec<i8>,
    /// Per slot: max |x| / 127 of its vector; 0 for a slot without one.
    scales: Vec<f32>,
    rows: usize,
}

fn quantize(v: &[f32], out: &mut [i8]) -> f32 {
    let max = v.iter().fold(0.0f32, |m, x| m.max(x.abs()));
    if max <= 0.0 || !max.is_finite() {
        out.iter_mut().for_each(|c| *c = 0);
        return 0.0;
    }
    let inv = 127.0 / max;
    for (c, x) in out.iter_mut().zip(v) {
        *c = (x * inv).round().clamp(-127.0, 127.0) as i8;
    }
    max / 127.0
}

fn dot_i8(a: &[i8], b: &[i8]) -> i32 {
    // Integer sums vectorise (no float reassociation needed); 384 products
    // of at most 127² stay far inside i32.
    a.iter()
        .zip(b)
        .map(|(&x, &y)| i32::from(x) * i32::from(y))
        .sum()
}

impl DenseIndex {
    /// Stores the vector of `slot`. The first vector fixes the dimension; a
    /// vector of another dimension is left out of the scan (its claim still
    /// gets exact rescoring when another generator proposes it).
    pub(crate) fn set(&mut self, slot: u32, v: &[f32]) {
        if self.rows == 0 {
            self.dim = v.len();
        }
        if v.len() != self.dim || self.dim == 0 {
            self.clear(slot);
            return;
        }
        let s = slot as usize;
        if self.scales.len() <= s {
            self.scales.resize(s + 1, 0.0);
            self.codes.resize((s + 1) * self.dim, 0);
        }
        if self.scales[s] == 0.0 {
            self.rows += 1;
        }
        let scale = quantize(v, &mut self.codes[s * self.dim..(s + 1) * self.dim]);
        // An all-zero vector cannot be a neighbour; keep the count honest.
        if scale == 0.0 {
            self.rows -= 1;
        }
        self.scales[s] = scale;
    }

    pub(crate) fn clear(&mut self, slot: u32) {
        if let Some(s) = self.scales.get_mut(slot as usize) {
            if *s != 0.0 {
                *s = 0.0;
                self.rows -= 1;
            }
        }
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.rows == 0
    }

    pub(crate) fn heap_bytes(&self) -> usize {
        self.codes.capacity() + self.scales.capacity() * 4
    }

    /// The `keep` slots whose vectors are nearest `q` (approximate cosine,
    /// best first).
    pub(crate) fn nearest(&self, q: &[f32], keep: usize) -> Vec<(f32, u32)> {
        if self.rows == 0 || keep == 0 || q.len() != self.dim {
            return Vec::new();
        }
        let mut qc = vec![0i8; self.dim];
        let qs = quantize(q, &mut qc);
        if qs == 0.0 {
            return Vec::new();
        }
        // A bounded min-heap by hand would save little: the scan dominates.
        let mut best: Vec<(f32, u32)> = Vec::with_capacity(keep * 2 + 1);
        let mut floor = f32::NEG_INFINITY;
        for (s, (row, &scale)) in self
            .codes
            .chunks_exact(self.dim)
            .zip(&self.scales)
            .enumerate()
        {
            if scale == 0.0 {
                continue;
            }
            let sim = dot_i8(&qc, row) as f32 * scale * qs;
            if sim <= floor {
                continue;
            }
            best.push((sim, u32::try_from(s).unwrap_or(u32::MAX)));
            if best.len() >= keep * 2 {
                best.select_nth_unstable_by(keep - 1, |a, b| b.0.total_cmp(&a.0));
                best.truncate(keep);
                floor = best.iter().map(|b| b.0).fold(f32::INFINITY, f32::min);
            }
        }
        best.sort_unstable_by(|a, b| b.0.total_cmp(&a.0).then_with(|| a.1.cmp(&b.1)));
        best.truncate(keep);
        best
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nearest_finds_the_closest_rows_and_forgets_cleared_ones() {
        let mut d = DenseIndex::default();
        d.set(0, &[1.0, 0.0, 0.0]);
        d.set(1, &[0.6, 0.8, 0.0]);
        d.set(2, &[0.0, 0.0, 1.0]);
        let n = d.nearest(&[0.8, 0.6, 0.0], 2);
        let ids: Vec<u32> = n.iter().map(|x| x.1).collect();
        assert_eq!(ids, vec![1, 0]);
        assert!((n[0].0 - 0.96).abs() < 0.02, "{n:?}");
        d.clear(1);
        assert_eq!(d.nearest(&[0.8, 0.6, 0.0], 1)[0].1, 0);
        d.set(3, &[1.0, 1.0]);
        assert_eq!(d.nearest(&[0.0, 0.0, 1.0], 5).len(), 2);
    }

    fn library() -> crate::Library {
        let mut lib = crate::Library::new();
        lib.upsert(
            "gia",
            "Giá xăng RON 95 tăng thêm 500 đồng mỗi lít từ chiều nay theo quyết định của liên bộ",
        );
        lib.upsert(
            "bao",
            "Bão số 5 sẽ đổ bộ vào Đà Nẵng đêm nay, người dân cần sơ tán ngay lập tức",
        );
        lib.upsert(
            "vaccine",
            "Tiêm vắc xin ngừa Covid-19 không gây vô sinh ở phụ nữ, theo Bộ Y tế khẳng định",
        );
        lib
    }

    #[test]
    fn a_match_only_the_vectors_see_is_ranked_first_and_marked_semantic() {
        let plain = library();
        let query = "Chích ngừa có làm chị em mất khả năng sinh con không?";
        // Lexically the query shares almost nothing with the vaccine claim.
        let lexical = plain.search(query, 3);
        assert!(
            lexical.iter().all(|m| m.level == crate::MatchLevel::None),
            "{lexical:?}"
        );

        let mut lib = library();
        assert!(lib.upsert_vector("gia", &[0.0, 0.0, 1.0]));
        assert!(lib.upsert_vector("bao", &[0.0, 1.0, 0.0]));
        assert!(lib.upsert_vector("vaccine", &[1.0, 0.0, 0.0]));
        let q = [0.995, 0.0, 0.0999];
        let hits = lib.search_hybrid(query, Some(&q), 3);
        assert_eq!(hits[0].id, "vaccine");
        assert!(hits[0].generators.contains(&crate::Generator::Semantic));
        assert!(hits[0].level != crate::MatchLevel::None, "{hits:?}");
        assert!(hits[0].score > hits.get(1).map_or(0.0, |m| m.score));

        // Without a query vector, or in a library without vectors, hybrid
        // search is exactly the lexical search.
        assert_eq!(lib.search_hybrid(query, None, 3), lib.search(query, 3));
        assert_eq!(plain.search_hybrid(query, Some(&q), 3), lexical);
        let exact = "Bão số 5 sẽ đổ bộ vào Đà Nẵng đêm nay, người dân cần sơ tán ngay lập tức";
        assert_eq!(
            plain.search_hybrid(exact, Some(&q), 3),
            plain.search(exact, 3)
        );
        // An exact copy stays certain whatever its vector says.
        let ms = lib.search_hybrid(exact, Some(&q), 1);
        assert_eq!(ms[0].id, "bao");
        assert_eq!(ms[0].level, crate::MatchLevel::Confirm);
    }

    #[test]
    fn removed_claims_leave_the_dense_scan() {
        let mut lib = library();
        assert!(lib.upsert_vector("vaccine", &[1.0, 0.0, 0.0]));
        assert!(lib.upsert_vector("bao", &[0.0, 1.0, 0.0]));
        assert!(lib.remove("vaccine"));
        let hits = lib.search_hybrid("một câu khác hẳn", Some(&[1.0, 0.0, 0.0]), 3);
        assert!(hits.iter().all(|m| m.id != "vaccine"));
    }

    /// A unit vector at cosine `c` from `[1, 0, 0]`.
    fn at_cosine(c: f32) -> [f32; 3] {
        [c, (1.0 - c * c).max(0.0).sqrt(), 0.0]
    }

    #[test]
    fn a_paraphrase_with_few_shared_words_outranks_a_lexical_near_miss() {
        let mut lib = crate::Library::new();
        // Shares nearly every word with the report but says the opposite.
        lib.upsert(
            "near",
            "Giá xăng RON 95 tăng thêm 500 đồng mỗi lít từ chiều nay theo quyết định của liên bộ",
        );
        // Says what the report says, in other words.
        lib.upsert(
            "para",
            "Kể từ tối hôm nay người mua nhiên liệu A95 được bớt nửa nghìn cho một lít",
        );
        lib.upsert(
            "bao",
            "Bão số 5 sẽ đổ bộ vào Đà Nẵng đêm nay, người dân cần sơ tán ngay lập tức",
        );
        let report = "Giá xăng RON 95 giảm 500 đồng mỗi lít từ chiều nay";
        assert_eq!(lib.search(report, 3)[0].id, "near");

        assert!(lib.upsert_vector("near", &at_cosine(0.74)));
        assert!(lib.upsert_vector("para", &at_cosine(0.96)));
        assert!(lib.upsert_vector("bao", &at_cosine(0.70)));
        let hits = lib.search_hybrid(report, Some(&[1.0, 0.0, 0.0]), 3);
        assert_eq!(hits[0].id, "para", "{hits:?}");
        assert!(hits[0].generators.contains(&crate::Generator::Semantic));
        let near = hits
            .iter()
            .find(|m| m.id == "near")
            .expect("near is still listed");
        assert!(near.score < hits[0].score);
        assert_ne!(near.level, crate::MatchLevel::Confirm, "{near:?}");
    }

    #[test]
    fn a_match_no_shared_word_supports_is_suggested_never_confirmed() {
        // With lexical weight w, a candidate sharing no word has fused
        // evidence at most 1 − w; the fitted curve puts that under the
        // confirm threshold, so the desk never auto-confirms on the vectors
        // alone, however close they are.
        let p = HybridParams::default();
        let best_unshared = p.fuse(0.0, 1.0, false);
        let score = 1.0 / (1.0 + (-p.slope * (best_unshared - p.midpoint)).exp());
        assert!(score < p.confirm && score >= p.suggest, "{score}");
        // Typed without diacritics, the vectors weigh less still.
        let best_unshared = p.fuse(0.0, 1.0, true);
        let score =
            1.0 / (1.0 + (-p.unaccented_slope * (best_unshared - p.unaccented_midpoint)).exp());
        assert!(score < p.confirm, "{score}");

        let mut lib = crate::Library::new();
        let claim =
            "Tiêm vắc xin ngừa Covid-19 không gây vô sinh ở phụ nữ, theo Bộ Y tế khẳng định";
        lib.upsert("vaccine", claim);
        lib.upsert(
            "bao",
            "Bão số 5 sẽ đổ bộ vào Đà Nẵng đêm nay, người dân cần sơ tán ngay lập tức",
        );
        assert!(lib.upsert_vector("vaccine", &at_cosine(1.0)));
        assert!(lib.upsert_vector("bao", &at_cosine(0.7)));
        let q = [1.0, 0.0, 0.0];
        let unshared = "Chích ngừa có làm chị em mất khả năng sinh con hay không vậy mọi người";
        let m = &lib.search_hybrid(unshared, Some(&q), 1)[0];
        assert_eq!(
            (m.id.as_str(), m.level),
            ("vaccine", crate::MatchLevel::Suggest)
        );

        // The same vector with the claim's own wording is confirmed.
        let worded = "Tiêm vắc xin ngừa Covid-19 không gây vô sinh ở phụ nữ, Bộ Y tế khẳng định";
        let m = &lib.search_hybrid(worded, Some(&q), 1)[0];
        assert_eq!(
            (m.id.as_str(), m.level),
            ("vaccine", crate::MatchLevel::Confirm)
        );
    }

    #[test]
    fn a_report_quoting_a_whole_claim_is_suggested_in_hybrid_mode_too() {
        // Lexically the quote is a small share of the report; its vector sits
        // between the claim's and the rest's. The quoted-claim floor must
        // still reach a suggestion on the fused scale, as it does lexically.
        let claim =
            "Uống nước chanh nóng mỗi sáng giúp chữa khỏi bệnh ung thư trong vòng một tháng";
        let report = format!(
            "Sáng nay trong nhóm phụ huynh của lớp con tôi có người gửi bài viết dài về chuyện ăn uống \
             mùa đông, chuyện học thêm, chuyện tiền điện tháng này và cuối bài có câu: {claim}. \
             Tôi thấy nhiều người tin nên hỏi lại ở đây, mọi người đọc thấy sao?"
        );
        let mut lib = crate::Library::new();
        lib.upsert("chanh", claim);
        lib.upsert(
            "bao",
            "Bão số 5 sẽ đổ bộ vào Đà Nẵng đêm nay, người dân cần sơ tán ngay",
        );
        assert!(lib.upsert_vector("chanh", &at_cosine(1.0)));
        assert!(lib.upsert_vector("bao", &at_cosine(0.0)));
        let lexical = &lib.search(&report, 1)[0];
        assert_eq!(
            (lexical.id.as_str(), lexical.level),
            ("chanh", crate::MatchLevel::Suggest)
        );
        let hybrid = &lib.search_hybrid(&report, Some(&at_cosine(0.75)), 1)[0];
        assert_eq!(
            (hybrid.id.as_str(), hybrid.level),
            ("chanh", crate::MatchLevel::Suggest)
        );
        assert!(
            (hybrid.score - lexical.score).abs() < 0.02,
            "{hybrid:?} vs {lexical:?}"
        );
    }

    #[test]
    fn fusion_rescales_cosine_and_weights_both_sides() {
        let p = HybridParams {
            lexical_weight: 0.25,
            cos_floor: 0.6,
            ..HybridParams::default()
        };
        assert!((p.fuse(1.0, 0.6, false) - 0.25).abs() < 1e-6);
        assert!((p.fuse(0.0, 1.0, false) - 0.75).abs() < 1e-6);
        assert_eq!(p.fuse(0.0, 0.1, false), 0.0);
    }
}
