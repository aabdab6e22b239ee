//! The desk's figures for a period: on the API and on the staff page.

use crate::harness::*;
use kc_desk::Role;

#[tokio::test]
async fn the_period_figures_count_reports_cases_and_publications() {
    for kind in backends() {
        let s = start(kind).await;
        let (_, _) = publish_rumour(&s, RUMOUR).await;
        // The same rumour again is answered at once; another opens a case.
        let (st, again) = s.report(RUMOUR).await;
        assert_eq!(st, 201, "[{kind}] {again}");
        assert!(!again["match"].is_null(), "[{kind}] {again}");
        s.report("Ảnh chụp lũ quét ở Ngọc Hồi hôm qua thực ra là ảnh cũ từ năm 2019 ở tỉnh khác")
            .await;
        let lead = s.user("lead1", &[(Role::Lead, None)]).await;
        let (st, f) = s.get("/api/v1/stats", Some(&lead)).await;
        assert_eq!(st, 200, "[{kind}] {f}");
        assert_eq!(
            (f["reports"].as_u64(), f["answered_at_once"].as_u64()),
            (Some(3), Some(1)),
            "[{kind}] {f}"
        );
        assert_eq!(
            (f["cases_opened"].as_u64(), f["published"].as_u64()),
            (Some(2), Some(1)),
            "[{kind}] {f}"
        );
        assert_eq!(
            f["published_by_verdict"][0]["code"], "false",
            "[{kind}] {f}"
        );
        assert_eq!(f["open_at_end"].as_u64(), Some(1), "[{kind}] {f}");
        let lead_agency = f["agencies"]
            .as_array()
            .expect("agencies")
            .iter()
            .find(|a| a["code"] == default_agency().as_str())
            .cloned()
            .expect("the lead agency is listed");
        assert_eq!(lead_agency["published"].as_u64(), Some(1), "[{kind}] {f}");
        // The month to date, day by day: today's bar holds all three reports.
        assert_eq!(f["trend_unit"], "day", "[{kind}] {f}");
        let trend = f["trend"].as_array().expect("trend");
        let today = (chrono::Utc::now() + chrono::Duration::hours(7))
            .format("%Y-%m-%d")
            .to_string();
        let last = trend.last().expect("a bar for today");
        assert_eq!(last["first"], today.as_str(), "[{kind}] {f}");
        assert_eq!(
            (
                last["reports"].as_u64(),
                last["cases_opened"].as_u64(),
                last["published"].as_u64()
            ),
            (Some(3), Some(2), Some(1)),
            "[{kind}] {f}"
        );
        let (_, year) = s
            .get("/api/v1/stats?from=2026-01-01&to=2026-12-31", Some(&lead))
            .await;
        assert_eq!(year["trend_unit"], "week", "[{kind}] {year}");
        assert_eq!(year["trend"][0]["first"], "2026-01-01");
        assert_eq!(
            year["trend"][0]["last"], "2026-01-04",
            "[{kind}] weeks start on Monday"
        );
        // A period before anything happened is empty.
        let (st, f) = s
            .get("/api/v1/stats?from=2020-01-01&to=2020-01-31", Some(&lead))
            .await;
        assert_eq!((st, f["reports"].as_u64()), (200, Some(0)), "[{kind}] {f}");
        // The last day alone asks for its month, as `kiemchung report --to` does: not from
        // the first of this month (which is after it) to that day.
        let (st, f) = s.get("/api/v1/stats?to=2020-01-31", Some(&lead)).await;
        assert_eq!(
            (st, f["period"]["from"].as_str(), f["period"]["to"].as_str()),
            (
                200,
                Some("2019-12-31T17:00:00Z"),
                Some("2020-01-31T17:00:00Z")
            ),
            "[{kind}] {f}"
        );
        // Bad dates name the field.
        // A year chrono accepts but no report spans (it overflowed date arithmetic).
        let (st, err) = s.get("/api/v1/stats?from=-262143-01-01", Some(&lead)).await;
        assert_eq!(
            (st, err["error"]["field"].as_str()),
            (422, Some("from")),
            "[{kind}] {err}"
        );
        let (st, err) = s.get("/api/v1/stats?from=01/11/2026", Some(&lead)).await;
        assert_eq!(
            (st, err["error"]["field"].as_str()),
            (422, Some("from")),
            "[{kind}] {err}"
        );
        let (st, err) = s
            .get("/api/v1/stats?from=2026-11-02&to=2026-11-01", Some(&lead))
            .await;
        assert_eq!(
            (st, err["error"]["field"].as_str()),
            (422, Some("to")),
            "[{kind}] {err}"
        );
        let (st, _) = s.get("/api/v1/stats", None).await;
        assert_eq!(st, 401, "[{kind}] staff only");
    }
}

