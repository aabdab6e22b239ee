use super::*;

const CLAIM: &str =
    "Uống nước chanh nóng mỗi sáng giúp chữa khỏi bệnh ung thư trong vòng một tháng";

fn library() -> Library {
    let mut lib = Library::new();
    lib.upsert("chanh", CLAIM);
    lib.upsert(
        "bao",
        "Bão số 5 sẽ đổ bộ vào Đà Nẵng đêm nay, người dân cần sơ tán ngay lập tức",
    );
    lib.upsert(
        "vaccine",
        "Tiêm vaccine Covid-19 gây vô sinh ở phụ nữ trẻ theo một nghiên cứu mới công bố",
    );
    lib.upsert(
        "ngan-hang",
        "Ngân hàng nhà nước sẽ đổi tiền mới và thu hồi toàn bộ tờ 500 nghìn từ tháng sau",
    );
    lib
}

fn top(lib: &Library, q: &str) -> Match {
    lib.search(q, 5).into_iter().next().expect("a match")
}

#[test]
fn exact_copy_is_confirmed() {
    let m = top(&library(), CLAIM);
    assert_eq!(m.id, "chanh");
    assert_eq!(m.level, MatchLevel::Confirm);
    assert!(m.generators.contains(&Generator::Exact));
    assert!(m.score > 0.9 && m.score <= 1.0);
}

#[test]
fn text_without_diacritics_matches() {
    let m = top(
        &library(),
        "uong nuoc chanh nong moi sang giup chua khoi benh ung thu trong vong mot thang",
    );
    assert_eq!(m.id, "chanh");
    assert!(m.generators.contains(&Generator::Exact));
    assert_eq!(m.level, MatchLevel::Confirm);
}

#[test]
fn text_without_diacritics_stays_so_with_chat_abbreviations_or_typographic_quotes() {
    // Normalising expands `ko` into the accented `không`, and curly quotes are
    // not ASCII; neither makes the report one typed with diacritics, which
    // would match it on the accented fields and miss nearly every word.
    let lib = library();
    let plain = top(
        &lib,
        "Nghe noi uong nuoc chanh nong moi sang chua khoi benh ung thu khong vay",
    );
    assert_eq!(plain.id, "chanh");
    assert_ne!(plain.level, MatchLevel::None, "{plain:?}");
    for q in [
        "Nghe noi uong nuoc chanh nong moi sang chua khoi benh ung thu ko vay",
        "Nghe noi “uong nuoc chanh nong moi sang chua khoi benh ung thu” khong vay…",
    ] {
        let m = top(&lib, q);
        assert_eq!((m.id.as_str(), m.level), ("chanh", plain.level), "{q}");
        assert!(
            (m.score - plain.score).abs() < 1e-3,
            "{q}: {} vs {}",
            m.score,
            plain.score
        );
    }
}

#[test]
fn a_report_typed_mostly_without_diacritics_is_matched_as_one_typed_without() {
    // The pasted place name keeps its accents; every other word exists in the
    // library only in its folded form.
    let lib = library();
    let folded = top(
        &lib,
        "Nghe noi bao so 5 se do bo vao Da Nang dem nay, nguoi dan phai so tan",
    );
    let mixed = top(
        &lib,
        "Nghe noi bao so 5 se do bo vao Đà Nẵng dem nay, nguoi dan phai so tan",
    );
    assert_eq!(folded.id, "bao");
    assert_ne!(folded.level, MatchLevel::None, "{folded:?}");
    assert_eq!((mixed.id.as_str(), mixed.level), ("bao", folded.level));
    assert!(
        (mixed.score - folded.score).abs() < 0.05,
        "{mixed:?} vs {folded:?}"
    );
    let accented = top(
        &lib,
        "Nghe nói bão số 5 sẽ đổ bộ vào Đà Nẵng đêm nay, người dân phải sơ tán",
    );
    assert_eq!(
        (accented.id.as_str(), accented.level),
        ("bao", folded.level)
    );
}

#[test]
fn query_without_diacritics_names_the_shared_terms_as_the_claim_writes_them() {
    // Exact copy typed without accents, then a lightly edited one.
    for q in [
        "uong nuoc chanh nong moi sang giup chua khoi benh ung thu trong vong mot thang",
        "chia se gap: uong nuoc chanh nong moi sang giup chua khoi benh ung thu trong 1 thang",
    ] {
        let m = top(&library(), q);
        assert_eq!(m.id, "chanh");
        assert!(!m.shared_terms.is_empty(), "{q}: {m:?}");
        assert!(
            m.shared_terms.iter().any(|t| t == "chanh"),
            "{:?}",
            m.shared_terms
        );
        assert!(
            m.shared_terms.iter().any(|t| t == "chữa"),
            "{:?}",
            m.shared_terms
        );
        // Every term is spelled as the claim writes it, accents included.
        let claim = kc_text::normalize(CLAIM);
        let claim_syllables = kc_text::syllables(&claim);
        for t in &m.shared_terms {
            assert!(claim_syllables.contains(&t.as_str()), "{t} in {m:?}");
        }
    }
}

