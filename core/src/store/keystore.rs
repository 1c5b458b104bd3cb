//! The key seam: the platform wraps and unwraps the store's data key.
//!
//! Android wraps with an Android Keystore AES-GCM key, iOS with the Keychain / Secure Enclave;
//! the CLI uses a passphrase ([`PassphraseKeyStore`]) and tests an in-memory key
//! ([`MemoryKeyStore`]). The core never sees the platform's key, only the wrapped blob.
//!
//! The strength rule for a new passphrase ([`check_passphrase_strength`]) lives here too, so
//! every front end that asks for one (the CLI today) applies the same rule.

use argon2::{Algorithm, Argon2, Params, Version};
use rand_core::{OsRng, RngCore};
use shikaku_aead::{Aes256GcmKey, NONCE_LEN, TAG_LEN};
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
    /// Encrypts `key` under the platform's key and returns an opaque blob. `key` is borrowed
    /// from the store's own zeroizing buffer: an implementation that copies it must wipe the
    /// copy.
    fn wrap(&self, key: &[u8]) -> Result<Vec<u8>, KeyStoreError>;
    /// Returns the key inside `blob`, or [`KeyStoreError::Rejected`] if it does not open.
    fn unwrap(&self, blob: Vec<u8>) -> Result<Vec<u8>, KeyStoreError>;
}

fn seal(kek: &[u8; 32], header: &[u8], key: &[u8]) -> Result<Vec<u8>, KeyStoreError> {
    let cipher = Aes256GcmKey::new(kek);
    let mut nonce = [0u8; NONCE_LEN];
    OsRng.fill_bytes(&mut nonce);
    let ct = cipher
        .encrypt(&nonce, header, key)
        .map_err(|_| KeyStoreError::Unavailable {
            reason: "encryption failed".into(),
        })?;
    let mut out = header.to_vec();
    out.extend_from_slice(&nonce);
    out.extend_from_slice(&ct);
    Ok(out)
}

