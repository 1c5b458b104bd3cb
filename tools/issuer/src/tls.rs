//! The development TLS CA and the loopback server certificate (x509-cert's builder with P-256
//! keys, already in the tree for the card certificates), and the rustls server configuration
//! (ring provider).

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::path::Path;
use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use der::asn1::{GeneralizedTime, Ia5String, OctetString, UtcTime};
use der::pem::LineEnding;
use der::{Encode, EncodePem};
use p256::PublicKey;
use p256::ecdsa::signature::{self, Keypair, Signer};
use p256::ecdsa::{DerSignature, SigningKey};
use rand_core::{OsRng, RngCore};
use spki::{AlgorithmIdentifier, SignatureAlgorithmIdentifier, SubjectPublicKeyInfoOwned};
use tokio_rustls::rustls;
use tokio_rustls::rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use x509_cert::builder::{Builder, CertificateBuilder, Profile};
use x509_cert::ext::pkix::name::GeneralName;
use x509_cert::ext::pkix::{ExtendedKeyUsage, SubjectAltName};
use x509_cert::name::Name;
use x509_cert::serial_number::SerialNumber;
use x509_cert::time::{Time, Validity};

use crate::keys::{self, pem_block};
use crate::{IssuerError, files};

/// id-kp-serverAuth (RFC 5280 §4.2.1.12).
const ID_KP_SERVER_AUTH: der::oid::ObjectIdentifier =
    der::oid::ObjectIdentifier::new_unwrap("1.3.6.1.5.5.7.3.1");

/// ecdsa-with-SHA256 (RFC 5758 §3.2).
const ECDSA_WITH_SHA_256: der::oid::ObjectIdentifier =
    der::oid::ObjectIdentifier::new_unwrap("1.2.840.10045.4.3.2");

/// A P-256 key as x509-cert's builder wants a signer: its public key as `p256::PublicKey`,
/// whose SubjectPublicKeyInfo encoder needs no `pem` feature.
struct CertSigner(SigningKey);

impl Keypair for CertSigner {
    type VerifyingKey = PublicKey;
    fn verifying_key(&self) -> PublicKey {
        PublicKey::from(self.0.verifying_key())
    }
}

impl SignatureAlgorithmIdentifier for CertSigner {
    type Params = der::AnyRef<'static>;
    const SIGNATURE_ALGORITHM_IDENTIFIER: AlgorithmIdentifier<Self::Params> = AlgorithmIdentifier {
        oid: ECDSA_WITH_SHA_256,
        parameters: None,
    };
}

impl Signer<DerSignature> for CertSigner {
    fn try_sign(&self, message: &[u8]) -> Result<DerSignature, signature::Error> {
        self.0.try_sign(message)
    }
}

const CA_DN: &str =
    "CN=shikaku development issuer TLS CA - not for production,O=shikaku (development)";
const SERVER_DN: &str = "CN=localhost,O=shikaku (development)";

/// The TLS files `init` writes, as PEM text.
pub(crate) struct TlsMaterial {
    /// The CA certificate.
    pub ca_pem: String,
    /// The server certificate.
    pub cert_pem: String,
    /// The server key (PKCS#8).
    pub key_pem: String,
}

fn time(t: DateTime<Utc>) -> Result<Time, IssuerError> {
    let secs = u64::try_from(t.timestamp()).map_err(IssuerError::crypto)?;
    let d = Duration::from_secs(secs);
    // RFC 5280: UTCTime through 2049, GeneralizedTime after.
    if t.timestamp() < 2_524_608_000 {
        Ok(Time::UtcTime(
            UtcTime::from_unix_duration(d).map_err(IssuerError::crypto)?,
        ))
    } else {
        Ok(Time::GeneralTime(
            GeneralizedTime::from_unix_duration(d).map_err(IssuerError::crypto)?,
        ))
    }
}

fn serial() -> Result<SerialNumber, IssuerError> {
    let mut bytes = [0u8; 16];
    OsRng
        .try_fill_bytes(&mut bytes)
        .map_err(IssuerError::crypto)?;
    // Positive, and no leading zero byte.
    bytes[0] = (bytes[0] & 0x7f) | 0x01;
    SerialNumber::new(&bytes).map_err(IssuerError::crypto)
}

