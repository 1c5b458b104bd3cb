//! The one public error type of the exported functions.

use shikaku_core::card::{CardAudience, CardError};
use shikaku_core::eligibility::ValidationError;
use shikaku_core::store::EntryError;
use shikaku_core::store::StoreError;
use shikaku_core::sync::SyncError;
use shikaku_core::sync::http::UrlError;

/// One field that failed validation: which field and why, never the value entered.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct FieldProblem {
    /// The field's key in the hand-entry format (e.g. `insurer_number`, `elderly.valid_until`).
    pub field: String,
    /// The field's Japanese label (e.g. 保険者番号).
    pub label: String,
    /// Why, in a short English phrase.
    pub reason: String,
}

/// Why an operation failed. Every message is free of personal data (no names, dates of birth,
/// numbers, PINs or card contents), so it may be logged.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, uniffi::Error)]
pub enum ShikakuError {
    /// Hand-entered data failed validation; `problems` names every failing field.
    #[error("invalid input: {detail}")]
    InvalidInput {
        /// Every failed rule, in field order (empty when the input could not be parsed at all).
        problems: Vec<FieldProblem>,
        /// A data-free summary.
        detail: String,
    },
    /// The card rejected the PIN; `retries_left` tries remain (at least 1).
    #[error("wrong PIN; tries left: {retries_left}")]
    WrongPin {
        /// Tries left after this failure.
        retries_left: u8,
        /// What to tell the card holder, in the core's Japanese words (the PIN rules:
        /// `CardError::message_ja`).
        message_ja: String,
    },
    /// Only one try of the 利用者証明用 PIN is left: nothing was sent. Ask the user, then retry
    /// with `CardCheckOptions::allow_last_auth_attempt` (a card check) or
    /// `SyncSettings::allow_last_attempt` (a sync). (The 券面事項入力補助 PIN's last try is
    /// reported in `CardCheckResult::basic_info`, not as this error.)
    #[error("only one PIN try is left; the last attempt needs explicit consent")]
    LastAttemptNeedsConsent {
        /// What to tell the card holder, in the core's Japanese words.
        message_ja: String,
    },
    /// The PIN is blocked (or not 4 digits, see `detail`); nothing more can be tried here.
    #[error("{detail}")]
    PinUnusable {
        /// True when the card's PIN is blocked (the municipal office resets it); false when the
        /// entered PIN is not exactly 4 digits (nothing was sent).
        blocked: bool,
        /// A data-free explanation.
        detail: String,
        /// What to tell the card holder, in the core's Japanese words.
        message_ja: String,
    },
    /// The card could not be read or did not pass the check (lost contact, timeout, not a My
    /// Number Card, untrusted or expired certificate, bad signature).
    #[error("card: {detail}")]
    Card {
        /// The card left the field or did not answer (try again with the card held still):
        /// the core's `CardError::can_retry`.
        retryable: bool,
        /// A VERIFY with the PIN was in flight: re-read the retry counter (`card_status`)
        /// before asking for the PIN again.
        verify_in_flight: bool,
        /// A data-free explanation.
        detail: String,
        /// What to tell the card holder, in the core's Japanese words (for `verify_in_flight`:
        /// never resent, the counter read first).
        message_ja: String,
    },
    /// The network failed (offline, timeout, TLS, interrupted); nothing was changed.
    #[error("network: {detail}")]
    Network {
        /// A data-free explanation.
        detail: String,
    },
    /// The server's answer was refused (login rejected, malformed, untrusted, rollback, another
    /// card's document); nothing was changed.
    #[error("sync: {detail}")]
    Sync {
        /// A data-free explanation.
        detail: String,
    },
    /// The trust-list root given differs from the root pinned by the first sync. Nothing was
    /// changed; a sync never re-pins. Changing the root is the explicit
    /// `Household.repin_root`, after the user confirmed it.
    #[error("the trust-list root differs from the pinned one")]
    RootChanged,
    /// The clinic desk refused a trust list (it does not verify, is older than the one the
    /// desk holds, or another root than the pinned one signed it), or no root is pinned yet.
    /// Nothing was changed; a desk never re-pins its root.
    #[error("trust list: {detail}")]
    TrustList {
        /// A data-free explanation.
        detail: String,
    },
    /// The card on the clinic desk's reader is not the card the presented document is bound
    /// to: a clear refusal, found before any PIN was sent.
    #[error("this card is not the card the document is bound to")]
    CardMismatch,
    /// Only a document whose signature verified can be checked against a card or recorded as a
    /// visit at the clinic desk; record a 申立 (`ClinicDesk.declare`) instead.
    #[error("only an authentic document can be recorded or checked against a card")]
    NotRecordable,
    /// The key does not open this store, or the platform key is unavailable. Offer a clean
    /// reset (`destroy_store`) and a new download; nothing was changed.
    #[error("key: {detail}")]
    Key {
        /// True when the key is wrong or lost (a reset is the way out); false when the key store
        /// is only unavailable now (e.g. the device is locked).
        wrong_key: bool,
        /// A data-free explanation.
        detail: String,
    },
    /// The store failed (I/O, damaged row, not a shikaku store, newer schema) or an id does
    /// not exist.
    #[error("store: {detail}")]
    Store {
        /// True when the member or record id does not exist.
        not_found: bool,
        /// A data-free explanation.
        detail: String,
    },
}

