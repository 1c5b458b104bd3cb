//! Tests of documents and trust lists as a whole: round trips and every hostile case of the
//! format (issue 4, acceptance list).

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

#[test]
fn round_trip_full_and_minimal() {
    for doc in [document(), minimal_document()] {
        let bytes = sign_ok(&doc);
        assert!(bytes.len() < 1024, "{}", bytes.len());
        let v = verify(&bytes).unwrap();
        assert_eq!(v.document, doc);
        assert_eq!(v.kid, KID);
        assert_eq!(v.signed_bytes, bytes);
        assert_eq!(
            v.provenance(),
            Provenance::IssuerSigned {
                key_id: KID.into(),
                signed_bytes: bytes.clone()
            }
        );
        // Signing is deterministic (RFC 6979), so one document has one encoding.
        assert_eq!(sign_ok(&doc), bytes);
    }
}

#[test]
fn sub_second_times_are_dropped_when_signing() {
    let mut doc = document();
    doc.issued_at += chrono::Duration::milliseconds(250);
    let v = verify(&sign_ok(&doc)).unwrap();
    assert_eq!(v.document, document());
}

#[test]
fn an_old_document_still_verifies_and_reports_expiry() {
    let mut doc = document();
    doc.issued_at = t("2019-04-01T00:00:00Z");
    doc.valid_until = t("2020-03-31T00:00:00Z");
    doc.record.acquired_on = Some(d("2019-04-01"));
    doc.record.valid_from = Some(d("2019-04-01"));
    doc.record.valid_until = Some(d("2020-03-31"));
    doc.record.issued_on = Some(d("2019-03-25"));
    let v = verify(&sign_ok(&doc)).unwrap();
    assert!(v.document.is_expired(now()));
    assert!(!document().is_expired(now()));
}

#[test]
fn record_dates_are_checked_against_the_day_of_issue() {
    // 資格取得日 on the day of issue in Japan (UTC+9) is accepted, the day after is not.
    let mut doc = document();
    doc.issued_at = t("2026-11-19T15:00:00Z"); // 2026-11-20 00:00 JST
    doc.record.acquired_on = Some(d("2026-11-20"));
    assert!(verify(&sign_ok(&doc)).is_ok());
    doc.record.acquired_on = Some(d("2026-11-21"));
    assert!(matches!(
        sign_document(&doc, &issuer_signing_key(), KID),
        Err(DocumentError::InvalidContent { .. })
    ));
}

#[test]
fn one_byte_flipped_anywhere_is_refused() {
    let bytes = sign_ok(&document());
    for i in 0..bytes.len() {
        for bit in [0x01u8, 0x80] {
            let mut b = bytes.clone();
            b[i] ^= bit;
            assert!(verify(&b).is_err(), "byte {i} bit {bit:#x}");
        }
    }
}

#[test]
fn bad_signature_in_payload_and_in_signature() {
    let bytes = sign_ok(&document());
    // A byte inside the payload: the 8-digit 保険者番号 text.
    let pos = bytes
        .windows(INSURER.len())
        .position(|w| w == INSURER.as_bytes())
        .unwrap();
    let mut b = bytes.clone();
    b[pos + 3] ^= 0x01;
    assert_eq!(verify(&b), Err(DocumentError::BadSignature));
    // The last byte belongs to the signature.
    let mut b = bytes.clone();
    *b.last_mut().unwrap() ^= 0x01;
    assert_eq!(verify(&b), Err(DocumentError::BadSignature));
    // Signed by a key that is not the listed one, under the listed kid.
    let forged = sign_document(&document(), &key_from_seed("attacker"), KID).unwrap();
    assert_eq!(verify(&forged), Err(DocumentError::BadSignature));
}

#[test]
fn signature_of_wrong_length() {
    let bytes = sign_ok(&document());
    let Value::Tag(18, inner) = cbor::decode(&bytes, MAX_SIGNED_BYTES, "t").unwrap() else {
        panic!()
    };
    let Value::Array(mut parts) = *inner else {
        panic!()
    };
    let Value::Bytes(sig) = parts[3].clone() else {
        panic!()
    };
    // DER-encoded or truncated signatures are not COSE's r‖s.
    for bad in [sig[..63].to_vec(), [sig.clone(), vec![0]].concat(), vec![]] {
        parts[3] = Value::Bytes(bad);
        let b = encode(&Value::Tag(18, Box::new(Value::Array(parts.clone()))));
        assert_eq!(verify(&b), Err(DocumentError::BadSignature));
    }
}

