//! X.509 for the card check: the 利用者証明用 certificate, the embedded J-LIS roots, chain
//! building by signature, validity, keyUsage, and verifying the card's signature.
//!
//! All generations of the J-LIS auth root share one distinguished name, so the issuer of a
//! certificate is found by checking which anchor's key verifies its signature (the authority
//! key identifier, when both sides carry one, only narrows the candidates).

use chrono::{DateTime, Utc};
use const_oid::db::rfc5280::{ID_CE_AUTHORITY_KEY_IDENTIFIER, ID_CE_CERTIFICATE_POLICIES};
use const_oid::db::rfc5912::SHA_256_WITH_RSA_ENCRYPTION;
use der::{Decode, Encode};
use rsa::RsaPublicKey;
use rsa::pkcs1v15::{Signature, VerifyingKey};
use rsa::pkcs8::DecodePublicKey;
use rsa::signature::Verifier;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use x509_cert::ext::pkix::{BasicConstraints, KeyUsage, SubjectKeyIdentifier};

use super::error::CardError;

/// The certificate policy of JPKI 利用者証明用 certificates (docs/card-protocol.md, "JPKI
/// certificates"). `new_unwrap` runs at compile time: a malformed literal fails the build.
pub const JPKI_AUTH_POLICY: const_oid::ObjectIdentifier =
    const_oid::ObjectIdentifier::new_unwrap("1.2.392.200149.8.5.1.3.30");

/// What a J-LIS root certifies.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum RootUsage {
    /// 利用者証明用 (user authentication): the card check chains to these.
    Auth,
    /// 署名用 (digital signature): embedded for completeness, never used for the card check.
    Sign,
}

/// A J-LIS root certificate built into the library.
#[derive(Debug, Clone, Copy)]
pub struct EmbeddedRoot {
    /// A short label, e.g. `J-LIS auth 2023`.
    pub label: &'static str,
    /// What the root certifies.
    pub usage: RootUsage,
    /// The certificate, PEM.
    pub pem: &'static str,
}

/// The J-LIS roots shipped in `core/data/jlis/` (generations 2015 and 2023; the 2019
/// generation can be added with [`TrustStore::add_root`]).
pub const JLIS_ROOTS: [EmbeddedRoot; 4] = [
    EmbeddedRoot {
        label: "J-LIS auth 2015",
        usage: RootUsage::Auth,
        pem: include_str!("../../data/jlis/auth_ca_2015.pem"),
    },
    EmbeddedRoot {
        label: "J-LIS auth 2023",
        usage: RootUsage::Auth,
        pem: include_str!("../../data/jlis/auth_ca_2023.pem"),
    },
    EmbeddedRoot {
        label: "J-LIS sign 2015",
        usage: RootUsage::Sign,
        pem: include_str!("../../data/jlis/sign_ca_2015.pem"),
    },
    EmbeddedRoot {
        label: "J-LIS sign 2023",
        usage: RootUsage::Sign,
        pem: include_str!("../../data/jlis/sign_ca_2023.pem"),
    },
];

/// SHA-256 of a certificate's SubjectPublicKeyInfo DER: identifies the card's key.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct KeyFingerprint(pub [u8; 32]);

impl KeyFingerprint {
    /// Lower-case hex, 64 characters.
    pub fn to_hex(&self) -> String {
        self.0.iter().map(|b| format!("{b:02x}")).collect()
    }
}

impl std::fmt::Display for KeyFingerprint {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.to_hex())
    }
}

impl std::fmt::Debug for KeyFingerprint {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "KeyFingerprint({})", self.to_hex())
    }
}

/// A parsed X.509 certificate with the values the card check needs.
#[derive(Clone, Debug)]
pub struct CardCertificate {
    der: Vec<u8>,
    cert: x509_cert::Certificate,
    spki_der: Vec<u8>,
}

fn to_utc(time: x509_cert::time::Time) -> DateTime<Utc> {
    let secs = time.to_unix_duration().as_secs();
    // X.509 times are years 1950..=9999, far inside chrono's range; the fallback is unreachable.
    i64::try_from(secs)
        .ok()
        .and_then(|s| DateTime::from_timestamp(s, 0))
        .unwrap_or(DateTime::<Utc>::MAX_UTC)
}

impl CardCertificate {
    /// Parses a DER certificate.
    pub fn from_der(der: &[u8]) -> Result<Self, CardError> {
        let cert = x509_cert::Certificate::from_der(der)
            .map_err(|_| CardError::malformed("certificate is not valid DER X.509"))?;
        Self::from_parsed(cert)
    }

    /// Parses a PEM certificate.
    ///
    /// The PEM armour is removed first and the DER parsed by [`Self::from_der`]: one X.509
    /// decoder in the library instead of a second one monomorphised over the PEM reader
    /// (about 42 KB of the stripped FFI library, docs/decisions/0007-ffi-size.md).
    pub fn from_pem(pem: &str) -> Result<Self, CardError> {
        let (label, der) = der::pem::decode_vec(pem.as_bytes())
            .map_err(|_| CardError::malformed("certificate is not valid PEM"))?;
        if label != "CERTIFICATE" {
            return Err(CardError::malformed("PEM block is not a certificate"));
        }
        Self::from_der(&der)
    }

    /// Parses DER, or PEM when the bytes start like PEM text.
    pub fn from_der_or_pem(bytes: &[u8]) -> Result<Self, CardError> {
        let trimmed = bytes.trim_ascii_start();
        if trimmed.starts_with(b"-----BEGIN") {
            let text = std::str::from_utf8(trimmed)
                .map_err(|_| CardError::malformed("PEM certificate is not text"))?;
            Self::from_pem(text)
        } else {
            Self::from_der(bytes)
        }
    }

