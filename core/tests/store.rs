//! The encrypted store's guarantees, tested against the bytes on disk.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::path::Path;

use chrono::Utc;
use common::*;
use rusqlite::Connection;
use shikaku_core::clinic::DeskStore;
use shikaku_core::eligibility::{DocumentKind, MemberId, Provenance, RecordId, Relationship, Sex};
use shikaku_core::store::{
    Argon2Cost, MemoryKeyStore, PassphraseKeyStore, RowRef, Store, StoreError,
};
use zeroize::Zeroizing;

const KEK: [u8; 32] = [42; 32];

fn hand() -> Provenance {
    Provenance::HandEntered {
        entered_at: Utc::now(),
    }
}

/// Writes `family()` and returns (member ids, record ids), closing the store.
fn write_family(path: &Path) -> (Vec<MemberId>, Vec<RecordId>) {
    let mut store = Store::open(path, &MemoryKeyStore::new(KEK)).unwrap();
    let mut members = Vec::new();
    let mut records = Vec::new();
    for (m, recs) in family() {
        let id = store.add_member(&m).unwrap();
        members.push(id);
        for r in recs {
            let prov = if r.kind == DocumentKind::Portal {
                Provenance::IssuerSigned {
                    key_id: "issuer-1".into(),
                    signed_bytes: b"signed document bytes".to_vec(),
                }
            } else {
                hand()
            };
            records.push(store.put_record(id, &r, &prov).unwrap());
        }
    }
    (members, records)
}

#[test]
fn round_trip_and_operations() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("s.db");
    let (members, records) = write_family(&path);
    let mut store = Store::open(&path, &MemoryKeyStore::new(KEK)).unwrap();
    let hh = store.household().unwrap();
    assert!(hh.corrupt.is_empty());
    let fam = family();
    assert_eq!(hh.members.len(), 3);
    for (i, m) in hh.members.iter().enumerate() {
        assert_eq!(m.id, members[i]);
        assert_eq!(m.order as usize, i);
        assert_eq!(m.data, fam[i].0);
        let list = store.records(m.id).unwrap();
        assert!(list.corrupt.is_empty());
        let got: Vec<_> = list.records.iter().map(|r| r.record.clone()).collect();
        assert_eq!(got, fam[i].1);
    }
    let signed = store.record(records[1]).unwrap();
    assert_eq!(
        signed.provenance,
        Provenance::IssuerSigned {
            key_id: "issuer-1".into(),
            signed_bytes: b"signed document bytes".to_vec()
        }
    );

    // Keyed-hash look-up, width-insensitive.
    let r0 = &fam[0].1[0];
    let found = store
        .find_records(
            &r0.insurer_number,
            Some("７３４０１５５"),
            "４２０８１５",
            Some("00"),
        )
        .unwrap();
    assert_eq!(found, vec![records[0], records[1]]);
    assert!(
        store
            .find_records(&r0.insurer_number, Some("7340155"), "420816", Some("00"))
            .unwrap()
            .is_empty()
    );

    // Update, replace, remove.
    let mut changed = fam[1].0.clone();
    changed.name = "山田 はな".into();
    store.update_member(members[1], &changed).unwrap();
    assert_eq!(store.member(members[1]).unwrap().data, changed);
    let mut r = fam[2].1[0].clone();
    r.number = "60417734".into();
    store.replace_record(records[3], &r, &hand()).unwrap();
    assert_eq!(store.record(records[3]).unwrap().record, r);
    store.remove_record(records[0]).unwrap();
    assert_eq!(
        store.record(records[0]),
        Err(StoreError::NotFound { what: "record" })
    );
    store.remove_member(members[0]).unwrap();
    assert_eq!(
        store.record(records[1]),
        Err(StoreError::NotFound { what: "record" }),
        "cascade"
    );
    assert_eq!(store.household().unwrap().members.len(), 2);
    assert_eq!(
        store.remove_member(members[0]),
        Err(StoreError::NotFound { what: "member" })
    );
    assert_eq!(
        store.put_record(members[0], &r, &hand()),
        Err(StoreError::NotFound { what: "member" })
    );

    // A failing batch writes nothing.
    let before = store.household().unwrap();
    let res: Result<(), StoreError> = store.write(|b| {
        b.add_member(&fam[0].0)?;
        b.remove_member(members[0])
    });
    assert_eq!(res, Err(StoreError::NotFound { what: "member" }));
    assert_eq!(store.household().unwrap(), before);
}

