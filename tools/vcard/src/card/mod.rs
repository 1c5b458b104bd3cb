//! The card itself: files, PIN counters, security state and the APDU interpreter.
//!
//! Written from `mynacard.md` alone; it shares no card-protocol code with `shikaku-core`.
//!
//! Behaviour worth knowing (where the spec leaves a choice, the choice is written here):
//! - SELECT of any DF (even the current one) or a power reset clears every verified PIN, like
//!   OpenSC's logout-by-reselect. Retry counters are non-volatile.
//! - SELECT EF with no DF selected → `6A82` (the MF holds no such EF). READ BINARY / VERIFY /
//!   COMPUTE DIGITAL SIGNATURE with no current EF → `6986`; on a file of the wrong kind → `6981`.
//! - READ BINARY accepts the SFI form (`P1 = 100sssss`, `P2` = offset, the first 256 bytes only);
//!   it makes that EF current, exactly like a SELECT, and is logged as a selection. Extended Le is
//!   accepted. Reading at or beyond the end → `6B00`; a read crossing the end → the remainder +
//!   `6282`.
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

use std::collections::{BTreeMap, HashSet};
use std::sync::{Arc, Mutex, MutexGuard, OnceLock, PoisonError};

use rand_chacha::ChaCha20Rng;
use rand_chacha::rand_core::{RngCore, SeedableRng};
use rsa::pkcs1v15::Pkcs1v15Sign;
use rsa::pkcs8::EncodePublicKey;
use rsa::{RsaPrivateKey, traits::PublicKeyParts};
use sha2::{Digest, Sha256};
use shikaku_core::card::{CardTransport, TransportError};

use crate::keys::{self, KeyAndCert, KeyError};
use crate::profile::{self, Profile};

/// AID of the 公的個人認証AP (JPKI).
pub const JPKI_AID: [u8; 10] = [0xD3, 0x92, 0xF0, 0x00, 0x26, 0x01, 0x00, 0x00, 0x00, 0x01];
/// AID of the 券面事項入力補助AP (text AP).
pub const TEXT_AID: [u8; 10] = [0xD3, 0x92, 0x10, 0x00, 0x31, 0x00, 0x01, 0x01, 0x04, 0x08];

/// The ATR the card presents over vpcd: the one OpenSC matches for JPKI cards
/// (`3B E0 00 FF 81 31 FE 45 14`, T=1, valid TCK). Readers must identify the card by AID anyway.
pub const ATR: [u8; 9] = [0x3B, 0xE0, 0x00, 0xFF, 0x81, 0x31, 0xFE, 0x45, 0x14];

/// An application (DF) on the card.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Application {
    /// 公的個人認証AP.
    Jpki,
    /// 券面事項入力補助AP.
    Text,
}

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

/// A deliberate transport failure for one APDU.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fault {
    /// The error `transceive` returns.
    pub error: TransportError,
    /// `true`: the card processes the command (counters, state change) and the answer is lost.
    /// `false`: the command never reaches the card.
    pub after_processing: bool,
}

impl Fault {
    /// The card processes the command, then the answer is lost as [`TransportError::TagLost`]:
    /// the case where a VERIFY was counted but the host never learns the result.
    pub fn lost_after_processing() -> Fault {
        Fault {
            error: TransportError::TagLost,
            after_processing: true,
        }
    }

    /// The command is lost as [`TransportError::TagLost`] before the card sees it.
    pub fn lost_before_processing() -> Fault {
        Fault {
            error: TransportError::TagLost,
            after_processing: false,
        }
    }
}

/// Optional behaviours of some real cards and readers, off by default, so that a reader's
/// handling of `61xx` and `6Cxx` can be exercised end to end.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Quirks {
    /// T=0 style: every response with data is announced as `61xx` and must be fetched with
    /// GET RESPONSE `00 C0 00 00 Le` (in pieces if Le is smaller; the last piece carries the
    /// original status word). Any other command discards what was not fetched.
    pub get_response: bool,
    /// A short READ BINARY whose Le runs past the end of the file answers `6Cxx` (xx = the bytes
    /// left) instead of the remainder with `6282`; COMPUTE DIGITAL SIGNATURE with Le < 256 answers
    /// `6C00` instead of `6700`.
    pub le_correction: bool,
}

