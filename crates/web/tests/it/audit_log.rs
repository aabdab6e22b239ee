//! The audit log as an auditor reads it: every opening of a stored file is in it (without
//! the file's hash), and district auditors and administrators — nobody else — read the log
//! through the API and the console.

use crate::files::{b64, png};
use crate::harness::*;
use kc_desk::Role;
use serde_json::{json, Value};

const RUMOUR: &str =
    "Tin đồn: nước máy ở thị trấn Plei Kần bị nhiễm độc, người dân không được dùng từ hôm nay";

async fn fetch(s: &TestServer, path: &str, token: &str) -> u16 {
    s.client
        .get(s.url(path))
        .bearer_auth(token)
        .send()
        .await
        .expect("get")
        .status()
        .as_u16()
}

/// `GET` with a token, the JSON answer and its `X-Total-Count`.
async fn get_counted(s: &TestServer, path: &str, token: &str) -> (u16, Value, Option<u64>) {
    let resp = s
        .client
        .get(s.url(path))
        .bearer_auth(token)
        .send()
        .await
        .expect("get");
    let st = resp.status().as_u16();
    let total = resp
        .headers()
        .get("x-total-count")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse().ok());
    (st, resp.json().await.unwrap_or(Value::Null), total)
}

#[tokio::test]
async fn opening_a_file_is_logged_and_only_district_auditors_read_the_log() {
    for kind in backends() {
        let s = start(kind).await;
        let lead = s.user("lanh-dao", &[(Role::Lead, None)]).await;
        let intake = s.user("tiep-nhan", &[(Role::Intake, None)]).await;
        let auditor = s.user("kiem-tra", &[(Role::Auditor, None)]).await;
        let commune_auditor = s
            .user("kiem-tra-xa", &[(Role::Auditor, Some("vhtt"))])
            .await;
        let (st, body) = s
            .post(
                "/api/v1/reports",
                None,
                json!({ "text": RUMOUR, "files": [{ "content_base64": b64(&png(140)) }] }),
            )
            .await;
        assert_eq!(st, 201, "[{kind}] {body}");
        let (_, cases) = s.get("/api/v1/cases", Some(&lead)).await;
        let id = cases[0]["id"].as_i64().expect("case id");
        let (_, files) = s
            .get(&format!("/api/v1/cases/{id}/files"), Some(&lead))
            .await;
        let sha = files["reports"][0]["sha256"]
            .as_str()
            .expect("sha")
            .to_string();
        let report_id = files["reports"][0]["report_id"]
            .as_i64()
            .expect("report id");
        let file = format!("/api/v1/files/{sha}");

        // The lead opens it three times (a case page reloaded), intake once.
        for _ in 0..3 {
            assert_eq!(fetch(&s, &file, &lead).await, 200, "[{kind}]");
        }
        assert_eq!(fetch(&s, &file, &intake).await, 200, "[{kind}]");
        let views: Vec<_> = s
            .store
            .audit_events_for("case", &id.to_string())
            .await
            .expect("events")
            .into_iter()
            .filter(|e| e.action == "file.view")
            .collect();
        let who: Vec<&str> = views.iter().map(|e| e.actor.as_str()).collect();
        assert_eq!(who, ["lanh-dao", "tiep-nhan"], "[{kind}] once an hour each");
        for v in &views {
            let data: Value = serde_json::from_str(&v.data).expect("json");
            assert_eq!(
                data,
                json!({ "report_id": report_id, "position": 1 }),
                "[{kind}]"
            );
            assert!(!v.data.contains(&sha), "[{kind}] no hash in the log");
        }
        // A file nobody may see is not logged as seen.
        assert_eq!(fetch(&s, &file, &commune_auditor).await, 404, "[{kind}]");

        // The auditor reads the case's file openings through the API, newest first.
        let path = format!("/api/v1/audit?entity=case&entity_id={id}&action=file.view");
        let (st, events, total) = get_counted(&s, &path, &auditor).await;
        assert_eq!(st, 200, "[{kind}] {events}");
        assert_eq!(total, Some(2), "[{kind}]");
        let actors: Vec<&str> = events
            .as_array()
            .expect("list")
            .iter()
            .filter_map(|e| e["actor"].as_str())
            .collect();
        assert_eq!(actors, ["tiep-nhan", "lanh-dao"], "[{kind}]");
        assert_eq!(events[0]["data"]["report_id"], report_id, "[{kind}]");
        // Paging: the second of the two, alone.
        let (_, second, total) =
            get_counted(&s, &format!("{path}&limit=1&offset=1"), &auditor).await;
        assert_eq!(total, Some(2), "[{kind}]");
        assert_eq!(second[0]["actor"], "lanh-dao", "[{kind}] {second}");
        // A family of actions: everything done to cases, and nothing else.
        let (_, family, _) =
            get_counted(&s, "/api/v1/audit?action=case.&limit=1000", &auditor).await;
        let actions: Vec<&str> = family
            .as_array()
            .expect("list")
            .iter()
            .filter_map(|e| e["action"].as_str())
            .collect();
        assert!(actions.contains(&"case.open"), "[{kind}] {actions:?}");
        assert!(
            actions.iter().all(|a| a.starts_with("case.")),
            "[{kind}] {actions:?}"
        );
        // By actor.
        let (_, mine, total) = get_counted(&s, "/api/v1/audit?actor=tiep-nhan", &auditor).await;
        assert_eq!(total, Some(1), "[{kind}] {mine}");

        // Nobody else reads it, not even an auditor of one agency.
        for (token, who) in [
            (&lead, "lead"),
            (&intake, "intake"),
            (&commune_auditor, "commune auditor"),
        ] {
            let (st, body, _) = get_counted(&s, "/api/v1/audit", token).await;
            assert_eq!(st, 403, "[{kind}] {who}: {body}");
        }
        let (st, _) = s.get("/api/v1/audit", None).await;
        assert_eq!(st, 401, "[{kind}]");
        // Wrong input names its field.
        for (query, field) in [
            ("from=31/02/2026", "from"),
            ("from=2026-11-30&to=2026-11-01", "to"),
            ("limit=0", "limit"),
            ("offset=-3", "offset"),
            ("entity_id=7", "entity"),
        ] {
            let (st, body, _) = get_counted(&s, &format!("/api/v1/audit?{query}"), &auditor).await;
            assert_eq!(st, 422, "[{kind}] {query}: {body}");
            assert_eq!(body["error"]["field"], field, "[{kind}] {query}: {body}");
        }

        // The console: the auditor's bar links the log, and the case's openings are listed.
        let (jar, _) = login(&s, "kiem-tra").await;
        let console = console_get(&s, &jar, "/quan-tri").await;
        assert!(console.contains("data-testid=\"audit-link\""), "[{kind}]");
        let case_page = console_get(&s, &jar, &format!("/quan-tri/ho-so/{id}")).await;
        assert!(
            case_page.contains("data-testid=\"case-audit-link\""),
            "[{kind}]"
        );
        let log = console_get(
            &s,
            &jar,
            &format!("/quan-tri/nhat-ky?entity=case&entity_id={id}&action=file.view"),
        )
        .await;
        assert_eq!(
            log.matches("data-testid=\"audit-event\"").count(),
            2,
            "[{kind}]"
        );
        assert!(log.contains("Mở tệp"), "[{kind}]");
        assert!(
            log.contains(&format!("href=\"/quan-tri/ho-so/{id}\"")),
            "[{kind}]"
        );
        // Opening the log is a read: it adds no event (the auditor opened no file).
        let (_, _, after) = get_counted(&s, "/api/v1/audit?actor=kiem-tra", &auditor).await;
        assert_eq!(after, Some(0), "[{kind}]");
        // A wrong date on the page is named, not a blank page.
        let resp = s
            .client
            .get(s.url("/quan-tri/nhat-ky?from=hom-qua"))
            .header("cookie", &jar)
            .send()
            .await
            .expect("get");
        assert_eq!(resp.status().as_u16(), 422, "[{kind}]");
        let text = resp.text().await.expect("body");
        assert!(
            text.contains("hom-qua") && text.contains("role=\"alert\""),
            "[{kind}]"
        );

        // The lead's console has no such link, and the page refuses them.
        let (lead_jar, _) = login(&s, "lanh-dao").await;
        let console = console_get(&s, &lead_jar, "/quan-tri").await;
        assert!(!console.contains("data-testid=\"audit-link\""), "[{kind}]");
        let resp = s
            .client
            .get(s.url("/quan-tri/nhat-ky"))
            .header("cookie", &lead_jar)
            .send()
            .await
            .expect("get");
        assert_eq!(resp.status().as_u16(), 403, "[{kind}]");
    }
}