#[test]
fn unknown_kid() {
    let bytes = sign_document(&document(), &issuer_signing_key(), "nobody").unwrap();
    assert_eq!(
        verify(&bytes),
        Err(DocumentError::UnknownKey {
            kid: "nobody".into()
        })
    );
    // No kid at all.
    let no_kid = cose::sign(
        encode(&doc_value()),
        DOCUMENT_CONTENT_TYPE,
        None,
        &issuer_signing_key(),
    )
    .unwrap();
    assert!(matches!(
        verify(&no_kid),
        Err(DocumentError::Malformed { .. })
    ));
}

#[test]
fn expired_and_not_yet_valid_key() {
    let bytes = sign_ok(&document());
    let trust = trust_list();
    assert!(verify_document(&bytes, &trust, t("2027-12-31T23:59:59Z")).is_ok());
    assert_eq!(
        verify_document(&bytes, &trust, t("2028-01-01T00:00:00Z")),
        Err(DocumentError::KeyExpired)
    );
    assert_eq!(
        verify_document(&bytes, &trust, t("2025-12-31T23:59:59Z")),
        Err(DocumentError::KeyExpired)
    );
}

#[test]
fn key_not_allowed_for_that_insurer() {
    let mut doc = document();
    doc.record.insurer_number = InsurerNumber::parse(OTHER_INSURER).unwrap();
    doc.record.insurer_name = "警察共済組合 千葉県支部".into();
    let bytes = sign_ok(&doc);
    assert_eq!(verify(&bytes), Err(DocumentError::KeyNotAllowedForInsurer));
    // The key that is allowed for it verifies.
    let ok = sign_document(&doc, &key_from_seed("police"), "police-2026").unwrap();
    assert!(verify(&ok).is_ok());
}

fn sign_with_header(header: Header, unprotected: Header) -> Vec<u8> {
    let key = issuer_signing_key();
    let sign1 = CoseSign1Builder::new()
        .protected(header)
        .unprotected(unprotected)
        .payload(encode(&doc_value()))
        .create_signature(b"", |tbs| {
            let s: Signature = key.sign(tbs);
            s.to_bytes().to_vec()
        })
        .build();
    encode(&Value::Tag(18, Box::new(sign1.to_cbor_value().unwrap())))
}

fn header(alg: Option<iana::Algorithm>) -> HeaderBuilder {
    let mut h = HeaderBuilder::new();
    if let Some(alg) = alg {
        h = h.algorithm(alg);
    }
    h.content_type(DOCUMENT_CONTENT_TYPE.into())
        .key_id(KID.as_bytes().to_vec())
}

#[test]
fn wrong_algorithm() {
    for alg in [
        Some(iana::Algorithm::ES384),
        Some(iana::Algorithm::EdDSA),
        Some(iana::Algorithm::PS256),
        None,
    ] {
        let b = sign_with_header(header(alg).build(), Header::default());
        assert_eq!(
            verify(&b),
            Err(DocumentError::UnsupportedAlgorithm),
            "{alg:?}"
        );
    }
    // The same header with ES256 verifies (the helper is sound).
    let b = sign_with_header(
        header(Some(iana::Algorithm::ES256)).build(),
        Header::default(),
    );
    assert!(verify(&b).is_ok());
}

