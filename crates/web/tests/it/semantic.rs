use crate::harness::*;
use kc_desk::Role;
use serde_json::json;

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
        let (st, again) = s
            .post(
                "/api/v1/reports",
                None,
                json!({ "text": RUMOUR_NO_ACCENTS }),
            )
            .await;
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
    }
}
