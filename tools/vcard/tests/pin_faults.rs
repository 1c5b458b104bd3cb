//! The core's PIN guard against the stateful virtual card, whose counters are real: a response
//! lost after the card processed the command, at every APDU index of a card check, never costs
//! more than one try per call, the next call reads the counter before any VERIFY, and a lost
//! but counted VERIFY that leaves one try ends in LastAttemptNeedsConsent, not a blind VERIFY.
//! The 券面事項入力補助AP PIN has its own counter and its own consent, and its failure is
//! reported beside the good authentication check.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use chrono::Utc;
use shikaku_core::card::{
    BasicInfoOutcome, CardError, CheckOptions, Pin, PinKind, SignatureStatus, TextApFailure,
    check_card, sign_challenge,
};
use shikaku_vcard::card::{Application, Fault, PinRef, Selection};
use shikaku_vcard::{Profile, VirtualCard, card_from_profile_path, test_ca_der};

const PROFILE: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../examples/vcard-yamada-taro.toml"
);

fn card() -> VirtualCard {
    card_from_profile_path(PROFILE).unwrap()
}

/// The same card with a 券面事項入力補助AP PIN (`5678`) other than its auth PIN (`1234`).
fn card_with_text_pin_5678() -> VirtualCard {
    let text = std::fs::read_to_string(PROFILE).unwrap();
    assert!(text.contains("text_pin = \"1234\""));
    let text = text.replace("text_pin = \"1234\"", "text_pin = \"5678\"");
    VirtualCard::new(Profile::from_toml_str(&text).unwrap()).unwrap()
}

/// The VERIFYs with a PIN the card received while its 券面事項入力補助AP was selected.
fn text_ap_verifies(card: &VirtualCard) -> usize {
    let mut in_text = false;
    let mut count = 0;
    for entry in card.log() {
        if let Some(Selection::Application(app)) = entry.selected {
            in_text = app == Application::Text;
        }
        if in_text && is_verify_with_pin(&entry.command) {
            count += 1;
        }
    }
    count
}

/// The PIN `digits`, checked, as the core's card paths take it.
fn checked(digits: &str) -> Pin {
    Pin::from_bytes(digits.as_bytes()).unwrap()
}

fn options() -> CheckOptions {
    CheckOptions {
        read_basic_info: true,
        extra_anchors: vec![test_ca_der().unwrap()],
        ..CheckOptions::default()
    }
}

fn is_verify_with_pin(apdu: &[u8]) -> bool {
    apdu.len() > 5 && apdu[..4] == [0x00, 0x20, 0x00, 0x80]
}

#[test]
fn a_lost_answer_at_any_index_costs_at_most_one_try() {
    // How many APDUs a full check (with the 基本4情報) takes, fault-free.
    let probe = card();
    check_card(&probe, &checked("9999"), options(), Utc::now()).unwrap_err();
    let n = probe.apdu_count();
    assert!(n >= 8, "a wrong-PIN check still sends its APDUs: {n}");
    for pin in ["9999", "1234"] {
        for i in 0..n + 2 {
            let c = card();
            c.inject_fault(i, Fault::lost_after_processing());
            let before = (
                c.retries_left(PinRef::AuthPin),
                c.retries_left(PinRef::TextPin),
            );
            let _ = check_card(&c, &checked(pin), options(), Utc::now());
            let after = (
                c.retries_left(PinRef::AuthPin),
                c.retries_left(PinRef::TextPin),
            );
            assert!(
                before.0 - after.0 <= 1 && before.1 - after.1 <= 1,
                "pin {pin} fault at {i}: {before:?} → {after:?}"
            );
            if pin == "1234" {
                assert_eq!(
                    after,
                    (3, 3),
                    "the right PIN never costs a try (fault at {i})"
                );
            }
            let verifies = c
                .log()
                .iter()
                .filter(|e| is_verify_with_pin(&e.command))
                .count();
            assert!(
                verifies <= 2,
                "at most one VERIFY per PIN (fault at {i}): {verifies}"
            );
            // The next call starts by reading the counter, before any VERIFY.
            c.clear_log();
            let _ = check_card(&c, &checked(pin), options(), Utc::now());
            let log = c.log();
            if let Some(first) = log.iter().position(|e| is_verify_with_pin(&e.command)) {
                assert!(
                    log[..first]
                        .iter()
                        .any(|e| e.command == [0x00, 0x20, 0x00, 0x80]),
                    "counter read before the VERIFY (fault at {i})"
                );
            }
        }
    }
}

