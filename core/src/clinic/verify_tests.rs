//! The desk's trust list, verdicts, card checks and recording, against documents signed with
//! the test issuer keys and a scripted card carrying the test PKI's leaf.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use chrono::{DateTime, Datelike, Duration, NaiveDate, Utc};
use sha2::{Digest, Sha256};

use super::*;
use crate::card::CardCertificate;
use crate::card::cert::testpki::pki;
use crate::card::mock::{MockTransport, read_steps};
use crate::card::{CardError, TrustStore};
use crate::document::testkit::{
    INSURER, KID, d, document, issuer_signing_key, key_from_seed, now, root_signing_key, t,
    trust_list,
};
use crate::document::{
    EligibilityDocument, SigningKey, sign_document, sign_presentation, to_qr_payload,
};
use crate::store::MemoryKeyStore;

const SELECT_JPKI: &str = "00A4040C0AD392F000260100000001";
const VERIFY_1234: &str = "002000800431323334";

fn desk(dir: &std::path::Path) -> DeskStore {
    DeskStore::open(&dir.join("desk"), &MemoryKeyStore::new([7; 32])).unwrap()
}

fn with_trust(dir: &std::path::Path) -> DeskStore {
    let mut desk = desk(dir);
    let bytes = trust_list().sign(&root_signing_key()).unwrap();
    desk.import_trust_list(&bytes, Some(root_signing_key().verifying_key()), now())
        .unwrap();
    desk
}

fn leaf() -> CardCertificate {
    CardCertificate::from_der(&pki().leaf).unwrap()
}

/// The test document bound to the test PKI's leaf key.
fn bound() -> EligibilityDocument {
    let mut doc = document();
    doc.holder_binding = Some(Sha256::digest(leaf().spki_der()).into());
    doc
}

fn qr_v2(doc: &EligibilityDocument, key: &SigningKey, kid: &str) -> String {
    let p = crate::document::presentation_of(doc, [3; 16], Some(leaf().spki_der())).unwrap();
    to_qr_payload(&sign_presentation(&p, key, kid).unwrap())
}

fn genuine() -> String {
    qr_v2(&bound(), &issuer_signing_key(), KID)
}

fn verify(desk: &DeskStore, payload: &str) -> DeskVerification {
    desk.verify_payload(payload, VerifyOptions::default(), now())
        .unwrap()
}

/// What is held for recording after `check` matched.
fn held(check: &DeskCardCheck) -> PendingCardCheck {
    let mut pending = PendingCardCheck::new();
    pending.apply(Ok::<_, ClinicError>(check.clone())).unwrap();
    pending
}

fn trust_store() -> TrustStore {
    let mut trust = TrustStore::empty();
    trust.add_extra_anchor(&pki().ca).unwrap();
    trust
}

/// The card up to the certificate: what the desk reads without a PIN.
fn card_head(cert: &[u8]) -> MockTransport {
    MockTransport::new()
        .expect(SELECT_JPKI, "9000")
        .expect("00A4020C02000A", "9000")
        .then(read_steps(cert, 100))
}

fn card_with_pin(cert: &[u8], counter: &str) -> MockTransport {
    card_head(cert)
        .expect(SELECT_JPKI, "9000")
        .expect("00A4020C02000A", "9000")
        .then(read_steps(cert, 100))
        .expect("00A4020C020018", "9000")
        .expect("00200080", counter)
        .expect(VERIFY_1234, "9000")
        .expect("00A4020C020017", "9000")
        .expect_sign(false)
}

#[test]
fn a_genuine_presentation_is_confirmed_with_its_claim_fields_and_nothing_is_recorded() {
    let dir = tempfile::tempdir().unwrap();
    let desk = with_trust(dir.path());
    let v = verify(&desk, &genuine());
    assert_eq!(v.verdict, DeskVerdict::Confirmed);
    assert_eq!(v.verdict.label_ja(), "確認済み");
    let claim = v.claim().unwrap();
    assert_eq!(claim.insurer_number.as_str(), INSURER);
    assert_eq!(claim.name, "山田 太郎");
    assert_eq!(claim.number, "８９");
    assert_eq!(claim.limit, None, "no 限度額 in a presentation");
    assert_eq!(v.issued_on(), Some(d("2026-11-20")));
    assert_eq!(v.document_age_days(), Some(3));
    let trust = v.trust.unwrap();
    assert_eq!(trust.version, 1);
    assert_eq!(trust.age_days, 22);
    assert!(!trust.stale);
    assert_eq!(v.document_info().unwrap().format, 2);
    assert_eq!(desk.log_len().unwrap(), 0, "verifying records nothing");
}

#[test]
fn each_failure_has_its_own_verdict() {
    let dir = tempfile::tempdir().unwrap();
    let desk = with_trust(dir.path());
    // Another issuer's key (not in the trust list).
    let other = qr_v2(&bound(), &key_from_seed("someone else"), "rogue-1");
    let v = verify(&desk, &other);
    assert_eq!(v.verdict, DeskVerdict::UnknownIssuer);
    // The desk's reason names the desk's update command (the household's names shikaku sync).
    let reason = v.reason.unwrap();
    assert!(
        reason.contains(TrustSource::Desk.update_command().unwrap()),
        "{reason}"
    );
    // A listed key that may not sign for this 保険者番号.
    let police = qr_v2(&bound(), &key_from_seed("police"), "police-2026");
    assert_eq!(verify(&desk, &police).verdict, DeskVerdict::UnknownIssuer);
    // The document's own validity is over.
    let mut old = bound();
    old.issued_at = t("2025-11-20T00:00:00Z");
    old.valid_until = t("2026-11-01T00:00:00Z");
    let v = verify(&desk, &qr_v2(&old, &issuer_signing_key(), KID));
    assert_eq!(v.verdict, DeskVerdict::DocumentExpired);
    assert!(
        v.claim().is_some(),
        "an authentic expired document still shows its fields"
    );
    // The eligibility ended (有効期限 yesterday).
    let mut ended = bound();
    ended.record.valid_until = Some(d("2026-11-22"));
    ended.record.elderly = None;
    let v = verify(&desk, &qr_v2(&ended, &issuer_signing_key(), KID));
    assert_eq!(v.verdict, DeskVerdict::EligibilityExpired);
    // A signed field changed after signing: the signature no longer verifies.
    let good = genuine();
    let signed = crate::document::from_qr_payload(&good).unwrap();
    let name = "山田 太郎".as_bytes();
    let at = signed.windows(name.len()).position(|w| w == name).unwrap();
    let mut forged = signed.clone();
    forged[at..at + name.len()].copy_from_slice("山田 次郎".as_bytes());
    let v = verify(&desk, &to_qr_payload(&forged));
    assert_eq!(v.verdict, DeskVerdict::BadSignature);
    assert!(v.claim().is_none(), "nothing of a forged document is shown");
    // One character of the QR text changed, and a truncated payload.
    let mut chars: Vec<char> = good.chars().collect();
    let i = chars.len() / 2;
    chars[i] = if chars[i] == 'A' { 'B' } else { 'A' };
    let one_off: String = chars.into_iter().collect();
    let v = verify(&desk, &one_off);
    assert!(
        matches!(
            v.verdict,
            DeskVerdict::Malformed | DeskVerdict::BadSignature
        ),
        "{:?}",
        v.verdict
    );
    let v = verify(&desk, &good[..good.len() - 7]);
    assert_eq!(v.verdict, DeskVerdict::Malformed);
    assert_eq!(verify(&desk, "hello").verdict, DeskVerdict::Malformed);
    assert_eq!(desk.log_len().unwrap(), 0, "nothing recorded unless asked");
}

#[test]
fn a_format_1_qr_still_verifies_and_says_so() {
    let dir = tempfile::tempdir().unwrap();
    let desk = with_trust(dir.path());
    let full = to_qr_payload(&sign_document(&bound(), &issuer_signing_key(), KID).unwrap());
    let v = verify(&desk, &full);
    assert_eq!(v.verdict, DeskVerdict::Confirmed);
    assert_eq!(v.document_info().unwrap().format, 1);
    assert_eq!(v.claim().unwrap().limit, None, "the 限度額 is not taken");
}

#[test]
fn without_a_trust_list_nothing_is_confirmed_and_the_first_import_needs_the_root() {
    let dir = tempfile::tempdir().unwrap();
    let mut desk = desk(dir.path());
    let v = verify(&desk, &genuine());
    assert_eq!(v.verdict, DeskVerdict::UnknownIssuer);
    assert!(v.trust.is_none());
    // The one wording of a missing list, naming the desk's command.
    assert_eq!(v.reason, Some(TrustSource::Desk.missing_ja()));
    assert!(v.reason.unwrap().contains("shikaku clinic trust update"));
    assert!(TrustSource::Household.missing_ja().contains("shikaku sync"));
    let bytes = trust_list().sign(&root_signing_key()).unwrap();
    assert!(matches!(
        desk.import_trust_list(&bytes, None, now()),
        Err(ClinicError::Trust { .. })
    ));
    assert!(desk.trust(now()).unwrap().is_none());
}

