//! The FFI's `Household::check_card` against the virtual card: the PIN as bytes, consent per
//! PIN, and a 券面事項入力補助AP failure returned beside the good check, which is stored.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use std::sync::Arc;

use shikaku_ffi::{
    BasicInfoOutcome, CardCheckOptions, CardTransport, Household, KeyStore, KeyStoreError,
    MemberInput, PinState, ShikakuError, TransportError, VirtualCardHandle, card_status,
    virtual_card, virtual_card_test_ca,
};

struct XorKeys;

impl KeyStore for XorKeys {
    fn wrap(&self, key: Vec<u8>) -> Result<Vec<u8>, KeyStoreError> {
        Ok(key.iter().map(|b| b ^ 0x5a).collect())
    }
    fn unwrap(&self, blob: Vec<u8>) -> Result<Vec<u8>, KeyStoreError> {
        Ok(blob.iter().map(|b| b ^ 0x5a).collect())
    }
}

/// Forwards to the virtual card; the flag is what it reports as `extended_length` (as
/// Android's IsoDep does when the phone carries extended APDUs, and iOS always).
///
/// The library remembers a failed extended read for the rest of the process, so only
/// `extended_length_through_the_ffi_its_fallback_and_its_memory` reports `true`: another test
/// running beside it would see short reads after its fallback.
struct Card(Arc<VirtualCardHandle>, bool);

impl CardTransport for Card {
    fn transceive(&self, apdu: Vec<u8>) -> Result<Vec<u8>, TransportError> {
        self.0.transceive(apdu)
    }
    fn extended_length(&self) -> bool {
        self.1
    }
}

const TARO: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../examples/vcard-yamada-taro.toml"
);

/// 山田 太郎's card with `text_pin` in place of the profile's (`1234`, as the auth PIN).
fn taro_with_text_pin(dir: &std::path::Path, text_pin: &str) -> Arc<VirtualCardHandle> {
    let profile = std::fs::read_to_string(TARO).unwrap();
    assert!(profile.contains("text_pin = \"1234\""));
    let path = dir.join("taro.toml");
    std::fs::write(
        &path,
        profile.replace("text_pin = \"1234\"", &format!("text_pin = \"{text_pin}\"")),
    )
    .unwrap();
    virtual_card(path.display().to_string()).unwrap()
}

fn household(dir: &std::path::Path) -> (Arc<Household>, String) {
    let household =
        Household::open(dir.join("h.db").display().to_string(), Arc::new(XorKeys)).unwrap();
    let member = household
        .add_member(MemberInput {
            name: "山田 太郎".into(),
            kana: "ヤマダ タロウ".into(),
            birth_date: "1985-04-12".into(),
            sex: shikaku_core::eligibility::Sex::Male,
            relationship: shikaku_core::eligibility::Relationship::Insured,
            myna_hoken: None,
            card_expires_on: None,
        })
        .unwrap();
    (household, member)
}

fn options() -> CardCheckOptions {
    CardCheckOptions {
        read_basic_info: Some(true),
        extra_anchors: vec![virtual_card_test_ca().unwrap()],
        ..CardCheckOptions::default()
    }
}

#[test]
fn a_wrong_text_pin_comes_back_beside_the_stored_check() {
    let dir = tempfile::tempdir().unwrap();
    let (household, member) = household(dir.path());
    let card = taro_with_text_pin(dir.path(), "5678");
    assert!(
        household
            .screen(member.clone())
            .unwrap()
            .card
            .checked_at
            .is_none()
    );
    // The member's check with PIN 1234 (the card's text PIN is 5678).
    let check = || {
        household
            .check_card(
                member.clone(),
                Arc::new(Card(card.clone(), false)),
                b"1234".to_vec(),
                options(),
            )
            .unwrap()
    };
    let result = check();
    assert_eq!(
        result.basic_info,
        BasicInfoOutcome::WrongPin { tries_left: 2 }
    );
    assert_eq!(result.matched, None);
    // What to tell the holder is the core's: the card was checked, the text PIN was wrong.
    assert_eq!(
        result.basic_info_message_ja.as_deref(),
        Some(
            "カードの確認はできましたが、基本4情報は読み取れませんでした。\
             券面事項入力補助用の暗証番号が違います（残り2回）。"
        )
    );
    assert_eq!(result.key_fingerprint, card.key_fingerprint());
    assert_eq!(card.text_retries_left(), 2, "exactly one text-AP try spent");
    assert_eq!(card.auth_retries_left(), 3);
    // Checked again: the text PIN lost a try to this PIN, so nothing is sent to it without
    // consent, and the holder is told why.
    let again = check();
    assert_eq!(
        again.basic_info,
        BasicInfoOutcome::TriesLost { tries_left: 2 }
    );
    let told = again.basic_info_message_ja.unwrap_or_default();
    assert!(
        told.contains("残り2回") && told.contains("送っていません"),
        "{told}"
    );
    assert_eq!(
        card.text_retries_left(),
        2,
        "no try spent by the second check"
    );
    // Stored: the screen shows the check (genuine card, not linked to the member, since the
    // 基本4情報 were not compared).
    let badge = household.screen(member).unwrap().card;
    assert!(badge.checked_at.is_some());
    assert_eq!(
        badge.label,
        "テスト用証明書で照合（本番の照合ではありません）"
    );
}

