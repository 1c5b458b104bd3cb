//! Opening and creating the file: the pragmas, the wrapped data key and its canary, the numbered
//! migrations; and what is done to the file as a whole (rewrap, wipe, destroy).

use std::path::{Path, PathBuf};

use rusqlite::config::DbConfig;
use rusqlite::{Connection, OpenFlags, OptionalExtension};
use zeroize::Zeroizing;

use super::crypto::{Keys, Slot, random_data_key};
use super::migrate::seal_format_at;
use super::{KeyStore, KeyStoreError, RowRef, Store, StoreError};
use super::{manifest, migrate};

/// The schema version this build writes and reads.
pub const SCHEMA_VERSION: u32 = 3;

/// The format version of sealed values, bound into every value's associated data. It is not
/// the SQL schema version: a migration that only adds tables or columns keeps it; one that
/// changes a sealed payload's format re-seals those values and bumps it (see ADR 0001).
/// Format 2 (schema 3): length-prefixed associated data and padded plaintexts.
pub(super) const SEAL_FORMAT: u32 = 2;

/// SQLite `application_id` of a shikaku store ("SHKK").
const APPLICATION_ID: i32 = 0x5348_4B4B;

/// Numbered migrations; entry `n` moves the schema from version `n` to `n + 1`.
const MIGRATIONS: &[&str] = &[
    include_str!("migrations/0001_init.sql"),
    include_str!("migrations/0002_presentations.sql"),
    include_str!("migrations/0003_no_plaintext_hints.sql"),
];

pub(super) const CANARY: &[u8] = b"shikaku store canary v1";

pub(crate) fn configure(conn: &Connection) -> Result<(), StoreError> {
    conn.busy_timeout(std::time::Duration::from_secs(5))?;
    // Per-connection settings; none of them writes to the file.
    conn.execute_batch(
        "PRAGMA secure_delete = ON; PRAGMA temp_store = MEMORY; PRAGMA foreign_keys = ON;
         PRAGMA synchronous = FULL;",
    )?;
    Ok(())
}

/// The raw value of a `meta` row.
pub(super) fn meta_get(conn: &Connection, key: &str) -> Result<Option<Vec<u8>>, StoreError> {
    Ok(conn
        .prepare_cached("SELECT value FROM meta WHERE key = ?1")?
        .query_row([key], |r| r.get(0))
        .optional()?)
}

/// How a `meta` row is named in an error.
pub(super) fn meta_row(key: &str) -> RowRef {
    RowRef {
        table: "meta",
        id: key.into(),
    }
}

pub(super) const CANARY_SLOT: Slot<'static> = Slot {
    table: "meta",
    row: "canary",
    column: "value",
};

/// Makes sure the database file is readable by its owner only before SQLite opens it:
/// a new file is created with mode 0600 (never through an existing file or link), and an
/// existing one is narrowed to 0600. SQLite gives its `-wal` and `-shm` files the database
/// file's mode, so they are owner-only too. (The wrapped key in the file must not be readable by
/// other local users, who could guess a passphrase offline.)
/// An I/O failure, without the path (it may name a person).
#[cfg(unix)]
fn io_error(e: std::io::Error) -> StoreError {
    StoreError::Io {
        reason: e.kind().to_string(),
    }
}

#[cfg(unix)]
pub(crate) fn restrict_to_owner(path: &Path) -> Result<(), StoreError> {
    use std::os::unix::fs::{OpenOptionsExt as _, PermissionsExt as _};
    match std::fs::symlink_metadata(path) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            std::fs::OpenOptions::new()
                .write(true)
                .create_new(true)
                .mode(0o600)
                .open(path)
                .map_err(io_error)?;
        }
        Err(e) => return Err(io_error(e)),
        Ok(m) if m.file_type().is_symlink() => {
            return Err(StoreError::Io {
                reason: "the store path is a symbolic link".into(),
            });
        }
        Ok(m) if m.permissions().mode() & 0o077 != 0 => {
            std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600))
                .map_err(io_error)?;
        }
        Ok(_) => {}
    }
    Ok(())
}

