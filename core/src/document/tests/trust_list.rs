//! The trust list: round trip, signature, strict layout and versions that only move forward.

use super::*;

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
