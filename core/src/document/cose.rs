//! COSE_Sign1 with ES256, as used by both documents and the trust list: one tagged
//! `COSE_Sign1` (tag 18), protected header `{1: -7, 3: content type, ?4: kid}`, empty
//! unprotected header, attached payload, 64-byte `r‖s` signature, empty external AAD.

use ciborium::Value;
use coset::{
    AsCborValue, CoseSign1, CoseSign1Builder, HeaderBuilder, RegisteredLabelWithPrivate, iana,
};
use p256::ecdsa::signature::{Signer, Verifier};
use p256::ecdsa::{Signature, SigningKey, VerifyingKey};

use super::cbor::{self, malformed};
use super::{DocumentError, MAX_SIGNED_BYTES};

/// CBOR tag of a COSE_Sign1 (RFC 9052).
const COSE_SIGN1_TAG: u64 = 18;

/// True for a key id the formats accept: 1–64 of `A–Z a–z 0–9 - . _ :`. Restricting it keeps
/// it safe to show in errors and logs.
pub(crate) fn kid_is_valid(kid: &str) -> bool {
    (1..=64).contains(&kid.len())
        && kid
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b':'))
}

/// Signs `payload` as a tagged COSE_Sign1 (ES256).
pub(crate) fn sign(
    payload: Vec<u8>,
    content_type: &str,
    kid: Option<&str>,
    key: &SigningKey,
) -> Result<Vec<u8>, DocumentError> {
    let mut header = HeaderBuilder::new()
        .algorithm(iana::Algorithm::ES256)
        .content_type(content_type.to_owned());
    if let Some(kid) = kid {
        header = header.key_id(kid.as_bytes().to_vec());
    }
    let sign1 = CoseSign1Builder::new()
        .protected(header.build())
        .payload(payload)
        .try_create_signature(b"", |tbs| {
            let sig: Signature = key
                .try_sign(tbs)
                .map_err(|_| malformed("COSE_Sign1", "signing failed"))?;
            // Low-S form, so that our own signatures have one encoding.
            Ok::<_, DocumentError>(sig.normalize_s().unwrap_or(sig).to_bytes().to_vec())
        })?
        .build();
    let inner = sign1
        .to_cbor_value()
        .map_err(|_| malformed("COSE_Sign1", "cannot encode"))?;
    let bytes = cbor::encode(&Value::Tag(COSE_SIGN1_TAG, Box::new(inner)), "COSE_Sign1")?;
    if bytes.len() > MAX_SIGNED_BYTES {
        return Err(DocumentError::TooLarge {
            limit: MAX_SIGNED_BYTES,
        });
    }
    Ok(bytes)
}

/// A COSE_Sign1 taken apart, its signature not yet checked.
pub(crate) struct Opened {
    /// The key id from the protected header, if any.
    pub kid: Option<String>,
    /// The attached payload.
    pub payload: Vec<u8>,
    /// The Sig_structure the signature covers.
    pub tbs: Vec<u8>,
    /// The signature as found.
    pub signature: Vec<u8>,
}

/// Parses a tagged COSE_Sign1 strictly: size cap, duplicate keys, ES256 only, only the header
/// parameters the format uses, the expected content type, an attached payload.
pub(crate) fn open(bytes: &[u8], content_type: &str) -> Result<Opened, DocumentError> {
    const AT: &str = "COSE_Sign1";
    let value = cbor::decode(bytes, MAX_SIGNED_BYTES, AT)?;
    let Value::Tag(COSE_SIGN1_TAG, inner) = value else {
        return Err(malformed(AT, "expected a COSE_Sign1 with tag 18"));
    };
    // The protected header is CBOR inside a byte string: hold it to the same strictness
    // (duplicate keys, nesting) before coset parses it.
    if let Value::Array(parts) = inner.as_ref()
        && let Some(Value::Bytes(raw)) = parts.first()
        && !raw.is_empty()
    {
        cbor::decode(raw, MAX_SIGNED_BYTES, "protected header")?;
    }
    let sign1 = CoseSign1::from_cbor_value(*inner)
        .map_err(|_| malformed(AT, "not a COSE_Sign1 structure"))?;
    if !sign1.unprotected.is_empty() {
        return Err(malformed("unprotected header", "must be empty"));
    }
    let h = &sign1.protected.header;
    if h.alg != Some(RegisteredLabelWithPrivate::Assigned(iana::Algorithm::ES256)) {
        return Err(DocumentError::UnsupportedAlgorithm);
    }
    if !h.crit.is_empty()
        || !h.iv.is_empty()
        || !h.partial_iv.is_empty()
        || !h.counter_signatures.is_empty()
        || !h.rest.is_empty()
    {
        return Err(malformed("protected header", "unexpected header parameter"));
    }
    match &h.content_type {
        Some(coset::ContentType::Text(t)) if t == content_type => {}
        _ => return Err(malformed("protected header", "wrong content type")),
    }
    let kid = if h.key_id.is_empty() {
        None
    } else {
        let kid = String::from_utf8(h.key_id.clone())
            .ok()
            .filter(|k| kid_is_valid(k))
            .ok_or(malformed("protected header", "kid is not a valid key id"))?;
        Some(kid)
    };
    let tbs = sign1.tbs_data(b"");
    let payload = sign1
        .payload
        .ok_or(malformed(AT, "payload must be attached"))?;
    Ok(Opened {
        kid,
        payload,
        tbs,
        signature: sign1.signature,
    })
}

