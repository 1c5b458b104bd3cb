//! The key seam: the platform wraps and unwraps the store's data key.
//!
//! Android wraps with an Android Keystore AES-GCM key, iOS with the Keychain / Secure Enclave;
//! the CLI uses a passphrase ([`PassphraseKeyStore`]) and tests an in-memory key
//! ([`MemoryKeyStore`]). The core never sees the platform's key, only the wrapped blob.

use aes_gcm::aead::{Aead, KeyInit, OsRng, Payload};
use aes_gcm::{Aes256Gcm, Key, Nonce};
use argon2::{Algorithm, Argon2, Params, Version};
use rand_core::RngCore;
use zeroize::Zeroizing;

/// Why a key could not be wrapped or unwrapped.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KeyStoreError {
    /// The blob does not open with this key or passphrase.
    #[error("the key or passphrase does not match this store")]
    Rejected,
    /// The platform key is missing or locked (device locked, key invalidated, …).
    #[error("the key store is unavailable: {reason}")]
    Unavailable {
        /// A short, data-free reason.
        reason: String,
    },
    /// The blob is not one this key store wrote.
    #[error("the wrapped key is malformed")]
    Malformed,
}

/// Wraps and unwraps the store's 256-bit data key. Implemented by the platform.
pub trait KeyStore: Send + Sync {
    /// Encrypts `key` under the platform's key and returns an opaque blob.
    fn wrap(&self, key: Vec<u8>) -> Result<Vec<u8>, KeyStoreError>;
    /// Returns the key inside `blob`, or [`KeyStoreError::Rejected`] if it does not open.
    fn unwrap(&self, blob: Vec<u8>) -> Result<Vec<u8>, KeyStoreError>;
}

const NONCE_LEN: usize = 12;

fn seal(kek: &[u8; 32], header: &[u8], key: &[u8]) -> Result<Vec<u8>, KeyStoreError> {
    let cipher = Aes256Gcm::new(Key::<Aes256Gcm>::from_slice(kek));
    let mut nonce = [0u8; NONCE_LEN];
    OsRng.fill_bytes(&mut nonce);
    let ct = cipher
        .encrypt(
            Nonce::from_slice(&nonce),
            Payload {
                msg: key,
                aad: header,
            },
        )
        .map_err(|_| KeyStoreError::Unavailable {
            reason: "encryption failed".into(),
        })?;
    let mut out = header.to_vec();
    out.extend_from_slice(&nonce);
    out.extend_from_slice(&ct);
    Ok(out)
}

fn open(kek: &[u8; 32], header: &[u8], rest: &[u8]) -> Result<Vec<u8>, KeyStoreError> {
    if rest.len() < NONCE_LEN + 16 {
        return Err(KeyStoreError::Malformed);
    }
    let (nonce, ct) = rest.split_at(NONCE_LEN);
    let cipher = Aes256Gcm::new(Key::<Aes256Gcm>::from_slice(kek));
    cipher
        .decrypt(
            Nonce::from_slice(nonce),
            Payload {
                msg: ct,
                aad: header,
            },
        )
        .map_err(|_| KeyStoreError::Rejected)
}

/// A key-encryption key held in memory: for tests, and for callers that manage their own key.
pub struct MemoryKeyStore {
    kek: Zeroizing<[u8; 32]>,
}

const MEMORY_MAGIC: &[u8; 4] = b"SKM1";

impl MemoryKeyStore {
    /// Uses `kek` as the key-encryption key.
    pub fn new(kek: [u8; 32]) -> Self {
        MemoryKeyStore {
            kek: Zeroizing::new(kek),
        }
    }

    /// A fresh random key-encryption key.
    pub fn random() -> Self {
        let mut kek = [0u8; 32];
        OsRng.fill_bytes(&mut kek);
        Self::new(kek)
    }
}

impl KeyStore for MemoryKeyStore {
    fn wrap(&self, key: Vec<u8>) -> Result<Vec<u8>, KeyStoreError> {
        let key = Zeroizing::new(key);
        seal(&self.kek, MEMORY_MAGIC, &key)
    }

    fn unwrap(&self, blob: Vec<u8>) -> Result<Vec<u8>, KeyStoreError> {
        let rest = blob
            .strip_prefix(MEMORY_MAGIC)
            .ok_or(KeyStoreError::Malformed)?;
        open(&self.kek, MEMORY_MAGIC, rest)
    }
}

/// Argon2id cost parameters, stored inside every blob [`PassphraseKeyStore`] writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Argon2Cost {
    /// Memory in KiB.
    pub memory_kib: u32,
    /// Iterations.
    pub iterations: u32,
    /// Lanes.
    pub parallelism: u32,
}

impl Argon2Cost {
    /// OWASP's recommended Argon2id minimum (19 MiB, 2 iterations, 1 lane).
    pub const RECOMMENDED: Argon2Cost = Argon2Cost {
        memory_kib: 19 * 1024,
        iterations: 2,
        parallelism: 1,
    };
    /// A cheap setting for tests only.
    pub const TEST_ONLY: Argon2Cost = Argon2Cost {
        memory_kib: 64,
        iterations: 1,
        parallelism: 1,
    };
    /// The most any stored blob may ask for (1 GiB, 20 iterations, 8 lanes): a malicious file
    /// must not make opening it take forever.
    const MAX: Argon2Cost = Argon2Cost {
        memory_kib: 1024 * 1024,
        iterations: 20,
        parallelism: 8,
    };
}

const PASSPHRASE_MAGIC: &[u8; 4] = b"SKP1";
const SALT_LEN: usize = 16;

