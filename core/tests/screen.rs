//! The screen never claims more than was verified, and shows the fields, dates and notices.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use chrono::{DateTime, Duration, NaiveDate, Utc};
use common::*;
use sha2::{Digest, Sha256};
use shikaku_core::document::{
    EligibilityDocument, IssuerKey, SigningKey, TrustList, sign_document, verify_document,
};
use shikaku_core::eligibility::{DocumentKind, InsurerNumber, Provenance, Relationship};
use shikaku_core::screen::{
    AppCopy, CardState, ClinicSituation, NoticeCode, Presentation, ProvenanceState,
    household_overview, member_guidance, member_screen, member_situation,
};
use shikaku_core::store::{MemoryKeyStore, Store, SyncState};

const VERIFIED: &str = "発行元の署名を確認済み";

fn key(seed: &str) -> SigningKey {
    SigningKey::from_slice(&Sha256::digest(seed.as_bytes())).unwrap()
}

fn now() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2026-11-23T03:00:00Z")
        .unwrap()
        .to_utc()
}

fn trust(not_after: DateTime<Utc>) -> Vec<u8> {
    TrustList {
        version: 1,
        issued_at: now() - Duration::days(1),
        keys: vec![IssuerKey {
            kid: "issuer-1".into(),
            public_key: key("issuer")
                .verifying_key()
                .to_encoded_point(false)
                .as_bytes()
                .to_vec(),
            not_before: now() - Duration::days(30),
            not_after,
            insurers: vec![InsurerNumber::parse("01130012").unwrap()],
        }],
    }
    .sign(&key("root"))
    .unwrap()
}

/// A store with one member holding one signed and one hand-entered record, and the trust
/// list of `trust_bytes` pinned to `root`.
fn setup(
    dir: &std::path::Path,
    trust_bytes: Vec<u8>,
    root: &SigningKey,
) -> (Store, shikaku_core::eligibility::MemberId) {
    let mut store = Store::open(&dir.join("s.db"), &MemoryKeyStore::new([9; 32])).unwrap();
    let person = family()[0].0.clone();
    let record = record(
        DocumentKind::Portal,
        "01130012",
        "7340155",
        "420815",
        Relationship::Insured,
    );
    let doc = EligibilityDocument {
        household_id: "hh".into(),
        person_id: "p1".into(),
        version: 1,
        issued_at: now() - Duration::days(2),
        valid_until: now() + Duration::days(300),
        person: person.clone(),
        record: record.clone(),
        holder_binding: None,
    };
    let signed = sign_document(&doc, &key("issuer"), "issuer-1").unwrap();
    let provenance = verify_document(
        &signed,
        &TrustList::verify(
            &trust(now() + Duration::days(300)),
            key("root").verifying_key(),
            now(),
        )
        .unwrap(),
        now(),
    )
    .unwrap()
    .provenance();
    let id = store.add_member(&person).unwrap();
    store.put_record(id, &record, &provenance).unwrap();
    let hand = record_hand();
    store
        .put_record(
            id,
            &hand,
            &Provenance::HandEntered {
                entered_at: now() - Duration::hours(5),
            },
        )
        .unwrap();
    store
        .write(|b| {
            b.set_sync_state(&SyncState {
                trust_list: Some(trust_bytes),
                root_key: Some(
                    root.verifying_key()
                        .to_encoded_point(true)
                        .as_bytes()
                        .to_vec(),
                ),
                last_success: Some(now() - Duration::days(3)),
                ..SyncState::default()
            })
        })
        .unwrap();
    (store, id)
}

fn record_hand() -> shikaku_core::eligibility::EligibilityRecord {
    record(
        DocumentKind::Certificate,
        "39131008",
        "8812",
        "60417733",
        Relationship::Insured,
    )
}

fn states(store: &Store, id: shikaku_core::eligibility::MemberId) -> Vec<ProvenanceState> {
    member_screen(store, id, now())
        .unwrap()
        .sections
        .iter()
        .filter_map(|s| s.provenance)
        .collect()
}

