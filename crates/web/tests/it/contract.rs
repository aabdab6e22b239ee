//! The API as another tool sees it: every operation the OpenAPI document lists is called,
//! and every answer (success and error) must be one the document describes: a documented
//! status, the documented Content-Type and headers, the fields its schema names with their
//! types, and no field it does not name. An integrator generates a client from this
//! document; an answer it does not describe breaks that client.

use crate::files::{b64, png};
use crate::harness::{default_agency, some_provision, start, TestServer};
use kc_desk::Role;
use serde_json::{json, Value};
use std::collections::BTreeSet;
use std::sync::Mutex;

/// JSON answers, or parts of one, documented as an object whose fields the document does
/// not list: the period's figures, described in words on the operation
/// (`kc_desk::stats::Stats`), and an audit event's `data`, which differs by action.
const FREE_FORM: &[&str] = &["GET /api/v1/stats 200", "AuditEventOut.data"];

/// Where, inside `schema`, an object is documented without its fields (named by the
/// component and property that hold it, or `at` for the top).
fn opaque_parts(doc: &Value, schema: &Value, at: &str, out: &mut Vec<String>) {
    let (schema, at) = match schema.get("$ref").and_then(Value::as_str) {
        Some(r) => {
            let name = r.rsplit('/').next().unwrap_or(r);
            (&doc["components"]["schemas"][name], name.to_string())
        }
        None => (schema, at.to_string()),
    };
    for key in ["allOf", "oneOf"] {
        for part in schema[key].as_array().into_iter().flatten() {
            opaque_parts(doc, part, &at, out);
        }
    }
    if let Some(items) = schema.get("items") {
        opaque_parts(doc, items, &at, out);
    }
    match schema.get("properties").and_then(Value::as_object) {
        Some(props) => {
            for (name, prop) in props {
                opaque_parts(doc, prop, &format!("{at}.{name}"), out);
            }
        }
        None if schema["type"] == "object" => out.push(at),
        None => {}
    }
}

/// Follows `$ref`s to the schema they name.
fn resolve<'d>(doc: &'d Value, mut schema: &'d Value) -> &'d Value {
    while let Some(r) = schema.get("$ref").and_then(Value::as_str) {
        let name = r.rsplit('/').next().unwrap_or(r);
        schema = &doc["components"]["schemas"][name];
    }
    schema
}

/// Where `value` departs from `schema` (the subset of JSON Schema utoipa writes: `$ref`,
/// `type` (one or a list), `required`, `properties`, `items`, `allOf`, `oneOf`, `enum`).
/// A field the schema does not name is a departure too, when the schema names its fields,
/// and so is a field sent as null that the schema does not require.
fn departures(doc: &Value, schema: &Value, value: &Value, at: &str, out: &mut Vec<String>) {
    let schema = resolve(doc, schema);
    if let Some(parts) = schema.get("allOf").and_then(Value::as_array) {
        let mut merged = json!({ "type": "object", "properties": {}, "required": [] });
        for part in parts {
            let part = resolve(doc, part);
            if let Some(props) = part.get("properties").and_then(Value::as_object) {
                for (k, v) in props {
                    merged["properties"][k] = v.clone();
                }
            }
            if let (Some(req), Some(all)) = (
                part.get("required").and_then(Value::as_array),
                merged["required"].as_array_mut(),
            ) {
                all.extend(req.iter().cloned());
            }
        }
        return departures(doc, &merged, value, at, out);
    }
    if let Some(choices) = schema.get("oneOf").and_then(Value::as_array) {
        let fits = choices.iter().any(|c| {
            let mut errs = Vec::new();
            departures(doc, c, value, at, &mut errs);
            errs.is_empty()
        });
        if !fits {
            out.push(format!("{at}: {value} fits none of {choices:?}"));
        }
        return;
    }
    let types: Vec<&str> = match schema.get("type") {
        Some(Value::String(t)) => vec![t.as_str()],
        Some(Value::Array(ts)) => ts.iter().filter_map(Value::as_str).collect(),
        _ => Vec::new(),
    };
    let kind = match value {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(n) if n.is_i64() || n.is_u64() => "integer",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    };
    let type_fits = types.is_empty()
        || types.contains(&kind)
        || (kind == "integer" && types.contains(&"number"));
    if !type_fits {
        out.push(format!("{at}: {kind} where the document says {types:?}"));
        return;
    }
    if let Some(allowed) = schema.get("enum").and_then(Value::as_array) {
        if !allowed.contains(value) {
            out.push(format!("{at}: {value} is not one of {allowed:?}"));
        }
    }
    match value {
        Value::Object(fields) => {
            let Some(props) = schema.get("properties").and_then(Value::as_object) else {
                return;
            };
            for req in schema["required"].as_array().into_iter().flatten() {
                if let Some(name) = req.as_str() {
                    if !fields.contains_key(name) {
                        out.push(format!("{at}: required field `{name}` missing"));
                    }
                }
            }
            let required = schema["required"].as_array();
            for (name, v) in fields {
                // A field sent as null is sent whether or not it has a value: a client
                // generated from the document must be told it is always there.
                let listed = required.is_some_and(|r| r.iter().any(|x| x == name.as_str()));
                if v.is_null() && !listed {
                    out.push(format!(
                        "{at}: field `{name}` is null here, so always sent, but not required"
                    ));
                }
                match props.get(name) {
                    Some(s) => departures(doc, s, v, &format!("{at}.{name}"), out),
                    None => out.push(format!("{at}: field `{name}` is not in the document")),
                }
            }
        }
        Value::Array(items) => {
            if let Some(item) = schema.get("items") {
                for (i, v) in items.iter().enumerate() {
                    departures(doc, item, v, &format!("{at}[{i}]"), out);
                }
            }
        }
        _ => {}
    }
}

