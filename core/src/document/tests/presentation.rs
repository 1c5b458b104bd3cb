//! The presentation document (format 2): what it leaves out, the salted holder binding, its
//! own content type, strict decoding, and the clinic's verdicts for format 1 and format 2.

use p256::elliptic_curve::PrimeField as _;
use p256::pkcs8::EncodePublicKey as _;
use sha2::{Digest, Sha256};

use super::*;

const SALT: [u8; SALT_LEN] = [0x11; SALT_LEN];

/// The SubjectPublicKeyInfo DER of a test key, standing in for a card's 利用者証明用 key.
fn spki(seed: &str) -> Vec<u8> {
    p256::PublicKey::from(key_from_seed(seed).verifying_key())
        .to_public_key_der()
        .unwrap()
        .as_bytes()
        .to_vec()
}

/// [`document`] bound to the card key `spki("card")`.
fn bound_document() -> EligibilityDocument {
    let mut doc = document();
    doc.holder_binding = Some(Sha256::digest(spki("card")).into());
    doc
}

fn presentation() -> PresentationDocument {
    presentation_of(&bound_document(), SALT, Some(&spki("card"))).unwrap()
}

fn sign_p(p: &PresentationDocument) -> Vec<u8> {
    sign_presentation(p, &issuer_signing_key(), KID).unwrap()
}

fn verify_p(bytes: &[u8]) -> Result<VerifiedPresentation, DocumentError> {
    verify_presentation(bytes, &trust_list(), now())
}

fn contains(hay: &[u8], needle: &[u8]) -> bool {
    hay.windows(needle.len()).any(|w| w == needle)
}

#[test]
fn a_presentation_carries_no_ids_no_raw_binding_and_no_limit() {
    let doc = bound_document();
    let bytes = sign_p(&presentation());
    for needle in [
        doc.household_id.as_bytes(),
        doc.person_id.as_bytes(),
        "区分Ⅱ".as_bytes(),
        &doc.holder_binding.unwrap()[..],
    ] {
        assert!(!contains(&bytes, needle), "{needle:?}");
    }
    // The full document does carry them: the check above can fail.
    let full = sign_ok(&doc);
    assert!(contains(&full, doc.household_id.as_bytes()));
    assert!(contains(&full, &doc.holder_binding.unwrap()));
    assert!(contains(&full, "区分Ⅱ".as_bytes()));

    let v = verify_p(&bytes).unwrap();
    assert_eq!(v.format, PresentedFormat::Presentation);
    assert_eq!(v.format_version(), 2);
    assert_eq!(v.validity, Validity::Valid);
    assert_eq!(v.kid, KID);
    assert_eq!(v.document, presentation());
    assert_eq!(v.document.person, doc.person);
    assert_eq!(v.document.record, PresentedRecord::from(&doc.record));
    assert_eq!(v.document.record.elderly, doc.record.elderly);
    assert!(v.document.agrees_with(&doc));
    assert_eq!(Verdict::of(&Ok(v)), Verdict::Valid);
}

#[test]
fn the_salted_binding_matches_the_card_and_no_other() {
    let p = presentation();
    let h = p.holder.unwrap();
    assert_eq!(h.salt, SALT);
    let mut input = SALT.to_vec();
    input.extend_from_slice(&spki("card"));
    assert_eq!(h.hash, <[u8; 32]>::from(Sha256::digest(&input)));
    assert_ne!(Some(h.hash), bound_document().holder_binding);

    let v = verify_p(&sign_p(&p)).unwrap();
    check_presentation_holder(&v, &spki("card")).unwrap();
    assert_eq!(
        check_presentation_holder(&v, &spki("another card")),
        Err(DocumentError::HolderMismatch)
    );
    // A fresh salt gives another binding of the same card, which still matches.
    let other = presentation_of(&bound_document(), [0x22; SALT_LEN], Some(&spki("card"))).unwrap();
    assert_ne!(other.holder.unwrap().hash, h.hash);
    assert!(other.holder.unwrap().matches(&spki("card")));

    // A presentation of a member without a card matches no card.
    let mut unbound = document();
    unbound.holder_binding = None;
    let p = presentation_of(&unbound, SALT, None).unwrap();
    assert_eq!(p.holder, None);
    let v = verify_p(&sign_p(&p)).unwrap();
    assert_eq!(
        check_presentation_holder(&v, &spki("card")),
        Err(DocumentError::HolderMismatch)
    );
}

#[test]
fn presentation_of_needs_the_key_the_document_is_bound_to() {
    assert_eq!(
        presentation_of(&bound_document(), SALT, Some(&spki("another card"))),
        Err(DocumentError::HolderMismatch)
    );
    assert_eq!(
        presentation_of(&bound_document(), SALT, None),
        Err(DocumentError::HolderMismatch)
    );
    let mut unbound = document();
    unbound.holder_binding = None;
    assert_eq!(
        presentation_of(&unbound, SALT, Some(&spki("card"))),
        Err(DocumentError::HolderMismatch)
    );
}

