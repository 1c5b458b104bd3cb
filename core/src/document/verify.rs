//! The signature side of a document: signing it, verifying it against the trust list (the
//! key's id, validity period and 保険者番号 scope), the holder binding, and re-verifying
//! stored records.

use chrono::{DateTime, Utc};
use p256::ecdsa::SigningKey;

use super::cbor::{self, malformed};
use super::cose;
use super::format::{EligibilityDocument, decode_payload, to_value};
use super::trust::TrustList;
use super::{DOCUMENT_CONTENT_TYPE, DocumentError};
use crate::card::KeyFingerprint;
use crate::eligibility::{Provenance, StoredRecord};

/// A document whose signature, key and content have been checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifiedDocument {
    /// The decoded, validated document.
    pub document: EligibilityDocument,
    /// The id of the issuer key that signed it.
    pub kid: String,
    /// The exact signed bytes (the tagged COSE_Sign1), to store and show.
    pub signed_bytes: Vec<u8>,
}

impl VerifiedDocument {
    /// The provenance to store with the record: [`Provenance::IssuerSigned`].
    pub fn provenance(&self) -> Provenance {
        Provenance::IssuerSigned {
            key_id: self.kid.clone(),
            signed_bytes: self.signed_bytes.clone(),
        }
    }
}

/// Signs `doc` with the issuer key `signing_key` whose trust-list id is `kid`. The document
/// is validated first (the same rules a verifier applies); times are carried in whole seconds.
pub fn sign_document(
    doc: &EligibilityDocument,
    signing_key: &SigningKey,
    kid: &str,
) -> Result<Vec<u8>, DocumentError> {
    if !cose::kid_is_valid(kid) {
        return Err(malformed("kid", "must be 1–64 of A–Z a–z 0–9 - . _ :"));
    }
    doc.validate()?;
    let payload = cbor::encode(&to_value(doc)?, "document")?;
    cose::sign(payload, DOCUMENT_CONTENT_TYPE, Some(kid), signing_key)
}

/// Verifies a signed document against `trust` at `now`: at most 16 KiB, a strict tagged
/// COSE_Sign1, ES256, a kid in the trust list, that key valid at `now`, the signature, the
/// strict payload layout and the model's rules, and the key allowed to sign for the record's
/// 保険者番号. The document's own `valid_until` is *not* enforced here: an expired document is
/// still authentic (see [`EligibilityDocument::is_expired`]).
pub fn verify_document(
    bytes: &[u8],
    trust: &TrustList,
    now: DateTime<Utc>,
) -> Result<VerifiedDocument, DocumentError> {
    let opened = cose::open(bytes, DOCUMENT_CONTENT_TYPE)?;
    let kid = opened
        .kid
        .ok_or(malformed("protected header", "missing kid"))?;
    let key = trust
        .key(&kid)
        .ok_or_else(|| DocumentError::UnknownKey { kid: kid.clone() })?;
    if !key.is_valid_at(now) {
        return Err(DocumentError::KeyExpired);
    }
    cose::verify(&key.verifying_key()?, &opened.tbs, &opened.signature)?;
    let document = decode_payload(&opened.payload)?;
    if !key.insurers.contains(&document.record.insurer_number) {
        return Err(DocumentError::KeyNotAllowedForInsurer);
    }
    Ok(VerifiedDocument {
        document,
        kid,
        signed_bytes: bytes.to_vec(),
    })
}

/// Checks that `doc` is bound to the card whose JPKI auth key has `card`'s fingerprint. A
/// document without a holder binding matches no card.
pub fn check_holder(doc: &EligibilityDocument, card: &KeyFingerprint) -> Result<(), DocumentError> {
    match doc.holder_binding {
        Some(b) if b == card.0 => Ok(()),
        _ => Err(DocumentError::HolderMismatch),
    }
}

/// Re-verifies a stored [`Provenance::IssuerSigned`] against `trust` at `now` (as
/// [`verify_document`]) and checks that the stored key id is the one that signed. Returns the
/// verified document, whose record the caller compares with the stored one (or use
/// [`reverify_stored_record`]).
pub fn reverify_provenance(
    provenance: &Provenance,
    trust: &TrustList,
    now: DateTime<Utc>,
) -> Result<VerifiedDocument, DocumentError> {
    let Provenance::IssuerSigned {
        key_id,
        signed_bytes,
    } = provenance
    else {
        return Err(DocumentError::NotIssuerSigned);
    };
    let verified = verify_document(signed_bytes, trust, now)?;
    if verified.kid != *key_id {
        return Err(DocumentError::StoredMismatch);
    }
    Ok(verified)
}

/// [`reverify_provenance`] for a stored record, and the stored record must equal the signed
/// one. A record that fails this must be shown as invalid, never as verified.
pub fn reverify_stored_record(
    stored: &StoredRecord,
    trust: &TrustList,
    now: DateTime<Utc>,
) -> Result<VerifiedDocument, DocumentError> {
    let verified = reverify_provenance(&stored.provenance, trust, now)?;
    if verified.document.record != stored.record {
        return Err(DocumentError::StoredMismatch);
    }
    Ok(verified)
}