/// A desk whose clock went back (a power cut) before its list's issue time is told to check
/// the PC's clock, not that it has no list; the list itself is kept and works again once the
/// clock is right.
#[test]
fn a_clock_before_the_trust_lists_issue_says_to_check_the_clock() {
    let dir = tempfile::tempdir().unwrap();
    drop(with_trust(dir.path()));
    let desk = desk(dir.path());
    let behind = t("2020-01-01T00:00:00Z");
    let v = desk
        .verify_payload(&genuine(), VerifyOptions::default(), behind)
        .unwrap();
    assert_eq!(v.verdict, DeskVerdict::UnknownIssuer);
    assert!(v.trust.is_none());
    let clock = v.trust_clock_behind.unwrap();
    assert_eq!(clock.now, behind);
    assert_eq!(clock.issued_at, trust_list().issued_at);
    let reason = v.reason.clone().unwrap();
    assert!(
        reason.contains("PCの日付・時刻を確認してください"),
        "{reason}"
    );
    assert!(reason.contains("2020-01-01 09:00"), "{reason}");
    assert!(!reason.contains("信頼リストがありません"), "{reason}");
    assert_eq!(v.trust_missing_ja(TrustSource::Desk), reason);
    assert_eq!(desk.trust_missing_ja(behind).unwrap(), reason);
    // The right clock: the list is there, nothing about the clock.
    let v = verify(&desk, &genuine());
    assert_eq!(v.verdict, DeskVerdict::Confirmed);
    assert_eq!(v.trust_clock_behind, None);
    // A desk with no list at all is still told so.
    let empty = tempfile::tempdir().unwrap();
    let none = self::desk(empty.path());
    assert_eq!(none.trust_clock_behind(behind).unwrap(), None);
    assert_eq!(
        none.trust_missing_ja(behind).unwrap(),
        TrustSource::Desk.missing_ja()
    );
}

#[test]
fn a_new_desks_first_list_is_checked_before_any_store_exists() {
    let bytes = trust_list().sign(&root_signing_key()).unwrap();
    let root = *root_signing_key().verifying_key();
    assert_eq!(
        check_first_trust_list(&bytes, Some(&root), now()).unwrap(),
        trust_list()
    );
    assert_eq!(first_trust_root(Some(&root)).unwrap(), root);
    for refused in [
        check_first_trust_list(&bytes, None, now()),
        check_first_trust_list(
            &bytes,
            Some(key_from_seed("another root").verifying_key()),
            now(),
        ),
    ] {
        assert!(
            matches!(refused, Err(ClinicError::Trust { .. })),
            "{refused:?}"
        );
    }
    assert!(matches!(
        first_trust_root(None),
        Err(ClinicError::Trust { .. })
    ));
}

#[test]
fn trust_updates_only_move_forward_under_the_pinned_root() {
    let dir = tempfile::tempdir().unwrap();
    let mut desk = desk(dir.path());
    let root = *root_signing_key().verifying_key();
    let mut v2 = trust_list();
    v2.version = 2;
    let v2_bytes = v2.sign(&root_signing_key()).unwrap();
    desk.import_trust_list(&v2_bytes, Some(&root), now())
        .unwrap();
    // Older: refused, the held list unchanged.
    let v1_bytes = trust_list().sign(&root_signing_key()).unwrap();
    assert!(matches!(
        desk.import_trust_list(&v1_bytes, None, now()),
        Err(ClinicError::Trust { .. })
    ));
    // Same version, other bytes: refused.
    let mut v2b = v2.clone();
    v2b.issued_at = v2.issued_at + Duration::seconds(1);
    assert!(matches!(
        desk.import_trust_list(&v2b.sign(&root_signing_key()).unwrap(), None, now()),
        Err(ClinicError::Trust { .. })
    ));
    // Another root: refused, never re-pinned.
    let other_root = key_from_seed("other root");
    let mut v3 = trust_list();
    v3.version = 3;
    assert!(matches!(
        desk.import_trust_list(
            &v3.sign(&other_root).unwrap(),
            Some(other_root.verifying_key()),
            now()
        ),
        Err(ClinicError::Trust { .. })
    ));
    // A list the pinned root did not sign: refused.
    assert!(matches!(
        desk.import_trust_list(&v3.sign(&other_root).unwrap(), None, now()),
        Err(ClinicError::Trust { .. })
    ));
    assert_eq!(desk.trust(now()).unwrap().unwrap().list.version, 2);
    // Newer under the pinned root: taken.
    desk.import_trust_list(&v3.sign(&root_signing_key()).unwrap(), None, now())
        .unwrap();
    assert_eq!(desk.trust(now()).unwrap().unwrap().list.version, 3);
}

#[test]
fn a_stale_trust_list_is_flagged_on_every_verification() {
    let dir = tempfile::tempdir().unwrap();
    let desk = with_trust(dir.path());
    let later: DateTime<Utc> = t("2026-12-05T00:00:00Z");
    let v = desk
        .verify_payload(&genuine(), VerifyOptions::default(), later)
        .unwrap();
    let age = v.trust.unwrap();
    assert!(age.stale, "issued 2026-11-01, limit 30 days");
    assert_eq!(age.summary_ja(), "第1版・発行 2026-11-01（34日前）");
    assert_eq!(
        age.stale_ja(TrustSource::Household).unwrap(),
        "信頼リストが古くなっています。shikaku sync で更新してください。"
    );
    assert!(
        age.stale_ja(TrustSource::Desk)
            .unwrap()
            .contains("shikaku clinic trust update")
    );
    let v = desk
        .verify_payload(
            &genuine(),
            VerifyOptions {
                max_trust_age_days: 60,
            },
            later,
        )
        .unwrap();
    assert!(!v.trust.unwrap().stale);
    assert_eq!(v.trust.unwrap().stale_ja(TrustSource::Desk), None);
}

#[test]
fn the_card_without_pin_matches_the_binding_and_records_visual_only_when_compared() {
    let dir = tempfile::tempdir().unwrap();
    let mut desk = with_trust(dir.path());
    let v = verify(&desk, &genuine());
    let card = card_head(&pki().leaf);
    let check = check_card_at_desk(&card, &v, None, &trust_store(), now()).unwrap();
    card.assert_done();
    card.assert_never_selected_my_number();
    assert_eq!(card.pin_verifies(), 0);
    assert!(!check.pin_verified());
    assert_eq!(
        check.label_ja(),
        "この資格情報に結び付いたカード（PIN未確認）"
    );
    let at = desk
        .record_verification(&v, &held(&check), true, "受付 佐藤", now())
        .unwrap();
    let entries = desk.visits_on(d("2026-11-23")).unwrap();
    assert_eq!(entries.entries.len(), 1);
    assert_eq!(at, 1);
    let not_compared = desk
        .record_verification(&v, &held(&check), false, "受付 佐藤", now())
        .unwrap();
    assert_eq!(not_compared, 2);
    assert!(matches!(
        desk.verify_log().unwrap(),
        LogCheck::Intact { entries: 2, .. }
    ));
}

#[test]
fn the_card_with_pin_signs_a_fresh_challenge() {
    let dir = tempfile::tempdir().unwrap();
    let desk = with_trust(dir.path());
    let v = verify(&desk, &genuine());
    let card = card_with_pin(&pki().leaf, "63C3");
    let pin = DeskPin::from_bytes(b"1234", false).unwrap();
    let check = check_card_at_desk(&card, &v, Some(pin), &trust_store(), now()).unwrap();
    card.assert_done();
    assert_eq!(card.pin_verifies(), 1);
    assert!(check.pin_verified());
    assert_eq!(check.label_ja(), "本人確認済み（PIN）");
}

#[test]
fn another_persons_card_is_refused_before_any_pin_try() {
    let dir = tempfile::tempdir().unwrap();
    let desk = with_trust(dir.path());
    // The document is bound to someone else's key.
    let mut doc = document();
    let other_spki = b"another card's SubjectPublicKeyInfo".to_vec();
    doc.holder_binding = Some(Sha256::digest(&other_spki).into());
    let p = crate::document::presentation_of(&doc, [3; 16], Some(&other_spki)).unwrap();
    let payload = to_qr_payload(&sign_presentation(&p, &issuer_signing_key(), KID).unwrap());
    let v = verify(&desk, &payload);
    assert_eq!(v.verdict, DeskVerdict::Confirmed);
    let card = card_head(&pki().leaf);
    let pin = DeskPin::from_bytes(b"1234", true).unwrap();
    let err = check_card_at_desk(&card, &v, Some(pin), &trust_store(), now()).unwrap_err();
    assert_eq!(err, ClinicError::CardMismatch);
    assert_eq!(card.pin_verifies(), 0, "no PIN try spent on the wrong card");
    // A card whose certificate does not chain is refused too, before any PIN.
    let card = card_head(&pki().leaf_by_impostor);
    let err = check_card_at_desk(&card, &v, None, &trust_store(), now()).unwrap_err();
    assert_eq!(err, ClinicError::Card(CardError::UntrustedCertificate));
}

