//! My Number Card checks over ISO 7816 (公的個人認証AP and 券面事項入力補助AP).
//!
//! The platform moves bytes through [`CardTransport`]; everything else happens here:
//! short APDUs with `61xx`/`6Cxx` handling ([`apdu`]), chunked reads of TLV files, the JPKI
//! AP ([`jpki`]), the 券面事項入力補助AP ([`text_ap`], which cannot reach the 個人番号), the
//! PIN guard ([`pin`]), the J-LIS certificate chain ([`cert`]) and the card check itself
//! ([`check_card`]). Nothing here stores anything.

pub mod apdu;
pub mod cert;
mod check;
mod error;
mod holder;
pub mod jpki;
mod matching;
mod message_ja;
#[cfg(test)]
pub(crate) mod mock;
pub mod pin;
mod read_binary;
pub mod status;
pub mod text_ap;
pub mod tlv;
mod transport;

pub use cert::{
    AnchorSource, CardCertificate, ChainStatus, EmbeddedRoot, JLIS_ROOTS, KeyFingerprint,
    RootUsage, TrustStore,
};
pub(crate) use check::sign_challenge_of_card;
pub use check::{
    BasicInfoOutcome, CardCheck, CardStatus, CertificateSummary, CheckOptions, SignatureStatus,
    SignedChallenge, TextApFailure, card_status, check_card, read_auth_ca_certificate,
    sign_challenge,
};
pub use error::{CardError, PinKind};
pub use holder::read_verified_auth_certificate;
pub use jpki::CardKind;
pub use matching::{FieldComparison, MemberMatch, match_member};
pub use message_ja::CardAudience;
pub use pin::{Pin, PinCounter};
pub use status::StatusWord;
pub use text_ap::{BasicInfo, BasicInfoError, CardSex, parse_basic_info};
pub use transport::{CardTransport, TransportError};
