//! Stores written by earlier builds open with this one and are moved to seal format 2 in one
//! transaction: hint columns gone, every value re-sealed (padded, length-prefixed associated
//! data), the row list written, nothing lost.
//!
//! The fixtures were written once by the builds before the change (`MemoryKeyStore` with the
//! key-encryption key `FIXTURE_KEK`), with `family()`, the 電子資格 record issuer-signed
//! (`issuer-1`, "signed document bytes"), the others hand-entered at `ENTERED_AT`, a card check
//! of the first member (card key fingerprint `[2; 32]`) and a sync state:
//! - `store_schema1.db`: schema 1 (commit 431992f);
//! - `store_schema2.db`: schema 2, with a presentation ("signed presentation bytes") for the
//!   issuer-signed record (commit f09038a).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::path::{Path, PathBuf};

use chrono::{TimeZone, Utc};
use common::*;
use rusqlite::Connection;
use shikaku_core::card::KeyFingerprint;
use shikaku_core::eligibility::{DocumentKind, Provenance};
use shikaku_core::store::{MemoryKeyStore, SCHEMA_VERSION, Store, StoreError};

const FIXTURE_KEK: [u8; 32] = [0x5a; 32];

fn fixture(name: &str, dir: &Path) -> PathBuf {
    let src = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name);
    let dst = dir.join("shikaku.db");
    std::fs::copy(src, &dst).unwrap();
    dst
}

fn user_version(path: &Path) -> u32 {
    Connection::open(path)
        .unwrap()
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .unwrap()
}

fn columns(path: &Path, table: &str) -> Vec<String> {
    Connection::open(path)
        .unwrap()
        .prepare(&format!("SELECT * FROM {table}"))
        .unwrap()
        .column_names()
        .into_iter()
        .map(String::from)
        .collect()
}

/// Everything the fixture holds reads back as it was written.
fn assert_content(store: &Store, with_presentation: bool) {
    let entered_at = Utc.with_ymd_and_hms(2026, 11, 20, 1, 2, 3).unwrap();
    let hh = store.household().unwrap();
    assert!(hh.corrupt.is_empty());
    let fam = family();
    assert_eq!(
        hh.members.iter().map(|m| &m.data).collect::<Vec<_>>(),
        fam.iter().map(|(m, _)| m).collect::<Vec<_>>()
    );
    for (m, (_, records)) in hh.members.iter().zip(&fam) {
        let list = store.records(m.id).unwrap();
        assert!(list.corrupt.is_empty());
        assert_eq!(
            list.records.iter().map(|r| &r.record).collect::<Vec<_>>(),
            records.iter().collect::<Vec<_>>()
        );
        for r in &list.records {
            if r.record.kind == DocumentKind::Portal {
                assert_eq!(
                    r.provenance,
                    Provenance::IssuerSigned {
                        key_id: "issuer-1".into(),
                        signed_bytes: b"signed document bytes".to_vec()
                    }
                );
                assert_eq!(
                    store.presentation(r.id).unwrap().as_deref(),
                    with_presentation.then_some(&b"signed presentation bytes"[..])
                );
            } else {
                assert_eq!(r.provenance, Provenance::HandEntered { entered_at });
            }
            // The keyed-hash look-ups still find the record.
            assert!(
                store
                    .find_records(
                        &r.record.insurer_number,
                        r.record.symbol.as_deref(),
                        &r.record.number,
                        r.record.branch.as_deref()
                    )
                    .unwrap()
                    .contains(&r.id)
            );
        }
    }
    let first = hh.members[0].id;
    let check = store.card_check(first).unwrap().expect("the card check");
    assert_eq!(check.check.key_fingerprint, KeyFingerprint([2; 32]));
    assert_eq!(check.check.checked_at, entered_at);
    assert_eq!(
        store.members_with_card(&KeyFingerprint([2; 32])).unwrap(),
        vec![first]
    );
    let sync = store.sync_state().unwrap();
    assert_eq!(sync.etag.as_deref(), Some("\"etag-secret-1\""));
    assert_eq!(sync.household_id.as_deref(), Some("household-77"));
    assert_eq!(sync.root_key, Some(vec![2; 33]));
}

