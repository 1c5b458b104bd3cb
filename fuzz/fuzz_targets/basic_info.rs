//! `parse_basic_info` on an EF 0002 image of the 券面事項入力補助AP, and the accessors of what
//! it returns.
#![no_main]

use libfuzzer_sys::fuzz_target;
use shikaku_core::card::{CardSex, parse_basic_info};

fuzz_target!(|data: &[u8]| {
    match parse_basic_info(data) {
        Ok(info) => {
            assert_eq!(info.birth_date.len(), 8);
            assert!(info.birth_date.bytes().all(|b| b.is_ascii_digit()));
            if let Some(date) = info.birth_date() {
                assert_eq!(date.format("%Y%m%d").to_string(), info.birth_date);
            }
            assert!(matches!(info.sex.code(), '0' | '1' | '2' | '9'));
            let _ = matches!(info.sex, CardSex::Male);
            // Debug never shows the values.
            assert_eq!(format!("{info:?}"), "BasicInfo { .. }");
            let _ = info.name.chars().count() + info.address.chars().count();
            let _ = info.clone() == info;
        }
        Err(e) => {
            let _ = e.to_string();
        }
    }
});
