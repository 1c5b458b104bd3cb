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

mod crypto;
mod keystore;

use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use rusqlite::config::DbConfig;
use rusqlite::{
    Connection, OpenFlags, OptionalExtension, Transaction, TransactionBehavior, params,
};
use serde::{Deserialize, Serialize};
use zeroize::Zeroizing;

use crate::card::{CardCheck, KeyFingerprint, MemberMatch};
use crate::eligibility::text::fold_width;
use crate::eligibility::{
    DocumentKind, EligibilityRecord, InsurerNumber, Member, MemberData, MemberId, Provenance,
    RecordId, Relationship, Sex, StoredRecord,
};
use crypto::{Keys, Slot, random_data_key};
pub use keystore::{Argon2Cost, KeyStore, KeyStoreError, MemoryKeyStore, PassphraseKeyStore};

/// The schema version this build writes and reads.
pub const SCHEMA_VERSION: u32 = 1;

/// The format version of sealed values, bound into every value's associated data. It is not
/// the SQL schema version: a migration that only adds tables or columns keeps it; one that
/// changes a sealed payload's format re-seals those values and bumps it (see ADR 0001).
const SEAL_FORMAT: u32 = 1;

/// SQLite `application_id` of a shikaku store ("SHKK").
const APPLICATION_ID: i32 = 0x5348_4B4B;

/// Numbered migrations; entry `n` moves the schema from version `n` to `n + 1`.
const MIGRATIONS: &[&str] = &[include_str!("migrations/0001_init.sql")];

const CANARY: &[u8] = b"shikaku store canary v1";

/// Identifies one stored row in an error, by table and random id (never personal data).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct RowRef {
    /// The table: `members`, `records`, `card_checks` or `meta`.
    pub table: &'static str,
    /// The row's random id (or the meta key).
    pub id: String,
}

impl std::fmt::Display for RowRef {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}", self.table, self.id)
    }
}

/// What can go wrong with the store. Messages carry no personal data.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StoreError {
    /// The key (or passphrase) does not open this store. Nothing was changed.
    #[error("wrong key or passphrase for this store (nothing was changed)")]
    WrongKey,
    /// One row failed to decrypt or decode; the other rows are unaffected.
    #[error("stored row {row} is damaged or was tampered with")]
    Corrupt {
        /// The damaged row.
        row: RowRef,
    },
    /// The file is not a shikaku store.
    #[error("the file is not a shikaku store")]
    NotADatabase,
    /// The store was written by a newer version of shikaku.
    #[error("the store has schema version {found}; this build supports up to {supported}")]
    SchemaTooNew {
        /// The store's version.
        found: u32,
        /// The newest version this build knows.
        supported: u32,
    },
    /// A member or record with that id does not exist.
    #[error("no such {what}")]
    NotFound {
        /// `member` or `record`.
        what: &'static str,
    },
    /// The platform key store could not be used.
    #[error("the key store is unavailable: {reason}")]
    KeyUnavailable {
        /// A short, data-free reason.
        reason: String,
    },
    /// The file system or SQLite failed.
    #[error("storage error: {reason}")]
    Io {
        /// A short, data-free reason.
        reason: String,
    },
}

impl From<rusqlite::Error> for StoreError {
    fn from(e: rusqlite::Error) -> Self {
        match e.sqlite_error_code() {
            Some(rusqlite::ErrorCode::NotADatabase) => StoreError::NotADatabase,
            _ => StoreError::Io {
                reason: e.to_string(),
            },
        }
    }
}

/// The household as stored: members in display order, and any rows that failed to open.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Household {
    /// Members that read correctly, in display order.
    pub members: Vec<Member>,
    /// Member rows that are damaged (each reported on its own).
    pub corrupt: Vec<RowRef>,
}

/// A member's records, and any record rows that failed to open.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordList {
    /// Records that read correctly, oldest first.
    pub records: Vec<StoredRecord>,
    /// Record rows that are damaged.
    pub corrupt: Vec<RowRef>,
}

/// A card check as stored for a member: the result, and how the card's 基本4情報 compared
/// with the member (when it was read).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoredCardCheck {
    /// The member checked.
    pub member: MemberId,
    /// The check's result (its `checked_at` is when it happened).
    pub check: CardCheck,
    /// The 基本4情報 comparison, if the 基本4情報 was read.
    pub matched: Option<MemberMatch>,
}

