//! Calendar arithmetic for the eligibility screen: ages, periods of years, the My Number
//! Card's term, the JPKI certificate's expiry day and the 保険証 grace period after an expiry.
//! Every function is pure; the rules and their sources are in docs/dates.md.
//!
//! Birthday arithmetic follows 年齢計算ニ関スル法律 (age counts from the day of birth) and
//! 民法 §143: a period of years ends at the end of the day before the anniversary, and when
//! the anniversary does not exist (29 February in a common year) at the end of that month.

use chrono::{DateTime, Datelike, Months, NaiveDate, Utc};
use serde::Serialize;

use super::notices_household::HouseholdContext;
use super::takeover::TakeoverCause;
use crate::card::CardCheck;
use crate::eligibility::{DocumentKind, EligibilityRecord, InsurerNumber};

/// Months before an expiry date from which the certificate and the card are "expiring soon"
/// (the card reader's renewal alert starts 3 months before, docs/dates.md).
pub const CARD_WARNING_MONTHS: u32 = 3;

/// From this date of application the My Number Card's adult age is 18 instead of 20
/// (the 2022 change of the age of majority; docs/dates.md).
pub const CARD_ADULT_AGE_18_FROM: NaiveDate = match NaiveDate::from_ymd_opt(2022, 4, 1) {
    Some(d) => d,
    None => panic!("constant date"),
};

/// The last day of the given month.
pub fn last_day_of_month(year: i32, month: u32) -> Option<NaiveDate> {
    let first = NaiveDate::from_ymd_opt(year, month, 1)?;
    first.checked_add_months(Months::new(1))?.pred_opt()
}

/// The `years`-th anniversary of `date` as a calendar day: the same month and day, and
/// 28 February for a 29 February in a common year (the month's end, as 民法 §143(2) ends a
/// period "at the end of that month"; 道路交通法 §92-2 備考5 deems the same for licences).
pub fn anniversary(date: NaiveDate, years: u32) -> Option<NaiveDate> {
    // chrono clamps to the month's end, which is exactly the rule above.
    date.checked_add_months(Months::new(years.checked_mul(12)?))
}

/// The last day of a period of `years` years counted from `start` inclusive (年齢計算ニ関スル法律:
/// age counts from the day of birth; 民法 §143(2)): the day before the day of the final year
/// that corresponds to `start`, or the end of the month when that day does not exist.
///
/// Born 2000-04-02: 18 years end on 2018-04-01. Born 2004-02-29: they end on 2022-02-28 (no
/// 29 February: the end of February) and, in a leap year, on 2024-02-28 (the day before
/// 2024-02-29).
pub fn years_period_last_day(start: NaiveDate, years: u32) -> Option<NaiveDate> {
    let year = start.year().checked_add(i32::try_from(years).ok()?)?;
    match NaiveDate::from_ymd_opt(year, start.month(), start.day()) {
        Some(corresponding) => corresponding.pred_opt(),
        None => last_day_of_month(year, start.month()),
    }
}

/// The first day on which a person born on `birth` is `age` years old: the day after the end of
/// the period of [`years_period_last_day`] (the 誕生日 of everyday speech; 1 March for a
/// 29 February birth in a common year).
pub fn first_day_of_age(birth: NaiveDate, age: u32) -> Option<NaiveDate> {
    years_period_last_day(birth, age)?.succ_opt()
}

/// The age (満年齢) on `date` of a person born on `birth`; 0 before the first birthday and
/// for dates before the birth.
pub fn age_on(birth: NaiveDate, date: NaiveDate) -> u32 {
    let Ok(guess) = u32::try_from(date.year() - birth.year()) else {
        return 0;
    };
    match first_day_of_age(birth, guess) {
        Some(first) if date >= first => guess,
        _ => guess.saturating_sub(1),
    }
}

/// The day before the 75th birthday: the last day of 国保 / 被用者保険 coverage and of the
/// 高齢受給者 status before 後期高齢者医療 begins (docs/rules.md §1.3).
pub fn last_day_before_75(birth: NaiveDate) -> Option<NaiveDate> {
    years_period_last_day(birth, 75)
}

/// The My Number Card's expiry: the 10th birthday after `issued_on` when the holder was an
/// adult on that day, else the 5th (番号法施行規則 §26; docs/dates.md). "After" is
/// strict: a card issued on a birthday counts from the next one. The adult age is 18 for
/// cards issued from 2022-04-01 and 20 before; a card applied for before 2022-04-01 but issued
/// later by someone aged 18 or 19 really has the 5-year term (the application date is not
/// stored), so prefer the date printed on the card when it is known.
pub fn my_number_card_valid_until(birth: NaiveDate, issued_on: NaiveDate) -> Option<NaiveDate> {
    let adult_age = if issued_on < CARD_ADULT_AGE_18_FROM {
        20
    } else {
        18
    };
    let count = if age_on(birth, issued_on) >= adult_age {
        10
    } else {
        5
    };
    // The first birthday after the issue date.
    let mut first = 0;
    while anniversary(birth, first)? <= issued_on {
        first += 1;
    }
    anniversary(birth, first + count - 1)
}

