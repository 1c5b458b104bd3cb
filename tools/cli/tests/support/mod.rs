//! Helpers shared by the CLI's integration tests.

use std::collections::BTreeMap;
use std::path::Path;

/// The data of a store's directory: every file's bytes, except what a session that only read
/// leaves beside the database — an empty `-wal`, kept for the next open instead of deleted
/// (ADR 0001, ADR 0013) — and a `-shm` index (frame counters and hashes, no data; the
/// household store keeps its index in memory and makes none). A `-wal` holding anything is
/// data and is compared. "Changed nothing" compares two of these.
pub fn snapshot(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| {
            let name = p.display().to_string();
            let empty = std::fs::metadata(p).is_ok_and(|m| m.len() == 0);
            !(name.ends_with("-shm") || name.ends_with("-wal") && empty)
        })
        .map(|p| (p.display().to_string(), std::fs::read(&p).unwrap()))
        .collect()
}
