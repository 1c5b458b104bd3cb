//! My Number Card checks: the card's status without a PIN, and the full check stored for a
//! member.

use std::sync::Arc;

use chrono::Utc;
use shikaku_core::card::{
    self as core_card, CardAudience, CardKind, CheckOptions, PinCounter, TextApFailure,
};
use shikaku_core::eligibility::names::NameMatch;
use shikaku_core::store::StoredCardCheck;
use zeroize::Zeroizing;

use crate::convert::{date, time};
use crate::error::ShikakuError;
use crate::household::Household;
use crate::platform::{CardTransport, CardTransportAdapter};
use crate::screen::CardBadgeView;

/// Options of [`Household::check_card`]. The consent to spend a PIN's last try is given per
/// PIN: consent for one never spends the other's last try.
#[derive(Debug, Clone, Default, PartialEq, Eq, uniffi::Record)]
pub struct CardCheckOptions {
    /// Send the 利用者証明用 PIN even when it has one try left (the user consented for it).
    #[uniffi(default)]
    pub allow_last_auth_attempt: bool,
    /// Send the PIN to the 券面事項入力補助AP even when its PIN has one try left (the user
    /// consented for it). Used only with `read_basic_info`.
    #[uniffi(default)]
    pub allow_last_text_attempt: bool,
    /// Also read the 基本4情報 with the same PIN and compare it with the member. Its outcome
    /// is [`CardCheckResult::basic_info`], beside the check. `None` (the default): the core's
    /// choice for a check stored for a member (`CheckOptions::for_member`,
    /// `MEMBER_READS_BASIC_INFO`: read, since the comparison is what links the card to the
    /// member).
    #[uniffi(default)]
    pub read_basic_info: Option<bool>,
    /// Extra trust anchors (DER or PEM certificates), for test cards only. Empty in production:
    /// the embedded J-LIS roots are used.
    #[uniffi(default)]
    pub extra_anchors: Vec<Vec<u8>>,
}

/// A PIN retry counter as the card reports it. What it means for the card holder is the
/// core's, in Japanese ([`PinState::message_ja`], [`PinState::reread_message_ja`]): show it
/// instead of wording a PIN rule of the app's own.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum PinState {
    /// This many tries are left (at least 1).
    Remaining {
        /// Tries left.
        tries: u8,
    },
    /// Already verified in this session (the counter is not reported).
    AlreadyVerified,
    /// Blocked: only the municipal office can reset it.
    Blocked,
}

impl From<PinCounter> for PinState {
    fn from(c: PinCounter) -> Self {
        match c {
            PinCounter::Remaining(tries) => PinState::Remaining { tries },
            PinCounter::AlreadyVerified => PinState::AlreadyVerified,
            PinCounter::Blocked => PinState::Blocked,
        }
    }
}

impl From<PinState> for PinCounter {
    fn from(s: PinState) -> Self {
        match s {
            PinState::Remaining { tries } => PinCounter::Remaining(tries),
            PinState::AlreadyVerified => PinCounter::AlreadyVerified,
            PinState::Blocked => PinCounter::Blocked,
        }
    }
}

#[uniffi::export]
impl PinState {
    /// The same counter read again (`card_status`) after the answer to a VERIFY was lost
    /// (`ShikakuError::Card { verify_in_flight: true }`), in the core's Japanese for the card
    /// holder (`PinCounter::reread_message_ja`): read again, nothing resent, the PIN asked
    /// again (at one try left, only with consent), or blocked (the municipal office).
    pub fn reread_message_ja(&self) -> String {
        PinCounter::from(*self).reread_message_ja(CardAudience::Holder)
    }
}

/// One field of the card's 基本4情報 compared with the member, both forms kept for display.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct FieldCompare {
    /// Equal, equal after folding, or different.
    pub outcome: NameMatch,
    /// The outcome in the core's Japanese words (一致 / 一致（字体の違いあり） / 不一致): show this
    /// beside the two forms.
    pub label: String,
    /// The card's form.
    pub card: String,
    /// The stored member's form.
    pub stored: String,
}

/// The 基本4情報 comparison (the address is never compared or returned).
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct CardMatch {
    /// 氏名.
    pub name: FieldCompare,
    /// 生年月日.
    pub birth_date: FieldCompare,
    /// 性別.
    pub sex: FieldCompare,
    /// The weakest of the three.
    pub overall: NameMatch,
}