/// What happened to one APDU.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// Processed and answered.
    Delivered,
    /// Processed, but the answer was replaced by this error (fault injection).
    AnswerLost(TransportError),
    /// Never processed: the card was removed or a fault hit before processing.
    NotProcessed(TransportError),
}

/// One line of the APDU log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogEntry {
    /// 0-based position among all `transceive` calls since the card was made.
    pub index: usize,
    /// The command APDU as received.
    pub command: Vec<u8>,
    /// The response the card produced (data + SW), if it processed the command.
    pub response: Option<Vec<u8>>,
    /// Whether the response reached the host.
    pub outcome: Outcome,
    /// The file this command made current, if it selected one (even when the answer was lost).
    pub selected: Option<Selection>,
}

impl LogEntry {
    /// The status word of the produced response, if any.
    pub fn sw(&self) -> Option<u16> {
        let r = self.response.as_ref()?;
        let n = r.len();
        (n >= 2).then(|| u16::from_be_bytes([r[n - 2], r[n - 1]]))
    }
}

/// Binary (transparent) EFs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum BinaryEf {
    Token,
    AuthCert,
    AuthCa,
    SignCert,
    SignCa,
    MyNumber,
    BasicInfo,
}

/// What an EF id names in an application.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum EfKind {
    /// A transparent EF, readable after `needs` (if any) is verified.
    Binary { ef: BinaryEf, needs: Option<PinRef> },
    /// A PIN / password key EF.
    Pin(PinRef),
    /// A private-key EF usable after its PIN.
    PrivateKey(CardKey),
}

/// The two RSA keys of the JPKI AP.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum CardKey {
    /// 利用者証明用 key `0017`.
    Auth,
    /// 署名用 key `001A`.
    Sign,
}

impl CardKey {
    fn pin(self) -> PinRef {
        match self {
            CardKey::Auth => PinRef::AuthPin,
            CardKey::Sign => PinRef::SignPassword,
        }
    }
}

fn lookup(app: Application, ef: u16) -> Option<EfKind> {
    use BinaryEf::*;
    use EfKind::*;
    Some(match (app, ef) {
        (Application::Jpki, 0x0001) => Binary {
            ef: SignCert,
            needs: Some(PinRef::SignPassword),
        },
        (Application::Jpki, 0x0002) => Binary {
            ef: SignCa,
            needs: None,
        },
        (Application::Jpki, 0x0006) => Binary {
            ef: Token,
            needs: None,
        },
        (Application::Jpki, 0x000A) => Binary {
            ef: AuthCert,
            needs: None,
        },
        (Application::Jpki, 0x000B) => Binary {
            ef: AuthCa,
            needs: None,
        },
        (Application::Jpki, 0x0017) => PrivateKey(CardKey::Auth),
        (Application::Jpki, 0x0018) => Pin(PinRef::AuthPin),
        (Application::Jpki, 0x001A) => PrivateKey(CardKey::Sign),
        (Application::Jpki, 0x001B) => Pin(PinRef::SignPassword),
        (Application::Text, 0x0001) => Binary {
            ef: MyNumber,
            needs: Some(PinRef::TextPin),
        },
        (Application::Text, 0x0002) => Binary {
            ef: BasicInfo,
            needs: Some(PinRef::TextPin),
        },
        (Application::Text, 0x0011) => Pin(PinRef::TextPin),
        _ => return None,
    })
}

// Status words.
const SW_OK: u16 = 0x9000;
const SW_END_OF_FILE: u16 = 0x6282;
const SW_WRONG_LENGTH: u16 = 0x6700;
const SW_CHANNEL_UNSUPPORTED: u16 = 0x6881;
const SW_SM_UNSUPPORTED: u16 = 0x6882;
const SW_CHAINING_UNSUPPORTED: u16 = 0x6884;
const SW_INCOMPATIBLE_FILE: u16 = 0x6981;
const SW_SECURITY_NOT_SATISFIED: u16 = 0x6982;
const SW_BLOCKED: u16 = 0x6984;
const SW_CONDITIONS_NOT_SATISFIED: u16 = 0x6985;
const SW_NO_CURRENT_EF: u16 = 0x6986;
const SW_WRONG_DATA: u16 = 0x6A80;
const SW_NOT_FOUND: u16 = 0x6A82;
const SW_WRONG_P1P2: u16 = 0x6A86;
const SW_REF_NOT_FOUND: u16 = 0x6A88;
const SW_OFFSET_BEYOND: u16 = 0x6B00;
const SW_INS_UNSUPPORTED: u16 = 0x6D00;
const SW_CLA_UNSUPPORTED: u16 = 0x6E00;
const SW_NO_DIAGNOSIS: u16 = 0x6F00;

