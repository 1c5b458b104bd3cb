//! The QR form `SK1:` + Base45(zlib(bytes)): `from_qr_payload` must return (16 KiB cap, no
//! zip bomb), and whatever it accepts must be the canonical encoding of what it decoded.
#![no_main]

use libfuzzer_sys::fuzz_target;
use shikaku_core::document::{from_qr_payload, to_qr_payload};

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    for candidate in [text.to_string(), format!("SK1:{text}")] {
        if let Ok(bytes) = from_qr_payload(&candidate) {
            assert!(bytes.len() <= 16 * 1024);
            let again = from_qr_payload(&to_qr_payload(&bytes)).expect("our own encoding decodes");
            assert_eq!(again, bytes);
        }
    }
});