#[tokio::test]
async fn the_statistics_page_shows_the_figures_and_each_agencys_duties() {
    let s = start("sqlite").await;
    publish_rumour(&s, RUMOUR).await;
    s.user("lead1", &[(Role::Lead, None)]).await;
    let (jar, _) = login(&s, "lead1").await;
    let page = console_get(&s, &jar, "/quan-tri/thong-ke").await;
    assert!(
        page.contains("data-testid=\"stats-published\">1<"),
        "{page}"
    );
    assert!(
        page.contains("Sai sự thật"),
        "the verdict by its label: {page}"
    );
    assert!(page.contains("data-testid=\"stats-trend\""), "{page}");
    assert!(page.contains("Diễn biến theo ngày"), "{page}");
    // Published within the minute: 0 hours, with Vietnam's decimal comma.
    assert!(
        page.contains("data-testid=\"stats-median\">0,0 giờ</td>"),
        "{page}"
    );
    let english = console_get(&s, &jar, "/quan-tri/thong-ke?lang=en").await;
    assert!(
        english.contains("data-testid=\"stats-median\">0.0 "),
        "{english}"
    );
    // Days as Vietnamese documents write them (the page escapes the slashes).
    let today = (chrono::Utc::now() + chrono::Duration::hours(7))
        .format("%d&#x2f;%m&#x2f;%Y")
        .to_string();
    assert!(
        page.contains(&format!("{today}: 1 phản ánh nhận được</title>")),
        "each column names its day and figure: {page}"
    );
    let pack = s.state.desk.pack();
    let with_duty = pack
        .agencies
        .iter()
        .find(|a| pack.duties_of(&a.code).next().is_some())
        .expect("the shipped pack gives agencies duties");
    let duty = pack.duties_of(&with_duty.code).next().expect("a duty");
    let first_words: String = duty.text_vi.chars().take(20).collect();
    assert!(
        page.contains(&first_words),
        "duties are listed: {first_words}"
    );
    // Staff only.
    let resp = s
        .client
        .get(s.url("/quan-tri/thong-ke"))
        .send()
        .await
        .expect("get");
    assert_eq!(resp.status().as_u16(), 303);
}

