//! Deterministic test keys and the example profiles.

use std::time::Instant;

use der::{Decode, Encode};
use rsa::pkcs1v15::{Signature, VerifyingKey};
use rsa::signature::Verifier;
use sha2::{Digest, Sha256};
use x509_cert::Certificate;

use crate::{Profile, VirtualCard};

use super::*;

// ---------------------------------------------------------------- keys and profiles

/// Pinned so that a change in key generation (e.g. an `rsa` upgrade) is noticed: the reference
/// issuer maps these fingerprints to people.
const TEST_CA_SPKI_SHA256: &str =
    "59e92612908570d3abe287887cdf86e5e0762823d099d7986889db360d1e6bb9";
const UNIT_AUTH_SPKI_SHA256: &str =
    "6339f3f762442177e4c0470c7c2e5ea7cfdf458d7ef45c61021e14823b233e15";

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[test]
fn keys_are_deterministic_and_pinned() {
    let ca = Certificate::from_der(&crate::test_ca_der().unwrap()).unwrap();
    let ca_spki = ca.tbs_certificate.subject_public_key_info.to_der().unwrap();
    assert_eq!(hex(&Sha256::digest(&ca_spki)), TEST_CA_SPKI_SHA256);
    let a = card();
    assert_eq!(hex(&a.auth_key_fingerprint()), UNIT_AUTH_SPKI_SHA256);
    // Same profile → byte-identical certificate; another seed → another key.
    let b = card();
    assert_eq!(a.auth_certificate_der(), b.auth_certificate_der());
    let other =
        VirtualCard::new(Profile::from_toml_str(&PROFILE.replace("unit tests", "other")).unwrap())
            .unwrap();
    assert_ne!(a.auth_key_fingerprint(), other.auth_key_fingerprint());
    // The CA is self-signed and exportable as PEM.
    let pem = crate::test_ca_pem().unwrap();
    assert!(pem.starts_with("-----BEGIN CERTIFICATE-----\n"));
    let tbs = ca.tbs_certificate.to_der().unwrap();
    let sig = Signature::try_from(ca.signature.raw_bytes()).unwrap();
    VerifyingKey::<Sha256>::new(public_key(&crate::test_ca_der().unwrap()))
        .verify(&tbs, &sig)
        .unwrap();
    assert!(
        ca.tbs_certificate
            .subject
            .to_string()
            .contains("O=JPKI-TEST")
    );
    assert_ne!(
        crate::test_ca_der().unwrap(),
        crate::test_sign_ca_der().unwrap()
    );
}

/// SHA-256 of the auth certificate's SubjectPublicKeyInfo for each example profile.
const EXAMPLE_FINGERPRINTS: [(&str, &str); 5] = [
    (
        "vcard-yamada-taro.toml",
        "88cbd2e26c99f52e48811c5e5aebb222272e4c1e19ac48e40cf752bac1dfe14f",
    ),
    (
        "vcard-yamada-hanako.toml",
        "2953fe01be7d6ca271fc6b97a34c876e73682ab65ad177bf3c8b962195d838c9",
    ),
    (
        "vcard-yamada-kenta.toml",
        "72a7884337db8569c198e17cfa97852c7a0408d76724ef414a04802943b2f08b",
    ),
    (
        "vcard-yamada-misaki-expired.toml",
        "69faeb12acc08704bdd4205ef7bf3d2d53a448dd0acdbac46ed505524e9880c9",
    ),
    (
        "vcard-yamada-kazuko-expired-last-month.toml",
        "1f34bb2fe36234c910caabb4806db0f8f12420b4477ab9edd4dee8e16c496675",
    ),
];

#[test]
fn example_profiles_load() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples");
    let mut names = Vec::new();
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        let file = path.file_name().unwrap().to_string_lossy().into_owned();
        if !(file.contains("vcard") && file.ends_with(".toml")) {
            continue;
        }
        let p = Profile::load(&path).unwrap();
        assert_eq!(
            (p.auth_pin.as_str(), p.text_pin.as_str()),
            ("1234", "1234"),
            "{file}"
        );
        assert!(p.name.starts_with("山田\u{3000}"), "{file}");
        names.push(p.name);
    }
    names.sort();
    assert_eq!(names.len(), EXAMPLE_FINGERPRINTS.len(), "{names:?}");
    // The auth-key fingerprints of the examples are stable (the demo issuer maps them to people).
    for (file, fingerprint) in EXAMPLE_FINGERPRINTS {
        let card = crate::card_from_profile_path(dir.join(file)).unwrap();
        assert_eq!(hex(&card.auth_key_fingerprint()), fingerprint, "{file}");
    }
    // The grace-period example expired last month, whatever the day the tests run (the day is
    // read before and after the load, in case it changes in between).
    let month_ago = || {
        shikaku_core::clock::japan_today(chrono::Utc::now())
            .checked_sub_months(chrono::Months::new(1))
            .unwrap()
    };
    let before = month_ago();
    let kazuko = Profile::load(dir.join("vcard-yamada-kazuko-expired-last-month.toml")).unwrap();
    assert!(
        [before, month_ago()].contains(&kazuko.cert_not_after),
        "{kazuko:?}"
    );
    let taro = crate::card_from_profile_path(dir.join("vcard-yamada-taro.toml")).unwrap();
    tx(&taro, SELECT_JPKI);
    tx(&taro, "00 A4 02 0C 02 00 18");
    assert_eq!(tx(&taro, VERIFY_1234), h("90 00"));
    assert!(matches!(
        crate::card_from_profile_path(dir.join("no-such-profile.toml")),
        Err(crate::VcardError::Profile(_))
    ));
}

#[test]
fn first_card_construction_time() {
    // Informational: run with --nocapture to see it. Another seed so the cache is cold for it.
    let p = Profile::from_toml_str(&PROFILE.replace("unit tests", "timing")).unwrap();
    let t = Instant::now();
    let c = VirtualCard::new(p).unwrap();
    let built = t.elapsed();
    let t = Instant::now();
    c.sign_certificate_der().unwrap();
    println!(
        "card built in {built:?}; sign key and certificate in {:?}",
        t.elapsed()
    );
}
