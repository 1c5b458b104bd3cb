//! What a member holds, as the guidance sees it ([`MemberSituation`]): a card registered as a
//! 保険証, the state of the card and of its certificate, a card check on this phone, the
//! documents in force and the 公費 医療証, from the stored data and `today`.

use chrono::NaiveDate;
use serde::Serialize;

use super::calendar::{
    ExpiryState, age_on, certificate_state, expiry_state, record_in_force, record_last_day,
};
use super::rules::card_valid_until;
use crate::card::{AnchorSource, CardCheck};
use crate::eligibility::{DocumentKind, EligibilityRecord, MemberData};

/// The oldest age on a card's 有効期限 for a card with the 5-year term (issued under 18, or
/// under 20 before 2022-04-01): issued at 19 years and 364 days, its 5th birthday after issue
/// is the 24th. An adult card (10th birthday after issue at 18 or more) ends at 28 at the
/// earliest, so the two never overlap.
const FIVE_YEAR_CARD_MAX_AGE_AT_EXPIRY: u32 = 24;

/// This app's own copy of a お知らせ / マイナポータル record, as its screen would show it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum AppCopy {
    /// Typed by hand, or signed but not verifying now: a copy, not an official document.
    Unverified,
    /// Signed by its issuer and verified now.
    IssuerSigned,
}

/// What a card check on this phone showed (the certificate's state is in
/// [`MemberSituation::certificate`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct PhoneCheck {
    /// The day of the check (Japan time).
    pub checked_on: NaiveDate,
    /// The card chained to a test trust anchor, not a J-LIS root (development cards).
    pub test_anchor: bool,
}

/// The member's side: what they hold.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MemberSituation {
    /// Has a My Number Card (known from a registered-card document, the member's word, the
    /// card's printed 有効期限 or a card check). Whether it is still valid is
    /// [`MemberSituation::card`].
    pub has_card: bool,
    /// The card is registered for use as a 保険証 (保険証利用登録).
    pub registered: bool,
    /// The 利用者証明用電子証明書's state, when known (from a card check on this phone, or the
    /// card's own 有効期限 for a card with the 5-year term, whose certificate ends with it).
    pub certificate: Option<ExpiryState>,
    /// The card's own state, from its printed 有効期限, when known.
    pub card: Option<ExpiryState>,
    /// The card has the 5-year term (issued under 18): card and certificate end together on
    /// the 5th birthday after issue, so renewing means a new card, not a new certificate.
    pub card_five_year_term: bool,
    /// The last card check on this phone, when there was one.
    pub phone_check: Option<PhoneCheck>,
    /// Holds a 資格確認書 in force (`calendar::record_in_force`: started, not lost, not past its
    /// 有効期限 cut to the day before the 75th birthday unless 後期高齢者医療).
    pub has_qualification_certificate: bool,
    /// A 資格確認書 is recorded but its last day has passed — its 有効期限, or the day before the
    /// 75th birthday when its insurer is not a 後期高齢者医療広域連合 — and none is in force.
    pub qualification_certificate_expired: bool,
    /// Of those, one ended the day before the 75th birthday: the member is now a 後期高齢者医療
    /// 被保険者 and needs that scheme's 資格確認書, not a renewal from the former insurer
    /// (高齢者の医療の確保に関する法律 §50, §52(1)).
    pub qualification_certificate_ended_at_75: bool,
    /// Has the 資格情報のお知らせ (paper or PDF).
    pub has_notice: bool,
    /// Can show the マイナポータル 資格情報 screen (or its saved PDF) on a phone.
    pub has_phone_screen: bool,
    /// This app holds an お知らせ / マイナポータル record in force it can show (a copy).
    pub app_copy: Option<AppCopy>,
    /// The 公費 医療証 held (こども医療費受給者証, 重度障がい者医療証, …), to present together
    /// with the マイナ保険証 or the 資格確認書 (notice B A11).
    pub public_expense: Vec<String>,
    /// Every insurance record has ended by a 資格喪失日: the latest of them.
    pub coverage_lost_on: Option<NaiveDate>,
    /// The printed expiry of an old 健康保険証 still at hand, if any.
    pub old_insurance_card_until: Option<NaiveDate>,
}