#[test]
fn the_desk_pin_guard_is_the_phones() {
    let dir = tempfile::tempdir().unwrap();
    let desk = with_trust(dir.path());
    let v = verify(&desk, &genuine());
    // One try left and no consent: no VERIFY is sent.
    let card = card_head(&pki().leaf)
        .expect(SELECT_JPKI, "9000")
        .expect("00A4020C02000A", "9000")
        .then(read_steps(&pki().leaf, 100))
        .expect("00A4020C020018", "9000")
        .expect("00200080", "63C1");
    let pin = DeskPin::from_bytes(b"1234", false).unwrap();
    let err = check_card_at_desk(&card, &v, Some(pin), &trust_store(), now()).unwrap_err();
    assert!(
        matches!(
            err,
            ClinicError::Card(CardError::LastAttemptNeedsConsent { .. })
        ),
        "{err:?}"
    );
    assert_eq!(card.pin_verifies(), 0);
    // A lost answer to the VERIFY is never followed by another VERIFY.
    let script = || card_with_pin(&pki().leaf, "63C3");
    let verify_at = {
        let ok = script();
        let pin = DeskPin::from_bytes(b"1234", false).unwrap();
        check_card_at_desk(&ok, &v, Some(pin), &trust_store(), now()).unwrap();
        ok.log()
            .iter()
            .position(|c| c.len() > 4 && c[..2] == [0x00, 0x20])
            .unwrap()
    };
    let card = script().fail_at(verify_at, crate::card::TransportError::TagLost);
    let pin = DeskPin::from_bytes(b"1234", false).unwrap();
    let err = check_card_at_desk(&card, &v, Some(pin), &trust_store(), now()).unwrap_err();
    assert_eq!(
        err,
        ClinicError::Card(CardError::TagLost {
            verify_in_flight: true
        })
    );
    assert_eq!(card.pin_verifies(), 1);
    assert_eq!(
        card.log().len(),
        verify_at + 1,
        "nothing after the lost VERIFY"
    );
}

#[test]
fn only_authentic_documents_are_recorded_and_a_card_check_belongs_to_its_document() {
    let dir = tempfile::tempdir().unwrap();
    let mut desk = with_trust(dir.path());
    let bad = verify(&desk, "SK1:garbage");
    assert_eq!(
        desk.record_verification(&bad, &PendingCardCheck::new(), false, "受付", now()),
        Err(ClinicError::NotRecordable)
    );
    // A card check made against one document cannot be recorded with another.
    let v = verify(&desk, &genuine());
    let card = card_head(&pki().leaf);
    let check = check_card_at_desk(&card, &v, None, &trust_store(), now()).unwrap();
    let other = qr_v2(&bound(), &issuer_signing_key(), KID);
    let mut other_v = verify(&desk, &other);
    if let Some(p) = other_v.presentation.as_mut() {
        p.document.holder = Some(crate::document::SaltedBinding::new([9; 16], b"x"));
    }
    assert_eq!(
        desk.record_verification(&other_v, &held(&check), true, "受付", now()),
        Err(ClinicError::NotRecordable)
    );
    assert_eq!(desk.log_len().unwrap(), 0);
    // Without a card the visit is recorded as such.
    desk.record_verification(&v, &PendingCardCheck::new(), false, "受付", now())
        .unwrap();
    assert_eq!(desk.log_len().unwrap(), 1);

    // With the 公費 seen beside it: a bad one records nothing; good ones are kept as typed,
    // 受給者証目視・未検証 beside the verified insurance.
    let mut public = crate::clinic::public_expense::tests::two();
    public[0].payer_number = "88131017".into(); // check digit wrong
    assert!(matches!(
        desk.record_verification_with(&v, &PendingCardCheck::new(), false, &public, "受付", now()),
        Err(ClinicError::Invalid(e)) if e.has(crate::eligibility::Field::PublicPayerNumber)
    ));
    assert_eq!(desk.log_len().unwrap(), 1);
    let public = crate::clinic::public_expense::tests::two();
    let at = desk
        .record_verification_with(&v, &PendingCardCheck::new(), false, &public, "受付", now())
        .unwrap();
    let entry = desk
        .visits_on(crate::clock::japan_today(now()))
        .unwrap()
        .entries
        .into_iter()
        .find(|e| e.position == at)
        .unwrap();
    assert!(entry.is_verified());
    assert_eq!(
        entry.public_expenses,
        crate::clinic::validate_public_expenses(&public, crate::clock::japan_today(now())).unwrap()
    );
}

/// The verdict on `doc` (bound to the test leaf, signed by the test issuer) on `day` at noon
/// in Japan, by a desk whose trust list lets the test issuer also sign for a 後期高齢者医療
/// 広域連合 (`LATE`).
fn verdict_on(doc: &EligibilityDocument, day: &str) -> DeskVerification {
    let dir = tempfile::tempdir().unwrap();
    let mut desk = desk(dir.path());
    let mut list = trust_list();
    list.keys[0] =
        crate::document::testkit::issuer_key(KID, &issuer_signing_key(), &[INSURER, LATE]);
    let bytes = list.sign(&root_signing_key()).unwrap();
    desk.import_trust_list(&bytes, Some(root_signing_key().verifying_key()), now())
        .unwrap();
    desk.verify_payload(
        &qr_v2(doc, &issuer_signing_key(), KID),
        VerifyOptions::default(),
        t(&format!("{day}T03:00:00Z")),
    )
    .unwrap()
}

const LATE: &str = "39131156";

/// The test document for a member born on `birth`, without the 高齢受給者 block.
fn born(birth: &str) -> EligibilityDocument {
    let mut doc = bound();
    doc.person.birth_date = d(birth);
    doc.record.elderly = None;
    doc
}

#[test]
fn an_eligibility_that_starts_tomorrow_is_not_yet_valid_and_recorded_as_such() {
    let mut doc = bound();
    doc.record.valid_from = Some(d("2026-11-24"));
    let dir = tempfile::tempdir().unwrap();
    let mut desk = with_trust(dir.path());
    let v = verify(&desk, &qr_v2(&doc, &issuer_signing_key(), KID));
    assert_eq!(v.verdict, DeskVerdict::NotYetValid);
    assert_eq!(v.verdict.label_ja(), "有効期間前（資格）");
    assert_eq!(v.verdict.key(), "not_yet_valid");
    assert!(!v.verdict.is_confirmed());
    assert_eq!(
        v.reason.as_deref(),
        Some("資格の有効開始日より前です（有効期間の開始日から使えます）。")
    );
    assert!(
        v.claim().is_some(),
        "an authentic document shows its fields"
    );
    // Recorded with its own verdict, never as 確認済み.
    desk.record_verification(&v, &PendingCardCheck::new(), false, "受付", now())
        .unwrap();
    let entries = desk.visits_on(d("2026-11-23")).unwrap().entries;
    assert_eq!(entries[0].status_label_ja(), "有効期間前（資格）");
    match &entries[0].kind {
        EntryKind::Verified(visit) => assert_eq!(visit.verdict(), Verdict::NotYetValid),
        other => panic!("{other:?}"),
    }
    // On its 有効開始日 it is in force.
    assert_eq!(
        verdict_on(&doc, "2026-11-24").verdict,
        DeskVerdict::Confirmed
    );
    // The document's own expiry comes first.
    doc.valid_until = t("2026-11-22T00:00:00Z");
    doc.issued_at = t("2026-11-01T00:00:00Z");
    assert_eq!(
        verdict_on(&doc, "2026-11-23").verdict,
        DeskVerdict::DocumentExpired
    );
}