#[test]
fn header_strictness() {
    // alg only in the unprotected header, or anything there at all.
    let b = sign_with_header(
        header(None).build(),
        HeaderBuilder::new()
            .algorithm(iana::Algorithm::ES256)
            .build(),
    );
    assert!(matches!(verify(&b), Err(DocumentError::Malformed { .. })));
    // Extra protected parameters: crit, IV, private labels.
    for h in [
        header(Some(iana::Algorithm::ES256))
            .add_critical(iana::HeaderParameter::Alg)
            .build(),
        header(Some(iana::Algorithm::ES256))
            .iv(vec![1, 2, 3])
            .build(),
        header(Some(iana::Algorithm::ES256))
            .value(-70000, Value::Bool(true))
            .build(),
    ] {
        assert!(matches!(
            verify(&sign_with_header(h, Header::default())),
            Err(DocumentError::Malformed { .. })
        ));
    }
    // The trust list's content type on a document, and no content type.
    let h = HeaderBuilder::new()
        .algorithm(iana::Algorithm::ES256)
        .content_type(TRUST_LIST_CONTENT_TYPE.into())
        .key_id(KID.as_bytes().to_vec())
        .build();
    assert!(matches!(
        verify(&sign_with_header(h, Header::default())),
        Err(DocumentError::Malformed { .. })
    ));
    let h = HeaderBuilder::new()
        .algorithm(iana::Algorithm::ES256)
        .key_id(KID.as_bytes().to_vec())
        .build();
    assert!(matches!(
        verify(&sign_with_header(h, Header::default())),
        Err(DocumentError::Malformed { .. })
    ));
    // A kid that is not a valid key id (control characters) is refused before any lookup.
    let h = HeaderBuilder::new()
        .algorithm(iana::Algorithm::ES256)
        .content_type(DOCUMENT_CONTENT_TYPE.into())
        .key_id(b"bad\nkid".to_vec())
        .build();
    assert!(matches!(
        verify(&sign_with_header(h, Header::default())),
        Err(DocumentError::Malformed { .. })
    ));
}

#[test]
fn over_16_kib_is_refused_before_parsing() {
    assert_eq!(
        verify(&vec![0xffu8; MAX_SIGNED_BYTES + 1]),
        Err(DocumentError::TooLarge {
            limit: MAX_SIGNED_BYTES
        })
    );
    // A valid document padded past the limit with trailing bytes.
    let mut b = sign_ok(&document());
    b.resize(MAX_SIGNED_BYTES + 1, 0);
    assert!(matches!(verify(&b), Err(DocumentError::TooLarge { .. })));
    // Trailing bytes within the limit are malformed.
    let mut b = sign_ok(&document());
    b.push(0);
    assert!(matches!(verify(&b), Err(DocumentError::Malformed { .. })));
    // A payload over the limit cannot even be signed.
    let big = encode(&Value::Bytes(vec![0; MAX_SIGNED_BYTES]));
    assert!(matches!(
        cose::sign(big, DOCUMENT_CONTENT_TYPE, Some(KID), &issuer_signing_key()),
        Err(DocumentError::TooLarge { .. })
    ));
}

#[test]
fn every_truncation_is_a_typed_error() {
    let bytes = sign_ok(&document());
    for n in 0..bytes.len() {
        assert!(
            matches!(verify(&bytes[..n]), Err(DocumentError::Malformed { .. })),
            "prefix {n}"
        );
    }
    // Truncated payloads, correctly signed.
    let payload = encode(&doc_value());
    for n in 0..payload.len() {
        assert!(
            matches!(
                verify(&sign_payload(payload[..n].to_vec())),
                Err(DocumentError::Malformed { .. })
            ),
            "payload prefix {n}"
        );
    }
}

