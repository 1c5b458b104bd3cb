//! Notice rules for the eligibility screen: JPKI certificate and My Number Card expiry,
//! document expiry (資格確認書, 資格情報のお知らせ, the 70–74 rules and the 75th birthday),
//! 高齢受給者 発効期日, and "a マイナ保険証 and a 資格確認書 both held". Every rule is a pure
//! function of its inputs and `today`; the rules and their sources are in docs/dates.md. The
//! date arithmetic is in [`super::calendar`], the Japanese text in `text_ja`.

use chrono::{DateTime, Months, NaiveDate, Utc};
use serde::Serialize;

use super::calendar::{
    CopayBasis, elderly_recipient_start, is_preschool, late_elderly_start, preschool_last_day,
    statutory_copay,
};
use super::text_ja;
use crate::card::CardCheck;
use crate::eligibility::text::same_code;
use crate::eligibility::{DocumentKind, EligibilityRecord, MemberData, Relationship, Scheme};

// The calendar rules were first defined here; their paths under `screen::rules` stay valid.
pub use super::calendar::{
    CARD_ADULT_AGE_18_FROM, CARD_WARNING_MONTHS, ExpiryState, age_on, anniversary,
    certificate_expiry_date, certificate_state, days_until, expiry_state, first_day_of_age,
    insurance_grace_last_day, last_day_before_75, last_day_of_month, my_number_card_valid_until,
    years_period_last_day,
};

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
    /// The record's 未就学区分 disagrees with the birth date. Date: the last day of 未就学.
    PreschoolFlagMismatch,
    /// The record's 負担割合 is not one the law sets for the member's age and scheme. Date: the
    /// first day of the rule that applies ([`super::calendar::StatutoryCopay::since`]).
    CopayImplausible,
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

/// Months before a document's 有効期限 from which it is "expiring soon" (a product choice:
/// insurers send the next document shortly before).
pub const DOCUMENT_WARNING_MONTHS: u32 = 1;

/// Until this day 後期高齢者 receive a 資格確認書 whether or not they have a マイナ保険証
/// (temporary rule, docs/dates.md).
pub const LATE_ELDERLY_BOTH_UNTIL: NaiveDate = match NaiveDate::from_ymd_opt(2026, 7, 31) {
    Some(d) => d,
    None => panic!("constant date"),
};

/// The notice for the 利用者証明用電子証明書 whose notAfter is `not_after`, if any.
pub fn certificate_notice(not_after: DateTime<Utc>, today: NaiveDate) -> Option<Notice> {
    let expiry = certificate_expiry_date(not_after);
    let grace = insurance_grace_last_day(expiry)?;
    Some(match expiry_state(expiry, today) {
        ExpiryState::Valid => return None,
        ExpiryState::ExpiringSoon => Notice {
            code: NoticeCode::CertificateExpiringSoon,
            severity: Severity::Warning,
            date: expiry,
            message: text_ja::certificate_expiring_soon(expiry),
        },
        ExpiryState::InGrace => Notice {
            code: NoticeCode::CertificateInGrace,
            severity: Severity::Warning,
            date: grace,
            message: text_ja::certificate_in_grace(expiry, grace),
        },
        ExpiryState::Ended => Notice {
            code: NoticeCode::CertificateInsuranceUseEnded,
            severity: Severity::Critical,
            date: grace,
            message: text_ja::certificate_insurance_use_ended(expiry, grace),
        },
    })
}

/// The notice for a My Number Card that expires on `valid_until` (printed on the card, or
/// from [`my_number_card_valid_until`]), if any. The card works as a 保険証 for the same
/// grace period as the certificate.
pub fn card_notice(valid_until: NaiveDate, today: NaiveDate) -> Option<Notice> {
    let grace = insurance_grace_last_day(valid_until)?;
    Some(match expiry_state(valid_until, today) {
        ExpiryState::Valid => return None,
        ExpiryState::ExpiringSoon => Notice {
            code: NoticeCode::CardExpiringSoon,
            severity: Severity::Warning,
            date: valid_until,
            message: text_ja::card_expiring_soon(valid_until),
        },
        ExpiryState::InGrace => Notice {
            code: NoticeCode::CardInGrace,
            severity: Severity::Warning,
            date: grace,
            message: text_ja::card_in_grace(valid_until, grace),
        },
        ExpiryState::Ended => Notice {
            code: NoticeCode::CardExpired,
            severity: Severity::Critical,
            date: valid_until,
            message: text_ja::card_expired(valid_until, grace),
        },
    })
}

/// The notice for a card whose issue date and holder's birth date are known.
pub fn card_notice_from_issue(
    birth: NaiveDate,
    issued_on: NaiveDate,
    today: NaiveDate,
) -> Option<Notice> {
    card_notice(my_number_card_valid_until(birth, issued_on)?, today)
}

/// The last day a record is valid, and whether that is the day before the 75th birthday
/// rather than its printed 有効期限. `None` when neither applies.
fn effective_end(
    record: &EligibilityRecord,
    birth: NaiveDate,
    today: NaiveDate,
) -> Option<(NaiveDate, bool)> {
    let end75 = (record.kind.is_insurance() && !record.insurer_number.is_late_elderly())
        .then(|| last_day_before_75(birth))
        .flatten();
    match (record.valid_until, end75) {
        (Some(until), Some(l)) if l < until => Some((l, true)),
        (Some(until), _) => Some((until, false)),
        // No printed 有効期限: the 75th birthday still ends it, shown from age 70 on.
        (None, Some(l)) if age_on(birth, today) >= 70 => Some((l, true)),
        (None, _) => None,
    }
}

