//! A record that a later record of the same member took over, so that it is no longer in force
//! although nothing on it says so (hand-entered records rarely carry the 資格喪失日 of the old
//! document: the new one is simply typed in beside it):
//!
//! - **another insurance acquired**: a person is in one public health insurance at a time — 国保
//!   excludes members of an employee insurance and their 被扶養者 (国民健康保険法 §6), a
//!   被保険者 of a 健康保険 cannot be anyone's 被扶養者 (健康保険法 §3(7)), and one employed at two
//!   places chooses one insurer (健康保険法施行規則 §1, 二以上事業所勤務届) — so a record of another
//!   insurer, or of the same insurer under another 記号・番号 (任意継続, a new 資格), with a
//!   資格取得年月日 after the old record's, ends the old one no later than that day;
//! - **the same 資格's 資格確認書 reissued**: a later 交付年月日 (when either paper has none
//!   typed, a later 有効開始年月日) with the same 保険者番号, 記号,
//!   番号 and 枝番 and an 有効期限 no later than the old one's (a changed 負担割合, a lost card;
//!   a renewal lasts longer and is `notices_record::renewal_of`'s) replaces the old paper from
//!   its start;
//! - **the same 資格 lost**: a 資格喪失日 ends the 資格, not one paper (健康保険法 §36, 国民健康保険法
//!   §8: the 資格 is lost on that day), so another paper of the same 資格 (保険者番号, 記号,
//!   番号) that prints a start before it and no 資格喪失日 of its own — a 資格確認書 beside the
//!   お知らせ the date was typed on — ends on that day too (one printing no start may be the
//!   資格 acquired again under the same 番号, and is left in force).
//!
//! `calendar::record_in_force` and `calendar::record_ended` apply it through
//! [`super::notices_household::HouseholdContext`], which carries the member's own
//! [`Successor`]s beside what the rest of the household decides.

use chrono::NaiveDate;

use crate::eligibility::text::same_code;
use crate::eligibility::{DocumentKind, EligibilityRecord, InsurerNumber};

/// Why a record was taken over ([`Successor::takes_over`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum TakeoverCause {
    /// Another insurance (another insurer, or another 記号・番号) was acquired on that day.
    OtherInsurance,
    /// The same 資格's 資格確認書 was reissued from that day.
    Reissued,
    /// The same 資格 was lost on that day: its 資格喪失日 is typed on another paper of it.
    SameCoverageLost,
}

/// What of a member's record can take over another of their records: its coverage (保険者番号,
/// 記号, 番号, 枝番), kind and dates. Records without a 資格取得年月日, an 有効開始年月日, a
/// 交付年月日 or a 資格喪失日 take over nothing and are not kept.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Successor {
    kind: DocumentKind,
    insurer_number: InsurerNumber,
    /// Its 保険者名 (else the 保険者番号), for the notice.
    pub(crate) insurer: String,
    symbol: Option<String>,
    number: String,
    branch: Option<String>,
    acquired_on: Option<NaiveDate>,
    issued_on: Option<NaiveDate>,
    valid_from: Option<NaiveDate>,
    valid_until: Option<NaiveDate>,
    lost_on: Option<NaiveDate>,
}

/// The [`Successor`]s among a member's records: their insurance records (not a 公費 受給者証)
/// that print a 資格取得年月日, an 有効開始年月日 or a 交付年月日 and take over another of
/// `records` (none, for most members: then nothing is asked again each time the screens ask
/// whether a record is in force).
pub(crate) fn successors(records: &[EligibilityRecord]) -> Vec<Successor> {
    let mut all = candidates(records);
    all.retain(|s| records.iter().any(|r| s.takes_over(r).is_some()));
    all
}

