//! The FFI's `ClinicDesk` end to end, from Rust through the exported API: the trust list
//! (import, pinned root, update over an `HttpTransport`), a genuine and an altered QR code, the
//! card at the desk (another person's card, a wrong PIN, the PIN as bytes), recording, a 申立,
//! the listing, the CSV and JSON exports and the log check; an eligibility that starts
//! tomorrow (有効期間前（資格）).
#![cfg(feature = "testing")]
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use std::sync::{Arc, Mutex};

use shikaku_core::clinic::{DeskAcceptance, DeskCardState, DeskTone, DeskVerdict};
use shikaku_core::eligibility::{DocumentKind, Relationship, Sex};
use shikaku_ffi::clinic::{
    ClinicDesk, DeclarationInput, DeskCardOptions, DeskPublicExpenseInput, LogStatus,
};
use shikaku_ffi::clinic::{
    DeskResult, TrustUpdateSettings, clinic_operator_refusal, clinic_trust_missing_notice,
};
use shikaku_ffi::{
    CardTransport, HttpError, HttpMethod, HttpRequest, HttpResponse, HttpTransport, KeyStore,
    KeyStoreError, ShikakuError, TestIssuer, TransportError, VirtualCardHandle, test_issuer,
    virtual_card, virtual_card_test_ca,
};

struct XorKeys(u8);

impl KeyStore for XorKeys {
    fn wrap(&self, key: Vec<u8>) -> Result<Vec<u8>, KeyStoreError> {
        Ok(key.iter().map(|b| b ^ self.0).collect())
    }
    fn unwrap(&self, blob: Vec<u8>) -> Result<Vec<u8>, KeyStoreError> {
        Ok(blob.iter().map(|b| b ^ self.0).collect())
    }
}

struct Card(Arc<VirtualCardHandle>);

impl CardTransport for Card {
    fn transceive(&self, apdu: Vec<u8>) -> Result<Vec<u8>, TransportError> {
        self.0.transceive(apdu)
    }
    fn extended_length(&self) -> bool {
        false
    }
}

/// Serves the trust list at `/v1/trust-list` and records the URLs asked for.
struct TrustServer {
    body: Vec<u8>,
    asked: Mutex<Vec<String>>,
}

impl HttpTransport for TrustServer {
    fn send(&self, request: HttpRequest) -> Result<HttpResponse, HttpError> {
        assert_eq!(request.method, HttpMethod::Get);
        self.asked.lock().unwrap().push(request.url.clone());
        let found = request.url.ends_with("/v1/trust-list");
        Ok(HttpResponse {
            status: if found { 200 } else { 404 },
            headers: vec![],
            body: if found { self.body.clone() } else { vec![] },
        })
    }
}

const TARO: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../examples/vcard-yamada-taro.toml"
);
const HANAKO: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../examples/vcard-yamada-hanako.toml"
);

fn desk(dir: &std::path::Path) -> Arc<ClinicDesk> {
    ClinicDesk::open(
        dir.join("desk").display().to_string(),
        Arc::new(XorKeys(0x5a)),
    )
    .unwrap()
}

fn issuer() -> TestIssuer {
    test_issuer(vec![TARO.into(), HANAKO.into()]).unwrap()
}

fn payload(issuer: &TestIssuer) -> String {
    shikaku_core::document::to_qr_payload(&issuer.presentations[0])
}

fn anchors() -> DeskCardOptions {
    DeskCardOptions {
        extra_anchors: vec![virtual_card_test_ca().unwrap()],
        ..DeskCardOptions::default()
    }
}

fn assert_no_document_fields(r: &DeskResult) {
    assert!(r.claim.is_none());
    assert!(r.issued_on.is_none());
    assert!(r.document_age_days.is_none());
    assert!(r.format.is_none());
    assert!(r.key_id.is_none());
}