/// Notices about one eligibility record of a member born on `birth`: its 有効期限 (cut to the
/// day before the 75th birthday unless it is a 後期高齢者 record), the one-year お知らせ of
/// ages 70–74, and the 高齢受給者 発効期日 and 有効期限.
pub fn record_notices(
    record: &EligibilityRecord,
    birth: NaiveDate,
    today: NaiveDate,
) -> Vec<Notice> {
    let mut out = Vec::new();
    let doc = record.kind.label_ja();
    let age = age_on(birth, today);

    if let Some(notice) = coverage_notice(record, today) {
        // An ended record has nothing else to say; one with an end ahead goes on.
        let lost = notice.code == NoticeCode::CoverageLost;
        out.push(notice);
        if lost {
            return out;
        }
    }

    if record.kind == DocumentKind::Notice
        && record.valid_until.is_none()
        && (70..=74).contains(&age)
        && let Some(l) = last_day_before_75(birth)
    {
        out.push(Notice {
            code: NoticeCode::ElderlyNoticeExpiryMissing,
            severity: Severity::Warning,
            date: l,
            message: text_ja::elderly_notice_expiry_missing(l),
        });
    }

    if let Some((end, by75)) = effective_end(record, birth, today) {
        let warn_from = end.checked_sub_months(Months::new(DOCUMENT_WARNING_MONTHS));
        let soon = warn_from.is_some_and(|w| today >= w);
        let notice = if today > end {
            Some(if by75 {
                Notice {
                    code: NoticeCode::DocumentEndsAt75,
                    severity: Severity::Critical,
                    date: end,
                    message: text_ja::document_ended_at_75(doc, end),
                }
            } else {
                Notice {
                    code: NoticeCode::DocumentExpired,
                    severity: Severity::Critical,
                    date: end,
                    message: text_ja::document_expired(doc, end),
                }
            })
        } else if by75 {
            Some(Notice {
                code: NoticeCode::DocumentEndsAt75,
                severity: if soon {
                    Severity::Warning
                } else {
                    Severity::Info
                },
                date: end,
                message: text_ja::document_ends_at_75(doc, end),
            })
        } else if soon {
            Some(Notice {
                code: NoticeCode::DocumentExpiringSoon,
                severity: Severity::Warning,
                date: end,
                message: text_ja::document_expiring_soon(doc, end),
            })
        } else {
            None
        };
        out.extend(notice);
    }

    if let Some(elderly) = &record.elderly {
        let rate = elderly.copay.percent() / 10;
        let from = elderly.effective_from;
        let end = match (elderly.valid_until, last_day_before_75(birth)) {
            (Some(u), Some(l)) => Some(u.min(l)),
            (u, l) => u.or(l),
        };
        let notice = if today < from {
            Notice {
                code: NoticeCode::ElderlyNotYetEffective,
                severity: Severity::Info,
                date: from,
                message: text_ja::elderly_not_yet_effective(rate, from),
            }
        } else if let Some(end) = end.filter(|&end| today > end) {
            Notice {
                code: NoticeCode::ElderlyExpired,
                severity: Severity::Warning,
                date: end,
                message: text_ja::elderly_expired(end),
            }
        } else if let Some(end) = end.filter(|&end| {
            end.checked_sub_months(Months::new(DOCUMENT_WARNING_MONTHS))
                .is_some_and(|w| today >= w)
        }) {
            Notice {
                code: NoticeCode::ElderlyExpiringSoon,
                severity: Severity::Warning,
                date: end,
                message: text_ja::elderly_expiring_soon(rate, end),
            }
        } else {
            Notice {
                code: NoticeCode::ElderlyInEffect,
                severity: Severity::Info,
                date: from,
                message: text_ja::elderly_in_effect(rate, from, end),
            }
        };
        out.push(notice);
    }
    out
}

/// True while a record is within its printed 有効期限 (or has none) and its coverage has not
/// been lost.
fn in_date(record: &EligibilityRecord, today: NaiveDate) -> bool {
    record.valid_until.is_none_or(|u| today <= u) && !record.is_lost(today)
}

/// The notice of a record's 資格喪失日: ended from that day on (Critical, with notice A's
/// advice), ahead of it a Warning within [`DOCUMENT_WARNING_MONTHS`] and Info before.
pub fn coverage_notice(record: &EligibilityRecord, today: NaiveDate) -> Option<Notice> {
    let lost = record.lost_on?;
    let doc = record.kind.label_ja();
    if today >= lost {
        let give_back = (record.kind == DocumentKind::Certificate).then(|| {
            !matches!(
                record.insurer_number.scheme(),
                Scheme::NationalHealthInsurance | Scheme::LateElderly
            )
        });
        return Some(Notice {
            code: NoticeCode::CoverageLost,
            severity: Severity::Critical,
            date: lost,
            message: text_ja::coverage_lost(doc, lost, give_back),
        });
    }
    let soon = lost
        .checked_sub_months(Months::new(DOCUMENT_WARNING_MONTHS))
        .is_some_and(|w| today >= w);
    Some(Notice {
        code: NoticeCode::CoverageEnding,
        severity: if soon {
            Severity::Warning
        } else {
            Severity::Info
        },
        date: lost,
        message: text_ja::coverage_ending(doc, lost),
    })
}

