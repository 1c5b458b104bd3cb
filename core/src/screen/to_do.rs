//! What the member has to do outside the clinic, in order: join the new insurance, a new card,
//! the certificate's renewal, the 保険証利用 again, a 資格確認書. Part of the guidance.

use std::borrow::Cow;

use chrono::NaiveDate;
use serde::Serialize;

use super::calendar::{ExpiryState, insurance_grace_last_day};
use super::situation::MemberSituation;
use super::text_ja::{self, JoinAfterLoss};
use super::wareki::format_wareki;

/// Something the member has to do outside the clinic.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum GuidanceAction {
    /// Coverage ended by a 資格喪失日, or a 被扶養者's status ended by the 被保険者's move to
    /// 後期高齢者医療: join the new insurance (国保, a new employer's, or another family member's
    /// as their 被扶養者); return the 資格確認書 (notice A).
    JoinNewInsurance,
    /// Apply for a new My Number Card (its own 有効期限, or a 5-year card whose certificate
    /// ends with it).
    NewCard,
    /// Renew the 利用者証明用電子証明書 at the 市区町村.
    RenewCertificate,
    /// Apply again for the 保険証利用 (cancelled 3 months after the certificate expired; seed
    /// 001 ※).
    RegisterAgain,
    /// Ask the insurer for a 資格確認書 (issued to people whose card cannot be used).
    RequestQualificationCertificate,
    /// The 資格確認書 expired: ask the insurer for the new one.
    AskForNewQualificationCertificate,
    /// Two insurance records of different 資格 are both in force, no date telling which is
    /// current (`MemberSituation::insurances_overlap`): type the date that tells.
    EnterMissingDate,
}

/// One thing to do, with its Japanese text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct GuidanceStep {
    /// What to do.
    pub action: GuidanceAction,
    /// How, in Japanese.
    pub explanation: String,
}

/// The to-do of a member under one year old with no insurance document recorded
/// ([`MemberSituation::infant_not_recorded`]).
pub(super) const NEWBORN: &str = "生まれたお子さんの健康保険の手続きがまだなら、ご家族の勤め先の健康保険の\
     被扶養者にする届出（5日以内）か、お住まいの市区町村で国民健康保険に加入する届出（14日以内）を\
     してください。手続きのあと、お子さんの資格確認書か資格情報のお知らせが届きます。届いたら、\
     このアプリに入力してください。";

/// [`NEWBORN`] from the 6th to the 14th day after the birth (初日不算入, 民法 §140): the 5 days of
/// the 被扶養者 filing have passed, the 14 of 国保 still run.
pub(super) const NEWBORN_PAST_5: &str = "生まれたお子さんの健康保険の手続きがまだなら、すぐに、ご家族の\
     勤め先の健康保険の被扶養者にする届出（期限の5日以内は過ぎていますが、届出は必要です）か、\
     お住まいの市区町村で国民健康保険に加入する届出（14日以内）をしてください。手続きのあと、\
     お子さんの資格確認書か資格情報のお知らせが届きます。届いたら、このアプリに入力してください。";

/// [`NEWBORN`] after the 14th day after the birth: both periods have passed, and a deadline
/// already past is no instruction — file now.
pub(super) const NEWBORN_LATE: &str = "生まれたお子さんの健康保険の手続きがまだなら、すぐに、ご家族の\
     勤め先の健康保険の被扶養者にする届出か、お住まいの市区町村で国民健康保険に加入する届出を\
     してください（届出の期限は生まれた日から5日以内・14日以内ですが、過ぎていても届出は必要です）。\
     手続きのあと、お子さんの資格確認書か資格情報のお知らせが届きます。届いたら、このアプリに入力\
     してください。";

/// The periods of the newborn's filing, in days after the birth: as a 被扶養者 (健康保険法施行規則
/// §38) and in 国保 (国民健康保険法施行規則 §3).
const NEWBORN_FILING_DAYS: [u64; 2] = [5, 14];

/// The to-do of a member with two insurances in force ([`MemberSituation::insurances_overlap`]).
const OVERLAP: &str = "違う保険の資格情報が二つとも使えるものとして入力されています（画面の注意を\
     見てください）。医療保険には一度に一つしか加入できません。今の保険の書類に資格取得年月日を、\
     前の保険の書類に資格喪失日を入力すると、使えるものだけが出ます。日付の印字がない古い書類は、\
     その入力を削除してもかまいません（資格確認書そのものは返却が必要です）。";

fn step(action: GuidanceAction, explanation: impl Into<String>) -> GuidanceStep {
    GuidanceStep {
        action,
        explanation: explanation.into(),
    }
}

/// The lead of a to-do step for `what` (the card or its certificate) past its 有効期限 `expiry`
/// and in the grace period: the date has passed, and the card works as a マイナ保険証 until the
/// end of the 3rd month after it (`calendar::insurance_grace_last_day`, docs/dates.md §2).
fn in_grace_text(what: &str, expiry: Option<NaiveDate>) -> String {
    match expiry.and_then(|e| Some((e, insurance_grace_last_day(e)?))) {
        Some((e, grace)) => format!(
            "{what}の有効期限（{}）が過ぎています。{}まではマイナ保険証として使えます。",
            format_wareki(e),
            format_wareki(grace)
        ),
        None => format!(
            "{what}の有効期限が過ぎています（期限の3か月後の月末までは\
             マイナ保険証として使えます）。"
        ),
    }
}

/// What the マイナ保険証 does once the member has joined new insurance: it keeps working once the
/// new insurer has registered the member (notice A: 「就職や転職後の保険証の切り替え・更新が不要。
/// ※新しい保険者によるマイナンバーの資格登録が必要です」) — said only while the card works as a
/// マイナ保険証; otherwise the card's own steps follow.
fn myna_after_joining(member: &MemberSituation) -> &'static str {
    if member.myna_usable() {
        text_ja::MYNA_AFTER_JOINING
    } else {
        ""
    }
}

