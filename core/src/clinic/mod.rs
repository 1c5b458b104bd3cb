//! The clinic desk: the second role of the core. A reception desk keeps its own encrypted store
//! (the household store's engine: AES-256-GCM per value, keyed-hash look-ups, no plaintext
//! personal data on disk) holding a tamper-evident visit log, and exports it for claims.
//!
//! - [`DeskStore`]: the desk's file (`desk.db` in a 0700 directory), opened with a
//!   [`crate::store::KeyStore`].
//! - The visit log ([`DeskStore::record_visit`], [`DeskStore::declare`]): append-only entries,
//!   each linked to the previous one, the chain head sealed; [`DeskStore::verify_log`] names the
//!   first bad position of an edited, reordered or removed entry, the last one included.
//! - A verified visit ([`VerifiedVisit`]: the [`ClaimFields`] as the issuer signed them, the
//!   [`CardCheckMethod`], the [`DocumentInfo`] and the [`Verdict`]) is only ever made inside the
//!   core from a verified presentation. A 被保険者資格申立書 ([`DeclarationForm`]) is always
//!   申立・未検証 ([`DECLARED_LABEL`]); after it, the share to collect at the window
//!   ([`Declaration::cashier_ja`]).
//! - The card at the desk ([`check_card_at_desk`]) and the check a visit is recorded with
//!   ([`PendingCardCheck`]: a later failed or refused check clears an earlier success).
//! - The overall outcome ([`DeskOutcome`]): the document's verdict, its kind and the card
//!   together — an お知らせ or マイナポータル screen is 確認済み only with the patient's card.
//! - A patient already recorded today ([`DeskStore::same_day_visit_of`], [`SameDayVisit`]): a
//!   notice when recording, not a refusal.
//! - 公費 受給者証 seen beside the insurance ([`PublicExpenseEntry`], [`SeenPublicExpense`]):
//!   typed at the desk, always 受給者証目視・未検証, recorded with the visit or the 申立.
//! - [`export`]: the CSV and JSON the clinic takes away.
//!
//! See docs/clinic.md.

mod acceptance;
mod card;
mod cashier;
mod claim;
mod declaration;
mod desk;
mod elderly;
pub mod export;
pub mod fhir;
mod log;
mod pending;
mod public_expense;
mod same_day;
mod trust;
mod verify;

pub use acceptance::{
    CARD_MISMATCH_LABEL, CARD_REQUIRED_LABEL, DeskAcceptance, DeskCardState, DeskOutcome, DeskTone,
};
pub use card::{DeskCardCheck, DeskPin, check_card_at_desk};
pub use claim::{CardCheckMethod, ClaimFields, DocumentInfo, Verdict, VerifiedVisit};
pub use declaration::{
    Declaration, DeclarationForm, DeclarationText, MAX_INSURER_NAME_CHARS, MAX_NAME_CHARS,
    MAX_NUMBER_CHARS, MAX_OPERATOR_CHARS, operator_refusal_ja,
};
pub use desk::{DESK_FILE, DESK_SCHEMA_VERSION, DeskBatch, DeskStore};
pub use log::{
    CheckedVisits, DECLARED_LABEL, EntryKind, INCOMPLETE_LABEL, LogCheck, LogEntry, LogProblem,
    MAX_RANGE_DAYS, VisitList,
};
pub use pending::{CardCheckFailure, PendingCardCheck};
pub use public_expense::{
    MAX_PROGRAM_CHARS, MAX_PUBLIC_EXPENSES, PUBLIC_EXPENSE_SEEN_LABEL, PublicExpenseEntry,
    SeenPublicExpense, public_expense_order_ja, validate_public_expenses,
};
pub use same_day::{SameDayMatch, SameDayVisit};
pub use trust::{
    DEFAULT_TRUST_MAX_AGE_DAYS, DeskTrust, TrustAge, TrustClockBehind, TrustSource,
    check_first_trust_list, first_trust_root,
};
pub use verify::{
    DeskVerdict, DeskVerification, FUTURE_ISSUE_TOLERANCE_MINUTES, VerifyOptions, claim_fields,
    verify_payload_with,
};

use chrono::{DateTime, Utc};

use crate::card::CardError;
use crate::eligibility::ValidationError;
use crate::store::StoreError;
use crate::sync::SyncError;

