//! A virtual My Number Card (マイナンバーカード) for tests and the demo.
//!
//! It answers the same APDUs as a real card — the 公的個人認証AP (JPKI) and the
//! 券面事項入力補助AP — with the status words, PIN counters and file layouts described in
//! `docs/card-protocol.md`. It is written independently of `shikaku-core`'s reader (only the
//! [`CardTransport`](shikaku_core::card::CardTransport) seam and the core's day in Japan are
//! shared), so each keeps the other honest.
//!
//! **All keys are TEST keys** derived deterministically from the profile seed (see [`keys`]);
//! the certificates chain to a TEST CA ([`test_ca_pem`], `O=JPKI-TEST`), never to J-LIS.
//!
//! ```no_run
//! use shikaku_core::card::CardTransport;
//! use shikaku_vcard::{Profile, VirtualCard};
//!
//! let card = VirtualCard::new(Profile::load("examples/vcard-yamada-taro.toml")?)?;
//! let sw = card.transceive(&[0x00, 0xA4, 0x04, 0x0C, 0x0A,
//!     0xD3, 0x92, 0xF0, 0x00, 0x26, 0x01, 0x00, 0x00, 0x00, 0x01])?;
//! assert_eq!(sw, [0x90, 0x00]);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! As a process, [`vpcd::serve`] connects the card to pcscd's vpcd driver.

pub mod card;
pub mod keys;
pub mod profile;
pub mod vpcd;

use std::path::Path;

pub use card::{
    ATR, Application, Fault, JPKI_AID, LogEntry, Outcome, PinRef, Quirks, Selection, TEXT_AID,
    VirtualCard,
};
pub use keys::{KeyError, test_ca_der, test_ca_pem, test_sign_ca_der, test_sign_ca_pem};
pub use profile::{Profile, ProfileError, Sex};

/// Why a card could not be made from a profile file.
#[derive(Debug, thiserror::Error)]
pub enum VcardError {
    /// The profile is unreadable or invalid.
    #[error(transparent)]
    Profile(#[from] ProfileError),
    /// Keys or certificates could not be made.
    #[error(transparent)]
    Keys(#[from] KeyError),
}

/// Loads a profile file and builds its card.
pub fn card_from_profile_path(path: impl AsRef<Path>) -> Result<VirtualCard, VcardError> {
    Ok(VirtualCard::new(Profile::load(path)?)?)
}

#[cfg(test)]
mod tests;
