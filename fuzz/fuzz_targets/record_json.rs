//! `RecordForm::from_json` on hand-entry JSON (invalid UTF-8 replaced), then `validate` at a
//! fixed date and at the ends of the calendar, and a serde round trip.
#![no_main]

use chrono::NaiveDate;
use libfuzzer_sys::fuzz_target;
use shikaku_core::eligibility::RecordForm;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let Ok(form) = RecordForm::from_json(&text) else {
        return;
    };
    let today = NaiveDate::from_ymd_opt(2026, 11, 23).expect("a real date");
    for date in [today, NaiveDate::MIN, NaiveDate::MAX] {
        match form.validate(date) {
            Ok(record) => {
                let _ = format!("{record:?}");
            }
            Err(e) => {
                let _ = e.to_string();
                let _ = format!("{e:?}");
            }
        }
    }
    // What parsed serialises and parses back to the same form.
    let json = serde_json::to_string(&form).expect("a RecordForm serialises");
    let again = RecordForm::from_json(&json).expect("serialised RecordForm parses back");
    assert_eq!(again, form);
});
