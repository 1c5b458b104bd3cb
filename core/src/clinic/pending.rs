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

use super::card::DeskCardCheck;

/// The card check held for one verification until it is recorded: updated with the result
/// of every check made for it ([`PendingCardCheck::apply`]), read when recording
/// ([`PendingCardCheck::held`]).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PendingCardCheck {
    held: Option<DeskCardCheck>,
}

impl PendingCardCheck {
    /// Nothing held yet.
    pub fn new() -> PendingCardCheck {
        PendingCardCheck::default()
    }

    /// Takes the result of a check made for this verification: a match is held (replacing
    /// what was held); a failure or refusal, whatever its cause, clears what was held. Returns
    /// the check now held, or the error unchanged.
    pub fn apply<E>(&mut self, result: Result<DeskCardCheck, E>) -> Result<&DeskCardCheck, E> {
        match result {
            Ok(check) => Ok(self.held.insert(check)),
            Err(e) => {
                self.held = None;
                Err(e)
            }
        }
    }

    /// The check the visit will be recorded with, if any.
    pub fn held(&self) -> Option<&DeskCardCheck> {
        self.held.as_ref()
    }
}
