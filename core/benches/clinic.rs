//! The clinic desk's visit log at 100,000 entries, each measurement beside the same work on a
//! plaintext SQLite table (same rows as JSON, same indexes, same durability) in the same run:
//! append one entry (durable), a day's visits, a patient's last visit, verify the chain.
//!
//! `cargo bench -p shikaku-core --bench clinic`
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use std::hint::black_box;
use std::path::Path;
use std::time::Duration as StdDuration;

use chrono::{DateTime, Duration, NaiveDate, Utc};
use criterion::{Criterion, criterion_group, criterion_main};
use rusqlite::{Connection, OptionalExtension, params};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use shikaku_core::clinic::{Declaration, DeclarationForm, DeskStore, LogCheck};
use shikaku_core::clock::japan_today;
use shikaku_core::eligibility::InsurerNumber;
use shikaku_core::store::MemoryKeyStore;

const KEK: [u8; 32] = [21; 32];
const ENTRIES: u64 = 100_000;
/// 50 visits a day, about 5.5 years of a busy clinic.
const PER_DAY: u64 = 50;
const PATIENTS: u64 = 20_000;

fn base() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2021-01-04T00:00:00Z")
        .unwrap()
        .with_timezone(&Utc)
}

fn at(i: u64) -> DateTime<Utc> {
    let day = i / PER_DAY;
    let slot = i % PER_DAY;
    base() + Duration::days(day as i64) + Duration::minutes(slot as i64 * 10)
}

fn form(i: u64) -> DeclarationForm {
    DeclarationForm {
        name: format!("患者 {}", i % PATIENTS),
        kana: Some("カンジャ タロウ".into()),
        birth_date: "1960-01-02".into(),
        sex: None,
        relationship: None,
        insurer_name: "全国健康保険協会 東京支部".into(),
        insurer_number: Some("01130012".into()),
        symbol: Some("7340155".into()),
        number: Some(format!("{}", 100_000 + i % PATIENTS)),
        branch: Some("00".into()),
        copay_percent: Some(30),
    }
}

/// The plaintext row: the same content the desk seals.
#[derive(Serialize, Deserialize)]
struct PlainEntry {
    recorded_at: DateTime<Utc>,
    operator: String,
    body: Declaration,
}

fn build_encrypted(dir: &Path) -> DeskStore {
    let mut desk = DeskStore::open(dir, &MemoryKeyStore::new(KEK)).unwrap();
    let t = std::time::Instant::now();
    desk.write(|b| {
        for i in 0..ENTRIES {
            b.declare(&form(i), "受付 花子", at(i))?;
        }
        Ok(())
    })
    .unwrap();
    eprintln!("built the encrypted log of {ENTRIES} in {:?}", t.elapsed());
    desk
}

fn plain_row(i: u64) -> (String, String, Vec<u8>) {
    let now = at(i);
    let d = form(i).validate(japan_today(now)).unwrap();
    let key = format!(
        "{}|{}|{}|{}",
        "01130012",
        "7340155",
        d.number.clone().unwrap(),
        "00"
    );
    let data = serde_json::to_vec(&PlainEntry {
        recorded_at: now,
        operator: "受付 花子".into(),
        body: d,
    })
    .unwrap();
    (japan_today(now).to_string(), key, data)
}

fn build_plain(path: &Path) -> Connection {
    let mut c = Connection::open(path).unwrap();
    c.execute_batch(
        "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; PRAGMA secure_delete = ON;
         CREATE TABLE visits (seq INTEGER PRIMARY KEY, day TEXT NOT NULL, patient TEXT,
                              data BLOB NOT NULL, hash BLOB NOT NULL) STRICT;
         CREATE INDEX visits_day ON visits(day, seq);
         CREATE INDEX visits_patient ON visits(patient, seq);",
    )
    .unwrap();
    let tx = c.transaction().unwrap();
    let mut prev = [0u8; 32];
    for i in 0..ENTRIES {
        let (day, patient, data) = plain_row(i);
        let h = plain_link(&prev, i + 1, &data);
        tx.execute(
            "INSERT INTO visits VALUES (?1, ?2, ?3, ?4, ?5)",
            params![(i + 1) as i64, day, patient, data, h.as_slice()],
        )
        .unwrap();
        prev = h;
    }
    tx.commit().unwrap();
    c
}

fn plain_link(prev: &[u8], seq: u64, data: &[u8]) -> [u8; 32] {
    let mut h = Sha256::new();
    h.update(prev);
    h.update(seq.to_be_bytes());
    h.update(data);
    h.finalize().into()
}

