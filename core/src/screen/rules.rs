//! Notice rules for the eligibility screen: JPKI certificate and My Number Card expiry,
//! document expiry (資格確認書, 資格情報のお知らせ, the 70–74 rules and the 75th birthday),
//! 高齢受給者 発効期日, and "a マイナ保険証 and a 資格確認書 both held". Every rule is a pure
//! function of its inputs and `today`; the rules and their sources are in docs/dates.md. The
//! date arithmetic is in [`super::calendar`], the Japanese text in `text_ja`.

use chrono::NaiveDate;
use serde::Serialize;

use super::text_ja;
use crate::card::CardCheck;
use crate::eligibility::{EligibilityRecord, MemberData, Relationship, Sex};

// The calendar rules were first defined here; their paths under `screen::rules` stay valid.
pub use super::calendar::{
    CARD_ADULT_AGE_18_FROM, CARD_WARNING_MONTHS, ExpiryState, age_on, anniversary,
    certificate_expiry_date, certificate_state, days_until, expiry_state, first_day_of_age,
    insurance_grace_last_day, last_day_before_75, last_day_of_month, my_number_card_valid_until,
    years_period_last_day,
};
// The notices about cards and certificates, about documents and ages, and about the household
// were first defined here; their paths under `screen::rules` stay valid.
use super::notices_card::both_held_notice_in;
pub use super::notices_card::{
    LATE_ELDERLY_BOTH_UNTIL, both_held_notice, card_notice, card_notice_from_issue,
    card_valid_until, certificate_notice,
};
pub use super::notices_household::{
    HouseholdContext, HouseholdMember, household_contexts, household_notices,
};
use super::notices_record::{
    CardTakeover, age_notices_in, not_started_notice, record_notices_renewed, renewal_of,
    taken_over_notice,
};
pub use super::notices_record::{
    DOCUMENT_WARNING_MONTHS, TRANSITION_NOTICE_MONTHS, age_notices, coverage_notice, record_notices,
};
use super::situation::MemberSituation;

/// How urgent a notice is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    /// Information (お知らせ): nothing to do now.
    Info,
    /// Something to do soon, or worth checking; nothing is blocked.
    Warning,
    /// The document or card can no longer be used as it is.
    Critical,
}

/// Which rule produced a [`Notice`]. The meaning of [`Notice::date`] is given per code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum NoticeCode {
    /// The 利用者証明用電子証明書 expires within 3 months. Date: its expiry date.
    CertificateExpiringSoon,
    /// The certificate has expired but the card still works as a 保険証. Date: the last day
    /// it does (the end of the 3rd month after the expiry month).
    CertificateInGrace,
    /// More than the grace period has passed: the 保険証利用登録 is cancelled and a 資格確認書
    /// is needed. Date: the last day of the grace period.
    CertificateInsuranceUseEnded,
    /// The My Number Card itself expires within 3 months. Date: its expiry date.
    CardExpiringSoon,
    /// The card has expired but still works as a 保険証. Date: the last day it does.
    CardInGrace,
    /// The card has expired and its grace period is over. Date: the card's expiry date.
    CardExpired,
    /// A document (資格確認書, お知らせ, マイナポータル) expires within a month. Date: its
    /// 有効期限.
    DocumentExpiringSoon,
    /// A document's 有効期限 has passed. Date: its 有効期限.
    DocumentExpired,
    /// An issuer-signed document's own validity (`valid_until`, the issuer's promise of how long
    /// the signed copy is current) has passed, though its signature verifies. Date: the day in
    /// Japan it ended.
    SignedDocumentExpired,
    /// The member's 75th birthday ends the document (後期高齢者医療 takes over). Date: the
    /// last day it is valid, the day before the 75th birthday. The severity tells whether that
    /// is far (Info), within a month (Warning) or past (Critical).
    DocumentEndsAt75,
    /// A お知らせ of a member aged 70–74 has no recorded 有効期限 (it has one of a year).
    /// Date: the latest day it can be valid (the day before the 75th birthday).
    ElderlyNoticeExpiryMissing,
    /// The 高齢受給者 負担割合 is not yet in effect. Date: its 発効期日.
    ElderlyNotYetEffective,
    /// The 高齢受給者 負担割合 is in effect. Date: its 発効期日.
    ElderlyInEffect,
    /// The 高齢受給者 負担割合 ends within a month. Date: its last day.
    ElderlyExpiringSoon,
    /// The 高齢受給者 負担割合's 有効期限 has passed. Date: its last day.
    ElderlyExpired,
    /// A マイナ保険証 and a valid 資格確認書 are both held. Date: the 資格確認書's 有効期限
    /// (or the end of the 後期高齢者 temporary rule when that applies).
    BothHeld,
    /// The record's 資格喪失日 has come: the record is ended (notice A: return a 資格確認書
    /// within 5 days, join the next insurance). Date: the 資格喪失日.
    CoverageLost,
    /// The record has a 資格喪失日 ahead. Date: the 資格喪失日.
    CoverageEnding,
    /// 未就学 (2割) ends within 3 months. Date: its last day (the first 31 March after
    /// reaching 6).
    PreschoolEnds,
    /// A record is still marked 未就学 (未就学区分) though the birth date says 未就学 has ended (a
    /// record left unmarked says nothing: the 資格確認書 does not print it). Date: the last day
    /// of 未就学.
    PreschoolFlagMismatch,
    /// The record's 負担割合 is not one the law sets for the member's age and scheme. Date: the
    /// first day of the rule that applies ([`super::calendar::StatutoryCopay::since`]).
    CopayImplausible,
    /// No record in force has a 負担割合 where the law leaves it to the member (a 高齢受給者's 2割
    /// or 3割, 後期高齢者医療's 1割 to 3割), which the clinic needs: the notice asks to type it in
    /// and to carry the document that prints it. Date: the first day of the rule that applies.
    CopayNotRecorded,
    /// 高齢受給者 status (2割 or 3割) starts within 3 months, or starts today. Date: its first
    /// day (the 1st of the month after reaching 70; the 70th birthday when that is a 1st).
    ElderlyRecipientStarts,
    /// The My Number Card and its certificate end on the same day (a card issued under 18): a
    /// new card is needed, not a certificate renewal. Date: the card's expiry.
    CardAndCertificateExpiring,
    /// The 被保険者 whose 被扶養者 this member is turns 75 (後期高齢者医療): the member loses
    /// 被扶養者 status on that day and must join 国保 or another family member's insurance.
    /// Date: the 被保険者's 75th birthday.
    DependentLosesStatusAt75,
    /// A document has not started yet (its 有効開始年月日 is after today; the desk's 有効期間前):
    /// not to be shown before that day, and what to use until then. Date: its 有効開始年月日.
    DocumentNotStarted,
    /// Two insurance records of different 資格 (another insurer, or another 記号・番号) are both
    /// in force, which cannot be (one public health insurance at a time): one has ended without
    /// a date typed that says so; the notice asks for it. Date: the later start printed on the
    /// two (`EligibilityRecord::starts_on`), else today.
    InsurancesOverlap,
}

