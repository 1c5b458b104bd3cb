//! APDU-exact tests of the virtual card, its keys and the vpcd framing.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use der::{Decode, Encode};
use rsa::RsaPublicKey;
use rsa::pkcs1v15::{Signature, VerifyingKey};
use rsa::pkcs8::DecodePublicKey;
use rsa::signature::Verifier;
use sha2::{Digest, Sha256};
use shikaku_core::card::{CardTransport, TransportError};
use x509_cert::Certificate;

use crate::card::{Application, Fault, Outcome, PinRef, Quirks, Selection};
use crate::vpcd::{ServeEnd, ServeOptions, serve_with};
use crate::{Profile, VirtualCard};

const PROFILE: &str = r#"
name = "見本 太郎"
kana = "ミホン タロウ"
address = "東京都架空区見本町１丁目２３番４５号"
birth_date = 1985-04-12
sex = "male"
auth_pin = "1234"
text_pin = "5678"
sign_password = "ABC123"
seed = "shikaku-vcard unit tests"
my_number = "123456789018"

[certificate]
not_before = 2024-05-01
not_after = 2029-04-12
"#;

fn profile() -> Profile {
    Profile::from_toml_str(PROFILE).unwrap()
}

fn card() -> VirtualCard {
    VirtualCard::new(profile()).unwrap()
}

/// "00 A4 04 0C" → bytes.
fn h(s: &str) -> Vec<u8> {
    let s: String = s.chars().filter(|c| !c.is_whitespace()).collect();
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
        .collect()
}

fn tx(card: &VirtualCard, apdu: &str) -> Vec<u8> {
    card.transceive(h(apdu)).unwrap()
}

/// Sends and returns only the status word.
fn sw(card: &VirtualCard, apdu: &str) -> u16 {
    let r = tx(card, apdu);
    u16::from_be_bytes([r[r.len() - 2], r[r.len() - 1]])
}

fn split(r: &[u8]) -> (&[u8], u16) {
    let (data, s) = r.split_at(r.len() - 2);
    (data, u16::from_be_bytes([s[0], s[1]]))
}

const SELECT_JPKI: &str = "00 A4 04 0C 0A D3 92 F0 00 26 01 00 00 00 01";
const SELECT_TEXT: &str = "00 A4 04 0C 0A D3 92 10 00 31 00 01 01 04 08";
const VERIFY_1234: &str = "00 20 00 80 04 31 32 33 34";
const VERIFY_5678: &str = "00 20 00 80 04 35 36 37 38";
const VERIFY_WRONG: &str = "00 20 00 80 04 39 39 39 39";
const VERIFY_SIGN_PW: &str = "00 20 00 80 06 41 42 43 31 32 33";
const VERIFY_STATUS: &str = "00 20 00 80";

/// Reads the current EF to its end in Le=00 chunks, as a plain reader would.
fn read_all(card: &VirtualCard) -> Vec<u8> {
    let mut out = Vec::new();
    loop {
        let off = out.len();
        let r = tx(
            card,
            &format!("00 B0 {:02X} {:02X} 00", off >> 8, off & 0xFF),
        );
        let (data, s) = split(&r);
        match s {
            0x9000 => out.extend_from_slice(data),
            0x6282 => {
                out.extend_from_slice(data);
                return out;
            }
            0x6B00 => return out,
            other => panic!("unexpected SW {other:04X}"),
        }
    }
}

fn digest_info_sha256(msg: &[u8]) -> Vec<u8> {
    let mut di = h("30 31 30 0D 06 09 60 86 48 01 65 03 04 02 01 05 00 04 20");
    di.extend_from_slice(&Sha256::digest(msg));
    di
}

fn public_key(cert_der: &[u8]) -> RsaPublicKey {
    let cert = Certificate::from_der(cert_der).unwrap();
    let spki = cert
        .tbs_certificate
        .subject_public_key_info
        .to_der()
        .unwrap();
    RsaPublicKey::from_public_key_der(&spki).unwrap()
}

fn sign_apdu(data: &[u8]) -> String {
    let hex: String = data.iter().map(|b| format!("{b:02X}")).collect();
    format!("80 2A 00 80 {:02X} {hex} 00", data.len())
}

// ---------------------------------------------------------------- SELECT

#[test]
fn select_applications_and_unknown_aid() {
    let c = card();
    assert_eq!(tx(&c, SELECT_JPKI), h("90 00"));
    assert_eq!(tx(&c, SELECT_TEXT), h("90 00"));
    // The visual AP and a truncated AID are not on this card.
    assert_eq!(
        tx(&c, "00 A4 04 0C 0A D3 92 10 00 31 00 01 01 04 02"),
        h("6A 82")
    );
    assert_eq!(
        tx(&c, "00 A4 04 0C 09 D3 92 F0 00 26 01 00 00 00"),
        h("6A 82")
    );
    // Trailing Le is tolerated.
    assert_eq!(tx(&c, &format!("{SELECT_JPKI} 00")), h("90 00"));
}

#[test]
fn select_bad_parameters_and_lengths() {
    let c = card();
    assert_eq!(
        tx(&c, "00 A4 04 00 0A D3 92 F0 00 26 01 00 00 00 01"),
        h("6A 86")
    );
    assert_eq!(tx(&c, "00 A4 09 0C 02 00 0A"), h("6A 86"));
    assert_eq!(tx(&c, "00 A4 04 0C"), h("67 00"));
    // Lc says 10, 9 bytes follow.
    assert_eq!(
        tx(&c, "00 A4 04 0C 0A D3 92 F0 00 26 01 00 00 00"),
        h("67 00")
    );
    tx(&c, SELECT_JPKI);
    assert_eq!(tx(&c, "00 A4 02 0C 03 00 0A 00"), h("67 00"));
    assert_eq!(tx(&c, "00 A4 02 0C 01 0A"), h("67 00"));
    assert_eq!(tx(&c, "00 A4 00 0C 02 3F 00"), h("90 00"));
    assert_eq!(tx(&c, "00 A4 00 0C 02 3F 01"), h("6A 82"));
}

