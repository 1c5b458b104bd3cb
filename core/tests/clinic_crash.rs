//! Crash consistency of the visit log: a child process appends 申立 entries in a loop and is
//! SIGKILLed at random points; after every kill the log must open, verify intact, and hold
//! every entry it held before (an append is one durable transaction).
//!
//! Runs without the test harness: `main` is the parent; with `SHIKAKU_DESK_CRASH_DIR` set, the
//! same binary is the writer child.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Duration;

use chrono::Utc;
use rand_core::{OsRng, RngCore};
use shikaku_core::clinic::{DeclarationForm, DeskStore, LogCheck};
use shikaku_core::clock::japan_today;
use shikaku_core::eligibility::{Relationship, Sex};
use shikaku_core::store::MemoryKeyStore;

const KEK: [u8; 32] = [13; 32];
const KILLS: usize = 40;

fn form(n: u64) -> DeclarationForm {
    DeclarationForm {
        name: format!("世代 {n}"),
        birth_date: "1980-01-01".into(),
        insurer_name: "国民健康保険".into(),
        insurer_number: Some("01130012".into()),
        number: Some(n.to_string()),
        sex: Some(Sex::Other),
        relationship: Some(Relationship::Insured),
        ..Default::default()
    }
}

fn child(dir: &Path) {
    let mut desk = DeskStore::open(dir, &MemoryKeyStore::new(KEK)).unwrap();
    let mut n = desk.log_len().unwrap();
    loop {
        n += 1;
        // Every other append is a two-entry batch: it lands whole or not at all.
        if n.is_multiple_of(2) {
            desk.write(|b| {
                b.declare(&form(n), "受付", Utc::now())?;
                b.declare(&form(n + 1), "受付", Utc::now())
            })
            .unwrap();
            n += 1;
        } else {
            desk.declare(&form(n), "受付", Utc::now()).unwrap();
        }
    }
}

/// Opens the log after a kill: intact, and every entry's number equals its position.
fn observe(dir: &Path) -> u64 {
    let desk = DeskStore::open(dir, &MemoryKeyStore::new(KEK)).expect("opens after a kill");
    let LogCheck::Intact { entries, .. } = desk.verify_log().unwrap() else {
        panic!("the log does not verify after a kill")
    };
    let today = japan_today(Utc::now());
    let list = desk
        .visits_between(today.pred_opt().unwrap(), today)
        .unwrap();
    assert!(list.corrupt.is_empty());
    assert_eq!(list.entries.len() as u64, entries, "every entry readable");
    for e in &list.entries {
        let shikaku_core::clinic::EntryKind::Declared(d) = &e.kind else {
            panic!("declared")
        };
        assert_eq!(d.number.as_deref(), Some(e.position.to_string().as_str()));
    }
    entries
}

fn main() {
    if let Ok(dir) = std::env::var("SHIKAKU_DESK_CRASH_DIR") {
        child(Path::new(&dir));
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    DeskStore::open(dir.path(), &MemoryKeyStore::new(KEK)).unwrap();
    let exe = std::env::current_exe().unwrap();
    let mut last = 0u64;
    let mut advanced = 0;
    for kill in 0..KILLS {
        let mut child = Command::new(&exe)
            .env("SHIKAKU_DESK_CRASH_DIR", dir.path())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let wait_ms = 5 + u64::from(OsRng.next_u32() % 120);
        std::thread::sleep(Duration::from_millis(wait_ms));
        child.kill().unwrap(); // SIGKILL on Unix
        child.wait().unwrap();
        let n = observe(dir.path());
        assert!(n >= last, "kill {kill}: went back from {last} to {n}");
        if n > last {
            advanced += 1;
        }
        last = n;
    }
    assert!(
        advanced >= KILLS / 2,
        "the writer made progress in only {advanced} of {KILLS} runs"
    );
    println!("clinic_crash: {KILLS} kills, {last} entries, progress in {advanced} runs");
    println!("clinic_crash: 1 passed, 0 failed");
}