    fn from_parsed(cert: x509_cert::Certificate) -> Result<Self, CardError> {
        let der = cert
            .to_der()
            .map_err(|_| CardError::malformed("certificate does not re-encode"))?;
        let spki_der = cert
            .tbs_certificate
            .subject_public_key_info
            .to_der()
            .map_err(|_| CardError::malformed("certificate key does not re-encode"))?;
        Ok(Self {
            der,
            cert,
            spki_der,
        })
    }

    /// The certificate, DER.
    pub fn der(&self) -> &[u8] {
        &self.der
    }

    /// The parsed certificate.
    pub fn x509(&self) -> &x509_cert::Certificate {
        &self.cert
    }

    /// The SubjectPublicKeyInfo, DER: what a presentation's salted holder binding is made of.
    pub fn spki_der(&self) -> &[u8] {
        &self.spki_der
    }

    /// SHA-256 of the SubjectPublicKeyInfo DER.
    pub fn key_fingerprint(&self) -> KeyFingerprint {
        KeyFingerprint(Sha256::digest(&self.spki_der).into())
    }

    /// The subject as an RFC 4514 string (the auth certificate's CN is an opaque id, no name).
    pub fn subject(&self) -> String {
        self.cert.tbs_certificate.subject.to_string()
    }

    /// The issuer as an RFC 4514 string.
    pub fn issuer(&self) -> String {
        self.cert.tbs_certificate.issuer.to_string()
    }

    /// Start of validity.
    pub fn not_before(&self) -> DateTime<Utc> {
        to_utc(self.cert.tbs_certificate.validity.not_before)
    }

    /// End of validity.
    pub fn not_after(&self) -> DateTime<Utc> {
        to_utc(self.cert.tbs_certificate.validity.not_after)
    }

    /// Fails with [`CardError::CertificateNotYetValid`] or [`CardError::CertificateExpired`]
    /// when `now` is outside the validity period.
    pub fn check_validity(&self, now: DateTime<Utc>) -> Result<(), CardError> {
        if now < self.not_before() {
            return Err(CardError::CertificateNotYetValid {
                not_before: self.not_before(),
            });
        }
        if now > self.not_after() {
            return Err(CardError::CertificateExpired {
                not_after: self.not_after(),
            });
        }
        Ok(())
    }

    /// True when the keyUsage extension is present and allows digitalSignature.
    pub fn allows_digital_signature(&self) -> bool {
        matches!(
            self.cert.tbs_certificate.get::<KeyUsage>(),
            Ok(Some((_, usage))) if usage.digital_signature()
        )
    }

    /// True for an end-entity certificate: basicConstraints absent, or present with cA false.
    /// (A CA certificate presented by a card is not a card's certificate.)
    pub fn is_end_entity(&self) -> bool {
        match self.cert.tbs_certificate.get::<BasicConstraints>() {
            Ok(None) => true,
            Ok(Some((_, bc))) => !bc.ca,
            Err(_) => false,
        }
    }

    /// True when the certificatePolicies extension names the JPKI 利用者証明用 policy
    /// [`JPKI_AUTH_POLICY`] (RFC 5280 §4.2.1.4). Read with der's reader, as the authority key
    /// identifier's keyIdentifier is: each PolicyInformation's policyIdentifier, and of its
    /// policyQualifiers only their DER structure (a SEQUENCE OF SEQUENCE, each an OID and at
    /// most one value of any type), what x509-cert's `CertificatePolicies` accepts, without
    /// decoding the qualifiers into owned values, which cost the phone library ≈ 5 KB more
    /// (docs/decisions/0007-ffi-size.md, round 11). The extension must be there once (RFC 5280
    /// §4.2) and well-formed to its end.
    pub fn has_jpki_auth_policy(&self) -> bool {
        use der::asn1::{AnyRef, ObjectIdentifier};
        use der::{Reader, SliceReader};
        let Some(value) = self.only_extension(ID_CE_CERTIFICATE_POLICIES) else {
            return false;
        };
        let Ok(mut reader) = SliceReader::new(value) else {
            return false;
        };
        let found = reader.sequence(|policies| {
            let mut found = false;
            while !policies.is_finished() {
                found |= policies.sequence(|info| {
                    let id = ObjectIdentifier::decode(info)?;
                    if !info.is_finished() {
                        info.sequence(|qualifiers| {
                            while !qualifiers.is_finished() {
                                qualifiers.sequence(|q| {
                                    ObjectIdentifier::decode(q)?;
                                    if !q.is_finished() {
                                        AnyRef::decode(q)?;
                                    }
                                    Ok(())
                                })?;
                            }
                            Ok(())
                        })?;
                    }
                    Ok(id == JPKI_AUTH_POLICY)
                })?;
            }
            Ok(found)
        });
        matches!(found.and_then(|found| reader.finish(found)), Ok(true))
    }

    /// The value of the extension `id` when the certificate carries it exactly once.
    fn only_extension(&self, id: const_oid::ObjectIdentifier) -> Option<&[u8]> {
        let mut found = None;
        for e in self
            .cert
            .tbs_certificate
            .extensions
            .as_deref()
            .unwrap_or(&[])
        {
            if e.extn_id == id {
                if found.is_some() {
                    return None;
                }
                found = Some(e.extn_value.as_bytes());
            }
        }
        found
    }

    /// The profile of a card's 利用者証明用 certificate: keyUsage digitalSignature, not a CA,
    /// and the JPKI auth policy; anything else is [`CardError::CertificateKeyUsage`].
    fn check_auth_profile(&self) -> Result<(), CardError> {
        if self.allows_digital_signature() && self.is_end_entity() && self.has_jpki_auth_policy() {
            Ok(())
        } else {
            Err(CardError::CertificateKeyUsage)
        }
    }

