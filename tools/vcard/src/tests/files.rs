//! The file layout: READ BINARY on each EF, the certificates, and the text AP's EFs.

use der::{Decode, Encode};
use rsa::pkcs1v15::{Signature, VerifyingKey};
use rsa::signature::Verifier;
use sha2::{Digest, Sha256};
use x509_cert::Certificate;

use crate::card::{Application, Selection};

use super::*;

// ---------------------------------------------------------------- READ BINARY

#[test]
fn token_ef_label() {
    let c = card();
    tx(&c, SELECT_JPKI);
    tx(&c, "00 A4 02 0C 02 00 06");
    let r = tx(&c, "00 B0 00 00 20");
    assert_eq!(
        r,
        [b"JPKIAPICCTOKEN2".as_slice(), &[b' '; 17], &[0x90, 0x00]].concat()
    );
    let all = read_all(&c);
    assert_eq!(all.len(), 160);
}

#[test]
fn read_binary_without_ef_and_on_key_efs() {
    let c = card();
    assert_eq!(tx(&c, "00 B0 00 00 04"), h("69 86"));
    tx(&c, SELECT_JPKI);
    assert_eq!(tx(&c, "00 B0 00 00 04"), h("69 86"));
    for key in ["0017", "0018", "001A", "001B"] {
        tx(&c, &format!("00 A4 02 0C 02 {key}"));
        assert_eq!(tx(&c, "00 B0 00 00 04"), h("69 81"), "{key}");
    }
}

#[test]
fn read_binary_lengths_and_end_of_file() {
    let c = card();
    tx(&c, SELECT_JPKI);
    tx(&c, "00 A4 02 0C 02 00 06");
    // No Le, data instead of Le, Lc without data.
    assert_eq!(tx(&c, "00 B0 00 00"), h("67 00"));
    assert_eq!(tx(&c, "00 B0 00 00 01 00 04"), h("67 00"));
    assert_eq!(tx(&c, "00 B0 00 00 02 00"), h("67 00"));
    // The token EF is 160 bytes: offset 0xA0 is beyond, 0x96 + 0x20 crosses the end.
    assert_eq!(tx(&c, "00 B0 00 A0 01"), h("6B 00"));
    assert_eq!(tx(&c, "00 B0 7F FF 01"), h("6B 00"));
    let r = tx(&c, "00 B0 00 96 20");
    let (data, s) = split(&r);
    assert_eq!((data.len(), s), (10, 0x6282));
    assert!(data.iter().all(|&b| b == 0xFF));
    // Le 00 = 256 from offset 0: everything, then 6282.
    let r = tx(&c, "00 B0 00 00 00");
    assert_eq!((r.len(), split(&r).1), (162, 0x6282));
    // Extended Le 0000 = 65536.
    let r = tx(&c, "00 B0 00 00 00 00 00");
    assert_eq!((r.len(), split(&r).1), (162, 0x6282));
    let r = tx(&c, "00 B0 00 00 00 00 10");
    assert_eq!((r.len(), split(&r).1), (18, 0x9000));
}

#[test]
fn read_binary_sfi_form() {
    let c = card();
    // SFI with no DF: nothing to find.
    assert_eq!(tx(&c, "00 B0 8A 00 04"), h("6A 82"));
    tx(&c, SELECT_JPKI);
    let r = tx(&c, "00 B0 8A 00 04");
    assert_eq!(split(&r), (&c.auth_certificate_der()[..4], 0x9000));
    // The SFI read made 000A current: a plain READ continues in it.
    let r = tx(&c, "00 B0 00 04 04");
    assert_eq!(split(&r), (&c.auth_certificate_der()[4..8], 0x9000));
    assert_eq!(c.log().last().unwrap().selected, None);
    assert_eq!(
        c.log()[c.log().len() - 2].selected,
        Some(Selection::Ef {
            application: Application::Jpki,
            ef: 0x000A
        })
    );
    // Bits 7-6 set, SFI 0, a key EF, an unknown SFI.
    assert_eq!(tx(&c, "00 B0 CA 00 04"), h("6A 86"));
    assert_eq!(tx(&c, "00 B0 AA 00 04"), h("6A 86"));
    assert_eq!(tx(&c, "00 B0 80 00 04"), h("6A 86"));
    assert_eq!(tx(&c, "00 B0 98 00 04"), h("69 81"));
    assert_eq!(tx(&c, "00 B0 9E 00 04"), h("6A 82"));
    // The sign certificate by SFI still needs the password.
    assert_eq!(tx(&c, "00 B0 81 00 04"), h("69 82"));
}