/// The worse of two states (a later point in the expiry cycle).
fn worse(a: Option<ExpiryState>, b: Option<ExpiryState>) -> Option<ExpiryState> {
    fn rank(s: ExpiryState) -> u8 {
        match s {
            ExpiryState::Valid => 0,
            ExpiryState::ExpiringSoon => 1,
            ExpiryState::InGrace => 2,
            ExpiryState::Ended => 3,
        }
    }
    match (a, b) {
        (Some(x), Some(y)) => Some(if rank(x) >= rank(y) { x } else { y }),
        (x, y) => x.or(y),
    }
}

impl MemberSituation {
    /// What `member` holds on `today`, from the stored data: whether the card is registered as
    /// a 保険証 is [`MemberData::holds_myna_hoken`] (the member's word, else the record kinds:
    /// お知らせ / マイナポータル → yes, a 資格確認書 alone → usually not; not known counts as
    /// not registered); a card check adds the certificate's state; the card's printed 有効期限
    /// its own (the printed 有効期限, or a 5-year card's end told by the check's certificate:
    /// `rules::card_valid_until`). Only records in force are held
    /// (`calendar::record_in_force`: started, not lost, not past their
    /// 有効期限 cut at the 75th birthday). [`MemberSituation::app_copy`] is left `None`: only the caller knows whether
    /// its copy verifies (see `member_guidance`).
    pub fn from_data(
        member: &MemberData,
        records: &[EligibilityRecord],
        card_check: Option<&CardCheck>,
        today: NaiveDate,
    ) -> Self {
        let in_force = |r: &EligibilityRecord| record_in_force(r, member.birth_date, today);
        let held = |kind: DocumentKind| records.iter().any(|r| r.kind == kind && in_force(r));
        // Registration belongs to the card, not to the insurer: an お知らせ of a former
        // insurer still shows that the card was registered.
        let registered = member.holds_myna_hoken(records).unwrap_or(false);
        // The printed 有効期限, or a 5-year card's end told by its certificate.
        let card_until = card_valid_until(member, card_check);
        let has_card = registered || card_check.is_some() || card_until.is_some();
        let card = card_until.map(|u| expiry_state(u, today));
        let card_five_year_term = card_until
            .is_some_and(|u| age_on(member.birth_date, u) <= FIVE_YEAR_CARD_MAX_AGE_AT_EXPIRY);
        let checked = card_check.map(|c| certificate_state(c, today));
        let certificate = if card_five_year_term {
            worse(checked, card)
        } else {
            checked
        };
        let has_qualification_certificate = held(DocumentKind::Certificate);
        // Each recorded 資格確認書's last day: its printed 有効期限, or the day before the 75th
        // birthday when its insurer is not a 後期高齢者医療広域連合 (`record_last_day`, the rule
        // `record_in_force` uses).
        let certificate_ends: Vec<_> = records
            .iter()
            .filter(|r| r.kind == DocumentKind::Certificate)
            .filter_map(|r| {
                record_last_day(r.kind, &r.insurer_number, r.valid_until, member.birth_date)
            })
            .collect();
        let insurance_records: Vec<&EligibilityRecord> =
            records.iter().filter(|r| r.kind.is_insurance()).collect();
        let coverage_lost_on = if !insurance_records.is_empty()
            && insurance_records.iter().all(|r| r.is_lost(today))
        {
            insurance_records.iter().filter_map(|r| r.lost_on).max()
        } else {
            None
        };
        Self {
            has_card,
            registered,
            certificate,
            card,
            card_five_year_term,
            phone_check: card_check.map(|c| PhoneCheck {
                checked_on: crate::clock::japan_today(c.checked_at),
                test_anchor: c.chain.anchor_source == AnchorSource::Extra,
            }),
            has_qualification_certificate,
            qualification_certificate_expired: !has_qualification_certificate
                && certificate_ends.iter().any(|end| end.last_day < today),
            qualification_certificate_ended_at_75: !has_qualification_certificate
                && certificate_ends
                    .iter()
                    .any(|end| end.at_75 && end.last_day < today),
            has_notice: held(DocumentKind::Notice),
            has_phone_screen: held(DocumentKind::Portal),
            app_copy: None,
            public_expense: records
                .iter()
                .filter(|r| r.kind == DocumentKind::PublicExpense && in_force(r))
                .map(|r| r.insurer_name.clone())
                .collect(),
            coverage_lost_on,
            old_insurance_card_until: None,
        }
    }

