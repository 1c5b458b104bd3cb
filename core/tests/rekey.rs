//! A passphrase change re-keys: a copy of the store taken before the change, opened with the
//! old passphrase, cannot read rows written after it — not even with the old wrapped key put
//! back into the new file — while everything stays readable (and findable) with the new one.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::*;
use rusqlite::Connection;
use shikaku_core::eligibility::{Provenance, Relationship, Sex};
use shikaku_core::store::{Argon2Cost, PassphraseKeyStore, Store, StoreError, SyncState};
use zeroize::Zeroizing;

fn pass(p: &str) -> PassphraseKeyStore {
    PassphraseKeyStore::with_cost(Zeroizing::new(p.into()), Argon2Cost::TEST_ONLY)
}

fn wrapped_key(path: &std::path::Path) -> Vec<u8> {
    Connection::open(path)
        .unwrap()
        .query_row(
            "SELECT value FROM meta WHERE key = 'wrapped_key'",
            [],
            |r| r.get(0),
        )
        .unwrap()
}

#[test]
fn a_copy_from_before_the_change_cannot_open_what_is_written_after() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("s.db");
    let (first, rec) = {
        let mut s = Store::open(&path, &pass("old")).unwrap();
        let (data, records) = family().remove(0);
        let id = s.add_member(&data).unwrap();
        let rec = s
            .put_record(
                id,
                &records[0],
                &Provenance::HandEntered {
                    entered_at: chrono::Utc::now(),
                },
            )
            .unwrap();
        s.write(|b| {
            b.set_sync_state(&SyncState {
                etag: Some("\"e1\"".into()),
                ..Default::default()
            })
        })
        .unwrap();
        (id, rec)
    };
    let old_wrapped = wrapped_key(&path);

    let second = {
        let mut s = Store::open(&path, &pass("old")).unwrap();
        s.rekey(&pass("new")).unwrap();
        s.add_member(&member(
            "後 入力",
            "アト ニュウリョク",
            "1990-01-01",
            Sex::Female,
            Relationship::Dependent,
        ))
        .unwrap()
    };
    assert_ne!(wrapped_key(&path), old_wrapped);

    // Everything is readable and findable under the new passphrase.
    {
        let s = Store::open(&path, &pass("new")).unwrap();
        assert_eq!(s.member(first).unwrap().data, family()[0].0);
        assert_eq!(s.member(second).unwrap().data.name, "後 入力");
        let r = s.record(rec).unwrap().record;
        assert_eq!(
            s.find_records(
                &r.insurer_number,
                r.symbol.as_deref(),
                &r.number,
                r.branch.as_deref()
            )
            .unwrap(),
            vec![rec]
        );
        assert_eq!(s.sync_state().unwrap().etag.as_deref(), Some("\"e1\""));
    }
    assert_eq!(
        Store::open(&path, &pass("old")).unwrap_err(),
        StoreError::WrongKey
    );

    // The attacker's move: the old wrapped key (from a copy taken before) put back into the
    // new file, opened with the old passphrase. The old data key no longer opens anything.
    Connection::open(&path)
        .unwrap()
        .execute(
            "UPDATE meta SET value = ?1 WHERE key = 'wrapped_key'",
            [&old_wrapped],
        )
        .unwrap();
    assert_eq!(
        Store::open(&path, &pass("old")).unwrap_err(),
        StoreError::WrongKey
    );
}

#[test]
fn a_put_back_row_stops_the_rekey_and_nothing_changes() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("s.db");
    let id = {
        let mut s = Store::open(&path, &pass("old")).unwrap();
        let id = s.add_member(&family()[0].0).unwrap();
        s.add_member(&family()[1].0).unwrap();
        id
    };
    let old: Vec<u8> = Connection::open(&path)
        .unwrap()
        .query_row(
            "SELECT data FROM members WHERE id = ?1",
            [id.to_string()],
            |r| r.get(0),
        )
        .unwrap();
    Store::open(&path, &pass("old"))
        .unwrap()
        .update_member(id, &family()[2].0)
        .unwrap();
    Connection::open(&path)
        .unwrap()
        .execute(
            "UPDATE members SET data = ?1 WHERE id = ?2",
            rusqlite::params![old, id.to_string()],
        )
        .unwrap();
    let before = wrapped_key(&path);
    let mut s = Store::open(&path, &pass("old")).unwrap();
    assert!(matches!(
        s.rekey(&pass("new")),
        Err(StoreError::Corrupt { .. })
    ));
    drop(s);
    assert_eq!(
        wrapped_key(&path),
        before,
        "the old key still wraps the store"
    );
    let s = Store::open(&path, &pass("old")).unwrap();
    assert_eq!(s.household().unwrap().corrupt.len(), 1);
}
