//! Progress on the directive's duties: recorded by an agency's staff on the console or the
//! API, shown on the duties page, the statistics page and in the report upward.

use crate::harness::*;
use kc_desk::Role;
use serde_json::json;

/// The police's monitoring duty in the shipped pack, and the police's code.
const DUTY: &str = "3.2-ra-soat";
const POLICE: &str = "ca";

fn today() -> String {
    (chrono::Utc::now() + chrono::Duration::hours(7))
        .date_naive()
        .to_string()
}

/// Today as Vietnamese pages write it.
fn today_vn() -> String {
    (chrono::Utc::now() + chrono::Duration::hours(7))
        .date_naive()
        .format("%d/%m/%Y")
        .to_string()
}

#[tokio::test]
async fn an_officer_records_progress_and_finds_it_on_the_console_the_statistics_and_the_report() {
    for kind in backends() {
        let s = start(kind).await;
        s.user("lead-ca", &[(Role::Lead, Some(POLICE))]).await;
        let (jar, csrf) = login(&s, "lead-ca").await;
        let console = console_get(&s, &jar, "/quan-tri").await;
        assert!(
            console.contains("href=\"/quan-tri/nhiem-vu\""),
            "[{kind}] the console links the duties page"
        );
        let page = console_get(&s, &jar, "/quan-tri/nhiem-vu").await;
        assert!(
            page.contains("Kết quả thực hiện nhiệm vụ: Công an huyện"),
            "[{kind}] {page}"
        );
        assert!(
            page.contains(&format!("data-testid=\"duty-{DUTY}\"")),
            "[{kind}] the police's duties are listed"
        );
        assert!(page.contains("Chưa có báo cáo kết quả"), "[{kind}]");
        let today = today();
        let (st, _) = console_post(
            &s,
            &jar,
            "/quan-tri/nhiem-vu",
            &[
                ("csrf", &csrf),
                ("agency", POLICE),
                ("duty", DUTY),
                ("from", &today),
                ("to", ""),
                ("summary", "Rà soát 12 trang mạng xã hội trên địa bàn"),
                ("count", "12"),
                ("unit", "trang"),
                ("links", "https://ngochoi.kontum.gov.vn/tin-tuc\n"),
                ("corrects", ""),
            ],
        )
        .await;
        assert_eq!(st, 303, "[{kind}]");
        let page = console_get(&s, &jar, "/quan-tri/nhiem-vu").await;
        assert!(
            page.contains(&format!(
                "<span data-testid=\"duty-latest\" lang=\"vi\">{}: Rà soát 12 trang mạng xã hội trên địa bàn (12 trang)</span>",
                today_vn()
            )),
            "[{kind}] the latest progress, dated day first: {page}"
        );
        assert!(
            page.contains("ngochoi.kontum.gov.vn&#x2f;tin-tuc\" rel=\"noopener\">Tài liệu 1</a>"),
            "[{kind}] the public material is linked: {page}"
        );

        // In English, the duties read in English, marked so for screen readers; the
        // officer's own entry stays as typed.
        let pack = kc_desk::pack::Pack::shipped().expect("pack");
        let duty = pack.duties.iter().find(|d| d.id == DUTY).expect("the duty");
        let english = duty.text_en.as_deref().expect("the duty in English");
        for path in ["/quan-tri/nhiem-vu?lang=en", "/quan-tri/thong-ke?lang=en"] {
            let page = console_get(&s, &jar, path).await;
            assert!(page.contains(&esc(english)), "[{kind}] {path}: {page}");
            assert!(!page.contains(&esc(&duty.text_vi)), "[{kind}] {path}");
        }
        let page = console_get(&s, &jar, "/quan-tri/nhiem-vu").await;
        assert!(page.contains(&esc(&duty.text_vi)), "[{kind}]");

        let stats = console_get(&s, &jar, "/quan-tri/thong-ke").await;
        let at = stats
            .find(&format!("data-testid=\"stats-duty-{POLICE}-{DUTY}\""))
            .expect("the duty on the statistics page");
        let item = &stats[at..at + stats[at..].find("</ul>").expect("its entries")];
        assert!(
            item.contains("Rà soát 12 trang mạng xã hội trên địa bàn (12 trang)"),
            "[{kind}] {item}"
        );
        let other = stats
            .find(&format!(
                "data-testid=\"stats-duty-{POLICE}-3.1-phat-hien-xu-ly\""
            ))
            .expect("another duty");
        let item = &stats[other..other + stats[other..].find("</ul>").expect("its entries")];
        assert!(item.contains("Chưa có báo cáo kết quả"), "[{kind}] {item}");

        for path in [
            "/quan-tri/thong-ke/bao-cao.md".to_string(),
            format!("/quan-tri/thong-ke/bao-cao.md?co_quan={POLICE}"),
        ] {
            let resp = s
                .client
                .get(s.url(&path))
                .header("cookie", &jar)
                .send()
                .await
                .expect("get");
            assert_eq!(resp.status().as_u16(), 200, "[{kind}] {path}");
            let md = resp.text().await.expect("body");
            assert!(
                md.contains(&format!(
                    "  - {}: Rà soát 12 trang mạng xã hội trên địa bàn (12 trang)",
                    today_vn()
                )),
                "[{kind}] {path}: {md}"
            );
            assert!(
                md.contains("  - _Chưa có báo cáo kết quả._"),
                "[{kind}] {md}"
            );
        }

        // The recording is audited, naming the duty and agency but not the text.
        let (_, duties) = s
            .get(
                &format!("/api/v1/duties?agency={POLICE}"),
                Some(&s.user("lead-ca", &[]).await),
            )
            .await;
        let entry = duties
            .as_array()
            .expect("a list")
            .iter()
            .find(|d| d["id"] == DUTY)
            .expect("the duty")["progress"][0]
            .clone();
        let id = entry["id"].as_i64().expect("an id");
        assert_eq!(
            (entry["count"].as_u64(), entry["unit"].as_str()),
            (Some(12), Some("trang")),
            "[{kind}] {entry}"
        );
        let events = s
            .store
            .audit_events_for("duty_progress", &id.to_string())
            .await
            .expect("audit");
        assert_eq!(events.len(), 1, "[{kind}]");
        assert_eq!(events[0].action, "duty.progress");
        assert!(events[0].data.contains(DUTY), "[{kind}] {}", events[0].data);
        assert!(!events[0].data.contains("Rà soát"), "[{kind}]");
        s.store.audit_verify().await.expect("chain");
    }
}