/// Checks an ES256 signature in COSE form (raw `r‖s`, 64 bytes).
pub(crate) fn verify(
    key: &VerifyingKey,
    tbs: &[u8],
    signature: &[u8],
) -> Result<(), DocumentError> {
    if signature.len() != 64 {
        return Err(DocumentError::BadSignature);
    }
    let sig = Signature::from_slice(signature).map_err(|_| DocumentError::BadSignature)?;
    // Low-S only: (r, n − s) verifies as well as (r, s), and one document must be one byte
    // string. Our signers normalise s; a high-S signature is someone else's rewrite.
    if sig.normalize_s().is_some() {
        return Err(DocumentError::BadSignature);
    }
    key.verify(tbs, &sig)
        .map_err(|_| DocumentError::BadSignature)
}

#[cfg(test)]
mod tests {
    use super::super::testkit::key_from_seed;
    use super::*;

    #[test]
    fn round_trip_and_header_checks() {
        let key = key_from_seed("cose");
        let bytes = sign(b"hello".to_vec(), "application/x+cbor", Some("k1"), &key).unwrap();
        let opened = open(&bytes, "application/x+cbor").unwrap();
        assert_eq!(opened.kid.as_deref(), Some("k1"));
        assert_eq!(opened.payload, b"hello");
        verify(key.verifying_key(), &opened.tbs, &opened.signature).unwrap();
        assert!(matches!(
            open(&bytes, "application/y+cbor"),
            Err(DocumentError::Malformed { .. })
        ));
        let other = key_from_seed("other");
        assert_eq!(
            verify(other.verifying_key(), &opened.tbs, &opened.signature),
            Err(DocumentError::BadSignature)
        );
        // Untagged is refused.
        let Value::Tag(_, inner) = cbor::decode(&bytes, MAX_SIGNED_BYTES, "t").unwrap() else {
            panic!()
        };
        let untagged = cbor::encode(&inner, "t").unwrap();
        assert!(open(&untagged, "application/x+cbor").is_err());
    }

    #[test]
    fn a_high_s_copy_of_a_valid_signature_is_refused() {
        use p256::elliptic_curve::PrimeField as _;
        let key = key_from_seed("cose");
        let bytes = sign(b"hello".to_vec(), "application/x+cbor", Some("k1"), &key).unwrap();
        let opened = open(&bytes, "application/x+cbor").unwrap();
        let sig = Signature::from_slice(&opened.signature).unwrap();
        assert!(sig.normalize_s().is_none(), "our signer emits low-S");
        let (r, s) = sig.split_scalars();
        let high = Signature::from_scalars(r.to_repr(), (-*s).to_repr()).unwrap();
        // The same (r, n − s) verifies mathematically; the rule refuses it.
        assert!(key.verifying_key().verify(&opened.tbs, &high).is_ok());
        assert_eq!(
            verify(key.verifying_key(), &opened.tbs, &high.to_bytes()),
            Err(DocumentError::BadSignature)
        );
        verify(key.verifying_key(), &opened.tbs, &opened.signature).unwrap();
    }

    #[test]
    fn kid_syntax() {
        assert!(kid_is_valid("issuer-2026.01:a_b"));
        assert!(!kid_is_valid(""));
        assert!(!kid_is_valid("a b"));
        assert!(!kid_is_valid("鍵"));
        assert!(!kid_is_valid(&"a".repeat(65)));
    }
}