#[test]
fn trust_list_import_pins_the_root_and_refuses_another() {
    let dir = tempfile::tempdir().unwrap();
    let desk = desk(dir.path());
    let issuer = issuer();
    // No list yet: nothing verifies, nothing shown.
    assert_eq!(desk.trust_status(None).unwrap(), None);
    let before = desk.verify(payload(&issuer), None).unwrap();
    assert_eq!(before.verdict, DeskVerdict::UnknownIssuer);
    assert_eq!(before.verdict_label, "発行元不明");
    assert_no_document_fields(&before);
    assert!(before.trust.is_none());
    // The core's words for a desk without a list, as the desk page and `clinic verify` say it,
    // naming no CLI command in the app.
    assert_eq!(
        clinic_trust_missing_notice(),
        shikaku_core::clinic::TrustSource::TabletApp.missing_ja()
    );
    assert!(
        clinic_trust_missing_notice().ends_with("信頼リストを更新してください。")
            && !clinic_trust_missing_notice().contains("shikaku"),
        "{}",
        clinic_trust_missing_notice()
    );
    assert_eq!(
        before.reason.as_deref(),
        Some(&*clinic_trust_missing_notice())
    );

    // The first list needs the root.
    assert!(matches!(
        desk.import_trust_list(issuer.trust_list.clone(), None),
        Err(ShikakuError::TrustList { .. })
    ));
    assert!(matches!(
        desk.import_trust_list(issuer.trust_list.clone(), Some(vec![1, 2, 3])),
        Err(ShikakuError::InvalidInput { .. })
    ));
    assert_eq!(
        desk.import_trust_list(issuer.trust_list.clone(), Some(issuer.root_key.clone()))
            .unwrap(),
        1
    );
    let status = desk.trust_status(None).unwrap().unwrap();
    assert_eq!(status.version, 1);
    assert_eq!(status.age_days, 1);
    assert!(!status.stale);
    // The list in the core's words: 第1版・発行 YYYY-MM-DD（1日前）, no warning while fresh.
    assert!(
        status.summary.starts_with("第1版・発行 ") && status.summary.ends_with("（1日前）"),
        "{}",
        status.summary
    );
    assert_eq!(status.stale_notice, None);
    // Stale past a limit shorter than its age, with the core's warning naming the update.
    let stale = desk.trust_status(Some(0)).unwrap().unwrap();
    assert!(stale.stale);
    assert_eq!(stale.summary, status.summary);
    let notice = stale.stale_notice.unwrap();
    // The app updates from its own screen: no CLI command in its words.
    assert_eq!(
        notice,
        "信頼リストが古くなっています。信頼リストを更新してください。"
    );

    // Another root is refused, never re-pinned; the list in force is unchanged.
    let foreign_root = {
        use p256::ecdsa::SigningKey;
        let k = SigningKey::from_slice(&[7u8; 32]).unwrap();
        k.verifying_key().to_encoded_point(true).as_bytes().to_vec()
    };
    assert!(matches!(
        desk.import_trust_list(issuer.trust_list.clone(), Some(foreign_root)),
        Err(ShikakuError::TrustList { .. })
    ));
    assert_eq!(desk.trust_status(None).unwrap().unwrap().version, 1);
}

#[test]
fn trust_list_update_over_the_platform_http_transport() {
    let dir = tempfile::tempdir().unwrap();
    let desk = desk(dir.path());
    let issuer = issuer();
    let server = Arc::new(TrustServer {
        body: issuer.trust_list.clone(),
        asked: Mutex::new(vec![]),
    });
    let settings = TrustUpdateSettings {
        server_url: "http://127.0.0.1:9".into(),
        root_key: Some(issuer.root_key.clone()),
        timeout_ms: 1000,
        allow_insecure_loopback: false,
        tls_pins: vec![],
    };
    // Plain http only when asked for, in development.
    assert!(matches!(
        desk.update_trust_list(server.clone(), settings.clone()),
        Err(ShikakuError::InvalidInput { .. })
    ));
    assert!(server.asked.lock().unwrap().is_empty());
    let settings = TrustUpdateSettings {
        allow_insecure_loopback: true,
        ..settings
    };
    assert_eq!(desk.update_trust_list(server.clone(), settings).unwrap(), 1);
    assert_eq!(
        *server.asked.lock().unwrap(),
        vec!["http://127.0.0.1:9/v1/trust-list".to_string()]
    );
    let r = desk.verify(payload(&issuer), None).unwrap();
    assert_eq!(r.verdict, DeskVerdict::Confirmed);
}