/// A database collated as a Vietnamese deployment's would be: on PostgreSQL an ICU `vi-VN`
/// collation, under which punctuation sorts before letters (SQLite compares bytes).
async fn vietnamese_collated(kind: &'static str) -> TestServer {
    if kind == "sqlite" {
        return start(kind).await;
    }
    let admin = std::env::var("KC_TEST_DATABASE_URL").expect("KC_TEST_DATABASE_URL");
    sqlx::any::install_default_drivers();
    let name = format!("kc_test_vi_{}", std::process::id());
    let pool = sqlx::AnyPool::connect(&admin).await.expect("connect");
    sqlx::raw_sql(&format!("DROP DATABASE IF EXISTS {name}"))
        .execute(&pool)
        .await
        .expect("drop");
    sqlx::raw_sql(&format!(
        "CREATE DATABASE {name} TEMPLATE template0 LOCALE_PROVIDER icu ICU_LOCALE 'vi-VN' \
         LOCALE 'C.UTF-8'"
    ))
    .execute(&pool)
    .await
    .expect("create a database collated vi-VN");
    pool.close().await;
    let (base, _) = admin.rsplit_once('/').expect("database URL has a path");
    let dir = tempfile::tempdir().expect("temp dir");
    start_on(&format!("{base}/{name}"), dir, |_| {}).await
}