#[test]
fn select_ef_needs_a_df_and_a_known_id() {
    let c = card();
    assert_eq!(tx(&c, "00 A4 02 0C 02 00 0A"), h("6A 82"));
    tx(&c, SELECT_JPKI);
    for ef in [
        "0001", "0002", "0006", "000A", "000B", "0017", "0018", "001A", "001B",
    ] {
        assert_eq!(tx(&c, &format!("00 A4 02 0C 02 {ef}")), h("90 00"), "{ef}");
    }
    for ef in ["0003", "0008", "0011", "3F00", "FFFF"] {
        assert_eq!(tx(&c, &format!("00 A4 02 0C 02 {ef}")), h("6A 82"), "{ef}");
    }
    tx(&c, SELECT_TEXT);
    for ef in ["0001", "0002", "0011"] {
        assert_eq!(tx(&c, &format!("00 A4 02 0C 02 {ef}")), h("90 00"), "{ef}");
    }
    for ef in ["0003", "0004", "0005", "000A", "0018"] {
        assert_eq!(tx(&c, &format!("00 A4 02 0C 02 {ef}")), h("6A 82"), "{ef}");
    }
    // After MF selection the EFs are gone again.
    tx(&c, "00 A4 00 0C 02 3F 00");
    assert_eq!(tx(&c, "00 A4 02 0C 02 00 02"), h("6A 82"));
}

// ---------------------------------------------------------------- CLA / INS

#[test]
fn class_and_instruction_errors() {
    let c = card();
    assert_eq!(
        tx(&c, "FF A4 04 0C 0A D3 92 F0 00 26 01 00 00 00 01"),
        h("6E 00")
    );
    assert_eq!(
        tx(&c, "80 A4 04 0C 0A D3 92 F0 00 26 01 00 00 00 01"),
        h("6E 00")
    );
    assert_eq!(tx(&c, "00 2A 00 80 01 00 00"), h("6E 00"));
    assert_eq!(tx(&c, "80 B0 00 00 04"), h("6E 00"));
    assert_eq!(tx(&c, "0C B0 00 00 04"), h("68 82"));
    assert_eq!(tx(&c, "01 B0 00 00 04"), h("68 81"));
    assert_eq!(tx(&c, "10 B0 00 00 04"), h("68 84"));
    assert_eq!(tx(&c, "00 CA 00 00 00"), h("6D 00"));
    assert_eq!(tx(&c, "00 B2 01 04 00"), h("6D 00"));
    assert_eq!(tx(&c, "80 88 00 00 00"), h("6D 00"));
    assert_eq!(tx(&c, "00"), h("67 00"));
    assert_eq!(tx(&c, "00 B0 00"), h("67 00"));
}

// ---------------------------------------------------------------- READ BINARY

#[test]
fn token_ef_label() {
    let c = card();
    tx(&c, SELECT_JPKI);
    tx(&c, "00 A4 02 0C 02 00 06");
    let r = tx(&c, "00 B0 00 00 20");
    assert_eq!(
        r,
        [b"JPKIAPICCTOKEN2".as_slice(), &[b' '; 17], &[0x90, 0x00]].concat()
    );
    let all = read_all(&c);
    assert_eq!(all.len(), 160);
}

#[test]
fn read_binary_without_ef_and_on_key_efs() {
    let c = card();
    assert_eq!(tx(&c, "00 B0 00 00 04"), h("69 86"));
    tx(&c, SELECT_JPKI);
    assert_eq!(tx(&c, "00 B0 00 00 04"), h("69 86"));
    for key in ["0017", "0018", "001A", "001B"] {
        tx(&c, &format!("00 A4 02 0C 02 {key}"));
        assert_eq!(tx(&c, "00 B0 00 00 04"), h("69 81"), "{key}");
    }
}

#[test]
fn read_binary_lengths_and_end_of_file() {
    let c = card();
    tx(&c, SELECT_JPKI);
    tx(&c, "00 A4 02 0C 02 00 06");
    // No Le, data instead of Le, Lc without data.
    assert_eq!(tx(&c, "00 B0 00 00"), h("67 00"));
    assert_eq!(tx(&c, "00 B0 00 00 01 00 04"), h("67 00"));
    assert_eq!(tx(&c, "00 B0 00 00 02 00"), h("67 00"));
    // The token EF is 160 bytes: offset 0xA0 is beyond, 0x96 + 0x20 crosses the end.
    assert_eq!(tx(&c, "00 B0 00 A0 01"), h("6B 00"));
    assert_eq!(tx(&c, "00 B0 7F FF 01"), h("6B 00"));
    let r = tx(&c, "00 B0 00 96 20");
    let (data, s) = split(&r);
    assert_eq!((data.len(), s), (10, 0x6282));
    assert!(data.iter().all(|&b| b == 0xFF));
    // Le 00 = 256 from offset 0: everything, then 6282.
    let r = tx(&c, "00 B0 00 00 00");
    assert_eq!((r.len(), split(&r).1), (162, 0x6282));
    // Extended Le 0000 = 65536.
    let r = tx(&c, "00 B0 00 00 00 00 00");
    assert_eq!((r.len(), split(&r).1), (162, 0x6282));
    let r = tx(&c, "00 B0 00 00 00 00 10");
    assert_eq!((r.len(), split(&r).1), (18, 0x9000));
}

#[test]
fn read_binary_sfi_form() {
    let c = card();
    // SFI with no DF: nothing to find.
    assert_eq!(tx(&c, "00 B0 8A 00 04"), h("6A 82"));
    tx(&c, SELECT_JPKI);
    let r = tx(&c, "00 B0 8A 00 04");
    assert_eq!(split(&r), (&c.auth_certificate_der()[..4], 0x9000));
    // The SFI read made 000A current: a plain READ continues in it.
    let r = tx(&c, "00 B0 00 04 04");
    assert_eq!(split(&r), (&c.auth_certificate_der()[4..8], 0x9000));
    assert_eq!(c.log().last().unwrap().selected, None);
    assert_eq!(
        c.log()[c.log().len() - 2].selected,
        Some(Selection::Ef {
            application: Application::Jpki,
            ef: 0x000A
        })
    );
    // Bits 7-6 set, SFI 0, a key EF, an unknown SFI.
    assert_eq!(tx(&c, "00 B0 CA 00 04"), h("6A 86"));
    assert_eq!(tx(&c, "00 B0 AA 00 04"), h("6A 86"));
    assert_eq!(tx(&c, "00 B0 80 00 04"), h("6A 86"));
    assert_eq!(tx(&c, "00 B0 98 00 04"), h("69 81"));
    assert_eq!(tx(&c, "00 B0 9E 00 04"), h("6A 82"));
    // The sign certificate by SFI still needs the password.
    assert_eq!(tx(&c, "00 B0 81 00 04"), h("69 82"));
}

