//! The issuer's data file: households, their members, each member's card key and eligibility
//! record (TOML; example `examples/households.toml`).
//!
//! The card key is the SubjectPublicKeyInfo itself, not only its SHA-256: the full document's
//! holder binding is SHA-256(SPKI), and the QR presentation's salted binding is
//! SHA-256(salt ‖ SPKI) with a fresh salt each time it is signed, which needs the SPKI.
//!
//! ```toml
//! [[households]]
//! id = "hh-0001"                 # opaque, 1–64 printable ASCII, unique in the file
//!
//! [[households.members]]
//! id = "p-0001"                  # opaque, 1–64 printable ASCII, unique in the file
//! card_key = "MIIBIjAN…"         # optional: the 利用者証明用 certificate's SubjectPublicKeyInfo
//!                                # (DER, standard base64), unique in the file; omit for no card
//! card = "88cbd2e2…"             # optional, only beside card_key: its SHA-256 (64 hex
//!                                # digits), checked against it
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
//! `record.relationship` must agree. A record with a 資格喪失日 (`lost_on`) is refused: the
//! signed document has no field for it, so signed it would show the lost coverage as in force
//! at a clinic (the core's signing refuses it too, `DocumentError::LostCoverage`). Who sees what: a member whose relationship is `self`
//! (the 被保険者) gets every member of the household; a `dependent` gets only their own.
//! Errors name the household and member by position and the field, never a value.

use std::collections::HashSet;

use chrono::NaiveDate;
use serde::Deserialize;
use sha2::{Digest, Sha256};
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
    #[serde(default)]
    card_key: Option<String>,
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
    /// The fingerprint of the person's JPKI auth key (SHA-256 of [`Person::card_key`]), when
    /// they have a card.
    pub card: Option<KeyFingerprint>,
    /// The SubjectPublicKeyInfo DER of the person's JPKI auth key, when they have a card.
    pub card_key: Option<Vec<u8>>,
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

