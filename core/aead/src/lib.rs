//! AES-256-GCM (RustCrypto `aes-gcm` 0.11) behind non-generic functions.
//!
//! `aes_gcm::Aes256Gcm` is generic code: it is compiled in the crate that calls it, with that
//! crate's optimisation level. The release profile builds shikaku-core for size
//! (`opt-level = "z"`), where the CTR keystream and GHASH are not inlined and AES-GCM took
//! 18–39 % of the store's reads. The functions here are not `#[inline]`, so the cipher is
//! instantiated and compiled in this crate, which the root `Cargo.toml` builds at
//! `opt-level = 3` (docs/decisions/0010-desk-log-performance.md, "AES-GCM in its own crate").
//!
//! `aes-gcm` 0.11 belongs to the newer RustCrypto generation (hybrid-array instead of
//! generic-array) than the rest of the workspace (docs/decisions/0002-rustcrypto-generation.md):
//! it is used here only, behind functions that take and return plain byte arrays, so none of its
//! types meets the other generation's. Its POLYVAL (under GHASH) processes four blocks per
//! reduction with precomputed powers of H; 0.10's did one block per out-of-line call, which was
//! the largest single cost of opening a value (ADR 0010).
//!
//! Plaintext buffers returned by [`Aes256GcmKey::decrypt`] are wiped when dropped, also when
//! the tag does not match; the cipher's key schedule is wiped when the key is dropped.
#![forbid(unsafe_code)]

use aes_gcm::aead::inout::InOutBuf;
use aes_gcm::{AeadInOut, Aes256Gcm, KeyInit, Nonce, Tag};
use zeroize::Zeroizing;

/// Length of a nonce in bytes.
pub const NONCE_LEN: usize = 12;
/// Length of an authentication tag in bytes.
pub const TAG_LEN: usize = 16;
/// Length of a key in bytes.
pub const KEY_LEN: usize = 32;

/// A value did not encrypt (too long for GCM) or did not open (wrong key, nonce, associated
/// data, or a damaged ciphertext or tag). Deliberately carries no detail.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AeadError;

impl std::fmt::Display for AeadError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("AES-256-GCM encryption or authentication failed")
    }
}

impl std::error::Error for AeadError {}

/// An AES-256-GCM key, expanded once (96-bit nonces, 128-bit tags).
pub struct Aes256GcmKey {
    cipher: Aes256Gcm,
}

impl Aes256GcmKey {
    /// Expands `key`. The caller keeps (and wipes) its own copy of the key bytes.
    pub fn new(key: &[u8; KEY_LEN]) -> Self {
        Aes256GcmKey {
            cipher: Aes256Gcm::new(key.into()),
        }
    }

    /// `ciphertext ‖ tag` of `plaintext` under `nonce`, authenticating `aad` too.
    pub fn encrypt(
        &self,
        nonce: &[u8; NONCE_LEN],
        aad: &[u8],
        plaintext: &[u8],
    ) -> Result<Vec<u8>, AeadError> {
        let mut out = Vec::with_capacity(plaintext.len() + TAG_LEN);
        out.extend_from_slice(plaintext);
        match self.encrypt_in_place_detached(nonce, aad, &mut out) {
            Ok(tag) => {
                out.extend_from_slice(&tag);
                Ok(out)
            }
            Err(e) => {
                // The buffer still holds the plaintext.
                zeroize::Zeroize::zeroize(&mut out);
                Err(e)
            }
        }
    }

    /// Encrypts `buffer` in place under `nonce`, authenticating `aad` too, and returns the tag.
    /// On an error (a buffer too long for GCM) `buffer` is left unencrypted.
    pub fn encrypt_in_place_detached(
        &self,
        nonce: &[u8; NONCE_LEN],
        aad: &[u8],
        buffer: &mut [u8],
    ) -> Result<[u8; TAG_LEN], AeadError> {
        self.cipher
            .encrypt_inout_detached(&Nonce::from(*nonce), aad, buffer.into())
            .map(Into::into)
            .map_err(|_| AeadError)
    }

    /// The plaintext of `ciphertext_and_tag` (the output of [`Self::encrypt`]), if it was
    /// sealed with this key, `nonce` and `aad`. The plaintext is wiped when dropped.
    pub fn decrypt(
        &self,
        nonce: &[u8; NONCE_LEN],
        aad: &[u8],
        ciphertext_and_tag: &[u8],
    ) -> Result<Zeroizing<Vec<u8>>, AeadError> {
        let split = ciphertext_and_tag
            .len()
            .checked_sub(TAG_LEN)
            .ok_or(AeadError)?;
        let (ciphertext, tag) = ciphertext_and_tag.split_at(split);
        let tag: &[u8; TAG_LEN] = tag.try_into().map_err(|_| AeadError)?;
        // Wiped on drop, also when the tag does not match (the buffer may then hold
        // keystream-decrypted bytes).
        let mut plain = Zeroizing::new(ciphertext.to_vec());
        self.decrypt_in_place_detached(nonce, aad, &mut plain, tag)?;
        Ok(plain)
    }