    fn subject_key_id(&self) -> Option<Vec<u8>> {
        match self.cert.tbs_certificate.get::<SubjectKeyIdentifier>() {
            Ok(Some((_, ski))) => Some(ski.0.as_bytes().to_vec()),
            _ => None,
        }
    }

    /// The `[0] keyIdentifier` of the AuthorityKeyIdentifier extension (RFC 5280 §4.2.1.1),
    /// when there is exactly one such extension and it is well-formed. Only that field is
    /// decoded: decoding the whole `AuthorityKeyIdentifier` (its `GeneralNames`) cost the
    /// phone library 30 KB for a value that is only a pre-filter (docs/decisions/0007).
    fn authority_key_id(&self) -> Option<Vec<u8>> {
        use der::asn1::OctetStringRef;
        use der::{Reader, SliceReader, TagMode, TagNumber};
        let mut reader =
            SliceReader::new(self.only_extension(ID_CE_AUTHORITY_KEY_IDENTIFIER)?).ok()?;
        let id = reader
            .sequence(|seq| {
                let id =
                    seq.context_specific::<OctetStringRef<'_>>(TagNumber::N0, TagMode::Implicit)?;
                // [1] authorityCertIssuer and [2] authorityCertSerialNumber are not needed.
                seq.read_slice(seq.remaining_len())?;
                Ok(id.map(|id| id.as_bytes().to_vec()))
            })
            .ok()?;
        reader.finish(id).ok()?
    }

    /// The RSA public key.
    pub fn rsa_public_key(&self) -> Result<RsaPublicKey, CardError> {
        RsaPublicKey::from_public_key_der(&self.spki_der)
            .map_err(|_| CardError::malformed("certificate key is not RSA"))
    }

    /// Verifies an RSA PKCS#1 v1.5 SHA-256 signature over `message` with this certificate's
    /// key; any failure is [`CardError::BadSignature`].
    pub fn verify_signature(&self, message: &[u8], signature: &[u8]) -> Result<(), CardError> {
        let key = self.rsa_public_key()?;
        let signature = Signature::try_from(signature).map_err(|_| CardError::BadSignature)?;
        VerifyingKey::<Sha256>::new(key)
            .verify(message, &signature)
            .map_err(|_| CardError::BadSignature)
    }

    /// True when `issuer`'s key verifies this certificate's sha256WithRSAEncryption signature
    /// (and the issuer's subject is this certificate's issuer).
    pub fn is_signed_by(&self, issuer: &CardCertificate) -> bool {
        let tbs = &self.cert.tbs_certificate;
        if tbs.issuer != issuer.cert.tbs_certificate.subject
            || self.cert.signature_algorithm.oid != SHA_256_WITH_RSA_ENCRYPTION
            || tbs.signature.oid != SHA_256_WITH_RSA_ENCRYPTION
        {
            return false;
        }
        let (Ok(tbs_der), Some(signature)) = (tbs.to_der(), self.cert.signature.as_bytes()) else {
            return false;
        };
        issuer.verify_signature(&tbs_der, signature).is_ok()
    }
}

/// Where a trust anchor came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum AnchorSource {
    /// A J-LIS auth root built into the library.
    Embedded,
    /// A root added with [`TrustStore::add_root`] (e.g. the 2019 J-LIS generation).
    Added,
    /// A caller-supplied anchor for this check (e.g. the virtual card's test CA).
    Extra,
}

/// Which anchor a certificate chained to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChainStatus {
    /// The anchor's label (e.g. `J-LIS auth 2023`, or the subject of an extra anchor).
    pub anchor_label: String,
    /// Where the anchor came from.
    pub anchor_source: AnchorSource,
    /// SHA-256 of the anchor's SubjectPublicKeyInfo.
    pub anchor_key: KeyFingerprint,
}

#[derive(Debug, Clone)]
struct Anchor {
    certificate: CardCertificate,
    label: String,
    source: AnchorSource,
}

/// The trust anchors a 利用者証明用 certificate may chain to (directly: J-LIS issues the
/// card certificates from the roots).
#[derive(Debug, Clone, Default)]
pub struct TrustStore {
    anchors: Vec<Anchor>,
}

impl TrustStore {
    /// A store with no anchors.
    pub fn empty() -> Self {
        Self::default()
    }

    /// The embedded J-LIS **auth** roots (not the sign roots).
    pub fn jlis_auth() -> Result<Self, CardError> {
        let mut store = Self::empty();
        for root in JLIS_ROOTS.iter().filter(|r| r.usage == RootUsage::Auth) {
            store.anchors.push(Anchor {
                certificate: CardCertificate::from_pem(root.pem)?,
                label: root.label.to_owned(),
                source: AnchorSource::Embedded,
            });
        }
        Ok(store)
    }

    /// Adds a root (DER or PEM), e.g. the 2019 J-LIS auth generation.
    pub fn add_root(&mut self, certificate: &[u8], label: &str) -> Result<(), CardError> {
        self.push(certificate, label.to_owned(), AnchorSource::Added)
    }

    /// Adds a caller-supplied anchor (DER or PEM), labelled with its subject.
    pub fn add_extra_anchor(&mut self, certificate: &[u8]) -> Result<(), CardError> {
        let parsed = CardCertificate::from_der_or_pem(certificate)?;
        let label = parsed.subject();
        self.anchors.push(Anchor {
            certificate: parsed,
            label,
            source: AnchorSource::Extra,
        });
        Ok(())
    }

    fn push(
        &mut self,
        certificate: &[u8],
        label: String,
        source: AnchorSource,
    ) -> Result<(), CardError> {
        self.anchors.push(Anchor {
            certificate: CardCertificate::from_der_or_pem(certificate)?,
            label,
            source,
        });
        Ok(())
    }

    /// Number of anchors.
    pub fn len(&self) -> usize {
        self.anchors.len()
    }

    /// True when there are no anchors.
    pub fn is_empty(&self) -> bool {
        self.anchors.is_empty()
    }

