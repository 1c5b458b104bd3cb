//! What a member holds, as the guidance sees it ([`MemberSituation`]): a card registered as a
//! 保険証, the state of the card and of its certificate, a card check on this phone, the
//! documents in force and the 公費 医療証, from the stored data and `today`.

use chrono::NaiveDate;
use serde::Serialize;

use super::calendar::{
    ExpiryState, age_on, certificate_expiry_date, certificate_state, expiry_state, late_elderly_on,
    record_ended, record_in_force, record_last_day, record_not_started,
};
use super::notices_household::{DependentEndCause, HouseholdContext};
use super::rules::card_valid_until;
use super::text_ja::JoinAfterLoss;
use super::wareki::format_wareki;
use crate::card::{AnchorSource, CardCheck};
use crate::eligibility::{DocumentKind, EligibilityRecord, MemberData, Relationship, Scheme};

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

/// A share the law leaves to the member, not typed ([`MemberSituation::share_not_recorded`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum ShareNotRecorded {
    /// Under 後期高齢者医療: 1, 2 or 3割 (高齢者の医療の確保に関する法律 §67).
    LateElderly,
    /// 70–74: 2 or 3割 (健康保険法 §74(1)(ii), (iii)).
    ElderlyRecipient,
    /// 70–74, the share typed from a document issued before 70 (the under-70 3割).
    ElderlyRecipientBefore70,
}

/// Why a 被扶養者's status ended ([`MemberSituation::dependent_status_lost_by`]), with the scheme
/// of the 被扶養者's record on the 被保険者's insurance: whether that 被保険者 may have chosen
/// 任意継続, and where its 資格確認書 goes back (`text_ja::JoinAfterLoss`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case", tag = "cause", content = "scheme")]
pub enum DependentStatusLoss {
    /// The 被保険者 turned 75 and moved to 後期高齢者医療 (高齢者の医療の確保に関する法律 §50,
    /// §52(1)).
    InsuredAt75(Scheme),
    /// The 被保険者 lost that insurance (a 資格喪失日 on their record), not by turning 75.
    InsuredLost(Scheme),
}