#[test]
fn a_counted_but_lost_verify_leaving_one_try_needs_consent() {
    let wrong = checked("9999");
    let c = card();
    c.set_retries_left(PinRef::AuthPin, 2);
    // Find the VERIFY's index and lose its answer after the card counted it.
    let probe = card();
    probe.set_retries_left(PinRef::AuthPin, 2);
    let _ = sign_challenge(&probe, &wrong, b"challenge-challenge-1234", false);
    let verify_at = probe
        .log()
        .iter()
        .position(|e| is_verify_with_pin(&e.command))
        .unwrap();
    c.inject_fault(verify_at, Fault::lost_after_processing());
    let err = sign_challenge(&c, &wrong, b"challenge-challenge-1234", false).unwrap_err();
    assert!(err.verify_in_flight(), "{err:?}");
    assert_eq!(
        c.retries_left(PinRef::AuthPin),
        1,
        "the card counted the lost VERIFY"
    );
    let log_len = c.log().len();
    let err = sign_challenge(&c, &wrong, b"challenge-challenge-1234", false).unwrap_err();
    assert_eq!(
        err,
        CardError::LastAttemptNeedsConsent {
            pin: PinKind::JpkiAuth
        }
    );
    assert!(
        !c.log()[log_len..]
            .iter()
            .any(|e| is_verify_with_pin(&e.command)),
        "no blind VERIFY"
    );
    assert_eq!(c.retries_left(PinRef::AuthPin), 1);
}

#[test]
fn consent_for_the_auth_pin_never_spends_the_text_pins_last_try() {
    let c = card();
    c.set_retries_left(PinRef::AuthPin, 1);
    c.set_retries_left(PinRef::TextPin, 1);
    let auth_only = CheckOptions {
        allow_last_auth_attempt: true,
        ..options()
    };
    let check = check_card(&c, &checked("1234"), auth_only, Utc::now()).unwrap();
    assert_eq!(check.signature, SignatureStatus::VerifiedFreshChallenge);
    assert_eq!(
        check.basic_info,
        BasicInfoOutcome::Failed(TextApFailure::NeedsConsent)
    );
    assert_eq!(text_ap_verifies(&c), 0, "no VERIFY to the text AP");
    assert_eq!(c.retries_left(PinRef::TextPin), 1);
    // The auth PIN's right VERIFY reset its counter.
    assert_eq!(c.retries_left(PinRef::AuthPin), 3);
    assert!(!c.my_number_selected());

    // Consent for the text PIN alone leaves the auth PIN's last try alone: nothing is sent.
    let c = card();
    c.set_retries_left(PinRef::AuthPin, 1);
    let text_only = CheckOptions {
        allow_last_text_attempt: true,
        ..options()
    };
    assert_eq!(
        check_card(&c, &checked("1234"), text_only.clone(), Utc::now()).unwrap_err(),
        CardError::LastAttemptNeedsConsent {
            pin: PinKind::JpkiAuth
        }
    );
    assert!(!c.log().iter().any(|e| is_verify_with_pin(&e.command)));

    // With its own consent the text PIN's last try is used (and the right PIN resets it).
    let c = card();
    c.set_retries_left(PinRef::TextPin, 1);
    let check = check_card(&c, &checked("1234"), text_only, Utc::now()).unwrap();
    assert!(check.basic_info.info().is_some());
    assert_eq!(text_ap_verifies(&c), 1);
    assert_eq!(c.retries_left(PinRef::TextPin), 3);
}

