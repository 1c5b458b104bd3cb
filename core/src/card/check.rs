//! The card check and the other whole-card operations the app and the CLI call.

use chrono::{DateTime, NaiveDate, Utc};
use rand_core::{OsRng, RngCore};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::apdu::Channel;
use super::cert::{CardCertificate, ChainStatus, KeyFingerprint, TrustStore};
use super::error::{CardError, PinKind};
use super::jpki::{self, CardKind};
use super::pin::{Pin, PinCounter};
use super::status::StatusWord;
use super::text_ap::{self, BasicInfo};
use super::transport::CardTransport;
use crate::clock::japan_today;
use crate::screen::calendar::{certificate_expiry_date, expiry_state, insurance_grace_last_day};

/// Options of [`check_card`].
///
/// The consent to spend a PIN's last try is given **per PIN**: the 利用者証明用 PIN and the
/// 券面事項入力補助AP PIN have separate counters, and consent for one never spends the other's
/// last try.
#[derive(Debug, Clone, Default)]
pub struct CheckOptions {
    /// Send the 利用者証明用 (auth) PIN's VERIFY even when that PIN has one try left (the user
    /// consented for this PIN).
    pub allow_last_auth_attempt: bool,
    /// Send the 券面事項入力補助AP PIN's VERIFY even when that PIN has one try left (the user
    /// consented for this PIN). Used only with `read_basic_info`.
    pub allow_last_text_attempt: bool,
    /// Also read the 基本4情報 from the 券面事項入力補助AP with the same PIN (and the same
    /// guard). Its outcome is reported beside the authentication check
    /// ([`CardCheck::basic_info`]), never instead of it.
    pub read_basic_info: bool,
    /// Extra trust anchors, DER or PEM (e.g. the virtual card's test CA).
    pub extra_anchors: Vec<Vec<u8>>,
    /// The roots to chain to; `None` = the embedded J-LIS auth roots. Use this to add a
    /// generation with [`TrustStore::add_root`].
    pub trust_store: Option<TrustStore>,
}

impl CheckOptions {
    /// The options of a check stored for a member (the apps' card check): the 基本4情報 are
    /// read with the same PIN, under that PIN's own guard, because comparing them with the
    /// member is what links the card to the member: without them the member's badge stays
    /// カード真正・本人未照合 unless a signed document binds the card's key (docs/card-check.md).
    /// No last try is spent without its own consent; the embedded J-LIS roots.
    pub fn for_member() -> Self {
        Self {
            read_basic_info: Self::MEMBER_READS_BASIC_INFO,
            ..Self::default()
        }
    }

    /// Whether a check stored for a member reads the 基本4情報 ([`CheckOptions::for_member`]),
    /// for a caller that takes the other options elsewhere (the FFI's default).
    pub const MEMBER_READS_BASIC_INFO: bool = true;
}

/// Why the 基本4情報 could not be read, beside a good authentication check. Carries no card
/// data.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum TextApFailure {
    /// The card rejected the 券面事項入力補助AP PIN; its counter went down by one.
    WrongPin {
        /// Tries left after this failure (at least 1).
        retries_left: u8,
    },
    /// The 券面事項入力補助AP PIN is blocked (already, or by this try); only the municipal
    /// office can reset it.
    PinBlocked,
    /// The 券面事項入力補助AP PIN has one try left and no consent was given for it: nothing
    /// was sent.
    NeedsConsent,
    /// The 券面事項入力補助AP PIN has lost tries since it was last entered right (fewer than
    /// [`super::text_ap::TEXT_PIN_TRIES`] left, more than one): the PIN typed for the check,
    /// which this step sends on, may not be its PIN, so nothing was sent without consent
    /// (`allow_last_text_attempt`).
    TriesLost {
        /// Tries left, as the card reported them.
        retries_left: u8,
    },
    /// Any other failure of the step (no such AP, an unexpected status word, a malformed
    /// file, the card leaving the field, a counter that cannot be read).
    CardError {
        /// The data-free [`CardError`] message.
        message: String,
        /// A VERIFY of the 券面事項入力補助AP PIN was sent and not answered: re-read its
        /// counter before trying again.
        verify_in_flight: bool,
    },
}

impl TextApFailure {
    pub(crate) fn of(error: CardError) -> Self {
        match error {
            CardError::WrongPin { retries_left, .. } => Self::WrongPin { retries_left },
            CardError::PinBlocked { .. } => Self::PinBlocked,
            CardError::LastAttemptNeedsConsent { .. } => Self::NeedsConsent,
            other => Self::CardError {
                verify_in_flight: other.verify_in_flight(),
                message: other.to_string(),
            },
        }
    }
}

impl std::fmt::Display for TextApFailure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let pin = PinKind::TextAp;
        match self {
            Self::WrongPin { retries_left } => write!(
                f,
                "{}",
                CardError::WrongPin {
                    retries_left: *retries_left,
                    pin
                }
            ),
            Self::PinBlocked => write!(f, "{}", CardError::PinBlocked { pin }),
            Self::NeedsConsent => write!(f, "{}", CardError::LastAttemptNeedsConsent { pin }),
            Self::TriesLost { retries_left } => write!(
                f,
                "the {pin} has lost tries since it was last entered right ({retries_left} \
                 left): the PIN typed for the check may not be its PIN, so nothing was sent \
                 without consent"
            ),
            Self::CardError { message, .. } => f.write_str(message),
        }
    }
}

/// What became of the 基本4情報 step of a check ([`CheckOptions::read_basic_info`]).
///
/// Stored with the check. A check stored before this type existed kept an
/// `Option<BasicInfo>` (`null` or the 4 fields); it still reads, as `NotRequested` or `Read`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(from = "StoredOutcome")]
pub enum BasicInfoOutcome {
    /// The 基本4情報 was not asked for.
    #[default]
    NotRequested,
    /// Read after a successful VERIFY of the 券面事項入力補助AP PIN.
    Read(BasicInfo),
    /// The step failed; the authentication check beside it stands.
    Failed(TextApFailure),
}

impl BasicInfoOutcome {
    /// The 基本4情報, when it was read.
    pub fn info(&self) -> Option<&BasicInfo> {
        match self {
            Self::Read(info) => Some(info),
            _ => None,
        }
    }

    /// The 基本4情報, mutable, when it was read.
    pub fn info_mut(&mut self) -> Option<&mut BasicInfo> {
        match self {
            Self::Read(info) => Some(info),
            _ => None,
        }
    }

    /// Why the step failed, when it did.
    pub fn failure(&self) -> Option<&TextApFailure> {
        match self {
            Self::Failed(failure) => Some(failure),
            _ => None,
        }
    }
}

/// [`BasicInfoOutcome`] as it may be found in a stored check: the current form, or the
/// `Option<BasicInfo>` of checks stored before the outcome existed.
#[derive(Deserialize)]
#[serde(untagged)]
enum StoredOutcome {
    Current(CurrentOutcome),
    Legacy(Option<BasicInfo>),
}

/// The serde shape of [`BasicInfoOutcome`] (its derived `Serialize` writes this form).
#[derive(Deserialize)]
enum CurrentOutcome {
    NotRequested,
    Read(BasicInfo),
    Failed(TextApFailure),
}

impl From<StoredOutcome> for BasicInfoOutcome {
    fn from(stored: StoredOutcome) -> Self {
        match stored {
            StoredOutcome::Current(CurrentOutcome::NotRequested) | StoredOutcome::Legacy(None) => {
                Self::NotRequested
            }
            StoredOutcome::Current(CurrentOutcome::Read(info))
            | StoredOutcome::Legacy(Some(info)) => Self::Read(info),
            StoredOutcome::Current(CurrentOutcome::Failed(failure)) => Self::Failed(failure),
        }
    }
}