#[test]
fn no_personal_value_in_plaintext_on_disk() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("s.db");
    let needles = personal_needles();
    // The scan can find things: a plaintext copy is caught.
    std::fs::write(dir.path().join("probe"), "鈴木 ウメ 1950-02-28").unwrap();
    assert!(!scan_dir(dir.path(), &needles).is_empty());
    std::fs::remove_file(dir.path().join("probe")).unwrap();

    write_family(&path);
    // While open (WAL and shm present) and after close.
    let store = Store::open(&path, &MemoryKeyStore::new(KEK)).unwrap();
    assert_eq!(store.household().unwrap().members.len(), 3);
    let files = snapshot(dir.path());
    assert!(
        files.keys().any(|f| f.ends_with("-wal")),
        "WAL mode: {:?}",
        files.keys()
    );
    assert_eq!(scan_dir(dir.path(), &needles), vec![]);
    drop(store);
    assert_eq!(scan_dir(dir.path(), &needles), vec![]);
}

fn blob(path: &Path, table: &str, column: &str, id: &str) -> Vec<u8> {
    let c = Connection::open(path).unwrap();
    c.query_row(
        &format!("SELECT {column} FROM {table} WHERE id = ?1"),
        [id],
        |r| r.get(0),
    )
    .unwrap()
}

fn assert_only_corrupt(path: &Path, members: &[MemberId], records: &[RecordId], bad: RecordId) {
    let store = Store::open(path, &MemoryKeyStore::new(KEK)).unwrap();
    assert_eq!(
        store.record(bad),
        Err(StoreError::Corrupt {
            row: RowRef {
                table: "records",
                id: bad.to_string()
            }
        })
    );
    for r in records.iter().filter(|r| **r != bad) {
        store.record(*r).unwrap();
    }
    let hh = store.household().unwrap();
    assert_eq!(hh.members.len(), members.len());
    let mut all = 0;
    let mut corrupt = 0;
    for m in members {
        let l = store.records(*m).unwrap();
        all += l.records.len();
        corrupt += l.corrupt.len();
    }
    assert_eq!((all, corrupt), (records.len() - 1, 1));
}

#[test]
fn every_flipped_byte_of_one_ciphertext_is_caught_and_isolated() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("s.db");
    let (members, records) = write_family(&path);
    let target = records[2];
    let ct = blob(&path, "records", "data", &target.to_string());
    let file = std::fs::read(&path).unwrap();
    let at = file
        .windows(ct.len())
        .position(|w| w == ct.as_slice())
        .expect("ciphertext in the main file");
    let work = dir.path().join("t.db");
    for i in 0..ct.len() {
        let mut bytes = file.clone();
        bytes[at + i] ^= 0x01 << (i % 8);
        std::fs::write(&work, &bytes).unwrap();
        assert_only_corrupt(&work, &members, &records, target);
        Store::destroy(&work).unwrap();
    }
}

#[test]
fn moved_ciphertexts_and_edited_hints_are_detected() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("s.db");
    let (members, records) = write_family(&path);
    let edits: Vec<(String, RecordId)> = vec![
        // Another row's ciphertext.
        (
            format!(
                "UPDATE records SET data = (SELECT data FROM records WHERE id = '{}') WHERE id = '{}'",
                records[0], records[2]
            ),
            records[2],
        ),
        // The signed column's ciphertext in the data column of the same row.
        (
            format!(
                "UPDATE records SET data = signed WHERE id = '{}'",
                records[1]
            ),
            records[1],
        ),
        // Plain columns: the look-up, the owner, the signed column emptied (a signed record
        // shown as hand-entered) or removed.
        (
            format!(
                "UPDATE records SET lookup = (SELECT lookup FROM records WHERE id = '{}') WHERE id = '{}'",
                records[2], records[0]
            ),
            records[0],
        ),
        (
            format!(
                "UPDATE records SET signed = (SELECT signed FROM records WHERE id = '{}') WHERE id = '{}'",
                records[0], records[1]
            ),
            records[1],
        ),
        (
            format!(
                "UPDATE records SET signed = NULL WHERE id = '{}'",
                records[0]
            ),
            records[0],
        ),
        (
            format!(
                "UPDATE records SET member_id = '{}' WHERE id = '{}'",
                members[1], records[0]
            ),
            records[0],
        ),
        (
            format!(
                "UPDATE records SET signed = NULL WHERE id = '{}'",
                records[1]
            ),
            records[1],
        ),
    ];
    for (sql, bad) in edits {
        let work = dir.path().join("t.db");
        std::fs::copy(&path, &work).unwrap();
        Connection::open(&work)
            .unwrap()
            .execute_batch(&sql)
            .unwrap();
        assert_only_corrupt(&work, &members, &records, bad);
        Store::destroy(&work).unwrap();
    }
    // A member row moved onto another member.
    let work = dir.path().join("m.db");
    std::fs::copy(&path, &work).unwrap();
    Connection::open(&work)
        .unwrap()
        .execute(
            "UPDATE members SET data = (SELECT data FROM members WHERE id = ?1) WHERE id = ?2",
            [members[1].to_string(), members[2].to_string()],
        )
        .unwrap();
    let store = Store::open(&work, &MemoryKeyStore::new(KEK)).unwrap();
    let hh = store.household().unwrap();
    assert_eq!(hh.members.len(), 2);
    assert_eq!(
        hh.corrupt,
        vec![RowRef {
            table: "members",
            id: members[2].to_string()
        }]
    );
    assert!(matches!(
        store.member(members[2]),
        Err(StoreError::Corrupt { .. })
    ));
    drop(store);
    // The display order edited: the two members whose order changed are reported.
    let work = dir.path().join("o.db");
    std::fs::copy(&path, &work).unwrap();
    Connection::open(&work)
        .unwrap()
        .execute(
            "UPDATE members SET ordinal = 7 WHERE id = ?1",
            [members[0].to_string()],
        )
        .unwrap();
    let store = Store::open(&work, &MemoryKeyStore::new(KEK)).unwrap();
    let hh = store.household().unwrap();
    assert_eq!(hh.members.len(), 2);
    assert_eq!(
        hh.corrupt,
        vec![RowRef {
            table: "members",
            id: members[0].to_string()
        }]
    );
}