#[test]
fn a_desk_visit_from_scan_to_export() {
    let dir = tempfile::tempdir().unwrap();
    let desk = desk(dir.path());
    let issuer = issuer();
    desk.import_trust_list(issuer.trust_list.clone(), Some(issuer.root_key.clone()))
        .unwrap();

    // A genuine presentation: 確認済み, with the fields as signed.
    let good = desk.verify(payload(&issuer), Some(30)).unwrap();
    assert_eq!(good.verdict, DeskVerdict::Confirmed);
    assert_eq!(good.verdict_label, "確認済み");
    assert_eq!(good.reason, None);
    assert_eq!(good.elderly_note, None, "no 高齢受給者 block");
    assert_eq!(good.format, Some(2));
    assert_eq!(good.key_id.as_deref(), Some("ffi-test-issuer"));
    assert_eq!(good.document_age_days, Some(2));
    assert_eq!(good.trust.as_ref().unwrap().version, 1);
    let claim = good.claim.clone().unwrap();
    assert_eq!(claim.insurer_number, "01130012");
    assert_eq!(claim.number, "42");
    assert_eq!(claim.branch.as_deref(), Some("00"));
    assert_eq!(claim.copay_percent, Some(30));
    assert_eq!(claim.name, "山田 太郎");
    // The 有効期間 and 高齢受給者 lines in the core's words (neither printed; no block).
    assert_eq!(claim.validity_label, "記載なし");
    assert_eq!(claim.elderly_label, "なし");
    // The document is fine, but it is a マイナポータル screen: not 確認済み without its card.
    assert_eq!(good.outcome.acceptance, DeskAcceptance::CardRequired);
    assert_eq!(good.outcome.label, "カード確認が必要");
    assert_eq!(good.outcome.tone, DeskTone::Amber);
    assert_eq!(good.outcome.document_kind, Some(DocumentKind::Portal));
    assert_eq!(good.outcome.card, DeskCardState::NotChecked);
    assert!(good.outcome.holder_bound);
    // Recordable only with the 券面 compared by eye (no reader: spec §1 (2)) or a card check.
    assert!(good.outcome.can_record && good.outcome.needs_face_statement);
    assert!(good.outcome.basis.contains("写し"), "{:?}", good.outcome);
    assert!(good.outcome.action.is_some());

    // One character changed: no fields, and neither a card check nor a record.
    let genuine = payload(&issuer);
    let at = genuine.len() / 2;
    let altered_char = if &genuine[at..=at] == "A" { "B" } else { "A" };
    let altered = format!("{}{}{}", &genuine[..at], altered_char, &genuine[at + 1..]);
    let bad = desk.verify(altered, None).unwrap();
    assert!(matches!(
        bad.verdict,
        DeskVerdict::BadSignature | DeskVerdict::Malformed
    ));
    assert!(bad.reason.is_some());
    assert_no_document_fields(&bad);
    assert_eq!(bad.outcome.acceptance, DeskAcceptance::DocumentNotConfirmed);
    assert_eq!(bad.outcome.tone, DeskTone::Red);
    assert_eq!(bad.outcome.label, bad.verdict_label);
    let taro = virtual_card(TARO.into()).unwrap();
    assert!(matches!(
        desk.record(bad.verification_id, true, "受付 佐藤".into(), Vec::new()),
        Err(ShikakuError::NotRecordable)
    ));
    let apdus = taro.apdu_count();
    assert!(matches!(
        desk.check_card(
            bad.verification_id,
            Arc::new(Card(taro.clone())),
            None,
            anchors()
        ),
        Err(ShikakuError::NotRecordable)
    ));
    assert_eq!(taro.apdu_count(), apdus);
    assert!(matches!(
        desk.verify("not a qr code".into(), None).unwrap().verdict,
        DeskVerdict::Malformed
    ));

    // Another person's card: refused before any PIN is sent.
    let hanako = virtual_card(HANAKO.into()).unwrap();
    let tries = hanako.auth_retries_left();
    assert!(matches!(
        desk.check_card(
            good.verification_id,
            Arc::new(Card(hanako.clone())),
            Some(b"1234".to_vec()),
            anchors()
        ),
        Err(ShikakuError::CardMismatch)
    ));
    assert_eq!(hanako.auth_retries_left(), tries);
    // The outcome is a refusal (red), with or without 目視, and the visit is not recorded.
    for face in [false, true] {
        let refused = desk.outcome(good.verification_id, face).unwrap();
        assert_eq!(refused.acceptance, DeskAcceptance::CardMismatch);
        assert_eq!(refused.label, "別人のカード（受付不可）");
        assert_eq!(refused.tone, DeskTone::Red);
        assert!(!refused.can_record);
        assert!(matches!(
            desk.record(good.verification_id, face, "受付 佐藤".into(), Vec::new()),
            Err(ShikakuError::CardMismatch)
        ));
    }

    // The right card without a PIN, then a wrong PIN, then the PIN (as bytes).
    let no_pin = desk
        .check_card(
            good.verification_id,
            Arc::new(Card(taro.clone())),
            None,
            anchors(),
        )
        .unwrap();
    assert!(!no_pin.pin_verified);
    assert_eq!(no_pin.label, "この資格情報に結び付いたカード（PIN未確認）");
    // The card's own match ends the refusal; 確認済み once the photo is compared.
    assert_eq!(no_pin.outcome.acceptance, DeskAcceptance::CardRequired);
    assert_eq!(no_pin.outcome.card, DeskCardState::Matched);
    assert!(no_pin.outcome.needs_face_statement && no_pin.outcome.can_record);
    let compared = desk.outcome(good.verification_id, true).unwrap();
    assert_eq!(compared.acceptance, DeskAcceptance::Accepted);
    assert_eq!(compared.tone, DeskTone::Green);
    assert_eq!(
        compared.confirmation_label,
        "署名付き資格情報＋カード（目視）"
    );
    assert_eq!(no_pin.key_fingerprint, taro.key_fingerprint());
    assert!(matches!(
        desk.check_card(
            good.verification_id,
            Arc::new(Card(taro.clone())),
            Some(b"9999".to_vec()),
            anchors()
        ),
        Err(ShikakuError::WrongPin { .. })
    ));
    // Not J-LIS: without the test anchor the card is refused.
    assert!(matches!(
        desk.check_card(
            good.verification_id,
            Arc::new(Card(taro.clone())),
            Some(b"1234".to_vec()),
            DeskCardOptions::default()
        ),
        Err(ShikakuError::Card { .. })
    ));
    let with_pin = desk
        .check_card(
            good.verification_id,
            Arc::new(Card(taro.clone())),
            Some(b"1234".to_vec()),
            anchors(),
        )
        .unwrap();
    assert!(with_pin.pin_verified);
    assert_eq!(with_pin.label, "本人確認済み（PIN）");
    assert_eq!(with_pin.outcome.acceptance, DeskAcceptance::Accepted);
    assert_eq!(with_pin.outcome.label, "確認済み");

    // Recorded once, with the PIN check; the id is then spent.
    assert!(matches!(
        desk.record(good.verification_id, false, "=cmd".into(), Vec::new()),
        Err(ShikakuError::InvalidInput { .. })
    ));
    assert_eq!(
        desk.record(good.verification_id, false, "受付 佐藤".into(), Vec::new())
            .unwrap(),
        1
    );
    assert!(matches!(
        desk.record(good.verification_id, false, "受付 佐藤".into(), Vec::new()),
        Err(ShikakuError::Store {
            not_found: true,
            ..
        })
    ));
    assert!(matches!(
        desk.record(987_654, false, "受付 佐藤".into(), Vec::new()),
        Err(ShikakuError::Store {
            not_found: true,
            ..
        })
    ));

    // A 申立: validated field by field, always 申立・未検証.
    let declared = DeclarationInput {
        name: "山田 花子".into(),
        birth_date: "1987-09-03".into(),
        insurer_name: "全国健康保険協会".into(),
        insurer_number: Some("01130013".into()),
        sex: Some(Sex::Female),
        relationship: Some(Relationship::Dependent),
        ..DeclarationInput::default()
    };
    match desk.declare(declared.clone(), "受付 佐藤".into()) {
        Err(ShikakuError::InvalidInput { problems, .. }) => {
            assert_eq!(problems.len(), 1);
            assert_eq!(problems[0].field, "insurer_number");
        }
        other => panic!("expected a check-digit refusal, got {other:?}"),
    }
    let declared = DeclarationInput {
        insurer_number: Some("01130012".into()),
        ..declared
    };
    // The cashier's line is the core's: the law's 3割 for a 39-year-old who stated no share,
    // 10割 only as the last resort; a stated share is the one to collect.
    let line = desk.declaration_cashier_line(declared.clone()).unwrap();
    assert!(
        line.starts_with("窓口負担: 3割を受け取ってください"),
        "{line}"
    );
    assert!(line.contains("最後の手段"), "{line}");
    let stated = DeclarationInput {
        copay_percent: Some(30),
        ..declared.clone()
    };
    let line = desk.declaration_cashier_line(stated).unwrap();
    assert!(
        line.starts_with("窓口負担: 申告の3割を受け取ってください"),
        "{line}"
    );
    assert!(matches!(
        desk.declaration_cashier_line(DeclarationInput {
            sex: None,
            ..declared.clone()
        }),
        Err(ShikakuError::InvalidInput { .. })
    ));
    // No 番号 declared: nothing to look the patient up by.
    assert_eq!(
        desk.same_day_visit_of_declaration(declared.clone())
            .unwrap(),
        None
    );
    // With the 公費 受給者証 shown beside it: a bad one is named with the form's fields.
    let with_public = |payer: &str| DeclarationInput {
        public_expenses: vec![DeskPublicExpenseInput {
            payer_number: payer.into(),
            recipient_number: Some("1234567".into()),
            ..DeskPublicExpenseInput::default()
        }],
        ..declared.clone()
    };
    match desk.declare(with_public("88131017"), "受付 佐藤".into()) {
        Err(ShikakuError::InvalidInput { problems, .. }) => {
            assert_eq!(problems.len(), 1);
            // The 公費 block's key and label; the reason says which 公費.
            assert_eq!(problems[0].field, "public_expense.payer_number");
            assert_eq!(problems[0].label, "公費負担者番号");
            assert!(
                problems[0].reason.starts_with("first 公費: "),
                "{problems:?}"
            );
        }
        other => panic!("expected a check-digit refusal, got {other:?}"),
    }
    assert_eq!(
        desk.declare(with_public("88131016"), "受付 佐藤".into())
            .unwrap(),
        2
    );

    let today = good.checked_on.clone();
    let listed = desk.visits(today.clone(), today.clone()).unwrap();
    assert!(listed.corrupt_positions.is_empty());
    // The listing is the checked one (the chain verified, as for the exports).
    assert!(listed.complete);
    assert_eq!(listed.notice, None);
    assert_eq!(listed.visits.len(), 2);
    let (visit, declaration) = (&listed.visits[0], &listed.visits[1]);
    assert_eq!(visit.position, 1);
    assert!(visit.verified);
    assert_eq!(visit.status_label, "確認済み");
    assert_eq!(visit.confirmation_label, "署名付き資格情報＋カード（PIN）");
    assert_eq!(visit.visit_date, today);
    assert_eq!(
        visit.cells.len(),
        shikaku_ffi::clinic::clinic_csv_columns().len()
    );
    assert_eq!(visit.cells[4], "PIN");
    assert_eq!(visit.cells[9], "山田 太郎");
    assert!(!declaration.verified);
    assert_eq!(declaration.status_label, "申立・未検証");
    // Its 公費 in the listing's cells, under their columns, marked seen and unverified.
    let columns = shikaku_ffi::clinic::clinic_csv_columns();
    let cell =
        |name: &str| declaration.cells[columns.iter().position(|c| c == name).unwrap()].clone();
    assert_eq!(cell("第一公費負担者番号"), "88131016");
    assert_eq!(cell("第一公費受給者番号"), "1234567");
    assert_eq!(cell("公費確認"), "受給者証目視・未検証");
    assert_eq!(
        visit.cells[columns.iter().position(|c| c == "公費確認").unwrap()],
        ""
    );
    assert!(matches!(
        desk.visits(today.clone(), "2000-01-01".into()),
        Err(ShikakuError::InvalidInput { .. })
    ));
    assert!(matches!(
        desk.visits("yesterday".into(), today.clone()),
        Err(ShikakuError::InvalidInput { .. })
    ));

    let csv = desk.export_csv(today.clone(), today.clone()).unwrap();
    assert!(csv.starts_with("\u{feff}受診日,"));
    let lines: Vec<&str> = csv.split("\r\n").collect();
    assert_eq!(lines.len(), 4, "header, two rows, and the final CRLF");
    assert!(lines[1].contains("山田 太郎"));
    assert!(lines[1].contains("署名付き資格情報＋カード（PIN）"));
    assert!(lines[2].contains("申立・未検証"));
    assert!(lines[1].contains(",01130012,"), "as printed for an import");
    let sheet = desk
        .export_spreadsheet_csv(today.clone(), today.clone())
        .unwrap();
    assert!(sheet.contains(",\"=\"\"01130012\"\"\","), "{sheet}");
    assert!(sheet.contains(",\"=\"\"00\"\"\","), "{sheet}");
    assert_eq!(sheet.split("\r\n").count(), 4);
    let json: serde_json::Value =
        serde_json::from_str(&desk.export_json(today.clone(), today.clone()).unwrap()).unwrap();
    assert_eq!(json["entries"].as_array().unwrap().len(), 2);
    assert_eq!(json["complete"], true);
    let fhir: serde_json::Value =
        serde_json::from_str(&desk.export_fhir(today.clone(), today.clone()).unwrap()).unwrap();
    let coverages = fhir["entry"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["resource"]["resourceType"] == "Coverage")
        .count();
    assert_eq!(coverages, 3, "the two insurances and the 公費");

    match desk.verify_log().unwrap() {
        LogStatus::Intact { entries, head } => {
            assert_eq!(entries, 2);
            assert_eq!(head.len(), 64);
        }
        broken => panic!("the log should be intact: {broken:?}"),
    }

    // The same directory with another key: refused, nothing changed.
    drop(desk);
    assert!(matches!(
        ClinicDesk::open(
            dir.path().join("desk").display().to_string(),
            Arc::new(XorKeys(0x33))
        ),
        Err(ShikakuError::Key {
            wrong_key: true,
            ..
        })
    ));
}