#[test]
fn lightly_edited_forward_is_a_near_duplicate() {
    let m = top(
        &library(),
        "CHIA SẺ GẤP!!! uống nước chanh nóng mỗi sáng giúp chữa khỏi bệnh ung thư trong vòng 1 tháng 🔥🔥",
    );
    assert_eq!(m.id, "chanh");
    assert!(m.generators.contains(&Generator::NearDuplicate), "{m:?}");
    assert!(m.generators.contains(&Generator::Bm25));
    assert_ne!(m.level, MatchLevel::None);
    assert!(
        m.shared_terms.iter().any(|t| t == "chanh"),
        "{:?}",
        m.shared_terms
    );
}

#[test]
fn short_texts_are_never_confirmed() {
    let mut lib = Library::new();
    lib.upsert("short", "Đổi tiền mới");
    let m = top(&lib, "Đổi tiền mới");
    assert!(m.generators.contains(&Generator::Exact));
    assert_eq!(m.level, MatchLevel::Suggest);
}

#[test]
fn stale_claims_are_never_confirmed() {
    let mut lib = Library::new();
    lib.upsert_dated("chanh", CLAIM, 0);
    let year = 365 * 24 * 3600;
    assert_eq!(lib.search_at(CLAIM, 1, year)[0].level, MatchLevel::Confirm);
    assert_eq!(
        lib.search_at(CLAIM, 1, 3 * year)[0].level,
        MatchLevel::Suggest
    );
}

#[test]
fn unrelated_text_is_not_confirmed() {
    let lib = library();
    for m in lib.search(
        "Giá vàng hôm nay tăng mạnh, nhà đầu tư đổ xô đi mua vàng miếng",
        5,
    ) {
        assert_ne!(m.level, MatchLevel::Confirm, "{m:?}");
    }
}

#[test]
fn empty_query_matches_nothing() {
    let lib = library();
    assert!(lib.search("", 5).is_empty());
    assert!(lib.search("  !!! 🔥 ", 5).is_empty());
    assert!(lib.search(CLAIM, 0).is_empty());
}

#[test]
fn upsert_replaces_and_remove_forgets_at_once() {
    let mut lib = library();
    assert_eq!(lib.len(), 4);
    lib.upsert(
        "chanh",
        "Ăn tỏi sống phòng được mọi loại virus cúm theo lời đồn trên mạng xã hội",
    );
    assert_eq!(lib.len(), 4);
    assert!(lib
        .search(CLAIM, 5)
        .iter()
        .all(|m| m.id != "chanh" || m.level == MatchLevel::None));
    assert_eq!(top(&lib, "ăn tỏi sống phòng được virus cúm").id, "chanh");
    assert!(lib.remove("chanh"));
    assert!(!lib.remove("chanh"));
    assert_eq!(lib.len(), 3);
    assert!(lib
        .search("ăn tỏi sống phòng virus cúm", 5)
        .iter()
        .all(|m| m.id != "chanh"));
    lib.upsert("moi", "Ăn tỏi sống phòng được mọi loại virus cúm");
    assert_eq!(top(&lib, "ăn tỏi sống phòng được virus cúm").id, "moi");
}

#[test]
fn scores_are_sorted_and_bounded() {
    let lib = library();
    let ms = lib.search("người dân Đà Nẵng sơ tán vì bão", 10);
    assert!(!ms.is_empty());
    assert_eq!(ms[0].id, "bao");
    for w in ms.windows(2) {
        assert!(w[0].score >= w[1].score);
    }
    assert!(ms.iter().all(|m| (0.0..=1.0).contains(&m.score)));
}

#[test]
fn snapshot_round_trips() {
    let mut lib = library();
    lib.upsert_dated(
        "dated",
        "Một tin đồn cũ về giá xăng tăng gấp đôi vào tuần tới",
        42,
    );
    assert!(lib.upsert_vector("bao", &[0.6, 0.8]));
    lib.upsert(
        "link",
        "Tin sai tại https://tuoitre.vn/tin-gia-123.htm đã bị gỡ",
    );
    let bytes = lib.snapshot();
    let back = Library::from_snapshot(&bytes).expect("loads");
    assert_eq!(back.len(), lib.len());
    let link = "https://www.tuoitre.vn/tin-gia-123.htm?fbclid=x";
    for q in [CLAIM, "bao so 5 da nang", "giá xăng tăng gấp đôi", link] {
        assert_eq!(back.search(q, 3), lib.search(q, 3), "query {q}");
    }
    assert_eq!(back.snapshot(), bytes);
}

