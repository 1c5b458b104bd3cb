//! The document's CBOR layout: round trips, strict decoding of every malformed input, the
//! canonical form and the model's rules applied to decoded content.

use super::*;

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
