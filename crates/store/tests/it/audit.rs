use crate::support::{backends, fresh};
use kc_desk::audit::ChainBreak;
use kc_store::{AuditVerifyError, IntakeTarget, NewReportRecord, Store};

async fn some_history(store: &Store, n: usize) {
    for i in 0..n {
        let mut tx = store.begin_write("public:web").await.expect("begin");
        tx.record_report(&NewReportRecord {
            receipt: format!("KC-TEST-{i:04}"),
            channel: "web".into(),
            text: format!("tin đồn số {i}"),
            urls: vec![],
            content_hash: format!("hash-{i}"),
            contact: (i == 0).then(|| "0900000000".to_string()),
            contact_purge_after: "2000-01-01T00:00:00.000Z".into(),
            target: IntakeTarget::NewCase {
                priority: "normal".into(),
                harm_category: None,
                deadline: None,
            },
            import_key: None,
            files: vec![],
        })
        .await
        .expect("record");
        tx.commit().await.expect("commit");
    }
}

/// Simulates someone with direct database access, who can drop our triggers first.
async fn tamper(store: &Store, kind: &str, sql: &str) {
    let drop = match kind {
        "sqlite" => "DROP TRIGGER audit_no_update; DROP TRIGGER audit_no_delete;",
        _ => "DROP TRIGGER audit_append_only ON audit_events;",
    };
    sqlx::raw_sql(&format!("{drop} {sql}"))
        .execute(store.pool())
        .await
        .expect("tamper");
}

#[tokio::test]
async fn audit_chain_verifies_and_names_the_first_altered_row() {
    for kind in backends() {
        let (store, _, _dir) = fresh(kind).await;
        some_history(&store, 4).await;
        let n = store.audit_verify().await.expect("intact");
        assert_eq!(n, 8, "[{kind}] a case.open and a report.receive per report");
        tamper(
            &store,
            kind,
            "UPDATE audit_events SET data = '{}' WHERE seq = 5",
        )
        .await;
        match store.audit_verify().await {
            Err(AuditVerifyError::Broken(ChainBreak::Altered { seq })) => {
                assert_eq!(seq, 5, "[{kind}]")
            }
            other => panic!("[{kind}] expected an altered row, got {other:?}"),
        }
    }
}

#[tokio::test]
async fn audit_chain_names_a_removed_row_and_a_removed_tail() {
    for kind in backends() {
        let (store, _, _dir) = fresh(kind).await;
        some_history(&store, 3).await;
        tamper(&store, kind, "DELETE FROM audit_events WHERE seq = 6").await;
        match store.audit_verify().await {
            Err(AuditVerifyError::Broken(ChainBreak::Truncated {
                seq: 5,
                head_seq: 6,
            })) => {}
            other => panic!("[{kind}] expected a removed tail, got {other:?}"),
        }
        sqlx::raw_sql("DELETE FROM audit_events WHERE seq = 2")
            .execute(store.pool())
            .await
            .expect("delete");
        match store.audit_verify().await {
            Err(AuditVerifyError::Broken(ChainBreak::Missing { seq: 2, found: 3 })) => {}
            other => panic!("[{kind}] expected a missing row, got {other:?}"),
        }
    }
}

#[tokio::test]
async fn reports_and_audit_rows_cannot_be_changed_through_sql() {
    for kind in backends() {
        let (store, _, _dir) = fresh(kind).await;
        some_history(&store, 1).await;
        for sql in [
            "UPDATE reports SET text = 'khác' WHERE id = 1",
            "DELETE FROM reports",
            "UPDATE audit_events SET actor = 'x'",
            "DELETE FROM audit_events",
        ] {
            let r = sqlx::raw_sql(sql).execute(store.pool()).await;
            assert!(r.is_err(), "[{kind}] `{sql}` was allowed");
        }
        store.audit_verify().await.expect("still intact");
    }
}

#[tokio::test]
async fn contacts_are_kept_apart_and_purged() {
    for kind in backends() {
        let (store, _, _dir) = fresh(kind).await;
        some_history(&store, 2).await;
        let report = store
            .report_by_receipt("KC-TEST-0000")
            .await
            .expect("read")
            .expect("report");
        assert_eq!(
            store.contact_of(report.id).await.expect("read").as_deref(),
            Some("0900000000")
        );
        let mut tx = store.begin_write("system").await.expect("begin");
        let n = tx
            .purge_contacts("2026-01-01T00:00:00.000Z")
            .await
            .expect("purge");
        tx.commit().await.expect("commit");
        assert_eq!(n, 1, "[{kind}]");
        assert_eq!(store.contact_of(report.id).await.expect("read"), None);
        let still = store
            .report_by_receipt("KC-TEST-0000")
            .await
            .expect("read")
            .expect("report");
        assert_eq!(
            still.text, report.text,
            "[{kind}] the report itself is untouched"
        );
        store.audit_verify().await.expect("intact");
    }
}

#[tokio::test]
async fn reopening_a_database_keeps_data_and_does_not_rerun_migrations() {
    for kind in backends() {
        let (store, url, _dir) = fresh(kind).await;
        some_history(&store, 2).await;
        store.close().await;
        let again = Store::open(&url).await.expect("reopen");
        assert_eq!(again.audit_verify().await.expect("intact"), 4, "[{kind}]");
        assert!(again
            .report_by_receipt("KC-TEST-0001")
            .await
            .expect("read")
            .is_some());
    }
}

#[tokio::test]
async fn concurrent_writers_keep_one_unbroken_chain() {
    for kind in backends() {
        let (store, _, _dir) = fresh(kind).await;
        let mut tasks = Vec::new();
        for w in 0..4 {
            let store = store.clone();
            tasks.push(tokio::spawn(async move {
                for i in 0..10 {
                    let mut tx = store
                        .begin_write(&format!("writer{w}"))
                        .await
                        .expect("begin");
                    tx.audit(
                        "test.write",
                        "test",
                        format!("{w}-{i}"),
                        serde_json::json!({}),
                    )
                    .await
                    .expect("audit");
                    tx.commit().await.expect("commit");
                }
            }));
        }
        for t in tasks {
            t.await.expect("task");
        }
        assert_eq!(store.audit_verify().await.expect("intact"), 40, "[{kind}]");
    }
}

#[tokio::test]
async fn unsupported_urls_are_refused_clearly() {
    let err = Store::open("mysql://u:secret@h/db")
        .await
        .expect_err("refused");
    let msg = err.to_string();
    assert!(msg.contains("unsupported database URL"), "{msg}");
    assert!(!msg.contains("secret"), "the password leaked: {msg}");
}
