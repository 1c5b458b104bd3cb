//! `shikaku clinic trust import` and `clinic verify` end to end, offline: a genuine
//! presentation is 確認済み with its claim fields; the card on the desk's reader (the virtual
//! card of 山田 太郎) matches its salted binding without a PIN and signs with one; another
//! person's card is refused before any PIN; a forged payload shows no fields and cannot be
//! recorded; a recorded visit appears in the CSV with how the card was checked.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use chrono::{DateTime, Duration, Utc};
use sha2::{Digest, Sha256};
use shikaku_core::card::{TrustStore, read_verified_auth_certificate};
use shikaku_core::document::{
    EligibilityDocument, presentation_of, sign_presentation, to_qr_payload,
};

mod signed;

use signed::{KID, key, root_sec1, signed_trust_list};

const BIN: &str = env!("CARGO_BIN_EXE_shikaku");
const PASS: &str = "kingfisher meadow lantern 42";

fn vcard(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("../../examples/vcard-{name}.toml"))
}

/// The SubjectPublicKeyInfo of a virtual card's 利用者証明用 certificate.
fn card_spki(name: &str) -> Vec<u8> {
    let card = shikaku_vcard::card_from_profile_path(vcard(name)).unwrap();
    let mut trust = TrustStore::empty();
    trust
        .add_extra_anchor(&shikaku_vcard::test_ca_der().unwrap())
        .unwrap();
    let (cert, _) = read_verified_auth_certificate(&card, &trust, Utc::now()).unwrap();
    cert.spki_der().to_vec()
}

/// 山田 太郎's document, valid for a year, bound to the card whose SPKI is `spki`.
fn document(issued_at: DateTime<Utc>, spki: &[u8]) -> EligibilityDocument {
    let mut doc = signed::document(issued_at, issued_at + Duration::days(365));
    doc.holder_binding = Some(Sha256::digest(spki).into());
    doc
}

/// 山田 太郎's presentation, bound to his virtual card, signed 2 days ago.
fn taro_payload() -> String {
    let spki = card_spki("yamada-taro");
    let doc = document(Utc::now() - Duration::days(2), &spki);
    let p = presentation_of(&doc, [5; 16], Some(&spki)).unwrap();
    to_qr_payload(&sign_presentation(&p, &key("issuer"), KID).unwrap())
}

/// Writes the signed trust list and its root into `dir`.
fn trust_files(dir: &Path) -> (PathBuf, PathBuf) {
    let list = dir.join("trust.cose");
    let root = dir.join("root.sec1");
    std::fs::write(&list, signed_trust_list(Utc::now())).unwrap();
    std::fs::write(&root, root_sec1()).unwrap();
    (list, root)
}

fn run(desk: &Path, args: &[&str]) -> Output {
    Command::new(BIN)
        .arg("--data-dir")
        .arg(desk.parent().unwrap().join("household"))
        .arg("clinic")
        .arg("--desk-dir")
        .arg(desk)
        .args(args)
        .env("SHIKAKU_PASSPHRASE", PASS)
        .env("SHIKAKU_NEW_PASSPHRASE", PASS)
        .env("SHIKAKU_PIN", "1234")
        .output()
        .unwrap()
}

fn out(o: &Output) -> String {
    String::from_utf8(o.stdout.clone()).unwrap()
}

/// A desk with the trust list imported.
fn desk(tmp: &Path) -> PathBuf {
    let (list, root) = trust_files(tmp);
    let desk = tmp.join("desk");
    let o = run(
        &desk,
        &[
            "trust",
            "import",
            list.to_str().unwrap(),
            "--root",
            root.to_str().unwrap(),
        ],
    );
    assert!(o.status.success(), "{o:?}");
    assert!(out(&o).contains("trust list v1"));
    desk
}