#[cfg(not(unix))]
pub(crate) fn restrict_to_owner(_path: &Path) -> Result<(), StoreError> {
    Ok(())
}

impl Store {
    /// Opens the store at `path`, creating it (with a new data key wrapped by `keystore`) if
    /// the file does not exist or is empty. Opening an existing store writes nothing until the
    /// key has been proven right.
    pub fn open(path: &Path, keystore: &dyn KeyStore) -> Result<Store, StoreError> {
        let sidecar = |suffix: &str| {
            let mut p = path.as_os_str().to_owned();
            p.push(suffix);
            PathBuf::from(p)
        };
        let (wal, shm) = (sidecar("-wal"), sidecar("-shm"));
        let had = (wal.exists(), shm.exists());
        restrict_to_owner(path)?;
        let conn = Connection::open_with_flags(
            path,
            // One connection, used from one thread at a time (`Store` is `Send`, not `Sync`):
            // SQLite's own mutexes are not needed. No URI flag: a path is only a path.
            OpenFlags::SQLITE_OPEN_READ_WRITE
                | OpenFlags::SQLITE_OPEN_CREATE
                | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )?;
        // Every statement the store runs stays prepared (rusqlite keeps 16 by default; the
        // reads, the writes and the row list's checks use more, and re-preparing costs more
        // than the reads themselves).
        conn.set_prepared_statement_cache_capacity(64);
        match Self::open_conn(conn, path, keystore) {
            Ok(store) => Ok(store),
            Err(e) => {
                // The connection is closed by now (without a checkpoint). Remove only the
                // sidecar files this attempt created, so a failed open leaves the files as
                // they were; a pre-existing (hot) WAL is kept.
                let empty = |p: &Path| std::fs::metadata(p).map(|m| m.len() == 0).unwrap_or(false);
                if !had.0 && empty(&wal) {
                    let _ = std::fs::remove_file(&wal);
                    if !had.1 {
                        let _ = std::fs::remove_file(&shm);
                    }
                }
                Err(e)
            }
        }
    }

    fn open_conn(
        conn: Connection,
        path: &Path,
        keystore: &dyn KeyStore,
    ) -> Result<Store, StoreError> {
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
        // Until the key is proven right, closing must not checkpoint a leftover WAL into the
        // database: a failed open leaves every file as it was.
        conn.set_db_config(DbConfig::SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, true)?;
        if version > SCHEMA_VERSION {
            return Err(StoreError::SchemaTooNew {
                found: version,
                supported: SCHEMA_VERSION,
            });
        }
        let wrapped = meta_get(&conn, "wrapped_key")?.ok_or(StoreError::Corrupt {
            row: meta_row("wrapped_key"),
        })?;
        let data_key = Zeroizing::new(keystore.unwrap(wrapped).map_err(|e| match e {
            KeyStoreError::Rejected => StoreError::WrongKey,
            KeyStoreError::Malformed => StoreError::Corrupt {
                row: meta_row("wrapped_key"),
            },
            KeyStoreError::Unavailable { reason } => StoreError::KeyUnavailable { reason },
        })?);
        let keys = Keys::derive(&data_key, seal_format_at(version)).ok_or(StoreError::WrongKey)?;
        let canary = meta_get(&conn, "canary")?.ok_or(StoreError::Corrupt {
            row: meta_row("canary"),
        })?;
        match keys.open(CANARY_SLOT, &canary) {
            Some(v) if v.as_slice() == CANARY => {}
            _ => return Err(StoreError::WrongKey),
        }
        conn.set_db_config(DbConfig::SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, false)?;
        let mut store = Store {
            conn,
            keys,
            data_key,
            path: path.to_path_buf(),
        };
        store.migrate(version)?;
        Ok(store)
    }

