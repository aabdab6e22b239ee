use crate::harness::*;
use kc_desk::Role;
use serde_json::json;

#[tokio::test]
async fn report_to_published_correction_and_instant_answer() {
    for kind in backends() {
        let s = start(kind).await;
        let (st, first) = s.post("/api/v1/reports", None, json!({ "text": RUMOUR, "urls": ["https://facebook.com/posts/123?utm_source=x"], "contact": "0900000000" })).await;
        assert_eq!(st, 201, "[{kind}] {first}");
        assert!(first["match"].is_null(), "[{kind}] nothing published yet");
        let receipt = first["receipt"].as_str().expect("receipt").to_string();
        let (st, status) = s.get(&format!("/api/v1/reports/{receipt}"), None).await;
        assert_eq!(
            (st, status["status"].as_str()),
            (200, Some("received")),
            "[{kind}]"
        );

        let (case_id, url) = publish_rumour(&s, RUMOUR).await;
        assert!(url.starts_with("/kiem-chung/"), "[{kind}] {url}");

        // The first reporter's receipt now shows the verdict.
        let (_, status) = s.get(&format!("/api/v1/reports/{receipt}"), None).await;
        assert_eq!(status["status"], "answered", "[{kind}] {status}");
        assert_eq!(status["verdict"], "false");
        assert_eq!(status["url"], url.as_str());

        // The next person typing it without diacritics and lightly edited is answered at once.
        let (st, again) = s.report(RUMOUR_NO_ACCENTS).await;
        assert_eq!(st, 201, "[{kind}] {again}");
        assert_eq!(again["status"], "answered", "[{kind}] {again}");
        assert_eq!(again["match"]["verdict"], "false");
        assert_eq!(again["match"]["url"], url.as_str());
        let score = again["match"]["score"].as_f64().expect("score");
        assert!((0.0..=1.0).contains(&score));
        let again_receipt = again["receipt"].as_str().expect("receipt");
        let (_, status) = s
            .get(&format!("/api/v1/reports/{again_receipt}"), None)
            .await;
        assert_eq!(status["verdict"], "false", "[{kind}] {status}");

        // It is counted on the published case rather than opening a new one.
        let token = s.user("lead1", &[(Role::Lead, None)]).await;
        let (_, cases) = s.get("/api/v1/cases", Some(&token)).await;
        let cases = cases.as_array().expect("list");
        assert_eq!(cases.len(), 1, "[{kind}] {cases:?}");
        assert_eq!(cases[0]["id"].as_i64(), Some(case_id));
        assert_eq!(cases[0]["state"], "published");
        assert!(cases[0]["reports"].as_i64() >= Some(2));

        // Public pages carry it.
        let (st, page) = s.get_text(&url).await;
        assert_eq!(st, 200);
        assert!(
            page.contains("\"@type\":\"ClaimReview\""),
            "[{kind}] JSON-LD missing"
        );
        assert!(page.contains("Sai sự thật"));
        let (_, feed) = s.get_text("/feed.xml").await;
        assert!(
            feed.contains("Tin giả hoàn tiền điện"),
            "[{kind}] feed: {feed}"
        );
        let (_, list) = s.get_text("/kiem-chung").await;
        assert!(list.contains(&url));
        let (_, found) = s
            .get_text("/tra-cuu?q=hoan%20tien%20dien%20thang%2011")
            .await;
        assert!(found.contains(&url), "[{kind}] search did not find it");

        // And the audit chain holds every step.
        let n = s.store.audit_verify().await.expect("chain intact");
        assert!(n >= 8, "[{kind}] only {n} audit events");
    }
}