#[tokio::test]
async fn awareness_events_are_recorded_by_the_agency_and_counted_in_the_period() {
    for kind in backends() {
        let s = start(kind).await;
        let agency = default_agency();
        let lead = s
            .user("lead1", &[(Role::Lead, Some(agency.as_str()))])
            .await;
        let verifier = s.user("v1", &[(Role::Verifier, None)]).await;
        let today = (chrono::Utc::now() + chrono::Duration::hours(7))
            .date_naive()
            .to_string();
        let event = serde_json::json!({
            "agency": agency, "kind": "training", "audience": "youth", "held_on": today,
            "topic": "Nhận diện tin giả trên mạng xã hội", "attendees": 45
        });
        let (st, body) = s.post("/api/v1/outreach", Some(&lead), event.clone()).await;
        assert_eq!(st, 201, "[{kind}] {body}");
        let (st, _) = s
            .post("/api/v1/outreach", Some(&verifier), event.clone())
            .await;
        assert_eq!(st, 403, "[{kind}] only the agency's lead or an editor");
        let mut bad = event.clone();
        bad["attendees"] = serde_json::json!(-3);
        let (st, err) = s.post("/api/v1/outreach", Some(&lead), bad).await;
        assert_eq!(
            (st, err["error"]["field"].as_str()),
            (422, Some("attendees")),
            "[{kind}] {err}"
        );
        let (_, f) = s.get("/api/v1/stats", Some(&lead)).await;
        assert_eq!(
            (
                f["outreach_events"].as_u64(),
                f["outreach_attendees"].as_u64()
            ),
            (Some(1), Some(45)),
            "[{kind}] {f}"
        );
        let (_, list) = s.get("/api/v1/outreach", Some(&verifier)).await;
        assert_eq!(
            list[0]["topic"], "Nhận diện tin giả trên mạng xã hội",
            "[{kind}] {list}"
        );
        // The console form records one too, and lists them.
        let (jar, csrf) = login(&s, "lead1").await;
        let (st, _) = console_post(
            &s,
            &jar,
            "/quan-tri/tuyen-truyen",
            &[
                ("csrf", &csrf),
                ("agency", &agency),
                ("kind", "talk"),
                ("audience", "members"),
                ("held_on", &today),
                ("topic", "Quy tắc ứng xử trên mạng xã hội"),
                ("attendees", "60"),
                ("materials_url", ""),
            ],
        )
        .await;
        assert_eq!(st, 303, "[{kind}]");
        let page = console_get(&s, &jar, "/quan-tri/tuyen-truyen").await;
        assert!(page.contains("Quy tắc ứng xử trên mạng xã hội"), "[{kind}]");
        let page = console_get(&s, &jar, "/quan-tri/thong-ke").await;
        assert!(
            page.contains("data-testid=\"stats-outreach\">2 buổi, 105 người tham dự"),
            "[{kind}] {page}"
        );
    }
}