#[tokio::test]
async fn a_family_of_actions_is_found_whatever_the_databases_collation() {
    for kind in backends() {
        let s = vietnamese_collated(kind).await;
        let auditor = s.user("kiem-tra", &[(Role::Auditor, None)]).await;
        let (st, body) = s.report(RUMOUR).await;
        assert_eq!(st, 201, "[{kind}] {body}");
        for (family, action) in [
            ("case.", "case.open"),
            ("report.", "report.receive"),
            ("user.", "user.create"),
        ] {
            let (st, events, total) = get_counted(
                &s,
                &format!("/api/v1/audit?action={family}&limit=1000"),
                &auditor,
            )
            .await;
            assert_eq!(st, 200, "[{kind}] {events}");
            let actions: Vec<&str> = events
                .as_array()
                .expect("list")
                .iter()
                .filter_map(|e| e["action"].as_str())
                .collect();
            assert!(actions.contains(&action), "[{kind}] {family}: {actions:?}");
            assert!(
                actions.iter().all(|a| a.starts_with(family)),
                "[{kind}] {family}: {actions:?}"
            );
            assert_eq!(total, Some(actions.len() as u64), "[{kind}] {family}");
        }
    }
}

#[tokio::test]
async fn a_page_far_past_the_end_is_empty_not_a_crash() {
    for kind in backends() {
        let s = start(kind).await;
        s.user("kiem-tra", &[(Role::Auditor, None)]).await;
        let auditor = s.user("kiem-tra-2", &[(Role::Auditor, None)]).await;
        let (jar, _) = login(&s, "kiem-tra").await;
        for offset in ["9223372036854775807", "9223372036854775000"] {
            let page = console_get(&s, &jar, &format!("/quan-tri/nhat-ky?offset={offset}")).await;
            assert_eq!(
                page.matches("data-testid=\"audit-event\"").count(),
                0,
                "[{kind}] {offset}"
            );
            let (st, events, total) =
                get_counted(&s, &format!("/api/v1/audit?offset={offset}"), &auditor).await;
            assert_eq!(st, 200, "[{kind}] {offset}: {events}");
            assert_eq!(events, json!([]), "[{kind}] {offset}");
            assert!(total.is_some_and(|t| t > 0), "[{kind}]");
        }
        // Past what a database can skip: the field is named, not the first page served.
        let (st, body, _) =
            get_counted(&s, "/api/v1/audit?offset=9223372036854775808", &auditor).await;
        assert_eq!(st, 422, "[{kind}] {body}");
        assert_eq!(body["error"]["field"], "offset", "[{kind}] {body}");
    }
}

#[tokio::test]
async fn a_file_hash_logged_by_an_earlier_version_is_not_shown_to_auditors() {
    const SHA: &str = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";
    for kind in backends() {
        let s = start(kind).await;
        s.user("kiem-tra", &[(Role::Auditor, None)]).await;
        let auditor = s.user("kiem-tra-2", &[(Role::Auditor, None)]).await;
        // An evidence file kept as the files feature first logged it: by its hash.
        let mut tx = s.store.begin_write("xac-minh").await.expect("begin");
        tx.audit(
            "evidence.file_add",
            "case",
            7,
            json!({ "evidence_file": 3, "sha256": SHA, "source_url": null, "from_report": 12 }),
        )
        .await
        .expect("audit");
        tx.commit().await.expect("commit");

        let (st, events, _) =
            get_counted(&s, "/api/v1/audit?action=evidence.file_add", &auditor).await;
        assert_eq!(st, 200, "[{kind}] {events}");
        assert_eq!(
            events[0]["data"],
            json!({ "evidence_file": 3, "source_url": null, "from_report": 12 }),
            "[{kind}]"
        );
        let (jar, _) = login(&s, "kiem-tra").await;
        let page = console_get(&s, &jar, "/quan-tri/nhat-ky?action=evidence.").await;
        assert_eq!(
            page.matches("data-testid=\"audit-event\"").count(),
            1,
            "[{kind}]"
        );
        assert!(page.contains("evidence_file"), "[{kind}]");
        assert!(!page.contains(SHA), "[{kind}] {page}");
        // The row itself is untouched: the chain still verifies.
        s.store.audit_verify().await.expect("chain");
    }
}

