//! The desk's own encrypted SQLite file: the household store's engine and guarantees (data key
//! wrapped by a [`KeyStore`], AES-256-GCM per value, keyed-hash look-ups, 0600 files in a 0700
//! directory, WAL, `secure_delete`, `synchronous = FULL`, canary and wrong-key detection),
//! with its own schema and application id.

use std::path::{Path, PathBuf};

use rusqlite::{Connection, Transaction, TransactionBehavior};

use crate::store::crypto::{Keys, Slot};
use crate::store::file::{FileKind, Opened, Unlocked, io_error};
use crate::store::{KeyStore, RowRef, StoreError};

/// SQLite `application_id` of a desk store ("SHKD").
const APPLICATION_ID: i32 = 0x5348_4B44;
/// The schema version this build writes and reads. Version 2 (same tables as 1) marks a desk
/// whose visit log may hold the 有効期間前 verdict (`not_yet_valid`): a build that knows only
/// version 1 answers [`StoreError::SchemaTooNew`] instead of reporting those entries as
/// damaged. Version 3 (same tables) marks a log that may hold the 券面目視 card check
/// (`CardCheckMethod::Seen`), likewise. An older desk is marked 3 when this build opens it
/// (nothing else changes).
pub const DESK_SCHEMA_VERSION: u32 = 3;
const SCHEMA: &str = include_str!("schema.sql");
/// The desk's kind of encrypted file (opened by the household store's sequence).
const DESK_FILE_KIND: FileKind = FileKind {
    application_id: APPLICATION_ID,
    schema_version: DESK_SCHEMA_VERSION,
    meta_table: META,
    canary: b"shikaku desk canary v1",
    // Every desk schema version seals in format 2.
    seal_format_at: |_| 2,
    check: |_, _, _, _| Ok(()),
    // Nothing more to check: no row of that name.
    check_row: "",
    exclusive: false,
};
/// The database file's name inside the desk directory.
pub const DESK_FILE: &str = "desk.db";

pub(super) const META: &str = "desk_meta";

pub(super) fn meta_slot(key: &str) -> Slot<'_> {
    Slot {
        table: META,
        row: key,
        column: "value",
    }
}

pub(super) fn meta_row(key: &str) -> RowRef {
    RowRef {
        table: META,
        id: key.into(),
    }
}

pub(super) fn sealing_failed() -> StoreError {
    StoreError::Io {
        reason: "encryption failed".into(),
    }
}

/// The clinic desk's store: the visit log. Not shared between threads without a lock (it holds
/// one SQLite connection).
pub struct DeskStore {
    pub(super) conn: Connection,
    pub(super) keys: Keys,
    path: PathBuf,
    /// The trust list as last read and verified with the pinned root (see `trust.rs`): the
    /// stored bytes only change through this object, which clears it.
    pub(super) trust_cache: std::cell::RefCell<Option<super::DeskTrust>>,
    /// What this opened store knows of the visit log's chain (`None`: not checked yet; see
    /// `log.rs`, `DeskStore::check_log`).
    pub(super) chain: std::cell::Cell<Option<super::log::Chain>>,
    /// Where the desk's words send the receptionist to update its trust list: the CLI's
    /// command ([`super::TrustSource::Desk`], the default) or the tablet app's own screen.
    pub(super) trust_source: super::TrustSource,
}

impl std::fmt::Debug for DeskStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DeskStore")
            .field("path", &self.path)
            .finish_non_exhaustive()
    }
}

/// The writes of one transaction (see [`DeskStore::write`]).
pub struct DeskBatch<'a> {
    pub(super) tx: Transaction<'a>,
    pub(super) keys: &'a Keys,
    /// The chain as known in this transaction (kept by the store once it commits).
    pub(super) chain: Option<super::log::Chain>,
}

