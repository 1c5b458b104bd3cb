//! Command decoding and response framing: CLA / INS errors, GET CHALLENGE, and the
//! `61xx` / `6Cxx` quirks.

use rsa::pkcs1v15::{Signature, VerifyingKey};
use rsa::signature::Verifier;
use sha2::Sha256;

use crate::card::Quirks;

use super::*;

// ---------------------------------------------------------------- CLA / INS

#[test]
fn class_and_instruction_errors() {
    let c = card();
    assert_eq!(
        tx(&c, "FF A4 04 0C 0A D3 92 F0 00 26 01 00 00 00 01"),
        h("6E 00")
    );
    assert_eq!(
        tx(&c, "80 A4 04 0C 0A D3 92 F0 00 26 01 00 00 00 01"),
        h("6E 00")
    );
    assert_eq!(tx(&c, "00 2A 00 80 01 00 00"), h("6E 00"));
    assert_eq!(tx(&c, "80 B0 00 00 04"), h("6E 00"));
    assert_eq!(tx(&c, "0C B0 00 00 04"), h("68 82"));
    assert_eq!(tx(&c, "01 B0 00 00 04"), h("68 81"));
    assert_eq!(tx(&c, "10 B0 00 00 04"), h("68 84"));
    assert_eq!(tx(&c, "00 CA 00 00 00"), h("6D 00"));
    assert_eq!(tx(&c, "00 B2 01 04 00"), h("6D 00"));
    assert_eq!(tx(&c, "80 88 00 00 00"), h("6D 00"));
    assert_eq!(tx(&c, "00"), h("67 00"));
    assert_eq!(tx(&c, "00 B0 00"), h("67 00"));
}

// ---------------------------------------------------------------- GET CHALLENGE

#[test]
fn get_challenge() {
    let c = card();
    let a = tx(&c, "00 84 00 00 08");
    let b = tx(&c, "00 84 00 00 08");
    assert_eq!((a.len(), split(&a).1), (10, 0x9000));
    assert_ne!(a, b);
    assert_eq!(tx(&c, "00 84 00 00 00").len(), 258);
    assert_eq!(tx(&c, "00 84 01 00 08"), h("6A 86"));
    assert_eq!(tx(&c, "00 84 00 00"), h("67 00"));
}

// ---------------------------------------------------------------- quirks

#[test]
fn quirk_get_response() {
    let c = card();
    assert_eq!(tx(&c, "00 C0 00 00 00"), h("69 85"), "nothing pending");
    c.set_quirks(Quirks {
        get_response: true,
        ..Quirks::default()
    });
    assert_eq!(tx(&c, SELECT_JPKI), h("90 00"), "no data, no 61xx");
    tx(&c, "00 A4 02 0C 02 00 06");
    assert_eq!(tx(&c, "00 B0 00 00 20"), h("61 20"));
    let first = tx(&c, "00 C0 00 00 10");
    assert_eq!(split(&first), (&b"JPKIAPICCTOKEN2 "[..], 0x6110));
    let second = tx(&c, "00 C0 00 00 10");
    assert_eq!(split(&second), (&[b' '; 16][..], 0x9000));
    assert_eq!(tx(&c, "00 C0 00 00 10"), h("69 85"), "all fetched");
    // The original status word comes with the last piece.
    assert_eq!(tx(&c, "00 B0 00 96 20"), h("61 0A"));
    let r = tx(&c, "00 C0 00 00 00");
    assert_eq!((r.len(), split(&r).1), (12, 0x6282));
    // Another command discards an unfetched response.
    assert_eq!(tx(&c, "00 B0 00 00 20"), h("61 20"));
    tx(&c, "00 A4 02 0C 02 00 06");
    assert_eq!(tx(&c, "00 C0 00 00 20"), h("69 85"));
    assert_eq!(tx(&c, "00 C0 01 00 20"), h("6A 86"));
    assert_eq!(tx(&c, "00 C0 00 00"), h("67 00"));
    // A signature: 61 00 (256), then the whole of it.
    tx(&c, "00 A4 02 0C 02 00 18");
    tx(&c, VERIFY_1234);
    tx(&c, "00 A4 02 0C 02 00 17");
    let di = digest_info_sha256(b"t0");
    assert_eq!(tx(&c, &sign_apdu(&di)), h("61 00"));
    let r = tx(&c, "00 C0 00 00 00");
    assert_eq!((r.len(), split(&r).1), (258, 0x9000));
    VerifyingKey::<Sha256>::new(public_key(c.auth_certificate_der()))
        .verify(b"t0", &Signature::try_from(&r[..256]).unwrap())
        .unwrap();
}

