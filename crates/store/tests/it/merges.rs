use crate::support::{backends, fresh};
use kc_store::{IntakeTarget, NewReportRecord, Store, StoreError};

async fn open_case(store: &Store, text: &str) -> i64 {
    let mut tx = store.begin_write("public:web").await.expect("begin");
    let recorded = tx
        .record_report(&NewReportRecord {
            receipt: format!("KC-M{}", text.len()),
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

async fn merge(
    store: &Store,
    case: i64,
    into: i64,
    into_state: &str,
) -> Result<Vec<i64>, StoreError> {
    let mut tx = store.begin_write("lan").await.expect("begin");
    let moved = tx
        .merge_case(case, ("new", "merged"), into, into_state, Some("cùng tin"))
        .await?;
    tx.commit().await.expect("commit");
    Ok(moved)
}

#[tokio::test]
async fn a_merged_case_counts_its_reports_on_the_case_kept_and_is_recorded_for_good() {
    for kind in backends() {
        let (store, _, _dir) = fresh(kind).await;
        let a = open_case(&store, "tin đồn mất điện cả huyện").await;
        let b = open_case(&store, "nghe nói cả huyện sắp bị cắt điện").await;
        let c = open_case(&store, "cả huyện mất điện ba ngày").await;

        assert_eq!(
            merge(&store, b, a, "new").await.expect("merge"),
            Vec::<i64>::new()
        );
        let kept = store.case(a).await.expect("read").expect("case");
        assert_eq!(kept.reports, 2, "[{kind}]");
        let dup = store.case(b).await.expect("read").expect("case");
        assert_eq!(
            (dup.state.as_str(), dup.merged_into),
            ("merged", Some(a)),
            "[{kind}]"
        );
        let mut open: Vec<i64> = store
            .open_case_claims()
            .await
            .expect("read")
            .into_iter()
            .map(|(id, _)| id)
            .collect();
        open.sort_unstable();
        // The duplicate's wording stays among the open claims while the case kept is open:
        // the desk resolves it to that case.
        assert_eq!(open, vec![a, b, c], "[{kind}]");

        // The case kept moved meanwhile: a conflict, and nothing of the merge is written.
        let r = merge(&store, c, a, "assigned").await;
        assert!(
            matches!(r, Err(StoreError::Conflict { id, .. }) if id == a),
            "[{kind}] {r:?}"
        );
        let c_now = store.case(c).await.expect("read").expect("case");
        assert_eq!(
            (c_now.state.as_str(), c_now.merged_into),
            ("new", None),
            "[{kind}]"
        );
        assert!(store.merge(c).await.expect("read").is_none(), "[{kind}]");
        // Nor into a case that is itself merged, whatever state the caller expected.
        let r = merge(&store, c, b, "merged").await;
        assert!(
            matches!(r, Err(StoreError::Conflict { .. })),
            "[{kind}] {r:?}"
        );

        // Merging the case kept takes its duplicates along; the first merge stays as done.
        assert_eq!(
            merge(&store, a, c, "new").await.expect("merge"),
            vec![b],
            "[{kind}]"
        );
        let b_now = store.case(b).await.expect("read").expect("case");
        assert_eq!(b_now.merged_into, Some(c), "[{kind}]");
        assert_eq!(
            store.merge(b).await.expect("read").expect("kept").into_case,
            a
        );
        assert_eq!(
            store.case(c).await.expect("read").expect("case").reports,
            3,
            "[{kind}]"
        );
        let d = store.case_detail(c).await.expect("read").expect("case");
        assert_eq!(
            (d.reports.len(), d.merged_cases.clone()),
            (3, vec![a, b]),
            "[{kind}]"
        );

        for sql in [
            "UPDATE case_merges SET into_case = 1".to_string(),
            "DELETE FROM case_merges".to_string(),
            format!("INSERT INTO case_merges (case_id, into_case, merged_by, merged_at) VALUES ({c}, {c}, 'x', 'y')"),
        ] {
            let r = sqlx::raw_sql(&sql).execute(store.pool()).await;
            assert!(r.is_err(), "[{kind}] `{sql}` was allowed");
        }
        let events = store
            .audit_events_for("case", &a.to_string())
            .await
            .expect("audit");
        let event = events
            .iter()
            .find(|e| e.action == "case.merge")
            .expect("audited");
        assert!(
            event.data.contains(&format!("\"also_moved\":[{b}]")),
            "[{kind}] {}",
            event.data
        );
        store.audit_verify().await.expect("intact");
    }
}