impl StoredCardCheck {
    /// What is stored for `member` after `check`: the 基本4情報 (when read) compared with the
    /// member, and the card's address dropped — nothing compares it, so it is not kept.
    pub fn for_member(member: &Member, mut check: CardCheck) -> StoredCardCheck {
        let matched = check
            .basic_info
            .as_ref()
            .map(|info| crate::card::match_member(info, &member.data));
        if let Some(info) = check.basic_info.as_mut() {
            info.address.clear();
        }
        StoredCardCheck {
            member: member.id,
            check,
            matched,
        }
    }
}

/// The sealed payload of a `members` row.
#[derive(Serialize, Deserialize)]
struct MemberPayload {
    name: String,
    kana: String,
    birth_date: chrono::NaiveDate,
    sex: Sex,
    relationship: Relationship,
    /// The issuer's id for this person, for members that came from a sync.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    issuer_ref: Option<String>,
}

/// What the store remembers about the last successful download (sealed in `meta`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SyncState {
    /// The server it came from.
    pub server: Option<String>,
    /// The documents' ETag, sent back as `If-None-Match`.
    pub etag: Option<String>,
    /// When the last sync succeeded (a 304 counts).
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

/// Provenance as sealed in `records.data`; the signed bytes live in the `signed` column.
#[derive(Serialize, Deserialize)]
enum ProvenancePayload {
    IssuerSigned { key_id: String },
    HandEntered { entered_at: DateTime<Utc> },
}

/// The sealed payload of a `records` row.
#[derive(Serialize, Deserialize)]
struct RecordPayload {
    member: MemberId,
    record: EligibilityRecord,
    provenance: ProvenancePayload,
}

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

fn configure(conn: &Connection) -> Result<(), StoreError> {
    conn.busy_timeout(std::time::Duration::from_secs(5))?;
    // Per-connection settings; none of them writes to the file.
    conn.execute_batch(
        "PRAGMA secure_delete = ON; PRAGMA temp_store = MEMORY; PRAGMA foreign_keys = ON;
         PRAGMA synchronous = FULL;",
    )?;
    Ok(())
}

fn meta_get(conn: &Connection, key: &str) -> Result<Option<Vec<u8>>, StoreError> {
    Ok(conn
        .prepare_cached("SELECT value FROM meta WHERE key = ?1")?
        .query_row([key], |r| r.get(0))
        .optional()?)
}

fn meta_row(key: &str) -> RowRef {
    RowRef {
        table: "meta",
        id: key.into(),
    }
}

const SYNC_SLOT: Slot<'static> = Slot {
    table: "meta",
    row: "sync_state",
    column: "value",
};