/// From a case page the auditor reads the case's whole history: what happened to its
/// reports and its publication too, which the log files under their own ids, and nothing
/// of another case.
#[tokio::test]
async fn a_cases_history_holds_its_reports_and_publication_and_nothing_else() {
    for kind in backends() {
        let s = start(kind).await;
        let auditor = s.user("kiem-tra", &[(Role::Auditor, None)]).await;
        let (id, _) = publish_rumour(&s, RUMOUR).await;
        // Another case, whose events must stay out.
        let (st, _) = s.report(&unrelated_rumour(3)).await;
        assert_eq!(st, 201, "[{kind}]");
        let (st, events, total) =
            get_counted(&s, &format!("/api/v1/audit?case={id}&limit=1000"), &auditor).await;
        assert_eq!(st, 200, "[{kind}] {events}");
        let list = events.as_array().expect("list");
        assert_eq!(total, Some(list.len() as u64), "[{kind}]");
        let has = |action: &str, entity: &str| {
            list.iter()
                .any(|e| e["action"] == action && e["entity"] == entity)
        };
        assert!(has("report.receive", "report"), "[{kind}] {events}");
        assert!(has("case.open", "case"), "[{kind}] {events}");
        assert!(has("publication.publish", "case"), "[{kind}] {events}");
        let own_report = list
            .iter()
            .find(|e| e["action"] == "report.receive")
            .and_then(|e| e["entity_id"].as_str())
            .expect("the report's id")
            .to_string();
        let (_, all, _) = get_counted(&s, "/api/v1/audit?action=report.receive", &auditor).await;
        let reports: Vec<&str> = all
            .as_array()
            .expect("list")
            .iter()
            .filter_map(|e| e["entity_id"].as_str())
            .collect();
        assert_eq!(reports.len(), 2, "[{kind}] two reports in all");
        assert!(
            list.iter()
                .filter(|e| e["entity"] == "report")
                .all(|e| e["entity_id"] == own_report.as_str()),
            "[{kind}] the other case's report is not in this history"
        );
        // Only events on the case itself, as before, with entity and id.
        let (_, narrow, _) = get_counted(
            &s,
            &format!("/api/v1/audit?entity=case&entity_id={id}"),
            &auditor,
        )
        .await;
        assert!(
            narrow
                .as_array()
                .expect("list")
                .iter()
                .all(|e| e["entity"] == "case"),
            "[{kind}]"
        );
        let (st, body, _) = get_counted(&s, "/api/v1/audit?case=abc", &auditor).await;
        assert_eq!(
            (st, body["error"]["field"].as_str()),
            (422, Some("case")),
            "[{kind}] {body}"
        );
        // The case page links there; a wrong case number on the page is tied to its box.
        let (jar, _) = login(&s, "kiem-tra").await;
        let resp = s
            .client
            .get(s.url("/quan-tri/nhat-ky?case=abc"))
            .header("cookie", &jar)
            .send()
            .await
            .expect("get");
        assert_eq!(resp.status().as_u16(), 422, "[{kind}]");
        let html = resp.text().await.expect("body");
        assert!(
            html.contains("id=\"case\"")
                && html.contains("aria-invalid=\"true\"")
                && html.contains("value=\"abc\""),
            "[{kind}] {html}"
        );
        let page = console_get(&s, &jar, &format!("/quan-tri/ho-so/{id}")).await;
        assert!(
            page.contains(&format!("href=\"/quan-tri/nhat-ky?case={id}\"")),
            "[{kind}]"
        );
        let log = console_get(&s, &jar, &format!("/quan-tri/nhat-ky?case={id}")).await;
        assert!(
            log.contains("Nhận phản ánh") && log.contains("Công bố kết luận"),
            "[{kind}]"
        );
    }
}