/// A parsed command APDU.
struct Command<'a> {
    ins: u8,
    p1: u8,
    p2: u8,
    data: &'a [u8],
    /// `None`: no Le field. `Some(n)`: Ne, with short `00` = 256 and extended `0000` = 65536.
    le: Option<usize>,
}

/// Splits an APDU into its fields (ISO 7816-3 cases 1–4, short and extended).
fn parse(apdu: &[u8]) -> Result<Command<'_>, u16> {
    let (header, body) = apdu.split_at_checked(4).ok_or(SW_WRONG_LENGTH)?;
    let (data, le) = match body {
        [] => (&body[..0], None),
        [le] => (
            &body[..0],
            Some(if *le == 0 { 256 } else { usize::from(*le) }),
        ),
        [0, hi, lo] => {
            let n = usize::from(u16::from_be_bytes([*hi, *lo]));
            (&body[..0], Some(if n == 0 { 65536 } else { n }))
        }
        [0, hi, lo, rest @ ..] => {
            let lc = usize::from(u16::from_be_bytes([*hi, *lo]));
            if lc == 0 {
                return Err(SW_WRONG_LENGTH);
            }
            match rest.len().checked_sub(lc) {
                Some(0) => (rest, None),
                Some(2) => {
                    let n = usize::from(u16::from_be_bytes([rest[lc], rest[lc + 1]]));
                    (&rest[..lc], Some(if n == 0 { 65536 } else { n }))
                }
                _ => return Err(SW_WRONG_LENGTH),
            }
        }
        [lc, rest @ ..] => {
            let lc = usize::from(*lc);
            match rest.len().checked_sub(lc) {
                Some(0) => (rest, None),
                Some(1) => {
                    let le = rest[lc];
                    (
                        &rest[..lc],
                        Some(if le == 0 { 256 } else { usize::from(le) }),
                    )
                }
                _ => return Err(SW_WRONG_LENGTH),
            }
        }
    };
    Ok(Command {
        ins: header[1],
        p1: header[2],
        p2: header[3],
        data,
        le,
    })
}

/// `61xx`: `xx` more bytes available (`00` = 256 or more).
fn more_data(n: usize) -> u16 {
    0x6100 | (n.min(256) & 0xFF) as u16
}

fn sw(code: u16) -> Vec<u8> {
    code.to_be_bytes().to_vec()
}

fn with_sw(mut data: Vec<u8>, code: u16) -> Vec<u8> {
    data.extend_from_slice(&code.to_be_bytes());
    data
}

/// BER length octets.
fn ber_len(n: usize, out: &mut Vec<u8>) {
    if n < 0x80 {
        out.push(n as u8);
    } else if n <= 0xFF {
        out.extend_from_slice(&[0x81, n as u8]);
    } else {
        // Callers keep files far below 64 KiB (profile limits), so n fits in two bytes.
        let n = u16::try_from(n).unwrap_or(u16::MAX);
        out.push(0x82);
        out.extend_from_slice(&n.to_be_bytes());
    }
}

fn tlv(tag: &[u8], value: &[u8]) -> Vec<u8> {
    let mut out = tag.to_vec();
    ber_len(value.len(), &mut out);
    out.extend_from_slice(value);
    out
}

/// Pads with `FF` to a multiple of 256 bytes (at least 256).
fn pad_ff(mut data: Vec<u8>) -> Vec<u8> {
    let size = data.len().div_ceil(256).max(1) * 256;
    data.resize(size, 0xFF);
    data
}

