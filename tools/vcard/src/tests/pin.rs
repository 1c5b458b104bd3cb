//! PIN counters and security state: VERIFY and CHANGE REFERENCE DATA.

use crate::card::PinRef;

use super::*;

// ---------------------------------------------------------------- VERIFY

#[test]
fn verify_without_key_ef() {
    let c = card();
    assert_eq!(tx(&c, VERIFY_STATUS), h("69 86"));
    assert_eq!(tx(&c, VERIFY_1234), h("69 86"));
    tx(&c, SELECT_JPKI);
    assert_eq!(tx(&c, VERIFY_STATUS), h("69 86"));
    assert_eq!(tx(&c, VERIFY_1234), h("69 86"));
    // A certificate or a private key is not a PIN.
    tx(&c, "00 A4 02 0C 02 00 0A");
    assert_eq!(tx(&c, VERIFY_1234), h("69 81"));
    tx(&c, "00 A4 02 0C 02 00 17");
    assert_eq!(tx(&c, VERIFY_1234), h("69 81"));
    assert_eq!(c.retries_left(PinRef::AuthPin), 3);
}

#[test]
fn verify_parameters_and_lengths() {
    let c = card();
    tx(&c, SELECT_JPKI);
    tx(&c, "00 A4 02 0C 02 00 18");
    assert_eq!(tx(&c, "00 20 01 80 04 31 32 33 34"), h("6A 86"));
    assert_eq!(tx(&c, "00 20 00 00 04 31 32 33 34"), h("6A 86"));
    assert_eq!(tx(&c, "00 20 00 E0 04 31 32 33 34"), h("6A 86"));
    assert_eq!(tx(&c, "00 20 00 80 00"), h("67 00"));
    assert_eq!(tx(&c, "00 20 00 80 04 31 32 33 34 00"), h("67 00"));
    assert_eq!(tx(&c, "00 20 00 80 05 31 32 33 34"), h("67 00"));
    // Short-id reference to a key that does not exist in this DF.
    assert_eq!(tx(&c, "00 20 00 91 04 31 32 33 34"), h("6A 88"));
    assert_eq!(c.retries_left(PinRef::AuthPin), 3);
}

#[test]
fn auth_pin_counter_down_to_blocked() {
    let c = card();
    tx(&c, SELECT_JPKI);
    tx(&c, "00 A4 02 0C 02 00 18");
    assert_eq!(tx(&c, VERIFY_STATUS), h("63 C3"));
    assert_eq!(tx(&c, VERIFY_STATUS), h("63 C3"), "a query spends no try");
    assert_eq!(tx(&c, VERIFY_WRONG), h("63 C2"));
    assert_eq!(tx(&c, VERIFY_STATUS), h("63 C2"));
    assert_eq!(tx(&c, VERIFY_1234), h("90 00"), "right PIN");
    assert_eq!(tx(&c, VERIFY_STATUS), h("90 00"), "already verified");
    assert_eq!(c.retries_left(PinRef::AuthPin), 3, "counter reset");
    assert_eq!(tx(&c, VERIFY_WRONG), h("63 C2"));
    assert!(
        !c.is_verified(PinRef::AuthPin),
        "a wrong PIN drops the verified state"
    );
    assert_eq!(tx(&c, VERIFY_STATUS), h("63 C2"));
    // A PIN of the wrong length is still an attempt.
    assert_eq!(tx(&c, "00 20 00 80 03 31 32 33"), h("63 C1"));
    assert_eq!(tx(&c, VERIFY_WRONG), h("63 C0"), "the failure that blocks");
    assert_eq!(tx(&c, VERIFY_WRONG), h("69 84"));
    assert_eq!(tx(&c, VERIFY_1234), h("69 84"), "even the right PIN");
    assert_eq!(tx(&c, VERIFY_STATUS), h("69 84"));
    assert_eq!(c.retries_left(PinRef::AuthPin), 0);
    // Blocked survives a reset; the other keys are untouched.
    c.reset();
    tx(&c, SELECT_JPKI);
    tx(&c, "00 A4 02 0C 02 00 18");
    assert_eq!(tx(&c, VERIFY_STATUS), h("69 84"));
    tx(&c, "00 A4 02 0C 02 00 1B");
    assert_eq!(tx(&c, VERIFY_STATUS), h("63 C5"));
}

