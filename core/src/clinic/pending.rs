//! The card check held for a verification waiting to be recorded (docs/clinic.md, "The card
//! at the desk"): which of the checks made at the desk the visit is recorded with.
//!
//! The rule, the same for every desk (the CLI's page, the apps through the FFI): a check that
//! matched replaces the one held; a check that failed or was refused (another card, a wrong
//! PIN, the PIN guard's refusal, a reader error) leaves none, even after an earlier success.
//! The earlier success may no longer describe the card on the reader: a refused card is
//! another person's card, a failed one may be a card put in its place, and a wrong PIN is a
//! reason to doubt the person holding the card. Recording then falls back to no card check,
//! and a new check (without a PIN, or with it) is needed to record one.

use super::ClinicError;
use super::acceptance::DeskCardState;
use super::card::DeskCardCheck;

/// A failed card check, as far as the held check cares: was it another person's card?
pub trait CardCheckFailure {
    /// True when the check found a card that is not the document's ([`ClinicError::CardMismatch`]).
    fn is_card_mismatch(&self) -> bool;
}

impl CardCheckFailure for ClinicError {
    fn is_card_mismatch(&self) -> bool {
        matches!(self, ClinicError::CardMismatch)
    }
}

/// The card check held for one verification until it is recorded: updated with the result
/// of every check made for it ([`PendingCardCheck::apply`]), read when recording
/// ([`PendingCardCheck::held`]).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PendingCardCheck {
    held: Option<DeskCardCheck>,
    /// Another person's card was on the reader, and no card has matched since.
    mismatch: bool,
}

impl PendingCardCheck {
    /// Nothing held yet.
    pub fn new() -> PendingCardCheck {
        PendingCardCheck::default()
    }

    /// Takes the result of a check made for this verification: a match is held (replacing
    /// what was held, and ending an earlier refusal: the patient's own card is now on the
    /// reader); a failure or refusal, whatever its cause, clears what was held; another
    /// person's card is remembered until a card matches (a later reader error does not turn
    /// the refusal into "not checked"). Returns the check now held, or the error unchanged.
    pub fn apply<E: CardCheckFailure>(
        &mut self,
        result: Result<DeskCardCheck, E>,
    ) -> Result<&DeskCardCheck, E> {
        match result {
            Ok(check) => {
                self.mismatch = false;
                Ok(self.held.insert(check))
            }
            Err(e) => {
                self.held = None;
                self.mismatch |= e.is_card_mismatch();
                Err(e)
            }
        }
    }

    /// True when another person's card was found and no card has matched since: the visit is
    /// refused, never recorded.
    pub fn is_mismatch(&self) -> bool {
        self.mismatch
    }

    /// The card's state for the overall outcome: another person's card; PIN; 目視 when the
    /// receptionist compared the matched card with the patient (`face_compared`); 券面目視
    /// ([`DeskCardState::Seen`]) when no card was matched on a reader and the receptionist
    /// compared the card's 券面 by eye — no reader at the desk, or a document with no holder
    /// binding (`holder_bound` false), also after a check that failed (recorded as 券面目視,
    /// never as the reader's check that failed); matched but not compared yet; or not checked.
    /// (`holder_bound` no longer changes the state; kept for the callers.)
    pub fn state(&self, face_compared: bool, _holder_bound: bool) -> DeskCardState {
        match &self.held {
            _ if self.mismatch => DeskCardState::Mismatch,
            Some(c) if c.pin_verified() => DeskCardState::Pin,
            Some(_) if face_compared => DeskCardState::Visual,
            Some(_) => DeskCardState::Matched,
            None if face_compared => DeskCardState::Seen,
            None => DeskCardState::NotChecked,
        }
    }

    /// The check the visit will be recorded with, if any.
    pub fn held(&self) -> Option<&DeskCardCheck> {
        self.held.as_ref()
    }
}
