//! The rules between a member and one of their records (docs/rules.md, "Cross-field rules"):
//! what no single form can check alone. A failure names the fields, never the values.

use chrono::NaiveDate;

use super::error::{Collector, Field, ValidationError};
use super::member::MemberData;
use super::record::EligibilityRecord;
use super::text::same_code;
use crate::screen::calendar::{age_on, elderly_recipient_start, late_elderly_start};

/// The youngest age at which a person can be in 後期高齢者医療: 65, with a 障害認定 (75 for
/// everyone else; 高齢者の医療の確保に関する法律 §50).
pub const LATE_ELDERLY_MIN_AGE: u32 = 65;

/// Checks `record` against the member it is for, as of `today`:
///
/// - an insurance record's 本人・家族の別 is the member's, except on a 国保 or 後期 record (no
///   被扶養者: always 本人, held by a 家族 of the household too);
/// - a 後期高齢者医療 record (法別番号 39) is for a member aged 65 or over on `today` or on the
///   record's start ([`EligibilityRecord::starts_on`]), whichever is later (a card arrives
///   before the 75th birthday), and for a member under 75 today it prints its
///   資格取得年月日 or 有効開始年月日 (mailed ahead of the birthday, or a 障害認定's);
/// - a 高齢受給者 block takes effect no earlier than the 高齢受給者 start (the 1st of the month
///   after reaching 70) and before the 75th birthday.
///
/// A 公費 受給者証 has no 本人・家族の別 of its own; only its dates are checked by the form.
pub fn check_record_for_member(
    member: &MemberData,
    record: &EligibilityRecord,
    today: NaiveDate,
) -> Result<(), ValidationError> {
    check_record(member, record, None, today)
}

/// [`check_record_for_member`] for a record typed again in place of `before` (a correction: a
/// 資格喪失日 typed in, a digit mistyped). A record kept from before a change of 本人・家族 (the
/// 被扶養者 record of one who now has a job of their own, whose 資格喪失日 is what gets typed in)
/// is history, not a mistake, as [`check_records_for_changed_member`] takes it: its correction
/// keeping its 本人・家族, its 保険者番号 and its 記号 or its 番号 (a mistyped one of the two
/// corrected; both changed is another 資格, as one 保険者番号 covers a whole 協会けんぽ 支部) is
/// not refused for differing from the member. Any other record typed in its place is checked as
/// a new one (reviews of 2026-12-01).
pub fn check_corrected_record_for_member(
    member: &MemberData,
    record: &EligibilityRecord,
    before: &EligibilityRecord,
    today: NaiveDate,
) -> Result<(), ValidationError> {
    check_record(member, record, Some(before), today)
}

fn check_record(
    member: &MemberData,
    record: &EligibilityRecord,
    before: Option<&EligibilityRecord>,
    today: NaiveDate,
) -> Result<(), ValidationError> {
    let mut c = Collector::default();
    // 国保 and 後期 have no 被扶養者: their records are 本人 (the form's rule), whoever in the
    // household holds them — a 家族 who left a 被扶養者 status for 国保, or turned 75.
    let mismatched = |r: &EligibilityRecord| {
        r.kind.is_insurance()
            && r.insurer_number.scheme().has_dependents()
            && r.relationship != member.relationship
    };
    let history_corrected = before.is_some_and(|b| {
        mismatched(b)
            && b.relationship == record.relationship
            && b.insurer_number == record.insurer_number
            && (matches!((&b.symbol, &record.symbol), (Some(x), Some(y)) if same_code(x, y))
                || same_code(&b.number, &record.number))
    });
    if mismatched(record) && !history_corrected {
        c.push(
            Field::Relationship,
            "does not match the member (本人 or 家族 must be the same on both; when the member's own \
             status changed — a job of their own, or now a 被扶養者 — change the member first)",
        );
    }
    age_rules(&mut c, member, record, today);
    c.finish(|| Some(()))
}

