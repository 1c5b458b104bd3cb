//! The desk commands of the CLI's clinic tests: `shikaku --data-dir <desk's parent>/household
//! clinic --desk-dir <desk>` with the test passphrase, the virtual cards on the desk's reader,
//! and a document presented as the patient shows it (a 資格確認書, an お知らせ or a マイナポータル
//! screen, bound to a card or not). Each test file adds its own environment.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Command;

use chrono::{Duration, Utc};
use sha2::{Digest, Sha256};
use shikaku_core::card::CardCertificate;
use shikaku_core::document::{
    EligibilityDocument, SigningKey, presentation_of, sign_presentation, to_qr_payload,
};
use shikaku_core::eligibility::DocumentKind;

/// The binary under test.
pub const BIN: &str = env!("CARGO_BIN_EXE_shikaku");
/// The passphrase of every test store.
pub const PASS: &str = "kingfisher meadow lantern 42";

/// `shikaku clinic` on the desk at `desk` (its household beside it), with `SHIKAKU_PASSPHRASE`.
pub fn desk_command(desk: &Path) -> Command {
    let mut c = Command::new(BIN);
    c.arg("--data-dir")
        .arg(desk.parent().unwrap().join("household"))
        .arg("clinic")
        .arg("--desk-dir")
        .arg(desk)
        .env("SHIKAKU_PASSPHRASE", PASS);
    c
}

/// The profile of the virtual card `name` under examples/ (`yamada-taro`, `yamada-hanako`).
pub fn vcard(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("../../examples/vcard-{name}.toml"))
}

/// The SubjectPublicKeyInfo of the virtual card `name`'s 利用者証明用 certificate: what a
/// document bound to that card is bound to.
pub fn card_spki(name: &str) -> Vec<u8> {
    let card = shikaku_vcard::card_from_profile_path(vcard(name)).unwrap();
    let cert = CardCertificate::from_der(card.auth_certificate_der()).unwrap();
    cert.spki_der().to_vec()
}

/// The QR payload of `doc` as the patient presents it: a document of `kind` (a 資格確認書
/// prints its 有効期限, here 300 days from today; it stands alone at the desk), bound to the
/// card whose SPKI is `spki` (or to none: its card can only be compared by eye), salted with
/// `salt`, signed with `signer` as `kid`. With `spki` and a 資格確認書, the card on the desk's
/// reader matches it without the PIN and the desk needs no 目視 statement.
pub fn presented(
    mut doc: EligibilityDocument,
    kind: DocumentKind,
    spki: Option<&[u8]>,
    salt: [u8; 16],
    signer: &SigningKey,
    kid: &str,
) -> String {
    doc.record.kind = kind;
    if kind == DocumentKind::Certificate {
        doc.record.valid_until =
            Some(shikaku_core::clock::japan_today(Utc::now()) + Duration::days(300));
    }
    doc.holder_binding = spki.map(|s| Sha256::digest(s).into());
    let p = presentation_of(&doc, salt, spki).unwrap();
    to_qr_payload(&sign_presentation(&p, signer, kid).unwrap())
}
