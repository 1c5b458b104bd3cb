//! The notices about one member's records: each document's 有効期限 (cut to the day before the
//! 75th birthday), its 資格喪失日 and its 高齢受給者 dates, and the age rules (the end of 未就学,
//! the 負担割合 by age and scheme, the 高齢受給者 start). The dates are in docs/dates.md.

use chrono::{Months, NaiveDate};

use super::calendar::{
    CopayBasis, RecordEnded, age_on, elderly_recipient_start, is_preschool, last_day_before_75,
    late_elderly_on, preschool_last_day, preschool_share_outdated, record_ended, record_in_force,
    record_last_day, record_not_started, statutory_copay,
};
use super::notices_household::HouseholdContext;
use super::rules::{Notice, NoticeCode, Severity};
use super::situation::certificate_label;
use super::takeover::{TakeoverCause, start_printed};
use super::text_ja;
use super::wareki::format_wareki;
use crate::eligibility::{CopayRate, DocumentKind, EligibilityRecord, Relationship, Scheme};

/// Months before a document's 有効期限 from which it is "expiring soon" (a product choice:
/// insurers send the next document shortly before).
pub const DOCUMENT_WARNING_MONTHS: u32 = 1;

/// The last day a record is valid, and whether that is the day before the 75th birthday
/// rather than its printed 有効期限 ([`record_last_day`], the rule the clinic desk uses too).
/// Without a printed 有効期限 the 75th birthday is shown from age 70 on only. `None` when
/// neither applies.
fn effective_end(
    record: &EligibilityRecord,
    birth: NaiveDate,
    today: NaiveDate,
) -> Option<(NaiveDate, bool)> {
    record_last_day(
        record.kind,
        &record.insurer_number,
        record.valid_until,
        birth,
    )
    .filter(|_| record.valid_until.is_some() || age_on(birth, today) >= 70)
    .map(|end| (end.last_day, end.at_75))
}

/// Notices about one eligibility record of a member born on `birth`: its 有効期限 (cut to the
/// day before the 75th birthday unless it is a 後期高齢者 record), its 資格喪失日
/// ([`coverage_notice`], worded by `myna_usable`: the member's card works as a マイナ保険証), the
/// one-year お知らせ of ages 70–74, and the 高齢受給者 発効期日 and 有効期限.
pub fn record_notices(
    record: &EligibilityRecord,
    birth: NaiveDate,
    today: NaiveDate,
    myna_usable: bool,
) -> Vec<Notice> {
    record_notices_renewed(
        record,
        birth,
        today,
        myna_usable,
        None,
        false,
        Joined::default(),
    )
}

/// Another insurance of the member typed in that starts on or before `lost`, the 資格喪失日
/// ahead of `record` ([`next_insurance`]): the member has joined it, so the notice of the end
/// ahead names it instead of asking to join (review of 2026-11-30).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NextInsurance {
    /// Its insurer (`text_ja::insurer_of`).
    pub insurer: String,
    /// The day it starts ([`EligibilityRecord::starts_on`]).
    pub from: NaiveDate,
}

/// What the member has joined besides a record ([`record_notices_renewed`]).
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Joined<'a> {
    /// Another insurance record in force today: a 資格喪失日 no longer says what to join.
    pub(crate) again: bool,
    /// Before a 資格喪失日 ahead: the next insurance typed in, starting by then.
    pub(crate) next: Option<&'a NextInsurance>,
}

/// The member's next insurance for `record` with its 資格喪失日 `lost` ahead of `today`, when one
/// is typed in: an insurance record of another 資格 (`takeover::same_coverage`) whose printed
/// start (有効開始年月日 or 資格取得年月日) is on or before that day and after today or after
/// `record`'s own printed start (an undated `record` leaves only the first), and which is still in force on it (`ended_on(r, lost)` false:
/// not lost, not past its 有効期限 or the 75th birthday, no 被扶養者 status ended through another
/// member by then) — the earliest such. A record that started before today and before `record`
/// is the member's current insurance, not the next one; one started since `record` stays named
/// on every day up to the 資格喪失日 (reviews of 2026-11-30).
pub(crate) fn next_insurance<'a>(
    record: &EligibilityRecord,
    lost: NaiveDate,
    today: NaiveDate,
    others: impl IntoIterator<Item = &'a EligibilityRecord>,
    ended_on: impl Fn(&EligibilityRecord, NaiveDate) -> bool,
) -> Option<NextInsurance> {
    others
        .into_iter()
        .filter(|r| {
            r.kind.is_insurance()
                && !std::ptr::eq(*r, record)
                && !super::takeover::same_coverage(r, record)
                && !ended_on(r, lost)
        })
        .filter_map(|r| {
            let started = record.starts_on();
            let from = r
                .starts_on()
                .filter(|&s| s <= lost && (s > today || started.is_some_and(|old| s > old)))?;
            Some((from, r))
        })
        .min_by_key(|(from, _)| *from)
        .map(|(from, r)| NextInsurance {
            insurer: text_ja::insurer_of(r),
            from,
        })
}

/// The renewed document recorded beside a record ([`renewal_of`]): its first day (its
/// 有効開始年月日, when printed) and its last day ([`record_last_day`], when it has one).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Renewal {
    /// Its 有効開始年月日, when printed.
    pub(crate) from: Option<NaiveDate>,
    /// Its last day, when it has one.
    pub(crate) last_day: Option<NaiveDate>,
    /// What takes over: the next document of the same kind, or — for a 資格確認書 of a member
    /// whose card works as a マイナ保険証 — the card with the same insurer's お知らせ.
    pub(crate) by: Successor,
}

/// When the マイナ保険証 takes over from a member's 資格確認書 ([`Successor::MynaHoken`]).
#[derive(Debug, Clone, Copy)]
pub(crate) struct CardTakeover {
    /// With the same insurer's お知らせ or マイナポータル record recorded: the card works as a
    /// マイナ保険証 and neither it nor its certificate is past its 有効期限.
    pub(crate) with_record: bool,
    /// With nothing of the insurer's recorded: as above, and the member said the card is
    /// registered.
    pub(crate) alone: bool,
}

/// What takes over from a record that ends ([`Renewal::by`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Successor {
    /// The next document of the same kind (next year's 資格確認書, the next one-year お知らせ).
    SameKind,
    /// The マイナ保険証, with this insurer's 資格情報のお知らせ or マイナポータル record
    /// recorded (`Some` of its kind), or none recorded (`None`: a 資格確認書 of a member whose card
    /// works as a マイナ保険証, [`record_notices_renewed`]): no new 資格確認書 is sent to someone
    /// who can use a マイナ保険証 (docs/dates.md §4; notice C of docs/rules.md: 「マイナ保険証❝有❞
    /// の方には発行されません」).
    MynaHoken(Option<DocumentKind>),
}

/// The renewed document of `record` among the member's `records`, when one is recorded: a
/// document of the same kind and 保険者番号 that has not ended, lasts beyond `record`'s last day
/// and starts no later than the day after it (no gap) — next year's 国保 資格確認書 from 8-01, a
/// 資格確認書 reissued at its 有効期限, the next one-year お知らせ of a member aged 70–74. With it
/// recorded, the insurer has sent the new one: `record`'s notices do not ask whether it has come
/// (docs/guidance.md §4). `None` for a record without a last day, and for one cut at the 75th
/// birthday (後期高齢者医療 takes over; the former insurer sends no renewal).
///
/// A 資格確認書 of a member whose card works as a マイナ保険証 (`myna_usable`) is also taken over
/// by a 資格情報のお知らせ or マイナポータル record of the same 保険者番号 that has not ended
/// ([`Successor::MynaHoken`]): in principle no 資格確認書 is issued to someone who can use a
/// マイナ保険証 — 後期高齢者 among them once the temporary rule of sending everyone one ended on
/// 2026-07-31 — so none is to be waited for, and the card with the お知らせ is what to show.
pub(crate) fn renewal_of(
    record: &EligibilityRecord,
    records: &[EligibilityRecord],
    birth: NaiveDate,
    household: &HouseholdContext,
    myna_usable: bool,
    today: NaiveDate,
) -> Option<Renewal> {
    let end = record_last_day(
        record.kind,
        &record.insurer_number,
        record.valid_until,
        birth,
    )
    .filter(|end| !end.at_75)?;
    let next_day = end.last_day.succ_opt()?;
    // An お知らせ older than the 資格確認書 (by their first days, when both are printed) is not
    // its successor: the 資格確認書 came after it, for a reason (docs/guidance.md §4).
    let day = |r: &EligibilityRecord| r.valid_from.or(r.issued_on);
    let not_older =
        |r: &EligibilityRecord| !matches!((day(r), day(record)), (Some(a), Some(b)) if a < b);
    let successor = |r: &EligibilityRecord| {
        if r.kind == record.kind {
            Some(Successor::SameKind)
        } else {
            (myna_usable
                && record.kind == DocumentKind::Certificate
                && matches!(r.kind, DocumentKind::Notice | DocumentKind::Portal)
                && not_older(r))
            .then_some(Successor::MynaHoken(Some(r.kind)))
        }
    };
    records
        .iter()
        .filter(|r| !std::ptr::eq(*r, record))
        .filter(|r| r.insurer_number == record.insurer_number)
        // A successor that ran its course (past its own 有効期限, or cut at the 75th birthday)
        // was still the renewal: the insurer sent it, and it speaks for itself now (review of
        // 2026-11-30: a 資格確認書 two renewals back went back to Critical「…保険者に確認して
        // ください」 beside the one in force). One lost or taken over is not counted.
        .filter(|r| {
            matches!(
                record_ended(r, birth, household, today),
                None | Some(RecordEnded::Expired(_) | RecordEnded::At75(_))
            )
        })
        .filter(|r| r.valid_from.is_none_or(|from| from <= next_day))
        .filter_map(|r| {
            let by = successor(r)?;
            let last = record_last_day(r.kind, &r.insurer_number, r.valid_until, birth);
            last.is_none_or(|l| l.last_day > end.last_day)
                .then_some(Renewal {
                    from: r.valid_from,
                    last_day: last.map(|l| l.last_day),
                    by,
                })
        })
        // The same kind first (the document that replaces this one), then the earliest.
        .min_by_key(|r| (r.by != Successor::SameKind, r.from))
}

