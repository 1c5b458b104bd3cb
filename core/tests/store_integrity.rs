//! What per-value sealing cannot see, caught by the sealed row list: an older ciphertext of a
//! row put back with plain SQLite, a deleted (or re-added) row, an older row list put back;
//! and what the sealed lengths no longer tell (padding).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::path::Path;

use chrono::Utc;
use common::*;
use rusqlite::Connection;
use shikaku_core::card::{
    AnchorSource, CardCheck, CardKind, ChainStatus, KeyFingerprint, PinCounter, SignatureStatus,
};
use shikaku_core::eligibility::{
    DocumentKind, ElderlyForm, LimitForm, MemberId, Provenance, RecordForm, RecordId, Relationship,
    Sex,
};
use shikaku_core::store::{MemoryKeyStore, RowRef, Store, StoreError, StoredCardCheck, SyncState};

const KEK: [u8; 32] = [11; 32];

fn ks() -> MemoryKeyStore {
    MemoryKeyStore::new(KEK)
}

fn hand() -> Provenance {
    Provenance::HandEntered {
        entered_at: Utc::now(),
    }
}

fn check(member: MemberId, fingerprint: u8) -> StoredCardCheck {
    StoredCardCheck {
        member,
        matched: None,
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
            basic_info: Default::default(),
        },
    }
}

struct Family {
    members: Vec<MemberId>,
    records: Vec<RecordId>,
}

/// `family()`, a card check for the first member, a presentation for the signed record and a
/// sync state.
fn write(path: &Path) -> Family {
    let mut store = Store::open(path, &ks()).unwrap();
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
            let rid = store.put_record(id, &r, &prov).unwrap();
            if r.kind == DocumentKind::Portal {
                store.put_presentation(rid, b"presentation bytes").unwrap();
            }
            records.push(rid);
        }
    }
    store.put_card_check(&check(members[0], 1)).unwrap();
    store
        .write(|b| {
            b.set_sync_state(&SyncState {
                etag: Some("\"v1\"".into()),
                ..Default::default()
            })
        })
        .unwrap();
    Family { members, records }
}

fn sql(path: &Path, statement: &str) {
    Connection::open(path)
        .unwrap()
        .execute_batch(statement)
        .unwrap();
}

fn value(path: &Path, query: &str) -> Vec<u8> {
    Connection::open(path)
        .unwrap()
        .query_row(query, [], |r| r.get(0))
        .unwrap()
}

fn row(table: &'static str, id: impl ToString) -> RowRef {
    RowRef {
        table,
        id: id.to_string(),
    }
}

