//! Opening and creating the file: the pragmas, the wrapped data key and its canary, the numbered
//! migrations; and what is done to the file as a whole (rewrap, wipe, destroy).

use std::cell::Cell;
use std::path::Path;

use rusqlite::{Connection, OptionalExtension};

use super::crypto::{Keys, Slot};
use super::file::{FileKind, NewKey, Opened, Unlocked, sidecar};
use super::migrate::seal_format_at;
use super::{KeyStore, RowRef, Store, StoreError};
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

/// The household store's kind of file.
const STORE_FILE: FileKind = FileKind {
    application_id: APPLICATION_ID,
    schema_version: SCHEMA_VERSION,
    meta_table: "meta",
    canary: CANARY,
    seal_format_at,
    // A store at this build's schema has its row list checked while opening; an older one
    // gets it from its migration.
    check: |conn, keys, version, list| {
        if version == SCHEMA_VERSION {
            manifest::load_sealed(conn, keys, list)
        } else {
            Ok(())
        }
    },
    check_row: manifest::LIST_ROW,
    exclusive: true,
};

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

impl Store {
    /// Opens the store at `path`, creating it (with a new data key wrapped by `keystore`) if
    /// the file does not exist or is empty. Opening an existing store writes nothing until the
    /// key has been proven right; a failed open leaves the files as they were.
    pub fn open(path: &Path, keystore: &dyn KeyStore) -> Result<Store, StoreError> {
        STORE_FILE.open(path, keystore, |opened| match opened {
            Opened::Empty(conn) => Self::create(conn, path, keystore),
            Opened::Existing(unlocked) => {
                let Unlocked {
                    conn,
                    version,
                    keys,
                    data_key,
                    wal_was_empty,
                } = *unlocked;
                let mut store = Store {
                    conn,
                    keys,
                    data_key,
                    path: path.to_path_buf(),
                    fresh: Cell::new(false),
                };
                store.migrate(version)?;
                // Nothing to checkpoint (no WAL or an empty one before the open, as every
                // session that wrote leaves it, and no migration): a session that only reads
                // closes without a checkpoint, and the empty WAL stays for the next launch
                // instead of being deleted and made again.
                store.checkpoint_on_close(!(wal_was_empty && version == SCHEMA_VERSION))?;
                Ok(store)
            }
        })
    }

    fn create(
        mut conn: Connection,
        path: &Path,
        keystore: &dyn KeyStore,
    ) -> Result<Store, StoreError> {
        let new = STORE_FILE.new_key(&conn, keystore)?;
        let tx = conn.transaction()?;
        tx.execute_batch(&format!("PRAGMA application_id = {APPLICATION_ID};"))?;
        for (i, m) in MIGRATIONS.iter().enumerate() {
            tx.execute_batch(m)?;
            tx.execute_batch(&format!("PRAGMA user_version = {};", i + 1))?;
        }
        STORE_FILE.store_key(&tx, &new)?;
        manifest::save(&tx, &new.keys, &manifest::Manifest::default())?;
        tx.commit()?;
        manifest::load(&conn, &new.keys)?;
        let NewKey { data_key, keys, .. } = new;
        Ok(Store {
            conn,
            keys,
            data_key,
            path: path.to_path_buf(),
            fresh: Cell::new(false),
        })
    }

    /// Applies the migrations after `from` in one transaction. Moving to seal format 2
    /// (schema 3) re-seals every value in that same transaction ([`migrate::reseal`]); the
    /// WAL's old frames are zeroed after it commits. Then the row list is read and checked.
    fn migrate(&mut self, from: u32) -> Result<(), StoreError> {
        if from as usize >= MIGRATIONS.len() {
            // The row list was loaded and checked while opening.
            return Ok(());
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
        self.checkpoint_on_close(true)?;
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
        // place before SQLite deletes the file on close, and `destroy` zeroes the rest. (There
        // is no `-shm`: the WAL index is in the connection's memory.)
        self.checkpoint_on_close(true)?;
        self.conn.execute_batch(
            "BEGIN IMMEDIATE; DELETE FROM card_checks; DELETE FROM records; DELETE FROM members;
             DELETE FROM meta; COMMIT;
             PRAGMA wal_checkpoint(RESTART);",
        )?;
        let path = self.path.clone();
        let wal = sidecar(&path, "-wal");
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
        // What the process remembers of the household's valid signatures goes too (hashes
        // only, in memory: `document::cose::verify`).
        crate::document::forget_verified_signatures();
        let io = |e: std::io::Error| StoreError::Io {
            reason: e.kind().to_string(),
        };
        for suffix in ["", "-wal", "-shm", "-journal"] {
            let p = sidecar(path, suffix);
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