/// What a plain column may hold: nothing a reader of the file can learn a person's details,
/// relationship (本人/家族), document kind, provenance or the day of a change from.
#[derive(Debug)]
enum Plain {
    /// A random UUID (row id or owner).
    Id,
    /// A display position.
    Ordinal,
    /// A keyed hash (32 bytes).
    Lookup,
    /// A sealed value: format 2, padded to a power of two of at least 1 KiB (512 bytes for a
    /// member).
    Sealed,
    /// One of the fixed `meta` names.
    MetaKey,
    /// The platform's wrapped key.
    WrappedKey,
}

fn classify(table: &str, column: &str) -> Option<Plain> {
    Some(match (table, column) {
        (_, "id" | "member_id" | "record_id") => Plain::Id,
        ("members", "ordinal") => Plain::Ordinal,
        (_, "lookup") => Plain::Lookup,
        (_, "data" | "signed") => Plain::Sealed,
        ("meta", "key") => Plain::MetaKey,
        _ => return None,
    })
}

#[test]
fn plaintext_columns_hold_only_ids_order_lookups_and_sealed_values() {
    use rusqlite::types::ValueRef;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("s.db");
    let (members, records) = write_family(&path);
    {
        let mut store = Store::open(&path, &MemoryKeyStore::new(KEK)).unwrap();
        store.put_card_check(&card_check(members[0], 1)).unwrap();
        store.put_presentation(records[1], b"presentation").unwrap();
        store
            .write(|b| b.set_sync_state(&Default::default()))
            .unwrap();
    }
    let c = Connection::open(&path).unwrap();
    let tables: Vec<String> = c
        .prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    assert_eq!(
        tables,
        ["card_checks", "members", "meta", "presentations", "records"]
    );
    let mut rows_seen = 0;
    for table in &tables {
        let mut stmt = c.prepare(&format!("SELECT * FROM {table}")).unwrap();
        let names: Vec<String> = stmt.column_names().into_iter().map(String::from).collect();
        let mut rows = stmt.query([]).unwrap();
        while let Some(row) = rows.next().unwrap() {
            rows_seen += 1;
            let key = row.get_ref(0).unwrap().as_str().ok().map(String::from);
            for (i, name) in names.iter().enumerate() {
                let v = row.get_ref(i).unwrap();
                let kind = if table == "meta" && name == "value" {
                    if key.as_deref() == Some("wrapped_key") {
                        Plain::WrappedKey
                    } else {
                        Plain::Sealed
                    }
                } else {
                    classify(table, name)
                        .unwrap_or_else(|| panic!("unexpected plain column {table}.{name}"))
                };
                let ok = match (&kind, v) {
                    (Plain::Id, ValueRef::Text(t)) => std::str::from_utf8(t)
                        .unwrap()
                        .parse::<uuid::Uuid>()
                        .is_ok(),
                    (Plain::Ordinal, ValueRef::Integer(n)) => (0..16).contains(&n),
                    (Plain::Lookup, ValueRef::Blob(b)) => b.len() == 32,
                    (Plain::Sealed, ValueRef::Blob(b)) => {
                        let floor = if table == "members" { 512 } else { 1024 };
                        b[0] == 2 && b.len() - 29 >= floor && (b.len() - 29).is_power_of_two()
                    }
                    (Plain::MetaKey, ValueRef::Text(t)) => {
                        ["wrapped_key", "canary", "sync_state", "manifest"]
                            .contains(&std::str::from_utf8(t).unwrap())
                    }
                    (Plain::WrappedKey, ValueRef::Blob(_)) => true,
                    _ => false,
                };
                assert!(ok, "{table}.{name} holds {v:?} (expected {kind:?})");
            }
        }
    }
    assert!(rows_seen >= 3 + 4 + 1 + 1 + 4, "the scan saw the rows");
    // The words and codes of the old hint columns appear nowhere in the files either.
    drop(c);
    let words: Vec<(String, Vec<u8>)> = [
        "本人",
        "家族",
        "Insured",
        "Dependent",
        "HandEntered",
        "IssuerSigned",
        "notice",
        "portal",
        "certificate",
        "entered_at",
    ]
    .iter()
    .map(|w| (w.to_string(), w.as_bytes().to_vec()))
    .collect();
    assert_eq!(scan_dir(dir.path(), &words), vec![]);
}

