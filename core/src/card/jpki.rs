//! The 公的個人認証AP (JPKI): token, 利用者証明用 certificate, auth PIN, and signing with the
//! auth key.

use serde::{Deserialize, Serialize};

use super::apdu::{Application, Channel, Command, expect_ok};
use super::error::{CardError, PinKind};
use super::pin::{self, Pin, PinCounter};
use super::read_binary;

/// AID of the JPKI AP.
pub const JPKI_AID: [u8; 10] = [0xD3, 0x92, 0xF0, 0x00, 0x26, 0x01, 0x00, 0x00, 0x00, 0x01];

/// Token EF: a 32-byte space-padded ASCII label.
const EF_TOKEN: u16 = 0x0006;
/// 利用者証明用 (auth) certificate.
const EF_AUTH_CERT: u16 = 0x000A;
/// The CA certificate of the auth certificate.
const EF_AUTH_CA_CERT: u16 = 0x000B;
/// The auth private key.
const EF_AUTH_KEY: u16 = 0x0017;
/// The auth PIN key reference.
const EF_AUTH_PIN: u16 = 0x0018;

/// Length of the token label read from EF `0006`.
const TOKEN_LEN: usize = 32;

/// DER prefix of a DigestInfo for SHA-256; the 32-byte hash follows (51 bytes in all).
pub const SHA256_DIGEST_INFO_PREFIX: [u8; 19] = [
    0x30, 0x31, 0x30, 0x0D, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01, 0x05,
    0x00, 0x04, 0x20,
];

/// What kind of JPKI token answered, from the label in EF `0006`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum CardKind {
    /// `JPKIAPICCTOKEN2`: a マイナンバーカード.
    MyNumberCard,
    /// `JPKIAPICCTOKEN`: an old 住民基本台帳カード.
    JukiCard,
    /// `JPKIAPGPSETOKEN`: the スマホ用電子証明書 of an Android phone.
    SmartphoneAndroid,
    /// `JPKIAPIOSTOKEN`: the スマホ用電子証明書 of an iPhone.
    SmartphoneIos,
}

impl CardKind {
    /// The kind's Japanese name, as the apps and the CLI show it.
    pub fn label_ja(self) -> &'static str {
        match self {
            CardKind::MyNumberCard => "マイナンバーカード",
            CardKind::JukiCard => "住民基本台帳カード",
            CardKind::SmartphoneAndroid => "スマホ用電子証明書 (Android)",
            CardKind::SmartphoneIos => "スマホ用電子証明書 (iPhone)",
        }
    }

    /// Decodes the token label (space or NUL padded). Unknown labels are `None`.
    pub fn from_token(token: &[u8]) -> Option<Self> {
        let end = token
            .iter()
            .rposition(|&b| b != b' ' && b != 0)
            .map_or(0, |i| i + 1);
        match &token[..end] {
            b"JPKIAPICCTOKEN2" => Some(Self::MyNumberCard),
            b"JPKIAPICCTOKEN" => Some(Self::JukiCard),
            b"JPKIAPGPSETOKEN" => Some(Self::SmartphoneAndroid),
            b"JPKIAPIOSTOKEN" => Some(Self::SmartphoneIos),
            _ => None,
        }
    }
}

/// The 51-byte DER DigestInfo for a SHA-256 hash.
pub fn sha256_digest_info(hash: &[u8; 32]) -> [u8; 51] {
    let mut out = [0u8; 51];
    out[..19].copy_from_slice(&SHA256_DIGEST_INFO_PREFIX);
    out[19..].copy_from_slice(hash);
    out
}

/// COMPUTE DIGITAL SIGNATURE over a DigestInfo: `80 2A 00 80 Lc <DigestInfo> 00`.
pub fn sign_command(digest_info: &[u8]) -> Result<Command, CardError> {
    Command::new(0x80, 0x2A, 0x00, 0x80)
        .with_data(digest_info)?
        .with_le(256)
}