/// Parses a card key: standard base64 of a SubjectPublicKeyInfo in DER (re-encoding to the
/// same bytes, so that one key has one fingerprint).
pub fn parse_card_key(text: &str) -> Option<Vec<u8>> {
    use base64::Engine as _;
    use der::{Decode as _, Encode as _};
    let der = base64::engine::general_purpose::STANDARD
        .decode(text.trim())
        .ok()?;
    let spki = spki::SubjectPublicKeyInfoOwned::from_der(&der).ok()?;
    (spki.to_der().ok()? == der).then_some(der)
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
                let card_key = match &m.card_key {
                    None => None,
                    Some(text) => Some(parse_card_key(text).ok_or_else(|| {
                        format!(
                            "{at}: card_key must be a SubjectPublicKeyInfo in DER, standard base64"
                        )
                    })?),
                };
                let card = match (&m.card, &card_key) {
                    (None, None) => None,
                    (Some(_), None) => {
                        return Err(format!(
                            "{at}: card needs card_key beside it (the card's SubjectPublicKeyInfo, \
                             which the QR presentation's salted binding is made of)"
                        ));
                    }
                    (given, Some(key)) => {
                        let fp = KeyFingerprint(Sha256::digest(key).into());
                        if let Some(text) = given {
                            let stated = parse_fingerprint(text).ok_or_else(|| {
                                format!("{at}: card must be 64 hex digits (SHA-256 of the key)")
                            })?;
                            if stated != fp {
                                return Err(format!("{at}: card is not the SHA-256 of card_key"));
                            }
                        }
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
                if record.lost_on.is_some() {
                    // The signed formats have no 資格喪失日: signed without it, the lost coverage
                    // would verify as in force at a clinic (DocumentError::LostCoverage).
                    return Err(format!(
                        "{at}, record: lost_on (資格喪失日) is set, and coverage that has been \
                         lost cannot be signed (the signed document has no field for it); \
                         remove the record, or replace it with the insurance joined next"
                    ));
                }
                members.push(Person {
                    id: m.id,
                    card,
                    card_key,
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

    /// The SubjectPublicKeyInfo DER of a test P-256 key.
    fn spki(seed: u8) -> Vec<u8> {
        use p256::pkcs8::EncodePublicKey as _;
        let key = p256::ecdsa::SigningKey::from_slice(&[seed; 32]).unwrap();
        p256::PublicKey::from(key.verifying_key())
            .to_public_key_der()
            .unwrap()
            .as_bytes()
            .to_vec()
    }

    fn b64(bytes: &[u8]) -> String {
        use base64::Engine as _;
        base64::engine::general_purpose::STANDARD.encode(bytes)
    }

    /// One household, one member with a card.
    fn one() -> String {
        ONE.replace("@KEY@", &b64(&spki(7)))
    }

    const ONE: &str = r#"
[[households]]
id = "h1"
[[households.members]]
id = "p1"
card_key = "@KEY@"
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
    fn the_example_card_keys_are_the_virtual_cards_keys() {
        use der::Encode as _;
        let text = include_str!("../../../examples/households.toml");
        let data = Data::parse(text, today()).unwrap();
        let members = &data.households[0].members;
        for (member, profile) in members.iter().zip(["taro", "hanako", "kenta"]) {
            let path = format!(
                "{}/../../examples/vcard-yamada-{profile}.toml",
                env!("CARGO_MANIFEST_DIR")
            );
            let card = shikaku_vcard::card_from_profile_path(&path).unwrap();
            let cert =
                shikaku_core::card::CardCertificate::from_der(card.auth_certificate_der()).unwrap();
            let spki = cert
                .x509()
                .tbs_certificate
                .subject_public_key_info
                .to_der()
                .unwrap();
            assert_eq!(
                member.card_key.as_deref(),
                Some(&spki[..]),
                "{profile}: card_key = \"{}\"",
                b64(&spki)
            );
            assert_eq!(member.card.unwrap().0, card.auth_key_fingerprint());
        }
    }

    #[test]
    fn parses_a_minimal_file_and_fingerprint_forms() {
        let data = Data::parse(&one(), today()).unwrap();
        let p = &data.households[0].members[0];
        assert_eq!(p.card_key.as_deref(), Some(&spki(7)[..]));
        assert_eq!(p.card.unwrap().0, <[u8; 32]>::from(Sha256::digest(spki(7))));
        // The fingerprint beside the key, in either spelling, is checked against it.
        let hex: String = Sha256::digest(spki(7))
            .iter()
            .map(|b| format!("{b:02X}:"))
            .collect();
        let both = one().replace("card_key =", &format!("card = \"{hex}\"\ncard_key ="));
        assert_eq!(Data::parse(&both, today()).unwrap(), data);
        assert!(parse_fingerprint("zz").is_none());
        assert!(parse_fingerprint(&"0".repeat(63)).is_none());
        assert!(parse_fingerprint(&"g".repeat(64)).is_none());
    }

    #[test]
    fn errors_name_positions_and_fields_never_values() {
        let text = one();
        let one = text.as_str();
        let wrong_fp = format!("card = \"{}\"\ncard_key =", "ab".repeat(32));
        let cases = [
            (
                one.replace("card_key =", &wrong_fp),
                "not the SHA-256 of card_key",
            ),
            (
                one.replace(
                    &format!("card_key = \"{}\"", b64(&spki(7))),
                    &format!("card = \"{}\"", "ab".repeat(32)),
                ),
                "card needs card_key",
            ),
            (one.replace(&b64(&spki(7)), "bm90IGEga2V5"), "card_key"),
            (one.replace("カクウ イチロウ", "かくう"), "person"),
            (
                one.replace(
                    "relationship = \"self\"\n[households.members.record]",
                    "relationship = \"dependent\"\n[households.members.record]",
                ),
                "disagree",
            ),
            (one.replace("\"01130012\"", "\"01130013\""), "record"),
            (
                one.replace(
                    "number = \"1\"\n",
                    "number = \"1\"\nlost_on = \"2026-10-01\"\n",
                ),
                "lost_on (資格喪失日) is set",
            ),
            (
                one.replace("card_key =", "card = \"AA:bX\"\ncard_key ="),
                "card",
            ),
            (one.replace("sex = \"male\"", "sex = \"架空\""), "line"),
            (
                one.replace("number = \"1\"", "number = \"1\"\nsecret = \"架空\""),
                "unknown field",
            ),
            (
                format!(
                    "{one}\n{}",
                    &one[one.find("[[households.members]]").unwrap()..]
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
        let text = one();
        let one = text.as_str();
        let dependent = one.replace("\"self\"", "\"dependent\"");
        assert!(
            Data::parse(&dependent, today())
                .unwrap_err()
                .contains("self")
        );
        let second = one[one.find("[[households.members]]").unwrap()..].replace("\"p1\"", "\"p2\"");
        let err = Data::parse(&format!("{one}\n{second}"), today()).unwrap_err();
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
