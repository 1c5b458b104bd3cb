//! The notices a member gets because of another member of the household: a 被保険者 who
//! turns 75 ends the 被扶養者 status of those on their 被用者保険.

use chrono::{Months, NaiveDate};

use super::calendar::late_elderly_start;
use super::notices_record::TRANSITION_NOTICE_MONTHS;
use super::rules::{Notice, NoticeCode, Severity};
use super::text_ja;
use crate::eligibility::text::same_code;
use crate::eligibility::{EligibilityRecord, MemberData, Relationship, Scheme};

/// One member of a household with their records, for [`household_notices`].
#[derive(Debug, Clone, Copy)]
pub struct HouseholdMember<'a> {
    /// The member.
    pub member: &'a MemberData,
    /// Their records.
    pub records: &'a [EligibilityRecord],
}

/// The notices that come from another member of the household, one list per member in the
/// order given: a 被保険者 who turns 75 moves to 後期高齢者医療 on the birthday, and each
/// 被扶養者 on their 被用者保険 (the same 保険者番号 and, where both are printed, 記号) loses that
/// status the same day and must join 国保 or another family member's insurance (高齢者の医療の
/// 確保に関する法律 §50, 健康保険法 §3(7); docs/rules.md). Info from a year before, Warning
/// within [`TRANSITION_NOTICE_MONTHS`], Critical from the birthday on while the dependent's
/// record has no 資格喪失日. 国保 has no 被扶養者, so 国保 records are not concerned.
pub fn household_notices(household: &[HouseholdMember<'_>], today: NaiveDate) -> Vec<Vec<Notice>> {
    let employee_insurance = |r: &&EligibilityRecord| {
        r.kind.is_insurance()
            && !matches!(
                r.insurer_number.scheme(),
                Scheme::NationalHealthInsurance | Scheme::LateElderly | Scheme::NhiRetiree
            )
    };
    household
        .iter()
        .map(|dependent| {
            if dependent.member.relationship != Relationship::Dependent {
                return Vec::new();
            }
            let mut out: Vec<Notice> = Vec::new();
            for insured in household
                .iter()
                .filter(|h| h.member.relationship == Relationship::Insured)
            {
                let Some(birthday) = late_elderly_start(insured.member.birth_date) else {
                    continue;
                };
                // A dependent who reaches 75 first moves to 後期 on their own.
                if late_elderly_start(dependent.member.birth_date)
                    .is_some_and(|own| own <= birthday)
                {
                    continue;
                }
                let shares_insurance =
                    dependent
                        .records
                        .iter()
                        .filter(employee_insurance)
                        .any(|d| {
                            d.lost_on.is_none()
                                && insured.records.iter().filter(employee_insurance).any(|i| {
                                    i.insurer_number == d.insurer_number
                                        && match (&i.symbol, &d.symbol) {
                                            (Some(a), Some(b)) => same_code(a, b),
                                            _ => true,
                                        }
                                })
                        });
                let Some(year_before) = birthday.checked_sub_months(Months::new(12)) else {
                    continue;
                };
                if !shares_insurance
                    || today < year_before
                    || out.iter().any(|n| n.date == birthday)
                {
                    continue;
                }
                let past = today >= birthday;
                let severity = if past {
                    Severity::Critical
                } else if birthday
                    .checked_sub_months(Months::new(TRANSITION_NOTICE_MONTHS))
                    .is_some_and(|w| today >= w)
                {
                    Severity::Warning
                } else {
                    Severity::Info
                };
                out.push(Notice {
                    code: NoticeCode::DependentLosesStatusAt75,
                    severity,
                    date: birthday,
                    message: text_ja::dependent_loses_status_at_75(birthday, past),
                });
            }
            out
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::eligibility::{DocumentKind, InsurerNumber};
    use crate::screen::notices_record::record_notices;
    use crate::screen::rules::test_fixtures::*;

    #[test]
    fn seventy_fifth_birthday_for_the_member_and_for_the_dependents() {
        // The 被保険者 born 1952-03-03 turns 75 on 2027-03-03 (後期 from that day).
        let insured = member(d(1952, 3, 3), Relationship::Insured);
        let spouse = member(d(1958, 7, 7), Relationship::Dependent);
        let child = member(d(1990, 1, 1), Relationship::Dependent);
        let mine = [record(DocumentKind::Notice, None)];
        let mut theirs = record(DocumentKind::Notice, None);
        theirs.relationship = Relationship::Dependent;
        let theirs = [theirs];
        let elsewhere = {
            let mut r = theirs[0].clone();
            r.insurer_number = InsurerNumber::parse("06139992").unwrap();
            [r]
        };
        let hh = |today| {
            household_notices(
                &[
                    HouseholdMember {
                        member: &insured,
                        records: &mine,
                    },
                    HouseholdMember {
                        member: &spouse,
                        records: &theirs,
                    },
                    HouseholdMember {
                        member: &child,
                        records: &elsewhere,
                    },
                ],
                today,
            )
        };
        // The member: her own records end the day before (existing rule), 後期 from the day.
        assert_eq!(late_elderly_start(insured.birth_date), Some(d(2027, 3, 3)));
        assert_eq!(
            record_notices(&mine[0], insured.birth_date, d(2027, 3, 3))[0].code,
            NoticeCode::DocumentEndsAt75
        );
        // The dependents on her insurance: Info a year before, Warning 3 months before,
        // Critical from the birthday. Another insurer's dependent: nothing.
        assert!(hh(d(2026, 3, 2)).iter().all(Vec::is_empty));
        let year = hh(d(2026, 3, 3));
        assert!(year[0].is_empty() && year[2].is_empty());
        assert_eq!(
            codes(&year[1]),
            [(NoticeCode::DependentLosesStatusAt75, Severity::Info)]
        );
        assert_eq!(year[1][0].date, d(2027, 3, 3));
        assert_eq!(
            codes(&hh(d(2026, 12, 3))[1]),
            [(NoticeCode::DependentLosesStatusAt75, Severity::Warning)]
        );
        let after = hh(d(2027, 3, 3));
        assert_eq!(
            codes(&after[1]),
            [(NoticeCode::DependentLosesStatusAt75, Severity::Critical)]
        );
        assert!(
            after[1][0].message.contains("国民健康保険"),
            "{}",
            after[1][0].message
        );
        // Once the dependent's record has its 資格喪失日, the warning has done its job.
        let mut done = theirs[0].clone();
        done.lost_on = Some(d(2027, 3, 3));
        let done = [done];
        let quiet = household_notices(
            &[
                HouseholdMember {
                    member: &insured,
                    records: &mine,
                },
                HouseholdMember {
                    member: &spouse,
                    records: &done,
                },
            ],
            d(2027, 3, 10),
        );
        assert!(quiet[1].is_empty());
        // 国保 has no 被扶養者: nothing.
        let mut nhi = mine[0].clone();
        nhi.insurer_number = InsurerNumber::parse("138057").unwrap();
        let mut nhi_dep = nhi.clone();
        nhi_dep.relationship = Relationship::Dependent;
        let (nhi, nhi_dep) = ([nhi], [nhi_dep]);
        let none = household_notices(
            &[
                HouseholdMember {
                    member: &insured,
                    records: &nhi,
                },
                HouseholdMember {
                    member: &spouse,
                    records: &nhi_dep,
                },
            ],
            d(2027, 3, 3),
        );
        assert!(none.iter().all(Vec::is_empty));
    }
}
