//! A gap or a change in the desk's visit log is never silent (docs/clinic.md, "The visit
//! log"): `clinic log` in every format checks the whole chain and, when it is broken, still
//! writes the listing but marks it incomplete, tells the receptionist in Japanese where, and
//! exits 1; `clinic declare` refuses to extend it.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};
use std::process::Output;

mod desk_support;
use desk_support::desk_command;
const ENTRIES: u64 = 8;

fn run(desk: &Path, args: &[&str]) -> Output {
    desk_command(desk)
        .args(args)
        .env_remove("SHIKAKU_NEW_PASSPHRASE")
        .output()
        .unwrap()
}

fn stdout(o: &Output) -> String {
    String::from_utf8(o.stdout.clone()).unwrap()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn declare(desk: &Path, number: &str) -> Output {
    run(
        desk,
        &[
            "declare",
            "--name",
            "佐藤 一郎",
            "--birth",
            "1970-05-06",
            "--sex",
            "male",
            "--relationship",
            "self",
            "--insurer-name",
            "株式会社サンプル",
            "--insurer-number",
            "01130012",
            "--number",
            number,
            "--operator",
            "受付 花子",
        ],
    )
}

/// A desk with [`ENTRIES`] entries recorded today, built once and copied for each tampering.
fn desk_with_entries(tmp: &Path) -> PathBuf {
    let desk = tmp.join("template").join("clinic");
    for i in 0..ENTRIES {
        let o = declare(&desk, &format!("{}", 4500 + i));
        assert!(o.status.success(), "{}", stderr(&o));
    }
    desk
}

fn copy_of(template: &Path, name: &str) -> PathBuf {
    let dir = template
        .parent()
        .unwrap()
        .parent()
        .unwrap()
        .join(name)
        .join("clinic");
    std::fs::create_dir_all(&dir).unwrap();
    for e in std::fs::read_dir(template).unwrap() {
        let e = e.unwrap();
        std::fs::copy(e.path(), dir.join(e.file_name())).unwrap();
    }
    dir
}

fn tamper(desk: &Path, sql: &str) {
    let c = rusqlite::Connection::open(desk.join("desk.db")).unwrap();
    c.execute_batch(sql).unwrap();
}

/// One byte of an entry's sealed data flipped.
fn flip_data_byte(desk: &Path, seq: i64) {
    let c = rusqlite::Connection::open(desk.join("desk.db")).unwrap();
    let mut data: Vec<u8> = c
        .query_row("SELECT data FROM visits WHERE seq = ?1", [seq], |r| {
            r.get(0)
        })
        .unwrap();
    data[40] ^= 1;
    c.execute(
        "UPDATE visits SET data = ?2 WHERE seq = ?1",
        rusqlite::params![seq, data],
    )
    .unwrap();
}

/// Every way of reading the log says it is incomplete, at `position`, and nothing is
/// appended to it.
fn every_output_says_broken(desk: &Path, position: u64, listed: usize, what_ja: &str) {
    let at = format!("記録番号 {position}");
    // Text: the notice first, then the entries that read; exit 1, the line on stderr too.
    let o = run(desk, &["log"]);
    assert_eq!(o.status.code(), Some(1), "{}", stdout(&o));
    let text = stdout(&o);
    let first = text.lines().next().unwrap();
    assert!(
        first.starts_with("【記録簿破損・出力不完全】") && first.contains(&at),
        "{text}"
    );
    assert!(first.contains(what_ja), "{first}");
    assert_eq!(text.lines().count(), 1 + listed, "{text}");
    let err = stderr(&o);
    assert!(err.contains(&at) && err.contains("incomplete"), "{err}");

    // CSV to a file: written, the marker row right after the header.
    let out = desk.parent().unwrap().join("visits.csv");
    let o = run(
        desk,
        &["log", "--format", "csv", "--out", out.to_str().unwrap()],
    );
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("marked"), "{}", stderr(&o));
    let csv = std::fs::read_to_string(&out).unwrap();
    let rows: Vec<&str> = csv.trim_start_matches('\u{FEFF}').split("\r\n").collect();
    assert!(rows[0].starts_with("受診日,"));
    let marker: Vec<&str> = rows[1].split(',').collect();
    assert!(marker[2].starts_with("記録簿破損・出力不完全：") && marker[2].contains(&at));
    assert_eq!(marker[26], position.to_string());
    assert_eq!(rows.len(), 2 + listed + 1, "header, marker, entries, empty");

    // JSON: complete false and the check.
    let o = run(desk, &["log", "--format", "json"]);
    assert_eq!(o.status.code(), Some(1));
    let j: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(j["complete"], false);
    assert_eq!(j["log_check"]["intact"], false);
    assert_eq!(j["log_check"]["position"], position);
    assert_eq!(j["entries"].as_array().unwrap().len(), listed);

    // FHIR: the notice heads the OperationOutcome; one Coverage per entry that read.
    let o = run(desk, &["log", "--format", "fhir"]);
    assert_eq!(o.status.code(), Some(1));
    let b: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    let of = |kind: &str| -> Vec<serde_json::Value> {
        b["entry"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["resource"].clone())
            .filter(|r| r["resourceType"] == kind)
            .collect()
    };
    assert_eq!(of("Coverage").len(), listed);
    let outcome = of("OperationOutcome");
    assert!(
        outcome[0]["issue"][0]["diagnostics"]
            .as_str()
            .unwrap()
            .contains(&at)
    );

    // No append onto it; the log is as it was.
    let o = declare(desk, "4999");
    assert!(!o.status.success());
    let err = stderr(&o);
    assert!(
        err.contains(&at) && err.contains("nothing was recorded"),
        "{err}"
    );
    // The way forward, in the core's words: paper, and the administrator.
    assert!(
        err.contains("この受付は紙の受付簿に記録して受付を続け、管理者に連絡してください"),
        "{err}"
    );
    let o = run(desk, &["log", "verify"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stdout(&o).contains(&format!("BROKEN at entry {position}")),
        "{}",
        stdout(&o)
    );
}

#[test]
fn a_broken_log_is_said_by_every_listing_and_never_extended() {
    let tmp = tempfile::tempdir().unwrap();
    let template = desk_with_entries(tmp.path());
    // Intact: every format exits 0 and is not marked.
    for format in ["text", "csv", "json"] {
        let o = run(&template, &["log", "--format", format]);
        assert!(o.status.success(), "{format}: {}", stderr(&o));
        assert!(!stdout(&o).contains("記録簿破損"), "{format}");
        if format == "json" {
            let j: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
            assert_eq!(j["complete"], true);
            assert_eq!(j["log_check"]["entries"], ENTRIES);
        }
    }

    // A middle entry deleted: the listing alone would show 7 entries and no damage.
    let desk = copy_of(&template, "deleted");
    tamper(&desk, "DELETE FROM visits WHERE seq = 5");
    every_output_says_broken(&desk, 5, 7, "欠落");

    // One entry's sealed bytes altered: it is also a damaged row, and said once.
    let desk = copy_of(&template, "altered");
    flip_data_byte(&desk, 3);
    every_output_says_broken(&desk, 3, 7, "改ざん");

    // One entry's day column changed: it leaves today's listing silently, unless checked.
    let desk = copy_of(&template, "moved");
    tamper(&desk, "UPDATE visits SET day = zeroblob(32) WHERE seq = 6");
    every_output_says_broken(&desk, 6, 7, "改ざん");
}