#[test]
fn duplicate_map_keys() {
    let dup = Err(DocumentError::Malformed {
        at: "document",
        reason: "duplicate map key",
    });
    // Top level: a second version entry.
    assert_eq!(
        verify_mutated(|v| map_mut(v).push((int(3), int(4)))).map(|_| ()),
        dup
    );
    // The same key twice with the same value.
    assert_eq!(
        verify_mutated(|v| {
            let first = map_mut(v)[1].clone();
            map_mut(v).insert(2, first);
        })
        .map(|_| ()),
        dup
    );
    // Nested in the record.
    assert_eq!(
        verify_mutated(|v| map_mut(entry(v, 7)).push((int(5), Value::Text("99".into()))))
            .map(|_| ()),
        dup
    );
    // In the protected header, hand-built: {1: -7, 1: -7, 3: ct, 4: kid}.
    let protected = encode(&Value::Map(vec![
        (int(1), Value::Integer((-7).into())),
        (int(1), Value::Integer((-7).into())),
        (int(3), Value::Text(DOCUMENT_CONTENT_TYPE.into())),
        (int(4), Value::Bytes(KID.as_bytes().to_vec())),
    ]));
    let payload = encode(&doc_value());
    let tbs = sig_structure_data(
        SignatureContext::CoseSign1,
        ProtectedHeader {
            original_data: Some(protected.clone()),
            header: Header::default(),
        },
        None,
        b"",
        &payload,
    );
    let sig: Signature = issuer_signing_key().sign(&tbs);
    let b = encode(&Value::Tag(
        18,
        Box::new(Value::Array(vec![
            Value::Bytes(protected),
            Value::Map(vec![]),
            Value::Bytes(payload),
            Value::Bytes(sig.to_bytes().to_vec()),
        ])),
    ));
    assert_eq!(
        verify(&b),
        Err(DocumentError::Malformed {
            at: "protected header",
            reason: "duplicate map key"
        })
    );
    // In the unprotected header.
    let Value::Tag(18, inner) = cbor::decode(&sign_ok(&document()), MAX_SIGNED_BYTES, "t").unwrap()
    else {
        panic!()
    };
    let Value::Array(mut parts) = *inner else {
        panic!()
    };
    parts[1] = Value::Map(vec![
        (int(5), Value::Bytes(vec![1])),
        (int(5), Value::Bytes(vec![1])),
    ]);
    let b = encode(&Value::Tag(18, Box::new(Value::Array(parts))));
    assert_eq!(
        verify(&b),
        Err(DocumentError::Malformed {
            at: "COSE_Sign1",
            reason: "duplicate map key"
        })
    );
}

#[test]
fn unknown_keys() {
    let unknown = |r: Result<VerifiedDocument, DocumentError>| {
        matches!(
            r,
            Err(DocumentError::Malformed {
                reason: "unknown key",
                ..
            })
        )
    };
    assert!(unknown(verify_mutated(
        |v| map_mut(v).push((int(9), int(1)))
    )));
    assert!(unknown(verify_mutated(|v| map_mut(v).push((
        Value::Text("mynumber".into()),
        Value::Text("123456789012".into())
    )))));
    assert!(unknown(verify_mutated(
        |v| map_mut(v).push((Value::Integer((-1).into()), int(1)))
    )));
    assert!(unknown(verify_mutated(
        |v| map_mut(entry(v, 6)).push((int(6), Value::Text("住所".into())))
    )));
    assert!(unknown(verify_mutated(
        |v| map_mut(entry(v, 7)).push((int(17), int(1)))
    )));
    assert!(unknown(verify_mutated(
        |v| map_mut(entry(entry(v, 7), 14)).push((int(4), int(1)))
    )));
    assert!(unknown(verify_mutated(
        |v| map_mut(entry(entry(v, 7), 15)).push((int(3), int(1)))
    )));
}

#[test]
fn wrong_types_and_missing_fields() {
    type Mutation = Box<dyn FnOnce(&mut Value)>;
    let cases: Vec<(&str, Mutation)> = vec![
        (
            "version as text",
            Box::new(|v| *entry(v, 3) = Value::Text("3".into())),
        ),
        (
            "negative version",
            Box::new(|v| *entry(v, 3) = Value::Integer((-3).into())),
        ),
        (
            "issued_at as float",
            Box::new(|v| *entry(v, 4) = Value::Float(1.7e9)),
        ),
        (
            "issued_at tagged",
            Box::new(|v| {
                let t = entry(v, 4).clone();
                *entry(v, 4) = Value::Tag(1, Box::new(t));
            }),
        ),
        (
            "name as bytes",
            Box::new(|v| *entry(entry(v, 6), 1) = Value::Bytes(b"x".to_vec())),
        ),
        (
            "birth date as int",
            Box::new(|v| *entry(entry(v, 6), 3) = int(19850412)),
        ),
        (
            "birth date badly written",
            Box::new(|v| *entry(entry(v, 6), 3) = Value::Text("1985-4-12".into())),
        ),
        ("sex code 3", Box::new(|v| *entry(entry(v, 6), 4) = int(3))),
        (
            "relationship 0",
            Box::new(|v| *entry(entry(v, 6), 5) = int(0)),
        ),
        ("kind 4", Box::new(|v| *entry(entry(v, 7), 1) = int(4))),
        ("copay 25", Box::new(|v| *entry(entry(v, 7), 10) = int(25))),
        (
            "copay 286 (u8 wrap)",
            Box::new(|v| *entry(entry(v, 7), 10) = int(286)),
        ),
        (
            "preschool as int",
            Box::new(|v| *entry(entry(v, 7), 16) = int(0)),
        ),
        (
            "symbol null",
            Box::new(|v| *entry(entry(v, 7), 4) = Value::Null),
        ),
        (
            "elderly as array",
            Box::new(|v| *entry(entry(v, 7), 14) = Value::Array(vec![])),
        ),
        (
            "holder binding 31 bytes",
            Box::new(|v| *entry(v, 8) = Value::Bytes(vec![0; 31])),
        ),
        (
            "holder binding as text",
            Box::new(|v| *entry(v, 8) = Value::Text("x".into())),
        ),
        ("format 2", Box::new(|v| *entry(v, 0) = int(2))),
        (
            "record missing",
            Box::new(|v| map_mut(v).retain(|(k, _)| *k != int(7))),
        ),
        (
            "number missing",
            Box::new(|v| map_mut(entry(v, 7)).retain(|(k, _)| *k != int(5))),
        ),
        (
            "payload is an array",
            Box::new(|v| *v = Value::Array(vec![])),
        ),
        (
            "time after 9999",
            Box::new(|v| *entry(v, 5) = int(253_402_300_800)),
        ),
    ];
    for (name, mutate) in cases {
        let r = verify_mutated(mutate);
        assert!(
            matches!(r, Err(DocumentError::Malformed { .. })),
            "{name}: {r:?}"
        );
    }
}