/// SELECT the JPKI AP by AID; a card without it is not a My Number Card.
pub(crate) fn select(ch: &mut Channel<'_>) -> Result<(), CardError> {
    ch.select_application(&JPKI_AID, Application::Jpki)?
        .map_err(|_| CardError::NotAMyNumberCard)
}

/// Reads the token label and decodes the card kind; an unknown label is not a My Number Card.
pub(crate) fn read_card_kind(ch: &mut Channel<'_>) -> Result<CardKind, CardError> {
    ch.select_ef(EF_TOKEN)?;
    let token = read_binary::read_prefix(ch, TOKEN_LEN)?;
    CardKind::from_token(&token).ok_or(CardError::NotAMyNumberCard)
}

/// Reads the 利用者証明用 certificate (DER, no PIN needed on a card).
pub(crate) fn read_auth_certificate(ch: &mut Channel<'_>) -> Result<Vec<u8>, CardError> {
    ch.select_ef(EF_AUTH_CERT)?;
    read_binary::read_object(ch)
}

/// Reads the CA certificate stored next to the auth certificate (DER, no PIN). Not a trust
/// anchor: only the embedded J-LIS roots are.
pub(crate) fn read_auth_ca_certificate(ch: &mut Channel<'_>) -> Result<Vec<u8>, CardError> {
    ch.select_ef(EF_AUTH_CA_CERT)?;
    read_binary::read_object(ch)
}

/// Reads the auth PIN counter (no try spent).
pub(crate) fn auth_pin_counter(ch: &mut Channel<'_>) -> Result<PinCounter, CardError> {
    ch.select_ef(EF_AUTH_PIN)?;
    pin::read_counter(ch)
}

/// The guarded VERIFY of the auth PIN.
pub(crate) fn verify_auth_pin(
    ch: &mut Channel<'_>,
    pin: &Pin,
    allow_last_attempt: bool,
) -> Result<PinCounter, CardError> {
    pin::guarded_verify(ch, EF_AUTH_PIN, PinKind::JpkiAuth, pin, allow_last_attempt)
}

