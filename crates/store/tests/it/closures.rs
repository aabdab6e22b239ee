use crate::support::{backends, fresh};
use kc_store::{IntakeTarget, NewReportRecord, Store, StoreError};

async fn open_case(store: &Store, text: &str) -> i64 {
    let mut tx = store.begin_write("public:web").await.expect("begin");
    let recorded = tx
        .record_report(&NewReportRecord {
            receipt: format!("KC-{}", text.len()),
            channel: "web".into(),
            text: text.into(),
            urls: vec![],
            content_hash: format!("hash-{text}"),
            contact: None,
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
    recorded.case_id
}

#[tokio::test]
async fn a_closed_case_is_kept_with_its_reason_and_leaves_the_open_claims() {
    for kind in backends() {
        let (store, _, _dir) = fresh(kind).await;
        let spam = open_case(&store, "mua hàng giảm giá").await;
        let other = open_case(&store, "tin đồn mất điện cả huyện").await;
        let mut tx = store.begin_write("lan").await.expect("begin");
        tx.close_case(spam, "new", "closed", "spam", "Quảng cáo")
            .await
            .expect("close");
        tx.commit().await.expect("commit");

        let open: Vec<i64> = store
            .open_case_claims()
            .await
            .expect("read")
            .into_iter()
            .map(|(id, _)| id)
            .collect();
        assert_eq!(open, vec![other], "[{kind}]");
        let d = store.case_detail(spam).await.expect("read").expect("kept");
        assert_eq!(d.case.state, "closed");
        let c = d.closure.expect("closure");
        assert_eq!(
            (c.reason.as_deref(), c.note.as_deref(), c.closed_by.as_str()),
            (Some("spam"), Some("Quảng cáo"), "lan"),
            "[{kind}]"
        );
        assert_eq!(c.publication_id, None);
        let events = store
            .audit_events_for("case", &spam.to_string())
            .await
            .expect("audit");
        let close = events
            .iter()
            .find(|e| e.action == "case.close")
            .expect("audited");
        assert!(close.data.contains("Quảng cáo"), "[{kind}] {}", close.data);

        // A second closure of the same case is a conflict, not a second row.
        let mut tx = store.begin_write("lan").await.expect("begin");
        let again = tx.close_case(spam, "new", "closed", "no_action", "x").await;
        assert!(
            matches!(again, Err(StoreError::Conflict { .. })),
            "[{kind}]"
        );
        drop(tx);

        for sql in [
            "UPDATE case_closures SET reason = 'no_action'",
            "DELETE FROM case_closures",
            "INSERT INTO case_closures (case_id, closed_by, closed_at) VALUES (2, 'x', 'y')",
        ] {
            let r = sqlx::raw_sql(sql).execute(store.pool()).await;
            assert!(r.is_err(), "[{kind}] `{sql}` was allowed");
        }
        store.audit_verify().await.expect("intact");
    }
}

/// A database created before closures existed gains the table on the next start, with its
/// cases untouched.
#[tokio::test]
async fn a_database_from_the_first_schema_migrates_forward() {
    for kind in backends() {
        let (store, url, _dir) = fresh(kind).await;
        let id = open_case(&store, "tin đồn trước khi nâng cấp").await;
        // Back to the first schema, as a desk installed before this migration has it.
        let drop = match kind {
            "sqlite" => {
                "DROP TRIGGER case_closures_no_update; DROP TRIGGER case_closures_no_delete;"
            }
            _ => "DROP TRIGGER case_closures_immutable ON case_closures;",
        };
        sqlx::raw_sql(&format!(
            "{drop} DROP TABLE case_closures; DELETE FROM schema_migrations WHERE version = 2;"
        ))
        .execute(store.pool())
        .await
        .expect("downgrade");
        store.close().await;

        let again = Store::open(&url).await.expect("migrate forward");
        let mut tx = again.begin_write("lan").await.expect("begin");
        tx.close_case(id, "new", "closed", "out_of_scope", "Việc dân sự")
            .await
            .expect("close after upgrade");
        tx.commit().await.expect("commit");
        let d = again.case_detail(id).await.expect("read").expect("case");
        assert_eq!(d.case.state, "closed", "[{kind}]");
        assert_eq!(
            d.closure.and_then(|c| c.reason).as_deref(),
            Some("out_of_scope")
        );
        again.audit_verify().await.expect("intact");
    }
}

#[tokio::test]
async fn case_lists_keep_every_open_case_and_only_the_newest_finished_ones() {
    for kind in backends() {
        let (store, _, _dir) = fresh(kind).await;
        let oldest_open = open_case(&store, "tin cũ vẫn chờ xử lý").await;
        let mut finished = Vec::new();
        for i in 0..3 {
            let id = open_case(&store, &format!("quảng cáo số {i} {}", "x".repeat(i))).await;
            let mut tx = store.begin_write("lan").await.expect("begin");
            tx.close_case(id, "new", "closed", "spam", "Quảng cáo")
                .await
                .expect("close");
            tx.commit().await.expect("commit");
            finished.push(id);
        }
        let newest_open = open_case(&store, "tin mới nhất cần kiểm chứng ngay").await;
        let ids: Vec<i64> = store
            .list_cases(None, 1)
            .await
            .expect("list")
            .into_iter()
            .map(|c| c.id)
            .collect();
        assert_eq!(ids, [newest_open, finished[2], oldest_open], "[{kind}]");
        let closed: Vec<i64> = store
            .list_cases(Some("closed"), 2)
            .await
            .expect("list")
            .into_iter()
            .map(|c| c.id)
            .collect();
        assert_eq!(closed, [finished[2], finished[1]], "[{kind}]");
    }
}