#[test]
fn quirk_le_correction() {
    let c = card();
    c.set_quirks(Quirks {
        le_correction: true,
        ..Quirks::default()
    });
    tx(&c, SELECT_JPKI);
    tx(&c, "00 A4 02 0C 02 00 06");
    assert_eq!(tx(&c, "00 B0 00 96 20"), h("6C 0A"));
    let r = tx(&c, "00 B0 00 96 0A");
    assert_eq!((r.len(), split(&r).1), (12, 0x9000));
    assert_eq!(tx(&c, "00 B0 00 00 00"), h("6C A0"));
    assert_eq!(tx(&c, "00 B0 00 A0 01"), h("6B 00"));
    tx(&c, "00 A4 02 0C 02 00 18");
    tx(&c, VERIFY_1234);
    tx(&c, "00 A4 02 0C 02 00 17");
    let apdu = sign_apdu(&digest_info_sha256(b"x"));
    assert_eq!(
        tx(&c, &format!("{} 80", &apdu[..apdu.len() - 3])),
        h("6C 00")
    );
    assert_eq!(split(&tx(&c, &apdu)).1, 0x9000);
}

// ---------------------------------------------------------------- extended length

#[test]
fn extended_read_binary_returns_the_whole_ef_in_one_apdu() {
    let c = card();
    tx(&c, SELECT_JPKI);
    tx(&c, "00 A4 02 0C 02 00 0A");
    let cert = c.auth_certificate_der().to_vec();
    let padded = cert.len().div_ceil(256) * 256;
    // Le 65,536 (`00 00 00`): everything to the end, with 6282 for the shortfall.
    let r = tx(&c, "00 B0 00 00 00 00 00");
    let (data, s) = split(&r);
    assert_eq!((data.len(), s), (padded, 0x6282));
    assert_eq!(&data[..cert.len()], &cert[..]);
    assert!(data[cert.len()..].iter().all(|b| *b == 0xFF));
    // An exact extended Le at an offset: 9000.
    let r = tx(&c, "00 B0 01 00 00 01 2C");
    assert_eq!(
        (split(&r).0, split(&r).1),
        (&padded_slice(&c, 0x100, 0x12C)[..], 0x9000)
    );
}

fn padded_slice(c: &VirtualCard, offset: usize, len: usize) -> Vec<u8> {
    let mut ef = c.auth_certificate_der().to_vec();
    ef.resize(ef.len().div_ceil(256) * 256, 0xFF);
    ef[offset..offset + len].to_vec()
}

#[test]
fn quirk_refuse_extended_answers_6700_to_extended_apdus_only() {
    let c = card();
    c.set_quirks(Quirks {
        refuse_extended: true,
        ..Quirks::default()
    });
    tx(&c, SELECT_JPKI);
    tx(&c, "00 A4 02 0C 02 00 0A");
    assert_eq!(tx(&c, "00 B0 00 00 00 00 00"), h("67 00"));
    assert_eq!(tx(&c, "00 B0 00 00 00 01 00"), h("67 00"));
    // An extended Lc too (a SELECT with a 3-byte Lc).
    assert_eq!(tx(&c, "00 A4 02 0C 00 00 02 00 0A"), h("67 00"));
    // Short APDUs are unaffected.
    let r = tx(&c, "00 B0 00 00 00");
    assert_eq!((split(&r).0.len(), split(&r).1), (256, 0x9000));
    c.set_quirks(Quirks::default());
    assert_eq!(split(&tx(&c, "00 A4 02 0C 00 00 02 00 0A")).1, 0x9000);
}

#[test]
fn the_transport_reports_extended_length_only_when_told() {
    let c = card();
    assert!(!c.extended_length());
    c.set_extended_length(true);
    assert!(c.extended_length());
    c.set_extended_length(false);
    assert!(!c.extended_length());
}
