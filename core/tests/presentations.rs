//! The stored presentation documents (the QR form of an issuer-signed record): sealed under
//! their record, replaced, removed with the record, re-keyed, migrated into older stores, and
//! never readable on disk.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::*;
use rusqlite::Connection;
use shikaku_core::eligibility::{DocumentKind, Provenance, RecordId};
use shikaku_core::store::{
    Argon2Cost, MemoryKeyStore, PassphraseKeyStore, RowRef, SCHEMA_VERSION, Store, StoreError,
};
use zeroize::Zeroizing;

const KEK: [u8; 32] = [42; 32];

/// A presentation stand-in that carries personal values, so the scan has something to find.
const PRESENTATION: &[u8] = "qr-secret-7f3a 山田 太郎 ヤマダ タロウ 1985-04-12".as_bytes();

fn signed() -> Provenance {
    Provenance::IssuerSigned {
        key_id: "issuer-1".into(),
        signed_bytes: b"signed document bytes".to_vec(),
    }
}

/// A store with one member and two issuer-signed records.
fn setup(store: &mut Store) -> (RecordId, RecordId) {
    let (m, recs) = family().remove(0);
    let id = store.add_member(&m).unwrap();
    let a = store.put_record(id, &recs[0], &signed()).unwrap();
    let b = store.put_record(id, &recs[0], &signed()).unwrap();
    (a, b)
}

#[test]
fn put_read_replace_and_removed_with_the_record() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("s.db");
    let mut store = Store::open(&path, &MemoryKeyStore::new(KEK)).unwrap();
    let (a, b) = setup(&mut store);
    assert_eq!(store.presentation(a).unwrap(), None);
    store.put_presentation(a, PRESENTATION).unwrap();
    assert_eq!(
        store.presentation(a).unwrap().as_deref(),
        Some(PRESENTATION)
    );
    assert_eq!(store.presentation(b).unwrap(), None);
    // Replaced, not added.
    store.put_presentation(a, b"second").unwrap();
    assert_eq!(
        store.presentation(a).unwrap().as_deref(),
        Some(&b"second"[..])
    );
    // For a record that does not exist: typed, nothing written.
    let ghost = RecordId::random();
    assert_eq!(
        store.put_presentation(ghost, PRESENTATION),
        Err(StoreError::NotFound { what: "record" })
    );
    // One transaction: a failing batch leaves no presentation behind.
    let res = store.write(|batch| {
        batch.put_presentation(b, PRESENTATION)?;
        batch.put_presentation(ghost, PRESENTATION)
    });
    assert!(res.is_err());
    assert_eq!(store.presentation(b).unwrap(), None);
    // Removing it keeps the record; removing the record removes it.
    store.write(|batch| batch.remove_presentation(a)).unwrap();
    assert_eq!(store.presentation(a).unwrap(), None);
    store.record(a).unwrap();
    store.put_presentation(b, PRESENTATION).unwrap();
    store.remove_record(b).unwrap();
    let rows: i64 = Connection::open(&path)
        .unwrap()
        .query_row("SELECT count(*) FROM presentations", [], |r| r.get(0))
        .unwrap();
    assert_eq!(rows, 0);
}

#[test]
fn sealed_on_disk_and_bound_to_its_record() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("s.db");
    let (a, b) = {
        let mut store = Store::open(&path, &MemoryKeyStore::new(KEK)).unwrap();
        let ids = setup(&mut store);
        store.put_presentation(ids.0, PRESENTATION).unwrap();
        store.put_presentation(ids.1, b"other").unwrap();
        ids
    };
    let needles: Vec<(String, Vec<u8>)> = ["山田 太郎", "ヤマダ タロウ", "1985-04-12"]
        .iter()
        .map(|s| (s.to_string(), s.as_bytes().to_vec()))
        .chain(std::iter::once((
            "qr-secret-7f3a".to_string(),
            b"qr-secret-7f3a".to_vec(),
        )))
        .collect();
    assert_eq!(scan_dir(dir.path(), &needles), vec![]);

    // A ciphertext copied onto another record's row does not open there.
    let c = Connection::open(&path).unwrap();
    let data: Vec<u8> = c
        .query_row(
            "SELECT data FROM presentations WHERE record_id = ?1",
            [a.to_string()],
            |r| r.get(0),
        )
        .unwrap();
    c.execute(
        "UPDATE presentations SET data = ?1 WHERE record_id = ?2",
        rusqlite::params![data, b.to_string()],
    )
    .unwrap();
    drop(c);
    let store = Store::open(&path, &MemoryKeyStore::new(KEK)).unwrap();
    assert_eq!(
        store.presentation(a).unwrap().as_deref(),
        Some(PRESENTATION)
    );
    assert_eq!(
        store.presentation(b),
        Err(StoreError::Corrupt {
            row: RowRef {
                table: "presentations",
                id: b.to_string()
            }
        })
    );
}

#[test]
fn a_rekey_reseals_the_presentations() {
    let pass =
        |p: &str| PassphraseKeyStore::with_cost(Zeroizing::new(p.into()), Argon2Cost::TEST_ONLY);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("s.db");
    let mut store = Store::open(&path, &pass("old passphrase")).unwrap();
    let (a, _) = setup(&mut store);
    store.put_presentation(a, PRESENTATION).unwrap();
    store.rekey(&pass("new passphrase")).unwrap();
    assert_eq!(
        store.presentation(a).unwrap().as_deref(),
        Some(PRESENTATION)
    );
    drop(store);
    let store = Store::open(&path, &pass("new passphrase")).unwrap();
    assert_eq!(
        store.presentation(a).unwrap().as_deref(),
        Some(PRESENTATION)
    );
}

#[test]
fn a_schema_1_store_gains_the_table_and_keeps_its_records() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("s.db");
    let (a, _) = {
        let mut store = Store::open(&path, &MemoryKeyStore::new(KEK)).unwrap();
        setup(&mut store)
    };
    // Put the file back to what schema 1 wrote.
    let c = Connection::open(&path).unwrap();
    c.execute_batch("DROP TABLE presentations; PRAGMA user_version = 1;")
        .unwrap();
    drop(c);
    let mut store = Store::open(&path, &MemoryKeyStore::new(KEK)).unwrap();
    assert_eq!(SCHEMA_VERSION, 2);
    let version: u32 = Connection::open(&path)
        .unwrap()
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .unwrap();
    assert_eq!(version, SCHEMA_VERSION);
    assert_eq!(store.record(a).unwrap().record.kind, DocumentKind::Notice);
    assert_eq!(store.presentation(a).unwrap(), None);
    store.put_presentation(a, PRESENTATION).unwrap();
    assert_eq!(
        store.presentation(a).unwrap().as_deref(),
        Some(PRESENTATION)
    );
}
