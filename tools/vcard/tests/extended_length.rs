//! The core's extended-length reads against the virtual card: one READ BINARY for the whole
//! certificate when the transport carries extended APDUs, and — when the card refuses them —
//! the fallback to short reads before any PIN is sent, with exactly one VERIFY and the PIN
//! counter untouched.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use chrono::Utc;
use shikaku_core::card::{
    CardTransport, CheckOptions, Pin, PinCounter, TransportError, check_card,
};
use shikaku_vcard::card::{Fault, LogEntry, PinRef, Quirks};
use shikaku_vcard::{Profile, VirtualCard, test_ca_der};

const PROFILE: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../examples/vcard-yamada-taro.toml"
);

fn profile() -> Profile {
    Profile::load(PROFILE).unwrap()
}

/// The virtual card's PIN, checked, as `check_card` takes it.
fn pin() -> Pin {
    Pin::from_bytes(b"1234").unwrap()
}

fn options() -> CheckOptions {
    CheckOptions {
        extra_anchors: vec![test_ca_der().unwrap()],
        ..CheckOptions::default()
    }
}

fn is_verify_with_pin(apdu: &[u8]) -> bool {
    apdu.len() > 5 && apdu[..4] == [0x00, 0x20, 0x00, 0x80]
}

fn reads(log: &[LogEntry]) -> Vec<&LogEntry> {
    log.iter()
        .filter(|e| e.command[..2] == [0x00, 0xB0])
        .collect()
}

fn is_extended(apdu: &[u8]) -> bool {
    apdu.len() == 7 && apdu[4] == 0x00
}

#[test]
fn extended_reads_take_the_certificate_in_one_apdu() {
    for card in [
        VirtualCard::new(profile()).unwrap(),
        VirtualCard::with_auth_certificate_size(profile(), 1573).unwrap(),
    ] {
        card.set_extended_length(true);
        let check = check_card(&card, &pin(), options(), Utc::now()).unwrap();
        assert_eq!(
            check.key_fingerprint.0,
            card.auth_key_fingerprint(),
            "the certificate read is the card's"
        );
        let log = card.log();
        let reads = reads(&log);
        // The token (short, 32 bytes) and the whole certificate EF in one extended READ.
        assert_eq!(reads.len(), 2);
        assert!(is_extended(&reads[1].command));
        assert_eq!(reads[1].sw(), Some(0x6282));
        assert_eq!(card.retries_left(PinRef::AuthPin), 3);
        assert_eq!(
            log.iter()
                .filter(|e| is_verify_with_pin(&e.command))
                .count(),
            1
        );
    }
}

#[test]
fn a_card_refusing_extended_apdus_is_read_short_before_any_pin_and_spends_no_try() {
    let card = VirtualCard::with_auth_certificate_size(profile(), 1573).unwrap();
    assert_eq!(card.auth_certificate_der().len(), 1573);
    card.set_extended_length(true);
    card.set_quirks(Quirks {
        refuse_extended: true,
        ..Quirks::default()
    });
    // Start below the maximum so a reset by a successful VERIFY is not confused with "untouched".
    card.set_retries_left(PinRef::AuthPin, 2);
    let mut options = options();
    options.read_basic_info = true;
    let check = check_card(&card, &pin(), options, Utc::now()).unwrap();
    assert!(check.basic_info.info().is_some());
    let log = card.log();
    // The extended READ was refused, then the certificate came in 256-byte chunks.
    let reads = reads(&log);
    assert!(is_extended(&reads[1].command));
    assert_eq!(reads[1].sw(), Some(0x6700));
    let cert_reads = 1573usize.div_ceil(256);
    assert!(
        reads[2..2 + cert_reads]
            .iter()
            .all(|e| e.command.len() == 5)
    );
    // No extended APDU after the refusal: the session stayed short (the 基本4情報 too).
    assert_eq!(log.iter().filter(|e| is_extended(&e.command)).count(), 1);
    // The fallback came before the first VERIFY, and each PIN had exactly one VERIFY.
    let refused = log.iter().position(|e| e.sw() == Some(0x6700)).unwrap();
    let first_verify = log
        .iter()
        .position(|e| is_verify_with_pin(&e.command))
        .unwrap();
    assert!(refused < first_verify);
    assert_eq!(
        log.iter()
            .filter(|e| is_verify_with_pin(&e.command))
            .count(),
        2,
        "one VERIFY for the auth PIN, one for the text PIN"
    );
    // The counter as read before the VERIFY is the one set above: the fallback spent nothing.
    assert_eq!(check.retries_left, PinCounter::Remaining(2));
}

#[test]
fn a_transport_error_on_the_extended_read_falls_back_without_a_pin_try() {
    let card = VirtualCard::new(profile()).unwrap();
    card.set_extended_length(true);
    // APDU #4 is the extended READ of the certificate (SELECT AP, SELECT 0006, READ, SELECT 000A).
    card.inject_fault(
        card.apdu_count() + 4,
        Fault {
            error: TransportError::Other {
                reason: "reader refused an extended APDU".into(),
            },
            after_processing: false,
        },
    );
    check_card(&card, &pin(), options(), Utc::now()).unwrap();
    let log = card.log();
    assert!(is_extended(&log[4].command));
    assert!(log[4].response.is_none());
    assert_eq!(log[5].command, [0x00, 0xB0, 0x00, 0x00, 0x00]);
    assert_eq!(card.retries_left(PinRef::AuthPin), 3);
    assert_eq!(
        log.iter()
            .filter(|e| is_verify_with_pin(&e.command))
            .count(),
        1
    );
    assert!(card.extended_length());
}
