//! The desk's visit log against the bytes on disk: every way of changing the file with plain
//! SQLite (an edited, reordered, removed middle or removed last entry, an added row, a head
//! rolled back) is reported by `verify_log` at the first bad position.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::Path;

use chrono::{DateTime, Duration, Utc};
use rusqlite::{Connection, params};
use shikaku_core::clinic::{DESK_FILE, DeclarationForm, DeskStore, LogCheck, LogProblem};
use shikaku_core::eligibility::{Relationship, Sex};
use shikaku_core::store::MemoryKeyStore;

const KEK: [u8; 32] = [11; 32];

fn form(n: u32) -> DeclarationForm {
    DeclarationForm {
        name: format!("患者 {n}"),
        kana: Some("カンジャ".into()),
        birth_date: "1960-01-02".into(),
        sex: Some(Sex::Female),
        relationship: Some(Relationship::Insured),
        insurer_name: "全国健康保険協会".into(),
        insurer_number: Some("01130012".into()),
        symbol: Some("12".into()),
        number: Some(format!("{}", 1000 + n)),
        branch: Some("00".into()),
        copay_percent: Some(30),
    }
}

fn start() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2026-11-20T00:00:00Z")
        .unwrap()
        .with_timezone(&Utc)
}

fn open(dir: &Path) -> DeskStore {
    DeskStore::open(dir, &MemoryKeyStore::new(KEK)).unwrap()
}

/// A desk with 5 entries over 3 days; returns the sealed head after 3 entries.
fn five(dir: &Path) -> Vec<u8> {
    let mut desk = open(dir);
    let mut head3 = Vec::new();
    for n in 1..=5u32 {
        let at = start() + Duration::hours(i64::from(n) * 20);
        desk.declare(&form(n), "受付", at).unwrap();
        if n == 3 {
            head3 = sql(dir)
                .query_row(
                    "SELECT value FROM desk_meta WHERE key = 'log_head'",
                    [],
                    |r| r.get(0),
                )
                .unwrap();
        }
    }
    assert!(matches!(
        desk.verify_log().unwrap(),
        LogCheck::Intact { entries: 5, .. }
    ));
    head3
}

fn sql(dir: &Path) -> Connection {
    Connection::open(dir.join(DESK_FILE)).unwrap()
}

fn check(dir: &Path) -> LogCheck {
    open(dir).verify_log().unwrap()
}

fn broken(position: u64, problem: LogProblem) -> LogCheck {
    LogCheck::Broken { position, problem }
}

/// Runs `tamper` on a fresh 5-entry log and returns what `verify_log` says.
fn after(tamper: impl FnOnce(&Connection, &[u8])) -> LogCheck {
    let dir = tempfile::tempdir().unwrap();
    let head3 = five(dir.path());
    {
        let c = sql(dir.path());
        tamper(&c, &head3);
    }
    check(dir.path())
}

#[test]
fn an_edited_entry_is_detected() {
    let flip = |c: &Connection, _: &[u8]| {
        let mut data: Vec<u8> = c
            .query_row("SELECT data FROM visits WHERE seq = 3", [], |r| r.get(0))
            .unwrap();
        let last = data.len() - 1;
        data[last] ^= 1;
        c.execute("UPDATE visits SET data = ?1 WHERE seq = 3", [data])
            .unwrap();
    };
    assert_eq!(after(flip), broken(3, LogProblem::Altered));
    // The index columns are covered too: moving an entry to another day is a change.
    let move_day = |c: &Connection, _: &[u8]| {
        c.execute(
            "UPDATE visits SET day = (SELECT day FROM visits WHERE seq = 1) WHERE seq = 2",
            [],
        )
        .unwrap();
    };
    assert_eq!(after(move_day), broken(2, LogProblem::Altered));
    let unlink_patient = |c: &Connection, _: &[u8]| {
        c.execute("UPDATE visits SET patient = NULL WHERE seq = 4", [])
            .unwrap();
    };
    assert_eq!(after(unlink_patient), broken(4, LogProblem::Altered));
    // Replacing an entry by another one, with its own valid link, does not fit either.
    let replace = |c: &Connection, _: &[u8]| {
        c.execute(
            "UPDATE visits SET (day, patient, data, hash) =
               (SELECT day, patient, data, hash FROM visits WHERE seq = 4) WHERE seq = 5",
            [],
        )
        .unwrap();
    };
    assert_eq!(after(replace), broken(5, LogProblem::Altered));
}

