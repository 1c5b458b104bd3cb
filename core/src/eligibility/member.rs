//! Household members (本人 and 被扶養者).

use std::str::FromStr;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::error::{Collector, Field, ValidationError};
use super::record::{DocumentKind, EligibilityRecord};
use super::text::{KanaError, fold_kana};
use super::{check_text, parse_date};
use crate::screen::calendar::my_number_card_valid_until;

uuid_id!(
    /// A member's random, stable id (UUID v4). It carries no personal data.
    MemberId
);

/// 本人・家族の別: the insured person or a dependent (被扶養者).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Relationship {
    /// 本人 (被保険者).
    #[serde(rename = "self")]
    Insured,
    /// 家族 (被扶養者).
    Dependent,
}

impl Relationship {
    /// 本人 or 家族.
    pub fn label_ja(self) -> &'static str {
        match self {
            Relationship::Insured => "本人",
            Relationship::Dependent => "家族",
        }
    }

    /// The code stored in plaintext (a kind, not personal data): 1 本人, 2 家族 as in
    /// オンライン資格確認.
    pub fn code(self) -> i64 {
        match self {
            Relationship::Insured => 1,
            Relationship::Dependent => 2,
        }
    }

    /// The inverse of [`Relationship::code`].
    pub fn from_code(code: i64) -> Option<Self> {
        match code {
            1 => Some(Relationship::Insured),
            2 => Some(Relationship::Dependent),
            _ => None,
        }
    }
}

impl FromStr for Relationship {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "self" | "本人" => Ok(Relationship::Insured),
            "dependent" | "家族" => Ok(Relationship::Dependent),
            _ => Err("must be self (本人) or dependent (家族)".into()),
        }
    }
}

/// 性別, with the JIS X 0303 codes used on the card (1 male, 2 female, 9 not applicable).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Sex {
    /// 男
    Male,
    /// 女
    Female,
    /// 適用不能 / その他
    Other,
}

impl Sex {
    /// 男, 女 or その他.
    pub fn label_ja(self) -> &'static str {
        match self {
            Sex::Male => "男",
            Sex::Female => "女",
            Sex::Other => "その他",
        }
    }
}

impl FromStr for Sex {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "male" | "男" | "1" => Ok(Sex::Male),
            "female" | "女" | "2" => Ok(Sex::Female),
            "other" | "9" => Ok(Sex::Other),
            _ => Err("must be male, female or other".into()),
        }
    }
}

/// What a person enters for a member, before validation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MemberForm {
    /// 氏名 in kanji as on the card, family and given name separated by a space.
    pub name: String,
    /// 氏名カナ (katakana; half-width is folded).
    pub kana: String,
    /// 生年月日, `YYYY-MM-DD` or 和暦 (see [`super::text::parse_date`]).
    pub birth_date: String,
    /// 性別.
    pub sex: Sex,
    /// 本人 or 家族.
    pub relationship: Relationship,
    /// Whether the member holds a My Number Card registered for 保険証利用 (マイナ保険証):
    /// `None` when not said (then [`MemberData::holds_myna_hoken`] derives it from the records).
    #[serde(default)]
    pub myna_hoken: Option<bool>,
    /// The My Number Card's printed 有効期限 (`YYYY-MM-DD` or 和暦), if the member typed it.
    #[serde(default)]
    pub card_expires_on: Option<String>,
}

/// The validated personal data of a member (everything but id and order).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MemberData {
    /// 氏名 (kanji), white space folded.
    pub name: String,
    /// 氏名カナ, full-width katakana.
    pub kana: String,
    /// 生年月日.
    #[serde(deserialize_with = "crate::clock::serde_text::date")]
    pub birth_date: NaiveDate,
    /// 性別.
    pub sex: Sex,
    /// 本人 or 家族.
    pub relationship: Relationship,
    /// Whether the member said they hold a マイナ保険証 (`None`: not said). Read it through
    /// [`MemberData::holds_myna_hoken`], which falls back on the record kinds.
    #[serde(default)]
    pub myna_hoken: Option<bool>,
    /// The My Number Card's printed 有効期限, if typed. When absent, the expiry can only be
    /// computed from an issue date (`screen::calendar::my_number_card_valid_until`).
    #[serde(default, deserialize_with = "crate::clock::serde_text::option_date")]
    pub card_expires_on: Option<NaiveDate>,
}