#[tokio::test]
async fn only_the_agencys_staff_record_its_progress_and_mistakes_are_named_and_kept() {
    for kind in backends() {
        let s = start(kind).await;
        let verifier = s.user("v-ca", &[(Role::Verifier, Some(POLICE))]).await;
        let other = s.user("lead-vhtt", &[(Role::Lead, Some("vhtt"))]).await;
        let district = s.user("intake", &[(Role::Intake, None)]).await;
        let admin = s.user("admin", &[(Role::Admin, None)]).await;
        let path = format!("/api/v1/duties/{DUTY}/progress");
        let body = json!({
            "agency": POLICE, "from": today(), "summary": "Kiểm tra 3 nhóm Zalo",
            "count": 3, "unit": "nhóm"
        });
        let (st, created) = s.post(&path, Some(&verifier), body.clone()).await;
        assert_eq!(st, 201, "[{kind}] {created}");
        let first = created["id"].as_i64().expect("id");
        for (who, token) in [
            ("another agency's lead", &other),
            ("district intake", &district),
        ] {
            let (st, err) = s.post(&path, Some(token), body.clone()).await;
            assert_eq!(
                (st, err["error"]["code"].as_str()),
                (403, Some("other_agency")),
                "[{kind}] {who}: {err}"
            );
        }
        let (st, _) = s.post(&path, None, body.clone()).await;
        assert_eq!(st, 401, "[{kind}]");
        // An agency the duty does not name cannot be reported for, even by an administrator.
        let mut wrong = body.clone();
        wrong["agency"] = json!("vhtt");
        let (st, err) = s.post(&path, Some(&admin), wrong).await;
        assert_eq!(
            (st, err["error"]["field"].as_str()),
            (422, Some("agency")),
            "[{kind}] {err}"
        );
        for (field, value) in [
            ("summary", json!("  ")),
            ("from", json!("20/11/2026")),
            ("count", json!(-1)),
            ("links", json!(["javascript:alert(1)"])),
        ] {
            let mut bad = body.clone();
            bad[field] = value;
            let (st, err) = s.post(&path, Some(&verifier), bad).await;
            assert_eq!(
                (st, err["error"]["field"].as_str()),
                (422, Some(field)),
                "[{kind}] {err}"
            );
        }
        let (st, _) = s
            .post(
                "/api/v1/duties/khong-co/progress",
                Some(&verifier),
                body.clone(),
            )
            .await;
        assert_eq!(st, 404, "[{kind}]");

        // A correction replaces the entry it names, once; both stay in the history.
        let mut fix = body.clone();
        fix["summary"] = json!("Kiểm tra 4 nhóm Zalo");
        fix["count"] = json!(4);
        fix["corrects"] = json!(first);
        let (st, fixed) = s.post(&path, Some(&admin), fix.clone()).await;
        assert_eq!(st, 201, "[{kind}] {fixed}");
        let (st, err) = s.post(&path, Some(&verifier), fix).await;
        assert_eq!(
            (st, err["error"]["field"].as_str()),
            (422, Some("corrects")),
            "[{kind}] {err}"
        );
        let (st, list) = s
            .get(
                &format!("/api/v1/duties?agency={POLICE}&from={}", today()),
                Some(&other),
            )
            .await;
        assert_eq!(st, 200, "[{kind}] staff read every agency's progress");
        let progress = list
            .as_array()
            .expect("a list")
            .iter()
            .find(|d| d["id"] == DUTY)
            .expect("the duty")["progress"]
            .clone();
        assert_eq!(
            progress.as_array().map(Vec::len),
            Some(2),
            "[{kind}] {progress}"
        );
        assert_eq!(progress[0]["corrected_by"], fixed["id"], "[{kind}]");
        assert_eq!(progress[1]["corrects"].as_i64(), Some(first), "[{kind}]");
        let (_, none) = s
            .get(
                &format!("/api/v1/duties?agency={POLICE}&from=2025-01-01&to=2025-01-31"),
                Some(&other),
            )
            .await;
        assert!(
            none.as_array()
                .expect("a list")
                .iter()
                .all(|d| d["progress"].as_array().is_some_and(Vec::is_empty)),
            "[{kind}] nothing covers January 2025: {none}"
        );
        let (st, err) = s.get("/api/v1/duties?agency=khong-co", Some(&other)).await;
        assert_eq!((st, err["error"]["field"].as_str()), (422, Some("agency")));
        let (st, _) = s.get("/api/v1/duties", None).await;
        assert_eq!(st, 401, "[{kind}]");
        // Only the correction counts in the period's figures.
        let (_, stats) = s.get("/api/v1/stats", Some(&other)).await;
        let summaries: Vec<&str> = stats["duty_progress"]
            .as_array()
            .expect("progress in the figures")
            .iter()
            .filter_map(|e| e["summary"].as_str())
            .collect();
        assert_eq!(summaries, ["Kiểm tra 4 nhóm Zalo"], "[{kind}]");

        // On the console, another agency's officer is refused and sees no form.
        let (jar, csrf) = login(&s, "lead-vhtt").await;
        let page = console_get(&s, &jar, &format!("/quan-tri/nhiem-vu?co_quan={POLICE}")).await;
        assert!(
            !page.contains("method=\"post\" action=\"/quan-tri/nhiem-vu\""),
            "[{kind}] no form to record"
        );
        let (st, page) = console_post(
            &s,
            &jar,
            "/quan-tri/nhiem-vu",
            &[
                ("csrf", &csrf),
                ("agency", POLICE),
                ("duty", DUTY),
                ("from", &today()),
                ("summary", "Không được ghi"),
            ],
        )
        .await;
        assert_eq!(st, 403, "[{kind}]");
        assert!(
            page.contains("Chỉ cán bộ của Công an huyện"),
            "[{kind}] {page}"
        );
    }
}