/// A fact-check overturned on appeal was published: it counts among the publications of
/// its period, and is shown apart as overturned, on the API, per agency and on the page.
#[tokio::test]
async fn a_fact_check_overturned_on_appeal_counts_as_published_and_is_shown_apart() {
    for kind in backends() {
        let s = start(kind).await;
        let (case_id, url) = publish_rumour(&s, RUMOUR).await;
        let slug = url.trim_start_matches("/kiem-chung/");
        let (st, body) = s
            .post(
                &format!("/api/v1/publications/{slug}/appeals"),
                None,
                serde_json::json!({ "reasons": "Bài của tôi dẫn lại thông báo cũ.", "relation": "author" }),
            )
            .await;
        assert_eq!(st, 201, "[{kind}] {body}");
        let other = s.user("reviewer2", &[(Role::Reviewer, None)]).await;
        let (_, pending) = s.get("/api/v1/appeals", Some(&other)).await;
        let appeal_id = pending[0]["id"].as_i64().expect("appeal id");
        let (st, body) = s
            .post(
                &format!("/api/v1/cases/{case_id}/appeals/{appeal_id}/decision"),
                Some(&other),
                serde_json::json!({ "outcome": "overturned", "reasons": "Xem xét lại." }),
            )
            .await;
        assert_eq!(st, 200, "[{kind}] {body}");
        let lead = s.user("lead1", &[(Role::Lead, None)]).await;
        // Overturned and not yet decided again: one published, one overturned, case open.
        let (_, f) = s.get("/api/v1/stats", Some(&lead)).await;
        assert_eq!(
            (
                f["published"].as_u64(),
                f["published_overturned"].as_u64(),
                f["open_at_end"].as_u64()
            ),
            (Some(1), Some(1), Some(1)),
            "[{kind}] {f}"
        );
        let verifier = s.user("verifier1", &[]).await;
        let reviewer = s.user("reviewer3", &[(Role::Reviewer, None)]).await;
        let editor = s.user("editor1", &[]).await;
        for (path, token, body) in [
            (
                "decision",
                &verifier,
                serde_json::json!({
                    "verdict": "misleading", "summary": "Thông báo cũ, không còn hiệu lực.",
                    "reasons": "Điện lực xác nhận thông báo năm 2023.",
                    "evidence": [{ "note": "Công văn của điện lực" }],
                    "legal_provisions": [some_provision()], "remedy": "correction" }),
            ),
            ("review", &reviewer, serde_json::json!({ "approve": true })),
            ("publish", &editor, serde_json::json!({})),
        ] {
            let (st, body) = s
                .post(
                    &format!("/api/v1/cases/{case_id}/{path}"),
                    Some(token),
                    body,
                )
                .await;
            assert!(st < 300, "[{kind}] {path}: {body}");
        }
        let (_, f) = s.get("/api/v1/stats", Some(&lead)).await;
        assert_eq!(
            (
                f["published"].as_u64(),
                f["published_overturned"].as_u64(),
                f["open_at_end"].as_u64()
            ),
            (Some(2), Some(1), Some(0)),
            "[{kind}] both fact-checks were published: {f}"
        );
        let verdicts: Vec<(&str, u64)> = f["published_by_verdict"]
            .as_array()
            .expect("verdicts")
            .iter()
            .map(|c| {
                (
                    c["code"].as_str().unwrap_or(""),
                    c["count"].as_u64().unwrap_or(0),
                )
            })
            .collect();
        assert_eq!(verdicts, [("false", 1), ("misleading", 1)], "[{kind}] {f}");
        let trend: u64 = f["trend"]
            .as_array()
            .expect("trend")
            .iter()
            .filter_map(|b| b["published"].as_u64())
            .sum();
        assert_eq!(trend, 2, "[{kind}] the trend adds up: {f}");
        let agency = f["agencies"]
            .as_array()
            .expect("agencies")
            .iter()
            .find(|a| a["code"] == default_agency().as_str())
            .cloned()
            .expect("the lead agency");
        assert_eq!(
            (
                agency["published"].as_u64(),
                agency["published_overturned"].as_u64()
            ),
            (Some(2), Some(1)),
            "[{kind}] {agency}"
        );
        s.user("lead2", &[(Role::Lead, None)]).await;
        let (jar, _) = login(&s, "lead2").await;
        let page = console_get(&s, &jar, "/quan-tri/thong-ke").await;
        assert!(
            page.contains("data-testid=\"stats-published\">2<")
                && page.contains("trong đó bị hủy")
                && page.contains("data-testid=\"stats-published-overturned\">1<"),
            "[{kind}] {page}"
        );
    }
}