#[test]
fn bad_snapshots_are_errors() {
    assert_eq!(
        Library::from_snapshot(b"nope").err(),
        Some(SnapshotError::BadMagic)
    );
    let bytes = library().snapshot();
    for cut in [3, 10, bytes.len() - 1] {
        assert!(
            Library::from_snapshot(&bytes[..cut]).is_err(),
            "cut at {cut}"
        );
    }
    // Versions 1 and 2 stored links (2: bare domains) cut apart by
    // normalising; they are refused, not misread.
    for version in [1u32, 2] {
        let mut old = bytes.clone();
        old[4..8].copy_from_slice(&version.to_le_bytes());
        assert_eq!(
            Library::from_snapshot(&old).err(),
            Some(SnapshotError::Version(version))
        );
    }
}

#[test]
fn hybrid_search_uses_vectors() {
    let mut lib = library();
    assert!(lib.upsert_vector("vaccine", &[1.0, 0.0]));
    assert!(lib.upsert_vector("bao", &[0.0, 1.0]));
    assert!(!lib.upsert_vector("unknown", &[1.0, 0.0]));
    // Re-adding the same text keeps the vector; new text drops it.
    lib.upsert(
        "bao",
        "Bão số 5 sẽ đổ bộ vào Đà Nẵng đêm nay, người dân cần sơ tán ngay lập tức",
    );
    let hits = lib.search_hybrid("một câu khác hẳn", Some(&[0.0, 1.0]), 3);
    assert!(hits
        .iter()
        .any(|m| m.id == "bao" && m.generators.contains(&Generator::Semantic)));
    lib.upsert(
        "bao",
        "Bão số 6 suy yếu thành áp thấp nhiệt đới trên biển Đông",
    );
    let hits = lib.search_hybrid("một câu khác hẳn", Some(&[0.0, 1.0]), 3);
    assert!(hits
        .iter()
        .all(|m| m.id != "bao" || !m.generators.contains(&Generator::Semantic)));
    let ms = lib.search_hybrid("chích ngừa có an toàn không", Some(&[1.0, 0.0]), 3);
    assert_eq!(ms[0].id, "vaccine");
    assert!(ms[0].generators.contains(&Generator::Semantic));
}

#[test]
fn library_is_send_and_sync() {
    fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<Library>();
}

#[test]
fn claim_stored_without_diacritics_is_found_by_an_accented_query() {
    let mut lib = library();
    lib.upsert(
        "khong-dau",
        "Canh bao lua dao qua tin nhan gia mao ngan hang yeu cau cap nhat thong tin",
    );
    let m = top(
        &lib,
        "Cảnh báo: tin nhắn giả mạo ngân hàng yêu cầu cập nhật thông tin là lừa đảo",
    );
    assert_eq!(m.id, "khong-dau");
    assert!(m.generators.contains(&Generator::Bm25));
}

#[test]
fn i_and_y_spellings_of_a_claim_meet() {
    let mut lib = library();
    lib.upsert(
        "ty",
        "Mỹ hỗ trợ 2 tỷ đồng cho kỹ sư có lý lịch tốt, quy định mới",
    );
    // The same text in the school spelling, with and without diacritics: an
    // exact copy, found and confirmed as such.
    for q in [
        "Mĩ hỗ trợ 2 tỉ đồng cho kĩ sư có lí lịch tốt, qui định mới",
        "mi ho tro 2 ti dong cho ki su co li lich tot, qui dinh moi",
    ] {
        let m = top(&lib, q);
        assert_eq!(m.id, "ty", "{q}");
        assert!(m.generators.contains(&Generator::Exact), "{m:?}");
        assert_eq!(m.level, MatchLevel::Confirm, "{m:?}");
    }
    // Shared terms are named as the report spells them, or as the claim
    // does when the report has no diacritics to show.
    let m = top(&lib, "Mĩ hỗ trợ 2 tỉ đồng");
    assert!(m.shared_terms.iter().any(|t| t == "tỉ"), "{m:?}");
    let m = top(&lib, "mi ho tro 2 ti dong");
    assert!(m.shared_terms.iter().any(|t| t == "tỷ"), "{m:?}");
    assert!(m.shared_terms.iter().any(|t| t == "mỹ"), "{m:?}");
    // Also when the claim's own spelling has no diacritics either.
    let m = top(&lib, "qui dinh moi ve ky su");
    assert!(m.shared_terms.iter().any(|t| t == "quy"), "{m:?}");
    assert!(!m.shared_terms.iter().any(|t| t == "qui"), "{m:?}");
}

