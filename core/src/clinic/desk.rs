//! The desk's own encrypted SQLite file: the household store's engine and guarantees (data key
//! wrapped by a [`KeyStore`], AES-256-GCM per value, keyed-hash look-ups, 0600 files in a 0700
//! directory, WAL, `secure_delete`, `synchronous = FULL`, canary and wrong-key detection),
//! with its own schema and application id.

use std::path::{Path, PathBuf};

use rusqlite::config::DbConfig;
use rusqlite::{Connection, OpenFlags, OptionalExtension, Transaction, TransactionBehavior};

use crate::store::crypto::{Keys, Slot, random_data_key};
use crate::store::open::{configure, restrict_to_owner};
use crate::store::{KeyStore, KeyStoreError, RowRef, StoreError};

/// SQLite `application_id` of a desk store ("SHKD").
const APPLICATION_ID: i32 = 0x5348_4B44;
/// The schema version this build writes and reads.
pub const DESK_SCHEMA_VERSION: u32 = 1;
/// The seal format bound into every sealed value's associated data.
const SEAL_FORMAT: u32 = 2;
const SCHEMA: &str = include_str!("schema.sql");
const CANARY: &[u8] = b"shikaku desk canary v1";
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
}

fn io_error(e: std::io::Error) -> StoreError {
    StoreError::Io {
        reason: e.kind().to_string(),
    }
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

fn meta_get(conn: &Connection, key: &str) -> Result<Option<Vec<u8>>, StoreError> {
    Ok(conn
        .prepare_cached("SELECT value FROM desk_meta WHERE key = ?1")?
        .query_row([key], |r| r.get(0))
        .optional()?)
}

impl DeskStore {
    /// Opens the desk store in `dir` (file [`DESK_FILE`]), creating the directory (0700) and
    /// the store (with a new data key wrapped by `keystore`) when missing. Opening an existing
    /// store writes nothing until the key has been proven right; a wrong key is
    /// [`StoreError::WrongKey`].
    pub fn open(dir: &Path, keystore: &dyn KeyStore) -> Result<DeskStore, StoreError> {
        private_dir(dir)?;
        let path = dir.join(DESK_FILE);
        restrict_to_owner(&path)?;
        let conn = Connection::open_with_flags(
            &path,
            OpenFlags::SQLITE_OPEN_READ_WRITE
                | OpenFlags::SQLITE_OPEN_CREATE
                | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )?;
        configure(&conn)?;
        let (app_id, version, objects): (i32, u32, i64) = conn.query_row(
            "SELECT (SELECT application_id FROM pragma_application_id),
                    (SELECT user_version FROM pragma_user_version),
                    (SELECT count(*) FROM sqlite_master)",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )?;
        if app_id == 0 && version == 0 && objects == 0 {
            return Self::create(conn, path, keystore);
        }
        if app_id != APPLICATION_ID {
            return Err(StoreError::NotADatabase);
        }
        // Until the key is proven right, closing must not checkpoint a leftover WAL.
        conn.set_db_config(DbConfig::SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, true)?;
        if version > DESK_SCHEMA_VERSION {
            return Err(StoreError::SchemaTooNew {
                found: version,
                supported: DESK_SCHEMA_VERSION,
            });
        }
        let wrapped = meta_get(&conn, "wrapped_key")?.ok_or(StoreError::Corrupt {
            row: meta_row("wrapped_key"),
        })?;
        let data_key = zeroize::Zeroizing::new(keystore.unwrap(wrapped).map_err(|e| match e {
            KeyStoreError::Rejected => StoreError::WrongKey,
            KeyStoreError::Malformed => StoreError::Corrupt {
                row: meta_row("wrapped_key"),
            },
            KeyStoreError::Unavailable { reason } => StoreError::KeyUnavailable { reason },
        })?);
        let keys = Keys::derive(&data_key, SEAL_FORMAT).ok_or(StoreError::WrongKey)?;
        let canary = meta_get(&conn, "canary")?.ok_or(StoreError::Corrupt {
            row: meta_row("canary"),
        })?;
        match keys.open(meta_slot("canary"), &canary) {
            Some(v) if v.as_slice() == CANARY => {}
            _ => return Err(StoreError::WrongKey),
        }
        conn.set_db_config(DbConfig::SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, false)?;
        Ok(DeskStore {
            conn,
            keys,
            path,
            trust_cache: Default::default(),
        })
    }

    fn create(
        mut conn: Connection,
        path: PathBuf,
        keystore: &dyn KeyStore,
    ) -> Result<DeskStore, StoreError> {
        let mode: String = conn.query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0))?;
        if !mode.eq_ignore_ascii_case("wal") {
            return Err(StoreError::Io {
                reason: "the file system does not support WAL".into(),
            });
        }
        let data_key = random_data_key();
        let wrapped = keystore.wrap(&data_key).map_err(|e| match e {
            KeyStoreError::Unavailable { reason } => StoreError::KeyUnavailable { reason },
            other => StoreError::KeyUnavailable {
                reason: other.to_string(),
            },
        })?;
        let keys = Keys::derive(&data_key, SEAL_FORMAT).ok_or(StoreError::WrongKey)?;
        let canary = keys
            .seal(meta_slot("canary"), CANARY)
            .ok_or_else(sealing_failed)?;
        let tx = conn.transaction()?;
        tx.execute_batch(&format!(
            "PRAGMA application_id = {APPLICATION_ID}; {SCHEMA}
             PRAGMA user_version = {DESK_SCHEMA_VERSION};"
        ))?;
        tx.execute(
            "INSERT INTO desk_meta (key, value) VALUES ('wrapped_key', ?1)",
            [&wrapped],
        )?;
        tx.execute(
            "INSERT INTO desk_meta (key, value) VALUES ('canary', ?1)",
            [&canary],
        )?;
        super::log::write_head(&tx, &keys, &super::log::Head::EMPTY)?;
        tx.commit()?;
        Ok(DeskStore {
            conn,
            keys,
            path,
            trust_cache: Default::default(),
        })
    }

    /// The store's database file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Runs `f` in one durable transaction: all of its appends land, or none do.
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
        };
        let out = f(&mut batch)?;
        batch.tx.commit().map_err(StoreError::from)?;
        Ok(out)
    }
}