impl MemberData {
    /// Whether the member holds a マイナ保険証: what they said, or else what their records
    /// imply. A 資格情報のお知らせ or マイナポータルの資格情報 is only issued to holders (notice D:
    /// 「マイナ保険証を持っている方」), so either means yes; a 資格確認書 is issued to people
    /// without one (notice D: 「持っていない方」), so a 資格確認書 alone means no, except a
    /// 後期高齢者医療 one, which everyone received until 2026-07-31 (docs/dates.md). `None`
    /// when nothing tells. A 公費 受給者証 says nothing about it.
    pub fn holds_myna_hoken(&self, records: &[EligibilityRecord]) -> Option<bool> {
        if let Some(said) = self.myna_hoken {
            return Some(said);
        }
        if records.iter().any(|r| r.kind.implies_myna_hoken()) {
            return Some(true);
        }
        let certificate = |r: &&EligibilityRecord| r.kind == DocumentKind::Certificate;
        let mut certificates = records.iter().filter(certificate).peekable();
        if certificates.peek().is_some()
            && certificates.all(|r| !r.insurer_number.is_late_elderly())
        {
            return Some(false);
        }
        None
    }
}

impl From<&MemberData> for MemberForm {
    /// The form that validates back to `m` (dates as `YYYY-MM-DD`).
    fn from(m: &MemberData) -> MemberForm {
        let ymd = crate::clock::iso_date;
        MemberForm {
            name: m.name.clone(),
            kana: m.kana.clone(),
            birth_date: ymd(m.birth_date),
            sex: m.sex,
            relationship: m.relationship,
            myna_hoken: m.myna_hoken,
            card_expires_on: m.card_expires_on.map(ymd),
        }
    }
}

/// A member of the household as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Member {
    /// Random stable id.
    pub id: MemberId,
    /// Display order in the household (0 first).
    pub order: u32,
    /// The issuer's id for this person, when the member came from a sync.
    pub issuer_ref: Option<String>,
    /// The member's data.
    pub data: MemberData,
}

/// The earliest birth date accepted (nobody alive was born before it).
const EARLIEST_BIRTH: NaiveDate = match NaiveDate::from_ymd_opt(1890, 1, 1) {
    Some(d) => d,
    None => panic!("constant date"),
};