#[test]
fn auth_certificate_and_ca_are_readable_and_chain() {
    let c = card();
    tx(&c, SELECT_JPKI);
    tx(&c, "00 A4 02 0C 02 00 0A");
    let ef = read_all(&c);
    let der = c.auth_certificate_der();
    assert_eq!(&der[..2], &[0x30, 0x82]);
    let len = usize::from(u16::from_be_bytes([der[2], der[3]])) + 4;
    assert_eq!(len, der.len());
    assert_eq!(&ef[..len], der);
    assert_eq!(ef.len() % 256, 0);
    assert!(ef[len..].iter().all(|&b| b == 0xFF));

    tx(&c, "00 A4 02 0C 02 00 0B");
    let ca_ef = read_all(&c);
    let ca_der = crate::test_ca_der().unwrap();
    assert_eq!(&ca_ef[..ca_der.len()], ca_der.as_slice());

    let cert = Certificate::from_der(der).unwrap();
    let ca = Certificate::from_der(&ca_der).unwrap();
    let tbs = cert.tbs_certificate.to_der().unwrap();
    let sig = Signature::try_from(cert.signature.raw_bytes()).unwrap();
    VerifyingKey::<Sha256>::new(public_key(&ca_der))
        .verify(&tbs, &sig)
        .unwrap();
    assert_eq!(cert.tbs_certificate.issuer, ca.tbs_certificate.subject);
    let subject = cert.tbs_certificate.subject.to_string();
    assert!(
        subject.starts_with("CN=") && subject.ends_with(",C=JP"),
        "{subject}"
    );
    assert_eq!(subject.len(), "CN=,C=JP".len() + 23);
    let issuer = cert.tbs_certificate.issuer.to_string();
    assert!(
        issuer.contains("O=JPKI-TEST") && issuer.ends_with("C=JP"),
        "{issuer}"
    );
    // No personal data in the auth certificate.
    let text = String::from_utf8_lossy(der);
    assert!(!text.contains("見本") && !text.contains("東京都") && !text.contains("19850412"));
    // keyUsage: digitalSignature only, critical.
    let ku = cert
        .tbs_certificate
        .extensions
        .as_ref()
        .unwrap()
        .iter()
        .find(|e| e.extn_id == const_oid::db::rfc5280::ID_CE_KEY_USAGE)
        .unwrap();
    assert!(ku.critical);
    assert_eq!(ku.extn_value.as_bytes(), h("03 02 07 80"));
    // Validity from the profile.
    let v = &cert.tbs_certificate.validity;
    assert_eq!(v.not_before.to_string(), "2024-05-01T00:00:00Z");
    assert_eq!(v.not_after.to_string(), "2029-04-12T23:59:59Z");
    // The fingerprint is SHA-256 of the SPKI.
    let spki = cert
        .tbs_certificate
        .subject_public_key_info
        .to_der()
        .unwrap();
    assert_eq!(
        c.auth_key_fingerprint(),
        <[u8; 32]>::from(Sha256::digest(&spki))
    );
}

#[test]
fn sign_certificate_needs_the_sign_password() {
    let c = card();
    tx(&c, SELECT_JPKI);
    tx(&c, "00 A4 02 0C 02 00 01");
    assert_eq!(tx(&c, "00 B0 00 00 04"), h("69 82"));
    // The sign CA certificate is free.
    tx(&c, "00 A4 02 0C 02 00 02");
    let sign_ca = read_all(&c);
    assert_eq!(&sign_ca[..4], &crate::test_sign_ca_der().unwrap()[..4]);
    // The auth PIN does not open it.
    tx(&c, "00 A4 02 0C 02 00 18");
    assert_eq!(tx(&c, VERIFY_1234), h("90 00"));
    tx(&c, "00 A4 02 0C 02 00 01");
    assert_eq!(tx(&c, "00 B0 00 00 04"), h("69 82"));
    tx(&c, "00 A4 02 0C 02 00 1B");
    assert_eq!(tx(&c, VERIFY_SIGN_PW), h("90 00"));
    tx(&c, "00 A4 02 0C 02 00 01");
    let ef = read_all(&c);
    let der = c.sign_certificate_der().unwrap();
    assert_eq!(&ef[..der.len()], der.as_slice());
    let cert = Certificate::from_der(&der).unwrap();
    let tbs = cert.tbs_certificate.to_der().unwrap();
    let sig = Signature::try_from(cert.signature.raw_bytes()).unwrap();
    VerifyingKey::<Sha256>::new(public_key(&crate::test_sign_ca_der().unwrap()))
        .verify(&tbs, &sig)
        .unwrap();
    // The four attributes sit in SubjectAltName.
    let text = String::from_utf8_lossy(&der);
    assert!(text.contains("見本\u{3000}太郎"));
    assert!(text.contains("東京都架空区見本町１丁目２３番４５号"));
    assert!(text.contains("319850412"));
}

// ---------------------------------------------------------------- VERIFY

#[test]
fn verify_without_key_ef() {
    let c = card();
    assert_eq!(tx(&c, VERIFY_STATUS), h("69 86"));
    assert_eq!(tx(&c, VERIFY_1234), h("69 86"));
    tx(&c, SELECT_JPKI);
    assert_eq!(tx(&c, VERIFY_STATUS), h("69 86"));
    assert_eq!(tx(&c, VERIFY_1234), h("69 86"));
    // A certificate or a private key is not a PIN.
    tx(&c, "00 A4 02 0C 02 00 0A");
    assert_eq!(tx(&c, VERIFY_1234), h("69 81"));
    tx(&c, "00 A4 02 0C 02 00 17");
    assert_eq!(tx(&c, VERIFY_1234), h("69 81"));
    assert_eq!(c.retries_left(PinRef::AuthPin), 3);
}

#[test]
fn verify_parameters_and_lengths() {
    let c = card();
    tx(&c, SELECT_JPKI);
    tx(&c, "00 A4 02 0C 02 00 18");
    assert_eq!(tx(&c, "00 20 01 80 04 31 32 33 34"), h("6A 86"));
    assert_eq!(tx(&c, "00 20 00 00 04 31 32 33 34"), h("6A 86"));
    assert_eq!(tx(&c, "00 20 00 E0 04 31 32 33 34"), h("6A 86"));
    assert_eq!(tx(&c, "00 20 00 80 00"), h("67 00"));
    assert_eq!(tx(&c, "00 20 00 80 04 31 32 33 34 00"), h("67 00"));
    assert_eq!(tx(&c, "00 20 00 80 05 31 32 33 34"), h("67 00"));
    // Short-id reference to a key that does not exist in this DF.
    assert_eq!(tx(&c, "00 20 00 91 04 31 32 33 34"), h("6A 88"));
    assert_eq!(c.retries_left(PinRef::AuthPin), 3);
}

