//! `CardCertificate::from_der_or_pem` on DER or PEM bytes; when it parses, every accessor,
//! the chain check against the embedded J-LIS auth roots at a fixed time, and the input used
//! as an extra trust anchor for a fixed leaf.
#![no_main]

use std::sync::OnceLock;

use chrono::{DateTime, Utc};
use libfuzzer_sys::fuzz_target;
use shikaku_core::card::{CardCertificate, CardError, TrustStore};

/// A leaf (CN=SHIKAKUFUZZCARD…, keyUsage digitalSignature) under the fuzz test CA.
const TEST_LEAF: &[u8] = include_bytes!("../testpki/leaf.der");

struct Fixed {
    jlis: TrustStore,
    leaf: CardCertificate,
}

fn fixed() -> &'static Fixed {
    static FIXED: OnceLock<Fixed> = OnceLock::new();
    FIXED.get_or_init(|| Fixed {
        jlis: TrustStore::jlis_auth().expect("the embedded J-LIS roots parse"),
        leaf: CardCertificate::from_der(TEST_LEAF).expect("the test leaf parses"),
    })
}

/// 2030-01-01T00:00:00Z: inside the validity of the 2023 J-LIS roots and of the test PKI.
fn now() -> DateTime<Utc> {
    DateTime::from_timestamp(1_893_456_000, 0).expect("a real time")
}

fuzz_target!(|data: &[u8]| {
    let fixed = fixed();
    let Ok(cert) = CardCertificate::from_der_or_pem(data) else {
        return;
    };
    let der = cert.der();
    let _ = cert.x509();
    let _ = cert.subject();
    let _ = cert.issuer();
    assert_eq!(cert.key_fingerprint().to_hex().len(), 64);
    let _ = format!("{:?}", cert.key_fingerprint());
    let (not_before, not_after) = (cert.not_before(), cert.not_after());
    match cert.check_validity(now()) {
        Ok(()) => assert!(not_before <= now() && now() <= not_after),
        Err(CardError::CertificateNotYetValid { .. } | CardError::CertificateExpired { .. }) => {}
        Err(other) => panic!("check_validity returned {other:?}"),
    }
    let _ = cert.allows_digital_signature();
    let _ = cert.rsa_public_key();
    let _ = cert.verify_signature(b"challenge", &[0u8; 256]);
    let _ = cert.is_signed_by(&cert);

    // What parsed re-encodes to DER that parses to the same DER.
    let again = CardCertificate::from_der(der).expect("der() of a parsed certificate parses");
    assert_eq!(again.der(), der);

    // The chain check of the card check, at a fixed time.
    let _ = fixed.jlis.find_issuer(&cert);
    match fixed.jlis.verify(&cert, now()) {
        Ok(status) => panic!("a fuzzed certificate chained to {}", status.anchor_label),
        Err(e) => {
            let _ = e.to_string();
        }
    }

    // The input as a caller-supplied anchor.
    let mut store = TrustStore::empty();
    if store.add_extra_anchor(data).is_ok() {
        let _ = store.verify(&fixed.leaf, now());
        let _ = store.find_issuer(&cert);
    }
});
