//! The card's state machine: the current DF and EF, PIN counters and security state, and the
//! commands that read, verify and sign under it.

use std::collections::{BTreeMap, HashSet};

use rand_chacha::ChaCha20Rng;
use rand_chacha::rand_core::RngCore;
use rsa::pkcs1v15::Pkcs1v15Sign;
use rsa::traits::PublicKeyParts;

use super::apdu::{
    Command, SW_BLOCKED, SW_END_OF_FILE, SW_INCOMPATIBLE_FILE, SW_NO_CURRENT_EF, SW_NO_DIAGNOSIS,
    SW_NOT_FOUND, SW_OFFSET_BEYOND, SW_OK, SW_REF_NOT_FOUND, SW_SECURITY_NOT_SATISFIED,
    SW_WRONG_DATA, SW_WRONG_LENGTH, SW_WRONG_P1P2, sw, with_sw,
};
use super::faults::{Fault, LogEntry};
use super::files::{Application, EfKind, JPKI_AID, TEXT_AID, lookup};
use super::{Quirks, VirtualCard};
use crate::profile;

/// A PIN or password key on the card.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PinRef {
    /// 利用者証明用 PIN: JPKI key EF `0018`, 3 tries.
    AuthPin,
    /// 署名用 password: JPKI key EF `001B`, 5 tries.
    SignPassword,
    /// 券面事項入力補助用 PIN: text-AP key EF `0011`, 3 tries.
    TextPin,
}

impl PinRef {
    /// Every PIN on the card.
    pub const ALL: [PinRef; 3] = [PinRef::AuthPin, PinRef::SignPassword, PinRef::TextPin];

    /// The retry limit (and the counter after a successful VERIFY).
    pub fn max_tries(self) -> u8 {
        match self {
            PinRef::AuthPin | PinRef::TextPin => 3,
            PinRef::SignPassword => 5,
        }
    }

    /// The application holding the key.
    pub fn application(self) -> Application {
        match self {
            PinRef::AuthPin | PinRef::SignPassword => Application::Jpki,
            PinRef::TextPin => Application::Text,
        }
    }

    /// The key EF id.
    pub fn ef(self) -> u16 {
        match self {
            PinRef::AuthPin => 0x0018,
            PinRef::SignPassword => 0x001B,
            PinRef::TextPin => 0x0011,
        }
    }

    fn index(self) -> usize {
        match self {
            PinRef::AuthPin => 0,
            PinRef::SignPassword => 1,
            PinRef::TextPin => 2,
        }
    }

    fn valid_new_value(self, value: &[u8]) -> bool {
        match std::str::from_utf8(value) {
            Ok(s) => match self {
                PinRef::AuthPin | PinRef::TextPin => profile::is_pin(s),
                PinRef::SignPassword => profile::is_sign_password(s),
            },
            Err(_) => false,
        }
    }
}

/// What a command selected (recorded in the [`LogEntry`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Selection {
    /// The master file (`00 A4 00 0C 02 3F00`).
    MasterFile,
    /// An application by AID.
    Application(Application),
    /// An EF of an application, by SELECT or by the SFI form of READ BINARY.
    Ef {
        /// The application the EF belongs to.
        application: Application,
        /// The EF id.
        ef: u16,
    },
}

impl Selection {
    /// Whether this selection is the 個人番号 EF (text AP `0001`).
    pub fn is_my_number(&self) -> bool {
        matches!(
            self,
            Selection::Ef {
                application: Application::Text,
                ef: 0x0001
            }
        )
    }
}

/// Mutable card state.
pub(super) struct State {
    pub(super) present: bool,
    pub(super) df: Option<Application>,
    pub(super) ef: Option<(Application, u16)>,
    pub(super) verified: HashSet<PinRef>,
    pub(super) retries: [u8; 3],
    pub(super) pins: [Vec<u8>; 3],
    pub(super) count: usize,
    pub(super) log: Vec<LogEntry>,
    pub(super) faults: BTreeMap<usize, Fault>,
    pub(super) my_number_selected: bool,
    pub(super) challenge_rng: ChaCha20Rng,
    /// Set by the command being processed when it selects something.
    pub(super) selection: Option<Selection>,
    pub(super) quirks: Quirks,
    /// What the in-process transport reports as [`shikaku_core::card::CardTransport::extended_length`].
    pub(super) extended_length: bool,
    /// Response data (and its final SW) still to be fetched with GET RESPONSE.
    pub(super) pending: Option<(Vec<u8>, u16)>,
}

impl State {
    pub(super) fn reset(&mut self) {
        self.df = None;
        self.ef = None;
        self.verified.clear();
        self.pending = None;
    }

    fn select_ef(&mut self, app: Application, ef: u16) {
        self.ef = Some((app, ef));
        let sel = Selection::Ef {
            application: app,
            ef,
        };
        if sel.is_my_number() {
            self.my_number_selected = true;
        }
        self.selection = Some(sel);
    }
}

