//! The APDU log, fault injection and card removal.

use std::sync::Arc;

use shikaku_core::card::{CardTransport, TransportError};

use crate::card::{Application, Fault, Outcome, PinRef, Selection};

use super::*;

// ---------------------------------------------------------------- log and faults

#[test]
fn log_records_commands_and_responses_in_order() {
    let c = card();
    tx(&c, SELECT_JPKI);
    tx(&c, "00 A4 02 0C 02 00 18");
    tx(&c, VERIFY_STATUS);
    let log = c.log();
    assert_eq!(log.len(), 3);
    assert_eq!(log[0].command, h(SELECT_JPKI));
    assert_eq!(
        log[0].selected,
        Some(Selection::Application(Application::Jpki))
    );
    assert_eq!(log[2].response, Some(h("63 C3")));
    assert_eq!(log[2].sw(), Some(0x63C3));
    assert_eq!(log[2].outcome, Outcome::Delivered);
    assert_eq!(log.iter().map(|e| e.index).collect::<Vec<_>>(), [0, 1, 2]);
    c.clear_log();
    tx(&c, VERIFY_STATUS);
    assert_eq!(c.log()[0].index, 3);
    assert_eq!(c.apdu_count(), 4);
}

#[test]
fn fault_after_processing_counts_the_verify() {
    let c = card();
    tx(&c, SELECT_JPKI);
    tx(&c, "00 A4 02 0C 02 00 18");
    c.inject_fault(c.apdu_count(), Fault::lost_after_processing());
    assert_eq!(c.transceive(&h(VERIFY_WRONG)), Err(TransportError::TagLost));
    assert_eq!(c.retries_left(PinRef::AuthPin), 2, "the card counted it");
    let e = c.log().pop().unwrap();
    assert_eq!(e.response, Some(h("63 C2")));
    assert_eq!(e.outcome, Outcome::AnswerLost(TransportError::TagLost));
    assert_eq!(tx(&c, VERIFY_STATUS), h("63 C2"));
    // A right PIN whose answer is lost still verifies.
    c.inject_fault(c.apdu_count(), Fault::lost_after_processing());
    assert!(c.transceive(&h(VERIFY_1234)).is_err());
    assert!(c.is_verified(PinRef::AuthPin));
}

#[test]
fn fault_before_processing_and_removal() {
    let c = card();
    tx(&c, SELECT_JPKI);
    tx(&c, "00 A4 02 0C 02 00 18");
    c.inject_fault(
        c.apdu_count(),
        Fault {
            error: TransportError::Timeout,
            after_processing: false,
        },
    );
    assert_eq!(c.transceive(&h(VERIFY_WRONG)), Err(TransportError::Timeout));
    assert_eq!(c.retries_left(PinRef::AuthPin), 3);
    let e = c.log().pop().unwrap();
    assert_eq!(
        (e.response, e.outcome),
        (None, Outcome::NotProcessed(TransportError::Timeout))
    );
    // Faults are one-shot.
    assert_eq!(tx(&c, VERIFY_1234), h("90 00"));
    c.set_present(false);
    assert_eq!(
        c.transceive(&h(VERIFY_STATUS)),
        Err(TransportError::TagLost)
    );
    c.set_present(true);
    assert!(
        !c.is_verified(PinRef::AuthPin),
        "re-inserted cards start afresh"
    );
    assert_eq!(tx(&c, VERIFY_STATUS), h("69 86"));
    // A fault at a later index waits for it.
    c.inject_fault(c.apdu_count() + 1, Fault::lost_before_processing());
    assert_eq!(tx(&c, SELECT_JPKI), h("90 00"));
    assert!(c.transceive(&h(SELECT_JPKI)).is_err());
    c.inject_fault(c.apdu_count(), Fault::lost_before_processing());
    c.clear_faults();
    assert_eq!(tx(&c, SELECT_JPKI), h("90 00"));
}

#[test]
fn card_is_shareable_across_threads() {
    let c = Arc::new(card());
    let handles: Vec<_> = (0..4)
        .map(|_| {
            let c = Arc::clone(&c);
            std::thread::spawn(move || {
                for _ in 0..10 {
                    c.transceive(&h(SELECT_JPKI)).unwrap();
                }
            })
        })
        .collect();
    for handle in handles {
        handle.join().unwrap();
    }
    assert_eq!(c.apdu_count(), 40);
}