const CANARY_SLOT: Slot<'static> = Slot {
    table: "meta",
    row: "canary",
    column: "value",
};

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
        let conn = Connection::open_with_flags(
            path,
            // One connection, used from one thread at a time (`Store` is `Send`, not `Sync`):
            // SQLite's own mutexes are not needed. No URI flag: a path is only a path.
            OpenFlags::SQLITE_OPEN_READ_WRITE
                | OpenFlags::SQLITE_OPEN_CREATE
                | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )?;
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
        let keys = Keys::derive(&data_key, SEAL_FORMAT).ok_or(StoreError::WrongKey)?;
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
        let wrapped = keystore.wrap(data_key.to_vec()).map_err(|e| match e {
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
        tx.commit()?;
        Ok(Store {
            conn,
            keys,
            data_key,
            path: path.to_path_buf(),
        })
    }

    fn migrate(&mut self, from: u32) -> Result<(), StoreError> {
        if from as usize >= MIGRATIONS.len() {
            return Ok(());
        }
        let tx = self.conn.transaction()?;
        for (i, m) in MIGRATIONS.iter().enumerate().skip(from as usize) {
            tx.execute_batch(m)?;
            tx.execute_batch(&format!("PRAGMA user_version = {};", i + 1))?;
        }
        tx.commit()?;
        Ok(())
    }

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

    /// Adds a member at the end of the household and returns its new id.
    pub fn add_member(&mut self, data: &MemberData) -> Result<MemberId, StoreError> {
        self.write(|b| b.add_member(data))
    }

    /// Replaces a member's data (keeps id and order).
    pub fn update_member(&mut self, id: MemberId, data: &MemberData) -> Result<(), StoreError> {
        self.write(|b| b.update_member(id, data))
    }

    /// Removes a member and all of their records.
    pub fn remove_member(&mut self, id: MemberId) -> Result<(), StoreError> {
        self.write(|b| b.remove_member(id))
    }

    /// Stores a new record for `member` and returns its id.
    pub fn put_record(
        &mut self,
        member: MemberId,
        record: &EligibilityRecord,
        provenance: &Provenance,
    ) -> Result<RecordId, StoreError> {
        self.write(|b| b.put_record(member, record, provenance))
    }

    /// Replaces a record's content and provenance (keeps its id and member).
    pub fn replace_record(
        &mut self,
        id: RecordId,
        record: &EligibilityRecord,
        provenance: &Provenance,
    ) -> Result<(), StoreError> {
        self.write(|b| b.replace_record(id, record, provenance))
    }

    /// Removes a record.
    pub fn remove_record(&mut self, id: RecordId) -> Result<(), StoreError> {
        self.write(|b| b.remove_record(id))
    }

    /// All members in display order; damaged rows are listed apart, never hiding the others.
    pub fn household(&self) -> Result<Household, StoreError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT id, relationship, ordinal, data FROM members ORDER BY ordinal, rowid",
        )?;
        let rows = stmt.query_map([], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, i64>(1)?,
                r.get::<_, i64>(2)?,
                r.get::<_, Vec<u8>>(3)?,
            ))
        })?;
        let mut household = Household {
            members: Vec::new(),
            corrupt: Vec::new(),
        };
        for row in rows {
            let (id, rel, ord, data) = row?;
            match self.decode_member(&id, rel, ord, &data) {
                Ok(m) => household.members.push(m),
                Err(row) => household.corrupt.push(row),
            }
        }
        Ok(household)
    }

    /// One member.
    pub fn member(&self, id: MemberId) -> Result<Member, StoreError> {
        let key = id.to_string();
        let row = self
            .conn
            .prepare_cached("SELECT relationship, ordinal, data FROM members WHERE id = ?1")?
            .query_row([&key], |r| {
                Ok((
                    r.get::<_, i64>(0)?,
                    r.get::<_, i64>(1)?,
                    r.get::<_, Vec<u8>>(2)?,
                ))
            })
            .optional()?
            .ok_or(StoreError::NotFound { what: "member" })?;
        self.decode_member(&key, row.0, row.1, &row.2)
            .map_err(|row| StoreError::Corrupt { row })
    }

    fn decode_member(&self, id: &str, rel: i64, ord: i64, sealed: &[u8]) -> Result<Member, RowRef> {
        let bad = || RowRef {
            table: "members",
            id: id.to_string(),
        };
        let slot = Slot {
            table: "members",
            row: id,
            column: "data",
        };
        let plain = self.keys.open(slot, sealed).ok_or_else(bad)?;
        let p: MemberPayload = serde_json::from_slice(&plain).map_err(|_| bad())?;
        if Relationship::from_code(rel) != Some(p.relationship) {
            return Err(bad());
        }
        Ok(Member {
            id: id.parse().map_err(|_| bad())?,
            order: u32::try_from(ord).map_err(|_| bad())?,
            issuer_ref: p.issuer_ref,
            data: MemberData {
                name: p.name,
                kana: p.kana,
                birth_date: p.birth_date,
                sex: p.sex,
                relationship: p.relationship,
            },
        })
    }

    /// A member's records, oldest first; damaged rows are listed apart.
    pub fn records(&self, member: MemberId) -> Result<RecordList, StoreError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT id, member_id, kind, provenance, data, signed FROM records
             WHERE member_id = ?1 ORDER BY rowid",
        )?;
        let rows = stmt.query_map([member.to_string()], RawRecord::from_row)?;
        let mut list = RecordList {
            records: Vec::new(),
            corrupt: Vec::new(),
        };
        for row in rows {
            let raw = row?;
            match self.decode_record(&raw) {
                Ok(r) => list.records.push(r),
                Err(row) => list.corrupt.push(row),
            }
        }
        Ok(list)
    }

    /// One record.
    pub fn record(&self, id: RecordId) -> Result<StoredRecord, StoreError> {
        let raw = self
            .conn
            .prepare_cached(
                "SELECT id, member_id, kind, provenance, data, signed FROM records WHERE id = ?1",
            )?
            .query_row([id.to_string()], RawRecord::from_row)
            .optional()?
            .ok_or(StoreError::NotFound { what: "record" })?;
        self.decode_record(&raw)
            .map_err(|row| StoreError::Corrupt { row })
    }

    /// Ids of the records whose 保険者番号, 記号, 番号 and 枝番 equal these (after width
    /// folding), found through the keyed-hash index without decrypting anything.
    pub fn find_records(
        &self,
        insurer_number: &InsurerNumber,
        symbol: Option<&str>,
        number: &str,
        branch: Option<&str>,
    ) -> Result<Vec<RecordId>, StoreError> {
        let hash = identity_hash(&self.keys, insurer_number, symbol, number, branch);
        let mut stmt = self
            .conn
            .prepare_cached("SELECT id FROM records WHERE lookup = ?1 ORDER BY rowid")?;
        let ids = stmt.query_map([hash], |r| r.get::<_, String>(0))?;
        let mut out = Vec::new();
        for id in ids {
            let id = id?;
            out.push(id.parse().map_err(|_| StoreError::Corrupt {
                row: RowRef {
                    table: "records",
                    id,
                },
            })?);
        }
        Ok(out)
    }

    /// The member the issuer knows as `issuer_ref`, if any.
    pub fn member_by_issuer_ref(&self, issuer_ref: &str) -> Result<Option<Member>, StoreError> {
        let hh = self.household()?;
        Ok(hh
            .members
            .into_iter()
            .find(|m| m.issuer_ref.as_deref() == Some(issuer_ref)))
    }

    /// What the last successful sync left (default when there was none).
    pub fn sync_state(&self) -> Result<SyncState, StoreError> {
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

    /// The latest card check stored for `member`, if any.
    pub fn card_check(&self, member: MemberId) -> Result<Option<StoredCardCheck>, StoreError> {
        let row = self
            .conn
            .prepare_cached("SELECT id, data FROM card_checks WHERE member_id = ?1")?
            .query_row([member.to_string()], |r| {
                Ok((r.get::<_, String>(0)?, r.get::<_, Vec<u8>>(1)?))
            })
            .optional()?;
        let Some((id, sealed)) = row else {
            return Ok(None);
        };
        let bad = || StoreError::Corrupt {
            row: RowRef {
                table: "card_checks",
                id: id.clone(),
            },
        };
        let slot = Slot {
            table: "card_checks",
            row: &id,
            column: "data",
        };
        let plain = self.keys.open(slot, &sealed).ok_or_else(bad)?;
        let stored: StoredCardCheck = serde_json::from_slice(&plain).map_err(|_| bad())?;
        if stored.member != member {
            return Err(bad());
        }
        Ok(Some(stored))
    }

    /// The members whose latest card check saw the card key with this fingerprint (found
    /// through the keyed-hash index).
    pub fn members_with_card(&self, key: &KeyFingerprint) -> Result<Vec<MemberId>, StoreError> {
        let hash = self.keys.lookup_hash("card-key", &[&key.to_hex()]);
        let mut stmt = self
            .conn
            .prepare_cached("SELECT member_id FROM card_checks WHERE lookup = ?1 ORDER BY rowid")?;
        let ids = stmt.query_map([hash], |r| r.get::<_, String>(0))?;
        let mut out = Vec::new();
        for id in ids {
            let id = id?;
            out.push(id.parse().map_err(|_| StoreError::Corrupt {
                row: RowRef {
                    table: "card_checks",
                    id,
                },
            })?);
        }
        Ok(out)
    }

    /// Stores `check` as the latest card check of its member (replacing the previous one).
    pub fn put_card_check(&mut self, check: &StoredCardCheck) -> Result<(), StoreError> {
        self.write(|b| b.put_card_check(check))
    }

    fn decode_record(&self, raw: &RawRecord) -> Result<StoredRecord, RowRef> {
        let bad = || RowRef {
            table: "records",
            id: raw.id.clone(),
        };
        let slot = |column| Slot {
            table: "records",
            row: &raw.id,
            column,
        };
        let plain = self.keys.open(slot("data"), &raw.data).ok_or_else(bad)?;
        let p: RecordPayload = serde_json::from_slice(&plain).map_err(|_| bad())?;
        let provenance = match (p.provenance, &raw.signed) {
            (ProvenancePayload::IssuerSigned { key_id }, Some(sealed)) => {
                Provenance::IssuerSigned {
                    key_id,
                    signed_bytes: self
                        .keys
                        .open(slot("signed"), sealed)
                        .ok_or_else(bad)?
                        .to_vec(),
                }
            }
            (ProvenancePayload::HandEntered { entered_at }, None) => {
                Provenance::HandEntered { entered_at }
            }
            _ => return Err(bad()),
        };
        // The plaintext hints must agree with the sealed payload.
        if p.member.to_string() != raw.member_id
            || DocumentKind::from_code(raw.kind) != Some(p.record.kind)
            || provenance.code() != raw.provenance
        {
            return Err(bad());
        }
        Ok(StoredRecord {
            id: raw.id.parse().map_err(|_| bad())?,
            member: p.member,
            record: p.record,
            provenance,
        })
    }

    /// Wraps the same data key under `new` (e.g. after a passphrase change). Nothing else is
    /// re-encrypted; the old wrapping is replaced in one transaction.
    pub fn rewrap(&mut self, new: &dyn KeyStore) -> Result<(), StoreError> {
        let wrapped = new
            .wrap(self.data_key.to_vec())
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
        self.conn.execute_batch(
            "BEGIN IMMEDIATE; DELETE FROM card_checks; DELETE FROM records; DELETE FROM members;
             DELETE FROM meta; COMMIT;
             PRAGMA wal_checkpoint(TRUNCATE);",
        )?;
        let path = self.path.clone();
        self.conn.close().map_err(|(_, e)| StoreError::from(e))?;
        Self::destroy(&path)
    }

    /// Removes the store's files without opening it: the clean reset offered when the key is
    /// lost. Missing files are not an error.
    pub fn destroy(path: &Path) -> Result<(), StoreError> {
        for suffix in ["", "-wal", "-shm", "-journal"] {
            let mut p = path.as_os_str().to_owned();
            p.push(suffix);
            match std::fs::remove_file(PathBuf::from(p)) {
                Ok(()) => {}
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                Err(e) => {
                    return Err(StoreError::Io {
                        reason: e.kind().to_string(),
                    });
                }
            }
        }
        Ok(())
    }
}