    /// The anchor whose key verifies `certificate`'s signature, if any. Anchors whose subject
    /// key id differs from the certificate's authority key id are skipped when both are
    /// present.
    pub fn find_issuer(&self, certificate: &CardCertificate) -> Option<ChainStatus> {
        self.find_issuer_among(certificate, |_| true)
    }

    /// [`TrustStore::find_issuer`] among the anchors that pass `usable`.
    fn find_issuer_among(
        &self,
        certificate: &CardCertificate,
        usable: impl Fn(&CardCertificate) -> bool,
    ) -> Option<ChainStatus> {
        let aki = certificate.authority_key_id();
        self.anchors
            .iter()
            .filter(|anchor| usable(&anchor.certificate))
            .filter(|anchor| match (&aki, anchor.certificate.subject_key_id()) {
                (Some(aki), Some(ski)) => *aki == ski,
                _ => true,
            })
            .find(|anchor| certificate.is_signed_by(&anchor.certificate))
            .map(|anchor| ChainStatus {
                anchor_label: anchor.label.clone(),
                anchor_source: anchor.source,
                anchor_key: anchor.certificate.key_fingerprint(),
            })
    }

    /// Checks a 利用者証明用 certificate at `now`: issued by an anchor
    /// ([`CardError::UntrustedCertificate`]), within its validity
    /// ([`CardError::CertificateExpired`] / [`CardError::CertificateNotYetValid`]), and of the
    /// auth profile — keyUsage digitalSignature, not a CA (basicConstraints cA false or absent),
    /// the JPKI auth policy `1.2.392.200149.8.5.1.3.30` ([`CardError::CertificateKeyUsage`]).
    /// Revocation is not checked: it needs J-LIS's OCSP or CRL online (docs/card-protocol.md).
    pub fn verify(
        &self,
        certificate: &CardCertificate,
        now: DateTime<Utc>,
    ) -> Result<ChainStatus, CardError> {
        let status = self
            .find_issuer(certificate)
            .ok_or(CardError::UntrustedCertificate)?;
        certificate.check_validity(now)?;
        certificate.check_auth_profile()?;
        Ok(status)
    }

    /// Checks a 利用者証明用 certificate **as of its own notAfter**, for one that has expired
    /// since: issued by an anchor that was itself valid at that instant (an anchor that had
    /// expired, or was not yet valid, does not count: [`CardError::UntrustedCertificate`]),
    /// and with keyUsage digitalSignature ([`CardError::CertificateKeyUsage`]).
    ///
    /// Whether an expired certificate is still acceptable is the caller's decision: the card
    /// check accepts one only inside the 保険証 grace period ([`crate::card::check_card`]).
    pub fn verify_as_of_expiry(
        &self,
        certificate: &CardCertificate,
    ) -> Result<ChainStatus, CardError> {
        let at = certificate.not_after();
        let status = self
            .find_issuer_among(certificate, |anchor| anchor.check_validity(at).is_ok())
            .ok_or(CardError::UntrustedCertificate)?;
        certificate.check_validity(at)?;
        certificate.check_auth_profile()?;
        Ok(status)
    }
}

/// Test PKI: a test CA, a leaf under it, and an impostor CA that copies the J-LIS auth DN.
/// RSA keys are generated once per test binary.
#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
pub(crate) mod testpki {
    use std::str::FromStr;
    use std::sync::OnceLock;
    use std::time::Duration;

    use der::Encode;
    use der::asn1::UtcTime;
    use rsa::pkcs1v15::{Signature, SigningKey};
    use rsa::signature::Signer;
    use rsa::{RsaPrivateKey, RsaPublicKey};
    use sha2::Sha256;
    use spki::SubjectPublicKeyInfoOwned;
    use x509_cert::builder::{Builder, CertificateBuilder, Profile};
    use x509_cert::name::Name;
    use x509_cert::serial_number::SerialNumber;
    use x509_cert::time::{Time, Validity};

    /// The J-LIS auth DN, RFC 4514 (most specific RDN first).
    pub const JLIS_AUTH_DN: &str = "OU=Japan Agency for Local Authority Information Systems,\
                                    OU=JPKI for user authentication,O=JPKI,C=JP";

    /// Keys and certificates of the test PKI.
    pub struct Pki {
        /// The test CA's certificate (DER).
        pub ca: Vec<u8>,
        /// The card's auth certificate under the test CA, valid 2025-01-01 … 2030-01-01.
        pub leaf: Vec<u8>,
        /// The card's auth key.
        pub leaf_key: RsaPrivateKey,
        /// A certificate for the same key signed by the impostor CA (J-LIS DN, other key).
        pub leaf_by_impostor: Vec<u8>,
        /// The impostor CA's certificate.
        pub impostor_ca: Vec<u8>,
        /// A certificate for the card key under the test CA without digitalSignature.
        pub leaf_without_signature_usage: Vec<u8>,
        /// A leaf for the card key under the test CA without the JPKI auth policy.
        pub leaf_without_policy: Vec<u8>,
        /// The test CA again (same name, same key) with a validity that ends before the leaf's
        /// ([`CA_SHORT_NOT_AFTER`]): the leaf chains to it only while both are valid.
        pub ca_ending_before_leaf: Vec<u8>,
    }

    fn time(unix: u64) -> Time {
        Time::UtcTime(UtcTime::from_unix_duration(Duration::from_secs(unix)).unwrap())
    }

    /// 2025-01-01T00:00:00Z.
    pub const NOT_BEFORE: u64 = 1_735_689_600;
    /// 2030-01-01T00:00:00Z.
    pub const NOT_AFTER: u64 = 1_893_456_000;

    /// 2029-07-01T00:00:00Z: the end of [`Pki::ca_ending_before_leaf`].
    pub const CA_SHORT_NOT_AFTER: u64 = 1_877_558_400;