/// A signed 資格確認書 that verifies: the guidance's 資格確認書 option says what the screen's
/// fixed notice and the desk say of it (the paper is the document; the screen's QR code can be
/// read and taking it is the clinic's call), not 「代わりにはなりません」; the same record typed by
/// hand keeps 「代わりにはなりません」.
#[test]
fn a_signed_certificate_is_described_alike_by_the_guidance_and_the_screen() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(&dir.path().join("s.db"), &MemoryKeyStore::new([9; 32])).unwrap();
    let person = family()[0].0.clone();
    let certificate = record(
        DocumentKind::Certificate,
        "01130012",
        "7340155",
        "420815",
        Relationship::Insured,
    );
    let doc = EligibilityDocument {
        household_id: "hh".into(),
        person_id: "p1".into(),
        version: 1,
        issued_at: now() - Duration::days(2),
        valid_until: now() + Duration::days(300),
        person: person.clone(),
        record: certificate.clone(),
        holder_binding: None,
    };
    let signed = sign_document(&doc, &key("issuer"), "issuer-1").unwrap();
    let trust_bytes = trust(now() + Duration::days(300));
    let provenance = verify_document(
        &signed,
        &TrustList::verify(&trust_bytes, key("root").verifying_key(), now()).unwrap(),
        now(),
    )
    .unwrap()
    .provenance();
    let id = store.add_member(&person).unwrap();
    let record_id = store.put_record(id, &certificate, &provenance).unwrap();
    store
        .write(|b| {
            b.set_sync_state(&SyncState {
                trust_list: Some(trust_bytes),
                root_key: Some(
                    key("root")
                        .verifying_key()
                        .to_encoded_point(true)
                        .as_bytes()
                        .to_vec(),
                ),
                last_success: Some(now() - Duration::days(1)),
                ..SyncState::default()
            })
        })
        .unwrap();
    let option_text = |store: &Store| {
        let g = member_guidance(store, id, &ClinicSituation::READER_DOWN, now()).unwrap();
        g.options
            .iter()
            .find(|o| o.presentation == Presentation::QualificationCertificate)
            .map(|o| o.explanation.clone())
            .unwrap()
    };
    let signed_text = option_text(&store);
    assert!(
        signed_text.contains("署名を確認したこのアプリの画面（QRコード）を医療機関が読み取って")
            && signed_text.contains("紙の代わりに受け付けるかどうかは医療機関の判断です。"),
        "{signed_text}"
    );
    assert!(
        !signed_text.contains("代わりにはなりません"),
        "{signed_text}"
    );
    let screen = member_screen(&store, id, now()).unwrap();
    assert!(
        screen
            .fixed_notice
            .contains("紙の代わりに受け付けるかどうかは医療機関の判断です。"),
        "{}",
        screen.fixed_notice
    );

    store
        .replace_record(
            record_id,
            &certificate,
            &Provenance::HandEntered {
                entered_at: now() - Duration::hours(1),
            },
        )
        .unwrap();
    let hand_text = option_text(&store);
    assert!(
        hand_text.contains("このアプリの画面は写しで、資格確認書の代わりにはなりません。"),
        "{hand_text}"
    );
}

#[test]
fn verified_only_when_the_signature_verifies_now() {
    let dir = tempfile::tempdir().unwrap();
    let (mut store, id) = setup(dir.path(), trust(now() + Duration::days(300)), &key("root"));
    assert_eq!(
        states(&store, id),
        vec![ProvenanceState::Verified, ProvenanceState::HandEntered]
    );

    // The stored record altered (same signed bytes): no longer verified.
    let signed = store.records(id).unwrap().records[0].clone();
    let mut changed = signed.record.clone();
    changed.number = "999999".into();
    store
        .replace_record(signed.id, &changed, &signed.provenance)
        .unwrap();
    let screen = member_screen(&store, id, now()).unwrap();
    assert_eq!(
        screen.sections[1].provenance,
        Some(ProvenanceState::SignatureInvalid)
    );
    assert!(!serde_json::to_string(&screen).unwrap().contains(VERIFIED));
    assert!(
        !household_overview(&store, now()).unwrap().members[0]
            .documents
            .iter()
            .any(|d| d.contains(VERIFIED))
    );
}