impl VirtualCard {
    /// Whether the 個人番号 EF (text AP `0001`) was ever selected on this card, by SELECT or by
    /// the SFI form of READ BINARY. The entry is also marked in the log ([`Selection::is_my_number`]).
    pub fn my_number_selected(&self) -> bool {
        self.state().my_number_selected
    }

    /// Tries left for a PIN (0 = blocked).
    pub fn retries_left(&self, pin: PinRef) -> u8 {
        self.state().retries[pin.index()]
    }

    /// Sets the tries left (clamped to the maximum), e.g. to start a test with one try left or
    /// blocked. Clears that PIN's verified state.
    pub fn set_retries_left(&self, pin: PinRef, tries: u8) {
        let mut st = self.state();
        st.retries[pin.index()] = tries.min(pin.max_tries());
        st.verified.remove(&pin);
    }

    /// Whether the PIN is currently verified.
    pub fn is_verified(&self, pin: PinRef) -> bool {
        self.state().verified.contains(&pin)
    }

    /// A power cycle or warm reset: nothing selected, no PIN verified. Retry counters persist.
    pub fn reset(&self) {
        self.state().reset();
    }

    pub(super) fn select(&self, st: &mut State, cmd: &Command<'_>) -> Result<Vec<u8>, u16> {
        if cmd.p2 != 0x0C {
            return Err(SW_WRONG_P1P2);
        }
        match cmd.p1 {
            0x04 => {
                if cmd.data.is_empty() {
                    return Err(SW_WRONG_LENGTH);
                }
                let app = if cmd.data == JPKI_AID {
                    Application::Jpki
                } else if cmd.data == TEXT_AID {
                    Application::Text
                } else {
                    return Err(SW_NOT_FOUND);
                };
                st.reset();
                st.df = Some(app);
                st.selection = Some(Selection::Application(app));
                Ok(sw(SW_OK))
            }
            0x02 | 0x00 => {
                let id = match cmd.data {
                    [hi, lo] => u16::from_be_bytes([*hi, *lo]),
                    _ => return Err(SW_WRONG_LENGTH),
                };
                if cmd.p1 == 0x00 {
                    if id != 0x3F00 {
                        return Err(SW_NOT_FOUND);
                    }
                    st.reset();
                    st.selection = Some(Selection::MasterFile);
                    return Ok(sw(SW_OK));
                }
                let app = st.df.ok_or(SW_NOT_FOUND)?;
                lookup(app, id).ok_or(SW_NOT_FOUND)?;
                st.select_ef(app, id);
                Ok(sw(SW_OK))
            }
            _ => Err(SW_WRONG_P1P2),
        }
    }

    pub(super) fn read_binary(&self, st: &mut State, cmd: &Command<'_>) -> Result<Vec<u8>, u16> {
        let le = match (cmd.data.is_empty(), cmd.le) {
            (true, Some(le)) => le,
            _ => return Err(SW_WRONG_LENGTH),
        };
        let (app, id, offset) = if cmd.p1 & 0x80 != 0 {
            let sfi = cmd.p1 & 0x1F;
            if cmd.p1 & 0x60 != 0 || sfi == 0 {
                return Err(SW_WRONG_P1P2);
            }
            let app = st.df.ok_or(SW_NOT_FOUND)?;
            let id = u16::from(sfi);
            lookup(app, id).ok_or(SW_NOT_FOUND)?;
            st.select_ef(app, id);
            (app, id, usize::from(cmd.p2))
        } else {
            let (app, id) = st.ef.ok_or(SW_NO_CURRENT_EF)?;
            (app, id, usize::from(u16::from_be_bytes([cmd.p1, cmd.p2])))
        };
        let (ef, needs) = match lookup(app, id) {
            Some(EfKind::Binary { ef, needs }) => (ef, needs),
            Some(_) => return Err(SW_INCOMPATIBLE_FILE),
            None => return Err(SW_NO_CURRENT_EF),
        };
        if let Some(pin) = needs
            && !st.verified.contains(&pin)
        {
            return Err(SW_SECURITY_NOT_SATISFIED);
        }
        let content = self.contents.binary(ef).map_err(|_| SW_NO_DIAGNOSIS)?;
        if offset >= content.len() {
            return Err(SW_OFFSET_BEYOND);
        }
        let rest = &content[offset..];
        if le > rest.len() && le <= 256 && st.quirks.le_correction {
            // "Wrong Le, the right one is xx" (xx = 00 means 256).
            return Err(0x6C00 | (rest.len().min(256) & 0xFF) as u16);
        }
        if le > rest.len() {
            Ok(with_sw(rest.to_vec(), SW_END_OF_FILE))
        } else {
            Ok(with_sw(rest[..le].to_vec(), SW_OK))
        }
    }