impl DependentStatusLoss {
    /// The scheme of the 被扶養者's record that ended.
    pub fn scheme(self) -> Scheme {
        match self {
            DependentStatusLoss::InsuredAt75(s) | DependentStatusLoss::InsuredLost(s) => s,
        }
    }
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
    /// The last day of the 利用者証明用電子証明書 whose state is
    /// [`MemberSituation::certificate`] (the card check's, or a 5-year card's end when earlier),
    /// when known: the to-do names it, and the end of its grace period
    /// (`calendar::insurance_grace_last_day`), as the screen's notice does.
    pub certificate_expires_on: Option<NaiveDate>,
    /// The card's 有効期限 whose state is [`MemberSituation::card`], when known.
    pub card_valid_until: Option<NaiveDate>,
    /// The card has the 5-year term (issued under 18): card and certificate end together on
    /// the 5th birthday after issue, so renewing means a new card, not a new certificate.
    pub card_five_year_term: bool,
    /// The last card check on this phone, when there was one.
    pub phone_check: Option<PhoneCheck>,
    /// Holds a 資格確認書 in force (`calendar::record_in_force`: started, not lost, not past its
    /// 有効期限 cut to the day before the 75th birthday unless 後期高齢者医療).
    pub has_qualification_certificate: bool,
    /// A 資格確認書 is recorded but its last day has passed — its 有効期限, or the day before the
    /// 75th birthday when its insurer is not a 後期高齢者医療広域連合 — and none is in force. A
    /// 資格確認書 whose coverage has ended (its 資格喪失日, or a 被扶養者's status ended by the
    /// 被保険者's 75th birthday) does not count: its insurer will send no new one (docs/rules.md
    /// §3.3).
    pub qualification_certificate_expired: bool,
    /// Of those, one ended the day before the 75th birthday: the member is now a 後期高齢者医療
    /// 被保険者 and needs that scheme's 資格確認書, not a renewal from the former insurer
    /// (高齢者の医療の確保に関する法律 §50, §52(1)).
    pub qualification_certificate_ended_at_75: bool,
    /// Each 資格確認書 in force, named for the desk (`certificate_name`: 「後期高齢者医療の
    /// 資格確認書（東京都後期高齢者医療広域連合）」, 「全国健康保険協会 東京支部の資格確認書」). The
    /// guidance names the one to show when more than one 資格確認書 is recorded.
    pub certificates_in_force: Vec<String>,
    /// Each recorded 資格確認書 that has ended (`calendar::record_ended`: its 資格喪失日, a
    /// 被扶養者's status ended at the 被保険者's 75th birthday, the day before the member's 75th
    /// birthday, or its 有効期限), named likewise: the guidance says not to show it.
    pub certificates_ended: Vec<String>,
    /// Each recorded 資格確認書 that has not started yet (`calendar::record_not_started`: its
    /// 有効開始年月日, or a later 資格取得年月日, is after today — a 後期高齢者医療 one entered before the 75th birthday), named
    /// likewise, with its first day: the guidance says not to show it before that day (the
    /// desk's 有効期間前, docs/clinic.md).
    pub certificates_not_started: Vec<(String, NaiveDate)>,
    /// Has the 資格情報のお知らせ (paper or PDF).
    pub has_notice: bool,
    /// When the member has recorded an お知らせ that is not in force beside one that is (at 75:
    /// the former insurer's, ended, and the 後期高齢者医療 one; or the 後期 one not started yet),
    /// the one to show and the ones not to, named as the 資格確認書 are ([`certificate_name`]):
    /// in force; ended; not started, with its first day. With no お知らせ in force
    /// ([`MemberSituation::has_notice`] false), only those not started yet, with their first day
    /// (a 後期 one mailed before the 75th birthday). Empty otherwise (one お知らせ in force needs
    /// no name).
    pub notices_named: NamedNotices,
    /// Can show the マイナポータル 資格情報 screen (or its saved PDF) on a phone.
    pub has_phone_screen: bool,
    /// This app holds an お知らせ / マイナポータル record in force it can show (a copy).
    pub app_copy: Option<AppCopy>,
    /// The 公費 医療証 held (こども医療費受給者証, 重度障がい者医療証, …), to present together
    /// with the マイナ保険証 or the 資格確認書 (notice B A11).
    pub public_expense: Vec<String>,
    /// Every insurance record has ended by a 資格喪失日: the latest of them.
    pub coverage_lost_on: Option<NaiveDate>,
    /// The scheme of the record lost on [`MemberSituation::coverage_lost_on`]: what the member
    /// joins next and where its 資格確認書 goes back depend on it (`text_ja::JoinAfterLoss`).
    pub coverage_lost_scheme: Option<Scheme>,
    /// The record lost on [`MemberSituation::coverage_lost_on`] is a 家族 (被扶養者) one: no
    /// 任意継続 (健康保険法 §3(4): a 被保険者's).
    pub coverage_lost_as_dependent: bool,
    /// Every insurance record has ended, at least one because the member was the 被扶養者 of a
    /// 被保険者 who turned 75 and moved to 後期高齢者医療 (the others by a 資格喪失日): that
    /// 被保険者's 75th birthday, the first day without 被扶養者 status
    /// ([`HouseholdContext::dependent_status_ends_on`], docs/rules.md §1.4 "Dependents"). The
    /// member has to join 国保 or become another family member's 被扶養者. Also the 被保険者's
    /// 資格喪失日 when that ended the status ([`DependentStatusLoss::InsuredLost`]).
    pub dependent_status_lost_on: Option<NaiveDate>,
    /// Why the 被扶養者 status of [`MemberSituation::dependent_status_lost_on`] ended, with the
    /// scheme of the record that ended (the 被保険者's insurer's). Set exactly when that day is.
    pub dependent_status_lost_by: Option<DependentStatusLoss>,
    /// For [`DependentStatusLoss::InsuredLost`]: the 被保険者's next insurance, when typed in
    /// (`notices_household::InsuredNext`): the to-do names it, as the screen's notice does.
    #[serde(skip)]
    pub(crate) insured_next: Option<super::notices_household::InsuredNext>,
    /// [`MemberSituation::dependent_status_lost_on`] is implied by the 被保険者's new 資格 (no
    /// 資格喪失日 typed): the to-do then gives no deadline for the 資格確認書, as the notice
    /// gives none (「すぐに」).
    #[serde(skip)]
    pub(crate) dependent_status_lost_implied: bool,
    /// A 資格確認書 of the coverage lost on [`MemberSituation::coverage_lost_on`] (or of the
    /// 被扶養者 status lost on [`MemberSituation::dependent_status_lost_on`]) is recorded: the
    /// to-do says to return it, not 「お持ちなら」.
    pub lost_certificate_recorded: bool,
    /// The share is the member's own by law (70–74: 2 or 3割; 後期: 1, 2 or 3割) and none is
    /// typed on the records in force (`notices_record::share_missing`, the screen's
    /// `CopayNotRecorded`). The guidance says which paper prints it.
    pub share_not_recorded: Option<ShareNotRecorded>,
    /// The printed expiry of an old 健康保険証 still at hand, if any.
    pub old_insurance_card_until: Option<NaiveDate>,
    /// Nothing about the member's insurance is recorded yet: no insurance document (in force
    /// or not), no word on the 保険証利用登録, no card 有効期限 and no card check. What the
    /// member holds is then not known — which is not the same as holding nothing (a member
    /// just added, before anything is typed in).
    pub nothing_recorded: bool,
    /// No insurance document is recorded, in force or not (the member may have said whether
    /// the card is registered, or a card may be known): which paper the member holds is not
    /// known. A member without a マイナ保険証 is sent a 資格確認書, by some insurers without
    /// applying (notice A: 「交付申請は不要」; notice D: 「マイナ保険証の登録状況を確認し…資格確認書を
    /// 交付いたします」), so the guidance asks for it before 10割 (docs/guidance.md §2).
    pub no_insurance_document: bool,
    /// Whether the card is registered as a 保険証 is not known: the member has not said, and
    /// the records do not tell ([`MemberData::holds_myna_hoken`] is `None`: no お知らせ or
    /// マイナポータル record, and no 資格確認書 but a 後期 one, which everyone got until
    /// 2026-07-31). The guidance then offers the card at the reader before 10割.
    pub registration_unknown: bool,
    /// The member is 75 or over (後期高齢者医療 from the 75th birthday, 高齢者の医療の確保に関する
    /// 法律 §50, §52(1)) and no 後期高齢者医療 record is recorded: the insurance they belong to
    /// now is not the one recorded, which the 申立書 must not name.
    pub late_elderly_not_recorded: bool,
    /// The member is under one year old and no insurance document of theirs is recorded: a
    /// newborn, whose own coverage starts only once the family files for it (as a 被扶養者
    /// through the employer, 健康保険法施行規則 §38: within 5 days; or 国保 at the 市区町村,
    /// 国民健康保険法施行規則 §3: within 14 days), so the to-do says so: the birth date, to tell
    /// when those days have passed. `None` before the birth date too (a day shown before it).
    pub infant_not_recorded: Option<NaiveDate>,
    /// The member is under 75 today and a recorded 後期高齢者医療 record, not lost, has not
    /// started yet: the earliest such start (the 75th birthday, or a 障害認定's day; a card is
    /// mailed ahead of it). Until then the insurance the member holds now covers them
    /// (高齢者の医療の確保に関する法律 §52(1): 後期 from the day of reaching 75), recorded or
    /// not, so the guidance sends them to it before any 10割.
    pub late_elderly_from: Option<NaiveDate>,
    /// Two insurance records of different 資格 are both in force, no date typed telling which
    /// is current (`takeover::overlapping`; the notice `InsurancesOverlap`): the guidance says to
    /// show the current one's and asks for the date.
    pub insurances_overlap: bool,
    /// A 資格確認書 in force is issuer-signed and verifies (set with the provenance, by the
    /// store's view): the guidance then says what the desk says of its screen — the paper is the
    /// document, the screen's QR code can be read and taking it is the clinic's call.
    pub signed_certificate: bool,
    /// The member is 75 or over today: a 後期高齢者医療 被保険者 whatever is recorded (高齢者の医療の
    /// 確保に関する法律 §50, §52), who can join neither 国保 (国民健康保険法 §6(8)) nor an
    /// employer's insurance. When their coverage is lost (a 後期 record's 資格喪失日, as after a
    /// move to another prefecture, or a former record's), the next insurance is 後期 again.
    pub late_elderly: bool,
}