/// Creates `dir` (and its parents) owner-only, and narrows an existing one to the owner: it
/// holds nothing but the desk store.
fn private_dir(dir: &Path) -> Result<(), StoreError> {
    let mut b = std::fs::DirBuilder::new();
    b.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut b, 0o700);
    b.create(dir).map_err(io_error)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        let m = std::fs::symlink_metadata(dir).map_err(io_error)?;
        if m.file_type().is_symlink() || !m.is_dir() {
            return Err(StoreError::Io {
                reason: "the desk directory is not a directory".into(),
            });
        }
        if m.permissions().mode() & 0o077 != 0 {
            std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700))
                .map_err(io_error)?;
        }
    }
    Ok(())
}

impl DeskStore {
    /// The same store, its words naming `source`'s way to update the trust list (the tablet
    /// app: [`super::TrustSource::TabletApp`], no CLI command).
    pub fn with_trust_source(mut self, source: super::TrustSource) -> DeskStore {
        self.trust_source = source;
        self
    }

    /// Where this store's words send the receptionist to update the trust list.
    pub fn trust_source(&self) -> super::TrustSource {
        self.trust_source
    }

    /// Opens the desk store in `dir` (file [`DESK_FILE`]), creating the directory (0700) and
    /// the store (with a new data key wrapped by `keystore`) when missing. Opening an existing
    /// store writes nothing until the key has been proven right, and a failed open leaves the
    /// files as they were; a wrong key is [`StoreError::WrongKey`].
    pub fn open(dir: &Path, keystore: &dyn KeyStore) -> Result<DeskStore, StoreError> {
        private_dir(dir)?;
        let path = dir.join(DESK_FILE);
        DESK_FILE_KIND.open(&path, keystore, |opened| match opened {
            Opened::Empty(conn) => Self::create(conn, path.clone(), keystore),
            Opened::Existing(unlocked) => {
                let Unlocked {
                    conn,
                    keys,
                    version,
                    ..
                } = *unlocked;
                // The key is proven: an older desk is marked with this build's version.
                if version < DESK_SCHEMA_VERSION {
                    conn.pragma_update(None, "user_version", DESK_SCHEMA_VERSION)?;
                }
                Ok(DeskStore {
                    conn,
                    keys,
                    path: path.clone(),
                    trust_cache: Default::default(),
                    trust_source: super::TrustSource::Desk,
                    chain: Default::default(),
                })
            }
        })
    }

    fn create(
        mut conn: Connection,
        path: PathBuf,
        keystore: &dyn KeyStore,
    ) -> Result<DeskStore, StoreError> {
        let new = DESK_FILE_KIND.new_key(&conn, keystore)?;
        let tx = conn.transaction()?;
        tx.execute_batch(&format!(
            "PRAGMA application_id = {APPLICATION_ID}; {SCHEMA}
             PRAGMA user_version = {DESK_SCHEMA_VERSION};"
        ))?;
        DESK_FILE_KIND.store_key(&tx, &new)?;
        super::log::write_head(&tx, &new.keys, &super::log::Head::EMPTY)?;
        tx.commit()?;
        Ok(DeskStore {
            conn,
            keys: new.keys,
            path,
            trust_cache: Default::default(),
            trust_source: super::TrustSource::Desk,
            // A new log is empty, so intact.
            chain: std::cell::Cell::new(Some(super::log::Chain::Intact(super::log::Head::EMPTY))),
        })
    }

    /// The store's database file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Runs `f` in one durable transaction: all of its appends land, or none do. An append
    /// refuses to extend a log whose chain is broken (see [`DeskStore::check_log`]).
    pub fn write<T>(
        &mut self,
        f: impl FnOnce(&mut DeskBatch<'_>) -> Result<T, super::ClinicError>,
    ) -> Result<T, super::ClinicError> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(StoreError::from)?;
        let mut batch = DeskBatch {
            tx,
            keys: &self.keys,
            chain: self.chain.get(),
        };
        let out = f(&mut batch);
        let chain = batch.chain;
        match out {
            Ok(out) => {
                batch.tx.commit().map_err(StoreError::from)?;
                self.chain.set(chain);
                Ok(out)
            }
            Err(e) => {
                // A broken chain found stays known; appends that rolled back are forgotten.
                if let Some(broken @ super::log::Chain::Broken { .. }) = chain {
                    self.chain.set(Some(broken));
                }
                Err(e)
            }
        }
    }
}