fn plain_day(c: &Connection, day: NaiveDate) -> usize {
    let mut stmt = c
        .prepare_cached("SELECT seq, data FROM visits WHERE day = ?1 ORDER BY seq")
        .unwrap();
    stmt.query_map([day.to_string()], |r| {
        let data: Vec<u8> = r.get(1)?;
        Ok(serde_json::from_slice::<PlainEntry>(&data).unwrap())
    })
    .unwrap()
    .map(Result::unwrap)
    .count()
}

fn plain_last(c: &Connection, number: &str) -> Option<PlainEntry> {
    c.prepare_cached("SELECT data FROM visits WHERE patient = ?1 ORDER BY seq DESC LIMIT 1")
        .unwrap()
        .query_row([format!("01130012|7340155|{number}|00")], |r| {
            let data: Vec<u8> = r.get(0)?;
            Ok(serde_json::from_slice::<PlainEntry>(&data).unwrap())
        })
        .optional()
        .unwrap()
}

fn plain_verify(c: &Connection) -> u64 {
    let mut stmt = c
        .prepare_cached("SELECT seq, data, hash FROM visits ORDER BY seq")
        .unwrap();
    let mut rows = stmt.query([]).unwrap();
    let mut prev = [0u8; 32];
    let mut n = 0;
    while let Some(r) = rows.next().unwrap() {
        let seq: i64 = r.get(0).unwrap();
        let data = r.get_ref(1).unwrap().as_blob().unwrap();
        let hash = r.get_ref(2).unwrap().as_blob().unwrap();
        let l = plain_link(&prev, seq as u64, data);
        assert_eq!(l.as_slice(), hash);
        prev = l;
        n += 1;
    }
    n
}

fn bench(c: &mut Criterion) {
    let dir = tempfile::tempdir().unwrap();
    let mut desk = build_encrypted(&dir.path().join("clinic"));
    let t = std::time::Instant::now();
    let plain = build_plain(&dir.path().join("plain.db"));
    eprintln!("built the plaintext log in {:?}", t.elapsed());

    let day = japan_today(at(ENTRIES / 2));
    let insurer = InsurerNumber::parse("01130012").unwrap();
    let number = format!("{}", 100_000 + 1234);
    assert_eq!(desk.visits_on(day).unwrap().entries.len(), PER_DAY as usize);
    assert_eq!(plain_day(&plain, day), PER_DAY as usize);
    let last = desk
        .last_visit(&insurer, Some("7340155"), &number, Some("00"))
        .unwrap()
        .unwrap();
    assert_eq!(last.position, ENTRIES - PATIENTS + 1234 + 1);
    assert!(plain_last(&plain, &number).is_some());

    let mut g = c.benchmark_group("clinic_log_100k");
    g.bench_function("encrypted_day_visits", |b| {
        b.iter(|| black_box(desk.visits_on(day).unwrap().entries.len()))
    });
    g.bench_function("plaintext_day_visits", |b| {
        b.iter(|| black_box(plain_day(&plain, day)))
    });
    g.bench_function("encrypted_patient_last_visit", |b| {
        b.iter(|| {
            black_box(
                desk.last_visit(&insurer, Some("7340155"), &number, Some("00"))
                    .unwrap(),
            )
        })
    });
    g.bench_function("plaintext_patient_last_visit", |b| {
        b.iter(|| black_box(plain_last(&plain, &number)))
    });
    g.sample_size(10)
        .measurement_time(StdDuration::from_secs(20));
    g.bench_function("encrypted_verify_chain", |b| {
        b.iter(|| {
            let LogCheck::Intact { entries, .. } = desk.verify_log().unwrap() else {
                panic!("intact")
            };
            black_box(entries)
        })
    });
    g.bench_function("plaintext_verify_chain", |b| {
        b.iter(|| black_box(plain_verify(&plain)))
    });
    g.sample_size(30)
        .measurement_time(StdDuration::from_secs(10));
    let mut i = ENTRIES;
    g.bench_function("encrypted_append_durable", |b| {
        b.iter(|| {
            i += 1;
            black_box(desk.declare(&form(i), "受付 花子", at(i)).unwrap())
        })
    });
    let mut j = ENTRIES;
    let mut prev: [u8; 32] = plain
        .query_row(
            "SELECT hash FROM visits ORDER BY seq DESC LIMIT 1",
            [],
            |r| {
                let v: Vec<u8> = r.get(0)?;
                Ok(v.try_into().unwrap())
            },
        )
        .unwrap();
    g.bench_function("plaintext_append_durable", |b| {
        b.iter(|| {
            j += 1;
            let (day, patient, data) = plain_row(j);
            let h = plain_link(&prev, j, &data);
            plain
                .execute(
                    "INSERT INTO visits VALUES (?1, ?2, ?3, ?4, ?5)",
                    params![j as i64, day, patient, data, h.as_slice()],
                )
                .unwrap();
            prev = h;
        })
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