#[test]
fn non_canonical_encoding_is_refused() {
    // Keys out of order.
    let r = verify_mutated(|v| map_mut(v).reverse());
    assert_eq!(
        r.map(|_| ()),
        Err(DocumentError::Malformed {
            at: "document",
            reason: "not in canonical form"
        })
    );
    // The version written in a longer form than needed (0x1a 00 00 00 03 for 3).
    let payload = encode(&doc_value());
    let pos = payload.windows(2).position(|w| w == [0x03, 0x03]).unwrap();
    let long = [
        &payload[..pos + 1],
        &[0x1a, 0, 0, 0, 3],
        &payload[pos + 2..],
    ]
    .concat();
    assert!(matches!(
        verify(&sign_payload(long)),
        Err(DocumentError::Malformed {
            reason: "not in canonical form",
            ..
        })
    ));
}

#[test]
fn content_is_revalidated_with_the_model_rules() {
    let invalid = |r: Result<VerifiedDocument, DocumentError>| {
        matches!(r, Err(DocumentError::InvalidContent { .. }))
    };
    // A 保険者番号 whose check digit is wrong, and one written in full width.
    assert!(invalid(verify_mutated(|v| {
        *entry(entry(v, 7), 2) = Value::Text("01130013".into())
    })));
    assert!(invalid(verify_mutated(|v| {
        *entry(entry(v, 7), 2) = Value::Text("０１１３００１２".into())
    })));
    // Text not in normal form (double space), or empty, or too long.
    assert!(invalid(verify_mutated(|v| {
        *entry(entry(v, 6), 1) = Value::Text("山田  太郎".into())
    })));
    assert!(invalid(verify_mutated(
        |v| *entry(entry(v, 7), 5) = Value::Text("".into())
    )));
    assert!(invalid(verify_mutated(|v| {
        *entry(entry(v, 7), 3) = Value::Text("x".repeat(101))
    })));
    // Hiragana カナ, a 3-digit 枝番, a birth date after issue.
    assert!(invalid(verify_mutated(|v| {
        *entry(entry(v, 6), 2) = Value::Text("やまだ たろう".into())
    })));
    assert!(invalid(verify_mutated(
        |v| *entry(entry(v, 7), 6) = Value::Text("001".into())
    )));
    assert!(invalid(verify_mutated(|v| {
        *entry(entry(v, 6), 3) = Value::Text("2026-11-21".into())
    })));
    // 本人/家族 disagree between person and record; validity ends before it starts.
    assert!(invalid(verify_mutated(|v| *entry(entry(v, 7), 7) = int(2))));
    assert!(invalid(verify_mutated(|v| *entry(v, 5) = int(0))));
    // Ids: empty, with a space, version 0.
    assert!(invalid(verify_mutated(
        |v| *entry(v, 1) = Value::Text("".into())
    )));
    assert!(invalid(verify_mutated(
        |v| *entry(v, 2) = Value::Text("a b".into())
    )));
    assert!(invalid(verify_mutated(|v| *entry(v, 3) = int(0))));
    // The signer refuses the same things.
    let mut doc = document();
    doc.person.name = "山田  太郎".into();
    assert!(matches!(
        sign_document(&doc, &issuer_signing_key(), KID),
        Err(DocumentError::InvalidContent { .. })
    ));
    assert!(matches!(
        sign_document(&document(), &issuer_signing_key(), "bad kid"),
        Err(DocumentError::Malformed { .. })
    ));
}