/// A typed warning or notice for the screen, with its Japanese message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Notice {
    /// Which rule produced it.
    pub code: NoticeCode,
    /// How urgent it is.
    pub severity: Severity,
    /// The relevant date (see [`NoticeCode`] for what it is per code).
    pub date: NaiveDate,
    /// The message in Japanese, dates in 和暦.
    pub message: String,
}

/// Every notice for a member born on `birth`: the certificate of the latest card check, the
/// card itself when its issue date is known, each record, the age rules ([`age_notices`]) and
/// "both held"; the most urgent first (stable otherwise). [`member_notices_for`] does the same
/// from the member's data (the card's printed 有効期限 included).
pub fn member_notices(
    birth: NaiveDate,
    records: &[EligibilityRecord],
    card_check: Option<&CardCheck>,
    card_issued_on: Option<NaiveDate>,
    today: NaiveDate,
) -> Vec<Notice> {
    let card_until = card_issued_on.and_then(|issued| my_number_card_valid_until(birth, issued));
    // Known by the birth date and the card's end only: whether the card works as a マイナ保険証
    // comes from the record kinds, the check and that end, as for a member who said nothing.
    let member = MemberData {
        name: String::new(),
        kana: String::new(),
        birth_date: birth,
        sex: Sex::Other,
        relationship: Relationship::Insured,
        myna_hoken: None,
        card_expires_on: card_until,
    };
    let household = HouseholdContext::of_member(records);
    let myna_usable =
        MemberSituation::in_household(&member, records, &household, card_check, today)
            .myna_usable();
    notices(
        birth,
        records,
        card_check,
        card_until,
        &household,
        MynaCard {
            usable: myna_usable,
            said_registered: false,
        },
        today,
    )
}

/// Every notice for `member` (see [`member_notices`]), with the card's expiry from
/// [`card_valid_until`].
pub fn member_notices_for(
    member: &MemberData,
    records: &[EligibilityRecord],
    card_check: Option<&CardCheck>,
    today: NaiveDate,
) -> Vec<Notice> {
    let household = HouseholdContext::of_member(records);
    let myna_usable =
        MemberSituation::in_household(member, records, &household, card_check, today).myna_usable();
    member_notices_in(member, records, card_check, &household, myna_usable, today)
}

/// [`member_notices_for`] with what the household decides ([`HouseholdContext`]): a 被扶養者's
/// record ended by the 被保険者's move to 後期高齢者医療 is not held and, like a record past its
/// 資格喪失日 (docs/rules.md §3.3), has no notice of its own from that day — the household's
/// `DependentLosesStatusAt75` says it. `myna_usable`: the member's card works as a マイナ保険証
/// (`MemberSituation::myna_usable` of the situation the guidance uses), which words the
/// notices of a 資格喪失日 and of a document not started yet.
pub(crate) fn member_notices_in(
    member: &MemberData,
    records: &[EligibilityRecord],
    card_check: Option<&CardCheck>,
    household: &HouseholdContext,
    myna_usable: bool,
    today: NaiveDate,
) -> Vec<Notice> {
    let card_until = card_valid_until(member, card_check);
    notices(
        member.birth_date,
        records,
        card_check,
        card_until,
        household,
        MynaCard {
            usable: myna_usable,
            said_registered: member.myna_hoken == Some(true),
        },
        today,
    )
}

