use crate::support::{backends, fresh};
use kc_desk::workflow::ValidDecision;
use kc_desk::{EvidenceInput, Remedy, Verdict};
use kc_store::{IntakeTarget, NewAppealRecord, NewPublication, NewReportRecord, Store, StoreError};

/// A report taken all the way to a publication; returns (case id, publication id).
async fn published(store: &Store) -> (i64, i64) {
    let mut tx = store.begin_write("public:web").await.expect("begin");
    let r = tx
        .record_report(&NewReportRecord {
            receipt: "KC-TEST-0001".into(),
            channel: "web".into(),
            text: "tin đồn hoàn tiền điện".into(),
            urls: vec![],
            content_hash: "hash-appeal".into(),
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
        .expect("report");
    tx.commit().await.expect("commit");
    let mut tx = store.begin_write("verifier1").await.expect("begin");
    let decision = tx
        .record_decision(
            r.case_id,
            "new",
            "in_review",
            &ValidDecision {
                verdict: Verdict::False,
                summary: "Sai.".into(),
                reasons: "Không có chương trình nào.".into(),
                evidence: vec![EvidenceInput {
                    url: None,
                    note: Some("Công văn".into()),
                }],
                legal_provisions: vec![],
                remedy: Remedy::Correction,
            },
        )
        .await
        .expect("decision");
    let publication = tx
        .publish(
            r.case_id,
            "in_review",
            "published",
            &NewPublication {
                slug: "tin-gia".into(),
                title: "Tin giả".into(),
                body: "Sai.".into(),
                claim_text: "tin đồn hoàn tiền điện".into(),
                verdict: "false".into(),
                decision_id: decision,
            },
        )
        .await
        .expect("publish");
    tx.commit().await.expect("commit");
    (r.case_id, publication)
}

#[tokio::test]
async fn an_appeal_keeps_its_contact_apart_and_is_decided_once() {
    for kind in backends() {
        let (store, _, _dir) = fresh(kind).await;
        let (case_id, publication_id) = published(&store).await;
        let mut tx = store.begin_write("public:web").await.expect("begin");
        let id = tx
            .record_appeal(&NewAppealRecord {
                receipt: "KC-APPE-0001".into(),
                publication_id,
                relation: "author".into(),
                reasons: "Bài của tôi bị hiểu sai.".into(),
                contact: Some("0912 345 678".into()),
                contact_purge_after: "2000-01-01T00:00:00.000Z".into(),
            })
            .await
            .expect("appeal");
        tx.commit().await.expect("commit");
        let a = store
            .appeal_by_receipt("KC-APPE-0001")
            .await
            .expect("read")
            .expect("stored");
        assert_eq!(
            (a.id, a.case_id, a.status.as_str()),
            (id, case_id, "pending"),
            "[{kind}]"
        );
        assert_eq!(store.pending_appeals().await.expect("read").len(), 1);
        assert_eq!(
            store.appeal_contact(id).await.expect("read").as_deref(),
            Some("0912 345 678")
        );
        let events = store
            .audit_events_for("appeal", &id.to_string())
            .await
            .expect("audit");
        assert!(
            events.iter().all(|e| !e.data.contains("0912")),
            "[{kind}] the audit log never holds a contact"
        );

        // Overturned: the case goes back, and the verdict no longer answers intake.
        let mut tx = store.begin_write("reviewer2").await.expect("begin");
        tx.decide_appeal(
            id,
            "overturned",
            "Bằng chứng mới.",
            Some((case_id, "published", "verifying")),
        )
        .await
        .expect("decide");
        tx.commit().await.expect("commit");
        assert!(
            store.publication_claims().await.expect("read").is_empty(),
            "[{kind}]"
        );
        let case = store.case(case_id).await.expect("read").expect("case");
        assert_eq!(case.state, "verifying", "[{kind}]");
        // The decision appealed is untouched.
        let decisions = store.decisions(case_id).await.expect("read");
        assert_eq!(decisions[0].summary, "Sai.");

        let mut tx = store.begin_write("reviewer3").await.expect("begin");
        let again = tx.decide_appeal(id, "upheld", "Khác.", None).await;
        assert!(
            matches!(again, Err(StoreError::Conflict { .. })),
            "[{kind}] {again:?}"
        );
        drop(tx);
        let a = store.appeal(id).await.expect("read").expect("appeal");
        assert_eq!(
            (
                a.status.as_str(),
                a.decided_by.as_deref(),
                a.outcome_reasons.as_deref()
            ),
            ("overturned", Some("reviewer2"), Some("Bằng chứng mới.")),
            "[{kind}]"
        );

        let mut tx = store.begin_write("system:retention").await.expect("begin");
        let n = tx
            .purge_appeal_contacts("2001-01-01T00:00:00.000Z")
            .await
            .expect("purge");
        tx.commit().await.expect("commit");
        assert_eq!(n, 1, "[{kind}]");
        assert_eq!(store.appeal_contact(id).await.expect("read"), None);
        store.audit_verify().await.expect("chain intact");
    }
}
