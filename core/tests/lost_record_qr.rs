//! A phone never shows a QR code for coverage that has been lost: a synced record the family
//! marks with its 資格喪失日 is re-entered by hand (手入力・未検証, no signed form, no QR code),
//! and no presentation or document can be signed for a record with one (the signed formats
//! have no field for it, so a desk would read it as 確認済み).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use chrono::{DateTime, Utc};
use common::*;
use sha2::{Digest, Sha256};
use shikaku_core::document::{
    DocumentError, EligibilityDocument, SigningKey, presentation_of, sign_document,
    sign_presentation,
};
use shikaku_core::eligibility::{Provenance, RecordForm};
use shikaku_core::store::{MemoryKeyStore, Store};

const KID: &str = "issuer-test";
const CARD_SPKI: &[u8] = b"stand-in SubjectPublicKeyInfo DER of the card";

fn t(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).unwrap().to_utc()
}

fn key() -> SigningKey {
    SigningKey::from_slice(&[7; 32]).unwrap()
}

#[test]
fn a_record_marked_lost_has_no_qr_code_and_cannot_be_signed() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(&dir.path().join("s.db"), &MemoryKeyStore::new([9; 32])).unwrap();
    let (person, records) = family().remove(0);
    let doc = EligibilityDocument {
        household_id: "h-1".into(),
        person_id: "p-1".into(),
        version: 1,
        issued_at: t("2026-11-20T00:00:00Z"),
        valid_until: t("2027-02-18T00:00:00Z"),
        person,
        record: records[0].clone(),
        holder_binding: Some(Sha256::digest(CARD_SPKI).into()),
    };
    let member = store.add_member(&doc.person).unwrap();
    let id = store
        .put_record(
            member,
            &doc.record,
            &Provenance::IssuerSigned {
                key_id: KID.into(),
                signed_bytes: sign_document(&doc, &key(), KID).unwrap(),
            },
        )
        .unwrap();
    let p = presentation_of(&doc, [3; 16], Some(CARD_SPKI)).unwrap();
    store
        .put_presentation(id, &sign_presentation(&p, &key(), KID).unwrap())
        .unwrap();
    assert!(store.qr_payload(id).unwrap().is_some());

    // The family learns the coverage ended and records its 資格喪失日.
    let mut form = RecordForm::from(&doc.record);
    form.lost_on = Some("2026-11-01".into());
    let now = t("2026-11-23T03:00:00Z");
    store.reenter_record(id, &form, now).unwrap();
    let lost = store.record(id).unwrap();
    assert!(lost.record.lost_on.is_some());
    assert!(matches!(lost.provenance, Provenance::HandEntered { .. }));
    // No QR code: the signed form of the record in force is not shown for the lost one.
    assert_eq!(store.qr_payload(id).unwrap(), None);
    assert_eq!(store.member_qr_payload(member).unwrap(), None);
    // Nor is the signed presentation kept beside it: it went with the signed record.
    assert_eq!(store.presentation(id).unwrap(), None);

    // Nor can the lost record be signed, as a document or as a presentation.
    let lost_doc = EligibilityDocument {
        record: lost.record,
        ..doc
    };
    assert_eq!(
        sign_document(&lost_doc, &key(), KID),
        Err(DocumentError::LostCoverage)
    );
    assert_eq!(
        presentation_of(&lost_doc, [3; 16], Some(CARD_SPKI)),
        Err(DocumentError::LostCoverage)
    );
}