#[test]
fn names_in_the_query_weigh_more() {
    let mut lib = Library::new();
    lib.upsert(
        "a",
        "Ca sĩ Mỹ Tâm bị tin đồn hủy toàn bộ lịch diễn cuối năm vì lý do sức khỏe",
    );
    lib.upsert(
        "b",
        "Nhiều ca sĩ hủy lịch diễn cuối năm vì lý do sức khỏe theo tin đồn trên mạng",
    );
    // Same words otherwise; the capitalised name decides.
    assert_eq!(top(&lib, "Tin đồn Mỹ Tâm hủy lịch diễn").id, "a");
}

mod properties {
    use super::*;
    use proptest::prelude::*;

    fn text() -> impl Strategy<Value = String> {
        let words = prop::sample::select(vec![
            "tin",
            "đồn",
            "bão",
            "số",
            "5",
            "Đà",
            "Nẵng",
            "ko",
            "dc",
            "hoà",
            "hòa",
            "người",
            "dân",
            "!!!",
            "🔥",
            "\u{200b}",
            "vaccine",
            "gây",
            "vô",
            "sinh",
            "ngân",
            "hàng",
            "www.x.vn/a",
        ]);
        prop_oneof![
            prop::collection::vec(words, 0..20).prop_map(|v| v.join(" ")),
            any::<String>(),
        ]
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(300))]

        /// Whatever is added, replaced, removed or searched: no panic,
        /// scores in [0, 1] best first, removed claims never come back, and
        /// a snapshot restores the same answers.
        #[test]
        fn library_invariants(
            ops in prop::collection::vec((0u8..3, 0usize..6, text()), 1..25),
            query in text(),
        ) {
            let mut lib = Library::new();
            let mut live: std::collections::BTreeSet<String> = Default::default();
            for (op, id, t) in &ops {
                let id = format!("c{id}");
                match op {
                    0 | 1 => {
                        lib.upsert(&id, t);
                        live.insert(id);
                    }
                    _ => {
                        prop_assert_eq!(lib.remove(&id), live.remove(&id));
                    }
                }
                prop_assert_eq!(lib.len(), live.len());
            }
            let ms = lib.search(&query, 10);
            for m in &ms {
                prop_assert!((0.0..=1.0).contains(&m.score));
                prop_assert!(live.contains(&m.id));
                prop_assert!(!m.generators.is_empty());
            }
            for w in ms.windows(2) {
                prop_assert!(w[0].score >= w[1].score);
            }
            let back = Library::from_snapshot(&lib.snapshot()).map_err(|e| TestCaseError::fail(e.to_string()))?;
            // Same answers; scores may differ in the last float bits because
            // term ids (and so summation order) change on reload.
            let again = back.search(&query, 10);
            prop_assert_eq!(again.len(), ms.len());
            // Two claims whose scores tie to within that noise may swap
            // places (even at equal f32 scores: the logistic saturates);
            // a claim found by both scores and is explained the same.
            for (a, b) in again.iter().zip(&ms) {
                prop_assert!((a.score - b.score).abs() < 1e-4, "{a:?} vs {b:?}");
            }
            for a in &again {
                if let Some(b) = ms.iter().find(|b| b.id == a.id) {
                    prop_assert!((a.score - b.score).abs() < 1e-4, "{a:?} vs {b:?}");
                    prop_assert_eq!(&a.shared_terms, &b.shared_terms);
                }
            }
        }
    }
}

#[test]
fn a_claim_quoted_inside_a_long_report_is_suggested_not_confirmed() {
    let report = format!(
        "Mình thấy trên nhóm Zalo của khu phố có người chia sẻ rằng {CLAIM}, nhưng không biết \
         có đúng không, mọi người kiểm tra giúp với, cảm ơn nhiều lắm ạ, chúc cả nhà sức khỏe"
    );
    let m = top(&library(), &report);
    assert_eq!(m.id, "chanh");
    assert_eq!(m.level, MatchLevel::Suggest, "{m:?}");
    // Without the coverage floor the same report would not even be suggested.
    let mut lib = Library::with_params(Params {
        containment: 0.0,
        ..Params::default()
    });
    lib.upsert("chanh", CLAIM);
    assert_eq!(lib.search(&report, 1)[0].level, MatchLevel::None);
}

