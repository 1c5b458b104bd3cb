//! The APDU log and fault injection: what happened to each APDU, deliberate transport failures,
//! and card removal, around [`CardTransport::transceive`].

use shikaku_core::card::{CardTransport, TransportError};

use super::VirtualCard;
use super::state::Selection;

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

impl VirtualCard {
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
}

impl CardTransport for VirtualCard {
    fn extended_length(&self) -> bool {
        self.state().extended_length
    }

    fn transceive(&self, apdu: &[u8]) -> Result<Vec<u8>, TransportError> {
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
                command: apdu.to_vec(),
                response: None,
                outcome: Outcome::NotProcessed(error.clone()),
                selected: None,
            });
            return Err(error);
        }
        st.selection = None;
        let response = self.process(&mut st, apdu);
        let selected = st.selection.take();
        let (outcome, result) = match fault {
            Some(f) => (Outcome::AnswerLost(f.error.clone()), Err(f.error)),
            None => (Outcome::Delivered, Ok(response.clone())),
        };
        st.log.push(LogEntry {
            index,
            command: apdu.to_vec(),
            response: Some(response),
            outcome,
            selected,
        });
        result
    }
}
