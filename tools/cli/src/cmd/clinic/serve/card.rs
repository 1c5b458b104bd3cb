//! The card on the desk's reader, checked from the desk page (`clinic serve --card READER`):
//! the core's `check_card_at_desk` against the verification on the page, without a PIN or with
//! the PIN the patient typed, and the PIN's tries left as the core reads them. The PIN guard
//! (the counter first, the last try only with consent, a VERIFY never resent after a transport
//! error) is the core's: this file passes the patient's consent through as the core's
//! `allow_last_attempt` and turns the answers into what the page shows.

use std::path::PathBuf;
use std::sync::{Mutex, PoisonError};

use anyhow::{Result, bail};
use chrono::Utc;
use shikaku_core::card::{
    CardAudience, CardError, CardTransport, PinCounter, TrustStore, card_status,
};
use shikaku_core::clinic::{
    ClinicError, DeskCardCheck, DeskPin, DeskVerification, check_card_at_desk,
};

use super::super::desk::card_trust;
use crate::transport::reader::{Reader, open_reader};

/// Where the card is read.
enum CardReader {
    /// The virtual card, loaded once: one card that stays on the reader for the whole run, so
    /// its PIN counter carries from check to check as a real card's does.
    Held(Reader),
    /// A PC/SC reader, connected (exclusively) for each check and released after it: the next
    /// patient brings another card.
    PerCheck(String),
}

/// The desk's card reader and the anchors its cards' certificates must chain to.
pub(super) struct CardDesk {
    reader: CardReader,
    trust: TrustStore,
    /// One check at a time: the commands of two checks interleaved on one card could send a
    /// PIN to a key whose counter the core did not read.
    busy: Mutex<()>,
}

/// What a check found.
pub(super) enum CardResult {
    /// The card is the one the document is bound to (with the PIN: it signed the challenge).
    Matched(DeskCardCheck),
    /// Another card than the document's: refused before any PIN was sent.
    Mismatch,
    /// No answer either way (the PIN, the reader, the certificate): what to tell the desk.
    Failed(String),
}

/// A check's result and, when the core reported it, the PIN's counter.
pub(super) struct CardOutcome {
    /// What the check found.
    pub result: CardResult,
    /// The 利用者証明用 PIN's counter, as the core read or reported it.
    pub tries: Option<PinCounter>,
}

impl CardDesk {
    /// The reader named by `spec` (`vcard:PROFILE.toml`, `pcsc` or `pcsc:NAME`), trusting
    /// J-LIS, `extra_anchors` and, for the virtual card, its TEST CA. A virtual card is loaded
    /// now; a PC/SC reader is connected at each check (it may hold no card yet).
    pub(super) fn open(spec: &str, extra_anchors: &[PathBuf]) -> Result<CardDesk> {
        let reader = if spec.starts_with("vcard:") {
            CardReader::Held(open_reader(spec)?)
        } else if spec == "pcsc" || spec.starts_with("pcsc:") {
            if !cfg!(feature = "pcsc") {
                // Without the feature this fails, with the message that names it.
                open_reader(spec)?;
            }
            CardReader::PerCheck(spec.to_owned())
        } else {
            bail!("--card must be pcsc, pcsc:NAME or vcard:PROFILE.toml");
        };
        let trust = card_trust(extra_anchors, matches!(reader, CardReader::Held(_)))?;
        Ok(CardDesk {
            reader,
            trust,
            busy: Mutex::new(()),
        })
    }

    /// What to call the reader in messages.
    pub(super) fn label(&self) -> String {
        match &self.reader {
            CardReader::Held(r) => format!("{} — its TEST CA is trusted", r.label),
            CardReader::PerCheck(spec) => format!("{spec} (connected for each check)"),
        }
    }

