//! My Number Card checks: the card's status without a PIN, and the full check stored for a
//! member.

use std::sync::Arc;

use chrono::Utc;
use shikaku_core::card::{self as core_card, CardKind, CheckOptions, PinCounter};
use shikaku_core::eligibility::names::NameMatch;
use shikaku_core::store::StoredCardCheck;

use crate::convert::{date, time};
use crate::error::ShikakuError;
use crate::household::Household;
use crate::platform::{CardTransport, CardTransportAdapter};

/// Options of [`Household::check_card`].
#[derive(Debug, Clone, Default, PartialEq, Eq, uniffi::Record)]
pub struct CardCheckOptions {
    /// Send the PIN even when only one try is left (the user consented).
    #[uniffi(default)]
    pub allow_last_attempt: bool,
    /// Also read the 基本4情報 with the same PIN and compare it with the member.
    #[uniffi(default)]
    pub read_basic_info: bool,
    /// Extra trust anchors (DER or PEM certificates), for test cards only. Empty in production:
    /// the embedded J-LIS roots are used.
    #[uniffi(default)]
    pub extra_anchors: Vec<Vec<u8>>,
}

/// A PIN retry counter as the card reports it.
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

/// One field of the card's 基本4情報 compared with the member, both forms kept for display.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct FieldCompare {
    /// Equal, equal after folding, or different.
    pub outcome: NameMatch,
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

/// A successful card check, already stored for the member.
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
    /// The 基本4情報 comparison, when it was read.
    pub matched: Option<CardMatch>,
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
    /// The PIN guard is the core's: the counter is read first; with one try left nothing is
    /// sent unless `options.allow_last_attempt` (`ShikakuError::LastAttemptNeedsConsent`);
    /// a VERIFY is never resent. The store is not locked while the card is read.
    pub fn check_card(
        &self,
        member_id: String,
        transport: Arc<dyn CardTransport>,
        pin: String,
        options: CardCheckOptions,
    ) -> Result<CardCheckResult, ShikakuError> {
        let id = crate::convert::member_id(&member_id)?;
        // The member must exist before a PIN try is spent.
        let member = self.store().member(id)?;
        let check = core_card::check_card(
            &CardTransportAdapter(transport),
            &pin,
            CheckOptions {
                allow_last_attempt: options.allow_last_attempt,
                read_basic_info: options.read_basic_info,
                extra_anchors: options.extra_anchors,
                trust_store: None,
            },
            Utc::now(),
        )?;
        // The comparison and what is kept (no address) are core's: the same as the CLI.
        let StoredCardCheck { check, matched, .. } = {
            let stored = StoredCardCheck::for_member(&member, check);
            self.store().put_card_check(&stored)?;
            stored
        };
        let compare = |f: core_card::FieldComparison| FieldCompare {
            outcome: f.outcome,
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
            matched: matched.map(|m| {
                let overall = m.overall();
                CardMatch {
                    name: compare(m.name),
                    birth_date: compare(m.birth_date),
                    sex: compare(m.sex),
                    overall,
                }
            }),
        })
    }
}
