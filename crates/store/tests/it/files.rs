//! Files of reports and evidence: stored once per content, read back as sent, purged after
//! retention unless the case is open or an officer kept them as evidence.

use crate::support::{backends, fresh};
use kc_store::{IntakeTarget, NewEvidenceFile, NewFile, NewReportRecord, Store};
use sha2::{Digest, Sha256};

fn file(bytes: &[u8]) -> NewFile {
    NewFile {
        sha256: hex::encode(Sha256::digest(bytes)),
        media_type: "png".into(),
        bytes: bytes.to_vec(),
    }
}

async fn report(
    store: &Store,
    text: &str,
    target: IntakeTarget,
    files: Vec<NewFile>,
) -> (i64, i64) {
    let mut tx = store.begin_write("public:web").await.expect("begin");
    let recorded = tx
        .record_report(&NewReportRecord {
            receipt: format!("KC-F-{}", text.len()),
            channel: "web".into(),
            text: text.into(),
            urls: vec![],
            content_hash: format!("hash-{text}"),
            contact: None,
            contact_purge_after: "2000-01-01T00:00:00.000Z".into(),
            target,
            import_key: None,
            files,
        })
        .await
        .expect("record");
    tx.commit().await.expect("commit");
    (recorded.report_id, recorded.case_id)
}

fn new_case() -> IntakeTarget {
    IntakeTarget::NewCase {
        priority: "normal".into(),
        harm_category: None,
        deadline: None,
    }
}

async fn purge(store: &Store, before: &str) -> kc_store::FilesPurged {
    let mut tx = store.begin_write("system:retention").await.expect("begin");
    let n = tx.purge_report_files(before).await.expect("purge");
    tx.commit().await.expect("commit");
    n
}

#[tokio::test]
async fn a_reports_files_are_stored_once_per_content_and_read_back_as_sent() {
    for kind in backends() {
        let (store, _, _dir) = fresh(kind).await;
        // Every byte value, so an encoding that mangles binary data would show.
        let a: Vec<u8> = (0..=255u8).cycle().take(3000).collect();
        let b = b"\x89PNG second".to_vec();
        let (r1, case) = report(
            &store,
            "tin đồn có ảnh",
            new_case(),
            vec![file(&a), file(&b)],
        )
        .await;
        // The same screenshot sent again by someone else is the same stored content.
        let (r2, _) = report(
            &store,
            "tin đồn có ảnh, lần hai",
            IntakeTarget::JoinCase { case_id: case },
            vec![file(&a)],
        )
        .await;
        assert_eq!(
            store.file_hashes().await.expect("hashes").len(),
            2,
            "[{kind}]"
        );
        let got = store
            .file(&file(&a).sha256)
            .await
            .expect("read")
            .expect("held");
        assert_eq!(
            (got.media_type.as_str(), got.bytes),
            ("png", a.clone()),
            "[{kind}]"
        );
        assert!(store.file(&"0".repeat(64)).await.expect("read").is_none());

        let files = store.case_files(case).await.expect("files");
        let listed: Vec<(i64, i64, i64)> = files
            .reports
            .iter()
            .map(|f| (f.report_id, f.position, f.size))
            .collect();
        assert_eq!(
            listed,
            vec![(r1, 1, 3000), (r1, 2, b.len() as i64), (r2, 1, 3000)],
            "[{kind}]"
        );
        assert_eq!(store.report_file_count(r1).await.expect("count"), 2);
        // The audit event counts the files, naming neither their bytes nor their hashes.
        let events = store
            .audit_events_for("report", &r1.to_string())
            .await
            .expect("events");
        let data: serde_json::Value = serde_json::from_str(&events[0].data).expect("json");
        assert_eq!(data["files"], 2, "[{kind}]");
        assert!(!events[0].data.contains(&file(&a).sha256), "[{kind}]");
        store.audit_verify().await.expect("chain intact");
    }
}

#[tokio::test]
async fn the_purge_spares_open_cases_and_kept_evidence_and_drops_orphans() {
    for kind in backends() {
        let (store, _, _dir) = fresh(kind).await;
        let (kept, shared, gone, open) = (
            b"kept".to_vec(),
            b"shared".to_vec(),
            b"gone".to_vec(),
            b"open".to_vec(),
        );
        let (_, closed_case) = report(
            &store,
            "ảnh của hồ sơ đã đóng",
            new_case(),
            vec![file(&kept), file(&shared), file(&gone)],
        )
        .await;
        let (closed_report, _) = (
            store
                .case_detail(closed_case)
                .await
                .expect("d")
                .expect("case")
                .reports[0]
                .id,
            (),
        );
        let (_, open_case) = report(
            &store,
            "ảnh của hồ sơ đang xử lý",
            new_case(),
            vec![file(&open), file(&shared)],
        )
        .await;
        let mut tx = store.begin_write("lan").await.expect("begin");
        tx.close_case(closed_case, "new", "closed", "spam", "Quảng cáo")
            .await
            .expect("close");
        // The officer keeps one screenshot past the reports' retention.
        tx.add_evidence_file(&NewEvidenceFile {
            case_id: closed_case,
            file: None,
            sha256: file(&kept).sha256,
            source_url: None,
            note: Some("Giữ để đối chiếu".into()),
            from_report_id: Some(closed_report),
        })
        .await
        .expect("keep");
        tx.commit().await.expect("commit");

        // Not yet past retention: nothing goes.
        let n = purge(&store, "2000-01-01T00:00:00.000Z").await;
        assert_eq!(n, kc_store::FilesPurged::default(), "[{kind}]");

        let n = purge(&store, "2999-01-01T00:00:00.000Z").await;
        assert_eq!((n.report_files, n.files), (3, 1), "[{kind}]");
        let left = store.file_hashes().await.expect("hashes");
        let mut want = vec![file(&kept).sha256, file(&shared).sha256, file(&open).sha256];
        want.sort();
        assert_eq!(
            left, want,
            "[{kind}] the open case's files and the evidence stay"
        );
        assert!(store
            .file(&file(&gone).sha256)
            .await
            .expect("read")
            .is_none());
        let closed = store.case_files(closed_case).await.expect("files");
        assert!(closed.reports.is_empty(), "[{kind}]");
        assert_eq!(closed.evidence.len(), 1);
        assert_eq!(closed.evidence[0].from_report_id, Some(closed_report));
        assert_eq!(closed.evidence[0].added_by, "lan");
        assert_eq!(
            store
                .case_files(open_case)
                .await
                .expect("files")
                .reports
                .len(),
            2
        );
        let events = store.audit_events_for("files", "*").await.expect("events");
        let last: serde_json::Value =
            serde_json::from_str(&events.last().expect("event").data).expect("json");
        assert_eq!(
            (last["report_files"].as_u64(), last["files"].as_u64()),
            (Some(3), Some(1))
        );
        store.audit_verify().await.expect("chain intact");
    }
}

#[tokio::test]
async fn stored_files_cannot_be_altered() {
    for kind in backends() {
        let (store, _, _dir) = fresh(kind).await;
        let f = file(b"noi dung");
        report(&store, "ảnh không sửa được", new_case(), vec![f.clone()]).await;
        let altered = sqlx::query("UPDATE files SET media_type = 'gif' WHERE sha256 = $1")
            .bind(f.sha256.clone())
            .execute(store.pool())
            .await;
        assert!(altered.is_err(), "[{kind}] a content-addressed row changed");
    }
}