/// Months before an age transition (the end of 未就学, the 高齢受給者 start, a 被保険者's 75th
/// birthday for the dependents) from which it is announced as a Warning or an Info notice.
pub const TRANSITION_NOTICE_MONTHS: u32 = 3;

/// The insurance records that apply on `today`: not a 公費, not lost, within their 有効期限.
fn current_insurance(
    records: &[EligibilityRecord],
    today: NaiveDate,
) -> impl Iterator<Item = &EligibilityRecord> {
    records
        .iter()
        .filter(move |r| r.kind.is_insurance() && in_date(r, today))
}

/// The age rules of a member born on `birth` with `records` (docs/rules.md): the end of 未就学
/// announced, the typed 未就学区分 and 負担割合 checked against the birth date and the scheme,
/// and the 高齢受給者 start announced. Each notice at most once per member.
pub fn age_notices(
    birth: NaiveDate,
    records: &[EligibilityRecord],
    today: NaiveDate,
) -> Vec<Notice> {
    let mut out: Vec<Notice> = Vec::new();
    let current: Vec<&EligibilityRecord> = current_insurance(records, today).collect();
    if current.is_empty() {
        return out;
    }
    let announce_from =
        |day: NaiveDate| day.checked_sub_months(Months::new(TRANSITION_NOTICE_MONTHS));
    let under_late = current.iter().all(|r| r.insurer_number.is_late_elderly());

    // 未就学.
    if let Some(last) = preschool_last_day(birth)
        && !under_late
    {
        let preschool = is_preschool(birth, today);
        if preschool && announce_from(last).is_some_and(|w| today >= w) {
            out.push(Notice {
                code: NoticeCode::PreschoolEnds,
                severity: Severity::Info,
                date: last,
                message: text_ja::preschool_ends(last),
            });
        }
        // The typed 未就学区分 must follow the birth date (the first 31 March after reaching 6).
        if current
            .iter()
            .any(|r| !r.insurer_number.is_late_elderly() && r.preschool != preschool)
        {
            out.push(Notice {
                code: NoticeCode::PreschoolFlagMismatch,
                severity: Severity::Warning,
                date: last,
                message: text_ja::preschool_flag_mismatch(preschool, last),
            });
        }
    }

    // 負担割合 by age and scheme.
    let mut flagged: Vec<u8> = Vec::new();
    for r in &current {
        let Some(rate) = r.copay else { continue };
        // A 70–74 record printing the 高齢受給者 share at the top is consistent with its block.
        if r.elderly.as_ref().is_some_and(|e| e.copay == rate) {
            continue;
        }
        let on = r.valid_from.map_or(today, |from| from.max(today));
        let Some(rule) = statutory_copay(birth, on, r.insurer_number.is_late_elderly()) else {
            continue;
        };
        let percent = rate.percent();
        if !rule.allows(percent) && !flagged.contains(&percent) {
            flagged.push(percent);
            let why = match rule.basis {
                CopayBasis::Preschool => "未就学",
                CopayBasis::General => "就学後から70歳まで",
                CopayBasis::ElderlyRecipient => "高齢受給者（70〜74歳）",
                CopayBasis::LateElderly => "後期高齢者医療",
            };
            out.push(Notice {
                code: NoticeCode::CopayImplausible,
                severity: Severity::Warning,
                date: rule.since,
                message: text_ja::copay_implausible(percent, rule.allowed_percent(), why),
            });
        }
    }

    // 高齢受給者 start.
    if let Some(start) = elderly_recipient_start(birth)
        && !under_late
        && today <= start
        && announce_from(start).is_some_and(|w| today >= w)
    {
        out.push(Notice {
            code: NoticeCode::ElderlyRecipientStarts,
            severity: Severity::Info,
            date: start,
            message: text_ja::elderly_recipient_starts(start),
        });
    }
    out
}

/// The notice when a マイナ保険証 and a valid 資格確認書 are both held: a warning, never a
/// block. A マイナ保険証 is shown by a card check whose certificate still works as a 保険証, or
/// by an in-date お知らせ / マイナポータル record. A 後期高齢者 資格確認書 before
/// [`LATE_ELDERLY_BOTH_UNTIL`] gives an Info notice instead (everyone got one).
pub fn both_held_notice(
    records: &[EligibilityRecord],
    card_check: Option<&CardCheck>,
    today: NaiveDate,
) -> Option<Notice> {
    let by_card = card_check.is_some_and(|c| certificate_state(c, today).usable_as_insurance());
    let by_record = records
        .iter()
        .any(|r| r.kind.needs_card() && in_date(r, today));
    if !(by_card || by_record) {
        return None;
    }
    let certificate = records
        .iter()
        .find(|r| r.kind == DocumentKind::Certificate && in_date(r, today))?;
    if certificate.insurer_number.is_late_elderly() && today <= LATE_ELDERLY_BOTH_UNTIL {
        return Some(Notice {
            code: NoticeCode::BothHeld,
            severity: Severity::Info,
            date: LATE_ELDERLY_BOTH_UNTIL,
            message: text_ja::both_held_late_elderly(LATE_ELDERLY_BOTH_UNTIL),
        });
    }
    Some(Notice {
        code: NoticeCode::BothHeld,
        severity: Severity::Warning,
        date: certificate.valid_until.unwrap_or(today),
        message: text_ja::BOTH_HELD.to_string(),
    })
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
    notices(birth, records, card_check, card_until, today)
}

