use crate::harness::*;
use kc_desk::Role;
use serde_json::json;

async fn raw_post(
    s: &TestServer,
    path: &str,
    token: Option<&str>,
    body: &'static str,
) -> (u16, serde_json::Value) {
    let mut req = s
        .client
        .post(s.url(path))
        .header("content-type", "application/json")
        .body(body);
    if let Some(t) = token {
        req = req.bearer_auth(t);
    }
    let resp = req.send().await.expect("request");
    let st = resp.status().as_u16();
    (st, resp.json().await.unwrap_or(serde_json::Value::Null))
}

#[tokio::test]
async fn bad_reports_are_refused_with_the_field_named_and_nothing_recorded() {
    for kind in backends() {
        let s = start(kind).await;
        let cases = [
            (json!({ "text": "" }), 422, "text"),
            (json!({ "text": "   " }), 422, "text"),
            (json!({ "text": "x".repeat(10_001) }), 422, "text"),
            (
                json!({ "text": "tin đồn", "urls": ["https://ok.vn", "không phải đường dẫn"] }),
                422,
                "urls[1]",
            ),
            (
                json!({ "text": "tin đồn", "urls": ["javascript:alert(1)"] }),
                422,
                "urls[0]",
            ),
            (json!({ "text": 42 }), 422, "text"),
            (json!({ "urls": [] }), 422, "text"),
            (
                json!({ "text": "tin đồn", "author": "someone" }),
                422,
                "author",
            ),
        ];
        for (body, status, field) in cases {
            let (st, resp) = s.post("/api/v1/reports", None, body.clone()).await;
            assert_eq!(st, status, "[{kind}] {body} → {resp}");
            assert_eq!(resp["error"]["field"], field, "[{kind}] {body} → {resp}");
            assert!(!resp["error"]["message"].as_str().unwrap_or("").is_empty());
        }
        let (st, resp) = raw_post(&s, "/api/v1/reports", None, "{\"text\": \"thiếu ngoặc\"").await;
        assert_eq!(st, 400, "[{kind}] {resp}");
        assert_eq!(resp["error"]["code"], "malformed_json");
        // The Vietnamese side in Vietnamese: serde's explanation is on the English side only,
        // and neither repeats the place.
        assert_eq!(
            resp["error"]["message"], "JSON không hợp lệ ở dòng 1, cột 26.",
            "[{kind}] {resp}"
        );
        assert_eq!(
            resp["error"]["message_en"],
            "Malformed JSON at line 1, column 26: EOF while parsing an object",
            "[{kind}] {resp}"
        );
        let (_, resp) = s.post("/api/v1/reports", None, json!({ "text": 42 })).await;
        assert_eq!(
            resp["error"]["message_en"],
            "Field `text` is invalid: invalid type: integer `42`, expected a string",
            "[{kind}] {resp}"
        );
        // Reports may carry base64 images, so their limit is that room and no more.
        let big = "x".repeat(kc_web::files::REPORT_JSON_BODY_BYTES + 1);
        let (st, resp) = s.report(&big).await;
        assert_eq!(st, 413, "[{kind}] {resp}");
        assert_eq!(resp["error"]["code"], "body_too_large");
        let lead = s.user("lead1", &[(Role::Lead, None)]).await;
        let (_, list) = s.get("/api/v1/cases", Some(&lead)).await;
        assert_eq!(
            list.as_array().map(Vec::len),
            Some(0),
            "[{kind}] a refused report opened a case"
        );
    }
}

#[tokio::test]
async fn decisions_need_reasons_evidence_and_known_provisions() {
    for kind in backends() {
        let s = start(kind).await;
        let intake = s.user("intake1", &[(Role::Intake, None)]).await;
        let verifier = s.user("verifier1", &[(Role::Verifier, None)]).await;
        s.report(RUMOUR).await;
        let (_, cases) = s.get("/api/v1/cases", Some(&intake)).await;
        let id = cases[0]["id"].as_i64().expect("id");
        let path = format!("/api/v1/cases/{id}/decision");
        let (st, body) = s
            .post(
                &format!("/api/v1/cases/{id}/assign"),
                Some(&intake),
                json!({ "agency": "khong-co" }),
            )
            .await;
        assert_eq!(
            (st, body["error"]["field"].as_str()),
            (422, Some("agency")),
            "[{kind}] {body}"
        );
        s.post(
            &format!("/api/v1/cases/{id}/assign"),
            Some(&intake),
            json!({ "agency": default_agency() }),
        )
        .await;
        let cases = [
            (
                json!({ "summary": "s", "reasons": "r", "evidence": [{ "note": "n" }] }),
                "verdict",
            ),
            (
                json!({ "verdict": "sai", "summary": "s", "reasons": "r", "evidence": [{ "note": "n" }] }),
                "verdict",
            ),
            (
                json!({ "verdict": "false", "summary": "s", "reasons": " ", "evidence": [{ "note": "n" }] }),
                "reasons",
            ),
            (
                json!({ "verdict": "false", "summary": "s", "reasons": "r", "evidence": [] }),
                "evidence",
            ),
            (
                json!({ "verdict": "false", "summary": "s", "reasons": "r", "evidence": [{ "url": "", "note": "" }] }),
                "evidence",
            ),
            (
                json!({ "verdict": "false", "summary": "s", "reasons": "r", "evidence": [{ "note": "n" }], "legal_provisions": ["khong-ton-tai"] }),
                "legal_provisions[0]",
            ),
            (
                json!({ "verdict": "false", "summary": "s", "reasons": "r", "evidence": [{ "note": "n" }], "remedy": "notice" }),
                "legal_provisions",
            ),
            (
                json!({ "verdict": "opinion", "summary": "s", "reasons": "r", "evidence": [{ "note": "n" }], "remedy": "notice", "legal_provisions": [some_provision()] }),
                "remedy",
            ),
        ];
        for (body, field) in cases {
            let (st, resp) = s.post(&path, Some(&verifier), body.clone()).await;
            assert_eq!(st, 422, "[{kind}] {body} → {resp}");
            assert_eq!(resp["error"]["field"], field, "[{kind}] {body} → {resp}");
        }
        let case = s.store.case(id).await.expect("read").expect("case");
        assert_eq!(
            case.state, "assigned",
            "[{kind}] a refused decision moved the case"
        );
        assert!(s.store.decisions(id).await.expect("read").is_empty());
    }
}

#[tokio::test]
async fn public_intake_is_rate_limited_per_client() {
    let s = start_with("sqlite", |c| c.report_rate_per_minute = 3).await;
    for i in 0..3 {
        let (st, body) = s
            .post(
                "/api/v1/reports",
                None,
                json!({ "text": format!("tin đồn số {i} về giá điện") }),
            )
            .await;
        assert_eq!(st, 201, "{body}");
    }
    let (st, body) = s.report("tin đồn thứ tư").await;
    assert_eq!(st, 429, "{body}");
    assert_eq!(body["error"]["code"], "rate_limited");
    // Clients are told when to try again: 3 a minute is one every 20 seconds.
    let resp = s
        .client
        .post(s.url("/api/v1/reports"))
        .json(&json!({ "text": "tin đồn thứ năm" }))
        .send()
        .await
        .expect("post");
    assert_eq!(resp.status().as_u16(), 429);
    let wait: u64 = resp
        .headers()
        .get("retry-after")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse().ok())
        .expect("a Retry-After header in seconds");
    assert!((1..=20).contains(&wait), "{wait}");
}
