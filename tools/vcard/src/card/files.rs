//! The card's file layout: its applications, their EFs, and the EFs' contents.

use std::sync::{Arc, OnceLock};

use rsa::RsaPrivateKey;
use sha2::{Digest, Sha256};

use super::state::PinRef;
use crate::keys::{self, KeyAndCert, KeyError};
use crate::profile::Profile;

/// AID of the 公的個人認証AP (JPKI).
pub const JPKI_AID: [u8; 10] = [0xD3, 0x92, 0xF0, 0x00, 0x26, 0x01, 0x00, 0x00, 0x00, 0x01];
/// AID of the 券面事項入力補助AP (text AP).
pub const TEXT_AID: [u8; 10] = [0xD3, 0x92, 0x10, 0x00, 0x31, 0x00, 0x01, 0x01, 0x04, 0x08];

/// An application (DF) on the card.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Application {
    /// 公的個人認証AP.
    Jpki,
    /// 券面事項入力補助AP.
    Text,
}

/// Binary (transparent) EFs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum BinaryEf {
    Token,
    AuthCert,
    AuthCa,
    SignCert,
    SignCa,
    MyNumber,
    BasicInfo,
}

/// What an EF id names in an application.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum EfKind {
    /// A transparent EF, readable after `needs` (if any) is verified.
    Binary { ef: BinaryEf, needs: Option<PinRef> },
    /// A PIN / password key EF.
    Pin(PinRef),
    /// A private-key EF usable after its PIN.
    PrivateKey(CardKey),
}

/// The two RSA keys of the JPKI AP.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum CardKey {
    /// 利用者証明用 key `0017`.
    Auth,
    /// 署名用 key `001A`.
    Sign,
}

impl CardKey {
    pub(super) fn pin(self) -> PinRef {
        match self {
            CardKey::Auth => PinRef::AuthPin,
            CardKey::Sign => PinRef::SignPassword,
        }
    }
}

pub(super) fn lookup(app: Application, ef: u16) -> Option<EfKind> {
    use BinaryEf::*;
    use EfKind::*;
    Some(match (app, ef) {
        (Application::Jpki, 0x0001) => Binary {
            ef: SignCert,
            needs: Some(PinRef::SignPassword),
        },
        (Application::Jpki, 0x0002) => Binary {
            ef: SignCa,
            needs: None,
        },
        (Application::Jpki, 0x0006) => Binary {
            ef: Token,
            needs: None,
        },
        (Application::Jpki, 0x000A) => Binary {
            ef: AuthCert,
            needs: None,
        },
        (Application::Jpki, 0x000B) => Binary {
            ef: AuthCa,
            needs: None,
        },
        (Application::Jpki, 0x0017) => PrivateKey(CardKey::Auth),
        (Application::Jpki, 0x0018) => Pin(PinRef::AuthPin),
        (Application::Jpki, 0x001A) => PrivateKey(CardKey::Sign),
        (Application::Jpki, 0x001B) => Pin(PinRef::SignPassword),
        (Application::Text, 0x0001) => Binary {
            ef: MyNumber,
            needs: Some(PinRef::TextPin),
        },
        (Application::Text, 0x0002) => Binary {
            ef: BasicInfo,
            needs: Some(PinRef::TextPin),
        },
        (Application::Text, 0x0011) => Pin(PinRef::TextPin),
        _ => return None,
    })
}

/// BER length octets.
fn ber_len(n: usize, out: &mut Vec<u8>) {
    if n < 0x80 {
        out.push(n as u8);
    } else if n <= 0xFF {
        out.extend_from_slice(&[0x81, n as u8]);
    } else {
        // Callers keep files far below 64 KiB (profile limits), so n fits in two bytes.
        let n = u16::try_from(n).unwrap_or(u16::MAX);
        out.push(0x82);
        out.extend_from_slice(&n.to_be_bytes());
    }
}

fn tlv(tag: &[u8], value: &[u8]) -> Vec<u8> {
    let mut out = tag.to_vec();
    ber_len(value.len(), &mut out);
    out.extend_from_slice(value);
    out
}

/// Pads with `FF` to a multiple of 256 bytes (at least 256).
pub(super) fn pad_ff(mut data: Vec<u8>) -> Vec<u8> {
    let size = data.len().div_ceil(256).max(1) * 256;
    data.resize(size, 0xFF);
    data
}