fn open(kek: &[u8; 32], header: &[u8], rest: &[u8]) -> Result<Vec<u8>, KeyStoreError> {
    let Some((nonce, ct)) = rest
        .split_first_chunk::<NONCE_LEN>()
        .filter(|(_, ct)| ct.len() >= TAG_LEN)
    else {
        return Err(KeyStoreError::Malformed);
    };
    let cipher = Aes256GcmKey::new(kek);
    cipher
        .decrypt(nonce, header, ct)
        // The data key leaves as the trait's plain `Vec` (the store wraps it in `Zeroizing`).
        .map(|mut plain| std::mem::take(&mut *plain))
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
    fn wrap(&self, key: &[u8]) -> Result<Vec<u8>, KeyStoreError> {
        seal(&self.kek, MEMORY_MAGIC, key)
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
    /// The cost of new blobs on a desktop, where the wrapped key may be copied off and guessed
    /// at offline: RFC 9106's second recommended option (§4: 64 MiB, 3 passes, 4 lanes).
    pub const DESKTOP: Argon2Cost = Argon2Cost {
        memory_kib: 64 * 1024,
        iterations: 3,
        parallelism: 4,
    };
    /// OWASP's recommended Argon2id minimum (19 MiB, 2 iterations, 1 lane); the CLI's cost
    /// before [`Argon2Cost::DESKTOP`]. Blobs written with it still open (their cost is read
    /// from the blob).
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
    /// A key store for `passphrase`, wrapping new blobs with [`Argon2Cost::DESKTOP`].
    pub fn new(passphrase: Zeroizing<String>) -> Self {
        Self::with_cost(passphrase, Argon2Cost::DESKTOP)
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
    fn wrap(&self, key: &[u8]) -> Result<Vec<u8>, KeyStoreError> {
        let mut salt = [0u8; SALT_LEN];
        OsRng.fill_bytes(&mut salt);
        let kek = self.derive(self.cost, &salt)?;
        seal(&kek, &header(self.cost, &salt), key)
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

/// The rule a new passphrase must meet, in words (every [`WeakPassphrase`] message ends with
/// it). See `docs/decisions/0001-encrypted-store.md` for where it comes from.
pub const PASSPHRASE_RULE: &str = "at least 15 characters, at least 6 of them different, \
not a keyboard or alphabet run, and not built from a common password or the app's name";

/// The fewest characters (Unicode scalar values) a new passphrase may have: NIST SP 800-63B-4
/// §3.1.1.2 asks for 15 for a password that is the only factor.
pub const MIN_PASSPHRASE_CHARS: usize = 15;

/// The fewest distinct characters: refuses one character or a short pattern repeated.
const MIN_DISTINCT_CHARS: usize = 6;

/// Why a new passphrase is refused. The messages name the rule, never the passphrase.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum WeakPassphrase {
    /// Fewer than [`MIN_PASSPHRASE_CHARS`] characters.
    #[error("the passphrase is too short; a passphrase needs {PASSPHRASE_RULE}")]
    TooShort,
    /// Too few distinct characters, or a run along the keyboard or the alphabet.
    #[error("the passphrase is a repeated pattern or a run; a passphrase needs {PASSPHRASE_RULE}")]
    Pattern,
    /// Built from a common password or a word anyone would try here, plus digits or symbols.
    #[error("the passphrase is built from a common password; a passphrase needs {PASSPHRASE_RULE}")]
    Common,
}

/// Runs along which a "sequential" passphrase is typed (checked forwards and backwards,
/// repeated, case-insensitively).
const RUNS: [&str; 3] = [
    "0123456789",
    "abcdefghijklmnopqrstuvwxyz",
    "qwertyuiopasdfghjklzxcvbnm",
];

/// Words that add nothing to a passphrase: the most common passwords' stems (from published
/// breach-corpus top lists) and the words anyone attacking this app would try first.
const COMMON_WORDS: [&str; 24] = [
    "password",
    "passwort",
    "passphrase",
    "qwerty",
    "azerty",
    "letmein",
    "iloveyou",
    "welcome",
    "admin",
    "login",
    "secret",
    "monkey",
    "dragon",
    "sunshine",
    "princess",
    "football",
    "baseball",
    "abc",
    "shikaku",
    "mynumber",
    "hoken",
    "insurance",
    "card",
    "pass",
];

/// Left over after the common words are taken out, a passphrase must still have this many
/// letters (of any script): "password123456789!" has none.
const MIN_OTHER_LETTERS: usize = 4;

/// Checks a **new** passphrase against the strength rule ([`PASSPHRASE_RULE`]): at least
/// [`MIN_PASSPHRASE_CHARS`] Unicode scalar values; at least 6 distinct ones; not a stretch of
/// `0123…9`, `abc…z` or the `qwerty` rows (repeated, either direction, any case); and not
/// built from a short list of common passwords and app words plus digits, spaces or symbols.
/// There are no composition rules (no "one digit, one capital"), as NIST SP 800-63B-4
/// advises. Existing stores are opened with whatever passphrase they were made with.
pub fn check_passphrase_strength(passphrase: &str) -> Result<(), WeakPassphrase> {
    if passphrase.chars().count() < MIN_PASSPHRASE_CHARS {
        return Err(WeakPassphrase::TooShort);
    }
    // Every copy made here is wiped when dropped.
    let lower: Zeroizing<Vec<char>> = Zeroizing::new(passphrase.to_lowercase().chars().collect());
    let mut distinct = Zeroizing::new(lower.to_vec());
    distinct.sort_unstable();
    distinct.dedup();
    if distinct.len() < MIN_DISTINCT_CHARS {
        return Err(WeakPassphrase::Pattern);
    }
    let on_a_run = RUNS.iter().any(|run| {
        let forwards: Vec<char> = run.chars().cycle().take(lower.len() + run.len()).collect();
        let backwards: Vec<char> = forwards.iter().rev().copied().collect();
        [forwards, backwards]
            .iter()
            .any(|seq| seq.windows(lower.len()).any(|w| w == lower.as_slice()))
    });
    if on_a_run {
        return Err(WeakPassphrase::Pattern);
    }
    let mut common = vec![false; lower.len()];
    for word in COMMON_WORDS {
        let word: Vec<char> = word.chars().collect();
        for start in 0..lower.len() {
            if lower[start..].starts_with(&word) {
                common[start..start + word.len()].fill(true);
            }
        }
    }
    let other_letters = lower
        .iter()
        .zip(&common)
        .filter(|(c, common)| c.is_alphabetic() && !**common)
        .count();
    if other_letters < MIN_OTHER_LETTERS {
        return Err(WeakPassphrase::Common);
    }
    Ok(())
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
        let blob = ks.wrap(&[7; 32]).unwrap();
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
        let blob = ks.wrap(&[1; 32]).unwrap();
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
        assert_ne!(ks.wrap(&[0; 32]).unwrap(), ks.wrap(&[0; 32]).unwrap());
    }

    #[test]
    fn new_blobs_record_the_desktop_cost_and_old_costs_still_open() {
        let key = [9u8; 32];
        let blob = PassphraseKeyStore::new(Zeroizing::new("correct horse".into()))
            .wrap(&key)
            .unwrap();
        let word = |i: usize| u32::from_le_bytes(blob[4 + 4 * i..8 + 4 * i].try_into().unwrap());
        assert_eq!((word(0), word(1), word(2)), (64 * 1024, 3, 4));
        // A blob written at the old (OWASP minimum) cost opens with a desktop-cost key store.
        let old = PassphraseKeyStore::with_cost(
            Zeroizing::new("correct horse".into()),
            Argon2Cost::RECOMMENDED,
        )
        .wrap(&key)
        .unwrap();
        let desktop = PassphraseKeyStore::new(Zeroizing::new("correct horse".into()));
        assert_eq!(desktop.unwrap(old).unwrap(), key.to_vec());
        assert_eq!(desktop.unwrap(blob).unwrap(), key.to_vec());
    }

    #[test]
    fn passphrase_strength_rule() {
        for good in [
            "correct horse battery staple",
            "shikaku-demo-household",
            "あいうえおかきくけこさしすせそ",
            "Tr0ub4dor&3-zebra",
            "mynumber card of the Yamada family",
        ] {
            assert_eq!(check_passphrase_strength(good), Ok(()), "{good}");
        }
        let refused = [
            ("", WeakPassphrase::TooShort),
            ("pw", WeakPassphrase::TooShort),
            ("fourteen chars", WeakPassphrase::TooShort),
            // Counted in characters, not bytes: 14 kana are 42 bytes and still too short.
            ("あいうえおかきくけこさしすせ", WeakPassphrase::TooShort),
            ("aaaaaaaaaaaaaaaaaaaa", WeakPassphrase::Pattern),
            ("abcabcabcabcabcabc", WeakPassphrase::Pattern),
            ("ab12ab12ab12ab12ab12", WeakPassphrase::Pattern),
            ("abcdefghijklmnop", WeakPassphrase::Pattern),
            ("ZYXWVUTSRQPONMLK", WeakPassphrase::Pattern),
            ("1234567890123456", WeakPassphrase::Pattern),
            ("9876543210987654", WeakPassphrase::Pattern),
            ("QWERTYuiopasdfgh", WeakPassphrase::Pattern),
            ("password12345678", WeakPassphrase::Common),
            ("Password!2024#xy", WeakPassphrase::Common),
            ("shikaku passphrase", WeakPassphrase::Common),
            ("iloveyou iloveyou 99", WeakPassphrase::Common),
        ];
        for (bad, why) in refused {
            assert_eq!(check_passphrase_strength(bad), Err(why), "{bad}");
        }
        // The message states the rule and never echoes the passphrase.
        let msg = WeakPassphrase::Common.to_string();
        assert!(msg.contains("at least 15 characters"), "{msg}");
        assert!(!msg.contains("Password!2024"));
    }
}
