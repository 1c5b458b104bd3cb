//! The PIN guard: format check before anything is sent, retry counter first, consent for the
//! last try, and never a second VERIFY after a transport failure.

use serde::{Deserialize, Serialize};
use zeroize::Zeroizing;

use super::apdu::{Channel, Command};
use super::error::{CardError, PinKind};
use super::status::StatusWord;

/// The length of a VERIFY command with a 4-digit PIN.
const VERIFY_LEN: usize = 9;

/// A 4-digit PIN that passed the format check. Its bytes are wiped on drop and never shown by
/// `Debug`.
pub struct Pin(Zeroizing<[u8; 4]>);

impl Pin {
    /// The one format check of a PIN, on the bytes the caller holds (as the apps hand it, in an
    /// array they can wipe; a typed string's `as_bytes()`): exactly four ASCII digits, else
    /// [`CardError::InvalidPinFormat`] (nothing is sent to the card). No text is made of them;
    /// the one copy kept is wiped on drop. Every card path takes the `Pin` this returns, so
    /// the caller parses once, at its boundary, and can wipe its own buffer right away.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, CardError> {
        match bytes {
            [a, b, c, d] if bytes.iter().all(u8::is_ascii_digit) => {
                Ok(Self(Zeroizing::new([*a, *b, *c, *d])))
            }
            _ => Err(CardError::InvalidPinFormat),
        }
    }

    /// VERIFY with this PIN for the current key EF: `00 20 00 80 04 <PIN>`, in a buffer that
    /// is wiped on drop. It is allocated at its full size, so no reallocation leaves a copy
    /// behind.
    pub(crate) fn verify_command(&self) -> Zeroizing<Vec<u8>> {
        let mut bytes = Zeroizing::new(Vec::with_capacity(VERIFY_LEN));
        bytes.extend_from_slice(&[0x00, 0x20, 0x00, 0x80, 0x04]);
        bytes.extend_from_slice(&self.0[..]);
        bytes
    }
}

impl std::fmt::Debug for Pin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Pin(****)")
    }
}

/// What an empty VERIFY says about a PIN.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum PinCounter {
    /// This many tries are left (`63Cx`, x ≥ 1).
    Remaining(u8),
    /// The key is already verified in this session (`9000`); the counter is not reported
    /// (a successful VERIFY resets it to the maximum).
    AlreadyVerified,
    /// No tries left (`63C0` or `6984`): only the municipal office can reset it.
    Blocked,
}

/// Reads the retry counter of the current key EF with an empty VERIFY (no try is spent).
pub(crate) fn read_counter(ch: &mut Channel<'_>) -> Result<PinCounter, CardError> {
    let response = ch.exchange(&Command::verify_status())?;
    match response.status {
        StatusWord::RetriesLeft(0) | StatusWord::Blocked => Ok(PinCounter::Blocked),
        StatusWord::RetriesLeft(n) => Ok(PinCounter::Remaining(n)),
        StatusWord::Ok => Ok(PinCounter::AlreadyVerified),
        sw => Err(CardError::UnexpectedStatus { sw }),
    }
}

/// Selects the key EF `key_ef`, reads its counter, and sends the VERIFY once, if the guard
/// allows it. Returns the counter as read before the VERIFY.
///
/// - Blocked → [`CardError::PinBlocked`], no VERIFY sent.
/// - Already verified (`9000` to the empty VERIFY: the counter is not reported) →
///   [`CardError::PinStateUnknown`], no VERIFY sent.
/// - One try left and `allow_last_attempt == false` → [`CardError::LastAttemptNeedsConsent`],
///   no VERIFY sent.
/// - A transport failure during the VERIFY → the transport error with
///   `verify_in_flight: true`; nothing is resent.
pub(crate) fn guarded_verify(
    ch: &mut Channel<'_>,
    key_ef: u16,
    kind: PinKind,
    pin: &Pin,
    allow_last_attempt: bool,
) -> Result<PinCounter, CardError> {
    let counter = select_and_read_counter(ch, key_ef)?;
    verify_once(ch, counter, kind, pin, allow_last_attempt)
}