fn pass(p: &str) -> PassphraseKeyStore {
    PassphraseKeyStore::with_cost(Zeroizing::new(p.into()), Argon2Cost::TEST_ONLY)
}

#[test]
fn wrong_key_is_typed_and_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("s.db");
    {
        let mut s = Store::open(&path, &pass("right")).unwrap();
        s.add_member(&family()[0].0).unwrap();
    }
    let before = snapshot(dir.path());
    assert_eq!(
        Store::open(&path, &pass("wrong")).unwrap_err(),
        StoreError::WrongKey
    );
    assert_eq!(
        Store::open(&path, &MemoryKeyStore::new(KEK)).unwrap_err(),
        StoreError::Corrupt {
            row: RowRef {
                table: "meta",
                id: "wrapped_key".into()
            }
        }
    );
    assert_eq!(
        snapshot(dir.path()),
        before,
        "files byte-identical after failed opens"
    );
    assert_eq!(
        Store::open(&path, &pass("right"))
            .unwrap()
            .household()
            .unwrap()
            .members
            .len(),
        1
    );
}

#[test]
fn canary_catches_a_key_store_that_returns_the_wrong_key() {
    struct Liar;
    impl shikaku_core::store::KeyStore for Liar {
        fn wrap(&self, key: &[u8]) -> Result<Vec<u8>, shikaku_core::store::KeyStoreError> {
            Ok(key.to_vec())
        }
        fn unwrap(&self, _blob: Vec<u8>) -> Result<Vec<u8>, shikaku_core::store::KeyStoreError> {
            Ok(vec![0; 32])
        }
    }
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("s.db");
    drop(Store::open(&path, &Liar).unwrap());
    let before = snapshot(dir.path());
    assert_eq!(Store::open(&path, &Liar).unwrap_err(), StoreError::WrongKey);
    assert_eq!(snapshot(dir.path()), before);
}

#[test]
fn passphrase_change_rewraps_the_same_data() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("s.db");
    let mut s = Store::open(&path, &pass("old")).unwrap();
    let id = s.add_member(&family()[0].0).unwrap();
    s.rewrap(&pass("new")).unwrap();
    drop(s);
    assert_eq!(
        Store::open(&path, &pass("old")).unwrap_err(),
        StoreError::WrongKey
    );
    let s = Store::open(&path, &pass("new")).unwrap();
    assert_eq!(s.member(id).unwrap().data, family()[0].0);
}

