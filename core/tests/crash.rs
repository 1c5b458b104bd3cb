//! Crash consistency: a child process rewrites the household in a loop and is SIGKILLed at
//! random points; after every kill the store must open and hold exactly the state of one
//! committed transaction, never a torn one.
//!
//! Runs without the test harness: `main` is the parent; with `SHIKAKU_CRASH_DIR` set, the same
//! binary is the writer child.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Duration;

use chrono::Utc;
use common::*;
use rand_core::{OsRng, RngCore};
use shikaku_core::eligibility::{DocumentKind, MemberId, Provenance, RecordId, Relationship, Sex};
use shikaku_core::store::{MemoryKeyStore, Store};

const KEK: [u8; 32] = [7; 32];
const KILLS: usize = 60;

fn hand() -> Provenance {
    Provenance::HandEntered {
        entered_at: Utc::now(),
    }
}

/// Every transaction writes counter `n` into the member's name, into a fixed record, and into
/// a record that is removed and re-added each time. All three must always agree.
fn write_generation(store: &mut Store, n: u64, hh_member: MemberId, fixed: RecordId) {
    store
        .write(|b| {
            let m = member(
                &format!("世代 {n}"),
                "セダイ",
                "1980-01-01",
                Sex::Other,
                Relationship::Insured,
            );
            b.update_member(hh_member, &m)?;
            let r = record(
                DocumentKind::Notice,
                "01130012",
                "1",
                &format!("{n}"),
                Relationship::Insured,
            );
            b.replace_record(fixed, &r, &hand())?;
            Ok(())
        })
        .unwrap();
    // The rolling record: a second transaction; it may lag by one generation but never tear.
    let ids = store.records(hh_member).unwrap();
    store
        .write(|b| {
            for r in ids.records.iter().filter(|r| r.id != fixed) {
                b.remove_record(r.id)?;
            }
            let r = record(
                DocumentKind::Certificate,
                "39131008",
                "2",
                &format!("{n}"),
                Relationship::Insured,
            );
            b.put_record(ids.records[0].member, &r, &hand())?;
            Ok(())
        })
        .unwrap();
}

fn child(dir: &str) {
    let path = Path::new(dir).join("s.db");
    let mut store = Store::open(&path, &MemoryKeyStore::new(KEK)).unwrap();
    let var = |k: &str| std::env::var(k).unwrap();
    let mut n: u64 = var("SHIKAKU_CRASH_START").parse().unwrap();
    let member = var("SHIKAKU_CRASH_MEMBER").parse().unwrap();
    let fixed = var("SHIKAKU_CRASH_RECORD").parse().unwrap();
    loop {
        n += 1;
        write_generation(&mut store, n, member, fixed);
    }
}

/// Reads the generation numbers (name, fixed record, rolling records) after a crash.
fn observe(path: &Path, member: MemberId, fixed: RecordId) -> (u64, u64, Vec<u64>) {
    let store = Store::open(path, &MemoryKeyStore::new(KEK)).expect("store opens after a kill");
    let hh = store.household().unwrap();
    assert!(hh.corrupt.is_empty(), "no damaged member rows");
    let m = store.member(member).unwrap();
    let name_gen: u64 = m.data.name.trim_start_matches("世代 ").parse().unwrap();
    let list = store.records(member).unwrap();
    assert!(list.corrupt.is_empty(), "no damaged record rows");
    let mut fixed_gen = 0;
    let mut rolling = Vec::new();
    for r in list.records {
        let g: u64 = r.record.number.parse().unwrap();
        if r.id == fixed {
            fixed_gen = g;
        } else {
            rolling.push(g);
        }
    }
    (name_gen, fixed_gen, rolling)
}

fn main() {
    if let Ok(dir) = std::env::var("SHIKAKU_CRASH_DIR") {
        child(&dir);
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("s.db");
    let (member_id, fixed_id) = {
        let mut store = Store::open(&path, &MemoryKeyStore::new(KEK)).unwrap();
        let m = store
            .add_member(&member(
                "世代 0",
                "セダイ",
                "1980-01-01",
                Sex::Other,
                Relationship::Insured,
            ))
            .unwrap();
        let r = store
            .put_record(
                m,
                &record(
                    DocumentKind::Notice,
                    "01130012",
                    "1",
                    "0",
                    Relationship::Insured,
                ),
                &hand(),
            )
            .unwrap();
        store
            .put_record(
                m,
                &record(
                    DocumentKind::Certificate,
                    "39131008",
                    "2",
                    "0",
                    Relationship::Insured,
                ),
                &hand(),
            )
            .unwrap();
        (m, r)
    };
    let exe = std::env::current_exe().unwrap();
    let mut last = 0u64;
    let mut advanced = 0;
    for kill in 0..KILLS {
        let mut child = Command::new(&exe)
            .env("SHIKAKU_CRASH_DIR", dir.path())
            .env("SHIKAKU_CRASH_START", last.to_string())
            .env("SHIKAKU_CRASH_MEMBER", member_id.to_string())
            .env("SHIKAKU_CRASH_RECORD", fixed_id.to_string())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let wait_ms = 5 + u64::from(OsRng.next_u32() % 120);
        std::thread::sleep(Duration::from_millis(wait_ms));
        child.kill().unwrap(); // SIGKILL on Unix
        child.wait().unwrap();
        let (name_gen, fixed_gen, rolling) = observe(&path, member_id, fixed_id);
        assert_eq!(
            name_gen, fixed_gen,
            "kill {kill}: one transaction, torn across rows"
        );
        assert_eq!(
            rolling.len(),
            1,
            "kill {kill}: rolling record lost or duplicated"
        );
        assert!(
            rolling[0] == fixed_gen || rolling[0] + 1 == fixed_gen,
            "kill {kill}: rolling record at {} while the rest is at {fixed_gen}",
            rolling[0]
        );
        assert!(
            fixed_gen >= last,
            "kill {kill}: went back from {last} to {fixed_gen}"
        );
        if fixed_gen > last {
            advanced += 1;
        }
        last = fixed_gen;
        // Keep generations consistent for the next child: it continues from the stored state.
        if rolling[0] != fixed_gen {
            let mut store = Store::open(&path, &MemoryKeyStore::new(KEK)).unwrap();
            write_generation(&mut store, fixed_gen + 1, member_id, fixed_id);
            last = fixed_gen + 1;
        }
    }
    assert!(
        advanced >= KILLS / 2,
        "the writer made progress in only {advanced} of {KILLS} runs"
    );
    println!("crash: {KILLS} kills, final generation {last}, progress in {advanced} runs");
    println!("crash: 1 passed, 0 failed");
}