#[test]
fn never_verified_when_the_key_expired_the_trust_list_is_missing_or_foreign() {
    for (label, trust_bytes, root) in [
        ("key expired", trust(now() - Duration::days(1)), key("root")),
        (
            "trust list under another root",
            trust(now() + Duration::days(300)),
            key("someone"),
        ),
    ] {
        let dir = tempfile::tempdir().unwrap();
        let (store, id) = setup(dir.path(), trust_bytes, &root);
        assert_eq!(
            states(&store, id),
            vec![
                ProvenanceState::SignatureInvalid,
                ProvenanceState::HandEntered
            ],
            "{label}"
        );
        let json = serde_json::to_string(&member_screen(&store, id, now()).unwrap()).unwrap();
        assert!(!json.contains(VERIFIED), "{label}");
        assert!(
            json.contains("署名が無効") && json.contains("手入力・未検証"),
            "{label}"
        );
    }
    // No trust list at all.
    let dir = tempfile::tempdir().unwrap();
    let (mut store, id) = setup(dir.path(), trust(now() + Duration::days(300)), &key("root"));
    store
        .write(|b| b.set_sync_state(&SyncState::default()))
        .unwrap();
    assert_eq!(
        states(&store, id),
        vec![
            ProvenanceState::SignatureInvalid,
            ProvenanceState::HandEntered
        ]
    );
}

#[test]
fn screen_fields_dates_and_notices() {
    let dir = tempfile::tempdir().unwrap();
    let (store, id) = setup(dir.path(), trust(now() + Duration::days(300)), &key("root"));
    let s = member_screen(&store, id, now()).unwrap();
    assert_eq!(s.name, "山田 太郎");
    assert_eq!(s.card.state, CardState::NotChecked);
    assert_eq!(s.card.label, "未照合");
    let birth = s.sections[0]
        .fields
        .iter()
        .find(|f| f.id == "birth_date")
        .unwrap();
    assert_eq!(birth.value, "昭和60年4月12日");
    assert_eq!(birth.secondary.as_deref(), Some("1985年4月12日"));
    let copay = s.sections[1]
        .fields
        .iter()
        .find(|f| f.id == "copay")
        .unwrap();
    assert_eq!(copay.value, "3割");
    let until = s.sections[2]
        .fields
        .iter()
        .find(|f| f.id == "valid_until")
        .unwrap();
    assert_eq!(until.value, "令和12年12月1日");
    assert!(
        s.fixed_notice
            .contains("マイナンバーカード（実物）と一緒に")
    );
    let fresh = s.freshness.unwrap();
    assert_eq!(fresh.age, "3日前");
    // Both a マイナ保険証 document and a 資格確認書 are held: a notice, not a block.
    assert!(
        s.notices.iter().any(|n| n.message.contains("資格確認書")),
        "{:?}",
        s.notices
    );

    let overview = household_overview(&store, now()).unwrap();
    assert_eq!(overview.members.len(), 1);
    assert_eq!(overview.damaged_rows, 0);
    assert_eq!(overview.members[0].documents.len(), 2);

    let g = member_guidance(
        &store,
        id,
        &ClinicSituation {
            reader_present: true,
            reader_working: false,
            power: true,
            network: true,
        },
        now(),
    )
    .unwrap();
    assert!(g.clinic_problem.is_some());
    assert!(!g.options.is_empty());
    assert_ne!(
        g.options[0].presentation,
        Presentation::CardAtReader,
        "the reader is down"
    );
}

fn stored_check(
    member: shikaku_core::eligibility::MemberId,
    source: shikaku_core::card::AnchorSource,
    name_on_card: Option<&str>,
) -> shikaku_core::store::StoredCardCheck {
    use shikaku_core::card::*;
    let info = name_on_card.map(|n| BasicInfo {
        name: n.into(),
        address: String::new(),
        birth_date: "19850412".into(),
        sex: CardSex::Male,
    });
    shikaku_core::store::StoredCardCheck {
        member,
        matched: info.as_ref().map(|i| match_member(i, &family()[0].0)),
        check: CardCheck {
            card_kind: CardKind::MyNumberCard,
            key_fingerprint: KeyFingerprint([1; 32]),
            certificate_not_before: now() - Duration::days(400),
            certificate_not_after: now() + Duration::days(900),
            chain: ChainStatus {
                anchor_label: "x".into(),
                anchor_source: source,
                anchor_key: KeyFingerprint([2; 32]),
            },
            signature: SignatureStatus::VerifiedFreshChallenge,
            retries_left: PinCounter::Remaining(3),
            checked_at: now() - Duration::hours(1),
            basic_info: info.map_or(
                shikaku_core::card::BasicInfoOutcome::NotRequested,
                shikaku_core::card::BasicInfoOutcome::Read,
            ),
        },
    }
}