#[test]
fn an_old_ciphertext_put_back_is_caught_for_its_row_only() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("s.db");
    let fam = write(&path);
    let r = fam.records[0].to_string();
    let m = fam.members[1].to_string();
    let old_record = (
        value(&path, &format!("SELECT data FROM records WHERE id = '{r}'")),
        value(
            &path,
            &format!("SELECT lookup FROM records WHERE id = '{r}'"),
        ),
    );
    let old_member = value(&path, &format!("SELECT data FROM members WHERE id = '{m}'"));
    let old_sync = value(&path, "SELECT value FROM meta WHERE key = 'sync_state'");
    let old_presentation = value(
        &path,
        &format!(
            "SELECT data FROM presentations WHERE record_id = '{}'",
            fam.records[1]
        ),
    );
    // Later writes: a changed record (another 番号), a renamed member, a new sync state and
    // a new presentation.
    {
        let mut store = Store::open(&path, &ks()).unwrap();
        let mut changed = family()[0].1[0].clone();
        changed.number = "999999".into();
        store
            .replace_record(fam.records[0], &changed, &hand())
            .unwrap();
        let mut renamed = family()[1].0.clone();
        renamed.name = "山田 花".into();
        store.update_member(fam.members[1], &renamed).unwrap();
        store
            .write(|b| {
                b.set_sync_state(&SyncState {
                    etag: Some("\"v2\"".into()),
                    ..Default::default()
                })
            })
            .unwrap();
        store
            .put_presentation(fam.records[1], b"newer presentation")
            .unwrap();
    }
    // Each older value, copied back with plain SQLite.
    let cases: Vec<(String, &str)> = vec![
        (
            format!(
                "UPDATE records SET data = x'{}' WHERE id = '{r}'",
                hex(&old_record.0)
            ),
            "record data",
        ),
        (
            format!(
                "UPDATE records SET data = x'{}', lookup = x'{}' WHERE id = '{r}'",
                hex(&old_record.0),
                hex(&old_record.1)
            ),
            "record data and look-up",
        ),
        (
            format!(
                "UPDATE records SET lookup = x'{}' WHERE id = '{r}'",
                hex(&old_record.1)
            ),
            "record look-up",
        ),
        (
            format!(
                "UPDATE members SET data = x'{}' WHERE id = '{m}'",
                hex(&old_member)
            ),
            "member",
        ),
        (
            format!(
                "UPDATE meta SET value = x'{}' WHERE key = 'sync_state'",
                hex(&old_sync)
            ),
            "sync state",
        ),
        (
            format!(
                "UPDATE presentations SET data = x'{}' WHERE record_id = '{}'",
                hex(&old_presentation),
                fam.records[1]
            ),
            "presentation",
        ),
    ];
    for (statement, what) in cases {
        let work = dir.path().join("t.db");
        std::fs::copy(&path, &work).unwrap();
        sql(&work, &statement);
        let store = Store::open(&work, &ks()).unwrap();
        match what {
            "record data" | "record data and look-up" => {
                assert_eq!(
                    store.record(fam.records[0]),
                    Err(StoreError::Corrupt {
                        row: row("records", &r)
                    }),
                    "{what}"
                );
                let list = store.records(fam.members[0]).unwrap();
                assert_eq!(list.corrupt, vec![row("records", &r)], "{what}");
                assert_eq!(list.records.len(), 1, "{what}: the other record reads");
                // The old look-up no longer finds the row as if it were current.
                let old = &family()[0].1[0];
                assert!(
                    store
                        .find_records(
                            &old.insurer_number,
                            old.symbol.as_deref(),
                            &old.number,
                            old.branch.as_deref()
                        )
                        .map_or(true, |ids| !ids.contains(&fam.records[0])),
                    "{what}"
                );
            }
            "record look-up" => {
                let old = &family()[0].1[0];
                assert_eq!(
                    store.find_records(
                        &old.insurer_number,
                        old.symbol.as_deref(),
                        &old.number,
                        old.branch.as_deref()
                    ),
                    Err(StoreError::Corrupt {
                        row: row("records", &r)
                    }),
                    "{what}"
                );
            }
            "member" => {
                let hh = store.household().unwrap();
                assert_eq!(hh.corrupt, vec![row("members", &m)], "{what}");
                assert_eq!(hh.members.len(), 2, "{what}: the others read");
                assert!(matches!(
                    store.member(fam.members[1]),
                    Err(StoreError::Corrupt { .. })
                ));
            }
            "sync state" => assert_eq!(
                store.sync_state(),
                Err(StoreError::Corrupt {
                    row: row("meta", "sync_state")
                }),
                "{what}"
            ),
            _ => assert!(
                matches!(
                    store.presentation(fam.records[1]),
                    Err(StoreError::Corrupt { .. })
                ),
                "{what}"
            ),
        }
        // Everything else still reads.
        assert!(store.household().unwrap().members.len() >= 2);
        assert!(store.record(fam.records[3]).is_ok(), "{what}");
        drop(store);
        Store::destroy(&work).unwrap();
    }
}

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

#[test]
fn a_deleted_or_re_added_row_stops_the_store() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("s.db");
    let fam = write(&path);
    let card_id: String = Connection::open(&path)
        .unwrap()
        .query_row("SELECT id FROM card_checks", [], |r| r.get(0))
        .unwrap();
    let r = fam.records[3].to_string();
    let cases: Vec<(String, RowRef)> = vec![
        (
            "DELETE FROM card_checks".into(),
            row("card_checks", &card_id),
        ),
        (
            format!("DELETE FROM records WHERE id = '{r}'"),
            row("records", &r),
        ),
        (
            format!(
                "DELETE FROM presentations WHERE record_id = '{}'",
                fam.records[1]
            ),
            row("presentations", fam.records[1]),
        ),
        (
            // Plain SQLite has foreign keys off: the member's rows stay.
            format!("DELETE FROM members WHERE id = '{}'", fam.members[2]),
            row("members", fam.members[2]),
        ),
        (
            "DELETE FROM meta WHERE key = 'sync_state'".into(),
            row("meta", "sync_state"),
        ),
        (
            "DELETE FROM meta WHERE key = 'manifest'".into(),
            row("meta", "manifest"),
        ),
    ];
    for (statement, gone) in cases {
        let work = dir.path().join("t.db");
        std::fs::copy(&path, &work).unwrap();
        sql(&work, &statement);
        assert_eq!(
            Store::open(&work, &ks()).unwrap_err(),
            StoreError::Tampered { row: gone },
            "{statement}"
        );
        Store::destroy(&work).unwrap();
    }

    // A removed record put back (with its presentation's row left out of it).
    let old: (Vec<u8>, Vec<u8>, Vec<u8>, String) = Connection::open(&path)
        .unwrap()
        .query_row(
            &format!("SELECT lookup, data, signed, member_id FROM records WHERE id = '{r}'"),
            [],
            |x| Ok((x.get(0)?, x.get(1)?, x.get(2)?, x.get(3)?)),
        )
        .unwrap();
    Store::open(&path, &ks())
        .unwrap()
        .remove_record(fam.records[3])
        .unwrap();
    Connection::open(&path)
        .unwrap()
        .execute(
            "INSERT INTO records (id, member_id, lookup, data, signed) VALUES (?1, ?2, ?3, ?4, ?5)",
            rusqlite::params![r, old.3, old.0, old.1, old.2],
        )
        .unwrap();
    assert_eq!(
        Store::open(&path, &ks()).unwrap_err(),
        StoreError::Tampered {
            row: row("records", &r)
        }
    );
}

