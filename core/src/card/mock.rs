//! Test-only scripted card: checks each APDU against a script, replays the scripted answer,
//! records everything sent, and can inject a transport failure at any APDU index.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::Mutex;

use super::apdu::ExtendedLengthMemory;
use super::transport::{CardTransport, TransportError};

/// Hex (spaces allowed) to bytes.
pub(crate) fn hex(s: &str) -> Vec<u8> {
    let digits: Vec<u8> = s.bytes().filter(|b| !b.is_ascii_whitespace()).collect();
    assert!(digits.len().is_multiple_of(2), "odd hex: {s}");
    digits
        .chunks(2)
        .map(|pair| {
            u8::from_str_radix(std::str::from_utf8(pair).unwrap(), 16)
                .unwrap_or_else(|_| panic!("bad hex: {s}"))
        })
        .collect()
}

/// Bytes to upper-case hex without spaces.
pub(crate) fn to_hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02X}")).collect()
}

/// The script steps with which a card answers [`read_object`](super::read_binary) for an EF
/// holding `object` followed by `pad` bytes of `FF` filler.
pub(crate) fn read_steps(object: &[u8], pad: usize) -> Vec<(Vec<u8>, Vec<u8>)> {
    let mut file = object.to_vec();
    file.extend(std::iter::repeat_n(0xFF, pad));
    let mut steps = Vec::new();
    let first = file.len().min(256);
    let mut answer = file[..first].to_vec();
    answer.extend_from_slice(&[0x90, 0x00]);
    steps.push((hex("00B0000000"), answer));
    let mut offset = first;
    while offset < object.len() {
        let n = (object.len() - offset).min(256);
        let cmd = vec![0x00, 0xB0, (offset >> 8) as u8, offset as u8, n as u8];
        let mut answer = file[offset..offset + n].to_vec();
        answer.extend_from_slice(&[0x90, 0x00]);
        steps.push((cmd, answer));
        offset += n;
    }
    steps
}

/// The script step with which a card answers the extended READ BINARY of the whole EF
/// (`00 B0 00 00 00 00 00`) for an EF holding `object` followed by `pad` bytes of `FF`.
pub(crate) fn extended_read_step(object: &[u8], pad: usize) -> (Vec<u8>, Vec<u8>) {
    let mut answer = object.to_vec();
    answer.extend(std::iter::repeat_n(0xFF, pad));
    answer.extend_from_slice(&[0x62, 0x82]);
    (hex("00B00000000000"), answer)
}

/// `80 2A 00 80 33` followed by the SHA-256 DigestInfo prefix.
const SIGN_PREFIX: [u8; 24] = [
    0x80, 0x2A, 0x00, 0x80, 0x33, 0x30, 0x31, 0x30, 0x0D, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65,
    0x03, 0x04, 0x02, 0x01, 0x05, 0x00, 0x04, 0x20,
];

/// The SELECT of the 個人番号 EF: must never be sent while the text AP is current.
pub(crate) const SELECT_EF_0001: [u8; 7] = [0x00, 0xA4, 0x02, 0x0C, 0x02, 0x00, 0x01];
/// SELECT of the 券面事項入力補助AP.
pub(crate) const SELECT_TEXT_AP: &str = "00A4040C0AD3921000310001010408";

/// How a scripted step answers.
#[derive(Clone)]
enum Reply {
    /// Exactly these bytes.
    Fixed(Vec<u8>),
    /// The APDU must be a SIGN with a SHA-256 DigestInfo; the answer is a real PKCS#1 v1.5
    /// signature by the test card key (over another hash when `corrupt`), then `9000`.
    Sign { corrupt: bool },
}

#[derive(Default)]
struct State {
    script: Vec<(Vec<u8>, Reply)>,
    next: usize,
    log: Vec<Vec<u8>>,
    received: usize,
    in_text_ap: bool,
    fail_at: Option<(usize, TransportError)>,
    /// The failure at `fail_at` hits that APDU only; later ones are answered from the script.
    fail_once: bool,
    extended_length: bool,
    /// How often the core reported a failed extended-length APDU.
    extended_failures: usize,
}

/// A scripted [`CardTransport`]. Like the real transports it keeps an
/// [`ExtendedLengthMemory`]: once the core reports a failed extended READ, it reports no
/// extended-length support any more (to later channels over the same mock).
#[derive(Default)]
pub(crate) struct MockTransport {
    state: Mutex<State>,
    memory: ExtendedLengthMemory,
}

impl MockTransport {
    pub(crate) fn new() -> Self {
        Self::default()
    }

    /// Expects `command` next and answers `response` (both hex).
    pub(crate) fn expect(self, command: &str, response: &str) -> Self {
        self.expect_bytes(hex(command), hex(response))
    }

    /// Expects `command` next and answers `response`.
    pub(crate) fn expect_bytes(self, command: Vec<u8>, response: Vec<u8>) -> Self {
        self.state
            .lock()
            .unwrap()
            .script
            .push((command, Reply::Fixed(response)));
        self
    }

    /// Expects a SIGN of a SHA-256 DigestInfo and answers with a real signature by the test
    /// card key (see [`super::cert::testpki`]); a `corrupt` one signs another hash.
    pub(crate) fn expect_sign(self, corrupt: bool) -> Self {
        self.state
            .lock()
            .unwrap()
            .script
            .push((SIGN_PREFIX.to_vec(), Reply::Sign { corrupt }));
        self
    }

    /// Appends another script.
    pub(crate) fn then(self, steps: Vec<(Vec<u8>, Vec<u8>)>) -> Self {
        self.state
            .lock()
            .unwrap()
            .script
            .extend(steps.into_iter().map(|(c, r)| (c, Reply::Fixed(r))));
        self
    }