#[test]
fn the_coverage_floor_follows_library_changes() {
    // The floor's per-claim term mass is cached between queries; every
    // change to the library must show in the next answer, as if the library
    // had been built afresh. The report quotes most of the claim, so how
    // much it covers depends on the idf of the words it leaves out.
    let quoted = "uống nước chanh nóng mỗi sáng giúp chữa khỏi bệnh ung thư";
    let report = format!(
        "Mình thấy trên nhóm Zalo của khu phố có người chia sẻ rằng {quoted}, nhưng không biết \
         có đúng không, mọi người kiểm tra giúp với, cảm ơn nhiều lắm ạ, chúc cả nhà sức khỏe"
    );
    let folded = kc_text::fold(&report);
    let chanh = |lib: &Library, q: &str| -> f32 {
        let m = lib.search(q, 5);
        m.iter()
            .find(|m| m.id == "chanh")
            .expect("the quoted claim")
            .score
    };
    let mut lib = library();
    let before = (chanh(&lib, &report), chanh(&lib, &folded));
    let changes: [(&str, Option<&str>); 4] = [
        ("a", Some("Giá xăng có thể tăng trong vòng một tháng tới")),
        (
            "b",
            Some("Trong vòng một tháng, ba cơn bão đổ bộ vào miền Trung"),
        ),
        ("bao", None),
        ("a", Some("Học phí sẽ được miễn trong một tháng")),
    ];
    let mut steps: Vec<(&str, Option<&str>)> = Vec::new();
    for change in changes {
        match change {
            (id, Some(text)) => lib.upsert(id, text),
            (id, None) => assert!(lib.remove(id)),
        }
        steps.push(change);
        let mut fresh = library();
        for &(id, text) in &steps {
            match text {
                Some(text) => fresh.upsert(id, text),
                None => assert!(fresh.remove(id)),
            }
        }
        for q in [&report, &folded] {
            assert_eq!(
                lib.search(q, 5),
                fresh.search(q, 5),
                "after {change:?}: {q}"
            );
        }
    }
    let after = (chanh(&lib, &report), chanh(&lib, &folded));
    assert!(
        before.0 != after.0 && before.1 != after.1,
        "{before:?} {after:?}"
    );
}

#[test]
fn bulk_upsert_equals_upserts_in_order() {
    // Enough claims for several batches, with ids repeated across batches so
    // that the order of insertion decides which text survives.
    let words = [
        "tiền", "mới", "bão", "lũ", "vaccine", "gây", "sơ", "tán", "chanh", "nóng", "giá", "xăng",
        "tăng", "giảm", "học", "phí", "miễn", "thuế",
    ];
    let items: Vec<(String, String)> = (0..2600usize)
        .map(|i| {
            let text: Vec<&str> = (0..9)
                .map(|j| words[(i * 7 + j * j * 3 + i / 5) % words.len()])
                .collect();
            (
                format!("c{}", i % 2200),
                format!("{} số {i}", text.join(" ")),
            )
        })
        .collect();
    let pairs: Vec<(&str, &str)> = items
        .iter()
        .map(|(a, b)| (a.as_str(), b.as_str()))
        .collect();
    let mut bulk = Library::new();
    bulk.bulk_upsert(&pairs, 2);
    let mut one = Library::new();
    for (id, text) in &pairs {
        one.upsert(id, text);
    }
    assert_eq!(bulk.len(), 2200);
    assert_eq!(bulk.stats(), one.stats());
    for (_, text) in pairs.iter().step_by(97) {
        assert_eq!(bulk.search(text, 5), one.search(text, 5), "{text}");
    }
    // The later text of a repeated id is the one kept.
    assert_eq!(bulk.search(&items[2300].1, 1)[0].id, "c100");

    // Progress advances batch by batch to the whole input, on one thread or two.
    for threads in [1, 2] {
        let mut seen = Vec::new();
        Library::new().bulk_upsert_with_progress(&pairs, threads, |done, total| {
            seen.push((done, total));
        });
        assert_eq!(
            seen,
            [(1024, 2600), (2048, 2600), (2600, 2600)],
            "{threads}"
        );
    }
}

#[test]
fn a_bulk_load_leaves_every_coverage_mass_as_a_query_would_compute_it() {
    let items: Vec<(String, String)> = (0..5000usize)
        .map(|i| {
            (
                format!("c{i}"),
                format!(
                    "tin đồn số {i} về giá xăng {} và bão {} ở tỉnh {}",
                    i % 17,
                    i % 5,
                    i % 63
                ),
            )
        })
        .collect();
    let pairs: Vec<(&str, &str)> = items
        .iter()
        .map(|(a, b)| (a.as_str(), b.as_str()))
        .collect();
    for threads in [1, 2] {
        let mut lib = Library::new();
        lib.bulk_upsert(&pairs, threads);
        let cached: Vec<[u64; 2]> = lib
            .coverage_mass
            .iter()
            .map(|c| [c[0].load(Ordering::Relaxed), c[1].load(Ordering::Relaxed)])
            .collect();
        assert_eq!(cached.len(), 5000);
        // Stale every entry, then recompute each the way a query does.
        lib.new_generation();
        let weights = [lib.params.field_weights, lib.params.folded_field_weights];
        for (slot, filled) in cached.iter().enumerate() {
            for set in 0..2 {
                assert_eq!(filled[set] >> 32, u64::from(lib.generation) - 1);
                let mass = lib.claim_mass(slot as u32, &weights[set], set);
                assert!(mass > 0.0);
                assert_eq!(filled[set] as u32, mass.to_bits(), "slot {slot} set {set}");
            }
        }
    }
}