#[test]
fn foreign_files_are_rejected_without_change() {
    let dir = tempfile::tempdir().unwrap();
    let junk = dir.path().join("junk.db");
    std::fs::write(
        &junk,
        b"this is not a database, just some text that is long enough....",
    )
    .unwrap();
    assert_eq!(
        Store::open(&junk, &pass("x")).unwrap_err(),
        StoreError::NotADatabase
    );
    let other = dir.path().join("other.db");
    Connection::open(&other)
        .unwrap()
        .execute_batch("CREATE TABLE t (x)")
        .unwrap();
    let before = snapshot(dir.path());
    assert_eq!(
        Store::open(&other, &pass("x")).unwrap_err(),
        StoreError::NotADatabase
    );
    assert_eq!(snapshot(dir.path()), before);

    // Another program's database whose last writes are still only in its WAL: refused, and
    // closing the refused connection does not checkpoint that WAL into it.
    let hot = tempfile::tempdir().unwrap();
    let foreign = hot.path().join("foreign.db");
    let writer = Connection::open(&foreign).unwrap();
    writer
        .execute_batch(
            "PRAGMA journal_mode = WAL; PRAGMA wal_autocheckpoint = 0;
             CREATE TABLE t (x); INSERT INTO t VALUES (1);",
        )
        .unwrap();
    writer
        .set_db_config(
            rusqlite::config::DbConfig::SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE,
            true,
        )
        .unwrap();
    drop(writer);
    // The database and its WAL (the -shm index is rebuilt by any reader).
    let files =
        || ["foreign.db", "foreign.db-wal"].map(|f| std::fs::read(hot.path().join(f)).unwrap());
    let before = files();
    assert!(!before[1].is_empty());
    assert_eq!(
        Store::open(&foreign, &pass("x")).unwrap_err(),
        StoreError::NotADatabase
    );
    assert_eq!(files(), before);

    // A store whose header is damaged, found only when SQLite first reads the file (after it
    // made the `-wal`): refused, and the `-wal` this attempt made is removed.
    let damaged_dir = tempfile::tempdir().unwrap();
    let damaged = damaged_dir.path().join("damaged.db");
    drop(Store::open(&damaged, &pass("x")).unwrap());
    let mut bytes = std::fs::read(&damaged).unwrap();
    bytes[21] = 0x41; // the maximum embedded payload fraction, always 64
    std::fs::write(&damaged, &bytes).unwrap();
    let before = snapshot(damaged_dir.path());
    assert!(Store::open(&damaged, &pass("x")).is_err());
    assert_eq!(snapshot(damaged_dir.path()), before);

    let newer = dir.path().join("newer.db");
    drop(Store::open(&newer, &pass("x")).unwrap());
    Connection::open(&newer)
        .unwrap()
        .execute_batch("PRAGMA user_version = 99")
        .unwrap();
    assert_eq!(
        Store::open(&newer, &pass("x")).unwrap_err(),
        StoreError::SchemaTooNew {
            found: 99,
            supported: shikaku_core::store::SCHEMA_VERSION
        }
    );
    let missing_dir = dir.path().join("nope").join("s.db");
    assert!(matches!(
        Store::open(&missing_dir, &pass("x")),
        Err(StoreError::Io { .. })
    ));
}

#[test]
fn wipe_and_destroy_remove_everything() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("s.db");
    write_family(&path);
    let s = Store::open(&path, &MemoryKeyStore::new(KEK)).unwrap();
    s.wipe().unwrap();
    assert!(snapshot(dir.path()).is_empty());
    // A new store can be made in its place.
    let mut s = Store::open(&path, &MemoryKeyStore::new(KEK)).unwrap();
    assert!(s.household().unwrap().members.is_empty());
    s.add_member(&member(
        "A B",
        "ア",
        "2000-01-01",
        Sex::Other,
        Relationship::Insured,
    ))
    .unwrap();
    drop(s);
    Store::destroy(&path).unwrap();
    assert!(snapshot(dir.path()).is_empty());
}

fn card_check(member: MemberId, fingerprint: u8) -> shikaku_core::store::StoredCardCheck {
    use shikaku_core::card::*;
    let info = BasicInfo {
        name: "山田\u{3000}太郎".into(),
        address: "東京都千代田区霞が関１－２－３".into(),
        birth_date: "19850412".into(),
        sex: CardSex::Male,
    };
    let m = family()[0].0.clone();
    shikaku_core::store::StoredCardCheck {
        member,
        matched: Some(match_member(&info, &m)),
        check: CardCheck {
            card_kind: CardKind::MyNumberCard,
            key_fingerprint: KeyFingerprint([fingerprint; 32]),
            certificate_not_before: Utc::now(),
            certificate_not_after: Utc::now(),
            chain: ChainStatus {
                anchor_label: "test".into(),
                anchor_source: AnchorSource::Extra,
                anchor_key: KeyFingerprint([9; 32]),
            },
            signature: SignatureStatus::VerifiedFreshChallenge,
            retries_left: PinCounter::Remaining(3),
            checked_at: Utc::now(),
            basic_info: shikaku_core::card::BasicInfoOutcome::Read(info),
        },
    }
}

