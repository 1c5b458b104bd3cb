//! Opening an encrypted SQLite file, shared by the household store (`open.rs`) and the clinic
//! desk's store (`clinic/desk.rs`): the file made owner-only before SQLite touches it, the
//! household store's file held by its one connection (exclusive locking), the
//! per-connection pragmas, the application id and schema version checked, no checkpoint on close
//! until the key is proven right, the wrapped data key unwrapped and proven by the sealed canary,
//! and, when any of that (or what the caller does next) fails, the `-wal` / `-shm` files this
//! attempt created removed again, so a failed open leaves the files as they were.

use std::path::{Path, PathBuf};

use rusqlite::config::DbConfig;
use rusqlite::{Connection, OpenFlags};
use zeroize::Zeroizing;

use super::crypto::{Keys, Slot, random_data_key};
use super::{KeyStore, KeyStoreError, RowRef, StoreError};

/// What tells one kind of encrypted SQLite file from another, and what unlocks it.
pub(crate) struct FileKind {
    /// SQLite `application_id` of this kind of file.
    pub application_id: i32,
    /// The newest schema version this build reads (and the one it creates).
    pub schema_version: u32,
    /// The table of `key`/`value` rows holding `wrapped_key` and `canary`.
    pub meta_table: &'static str,
    /// The canary's plaintext.
    pub canary: &'static [u8],
    /// The seal format of a file at a schema version.
    pub seal_format_at: fn(u32) -> u32,
    /// What else opening checks once the key is proven, in the same read transaction (the
    /// household store loads and checks its row list here), given the schema version and the
    /// value of the meta row [`FileKind::check_row`] (read with the key rows).
    pub check: OpenCheck,
    /// A meta row `check` needs (the household store's sealed row list), read in the same
    /// statement as the wrapped key and the canary: one statement fewer per open.
    pub check_row: &'static str,
    /// Whether one connection holds the file alone while it is open (`locking_mode =
    /// EXCLUSIVE`, set before the file is first read): the WAL index then lives in the
    /// connection's memory instead of a `-shm` file set up again at every open, and any other
    /// connection, in this process or another, waits (the busy timeout) and then gets
    /// [`StoreError::Io`] "in use". The household store, opened once per app session, is so;
    /// the clinic desk is not (`shikaku clinic serve` and the desk's other commands share its
    /// file). docs/decisions/0013-store-performance.md, "One connection holds the store".
    pub exclusive: bool,
}

/// [`FileKind::check`]: given the connection, the keys, the schema version and the value of
/// [`FileKind::check_row`].
pub(crate) type OpenCheck = fn(&Connection, &Keys, u32, Option<Vec<u8>>) -> Result<(), StoreError>;

/// The `wrapped_key`, `canary` and [`FileKind::check_row`] values, when present.
type KeyRows = (Option<Vec<u8>>, Option<Vec<u8>>, Option<Vec<u8>>);

/// An existing file whose data key is proven right (checkpoints on close are back on).
pub(crate) struct Unlocked {
    /// The connection, configured.
    pub conn: Connection,
    /// The file's schema version (at most [`FileKind::schema_version`]).
    pub version: u32,
    /// The keys of the file's seal format.
    pub keys: Keys,
    /// The unwrapped data key.
    pub data_key: Zeroizing<Vec<u8>>,
    /// Whether the `-wal` was absent or empty before the open (nothing to checkpoint).
    pub wal_was_empty: bool,
}

/// What [`FileKind::open`] found.
pub(crate) enum Opened {
    /// An empty file (new, or zero bytes): the caller creates its schema, see
    /// [`FileKind::new_key`].
    Empty(Connection),
    /// An existing file, unlocked.
    Existing(Box<Unlocked>),
}

/// A new file's key material, to be stored by [`FileKind::store_key`].
pub(crate) struct NewKey {
    /// The new random data key.
    pub data_key: Zeroizing<Vec<u8>>,
    /// The keys derived from it, for the newest seal format.
    pub keys: Keys,
    wrapped: Vec<u8>,
    canary: Vec<u8>,
}

/// An I/O failure, without the path (it may name a person).
pub(crate) fn io_error(e: std::io::Error) -> StoreError {
    StoreError::Io {
        reason: e.kind().to_string(),
    }
}

/// The per-connection settings; none of them writes to the file. (Foreign keys are switched
/// on through the connection's configuration, which needs no statement.) The last pragma is
/// the first statement that reads the file (its schema).
pub(crate) fn configure(conn: &Connection) -> rusqlite::Result<()> {
    conn.busy_timeout(std::time::Duration::from_secs(5))?;
    conn.set_db_config(DbConfig::SQLITE_DBCONFIG_ENABLE_FKEY, true)?;
    conn.execute_batch(
        "PRAGMA secure_delete = ON; PRAGMA temp_store = MEMORY; PRAGMA synchronous = FULL;",
    )
}