#[test]
fn no_other_connection_reads_or_writes_the_store_while_it_is_open() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("s.db");
    let fam = write(&path);
    let store = Store::open(&path, &ks()).unwrap();
    assert!(store.card_check(fam.members[0]).unwrap().is_some());
    // Another connection (plain SQLite, not waiting) can neither read nor delete.
    let other = Connection::open(&path).unwrap();
    other.busy_timeout(std::time::Duration::ZERO).unwrap();
    let busy =
        |e: rusqlite::Error| e.sqlite_error_code() == Some(rusqlite::ErrorCode::DatabaseBusy);
    assert!(busy(
        other.execute_batch("DELETE FROM card_checks").unwrap_err()
    ));
    assert!(busy(
        other
            .query_row("SELECT count(*) FROM members", [], |r| r.get::<_, i64>(0))
            .unwrap_err()
    ));
    // Nor does a second store of the same file (after the busy timeout): a clear error. It
    // removes none of the holder's files, not even a `-wal` that appears while it waits
    // (moved away before it looks, put back while it waits).
    let wal = dir.path().join("s.db-wal");
    let aside = dir.path().join("aside");
    std::fs::rename(&wal, &aside).unwrap();
    let put_back = {
        let (aside, wal) = (aside.clone(), wal.clone());
        std::thread::spawn(move || {
            std::thread::sleep(std::time::Duration::from_secs(1));
            std::fs::rename(aside, wal).unwrap();
        })
    };
    match Store::open(&path, &ks()) {
        Err(StoreError::Io { reason }) => assert!(reason.contains("in use"), "{reason}"),
        other => panic!("expected the store in use, got {:?}", other.err()),
    }
    put_back.join().unwrap();
    assert!(wal.exists(), "the holder's WAL is kept");
    assert!(store.card_check(fam.members[0]).unwrap().is_some());
    // Once it is closed, a deletion with plain SQLite is caught at the next open.
    drop(store);
    drop(other);
    sql(&path, "DELETE FROM card_checks");
    assert!(matches!(
        Store::open(&path, &ks()).err(),
        Some(StoreError::Tampered { .. })
    ));
}

#[test]
fn an_older_row_list_put_back_is_caught_by_the_rows_written_since() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("s.db");
    let fam = write(&path);
    let list = value(&path, "SELECT value FROM meta WHERE key = 'manifest'");
    let card = |p: &Path| -> Vec<(String, String, Vec<u8>, Vec<u8>)> {
        Connection::open(p)
            .unwrap()
            .prepare("SELECT id, member_id, lookup, data FROM card_checks")
            .unwrap()
            .query_map([], |x| Ok((x.get(0)?, x.get(1)?, x.get(2)?, x.get(3)?)))
            .unwrap()
            .map(Result::unwrap)
            .collect()
    };
    let old_card = card(&path);
    {
        let mut store = Store::open(&path, &ks()).unwrap();
        store.put_card_check(&check(fam.members[0], 2)).unwrap();
        let mut renamed = family()[0].0.clone();
        renamed.name = "山田 太".into();
        store.update_member(fam.members[0], &renamed).unwrap();
    }
    // The old list and the old card check put back together: the card check looks current
    // to the old list, but the member written since does not.
    let c = Connection::open(&path).unwrap();
    c.execute("DELETE FROM card_checks", []).unwrap();
    for (id, member, lookup, data) in &old_card {
        c.execute(
            "INSERT INTO card_checks (id, member_id, lookup, data) VALUES (?1, ?2, ?3, ?4)",
            rusqlite::params![id, member, lookup, data],
        )
        .unwrap();
    }
    c.execute("UPDATE meta SET value = ?1 WHERE key = 'manifest'", [&list])
        .unwrap();
    drop(c);
    let store = Store::open(&path, &ks()).unwrap();
    assert_eq!(
        store.household().unwrap().corrupt,
        vec![row("members", fam.members[0])]
    );
}

