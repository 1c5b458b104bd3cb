//! The card itself: files, PIN counters, security state and the APDU interpreter.
//!
//! Written from `docs/card-protocol.md` alone; it shares no card-protocol code with `shikaku-core`.
//!
//! Behaviour worth knowing (where the spec leaves a choice, the choice is written here):
//! - SELECT of any DF (even the current one) or a power reset clears every verified PIN, like
//!   OpenSC's logout-by-reselect. Retry counters are non-volatile.
//! - SELECT EF with no DF selected → `6A82` (the MF holds no such EF). READ BINARY / VERIFY /
//!   COMPUTE DIGITAL SIGNATURE with no current EF → `6986`; on a file of the wrong kind → `6981`.
//! - READ BINARY accepts the SFI form (`P1 = 100sssss`, `P2` = offset, the first 256 bytes only);
//!   it makes that EF current, exactly like a SELECT, and is logged as a selection. Extended Le
//!   (`00 Le1 Le2`, `00 00 00` = 65,536) is accepted, so a whole EF is one READ, unless
//!   [`Quirks::refuse_extended`] makes the card answer `6700` to every extended APDU. Reading at
//!   or beyond the end → `6B00`; a read crossing the end → the remainder + `6282`.
//! - As an in-process transport the card reports short APDUs only
//!   ([`CardTransport::extended_length`] is `false`) until
//!   [`VirtualCard::set_extended_length`] says otherwise, so a test chooses which reader it
//!   models.
//! - VERIFY / CHANGE REFERENCE DATA / COMPUTE DIGITAL SIGNATURE accept `P2 = 80` (current EF) and
//!   `P2 = 80|SFI` (the key EF with that short id in the current DF; absent → `6A88`).
//! - A VERIFY whose PIN has the wrong length is a wrong attempt (it costs a try), as the PIN guard
//!   must assume. An empty VERIFY on a blocked key answers `6984`.
//! - Certificate and 基本4情報 EFs are padded with `FF` to a multiple of 256 bytes; the token EF
//!   is 160 bytes and the 個人番号 EF exactly 17.
//! - Instructions: SELECT `A4`, READ BINARY `B0`, VERIFY `20`, CHANGE REFERENCE DATA `24`
//!   (`00 24 01 80|SFI Lc new`, after a VERIFY; bad format → `6A80`), GET CHALLENGE `84`,
//!   GET RESPONSE `C0` (CLA `00`), and COMPUTE DIGITAL SIGNATURE `2A` (CLA `80`, P1 `00`). Any
//!   other INS → `6D00`; a known INS with the other class → `6E00`; CLA other than `00`/`80` →
//!   `6E00`, except interindustry classes asking for secure messaging (`6882`), a logical channel
//!   (`6881`) or chaining (`6884`). Malformed lengths → `6700`.
//! - EFs `0003`/`0004`/`0005` of the text AP (integrity record, CV certificate, AP info) and the
//!   visual AP are not built: `6A82`.
//! - GET CHALLENGE returns bytes from a ChaCha20 stream seeded by the profile (repeatable).
//! - GET RESPONSE with nothing pending → `6985`. The card answers `61xx` / `6Cxx` only when the
//!   matching [`Quirks`] are switched on.
//!
//! The card is split by job: `apdu.rs` decodes commands, frames responses and routes them;
//! `files.rs` lays out the applications and their EFs; `state.rs` is the state machine
//! (selection, PIN counters, security state, signing); `faults.rs` is the APDU log and fault
//! injection behind [`CardTransport`].

mod apdu;
mod faults;
mod files;
mod state;

use std::collections::{BTreeMap, HashSet};
use std::sync::{Mutex, MutexGuard, OnceLock, PoisonError};

use rand_chacha::ChaCha20Rng;
use rand_chacha::rand_core::SeedableRng;
use rsa::pkcs8::EncodePublicKey;
use sha2::{Digest, Sha256};

pub use apdu::Quirks;
pub use faults::{Fault, LogEntry, Outcome};
pub use files::{Application, JPKI_AID, TEXT_AID, basic_info_ef, my_number_ef};
pub use state::{PinRef, Selection};

use crate::keys::{self, KeyError};
use crate::profile::Profile;
use files::{Contents, pad_ff, token_ef};
#[cfg(doc)]
use shikaku_core::card::CardTransport;
use state::State;