/// The text of [`GuidanceAction::RequestQualificationCertificate`]: the 資格確認書 comes from the
/// insurer the member belongs to — issued to people whose card cannot be used (notice A's 交付対象者:
/// 「マイナンバーカードの電子証明書の有効期限が切れている方」). A member whose recorded coverage has
/// ended (a 資格喪失日, or a 被扶養者 whose 被保険者 turned 75) belongs to no recorded insurer: the
/// 資格確認書 comes from the insurance they join — 国保 at the 市区町村 (国民健康保険法 §7) or the new
/// employer's insurer, or for that 被扶養者 the family member's insurance (docs/rules.md §1.4, §3.3)
/// — never from the insurer of the ended record.
///
/// Under 任意継続 (健康保険法 §3(4), §37) the same insurer issues new documents for the new 資格,
/// so the texts after a 資格喪失日 speak of the lost 資格's documents, not of its insurer; a member
/// of 75 or over asks the 市区町村's 後期高齢者医療 counter (高齢者の医療の確保に関する法律 §50).
fn request_certificate_text(member: &MemberSituation, today: NaiveDate) -> String {
    const LOST: &str = "資格を喪失した保険の資格確認書は使えません。";
    let (lost, whom): (&str, Cow<'static, str>) = if let Some(continuation) = member.via_insured() {
        (
            LOST,
            format!(
                "{}の被扶養者になるときか、国民健康保険に加入するときに、その保険者に",
                text_ja::insured_new_insurance(
                    member.insured_person_ja(),
                    continuation,
                    member.insured_next_named()
                )
            )
            .into(),
        )
    } else if member.dependent_status_lost_on.is_some() {
        (
            "被扶養者だったこれまでの資格の資格確認書は使えません。",
            "お住まいの市区町村の国民健康保険か、被扶養者になるご家族の健康保険に加入するときに、\
             その保険者に"
                .into(),
        )
    } else {
        match member.join_after_loss() {
            Some(JoinAfterLoss::LateElderly) => (
                LOST,
                "お住まいの市区町村の後期高齢者医療の窓口に、後期高齢者医療の".into(),
            ),
            // 任意継続 only while it can still be applied for.
            Some(join) => (
                LOST,
                format!(
                    "新しく加入する保険（お住まいの市区町村の国民健康保険、勤務先やご家族の\
                     健康保険{}）の手続きのときに、その保険者に",
                    if member.continuation_open(today) {
                        "、または任意継続"
                    } else if join == JoinAfterLoss::Disability {
                        "、または後期高齢者医療（障害認定）"
                    } else {
                        ""
                    }
                )
                .into(),
            ),
            None => ("", "加入している保険者に".into()),
        }
    };
    format!(
        "それまでの受診には資格確認書が要ります。{lost}{whom}資格確認書を申請してください\
         （マイナ保険証を使えない方に交付されます{}）。",
        if lost.is_empty() {
            "。申請しなくても届くことがあります"
        } else {
            ""
        }
    )
}

/// The subject of the give-back sentence: the 資格確認書 the member typed in, or one they may
/// hold without having typed it (a 資格確認書 is mailed to anyone without a マイナ保険証).
fn certificate_to_return(member: &MemberSituation) -> &'static str {
    if member.lost_certificate_recorded {
        "入力されている資格確認書は、"
    } else {
        "資格確認書をお持ちなら、"
    }
}