/// The lead takes the report upward from the statistics page: a Markdown file in the
/// district's style (dates dd/mm/yyyy, the addressee, the agencies by name), whose agency
/// rows add up to the totals even when a case has no lead agency yet.
#[tokio::test]
async fn the_report_upward_downloads_from_the_statistics_page_and_adds_up() {
    for kind in backends() {
        let s = start(kind).await;
        publish_rumour(&s, RUMOUR).await;
        // Not routed to any agency yet.
        s.report(&unrelated_rumour(1)).await;
        s.user("lead1", &[(Role::Lead, None)]).await;
        let (jar, _) = login(&s, "lead1").await;
        let page = console_get(&s, &jar, "/quan-tri/thong-ke?tu=2026-10-01&den=2026-12-31").await;
        assert!(
            page.contains("Kỳ báo cáo: 01&#x2f;10&#x2f;2026 → 31&#x2f;12&#x2f;2026"),
            "[{kind}] the period in dd/mm/yyyy: {page}"
        );
        assert!(
            page.contains("data-testid=\"stats-unassigned\""),
            "[{kind}] a row for cases no agency leads: {page}"
        );
        let today = (chrono::Utc::now() + chrono::Duration::hours(7)).date_naive();
        let quarter_start = chrono::NaiveDate::from_ymd_opt(
            chrono::Datelike::year(&today),
            (chrono::Datelike::month(&today) - 1) / 3 * 3 + 1,
            1,
        )
        .expect("a quarter's first day");
        assert!(
            page.contains(&format!("/quan-tri/thong-ke?tu={quarter_start}&amp;den=")),
            "[{kind}] this quarter is one click away: {page}"
        );
        // Awareness material the Fatherland Front and the propaganda board use is counted.
        let editor = s.user("editor1", &[]).await;
        let (st, body) = s
            .post(
                "/api/v1/articles",
                Some(&editor),
                serde_json::json!({
                    "title": "Năm dấu hiệu nhận biết tin giả",
                    "body": "Kiểm tra nguồn tin trước khi chia sẻ.\n\nCảnh giác với lời kêu gọi chuyển tiền."
                }),
            )
            .await;
        assert_eq!(st, 201, "[{kind}] {body}");
        let lead = s.user("lead9", &[(Role::Lead, None)]).await;
        let (_, f) = s.get("/api/v1/stats", Some(&lead)).await;
        assert_eq!(f["articles_published"].as_u64(), Some(1), "[{kind}] {f}");
        // A period not over yet says its end-of-period figures are as of today.
        let unfinished =
            console_get(&s, &jar, "/quan-tri/thong-ke?tu=2026-10-01&den=2099-12-31").await;
        assert!(
            unfinished.contains("data-testid=\"stats-as-of\""),
            "[{kind}] {unfinished}"
        );
        let over = console_get(&s, &jar, "/quan-tri/thong-ke?tu=2026-01-01&den=2026-03-31").await;
        assert!(!over.contains("data-testid=\"stats-as-of\""), "[{kind}]");
        let path = "/quan-tri/thong-ke/bao-cao.md?tu=2026-10-01&den=2026-12-31";
        let resp = s
            .client
            .get(s.url(path))
            .header("cookie", &jar)
            .send()
            .await
            .expect("get");
        assert_eq!(resp.status().as_u16(), 200, "[{kind}]");
        let disposition = resp
            .headers()
            .get("content-disposition")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_string();
        assert!(
            disposition.starts_with("attachment") && disposition.contains(".md"),
            "[{kind}] {disposition}"
        );
        let md = resp.text().await.expect("body");
        assert!(
            md.contains("Kỳ báo cáo: từ ngày 01/10/2026 đến ngày 31/12/2026"),
            "[{kind}] {md}"
        );
        assert!(
            md.contains("Kính gửi: Ủy ban nhân dân huyện"),
            "[{kind}] {md}"
        );
        let pack = s.state.desk.pack();
        let lead_name = &pack
            .agency(&default_agency())
            .expect("the default agency")
            .name_vi;
        // Opened, published, overturned, open, overdue, notices, outreach, attendees.
        assert!(
            md.contains(&format!("| {lead_name} | 1 | 1 | 0 | 0 | 0 | 0 | 0 | 0 |")),
            "[{kind}] {md}"
        );
        assert!(
            md.contains("| Chưa giao cơ quan chủ trì | 1 | 0 | 0 | 1 | 0 | 0 | 0 | 0 |"),
            "[{kind}] {md}"
        );
        assert!(
            md.contains("| **Tổng cộng** | 2 | 1 | 0 | 1 | 0 | 0 | 0 | 0 |"),
            "[{kind}] {md}"
        );
        // The same report as a Word file, linked from the page, to sign and forward.
        let page = console_get(&s, &jar, "/quan-tri/thong-ke?tu=2026-10-01&den=2026-12-31").await;
        assert!(
            page.contains("data-testid=\"stats-report-docx\" href=\"/quan-tri/thong-ke/bao-cao.docx?tu=2026-10-01&amp;den=2026-12-31\""),
            "[{kind}]"
        );
        let resp = s
            .client
            .get(s.url("/quan-tri/thong-ke/bao-cao.docx?tu=2026-10-01&den=2026-12-31"))
            .header("cookie", &jar)
            .send()
            .await
            .expect("get");
        assert_eq!(resp.status().as_u16(), 200, "[{kind}]");
        let header = |name: &str| {
            resp.headers()
                .get(name)
                .and_then(|v| v.to_str().ok())
                .unwrap_or("")
                .to_string()
        };
        assert_eq!(
            header("content-type"),
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            "[{kind}]"
        );
        assert!(
            header("content-disposition").contains("bao-cao-2026-10-01-den-2026-12-31.docx"),
            "[{kind}]"
        );
        let docx = resp.bytes().await.expect("body");
        assert_eq!(&docx[..4], b"PK\x03\x04", "[{kind}]");
        // Stored uncompressed: the text reads in the raw bytes.
        let raw = String::from_utf8_lossy(&docx);
        assert!(
            raw.contains("Kỳ báo cáo: từ ngày 01/10/2026 đến ngày 31/12/2026")
                && raw.contains(lead_name.as_str()),
            "[{kind}]"
        );
        // The agency table for a spreadsheet: Excel reads the Vietnamese only after a BOM.
        let csv_path = "/quan-tri/thong-ke/co-quan.csv?tu=2026-10-01&den=2026-12-31";
        let resp = s
            .client
            .get(s.url(csv_path))
            .header("cookie", &jar)
            .send()
            .await
            .expect("get");
        assert_eq!(resp.status().as_u16(), 200, "[{kind}]");
        assert!(
            resp.headers()
                .get("content-type")
                .and_then(|v| v.to_str().ok())
                .is_some_and(|v| v.starts_with("text/csv")),
            "[{kind}]"
        );
        let csv = resp.text().await.expect("body");
        assert!(
            csv.starts_with("\u{feff}Cơ quan,Hồ sơ mới (chủ trì),"),
            "[{kind}] {csv}"
        );
        assert!(
            csv.contains(&format!("\"{lead_name}\",1,1,0,0,0,0,0,0\r\n"))
                && csv.contains("\"Chưa giao cơ quan chủ trì\",1,0,0,1,0,0,0,0\r\n")
                && csv.ends_with("\"Tổng cộng\",2,1,0,1,0,0,0,0\r\n"),
            "[{kind}] {csv}"
        );
        // Staff only.
        let resp = s.client.get(s.url(path)).send().await.expect("get");
        assert_eq!(resp.status().as_u16(), 303, "[{kind}]");
    }
}