/// The 基本4情報 EF `0002`: `FF20 { DF21 offsets, DF22 name, DF23 address, DF24 birth, DF25 sex }`,
/// offsets counted from the start of the file to each of the DF22..DF25 tags, then `FF` filler.
pub fn basic_info_ef(profile: &Profile) -> Vec<u8> {
    let birth = profile.birth_date.format("%Y%m%d").to_string();
    let items = [
        tlv(&[0xDF, 0x22], profile.name.as_bytes()),
        tlv(&[0xDF, 0x23], profile.address.as_bytes()),
        tlv(&[0xDF, 0x24], birth.as_bytes()),
        tlv(&[0xDF, 0x25], &[profile.sex.code()]),
    ];
    let offsets_tlv_len = 2 + 1 + 8;
    let content_len = offsets_tlv_len + items.iter().map(Vec::len).sum::<usize>();
    let mut file = vec![0xFF, 0x20];
    ber_len(content_len, &mut file);
    let mut offsets = Vec::with_capacity(8);
    let mut at = file.len() + offsets_tlv_len;
    for item in &items {
        // The profile bounds name and address, so every offset is far below 65536.
        let off = u16::try_from(at).unwrap_or(u16::MAX);
        offsets.extend_from_slice(&off.to_be_bytes());
        at += item.len();
    }
    file.extend(tlv(&[0xDF, 0x21], &offsets));
    for item in items {
        file.extend(item);
    }
    pad_ff(file)
}

/// The 個人番号 EF `0001`: `FF 10 0C` + 12 ASCII digits + `FF FF` (17 bytes).
pub fn my_number_ef(profile: &Profile) -> Vec<u8> {
    let mut ef = vec![0xFF, 0x10, 0x0C];
    ef.extend_from_slice(profile.my_number.as_bytes());
    ef.extend_from_slice(&[0xFF, 0xFF]);
    ef
}

/// The token EF `0006`, 160 bytes shaped like a PKCS#11 `CK_TOKEN_INFO`: label (32, space-padded),
/// manufacturer (32), model (16), serial number (16), then `FF` for the numeric fields.
fn token_ef(profile: &Profile) -> Vec<u8> {
    fn padded(s: &str, n: usize) -> Vec<u8> {
        let mut v: Vec<u8> = s.bytes().take(n).collect();
        v.resize(n, b' ');
        v
    }
    let serial: String = Sha256::digest(profile.seed.as_bytes())
        .iter()
        .take(8)
        .map(|b| format!("{b:02X}"))
        .collect();
    let mut ef = padded(&profile.token_label, 32);
    ef.extend(padded("JPKI-TEST shikaku virtual card", 32));
    ef.extend(padded("VIRTUAL", 16));
    ef.extend(padded(&serial, 16));
    ef.resize(160, 0xFF);
    ef
}

/// The immutable content of a card.
struct Contents {
    profile: Profile,
    token: Vec<u8>,
    auth: KeyAndCert,
    auth_ef: Vec<u8>,
    auth_ca_ef: Vec<u8>,
    auth_spki_sha256: [u8; 32],
    my_number: Vec<u8>,
    basic_info: Vec<u8>,
    /// The 署名用 key is generated on first use: most tests never touch it.
    sign: OnceLock<Result<Arc<SignContents>, KeyError>>,
}

struct SignContents {
    material: KeyAndCert,
    cert_ef: Vec<u8>,
    ca_ef: Vec<u8>,
}

impl Contents {
    fn sign(&self) -> Result<Arc<SignContents>, KeyError> {
        self.sign
            .get_or_init(|| {
                let material = keys::sign_material(&self.profile)?;
                Ok(Arc::new(SignContents {
                    cert_ef: pad_ff(material.cert_der.clone()),
                    ca_ef: pad_ff(keys::sign_ca()?.cert_der.clone()),
                    material,
                }))
            })
            .clone()
    }