/// The test issuer's first document with its 有効開始日 on `from`, as a signed presentation bound
/// to no card (the issuer key is derived from its seed, as `test_issuer` does).
fn presentation_starting(issuer: &TestIssuer, from: chrono::NaiveDate) -> String {
    use sha2::Digest as _;
    use shikaku_core::document::{
        IssuerKey, SigningKey, TrustList, presentation_of, sign_presentation, to_qr_payload,
        verify_document,
    };
    let key = SigningKey::from_slice(&sha2::Sha256::digest(b"shikaku-ffi test issuer")).unwrap();
    let now = chrono::Utc::now();
    let trust = TrustList {
        version: 1,
        issued_at: now,
        keys: vec![IssuerKey {
            kid: "ffi-test-issuer".into(),
            public_key: key
                .verifying_key()
                .to_encoded_point(false)
                .as_bytes()
                .to_vec(),
            not_before: now - chrono::Duration::days(1),
            not_after: now + chrono::Duration::days(1),
            insurers: vec![shikaku_core::eligibility::InsurerNumber::parse("01130012").unwrap()],
        }],
    };
    let mut doc = verify_document(&issuer.documents[0], &trust, now)
        .unwrap()
        .document;
    doc.record.valid_from = Some(from);
    // Not bound to a card: this test checks no card.
    doc.holder_binding = None;
    let p = presentation_of(&doc, [1; 16], None).unwrap();
    to_qr_payload(&sign_presentation(&p, &key, "ffi-test-issuer").unwrap())
}