    /// Resolves `P2 = 80|SFI` of VERIFY / CHANGE REFERENCE DATA / PSO to an EF of the current DF.
    fn key_reference(st: &State, p2: u8) -> Result<EfKind, u16> {
        if p2 & 0x80 == 0 || p2 & 0x60 != 0 {
            return Err(SW_WRONG_P1P2);
        }
        let sfi = p2 & 0x1F;
        if sfi == 0 {
            let (app, id) = st.ef.ok_or(SW_NO_CURRENT_EF)?;
            lookup(app, id).ok_or(SW_NO_CURRENT_EF)
        } else {
            let app = st.df.ok_or(SW_REF_NOT_FOUND)?;
            lookup(app, u16::from(sfi)).ok_or(SW_REF_NOT_FOUND)
        }
    }

    pub(super) fn verify(&self, st: &mut State, cmd: &Command<'_>) -> Result<Vec<u8>, u16> {
        if cmd.p1 != 0x00 {
            return Err(SW_WRONG_P1P2);
        }
        if cmd.le.is_some() {
            return Err(SW_WRONG_LENGTH);
        }
        let pin = match Self::key_reference(st, cmd.p2)? {
            EfKind::Pin(pin) => pin,
            _ => return Err(SW_INCOMPATIBLE_FILE),
        };
        let i = pin.index();
        if st.retries[i] == 0 {
            return Err(SW_BLOCKED);
        }
        if cmd.data.is_empty() {
            // Retry counter query: costs nothing.
            return if st.verified.contains(&pin) {
                Ok(sw(SW_OK))
            } else {
                Err(0x63C0 | u16::from(st.retries[i]))
            };
        }
        if cmd.data == st.pins[i].as_slice() {
            st.retries[i] = pin.max_tries();
            st.verified.insert(pin);
            Ok(sw(SW_OK))
        } else {
            st.retries[i] -= 1;
            st.verified.remove(&pin);
            Err(0x63C0 | u16::from(st.retries[i]))
        }
    }

    pub(super) fn change_reference_data(
        &self,
        st: &mut State,
        cmd: &Command<'_>,
    ) -> Result<Vec<u8>, u16> {
        if cmd.p1 != 0x01 {
            return Err(SW_WRONG_P1P2);
        }
        if cmd.le.is_some() || cmd.data.is_empty() {
            return Err(SW_WRONG_LENGTH);
        }
        let pin = match Self::key_reference(st, cmd.p2)? {
            EfKind::Pin(pin) => pin,
            _ => return Err(SW_INCOMPATIBLE_FILE),
        };
        if st.retries[pin.index()] == 0 {
            return Err(SW_BLOCKED);
        }
        if !st.verified.contains(&pin) {
            return Err(SW_SECURITY_NOT_SATISFIED);
        }
        if !pin.valid_new_value(cmd.data) {
            return Err(SW_WRONG_DATA);
        }
        st.pins[pin.index()] = cmd.data.to_vec();
        Ok(sw(SW_OK))
    }

    pub(super) fn compute_signature(
        &self,
        st: &mut State,
        cmd: &Command<'_>,
    ) -> Result<Vec<u8>, u16> {
        if cmd.p1 != 0x00 {
            return Err(SW_WRONG_P1P2);
        }
        let key_len = self.contents.auth.key.size();
        if cmd.data.is_empty() || cmd.data.len() > key_len - 11 {
            return Err(SW_WRONG_LENGTH);
        }
        if matches!(cmd.le, Some(le) if le < key_len) {
            // 6C00 = "resend with Le 256" under the quirk, else a plain length error.
            return Err(if st.quirks.le_correction {
                0x6C00
            } else {
                SW_WRONG_LENGTH
            });
        }
        let card_key = match Self::key_reference(st, cmd.p2)? {
            EfKind::PrivateKey(key) => key,
            _ => return Err(SW_INCOMPATIBLE_FILE),
        };
        if !st.verified.contains(&card_key.pin()) {
            return Err(SW_SECURITY_NOT_SATISFIED);
        }
        let key = self
            .contents
            .private_key(card_key)
            .map_err(|_| SW_NO_DIAGNOSIS)?;
        // PKCS#1 v1.5 type-1 padding of the data exactly as given (the host built the
        // DigestInfo), then the raw RSA private-key operation.
        let signature = key
            .sign(Pkcs1v15Sign::new_unprefixed(), cmd.data)
            .map_err(|_| SW_NO_DIAGNOSIS)?;
        Ok(with_sw(signature, SW_OK))
    }

    pub(super) fn get_challenge(&self, st: &mut State, cmd: &Command<'_>) -> Result<Vec<u8>, u16> {
        if cmd.p1 != 0 || cmd.p2 != 0 {
            return Err(SW_WRONG_P1P2);
        }
        let n = match (cmd.data.is_empty(), cmd.le) {
            (true, Some(n)) if n <= 256 => n,
            _ => return Err(SW_WRONG_LENGTH),
        };
        let mut out = vec![0u8; n];
        st.challenge_rng.fill_bytes(&mut out);
        Ok(with_sw(out, SW_OK))
    }
}
