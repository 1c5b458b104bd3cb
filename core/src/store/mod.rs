//! The encrypted household store: one SQLite file (WAL, `secure_delete`, in-memory temp
//! store, numbered migrations) in which every personal value is sealed with AES-256-GCM.
//!
//! - A random 256-bit data key is wrapped by the platform [`KeyStore`]; the wrapped blob and
//!   a sealed canary sit in the `meta` table. A wrong or lost key is detected by the canary
//!   and reported as [`StoreError::WrongKey`] without writing anything.
//! - Each sealed value's associated data binds the seal format, table, row id and column (each
//!   part length-prefixed), so a ciphertext cannot be moved to another row or column. Sealed
//!   plaintexts are padded to a bucket size, so a value's length does not tell what is in it.
//! - Plaintext columns hold only random ids, the members' display order, owners and keyed-hash
//!   look-ups: relationship, document kind, provenance and dates live inside the sealed data.
//! - A sealed row list (digests of every column of every row, rewritten in every write) makes
//!   an old value put back, an edited plain column ([`StoreError::Corrupt`], for that row only)
//!   and a deleted or added row ([`StoreError::Tampered`]) detectable.
//! - Every write is one transaction: a crash leaves the old or the new state.
//!
//! See docs/decisions/0001-encrypted-store.md.

mod card_checks;
pub(crate) mod crypto;
mod entry;
mod error;
pub(crate) mod file;
mod keystore;
mod manifest;
mod members;
mod migrate;
pub(crate) mod open;
mod presentations;
pub(crate) mod records;
mod rekey;
mod signed;
mod sync_state;

use std::cell::Cell;
use std::path::{Path, PathBuf};

use rusqlite::config::DbConfig;
use rusqlite::{Connection, Transaction, TransactionBehavior};
use zeroize::Zeroizing;

pub use card_checks::StoredCardCheck;
use crypto::Keys;
pub use entry::EntryError;
pub use error::{RowRef, StoreError};
pub use keystore::{
    Argon2Cost, KeyStore, KeyStoreError, MIN_PASSPHRASE_CHARS, MemoryKeyStore, PASSPHRASE_RULE,
    PassphraseKeyStore, WeakPassphrase, check_passphrase_strength,
};
pub use members::Household;
pub use open::SCHEMA_VERSION;
pub use records::RecordList;
pub use signed::signed_bytes;
pub use sync_state::SyncState;

/// An open store. Not shared between threads without a lock (it holds one SQLite connection).
pub struct Store {
    conn: Connection,
    keys: Keys,
    data_key: Zeroizing<Vec<u8>>,
    path: PathBuf,
    /// Set inside [`Store::read_consistent`] once the row list has been checked against the
    /// file in its read transaction: the file cannot change under that transaction, so the
    /// reads in it do not ask SQLite again.
    fresh: Cell<bool>,
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
        self.checkpoint_on_close(true)?;
        // IMMEDIATE: take the write lock up front, so a read-then-write batch cannot fail half
        // way with a stale snapshot should another connection write (the store holds its file
        // alone while open, so none can now: ADR 0013).
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        // Another connection may have written since the row list was read (a defence: the
        // store holds its file alone while open).
        manifest::refresh(&tx, &self.keys)?;
        manifest::begin(&self.keys);
        let mut batch = Batch {
            tx,
            keys: &self.keys,
        };
        let done = f(&mut batch).and_then(|out| {
            let list = manifest::finish(&batch.tx, batch.keys)?;
            batch.tx.commit()?;
            Ok((out, list))
        });
        match done {
            Ok((out, list)) => {
                manifest::install(&self.keys, list);
                Ok(out)
            }
            Err(e) => {
                manifest::abandon(&self.keys);
                Err(e)
            }
        }
    }

    /// Runs `f`'s reads in one read transaction: they all see the same state of the file (a
    /// write from another connection, were one let in, lands before or after, never between), and
    /// SQLite takes its shared lock once instead of once per statement. Inside another
    /// transaction `f` simply runs in it.
    pub fn read_consistent<T>(
        &self,
        f: impl FnOnce(&Store) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        if !self.conn.is_autocommit() {
            return f(self);
        }
        self.conn.prepare_cached("BEGIN")?.execute([])?;
        // The first read starts the transaction's snapshot: the row list is checked against
        // it once, and holds for every read until the transaction ends.
        let out = self.refresh().and_then(|()| {
            let _fresh = FreshUntilDropped::set(&self.fresh);
            f(self)
        });
        // Ending a read transaction cannot lose anything; a failure to end it is reported.
        self.conn
            .prepare_cached(if out.is_ok() { "COMMIT" } else { "ROLLBACK" })?
            .execute([])?;
        out
    }

    /// Whether closing the connection checkpoints the WAL into the database and then deletes
    /// it (SQLite's default, kept for every session that writes and when the WAL held frames at
    /// open). Off for a session that only reads an empty WAL: its close then has nothing to
    /// copy, and the empty WAL is left for the next open rather than deleted and created again
    /// (ADR 0013). (The WAL index is in the connection's memory: no `-shm`.) Set before a write, so a write that
    /// commits is always followed by a checkpoint at close.
    fn checkpoint_on_close(&self, on: bool) -> Result<(), StoreError> {
        self.conn
            .set_db_config(DbConfig::SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, !on)?;
        Ok(())
    }

    /// Before a read: the row list is read again if another connection has written since
    /// (not asked again inside [`Store::read_consistent`]'s transaction).
    fn refresh(&self) -> Result<(), StoreError> {
        if self.fresh.get() {
            return Ok(());
        }
        manifest::refresh(&self.conn, &self.keys)
    }
}

/// Marks the row list as checked for the current read transaction, until dropped (also when
/// the reads panic).
struct FreshUntilDropped<'a>(&'a Cell<bool>);

impl<'a> FreshUntilDropped<'a> {
    fn set(flag: &'a Cell<bool>) -> Self {
        flag.set(true);
        FreshUntilDropped(flag)
    }
}

impl Drop for FreshUntilDropped<'_> {
    fn drop(&mut self) {
        self.0.set(false);
    }
}

/// The writes of one transaction (see [`Store::write`]).
pub struct Batch<'a> {
    tx: Transaction<'a>,
    keys: &'a Keys,
}