#[tokio::test]
async fn a_bad_console_entry_names_the_field_and_keeps_what_was_typed() {
    for kind in backends() {
        let s = start(kind).await;
        s.user("lead-ca", &[(Role::Lead, Some(POLICE))]).await;
        let (jar, csrf) = login(&s, "lead-ca").await;
        let base = [
            ("csrf", csrf.as_str()),
            ("agency", POLICE),
            ("duty", DUTY),
            ("from", "2026-11-02"),
            ("to", "2026-11-01"),
            ("summary", "Tổng hợp kết quả rà soát tháng"),
            ("count", "5"),
            ("unit", "trang"),
            ("links", ""),
            ("corrects", ""),
        ];
        let (st, page) = console_post(&s, &jar, "/quan-tri/nhiem-vu", &base).await;
        assert_eq!(st, 422, "[{kind}]");
        assert!(
            page.contains("Đến ngày (không bắt buộc; bỏ trống nếu trong một ngày): Ngày kết thúc trước ngày bắt đầu."),
            "[{kind}] the error names the field: {page}"
        );
        assert!(
            page.contains("id=\"to\" name=\"to\" value=\"2026-11-01\" aria-describedby=\"to-error\" aria-invalid=\"true\""),
            "[{kind}] {page}"
        );
        assert!(
            page.contains(">Tổng hợp kết quả rà soát tháng</textarea>"),
            "[{kind}] kept"
        );
        assert!(
            page.contains("name=\"count\" min=\"0\" value=\"5\""),
            "[{kind}] kept"
        );
        let mut no_unit = base;
        no_unit[3] = ("from", "2026-11-01");
        no_unit[4] = ("to", "");
        no_unit[7] = ("unit", "");
        let (st, page) = console_post(&s, &jar, "/quan-tri/nhiem-vu", &no_unit).await;
        assert_eq!(st, 422, "[{kind}]");
        assert!(
            page.contains("Đơn vị tính (ví dụ: buổi, bài viết): "),
            "[{kind}] {page}"
        );
        let mut not_a_number = no_unit;
        not_a_number[6] = ("count", "năm");
        let (st, page) = console_post(&s, &jar, "/quan-tri/nhiem-vu", &not_a_number).await;
        assert_eq!(st, 422, "[{kind}]");
        assert!(
            page.contains("Số lượng (không bắt buộc): Số lượng phải là một số."),
            "[{kind}] {page}"
        );
        // Nothing was recorded.
        let page = console_get(&s, &jar, "/quan-tri/nhiem-vu").await;
        assert!(!page.contains("data-testid=\"duty-latest\""), "[{kind}]");
        // Without the form's token, nothing is recorded either.
        let mut forged = no_unit;
        forged[0] = ("csrf", "gia-mao");
        forged[7] = ("unit", "trang");
        let (st, _) = console_post(&s, &jar, "/quan-tri/nhiem-vu", &forged).await;
        assert_eq!(st, 403, "[{kind}]");
        let page = console_get(&s, &jar, "/quan-tri/nhiem-vu").await;
        assert!(!page.contains("data-testid=\"duty-latest\""), "[{kind}]");
        // The API signed in by the console's cookie takes the token in a header, as every
        // API write does.
        let api = |token: Option<&str>| {
            let mut req = s
                .client
                .post(s.url(&format!("/api/v1/duties/{DUTY}/progress")))
                .header("cookie", &jar)
                .json(&json!({ "agency": POLICE, "from": "2026-11-01", "summary": "Rà soát" }));
            if let Some(t) = token {
                req = req.header("x-csrf-token", t);
            }
            req.send()
        };
        let st = api(None).await.expect("post").status().as_u16();
        assert_eq!(st, 403, "[{kind}] without the header");
        let st = api(Some(&csrf)).await.expect("post").status().as_u16();
        assert_eq!(st, 201, "[{kind}] with it");
    }
}