/// Makes sure the database file is readable by its owner only before SQLite opens it:
/// a new file is created with mode 0600 (never through an existing file or link), and an
/// existing one is narrowed to 0600. SQLite gives its `-wal` and `-shm` files the database
/// file's mode, so they are owner-only too. (The wrapped key in the file must not be readable by
/// other local users, who could guess a passphrase offline.)
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

/// Makes sure the database file is readable by its owner only (a no-op off Unix).
#[cfg(not(unix))]
pub(crate) fn restrict_to_owner(_path: &Path) -> Result<(), StoreError> {
    Ok(())
}

/// `path` with `suffix` appended to its file name (`-wal`, `-shm`, `-journal`).
pub(crate) fn sidecar(path: &Path, suffix: &str) -> PathBuf {
    let mut p = path.as_os_str().to_owned();
    p.push(suffix);
    PathBuf::from(p)
}

impl FileKind {
    /// The `wrapped_key`, `canary` and [`FileKind::check_row`] rows, in one statement.
    fn key_rows(&self, conn: &Connection) -> Result<KeyRows, StoreError> {
        let mut stmt = conn.prepare(&format!(
            "SELECT key, value FROM {} WHERE key IN ('wrapped_key', 'canary', ?1)",
            self.meta_table
        ))?;
        let mut rows = stmt.query([self.check_row])?;
        let (mut wrapped, mut canary, mut checked) = (None, None, None);
        while let Some(r) = rows.next()? {
            let key = r.get_ref(0)?.as_str().unwrap_or_default();
            let slot = match key {
                "wrapped_key" => &mut wrapped,
                "canary" => &mut canary,
                _ => &mut checked,
            };
            *slot = Some(r.get(1)?);
        }
        Ok((wrapped, canary, checked))
    }

    fn meta_row(&self, key: &str) -> RowRef {
        RowRef {
            table: self.meta_table,
            id: key.into(),
        }
    }