impl MemberForm {
    /// Validates the form as of `today`, naming every field that fails.
    pub fn validate(&self, today: NaiveDate) -> Result<MemberData, ValidationError> {
        let mut c = Collector::default();
        let name = c.take(Field::Name, check_text(&self.name, 60));
        let kana = c.take(
            Field::Kana,
            fold_kana(&self.kana).map_err(KanaError::reason),
        );
        let birth = c.take(Field::BirthDate, parse_date(&self.birth_date));
        if let Some(b) = birth {
            if b > today {
                c.push(Field::BirthDate, "must not be in the future");
            } else if b < EARLIEST_BIRTH {
                c.push(Field::BirthDate, "must not be before 1890");
            }
        }
        let card_expires_on = self
            .card_expires_on
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .and_then(|s| c.take(Field::CardExpiresOn, parse_date(s)));
        if let (Some(expires), Some(b)) = (card_expires_on, birth) {
            if expires <= b {
                c.push(Field::CardExpiresOn, "must be after the birth date");
            } else if b <= today
                && my_number_card_valid_until(b, today).is_some_and(|latest| expires > latest)
            {
                // A card issued today ends on the 10th birthday after today (the 5th for a
                // holder under 18); no card issued earlier ends later.
                c.push(
                    Field::CardExpiresOn,
                    "is later than any My Number Card issued so far can be valid \
                     (the 10th birthday after issue, the 5th under 18)",
                );
            }
        }
        c.finish(|| {
            Some(MemberData {
                name: name?,
                kana: kana?,
                birth_date: birth?,
                sex: self.sex,
                relationship: self.relationship,
                myna_hoken: self.myna_hoken,
                card_expires_on,
            })
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 23).unwrap()
    }

    fn form() -> MemberForm {
        MemberForm {
            name: "山田　太郎".into(),
            kana: "ﾔﾏﾀﾞ ﾀﾛｳ".into(),
            birth_date: "1985-04-12".into(),
            sex: Sex::Male,
            relationship: Relationship::Insured,
            myna_hoken: None,
            card_expires_on: None,
        }
    }

    #[test]
    fn valid_member_is_folded() {
        let m = form().validate(today()).unwrap();
        assert_eq!(m.name, "山田 太郎");
        assert_eq!(m.kana, "ヤマダ タロウ");
        assert_eq!(m.birth_date, NaiveDate::from_ymd_opt(1985, 4, 12).unwrap());
    }

    #[test]
    fn each_rule_names_its_field() {
        type Mutation = Box<dyn Fn(&mut MemberForm)>;
        let cases: Vec<(Mutation, Field)> = vec![
            (Box::new(|f| f.name = "  ".into()), Field::Name),
            (Box::new(|f| f.name = "山田\u{0007}".into()), Field::Name),
            (
                Box::new(|f| f.name = "山田\u{202E}太郎".into()),
                Field::Name,
            ),
            (Box::new(|f| f.name = "山\u{200B}田".into()), Field::Name),
            (Box::new(|f| f.name = "あ".repeat(61)), Field::Name),
            (Box::new(|f| f.kana = "やまだ".into()), Field::Kana),
            (Box::new(|f| f.kana = "Yamada".into()), Field::Kana),
            (Box::new(|f| f.kana = "ア".repeat(101)), Field::Kana),
            (
                Box::new(|f| f.birth_date = "1985-02-30".into()),
                Field::BirthDate,
            ),
            (
                Box::new(|f| f.birth_date = "85/04/12".into()),
                Field::BirthDate,
            ),
            (
                Box::new(|f| f.birth_date = "2026-11-24".into()),
                Field::BirthDate,
            ),
            (
                Box::new(|f| f.birth_date = "1889-12-31".into()),
                Field::BirthDate,
            ),
        ];
        for (i, (mutate, field)) in cases.iter().enumerate() {
            let mut f = form();
            mutate(&mut f);
            let err = f.validate(today()).unwrap_err();
            assert_eq!(err.errors.len(), 1, "case {i}: {err}");
            assert!(err.has(*field), "case {i}: {err}");
        }
        // The day itself is accepted: born today.
        let mut f = form();
        f.birth_date = "2026-11-23".into();
        assert!(f.validate(today()).is_ok());
    }

    #[test]
    fn errors_do_not_repeat_values() {
        let mut f = form();
        f.kana = "やまだ".into();
        f.birth_date = "1985-13-01".into();
        let msg = f.validate(today()).unwrap_err().to_string();
        assert!(!msg.contains("やまだ") && !msg.contains("1985"), "{msg}");
        assert!(
            msg.contains("氏名カナ") && msg.contains("生年月日"),
            "{msg}"
        );
    }

    #[test]
    fn birth_date_and_card_expiry_accept_wareki() {
        let mut f = form();
        f.birth_date = "昭和60年4月12日".into();
        f.card_expires_on = Some("R11.4.12".into());
        f.myna_hoken = Some(true);
        let m = f.validate(today()).unwrap();
        assert_eq!(m.birth_date, NaiveDate::from_ymd_opt(1985, 4, 12).unwrap());
        assert_eq!(m.card_expires_on, NaiveDate::from_ymd_opt(2029, 4, 12));
        assert_eq!(m.myna_hoken, Some(true));
        // Round trip through the form.
        assert_eq!(MemberForm::from(&m).validate(today()), Ok(m));
    }

    #[test]
    fn card_expiry_cannot_exceed_the_10th_or_under_18_the_5th_birthday() {
        // Adult born 1985-04-12: a card issued today ends at the latest on 2036-04-12.
        let mut f = form();
        f.card_expires_on = Some("2036-04-12".into());
        assert!(f.validate(today()).is_ok());
        f.card_expires_on = Some("2036-04-13".into());
        assert!(f.validate(today()).unwrap_err().has(Field::CardExpiresOn));
        // A child born 2016-06-15 (10): at the latest the 5th birthday after today.
        let mut child = form();
        child.birth_date = "2016-06-15".into();
        child.card_expires_on = Some("2031-06-15".into());
        assert!(child.validate(today()).is_ok());
        child.card_expires_on = Some("2032-06-15".into());
        assert!(
            child
                .validate(today())
                .unwrap_err()
                .has(Field::CardExpiresOn)
        );
        // Not before the birth; an expired card is fine; blank means not typed.
        child.card_expires_on = Some("2016-06-14".into());
        assert!(child.validate(today()).is_err());
        child.card_expires_on = Some("2020-06-15".into());
        assert!(child.validate(today()).is_ok());
        child.card_expires_on = Some(" ".into());
        assert_eq!(child.validate(today()).unwrap().card_expires_on, None);
    }

    #[test]
    fn myna_hoken_is_said_or_derived_from_the_record_kinds() {
        use crate::eligibility::{DocumentKind, RecordForm};
        let record = |kind: DocumentKind, insurer: &str| {
            RecordForm {
                kind,
                insurer_number: insurer.into(),
                insurer_name: "保険者".into(),
                symbol: None,
                number: "1".into(),
                branch: None,
                relationship: Relationship::Insured,
                insured_name: None,
                acquired_on: None,
                copay_percent: None,
                valid_from: None,
                valid_until: Some("2030-11-30".into()),
                issued_on: None,
                elderly: None,
                limit: None,
                preschool: false,
                lost_on: None,
                public_expense: None,
            }
            .validate(today())
            .unwrap()
        };
        let notice = record(DocumentKind::Notice, "01130012");
        let portal = record(DocumentKind::Portal, "01130012");
        let certificate = record(DocumentKind::Certificate, "01130012");
        let late = record(DocumentKind::Certificate, "39131008");
        let mut m = form().validate(today()).unwrap();
        assert_eq!(m.holds_myna_hoken(&[]), None);
        assert_eq!(
            m.holds_myna_hoken(std::slice::from_ref(&notice)),
            Some(true)
        );
        assert_eq!(
            m.holds_myna_hoken(std::slice::from_ref(&portal)),
            Some(true)
        );
        assert_eq!(
            m.holds_myna_hoken(&[certificate.clone(), notice]),
            Some(true)
        );
        assert_eq!(
            m.holds_myna_hoken(std::slice::from_ref(&certificate)),
            Some(false)
        );
        // Every 後期 member got a 資格確認書: it says nothing.
        assert_eq!(m.holds_myna_hoken(std::slice::from_ref(&late)), None);
        // What the member said wins.
        m.myna_hoken = Some(true);
        assert_eq!(m.holds_myna_hoken(&[certificate]), Some(true));
    }

    #[test]
    fn stored_member_data_without_the_new_fields_still_reads() {
        let json = r#"{"name":"山田 太郎","kana":"ヤマダ タロウ","birth_date":"1985-04-12",
            "sex":"male","relationship":"self"}"#;
        let m: MemberData = serde_json::from_str(json).unwrap();
        assert_eq!((m.myna_hoken, m.card_expires_on), (None, None));
    }

    #[test]
    fn parse_enums() {
        assert_eq!("female".parse::<Sex>(), Ok(Sex::Female));
        assert!("f".parse::<Sex>().is_err());
        assert_eq!(
            "dependent".parse::<Relationship>(),
            Ok(Relationship::Dependent)
        );
        assert_eq!(
            Relationship::from_code(Relationship::Insured.code()),
            Some(Relationship::Insured)
        );
    }
}