#[test]
fn sign_password_has_five_tries() {
    let c = card();
    tx(&c, SELECT_JPKI);
    tx(&c, "00 A4 02 0C 02 00 1B");
    assert_eq!(tx(&c, VERIFY_STATUS), h("63 C5"));
    for left in (0..5).rev() {
        assert_eq!(sw(&c, "00 20 00 80 06 41 42 43 31 32 34"), 0x63C0 | left);
    }
    assert_eq!(tx(&c, VERIFY_SIGN_PW), h("69 84"));
    assert_eq!(tx(&c, VERIFY_STATUS), h("69 84"));
    // Lower-case is a different password (hosts upper-case first).
    let c = card();
    tx(&c, SELECT_JPKI);
    tx(&c, "00 A4 02 0C 02 00 1B");
    assert_eq!(tx(&c, "00 20 00 80 06 61 62 63 31 32 33"), h("63 C4"));
    assert_eq!(tx(&c, VERIFY_SIGN_PW), h("90 00"));
}

#[test]
fn text_pin_three_tries_and_short_id_form() {
    let c = card();
    tx(&c, SELECT_TEXT);
    // P2 = 80|11 names key 0011 without selecting it.
    assert_eq!(tx(&c, "00 20 00 91"), h("63 C3"));
    assert_eq!(tx(&c, "00 20 00 91 04 31 32 33 34"), h("63 C2"));
    assert_eq!(tx(&c, "00 20 00 91 04 35 36 37 38"), h("90 00"));
    assert_eq!(tx(&c, "00 20 00 91"), h("90 00"));
    // The JPKI key id is unknown in the text AP.
    assert_eq!(tx(&c, "00 20 00 98 04 31 32 33 34"), h("6A 88"));
    c.set_retries_left(PinRef::TextPin, 1);
    assert_eq!(tx(&c, "00 20 00 91"), h("63 C1"));
    assert_eq!(tx(&c, "00 20 00 91 04 30 30 30 30"), h("63 C0"));
    assert_eq!(tx(&c, "00 20 00 91 04 35 36 37 38"), h("69 84"));
    // JPKI short-id VERIFY: 00 20 00 98.
    tx(&c, SELECT_JPKI);
    assert_eq!(tx(&c, "00 20 00 98 04 31 32 33 34"), h("90 00"));
    assert!(c.is_verified(PinRef::AuthPin));
}

#[test]
fn reselecting_a_df_clears_security_state() {
    let c = card();
    tx(&c, SELECT_JPKI);
    tx(&c, "00 A4 02 0C 02 00 18");
    tx(&c, VERIFY_1234);
    assert!(c.is_verified(PinRef::AuthPin));
    tx(&c, SELECT_TEXT);
    assert!(!c.is_verified(PinRef::AuthPin));
    tx(&c, SELECT_JPKI);
    tx(&c, "00 A4 02 0C 02 00 18");
    assert_eq!(tx(&c, VERIFY_STATUS), h("63 C3"));
    tx(&c, VERIFY_1234);
    tx(&c, SELECT_JPKI);
    tx(&c, "00 A4 02 0C 02 00 17");
    assert_eq!(tx(&c, &sign_apdu(&digest_info_sha256(b"x"))), h("69 82"));
}

// ---------------------------------------------------------------- CHANGE REFERENCE DATA

#[test]
fn change_reference_data() {
    let c = card();
    tx(&c, SELECT_JPKI);
    tx(&c, "00 A4 02 0C 02 00 18");
    assert_eq!(tx(&c, "00 24 01 80 04 39 38 37 36"), h("69 82"));
    tx(&c, VERIFY_1234);
    assert_eq!(tx(&c, "00 24 00 80 04 39 38 37 36"), h("6A 86"));
    assert_eq!(tx(&c, "00 24 01 80 05 39 38 37 36 35"), h("6A 80"));
    assert_eq!(tx(&c, "00 24 01 80 04 39 38 37 36"), h("90 00"));
    assert_eq!(tx(&c, VERIFY_1234), h("63 C2"));
    assert_eq!(tx(&c, "00 20 00 80 04 39 38 37 36"), h("90 00"));
}