/// How the card's signature over the challenge was checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum SignatureStatus {
    /// A fresh random 32-byte challenge, signed by the card's auth key, verified as RSA
    /// PKCS#1 v1.5 SHA-256 with the certificate's key. (A failure is
    /// [`CardError::BadSignature`], never a stored result.)
    VerifiedFreshChallenge,
}

/// The result of a successful [`check_card`], ready to be stored for a member.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CardCheck {
    /// Which kind of JPKI token answered.
    pub card_kind: CardKind,
    /// SHA-256 of the 利用者証明用 certificate's SubjectPublicKeyInfo (the holder binding).
    pub key_fingerprint: KeyFingerprint,
    /// The certificate's notBefore.
    #[serde(deserialize_with = "crate::clock::serde_text::instant")]
    pub certificate_not_before: DateTime<Utc>,
    /// The certificate's notAfter (the 5th birthday after issue). When it is before
    /// `checked_at`, the certificate had expired at the check and was accepted inside the
    /// 保険証 grace period ([`CardCheck::certificate_expired_at_check`]).
    #[serde(deserialize_with = "crate::clock::serde_text::instant")]
    pub certificate_not_after: DateTime<Utc>,
    /// The trust anchor the certificate chained to (as of `checked_at`, or as of
    /// `certificate_not_after` for a certificate that had expired).
    pub chain: ChainStatus,
    /// How the signature was checked.
    pub signature: SignatureStatus,
    /// The auth PIN counter as read before the VERIFY (a successful VERIFY resets the card's
    /// counter to its maximum).
    pub retries_left: PinCounter,
    /// The `now` of the check.
    #[serde(deserialize_with = "crate::clock::serde_text::instant")]
    pub checked_at: DateTime<Utc>,
    /// The 基本4情報 step: not requested, read, or why it failed (beside this good check).
    #[serde(default)]
    pub basic_info: BasicInfoOutcome,
}

impl CardCheck {
    /// True when the 利用者証明用 certificate was past its notAfter at the check: [`check_card`]
    /// accepted it because the card still worked as a 保険証 (the grace period up to the end of
    /// the 3rd month after the expiry day), and chained it as of its notAfter.
    pub fn certificate_expired_at_check(&self) -> bool {
        self.checked_at > self.certificate_not_after
    }

    /// The last day the card works as a 保険証 on this certificate: the end of the 3rd month
    /// after the certificate's expiry day in Japan (`screen::calendar`; docs/dates.md §2).
    /// `None` only for a notAfter at the end of the calendar's range.
    pub fn insurance_grace_last_day(&self) -> Option<NaiveDate> {
        insurance_grace_last_day(certificate_expiry_date(self.certificate_not_after))
    }
}

/// A challenge signed by the card's auth key, for the sync login.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignedChallenge {
    /// The 利用者証明用 certificate, DER.
    pub certificate_der: Vec<u8>,
    /// RSA PKCS#1 v1.5 signature over SHA-256(challenge) (sha256WithRSAEncryption).
    pub signature: Vec<u8>,
}

/// The 利用者証明用 certificate in a form to show.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CertificateSummary {
    /// Subject (RFC 4514; an opaque id, no personal name).
    pub subject: String,
    /// Issuer (RFC 4514).
    pub issuer: String,
    /// notBefore.
    #[serde(deserialize_with = "crate::clock::serde_text::instant")]
    pub not_before: DateTime<Utc>,
    /// notAfter.
    #[serde(deserialize_with = "crate::clock::serde_text::instant")]
    pub not_after: DateTime<Utc>,
    /// SHA-256 of the SubjectPublicKeyInfo.
    pub key_fingerprint: KeyFingerprint,
}

impl CertificateSummary {
    fn of(certificate: &CardCertificate) -> Self {
        Self {
            subject: certificate.subject(),
            issuer: certificate.issuer(),
            not_before: certificate.not_before(),
            not_after: certificate.not_after(),
            key_fingerprint: certificate.key_fingerprint(),
        }
    }
}

/// What can be read without a PIN: retry counters and the auth certificate.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CardStatus {
    /// Which kind of JPKI token answered.
    pub card_kind: CardKind,
    /// The auth PIN counter.
    pub auth_pin: PinCounter,
    /// The 券面事項入力補助AP PIN counter (`None` when the card has no such AP).
    pub text_pin: Option<PinCounter>,
    /// The 利用者証明用 certificate.
    pub certificate: CertificateSummary,
}

fn fresh_challenge() -> Result<[u8; 32], CardError> {
    let mut challenge = [0u8; 32];
    OsRng
        .try_fill_bytes(&mut challenge)
        .map_err(|_| CardError::RandomUnavailable)?;
    Ok(challenge)
}

/// The chain check of a card check, before any PIN is sent.
///
/// A certificate within its validity is checked at `now` ([`TrustStore::verify`]). One past its
/// notAfter is still checked — the card works as a 保険証 until the end of the 3rd month after
/// the expiry (notice A: 保険証利用 is cancelled only 「有効期限から3ヶ月が経過している場合」) —
/// but as of its own validity ([`TrustStore::verify_as_of_expiry`]: the anchor must have been
/// valid at the certificate's notAfter). The order keeps the old answers: a certificate that
/// chains to no anchor is [`CardError::UntrustedCertificate`], expired or not; one past the
/// grace period is [`CardError::CertificateExpired`]. The grace rule is the screen's
/// (`screen::calendar::expiry_state`), so the check and the screen agree on the day.
pub(super) fn verify_certificate(
    trust: &TrustStore,
    certificate: &CardCertificate,
    now: DateTime<Utc>,
) -> Result<ChainStatus, CardError> {
    let not_after = certificate.not_after();
    if now <= not_after {
        return trust.verify(certificate, now);
    }
    if trust.find_issuer(certificate).is_none() {
        return Err(CardError::UntrustedCertificate);
    }
    let expiry = certificate_expiry_date(not_after);
    if !expiry_state(expiry, japan_today(now)).usable_as_insurance() {
        return Err(CardError::CertificateExpired { not_after });
    }
    trust.verify_as_of_expiry(certificate)
}

/// Has the card sign `challenge` after the guarded VERIFY, and checks the signature with the
/// certificate's key. Returns the signature.
fn sign_with_auth_key(
    ch: &mut Channel<'_>,
    certificate: &CardCertificate,
    pin: &Pin,
    challenge: &[u8],
    allow_last_attempt: bool,
) -> Result<(PinCounter, Vec<u8>), CardError> {
    let counter = jpki::verify_auth_pin(ch, pin, allow_last_attempt)?;
    let digest_info = jpki::sha256_digest_info(&Sha256::digest(challenge).into());
    let signature = jpki::sign(ch, &digest_info)?;
    certificate.verify_signature(challenge, &signature)?;
    Ok((counter, signature))
}

/// The 券面事項入力補助AP step: SELECT, the guarded VERIFY of its own PIN, the 基本4情報.
fn read_text_ap(
    ch: &mut Channel<'_>,
    pin: &Pin,
    allow_last_attempt: bool,
) -> Result<BasicInfo, TextApFailure> {
    text_ap::select(ch).map_err(TextApFailure::of)?;
    text_ap::verify_pin(ch, pin, allow_last_attempt)?;
    text_ap::read_basic_info(ch).map_err(TextApFailure::of)
}

