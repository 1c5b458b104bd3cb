//! Small readers shared by several commands: key and certificate files, and the clinic
//! situations named on the command line.

use std::path::Path;

use anyhow::{Context as _, Result, anyhow};
use shikaku_core::document::VerifyingKey;
use shikaku_core::screen::ClinicSituation;

/// The clinic situations the CLI names (`--clinic`).
pub const CLINIC_SITUATIONS: [&str; 5] = [
    "normal",
    "reader-down",
    "no-reader",
    "power-out",
    "network-down",
];

/// Reads a P-256 public key: PEM (SubjectPublicKeyInfo) or raw SEC1 bytes.
pub fn read_root(path: &Path) -> Result<VerifyingKey> {
    let bytes = std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))?;
    if let Ok(text) = std::str::from_utf8(&bytes)
        && text.contains("-----BEGIN PUBLIC KEY-----")
    {
        use p256::pkcs8::DecodePublicKey;
        return VerifyingKey::from_public_key_pem(text)
            .map_err(|_| anyhow!("{} is not a P-256 public key", path.display()));
    }
    VerifyingKey::from_sec1_bytes(&bytes)
        .map_err(|_| anyhow!("{} is not a P-256 public key (PEM or SEC1)", path.display()))
}

/// Reads a trust anchor file (PEM or DER; parsed by the caller).
pub fn read_anchor(path: &Path) -> Result<Vec<u8>> {
    std::fs::read(path).with_context(|| format!("cannot read trust anchor {}", path.display()))
}

/// The clinic situation called `name` (one of [`CLINIC_SITUATIONS`]; anything else is
/// `normal`).
pub fn clinic_situation(name: &str) -> ClinicSituation {
    let mut s = ClinicSituation {
        reader_present: true,
        reader_working: true,
        power: true,
        network: true,
    };
    match name {
        "reader-down" => s.reader_working = false,
        "no-reader" => s.reader_present = false,
        "power-out" => s.power = false,
        "network-down" => s.network = false,
        _ => {}
    }
    s
}