/// Signs `digest_info` with the auth key (after a successful VERIFY): SELECT `0017`, then
/// COMPUTE DIGITAL SIGNATURE. Returns the raw RSA signature.
pub(crate) fn sign(ch: &mut Channel<'_>, digest_info: &[u8]) -> Result<Vec<u8>, CardError> {
    ch.select_ef(EF_AUTH_KEY)?;
    let response = ch.exchange(&sign_command(digest_info)?)?;
    expect_ok(&response)?;
    if response.data.is_empty() {
        return Err(CardError::malformed("empty signature"));
    }
    Ok(response.data)
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;
    use crate::card::mock::{MockTransport, hex, to_hex};
    use crate::card::status::StatusWord;

    #[test]
    fn token_labels() {
        let pad = |s: &str| {
            let mut v = s.as_bytes().to_vec();
            v.resize(32, b' ');
            v
        };
        assert_eq!(
            CardKind::from_token(&pad("JPKIAPICCTOKEN2")),
            Some(CardKind::MyNumberCard)
        );
        assert_eq!(
            CardKind::from_token(&pad("JPKIAPICCTOKEN")),
            Some(CardKind::JukiCard)
        );
        assert_eq!(
            CardKind::from_token(&pad("JPKIAPGPSETOKEN")),
            Some(CardKind::SmartphoneAndroid)
        );
        assert_eq!(
            CardKind::from_token(&pad("JPKIAPIOSTOKEN")),
            Some(CardKind::SmartphoneIos)
        );
        assert_eq!(CardKind::from_token(&pad("JPKIAPICCTOKEN3")), None);
        assert_eq!(CardKind::from_token(&pad("")), None);
        assert_eq!(
            CardKind::from_token(b"JPKIAPICCTOKEN2\0\0"),
            Some(CardKind::MyNumberCard)
        );
        // A card that answers only the label (6282) is still recognised.
        assert_eq!(
            CardKind::from_token(b"JPKIAPICCTOKEN2"),
            Some(CardKind::MyNumberCard)
        );
    }

    #[test]
    fn digest_info_and_sign_apdu_are_exact() {
        let hash = [0xABu8; 32];
        let info = sha256_digest_info(&hash);
        assert_eq!(
            to_hex(&info[..19]),
            "3031300D060960864801650304020105000420"
        );
        let apdu = sign_command(&info).unwrap().to_bytes();
        assert_eq!(apdu.len(), 5 + 51 + 1);
        assert_eq!(to_hex(&apdu[..5]), "802A008033");
        assert_eq!(&apdu[5..56], &info[..]);
        assert_eq!(apdu[56], 0x00);
    }

    #[test]
    fn select_failure_is_not_a_my_number_card() {
        for sw in ["6A82", "6A86", "6D00", "6E00"] {
            let mock = MockTransport::new().expect("00A4040C0AD392F000260100000001", sw);
            assert_eq!(
                select(&mut Channel::new(&mock)),
                Err(CardError::NotAMyNumberCard)
            );
        }
    }

    #[test]
    fn token_read_is_exact() {
        let mut answer = b"JPKIAPICCTOKEN2".to_vec();
        answer.resize(32, b' ');
        answer.extend_from_slice(&hex("9000"));
        let mock = MockTransport::new()
            .expect("00A4020C020006", "9000")
            .expect_bytes(hex("00B0000020"), answer);
        assert_eq!(
            read_card_kind(&mut Channel::new(&mock)),
            Ok(CardKind::MyNumberCard)
        );
        mock.assert_done();

        let mut answer = b"SOMETHING ELSE".to_vec();
        answer.resize(32, b' ');
        answer.extend_from_slice(&hex("9000"));
        let mock = MockTransport::new()
            .expect("00A4020C020006", "9000")
            .expect_bytes(hex("00B0000020"), answer);
        assert_eq!(
            read_card_kind(&mut Channel::new(&mock)),
            Err(CardError::NotAMyNumberCard)
        );
    }

    #[test]
    fn certificate_reads_select_the_right_efs() {
        let mock = MockTransport::new()
            .expect("00A4020C02000A", "9000")
            .expect("00B0000000", "3003020101 FFFF 9000")
            .expect("00A4020C02000B", "9000")
            .expect("00B0000000", "3003020102 9000");
        let mut ch = Channel::new(&mock);
        assert_eq!(read_auth_certificate(&mut ch).unwrap(), hex("3003020101"));
        assert_eq!(
            read_auth_ca_certificate(&mut ch).unwrap(),
            hex("3003020102")
        );
        mock.assert_done();
    }

    #[test]
    fn counter_and_sign_apdus() {
        let info = sha256_digest_info(&[0x11; 32]);
        let mut sign_apdu = hex("802A008033");
        sign_apdu.extend_from_slice(&info);
        sign_apdu.push(0);
        let mut signature = vec![0x5A; 256];
        signature.extend_from_slice(&hex("9000"));
        let mock = MockTransport::new()
            .expect("00A4020C020018", "9000")
            .expect("00200080", "63C3")
            .expect("00A4020C020017", "9000")
            .expect_bytes(sign_apdu.clone(), signature);
        let mut ch = Channel::new(&mock);
        assert_eq!(auth_pin_counter(&mut ch), Ok(PinCounter::Remaining(3)));
        assert_eq!(sign(&mut ch, &info).unwrap(), vec![0x5A; 256]);
        mock.assert_done();

        // The card refuses to sign without a verified PIN.
        let mock = MockTransport::new()
            .expect("00A4020C020017", "9000")
            .expect_bytes(sign_apdu, hex("6982"));
        assert_eq!(
            sign(&mut Channel::new(&mock), &info),
            Err(CardError::UnexpectedStatus {
                sw: StatusWord::SecurityStatusNotSatisfied
            })
        );
    }
}