/// Every record of `records` that could take over another: [`successors`] before it keeps
/// those that do.
fn candidates(records: &[EligibilityRecord]) -> Vec<Successor> {
    records
        .iter()
        .filter(|r| {
            r.kind.is_insurance()
                && (r.acquired_on.is_some()
                    || r.valid_from.is_some()
                    || r.issued_on.is_some()
                    || r.lost_on.is_some())
        })
        .map(|r| Successor {
            kind: r.kind,
            insurer_number: r.insurer_number.clone(),
            insurer: super::text_ja::insurer_of(r),
            symbol: r.symbol.clone(),
            number: r.number.clone(),
            branch: r.branch.clone(),
            acquired_on: r.acquired_on,
            issued_on: r.issued_on,
            valid_from: r.valid_from,
            valid_until: r.valid_until,
            lost_on: r.lost_on,
        })
        .collect()
}

impl Successor {
    /// A 被用者保険 (a job's, or a family member's as 被扶養者): not 国保, not 後期高齢者医療.
    pub(crate) fn employee_insurance(&self) -> bool {
        self.insurer_number.scheme().has_dependents()
    }

    /// The same 資格 as `record`: the same 保険者番号, and 記号 and 番号 alike (compared as typed,
    /// then after width folding; a 記号 printed on one only does not tell them apart).
    fn same_coverage(&self, record: &EligibilityRecord) -> bool {
        coverage_alike(
            (&self.insurer_number, self.symbol.as_deref(), &self.number),
            record,
        )
    }

    /// The day this successor takes over from `record`, and why; `None` when it does not (see
    /// the module's rules). A record with a 資格喪失日 is not taken over: its own date says when
    /// it ended.
    pub(crate) fn takes_over(
        &self,
        record: &EligibilityRecord,
    ) -> Option<(NaiveDate, TakeoverCause)> {
        if !record.kind.is_insurance() || record.lost_on.is_some() {
            return None;
        }
        if !self.same_coverage(record) {
            // The old record's own start, as far as it prints one (its 資格取得年月日, else its
            // 有効開始年月日, else its 交付年月日): one that starts on or after the other's
            // 資格取得年月日 is the later coverage (a 後期 資格確認書 from the 75th birthday beside
            // a 健保 one acquired years before), not the one taken over.
            // Its 資格取得年月日, else its 有効開始年月日: the new coverage had begun by then (a
            // 交付年月日 does not tell: a document is mailed ahead of its start).
            // A record that prints none of the three tells nothing of its age: it may be the
            // new coverage typed without its dates (a 国保 資格確認書 after retiring, beside the
            // old employer's record acquired years before), so it is not taken over; the two
            // stay in force and `overlapping` asks for the date that tells.
            let acquired = self.acquired_on.or(self.valid_from)?;
            let own = start_printed(record)?;
            return (own < acquired).then_some((acquired, TakeoverCause::OtherInsurance));
        }
        // The 資格 itself lost (its date typed on this paper): the other paper ends with it
        // when it prints a start before that day. One that starts on or after it is a 資格
        // acquired again under the same 番号; one that prints no start may be that too (as for
        // another insurance, above, an undated record is left in force).
        if let Some(lost) = self.lost_on
            && start_printed(record).is_some_and(|own| own < lost)
        {
            return Some((lost, TakeoverCause::SameCoverageLost));
        }
        let same_branch = match (&self.branch, &record.branch) {
            (Some(a), Some(b)) => a == b || same_code(a, b),
            _ => true,
        };
        // Later by its 交付年月日 — or, when either paper has none typed (the field is optional),
        // by its 有効開始年月日 (review of 2026-12-01: a 資格確認書 reissued at 70 with the 2割,
        // typed without its 交付年月日, stood beside the old 3割 one as just as good).
        let later = match (self.issued_on, record.issued_on) {
            (Some(new), Some(old)) => new > old,
            _ => {
                matches!((self.valid_from, record.valid_from), (Some(new), Some(old)) if new > old)
            }
        };
        let not_longer = matches!(
            (self.valid_until, record.valid_until),
            (Some(new), Some(old)) if new <= old
        );
        (self.kind == DocumentKind::Certificate
            && record.kind == DocumentKind::Certificate
            && same_branch
            && later
            && not_longer)
            .then(|| {
                // The new paper's own start: its 交付年月日, or a later 有効開始年月日 (not the
                // 資格取得年月日, which both papers of one 資格 share).
                let from = match (self.valid_from, self.issued_on) {
                    (Some(from), Some(issued)) => from.max(issued),
                    (from, issued) => from.or(issued)?,
                };
                Some((from, TakeoverCause::Reissued))
            })
            .flatten()
    }
}