    fn binary(&self, ef: BinaryEf) -> Result<Vec<u8>, KeyError> {
        Ok(match ef {
            BinaryEf::Token => self.token.clone(),
            BinaryEf::AuthCert => self.auth_ef.clone(),
            BinaryEf::AuthCa => self.auth_ca_ef.clone(),
            BinaryEf::SignCert => self.sign()?.cert_ef.clone(),
            BinaryEf::SignCa => self.sign()?.ca_ef.clone(),
            BinaryEf::MyNumber => self.my_number.clone(),
            BinaryEf::BasicInfo => self.basic_info.clone(),
        })
    }

    fn private_key(&self, key: CardKey) -> Result<Arc<RsaPrivateKey>, KeyError> {
        Ok(match key {
            CardKey::Auth => Arc::clone(&self.auth.key),
            CardKey::Sign => Arc::clone(&self.sign()?.material.key),
        })
    }
}

/// Mutable card state.
struct State {
    present: bool,
    df: Option<Application>,
    ef: Option<(Application, u16)>,
    verified: HashSet<PinRef>,
    retries: [u8; 3],
    pins: [Vec<u8>; 3],
    count: usize,
    log: Vec<LogEntry>,
    faults: BTreeMap<usize, Fault>,
    my_number_selected: bool,
    challenge_rng: ChaCha20Rng,
    /// Set by the command being processed when it selects something.
    selection: Option<Selection>,
    quirks: Quirks,
    /// Response data (and its final SW) still to be fetched with GET RESPONSE.
    pending: Option<(Vec<u8>, u16)>,
}

