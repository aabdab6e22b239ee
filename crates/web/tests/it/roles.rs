use crate::harness::*;
use kc_desk::Role;
use serde_json::json;

async fn case_in_review(s: &TestServer) -> (i64, String, String) {
    let intake = s.user("intake1", &[(Role::Intake, None)]).await;
    let verifier = s
        .user(
            "verifier1",
            &[(Role::Verifier, None), (Role::Reviewer, None)],
        )
        .await;
    s.report(RUMOUR).await;
    let (_, cases) = s.get("/api/v1/cases", Some(&intake)).await;
    let id = cases[0]["id"].as_i64().expect("id");
    let (st, _) = s
        .post(
            &format!("/api/v1/cases/{id}/assign"),
            Some(&intake),
            json!({ "agency": default_agency() }),
        )
        .await;
    assert_eq!(st, 200);
    let (st, body) = s
        .post(
            &format!("/api/v1/cases/{id}/decision"),
            Some(&verifier),
            json!({ "verdict": "false", "summary": "s", "reasons": "r", "evidence": [{ "url": "https://example.org/x" }] }),
        )
        .await;
    assert_eq!(st, 201, "{body}");
    (id, intake, verifier)
}

#[tokio::test]
async fn the_public_cannot_see_or_touch_cases() {
    for kind in backends() {
        let s = start(kind).await;
        let (id, _, _) = case_in_review(&s).await;
        let (st, body) = s.get("/api/v1/cases", None).await;
        assert_eq!(st, 401, "[{kind}] {body}");
        assert_eq!(body["error"]["code"], "unauthorized");
        let (st, _) = s.get("/api/v1/cases", Some("kct_not-a-real-token")).await;
        assert_eq!(st, 401);
        let (st, _) = s
            .post(
                &format!("/api/v1/cases/{id}/review"),
                None,
                json!({ "approve": true }),
            )
            .await;
        assert_eq!(st, 401);
        let (st, _) = s.get("/api/v1/agencies", None).await;
        assert_eq!(st, 401);
        // The console sends the public to the login page.
        let resp = s.client.get(s.url("/quan-tri")).send().await.expect("get");
        assert_eq!(resp.status().as_u16(), 303);
        let resp = s
            .client
            .get(s.url(&format!("/quan-tri/ho-so/{id}")))
            .send()
            .await
            .expect("get");
        assert_eq!(resp.status().as_u16(), 303);
    }
}

#[tokio::test]
async fn the_decider_cannot_review_their_own_decision() {
    for kind in backends() {
        let s = start(kind).await;
        let (id, _, verifier_and_reviewer) = case_in_review(&s).await;
        let (st, body) = s
            .post(
                &format!("/api/v1/cases/{id}/review"),
                Some(&verifier_and_reviewer),
                json!({ "approve": true }),
            )
            .await;
        assert_eq!(st, 409, "[{kind}] {body}");
        assert_eq!(body["error"]["code"], "self_review");
        let case = s.store.case(id).await.expect("read").expect("case");
        assert_eq!(case.state, "in_review", "[{kind}] nothing changed");
    }
}

#[tokio::test]
async fn each_step_needs_its_role() {
    for kind in backends() {
        let s = start(kind).await;
        let (id, intake, verifier) = case_in_review(&s).await;
        let editor = s.user("editor1", &[(Role::Editor, None)]).await;
        let reviewer = s.user("reviewer2", &[(Role::Reviewer, None)]).await;
        // An editor cannot decide or review.
        let (st, body) = s
            .post(&format!("/api/v1/cases/{id}/decision"), Some(&editor), json!({ "verdict": "true", "summary": "s", "reasons": "r", "evidence": [{ "note": "n" }] }))
            .await;
        assert_eq!(st, 403, "[{kind}] {body}");
        let (st, _) = s
            .post(
                &format!("/api/v1/cases/{id}/review"),
                Some(&editor),
                json!({ "approve": true }),
            )
            .await;
        assert_eq!(st, 403);
        // Intake cannot review; a second reviewer can.
        let (st, _) = s
            .post(
                &format!("/api/v1/cases/{id}/review"),
                Some(&intake),
                json!({ "approve": true }),
            )
            .await;
        assert_eq!(st, 403);
        let (st, _) = s
            .post(
                &format!("/api/v1/cases/{id}/review"),
                Some(&reviewer),
                json!({ "approve": true }),
            )
            .await;
        assert_eq!(st, 200);
        // A verifier cannot publish; an editor can.
        let (st, body) = s
            .post(
                &format!("/api/v1/cases/{id}/publish"),
                Some(&verifier),
                json!({}),
            )
            .await;
        assert_eq!(st, 403, "[{kind}] {body}");
        assert_eq!(body["error"]["code"], "forbidden");
        let (st, body) = s
            .post(
                &format!("/api/v1/cases/{id}/publish"),
                Some(&editor),
                json!({}),
            )
            .await;
        assert_eq!(st, 201, "[{kind}] {body}");
        // Publishing twice is refused by the state machine.
        let (st, _) = s
            .post(
                &format!("/api/v1/cases/{id}/publish"),
                Some(&editor),
                json!({}),
            )
            .await;
        assert_eq!(st, 409);
    }
}

#[tokio::test]
async fn agency_scoped_roles_stay_in_their_agency() {
    for kind in backends() {
        let s = start(kind).await;
        let pack = kc_desk::pack::Pack::shipped().expect("pack");
        let lead = default_agency();
        let other = pack
            .agencies
            .iter()
            .map(|a| a.code.clone())
            .find(|c| *c != lead)
            .expect("a second agency");
        let intake = s.user("intake1", &[(Role::Intake, None)]).await;
        let outsider = s
            .user("verifier-other", &[(Role::Verifier, Some(other.as_str()))])
            .await;
        let insider = s
            .user("verifier-lead", &[(Role::Verifier, Some(lead.as_str()))])
            .await;
        s.report(RUMOUR).await;
        let (_, cases) = s.get("/api/v1/cases", Some(&intake)).await;
        let id = cases[0]["id"].as_i64().expect("id");
        s.post(
            &format!("/api/v1/cases/{id}/assign"),
            Some(&intake),
            json!({ "agency": lead }),
        )
        .await;
        let decision = json!({ "verdict": "false", "summary": "s", "reasons": "r", "evidence": [{ "note": "n" }] });
        let (st, _) = s
            .post(
                &format!("/api/v1/cases/{id}/decision"),
                Some(&outsider),
                decision.clone(),
            )
            .await;
        assert_eq!(
            st, 403,
            "[{kind}] a verifier of {other} decided a case of {lead}"
        );
        let (st, _) = s
            .post(
                &format!("/api/v1/cases/{id}/decision"),
                Some(&insider),
                decision,
            )
            .await;
        assert_eq!(st, 201);
    }
}
