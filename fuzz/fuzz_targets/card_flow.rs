//! The card-side flows (`card_status`, `check_card` with PIN "1234" and 基本4情報,
//! `sign_challenge`, `read_auth_ca_certificate`) against a fake card whose every answer is
//! chosen by the fuzz input.
//!
//! Input: byte 0 picks the flow (bits 0-1) and `allow_last_attempt` (bit 2). Then one "op" per
//! APDU the library sends (op = byte % 8):
//!
//! | op | answer |
//! |----|--------|
//! | 0  | raw: a length byte n, then n bytes taken verbatim as the whole response (data ‖ SW) |
//! | 1  | `9000` |
//! | 2  | just a status word: the next two bytes |
//! | 3  | what an honest card answers (see `honest`) |
//! | 4  | a transport failure (next byte % 3: TagLost, Timeout, Other) |
//! | 5  | the honest data with the status word from the next two bytes (`6282`, `61xx`…) |
//! | 6  | `63Cx`, x = next byte & 0x0F |
//! | 7  | the honest data cut to the next byte's length, then `9000` |
//!
//! When the input runs out every further APDU gets TagLost. An input of only `03` bytes is a
//! genuine card that passes the whole check.
//!
//! Oracles besides "no panic": no APDU may select EF 0001 (the 個人番号) while the
//! 券面事項入力補助AP is the selected application; at most one VERIFY carrying a PIN per
//! application; no VERIFY with a PIN after the counter read said blocked, or said one try left
//! when `allow_last_attempt` is false; a successful check really was answered by the fake card.
#![no_main]

use std::sync::{Mutex, OnceLock};

use chrono::{DateTime, Utc};
use libfuzzer_sys::fuzz_target;
use rsa::RsaPrivateKey;
use rsa::pkcs8::DecodePrivateKey;
use shikaku_core::card::{
    CardTransport, CheckOptions, Pin, StatusWord, TransportError, card_status, check_card,
    read_auth_ca_certificate, sign_challenge,
};

const JPKI_AID: [u8; 10] = [0xD3, 0x92, 0xF0, 0x00, 0x26, 0x01, 0x00, 0x00, 0x00, 0x01];
const TEXT_AID: [u8; 10] = [0xD3, 0x92, 0x10, 0x00, 0x31, 0x00, 0x01, 0x01, 0x04, 0x08];

/// Test PKI (throwaway keys made with openssl for the fuzzer only).
const CA_DER: &[u8] = include_bytes!("../testpki/ca.der");
const LEAF_DER: &[u8] = include_bytes!("../testpki/leaf.der");
const LEAF_KEY_PKCS8: &[u8] = include_bytes!("../testpki/leaf_key.pk8.der");

fn leaf_key() -> &'static RsaPrivateKey {
    static KEY: OnceLock<RsaPrivateKey> = OnceLock::new();
    KEY.get_or_init(|| RsaPrivateKey::from_pkcs8_der(LEAF_KEY_PKCS8).expect("test key parses"))
}

/// 2030-01-01T00:00:00Z, inside the test leaf's validity.
fn now() -> DateTime<Utc> {
    DateTime::from_timestamp(1_893_456_000, 0).expect("a real time")
}

fn tlv(tag: u16, value: &[u8]) -> Vec<u8> {
    let mut v = tag.to_be_bytes().to_vec();
    match value.len() {
        n @ 0..=0x7F => v.push(n as u8),
        n @ 0x80..=0xFF => v.extend_from_slice(&[0x81, n as u8]),
        n => v.extend_from_slice(&[0x82, (n >> 8) as u8, n as u8]),
    }
    v.extend_from_slice(value);
    v
}

/// A valid EF 0002 (基本4情報) followed by filler.
fn basic_info_file() -> Vec<u8> {
    let fields = [
        tlv(0xDF22, "山田\u{3000}太郎".as_bytes()),
        tlv(0xDF23, "東京都千代田区千代田１－１".as_bytes()),
        tlv(0xDF24, b"19800217"),
        tlv(0xDF25, b"1"),
    ];
    let body_len = 11 + fields.iter().map(Vec::len).sum::<usize>();
    let header_len = if body_len < 0x80 { 3 } else { 4 };
    let mut offsets = Vec::new();
    let mut at = header_len + 11;
    for f in &fields {
        offsets.extend_from_slice(&(at as u16).to_be_bytes());
        at += f.len();
    }
    let mut body = tlv(0xDF21, &offsets);
    for f in &fields {
        body.extend_from_slice(f);
    }
    let mut file = tlv(0xFF20, &body);
    file.extend_from_slice(&[0xFF; 32]);
    file
}

fn with_filler(der: &[u8]) -> Vec<u8> {
    let mut file = der.to_vec();
    file.extend_from_slice(&[0xFF; 64]);
    file
}