fn migrates(name: &str, from: u32, with_presentation: bool) {
    let dir = tempfile::tempdir().unwrap();
    let path = fixture(name, dir.path());
    assert_eq!(user_version(&path), from);
    assert!(columns(&path, "members").contains(&"relationship".to_string()));
    {
        let store = Store::open(&path, &MemoryKeyStore::new(FIXTURE_KEK)).unwrap();
        assert_content(&store, with_presentation);
    }
    assert_eq!(user_version(&path), SCHEMA_VERSION);
    assert_eq!(columns(&path, "members"), ["id", "ordinal", "data"]);
    assert_eq!(
        columns(&path, "records"),
        ["id", "member_id", "lookup", "data", "signed"]
    );
    assert_eq!(
        columns(&path, "card_checks"),
        ["id", "member_id", "lookup", "data"]
    );
    // Every sealed value is in format 2 and padded; no record is left without `signed`.
    let c = Connection::open(&path).unwrap();
    for (table, column, filter) in [
        ("members", "data", ""),
        ("records", "data", ""),
        ("records", "signed", ""),
        ("card_checks", "data", ""),
        ("presentations", "data", ""),
        ("meta", "value", "WHERE key != 'wrapped_key'"),
    ] {
        let blobs: Vec<Option<Vec<u8>>> = c
            .prepare(&format!("SELECT {column} FROM {table} {filter}"))
            .unwrap()
            .query_map([], |r| r.get(0))
            .unwrap()
            .map(Result::unwrap)
            .collect();
        for b in blobs {
            let b = b.unwrap_or_else(|| panic!("{table}.{column} is NULL"));
            assert_eq!(b[0], 2, "{table}.{column}: seal format 2");
            let padded = b.len() - 29;
            assert!(
                padded >= if table == "members" { 512 } else { 1024 } && padded.is_power_of_two(),
                "{table}.{column}: {} bytes",
                b.len()
            );
        }
    }
    drop(c);
    // Opened again: nothing left to migrate, all still there.
    let store = Store::open(&path, &MemoryKeyStore::new(FIXTURE_KEK)).unwrap();
    assert_content(&store, with_presentation);
    drop(store);
    // And nothing personal on disk, the WAL included.
    assert_eq!(scan_dir(dir.path(), &personal_needles()), vec![]);
}

#[test]
fn a_schema_1_store_is_migrated() {
    migrates("store_schema1.db", 1, false);
}

#[test]
fn a_schema_2_store_is_migrated() {
    migrates("store_schema2.db", 2, true);
}

#[test]
fn a_wrong_key_leaves_an_old_store_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let path = fixture("store_schema2.db", dir.path());
    let before = std::fs::read(&path).unwrap();
    assert_eq!(
        Store::open(&path, &MemoryKeyStore::new([1; 32])).unwrap_err(),
        StoreError::WrongKey
    );
    assert_eq!(std::fs::read(&path).unwrap(), before);
    assert_eq!(user_version(&path), 2);
}

#[test]
fn a_damaged_row_in_an_old_store_stays_damaged_and_the_rest_moves_on() {
    let dir = tempfile::tempdir().unwrap();
    let path = fixture("store_schema2.db", dir.path());
    let (id, mut data): (String, Vec<u8>) = Connection::open(&path)
        .unwrap()
        .query_row(
            "SELECT id, data FROM records WHERE member_id =
                 (SELECT id FROM members ORDER BY ordinal LIMIT 1 OFFSET 2)",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    let last = data.len() - 1;
    data[last] ^= 1;
    Connection::open(&path)
        .unwrap()
        .execute(
            "UPDATE records SET data = ?1 WHERE id = ?2",
            rusqlite::params![data, id],
        )
        .unwrap();
    let store = Store::open(&path, &MemoryKeyStore::new(FIXTURE_KEK)).unwrap();
    let hh = store.household().unwrap();
    assert_eq!(hh.members.len(), 3);
    let list = store.records(hh.members[2].id).unwrap();
    assert_eq!(list.records.len(), 0);
    assert_eq!(list.corrupt.len(), 1);
    assert_eq!(list.corrupt[0].id, id);
    assert_eq!(store.records(hh.members[0].id).unwrap().records.len(), 2);
    // The store holds its file while open: read the header once it is closed.
    drop(store);
    assert_eq!(user_version(&path), SCHEMA_VERSION);
}