struct RawRecord {
    id: String,
    member_id: String,
    kind: i64,
    provenance: i64,
    data: Vec<u8>,
    signed: Option<Vec<u8>>,
}

impl RawRecord {
    fn from_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<RawRecord> {
        Ok(RawRecord {
            id: r.get(0)?,
            member_id: r.get(1)?,
            kind: r.get(2)?,
            provenance: r.get(3)?,
            data: r.get(4)?,
            signed: r.get(5)?,
        })
    }
}

fn identity_hash(
    keys: &Keys,
    insurer_number: &InsurerNumber,
    symbol: Option<&str>,
    number: &str,
    branch: Option<&str>,
) -> Vec<u8> {
    let fold = |s: &str| fold_width(s).replace(' ', "");
    let symbol = symbol.map(fold).unwrap_or_default();
    let branch = branch.map(fold).unwrap_or_default();
    keys.lookup_hash(
        "record-identity",
        &[insurer_number.as_str(), &symbol, &fold(number), &branch],
    )
}

/// The sealed columns of a `records` row.
struct SealedRecord {
    data: Vec<u8>,
    signed: Option<Vec<u8>>,
    lookup: Vec<u8>,
}

/// The writes of one transaction (see [`Store::write`]).
pub struct Batch<'a> {
    tx: Transaction<'a>,
    keys: &'a Keys,
    day: i64,
}

