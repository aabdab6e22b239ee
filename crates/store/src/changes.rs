//! Other instances' writes, announced as they commit (PostgreSQL's LISTEN/NOTIFY).
//!
//! Several `serve` instances on one PostgreSQL database each keep their matcher libraries
//! in memory. Polling alone (`--refresh-secs`) let a fact-check published on one instance
//! go unanswered on another for up to the polling interval; with this, every committed
//! write wakes the others at once, and polling stays as the safety net for what a lost
//! connection missed. SQLite is one process: there is nothing to announce.

use crate::{Backend, Result, Store};
use sqlx::postgres::PgListener;

/// The channel every write transaction notifies on PostgreSQL.
pub(crate) const CHANNEL: &str = "kc_changes";

/// What woke a [`ChangeFeed`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Change {
    /// Another program committed one or more writes (a burst counts once).
    Committed,
    /// The connection to the database was lost and is being restored: writes committed
    /// meanwhile were not announced, so the caller should re-read what it follows.
    Missed,
}

/// A subscription to the writes other programs commit to the same database.
pub struct ChangeFeed {
    listener: PgListener,
    instance: String,
}

impl ChangeFeed {
    /// Waits for the next write another program commits. The instance's own writes (it
    /// already knows them) are skipped.
    pub async fn next(&mut self) -> Result<Change> {
        loop {
            let Some(first) = self.listener.try_recv().await? else {
                return Ok(Change::Missed);
            };
            let mut foreign = first.payload() != self.instance;
            // Whatever else has already arrived is part of the same wake-up.
            while let Some(n) = self.listener.next_buffered() {
                foreign |= n.payload() != self.instance;
            }
            if foreign {
                return Ok(Change::Committed);
            }
        }
    }
}

impl Store {
    /// A feed of the writes other instances commit: `None` on SQLite, where there are none.
    pub async fn change_feed(&self) -> Result<Option<ChangeFeed>> {
        if self.backend != Backend::Postgres {
            return Ok(None);
        }
        let mut listener = PgListener::connect(self.url.expose()).await?;
        listener.listen(CHANNEL).await?;
        Ok(Some(ChangeFeed {
            listener,
            instance: self.instance.clone(),
        }))
    }
}