#[test]
fn card_badge_claims_only_what_was_proven() {
    use shikaku_core::card::AnchorSource;
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(&dir.path().join("s.db"), &MemoryKeyStore::new([9; 32])).unwrap();
    let id = store.add_member(&family()[0].0).unwrap();
    let badge = |store: &Store| member_screen(store, id, now()).unwrap().card.state;
    assert_eq!(badge(&store), CardState::NotChecked);
    // A genuine card with nothing linking it to this member.
    store
        .put_card_check(&stored_check(id, AnchorSource::Embedded, None))
        .unwrap();
    assert_eq!(badge(&store), CardState::GenuineNotLinked);
    // Linked by the 基本4情報.
    store
        .put_card_check(&stored_check(
            id,
            AnchorSource::Embedded,
            Some("山田\u{3000}太郎"),
        ))
        .unwrap();
    assert_eq!(badge(&store), CardState::Checked);
    // The 基本4情報 of someone else.
    store
        .put_card_check(&stored_check(
            id,
            AnchorSource::Embedded,
            Some("鈴木\u{3000}次郎"),
        ))
        .unwrap();
    assert_eq!(badge(&store), CardState::Mismatch);
    // A test anchor never counts as a real check, even when linked.
    store
        .put_card_check(&stored_check(
            id,
            AnchorSource::Extra,
            Some("山田\u{3000}太郎"),
        ))
        .unwrap();
    assert_eq!(badge(&store), CardState::TestAnchor);
    let json = serde_json::to_string(&member_screen(&store, id, now()).unwrap()).unwrap();
    assert!(!json.contains("カード照合済み"));
}

/// This app's screen is named for what it is: issuer-signed while the signature verifies, a
/// copy otherwise; the fixed notice says which of the records are which.
#[test]
fn app_screen_is_signed_only_while_the_signature_verifies() {
    let reader_down = ClinicSituation::READER_DOWN;
    let dir = tempfile::tempdir().unwrap();
    let (store, id) = setup(dir.path(), trust(now() + Duration::days(300)), &key("root"));
    let g = member_guidance(&store, id, &reader_down, now()).unwrap();
    let presented: Vec<_> = g.options.iter().map(|o| o.presentation).collect();
    assert_eq!(
        presented,
        [
            Presentation::QualificationCertificate,
            Presentation::PhoneScreenWithCard,
            Presentation::AppSignedWithCard
        ]
    );
    assert!(g.options[2].never_alone);
    let s = member_screen(&store, id, now()).unwrap();
    assert!(
        s.fixed_notice
            .contains("発行元の電子署名を確認した資格情報と")
    );
    assert!(
        s.fixed_notice
            .contains("署名を確認した資格情報は、この画面を")
    );

    // The issuer key expired: the same record is only a copy now.
    let dir = tempfile::tempdir().unwrap();
    let (store, id) = setup(dir.path(), trust(now() - Duration::days(1)), &key("root"));
    let g = member_guidance(&store, id, &reader_down, now()).unwrap();
    assert_eq!(
        g.options.last().map(|o| o.presentation),
        Some(Presentation::AppCopyWithCard)
    );
    assert!(
        !serde_json::to_string(&g)
            .unwrap()
            .contains("電子署名を確認した")
    );
    let s = member_screen(&store, id, now()).unwrap();
    assert!(s.fixed_notice.contains("手入力した資格情報の写し"));
    assert!(
        !s.fixed_notice
            .contains("署名を確認した資格情報は、この画面を")
    );
}