/// The earliest start `record` prints: its 資格取得年月日, else its 有効開始年月日, else its
/// 交付年月日; `None` when it prints none of them.
pub(crate) fn start_printed(record: &EligibilityRecord) -> Option<NaiveDate> {
    record
        .acquired_on
        .or(record.valid_from)
        .or(record.issued_on)
}

/// The same 資格: the same 保険者番号, and 記号 and 番号 alike (compared as typed, then after
/// width folding; a 記号 printed on one only does not tell them apart).
fn coverage_alike(
    (insurer_number, symbol, number): (&InsurerNumber, Option<&str>, &str),
    record: &EligibilityRecord,
) -> bool {
    let same = |a: &str, b: &str| a == b || same_code(a, b);
    *insurer_number == record.insurer_number
        && same(number, &record.number)
        && match (symbol, &record.symbol) {
            (Some(a), Some(b)) => same(a, b),
            _ => true,
        }
}

/// `a` and `b` are of the same 資格 ([`coverage_alike`]): an お知らせ beside its 資格確認書, a
/// renewed one beside the old.
pub(crate) fn same_coverage(a: &EligibilityRecord, b: &EligibilityRecord) -> bool {
    coverage_alike((&a.insurer_number, a.symbol.as_deref(), &a.number), b)
}

/// Two of `records` that are insurance of different 資格 (another insurer, or another 記号・番号)
/// and both in force by `in_force`: impossible for one person, who is in one public health
/// insurance at a time (国民健康保険法 §6, 健康保険法 §3(7)), so one of them has ended without a
/// date typed that says so (a new record without its 資格取得年月日, an old one without its
/// 資格喪失日) and nothing could take it over. The first such pair, in the order of `records`.
pub(crate) fn overlapping(
    records: &[EligibilityRecord],
    in_force: impl Fn(&EligibilityRecord) -> bool,
) -> Option<(&EligibilityRecord, &EligibilityRecord)> {
    let insurance = || {
        records
            .iter()
            .enumerate()
            .filter(|(_, r)| r.kind.is_insurance())
    };
    insurance().find_map(|(i, a)| {
        insurance()
            .skip_while(|(j, _)| *j <= i)
            .find(|(_, b)| {
                !coverage_alike((&a.insurer_number, a.symbol.as_deref(), &a.number), b)
                    && in_force(a)
                    && in_force(b)
            })
            .map(|(_, b)| (a, b))
    })
}

