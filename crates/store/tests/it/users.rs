use crate::support::{backends, fresh};
use kc_desk::auth::{hash_password, new_secret, verify_password};
use kc_desk::{Grant, Role};
use kc_store::Store;

/// An account with one grant, a console session and an API token; returns their secrets'
/// digests (session, token).
async fn staff(store: &Store, name: &str, password: &str) -> (String, String) {
    let hash = hash_password(password).expect("hash");
    let (_, token) = new_secret("kct_");
    let mut tx = store.begin_write("test").await.expect("begin");
    tx.add_user(name, &hash, Role::Intake, None)
        .await
        .expect("add");
    tx.create_token(name, "api", &token).await.expect("token");
    tx.commit().await.expect("commit");
    let id = store
        .user_by_name(name)
        .await
        .expect("read")
        .expect("user")
        .id;
    let (_, session) = new_secret("kcs_");
    store
        .create_session(id, &session, "2999-01-01T00:00:00.000Z")
        .await
        .expect("session");
    (session, token)
}

#[tokio::test]
async fn a_disabled_user_acts_through_neither_session_nor_token() {
    for kind in backends() {
        let (store, _, _dir) = fresh(kind).await;
        let (session, token) = staff(&store, "lan", "mat-khau-cua-lan").await;
        assert!(store
            .actor_by_session(&session)
            .await
            .expect("read")
            .is_some());
        assert!(store.actor_by_token(&token).await.expect("read").is_some());

        let mut tx = store.begin_write("cli").await.expect("begin");
        assert!(tx.set_user_disabled("lan", true).await.expect("disable"));
        tx.commit().await.expect("commit");
        assert!(
            store
                .actor_by_session(&session)
                .await
                .expect("read")
                .is_none(),
            "[{kind}]"
        );
        assert!(
            store.actor_by_token(&token).await.expect("read").is_none(),
            "[{kind}]"
        );
        let mut tx = store.begin_write("cli").await.expect("begin");
        assert!(
            !tx.set_user_disabled("lan", true).await.expect("again"),
            "[{kind}] no-op"
        );
        drop(tx);

        let mut tx = store.begin_write("cli").await.expect("begin");
        assert!(tx.set_user_disabled("lan", false).await.expect("enable"));
        tx.commit().await.expect("commit");
        assert!(
            store.actor_by_token(&token).await.expect("read").is_some(),
            "[{kind}]"
        );
        assert!(
            store
                .actor_by_session(&session)
                .await
                .expect("read")
                .is_none(),
            "[{kind}] disabling ended the session for good"
        );
        let users = store.users().await.expect("users");
        assert_eq!(users.len(), 1);
        assert!(!users[0].disabled);
        store.audit_verify().await.expect("chain intact");
    }
}

#[tokio::test]
async fn a_revoked_token_is_refused_and_listed_as_revoked() {
    for kind in backends() {
        let (store, _, _dir) = fresh(kind).await;
        let (_, token) = staff(&store, "lan", "mat-khau-cua-lan").await;
        let (_, other) = staff(&store, "hoa", "mat-khau-cua-hoa").await;
        let listed = store.tokens(Some("lan")).await.expect("tokens");
        assert_eq!(listed.len(), 1, "[{kind}] one user's tokens");
        assert_eq!(store.tokens(None).await.expect("all").len(), 2);
        let mut tx = store.begin_write("cli").await.expect("begin");
        assert!(tx.revoke_token(listed[0].id).await.expect("revoke"));
        tx.commit().await.expect("commit");
        assert!(
            store.actor_by_token(&token).await.expect("read").is_none(),
            "[{kind}]"
        );
        assert!(
            store.actor_by_token(&other).await.expect("read").is_some(),
            "[{kind}]"
        );
        assert!(store.tokens(Some("lan")).await.expect("tokens")[0].revoked);
        let mut tx = store.begin_write("cli").await.expect("begin");
        assert!(!tx.revoke_token(listed[0].id).await.expect("again"));
        assert!(tx.revoke_token(999).await.is_err(), "[{kind}] unknown id");
    }
}

#[tokio::test]
async fn grants_are_added_and_removed_without_touching_the_password() {
    for kind in backends() {
        let (store, _, _dir) = fresh(kind).await;
        let (session, _) = staff(&store, "minh", "mat-khau-dau-tien").await;
        let other = hash_password("mat-khau-khac-han").expect("hash");
        let mut tx = store.begin_write("cli").await.expect("begin");
        let created = tx
            .add_user("minh", &other, Role::Verifier, Some("vhtt"))
            .await
            .expect("grant");
        assert!(!created);
        tx.commit().await.expect("commit");
        let user = store
            .user_by_name("minh")
            .await
            .expect("read")
            .expect("user");
        assert!(
            verify_password("mat-khau-dau-tien", &user.password_hash),
            "[{kind}]"
        );
        let actor = store
            .actor_by_session(&session)
            .await
            .expect("read")
            .expect("actor");
        assert_eq!(actor.grants.len(), 2, "[{kind}]");

        let mut tx = store.begin_write("cli").await.expect("begin");
        tx.remove_grant("minh", Role::Intake, None)
            .await
            .expect("remove");
        tx.commit().await.expect("commit");
        let actor = store
            .actor_by_session(&session)
            .await
            .expect("read")
            .expect("actor");
        assert_eq!(
            actor.grants,
            vec![Grant {
                role: Role::Verifier,
                agency: Some("vhtt".into())
            }],
            "[{kind}] the next request sees the change"
        );
        let mut tx = store.begin_write("cli").await.expect("begin");
        assert!(
            tx.remove_grant("minh", Role::Verifier, None).await.is_err(),
            "[{kind}] the district-wide grant is not the agency one"
        );
        drop(tx);

        let mut tx = store.begin_write("cli").await.expect("begin");
        tx.set_password("minh", &other).await.expect("reset");
        tx.commit().await.expect("commit");
        let user = store
            .user_by_name("minh")
            .await
            .expect("read")
            .expect("user");
        assert!(verify_password("mat-khau-khac-han", &user.password_hash));
        assert!(
            store
                .actor_by_session(&session)
                .await
                .expect("read")
                .is_none(),
            "[{kind}] a new password ends the sessions opened with the old one"
        );
        store.audit_verify().await.expect("chain intact");
    }
}