/// A SELECT whose exchange has not ended yet.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Pending {
    App(App),
    Ef(u16),
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum App {
    Jpki,
    Text,
    Other,
}

struct Card<'a> {
    input: &'a [u8],
    allow_last_attempt: bool,
    /// The application the card has selected (changed only by a SELECT answered 9000).
    app: Option<App>,
    /// The last application the library *asked* for, whatever the answer.
    asked: Option<App>,
    ef: Option<u16>,
    pending: Option<Pending>,
    /// The final status of the last empty VERIFY (after 61xx/6Cxx follow-ups), per app.
    counter_status: Option<StatusWord>,
    counter_for: Option<(Option<App>, Option<u16>)>,
    in_counter_exchange: bool,
    pin_verifies_jpki: u32,
    pin_verifies_text: u32,
    pin_verifies_other: u32,
    files: Files,
}

struct Files {
    token: Vec<u8>,
    leaf: Vec<u8>,
    ca: Vec<u8>,
    basic_info: Vec<u8>,
    my_number: Vec<u8>,
}

impl Files {
    fn get(&self, app: Option<App>, ef: Option<u16>) -> Option<&[u8]> {
        match (app?, ef?) {
            (App::Jpki, 0x0006) => Some(&self.token),
            (App::Jpki, 0x000A | 0x0001) => Some(&self.leaf),
            (App::Jpki, 0x000B) => Some(&self.ca),
            (App::Text, 0x0002) => Some(&self.basic_info),
            (App::Text, 0x0001) => Some(&self.my_number),
            _ => None,
        }
    }

    fn has_ef(app: Option<App>, ef: u16) -> bool {
        matches!(
            (app, ef),
            (Some(App::Jpki), 0x0006 | 0x000A | 0x000B | 0x0001 | 0x0017 | 0x0018)
                | (Some(App::Text), 0x0001 | 0x0002 | 0x0011)
        )
    }
}

fn sw(bytes: &mut Vec<u8>, sw: u16) -> Vec<u8> {
    bytes.extend_from_slice(&sw.to_be_bytes());
    std::mem::take(bytes)
}

