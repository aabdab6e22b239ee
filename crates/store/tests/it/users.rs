use crate::support::{backends, fresh};
use chrono::{Duration, Utc};
use kc_desk::auth::{hash_password, new_secret, verify_password};
use kc_desk::{Grant, Role};
use kc_store::{Store, TokenCheck};

/// An account with one grant, a console session and an API token; returns their secrets'
/// digests (session, token).
async fn staff(store: &Store, name: &str, password: &str) -> (String, String) {
    let hash = hash_password(password).expect("hash");
    let (_, token) = new_secret("kct_");
    let mut tx = store.begin_write("test").await.expect("begin");
    tx.add_user(name, &hash, Role::Intake, None)
        .await
        .expect("add");
    let until = Utc::now() + Duration::days(90);
    tx.create_token(name, "api", &token, until)
        .await
        .expect("token");
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

/// Whether the token (its digest) acts for someone now.
async fn valid(store: &Store, token: &str) -> bool {
    matches!(
        store.actor_by_token(token, Utc::now()).await.expect("read"),
        TokenCheck::Valid(_)
    )
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
        assert!(valid(&store, &token).await);

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
        assert!(!valid(&store, &token).await, "[{kind}]");
        let mut tx = store.begin_write("cli").await.expect("begin");
        assert!(
            !tx.set_user_disabled("lan", true).await.expect("again"),
            "[{kind}] no-op"
        );
        drop(tx);

        let mut tx = store.begin_write("cli").await.expect("begin");
        assert!(tx.set_user_disabled("lan", false).await.expect("enable"));
        tx.commit().await.expect("commit");
        assert!(valid(&store, &token).await, "[{kind}]");
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
        assert!(!valid(&store, &token).await, "[{kind}]");
        assert!(valid(&store, &other).await, "[{kind}]");
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

#[tokio::test]
async fn a_token_expires_at_its_date_on_the_clock_it_is_given() {
    for kind in backends() {
        let (store, _, _dir) = fresh(kind).await;
        let hash = hash_password("mat-khau-cua-lan").expect("hash");
        let (_, token) = new_secret("kct_");
        let until = Utc::now() + Duration::days(90);
        let mut tx = store.begin_write("cli").await.expect("begin");
        tx.add_user("lan", &hash, Role::Intake, None)
            .await
            .expect("add");
        tx.create_token("lan", "feed", &token, until)
            .await
            .expect("token");
        tx.commit().await.expect("commit");

        let at = |t| store.actor_by_token(&token, t);
        let just_before = until - Duration::seconds(1);
        assert!(
            matches!(at(just_before).await.expect("read"), TokenCheck::Valid(_)),
            "[{kind}]"
        );
        match at(until).await.expect("read") {
            TokenCheck::Expired { expires_at } => {
                assert_eq!(expires_at, kc_store::fmt_time(until), "[{kind}]");
            }
            other => panic!("[{kind}] expired at its date, got {other:?}"),
        }
        let listed = store.tokens(Some("lan")).await.expect("tokens");
        assert_eq!(listed[0].expires_at, Some(kc_store::fmt_time(until)));
        assert!(!listed[0].expired(just_before) && listed[0].expired(until));

        // Renewed from the moment it had lapsed: valid again on that clock.
        let mut tx = store.begin_write("cli").await.expect("begin");
        let later = until + Duration::days(30);
        assert!(tx.renew_token(listed[0].id, later).await.expect("renew"));
        tx.commit().await.expect("commit");
        assert!(matches!(
            at(until).await.expect("read"),
            TokenCheck::Valid(_)
        ));

        // A revoked token is refused outright, whatever its date.
        let mut tx = store.begin_write("cli").await.expect("begin");
        assert!(tx.revoke_token(listed[0].id).await.expect("revoke"));
        tx.commit().await.expect("commit");
        for t in [just_before, later] {
            assert!(
                matches!(at(t).await.expect("read"), TokenCheck::Refused),
                "[{kind}]"
            );
        }
        store.audit_verify().await.expect("chain intact");
    }
}

#[tokio::test]
async fn tokens_from_before_expiry_existed_get_ninety_days_from_the_upgrade() {
    for kind in backends() {
        let (store, url, _dir) = fresh(kind).await;
        let (_, token) = staff(&store, "lan", "mat-khau-cua-lan").await;
        // Back to the schema before migration 8, as a desk installed earlier has it.
        sqlx::raw_sql(
            "ALTER TABLE api_tokens DROP COLUMN expires_at; \
             DELETE FROM schema_migrations WHERE version = 8",
        )
        .execute(store.pool())
        .await
        .expect("downgrade");
        store.pool().close().await;

        let before = Utc::now();
        let store = Store::open(&url).await.expect("upgrade");
        let after = Utc::now();
        let listed = store.tokens(Some("lan")).await.expect("tokens");
        let expires_at = listed[0]
            .expires_at
            .clone()
            .expect("dated by the migration");
        let expires_at = chrono::DateTime::parse_from_rfc3339(&expires_at)
            .expect("RFC 3339 like every stored time")
            .with_timezone(&Utc);
        // The database clock may round to the millisecond.
        let slack = Duration::seconds(1);
        assert!(
            expires_at >= before + Duration::days(90) - slack
                && expires_at <= after + Duration::days(90) + slack,
            "[{kind}] {expires_at} is 90 days after the upgrade ({before} – {after})"
        );
        assert!(
            matches!(
                store
                    .actor_by_token(&token, Utc::now())
                    .await
                    .expect("read"),
                TokenCheck::Valid(_)
            ),
            "[{kind}] still works until then"
        );
        assert!(
            matches!(
                store
                    .actor_by_token(&token, after + Duration::days(91))
                    .await
                    .expect("read"),
                TokenCheck::Expired { .. }
            ),
            "[{kind}] and not after"
        );
    }
}

/// A database whose migration of some number was another migration (made by a build whose
/// migrations were numbered otherwise) is refused, not upgraded past the one it lacks.
#[tokio::test]
async fn a_database_from_a_build_numbered_otherwise_is_refused() {
    for kind in crate::support::backends() {
        let (store, url, _dir) = crate::support::fresh(kind).await;
        sqlx::query("UPDATE schema_migrations SET name = 'token_expiry' WHERE version = 7")
            .execute(store.pool())
            .await
            .expect("rename");
        store.close().await;
        let err = match kc_store::Store::open(&url).await {
            Ok(_) => panic!("[{kind}] a database from another build was opened"),
            Err(e) => e.to_string(),
        };
        assert!(
            err.contains("migration 7")
                && err.contains("`token_expiry`")
                && err.contains("`articles`"),
            "[{kind}] {err}"
        );
    }
}

/// A change the database refuses because another ran at the same moment is told apart from
/// a failure: the desk answers 409 "try again", not 500.
#[tokio::test]
async fn a_change_refused_for_a_concurrent_one_is_contention() {
    for kind in crate::support::backends() {
        let (store, url, _dir) = crate::support::fresh(kind).await;
        store.close().await;
        sqlx::any::install_default_drivers();
        let one = sqlx::AnyPool::connect(&url).await.expect("connect");
        let two = sqlx::AnyPool::connect(&url).await.expect("connect");
        let err = if kind == "sqlite" {
            // A second writer that will not wait for the first is refused as busy.
            let mut a = one.acquire().await.expect("conn");
            let mut b = two.acquire().await.expect("conn");
            sqlx::raw_sql("PRAGMA busy_timeout = 0")
                .execute(&mut *b)
                .await
                .expect("pragma");
            sqlx::raw_sql("BEGIN IMMEDIATE")
                .execute(&mut *a)
                .await
                .expect("first writer");
            let err = sqlx::raw_sql("BEGIN IMMEDIATE")
                .execute(&mut *b)
                .await
                .expect_err("busy");
            sqlx::raw_sql("ROLLBACK")
                .execute(&mut *a)
                .await
                .expect("end");
            err
        } else {
            // Two transactions that each hold the row the other wants: a deadlock.
            sqlx::raw_sql("CREATE TABLE contention (id INT PRIMARY KEY); INSERT INTO contention VALUES (1), (2)")
                .execute(&one)
                .await
                .expect("table");
            let mut a = one.begin().await.expect("tx");
            let mut b = two.begin().await.expect("tx");
            let lock = |id: i64| format!("UPDATE contention SET id = id WHERE id = {id}");
            sqlx::raw_sql(&lock(1))
                .execute(&mut *a)
                .await
                .expect("a holds 1");
            sqlx::raw_sql(&lock(2))
                .execute(&mut *b)
                .await
                .expect("b holds 2");
            let (two_sql, one_sql) = (lock(2), lock(1));
            let (ra, rb) = tokio::join!(
                sqlx::raw_sql(&two_sql).execute(&mut *a),
                sqlx::raw_sql(&one_sql).execute(&mut *b),
            );
            match (ra, rb) {
                (Err(e), _) | (_, Err(e)) => e,
                _ => panic!("no deadlock"),
            }
        };
        let err = kc_store::StoreError::Db(err);
        assert!(err.is_contention(), "[{kind}] {err}");
        assert!(!kc_store::StoreError::NotFound("x".into()).is_contention());
    }
}
