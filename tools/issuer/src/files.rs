//! The files of an issuer directory, and how they are written.
//!
//! | file | what | mode |
//! | --- | --- | --- |
//! | [`ROOT_KEY`] | the development root key (P-256, PKCS#8 PEM) | 0600 |
//! | [`ROOT_PUBLIC`] | the root public key (SubjectPublicKeyInfo PEM): the key the app pins | 0644 |
//! | [`ISSUER_KEY`] | the issuer signing key (P-256, PKCS#8 PEM) | 0600 |
//! | [`TRUST_LIST`] | the trust list, COSE_Sign1 signed by the root | 0644 |
//! | [`TLS_CA`] | the TLS CA certificate (PEM): what clients pass with `--ca` | 0644 |
//! | [`TLS_CERT`] | the server certificate for `localhost` / `127.0.0.1` / `::1` (PEM) | 0644 |
//! | [`TLS_KEY`] | the server's TLS key (P-256, PKCS#8 PEM) | 0600 |
//! | [`STATE`] | person id → content hash, version, time of issue (written by `serve`) | 0600 |
//!
//! The TLS CA's private key is not kept: it signs the server certificate once, during `init`.

use std::fs::OpenOptions;
use std::io::Write;
use std::path::Path;

use crate::IssuerError;

/// The root private key.
pub const ROOT_KEY: &str = "root-key.pem";
/// The root public key (SubjectPublicKeyInfo PEM).
pub const ROOT_PUBLIC: &str = "root-public.pem";
/// The issuer private key.
pub const ISSUER_KEY: &str = "issuer-key.pem";
/// The signed trust list.
pub const TRUST_LIST: &str = "trust-list.cose";
/// The TLS CA certificate.
pub const TLS_CA: &str = "tls-ca.pem";
/// The TLS server certificate.
pub const TLS_CERT: &str = "tls-server.pem";
/// The TLS server key.
pub const TLS_KEY: &str = "tls-server-key.pem";
/// The version state.
pub const STATE: &str = "state.json";

/// Every file `init` writes, in the order written.
pub const INIT_FILES: [&str; 7] = [
    ROOT_KEY,
    ROOT_PUBLIC,
    ISSUER_KEY,
    TRUST_LIST,
    TLS_CA,
    TLS_CERT,
    TLS_KEY,
];

/// Creates `path` (which must not exist) with `mode` on Unix, and writes `bytes`.
pub(crate) fn create_new(
    path: &Path,
    bytes: &[u8],
    mode: u32,
    what: &'static str,
) -> Result<(), IssuerError> {
    let mut options = OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(mode);
    }
    #[cfg(not(unix))]
    let _ = mode;
    let mut file = options
        .open(path)
        .map_err(|e| IssuerError::io(what, path, e))?;
    file.write_all(bytes)
        .and_then(|()| file.sync_all())
        .map_err(|e| IssuerError::io(what, path, e))
}

/// Replaces `path` atomically: writes a temporary file next to it (mode 0600 on Unix), then
/// renames it over `path`.
pub(crate) fn replace(path: &Path, bytes: &[u8], what: &'static str) -> Result<(), IssuerError> {
    let mut tmp = path.as_os_str().to_owned();
    tmp.push(".tmp");
    let tmp = std::path::PathBuf::from(tmp);
    // A leftover from an interrupted write is ours to remove.
    match std::fs::remove_file(&tmp) {
        Ok(()) => {}
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => return Err(IssuerError::io(what, &tmp, e)),
    }
    create_new(&tmp, bytes, 0o600, what)?;
    std::fs::rename(&tmp, path).map_err(|e| IssuerError::io(what, path, e))
}

/// Reads a file.
pub(crate) fn read(path: &Path, what: &'static str) -> Result<Vec<u8>, IssuerError> {
    std::fs::read(path).map_err(|e| IssuerError::io(what, path, e))
}
