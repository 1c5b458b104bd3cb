//! COSE_Sign1 with ES256, as used by both documents and the trust list: one tagged
//! `COSE_Sign1` (tag 18), protected header `{1: -7, 3: content type, ?4: kid}`, empty
//! unprotected header, attached payload, 64-byte `r‖s` signature, empty external AAD.

use ciborium::Value;
use coset::{
    AsCborValue, CoseSign1, CoseSign1Builder, HeaderBuilder, RegisteredLabelWithPrivate, iana,
};
use p256::ecdsa::signature::{Signer, Verifier};
use p256::ecdsa::{Signature, SigningKey, VerifyingKey};
use sha2::{Digest, Sha256};
use std::sync::Mutex;

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
///
/// A signature this process has verified already is not verified again: the result depends
/// only on the key, the signature and the signed bytes, so [`VERIFIED`] keeps the SHA-256 of
/// those three for the last [`VERIFIED_CAPACITY`] signatures found valid. What depends on the
/// time (the key's validity, the document's, the trust list's issue time) is checked by the
/// callers at every call, as before. Each screen re-verifies the signed records it shows
/// (`screen::view::check_signature`) and each snapshot the trust list: ≈ 0.6 ms per ES256
/// signature on the development machine, so a household of six signed records paid ≈ 4 ms for
/// every snapshot (docs/decisions/0013-store-performance.md, "Signatures verified once per
/// process").
pub(crate) fn verify(
    key: &VerifyingKey,
    tbs: &[u8],
    signature: &[u8],
) -> Result<(), DocumentError> {
    let Ok(fixed) = <&[u8; 64]>::try_from(signature) else {
        return Err(DocumentError::BadSignature);
    };
    let id = VerifiedSignatures::id(key, tbs, fixed);
    if VERIFIED.lock().is_ok_and(|v| v.contains(&id)) {
        return Ok(());
    }
    let sig = Signature::from_slice(signature).map_err(|_| DocumentError::BadSignature)?;
    // Low-S only: (r, n − s) verifies as well as (r, s), and one document must be one byte
    // string. Our signers normalise s; a high-S signature is someone else's rewrite.
    if sig.normalize_s().is_some() {
        return Err(DocumentError::BadSignature);
    }
    key.verify(tbs, &sig)
        .map_err(|_| DocumentError::BadSignature)?;
    if let Ok(mut v) = VERIFIED.lock() {
        v.insert(id);
    }
    Ok(())
}

/// How many valid signatures [`VERIFIED`] keeps: a household's signed records and its trust
/// list several times over; a clinic desk scanning one patient after another keeps the last
/// ones (the oldest goes first).
const VERIFIED_CAPACITY: usize = 64;

/// The signatures [`verify`] found valid in this process.
static VERIFIED: Mutex<VerifiedSignatures> = Mutex::new(VerifiedSignatures {
    ids: Vec::new(),
    next: 0,
});

/// The last [`VERIFIED_CAPACITY`] valid signatures, each by [`VerifiedSignatures::id`].
struct VerifiedSignatures {
    ids: Vec<[u8; 32]>,
    /// Where the next one goes once `ids` is full (the oldest).
    next: usize,
}

impl VerifiedSignatures {
    /// SHA-256 of the key (SEC1 uncompressed, 65 bytes), the signature (64) and the signed
    /// bytes: the fixed lengths of the first two (in their types) make the encoding
    /// unambiguous.
    fn id(key: &VerifyingKey, tbs: &[u8], signature: &[u8; 64]) -> [u8; 32] {
        let mut h = Sha256::new();
        h.update(key.to_encoded_point(false).as_bytes());
        h.update(signature);
        h.update(tbs);
        h.finalize().into()
    }

    fn contains(&self, id: &[u8; 32]) -> bool {
        self.ids.contains(id)
    }

    fn insert(&mut self, id: [u8; 32]) {
        if self.contains(&id) {
            return;
        }
        if self.ids.len() < VERIFIED_CAPACITY {
            self.ids.push(id);
        } else if let Some(slot) = self.ids.get_mut(self.next) {
            *slot = id;
            self.next = (self.next + 1) % VERIFIED_CAPACITY;
        }
    }
}