    /// Where the canary is sealed.
    pub(crate) fn canary_slot(&self) -> Slot<'static> {
        Slot {
            table: self.meta_table,
            row: "canary",
            column: "value",
        }
    }

    /// Opens (or creates, empty) the file at `path` and hands what it found to `then`. When the
    /// open or `then` fails, the `-wal` and `-shm` files this attempt created are removed once
    /// the connection is closed (a pre-existing, hot WAL is kept).
    pub(crate) fn open<T>(
        &self,
        path: &Path,
        keystore: &dyn KeyStore,
        then: impl FnOnce(Opened) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        let (wal, shm) = (sidecar(path, "-wal"), sidecar(path, "-shm"));
        let wal_before = std::fs::metadata(&wal).ok().map(|m| m.len());
        let had_shm = shm.exists();
        restrict_to_owner(path)?;
        let mut touched = false;
        let opened = self
            .open_conn(
                path,
                keystore,
                wal_before.is_none_or(|n| n == 0),
                &mut touched,
            )
            .and_then(then);
        match opened {
            Ok(out) => {
                if self.exclusive && had_shm {
                    // The WAL index is in this connection's memory, and no other connection
                    // holds a lock on the file (it is held alone): a `-shm` left by an older
                    // build or another program is unused, and goes.
                    let _ = std::fs::remove_file(&shm);
                }
                Ok(out)
            }
            Err(e) => {
                // The connection is closed by now (without a checkpoint). Remove only the
                // sidecar files this attempt created, so a failed open leaves the files as
                // they were. An attempt that found the file busy (another session holds it)
                // leaves everything alone: a `-wal` made since it looked is that session's.
                let empty = |p: &Path| std::fs::metadata(p).map(|m| m.len() == 0).unwrap_or(false);
                if touched && wal_before.is_none() && empty(&wal) {
                    let _ = std::fs::remove_file(&wal);
                    if !had_shm {
                        let _ = std::fs::remove_file(&shm);
                    }
                }
                Err(e)
            }
        }
    }

    fn open_conn(
        &self,
        path: &Path,
        keystore: &dyn KeyStore,
        wal_was_empty: bool,
        touched: &mut bool,
    ) -> Result<Opened, StoreError> {
        let conn = Connection::open_with_flags(
            path,
            // One connection, used from one thread at a time (the stores are `Send`, not
            // `Sync`): SQLite's own mutexes are not needed. No URI flag: a path is only a path.
            OpenFlags::SQLITE_OPEN_READ_WRITE
                | OpenFlags::SQLITE_OPEN_CREATE
                | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )?;
        // Until the key is proven right, closing must not checkpoint a leftover WAL into the
        // database — not even into a file that turns out to be someone else's: a failed open
        // leaves every file as it was.
        conn.set_db_config(DbConfig::SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, true)?;
        // Every statement a store runs stays prepared (rusqlite keeps 16 by default; the
        // reads, the writes and the row list's checks use more, and re-preparing costs more
        // than the reads themselves).
        conn.set_prepared_statement_cache_capacity(64);
        if self.exclusive {
            // Before anything reads the file (the pragmas of `configure` read the schema).
            conn.execute_batch("PRAGMA locking_mode = EXCLUSIVE")?;
        }
        // The first read of the file may make its `-wal` (and, shared, its `-shm`), unless the
        // file is busy: a file held alone is locked before SQLite opens or makes its `-wal`.
        if let Err(e) = configure(&conn) {
            *touched = e.sqlite_error_code() != Some(rusqlite::ErrorCode::DatabaseBusy);
            return Err(e.into());
        }
        *touched = true;
        // Everything the open checks is read in one read transaction: one consistent view of
        // the file, and one shared lock instead of one per statement. (Dropping the connection
        // on a failure ends it.) BEGIN and COMMIT are cached: the store's reads
        // (`Store::read_consistent`) run the same two statements.
        conn.prepare_cached("BEGIN")?.execute([])?;
        // Two header fields (plain pragmas: cheaper to prepare than the table-valued
        // `pragma_…` functions in one SELECT); the schema is only counted when both are 0.
        let app_id: i32 = conn.query_row("PRAGMA application_id", [], |r| r.get(0))?;
        let version: u32 = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
        let empty = app_id == 0
            && version == 0
            && conn.query_row("SELECT count(*) FROM sqlite_master", [], |r| {
                r.get::<_, i64>(0)
            })? == 0;
        if empty {
            conn.prepare_cached("COMMIT")?.execute([])?;
            // A new file: nothing to protect, and its first checkpoint is due as usual.
            conn.set_db_config(DbConfig::SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, false)?;
            return Ok(Opened::Empty(conn));
        }
        if app_id != self.application_id {
            return Err(StoreError::NotADatabase);
        }
        if version > self.schema_version {
            return Err(StoreError::SchemaTooNew {
                found: version,
                supported: self.schema_version,
            });
        }
        let (wrapped, canary, checked) = self.key_rows(&conn)?;
        let wrapped = wrapped.ok_or_else(|| StoreError::Corrupt {
            row: self.meta_row("wrapped_key"),
        })?;
        let data_key = Zeroizing::new(keystore.unwrap(wrapped).map_err(|e| match e {
            KeyStoreError::Rejected => StoreError::WrongKey,
            KeyStoreError::Malformed => StoreError::Corrupt {
                row: self.meta_row("wrapped_key"),
            },
            KeyStoreError::Unavailable { reason } => StoreError::KeyUnavailable { reason },
        })?);
        let keys =
            Keys::derive(&data_key, (self.seal_format_at)(version)).ok_or(StoreError::WrongKey)?;
        let canary = canary.ok_or_else(|| StoreError::Corrupt {
            row: self.meta_row("canary"),
        })?;
        match keys.open(self.canary_slot(), &canary) {
            Some(v) if v.as_slice() == self.canary => {}
            _ => return Err(StoreError::WrongKey),
        }
        (self.check)(&conn, &keys, version, checked)?;
        conn.prepare_cached("COMMIT")?.execute([])?;
        conn.set_db_config(DbConfig::SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, false)?;
        Ok(Opened::Existing(Box::new(Unlocked {
            conn,
            version,
            keys,
            data_key,
            wal_was_empty,
        })))
    }

    /// For a new file: switches `conn` to WAL (persistent, and impossible inside a
    /// transaction), makes a random data key, wraps it with `keystore` and seals the canary
    /// with it (newest seal format).
    pub(crate) fn new_key(
        &self,
        conn: &Connection,
        keystore: &dyn KeyStore,
    ) -> Result<NewKey, StoreError> {
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
        let keys = Keys::derive(&data_key, (self.seal_format_at)(self.schema_version))
            .ok_or(StoreError::WrongKey)?;
        let canary = keys
            .seal(self.canary_slot(), self.canary)
            .ok_or_else(super::error::sealing_failed)?;
        Ok(NewKey {
            data_key,
            keys,
            wrapped,
            canary,
        })
    }

    /// Inserts the new file's wrapped key and canary into its meta table (in the caller's
    /// transaction, after its schema).
    pub(crate) fn store_key(&self, conn: &Connection, key: &NewKey) -> Result<(), StoreError> {
        let sql = format!(
            "INSERT INTO {} (key, value) VALUES ('wrapped_key', ?1), ('canary', ?2)",
            self.meta_table
        );
        conn.execute(&sql, rusqlite::params![key.wrapped, key.canary])?;
        Ok(())
    }
}