#[test]
fn the_desk_cuts_the_eligibility_the_day_before_75_as_the_screen_does() {
    use crate::eligibility::{CopayRate, DocumentKind, InsurerNumber};
    use DeskVerdict::{Confirmed, EligibilityExpired, NotYetValid};
    // Born on the 1st of a month (1951-12-01): in force up to 2026-11-30.
    let first = born("1951-12-01");
    // Born on 29 February (1952): the day before the 75th birthday is 2027-02-28.
    let leap = born("1952-02-29");
    // Starting after today but already ended by the 75th birthday: it will never be in force.
    let mut never = born("1951-11-01");
    never.record.valid_from = Some(d("2026-12-01"));
    // No 有効期限: the 75th birthday still ends it; under 75 it stays in force.
    let mut open = born("1952-02-29");
    open.record.kind = DocumentKind::Notice;
    open.record.valid_until = None;
    let mut young_open = open.clone();
    young_open.person.birth_date = d("1985-04-12");
    // A 後期高齢者医療 record is not cut at 75 (it starts on the 75th birthday).
    let mut late = born("1952-02-29");
    late.record.insurer_number = InsurerNumber::parse(LATE).unwrap();
    late.record.symbol = None;
    late.record.copay = Some(CopayRate::Ten);
    late.record.valid_from = Some(d("2027-03-01"));
    late.record.valid_until = Some(d("2028-07-31"));
    // Starting after today and ending later, but before it starts: cut at 75 on 2027-02-28,
    // starting 2027-04-01. Not 有効期間前: it will never be in force.
    let mut ends_first = born("1952-02-29");
    ends_first.record.valid_from = Some(d("2027-04-01"));
    ends_first.record.valid_until = Some(d("2028-03-31"));
    let cases = [
        ("first", &first, "2026-11-30", Confirmed),
        ("first", &first, "2026-12-01", EligibilityExpired),
        ("leap", &leap, "2027-02-28", Confirmed),
        ("leap", &leap, "2027-03-01", EligibilityExpired),
        ("never", &never, "2026-11-23", EligibilityExpired),
        ("open", &open, "2027-03-01", EligibilityExpired),
        ("young_open", &young_open, "2027-03-01", Confirmed),
        ("ends_first", &ends_first, "2027-01-15", EligibilityExpired),
        ("ends_first", &ends_first, "2027-03-01", EligibilityExpired),
        ("late", &late, "2027-02-28", NotYetValid),
        ("late", &late, "2027-03-01", Confirmed),
    ];
    for (name, doc, day, expected) in cases {
        assert_eq!(verdict_on(doc, day).verdict, expected, "{name} on {day}");
    }
    // The reasons are Japanese and say why without any date: the 75th-birthday cut would
    // otherwise give the birth date away.
    let cut = verdict_on(&first, "2026-12-01").reason.unwrap();
    assert_eq!(
        cut,
        "75歳到達により後期高齢者医療へ移行しています。この保険の資格は終わっています\
         （後期高齢者医療の資格確認書などを確認してください）。"
    );
    let never = verdict_on(&ends_first, "2027-01-15").reason.unwrap();
    assert_eq!(
        never,
        "75歳到達により、この資格は有効開始日より前に終わります（使える期間がありません）。"
    );
    for reason in [&cut, &never] {
        let without_age = reason.replace("75歳", "");
        assert!(!without_age.chars().any(|c| c.is_ascii_digit()), "{reason}");
    }
}

#[test]
fn the_desk_pin_is_built_from_bytes_with_the_phones_check_and_never_shown() {
    for bad in [
        &b"12a4"[..],
        b"123",
        b"12345",
        b"\xff123",
        "１２３４".as_bytes(),
    ] {
        assert_eq!(
            DeskPin::from_bytes(bad, true).unwrap_err(),
            CardError::InvalidPinFormat,
            "{bad:?}"
        );
    }
    let pin = DeskPin::from_bytes(b"9876", true).unwrap();
    let shown = format!("{pin:?}");
    assert!(!shown.contains("9876") && !shown.contains("57"), "{shown}");
    assert!(shown.contains("allow_last_attempt: true"), "{shown}");
}

#[test]
fn a_failed_or_refused_check_clears_an_earlier_success() {
    let dir = tempfile::tempdir().unwrap();
    let mut desk = with_trust(dir.path());
    let v = verify(&desk, &genuine());
    let mut pending = PendingCardCheck::new();
    assert_eq!(pending.held(), None);
    // Without the PIN: the bound card is held.
    let card = card_head(&pki().leaf);
    let bound = pending
        .apply(check_card_at_desk(&card, &v, None, &trust_store(), now()))
        .unwrap()
        .clone();
    assert!(!bound.pin_verified());
    assert_eq!(pending.held(), Some(&bound));
    // Then a wrong PIN: the error comes back unchanged and nothing is held any more.
    let wrong = card_head(&pki().leaf)
        .expect(SELECT_JPKI, "9000")
        .expect("00A4020C02000A", "9000")
        .then(read_steps(&pki().leaf, 100))
        .expect("00A4020C020018", "9000")
        .expect("00200080", "63C3")
        .expect(VERIFY_1234, "63C2");
    let pin = DeskPin::from_bytes(b"1234", false).unwrap();
    let err = pending
        .apply(check_card_at_desk(
            &wrong,
            &v,
            Some(pin),
            &trust_store(),
            now(),
        ))
        .unwrap_err();
    wrong.assert_done();
    assert!(
        matches!(
            err,
            ClinicError::Card(CardError::WrongPin {
                retries_left: 2,
                ..
            })
        ),
        "{err:?}"
    );
    assert_eq!(pending.held(), None);
    // Recorded with the photo compared: still no card check, not 目視.
    desk.record_verification(&v, &pending, true, "受付", now())
        .unwrap();
    let entries = desk.visits_on(d("2026-11-23")).unwrap().entries;
    match &entries[0].kind {
        EntryKind::Verified(visit) => assert_eq!(visit.card(), CardCheckMethod::None),
        other => panic!("{other:?}"),
    }
    // A PIN check is held, and a later failure (a card that does not chain) clears it too.
    let card = card_with_pin(&pki().leaf, "63C3");
    let pin = DeskPin::from_bytes(b"1234", false).unwrap();
    let held = pending.apply(check_card_at_desk(
        &card,
        &v,
        Some(pin),
        &trust_store(),
        now(),
    ));
    assert!(held.unwrap().pin_verified());
    let impostor = card_head(&pki().leaf_by_impostor);
    let err = pending
        .apply(check_card_at_desk(
            &impostor,
            &v,
            None,
            &trust_store(),
            now(),
        ))
        .unwrap_err();
    assert_eq!(err, ClinicError::Card(CardError::UntrustedCertificate));
    assert_eq!(pending.held(), None);
    // A refusal (another person's card) clears it as well.
    pending
        .apply(check_card_at_desk(
            &card_head(&pki().leaf),
            &v,
            None,
            &trust_store(),
            now(),
        ))
        .unwrap();
    assert!(
        pending
            .apply(Err::<DeskCardCheck, _>(ClinicError::CardMismatch))
            .is_err()
    );
    assert_eq!(pending.held(), None);
}

#[test]
fn a_card_swapped_after_the_match_costs_no_pin_try() {
    let dir = tempfile::tempdir().unwrap();
    let desk = with_trust(dir.path());
    let v = verify(&desk, &genuine());
    // The bound card answers the first session; another card (any other certificate) is on
    // the reader when the PIN session starts.
    let mut other = pki().leaf.clone();
    let last = other.len() - 1;
    other[last] ^= 1;
    let card = card_head(&pki().leaf)
        .expect(SELECT_JPKI, "9000")
        .expect("00A4020C02000A", "9000")
        .then(read_steps(&other, 100));
    let pin = DeskPin::from_bytes(b"1234", true).unwrap();
    let err = check_card_at_desk(&card, &v, Some(pin), &trust_store(), now()).unwrap_err();
    assert_eq!(err, ClinicError::CardMismatch);
    card.assert_done();
    assert_eq!(card.pin_verifies(), 0);
}

/// A QR code of the test document as `kind`, bound to the test leaf or with no holder binding.
fn qr_of_kind(kind: crate::eligibility::DocumentKind, with_binding: bool) -> String {
    let mut doc = if with_binding { bound() } else { document() };
    doc.record.kind = kind;
    if !with_binding {
        doc.holder_binding = None;
    }
    let spki = leaf().spki_der().to_vec();
    let p =
        crate::document::presentation_of(&doc, [3; 16], with_binding.then_some(&spki[..])).unwrap();
    to_qr_payload(&sign_presentation(&p, &issuer_signing_key(), KID).unwrap())
}

#[test]
fn an_oshirase_or_portal_screen_without_the_card_is_not_confirmed_and_not_recorded() {
    use crate::eligibility::DocumentKind;
    for kind in [DocumentKind::Notice, DocumentKind::Portal] {
        let dir = tempfile::tempdir().unwrap();
        let mut desk = with_trust(dir.path());
        let v = verify(&desk, &qr_of_kind(kind, true));
        // The document itself is fine …
        assert_eq!(v.verdict, DeskVerdict::Confirmed);
        assert_eq!(v.document_kind(), Some(kind));
        assert!(v.holder_bound());
        // … but without the card the desk does not say 確認済み: the card is checked on the
        // reader, or (no reader) its 券面 compared by eye and stated when recording
        // (`a_bound_screen_with_its_card_seen_and_no_reader_is_recorded_as_seen`).
        let none = PendingCardCheck::new();
        let o = v.outcome_with(&none, false);
        assert_eq!(o.acceptance, DeskAcceptance::CardRequired, "{kind:?}");
        assert_eq!(o.label_ja(), "カード確認が必要");
        assert_eq!(o.tone(), DeskTone::Amber);
        assert!(!o.is_accepted());
        assert!(o.needs_face_statement());
        assert!(o.basis_ja().contains("写し"), "{}", o.basis_ja());
        assert!(o.basis_ja().contains("署名は確認済み"));
        assert!(o.action_ja().unwrap().contains("カードリーダー"));
        assert_ne!(o.label_ja(), "確認済み");
        // Recording it without the 目視 statement is refused: nothing is logged.
        assert_eq!(
            desk.record_verification(&v, &none, false, "受付", now()),
            Err(ClinicError::CardRequired)
        );
        assert_eq!(desk.log_len().unwrap(), 0);
    }
}

