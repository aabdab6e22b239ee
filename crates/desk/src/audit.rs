//! The audit chain: every state change leaves one event whose hash covers the previous
//! event's hash, so altering or deleting any row breaks the chain from there on.

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// The hash the first event links to.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// One stored audit event, as read back for verification.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditRecord {
    pub seq: i64,
    pub at: String,
    pub actor: String,
    pub action: String,
    pub entity: String,
    pub entity_id: String,
    pub data: String,
    pub prev_hash: String,
    pub hash: String,
}

/// The hash of an event. Fields are length-prefixed so that moving text from one field to
/// the next cannot produce the same digest.
#[allow(clippy::too_many_arguments)]
pub fn chain_hash(
    prev_hash: &str,
    seq: i64,
    at: &str,
    actor: &str,
    action: &str,
    entity: &str,
    entity_id: &str,
    data: &str,
) -> String {
    let mut h = Sha256::new();
    h.update(seq.to_be_bytes());
    for field in [prev_hash, at, actor, action, entity, entity_id, data] {
        h.update((field.len() as u64).to_be_bytes());
        h.update(field.as_bytes());
    }
    hex::encode(h.finalize())
}

impl AuditRecord {
    pub fn expected_hash(&self) -> String {
        chain_hash(
            &self.prev_hash,
            self.seq,
            &self.at,
            &self.actor,
            &self.action,
            &self.entity,
            &self.entity_id,
            &self.data,
        )
    }
}

/// Where the chain first stops being trustworthy.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ChainBreak {
    #[error("audit event {seq} was altered: its content no longer matches its hash")]
    Altered { seq: i64 },
    #[error("audit event {seq} is missing (removed) or out of order; found {found} next")]
    Missing { seq: i64, found: i64 },
    #[error("audit event {seq} does not link to the event before it")]
    Relinked { seq: i64 },
    #[error(
        "the newest audit events after {seq} were removed (the chain head records {head_seq})"
    )]
    Truncated { seq: i64, head_seq: i64 },
}

/// Incremental verifier, so a store can stream millions of rows through it.
#[derive(Debug)]
pub struct ChainVerifier {
    expected_seq: i64,
    prev_hash: String,
}

impl Default for ChainVerifier {
    fn default() -> Self {
        ChainVerifier {
            expected_seq: 1,
            prev_hash: GENESIS.to_string(),
        }
    }
}

impl ChainVerifier {
    pub fn push(&mut self, r: &AuditRecord) -> Result<(), ChainBreak> {
        if r.seq != self.expected_seq {
            return Err(ChainBreak::Missing {
                seq: self.expected_seq,
                found: r.seq,
            });
        }
        if r.expected_hash() != r.hash {
            return Err(ChainBreak::Altered { seq: r.seq });
        }
        if r.prev_hash != self.prev_hash {
            return Err(ChainBreak::Relinked { seq: r.seq });
        }
        self.expected_seq += 1;
        self.prev_hash.clone_from(&r.hash);
        Ok(())
    }

    /// Checks the end of the chain against the head the store keeps beside it, which is
    /// what reveals removal of the newest rows. Returns how many events were verified.
    pub fn finish(self, head_seq: i64, head_hash: &str) -> Result<i64, ChainBreak> {
        let last = self.expected_seq - 1;
        if last < head_seq {
            return Err(ChainBreak::Truncated {
                seq: last,
                head_seq,
            });
        }
        if last > head_seq || self.prev_hash != head_hash {
            return Err(ChainBreak::Altered { seq: last });
        }
        Ok(last)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chain(n: i64) -> Vec<AuditRecord> {
        let mut prev = GENESIS.to_string();
        (1..=n)
            .map(|seq| {
                let mut r = AuditRecord {
                    seq,
                    at: format!("2026-11-29T00:00:{seq:02}Z"),
                    actor: "intake1".into(),
                    action: "case.assign".into(),
                    entity: "case".into(),
                    entity_id: seq.to_string(),
                    data: "{}".into(),
                    prev_hash: prev.clone(),
                    hash: String::new(),
                };
                r.hash = r.expected_hash();
                prev = r.hash.clone();
                r
            })
            .collect()
    }

    fn verify(rows: &[AuditRecord], head: &AuditRecord) -> Result<i64, ChainBreak> {
        let mut v = ChainVerifier::default();
        for r in rows {
            v.push(r)?;
        }
        v.finish(head.seq, &head.hash)
    }

    #[test]
    fn intact_chain_verifies() {
        let rows = chain(5);
        assert_eq!(verify(&rows, &rows[4]), Ok(5));
    }

    #[test]
    fn altered_row_is_named() {
        let mut rows = chain(5);
        let head = rows[4].clone();
        rows[2].data = r#"{"verdict":"true"}"#.into();
        assert_eq!(verify(&rows, &head), Err(ChainBreak::Altered { seq: 3 }));
    }

    #[test]
    fn removed_row_is_named() {
        let mut rows = chain(5);
        let head = rows[4].clone();
        rows.remove(1);
        assert_eq!(
            verify(&rows, &head),
            Err(ChainBreak::Missing { seq: 2, found: 3 })
        );
    }

    #[test]
    fn removed_tail_is_detected() {
        let rows = chain(5);
        assert_eq!(
            verify(&rows[..3], &rows[4]),
            Err(ChainBreak::Truncated {
                seq: 3,
                head_seq: 5
            })
        );
    }

    #[test]
    fn rewritten_row_with_recomputed_hash_breaks_the_link() {
        let mut rows = chain(4);
        let head = rows[3].clone();
        rows[1].actor = "someone-else".into();
        rows[1].hash = rows[1].expected_hash();
        assert_eq!(verify(&rows, &head), Err(ChainBreak::Relinked { seq: 3 }));
    }
}