#[test]
fn auth_pin_counter_down_to_blocked() {
    let c = card();
    tx(&c, SELECT_JPKI);
    tx(&c, "00 A4 02 0C 02 00 18");
    assert_eq!(tx(&c, VERIFY_STATUS), h("63 C3"));
    assert_eq!(tx(&c, VERIFY_STATUS), h("63 C3"), "a query spends no try");
    assert_eq!(tx(&c, VERIFY_WRONG), h("63 C2"));
    assert_eq!(tx(&c, VERIFY_STATUS), h("63 C2"));
    assert_eq!(tx(&c, VERIFY_1234), h("90 00"), "right PIN");
    assert_eq!(tx(&c, VERIFY_STATUS), h("90 00"), "already verified");
    assert_eq!(c.retries_left(PinRef::AuthPin), 3, "counter reset");
    assert_eq!(tx(&c, VERIFY_WRONG), h("63 C2"));
    assert!(
        !c.is_verified(PinRef::AuthPin),
        "a wrong PIN drops the verified state"
    );
    assert_eq!(tx(&c, VERIFY_STATUS), h("63 C2"));
    // A PIN of the wrong length is still an attempt.
    assert_eq!(tx(&c, "00 20 00 80 03 31 32 33"), h("63 C1"));
    assert_eq!(tx(&c, VERIFY_WRONG), h("63 C0"), "the failure that blocks");
    assert_eq!(tx(&c, VERIFY_WRONG), h("69 84"));
    assert_eq!(tx(&c, VERIFY_1234), h("69 84"), "even the right PIN");
    assert_eq!(tx(&c, VERIFY_STATUS), h("69 84"));
    assert_eq!(c.retries_left(PinRef::AuthPin), 0);
    // Blocked survives a reset; the other keys are untouched.
    c.reset();
    tx(&c, SELECT_JPKI);
    tx(&c, "00 A4 02 0C 02 00 18");
    assert_eq!(tx(&c, VERIFY_STATUS), h("69 84"));
    tx(&c, "00 A4 02 0C 02 00 1B");
    assert_eq!(tx(&c, VERIFY_STATUS), h("63 C5"));
}

#[test]
fn sign_password_has_five_tries() {
    let c = card();
    tx(&c, SELECT_JPKI);
    tx(&c, "00 A4 02 0C 02 00 1B");
    assert_eq!(tx(&c, VERIFY_STATUS), h("63 C5"));
    for left in (0..5).rev() {
        assert_eq!(sw(&c, "00 20 00 80 06 41 42 43 31 32 34"), 0x63C0 | left);
    }
    assert_eq!(tx(&c, VERIFY_SIGN_PW), h("69 84"));
    assert_eq!(tx(&c, VERIFY_STATUS), h("69 84"));
    // Lower-case is a different password (hosts upper-case first).
    let c = card();
    tx(&c, SELECT_JPKI);
    tx(&c, "00 A4 02 0C 02 00 1B");
    assert_eq!(tx(&c, "00 20 00 80 06 61 62 63 31 32 33"), h("63 C4"));
    assert_eq!(tx(&c, VERIFY_SIGN_PW), h("90 00"));
}

#[test]
fn text_pin_three_tries_and_short_id_form() {
    let c = card();
    tx(&c, SELECT_TEXT);
    // P2 = 80|11 names key 0011 without selecting it.
    assert_eq!(tx(&c, "00 20 00 91"), h("63 C3"));
    assert_eq!(tx(&c, "00 20 00 91 04 31 32 33 34"), h("63 C2"));
    assert_eq!(tx(&c, "00 20 00 91 04 35 36 37 38"), h("90 00"));
    assert_eq!(tx(&c, "00 20 00 91"), h("90 00"));
    // The JPKI key id is unknown in the text AP.
    assert_eq!(tx(&c, "00 20 00 98 04 31 32 33 34"), h("6A 88"));
    c.set_retries_left(PinRef::TextPin, 1);
    assert_eq!(tx(&c, "00 20 00 91"), h("63 C1"));
    assert_eq!(tx(&c, "00 20 00 91 04 30 30 30 30"), h("63 C0"));
    assert_eq!(tx(&c, "00 20 00 91 04 35 36 37 38"), h("69 84"));
    // JPKI short-id VERIFY: 00 20 00 98.
    tx(&c, SELECT_JPKI);
    assert_eq!(tx(&c, "00 20 00 98 04 31 32 33 34"), h("90 00"));
    assert!(c.is_verified(PinRef::AuthPin));
}

#[test]
fn reselecting_a_df_clears_security_state() {
    let c = card();
    tx(&c, SELECT_JPKI);
    tx(&c, "00 A4 02 0C 02 00 18");
    tx(&c, VERIFY_1234);
    assert!(c.is_verified(PinRef::AuthPin));
    tx(&c, SELECT_TEXT);
    assert!(!c.is_verified(PinRef::AuthPin));
    tx(&c, SELECT_JPKI);
    tx(&c, "00 A4 02 0C 02 00 18");
    assert_eq!(tx(&c, VERIFY_STATUS), h("63 C3"));
    tx(&c, VERIFY_1234);
    tx(&c, SELECT_JPKI);
    tx(&c, "00 A4 02 0C 02 00 17");
    assert_eq!(tx(&c, &sign_apdu(&digest_info_sha256(b"x"))), h("69 82"));
}

// ---------------------------------------------------------------- CHANGE REFERENCE DATA

#[test]
fn change_reference_data() {
    let c = card();
    tx(&c, SELECT_JPKI);
    tx(&c, "00 A4 02 0C 02 00 18");
    assert_eq!(tx(&c, "00 24 01 80 04 39 38 37 36"), h("69 82"));
    tx(&c, VERIFY_1234);
    assert_eq!(tx(&c, "00 24 00 80 04 39 38 37 36"), h("6A 86"));
    assert_eq!(tx(&c, "00 24 01 80 05 39 38 37 36 35"), h("6A 80"));
    assert_eq!(tx(&c, "00 24 01 80 04 39 38 37 36"), h("90 00"));
    assert_eq!(tx(&c, VERIFY_1234), h("63 C2"));
    assert_eq!(tx(&c, "00 20 00 80 04 39 38 37 36"), h("90 00"));
}

// ---------------------------------------------------------------- COMPUTE DIGITAL SIGNATURE

