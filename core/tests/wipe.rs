//! Wiping overwrites before it unlinks: a second name (hard link) of the store's files, taken
//! before the wipe, finds only zeros afterwards — no wrapped data key, no sealed rows.
#![cfg(unix)]
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::*;
use shikaku_core::eligibility::{Relationship, Sex};
use shikaku_core::store::{MemoryKeyStore, Store};

const KEK: [u8; 32] = [9; 32];

fn links_to_store_files(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let keep = dir.join("kept");
    std::fs::create_dir(&keep).unwrap();
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_file() {
            let link = keep.join(p.file_name().unwrap());
            std::fs::hard_link(&p, &link).unwrap();
            out.push(link);
        }
    }
    out
}

/// Every kept database and WAL file is zeros. (The -shm index holds frame counters and hashes,
/// no data; SQLite deletes it itself.)
fn assert_all_zero(files: &[std::path::PathBuf]) {
    assert!(!files.is_empty());
    for f in files
        .iter()
        .filter(|f| !f.to_string_lossy().ends_with("-shm"))
    {
        let bytes = std::fs::read(f).unwrap();
        assert!(!bytes.is_empty(), "{}", f.display());
        assert!(
            bytes.iter().all(|&b| b == 0),
            "{} not overwritten",
            f.display()
        );
    }
}

fn store_with_a_member(path: &std::path::Path) -> Store {
    let mut s = Store::open(path, &MemoryKeyStore::new(KEK)).unwrap();
    for (data, records) in family() {
        let id = s.add_member(&data).unwrap();
        for r in records {
            s.put_record(
                id,
                &r,
                &shikaku_core::eligibility::Provenance::HandEntered {
                    entered_at: chrono::Utc::now(),
                },
            )
            .unwrap();
        }
    }
    s.add_member(&member(
        "A B",
        "ア",
        "2000-01-01",
        Sex::Other,
        Relationship::Insured,
    ))
    .unwrap();
    s
}

#[test]
fn destroy_overwrites_the_wrapped_key_and_rows_before_unlinking() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("s.db");
    drop(store_with_a_member(&path));
    let kept = links_to_store_files(dir.path());
    Store::destroy(&path).unwrap();
    assert!(!path.exists());
    assert_all_zero(&kept);
}

#[test]
fn wipe_overwrites_too() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("s.db");
    let s = store_with_a_member(&path);
    let kept = links_to_store_files(dir.path());
    s.wipe().unwrap();
    assert!(!path.exists());
    assert_all_zero(&kept);
}
