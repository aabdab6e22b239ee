use crate::support::{backends, fresh};
use kc_desk::pack::Pack;
use kc_desk::workflow::validate_decision;
use kc_desk::{DecisionDraft, EvidenceInput, Remedy, Verdict};
use kc_store::{IntakeTarget, NewNotice, NewReportRecord};

/// Notices and their steps are kept as recorded: the register cannot be rewritten.
#[tokio::test]
async fn notices_and_their_steps_are_kept_as_recorded() {
    for kind in backends() {
        let (store, _, _dir) = fresh(kind).await;
        let mut tx = store.begin_write("public:web").await.expect("begin");
        let case_id = tx
            .record_report(&NewReportRecord {
                receipt: "KC-N".into(),
                channel: "web".into(),
                text: "bài đăng lừa đảo".into(),
                urls: vec![],
                content_hash: "hash-n".into(),
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
            .expect("record")
            .case_id;
        tx.commit().await.expect("commit");
        let pack = Pack::shipped().expect("pack");
        let valid = validate_decision(
            &DecisionDraft {
                verdict: Verdict::False,
                summary: "Giả".into(),
                reasons: "Không có chương trình nào như vậy.".into(),
                evidence: vec![EvidenceInput {
                    url: Some("https://a.example/x".into()),
                    note: None,
                }],
                legal_provisions: vec![pack.provisions[0].id.clone()],
                remedy: Some(Remedy::Notice),
            },
            &pack,
        )
        .expect("valid");
        let mut tx = store.begin_write("minh").await.expect("begin");
        let decision_id = tx
            .record_decision(case_id, "new", "in_review", &valid)
            .await
            .expect("decision");
        let id = tx
            .record_notice(&NewNotice {
                case_id,
                decision_id,
                remedy: "notice".into(),
                platform: "Facebook".into(),
                locators: vec!["https://facebook.com/a/posts/1".into()],
                legal_provisions: vec![pack.provisions[0].id.clone()],
                reasons: "Không có chương trình nào như vậy.".into(),
                agency: "vhtt".into(),
                territorial_scope: "Việt Nam".into(),
            })
            .await
            .expect("notice");
        tx.record_notice_event(id, "sent", "2026-11-29", None)
            .await
            .expect("sent");
        assert!(
            tx.record_notice_event(id, "sent", "2026-11-29", None)
                .await
                .is_err(),
            "[{kind}] a step is recorded once"
        );
        drop(tx);
        // The failed insert aborted that transaction; record again in a fresh one.
        let mut tx = store.begin_write("minh").await.expect("begin");
        let decision_id = tx
            .record_decision(case_id, "new", "in_review", &valid)
            .await
            .expect("decision");
        let id = tx
            .record_notice(&NewNotice {
                case_id,
                decision_id,
                remedy: "notice".into(),
                platform: "Facebook".into(),
                locators: vec!["https://facebook.com/a/posts/1".into()],
                legal_provisions: vec![],
                reasons: "r".into(),
                agency: "vhtt".into(),
                territorial_scope: "Việt Nam".into(),
            })
            .await
            .expect("notice");
        tx.record_notice_event(id, "sent", "2026-11-29", Some("qua email"))
            .await
            .expect("sent");
        tx.commit().await.expect("commit");

        let n = store.notice(id).await.expect("read").expect("notice");
        assert_eq!(n.events.len(), 1);
        assert_eq!(n.events[0].step, "sent");
        assert_eq!(n.events[0].recorded_by, "minh");
        assert_eq!(
            store.notices_for_case(case_id).await.expect("list").len(),
            1
        );
        for sql in [
            "UPDATE notices SET platform = 'X'",
            "DELETE FROM notices",
            "UPDATE notice_events SET step = 'declined'",
            "DELETE FROM notice_events",
        ] {
            let r = sqlx::raw_sql(sql).execute(store.pool()).await;
            assert!(r.is_err(), "[{kind}] `{sql}` was allowed");
        }
        store.audit_verify().await.expect("intact");
    }
}
