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

use aes::Aes256;
use aes_gcm::aead::inout::InOutBuf;
use aes_gcm::{AeadInOut, Aes256Gcm, KeyInit, Nonce, Tag};
use cipher::{BlockCipherEncrypt, InnerIvInit, StreamCipherCore};
use ctutils::CtEq;
use ghash::GHash;
use ghash::universal_hash::UniversalHash;
use zeroize::{Zeroize, Zeroizing};

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

/// One AES block.
const BLOCK: usize = 16;

/// GCM's counter mode: AES-256 with a 32-bit big-endian block counter (NIST SP 800-38D §6.5).
type Ctr32<'a> = ctr::CtrCore<&'a Aes256, ctr::flavors::Ctr32BE>;

/// An AES-256-GCM key, expanded once (96-bit nonces, 128-bit tags).
pub struct Aes256GcmKey {
    cipher: Aes256Gcm,
    /// The same key, expanded again, and GHASH under `H = AES(key, 0¹²⁸)`: the parts of
    /// `aes_gcm::Aes256Gcm` (which keeps its own private), for
    /// [`Self::decrypt_detached_prefix_into`]. Both are wiped when dropped.
    aes: Aes256,
    ghash: GHash,
}

impl Aes256GcmKey {
    /// Expands `key`. The caller keeps (and wipes) its own copy of the key bytes.
    pub fn new(key: &[u8; KEY_LEN]) -> Self {
        let aes = Aes256::new(key.into());
        let mut h = ghash::Key::default();
        aes.encrypt_block(&mut h);
        let ghash = GHash::new(&h);
        h.zeroize();
        Aes256GcmKey {
            // From the same expanded key (one key expansion in the library, not two).
            cipher: Aes256Gcm::from(aes.clone()),
            aes,
            ghash,
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

    /// [`Self::decrypt_detached_into`] for a caller that needs only a prefix of the plaintext
    /// (a payload followed by padding): `tag` is checked over **all** of `ciphertext` first
    /// (GHASH over every byte; nothing is written on an error), then the first block (or all of
    /// a shorter ciphertext) is decrypted into `out`, `needed` is told that block and answers
    /// how many bytes of the plaintext the caller needs, and only those are decrypted. Returns
    /// how many bytes of `out` now hold plaintext (at least the first block's; at most
    /// `ciphertext.len()`): past them `out` is left as it was.
    ///
    /// The tag covers the bytes left encrypted as much as the others, so a change anywhere in
    /// the ciphertext is refused exactly as [`Self::decrypt_detached_into`] refuses it; what
    /// this saves is the keystream over the part not needed. The result is the standard GCM
    /// decryption (NIST SP 800-38D §7.2) cut short: the tests compare it with `aes-gcm`'s for
    /// every length and cut.
    pub fn decrypt_detached_prefix_into(
        &self,
        nonce: &[u8; NONCE_LEN],
        aad: &[u8],
        ciphertext: &[u8],
        tag: &[u8; TAG_LEN],
        out: &mut [u8],
        needed: fn(&[u8]) -> usize,
    ) -> Result<usize, AeadError> {
        // GCM's limits: a plaintext of at most 2³⁹ − 256 bits, associated data under 2⁶⁴ bits.
        const P_MAX: u64 = (1 << 36) - 32;
        const A_MAX: u64 = (1 << 61) - 1;
        let (ct_len, aad_len) = (ciphertext.len() as u64, aad.len() as u64);
        if out.len() != ciphertext.len() || ct_len > P_MAX || aad_len > A_MAX {
            return Err(AeadError);
        }
        // J0 = nonce ‖ 0³¹ ‖ 1 for a 96-bit nonce; its keystream block masks the tag, the
        // ciphertext's keystream starts at inc32(J0).
        let mut j0 = aes::Block::default();
        j0[..NONCE_LEN].copy_from_slice(nonce);
        j0[BLOCK - 1] = 1;
        let mut ctr = Ctr32::inner_iv_init(&self.aes, &j0);
        let mut expected = aes::Block::default();
        ctr.write_keystream_block(&mut expected);
        // S = GHASH(A ‖ 0* ‖ C ‖ 0* ‖ [len(A)]₆₄ ‖ [len(C)]₆₄), the tag S ⊕ AES(J0).
        let mut ghash = self.ghash.clone();
        ghash.update_padded(aad);
        ghash.update_padded(ciphertext);
        let mut lengths = ghash::Block::default();
        lengths[..8].copy_from_slice(&(aad_len * 8).to_be_bytes());
        lengths[8..].copy_from_slice(&(ct_len * 8).to_be_bytes());
        ghash.update(&[lengths]);
        let s = ghash.finalize();
        for (t, s) in expected.iter_mut().zip(s.iter()) {
            *t ^= *s;
        }
        if !bool::from(expected.as_slice().ct_eq(tag.as_slice())) {
            return Err(AeadError);
        }
        // The first block, from its keystream block (the counter moves on to the next).
        let first = ciphertext.len().min(BLOCK);
        let mut keystream = aes::Block::default();
        ctr.write_keystream_block(&mut keystream);
        for ((o, c), k) in out
            .iter_mut()
            .zip(ciphertext)
            .zip(keystream.iter())
            .take(first)
        {
            *o = *c ^ *k;
        }
        keystream.zeroize();
        let end = needed(&out[..first]).clamp(first, ciphertext.len());
        if end > first {
            let rest = InOutBuf::new(&ciphertext[first..end], &mut out[first..end])
                .map_err(|_| AeadError)?;
            ctr.apply_keystream_partial(rest);
        }
        Ok(end)
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

    /// Every copy of `ct ‖ tag` with one bit flipped: (the bit's index, ciphertext, tag).
    fn flipped_bits<'a>(
        ct: &'a [u8],
        tag: &'a [u8; TAG_LEN],
    ) -> impl Iterator<Item = (usize, Vec<u8>, [u8; TAG_LEN])> + 'a {
        (0..(ct.len() + TAG_LEN) * 8).map(move |i| {
            let (mut c, mut t) = (ct.to_vec(), *tag);
            if i < ct.len() * 8 {
                c[i / 8] ^= 1 << (i % 8);
            } else {
                let j = i - ct.len() * 8;
                t[j / 8] ^= 1 << (j % 8);
            }
            (i, c, t)
        })
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
        for (i, c, t) in flipped_bits(&ct, &tag) {
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

    /// The first byte, as a length of the plaintext wanted (for the prefix tests).
    fn first_byte(first: &[u8]) -> usize {
        first.first().map_or(0, |b| usize::from(*b))
    }

    #[test]
    fn a_prefix_decrypts_as_aes_gcm_does_for_every_length_and_cut() {
        let key = Aes256GcmKey::new(&[0x5a; KEY_LEN]);
        let nonce = [0x33; NONCE_LEN];
        for aad in [&b""[..], b"shikaku/seal", &[7u8; 40][..]] {
            for len in 0..=100usize {
                for want in [0usize, 1, 4, 15, 16, 17, 31, 32, 33, 50, 99, 100, 200] {
                    // The first byte says how much is wanted, as a length prefix would.
                    let mut plain: Vec<u8> = (0..len).map(|i| (i * 7 + 3) as u8).collect();
                    if let Some(b) = plain.first_mut() {
                        *b = u8::try_from(want).unwrap();
                    }
                    let sealed = key.encrypt(&nonce, aad, &plain).unwrap();
                    let (ct, tag) = sealed.split_at(len);
                    let tag: [u8; TAG_LEN] = tag.try_into().unwrap();
                    let mut out = vec![0xee; len];
                    let n = key
                        .decrypt_detached_prefix_into(&nonce, aad, ct, &tag, &mut out, first_byte)
                        .unwrap();
                    let expect = if len == 0 {
                        0
                    } else {
                        want.clamp(len.min(BLOCK), len)
                    };
                    assert_eq!(n, expect, "len {len} want {want}");
                    assert_eq!(out[..n], plain[..n], "len {len} want {want}");
                    assert!(
                        out[n..].iter().all(|b| *b == 0xee),
                        "len {len}: rest untouched"
                    );
                }
            }
        }
    }

    #[test]
    fn a_prefix_decrypts_as_aes_gcm_does_for_long_values() {
        // Lengths and associated data around and past 1 KiB, decrypted whole.
        let key = Aes256GcmKey::new(&[0xa5; KEY_LEN]);
        let nonce = [0x11; NONCE_LEN];
        for aad_len in [0usize, 1, 1023, 1024, 1500] {
            let aad: Vec<u8> = (0..aad_len).map(|i| (i * 13) as u8).collect();
            for len in [1023usize, 1024, 1025, 1040, 2049, 4100] {
                let plain: Vec<u8> = (0..len).map(|i| (i * 31 + 5) as u8).collect();
                let sealed = key.encrypt(&nonce, &aad, &plain).unwrap();
                let (ct, tag) = sealed.split_at(len);
                let tag: [u8; TAG_LEN] = tag.try_into().unwrap();
                let mut out = vec![0u8; len];
                let n = key
                    .decrypt_detached_prefix_into(&nonce, &aad, ct, &tag, &mut out, |_| usize::MAX)
                    .unwrap();
                assert_eq!((n, &out), (len, &plain), "aad {aad_len} len {len}");
                let mut bad = ct.to_vec();
                bad[len - 1] ^= 1;
                assert_eq!(
                    key.decrypt_detached_prefix_into(&nonce, &aad, &bad, &tag, &mut out, |_| 0),
                    Err(AeadError),
                    "aad {aad_len} len {len}: last byte"
                );
            }
        }
    }

    #[test]
    fn a_prefix_decrypts_the_gcm_spec_vectors() {
        for (i, v) in vectors().iter().enumerate() {
            let key = Aes256GcmKey::new(&hex(v.key).try_into().unwrap());
            let nonce: [u8; NONCE_LEN] = hex(v.iv).try_into().unwrap();
            let (aad, plain, ct) = (hex(v.aad), hex(v.plaintext), hex(v.ciphertext));
            let tag: [u8; TAG_LEN] = hex(v.tag).try_into().unwrap();
            let mut out = vec![0u8; ct.len()];
            let n = key
                .decrypt_detached_prefix_into(&nonce, &aad, &ct, &tag, &mut out, |_| usize::MAX)
                .unwrap();
            assert_eq!(n, ct.len(), "test case {}", 13 + i);
            assert_eq!(out, plain, "test case {}", 13 + i);
        }
    }

    #[test]
    fn a_prefix_is_refused_for_any_change_even_in_the_part_left_encrypted() {
        let v = &vectors()[3];
        let key = Aes256GcmKey::new(&hex(v.key).try_into().unwrap());
        let nonce: [u8; NONCE_LEN] = hex(v.iv).try_into().unwrap();
        let (aad, ct) = (hex(v.aad), hex(v.ciphertext));
        let tag: [u8; TAG_LEN] = hex(v.tag).try_into().unwrap();
        let mut out = vec![0xee; ct.len()];
        // Only the first block is wanted; a flipped bit anywhere is still refused.
        for (i, c, t) in flipped_bits(&ct, &tag) {
            assert_eq!(
                key.decrypt_detached_prefix_into(&nonce, &aad, &c, &t, &mut out, |_| 0),
                Err(AeadError),
                "bit {i}"
            );
            assert!(out.iter().all(|b| *b == 0xee), "bit {i}: out untouched");
        }
        let mut other_aad = aad.clone();
        other_aad[0] ^= 1;
        let mut other_nonce = nonce;
        other_nonce[0] ^= 1;
        for (n, a) in [
            (&nonce, &other_aad[..]),
            (&nonce, &aad[1..]),
            (&other_nonce, &aad[..]),
        ] {
            assert_eq!(
                key.decrypt_detached_prefix_into(n, a, &ct, &tag, &mut out, |_| 0),
                Err(AeadError)
            );
        }
        let other = Aes256GcmKey::new(&[0; KEY_LEN]);
        assert_eq!(
            other.decrypt_detached_prefix_into(&nonce, &aad, &ct, &tag, &mut out, |_| 0),
            Err(AeadError)
        );
        // Truncated, or an output of another length.
        assert_eq!(
            key.decrypt_detached_prefix_into(
                &nonce,
                &aad,
                &ct[..ct.len() - 1],
                &tag,
                &mut out[..ct.len() - 1],
                |_| 0
            ),
            Err(AeadError)
        );
        assert_eq!(
            key.decrypt_detached_prefix_into(&nonce, &aad, &ct, &tag, &mut out[1..], |_| 0),
            Err(AeadError)
        );
        assert!(out.iter().all(|b| *b == 0xee));
        assert_eq!(
            key.decrypt_detached_prefix_into(&nonce, &aad, &ct, &tag, &mut out, |_| 0),
            Ok(BLOCK)
        );
        assert_eq!(out[..BLOCK], hex(v.plaintext)[..BLOCK]);
        assert!(out[BLOCK..].iter().all(|b| *b == 0xee));
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
