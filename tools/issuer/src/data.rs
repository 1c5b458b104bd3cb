//! The issuer's data file: households, their members, each member's card fingerprint and
//! eligibility record (TOML; example `examples/households.toml`).
//!
//! ```toml
//! [[households]]
//! id = "hh-0001"                 # opaque, 1–64 printable ASCII, unique in the file
//!
//! [[households.members]]
//! id = "p-0001"                  # opaque, 1–64 printable ASCII, unique in the file
//! card = "88cbd2e2…"             # optional: SHA-256 of the 利用者証明用 SubjectPublicKeyInfo,
//!                                # 64 hex digits, unique in the file; omit for no card
//! [households.members.person]    # the MemberForm layout (shikaku_core::eligibility)
//! name = "山田 太郎"
//! kana = "ヤマダ タロウ"
//! birth_date = "1985-04-12"
//! sex = "male"                   # male | female | other
//! relationship = "self"          # self (本人) | dependent (家族)
//!
//! [households.members.record]    # the RecordForm layout, as in docs/record-json.md
//! kind = "notice"                # notice | portal | certificate
//! insurer_number = "01130012"
//! # …
//! ```
//!
//! Every person is validated with [`MemberForm::validate`] and every record with
//! [`RecordForm::validate`] as of the current day in Japan; `person.relationship` and
//! `record.relationship` must agree. Who sees what: a member whose relationship is `self`
//! (the 被保険者) gets every member of the household; a `dependent` gets only their own.
//! Errors name the household and member by position and the field, never a value.

use std::collections::HashSet;

use chrono::NaiveDate;
use serde::Deserialize;
use shikaku_core::card::KeyFingerprint;
use shikaku_core::eligibility::{
    EligibilityRecord, MemberData, MemberForm, RecordForm, Relationship,
};

/// The most members a household may have (the sync client accepts at most 64 documents).
pub const MAX_MEMBERS: usize = 64;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FileLayout {
    #[serde(default)]
    households: Vec<HouseholdLayout>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct HouseholdLayout {
    id: String,
    #[serde(default)]
    members: Vec<MemberLayout>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct MemberLayout {
    id: String,
    #[serde(default)]
    card: Option<String>,
    person: MemberForm,
    record: RecordForm,
}

/// The validated data file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Data {
    /// The households, in file order.
    pub households: Vec<Household>,
}

/// One household.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Household {
    /// The issuer's household id.
    pub id: String,
    /// The members, in file order.
    pub members: Vec<Person>,
}

/// One member of a household.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Person {
    /// The issuer's person id.
    pub id: String,
    /// The fingerprint of the person's JPKI auth key, when they have a card.
    pub card: Option<KeyFingerprint>,
    /// 氏名, カナ, 生年月日, 性別, 本人/家族.
    pub person: MemberData,
    /// The eligibility record.
    pub record: EligibilityRecord,
}

/// Parses a card fingerprint: 64 hex digits (either case; `:` and spaces between pairs are
/// ignored).
pub fn parse_fingerprint(text: &str) -> Option<KeyFingerprint> {
    let digits: Vec<u8> = text.bytes().filter(|b| !matches!(b, b':' | b' ')).collect();
    if digits.len() != 64 {
        return None;
    }
    let mut out = [0u8; 32];
    for (i, pair) in digits.chunks_exact(2).enumerate() {
        let hex = std::str::from_utf8(pair).ok()?;
        out[i] = u8::from_str_radix(hex, 16).ok()?;
    }
    Some(KeyFingerprint(out))
}

fn id_ok(id: &str) -> bool {
    (1..=64).contains(&id.len()) && id.bytes().all(|b| b.is_ascii_graphic())
}