/// The editor publishes the claim in their own words (a report may name its sender), so
/// the published claim is not worded as the reports were. A copy of the report, verbatim
/// or typed without diacritics, still gets the verdict, at once and after the matcher's
/// libraries are re-read from the database (every `--refresh-secs`), and opens no case.
#[tokio::test]
async fn copies_of_a_report_get_the_verdict_when_the_editor_restated_the_claim() {
    for kind in backends() {
        let s = start(kind).await;
        let (case_id, url) = publish_rumour_with(
            &s,
            RUMOUR,
            json!({ "title": "Tin giả hoàn tiền điện",
                    "claim": "Điện lực trả lại tiền điện tháng 11 cho các hộ qua một đường link." }),
        )
        .await;
        for round in ["at once", "after a refresh"] {
            if round == "after a refresh" {
                s.refresh().await;
            }
            for text in [RUMOUR, RUMOUR_NO_ACCENTS] {
                let (st, body) = s.report(text).await;
                assert_eq!(st, 201, "[{kind}] {body}");
                assert_eq!(body["status"], "answered", "[{kind}] {round}: {body}");
                assert_eq!(body["match"]["url"], url.as_str(), "[{kind}] {round}");
            }
        }
        let token = s.user("lead1", &[(Role::Lead, None)]).await;
        let (_, cases) = s.get("/api/v1/cases", Some(&token)).await;
        let cases = cases.as_array().expect("list");
        assert_eq!(cases.len(), 1, "[{kind}] no second case: {cases:?}");
        assert_eq!(cases[0]["id"].as_i64(), Some(case_id));
    }
}

#[tokio::test]
async fn similar_reports_join_the_open_case() {
    for kind in backends() {
        let s = start(kind).await;
        let token = s.user("intake1", &[(Role::Intake, None)]).await;
        for text in [RUMOUR, RUMOUR, RUMOUR_NO_ACCENTS] {
            let (st, body) = s.report(text).await;
            assert_eq!(st, 201, "[{kind}] {body}");
        }
        let (_, other) = s
            .report("Tin đồn trường tiểu học Plei Kần cho học sinh nghỉ học cả tuần vì dịch cúm A lan rộng khắp huyện.")
            .await;
        assert!(other["match"].is_null());
        let (_, cases) = s.get("/api/v1/cases", Some(&token)).await;
        let cases = cases.as_array().expect("list");
        assert_eq!(
            cases.len(),
            2,
            "[{kind}] three copies of one rumour and one other: {cases:?}"
        );
        let counts: Vec<i64> = cases.iter().filter_map(|c| c["reports"].as_i64()).collect();
        assert!(
            counts.contains(&3) && counts.contains(&1),
            "[{kind}] {counts:?}"
        );
    }
}

#[tokio::test]
async fn a_returned_decision_goes_back_and_can_be_redecided() {
    for kind in backends() {
        let s = start(kind).await;
        let intake = s.user("intake1", &[(Role::Intake, None)]).await;
        let verifier = s.user("verifier1", &[(Role::Verifier, None)]).await;
        let reviewer = s.user("reviewer1", &[(Role::Reviewer, None)]).await;
        s.report(RUMOUR).await;
        let (_, cases) = s.get("/api/v1/cases", Some(&intake)).await;
        let id = cases[0]["id"].as_i64().expect("id");
        s.post(
            &format!("/api/v1/cases/{id}/assign"),
            Some(&intake),
            json!({ "agency": default_agency() }),
        )
        .await;
        let decision = json!({ "verdict": "misleading", "summary": "s", "reasons": "r", "evidence": [{ "note": "n" }] });
        let (st, _) = s
            .post(
                &format!("/api/v1/cases/{id}/decision"),
                Some(&verifier),
                decision.clone(),
            )
            .await;
        assert_eq!(st, 201);
        let (st, body) = s
            .post(
                &format!("/api/v1/cases/{id}/review"),
                Some(&reviewer),
                json!({ "approve": false, "comment": "Thiếu nguồn" }),
            )
            .await;
        assert_eq!(
            (st, body["state"].as_str()),
            (200, Some("verifying")),
            "[{kind}] {body}"
        );
        let (st, body) = s
            .post(
                &format!("/api/v1/cases/{id}/decision"),
                Some(&verifier),
                decision,
            )
            .await;
        assert_eq!(
            (st, body["state"].as_str()),
            (201, Some("in_review")),
            "[{kind}] {body}"
        );
        let versions = s.store.decisions(id).await.expect("decisions");
        let statuses: Vec<&str> = versions.iter().map(|d| d.status.as_str()).collect();
        assert_eq!(
            statuses,
            ["returned", "pending"],
            "[{kind}] decisions are versioned, never overwritten"
        );
    }
}