#[test]
fn an_oshirase_with_its_card_is_confirmed_with_pin_or_once_the_photo_is_compared() {
    use crate::eligibility::DocumentKind;
    let dir = tempfile::tempdir().unwrap();
    let mut desk = with_trust(dir.path());
    let v = verify(&desk, &qr_of_kind(DocumentKind::Notice, true));
    // Without the PIN: the card matched, but nobody has compared its photo yet.
    let mut pending = PendingCardCheck::new();
    pending
        .apply(check_card_at_desk(
            &card_head(&pki().leaf),
            &v,
            None,
            &trust_store(),
            now(),
        ))
        .unwrap();
    let o = v.outcome_with(&pending, false);
    assert_eq!(o.acceptance, DeskAcceptance::CardRequired);
    assert_eq!(o.card, DeskCardState::Matched);
    assert!(o.needs_face_statement() && o.can_record());
    assert!(o.action_ja().unwrap().contains("顔写真"));
    assert_eq!(
        desk.record_verification(&v, &pending, false, "受付", now()),
        Err(ClinicError::CardRequired)
    );
    // With the photo compared: 確認済み, recorded as 目視.
    let o = v.outcome_with(&pending, true);
    assert_eq!(o.acceptance, DeskAcceptance::Accepted);
    assert_eq!(o.label_ja(), "確認済み");
    assert_eq!(o.tone(), DeskTone::Green);
    assert_eq!(o.confirmation_ja(), "署名付き資格情報＋カード（目視）");
    assert!(o.basis_ja().contains("資格情報のお知らせ"));
    desk.record_verification(&v, &pending, true, "受付", now())
        .unwrap();
    // With the PIN: 確認済み without any statement.
    let pin = DeskPin::from_bytes(b"1234", false).unwrap();
    pending
        .apply(check_card_at_desk(
            &card_with_pin(&pki().leaf, "63C3"),
            &v,
            Some(pin),
            &trust_store(),
            now(),
        ))
        .unwrap();
    let o = v.outcome_with(&pending, false);
    assert_eq!(o.acceptance, DeskAcceptance::Accepted);
    assert_eq!(o.confirmation_ja(), "署名付き資格情報＋カード（PIN）");
    desk.record_verification(&v, &pending, false, "受付", now())
        .unwrap();
    let entries = desk.visits_on(d("2026-11-23")).unwrap().entries;
    let methods: Vec<_> = entries
        .iter()
        .map(|e| match &e.kind {
            EntryKind::Verified(visit) => visit.card(),
            other => panic!("{other:?}"),
        })
        .collect();
    assert_eq!(methods, [CardCheckMethod::Visual, CardCheckMethod::Pin]);
}

#[test]
fn another_persons_card_is_a_refusal_never_a_pass_and_never_recorded() {
    use crate::eligibility::DocumentKind;
    for kind in [
        DocumentKind::Notice,
        DocumentKind::Portal,
        DocumentKind::Certificate,
    ] {
        let dir = tempfile::tempdir().unwrap();
        let mut desk = with_trust(dir.path());
        let v = verify(&desk, &qr_of_kind(kind, true));
        let mut pending = PendingCardCheck::new();
        // A matching card first, then another person's card: the refusal wins.
        pending
            .apply(check_card_at_desk(
                &card_head(&pki().leaf),
                &v,
                None,
                &trust_store(),
                now(),
            ))
            .unwrap();
        let _ = pending.apply(Err::<DeskCardCheck, _>(ClinicError::CardMismatch));
        assert!(pending.is_mismatch());
        for face in [false, true] {
            let o = v.outcome_with(&pending, face);
            assert_eq!(o.acceptance, DeskAcceptance::CardMismatch, "{kind:?}");
            assert_eq!(o.label_ja(), "別人のカード（受付不可）");
            assert_eq!(o.tone(), DeskTone::Red);
            assert!(!o.can_record());
            assert_eq!(
                desk.record_verification(&v, &pending, face, "受付", now()),
                Err(ClinicError::CardMismatch)
            );
        }
        // A later reader error does not turn the refusal into "not checked".
        let _ = pending.apply(Err::<DeskCardCheck, _>(ClinicError::Card(
            CardError::UntrustedCertificate,
        )));
        assert_eq!(
            v.outcome_with(&pending, true).acceptance,
            DeskAcceptance::CardMismatch
        );
        assert_eq!(desk.log_len().unwrap(), 0);
        // The patient's own card then matches: the refusal ends.
        pending
            .apply(check_card_at_desk(
                &card_head(&pki().leaf),
                &v,
                None,
                &trust_store(),
                now(),
            ))
            .unwrap();
        assert!(!pending.is_mismatch());
        assert_eq!(
            v.outcome_with(&pending, true).acceptance,
            DeskAcceptance::Accepted
        );
    }
}

#[test]
fn a_shikaku_kakuninsho_stands_alone_and_says_so() {
    use crate::eligibility::DocumentKind;
    let dir = tempfile::tempdir().unwrap();
    let mut desk = with_trust(dir.path());
    let v = verify(&desk, &qr_of_kind(DocumentKind::Certificate, true));
    let o = v.outcome(DeskCardState::NotChecked);
    assert_eq!(o.acceptance, DeskAcceptance::Accepted);
    assert_eq!(o.label_ja(), "確認済み");
    assert_eq!(o.action_ja(), None);
    assert_eq!(o.confirmation_ja(), "署名付き資格確認書");
    assert!(
        o.basis_ja()
            .starts_with("資格確認書の内容です（発行元の署名を確認済み）")
    );
    desk.record_verification(&v, &PendingCardCheck::new(), false, "受付", now())
        .unwrap();
    assert_eq!(desk.log_len().unwrap(), 1);
}

#[test]
fn a_document_without_holder_binding_says_no_card_can_be_matched_and_what_to_do() {
    use crate::eligibility::DocumentKind;
    let dir = tempfile::tempdir().unwrap();
    let mut desk = with_trust(dir.path());
    let v = verify(&desk, &qr_of_kind(DocumentKind::Portal, false));
    assert_eq!(v.verdict, DeskVerdict::Confirmed);
    assert!(!v.holder_bound());
    // The reader is not even touched: the patient's card is not called another person's.
    let card = MockTransport::new();
    let err = check_card_at_desk(&card, &v, None, &trust_store(), now()).unwrap_err();
    assert_eq!(err, ClinicError::NoHolderBinding);
    card.assert_done();
    let none = PendingCardCheck::new();
    let o = v.outcome_with(&none, false);
    assert_eq!(o.acceptance, DeskAcceptance::CardRequired);
    assert!(!o.holder_bound);
    let action = o.action_ja().unwrap();
    assert!(action.contains("結び付けがない"), "{action}");
    assert!(action.contains("券面"), "{action}");
    assert!(o.needs_face_statement() && o.can_record());
    assert_eq!(
        desk.record_verification(&v, &none, false, "受付", now()),
        Err(ClinicError::CardRequired)
    );
    // The receptionist compared the card's 券面 by eye: accepted, and said so.
    let o = v.outcome_with(&none, true);
    assert_eq!(o.acceptance, DeskAcceptance::Accepted);
    assert_eq!(
        o.confirmation_ja(),
        "署名付き資格情報＋カード（券面目視・電子照合なし）"
    );
    assert!(o.basis_ja().contains("電子的な結び付けはありません"));
    desk.record_verification(&v, &none, true, "受付", now())
        .unwrap();
    let entries = desk.visits_on(d("2026-11-23")).unwrap().entries;
    match &entries[0].kind {
        // Recorded as the 券面 seen, never as a card matched on a reader.
        EntryKind::Verified(visit) => assert_eq!(visit.card(), CardCheckMethod::Seen),
        other => panic!("{other:?}"),
    }
}