/// The rules of [`check_record_for_member`] that depend on the member's age (後期高齢者医療,
/// 高齢受給者), not on 本人・家族: checked again for every record of a member whose 生年月日 is
/// changed (`store::Store::change_member`). A record kept from before a change of 本人・家族
/// (the 被扶養者 record of one who now has a job of their own) is history, not a mistake.
pub fn check_records_for_changed_member<'a>(
    member: &MemberData,
    records: impl IntoIterator<Item = &'a EligibilityRecord>,
    today: NaiveDate,
) -> Result<(), ValidationError> {
    let mut c = Collector::default();
    for record in records {
        let mut one = Collector::default();
        age_rules(&mut one, member, record, today);
        if let Err(e) = one.finish(|| Some(())) {
            // Told as the 生年月日's problem: that is the field being changed.
            for error in e.errors {
                c.push(
                    Field::BirthDate,
                    format!(
                        "does not fit a stored record: its {} {}",
                        error.field.key(),
                        error.reason
                    ),
                );
            }
        }
    }
    c.finish(|| Some(()))
}

fn age_rules(c: &mut Collector, member: &MemberData, record: &EligibilityRecord, today: NaiveDate) {
    let birth = member.birth_date;
    if record.insurer_number.is_late_elderly() {
        let on = record.starts_on().map_or(today, |from| from.max(today));
        if age_on(birth, on) < LATE_ELDERLY_MIN_AGE {
            c.push(
                Field::InsurerNumber,
                "is a 後期高齢者医療 number, for members aged 65 or over (75 for most)",
            );
        } else if record.starts_on().is_none()
            && late_elderly_start(birth).is_some_and(|birthday| today < birthday)
        {
            // Under 75 a 後期 record is either mailed ahead of the 75th birthday or a 障害認定's
            // (65–74, §50(ii)); without its date the app cannot tell which, and would show it
            // as in force beside the insurance that covers the member until the birthday.
            c.push(
                Field::AcquiredOn,
                "is required on a 後期高齢者医療 record of a member under 75 (the 75th birthday, \
                 or the day of the 障害認定, as printed)",
            );
        }
    }
    if let Some(elderly) = &record.elderly {
        let from = elderly.effective_from;
        let too_early = elderly_recipient_start(birth).is_none_or(|start| from < start);
        let too_late = late_elderly_start(birth).is_none_or(|end| from >= end);
        if too_early || too_late {
            c.push(
                Field::ElderlyEffectiveFrom,
                "is outside the member's 高齢受給者 years (from the 1st of the month after \
                 reaching 70 to the day before the 75th birthday)",
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::eligibility::{
        DocumentKind, ElderlyForm, MemberForm, PublicExpenseForm, RecordForm, Relationship, Sex,
    };

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    fn today() -> NaiveDate {
        d(2026, 11, 23)
    }

    fn member(birth: &str, relationship: Relationship) -> MemberData {
        MemberForm {
            name: "山田 花子".into(),
            kana: "ヤマダ ハナコ".into(),
            birth_date: birth.into(),
            sex: Sex::Female,
            relationship,
            myna_hoken: None,
            card_expires_on: None,
        }
        .validate(today())
        .unwrap()
    }

    fn form(insurer: &str, relationship: Relationship) -> RecordForm {
        RecordForm {
            kind: DocumentKind::Notice,
            insurer_number: insurer.into(),
            insurer_name: "保険者".into(),
            symbol: None,
            number: "12345678".into(),
            branch: None,
            relationship,
            insured_name: None,
            acquired_on: None,
            copay_percent: None,
            valid_from: None,
            valid_until: None,
            issued_on: None,
            elderly: None,
            limit: None,
            preschool: false,
            lost_on: None,
            public_expense: None,
        }
    }

    fn check(m: &MemberData, f: &RecordForm) -> Result<(), ValidationError> {
        check_record_for_member(m, &f.validate(today()).unwrap(), today())
    }

    #[test]
    fn cross_field_member_and_record_relationship_agree() {
        let dependent = member("2016-06-15", Relationship::Dependent);
        let err = check(&dependent, &form("01130012", Relationship::Insured)).unwrap_err();
        assert_eq!(err.errors.len(), 1);
        assert!(err.has(Field::Relationship));
        assert!(check(&dependent, &form("01130012", Relationship::Dependent)).is_ok());
        // A 公費 受給者証 carries no 本人・家族の別 of its own.
        let mut public = form("", Relationship::Insured);
        public.kind = DocumentKind::PublicExpense;
        public.number = String::new();
        public.insurer_name = String::new();
        public.valid_until = Some("2027-03-31".into());
        public.public_expense = Some(PublicExpenseForm {
            payer_number: "88131016".into(),
            recipient_number: "1234567".into(),
            program: "子ども医療証".into(),
        });
        assert!(check(&dependent, &public).is_ok());
        // 国保 and 後期 have no 被扶養者: their 本人 record is the 家族's too (a 家族 who joined
        // 国保 after the 被保険者's loss, or turned 75), and it is never typed as 家族 (the form).
        assert!(check(&dependent, &form("138057", Relationship::Insured)).is_ok());
        let seventy_five = member("1951-11-01", Relationship::Dependent);
        assert!(check(&seventy_five, &form("39131008", Relationship::Insured)).is_ok());
    }

    #[test]
    fn cross_field_late_elderly_needs_65_or_over() {
        let forty = member("1986-04-01", Relationship::Insured);
        let err = check(&forty, &form("39131008", Relationship::Insured)).unwrap_err();
        assert!(err.has(Field::InsurerNumber));
        assert!(!err.to_string().contains("39131008"));
        // 65 on the day (障害認定) and the usual 75. Under 75 the record must print its
        // 資格取得年月日 (or a start), else it could be one mailed ahead of the 75th birthday.
        let sixty_five = member("1961-11-23", Relationship::Insured);
        let err = check(&sixty_five, &form("39131008", Relationship::Insured)).unwrap_err();
        assert_eq!(err.errors.len(), 1);
        assert!(err.has(Field::AcquiredOn));
        let mut certified = form("39131008", Relationship::Insured);
        certified.acquired_on = Some("2026-11-23".into());
        assert!(check(&sixty_five, &certified).is_ok());
        let seventy_four = member("1951-12-20", Relationship::Insured);
        assert!(check(&seventy_four, &form("39131008", Relationship::Insured)).is_err());
        let seventy_five = member("1951-11-23", Relationship::Insured);
        assert!(check(&seventy_five, &form("39131008", Relationship::Insured)).is_ok());
        let sixty_four = member("1961-11-24", Relationship::Insured);
        assert!(check(&sixty_four, &form("39131008", Relationship::Insured)).is_err());
        // Entered ahead of time: 64 today, 65 when the record starts.
        let mut ahead = form("39131008", Relationship::Insured);
        ahead.valid_from = Some("2026-11-24".into());
        assert!(check(&sixty_four, &ahead).is_ok());
        // The 40-year-old of the issue: 後期, 家族 and a 1割 高齢受給者 block, all refused,
        // the record's own rules by the form and the member's by this check.
        let mut issue = form("39131008", Relationship::Dependent);
        issue.elderly = Some(ElderlyForm {
            copay_percent: Some(10),
            effective_from: Some("2026-08-01".into()),
            valid_until: None,
        });
        let err = issue.validate(today()).unwrap_err();
        assert!(err.has(Field::Relationship) && err.has(Field::ElderlyCopay));
    }

    #[test]
    fn cross_field_elderly_block_only_for_70_to_74() {
        let with_block = |from: &str| {
            let mut f = form("01130012", Relationship::Insured);
            f.copay_percent = Some(20);
            f.elderly = Some(ElderlyForm {
                copay_percent: Some(20),
                effective_from: Some(from.into()),
                valid_until: None,
            });
            f
        };
        // Born 1956-10-02: 高齢受給者 from 2026-11-01; 75th birthday 2031-10-02.
        let m = member("1956-10-02", Relationship::Insured);
        assert!(check(&m, &with_block("2026-11-01")).is_ok());
        assert!(check(&m, &with_block("2031-10-01")).is_ok());
        assert!(
            check(&m, &with_block("2026-10-31"))
                .unwrap_err()
                .has(Field::ElderlyEffectiveFrom)
        );
        assert!(check(&m, &with_block("2026-10-02")).is_err());
        assert!(check(&m, &with_block("2031-10-02")).is_err());
        // A 40-year-old never has one.
        let forty = member("1986-04-01", Relationship::Insured);
        assert!(check(&forty, &with_block("2026-08-01")).is_err());
        // Born on the 1st: the birthday itself.
        let first = member("1956-10-01", Relationship::Insured);
        assert!(check(&first, &with_block("2026-10-01")).is_ok());
        assert!(check(&first, &with_block("2026-09-30")).is_err());
    }
}