    /// Decrypts `buffer` in place if `tag` authenticates it with `nonce` and `aad`. On an
    /// error the contents of `buffer` are unspecified (the caller wipes it if it must).
    pub fn decrypt_in_place_detached(
        &self,
        nonce: &[u8; NONCE_LEN],
        aad: &[u8],
        buffer: &mut [u8],
        tag: &[u8; TAG_LEN],
    ) -> Result<(), AeadError> {
        self.cipher
            .decrypt_inout_detached(&Nonce::from(*nonce), aad, buffer.into(), &Tag::from(*tag))
            .map_err(|_| AeadError)
    }

    /// Decrypts `ciphertext` into `out` (of the same length) if `tag` authenticates it with
    /// `nonce` and `aad`: no copy of the ciphertext first. The tag is checked before anything
    /// is written, so on an error `out` is left as it was.
    pub fn decrypt_detached_into(
        &self,
        nonce: &[u8; NONCE_LEN],
        aad: &[u8],
        ciphertext: &[u8],
        tag: &[u8; TAG_LEN],
        out: &mut [u8],
    ) -> Result<(), AeadError> {
        let buffer = InOutBuf::new(ciphertext, out).map_err(|_| AeadError)?;
        self.cipher
            .decrypt_inout_detached(&Nonce::from(*nonce), aad, buffer, &Tag::from(*tag))
            .map_err(|_| AeadError)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn hex(s: &str) -> Vec<u8> {
        (0..s.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
            .collect()
    }

    struct Vector {
        key: &'static str,
        iv: &'static str,
        plaintext: &'static str,
        aad: &'static str,
        ciphertext: &'static str,
        tag: &'static str,
    }

    const K15: &str = "feffe9928665731c6d6a8f9467308308feffe9928665731c6d6a8f9467308308";
    const P15: &str = "d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a72\
                       1c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b391aafd255";
    const C15: &str = "522dc1f099567d07f47f37a32a84427d643a8cdcbfe5c0c97598a2bd2555d1aa\
                       8cb08e48590dbb3da7b08b1056828838c5f61e6393ba7a0abcc9f662898015ad";

    /// Test cases 13–16 (256-bit keys) of McGrew & Viega, "The Galois/Counter Mode of
    /// Operation (GCM)", the vectors NIST SP 800-38D points to; cross-checked against
    /// Python `cryptography` 48 (OpenSSL's AES-GCM).
    fn vectors() -> [Vector; 4] {
        let z32 = "0000000000000000000000000000000000000000000000000000000000000000";
        [
            Vector {
                key: z32,
                iv: "000000000000000000000000",
                plaintext: "",
                aad: "",
                ciphertext: "",
                tag: "530f8afbc74536b9a963b4f1c4cb738b",
            },
            Vector {
                key: z32,
                iv: "000000000000000000000000",
                plaintext: "00000000000000000000000000000000",
                aad: "",
                ciphertext: "cea7403d4d606b6e074ec5d3baf39d18",
                tag: "d0d1c8a799996bf0265b98b5d48ab919",
            },
            Vector {
                key: K15,
                iv: "cafebabefacedbaddecaf888",
                plaintext: P15,
                aad: "",
                ciphertext: C15,
                tag: "b094dac5d93471bdec1a502270e3cc6c",
            },
            Vector {
                key: K15,
                iv: "cafebabefacedbaddecaf888",
                plaintext: &P15[..120],
                aad: "feedfacedeadbeeffeedfacedeadbeefabaddad2",
                ciphertext: &C15[..120],
                tag: "76fc6ece0f4e1768cddf8853bb2d551b",
            },
        ]
    }

    #[test]
    fn gcm_spec_test_cases_13_to_16() {
        for (i, v) in vectors().iter().enumerate() {
            let key = Aes256GcmKey::new(&hex(v.key).try_into().unwrap());
            let nonce: [u8; NONCE_LEN] = hex(v.iv).try_into().unwrap();
            let (aad, plain) = (hex(v.aad), hex(v.plaintext));
            let expected = [hex(v.ciphertext), hex(v.tag)].concat();
            let sealed = key.encrypt(&nonce, &aad, &plain).unwrap();
            assert_eq!(sealed, expected, "test case {}", 13 + i);
            let opened = key.decrypt(&nonce, &aad, &sealed).unwrap();
            assert_eq!(opened.as_slice(), plain.as_slice(), "test case {}", 13 + i);

            let mut buf = plain.clone();
            let tag = key
                .encrypt_in_place_detached(&nonce, &aad, &mut buf)
                .unwrap();
            assert_eq!([&buf[..], &tag[..]].concat(), expected);
            key.decrypt_in_place_detached(&nonce, &aad, &mut buf, &tag)
                .unwrap();
            assert_eq!(buf, plain);

            let (ct, tag) = expected.split_at(expected.len() - TAG_LEN);
            let tag: [u8; TAG_LEN] = tag.try_into().unwrap();
            let mut out = vec![0xee; ct.len()];
            key.decrypt_detached_into(&nonce, &aad, ct, &tag, &mut out)
                .unwrap();
            assert_eq!(out, plain, "test case {}", 13 + i);
        }
    }

    #[test]
    fn decrypting_into_a_buffer_checks_the_tag_first() {
        let v = &vectors()[2];
        let key = Aes256GcmKey::new(&hex(v.key).try_into().unwrap());
        let nonce: [u8; NONCE_LEN] = hex(v.iv).try_into().unwrap();
        let ct = hex(v.ciphertext);
        let tag: [u8; TAG_LEN] = hex(v.tag).try_into().unwrap();
        let mut out = vec![0xee; ct.len()];
        // Every flipped bit of the ciphertext or the tag, another associated data: refused,
        // and nothing written to `out`.
        for i in 0..(ct.len() + TAG_LEN) * 8 {
            let (mut c, mut t) = (ct.clone(), tag);
            if i < ct.len() * 8 {
                c[i / 8] ^= 1 << (i % 8);
            } else {
                let j = i - ct.len() * 8;
                t[j / 8] ^= 1 << (j % 8);
            }
            assert_eq!(
                key.decrypt_detached_into(&nonce, b"", &c, &t, &mut out),
                Err(AeadError),
                "bit {i}"
            );
            assert!(out.iter().all(|b| *b == 0xee), "bit {i}: out untouched");
        }
        assert_eq!(
            key.decrypt_detached_into(&nonce, b"x", &ct, &tag, &mut out),
            Err(AeadError)
        );
        assert!(out.iter().all(|b| *b == 0xee));
        // An output of another length is refused.
        let mut short = vec![0u8; ct.len() - 1];
        assert_eq!(
            key.decrypt_detached_into(&nonce, b"", &ct, &tag, &mut short),
            Err(AeadError)
        );
        key.decrypt_detached_into(&nonce, b"", &ct, &tag, &mut out)
            .unwrap();
        assert_eq!(out, hex(v.plaintext));
    }

    #[test]
    fn any_change_is_rejected() {
        let v = &vectors()[3];
        let key = Aes256GcmKey::new(&hex(v.key).try_into().unwrap());
        let nonce: [u8; NONCE_LEN] = hex(v.iv).try_into().unwrap();
        let aad = hex(v.aad);
        let sealed = key.encrypt(&nonce, &aad, &hex(v.plaintext)).unwrap();
        assert!(key.decrypt(&nonce, &aad, &sealed).is_ok());
        // Every flipped bit of the ciphertext or the tag.
        for i in 0..sealed.len() * 8 {
            let mut bad = sealed.clone();
            bad[i / 8] ^= 1 << (i % 8);
            assert_eq!(key.decrypt(&nonce, &aad, &bad), Err(AeadError), "bit {i}");
        }
        let mut bad_aad = aad.clone();
        bad_aad[0] ^= 1;
        assert_eq!(key.decrypt(&nonce, &bad_aad, &sealed), Err(AeadError));
        assert_eq!(key.decrypt(&nonce, &aad[1..], &sealed), Err(AeadError));
        assert_eq!(key.decrypt(&nonce, b"", &sealed), Err(AeadError));
        let mut bad_nonce = nonce;
        bad_nonce[11] ^= 1;
        assert_eq!(key.decrypt(&bad_nonce, &aad, &sealed), Err(AeadError));
        let other = Aes256GcmKey::new(&[0; KEY_LEN]);
        assert_eq!(other.decrypt(&nonce, &aad, &sealed), Err(AeadError));
        // Truncated: shorter than a tag, a tag alone, a byte short.
        assert_eq!(key.decrypt(&nonce, &aad, &sealed[..15]), Err(AeadError));
        assert_eq!(
            key.decrypt(&nonce, &aad, &sealed[sealed.len() - TAG_LEN..]),
            Err(AeadError)
        );
        assert_eq!(
            key.decrypt(&nonce, &aad, &sealed[..sealed.len() - 1]),
            Err(AeadError)
        );
        // The detached form checks the tag too.
        let mut buf = sealed[..sealed.len() - TAG_LEN].to_vec();
        let mut tag: [u8; TAG_LEN] = sealed[sealed.len() - TAG_LEN..].try_into().unwrap();
        tag[0] ^= 0x80;
        assert_eq!(
            key.decrypt_in_place_detached(&nonce, &aad, &mut buf, &tag),
            Err(AeadError)
        );
    }
}