/// The day a person born on `birth` reaches (達する) the age `age`: the day before the birthday
/// (年齢計算ニ関スル法律 with 民法 §143: the age is reached at the end of the day before the
/// anniversary). Laws that say 「…歳に達する日」 count from this day.
pub fn day_reaching_age(birth: NaiveDate, age: u32) -> Option<NaiveDate> {
    years_period_last_day(birth, age)
}

/// The last day of 未就学 (義務教育就学前, 2割): the first 31 March on or after the day the child
/// reaches 6 (健康保険法 §110(2)(i)ロ, 国民健康保険法 §42(1)(ii): 「6歳に達する日以後の最初の3月31日以前」). A child born on
/// 1 April reaches 6 on 31 March and so leaves 未就学 that very day (school starts with the
/// older year); a child born on 2 April reaches 6 on 1 April and stays 未就学 for a year more.
pub fn preschool_last_day(birth: NaiveDate) -> Option<NaiveDate> {
    let reach = day_reaching_age(birth, 6)?;
    let march31 = NaiveDate::from_ymd_opt(reach.year(), 3, 31)?;
    if reach <= march31 {
        Some(march31)
    } else {
        NaiveDate::from_ymd_opt(reach.year() + 1, 3, 31)
    }
}

/// True while a child born on `birth` is 未就学 on `date` (born, and not past
/// [`preschool_last_day`]).
pub fn is_preschool(birth: NaiveDate, date: NaiveDate) -> bool {
    date >= birth && preschool_last_day(birth).is_some_and(|last| date <= last)
}

/// The first day of 高齢受給者 status (70–74): the first day of the month after the month in
/// which the person reaches 70 (健康保険法 §74(1)(ii): 「70歳に達する日の属する月の翌月以後」).
/// Born on the 1st of a month, the person reaches 70 on the last day of the month before the
/// birthday, so the status starts on the 70th birthday itself; born on any other day, on the
/// 1st of the month after the 70th birthday.
pub fn elderly_recipient_start(birth: NaiveDate) -> Option<NaiveDate> {
    let reach = day_reaching_age(birth, 70)?;
    NaiveDate::from_ymd_opt(reach.year(), reach.month(), 1)?.checked_add_months(Months::new(1))
}

/// The first day of 後期高齢者医療 for a person born on `birth`: the 75th birthday itself
/// (高齢者の医療の確保に関する法律 §50, §52(1): 「75歳に達したとき」 counts from the birthday).
/// Until the day before, 国保 or 被用者保険 covers them ([`last_day_before_75`]).
pub fn late_elderly_start(birth: NaiveDate) -> Option<NaiveDate> {
    first_day_of_age(birth, 75)
}

/// A person born on `birth` is 75 or over on `day`: a 後期高齢者医療 被保険者 from
/// [`late_elderly_start`].
pub(crate) fn late_elderly_on(birth: NaiveDate, day: NaiveDate) -> bool {
    late_elderly_start(birth).is_some_and(|start| day >= start)
}

/// When an eligibility record stops being in force ([`record_last_day`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct RecordEnd {
    /// The last day the record is in force.
    pub(crate) last_day: NaiveDate,
    /// True when that day is the day before the 75th birthday rather than the printed 有効期限.
    pub(crate) at_75: bool,
}

/// The last day an eligibility record is in force: its printed 有効期限 (`valid_until`), cut to
/// the day before the 75th birthday ([`last_day_before_75`]) for an insurance record whose
/// insurer is not a 後期高齢者医療広域連合 — from the 75th birthday the member is a 後期高齢者医療
/// 被保険者 (高齢者の医療の確保に関する法律 §50, §52(1); docs/rules.md §1.4, docs/dates.md). A
/// 公費 受給者証 and a 後期高齢者医療 record end on their printed 有効期限 only. `None` when the
/// record has no 有効期限 and is not cut at 75.
///
/// The one rule behind the household screen's 有効期限 notices and the clinic desk's
/// 有効期限切れ（資格） verdict.
pub(crate) fn record_last_day(
    kind: DocumentKind,
    insurer: &InsurerNumber,
    valid_until: Option<NaiveDate>,
    birth: NaiveDate,
) -> Option<RecordEnd> {
    let end75 = (kind.is_insurance() && !insurer.is_late_elderly())
        .then(|| last_day_before_75(birth))
        .flatten();
    match (valid_until, end75) {
        (Some(until), Some(l)) if l < until => Some(RecordEnd {
            last_day: l,
            at_75: true,
        }),
        (Some(until), _) => Some(RecordEnd {
            last_day: until,
            at_75: false,
        }),
        (None, Some(l)) => Some(RecordEnd {
            last_day: l,
            at_75: true,
        }),
        (None, None) => None,
    }
}