#[test]
fn a_format_1_document_still_verifies_and_says_so() {
    let doc = bound_document();
    let v = verify_p(&sign_ok(&doc)).unwrap();
    assert_eq!(v.format_version(), 1);
    assert_eq!(
        v.format,
        PresentedFormat::FullDocument {
            holder_binding: doc.holder_binding
        }
    );
    assert_eq!(v.document.holder, None);
    assert_eq!(v.document.record, PresentedRecord::from(&doc.record));
    assert_eq!(v.validity, Validity::Valid);
    check_presentation_holder(&v, &spki("card")).unwrap();
    assert_eq!(
        check_presentation_holder(&v, &spki("another card")),
        Err(DocumentError::HolderMismatch)
    );
    // Through the QR form too.
    let back = from_qr_payload(&to_qr_payload(&sign_ok(&doc))).unwrap();
    assert_eq!(verify_p(&back).unwrap().format_version(), 1);
}

#[test]
fn one_type_is_never_taken_for_the_other() {
    let wrong = DocumentError::Malformed {
        at: "protected header",
        reason: "wrong content type",
    };
    assert_eq!(verify(&sign_p(&presentation())), Err(wrong.clone()));
    assert_eq!(
        verify_presentation_document(&sign_ok(&document()), &trust_list(), now()),
        Err(wrong)
    );
    // The payload of one signed as the other does not decode either.
    let as_document = sign_payload(encode(
        &super::super::presentation::to_value(&presentation()).unwrap(),
    ));
    assert!(matches!(
        verify(&as_document),
        Err(DocumentError::Malformed { .. })
    ));
    let as_presentation = cose::sign(
        encode(&doc_value()),
        PRESENTATION_CONTENT_TYPE,
        Some(KID),
        &issuer_signing_key(),
    )
    .unwrap();
    assert!(matches!(
        verify_p(&as_presentation),
        Err(DocumentError::Malformed { .. })
    ));
    // A trust list is neither.
    let tl = trust_list().sign(&root_signing_key()).unwrap();
    assert_eq!(Verdict::of(&verify_p(&tl)), Verdict::Malformed);
}

/// Signs the presentation value after `mutate` with the trusted key.
fn sign_mutated(mutate: impl FnOnce(&mut Value)) -> Vec<u8> {
    let mut v = super::super::presentation::to_value(&presentation()).unwrap();
    mutate(&mut v);
    cose::sign(
        encode(&v),
        PRESENTATION_CONTENT_TYPE,
        Some(KID),
        &issuer_signing_key(),
    )
    .unwrap()
}

#[test]
fn decoding_is_strict() {
    // The unmutated value verifies: the mutations below are what is refused.
    verify_p(&sign_mutated(|_| {})).unwrap();
    let malformed = |b: &[u8]| matches!(verify_p(b), Err(DocumentError::Malformed { .. }));
    // Format 1 in a presentation.
    assert!(malformed(&sign_mutated(|v| *entry(v, 0) = int(1))));
    // A household id (key of the full document's layout) is an unknown key here.
    assert!(malformed(&sign_mutated(|v| {
        map_mut(v).push((int(7), Value::Text("hh-0001".into())))
    })));
    // 限度額 and 資格取得年月日 are not part of a presentation.
    let limit = cbor::map(vec![(1, Some(Value::Text("区分Ⅱ".into())))]);
    assert!(malformed(&sign_mutated(|v| {
        map_mut(entry(v, 4)).push((int(15), limit))
    })));
    assert!(malformed(&sign_mutated(|v| {
        map_mut(entry(v, 4)).push((int(9), Value::Text("2015-04-01".into())))
    })));
    // Salt without binding, short salt.
    assert!(malformed(&sign_mutated(|v| {
        map_mut(v).retain(|(k, _)| *k != int(6))
    })));
    assert!(malformed(&sign_mutated(|v| {
        *entry(v, 5) = Value::Bytes(vec![1; 15])
    })));
    // Keys out of order: not canonical.
    assert!(malformed(&sign_mutated(|v| map_mut(v).reverse())));
    // Content broken against the model's rules.
    assert!(matches!(
        verify_p(&sign_mutated(|v| *entry(entry(v, 3), 5) = int(2))),
        Err(DocumentError::InvalidContent { .. })
    ));
}

