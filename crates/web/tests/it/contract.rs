//! The API as another tool sees it: what its OpenAPI document says, and that answers
//! and credentials work as that document and HTTP say.

use crate::harness::start;
use kc_desk::Role;

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
