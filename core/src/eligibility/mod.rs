//! The eligibility domain: household members, eligibility records (資格情報), 保険者番号 and
//! their validation. Everything here is plain data and pure functions.

mod error;
pub mod insurer;
mod member;
pub mod names;
mod record;
pub mod text;

use chrono::NaiveDate;

pub use error::{Field, FieldError, ValidationError};
pub use insurer::{InsurerNumber, InsurerNumberError, Scheme};
pub use member::{Member, MemberData, MemberForm, MemberId, Relationship, Sex};
pub use record::{
    CopayRate, DocumentKind, ElderlyForm, ElderlyRecipient, EligibilityRecord, LimitCertification,
    LimitForm, Provenance, RecordForm, RecordId, RecordJsonError, StoredRecord,
};

/// Parses a date written exactly `YYYY-MM-DD` that exists in the calendar.
pub(crate) fn parse_date(s: &str) -> Result<NaiveDate, &'static str> {
    let s = s.trim();
    let shape_ok = s.len() == 10
        && s.bytes().enumerate().all(|(i, b)| {
            if i == 4 || i == 7 {
                b == b'-'
            } else {
                b.is_ascii_digit()
            }
        });
    if !shape_ok {
        return Err("must be a date written YYYY-MM-DD");
    }
    NaiveDate::parse_from_str(s, "%Y-%m-%d").map_err(|_| "is not a real calendar date")
}

/// Checks a free-text field: not blank, at most `max` characters, no control characters.
/// White space runs are folded to one space (so U+3000 between family and given name stays
/// readable but comparable).
pub(crate) fn check_text(s: &str, max: usize) -> Result<String, &'static str> {
    if s.chars().any(char::is_control) {
        return Err("must not contain control characters");
    }
    // Invisible format characters (zero-width, bidi overrides) could make two different values
    // look identical on screen.
    let invisible = |c: char| matches!(c, '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2060}'..='\u{2069}' | '\u{FEFF}');
    if s.chars().any(invisible) {
        return Err("must not contain invisible formatting characters");
    }
    let folded = s.split_whitespace().collect::<Vec<_>>().join(" ");
    if folded.is_empty() {
        return Err("must not be empty");
    }
    if folded.chars().count() > max {
        return Err("is too long");
    }
    Ok(folded)
}
