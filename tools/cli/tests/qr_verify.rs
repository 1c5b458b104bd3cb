//! `shikaku qr verify` on documents of every age and both formats: the desk's verdict and words
//! (the core's `clinic::verify_payload_with`, as `clinic verify` without a card), the issue date,
//! age and format, a document past its own validity or an eligibility that has ended reported
//! with a non-zero exit, and what a screen is worth without its card.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::process::{Command, Output};

use chrono::{Duration, Utc};
use shikaku_core::document::{
    EligibilityDocument, presentation_of, sign_document, sign_presentation, to_qr_payload,
};
use shikaku_core::eligibility::DocumentKind;

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
    verify_presentation_of(&doc, signer, kid)
}

fn verify_presentation_of(doc: &EligibilityDocument, signer: &str, kid: &str) -> Output {
    let p = presentation_of(doc, [1; 16], None).unwrap();
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
fn a_valid_document_verifies_with_its_issue_date_age_and_format() {
    let o = verify(3, 365);
    let t = text(&o);
    assert!(o.status.success(), "{t}");
    assert_eq!(t.lines().next().unwrap(), "書類の検証: 確認済み", "{t}");
    // A full document (what the QR showed before presentations): it says format 1.
    assert!(t.contains("（3 日前）・形式1"), "{t}");
    assert!(t.contains("発行元の鍵 issuer-qr"), "{t}");
}

#[test]
fn a_presentation_verifies_as_format_2_and_shows_no_ids() {
    let o = verify_presentation(3, 365, "issuer", "issuer-qr");
    let t = text(&o);
    assert!(o.status.success(), "{t}");
    assert_eq!(t.lines().next().unwrap(), "書類の検証: 確認済み", "{t}");
    assert!(t.contains("（3 日前）・形式2（提示用）"), "{t}");
    assert!(t.contains("氏名: 山田 太郎"), "{t}");
    assert!(
        t.contains("保険者番号: 01130012") && t.contains("負担割合: 3割"),
        "{t}"
    );
    assert!(!t.contains("hh-qr") && !t.contains("p-qr"), "{t}");
}

#[test]
fn each_bad_presentation_exits_1_with_its_verdict() {
    // Expired.
    let o = verify_presentation(400, 365, "issuer", "issuer-qr");
    let t = text(&o);
    assert_eq!(o.status.code(), Some(1), "{t}");
    assert_eq!(
        t.lines().next().unwrap(),
        "書類の検証: 有効期限切れ（書類）",
        "{t}"
    );
    assert!(t.contains("（400 日前）"), "{t}");
    // A key the trust list does not know.
    let o = verify_presentation(3, 365, "stranger", "stranger-1");
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    assert!(
        text(&o).starts_with("書類の検証: 発行元不明\n"),
        "{}",
        text(&o)
    );
    // The reason names the household's update command, not the desk's.
    assert!(
        text(&o).contains("信頼リストを更新してください（shikaku sync）"),
        "{}",
        text(&o)
    );
    assert!(!text(&o).contains("clinic trust"), "{}", text(&o));
    // A forged signature: the right kid, another key.
    let o = verify_presentation(3, 365, "stranger", "issuer-qr");
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    assert!(
        text(&o).starts_with("書類の検証: 署名不正\n"),
        "{}",
        text(&o)
    );
    // Nothing of an unverified document is shown.
    assert!(!text(&o).contains("山田"), "{}", text(&o));
    // Truncated.
    let issued_at = Utc::now() - Duration::days(3);
    let doc = document(issued_at, issued_at + Duration::days(365));
    let p = presentation_of(&doc, [1; 16], None).unwrap();
    let signed = sign_presentation(&p, &key("issuer"), "issuer-qr").unwrap();
    let o = verify_signed(&signed[..signed.len() - 5]);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    assert!(
        text(&o).starts_with("書類の検証: 形式不正\n"),
        "{}",
        text(&o)
    );
    let o = verify_payload("SK1:not base45");
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    assert!(
        text(&o).starts_with("書類の検証: 形式不正\n"),
        "{}",
        text(&o)
    );
}

#[test]
fn an_expired_document_is_reported_expired_and_exits_1() {
    let o = verify(400, 365);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    let t = text(&o);
    assert_eq!(
        t.lines().next().unwrap(),
        "書類の検証: 有効期限切れ（書類）",
        "{t}"
    );
    assert!(t.contains("（400 日前）"), "{t}");
}

/// The fault this replaced: `qr verify` knew only the document's own validity, so a document
/// whose eligibility had ended (its 有効期限 passed) printed "signature VALID" and exited 0,
/// where `clinic verify` and the desk page say 有効期限切れ（資格）.
#[test]
fn an_eligibility_that_has_ended_is_not_confirmed() {
    let issued_at = Utc::now() - Duration::days(30);
    let mut doc = document(issued_at, issued_at + Duration::days(365));
    doc.record.valid_until = Some(shikaku_core::clock::japan_today(Utc::now()) - Duration::days(2));
    let o = verify_presentation_of(&doc, "issuer", "issuer-qr");
    let t = text(&o);
    assert_eq!(o.status.code(), Some(1), "{t}");
    assert_eq!(
        t.lines().next().unwrap(),
        "書類の検証: 有効期限切れ（資格）",
        "{t}"
    );
    assert!(t.contains("理由: 資格の有効期限が過ぎています。"), "{t}");
}

/// What a verified code is worth without its card is the core's answer: a マイナポータル screen
/// needs the card (it said "valid only together with the physical My Number Card" for every
/// kind), a 資格確認書 stands alone.
#[test]
fn a_screen_needs_its_card_and_a_certificate_stands_alone() {
    let issued_at = Utc::now() - Duration::days(3);
    let portal = document(issued_at, issued_at + Duration::days(365));
    let t = text(&verify_presentation_of(&portal, "issuer", "issuer-qr"));
    assert!(t.contains("書類の種類: マイナポータル資格情報"), "{t}");
    assert!(
        t.contains("カードなしで提示した場合:\n判定: カード確認が必要"),
        "{t}"
    );

    let mut certificate = portal.clone();
    certificate.record.kind = DocumentKind::Certificate;
    certificate.record.valid_until =
        Some(shikaku_core::clock::japan_today(Utc::now()) + Duration::days(300));
    let o = verify_presentation_of(&certificate, "issuer", "issuer-qr");
    let t = text(&o);
    assert!(o.status.success(), "{t}");
    assert!(
        t.contains("カードなしで提示した場合:\n判定: 確認済み"),
        "{t}"
    );
    // A screen, not the paper: the desk says so, as the patient's app does.
    assert!(
        t.contains("資格は確認できました。ただし提示されたのは紙の資格確認書ではなく画面です。"),
        "{t}"
    );
    assert!(!t.contains("資格確認書は単独で使えます"), "{t}");
}