#[test]
fn errors_carry_no_personal_data() {
    let mut doc = document();
    doc.person.kana = "やまだ たろう".into();
    let msg = sign_document(&doc, &issuer_signing_key(), KID)
        .unwrap_err()
        .to_string();
    assert!(!msg.contains("やまだ") && msg.contains("氏名カナ"), "{msg}");
    let r = verify_mutated(|v| *entry(entry(v, 7), 2) = Value::Text("01130013".into()));
    let msg = r.unwrap_err().to_string();
    assert!(!msg.contains("01130013"), "{msg}");
}

#[test]
fn holder_binding() {
    let doc = verify(&sign_ok(&document())).unwrap().document;
    assert_eq!(check_holder(&doc, &KeyFingerprint([0x5a; 32])), Ok(()));
    assert_eq!(
        check_holder(&doc, &KeyFingerprint([0x5b; 32])),
        Err(DocumentError::HolderMismatch)
    );
    let unbound = verify(&sign_ok(&minimal_document())).unwrap().document;
    assert_eq!(
        check_holder(&unbound, &KeyFingerprint([0x5a; 32])),
        Err(DocumentError::HolderMismatch)
    );
}

#[test]
fn stored_records_are_reverified() {
    let v = verify(&sign_ok(&document())).unwrap();
    let stored = StoredRecord {
        id: RecordId::random(),
        member: crate::eligibility::MemberId::random(),
        record: v.document.record.clone(),
        provenance: v.provenance(),
    };
    let trust = trust_list();
    assert_eq!(reverify_stored_record(&stored, &trust, now()).unwrap(), v);
    // The stored record was changed after verification.
    let mut changed = stored.clone();
    changed.record.copay = None;
    assert_eq!(
        reverify_stored_record(&changed, &trust, now()),
        Err(DocumentError::StoredMismatch)
    );
    // The stored key id is not the signer's.
    let mut wrong_kid = stored.clone();
    wrong_kid.provenance = Provenance::IssuerSigned {
        key_id: "police-2026".into(),
        signed_bytes: v.signed_bytes.clone(),
    };
    assert_eq!(
        reverify_provenance(&wrong_kid.provenance, &trust, now()),
        Err(DocumentError::StoredMismatch)
    );
    // The signed bytes were damaged in the store.
    let mut damaged = v.signed_bytes.clone();
    let n = damaged.len();
    damaged[n - 10] ^= 0x04;
    let p = Provenance::IssuerSigned {
        key_id: KID.into(),
        signed_bytes: damaged,
    };
    assert_eq!(
        reverify_provenance(&p, &trust, now()),
        Err(DocumentError::BadSignature)
    );
    // Hand-entered records are never verified.
    let p = Provenance::HandEntered { entered_at: now() };
    assert_eq!(
        reverify_provenance(&p, &trust, now()),
        Err(DocumentError::NotIssuerSigned)
    );
    // The key left the trust list, or expired.
    let mut without = trust.clone();
    without.keys.retain(|k| k.kid != KID);
    assert!(matches!(
        reverify_stored_record(&stored, &without, now()),
        Err(DocumentError::UnknownKey { .. })
    ));
    assert_eq!(
        reverify_stored_record(&stored, &trust, t("2030-01-01T00:00:00Z")),
        Err(DocumentError::KeyExpired)
    );
}

// ---- trust list ----

fn signed_trust_list() -> Vec<u8> {
    trust_list().sign(&root_signing_key()).unwrap()
}

