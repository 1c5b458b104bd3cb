//! APDU-exact tests of the virtual card, its keys and the vpcd framing.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod apdu;
mod faults;
mod files;
mod keys;
mod pin;
mod select;
mod sign;
mod vpcd;

use der::{Decode, Encode};
use rsa::RsaPublicKey;
use rsa::pkcs8::DecodePublicKey;
use sha2::{Digest, Sha256};
use shikaku_core::card::CardTransport;
use x509_cert::Certificate;

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
    card.transceive(&h(apdu)).unwrap()
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