#[tokio::test]
async fn a_second_instance_on_the_same_database_answers_alike_after_refresh() {
    for kind in backends() {
        let first = start(kind).await;
        let second = start_on(&first.url, tempfile::tempdir().expect("dir"), |_| {}).await;
        let (_, url) = publish_rumour(&first, RUMOUR).await;
        let (_, before) = second.report(RUMOUR_NO_ACCENTS).await;
        assert!(
            before["match"].is_null(),
            "[{kind}] the second instance has not refreshed yet"
        );
        let sync = second.refresh().await;
        // Only the publication is new to the second instance (its claim, and the case's
        // wording that answers copies of its reports): its own report's case is already
        // in its library, and nothing is rebuilt.
        assert_eq!((sync.upserted, sync.removed), (2, 0), "[{kind}] {sync:?}");
        assert_eq!(
            (sync.published, sync.open_cases),
            (1, 1),
            "[{kind}] {sync:?}"
        );
        let again = second.refresh().await;
        assert_eq!(
            (again.upserted, again.removed),
            (0, 0),
            "[{kind}] {again:?}"
        );
        // A case the first instance opens joins the second's library; once the first
        // publishes it, it moves from open cases to published there too.
        let chanh = "Uống nước chanh nóng chữa khỏi ung thư trong một tháng";
        let (_, other_case) = first.report(chanh).await;
        assert!(other_case["receipt"].is_string(), "[{kind}] {other_case}");
        let opened = second.refresh().await;
        assert_eq!(
            (opened.upserted, opened.removed),
            (1, 0),
            "[{kind}] {opened:?}"
        );
        assert_eq!(opened.open_cases, 2, "[{kind}] {opened:?}");
        publish_rumour(&first, chanh).await;
        let moved = second.refresh().await;
        assert_eq!(
            (moved.upserted, moved.removed),
            (2, 1),
            "[{kind}] {moved:?}"
        );
        assert_eq!(
            (moved.published, moved.open_cases),
            (2, 1),
            "[{kind}] {moved:?}"
        );
        let (_, after) = second.report(RUMOUR_NO_ACCENTS).await;
        assert_eq!(after["match"]["url"], url.as_str(), "[{kind}] {after}");
    }
}

/// On PostgreSQL an instance hears of another's writes as they commit (LISTEN/NOTIFY): a
/// publication on the first answers reports on the second without waiting for its poll
/// (no poll runs here at all). On SQLite there is one process and nothing to follow.
#[tokio::test]
async fn a_second_instance_on_postgresql_hears_of_a_publication_at_once() {
    for kind in backends() {
        let first = start(kind).await;
        let second = start_on(&first.url, tempfile::tempdir().expect("dir"), |_| {}).await;
        let feed = second.store.change_feed().await.expect("change feed");
        if kind == "sqlite" {
            assert!(feed.is_none(), "SQLite has no other instances to follow");
            continue;
        }
        drop(feed);
        kc_web::spawn_change_follower(second.state.clone()).await;
        let (_, url) = publish_rumour(&first, RUMOUR).await;
        let started = std::time::Instant::now();
        while second
            .state
            .desk
            .search_published(RUMOUR, 5)
            .await
            .expect("search")
            .is_empty()
        {
            assert!(
                started.elapsed() < std::time::Duration::from_secs(10),
                "[{kind}] the second instance never heard of the publication"
            );
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        }
        eprintln!("[{kind}] heard after {:?}", started.elapsed());
        let (_, answer) = second.report(RUMOUR_NO_ACCENTS).await;
        assert_eq!(answer["match"]["url"], url.as_str(), "[{kind}] {answer}");
    }
}