    fn validity() -> Validity {
        Validity {
            not_before: time(NOT_BEFORE),
            not_after: time(NOT_AFTER),
        }
    }

    fn spki(key: &RsaPublicKey) -> SubjectPublicKeyInfoOwned {
        SubjectPublicKeyInfoOwned::from_key(key.clone()).unwrap()
    }

    fn build(
        profile: Profile,
        serial: u8,
        subject: &str,
        subject_key: &RsaPublicKey,
        signer: &RsaPrivateKey,
    ) -> Vec<u8> {
        build_valid(validity(), profile, serial, subject, subject_key, signer)
    }

    fn build_valid(
        validity: Validity,
        profile: Profile,
        serial: u8,
        subject: &str,
        subject_key: &RsaPublicKey,
        signer: &RsaPrivateKey,
    ) -> Vec<u8> {
        build_with(
            validity,
            profile,
            serial,
            subject,
            subject_key,
            signer,
            true,
        )
    }

    /// [`build_valid`], with or without the JPKI auth policy on a leaf.
    fn build_with(
        validity: Validity,
        profile: Profile,
        serial: u8,
        subject: &str,
        subject_key: &RsaPublicKey,
        signer: &RsaPrivateKey,
        auth_policy: bool,
    ) -> Vec<u8> {
        let leaf = matches!(profile, Profile::Leaf { .. });
        let signer = SigningKey::<Sha256>::new(signer.clone());
        let mut builder = CertificateBuilder::new(
            profile,
            SerialNumber::new(&[serial]).unwrap(),
            validity,
            Name::from_str(subject).unwrap(),
            spki(subject_key),
            &signer,
        )
        .unwrap();
        if leaf && auth_policy {
            builder
                .add_extension(&x509_cert::ext::pkix::CertificatePolicies(vec![
                    x509_cert::ext::pkix::certpolicy::PolicyInformation {
                        policy_identifier: super::JPKI_AUTH_POLICY,
                        policy_qualifiers: None,
                    },
                ]))
                .unwrap();
        }
        builder.build::<Signature>().unwrap().to_der().unwrap()
    }

