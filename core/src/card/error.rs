//! The one error type of card operations.
//!
//! Messages never contain a PIN, a name, an address, a birth date or any other card data.

use chrono::{DateTime, Utc};

use super::status::StatusWord;
use super::transport::TransportError;

/// Which PIN of the card an error is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub enum PinKind {
    /// The 利用者証明用電子証明書 PIN of the JPKI AP (key EF `0018`, 4 digits, 3 tries).
    JpkiAuth,
    /// The PIN of the 券面事項入力補助AP (key EF `0011`, 4 digits).
    TextAp,
}

impl std::fmt::Display for PinKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Self::JpkiAuth => "利用者証明用 (user authentication) PIN",
            Self::TextAp => "券面事項入力補助 (card text) PIN",
        })
    }
}

/// Why a card operation failed.
///
/// The transport variants carry `verify_in_flight`: when it is `true`, a VERIFY with the PIN
/// had been sent and no answer arrived, so the card may or may not have counted a wrong try.
/// The caller must re-read the retry counter (with the card back in the field) before asking
/// for the PIN again; the core never resends a VERIFY on its own.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CardError {
    /// The PIN is not exactly four ASCII digits; nothing was sent to the card.
    #[error("the PIN must be exactly 4 digits")]
    InvalidPinFormat,
    /// The card rejected the PIN.
    #[error("wrong {pin}; tries left: {retries_left}")]
    WrongPin {
        /// Tries left after this failure (at least 1; 0 is reported as [`CardError::PinBlocked`]).
        retries_left: u8,
        /// Which PIN was wrong.
        pin: PinKind,
    },
    /// The PIN is blocked; only the municipal office can reset it.
    #[error(
        "the {pin} is blocked; it can only be reset at the municipal office (市区町村の窓口) \
         with the card"
    )]
    PinBlocked {
        /// Which PIN is blocked.
        pin: PinKind,
    },
    /// Only one try is left and the caller did not pass `allow_last_attempt`; nothing was sent.
    #[error(
        "only one try is left for the {pin}; a wrong PIN now would block it, so the last \
         attempt needs explicit consent"
    )]
    LastAttemptNeedsConsent {
        /// Which PIN is at its last try.
        pin: PinKind,
    },
    /// The card says the PIN is already verified, so its retry counter cannot be read: no PIN
    /// is sent (a wrong one would spend a try blind). Presenting the card again resets it.
    #[error(
        "the card reports the {pin} as already verified, so its tries left are unknown; \
         remove the card and present it again"
    )]
    PinStateUnknown {
        /// Which PIN.
        pin: PinKind,
    },
    /// The card has no JPKI application (or an unknown token): not a My Number Card.
    #[error("this card is not a My Number Card")]
    NotAMyNumberCard,
    /// The card left the field.
    #[error("the card was removed or lost contact{}", in_flight_note(*verify_in_flight))]
    TagLost {
        /// A VERIFY was sent and not answered: re-read the counter before retrying.
        verify_in_flight: bool,
    },
    /// The card did not answer in time.
    #[error("the card did not answer in time{}", in_flight_note(*verify_in_flight))]
    Timeout {
        /// A VERIFY was sent and not answered: re-read the counter before retrying.
        verify_in_flight: bool,
    },
    /// Another transport failure.
    #[error("card transport failed: {reason}{}", in_flight_note(*verify_in_flight))]
    Transport {
        /// The platform's data-free description.
        reason: String,
        /// A VERIFY was sent and not answered: re-read the counter before retrying.
        verify_in_flight: bool,
    },
    /// The card answered with a status word the operation does not expect.
    #[error("the card answered with status {sw}")]
    UnexpectedStatus {
        /// The status word.
        sw: StatusWord,
    },
    /// Bytes from the card (a response, a TLV file, a certificate) are malformed.
    #[error("malformed card data: {what}")]
    Malformed {
        /// What was wrong, without the data itself.
        what: String,
    },
    /// The certificate is past its notAfter at the time of the check.
    #[error("the card's certificate expired on {not_after}")]
    CertificateExpired {
        /// The certificate's notAfter.
        not_after: DateTime<Utc>,
    },
    /// The certificate's notBefore is after the time of the check.
    #[error("the card's certificate is not valid before {not_before}")]
    CertificateNotYetValid {
        /// The certificate's notBefore.
        not_before: DateTime<Utc>,
    },
    /// No trust anchor (embedded J-LIS root or caller-supplied) signed the certificate, or
    /// it uses an algorithm other than sha256WithRSAEncryption.
    #[error("the card's certificate is not issued by a trusted J-LIS root")]
    UntrustedCertificate,
    /// The certificate is not a card's 利用者証明用 certificate: its keyUsage does not allow
    /// digitalSignature, it is a CA certificate, or it lacks the JPKI auth policy.
    #[error(
        "the card's certificate is not a 利用者証明用 signature certificate (keyUsage, CA flag or policy)"
    )]
    CertificateKeyUsage,
    /// The card's signature over the challenge does not verify with its certificate's key.
    #[error("the card's signature does not verify with its certificate")]
    BadSignature,
    /// The operating system's random generator failed (no challenge could be made).
    #[error("the system random generator is unavailable")]
    RandomUnavailable,
}

fn in_flight_note(verify_in_flight: bool) -> &'static str {
    if verify_in_flight {
        " while the PIN was being checked; re-read the retry counter before trying again"
    } else {
        ""
    }
}

impl CardError {
    /// Maps a transport failure, recording whether a VERIFY was in flight.
    pub fn from_transport(error: TransportError, verify_in_flight: bool) -> Self {
        match error {
            TransportError::TagLost => Self::TagLost { verify_in_flight },
            TransportError::Timeout => Self::Timeout { verify_in_flight },
            TransportError::Other { reason } => Self::Transport {
                reason,
                verify_in_flight,
            },
        }
    }

    /// True when a VERIFY was sent and no answer arrived: the retry counter must be re-read
    /// before the PIN is asked for again.
    pub fn verify_in_flight(&self) -> bool {
        match self {
            Self::TagLost { verify_in_flight }
            | Self::Timeout { verify_in_flight }
            | Self::Transport {
                verify_in_flight, ..
            } => *verify_in_flight,
            _ => false,
        }
    }

    pub(crate) fn malformed(what: impl Into<String>) -> Self {
        Self::Malformed { what: what.into() }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    #[test]
    fn messages_are_data_free_and_explain_the_block() {
        let blocked = CardError::PinBlocked {
            pin: PinKind::JpkiAuth,
        }
        .to_string();
        assert!(blocked.contains("市区町村の窓口"), "{blocked}");
        let lost = CardError::from_transport(TransportError::TagLost, true);
        assert!(lost.verify_in_flight());
        assert!(lost.to_string().contains("re-read the retry counter"));
        let quiet = CardError::from_transport(TransportError::Timeout, false);
        assert!(!quiet.verify_in_flight());
        assert_eq!(quiet.to_string(), "the card did not answer in time");
        assert_eq!(
            CardError::WrongPin {
                retries_left: 2,
                pin: PinKind::TextAp
            }
            .to_string(),
            "wrong 券面事項入力補助 (card text) PIN; tries left: 2"
        );
    }
}