fn verify_trust(bytes: &[u8]) -> Result<TrustList, DocumentError> {
    TrustList::verify(bytes, root_signing_key().verifying_key(), now())
}

fn trust_value() -> Value {
    trust_list().to_value().unwrap()
}

fn sign_trust_payload(v: &Value) -> Vec<u8> {
    cose::sign(
        encode(v),
        TRUST_LIST_CONTENT_TYPE,
        None,
        &root_signing_key(),
    )
    .unwrap()
}

#[test]
fn trust_list_round_trip_and_signature() {
    let bytes = signed_trust_list();
    assert_eq!(verify_trust(&bytes).unwrap(), trust_list());
    // Another root.
    assert_eq!(
        TrustList::verify(&bytes, key_from_seed("other root").verifying_key(), now()),
        Err(DocumentError::BadSignature)
    );
    // One byte flipped anywhere.
    for i in 0..bytes.len() {
        let mut b = bytes.clone();
        b[i] ^= 0x01;
        assert!(verify_trust(&b).is_err(), "byte {i}");
    }
    // Every prefix.
    for n in 0..bytes.len() {
        assert!(
            matches!(
                verify_trust(&bytes[..n]),
                Err(DocumentError::Malformed { .. })
            ),
            "prefix {n}"
        );
    }
    // A signed document is not a trust list, even signed by the root.
    let doc = sign_document(&document(), &root_signing_key(), KID).unwrap();
    assert!(matches!(
        verify_trust(&doc),
        Err(DocumentError::Malformed { .. })
    ));
    assert_eq!(
        verify_trust(&vec![0u8; MAX_SIGNED_BYTES + 1]),
        Err(DocumentError::TooLarge {
            limit: MAX_SIGNED_BYTES
        })
    );
}

#[test]
fn trust_list_accepts_spki_keys() {
    let key = key_from_seed("spki issuer");
    let mut list = trust_list();
    let mut k = issuer_key("spki-1", &key, &[INSURER]);
    k.public_key = p256::PublicKey::from(key.verifying_key())
        .to_public_key_der()
        .unwrap()
        .as_bytes()
        .to_vec();
    list.keys.push(k);
    let list = verify_trust(&list.sign(&root_signing_key()).unwrap()).unwrap();
    let doc = sign_document(&document(), &key, "spki-1").unwrap();
    assert!(verify_document(&doc, &list, now()).is_ok());
}

#[test]
fn trust_list_strictness() {
    let malformed =
        |r: Result<TrustList, DocumentError>| matches!(r, Err(DocumentError::Malformed { .. }));
    // Duplicate keys: top level, and in an issuer key.
    let mut v = trust_value();
    map_mut(&mut v).push((int(1), int(9)));
    assert!(malformed(verify_trust(&sign_trust_payload(&v))));
    let mut v = trust_value();
    let Value::Array(keys) = entry(&mut v, 3) else {
        panic!()
    };
    map_mut(&mut keys[0]).push((int(1), Value::Text("x".into())));
    assert!(malformed(verify_trust(&sign_trust_payload(&v))));
    // Unknown keys.
    let mut v = trust_value();
    map_mut(&mut v).push((int(4), int(1)));
    assert!(malformed(verify_trust(&sign_trust_payload(&v))));
    let mut v = trust_value();
    let Value::Array(keys) = entry(&mut v, 3) else {
        panic!()
    };
    map_mut(&mut keys[1]).push((int(6), int(1)));
    assert!(malformed(verify_trust(&sign_trust_payload(&v))));
    // Wrong types; not canonical.
    let mut v = trust_value();
    *entry(&mut v, 1) = Value::Text("2".into());
    assert!(malformed(verify_trust(&sign_trust_payload(&v))));
    let mut v = trust_value();
    map_mut(&mut v).reverse();
    assert!(malformed(verify_trust(&sign_trust_payload(&v))));
    // A kid in the header.
    let b = cose::sign(
        encode(&trust_value()),
        TRUST_LIST_CONTENT_TYPE,
        Some("root"),
        &root_signing_key(),
    )
    .unwrap();
    assert!(malformed(verify_trust(&b)));
    // Invalid content: a bad public key, a bad 保険者番号, a duplicate kid, validity reversed.
    let invalid_or_malformed = |list: TrustList| {
        let payload = encode(&list.to_value().unwrap());
        let b = cose::sign(payload, TRUST_LIST_CONTENT_TYPE, None, &root_signing_key()).unwrap();
        assert!(list.sign(&root_signing_key()).is_err());
        verify_trust(&b).unwrap_err()
    };
    let mut l = trust_list();
    l.keys[0].public_key = vec![4; 65];
    assert!(matches!(
        invalid_or_malformed(l),
        DocumentError::Malformed { .. }
    ));
    let mut l = trust_list();
    l.keys.push(l.keys[0].clone());
    assert!(matches!(
        invalid_or_malformed(l),
        DocumentError::InvalidContent { .. }
    ));
    let mut l = trust_list();
    l.keys[0].not_after = l.keys[0].not_before - chrono::Duration::seconds(1);
    assert!(matches!(
        invalid_or_malformed(l),
        DocumentError::InvalidContent { .. }
    ));
    let mut v = trust_value();
    let Value::Array(keys) = entry(&mut v, 3) else {
        panic!()
    };
    *entry(&mut keys[0], 5) = Value::Array(vec![Value::Text("01130013".into())]);
    assert!(matches!(
        verify_trust(&sign_trust_payload(&v)),
        Err(DocumentError::InvalidContent { .. })
    ));
    // Issued far in the future of the device clock.
    let mut l = trust_list();
    l.issued_at = now() + chrono::Duration::days(2);
    assert!(matches!(
        verify_trust(&l.sign(&root_signing_key()).unwrap()),
        Err(DocumentError::InvalidContent { .. })
    ));
}