/// A parser message without the values it may quote: every `"…"` part, and the first
/// `` `…` `` part unless the message is about a key (`unknown field` / `missing field`, whose
/// first backquoted part is the key). Lists of expected keys or variants stay.
fn without_values(message: &str) -> String {
    let keep_first_backquoted =
        message.starts_with("unknown field") || message.starts_with("missing field");
    let mut out = String::new();
    let mut open: Option<char> = None;
    let mut backquoted_seen = false;
    let mut eliding = false;
    for c in message.chars() {
        match open {
            None if c == '"' || c == '`' => {
                open = Some(c);
                eliding = c == '"' || (!backquoted_seen && !keep_first_backquoted);
                if c == '`' {
                    backquoted_seen = true;
                }
                out.push(c);
                if eliding {
                    out.push('…');
                }
            }
            Some(q) if c == q => {
                open = None;
                out.push(c);
            }
            Some(_) if eliding => {}
            _ => out.push(c),
        }
    }
    out.trim().to_owned()
}

fn line_of(text: &str, offset: usize) -> usize {
    text.get(..offset).map_or(0, |s| s.matches('\n').count()) + 1
}

impl Data {
    /// Parses and validates the data file's text as of `today` (the day in Japan). The error
    /// text names positions and fields only.
    pub fn parse(text: &str, today: NaiveDate) -> Result<Data, String> {
        let layout: FileLayout = toml::from_str(text).map_err(|e| {
            let line = e
                .span()
                .map(|s| format!(" at line {}", line_of(text, s.start)))
                .unwrap_or_default();
            format!(
                "not the expected TOML layout{line}: {}",
                without_values(e.message())
            )
        })?;
        if layout.households.is_empty() {
            return Err("no households".into());
        }
        let mut household_ids = HashSet::new();
        let mut person_ids = HashSet::new();
        let mut cards = HashSet::new();
        let mut households = Vec::with_capacity(layout.households.len());
        for (h_index, h) in layout.households.into_iter().enumerate() {
            let at_h = format!("household #{}", h_index + 1);
            if !id_ok(&h.id) {
                return Err(format!(
                    "{at_h}: id must be 1–64 printable ASCII characters"
                ));
            }
            if !household_ids.insert(h.id.clone()) {
                return Err(format!("{at_h}: id is used twice"));
            }
            if h.members.is_empty() || h.members.len() > MAX_MEMBERS {
                return Err(format!("{at_h}: must have 1–{MAX_MEMBERS} members"));
            }
            let mut members = Vec::with_capacity(h.members.len());
            for (m_index, m) in h.members.into_iter().enumerate() {
                let at = format!("{at_h}, member #{}", m_index + 1);
                if !id_ok(&m.id) {
                    return Err(format!("{at}: id must be 1–64 printable ASCII characters"));
                }
                if !person_ids.insert(m.id.clone()) {
                    return Err(format!("{at}: id is used twice"));
                }
                let card = match &m.card {
                    None => None,
                    Some(text) => {
                        let fp = parse_fingerprint(text).ok_or_else(|| {
                            format!("{at}: card must be 64 hex digits (SHA-256 of the key)")
                        })?;
                        if !cards.insert(fp.0) {
                            return Err(format!("{at}: card is given to two people"));
                        }
                        Some(fp)
                    }
                };
                let person = m
                    .person
                    .validate(today)
                    .map_err(|e| format!("{at}, person: {e}"))?;
                let record = m
                    .record
                    .validate(today)
                    .map_err(|e| format!("{at}, record: {e}"))?;
                if person.relationship != record.relationship {
                    return Err(format!(
                        "{at}: person.relationship and record.relationship disagree"
                    ));
                }
                members.push(Person {
                    id: m.id,
                    card,
                    person,
                    record,
                });
            }
            if !members
                .iter()
                .any(|m| m.person.relationship == Relationship::Insured)
            {
                return Err(format!(
                    "{at_h}: needs at least one member whose relationship is self (本人)"
                ));
            }
            households.push(Household { id: h.id, members });
        }
        Ok(Data { households })
    }

    /// Every person with their household.
    pub fn people(&self) -> impl Iterator<Item = (&Household, &Person)> {
        self.households
            .iter()
            .flat_map(|h| h.members.iter().map(move |m| (h, m)))
    }

    /// The person whose card has this fingerprint, with their household.
    pub fn person_for_card(&self, card: &KeyFingerprint) -> Option<(&Household, &Person)> {
        self.people().find(|(_, p)| p.card.as_ref() == Some(card))
    }