#[test]
fn an_expired_signed_document_is_downgraded_with_a_notice_naming_the_day() {
    let dir = tempfile::tempdir().unwrap();
    // The issuer key stays valid; only the document's own validity (now + 300 days) passes.
    let (store, id) = setup(dir.path(), trust(now() + Duration::days(400)), &key("root"));
    let later = now() + Duration::days(301);
    let screen = member_screen(&store, id, later).unwrap();
    assert_eq!(
        screen.sections[1].provenance,
        Some(ProvenanceState::SignedExpired)
    );
    let json = serde_json::to_string(&screen).unwrap();
    assert!(!json.contains(VERIFIED), "{json}");
    assert!(
        json.contains("発行元の署名あり・書類の有効期限切れ"),
        "{json}"
    );
    let notice = screen
        .notices
        .iter()
        .find(|n| n.code == shikaku_core::screen::NoticeCode::SignedDocumentExpired)
        .expect("a notice for the expired signed document");
    assert_eq!(
        notice.date,
        shikaku_core::clock::japan_today(now() + Duration::days(300))
    );
    // Before the document's end it is verified as before.
    assert_eq!(
        member_screen(&store, id, now()).unwrap().sections[1].provenance,
        Some(ProvenanceState::Verified)
    );
}

/// A 協会けんぽ record ends the day before the 75th birthday (`calendar::record_in_force`, the
/// clinic desk's rule too): from the birthday its お知らせ is no longer this app's copy to show
/// at the clinic, its 資格確認書 is not held, and 「両方お持ち」 goes.
#[test]
fn an_employee_insurance_record_is_not_shown_as_held_from_the_75th_birthday() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(&dir.path().join("s.db"), &MemoryKeyStore::new([9; 32])).unwrap();
    let mut person = family()[0].0.clone();
    // 75 on 2026-11-24; now() is 2026-11-23 in Japan.
    person.birth_date = NaiveDate::from_ymd_opt(1951, 11, 24).unwrap();
    let id = store.add_member(&person).unwrap();
    let hand = Provenance::HandEntered {
        entered_at: now() - Duration::hours(5),
    };
    for kind in [DocumentKind::Notice, DocumentKind::Certificate] {
        let r = record(kind, "01130012", "7340155", "420815", Relationship::Insured);
        store.put_record(id, &r, &hand).unwrap();
    }
    let both_held = |at| {
        member_screen(&store, id, at)
            .unwrap()
            .notices
            .iter()
            .any(|n| n.code == NoticeCode::BothHeld)
    };

    let s = member_situation(&store, id, now()).unwrap();
    assert_eq!(s.app_copy, Some(AppCopy::Unverified));
    assert!(s.has_notice && s.has_qualification_certificate);
    assert!(both_held(now()));

    let birthday = now() + Duration::days(1);
    let s = member_situation(&store, id, birthday).unwrap();
    assert_eq!(s.app_copy, None, "not the copy shown at the clinic");
    assert!(!s.has_notice && !s.has_qualification_certificate);
    assert!(!both_held(birthday));
    let g = member_guidance(&store, id, &ClinicSituation::READER_DOWN, birthday).unwrap();
    assert!(
        g.options.iter().all(|o| !matches!(
            o.presentation,
            Presentation::AppCopyWithCard | Presentation::QualificationCertificate
        )),
        "{:?}",
        g.options
    );
}