#[test]
fn auth_signature_verifies_with_the_certificate_key() {
    let c = card();
    let di = digest_info_sha256(b"challenge from the issuer");
    tx(&c, SELECT_JPKI);
    tx(&c, "00 A4 02 0C 02 00 17");
    assert_eq!(tx(&c, &sign_apdu(&di)), h("69 82"));
    tx(&c, "00 A4 02 0C 02 00 18");
    tx(&c, VERIFY_1234);
    tx(&c, "00 A4 02 0C 02 00 17");
    let r = tx(&c, &sign_apdu(&di));
    let (sig, s) = split(&r);
    assert_eq!((sig.len(), s), (256, 0x9000));
    let key = public_key(c.auth_certificate_der());
    VerifyingKey::<Sha256>::new(key.clone())
        .verify(
            b"challenge from the issuer",
            &Signature::try_from(sig).unwrap(),
        )
        .unwrap();
    // Case 3 (no Le) is accepted too, and PKCS#1 v1.5 is deterministic.
    let case3 = sign_apdu(&di);
    let r3 = tx(&c, &case3[..case3.len() - 3]);
    assert_eq!(r3, r);
    // SHA-1 DigestInfo works as well: the card pads whatever it gets.
    let mut sha1_di = h("30 21 30 09 06 05 2B 0E 03 02 1A 05 00 04 14");
    sha1_di.extend_from_slice(&[0xAB; 20]);
    let r = tx(&c, &sign_apdu(&sha1_di));
    let (sig, _) = split(&r);
    key.verify(rsa::Pkcs1v15Sign::new_unprefixed(), &sha1_di, sig)
        .unwrap();
}

#[test]
fn signature_errors() {
    let c = card();
    let di = digest_info_sha256(b"m");
    tx(&c, SELECT_JPKI);
    assert_eq!(tx(&c, &sign_apdu(&di)), h("69 86"), "no current EF");
    tx(&c, "00 A4 02 0C 02 00 18");
    tx(&c, VERIFY_1234);
    assert_eq!(tx(&c, &sign_apdu(&di)), h("69 81"), "a PIN is no key");
    tx(&c, "00 A4 02 0C 02 00 17");
    assert_eq!(tx(&c, "80 2A 01 80 01 00 00"), h("6A 86"));
    assert_eq!(tx(&c, "80 2A 00 00 01 00 00"), h("6A 86"));
    assert_eq!(tx(&c, "80 2A 00 80 00"), h("67 00"), "no data");
    assert_eq!(tx(&c, "80 2A 00 80"), h("67 00"));
    assert_eq!(
        tx(&c, &sign_apdu(&[0x11; 246])),
        h("67 00"),
        "longer than k - 11"
    );
    assert_eq!(split(&tx(&c, &sign_apdu(&[0x11; 245]))).1, 0x9000);
    let short_le = sign_apdu(&di);
    let short_le = format!("{} 80", &short_le[..short_le.len() - 3]);
    assert_eq!(
        tx(&c, &short_le),
        h("67 00"),
        "Le smaller than the signature"
    );
    // P2 = 80|17 names the auth key without selecting it (myna-card's form).
    tx(&c, "00 A4 02 0C 02 00 0A");
    assert_eq!(
        split(&tx(&c, &sign_apdu(&di).replacen("00 80", "00 97", 1))).1,
        0x9000
    );
}

#[test]
fn sign_key_needs_the_sign_password() {
    let c = card();
    let di = digest_info_sha256(b"document");
    tx(&c, SELECT_JPKI);
    tx(&c, "00 A4 02 0C 02 00 18");
    tx(&c, VERIFY_1234);
    tx(&c, "00 A4 02 0C 02 00 1A");
    assert_eq!(tx(&c, &sign_apdu(&di)), h("69 82"));
    tx(&c, "00 A4 02 0C 02 00 1B");
    tx(&c, VERIFY_SIGN_PW);
    tx(&c, "00 A4 02 0C 02 00 1A");
    let r = tx(&c, &sign_apdu(&di));
    let (sig, s) = split(&r);
    assert_eq!(s, 0x9000);
    VerifyingKey::<Sha256>::new(public_key(&c.sign_certificate_der().unwrap()))
        .verify(b"document", &Signature::try_from(sig).unwrap())
        .unwrap();
}

// ---------------------------------------------------------------- text AP

#[test]
fn basic_info_offsets_match_the_spec_example() {
    // 15-byte name and 18-character address: the offsets of mynacard.md §5.1.
    let c = card();
    tx(&c, SELECT_TEXT);
    tx(&c, "00 A4 02 0C 02 00 02");
    assert_eq!(tx(&c, "00 B0 00 00 04"), h("69 82"));
    tx(&c, "00 A4 02 0C 02 00 11");
    assert_eq!(tx(&c, VERIFY_5678), h("90 00"));
    tx(&c, "00 A4 02 0C 02 00 02");
    let ef = read_all(&c);
    assert_eq!(&ef[..14], h("FF 20 65 DF 21 08 00 0E 00 20 00 59 00 64"));
    assert_eq!(&ef[0x0E..0x11], h("DF 22 0F"));
    assert_eq!(&ef[0x11..0x20], "見本\u{3000}太郎".as_bytes());
    assert_eq!(&ef[0x20..0x23], h("DF 23 36"));
    assert_eq!(
        &ef[0x23..0x59],
        "東京都架空区見本町１丁目２３番４５号".as_bytes()
    );
    assert_eq!(
        &ef[0x59..0x64],
        [h("DF 24 08").as_slice(), b"19850412"].concat()
    );
    assert_eq!(&ef[0x64..0x68], [0xDF, 0x25, 0x01, b'1']);
    assert_eq!(ef.len(), 256);
    assert!(ef[0x68..].iter().all(|&b| b == 0xFF));
}

#[test]
fn basic_info_long_values_use_long_form_lengths() {
    let mut p = profile();
    p.address = "東京都架空区見本町".repeat(8); // 216 bytes
    p.sex = crate::Sex::Female;
    let ef = crate::card::basic_info_ef(&p);
    // FF20 length in the 82 form: 11 + 18 + (4 + 216) + 11 + 4 = 264.
    assert_eq!(&ef[..5], h("FF 20 82 01 08"));
    let offsets: Vec<usize> = ef[8..16]
        .chunks(2)
        .map(|c| usize::from(u16::from_be_bytes([c[0], c[1]])))
        .collect();
    assert_eq!(&ef[5..8], h("DF 21 08"));
    let tags = [0x22u8, 0x23, 0x24, 0x25];
    for (off, tag) in offsets.iter().zip(tags) {
        assert_eq!(&ef[*off..*off + 2], [0xDF, tag]);
    }
    assert_eq!(&ef[offsets[1]..offsets[1] + 4], h("DF 23 81 D8"));
    assert_eq!(&ef[offsets[3]..offsets[3] + 4], [0xDF, 0x25, 0x01, b'2']);
    assert_eq!(ef.len(), 512);
}

