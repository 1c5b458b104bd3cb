//! Tests of documents and trust lists as a whole: round trips and every hostile case of the
//! format.

use ciborium::Value;
use coset::{
    AsCborValue, CoseSign1Builder, Header, HeaderBuilder, ProtectedHeader, SignatureContext, iana,
    sig_structure_data,
};
use p256::ecdsa::signature::Signer;
use p256::ecdsa::{Signature, SigningKey};
use p256::pkcs8::EncodePublicKey;

use super::testkit::*;
use super::*;
use crate::card::KeyFingerprint;
use crate::eligibility::{InsurerNumber, Provenance, RecordId, StoredRecord};

mod codec;
mod lost_coverage;
mod presentation;
mod qr_payload;
mod scanner;
mod signature;
mod trust_list;

fn sign_ok(doc: &EligibilityDocument) -> Vec<u8> {
    sign_document(doc, &issuer_signing_key(), KID).unwrap()
}

fn verify(bytes: &[u8]) -> Result<VerifiedDocument, DocumentError> {
    verify_document(bytes, &trust_list(), now())
}

/// Signs arbitrary payload bytes as a document, with the trusted issuer key.
fn sign_payload(payload: Vec<u8>) -> Vec<u8> {
    cose::sign(
        payload,
        DOCUMENT_CONTENT_TYPE,
        Some(KID),
        &issuer_signing_key(),
    )
    .unwrap()
}

fn encode(v: &Value) -> Vec<u8> {
    cbor::encode(v, "test").unwrap()
}

fn doc_value() -> Value {
    format::to_value(&document()).unwrap()
}

fn map_mut(v: &mut Value) -> &mut Vec<(Value, Value)> {
    match v {
        Value::Map(m) => m,
        _ => panic!("not a map"),
    }
}

fn int(k: u64) -> Value {
    Value::Integer(k.into())
}

fn entry(v: &mut Value, key: u64) -> &mut Value {
    map_mut(v)
        .iter_mut()
        .find(|(k, _)| *k == int(key))
        .map(|(_, v)| v)
        .unwrap()
}

/// Signs the document value after `mutate`, and verifies it.
fn verify_mutated(mutate: impl FnOnce(&mut Value)) -> Result<VerifiedDocument, DocumentError> {
    let mut v = doc_value();
    mutate(&mut v);
    verify(&sign_payload(encode(&v)))
}
