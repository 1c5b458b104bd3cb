//! Opening the store and reading a household of 6 members × 3 records, against the same rows
//! read from a plaintext SQLite table (the cost of encryption, measured).
//!
//! The store opens as the app opens it on every launch (`Store::open` with a key store: file
//! checks, the data key unwrapped, HKDF, the canary, the row list read and checked); the
//! in-memory key store stands in for the platform's (Android Keystore / Keychain), whose own
//! time is outside the core. `scripts/store-bench` measures open + read beside SQLCipher's.
//!
//! After criterion's figures, open + read and open + read + screens run once more in pairs with
//! the plaintext read (`support/mod.rs`): the ratios to hold against the goals (≤ 1.2×, ≤ 2×),
//! steady from run to run where criterion's separate stretches are not.
//!
//! `signed_open_read_and_build_screens` is the demo's path: a household as a sync leaves it (six
//! issuer-signed records and the trust list), whose first snapshot after a launch verifies every
//! signature; `…_again` is every later one, which finds them verified already (figures:
//! docs/decisions/0013-store-performance.md, "Signed records" and "Signatures verified once per
//! process").
//!
//! Started with `--serve` (by `scripts/store-bench`), the binary runs no criterion benchmark: it
//! answers requests for short turns of open + read, open + read + screens and the plaintext read
//! (`support/serve.rs`), which the script alternates with the SQLCipher bench's turns.
//!
//! `cargo bench -p shikaku-core --bench store`
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use std::hint::black_box;
use std::path::{Path, PathBuf};

use chrono::{DateTime, Duration, NaiveDate, Utc};
use criterion::{Criterion, criterion_group};
use rusqlite::{Connection, params};
use shikaku_core::document::{
    EligibilityDocument, forget_verified_signatures, sign_document, verify_document,
};
use shikaku_core::eligibility::{
    DocumentKind, EligibilityRecord, MemberData, MemberForm, Provenance, RecordForm, Relationship,
    Sex,
};
use shikaku_core::screen::HouseholdSnapshot;
use shikaku_core::store::{MemoryKeyStore, Store, SyncState};

mod support;
use support::{paired, pairs_table};
#[path = "support/serve.rs"]
mod serve;
#[path = "support/signed.rs"]
mod signed;
use signed::{key, trust_list};

const KEK: [u8; 32] = [3; 32];

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 23).unwrap()
}

/// The 本人 (first), a spouse, two children, a grandparent aged 70–74 (高齢受給者) and a
/// pre-school child. (The 本人 must be under 75: from their 75th birthday a 被扶養者's 被用者保険
/// record is no longer in force, and the screens would show five ended households.)
const BIRTH_YEARS: [u32; 6] = [1985, 1987, 2012, 2016, 1954, 2021];