#[test]
fn my_number_ef_is_pin_protected_and_its_selection_is_recorded() {
    let c = card();
    tx(&c, SELECT_TEXT);
    tx(&c, "00 A4 02 0C 02 00 02");
    assert!(!c.my_number_selected());
    assert_eq!(tx(&c, "00 A4 02 0C 02 00 01"), h("90 00"));
    assert!(c.my_number_selected());
    let log = c.log();
    assert!(log.last().unwrap().selected.unwrap().is_my_number());
    assert_eq!(
        log.iter()
            .filter(|e| e.selected.is_some_and(|s| s.is_my_number()))
            .count(),
        1
    );
    assert_eq!(tx(&c, "00 B0 00 00 11"), h("69 82"));
    tx(&c, "00 20 00 91 04 35 36 37 38");
    let r = tx(&c, "00 B0 00 00 11");
    assert_eq!(
        r,
        [h("FF 10 0C").as_slice(), b"123456789018", &h("FF FF 90 00")].concat()
    );
    assert_eq!(
        tx(&c, "00 B0 00 00 12"),
        [&r[..17], &h("62 82")[..]].concat()
    );
    assert_eq!(tx(&c, "00 B0 00 11 01"), h("6B 00"));
    // The SFI form counts as a selection too.
    let c = card();
    tx(&c, SELECT_TEXT);
    assert_eq!(tx(&c, "00 B0 81 00 11"), h("69 82"));
    assert!(c.my_number_selected());
    // Clearing the log keeps the sticky flag.
    c.clear_log();
    assert!(c.my_number_selected());
}

// ---------------------------------------------------------------- GET CHALLENGE

#[test]
fn get_challenge() {
    let c = card();
    let a = tx(&c, "00 84 00 00 08");
    let b = tx(&c, "00 84 00 00 08");
    assert_eq!((a.len(), split(&a).1), (10, 0x9000));
    assert_ne!(a, b);
    assert_eq!(tx(&c, "00 84 00 00 00").len(), 258);
    assert_eq!(tx(&c, "00 84 01 00 08"), h("6A 86"));
    assert_eq!(tx(&c, "00 84 00 00"), h("67 00"));
}

// ---------------------------------------------------------------- quirks

#[test]
fn quirk_get_response() {
    let c = card();
    assert_eq!(tx(&c, "00 C0 00 00 00"), h("69 85"), "nothing pending");
    c.set_quirks(Quirks {
        get_response: true,
        le_correction: false,
    });
    assert_eq!(tx(&c, SELECT_JPKI), h("90 00"), "no data, no 61xx");
    tx(&c, "00 A4 02 0C 02 00 06");
    assert_eq!(tx(&c, "00 B0 00 00 20"), h("61 20"));
    let first = tx(&c, "00 C0 00 00 10");
    assert_eq!(split(&first), (&b"JPKIAPICCTOKEN2 "[..], 0x6110));
    let second = tx(&c, "00 C0 00 00 10");
    assert_eq!(split(&second), (&[b' '; 16][..], 0x9000));
    assert_eq!(tx(&c, "00 C0 00 00 10"), h("69 85"), "all fetched");
    // The original status word comes with the last piece.
    assert_eq!(tx(&c, "00 B0 00 96 20"), h("61 0A"));
    let r = tx(&c, "00 C0 00 00 00");
    assert_eq!((r.len(), split(&r).1), (12, 0x6282));
    // Another command discards an unfetched response.
    assert_eq!(tx(&c, "00 B0 00 00 20"), h("61 20"));
    tx(&c, "00 A4 02 0C 02 00 06");
    assert_eq!(tx(&c, "00 C0 00 00 20"), h("69 85"));
    assert_eq!(tx(&c, "00 C0 01 00 20"), h("6A 86"));
    assert_eq!(tx(&c, "00 C0 00 00"), h("67 00"));
    // A signature: 61 00 (256), then the whole of it.
    tx(&c, "00 A4 02 0C 02 00 18");
    tx(&c, VERIFY_1234);
    tx(&c, "00 A4 02 0C 02 00 17");
    let di = digest_info_sha256(b"t0");
    assert_eq!(tx(&c, &sign_apdu(&di)), h("61 00"));
    let r = tx(&c, "00 C0 00 00 00");
    assert_eq!((r.len(), split(&r).1), (258, 0x9000));
    VerifyingKey::<Sha256>::new(public_key(c.auth_certificate_der()))
        .verify(b"t0", &Signature::try_from(&r[..256]).unwrap())
        .unwrap();
}

#[test]
fn quirk_le_correction() {
    let c = card();
    c.set_quirks(Quirks {
        le_correction: true,
        ..Quirks::default()
    });
    tx(&c, SELECT_JPKI);
    tx(&c, "00 A4 02 0C 02 00 06");
    assert_eq!(tx(&c, "00 B0 00 96 20"), h("6C 0A"));
    let r = tx(&c, "00 B0 00 96 0A");
    assert_eq!((r.len(), split(&r).1), (12, 0x9000));
    assert_eq!(tx(&c, "00 B0 00 00 00"), h("6C A0"));
    assert_eq!(tx(&c, "00 B0 00 A0 01"), h("6B 00"));
    tx(&c, "00 A4 02 0C 02 00 18");
    tx(&c, VERIFY_1234);
    tx(&c, "00 A4 02 0C 02 00 17");
    let apdu = sign_apdu(&digest_info_sha256(b"x"));
    assert_eq!(
        tx(&c, &format!("{} 80", &apdu[..apdu.len() - 3])),
        h("6C 00")
    );
    assert_eq!(split(&tx(&c, &apdu)).1, 0x9000);
}

// ---------------------------------------------------------------- log and faults

#[test]
fn log_records_commands_and_responses_in_order() {
    let c = card();
    tx(&c, SELECT_JPKI);
    tx(&c, "00 A4 02 0C 02 00 18");
    tx(&c, VERIFY_STATUS);
    let log = c.log();
    assert_eq!(log.len(), 3);
    assert_eq!(log[0].command, h(SELECT_JPKI));
    assert_eq!(
        log[0].selected,
        Some(Selection::Application(Application::Jpki))
    );
    assert_eq!(log[2].response, Some(h("63 C3")));
    assert_eq!(log[2].sw(), Some(0x63C3));
    assert_eq!(log[2].outcome, Outcome::Delivered);
    assert_eq!(log.iter().map(|e| e.index).collect::<Vec<_>>(), [0, 1, 2]);
    c.clear_log();
    tx(&c, VERIFY_STATUS);
    assert_eq!(c.log()[0].index, 3);
    assert_eq!(c.apdu_count(), 4);
}