    /// The card works as a マイナ保険証: a card, registered, and neither the card nor its
    /// certificate past the grace period (either may be unknown).
    pub fn myna_usable(&self) -> bool {
        self.has_card
            && self.registered
            && self
                .certificate
                .is_none_or(ExpiryState::usable_as_insurance)
            && self.card.is_none_or(ExpiryState::usable_as_insurance)
    }

    /// The card could be registered at the reader now: a card that is not registered, neither
    /// it nor its certificate expired (or not known).
    pub(super) fn can_register(&self) -> bool {
        let unexpired = |s: Option<ExpiryState>| {
            matches!(
                s,
                None | Some(ExpiryState::Valid | ExpiryState::ExpiringSoon)
            )
        };
        self.has_card && !self.registered && unexpired(self.certificate) && unexpired(self.card)
    }

    /// The card itself (not only its certificate) has to be replaced: its own 有効期限 is near
    /// or past, or it has the 5-year term and its certificate is.
    pub(super) fn needs_new_card(&self) -> bool {
        let due = |s: Option<ExpiryState>| s.is_some_and(|s| s != ExpiryState::Valid);
        due(self.card) || (self.card_five_year_term && due(self.certificate))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::screen::guidance::Presentation::*;
    use crate::screen::guidance::test_fixtures::*;
    use crate::screen::guidance::{ClinicSituation, GuidanceAction, guidance};

    #[test]
    fn situation_from_data() {
        let adult = person(d(1985, 4, 12));
        let records = [
            record(DocumentKind::Notice, None),
            record(DocumentKind::Certificate, Some(d(2026, 11, 22))),
        ];
        // An お知らせ means a card registered as a 保険証, checked on this phone or not.
        let s = MemberSituation::from_data(&adult, &records, None, TODAY);
        assert!(s.has_card && s.registered && s.has_notice && s.myna_usable());
        assert_eq!(s.phone_check, None);
        assert_eq!(s.certificate, None);
        // The 資格確認書 expired yesterday.
        assert!(!s.has_qualification_certificate);
        assert!(s.qualification_certificate_expired);
        let s = MemberSituation::from_data(&adult, &records, None, d(2026, 11, 22));
        assert!(s.has_qualification_certificate && !s.qualification_certificate_expired);
        assert!(!s.has_phone_screen);

        // A 資格確認書 alone: usually no マイナ保険証, and no card known.
        let certificate = [record(DocumentKind::Certificate, Some(d(2030, 11, 30)))];
        let s = MemberSituation::from_data(&adult, &certificate, None, TODAY);
        assert!(!s.has_card && !s.registered && s.has_qualification_certificate);
        // … unless the member says their card is registered.
        let said_yes = MemberData {
            myna_hoken: Some(true),
            ..adult.clone()
        };
        let s = MemberSituation::from_data(&said_yes, &certificate, None, TODAY);
        assert!(s.has_card && s.registered && s.myna_usable());
        // The member's "no" overrides an お知らせ.
        let said_no = MemberData {
            myna_hoken: Some(false),
            ..adult.clone()
        };
        let s = MemberSituation::from_data(&said_no, &records, None, TODAY);
        assert!(!s.registered && !s.myna_usable());

        // A 公費 医療証 is named; it is not insurance.
        let with_public = [
            record(DocumentKind::Certificate, Some(d(2030, 11, 30))),
            public_expense("こども医療費受給者証"),
        ];
        let s = MemberSituation::from_data(&adult, &with_public, None, TODAY);
        assert_eq!(s.public_expense, ["こども医療費受給者証"]);
        assert_eq!(s.coverage_lost_on, None);
        let s = MemberSituation::from_data(&adult, &with_public, None, d(2027, 4, 1));
        assert!(s.public_expense.is_empty(), "expired 2027-03-31");
    }

    /// A 協会けんぽ record ends the day before the 75th birthday (`calendar::record_in_force`,
    /// the clinic desk's rule); a 後期高齢者医療 record and a 公費 医療証 are not cut.
    #[test]
    fn held_until_the_day_before_the_75th_birthday_unless_late_elderly_or_public_expense() {
        use crate::eligibility::InsurerNumber;
        // 75 on 2026-11-24.
        let elder = person(d(1951, 11, 24));
        let kyokai = [
            record(DocumentKind::Certificate, Some(d(2030, 11, 30))),
            record(DocumentKind::Notice, None),
            record(DocumentKind::Portal, Some(d(2027, 7, 31))),
            public_expense("重度障がい者医療証"),
        ];
        let s = MemberSituation::from_data(&elder, &kyokai, None, d(2026, 11, 23));
        assert!(s.has_qualification_certificate && s.has_notice && s.has_phone_screen);
        assert_eq!(s.public_expense, ["重度障がい者医療証"]);
        let s = MemberSituation::from_data(&elder, &kyokai, None, d(2026, 11, 24));
        assert!(!s.has_qualification_certificate && !s.has_notice && !s.has_phone_screen);
        assert!(
            s.qualification_certificate_expired && s.qualification_certificate_ended_at_75,
            "its printed 有効期限 has not passed, but it ended the day before the 75th birthday"
        );
        let s = MemberSituation::from_data(&elder, &kyokai, None, d(2026, 11, 23));
        assert!(!s.qualification_certificate_expired && !s.qualification_certificate_ended_at_75);
        assert_eq!(s.public_expense, ["重度障がい者医療証"], "公費 is not cut");
        let late = InsurerNumber::parse("39131156").unwrap();
        let late_elderly =
            [DocumentKind::Certificate, DocumentKind::Notice].map(|kind| EligibilityRecord {
                insurer_number: late.clone(),
                ..record(kind, Some(d(2027, 7, 31)))
            });
        let s = MemberSituation::from_data(&elder, &late_elderly, None, d(2026, 11, 24));
        assert!(s.has_qualification_certificate && s.has_notice);
    }

    /// A record whose 有効開始年月日 is after today is not held yet (the desk's 有効期間前).
    #[test]
    fn not_held_before_its_valid_from() {
        let adult = person(d(1985, 4, 12));
        let next = [EligibilityRecord {
            valid_from: Some(d(2026, 12, 1)),
            ..record(DocumentKind::Certificate, Some(d(2031, 11, 30)))
        }];
        let s = MemberSituation::from_data(&adult, &next, None, d(2026, 11, 30));
        assert!(!s.has_qualification_certificate);
        let s = MemberSituation::from_data(&adult, &next, None, d(2026, 12, 1));
        assert!(s.has_qualification_certificate);
    }

    /// 資格喪失日 is the first day without the coverage: the record is held the day before.
    #[test]
    fn coverage_lost() {
        let adult = person(d(1985, 4, 12));
        let lost = EligibilityRecord {
            lost_on: Some(d(2026, 11, 1)),
            ..record(DocumentKind::Notice, None)
        };
        let s =
            MemberSituation::from_data(&adult, std::slice::from_ref(&lost), None, d(2026, 10, 31));
        assert!(s.has_notice && s.coverage_lost_on.is_none());
        let s = MemberSituation::from_data(&adult, &[lost], None, TODAY);
        assert!(!s.has_notice, "the お知らせ of the old insurer is not held");
        assert!(s.registered, "the card stays registered");
        assert_eq!(s.coverage_lost_on, Some(d(2026, 11, 1)));
        let g = guidance(&s, &ClinicSituation::NORMAL, TODAY);
        assert_eq!(presented(&g), [CardAtReader, DeclarationForm]);
        assert!(g.options[0].explanation.contains("新しい保険"));
        assert_eq!(actions(&g), [GuidanceAction::JoinNewInsurance]);
        assert!(g.to_do[0].explanation.contains("5日以内"));
        assert!(g.to_do[0].explanation.contains("令和8年11月1日"));
    }
}
