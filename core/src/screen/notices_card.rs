//! The notices about the My Number Card and its 利用者証明用電子証明書: their expiry and the
//! grace period in which the card still works as a 保険証, the card's own 有効期限, and
//! "a マイナ保険証 and a 資格確認書 both held". The dates are in docs/dates.md.

use chrono::{DateTime, NaiveDate, Utc};

use super::calendar::{
    ExpiryState, certificate_expiry_date, certificate_state, expiry_state,
    insurance_grace_last_day, my_number_card_valid_until, record_in_force,
};
use super::notices_household::HouseholdContext;
use super::rules::{Notice, NoticeCode, Severity};
use super::text_ja;
use crate::card::CardCheck;
use crate::eligibility::{DocumentKind, EligibilityRecord, MemberData};

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

/// The notice when a マイナ保険証 and a valid 資格確認書 are both held: a warning, never a
/// block. A マイナ保険証 is shown by a card check whose certificate still works as a 保険証, or
/// by an お知らせ / マイナポータル record in force; the 資格確認書 must be in force too (both for a
/// member born on `birth`: `calendar::record_in_force`, so a 被用者保険 one ends the day before the 75th
/// birthday). A 後期高齢者 資格確認書 before [`LATE_ELDERLY_BOTH_UNTIL`] gives an Info notice
/// instead (everyone got one).
pub fn both_held_notice(
    records: &[EligibilityRecord],
    card_check: Option<&CardCheck>,
    birth: NaiveDate,
    today: NaiveDate,
) -> Option<Notice> {
    both_held_notice_in(
        records,
        card_check,
        birth,
        &HouseholdContext::of_member(records),
        today,
    )
}

/// [`both_held_notice`] with what the household decides: a 被扶養者's record ended by the
/// 被保険者's move to 後期高齢者医療 is not held (`calendar::record_in_force`).
pub(crate) fn both_held_notice_in(
    records: &[EligibilityRecord],
    card_check: Option<&CardCheck>,
    birth: NaiveDate,
    household: &HouseholdContext,
    today: NaiveDate,
) -> Option<Notice> {
    let in_force = |r: &EligibilityRecord| record_in_force(r, birth, household, today);
    let by_card = card_check.is_some_and(|c| certificate_state(c, today).usable_as_insurance());
    let by_record = records.iter().any(|r| r.kind.needs_card() && in_force(r));
    if !(by_card || by_record) {
        return None;
    }
    let certificate = records
        .iter()
        .find(|r| r.kind == DocumentKind::Certificate && in_force(r))?;
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::eligibility::InsurerNumber;
    use crate::screen::rules::test_fixtures::*;

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

    #[test]
    fn both_held() {
        let adult = d(1985, 4, 12);
        let today = d(2026, 11, 23);
        let cert = record(DocumentKind::Certificate, Some(d(2030, 11, 30)));
        let notice = record(DocumentKind::Notice, None);
        let portal = record(DocumentKind::Portal, None);
        let valid_card = check(d(2028, 5, 1));
        // Certificate + card check.
        let n =
            both_held_notice(std::slice::from_ref(&cert), Some(&valid_card), adult, today).unwrap();
        assert_eq!(
            (n.code, n.severity),
            (NoticeCode::BothHeld, Severity::Warning)
        );
        assert_eq!(n.date, d(2030, 11, 30));
        // Certificate + お知らせ or マイナポータル record.
        assert!(both_held_notice(&[cert.clone(), notice.clone()], None, adult, today).is_some());
        assert!(both_held_notice(&[portal, cert.clone()], None, adult, today).is_some());
        // Only one of them: nothing.
        assert!(both_held_notice(std::slice::from_ref(&cert), None, adult, today).is_none());
        assert!(
            both_held_notice(
                std::slice::from_ref(&notice),
                Some(&valid_card),
                adult,
                today
            )
            .is_none()
        );
        // A certificate whose insurance use ended does not count as a マイナ保険証
        // (expired 2026-05-31, grace to 2026-08-31).
        let ended = check(d(2026, 5, 31));
        assert!(
            both_held_notice(
                std::slice::from_ref(&cert),
                Some(&ended),
                adult,
                d(2026, 9, 1)
            )
            .is_none()
        );
        assert!(
            both_held_notice(
                std::slice::from_ref(&cert),
                Some(&ended),
                adult,
                d(2026, 8, 31)
            )
            .is_some()
        );
        // An expired 資格確認書 is not held any more: the day of and the day after.
        let old = record(DocumentKind::Certificate, Some(today));
        assert!(
            both_held_notice(std::slice::from_ref(&old), Some(&valid_card), adult, today).is_some()
        );
        assert!(
            both_held_notice(
                std::slice::from_ref(&old),
                Some(&valid_card),
                adult,
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
            adult,
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
            adult,
            d(2026, 8, 1),
        )
        .unwrap();
        assert_eq!(after.severity, Severity::Warning);

        // Born 1951-11-24: a 協会けんぽ 資格確認書 and お知らせ end on 2026-11-23, the day before
        // the 75th birthday (`calendar::record_in_force`); a 後期高齢者 資格確認書 does not.
        let elder = d(1951, 11, 24);
        let kyokai = [cert.clone(), notice.clone()];
        assert!(both_held_notice(&kyokai, None, elder, d(2026, 11, 23)).is_some());
        assert!(both_held_notice(&kyokai, None, elder, d(2026, 11, 24)).is_none());
        let card = Some(&valid_card);
        assert!(
            both_held_notice(std::slice::from_ref(&cert), card, elder, d(2026, 11, 23)).is_some()
        );
        assert!(
            both_held_notice(std::slice::from_ref(&cert), card, elder, d(2026, 11, 24)).is_none()
        );
        assert!(
            both_held_notice(std::slice::from_ref(&late), card, elder, d(2026, 11, 24)).is_some()
        );
        // A 資格確認書 not started yet (有効開始年月日 tomorrow) is not held today.
        let next = EligibilityRecord {
            valid_from: Some(d(2026, 11, 24)),
            ..cert.clone()
        };
        assert!(both_held_notice(std::slice::from_ref(&next), card, adult, today).is_none());
        assert!(
            both_held_notice(std::slice::from_ref(&next), card, adult, d(2026, 11, 24)).is_some()
        );
    }
}
