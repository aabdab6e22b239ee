//! The API as another tool sees it: what its OpenAPI document says, and that answers
//! and credentials work as that document and HTTP say.

use crate::harness::start;
use kc_desk::Role;
use std::collections::BTreeSet;

/// The document is one a generator accepts, and says what every operation shares: the
/// answers every JSON body may get, and the credentials every staff operation takes.
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