    fn create(
        mut conn: Connection,
        path: &Path,
        keystore: &dyn KeyStore,
    ) -> Result<Store, StoreError> {
        // WAL cannot be switched inside a transaction; it is persistent once set.
        let mode: String = conn.query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0))?;
        if !mode.eq_ignore_ascii_case("wal") {
            return Err(StoreError::Io {
                reason: "the file system does not support WAL".into(),
            });
        }
        let data_key = random_data_key();
        let wrapped = keystore.wrap(&data_key[..]).map_err(|e| match e {
            KeyStoreError::Unavailable { reason } => StoreError::KeyUnavailable { reason },
            other => StoreError::KeyUnavailable {
                reason: other.to_string(),
            },
        })?;
        let keys = Keys::derive(&data_key, SEAL_FORMAT).ok_or(StoreError::WrongKey)?;
        let canary = keys.seal(CANARY_SLOT, CANARY).ok_or(StoreError::Io {
            reason: "encryption failed".into(),
        })?;
        let tx = conn.transaction()?;
        tx.execute_batch(&format!("PRAGMA application_id = {APPLICATION_ID};"))?;
        for (i, m) in MIGRATIONS.iter().enumerate() {
            tx.execute_batch(m)?;
            tx.execute_batch(&format!("PRAGMA user_version = {};", i + 1))?;
        }
        tx.execute(
            "INSERT INTO meta (key, value) VALUES ('wrapped_key', ?1)",
            [&wrapped],
        )?;
        tx.execute(
            "INSERT INTO meta (key, value) VALUES ('canary', ?1)",
            [&canary],
        )?;
        manifest::save(&tx, &keys, &manifest::Manifest::default())?;
        tx.commit()?;
        manifest::load(&conn, &keys)?;
        Ok(Store {
            conn,
            keys,
            data_key,
            path: path.to_path_buf(),
        })
    }

    /// Applies the migrations after `from` in one transaction. Moving to seal format 2
    /// (schema 3) re-seals every value in that same transaction ([`migrate::reseal`]); the
    /// WAL's old frames are zeroed after it commits. Then the row list is read and checked.
    fn migrate(&mut self, from: u32) -> Result<(), StoreError> {
        if from as usize >= MIGRATIONS.len() {
            return manifest::load(&self.conn, &self.keys);
        }
        let resealed = if seal_format_at(from) != SEAL_FORMAT {
            Some(Keys::derive(&self.data_key, SEAL_FORMAT).ok_or(StoreError::WrongKey)?)
        } else {
            None
        };
        // Migrations may rebuild tables: with foreign keys on, dropping an old parent table
        // would delete its children. The pragma is a no-op inside a transaction, so it is
        // switched around it (and back on whatever happens).
        self.conn.execute_batch("PRAGMA foreign_keys = OFF;")?;
        let done = (|| {
            let tx = self.conn.transaction()?;
            for (i, m) in MIGRATIONS.iter().enumerate().skip(from as usize) {
                tx.execute_batch(m)?;
                tx.execute_batch(&format!("PRAGMA user_version = {};", i + 1))?;
            }
            if let Some(new) = &resealed {
                migrate::reseal(&tx, &self.keys, new)?;
            }
            let dangling: Option<String> = tx
                .query_row("SELECT \"table\" FROM pragma_foreign_key_check", [], |r| {
                    r.get(0)
                })
                .optional()?;
            if dangling.is_some() {
                return Err(StoreError::Io {
                    reason: "a migration left a row without its owner".into(),
                });
            }
            tx.commit()?;
            Ok(())
        })();
        self.conn.execute_batch("PRAGMA foreign_keys = ON;")?;
        done?;
        if let Some(new) = resealed {
            self.keys = new;
            self.scrub_wal()?;
        }
        manifest::load(&self.conn, &self.keys)
    }

    /// Wraps the same data key under `new` (e.g. after a passphrase change). Nothing else is
    /// re-encrypted; the old wrapping is replaced in one transaction.
    pub fn rewrap(&mut self, new: &dyn KeyStore) -> Result<(), StoreError> {
        let wrapped = new
            .wrap(&self.data_key[..])
            .map_err(|e| StoreError::KeyUnavailable {
                reason: e.to_string(),
            })?;
        let tx = self.conn.transaction()?;
        tx.execute(
            "UPDATE meta SET value = ?1 WHERE key = 'wrapped_key'",
            [&wrapped],
        )?;
        tx.commit()?;
        Ok(())
    }

    /// Destroys the store: the wrapped key and every row are deleted first (`secure_delete`
    /// zeroes them), then the files are removed.
    pub fn wipe(self) -> Result<(), StoreError> {
        // secure_delete is on: the deleted rows (the wrapped key among them) are overwritten in
        // the pages. The RESTART checkpoint copies every WAL frame into the database, so no
        // frame is read again; the WAL's old frames (earlier page images) are then zeroed in
        // place before SQLite deletes the file on close, and `destroy` zeroes the rest. (The
        // -shm index holds frame counters and hashes, no data.)
        self.conn.execute_batch(
            "BEGIN IMMEDIATE; DELETE FROM card_checks; DELETE FROM records; DELETE FROM members;
             DELETE FROM meta; COMMIT;
             PRAGMA wal_checkpoint(RESTART);",
        )?;
        let path = self.path.clone();
        let mut wal = path.as_os_str().to_owned();
        wal.push("-wal");
        let wal = PathBuf::from(wal);
        if let Ok(m) = std::fs::symlink_metadata(&wal)
            && m.file_type().is_file()
        {
            zero_fill(&wal, m.len()).map_err(|e| StoreError::Io {
                reason: e.kind().to_string(),
            })?;
        }
        self.conn.close().map_err(|(_, e)| StoreError::from(e))?;
        Self::destroy(&path)
    }

    /// Removes the store's files without opening it: the clean reset offered when the key is
    /// lost. Each file (database, WAL, SHM, journal) is first overwritten with zeros and synced,
    /// so the wrapped data key and the sealed rows are not left in the file's blocks for anyone
    /// who later reads the disk (as far as the file system overwrites in place; flash wear
    /// levelling and copy-on-write file systems may keep old blocks). Missing files are not an
    /// error.
    pub fn destroy(path: &Path) -> Result<(), StoreError> {
        let io = |e: std::io::Error| StoreError::Io {
            reason: e.kind().to_string(),
        };
        for suffix in ["", "-wal", "-shm", "-journal"] {
            let mut p = path.as_os_str().to_owned();
            p.push(suffix);
            let p = PathBuf::from(p);
            match std::fs::symlink_metadata(&p) {
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue,
                Err(e) => return Err(io(e)),
                // A link is removed, never followed and overwritten.
                Ok(m) if m.file_type().is_file() => zero_fill(&p, m.len()).map_err(io)?,
                Ok(_) => {}
            }
            match std::fs::remove_file(&p) {
                Ok(()) => {}
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                Err(e) => return Err(io(e)),
            }
        }
        Ok(())
    }
}

/// Overwrites the first `len` bytes of the file at `path` with zeros and syncs it.
pub(super) fn zero_fill(path: &Path, len: u64) -> std::io::Result<()> {
    use std::io::Write as _;
    let mut f = std::fs::OpenOptions::new().write(true).open(path)?;
    let zeros = [0u8; 64 * 1024];
    let mut left = len;
    while left > 0 {
        // `left.min(64 KiB)` fits in usize on every platform.
        let n = usize::try_from(left.min(zeros.len() as u64)).unwrap_or(zeros.len());
        f.write_all(&zeros[..n])?;
        left -= n as u64;
    }
    f.sync_all()
}
