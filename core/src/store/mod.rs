//! The encrypted household store: one SQLite file (WAL, `secure_delete`, in-memory temp
//! store, numbered migrations) in which every personal value is sealed with AES-256-GCM.
//!
//! - A random 256-bit data key is wrapped by the platform [`KeyStore`]; the wrapped blob and
//!   a sealed canary sit in the `meta` table. A wrong or lost key is detected by the canary
//!   and reported as [`StoreError::WrongKey`] without writing anything.
//! - Each sealed value's associated data binds table, row id, column and schema version,
//!   so a ciphertext cannot be moved to another row or column.
//! - Plaintext columns hold only random ids, ordinals, kinds and day stamps. They are hints:
//!   the sealed payload repeats the kinds and owner, and a disagreement is reported as
//!   [`StoreError::Corrupt`].
//! - Every write is one transaction: a crash leaves the old or the new state.
//!
//! See docs/decisions/0001-encrypted-store.md.

mod card_checks;
pub(crate) mod crypto;
mod entry;
mod error;
mod keystore;
mod members;
pub(crate) mod open;
mod presentations;
pub(crate) mod records;
mod rekey;
mod signed;
mod sync_state;

use std::path::{Path, PathBuf};

use chrono::Utc;
use rusqlite::{Connection, Transaction, TransactionBehavior};
use zeroize::Zeroizing;

pub use card_checks::StoredCardCheck;
use crypto::Keys;
pub use entry::EntryError;
pub use error::{RowRef, StoreError};
pub use keystore::{Argon2Cost, KeyStore, KeyStoreError, MemoryKeyStore, PassphraseKeyStore};
pub use members::Household;
pub use open::SCHEMA_VERSION;
pub use records::RecordList;
pub use signed::signed_bytes;
pub use sync_state::SyncState;

fn today_day() -> i64 {
    Utc::now().timestamp().div_euclid(86_400)
}

/// An open store. Not shared between threads without a lock (it holds one SQLite connection).
pub struct Store {
    conn: Connection,
    keys: Keys,
    data_key: Zeroizing<Vec<u8>>,
    path: PathBuf,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store")
            .field("path", &self.path)
            .finish_non_exhaustive()
    }
}

impl Store {
    /// The store's file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Runs `f` in one transaction: all of its writes land, or none do.
    pub fn write<T>(
        &mut self,
        f: impl FnOnce(&mut Batch<'_>) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        // IMMEDIATE: take the write lock up front, so a read-then-write batch cannot fail half
        // way with a stale snapshot when another connection (a background sync) writes.
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let mut batch = Batch {
            tx,
            keys: &self.keys,
            day: today_day(),
        };
        let out = f(&mut batch)?;
        batch.tx.commit()?;
        Ok(out)
    }
}

/// The writes of one transaction (see [`Store::write`]).
pub struct Batch<'a> {
    tx: Transaction<'a>,
    keys: &'a Keys,
    day: i64,
}
