//! The QR payload: round trip, and every changed character refused.

use super::*;

#[test]
fn qr_round_trip_and_one_character_changed() {
    let bytes = sign_ok(&document());
    let qr = to_qr_payload(&bytes);
    assert!(qr.len() < 1200, "{}", qr.len());
    let back = from_qr_payload(&qr).unwrap();
    assert_eq!(back, bytes);
    assert_eq!(verify(&back).unwrap().document, document());
    // Every character of the Base45 part, replaced by several others.
    const ALPHABET: &[u8] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:";
    let body = qr.as_bytes();
    for i in 4..body.len() {
        for step in [1, 7, 22, 44] {
            let pos = ALPHABET.iter().position(|c| *c == body[i]).unwrap();
            let mut changed = body.to_vec();
            changed[i] = ALPHABET[(pos + step) % ALPHABET.len()];
            let changed = String::from_utf8(changed).unwrap();
            let r = from_qr_payload(&changed).and_then(|b| verify(&b));
            assert!(r.is_err(), "position {i} step {step}");
        }
    }
    // Dropping the last character or adding one is refused too.
    assert!(
        from_qr_payload(&qr[..qr.len() - 1])
            .and_then(|b| verify(&b))
            .is_err()
    );
    assert!(
        from_qr_payload(&format!("{qr}0"))
            .and_then(|b| verify(&b))
            .is_err()
    );
}
