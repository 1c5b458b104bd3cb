//! shikaku-core: the whole domain of shikaku, with no FFI types and no global state.
//!
//! Data flows one way: bytes from a card, a server or a user are parsed, verified, stored
//! encrypted, and turned into view models.
//!
//! - [`clock`]: the one "today" of the domain, the calendar day in Japan.
//! - [`eligibility`]: members, households, eligibility records and their validation.
//! - [`store`]: the encrypted SQLite household store and the [`store::KeyStore`] seam.
//! - [`card`]: ISO 7816 APDUs, the [`card::CardTransport`] seam and My Number Card checks.
//! - [`document`]: signed eligibility documents (COSE_Sign1/ES256), the trust list, the QR form.
//! - [`sync`]: the [`sync::http::HttpTransport`] seam and the download protocol.
//! - [`clinic`]: the clinic desk's encrypted store, tamper-evident visit log and export.
//! - [`screen`]: the view models the apps lay out, 和暦, expiry rules and guidance.

pub mod card;
pub mod clinic;
pub mod clock;
pub mod document;
pub mod eligibility;
pub mod screen;
pub mod store;
pub mod sync;