#[test]
fn an_eligibility_that_starts_tomorrow_is_not_yet_valid_and_never_recorded_as_confirmed() {
    let dir = tempfile::tempdir().unwrap();
    let desk = desk(dir.path());
    let issuer = issuer();
    desk.import_trust_list(issuer.trust_list.clone(), Some(issuer.root_key.clone()))
        .unwrap();
    let today = shikaku_core::clock::japan_today(chrono::Utc::now());
    let tomorrow = today.succ_opt().unwrap();
    let r = desk
        .verify(presentation_starting(&issuer, tomorrow), None)
        .unwrap();
    assert_eq!(r.verdict, DeskVerdict::NotYetValid);
    assert_eq!(r.verdict_label, "有効期間前（資格）");
    assert_eq!(
        r.reason,
        Some("資格の有効開始日より前です（有効期間の開始日から使えます）。".to_string())
    );
    let claim = r.claim.clone().unwrap();
    assert_eq!(
        claim.valid_from,
        Some(tomorrow.format("%Y-%m-%d").to_string())
    );
    // Recorded with its own verdict, as the core allows for an authentic document.
    assert_eq!(
        desk.record(r.verification_id, false, "受付 佐藤".into(), Vec::new())
            .unwrap(),
        1
    );
    let day = r.checked_on.clone();
    let visits = desk.visits(day.clone(), day.clone()).unwrap().visits;
    assert_eq!(visits[0].status_label, "有効期間前（資格）");
    let json: serde_json::Value =
        serde_json::from_str(&desk.export_json(day.clone(), day).unwrap()).unwrap();
    assert_eq!(json["entries"][0]["verdict"], "not_yet_valid");
    // Starting today: 確認済み.
    let r = desk
        .verify(presentation_starting(&issuer, today), None)
        .unwrap();
    assert_eq!(r.verdict, DeskVerdict::Confirmed);
}

