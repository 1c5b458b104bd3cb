//! Signed eligibility documents (architecture.md, "Signed eligibility documents and sync";
//! the format is written up in docs/protocol.md, "Document format").
//!
//! - An issuer signs each member's eligibility as a tagged COSE_Sign1 with ES256 over a CBOR
//!   map with small integer keys: [`sign_document`], [`verify_document`].
//! - Issuer keys come from a [`TrustList`] signed by a root key pinned in the app; documents
//!   from unknown, expired or out-of-scope keys are refused, and trust-list versions only move
//!   forward.
//! - Beside each full document the issuer signs a [`PresentationDocument`] (format 2): only
//!   what a clinic needs, with a salted holder binding ([`sign_presentation`]). A clinic
//!   verifies what it scans, format 2 or a format 1 full document, with
//!   [`verify_presentation`].
//! - Signed bytes (a presentation, or a full document synced before presentations existed)
//!   travel as a QR payload `SK1:` + Base45(zlib(…)): [`to_qr_payload`], [`from_qr_payload`].
//! - Stored records keep [`crate::eligibility::Provenance::IssuerSigned`] and are re-verified
//!   with [`reverify_provenance`] / [`reverify_stored_record`].
//!
//! Everything here is pure: no I/O, no clock (callers pass `now`), no store.
//!
//! Decoding is strict everywhere: input over [`MAX_SIGNED_BYTES`] is refused before parsing,
//! duplicate map keys, unknown keys, wrong types, trailing bytes and non-canonical encodings
//! are refused, and every decoded record is validated again with the model's own rules.

mod cbor;
mod cose;
mod error;
mod format;
mod presentation;
mod qr;
mod rollback;
#[cfg(test)]
pub(crate) mod testkit;
#[cfg(test)]
mod tests;
mod trust;
mod verify;

#[doc(hidden)]
pub use cose::forget_verified_signatures;
pub use error::DocumentError;
pub use format::EligibilityDocument;
pub use p256::ecdsa::{SigningKey, VerifyingKey};
pub use presentation::{
    PresentationDocument, PresentedFormat, PresentedRecord, SALT_LEN, SaltedBinding, Validity,
    Verdict, VerifiedPresentation, check_presentation_holder, presentation_matches_document,
    presentation_of, sign_presentation, verify_presentation, verify_presentation_document,
};
pub use qr::{from_qr_payload, to_qr_payload};
pub use rollback::{document_version_untimed, trust_list_untimed, trust_update_is_rollback};
pub use trust::{IssuerKey, TrustList};
pub use verify::{
    VerifiedDocument, check_holder, reverify_provenance, reverify_stored_record, sign_document,
    verify_document,
};

/// The largest signed document or trust list accepted (and the most a QR payload may inflate
/// to): 16 KiB.
pub const MAX_SIGNED_BYTES: usize = 16 * 1024;

/// The version of the payload layouts, key 0 of the document and trust-list maps.
pub const FORMAT_VERSION: u64 = 1;

/// COSE content type (header 3) of a document.
pub const DOCUMENT_CONTENT_TYPE: &str = "application/vnd.shikaku.eligibility+cbor";

/// The version of the presentation document's layout (key 0 of its map): format 2.
pub const PRESENTATION_FORMAT_VERSION: u64 = 2;

/// COSE content type (header 3) of a presentation document: a type of its own, so that a
/// presentation is never taken for a full document, nor the reverse.
pub const PRESENTATION_CONTENT_TYPE: &str = "application/vnd.shikaku.presentation+cbor";

/// COSE content type (header 3) of a trust list.
pub const TRUST_LIST_CONTENT_TYPE: &str = "application/vnd.shikaku.trust-list+cbor";

/// The prefix of a QR payload.
pub const QR_PREFIX: &str = "SK1:";