/// True while `record` is in force on `today` for a member born on `birth`: it has started (its
/// 有効開始年月日 and 資格取得年月日, when printed, are not after today:
/// [`EligibilityRecord::starts_on`]), its coverage is not lost (the
/// 資格喪失日 is the first day without it, [`EligibilityRecord::is_lost`], docs/rules.md §3.3), and
/// today is not past its last day ([`record_last_day`]: the printed 有効期限, cut to the day
/// before the 75th birthday unless the insurer is a 後期高齢者医療広域連合 — 高齢者の医療の確保に
/// 関する法律 §50, §52(1)). A record that has not started is not the one to show today: the
/// clinic desk calls it 有効期間前 (not confirmed), docs/clinic.md.
///
/// For a 被扶養者, `household` adds the household's rule: a 被用者保険 record is not in force from
/// the day its 被保険者 turns 75 and moves to 後期高齢者医療, or from the 被保険者's 資格喪失日 on
/// it ([`HouseholdContext::dependent_status_ends_on`], docs/rules.md §1.4 "Dependents"); a member
/// read without the household passes `HouseholdContext::of_member` (what the member's own later
/// records decide: another insurance acquired, a 資格確認書 reissued — `super::takeover`).
///
/// The one rule behind what the screens count as held: the documents of a member's situation,
/// its 公費 医療証 and this app's copy shown at the clinic, the insurance that applies for the age
/// notices, and 「両方お持ち」 (docs/rules.md §1.4).
pub(crate) fn record_in_force(
    record: &EligibilityRecord,
    birth: NaiveDate,
    household: &HouseholdContext,
    today: NaiveDate,
) -> bool {
    record.starts_on().is_none_or(|from| from <= today)
        && !record.is_lost(today)
        && !household.dependent_status_ended(record, today)
        && !household.taken_over_by(record, today)
        && record_last_day(
            record.kind,
            &record.insurer_number,
            record.valid_until,
            birth,
        )
        .is_none_or(|end| today <= end.last_day)
}

/// Why a record is no longer in force ([`record_ended`]), with the day it happened.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum RecordEnded {
    /// Its 資格喪失日 (the first day without the coverage) has come (docs/rules.md §3.3).
    Lost(NaiveDate),
    /// A 被扶養者's status ended on this day, the 被保険者's 75th birthday or 資格喪失日
    /// ([`HouseholdContext::dependent_status_ends_on`], docs/rules.md §1.4 "Dependents").
    DependentStatus(NaiveDate),
    /// Another insurance of the member was acquired on this day, or this 資格確認書 was
    /// reissued from it ([`HouseholdContext::taken_over`], `super::takeover`).
    TakenOver(NaiveDate, TakeoverCause),
    /// Its last day was the day before the 75th birthday ([`RecordEnd::at_75`]).
    At75(NaiveDate),
    /// Its last day was its printed 有効期限.
    Expired(NaiveDate),
}

/// Why `record` has ended by `today`, when it has: the same rule as [`record_in_force`] (a
/// record that has ended is not in force), without "not started yet", which is not an end. The
/// screen marks such a record (docs/dates.md §4), and the guidance names it as the one not to
/// show.
pub(crate) fn record_ended(
    record: &EligibilityRecord,
    birth: NaiveDate,
    household: &HouseholdContext,
    today: NaiveDate,
) -> Option<RecordEnded> {
    if let Some(lost) = record.lost_on.filter(|&l| today >= l) {
        return Some(RecordEnded::Lost(lost));
    }
    if let Some(end) = household
        .dependent_status_ends_on(record)
        .filter(|&e| today >= e)
    {
        return Some(RecordEnded::DependentStatus(end));
    }
    let end = record_last_day(
        record.kind,
        &record.insurer_number,
        record.valid_until,
        birth,
    );
    // Taken over while it was still in force (a record that ended at 75 or at its 有効期限
    // before says so).
    if let Some((on, cause, _)) = household.taken_over(record)
        && today >= on
        && end.is_none_or(|e| e.last_day >= on)
    {
        return Some(RecordEnded::TakenOver(on, cause));
    }
    let end = end?;
    (today > end.last_day).then_some(if end.at_75 {
        RecordEnded::At75(end.last_day)
    } else {
        RecordEnded::Expired(end.last_day)
    })
}

/// The day `record` starts when that is after `today`: its 有効開始年月日 or, when later, its
/// 資格取得年月日 ([`EligibilityRecord::starts_on`]). Until
/// then it is not in force ([`record_in_force`]) — the desk calls it 有効期間前 (docs/clinic.md) —
/// and the screen marks it (docs/dates.md §4), so that a 後期高齢者医療 資格確認書 entered before
/// the 75th birthday is not shown before that day. `None` once started, or without a printed start.
pub(crate) fn record_not_started(
    record: &EligibilityRecord,
    today: NaiveDate,
) -> Option<NaiveDate> {
    record.starts_on().filter(|&from| from > today)
}