/// [`record_notices`] of a record whose renewed document is recorded (`renewal`,
/// [`renewal_of`]): the insurer has sent the new one, so nothing asks whether it has come.
/// While the record is in force its nearing 有効期限 gets no notice (the renewal's own
/// `DocumentNotStarted` says from when it applies); once past, an Info `DocumentExpired` for a
/// month (PRODUCT: [`DOCUMENT_WARNING_MONTHS`]) names the renewed one to show instead, and the
/// record's 高齢受給者 block says nothing more (the renewal's own block does).
pub(crate) fn record_notices_renewed(
    record: &EligibilityRecord,
    birth: NaiveDate,
    today: NaiveDate,
    myna_usable: bool,
    renewal: Option<Renewal>,
    card_alone_takes_over: bool,
    joined: Joined<'_>,
) -> Vec<Notice> {
    let Joined {
        again: covered_again,
        next,
    } = joined;
    let mut out = Vec::new();
    let named = text_ja::document_name(record);
    let doc = record.kind.label_ja();
    let age = age_on(birth, today);
    // A 資格確認書 of a member who said the card is registered, card and certificate within
    // their 有効期限 (`card_alone_takes_over`, [`CardTakeover::alone`]), is not renewed (none is
    // issued to a マイナ保険証 holder): taken over by the card, with no お知らせ recorded too.
    let renewal = renewal.or_else(|| {
        (card_alone_takes_over && record.kind == DocumentKind::Certificate).then_some(Renewal {
            from: None,
            last_day: None,
            by: Successor::MynaHoken(None),
        })
    });

    if let Some(notice) = coverage_notice(record, birth, today, myna_usable, covered_again, next) {
        // An ended record has nothing else to say; one with an end ahead goes on.
        let lost = notice.code == NoticeCode::CoverageLost;
        out.push(notice);
        if lost {
            return out;
        }
    }

    // Not for a 後期高齢者医療 お知らせ (mailed before the 75th birthday): it is no 高齢受給者's,
    // and nothing of it ends at 75.
    if record.kind == DocumentKind::Notice
        && record.valid_until.is_none()
        && !record.insurer_number.is_late_elderly()
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

    // Ended the day before the 75th birthday: no new 高齢受給者 share will come for this record
    // (後期高齢者医療 sets its own 負担割合, 高齢者の医療の確保に関する法律 §67), so its 高齢受給者
    // block says nothing more — as a lost record gets no other notice (docs/dates.md §4).
    let mut ended_at_75 = false;
    let mut renewed_and_ended = false;
    if let Some((end, by75)) = effective_end(record, birth, today) {
        ended_at_75 = by75 && today > end;
        // Its 高齢受給者 block says nothing more only when a recorded document carries the next
        // one (not when the card alone takes over: nothing else would speak of the share).
        renewed_and_ended =
            renewal.is_some_and(|r| r.by != Successor::MynaHoken(None)) && today > end;
        let warn_from = end.checked_sub_months(Months::new(DOCUMENT_WARNING_MONTHS));
        let soon = warn_from.is_some_and(|w| today >= w);
        let notice = if let Some(next) = renewal.filter(|_| !by75) {
            // The renewed one is recorded: nothing to ask the insurer. Past the end, say for a
            // month which one to show instead.
            let recent = end
                .checked_add_months(Months::new(DOCUMENT_WARNING_MONTHS))
                .is_some_and(|until| today <= until);
            // Not when the renewal has ended too (it was the renewal all the same, so no
            // Critical here; its own notice speaks: review of 2026-11-30).
            let renewal_usable = next.last_day.is_none_or(|last| last >= today);
            (today > end && recent && renewal_usable).then(|| Notice {
                code: NoticeCode::DocumentExpired,
                severity: Severity::Info,
                date: end,
                message: match next.by {
                    Successor::SameKind => {
                        text_ja::document_renewed(&named, doc, end, next.last_day)
                    }
                    Successor::MynaHoken(kind) => text_ja::certificate_taken_over_by_myna(
                        &named,
                        end,
                        kind.map_or(
                            "資格情報のお知らせかマイナポータルの資格情報画面",
                            |k| k.label_ja(),
                        ),
                    ),
                },
            })
        } else if today > end {
            Some(if by75 {
                Notice {
                    code: NoticeCode::DocumentEndsAt75,
                    // With the 後期高齢者医療 record (or another insurance) in force, as above.
                    severity: if covered_again {
                        Severity::Warning
                    } else {
                        Severity::Critical
                    },
                    date: end,
                    message: text_ja::document_ended_at_75(
                        &named,
                        end,
                        myna_usable,
                        // Lost on the 75th birthday, the day after its last day.
                        certificate_give_back(record, Some(end.succ_opt().unwrap_or(end)), today)
                            .as_deref(),
                    ),
                }
            } else if record.kind == DocumentKind::PublicExpense {
                // The 助成 no longer applies, but the member is still seen with their insurance:
                // a Warning, and the new one is asked of whoever issued it (docs/rules.md §4.2).
                Notice {
                    code: NoticeCode::DocumentExpired,
                    severity: Severity::Warning,
                    date: end,
                    message: text_ja::public_expense_expired(&named, end),
                }
            } else if record.kind.needs_card() && myna_usable {
                // An お知らせ (or a マイナポータル copy) past its 有効期限 — a 70–74 one past the
                // 高齢受給者 period it prints — while the card works as a マイナ保険証: the member
                // is seen with the card as before; only this paper is not to be shown. A
                // Warning, not Critical: nothing is blocked.
                Notice {
                    code: NoticeCode::DocumentExpired,
                    severity: Severity::Warning,
                    date: end,
                    message: text_ja::notice_expired(&named, doc, end),
                }
            } else {
                Notice {
                    code: NoticeCode::DocumentExpired,
                    severity: Severity::Critical,
                    date: end,
                    message: text_ja::document_expired(&named, doc, end),
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
                message: text_ja::document_ends_at_75(&named, end),
            })
        } else if soon {
            Some(Notice {
                code: NoticeCode::DocumentExpiringSoon,
                severity: Severity::Warning,
                date: end,
                message: text_ja::document_expiring_soon(&named, end),
            })
        } else {
            None
        };
        out.extend(notice);
    }

    if let Some(elderly) = record
        .elderly
        .as_ref()
        .filter(|_| !ended_at_75 && !renewed_and_ended)
    {
        let rate = elderly.copay.percent() / 10;
        let from = elderly.effective_from;
        // The block's printed 有効期限, when the 75th birthday does not come first: the day
        // before 75 alone is no 有効期限 to warn of or to call past (docs/dates.md §4) — the
        // record's own notice says it ends then (`DocumentEndsAt75`; review of 2026-12-01: a
        // block printed to 7月31日 was said to have 「有効期限は令和9年4月2日」).
        let end = match (elderly.valid_until, last_day_before_75(birth)) {
            (Some(u), Some(l)) => (u <= l).then_some(u),
            (u, _) => u,
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
                // Until a printed 有効期限 (the block's, else the document's), capped at 75: the
                // 75 cap alone is no end to say, as the share is decided again each year
                // (有効期限 7月31日 in most places).
                message: text_ja::elderly_in_effect(
                    rate,
                    from,
                    elderly
                        .valid_until
                        .or(record.valid_until)
                        .map(|u| last_day_before_75(birth).map_or(u, |l| u.min(l))),
                ),
            }
        };
        out.push(notice);
    }
    out
}

/// Where `record`, a 資格確認書, goes back once its coverage ended on `since` (a 資格喪失日, or the
/// 75th birthday: 高齢者の医療の確保に関する法律 §52(1), 健康保険法 §36, 国民健康保険法 §6(8);
/// `None` when not known, a record taken over) ([`text_ja::JoinAfterLoss::give_back_ja`]; a 家族's through the 被保険者, notice A:
/// 「被扶養者でなくなったときは…事業主に提出」). `None` for any other document: an お知らせ is not
/// returned.
fn certificate_give_back(
    record: &EligibilityRecord,
    since: Option<NaiveDate>,
    today: NaiveDate,
) -> Option<String> {
    (record.kind == DocumentKind::Certificate).then(|| {
        text_ja::JoinAfterLoss::give_back_ja(
            record.insurer_number.scheme(),
            since,
            today,
            if record.relationship == Relationship::Dependent {
                text_ja::Holder::Dependent
            } else {
                text_ja::Holder::Insured
            },
        )
    })
}

/// Two of the member's insurance records of different 資格 both in force `today`
/// (`takeover::overlapping`): [`NoticeCode::InsurancesOverlap`], a Warning naming both, asking
/// for the date that ends the old one (its 資格喪失日) or starts the new one (its
/// 資格取得年月日) — with it, `takeover` or the 資格喪失日 ends the old one and only the one in
/// force is offered.
pub(super) fn overlap_notice(
    records: &[EligibilityRecord],
    birth: NaiveDate,
    household: &HouseholdContext,
    today: NaiveDate,
) -> Option<Notice> {
    let (a, b) =
        super::takeover::overlapping(records, |r| record_in_force(r, birth, household, today))?;
    // Named as the guidance names them; two of one insurer (任意継続) by their 番号 as well.
    let (mut name_a, mut name_b) = (
        certificate_label(a, records, birth),
        certificate_label(b, records, birth),
    );
    if name_a == name_b {
        name_a.push_str(&format!("（番号{}）", a.number));
        name_b.push_str(&format!("（番号{}）", b.number));
    }
    // One that prints no start of its own cannot be placed; its 資格取得年月日 (or 有効開始年月日)
    // decides either way (`takeover`).
    let undated = match (start_printed(a), start_printed(b)) {
        (None, Some(_)) => Some(name_a.as_str()),
        (Some(_), None) => Some(name_b.as_str()),
        _ => None,
    };
    Some(Notice {
        code: NoticeCode::InsurancesOverlap,
        severity: Severity::Warning,
        date: a.starts_on().max(b.starts_on()).unwrap_or(today),
        message: text_ja::insurances_overlap(&name_a, &name_b, undated),
    })
}

/// The notice of a record a later record of the member took over by `today`
/// ([`HouseholdContext::taken_over`], `super::takeover`), in place of its own notices: another
/// insurance acquired (`CoverageLost`, Warning: the coverage ended no later than that day, and a
/// 資格確認書 goes back at once, [`certificate_give_back`] — the real 資格喪失日, which may be
/// earlier, is not known), or the 資格確認書 reissued (`DocumentExpired`, Info: the new paper is
/// the one to show). `None` for a record not taken over, or not yet.
pub(crate) fn taken_over_notice(
    record: &EligibilityRecord,
    birth: NaiveDate,
    household: &HouseholdContext,
    today: NaiveDate,
) -> Option<Notice> {
    let named = text_ja::document_name(record);
    // Its 資格 lost (the date typed on another paper of it): said even when the paper had
    // expired before, as a record with its own 資格喪失日 says nothing else (docs/rules.md §3.3)
    // — an expired 資格確認書's notice would send the member to the card of a lost 資格.
    if let Some((on, TakeoverCause::SameCoverageLost, _)) = household.taken_over(record) {
        return (today >= on).then(|| Notice {
            code: NoticeCode::CoverageLost,
            severity: Severity::Warning,
            date: on,
            // Notice A's 5 days count from the 資格喪失日, known here.
            message: text_ja::same_coverage_lost(
                &named,
                on,
                certificate_give_back(record, Some(on), today).as_deref(),
            ),
        });
    }
    // Taken over while in force: a record that ended at 75 or at its 有効期限 before keeps its
    // own notices (`calendar::record_ended` decides).
    let Some(RecordEnded::TakenOver(on, cause)) = record_ended(record, birth, household, today)
    else {
        return None;
    };
    let (_, _, by) = household.taken_over(record)?;
    Some(match cause {
        TakeoverCause::OtherInsurance => Notice {
            code: NoticeCode::CoverageLost,
            severity: Severity::Warning,
            date: on,
            message: {
                let mut text = text_ja::taken_over_by_other_insurance(
                    &named,
                    &by.insurer,
                    on,
                    // The deadline of notice A counts from a 資格喪失日 that is not known:
                    // 「すぐに」.
                    certificate_give_back(record, None, today).as_deref(),
                );
                // 国保 left for a job's insurance ends only by the member's filing (国民健康保険法
                // §9(1); review of 2026-12-01); at 75 後期 follows by law, and a move to another
                // 市区町村's 国保 is filed with the move.
                if record.insurer_number.scheme() == Scheme::NationalHealthInsurance
                    && by.employee_insurance()
                {
                    text.push_str(&text_ja::nhi_leave_filing(on, today));
                }
                text
            },
        },
        // Said above, whatever ended the paper first.
        TakeoverCause::SameCoverageLost => return None,
        TakeoverCause::Reissued => Notice {
            code: NoticeCode::DocumentExpired,
            severity: Severity::Info,
            date: on,
            // Named by its 交付年月日, else its 有効開始年月日, as the guidance names it
            // (`situation::certificate_label`): the new one bears the same name and 有効期限.
            message: text_ja::reissued(
                &match (record.issued_on, record.valid_from) {
                    (Some(issued), _) => format!("{named}（{}交付）", format_wareki(issued)),
                    (None, Some(from)) => format!("{named}（{}から）", format_wareki(from)),
                    (None, None) => named,
                },
                on,
            ),
        },
    })
}

