//! `Response::parse` on raw response APDU bytes (data ‖ SW1 SW2), plus the status word's
//! round trip.
#![no_main]

use libfuzzer_sys::fuzz_target;
use shikaku_core::card::StatusWord;
use shikaku_core::card::apdu::Response;

fuzz_target!(|data: &[u8]| {
    match Response::parse(data) {
        Ok(response) => {
            assert!(data.len() >= 2, "parsed a response shorter than a status word");
            let (body, sw) = data.split_at(data.len() - 2);
            assert_eq!(response.data, body);
            assert_eq!(response.status, StatusWord::from_bytes(sw[0], sw[1]));
            // The decoded status word gives the same two bytes back.
            assert_eq!(response.status.raw(), u16::from_be_bytes([sw[0], sw[1]]));
            assert_eq!(response.status.to_string().len(), 4);
            let _ = response.status.is_ok();
        }
        Err(error) => {
            assert!(data.len() < 2, "refused a response of {} bytes", data.len());
            let _ = error.to_string();
        }
    }
});
