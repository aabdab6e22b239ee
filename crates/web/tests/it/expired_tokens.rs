//! API tokens expire: past its date a token is refused with its own error, so whoever runs
//! the script knows to have it renewed; on both backends.

use crate::harness::{backends, start};
use chrono::{Duration, Utc};
use kc_desk::Role;

#[tokio::test]
async fn a_token_past_its_expiry_is_refused_as_expired_and_a_fresh_one_works() {
    for kind in backends() {
        let s = start(kind).await;
        let fresh = s.user("lan", &[(Role::Intake, None)]).await;
        let stale = s.token_until("lan", Utc::now() - Duration::hours(1)).await;

        let (st, _) = s.get("/api/v1/cases", Some(&fresh)).await;
        assert_eq!(st, 200, "[{kind}] a token within its days works");

        let (st, body) = s.get("/api/v1/cases", Some(&stale)).await;
        assert_eq!(st, 401, "[{kind}] {body}");
        assert_eq!(body["error"]["code"], "token_expired", "[{kind}] {body}");
        let vi = body["error"]["message"].as_str().unwrap_or_default();
        let en = body["error"]["message_en"].as_str().unwrap_or_default();
        assert!(
            vi.contains("hết hạn") && vi.contains("giờ Việt Nam"),
            "[{kind}] {vi}"
        );
        assert!(
            en.contains("expired") && en.contains("Vietnam time") && en.contains("token renew"),
            "[{kind}] {en}"
        );
        // Writes are refused the same way.
        let (st, body) = s
            .post(
                "/api/v1/cases/1/assign",
                Some(&stale),
                serde_json::json!({ "agency": "so-tttt" }),
            )
            .await;
        assert_eq!(
            (st, body["error"]["code"].as_str()),
            (401, Some("token_expired"))
        );

        // An unknown token is not told it expired: nothing says it ever existed.
        let (st, body) = s.get("/api/v1/cases", Some("kct_not-a-real-token")).await;
        assert_eq!(st, 401);
        assert_eq!(body["error"]["code"], "unauthorized", "[{kind}] {body}");
    }
}

#[tokio::test]
async fn a_renewed_token_works_again_and_a_revoked_one_stays_refused() {
    for kind in backends() {
        let s = start(kind).await;
        let _ = s.user("lan", &[(Role::Intake, None)]).await;
        let stale = s.token_until("lan", Utc::now() - Duration::days(2)).await;
        let listed = s.store.tokens(Some("lan")).await.expect("tokens");
        let stale_record = listed.last().expect("the stale token");
        assert!(
            stale_record.expired(Utc::now()),
            "[{kind}] listed as expired"
        );
        assert!(
            !listed[0].expired(Utc::now()),
            "[{kind}] the fresh one is not"
        );

        let mut tx = s.store.begin_write("admin").await.expect("begin");
        let until = Utc::now() + Duration::days(30);
        assert!(tx.renew_token(stale_record.id, until).await.expect("renew"));
        tx.commit().await.expect("commit");
        assert_eq!(
            s.get("/api/v1/cases", Some(&stale)).await.0,
            200,
            "[{kind}]"
        );
        let renewed = s.store.tokens(Some("lan")).await.expect("tokens");
        assert_eq!(
            renewed.last().and_then(|t| t.expires_at.clone()),
            Some(kc_store::fmt_time(until)),
            "[{kind}]"
        );

        // Expired and then revoked: revocation is final, renewal does not bring it back.
        let old = s.token_until("lan", Utc::now() - Duration::days(1)).await;
        let old_id = s.store.tokens(Some("lan")).await.expect("tokens")[2].id;
        let mut tx = s.store.begin_write("admin").await.expect("begin");
        assert!(tx.revoke_token(old_id).await.expect("revoke"));
        assert!(
            !tx.renew_token(old_id, until).await.expect("renew"),
            "[{kind}] a revoked token is not renewed"
        );
        tx.commit().await.expect("commit");
        let (st, body) = s.get("/api/v1/cases", Some(&old)).await;
        assert_eq!(
            (st, body["error"]["code"].as_str()),
            (401, Some("unauthorized")),
            "[{kind}] {body}"
        );
        s.store.audit_verify().await.expect("chain intact");
    }
}