#[tokio::test]
async fn triage_sets_harm_category_and_priority_which_pick_consulted_agencies_and_deadline() {
    let pack = kc_desk::pack::Pack::shipped().expect("the shipped pack");
    let scam = pack
        .routing
        .iter()
        .find(|r| r.category == kc_desk::HarmCategory::Scam)
        .expect("the shipped pack routes scams");
    let urgent_hours = i64::from(pack.deadline_hours(kc_desk::Priority::Urgent));
    for kind in backends() {
        let s = start(kind).await;
        let intake = s.user("intake1", &[(Role::Intake, None)]).await;
        s.report(RUMOUR).await;
        let case = |cases: &serde_json::Value| cases[0].clone();
        let (_, cases) = s.get("/api/v1/cases", Some(&intake)).await;
        let id = case(&cases)["id"].as_i64().expect("id");
        let assign = |body: serde_json::Value| {
            let (s, intake) = (&s, intake.clone());
            async move {
                s.post(&format!("/api/v1/cases/{id}/assign"), Some(&intake), body)
                    .await
            }
        };
        // A wrong value is named, and changes nothing.
        for (field, body) in [
            (
                "harm_category",
                json!({ "agency": scam.lead, "harm_category": "politics" }),
            ),
            (
                "priority",
                json!({ "agency": scam.lead, "priority": "asap" }),
            ),
        ] {
            let (st, err) = assign(body).await;
            assert_eq!(
                (st, err["error"]["field"].as_str()),
                (422, Some(field)),
                "[{kind}] {err}"
            );
        }
        let (_, cases) = s.get("/api/v1/cases", Some(&intake)).await;
        assert_eq!(case(&cases)["state"], "new", "[{kind}]");
        let (st, body) = assign(json!({
            "agency": scam.lead, "harm_category": "scam", "priority": "urgent"
        }))
        .await;
        assert_eq!(st, 200, "[{kind}] {body}");
        let (_, cases) = s.get("/api/v1/cases", Some(&intake)).await;
        let c = case(&cases);
        assert_eq!(
            (c["harm_category"].as_str(), c["priority"].as_str()),
            (Some("scam"), Some("urgent")),
            "[{kind}] {c}"
        );
        let consulted: Vec<&str> = scam
            .consulted
            .iter()
            .map(String::as_str)
            .filter(|a| *a != scam.lead)
            .collect();
        assert_eq!(c["consulted"], json!(consulted), "[{kind}] {c}");
        // Another lead than the routing's: the routed lead is consulted.
        let other = kc_desk::pack::Pack::shipped()
            .expect("pack")
            .agencies
            .iter()
            .map(|a| a.code.clone())
            .find(|a| *a != scam.lead && !scam.consulted.contains(a))
            .expect("another agency");
        s.report("Tin nhắn giả danh ngân hàng yêu cầu cập nhật tài khoản qua đường link lạ")
            .await;
        let (_, cases) = s.get("/api/v1/cases?state=new", Some(&intake)).await;
        let second = cases[0]["id"].as_i64().expect("id");
        let (st, body) = s
            .post(
                &format!("/api/v1/cases/{second}/assign"),
                Some(&intake),
                json!({ "agency": other, "harm_category": "scam" }),
            )
            .await;
        assert_eq!(st, 200, "[{kind}] {body}");
        let (_, cases) = s.get("/api/v1/cases?state=assigned", Some(&intake)).await;
        let c2 = cases
            .as_array()
            .expect("list")
            .iter()
            .find(|c| c["id"].as_i64() == Some(second))
            .expect("the second case")
            .clone();
        let consulted2: Vec<String> =
            serde_json::from_value(c2["consulted"].clone()).expect("list");
        assert!(consulted2.contains(&scam.lead), "[{kind}] {c2}");
        let at = |f: &str| {
            chrono::DateTime::parse_from_rfc3339(c[f].as_str().expect(f)).expect("RFC 3339")
        };
        assert_eq!(
            (at("deadline") - at("created_at")).num_hours(),
            urgent_hours,
            "[{kind}] {c}"
        );
    }
}

#[tokio::test]
async fn a_report_denying_a_published_claim_reaches_an_officer() {
    for kind in backends() {
        let s = start(kind).await;
        publish_rumour(&s, RUMOUR).await;
        // The same words with a negation put in: the opposite statement, which an
        // officer reads instead of the desk answering it as a copy of the rumour.
        for denial in [
            "Khẩn cấp: Điện lực thông báo không hoàn tiền điện tháng 11 cho mọi hộ gia đình, \
             đừng bấm vào đường link để nhận 500.000 đồng trước ngày 30, nhớ chia sẻ cho người thân.",
            "Không có chuyện Điện lực thông báo hoàn tiền điện tháng 11 cho mọi hộ gia đình, \
             bấm vào đường link để nhận 500.000 đồng trước ngày 30 là lừa đảo.",
            "Đừng tin tin đồn Điện lực thông báo hoàn tiền điện tháng 11 cho mọi hộ gia đình, \
             bấm vào đường link để nhận 500.000 đồng trước ngày 30.",
        ] {
            let (st, body) = s.report(denial).await;
            assert_eq!(st, 201, "[{kind}] {body}");
            assert_eq!(body["status"], "received", "[{kind}] {denial}: {body}");
            assert!(body["match"].is_null(), "[{kind}] {body}");
        }
        // The rumour asked about as a question is still answered at once.
        let asked = format!("{RUMOUR} Có thật không ạ?");
        let (_, body) = s.report(&asked).await;
        assert_eq!(body["status"], "answered", "[{kind}] {body}");
    }
}