/// Staff of one agency (a commune's officer) get their own unit's report upward: its
/// figures and duties, with its name in full.
#[tokio::test]
async fn an_agencys_officer_downloads_the_units_own_report() {
    for kind in backends() {
        let s = start(kind).await;
        publish_rumour(&s, RUMOUR).await;
        let code = default_agency();
        s.user("xa1", &[(Role::Verifier, Some(code.as_str()))])
            .await;
        let (jar, _) = login(&s, "xa1").await;
        let page = console_get(&s, &jar, "/quan-tri/thong-ke").await;
        assert!(
            page.contains("data-testid=\"stats-own-report\"")
                && page.contains(&format!("co_quan={code}\" download>Tải báo cáo của đơn vị")),
            "[{kind}] {page}"
        );
        let get = |path: String| {
            let req = s.client.get(s.url(&path)).header("cookie", &jar);
            async move { req.send().await.expect("get") }
        };
        let resp = get(format!("/quan-tri/thong-ke/bao-cao.md?co_quan={code}")).await;
        assert_eq!(resp.status().as_u16(), 200, "[{kind}]");
        let md = resp.text().await.expect("body");
        let pack = s.state.desk.pack();
        let name = kc_web::report::full_name(&pack.agency(&code).expect("agency").name_vi);
        assert!(
            md.contains(&format!("Đơn vị báo cáo: {name}.")),
            "[{kind}] {md}"
        );
        assert!(
            md.contains("| Hồ sơ mới được giao chủ trì | 1 |")
                && md.contains("| Kết luận đã công bố | 1 |")
                && md.contains("| Hồ sơ đang xử lý cuối kỳ | 0 |"),
            "[{kind}] {md}"
        );
        let resp = get("/quan-tri/thong-ke/bao-cao.md?co_quan=khong-co".into()).await;
        assert_eq!(resp.status().as_u16(), 422, "[{kind}]");
        // District-wide staff see no unit of their own.
        s.user("lead1", &[(Role::Lead, None)]).await;
        let (jar, _) = login(&s, "lead1").await;
        let page = console_get(&s, &jar, "/quan-tri/thong-ke").await;
        assert!(
            !page.contains("data-testid=\"stats-own-report\""),
            "[{kind}]"
        );
    }
}