/// The first half of [`guarded_verify`]: selects the key EF `key_ef` and reads its counter
/// (no try spent), for a caller with a guard of its own before [`verify_once`].
pub(crate) fn select_and_read_counter(
    ch: &mut Channel<'_>,
    key_ef: u16,
) -> Result<PinCounter, CardError> {
    ch.select_ef(key_ef)?;
    read_counter(ch)
}

/// The second half of [`guarded_verify`]: the guard on `counter` (just read from the selected
/// key EF) and the one VERIFY, never resent.
pub(crate) fn verify_once(
    ch: &mut Channel<'_>,
    counter: PinCounter,
    kind: PinKind,
    pin: &Pin,
    allow_last_attempt: bool,
) -> Result<PinCounter, CardError> {
    match counter {
        PinCounter::Blocked => return Err(CardError::PinBlocked { pin: kind }),
        PinCounter::Remaining(1) if !allow_last_attempt => {
            return Err(CardError::LastAttemptNeedsConsent { pin: kind });
        }
        // The counter is unknown: never send a PIN blind.
        PinCounter::AlreadyVerified => return Err(CardError::PinStateUnknown { pin: kind }),
        PinCounter::Remaining(_) => {}
    }
    let command = pin.verify_command();
    let response = ch.exchange_verify(&command)?;
    match response.status {
        StatusWord::Ok => Ok(counter),
        StatusWord::RetriesLeft(0) | StatusWord::Blocked => {
            Err(CardError::PinBlocked { pin: kind })
        }
        StatusWord::RetriesLeft(n) => Err(CardError::WrongPin {
            retries_left: n,
            pin: kind,
        }),
        sw => Err(CardError::UnexpectedStatus { sw }),
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;
    use crate::card::mock::{MockTransport, hex};
    use crate::card::transport::TransportError;

    #[test]
    fn format_check() {
        assert!(Pin::from_bytes(b"1234").is_ok());
        assert!(Pin::from_bytes(b"0000").is_ok());
        for bad in [
            "",
            "123",
            "12345",
            "12a4",
            "１２３４",
            " 1234",
            "12 4",
            "-123",
        ] {
            assert_eq!(
                Pin::from_bytes(bad.as_bytes()).unwrap_err(),
                CardError::InvalidPinFormat,
                "{bad:?}"
            );
        }
        // Bytes that are not text at all go through the same check: the apps' PIN arrays,
        // never made into text first.
        for bad in [
            &b"123"[..],
            b"12345",
            b"12a4",
            b"\xff\xfe12",
            b"",
            "１２３４".as_bytes(),
        ] {
            assert_eq!(
                Pin::from_bytes(bad).unwrap_err(),
                CardError::InvalidPinFormat,
                "{bad:?}"
            );
        }
        assert_eq!(
            format!("{:?}", Pin::from_bytes(b"1234").unwrap()),
            "Pin(****)"
        );
        assert_eq!(
            &Pin::from_bytes(b"1234").unwrap().verify_command()[..],
            &hex("0020008004 31323334")[..]
        );
    }

    #[test]
    fn the_pin_never_shows_and_its_command_is_never_reallocated() {
        for digits in ["1234", "9876", "0000"] {
            let pin = Pin::from_bytes(digits.as_bytes()).unwrap();
            for shown in [format!("{pin:?}"), format!("{pin:#?}")] {
                assert!(!shown.contains(digits), "{shown}");
                // Nor the digits as bytes (`[49, 50, ...]`) or hex.
                assert!(!shown.chars().any(|c| c.is_ascii_digit()), "{shown}");
            }
            // The VERIFY buffer is allocated at its final size: extending it never moved the
            // PIN, so the `Zeroizing` wipe on drop covers the only copy.
            let command = pin.verify_command();
            assert_eq!(command.len(), VERIFY_LEN);
            assert_eq!(command.capacity(), VERIFY_LEN);
        }
    }

    fn run(mock: &MockTransport, allow_last: bool) -> Result<PinCounter, CardError> {
        let pin = Pin::from_bytes(b"1234").unwrap();
        guarded_verify(
            &mut Channel::new(mock),
            0x0018,
            PinKind::JpkiAuth,
            &pin,
            allow_last,
        )
    }

    fn script(counter: &str, verify: Option<&str>) -> MockTransport {
        let mock = MockTransport::new()
            .expect("00A4020C020018", "9000")
            .expect("00200080", counter);
        match verify {
            Some(answer) => mock.expect("002000800431323334", answer),
            None => mock,
        }
    }

    #[test]
    fn success_reports_the_counter_read_first() {
        let mock = script("63C3", Some("9000"));
        assert_eq!(run(&mock, false), Ok(PinCounter::Remaining(3)));
        mock.assert_done();
        // Already verified: the counter is unknown, so no PIN is sent at all.
        let mock = script("9000", None);
        assert_eq!(
            run(&mock, true),
            Err(CardError::PinStateUnknown {
                pin: PinKind::JpkiAuth
            })
        );
        mock.assert_done();
    }

    #[test]
    fn wrong_pin_and_block() {
        let mock = script("63C3", Some("63C2"));
        assert_eq!(
            run(&mock, false),
            Err(CardError::WrongPin {
                retries_left: 2,
                pin: PinKind::JpkiAuth
            })
        );
        let mock = script("63C1", Some("63C0"));
        assert_eq!(
            run(&mock, true),
            Err(CardError::PinBlocked {
                pin: PinKind::JpkiAuth
            })
        );
        let mock = script("63C2", Some("6984"));
        assert_eq!(
            run(&mock, true),
            Err(CardError::PinBlocked {
                pin: PinKind::JpkiAuth
            })
        );
    }

    #[test]
    fn blocked_counter_sends_no_verify() {
        for counter in ["63C0", "6984"] {
            let mock = script(counter, None);
            assert_eq!(
                run(&mock, true),
                Err(CardError::PinBlocked {
                    pin: PinKind::JpkiAuth
                })
            );
            mock.assert_done();
            assert_eq!(mock.pin_verifies(), 0);
        }
    }

    #[test]
    fn last_attempt_needs_consent() {
        let mock = script("63C1", None);
        assert_eq!(
            run(&mock, false),
            Err(CardError::LastAttemptNeedsConsent {
                pin: PinKind::JpkiAuth
            })
        );
        assert_eq!(mock.pin_verifies(), 0);
        mock.assert_done();
        let mock = script("63C1", Some("9000"));
        assert_eq!(run(&mock, true), Ok(PinCounter::Remaining(1)));
        assert_eq!(mock.pin_verifies(), 1);
    }

    #[test]
    fn unexpected_answers_are_typed() {
        let mock = script("6A82", None);
        assert_eq!(
            run(&mock, false),
            Err(CardError::UnexpectedStatus {
                sw: StatusWord::FileNotFound
            })
        );
        let mock = MockTransport::new().expect("00A4020C020018", "6A82");
        assert!(matches!(
            run(&mock, false),
            Err(CardError::UnexpectedStatus { .. })
        ));
        assert_eq!(mock.log().len(), 1);
    }

    #[test]
    fn transport_failure_at_each_step_never_resends_verify() {
        for index in 0..3 {
            for error in [
                TransportError::TagLost,
                TransportError::Timeout,
                TransportError::Other {
                    reason: "reader unplugged".into(),
                },
            ] {
                let mock = script("63C3", Some("9000")).fail_at(index, error.clone());
                let err = run(&mock, false).unwrap_err();
                assert!(mock.pin_verifies() <= 1);
                assert_eq!(
                    mock.log().len(),
                    index + 1,
                    "nothing sent after the failure"
                );
                assert_eq!(err, CardError::from_transport(error, index == 2));
                assert_eq!(err.verify_in_flight(), index == 2);
            }
        }
    }
}