/// Every notice for `member` (see [`member_notices`]), with the card's expiry from
/// [`card_valid_until`].
pub fn member_notices_for(
    member: &MemberData,
    records: &[EligibilityRecord],
    card_check: Option<&CardCheck>,
    today: NaiveDate,
) -> Vec<Notice> {
    let card_until = card_valid_until(member, card_check);
    notices(member.birth_date, records, card_check, card_until, today)
}

/// The My Number Card's expiry for `member`: the printed 有効期限 they typed, or else, when the
/// card check's certificate was issued while the holder was under age (18; 20 before
/// 2022-04-01), the 5th birthday after that issue: such a card ends on the same day as its
/// certificate (番号法施行規則 §26; docs/rules.md). `None` when neither tells.
pub fn card_valid_until(member: &MemberData, card_check: Option<&CardCheck>) -> Option<NaiveDate> {
    if let Some(printed) = member.card_expires_on {
        return Some(printed);
    }
    let check = card_check?;
    let issued = crate::clock::japan_today(check.certificate_not_before);
    let card = my_number_card_valid_until(member.birth_date, issued)?;
    let certificate = certificate_expiry_date(check.certificate_not_after);
    // A 5-year card (issued under age) ends with its certificate; an adult's 10-year card
    // cannot be told from the certificate alone.
    (card == certificate).then_some(card)
}