#[test]
fn fast_ln_is_close_to_ln() {
    let mut x = 1.0f32;
    while x < 1e7 {
        let (fast, exact) = (fast_ln(x), x.ln());
        assert!(
            (fast - exact).abs() <= 1e-4 * exact.max(1.0),
            "{x}: {fast} vs {exact}"
        );
        x *= 1.37;
    }
}

#[test]
fn claims_replaced_many_times_keep_answering_and_memory_bounded() {
    // Every replacement leaves the old term list behind in the arena until it
    // is compacted; answers must not change and garbage must not pile up.
    let mut lib = Library::new();
    let text = |id: usize, round: usize| {
        format!(
            "bản tin số {id} vòng {round} về giá xăng tăng mạnh tại tỉnh thứ {}",
            id * 31 + round
        )
    };
    for round in 0..40 {
        for id in 0..300 {
            lib.upsert(&format!("c{id}"), &text(id, round));
        }
    }
    let mut fresh = Library::new();
    for id in 0..300 {
        fresh.upsert(&format!("c{id}"), &text(id, 39));
    }
    assert_eq!(lib.len(), 300);
    assert_eq!(lib.stats().doc_terms, fresh.stats().doc_terms);
    assert!(
        lib.fwd.len() <= 3 * fresh.fwd.len() + 8192,
        "{} vs {}",
        lib.fwd.len(),
        fresh.fwd.len()
    );
    for id in (0..300).step_by(37) {
        let m = &lib.search(&text(id, 39), 1)[0];
        assert_eq!(m.id, format!("c{id}"));
        assert_eq!(m.level, MatchLevel::Confirm);
    }
}

#[test]
fn folding_while_hashing_agrees_with_folding_the_text() {
    for s in [
        "đường",
        "Đà",
        "hoà",
        "khỏe",
        "nguyễn",
        "ascii",
        "ǹ",
        "x̃",
        "ωμέγα",
        "ᾧ",
    ] {
        let n = kc_text::normalize(s);
        for syl in kc_text::syllables(&n) {
            assert_eq!(
                features::folded_unigram_key(syl),
                features::folded_unigram_key(&kc_text::fold_normalized(syl)),
                "{syl}"
            );
        }
    }
}

#[test]
fn a_short_posting_list_costs_no_more_than_its_header() {
    // Memory per claim (docs/benchmarks.md) counts on it.
    assert_eq!(std::mem::size_of::<Postings>(), 24);
}

#[test]
fn ranking_without_explanations_gives_the_same_answers() {
    let mut lib = library();
    lib.upsert(
        "chanh-2",
        "Nước chanh nóng không chữa được ung thư, các bác sĩ khẳng định",
    );
    let queries = [
        CLAIM,
        "uong nuoc chanh nong moi sang chua khoi benh ung thu",
        "Bão số 5 đổ bộ Đà Nẵng",
        "Có phải ngân hàng sắp đổi tiền mới không?",
        "một câu khác hẳn",
        "",
    ];
    let same = |ranked: Vec<Ranked>, full: Vec<Match>| {
        let ranked: Vec<(String, f32, MatchLevel)> = ranked
            .into_iter()
            .map(|r| (r.id.to_owned(), r.score, r.level))
            .collect();
        let full: Vec<(String, f32, MatchLevel)> =
            full.into_iter().map(|m| (m.id, m.score, m.level)).collect();
        assert_eq!(ranked, full);
    };
    for q in queries {
        same(lib.rank(q, None, 3), lib.search(q, 3));
    }
    // And in hybrid mode, with its own calibration.
    assert!(lib.upsert_vector("vaccine", &[1.0, 0.0]));
    assert!(lib.upsert_vector("chanh", &[0.6, 0.8]));
    for q in queries {
        for v in [[1.0, 0.0], [0.0, 1.0]] {
            same(lib.rank(q, Some(&v), 3), lib.search_hybrid(q, Some(&v), 3));
        }
    }
}

/// Reported in review: with a name boost of 0 a capitalised query word
/// weighs nothing, and walking it listed a claim twice among the matches.
#[test]
fn a_term_that_weighs_nothing_neither_scores_nor_repeats_a_claim() {
    let mut lib = Library::with_params(Params {
        name_boost: 0.0,
        ..Params::default()
    });
    lib.upsert("x", "Tuấn ăn cơm");
    lib.upsert("w", "mèo ăn cơm cá");
    lib.upsert("y", "chó ăn cơm thịt");
    lib.upsert("z", "hôm nay trời đẹp");
    for i in 0..30 {
        lib.upsert(
            &format!("f{i}"),
            &format!("tin số {i} về thời tiết miền núi"),
        );
    }
    let ids: Vec<String> = lib
        .search("hôm nay ăn cơm với Tuấn", 10)
        .into_iter()
        .map(|m| m.id)
        .collect();
    let mut unique = ids.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), ids.len(), "{ids:?}");
    assert!(ids.iter().any(|id| id == "x"), "{ids:?}");
}

