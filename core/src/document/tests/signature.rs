//! Signing and verification: the signature, the COSE header, the trust list's keys (id,
//! validity, 保険者番号 scope), the holder binding and re-verification of stored records.

use super::*;

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
