use crate::harness::*;
use kc_desk::Role;

/// With the model loaded, intake still answers repeats at once, and the console's similar
/// fact-checks say the semantic generator took part.
#[tokio::test]
async fn with_the_model_the_desk_matches_by_meaning_too() {
    for kind in backends() {
        let Some(s) = start_semantic(kind).await else {
            return;
        };
        assert!(s.state.desk.is_semantic());
        let (case_id, url) = publish_rumour(&s, RUMOUR).await;
        let (st, again) = s.report(RUMOUR_NO_ACCENTS).await;
        assert_eq!(st, 201, "[{kind}] {again}");
        assert_eq!(again["match"]["url"], url.as_str(), "[{kind}] {again}");
        let similar = s
            .state
            .desk
            .similar_published(
                "Điện lực trả lại tiền điện tháng 11 cho các hộ gia đình qua đường link",
                3,
            )
            .await
            .expect("similar");
        let top = similar.first().expect("a similar fact-check");
        assert!(top.generators.contains(&"semantic"), "[{kind}] {top:?}");
        let lead = s.user("lead1", &[(Role::Lead, None)]).await;
        let (_, cases) = s.get("/api/v1/cases", Some(&lead)).await;
        assert_eq!(cases[0]["id"].as_i64(), Some(case_id));
        // "Has this been checked?" lists what matches, not every fact-check: with the
        // model any text has some cosine to every claim.
        let (_, found) = s.get_text("/tra-cuu?q=hoàn+tiền+điện+tháng+11").await;
        assert!(found.contains(&url), "[{kind}] {found}");
        for unrelated in ["xyz", "a", "bóng đá World Cup"] {
            let (_, page) = s.get_text(&format!("/tra-cuu?q={unrelated}")).await;
            assert!(!page.contains(&url), "[{kind}] `{unrelated}` listed it");
            assert!(page.contains("Chưa có"), "[{kind}] `{unrelated}`: {page}");
        }
    }
}

/// A desk restarted over the same database and data directory reads its claims' vectors
/// from the cache instead of computing them again, and still answers by meaning.
#[tokio::test]
async fn a_restarted_desk_reuses_its_claim_vectors() {
    for kind in backends() {
        let cache_dir = tempfile::tempdir().expect("temp dir");
        let open_cache =
            || kc_store::VectorCache::open(cache_dir.path(), "e5-test", 384).expect("cache");
        let (url, dir) = fresh_database(kind).await;
        let Some(first) = start_semantic_on(&url, dir, open_cache()).await else {
            return;
        };
        let (_, published_url) = publish_rumour(&first, RUMOUR).await;
        let (stored, computed) = first.state.desk.semantic_vectors().expect("semantic");
        assert!(computed >= 1 && stored >= 1, "[{kind}] {stored} {computed}");

        // A second instance over the same database, as after a restart.
        let spare = tempfile::tempdir().expect("temp dir");
        let Some(again) = start_semantic_on(&url, spare, open_cache()).await else {
            return;
        };
        let (stored_again, computed_again) = again.state.desk.semantic_vectors().expect("semantic");
        assert_eq!(computed_again, 0, "[{kind}] recomputed at start");
        assert_eq!(stored_again, stored, "[{kind}]");
        let (st, answer) = again.report(RUMOUR_NO_ACCENTS).await;
        assert_eq!(st, 201, "[{kind}] {answer}");
        assert_eq!(
            answer["match"]["url"],
            published_url.as_str(),
            "[{kind}] {answer}"
        );
    }
}
