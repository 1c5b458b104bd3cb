//! The notices a member gets because of another member of the household: a 被保険者 who
//! turns 75, or whose 被用者保険 (a record typed 本人, also of a member since changed to 家族)
//! has a 資格喪失日, ends the 被扶養者 status of those on it.

use chrono::{Months, NaiveDate};

use super::calendar::{late_elderly_on, late_elderly_start, record_in_force};
use super::notices_record::{DOCUMENT_WARNING_MONTHS, TRANSITION_NOTICE_MONTHS};
use super::rules::{Notice, NoticeCode, Severity};
use super::takeover::{Successor, TakeoverCause, successors, taken_over};
use super::text_ja;
use crate::eligibility::names::same_name;
use crate::eligibility::text::same_code;
use crate::eligibility::{DocumentKind, EligibilityRecord, MemberData, Relationship, Scheme};

/// One member of a household with their records, for [`household_notices`].
#[derive(Debug, Clone, Copy)]
pub struct HouseholdMember<'a> {
    /// The member.
    pub member: &'a MemberData,
    /// Their records.
    pub records: &'a [EligibilityRecord],
}

/// A 被用者保険 record: not 国保 (which has no 被扶養者), not 後期高齢者医療, not a 公費 受給者証.
fn employee_insurance(r: &EligibilityRecord) -> bool {
    r.kind.is_insurance()
        && !matches!(
            r.insurer_number.scheme(),
            Scheme::NationalHealthInsurance | Scheme::LateElderly | Scheme::NhiRetiree
        )
}

/// Why a 被扶養者's status on a 被保険者's 被用者保険 ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum DependentEndCause {
    /// The 被保険者 turns 75 and moves to 後期高齢者医療 (高齢者の医療の確保に関する法律 §50, §52(1)).
    InsuredAt75,
    /// The 被保険者's record has a 資格喪失日 (退職 and the like): a 被扶養者 is one only of a
    /// 被保険者 of that insurance (健康保険法 §3(7)), so the status ends the same day
    /// (docs/rules.md §1.4 "Dependents", §3.3).
    InsuredLost,
}

/// One 被保険者's 被用者保険 record and the first day its 被扶養者 no longer are: the
/// 被保険者's 75th birthday (後期高齢者医療 from that day) or the record's 資格喪失日.
#[derive(Debug, Clone, PartialEq, Eq)]
struct InsuredEnds {
    /// The 被保険者's record.
    record: EligibilityRecord,
    /// When and why its 被扶養者 lose their status.
    end: DependentEnd,
    /// For [`DependentEndCause::InsuredLost`]: the 被保険者's insurance records that may be the
    /// next insurance ([`insured_next`]); which one is, depends on the day ([`InsuredEnds::next_at`]).
    next: Vec<InsuredNext>,
}

/// When and why a 被扶養者's record ends with its 被保険者's
/// ([`HouseholdContext::dependent_status_end`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct DependentEnd {
    /// The first day without 被扶養者 status.
    pub(crate) on: NaiveDate,
    /// Why.
    pub(crate) cause: DependentEndCause,
    /// For [`DependentEndCause::InsuredLost`]: `on` is the 資格取得年月日 of the 被保険者's new
    /// 資格 that took the record over (`super::takeover`), not a 資格喪失日 typed on it: the day
    /// the old coverage ended is not known, only that it ended by then.
    pub(crate) implied: bool,
}

/// The insurance a 被保険者 joined after losing the one their 被扶養者 were on, as typed in: the
/// 被保険者's insurance record of another 資格 starting on or after the day the old one ended
/// ([`insured_next`]). The dependents' texts name it, and say when they cannot become the
/// 被保険者's 被扶養者 there (`text_ja::dependent_join_after_insured_loss`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct InsuredNext {
    /// Its insurer, as the notices name it (`text_ja::insurer_of`).
    pub(crate) insurer: String,
    /// The 被扶養者 can join it through the 被保険者: a 被用者保険 the 被保険者 holds as 本人,
    /// which has 被扶養者 (健康保険法 §3(7)); 国保 and
    /// 後期高齢者医療 have none: each member of the 世帯 is a 被保険者 of their own
    /// (`Scheme::has_dependents`); nor has a 被扶養者 ([`InsuredNext::as_dependent`]).
    pub(crate) through_insured: bool,
    /// The 被保険者 joined it as someone else's 被扶養者 (a 家族 record of a 被用者保険: after
    /// losing their job, their spouse's): a 被扶養者 has no 被扶養者 of their own, so the
    /// member joins 国保 or becomes another family member's 被扶養者 (the spouse's, on that
    /// same insurance).
    pub(crate) as_dependent: bool,
    /// Its printed start.
    from: NaiveDate,
    /// Its 資格喪失日, when typed.
    lost_on: Option<NaiveDate>,
}

impl InsuredEnds {
    /// The 被保険者's next insurance as of `today`: among [`InsuredEnds::next`], the one in
    /// force on `today` — before the day the old one ended, the one starting that very day (a
    /// later start leaves days between, when the 被扶養者 could not join it yet) — the latest
    /// started; one lost by then is not (review of 2026-11-30: an insurance left since is not
    /// the one to join).
    fn next_at(&self, today: NaiveDate) -> Option<&InsuredNext> {
        let day = today.max(self.end.on);
        let mut found: Option<&InsuredNext> = None;
        for n in &self.next {
            if n.from <= day
                && n.lost_on.is_none_or(|l| l > day)
                && found.is_none_or(|f| n.from >= f.from)
            {
                found = Some(n);
            }
        }
        found
    }
}

/// The insurance records that may be the 被保険者's next insurance after `lost` ended on `on`
/// ([`InsuredEnds::next_at`] picks by the day): among their `records`, those of another insurer
/// printing a start (`starts_on`) on or after `on`, not lost by then. A record of the 被保険者 as
/// someone else's 被扶養者 counts too ([`InsuredNext::as_dependent`]): it is not an insurance
/// their own 被扶養者 can join through them, and the texts say so instead of sending them to
/// 「新しい勤務先の健康保険や任意継続」 (review of 2026-11-30), also on the same insurer (both
/// spouses in one 協会けんぽ 支部 or one company's 健保組合: a 家族 record is never 任意継続). The
/// same insurer otherwise (任意継続, or a new 資格 with the same 保険者) is left to the general
/// words, which name 任意継続: 「…の新しい保険（全国健康保険協会 東京支部）」 beside the same
/// insurer's ended 資格 would read as a contradiction (review of 2026-11-30). An undated record
/// says nothing.
fn insured_next(
    lost: &EligibilityRecord,
    on: NaiveDate,
    records: &[EligibilityRecord],
) -> Vec<InsuredNext> {
    let mut next = Vec::new();
    for r in records {
        let as_dependent = employee_insurance(r) && !insured_own(r);
        if let Some(from) = r.starts_on().filter(|&s| s >= on)
            && r.kind.is_insurance()
            && (r.insurer_number != lost.insurer_number || as_dependent)
            && r.lost_on.is_none_or(|l| l > on)
        {
            next.push(InsuredNext {
                insurer: text_ja::insurer_of(r),
                through_insured: r.insurer_number.scheme().has_dependents() && !as_dependent,
                as_dependent,
                from,
                lost_on: r.lost_on,
            });
        }
    }
    next
}