#[test]
fn card_checks_are_sealed_replaced_and_found_by_key() {
    use shikaku_core::card::KeyFingerprint;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("s.db");
    let (members, _) = write_family(&path);
    let mut store = Store::open(&path, &MemoryKeyStore::new(KEK)).unwrap();
    assert_eq!(store.card_check(members[0]).unwrap(), None);
    let first = card_check(members[0], 1);
    store.put_card_check(&first).unwrap();
    assert_eq!(store.card_check(members[0]).unwrap(), Some(first));
    let second = card_check(members[0], 2);
    store.put_card_check(&second).unwrap();
    assert_eq!(
        store.card_check(members[0]).unwrap(),
        Some(second),
        "latest only"
    );
    assert_eq!(
        store.members_with_card(&KeyFingerprint([2; 32])).unwrap(),
        vec![members[0]]
    );
    assert!(
        store
            .members_with_card(&KeyFingerprint([1; 32]))
            .unwrap()
            .is_empty()
    );
    assert_eq!(
        store.put_card_check(&card_check(MemberId::random(), 3)),
        Err(StoreError::NotFound { what: "member" })
    );
    drop(store);
    // The 基本4情報 (address included) and the fingerprint never reach the disk in plaintext.
    let needles: Vec<(String, Vec<u8>)> = ["霞が関", "19850412", "山田", &"02".repeat(32)]
        .iter()
        .map(|s| (s.to_string(), s.as_bytes().to_vec()))
        .chain(std::iter::once((
            "raw fingerprint".to_string(),
            vec![2u8; 32],
        )))
        .collect();
    assert_eq!(scan_dir(dir.path(), &needles), vec![]);
    // Moved onto another member: detected.
    Connection::open(&path)
        .unwrap()
        .execute(
            "UPDATE card_checks SET member_id = ?1",
            [members[1].to_string()],
        )
        .unwrap();
    let store = Store::open(&path, &MemoryKeyStore::new(KEK)).unwrap();
    assert!(matches!(
        store.card_check(members[1]),
        Err(StoreError::Corrupt { .. })
    ));
}

#[test]
fn issuer_refs_and_sync_state_are_sealed_and_kept() {
    use shikaku_core::store::SyncState;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("s.db");
    let mut store = Store::open(&path, &MemoryKeyStore::new(KEK)).unwrap();
    assert_eq!(store.sync_state().unwrap(), SyncState::default());
    let fam = family();
    let id = store
        .write(|b| b.add_member_with_ref(&fam[0].0, Some("person-taro-7f3a")))
        .unwrap();
    let plain = store.add_member(&fam[1].0).unwrap();
    assert_eq!(
        store
            .member_by_issuer_ref("person-taro-7f3a")
            .unwrap()
            .map(|m| m.id),
        Some(id)
    );
    assert_eq!(store.member_by_issuer_ref("nobody").unwrap(), None);
    assert_eq!(store.member(plain).unwrap().issuer_ref, None);
    // Updating the member's data keeps the reference.
    store.update_member(id, &fam[2].0).unwrap();
    assert_eq!(
        store.member(id).unwrap().issuer_ref.as_deref(),
        Some("person-taro-7f3a")
    );

    let state = SyncState {
        server: Some("https://issuer.example".into()),
        etag: Some("\"etag-secret-1\"".into()),
        last_success: Some(Utc::now()),
        household_id: Some("household-77".into()),
        trust_list: Some(b"trust list bytes".to_vec()),
        root_key: Some(vec![2; 33]),
    };
    store.write(|b| b.set_sync_state(&state)).unwrap();
    store.write(|b| b.set_sync_state(&state)).unwrap(); // upsert
    assert_eq!(store.sync_state().unwrap(), state);
    drop(store);
    let needles: Vec<(String, Vec<u8>)> = [
        "person-taro-7f3a",
        "etag-secret-1",
        "household-77",
        "issuer.example",
    ]
    .iter()
    .map(|s| (s.to_string(), s.as_bytes().to_vec()))
    .collect();
    assert_eq!(scan_dir(dir.path(), &needles), vec![]);
}

#[test]
fn wrong_key_with_a_hot_wal_changes_nothing() {
    // A store copied while open (as after a crash): its WAL still holds committed frames.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("s.db");
    let store = {
        let mut s = Store::open(&path, &pass("right")).unwrap();
        s.add_member(&family()[0].0).unwrap();
        s
    };
    let copy = tempfile::tempdir().unwrap();
    // The store keeps its WAL index in memory (no `-shm`), as a crash leaves it.
    assert!(!dir.path().join("s.db-shm").exists());
    for f in ["s.db", "s.db-wal"] {
        std::fs::copy(dir.path().join(f), copy.path().join(f)).unwrap();
    }
    drop(store);
    let cpath = copy.path().join("s.db");
    let wal_before = std::fs::read(copy.path().join("s.db-wal")).unwrap();
    assert!(!wal_before.is_empty(), "the copy has a hot WAL");
    let db_before = std::fs::read(&cpath).unwrap();
    assert_eq!(
        Store::open(&cpath, &pass("wrong")).unwrap_err(),
        StoreError::WrongKey
    );
    assert_eq!(
        std::fs::read(&cpath).unwrap(),
        db_before,
        "database unchanged"
    );
    assert_eq!(
        std::fs::read(copy.path().join("s.db-wal")).unwrap(),
        wal_before,
        "WAL kept"
    );
    // With the right key the WAL's data is there.
    assert_eq!(
        Store::open(&cpath, &pass("right"))
            .unwrap()
            .household()
            .unwrap()
            .members
            .len(),
        1
    );
}