#[test]
fn a_link_in_a_report_is_one_term_not_a_dozen_syllables() {
    let lib = library();
    let report = "Nghe nói uống nước chanh nóng mỗi sáng chữa khỏi bệnh ung thư, có thật không";
    let plain = top(&lib, report);
    assert_eq!(plain.id, "chanh");
    // Pieces of this link (`tin nóng`, `bài viết`, `đổi tiền`) would otherwise
    // pull towards other claims and dilute the report's own words.
    let linked = top(
        &lib,
        &format!("{report} https://tin-nong-24h.net/bai-viet/doi-tien-moi-thu-hoi-to-500?utm_source=zalo"),
    );
    assert_eq!((linked.id.as_str(), linked.level), ("chanh", plain.level));
    assert!(linked.score > plain.score * 0.8, "{linked:?} vs {plain:?}");
    // The same page shared another way is the same term.
    let mut lib = library();
    lib.upsert(
        "link",
        "Bài viết sai sự thật tại https://www.tin-nong-24h.net/bai/12345 đã bị gỡ",
    );
    let m = top(&lib, "http://tin-nong-24h.net/bai/12345?fbclid=abc");
    assert_eq!(m.id, "link");
    // A `.vn` page too (normalising alone would turn `.vn` into `việt nam`),
    // and only that page: another article of the same site is another term.
    lib.upsert(
        "vn-a",
        "Tin sai về vắc xin tại https://tuoitre.vn/tin-gia-vac-xin-123.htm",
    );
    lib.upsert(
        "vn-b",
        "Tin sai về xăng dầu tại https://tuoitre.vn/tin-gia-xang-456.htm",
    );
    let found = lib.search(
        "https://www.tuoitre.vn/tin-gia-vac-xin-123.htm?utm_source=fb",
        5,
    );
    let ids: Vec<&str> = found.iter().map(|m| m.id.as_str()).collect();
    assert_eq!(ids, ["vn-a"]);
    // The link's term is matched on, never shown as a shared word.
    assert!(found[0].shared_terms.is_empty(), "{:?}", found[0]);
}

#[test]
fn a_bare_domain_is_a_link_too() {
    // Reports name sites without a scheme. Read as words, `.vn` became
    // `việt nam`, and `net` (which no claim writes, while claims write `nét`)
    // sent a report written with its diacritics to the folded fields.
    let mut lib = library();
    lib.upsert(
        "vn",
        "Việt Nam sẽ cấm xe máy tại các thành phố lớn của Việt Nam từ năm sau",
    );
    lib.upsert(
        "nét",
        "Ảnh chụp nét căng cho thấy nước chanh nóng làm tan khối u",
    );
    let report = "Nghe nói uống nước chanh nóng mỗi sáng chữa khỏi bệnh ung thư, có thật không";
    let plain = top(&lib, report);
    assert_eq!(plain.id, "chanh");
    for site in [
        "tin-nong-24h.net",
        "baomoi24h.vn",
        "Tin-Nong-24h.NET/bai-viet/123",
    ] {
        let cited = lib.search(&format!("{report} (nguồn: {site})"), 5);
        assert_eq!(cited[0].id, "chanh", "{site}: {cited:?}");
        assert!(
            cited[0].score >= plain.score * 0.7,
            "{site}: {:?} vs {plain:?}",
            cited[0]
        );
        assert!(cited.iter().all(|m| m.id != "vn"), "{site}: {cited:?}");
    }
    // And it is the same page as the full link.
    lib.upsert(
        "page",
        "Bài viết sai sự thật tại https://baomoi24h.vn/doi-tien-moi đã bị gỡ",
    );
    assert_eq!(top(&lib, "baomoi24h.vn/doi-tien-moi").id, "page");
}

#[test]
fn the_encoder_reads_reports_as_plain_typeset_text() {
    assert_eq!(
        semantic_text(
            "⚠️⚠️ TIN NÓNG : UỐNG NƯỚC CHANH CHỮA UNG THƯ ? XEM https://bit.ly/3xYz9Qa 😱"
        ),
        // The link and the emoji leave their spaces; only punctuation closes up.
        "Tin nóng: Uống nước chanh chữa ung thư? Xem  "
    );
    let plain = "Tin đồn: uống nước chanh chữa ung thư là sai.";
    assert!(matches!(semantic_text(plain), Cow::Borrowed(_)));
}

#[test]
fn a_link_does_not_lengthen_a_short_report_past_the_confirm_minimum() {
    // Six words and a link: the link's pieces used to count as a dozen
    // syllables and let the copy be confirmed automatically.
    let short = "Uống nước chanh chữa ung thư https://tin-nong-24h.net/bai-viet/uong-nuoc-chanh-chua-ung-thu-123";
    let mut lib = library();
    lib.upsert("short", short);
    let m = top(&lib, short);
    assert_eq!(m.id, "short");
    assert!(m.generators.contains(&Generator::Exact), "{m:?}");
    assert_ne!(m.level, MatchLevel::Confirm, "{m:?}");
}