impl Card<'_> {
    fn next(&mut self) -> Option<u8> {
        let (&b, rest) = self.input.split_first()?;
        self.input = rest;
        Some(b)
    }

    fn take(&mut self, n: usize) -> Vec<u8> {
        let n = n.min(self.input.len());
        let (head, rest) = self.input.split_at(n);
        self.input = rest;
        head.to_vec()
    }

    /// What a genuine My Number Card (with the test PKI) answers: data and SW separately.
    fn honest(&self, apdu: &[u8]) -> (Vec<u8>, u16) {
        let [cla, ins, p1, p2, rest @ ..] = apdu else {
            return (Vec::new(), 0x6700);
        };
        let (data, le) = match rest {
            [] => (&[][..], None),
            [le] => (&[][..], Some(*le)),
            [lc, body @ ..] if body.len() == usize::from(*lc) => (body, None),
            [lc, body @ ..] if body.len() == usize::from(*lc) + 1 => {
                (&body[..usize::from(*lc)], body.last().copied())
            }
            _ => return (Vec::new(), 0x6700),
        };
        let le = le.map(|l| if l == 0 { 256 } else { usize::from(l) });
        match (cla, ins, p1, p2) {
            (0x00, 0xA4, 0x04, _) => {
                if data == JPKI_AID || data == TEXT_AID {
                    (Vec::new(), 0x9000)
                } else {
                    (Vec::new(), 0x6A82)
                }
            }
            (0x00, 0xA4, 0x02, _) => match data {
                [hi, lo] if Files::has_ef(self.app, u16::from_be_bytes([*hi, *lo])) => {
                    (Vec::new(), 0x9000)
                }
                _ => (Vec::new(), 0x6A82),
            },
            (0x00, 0xB0, _, _) => {
                let Some(file) = self.files.get(self.app, self.ef) else {
                    return (Vec::new(), 0x6986);
                };
                let offset = usize::from(u16::from_be_bytes([*p1, *p2]));
                if offset >= file.len() {
                    return (Vec::new(), 0x6B00);
                }
                let want = le.unwrap_or(256);
                let end = (offset + want).min(file.len());
                let status = if end - offset < want { 0x6282 } else { 0x9000 };
                (file[offset..end].to_vec(), status)
            }
            (0x00, 0x20, 0x00, 0x80) if data.is_empty() => (Vec::new(), 0x63C3),
            (0x00, 0x20, 0x00, 0x80) => {
                if data == b"1234" {
                    (Vec::new(), 0x9000)
                } else {
                    (Vec::new(), 0x63C2)
                }
            }
            (0x80, 0x2A, 0x00, 0x80) if self.app == Some(App::Jpki) && self.ef == Some(0x0017) => {
                match leaf_key().sign(rsa::Pkcs1v15Sign::new_unprefixed(), data) {
                    Ok(signature) => (signature, 0x9000),
                    Err(_) => (Vec::new(), 0x6A80),
                }
            }
            (0x80, 0x2A, _, _) => (Vec::new(), 0x6985),
            (0x00, 0xC0, _, _) => (Vec::new(), 0x6985),
            _ => (Vec::new(), 0x6D00),
        }
    }

    /// The oracles that look at the command before it is answered.
    fn check_command(&mut self, apdu: &[u8]) {
        let select_ef = apdu.len() >= 5 && apdu[1] == 0xA4 && apdu[2] != 0x04;
        if select_ef && apdu.get(4) == Some(&2) && apdu.get(5..7) == Some(&[0x00, 0x01][..]) {
            assert!(
                self.app != Some(App::Text) && self.asked != Some(App::Text),
                "EF 0001 (個人番号) selected while the 券面事項入力補助AP is selected: {apdu:02X?}"
            );
        }
        let is_verify = apdu.len() >= 4 && apdu[..4] == [0x00, 0x20, 0x00, 0x80];
        let pin_verify = is_verify && apdu.len() > 5;
        if pin_verify {
            let count = match self.app {
                Some(App::Text) => &mut self.pin_verifies_text,
                Some(App::Jpki) => &mut self.pin_verifies_jpki,
                _ => &mut self.pin_verifies_other,
            };
            *count += 1;
            assert!(*count <= 1, "a second VERIFY with a PIN in {:?}", self.app);
            // The guard must have read this key's counter and must respect it.
            assert_eq!(
                self.counter_for,
                Some((self.app, self.ef)),
                "VERIFY with a PIN without reading that key's counter first"
            );
            match self.counter_status {
                Some(StatusWord::RetriesLeft(0) | StatusWord::Blocked) => {
                    panic!("VERIFY with a PIN sent to a blocked PIN")
                }
                Some(StatusWord::RetriesLeft(1)) if !self.allow_last_attempt => {
                    panic!("last PIN try spent without consent")
                }
                Some(StatusWord::RetriesLeft(_) | StatusWord::Ok) => {}
                other => panic!("VERIFY with a PIN after the counter read answered {other:?}"),
            }
        }
        let get_response = apdu.len() >= 2 && apdu[1] == 0xC0;
        let empty_verify = is_verify && apdu.len() <= 5;
        if empty_verify {
            self.in_counter_exchange = true;
            self.counter_for = Some((self.app, self.ef));
        } else if !get_response {
            self.in_counter_exchange = false;
        }
    }

    /// Updates the card's state from the command and the answer it got. A SELECT counts once
    /// its exchange ends in `9000`: the library follows `61xx` with GET RESPONSE and resends
    /// once (with Le) on `6Cxx`, so the final status may come on a later APDU.
    fn after(&mut self, apdu: &[u8], answer: &Result<Vec<u8>, TransportError>) {
        let status = match answer {
            Ok(bytes) if bytes.len() >= 2 => {
                let n = bytes.len();
                Some(StatusWord::from_bytes(bytes[n - 2], bytes[n - 1]))
            }
            _ => None,
        };
        if self.in_counter_exchange {
            self.counter_status = status;
        }
        let get_response = apdu.len() >= 2 && apdu[1] == 0xC0;
        if !get_response {
            self.pending = None;
            if apdu.len() >= 5 && apdu[1] == 0xA4 && apdu[2] == 0x04 {
                // The AID is Lc bytes; a SELECT resent after `6Cxx` carries a trailing Le.
                let aid = apdu.get(5..5 + usize::from(apdu[4])).unwrap_or(&[]);
                let which = if aid == JPKI_AID {
                    App::Jpki
                } else if aid == TEXT_AID {
                    App::Text
                } else {
                    App::Other
                };
                self.asked = Some(which);
                self.pending = Some(Pending::App(which));
            } else if apdu.len() >= 7 && apdu[1] == 0xA4 && apdu[4] == 2 {
                self.pending = Some(Pending::Ef(u16::from_be_bytes([apdu[5], apdu[6]])));
            }
        }
        if status == Some(StatusWord::Ok) {
            match self.pending.take() {
                Some(Pending::App(which)) => {
                    self.app = Some(which);
                    self.ef = None;
                }
                Some(Pending::Ef(ef)) => self.ef = Some(ef),
                None => {}
            }
        }
    }

    fn answer(&mut self, apdu: &[u8]) -> Result<Vec<u8>, TransportError> {
        let Some(op) = self.next() else {
            return Err(TransportError::TagLost);
        };
        let answer = match op % 8 {
            0 => {
                let n = self.next().unwrap_or(0);
                Ok(self.take(usize::from(n)))
            }
            1 => Ok(vec![0x90, 0x00]),
            2 => Ok(self.take(2)),
            3 => {
                let (mut data, status) = self.honest(apdu);
                Ok(sw(&mut data, status))
            }
            4 => Err(match self.next().unwrap_or(0) % 3 {
                0 => TransportError::TagLost,
                1 => TransportError::Timeout,
                _ => TransportError::Other {
                    reason: "fuzz".to_owned(),
                },
            }),
            5 => {
                let (mut data, _) = self.honest(apdu);
                data.extend(self.take(2));
                Ok(data)
            }
            6 => {
                let x = self.next().unwrap_or(0) & 0x0F;
                Ok(vec![0x63, 0xC0 | x])
            }
            _ => {
                let (mut data, _) = self.honest(apdu);
                data.truncate(usize::from(self.next().unwrap_or(0)));
                Ok(sw(&mut data, 0x9000))
            }
        };
        answer
    }
}