#[test]
fn writes_keep_the_list_true_and_a_tampered_store_is_not_written() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("s.db");
    let fam = write(&path);
    {
        let mut store = Store::open(&path, &ks()).unwrap();
        // A cascade (member → records → presentation, card check) and a replace.
        store.remove_member(fam.members[0]).unwrap();
        store.put_card_check(&check(fam.members[1], 3)).unwrap();
        store.put_card_check(&check(fam.members[1], 4)).unwrap();
        // A failed write leaves the list as it was.
        let res = store.write(|b| {
            b.add_member(&family()[0].0)?;
            b.put_record(MemberId::random(), &family()[0].1[0], &hand())
        });
        assert_eq!(res, Err(StoreError::NotFound { what: "member" }));
        assert_eq!(store.household().unwrap().members.len(), 2);
    }
    let store = Store::open(&path, &ks()).unwrap();
    let hh = store.household().unwrap();
    assert_eq!((hh.members.len(), hh.corrupt.len()), (2, 0));
    assert_eq!(
        store
            .card_check(fam.members[1])
            .unwrap()
            .unwrap()
            .check
            .key_fingerprint,
        KeyFingerprint([4; 32])
    );
    assert_eq!(
        store.members_with_card(&KeyFingerprint([4; 32])).unwrap(),
        vec![fam.members[1]]
    );
    drop(store);
    // Tampered: refused before anything is written.
    sql(&path, "DELETE FROM card_checks");
    let before = std::fs::read(&path).unwrap();
    assert!(matches!(
        Store::open(&path, &ks()),
        Err(StoreError::Tampered { .. })
    ));
    assert_eq!(std::fs::read(&path).unwrap(), before);
}

fn full_form(elderly_and_limit: bool) -> RecordForm {
    RecordForm {
        kind: DocumentKind::Certificate,
        insurer_number: "01130012".into(),
        insurer_name: "全国健康保険協会 東京支部".into(),
        symbol: Some("7340155".into()),
        number: "420815".into(),
        branch: Some("00".into()),
        relationship: Relationship::Insured,
        insured_name: Some("鈴木 ウメ".into()),
        acquired_on: Some("2015-04-01".into()),
        copay_percent: Some(30),
        valid_from: Some("2025-12-02".into()),
        valid_until: Some("2030-12-01".into()),
        issued_on: Some("2025-11-20".into()),
        elderly: elderly_and_limit.then(|| ElderlyForm {
            copay_percent: Some(20),
            effective_from: Some("2026-08-01".into()),
            valid_until: Some("2027-07-31".into()),
        }),
        limit: elderly_and_limit.then(|| LimitForm {
            category: "区分Ⅱ".into(),
            effective_from: Some("2026-08-01".into()),
        }),
        preschool: false,
        lost_on: None,
        public_expense: None,
    }
}

#[test]
fn sealed_lengths_do_not_tell_the_content() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("s.db");
    let mut store = Store::open(&path, &ks()).unwrap();
    let m = store
        .add_member(&member(
            "鈴木 ウメ",
            "スズキ ウメ",
            "1953-02-28",
            Sex::Female,
            Relationship::Insured,
        ))
        .unwrap();
    let other = store.add_member(&family()[1].0).unwrap();
    let plain = store
        .put_record(m, &full_form(false).validate(today()).unwrap(), &hand())
        .unwrap();
    let rich_record = full_form(true).validate(today()).unwrap();
    assert!(rich_record.elderly.is_some() && rich_record.limit.is_some());
    // A signed document of a full record is a few hundred bytes (COSE_Sign1 over CBOR).
    let signed = Provenance::IssuerSigned {
        key_id: "issuer-key-2026-01".into(),
        signed_bytes: vec![0xa5; 700],
    };
    let rich = store.put_record(m, &rich_record, &signed).unwrap();
    drop(store);
    let c = Connection::open(&path).unwrap();
    let len = |table: &str, column: &str, id: String| -> i64 {
        c.query_row(
            &format!("SELECT length({column}) FROM {table} WHERE id = ?1"),
            [id],
            |r| r.get(0),
        )
        .unwrap()
    };
    assert_eq!(
        len("records", "data", plain.to_string()),
        len("records", "data", rich.to_string()),
        "with and without 高齢受給者/限度額"
    );
    assert_eq!(
        len("records", "signed", plain.to_string()),
        len("records", "signed", rich.to_string()),
        "hand-entered and issuer-signed"
    );
    assert_eq!(
        len("members", "data", m.to_string()),
        len("members", "data", other.to_string()),
        "本人 and 家族"
    );
}
