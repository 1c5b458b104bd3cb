//! `shikaku qr verify` on documents of every age and both formats: the issue date, age and
//! format come first, a document past its own validity is reported as expired with a non-zero
//! exit, signature or not, and anything but a valid document exits non-zero.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::process::{Command, Output};

use chrono::{Duration, Utc};
use shikaku_core::document::{presentation_of, sign_document, sign_presentation, to_qr_payload};

mod signed;

use signed::{document, key, root_sec1, signed_trust_list};

const BIN: &str = env!("CARGO_BIN_EXE_shikaku");

/// Verifies the QR of a document issued `issued_days_ago`, valid for `valid_days`, against an
/// explicit trust list and root (no store needed).
fn verify(issued_days_ago: i64, valid_days: i64) -> Output {
    let issued_at = Utc::now() - Duration::days(issued_days_ago);
    let signed = sign_document(
        &document(issued_at, issued_at + Duration::days(valid_days)),
        &key("issuer"),
        "issuer-qr",
    )
    .unwrap();
    verify_signed(&signed)
}

/// The same for the presentation of that document, signed by `signer` as `kid`.
fn verify_presentation(issued_days_ago: i64, valid_days: i64, signer: &str, kid: &str) -> Output {
    let issued_at = Utc::now() - Duration::days(issued_days_ago);
    let doc = document(issued_at, issued_at + Duration::days(valid_days));
    let p = presentation_of(&doc, [1; 16], None).unwrap();
    verify_signed(&sign_presentation(&p, &key(signer), kid).unwrap())
}

/// Runs `qr verify` on the QR payload of `signed`.
fn verify_signed(signed: &[u8]) -> Output {
    verify_payload(&to_qr_payload(signed))
}

fn verify_payload(payload: &str) -> Output {
    let dir = tempfile::tempdir().unwrap();
    let now = Utc::now();
    std::fs::write(dir.path().join("trust.cose"), signed_trust_list(now)).unwrap();
    std::fs::write(dir.path().join("root.sec1"), root_sec1()).unwrap();
    Command::new(BIN)
        .arg("--data-dir")
        .arg(dir.path().join("store"))
        .args(["qr", "verify", payload, "--trust-list"])
        .arg(dir.path().join("trust.cose"))
        .arg("--root")
        .arg(dir.path().join("root.sec1"))
        .output()
        .unwrap()
}

fn text(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

#[test]
fn a_valid_document_verifies_and_its_issue_date_and_age_come_first() {
    let o = verify(3, 365);
    assert!(o.status.success(), "{}", text(&o));
    let first = text(&o).lines().next().unwrap().to_string();
    assert!(
        first.starts_with("発行 ") && first.contains("3 days ago"),
        "{first}"
    );
    // A full document (what the QR showed before presentations): it says format 1.
    assert!(first.contains("format 1"), "{first}");
    assert!(text(&o).contains("signature VALID"), "{}", text(&o));
}

#[test]
fn a_presentation_verifies_as_format_2_and_shows_no_ids() {
    let o = verify_presentation(3, 365, "issuer", "issuer-qr");
    let t = text(&o);
    assert!(o.status.success(), "{t}");
    let first = t.lines().next().unwrap();
    assert!(
        first.starts_with("発行 ") && first.contains("3 days ago") && first.contains("format 2"),
        "{first}"
    );
    assert!(
        t.contains("signature VALID") && t.contains("山田 太郎"),
        "{t}"
    );
    assert!(t.contains("01130012") && t.contains("3割"), "{t}");
    assert!(!t.contains("hh-qr") && !t.contains("p-qr"), "{t}");
}

#[test]
fn each_bad_presentation_exits_1_with_its_verdict() {
    // Expired.
    let o = verify_presentation(400, 365, "issuer", "issuer-qr");
    let t = text(&o);
    assert_eq!(o.status.code(), Some(1), "{t}");
    assert!(t.lines().next().unwrap().contains("400 days ago"), "{t}");
    assert!(
        t.contains("EXPIRED — 有効期限切れ") && !t.contains("VALID"),
        "{t}"
    );
    // A key the trust list does not know.
    let o = verify_presentation(3, 365, "stranger", "stranger-1");
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    assert!(text(&o).contains("INVALID — 発行元不明"), "{}", text(&o));
    // A forged signature: the right kid, another key.
    let o = verify_presentation(3, 365, "stranger", "issuer-qr");
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    assert!(text(&o).contains("INVALID — 署名不正"), "{}", text(&o));
    // Truncated.
    let issued_at = Utc::now() - Duration::days(3);
    let doc = document(issued_at, issued_at + Duration::days(365));
    let p = presentation_of(&doc, [1; 16], None).unwrap();
    let signed = sign_presentation(&p, &key("issuer"), "issuer-qr").unwrap();
    let o = verify_signed(&signed[..signed.len() - 5]);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    assert!(text(&o).contains("INVALID — 形式不正"), "{}", text(&o));
    let o = verify_payload("SK1:not base45");
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    assert!(text(&o).contains("INVALID — 形式不正"), "{}", text(&o));
}

#[test]
fn an_expired_document_is_reported_expired_and_exits_1() {
    let o = verify(400, 365);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    let t = text(&o);
    assert!(t.lines().next().unwrap().contains("400 days ago"), "{t}");
    assert!(t.contains("EXPIRED — 有効期限切れ"), "{t}");
    assert!(!t.contains("signature VALID"), "{t}");
}