/// Checks that the card is a genuine My Number Card held by someone who knows its PIN.
///
/// Order, and why:
/// 1. The PIN comes already checked for its format ([`Pin::from_bytes`], parsed once by the
///    caller at its boundary, so no text copy of it lives on here); the trust anchors are
///    parsed before anything is sent.
/// 2. SELECT the JPKI AP by AID (failure → [`CardError::NotAMyNumberCard`]); read the token
///    (card kind) and the 利用者証明用 certificate (no PIN). The certificate is one extended
///    READ BINARY when the transport carries extended APDUs
///    ([`CardTransport::extended_length`]); if the card, reader or transport refuses it, it is
///    read again in 256-byte chunks — still before any PIN is sent — and the session stays
///    short (docs/decisions/0012-extended-length.md).
/// 3. The certificate is chained to the anchors and checked for validity at `now` and for
///    keyUsage **before** the PIN is sent, so no try is spent on a card that cannot pass. An
///    expired certificate passes only inside the 保険証 grace period, chained as of its own
///    notAfter (see `verify_certificate`); the returned check then says so
///    ([`CardCheck::certificate_expired_at_check`]).
/// 4. The PIN guard: counter, consent for the last try (`allow_last_auth_attempt`), one
///    VERIFY, never resent.
/// 5. The card signs a fresh random 32-byte challenge with the auth key; the signature is
///    verified with the certificate's key. Any failure up to here is the `Err` of the call.
/// 6. Optionally, the 券面事項入力補助AP: same PIN, its own guard (its own counter and its own
///    consent, `allow_last_text_attempt`), then the 基本4情報. EF `0001` (個人番号) is never
///    selected. A failure of this step (wrong or blocked PIN, the last try without consent,
///    a card or transport error) ends the card session — nothing more is sent — and is
///    returned in [`CardCheck::basic_info`] **beside** the good authentication check, never
///    instead of it.
///
/// Nothing is stored; the caller stores the returned [`CardCheck`].
pub fn check_card(
    transport: &dyn CardTransport,
    pin: &Pin,
    options: CheckOptions,
    now: DateTime<Utc>,
) -> Result<CardCheck, CardError> {
    let mut trust = match options.trust_store {
        Some(store) => store,
        None => TrustStore::jlis_auth()?,
    };
    for anchor in &options.extra_anchors {
        trust.add_extra_anchor(anchor)?;
    }
    let challenge = fresh_challenge()?;

    let mut ch = Channel::new(transport);
    jpki::select(&mut ch)?;
    let card_kind = jpki::read_card_kind(&mut ch)?;
    let certificate = CardCertificate::from_der(&jpki::read_auth_certificate(&mut ch)?)?;
    let chain = verify_certificate(&trust, &certificate, now)?;

    let (retries_left, _) = sign_with_auth_key(
        &mut ch,
        &certificate,
        pin,
        &challenge,
        options.allow_last_auth_attempt,
    )?;

    let basic_info = if options.read_basic_info {
        match read_text_ap(&mut ch, pin, options.allow_last_text_attempt) {
            Ok(info) => BasicInfoOutcome::Read(info),
            Err(failure) => BasicInfoOutcome::Failed(failure),
        }
    } else {
        BasicInfoOutcome::NotRequested
    };

    Ok(CardCheck {
        card_kind,
        key_fingerprint: certificate.key_fingerprint(),
        certificate_not_before: certificate.not_before(),
        certificate_not_after: certificate.not_after(),
        chain,
        signature: SignatureStatus::VerifiedFreshChallenge,
        retries_left,
        checked_at: now,
        basic_info,
    })
}

/// Signs a caller's challenge (e.g. the sync server's) with the auth key, behind the PIN
/// guard, and returns the certificate with the signature. The signature is checked locally
/// with the certificate's key; chaining is the verifier's job.
///
/// The PIN comes already checked for its format ([`Pin::from_bytes`]), so it is never made
/// into text on this path.
pub fn sign_challenge(
    transport: &dyn CardTransport,
    pin: &Pin,
    challenge: &[u8],
    allow_last_attempt: bool,
) -> Result<SignedChallenge, CardError> {
    let mut ch = Channel::new(transport);
    jpki::select(&mut ch)?;
    let certificate_der = jpki::read_auth_certificate(&mut ch)?;
    sign_after_certificate(&mut ch, certificate_der, pin, challenge, allow_last_attempt)
}

/// [`sign_challenge`], but only by the card whose certificate `expected` accepts: the
/// certificate is read and offered to `expected` **before** the PIN guard, so no try is
/// spent on a card other than the one the caller checked before (a card swapped on the
/// reader between two sessions). `Ok(None)` when `expected` refused it; nothing is sent
/// after the certificate was read.
pub(crate) fn sign_challenge_of_card(
    transport: &dyn CardTransport,
    pin: &Pin,
    challenge: &[u8],
    allow_last_attempt: bool,
    expected: impl FnOnce(&[u8]) -> bool,
) -> Result<Option<SignedChallenge>, CardError> {
    let mut ch = Channel::new(transport);
    jpki::select(&mut ch)?;
    let certificate_der = jpki::read_auth_certificate(&mut ch)?;
    if !expected(&certificate_der) {
        return Ok(None);
    }
    sign_after_certificate(&mut ch, certificate_der, pin, challenge, allow_last_attempt).map(Some)
}

/// The PIN guard and the signature, once the auth certificate was read on `ch`.
fn sign_after_certificate(
    ch: &mut Channel<'_>,
    certificate_der: Vec<u8>,
    pin: &Pin,
    challenge: &[u8],
    allow_last_attempt: bool,
) -> Result<SignedChallenge, CardError> {
    let certificate = CardCertificate::from_der(&certificate_der)?;
    let (_, signature) = sign_with_auth_key(ch, &certificate, pin, challenge, allow_last_attempt)?;
    Ok(SignedChallenge {
        certificate_der,
        signature,
    })
}

/// Reads what needs no PIN: card kind, the auth certificate, the auth PIN counter and the
/// 券面事項入力補助AP PIN counter. No try is spent.
pub fn card_status(transport: &dyn CardTransport) -> Result<CardStatus, CardError> {
    let mut ch = Channel::new(transport);
    jpki::select(&mut ch)?;
    let card_kind = jpki::read_card_kind(&mut ch)?;
    let certificate = CardCertificate::from_der(&jpki::read_auth_certificate(&mut ch)?)?;
    let auth_pin = jpki::auth_pin_counter(&mut ch)?;
    let text_pin = match text_ap::select(&mut ch) {
        Ok(()) => Some(text_ap::pin_counter(&mut ch)?),
        Err(CardError::UnexpectedStatus {
            sw: StatusWord::FileNotFound,
        }) => None,
        Err(other) => return Err(other),
    };
    Ok(CardStatus {
        card_kind,
        auth_pin,
        text_pin,
        certificate: CertificateSummary::of(&certificate),
    })
}