impl InsuredEnds {
    /// `dependent`'s record is on this 被保険者's insurance: the same 保険者番号 and, when both
    /// print one, the same 記号 (a dependent's document carries the 被保険者's 記号・番号 with
    /// another 枝番; docs/rules.md §1.4, INFERENCE: the household does not store who depends on
    /// whom).
    ///
    /// For a 資格喪失日 the match is strict, since one insurer (a 協会けんぽ 支部, a company's
    /// 健保組合) holds many 被保険者 and a 本人 may keep an older record of it: the same 記号 (or
    /// none on both) and the same 番号, and the dependent's record not starting on or after the
    /// 資格喪失日 (a later one is on other coverage).
    fn covers(&self, dependent: &EligibilityRecord) -> bool {
        // Typed alike (the usual case) needs no folding: this runs for every record each time
        // the screens ask whether it is in force.
        let same = |a: &str, b: &str| a == b || same_code(a, b);
        if self.record.insurer_number != dependent.insurer_number {
            return false;
        }
        match self.end.cause {
            DependentEndCause::InsuredAt75 => match (&self.record.symbol, &dependent.symbol) {
                (Some(a), Some(b)) => same(a, b),
                _ => true,
            },
            DependentEndCause::InsuredLost => {
                let symbol = match (&self.record.symbol, &dependent.symbol) {
                    (Some(a), Some(b)) => same(a, b),
                    (None, None) => true,
                    _ => false,
                };
                symbol
                    && same(&self.record.number, &dependent.number)
                    && dependent
                        .valid_from
                        .or(dependent.issued_on)
                        .is_none_or(|start| start < self.end.on)
            }
        }
    }
}

/// What the rest of the household decides about one member's records: for a 被扶養者, the
/// 被用者保険 of each 被保険者 of the household who turns 75 before the member does, and each
/// other member's 被用者保険 record typed 本人 with a 資格喪失日 (or taken over), also of a
/// member since changed to 家族. From that 被保険者's 75th birthday (後期高齢者医療,
/// 高齢者の医療の確保に関する法律 §50, §52(1)), or from the 資格喪失日, the member is no longer
/// their 被扶養者 on it (健康保険法 §3(7); PM健保, みずほ健保, docs/rules.md §1.4 "Dependents"),
/// so the member's record on that insurance is not in force
/// ([`HouseholdContext::dependent_status_ends_on`], used by `calendar::record_in_force`). Empty
/// for a 被保険者, for a member read alone and for a household without such a 被保険者.
///
/// It also carries what the member's own later records decide ([`super::takeover`]): another
/// insurance acquired, or the same 資格確認書 reissued, takes over a record that says nothing of
/// it ([`HouseholdContext::taken_over`]). [`HouseholdContext::of_member`] is that alone, for a
/// member read without the household.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct HouseholdContext {
    insured_ends: Vec<InsuredEnds>,
    successors: Vec<Successor>,
}

impl HouseholdContext {
    /// The context of a member read without the rest of the household: what their own
    /// `records` decide ([`super::takeover`]).
    pub fn of_member(records: &[EligibilityRecord]) -> HouseholdContext {
        HouseholdContext {
            insured_ends: Vec::new(),
            successors: successors(records),
        }
    }

    /// The first day a later record of the member took over from `record` ([`taken_over`]),
    /// why, and the successor's insurer as the notices name it.
    pub(crate) fn taken_over(
        &self,
        record: &EligibilityRecord,
    ) -> Option<(NaiveDate, TakeoverCause, &Successor)> {
        taken_over(record, &self.successors)
    }

    /// True when `record` has been taken over by `today` ([`HouseholdContext::taken_over`]).
    pub(crate) fn taken_over_by(&self, record: &EligibilityRecord, today: NaiveDate) -> bool {
        self.taken_over(record)
            .is_some_and(|(on, _, _)| today >= on)
    }

    /// The first day `record` (of this member) is no longer in force because its 被保険者 turned
    /// 75, or lost that insurance, and the member lost 被扶養者 status with it: that 被保険者's
    /// 75th birthday or 資格喪失日 (the earliest, should two match). `None` for a record not
    /// concerned: 国保 and 後期 records (国保 has no 被扶養者), a 公費 受給者証, another insurer's
    /// record, and a record with a 資格喪失日 — once the 資格喪失日 is recorded it is the day the
    /// record ends ([`EligibilityRecord::is_lost`], docs/rules.md §3.3), as the household notice
    /// stops then too.
    pub fn dependent_status_ends_on(&self, record: &EligibilityRecord) -> Option<NaiveDate> {
        self.dependent_status_end(record).map(|end| end.on)
    }

    /// [`HouseholdContext::dependent_status_ends_on`] with why, and whether its day is implied
    /// ([`DependentEnd`]).
    pub(crate) fn dependent_status_end(&self, record: &EligibilityRecord) -> Option<DependentEnd> {
        // Its own 資格 lost (the date typed on it, or on another paper of it: `takeover`'s
        // same-coverage rule) ends it whatever the 被保険者 does.
        let own_loss = record.lost_on.is_some()
            || matches!(
                self.taken_over(record),
                Some((_, TakeoverCause::SameCoverageLost, _))
            );
        if !employee_insurance(record) || own_loss {
            return None;
        }
        self.insured_ends
            .iter()
            .filter(|i| i.covers(record))
            .map(|i| i.end)
            .min_by_key(|end| end.on)
    }

    /// The 被保険者's next insurance ([`InsuredNext`]) for `record`, whose status ends through
    /// that 被保険者's 資格喪失日 ([`HouseholdContext::dependent_status_end`]), when typed in.
    pub(crate) fn insured_next(
        &self,
        record: &EligibilityRecord,
        today: NaiveDate,
    ) -> Option<&InsuredNext> {
        self.insured_ends
            .iter()
            .filter(|i| i.end.cause == DependentEndCause::InsuredLost && i.covers(record))
            .min_by_key(|i| i.end.on)
            .and_then(|i| i.next_at(today))
    }

    /// True when `record` has ended by [`HouseholdContext::dependent_status_ends_on`] on `today`.
    pub fn dependent_status_ended(&self, record: &EligibilityRecord, today: NaiveDate) -> bool {
        self.dependent_status_ends_on(record)
            .is_some_and(|end| today >= end)
    }
}

/// A 被保険者's own 被用者保険 record: one typed as 本人 (not a record of the member's former
/// 被扶養者 status, kept after they were changed to 本人), whose 被扶養者 lose their status with it
/// (健康保険法 §3(7)).
fn insured_own(record: &EligibilityRecord) -> bool {
    employee_insurance(record) && record.relationship == Relationship::Insured
}

