//! Envelope encryption of stored values: AES-256-GCM with associated data that names the table,
//! the row, the column and the schema version, and keyed hashes for look-ups.

use aes_gcm::aead::{Aead, KeyInit, OsRng, Payload};
use aes_gcm::{Aes256Gcm, Key, Nonce};
use hkdf::Hkdf;
use hmac::{Hmac, Mac};
use rand_core::RngCore;
use sha2::Sha256;
use zeroize::Zeroizing;

/// Format byte of every sealed value.
const SEALED_V1: u8 = 1;
const NONCE_LEN: usize = 12;
const TAG_LEN: usize = 16;

/// A fresh random 256-bit data key.
pub(crate) fn random_data_key() -> Zeroizing<Vec<u8>> {
    let mut k = Zeroizing::new(vec![0u8; 32]);
    OsRng.fill_bytes(k.as_mut_slice());
    k
}

/// Where a sealed value lives; becomes the associated data, so a ciphertext moved to another
/// table, row or column (or read under another seal format) fails to open.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Slot<'a> {
    pub table: &'a str,
    pub row: &'a str,
    pub column: &'a str,
}

/// The keys derived from one data key.
pub(crate) struct Keys {
    aead: Aes256Gcm,
    lookup: Zeroizing<[u8; 32]>,
    seal_format: u32,
}

impl Keys {
    /// Derives the value key and the look-up key from `data_key` with HKDF-SHA-256.
    pub(crate) fn derive(data_key: &[u8], seal_format: u32) -> Option<Keys> {
        if data_key.len() != 32 {
            return None;
        }
        let hk = Hkdf::<Sha256>::new(None, data_key);
        let mut enc = Zeroizing::new([0u8; 32]);
        let mut lookup = Zeroizing::new([0u8; 32]);
        hk.expand(b"shikaku/store/v1/aead", enc.as_mut()).ok()?;
        hk.expand(b"shikaku/store/v1/lookup", lookup.as_mut())
            .ok()?;
        Some(Keys {
            aead: Aes256Gcm::new(Key::<Aes256Gcm>::from_slice(enc.as_ref())),
            lookup,
            seal_format,
        })
    }

    fn aad(&self, slot: Slot<'_>) -> Vec<u8> {
        format!(
            "shikaku|seal={}|{}|{}|{}",
            self.seal_format, slot.table, slot.row, slot.column
        )
        .into_bytes()
    }

    /// `01 ‖ nonce ‖ ciphertext ‖ tag`, with a fresh random nonce.
    pub(crate) fn seal(&self, slot: Slot<'_>, plaintext: &[u8]) -> Option<Vec<u8>> {
        let mut nonce = [0u8; NONCE_LEN];
        OsRng.fill_bytes(&mut nonce);
        let aad = self.aad(slot);
        let ct = self
            .aead
            .encrypt(
                Nonce::from_slice(&nonce),
                Payload {
                    msg: plaintext,
                    aad: &aad,
                },
            )
            .ok()?;
        let mut out = Vec::with_capacity(1 + NONCE_LEN + ct.len());
        out.push(SEALED_V1);
        out.extend_from_slice(&nonce);
        out.extend_from_slice(&ct);
        Some(out)
    }

    /// Opens a value sealed for exactly this slot; `None` on any mismatch or damage.
    pub(crate) fn open(&self, slot: Slot<'_>, sealed: &[u8]) -> Option<Zeroizing<Vec<u8>>> {
        if sealed.len() < 1 + NONCE_LEN + TAG_LEN || sealed[0] != SEALED_V1 {
            return None;
        }
        let (nonce, ct) = sealed[1..].split_at(NONCE_LEN);
        let aad = self.aad(slot);
        self.aead
            .decrypt(Nonce::from_slice(nonce), Payload { msg: ct, aad: &aad })
            .ok()
            .map(Zeroizing::new)
    }

    /// HMAC-SHA-256 of `parts` (length-prefixed) under the look-up key, domain-separated by
    /// `purpose`: equal inputs give equal hashes, nothing readable reaches the index.
    pub(crate) fn lookup_hash(&self, purpose: &str, parts: &[&str]) -> Vec<u8> {
        // HMAC accepts keys of any length, so `new_from_slice` cannot fail here.
        let mut mac = match <Hmac<Sha256> as Mac>::new_from_slice(self.lookup.as_ref()) {
            Ok(m) => m,
            Err(_) => unreachable!("HMAC takes any key length"),
        };
        mac.update(purpose.as_bytes());
        for p in parts {
            mac.update(&(p.len() as u64).to_be_bytes());
            mac.update(p.as_bytes());
        }
        mac.finalize().into_bytes().to_vec()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn slot(row: &str) -> Slot<'_> {
        Slot {
            table: "members",
            row,
            column: "data",
        }
    }

    #[test]
    fn seal_open_and_binding() {
        let keys = Keys::derive(&[9; 32], 1).unwrap();
        let a = keys.seal(slot("a"), b"hello").unwrap();
        assert_eq!(keys.open(slot("a"), &a).unwrap().as_slice(), b"hello");
        assert!(keys.open(slot("b"), &a).is_none(), "other row");
        let other_col = Slot {
            column: "signed",
            ..slot("a")
        };
        assert!(keys.open(other_col, &a).is_none(), "other column");
        let other_table = Slot {
            table: "records",
            ..slot("a")
        };
        assert!(keys.open(other_table, &a).is_none(), "other table");
        let v2 = Keys::derive(&[9; 32], 2).unwrap();
        assert!(v2.open(slot("a"), &a).is_none(), "other seal format");
        assert!(
            Keys::derive(&[8; 32], 1)
                .unwrap()
                .open(slot("a"), &a)
                .is_none(),
            "other key"
        );
        assert_ne!(keys.seal(slot("a"), b"hello").unwrap(), a, "fresh nonce");
        assert!(Keys::derive(&[0; 31], 1).is_none());
    }

    #[test]
    fn lookup_hash_is_keyed_and_unambiguous() {
        let k1 = Keys::derive(&[1; 32], 1).unwrap();
        let k2 = Keys::derive(&[2; 32], 1).unwrap();
        assert_eq!(
            k1.lookup_hash("p", &["a", "b"]),
            k1.lookup_hash("p", &["a", "b"])
        );
        assert_ne!(
            k1.lookup_hash("p", &["a", "b"]),
            k2.lookup_hash("p", &["a", "b"])
        );
        assert_ne!(
            k1.lookup_hash("p", &["ab", ""]),
            k1.lookup_hash("p", &["a", "b"])
        );
        assert_ne!(k1.lookup_hash("p", &["a"]), k1.lookup_hash("q", &["a"]));
    }
}