#[test]
fn a_genuine_qr_is_confirmed_offline_with_its_fields_and_nothing_recorded_unless_asked() {
    let tmp = tempfile::tempdir().unwrap();
    let desk = desk(tmp.path());
    let o = run(&desk, &["verify", &taro_payload()]);
    let text = out(&o);
    assert!(o.status.success(), "{o:?}");
    assert!(text.contains("判定: 確認済み"), "{text}");
    assert!(text.contains("氏名: 山田 太郎"), "{text}");
    assert!(text.contains("保険者番号: 01130012"), "{text}");
    assert!(text.contains("2 日前"), "{text}");
    assert!(text.contains("形式2"), "{text}");
    assert!(text.contains("信頼リスト: 第1版"), "{text}");
    let log = run(&desk, &["log", "--format", "csv"]);
    assert!(log.status.success(), "{log:?}");
    assert!(!out(&log).contains("山田"), "nothing recorded unless asked");
}

#[test]
fn the_card_with_pin_is_checked_and_the_visit_recorded_and_exported() {
    let tmp = tempfile::tempdir().unwrap();
    let desk = desk(tmp.path());
    let reader = format!("vcard:{}", vcard("yamada-taro").display());
    let o = run(
        &desk,
        &[
            "verify",
            &taro_payload(),
            "--card",
            &reader,
            "--pin",
            "--record",
            "--operator",
            "受付 佐藤",
        ],
    );
    let text = out(&o);
    assert!(o.status.success(), "{o:?}");
    assert!(text.contains("カード: 本人確認済み（PIN）"), "{text}");
    assert!(text.contains("記録: 第1件"), "{text}");
    let csv = out(&run(&desk, &["log", "--format", "csv"]));
    assert!(csv.contains("山田 太郎"), "{csv}");
    assert!(csv.contains("PIN"), "{csv}");
    assert!(run(&desk, &["log", "verify"]).status.success());
    // Without the PIN: the card matches; 目視 only when the receptionist says so.
    let o = run(
        &desk,
        &[
            "verify",
            &taro_payload(),
            "--card",
            &reader,
            "--face-compared",
            "--record",
            "--operator",
            "受付 佐藤",
        ],
    );
    let text = out(&o);
    assert!(o.status.success(), "{o:?}");
    assert!(
        text.contains("この資格情報に結び付いたカード（PIN未確認）"),
        "{text}"
    );
    assert!(text.contains("記録: 第2件"), "{text}");
    let csv = out(&run(&desk, &["log", "--format", "csv"]));
    assert!(csv.contains("目視"), "{csv}");
}

#[test]
fn another_persons_card_is_refused_and_nothing_recorded() {
    let tmp = tempfile::tempdir().unwrap();
    let desk = desk(tmp.path());
    let reader = format!("vcard:{}", vcard("yamada-hanako").display());
    let o = run(
        &desk,
        &[
            "verify",
            &taro_payload(),
            "--card",
            &reader,
            "--pin",
            "--record",
            "--operator",
            "受付",
        ],
    );
    assert!(!o.status.success(), "{o:?}");
    let err = String::from_utf8(o.stderr).unwrap();
    assert!(
        err.contains("not the card the document is bound to"),
        "{err}"
    );
    let csv = out(&run(&desk, &["log", "--format", "csv"]));
    assert!(!csv.contains("山田"), "{csv}");
}

#[test]
fn a_forged_or_truncated_payload_shows_no_fields_and_cannot_be_recorded() {
    let tmp = tempfile::tempdir().unwrap();
    let desk = desk(tmp.path());
    let good = taro_payload();
    let truncated = &good[..good.len() - 9];
    let o = run(
        &desk,
        &["verify", truncated, "--record", "--operator", "受付"],
    );
    let text = out(&o);
    assert_eq!(o.status.code(), Some(1), "{o:?}");
    assert!(text.contains("判定: 形式不正"), "{text}");
    assert!(!text.contains("山田"), "{text}");
    let csv = out(&run(&desk, &["log", "--format", "csv"]));
    assert!(!csv.contains("山田"), "{csv}");
    // A desk without a trust list confirms nothing.
    let empty = tmp.path().join("desk-empty");
    let (list, _) = trust_files(tmp.path());
    let o = run(&empty, &["trust", "import", list.to_str().unwrap()]);
    assert!(
        !o.status.success(),
        "the first import needs the root: {o:?}"
    );
}
