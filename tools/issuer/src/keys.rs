//! P-256 keys in PEM files: private keys as PKCS#8 (`PRIVATE KEY`), public keys as
//! SubjectPublicKeyInfo (`PUBLIC KEY`).

use std::path::Path;

use der::pem::{self, LineEnding};
use p256::ecdsa::{SigningKey, VerifyingKey};
use p256::pkcs8::{DecodePrivateKey, DecodePublicKey, EncodePrivateKey, EncodePublicKey};
use p256::{PublicKey, SecretKey};
use rand_core::OsRng;

use crate::{IssuerError, files};

/// A fresh random P-256 key from the operating system's generator.
pub(crate) fn generate() -> SigningKey {
    SigningKey::random(&mut OsRng)
}

/// The key as PKCS#8 PEM.
pub(crate) fn private_pem(key: &SigningKey) -> Result<String, IssuerError> {
    // Through `SecretKey`/`PublicKey`: their PKCS#8 / SPKI encoders need no `pem` feature
    // (enabling it on the shared p256 would rebuild the workspace's crypto for everyone).
    let der = SecretKey::from(key)
        .to_pkcs8_der()
        .map_err(IssuerError::crypto)?;
    pem::encode_string("PRIVATE KEY", LineEnding::LF, der.as_bytes()).map_err(IssuerError::crypto)
}

/// The public key as SubjectPublicKeyInfo PEM.
pub(crate) fn public_pem(key: &VerifyingKey) -> Result<String, IssuerError> {
    let der = PublicKey::from(key)
        .to_public_key_der()
        .map_err(IssuerError::crypto)?;
    pem::encode_string("PUBLIC KEY", LineEnding::LF, der.as_bytes()).map_err(IssuerError::crypto)
}

/// Decodes one PEM block with the given label.
pub(crate) fn pem_block(
    path: &Path,
    bytes: &[u8],
    label: &'static str,
) -> Result<Vec<u8>, IssuerError> {
    let (found, der) = pem::decode_vec(bytes)
        .map_err(|_| IssuerError::bad_file(path, format!("not a PEM {label}")))?;
    if found != label {
        return Err(IssuerError::bad_file(path, format!("not a PEM {label}")));
    }
    Ok(der)
}

/// Loads a P-256 private key (PKCS#8 PEM, as `init` writes it).
pub fn load_signing_key(path: &Path) -> Result<SigningKey, IssuerError> {
    let bytes = files::read(path, "private key")?;
    let der = pem_block(path, &bytes, "PRIVATE KEY")?;
    SigningKey::from_pkcs8_der(&der)
        .map_err(|_| IssuerError::bad_file(path, "not a P-256 PKCS#8 private key"))
}

/// Loads the root public key (SubjectPublicKeyInfo PEM, `root-public.pem`): the key an app pins
/// to verify trust lists.
pub fn load_root_public_key(path: &Path) -> Result<VerifyingKey, IssuerError> {
    let bytes = files::read(path, "root public key")?;
    let der = pem_block(path, &bytes, "PUBLIC KEY")?;
    VerifyingKey::from_public_key_der(&der)
        .map_err(|_| IssuerError::bad_file(path, "not a P-256 public key"))
}
