//! What the member has to do outside the clinic, in order: join the new insurance, a new card,
//! the certificate's renewal, the 保険証利用 again, a 資格確認書. Part of the guidance.

use serde::Serialize;

use super::calendar::ExpiryState;
use super::situation::MemberSituation;
use super::wareki::format_wareki;

/// Something the member has to do outside the clinic.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum GuidanceAction {
    /// Coverage ended by a 資格喪失日: join the new insurance; return the 資格確認書 (notice A).
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
}

/// One thing to do, with its Japanese text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct GuidanceStep {
    /// What to do.
    pub action: GuidanceAction,
    /// How, in Japanese.
    pub explanation: String,
}

fn step(action: GuidanceAction, explanation: impl Into<String>) -> GuidanceStep {
    GuidanceStep {
        action,
        explanation: explanation.into(),
    }
}

/// What to do outside the clinic, in order.
pub(super) fn to_do(member: &MemberSituation) -> Vec<GuidanceStep> {
    let mut out = Vec::new();
    if let Some(lost) = member.coverage_lost_on {
        out.push(step(
            GuidanceAction::JoinNewInsurance,
            format!(
                "資格喪失日（{}）から、この保険では受診できません。新しい勤務先の健康保険か、\
                 お住まいの市区町村の国民健康保険に加入してください。マイナ保険証は、\
                 新しい保険者の登録が済めばそのまま使えます。資格確認書をお持ちなら、\
                 5日以内に事業主（任意継続の方は保険者）へ返してください。",
                format_wareki(lost)
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
            let mut text = String::from(if ended {
                "マイナンバーカードの有効期限が過ぎ、マイナ保険証として使えなくなりました。"
            } else {
                "マイナンバーカードの有効期限が近づいています（過ぎても3か月後の月末までは\
                 マイナ保険証として使えます）。"
            });
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
                    "それまでの受診には資格確認書が要ります。加入している保険者に資格確認書を\
                     申請してください（マイナ保険証を使えない方に交付されます。\
                     申請しなくても届くことがあります）。",
                ));
            }
        }
    }
    if member.qualification_certificate_expired
        && !member.has_qualification_certificate
        && !member.myna_usable()
    {
        out.push(step(
            GuidanceAction::AskForNewQualificationCertificate,
            if member.qualification_certificate_ended_at_75 {
                // The former insurer's 資格確認書 ended the day before the 75th birthday; the
                // new one comes from the 後期高齢者医療広域連合, whose counter is at the 市区町村
                // (高齢者の医療の確保に関する法律 §48, §50, §52(1)).
                "75歳の誕生日から後期高齢者医療制度に移ったため、これまでの資格確認書は使えません。\
                 後期高齢者医療の資格確認書が届いていないか、お住まいの市区町村の\
                 後期高齢者医療の窓口に確認してください。"
            } else {
                "資格確認書の有効期限が過ぎています。新しい資格確認書が届いていないか、\
                 保険者に確認してください。"
            },
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::eligibility::MemberData;
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
        assert_eq!(presented(&g), [CardAtReader, DeclarationForm]);
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
}
