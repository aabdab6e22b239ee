//! Overdue cases escalate to the leads of their agency: once per deadline, recorded in the
//! audit log, shown to those leads on the console and on the case page.

use crate::a11y::problems;
use crate::harness::*;
use kc_desk::Role;
use kc_web::render::local_time;

const POLICE: &str = "ca";
const PAST: &str = "2020-01-01T00:00:00.000Z";

async fn set_deadline(s: &TestServer, case_id: i64, deadline: &str) {
    sqlx::query("UPDATE cases SET deadline = $1 WHERE id = $2")
        .bind(deadline.to_string())
        .bind(case_id)
        .execute(s.store.pool())
        .await
        .expect("set deadline");
}

/// The `case.escalate` events of a case, oldest first, as (deadline, agency, at).
async fn escalations(s: &TestServer, case_id: i64) -> Vec<(String, Option<String>, String)> {
    s.store
        .audit_events_for("case", &case_id.to_string())
        .await
        .expect("audit events")
        .into_iter()
        .filter(|e| e.action == "case.escalate")
        .map(|e| {
            let data: serde_json::Value = serde_json::from_str(&e.data).expect("event data");
            (
                data["deadline"].as_str().expect("deadline").to_string(),
                data["agency"].as_str().map(str::to_string),
                e.at,
            )
        })
        .collect()
}

#[tokio::test]
async fn an_overdue_case_escalates_once_per_deadline_to_its_agencys_leads() {
    for kind in backends() {
        let s = start(kind).await;
        let intake = s.user("tiepnhan", &[(Role::Intake, None)]).await;
        s.user("lanhdao-ca", &[(Role::Lead, Some(POLICE))]).await;
        s.user("lanhdao-vhtt", &[(Role::Lead, Some("vhtt"))]).await;
        s.user("lanhdao-huyen", &[(Role::Lead, None)]).await;
        s.user("xacminh-ca", &[(Role::Verifier, Some(POLICE))])
            .await;
        let id = s.assigned_case(&intake, RUMOUR, POLICE).await;
        let desk = &s.state.desk;

        // Not yet overdue: nothing to escalate, and the leads' section is not there.
        assert_eq!(
            desk.escalate_overdue(chrono::Utc::now())
                .await
                .expect("escalate"),
            Vec::<i64>::new(),
            "[{kind}]"
        );
        let (lead_jar, _) = login(&s, "lanhdao-ca").await;
        let page = console_get(&s, &lead_jar, "/quan-tri").await;
        assert!(!page.contains("data-testid=\"for-direction\""), "[{kind}]");

        set_deadline(&s, id, PAST).await;
        // Overdue before the upkeep's next step: the case page says it is still to be told.
        let case_page = console_get(&s, &lead_jar, &format!("/quan-tri/ho-so/{id}")).await;
        assert!(
            case_page.contains("sẽ báo lãnh đạo đơn vị ở lần kiểm tra tới"),
            "[{kind}] {case_page}"
        );

        assert_eq!(
            desk.escalate_overdue(chrono::Utc::now())
                .await
                .expect("escalate"),
            vec![id],
            "[{kind}]"
        );
        let logged = escalations(&s, id).await;
        assert_eq!(logged.len(), 1, "[{kind}] {logged:?}");
        let (deadline, agency, at) = logged[0].clone();
        assert_eq!(
            (deadline.as_str(), agency.as_deref()),
            (PAST, Some(POLICE)),
            "[{kind}]"
        );
        // A second step writes nothing.
        assert!(desk
            .escalate_overdue(chrono::Utc::now())
            .await
            .expect("escalate again")
            .is_empty());
        assert_eq!(escalations(&s, id).await.len(), 1, "[{kind}]");
        s.store.audit_verify().await.expect("the chain holds");

        // The API says when.
        let (_, cases) = s.get("/api/v1/cases", Some(&intake)).await;
        assert_eq!(
            cases[0]["escalated_at"].as_str(),
            Some(at.as_str()),
            "[{kind}]"
        );

        // The agency's lead sees the case in their section, with the deadline and the time of
        // the escalation on the Vietnamese clock, linked to the case.
        let page = console_get(&s, &lead_jar, "/quan-tri").await;
        assert!(
            page.contains("Hồ sơ quá hạn cần chỉ đạo"),
            "[{kind}] {page}"
        );
        let section = section_of(&page);
        assert!(
            section.contains(&format!("href=\"/quan-tri/ho-so/{id}\"")),
            "[{kind}] {section}"
        );
        assert!(
            section.contains(&local_time(PAST, "vi")),
            "[{kind}] {section}"
        );
        assert!(section.contains("01/01/2020"), "[{kind}] {section}");
        assert!(
            section.contains(&local_time(&at, "vi")),
            "[{kind}] {section}"
        );
        let english = console_get(&s, &lead_jar, "/quan-tri?lang=en").await;
        assert!(
            english.contains("Overdue cases for your direction")
                && english.contains(&local_time(&at, "en")),
            "[{kind}] {english}"
        );
        for (html, lang) in [(&page, "vi"), (&english, "en")] {
            assert_eq!(
                problems(html, lang),
                Vec::<String>::new(),
                "[{kind}] {lang}"
            );
        }
        // A district-wide lead directs every agency's cases.
        let (district_jar, _) = login(&s, "lanhdao-huyen").await;
        let district = console_get(&s, &district_jar, "/quan-tri").await;
        assert!(
            section_of(&district).contains(&format!("href=\"/quan-tri/ho-so/{id}\"")),
            "[{kind}]"
        );
        // Another agency's lead and a verifier of the agency do not see the section.
        for name in ["lanhdao-vhtt", "xacminh-ca"] {
            let (jar, _) = login(&s, name).await;
            let page = console_get(&s, &jar, "/quan-tri").await;
            assert!(
                !page.contains("data-testid=\"for-direction\"")
                    && !page.contains("Hồ sơ quá hạn cần chỉ đạo"),
                "[{kind}] {name}"
            );
        }

        // The case page says since when it is overdue and when the lead was told.
        let case_page = console_get(&s, &lead_jar, &format!("/quan-tri/ho-so/{id}")).await;
        assert!(
            case_page.contains(&format!(
                "Quá hạn từ {} — đã báo lãnh đạo đơn vị lúc {}",
                local_time(PAST, "vi"),
                local_time(&at, "vi")
            )),
            "[{kind}] {case_page}"
        );
        assert_eq!(problems(&case_page, "vi"), Vec::<String>::new(), "[{kind}]");

        // A new deadline (as a re-assignment sets) escalates again once it passes too.
        let later = "2020-02-01T00:00:00.000Z";
        set_deadline(&s, id, later).await;
        let (_, cases) = s.get("/api/v1/cases", Some(&intake)).await;
        assert!(cases[0]["escalated_at"].is_null(), "[{kind}] {cases}");
        assert_eq!(
            desk.escalate_overdue(chrono::Utc::now())
                .await
                .expect("escalate"),
            vec![id],
            "[{kind}]"
        );
        let logged = escalations(&s, id).await;
        assert_eq!(
            logged.iter().map(|e| e.0.as_str()).collect::<Vec<_>>(),
            vec![PAST, later],
            "[{kind}]"
        );
        assert!(desk
            .escalate_overdue(chrono::Utc::now())
            .await
            .expect("escalate again")
            .is_empty());

        // The audit log names the action.
        let (auditor_jar, _) = {
            s.user("kiemtoan", &[(Role::Auditor, None)]).await;
            login(&s, "kiemtoan").await
        };
        let log = console_get(&s, &auditor_jar, &format!("/quan-tri/nhat-ky?case={id}")).await;
        assert!(
            log.contains("Báo lãnh đạo đơn vị: hồ sơ quá hạn"),
            "[{kind}] {log}"
        );
    }
}