/// What to do outside the clinic, in order.
pub(super) fn to_do(member: &MemberSituation, today: NaiveDate) -> Vec<GuidanceStep> {
    let mut out = Vec::new();
    // A newborn: coverage of their own comes with the family's filing (健康保険法施行規則 §38,
    // 国民健康保険法施行規則 §3), and their own document after it.
    if let Some(birth) = member.infant_not_recorded {
        let past = |days: u64| {
            birth
                .checked_add_days(chrono::Days::new(days))
                .is_none_or(|last| today > last)
        };
        let [dependent, nhi] = NEWBORN_FILING_DAYS;
        let text = if past(nhi) {
            NEWBORN_LATE
        } else if past(dependent) {
            NEWBORN_PAST_5
        } else {
            NEWBORN
        };
        out.push(step(GuidanceAction::JoinNewInsurance, text));
    }
    if member.insurances_overlap {
        // One insurance at a time (国民健康保険法 §6, 健康保険法 §3(7)): the screen's
        // `InsurancesOverlap` names the two.
        out.push(step(GuidanceAction::EnterMissingDate, OVERLAP));
    }
    if let (Some(day), Some(by)) = (
        member.dependent_status_lost_on,
        member.dependent_status_lost_by,
    ) {
        // docs/rules.md §1.4 "Dependents": the 被扶養者 joins 国保 or becomes another family
        // member's 被扶養者 (after a 資格喪失日, the 被保険者's new insurance's); notice A:
        // 「被扶養者でなくなったときは、5日以内に資格確認書を事業主に提出」.
        let insured = member.insured_person_ja();
        let (why, next): (String, Cow<'static, str>) = match member.insured_may_continue() {
            Some(continuation) => (
                format!("{insured}がこれまでの保険の資格を喪失したため"),
                text_ja::dependent_join_after_insured_loss(
                    insured,
                    continuation,
                    member.insured_next.as_ref(),
                    false,
                )
                .into(),
            ),
            None => (
                format!("{insured}が75歳になり後期高齢者医療制度に移ったため"),
                text_ja::NHI_OR_FAMILY.into(),
            ),
        };
        // An implied day (the 被保険者's new 資格's start, no 資格喪失日 typed) is only the
        // latest the status can have ended, as the notice says it (review of 2026-12-01).
        let from = if member.dependent_status_lost_implied {
            format!("遅くとも{}には", format_wareki(day))
        } else {
            format!("{}から", format_wareki(day))
        };
        out.push(step(
            GuidanceAction::JoinNewInsurance,
            format!(
                "{why}、{from}被扶養者の資格はなくなり、これまでの資格では受診できません。{next}\
                 {}{}{}",
                myna_after_joining(member),
                certificate_to_return(member),
                // Through the 被保険者 (notice A: 被扶養者でなくなったときは…事業主に提出), as the
                // 被保険者's own goes back (a 共済's: the 所属所).
                // No deadline from an implied day (the notice's 「すぐに」: review of 2026-11-30).
                JoinAfterLoss::give_back_ja(
                    by.scheme(),
                    (!member.dependent_status_lost_implied).then_some(day),
                    today,
                    text_ja::Holder::DependentOfFormerInsured,
                )
            ),
        ));
    }
    if let (Some(lost), Some(join), Some(scheme)) = (
        member.coverage_lost_on,
        member.join_after_loss(),
        member.lost_scheme(),
    ) {
        // What to join and where the 資格確認書 goes back, by the lost record's scheme and the
        // member's age: the screen's `CoverageLost` notice says the same (`JoinAfterLoss`).
        out.push(step(
            GuidanceAction::JoinNewInsurance,
            format!(
                "資格喪失日（{}）から、この資格では受診できません。{}{}{}{}",
                format_wareki(lost),
                join.join_ja(lost, today),
                myna_after_joining(member),
                certificate_to_return(member),
                JoinAfterLoss::give_back_ja(
                    scheme,
                    Some(lost),
                    today,
                    if member.coverage_lost_as_dependent {
                        text_ja::Holder::Dependent
                    } else {
                        text_ja::Holder::Insured
                    },
                )
            ),
        ));
    }
    if member.has_card && member.registered {
        let ended = member.certificate == Some(ExpiryState::Ended)
            || member.card == Some(ExpiryState::Ended);
        let due = |s: Option<ExpiryState>| {
            matches!(s, Some(ExpiryState::ExpiringSoon | ExpiryState::InGrace))
        };
        if member.needs_new_card() && (ended || due(member.card) || due(member.certificate)) {
            let in_grace = member.card == Some(ExpiryState::InGrace)
                || (member.card_five_year_term && member.certificate == Some(ExpiryState::InGrace));
            let mut text = if ended {
                String::from(
                    "マイナンバーカードの有効期限が過ぎ、マイナ保険証として使えなくなりました。",
                )
            } else if in_grace {
                // Past its 有効期限, usable until the end of the 3rd month after it (docs/dates.md
                // §2), as the screen's `CardInGrace` notice says.
                in_grace_text(
                    "マイナンバーカード",
                    member.card_valid_until.or(member.certificate_expires_on),
                )
            } else {
                String::from(
                    "マイナンバーカードの有効期限が近づいています（過ぎても3か月後の月末までは\
                     マイナ保険証として使えます）。",
                )
            };
            if member.card_five_year_term {
                text.push_str(
                    "18歳未満で発行されたカードは、カードも電子証明書も発行から5回目の誕生日で\
                     切れます。電子証明書の更新ではなく、新しいカードの申請が必要です。",
                );
            }
            text.push_str(
                "お住まいの市区町村で新しいカードを申請してください。\
                 交付まで1か月ほどかかります。",
            );
            out.push(step(GuidanceAction::NewCard, text));
        } else if ended {
            out.push(step(
                GuidanceAction::RenewCertificate,
                "利用者証明用電子証明書の有効期限から3か月が過ぎ、保険証利用の登録は解除されました。\
                 お住まいの市区町村の窓口で電子証明書を更新してください。",
            ));
        } else if member.certificate == Some(ExpiryState::InGrace) {
            // As the screen's `CertificateInGrace` notice (docs/dates.md §2).
            let mut text = in_grace_text("利用者証明用電子証明書", member.certificate_expires_on);
            text.push_str("お住まいの市区町村の窓口で更新してください。");
            out.push(step(GuidanceAction::RenewCertificate, text));
        } else if due(member.certificate) {
            out.push(step(
                GuidanceAction::RenewCertificate,
                "利用者証明用電子証明書の有効期限が近づいています（過ぎても3か月後の月末までは\
                 使えます）。お住まいの市区町村の窓口で更新してください。",
            ));
        }
        if ended {
            out.push(step(
                GuidanceAction::RegisterAgain,
                "新しいカード（または更新した電子証明書）で、保険証利用の申込みをもう一度して\
                 ください（医療機関のカードリーダー、マイナポータル、セブン銀行ATMでできます）。",
            ));
            if !member.has_qualification_certificate {
                out.push(step(
                    GuidanceAction::RequestQualificationCertificate,
                    request_certificate_text(member, today),
                ));
            }
        }
    }
    if member.qualification_certificate_expired
        && !member.has_qualification_certificate
        && !member.myna_usable()
    {
        // The new one is already typed in but starts after a gap: nothing to ask about its
        // coming; the days before it are what to ask about.
        let next = member
            .certificates_not_started
            .iter()
            .min_by_key(|(_, from)| *from);
        out.push(step(
            GuidanceAction::AskForNewQualificationCertificate,
            if let Some(from) = member.late_elderly_next() {
                // Under 75 with the 後期 one typed in ahead: the days before it are the current
                // insurance's (高齢者の医療の確保に関する法律 §52(1)), whose 資格確認書 typed in
                // has expired; its new one is asked of that insurer, not of the 市区町村.
                format!(
                    "入力済みの今の保険の資格確認書は有効期限が過ぎています。後期高齢者医療が始まる\
                     {}より前の分の新しい資格確認書が届いていないか、今の保険の保険者に確認して\
                     ください（有効期限が正しく入力されているかも確かめてください）。",
                    format_wareki(from)
                )
            } else if let Some((label, from)) = next {
                let ask = if member.qualification_certificate_ended_at_75 {
                    "お住まいの市区町村の後期高齢者医療の窓口"
                } else {
                    "保険者"
                };
                format!(
                    "入力済みの{label}は{}から使えます。それより前の期間の資格について、{ask}に\
                     確認してください（有効期限と有効開始年月日が正しく入力されているかも\
                     確かめてください）。",
                    format_wareki(*from)
                )
            } else if member.qualification_certificate_ended_at_75 {
                // The former insurer's 資格確認書 ended the day before the 75th birthday; the
                // new one comes from the 後期高齢者医療広域連合, whose counter is at the 市区町村
                // (高齢者の医療の確保に関する法律 §48, §50, §52(1)).
                "75歳の誕生日から後期高齢者医療制度に移ったため、これまでの資格確認書は使えません。\
                 後期高齢者医療の資格確認書が届いていないか、お住まいの市区町村の\
                 後期高齢者医療の窓口に確認してください。"
                    .to_string()
            } else {
                "資格確認書の有効期限が過ぎています。新しい資格確認書が届いていないか、\
                 保険者に確認してください。"
                    .to_string()
            },
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::eligibility::{MemberData, Scheme};
    use crate::screen::DependentStatusLoss;
    use crate::screen::guidance::Presentation::*;
    use crate::screen::guidance::test_fixtures::*;
    use crate::screen::guidance::{ClinicSituation, guidance};

    /// Adult card, certificate expired more than 3 months ago: insurance use cancelled →
    /// renew the certificate, register again, and a 資格確認書 meanwhile (notice A ※).
    #[test]
    fn certificate_ended_tells_what_to_do() {
        let ended = MemberSituation {
            certificate: Some(ExpiryState::Ended),
            has_notice: true,
            ..myna()
        };
        let g = guidance(&ended, &ClinicSituation::NORMAL, TODAY);
        assert_eq!(presented(&g), [FullPaymentThenClaim]);
        assert_eq!(
            actions(&g),
            [
                GuidanceAction::RenewCertificate,
                GuidanceAction::RegisterAgain,
                GuidanceAction::RequestQualificationCertificate
            ]
        );
        assert!(
            g.to_do[0]
                .explanation
                .contains("市区町村の窓口で電子証明書を更新")
        );
        // With a 資格確認書 already: no request for one.
        let g = guidance(
            &MemberSituation {
                has_qualification_certificate: true,
                ..ended.clone()
            },
            &ClinicSituation::NORMAL,
            TODAY,
        );
        assert_eq!(presented(&g), [QualificationCertificate]);
        assert_eq!(
            actions(&g),
            [
                GuidanceAction::RenewCertificate,
                GuidanceAction::RegisterAgain
            ]
        );
        // In grace: still the card, and renew.
        let grace = MemberSituation {
            certificate: Some(ExpiryState::InGrace),
            ..myna()
        };
        let g = guidance(&grace, &ClinicSituation::NORMAL, TODAY);
        assert_eq!(actions(&g), [GuidanceAction::RenewCertificate]);
        assert!(g.to_do[0].explanation.contains("3か月後の月末"));
    }

    /// A card issued under 18 ends with its certificate on the 5th birthday after issue: the
    /// advice is a new card (about a month), not a certificate renewal.
    #[test]
    fn card_issued_under_18_needs_a_new_card() {
        // Born 2016-06-01, card issued 2021 → card and certificate end 2026-06-01.
        let child = MemberData {
            card_expires_on: Some(d(2026, 6, 1)),
            myna_hoken: Some(true),
            ..person(d(2016, 6, 1))
        };
        let s = MemberSituation::from_data(&child, &[], None, TODAY);
        assert!(s.card_five_year_term);
        assert_eq!(s.card, Some(ExpiryState::Ended));
        assert_eq!(
            s.certificate,
            Some(ExpiryState::Ended),
            "ends with the card"
        );
        let g = guidance(&s, &ClinicSituation::NORMAL, TODAY);
        assert_eq!(
            actions(&g),
            [
                GuidanceAction::NewCard,
                GuidanceAction::RegisterAgain,
                GuidanceAction::RequestQualificationCertificate
            ]
        );
        assert!(g.to_do[0].explanation.contains("新しいカードの申請が必要"));
        assert!(g.to_do[0].explanation.contains("1か月"));
        assert!(
            g.to_do
                .iter()
                .all(|s| s.action != GuidanceAction::RenewCertificate)
        );
        // The same card in its grace period: still usable, a new card due.
        let s = MemberSituation::from_data(&child, &[], None, d(2026, 8, 31));
        assert_eq!(s.card, Some(ExpiryState::InGrace));
        let g = guidance(&s, &ClinicSituation::NORMAL, d(2026, 8, 31));
        assert_eq!(
            presented(&g),
            [CardAtReader, PhoneScreenWithCard, DeclarationForm]
        );
        assert_eq!(actions(&g), [GuidanceAction::NewCard]);
        // An adult card (10th birthday, at 45): its certificate is not derived from it.
        let adult = MemberData {
            card_expires_on: Some(d(2030, 4, 12)),
            myna_hoken: Some(true),
            ..person(d(1985, 4, 12))
        };
        let s = MemberSituation::from_data(&adult, &[], None, TODAY);
        assert!(!s.card_five_year_term);
        assert_eq!((s.card, s.certificate), (Some(ExpiryState::Valid), None));
        // Born 2005-06-01, issued at 17 in 2023: 5th birthday, aged 22 → 5-year term.
        let teen = MemberData {
            card_expires_on: Some(d(2027, 6, 1)),
            ..person(d(2005, 6, 1))
        };
        assert!(MemberSituation::from_data(&teen, &[], None, TODAY).card_five_year_term);
    }

    #[test]
    fn expired_qualification_certificate() {
        let s = MemberSituation {
            qualification_certificate_expired: true,
            ..nothing()
        };
        let g = guidance(&s, &ClinicSituation::NORMAL, TODAY);
        assert_eq!(presented(&g), [FullPaymentThenClaim]);
        assert_eq!(
            actions(&g),
            [GuidanceAction::AskForNewQualificationCertificate]
        );
        assert!(g.also_present.is_empty());
        assert!(g.to_do[0].explanation.contains("保険者に確認"));
        // The option asks for the renewed one first (delivered but not typed in), not
        // 「保険証として使えるものがありません」.
        let text = &g.options[0].explanation;
        assert!(
            text.starts_with(
                "記録の資格確認書は有効期限が過ぎています。新しい資格確認書が届いていれば"
            ) && text.contains("見当たらないときは、いったん全額（10割）")
                && !text.contains("使えるものがありません"),
            "{text}"
        );
    }

    /// The old 資格確認書 has expired and the new one, already typed in, starts after a gap:
    /// the 10割 option does not ask whether the new one has come (it is recorded) and says it
    /// is not usable yet, then from when (not 「届いていれば、それを窓口で見せてください」 beside
    /// 「それより前は見せないでください」).
    #[test]
    fn expired_qualification_certificate_with_the_new_one_starting_later() {
        let s = MemberSituation {
            qualification_certificate_expired: true,
            certificates_ended: vec!["協会けんぽの資格確認書（令和8年11月20日まで）".into()],
            certificates_not_started: vec![(
                "協会けんぽの資格確認書（令和9年11月30日まで）".into(),
                d(2026, 12, 1),
            )],
            ..nothing()
        };
        let g = guidance(&s, &ClinicSituation::NORMAL, TODAY);
        assert_eq!(presented(&g), [FullPaymentThenClaim]);
        let text = &g.options[0].explanation;
        assert!(
            text.starts_with(
                "記録の資格確認書は有効期限が過ぎていて、入力済みの新しい資格確認書はまだ使えません。"
            ) && text.contains("いったん全額（10割）")
                && text.contains("令和8年12月1日から使えます。それより前は見せないでください。")
                && !text.contains("届いていれば")
                && !text.contains("新しい資格確認書を入力すると"),
            "{text}"
        );
        // The to-do asks about the days before it, not whether it has come.
        assert_eq!(
            actions(&g),
            [GuidanceAction::AskForNewQualificationCertificate]
        );
        let to_do = &g.to_do[0].explanation;
        assert_eq!(
            to_do,
            "入力済みの協会けんぽの資格確認書（令和9年11月30日まで）は令和8年12月1日から使えます。\
             それより前の期間の資格について、保険者に確認してください（有効期限と有効開始年月日が\
             正しく入力されているかも確かめてください）。"
        );
    }

    /// A 協会けんぽ 資格確認書 ends the day before the 75th birthday, though its printed 有効期限
    /// is years away: the member is told to look for the 後期高齢者医療 資格確認書 at the
    /// 市区町村, not to ask the former insurer for a renewal.
    #[test]
    fn qualification_certificate_ended_at_75() {
        use crate::eligibility::DocumentKind;
        // 75 on 2026-11-24; the 資格確認書 is printed valid until 2030.
        let elder = person(d(1951, 11, 24));
        let kyokai = [record(DocumentKind::Certificate, Some(d(2030, 11, 30)))];
        let before = MemberSituation::from_data(&elder, &kyokai, None, d(2026, 11, 23));
        let g = guidance(&before, &ClinicSituation::NORMAL, d(2026, 11, 23));
        assert!(g.to_do.is_empty());
        let s = MemberSituation::from_data(&elder, &kyokai, None, d(2026, 11, 24));
        let g = guidance(&s, &ClinicSituation::NORMAL, d(2026, 11, 24));
        assert_eq!(presented(&g), [FullPaymentThenClaim]);
        assert_eq!(
            actions(&g),
            [GuidanceAction::AskForNewQualificationCertificate]
        );
        let text = &g.to_do[0].explanation;
        assert!(text.contains("後期高齢者医療の資格確認書") && text.contains("市区町村"));
        assert!(!text.contains("有効期限が過ぎています"));
        // The 10割 option names the same counter, not the former insurer.
        let pay = &g.options[0].explanation;
        assert!(pay.contains("市区町村の後期高齢者医療の窓口") && !pay.contains("保険者に"));
        let g = guidance(&before, &ClinicSituation::NORMAL, d(2026, 11, 23));
        assert!(
            g.options
                .iter()
                .all(|o| !o.explanation.contains("後期高齢者医療"))
        );
    }

    /// After its 資格喪失日 the lost insurer pays nothing (docs/rules.md §3.3): the 10割 option
    /// sends the 療養費 claim to the insurance joined next, not to 「保険者」 of the ended record,
    /// and the record's 有効期限 passing later adds no request for a renewed 資格確認書.
    #[test]
    fn lost_coverage_sends_the_claim_to_the_new_insurance() {
        use crate::eligibility::{DocumentKind, EligibilityRecord, InsurerNumber};
        let adult = person(d(1980, 5, 5));
        let lost = [EligibilityRecord {
            insurer_number: InsurerNumber::parse("06139992").unwrap(),
            lost_on: Some(d(2026, 12, 16)),
            ..record(DocumentKind::Certificate, Some(d(2026, 12, 31)))
        }];
        for today in [d(2026, 12, 16), d(2027, 1, 1)] {
            let s = MemberSituation::from_data(&adult, &lost, None, today);
            let g = guidance(&s, &ClinicSituation::READER_DOWN, today);
            assert_eq!(presented(&g), [FullPaymentThenClaim], "{today}");
            let pay = &g.options[0].explanation;
            assert!(!pay.contains("後で保険者に療養費"), "{today}: {pay}");
            assert!(
                pay.contains("国民健康保険") && pay.contains("市区町村"),
                "{pay}"
            );
            assert_eq!(actions(&g), [GuidanceAction::JoinNewInsurance], "{today}");
            assert!(
                g.to_do
                    .iter()
                    .all(|s| !s.explanation.contains("有効期限が過ぎています")),
                "{today}"
            );
            // The 資格確認書 is typed in: it is to be returned, not 「お持ちなら」.
            let join = &g.to_do[0].explanation;
            assert!(
                join.contains("入力されている資格確認書は、")
                    && join.contains("事業主（任意継続被保険者だった方は保険者）へ返して")
                    && !join.contains("お持ちなら"),
                "{today}: {join}"
            );
        }
        // Only the お知らせ typed in: a 資格確認書 may still be at hand (mailed before the card
        // was registered), so it is 「お持ちなら」.
        let notice_only = [EligibilityRecord {
            kind: DocumentKind::Notice,
            ..lost[0].clone()
        }];
        let s = MemberSituation::from_data(&adult, &notice_only, None, d(2026, 12, 16));
        assert!(!s.lost_certificate_recorded);
        // Nor does the 資格確認書 of an earlier insurance (国保, lost when this one began) count:
        // it is not the lost one, and it goes back elsewhere.
        let with_old = [
            EligibilityRecord {
                insurer_number: InsurerNumber::parse("138057").unwrap(),
                symbol: Some("練馬".into()),
                number: "123456".into(),
                lost_on: Some(d(2025, 4, 1)),
                ..record(DocumentKind::Certificate, Some(d(2025, 7, 31)))
            },
            notice_only[0].clone(),
        ];
        let s = MemberSituation::from_data(&adult, &with_old, None, d(2026, 12, 16));
        assert!(s.coverage_lost_on.is_some() && !s.lost_certificate_recorded);
        // The 資格喪失日 typed on the お知らせ only, the 資格確認書 of the same 資格 printing
        // none (past its 有効期限, or still within it): the 資格 is lost all the same
        // (`takeover`'s same-coverage rule), the 資格確認書 is not offered, and it is the typed
        // one to return.
        for until in [d(2026, 11, 30), d(2027, 7, 31)] {
            let split = [
                EligibilityRecord {
                    kind: DocumentKind::Notice,
                    ..lost[0].clone()
                },
                EligibilityRecord {
                    lost_on: None,
                    valid_until: Some(until),
                    acquired_on: Some(d(2020, 4, 1)),
                    ..lost[0].clone()
                },
            ];
            let s = MemberSituation::from_data(&adult, &split, None, d(2026, 12, 16));
            assert_eq!(s.coverage_lost_on, Some(d(2026, 12, 16)), "{until}");
            assert!(s.lost_certificate_recorded && !s.has_qualification_certificate);
            let g = guidance(&s, &ClinicSituation::READER_DOWN, d(2026, 12, 16));
            assert_eq!(actions(&g), [GuidanceAction::JoinNewInsurance], "{until}");
            assert!(
                g.to_do[0]
                    .explanation
                    .contains("入力されている資格確認書は、")
            );
            assert!(
                g.options
                    .iter()
                    .all(|o| !o.explanation.contains("資格確認書を窓口で見せて")),
                "{until}: {:?}",
                g.options
            );
        }
        // The お知らせ alone: 「お持ちなら」.
        let s = MemberSituation::from_data(&adult, &notice_only, None, d(2026, 12, 16));
        let g = guidance(&s, &ClinicSituation::READER_DOWN, d(2026, 12, 16));
        assert!(
            g.to_do[0]
                .explanation
                .contains("資格確認書をお持ちなら、令和8年12月20日までに事業主")
        );
        // Not lost: past its 有効期限, the renewal is asked for as before.
        let expired = [EligibilityRecord {
            lost_on: None,
            ..lost[0].clone()
        }];
        let s = MemberSituation::from_data(&adult, &expired, None, d(2027, 1, 1));
        let g = guidance(&s, &ClinicSituation::READER_DOWN, d(2027, 1, 1));
        assert!(
            g.options[0]
                .explanation
                .contains("後で加入している保険者に療養費")
        );
        assert_eq!(
            actions(&g),
            [GuidanceAction::AskForNewQualificationCertificate]
        );
    }

    /// In the grace period the card or its certificate has already expired: the to-do says the
    /// date has passed and until when it still works as a マイナ保険証 (docs/dates.md §2), as the
    /// screen's `CardInGrace` / `CertificateInGrace` notices do — not 「近づいています」.
    #[test]
    fn in_grace_the_to_do_says_the_date_has_passed() {
        use crate::screen::rules::test_fixtures::check;
        use crate::screen::rules::{NoticeCode, member_notices_for};
        // Certificate expired 2026-10-15: usable as a 保険証 to 2027-01-31.
        let adult = MemberData {
            myna_hoken: Some(true),
            ..person(d(1985, 4, 12))
        };
        let card_check = check(d(2026, 10, 15));
        let s = MemberSituation::from_data(&adult, &[], Some(&card_check), TODAY);
        assert_eq!(s.certificate, Some(ExpiryState::InGrace));
        let g = guidance(&s, &ClinicSituation::NORMAL, TODAY);
        assert_eq!(actions(&g), [GuidanceAction::RenewCertificate]);
        let text = &g.to_do[0].explanation;
        assert!(!text.contains("近づいています"), "{text}");
        assert!(
            text.contains("有効期限（令和8年10月15日）が過ぎています")
                && text.contains("令和9年1月31日まではマイナ保険証として使えます"),
            "{text}"
        );
        let notice = member_notices_for(&adult, &[], Some(&card_check), TODAY);
        assert_eq!(notice[0].code, NoticeCode::CertificateInGrace);
        assert!(
            notice[0]
                .message
                .contains("令和9年1月31日まではマイナ保険証として使えます")
        );
        // Before the expiry: 「近づいています」.
        let soon = MemberSituation::from_data(&adult, &[], Some(&card_check), d(2026, 10, 15));
        let g = guidance(&soon, &ClinicSituation::NORMAL, d(2026, 10, 15));
        assert!(g.to_do[0].explanation.contains("近づいています"));

        // The card itself expired 2026-10-15 (an adult's 10-year card).
        let card = MemberData {
            card_expires_on: Some(d(2026, 10, 15)),
            ..adult.clone()
        };
        let s = MemberSituation::from_data(&card, &[], None, TODAY);
        assert_eq!(s.card, Some(ExpiryState::InGrace));
        let g = guidance(&s, &ClinicSituation::NORMAL, TODAY);
        assert_eq!(actions(&g), [GuidanceAction::NewCard]);
        let text = &g.to_do[0].explanation;
        assert!(!text.contains("近づいています"), "{text}");
        assert!(
            text.contains("マイナンバーカードの有効期限（令和8年10月15日）が過ぎています")
                && text.contains("令和9年1月31日まではマイナ保険証として使えます"),
            "{text}"
        );
    }

    /// A member whose recorded coverage has ended (a 資格喪失日, or a 被扶養者 whose 被保険者
    /// turned 75) and whose card no longer works is not told to ask 「加入している保険者」 for a
    /// 資格確認書: the insurer of the ended record issues none; it comes from the insurance joined
    /// next (docs/rules.md §1.4, §3.3). While the card works, joining is enough for it; once it
    /// does not, the to-do does not say it keeps working.
    #[test]
    fn a_lost_member_asks_the_new_insurance_for_a_certificate() {
        let card_ended = MemberSituation {
            card: Some(ExpiryState::Ended),
            ..myna()
        };
        let lost = MemberSituation {
            coverage_lost_on: Some(d(2026, 10, 1)),
            ..card_ended.clone()
        };
        let g = guidance(&lost, &ClinicSituation::READER_DOWN, TODAY);
        assert_eq!(
            actions(&g),
            [
                GuidanceAction::JoinNewInsurance,
                GuidanceAction::NewCard,
                GuidanceAction::RegisterAgain,
                GuidanceAction::RequestQualificationCertificate
            ]
        );
        let request = &g.to_do[3].explanation;
        assert!(!request.contains("加入している保険者"), "{request}");
        assert!(
            request.contains("資格を喪失した保険の資格確認書は使えません")
                && request.contains("国民健康保険、勤務先やご家族の健康保険）"),
            "{request}"
        );
        let join = &g.to_do[0].explanation;
        assert!(!join.contains("そのまま使えます"));
        // 任意継続 is applied for within 20 days of the 資格喪失日 (健康保険法 §37(1)): past them
        // on TODAY, it is not offered; within them, with its last day.
        assert!(
            !join.contains("任意継続も選べます")
                && join.contains("すぐに事業主（任意継続被保険者だった方は保険者）")
                && join.contains("ご家族の健康保険の被扶養者"),
            "{join}"
        );
        let recent = MemberSituation {
            coverage_lost_on: Some(d(2026, 11, 10)),
            ..card_ended.clone()
        };
        // The 20th day, 2026-11-29, is a Sunday: the 申出 is taken on Monday the 30th, and on
        // that Monday the day said is the Monday's, not a day already past (review of
        // 2026-12-01).
        for (today, last) in [
            (d(2026, 11, 29), Some("令和8年11月29日")),
            (d(2026, 11, 30), Some("令和8年11月30日")),
            (d(2026, 12, 1), None),
        ] {
            let open = last.is_some();
            let gr = guidance(&recent, &ClinicSituation::READER_DOWN, today);
            let join = &gr.to_do[0].explanation;
            assert_eq!(
                join.contains("2か月以上加入していれば、"),
                open,
                "{today}: {join}"
            );
            if let Some(last) = last {
                assert!(
                    join.contains(&format!(
                        "2か月以上加入していれば、{last}（土日祝日なら翌営業日）までに\
                         申し出ると任意継続も選べます"
                    )),
                    "{today}: {join}"
                );
            }
            // What the member may still join follows it (the 資格確認書 request); the 10割 of
            // one with nothing usable keeps it, as the 申立書 does: they may have applied in time
            // and wait for its documents.
            let pay = &gr.options.last().unwrap().explanation;
            assert!(pay.contains("任意継続、"), "{today}: {pay}");
            assert_eq!(
                gr.to_do.last().unwrap().explanation.contains("任意継続"),
                open,
                "{today}"
            );
        }
        // A 共済: a year, and 20 days from the 退職日 (the day before the 資格喪失日).
        let mutual = MemberSituation {
            coverage_lost_scheme: Some(crate::eligibility::Scheme::LocalPublicServants),
            ..recent.clone()
        };
        let gm = guidance(&mutual, &ClinicSituation::READER_DOWN, d(2026, 11, 20));
        assert!(
            gm.to_do[0]
                .explanation
                .contains("1年以上加入していれば、令和8年11月28日（土日祝日なら翌営業日）まで"),
            "{}",
            gm.to_do[0].explanation
        );
        // A 被扶養者's own record lost (their own job, income): never 任意継続 (a 被保険者's).
        let own_dependent = MemberSituation {
            coverage_lost_as_dependent: true,
            ..recent.clone()
        };
        let gd = guidance(
            &own_dependent,
            &ClinicSituation::READER_DOWN,
            d(2026, 11, 20),
        );
        for text in gd
            .to_do
            .iter()
            .map(|s| &s.explanation)
            .chain(gd.options.iter().map(|o| &o.explanation))
        {
            assert!(!text.contains("任意継続も選べます"), "{text}");
        }
        assert!(!gd.options.last().unwrap().explanation.contains("任意継続"));
        // A 後期 record lost under 75 (障害認定): 後期 again by application, or 国保 — not
        // "75歳以上".
        let disability = MemberSituation {
            coverage_lost_scheme: Some(crate::eligibility::Scheme::LateElderly),
            ..recent.clone()
        };
        let gl = guidance(&disability, &ClinicSituation::READER_DOWN, d(2026, 11, 20));
        let join = &gl.to_do[0].explanation;
        assert!(
            join.contains("障害認定の申請")
                && join.contains("国民健康保険")
                && !join.contains("75歳"),
            "{join}"
        );
        assert!(
            gl.options.iter().all(|o| !o.explanation.contains("75歳")),
            "{:?}",
            gl.options
        );
        // …and the options and the 資格確認書 request name 後期 by a 障害認定 too, as the notice
        // and the to-do do.
        assert!(
            gl.options
                .last()
                .unwrap()
                .explanation
                .contains("後期高齢者医療（障害認定）"),
            "{:?}",
            gl.options
        );
        assert!(
            gl.to_do
                .last()
                .unwrap()
                .explanation
                .contains("後期高齢者医療（障害認定）"),
            "{:?}",
            gl.to_do
        );
        // A 国保 lost (a move, a job): no 任意継続 and no 事業主 anywhere.
        let national = MemberSituation {
            coverage_lost_on: Some(d(2026, 11, 10)),
            coverage_lost_scheme: Some(crate::eligibility::Scheme::NationalHealthInsurance),
            ..card_ended.clone()
        };
        let gn = guidance(&national, &ClinicSituation::READER_DOWN, d(2026, 11, 12));
        for text in gn
            .to_do
            .iter()
            .map(|s| &s.explanation)
            .chain(gn.options.iter().map(|o| &o.explanation))
        {
            assert!(
                !text.contains("任意継続") && !text.contains("事業主"),
                "{text}"
            );
        }
        assert!(
            gn.to_do[0]
                .explanation
                .contains("保険者（市区町村など）へ返して")
        );
        // The 10割 option: the claim goes to the insurance joined next (任意継続 among them while
        // it can be applied for, above) — under 任意継続 the same insurer, a new 資格: not
        // 「資格を喪失した保険の保険者には申請できません」.
        let pay = &g.options.last().unwrap().explanation;
        assert!(
            pay.contains("国民健康保険、任意継続、勤務先やご家族の健康保険")
                && !pay.contains("保険者には申請できません"),
            "{pay}"
        );

        // 75 or over: 後期高齢者医療 again (a 後期 record lost on a move to another
        // prefecture), neither a new employer's insurance, 国保 nor 任意継続.
        let elder = MemberSituation {
            late_elderly: true,
            coverage_lost_scheme: Some(crate::eligibility::Scheme::LateElderly),
            ..lost.clone()
        };
        let g = guidance(&elder, &ClinicSituation::READER_DOWN, TODAY);
        let join = &g.to_do[0].explanation;
        assert_eq!(g.to_do[0].action, GuidanceAction::JoinNewInsurance);
        assert!(
            join.contains("の保険は後期高齢者医療です")
                && join.contains("転居先の後期高齢者医療広域連合")
                && join.contains("保険者（市区町村など）へ返して")
                && !join.contains("国民健康保険")
                && !join.contains("任意継続")
                && !join.contains("事業主"),
            "{join}"
        );
        let request = &g.to_do[3].explanation;
        assert!(
            request.contains("後期高齢者医療の資格確認書を申請")
                && !request.contains("国民健康保険"),
            "{request}"
        );
        // The 資格確認書 asked for is the new one: the lost one is said not to work.
        let pay = &g.options.last().unwrap().explanation;
        assert!(
            pay.starts_with("資格を喪失した保険の資格確認書は使えません")
                && pay.ends_with(crate::screen::guidance::FULL_PAYMENT_AT_75),
            "{pay}"
        );
        // With a working card, the 申立書 names 後期高齢者医療.
        let g = guidance(
            &MemberSituation {
                late_elderly: true,
                coverage_lost_on: Some(d(2026, 10, 1)),
                ..myna()
            },
            &ClinicSituation::READER_DOWN,
            TODAY,
        );
        assert!(
            g.options
                .iter()
                .any(|o| o.explanation == crate::screen::guidance::DECLARATION_AT_75)
        );
        assert!(!g.to_do[0].explanation.contains("国民健康保険"));

        let dependent = MemberSituation {
            dependent_status_lost_on: Some(d(2027, 1, 10)),
            dependent_status_lost_by: Some(DependentStatusLoss::InsuredAt75(Scheme::KyokaiKenpo)),
            ..card_ended.clone()
        };
        let g = guidance(&dependent, &ClinicSituation::READER_DOWN, TODAY);
        let request = &g.to_do.last().unwrap().explanation;
        assert_eq!(
            g.to_do.last().unwrap().action,
            GuidanceAction::RequestQualificationCertificate
        );
        assert!(!request.contains("加入している保険者"), "{request}");
        assert!(
            request.contains("被扶養者になるご家族の健康保険"),
            "{request}"
        );
        // The 被保険者 lost that insurance: their new insurance (任意継続 too, the same insurer
        // with new documents) or 国保; never 「これまでの保険者には申請できません」.
        let with_insured = MemberSituation {
            dependent_status_lost_by: Some(DependentStatusLoss::InsuredLost(Scheme::KyokaiKenpo)),
            ..dependent.clone()
        };
        let g = guidance(&with_insured, &ClinicSituation::READER_DOWN, TODAY);
        let request = &g.to_do.last().unwrap().explanation;
        assert!(
            request.contains("被保険者の新しい保険（新しい勤務先の健康保険や任意継続）の被扶養者")
                && !request.contains("これまでの保険者"),
            "{request}"
        );
        for o in &g.options {
            assert!(!o.explanation.contains("これまでの保険者"), "{o:?}");
        }
        assert!(
            g.options
                .last()
                .unwrap()
                .explanation
                .contains("被保険者の新しい保険（新しい勤務先の健康保険や任意継続）か"),
            "{:?}",
            g.options
        );
        // The 被保険者 was a 日雇特例被保険者 (or 特例退職): no 任意継続 to become the 被扶養者
        // of (健康保険法 §3(4)), anywhere in the guidance.
        let day_laborer = MemberSituation {
            dependent_status_lost_by: Some(DependentStatusLoss::InsuredLost(Scheme::DayLaborer)),
            ..with_insured.clone()
        };
        let g = guidance(&day_laborer, &ClinicSituation::READER_DOWN, TODAY);
        for text in g
            .to_do
            .iter()
            .map(|s| &s.explanation)
            .chain(g.options.iter().map(|o| &o.explanation))
        {
            assert!(!text.contains("任意継続"), "{text}");
        }
        assert!(
            g.to_do
                .last()
                .unwrap()
                .explanation
                .contains("被保険者の新しい保険（新しい勤務先の健康保険など）の被扶養者"),
            "{:?}",
            g.to_do
        );
        // A 共済 組合員's 被扶養者: the 資格確認書 goes back through the 所属所, not an 事業主;
        // the 組合員 has left the 共済, so whether they were in 任意継続 is said in the past.
        let mutual_aid = MemberSituation {
            dependent_status_lost_by: Some(DependentStatusLoss::InsuredLost(
                Scheme::LocalPublicServants,
            )),
            ..with_insured.clone()
        };
        let g = guidance(&mutual_aid, &ClinicSituation::READER_DOWN, TODAY);
        let join = &g.to_do[0].explanation;
        assert!(
            join.contains(
                "組合員を通じて速やかに所属所（組合員が任意継続だったなら共済組合）へ返して\
                 ください"
            ) && !join.contains("事業主")
                && join.contains("任意継続）の被扶養者"),
            "{join}"
        );
        let g = guidance(
            &MemberSituation {
                dependent_status_lost_on: Some(d(2026, 10, 1)),
                dependent_status_lost_by: Some(DependentStatusLoss::InsuredLost(
                    Scheme::KyokaiKenpo,
                )),
                ..myna()
            },
            &ClinicSituation::READER_DOWN,
            TODAY,
        );
        let declaration = g
            .options
            .iter()
            .find(|o| o.presentation == DeclarationForm)
            .expect("a 申立書");
        assert!(
            declaration
                .explanation
                .contains("新しい勤務先の健康保険や任意継続）の被扶養者"),
            "{declaration:?}"
        );
        let before = g.options.last().unwrap();
        assert_eq!(before.presentation, FullPaymentThenClaim);
        assert!(
            !before.explanation.contains("これまでの保険者"),
            "{before:?}"
        );

        // Still insured: the insurer they belong to.
        let g = guidance(&card_ended, &ClinicSituation::READER_DOWN, TODAY);
        assert!(
            g.to_do
                .last()
                .unwrap()
                .explanation
                .contains("加入している保険者に資格確認書を申請")
        );
        // A working card: it keeps working once the new insurer has registered the member.
        let g = guidance(
            &MemberSituation {
                coverage_lost_on: Some(d(2026, 10, 1)),
                ..myna()
            },
            &ClinicSituation::READER_DOWN,
            TODAY,
        );
        assert!(g.to_do[0].explanation.contains("そのまま使えます"));
    }
}