#[test]
fn consent_for_the_auth_pin_does_not_spend_the_text_pins_last_try() {
    let dir = tempfile::tempdir().unwrap();
    let (household, member) = household(dir.path());
    let card = taro_with_text_pin(dir.path(), "1234");
    card.set_auth_retries_left(1);
    card.set_text_retries_left(1);
    let auth_only = CardCheckOptions {
        allow_last_auth_attempt: true,
        ..options()
    };
    let result = household
        .check_card(
            member.clone(),
            Arc::new(Card(card.clone(), false)),
            b"1234".to_vec(),
            auth_only,
        )
        .unwrap();
    assert_eq!(result.basic_info, BasicInfoOutcome::NeedsConsent);
    let words = result.basic_info_message_ja.unwrap();
    assert!(
        words.contains("券面事項入力補助用の暗証番号の残り回数が1回")
            && words.contains("送っていません"),
        "{words}"
    );
    assert_eq!(card.text_retries_left(), 1);
    // Consent for the text PIN alone: the auth PIN at its last try stops the check before any
    // PIN is sent.
    card.set_auth_retries_left(1);
    let text_only = CardCheckOptions {
        allow_last_text_attempt: true,
        ..options()
    };
    let err = household
        .check_card(
            member.clone(),
            Arc::new(Card(card.clone(), false)),
            b"1234".to_vec(),
            text_only.clone(),
        )
        .unwrap_err();
    // With the core's words for the card holder (CardError::message_ja): nothing was sent.
    assert!(
        matches!(&err, ShikakuError::LastAttemptNeedsConsent { message_ja }
            if message_ja.contains("残り回数が1回") && message_ja.contains("送っていません")),
        "{err:?}"
    );
    assert_eq!((card.auth_retries_left(), card.text_retries_left()), (1, 1));
    card.set_auth_retries_left(3);
    let result = household
        .check_card(
            member,
            Arc::new(Card(card.clone(), false)),
            b"1234".to_vec(),
            text_only,
        )
        .unwrap();
    assert_eq!(result.basic_info, BasicInfoOutcome::Read);
    assert_eq!(result.basic_info_message_ja, None);
    assert!(result.matched.is_some());
    assert_eq!(card.text_retries_left(), 3);
}

#[test]
fn a_pin_counter_read_again_comes_with_the_cores_words_for_the_holder() {
    let dir = tempfile::tempdir().unwrap();
    let card = taro_with_text_pin(dir.path(), "1234");
    let auth_pin = |tries: u8| {
        card.set_auth_retries_left(tries);
        card_status(Arc::new(Card(card.clone(), false)))
            .unwrap()
            .auth_pin
    };
    let two = auth_pin(2);
    assert_eq!(two, PinState::Remaining { tries: 2 });
    assert_eq!(
        two.reread_message_ja(),
        "暗証番号の残り回数を読み直しました（残り2回、暗証番号は再送していません）。\
         暗証番号をもう一度入力してください。"
    );
    // The last try: a wrong PIN blocks it, so it is sent only with consent.
    let last = auth_pin(1).reread_message_ja();
    assert!(
        last.contains("残り1回") && last.contains("ロック") && last.contains("了承"),
        "{last}"
    );
    // Blocked: only the municipal office, and no PIN asked for.
    let blocked = auth_pin(0);
    assert_eq!(blocked, PinState::Blocked);
    assert_eq!(
        blocked.reread_message_ja(),
        "暗証番号の残り回数を読み直しました。\
         暗証番号がロックされています。お住まいの市区町村の窓口で初期化してください。"
    );
    // Not reported: the PIN may be typed again; the counter is read before it is sent.
    let unknown = PinState::AlreadyVerified.reread_message_ja();
    assert!(
        unknown.contains("送る前に、カードで残り回数を確かめます"),
        "{unknown}"
    );
    assert_eq!(card.auth_retries_left(), 0, "no try spent by reading");
}

