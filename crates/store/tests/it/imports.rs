use crate::support::{backends, fresh};
use kc_store::{IntakeTarget, NewReportRecord};

fn report(receipt: &str, key: Option<&str>) -> NewReportRecord {
    NewReportRecord {
        receipt: receipt.into(),
        channel: "import".into(),
        text: "tin đồn từ nguồn theo dõi".into(),
        urls: vec![],
        content_hash: "hash-import".into(),
        contact: None,
        contact_purge_after: "2000-01-01T00:00:00.000Z".into(),
        target: IntakeTarget::NewCase {
            priority: "normal".into(),
            harm_category: None,
            deadline: None,
        },
        import_key: key.map(str::to_string),
        files: vec![],
    }
}

#[tokio::test]
async fn an_import_key_is_recorded_with_its_report_and_only_once() {
    for kind in backends() {
        let (store, _, _dir) = fresh(kind).await;
        assert_eq!(
            store.imported_receipt("feed#id:1").await.expect("read"),
            None
        );
        let mut tx = store.begin_write("public:import").await.expect("begin");
        tx.record_report(&report("KC-IMPO-0001", Some("feed#id:1")))
            .await
            .expect("record");
        tx.commit().await.expect("commit");
        assert_eq!(
            store
                .imported_receipt("feed#id:1")
                .await
                .expect("read")
                .as_deref(),
            Some("KC-IMPO-0001"),
            "[{kind}]"
        );
        // The same key twice is refused, and the report that came with it is not kept.
        let mut tx = store.begin_write("public:import").await.expect("begin");
        let again = tx
            .record_report(&report("KC-IMPO-0002", Some("feed#id:1")))
            .await;
        assert!(again.is_err(), "[{kind}] a key is taken once");
        drop(tx);
        assert_eq!(
            store
                .report_by_receipt("KC-IMPO-0002")
                .await
                .expect("read")
                .map(|r| r.receipt),
            None,
            "[{kind}]"
        );
    }
}