/// A case no agency holds yet escalates to the district-wide leads, and only they see it.
#[tokio::test]
async fn an_unrouted_overdue_case_escalates_to_the_district() {
    for kind in backends() {
        let s = start(kind).await;
        let intake = s.user("tiepnhan", &[(Role::Intake, None)]).await;
        s.user("lanhdao-ca", &[(Role::Lead, Some(POLICE))]).await;
        s.user("lanhdao-huyen", &[(Role::Lead, None)]).await;
        let (st, body) = s.report(RUMOUR).await;
        assert_eq!(st, 201, "[{kind}] {body}");
        let (_, cases) = s.get("/api/v1/cases", Some(&intake)).await;
        let id = cases[0]["id"].as_i64().expect("case id");
        set_deadline(&s, id, PAST).await;
        assert_eq!(
            s.state
                .desk
                .escalate_overdue(chrono::Utc::now())
                .await
                .expect("escalate"),
            vec![id],
            "[{kind}]"
        );
        let logged = escalations(&s, id).await;
        assert_eq!(logged.len(), 1, "[{kind}]");
        assert_eq!(logged[0].1, None, "[{kind}] no agency holds it");
        let (jar, _) = login(&s, "lanhdao-huyen").await;
        let page = console_get(&s, &jar, "/quan-tri").await;
        assert!(
            section_of(&page).contains(&format!("href=\"/quan-tri/ho-so/{id}\"")),
            "[{kind}]"
        );
        let (jar, _) = login(&s, "lanhdao-ca").await;
        let page = console_get(&s, &jar, "/quan-tri").await;
        assert!(!page.contains("data-testid=\"for-direction\""), "[{kind}]");
    }
}

/// The leads' section of the console page.
fn section_of(page: &str) -> &str {
    let start = page
        .find("data-testid=\"for-direction\"")
        .expect("the leads' section");
    let len = page[start..].find("</section>").expect("section end");
    &page[start..start + len]
}