#[test]
fn fault_after_processing_counts_the_verify() {
    let c = card();
    tx(&c, SELECT_JPKI);
    tx(&c, "00 A4 02 0C 02 00 18");
    c.inject_fault(c.apdu_count(), Fault::lost_after_processing());
    assert_eq!(c.transceive(h(VERIFY_WRONG)), Err(TransportError::TagLost));
    assert_eq!(c.retries_left(PinRef::AuthPin), 2, "the card counted it");
    let e = c.log().pop().unwrap();
    assert_eq!(e.response, Some(h("63 C2")));
    assert_eq!(e.outcome, Outcome::AnswerLost(TransportError::TagLost));
    assert_eq!(tx(&c, VERIFY_STATUS), h("63 C2"));
    // A right PIN whose answer is lost still verifies.
    c.inject_fault(c.apdu_count(), Fault::lost_after_processing());
    assert!(c.transceive(h(VERIFY_1234)).is_err());
    assert!(c.is_verified(PinRef::AuthPin));
}

#[test]
fn fault_before_processing_and_removal() {
    let c = card();
    tx(&c, SELECT_JPKI);
    tx(&c, "00 A4 02 0C 02 00 18");
    c.inject_fault(
        c.apdu_count(),
        Fault {
            error: TransportError::Timeout,
            after_processing: false,
        },
    );
    assert_eq!(c.transceive(h(VERIFY_WRONG)), Err(TransportError::Timeout));
    assert_eq!(c.retries_left(PinRef::AuthPin), 3);
    let e = c.log().pop().unwrap();
    assert_eq!(
        (e.response, e.outcome),
        (None, Outcome::NotProcessed(TransportError::Timeout))
    );
    // Faults are one-shot.
    assert_eq!(tx(&c, VERIFY_1234), h("90 00"));
    c.set_present(false);
    assert_eq!(c.transceive(h(VERIFY_STATUS)), Err(TransportError::TagLost));
    c.set_present(true);
    assert!(
        !c.is_verified(PinRef::AuthPin),
        "re-inserted cards start afresh"
    );
    assert_eq!(tx(&c, VERIFY_STATUS), h("69 86"));
    // A fault at a later index waits for it.
    c.inject_fault(c.apdu_count() + 1, Fault::lost_before_processing());
    assert_eq!(tx(&c, SELECT_JPKI), h("90 00"));
    assert!(c.transceive(h(SELECT_JPKI)).is_err());
    c.inject_fault(c.apdu_count(), Fault::lost_before_processing());
    c.clear_faults();
    assert_eq!(tx(&c, SELECT_JPKI), h("90 00"));
}

#[test]
fn card_is_shareable_across_threads() {
    let c = Arc::new(card());
    let handles: Vec<_> = (0..4)
        .map(|_| {
            let c = Arc::clone(&c);
            std::thread::spawn(move || {
                for _ in 0..10 {
                    c.transceive(h(SELECT_JPKI)).unwrap();
                }
            })
        })
        .collect();
    for handle in handles {
        handle.join().unwrap();
    }
    assert_eq!(c.apdu_count(), 40);
}

// ---------------------------------------------------------------- keys and profiles

/// Pinned so that a change in key generation (e.g. an `rsa` upgrade) is noticed: the reference
/// issuer maps these fingerprints to people.
const TEST_CA_SPKI_SHA256: &str =
    "59e92612908570d3abe287887cdf86e5e0762823d099d7986889db360d1e6bb9";
const UNIT_AUTH_SPKI_SHA256: &str =
    "6339f3f762442177e4c0470c7c2e5ea7cfdf458d7ef45c61021e14823b233e15";

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[test]
fn keys_are_deterministic_and_pinned() {
    let ca = Certificate::from_der(&crate::test_ca_der().unwrap()).unwrap();
    let ca_spki = ca.tbs_certificate.subject_public_key_info.to_der().unwrap();
    assert_eq!(hex(&Sha256::digest(&ca_spki)), TEST_CA_SPKI_SHA256);
    let a = card();
    assert_eq!(hex(&a.auth_key_fingerprint()), UNIT_AUTH_SPKI_SHA256);
    // Same profile → byte-identical certificate; another seed → another key.
    let b = card();
    assert_eq!(a.auth_certificate_der(), b.auth_certificate_der());
    let other =
        VirtualCard::new(Profile::from_toml_str(&PROFILE.replace("unit tests", "other")).unwrap())
            .unwrap();
    assert_ne!(a.auth_key_fingerprint(), other.auth_key_fingerprint());
    // The CA is self-signed and exportable as PEM.
    let pem = crate::test_ca_pem().unwrap();
    assert!(pem.starts_with("-----BEGIN CERTIFICATE-----\n"));
    let tbs = ca.tbs_certificate.to_der().unwrap();
    let sig = Signature::try_from(ca.signature.raw_bytes()).unwrap();
    VerifyingKey::<Sha256>::new(public_key(&crate::test_ca_der().unwrap()))
        .verify(&tbs, &sig)
        .unwrap();
    assert!(
        ca.tbs_certificate
            .subject
            .to_string()
            .contains("O=JPKI-TEST")
    );
    assert_ne!(
        crate::test_ca_der().unwrap(),
        crate::test_sign_ca_der().unwrap()
    );
}

/// SHA-256 of the auth certificate's SubjectPublicKeyInfo for each example profile.
const EXAMPLE_FINGERPRINTS: [(&str, &str); 4] = [
    (
        "vcard-yamada-taro.toml",
        "88cbd2e26c99f52e48811c5e5aebb222272e4c1e19ac48e40cf752bac1dfe14f",
    ),
    (
        "vcard-yamada-hanako.toml",
        "2953fe01be7d6ca271fc6b97a34c876e73682ab65ad177bf3c8b962195d838c9",
    ),
    (
        "vcard-yamada-kenta.toml",
        "72a7884337db8569c198e17cfa97852c7a0408d76724ef414a04802943b2f08b",
    ),
    (
        "vcard-yamada-misaki-expired.toml",
        "69faeb12acc08704bdd4205ef7bf3d2d53a448dd0acdbac46ed505524e9880c9",
    ),
];

#[test]
fn example_profiles_load() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples");
    let mut names = Vec::new();
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        let file = path.file_name().unwrap().to_string_lossy().into_owned();
        if !(file.contains("vcard") && file.ends_with(".toml")) {
            continue;
        }
        let p = Profile::load(&path).unwrap();
        assert_eq!(
            (p.auth_pin.as_str(), p.text_pin.as_str()),
            ("1234", "1234"),
            "{file}"
        );
        assert!(p.name.starts_with("山田\u{3000}"), "{file}");
        names.push(p.name);
    }
    names.sort();
    assert_eq!(names.len(), 4, "{names:?}");
    // The auth-key fingerprints of the examples are stable (the demo issuer maps them to people).
    for (file, fingerprint) in EXAMPLE_FINGERPRINTS {
        let card = crate::card_from_profile_path(dir.join(file)).unwrap();
        assert_eq!(hex(&card.auth_key_fingerprint()), fingerprint, "{file}");
    }
    let taro = crate::card_from_profile_path(dir.join("vcard-yamada-taro.toml")).unwrap();
    tx(&taro, SELECT_JPKI);
    tx(&taro, "00 A4 02 0C 02 00 18");
    assert_eq!(tx(&taro, VERIFY_1234), h("90 00"));
    assert!(matches!(
        crate::card_from_profile_path(dir.join("no-such-profile.toml")),
        Err(crate::VcardError::Profile(_))
    ));
}