    /// The APDU at `index` (0-based) fails with `error` instead of being answered.
    pub(crate) fn fail_at(self, index: usize, error: TransportError) -> Self {
        self.state.lock().unwrap().fail_at = Some((index, error));
        self
    }

    /// The APDU at `index` fails with `error` and is not answered, but the card stays: the
    /// next APDU is checked against the script step the failed one would have used.
    pub(crate) fn fail_once_at(self, index: usize, error: TransportError) -> Self {
        {
            let mut state = self.state.lock().unwrap();
            state.fail_at = Some((index, error));
            state.fail_once = true;
        }
        self
    }

    /// Reports extended-length support ([`CardTransport::extended_length`]).
    pub(crate) fn extended(self) -> Self {
        self.state.lock().unwrap().extended_length = true;
        self
    }

    /// How often the core called [`CardTransport::extended_length_failed`].
    pub(crate) fn extended_failures(&self) -> usize {
        self.state.lock().unwrap().extended_failures
    }

    /// How many extended READ BINARY commands (`00 B0 P1 P2 00 Le1 Le2`) were sent.
    pub(crate) fn extended_reads(&self) -> usize {
        self.log()
            .iter()
            .filter(|c| c.len() == 7 && c[1] == 0xB0 && c[4] == 0x00)
            .count()
    }

    /// Number of scripted steps.
    pub(crate) fn script_len(&self) -> usize {
        self.state.lock().unwrap().script.len()
    }

    /// Every APDU sent so far, in order.
    pub(crate) fn log(&self) -> Vec<Vec<u8>> {
        self.state.lock().unwrap().log.clone()
    }

    /// Total bytes sent and received for the answered APDUs.
    pub(crate) fn traffic(&self) -> (usize, usize, usize) {
        let state = self.state.lock().unwrap();
        let sent: usize = state.log.iter().map(Vec::len).sum();
        (state.log.len(), sent, state.received)
    }

    /// Asserts the whole script was consumed.
    pub(crate) fn assert_done(&self) {
        let state = self.state.lock().unwrap();
        assert_eq!(
            state.next,
            state.script.len(),
            "script not fully consumed; sent: {:?}",
            state.log.iter().map(|c| to_hex(c)).collect::<Vec<_>>()
        );
    }

    /// Asserts the 番号法 §20 rule over the whole log: no SELECT of EF 0001 after a SELECT of
    /// the text AP (until another application is selected).
    pub(crate) fn assert_never_selected_my_number(&self) {
        assert_no_my_number_select(&self.log());
    }

    /// How many VERIFY commands carrying a PIN (not the empty status VERIFY) were sent.
    pub(crate) fn pin_verifies(&self) -> usize {
        self.log()
            .iter()
            .filter(|c| c.len() > 4 && c[0] == 0x00 && c[1] == 0x20)
            .count()
    }
}

/// Walks an APDU log and fails if EF 0001 is selected while the text AP is current.
pub(crate) fn assert_no_my_number_select(log: &[Vec<u8>]) {
    let text_ap = hex(SELECT_TEXT_AP);
    let mut in_text_ap = false;
    for command in log {
        if command.len() >= 4 && command[..4] == [0x00, 0xA4, 0x04, 0x0C] {
            in_text_ap = *command == text_ap;
        }
        assert!(
            !(in_text_ap && command[..] == SELECT_EF_0001),
            "EF 0001 (個人番号) of the text AP was selected"
        );
    }
}

impl CardTransport for MockTransport {
    fn extended_length(&self) -> bool {
        self.memory
            .extended_length(|| self.state.lock().unwrap().extended_length)
    }

    fn extended_length_failed(&self) {
        self.state.lock().unwrap().extended_failures += 1;
        self.memory.remember_failure();
    }

    fn transceive(&self, apdu: &[u8]) -> Result<Vec<u8>, TransportError> {
        let mut state = self.state.lock().unwrap();
        let index = state.log.len();
        state.log.push(apdu.to_vec());
        // 番号法 §20, checked on every APDU of every test that uses this mock.
        if apdu.len() >= 4 && apdu[..4] == [0x00, 0xA4, 0x04, 0x0C] {
            state.in_text_ap = *apdu == hex(SELECT_TEXT_AP)[..];
        }
        assert!(
            !(state.in_text_ap && apdu[..] == SELECT_EF_0001),
            "EF 0001 (個人番号) of the text AP was selected"
        );
        if let Some((at, error)) = &state.fail_at {
            if *at == index && state.fail_once {
                return Err(error.clone());
            }
            if *at == index {
                let error = error.clone();
                // The card is gone: nothing later in the script is answered.
                state.next = state.script.len();
                return Err(error);
            }
            if index > *at && !state.fail_once {
                return Err(TransportError::TagLost);
            }
        }
        let Some((expected, response)) = state.script.get(state.next).cloned() else {
            return Err(TransportError::Other {
                reason: "script exhausted".into(),
            });
        };
        let response = match response {
            Reply::Fixed(response) => {
                assert_eq!(
                    to_hex(apdu),
                    to_hex(&expected),
                    "APDU #{index} differs from the script"
                );
                response
            }
            Reply::Sign { corrupt } => {
                assert_eq!(apdu.len(), 57, "SIGN APDU #{index} length");
                assert_eq!(to_hex(&apdu[..24]), to_hex(&expected), "SIGN APDU #{index}");
                assert_eq!(apdu[56], 0x00, "SIGN Le");
                let mut hash = apdu[24..56].to_vec();
                if corrupt {
                    hash[0] ^= 1;
                }
                let mut answer = super::cert::testpki::card_sign_hash(&hash);
                answer.extend_from_slice(&[0x90, 0x00]);
                answer
            }
        };
        state.next += 1;
        state.received += response.len();
        Ok(response)
    }
}