/// Wraps the data key under a key derived from a passphrase with Argon2id. The blob holds
/// `SKP1 ‖ memory ‖ iterations ‖ parallelism ‖ salt ‖ nonce ‖ AES-256-GCM(key)`, so the cost
/// can be raised later without breaking old stores.
pub struct PassphraseKeyStore {
    passphrase: Zeroizing<String>,
    cost: Argon2Cost,
}

impl PassphraseKeyStore {
    /// A key store for `passphrase`, wrapping new blobs with [`Argon2Cost::RECOMMENDED`].
    pub fn new(passphrase: Zeroizing<String>) -> Self {
        Self::with_cost(passphrase, Argon2Cost::RECOMMENDED)
    }

    /// A key store that wraps new blobs with `cost` (unwrapping always uses the blob's own).
    pub fn with_cost(passphrase: Zeroizing<String>, cost: Argon2Cost) -> Self {
        PassphraseKeyStore { passphrase, cost }
    }

    fn derive(&self, cost: Argon2Cost, salt: &[u8]) -> Result<Zeroizing<[u8; 32]>, KeyStoreError> {
        let params = Params::new(cost.memory_kib, cost.iterations, cost.parallelism, Some(32))
            .map_err(|_| KeyStoreError::Malformed)?;
        let mut kek = Zeroizing::new([0u8; 32]);
        Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
            .hash_password_into(self.passphrase.as_bytes(), salt, kek.as_mut())
            .map_err(|_| KeyStoreError::Malformed)?;
        Ok(kek)
    }
}

fn header(cost: Argon2Cost, salt: &[u8]) -> Vec<u8> {
    let mut h = PASSPHRASE_MAGIC.to_vec();
    for v in [cost.memory_kib, cost.iterations, cost.parallelism] {
        h.extend_from_slice(&v.to_le_bytes());
    }
    h.extend_from_slice(salt);
    h
}

impl KeyStore for PassphraseKeyStore {
    fn wrap(&self, key: Vec<u8>) -> Result<Vec<u8>, KeyStoreError> {
        let key = Zeroizing::new(key);
        let mut salt = [0u8; SALT_LEN];
        OsRng.fill_bytes(&mut salt);
        let kek = self.derive(self.cost, &salt)?;
        seal(&kek, &header(self.cost, &salt), &key)
    }

    fn unwrap(&self, blob: Vec<u8>) -> Result<Vec<u8>, KeyStoreError> {
        let header_len = 4 + 12 + SALT_LEN;
        if blob.len() < header_len || &blob[..4] != PASSPHRASE_MAGIC {
            return Err(KeyStoreError::Malformed);
        }
        let word = |i: usize| {
            let mut b = [0u8; 4];
            b.copy_from_slice(&blob[4 + 4 * i..8 + 4 * i]);
            u32::from_le_bytes(b)
        };
        let cost = Argon2Cost {
            memory_kib: word(0),
            iterations: word(1),
            parallelism: word(2),
        };
        if cost.memory_kib > Argon2Cost::MAX.memory_kib
            || cost.iterations > Argon2Cost::MAX.iterations
            || cost.parallelism > Argon2Cost::MAX.parallelism
        {
            return Err(KeyStoreError::Malformed);
        }
        let (head, rest) = blob.split_at(header_len);
        let kek = self.derive(cost, &head[16..])?;
        open(&kek, head, rest)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pass(s: &str) -> PassphraseKeyStore {
        PassphraseKeyStore::with_cost(Zeroizing::new(s.into()), Argon2Cost::TEST_ONLY)
    }

    #[test]
    fn memory_round_trip_and_wrong_key() {
        let ks = MemoryKeyStore::random();
        let blob = ks.wrap(vec![7; 32]).unwrap();
        assert_eq!(ks.unwrap(blob.clone()).unwrap(), vec![7; 32]);
        assert_eq!(
            MemoryKeyStore::random().unwrap(blob.clone()),
            Err(KeyStoreError::Rejected)
        );
        assert_eq!(
            ks.unwrap(blob[..10].to_vec()),
            Err(KeyStoreError::Malformed)
        );
        assert_eq!(ks.unwrap(b"XXXX".to_vec()), Err(KeyStoreError::Malformed));
    }

    #[test]
    fn passphrase_round_trip_wrong_passphrase_and_tamper() {
        let ks = pass("correct horse");
        let blob = ks.wrap(vec![1; 32]).unwrap();
        assert_eq!(ks.unwrap(blob.clone()).unwrap(), vec![1; 32]);
        assert_eq!(
            pass("wrong horse").unwrap(blob.clone()),
            Err(KeyStoreError::Rejected)
        );
        // The cost parameters are authenticated: changing them is not a silent downgrade.
        let mut changed = blob.clone();
        changed[8] ^= 1;
        assert!(ks.unwrap(changed).is_err());
        // A blob demanding absurd memory is refused before any work is done.
        let mut greedy = blob.clone();
        greedy[4..8].copy_from_slice(&u32::MAX.to_le_bytes());
        assert_eq!(ks.unwrap(greedy), Err(KeyStoreError::Malformed));
        // The stored cost is used, not the key store's own.
        let other_cost = PassphraseKeyStore::with_cost(
            Zeroizing::new("correct horse".into()),
            Argon2Cost {
                memory_kib: 128,
                iterations: 2,
                parallelism: 1,
            },
        );
        assert_eq!(other_cost.unwrap(blob).unwrap(), vec![1; 32]);
    }

    #[test]
    fn fresh_salt_each_wrap() {
        let ks = pass("p");
        assert_ne!(ks.wrap(vec![0; 32]).unwrap(), ks.wrap(vec![0; 32]).unwrap());
    }
}