/// The お知らせ of [`MemberSituation::notices_named`].
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct NamedNotices {
    /// In force today, by name.
    pub in_force: Vec<String>,
    /// Ended (`calendar::record_ended`), by name.
    pub ended: Vec<String>,
    /// Not started yet, by name, with the first day.
    pub not_started: Vec<(String, NaiveDate)>,
}

/// A 資格確認書 (or an お知らせ) named for the desk, so that two of them can be told apart: a
/// 後期高齢者医療 one (保険者番号 39…) as 「後期高齢者医療の資格確認書（保険者名）」, any other as
/// 「保険者名の資格確認書」 (the 保険者番号 when no name was entered).
pub(crate) fn certificate_name(record: &EligibilityRecord) -> String {
    let name = if record.insurer_name.trim().is_empty() {
        record.insurer_number.as_str().to_string()
    } else {
        record.insurer_name.clone()
    };
    let kind = record.kind.label_ja();
    if record.insurer_number.is_late_elderly() {
        format!("後期高齢者医療の{kind}（{name}）")
    } else {
        format!("{name}の{kind}")
    }
}

/// [`certificate_name`] of `record` among the member's `records`, with its last day
/// (「練馬区（国民健康保険）の資格確認書（令和8年7月31日まで）」) when another recorded 資格確認書
/// has the same name — this year's and next year's of one insurer, or one reissued — so that the
/// guidance's 「…を窓口で見せてください」 and 「…はもう使えないので、見せないでください」 name two
/// different papers (as `notices_record::not_started_notice` names the one in force).
pub(crate) fn certificate_label(
    record: &EligibilityRecord,
    records: &[EligibilityRecord],
    birth: NaiveDate,
) -> String {
    let name = certificate_name(record);
    match told_apart_by(record, records, birth) {
        Some(TellApart::Issued(issued)) => format!("{name}（{}交付）", format_wareki(issued)),
        Some(TellApart::From(from)) => format!("{name}（{}から）", format_wareki(from)),
        Some(TellApart::LastDay(last)) => format!("{name}（{}まで）", format_wareki(last)),
        None => name,
    }
}

/// What tells `record` apart from another recorded 資格確認書 of the same name
/// ([`certificate_label`]).
enum TellApart {
    /// Its 交付年月日: the other ends the same day (a reissue, or the next one typed ahead).
    Issued(NaiveDate),
    /// Its 有効開始年月日: the other ends the same day and this one has no 交付年月日 typed (a
    /// reissue told by its start, `super::takeover`; review of 2026-12-01: both were named by the
    /// same 有効期限).
    From(NaiveDate),
    /// Its last day.
    LastDay(NaiveDate),
}