#[test]
fn reordered_entries_are_detected() {
    let swap = |c: &Connection, _: &[u8]| {
        c.execute_batch(
            "UPDATE visits SET seq = 100 WHERE seq = 3;
             UPDATE visits SET seq = 3 WHERE seq = 4;
             UPDATE visits SET seq = 4 WHERE seq = 100;",
        )
        .unwrap();
    };
    assert_eq!(after(swap), broken(3, LogProblem::Altered));
}

#[test]
fn a_removed_middle_entry_is_detected() {
    let remove = |c: &Connection, _: &[u8]| {
        c.execute("DELETE FROM visits WHERE seq = 2", []).unwrap();
    };
    assert_eq!(after(remove), broken(2, LogProblem::Missing));
    // Closing the gap does not hide it.
    let renumber = |c: &Connection, _: &[u8]| {
        c.execute_batch(
            "DELETE FROM visits WHERE seq = 2;
             UPDATE visits SET seq = seq - 1 WHERE seq > 2;",
        )
        .unwrap();
    };
    assert_eq!(after(renumber), broken(2, LogProblem::Altered));
}

#[test]
fn a_removed_last_entry_is_detected() {
    let remove = |c: &Connection, _: &[u8]| {
        c.execute("DELETE FROM visits WHERE seq = 5", []).unwrap();
    };
    assert_eq!(after(remove), broken(5, LogProblem::Missing));
    let remove_two = |c: &Connection, _: &[u8]| {
        c.execute("DELETE FROM visits WHERE seq >= 4", []).unwrap();
    };
    assert_eq!(after(remove_two), broken(4, LogProblem::Missing));
}

#[test]
fn added_rows_and_a_rolled_back_or_damaged_head_are_detected() {
    let extra = |c: &Connection, _: &[u8]| {
        c.execute(
            "INSERT INTO visits (seq, day, patient, data, hash)
             SELECT 6, day, patient, data, hash FROM visits WHERE seq = 5",
            [],
        )
        .unwrap();
    };
    assert_eq!(after(extra), broken(6, LogProblem::Unexpected));
    let rollback = |c: &Connection, head3: &[u8]| {
        c.execute(
            "UPDATE desk_meta SET value = ?1 WHERE key = 'log_head'",
            params![head3],
        )
        .unwrap();
    };
    assert_eq!(after(rollback), broken(4, LogProblem::Unexpected));
    let damage = |c: &Connection, _: &[u8]| {
        c.execute(
            "UPDATE desk_meta SET value = zeroblob(60) WHERE key = 'log_head'",
            [],
        )
        .unwrap();
    };
    assert_eq!(after(damage), broken(0, LogProblem::HeadUnreadable));
}

#[test]
fn an_untouched_log_stays_intact_across_reopen() {
    let dir = tempfile::tempdir().unwrap();
    five(dir.path());
    let LogCheck::Intact { entries, head } = check(dir.path()) else {
        panic!("intact")
    };
    assert_eq!(entries, 5);
    assert_eq!(head.len(), 64);
    let mut desk = open(dir.path());
    desk.declare(&form(6), "受付", start() + Duration::days(10))
        .unwrap();
    let LogCheck::Intact { entries, head: h2 } = desk.verify_log().unwrap() else {
        panic!("intact")
    };
    assert_eq!(entries, 6);
    assert_ne!(h2, head);
}

#[test]
fn an_older_desk_is_marked_3_and_a_newer_desk_is_refused_untouched() {
    let dir = tempfile::tempdir().unwrap();
    five(dir.path());
    let version = || -> u32 {
        sql(dir.path())
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .unwrap()
    };
    assert_eq!(version(), shikaku_core::clinic::DESK_SCHEMA_VERSION);
    // A desk written by a build of version 1 or 2: opened, marked 3 (version 3 may hold the
    // 券面目視 card check), its log intact.
    for older in [1u32, 2] {
        sql(dir.path())
            .pragma_update(None, "user_version", older)
            .unwrap();
        let desk = open(dir.path());
        assert!(matches!(
            desk.verify_log().unwrap(),
            LogCheck::Intact { .. }
        ));
        drop(desk);
        assert_eq!(version(), 3);
    }
    // A desk of a newer build: refused, nothing written.
    sql(dir.path())
        .pragma_update(None, "user_version", 4u32)
        .unwrap();
    let before = std::fs::read(dir.path().join(DESK_FILE)).unwrap();
    let err = DeskStore::open(dir.path(), &MemoryKeyStore::new(KEK)).unwrap_err();
    assert!(
        matches!(
            err,
            shikaku_core::store::StoreError::SchemaTooNew {
                found: 4,
                supported: 3
            }
        ),
        "{err:?}"
    );
    assert_eq!(std::fs::read(dir.path().join(DESK_FILE)).unwrap(), before);
    assert_eq!(version(), 4);
}
