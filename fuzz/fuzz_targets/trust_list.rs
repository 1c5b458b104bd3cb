//! The signed trust list. First byte: even → the rest is the whole COSE_Sign1; odd → the rest
//! is the CBOR payload, validly signed by the pinned test root, so the strict decoder is
//! reached. `TrustList::verify` must return, never panic; an accepted list must re-sign.
#![no_main]

use chrono::DateTime;
use coset::{CoseSign1Builder, HeaderBuilder, TaggedCborSerializable, iana};
use libfuzzer_sys::fuzz_target;
use p256::ecdsa::signature::Signer;
use sha2::{Digest, Sha256};
use shikaku_core::document::{SigningKey, TRUST_LIST_CONTENT_TYPE, TrustList};

fn root() -> SigningKey {
    SigningKey::from_slice(&Sha256::digest(b"fuzz root")).expect("a valid scalar")
}

fn wrap(payload: &[u8]) -> Vec<u8> {
    let protected = HeaderBuilder::new()
        .algorithm(iana::Algorithm::ES256)
        .content_type(TRUST_LIST_CONTENT_TYPE.into())
        .build();
    CoseSign1Builder::new()
        .protected(protected)
        .payload(payload.to_vec())
        .create_signature(b"", |tbs| {
            let sig: p256::ecdsa::Signature = root().sign(tbs);
            sig.to_bytes().to_vec()
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
    let now = DateTime::from_timestamp(1_795_000_000, 0).expect("a valid time");
    if let Ok(list) = TrustList::verify(&bytes, root().verifying_key(), now) {
        let again = list.sign(&root()).expect("an accepted list re-signs");
        let back = TrustList::verify(&again, root().verifying_key(), now).expect("and verifies");
        assert_eq!(back, list);
        let _ = TrustList::accept_update(Some(&list), &back);
    }
});