/// The notice of a record's 資格喪失日: ended from that day on (Critical, with notice A's
/// advice), ahead of it a Warning within [`DOCUMENT_WARNING_MONTHS`] and Info before. The ended
/// notice says that the マイナ保険証 keeps working after the new insurer's registration only when
/// `myna_usable` — the member's card works as one (`MemberSituation::myna_usable`, the rule of
/// the guidance's to-do); a member with a 資格確認書 alone is not told so (docs/rules.md §3.3).
/// What to join next is the to-do's rule (`text_ja::JoinAfterLoss`, from the record's scheme
/// and whether the member, born on `birth`, is 75 or over), said only while no other insurance
/// record of the member is in force (`covered_again`: they have joined, and their new record is
/// on the screen; what ended and where its 資格確認書 goes back are still said).
pub fn coverage_notice(
    record: &EligibilityRecord,
    birth: NaiveDate,
    today: NaiveDate,
    myna_usable: bool,
    covered_again: bool,
    next: Option<&NextInsurance>,
) -> Option<Notice> {
    let lost = record.lost_on?;
    let doc = record.kind.label_ja();
    let insurer = text_ja::insurer_of(record);
    if today >= lost {
        let scheme = record.insurer_number.scheme();
        let give_back = certificate_give_back(record, Some(lost), today);
        let late = late_elderly_on(birth, today);
        let dependent = record.relationship == Relationship::Dependent;
        let join = (!covered_again)
            .then(|| text_ja::JoinAfterLoss::of(scheme, dependent, late).join_ja(lost, today));
        return Some(Notice {
            code: NoticeCode::CoverageLost,
            // Covered again by another insurance in force: nothing blocks the member any more,
            // as for a coverage a later record took over (`taken_over_notice`, Warning) — what
            // is left is the paper to return (review of 2026-11-30: Critical for ever).
            severity: if covered_again {
                Severity::Warning
            } else {
                Severity::Critical
            },
            date: lost,
            message: text_ja::coverage_lost(
                &insurer,
                doc,
                lost,
                give_back.as_deref(),
                join.as_deref(),
                myna_usable,
            ),
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
        message: text_ja::coverage_ending(&insurer, doc, lost, next),
    })
}

/// The notice of a record not started yet (`calendar::record_not_started`: its 有効開始年月日, or
/// a later 資格取得年月日, is after today). It is not in force ([`record_in_force`]) and the desk would not confirm it (the
/// desk's 有効期間前, docs/clinic.md), so it says from when it works, not to show it before, and
/// what to use until then (not for a 公費 受給者証): another 資格確認書 in force, named (a 国保's yearly 資格確認書 from
/// 8-01 beside the old one; at 75 the former insurer's beside the 後期高齢者医療 one), else the
/// マイナ保険証 when the member's card works as one (`myna_usable`), else the guidance (「窓口で
/// 見せるもの」), which decides between the 申立書 and 10割. The same words as the guidance's
/// (docs/guidance.md §2, docs/dates.md §4). None for a record that has started or has ended
/// (an ended record has its own notice).
pub(crate) fn not_started_notice(
    record: &EligibilityRecord,
    records: &[EligibilityRecord],
    birth: NaiveDate,
    household: &HouseholdContext,
    myna_usable: bool,
    today: NaiveDate,
) -> Option<Notice> {
    let from = record_not_started(record, today)?;
    if record_ended(record, birth, household, today).is_some() {
        return None;
    }
    // What to use up to this record's start: the 資格確認書 in force that can be used through
    // the day before, named as the guidance names them (`certificate_label`: with their last
    // day or 交付年月日 only beside another of the same name — this year's and next year's of
    // one insurer). An insurance record in force that ends before then (its printed 有効期限,
    // its 資格喪失日, the 被保険者's for a 被扶養者, or another record taking it over) is not
    // what to use 「それまで」, nor is the card on it: when nothing in force lasts until then, the
    // days between are the guidance's to tell (review of 2026-12-01: a paper lost on the 16th
    // was named for a start on the 1st of next month).
    let day_before = from.pred_opt().unwrap_or(from);
    // In force today and still on the day before the start (the same rule, that day).
    let through = |r: &EligibilityRecord| record_in_force(r, birth, household, day_before);
    let insurance_in_force: Vec<&EligibilityRecord> = records
        .iter()
        .filter(|r| r.kind.is_insurance() && record_in_force(r, birth, household, today))
        .collect();
    let lasting = insurance_in_force.iter().any(|r| through(r));
    let in_force: Vec<String> = insurance_in_force
        .iter()
        .filter(|r| r.kind == DocumentKind::Certificate && through(r))
        .map(|r| certificate_label(r, records, birth))
        .collect();
    let until_then = if record.kind == DocumentKind::PublicExpense {
        None
    } else if !in_force.is_empty() {
        Some(text_ja::UntilThen::Certificates(in_force))
    } else if !insurance_in_force.is_empty() && !lasting {
        Some(text_ja::UntilThen::Guidance)
    } else if myna_usable {
        Some(text_ja::UntilThen::MynaHoken)
    } else if record.insurer_number.is_late_elderly() && !late_elderly_on(birth, today) {
        Some(text_ja::UntilThen::CurrentInsurance)
    } else {
        Some(text_ja::UntilThen::Guidance)
    };
    Some(Notice {
        code: NoticeCode::DocumentNotStarted,
        severity: Severity::Info,
        date: from,
        message: text_ja::document_not_started(
            &text_ja::document_name(record),
            from,
            record.valid_from != Some(from),
            until_then,
        ),
    })
}

/// Months before an age transition (the end of 未就学, the 高齢受給者 start, a 被保険者's 75th
/// birthday for the dependents) from which it is announced as a Warning or an Info notice.
pub const TRANSITION_NOTICE_MONTHS: u32 = 3;

/// The insurance records that apply on `today` to a member born on `birth`: not a 公費, and in
/// force ([`record_in_force`], with what the household decides).
fn current_insurance<'a>(
    records: &'a [EligibilityRecord],
    birth: NaiveDate,
    household: &'a HouseholdContext,
    today: NaiveDate,
) -> impl Iterator<Item = &'a EligibilityRecord> {
    records
        .iter()
        .filter(move |r| r.kind.is_insurance() && record_in_force(r, birth, household, today))
}

/// The age rules of a member born on `birth` with `records` (docs/rules.md): the end of 未就学
/// announced, the typed 未就学区分 and 負担割合 checked against the birth date and the scheme,
/// and the 高齢受給者 start announced. Each notice at most once per member. The member is taken
/// alone; the screen uses the household's context as well ([`HouseholdContext`]).
pub fn age_notices(
    birth: NaiveDate,
    records: &[EligibilityRecord],
    today: NaiveDate,
) -> Vec<Notice> {
    age_notices_in(birth, records, &HouseholdContext::of_member(records), today)
}