/// Each member's [`HouseholdContext`], in the order given: a 被扶養者 (a member marked 家族) gets
/// the 被用者保険 records of every 被保険者 (a member marked 本人) who turns 75 before them (a
/// dependent who reaches 75 first moves to 後期 on their own), and every other member's
/// 被用者保険 record typed as 本人 with a 資格喪失日 (or taken over), whether that member is
/// marked 本人 or has since been changed to 家族. The one rule behind [`household_notices`] and what the screens, the
/// guidance and the checklist count as held.
pub fn household_contexts(household: &[HouseholdMember<'_>]) -> Vec<HouseholdContext> {
    // Each member's successors once: their own context keeps them, and a 被保険者's decide
    // which of their records their 被扶養者 lose.
    let all_successors: Vec<Vec<Successor>> =
        household.iter().map(|h| successors(h.records)).collect();
    let ends: Vec<Vec<InsuredEnds>> = household
        .iter()
        .map(|dependent| {
            if dependent.member.relationship != Relationship::Dependent {
                return Vec::new();
            }
            let own = late_elderly_start(dependent.member.birth_date);
            let mut insured_ends = Vec::new();
            for (insured, insured_successors) in household.iter().zip(&all_successors) {
                if std::ptr::eq(insured, dependent) {
                    continue;
                }
                // The 75th birthday only of a member marked 本人: a member marked 家族 is
                // nobody's 被保険者 now. A dependent who reaches 75 first moves to 後期 on their
                // own.
                let at_75 = late_elderly_start(insured.member.birth_date).filter(|birthday| {
                    insured.member.relationship == Relationship::Insured
                        && own.is_none_or(|own| own > *birthday)
                });
                // The dependent's own records that name this member as their 被保険者 (被保険者
                // 氏名, as typed or after `fold_name`): on that member's insurance even when its
                // record is not typed in (a 本人 with only their 後期 record kept). Not when the
                // member's own records of that insurer are typed in (they cover it already).
                if let Some(on) = at_75 {
                    let name = insured.member.name.as_str();
                    let names_insured = |n: &str| same_name(name, n);
                    let typed = |r: &EligibilityRecord| {
                        insured
                            .records
                            .iter()
                            .any(|own| insured_own(own) && own.insurer_number == r.insurer_number)
                    };
                    for r in dependent.records.iter().filter(|r| {
                        employee_insurance(r)
                            && r.insured_name.as_deref().is_some_and(names_insured)
                            && !typed(r)
                    }) {
                        insured_ends.push(InsuredEnds {
                            record: r.clone(),
                            end: DependentEnd {
                                on,
                                cause: DependentEndCause::InsuredAt75,
                                implied: false,
                            },
                            next: Vec::new(),
                        });
                    }
                }
                // Only the 被保険者's own 資格 (records typed as 本人): a member changed to 本人
                // after getting a job keeps their old 家族 record, which is not a 被保険者's.
                // Whoever holds one, also a member since changed to 家族 (a parent who lost
                // their job and became their spouse's 被扶養者): their children's records on
                // it end with it all the same (健康保険法 §3(7)), and `covers` (the same
                // 保険者番号, 記号 and 番号) tells whose 被扶養者 a record is.
                for r in insured.records.iter().filter(|r| insured_own(r)) {
                    if let Some(on) = at_75 {
                        insured_ends.push(InsuredEnds {
                            record: r.clone(),
                            end: DependentEnd {
                                on,
                                cause: DependentEndCause::InsuredAt75,
                                implied: false,
                            },
                            next: Vec::new(),
                        });
                    }
                    // A dependent who reached 75 by the 資格喪失日 left that insurance on
                    // their own 75th birthday (their record's last day is the day before,
                    // `calendar::record_last_day`): the 被保険者's loss changes nothing for
                    // them, and 国保 or another 被扶養者 status is not open to them
                    // (国民健康保険法 §6(8), 健康保険法 §3(7) ただし書).
                    // A record the 被保険者's new 資格 took over (another insurance, or 任意継続
                    // under another 番号: `super::takeover`) ended no later than that day.
                    let lost = r.lost_on.map(|on| (on, false)).or_else(|| {
                        taken_over(r, insured_successors)
                            .filter(|(_, cause, _)| *cause == TakeoverCause::OtherInsurance)
                            .map(|(on, _, _)| (on, true))
                    });
                    if let Some((on, implied)) =
                        lost.filter(|(on, _)| own.is_none_or(|own| own > *on))
                    {
                        insured_ends.push(InsuredEnds {
                            record: r.clone(),
                            end: DependentEnd {
                                on,
                                cause: DependentEndCause::InsuredLost,
                                implied,
                            },
                            next: insured_next(r, on, insured.records),
                        });
                    }
                }
            }
            insured_ends
        })
        .collect();
    ends.into_iter()
        .zip(all_successors)
        .map(|(insured_ends, successors)| HouseholdContext {
            insured_ends,
            successors,
        })
        .collect()
}

/// The notices that come from another member of the household, one list per member in the
/// order given: a 被保険者 who turns 75 moves to 後期高齢者医療 on the birthday, and each
/// 被扶養者 on their 被用者保険 (the same 保険者番号 and, where both are printed, 記号) loses that
/// status the same day and must join 国保 or another family member's insurance (高齢者の医療の
/// 確保に関する法律 §50, 健康保険法 §3(7); docs/rules.md). Info from a year before, Warning
/// within [`TRANSITION_NOTICE_MONTHS`], Critical from the birthday on while the dependent's
/// record has no 資格喪失日 (a Warning once another insurance of theirs is in force). 国保 has no 被扶養者, so 国保 records are not concerned. The rule is
/// [`household_contexts`].
pub fn household_notices(household: &[HouseholdMember<'_>], today: NaiveDate) -> Vec<Vec<Notice>> {
    household_notices_in(household, &household_contexts(household), today)
}

/// [`household_notices`] from the contexts [`household_contexts`] gave for the same household
/// (a snapshot computes them once for its screens and its notices).
pub(crate) fn household_notices_in(
    household: &[HouseholdMember<'_>],
    contexts: &[HouseholdContext],
    today: NaiveDate,
) -> Vec<Vec<Notice>> {
    household
        .iter()
        .zip(contexts)
        .map(|(dependent, context)| {
            let mut out: Vec<Notice> = Vec::new();
            // A 被扶養者 who has turned 75 since is in 後期高齢者医療 (国民健康保険法 §6(8)): 国保
            // or another 被扶養者 status is no longer what they join, and their own notices (the
            // 75th birthday's, the 後期 record's) say what is.
            if late_elderly_on(dependent.member.birth_date, today) {
                return out;
            }
            // Another insurance of the member in force (国保, the 被保険者's 任意継続 or new
            // insurance as 被扶養者): they have joined, so the notices no longer say what to join.
            let covered_again = dependent.records.iter().any(|r| {
                r.kind.is_insurance()
                    && record_in_force(r, dependent.member.birth_date, context, today)
            });
            for insured in &context.insured_ends {
                let birthday = insured.end.on;
                // The dependent's records on this insurance: the notice names them.
                let ending: Vec<&EligibilityRecord> = dependent
                    .records
                    .iter()
                    .filter(|d| context.dependent_status_ends_on(d).is_some() && insured.covers(d))
                    .collect();
                let Some(year_before) = birthday.checked_sub_months(Months::new(12)) else {
                    continue;
                };
                let Some(first) = ending.first() else {
                    continue;
                };
                // The 75th birthday is announced from a year before; a 資格喪失日 from when it
                // is typed in, as the 被保険者's own record's notice is.
                let announced =
                    insured.end.cause == DependentEndCause::InsuredLost || today >= year_before;
                if !announced || out.iter().any(|n| n.date == birthday) {
                    continue;
                }
                let past = today >= birthday;
                // Before the day: the dependent's next insurance already typed in.
                let joined = (!past)
                    .then(|| {
                        super::notices_record::next_insurance(
                            first,
                            birthday,
                            today,
                            dependent
                                .records
                                .iter()
                                .filter(|r| !ending.iter().any(|e| std::ptr::eq(*e, *r))),
                            |r, on| {
                                super::calendar::record_ended(
                                    r,
                                    dependent.member.birth_date,
                                    context,
                                    on,
                                )
                                .is_some()
                            },
                        )
                    })
                    .flatten();
                // The insurer (one 保険者番号, `covers`) and each kind of document once: 「全国健康
                // 保険協会 東京支部の資格確認書と資格情報のお知らせ」.
                let insurer = text_ja::insurer_of(first);
                let mut kinds: Vec<&str> = Vec::new();
                for kind in ending.iter().map(|r| r.kind.label_ja()) {
                    if !kinds.contains(&kind) {
                        kinds.push(kind);
                    }
                }
                let named = format!("{insurer}の{}", kinds.join("と"));
                let warn_months = match insured.end.cause {
                    DependentEndCause::InsuredAt75 => TRANSITION_NOTICE_MONTHS,
                    DependentEndCause::InsuredLost => DOCUMENT_WARNING_MONTHS,
                };
                // Past, and covered again by another insurance in force: Warning, as the
                // 本人's own (review of 2026-11-30).
                let severity = if past && !covered_again {
                    Severity::Critical
                } else if past
                    || birthday
                        .checked_sub_months(Months::new(warn_months))
                        .is_some_and(|w| today >= w)
                {
                    Severity::Warning
                } else {
                    Severity::Info
                };
                out.push(match insured.end.cause {
                    DependentEndCause::InsuredAt75 => Notice {
                        code: NoticeCode::DependentLosesStatusAt75,
                        severity,
                        date: birthday,
                        message: {
                            let mut text = text_ja::dependent_loses_status_at_75(
                                insured.record.insurer_number.scheme().insured_person_ja(),
                                &insurer,
                                &named,
                                birthday,
                                past,
                                covered_again,
                                joined.as_ref(),
                            );
                            // Past: where a 資格確認書 goes back, through the 被保険者 (notice A:
                            // 被扶養者でなくなったときは5日以内に…事業主に提出), as after a
                            // 資格喪失日 — covered again or not (review of 2026-11-30).
                            if past && ending.iter().any(|r| r.kind == DocumentKind::Certificate) {
                                text.push_str(&text_ja::former_certificate_back(
                                    &text_ja::JoinAfterLoss::give_back_ja(
                                        insured.record.insurer_number.scheme(),
                                        Some(birthday),
                                        today,
                                        text_ja::Holder::DependentOfFormerInsured,
                                    ),
                                ));
                            }
                            text
                        },
                    },
                    // The codes of a 資格喪失日 (the dependent's record has none of its own).
                    DependentEndCause::InsuredLost => Notice {
                        code: if past {
                            NoticeCode::CoverageLost
                        } else {
                            NoticeCode::CoverageEnding
                        },
                        severity,
                        date: birthday,
                        message: text_ja::dependent_loses_status_with_insured(
                            &text_ja::InsuredLoss {
                                insured: insured.record.insurer_number.scheme().insured_person_ja(),
                                insurer: &insurer,
                                named: &named,
                                on: birthday,
                                implied: insured.end.implied,
                                past,
                                continuation: text_ja::JoinAfterLoss::insured_can_continue(
                                    insured.record.insurer_number.scheme(),
                                ),
                                covered_again,
                                next: insured.next_at(today),
                                // Through the 被保険者 (notice A: 被扶養者でなくなったときは…
                                // 5日以内に…事業主に提出), as the 本人's `coverage_lost` says it:
                                // before the member is covered again too, when the deadline
                                // matters most (review of 2026-11-30: only the to-do said it).
                                give_back: ending
                                    .iter()
                                    .any(|r| r.kind == DocumentKind::Certificate)
                                    .then(|| {
                                        text_ja::JoinAfterLoss::give_back_ja(
                                            insured.record.insurer_number.scheme(),
                                            (!insured.end.implied).then_some(birthday),
                                            today,
                                            text_ja::Holder::DependentOfFormerInsured,
                                        )
                                    }),
                                joined: joined.as_ref(),
                            },
                        ),
                    },
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

    /// A 被扶養者 who turned 75 before the 被保険者's 資格喪失日 left that insurance on their own
    /// birthday (後期高齢者医療): the later loss does not end their record again, and they get
    /// no notice sending them to 国保 or another 被扶養者 status (国民健康保険法 §6(8)); a
    /// younger 被扶養者 of the same 被保険者 does.
    #[test]
    fn a_dependent_of_75_is_not_sent_to_nhi_by_the_insureds_loss() {
        let insured = member(d(1978, 5, 5), Relationship::Insured);
        // 75 on 2026-12-20; the 被保険者's 資格喪失日 is 2027-01-01.
        let grandmother = member(d(1951, 12, 20), Relationship::Dependent);
        let child = member(d(2010, 4, 4), Relationship::Dependent);
        let mut own = record(DocumentKind::Certificate, Some(d(2030, 11, 30)));
        own.lost_on = Some(d(2027, 1, 1));
        let mut dependent = record(DocumentKind::Certificate, Some(d(2030, 11, 30)));
        dependent.relationship = Relationship::Dependent;
        let (own, dependent) = ([own], [dependent]);
        let household = [
            household_member(&insured, &own),
            household_member(&grandmother, &dependent),
            household_member(&child, &dependent),
        ];
        let ctx = household_contexts(&household);
        assert_eq!(ctx[1].dependent_status_ends_on(&dependent[0]), None);
        assert_eq!(
            ctx[2].dependent_status_ends_on(&dependent[0]),
            Some(d(2027, 1, 1))
        );
        for today in [d(2026, 12, 25), d(2027, 1, 5)] {
            let notices = household_notices(&household, today);
            assert!(notices[1].is_empty(), "{today}: {:?}", notices[1]);
            assert!(!notices[2].is_empty(), "{today}");
        }
    }

    /// A 共済組合's 被扶養者 (here 警察共済, 法別 33) is told of the 組合員, the 共済 laws' word
    /// for the insured (地方公務員等共済組合法 §2(1)(i)), in the household notice, the to-do and
    /// the 10割 option; a 協会けんぽ's of the 被保険者.
    #[test]
    fn a_mutual_aid_dependent_is_told_of_the_kumiaiin() {
        use crate::screen::guidance::{ClinicSituation, guidance};
        use crate::screen::rules::household_contexts;
        use crate::screen::situation::MemberSituation;
        let insured = member(d(1978, 5, 5), Relationship::Insured);
        let child = member(d(2010, 4, 4), Relationship::Dependent);
        for (number, word) in [("33120015", "組合員"), ("01130012", "被保険者")] {
            let mut own = record(DocumentKind::Certificate, Some(d(2030, 11, 30)));
            own.insurer_number = InsurerNumber::parse(number).unwrap();
            own.lost_on = Some(d(2026, 11, 1));
            let mut dependent = own.clone();
            dependent.lost_on = None;
            dependent.relationship = Relationship::Dependent;
            let (own, dependent) = ([own], [dependent]);
            let household = [
                household_member(&insured, &own),
                household_member(&child, &dependent),
            ];
            let today = d(2026, 11, 30);
            let notices = household_notices(&household, today);
            let m = &notices[1][0].message;
            assert!(m.starts_with(&format!("{word}が")), "{m}");
            assert!(m.contains(&format!("{word}の新しい保険")), "{m}");
            let ctx = household_contexts(&household);
            let s = MemberSituation::in_household(&child, &dependent, &ctx[1], None, today);
            let g = guidance(&s, &ClinicSituation::NO_READER, today);
            let to_do = &g.to_do[0].explanation;
            assert!(
                to_do.starts_with(&format!("{word}がこれまでの保険の資格を喪失したため")),
                "{to_do}"
            );
            let other = if word == "組合員" {
                "被保険者"
            } else {
                "組合員"
            };
            let all = format!("{m}{g:?}");
            assert!(!all.contains(other), "{all}");
        }
    }

    /// The 被保険者's new employer's record (with its 資格取得年月日) typed beside the old one,
    /// which has no 資格喪失日: the old one is taken over (`super::takeover`), and the 被扶養者's
    /// record on it ends the same day, told as implied by the new 資格 (not as a typed
    /// 資格喪失日); an お知らせ of the new insurance without dates takes nothing over.
    /// A 家族 whose own 資格 was lost first (the date typed on her お知らせ, not on her
    /// 資格確認書): that paper ended with her 資格, so the 被保険者's later loss does not end it
    /// again on a later day (review of 2026-11-30).
    #[test]
    fn a_dependents_own_earlier_loss_is_not_moved_by_the_insureds() {
        let insured = member(d(1978, 5, 5), Relationship::Insured);
        let spouse = member(d(1980, 6, 1), Relationship::Dependent);
        let own = [EligibilityRecord {
            kind: DocumentKind::Notice,
            acquired_on: Some(d(2020, 4, 1)),
            lost_on: Some(d(2026, 11, 15)),
            ..record(DocumentKind::Certificate, None)
        }];
        let certificate = EligibilityRecord {
            relationship: Relationship::Dependent,
            acquired_on: Some(d(2020, 4, 1)),
            ..record(DocumentKind::Certificate, Some(d(2030, 11, 30)))
        };
        let papers = [
            EligibilityRecord {
                kind: DocumentKind::Notice,
                lost_on: Some(d(2026, 10, 1)),
                valid_until: None,
                ..certificate.clone()
            },
            certificate.clone(),
        ];
        let household = [
            household_member(&insured, &own),
            household_member(&spouse, &papers),
        ];
        let ctx = household_contexts(&household);
        assert_eq!(ctx[1].dependent_status_ends_on(&certificate), None);
        assert_eq!(
            ctx[1]
                .taken_over(&certificate)
                .map(|(on, cause, _)| (on, cause)),
            Some((d(2026, 10, 1), TakeoverCause::SameCoverageLost))
        );
        // No household notice of the 被保険者's loss for her: her own came first.
        assert!(household_notices(&household, d(2026, 10, 20))[1].is_empty());
    }

    /// The 被保険者's 資格喪失日 typed, and the 国保 they joined from that day typed too: the
    /// 被扶養者's notice and to-do do not offer becoming the 被保険者's 被扶養者 there (国保 has
    /// none: each member of the 世帯 joins as a 被保険者), before the day and after it; a
    /// 被用者保険 typed instead is named as the one to join as 被扶養者; a record of the 被保険者
    /// as someone else's 家族, or one starting before the 資格喪失日, is not their next insurance.
    #[test]
    fn the_insureds_next_insurance_typed_in_is_named_for_the_dependent() {
        use crate::screen::guidance::{ClinicSituation, guidance};
        use crate::screen::situation::MemberSituation;
        let insured = member(d(1978, 5, 5), Relationship::Insured);
        let child = member(d(2010, 4, 4), Relationship::Dependent);
        let old = EligibilityRecord {
            acquired_on: Some(d(2015, 4, 1)),
            lost_on: Some(d(2026, 11, 1)),
            ..record(DocumentKind::Certificate, Some(d(2030, 11, 30)))
        };
        let nhi = EligibilityRecord {
            insurer_number: InsurerNumber::parse("138040").unwrap(),
            insurer_name: "新宿区".into(),
            symbol: None,
            acquired_on: Some(d(2026, 11, 1)),
            lost_on: None,
            ..old.clone()
        };
        let dependent = [EligibilityRecord {
            relationship: Relationship::Dependent,
            lost_on: None,
            ..old.clone()
        }];
        let texts = |own: &[EligibilityRecord], today| {
            let household = [
                household_member(&insured, own),
                household_member(&child, &dependent),
            ];
            let notice = household_notices(&household, today)[1][0].message.clone();
            let ctx = household_contexts(&household);
            let s = MemberSituation::in_household(&child, &dependent, &ctx[1], None, today);
            let g = guidance(&s, &ClinicSituation::NO_READER, today);
            let to_do = g.to_do.first().map(|t| t.explanation.clone());
            (notice, to_do, format!("{g:?}"))
        };
        const NO_DEPENDENTS: &str = "被保険者の新しい保険（新宿区）には被扶養者の制度がありません。\
             お住まいの市区町村で国民健康保険に加入するか、ほかのご家族の健康保険の被扶養者になる\
             手続きを";
        let with_nhi = [old.clone(), nhi.clone()];
        let (notice, to_do, all) = texts(&with_nhi, d(2026, 11, 30));
        let to_do = to_do.unwrap_or_default();
        for text in [&notice, &to_do] {
            assert!(
                text.contains(&format!("{NO_DEPENDENTS}してください。")),
                "{text}"
            );
        }
        // The guidance's 10割 option (where the 療養費 is claimed) does not offer it either.
        assert!(
            !all.contains("新しい勤務先") && !all.contains("（新宿区）の被扶養者"),
            "{all}"
        );
        assert!(
            all.contains("お住まいの市区町村の国民健康保険か、被扶養者になるご家族の健康保険"),
            "{all}"
        );
        // Before the day: the same, to prepare.
        let (before, ..) = texts(&with_nhi, d(2026, 10, 20));
        assert!(
            before.contains(&format!("{NO_DEPENDENTS}準備してください。")),
            "{before}"
        );
        // A new employer's insurance from the day: named as the one to join as 被扶養者.
        let employer = EligibilityRecord {
            insurer_number: InsurerNumber::parse("06139992").unwrap(),
            insurer_name: "山田商事健康保険組合".into(),
            symbol: Some("12".into()),
            ..nhi.clone()
        };
        let (notice, to_do, all) = texts(&[old.clone(), employer.clone()], d(2026, 11, 30));
        assert!(!all.contains("新しい勤務先"), "{all}");
        assert!(
            all.contains(
                "被保険者の新しい保険（山田商事健康保険組合）か、お住まいの市区町村の国民健康保険"
            ),
            "{all}"
        );
        for text in [notice, to_do.unwrap_or_default()] {
            assert!(
                text.contains(
                    "被保険者の新しい保険（山田商事健康保険組合）の被扶養者になるか、お住まいの\
                     市区町村で国民健康保険に加入する手続きをしてください。"
                ),
                "{text}"
            );
        }
        // The one in force on the day shown (review of 2026-11-30): 国保 from the 資格喪失日 left
        // for a new employer's insurance on 2027-01-01 — 国保 in December, the employer's after.
        let nhi_until = EligibilityRecord {
            lost_on: Some(d(2027, 1, 1)),
            ..nhi.clone()
        };
        let employer_later = EligibilityRecord {
            acquired_on: Some(d(2027, 1, 1)),
            ..employer.clone()
        };
        let moved = [old.clone(), nhi_until, employer_later.clone()];
        let (december, ..) = texts(&moved, d(2026, 12, 15));
        assert!(december.contains(NO_DEPENDENTS), "{december}");
        let (february, _, all) = texts(&moved, d(2027, 2, 15));
        assert!(
            february.contains("被保険者の新しい保険（山田商事健康保険組合）の被扶養者"),
            "{february}"
        );
        assert!(!all.contains("新宿区"), "{all}");
        // An insurance starting after a gap is not named before it starts (the 被扶養者 cannot
        // join it yet), nor before the day.
        let gap = [old.clone(), employer_later];
        for today in [d(2026, 10, 20), d(2026, 11, 30)] {
            let (notice, _, all) = texts(&gap, today);
            assert!(!all.contains("山田商事"), "{today}: {all}");
            assert!(!notice.contains("山田商事"), "{today}: {notice}");
        }
        // Not their next insurance: one that started before the 資格喪失日; then the general
        // words stay.
        let earlier = EligibilityRecord {
            acquired_on: Some(d(2026, 10, 1)),
            ..employer.clone()
        };
        let (notice, ..) = texts(&[old.clone(), earlier], d(2026, 11, 30));
        assert!(
            notice.contains("被保険者の新しい保険（新しい勤務先の健康保険や任意継続）"),
            "{notice}"
        );
        // Their record as a 家族 of another member's insurance (they became their spouse's
        // 被扶養者): named, and not as one to join through them; 国保 or another family
        // member's insurance instead, in the notice, the to-do and the options alike.
        // Also on the insurer of the lost 資格 (both spouses in one 協会けんぽ 支部: a 家族
        // record is never 任意継続).
        let as_dependent = EligibilityRecord {
            relationship: Relationship::Dependent,
            ..employer.clone()
        };
        let same_insurer = EligibilityRecord {
            insurer_number: old.insurer_number.clone(),
            insurer_name: old.insurer_name.clone(),
            symbol: Some("7340155".into()),
            number: "42".into(),
            ..as_dependent.clone()
        };
        for (today, next, name) in [
            (d(2026, 10, 31), &as_dependent, "山田商事健康保険組合"),
            (d(2026, 11, 30), &as_dependent, "山田商事健康保険組合"),
            (d(2026, 11, 30), &same_insurer, "全国健康保険協会 東京支部"),
        ] {
            let (notice, to_do, all) = texts(&[old.clone(), next.clone()], today);
            // Before the day, the joining is ahead.
            let joins = if today < d(2026, 11, 1) {
                "加入する"
            } else {
                "加入している"
            };
            assert!(
                notice.contains(&format!(
                    "被保険者は新しい保険（{name}）に被扶養者として{joins}ため、被保険者の\
                     被扶養者にはなれません。お住まいの市区町村で国民健康保険に"
                )),
                "{today}: {notice}"
            );
            assert!(!all.contains("新しい勤務先"), "{today}: {all}");
            assert!(
                !all.contains(&format!("{name}）の被扶養者になる")),
                "{today}: {all}"
            );
            // The family member's insurance may be the lost 資格's insurer: the options speak of
            // the lost 資格, never of 「これまでの保険者」 (review of 2026-11-30).
            assert!(!all.contains("これまでの保険者"), "{today}: {all}");
            if today == d(2026, 11, 30) {
                let to_do = to_do.unwrap_or_default();
                assert!(
                    to_do.contains("ほかのご家族の健康保険の被扶養者"),
                    "{to_do}"
                );
            }
        }
    }

    /// A 被保険者 who lost their job and became their spouse's 被扶養者 is changed to 家族 (the
    /// member list has no other way to say so): their own lost record still ends their child's
    /// record on it (健康保険法 §3(7)), so the child's 資格確認書 is not shown as usable and the
    /// child is told what to join (review of 2026-11-30: the rule looked only at members marked
    /// 本人). The spouse's own record, of another 番号, ends nothing, and a member marked 家族
    /// turning 75 is nobody's 被保険者.
    #[test]
    fn a_parent_changed_to_dependent_still_ends_their_childs_record() {
        use crate::screen::calendar::record_in_force;
        // Changed to 家族; 75 on 2027-03-03, the child's record would end then if they counted.
        let parent = member(d(1952, 3, 3), Relationship::Dependent);
        let spouse = member(d(1980, 6, 6), Relationship::Insured);
        let child = member(d(2012, 4, 4), Relationship::Dependent);
        let lost = EligibilityRecord {
            lost_on: Some(d(2026, 11, 1)),
            ..record(DocumentKind::Certificate, Some(d(2030, 11, 30)))
        };
        let spouse_own = EligibilityRecord {
            insurer_number: InsurerNumber::parse("06139992").unwrap(),
            insurer_name: "山田商事健康保険組合".into(),
            symbol: Some("55".into()),
            number: "7".into(),
            ..record(DocumentKind::Certificate, Some(d(2030, 11, 30)))
        };
        let as_dependent = EligibilityRecord {
            relationship: Relationship::Dependent,
            acquired_on: Some(d(2026, 11, 1)),
            ..spouse_own.clone()
        };
        let childs = EligibilityRecord {
            relationship: Relationship::Dependent,
            branch: Some("02".into()),
            lost_on: None,
            ..lost.clone()
        };
        let parent_records = [lost, as_dependent];
        let spouse_records = [spouse_own];
        let child_records = [childs.clone()];
        let household = [
            household_member(&parent, &parent_records),
            household_member(&spouse, &spouse_records),
            household_member(&child, &child_records),
        ];
        let ctx = household_contexts(&household);
        assert_eq!(
            ctx[2].dependent_status_ends_on(&childs),
            Some(d(2026, 11, 1))
        );
        // The parent's own 家族 record is on the spouse's insurance, which has not ended.
        assert_eq!(ctx[0].dependent_status_ends_on(&parent_records[1]), None);
        let today = d(2026, 11, 30);
        assert!(!record_in_force(&childs, child.birth_date, &ctx[2], today));
        let notices = household_notices(&household, today);
        let lost = the_one(&notices[2], NoticeCode::CoverageLost);
        assert_eq!(lost.severity, Severity::Critical);
        // The parent's new insurance is the spouse's, as 被扶養者: not one to join through them.
        assert!(
            lost.message.contains(
                "被保険者は新しい保険（山田商事健康保険組合）に被扶養者として加入しているため、\
                 被保険者の被扶養者にはなれません。"
            ) && lost
                .message
                .contains("ほかのご家族の健康保険の被扶養者になる手続きをしてください"),
            "{}",
            lost.message
        );
        assert!(
            notices[0].is_empty() && notices[1].is_empty(),
            "{notices:?}"
        );
        // Past the parent's 75th birthday nothing more ends: a member marked 家族 is not a
        // 被保険者 whose 75th birthday moves anyone.
        let later = EligibilityRecord {
            lost_on: None,
            ..childs.clone()
        };
        let unlost = [EligibilityRecord {
            lost_on: None,
            ..parent_records[0].clone()
        }];
        let later_records = [later.clone()];
        let household = [
            household_member(&parent, &unlost),
            household_member(&child, &later_records),
        ];
        assert_eq!(
            household_contexts(&household)[1].dependent_status_ends_on(&later),
            None
        );
    }

    #[test]
    fn the_insureds_new_insurance_ends_the_dependents_old_record() {
        use crate::screen::calendar::record_in_force;
        let insured = member(d(1978, 5, 5), Relationship::Insured);
        let child = member(d(2010, 4, 4), Relationship::Dependent);
        // The old one prints its 交付年月日 (a record without any start of its own is not taken
        // over: `takeover`).
        let old = EligibilityRecord {
            issued_on: Some(d(2025, 11, 15)),
            ..record(DocumentKind::Certificate, Some(d(2030, 11, 30)))
        };
        let new = EligibilityRecord {
            insurer_number: InsurerNumber::parse("06139992").unwrap(),
            insurer_name: "山田商事健康保険組合".into(),
            acquired_on: Some(d(2026, 11, 21)),
            ..old.clone()
        };
        let mut dependent = old.clone();
        dependent.relationship = Relationship::Dependent;
        let own = [old.clone(), new];
        let dependents = [dependent.clone()];
        let household = [
            household_member(&insured, &own),
            household_member(&child, &dependents),
        ];
        let ctx = household_contexts(&household);
        assert_eq!(
            ctx[1].dependent_status_ends_on(&dependent),
            Some(d(2026, 11, 21))
        );
        let today = d(2026, 11, 30);
        assert!(!record_in_force(
            &dependent,
            child.birth_date,
            &ctx[1],
            today
        ));
        let m = &household_notices(&household, today)[1][0].message;
        assert!(
            m.starts_with("被保険者の新しい資格（令和8年11月21日取得）が入力されているため")
                && m.contains("手続きをしてください"),
            "{m}"
        );
        // The day is implied: within 5 days of it, the notice and the to-do give no deadline
        // for the 資格確認書 (review of 2026-11-30: the to-do gave one, from the implied day).
        let soon = d(2026, 11, 22);
        let m = &household_notices(&household, soon)[1][0].message;
        let to_do = {
            use crate::screen::guidance::{ClinicSituation, guidance};
            use crate::screen::situation::MemberSituation;
            let s = MemberSituation::in_household(&child, &dependents, &ctx[1], None, soon);
            let g = guidance(&s, &ClinicSituation::NO_READER, soon);
            g.to_do
                .iter()
                .map(|t| t.explanation.clone())
                .find(|t| t.contains("被扶養者の資格はなくなり"))
                .unwrap_or_default()
        };
        for text in [m, &to_do] {
            assert!(
                text.contains("被保険者を通じてすぐに") && !text.contains("5日以内"),
                "{text}"
            );
        }
        // Nor does the to-do give the implied day as the day the status ended: only the latest
        // it can have (review of 2026-12-01), as the notice says 「遅くともその日に」.
        assert!(
            to_do.contains("遅くとも令和8年11月21日には被扶養者の資格はなくなり"),
            "{to_do}"
        );
        // The new insurance typed in is named (not 「新しい勤務先の健康保険や任意継続」).
        assert!(
            m.contains(
                "被保険者の新しい保険（山田商事健康保険組合）の被扶養者になるか、お住まいの市区町村で\
                 国民健康保険に加入する手続きをしてください。"
            ) && !m.contains("新しい勤務先"),
            "{m}"
        );
        // Without the new 資格取得年月日 nothing is implied.
        let undated = [
            old,
            EligibilityRecord {
                kind: DocumentKind::Notice,
                insurer_number: InsurerNumber::parse("06139992").unwrap(),
                ..dependent.clone()
            },
        ];
        let household = [
            household_member(&insured, &undated),
            household_member(&child, &dependents),
        ];
        // (Only the 被保険者's 75th birthday, years ahead, ends it.)
        assert_eq!(
            household_contexts(&household)[1].dependent_status_ends_on(&dependent),
            Some(d(2053, 5, 5))
        );
    }

    /// After the 被保険者's 資格喪失日 a 被扶養者 who already has new coverage in force (the
    /// 被保険者's 任意継続, another 番号) is told what ended, not to join something again.
    #[test]
    fn a_dependent_covered_again_is_not_told_to_join() {
        let insured = member(d(1978, 5, 5), Relationship::Insured);
        let child = member(d(2010, 4, 4), Relationship::Dependent);
        let mut own = record(DocumentKind::Certificate, Some(d(2030, 11, 30)));
        own.lost_on = Some(d(2026, 11, 1));
        let mut old = own.clone();
        old.lost_on = None;
        old.relationship = Relationship::Dependent;
        let continued = EligibilityRecord {
            number: "90".into(),
            acquired_on: Some(d(2026, 11, 1)),
            ..old.clone()
        };
        let own = [own];
        let today = d(2026, 11, 30);
        for (records, told) in [(vec![old.clone()], true), (vec![old, continued], false)] {
            let household = [
                household_member(&insured, &own),
                household_member(&child, &records),
            ];
            let notices = household_notices(&household, today);
            let m = &notices[1][0].message;
            assert!(m.contains("被扶養者の資格もなくなりました"), "{m}");
            assert_eq!(m.contains("手続きをしてください"), told, "{m}");
            // Critical until covered again, then a Warning (the paper to return is left).
            assert_eq!(
                notices[1][0].severity,
                if told {
                    Severity::Critical
                } else {
                    Severity::Warning
                }
            );
            // Where the 資格確認書 goes back, covered again or not (the 5 days of notice A are
            // past here: 「すぐに」); before, only a member covered again was told on screen.
            assert!(
                m.contains("これまでの資格確認書は、被保険者を通じてすぐに"),
                "{m}"
            );
        }
    }

    /// Before the 被保険者's 資格喪失日, a 被扶養者 whose next insurance is typed in and starts
    /// by that day is told it is, not to prepare the filing (review of 2026-11-30).
    #[test]
    fn a_dependent_whose_next_insurance_is_typed_is_not_told_to_prepare() {
        let insured = member(d(1978, 5, 5), Relationship::Insured);
        let child = member(d(2010, 4, 4), Relationship::Dependent);
        let mut own = record(DocumentKind::Certificate, Some(d(2030, 11, 30)));
        own.lost_on = Some(d(2026, 12, 16));
        let mut old = own.clone();
        old.lost_on = None;
        old.relationship = Relationship::Dependent;
        let next = EligibilityRecord {
            insurer_number: InsurerNumber::parse("06139992").unwrap(),
            insurer_name: "ABC健康保険組合".into(),
            number: "7".into(),
            acquired_on: Some(d(2026, 12, 16)),
            valid_from: None,
            ..old.clone()
        };
        let own = [own];
        let today = d(2026, 12, 1);
        for (records, prepare) in [(vec![old.clone()], true), (vec![old, next], false)] {
            let household = [
                household_member(&insured, &own),
                household_member(&child, &records),
            ];
            let notices = household_notices(&household, today);
            let m = &notices[1][0].message;
            assert!(m.contains("被扶養者の資格もなくなり"), "{m}");
            assert_eq!(m.contains("手続きを準備してください"), prepare, "{m}");
            assert_eq!(
                m.contains(
                    "次の保険としてABC健康保険組合の書類（令和8年12月16日から）が入力されています"
                ),
                !prepare,
                "{m}"
            );
        }
    }

    /// After the 被保険者's 75th birthday a 被扶養者's 資格確認書 goes back through the 被保険者,
    /// covered again or not; once covered again (国保 from the birthday) the notice is a Warning
    /// and says nothing of what to join (review of 2026-11-30: nothing said to return it).
    #[test]
    fn at_the_insureds_75th_birthday_the_dependents_certificate_goes_back() {
        let insured = member(d(1951, 12, 10), Relationship::Insured);
        let wife = member(d(1958, 7, 7), Relationship::Dependent);
        let mine = [record(DocumentKind::Notice, None)];
        let mut hers = record(DocumentKind::Certificate, Some(d(2030, 11, 30)));
        hers.relationship = Relationship::Dependent;
        let nhi = EligibilityRecord {
            insurer_number: InsurerNumber::parse("138057").unwrap(),
            insurer_name: "練馬区".into(),
            relationship: Relationship::Insured,
            acquired_on: Some(d(2026, 12, 10)),
            valid_until: Some(d(2027, 7, 31)),
            ..hers.clone()
        };
        let today = d(2026, 12, 12);
        for (records, severity) in [
            (vec![hers.clone()], Severity::Critical),
            (vec![hers, nhi], Severity::Warning),
        ] {
            let household = [
                household_member(&insured, &mine),
                household_member(&wife, &records),
            ];
            let notices = household_notices(&household, today);
            let n = &notices[1][0];
            assert_eq!(n.code, NoticeCode::DependentLosesStatusAt75);
            assert_eq!(n.severity, severity, "{}", n.message);
            assert!(
                n.message
                    .contains("これまでの資格確認書は、被保険者を通じて"),
                "{}",
                n.message
            );
            assert_eq!(
                n.message.contains("手続きをしてください"),
                severity == Severity::Critical,
                "{}",
                n.message
            );
        }
    }

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
                    household_member(&insured, &mine),
                    household_member(&spouse, &theirs),
                    household_member(&child, &elsewhere),
                ],
                today,
            )
        };
        // The member: her own records end the day before (existing rule), 後期 from the day.
        assert_eq!(late_elderly_start(insured.birth_date), Some(d(2027, 3, 3)));
        assert_eq!(
            record_notices(&mine[0], insured.birth_date, d(2027, 3, 3), false)[0].code,
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
        // The notice names the insurer and the document that ended, as the 状態 field does.
        assert!(
            after[1][0]
                .message
                .contains("全国健康保険協会 東京支部の資格情報のお知らせでは受診できません"),
            "{}",
            after[1][0].message
        );
        assert!(
            year[1][0]
                .message
                .contains("全国健康保険協会 東京支部の被扶養者の資格がなくなり"),
            "{}",
            year[1][0].message
        );
        // Once the dependent's record has its 資格喪失日, the warning has done its job.
        let mut done = theirs[0].clone();
        done.lost_on = Some(d(2027, 3, 3));
        let done = [done];
        let quiet = household_notices(
            &[
                household_member(&insured, &mine),
                household_member(&spouse, &done),
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
                household_member(&insured, &nhi),
                household_member(&spouse, &nhi_dep),
            ],
            d(2027, 3, 3),
        );
        assert!(none.iter().all(Vec::is_empty));
    }

    /// The 本人 kept only their 後期 record (the old 被用者保険 one deleted or never typed): the
    /// dependent's record that names them as its 被保険者 (被保険者氏名, compared after
    /// `fold_name`) still ends on their 75th birthday. Another 被保険者氏名, or none: not known.
    #[test]
    fn a_dependent_naming_the_insured_ends_at_their_75th_birthday_without_their_record() {
        let insured = MemberData {
            name: "山田 太郎".into(),
            ..member(d(1951, 5, 10), Relationship::Insured)
        };
        let spouse = member(d(1958, 3, 3), Relationship::Dependent);
        let late = [EligibilityRecord {
            insurer_number: InsurerNumber::parse("39131016").unwrap(),
            symbol: None,
            ..record(DocumentKind::Certificate, Some(d(2027, 7, 31)))
        }];
        let theirs = EligibilityRecord {
            relationship: Relationship::Dependent,
            insured_name: Some("山田\u{3000}太郎".into()),
            ..record(DocumentKind::Certificate, Some(d(2029, 11, 30)))
        };
        let ctx = |r: &EligibilityRecord| {
            let records = [r.clone()];
            household_contexts(&[
                household_member(&insured, &late),
                household_member(&spouse, &records),
            ])
            .swap_remove(1)
            .dependent_status_ends_on(r)
        };
        assert_eq!(ctx(&theirs), Some(d(2026, 5, 10)));
        let other = EligibilityRecord {
            insured_name: Some("山田 次郎".into()),
            ..theirs.clone()
        };
        assert_eq!(ctx(&other), None);
        let unnamed = EligibilityRecord {
            insured_name: None,
            ..theirs
        };
        assert_eq!(ctx(&unnamed), None);
    }
}