/// Spec §1 (2)/(3): a マイナポータル screen or お知らせ bound to a card, with the physical card
/// shown, when the desk has no reader (the outage): the 券面 compared by eye is accepted and
/// recorded as 券面目視 — not as a reader's check — in the log and the exports; not after a
/// failed check of the card (a wrong PIN), nor without the statement.
#[test]
fn a_bound_screen_with_its_card_seen_and_no_reader_is_recorded_as_seen() {
    use crate::eligibility::DocumentKind;
    let dir = tempfile::tempdir().unwrap();
    let mut desk = with_trust(dir.path());
    for kind in [DocumentKind::Portal, DocumentKind::Notice] {
        let v = verify(&desk, &qr_of_kind(kind, true));
        assert!(v.holder_bound());
        let none = PendingCardCheck::new();
        let o = v.outcome_with(&none, false);
        assert_eq!(o.acceptance, DeskAcceptance::CardRequired);
        assert!(o.needs_face_statement() && o.can_record());
        assert!(
            o.action_ja()
                .unwrap()
                .contains("カードリーダーが使えないときは")
        );
        assert_eq!(
            desk.record_verification(&v, &none, false, "受付", now()),
            Err(ClinicError::CardRequired)
        );
        let o = v.outcome_with(&none, true);
        assert_eq!(o.acceptance, DeskAcceptance::Accepted);
        assert_eq!(o.card, DeskCardState::Seen);
        assert_eq!(
            o.confirmation_ja(),
            "署名付き資格情報＋カード（券面目視・電子照合なし）"
        );
        assert!(
            o.basis_ja()
                .contains("カードリーダーでの照合はしていません")
        );
        desk.record_verification(&v, &none, true, "受付", now())
            .unwrap();
    }
    let list = desk.visits_on(d("2026-11-23")).unwrap();
    assert_eq!(list.entries.len(), 2);
    for e in &list.entries {
        match &e.kind {
            EntryKind::Verified(visit) => assert_eq!(visit.card(), CardCheckMethod::Seen),
            other => panic!("{other:?}"),
        }
    }
    let csv = export::to_csv(&list.entries);
    assert!(
        csv.contains("署名付き資格情報＋カード（券面目視・電子照合なし）,券面目視（カード未照合）"),
        "{csv}"
    );
    assert!(!csv.contains("目視（PIN未確認）"), "{csv}");
    let json = export::to_json(&list, d("2026-11-23"), d("2026-11-23"));
    assert!(json.contains("\"card_check\":\"seen\""), "{json}");
    // After a failed check of the bound card (a reader error), the 券面 compared by eye is
    // still 券面目視, never the reader's check; another person's card stays a refusal.
    let v = verify(&desk, &qr_of_kind(DocumentKind::Portal, true));
    let mut failed = PendingCardCheck::new();
    let _ = failed.apply(Err::<DeskCardCheck, _>(ClinicError::Card(
        CardError::UntrustedCertificate,
    )));
    assert_eq!(v.outcome_with(&failed, true).card, DeskCardState::Seen);
    let _ = failed.apply(Err::<DeskCardCheck, _>(ClinicError::CardMismatch));
    assert_eq!(
        desk.record_verification(&v, &failed, true, "受付", now()),
        Err(ClinicError::CardMismatch)
    );
    assert_eq!(desk.log_len().unwrap(), 2);
}

#[test]
fn a_document_that_is_not_confirmed_keeps_its_verdict_whatever_the_card() {
    use crate::eligibility::DocumentKind;
    let dir = tempfile::tempdir().unwrap();
    let desk = with_trust(dir.path());
    let bad = verify(&desk, "SK1:garbage");
    let o = bad.outcome(DeskCardState::NotChecked);
    assert_eq!(o.acceptance, DeskAcceptance::DocumentNotConfirmed);
    assert_eq!(o.label_ja(), "形式不正");
    assert_eq!(o.tone(), DeskTone::Red);
    assert!(!o.can_record());
    // An お知らせ whose eligibility starts later: its verdict, not 確認済み, with the card too.
    let mut doc = bound();
    doc.record.kind = DocumentKind::Notice;
    doc.record.valid_from = Some(d("2027-04-01"));
    let v = verdict_on(&doc, "2026-11-23");
    assert_eq!(v.verdict, DeskVerdict::NotYetValid);
    let o = v.outcome(DeskCardState::Pin);
    assert_eq!(o.acceptance, DeskAcceptance::DocumentNotConfirmed);
    assert_eq!(o.label_ja(), "有効期間前（資格）");
    assert!(o.can_record());
}

#[test]
fn a_document_issued_after_the_desks_clock_is_flagged_not_shown_as_0_days_old() {
    let dir = tempfile::tempdir().unwrap();
    let mut desk = with_trust(dir.path());
    // Issued two days after the desk's "now" (the desk's clock is behind, or the document is
    // wrong): no fields, no age, not recordable, not checked against a card.
    let mut doc = bound();
    doc.issued_at = now() + Duration::days(2);
    doc.valid_until = doc.issued_at + Duration::days(30);
    let v = verify(&desk, &qr_v2(&doc, &issuer_signing_key(), KID));
    assert_eq!(v.verdict, DeskVerdict::IssuedInFuture);
    assert_eq!(v.verdict.label_ja(), "発行日時が未来");
    assert!(v.presentation.is_none() && v.claim().is_none());
    assert_eq!(v.document_age_days(), None);
    assert!(v.reason.as_deref().unwrap().contains("日付と時刻を確認"));
    let o = v.outcome(DeskCardState::NotChecked);
    assert_eq!(o.acceptance, DeskAcceptance::DocumentNotConfirmed);
    assert_eq!(o.tone(), DeskTone::Red);
    assert!(o.basis_ja().contains("発行日時"), "{}", o.basis_ja());
    assert!(!o.basis_ja().contains("本物"), "{}", o.basis_ja());
    assert_eq!(
        desk.record_verification(&v, &PendingCardCheck::new(), false, "受付", now()),
        Err(ClinicError::NotRecordable)
    );
    // A few minutes ahead (clocks differ a little): accepted, 0 days old.
    let mut close = bound();
    close.issued_at = now() + Duration::minutes(FUTURE_ISSUE_TOLERANCE_MINUTES - 1);
    close.valid_until = close.issued_at + Duration::days(30);
    let v = verify(&desk, &qr_v2(&close, &issuer_signing_key(), KID));
    assert_eq!(v.verdict, DeskVerdict::Confirmed);
    assert_eq!(v.document_age_days(), Some(0));
}

#[test]
fn a_preschool_child_at_the_statutory_share_shows_mishugaku_not_an_empty_share() {
    let dir = tempfile::tempdir().unwrap();
    let desk = with_trust(dir.path());
    let mut doc = bound();
    doc.record.preschool = true;
    doc.record.copay = None;
    doc.record.elderly = None;
    let v = verify(&desk, &qr_v2(&doc, &issuer_signing_key(), KID));
    assert_eq!(v.verdict, DeskVerdict::Confirmed);
    assert_eq!(v.preschool(), Some(true));
    assert_eq!(v.copay_ja().as_deref(), Some("未就学（法定のとおり：2割）"));
    // Recorded and exported: the claim's 負担割合 is the law's 2割, marked as such, in the CSV
    // and the FHIR Coverage (健康保険法 §110(2)(i)ロ).
    let dir = tempfile::tempdir().unwrap();
    let mut recording = with_trust(dir.path());
    let v = verify(&recording, &qr_v2(&doc, &issuer_signing_key(), KID));
    recording
        .record_verification(&v, &PendingCardCheck::new(), true, "受付", now())
        .unwrap();
    let list = recording
        .visits_on(crate::clock::japan_today(now()))
        .unwrap();
    let cells = super::export::csv_cells(&list.entries[0]);
    let col = |name: &str| {
        super::export::CSV_COLUMNS
            .iter()
            .position(|c| *c == name)
            .unwrap()
    };
    assert_eq!(cells[col("負担割合")], "2割（未就学・法定）");
    let bundle = super::fhir::to_fhir_bundle(&list, now());
    assert!(
        bundle.contains("一部負担金割合（未就学・法定のとおり）"),
        "{bundle}"
    );
    doc.record.copay = Some(crate::eligibility::CopayRate::Twenty);
    let v = verify(&desk, &qr_v2(&doc, &issuer_signing_key(), KID));
    assert_eq!(v.copay_ja().as_deref(), Some("2割（未就学）"));
    // Not pre-school: the printed share, or 法定のとおり — never empty.
    let v = verify(&desk, &genuine());
    assert_eq!(v.preschool(), Some(false));
    assert_eq!(v.copay_ja().as_deref(), Some("3割"));
    assert_eq!(verify(&desk, "SK1:garbage").copay_ja(), None);
}

/// A 申立 with no share declared is exported with the share the cashier's line named, marked as
/// the law's and not declared (CSV 負担割合, FHIR costToBeneficiary), and 未就学 for a 未就学
/// child; a declared share as declared; under 後期 without one, nothing.
#[test]
fn a_declaration_without_a_share_exports_the_laws_share_marked_so() {
    let dir = tempfile::tempdir().unwrap();
    let mut desk = with_trust(dir.path());
    let today = crate::clock::japan_today(now());
    let form = |birth: NaiveDate, copay: Option<u8>| DeclarationForm {
        name: "山田 花子".into(),
        birth_date: birth.to_string(),
        insurer_name: "不明".into(),
        sex: Some(crate::eligibility::Sex::Female),
        relationship: Some(crate::eligibility::Relationship::Insured),
        copay_percent: copay,
        ..Default::default()
    };
    let years_ago = |y: i32| today.with_year(today.year() - y).unwrap();
    for f in [
        form(years_ago(40), None),
        form(years_ago(3), None),
        form(years_ago(40), Some(30)),
        form(years_ago(80), None),
        form(years_ago(72), None),
    ] {
        desk.declare(&f, "受付", now()).unwrap();
    }
    let list = desk.visits_on(today).unwrap();
    let col = |name: &str| {
        super::export::CSV_COLUMNS
            .iter()
            .position(|c| *c == name)
            .unwrap()
    };
    let rows: Vec<(String, String)> = list
        .entries
        .iter()
        .map(|e| {
            let c = super::export::csv_cells(e);
            (c[col("負担割合")].clone(), c[col("未就学")].clone())
        })
        .collect();
    assert_eq!(
        rows,
        [
            ("3割（申告なし・法定）".to_string(), String::new()),
            ("2割（申告なし・法定）".to_string(), "未就学".to_string()),
            ("3割".to_string(), String::new()),
            (String::new(), String::new()),
            // 70–74: the law's 2割, which a 現役並み所得者 pays as 3割.
            (
                "2割（申告なし・法定。現役並み所得者は3割）".to_string(),
                String::new()
            ),
        ]
    );
    let bundle = super::fhir::to_fhir_bundle(&list, now());
    assert_eq!(
        bundle.matches("一部負担金割合（申告なし・法定）").count(),
        2,
        "{bundle}"
    );
    assert_eq!(
        bundle
            .matches("一部負担金割合（申告なし・法定。現役並み所得者は3割）")
            .count(),
        1,
        "{bundle}"
    );
}