#[test]
fn trust_list_versions_only_move_forward() {
    let v1 = trust_list();
    let mut v2 = trust_list();
    v2.version = 2;
    assert_eq!(TrustList::accept_update(None, &v1), Ok(()));
    assert_eq!(TrustList::accept_update(Some(&v1), &v2), Ok(()));
    assert_eq!(
        TrustList::accept_update(Some(&v2), &v1),
        Err(DocumentError::Rollback)
    );
    assert_eq!(
        TrustList::accept_update(Some(&v2), &v2.clone()),
        Err(DocumentError::Rollback)
    );
}

// ---- QR ----

#[test]
fn qr_round_trip_and_one_character_changed() {
    let bytes = sign_ok(&document());
    let qr = to_qr_payload(&bytes);
    assert!(qr.len() < 1200, "{}", qr.len());
    let back = from_qr_payload(&qr).unwrap();
    assert_eq!(back, bytes);
    assert_eq!(verify(&back).unwrap().document, document());
    // Every character of the Base45 part, replaced by several others.
    const ALPHABET: &[u8] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:";
    let body = qr.as_bytes();
    for i in 4..body.len() {
        for step in [1, 7, 22, 44] {
            let pos = ALPHABET.iter().position(|c| *c == body[i]).unwrap();
            let mut changed = body.to_vec();
            changed[i] = ALPHABET[(pos + step) % ALPHABET.len()];
            let changed = String::from_utf8(changed).unwrap();
            let r = from_qr_payload(&changed).and_then(|b| verify(&b));
            assert!(r.is_err(), "position {i} step {step}");
        }
    }
    // Dropping the last character or adding one is refused too.
    assert!(
        from_qr_payload(&qr[..qr.len() - 1])
            .and_then(|b| verify(&b))
            .is_err()
    );
    assert!(
        from_qr_payload(&format!("{qr}0"))
            .and_then(|b| verify(&b))
            .is_err()
    );
}

#[test]
fn signing_keys_from_the_public_api_work_with_sec1() {
    // What an issuer does: publish the SEC1 public key in the trust list.
    let key = SigningKey::from_slice(&[0x42; 32]).unwrap();
    let sec1 = key
        .verifying_key()
        .to_encoded_point(true)
        .as_bytes()
        .to_vec();
    assert_eq!(sec1.len(), 33);
    let mut list = trust_list();
    let mut k = issuer_key("compressed-1", &key, &[INSURER]);
    k.public_key = sec1;
    list.keys.push(k);
    let doc = sign_document(&document(), &key, "compressed-1").unwrap();
    assert!(verify_document(&doc, &list, now()).is_ok());
}
