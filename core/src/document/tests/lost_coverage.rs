//! A record with a 資格喪失日 is never signed: the formats have no field for it, so a signed
//! document would show lost coverage as in force at a clinic.

use super::*;

fn lost() -> EligibilityDocument {
    let mut doc = document();
    doc.record.lost_on = Some(d("2026-10-01"));
    doc
}

#[test]
fn signing_a_lost_record_is_refused() {
    assert_eq!(
        sign_document(&lost(), &issuer_signing_key(), KID),
        Err(DocumentError::LostCoverage)
    );
    assert_eq!(lost().validate(), Err(DocumentError::LostCoverage));
    // The same record without it signs, and reads back without it.
    let bytes = sign_ok(&document());
    assert_eq!(verify(&bytes).unwrap().document.record.lost_on, None);
    // The message names the field, never a value.
    let message = DocumentError::LostCoverage.to_string();
    assert!(
        message.contains("lost_on") && !message.contains("2026"),
        "{message}"
    );
}

#[test]
fn no_presentation_of_a_lost_record() {
    let mut doc = lost();
    doc.holder_binding = None;
    assert_eq!(
        presentation_of(&doc, [7; SALT_LEN], None),
        Err(DocumentError::LostCoverage)
    );
    doc.record.lost_on = None;
    let p = presentation_of(&doc, [7; SALT_LEN], None).unwrap();
    assert!(sign_presentation(&p, &issuer_signing_key(), KID).is_ok());
}

/// The hand-entry bound on dates far ahead (a typing error, docs/rules.md §3.4) is not a rule
/// of signed documents: an authentic document with a date more than 20 years after its issue
/// day still signs and verifies, while the same record typed in is refused (review of
/// 2026-11-30: a rule added later must not turn a stored document into 「署名が無効」).
#[test]
fn a_signed_date_far_ahead_is_the_issuers_and_still_verifies() {
    let mut doc = document();
    doc.record.kind = crate::eligibility::DocumentKind::Notice;
    doc.record.valid_until = Some(d("2099-12-31"));
    let bytes = sign_ok(&doc);
    assert_eq!(
        verify(&bytes).unwrap().document.record.valid_until,
        Some(d("2099-12-31"))
    );
    let typed = crate::eligibility::RecordForm::from(&doc.record);
    let err = typed.validate(d("2026-11-20")).unwrap_err();
    assert!(
        err.has(crate::eligibility::Field::ValidUntil)
            && err.to_string().contains("20 years ahead"),
        "{err}"
    );
    assert_eq!(typed.validate_signed(d("2026-11-20")), Ok(doc.record));
}
