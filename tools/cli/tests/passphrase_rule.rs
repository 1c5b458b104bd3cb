//! The passphrase strength rule and the desktop Argon2id cost, through the `shikaku` binary: a
//! weak new passphrase is refused (on create and on change) with the rule in the message and
//! nothing written; what the CLI writes records at least 64 MiB and 3 passes; a store made at
//! the old cost still opens and is moved to the new cost by `passphrase change`.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::Path;
use std::process::{Command, Output};

use shikaku_core::store::{Argon2Cost, PassphraseKeyStore, Store};
use zeroize::Zeroizing;

const BIN: &str = env!("CARGO_BIN_EXE_shikaku");
/// A passphrase that meets the strength rule for a new store.
const TEST_PASSPHRASE: &str = "test household passphrase";
/// Another one, for `passphrase change`.
const NEW_PASSPHRASE: &str = "a brand new household passphrase";
/// What every refusal says (the rule, in words).
const RULE: &str = "at least 15 characters, at least 6 of them different";

fn shikaku(dir: &Path, pass: &str, new: Option<&str>, args: &[&str]) -> Output {
    let mut c = Command::new(BIN);
    c.arg("--data-dir")
        .arg(dir)
        .args(args)
        .env("SHIKAKU_PASSPHRASE", pass);
    match new {
        Some(n) => c.env("SHIKAKU_NEW_PASSPHRASE", n),
        None => c.env_remove("SHIKAKU_NEW_PASSPHRASE"),
    };
    c.output().unwrap()
}

fn add_member(dir: &Path, pass: &str) -> Output {
    shikaku(
        dir,
        pass,
        None,
        &[
            "member",
            "add",
            "--name",
            "山田 太郎",
            "--kana",
            "ヤマダ タロウ",
            "--birth",
            "1985-04-12",
            "--sex",
            "male",
            "--relationship",
            "self",
        ],
    )
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn assert_refused(o: &Output, pass: &str) {
    assert_eq!(o.status.code(), Some(1), "{}", stderr(o));
    let err = stderr(o);
    assert!(err.starts_with("error: "), "{err}");
    assert!(err.contains(RULE), "{err:?} should state the rule");
    assert!(!err.contains(pass), "{err:?} must not echo the passphrase");
}

/// The Argon2id cost of every passphrase-wrapped key blob (`SKP1` ‖ memory ‖ passes ‖ lanes,
/// little-endian) found in the store's files.
fn costs_on_disk(dir: &Path) -> Vec<(u32, u32, u32)> {
    let mut out = Vec::new();
    for name in ["shikaku.db", "shikaku.db-wal"] {
        let Ok(bytes) = std::fs::read(dir.join(name)) else {
            continue;
        };
        for i in 0..bytes.len().saturating_sub(16) {
            if &bytes[i..i + 4] == b"SKP1" {
                let w = |k: usize| {
                    u32::from_le_bytes(bytes[i + 4 + 4 * k..i + 8 + 4 * k].try_into().unwrap())
                };
                out.push((w(0), w(1), w(2)));
            }
        }
    }
    out
}

fn assert_desktop_cost(dir: &Path) {
    let costs = costs_on_disk(dir);
    assert!(!costs.is_empty(), "no wrapped key found");
    for (memory_kib, passes, _) in costs {
        assert!(memory_kib >= 64 * 1024, "{memory_kib} KiB");
        assert!(passes >= 3, "{passes} passes");
    }
}

#[test]
fn a_weak_passphrase_does_not_create_a_store() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("data");
    for weak in [
        "pw",
        "fourteen chars",
        "aaaaaaaaaaaaaaaaaaaa",
        "1234567890123456",
        "password12345678",
    ] {
        assert_refused(&add_member(&dir, weak), weak);
        assert!(
            !dir.join("shikaku.db").exists(),
            "{weak}: a store was created"
        );
    }
    let o = add_member(&dir, TEST_PASSPHRASE);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_desktop_cost(&dir);
}

#[test]
fn a_weak_new_passphrase_changes_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("data");
    assert!(add_member(&dir, TEST_PASSPHRASE).status.success());
    let before: Vec<Vec<u8>> = ["shikaku.db", "shikaku.db-wal"]
        .iter()
        .map(|n| std::fs::read(dir.join(n)).unwrap_or_default())
        .collect();
    let o = shikaku(
        &dir,
        TEST_PASSPHRASE,
        Some("shikaku2024!!!!!"),
        &["passphrase", "change"],
    );
    assert_refused(&o, "shikaku2024!!!!!");
    let after: Vec<Vec<u8>> = ["shikaku.db", "shikaku.db-wal"]
        .iter()
        .map(|n| std::fs::read(dir.join(n)).unwrap_or_default())
        .collect();
    assert!(before == after, "the store changed");
    let list = shikaku(&dir, TEST_PASSPHRASE, None, &["list"]);
    assert!(
        String::from_utf8_lossy(&list.stdout).contains("山田 太郎"),
        "{}",
        stderr(&list)
    );
}

#[test]
fn a_store_at_the_old_cost_opens_and_change_moves_it_to_the_desktop_cost() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("data");
    std::fs::create_dir(&dir).unwrap();
    let old = PassphraseKeyStore::with_cost(
        Zeroizing::new("an old short pw".into()),
        Argon2Cost::RECOMMENDED,
    );
    drop(Store::open(&dir.join("shikaku.db"), &old).unwrap());
    assert_eq!(costs_on_disk(&dir), vec![(19 * 1024, 2, 1)]);
    // Opening an existing store never applies the rule for new passphrases.
    let o = add_member(&dir, "an old short pw");
    assert!(o.status.success(), "{}", stderr(&o));
    let o = shikaku(
        &dir,
        "an old short pw",
        Some(NEW_PASSPHRASE),
        &["passphrase", "change"],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    assert_desktop_cost(&dir);
    let list = shikaku(&dir, NEW_PASSPHRASE, None, &["list"]);
    assert!(String::from_utf8_lossy(&list.stdout).contains("山田 太郎"));
}