#[test]
fn a_wrong_pin_after_a_good_check_without_pin_leaves_no_card_check_to_record() {
    let dir = tempfile::tempdir().unwrap();
    let desk = desk(dir.path());
    let issuer = issuer();
    desk.import_trust_list(issuer.trust_list.clone(), Some(issuer.root_key.clone()))
        .unwrap();
    let taro = virtual_card(TARO.into()).unwrap();
    let check = |id: u64, pin: Option<&[u8]>| {
        desk.check_card(
            id,
            Arc::new(Card(taro.clone())),
            pin.map(<[u8]>::to_vec),
            anchors(),
        )
    };

    // The bound card without a PIN, then a wrong PIN: the core's rule clears the first check,
    // so the visit cannot be recorded as 目視 (the page decides the same): without the
    // statement it is not recorded; with it, only as 券面目視 (the card seen, no reader check).
    let first = desk.verify(payload(&issuer), None).unwrap();
    assert!(!check(first.verification_id, None).unwrap().pin_verified);
    assert!(matches!(
        check(first.verification_id, Some(b"9999")),
        Err(ShikakuError::WrongPin { .. })
    ));
    let after = desk.outcome(first.verification_id, false).unwrap();
    assert_eq!(after.card, DeskCardState::NotChecked);
    assert_eq!(after.acceptance, DeskAcceptance::CardRequired);
    assert!(matches!(
        desk.record(first.verification_id, false, "受付 佐藤".into(), Vec::new()),
        Err(ShikakuError::InvalidInput { .. })
    ));
    assert_eq!(
        desk.outcome(first.verification_id, true).unwrap().card,
        DeskCardState::Seen
    );
    // A PIN that is not four digits is a failed check too: nothing sent, nothing kept.
    let second = desk.verify(payload(&issuer), None).unwrap();
    check(second.verification_id, None).unwrap();
    let tries = taro.auth_retries_left();
    assert!(check(second.verification_id, Some(b"12a4")).is_err());
    assert_eq!(taro.auth_retries_left(), tries);
    assert!(matches!(
        desk.record(
            second.verification_id,
            false,
            "受付 佐藤".into(),
            Vec::new()
        ),
        Err(ShikakuError::InvalidInput { .. })
    ));
    // With the 券面 compared: 券面目視, never the reader's 目視.
    assert_eq!(
        desk.record(second.verification_id, true, "受付 佐藤".into(), Vec::new())
            .unwrap(),
        1
    );
    // A new check without a PIN after the failure: 目視 again.
    let third = desk.verify(payload(&issuer), None).unwrap();
    assert!(check(third.verification_id, Some(b"9999")).is_err());
    check(third.verification_id, None).unwrap();
    assert_eq!(
        desk.record(third.verification_id, true, "受付 佐藤".into(), Vec::new())
            .unwrap(),
        2
    );

    let today = first.checked_on.clone();
    let visits = desk.visits(today.clone(), today).unwrap().visits;
    let cards: Vec<(&str, &str)> = visits
        .iter()
        .map(|v| (v.status_label.as_str(), v.cells[4].as_str()))
        .collect();
    assert_eq!(
        cards,
        [
            ("確認済み", "券面目視（カード未照合）"),
            ("確認済み", "目視（PIN未確認）")
        ]
    );
}