#[test]
fn a_wrong_text_pin_is_reported_beside_the_good_check() {
    let c = card_with_text_pin_5678();
    let check = check_card(&c, &checked("1234"), options(), Utc::now()).unwrap();
    assert_eq!(check.signature, SignatureStatus::VerifiedFreshChallenge);
    assert_eq!(
        check.basic_info,
        BasicInfoOutcome::Failed(TextApFailure::WrongPin { retries_left: 2 })
    );
    assert_eq!(text_ap_verifies(&c), 1, "exactly one VERIFY to the text AP");
    assert_eq!(
        c.retries_left(PinRef::TextPin),
        2,
        "one try spent, not more"
    );
    assert_eq!(c.retries_left(PinRef::AuthPin), 3);
    // Nothing is sent after the refused VERIFY.
    assert!(is_verify_with_pin(&c.log().last().unwrap().command));
    assert!(!c.my_number_selected());
}

#[test]
fn a_text_pin_that_differs_costs_one_try_not_one_per_check() {
    // The holder set another PIN for the 券面事項入力補助AP. The first check spends one of
    // its tries (the PIN typed may be its PIN too); every later check sends nothing to it
    // until the user consents, so checking again and again never walks it down to a block.
    let c = card_with_text_pin_5678();
    let first = check_card(&c, &checked("1234"), options(), Utc::now()).unwrap();
    assert_eq!(
        first.basic_info,
        BasicInfoOutcome::Failed(TextApFailure::WrongPin { retries_left: 2 })
    );
    for _ in 0..3 {
        let again = check_card(&c, &checked("1234"), options(), Utc::now()).unwrap();
        assert_eq!(again.signature, SignatureStatus::VerifiedFreshChallenge);
        assert_eq!(
            again.basic_info,
            BasicInfoOutcome::Failed(TextApFailure::TriesLost { retries_left: 2 })
        );
    }
    assert_eq!(
        text_ap_verifies(&c),
        1,
        "one VERIFY to the text AP in four checks"
    );
    assert_eq!(c.retries_left(PinRef::TextPin), 2);
    assert_eq!(c.retries_left(PinRef::AuthPin), 3);
    // The right text PIN, with consent (here the PINs are the same again), resets it.
    let same = card();
    same.set_retries_left(PinRef::TextPin, 2);
    let consent = CheckOptions {
        allow_last_text_attempt: true,
        ..options()
    };
    let check = check_card(&same, &checked("1234"), consent, Utc::now()).unwrap();
    assert!(check.basic_info.info().is_some());
    assert_eq!(same.retries_left(PinRef::TextPin), 3);
}

#[test]
fn a_lost_answer_in_the_text_ap_keeps_the_check_and_costs_at_most_one_text_try() {
    let probe = card_with_text_pin_5678();
    check_card(&probe, &checked("1234"), options(), Utc::now()).unwrap();
    let text_at = probe
        .log()
        .iter()
        .position(|e| e.selected == Some(Selection::Application(Application::Text)))
        .unwrap();
    let n = probe.apdu_count();
    for i in text_at..n {
        let c = card_with_text_pin_5678();
        c.inject_fault(i, Fault::lost_after_processing());
        let check = check_card(&c, &checked("1234"), options(), Utc::now()).unwrap();
        assert_eq!(check.signature, SignatureStatus::VerifiedFreshChallenge);
        match check.basic_info {
            BasicInfoOutcome::Failed(TextApFailure::CardError {
                verify_in_flight, ..
            }) => assert_eq!(
                verify_in_flight,
                is_verify_with_pin(&c.log()[i].command),
                "fault at {i}"
            ),
            other => panic!("fault at {i}: {other:?}"),
        }
        assert_eq!(c.log().len(), i + 1, "nothing sent after the fault at {i}");
        assert!(text_ap_verifies(&c) <= 1);
        assert!(c.retries_left(PinRef::TextPin) >= 2, "fault at {i}");
        assert_eq!(c.retries_left(PinRef::AuthPin), 3);
    }
}