#[test]
fn a_report_that_negates_the_claim_is_not_confirmed() {
    // The report shares nearly every word with the claim and says the opposite.
    let mut lib = library();
    lib.upsert(
        "dien",
        "Điện lực hoàn tiền điện tháng 11 cho mọi hộ gia đình, bấm link để nhận tiền ngay",
    );
    let denial = "Điện lực không hoàn tiền điện tháng 11 cho mọi hộ gia đình, bấm link để nhận tiền là lừa đảo";
    let m = top(&lib, denial);
    assert_eq!(m.id, "dien");
    assert_eq!(m.level, MatchLevel::Suggest, "{m:?}");
    let m = top(&lib, &kc_text::fold(denial));
    assert_eq!(
        m.level,
        MatchLevel::Suggest,
        "typed without diacritics: {m:?}"
    );
    // A copy is still confirmed, and so is the claim asked about as a question.
    let copy = "Điện lực hoàn tiền điện tháng 11 cho mọi hộ gia đình, bấm link để nhận tiền ngay!";
    assert_eq!(top(&lib, copy).level, MatchLevel::Confirm);
    let asked = "Điện lực hoàn tiền điện tháng 11 cho mọi hộ gia đình, bấm link để nhận tiền ngay, có thật không?";
    let m = top(&lib, asked);
    assert_eq!(m.id, "dien");
    assert_eq!(m.level, MatchLevel::Confirm, "{m:?}");
    // A claim that is itself a negation is confirmed by a copy, not by its opposite.
    lib.upsert(
        "vac-xin",
        "Vắc-xin sởi không được cấp phép tại Việt Nam nên các trạm y tế đang tiêm chui cho trẻ",
    );
    let copy =
        "Vắc-xin sởi không được cấp phép tại Việt Nam nên các trạm y tế đang tiêm chui cho trẻ";
    assert_eq!(top(&lib, copy).level, MatchLevel::Confirm);
    let opposite =
        "Vắc-xin sởi được cấp phép tại Việt Nam nên các trạm y tế đang tiêm chui cho trẻ";
    let m = top(&lib, opposite);
    assert_eq!(m.id, "vac-xin");
    assert_ne!(m.level, MatchLevel::Confirm, "{m:?}");
}

/// A library holding the same rumour about several districts, among unrelated claims.
fn sibling_library(params: Params) -> Library {
    let mut lib = Library::with_params(params);
    for (i, topic) in [
        "lịch tiếp công dân",
        "kết quả thi học sinh giỏi",
        "giá lúa vụ mùa",
        "lễ hội văn hóa",
        "tuyển dụng giáo viên",
        "tiêm chủng mở rộng",
    ]
    .iter()
    .enumerate()
    {
        for j in 0..5 {
            lib.upsert(
                &format!("other-{i}-{j}"),
                &format!("Thông báo {topic} đợt {j} của xã số {i}, bà con theo dõi trên loa"),
            );
        }
    }
    lib.upsert(
        "ngoc-hoi",
        "Điện lực thông báo thị trấn Plei Kần và các xã của huyện Ngọc Hồi sẽ mất điện cả \
         ngày chủ nhật này để nâng cấp trạm biến áp trên tuyến đường chính",
    );
    for district in ["Đăk Hà", "Sa Thầy", "Kon Plông", "Đăk Tô"] {
        lib.upsert(
            &format!("cut-{district}"),
            &format!("Cắt điện toàn huyện {district} cả ngày chủ nhật để sửa đường dây"),
        );
    }
    lib
}

#[test]
fn words_that_tell_similar_claims_apart_weigh_more() {
    // The report shares "cắt điện toàn huyện … ngày chủ nhật" with four short claims
    // about other districts, and only the district's name with the long claim about
    // its own. Library-wide, both kinds of word are rare; among the candidates, the
    // district's name is what tells them apart.
    let report = "Cắt điện toàn huyện Ngọc Hồi cả ngày chủ nhật";
    let lib = sibling_library(Params::default());
    assert_eq!(top(&lib, report).id, "ngoc-hoi");
    let plain = sibling_library(Params {
        local_idf: 0.0,
        ..Params::default()
    });
    assert_ne!(
        top(&plain, report).id,
        "ngoc-hoi",
        "plain BM25 ranks a sibling first"
    );
    // A report about a sibling still finds that sibling.
    assert_eq!(
        top(&lib, "Cắt điện toàn huyện Sa Thầy cả ngày chủ nhật").id,
        "cut-Sa Thầy"
    );
}