/// The server under test with its document, checking every answer against it.
struct Api<'s> {
    s: &'s TestServer,
    doc: Value,
    /// (method, path template) of every operation called.
    called: Mutex<BTreeSet<(String, String)>>,
}

enum Body {
    None,
    Json(Value),
    Raw(&'static str),
}

impl<'s> Api<'s> {
    async fn new(s: &'s TestServer) -> Api<'s> {
        let (st, doc) = s.get("/api/openapi.json", None).await;
        assert_eq!(st, 200);
        Api {
            s,
            doc,
            called: Mutex::new(BTreeSet::new()),
        }
    }

    /// Calls `method path` (an instance of `template`, the document's path) and checks the
    /// answer against the document; asserts the status is `expect`. Returns the JSON body
    /// (null when there is none).
    async fn call(
        &self,
        method: &str,
        template: &str,
        path: &str,
        token: Option<&str>,
        body: Body,
        expect: u16,
    ) -> Value {
        let m = reqwest::Method::from_bytes(method.as_bytes()).expect("method");
        let mut req = self.s.client.request(m, self.s.url(path));
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        req = match body {
            Body::None => req,
            Body::Json(v) => req.json(&v),
            Body::Raw(text) => req.header("content-type", "application/json").body(text),
        };
        let resp = req.send().await.expect("request");
        let status = resp.status().as_u16();
        let headers = resp.headers().clone();
        let bytes = resp.bytes().await.expect("body");
        let json: Value = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
        let what = format!("{method} {path} ({template}) -> {status}");
        assert_eq!(
            status,
            expect,
            "{what}: {}",
            String::from_utf8_lossy(&bytes)
        );
        self.called
            .lock()
            .expect("lock")
            .insert((method.to_lowercase(), template.to_string()));

        let op = &self.doc["paths"][template][method.to_lowercase()];
        assert!(op.is_object(), "{what}: the document has no such operation");
        let answer = &op["responses"][status.to_string()];
        assert!(
            answer.is_object(),
            "{what}: status not in the document; body {}",
            String::from_utf8_lossy(&bytes)
        );
        for name in answer["headers"]
            .as_object()
            .into_iter()
            .flatten()
            .map(|(k, _)| k)
        {
            assert!(
                headers.contains_key(name.as_str()),
                "{what}: documented header {name} missing"
            );
        }
        if let Some(schema) = answer["content"]["application/json"].get("schema") {
            let ct = headers
                .get("content-type")
                .and_then(|v| v.to_str().ok())
                .unwrap_or("");
            assert!(
                ct.starts_with("application/json"),
                "{what}: Content-Type {ct:?}, the document says application/json"
            );
            let mut errs = Vec::new();
            departures(&self.doc, schema, &json, &what, &mut errs);
            assert!(errs.is_empty(), "{}\n{json}", errs.join("\n"));
        }
        json
    }

    async fn get(&self, template: &str, path: &str, token: Option<&str>, expect: u16) -> Value {
        self.call("GET", template, path, token, Body::None, expect)
            .await
    }

    async fn post(
        &self,
        template: &str,
        path: &str,
        token: Option<&str>,
        body: Value,
        expect: u16,
    ) -> Value {
        self.call("POST", template, path, token, Body::Json(body), expect)
            .await
    }
}

#[tokio::test]
async fn every_answer_of_every_operation_is_the_one_the_openapi_document_describes() {
    let s = start("sqlite").await;
    let api = Api::new(&s).await;
    let intake = s.user("intake1", &[(Role::Intake, None)]).await;
    let verifier = s.user("verifier1", &[(Role::Verifier, None)]).await;
    let reviewer = s.user("reviewer1", &[(Role::Reviewer, None)]).await;
    let reviewer2 = s.user("reviewer2", &[(Role::Reviewer, None)]).await;
    let editor = s.user("editor1", &[(Role::Editor, None)]).await;
    let lead = s.user("lead1", &[(Role::Lead, None)]).await;
    let admin = s.user("admin1", &[(Role::Admin, None)]).await;
    let auditor = s.user("auditor1", &[(Role::Auditor, None)]).await;
    let (i, v, r, e) = (
        Some(intake.as_str()),
        Some(verifier.as_str()),
        Some(reviewer.as_str()),
        Some(editor.as_str()),
    );
    let agency = default_agency();
    let today = chrono::Utc::now().format("%Y-%m-%d").to_string();

    api.get("/healthz", "/healthz", None, 200).await;
    api.get("/api/openapi.json", "/api/openapi.json", None, 200)
        .await;
    api.get("/api/v1/provisions", "/api/v1/provisions", None, 200)
        .await;

    // Reports: the public's way in, and what a bad body gets.
    let rep = "/api/v1/reports";
    let texts = [
        "Khẩn cấp: Điện lực thông báo hoàn tiền điện tháng 11 cho mọi hộ gia đình, bấm vào đường link để nhận 500.000 đồng",
        "Uống nước chanh nóng mỗi sáng chữa khỏi hoàn toàn bệnh ung thư giai đoạn cuối trong vòng một tuần",
        "Trường tiểu học thị trấn cho toàn bộ học sinh nghỉ học cả tuần tới vì dịch bệnh lạ lây lan rất nhanh",
        "Ngân hàng nhà nước phát hành tờ tiền mệnh giá một triệu đồng từ đầu tháng sau trên toàn quốc",
    ];
    let first = api
        .post(
            rep,
            rep,
            None,
            json!({ "text": texts[0], "urls": ["https://example.com/p/1"], "contact": "0900000000",
                    "files": [{ "content_base64": b64(&png(7)) }] }),
            201,
        )
        .await;
    let receipt = first["receipt"].as_str().expect("receipt").to_string();
    for text in &texts[1..] {
        api.post(rep, rep, None, json!({ "text": text }), 201).await;
    }
    api.post(rep, rep, None, json!({ "text": texts[0], "bogus": 1 }), 422)
        .await;
    api.post(rep, rep, None, json!({ "text": 5 }), 422).await;
    api.call("POST", rep, rep, None, Body::Raw("{\"text\": "), 400)
        .await;
    let long = "x ".repeat(6_000);
    api.post(rep, rep, None, json!({ "text": long }), 422).await;
    let status = "/api/v1/reports/{receipt}";
    api.get(status, &format!("/api/v1/reports/{receipt}"), None, 200)
        .await;
    api.get(status, "/api/v1/reports/KC-0000-0000", None, 404)
        .await;

    // Staff reads: 401 without a valid token, 403 where the role does not reach.
    for path in [
        "/api/v1/agencies",
        "/api/v1/cases",
        "/api/v1/appeals",
        "/api/v1/stats",
        "/api/v1/audit",
        "/api/v1/duties",
        "/api/v1/outreach",
    ] {
        api.get(path, path, None, 401).await;
        api.get(path, path, Some("kct_nothing"), 401).await;
        api.get(
            path,
            path,
            i,
            200 + 203 * u16::from(path == "/api/v1/audit"),
        )
        .await;
    }
    let audit = "/api/v1/audit";
    api.get(audit, "/api/v1/audit?limit=3", Some(&auditor), 200)
        .await;
    api.get(audit, "/api/v1/audit?limit=0", Some(&auditor), 422)
        .await;
    api.get("/api/v1/stats", "/api/v1/stats?from=2026-13-01", i, 422)
        .await;
    api.get("/api/v1/duties", "/api/v1/duties?agency=nope", i, 422)
        .await;
    // A parameter given twice is named in the API's own error, not axum's plain text.
    for (template, path, token) in [
        ("/api/v1/cases", "/api/v1/cases?limit=1&limit=2", i),
        (
            "/api/v1/stats",
            "/api/v1/stats?from=2026-11-01&from=2026-11-02",
            i,
        ),
        ("/api/v1/duties", "/api/v1/duties?agency=a&agency=b", i),
        (
            "/api/v1/audit",
            "/api/v1/audit?limit=1&limit=2",
            Some(auditor.as_str()),
        ),
    ] {
        let refused = api.get(template, path, token, 422).await;
        assert_eq!(
            refused["error"]["field"],
            path.split(['?', '=']).nth(1).unwrap_or(""),
            "{refused}"
        );
    }

    // The case list, its filters and paging.
    let list = "/api/v1/cases";
    let cases = api.get(list, "/api/v1/cases?limit=10", i, 200).await;
    let id_of = |text: &str| {
        cases
            .as_array()
            .into_iter()
            .flatten()
            .find(|c| c["claim"] == text)
            .and_then(|c| c["id"].as_i64())
            .expect("a case for each report")
    };
    let (c1, c2, c3, c4) = (
        id_of(texts[0]),
        id_of(texts[1]),
        id_of(texts[2]),
        id_of(texts[3]),
    );
    api.get(list, "/api/v1/cases?state=bogus", i, 422).await;
    api.get(list, "/api/v1/cases?limit=0", i, 422).await;
    api.get(list, "/api/v1/cases?agency=none&offset=1", i, 200)
        .await;

    // The four-eyes path, with the answers each step gives on the way.
    let assign = "/api/v1/cases/{id}/assign";
    let at = |id: i64, step: &str| format!("/api/v1/cases/{id}/{step}");
    api.post(
        assign,
        "/api/v1/cases/abc/assign",
        i,
        json!({ "agency": agency }),
        404,
    )
    .await;
    api.post(
        assign,
        &at(987_654, "assign"),
        i,
        json!({ "agency": agency }),
        404,
    )
    .await;
    api.post(
        assign,
        &at(c1, "assign"),
        None,
        json!({ "agency": agency }),
        401,
    )
    .await;
    api.post(
        assign,
        &at(c1, "assign"),
        v,
        json!({ "agency": agency }),
        403,
    )
    .await;
    api.post(
        assign,
        &at(c1, "assign"),
        i,
        json!({ "agency": "nope" }),
        422,
    )
    .await;
    api.call("POST", assign, &at(c1, "assign"), i, Body::Raw("{"), 400)
        .await;
    let huge = "x".repeat(100_000);
    api.post(assign, &at(c1, "assign"), i, json!({ "agency": huge }), 413)
        .await;
    api.post(
        assign,
        &at(c1, "assign"),
        i,
        json!({ "agency": agency, "assignee": "verifier1", "harm_category": "scam", "priority": "high" }),
        200,
    )
    .await;
    let opinions = "/api/v1/cases/{id}/opinions";
    let consulted = api.get(opinions, &at(c1, "opinions"), v, 200).await;
    let consulted_agency = consulted["consulted"][0]
        .as_str()
        .expect("scam is routed to a consulted agency")
        .to_string();
    api.post(
        opinions,
        &at(c1, "opinions"),
        Some(&admin),
        json!({ "agency": consulted_agency, "opinion": "Nội dung lừa đảo." }),
        403,
    )
    .await;
    let consultant = s
        .user(
            "consult1",
            &[(Role::Verifier, Some(consulted_agency.as_str()))],
        )
        .await;
    api.post(
        opinions,
        &at(c1, "opinions"),
        Some(&consultant),
        json!({ "opinion": "Nội dung lừa đảo." }),
        201,
    )
    .await;
    api.post(
        opinions,
        &at(c1, "opinions"),
        Some(&consultant),
        json!({ "opinion": "" }),
        422,
    )
    .await;
    api.get(opinions, &at(c1, "opinions"), v, 200).await;
    api.get(opinions, &at(987_654, "opinions"), v, 404).await;

    let files = "/api/v1/cases/{id}/files";
    let listed = api.get(files, &at(c1, "files"), v, 200).await;
    api.get(files, &at(987_654, "files"), v, 404).await;
    let sha = listed["reports"][0]["sha256"]
        .as_str()
        .expect("the report's image")
        .to_string();
    let file = "/api/v1/files/{sha256}";
    api.get(file, &format!("/api/v1/files/{sha}"), v, 200).await;
    api.get(file, &format!("/api/v1/files/{sha}"), None, 401)
        .await;
    api.get(file, &format!("/api/v1/files/{}", "0".repeat(64)), v, 404)
        .await;
    let evidence = "/api/v1/cases/{id}/evidence-files";
    api.post(
        evidence,
        &at(c1, "evidence-files"),
        v,
        json!({ "from_report_id": listed["reports"][0]["report_id"], "sha256": sha, "note": "Ảnh bài đăng" }),
        201,
    )
    .await;
    api.post(evidence, &at(c1, "evidence-files"), v, json!({}), 422)
        .await;
    api.post(
        evidence,
        &at(c1, "evidence-files"),
        e,
        json!({ "content_base64": b64(&png(9)) }),
        403,
    )
    .await;

    let decision = "/api/v1/cases/{id}/decision";
    let good = json!({
        "verdict": "false", "summary": "Điện lực không hoàn tiền.", "reasons": "Công ty Điện lực xác nhận.",
        "evidence": [{ "url": "https://evn.com.vn/a", "note": "Thông cáo" }],
        "legal_provisions": [some_provision()], "remedy": "notice"
    });
    let mut no_evidence = good.clone();
    no_evidence["evidence"] = json!([]);
    api.post(decision, &at(c1, "decision"), v, no_evidence, 422)
        .await;
    api.post(decision, &at(c1, "decision"), i, good.clone(), 403)
        .await;
    api.post(decision, &at(c1, "decision"), v, good, 201).await;
    api.post(
        decision,
        &at(c2, "decision"),
        v,
        json!({ "verdict": "false" }),
        422,
    )
    .await;
    let review = "/api/v1/cases/{id}/review";
    api.post(
        review,
        &at(c1, "review"),
        r,
        json!({ "approve": "yes" }),
        422,
    )
    .await;
    api.post(
        review,
        &at(c1, "review"),
        r,
        json!({ "approve": true }),
        200,
    )
    .await;
    api.post(
        review,
        &at(c1, "review"),
        r,
        json!({ "approve": true }),
        409,
    )
    .await;
    let publish = "/api/v1/cases/{id}/publish";
    api.post(publish, &at(c1, "publish"), i, json!({}), 403)
        .await;
    let published = api
        .post(
            publish,
            &at(c1, "publish"),
            e,
            json!({ "claim": "Điện lực hoàn tiền điện tháng 11 qua đường link", "title": "Không có chuyện hoàn tiền điện" }),
            201,
        )
        .await;
    let url = published["url"].as_str().expect("url").to_string();
    let slug = url.rsplit('/').next().expect("slug").to_string();
    api.post(publish, &at(c1, "publish"), e, json!({}), 409)
        .await;
    let restate = "/api/v1/cases/{id}/publication/claim";
    let claim = json!({ "claim": "Điện lực hoàn tiền điện tháng 11 cho mọi hộ qua đường link" });
    api.post(restate, &at(c1, "publication/claim"), e, claim.clone(), 200)
        .await;
    api.post(restate, &at(c2, "publication/claim"), e, claim, 409)
        .await;
    api.post(
        restate,
        &at(c1, "publication/claim"),
        e,
        json!({ "claim": "" }),
        422,
    )
    .await;
    let answered = api
        .post(rep, rep, None, json!({ "text": texts[0] }), 201)
        .await;
    assert_eq!(answered["match"]["url"], url.as_str(), "{answered}");

    // Re-checking published verdicts: the list (none due yet; c1 falls due within 800
    // days), and a reviewer who neither drafted nor approved c1's decision re-checking it.
    let rechecks = "/api/v1/rechecks";
    let due = api.get(rechecks, rechecks, i, 200).await;
    assert_eq!(due, json!([]));
    let soon = api
        .get(rechecks, "/api/v1/rechecks?within_days=800", i, 200)
        .await;
    assert_eq!(soon[0]["case_id"], c1, "{soon}");
    api.get(rechecks, "/api/v1/rechecks?within_days=x", i, 422)
        .await;
    api.get(rechecks, rechecks, None, 401).await;
    let recheck = "/api/v1/cases/{id}/publication/recheck";
    let note = json!({ "note": "Đã đối chiếu lại với thông báo của Điện lực." });
    let fresh_eyes = s.user("recheck1", &[(Role::Reviewer, None)]).await;
    let f = Some(fresh_eyes.as_str());
    api.post(
        recheck,
        &at(c1, "publication/recheck"),
        e,
        note.clone(),
        403,
    )
    .await;
    api.post(
        recheck,
        &at(c1, "publication/recheck"),
        r,
        note.clone(),
        409,
    )
    .await;
    api.post(
        recheck,
        &at(c2, "publication/recheck"),
        f,
        note.clone(),
        409,
    )
    .await;
    api.post(
        recheck,
        &at(987_654, "publication/recheck"),
        f,
        note.clone(),
        404,
    )
    .await;
    api.post(
        recheck,
        &at(c1, "publication/recheck"),
        f,
        json!({ "note": "" }),
        422,
    )
    .await;
    api.post(recheck, &at(c1, "publication/recheck"), f, note, 200)
        .await;

    // Notices and their steps.
    let notices = "/api/v1/cases/{id}/notices";
    let locator = json!({ "platform": "Facebook", "locators": ["https://www.facebook.com/groups/x/posts/123"] });
    api.get(notices, &at(c1, "notices"), e, 200).await;
    api.get(notices, &at(987_654, "notices"), e, 404).await;
    api.post(notices, &at(c1, "notices"), v, locator.clone(), 403)
        .await;
    api.post(notices, &at(c2, "notices"), e, locator.clone(), 409)
        .await;
    api.post(
        notices,
        &at(c1, "notices"),
        e,
        json!({ "platform": "Facebook", "locators": ["https://www.facebook.com/somebody"] }),
        422,
    )
    .await;
    let notice = api.post(notices, &at(c1, "notices"), e, locator, 201).await;
    let nid = notice["id"].as_i64().expect("notice id");
    let step = "/api/v1/notices/{id}/events";
    let steps = format!("/api/v1/notices/{nid}/events");
    api.post(
        step,
        &steps,
        e,
        json!({ "step": "effect_given", "date": today }),
        409,
    )
    .await;
    api.post(
        step,
        &steps,
        e,
        json!({ "step": "sent", "date": "hôm nay" }),
        422,
    )
    .await;
    api.post(
        step,
        &steps,
        e,
        json!({ "step": "sent", "date": today }),
        201,
    )
    .await;
    api.post(
        step,
        "/api/v1/notices/987654/events",
        e,
        json!({ "step": "sent", "date": today }),
        404,
    )
    .await;
    api.get(notices, &at(c1, "notices"), e, 200).await;

    // Appeals: filed by the public, decided by a reviewer with no part in the decision.
    let file_appeal = "/api/v1/publications/{slug}/appeals";
    let appeals_of = format!("/api/v1/publications/{slug}/appeals");
    api.post(
        file_appeal,
        &appeals_of,
        None,
        json!({ "reasons": "Sai.", "relation": "nobody" }),
        422,
    )
    .await;
    api.post(
        file_appeal,
        "/api/v1/publications/khong-co/appeals",
        None,
        json!({ "reasons": "Sai.", "relation": "other" }),
        404,
    )
    .await;
    let filed = api
        .post(
            file_appeal,
            &appeals_of,
            None,
            json!({ "reasons": "Kết luận chưa đúng.", "relation": "concerned", "contact": "a@b.c" }),
            201,
        )
        .await;
    let appeal_receipt = filed["receipt"].as_str().expect("receipt").to_string();
    let appeal_status = "/api/v1/appeals/{receipt}";
    api.get(
        appeal_status,
        &format!("/api/v1/appeals/{appeal_receipt}"),
        None,
        200,
    )
    .await;
    api.get(appeal_status, "/api/v1/appeals/KN-0000-0000", None, 404)
        .await;
    let pending = api.get("/api/v1/appeals", "/api/v1/appeals", r, 200).await;
    let aid = pending[0]["id"].as_i64().expect("appeal id");
    let decide = "/api/v1/cases/{id}/appeals/{appeal}/decision";
    let decide_at = format!("/api/v1/cases/{c1}/appeals/{aid}/decision");
    let upheld = json!({ "outcome": "upheld", "reasons": "Giữ nguyên kết luận." });
    api.post(decide, &decide_at, r, upheld.clone(), 409).await;
    api.post(decide, &decide_at, e, upheld.clone(), 403).await;
    api.post(
        decide,
        &decide_at,
        Some(&reviewer2),
        json!({ "outcome": "maybe", "reasons": "x" }),
        422,
    )
    .await;
    api.post(
        decide,
        &format!("/api/v1/cases/{c1}/appeals/987654/decision"),
        Some(&reviewer2),
        upheld.clone(),
        404,
    )
    .await;
    api.post(decide, &decide_at, Some(&reviewer2), upheld.clone(), 200)
        .await;
    api.post(decide, &decide_at, Some(&reviewer2), upheld, 409)
        .await;
    api.get(
        appeal_status,
        &format!("/api/v1/appeals/{appeal_receipt}"),
        None,
        200,
    )
    .await;

    // Cases that leave the queue early.
    let close = "/api/v1/cases/{id}/close";
    api.post(
        close,
        &at(c2, "close"),
        i,
        json!({ "reason": "bogus", "note": "x" }),
        422,
    )
    .await;
    api.post(
        close,
        &at(c2, "close"),
        v,
        json!({ "reason": "spam", "note": "x" }),
        403,
    )
    .await;
    api.post(
        close,
        &at(c2, "close"),
        i,
        json!({ "reason": "spam", "note": "Quảng cáo" }),
        200,
    )
    .await;
    api.post(
        close,
        &at(c2, "close"),
        i,
        json!({ "reason": "spam", "note": "Quảng cáo" }),
        409,
    )
    .await;
    let merge = "/api/v1/cases/{id}/merge";
    api.post(merge, &at(c3, "merge"), i, json!({ "into": c3 }), 422)
        .await;
    api.post(merge, &at(c3, "merge"), i, json!({ "into": c2 }), 409)
        .await;
    api.post(merge, &at(c3, "merge"), v, json!({ "into": c4 }), 403)
        .await;
    api.post(
        merge,
        &at(c3, "merge"),
        i,
        json!({ "into": c4, "note": "Trùng" }),
        200,
    )
    .await;
    let answer = "/api/v1/cases/{id}/answer";
    api.post(
        answer,
        &at(c4, "answer"),
        i,
        json!({ "slug": "khong-co" }),
        422,
    )
    .await;
    api.post(answer, &at(c4, "answer"), v, json!({ "slug": slug }), 403)
        .await;
    api.post(
        answer,
        &at(c4, "answer"),
        i,
        json!({ "slug": slug, "note": "Đã có" }),
        200,
    )
    .await;
    api.post(answer, &at(c4, "answer"), i, json!({ "slug": slug }), 409)
        .await;
    api.get(list, "/api/v1/cases?state=merged", i, 200).await;
    api.get(status, &format!("/api/v1/reports/{receipt}"), None, 200)
        .await;

    // Awareness articles, events and the directive's duties.
    let articles = "/api/v1/articles";
    let article = api
        .post(
            articles,
            articles,
            e,
            json!({ "title": "Nhận diện tin giả", "summary": "Ba dấu hiệu.", "body": "Đoạn một.\n\nĐoạn hai." }),
            201,
        )
        .await;
    api.post(
        articles,
        articles,
        i,
        json!({ "title": "T", "body": "B" }),
        403,
    )
    .await;
    api.post(
        articles,
        articles,
        e,
        json!({ "title": "", "body": "B" }),
        422,
    )
    .await;
    api.post(
        articles,
        articles,
        e,
        json!({ "title": "T", "body": "B", "bogus": 1 }),
        422,
    )
    .await;
    let one = "/api/v1/articles/{id}";
    let aid = article["id"].as_i64().expect("article id");
    api.post(
        one,
        &format!("/api/v1/articles/{aid}"),
        e,
        json!({ "title": "Nhận diện tin giả (sửa)", "body": "Đoạn một." }),
        200,
    )
    .await;
    api.post(
        one,
        "/api/v1/articles/987654",
        e,
        json!({ "title": "T", "body": "B" }),
        404,
    )
    .await;
    api.get(articles, articles, None, 200).await;
    let outreach = "/api/v1/outreach";
    let event = json!({ "agency": agency, "kind": "talk", "audience": "public", "held_on": today,
                        "topic": "Nhận diện tin giả", "attendees": 40, "materials_url": "https://example.com/tai-lieu" });
    api.post(outreach, outreach, v, event.clone(), 403).await;
    api.post(
        outreach,
        outreach,
        Some(&lead),
        json!({ "agency": agency }),
        422,
    )
    .await;
    api.post(outreach, outreach, Some(&lead), event, 201).await;
    api.get(outreach, outreach, Some(&lead), 200).await;
    let duties = api
        .get("/api/v1/duties", "/api/v1/duties", Some(&lead), 200)
        .await;
    let duty = duties[0]["id"].as_str().expect("duty id").to_string();
    let duty_agency = duties[0]["agencies"][0]
        .as_str()
        .expect("agency")
        .to_string();
    let progress = "/api/v1/duties/{id}/progress";
    let entry = json!({ "agency": duty_agency, "from": today, "to": today, "summary": "Đã tổ chức.",
                        "count": 3, "unit": "buổi", "links": ["https://example.com/tin"] });
    api.post(
        progress,
        &format!("/api/v1/duties/{duty}/progress"),
        Some(&admin),
        entry.clone(),
        201,
    )
    .await;
    api.post(
        progress,
        "/api/v1/duties/khong-co/progress",
        Some(&admin),
        entry,
        404,
    )
    .await;
    api.post(
        progress,
        &format!("/api/v1/duties/{duty}/progress"),
        Some(&admin),
        json!({ "agency": duty_agency, "from": "hôm qua", "summary": "Đã làm." }),
        422,
    )
    .await;
    api.post(
        progress,
        &format!("/api/v1/duties/{duty}/progress"),
        Some(&reviewer2),
        json!({ "agency": duty_agency, "from": today, "summary": "Đã làm." }),
        403,
    )
    .await;
    api.get(
        "/api/v1/duties",
        &format!("/api/v1/duties?from={today}"),
        Some(&lead),
        200,
    )
    .await;
    api.get("/api/v1/stats", "/api/v1/stats", Some(&lead), 200)
        .await;
    api.get(audit, "/api/v1/audit?action=case.", Some(&admin), 200)
        .await;
    api.get(list, list, i, 200).await;

    // An appeal overturned: the decision no longer stands, and cannot be appealed again.
    let second = api
        .post(
            file_appeal,
            &appeals_of,
            None,
            json!({ "reasons": "Nội dung đã được gỡ.", "relation": "author" }),
            201,
        )
        .await;
    let pending = api.get("/api/v1/appeals", "/api/v1/appeals", r, 200).await;
    let second_id = pending
        .as_array()
        .into_iter()
        .flatten()
        .find(|a| a["status"] == "pending")
        .and_then(|a| a["id"].as_i64())
        .expect("the second appeal is pending");
    assert!(second["receipt"].is_string());
    api.post(
        decide,
        &format!("/api/v1/cases/{c1}/appeals/{second_id}/decision"),
        Some(&reviewer2),
        json!({ "outcome": "overturned", "reasons": "Nội dung đã được gỡ trước khi kết luận." }),
        200,
    )
    .await;
    api.post(
        file_appeal,
        &appeals_of,
        None,
        json!({ "reasons": "Sai.", "relation": "other" }),
        409,
    )
    .await;

    // Every operation the document lists was called.
    let called = api.called.lock().expect("lock").clone();
    for (path, item) in api.doc["paths"].as_object().expect("paths") {
        for method in item.as_object().expect("path item").keys() {
            assert!(
                called.contains(&(method.clone(), path.clone())),
                "{method} {path} is in the document but this walk never calls it"
            );
        }
    }
}

/// The document is one a generator accepts, and says what every operation shares.
#[tokio::test]
async fn the_openapi_document_is_valid_and_says_what_every_operation_shares() {
    let s = start("sqlite").await;
    let (_, doc) = s.get("/api/openapi.json", None).await;
    let mut ids = BTreeSet::new();
    let schemes = doc["components"]["securitySchemes"]
        .as_object()
        .expect("security schemes");
    for (path, item) in doc["paths"].as_object().expect("paths") {
        for (method, op) in item.as_object().expect("path item") {
            let what = format!("{method} {path}");
            // A path parameter is one the path names; any other is read from the query
            // (ApiQuery hides from utoipa that they are, so the structs say it).
            for param in op["parameters"].as_array().into_iter().flatten() {
                let name = param["name"].as_str().unwrap_or("");
                let in_path = path.contains(&format!("{{{name}}}"));
                let place = if in_path { "path" } else { "query" };
                assert_eq!(param["in"], place, "{what}: parameter {name}");
            }
            let id = op["operationId"].as_str().expect("operationId");
            assert!(
                ids.insert(id.to_string()),
                "{what}: operationId {id} used twice"
            );
            let responses = op["responses"].as_object().expect("responses");
            if op.get("requestBody").is_some() {
                for status in ["400", "413"] {
                    assert!(
                        responses.contains_key(status),
                        "{what} reads a JSON body but does not document {status}"
                    );
                }
                let body = &op["requestBody"]["content"]["application/json"]["schema"];
                assert!(
                    resolve(&doc, body).get("properties").is_some(),
                    "{what}: the request body's fields are not documented"
                );
            }
            let needs_auth = responses.contains_key("401");
            let security = op["security"].as_array();
            assert_eq!(
                security.is_some(),
                needs_auth,
                "{what}: security stated exactly where 401 is a possible answer"
            );
            for requirement in security.into_iter().flatten() {
                for name in requirement.as_object().expect("requirement").keys() {
                    assert!(schemes.contains_key(name), "{what}: unknown scheme {name}");
                }
            }
            for (status, answer) in responses {
                let Some(schema) = answer["content"]["application/json"].get("schema") else {
                    continue;
                };
                let mut opaque = Vec::new();
                let top = format!("{} {path} {status}", method.to_uppercase());
                opaque_parts(&doc, schema, &top, &mut opaque);
                opaque.retain(|at| !FREE_FORM.contains(&at.as_str()));
                assert!(
                    opaque.is_empty(),
                    "{what} {status}: the fields of {opaque:?} are not documented"
                );
            }
        }
    }
    // Every `$ref` names a schema the document has.
    let text = doc.to_string();
    for part in text.split("\"$ref\":\"#/components/schemas/").skip(1) {
        let name = part.split('"').next().unwrap_or("");
        assert!(
            doc["components"]["schemas"].get(name).is_some(),
            "$ref to missing schema {name}"
        );
    }
}

/// `Authorization: bearer …` is the same credential as `Bearer …`: HTTP auth scheme names
/// are case-insensitive, and some clients write them in lower case.
#[tokio::test]
async fn the_bearer_scheme_is_read_in_any_case() {
    let s = start("sqlite").await;
    let token = s.user("intake1", &[(Role::Intake, None)]).await;
    for scheme in ["Bearer", "bearer", "BEARER"] {
        let resp = s
            .client
            .get(s.url("/api/v1/cases"))
            .header("authorization", format!("{scheme} {token}"))
            .send()
            .await
            .expect("request");
        assert_eq!(resp.status().as_u16(), 200, "{scheme}");
    }
    for header in [
        format!("Basic {token}"),
        "Bearer ".to_string(),
        token.clone(),
    ] {
        let resp = s
            .client
            .get(s.url("/api/v1/cases"))
            .header("authorization", header.as_str())
            .send()
            .await
            .expect("request");
        assert_eq!(resp.status().as_u16(), 401, "{header}");
    }
}