/// What [`notices`] knows of the member's card as a マイナ保険証.
#[derive(Debug, Clone, Copy)]
struct MynaCard {
    /// It works as one (`MemberSituation::myna_usable`).
    usable: bool,
    /// The member said it is registered (`MemberData::myna_hoken`).
    said_registered: bool,
}

fn notices(
    birth: NaiveDate,
    records: &[EligibilityRecord],
    card_check: Option<&CardCheck>,
    card_until: Option<NaiveDate>,
    household: &HouseholdContext,
    myna: MynaCard,
    today: NaiveDate,
) -> Vec<Notice> {
    let MynaCard {
        usable: myna_usable,
        said_registered: myna_said,
    } = myna;
    let mut out = Vec::new();
    let certificate_until = card_check.map(|c| certificate_expiry_date(c.certificate_not_after));
    // A 資格確認書 is taken over by the マイナ保険証 only while the card and its certificate are
    // within their 有効期限 (in the grace period a 資格確認書 is among what the insurer sends,
    // notice A's 交付対象者); with nothing of the insurer's recorded beside it, only when the
    // member said the card is registered (docs/guidance.md §4).
    let card_current =
        card_until.is_none_or(|u| today <= u) && certificate_until.is_none_or(|c| today <= c);
    let takeover = CardTakeover {
        with_record: myna_usable && card_current,
        alone: myna_usable && card_current && myna_said,
    };
    // The certificate cannot outlive the card: when the card ends first or on the same day
    // (a card issued under 18), a new card is needed and the card's notice says it all.
    let together =
        matches!((card_until, certificate_until), (Some(card), Some(cert)) if cert >= card);
    if let Some(check) = card_check
        && !together
    {
        out.extend(certificate_notice(check.certificate_not_after, today));
    }
    if let Some(until) = card_until {
        out.extend(card_notice(until, today).map(|n| {
            if together && n.code == NoticeCode::CardExpiringSoon {
                Notice {
                    code: NoticeCode::CardAndCertificateExpiring,
                    message: text_ja::card_and_certificate_expiring(until),
                    ..n
                }
            } else {
                n
            }
        }));
    }
    // Another insurance in force: the member has joined (a 資格喪失日 no longer says what to join,
    // and is no longer Critical). A paper of the same 番号 still in force counts: `takeover`
    // leaves in force only one that starts on or after the 資格喪失日 or prints no start — the
    // 資格 acquired again, as 国保 gives the 世帯's 番号 again — and the guidance offers it
    // (reviews of 2026-11-30: counting it as lost made the screen Critical beside a guidance
    // that offers it).
    let covered_again = records.iter().any(|r| {
        r.kind.is_insurance() && super::calendar::record_in_force(r, birth, household, today)
    });
    for record in records
        .iter()
        .filter(|r| !household.dependent_status_ended(r, today))
    {
        // Taken over by a later record of the member: that, and nothing of its own.
        if let Some(notice) = taken_over_notice(record, birth, household, today) {
            out.push(notice);
            continue;
        }
        let renewal = renewal_of(
            record,
            records,
            birth,
            household,
            takeover.with_record,
            today,
        );
        let next = record
            .lost_on
            .filter(|&lost| lost > today)
            .and_then(|lost| {
                super::notices_record::next_insurance(record, lost, today, records, |r, on| {
                    super::calendar::record_ended(r, birth, household, on).is_some()
                })
            });
        out.extend(record_notices_renewed(
            record,
            birth,
            today,
            myna_usable,
            renewal,
            takeover.alone,
            super::notices_record::Joined {
                again: covered_again,
                next: next.as_ref(),
            },
        ));
        out.extend(not_started_notice(
            record,
            records,
            birth,
            household,
            myna_usable,
            today,
        ));
    }
    out.extend(super::notices_record::overlap_notice(
        records, birth, household, today,
    ));
    out.extend(age_notices_in(birth, records, household, today));
    // 「両方お持ち」 only while the card works as a マイナ保険証: a card past its grace is not one
    // (seed 001), and a 資格確認書 is what its holder needs then.
    if myna_usable {
        out.extend(both_held_notice_in(
            records, card_check, birth, household, today,
        ));
    }
    order_by_severity(&mut out);
    out
}

/// Puts the most severe notices first, keeping the order of those of the same severity (a
/// stable sort on the three severities, written as three passes: the phone library then carries
/// no sort routine for notices — ADR 0007).
pub(crate) fn order_by_severity(notices: &mut Vec<Notice>) {
    let all = std::mem::take(notices);
    let (critical, rest): (Vec<Notice>, Vec<Notice>) = all
        .into_iter()
        .partition(|n| n.severity == Severity::Critical);
    let (warning, info): (Vec<Notice>, Vec<Notice>) = rest
        .into_iter()
        .partition(|n| n.severity == Severity::Warning);
    notices.extend(critical);
    notices.extend(warning);
    notices.extend(info);
}

#[cfg(test)]
pub(super) mod test_fixtures {
    //! Builders shared by the tests of the notice rules (here and in the `notices_*` modules).

