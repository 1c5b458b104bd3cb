//! What to present at the clinic (seed 003's table, eligibility.md §3).
//!
//! Pure functions of the member's situation, the clinic's and `today`. The switch checklist
//! to the マイナ保険証 is in [`super::checklist`].

use chrono::NaiveDate;
use serde::Serialize;

use super::calendar::{ExpiryState, certificate_state};
use super::wareki::format_wareki;
use crate::card::CardCheck;
use crate::eligibility::{DocumentKind, EligibilityRecord};

// The switch checklist was first defined here; its paths under `screen::guidance` stay valid.
pub use super::checklist::{
    Answer, ChecklistStep, STEP1_QUESTION, STEP2_QUESTION, STEP3_NOTE, STEP3_QUESTION,
    SwitchChecklist, TODO1, TODO2, TODO3, TodoItem, TodoStatus, switch_checklist,
};

/// The last day any old 健康保険証 could be used: issued ones stayed valid to their printed
/// expiry, at most 2025-12-01 (改正法の経過措置; seed 003, eligibility.md §4).
pub const OLD_INSURANCE_CARD_LAST_DAY: NaiveDate = match NaiveDate::from_ymd_opt(2025, 12, 1) {
    Some(d) => d,
    None => panic!("constant date"),
};

/// The member's side: what they have with them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MemberSituation {
    /// Has a My Number Card at hand that is still valid (the card itself, not its certificate).
    pub has_card: bool,
    /// The card is registered for use as a 保険証 (保険証利用登録).
    pub registered: bool,
    /// The 利用者証明用電子証明書's state, when known (from a card check).
    pub certificate: Option<ExpiryState>,
    /// Holds an in-date 資格確認書.
    pub has_qualification_certificate: bool,
    /// Has the 資格情報のお知らせ (paper or PDF).
    pub has_notice: bool,
    /// Can show the マイナポータル 資格情報 screen (or its saved PDF) on a phone.
    pub has_phone_screen: bool,
    /// The printed expiry of an old 健康保険証 still at hand, if any.
    pub old_insurance_card_until: Option<NaiveDate>,
}

impl MemberSituation {
    /// A starting point from the stored data, for the person to correct: a card check means a
    /// card; in-date お知らせ / マイナポータル records mean the card is registered as a 保険証;
    /// each in-date record kind means that document is at hand. The old 健康保険証 is not known.
    pub fn from_data(
        records: &[EligibilityRecord],
        card_check: Option<&CardCheck>,
        today: NaiveDate,
    ) -> Self {
        let has = |kind: DocumentKind| {
            records
                .iter()
                .any(|r| r.kind == kind && r.valid_until.is_none_or(|u| today <= u))
        };
        let has_card = card_check.is_some();
        Self {
            has_card,
            registered: has_card && (has(DocumentKind::Notice) || has(DocumentKind::Portal)),
            certificate: card_check.map(|c| certificate_state(c, today)),
            has_qualification_certificate: has(DocumentKind::Certificate),
            has_notice: has(DocumentKind::Notice),
            has_phone_screen: has(DocumentKind::Portal),
            old_insurance_card_until: None,
        }
    }

    /// The card works as a マイナ保険証: a card, registered, and a certificate that is valid,
    /// in its grace period or not known.
    fn myna_usable(&self) -> bool {
        self.has_card
            && self.registered
            && self
                .certificate
                .is_none_or(ExpiryState::usable_as_insurance)
    }

    /// The card could be registered at the reader now: a card that is not registered, whose
    /// certificate has not expired (or is not known).
    fn can_register(&self) -> bool {
        self.has_card
            && !self.registered
            && matches!(
                self.certificate,
                None | Some(ExpiryState::Valid | ExpiryState::ExpiringSoon)
            )
    }
}

/// The clinic's side.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct ClinicSituation {
    /// A 顔認証付きカードリーダー is installed.
    pub reader_present: bool,
    /// The reader works (not broken).
    pub reader_working: bool,
    /// The power is on.
    pub power: bool,
    /// The network to オンライン資格確認 is up.
    pub network: bool,
}

