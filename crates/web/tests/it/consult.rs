//! Consultations: the agencies the pack names beside a case's lead give their opinion on
//! it, over the API and from the case page, and only they do.

use crate::harness::*;
use kc_desk::Role;

#[tokio::test]
async fn consulted_agencies_give_their_opinion_and_others_cannot() {
    for kind in backends() {
        let s = start(kind).await;
        let intake = s.user("intake1", &[(Role::Intake, None)]).await;
        let culture_centre = s.user("ttvh1", &[(Role::Verifier, Some("ttvh"))]).await;
        let police = s.user("ca1", &[(Role::Verifier, Some("ca"))]).await;
        let district = s.user("lead1", &[(Role::Lead, None)]).await;
        let lead_verifier = s.user("vhtt1", &[(Role::Verifier, Some("vhtt"))]).await;
        let (st, _) = s.report(RUMOUR).await;
        assert_eq!(st, 201);
        let (_, cases) = s.get("/api/v1/cases", Some(&intake)).await;
        let id = cases[0]["id"].as_i64().expect("case id");
        let path = format!("/api/v1/cases/{id}/opinions");

        // Not routed yet: no agency is consulted.
        let (st, body) = s
            .post(
                &path,
                Some(&culture_centre),
                serde_json::json!({ "opinion": "Sớm quá." }),
            )
            .await;
        assert_eq!(st, 409, "[{kind}] {body}");

        // Health rumours go to the culture office, consulting the portal and the centre.
        let (st, body) = s
            .post(
                &format!("/api/v1/cases/{id}/assign"),
                Some(&intake),
                serde_json::json!({ "agency": "vhtt", "harm_category": "health" }),
            )
            .await;
        assert_eq!(st, 200, "[{kind}] {body}");
        let (_, listed) = s.get(&path, Some(&intake)).await;
        assert_eq!(
            listed["consulted"],
            serde_json::json!(["cong-ttdt", "ttvh"])
        );
        assert_eq!(listed["opinions"], serde_json::json!([]));

        let (st, body) = s
            .post(
                &path,
                Some(&culture_centre),
                serde_json::json!({ "opinion": "Trung tâm đã phát thanh cải chính ở 3 xã." }),
            )
            .await;
        assert_eq!(st, 201, "[{kind}] {body}");
        assert_eq!(
            body["agency"], "ttvh",
            "[{kind}] its one consulted agency, unnamed"
        );

        let (st, body) = s
            .post(
                &path,
                Some(&police),
                serde_json::json!({ "opinion": "Ý kiến." }),
            )
            .await;
        assert_eq!(
            st, 403,
            "[{kind}] the police are not consulted here: {body}"
        );
        let (st, body) = s
            .post(
                &path,
                Some(&district),
                serde_json::json!({ "opinion": "Ý kiến." }),
            )
            .await;
        assert_eq!(st, 422, "[{kind}] {body}");
        assert_eq!(body["error"]["field"], "agency", "[{kind}] {body}");
        let (st, body) = s
            .post(
                &path,
                Some(&district),
                serde_json::json!({ "agency": "vhtt", "opinion": "Ý kiến." }),
            )
            .await;
        assert_eq!(st, 422, "[{kind}] the lead agency is not consulted: {body}");
        let (st, body) = s
            .post(
                &path,
                Some(&district),
                serde_json::json!({ "agency": "cong-ttdt", "opinion": "   " }),
            )
            .await;
        assert_eq!(st, 422, "[{kind}] {body}");
        assert_eq!(body["error"]["field"], "opinion", "[{kind}] {body}");
        let (st, body) = s
            .post(
                &path,
                Some(&district),
                serde_json::json!({ "agency": "cong-ttdt", "opinion": "Cổng sẽ đăng tin cải chính." }),
            )
            .await;
        assert_eq!(st, 201, "[{kind}] {body}");
        let (_, listed) = s.get(&path, Some(&police)).await;
        let agencies: Vec<&str> = listed["opinions"]
            .as_array()
            .expect("list")
            .iter()
            .map(|o| o["agency"].as_str().expect("agency"))
            .collect();
        assert_eq!(agencies, ["ttvh", "cong-ttdt"], "[{kind}] oldest first");

        // The lead agency's verifier reads them on the case page, and has no form.
        let (jar, _) = login(&s, "vhtt1").await;
        let _ = lead_verifier;
        let page = console_get(&s, &jar, &format!("/quan-tri/ho-so/{id}")).await;
        assert!(
            page.contains("Trung tâm đã phát thanh cải chính ở 3 xã."),
            "[{kind}]"
        );
        assert!(page.contains("Cổng sẽ đăng tin cải chính."), "[{kind}]");
        assert!(
            !page.contains("/y-kien\""),
            "[{kind}] not consulted, no form"
        );

        // The centre's verifier gives a second one from the page; an empty one comes back
        // with the error, the form kept.
        let (jar, csrf) = login(&s, "ttvh1").await;
        let case_page = format!("/quan-tri/ho-so/{id}");
        let page = console_get(&s, &jar, &case_page).await;
        assert!(
            page.contains(&format!("action=\"/quan-tri/ho-so/{id}/y-kien\"")),
            "[{kind}]"
        );
        let action = format!("/quan-tri/ho-so/{id}/y-kien");
        let (st, page) = console_post(
            &s,
            &jar,
            &action,
            &[("csrf", &csrf), ("agency", "ttvh"), ("opinion", " ")],
        )
        .await;
        assert_eq!(st, 422, "[{kind}]");
        assert!(page.contains("Vui lòng nhập ý kiến"), "[{kind}] {page}");
        let (st, page) = console_post(
            &s,
            &jar,
            &action,
            &[
                ("csrf", &csrf),
                ("agency", "ttvh"),
                ("opinion", "Bổ sung: đã dán thông báo ở nhà văn hoá."),
            ],
        )
        .await;
        assert_eq!(st, 303, "[{kind}] back to the case page: {page}");
        let page = console_get(&s, &jar, &case_page).await;
        assert!(
            page.contains("Bổ sung: đã dán thông báo ở nhà văn hoá."),
            "[{kind}]"
        );
        assert_eq!(
            page.matches("data-testid=\"opinion-pending\"").count(),
            0,
            "[{kind}]"
        );

        // Kept as given: neither edited nor removed.
        for sql in [
            "UPDATE case_opinions SET opinion = 'khác'",
            "DELETE FROM case_opinions",
        ] {
            assert!(
                sqlx::query(sql).execute(s.store.pool()).await.is_err(),
                "[{kind}] {sql}"
            );
        }

        // Every opinion is in the audit log, without its text.
        let events = s
            .store
            .audit_events_for("case", &id.to_string())
            .await
            .expect("audit");
        let given: Vec<_> = events
            .iter()
            .filter(|e| e.action == "case.opinion")
            .collect();
        assert_eq!(given.len(), 3, "[{kind}]");
        assert!(
            given.iter().all(|e| !e.data.contains("cải chính")),
            "[{kind}]"
        );
    }
}