struct FakeCard<'a>(Mutex<Card<'a>>);

impl CardTransport for FakeCard<'_> {
    fn transceive(&self, apdu: &[u8]) -> Result<Vec<u8>, TransportError> {
        let mut card = self.0.lock().unwrap_or_else(|p| p.into_inner());
        card.check_command(apdu);
        let answer = card.answer(apdu);
        card.after(apdu, &answer);
        answer
    }
}

fn files() -> &'static Files {
    static FILES: OnceLock<Files> = OnceLock::new();
    FILES.get_or_init(|| {
        let mut token = b"JPKIAPICCTOKEN2".to_vec();
        token.resize(32, b' ');
        let mut my_number = vec![0xFF, 0x10, 0x0C];
        my_number.extend_from_slice(b"123456789012");
        my_number.extend_from_slice(&[0xFF, 0xFF]);
        Files {
            token,
            leaf: with_filler(LEAF_DER),
            ca: with_filler(CA_DER),
            basic_info: basic_info_file(),
            my_number,
        }
    })
}

/// `CARD_FLOW_DEBUG=1` prints each flow's result (for triage and for checking the seeds).
fn debug() -> bool {
    static DEBUG: OnceLock<bool> = OnceLock::new();
    *DEBUG.get_or_init(|| std::env::var_os("CARD_FLOW_DEBUG").is_some())
}

fuzz_target!(|data: &[u8]| {
    let Some((&mode, script)) = data.split_first() else {
        return;
    };
    let _ = leaf_key();
    let f = files();
    let card = FakeCard(Mutex::new(Card {
        input: script,
        allow_last_attempt: mode & 0x04 != 0,
        app: None,
        asked: None,
        ef: None,
        pending: None,
        counter_status: None,
        counter_for: None,
        in_counter_exchange: false,
        pin_verifies_jpki: 0,
        pin_verifies_text: 0,
        pin_verifies_other: 0,
        files: Files {
            token: f.token.clone(),
            leaf: f.leaf.clone(),
            ca: f.ca.clone(),
            basic_info: f.basic_info.clone(),
            my_number: f.my_number.clone(),
        },
    }));
    match mode & 0x03 {
        0 => {
            let result = card_status(&card);
            if debug() {
                eprintln!("card_status: {result:?}");
            }
        }
        1 => {
            // One consent bit for both PINs: the fake card's invariant is per PIN anyway.
            let options = CheckOptions {
                allow_last_auth_attempt: mode & 0x04 != 0,
                allow_last_text_attempt: mode & 0x04 != 0,
                read_basic_info: true,
                extra_anchors: vec![CA_DER.to_vec()],
                trust_store: None,
            };
            let pin = Pin::from_bytes(b"1234").expect("a well-formed PIN");
            let result = check_card(&card, &pin, options, now());
            if debug() {
                eprintln!("check_card: {result:?}");
            }
            if let Ok(check) = result {
                // Only the test CA can have vouched for the card.
                assert!(check.chain.anchor_label.contains("shikaku fuzz CA"));
                // The 基本4情報 step may have failed beside the good check.
                if let Some(info) = check.basic_info.info() {
                    let _ = info.birth_date();
                }
            }
        }
        2 => {
            let pin = Pin::from_bytes(b"1234").expect("a well-formed PIN");
            let result = sign_challenge(&card, &pin, b"fuzz challenge", mode & 0x04 != 0);
            if debug() {
                eprintln!("sign_challenge: {:?}", result.map(|s| s.signature.len()));
            }
        }
        _ => {
            let result = read_auth_ca_certificate(&card);
            if debug() {
                eprintln!("read_auth_ca_certificate: {:?}", result.map(|c| c.len()));
            }
        }
    }
});
