//! Signed eligibility documents. The first byte picks the mode:
//! - even: the rest is the whole COSE_Sign1 (envelope, headers, signature, size limit);
//! - odd: the rest is the CBOR payload, wrapped in a validly signed COSE_Sign1 by the trusted
//!   test issuer, so the strict payload decoder and the model's rules are reached.
//! Either way `verify_document` must return, never panic; a verified document must re-sign.
#![no_main]

use chrono::{DateTime, Duration, Utc};
use coset::{CoseSign1Builder, HeaderBuilder, TaggedCborSerializable, iana};
use libfuzzer_sys::fuzz_target;
use p256::ecdsa::signature::Signer;
use sha2::{Digest, Sha256};
use shikaku_core::document::{
    DOCUMENT_CONTENT_TYPE, IssuerKey, SigningKey, TrustList, verify_document,
};
use shikaku_core::eligibility::InsurerNumber;

fn key() -> SigningKey {
    SigningKey::from_slice(&Sha256::digest(b"fuzz issuer")).expect("a valid scalar")
}

fn now() -> DateTime<Utc> {
    DateTime::from_timestamp(1_795_000_000, 0).expect("a valid time")
}

fn trust() -> TrustList {
    TrustList {
        version: 1,
        issued_at: now(),
        keys: vec![IssuerKey {
            kid: "fuzz-issuer".into(),
            public_key: key().verifying_key().to_encoded_point(false).as_bytes().to_vec(),
            not_before: now() - Duration::days(10),
            not_after: now() + Duration::days(10),
            insurers: ["01130012", "138057", "39131008"]
                .iter()
                .filter_map(|n| InsurerNumber::parse(n).ok())
                .collect(),
        }],
    }
}

fn wrap(payload: &[u8]) -> Vec<u8> {
    let protected = HeaderBuilder::new()
        .algorithm(iana::Algorithm::ES256)
        .key_id(b"fuzz-issuer".to_vec())
        .content_type(DOCUMENT_CONTENT_TYPE.into())
        .build();
    CoseSign1Builder::new()
        .protected(protected)
        .payload(payload.to_vec())
        .create_signature(b"", |tbs| {
            let sig: p256::ecdsa::Signature = key().sign(tbs);
            // Low S, as every issuer's signature must be (the core refuses the high-S copy):
            // otherwise about half the inputs would stop there, short of the payload decoder.
            sig.normalize_s().unwrap_or(sig).to_bytes().to_vec()
        })
        .build()
        .to_tagged_vec()
        .expect("a COSE_Sign1 serialises")
}

fuzz_target!(|data: &[u8]| {
    let Some((mode, rest)) = data.split_first() else {
        return;
    };
    let bytes = if mode % 2 == 0 { rest.to_vec() } else { wrap(rest) };
    if let Ok(v) = verify_document(&bytes, &trust(), now()) {
        let _ = v.document.is_expired(now());
        let again = shikaku_core::document::sign_document(&v.document, &key(), "fuzz-issuer")
            .expect("a verified document re-signs");
        assert!(verify_document(&again, &trust(), now()).is_ok());
    }
});