#[test]
fn first_card_construction_time() {
    // Informational: run with --nocapture to see it. Another seed so the cache is cold for it.
    let p = Profile::from_toml_str(&PROFILE.replace("unit tests", "timing")).unwrap();
    let t = Instant::now();
    let c = VirtualCard::new(p).unwrap();
    let built = t.elapsed();
    let t = Instant::now();
    c.sign_certificate_der().unwrap();
    println!(
        "card built in {built:?}; sign key and certificate in {:?}",
        t.elapsed()
    );
}

// ---------------------------------------------------------------- vpcd

fn frame(data: &[u8]) -> Vec<u8> {
    [&(data.len() as u16).to_be_bytes()[..], data].concat()
}

fn read_frame(s: &mut TcpStream) -> Vec<u8> {
    let mut len = [0u8; 2];
    s.read_exact(&mut len).unwrap();
    let mut data = vec![0u8; usize::from(u16::from_be_bytes(len))];
    s.read_exact(&mut data).unwrap();
    data
}

fn quick() -> ServeOptions {
    ServeOptions {
        connect_timeout: Duration::from_secs(5),
        poll_interval: Duration::from_millis(20),
    }
}

#[test]
fn vpcd_framing_controls_and_apdus() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap().to_string();
    let c = Arc::new(card());
    let stop = Arc::new(AtomicBool::new(false));
    let server = {
        let (c, stop) = (Arc::clone(&c), Arc::clone(&stop));
        std::thread::spawn(move || serve_with(&c, &addr, &stop, &quick()))
    };
    let (mut s, _) = listener.accept().unwrap();
    // ATR request.
    s.write_all(&frame(&[0x04])).unwrap();
    assert_eq!(read_frame(&mut s), h("3B E0 00 FF 81 31 FE 45 14"));
    // Power on (no answer), then an APDU.
    s.write_all(&frame(&[0x01])).unwrap();
    s.write_all(&frame(&h(SELECT_JPKI))).unwrap();
    assert_eq!(read_frame(&mut s), h("90 00"));
    // A frame delivered one byte at a time.
    for b in frame(&h("00 A4 02 0C 02 00 18")) {
        s.write_all(&[b]).unwrap();
        s.flush().unwrap();
        std::thread::sleep(Duration::from_millis(2));
    }
    assert_eq!(read_frame(&mut s), h("90 00"));
    // Two frames in one write.
    let two = [frame(&h(VERIFY_1234)), frame(&h(VERIFY_STATUS))].concat();
    s.write_all(&two).unwrap();
    assert_eq!(read_frame(&mut s), h("90 00"));
    assert_eq!(read_frame(&mut s), h("90 00"));
    // A long response: 256 data bytes + SW.
    s.write_all(&frame(&h("00 A4 02 0C 02 00 0A"))).unwrap();
    assert_eq!(read_frame(&mut s), h("90 00"));
    s.write_all(&frame(&h("00 B0 00 00 00"))).unwrap();
    let r = read_frame(&mut s);
    assert_eq!(r.len(), 258);
    assert_eq!(&r[..256], &c.auth_certificate_der()[..256]);
    // Reset (power cycle) clears the security state; ATR again.
    s.write_all(&frame(&[0x02])).unwrap();
    s.write_all(&frame(&[0x04])).unwrap();
    assert_eq!(read_frame(&mut s), crate::ATR);
    assert!(!c.is_verified(PinRef::AuthPin));
    // Power off, then pcscd goes away: serve returns Closed.
    s.write_all(&frame(&[0x00])).unwrap();
    drop(s);
    assert_eq!(server.join().unwrap().unwrap(), ServeEnd::Closed);
    assert!(!stop.load(Ordering::Relaxed));
    assert_eq!(c.log().len(), 6);
}

#[test]
fn vpcd_stop_flag_and_removed_card() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap().to_string();
    let c = Arc::new(card());
    let stop = Arc::new(AtomicBool::new(false));
    let server = {
        let (c, stop, addr) = (Arc::clone(&c), Arc::clone(&stop), addr.clone());
        std::thread::spawn(move || serve_with(&c, &addr, &stop, &quick()))
    };
    let (mut s, _) = listener.accept().unwrap();
    // Stop while idle, and while half a frame has arrived.
    s.write_all(&[0x00]).unwrap();
    std::thread::sleep(Duration::from_millis(50));
    stop.store(true, Ordering::Relaxed);
    assert_eq!(server.join().unwrap().unwrap(), ServeEnd::Stopped);
    drop(s);

    // A card pulled out: the connection is closed, as pcscd expects of a removed card.
    stop.store(false, Ordering::Relaxed);
    let server = {
        let (c, stop) = (Arc::clone(&c), Arc::clone(&stop));
        std::thread::spawn(move || serve_with(&c, &addr, &stop, &quick()))
    };
    let (mut s, _) = listener.accept().unwrap();
    c.set_present(false);
    s.write_all(&frame(&h(SELECT_JPKI))).unwrap();
    assert_eq!(server.join().unwrap().unwrap(), ServeEnd::CardRemoved);
    let mut buf = [0u8; 1];
    assert_eq!(s.read(&mut buf).unwrap(), 0);
}

#[test]
fn vpcd_connect_failure_and_truncated_frame() {
    // Nobody listens: bind and drop to find a free port.
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let c = card();
    let stop = AtomicBool::new(false);
    let opts = ServeOptions {
        connect_timeout: Duration::from_millis(300),
        poll_interval: Duration::from_millis(20),
    };
    let err = serve_with(&c, &format!("127.0.0.1:{port}"), &stop, &opts).unwrap_err();
    assert!(
        matches!(err, crate::vpcd::VpcdError::Connect { .. }),
        "{err}"
    );

    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap().to_string();
    let server = std::thread::spawn(move || {
        let c = card();
        let stop = AtomicBool::new(false);
        serve_with(&c, &addr, &stop, &quick())
    });
    let (mut s, _) = listener.accept().unwrap();
    s.write_all(&[0x00, 0x05, 0x00, 0xA4]).unwrap();
    drop(s);
    let err = server.join().unwrap().unwrap_err();
    assert!(matches!(err, crate::vpcd::VpcdError::Protocol(_)), "{err}");
}