    use chrono::{DateTime, NaiveDate, Utc};

    use super::{Notice, NoticeCode, Severity};
    use crate::card::{
        AnchorSource, CardCheck, CardKind, ChainStatus, KeyFingerprint, PinCounter, SignatureStatus,
    };
    use crate::eligibility::{
        CopayRate, DocumentKind, EligibilityRecord, InsurerNumber, MemberData, Relationship,
    };
    use crate::screen::notices_household::HouseholdMember;

    /// A 資格確認書 reissued at 70, typed without 交付年月日: `base` from 2025-12-02 and the same
    /// paper from 2027-02-01, the same 有効期限 (a reissue told by its start).
    pub(crate) fn reissued_at_70(base: EligibilityRecord) -> [EligibilityRecord; 2] {
        let old = EligibilityRecord {
            valid_from: Some(d(2025, 12, 2)),
            ..base
        };
        let at_70 = EligibilityRecord {
            valid_from: Some(d(2027, 2, 1)),
            ..old.clone()
        };
        [old, at_70]
    }

    /// One member of a test household, with their records.
    pub(crate) fn household_member<'a>(
        member: &'a MemberData,
        records: &'a [EligibilityRecord],
    ) -> HouseholdMember<'a> {
        HouseholdMember { member, records }
    }

    pub(crate) fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    /// notAfter as J-LIS writes it: 23:59:59 JST (14:59:59 UTC) on the expiry day.
    pub(crate) fn not_after(expiry: NaiveDate) -> DateTime<Utc> {
        expiry.and_hms_opt(14, 59, 59).unwrap().and_utc()
    }

    pub(crate) fn record(kind: DocumentKind, valid_until: Option<NaiveDate>) -> EligibilityRecord {
        EligibilityRecord {
            kind,
            insurer_number: InsurerNumber::parse("01130012").unwrap(),
            insurer_name: "全国健康保険協会 東京支部".into(),
            symbol: Some("1234567".into()),
            number: "89".into(),
            branch: Some("01".into()),
            relationship: Relationship::Insured,
            insured_name: None,
            acquired_on: None,
            copay: Some(CopayRate::Thirty),
            valid_from: None,
            valid_until,
            issued_on: None,
            elderly: None,
            limit: None,
            preschool: false,
            lost_on: None,
        }
    }

    /// The one notice of `code` among `notices` (a failure when there is none, or several).
    pub(crate) fn the_one(notices: &[Notice], code: NoticeCode) -> &Notice {
        let found: Vec<&Notice> = notices.iter().filter(|n| n.code == code).collect();
        assert_eq!(found.len(), 1, "one {code:?} in {notices:?}");
        found[0]
    }

    pub(crate) fn codes(notices: &[Notice]) -> Vec<(NoticeCode, Severity)> {
        notices.iter().map(|n| (n.code, n.severity)).collect()
    }

    pub(crate) fn check(expiry: NaiveDate) -> CardCheck {
        CardCheck {
            card_kind: CardKind::MyNumberCard,
            key_fingerprint: KeyFingerprint([7; 32]),
            certificate_not_before: not_after(d(2020, 1, 1)),
            certificate_not_after: not_after(expiry),
            chain: ChainStatus {
                anchor_label: "test".into(),
                anchor_source: AnchorSource::Extra,
                anchor_key: KeyFingerprint([1; 32]),
            },
            signature: SignatureStatus::VerifiedFreshChallenge,
            retries_left: PinCounter::Remaining(3),
            checked_at: not_after(d(2026, 11, 1)),
            basic_info: crate::card::BasicInfoOutcome::NotRequested,
        }
    }

    pub(crate) fn member(birth: NaiveDate, relationship: Relationship) -> MemberData {
        MemberData {
            name: "山田 花子".into(),
            kana: "ヤマダ ハナコ".into(),
            birth_date: birth,
            sex: crate::eligibility::Sex::Female,
            relationship,
            myna_hoken: None,
            card_expires_on: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::test_fixtures::*;
    use super::*;
    use crate::eligibility::{DocumentKind, Relationship};

    /// The most severe first; within a severity, the order they came in (as a stable sort).
    #[test]
    fn order_by_severity_is_a_stable_sort() {
        let n = |code, severity| Notice {
            code,
            severity,
            date: d(2026, 1, 1),
            message: String::new(),
        };
        let mut ns = vec![
            n(NoticeCode::ElderlyInEffect, Severity::Info),
            n(NoticeCode::DocumentExpiringSoon, Severity::Warning),
            n(NoticeCode::DocumentExpired, Severity::Critical),
            n(NoticeCode::DocumentNotStarted, Severity::Info),
            n(NoticeCode::CertificateInGrace, Severity::Warning),
            n(NoticeCode::CoverageLost, Severity::Critical),
        ];
        let mut sorted = ns.clone();
        sorted.sort_by_key(|n| std::cmp::Reverse(n.severity));
        order_by_severity(&mut ns);
        assert_eq!(ns, sorted);
        assert_eq!(
            codes(&ns),
            [
                (NoticeCode::DocumentExpired, Severity::Critical),
                (NoticeCode::CoverageLost, Severity::Critical),
                (NoticeCode::DocumentExpiringSoon, Severity::Warning),
                (NoticeCode::CertificateInGrace, Severity::Warning),
                (NoticeCode::ElderlyInEffect, Severity::Info),
                (NoticeCode::DocumentNotStarted, Severity::Info),
            ]
        );
    }

    #[test]
    fn member_notices_sorted_by_severity() {
        let today = d(2026, 11, 23);
        let records = [
            record(DocumentKind::Certificate, Some(d(2026, 12, 10))),
            record(DocumentKind::Notice, Some(d(2026, 1, 31))),
        ];
        // Certificate in grace (expired 2026-10-15, usable to 2027-01-31): the card does not
        // take over from the 資格確認書 (in grace a 資格確認書 is among what the insurer sends),
        // so its nearing end is said.
        let card = check(d(2026, 10, 15));
        // The expired お知らせ is a Warning while the card works (in grace): nothing is
        // blocked; past the grace it is Critical, first.
        let all = member_notices(d(1985, 4, 12), &records, Some(&card), None, today);
        assert_eq!(
            codes(&all),
            [
                (NoticeCode::CertificateInGrace, Severity::Warning),
                (NoticeCode::DocumentExpiringSoon, Severity::Warning),
                (NoticeCode::DocumentExpired, Severity::Warning),
                (NoticeCode::BothHeld, Severity::Warning),
            ]
        );
        assert!(all[2].message.contains("マイナ保険証はそのまま使えます"));
        let past_grace = member_notices(d(1985, 4, 12), &records, Some(&card), None, d(2027, 2, 1));
        let expired = past_grace
            .iter()
            .find(|n| n.code == NoticeCode::DocumentExpired && n.date == d(2026, 1, 31))
            .expect("the お知らせ's");
        assert_eq!(expired.severity, Severity::Critical);
        assert!(!expired.message.contains("マイナ保険証"));
        assert_eq!(all[0].date, d(2027, 1, 31));
        assert_eq!(days_until(d(2026, 12, 10), today), 17);
        let json = serde_json::to_value(&all[0]).unwrap();
        assert_eq!(json["code"], "certificate_in_grace");
        assert_eq!(json["severity"], "warning");
        assert_eq!(json["date"], "2027-01-31");
    }

    #[test]
    fn under_18_card_ends_on_the_5th_birthday_with_its_certificate() {
        // A card issued at 12 on 2022-06-01 (born 2010-03-15): card and certificate both end
        // on the 5th birthday after issue, 2027-03-15.
        let child = member(d(2010, 3, 15), Relationship::Dependent);
        let mut c = check(d(2027, 3, 15));
        c.certificate_not_before = d(2022, 6, 1).and_hms_opt(1, 0, 0).unwrap().and_utc();
        assert_eq!(card_valid_until(&child, Some(&c)), Some(d(2027, 3, 15)));
        let ns = member_notices_for(&child, &[], Some(&c), d(2027, 1, 10));
        assert_eq!(
            codes(&ns),
            [(NoticeCode::CardAndCertificateExpiring, Severity::Warning)]
        );
        assert!(ns[0].message.contains("新しいカード"), "{}", ns[0].message);
        // The same certificate on an adult's card: a certificate renewal (no card date known).
        let adult = member(d(1980, 3, 15), Relationship::Insured);
        assert_eq!(card_valid_until(&adult, Some(&c)), None);
        assert_eq!(
            codes(&member_notices_for(&adult, &[], Some(&c), d(2027, 1, 10))),
            [(NoticeCode::CertificateExpiringSoon, Severity::Warning)]
        );
        // A printed 有効期限 wins, and with it the card's own grace period.
        let mut typed = adult.clone();
        typed.card_expires_on = Some(d(2027, 3, 15));
        assert_eq!(
            codes(&member_notices_for(&typed, &[], Some(&c), d(2027, 3, 16))),
            [(NoticeCode::CardInGrace, Severity::Warning)]
        );
        typed.card_expires_on = Some(d(2031, 3, 15));
        assert_eq!(
            codes(&member_notices_for(&typed, &[], None, d(2031, 7, 1))),
            [(NoticeCode::CardExpired, Severity::Critical)]
        );
    }

    /// Once another insurance record is in force (the member has joined: 国保 from the day after
    /// the 協会けんぽ was lost), the lost record's notice says what ended and where its 資格確認書
    /// goes back, no longer what to join.
    #[test]
    fn the_coverage_lost_notice_stops_saying_what_to_join_once_covered_again() {
        let today = d(2026, 11, 23);
        let adult = member(d(1985, 4, 12), Relationship::Insured);
        let lost = EligibilityRecord {
            lost_on: Some(d(2026, 10, 1)),
            ..record(DocumentKind::Certificate, Some(d(2030, 11, 30)))
        };
        let mut nhi = record(DocumentKind::Certificate, Some(d(2027, 7, 31)));
        nhi.insurer_number = crate::eligibility::InsurerNumber::parse("138057").unwrap();
        nhi.valid_from = Some(d(2026, 10, 1));
        let message = |records: &[EligibilityRecord]| {
            member_notices_for(&adult, records, None, today)
                .into_iter()
                .find(|n| n.code == NoticeCode::CoverageLost)
                .unwrap()
                .message
        };
        let alone = message(std::slice::from_ref(&lost));
        assert!(alone.contains("加入してください"), "{alone}");
        let joined = message(&[lost.clone(), nhi.clone()]);
        assert!(joined.contains("すぐに事業主"), "{joined}");
        // Critical while nothing covers the member; a Warning once another insurance is in
        // force, as for a coverage taken over (review of 2026-11-30: Critical for ever).
        let severity = |records: &[EligibilityRecord]| {
            member_notices_for(&adult, records, None, today)
                .into_iter()
                .find(|n| n.code == NoticeCode::CoverageLost)
                .unwrap()
                .severity
        };
        assert_eq!(severity(std::slice::from_ref(&lost)), Severity::Critical);
        assert_eq!(severity(&[lost.clone(), nhi.clone()]), Severity::Warning);
        // A paper of the same 番号 that the takeover rules leave in force (acquired again after
        // the 資格喪失日, as 国保 gives the 世帯's 番号 again) is that other insurance: the
        // guidance offers it, so the screen is not Critical beside it (reviews of 2026-11-30).
        let again = EligibilityRecord {
            lost_on: None,
            acquired_on: Some(d(2026, 11, 1)),
            valid_from: Some(d(2026, 11, 1)),
            ..lost.clone()
        };
        assert_eq!(severity(&[lost.clone(), again.clone()]), Severity::Warning);
        assert!(!message(&[lost.clone(), again]).contains("加入してください"));
        assert!(
            !joined.contains("加入してください") && !joined.contains("受け取ってください"),
            "{joined}"
        );
        // Before the 資格喪失日, with the next insurance typed in and starting that day: the
        // notice names it instead of asking to join (review of 2026-11-30); not one starting
        // later, nor the same 資格.
        let ahead = EligibilityRecord {
            lost_on: Some(d(2026, 12, 16)),
            ..lost
        };
        let ending = |records: &[EligibilityRecord]| {
            member_notices_for(&adult, records, None, today)
                .into_iter()
                .find(|n| n.code == NoticeCode::CoverageEnding)
                .unwrap()
                .message
        };
        assert!(ending(std::slice::from_ref(&ahead)).contains("加入手続きを済ませてください"));
        let from_then = EligibilityRecord {
            valid_from: Some(d(2026, 12, 16)),
            ..nhi.clone()
        };
        let named = ending(&[ahead.clone(), from_then.clone()]);
        assert!(
            named.contains("次の保険として")
                && named.contains("の書類（令和8年12月16日から）が入力されています")
                && !named.contains("加入手続き"),
            "{named}"
        );
        // Not one that started before today (the current insurance, not the next: review of
        // 2026-11-30), nor one that ends by the 資格喪失日.
        for not_next in [
            EligibilityRecord {
                valid_from: Some(d(2026, 11, 1)),
                ..nhi.clone()
            },
            EligibilityRecord {
                valid_from: Some(d(2026, 12, 1)),
                valid_until: Some(d(2026, 12, 15)),
                ..nhi.clone()
            },
        ] {
            let m = ending(&[ahead.clone(), not_next]);
            assert!(!m.contains("次の保険として"), "{m}");
        }
        // A next insurance typed to start before the 資格喪失日 (dates that disagree) is named
        // on every day up to it, not only while it is ahead (review of 2026-11-30).
        let early_start = EligibilityRecord {
            valid_from: Some(d(2026, 12, 10)),
            ..nhi.clone()
        };
        let dated = EligibilityRecord {
            acquired_on: Some(d(2015, 4, 1)),
            ..ahead.clone()
        };
        for day in [today, d(2026, 12, 12)] {
            let m = member_notices_for(&adult, &[dated.clone(), early_start.clone()], None, day)
                .into_iter()
                .find(|n| n.code == NoticeCode::CoverageEnding)
                .unwrap()
                .message;
            assert!(m.contains("次の保険として"), "{day}: {m}");
        }
        let later = EligibilityRecord {
            valid_from: Some(d(2027, 1, 5)),
            ..nhi
        };
        assert!(ending(&[ahead.clone(), later]).contains("加入手続きを済ませてください"));
        let same = EligibilityRecord {
            lost_on: None,
            valid_from: Some(d(2026, 12, 1)),
            ..ahead.clone()
        };
        assert!(ending(&[ahead, same]).contains("加入手続きを済ませてください"));
    }

    /// After the 75th birthday the former insurer's ended paper is Critical while nothing is
    /// recorded in force, a Warning with the 後期高齢者医療 record in force (review of 2026-11-30).
    #[test]
    fn a_paper_ended_at_75_is_a_warning_once_the_late_elderly_record_is_in_force() {
        let today = d(2027, 1, 20);
        let old = member(d(1951, 12, 10), Relationship::Insured);
        let former = record(DocumentKind::Certificate, Some(d(2030, 11, 30)));
        let late = EligibilityRecord {
            insurer_number: crate::eligibility::InsurerNumber::parse("39131008").unwrap(),
            acquired_on: Some(d(2026, 12, 10)),
            copay: Some(crate::eligibility::CopayRate::Ten),
            ..record(DocumentKind::Certificate, Some(d(2027, 7, 31)))
        };
        let severity = |records: &[EligibilityRecord]| {
            member_notices_for(&old, records, None, today)
                .into_iter()
                .find(|n| n.code == NoticeCode::DocumentEndsAt75)
                .unwrap()
                .severity
        };
        assert_eq!(severity(std::slice::from_ref(&former)), Severity::Critical);
        assert_eq!(severity(&[former, late]), Severity::Warning);
    }

    /// The 資格喪失日 notice says the マイナ保険証 keeps working after the new insurer's
    /// registration only to a member whose card works as one, as the to-do does (notice A:
    /// 「※新しい保険者によるマイナンバーの資格登録が必要です」): a member with a 資格確認書 alone
    /// (the 「マイナ保険証特設ページ」: issued to 「マイナンバーカードを持っていない方 / 利用登録していない方」) is not told
    /// so; with an お知らせ (a registered card) they are, and not once the card is past its grace.
    #[test]
    fn the_coverage_lost_notice_speaks_of_the_myna_hoken_only_when_it_works() {
        let today = d(2026, 11, 23);
        let adult = member(d(1985, 4, 12), Relationship::Insured);
        let lost = |kind| EligibilityRecord {
            lost_on: Some(d(2026, 11, 1)),
            ..record(kind, Some(d(2030, 11, 30)))
        };
        let message = |m: &MemberData, records: &[EligibilityRecord]| {
            let ns = member_notices_for(m, records, None, today);
            let n = ns
                .iter()
                .find(|n| n.code == NoticeCode::CoverageLost)
                .unwrap();
            n.message.clone()
        };
        let certificate_only = message(&adult, &[lost(DocumentKind::Certificate)]);
        assert!(
            !certificate_only.contains("マイナ保険証"),
            "{certificate_only}"
        );
        // 22 days after the 資格喪失日: notice A's 5 days are past, so 「すぐに」.
        assert!(
            certificate_only.contains("すぐに事業主") && !certificate_only.contains("5日以内"),
            "{certificate_only}"
        );
        let notice = message(&adult, &[lost(DocumentKind::Notice)]);
        assert!(
            notice.contains("マイナ保険証は、新しい保険者の登録が済めばそのまま使えます"),
            "{notice}"
        );
        // The member's word that the card is registered counts; a card past its grace does not.
        let said_yes = MemberData {
            myna_hoken: Some(true),
            ..adult.clone()
        };
        assert!(
            message(&said_yes, &[lost(DocumentKind::Certificate)]).contains("そのまま使えます")
        );
        let expired = MemberData {
            card_expires_on: Some(d(2026, 4, 1)),
            ..adult.clone()
        };
        assert!(!message(&expired, &[lost(DocumentKind::Notice)]).contains("そのまま使えます"));
    }

    /// A record whose 有効開始年月日 is after today gets a notice (Info, dated that day): from when
    /// it works, not to show it before (the desk's 有効期間前), and what to use until then — the
    /// 資格確認書 in force (a 国保's yearly one from 8-01 beside the old one), the マイナ保険証 when the
    /// card works, else the guidance. None from its first day; a 公費 受給者証 names no substitute.
    #[test]
    fn a_record_not_started_says_what_to_use_until_then() {
        let adult = member(d(1985, 4, 12), Relationship::Insured);
        let today = d(2026, 7, 20);
        let next_year = EligibilityRecord {
            insurer_number: crate::eligibility::InsurerNumber::parse("138057").unwrap(),
            insurer_name: "練馬区（国民健康保険）".into(),
            valid_from: Some(d(2026, 8, 1)),
            ..record(DocumentKind::Certificate, Some(d(2027, 7, 31)))
        };
        let this_year = EligibilityRecord {
            valid_from: Some(d(2025, 8, 1)),
            valid_until: Some(d(2026, 7, 31)),
            ..next_year.clone()
        };
        let not_started = |m: &MemberData, records: &[EligibilityRecord], on| {
            member_notices_for(m, records, None, on)
                .into_iter()
                .filter(|n| n.code == NoticeCode::DocumentNotStarted)
                .collect::<Vec<_>>()
        };
        // Alone, nothing else known: the guidance says what to present.
        let ns = not_started(&adult, std::slice::from_ref(&next_year), today);
        assert_eq!(
            codes(&ns),
            [(NoticeCode::DocumentNotStarted, Severity::Info)]
        );
        assert_eq!(ns[0].date, d(2026, 8, 1));
        assert_eq!(
            ns[0].message,
            "練馬区（国民健康保険）の資格確認書は令和8年8月1日（有効開始年月日）から使えます。\
             それより前は窓口で見せないでください。\
             それまでに受診するときは、「窓口で見せるもの」の案内を見てください。"
        );
        // Beside the one in force: that one, named.
        let ns = not_started(&adult, &[this_year.clone(), next_year.clone()], today);
        assert_eq!(ns.len(), 1);
        assert!(
            ns[0]
                .message
                .ends_with("それまでは練馬区（国民健康保険）の資格確認書（令和8年7月31日まで）を窓口で見せてください。"),
            "{}",
            ns[0].message
        );
        // The one in force lost before its 有効期限 (a job: the new insurer's paper from the
        // 資格喪失日): named as the guidance names it, without a printed 有効期限 that the
        // 資格喪失日 cuts short (review of 2026-12-01).
        let leaving = EligibilityRecord {
            lost_on: Some(d(2027, 1, 16)),
            ..record(DocumentKind::Certificate, Some(d(2030, 11, 30)))
        };
        let new_job = EligibilityRecord {
            insurer_number: crate::eligibility::InsurerNumber::parse("06139992").unwrap(),
            insurer_name: "山田商事健康保険組合".into(),
            acquired_on: Some(d(2027, 1, 16)),
            ..record(DocumentKind::Certificate, Some(d(2031, 1, 31)))
        };
        let until_then = "それまでは全国健康保険協会 東京支部の資格確認書を窓口で見せてください。";
        let ns = not_started(&adult, &[leaving.clone(), new_job.clone()], d(2027, 1, 10));
        assert_eq!(ns.len(), 1);
        assert!(ns[0].message.ends_with(until_then), "{}", ns[0].message);
        // No 資格喪失日 typed: the new one's start takes the old one (acquired before it) over,
        // the same day; the old one is what to use until then all the same.
        let undated = EligibilityRecord {
            lost_on: None,
            acquired_on: Some(d(2015, 4, 1)),
            ..leaving.clone()
        };
        let ns = not_started(&adult, &[undated, new_job.clone()], d(2027, 1, 10));
        assert!(ns[0].message.ends_with(until_then), "{}", ns[0].message);
        // Days between the 資格喪失日 and the new start: the lost one is not what to use until
        // then; the guidance tells (review of 2026-12-01).
        let later_job = EligibilityRecord {
            acquired_on: Some(d(2027, 2, 1)),
            ..new_job
        };
        let guidance_words = "それまでに受診するときは、「窓口で見せるもの」の案内を見てください。";
        let ns = not_started(
            &adult,
            &[leaving.clone(), later_job.clone()],
            d(2027, 1, 10),
        );
        assert!(ns[0].message.ends_with(guidance_words), "{}", ns[0].message);
        // Nor the card, when the insurance it stands for is lost before then (an お知らせ).
        let leaving_notice = EligibilityRecord {
            kind: DocumentKind::Notice,
            valid_until: None,
            ..leaving.clone()
        };
        let ns = not_started(&adult, &[leaving_notice, later_job.clone()], d(2027, 1, 10));
        assert!(ns[0].message.ends_with(guidance_words), "{}", ns[0].message);
        // Nor a paper whose printed 有効期限 comes before the start.
        let expiring = EligibilityRecord {
            lost_on: None,
            valid_until: Some(d(2027, 1, 20)),
            ..leaving.clone()
        };
        let ns = not_started(&adult, &[expiring, later_job], d(2027, 1, 10));
        assert!(ns[0].message.ends_with(guidance_words), "{}", ns[0].message);
        // The same insurer's 任意継続 paper from the 資格喪失日 (another 記号・番号, the same
        // name): the lost one is named with its last usable day, as the guidance names it.
        let continued = EligibilityRecord {
            symbol: Some("9001".into()),
            number: "77".into(),
            acquired_on: Some(d(2027, 1, 16)),
            valid_from: Some(d(2027, 1, 16)),
            ..record(DocumentKind::Certificate, Some(d(2029, 1, 15)))
        };
        let papers = [leaving.clone(), continued];
        let ns = not_started(&adult, &papers, d(2027, 1, 10));
        assert!(
            ns[0].message.ends_with(
                "それまでは全国健康保険協会 東京支部の資格確認書（令和9年1月15日まで）を窓口で\
                 見せてください。"
            ),
            "{}",
            ns[0].message
        );
        assert_eq!(
            crate::screen::situation::certificate_label(&papers[0], &papers, adult.birth_date),
            "全国健康保険協会 東京支部の資格確認書（令和9年1月15日まで）"
        );
        // A working マイナ保険証 (an お知らせ in force): the card.
        let notice = record(DocumentKind::Notice, None);
        let ns = not_started(&adult, &[notice, next_year.clone()], today);
        assert!(
            ns[0]
                .message
                .ends_with("それまでは、マイナ保険証で受診してください。"),
            "{}",
            ns[0].message
        );
        // From its first day: no notice.
        assert!(not_started(&adult, std::slice::from_ref(&next_year), d(2026, 8, 1)).is_empty());
        // A 公費 受給者証 not started: no substitute named.
        let public = EligibilityRecord {
            kind: DocumentKind::PublicExpense,
            insurer_name: "こども医療費受給者証".into(),
            valid_from: Some(d(2026, 8, 1)),
            ..record(DocumentKind::PublicExpense, Some(d(2027, 3, 31)))
        };
        let ns = not_started(&adult, &[this_year, public], today);
        assert_eq!(
            ns[0].message,
            "こども医療費受給者証は令和8年8月1日（有効開始年月日）から使えます。\
             それより前は窓口で見せないでください。"
        );
    }
}