/// What became of the 基本4情報 step of a card check. A failure here stands beside the good
/// authentication check; it never replaces it.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Enum)]
pub enum BasicInfoOutcome {
    /// Not asked for.
    NotRequested,
    /// Read and compared with the member ([`CardCheckResult::matched`]).
    Read,
    /// The 券面事項入力補助 PIN was wrong; its counter went down by one.
    WrongPin {
        /// Tries left (at least 1).
        tries_left: u8,
    },
    /// The 券面事項入力補助 PIN is blocked; the municipal office resets it.
    PinBlocked,
    /// The 券面事項入力補助 PIN has one try left and no consent was given for it: nothing was
    /// sent. Ask the user, then check again with `allow_last_text_attempt`.
    NeedsConsent,
    /// The 券面事項入力補助 PIN has lost tries since it was last entered right (more than one
    /// left): the PIN typed may not be its PIN, so nothing was sent. Only if the user knows
    /// the two PINs are the same, check again with `allow_last_text_attempt`.
    TriesLost {
        /// Tries left (at least 2).
        tries_left: u8,
    },
    /// Another failure of the step (no such application, the card left the field, …).
    CardError {
        /// A data-free explanation.
        detail: String,
        /// A VERIFY of the 券面事項入力補助 PIN was in flight: re-read its counter
        /// (`card_status`) before trying again.
        verify_in_flight: bool,
    },
}

impl BasicInfoOutcome {
    fn of(outcome: &core_card::BasicInfoOutcome) -> Self {
        match outcome {
            core_card::BasicInfoOutcome::NotRequested => Self::NotRequested,
            core_card::BasicInfoOutcome::Read(_) => Self::Read,
            core_card::BasicInfoOutcome::Failed(failure) => match failure {
                TextApFailure::WrongPin { retries_left } => Self::WrongPin {
                    tries_left: *retries_left,
                },
                TextApFailure::PinBlocked => Self::PinBlocked,
                TextApFailure::NeedsConsent => Self::NeedsConsent,
                TextApFailure::TriesLost { retries_left } => Self::TriesLost {
                    tries_left: *retries_left,
                },
                TextApFailure::CardError {
                    message,
                    verify_in_flight,
                } => Self::CardError {
                    detail: message.clone(),
                    verify_in_flight: *verify_in_flight,
                },
            },
        }
    }
}

/// A successful card check, already stored for the member. A successful check is not yet a
/// match: [`CardCheckResult::badge`] says what it means for the member.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct CardCheckResult {
    /// Which kind of JPKI token answered.
    pub card_kind: CardKind,
    /// SHA-256 of the card's auth key (hex): the holder binding.
    pub key_fingerprint: String,
    /// The certificate's notAfter, RFC 3339.
    pub certificate_not_after: String,
    /// The auth PIN counter as read before the VERIFY.
    pub retries_before: PinState,
    /// When the check happened, RFC 3339.
    pub checked_at: String,
    /// True when the certificate had already expired at the check (accepted only inside the
    /// 保険証 grace period; the chain was verified as of the certificate's end).
    pub certificate_expired_at_check: bool,
    /// The last day the card still works as a マイナ保険証 after its certificate's expiry
    /// (`YYYY-MM-DD`, the end of the 3rd month after it).
    pub insurance_grace_last_day: Option<String>,
    /// The 基本4情報 step: not requested, read (see `matched`), or why it failed.
    pub basic_info: BasicInfoOutcome,
    /// When the 基本4情報 step failed: why, and what to do next, in the core's Japanese for
    /// the card holder (`TextApFailure::message_ja`; it says the card itself was checked). Show
    /// it beside the badge. `None` when the step was not requested or read.
    pub basic_info_message_ja: Option<String>,
    /// The 基本4情報 comparison, when it was read.
    pub matched: Option<CardMatch>,
    /// What the member's screen now says of the card, decided by the core with this check
    /// stored: it also weighs the card the member's signed records are bound to and a test
    /// trust anchor. Show this (its label, coloured by its state) as the result, never a
    /// success message of the app's own: a check that succeeded can still be 照合不一致
    /// (another person's card) or テスト用証明書で照合.
    pub badge: CardBadgeView,
}

/// What the card tells without a PIN (no try is spent).
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct CardStatusInfo {
    /// Which kind of JPKI token answered.
    pub card_kind: CardKind,
    /// The 利用者証明用 PIN counter: show it before asking for the PIN.
    pub auth_pin: PinState,
    /// The 券面事項入力補助 PIN counter, when the card has that application.
    pub text_pin: Option<PinState>,
    /// The auth certificate's notAfter, RFC 3339.
    pub certificate_not_after: String,
    /// SHA-256 of the card's auth key (hex).
    pub key_fingerprint: String,
}