/// A 申立 declaring the numbers, name and birth date of `claim`.
fn declared_as(claim: &ClaimFields) -> DeclarationForm {
    DeclarationForm {
        name: claim.name.clone(),
        birth_date: claim.birth_date.to_string(),
        insurer_name: "不明".into(),
        insurer_number: Some(claim.insurer_number.as_str().to_string()),
        symbol: claim.symbol.clone(),
        number: Some(claim.number.clone()),
        branch: claim.branch.clone(),
        sex: Some(claim.sex),
        relationship: Some(claim.relationship),
        ..Default::default()
    }
}

#[test]
fn a_patient_already_recorded_today_is_a_notice_not_a_refusal() {
    let dir = tempfile::tempdir().unwrap();
    let mut desk = with_trust(dir.path());
    let v = verify(&desk, &genuine());
    assert_eq!(desk.same_day_visit_of(&v, now()).unwrap(), None);
    let first = desk
        .record_verification(&v, &PendingCardCheck::new(), false, "受付", now())
        .unwrap();
    let later = now() + Duration::hours(2);
    let same = desk.same_day_visit_of(&v, later).unwrap().unwrap();
    assert_eq!((same.position, same.verified), (first, true));
    let notice = same.notice_ja();
    // now() is 12:00 in Japan; the notice names the entry and the time, nothing personal.
    assert!(
        notice.contains("記録番号 1") && notice.contains("12:00"),
        "{notice}"
    );
    let claim = v.claim().unwrap();
    for personal in [claim.name.as_str(), claim.number.as_str(), "2026"] {
        assert!(!notice.contains(personal), "{personal} in {notice}");
    }
    // A second visit the same day is recorded; the notice then names it.
    let second = desk
        .record_verification(&v, &PendingCardCheck::new(), false, "受付", later)
        .unwrap();
    assert_eq!(second, first + 1);
    assert_eq!(
        desk.same_day_visit_of(&v, later).unwrap().unwrap().position,
        second
    );
    // The next day in Japan (00:00 JST): nothing.
    assert_eq!(
        desk.same_day_visit_of(&v, t("2026-11-23T15:00:00Z"))
            .unwrap(),
        None
    );
    // Another patient (another 番号, name and カナ), or a document whose signature failed:
    // nothing. Another 番号 with the same name and 生年月日 is found, as such.
    let other = ClaimFields {
        number: format!("{}9", claim.number),
        ..claim.clone()
    };
    assert_eq!(
        desk.same_day_visit(&other, crate::clock::japan_today(now()))
            .unwrap()
            .map(|s| s.matched_by),
        Some(crate::clinic::SameDayMatch::NameAndBirthDate)
    );
    let another_patient = ClaimFields {
        name: "別の 人".into(),
        kana: "ベツノ ヒト".into(),
        ..other
    };
    assert_eq!(
        desk.same_day_visit(&another_patient, crate::clock::japan_today(now()))
            .unwrap(),
        None
    );
    let bad = verify(&desk, "SK1:garbage");
    assert_eq!(desk.same_day_visit_of(&bad, now()).unwrap(), None);

    // A 申立 that declared the same 保険者番号, 記号, 番号 and 枝番 is found as well.
    let dir = tempfile::tempdir().unwrap();
    let mut desk = with_trust(dir.path());
    let form = declared_as(&claim);
    let declared = desk.declare(&form, "受付", now()).unwrap();
    let same = desk.same_day_visit_of(&v, later).unwrap().unwrap();
    assert_eq!((same.position, same.verified), (declared, false));
    assert!(same.notice_ja().contains("申立"), "{}", same.notice_ja());
}

/// A 申立 of another person (another 氏名 and 生年月日) with the same 保険者番号, 記号, 番号 and
/// 枝番 as a visit recorded today, and that visit's patient after it: neither is told 「この方は
/// 本日すでに…」, but to check the numbers (a mistyped 枝番, someone else's numbers); the notice
/// names no one.
#[test]
fn the_same_numbers_for_another_person_ask_to_check_the_numbers() {
    let dir = tempfile::tempdir().unwrap();
    let mut desk = with_trust(dir.path());
    let v = verify(&desk, &genuine());
    let claim = v.claim().unwrap();
    let other = DeclarationForm {
        name: "別人 花子".into(),
        birth_date: "1990-04-12".into(),
        ..declared_as(&claim)
    };
    desk.declare(&other, "受付", now()).unwrap();
    let later = now() + Duration::hours(1);
    let same = desk.same_day_visit_of(&v, later).unwrap().unwrap();
    assert_eq!(
        same.matched_by,
        crate::clinic::SameDayMatch::NumbersOtherPerson
    );
    let notice = same.notice_ja();
    assert!(
        notice.contains("氏名または生年月日が違います") && !notice.contains("この方は"),
        "{notice}"
    );
    assert!(
        !notice.contains("別人") && !notice.contains("山田"),
        "{notice}"
    );
    // The patient's own second visit is still the same patient's.
    desk.record_verification(&v, &PendingCardCheck::new(), false, "受付", later)
        .unwrap();
    let again = desk
        .same_day_visit_of(&v, later + Duration::hours(1))
        .unwrap()
        .unwrap();
    assert_eq!(again.matched_by, crate::clinic::SameDayMatch::Numbers);
}

#[test]
fn a_declaration_of_a_patient_already_recorded_today_gets_the_same_notice() {
    let dir = tempfile::tempdir().unwrap();
    let mut desk = with_trust(dir.path());
    let v = verify(&desk, &genuine());
    let claim = v.claim().unwrap();
    let form = declared_as(&claim);
    let today = crate::clock::japan_today(now());
    let (declaration, _) = form.validate_with_operator("受付", today).unwrap();
    assert_eq!(
        desk.same_day_visit_of_declaration(&declaration, now())
            .unwrap(),
        None
    );
    // The verified visit first, then the 申立 of the same numbers: the notice names the visit,
    // in the words `clinic verify --record` and the desk page use.
    let first = desk
        .record_verification(&v, &PendingCardCheck::new(), false, "受付", now())
        .unwrap();
    let later = now() + Duration::hours(1);
    let same = desk
        .same_day_visit_of_declaration(&declaration, later)
        .unwrap()
        .unwrap();
    assert_eq!((same.position, same.verified), (first, true));
    assert_eq!(
        Some(same.notice_ja()),
        desk.same_day_visit_of(&v, later)
            .unwrap()
            .map(|s| s.notice_ja())
    );
    // A second 申立 the same day names the first one (・申立).
    let declared = desk.declare(&form, "受付", later).unwrap();
    let same = desk
        .same_day_visit_of_declaration(&declaration, later)
        .unwrap()
        .unwrap();
    assert_eq!((same.position, same.verified), (declared, false));
    assert!(same.notice_ja().contains("・申立"), "{}", same.notice_ja());
    assert_eq!(same.matched_by, crate::clinic::SameDayMatch::Numbers);
    // The next day in Japan: nothing.
    assert_eq!(
        desk.same_day_visit_of_declaration(&declaration, t("2026-11-23T15:00:00Z"))
            .unwrap(),
        None
    );
    // Another 番号, or a 申立 without 保険者番号 or 番号 (the patient did not know them): found
    // by the same 生年月日 and 氏名, in words that ask to confirm it is the same person.
    let other = crate::clinic::Declaration {
        number: Some(format!("{}9", claim.number)),
        ..declaration.clone()
    };
    let without_number = crate::clinic::Declaration {
        number: None,
        ..declaration.clone()
    };
    let without_insurer = crate::clinic::Declaration {
        insurer_number: None,
        ..declaration.clone()
    };
    for d in [&other, &without_number, &without_insurer] {
        let same = desk
            .same_day_visit_of_declaration(d, later)
            .unwrap()
            .unwrap();
        assert_eq!(
            (same.position, same.matched_by),
            (declared, crate::clinic::SameDayMatch::NameAndBirthDate)
        );
        let notice = same.notice_ja();
        assert!(
            notice.starts_with(
                "同じ氏名（またはカナ）・生年月日の方の受付の記録が本日すでにあります"
            ) && notice.contains("同じ方かどうか確かめてください")
                && !notice.contains(&claim.name),
            "{notice}"
        );
        // Not the next day.
        assert_eq!(
            desk.same_day_visit_of_declaration(d, t("2026-11-23T15:00:00Z"))
                .unwrap(),
            None
        );
    }
    // The name written with another space still matches; the カナ alone too.
    let folded = crate::clinic::Declaration {
        name: claim.name.replace(' ', "\u{3000}"),
        kana: None,
        ..without_number.clone()
    };
    assert!(
        desk.same_day_visit_of_declaration(&folded, later)
            .unwrap()
            .is_some()
    );
    let kana_only = crate::clinic::Declaration {
        name: "別表記".into(),
        kana: Some(claim.kana.clone()),
        ..without_number.clone()
    };
    assert!(
        desk.same_day_visit_of_declaration(&kana_only, later)
            .unwrap()
            .is_some()
    );
    // Another 生年月日, or another name and no カナ: nothing.
    let other_birth = crate::clinic::Declaration {
        birth_date: claim.birth_date.pred_opt().unwrap(),
        ..without_number.clone()
    };
    assert_eq!(
        desk.same_day_visit_of_declaration(&other_birth, later)
            .unwrap(),
        None
    );
    let other_person = crate::clinic::Declaration {
        name: "別の 人".into(),
        kana: None,
        ..without_number
    };
    assert_eq!(
        desk.same_day_visit_of_declaration(&other_person, later)
            .unwrap(),
        None
    );
}

