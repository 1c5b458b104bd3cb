//! The peer of the store benchmark: what an app developer would pick instead of shikaku's sealed
//! rows is SQLCipher (page-level AES-256-CBC with an HMAC-SHA512 per page, keyed by PBKDF2 from a
//! passphrase or by a raw key). This crate writes the household of `core/benches/store.rs`
//! (6 members × 3 records, the same JSON payloads as that benchmark's plaintext table) into a
//! SQLCipher database and reads it back the way that benchmark reads the plaintext table.
//!
//! It is not a member of the root workspace; `scripts/store-bench` runs its bench binary in
//! alternating rounds with the store bench's (`cargo bench -p shikaku-core --bench store`) and
//! prints one table.

use std::path::Path;

use chrono::NaiveDate;
use rusqlite::{Connection, params};
use shikaku_core::eligibility::{
    DocumentKind, EligibilityRecord, MemberData, MemberForm, RecordForm, Relationship, Sex,
    ValidationError,
};

/// What can fail while writing or reading the benchmark's database.
#[derive(Debug, thiserror::Error)]
pub enum BenchError {
    /// SQLCipher refused an operation (a wrong key shows as "file is not a database").
    #[error("SQLCipher: {0}")]
    Sql(#[from] rusqlite::Error),
    /// A payload did not serialise or parse.
    #[error("payload: {0}")]
    Json(#[from] serde_json::Error),
    /// A member or record of the fixed household failed validation.
    #[error("household: {0}")]
    Invalid(#[from] ValidationError),
    /// The build is linked to plain SQLite, not SQLCipher (`PRAGMA cipher_version` is empty).
    #[error("this build is not linked to SQLCipher")]
    NotSqlcipher,
}

/// How the database is keyed.
#[derive(Debug, Clone, Copy)]
pub enum Key<'a> {
    /// SQLCipher's default key derivation: PBKDF2-HMAC-SHA512 (256,000 iterations in SQLCipher 4)
    /// from this passphrase and the file's salt, at every open.
    Passphrase(&'a str),
    /// A raw 256-bit key (`PRAGMA key = "x'…'"`): no PBKDF2, as when the key comes from a
    /// platform key store, which is how shikaku's store is keyed.
    Raw([u8; 32]),
}

impl Key<'_> {
    /// The `PRAGMA key` statement for this key.
    fn pragma(&self) -> String {
        match self {
            Key::Passphrase(p) => format!("PRAGMA key = '{}';", p.replace('\'', "''")),
            Key::Raw(k) => {
                let hex: String = k.iter().map(|b| format!("{b:02x}")).collect();
                format!("PRAGMA key = \"x'{hex}'\";")
            }
        }
    }
}

/// The date the household is validated against (the date `core/benches/store.rs` uses).
/// Evaluated at compile time: an invalid date would not compile.
const TODAY: NaiveDate = match NaiveDate::from_ymd_opt(2026, 11, 23) {
    Some(d) => d,
    None => panic!("invalid date"),
};

/// The birth years of `core/benches/store.rs`'s household (本人 first).
const BIRTH_YEARS: [u32; 6] = [1985, 1987, 2012, 2016, 1954, 2021];

/// The household of `core/benches/store.rs`: 6 members × 3 records (お知らせ, マイナポータル,
/// 資格確認書), built from the same forms so the JSON payloads are the same size.
pub fn household() -> Result<Vec<(MemberData, Vec<EligibilityRecord>)>, BenchError> {
    let today = TODAY;
    let kinds = [
        DocumentKind::Notice,
        DocumentKind::Portal,
        DocumentKind::Certificate,
    ];
    let given = ["太郎", "花子", "健太", "美咲", "次郎", "ウメ"];
    let mut members = Vec::with_capacity(given.len());
    for (i, name) in given.iter().enumerate() {
        let rel = if i == 0 {
            Relationship::Insured
        } else {
            Relationship::Dependent
        };
        let member = MemberForm {
            name: format!("山田 {name}"),
            kana: "ヤマダ タロウ".into(),
            birth_date: format!("{}-04-12", BIRTH_YEARS[i]),
            sex: Sex::Female,
            relationship: rel,
            myna_hoken: None,
            card_expires_on: None,
        }
        .validate(today)?;
        let mut records = Vec::with_capacity(kinds.len());
        for kind in kinds {
            records.push(
                RecordForm {
                    kind,
                    insurer_number: "01130012".into(),
                    insurer_name: "全国健康保険協会 東京支部".into(),
                    symbol: Some("7340155".into()),
                    number: "42".into(),
                    branch: Some(format!("{i:02}")),
                    relationship: rel,
                    insured_name: Some("山田 太郎".into()),
                    acquired_on: Some("2015-04-01".into()),
                    copay_percent: Some(30),
                    valid_from: Some("2025-12-02".into()),
                    valid_until: Some("2030-12-01".into()),
                    issued_on: Some("2025-11-20".into()),
                    elderly: None,
                    limit: None,
                    preschool: false,
                    lost_on: None,
                    public_expense: None,
                }
                .validate(today)?,
            );
        }
        members.push((member, records));
    }
    Ok(members)
}

/// The plaintext benchmark's schema (`core/benches/store.rs`), in WAL mode like the store.
const SCHEMA: &str = "
    PRAGMA journal_mode = WAL;
    CREATE TABLE members (id TEXT PRIMARY KEY, ordinal INTEGER NOT NULL, relationship INTEGER NOT NULL, data BLOB NOT NULL);
    CREATE TABLE records (id TEXT PRIMARY KEY, member_id TEXT NOT NULL, kind INTEGER NOT NULL, data BLOB NOT NULL);
    CREATE INDEX records_member ON records(member_id);";

/// Opens the database at `path` with `key` and applies the per-connection pragmas of the
/// plaintext benchmark (and of the store). The key is only checked at the first read.
pub fn open(path: &Path, key: Key<'_>) -> Result<Connection, BenchError> {
    let conn = Connection::open(path)?;
    conn.execute_batch(&key.pragma())?;
    conn.execute_batch(
        "PRAGMA secure_delete = ON; PRAGMA temp_store = MEMORY; PRAGMA foreign_keys = ON;",
    )?;
    Ok(conn)
}

/// The SQLCipher version this build links (`PRAGMA cipher_version`).
pub fn cipher_version(conn: &Connection) -> Result<String, BenchError> {
    let version: Option<String> = conn
        .query_row("PRAGMA cipher_version", [], |r| r.get(0))
        .map(Some)
        .or_else(|e| match e {
            rusqlite::Error::QueryReturnedNoRows => Ok(None),
            e => Err(e),
        })?;
    version
        .filter(|v| !v.is_empty())
        .ok_or(BenchError::NotSqlcipher)
}

/// Creates a SQLCipher database at `path` holding [`household`], keyed with `key`. Returns the
/// bytes of JSON payload written (members and records).
pub fn write(path: &Path, key: Key<'_>) -> Result<usize, BenchError> {
    let mut conn = open(path, key)?;
    cipher_version(&conn)?;
    conn.execute_batch(SCHEMA)?;
    let tx = conn.transaction()?;
    let mut bytes = 0;
    for (i, (member, records)) in household()?.into_iter().enumerate() {
        let id = format!("m{i}");
        let data = serde_json::to_vec(&member)?;
        bytes += data.len();
        tx.execute(
            "INSERT INTO members VALUES (?1, ?2, ?3, ?4)",
            params![id, i as i64, member.relationship.code(), data],
        )?;
        for (j, record) in records.iter().enumerate() {
            let data = serde_json::to_vec(record)?;
            bytes += data.len();
            tx.execute(
                "INSERT INTO records VALUES (?1, ?2, ?3, ?4)",
                params![format!("r{i}{j}"), id, record.kind.code(), data],
            )?;
        }
    }
    tx.commit()?;
    Ok(bytes)
}

/// Opens the database and reads the whole household the way the plaintext benchmark does:
/// every member in order, then each member's records, in one read transaction, every payload
/// parsed into the core's types. Returns the number of records read.
pub fn read(path: &Path, key: Key<'_>) -> Result<usize, BenchError> {
    let conn = open(path, key)?;
    // One read transaction, as the store reads the household (`Store::read_consistent`).
    conn.execute_batch("BEGIN")?;
    let mut members = conn.prepare("SELECT id, data FROM members ORDER BY ordinal")?;
    let mut rows: Vec<(String, MemberData)> = Vec::new();
    let mut cursor = members.query([])?;
    while let Some(row) = cursor.next()? {
        let data: Vec<u8> = row.get(1)?;
        rows.push((row.get(0)?, serde_json::from_slice(&data)?));
    }
    drop(cursor);
    let mut stmt = conn.prepare("SELECT data FROM records WHERE member_id = ?1 ORDER BY rowid")?;
    let mut n = 0;
    for (id, _member) in &rows {
        let mut cursor = stmt.query([id])?;
        while let Some(row) = cursor.next()? {
            let data: Vec<u8> = row.get(0)?;
            let _record: EligibilityRecord = serde_json::from_slice(&data)?;
            n += 1;
        }
    }
    drop(stmt);
    drop(members);
    conn.execute_batch("COMMIT")?;
    Ok(n)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use super::*;

    const RAW: [u8; 32] = [3; 32];

    #[test]
    fn raw_key_round_trip_and_wrong_key_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("raw.db");
        let bytes = write(&path, Key::Raw(RAW)).unwrap();
        assert!(
            bytes > 18 * 300,
            "payloads of the benchmark's size: {bytes}"
        );
        assert_eq!(read(&path, Key::Raw(RAW)).unwrap(), 18);
        let mut wrong = RAW;
        wrong[0] ^= 1;
        assert!(read(&path, Key::Raw(wrong)).is_err());
        assert!(read(&path, Key::Passphrase("03")).is_err());
    }

    #[test]
    fn passphrase_round_trip_and_no_plaintext_on_disk() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("kdf.db");
        write(&path, Key::Passphrase("it's a passphrase")).unwrap();
        assert_eq!(
            read(&path, Key::Passphrase("it's a passphrase")).unwrap(),
            18
        );
        assert!(read(&path, Key::Passphrase("another")).is_err());
        // Page encryption: neither the main file nor the WAL holds a payload in clear.
        for file in ["kdf.db", "kdf.db-wal"] {
            let bytes = std::fs::read(dir.path().join(file)).unwrap_or_default();
            let needle = "全国健康保険協会".as_bytes();
            assert!(!bytes.windows(needle.len()).any(|w| w == needle), "{file}");
        }
    }
}