/// Reads what the card tells without a PIN: the retry counters (show them before asking for
/// the PIN), the card kind and the certificate's expiry. No try is spent.
#[uniffi::export]
pub fn card_status(transport: Arc<dyn CardTransport>) -> Result<CardStatusInfo, ShikakuError> {
    let s = core_card::card_status(&CardTransportAdapter(transport))?;
    Ok(CardStatusInfo {
        card_kind: s.card_kind,
        auth_pin: s.auth_pin.into(),
        text_pin: s.text_pin.map(Into::into),
        certificate_not_after: time(s.certificate.not_after),
        key_fingerprint: s.certificate.key_fingerprint.to_hex(),
    })
}

#[uniffi::export]
impl Household {
    /// Checks the member's My Number Card (certificate chain, PIN, a fresh signature;
    /// optionally the 基本4情報) and stores the result for the member.
    ///
    /// `pin` is the PIN's ASCII digits as bytes (Kotlin `ByteArray`, Swift `Data`), never a
    /// string, so that the caller can wipe its array once the call returns; the Rust side
    /// wipes its copy.
    ///
    /// The PIN guard is the core's: each PIN's counter is read first; with one try left
    /// nothing is sent to that PIN unless its own consent is given
    /// (`options.allow_last_auth_attempt` → else `ShikakuError::LastAttemptNeedsConsent`;
    /// `options.allow_last_text_attempt` → else `BasicInfoOutcome::NeedsConsent`); a VERIFY
    /// is never resent. A failure of the 基本4情報 step is returned in
    /// `CardCheckResult::basic_info`, and the good check is stored all the same. The store is
    /// not locked while the card is read.
    pub fn check_card(
        &self,
        member_id: String,
        transport: Arc<dyn CardTransport>,
        pin: Vec<u8>,
        options: CardCheckOptions,
    ) -> Result<CardCheckResult, ShikakuError> {
        // Checked at once; the caller's copy is wiped when the parse returns.
        let pin = checked_pin(pin)?;
        let id = crate::convert::member_id(&member_id)?;
        // The member must exist before a PIN try is spent.
        let member = self.store().member(id)?;
        let check = core_card::check_card(
            &CardTransportAdapter(transport),
            &pin,
            CheckOptions {
                allow_last_auth_attempt: options.allow_last_auth_attempt,
                allow_last_text_attempt: options.allow_last_text_attempt,
                read_basic_info: options
                    .read_basic_info
                    .unwrap_or(CheckOptions::MEMBER_READS_BASIC_INFO),
                extra_anchors: options.extra_anchors,
                trust_store: None,
            },
            Utc::now(),
        )?;
        // The comparison and what is kept (no address) are core's: the same as the CLI.
        let basic_info = BasicInfoOutcome::of(&check.basic_info);
        let basic_info_message_ja = check
            .basic_info
            .failure()
            .map(|f| f.message_ja(CardAudience::Holder));
        let StoredCardCheck { check, matched, .. } = {
            let stored = StoredCardCheck::for_member(&member, check);
            self.store().put_card_check(&stored)?;
            stored
        };
        let badge = crate::screen::badge(
            shikaku_core::screen::member_screen(&self.store(), id, Utc::now())?.card,
        );
        let compare = |f: core_card::FieldComparison| FieldCompare {
            outcome: f.outcome,
            label: f.outcome.label_ja().into(),
            card: f.card,
            stored: f.stored,
        };
        Ok(CardCheckResult {
            card_kind: check.card_kind,
            key_fingerprint: check.key_fingerprint.to_hex(),
            certificate_not_after: time(check.certificate_not_after),
            retries_before: check.retries_left.into(),
            checked_at: time(check.checked_at),
            certificate_expired_at_check: check.certificate_expired_at_check(),
            insurance_grace_last_day: check.insurance_grace_last_day().map(date),
            basic_info,
            basic_info_message_ja,
            matched: matched.map(|m| {
                let overall = m.overall();
                CardMatch {
                    name: compare(m.name),
                    birth_date: compare(m.birth_date),
                    sex: compare(m.sex),
                    overall,
                }
            }),
            badge,
        })
    }
}

/// The PIN as the apps hand it (its ASCII digits, in an array they wipe), checked once
/// ([`core_card::Pin::from_bytes`]: exactly four ASCII digits, else
/// [`core_card::CardError::InvalidPinFormat`] and nothing is sent). The bytes are wiped
/// before this returns, whether they were a PIN or not; the `Pin` keeps the one copy, itself
/// wiped on drop.
pub(crate) fn checked_pin(pin: Vec<u8>) -> Result<core_card::Pin, ShikakuError> {
    let pin = Zeroizing::new(pin);
    Ok(core_card::Pin::from_bytes(&pin)?)
}