#[tokio::test]
async fn the_duties_api_is_in_the_openapi_document() {
    let s = start("sqlite").await;
    let (st, doc) = s.get("/api/openapi.json", None).await;
    assert_eq!(st, 200);
    assert!(doc["paths"]["/api/v1/duties"]["get"].is_object(), "{doc}");
    assert!(
        doc["paths"]["/api/v1/duties/{id}/progress"]["post"]["responses"]["201"].is_object(),
        "{doc}"
    );
}

/// The body of a console download.
async fn download(s: &TestServer, jar: &str, path: &str) -> Vec<u8> {
    let resp = console_fetch(s, jar, path).await;
    assert_eq!(resp.status().as_u16(), 200, "{path}");
    resp.bytes().await.expect("body").to_vec()
}

#[tokio::test]
async fn what_an_officer_types_stays_text_in_the_markdown_and_word_reports() {
    const TYPED: &str = "Rà soát **12** trang <script>alert(1)</script> | a & b &lt; \
                         [bấm](javascript:alert(1)) _x_ `y`\n\n# Tiêu đề giả\u{7}";
    for kind in backends() {
        let s = start(kind).await;
        let lead = s.user("lead-ca", &[(Role::Lead, Some(POLICE))]).await;
        let (st, body) = s
            .post(
                &format!("/api/v1/duties/{DUTY}/progress"),
                Some(&lead),
                json!({ "agency": POLICE, "from": today(), "summary": TYPED,
                        "count": 3, "unit": "<b>nhóm</b>" }),
            )
            .await;
        assert_eq!(st, 201, "[{kind}] {body}");
        let (jar, _) = login(&s, "lead-ca").await;
        for path in [
            "/quan-tri/thong-ke/bao-cao.md".to_string(),
            format!("/quan-tri/thong-ke/bao-cao.md?co_quan={POLICE}"),
        ] {
            let md = String::from_utf8(download(&s, &jar, &path).await).expect("utf-8");
            let line = md
                .lines()
                .find(|l| l.contains("Rà soát \\*\\*12"))
                .unwrap_or_else(|| panic!("[{kind}] {path}: the entry, escaped: {md}"));
            assert_eq!(
                line,
                format!(
                    "  - {}: Rà soát \\*\\*12\\*\\* trang \\<script\\>alert(1)\\</script\\> \\| \
                     a \\& b \\&lt; \\[bấm\\](javascript:alert(1)) \\_x\\_ \\`y\\` \\# Tiêu đề giả \
                     (3 \\<b\\>nhóm\\</b\\>)",
                    today_vn()
                ),
                "[{kind}] {path}"
            );
            assert!(!md.contains("<script>"), "[{kind}] {path}");
            assert!(!md.contains("\n# Tiêu đề giả"), "[{kind}] {path}");
        }
        for path in [
            "/quan-tri/thong-ke/bao-cao.docx".to_string(),
            format!("/quan-tri/thong-ke/bao-cao.docx?co_quan={POLICE}"),
        ] {
            let docx = download(&s, &jar, &path).await;
            // Stored uncompressed: the document part reads in the raw bytes, and must be
            // well-formed XML for Word to open it at all.
            let raw = String::from_utf8_lossy(&docx);
            let start = raw.find("<w:document").expect("document part");
            let end = raw.find("</w:document>").expect("its end") + "</w:document>".len();
            let xml = &raw[start..end];
            let mut reader = quick_xml::Reader::from_str(xml);
            loop {
                match reader.read_event() {
                    Ok(quick_xml::events::Event::Eof) => break,
                    Ok(_) => {}
                    Err(e) => panic!("[{kind}] {path}: not well-formed: {e}"),
                }
            }
            assert!(
                xml.contains(
                    "Rà soát **12** trang &lt;script&gt;alert(1)&lt;/script&gt; | a &amp; b"
                ),
                "[{kind}] {path}"
            );
        }
    }
}