/// A 申立 made in the morning without 保険者番号 and 番号, then the patient's verified app in
/// the afternoon: the verification names the 申立, found by 生年月日 and 氏名.
#[test]
fn a_verified_visit_after_a_declaration_without_numbers_gets_the_notice() {
    let dir = tempfile::tempdir().unwrap();
    let mut desk = with_trust(dir.path());
    let v = verify(&desk, &genuine());
    let claim = v.claim().unwrap();
    let form = crate::clinic::DeclarationForm {
        insurer_number: None,
        number: None,
        symbol: None,
        branch: None,
        ..declared_as(&claim)
    };
    let declared = desk.declare(&form, "受付", now()).unwrap();
    let later = now() + Duration::hours(3);
    let same = desk.same_day_visit_of(&v, later).unwrap().unwrap();
    assert_eq!(
        (same.position, same.verified, same.matched_by),
        (
            declared,
            false,
            crate::clinic::SameDayMatch::NameAndBirthDate
        )
    );
}

#[test]
fn an_expired_elderly_block_keeps_the_verdict_and_asks_to_confirm_the_share() {
    // A member of 73 whose 高齢受給者 block (2割, from 2026-08-01) ends on 2027-07-31, while the
    // eligibility runs on (to the day before the 75th birthday, 2029-05-05).
    let mut doc = bound();
    doc.person.birth_date = d("1954-05-06");
    assert_eq!(
        doc.record.elderly.as_ref().unwrap().valid_until,
        Some(d("2027-07-31"))
    );
    let last_day = verdict_on(&doc, "2027-07-31");
    assert_eq!(last_day.verdict, DeskVerdict::Confirmed);
    assert_eq!(last_day.elderly_note_ja(), None);
    let after = verdict_on(&doc, "2027-08-01");
    // The eligibility is confirmed as before: the verdict and the outcome do not change.
    assert_eq!(after.verdict, DeskVerdict::Confirmed);
    assert_eq!(after.reason, None);
    assert_eq!(
        after.outcome(DeskCardState::NotChecked),
        last_day.outcome(DeskCardState::NotChecked)
    );
    // The share printed in the block must be confirmed: a note, without the date or the share.
    let note = after.elderly_note_ja().unwrap();
    assert!(
        note.contains("高齢受給者の負担割合の有効期限が過ぎています"),
        "{note}"
    );
    assert!(note.contains("確認してください"), "{note}");
    assert!(!note.contains("2027") && !note.contains("2割"), "{note}");
    // No 有効期限 printed, or no block: nothing to say.
    let mut open = doc.clone();
    open.record.elderly.as_mut().unwrap().valid_until = None;
    assert_eq!(verdict_on(&open, "2027-08-01").elderly_note_ja(), None);
    let mut none = doc.clone();
    none.record.elderly = None;
    assert_eq!(verdict_on(&none, "2027-08-01").elderly_note_ja(), None);
    // A document whose signature failed shows nothing of it.
    let dir = tempfile::tempdir().unwrap();
    let desk = with_trust(dir.path());
    assert_eq!(verify(&desk, "SK1:garbage").elderly_note_ja(), None);
}

#[test]
fn an_elderly_block_not_yet_in_force_says_which_share_applies_until_then() {
    // Born 1957-02-02: reaches 70 on 2027-02-01, 高齢受給者 from 2027-03-01 (docs/rules.md
    // §1.3). The block (2割) takes effect that day.
    let with_block = |birth: &str, from: &str| {
        let mut doc = bound();
        doc.person.birth_date = d(birth);
        let e = doc.record.elderly.as_mut().unwrap();
        e.effective_from = d(from);
        e.valid_until = Some(d("2028-07-31"));
        doc
    };
    let doc = with_block("1957-02-02", "2027-03-01");
    let before = verdict_on(&doc, "2027-02-28");
    // The eligibility is confirmed as before: the verdict and the outcome do not change.
    assert_eq!(before.verdict, DeskVerdict::Confirmed);
    assert_eq!(before.reason, None);
    let note = before.elderly_note_ja().unwrap();
    assert!(note.contains("まだ発効していません"), "{note}");
    // Before the 高齢受給者 start the law sets one share: 3割 (健康保険法 §74(1)(i)).
    assert!(
        note.contains("今日の負担割合は、高齢受給者になる前の3割です"),
        "{note}"
    );
    assert!(!note.contains("2割") && !note.contains("2027"), "{note}");
    // From its 発効期日 it is in force: nothing to say.
    let on = verdict_on(&doc, "2027-03-01");
    assert_eq!(on.elderly_note_ja(), None);
    assert_eq!(
        on.outcome(DeskCardState::NotChecked),
        before.outcome(DeskCardState::NotChecked)
    );

    // A new year's block issued ahead of its 発効期日 for a patient of 73: the law allows 2割 or
    // 3割 and today's is the earlier block's, which the document does not carry — say only that
    // the printed share does not apply yet and ask to confirm today's.
    let renewal = with_block("1954-05-06", "2027-08-01");
    let v = verdict_on(&renewal, "2027-07-31");
    assert_eq!(v.verdict, DeskVerdict::Confirmed);
    let note = v.elderly_note_ja().unwrap();
    assert!(note.contains("まだ発効していません"), "{note}");
    assert!(note.contains("今日はまだ適用されません"), "{note}");
    assert!(note.contains("確認してください"), "{note}");
    for share in ["1割", "2割", "3割", "2027"] {
        assert!(!note.contains(share), "{share} in {note}");
    }
    assert_eq!(verdict_on(&renewal, "2027-08-01").elderly_note_ja(), None);
}

#[test]
fn the_elderly_line_and_the_validity_have_one_wording() {
    let doc = bound();
    let v = verdict_on(&doc, "2027-07-31");
    assert_eq!(
        v.elderly_ja().unwrap(),
        "2割（発効 2026-08-01、有効期限 2027-07-31）"
    );
    let mut open = doc.clone();
    open.record.elderly.as_mut().unwrap().valid_until = None;
    assert_eq!(
        verdict_on(&open, "2027-07-31").elderly_ja().unwrap(),
        "2割（発効 2026-08-01）"
    );
    let mut none = doc.clone();
    none.record.elderly = None;
    assert_eq!(
        verdict_on(&none, "2027-07-31").elderly_ja().unwrap(),
        "なし"
    );

    let day = |d: Option<chrono::NaiveDate>| d.unwrap().format("%Y-%m-%d").to_string();
    let (from, until) = (day(doc.record.valid_from), day(doc.record.valid_until));
    assert_eq!(v.validity_ja().unwrap(), format!("{from} 〜 {until}"));
    // (A 資格確認書 must print its 有効期限: an お知らせ need not.)
    let mut no_end = doc.clone();
    no_end.record.kind = crate::eligibility::DocumentKind::Notice;
    no_end.record.valid_until = None;
    assert_eq!(
        verdict_on(&no_end, "2027-07-31").validity_ja().unwrap(),
        format!("{from} 〜 —")
    );
    let mut neither = no_end.clone();
    (neither.record.valid_from, neither.record.valid_until) = (None, None);
    assert_eq!(
        verdict_on(&neither, "2027-07-31").validity_ja().unwrap(),
        "記載なし"
    );
    // A document whose signature failed shows nothing of it.
    let dir = tempfile::tempdir().unwrap();
    let desk = with_trust(dir.path());
    let garbage = verify(&desk, "SK1:garbage");
    assert_eq!((garbage.elderly_ja(), garbage.validity_ja()), (None, None));
}