#[test]
fn a_member_check_reads_the_basic_info_unless_told_not_to() {
    let dir = tempfile::tempdir().unwrap();
    let (household, member) = household(dir.path());
    let card = taro_with_text_pin(dir.path(), "1234");
    let check = |read_basic_info| {
        let options = CardCheckOptions {
            read_basic_info,
            extra_anchors: vec![virtual_card_test_ca().unwrap()],
            ..CardCheckOptions::default()
        };
        household
            .check_card(
                member.clone(),
                Arc::new(Card(card.clone(), false)),
                b"1234".to_vec(),
                options,
            )
            .unwrap()
    };
    // The default is the core's (CheckOptions::for_member): read and compared.
    let result = check(None);
    assert_eq!(result.basic_info, BasicInfoOutcome::Read);
    assert!(result.matched.is_some());
    let result = check(Some(false));
    assert_eq!(result.basic_info, BasicInfoOutcome::NotRequested);
    assert_eq!(result.matched, None);
}

#[test]
fn pin_bytes_that_are_not_four_digits_send_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let (household, member) = household(dir.path());
    let card = taro_with_text_pin(dir.path(), "1234");
    for pin in [
        vec![],
        b"123".to_vec(),
        vec![0xFF, 0x31, 0x32, 0x33],
        "１２３４".into(),
    ] {
        let err = household
            .check_card(
                member.clone(),
                Arc::new(Card(card.clone(), false)),
                pin,
                options(),
            )
            .unwrap_err();
        assert!(
            matches!(err, ShikakuError::PinUnusable { blocked: false, .. }),
            "{err:?}"
        );
    }
    assert_eq!(card.apdu_count(), 0);
}

#[test]
fn extended_length_through_the_ffi_its_fallback_and_its_memory() {
    let dir = tempfile::tempdir().unwrap();
    let (household, member) = household(dir.path());
    let check = |card: &Arc<VirtualCardHandle>, transport: Arc<dyn CardTransport>| {
        let before = card.apdu_count();
        let result = household
            .check_card(member.clone(), transport, b"1234".to_vec(), options())
            .unwrap();
        assert_eq!(result.key_fingerprint, card.key_fingerprint());
        (card.apdu_count() - before, result.retries_before)
    };
    let card = virtual_card(TARO.into()).unwrap();
    let (short, _) = check(&card, Arc::new(Card(card.clone(), false)));
    assert_eq!(card.extended_apdu_count(), 0);
    // Extended: the certificate and the 基本4情報 in one READ each.
    let (extended, _) = check(&card, Arc::new(Card(card.clone(), true)));
    assert_eq!(card.extended_apdu_count(), 2);
    assert!(extended < short, "{extended} < {short}");
    // A card refusing them: one refused READ, then the short reads; the PINs untouched.
    let card = virtual_card(TARO.into()).unwrap();
    card.set_refuse_extended(true);
    card.set_auth_retries_left(2);
    let (fallback, before) = check(&card, Arc::new(Card(card.clone(), true)));
    assert_eq!(card.extended_apdu_count(), 1);
    assert_eq!(fallback, short + 1);
    // The counter read before the VERIFY still says 2: the refused READ spent nothing.
    assert_eq!(before, PinState::Remaining { tries: 2 });
    // The successful VERIFY reset the counter: exactly one VERIFY, and the right one.
    assert_eq!(card.auth_retries_left(), 3);
    assert_eq!(card.text_retries_left(), 3);

    // The failure is remembered beyond that check: the next one, on a new transport (a new
    // tap) that still reports extended support, is short from its first APDU, and the
    // status read before a PIN too.
    let (second, _) = check(&card, Arc::new(Card(card.clone(), true)));
    assert_eq!(
        card.extended_apdu_count(),
        1,
        "no extended APDU in the second check"
    );
    assert_eq!(second, short);
    let before = card.apdu_count();
    card_status(Arc::new(Card(card.clone(), true))).unwrap();
    assert_eq!(card.extended_apdu_count(), 1);
    assert!(card.apdu_count() > before);
    // For the rest of the app session, whatever card: the link (the phone) failed, and a
    // card that would take extended reads is read short at the cost of a few APDUs.
    let other = virtual_card(TARO.into()).unwrap();
    let (later, _) = check(&other, Arc::new(Card(other.clone(), true)));
    assert_eq!(other.extended_apdu_count(), 0);
    assert_eq!(later, short);
    assert_eq!(other.auth_retries_left(), 3);
}