fn notices(
    birth: NaiveDate,
    records: &[EligibilityRecord],
    card_check: Option<&CardCheck>,
    card_until: Option<NaiveDate>,
    today: NaiveDate,
) -> Vec<Notice> {
    let mut out = Vec::new();
    let certificate_until = card_check.map(|c| certificate_expiry_date(c.certificate_not_after));
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
    for record in records {
        out.extend(record_notices(record, birth, today));
    }
    out.extend(age_notices(birth, records, today));
    out.extend(both_held_notice(records, card_check, today));
    out.sort_by_key(|n| std::cmp::Reverse(n.severity));
    out
}

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
    use crate::card::{
        AnchorSource, CardKind, ChainStatus, KeyFingerprint, PinCounter, SignatureStatus,
    };
    use crate::eligibility::{CopayRate, ElderlyRecipient, InsurerNumber, Relationship};
    use crate::screen::calendar::late_elderly_start;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    /// notAfter as J-LIS writes it: 23:59:59 JST (14:59:59 UTC) on the expiry day.
    fn not_after(expiry: NaiveDate) -> DateTime<Utc> {
        expiry.and_hms_opt(14, 59, 59).unwrap().and_utc()
    }

    fn code(n: Option<Notice>) -> Option<NoticeCode> {
        n.map(|n| n.code)
    }

    #[test]
    fn certificate_boundaries() {
        let expiry = d(2027, 5, 31);
        let na = not_after(expiry);
        // Warning from 3 months before (2027-02-28, clamped from the 31st).
        assert_eq!(code(certificate_notice(na, d(2027, 2, 27))), None);
        assert_eq!(
            code(certificate_notice(na, d(2027, 2, 28))),
            Some(NoticeCode::CertificateExpiringSoon)
        );
        assert_eq!(
            code(certificate_notice(na, d(2027, 3, 1))),
            Some(NoticeCode::CertificateExpiringSoon)
        );
        // The expiry day itself is still valid; the day after is in grace.
        let on = certificate_notice(na, expiry).unwrap();
        assert_eq!(on.code, NoticeCode::CertificateExpiringSoon);
        assert_eq!(on.date, expiry);
        assert!(on.message.contains("令和9年5月31日"), "{}", on.message);
        let after = certificate_notice(na, d(2027, 6, 1)).unwrap();
        assert_eq!(after.code, NoticeCode::CertificateInGrace);
        assert_eq!(after.date, d(2027, 8, 31));
        assert!(
            after.message.contains("令和9年8月31日まで"),
            "{}",
            after.message
        );
        // Grace: its last day, then the day after.
        assert_eq!(
            code(certificate_notice(na, d(2027, 8, 30))),
            Some(NoticeCode::CertificateInGrace)
        );
        assert_eq!(
            code(certificate_notice(na, d(2027, 8, 31))),
            Some(NoticeCode::CertificateInGrace)
        );
        let ended = certificate_notice(na, d(2027, 9, 1)).unwrap();
        assert_eq!(ended.code, NoticeCode::CertificateInsuranceUseEnded);
        assert_eq!(ended.severity, Severity::Critical);
        assert!(ended.message.contains("資格確認書"), "{}", ended.message);
    }

    #[test]
    fn certificate_window_on_feb_29() {
        // Expiry 2028-05-29 (leap year): warning from 2028-02-29.
        let na = not_after(d(2028, 5, 29));
        assert_eq!(code(certificate_notice(na, d(2028, 2, 28))), None);
        assert_eq!(
            code(certificate_notice(na, d(2028, 2, 29))),
            Some(NoticeCode::CertificateExpiringSoon)
        );
        // Expiry on 2028-02-29: grace to 2028-05-31.
        let na = not_after(d(2028, 2, 29));
        assert_eq!(
            certificate_notice(na, d(2028, 3, 1)).unwrap().date,
            d(2028, 5, 31)
        );
        assert_eq!(
            code(certificate_notice(na, d(2028, 6, 1))),
            Some(NoticeCode::CertificateInsuranceUseEnded)
        );
    }

    #[test]
    fn card_boundaries() {
        let until = d(2029, 10, 10);
        assert_eq!(code(card_notice(until, d(2029, 7, 9))), None);
        assert_eq!(
            code(card_notice(until, d(2029, 7, 10))),
            Some(NoticeCode::CardExpiringSoon)
        );
        assert_eq!(
            code(card_notice(until, d(2029, 10, 10))),
            Some(NoticeCode::CardExpiringSoon)
        );
        let grace = card_notice(until, d(2029, 10, 11)).unwrap();
        assert_eq!(
            (grace.code, grace.date),
            (NoticeCode::CardInGrace, d(2030, 1, 31))
        );
        assert_eq!(
            code(card_notice(until, d(2030, 1, 31))),
            Some(NoticeCode::CardInGrace)
        );
        assert_eq!(
            code(card_notice(until, d(2030, 2, 1))),
            Some(NoticeCode::CardExpired)
        );
        // From the issue date and birth date (29 February, common year).
        assert_eq!(
            card_notice_from_issue(d(1980, 2, 29), d(2021, 3, 1), d(2031, 2, 28))
                .map(|n| (n.code, n.date)),
            Some((NoticeCode::CardExpiringSoon, d(2031, 2, 28)))
        );
        assert_eq!(
            code(card_notice_from_issue(
                d(1980, 2, 29),
                d(2021, 3, 1),
                d(2031, 3, 1)
            )),
            Some(NoticeCode::CardInGrace)
        );
    }

    fn record(kind: DocumentKind, valid_until: Option<NaiveDate>) -> EligibilityRecord {
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

    fn codes(notices: &[Notice]) -> Vec<(NoticeCode, Severity)> {
        notices.iter().map(|n| (n.code, n.severity)).collect()
    }

    #[test]
    fn certificate_document_boundaries() {
        let birth = d(1985, 4, 12);
        let r = record(DocumentKind::Certificate, Some(d(2030, 11, 30)));
        assert!(record_notices(&r, birth, d(2030, 10, 29)).is_empty());
        assert_eq!(
            codes(&record_notices(&r, birth, d(2030, 10, 30))),
            [(NoticeCode::DocumentExpiringSoon, Severity::Warning)]
        );
        let last = record_notices(&r, birth, d(2030, 11, 30));
        assert_eq!(
            codes(&last),
            [(NoticeCode::DocumentExpiringSoon, Severity::Warning)]
        );
        assert!(
            last[0]
                .message
                .contains("資格確認書の有効期限は令和12年11月30日")
        );
        let after = record_notices(&r, birth, d(2030, 12, 1));
        assert_eq!(
            codes(&after),
            [(NoticeCode::DocumentExpired, Severity::Critical)]
        );
        assert_eq!(after[0].date, d(2030, 11, 30));
        // A notice without 有効期限 for a member under 70: nothing.
        let n = record(DocumentKind::Notice, None);
        assert!(record_notices(&n, birth, d(2030, 12, 1)).is_empty());
    }

    #[test]
    fn seventy_to_seventy_four_and_the_75th_birthday() {
        // Born 1952-02-29: the day before the 75th birthday is 2027-02-28 (common year).
        let birth = d(1952, 2, 29);
        // 国保 style 1-year お知らせ, 2026-08-01 to 2027-07-31: cut to 2027-02-28.
        let n = record(DocumentKind::Notice, Some(d(2027, 7, 31)));
        let far = record_notices(&n, birth, d(2026, 11, 23));
        assert_eq!(
            codes(&far),
            [(NoticeCode::DocumentEndsAt75, Severity::Info)]
        );
        assert_eq!(far[0].date, d(2027, 2, 28));
        assert!(
            far[0].message.contains("令和9年2月28日"),
            "{}",
            far[0].message
        );
        assert_eq!(
            codes(&record_notices(&n, birth, d(2027, 1, 27))),
            [(NoticeCode::DocumentEndsAt75, Severity::Info)]
        );
        assert_eq!(
            codes(&record_notices(&n, birth, d(2027, 1, 28))),
            [(NoticeCode::DocumentEndsAt75, Severity::Warning)]
        );
        assert_eq!(
            codes(&record_notices(&n, birth, d(2027, 2, 28))),
            [(NoticeCode::DocumentEndsAt75, Severity::Warning)]
        );
        assert_eq!(
            codes(&record_notices(&n, birth, d(2027, 3, 1))),
            [(NoticeCode::DocumentEndsAt75, Severity::Critical)]
        );
        // Born 1953-02-28: 75th birthday 2028-02-28, so it ends 2028-02-27.
        let birth28 = d(1953, 2, 28);
        let n28 = record(DocumentKind::Notice, Some(d(2028, 7, 31)));
        assert_eq!(
            record_notices(&n28, birth28, d(2027, 11, 1))[0].date,
            d(2028, 2, 27)
        );
        // A printed 有効期限 before the 75th birthday stays the end.
        let short = record(DocumentKind::Notice, Some(d(2026, 7, 31)));
        assert_eq!(
            codes(&record_notices(&short, birth, d(2026, 8, 1))),
            [(NoticeCode::DocumentExpired, Severity::Critical)]
        );
        // 後期高齢者 records are not cut at 75.
        let mut late = record(DocumentKind::Certificate, Some(d(2028, 7, 31)));
        late.insurer_number = InsurerNumber::parse("39131156").unwrap();
        assert!(record_notices(&late, birth, d(2027, 3, 1)).is_empty());
        // A お知らせ with no 有効期限 at 70–74 asks for it, bounded by the 75th birthday.
        let missing = record(DocumentKind::Notice, None);
        let ns = record_notices(&missing, birth, d(2026, 11, 23));
        assert_eq!(
            codes(&ns),
            [
                (NoticeCode::ElderlyNoticeExpiryMissing, Severity::Warning),
                (NoticeCode::DocumentEndsAt75, Severity::Info)
            ]
        );
        assert_eq!(ns[0].date, d(2027, 2, 28));
        // At 69 (the day before turning 70 on 2022-03-01): not yet.
        assert!(record_notices(&missing, birth, d(2022, 2, 28)).is_empty());
        assert_eq!(
            codes(&record_notices(&missing, birth, d(2022, 3, 1)))[0].0,
            NoticeCode::ElderlyNoticeExpiryMissing
        );
    }

    #[test]
    fn elderly_recipient_dates() {
        let birth = d(1955, 9, 15);
        let mut r = record(DocumentKind::Certificate, Some(d(2030, 7, 31)));
        r.elderly = Some(ElderlyRecipient {
            copay: CopayRate::Twenty,
            effective_from: d(2025, 10, 1),
            valid_until: Some(d(2026, 7, 31)),
        });
        let elderly = |today| {
            record_notices(&r, birth, today)
                .into_iter()
                .filter(|n| n.message.contains("高齢受給者"))
                .map(|n| (n.code, n.date))
                .collect::<Vec<_>>()
        };
        assert_eq!(
            elderly(d(2025, 9, 30)),
            [(NoticeCode::ElderlyNotYetEffective, d(2025, 10, 1))]
        );
        assert_eq!(
            elderly(d(2025, 10, 1)),
            [(NoticeCode::ElderlyInEffect, d(2025, 10, 1))]
        );
        assert_eq!(
            elderly(d(2025, 10, 2)),
            [(NoticeCode::ElderlyInEffect, d(2025, 10, 1))]
        );
        assert_eq!(
            elderly(d(2026, 6, 29)),
            [(NoticeCode::ElderlyInEffect, d(2025, 10, 1))]
        );
        assert_eq!(
            elderly(d(2026, 6, 30)),
            [(NoticeCode::ElderlyExpiringSoon, d(2026, 7, 31))]
        );
        assert_eq!(
            elderly(d(2026, 7, 31)),
            [(NoticeCode::ElderlyExpiringSoon, d(2026, 7, 31))]
        );
        assert_eq!(
            elderly(d(2026, 8, 1)),
            [(NoticeCode::ElderlyExpired, d(2026, 7, 31))]
        );
        let msg = record_notices(&r, birth, d(2025, 12, 2))
            .into_iter()
            .find(|n| n.code == NoticeCode::ElderlyInEffect)
            .unwrap()
            .message;
        assert_eq!(
            msg,
            "高齢受給者の負担割合は2割です（令和7年10月1日から、令和8年7月31日まで）。"
        );
    }

    fn check(expiry: NaiveDate) -> CardCheck {
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
            basic_info: None,
        }
    }

    #[test]
    fn both_held() {
        let today = d(2026, 11, 23);
        let cert = record(DocumentKind::Certificate, Some(d(2030, 11, 30)));
        let notice = record(DocumentKind::Notice, None);
        let portal = record(DocumentKind::Portal, None);
        let valid_card = check(d(2028, 5, 1));
        // Certificate + card check.
        let n = both_held_notice(std::slice::from_ref(&cert), Some(&valid_card), today).unwrap();
        assert_eq!(
            (n.code, n.severity),
            (NoticeCode::BothHeld, Severity::Warning)
        );
        assert_eq!(n.date, d(2030, 11, 30));
        // Certificate + お知らせ or マイナポータル record.
        assert!(both_held_notice(&[cert.clone(), notice.clone()], None, today).is_some());
        assert!(both_held_notice(&[portal, cert.clone()], None, today).is_some());
        // Only one of them: nothing.
        assert!(both_held_notice(std::slice::from_ref(&cert), None, today).is_none());
        assert!(
            both_held_notice(std::slice::from_ref(&notice), Some(&valid_card), today).is_none()
        );
        // A certificate whose insurance use ended does not count as a マイナ保険証
        // (expired 2026-05-31, grace to 2026-08-31).
        let ended = check(d(2026, 5, 31));
        assert!(
            both_held_notice(std::slice::from_ref(&cert), Some(&ended), d(2026, 9, 1)).is_none()
        );
        assert!(
            both_held_notice(std::slice::from_ref(&cert), Some(&ended), d(2026, 8, 31)).is_some()
        );
        // An expired 資格確認書 is not held any more: the day of and the day after.
        let old = record(DocumentKind::Certificate, Some(today));
        assert!(both_held_notice(std::slice::from_ref(&old), Some(&valid_card), today).is_some());
        assert!(
            both_held_notice(
                std::slice::from_ref(&old),
                Some(&valid_card),
                d(2026, 11, 24)
            )
            .is_none()
        );
        // 後期高齢者: Info until 2026-07-31, a warning from the day after.
        let mut late = record(DocumentKind::Certificate, Some(d(2027, 7, 31)));
        late.insurer_number = InsurerNumber::parse("39131156").unwrap();
        let before = both_held_notice(
            std::slice::from_ref(&late),
            Some(&valid_card),
            d(2026, 7, 31),
        )
        .unwrap();
        assert_eq!(
            (before.severity, before.date),
            (Severity::Info, d(2026, 7, 31))
        );
        let after = both_held_notice(
            std::slice::from_ref(&late),
            Some(&valid_card),
            d(2026, 8, 1),
        )
        .unwrap();
        assert_eq!(after.severity, Severity::Warning);
    }

    #[test]
    fn member_notices_sorted_by_severity() {
        let today = d(2026, 11, 23);
        let records = [
            record(DocumentKind::Certificate, Some(d(2026, 12, 10))),
            record(DocumentKind::Notice, Some(d(2026, 1, 31))),
        ];
        // Certificate in grace (expired 2026-10-15, usable to 2027-01-31).
        let card = check(d(2026, 10, 15));
        let all = member_notices(d(1985, 4, 12), &records, Some(&card), None, today);
        assert_eq!(
            codes(&all),
            [
                (NoticeCode::DocumentExpired, Severity::Critical),
                (NoticeCode::CertificateInGrace, Severity::Warning),
                (NoticeCode::DocumentExpiringSoon, Severity::Warning),
                (NoticeCode::BothHeld, Severity::Warning),
            ]
        );
        assert_eq!(all[1].date, d(2027, 1, 31));
        assert_eq!(days_until(d(2026, 12, 10), today), 17);
        let json = serde_json::to_value(&all[1]).unwrap();
        assert_eq!(json["code"], "certificate_in_grace");
        assert_eq!(json["severity"], "warning");
        assert_eq!(json["date"], "2027-01-31");
    }

    fn has(notices: &[Notice], code: NoticeCode) -> bool {
        notices.iter().any(|n| n.code == code)
    }

    fn child_record(preschool: bool, copay: CopayRate) -> EligibilityRecord {
        let mut r = record(DocumentKind::Certificate, Some(d(2030, 11, 30)));
        r.relationship = Relationship::Dependent;
        r.preschool = preschool;
        r.copay = Some(copay);
        r
    }

    #[test]
    fn preschool_boundary_births_on_1_and_2_april() {
        // Born 2019-04-01: 未就学 ends 2025-03-31. Born 2019-04-02: 2026-03-31.
        let apr1 = d(2019, 4, 1);
        let apr2 = d(2019, 4, 2);
        let marked = [child_record(true, CopayRate::Twenty)];
        // 2025-03-31: both preschool; the 1 April child's end is announced.
        let ns = age_notices(apr1, &marked, d(2025, 3, 31));
        assert_eq!(codes(&ns), [(NoticeCode::PreschoolEnds, Severity::Info)]);
        assert_eq!(ns[0].date, d(2025, 3, 31));
        assert!(
            ns[0].message.contains("令和7年3月31日"),
            "{}",
            ns[0].message
        );
        assert!(age_notices(apr2, &marked, d(2025, 3, 31)).is_empty());
        // 2025-04-01: the 1 April child is past 未就学 with a 2割 record still marked.
        let ns = age_notices(apr1, &marked, d(2025, 4, 1));
        assert!(has(&ns, NoticeCode::PreschoolFlagMismatch));
        assert!(has(&ns, NoticeCode::CopayImplausible));
        assert_eq!(
            ns.iter()
                .find(|n| n.code == NoticeCode::CopayImplausible)
                .unwrap()
                .date,
            d(2025, 4, 1)
        );
        assert!(age_notices(apr2, &marked, d(2025, 4, 1)).is_empty());
        // Announced from 3 months before, not earlier.
        assert!(age_notices(apr2, &marked, d(2025, 12, 30)).is_empty());
        assert!(has(
            &age_notices(apr2, &marked, d(2025, 12, 31)),
            NoticeCode::PreschoolEnds
        ));
    }

    #[test]
    fn preschool_flag_and_share_disagree_with_the_birth_date() {
        let today = d(2026, 11, 23);
        // A 3-year-old at 3割, not marked 未就学.
        let three = d(2023, 5, 10);
        let ns = age_notices(three, &[child_record(false, CopayRate::Thirty)], today);
        assert_eq!(
            codes(&ns),
            [
                (NoticeCode::PreschoolFlagMismatch, Severity::Warning),
                (NoticeCode::CopayImplausible, Severity::Warning),
            ]
        );
        assert!(ns[1].message.contains("3割") && ns[1].message.contains("2割"));
        // A 7-year-old at 2割.
        let seven = d(2019, 5, 10);
        let ns = age_notices(seven, &[child_record(false, CopayRate::Twenty)], today);
        assert_eq!(
            codes(&ns),
            [(NoticeCode::CopayImplausible, Severity::Warning)]
        );
        // Consistent records say nothing; an absent share is not checked.
        assert!(age_notices(three, &[child_record(true, CopayRate::Twenty)], today).is_empty());
        assert!(age_notices(seven, &[child_record(false, CopayRate::Thirty)], today).is_empty());
        let mut unprinted = child_record(false, CopayRate::Thirty);
        unprinted.copay = None;
        assert!(age_notices(seven, &[unprinted], today).is_empty());
        // Several records with the same mistake: one notice each.
        let twice = [
            child_record(false, CopayRate::Twenty),
            child_record(false, CopayRate::Twenty),
        ];
        assert_eq!(age_notices(seven, &twice, today).len(), 1);
        // A 公費 受給者証 or an ended record is not an insurance share.
        let mut lost = child_record(false, CopayRate::Twenty);
        lost.lost_on = Some(d(2026, 4, 1));
        assert!(age_notices(seven, &[lost], today).is_empty());
    }

    #[test]
    fn copay_plausibility_by_scheme_for_70_to_74_and_late_elderly() {
        let today = d(2026, 11, 23);
        // 72: 2割 or 3割 allowed, 1割 not.
        let born = d(1954, 6, 10);
        let mut r = record(DocumentKind::Certificate, Some(d(2027, 7, 31)));
        r.copay = Some(CopayRate::Twenty);
        assert!(age_notices(born, std::slice::from_ref(&r), today).is_empty());
        r.copay = Some(CopayRate::Ten);
        assert!(has(
            &age_notices(born, &[r.clone()], today),
            NoticeCode::CopayImplausible
        ));
        // On a 後期 record, 1割 is fine.
        r.insurer_number = InsurerNumber::parse("39131008").unwrap();
        let old = d(1948, 6, 10);
        assert!(age_notices(old, &[r], today).is_empty());
    }

    #[test]
    fn seventieth_birthday_on_the_1st_and_on_another_day() {
        let r = [record(DocumentKind::Notice, None)];
        // Born 1956-12-01: starts on the birthday, 2026-12-01.
        let first = d(1956, 12, 1);
        let ns = age_notices(first, &r, d(2026, 11, 23));
        assert_eq!(
            codes(&ns),
            [(NoticeCode::ElderlyRecipientStarts, Severity::Info)]
        );
        assert_eq!(ns[0].date, d(2026, 12, 1));
        assert!(
            ns[0].message.contains("令和8年12月1日"),
            "{}",
            ns[0].message
        );
        assert!(has(
            &age_notices(first, &r, d(2026, 12, 1)),
            NoticeCode::ElderlyRecipientStarts
        ));
        assert!(age_notices(first, &r, d(2026, 12, 2)).is_empty());
        // Born 1956-12-02: the 1st of the month after, 2027-01-01.
        let second = d(1956, 12, 2);
        let ns = age_notices(second, &r, d(2026, 12, 2));
        assert_eq!(ns[0].date, d(2027, 1, 1));
        // Announced from 3 months before.
        assert!(age_notices(second, &r, d(2026, 9, 30)).is_empty());
        assert!(has(
            &age_notices(second, &r, d(2026, 10, 1)),
            NoticeCode::ElderlyRecipientStarts
        ));
        // Not for a member without records, nor under 後期.
        assert!(age_notices(second, &[], d(2026, 12, 2)).is_empty());
    }

    #[test]
    fn lost_coverage_ends_the_record_with_the_return_advice() {
        let birth = d(1985, 4, 12);
        let mut r = record(DocumentKind::Certificate, Some(d(2030, 11, 30)));
        r.lost_on = Some(d(2026, 12, 1));
        // Ahead: a warning within a month, Info before.
        assert_eq!(
            codes(&record_notices(&r, birth, d(2026, 10, 31))),
            [(NoticeCode::CoverageEnding, Severity::Info)]
        );
        assert_eq!(
            codes(&record_notices(&r, birth, d(2026, 11, 1))),
            [(NoticeCode::CoverageEnding, Severity::Warning)]
        );
        // From the 資格喪失日: ended, and nothing else about the record.
        let ns = record_notices(&r, birth, d(2026, 12, 1));
        assert_eq!(codes(&ns), [(NoticeCode::CoverageLost, Severity::Critical)]);
        assert!(ns[0].message.contains("5日以内"), "{}", ns[0].message);
        assert!(
            ns[0].message.contains("令和8年12月1日"),
            "{}",
            ns[0].message
        );
        assert!(r.is_lost(d(2026, 12, 1)) && !r.is_lost(d(2026, 11, 30)));
        // An お知らせ is not returned; a lost record is no longer "held".
        let mut n = record(DocumentKind::Notice, None);
        n.lost_on = Some(d(2026, 12, 1));
        assert!(
            !record_notices(&n, birth, d(2026, 12, 1))[0]
                .message
                .contains("5日以内")
        );
        assert!(both_held_notice(&[r, n], None, d(2026, 12, 1)).is_none());
    }

    fn member(birth: NaiveDate, relationship: Relationship) -> MemberData {
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
