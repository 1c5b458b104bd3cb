//! `card check` with two PINs: a consent flag per PIN, and a 券面事項入力補助AP failure printed
//! beside the good check, which is stored (exit 3).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const BIN: &str = env!("CARGO_BIN_EXE_shikaku");
/// A passphrase that meets the strength rule for a new store.
const TEST_PASSPHRASE: &str = "test household passphrase";

fn taro() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/vcard-yamada-taro.toml")
}

/// 山田 太郎's card with a 券面事項入力補助AP PIN of `5678` (the auth PIN stays `1234`).
fn taro_with_text_pin_5678(dir: &Path) -> PathBuf {
    let text = std::fs::read_to_string(taro()).unwrap();
    assert!(text.contains("text_pin = \"1234\""));
    let path = dir.join("taro-5678.toml");
    std::fs::write(
        &path,
        text.replace("text_pin = \"1234\"", "text_pin = \"5678\""),
    )
    .unwrap();
    path
}

fn shikaku(dir: &Path, args: &[&str]) -> Output {
    Command::new(BIN)
        .arg("--data-dir")
        .arg(dir)
        .args(args)
        .env("SHIKAKU_PASSPHRASE", TEST_PASSPHRASE)
        .env("SHIKAKU_NEW_PASSPHRASE", TEST_PASSPHRASE)
        .env("SHIKAKU_PIN", "1234")
        .output()
        .unwrap()
}

/// `card check --reader READER` followed by `extra`.
fn card_check(dir: &Path, reader: &str, extra: &[&str]) -> Output {
    let mut args = vec!["card", "check", "--reader", reader];
    args.extend_from_slice(extra);
    shikaku(dir, &args)
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8(bytes.to_vec()).unwrap()
}

fn add_taro(dir: &Path) -> String {
    let o = shikaku(
        dir,
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
    );
    assert!(o.status.success(), "{}", text(&o.stderr));
    text(&o.stdout).trim().to_string()
}

#[test]
fn a_wrong_text_pin_is_printed_beside_the_stored_check_with_exit_3() {
    let data_dir = tempfile::tempdir().unwrap();
    let data = data_dir.path();
    let profiles = tempfile::tempdir().unwrap();
    let member = add_taro(data);
    let reader = format!(
        "vcard:{}",
        taro_with_text_pin_5678(profiles.path()).display()
    );
    let o = card_check(data, &reader, &["--member", &member, "--with-basic-info"]);
    let out = text(&o.stdout);
    assert_eq!(o.status.code(), Some(3), "{out}{}", text(&o.stderr));
    assert!(
        out.contains("signature: a fresh challenge signed by the card verified"),
        "{out}"
    );
    assert!(
        out.contains("基本4情報: NOT READ — wrong 券面事項入力補助 (card text) PIN; tries left: 2"),
        "{out}"
    );
    assert!(out.contains("result stored for member"), "{out}");
    assert!(
        out.contains("the 基本4情報 were not read (the check itself stands)"),
        "{out}"
    );
    // The same card with the right text PIN: read, compared, exit 0.
    let reader = format!("vcard:{}", taro().display());
    let o = card_check(data, &reader, &["--member", &member, "--with-basic-info"]);
    let out = text(&o.stdout);
    assert_eq!(o.status.code(), Some(0), "{out}{}", text(&o.stderr));
    assert!(out.contains("基本4情報: read"), "{out}");
}

#[test]
fn consent_flags_are_per_pin() {
    let dir = tempfile::tempdir().unwrap();
    let reader = format!("vcard:{}", taro().display());
    // The single consent for both PINs is gone.
    let o = card_check(dir.path(), &reader, &["--allow-last-attempt"]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o.stderr));
    // The text PIN's consent only makes sense when the 基本4情報 are read.
    let o = card_check(dir.path(), &reader, &["--allow-last-text-attempt"]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o.stderr));
    let o = card_check(dir.path(), &reader, &["--allow-last-auth-attempt"]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    let help = text(&shikaku(dir.path(), &["card", "check", "--help"]).stdout);
    assert!(help.contains("--allow-last-auth-attempt"), "{help}");
    assert!(help.contains("--allow-last-text-attempt"), "{help}");
    assert!(help.contains("3 when the card checks out"), "{help}");
}