fn household() -> Vec<(MemberData, Vec<EligibilityRecord>)> {
    let kinds = [
        DocumentKind::Notice,
        DocumentKind::Portal,
        DocumentKind::Certificate,
    ];
    (0..6)
        .map(|i| {
            let rel = if i == 0 {
                Relationship::Insured
            } else {
                Relationship::Dependent
            };
            let m = MemberForm {
                name: format!(
                    "山田 {}",
                    ["太郎", "花子", "健太", "美咲", "次郎", "ウメ"][i]
                ),
                kana: "ヤマダ タロウ".into(),
                birth_date: format!("{}-04-12", BIRTH_YEARS[i]),
                sex: Sex::Female,
                relationship: rel,
                myna_hoken: None,
                card_expires_on: None,
            }
            .validate(today())
            .unwrap();
            let records = kinds
                .iter()
                .map(|k| {
                    RecordForm {
                        kind: *k,
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
                    .validate(today())
                    .unwrap()
                })
                .collect();
            (m, records)
        })
        .collect()
}

fn write_encrypted(path: &Path) {
    let mut store = Store::open(path, &MemoryKeyStore::new(KEK)).unwrap();
    for (m, records) in household() {
        let id = store.add_member(&m).unwrap();
        for r in records {
            store
                .put_record(
                    id,
                    &r,
                    &Provenance::HandEntered {
                        entered_at: Utc::now(),
                    },
                )
                .unwrap();
        }
    }
}

const PLAIN_SCHEMA: &str = "
    PRAGMA journal_mode = WAL;
    CREATE TABLE members (id TEXT PRIMARY KEY, ordinal INTEGER NOT NULL, relationship INTEGER NOT NULL, data BLOB NOT NULL);
    CREATE TABLE records (id TEXT PRIMARY KEY, member_id TEXT NOT NULL, kind INTEGER NOT NULL, data BLOB NOT NULL);
    CREATE INDEX records_member ON records(member_id);";

fn write_plain(path: &Path) {
    let conn = Connection::open(path).unwrap();
    conn.execute_batch(PLAIN_SCHEMA).unwrap();
    for (i, (m, records)) in household().into_iter().enumerate() {
        let id = format!("m{i}");
        conn.execute(
            "INSERT INTO members VALUES (?1, ?2, ?3, ?4)",
            params![
                id,
                i as i64,
                m.relationship.code(),
                serde_json::to_vec(&m).unwrap()
            ],
        )
        .unwrap();
        for (j, r) in records.iter().enumerate() {
            conn.execute(
                "INSERT INTO records VALUES (?1, ?2, ?3, ?4)",
                params![
                    format!("r{i}{j}"),
                    id,
                    r.kind.code(),
                    serde_json::to_vec(r).unwrap()
                ],
            )
            .unwrap();
        }
    }
}

/// Opens the store and reads every member and each member's records, all in one read
/// transaction, as the app reads the household after a launch (`HouseholdSnapshot::read`).
fn read_encrypted(path: &Path) -> usize {
    let store = Store::open(path, &MemoryKeyStore::new(KEK)).unwrap();
    store
        .read_consistent(|s| {
            let mut n = 0;
            for m in &s.household()?.members {
                n += s.records(m.id)?.records.len();
            }
            Ok(n)
        })
        .unwrap()
}

/// The same reads, each in its own transaction (the benchmark's pattern before the household
/// was read in one).
fn read_encrypted_autocommit(path: &Path) -> usize {
    let store = Store::open(path, &MemoryKeyStore::new(KEK)).unwrap();
    let hh = store.household().unwrap();
    let mut n = 0;
    for m in &hh.members {
        n += store.records(m.id).unwrap().records.len();
    }
    n
}

/// The same reads from the plaintext table: every member, then each member's records, in one
/// read transaction, every payload parsed into the core's types.
fn read_plain(path: &Path) -> usize {
    let conn = Connection::open(path).unwrap();
    conn.execute_batch(
        "PRAGMA secure_delete = ON; PRAGMA temp_store = MEMORY; PRAGMA foreign_keys = ON;
         BEGIN;",
    )
    .unwrap();
    let mut members = conn
        .prepare("SELECT id, data FROM members ORDER BY ordinal")
        .unwrap();
    let rows: Vec<(String, MemberData)> = members
        .query_map([], |r| {
            let data: Vec<u8> = r.get(1)?;
            Ok((r.get(0)?, serde_json::from_slice(&data).unwrap()))
        })
        .unwrap()
        .map(Result::unwrap)
        .collect();
    let mut stmt = conn
        .prepare("SELECT data FROM records WHERE member_id = ?1 ORDER BY rowid")
        .unwrap();
    let mut n = 0;
    for (id, _m) in &rows {
        let recs: Vec<EligibilityRecord> = stmt
            .query_map([id], |r| {
                let data: Vec<u8> = r.get(0)?;
                Ok(serde_json::from_slice(&data).unwrap())
            })
            .unwrap()
            .map(Result::unwrap)
            .collect();
        n += recs.len();
    }
    drop(stmt);
    drop(members);
    conn.execute_batch("COMMIT").unwrap();
    n
}

/// Opens the store, reads one snapshot and builds the overview and every member's screen, as
/// the app does after a launch (the FFI's `Household.overview_with_screens`: the overview, then
/// every screen taken by value).
fn read_and_build_screens(path: &Path) -> (usize, usize) {
    let store = Store::open(path, &MemoryKeyStore::new(KEK)).unwrap();
    let snapshot = HouseholdSnapshot::read(&store, chrono::Utc::now()).unwrap();
    let overview = snapshot.overview().unwrap();
    let mut fields = 0;
    for screen in snapshot.into_member_screens() {
        fields += screen
            .unwrap()
            .sections
            .iter()
            .map(|s| s.fields.len())
            .sum::<usize>();
    }
    (overview.members.len(), fields)
}

/// The household as a sync leaves it (the demo's path): each member's マイナポータル record
/// signed by the issuer and bound to a card, the trust list and its pinned root in the sync
/// state. The screens check every signed record at `Utc::now()` (its signature verified in
/// full the first time in the process, then looked up: `forget_verified_signatures`).
fn write_signed(path: &Path) {
    let now = Utc::now();
    let issuer = key("issuer");
    let root = key("root");
    let trust = trust_list(&issuer, "issuer-1", now, 10);
    let trust_bytes = trust.sign(&root).unwrap();
    let mut store = Store::open(path, &MemoryKeyStore::new(KEK)).unwrap();
    for (i, (m, records)) in household().into_iter().enumerate() {
        let mut record = records[1].clone();
        record.valid_from = None;
        record.valid_until = None;
        let doc = EligibilityDocument {
            household_id: "hh-bench".into(),
            person_id: format!("p-{i}"),
            version: 1,
            issued_at: now - Duration::days(1),
            valid_until: now + Duration::days(365),
            person: m.clone(),
            record: record.clone(),
            holder_binding: Some([i as u8; 32]),
        };
        let signed = sign_document(&doc, &issuer, "issuer-1").unwrap();
        let v = verify_document(&signed, &trust, now).unwrap();
        let id = store.add_member(&m).unwrap();
        store.put_record(id, &record, &v.provenance()).unwrap();
    }
    store
        .write(|b| {
            b.set_sync_state(&SyncState {
                trust_list: Some(trust_bytes),
                root_key: Some(
                    root.verifying_key()
                        .to_encoded_point(true)
                        .as_bytes()
                        .to_vec(),
                ),
                last_success: Some(now - Duration::hours(1)),
                ..SyncState::default()
            })
        })
        .unwrap();
}

/// Every record section of every screen of the signed household says 発行元の署名を確認済み
/// (`ProvenanceState::Verified`), so the benchmark measures the verifying path, not a fallback.
fn assert_signed_screens_verify(path: &Path, now: DateTime<Utc>) {
    let store = Store::open(path, &MemoryKeyStore::new(KEK)).unwrap();
    let snapshot = HouseholdSnapshot::read(&store, now).unwrap();
    for screen in snapshot.into_member_screens() {
        let screen = screen.unwrap();
        let states: Vec<_> = screen
            .sections
            .iter()
            .filter_map(|s| s.provenance)
            .collect();
        assert_eq!(
            states,
            [shikaku_core::screen::ProvenanceState::Verified],
            "{}",
            screen.name
        );
    }
}

/// The household written to a store and to a plaintext table, in a directory that lives as long
/// as the returned handle: (directory, store, plaintext database).
fn databases() -> (tempfile::TempDir, PathBuf, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let enc = dir.path().join("enc.db");
    let plain = dir.path().join("plain.db");
    write_encrypted(&enc);
    write_plain(&plain);
    assert_eq!(read_encrypted(&enc), 18);
    assert_eq!(read_plain(&plain), 18);
    assert_eq!(read_encrypted_autocommit(&enc), 18);
    (dir, enc, plain)
}

fn bench(c: &mut Criterion) {
    let (_dir, enc, plain) = databases();
    let mut g = c.benchmark_group("household_6x3");
    g.bench_function("encrypted_open_and_read", |b| {
        b.iter(|| black_box(read_encrypted(&enc)))
    });
    g.bench_function("plaintext_open_and_read", |b| {
        b.iter(|| black_box(read_plain(&plain)))
    });
    // What the app shows after a launch: the overview and every member's screen, built from
    // one read of the household (`HouseholdSnapshot`).
    g.bench_function("encrypted_open_and_read_autocommit", |b| {
        b.iter(|| black_box(read_encrypted_autocommit(&enc)))
    });
    g.bench_function("encrypted_open_read_and_build_screens", |b| {
        b.iter(|| black_box(read_and_build_screens(&enc)))
    });
    // The demo's path: six issuer-signed records, each re-verified for its screen. The first
    // snapshot after a launch verifies every signature in full; a later one finds them
    // verified already (`forget_verified_signatures` empties what the process remembers).
    let signed = _dir.path().join("signed.db");
    write_signed(&signed);
    assert_signed_screens_verify(&signed, Utc::now());
    g.bench_function("signed_open_read_and_build_screens", |b| {
        b.iter(|| {
            forget_verified_signatures();
            black_box(read_and_build_screens(&signed))
        })
    });
    g.bench_function("signed_open_read_and_build_screens_again", |b| {
        b.iter(|| black_box(read_and_build_screens(&signed)))
    });
    g.bench_function("encrypted_open_only", |b| {
        b.iter(|| black_box(Store::open(&enc, &MemoryKeyStore::new(KEK)).unwrap()))
    });
    g.bench_function("plaintext_open_only", |b| {
        b.iter(|| {
            let c = Connection::open(&plain).unwrap();
            c.execute_batch(
                "PRAGMA secure_delete = ON; PRAGMA temp_store = MEMORY; PRAGMA foreign_keys = ON;",
            )
            .unwrap();
            let n: i64 = c
                .query_row("SELECT count(*) FROM members", [], |r| r.get(0))
                .unwrap();
            black_box(n)
        })
    });
    g.finish();

    let rounds = support::rounds(2_000);
    let open_read = paired(
        rounds,
        1,
        || {
            black_box(read_encrypted(&enc));
        },
        || {
            black_box(read_plain(&plain));
        },
    );
    let screens = paired(
        rounds,
        1,
        || {
            black_box(read_and_build_screens(&enc));
        },
        || {
            black_box(read_plain(&plain));
        },
    );
    pairs_table(
        "household_6x3",
        rounds,
        "≤ 1.2× for open + read, ≤ 2× for the screens",
        &[
            ("open + read", open_read),
            (
                "open + read + every screen (against the plaintext read)",
                screens,
            ),
        ],
    );
}

/// `--serve`: the household written once, then turns on request (`support/serve.rs`).
fn serve_rounds() {
    let (_dir, enc, plain) = databases();
    serve::serve(&mut [
        ("shikaku", &mut || {
            black_box(read_encrypted(&enc));
        }),
        ("shikaku_screens", &mut || {
            black_box(read_and_build_screens(&enc));
        }),
        ("plaintext", &mut || {
            black_box(read_plain(&plain));
        }),
    ]);
}

criterion_group!(benches, bench);

fn main() {
    if serve::requested() {
        serve_rounds();
    } else {
        // What `criterion_main!(benches)` expands to.
        benches();
        Criterion::default().configure_from_args().final_summary();
    }
}