/// The screen's fixed notice says how a document is used at the clinic only of the documents in
/// force (docs/guidance.md §4): an ended 資格確認書 is not called usable 「単独で」, an ended
/// お知らせ is not offered with the card, and a member whose documents have all ended is told
/// that none can be used today. What the screen is (a hand-typed copy) still speaks of them all.
#[test]
fn the_fixed_notice_calls_only_documents_in_force_usable() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(&dir.path().join("s.db"), &MemoryKeyStore::new([9; 32])).unwrap();
    let id = store.add_member(&family()[0].0).unwrap();
    let hand = Provenance::HandEntered {
        entered_at: now() - Duration::hours(5),
    };
    // An お知らせ in force to 2030-12-01 and a 資格確認書 that ended on 2026-11-22 (now() is
    // 2026-11-23 in Japan).
    let notice = record(
        DocumentKind::Notice,
        "01130012",
        "7340155",
        "420815",
        Relationship::Insured,
    );
    let notice_id = store.put_record(id, &notice, &hand).unwrap();
    let mut certificate = record_hand();
    certificate.valid_from = NaiveDate::from_ymd_opt(2025, 12, 2);
    certificate.valid_until = NaiveDate::from_ymd_opt(2026, 11, 22);
    store.put_record(id, &certificate, &hand).unwrap();

    let s = member_screen(&store, id, now()).unwrap();
    let text = &s.fixed_notice;
    assert!(text.contains("手入力した資格情報の写し"), "{text}");
    assert!(
        text.contains("紙の資格情報のお知らせを、マイナ保険証"),
        "{text}"
    );
    assert!(!text.contains("資格確認書は単独で使えます"), "{text}");
    assert!(!text.contains("どれも今日は窓口で使えません"), "{text}");

    // The day before it ended, the same 資格確認書 is called usable on its own.
    let s = member_screen(&store, id, now() - Duration::days(1)).unwrap();
    assert!(
        s.fixed_notice.contains("資格確認書は単独で使えますが"),
        "{}",
        s.fixed_notice
    );

    // The お知らせ ends too (a 資格喪失日): nothing is offered as usable.
    let mut lost = notice.clone();
    lost.lost_on = NaiveDate::from_ymd_opt(2026, 11, 1);
    store.replace_record(notice_id, &lost, &hand).unwrap();
    let s = member_screen(&store, id, now()).unwrap();
    let text = &s.fixed_notice;
    assert!(text.contains("手入力した資格情報の写し"), "{text}");
    assert!(
        text.contains("この画面の資格情報は、どれも今日は窓口で使えません。"),
        "{text}"
    );
    assert!(!text.contains("マイナポータルの資格情報画面"), "{text}");
    assert!(!text.contains("単独で使えます"), "{text}");
}

/// An お知らせ in force is shown only with a card that works as a マイナ保険証: once the card is
/// past its grace (the end of the 3rd month after its 有効期限), the fixed notice does not tell
/// the member to show the お知らせ with it, as the guidance does not (seed 001: 「電子証明書の
/// 有効期限から3ヶ月が経過している場合は、保険証利用が解除される」).
#[test]
fn the_fixed_notice_offers_no_notice_beside_a_card_past_its_grace() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(&dir.path().join("s.db"), &MemoryKeyStore::new([9; 32])).unwrap();
    let mut person = family()[0].0.clone();
    person.myna_hoken = Some(true);
    // Its grace ends on 2026-09-30; now() is 2026-11-23 in Japan.
    person.card_expires_on = NaiveDate::from_ymd_opt(2026, 6, 30);
    let id = store.add_member(&person).unwrap();
    let notice = record(
        DocumentKind::Notice,
        "01130012",
        "7340155",
        "420815",
        Relationship::Insured,
    );
    let hand = Provenance::HandEntered {
        entered_at: now() - Duration::hours(5),
    };
    store.put_record(id, &notice, &hand).unwrap();
    let text = member_screen(&store, id, now()).unwrap().fixed_notice;
    assert!(
        !text.contains("紙の資格情報のお知らせを、マイナ保険証"),
        "{text}"
    );
    assert!(
        text.contains("この画面の資格情報は、どれも今日は窓口で使えません。"),
        "{text}"
    );
    // Within its grace (2026-09-30), the お知らせ goes with the card.
    let within = NaiveDate::from_ymd_opt(2026, 9, 30)
        .unwrap()
        .and_hms_opt(3, 0, 0)
        .unwrap()
        .and_utc();
    let text = member_screen(&store, id, within).unwrap().fixed_notice;
    assert!(
        text.contains("紙の資格情報のお知らせを、マイナ保険証"),
        "{text}"
    );
}