impl State {
    fn reset(&mut self) {
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
        let auth = keys::auth_material(&profile)?;
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

    /// A copy of the APDU log, in order.
    pub fn log(&self) -> Vec<LogEntry> {
        self.state().log.clone()
    }

    /// Empties the APDU log. Indices keep counting; [`VirtualCard::my_number_selected`] is kept.
    pub fn clear_log(&self) {
        self.state().log.clear();
    }

    /// How many APDUs were sent so far: the index the next one gets.
    pub fn apdu_count(&self) -> usize {
        self.state().count
    }

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

    /// Switches [`Quirks`] on or off (all off initially).
    pub fn set_quirks(&self, quirks: Quirks) {
        let mut st = self.state();
        st.quirks = quirks;
        st.pending = None;
    }

    /// Whether the PIN is currently verified.
    pub fn is_verified(&self, pin: PinRef) -> bool {
        self.state().verified.contains(&pin)
    }

    /// Makes the APDU with this index (see [`VirtualCard::apdu_count`]) fail with `fault`.
    pub fn inject_fault(&self, index: usize, fault: Fault) {
        self.state().faults.insert(index, fault);
    }

    /// Removes every pending fault.
    pub fn clear_faults(&self) {
        self.state().faults.clear();
    }

    /// Takes the card out of the field (`false`: every APDU fails with `TagLost`, unprocessed) or
    /// puts it back (`true`: powered up afresh, nothing selected, no PIN verified).
    pub fn set_present(&self, present: bool) {
        let mut st = self.state();
        if present && !st.present {
            st.reset();
        }
        st.present = present;
    }

    /// A power cycle or warm reset: nothing selected, no PIN verified. Retry counters persist.
    pub fn reset(&self) {
        self.state().reset();
    }

    /// Processes one command APDU and returns the response, without transport faults or logging
    /// side effects beyond the card state. Used by [`CardTransport::transceive`].
    fn process(&self, st: &mut State, apdu: &[u8]) -> Vec<u8> {
        let get_response = apdu.starts_with(&[0x00, 0xC0]);
        if !get_response {
            // Any other command discards an unread response.
            st.pending = None;
        }
        let response = match self.dispatch(st, apdu) {
            Ok(resp) => resp,
            Err(code) => sw(code),
        };
        if st.quirks.get_response && !get_response && response.len() > 2 {
            let (data, code) = response.split_at(response.len() - 2);
            st.pending = Some((data.to_vec(), u16::from_be_bytes([code[0], code[1]])));
            return sw(more_data(data.len()));
        }
        response
    }

    fn dispatch(&self, st: &mut State, apdu: &[u8]) -> Result<Vec<u8>, u16> {
        let (&cla, &ins) = match apdu {
            [cla, ins, ..] => (cla, ins),
            _ => return Err(SW_WRONG_LENGTH),
        };
        check_cla(cla)?;
        let required_cla = match ins {
            0xA4 | 0xB0 | 0x20 | 0x24 | 0x84 | 0xC0 => 0x00,
            0x2A => 0x80,
            _ => return Err(SW_INS_UNSUPPORTED),
        };
        if cla != required_cla {
            return Err(SW_CLA_UNSUPPORTED);
        }
        let cmd = parse(apdu)?;
        match cmd.ins {
            0xA4 => self.select(st, &cmd),
            0xB0 => self.read_binary(st, &cmd),
            0x20 => self.verify(st, &cmd),
            0x24 => self.change_reference_data(st, &cmd),
            0x2A => self.compute_signature(st, &cmd),
            0xC0 => Self::get_response(st, &cmd),
            _ => self.get_challenge(st, &cmd),
        }
    }

    fn select(&self, st: &mut State, cmd: &Command<'_>) -> Result<Vec<u8>, u16> {
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

    fn read_binary(&self, st: &mut State, cmd: &Command<'_>) -> Result<Vec<u8>, u16> {
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

    fn verify(&self, st: &mut State, cmd: &Command<'_>) -> Result<Vec<u8>, u16> {
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

    fn change_reference_data(&self, st: &mut State, cmd: &Command<'_>) -> Result<Vec<u8>, u16> {
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

    fn compute_signature(&self, st: &mut State, cmd: &Command<'_>) -> Result<Vec<u8>, u16> {
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

    /// GET RESPONSE `00 C0 00 00 Le`: the next part of a response announced with `61xx`.
    fn get_response(st: &mut State, cmd: &Command<'_>) -> Result<Vec<u8>, u16> {
        if cmd.p1 != 0 || cmd.p2 != 0 {
            return Err(SW_WRONG_P1P2);
        }
        let le = match (cmd.data.is_empty(), cmd.le) {
            (true, Some(le)) => le,
            _ => return Err(SW_WRONG_LENGTH),
        };
        let (mut data, final_sw) = st.pending.take().ok_or(SW_CONDITIONS_NOT_SATISFIED)?;
        if le >= data.len() {
            return Ok(with_sw(data, final_sw));
        }
        let rest = data.split_off(le);
        let announce = more_data(rest.len());
        st.pending = Some((rest, final_sw));
        Ok(with_sw(data, announce))
    }

    fn get_challenge(&self, st: &mut State, cmd: &Command<'_>) -> Result<Vec<u8>, u16> {
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

/// CLA: `00` (interindustry) and `80` (proprietary) only; logical channels, secure messaging and
/// command chaining are refused with their own status words.
fn check_cla(cla: u8) -> Result<(), u16> {
    match cla {
        0x00 | 0x80 => Ok(()),
        c if c & 0xE0 == 0 => Err(if c & 0x0C != 0 {
            SW_SM_UNSUPPORTED
        } else if c & 0x03 != 0 {
            SW_CHANNEL_UNSUPPORTED
        } else {
            SW_CHAINING_UNSUPPORTED
        }),
        _ => Err(SW_CLA_UNSUPPORTED),
    }
}

impl CardTransport for VirtualCard {
    fn transceive(&self, apdu: Vec<u8>) -> Result<Vec<u8>, TransportError> {
        let mut st = self.state();
        let index = st.count;
        st.count += 1;
        let fault = st.faults.remove(&index);
        let early_error = if !st.present {
            Some(TransportError::TagLost)
        } else {
            match &fault {
                Some(f) if !f.after_processing => Some(f.error.clone()),
                _ => None,
            }
        };
        if let Some(error) = early_error {
            st.log.push(LogEntry {
                index,
                command: apdu,
                response: None,
                outcome: Outcome::NotProcessed(error.clone()),
                selected: None,
            });
            return Err(error);
        }
        st.selection = None;
        let response = self.process(&mut st, &apdu);
        let selected = st.selection.take();
        let (outcome, result) = match fault {
            Some(f) => (Outcome::AnswerLost(f.error.clone()), Err(f.error)),
            None => (Outcome::Delivered, Ok(response.clone())),
        };
        st.log.push(LogEntry {
            index,
            command: apdu,
            response: Some(response),
            outcome,
            selected,
        });
        result
    }
}