#[test]
fn auth_certificate_and_ca_are_readable_and_chain() {
    let c = card();
    tx(&c, SELECT_JPKI);
    tx(&c, "00 A4 02 0C 02 00 0A");
    let ef = read_all(&c);
    let der = c.auth_certificate_der();
    assert_eq!(&der[..2], &[0x30, 0x82]);
    let len = usize::from(u16::from_be_bytes([der[2], der[3]])) + 4;
    assert_eq!(len, der.len());
    assert_eq!(&ef[..len], der);
    assert_eq!(ef.len() % 256, 0);
    assert!(ef[len..].iter().all(|&b| b == 0xFF));

    tx(&c, "00 A4 02 0C 02 00 0B");
    let ca_ef = read_all(&c);
    let ca_der = crate::test_ca_der().unwrap();
    assert_eq!(&ca_ef[..ca_der.len()], ca_der.as_slice());

    let cert = Certificate::from_der(der).unwrap();
    let ca = Certificate::from_der(&ca_der).unwrap();
    let tbs = cert.tbs_certificate.to_der().unwrap();
    let sig = Signature::try_from(cert.signature.raw_bytes()).unwrap();
    VerifyingKey::<Sha256>::new(public_key(&ca_der))
        .verify(&tbs, &sig)
        .unwrap();
    assert_eq!(cert.tbs_certificate.issuer, ca.tbs_certificate.subject);
    let subject = cert.tbs_certificate.subject.to_string();
    assert!(
        subject.starts_with("CN=") && subject.ends_with(",C=JP"),
        "{subject}"
    );
    assert_eq!(subject.len(), "CN=,C=JP".len() + 23);
    let issuer = cert.tbs_certificate.issuer.to_string();
    assert!(
        issuer.contains("O=JPKI-TEST") && issuer.ends_with("C=JP"),
        "{issuer}"
    );
    // No personal data in the auth certificate.
    let text = String::from_utf8_lossy(der);
    assert!(!text.contains("見本") && !text.contains("東京都") && !text.contains("19850412"));
    // keyUsage: digitalSignature only, critical.
    let ku = cert
        .tbs_certificate
        .extensions
        .as_ref()
        .unwrap()
        .iter()
        .find(|e| e.extn_id == const_oid::db::rfc5280::ID_CE_KEY_USAGE)
        .unwrap();
    assert!(ku.critical);
    assert_eq!(ku.extn_value.as_bytes(), h("03 02 07 80"));
    // Validity from the profile; the last day ends at 23:59:59 in Japan (14:59:59 UTC), as
    // J-LIS's certificates do, so the last day is the same in Japan and in UTC.
    let v = &cert.tbs_certificate.validity;
    assert_eq!(v.not_before.to_string(), "2024-05-01T00:00:00Z");
    assert_eq!(v.not_after.to_string(), "2029-04-12T14:59:59Z");
    let not_after =
        chrono::DateTime::from_timestamp(v.not_after.to_unix_duration().as_secs() as i64, 0)
            .unwrap();
    assert_eq!(
        shikaku_core::clock::japan_today(not_after),
        chrono::NaiveDate::from_ymd_opt(2029, 4, 12).unwrap()
    );
    assert_eq!(
        shikaku_core::clock::japan_today(not_after + chrono::Duration::seconds(1)),
        chrono::NaiveDate::from_ymd_opt(2029, 4, 13).unwrap()
    );
    // The fingerprint is SHA-256 of the SPKI.
    let spki = cert
        .tbs_certificate
        .subject_public_key_info
        .to_der()
        .unwrap();
    assert_eq!(
        c.auth_key_fingerprint(),
        <[u8; 32]>::from(Sha256::digest(&spki))
    );
}

#[test]
fn sign_certificate_needs_the_sign_password() {
    let c = card();
    tx(&c, SELECT_JPKI);
    tx(&c, "00 A4 02 0C 02 00 01");
    assert_eq!(tx(&c, "00 B0 00 00 04"), h("69 82"));
    // The sign CA certificate is free.
    tx(&c, "00 A4 02 0C 02 00 02");
    let sign_ca = read_all(&c);
    assert_eq!(&sign_ca[..4], &crate::test_sign_ca_der().unwrap()[..4]);
    // The auth PIN does not open it.
    tx(&c, "00 A4 02 0C 02 00 18");
    assert_eq!(tx(&c, VERIFY_1234), h("90 00"));
    tx(&c, "00 A4 02 0C 02 00 01");
    assert_eq!(tx(&c, "00 B0 00 00 04"), h("69 82"));
    tx(&c, "00 A4 02 0C 02 00 1B");
    assert_eq!(tx(&c, VERIFY_SIGN_PW), h("90 00"));
    tx(&c, "00 A4 02 0C 02 00 01");
    let ef = read_all(&c);
    let der = c.sign_certificate_der().unwrap();
    assert_eq!(&ef[..der.len()], der.as_slice());
    let cert = Certificate::from_der(&der).unwrap();
    let tbs = cert.tbs_certificate.to_der().unwrap();
    let sig = Signature::try_from(cert.signature.raw_bytes()).unwrap();
    VerifyingKey::<Sha256>::new(public_key(&crate::test_sign_ca_der().unwrap()))
        .verify(&tbs, &sig)
        .unwrap();
    // The four attributes sit in SubjectAltName.
    let text = String::from_utf8_lossy(&der);
    assert!(text.contains("見本\u{3000}太郎"));
    assert!(text.contains("東京都架空区見本町１丁目２３番４５号"));
    assert!(text.contains("319850412"));
}

