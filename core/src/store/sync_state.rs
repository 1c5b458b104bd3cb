//! The sync state: what the last successful download left, sealed in the `meta` table.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use zeroize::Zeroizing;

use super::crypto::Slot;
use super::error::sealing_failed;
use super::open::{meta_get, meta_row};
use super::{Batch, Store, StoreError};

/// What the store remembers about the last successful download (sealed in `meta`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SyncState {
    /// The server it came from.
    pub server: Option<String>,
    /// The documents' ETag, sent back as `If-None-Match`.
    pub etag: Option<String>,
    /// When the last sync succeeded (a 304 counts).
    #[serde(default, deserialize_with = "crate::clock::serde_text::option_instant")]
    pub last_success: Option<DateTime<Utc>>,
    /// The household id the issuer gave.
    pub household_id: Option<String>,
    /// The accepted trust list (COSE bytes); its version only moves forward.
    pub trust_list: Option<Vec<u8>>,
    /// The pinned root key (SEC1) that signed it, so stored documents can be re-verified
    /// offline.
    #[serde(default)]
    pub root_key: Option<Vec<u8>>,
}

pub(super) const SYNC_SLOT: Slot<'static> = Slot {
    table: "meta",
    row: "sync_state",
    column: "value",
};

impl Store {
    /// What the last successful sync left (default when there was none).
    pub fn sync_state(&self) -> Result<SyncState, StoreError> {
        self.refresh()?;
        let Some(sealed) = meta_get(&self.conn, "sync_state")? else {
            return Ok(SyncState::default());
        };
        self.keys
            .open(SYNC_SLOT, &sealed)
            .and_then(|p| serde_json::from_slice(&p).ok())
            .ok_or(StoreError::Corrupt {
                row: meta_row("sync_state"),
            })
    }
}

impl Batch<'_> {
    /// Replaces the stored [`SyncState`].
    pub fn set_sync_state(&mut self, state: &SyncState) -> Result<(), StoreError> {
        let payload = Zeroizing::new(serde_json::to_vec(state).map_err(|_| sealing_failed())?);
        let sealed = self
            .keys
            .seal(SYNC_SLOT, &payload)
            .ok_or_else(sealing_failed)?;
        self.tx.execute(
            "INSERT INTO meta (key, value) VALUES ('sync_state', ?1)
             ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            [&sealed],
        )?;
        Ok(())
    }
}