#[test]
fn a_patient_already_recorded_today_is_a_notice_before_recording() {
    let dir = tempfile::tempdir().unwrap();
    let desk = desk(dir.path());
    let issuer = issuer();
    desk.import_trust_list(issuer.trust_list.clone(), Some(issuer.root_key.clone()))
        .unwrap();
    let taro = virtual_card(TARO.into()).unwrap();
    let visit = || {
        let v = desk.verify(payload(&issuer), None).unwrap();
        desk.check_card(
            v.verification_id,
            Arc::new(Card(taro.clone())),
            None,
            anchors(),
        )
        .unwrap();
        v.verification_id
    };
    let first = visit();
    assert_eq!(desk.same_day_visit(first).unwrap(), None);
    assert_eq!(
        desk.record(first, true, "受付 佐藤".into(), Vec::new())
            .unwrap(),
        1
    );
    // The same patient again: a notice naming the earlier entry; recorded all the same.
    let second = visit();
    let same = desk.same_day_visit(second).unwrap().unwrap();
    assert_eq!(
        (same.position, same.verified, same.confirm_same_person),
        (1, true, false)
    );
    assert!(
        same.notice
            .starts_with("この方は本日すでに受付の記録があります（記録番号 1、"),
        "{}",
        same.notice
    );
    assert!(!same.notice.contains("山田"), "{}", same.notice);
    assert_eq!(
        desk.record(second, true, "受付 佐藤".into(), Vec::new())
            .unwrap(),
        2
    );
    // An unknown (or spent) verification id: not found.
    assert!(matches!(
        desk.same_day_visit(second),
        Err(ShikakuError::Store {
            not_found: true,
            ..
        })
    ));
}