/// An integrator polling for one agency's cases gets what that agency's officers see in
/// the console's queue, a page at a time, and a wrong filter is named.
#[tokio::test]
async fn the_case_list_filters_by_agency_state_and_deadline_and_pages() {
    for kind in backends() {
        let s = start(kind).await;
        let intake = s.user("intake1", &[(Role::Intake, None)]).await;
        for i in 0..5 {
            let (st, body) = s.report(&unrelated_rumour(i)).await;
            assert_eq!(st, 201, "[{kind}] {body}");
        }
        let (_, all) = s.get("/api/v1/cases", Some(&intake)).await;
        let ids: Vec<i64> = all
            .as_array()
            .expect("list")
            .iter()
            .map(|c| c["id"].as_i64().expect("id"))
            .collect();
        assert_eq!(ids.len(), 5, "[{kind}] {all}");
        let (police, late) = (ids[0], ids[1]);
        for id in [police, late] {
            let (st, body) = s
                .post(
                    &format!("/api/v1/cases/{id}/assign"),
                    Some(&intake),
                    json!({ "agency": "ca" }),
                )
                .await;
            assert_eq!(st, 200, "[{kind}] {body}");
        }
        sqlx::query("UPDATE cases SET deadline = '2020-01-01T00:00:00.000Z' WHERE id = $1")
            .bind(late)
            .execute(s.store.pool())
            .await
            .expect("backdate");

        let listed = |v: &serde_json::Value| -> Vec<i64> {
            v.as_array()
                .expect("list")
                .iter()
                .map(|c| c["id"].as_i64().expect("id"))
                .collect()
        };
        let (st, ca) = s.get("/api/v1/cases?agency=ca", Some(&intake)).await;
        assert_eq!((st, listed(&ca)), (200, vec![police, late]), "[{kind}]");
        let (_, none) = s.get("/api/v1/cases?agency=none", Some(&intake)).await;
        assert_eq!(listed(&none), ids[2..].to_vec(), "[{kind}]");
        let (_, overdue) = s.get("/api/v1/cases?overdue=true", Some(&intake)).await;
        assert_eq!(listed(&overdue), vec![late], "[{kind}]");
        let (_, assigned) = s
            .get(
                "/api/v1/cases?state=assigned&agency=ca&overdue=false",
                Some(&intake),
            )
            .await;
        assert_eq!(listed(&assigned), vec![police, late], "[{kind}]");

        // Pages: newest first, with the filtered total in a header.
        let resp = s
            .client
            .get(s.url("/api/v1/cases?limit=2&offset=2"))
            .bearer_auth(&intake)
            .send()
            .await
            .expect("request");
        assert_eq!(
            resp.headers()
                .get("x-total-count")
                .and_then(|v| v.to_str().ok()),
            Some("5"),
            "[{kind}]"
        );
        let page: serde_json::Value = resp.json().await.expect("json");
        assert_eq!(listed(&page), ids[2..4].to_vec(), "[{kind}]");
        let (_, past_end) = s.get("/api/v1/cases?limit=2&offset=9", Some(&intake)).await;
        assert_eq!(listed(&past_end), Vec::<i64>::new(), "[{kind}]");

        for (query, field) in [
            ("agency=bogus", "agency"),
            ("state=bogus", "state"),
            ("overdue=yes", "overdue"),
            ("limit=0", "limit"),
            ("limit=5000", "limit"),
            ("limit=abc", "limit"),
            ("offset=-1", "offset"),
        ] {
            let (st, body) = s
                .get(&format!("/api/v1/cases?{query}"), Some(&intake))
                .await;
            assert_eq!(st, 422, "[{kind}] {query}: {body}");
            assert_eq!(body["error"]["field"], field, "[{kind}] {query}: {body}");
        }
    }
}