/// Why a 一部負担金割合 is what the law sets for a person on a given day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CopayBasis {
    /// 未就学: 2割 (健康保険法 §110(2)(i)ロ, 国民健康保険法 §42(1)(ii)).
    Preschool,
    /// From school age to the 高齢受給者 start: 3割 (§74(1)(i)).
    General,
    /// 高齢受給者 (70–74): 2割, or 3割 for 現役並み所得者 (§74(1)(ii), (iii)).
    ElderlyRecipient,
    /// 後期高齢者医療 (75+, or 65–74 with a 障害認定): 1割, 2割 or 3割 by income
    /// (高齢者の医療の確保に関する法律 §67).
    LateElderly,
}

/// The 一部負担金割合 the law allows for a person on a given day: the shares it can be, and why.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct StatutoryCopay {
    /// Which rule applies.
    pub basis: CopayBasis,
    /// The first day that rule applies to the person (the birth date for 未就学).
    pub since: NaiveDate,
}

impl StatutoryCopay {
    /// The shares the rule allows, in percent.
    pub fn allowed_percent(&self) -> &'static [u8] {
        match self.basis {
            CopayBasis::Preschool => &[20],
            CopayBasis::General => &[30],
            CopayBasis::ElderlyRecipient => &[20, 30],
            CopayBasis::LateElderly => &[10, 20, 30],
        }
    }

    /// True when `percent` is a share the rule allows.
    pub fn allows(&self, percent: u8) -> bool {
        self.allowed_percent().contains(&percent)
    }
}

/// The share the law sets on `date` for a person born on `birth`, under 後期高齢者医療 when
/// `late_elderly` (the record's 保険者番号 starts with 39) or else under 国保 / 被用者保険.
/// `None` before the birth.
pub fn statutory_copay(
    birth: NaiveDate,
    date: NaiveDate,
    late_elderly: bool,
) -> Option<StatutoryCopay> {
    if date < birth {
        return None;
    }
    let at = |basis, since| Some(StatutoryCopay { basis, since });
    if late_elderly {
        // From the 75th birthday, or earlier with a 障害認定 (then the day is not known).
        let since = late_elderly_start(birth)
            .filter(|s| *s <= date)
            .unwrap_or(date);
        return at(CopayBasis::LateElderly, since);
    }
    let preschool_end = preschool_last_day(birth)?;
    if date <= preschool_end {
        return at(CopayBasis::Preschool, birth);
    }
    let elderly = elderly_recipient_start(birth)?;
    if date < elderly {
        return at(CopayBasis::General, preschool_end.succ_opt()?);
    }
    // Past the 75th birthday a non-後期 record no longer applies; the 70–74 rule is the last
    // one it can carry.
    at(CopayBasis::ElderlyRecipient, elderly)
}

/// The last day of 未就学 when `record`'s typed share is the 2割 of a document from before 就学
/// (known by its 有効開始年月日, else its 交付年月日: a document issued in March that applies
/// from the 4月1日 is one of after 就学) and the 就学後 rule (3割) applies on `on`: the share
/// changed by law the next day, the 4月1日 (docs/rules.md §1.2). `None` otherwise — also for a
/// 2割 without either date, which is asked to be checked as any share the law does not allow.
pub(crate) fn preschool_share_outdated(
    record: &EligibilityRecord,
    birth: NaiveDate,
    on: NaiveDate,
) -> Option<NaiveDate> {
    let printed = record.valid_from.or(record.issued_on)?;
    preschool_share_ended(record, birth, on).filter(|&last| printed <= last)
}

/// The last day of 未就学 when `record`'s typed share is 2割, the 就学後 rule (3割) applies on
/// `on`, and the record applied before 就学 ended (its 有効開始年月日, else its 交付年月日, else its
/// 資格取得年月日, on or before that day): the law's share changed while it was in use, and the
/// screen's 一部負担金割合 field gives the share since the 4月1日 beside the typed 2割
/// (「令和9年4月1日から3割（就学後）」) — also for a document whose only date is its 資格取得年月日,
/// so that a clinic reading the field alone does not take the 2割 for today's share (review of
/// 2026-11-30). Whether the document was printed before 就学 is [`preschool_share_outdated`]'s
/// question.
pub(crate) fn preschool_share_ended(
    record: &EligibilityRecord,
    birth: NaiveDate,
    on: NaiveDate,
) -> Option<NaiveDate> {
    let last = preschool_last_day(birth)?;
    let rule = statutory_copay(birth, on, record.insurer_number.is_late_elderly())?;
    let applied = record
        .valid_from
        .or(record.issued_on)
        .or(record.acquired_on)?;
    // A child's: an adult's 2割 is no share left from 未就学 (the 70-year-old's お知らせ of a
    // 資格 acquired at birth is not one, review of 2026-11-30); asked to be checked instead.
    (record.copay.is_some_and(|c| c.percent() == 20)
        && rule.basis == CopayBasis::General
        && applied <= last
        && age_on(birth, on) < PRESCHOOL_SHARE_AGES_BELOW)
        .then_some(last)
}

