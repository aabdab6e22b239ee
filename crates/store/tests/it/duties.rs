use crate::support::{backends, fresh};
use chrono::NaiveDate;
use kc_desk::duty::ValidProgress;

fn progress(summary: &str, corrects: Option<i64>) -> ValidProgress {
    let day = |d| NaiveDate::from_ymd_opt(2026, 11, d).expect("date");
    ValidProgress {
        duty: "3.2-ra-soat".into(),
        agency: "ca".into(),
        from: day(1),
        to: day(20),
        summary: summary.into(),
        count: Some(12),
        unit: Some("trang".into()),
        links: vec!["https://ngochoi.kontum.gov.vn/tin".into()],
        corrects,
    }
}

/// Progress is read back as recorded, a correction names the entry it replaces (once), the
/// audit event names the duty and agency but not the text, and no entry can be edited or
/// removed.
#[tokio::test]
async fn progress_on_a_duty_is_kept_as_recorded_with_its_audit_event() {
    for kind in backends() {
        let (store, _, _dir) = fresh(kind).await;
        let mut tx = store.begin_write("lan").await.expect("begin");
        let first = tx
            .record_duty_progress(&progress("Rà soát 12 trang, phát hiện 3 tin sai", None))
            .await
            .expect("record");
        tx.commit().await.expect("commit");
        let mut tx = store.begin_write("lan").await.expect("begin");
        let fixed = tx
            .record_duty_progress(&ValidProgress {
                count: None,
                unit: None,
                links: vec![],
                ..progress("Rà soát 14 trang, phát hiện 3 tin sai", Some(first))
            })
            .await
            .expect("record a correction");
        tx.commit().await.expect("commit");

        let all = store.duty_progress(Some("ca")).await.expect("read");
        assert_eq!(all.len(), 2, "[{kind}]");
        let (a, b) = (&all[0], &all[1]);
        assert_eq!(
            (a.id, a.count, a.unit.as_deref(), a.recorded_by.as_str()),
            (first, Some(12), Some("trang"), "lan"),
            "[{kind}]"
        );
        assert_eq!(a.links, ["https://ngochoi.kontum.gov.vn/tin"], "[{kind}]");
        assert_eq!((b.corrects, b.count, b.links.len()), (Some(first), None, 0));
        assert!(store
            .duty_progress(Some("vhtt"))
            .await
            .expect("read")
            .is_empty());
        let (entry, corrected) = store
            .duty_progress_entry(first)
            .await
            .expect("read")
            .expect("kept");
        assert!(corrected, "[{kind}]");
        assert_eq!(entry.summary, "Rà soát 12 trang, phát hiện 3 tin sai");
        assert!(store
            .duty_progress_entry(999)
            .await
            .expect("read")
            .is_none());

        let events = store
            .audit_events_for("duty_progress", &first.to_string())
            .await
            .expect("audit");
        let event = events
            .iter()
            .find(|e| e.action == "duty.progress")
            .expect("audited");
        assert!(
            event.data.contains("3.2-ra-soat"),
            "[{kind}] {}",
            event.data
        );
        assert!(!event.data.contains("Rà soát"), "[{kind}] {}", event.data);

        // A second correction of the same entry would leave two versions standing.
        let mut tx = store.begin_write("lan").await.expect("begin");
        assert!(
            tx.record_duty_progress(&progress("lần nữa", Some(first)))
                .await
                .is_err(),
            "[{kind}]"
        );
        drop(tx);
        for sql in [
            "UPDATE duty_progress SET summary = 'khác'",
            "DELETE FROM duty_progress",
        ] {
            let refused = sqlx::raw_sql(sql).execute(store.pool()).await;
            assert!(refused.is_err(), "[{kind}] {sql} must be refused");
        }
        let kept: Vec<i64> = store
            .duty_progress(None)
            .await
            .expect("read")
            .iter()
            .map(|e| e.id)
            .collect();
        assert_eq!(kept, [first, fixed], "[{kind}]");
    }
}