/// The earliest day one of `successors` takes over from `record`, with why and by which.
pub(crate) fn taken_over<'a>(
    record: &EligibilityRecord,
    successors: &'a [Successor],
) -> Option<(NaiveDate, TakeoverCause, &'a Successor)> {
    successors
        .iter()
        .filter_map(|s| s.takes_over(record).map(|(on, cause)| (on, cause, s)))
        // On a tie the 資格喪失日 typed on the same 資格's paper tells the cause: the other
        // insurance's start only bounds it.
        .min_by_key(|(on, cause, _)| (*on, *cause != TakeoverCause::SameCoverageLost))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::screen::rules::test_fixtures::{d, record};

    fn certificate() -> EligibilityRecord {
        record(DocumentKind::Certificate, Some(d(2030, 11, 30)))
    }

    /// Two records of different 資格 both in force are found, in the order given; the same
    /// 資格 typed twice (another kind, the 記号 in full width or left out) is not; one of them
    /// not in force, or a 公費 受給者証, is not.
    #[test]
    fn overlapping_insurance_is_two_coverages_in_force() {
        let kyokai = certificate();
        let kumiai = EligibilityRecord {
            insurer_number: InsurerNumber::parse("06139992").unwrap(),
            insurer_name: "山田商事健康保険組合".into(),
            ..certificate()
        };
        let all = [kyokai.clone(), kumiai.clone()];
        let (a, b) = overlapping(&all, |_| true).unwrap();
        assert_eq!((a, b), (&kyokai, &kumiai));
        assert_eq!(overlapping(&all, |r| r == &kyokai), None);
        // Same insurer, another 番号 (任意継続, a new 資格): two 資格.
        let renumbered = EligibilityRecord {
            number: "90".into(),
            ..certificate()
        };
        assert!(overlapping(&[kyokai.clone(), renumbered], |_| true).is_some());
        // The same 資格: its お知らせ, the 記号 in full width, or without it.
        let notice = EligibilityRecord {
            kind: DocumentKind::Notice,
            symbol: Some("１２３４５６７".into()),
            ..certificate()
        };
        let no_symbol = EligibilityRecord {
            symbol: None,
            ..certificate()
        };
        assert_eq!(
            overlapping(&[kyokai.clone(), notice, no_symbol], |_| true),
            None
        );
        let public_expense = EligibilityRecord {
            kind: DocumentKind::PublicExpense,
            number: "1234567".into(),
            ..kumiai.clone()
        };
        assert_eq!(overlapping(&[kyokai, public_expense], |_| true), None);
    }

    /// A new employer's insurance with its 資格取得年月日 takes over the old one from that day;
    /// not the other way round, not a record with a 資格喪失日, not a 公費 受給者証, not a record
    /// that prints no start of its own (it may be the newer one typed without its dates).
    #[test]
    fn another_insurance_acquired_later_takes_over() {
        let undated = certificate();
        let old = EligibilityRecord {
            issued_on: Some(d(2025, 11, 15)),
            ..certificate()
        };
        let new = EligibilityRecord {
            insurer_number: InsurerNumber::parse("06139992").unwrap(),
            insurer_name: "山田商事健康保険組合".into(),
            acquired_on: Some(d(2026, 11, 21)),
            ..certificate()
        };
        let all = [old.clone(), new.clone()];
        let s = candidates(&all);
        let (on, cause, by) = taken_over(&old, &s).unwrap();
        assert_eq!(
            (on, cause, by.insurer.as_str()),
            (
                d(2026, 11, 21),
                TakeoverCause::OtherInsurance,
                "山田商事健康保険組合"
            )
        );
        assert_eq!(taken_over(&new, &s), None);
        // No date of its own: nothing tells it is the older one (a 国保 資格確認書 typed after
        // retiring, beside the employer's acquired years before).
        assert_eq!(
            taken_over(&undated, &candidates(&[undated.clone(), new.clone()])),
            None
        );
        // Acquired before the new one: still taken over; acquired after it: not.
        let older = EligibilityRecord {
            acquired_on: Some(d(2010, 4, 1)),
            ..old.clone()
        };
        assert!(taken_over(&older, &s).is_some());
        let later = EligibilityRecord {
            acquired_on: Some(d(2026, 12, 1)),
            ..old.clone()
        };
        assert_eq!(taken_over(&later, &s), None);
        // A 後期 資格確認書 from the 75th birthday, without its 資格取得年月日, beside a 健保 one
        // acquired years before: the later coverage, not taken over.
        let late_elderly = EligibilityRecord {
            insurer_number: InsurerNumber::parse("39131008").unwrap(),
            valid_from: Some(d(2027, 1, 10)),
            ..old.clone()
        };
        let kenpo = EligibilityRecord {
            acquired_on: Some(d(2010, 4, 1)),
            ..old.clone()
        };
        assert_eq!(taken_over(&late_elderly, &candidates(&[kenpo])), None);
        let lost = EligibilityRecord {
            lost_on: Some(d(2026, 10, 1)),
            ..old.clone()
        };
        assert_eq!(taken_over(&lost, &s), None);
        let public = EligibilityRecord {
            kind: DocumentKind::PublicExpense,
            ..old.clone()
        };
        assert_eq!(taken_over(&public, &s), None);
        // 任意継続: the same insurer under another 番号.
        let continued = EligibilityRecord {
            number: "90".into(),
            acquired_on: Some(d(2026, 11, 21)),
            ..certificate()
        };
        let s = candidates(std::slice::from_ref(&continued));
        assert_eq!(
            taken_over(&old, &s).map(|(on, cause, _)| (on, cause)),
            Some((d(2026, 11, 21), TakeoverCause::OtherInsurance))
        );
        // A new insurer's paper with only its 有効開始年月日: taken over from it; with only its
        // 交付年月日: not (mailed ahead of its start).
        let from_only = EligibilityRecord {
            insurer_number: InsurerNumber::parse("06139992").unwrap(),
            valid_from: Some(d(2026, 12, 1)),
            ..certificate()
        };
        assert_eq!(
            taken_over(&old, &candidates(&[from_only])).map(|(on, _, _)| on),
            Some(d(2026, 12, 1))
        );
        let issued_only = EligibilityRecord {
            insurer_number: InsurerNumber::parse("06139992").unwrap(),
            issued_on: Some(d(2026, 11, 20)),
            ..certificate()
        };
        assert_eq!(taken_over(&old, &candidates(&[issued_only])), None);
        // The same 資格 (its お知らせ, or its 番号 typed in full width) takes nothing over.
        let notice = EligibilityRecord {
            kind: DocumentKind::Notice,
            number: "８９".into(),
            acquired_on: Some(d(2026, 11, 21)),
            ..certificate()
        };
        assert_eq!(taken_over(&old, &candidates(&[notice])), None);
    }

    /// A 資格喪失日 typed on one paper ends the 資格: the other paper of it (the 番号 in full
    /// width) that starts before ends that day; not one that starts on or after it or prints no
    /// start (acquired again), not one with a 資格喪失日 of its own, not another 資格's; on a
    /// tie with another insurance's start the typed date is the cause.
    #[test]
    fn a_lost_coverage_ends_its_other_papers() {
        let notice = EligibilityRecord {
            kind: DocumentKind::Notice,
            lost_on: Some(d(2026, 12, 15)),
            ..certificate()
        };
        let paper = EligibilityRecord {
            number: "８９".into(),
            acquired_on: Some(d(2020, 4, 1)),
            ..certificate()
        };
        let s = candidates(std::slice::from_ref(&notice));
        assert_eq!(
            taken_over(&paper, &s).map(|(on, cause, _)| (on, cause)),
            Some((d(2026, 12, 15), TakeoverCause::SameCoverageLost))
        );
        // Printing no start at all: it may be the 資格 acquired again, so it is left in force.
        let undated = EligibilityRecord {
            acquired_on: None,
            ..paper.clone()
        };
        assert_eq!(taken_over(&undated, &s), None);
        // Another insurance acquired the same day: the typed 資格喪失日 is the cause.
        let next = EligibilityRecord {
            insurer_number: InsurerNumber::parse("06139992").unwrap(),
            acquired_on: Some(d(2026, 12, 15)),
            ..certificate()
        };
        for both in [[notice.clone(), next.clone()], [next, notice.clone()]] {
            assert_eq!(
                taken_over(&paper, &candidates(&both)).map(|(_, cause, _)| cause),
                Some(TakeoverCause::SameCoverageLost)
            );
        }
        let again = EligibilityRecord {
            acquired_on: Some(d(2026, 12, 15)),
            ..paper.clone()
        };
        assert_eq!(taken_over(&again, &s), None);
        let own_date = EligibilityRecord {
            lost_on: Some(d(2026, 12, 20)),
            ..paper.clone()
        };
        assert_eq!(taken_over(&own_date, &s), None);
        let other = EligibilityRecord {
            number: "90".into(),
            ..paper
        };
        assert_eq!(taken_over(&other, &s), None);
    }

    /// A 資格確認書 reissued (a later 交付年月日, the same 資格 and 枝番, an 有効期限 no later)
    /// replaces the old one from its start; a renewal lasting longer does not, nor another 枝番
    /// (another family member's), nor an お知らせ.
    #[test]
    fn a_reissued_certificate_takes_over_from_its_start() {
        let old = EligibilityRecord {
            issued_on: Some(d(2025, 12, 1)),
            ..certificate()
        };
        let reissued = EligibilityRecord {
            issued_on: Some(d(2026, 11, 25)),
            ..certificate()
        };
        let s = candidates(std::slice::from_ref(&reissued));
        assert_eq!(
            taken_over(&old, &s).map(|(on, cause, _)| (on, cause)),
            Some((d(2026, 11, 25), TakeoverCause::Reissued))
        );
        // The 資格取得年月日 both papers print does not date the new one.
        let with_acquired = |r: &EligibilityRecord| EligibilityRecord {
            acquired_on: Some(d(2010, 4, 1)),
            ..r.clone()
        };
        assert_eq!(
            taken_over(
                &with_acquired(&old),
                &candidates(&[with_acquired(&reissued)])
            )
            .map(|(on, _, _)| on),
            Some(d(2026, 11, 25))
        );
        assert_eq!(
            taken_over(&reissued, &candidates(std::slice::from_ref(&old))),
            None
        );
        let from_later = EligibilityRecord {
            valid_from: Some(d(2027, 1, 1)),
            ..reissued.clone()
        };
        assert_eq!(
            taken_over(&old, &candidates(&[from_later])).map(|(on, _, _)| on),
            Some(d(2027, 1, 1))
        );
        let renewal = EligibilityRecord {
            valid_until: Some(d(2031, 11, 30)),
            ..reissued.clone()
        };
        assert_eq!(taken_over(&old, &candidates(&[renewal])), None);
        let sibling = EligibilityRecord {
            branch: Some("02".into()),
            ..reissued.clone()
        };
        assert_eq!(taken_over(&old, &candidates(&[sibling])), None);
        let notice = EligibilityRecord {
            kind: DocumentKind::Notice,
            ..reissued
        };
        assert_eq!(taken_over(&old, &candidates(&[notice])), None);
    }

    /// A reissue typed without its 交付年月日 (optional) is told by a later 有効開始年月日, the
    /// same 有効期限 or an earlier one (a 2割 資格確認書 from the month after the 70th birthday,
    /// beside the 3割 one of the same 資格); with both 交付年月日 typed they decide, and two
    /// papers starting the same day, or a longer one, are not a reissue.
    #[test]
    fn a_reissue_without_its_issue_date_is_told_by_its_start() {
        let old = EligibilityRecord {
            issued_on: Some(d(2025, 11, 20)),
            valid_from: Some(d(2025, 12, 2)),
            ..certificate()
        };
        let at_70 = EligibilityRecord {
            issued_on: None,
            valid_from: Some(d(2027, 2, 1)),
            ..certificate()
        };
        assert_eq!(
            taken_over(&old, &candidates(std::slice::from_ref(&at_70)))
                .map(|(on, cause, _)| (on, cause)),
            Some((d(2027, 2, 1), TakeoverCause::Reissued))
        );
        assert_eq!(
            taken_over(&at_70, &candidates(std::slice::from_ref(&old))),
            None
        );
        let same_start = EligibilityRecord {
            valid_from: Some(d(2025, 12, 2)),
            ..at_70.clone()
        };
        assert_eq!(taken_over(&old, &candidates(&[same_start])), None);
        let longer = EligibilityRecord {
            valid_until: Some(d(2031, 11, 30)),
            ..at_70.clone()
        };
        assert_eq!(taken_over(&old, &candidates(&[longer])), None);
        // Both 交付年月日 typed: an earlier one is not a reissue, whatever the start says.
        let issued_before = EligibilityRecord {
            issued_on: Some(d(2025, 11, 1)),
            ..at_70
        };
        assert_eq!(taken_over(&old, &candidates(&[issued_before])), None);
    }
}