#[test]
fn the_desk_store_opens_the_same_way_and_a_failed_open_changes_nothing() {
    // The clinic desk's file goes through the household store's open sequence: a wrong key is
    // typed, and the -wal / -shm files the failed attempt made are gone again.
    let dir = tempfile::tempdir().unwrap();
    let desk = dir.path().join("desk");
    drop(DeskStore::open(&desk, &MemoryKeyStore::new(KEK)).unwrap());
    let before = snapshot(&desk);
    assert!(
        !before
            .keys()
            .any(|f| f.ends_with("-wal") || f.ends_with("-shm")),
        "closed cleanly: {:?}",
        before.keys()
    );
    assert_eq!(
        DeskStore::open(&desk, &MemoryKeyStore::new([7; 32])).unwrap_err(),
        StoreError::WrongKey
    );
    assert_eq!(snapshot(&desk), before, "files as they were");
    // A desk file is not a household store (another application id); opening it as one fails
    // without leaving a -wal or -shm file behind either.
    let copy = dir.path().join("copy");
    std::fs::create_dir(&copy).unwrap();
    let copied = copy.join("s.db");
    std::fs::copy(desk.join(shikaku_core::clinic::DESK_FILE), &copied).unwrap();
    let copy_before = snapshot(&copy);
    assert_eq!(
        Store::open(&copied, &MemoryKeyStore::new(KEK)).unwrap_err(),
        StoreError::NotADatabase
    );
    assert_eq!(snapshot(&copy), copy_before);
    assert!(DeskStore::open(&desk, &MemoryKeyStore::new(KEK)).is_ok());
}

#[test]
fn a_card_check_is_stored_compared_and_without_the_address() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("s.db");
    let (members, _) = write_family(&path);
    let mut store = Store::open(&path, &MemoryKeyStore::new(KEK)).unwrap();
    let member = store.member(members[0]).unwrap();
    let check = card_check(members[0], 4).check;
    assert!(!check.basic_info.info().unwrap().address.is_empty());
    let stored = shikaku_core::store::StoredCardCheck::for_member(&member, check);
    assert_eq!(stored.member, member.id);
    assert_eq!(
        stored.matched.as_ref().map(|m| m.overall()),
        Some(shikaku_core::eligibility::names::NameMatch::Match)
    );
    assert!(stored.check.basic_info.info().unwrap().address.is_empty());
    store.put_card_check(&stored).unwrap();
    drop(store);
    let needles = vec![("address".to_string(), "霞が関".as_bytes().to_vec())];
    assert_eq!(scan_dir(dir.path(), &needles), vec![]);
    let store = Store::open(&path, &MemoryKeyStore::new(KEK)).unwrap();
    let back = store.card_check(member.id).unwrap().unwrap();
    assert!(back.check.basic_info.info().unwrap().address.is_empty());
}

#[test]
fn one_snapshot_gives_the_overview_and_every_screen_as_reading_each_alone() {
    use shikaku_core::screen::{HouseholdSnapshot, household_overview, member_screen};
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("s.db");
    let (members, _) = write_family(&path);
    // The second member's row is damaged: the others still show, it is reported for itself.
    let damaged = members[1];
    let mut sealed = blob(&path, "members", "data", &damaged.to_string());
    sealed[40] ^= 1;
    Connection::open(&path)
        .unwrap()
        .execute(
            "UPDATE members SET data = ?1 WHERE id = ?2",
            rusqlite::params![sealed, damaged.to_string()],
        )
        .unwrap();
    let store = Store::open(&path, &MemoryKeyStore::new(KEK)).unwrap();
    let now = Utc::now();
    let snapshot = HouseholdSnapshot::read(&store, now).unwrap();
    assert_eq!(
        snapshot.members().map(|m| m.id).collect::<Vec<_>>(),
        members
            .iter()
            .copied()
            .filter(|m| *m != damaged)
            .collect::<Vec<_>>()
    );
    let overview = snapshot.overview().unwrap();
    assert_eq!(overview, household_overview(&store, now).unwrap());
    assert_eq!(overview.damaged_rows, 1);
    assert_eq!(overview.members.len(), members.len() - 1);
    for m in snapshot.members() {
        let screen = snapshot.member_screen(m.id).unwrap();
        assert_eq!(screen, member_screen(&store, m.id, now).unwrap());
        assert_eq!(screen.member_id, m.id.to_string());
        assert_eq!(screen.name, m.data.name);
    }
    let corrupt = Err(StoreError::Corrupt {
        row: RowRef {
            table: "members",
            id: damaged.to_string(),
        },
    });
    assert_eq!(snapshot.member_screen(damaged), corrupt);
    assert_eq!(member_screen(&store, damaged, now), corrupt);
    assert_eq!(
        snapshot.member_screen(MemberId::random()),
        Err(StoreError::NotFound { what: "member" })
    );
    // The snapshot's reads ended their transaction: the store still writes.
    let mut store = store;
    store.add_member(&family()[0].0).unwrap();
    assert_eq!(
        HouseholdSnapshot::read(&store, now)
            .unwrap()
            .members()
            .count(),
        members.len()
    );
}