/// "Overdue" means what the console says: past the deadline and still without a decision.
/// A case approved but not yet published is open, not overdue; an overturned verdict sends
/// the case back to wait for a decision.
#[tokio::test]
async fn overdue_counts_cases_still_waiting_for_a_decision_as_the_console_does() {
    for kind in backends() {
        let s = start(kind).await;
        let intake = s.user("intake1", &[(Role::Intake, None)]).await;
        let verifier = s.user("verifier1", &[(Role::Verifier, None)]).await;
        let reviewer = s.user("reviewer1", &[(Role::Reviewer, None)]).await;
        let lead = s.user("lead1", &[(Role::Lead, None)]).await;
        let (st, _) = s.report(RUMOUR).await;
        assert_eq!(st, 201);
        let (_, cases) = s.get("/api/v1/cases", Some(&intake)).await;
        let id = cases[0]["id"].as_i64().expect("case id");
        sqlx::query("UPDATE cases SET deadline = '2020-01-01T00:00:00.000Z' WHERE id = $1")
            .bind(id)
            .execute(s.store.pool())
            .await
            .expect("backdate");
        let figures = || async {
            let (_, f) = s.get("/api/v1/stats", Some(&lead)).await;
            (f["open_at_end"].as_u64(), f["overdue_at_end"].as_u64())
        };
        assert_eq!(figures().await, (Some(1), Some(1)), "[{kind}] waiting");
        for (path, token, body) in [
            (
                "assign",
                &intake,
                serde_json::json!({ "agency": default_agency() }),
            ),
            (
                "decision",
                &verifier,
                serde_json::json!({
                    "verdict": "false", "summary": "Không có chương trình hoàn tiền.",
                    "reasons": "Điện lực xác nhận.", "evidence": [{ "note": "Công văn" }],
                    "legal_provisions": [some_provision()], "remedy": "correction" }),
            ),
            ("review", &reviewer, serde_json::json!({ "approve": true })),
        ] {
            let (st, body) = s
                .post(&format!("/api/v1/cases/{id}/{path}"), Some(token), body)
                .await;
            assert!(st < 300, "[{kind}] {path}: {body}");
        }
        assert_eq!(
            figures().await,
            (Some(1), Some(0)),
            "[{kind}] decided, waiting for the editor only"
        );
        s.user("lead2", &[(Role::Lead, None)]).await;
        let (jar, _) = login(&s, "lead2").await;
        let page = console_get(&s, &jar, "/quan-tri/thong-ke").await;
        assert!(
            page.contains("data-testid=\"stats-open\">1 (trong đó quá hạn chưa có kết luận: 0)"),
            "[{kind}] {page}"
        );
    }
}