// ---------------------------------------------------------------- text AP

#[test]
fn basic_info_offsets_match_the_spec_example() {
    // 15-byte name and 18-character address: the offsets of docs/card-protocol.md (基本4情報).
    let c = card();
    tx(&c, SELECT_TEXT);
    tx(&c, "00 A4 02 0C 02 00 02");
    assert_eq!(tx(&c, "00 B0 00 00 04"), h("69 82"));
    tx(&c, "00 A4 02 0C 02 00 11");
    assert_eq!(tx(&c, VERIFY_5678), h("90 00"));
    tx(&c, "00 A4 02 0C 02 00 02");
    let ef = read_all(&c);
    assert_eq!(&ef[..14], h("FF 20 65 DF 21 08 00 0E 00 20 00 59 00 64"));
    assert_eq!(&ef[0x0E..0x11], h("DF 22 0F"));
    assert_eq!(&ef[0x11..0x20], "見本\u{3000}太郎".as_bytes());
    assert_eq!(&ef[0x20..0x23], h("DF 23 36"));
    assert_eq!(
        &ef[0x23..0x59],
        "東京都架空区見本町１丁目２３番４５号".as_bytes()
    );
    assert_eq!(
        &ef[0x59..0x64],
        [h("DF 24 08").as_slice(), b"19850412"].concat()
    );
    assert_eq!(&ef[0x64..0x68], [0xDF, 0x25, 0x01, b'1']);
    assert_eq!(ef.len(), 256);
    assert!(ef[0x68..].iter().all(|&b| b == 0xFF));
}

#[test]
fn basic_info_long_values_use_long_form_lengths() {
    let mut p = profile();
    p.address = "東京都架空区見本町".repeat(8); // 216 bytes
    p.sex = crate::Sex::Female;
    let ef = crate::card::basic_info_ef(&p);
    // FF20 length in the 82 form: 11 + 18 + (4 + 216) + 11 + 4 = 264.
    assert_eq!(&ef[..5], h("FF 20 82 01 08"));
    let offsets: Vec<usize> = ef[8..16]
        .chunks(2)
        .map(|c| usize::from(u16::from_be_bytes([c[0], c[1]])))
        .collect();
    assert_eq!(&ef[5..8], h("DF 21 08"));
    let tags = [0x22u8, 0x23, 0x24, 0x25];
    for (off, tag) in offsets.iter().zip(tags) {
        assert_eq!(&ef[*off..*off + 2], [0xDF, tag]);
    }
    assert_eq!(&ef[offsets[1]..offsets[1] + 4], h("DF 23 81 D8"));
    assert_eq!(&ef[offsets[3]..offsets[3] + 4], [0xDF, 0x25, 0x01, b'2']);
    assert_eq!(ef.len(), 512);
}

#[test]
fn my_number_ef_is_pin_protected_and_its_selection_is_recorded() {
    let c = card();
    tx(&c, SELECT_TEXT);
    tx(&c, "00 A4 02 0C 02 00 02");
    assert!(!c.my_number_selected());
    assert_eq!(tx(&c, "00 A4 02 0C 02 00 01"), h("90 00"));
    assert!(c.my_number_selected());
    let log = c.log();
    assert!(log.last().unwrap().selected.unwrap().is_my_number());
    assert_eq!(
        log.iter()
            .filter(|e| e.selected.is_some_and(|s| s.is_my_number()))
            .count(),
        1
    );
    assert_eq!(tx(&c, "00 B0 00 00 11"), h("69 82"));
    tx(&c, "00 20 00 91 04 35 36 37 38");
    let r = tx(&c, "00 B0 00 00 11");
    assert_eq!(
        r,
        [h("FF 10 0C").as_slice(), b"123456789018", &h("FF FF 90 00")].concat()
    );
    assert_eq!(
        tx(&c, "00 B0 00 00 12"),
        [&r[..17], &h("62 82")[..]].concat()
    );
    assert_eq!(tx(&c, "00 B0 00 11 01"), h("6B 00"));
    // The SFI form counts as a selection too.
    let c = card();
    tx(&c, SELECT_TEXT);
    assert_eq!(tx(&c, "00 B0 81 00 11"), h("69 82"));
    assert!(c.my_number_selected());
    // Clearing the log keeps the sticky flag.
    c.clear_log();
    assert!(c.my_number_selected());
}
