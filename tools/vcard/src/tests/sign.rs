//! COMPUTE DIGITAL SIGNATURE with the auth and sign keys.

use rsa::pkcs1v15::{Signature, VerifyingKey};
use rsa::signature::Verifier;
use sha2::Sha256;

use super::*;

// ---------------------------------------------------------------- COMPUTE DIGITAL SIGNATURE

#[test]
fn auth_signature_verifies_with_the_certificate_key() {
    let c = card();
    let di = digest_info_sha256(b"challenge from the issuer");
    tx(&c, SELECT_JPKI);
    tx(&c, "00 A4 02 0C 02 00 17");
    assert_eq!(tx(&c, &sign_apdu(&di)), h("69 82"));
    tx(&c, "00 A4 02 0C 02 00 18");
    tx(&c, VERIFY_1234);
    tx(&c, "00 A4 02 0C 02 00 17");
    let r = tx(&c, &sign_apdu(&di));
    let (sig, s) = split(&r);
    assert_eq!((sig.len(), s), (256, 0x9000));
    let key = public_key(c.auth_certificate_der());
    VerifyingKey::<Sha256>::new(key.clone())
        .verify(
            b"challenge from the issuer",
            &Signature::try_from(sig).unwrap(),
        )
        .unwrap();
    // Case 3 (no Le) is accepted too, and PKCS#1 v1.5 is deterministic.
    let case3 = sign_apdu(&di);
    let r3 = tx(&c, &case3[..case3.len() - 3]);
    assert_eq!(r3, r);
    // SHA-1 DigestInfo works as well: the card pads whatever it gets.
    let mut sha1_di = h("30 21 30 09 06 05 2B 0E 03 02 1A 05 00 04 14");
    sha1_di.extend_from_slice(&[0xAB; 20]);
    let r = tx(&c, &sign_apdu(&sha1_di));
    let (sig, _) = split(&r);
    key.verify(rsa::Pkcs1v15Sign::new_unprefixed(), &sha1_di, sig)
        .unwrap();
}

#[test]
fn signature_errors() {
    let c = card();
    let di = digest_info_sha256(b"m");
    tx(&c, SELECT_JPKI);
    assert_eq!(tx(&c, &sign_apdu(&di)), h("69 86"), "no current EF");
    tx(&c, "00 A4 02 0C 02 00 18");
    tx(&c, VERIFY_1234);
    assert_eq!(tx(&c, &sign_apdu(&di)), h("69 81"), "a PIN is no key");
    tx(&c, "00 A4 02 0C 02 00 17");
    assert_eq!(tx(&c, "80 2A 01 80 01 00 00"), h("6A 86"));
    assert_eq!(tx(&c, "80 2A 00 00 01 00 00"), h("6A 86"));
    assert_eq!(tx(&c, "80 2A 00 80 00"), h("67 00"), "no data");
    assert_eq!(tx(&c, "80 2A 00 80"), h("67 00"));
    assert_eq!(
        tx(&c, &sign_apdu(&[0x11; 246])),
        h("67 00"),
        "longer than k - 11"
    );
    assert_eq!(split(&tx(&c, &sign_apdu(&[0x11; 245]))).1, 0x9000);
    let short_le = sign_apdu(&di);
    let short_le = format!("{} 80", &short_le[..short_le.len() - 3]);
    assert_eq!(
        tx(&c, &short_le),
        h("67 00"),
        "Le smaller than the signature"
    );
    // P2 = 80|17 names the auth key without selecting it (myna-card's form).
    tx(&c, "00 A4 02 0C 02 00 0A");
    assert_eq!(
        split(&tx(&c, &sign_apdu(&di).replacen("00 80", "00 97", 1))).1,
        0x9000
    );
}

#[test]
fn sign_key_needs_the_sign_password() {
    let c = card();
    let di = digest_info_sha256(b"document");
    tx(&c, SELECT_JPKI);
    tx(&c, "00 A4 02 0C 02 00 18");
    tx(&c, VERIFY_1234);
    tx(&c, "00 A4 02 0C 02 00 1A");
    assert_eq!(tx(&c, &sign_apdu(&di)), h("69 82"));
    tx(&c, "00 A4 02 0C 02 00 1B");
    tx(&c, VERIFY_SIGN_PW);
    tx(&c, "00 A4 02 0C 02 00 1A");
    let r = tx(&c, &sign_apdu(&di));
    let (sig, s) = split(&r);
    assert_eq!(s, 0x9000);
    VerifyingKey::<Sha256>::new(public_key(&c.sign_certificate_der().unwrap()))
        .verify(b"document", &Signature::try_from(sig).unwrap())
        .unwrap();
}