/// When the 本人 of a 被用者保険 turns 75 (後期高齢者医療), a 家族 on that insurance loses
/// 被扶養者 status the same day (docs/rules.md §1.4 "Dependents"): from the birthday their record
/// is not held by the guidance, the app-copy choice or the screen's 「両方お持ち」, the 10割 option
/// does not send the claim to the former insurer, and the to-do says to join 国保 or become
/// another family member's 被扶養者 — the rule the screen's household notice states.
#[test]
fn a_dependents_record_is_not_held_from_the_insureds_75th_birthday() {
    use DocumentKind::{Certificate, Notice};
    use Relationship::{Dependent, Insured};
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(&dir.path().join("s.db"), &MemoryKeyStore::new([9; 32])).unwrap();
    let hand = Provenance::HandEntered {
        entered_at: now() - Duration::hours(5),
    };
    let mut add = |birth: &str, rel, records: Vec<(DocumentKind, &str)>| {
        let mut data = family()[0].0.clone();
        data.birth_date = NaiveDate::parse_from_str(birth, "%Y-%m-%d").unwrap();
        data.relationship = rel;
        let id = store.add_member(&data).unwrap();
        for (kind, number) in records {
            let r = record(kind, "01130012", "7340155", number, rel);
            store.put_record(id, &r, &hand).unwrap();
        }
        id
    };
    // The 本人 turns 75 on 2026-11-24; now() is 2026-11-23 in Japan.
    add("1951-11-24", Insured, vec![(Certificate, "43")]);
    let spouse = add("1956-12-02", Dependent, vec![(Certificate, "43")]);
    let child = add(
        "1990-01-01",
        Dependent,
        vec![(Certificate, "43"), (Notice, "43")],
    );
    let birthday = now() + Duration::days(1);
    let reader_down = ClinicSituation::READER_DOWN;
    let presented = |g: &shikaku_core::screen::Guidance| {
        g.options.iter().map(|o| o.presentation).collect::<Vec<_>>()
    };
    let notices = |id, at| -> Vec<NoticeCode> {
        member_screen(&store, id, at)
            .unwrap()
            .notices
            .iter()
            .map(|n| n.code)
            .collect()
    };

    // The day before: the 資格確認書 works.
    let g = member_guidance(&store, spouse, &reader_down, now()).unwrap();
    assert_eq!(presented(&g), [Presentation::QualificationCertificate]);
    assert!(g.to_do.is_empty());
    let s = member_situation(&store, child, now()).unwrap();
    assert!(s.has_qualification_certificate && s.has_notice);
    assert_eq!(s.app_copy, Some(AppCopy::Unverified));
    assert!(notices(child, now()).contains(&NoticeCode::BothHeld));

    // From the birthday: nothing of that insurance is held.
    let s = member_situation(&store, spouse, birthday).unwrap();
    assert!(!s.has_qualification_certificate && !s.qualification_certificate_expired);
    let g = member_guidance(&store, spouse, &reader_down, birthday).unwrap();
    assert_eq!(presented(&g), [Presentation::FullPaymentThenClaim]);
    let pay = &g.options[0].explanation;
    assert!(
        !pay.contains("後で保険者に") && pay.contains("国民健康保険"),
        "{pay}"
    );
    let steps: Vec<_> = g.to_do.iter().map(|s| s.action).collect();
    assert_eq!(
        steps,
        [shikaku_core::screen::GuidanceAction::JoinNewInsurance]
    );
    let step = &g.to_do[0].explanation;
    assert!(
        step.contains("国民健康保険") && step.contains("ほかのご家族の健康保険の被扶養者"),
        "{step}"
    );

    let s = member_situation(&store, child, birthday).unwrap();
    assert!(!s.has_qualification_certificate && !s.has_notice);
    assert_eq!(s.app_copy, None, "not the copy shown at the clinic");
    assert!(s.registered, "the card stays registered");
    let g = member_guidance(&store, child, &reader_down, birthday).unwrap();
    assert!(
        g.options.iter().all(|o| !matches!(
            o.presentation,
            Presentation::QualificationCertificate
                | Presentation::NoticeWithCard
                | Presentation::AppCopyWithCard
        )),
        "{:?}",
        g.options
    );
    assert_eq!(
        g.to_do[0].action,
        shikaku_core::screen::GuidanceAction::JoinNewInsurance
    );
    let codes = notices(child, birthday);
    assert!(codes.contains(&NoticeCode::DependentLosesStatusAt75));
    assert!(!codes.contains(&NoticeCode::BothHeld), "{codes:?}");
}