/// Two officers correcting the same entry at the same moment: one correction is taken, the
/// others are told the entry is already corrected (422 on `corrects`), never a server error.
#[tokio::test]
async fn corrections_sent_at_once_take_one_and_name_the_field_for_the_rest() {
    for kind in backends() {
        let s = start(kind).await;
        let verifier = s.user("v-ca", &[(Role::Verifier, Some(POLICE))]).await;
        let path = format!("/api/v1/duties/{DUTY}/progress");
        let body = json!({ "agency": POLICE, "from": today(), "summary": "Kiểm tra 3 nhóm Zalo" });
        let (st, created) = s.post(&path, Some(&verifier), body.clone()).await;
        assert_eq!(st, 201, "[{kind}] {created}");
        let mut fix = body.clone();
        fix["summary"] = json!("Kiểm tra 4 nhóm Zalo");
        fix["corrects"] = created["id"].clone();
        // Eight requests in flight at once, each on its own task.
        let mut sends = tokio::task::JoinSet::new();
        for _ in 0..8 {
            let req = s
                .client
                .post(s.url(&path))
                .bearer_auth(&verifier)
                .json(&fix);
            sends.spawn(async move {
                let resp = req.send().await.expect("post");
                let st = resp.status().as_u16();
                (
                    st,
                    resp.json::<serde_json::Value>().await.unwrap_or_default(),
                )
            });
        }
        let answers = sends.join_all().await;
        let taken = answers.iter().filter(|(st, _)| *st == 201).count();
        assert_eq!(taken, 1, "[{kind}] {answers:?}");
        for (st, err) in answers.iter().filter(|(st, _)| *st != 201) {
            assert_eq!(
                (*st, err["error"]["field"].as_str()),
                (422, Some("corrects")),
                "[{kind}] {err}"
            );
        }
    }
}