impl From<ValidationError> for ShikakuError {
    fn from(e: ValidationError) -> Self {
        ShikakuError::InvalidInput {
            problems: e
                .errors
                .iter()
                .map(|f| FieldProblem {
                    field: f.field.key().to_string(),
                    label: f.field.label_ja().to_string(),
                    reason: f.reason.clone(),
                })
                .collect(),
            detail: e.to_string(),
        }
    }
}

impl From<CardError> for ShikakuError {
    fn from(e: CardError) -> Self {
        let detail = e.to_string();
        // The apps' words are the card holder's: the core's, so every app says the same.
        let message_ja = e.message_ja(CardAudience::Holder);
        match e {
            CardError::WrongPin { retries_left, .. } => ShikakuError::WrongPin {
                retries_left,
                message_ja,
            },
            CardError::LastAttemptNeedsConsent { .. } => {
                ShikakuError::LastAttemptNeedsConsent { message_ja }
            }
            CardError::PinBlocked { .. } => ShikakuError::PinUnusable {
                blocked: true,
                detail,
                message_ja,
            },
            CardError::InvalidPinFormat => ShikakuError::PinUnusable {
                blocked: false,
                detail,
                message_ja,
            },
            _ => ShikakuError::Card {
                retryable: e.can_retry(),
                verify_in_flight: e.verify_in_flight(),
                detail,
                message_ja,
            },
        }
    }
}

impl From<StoreError> for ShikakuError {
    fn from(e: StoreError) -> Self {
        let message = e.to_string();
        match e {
            StoreError::WrongKey => ShikakuError::Key {
                wrong_key: true,
                detail: message,
            },
            StoreError::KeyUnavailable { .. } => ShikakuError::Key {
                wrong_key: false,
                detail: message,
            },
            StoreError::NotFound { .. } => ShikakuError::Store {
                not_found: true,
                detail: message,
            },
            _ => ShikakuError::Store {
                not_found: false,
                detail: message,
            },
        }
    }
}

impl From<SyncError> for ShikakuError {
    fn from(e: SyncError) -> Self {
        match e {
            SyncError::Card(c) => c.into(),
            SyncError::RootChanged => ShikakuError::RootChanged,
            SyncError::Store(s) => s.into(),
            SyncError::Offline { .. }
            | SyncError::Timeout
            | SyncError::Interrupted { .. }
            | SyncError::Tls { .. } => ShikakuError::Network {
                detail: e.to_string(),
            },
            other => ShikakuError::Sync {
                detail: other.to_string(),
            },
        }
    }
}

impl From<UrlError> for ShikakuError {
    fn from(e: UrlError) -> Self {
        ShikakuError::InvalidInput {
            problems: vec![FieldProblem {
                field: "server_url".into(),
                label: "サーバーのアドレス".into(),
                reason: e.to_string(),
            }],
            detail: e.to_string(),
        }
    }
}

/// An id string that is not a valid member or record id.
pub(crate) fn bad_id(what: &str) -> ShikakuError {
    ShikakuError::Store {
        not_found: true,
        detail: format!("no such {what} (malformed id)"),
    }
}

/// A one-field input error (for values the core receives already typed).
pub(crate) fn invalid(field: &str, label: &str, reason: &str) -> ShikakuError {
    ShikakuError::InvalidInput {
        problems: vec![FieldProblem {
            field: field.into(),
            label: label.into(),
            reason: reason.into(),
        }],
        detail: format!("{label} ({field}): {reason}"),
    }
}

impl From<EntryError> for ShikakuError {
    fn from(e: EntryError) -> Self {
        match e {
            EntryError::Invalid(v) => v.into(),
            EntryError::Store(s) => s.into(),
        }
    }
}