impl ClinicSituation {
    /// Everything works.
    pub const NORMAL: ClinicSituation = ClinicSituation {
        reader_present: true,
        reader_working: true,
        power: true,
        network: true,
    };

    /// The clinic can check a card online now.
    pub fn can_check_online(&self) -> bool {
        self.reader_present && self.reader_working && self.power && self.network
    }

    /// Why the clinic cannot check a card online, in Japanese; `None` when it can.
    pub fn problem_ja(&self) -> Option<&'static str> {
        if !self.reader_present {
            Some("この医療機関にはカードリーダーがありません。")
        } else if !self.power {
            Some("停電のため、カードリーダーが使えません。")
        } else if !self.reader_working {
            Some("カードリーダーが故障しているため使えません。")
        } else if !self.network {
            Some("通信障害のため、オンライン資格確認ができません。")
        } else {
            None
        }
    }
}

/// What to present at the reception.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Presentation {
    /// The My Number Card at the 顔認証付きカードリーダー (seed 003 ②).
    CardAtReader,
    /// The マイナポータル 資格情報 screen on the phone together with the card (seed 003 ③).
    PhoneScreenWithCard,
    /// The 資格情報のお知らせ together with the card (seed 003 ③).
    NoticeWithCard,
    /// The 資格確認書, on its own (seed 003 ④).
    QualificationCertificate,
    /// An old 健康保険証 still within its validity (seed 003 ①, at most to 2025-12-01).
    OldInsuranceCard,
    /// The 被保険者資格申立書 route: the card cannot be checked and nothing else is at hand
    /// (eligibility.md §3).
    DeclarationForm,
    /// Nothing usable: pay in full and claim 療養費 from the insurer afterwards.
    FullPaymentThenClaim,
}

/// One way to get insured care, with a short Japanese explanation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct GuidanceOption {
    /// What to present.
    pub presentation: Presentation,
    /// What to do, in Japanese.
    pub explanation: String,
}

/// What to present, best first; the later options are fallbacks.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Guidance {
    /// Why the clinic cannot check cards online, when it cannot (Japanese).
    pub clinic_problem: Option<String>,
    /// The options, best first; never empty.
    pub options: Vec<GuidanceOption>,
}

impl Guidance {
    /// The recommended option.
    pub fn recommended(&self) -> Option<Presentation> {
        self.options.first().map(|o| o.presentation)
    }
}

fn option(presentation: Presentation, explanation: impl Into<String>) -> GuidanceOption {
    GuidanceOption {
        presentation,
        explanation: explanation.into(),
    }
}