/// What can go wrong at the desk. Messages carry no personal data. After any of them the log is
/// unchanged.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ClinicError {
    /// A declared field breaks the rules; every failing field is named, no values.
    #[error(transparent)]
    Invalid(#[from] ValidationError),
    /// The operator's name is not acceptable.
    #[error("operator name {reason}")]
    Operator {
        /// Why, in a short English phrase.
        reason: &'static str,
    },
    /// An entry whose operator name and typed fields both fail: a 申立's form
    /// ([`DeclarationForm::validate_with_operator`]) or the 公費 typed beside a visit
    /// ([`DeskStore::record_verification_with`]); every failure at once, no values.
    #[error("operator name {operator}; {fields}")]
    Declaration {
        /// Why the operator's name is not acceptable, in a short English phrase.
        operator: &'static str,
        /// Every failing field of the form.
        fields: ValidationError,
    },
    /// A date range that ends before it starts, or is longer than the limit.
    #[error("the date range must not end before it starts nor span more than {max_days} days")]
    Range {
        /// The longest range accepted, in days.
        max_days: u64,
    },
    /// The store failed (wrong key, damaged row, I/O).
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The trust list was refused (does not verify, older than the one held, another root) or
    /// the desk has none; what the desk held is unchanged.
    #[error("trust list: {reason}")]
    Trust {
        /// Why, in English without personal data.
        reason: String,
    },
    /// Fetching the trust list failed.
    #[error(transparent)]
    Sync(#[from] SyncError),
    /// The card could not be read or checked (the PIN guard's refusals included).
    #[error(transparent)]
    Card(#[from] CardError),
    /// The card is not the one the presented document is bound to.
    #[error("this card is not the card the document is bound to")]
    CardMismatch,
    /// A 資格情報のお知らせ or マイナポータル screen is accepted only together with the patient's
    /// card: check the card (and compare it with the patient), or record a 申立.
    #[error(
        "this document is accepted only with the patient's card: check the card, or record a declaration"
    )]
    CardRequired,
    /// The presentation carries no holder binding, so no card can be matched to it on the
    /// reader: compare the card's face (name, birth date, photo) by eye instead.
    #[error("the document carries no card binding: compare the card by eye")]
    NoHolderBinding,
    /// The desk's clock is earlier than the time of the log's last entry: the PC's date and
    /// time are probably wrong (after a power cut), and the entry would get another 受診日.
    /// Nothing is recorded; [`ClinicError::clock_refusal_ja`] says it in Japanese.
    #[error(
        "the desk's clock ({}) is earlier than the log's last entry (entry {last_position}, \
         {}): check the PC's date and time; nothing was recorded",
        now.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        last.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
    )]
    ClockBehindLog {
        /// The desk's clock when recording was asked.
        now: DateTime<Utc>,
        /// When the log's last entry was recorded.
        last: DateTime<Utc>,
        /// The last entry's position.
        last_position: u64,
    },
    /// Only a document whose signature verified can be recorded as a visit or checked against a
    /// card (record a 申立 otherwise).
    #[error("only an authentic document can be recorded or checked against a card")]
    NotRecordable,
}

