//! The eligibility domain: household members, eligibility records (資格情報), 保険者番号 and
//! their validation. Everything here is plain data and pure functions.

/// Defines a random, stable id (a UUID v4 newtype that carries no personal data): ordered,
/// hashable, shown and parsed as the hyphenated UUID, and serialized as that string.
macro_rules! uuid_id {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(
            Debug,
            Clone,
            Copy,
            PartialEq,
            Eq,
            Hash,
            PartialOrd,
            Ord,
            serde::Serialize,
            serde::Deserialize,
        )]
        #[serde(transparent)]
        pub struct $name(pub uuid::Uuid);

        impl $name {
            /// A fresh random id.
            pub fn random() -> Self {
                $name(uuid::Uuid::new_v4())
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                std::fmt::Display::fmt(&self.0, f)
            }
        }

        impl std::str::FromStr for $name {
            type Err = uuid::Error;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                uuid::Uuid::parse_str(s).map($name)
            }
        }
    };
}

pub mod consistency;
mod error;
pub mod insurer;
mod member;
pub mod names;
mod public_expense;
mod record;
mod record_form;
pub mod text;

use chrono::NaiveDate;
use text::parse_date;

/// Parses a date written exactly `YYYY-MM-DD` that exists in the calendar: the machine form of
/// the signed documents. What people type goes through [`text::parse_date`].
pub(crate) fn parse_iso_date(s: &str) -> Result<NaiveDate, &'static str> {
    text::parse_iso(s.trim()).unwrap_or(Err("must be a date written YYYY-MM-DD"))
}

pub use consistency::{
    check_corrected_record_for_member, check_record_for_member, check_records_for_changed_member,
};
pub use error::{Field, FieldError, ValidationError};
pub use insurer::{InsurerNumber, InsurerNumberError, Scheme};
pub use member::{Member, MemberData, MemberForm, MemberId, Relationship, Sex};
pub use public_expense::PublicExpenseForm;
pub(crate) use public_expense::parse_recipient_number;
pub use record::{
    CopayRate, DocumentKind, ElderlyRecipient, EligibilityRecord, LimitCertification, Provenance,
    RecordId, StoredRecord,
};
pub use record_form::{
    CERTIFICATE_MAX_YEARS, ElderlyForm, LimitForm, MAX_RECORD_JSON_BYTES, RecordForm,
    RecordJsonError,
};

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

#[cfg(test)]
mod tests {
    use super::{MemberId, RecordId};

    #[test]
    fn ids_show_parse_and_serialize_as_the_bare_uuid() {
        let text = "67e55044-10b1-426f-9247-bb680e5fe0c8";
        let quoted = format!("\"{text}\"");

        let member: MemberId = text.parse().unwrap();
        assert_eq!(member.to_string(), text);
        assert_eq!(serde_json::to_string(&member).unwrap(), quoted);
        assert_eq!(serde_json::from_str::<MemberId>(&quoted).unwrap(), member);
        assert!("67e55044".parse::<MemberId>().is_err());

        let record: RecordId = text.parse().unwrap();
        assert_eq!(record.to_string(), text);
        assert_eq!(serde_json::to_string(&record).unwrap(), quoted);
        assert_eq!(serde_json::from_str::<RecordId>(&quoted).unwrap(), record);
        assert!("67e55044".parse::<RecordId>().is_err());

        assert_ne!(MemberId::random(), MemberId::random());
        assert_ne!(RecordId::random(), RecordId::random());
    }
}