/// [`age_notices`] with what the household decides: a 被扶養者's record ended by the
/// 被保険者's move to 後期高齢者医療 does not apply ([`record_in_force`]).
pub(crate) fn age_notices_in(
    birth: NaiveDate,
    records: &[EligibilityRecord],
    household: &HouseholdContext,
    today: NaiveDate,
) -> Vec<Notice> {
    let mut out: Vec<Notice> = Vec::new();
    let current: Vec<&EligibilityRecord> =
        current_insurance(records, birth, household, today).collect();
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
        // A record still marked 未就学 after it ended (the first 31 March after reaching 6). A
        // record not marked says nothing: the 未就学区分 is a field of the オンライン資格確認 result,
        // not among the items the 資格確認書 prints (docs/rules.md §1.2), so a hand-typed record
        // leaves it unmarked; the screen shows the law's 2割 beside an absent share, and a typed
        // 3割 is `CopayImplausible`.
        // Nor a record whose 2割 was printed while 未就学 (its `PreschoolEnds` below says what
        // happened: the flag was right when the document was issued).
        if !preschool
            && current.iter().any(|r| {
                !r.insurer_number.is_late_elderly()
                    && r.preschool
                    && preschool_share_outdated(r, birth, today).is_none()
            })
        {
            out.push(Notice {
                code: NoticeCode::PreschoolFlagMismatch,
                severity: Severity::Warning,
                date: last,
                message: text_ja::preschool_flag_past(last),
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
        // Two shares on one paper of a 高齢受給者, its block in effect: at 70–74 the share at the
        // top is the block's (docs/rules.md §1.3), so the two differing is a typing error, and
        // a clinic reading the screen would have two shares to choose from (review of
        // 2026-12-01: 2割 beside a 3割 block, with no warning).
        if rule.basis == CopayBasis::ElderlyRecipient
            && let Some(e) = r
                .elderly
                .as_ref()
                .filter(|e| e.effective_from <= on && e.valid_until.is_none_or(|u| u >= on))
            && !flagged.contains(&percent)
        {
            flagged.push(percent);
            out.push(Notice {
                code: NoticeCode::CopayImplausible,
                severity: Severity::Warning,
                date: e.effective_from,
                message: text_ja::copay_implausible(
                    percent,
                    &[e.copay.percent()],
                    "この記録の高齢受給者欄",
                ),
            });
            continue;
        }
        // The 2割 of a document from before 就学, read after it: the share changed by law on
        // the 4月1日 (docs/rules.md §1.2), the document was right when issued. Said as what
        // happened, not as a typing error. (Known by its 交付年月日 or 有効開始年月日; without
        // either, the document is asked to be checked as before.)
        if let Some(last) =
            preschool_share_outdated(r, birth, on).filter(|_| !flagged.contains(&percent))
        {
            flagged.push(percent);
            out.push(Notice {
                code: NoticeCode::PreschoolEnds,
                severity: Severity::Info,
                date: last,
                message: text_ja::preschool_share_ended(last),
            });
        } else if !rule.allows(percent)
            && !flagged.contains(&percent)
            && !share_ahead_applies(r, birth, percent, household, today)
        {
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

    // 高齢受給者 start: announces the document the insurer will send; not once its 高齢受給者
    // block is recorded (the document has come) — on a record in force, or on the next one
    // typed in ahead of its start (review of 2026-11-30).
    let missing = share_missing(birth, records, household, today);
    let announced = elderly_start_announced(birth, records, &current, household, today);
    if let Some(start) = announced {
        // Before the start, a 2割 typed from the document sent ahead: that document has come,
        // and the notice says from when its share applies (review of 2026-11-30).
        let typed_ahead = records
            .iter()
            .any(|r| elderly_share_typed_ahead(r, birth, household, today).is_some());
        out.push(Notice {
            code: NoticeCode::ElderlyRecipientStarts,
            severity: Severity::Info,
            date: start,
            message: text_ja::elderly_recipient_starts(start, today == start, typed_ahead),
        });
    }

    // On the start day the announcement, in the past, already asks for the printed share.
    if let Some(missing) = missing.filter(|_| announced.is_none()) {
        out.push(Notice {
            code: NoticeCode::CopayNotRecorded,
            severity: Severity::Warning,
            date: missing.since,
            message: text_ja::copay_missing(missing.late_elderly, missing.pre_70),
        });
    }
    out
}

/// The day the 高齢受給者 start is announced for ([`NoticeCode::ElderlyRecipientStarts`]): the
/// start, from [`TRANSITION_NOTICE_MONTHS`] before it to the day itself, while no 高齢受給者
/// block is recorded — the document has come once one is, on a record in force or on the next
/// one typed in ahead of its start (review of 2026-11-30); `None` otherwise.
fn elderly_start_announced(
    birth: NaiveDate,
    records: &[EligibilityRecord],
    current: &[&EligibilityRecord],
    household: &HouseholdContext,
    today: NaiveDate,
) -> Option<NaiveDate> {
    let start = elderly_recipient_start(birth)?;
    let under_late = current.iter().all(|r| r.insurer_number.is_late_elderly());
    // The document that carries the share from the start: a block, or a share printed on a
    // document that applies from the start on (the merged 資格確認書 prints it at the top), or
    // from the start day, a 2割 (no adult's share before 70: typed from the document sent ahead
    // of the start; on the start day the notice would ask for a share already typed, review of
    // 2026-11-30 — before it, the announcement still says from when that 2割 applies).
    let recorded = current.iter().any(|r| r.elderly.is_some())
        || records.iter().any(|r| {
            r.kind.is_insurance()
                && (r.elderly.is_some()
                    || (r.copay == Some(CopayRate::Twenty) && today >= start)
                    || (r.copay.is_some() && r.valid_from.is_some_and(|from| from >= start)))
                && record_ended(r, birth, household, today).is_none()
        });
    // A 後期高齢者医療 record typed in that starts by the start (a 障害認定 from 65) and is still
    // in force then: the member does not become a 高齢受給者 (review of 2026-11-30).
    let late_by_start = records.iter().any(|r| {
        r.kind.is_insurance()
            && r.insurer_number.is_late_elderly()
            && r.starts_on().is_some_and(|s| s <= start)
            && record_ended(r, birth, household, start).is_none()
    });
    let from = start.checked_sub_months(Months::new(TRANSITION_NOTICE_MONTHS))?;
    (!under_late && !late_by_start && !recorded && today <= start && today >= from).then_some(start)
}

/// A 2割 typed before the 高齢受給者 start, while the start is announced (from
/// [`TRANSITION_NOTICE_MONTHS`] before it): the share of the document sent ahead for the period
/// from the start, which the announcement dates — not a share to call wrong (review of
/// 2026-11-30: a 2割 typed from the お知らせ issued before the start, no 有効開始年月日).
///
/// Only on a record that can be that document (review of 2026-11-30): no 有効開始年月日 printed
/// (one from the start makes the 2割 the law's anyway), not issued before the announcement, not
/// ending (有効期限, 資格喪失日) before the start, and no 高齢受給者 block of another share; else a typing error is
/// hidden and a clinic reading the screen would charge 2割 before the start.
fn elderly_share_ahead(
    record: &EligibilityRecord,
    birth: NaiveDate,
    percent: u8,
    today: NaiveDate,
) -> bool {
    percent == 20
        && !record.insurer_number.is_late_elderly()
        && record.valid_from.is_none()
        && record
            .elderly
            .as_ref()
            .is_none_or(|e| e.copay == CopayRate::Twenty)
        && elderly_recipient_start(birth).is_some_and(|start| {
            start
                .checked_sub_months(Months::new(TRANSITION_NOTICE_MONTHS))
                .is_some_and(|from| {
                    today >= from
                        && today < start
                        && record.issued_on.is_none_or(|issued| issued >= from)
                        && record.valid_until.is_none_or(|until| until >= start)
                        && record.lost_on.is_none_or(|lost| lost > start)
                })
        })
}

/// The day from which the 2割 typed on `record` applies, when it was typed from the document
/// sent ahead of the 高齢受給者 start ([`elderly_share_ahead`]) and that document still applies
/// then as far as the household knows: not ended by the start (a 被扶養者 status ending, a
/// takeover by an insurance acquired before it: `record_ended` on the start day), with no
/// 高齢受給者 block (its own row dates the share), and not starting after the start: the start.
/// The announcement's words and the screen's 一部負担金割合 field both follow it (review of
/// 2026-11-30).
pub(super) fn elderly_share_typed_ahead(
    record: &EligibilityRecord,
    birth: NaiveDate,
    household: &HouseholdContext,
    today: NaiveDate,
) -> Option<NaiveDate> {
    let start = elderly_recipient_start(birth)?;
    (record.copay == Some(CopayRate::Twenty)
        && record.elderly.is_none()
        // A record starting after the start: its 2割 is the share from its own first day,
        // nothing ahead of it (review of 2026-11-30).
        && record.starts_on().is_none_or(|s| s <= start)
        && share_ahead_applies(record, birth, 20, household, today))
    .then_some(start)
}

/// [`elderly_share_ahead`], and the record still applies on the 高齢受給者 start as far as the
/// household knows (`record_ended` on that day: no takeover by an insurance acquired before it,
/// no 被扶養者 status ending before it). A 2割 on a record that stops applying before the start
/// is no share from the start: it stays `CopayImplausible` (review of 2026-11-30).
fn share_ahead_applies(
    record: &EligibilityRecord,
    birth: NaiveDate,
    percent: u8,
    household: &HouseholdContext,
    today: NaiveDate,
) -> bool {
    elderly_share_ahead(record, birth, percent, today)
        && elderly_recipient_start(birth)
            .is_some_and(|start| record_ended(record, birth, household, start).is_none())
}

/// A share the law leaves to the member and none recorded ([`share_missing`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct ShareMissing {
    /// Under 後期高齢者医療 (1, 2 or 3割); else 高齢受給者 (2 or 3割).
    pub(crate) late_elderly: bool,
    /// The under-70 share (in 割) of a document in force from before the 高齢受給者 start.
    pub(crate) pre_70: Option<u8>,
    /// Since when the law leaves it to the member.
    pub(crate) since: NaiveDate,
}

/// A share the law leaves to the member (高齢受給者 2割 or 3割, 健康保険法 §74(1)(ii), (iii); 後期
/// 1割, 2割 or 3割, 高齢者の医療の確保に関する法律 §67) and none typed on the records in force: the
/// clinic needs it, and when the card cannot be read it takes it from the document
/// (docs/rules.md §1.5) — the screen's `CopayNotRecorded` and the guidance's words on which paper
/// to show. Not while the 高齢受給者 start is announced ahead of it (that notice says the
/// document with the share will come); from the start day on, although the screen's notice of
/// that day, said in the past, stands in for `CopayNotRecorded` (its words ask for the printed
/// share). A 3割 on a document in force from before the 高齢受給者 start (its
/// 有効開始年月日, else its 交付年月日 — the documents for 70–74 are issued before the start but
/// apply from it) is the under-70 share, not the member's share now: counted as none typed, and
/// the notice says which share it is (docs/rules.md §1.5). A 2割 is no adult's under-70 share.
pub(crate) fn share_missing(
    birth: NaiveDate,
    records: &[EligibilityRecord],
    household: &HouseholdContext,
    today: NaiveDate,
) -> Option<ShareMissing> {
    let current: Vec<&EligibilityRecord> =
        current_insurance(records, birth, household, today).collect();
    if current.is_empty()
        || elderly_start_announced(birth, records, &current, household, today)
            .is_some_and(|start| today < start)
    {
        return None;
    }
    let elderly_start = elderly_recipient_start(birth);
    let pre_70 = |r: &EligibilityRecord| {
        !r.insurer_number.is_late_elderly()
            && r.copay == Some(CopayRate::Thirty)
            && elderly_start
                .zip(r.valid_from.or(r.issued_on))
                .is_some_and(|(start, day)| day < start)
    };
    if current
        .iter()
        .any(|r| (r.copay.is_some() && !pre_70(r)) || r.elderly.is_some())
    {
        return None;
    }
    let pre_70_share = current
        .iter()
        .filter(|r| r.elderly.is_none() && pre_70(r))
        .find_map(|r| r.copay);
    let rule = current
        .iter()
        .filter_map(|r| statutory_copay(birth, today, r.insurer_number.is_late_elderly()))
        .find(|rule| {
            matches!(
                rule.basis,
                CopayBasis::ElderlyRecipient | CopayBasis::LateElderly
            )
        })?;
    Some(ShareMissing {
        late_elderly: rule.basis == CopayBasis::LateElderly,
        pre_70: pre_70_share
            .filter(|_| rule.basis == CopayBasis::ElderlyRecipient)
            .map(|c| c.percent() / 10),
        since: rule.since,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::eligibility::{CopayRate, ElderlyRecipient, InsurerNumber};
    use crate::screen::notices_card::both_held_notice;
    use crate::screen::rules::test_fixtures::*;

    #[test]
    fn certificate_document_boundaries() {
        let birth = d(1985, 4, 12);
        let r = record(DocumentKind::Certificate, Some(d(2030, 11, 30)));
        assert!(record_notices(&r, birth, d(2030, 10, 29), false).is_empty());
        assert_eq!(
            codes(&record_notices(&r, birth, d(2030, 10, 30), false)),
            [(NoticeCode::DocumentExpiringSoon, Severity::Warning)]
        );
        let last = record_notices(&r, birth, d(2030, 11, 30), false);
        assert_eq!(
            codes(&last),
            [(NoticeCode::DocumentExpiringSoon, Severity::Warning)]
        );
        assert!(
            last[0]
                .message
                .contains("資格確認書の有効期限は令和12年11月30日")
        );
        let after = record_notices(&r, birth, d(2030, 12, 1), false);
        assert_eq!(
            codes(&after),
            [(NoticeCode::DocumentExpired, Severity::Critical)]
        );
        assert_eq!(after[0].date, d(2030, 11, 30));
        // A notice without 有効期限 for a member under 70: nothing.
        let n = record(DocumentKind::Notice, None);
        assert!(record_notices(&n, birth, d(2030, 12, 1), false).is_empty());
    }

    #[test]
    fn seventy_to_seventy_four_and_the_75th_birthday() {
        // Born 1952-02-29: the day before the 75th birthday is 2027-02-28 (common year).
        let birth = d(1952, 2, 29);
        // 国保 style 1-year お知らせ, 2026-08-01 to 2027-07-31: cut to 2027-02-28.
        let n = record(DocumentKind::Notice, Some(d(2027, 7, 31)));
        let far = record_notices(&n, birth, d(2026, 11, 23), false);
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
            codes(&record_notices(&n, birth, d(2027, 1, 27), false)),
            [(NoticeCode::DocumentEndsAt75, Severity::Info)]
        );
        assert_eq!(
            codes(&record_notices(&n, birth, d(2027, 1, 28), false)),
            [(NoticeCode::DocumentEndsAt75, Severity::Warning)]
        );
        assert_eq!(
            codes(&record_notices(&n, birth, d(2027, 2, 28), false)),
            [(NoticeCode::DocumentEndsAt75, Severity::Warning)]
        );
        let ended = record_notices(&n, birth, d(2027, 3, 1), false);
        assert_eq!(
            codes(&ended),
            [(NoticeCode::DocumentEndsAt75, Severity::Critical)]
        );
        // An お知らせ is not returned; a 資格確認書 goes back as after any 資格喪失日 (the
        // birthday, 2027-03-01, counted as the first of notice A's 5 days), a 家族's through the
        // 被保険者.
        assert!(!ended[0].message.contains("返して"), "{}", ended[0].message);
        let mut c = record(DocumentKind::Certificate, Some(d(2027, 7, 31)));
        let back = |c: &EligibilityRecord, today| {
            record_notices(c, birth, today, false)[0].message.clone()
        };
        let m = back(&c, d(2027, 3, 1));
        assert!(
            m.contains("この資格確認書は、令和9年3月5日までに事業主"),
            "{m}"
        );
        c.relationship = Relationship::Dependent;
        let m = back(&c, d(2027, 3, 10));
        assert!(
            m.contains(
                "この資格確認書は、被保険者を通じてすぐに事業主（被保険者が任意継続なら保険者）"
            ),
            "{m}"
        );
        c.insurer_number = InsurerNumber::parse("138057").unwrap();
        c.relationship = Relationship::Insured;
        let m = back(&c, d(2027, 3, 10));
        assert!(
            m.contains("この資格確認書は、保険者（市区町村など）へ"),
            "{m}"
        );
        // Born 1953-02-28: 75th birthday 2028-02-28, so it ends 2028-02-27.
        let birth28 = d(1953, 2, 28);
        let n28 = record(DocumentKind::Notice, Some(d(2028, 7, 31)));
        assert_eq!(
            record_notices(&n28, birth28, d(2027, 11, 1), false)[0].date,
            d(2028, 2, 27)
        );
        // Born on the 1st of a month (1952-03-01): it ends on the last day of the month before.
        let n1 = record(DocumentKind::Notice, Some(d(2027, 7, 31)));
        assert_eq!(
            record_notices(&n1, d(1952, 3, 1), d(2026, 11, 23), false)[0].date,
            d(2027, 2, 28)
        );
        // A printed 有効期限 before the 75th birthday stays the end.
        let short = record(DocumentKind::Notice, Some(d(2026, 7, 31)));
        assert_eq!(
            codes(&record_notices(&short, birth, d(2026, 8, 1), false)),
            [(NoticeCode::DocumentExpired, Severity::Critical)]
        );
        // 後期高齢者 records are not cut at 75.
        let mut late = record(DocumentKind::Certificate, Some(d(2028, 7, 31)));
        late.insurer_number = InsurerNumber::parse("39131156").unwrap();
        assert!(record_notices(&late, birth, d(2027, 3, 1), false).is_empty());
        // A お知らせ with no 有効期限 at 70–74 asks for it, bounded by the 75th birthday.
        let missing = record(DocumentKind::Notice, None);
        let ns = record_notices(&missing, birth, d(2026, 11, 23), false);
        assert_eq!(
            codes(&ns),
            [
                (NoticeCode::ElderlyNoticeExpiryMissing, Severity::Warning),
                (NoticeCode::DocumentEndsAt75, Severity::Info)
            ]
        );
        assert_eq!(ns[0].date, d(2027, 2, 28));
        // At 69 (the day before turning 70 on 2022-03-01): not yet.
        assert!(record_notices(&missing, birth, d(2022, 2, 28), false).is_empty());
        assert_eq!(
            codes(&record_notices(&missing, birth, d(2022, 3, 1), false))[0].0,
            NoticeCode::ElderlyNoticeExpiryMissing
        );
        // The 後期高齢者医療 お知らせ mailed before the birthday asks for nothing of the kind.
        let mut late_notice = record(DocumentKind::Notice, None);
        late_notice.insurer_number = InsurerNumber::parse("39131156").unwrap();
        late_notice.acquired_on = Some(d(2027, 3, 1));
        assert!(
            !codes(&record_notices(&late_notice, birth, d(2026, 11, 23), false))
                .iter()
                .any(|(c, _)| *c == NoticeCode::ElderlyNoticeExpiryMissing)
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
            record_notices(&r, birth, today, false)
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
        let msg = record_notices(&r, birth, d(2025, 12, 2), false)
            .into_iter()
            .find(|n| n.code == NoticeCode::ElderlyInEffect)
            .unwrap()
            .message;
        assert_eq!(
            msg,
            "高齢受給者の負担割合は2割です（令和7年10月1日から、令和8年7月31日まで）。"
        );
        // No 有効期限 printed on the block: the document's is said (capped at 75); with none at
        // all, no end — the day before 75 is no printed end (the share is decided each year).
        let in_effect = |r: &EligibilityRecord| {
            record_notices(r, birth, d(2025, 12, 2), false)
                .into_iter()
                .find(|n| n.code == NoticeCode::ElderlyInEffect)
                .unwrap()
                .message
        };
        r.elderly.as_mut().unwrap().valid_until = None;
        assert_eq!(
            in_effect(&r),
            "高齢受給者の負担割合は2割です（令和7年10月1日から、令和12年7月31日まで）。"
        );
        r.valid_until = None;
        assert_eq!(
            in_effect(&r),
            "高齢受給者の負担割合は2割です（令和7年10月1日から）。"
        );
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
        // A 3-year-old at 3割, not marked 未就学: the share is wrong; the unmarked 未就学区分 says
        // nothing (the 資格確認書 does not print it, docs/rules.md §1.2).
        let three = d(2023, 5, 10);
        let ns = age_notices(three, &[child_record(false, CopayRate::Thirty)], today);
        assert_eq!(
            codes(&ns),
            [(NoticeCode::CopayImplausible, Severity::Warning)]
        );
        assert!(ns[0].message.contains("3割") && ns[0].message.contains("2割"));
        // Typed by hand without the 未就学区分 and without a share, or with 2割: nothing to check
        // (the screen shows the law's 2割).
        let mut typed = child_record(false, CopayRate::Twenty);
        assert!(age_notices(three, std::slice::from_ref(&typed), today).is_empty());
        typed.copay = None;
        assert!(age_notices(three, &[typed], today).is_empty());
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
        assert!(ns[0].message.contains("になります") && ns[0].message.contains("が届きます"));
        // On the day itself: said in the past, and the printed share asked for.
        let on = age_notices(first, &r, d(2026, 12, 1));
        // The one notice: it stands in for `CopayNotRecorded`, which the guidance's words
        // follow from this day on (`share_missing`).
        assert_eq!(
            codes(&on),
            [(NoticeCode::ElderlyRecipientStarts, Severity::Info)]
        );
        assert!(
            on[0].message.contains("になりました")
                && on[0]
                    .message
                    .contains("が届いています。その負担割合を入力してください"),
            "{}",
            on[0].message
        );
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

    /// A record ended the day before the 75th birthday gets no 高齢受給者 notice: no new
    /// 高齢受給者 share comes for it (後期高齢者医療 sets its own 負担割合). The day before, the
    /// block is still in force and expiring.
    /// The 高齢受給者 start is not announced once the document that carries it is typed in,
    /// even when that document starts only on the start day (review of 2026-11-30).
    #[test]
    fn the_elderly_start_is_not_announced_once_its_document_is_typed() {
        let birth = d(1956, 12, 2);
        let current = EligibilityRecord {
            copay: None,
            valid_from: Some(d(2026, 8, 1)),
            issued_on: Some(d(2026, 7, 15)),
            ..record(DocumentKind::Certificate, Some(d(2027, 7, 31)))
        };
        let starts = |records: &[EligibilityRecord]| {
            has(
                &age_notices(birth, records, d(2026, 12, 31)),
                NoticeCode::ElderlyRecipientStarts,
            )
        };
        assert!(starts(std::slice::from_ref(&current)));
        let next = EligibilityRecord {
            copay: Some(CopayRate::Twenty),
            valid_from: Some(d(2027, 1, 1)),
            issued_on: Some(d(2026, 11, 20)),
            elderly: Some(ElderlyRecipient {
                copay: CopayRate::Twenty,
                effective_from: d(2027, 1, 1),
                valid_until: Some(d(2027, 7, 31)),
            }),
            ..current.clone()
        };
        assert!(!starts(&[current.clone(), next.clone()]));
        // The share printed at the top only, no block typed: the document has come all the same.
        let share_only = EligibilityRecord {
            elderly: None,
            ..next
        };
        assert!(!starts(&[current.clone(), share_only]));
        // A 2割 typed from an お知らせ issued before the start, no 有効開始年月日: the document
        // has come; on the start day no notice asks for the share typed (review of 2026-11-30),
        // while a 3割 from before 70 is still asked for on that day.
        let born_1st = d(1956, 12, 1);
        let two = EligibilityRecord {
            kind: DocumentKind::Notice,
            copay: Some(CopayRate::Twenty),
            valid_from: None,
            issued_on: Some(d(2026, 11, 20)),
            ..current.clone()
        };
        // Before the start the announcement dates that 2割, and it is not called wrong (review
        // of 2026-11-30); from the start day nothing is said.
        let before = age_notices(born_1st, std::slice::from_ref(&two), d(2026, 11, 30));
        assert_eq!(
            codes(&before),
            [(NoticeCode::ElderlyRecipientStarts, Severity::Info)]
        );
        // The document has come: the notice dates the 2割 typed and gives the share until then,
        // instead of saying the document will come.
        assert!(
            before[0].message.contains(
                "令和8年12月1日から高齢受給者となり、負担割合は2割になります。入力されている2割は\
                 その日からの負担割合で、それまでは3割です。"
            ),
            "{before:?}"
        );
        assert!(!before[0].message.contains("が届きます"), "{before:?}");
        assert!(age_notices(born_1st, std::slice::from_ref(&two), d(2026, 12, 1)).is_empty());
        // Long before the start a 2割 is still asked to be checked.
        let early = age_notices(born_1st, std::slice::from_ref(&two), d(2026, 8, 31));
        assert!(has(&early, NoticeCode::CopayImplausible), "{early:?}");
        // And on a record that cannot be the document sent ahead (review of 2026-11-30): one
        // applying from a year before and ending before the start, one issued before the
        // announcement, one whose 高齢受給者 block says 3割.
        for not_ahead in [
            EligibilityRecord {
                valid_from: Some(d(2025, 12, 1)),
                valid_until: Some(d(2026, 11, 30)),
                issued_on: None,
                ..two.clone()
            },
            EligibilityRecord {
                issued_on: Some(d(2026, 8, 1)),
                ..two.clone()
            },
            EligibilityRecord {
                lost_on: Some(d(2026, 12, 1)),
                ..two.clone()
            },
            EligibilityRecord {
                elderly: Some(ElderlyRecipient {
                    copay: CopayRate::Thirty,
                    effective_from: d(2026, 12, 1),
                    valid_until: None,
                }),
                ..two.clone()
            },
        ] {
            let ns = age_notices(born_1st, std::slice::from_ref(&not_ahead), d(2026, 11, 30));
            assert!(
                has(&ns, NoticeCode::CopayImplausible),
                "{not_ahead:?}: {ns:?}"
            );
        }
        let three = EligibilityRecord {
            copay: Some(CopayRate::Thirty),
            ..two.clone()
        };
        // Not on a document that stops applying before the start (review of 2026-11-30): taken
        // over by a 国保 acquired on 2026-11-25, its 2割 never applies; the field is not dated
        // and the notice does not call it the share from the start.
        let nhi = EligibilityRecord {
            kind: DocumentKind::Certificate,
            insurer_number: crate::eligibility::InsurerNumber::parse("138040").unwrap(),
            symbol: None,
            copay: Some(CopayRate::Thirty),
            acquired_on: Some(d(2026, 11, 25)),
            issued_on: Some(d(2026, 11, 25)),
            ..current.clone()
        };
        let taken = [two.clone(), nhi];
        let ctx = HouseholdContext::of_member(&taken);
        for today in [d(2026, 11, 24), d(2026, 11, 30)] {
            assert_eq!(
                elderly_share_typed_ahead(&two, born_1st, &ctx, today),
                None,
                "{today}"
            );
            let ns = age_notices(born_1st, &taken, today);
            assert!(
                ns.iter().all(|n| !n.message.contains("入力されている2割")),
                "{today}: {ns:?}"
            );
        }
        assert_eq!(
            elderly_share_typed_ahead(
                &two,
                born_1st,
                &HouseholdContext::default(),
                d(2026, 11, 30)
            ),
            Some(d(2026, 12, 1))
        );
        // While it is still in force, its 2割 is asked to be checked (a clinic would charge it
        // to a 69-year-old).
        assert!(has(
            &age_notices(born_1st, &taken, d(2026, 11, 24)),
            NoticeCode::CopayImplausible
        ));
        // A 2割 on a record starting after the start is the share from its own first day:
        // nothing typed ahead.
        let later = EligibilityRecord {
            acquired_on: Some(d(2027, 1, 1)),
            ..two.clone()
        };
        let alone = HouseholdContext::default();
        assert_eq!(
            elderly_share_typed_ahead(&later, born_1st, &alone, d(2026, 11, 30)),
            None
        );
        // A 後期高齢者医療 record (障害認定) typed in, starting before the 高齢受給者 start: the member
        // never becomes a 高齢受給者, so the start is not announced.
        let late = EligibilityRecord {
            kind: DocumentKind::Certificate,
            insurer_number: crate::eligibility::InsurerNumber::parse("39131156").unwrap(),
            symbol: None,
            copay: Some(CopayRate::Ten),
            acquired_on: Some(d(2026, 11, 25)),
            issued_on: Some(d(2026, 11, 20)),
            ..current.clone()
        };
        let with_late = [two.clone(), late];
        let ns = age_notices(born_1st, &with_late, d(2026, 11, 24));
        assert!(!has(&ns, NoticeCode::ElderlyRecipientStarts), "{ns:?}");
        // A 3割 typed (the under-70 share): the document with the share from the start is still
        // to come.
        let ahead = age_notices(born_1st, std::slice::from_ref(&three), d(2026, 11, 30));
        assert!(ahead[0].message.contains("が届きます"), "{ahead:?}");
        let on = age_notices(born_1st, std::slice::from_ref(&three), d(2026, 12, 1));
        assert_eq!(
            codes(&on),
            [(NoticeCode::ElderlyRecipientStarts, Severity::Info)]
        );
        assert!(on[0].message.contains("その負担割合を入力してください"));
    }

    #[test]
    fn no_elderly_notice_for_a_record_ended_at_75() {
        let birth = d(1952, 1, 10);
        let mut r = record(DocumentKind::Certificate, Some(d(2030, 11, 30)));
        r.elderly = Some(ElderlyRecipient {
            copay: CopayRate::Twenty,
            effective_from: d(2022, 2, 1),
            valid_until: Some(d(2030, 11, 30)),
        });
        // The day before 75 is no 有効期限 of the block: the record's own notice says it ends
        // then (review of 2026-12-01: 「高齢受給者の負担割合（2割）の有効期限は…」 gave the day
        // before 75 as the printed date).
        let before = record_notices(&r, birth, d(2027, 1, 9), false);
        assert!(
            has(&before, NoticeCode::DocumentEndsAt75)
                && !has(&before, NoticeCode::ElderlyExpiringSoon)
                && !before
                    .iter()
                    .any(|n| n.message.contains("の有効期限は令和9年1月9日")),
            "{before:?}"
        );
        let ns = record_notices(&r, birth, d(2027, 1, 10), false);
        assert_eq!(
            codes(&ns),
            [(NoticeCode::DocumentEndsAt75, Severity::Critical)]
        );
        // A block past its own 有効期限 before 75 still asks for the new share.
        r.elderly = Some(ElderlyRecipient {
            copay: CopayRate::Twenty,
            effective_from: d(2022, 2, 1),
            valid_until: Some(d(2026, 7, 31)),
        });
        assert!(has(
            &record_notices(&r, birth, d(2026, 8, 1), false),
            NoticeCode::ElderlyExpired
        ));
    }

    /// The 高齢受給者 start announces the document the insurer will send; once its block is
    /// recorded, the announcement stops (born 1957-03-15: the period starts 2027-04-01).
    #[test]
    fn no_elderly_start_announcement_once_the_block_is_recorded() {
        let birth = d(1957, 3, 15);
        let mut r = record(DocumentKind::Certificate, Some(d(2030, 11, 30)));
        assert!(has(
            &age_notices(birth, std::slice::from_ref(&r), d(2027, 4, 1)),
            NoticeCode::ElderlyRecipientStarts
        ));
        r.elderly = Some(ElderlyRecipient {
            copay: CopayRate::Twenty,
            effective_from: d(2027, 4, 1),
            valid_until: Some(d(2028, 7, 31)),
        });
        for today in [d(2027, 3, 20), d(2027, 4, 1)] {
            assert!(
                !has(
                    &age_notices(birth, &[r.clone()], today),
                    NoticeCode::ElderlyRecipientStarts
                ),
                "{today}"
            );
        }
    }

    /// A 72-year-old 国保 member whose 資格確認書 prints the share but no 高齢受給者 block gets no
    /// 高齢受給者 notice: since 2024-12-02 the 高齢受給者証 is merged into the 資格確認書, whose
    /// 一部負担金割合 is the 高齢受給者 share (docs/rules.md §1.3). The share is what is checked:
    /// 1割 is implausible at 70–74. The start is announced only from 3 months before it.
    #[test]
    fn at_72_a_record_without_the_elderly_block_needs_no_notice() {
        let born = d(1954, 6, 10);
        let today = d(2026, 11, 23);
        let mut r = record(DocumentKind::Certificate, Some(d(2027, 7, 31)));
        r.insurer_number = InsurerNumber::parse("138057").unwrap();
        r.insurer_name = "練馬区（国民健康保険）".into();
        r.valid_from = Some(d(2026, 8, 1));
        for share in [CopayRate::Twenty, CopayRate::Thirty] {
            r.copay = Some(share);
            assert!(
                record_notices(&r, born, today, false).is_empty(),
                "{share:?}"
            );
            assert!(
                age_notices(born, std::slice::from_ref(&r), today).is_empty(),
                "{share:?}"
            );
        }
        r.copay = Some(CopayRate::Ten);
        assert_eq!(
            codes(&age_notices(born, std::slice::from_ref(&r), today)),
            [(NoticeCode::CopayImplausible, Severity::Warning)]
        );
        // Not typed: the clinic needs the share; the notice asks for the document that shows it
        // (`no_share_typed_at_70_to_74_or_under_late_elderly_asks_for_the_document`).
        r.copay = None;
        assert_eq!(
            codes(&age_notices(born, std::slice::from_ref(&r), today)),
            [(NoticeCode::CopayNotRecorded, Severity::Warning)]
        );
        // The start (2024-07-01) was announced from 2024-04-01 to that day (by the record then in
        // force).
        r.copay = Some(CopayRate::Thirty);
        r.valid_from = None;
        assert!(has(
            &age_notices(born, std::slice::from_ref(&r), d(2024, 6, 30)),
            NoticeCode::ElderlyRecipientStarts
        ));
    }

    /// A notice about a record that has ended (or is ending) names its 保険者名, as the screen's
    /// 状態 field and the household line do, so that a family with several documents knows
    /// which one it is about: at 75 the former insurer's 資格確認書 beside the 後期 one.
    /// Ended at 75: the マイナ保険証 is named beside the 後期 資格確認書 only when the member's card
    /// works as one (as the 資格喪失 notice, docs/rules.md §3.3); it was named always.
    #[test]
    fn ended_at_75_names_the_myna_hoken_only_when_it_works() {
        let birth = d(1952, 1, 10);
        let r = record(DocumentKind::Certificate, Some(d(2030, 11, 30)));
        let with_card = record_notices(&r, birth, d(2027, 1, 10), true);
        assert!(
            with_card[0].message.contains(
                "マイナ保険証か、後期高齢者医療制度の資格確認書（お持ちなら）で受診してください。"
            ),
            "{}",
            with_card[0].message
        );
        let without = record_notices(&r, birth, d(2027, 1, 10), false);
        assert_eq!(without[0].code, NoticeCode::DocumentEndsAt75);
        assert!(
            without[0]
                .message
                .contains("後期高齢者医療制度の資格確認書で受診してください。この資格確認書は"),
            "{}",
            without[0].message
        );
        assert!(!without[0].message.contains("マイナ保険証"));
    }

    #[test]
    fn ended_record_notices_name_the_insurer() {
        let birth = d(1952, 1, 10);
        let r = record(DocumentKind::Certificate, Some(d(2030, 11, 30)));
        let ahead = record_notices(&r, birth, d(2027, 1, 9), false);
        assert!(
            ahead[0]
                .message
                .contains("全国健康保険協会 東京支部の資格確認書は75歳の誕生日の前日"),
            "{}",
            ahead[0].message
        );
        let ended = record_notices(&r, birth, d(2027, 1, 10), false);
        assert_eq!(ended[0].code, NoticeCode::DocumentEndsAt75);
        assert!(
            ended[0]
                .message
                .contains("全国健康保険協会 東京支部の資格確認書は使えなくなりました"),
            "{}",
            ended[0].message
        );
        let expired = record_notices(&r, d(1985, 4, 12), d(2030, 12, 1), false);
        assert!(
            expired[0]
                .message
                .starts_with("全国健康保険協会 東京支部の資格確認書の有効期限"),
            "{}",
            expired[0].message
        );
        let mut lost = r.clone();
        lost.lost_on = Some(d(2026, 12, 1));
        for today in [d(2026, 11, 1), d(2026, 12, 1)] {
            let ns = record_notices(&lost, d(1985, 4, 12), today, false);
            assert!(
                ns[0]
                    .message
                    .contains("の資格（全国健康保険協会 東京支部）では受診できません"),
                "{}",
                ns[0].message
            );
        }
        // No 保険者名 typed: the 保険者番号 names it.
        let mut unnamed = r.clone();
        unnamed.insurer_name = String::new();
        let ns = record_notices(&unnamed, birth, d(2027, 1, 10), false);
        assert!(
            ns[0].message.contains("01130012の資格確認書"),
            "{}",
            ns[0].message
        );
    }

    #[test]
    fn lost_coverage_ends_the_record_with_the_return_advice() {
        let birth = d(1985, 4, 12);
        let mut r = record(DocumentKind::Certificate, Some(d(2030, 11, 30)));
        r.lost_on = Some(d(2026, 12, 1));
        // Ahead: a warning within a month, Info before.
        assert_eq!(
            codes(&record_notices(&r, birth, d(2026, 10, 31), false)),
            [(NoticeCode::CoverageEnding, Severity::Info)]
        );
        assert_eq!(
            codes(&record_notices(&r, birth, d(2026, 11, 1), false)),
            [(NoticeCode::CoverageEnding, Severity::Warning)]
        );
        // From the 資格喪失日: ended, and nothing else about the record.
        let ns = record_notices(&r, birth, d(2026, 12, 1), false);
        assert_eq!(codes(&ns), [(NoticeCode::CoverageLost, Severity::Critical)]);
        assert!(ns[0].message.contains("5日以内"), "{}", ns[0].message);
        // Notice A's 「5日以内に…事業主に提出」, the 資格喪失日 counted: said with its last day
        // through it, 「すぐに」 after it.
        let on = |day| record_notices(&r, birth, day, false)[0].message.clone();
        assert!(
            on(d(2026, 12, 5)).contains("令和8年12月5日までに事業主"),
            "{}",
            on(d(2026, 12, 5))
        );
        let late = on(d(2026, 12, 6));
        assert!(
            late.contains("すぐに事業主") && !late.contains("5日以内"),
            "{late}"
        );
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
            !record_notices(&n, birth, d(2026, 12, 1), false)[0]
                .message
                .contains("5日以内")
        );
        assert!(both_held_notice(&[r, n], None, birth, d(2026, 12, 1)).is_none());
    }

    /// This year's 資格確認書 and next year's (the renewed one) both typed in: the insurer has
    /// sent the new one, so no notice of the old one asks whether it has come — not in its last
    /// month, not when the new one starts tomorrow or today, in either order of entry. Past its
    /// end the old one gets an Info for a month naming the new one. A later one with a gap,
    /// another insurer's, or the member's own at 75 is no renewal.
    #[test]
    fn a_renewed_certificate_recorded_is_not_asked_for() {
        use crate::screen::rules::member_notices;
        let birth = d(1980, 5, 10);
        let this_year = EligibilityRecord {
            valid_from: Some(d(2025, 8, 1)),
            ..record(DocumentKind::Certificate, Some(d(2026, 7, 31)))
        };
        let next_year = EligibilityRecord {
            valid_from: Some(d(2026, 8, 1)),
            ..record(DocumentKind::Certificate, Some(d(2027, 7, 31)))
        };
        let asks = |ns: &[Notice]| ns.iter().any(|n| n.message.contains("届いて"));
        let alone = [this_year.clone()];
        for day in [d(2026, 7, 15), d(2026, 8, 1)] {
            assert!(
                asks(&member_notices(birth, &alone, None, None, day)),
                "{day}"
            );
        }
        let renewed = "全国健康保険協会 東京支部の資格確認書（令和8年7月31日まで）は有効期限が過ぎました。\
                       入力済みの新しい資格確認書（令和9年7月31日まで）を使ってください。\
                       古い資格確認書は窓口で見せないでください。";
        for both in [
            [this_year.clone(), next_year.clone()],
            [next_year.clone(), this_year.clone()],
        ] {
            for day in [d(2026, 7, 1), d(2026, 7, 30), d(2026, 7, 31)] {
                // The new one starts in a month, the day after tomorrow, tomorrow: only its
                // own notice, saying from when.
                let ns = member_notices(birth, &both, None, None, day);
                assert_eq!(
                    codes(&ns),
                    [(NoticeCode::DocumentNotStarted, Severity::Info)],
                    "{day}"
                );
                assert!(!asks(&ns), "{day}: {ns:?}");
            }
            // It starts today: the old one's Info names the new one.
            let ns = member_notices(birth, &both, None, None, d(2026, 8, 1));
            assert_eq!(codes(&ns), [(NoticeCode::DocumentExpired, Severity::Info)]);
            assert_eq!(ns[0].message, renewed);
            assert_eq!(ns[0].date, d(2026, 7, 31));
            assert_eq!(
                codes(&member_notices(birth, &both, None, None, d(2026, 8, 31))),
                [(NoticeCode::DocumentExpired, Severity::Info)]
            );
            assert!(member_notices(birth, &both, None, None, d(2026, 9, 1)).is_empty());
            // And the new one's own end, a year on, is asked about again.
            assert!(asks(&member_notices(
                birth,
                &both,
                None,
                None,
                d(2027, 7, 15)
            )));
        }
        // Two renewals on: this year's renewal has expired too, the one after it is in force.
        // This year's says nothing more (its renewal was sent: it speaks for itself), and only
        // the one in force is asked about near its end (review of 2026-11-30: the oldest went
        // back to Critical 「…保険者に確認してください」).
        let after_next = EligibilityRecord {
            valid_from: Some(d(2027, 8, 1)),
            ..record(DocumentKind::Certificate, Some(d(2028, 7, 31)))
        };
        let three = [this_year.clone(), next_year.clone(), after_next];
        for day in [d(2027, 8, 15), d(2027, 12, 1)] {
            let ns = member_notices(birth, &three, None, None, day);
            assert!(
                ns.iter().all(|n| n.severity == Severity::Info) && !asks(&ns),
                "{day}: {ns:?}"
            );
        }
        assert!(member_notices(birth, &three, None, None, d(2027, 12, 1)).is_empty());
        let ns = member_notices(birth, &three, None, None, d(2028, 7, 15));
        assert_eq!(
            ns.iter().filter(|n| asks(std::slice::from_ref(*n))).count(),
            1,
            "{ns:?}"
        );
        // A renewal that has ended too is not named as the one to use: only its own notice.
        let short = EligibilityRecord {
            valid_from: Some(d(2026, 8, 1)),
            ..record(DocumentKind::Certificate, Some(d(2026, 8, 15)))
        };
        let ns = member_notices(
            birth,
            &[this_year.clone(), short],
            None,
            None,
            d(2026, 8, 20),
        );
        assert!(
            ns.iter().all(|n| !n.message.contains("を使ってください")),
            "{ns:?}"
        );
        assert_eq!(
            ns.iter()
                .filter(|n| n.code == NoticeCode::DocumentExpired)
                .count(),
            1,
            "{ns:?}"
        );
        let household = HouseholdContext::default();
        // A gap: the later one starts a month after the old one ends.
        let gap = EligibilityRecord {
            valid_from: Some(d(2026, 9, 1)),
            ..next_year.clone()
        };
        let records = [this_year.clone(), gap];
        assert_eq!(
            renewal_of(
                &records[0],
                &records,
                birth,
                &household,
                false,
                d(2026, 7, 15)
            ),
            None
        );
        // Another insurer's is not this one's renewal.
        let other = EligibilityRecord {
            insurer_number: InsurerNumber::parse("06139992").unwrap(),
            ..next_year.clone()
        };
        let records = [this_year.clone(), other];
        assert!(asks(&member_notices(
            birth,
            &records,
            None,
            None,
            d(2026, 7, 15)
        )));
        // The renewal found: its first and last day.
        let records = [this_year.clone(), next_year.clone()];
        assert_eq!(
            renewal_of(
                &records[0],
                &records,
                birth,
                &household,
                false,
                d(2026, 7, 15)
            ),
            Some(Renewal {
                from: Some(d(2026, 8, 1)),
                last_day: Some(d(2027, 7, 31)),
                by: Successor::SameKind,
            })
        );
        assert_eq!(
            renewal_of(
                &records[1],
                &records,
                birth,
                &household,
                false,
                d(2026, 7, 15)
            ),
            None,
            "the old one is not the new one's renewal"
        );
        // Cut the day before the 75th birthday (2026-07-20): no renewal, the 75 rules speak.
        let old = d(1951, 7, 20);
        assert_eq!(
            renewal_of(
                &records[0],
                &records,
                old,
                &household,
                false,
                d(2026, 7, 15)
            ),
            None
        );
    }

    /// A 71-year-old whose only document was issued before the 高齢受給者 start prints 3割 —
    /// the under-70 share: the share of 70–74 (2割 or 3割) is asked for as when none is typed,
    /// saying which share the record holds (docs/rules.md §1.5). A document issued after the
    /// start, or one without dates, is taken as it is.
    #[test]
    fn a_share_printed_before_70_is_not_taken_as_the_share_at_70_to_74() {
        use crate::screen::rules::member_notices;
        // 70 on 2026-06-10: 高齢受給者 from 2026-07-01.
        let birth = d(1956, 6, 10);
        let before_70 = EligibilityRecord {
            issued_on: Some(d(2025, 11, 20)),
            ..record(DocumentKind::Certificate, Some(d(2030, 11, 30)))
        };
        let today = d(2026, 11, 29);
        let ns = member_notices(birth, std::slice::from_ref(&before_70), None, None, today);
        let asked = the_one(&ns, NoticeCode::CopayNotRecorded);
        assert_eq!(asked.severity, Severity::Warning);
        assert!(
            asked
                .message
                .contains("記録の負担割合（3割）は70歳になる前に交付された書類のもので")
                && asked.message.contains("70歳以降に保険者から届いた"),
            "{}",
            asked.message
        );
        // The document for 70–74, issued before the start but in force from it: its 3割 is the
        // member's (現役並み所得).
        let sent_at_70 = EligibilityRecord {
            issued_on: Some(d(2026, 6, 15)),
            valid_from: Some(d(2026, 7, 1)),
            ..before_70.clone()
        };
        let ns = member_notices(birth, &[sent_at_70], None, None, today);
        assert!(
            ns.iter().all(|n| n.code != NoticeCode::CopayNotRecorded),
            "{ns:?}"
        );
        // Issued after the start: its 3割 is the member's (現役並み所得).
        let after = EligibilityRecord {
            issued_on: Some(d(2026, 7, 20)),
            ..before_70.clone()
        };
        let ns = member_notices(birth, &[after], None, None, today);
        assert!(
            ns.iter().all(|n| n.code != NoticeCode::CopayNotRecorded),
            "{ns:?}"
        );
        // No date to tell by: taken as it is.
        let undated = EligibilityRecord {
            issued_on: None,
            valid_from: None,
            ..before_70
        };
        let ns = member_notices(birth, &[undated], None, None, today);
        assert!(
            ns.iter().all(|n| n.code != NoticeCode::CopayNotRecorded),
            "{ns:?}"
        );
    }

    /// A document from before 就学 printing 2割, read after 未就学 ended (the 4月1日 after the 6th
    /// birthday's year): an Info that the share changed by law, not a 「合いません」 warning. A 2割
    /// on a document issued after 就学 is still questioned.
    #[test]
    fn a_preschool_share_read_after_school_age_is_said_to_have_changed() {
        use crate::screen::rules::member_notices;
        // Born 2020-06-15: 未就学 to 2027-03-31.
        let birth = d(2020, 6, 15);
        let before = EligibilityRecord {
            relationship: Relationship::Dependent,
            copay: Some(CopayRate::Twenty),
            issued_on: Some(d(2025, 11, 20)),
            ..record(DocumentKind::Certificate, Some(d(2030, 11, 30)))
        };
        let ns = member_notices(
            birth,
            std::slice::from_ref(&before),
            None,
            None,
            d(2027, 4, 1),
        );
        assert!(
            ns.iter().all(|n| n.code != NoticeCode::CopayImplausible),
            "{ns:?}"
        );
        let changed = the_one(&ns, NoticeCode::PreschoolEnds);
        assert_eq!(changed.severity, Severity::Info);
        assert_eq!(changed.date, d(2027, 3, 31));
        assert!(
            changed
                .message
                .starts_with("記録の負担割合（2割）は未就学の間のものです。")
                && changed.message.contains("3割"),
            "{}",
            changed.message
        );
        // Marked 未就学 too, as it was when issued: the same Info, no "still marked 未就学"
        // Warning beside it (two messages, one saying typing error, for one fact).
        let flagged = EligibilityRecord {
            preschool: true,
            ..before.clone()
        };
        let ns = member_notices(birth, &[flagged], None, None, d(2027, 4, 1));
        the_one(&ns, NoticeCode::PreschoolEnds);
        assert!(
            ns.iter()
                .all(|n| n.code != NoticeCode::PreschoolFlagMismatch),
            "{ns:?}"
        );
        // Issued in March but applying from the 4月1日 (its 有効開始年月日): a document of after
        // 就学, whose 2割 is questioned.
        let from_april = EligibilityRecord {
            issued_on: Some(d(2027, 3, 20)),
            valid_from: Some(d(2027, 4, 1)),
            ..before.clone()
        };
        let ns = member_notices(birth, &[from_april], None, None, d(2027, 4, 2));
        assert!(
            ns.iter().any(|n| n.code == NoticeCode::CopayImplausible),
            "{ns:?}"
        );
        // Issued after 就学 with 2割: questioned as before.
        let after = EligibilityRecord {
            issued_on: Some(d(2027, 4, 10)),
            ..before.clone()
        };
        let ns = member_notices(birth, &[after], None, None, d(2027, 5, 1));
        assert!(
            ns.iter().any(|n| n.code == NoticeCode::CopayImplausible),
            "{ns:?}"
        );
        // No date printed: the document is asked to be checked, as before.
        let undated = EligibilityRecord {
            issued_on: None,
            valid_from: None,
            ..before
        };
        let ns = member_notices(birth, &[undated], None, None, d(2027, 4, 1));
        assert!(
            ns.iter().any(|n| n.code == NoticeCode::CopayImplausible),
            "{ns:?}"
        );
    }

    /// An expired 公費 受給者証: a Warning (the member is still seen with their insurance), that
    /// says the 助成 no longer applies and to ask whoever issued it — not 「この…では受診できま
    /// せん」 nor the insurer (docs/rules.md §4.2).
    #[test]
    fn an_expired_public_expense_certificate_is_a_warning_about_the_subsidy() {
        let r = EligibilityRecord {
            insurer_name: "乳幼児医療費助成 医療証（練馬区）".into(),
            ..record(DocumentKind::PublicExpense, Some(d(2027, 3, 31)))
        };
        let ns = record_notices(&r, d(2020, 6, 15), d(2027, 4, 1), true);
        assert_eq!(
            codes(&ns),
            [(NoticeCode::DocumentExpired, Severity::Warning)]
        );
        let m = &ns[0].message;
        assert!(
            m.contains("医療費の助成を受けられません")
                && m.contains("交付した市区町村など")
                && !m.contains("受診できません")
                && !m.contains("保険者に確認"),
            "{m}"
        );
        // An insurance document stays Critical.
        let c = record(DocumentKind::Certificate, Some(d(2027, 3, 31)));
        assert_eq!(
            codes(&record_notices(&c, d(2020, 6, 15), d(2027, 4, 1), false)),
            [(NoticeCode::DocumentExpired, Severity::Critical)]
        );
    }

    /// A 72-year-old's 資格確認書 (with its 高齢受給者 block) ended on 7-31, and the same
    /// insurer's 資格情報のお知らせ (with next year's block) is recorded: the member can use a
    /// マイナ保険証, to whom no new 資格確認書 is sent, so nothing asks whether one has come. For a
    /// month an Info says to use the card with the お知らせ; the old 高齢受給者 block's end is no
    /// warning (the お知らせ's block speaks). Without a usable card, with another insurer's
    /// お知らせ, or with the next 資格確認書 recorded too, it is as before.
    #[test]
    fn a_certificate_taken_over_by_the_myna_hoken_is_not_asked_for() {
        use crate::screen::rules::member_notices;
        let birth = d(1954, 5, 1);
        let block = |from, until| ElderlyRecipient {
            copay: CopayRate::Twenty,
            effective_from: from,
            valid_until: Some(until),
        };
        let certificate = EligibilityRecord {
            valid_from: Some(d(2025, 8, 1)),
            elderly: Some(block(d(2025, 8, 1), d(2026, 7, 31))),
            ..record(DocumentKind::Certificate, Some(d(2026, 7, 31)))
        };
        let notice = EligibilityRecord {
            copay: Some(CopayRate::Twenty),
            issued_on: Some(d(2026, 7, 20)),
            elderly: Some(block(d(2026, 8, 1), d(2027, 7, 31))),
            ..record(DocumentKind::Notice, Some(d(2027, 7, 31)))
        };
        let asks = |ns: &[Notice]| ns.iter().any(|n| n.message.contains("届いて"));
        let both = [certificate.clone(), notice.clone()];
        // In its last month: no question whether the new one has come.
        let ns = member_notices(birth, &both, None, None, d(2026, 7, 15));
        assert!(!asks(&ns), "{ns:?}");
        assert!(
            ns.iter()
                .all(|n| n.code != NoticeCode::DocumentExpiringSoon),
            "{ns:?}"
        );
        let taken_over = "全国健康保険協会 東京支部の資格確認書（令和8年7月31日まで）は有効期限が過ぎました。\
                          マイナ保険証をお使いの方には、新しい資格確認書は原則として届きません。\
                          医療機関ではマイナンバーカードで受診してください\
                          （カードリーダーが使えないときは、資格情報のお知らせをカードと一緒に見せます）。\
                          古い資格確認書は窓口で見せないでください。";
        for day in [d(2026, 8, 1), d(2026, 8, 31)] {
            let ns = member_notices(birth, &both, None, None, day);
            let expired = the_one(&ns, NoticeCode::DocumentExpired);
            assert_eq!(expired.severity, Severity::Info, "{day}");
            assert_eq!(expired.message, taken_over, "{day}");
            assert!(!asks(&ns), "{day}: {ns:?}");
            // The ended block says nothing; the お知らせ's block is in effect.
            assert!(
                ns.iter().all(|n| n.code != NoticeCode::ElderlyExpired),
                "{day}: {ns:?}"
            );
            assert!(
                ns.iter().any(|n| n.code == NoticeCode::ElderlyInEffect),
                "{day}: {ns:?}"
            );
        }
        let later = member_notices(birth, &both, None, None, d(2026, 9, 1));
        assert!(
            later.iter().all(|n| n.code != NoticeCode::DocumentExpired),
            "{later:?}"
        );
        let household = HouseholdContext::default();
        // Found only for a member whose card works as a マイナ保険証.
        assert_eq!(
            renewal_of(&both[0], &both, birth, &household, true, d(2026, 8, 1)),
            Some(Renewal {
                from: None,
                last_day: Some(d(2027, 7, 31)),
                by: Successor::MynaHoken(Some(DocumentKind::Notice)),
            })
        );
        assert_eq!(
            renewal_of(&both[0], &both, birth, &household, false, d(2026, 8, 1)),
            None
        );
        // An お知らせ is not taken over by a 資格確認書, nor by another お知らせ's kind rule
        // turned round.
        assert_eq!(
            renewal_of(&both[1], &both, birth, &household, true, d(2026, 8, 1)),
            None
        );
        // A マイナポータル record of the same insurer takes over too.
        let portal = EligibilityRecord {
            kind: DocumentKind::Portal,
            ..notice.clone()
        };
        let with_portal = [certificate.clone(), portal];
        assert_eq!(
            renewal_of(
                &with_portal[0],
                &with_portal,
                birth,
                &household,
                true,
                d(2026, 8, 1)
            )
            .map(|r| r.by),
            Some(Successor::MynaHoken(Some(DocumentKind::Portal)))
        );
        // Another insurer's お知らせ is not this one's successor, and the member said nothing:
        // the old certificate is asked about as before.
        let other = EligibilityRecord {
            insurer_number: InsurerNumber::parse("06139992").unwrap(),
            ..notice.clone()
        };
        let with_other = [certificate.clone(), other];
        assert_eq!(
            renewal_of(
                &with_other[0],
                &with_other,
                birth,
                &household,
                true,
                d(2026, 8, 1)
            ),
            None
        );
        let ns = member_notices(birth, &with_other, None, None, d(2026, 8, 1));
        assert!(
            ns.iter().any(|n| n.code == NoticeCode::DocumentExpired
                && n.severity == Severity::Critical
                && n.message.contains("保険者に確認")),
            "{ns:?}"
        );
        // An お知らせ older than the 資格確認書 is not its successor (the 資格確認書 came after
        // it, for a reason).
        let older = EligibilityRecord {
            issued_on: Some(d(2025, 3, 1)),
            ..notice.clone()
        };
        let with_older = [certificate.clone(), older];
        assert_eq!(
            renewal_of(
                &with_older[0],
                &with_older,
                birth,
                &household,
                true,
                d(2026, 8, 1)
            ),
            None
        );
        // Nothing recorded beside it, but the member said the card is registered and it is
        // within its 有効期限: taken over by the card all the same — the ended 高齢受給者 block
        // still speaks (nothing else would). Not without the member's word.
        let alone = record_notices_renewed(
            &certificate,
            birth,
            d(2026, 8, 1),
            true,
            None,
            true,
            Joined::default(),
        );
        assert!(
            alone.iter().any(|n| n.code == NoticeCode::ElderlyExpired),
            "{alone:?}"
        );
        let expired = the_one(&alone, NoticeCode::DocumentExpired);
        assert_eq!(expired.severity, Severity::Info);
        assert!(
            expired.message.contains(
                "資格情報のお知らせかマイナポータルの資格情報画面をカードと一緒に見せます"
            ),
            "{}",
            expired.message
        );
        assert!(!asks(&alone), "{alone:?}");
        let without = record_notices(&certificate, birth, d(2026, 8, 1), true);
        assert!(
            without.iter().any(|n| n.code == NoticeCode::DocumentExpired
                && n.severity == Severity::Critical
                && n.message.contains("保険者に確認")),
            "{without:?}"
        );
        // Next year's 資格確認書 recorded as well: that one is named.
        let next_certificate = EligibilityRecord {
            valid_from: Some(d(2026, 8, 1)),
            elderly: Some(block(d(2026, 8, 1), d(2027, 7, 31))),
            ..record(DocumentKind::Certificate, Some(d(2027, 7, 31)))
        };
        let three = [certificate.clone(), notice.clone(), next_certificate];
        assert_eq!(
            renewal_of(&three[0], &three, birth, &household, true, d(2026, 8, 1)).map(|r| r.by),
            Some(Successor::SameKind)
        );
    }

    /// A 70–74-year-old (高齢受給者, 2割 or 3割) or a 後期高齢者医療 member (1割 to 3割) whose
    /// records in force have no 負担割合 typed: a Warning asks to type in the share printed on
    /// the document and to carry it, since the clinic takes it from the document when the card
    /// cannot be read. Not at 69, not before the 高齢受給者 start (nor on it, while the start is
    /// announced), not with a share or a 高齢受給者 block typed, and at 75 not for the 国保 record
    /// that ended the day before.
    #[test]
    fn no_share_typed_at_70_to_74_or_under_late_elderly_asks_for_the_document() {
        // 70 on 2026-06-15: 高齢受給者 from 2026-07-01; 75 on 2031-06-15.
        let born = d(1956, 6, 15);
        let mut nhi = record(DocumentKind::Certificate, Some(d(2031, 7, 31)));
        nhi.insurer_number = InsurerNumber::parse("138057").unwrap();
        nhi.insurer_name = "練馬区（国民健康保険）".into();
        nhi.copay = None;
        let asks = |records: &[EligibilityRecord], day: NaiveDate| {
            age_notices(born, records, day)
                .into_iter()
                .filter(|n| n.code == NoticeCode::CopayNotRecorded)
                .collect::<Vec<_>>()
        };
        let alone = std::slice::from_ref(&nhi);
        // 69, and 70 before the start (3割 by law, 「法定負担割合のとおり」 on 国保 papers).
        assert!(asks(alone, d(2026, 1, 10)).is_empty());
        assert!(asks(alone, d(2026, 6, 20)).is_empty());
        // On the start day the start is announced (the document with the share will come).
        assert!(has(
            &age_notices(born, alone, d(2026, 7, 1)),
            NoticeCode::ElderlyRecipientStarts
        ));
        assert!(asks(alone, d(2026, 7, 1)).is_empty());
        // 70 from the day after, and 74.
        for day in [d(2026, 7, 2), d(2031, 6, 14)] {
            let ns = asks(alone, day);
            assert_eq!(
                codes(&ns),
                [(NoticeCode::CopayNotRecorded, Severity::Warning)]
            );
            assert_eq!(ns[0].date, d(2026, 7, 1));
            assert_eq!(
                ns[0].message,
                "70〜74歳の方の負担割合は2割または3割で、人によって違いますが、この記録には\
                 負担割合が入力されていません。70歳以降に保険者から届いた資格確認書または\
                 資格情報のお知らせに印字された負担割合を入力してください。マイナ保険証がカードリーダーで読み取れないときは、\
                 医療機関は負担割合を書類で確かめます。受診には負担割合が印字された資格確認書\
                 または資格情報のお知らせを持って行ってください（資格情報のお知らせはマイナンバー\
                 カードと一緒に）。"
            );
        }
        // A share typed, or a 高齢受給者 block: nothing to ask.
        for copay in [CopayRate::Twenty, CopayRate::Thirty] {
            let typed = EligibilityRecord {
                copay: Some(copay),
                ..nhi.clone()
            };
            assert!(age_notices(born, &[typed], d(2028, 12, 1)).is_empty());
        }
        let block = EligibilityRecord {
            elderly: Some(ElderlyRecipient {
                copay: CopayRate::Twenty,
                effective_from: d(2026, 8, 1),
                valid_until: None,
            }),
            ..nhi.clone()
        };
        assert!(asks(&[block], d(2028, 12, 1)).is_empty());
        // 75: the 国保 record ended the day before; nothing about it.
        assert!(asks(alone, d(2031, 6, 15)).is_empty());
        // A 後期高齢者医療 資格確認書 without its share: asked, with its own shares.
        let late = EligibilityRecord {
            insurer_number: InsurerNumber::parse("39131156").unwrap(),
            insurer_name: "東京都後期高齢者医療広域連合".into(),
            valid_from: Some(d(2031, 6, 15)),
            valid_until: Some(d(2032, 7, 31)),
            ..nhi.clone()
        };
        let both = [nhi.clone(), late.clone()];
        let ns = asks(&both, d(2031, 6, 15));
        assert_eq!(
            codes(&ns),
            [(NoticeCode::CopayNotRecorded, Severity::Warning)]
        );
        assert_eq!(ns[0].date, d(2031, 6, 15));
        assert!(
            ns[0].message.starts_with(
                "後期高齢者医療の負担割合は1割、2割または3割で、所得によって違いますが"
            ) && ns[0]
                .message
                .contains("後期高齢者医療の資格確認書に印字された")
                && !ns[0].message.contains("お知らせ"),
            "{}",
            ns[0].message
        );
        let typed = EligibilityRecord {
            copay: Some(CopayRate::Ten),
            ..late
        };
        assert!(asks(&[nhi, typed], d(2031, 6, 15)).is_empty());
    }

    /// A 国保 record taken over by a job's insurance (its 資格取得年月日 typed in, no
    /// 資格喪失日 on the 国保 paper): besides not using it and giving its 資格確認書 back, the
    /// member is told that 国保 ends only by the filing, within 14 days of the new start
    /// (国民健康保険法 §9(1), 施行規則 §13), then 「すぐに」. Not after a move to another
    /// 市区町村's 国保 or at 後期 (review of 2026-12-01: the 脱退 was never said).
    #[test]
    fn nhi_left_for_a_job_asks_for_the_filing() {
        use crate::screen::rules::member_notices;
        let birth = d(1990, 2, 14);
        let nhi = EligibilityRecord {
            insurer_number: InsurerNumber::parse("138057").unwrap(),
            insurer_name: "練馬区".into(),
            valid_from: Some(d(2026, 8, 1)),
            ..record(DocumentKind::Certificate, Some(d(2027, 7, 31)))
        };
        let job = EligibilityRecord {
            acquired_on: Some(d(2027, 1, 5)),
            ..record(DocumentKind::Notice, None)
        };
        let lost = |records: &[EligibilityRecord], today| {
            member_notices(birth, records, None, None, today)
                .into_iter()
                .find(|n| n.code == NoticeCode::CoverageLost)
                .map(|n| n.message)
        };
        let both = [nhi.clone(), job.clone()];
        let text = lost(&both, d(2027, 1, 10)).unwrap();
        assert!(
            text.contains("保険者（市区町村など）へ返してください。")
                && text.ends_with(
                    "国民健康保険は、ほかの健康保険に加入しても自動では終わりません。届出がまだなら、\
                     令和9年1月19日までに（加入した日から14日以内）、新しい保険の資格確認書か\
                     資格情報のお知らせなどを持って、お住まいの市区町村（国保組合ならその組合）に\
                     国民健康保険をやめる届出をしてください。"
                ),
            "{text}"
        );
        assert!(
            lost(&both, d(2027, 1, 19))
                .unwrap()
                .contains("令和9年1月19日までに")
        );
        let late = lost(&both, d(2027, 1, 20)).unwrap();
        assert!(
            late.contains("届出がまだなら、すぐに、") && !late.contains("令和9年1月19日"),
            "{late}"
        );
        // A move to another 市区町村's 国保: filed with the move, nothing more said.
        let moved = EligibilityRecord {
            insurer_number: InsurerNumber::parse("138065").unwrap(),
            insurer_name: "杉並区".into(),
            valid_from: Some(d(2027, 1, 5)),
            ..record(DocumentKind::Certificate, Some(d(2027, 7, 31)))
        };
        let text = lost(&[nhi.clone(), moved], d(2027, 1, 10)).unwrap();
        assert!(!text.contains("届出"), "{text}");
        // A job's insurance left for another job: its own rules (the employer files).
        let other_job = EligibilityRecord {
            insurer_number: InsurerNumber::parse("06139992").unwrap(),
            insurer_name: "山田商事健康保険組合".into(),
            acquired_on: Some(d(2027, 1, 5)),
            ..record(DocumentKind::Notice, None)
        };
        let before = EligibilityRecord {
            acquired_on: Some(d(2015, 4, 1)),
            ..record(DocumentKind::Certificate, Some(d(2030, 11, 30)))
        };
        let text = lost(&[before, other_job], d(2027, 1, 10)).unwrap();
        assert!(!text.contains("国民健康保険"), "{text}");
    }

    /// A reissue told by its 有効開始年月日 (no 交付年月日 typed): the old paper's notice names it
    /// by its own start, as the guidance does (`situation::certificate_label`; review of
    /// 2026-12-01: the notice named it bare, the guidance 「（令和7年12月2日から）」).
    #[test]
    fn a_reissue_without_issue_dates_is_named_by_its_start() {
        use crate::screen::rules::member_notices;
        let birth = d(1957, 1, 15);
        let papers = reissued_at_70(record(DocumentKind::Certificate, Some(d(2030, 11, 30))));
        let replaced: Vec<_> = member_notices(birth, &papers, None, None, d(2027, 2, 5))
            .into_iter()
            .filter(|n| n.code == NoticeCode::DocumentExpired)
            .map(|n| n.message)
            .collect();
        assert!(
            replaced.iter().any(|m| m.starts_with(
                "全国健康保険協会 東京支部の資格確認書（令和7年12月2日から）は、令和9年2月1日から\
                 新しく交付された資格確認書に替わりました"
            )),
            "{replaced:?}"
        );
        assert_eq!(
            crate::screen::situation::certificate_label(&papers[0], &papers, birth),
            "全国健康保険協会 東京支部の資格確認書（令和7年12月2日から）"
        );
    }

    /// A 70–74 record with its 高齢受給者 block in effect and another share typed at the top:
    /// one of the two is mistyped, and the screen would show a clinic both (review of
    /// 2026-12-01). The same share in both, or a block not in effect yet, says nothing of it.
    #[test]
    fn two_shares_on_one_elderly_record_are_a_typing_error() {
        use crate::screen::rules::member_notices;
        let birth = d(1954, 3, 3);
        let today = d(2026, 12, 10);
        let typed = |top: CopayRate, block: CopayRate, from: NaiveDate| EligibilityRecord {
            copay: Some(top),
            elderly: Some(ElderlyRecipient {
                copay: block,
                effective_from: from,
                valid_until: Some(d(2027, 7, 31)),
            }),
            ..record(DocumentKind::Certificate, Some(d(2030, 11, 30)))
        };
        let implausible = |r: EligibilityRecord| {
            member_notices(birth, &[r], None, None, today)
                .into_iter()
                .filter(|n| n.code == NoticeCode::CopayImplausible)
                .map(|n| n.message)
                .collect::<Vec<_>>()
        };
        let two = implausible(typed(CopayRate::Twenty, CopayRate::Thirty, d(2026, 8, 1)));
        assert_eq!(
            two,
            [
                "記録の負担割合（2割）は、この記録の高齢受給者欄の負担割合（3割）と合いません。\
                 書類の記載を確認してください。"
            ]
        );
        assert!(implausible(typed(CopayRate::Thirty, CopayRate::Thirty, d(2026, 8, 1))).is_empty());
        assert!(implausible(typed(CopayRate::Twenty, CopayRate::Twenty, d(2026, 8, 1))).is_empty());
        assert!(implausible(typed(CopayRate::Thirty, CopayRate::Twenty, d(2027, 1, 1))).is_empty());
        // A block past its printed 有効期限: the share at the top may be the new year's; its
        // `ElderlyExpired` asks for the new share (review of 2026-12-01).
        let expired = typed(CopayRate::Twenty, CopayRate::Thirty, d(2026, 8, 1));
        assert!(
            member_notices(birth, &[expired], None, None, d(2027, 8, 10))
                .iter()
                .all(|n| n.code != NoticeCode::CopayImplausible)
        );
    }
}
