//! Every file the CLI writes that holds personal data or key material is the owner's only:
//! the store directory 0700, the database and its WAL/SHM files 0600 — also when the data
//! directory already existed with wider permissions, and for the demo's `--data-dir`.
#![cfg(unix)]
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::os::unix::fs::PermissionsExt as _;
use std::path::Path;
use std::process::Command;

const BIN: &str = env!("CARGO_BIN_EXE_shikaku");
/// A passphrase that meets the strength rule for a new store.
const TEST_PASSPHRASE: &str = "test household passphrase";

fn mode(p: &Path) -> u32 {
    std::fs::metadata(p).unwrap().permissions().mode() & 0o777
}

fn assert_private_store(dir: &Path) {
    assert_eq!(mode(dir), 0o700, "{}", dir.display());
    let mut seen = 0;
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        let name = p.file_name().unwrap().to_string_lossy().to_string();
        if name.starts_with("shikaku.db") {
            assert_eq!(mode(&p), 0o600, "{name}");
            seen += 1;
        }
    }
    assert!(seen >= 1, "no store file in {}", dir.display());
}

#[test]
fn a_store_in_an_existing_world_readable_directory_is_owner_only() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("data");
    std::fs::create_dir(&dir).unwrap();
    std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o755)).unwrap();
    let o = Command::new(BIN)
        .arg("--data-dir")
        .arg(&dir)
        .args([
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
        ])
        .env("SHIKAKU_PASSPHRASE", TEST_PASSPHRASE)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert_private_store(&dir);
}

#[test]
fn the_demo_data_dir_is_owner_only() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("demo-data");
    let o = Command::new(BIN)
        .args(["demo", "--data-dir"])
        .arg(&dir)
        .env_remove("SHIKAKU_PASSPHRASE")
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert_private_store(&dir);
}