fn told_apart_by(
    record: &EligibilityRecord,
    records: &[EligibilityRecord],
    birth: NaiveDate,
) -> Option<TellApart> {
    let name = certificate_name(record);
    // The last day it can be used: its printed 有効期限 (or the day before the 75th birthday),
    // or the day before a 資格喪失日 typed on it, the earlier (review of 2026-12-01: a paper lost
    // in days was named 「（令和12年11月30日まで）」).
    let last_day = |r: &EligibilityRecord| {
        let printed =
            record_last_day(r.kind, &r.insurer_number, r.valid_until, birth).map(|e| e.last_day);
        let lost = r.lost_on.and_then(|l| l.pred_opt());
        match (printed, lost) {
            (Some(p), Some(l)) => Some(p.min(l)),
            (p, l) => p.or(l),
        }
    };
    let namesakes: Vec<&EligibilityRecord> = records
        .iter()
        .filter(|r| {
            !std::ptr::eq(*r, record)
                && r.kind == DocumentKind::Certificate
                && certificate_name(r) == name
        })
        .collect();
    if namesakes.is_empty() {
        return None;
    }
    let last = last_day(record);
    // One reissued with the same 有効期限 (`super::takeover`): told apart by its 交付年月日.
    let same_last = namesakes.iter().any(|r| last_day(r) == last);
    match (last, record.issued_on, record.valid_from) {
        (_, Some(issued), _) if same_last => Some(TellApart::Issued(issued)),
        (_, None, Some(from)) if same_last => Some(TellApart::From(from)),
        (last, ..) => last.map(TellApart::LastDay),
    }
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
    /// its copy verifies (see `member_guidance`). The member is taken alone;
    /// [`MemberSituation::in_household`] adds what the rest of the household decides.
    pub fn from_data(
        member: &MemberData,
        records: &[EligibilityRecord],
        card_check: Option<&CardCheck>,
        today: NaiveDate,
    ) -> Self {
        Self::in_household(
            member,
            records,
            &HouseholdContext::of_member(records),
            card_check,
            today,
        )
    }

    /// [`MemberSituation::from_data`] with what the rest of the household decides about the
    /// member's records (`household`, from `rules::household_contexts`): a 被扶養者's 被用者保険
    /// record is not in force from the day its 被保険者 turns 75 (`calendar::record_in_force`,
    /// docs/rules.md §1.4 "Dependents"), and when nothing else is, the member has to join new
    /// insurance ([`MemberSituation::dependent_status_lost_on`]).
    pub fn in_household(
        member: &MemberData,
        records: &[EligibilityRecord],
        household: &HouseholdContext,
        card_check: Option<&CardCheck>,
        today: NaiveDate,
    ) -> Self {
        let in_force =
            |r: &EligibilityRecord| record_in_force(r, member.birth_date, household, today);
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
        let checked_until = card_check.map(|c| certificate_expiry_date(c.certificate_not_after));
        let (certificate, certificate_expires_on) = if card_five_year_term {
            // The earlier end is the worse state (a 5-year card ends with its certificate).
            (
                worse(checked, card),
                match (checked_until, card_until) {
                    (Some(a), Some(b)) => Some(a.min(b)),
                    (a, b) => a.or(b),
                },
            )
        } else {
            (checked, checked_until)
        };
        let has_qualification_certificate = held(DocumentKind::Certificate);
        // A record ended by its 資格喪失日, or by the 被保険者's move to 後期 for a 被扶養者: its
        // insurer no longer covers the member, so its 有効期限 says nothing more (docs/rules.md
        // §3.3: a lost record gets no other notice).
        // A member of 75 or over is in 後期高齢者医療 whatever ended their 被扶養者 status before
        // (国民健康保険法 §6(8), 健康保険法 §3(7) ただし書): a record the 被保険者's 資格喪失日 ended
        // is counted as ended at 75, and no 被扶養者 status is lost (below).
        let late_elderly = late_elderly_on(member.birth_date, today);
        // A record a later one took over (another insurance acquired, `super::takeover`)
        // counts as lost with it.
        let lost = |r: &EligibilityRecord| r.is_lost(today) || household.taken_over_by(r, today);
        let lost_or_status_ended =
            |r: &EligibilityRecord| lost(r) || household.dependent_status_ended(r, today);
        let ended = |r: &EligibilityRecord| {
            if late_elderly {
                lost(r)
            } else {
                lost_or_status_ended(r)
            }
        };
        // Each recorded 資格確認書's last day: its printed 有効期限, or the day before the 75th
        // birthday when its insurer is not a 後期高齢者医療広域連合 (`record_last_day`, the rule
        // `record_in_force` uses); not for an ended one.
        let certificate_ends: Vec<_> = records
            .iter()
            .filter(|r| r.kind == DocumentKind::Certificate && !ended(r))
            .filter_map(|r| {
                record_last_day(r.kind, &r.insurer_number, r.valid_until, member.birth_date)
            })
            .collect();
        let insurance_records: Vec<&EligibilityRecord> =
            records.iter().filter(|r| r.kind.is_insurance()).collect();
        // A record typed in that starts later (the next employer's, from the 1st of next month)
        // does not cover the days between: until it starts, the coverage is lost as if it were
        // not there (its own notice says from when it applies).
        let coverage_lost = if !insurance_records.is_empty()
            && insurance_records
                .iter()
                .all(|r| lost(r) || record_not_started(r, today).is_some())
            && insurance_records.iter().any(|r| r.is_lost(today))
        {
            insurance_records
                .iter()
                .filter_map(|r| Some((r.lost_on?, *r)))
                .max_by_key(|(on, _)| *on)
        } else {
            None
        };
        let coverage_lost_on = coverage_lost.map(|(on, _)| on);
        let dependent_status_lost = if !late_elderly
            && !insurance_records.is_empty()
            && insurance_records.iter().all(|r| lost_or_status_ended(r))
        {
            insurance_records
                .iter()
                .filter(|r| household.dependent_status_ended(r, today))
                .filter_map(|r| Some((household.dependent_status_end(r)?, *r)))
                .max_by_key(|(end, _)| end.on)
        } else {
            None
        };
        let dependent_status_lost_on = dependent_status_lost.map(|(end, _)| end.on);
        let insured_next = dependent_status_lost
            .filter(|(end, _)| end.cause == DependentEndCause::InsuredLost)
            .and_then(|(_, r)| household.insured_next(r, today).cloned());
        let dependent_status_lost_implied =
            dependent_status_lost.is_some_and(|(end, _)| end.implied);
        let dependent_status_lost_by = dependent_status_lost.map(|(end, r)| {
            let scheme = r.insurer_number.scheme();
            match end.cause {
                DependentEndCause::InsuredAt75 => DependentStatusLoss::InsuredAt75(scheme),
                DependentEndCause::InsuredLost => DependentStatusLoss::InsuredLost(scheme),
            }
        });
        // The 資格確認書 of the 資格 that was lost (the one whose give-back the to-do names), not
        // one of an earlier insurance also typed in.
        let lost_certificate_recorded = coverage_lost
            .map(|(_, r)| r)
            .or(dependent_status_lost.map(|(_, r)| r))
            .is_some_and(|lost_record| {
                insurance_records.iter().any(|r| {
                    r.kind == DocumentKind::Certificate
                        && ended(r)
                        && super::takeover::same_coverage(lost_record, r)
                })
            });
        Self {
            has_card,
            registered,
            certificate,
            card,
            certificate_expires_on,
            card_valid_until: card_until,
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
            certificates_in_force: records
                .iter()
                .filter(|r| r.kind == DocumentKind::Certificate && in_force(r))
                .map(|r| certificate_label(r, records, member.birth_date))
                .collect(),
            certificates_ended: records
                .iter()
                .filter(|r| {
                    r.kind == DocumentKind::Certificate
                        && record_ended(r, member.birth_date, household, today).is_some()
                })
                .map(|r| certificate_label(r, records, member.birth_date))
                .collect(),
            certificates_not_started: records
                .iter()
                .filter(|r| {
                    r.kind == DocumentKind::Certificate
                        && record_ended(r, member.birth_date, household, today).is_none()
                })
                .filter_map(|r| {
                    let from = record_not_started(r, today)?;
                    Some((certificate_label(r, records, member.birth_date), from))
                })
                .collect(),
            has_notice: held(DocumentKind::Notice),
            notices_named: {
                let notices: Vec<&EligibilityRecord> = records
                    .iter()
                    .filter(|r| r.kind == DocumentKind::Notice)
                    .collect();
                let not_started: Vec<(String, NaiveDate)> = notices
                    .iter()
                    .filter(|r| record_ended(r, member.birth_date, household, today).is_none())
                    .filter_map(|r| Some((certificate_name(r), record_not_started(r, today)?)))
                    .collect();
                // One お知らせ in force needs no name (the common case: nothing more is built).
                let several = notices.len() > 1;
                let in_force: Vec<String> = notices
                    .iter()
                    .filter(|r| several && in_force(r))
                    .map(|r| certificate_name(r))
                    .collect();
                let ended: Vec<String> = notices
                    .iter()
                    .filter(|r| {
                        several && record_ended(r, member.birth_date, household, today).is_some()
                    })
                    .map(|r| certificate_name(r))
                    .collect();
                // Named only when names tell them apart.
                let distinct = in_force
                    .iter()
                    .all(|n| !ended.contains(n) && !not_started.iter().any(|(o, _)| o == n));
                if !held(DocumentKind::Notice) {
                    // None in force: those not started yet are named with their first day
                    // (the guidance says not to show them before it) — while an insurance is
                    // held until then; not after a 資格喪失日 (a gap: the guidance of a lost
                    // coverage says what to do).
                    let gap = records
                        .iter()
                        .any(|r| r.kind.is_insurance() && r.is_lost(today))
                        && !records.iter().any(|r| {
                            r.kind.is_insurance()
                                && record_in_force(r, member.birth_date, household, today)
                        });
                    NamedNotices {
                        not_started: if gap { Vec::new() } else { not_started },
                        ..NamedNotices::default()
                    }
                } else if in_force.is_empty()
                    || (ended.is_empty() && not_started.is_empty())
                    || !distinct
                {
                    NamedNotices::default()
                } else {
                    NamedNotices {
                        in_force,
                        ended,
                        not_started,
                    }
                }
            },
            has_phone_screen: held(DocumentKind::Portal),
            app_copy: None,
            public_expense: records
                .iter()
                .filter(|r| r.kind == DocumentKind::PublicExpense && in_force(r))
                .map(|r| r.insurer_name.clone())
                .collect(),
            coverage_lost_on,
            coverage_lost_scheme: coverage_lost.map(|(_, r)| r.insurer_number.scheme()),
            coverage_lost_as_dependent: coverage_lost
                .is_some_and(|(_, r)| r.relationship == Relationship::Dependent),
            dependent_status_lost_on,
            dependent_status_lost_by,
            insured_next,
            dependent_status_lost_implied,
            lost_certificate_recorded,
            share_not_recorded: super::notices_record::share_missing(
                member.birth_date,
                records,
                household,
                today,
            )
            .map(|m| match (m.late_elderly, m.pre_70) {
                (true, _) => ShareNotRecorded::LateElderly,
                (false, None) => ShareNotRecorded::ElderlyRecipient,
                (false, Some(_)) => ShareNotRecorded::ElderlyRecipientBefore70,
            }),
            old_insurance_card_until: None,
            no_insurance_document: !records.iter().any(|r| r.kind.is_insurance()),
            registration_unknown: member.holds_myna_hoken(records).is_none(),
            late_elderly_not_recorded: late_elderly
                && !records.iter().any(|r| r.insurer_number.is_late_elderly()),
            infant_not_recorded: (today >= member.birth_date
                && age_on(member.birth_date, today) < 1
                && !records.iter().any(|r| r.kind.is_insurance()))
            .then_some(member.birth_date),
            insurances_overlap: super::takeover::overlapping(records, |r| in_force(r)).is_some(),
            signed_certificate: false,
            late_elderly_from: records
                .iter()
                .filter(|r| {
                    !late_elderly
                        && r.kind.is_insurance()
                        && r.insurer_number.is_late_elderly()
                        && !r.is_lost(today)
                })
                .filter_map(|r| record_not_started(r, today))
                .min(),
            late_elderly,
            nothing_recorded: !records.iter().any(|r| r.kind.is_insurance())
                && member.holds_myna_hoken(records).is_none()
                && card_check.is_none()
                && card_until.is_none(),
        }
    }

    /// [`MemberSituation::late_elderly_from`], unless a recorded 資格確認書 of the insurance held
    /// now starts before it (a renewal typed in after a gap): then that one is what comes next,
    /// and the guidance of a 資格確認書 starting later applies, the 後期 one named beside it.
    pub(super) fn late_elderly_next(&self) -> Option<NaiveDate> {
        self.late_elderly_from.filter(|from| {
            self.certificates_not_started
                .iter()
                .all(|(_, starts)| starts >= from)
        })
    }

    /// The insurance the member belongs to now, or joins next, is 後期高齢者医療: 75 or over with
    /// no 後期 record recorded, or with every recorded insurance lost by its 資格喪失日 (a 後期
    /// record lost on a move to another prefecture: the new prefecture's 広域連合).
    pub fn next_is_late_elderly(&self) -> bool {
        self.late_elderly_not_recorded || self.join_after_loss() == Some(JoinAfterLoss::LateElderly)
    }

    /// What the member joins after every recorded insurance was lost by a 資格喪失日
    /// (`text_ja::JoinAfterLoss`); `None` while some is not lost.
    pub(super) fn join_after_loss(&self) -> Option<JoinAfterLoss> {
        Some(JoinAfterLoss::of(
            self.lost_scheme()?,
            self.coverage_lost_as_dependent,
            self.late_elderly,
        ))
    }

    /// A 被扶養者 whose 被保険者 lost that insurance
    /// ([`DependentStatusLoss::InsuredLost`]): the 被保険者 may have continued
    /// it by 任意継続 (their insurance has it: `JoinAfterLoss::Continuation`, `MutualAid`; not
    /// 日雇, 特例退職, 自衛官等), and the member may be their 被扶養者 on it. `None` for any other
    /// member. Offered whatever the date: the 被保険者 may have applied in time.
    pub(super) fn insured_may_continue(&self) -> Option<bool> {
        match self.dependent_status_lost_by? {
            DependentStatusLoss::InsuredLost(scheme) => {
                Some(JoinAfterLoss::insured_can_continue(scheme))
            }
            DependentStatusLoss::InsuredAt75(_) => None,
        }
    }

    /// [`MemberSituation::insured_may_continue`] while the member can still join through the
    /// 被保険者: `None` also when the 被保険者's next insurance typed in has no 被扶養者 through
    /// them (国保, 後期, or a 家族 record: `notices_household::InsuredNext`) — the member then
    /// joins 国保 or another family member's insurance, as after a 被保険者's 75th birthday.
    pub(super) fn via_insured(&self) -> Option<bool> {
        self.insured_may_continue()
            .filter(|_| self.insured_next.as_ref().is_none_or(|n| n.through_insured))
    }

    /// The 被保険者's next insurance typed in, by its insurer's name, when the member can join it
    /// as 被扶養者 ([`MemberSituation::via_insured`]).
    pub(super) fn insured_next_named(&self) -> Option<&str> {
        self.insured_next
            .as_ref()
            .filter(|n| n.through_insured)
            .map(|n| n.insurer.as_str())
    }

    /// What the insurance of the 被扶養者 status that ended called its 被保険者
    /// ([`Scheme::insured_person_ja`]: 組合員 for a 共済); 被保険者 when no status ended.
    pub(super) fn insured_person_ja(&self) -> &'static str {
        self.dependent_status_lost_by
            .map_or("被保険者", |l| l.scheme().insured_person_ja())
    }

    /// 任意継続 can still be applied for on `today` after the loss
    /// ([`MemberSituation::join_after_loss`], `JoinAfterLoss::continuation_open`).
    pub(super) fn continuation_open(&self, today: NaiveDate) -> bool {
        self.coverage_lost_on
            .zip(self.join_after_loss())
            .is_some_and(|(lost, join)| join.continuation_open(lost, today))
    }

    /// The scheme of the lost record while every recorded insurance is lost. `from_data` sets
    /// it with the date; a situation built without it is taken for the commonest loss, a
    /// 被用者保険's.
    pub(super) fn lost_scheme(&self) -> Option<Scheme> {
        self.coverage_lost_on?;
        Some(self.coverage_lost_scheme.unwrap_or(Scheme::KyokaiKenpo))
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
    use crate::screen::rules::test_fixtures::{household_member, reissued_at_70};

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

    /// A 資格確認書 that prints only its 資格取得年月日 (a 後期高齢者医療 one mailed before the 75th
    /// birthday, with no 有効開始年月日) is not held before that day either.
    #[test]
    fn not_held_before_its_acquired_on() {
        let adult = person(d(1985, 4, 12));
        let next = [EligibilityRecord {
            acquired_on: Some(d(2026, 12, 20)),
            ..record(DocumentKind::Certificate, Some(d(2031, 11, 30)))
        }];
        assert_eq!(next[0].valid_from, None);
        let s = MemberSituation::from_data(&adult, &next, None, d(2026, 12, 19));
        assert!(!s.has_qualification_certificate);
        let s = MemberSituation::from_data(&adult, &next, None, d(2026, 12, 20));
        assert!(s.has_qualification_certificate);
    }

    /// A 家族 who turns 75 after the 被保険者's 資格喪失日 is in 後期高齢者医療 from that birthday
    /// (国民健康保険法 §6(8); 健康保険法 §3(7) ただし書): from then on nothing sends them to 国保 or
    /// to another 被扶養者 status; their former 資格確認書 counts as ended at 75, so the guidance
    /// says 後期 (the 市区町村's counter), as for any member of 75.
    #[test]
    fn a_dependent_who_turns_75_after_the_insureds_loss_is_told_of_late_elderly() {
        use crate::eligibility::Relationship;
        use crate::screen::rules::{household_contexts, household_notices};
        let insured = person(d(1966, 3, 20));
        // 75 on 2026-09-10; the 被保険者 lost the 協会けんぽ on 2026-09-01.
        let mother = MemberData {
            relationship: Relationship::Dependent,
            ..person(d(1951, 9, 10))
        };
        let mine = [EligibilityRecord {
            lost_on: Some(d(2026, 9, 1)),
            ..record(DocumentKind::Certificate, Some(d(2030, 11, 30)))
        }];
        let held = [EligibilityRecord {
            relationship: Relationship::Dependent,
            ..record(DocumentKind::Certificate, Some(d(2030, 11, 30)))
        }];
        let family = [
            household_member(&insured, &mine),
            household_member(&mother, &held),
        ];
        let ctx = household_contexts(&family);
        // Between the loss and the birthday: the 被扶養者 path (国保 for those days).
        let s = MemberSituation::in_household(&mother, &held, &ctx[1], None, d(2026, 9, 5));
        assert_eq!(s.dependent_status_lost_on, Some(d(2026, 9, 1)));
        // From the birthday: 後期.
        let today = d(2026, 9, 15);
        let s = MemberSituation::in_household(&mother, &held, &ctx[1], None, today);
        assert_eq!(s.dependent_status_lost_on, None);
        assert!(s.qualification_certificate_ended_at_75, "{s:?}");
        let g = guidance(&s, &ClinicSituation::NO_READER, today);
        for text in g
            .options
            .iter()
            .map(|o| &o.explanation)
            .chain(g.to_do.iter().map(|t| &t.explanation))
        {
            assert!(!text.contains("国民健康保険"), "{text}");
        }
        assert!(
            g.options.iter().any(|o| o
                .explanation
                .contains("75歳からは後期高齢者医療制度の加入者です")),
            "{:?}",
            g.options
        );
        assert!(household_notices(&family, today)[1].is_empty());
        assert!(!household_notices(&family, d(2026, 9, 5))[1].is_empty());
    }

    /// A 家族 on the 被用者保険 of a 本人 whose record has a 資格喪失日 (退職) loses 被扶養者
    /// status the same day (健康保険法 §3(7); docs/rules.md §1.4 "Dependents", §3.3): the
    /// 資格確認書 is not held from that day, the guidance does not send it to the desk, and the
    /// to-do says why and to join the 被保険者's new insurance or 国保. Another insurer's record, a
    /// 国保 record and the dependent's own 資格喪失日 are not concerned.
    #[test]
    fn a_dependents_record_ends_with_the_insureds_loss_of_coverage() {
        use crate::eligibility::{InsurerNumber, Relationship};
        use crate::screen::rules::{NoticeCode, Severity, household_contexts, household_notices};
        let insured = person(d(1966, 3, 20));
        let spouse = MemberData {
            relationship: Relationship::Dependent,
            ..person(d(1970, 7, 7))
        };
        let mine = [EligibilityRecord {
            symbol: Some("12".into()),
            lost_on: Some(d(2026, 11, 1)),
            insurer_number: InsurerNumber::parse("06139992").unwrap(),
            ..record(DocumentKind::Certificate, Some(d(2030, 11, 30)))
        }];
        let certificate = EligibilityRecord {
            relationship: Relationship::Dependent,
            branch: Some("01".into()),
            lost_on: None,
            ..mine[0].clone()
        };
        let held = [certificate.clone()];
        let family = |records| {
            [
                household_member(&insured, &mine),
                household_member(&spouse, records),
            ]
        };
        let ctx = household_contexts(&family(&held));
        assert_eq!(
            ctx[1].dependent_status_ends_on(&certificate),
            Some(d(2026, 11, 1))
        );
        let before = MemberSituation::in_household(&spouse, &held, &ctx[1], None, d(2026, 10, 31));
        assert!(before.has_qualification_certificate);
        let today = d(2026, 11, 29);
        let after = MemberSituation::in_household(&spouse, &held, &ctx[1], None, today);
        assert!(!after.has_qualification_certificate);
        assert_eq!(after.dependent_status_lost_on, Some(d(2026, 11, 1)));
        // A 健保組合 (法別 06): the 被保険者 may have continued it (任意継続).
        assert_eq!(
            after.dependent_status_lost_by,
            Some(DependentStatusLoss::InsuredLost(
                crate::eligibility::Scheme::SocietyManaged
            ))
        );
        assert_eq!(after.insured_may_continue(), Some(true));
        let g = guidance(&after, &ClinicSituation::NO_READER, today);
        assert!(!presented(&g).contains(&QualificationCertificate), "{g:?}");
        assert_eq!(actions(&g), [GuidanceAction::JoinNewInsurance]);
        let to_do = &g.to_do[0].explanation;
        assert!(
            to_do.starts_with(
                "被保険者がこれまでの保険の資格を喪失したため、令和8年11月1日から被扶養者の資格はなくなり"
            ) && to_do.contains("任意継続")
                && !to_do.contains("75歳"),
            "{to_do}"
        );
        // The household notice: Info, Warning in the last month, Critical from the day, in the
        // codes of a 資格喪失日.
        let notices = |day| household_notices(&family(&held), day).swap_remove(1);
        let far = notices(d(2026, 9, 1));
        assert_eq!(
            far.iter().map(|n| (n.code, n.severity)).collect::<Vec<_>>(),
            [(NoticeCode::CoverageEnding, Severity::Info)]
        );
        let soon = notices(d(2026, 10, 15));
        assert_eq!(
            soon.iter()
                .map(|n| (n.code, n.severity))
                .collect::<Vec<_>>(),
            [(NoticeCode::CoverageEnding, Severity::Warning)]
        );
        let past = notices(today);
        assert_eq!(
            past.iter()
                .map(|n| (n.code, n.severity))
                .collect::<Vec<_>>(),
            [(NoticeCode::CoverageLost, Severity::Critical)]
        );
        assert!(
            past[0].message.starts_with("被保険者が")
                && past[0]
                    .message
                    .contains("の資格を喪失したため（資格喪失日 令和8年11月1日）")
                && past[0]
                    .message
                    .contains("資格確認書（これまでの資格）では受診できません")
                && past[0].message.contains("健康保険や任意継続）の被扶養者"),
            "{}",
            past[0].message
        );
        // A 特例退職被保険者's (法別 63) has no 任意継続: neither the notice nor the guidance
        // names it, and its 資格確認書 goes back to the insurer, not an 事業主.
        let retiree = {
            let body = "6313001";
            let n = format!(
                "{body}{}",
                crate::eligibility::insurer::check_digit(body).unwrap()
            );
            InsurerNumber::parse(&n).unwrap()
        };
        assert_eq!(retiree.scheme(), crate::eligibility::Scheme::SpecialRetiree);
        let mine_retired = [EligibilityRecord {
            insurer_number: retiree.clone(),
            ..mine[0].clone()
        }];
        let held_retired = [EligibilityRecord {
            insurer_number: retiree,
            ..certificate.clone()
        }];
        let household = [
            household_member(&insured, &mine_retired),
            household_member(&spouse, &held_retired),
        ];
        let notice = household_notices(&household, today).swap_remove(1);
        assert!(
            notice[0].message.contains("健康保険など）の被扶養者")
                && !notice[0].message.contains("任意継続"),
            "{}",
            notice[0].message
        );
        let retired_ctx = household_contexts(&household);
        let retired =
            MemberSituation::in_household(&spouse, &held_retired, &retired_ctx[1], None, today);
        assert_eq!(retired.insured_may_continue(), Some(false));
        let g = guidance(&retired, &ClinicSituation::NO_READER, today);
        for text in g
            .to_do
            .iter()
            .map(|s| &s.explanation)
            .chain(g.options.iter().map(|o| &o.explanation))
        {
            assert!(
                !text.contains("任意継続") && !text.contains("事業主"),
                "{text}"
            );
        }
        // Not concerned: another 被保険者 of the same insurer (another 番号, or no 記号 on one
        // side), a record that starts on or after the 資格喪失日 (other coverage), another
        // insurer's record, a 国保 record, the dependent's own 資格喪失日.
        let colleague = EligibilityRecord {
            number: "78".into(),
            ..certificate.clone()
        };
        let no_symbol = EligibilityRecord {
            symbol: None,
            ..certificate.clone()
        };
        let later = EligibilityRecord {
            valid_from: Some(d(2026, 11, 1)),
            ..certificate.clone()
        };
        for r in [colleague, no_symbol, later] {
            // (The 本人's 75th birthday, in 2041, still ends them: everyone moves to 後期.)
            assert_eq!(
                ctx[1].dependent_status_ends_on(&r),
                Some(d(2041, 3, 20)),
                "{r:?}"
            );
        }
        let elsewhere = EligibilityRecord {
            insurer_number: InsurerNumber::parse("01130012").unwrap(),
            ..certificate.clone()
        };
        let nhi = EligibilityRecord {
            insurer_number: InsurerNumber::parse("138057").unwrap(),
            symbol: None,
            ..certificate.clone()
        };
        let own = EligibilityRecord {
            lost_on: Some(d(2026, 12, 1)),
            ..certificate.clone()
        };
        for r in [elsewhere, nhi, own] {
            assert_eq!(ctx[1].dependent_status_ends_on(&r), None, "{r:?}");
        }
    }

    /// A 家族 on the 被用者保険 of a 本人 who turns 75 loses 被扶養者 status on the birthday
    /// (docs/rules.md §1.4 "Dependents"): the record is not in force from that day, and with
    /// nothing else in force the member has to join 国保 or another family member's insurance.
    /// A recorded 資格喪失日 governs instead; another insurer's record, a 国保 record and a
    /// dependent who reaches 75 first are not concerned.
    #[test]
    fn a_dependents_record_ends_with_the_insureds_75th_birthday() {
        use crate::eligibility::{InsurerNumber, Relationship};
        use crate::screen::rules::household_contexts;
        // The 本人 turns 75 on 2027-01-10.
        let insured = person(d(1952, 1, 10));
        let dependent = |birth| MemberData {
            relationship: Relationship::Dependent,
            ..person(birth)
        };
        let spouse = dependent(d(1956, 12, 2));
        let older = dependent(d(1951, 6, 1));
        let theirs = |r: EligibilityRecord| EligibilityRecord {
            relationship: Relationship::Dependent,
            branch: Some("01".into()),
            ..r
        };
        let mine = [EligibilityRecord {
            symbol: Some("7340155".into()),
            ..record(DocumentKind::Certificate, Some(d(2030, 11, 30)))
        }];
        let certificate = theirs(EligibilityRecord {
            symbol: Some("7340155".into()),
            ..record(DocumentKind::Certificate, Some(d(2030, 11, 30)))
        });
        let elsewhere = EligibilityRecord {
            insurer_number: InsurerNumber::parse("06139992").unwrap(),
            ..certificate.clone()
        };
        let contexts = |records: &[EligibilityRecord], who: &MemberData| {
            household_contexts(&[
                household_member(&insured, &mine),
                household_member(who, records),
            ])
        };
        let held = [certificate.clone()];
        let ctx = contexts(&held, &spouse);
        assert_eq!(ctx[0], HouseholdContext::default(), "the 本人 gets none");
        assert_eq!(
            ctx[1].dependent_status_ends_on(&certificate),
            Some(d(2027, 1, 10))
        );
        assert_eq!(ctx[1].dependent_status_ends_on(&elsewhere), None);
        let before = MemberSituation::in_household(&spouse, &held, &ctx[1], None, d(2027, 1, 9));
        assert!(before.has_qualification_certificate);
        assert_eq!(before.dependent_status_lost_on, None);
        let after = MemberSituation::in_household(&spouse, &held, &ctx[1], None, d(2027, 1, 10));
        assert!(!after.has_qualification_certificate && !after.qualification_certificate_expired);
        assert_eq!(after.dependent_status_lost_on, Some(d(2027, 1, 10)));
        assert_eq!(after.coverage_lost_on, None);
        // Alone, the member is not told (the household decides).
        let alone = MemberSituation::from_data(&spouse, &held, None, d(2027, 1, 10));
        assert!(alone.has_qualification_certificate);
        // Past the printed 有効期限 too: no request for a renewal from the former insurer.
        let late = MemberSituation::in_household(&spouse, &held, &ctx[1], None, d(2031, 1, 1));
        assert!(!late.qualification_certificate_expired);
        let g = guidance(&late, &ClinicSituation::NORMAL, d(2031, 1, 1));
        assert_eq!(actions(&g), [GuidanceAction::JoinNewInsurance]);

        // With a new 国保 record in force, that one is held and nothing is to join.
        let nhi = EligibilityRecord {
            insurer_number: InsurerNumber::parse("138057").unwrap(),
            symbol: None,
            ..certificate.clone()
        };
        let both = [certificate.clone(), nhi];
        let ctx = contexts(&both, &spouse);
        assert_eq!(ctx[1].dependent_status_ends_on(&both[1]), None, "国保");
        let s = MemberSituation::in_household(&spouse, &both, &ctx[1], None, d(2027, 1, 10));
        assert!(s.has_qualification_certificate);
        assert_eq!(s.dependent_status_lost_on, None);

        // A 資格喪失日 recorded: it is the day the record ends.
        let lost = [EligibilityRecord {
            lost_on: Some(d(2027, 1, 20)),
            ..certificate.clone()
        }];
        let ctx = contexts(&lost, &spouse);
        assert_eq!(ctx[1].dependent_status_ends_on(&lost[0]), None);
        let s = MemberSituation::in_household(&spouse, &lost, &ctx[1], None, d(2027, 1, 10));
        assert!(s.has_qualification_certificate);

        // A dependent who reaches 75 first moves to 後期 on their own.
        let ctx = contexts(&held, &older);
        assert_eq!(ctx[1], HouseholdContext::default());
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
        assert_eq!(
            presented(&g),
            [
                CardAtReader,
                PhoneScreenWithCard,
                DeclarationForm,
                FullPaymentThenClaim
            ]
        );
        assert!(g.options[0].explanation.contains("新しい保険"));
        // The マイナポータル screen after the loss: one 「受診できません」, and what to look for.
        let screen = &g.options[1].explanation;
        assert_eq!(screen.matches("受診できません").count(), 1, "{screen}");
        assert!(
            screen.contains("表示が資格を喪失した保険のままなら"),
            "{screen}"
        );
        assert!(
            g.options[2]
                .explanation
                .contains("資格を喪失した保険を書かないで")
        );
        assert_eq!(actions(&g), [GuidanceAction::JoinNewInsurance]);
        assert!(g.to_do[0].explanation.contains("すぐに事業主"));
        assert!(g.to_do[0].explanation.contains("令和8年11月1日"));
    }

    /// Two 資格確認書 of one name ending the same day are told apart by their 交付年月日, and
    /// when one has none typed, by their 有効開始年月日 (a reissue told by its start: review of
    /// 2026-12-01, both were named 「（令和12年11月30日まで）」); one of another 有効期限 by it.
    #[test]
    fn namesakes_are_labelled_apart() {
        let birth = d(1957, 1, 15);
        let both = reissued_at_70(record(DocumentKind::Certificate, Some(d(2030, 11, 30))));
        let [old, at_70] = both.clone();
        let name = "協会けんぽの資格確認書";
        assert_eq!(
            certificate_label(&both[0], &both, birth),
            format!("{name}（令和7年12月2日から）")
        );
        assert_eq!(
            certificate_label(&both[1], &both, birth),
            format!("{name}（令和9年2月1日から）")
        );
        let issued = [
            EligibilityRecord {
                issued_on: Some(d(2025, 11, 20)),
                ..old.clone()
            },
            at_70.clone(),
        ];
        assert_eq!(
            certificate_label(&issued[0], &issued, birth),
            format!("{name}（令和7年11月20日交付）")
        );
        let renewal = EligibilityRecord {
            valid_until: Some(d(2031, 11, 30)),
            ..at_70
        };
        let renewed = [old, renewal];
        assert_eq!(
            certificate_label(&renewed[1], &renewed, birth),
            format!("{name}（令和13年11月30日まで）")
        );
        assert_eq!(certificate_label(&renewed[0], &renewed[..1], birth), name);
    }
}
