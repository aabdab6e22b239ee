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

/// A desk started over claims whose vectors are not cached yet (the first start with the
/// model, or after a restore) answers at once, by words, says so in the console, and turns
/// matching by meaning on once the background warm-up has computed every vector.
#[tokio::test]
async fn a_desk_without_cached_vectors_answers_at_once_and_warms_up_behind() {
    use kc_web::desk::SemanticStatus;
    let Some(encoder) = model() else {
        return;
    };
    for kind in backends() {
        let (url, dir) = fresh_database(kind).await;
        let lexical = start_on(&url, dir, |_| {}).await;
        let (_, published_url) = publish_rumour(&lexical, RUMOUR).await;
        for i in 0..150 {
            let (st, body) = lexical.report(&unrelated_rumour(i)).await;
            assert_eq!(st, 201, "[{kind}] {body}");
        }
        let semantic = kc_web::SemanticModel {
            encoder: encoder.clone(),
            cache: kc_store::VectorCache::in_memory(384),
        };
        let spare = tempfile::tempdir().expect("temp dir");
        let s = start_full(
            &url,
            spare,
            kc_desk::pack::Pack::shipped_source(),
            Some(semantic),
            |c| c.warm_up_in_background = true,
        )
        .await;
        let total = match s.state.desk.semantic_status() {
            SemanticStatus::WarmingUp { total, .. } => total,
            other => panic!("[{kind}] {other:?}"),
        };
        assert!(total >= 151, "[{kind}] {total} vectors to compute");
        let (st, answer) = s.report(RUMOUR_NO_ACCENTS).await;
        assert_eq!(st, 201, "[{kind}] {answer}");
        assert_eq!(
            answer["match"]["url"],
            published_url.as_str(),
            "[{kind}] by words meanwhile"
        );
        s.user("lead1", &[(Role::Lead, None)]).await;
        let (jar, _) = login(&s, "lead1").await;
        let console = console_get(&s, &jar, "/quan-tri").await;
        assert!(console.contains("đang tính vector"), "[{kind}] {console}");
        let waited = std::time::Instant::now();
        while s.state.desk.semantic_status() != SemanticStatus::Ready {
            assert!(
                waited.elapsed().as_secs() < 600,
                "[{kind}] the warm-up never ended"
            );
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
        let (stored, computed) = s.state.desk.semantic_vectors().expect("semantic");
        assert!(
            computed >= total && stored >= computed,
            "[{kind}] {stored} {computed}"
        );
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
        assert!(
            top.generators.contains(&"semantic"),
            "[{kind}] by meaning now: {top:?}"
        );
        let console = console_get(&s, &jar, "/quan-tri").await;
        assert!(!console.contains("đang tính vector"), "[{kind}]");
    }
}
