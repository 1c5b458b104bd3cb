//! The BER-TLV subset of the card: `parse_header`, `parse_one`, `expect_tag`, `object_len`,
//! and `parse_one` iterated over the rest of the input while it succeeds.
#![no_main]

use libfuzzer_sys::fuzz_target;
use shikaku_core::card::tlv::{self, parse_header, parse_one};

fuzz_target!(|data: &[u8]| {
    let header = parse_header(data);
    if let Ok(h) = header {
        assert!(h.header_len >= 2 && h.header_len <= 6, "header_len {}", h.header_len);
        assert!(h.header_len <= data.len());
        assert!(h.value_len <= 0xFFFF);
    }
    match tlv::object_len(data) {
        Ok(len) => {
            assert!(!tlv::is_filler(data));
            assert_eq!(Ok(len), header.map(|h| h.total_len()));
        }
        Err(e) => {
            let _ = e.to_string();
        }
    }
    if let Ok(h) = header {
        let _ = tlv::expect_tag(data, h.tag);
        let _ = tlv::expect_tag(data, h.tag ^ 1);
    }

    let mut rest = data;
    let mut objects = 0usize;
    loop {
        match parse_one(rest) {
            Ok((tlv, after)) => {
                let h = parse_header(rest).expect("parse_one succeeded, so must parse_header");
                assert_eq!(tlv.tag, h.tag);
                assert_eq!(tlv.value.len(), h.value_len);
                assert_eq!(rest.len() - after.len(), h.total_len());
                assert!(after.len() < rest.len(), "parse_one made no progress");
                // Constructed values hold TLVs too: one level down.
                let _ = parse_one(tlv.value);
                rest = after;
                objects += 1;
            }
            Err(e) => {
                let _ = e.to_string();
                break;
            }
        }
    }
    assert!(objects <= data.len() / 2);
});