    /// Checks the card against `verification`: without a PIN (the chain and the holder
    /// binding; then the PIN's counter is read, no try spent), or with `pin` = the PIN's bytes
    /// and the patient's consent to spend the last try. The PIN is checked for its format
    /// before anything is sent, and is wiped when the check returns.
    pub(super) fn check(
        &self,
        verification: &DeskVerification,
        pin: Option<(&[u8], bool)>,
    ) -> CardOutcome {
        let pin = match pin
            .map(|(digits, consent)| DeskPin::from_bytes(digits, consent))
            .transpose()
        {
            Ok(pin) => pin,
            Err(e) => return failure(&ClinicError::Card(e)),
        };
        let _busy = self.busy.lock().unwrap_or_else(PoisonError::into_inner);
        let opened;
        let transport: &dyn CardTransport = match &self.reader {
            CardReader::Held(r) => r.transport.as_ref(),
            CardReader::PerCheck(spec) => match open_reader(spec) {
                Ok(r) => {
                    opened = r;
                    opened.transport.as_ref()
                }
                Err(e) => {
                    return CardOutcome {
                        result: CardResult::Failed(format!(
                            "カードを読めませんでした。カードをリーダーに置いてから、\
                             もう一度押してください（{e}）。"
                        )),
                        tries: None,
                    };
                }
            },
        };
        let with_pin = pin.is_some();
        match check_card_at_desk(transport, verification, pin, &self.trust, Utc::now()) {
            Ok(check) => CardOutcome {
                result: CardResult::Matched(check),
                // Before the patient types the PIN: how many tries are left (an empty VERIFY).
                tries: if with_pin {
                    None
                } else {
                    card_status(transport).ok().map(|s| s.auth_pin)
                },
            },
            Err(e) => failure(&e),
        }
    }
}

/// What the page shows for a failed check; the messages hold no card data (the core's
/// errors hold none either).
fn failure(e: &ClinicError) -> CardOutcome {
    let (message, tries) = match e {
        ClinicError::CardMismatch => {
            return CardOutcome {
                result: CardResult::Mismatch,
                tries: None,
            };
        }
        ClinicError::Card(c) => card_failure(c),
        other => (format!("カードを確認できませんでした（{other}）。"), None),
    };
    CardOutcome {
        result: CardResult::Failed(message),
        tries,
    }
}

/// A failed card check at the desk: the core's words for the receptionist
/// ([`CardError::message_ja`]) and what is known of the PIN's tries after it.
fn card_failure(e: &CardError) -> (String, Option<PinCounter>) {
    let tries = match e {
        CardError::WrongPin { retries_left, .. } => Some(PinCounter::Remaining(*retries_left)),
        CardError::PinBlocked { .. } => Some(PinCounter::Blocked),
        CardError::LastAttemptNeedsConsent { .. } => Some(PinCounter::Remaining(1)),
        _ => None,
    };
    (e.message_ja(CardAudience::Desk), tries)
}

#[cfg(test)]
mod tests {
    use shikaku_core::card::{PinKind, TransportError};

    use super::*;

    fn outcome(e: CardError) -> (String, Option<PinCounter>) {
        match failure(&ClinicError::Card(e)) {
            CardOutcome {
                result: CardResult::Failed(message),
                tries,
            } => (message, tries),
            _ => panic!("not a failure"),
        }
    }

    #[test]
    fn failures_carry_the_tries_the_core_reported() {
        let pin = PinKind::JpkiAuth;
        let (message, tries) = outcome(CardError::WrongPin {
            retries_left: 2,
            pin,
        });
        assert!(message.contains("残り2回"), "{message}");
        assert_eq!(tries, Some(PinCounter::Remaining(2)));
        let (message, tries) = outcome(CardError::LastAttemptNeedsConsent { pin });
        assert!(message.contains("PINは送っていません"), "{message}");
        assert_eq!(tries, Some(PinCounter::Remaining(1)));
        assert_eq!(
            outcome(CardError::PinBlocked { pin }).1,
            Some(PinCounter::Blocked)
        );
        // A VERIFY without an answer: the counter is unknown, the PIN not resent.
        let (message, tries) = outcome(CardError::from_transport(TransportError::TagLost, true));
        assert!(message.contains("再送していません"), "{message}");
        assert_eq!(tries, None);
        let (message, _) = outcome(CardError::from_transport(TransportError::TagLost, false));
        assert!(message.contains("置き直して"), "{message}");
        assert!(!message.contains("再送"), "{message}");
    }

    #[test]
    fn another_card_is_a_refusal_not_a_message() {
        assert!(matches!(
            failure(&ClinicError::CardMismatch),
            CardOutcome {
                result: CardResult::Mismatch,
                tries: None
            }
        ));
    }
}
