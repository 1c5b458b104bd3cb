//! The patient's My Number Card at the desk, on the desk's reader (PC/SC, or a tablet's NFC
//! through [`CardTransport`]), checked against the presentation just verified
//! (docs/clinic.md, "The card at the desk").
//!
//! - Without a PIN: the 利用者証明用 certificate (read freely) must chain to J-LIS and match the
//!   presentation's holder binding → 「この資格情報に結び付いたカード（PIN未確認）」; the
//!   receptionist then compares the card's photo with the patient (目視).
//! - With the PIN (typed by the patient on the desk's device): the same first, then the card
//!   signs a fresh random challenge behind the phone's PIN guard (counter first, no resend,
//!   the last try only with consent) → 「本人確認済み（PIN）」.
//!
//! A card that is not the document's is [`ClinicError::CardMismatch`], found before any PIN is
//! sent; never a silent pass.

use chrono::{DateTime, Utc};
use rand_core::{OsRng, RngCore};

use super::ClinicError;
use super::claim::CardCheckMethod;
use super::verify::DeskVerification;
use crate::card::{
    CardError, CardTransport, KeyFingerprint, Pin, TrustStore, read_verified_auth_certificate,
    sign_challenge_of_card,
};
use crate::document::{PresentedFormat, VerifiedPresentation, check_presentation_holder};

/// The PIN the patient typed on the desk's device, checked for its format (four ASCII digits,
/// the phone's [`Pin`] check) before anything is sent, and whether they consented to spend the
/// last try. Its digits are wiped on drop and never shown by `Debug`.
pub struct DeskPin {
    pin: Pin,
    allow_last_attempt: bool,
}

impl DeskPin {
    /// The desk PIN from its bytes as typed (an app's `ByteArray` / `Data`, or a prompt's text
    /// as bytes), never made into a `String`; `allow_last_attempt` sends the VERIFY even when
    /// only one try is left (the patient consented). Anything but four ASCII digits is
    /// [`CardError::InvalidPinFormat`], and nothing is sent.
    pub fn from_bytes(pin: &[u8], allow_last_attempt: bool) -> Result<DeskPin, CardError> {
        Ok(DeskPin {
            pin: Pin::from_bytes(pin)?,
            allow_last_attempt,
        })
    }
}

impl std::fmt::Debug for DeskPin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DeskPin")
            .field("allow_last_attempt", &self.allow_last_attempt)
            .finish_non_exhaustive()
    }
}

/// What identifies the presentation a card check was made against.
#[derive(Debug, Clone, PartialEq, Eq)]
struct PresentationRef {
    kid: String,
    issued_at: DateTime<Utc>,
    binding: Vec<u8>,
}

impl PresentationRef {
    fn of(p: &VerifiedPresentation) -> PresentationRef {
        let binding = match &p.format {
            PresentedFormat::Presentation => p
                .document
                .holder
                .map(|h| [h.salt.as_slice(), h.hash.as_slice()].concat())
                .unwrap_or_default(),
            PresentedFormat::FullDocument { holder_binding } => {
                holder_binding.map(|b| b.to_vec()).unwrap_or_default()
            }
        };
        PresentationRef {
            kid: p.kid.clone(),
            issued_at: p.document.issued_at,
            binding,
        }
    }
}

/// A card that matched a verified presentation at the desk. Only
/// [`check_card_at_desk`] makes one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeskCardCheck {
    pin_verified: bool,
    key_fingerprint: KeyFingerprint,
    certificate_not_after: DateTime<Utc>,
    presentation: PresentationRef,
}

impl DeskCardCheck {
    /// True when the card signed the desk's fresh challenge after the PIN.
    pub fn pin_verified(&self) -> bool {
        self.pin_verified
    }

    /// SHA-256 of the card's 利用者証明用 key.
    pub fn key_fingerprint(&self) -> KeyFingerprint {
        self.key_fingerprint
    }

    /// The card certificate's notAfter.
    pub fn certificate_not_after(&self) -> DateTime<Utc> {
        self.certificate_not_after
    }

    /// What the desk shows for a card that is not the card of the presented document
    /// ([`super::ClinicError::CardMismatch`]), beside the outcome's own words
    /// (`DeskOutcome::basis_ja`: never 確認済み, never recorded).
    pub const MISMATCH_LABEL_JA: &'static str =
        "このカードは、この資格情報の本人のカードではありません";

    /// What the desk shows.
    pub fn label_ja(&self) -> &'static str {
        if self.pin_verified {
            "本人確認済み（PIN）"
        } else {
            "この資格情報に結び付いたカード（PIN未確認）"
        }
    }

    /// True when this check was made against `p`.
    pub(super) fn is_for(&self, p: &VerifiedPresentation) -> bool {
        self.presentation == PresentationRef::of(p)
    }

    /// How the visit log records it: PIN; or 目視 when the receptionist compared the photo;
    /// otherwise no card check (a card that matched but whose holder nobody looked at proves
    /// nothing about the person at the desk).
    pub(super) fn method(&self, face_compared: bool) -> CardCheckMethod {
        if self.pin_verified {
            CardCheckMethod::Pin
        } else if face_compared {
            CardCheckMethod::Visual
        } else {
            CardCheckMethod::None
        }
    }
}

/// Checks the card on `transport` against the presentation of `verification` (which must have
/// verified): the certificate chain to `trust` and the holder binding first, without a PIN;
/// then, with `pin`, a signature over a fresh challenge. Nothing is stored.
pub fn check_card_at_desk(
    transport: &dyn CardTransport,
    verification: &DeskVerification,
    pin: Option<DeskPin>,
    trust: &TrustStore,
    now: DateTime<Utc>,
) -> Result<DeskCardCheck, ClinicError> {
    let p = verification
        .presentation
        .as_ref()
        .ok_or(ClinicError::NotRecordable)?;
    // A document with no holder binding cannot be matched to any card: say so, rather than
    // calling the patient's card another person's (nothing is read).
    if !verification.holder_bound() {
        return Err(ClinicError::NoHolderBinding);
    }
    // 1. No PIN: the certificate, its chain, and the binding. A wrong card stops here.
    let (certificate, _chain) = read_verified_auth_certificate(transport, trust, now)?;
    check_presentation_holder(p, certificate.spki_der()).map_err(|_| ClinicError::CardMismatch)?;
    let mut check = DeskCardCheck {
        pin_verified: false,
        key_fingerprint: certificate.key_fingerprint(),
        certificate_not_after: certificate.not_after(),
        presentation: PresentationRef::of(p),
    };
    // 2. With the PIN: a fresh challenge signed by the same card's key.
    if let Some(pin) = pin {
        let mut challenge = [0u8; 32];
        OsRng
            .try_fill_bytes(&mut challenge)
            .map_err(|_| CardError::RandomUnavailable)?;
        // The card on the reader now must be the one just matched: its certificate is
        // compared before the PIN guard, so a card swapped between the two sessions costs
        // no try.
        sign_challenge_of_card(
            transport,
            &pin.pin,
            &challenge,
            pin.allow_last_attempt,
            |der| der == certificate.der(),
        )?
        .ok_or(ClinicError::CardMismatch)?;
        check.pin_verified = true;
    }
    Ok(check)
}