#[test]
fn each_failure_has_its_verdict() {
    let bytes = sign_p(&presentation());
    let verdict = |b: &[u8]| Verdict::of(&verify_p(b));
    assert_eq!(verdict(&bytes), Verdict::Valid);

    // One byte changed in the payload (the 保険者番号 text): bad signature.
    let pos = bytes
        .windows(INSURER.len())
        .position(|w| w == INSURER.as_bytes())
        .unwrap();
    let mut b = bytes.clone();
    b[pos] ^= 0x01;
    assert_eq!(verdict(&b), Verdict::BadSignature);
    // Every flipped byte is refused.
    for i in 0..bytes.len() {
        let mut b = bytes.clone();
        b[i] ^= 0x80;
        assert_ne!(verdict(&b), Verdict::Valid, "byte {i}");
    }
    // Truncated.
    assert_eq!(verdict(&bytes[..bytes.len() - 1]), Verdict::Malformed);
    assert_eq!(verdict(&bytes[..10]), Verdict::Malformed);
    assert_eq!(verdict(b""), Verdict::Malformed);

    // The high-S copy of the signature.
    let sig_at = bytes.len() - 64;
    let sig = p256::ecdsa::Signature::from_slice(&bytes[sig_at..]).unwrap();
    let (r, s) = sig.split_scalars();
    let high = p256::ecdsa::Signature::from_scalars(r.to_repr(), (-*s).to_repr()).unwrap();
    let mut b = bytes.clone();
    b[sig_at..].copy_from_slice(&high.to_bytes());
    assert_eq!(verify_p(&b), Err(DocumentError::BadSignature));

    // Unknown kid, a key outside its validity, a key not allowed for the 保険者番号.
    let unknown =
        sign_presentation(&presentation(), &key_from_seed("stranger"), "stranger-1").unwrap();
    assert_eq!(
        verify_p(&unknown),
        Err(DocumentError::UnknownKey {
            kid: "stranger-1".into()
        })
    );
    assert_eq!(verdict(&unknown), Verdict::UnknownIssuerKey);
    let late = verify_presentation(&bytes, &trust_list(), t("2028-01-01T00:00:00Z"));
    assert_eq!(late, Err(DocumentError::KeyExpired));
    assert_eq!(Verdict::of(&late), Verdict::UnknownIssuerKey);
    let police =
        sign_presentation(&presentation(), &key_from_seed("police"), "police-2026").unwrap();
    assert_eq!(
        verify_p(&police),
        Err(DocumentError::KeyNotAllowedForInsurer)
    );

    // Expired: authentic, the fields still readable, the verdict distinct.
    let after = t("2027-12-01T00:00:00Z");
    let v = verify_presentation(&bytes, &trust_list(), after).unwrap();
    assert_eq!(
        v.validity,
        Validity::Expired {
            since: presentation().valid_until
        }
    );
    assert_eq!(Verdict::of(&Ok(v)), Verdict::DocumentExpired);
    // Format 1 expires the same way.
    let v1 = verify_presentation(&sign_ok(&document()), &trust_list(), after);
    assert_eq!(Verdict::of(&v1), Verdict::DocumentExpired);

    // A bad QR payload is malformed.
    assert_eq!(
        Verdict::of(&from_qr_payload("SK1:abc").and_then(|b| verify_p(&b))),
        Verdict::Malformed
    );
}

#[test]
fn agreement_with_the_full_document() {
    let doc = bound_document();
    let p = presentation();
    assert!(p.agrees_with(&doc));
    let mut other = doc.clone();
    other.valid_until = t("2027-11-21T00:00:00Z");
    assert!(!p.agrees_with(&other));
    let mut other = doc.clone();
    other.record.number = "９０".into();
    assert!(!p.agrees_with(&other));
    let mut other = doc.clone();
    other.person.name = "山田 次郎".into();
    assert!(!p.agrees_with(&other));
    let mut other = doc.clone();
    other.holder_binding = None;
    assert!(!p.agrees_with(&other));
    // The fields a presentation leaves out do not take part.
    let mut other = doc.clone();
    other.record.limit = None;
    other.version = 9;
    assert!(p.agrees_with(&other));

    // The same on the signed bytes (what the store checks before showing a QR code).
    let full = sign_ok(&doc);
    assert!(presentation_matches_document(&sign_p(&p), &full));
    let other_kid = sign_presentation(&p, &key_from_seed("police"), "police-2026").unwrap();
    assert!(!presentation_matches_document(&other_kid, &full));
    let mut other = doc.clone();
    other.record.number = "９０".into();
    assert!(!presentation_matches_document(
        &sign_p(&p),
        &sign_ok(&other)
    ));
    assert!(!presentation_matches_document(&full, &full));
    assert!(!presentation_matches_document(&sign_p(&p), &sign_p(&p)));
    assert!(!presentation_matches_document(b"", &full));
}