fn sealing_failed() -> StoreError {
    StoreError::Io {
        reason: "encryption failed".into(),
    }
}

impl Batch<'_> {
    fn seal_member(
        &self,
        id: &str,
        data: &MemberData,
        issuer_ref: Option<&str>,
    ) -> Result<Vec<u8>, StoreError> {
        let payload = Zeroizing::new(
            serde_json::to_vec(&MemberPayload {
                name: data.name.clone(),
                kana: data.kana.clone(),
                birth_date: data.birth_date,
                sex: data.sex,
                relationship: data.relationship,
                issuer_ref: issuer_ref.map(str::to_string),
            })
            .map_err(|_| sealing_failed())?,
        );
        let slot = Slot {
            table: "members",
            row: id,
            column: "data",
        };
        self.keys.seal(slot, &payload).ok_or_else(sealing_failed)
    }

    /// Adds a member at the end of the household.
    pub fn add_member(&mut self, data: &MemberData) -> Result<MemberId, StoreError> {
        self.add_member_with_ref(data, None)
    }

    /// Adds a member that the issuer knows as `issuer_ref` (see [`Store::member_by_issuer_ref`]).
    pub fn add_member_with_ref(
        &mut self,
        data: &MemberData,
        issuer_ref: Option<&str>,
    ) -> Result<MemberId, StoreError> {
        let id = MemberId::random();
        let key = id.to_string();
        let sealed = self.seal_member(&key, data, issuer_ref)?;
        let ordinal: i64 = self.tx.query_row(
            "SELECT coalesce(max(ordinal) + 1, 0) FROM members",
            [],
            |r| r.get(0),
        )?;
        self.tx.execute(
            "INSERT INTO members (id, ordinal, relationship, data, updated_day)
             VALUES (?1, ?2, ?3, ?4, ?5)",
            params![key, ordinal, data.relationship.code(), sealed, self.day],
        )?;
        Ok(id)
    }

    /// Replaces a member's data, keeping the issuer reference.
    pub fn update_member(&mut self, id: MemberId, data: &MemberData) -> Result<(), StoreError> {
        let key = id.to_string();
        let sealed_old: Vec<u8> = self
            .tx
            .query_row("SELECT data FROM members WHERE id = ?1", [&key], |r| {
                r.get(0)
            })
            .optional()?
            .ok_or(StoreError::NotFound { what: "member" })?;
        let slot = Slot {
            table: "members",
            row: &key,
            column: "data",
        };
        let old: MemberPayload = self
            .keys
            .open(slot, &sealed_old)
            .and_then(|p| serde_json::from_slice(&p).ok())
            .ok_or(StoreError::Corrupt {
                row: RowRef {
                    table: "members",
                    id: key.clone(),
                },
            })?;
        let sealed = self.seal_member(&key, data, old.issuer_ref.as_deref())?;
        let n = self.tx.execute(
            "UPDATE members SET relationship = ?2, data = ?3, updated_day = ?4 WHERE id = ?1",
            params![key, data.relationship.code(), sealed, self.day],
        )?;
        if n == 0 {
            return Err(StoreError::NotFound { what: "member" });
        }
        Ok(())
    }

    /// Removes a member and their records.
    pub fn remove_member(&mut self, id: MemberId) -> Result<(), StoreError> {
        let n = self
            .tx
            .execute("DELETE FROM members WHERE id = ?1", [id.to_string()])?;
        if n == 0 {
            return Err(StoreError::NotFound { what: "member" });
        }
        Ok(())
    }

    fn sealed_record(
        &self,
        id: &str,
        member: MemberId,
        record: &EligibilityRecord,
        provenance: &Provenance,
    ) -> Result<SealedRecord, StoreError> {
        let (meta, signed) = match provenance {
            Provenance::IssuerSigned {
                key_id,
                signed_bytes,
            } => (
                ProvenancePayload::IssuerSigned {
                    key_id: key_id.clone(),
                },
                Some(signed_bytes.as_slice()),
            ),
            Provenance::HandEntered { entered_at } => (
                ProvenancePayload::HandEntered {
                    entered_at: *entered_at,
                },
                None,
            ),
        };
        let payload = Zeroizing::new(
            serde_json::to_vec(&RecordPayload {
                member,
                record: record.clone(),
                provenance: meta,
            })
            .map_err(|_| sealing_failed())?,
        );
        let slot = |column| Slot {
            table: "records",
            row: id,
            column,
        };
        let data = self
            .keys
            .seal(slot("data"), &payload)
            .ok_or_else(sealing_failed)?;
        let signed = match signed {
            Some(bytes) => Some(
                self.keys
                    .seal(slot("signed"), bytes)
                    .ok_or_else(sealing_failed)?,
            ),
            None => None,
        };
        let lookup = identity_hash(
            self.keys,
            &record.insurer_number,
            record.symbol.as_deref(),
            &record.number,
            record.branch.as_deref(),
        );
        Ok(SealedRecord {
            data,
            signed,
            lookup,
        })
    }

    /// Stores a new record for `member`.
    pub fn put_record(
        &mut self,
        member: MemberId,
        record: &EligibilityRecord,
        provenance: &Provenance,
    ) -> Result<RecordId, StoreError> {
        let exists: Option<i64> = self
            .tx
            .query_row(
                "SELECT 1 FROM members WHERE id = ?1",
                [member.to_string()],
                |r| r.get(0),
            )
            .optional()?;
        if exists.is_none() {
            return Err(StoreError::NotFound { what: "member" });
        }
        let id = RecordId::random();
        let key = id.to_string();
        let SealedRecord {
            data,
            signed,
            lookup,
        } = self.sealed_record(&key, member, record, provenance)?;
        self.tx.execute(
            "INSERT INTO records (id, member_id, kind, provenance, lookup, data, signed, updated_day)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            params![
                key,
                member.to_string(),
                record.kind.code(),
                provenance.code(),
                lookup,
                data,
                signed,
                self.day
            ],
        )?;
        Ok(id)
    }

    /// Replaces a record's content and provenance.
    pub fn replace_record(
        &mut self,
        id: RecordId,
        record: &EligibilityRecord,
        provenance: &Provenance,
    ) -> Result<(), StoreError> {
        let key = id.to_string();
        let member: String = self
            .tx
            .query_row("SELECT member_id FROM records WHERE id = ?1", [&key], |r| {
                r.get(0)
            })
            .optional()?
            .ok_or(StoreError::NotFound { what: "record" })?;
        let member: MemberId = member.parse().map_err(|_| StoreError::Corrupt {
            row: RowRef {
                table: "records",
                id: key.clone(),
            },
        })?;
        let SealedRecord {
            data,
            signed,
            lookup,
        } = self.sealed_record(&key, member, record, provenance)?;
        self.tx.execute(
            "UPDATE records SET kind = ?2, provenance = ?3, lookup = ?4, data = ?5, signed = ?6,
             updated_day = ?7 WHERE id = ?1",
            params![
                key,
                record.kind.code(),
                provenance.code(),
                lookup,
                data,
                signed,
                self.day
            ],
        )?;
        Ok(())
    }

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

    /// Stores `check` as the latest card check of its member (replacing the previous one).
    pub fn put_card_check(&mut self, check: &StoredCardCheck) -> Result<(), StoreError> {
        let member = check.member.to_string();
        let exists: Option<i64> = self
            .tx
            .query_row("SELECT 1 FROM members WHERE id = ?1", [&member], |r| {
                r.get(0)
            })
            .optional()?;
        if exists.is_none() {
            return Err(StoreError::NotFound { what: "member" });
        }
        let id = uuid::Uuid::new_v4().to_string();
        let payload = Zeroizing::new(serde_json::to_vec(check).map_err(|_| sealing_failed())?);
        let slot = Slot {
            table: "card_checks",
            row: &id,
            column: "data",
        };
        let sealed = self.keys.seal(slot, &payload).ok_or_else(sealing_failed)?;
        let lookup = self
            .keys
            .lookup_hash("card-key", &[&check.check.key_fingerprint.to_hex()]);
        self.tx
            .execute("DELETE FROM card_checks WHERE member_id = ?1", [&member])?;
        self.tx.execute(
            "INSERT INTO card_checks (id, member_id, lookup, data, updated_day)
             VALUES (?1, ?2, ?3, ?4, ?5)",
            params![id, member, lookup, sealed, self.day],
        )?;
        Ok(())
    }

    /// Removes a record.
    pub fn remove_record(&mut self, id: RecordId) -> Result<(), StoreError> {
        let n = self
            .tx
            .execute("DELETE FROM records WHERE id = ?1", [id.to_string()])?;
        if n == 0 {
            return Err(StoreError::NotFound { what: "record" });
        }
        Ok(())
    }
}