/// Makes a CA and a server certificate for `localhost`, `127.0.0.1` and `::1`, valid from an
/// hour before `now` until `not_after`. The CA key is dropped afterwards.
pub(crate) fn generate(
    now: DateTime<Utc>,
    not_after: DateTime<Utc>,
) -> Result<TlsMaterial, IssuerError> {
    let validity = Validity {
        not_before: time(now - chrono::Duration::hours(1))?,
        not_after: time(not_after)?,
    };
    let ca_key = CertSigner(keys::generate());
    let ca_spki =
        SubjectPublicKeyInfoOwned::from_key(ca_key.verifying_key()).map_err(IssuerError::crypto)?;
    let ca_name = Name::from_str(CA_DN).map_err(IssuerError::crypto)?;
    let ca = CertificateBuilder::new(
        Profile::Root,
        serial()?,
        validity,
        ca_name.clone(),
        ca_spki,
        &ca_key,
    )
    .map_err(IssuerError::crypto)?
    .build::<DerSignature>()
    .map_err(IssuerError::crypto)?;

    let server_key: SigningKey = keys::generate();
    let server_spki =
        SubjectPublicKeyInfoOwned::from_key(PublicKey::from(server_key.verifying_key()))
            .map_err(IssuerError::crypto)?;
    let mut builder = CertificateBuilder::new(
        Profile::Leaf {
            issuer: ca_name,
            enable_key_agreement: false,
            enable_key_encipherment: false,
        },
        serial()?,
        validity,
        Name::from_str(SERVER_DN).map_err(IssuerError::crypto)?,
        server_spki,
        &ca_key,
    )
    .map_err(IssuerError::crypto)?;
    let ip = |a: IpAddr| -> Result<GeneralName, IssuerError> {
        let octets = match a {
            IpAddr::V4(v4) => v4.octets().to_vec(),
            IpAddr::V6(v6) => v6.octets().to_vec(),
        };
        Ok(GeneralName::IpAddress(
            OctetString::new(octets).map_err(IssuerError::crypto)?,
        ))
    };
    builder
        .add_extension(&SubjectAltName(vec![
            GeneralName::DnsName(Ia5String::new("localhost").map_err(IssuerError::crypto)?),
            ip(IpAddr::V4(Ipv4Addr::LOCALHOST))?,
            ip(IpAddr::V6(Ipv6Addr::LOCALHOST))?,
        ]))
        .map_err(IssuerError::crypto)?;
    builder
        .add_extension(&ExtendedKeyUsage(vec![ID_KP_SERVER_AUTH]))
        .map_err(IssuerError::crypto)?;
    let server = builder
        .build::<DerSignature>()
        .map_err(IssuerError::crypto)?;

    Ok(TlsMaterial {
        ca_pem: ca.to_pem(LineEnding::LF).map_err(IssuerError::crypto)?,
        cert_pem: server.to_pem(LineEnding::LF).map_err(IssuerError::crypto)?,
        key_pem: keys::private_pem(&server_key)?,
    })
}

/// The rustls server configuration (ring provider, TLS 1.2 and 1.3, ALPN `http/1.1`) from the
/// server certificate and key files.
pub(crate) fn server_config(
    cert_path: &Path,
    key_path: &Path,
) -> Result<Arc<rustls::ServerConfig>, IssuerError> {
    let cert_der = pem_block(
        cert_path,
        &files::read(cert_path, "TLS certificate")?,
        "CERTIFICATE",
    )?;
    // Re-encode through the parser so that a damaged file is named here, not in a handshake.
    let parsed = <x509_cert::Certificate as der::Decode>::from_der(&cert_der)
        .map_err(|_| IssuerError::bad_file(cert_path, "not an X.509 certificate"))?;
    let cert_der = parsed
        .to_der()
        .map_err(|_| IssuerError::bad_file(cert_path, "not an X.509 certificate"))?;
    let key_der = pem_block(key_path, &files::read(key_path, "TLS key")?, "PRIVATE KEY")?;
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| IssuerError::config(format!("TLS: {e}")))?
        .with_no_client_auth()
        .with_single_cert(
            vec![CertificateDer::from(cert_der)],
            PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(key_der)),
        )
        .map_err(|e| IssuerError::config(format!("TLS certificate or key: {e}")))?;
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(Arc::new(config))
}