/// The ATR the card presents over vpcd: the one OpenSC matches for JPKI cards
/// (`3B E0 00 FF 81 31 FE 45 14`, T=1, valid TCK). Readers must identify the card by AID anyway.
pub const ATR: [u8; 9] = [0x3B, 0xE0, 0x00, 0xFF, 0x81, 0x31, 0xFE, 0x45, 0x14];

/// A virtual My Number Card built from a [`Profile`], with TEST keys under the test CA.
///
/// Use it in-process through [`CardTransport`], or serve it to pcscd with [`crate::vpcd::serve`].
/// All methods take `&self`; the state sits behind a mutex.
pub struct VirtualCard {
    contents: Contents,
    state: Mutex<State>,
}

impl std::fmt::Debug for VirtualCard {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("VirtualCard")
            .field("profile", &self.contents.profile)
            .finish_non_exhaustive()
    }
}

impl VirtualCard {
    /// Builds the card: derives (or takes from the per-process cache) the auth key, issues its
    /// certificate under the test CA and lays out the files. The 署名用 key is made on first use.
    pub fn new(profile: Profile) -> Result<VirtualCard, KeyError> {
        Self::build(profile, None)
    }

    /// [`VirtualCard::new`] with the 利用者証明用 certificate grown to exactly `size` bytes of
    /// DER by a longer CRL distribution point (a directory name, as on the real ones): e.g.
    /// 1,573, the size of a real card's certificate, to measure reads at that size.
    pub fn with_auth_certificate_size(
        profile: Profile,
        size: usize,
    ) -> Result<VirtualCard, KeyError> {
        Self::build(profile, Some(size))
    }

    fn build(profile: Profile, auth_size: Option<usize>) -> Result<VirtualCard, KeyError> {
        let auth = keys::auth_material(&profile, auth_size)?;
        let spki = auth
            .key
            .to_public_key()
            .to_public_key_der()
            .map_err(|e| KeyError::Certificate(e.to_string()))?;
        let auth_spki_sha256 = Sha256::digest(spki.as_bytes()).into();
        let pins = [
            profile.auth_pin.as_bytes().to_vec(),
            profile.sign_password.as_bytes().to_vec(),
            profile.text_pin.as_bytes().to_vec(),
        ];
        let challenge_seed: [u8; 32] = Sha256::new()
            .chain_update(b"shikaku-vcard/v1/challenge\0")
            .chain_update(profile.seed.as_bytes())
            .finalize()
            .into();
        let contents = Contents {
            token: token_ef(&profile),
            auth_ef: pad_ff(auth.cert_der.clone()),
            auth_ca_ef: pad_ff(keys::auth_ca()?.cert_der.clone()),
            auth_spki_sha256,
            my_number: my_number_ef(&profile),
            basic_info: basic_info_ef(&profile),
            auth,
            sign: OnceLock::new(),
            profile,
        };
        Ok(VirtualCard {
            contents,
            state: Mutex::new(State {
                present: true,
                df: None,
                ef: None,
                verified: HashSet::new(),
                retries: PinRef::ALL.map(PinRef::max_tries),
                pins,
                count: 0,
                log: Vec::new(),
                faults: BTreeMap::new(),
                my_number_selected: false,
                challenge_rng: ChaCha20Rng::from_seed(challenge_seed),
                selection: None,
                quirks: Quirks::default(),
                extended_length: false,
                pending: None,
            }),
        })
    }

    fn state(&self) -> MutexGuard<'_, State> {
        // A panic while holding the lock leaves consistent-enough state for a test double.
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The profile the card was built from.
    pub fn profile(&self) -> &Profile {
        &self.contents.profile
    }

    /// The ATR presented over vpcd.
    pub fn atr(&self) -> &'static [u8] {
        &ATR
    }

    /// The 利用者証明用 certificate, DER (without the EF's `FF` filler).
    pub fn auth_certificate_der(&self) -> &[u8] {
        &self.contents.auth.cert_der
    }

    /// SHA-256 of the auth certificate's SubjectPublicKeyInfo (DER): the card-key fingerprint.
    pub fn auth_key_fingerprint(&self) -> [u8; 32] {
        self.contents.auth_spki_sha256
    }

    /// The 署名用 certificate, DER (generates the sign key on first call).
    pub fn sign_certificate_der(&self) -> Result<Vec<u8>, KeyError> {
        Ok(self.contents.sign()?.material.cert_der.clone())
    }
}