#[test]
fn a_declaration_names_the_operator_with_every_failing_field_at_once() {
    let dir = tempfile::tempdir().unwrap();
    let desk = desk(dir.path());
    let bad = DeclarationInput {
        name: "山田 花子".into(),
        birth_date: "2999-01-01".into(),
        insurer_name: "全国健康保険協会".into(),
        branch: Some("1".into()),
        ..DeclarationInput::default()
    };
    match desk.declare(bad, "=cmd".into()) {
        Err(ShikakuError::InvalidInput { problems, detail }) => {
            let fields: Vec<&str> = problems.iter().map(|p| p.field.as_str()).collect();
            // 性別 and 本人・家族の別 are required (claim fields): named too.
            assert_eq!(
                fields,
                ["operator", "branch", "birth_date", "sex", "relationship"],
                "{detail}"
            );
            assert_eq!(problems[0].label, "受付者");
            assert!(
                !detail.contains("2999") && !detail.contains("cmd"),
                "{detail}"
            );
        }
        other => panic!("expected every failing field, got {other:?}"),
    }
    // Nothing recorded.
    assert!(matches!(
        desk.verify_log().unwrap(),
        LogStatus::Intact { entries: 0, .. }
    ));
    // The operator's refusal in the core's words, before recording and after.
    let ja = "受付者名の先頭に =、+、-、@ は使えません（表計算ソフトが数式として実行するため）。";
    assert_eq!(clinic_operator_refusal("=cmd".into()).as_deref(), Some(ja));
    assert_eq!(
        clinic_operator_refusal(String::new()).as_deref(),
        Some("受付者名を入力してください。")
    );
    assert_eq!(clinic_operator_refusal("受付 佐藤".into()), None);
}