#[test]
fn a_snapshot_reports_a_damaged_card_check_for_its_member_only() {
    use shikaku_core::screen::{CardState, HouseholdSnapshot, household_overview, member_screen};
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("s.db");
    let (members, _) = write_family(&path);
    {
        let mut store = Store::open(&path, &MemoryKeyStore::new(KEK)).unwrap();
        store.put_card_check(&card_check(members[0], 1)).unwrap();
        store.put_card_check(&card_check(members[1], 2)).unwrap();
    }
    let check_id: String = Connection::open(&path)
        .unwrap()
        .query_row(
            "SELECT id FROM card_checks WHERE member_id = ?1",
            [members[1].to_string()],
            |r| r.get(0),
        )
        .unwrap();
    let mut sealed = blob(&path, "card_checks", "data", &check_id);
    sealed[30] ^= 1;
    Connection::open(&path)
        .unwrap()
        .execute(
            "UPDATE card_checks SET data = ?1 WHERE id = ?2",
            rusqlite::params![sealed, check_id],
        )
        .unwrap();
    let store = Store::open(&path, &MemoryKeyStore::new(KEK)).unwrap();
    let now = Utc::now();
    let snapshot = HouseholdSnapshot::read(&store, now).unwrap();
    let first = snapshot.member_screen(members[0]).unwrap();
    assert_ne!(first.card.state, CardState::NotChecked, "its check is read");
    assert_eq!(first, member_screen(&store, members[0], now).unwrap());
    let damaged = Err(StoreError::Corrupt {
        row: RowRef {
            table: "card_checks",
            id: check_id,
        },
    });
    assert_eq!(snapshot.member_screen(members[1]), damaged);
    assert_eq!(member_screen(&store, members[1], now), damaged);
    assert_eq!(snapshot.overview().err(), damaged.clone().err());
    assert_eq!(household_overview(&store, now).err(), damaged.clone().err());
    // By value, each member's as `member_screen` gives it, in display order.
    let screens = snapshot.into_member_screens();
    assert_eq!(screens.len(), members.len());
    assert_eq!(screens[0], Ok(first));
    assert_eq!(screens[1], damaged);
}

#[test]
fn a_session_that_only_reads_keeps_the_empty_wal_and_one_that_writes_checkpoints_it() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("s.db");
    let (wal, shm) = (dir.path().join("s.db-wal"), dir.path().join("s.db-shm"));
    write_family(&path);
    assert!(
        !wal.exists() && !shm.exists(),
        "a session that wrote checkpoints"
    );
    // Reads only: the close has nothing to copy; the empty WAL stays. Its index is in the
    // connection's memory (the store holds the file alone while open): no `-shm`, ever.
    let store = Store::open(&path, &MemoryKeyStore::new(KEK)).unwrap();
    assert_eq!(store.household().unwrap().members.len(), 3);
    assert!(!shm.exists(), "no WAL index on disk");
    drop(store);
    assert_eq!(std::fs::metadata(&wal).unwrap().len(), 0, "empty WAL kept");
    assert!(!shm.exists());
    // The next open uses it; a write in the session makes its close checkpoint again.
    let mut store = Store::open(&path, &MemoryKeyStore::new(KEK)).unwrap();
    store.add_member(&family()[0].0).unwrap();
    drop(store);
    assert!(!wal.exists() && !shm.exists(), "checkpointed after a write");
    // A WAL that still holds frames when the store is opened (its writer never closed) is
    // checkpointed by the next close, even after reads only.
    {
        let c = Connection::open(&path).unwrap();
        c.set_db_config(
            rusqlite::config::DbConfig::SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE,
            true,
        )
        .unwrap();
        c.execute_batch("CREATE TABLE scratch (x); DROP TABLE scratch;")
            .unwrap();
    }
    let left = std::fs::metadata(&wal).map(|m| m.len());
    assert!(matches!(left, Ok(n) if n > 0), "frames left: {left:?}");
    let store = Store::open(&path, &MemoryKeyStore::new(KEK)).unwrap();
    assert_eq!(store.household().unwrap().members.len(), 4);
    drop(store);
    assert!(!wal.exists() && !shm.exists(), "checkpointed at close");
}