impl ClinicError {
    /// Why a visit could not be recorded, and what to do, in the receptionist's words, for the
    /// refusals the acceptance rule makes (another person's card; a screen without its card);
    /// `None` for every other error.
    pub fn record_refusal_ja(&self) -> Option<&'static str> {
        match self {
            ClinicError::CardMismatch => Some(
                "記録できません: 別人のカードです。本人のカードで照合し直すか、\
                 被保険者資格申立書で受け付けてください。",
            ),
            ClinicError::CardRequired => Some(
                "記録できません: この書類はマイナンバーカードと一緒の場合だけ使えます。\
                 カードを確認して（目視ならチェックを入れて）から記録するか、\
                 被保険者資格申立書で受け付けてください。",
            ),
            _ => None,
        }
    }

    /// Every refusal of this error the receptionist is told, in the core's Japanese and in one
    /// order — the operator's name, the 申立's fields, the acceptance rule, the 公費, the clock,
    /// a damaged log — for a front end to show together (the desk page, `clinic declare`).
    /// Empty when the error has none (then only its English message says what went wrong).
    pub fn refusals_ja(&self) -> Vec<String> {
        [
            self.operator_refusal_ja(),
            self.declaration_refusal_ja(),
            self.record_refusal_ja().map(str::to_string),
            self.public_expense_refusal_ja(),
            self.clock_refusal_ja(),
            self.log_refusal_ja().map(str::to_string),
        ]
        .into_iter()
        .flatten()
        .collect()
    }

    /// For a visit log found damaged or tampered with when an entry was to be appended
    /// ([`StoreError::Corrupt`], [`StoreError::Tampered`]: a damaged log is never extended),
    /// what the receptionist is told: nothing was recorded, and the way forward — this visit on
    /// the paper 受付簿, and the administrator, who keeps the damaged log as it is and starts a
    /// new one. No personal data. `None` for every other error.
    pub fn log_refusal_ja(&self) -> Option<&'static str> {
        matches!(
            self,
            ClinicError::Store(StoreError::Corrupt { .. } | StoreError::Tampered { .. })
        )
        .then_some(
            "記録できません: 受付記録簿が壊れているため、新しい記録を書き足しません（壊れた記録簿は\
             そのまま保管します）。この受付は紙の受付簿に記録して受付を続け、管理者に連絡して\
             ください。管理者は壊れた記録簿を保管したまま、新しい受付記録簿を始めてください。",
        )
    }

    /// For [`ClinicError::ClockBehindLog`], what the receptionist is told: check the PC's date
    /// and time, with the desk's clock and the last entry's number and time (in Japan) — no
    /// personal data. `None` for every other error.
    pub fn clock_refusal_ja(&self) -> Option<String> {
        match self {
            ClinicError::ClockBehindLog {
                now,
                last,
                last_position,
            } => Some(format!(
                "記録できません: PCの日付・時刻を確認してください。この端末の現在の日時（{}）が、\
                 受付記録簿の最後の記録（記録番号 {last_position}、{}）より前です。\
                 日付・時刻を正しく直してから記録してください。",
                japan_minute(*now),
                japan_minute(*last)
            )),
            _ => None,
        }
    }

    /// Why the operator's name was refused ([`ClinicError::Operator`], or the operator's part
    /// of [`ClinicError::Declaration`]), in the receptionist's words: empty, longer than
    /// [`MAX_OPERATOR_CHARS`], a character that cannot be used, or a leading `=`, `+`, `-`, `@`.
    /// Without the name itself. `None` for every other error.
    pub fn operator_refusal_ja(&self) -> Option<String> {
        match self {
            ClinicError::Operator { reason }
            | ClinicError::Declaration {
                operator: reason, ..
            } => Some(declaration::operator_reason_ja(reason)),
            _ => None,
        }
    }

    /// What is wrong with the fields of a 申立 ([`ClinicError::Invalid`] or the fields of
    /// [`ClinicError::Declaration`], from [`DeclarationForm::validate_with_public`]), in the
    /// receptionist's words: each failing field named (氏名, 生年月日, 性別 …) with the rule where
    /// one phrase says it, no value. The 公費 among them are left to
    /// [`ClinicError::public_expense_refusal_ja`] and the operator's name to
    /// [`ClinicError::operator_refusal_ja`]. `None` when no field of the form itself failed.
    pub fn declaration_refusal_ja(&self) -> Option<String> {
        match self {
            ClinicError::Invalid(fields) | ClinicError::Declaration { fields, .. } => {
                declaration::fields_refusal_ja(&fields.errors)
            }
            _ => None,
        }
    }

    /// What is wrong with the 公費 typed beside a visit or a 申立 ([`ClinicError::Invalid`] or
    /// the fields of [`ClinicError::Declaration`]), in the receptionist's words: which 公費
    /// (第一公費, 第二公費) and which of its fields, no value. `None` when no 公費 field failed.
    pub fn public_expense_refusal_ja(&self) -> Option<String> {
        match self {
            ClinicError::Invalid(fields) | ClinicError::Declaration { fields, .. } => {
                public_expense::refusal_ja(&fields.errors)
            }
            _ => None,
        }
    }
}

/// A time in Japan to the minute, `YYYY-MM-DD HH:MM`.
fn japan_minute(t: DateTime<Utc>) -> String {
    let local = crate::clock::japan_time(t);
    format!(
        "{} {}",
        crate::clock::iso_date(local.date()),
        crate::clock::hour_minute(local)
    )
}

#[cfg(test)]
mod tests;
#[cfg(test)]
mod verify_tests;
