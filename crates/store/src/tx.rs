use crate::{get_i64, get_str, Result, Store};
use kc_desk::audit::chain_hash;
use sqlx::{Any, Transaction};

/// A write transaction that carries the audit chain. Commit only through [`WriteTx::commit`],
/// which moves the chain head; dropping it rolls everything back, audit events included.
pub struct WriteTx {
    pub(crate) tx: Transaction<'static, Any>,
    /// On PostgreSQL, the name this store's change notifications carry (see `changes`).
    announce_as: Option<String>,
    actor: String,
    seq: i64,
    hash: String,
    appended: usize,
}

impl WriteTx {
    pub(crate) async fn begin(store: &Store, actor: &str) -> Result<WriteTx> {
        let mut tx = store.pool().begin().await?;
        // A no-op UPDATE takes the row lock on PostgreSQL and the write lock on SQLite, so
        // chain appends are serialised and each transaction sees the true head.
        let head = sqlx::query("UPDATE audit_head SET seq = seq WHERE id = 1 RETURNING seq, hash")
            .fetch_one(&mut *tx)
            .await?;
        Ok(WriteTx {
            seq: get_i64(&head, "seq")?,
            hash: get_str(&head, "hash")?,
            tx,
            announce_as: (store.backend == crate::Backend::Postgres)
                .then(|| store.instance.clone()),
            actor: actor.to_string(),
            appended: 0,
        })
    }

    pub fn actor(&self) -> &str {
        &self.actor
    }

    pub fn conn(&mut self) -> &mut sqlx::AnyConnection {
        &mut self.tx
    }

    /// Appends one audit event for a change made in this transaction.
    pub async fn audit(
        &mut self,
        action: &str,
        entity: &str,
        entity_id: impl ToString,
        data: serde_json::Value,
    ) -> Result<()> {
        let seq = self.seq + 1;
        let at = crate::now();
        let entity_id = entity_id.to_string();
        let data = data.to_string();
        let hash = chain_hash(
            &self.hash,
            seq,
            &at,
            &self.actor,
            action,
            entity,
            &entity_id,
            &data,
        );
        sqlx::query(
            "INSERT INTO audit_events (seq, at, actor, action, entity, entity_id, data, prev_hash, hash) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        )
        .bind(seq)
        .bind(at)
        .bind(self.actor.clone())
        .bind(action.to_string())
        .bind(entity.to_string())
        .bind(entity_id)
        .bind(data)
        .bind(self.hash.clone())
        .bind(hash.clone())
        .execute(&mut *self.tx)
        .await?;
        self.seq = seq;
        self.hash = hash;
        self.appended += 1;
        Ok(())
    }

    pub async fn commit(mut self) -> Result<()> {
        debug_assert!(self.appended > 0, "a write without an audit event");
        sqlx::query("UPDATE audit_head SET seq = $1, hash = $2 WHERE id = 1")
            .bind(self.seq)
            .bind(self.hash.clone())
            .execute(&mut *self.tx)
            .await?;
        // Delivered to the listeners when, and only if, the transaction commits; several
        // in one transaction would be one.
        if let Some(instance) = &self.announce_as {
            sqlx::query("SELECT pg_notify($1, $2)")
                .bind(crate::changes::CHANNEL)
                .bind(instance.clone())
                .execute(&mut *self.tx)
                .await?;
        }
        self.tx.commit().await?;
        Ok(())
    }
}