/// The 基本4情報 EF `0002`: `FF20 { DF21 offsets, DF22 name, DF23 address, DF24 birth, DF25 sex }`,
/// offsets counted from the start of the file to each of the DF22..DF25 tags, then `FF` filler.
pub fn basic_info_ef(profile: &Profile) -> Vec<u8> {
    let birth = profile.birth_date.format("%Y%m%d").to_string();
    let items = [
        tlv(&[0xDF, 0x22], profile.name.as_bytes()),
        tlv(&[0xDF, 0x23], profile.address.as_bytes()),
        tlv(&[0xDF, 0x24], birth.as_bytes()),
        tlv(&[0xDF, 0x25], &[profile.sex.code()]),
    ];
    let offsets_tlv_len = 2 + 1 + 8;
    let content_len = offsets_tlv_len + items.iter().map(Vec::len).sum::<usize>();
    let mut file = vec![0xFF, 0x20];
    ber_len(content_len, &mut file);
    let mut offsets = Vec::with_capacity(8);
    let mut at = file.len() + offsets_tlv_len;
    for item in &items {
        // The profile bounds name and address, so every offset is far below 65536.
        let off = u16::try_from(at).unwrap_or(u16::MAX);
        offsets.extend_from_slice(&off.to_be_bytes());
        at += item.len();
    }
    file.extend(tlv(&[0xDF, 0x21], &offsets));
    for item in items {
        file.extend(item);
    }
    pad_ff(file)
}

/// The 個人番号 EF `0001`: `FF 10 0C` + 12 ASCII digits + `FF FF` (17 bytes).
pub fn my_number_ef(profile: &Profile) -> Vec<u8> {
    let mut ef = vec![0xFF, 0x10, 0x0C];
    ef.extend_from_slice(profile.my_number.as_bytes());
    ef.extend_from_slice(&[0xFF, 0xFF]);
    ef
}

/// The token EF `0006`, 160 bytes shaped like a PKCS#11 `CK_TOKEN_INFO`: label (32, space-padded),
/// manufacturer (32), model (16), serial number (16), then `FF` for the numeric fields.
pub(super) fn token_ef(profile: &Profile) -> Vec<u8> {
    fn padded(s: &str, n: usize) -> Vec<u8> {
        let mut v: Vec<u8> = s.bytes().take(n).collect();
        v.resize(n, b' ');
        v
    }
    let serial: String = Sha256::digest(profile.seed.as_bytes())
        .iter()
        .take(8)
        .map(|b| format!("{b:02X}"))
        .collect();
    let mut ef = padded(&profile.token_label, 32);
    ef.extend(padded("JPKI-TEST shikaku virtual card", 32));
    ef.extend(padded("VIRTUAL", 16));
    ef.extend(padded(&serial, 16));
    ef.resize(160, 0xFF);
    ef
}

/// The immutable content of a card.
pub(super) struct Contents {
    pub(super) profile: Profile,
    pub(super) token: Vec<u8>,
    pub(super) auth: KeyAndCert,
    pub(super) auth_ef: Vec<u8>,
    pub(super) auth_ca_ef: Vec<u8>,
    pub(super) auth_spki_sha256: [u8; 32],
    pub(super) my_number: Vec<u8>,
    pub(super) basic_info: Vec<u8>,
    /// The 署名用 key is generated on first use: most tests never touch it.
    pub(super) sign: OnceLock<Result<Arc<SignContents>, KeyError>>,
}

pub(super) struct SignContents {
    pub(super) material: KeyAndCert,
    pub(super) cert_ef: Vec<u8>,
    pub(super) ca_ef: Vec<u8>,
}

impl Contents {
    pub(super) fn sign(&self) -> Result<Arc<SignContents>, KeyError> {
        self.sign
            .get_or_init(|| {
                let material = keys::sign_material(&self.profile)?;
                Ok(Arc::new(SignContents {
                    cert_ef: pad_ff(material.cert_der.clone()),
                    ca_ef: pad_ff(keys::sign_ca()?.cert_der.clone()),
                    material,
                }))
            })
            .clone()
    }

    pub(super) fn binary(&self, ef: BinaryEf) -> Result<Vec<u8>, KeyError> {
        Ok(match ef {
            BinaryEf::Token => self.token.clone(),
            BinaryEf::AuthCert => self.auth_ef.clone(),
            BinaryEf::AuthCa => self.auth_ca_ef.clone(),
            BinaryEf::SignCert => self.sign()?.cert_ef.clone(),
            BinaryEf::SignCa => self.sign()?.ca_ef.clone(),
            BinaryEf::MyNumber => self.my_number.clone(),
            BinaryEf::BasicInfo => self.basic_info.clone(),
        })
    }

    pub(super) fn private_key(&self, key: CardKey) -> Result<Arc<RsaPrivateKey>, KeyError> {
        Ok(match key {
            CardKey::Auth => Arc::clone(&self.auth.key),
            CardKey::Sign => Arc::clone(&self.sign()?.material.key),
        })
    }
}