/// Forgets every signature verified so far, so the next [`verify`] of each does the
/// arithmetic again: for benchmarks measuring the first verification after a launch.
#[doc(hidden)]
pub fn forget_verified_signatures() {
    if let Ok(mut v) = VERIFIED.lock() {
        v.ids.clear();
        v.next = 0;
    }
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

    /// A signature verified once is taken as verified again without the arithmetic, and only
    /// it: the same signed bytes with another key, the same signature over other bytes, a byte
    /// of it changed, or its high-S copy are still refused after it, as before it.
    #[test]
    fn a_remembered_signature_vouches_for_nothing_else() {
        use p256::elliptic_curve::PrimeField as _;
        let key = key_from_seed("remembered");
        let other = key_from_seed("remembered, other key");
        let bytes = sign(b"remembered".to_vec(), "application/x+cbor", None, &key).unwrap();
        let opened = open(&bytes, "application/x+cbor").unwrap();
        let (tbs, signature) = (&opened.tbs, &opened.signature);
        let refused = || {
            let mut changed_tbs = tbs.clone();
            *changed_tbs.last_mut().unwrap() ^= 1;
            let mut changed_sig = signature.clone();
            changed_sig[10] ^= 1;
            let sig = Signature::from_slice(signature).unwrap();
            let (r, s) = sig.split_scalars();
            let high = Signature::from_scalars(r.to_repr(), (-*s).to_repr()).unwrap();
            for (k, t, sg) in [
                (other.verifying_key(), tbs, signature),
                (key.verifying_key(), &changed_tbs, signature),
                (key.verifying_key(), tbs, &changed_sig),
                (key.verifying_key(), tbs, &high.to_bytes().to_vec()),
            ] {
                assert_eq!(verify(k, t, sg), Err(DocumentError::BadSignature));
            }
        };
        refused();
        verify(key.verifying_key(), tbs, signature).unwrap();
        refused();
        verify(key.verifying_key(), tbs, signature).unwrap();
        // The list is looked at: bytes never signed, entered in it by hand, pass unverified
        // (what makes it sound is that only `verify` enters anything).
        let never: &[u8] = b"never signed";
        let fixed: &[u8; 64] = signature.as_slice().try_into().unwrap();
        assert_eq!(
            verify(key.verifying_key(), never, signature),
            Err(DocumentError::BadSignature)
        );
        // The list is the process's: other tests verifying 64 signatures between the two
        // lines would push the entry out again, so a few tries are allowed; one must pass.
        let passed = (0..8).any(|_| {
            VERIFIED.lock().unwrap().insert(VerifiedSignatures::id(
                key.verifying_key(),
                never,
                fixed,
            ));
            verify(key.verifying_key(), never, signature) == Ok(())
        });
        assert!(passed);
    }

    /// The list keeps the last [`VERIFIED_CAPACITY`] signatures, each once, the oldest going
    /// first.
    #[test]
    fn the_verified_list_keeps_the_last_ones() {
        let mut v = VerifiedSignatures {
            ids: Vec::new(),
            next: 0,
        };
        let id = |i: usize| {
            let mut id = [0; 32];
            id[..8].copy_from_slice(&(i as u64).to_le_bytes());
            id
        };
        for i in 0..VERIFIED_CAPACITY {
            v.insert(id(i));
            v.insert(id(i));
        }
        assert_eq!(v.ids.len(), VERIFIED_CAPACITY);
        // Twice round and then some: always the last VERIFIED_CAPACITY.
        let last = 3 * VERIFIED_CAPACITY + 3;
        for i in VERIFIED_CAPACITY..last {
            v.insert(id(i));
            assert_eq!(v.ids.len(), VERIFIED_CAPACITY);
            assert!(!v.contains(&id(i - VERIFIED_CAPACITY)), "{i}");
            assert!(
                (i + 1 - VERIFIED_CAPACITY..=i).all(|j| v.contains(&id(j))),
                "{i}"
            );
        }
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