/// Reads the CA certificate the card stores next to its auth certificate (EF `000B`, DER, no
/// PIN). For display and diagnosis only: trust comes from the embedded roots.
pub fn read_auth_ca_certificate(transport: &dyn CardTransport) -> Result<Vec<u8>, CardError> {
    let mut ch = Channel::new(transport);
    jpki::select(&mut ch)?;
    jpki::read_auth_ca_certificate(&mut ch)
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;
    use crate::card::cert::AnchorSource;
    use crate::card::cert::testpki::{JLIS_AUTH_DN, NOT_AFTER, NOT_BEFORE, pki};
    use crate::card::error::PinKind;
    use crate::card::mock::{MockTransport, SELECT_TEXT_AP, extended_read_step, hex, read_steps};
    use crate::card::text_ap::{CardSex, encode_basic_info};
    use crate::card::transport::TransportError;

    const SELECT_JPKI: &str = "00A4040C0AD392F000260100000001";
    const PIN: &[u8] = b"1234";
    const VERIFY_1234: &str = "002000800431323334";

    /// [`PIN`], checked, as [`check_card`] and [`sign_challenge`] take it.
    fn pin() -> Pin {
        Pin::from_bytes(PIN).unwrap()
    }

    fn now() -> DateTime<Utc> {
        DateTime::from_timestamp(1_780_000_000, 0).unwrap() // 2026-05-28
    }

    fn options(read_basic_info: bool) -> CheckOptions {
        CheckOptions {
            read_basic_info,
            extra_anchors: vec![pki().ca.clone()],
            ..CheckOptions::default()
        }
    }

    fn token_answer(label: &str) -> Vec<u8> {
        let mut answer = label.as_bytes().to_vec();
        answer.resize(32, b' ');
        answer.extend_from_slice(&hex("9000"));
        answer
    }

    /// The card up to and including the certificate read.
    fn jpki_head(cert: &[u8]) -> MockTransport {
        MockTransport::new()
            .expect(SELECT_JPKI, "9000")
            .expect("00A4020C020006", "9000")
            .expect_bytes(hex("00B0000020"), token_answer("JPKIAPICCTOKEN2"))
            .expect("00A4020C02000A", "9000")
            .then(read_steps(cert, 2048 - cert.len()))
    }

    /// A full successful JPKI part.
    fn jpki_ok(cert: &[u8]) -> MockTransport {
        jpki_head(cert)
            .expect("00A4020C020018", "9000")
            .expect("00200080", "63C3")
            .expect(VERIFY_1234, "9000")
            .expect("00A4020C020017", "9000")
            .expect_sign(false)
    }

    fn basic_info_file() -> Vec<u8> {
        encode_basic_info(
            "山田\u{3000}太郎",
            "東京都千代田区千代田１－１",
            "19800217",
            "1",
        )
    }

    fn with_text_ap(mock: MockTransport) -> MockTransport {
        mock.expect(SELECT_TEXT_AP, "9000")
            .expect("00A4020C020011", "9000")
            .expect("00200080", "63C3")
            .expect(VERIFY_1234, "9000")
            .expect("00A4020C020002", "9000")
            .then(read_steps(&basic_info_file(), 40))
    }

    fn assert_invariants(mock: &MockTransport) {
        mock.assert_never_selected_my_number();
        // At most one VERIFY per PIN (one AP each).
        assert!(mock.pin_verifies() <= 2);
    }

    #[test]
    fn check_without_basic_info() {
        let mock = jpki_ok(&pki().leaf);
        let check = check_card(&mock, &pin(), options(false), now()).unwrap();
        mock.assert_done();
        assert_invariants(&mock);
        assert_eq!(check.card_kind, CardKind::MyNumberCard);
        let leaf = CardCertificate::from_der(&pki().leaf).unwrap();
        assert_eq!(check.key_fingerprint, leaf.key_fingerprint());
        assert_eq!(check.certificate_not_after.timestamp(), NOT_AFTER as i64);
        assert_eq!(check.certificate_not_before.timestamp(), NOT_BEFORE as i64);
        assert_eq!(check.chain.anchor_source, AnchorSource::Extra);
        assert_eq!(check.signature, SignatureStatus::VerifiedFreshChallenge);
        assert_eq!(check.retries_left, PinCounter::Remaining(3));
        assert_eq!(check.checked_at, now());
        assert_eq!(check.basic_info, BasicInfoOutcome::NotRequested);
        let (apdus, sent, received) = mock.traffic();
        let reads = pki().leaf.len().div_ceil(256);
        assert_eq!(apdus, 1 + 2 + (1 + reads) + 3 + 2);
        println!(
            "card check without 基本4情報: {apdus} APDUs, {sent} bytes sent, {received} bytes \
             received (certificate {} bytes)",
            pki().leaf.len()
        );
        // Round-trips through serde (the store keeps it).
        let json = serde_json::to_string(&check).unwrap();
        assert_eq!(serde_json::from_str::<CardCheck>(&json).unwrap(), check);
    }

    #[test]
    fn a_member_check_reads_the_basic_info_and_spends_no_last_try_unasked() {
        let o = CheckOptions::for_member();
        assert!(o.read_basic_info);
        assert!(!o.allow_last_auth_attempt && !o.allow_last_text_attempt);
        assert!(o.extra_anchors.is_empty() && o.trust_store.is_none());
        // A check for no member reads nothing more than the card.
        assert!(!CheckOptions::default().read_basic_info);
    }

    #[test]
    fn check_with_basic_info() {
        let mock = with_text_ap(jpki_ok(&pki().leaf));
        let check = check_card(&mock, &pin(), options(true), now()).unwrap();
        mock.assert_done();
        assert_invariants(&mock);
        let info = check.basic_info.info().unwrap();
        assert_eq!(check.basic_info.failure(), None);
        assert_eq!(info.name, "山田\u{3000}太郎");
        assert_eq!(info.birth_date, "19800217");
        assert_eq!(info.sex, CardSex::Male);
        let (apdus, sent, received) = mock.traffic();
        let reads = pki().leaf.len().div_ceil(256);
        assert_eq!(apdus, 1 + 2 + (1 + reads) + 3 + 2 + 1 + 3 + 2);
        println!(
            "card check with 基本4情報: {apdus} APDUs, {sent} bytes sent, {received} bytes \
             received (基本4情報 {} bytes)",
            basic_info_file().len()
        );
    }

    /// The JPKI part on a transport with extended-length APDUs; `reads` answer the reads of
    /// the certificate EF.
    fn jpki_extended(reads: Vec<(Vec<u8>, Vec<u8>)>) -> MockTransport {
        MockTransport::new()
            .extended()
            .expect(SELECT_JPKI, "9000")
            .expect("00A4020C020006", "9000")
            .expect_bytes(hex("00B0000020"), token_answer("JPKIAPICCTOKEN2"))
            .expect("00A4020C02000A", "9000")
            .then(reads)
            .expect("00A4020C020018", "9000")
            .expect("00200080", "63C3")
            .expect(VERIFY_1234, "9000")
            .expect("00A4020C020017", "9000")
            .expect_sign(false)
    }

    #[test]
    fn extended_length_reads_the_certificate_in_one_apdu() {
        let leaf = &pki().leaf;
        let mock = jpki_extended(vec![extended_read_step(leaf, 2048 - leaf.len())]);
        let check = check_card(&mock, &pin(), options(false), now()).unwrap();
        mock.assert_done();
        assert_eq!(check.signature, SignatureStatus::VerifiedFreshChallenge);
        assert_eq!(mock.traffic().0, 1 + 2 + 2 + 3 + 2);
        // The 基本4情報 after the VERIFY is one extended READ too.
        let mock = jpki_extended(vec![extended_read_step(leaf, 0)])
            .expect(SELECT_TEXT_AP, "9000")
            .expect("00A4020C020011", "9000")
            .expect("00200080", "63C3")
            .expect(VERIFY_1234, "9000")
            .expect("00A4020C020002", "9000")
            .then(vec![extended_read_step(&basic_info_file(), 40)]);
        let check = check_card(&mock, &pin(), options(true), now()).unwrap();
        mock.assert_done();
        assert_eq!(check.basic_info.info().unwrap().birth_date, "19800217");
        assert_invariants(&mock);
    }

    #[test]
    fn a_refused_extended_read_falls_back_before_any_pin_is_sent() {
        let leaf = &pki().leaf;
        let reads = leaf.len().div_ceil(256);
        for refusal in ["6700", "6C00"] {
            let mut steps = vec![(hex("00B00000000000"), hex(refusal))];
            steps.extend(read_steps(leaf, 2048 - leaf.len()));
            let mock = jpki_extended(steps);
            let check = check_card(&mock, &pin(), options(false), now()).unwrap();
            mock.assert_done();
            assert_eq!(check.retries_left, PinCounter::Remaining(3));
            // One VERIFY, sent after every read of the certificate.
            assert_eq!(mock.pin_verifies(), 1);
            let log = mock.log();
            let verify = log.iter().position(|c| *c == hex(VERIFY_1234)).unwrap();
            let last_read = log.iter().rposition(|c| c[..2] == [0x00, 0xB0]).unwrap();
            assert!(last_read < verify);
            assert_eq!(mock.traffic().0, 1 + 2 + (1 + 1 + reads) + 3 + 2);
        }
        // A transport error on the extended READ (APDU #4): the certificate is read short, and
        // the one VERIFY follows.
        let mock = jpki_extended(read_steps(leaf, 0)).fail_once_at(
            4,
            TransportError::Other {
                reason: "reader refused an extended APDU".into(),
            },
        );
        check_card(&mock, &pin(), options(false), now()).unwrap();
        mock.assert_done();
        assert_eq!(mock.pin_verifies(), 1);
        assert_eq!(mock.log()[4], hex("00B00000000000"));
        assert_eq!(mock.log()[5], hex("00B0000000"));
    }

    #[test]
    fn each_challenge_is_fresh() {
        let first = jpki_ok(&pki().leaf);
        let second = jpki_ok(&pki().leaf);
        check_card(&first, &pin(), options(false), now()).unwrap();
        check_card(&second, &pin(), options(false), now()).unwrap();
        let sign = |m: &MockTransport| m.log().last().unwrap().clone();
        assert_ne!(sign(&first), sign(&second));
    }

    #[test]
    fn not_a_my_number_card() {
        let mock = MockTransport::new().expect(SELECT_JPKI, "6A82");
        assert_eq!(
            check_card(&mock, &pin(), options(false), now()),
            Err(CardError::NotAMyNumberCard)
        );
        assert_eq!(mock.log().len(), 1);
        let mock = MockTransport::new()
            .expect(SELECT_JPKI, "9000")
            .expect("00A4020C020006", "9000")
            .expect_bytes(hex("00B0000020"), token_answer("SOMEOTHERTOKEN"));
        assert_eq!(
            check_card(&mock, &pin(), options(false), now()),
            Err(CardError::NotAMyNumberCard)
        );
        assert_eq!(mock.pin_verifies(), 0);
    }

    /// The test leaf's notAfter, 2030-01-01T00:00:00Z, is 09:00 on 2030-01-01 in Japan: the
    /// expiry day is 2030-01-01 and the card works as a 保険証 to 2030-04-30 (the end of the
    /// 3rd month after January).
    fn utc(y: i32, m: u32, d: u32, h: u32, min: u32, sec: u32) -> DateTime<Utc> {
        NaiveDate::from_ymd_opt(y, m, d)
            .unwrap()
            .and_hms_opt(h, min, sec)
            .unwrap()
            .and_utc()
    }

    fn expired_yesterday() -> DateTime<Utc> {
        DateTime::from_timestamp(NOT_AFTER as i64 + 86_400, 0).unwrap()
    }

    fn leaf_not_after() -> DateTime<Utc> {
        DateTime::from_timestamp(NOT_AFTER as i64, 0).unwrap()
    }

    #[test]
    fn expired_four_months_ago_is_refused_and_spends_no_pin_try() {
        // 2030-05-01 in Japan: the grace period ended on 2030-04-30.
        let mock = jpki_head(&pki().leaf);
        let later = utc(2030, 5, 1, 0, 0, 0);
        assert_eq!(
            check_card(&mock, &pin(), options(false), later),
            Err(CardError::CertificateExpired {
                not_after: leaf_not_after()
            })
        );
        mock.assert_done();
        assert_eq!(mock.pin_verifies(), 0);
        // The day ends at 15:00 UTC: the last instant of 2030-04-30 in Japan is still in grace,
        // the next second is not.
        let mock = jpki_head(&pki().leaf);
        assert_eq!(
            check_card(&mock, &pin(), options(false), utc(2030, 4, 30, 15, 0, 0)),
            Err(CardError::CertificateExpired {
                not_after: leaf_not_after()
            })
        );
        assert_eq!(mock.pin_verifies(), 0);
        let mock = jpki_ok(&pki().leaf);
        let last = utc(2030, 4, 30, 14, 59, 59);
        let check = check_card(&mock, &pin(), options(false), last).unwrap();
        mock.assert_done();
        assert!(check.certificate_expired_at_check());
    }

    #[test]
    fn expired_yesterday_is_accepted_in_grace_with_the_full_check() {
        let mock = jpki_ok(&pki().leaf);
        let check = check_card(&mock, &pin(), options(false), expired_yesterday()).unwrap();
        // The whole flow ran: chain, counter, one VERIFY, the signature over a fresh challenge.
        mock.assert_done();
        assert_invariants(&mock);
        assert_eq!(mock.pin_verifies(), 1);
        assert_eq!(check.signature, SignatureStatus::VerifiedFreshChallenge);
        assert_eq!(check.chain.anchor_source, AnchorSource::Extra);
        // Stored with the certificate's end and the state at the check.
        assert_eq!(check.certificate_not_after, leaf_not_after());
        assert_eq!(check.checked_at, expired_yesterday());
        assert!(check.certificate_expired_at_check());
        assert_eq!(
            check.insurance_grace_last_day(),
            NaiveDate::from_ymd_opt(2030, 4, 30)
        );
        let json = serde_json::to_string(&check).unwrap();
        let back = serde_json::from_str::<CardCheck>(&json).unwrap();
        assert!(back.certificate_expired_at_check());
        assert_eq!(back, check);
        // A check inside the validity is not flagged.
        let valid = check_card(&jpki_ok(&pki().leaf), &pin(), options(false), now()).unwrap();
        assert!(!valid.certificate_expired_at_check());
        assert_eq!(
            valid.insurance_grace_last_day(),
            NaiveDate::from_ymd_opt(2030, 4, 30)
        );
    }

    #[test]
    fn expired_and_not_chaining_to_jlis_is_refused() {
        // In grace, but only the J-LIS roots are trusted: the test leaf does not chain.
        let mock = jpki_head(&pki().leaf);
        assert_eq!(
            check_card(&mock, &pin(), options_jlis_only(), expired_yesterday()),
            Err(CardError::UntrustedCertificate)
        );
        assert_eq!(mock.pin_verifies(), 0);
        // A leaf under an impostor CA that copies the J-LIS name, expired and in grace.
        let mock = jpki_head(&pki().leaf_by_impostor);
        assert_eq!(
            check_card(&mock, &pin(), options_jlis_only(), expired_yesterday()),
            Err(CardError::UntrustedCertificate)
        );
        assert_eq!(mock.pin_verifies(), 0);
        // Past the grace period the answer is still "untrusted", as before.
        let mock = jpki_head(&pki().leaf_by_impostor);
        assert_eq!(
            check_card(&mock, &pin(), options_jlis_only(), utc(2031, 1, 1, 0, 0, 0)),
            Err(CardError::UntrustedCertificate)
        );
    }

    #[test]
    fn expired_certificate_chains_only_to_an_anchor_valid_at_its_end() {
        // The only anchor expired on 2029-07-01, before the leaf (2030-01-01).
        let anchored = |ca: &[u8]| CheckOptions {
            extra_anchors: vec![ca.to_vec()],
            ..CheckOptions::default()
        };
        let mock = jpki_head(&pki().leaf);
        assert_eq!(
            check_card(
                &mock,
                &pin(),
                anchored(&pki().ca_ending_before_leaf),
                expired_yesterday()
            ),
            Err(CardError::UntrustedCertificate)
        );
        assert_eq!(mock.pin_verifies(), 0);
        let mock = jpki_ok(&pki().leaf);
        assert!(check_card(&mock, &pin(), anchored(&pki().ca), expired_yesterday()).is_ok());
    }

    #[test]
    fn pin_guard_unchanged_in_grace() {
        // The counter is read before the VERIFY; the last try needs consent; blocked stops.
        let base = || jpki_head(&pki().leaf).expect("00A4020C020018", "9000");
        let mock = base().expect("00200080", "63C1");
        assert_eq!(
            check_card(&mock, &pin(), options(false), expired_yesterday()),
            Err(CardError::LastAttemptNeedsConsent {
                pin: PinKind::JpkiAuth
            })
        );
        mock.assert_done();
        assert_eq!(mock.pin_verifies(), 0);
        let mock = base().expect("00200080", "6984");
        assert!(matches!(
            check_card(&mock, &pin(), options(false), expired_yesterday()),
            Err(CardError::PinBlocked { .. })
        ));
        assert_eq!(mock.pin_verifies(), 0);
        let mock = base()
            .expect("00200080", "63C3")
            .expect(VERIFY_1234, "63C2");
        assert_eq!(
            check_card(&mock, &pin(), options(false), expired_yesterday()),
            Err(CardError::WrongPin {
                retries_left: 2,
                pin: PinKind::JpkiAuth
            })
        );
        mock.assert_done();
        // The counter read comes before the only VERIFY.
        let mock = with_text_ap(jpki_ok(&pki().leaf));
        check_card(&mock, &pin(), options(true), expired_yesterday()).unwrap();
        let log = mock.log();
        let counter = log.iter().position(|c| *c == hex("00200080")).unwrap();
        let verify = log.iter().position(|c| *c == hex(VERIFY_1234)).unwrap();
        assert!(counter < verify);
        // A transport failure anywhere, VERIFY included, is never followed by a resend.
        assert_faults_end_the_flow(expired_yesterday());
    }

    #[test]
    fn unknown_ca_is_untrusted() {
        // The test CA is not given as an anchor: only the J-LIS roots.
        let mock = jpki_head(&pki().leaf);
        let options = CheckOptions::default();
        assert_eq!(
            check_card(&mock, &pin(), options, now()),
            Err(CardError::UntrustedCertificate)
        );
        assert_eq!(mock.pin_verifies(), 0);
        // An impostor CA with the J-LIS DN.
        let mock = jpki_head(&pki().leaf_by_impostor);
        let err = check_card(&mock, &pin(), options_jlis_only(), now()).unwrap_err();
        assert_eq!(err, CardError::UntrustedCertificate);
        let leaf = CardCertificate::from_der(&pki().leaf_by_impostor).unwrap();
        assert!(leaf.issuer().contains("JPKI for user authentication"));
        assert!(JLIS_AUTH_DN.contains("JPKI for user authentication"));
    }

    fn options_jlis_only() -> CheckOptions {
        CheckOptions {
            trust_store: Some(TrustStore::jlis_auth().unwrap()),
            ..CheckOptions::default()
        }
    }

    #[test]
    fn bad_signature() {
        let mock = jpki_head(&pki().leaf)
            .expect("00A4020C020018", "9000")
            .expect("00200080", "63C3")
            .expect(VERIFY_1234, "9000")
            .expect("00A4020C020017", "9000")
            .expect_sign(true);
        assert_eq!(
            check_card(&mock, &pin(), options(false), now()),
            Err(CardError::BadSignature)
        );
        mock.assert_done();
    }

    #[test]
    fn key_usage_without_digital_signature() {
        let mock = jpki_head(&pki().leaf_without_signature_usage);
        assert_eq!(
            check_card(&mock, &pin(), options(false), now()),
            Err(CardError::CertificateKeyUsage)
        );
        assert_eq!(mock.pin_verifies(), 0);
    }

    #[test]
    fn wrong_pin_last_attempt_and_blocked() {
        let base = || jpki_head(&pki().leaf).expect("00A4020C020018", "9000");
        let mock = base()
            .expect("00200080", "63C3")
            .expect(VERIFY_1234, "63C2");
        assert_eq!(
            check_card(&mock, &pin(), options(false), now()),
            Err(CardError::WrongPin {
                retries_left: 2,
                pin: PinKind::JpkiAuth
            })
        );
        mock.assert_done();

        let mock = base().expect("00200080", "63C1");
        assert_eq!(
            check_card(&mock, &pin(), options(false), now()),
            Err(CardError::LastAttemptNeedsConsent {
                pin: PinKind::JpkiAuth
            })
        );
        assert_eq!(mock.pin_verifies(), 0);
        mock.assert_done();

        let mock = base()
            .expect("00200080", "63C1")
            .expect(VERIFY_1234, "9000")
            .expect("00A4020C020017", "9000")
            .expect_sign(false);
        let consent = CheckOptions {
            allow_last_auth_attempt: true,
            ..options(false)
        };
        let check = check_card(&mock, &pin(), consent, now()).unwrap();
        assert_eq!(check.retries_left, PinCounter::Remaining(1));

        for blocked in ["6984", "63C0"] {
            let mock = base().expect("00200080", blocked);
            let err = check_card(&mock, &pin(), options(false), now()).unwrap_err();
            assert_eq!(
                err,
                CardError::PinBlocked {
                    pin: PinKind::JpkiAuth
                }
            );
            assert!(err.to_string().contains("市区町村の窓口"));
            assert_eq!(mock.pin_verifies(), 0);
        }
    }

    /// The JPKI part with the auth counter at `counter`, then the text AP up to its counter.
    fn text_ap_head(auth_counter: &str, text_counter: &str) -> MockTransport {
        jpki_head(&pki().leaf)
            .expect("00A4020C020018", "9000")
            .expect("00200080", auth_counter)
            .expect(VERIFY_1234, "9000")
            .expect("00A4020C020017", "9000")
            .expect_sign(false)
            .expect(SELECT_TEXT_AP, "9000")
            .expect("00A4020C020011", "9000")
            .expect("00200080", text_counter)
    }

    /// How many VERIFYs with a PIN were sent after the text AP was selected.
    fn text_verifies(mock: &MockTransport) -> usize {
        let log = mock.log();
        let Some(at) = log.iter().position(|c| *c == hex(SELECT_TEXT_AP)) else {
            return 0;
        };
        log[at..]
            .iter()
            .filter(|c| c.len() > 4 && c[..2] == [0x00, 0x20])
            .count()
    }

    #[test]
    fn text_ap_pin_has_its_own_guard_and_its_failure_stands_beside_the_check() {
        // The text PIN at its last try, no consent: no text VERIFY, the good check returned.
        let mock = text_ap_head("63C3", "63C1");
        let check = check_card(&mock, &pin(), options(true), now()).unwrap();
        mock.assert_done();
        assert_eq!(mock.pin_verifies(), 1);
        assert_eq!(text_verifies(&mock), 0);
        assert_eq!(
            check.basic_info,
            BasicInfoOutcome::Failed(TextApFailure::NeedsConsent)
        );
        assert_eq!(check.signature, SignatureStatus::VerifiedFreshChallenge);
        assert_eq!(check.retries_left, PinCounter::Remaining(3));
        assert_invariants(&mock);

        // A wrong text PIN: one VERIFY, reported beside the check with the tries left.
        let mock = text_ap_head("63C3", "63C3").expect(VERIFY_1234, "63C2");
        let check = check_card(&mock, &pin(), options(true), now()).unwrap();
        mock.assert_done();
        assert_eq!(text_verifies(&mock), 1);
        assert_eq!(
            check.basic_info,
            BasicInfoOutcome::Failed(TextApFailure::WrongPin { retries_left: 2 })
        );
        assert!(check.basic_info.info().is_none());
        assert_invariants(&mock);

        // Blocked (already, so nothing is sent; or by this try).
        let mock = text_ap_head("63C3", "6984");
        let check = check_card(&mock, &pin(), options(true), now()).unwrap();
        assert_eq!(text_verifies(&mock), 0);
        assert_eq!(
            check.basic_info,
            BasicInfoOutcome::Failed(TextApFailure::PinBlocked)
        );
        let consent = CheckOptions {
            allow_last_text_attempt: true,
            ..options(true)
        };
        let mock = text_ap_head("63C3", "63C1").expect(VERIFY_1234, "63C0");
        let check = check_card(&mock, &pin(), consent, now()).unwrap();
        assert_eq!(text_verifies(&mock), 1);
        assert_eq!(
            check.basic_info,
            BasicInfoOutcome::Failed(TextApFailure::PinBlocked)
        );

        // A card without the text AP, or a malformed 基本4情報: a card error beside the check.
        let mock = jpki_ok(&pki().leaf).expect(SELECT_TEXT_AP, "6A82");
        let check = check_card(&mock, &pin(), options(true), now()).unwrap();
        mock.assert_done();
        assert!(matches!(
            check.basic_info,
            BasicInfoOutcome::Failed(TextApFailure::CardError {
                verify_in_flight: false,
                ..
            })
        ));
        let mock = text_ap_head("63C3", "63C3")
            .expect(VERIFY_1234, "9000")
            .expect("00A4020C020002", "9000")
            .then(read_steps(&hex("FF20 03 DF22 00"), 0));
        let check = check_card(&mock, &pin(), options(true), now()).unwrap();
        let failure = check.basic_info.failure().unwrap();
        assert!(failure.to_string().contains("基本4情報"), "{failure}");
    }

    #[test]
    fn a_text_pin_that_lost_tries_is_not_sent_the_typed_pin_without_consent() {
        // The PIN typed for the check is sent on to the text AP; a text counter below full (a
        // try lost since its last success, most likely to this same PIN) holds it back.
        let mock = text_ap_head("63C3", "63C2");
        let check = check_card(&mock, &pin(), options(true), now()).unwrap();
        mock.assert_done();
        assert_eq!(mock.pin_verifies(), 1, "only the auth PIN's VERIFY");
        assert_eq!(text_verifies(&mock), 0);
        assert_eq!(
            check.basic_info,
            BasicInfoOutcome::Failed(TextApFailure::TriesLost { retries_left: 2 })
        );
        assert_eq!(check.signature, SignatureStatus::VerifiedFreshChallenge);
        assert_invariants(&mock);
        // With consent for the text PIN it is sent once.
        let consent = CheckOptions {
            allow_last_text_attempt: true,
            ..options(true)
        };
        let mock = text_ap_head("63C3", "63C2")
            .expect(VERIFY_1234, "9000")
            .expect("00A4020C020002", "9000")
            .then(read_steps(&basic_info_file(), 40));
        let check = check_card(&mock, &pin(), consent, now()).unwrap();
        mock.assert_done();
        assert_eq!(text_verifies(&mock), 1);
        assert!(check.basic_info.info().is_some());
        // A full counter is sent to without asking (the first try of a PIN that may differ).
        let mock = text_ap_head("63C3", "63C3").expect(VERIFY_1234, "63C2");
        let check = check_card(&mock, &pin(), options(true), now()).unwrap();
        assert_eq!(text_verifies(&mock), 1);
        assert_eq!(
            check.basic_info,
            BasicInfoOutcome::Failed(TextApFailure::WrongPin { retries_left: 2 })
        );
    }

    #[test]
    fn consent_is_per_pin() {
        let auth_only = CheckOptions {
            allow_last_auth_attempt: true,
            ..options(true)
        };
        let text_only = CheckOptions {
            allow_last_text_attempt: true,
            ..options(true)
        };
        // Both PINs at their last try, consent for the auth PIN only: the auth VERIFY is sent,
        // the text VERIFY is not, and the good check comes back with the text step waiting
        // for its own consent.
        let mock = text_ap_head("63C1", "63C1");
        let check = check_card(&mock, &pin(), auth_only.clone(), now()).unwrap();
        mock.assert_done();
        assert_eq!(mock.pin_verifies(), 1);
        assert_eq!(text_verifies(&mock), 0);
        assert_eq!(check.retries_left, PinCounter::Remaining(1));
        assert_eq!(
            check.basic_info,
            BasicInfoOutcome::Failed(TextApFailure::NeedsConsent)
        );
        // Consent for the text PIN only: the auth PIN's last try is not spent, nothing is sent.
        let mock = jpki_head(&pki().leaf)
            .expect("00A4020C020018", "9000")
            .expect("00200080", "63C1");
        assert_eq!(
            check_card(&mock, &pin(), text_only.clone(), now()),
            Err(CardError::LastAttemptNeedsConsent {
                pin: PinKind::JpkiAuth
            })
        );
        mock.assert_done();
        assert_eq!(mock.pin_verifies(), 0);
        // Consent for the text PIN, which is at its last try: its VERIFY is sent.
        let mock = text_ap_head("63C3", "63C1")
            .expect(VERIFY_1234, "9000")
            .expect("00A4020C020002", "9000")
            .then(read_steps(&basic_info_file(), 40));
        let check = check_card(&mock, &pin(), text_only, now()).unwrap();
        mock.assert_done();
        assert_eq!(text_verifies(&mock), 1);
        assert_eq!(check.basic_info.info().unwrap().birth_date, "19800217");
        // Consent for the auth PIN does not spend the text PIN's last try even when the auth
        // PIN is not at its last try.
        let mock = text_ap_head("63C3", "63C1");
        let check = check_card(&mock, &pin(), auth_only, now()).unwrap();
        assert_eq!(text_verifies(&mock), 0);
        assert_eq!(
            check.basic_info,
            BasicInfoOutcome::Failed(TextApFailure::NeedsConsent)
        );
    }

    #[test]
    fn stored_checks_of_every_shape_read_back() {
        let check = check_card(
            &with_text_ap(jpki_ok(&pki().leaf)),
            &pin(),
            options(true),
            now(),
        )
        .unwrap();
        let json = serde_json::to_value(&check).unwrap();
        assert_eq!(
            serde_json::from_value::<CardCheck>(json.clone()).unwrap(),
            check
        );
        // A check stored before the outcome existed: `Option<BasicInfo>`.
        let info = serde_json::to_value(check.basic_info.info().unwrap()).unwrap();
        let mut legacy = json.clone();
        legacy["basic_info"] = info;
        assert_eq!(serde_json::from_value::<CardCheck>(legacy).unwrap(), check);
        let mut legacy = json.clone();
        legacy["basic_info"] = serde_json::Value::Null;
        let back = serde_json::from_value::<CardCheck>(legacy).unwrap();
        assert_eq!(back.basic_info, BasicInfoOutcome::NotRequested);
        let mut missing = json.clone();
        missing.as_object_mut().unwrap().remove("basic_info");
        let back = serde_json::from_value::<CardCheck>(missing).unwrap();
        assert_eq!(back.basic_info, BasicInfoOutcome::NotRequested);
        // Every failure round-trips.
        for failure in [
            TextApFailure::WrongPin { retries_left: 2 },
            TextApFailure::PinBlocked,
            TextApFailure::NeedsConsent,
            TextApFailure::TriesLost { retries_left: 2 },
            TextApFailure::CardError {
                message: "the card was removed or lost contact".into(),
                verify_in_flight: true,
            },
        ] {
            let failed = CardCheck {
                basic_info: BasicInfoOutcome::Failed(failure),
                ..check.clone()
            };
            let json = serde_json::to_string(&failed).unwrap();
            assert_eq!(serde_json::from_str::<CardCheck>(&json).unwrap(), failed);
        }
        // Something else in the field is refused, not read as "not requested".
        let mut bad = json;
        bad["basic_info"] = serde_json::json!({"Other": 1});
        assert!(serde_json::from_value::<CardCheck>(bad).is_err());
    }

    /// For every APDU index of the full flow (both PINs), a transport failure there ends the
    /// flow: no further APDU, never a second VERIFY of the same PIN, and the error says
    /// whether a VERIFY was in flight. In the text-AP part the error is reported beside the
    /// good authentication check.
    #[test]
    fn fault_injection_at_every_apdu() {
        assert_faults_end_the_flow(now());
    }

    /// [`fault_injection_at_every_apdu`] with the check made at `now`.
    fn assert_faults_end_the_flow(now: DateTime<Utc>) {
        let total = with_text_ap(jpki_ok(&pki().leaf)).script_len();
        let (verify_indices, text_ap_at) = {
            let mock = with_text_ap(jpki_ok(&pki().leaf));
            check_card(&mock, &pin(), options(true), now).unwrap();
            let log = mock.log();
            let verifies: Vec<usize> = log
                .iter()
                .enumerate()
                .filter(|(_, c)| c.len() > 4 && c[..2] == [0x00, 0x20])
                .map(|(i, _)| i)
                .collect();
            let text = log.iter().position(|c| *c == hex(SELECT_TEXT_AP)).unwrap();
            (verifies, text)
        };
        assert_eq!(verify_indices.len(), 2);
        for index in 0..total {
            for error in [
                TransportError::TagLost,
                TransportError::Timeout,
                TransportError::Other {
                    reason: "io".into(),
                },
            ] {
                let mock = with_text_ap(jpki_ok(&pki().leaf)).fail_at(index, error.clone());
                let result = check_card(&mock, &pin(), options(true), now);
                let in_flight = verify_indices.contains(&index);
                let expected = CardError::from_transport(error, in_flight);
                if index < text_ap_at {
                    assert_eq!(result, Err(expected), "index {index}");
                } else {
                    let check = result.unwrap();
                    assert_eq!(
                        check.basic_info,
                        BasicInfoOutcome::Failed(TextApFailure::CardError {
                            message: expected.to_string(),
                            verify_in_flight: in_flight,
                        }),
                        "index {index}"
                    );
                    assert_eq!(check.signature, SignatureStatus::VerifiedFreshChallenge);
                }
                assert_eq!(mock.log().len(), index + 1, "nothing after the failure");
                let verifies = mock.pin_verifies();
                assert!(verifies <= 2);
                let log = mock.log();
                // No VERIFY of the same PIN twice: the two VERIFYs are in different APs.
                if verifies == 2 {
                    let text_at = log.iter().position(|c| *c == hex(SELECT_TEXT_AP)).unwrap();
                    let after = log[text_at..]
                        .iter()
                        .filter(|c| c.len() > 4 && c[..2] == [0x00, 0x20])
                        .count();
                    assert_eq!(after, 1);
                }
                mock.assert_never_selected_my_number();
            }
        }
    }

    #[test]
    fn fault_injection_in_sign_challenge() {
        let script = || {
            MockTransport::new()
                .expect(SELECT_JPKI, "9000")
                .expect("00A4020C02000A", "9000")
                .then(read_steps(&pki().leaf, 100))
                .expect("00A4020C020018", "9000")
                .expect("00200080", "63C3")
                .expect(VERIFY_1234, "9000")
                .expect("00A4020C020017", "9000")
                .expect_sign(false)
        };
        let mock = script();
        let signed = sign_challenge(&mock, &pin(), b"server challenge", false).unwrap();
        mock.assert_done();
        assert_eq!(signed.certificate_der, pki().leaf);
        let leaf = CardCertificate::from_der(&signed.certificate_der).unwrap();
        leaf.verify_signature(b"server challenge", &signed.signature)
            .unwrap();
        let verify_at = mock
            .log()
            .iter()
            .position(|c| c.len() > 4 && c[..2] == [0x00, 0x20])
            .unwrap();
        for index in 0..script().script_len() {
            let mock = script().fail_at(index, TransportError::TagLost);
            let err = sign_challenge(&mock, &pin(), b"c", false).unwrap_err();
            assert_eq!(
                err,
                CardError::TagLost {
                    verify_in_flight: index == verify_at
                }
            );
            assert!(mock.pin_verifies() <= 1);
            assert_eq!(mock.log().len(), index + 1);
        }
    }

    #[test]
    fn a_card_other_than_the_expected_one_is_refused_before_the_pin() {
        let head = || {
            MockTransport::new()
                .expect(SELECT_JPKI, "9000")
                .expect("00A4020C02000A", "9000")
                .then(read_steps(&pki().leaf, 100))
        };
        // Refused: the certificate was read, then nothing more — no counter read, no VERIFY.
        let mock = head();
        let signed =
            sign_challenge_of_card(&mock, &pin(), b"c", true, |der| der != pki().leaf).unwrap();
        assert!(signed.is_none());
        mock.assert_done();
        assert_eq!(mock.pin_verifies(), 0);
        // Accepted: the same signature as sign_challenge.
        let mock = head()
            .expect("00A4020C020018", "9000")
            .expect("00200080", "63C3")
            .expect(VERIFY_1234, "9000")
            .expect("00A4020C020017", "9000")
            .expect_sign(false);
        let signed = sign_challenge_of_card(&mock, &pin(), b"c", false, |der| der == pki().leaf)
            .unwrap()
            .unwrap();
        mock.assert_done();
        assert_eq!(signed.certificate_der, pki().leaf);
    }

    #[test]
    fn status_reads_counters_and_certificate_without_pin() {
        let mock = jpki_head(&pki().leaf)
            .expect("00A4020C020018", "9000")
            .expect("00200080", "63C2")
            .expect(SELECT_TEXT_AP, "9000")
            .expect("00A4020C020011", "9000")
            .expect("00200080", "6984");
        let status = card_status(&mock).unwrap();
        mock.assert_done();
        assert_eq!(mock.pin_verifies(), 0);
        mock.assert_never_selected_my_number();
        assert_eq!(status.card_kind, CardKind::MyNumberCard);
        assert_eq!(status.auth_pin, PinCounter::Remaining(2));
        assert_eq!(status.text_pin, Some(PinCounter::Blocked));
        assert_eq!(
            status.certificate.subject,
            "CN=SHIKAKUTESTCARD0000000001,C=JP"
        );
        assert!(status.certificate.issuer.contains("JPKI-TEST"));

        let mock = jpki_head(&pki().leaf)
            .expect("00A4020C020018", "9000")
            .expect("00200080", "9000")
            .expect(SELECT_TEXT_AP, "6A82");
        let status = card_status(&mock).unwrap();
        assert_eq!(status.auth_pin, PinCounter::AlreadyVerified);
        assert_eq!(status.text_pin, None);
    }

    #[test]
    fn ca_certificate_read() {
        let mock = MockTransport::new()
            .expect(SELECT_JPKI, "9000")
            .expect("00A4020C02000B", "9000")
            .then(read_steps(&pki().ca, 0));
        assert_eq!(read_auth_ca_certificate(&mock).unwrap(), pki().ca);
        mock.assert_done();
    }

    #[test]
    fn smartphone_token_is_reported() {
        let mock = MockTransport::new()
            .expect(SELECT_JPKI, "9000")
            .expect("00A4020C020006", "9000")
            .expect_bytes(hex("00B0000020"), token_answer("JPKIAPGPSETOKEN"))
            .expect("00A4020C02000A", "9000")
            .then(read_steps(&pki().leaf, 0))
            .expect("00A4020C020018", "9000")
            .expect("00200080", "63C3")
            .expect(SELECT_TEXT_AP, "6A82");
        let status = card_status(&mock).unwrap();
        assert_eq!(status.card_kind, CardKind::SmartphoneAndroid);
        mock.assert_done();
    }
}
