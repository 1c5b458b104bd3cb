//! The core's PIN guard against the stateful virtual card, whose counters are real: a response
//! lost after the card processed the command, at every APDU index of a card check, never costs
//! more than one try per call, the next call reads the counter before any VERIFY, and a lost
//! but counted VERIFY that leaves one try ends in LastAttemptNeedsConsent, not a blind VERIFY.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use chrono::Utc;
use shikaku_core::card::{CardError, CheckOptions, PinKind, check_card, sign_challenge};
use shikaku_vcard::card::{Fault, PinRef};
use shikaku_vcard::{VirtualCard, card_from_profile_path, test_ca_der};

fn card() -> VirtualCard {
    card_from_profile_path(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../examples/vcard-yamada-taro.toml"
    ))
    .unwrap()
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
    check_card(&probe, "9999", options(), Utc::now()).unwrap_err();
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
            let _ = check_card(&c, pin, options(), Utc::now());
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
            let _ = check_card(&c, pin, options(), Utc::now());
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
    let c = card();
    c.set_retries_left(PinRef::AuthPin, 2);
    // Find the VERIFY's index and lose its answer after the card counted it.
    let probe = card();
    probe.set_retries_left(PinRef::AuthPin, 2);
    let _ = sign_challenge(&probe, "9999", b"challenge-challenge-1234", false);
    let verify_at = probe
        .log()
        .iter()
        .position(|e| is_verify_with_pin(&e.command))
        .unwrap();
    c.inject_fault(verify_at, Fault::lost_after_processing());
    let err = sign_challenge(&c, "9999", b"challenge-challenge-1234", false).unwrap_err();
    assert!(err.verify_in_flight(), "{err:?}");
    assert_eq!(
        c.retries_left(PinRef::AuthPin),
        1,
        "the card counted the lost VERIFY"
    );
    let log_len = c.log().len();
    let err = sign_challenge(&c, "9999", b"challenge-challenge-1234", false).unwrap_err();
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