    /// What `person` may see of `household`: everyone for the 被保険者 (本人), only
    /// themself for a dependent. File order.
    pub fn visible_to<'a>(household: &'a Household, person: &'a Person) -> Vec<&'a Person> {
        match person.person.relationship {
            Relationship::Insured => household.members.iter().collect(),
            Relationship::Dependent => vec![person],
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 23).unwrap()
    }

    const ONE: &str = r#"
[[households]]
id = "h1"
[[households.members]]
id = "p1"
card = "AA:bb:cc:dd:ee:ff:00:11:22:33:44:55:66:77:88:99:aa:bb:cc:dd:ee:ff:00:11:22:33:44:55:66:77:88:99"
[households.members.person]
name = "架空 一郎"
kana = "カクウ イチロウ"
birth_date = "1980-01-02"
sex = "male"
relationship = "self"
[households.members.record]
kind = "notice"
insurer_number = "01130012"
insurer_name = "全国健康保険協会 東京支部"
number = "1"
relationship = "self"
"#;

    #[test]
    fn example_file_is_valid() {
        let text = include_str!("../../../examples/households.toml");
        let data = Data::parse(text, today()).unwrap();
        assert_eq!(data.households.len(), 2);
        assert_eq!(data.households[0].members.len(), 3);
        assert!(data.households[1].members[0].card.is_none());
    }

    #[test]
    fn parses_a_minimal_file_and_fingerprint_forms() {
        let data = Data::parse(ONE, today()).unwrap();
        let p = &data.households[0].members[0];
        assert_eq!(p.card.unwrap().0[0], 0xaa);
        assert!(parse_fingerprint("zz").is_none());
        assert!(parse_fingerprint(&"0".repeat(63)).is_none());
        assert!(parse_fingerprint(&"g".repeat(64)).is_none());
    }

    #[test]
    fn errors_name_positions_and_fields_never_values() {
        let cases = [
            (ONE.replace("カクウ イチロウ", "かくう"), "person"),
            (
                ONE.replace(
                    "relationship = \"self\"\n[households.members.record]",
                    "relationship = \"dependent\"\n[households.members.record]",
                ),
                "disagree",
            ),
            (ONE.replace("\"01130012\"", "\"01130013\""), "record"),
            (ONE.replace("AA:bb", "AA:bX"), "card"),
            (ONE.replace("sex = \"male\"", "sex = \"架空\""), "line"),
            (
                ONE.replace("number = \"1\"", "number = \"1\"\nsecret = \"架空\""),
                "unknown field",
            ),
            (
                format!(
                    "{ONE}\n{}",
                    &ONE[ONE.find("[[households.members]]").unwrap()..]
                ),
                "id is used twice",
            ),
        ];
        for (text, expected) in cases {
            let err = Data::parse(&text, today()).unwrap_err();
            assert!(err.contains(expected), "{err}");
            assert!(
                err.contains("household #1") || err.contains("line"),
                "{err}"
            );
            for value in ["架空", "かくう", "カクウ", "01130013", "1980"] {
                assert!(!err.contains(value), "{err}");
            }
        }
    }

    #[test]
    fn dependents_only_household_and_duplicate_cards_are_refused() {
        let dependent = ONE.replace("\"self\"", "\"dependent\"");
        assert!(
            Data::parse(&dependent, today())
                .unwrap_err()
                .contains("self")
        );
        let second = ONE[ONE.find("[[households.members]]").unwrap()..].replace("\"p1\"", "\"p2\"");
        let err = Data::parse(&format!("{ONE}\n{second}"), today()).unwrap_err();
        assert!(err.contains("card is given to two people"), "{err}");
    }

    #[test]
    fn visibility_follows_the_relationship() {
        let text = include_str!("../../../examples/households.toml");
        let data = Data::parse(text, today()).unwrap();
        let h = &data.households[0];
        assert_eq!(Data::visible_to(h, &h.members[0]).len(), 3);
        let only = Data::visible_to(h, &h.members[1]);
        assert_eq!(only.len(), 1);
        assert_eq!(only[0].id, h.members[1].id);
    }
}