    /// The shared test PKI.
    pub fn pki() -> &'static Pki {
        static PKI: OnceLock<Pki> = OnceLock::new();
        PKI.get_or_init(|| {
            let mut rng = rand_core::OsRng;
            let ca_key = RsaPrivateKey::new(&mut rng, 2048).unwrap();
            let leaf_key = RsaPrivateKey::new(&mut rng, 2048).unwrap();
            let impostor_key = RsaPrivateKey::new(&mut rng, 2048).unwrap();
            let ca_dn = "OU=shikaku test CA,O=JPKI-TEST,C=JP";
            let leaf_dn = "CN=SHIKAKUTESTCARD0000000001,C=JP";
            let ca = build(Profile::Root, 1, ca_dn, &ca_key.to_public_key(), &ca_key);
            let leaf_profile = |issuer: &str| Profile::Leaf {
                issuer: Name::from_str(issuer).unwrap(),
                enable_key_agreement: false,
                enable_key_encipherment: false,
            };
            let leaf = build(
                leaf_profile(ca_dn),
                2,
                leaf_dn,
                &leaf_key.to_public_key(),
                &ca_key,
            );
            let impostor_ca = build(
                Profile::Root,
                1,
                JLIS_AUTH_DN,
                &impostor_key.to_public_key(),
                &impostor_key,
            );
            let leaf_by_impostor = build(
                leaf_profile(JLIS_AUTH_DN),
                3,
                leaf_dn,
                &leaf_key.to_public_key(),
                &impostor_key,
            );
            let leaf_without_signature_usage = build(
                Profile::SubCA {
                    issuer: Name::from_str(ca_dn).unwrap(),
                    path_len_constraint: Some(0),
                },
                4,
                leaf_dn,
                &leaf_key.to_public_key(),
                &ca_key,
            );
            let leaf_without_policy = build_with(
                validity(),
                leaf_profile(ca_dn),
                6,
                leaf_dn,
                &leaf_key.to_public_key(),
                &ca_key,
                false,
            );
            let ca_ending_before_leaf = build_valid(
                Validity {
                    not_before: time(NOT_BEFORE),
                    not_after: time(CA_SHORT_NOT_AFTER),
                },
                Profile::Root,
                5,
                ca_dn,
                &ca_key.to_public_key(),
                &ca_key,
            );
            Pki {
                ca,
                leaf,
                leaf_key,
                leaf_by_impostor,
                impostor_ca,
                leaf_without_signature_usage,
                leaf_without_policy,
                ca_ending_before_leaf,
            }
        })
    }

    /// What the card answers to COMPUTE DIGITAL SIGNATURE for a DigestInfo holding `hash`:
    /// PKCS#1 v1.5 type-1 padding of the DigestInfo, raised to the private exponent.
    pub fn card_sign_hash(hash: &[u8]) -> Vec<u8> {
        pki()
            .leaf_key
            .sign(rsa::Pkcs1v15Sign::new::<Sha256>(), hash)
            .unwrap()
    }

    /// A PKCS#1 v1.5 SHA-256 signature over `message` by the card key, as the card makes it: PKCS#1 v1.5 over the DigestInfo
    /// (equivalent to sha256WithRSA over the message whose hash it holds).
    pub fn card_sign(message: &[u8]) -> Vec<u8> {
        let key = SigningKey::<Sha256>::new(pki().leaf_key.clone());
        let signature: Signature = key.sign(message);
        Box::<[u8]>::from(signature).into_vec()
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::testpki::{CA_SHORT_NOT_AFTER, NOT_AFTER, pki};
    use super::*;

    fn at(unix: i64) -> DateTime<Utc> {
        DateTime::from_timestamp(unix, 0).unwrap()
    }

    fn roots() -> Vec<CardCertificate> {
        JLIS_ROOTS
            .iter()
            .map(|r| CardCertificate::from_pem(r.pem).unwrap())
            .collect()
    }

    /// The key-identifier-only reading agrees with a full decode of the extension (x509-cert's
    /// `AuthorityKeyIdentifier`) on the real J-LIS roots and the test PKI, and is present where
    /// the certificate carries one.
    #[test]
    fn the_authority_key_id_is_the_extensions_key_identifier() {
        use x509_cert::ext::pkix::AuthorityKeyIdentifier;
        let p = pki();
        let mut certs = roots();
        certs.push(CardCertificate::from_der(&p.ca).unwrap());
        certs.push(CardCertificate::from_der(&p.leaf).unwrap());
        let mut with_one = 0;
        for c in &certs {
            let full = match c.cert.tbs_certificate.get::<AuthorityKeyIdentifier>() {
                Ok(Some((_, aki))) => aki.key_identifier.map(|id| id.as_bytes().to_vec()),
                _ => None,
            };
            assert_eq!(c.authority_key_id(), full, "{}", c.subject());
            with_one += usize::from(full.is_some());
        }
        assert!(
            with_one > 0,
            "no certificate here carries an authority key identifier"
        );
        // The leaf's names its CA's key.
        let ca = CardCertificate::from_der(&p.ca).unwrap();
        let leaf = CardCertificate::from_der(&p.leaf).unwrap();
        if let Some(aki) = leaf.authority_key_id() {
            assert_eq!(Some(aki), ca.subject_key_id());
        }
    }

    /// The reading of certificatePolicies without x509-cert's types agrees with x509-cert's
    /// full decode (`CertificatePolicies` with its qualifiers) on the test PKI's certificates
    /// and on every value below: qualifiers of each shape, the JPKI policy first or last among
    /// others, and malformed values refused (the J-LIS roots carry no certificatePolicies).
    /// A duplicated extension is refused too (RFC 5280 §4.2).
    #[test]
    fn the_auth_policy_is_read_as_x509_cert_decodes_it() {
        use der::asn1::{Any, Ia5StringRef, ObjectIdentifier};
        use x509_cert::ext::Extension;
        use x509_cert::ext::pkix::CertificatePolicies;
        use x509_cert::ext::pkix::certpolicy::{PolicyInformation, PolicyQualifierInfo};
        let full = |v: &[u8]| {
            CertificatePolicies::from_der(v)
                .is_ok_and(|p| p.0.iter().any(|p| p.policy_identifier == JPKI_AUTH_POLICY))
        };
        let p = pki();
        for der in [&p.leaf, &p.leaf_without_policy, &p.ca] {
            let c = CardCertificate::from_der(der).unwrap();
            let decoded = matches!(
                c.cert.tbs_certificate.get::<CertificatePolicies>(),
                Ok(Some((_, policies)))
                    if policies.0.iter().any(|p| p.policy_identifier == JPKI_AUTH_POLICY)
            );
            assert_eq!(c.has_jpki_auth_policy(), decoded, "{}", c.subject());
        }
        let cps = PolicyQualifierInfo {
            policy_qualifier_id: ObjectIdentifier::new_unwrap("1.3.6.1.5.5.7.2.1"),
            qualifier: Some(
                Any::encode_from(&Ia5StringRef::new("https://www.jpki.go.jp/").unwrap()).unwrap(),
            ),
        };
        let bare = PolicyQualifierInfo {
            qualifier: None,
            ..cps.clone()
        };
        let info = |id: ObjectIdentifier, q: Option<Vec<PolicyQualifierInfo>>| PolicyInformation {
            policy_identifier: id,
            policy_qualifiers: q,
        };
        let other = ObjectIdentifier::new_unwrap("1.2.392.200149.8.5.1.1.10");
        let value =
            |policies: Vec<PolicyInformation>| CertificatePolicies(policies).to_der().unwrap();
        let leaf = CardCertificate::from_der(&p.leaf).unwrap();
        let with = |values: &[Vec<u8>]| {
            let mut c = leaf.clone();
            let exts = c.cert.tbs_certificate.extensions.as_mut().unwrap();
            exts.retain(|e| e.extn_id != ID_CE_CERTIFICATE_POLICIES);
            for v in values {
                exts.push(Extension {
                    extn_id: ID_CE_CERTIFICATE_POLICIES,
                    critical: false,
                    extn_value: der::asn1::OctetString::new(v.clone()).unwrap(),
                });
            }
            c.has_jpki_auth_policy()
        };
        let jpki = "060b2a83088c9b55080501031e";
        let hex = |h: &str| {
            (0..h.len())
                .step_by(2)
                .map(|i| u8::from_str_radix(&h[i..i + 2], 16).unwrap())
                .collect::<Vec<u8>>()
        };
        let both = value(vec![
            info(other, Some(vec![cps.clone()])),
            info(JPKI_AUTH_POLICY, Some(vec![cps.clone(), bare.clone()])),
        ]);
        let cases: Vec<(Vec<u8>, bool)> = vec![
            (both.clone(), true),
            (
                value(vec![
                    info(JPKI_AUTH_POLICY, None),
                    info(other, Some(vec![bare.clone()])),
                ]),
                true,
            ),
            (value(vec![info(JPKI_AUTH_POLICY, Some(vec![]))]), true),
            (value(vec![info(other, Some(vec![cps.clone()]))]), false),
            (value(vec![]), false),
            // Cut short, or followed by more bytes.
            (both[..both.len() - 1].to_vec(), false),
            ([both.as_slice(), &[0x05, 0x00]].concat(), false),
            // A PolicyInformation not starting with an OID.
            (hex("300530030201 01".replace(' ', "").as_str()), false),
            // After the OID: bytes that are not DER, a NULL, a second element after the
            // qualifiers, an INTEGER where a qualifier's SEQUENCE goes (review of 2026-11-30),
            // and a qualifier without its OID.
            (hex(&format!("3011300f{jpki}ffff")), false),
            (hex(&format!("3011300f{jpki}0500")), false),
            (hex(&format!("30133011{jpki}30000500")), false),
            (hex(&format!("30143012{jpki}3003020101")), false),
            (hex(&format!("30163014{jpki}30053003020101")), false),
            // Well-formed: a qualifier of an OID alone (id-qt-cps), and one with a value.
            (
                hex(&format!("301d301b{jpki}300c300a06082b06010505070201")),
                true,
            ),
            (
                hex(&format!("301f301d{jpki}300e300c06082b060105050702010500")),
                true,
            ),
        ];
        for (i, (v, expected)) in cases.iter().enumerate() {
            assert_eq!(full(v), *expected, "case {i}: x509-cert");
            assert_eq!(with(std::slice::from_ref(v)), *expected, "case {i}");
        }
        assert!(!with(&[]));
        // Twice (RFC 5280 §4.2).
        assert!(!with(&[both.clone(), both]));
    }

    #[test]
    fn jlis_roots_parse_and_self_verify() {
        for (root, cert) in JLIS_ROOTS.iter().zip(roots()) {
            assert!(cert.is_signed_by(&cert), "{} self-signature", root.label);
            assert!(cert.subject().contains("O=JPKI"), "{}", cert.subject());
            assert_eq!(cert.subject(), cert.issuer());
            assert!(!cert.allows_digital_signature());
            assert_eq!(
                cert.rsa_public_key()
                    .map(|k| rsa::traits::PublicKeyParts::size(&k)),
                Ok(256)
            );
        }
        let year = |c: &CardCertificate| c.not_before().format("%Y").to_string();
        let all = roots();
        assert_eq!(
            all.iter().map(year).collect::<Vec<_>>(),
            ["2015", "2023", "2015", "2023"]
        );
    }

    #[test]
    fn jlis_roots_are_told_apart_by_signature() {
        let all = roots();
        // Both auth generations share one DN; only the signature separates them.
        assert_eq!(all[0].subject(), all[1].subject());
        assert_ne!(all[0].subject(), all[2].subject());
        for (i, a) in all.iter().enumerate() {
            for (j, b) in all.iter().enumerate() {
                assert_eq!(a.is_signed_by(b), i == j, "{i} signed by {j}");
            }
        }
        // The auth store finds each auth root's own generation, and refuses the sign roots.
        let store = TrustStore::jlis_auth().unwrap();
        assert_eq!(store.len(), 2);
        assert_eq!(
            store.find_issuer(&all[0]).map(|s| s.anchor_label),
            Some("J-LIS auth 2015".to_owned())
        );
        assert_eq!(
            store.find_issuer(&all[1]).map(|s| s.anchor_label),
            Some("J-LIS auth 2023".to_owned())
        );
        assert_eq!(store.find_issuer(&all[2]), None);
        assert_eq!(store.find_issuer(&all[3]), None);
        assert_ne!(all[0].key_fingerprint(), all[1].key_fingerprint());
    }

    #[test]
    fn an_impostor_with_the_jlis_dn_is_untrusted() {
        let pki = pki();
        let leaf = CardCertificate::from_der(&pki.leaf_by_impostor).unwrap();
        assert_eq!(
            leaf.issuer(),
            CardCertificate::from_pem(JLIS_ROOTS[1].pem)
                .unwrap()
                .subject()
        );
        let store = TrustStore::jlis_auth().unwrap();
        let now = at(1_780_000_000);
        assert_eq!(
            store.verify(&leaf, now),
            Err(CardError::UntrustedCertificate)
        );
        // Once the impostor is an extra anchor, the same DN chains to it, not to J-LIS.
        let mut store = store;
        store.add_extra_anchor(&pki.impostor_ca).unwrap();
        let status = store.verify(&leaf, now).unwrap();
        assert_eq!(status.anchor_source, AnchorSource::Extra);
    }

    #[test]
    fn test_ca_chain_validity_and_key_usage() {
        let pki = pki();
        let leaf = CardCertificate::from_der(&pki.leaf).unwrap();
        let mut store = TrustStore::jlis_auth().unwrap();
        let now = at(1_780_000_000);
        assert_eq!(
            store.verify(&leaf, now),
            Err(CardError::UntrustedCertificate)
        );
        store.add_root(&pki.ca, "test CA").unwrap();
        let status = store.verify(&leaf, now).unwrap();
        assert_eq!(status.anchor_label, "test CA");
        assert_eq!(status.anchor_source, AnchorSource::Added);
        assert_eq!(
            status.anchor_key,
            CardCertificate::from_der(&pki.ca)
                .unwrap()
                .key_fingerprint()
        );
        let after = at(NOT_AFTER as i64 + 1);
        assert_eq!(
            store.verify(&leaf, after),
            Err(CardError::CertificateExpired {
                not_after: at(NOT_AFTER as i64)
            })
        );
        assert!(matches!(
            store.verify(&leaf, at(1_700_000_000)),
            Err(CardError::CertificateNotYetValid { .. })
        ));
        let no_usage = CardCertificate::from_der(&pki.leaf_without_signature_usage).unwrap();
        assert_eq!(
            store.verify(&no_usage, now),
            Err(CardError::CertificateKeyUsage)
        );
    }

    #[test]
    fn only_an_end_entity_certificate_with_the_jpki_auth_policy_is_a_card_certificate() {
        let pki = pki();
        let mut store = TrustStore::jlis_auth().unwrap();
        store.add_root(&pki.ca, "test CA").unwrap();
        let now = at(1_780_000_000);
        let leaf = CardCertificate::from_der(&pki.leaf).unwrap();
        assert!(leaf.is_end_entity() && leaf.has_jpki_auth_policy());
        assert!(store.verify(&leaf, now).is_ok());
        // Without the 利用者証明用 policy: refused, before any PIN.
        let no_policy = CardCertificate::from_der(&pki.leaf_without_policy).unwrap();
        assert!(no_policy.allows_digital_signature() && !no_policy.has_jpki_auth_policy());
        assert_eq!(
            store.verify(&no_policy, now),
            Err(CardError::CertificateKeyUsage)
        );
        // A CA certificate (basicConstraints cA true) is never a card's.
        let ca = CardCertificate::from_der(&pki.ca).unwrap();
        assert!(!ca.is_end_entity());
        let mut self_anchored = TrustStore::jlis_auth().unwrap();
        self_anchored.add_root(&pki.ca, "test CA").unwrap();
        assert_eq!(
            self_anchored.verify(&ca, now),
            Err(CardError::CertificateKeyUsage)
        );
    }

    #[test]
    fn expired_certificate_chains_as_of_its_own_not_after() {
        let pki = pki();
        let leaf = CardCertificate::from_der(&pki.leaf).unwrap();
        let mut store = TrustStore::jlis_auth().unwrap();
        // Only J-LIS: the test leaf does not chain, whatever the time.
        assert_eq!(
            store.verify_as_of_expiry(&leaf),
            Err(CardError::UntrustedCertificate)
        );
        store.add_root(&pki.ca, "test CA").unwrap();
        let status = store.verify_as_of_expiry(&leaf).unwrap();
        assert_eq!(status.anchor_label, "test CA");
        // The strict check at a later time still says "expired".
        assert!(matches!(
            store.verify(&leaf, at(NOT_AFTER as i64 + 86_400)),
            Err(CardError::CertificateExpired { .. })
        ));
        let no_usage = CardCertificate::from_der(&pki.leaf_without_signature_usage).unwrap();
        assert_eq!(
            store.verify_as_of_expiry(&no_usage),
            Err(CardError::CertificateKeyUsage)
        );
    }

    #[test]
    fn expired_certificate_needs_an_anchor_valid_at_its_not_after() {
        let pki = pki();
        let leaf = CardCertificate::from_der(&pki.leaf).unwrap();
        let short = CardCertificate::from_der(&pki.ca_ending_before_leaf).unwrap();
        assert_eq!(short.not_after(), at(CA_SHORT_NOT_AFTER as i64));
        assert!(
            leaf.is_signed_by(&short),
            "same name and key as the test CA"
        );
        let mut store = TrustStore::empty();
        store
            .add_root(&pki.ca_ending_before_leaf, "short CA")
            .unwrap();
        // While both were valid, the chain holds; as of the leaf's end the anchor had expired.
        assert!(store.verify(&leaf, at(1_780_000_000)).is_ok());
        assert_eq!(
            store.verify_as_of_expiry(&leaf),
            Err(CardError::UntrustedCertificate)
        );
        // Another anchor with the same key, valid at that instant, is used instead.
        store.add_root(&pki.ca, "test CA").unwrap();
        assert_eq!(
            store.verify_as_of_expiry(&leaf).map(|s| s.anchor_label),
            Ok("test CA".to_owned())
        );
    }

    #[test]
    fn fingerprint_is_sha256_of_the_spki() {
        let pki = pki();
        let leaf = CardCertificate::from_der(&pki.leaf).unwrap();
        let spki = leaf
            .x509()
            .tbs_certificate
            .subject_public_key_info
            .to_der()
            .unwrap();
        assert_eq!(
            leaf.key_fingerprint().0,
            <[u8; 32]>::from(Sha256::digest(&spki))
        );
        assert_eq!(leaf.key_fingerprint().to_hex().len(), 64);
        // Same key, other certificate: same fingerprint.
        let other = CardCertificate::from_der(&pki.leaf_by_impostor).unwrap();
        assert_eq!(leaf.key_fingerprint(), other.key_fingerprint());
        assert_ne!(leaf.der(), other.der());
    }

    #[test]
    fn signatures_verify_only_for_the_message() {
        let leaf = CardCertificate::from_der(&pki().leaf).unwrap();
        let signature = super::testpki::card_sign(b"challenge");
        assert_eq!(leaf.verify_signature(b"challenge", &signature), Ok(()));
        assert_eq!(
            leaf.verify_signature(b"challengf", &signature),
            Err(CardError::BadSignature)
        );
        assert_eq!(
            leaf.verify_signature(b"challenge", &signature[1..]),
            Err(CardError::BadSignature)
        );
        assert_eq!(
            leaf.verify_signature(b"challenge", &[]),
            Err(CardError::BadSignature)
        );
    }

    #[test]
    fn parsing_der_and_pem_and_garbage() {
        let pem = JLIS_ROOTS[1].pem;
        let from_pem = CardCertificate::from_der_or_pem(pem.as_bytes()).unwrap();
        let from_der = CardCertificate::from_der_or_pem(from_pem.der()).unwrap();
        assert_eq!(from_pem.der(), from_der.der());
        assert!(matches!(
            CardCertificate::from_der(&[0x30, 0x03, 0x02, 0x01, 0x01]),
            Err(CardError::Malformed { .. })
        ));
        assert!(CardCertificate::from_der(&from_der.der()[..100]).is_err());
        assert!(CardCertificate::from_der_or_pem(b"-----BEGIN CERTIFICATE-----\nxx\n").is_err());
        // The same DER under another PEM label is not taken for a certificate.
        let relabelled = pem.replace("CERTIFICATE", "PUBLIC KEY");
        assert!(matches!(
            CardCertificate::from_pem(&relabelled),
            Err(CardError::Malformed { .. })
        ));
    }
}