/// What the member should present at this clinic on `today`.
///
/// - The clinic can check online and the card works as a マイナ保険証 → the card at the reader
///   first (registering it there if it is not registered yet and its certificate is valid).
/// - A 資格確認書 works at every clinic on its own; it comes first when the clinic cannot
///   check online.
/// - A working マイナ保険証 that cannot be checked → the phone's 資格情報 screen or the お知らせ,
///   each together with the card; with neither (and no 資格確認書) → the 被保険者資格申立書.
/// - Nothing usable → pay in full and claim 療養費.
pub fn guidance(member: &MemberSituation, clinic: &ClinicSituation, today: NaiveDate) -> Guidance {
    let online = clinic.can_check_online();
    let myna = member.myna_usable();
    let mut options = Vec::new();

    if online && myna {
        let mut text = String::from(
            "受付の顔認証付きカードリーダーにマイナンバーカードを置き、\
             顔認証または暗証番号で本人確認をしてください。",
        );
        if member.certificate == Some(ExpiryState::InGrace) {
            text.push_str(
                "電子証明書の有効期限は過ぎていますが、期限の3か月後の月末までは使えます。\
                 早めに更新してください。",
            );
        }
        options.push(option(Presentation::CardAtReader, text));
    } else if online && member.can_register() {
        options.push(option(
            Presentation::CardAtReader,
            "マイナンバーカードをカードリーダーに置いてください。\
             保険証利用の申込みがまだなら、その場で申し込んでから使えます。",
        ));
    }

    let certificate = option(
        Presentation::QualificationCertificate,
        "資格確認書を窓口で見せてください。資格確認書だけで受診できます\
         （カードリーダーは要りません）。",
    );
    let mut certificate = member.has_qualification_certificate.then_some(certificate);
    if !online {
        options.extend(certificate.take());
    }

    if myna {
        if member.has_phone_screen {
            options.push(option(
                Presentation::PhoneScreenWithCard,
                "スマートフォンでマイナポータルの資格情報画面（保存したPDFでも可）を開き、\
                 マイナンバーカードと一緒に見せてください。画面だけでは受診できません。",
            ));
        }
        if member.has_notice {
            options.push(option(
                Presentation::NoticeWithCard,
                "資格情報のお知らせを、マイナンバーカードと一緒に見せてください。\
                 お知らせだけでは受診できません。",
            ));
        }
    }
    options.extend(certificate.take());

    let old_card_until = member
        .old_insurance_card_until
        .map(|u| u.min(OLD_INSURANCE_CARD_LAST_DAY))
        .filter(|&u| today <= u);
    if let Some(until) = old_card_until {
        options.push(option(
            Presentation::OldInsuranceCard,
            format!(
                "お手元の健康保険証は{}まで使えます。窓口で見せてください。",
                format_wareki(until)
            ),
        ));
    }

    if myna
        && !member.has_phone_screen
        && !member.has_notice
        && !member.has_qualification_certificate
        && old_card_until.is_none()
    {
        options.push(option(
            Presentation::DeclarationForm,
            "マイナンバーカードで資格を確認できないときは、窓口で「被保険者資格申立書」に\
             記入すれば、通常の負担割合で受診できます（再診なら口頭の確認で済むこともあります）。",
        ));
    }

    if options.is_empty() {
        options.push(option(
            Presentation::FullPaymentThenClaim,
            "保険証として使えるものがありません。いったん全額（10割）を支払い、\
             後で保険者に療養費を申請してください。マイナ保険証を使えない方には\
             資格確認書が交付されるので、保険者に問い合わせてください。",
        ));
    }

    Guidance {
        clinic_problem: (!online)
            .then(|| clinic.problem_ja().map(str::to_string))
            .flatten(),
        options,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use Presentation::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    const TODAY: NaiveDate = match NaiveDate::from_ymd_opt(2026, 11, 23) {
        Some(d) => d,
        None => panic!(),
    };

    /// A registered card with a valid certificate and nothing else.
    fn myna() -> MemberSituation {
        MemberSituation {
            has_card: true,
            registered: true,
            certificate: Some(ExpiryState::Valid),
            has_qualification_certificate: false,
            has_notice: false,
            has_phone_screen: false,
            old_insurance_card_until: None,
        }
    }

    fn nothing() -> MemberSituation {
        MemberSituation {
            has_card: false,
            registered: false,
            certificate: None,
            ..myna()
        }
    }

    const READER_DOWN: ClinicSituation = ClinicSituation {
        reader_working: false,
        ..ClinicSituation::NORMAL
    };
    const NO_READER: ClinicSituation = ClinicSituation {
        reader_present: false,
        ..ClinicSituation::NORMAL
    };
    const POWER_CUT: ClinicSituation = ClinicSituation {
        power: false,
        ..ClinicSituation::NORMAL
    };
    const NETWORK_DOWN: ClinicSituation = ClinicSituation {
        network: false,
        ..ClinicSituation::NORMAL
    };

    fn presented(g: &Guidance) -> Vec<Presentation> {
        g.options.iter().map(|o| o.presentation).collect()
    }

    /// Seed 003 section 3's table, column by column (① 健康保険証, ② マイナ保険証,
    /// ③ マイナポータル/お知らせ + カード, ④ 資格確認書), and each of its rows: 使用可能機関
    /// (all clinics, or only those with a reader) and 有効期限.
    #[test]
    fn seed_003_table() {
        let with_phone = MemberSituation {
            has_phone_screen: true,
            ..myna()
        };
        let with_notice = MemberSituation {
            has_notice: true,
            ..myna()
        };
        let with_both = MemberSituation {
            has_notice: true,
            has_phone_screen: true,
            ..myna()
        };
        let certificate_only = MemberSituation {
            has_qualification_certificate: true,
            ..nothing()
        };
        let old_card = MemberSituation {
            old_insurance_card_until: Some(d(2026, 7, 31)),
            ..nothing()
        };
        type Row = (
            &'static str,
            MemberSituation,
            ClinicSituation,
            NaiveDate,
            Vec<Presentation>,
        );
        let rows: Vec<Row> = vec![
            // ① 健康保険証: all clinics, until its printed expiry but at most 2025-12-01.
            (
                "① reader clinic",
                old_card.clone(),
                ClinicSituation::NORMAL,
                d(2025, 11, 30),
                vec![OldInsuranceCard],
            ),
            (
                "① no reader",
                old_card.clone(),
                NO_READER,
                d(2025, 12, 1),
                vec![OldInsuranceCard],
            ),
            (
                "① after 2025-12-01",
                old_card.clone(),
                ClinicSituation::NORMAL,
                d(2025, 12, 2),
                vec![FullPaymentThenClaim],
            ),
            (
                "① printed expiry first",
                MemberSituation {
                    old_insurance_card_until: Some(d(2025, 7, 31)),
                    ..nothing()
                },
                ClinicSituation::NORMAL,
                d(2025, 8, 1),
                vec![FullPaymentThenClaim],
            ),
            // ② マイナ保険証: only clinics with a working reader; no expiry of its own.
            (
                "② reader",
                myna(),
                ClinicSituation::NORMAL,
                TODAY,
                vec![CardAtReader, DeclarationForm],
            ),
            (
                "② no reader, nothing else",
                myna(),
                NO_READER,
                TODAY,
                vec![DeclarationForm],
            ),
            // ③ phone screen or お知らせ, with the card: all clinics; the fallback when the
            // card cannot be read (no reader, power cut, broken reader, network down).
            (
                "③ phone, no reader",
                with_phone.clone(),
                NO_READER,
                TODAY,
                vec![PhoneScreenWithCard],
            ),
            (
                "③ phone, power cut",
                with_phone.clone(),
                POWER_CUT,
                TODAY,
                vec![PhoneScreenWithCard],
            ),
            (
                "③ お知らせ, reader down",
                with_notice.clone(),
                READER_DOWN,
                TODAY,
                vec![NoticeWithCard],
            ),
            (
                "③ both, network down",
                with_both.clone(),
                NETWORK_DOWN,
                TODAY,
                vec![PhoneScreenWithCard, NoticeWithCard],
            ),
            (
                "③ as backups at a reader",
                with_both,
                ClinicSituation::NORMAL,
                TODAY,
                vec![CardAtReader, PhoneScreenWithCard, NoticeWithCard],
            ),
            // ③ never without the card: no card → neither the phone nor the お知らせ.
            (
                "③ without card",
                MemberSituation {
                    has_notice: true,
                    has_phone_screen: true,
                    ..nothing()
                },
                NO_READER,
                TODAY,
                vec![FullPaymentThenClaim],
            ),
            // ④ 資格確認書: all clinics, on its own.
            (
                "④ reader",
                certificate_only.clone(),
                ClinicSituation::NORMAL,
                TODAY,
                vec![QualificationCertificate],
            ),
            (
                "④ no reader",
                certificate_only.clone(),
                NO_READER,
                TODAY,
                vec![QualificationCertificate],
            ),
            (
                "④ power cut",
                certificate_only,
                POWER_CUT,
                TODAY,
                vec![QualificationCertificate],
            ),
        ];
        for (name, member, clinic, today, want) in rows {
            let g = guidance(&member, &clinic, today);
            assert_eq!(presented(&g), want, "{name}");
            assert!(
                g.options.iter().all(|o| !o.explanation.is_empty()),
                "{name}"
            );
            assert_eq!(
                g.clinic_problem.is_some(),
                !clinic.can_check_online(),
                "{name}"
            );
        }
    }

    #[test]
    fn section_3_and_the_certificate() {
        // Not registered yet, valid certificate, working reader: register at the reader
        // (seed 003's flow chart); nowhere to do it when the reader is down.
        let unregistered = MemberSituation {
            registered: false,
            ..myna()
        };
        let g = guidance(&unregistered, &ClinicSituation::NORMAL, TODAY);
        assert_eq!(presented(&g), [CardAtReader]);
        assert!(g.options[0].explanation.contains("申し込んで"));
        assert_eq!(
            presented(&guidance(&unregistered, &READER_DOWN, TODAY)),
            [FullPaymentThenClaim]
        );
        // Certificate in its grace period: still the card, with a reminder.
        let grace = MemberSituation {
            certificate: Some(ExpiryState::InGrace),
            ..myna()
        };
        let g = guidance(&grace, &ClinicSituation::NORMAL, TODAY);
        assert_eq!(presented(&g), [CardAtReader, DeclarationForm]);
        assert!(g.options[0].explanation.contains("3か月後の月末"));
        // Grace over: insurance use cancelled → the 資格確認書, not the card.
        let ended = MemberSituation {
            certificate: Some(ExpiryState::Ended),
            has_qualification_certificate: true,
            has_notice: true,
            ..myna()
        };
        assert_eq!(
            presented(&guidance(&ended, &ClinicSituation::NORMAL, TODAY)),
            [QualificationCertificate]
        );
        // Both a マイナ保険証 and a 資格確認書: the card first where it can be read, the
        // 資格確認書 first where it cannot.
        let both = MemberSituation {
            has_qualification_certificate: true,
            has_notice: true,
            ..myna()
        };
        assert_eq!(
            presented(&guidance(&both, &ClinicSituation::NORMAL, TODAY)),
            [CardAtReader, NoticeWithCard, QualificationCertificate]
        );
        assert_eq!(
            presented(&guidance(&both, &POWER_CUT, TODAY)),
            [QualificationCertificate, NoticeWithCard]
        );
        // The 申立書 is the last resort behind a working reader too (the card may fail).
        let g = guidance(&myna(), &ClinicSituation::NORMAL, TODAY);
        assert_eq!(presented(&g), [CardAtReader, DeclarationForm]);
        let g = guidance(&myna(), &READER_DOWN, TODAY);
        assert_eq!(presented(&g), [DeclarationForm]);
        assert!(g.options[0].explanation.contains("被保険者資格申立書"));
        assert_eq!(
            g.clinic_problem.as_deref(),
            Some("カードリーダーが故障しているため使えません。")
        );
        // Unknown certificate: treated as usable.
        let unknown = MemberSituation {
            certificate: None,
            ..myna()
        };
        assert_eq!(
            presented(&guidance(&unknown, &ClinicSituation::NORMAL, TODAY)),
            [CardAtReader, DeclarationForm]
        );
    }

    #[test]
    fn clinic_problems() {
        assert_eq!(ClinicSituation::NORMAL.problem_ja(), None);
        assert!(NO_READER.problem_ja().unwrap().contains("ありません"));
        assert!(POWER_CUT.problem_ja().unwrap().contains("停電"));
        assert!(NETWORK_DOWN.problem_ja().unwrap().contains("通信障害"));
        assert!(!NETWORK_DOWN.can_check_online());
    }

    #[test]
    fn situation_from_data() {
        use crate::eligibility::{CopayRate, InsurerNumber, Relationship};
        let record = |kind, valid_until| EligibilityRecord {
            kind,
            insurer_number: InsurerNumber::parse("01130012").unwrap(),
            insurer_name: "協会けんぽ".into(),
            symbol: None,
            number: "1".into(),
            branch: None,
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
        };
        let records = [
            record(DocumentKind::Notice, None),
            record(DocumentKind::Certificate, Some(d(2026, 11, 22))),
        ];
        let s = MemberSituation::from_data(&records, None, TODAY);
        assert!(!s.has_card && !s.registered && s.has_notice);
        // The 資格確認書 expired yesterday.
        assert!(!s.has_qualification_certificate);
        let s = MemberSituation::from_data(&records, None, d(2026, 11, 22));
        assert!(s.has_qualification_certificate);
        assert!(!s.has_phone_screen);
        assert_eq!(s.certificate, None);
    }
}