/// The ages below which a 2割 read after 就学 is said to be 未就学's ([`preschool_share_ended`]):
/// a child's (PRODUCT: under 18; an お知らせ has no 有効期限, so one from before 就学 can still be
/// in use years after).
const PRESCHOOL_SHARE_AGES_BELOW: u32 = 18;

/// The calendar day (Japan time, UTC+9, no daylight saving) of a certificate's notAfter: the
/// last day the certificate is valid. J-LIS certificates end at 23:59:59 JST on the 5th
/// birthday after issue.
pub fn certificate_expiry_date(not_after: DateTime<Utc>) -> NaiveDate {
    crate::clock::japan_today(not_after)
}

/// The last day a My Number Card whose certificate (or the card itself) expired on `expiry`
/// still works as a 保険証: the end of the 3rd month after the month of expiry (an expiry in
/// February works to the end of May; docs/dates.md).
pub fn insurance_grace_last_day(expiry: NaiveDate) -> Option<NaiveDate> {
    let first = NaiveDate::from_ymd_opt(expiry.year(), expiry.month(), 1)?;
    first.checked_add_months(Months::new(4))?.pred_opt()
}

/// Where a card or certificate stands on a given day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ExpiryState {
    /// Valid, more than 3 months before expiry.
    Valid,
    /// Valid, within 3 months of expiry (the expiry day included).
    ExpiringSoon,
    /// Expired, but still usable as a 保険証 (up to the end of the 3rd month after expiry).
    InGrace,
    /// Expired and past the grace period: no longer usable as a 保険証.
    Ended,
}

impl ExpiryState {
    /// True while the card still works as a 保険証 at the reader (not [`ExpiryState::Ended`]).
    pub fn usable_as_insurance(self) -> bool {
        self != ExpiryState::Ended
    }
}

/// The state on `today` of something that expires on `expiry` (its last valid day).
pub fn expiry_state(expiry: NaiveDate, today: NaiveDate) -> ExpiryState {
    if today <= expiry {
        let warn_from = expiry.checked_sub_months(Months::new(CARD_WARNING_MONTHS));
        if warn_from.is_some_and(|w| today >= w) {
            ExpiryState::ExpiringSoon
        } else {
            ExpiryState::Valid
        }
    } else if insurance_grace_last_day(expiry).is_none_or(|g| today <= g) {
        ExpiryState::InGrace
    } else {
        ExpiryState::Ended
    }
}

/// The state of the 利用者証明用電子証明書 of a card check on `today`.
pub fn certificate_state(check: &CardCheck, today: NaiveDate) -> ExpiryState {
    expiry_state(certificate_expiry_date(check.certificate_not_after), today)
}

/// Days from `today` to `date` (negative when `date` is past); handy for "あと30日".
pub fn days_until(date: NaiveDate, today: NaiveDate) -> i64 {
    (date - today).num_days()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    /// notAfter as J-LIS writes it: 23:59:59 JST (14:59:59 UTC) on the expiry day.
    fn not_after(expiry: NaiveDate) -> DateTime<Utc> {
        expiry.and_hms_opt(14, 59, 59).unwrap().and_utc()
    }

    #[test]
    fn period_of_years_and_age() {
        // Ordinary birth: 18 years end the day before the birthday.
        assert_eq!(
            years_period_last_day(d(2000, 4, 2), 18),
            Some(d(2018, 4, 1))
        );
        assert_eq!(first_day_of_age(d(2000, 4, 2), 18), Some(d(2018, 4, 2)));
        // 29 February: common year → end of February; leap year → the day before 29 Feb.
        assert_eq!(
            years_period_last_day(d(2004, 2, 29), 1),
            Some(d(2005, 2, 28))
        );
        assert_eq!(
            years_period_last_day(d(2004, 2, 29), 18),
            Some(d(2022, 2, 28))
        );
        assert_eq!(
            years_period_last_day(d(2004, 2, 29), 20),
            Some(d(2024, 2, 28))
        );
        assert_eq!(first_day_of_age(d(2004, 2, 29), 18), Some(d(2022, 3, 1)));
        assert_eq!(first_day_of_age(d(2004, 2, 29), 20), Some(d(2024, 2, 29)));
        // 1 March births turn a year older on 1 March in both kinds of year.
        assert_eq!(first_day_of_age(d(2004, 3, 1), 1), Some(d(2005, 3, 1)));
        assert_eq!(first_day_of_age(d(2004, 3, 1), 4), Some(d(2008, 3, 1)));

        let feb29 = d(2004, 2, 29);
        for (date, age) in [
            (d(2022, 2, 27), 17),
            (d(2022, 2, 28), 17),
            (d(2022, 3, 1), 18),
            (d(2024, 2, 28), 19),
            (d(2024, 2, 29), 20),
            (d(2024, 3, 1), 20),
            (d(2004, 2, 29), 0),
            (d(2003, 1, 1), 0),
        ] {
            assert_eq!(age_on(feb29, date), age, "{date}");
        }
        let apr2 = d(2000, 4, 2);
        assert_eq!(age_on(apr2, d(2018, 4, 1)), 17);
        assert_eq!(age_on(apr2, d(2018, 4, 2)), 18);
        assert_eq!(age_on(apr2, d(2018, 4, 3)), 18);
    }

    #[test]
    fn anniversaries() {
        assert_eq!(anniversary(d(2004, 2, 29), 1), Some(d(2005, 2, 28)));
        assert_eq!(anniversary(d(2004, 2, 29), 4), Some(d(2008, 2, 29)));
        assert_eq!(anniversary(d(1990, 6, 15), 10), Some(d(2000, 6, 15)));
        assert_eq!(last_day_of_month(2024, 2), Some(d(2024, 2, 29)));
        assert_eq!(last_day_of_month(2025, 2), Some(d(2025, 2, 28)));
        assert_eq!(last_day_of_month(2025, 12), Some(d(2025, 12, 31)));
    }

    #[test]
    fn day_before_75() {
        assert_eq!(last_day_before_75(d(1951, 11, 24)), Some(d(2026, 11, 23)));
        // 29 February 1952: 2027 is a common year → 28 February; 2028 birth year + 75 = leap.
        assert_eq!(last_day_before_75(d(1952, 2, 29)), Some(d(2027, 2, 28)));
        assert_eq!(last_day_before_75(d(1953, 2, 28)), Some(d(2028, 2, 27)));
        assert_eq!(last_day_before_75(d(1953, 3, 1)), Some(d(2028, 2, 29)));
    }

    #[test]
    fn card_validity_terms() {
        // Adult (18+) issued 2020-05-15, birthday 10-10: 10th birthday after issue.
        assert_eq!(
            my_number_card_valid_until(d(1980, 10, 10), d(2020, 5, 15)),
            Some(d(2029, 10, 10))
        );
        // Issued on the birthday itself: that birthday does not count.
        assert_eq!(
            my_number_card_valid_until(d(1980, 10, 10), d(2020, 10, 10)),
            Some(d(2030, 10, 10))
        );
        // The day after the birthday: 10 full years.
        assert_eq!(
            my_number_card_valid_until(d(1980, 10, 10), d(2020, 10, 11)),
            Some(d(2030, 10, 10))
        );
        // Aged 17 at issue (from 2022-04-01 the cut is 18): 5th birthday.
        assert_eq!(
            my_number_card_valid_until(d(2005, 6, 1), d(2023, 5, 31)),
            Some(d(2027, 6, 1))
        );
        // Turns 18 on the issue day: adult.
        assert_eq!(
            my_number_card_valid_until(d(2005, 6, 1), d(2023, 6, 1)),
            Some(d(2033, 6, 1))
        );
        // Aged 19 before 2022-04-01: the cut was 20 → 5 years; aged 19 after it → 10.
        assert_eq!(
            my_number_card_valid_until(d(2002, 1, 10), d(2022, 1, 5)),
            Some(d(2026, 1, 10))
        );
        assert_eq!(
            my_number_card_valid_until(d(2002, 5, 10), d(2022, 4, 1)),
            Some(d(2031, 5, 10))
        );
        // 29 February birth: the 10th birthday lands in a common year → 28 February.
        assert_eq!(
            my_number_card_valid_until(d(1980, 2, 29), d(2021, 3, 1)),
            Some(d(2031, 2, 28))
        );
        // … and in a leap year → 29 February.
        assert_eq!(
            my_number_card_valid_until(d(1980, 2, 29), d(2022, 3, 1)),
            Some(d(2032, 2, 29))
        );
        // Issued 2031-02-28 (a common year, where the deemed birthday is 28 February): the
        // next birthday is 2032-02-29.
        assert_eq!(
            my_number_card_valid_until(d(1980, 2, 29), d(2031, 2, 28)),
            Some(d(2041, 2, 28))
        );
    }

    #[test]
    fn preschool_ends_on_the_first_31_march_after_reaching_6() {
        // Born 1 April: reaches 6 on 31 March, the day 未就学 ends (the older school year).
        assert_eq!(preschool_last_day(d(2019, 4, 1)), Some(d(2025, 3, 31)));
        assert!(is_preschool(d(2019, 4, 1), d(2025, 3, 31)));
        assert!(!is_preschool(d(2019, 4, 1), d(2025, 4, 1)));
        // Born 2 April: reaches 6 on 1 April, so 未就学 lasts to the next 31 March.
        assert_eq!(preschool_last_day(d(2019, 4, 2)), Some(d(2026, 3, 31)));
        assert!(is_preschool(d(2019, 4, 2), d(2026, 3, 31)));
        assert!(!is_preschool(d(2019, 4, 2), d(2026, 4, 1)));
        // Born 31 March and 1 January: the same school year as 1 April.
        assert_eq!(preschool_last_day(d(2019, 3, 31)), Some(d(2025, 3, 31)));
        assert_eq!(preschool_last_day(d(2019, 1, 1)), Some(d(2025, 3, 31)));
        // 29 February: reaches 6 on 28 February of a common year.
        assert_eq!(preschool_last_day(d(2020, 2, 29)), Some(d(2026, 3, 31)));
        // Not before birth.
        assert!(!is_preschool(d(2019, 4, 2), d(2019, 4, 1)));
        assert!(is_preschool(d(2019, 4, 2), d(2019, 4, 2)));
    }

    #[test]
    fn elderly_recipient_starts_the_month_after_reaching_70() {
        // Born on the 1st: reaches 70 on the last day of the month before → the birthday.
        assert_eq!(
            elderly_recipient_start(d(1956, 10, 1)),
            Some(d(2026, 10, 1))
        );
        // Born on another day: the 1st of the month after the birthday.
        assert_eq!(
            elderly_recipient_start(d(1956, 10, 2)),
            Some(d(2026, 11, 1))
        );
        assert_eq!(
            elderly_recipient_start(d(1956, 10, 31)),
            Some(d(2026, 11, 1))
        );
        assert_eq!(
            elderly_recipient_start(d(1956, 12, 15)),
            Some(d(2027, 1, 1))
        );
        // 1 January: reaches 70 on 31 December.
        assert_eq!(elderly_recipient_start(d(1957, 1, 1)), Some(d(2027, 1, 1)));
        // 29 February: reaches 70 on 28 February (common year) → 1 March.
        assert_eq!(elderly_recipient_start(d(1956, 2, 29)), Some(d(2026, 3, 1)));
        assert_eq!(day_reaching_age(d(1956, 10, 1), 70), Some(d(2026, 9, 30)));
    }

    #[test]
    fn late_elderly_starts_on_the_75th_birthday() {
        assert_eq!(late_elderly_start(d(1951, 11, 24)), Some(d(2026, 11, 24)));
        assert_eq!(late_elderly_start(d(1952, 3, 1)), Some(d(2027, 3, 1)));
        // 29 February 1952: 2027 is a common year → 1 March.
        assert_eq!(late_elderly_start(d(1952, 2, 29)), Some(d(2027, 3, 1)));
        assert_eq!(
            late_elderly_start(d(1951, 11, 24)).and_then(|d| d.pred_opt()),
            last_day_before_75(d(1951, 11, 24))
        );
    }

    #[test]
    fn a_record_ends_on_its_expiry_cut_the_day_before_75_unless_late_elderly() {
        let kyokai = InsurerNumber::parse("01130012").unwrap();
        let late = InsurerNumber::parse("39131156").unwrap();
        let end = |last_day, at_75| Some(RecordEnd { last_day, at_75 });
        let cert = DocumentKind::Certificate;
        // Born on the 1st of a month: the day before the 75th birthday is the month before's end.
        let first = d(1952, 3, 1);
        assert_eq!(
            record_last_day(cert, &kyokai, Some(d(2027, 7, 31)), first),
            end(d(2027, 2, 28), true)
        );
        // Born on 29 February: 28 February of a common year. Born on 28 February: the 27th, even
        // in a leap year.
        let leap = d(1952, 2, 29);
        assert_eq!(
            record_last_day(cert, &kyokai, Some(d(2027, 7, 31)), leap),
            end(d(2027, 2, 28), true)
        );
        assert_eq!(
            record_last_day(cert, &kyokai, Some(d(2028, 7, 31)), d(1953, 2, 28)),
            end(d(2028, 2, 27), true)
        );
        // A printed 有効期限 before (or on) the day before 75 stays the end.
        assert_eq!(
            record_last_day(cert, &kyokai, Some(d(2027, 1, 31)), leap),
            end(d(2027, 1, 31), false)
        );
        assert_eq!(
            record_last_day(cert, &kyokai, Some(d(2027, 2, 28)), leap),
            end(d(2027, 2, 28), false)
        );
        // No 有効期限: the 75th birthday still ends an insurance record.
        assert_eq!(
            record_last_day(DocumentKind::Notice, &kyokai, None, first),
            end(d(2027, 2, 28), true)
        );
        // 後期高齢者医療 and 公費 are never cut at 75.
        assert_eq!(
            record_last_day(cert, &late, Some(d(2028, 7, 31)), leap),
            end(d(2028, 7, 31), false)
        );
        assert_eq!(record_last_day(cert, &late, None, leap), None);
        assert_eq!(
            record_last_day(
                DocumentKind::PublicExpense,
                &kyokai,
                Some(d(2028, 7, 31)),
                leap
            ),
            end(d(2028, 7, 31), false)
        );
        assert_eq!(
            record_last_day(DocumentKind::PublicExpense, &kyokai, None, leap),
            None
        );
    }

    #[test]
    fn copay_plausibility_by_age_and_scheme() {
        let basis = |birth, date, late| statutory_copay(birth, date, late).map(|s| s.basis);
        let child = d(2019, 4, 2);
        assert_eq!(
            basis(child, d(2026, 3, 31), false),
            Some(CopayBasis::Preschool)
        );
        let general = statutory_copay(child, d(2026, 4, 1), false).unwrap();
        assert_eq!(
            (general.basis, general.since),
            (CopayBasis::General, d(2026, 4, 1))
        );
        assert!(general.allows(30) && !general.allows(20));
        let seventy = d(1956, 10, 2);
        assert_eq!(
            basis(seventy, d(2026, 10, 31), false),
            Some(CopayBasis::General)
        );
        let elderly = statutory_copay(seventy, d(2026, 11, 1), false).unwrap();
        assert_eq!(
            (elderly.basis, elderly.since),
            (CopayBasis::ElderlyRecipient, d(2026, 11, 1))
        );
        assert!(elderly.allows(20) && elderly.allows(30) && !elderly.allows(10));
        let late = statutory_copay(d(1950, 5, 5), d(2026, 11, 1), true).unwrap();
        assert_eq!(
            (late.basis, late.since),
            (CopayBasis::LateElderly, d(2025, 5, 5))
        );
        assert!(late.allows(10));
        // 後期 before 75 (障害認定): allowed, from the day asked about.
        assert_eq!(
            statutory_copay(d(1958, 5, 5), d(2026, 11, 1), true).map(|s| s.since),
            Some(d(2026, 11, 1))
        );
        assert_eq!(statutory_copay(child, d(2019, 4, 1), false), None);
    }

    #[test]
    fn certificate_date_is_japan_time() {
        assert_eq!(
            certificate_expiry_date(not_after(d(2027, 3, 10))),
            d(2027, 3, 10)
        );
        // 15:00 UTC is already the next day in Japan.
        let late = d(2027, 3, 10).and_hms_opt(15, 0, 0).unwrap().and_utc();
        assert_eq!(certificate_expiry_date(late), d(2027, 3, 11));
    }

    #[test]
    fn grace_is_end_of_third_month_after() {
        assert_eq!(
            insurance_grace_last_day(d(2026, 2, 10)),
            Some(d(2026, 5, 31))
        );
        assert_eq!(
            insurance_grace_last_day(d(2025, 11, 10)),
            Some(d(2026, 2, 28))
        );
        assert_eq!(
            insurance_grace_last_day(d(2027, 11, 30)),
            Some(d(2028, 2, 29))
        );
        assert_eq!(
            insurance_grace_last_day(d(2026, 10, 31)),
            Some(d(2027, 1, 31))
        );
    }

    /// The share since 就学 is given beside a typed 2割 on a record that applied before 就学
    /// ended — by its 有効開始年月日, else 交付年月日, else 資格取得年月日 (review of 2026-11-30:
    /// a document typed with its 資格取得年月日 only showed 2割 alone); whether the document was
    /// printed before 就学 (`preschool_share_outdated`) still needs one of the first two.
    #[test]
    fn the_share_since_school_is_given_by_any_date_the_record_applied_from() {
        use crate::eligibility::CopayRate;
        use crate::screen::rules::test_fixtures::record;
        // Born 2020-08-20: 未就学 to 2027-03-31.
        let birth = d(2020, 8, 20);
        let pupil = d(2027, 4, 1);
        let mut r = record(DocumentKind::Certificate, Some(d(2030, 11, 30)));
        r.copay = Some(CopayRate::Twenty);
        r.valid_from = None;
        r.issued_on = None;
        r.acquired_on = Some(d(2026, 12, 16));
        assert_eq!(
            preschool_share_ended(&r, birth, pupil),
            Some(d(2027, 3, 31))
        );
        assert_eq!(preschool_share_outdated(&r, birth, pupil), None);
        // Not before 就学 ends, not for a 3割, not for a record acquired after it, nor one
        // with no date at all (the notice asks for the document to be checked).
        assert_eq!(preschool_share_ended(&r, birth, d(2027, 3, 31)), None);
        let three = EligibilityRecord {
            copay: Some(CopayRate::Thirty),
            ..r.clone()
        };
        assert_eq!(preschool_share_ended(&three, birth, pupil), None);
        let later = EligibilityRecord {
            acquired_on: Some(d(2027, 4, 1)),
            ..r.clone()
        };
        assert_eq!(preschool_share_ended(&later, birth, pupil), None);
        let undated = EligibilityRecord {
            acquired_on: None,
            ..r.clone()
        };
        assert_eq!(preschool_share_ended(&undated, birth, pupil), None);
        // Not an adult's: a 70-year-old's お知らせ of a 資格 acquired at birth.
        let old = EligibilityRecord {
            acquired_on: Some(d(1956, 12, 15)),
            ..r.clone()
        };
        assert_eq!(
            preschool_share_ended(&old, d(1956, 12, 15), d(2026, 12, 20)),
            None
        );
        // Printed before 就学: both.
        let printed = EligibilityRecord {
            issued_on: Some(d(2026, 12, 20)),
            ..r
        };
        assert_eq!(
            preschool_share_outdated(&printed, birth, pupil),
            Some(d(2027, 3, 31))
        );
    }
}
