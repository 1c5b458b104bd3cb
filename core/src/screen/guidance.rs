//! What to present at the clinic (notice C's table, docs/guidance.md, docs/guidance.md), from what
//! the member holds — not from what this phone has checked.
//!
//! The record kinds say whether the member has a registered card: a 資格情報のお知らせ or a
//! マイナポータル 資格情報 is only issued to people whose My Number Card is registered as a
//! 保険証 (notice D: 「マイナ保険証を持っている方」), a 資格確認書 to people without one (usually).
//! The member's own word (`myna_hoken`) overrides both. A card check on this phone adds
//! certainty (the certificate's state, the PIN works); it is never a precondition.
//!
//! Pure functions of the member's situation, the clinic's and `today`. The switch checklist
//! to the マイナ保険証 is in [`super::checklist`]; docs/guidance.md gives the sources.

use chrono::NaiveDate;
use serde::Serialize;

use super::calendar::{ExpiryState, age_on, certificate_state, expiry_state};
use super::rules::card_valid_until;
use super::wareki::format_wareki;
use crate::card::{AnchorSource, CardCheck};
use crate::eligibility::{DocumentKind, EligibilityRecord, MemberData};

// The switch checklist was first defined here; its paths under `screen::guidance` stay valid.
pub use super::checklist::{
    Answer, ChecklistStep, STEP1_QUESTION, STEP2_QUESTION, STEP3_NOTE, STEP3_QUESTION,
    SwitchChecklist, TODO1, TODO2, TODO3, TodoItem, TodoStatus, switch_checklist,
};

/// The last day any old 健康保険証 could be used: issued ones stayed valid to their printed
/// expiry, at most 2025-12-01 (改正法の経過措置; notice C, docs/dates.md).
pub const OLD_INSURANCE_CARD_LAST_DAY: NaiveDate = match NaiveDate::from_ymd_opt(2025, 12, 1) {
    Some(d) => d,
    None => panic!("constant date"),
};

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
    /// Holds an in-date 資格確認書.
    pub has_qualification_certificate: bool,
    /// A 資格確認書 is recorded but its 有効期限 has passed (and no in-date one is).
    pub qualification_certificate_expired: bool,
    /// Has the 資格情報のお知らせ (paper or PDF).
    pub has_notice: bool,
    /// Can show the マイナポータル 資格情報 screen (or its saved PDF) on a phone.
    pub has_phone_screen: bool,
    /// This app holds an in-date お知らせ / マイナポータル record it can show (a copy).
    pub app_copy: Option<AppCopy>,
    /// The 公費 医療証 held (こども医療費受給者証, 重度障がい者医療証, …), to present together
    /// with the マイナ保険証 or the 資格確認書 (notice B A11).
    pub public_expense: Vec<String>,
    /// Every insurance record has ended by a 資格喪失日: the latest of them.
    pub coverage_lost_on: Option<NaiveDate>,
    /// The printed expiry of an old 健康保険証 still at hand, if any.
    pub old_insurance_card_until: Option<NaiveDate>,
}

/// True while a record is in force on `today`: within its printed 有効期限 and before its
/// 資格喪失日 (the first day without the coverage).
fn in_force(record: &EligibilityRecord, today: NaiveDate) -> bool {
    record.valid_until.is_none_or(|u| today <= u) && !record.is_lost(today)
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
    /// `rules::card_valid_until`). Records past their 有効期限 or 資格喪失日 are
    /// not held. [`MemberSituation::app_copy`] is left `None`: only the caller knows whether
    /// its copy verifies (see `member_guidance`).
    pub fn from_data(
        member: &MemberData,
        records: &[EligibilityRecord],
        card_check: Option<&CardCheck>,
        today: NaiveDate,
    ) -> Self {
        let held =
            |kind: DocumentKind| records.iter().any(|r| r.kind == kind && in_force(r, today));
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
                && records.iter().any(|r| {
                    r.kind == DocumentKind::Certificate && r.valid_until.is_some_and(|u| u < today)
                }),
            has_notice: held(DocumentKind::Notice),
            has_phone_screen: held(DocumentKind::Portal),
            app_copy: None,
            public_expense: records
                .iter()
                .filter(|r| r.kind == DocumentKind::PublicExpense && in_force(r, today))
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
    fn can_register(&self) -> bool {
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
    fn needs_new_card(&self) -> bool {
        let due = |s: Option<ExpiryState>| s.is_some_and(|s| s != ExpiryState::Valid);
        due(self.card) || (self.card_five_year_term && due(self.certificate))
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

    /// The reader is broken.
    pub const READER_DOWN: ClinicSituation = ClinicSituation {
        reader_working: false,
        ..ClinicSituation::NORMAL
    };

    /// No card reader at this clinic.
    pub const NO_READER: ClinicSituation = ClinicSituation {
        reader_present: false,
        ..ClinicSituation::NORMAL
    };

    /// A power cut.
    pub const POWER_OUT: ClinicSituation = ClinicSituation {
        power: false,
        ..ClinicSituation::NORMAL
    };

    /// The network to オンライン資格確認 is down.
    pub const NETWORK_DOWN: ClinicSituation = ClinicSituation {
        network: false,
        ..ClinicSituation::NORMAL
    };

    /// The five situations the guidance distinguishes, with their names as the CLI takes
    /// them: normal, reader-down, no-reader, power-out, network-down.
    pub const ALL: [(&'static str, ClinicSituation); 5] = [
        ("normal", ClinicSituation::NORMAL),
        ("reader-down", ClinicSituation::READER_DOWN),
        ("no-reader", ClinicSituation::NO_READER),
        ("power-out", ClinicSituation::POWER_OUT),
        ("network-down", ClinicSituation::NETWORK_DOWN),
    ];

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
    /// The My Number Card at the 顔認証付きカードリーダー (notice C ②).
    CardAtReader,
    /// The マイナポータル 資格情報 screen on the phone together with the card (notice C ③).
    PhoneScreenWithCard,
    /// The 資格情報のお知らせ together with the card (notice C ③).
    NoticeWithCard,
    /// The 資格確認書, on its own (notice C ④).
    QualificationCertificate,
    /// This app's screen of a hand-entered お知らせ / マイナポータル record, together with the
    /// card: a copy, not an official document (docs/guidance.md).
    AppCopyWithCard,
    /// This app's screen of an issuer-signed record whose signature verifies, together with
    /// the card: official insofar as the issuer signed it (docs/guidance.md).
    AppSignedWithCard,
    /// An old 健康保険証 still within its validity (notice C ①, at most to 2025-12-01).
    OldInsuranceCard,
    /// The 被保険者資格申立書 route: the card cannot be checked and nothing else is at hand
    /// (docs/guidance.md).
    DeclarationForm,
    /// Nothing usable: pay in full and claim 療養費 from the insurer afterwards.
    FullPaymentThenClaim,
}

impl Presentation {
    /// True when this is never enough on its own: it is shown together with the physical My
    /// Number Card (notice C: 「スマホのみでの受診は不可」「資格情報のお知らせのみでの受診は不可」;
    /// this app's screen is at most a copy of those).
    pub fn never_alone(self) -> bool {
        matches!(
            self,
            Presentation::PhoneScreenWithCard
                | Presentation::NoticeWithCard
                | Presentation::AppCopyWithCard
                | Presentation::AppSignedWithCard
        )
    }
}

/// One way to get insured care, with a short Japanese explanation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct GuidanceOption {
    /// What to present.
    pub presentation: Presentation,
    /// Never enough on its own: only together with the physical My Number Card.
    pub never_alone: bool,
    /// What to do, in Japanese.
    pub explanation: String,
}

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

/// What to present, best first; the later options are fallbacks.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Guidance {
    /// Why the clinic cannot check cards online, when it cannot (Japanese).
    pub clinic_problem: Option<String>,
    /// The options, best first; never empty.
    pub options: Vec<GuidanceOption>,
    /// Documents to present as well, whatever is presented above: each 公費 医療証
    /// (notice B A11), in Japanese.
    pub also_present: Vec<String>,
    /// What a card check on this phone showed, or that there was none (it is never needed to
    /// see a doctor), in Japanese; `None` when the member has no card on record.
    pub card_check: Option<String>,
    /// What to do outside the clinic (renewals, a new card, a 資格確認書), in order.
    pub to_do: Vec<GuidanceStep>,
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
        never_alone: presentation.never_alone(),
        explanation: explanation.into(),
    }
}

fn step(action: GuidanceAction, explanation: impl Into<String>) -> GuidanceStep {
    GuidanceStep {
        action,
        explanation: explanation.into(),
    }
}

const CARD_AT_READER: &str = "受付の顔認証付きカードリーダーにマイナンバーカードを置き、\
     顔認証または暗証番号で本人確認をしてください。";
const REGISTER_AT_READER: &str = "マイナンバーカードをカードリーダーに置いてください。\
     保険証利用の申込みがまだなら、その場で申し込んでから使えます。";
const QUALIFICATION_CERTIFICATE: &str = "資格確認書を窓口で見せてください。資格確認書だけで受診できます\
     （カードリーダーは要りません）。見せるのは紙の資格確認書です。\
     このアプリの画面は写しで、資格確認書の代わりにはなりません。";
const PHONE_SCREEN: &str = "スマートフォンでマイナポータルの資格情報画面（保存したPDFでも可）を開き、\
     マイナンバーカードと一緒に見せてください。画面だけでは受診できません。";
const NOTICE: &str = "資格情報のお知らせを、マイナンバーカードと一緒に見せてください。\
     お知らせだけでは受診できません。";
const APP_COPY: &str = "マイナポータルの画面も紙のお知らせもないときは、このアプリの画面を\
     マイナンバーカードと一緒に見せることもできます。ただしこの画面は手入力した資格情報の写しで、\
     公式の画面ではありません。受け付けるかどうかは医療機関の判断です。受け付けられないときは、\
     窓口で「被保険者資格申立書」に記入すれば通常の負担割合で受診できます\
     （この画面の保険者番号・記号・番号を書き写せます）。";
const APP_SIGNED: &str = "このアプリの画面は、発行元の電子署名を確認した資格情報です。\
     マイナンバーカードと一緒に見せてください。画面だけでは受診できません。\
     公式の画面と同じに扱われるのは、窓口が署名（QRコード）とカードを確かめたときです。";
const DECLARATION_FORM: &str = "マイナンバーカードで資格を確認できないときは、窓口で「被保険者資格申立書」に\
     記入すれば、通常の負担割合で受診できます（再診なら口頭の確認で済むこともあります）。";
const FULL_PAYMENT: &str = "保険証として使えるものがありません。いったん全額（10割）を支払い、\
     後で保険者に療養費を申請してください。マイナ保険証を使えない方には\
     資格確認書が交付されるので、保険者に問い合わせてください。";

/// What the member should present at this clinic on `today`, and what to do outside it.
///
/// - The clinic can check online and the card works as a マイナ保険証 → the card at the reader
///   first (registering it there if it is not registered yet and nothing else is held).
/// - A 資格確認書 works at every clinic on its own; it comes first when the clinic cannot
///   check online or the card does not work as a マイナ保険証.
/// - A working マイナ保険証 that cannot be checked → the phone's 資格情報 screen or the お知らせ,
///   each together with the card; then this app's screen with the card, named for what it is
///   (a copy, or issuer-signed); with no official document (and no 資格確認書) → the
///   被保険者資格申立書.
/// - Nothing usable → pay in full and claim 療養費. Never for a member whose card works as a
///   マイナ保険証 or who holds an in-date 資格確認書.
pub fn guidance(member: &MemberSituation, clinic: &ClinicSituation, today: NaiveDate) -> Guidance {
    let online = clinic.can_check_online();
    let myna = member.myna_usable();
    let mut options = Vec::new();

    if online && myna {
        let mut text = String::from(CARD_AT_READER);
        if member.coverage_lost_on.is_some() {
            text.push_str(
                "資格を喪失した保険の情報では受診できません。新しい保険の加入手続きが\
                 済んでいれば、その資格で確認されます。",
            );
        }
        if member.certificate == Some(ExpiryState::InGrace)
            || member.card == Some(ExpiryState::InGrace)
        {
            text.push_str(
                "有効期限は過ぎていますが、期限の3か月後の月末までは使えます。\
                 早めに手続きしてください。",
            );
        }
        options.push(option(Presentation::CardAtReader, text));
    }
    let register_here = online && member.can_register();
    if register_here && !member.has_qualification_certificate {
        options.push(option(Presentation::CardAtReader, REGISTER_AT_READER));
    }

    let mut certificate = member.has_qualification_certificate.then(|| {
        option(
            Presentation::QualificationCertificate,
            QUALIFICATION_CERTIFICATE,
        )
    });
    if !online || !myna {
        options.extend(certificate.take());
    }
    if register_here && member.has_qualification_certificate {
        options.push(option(Presentation::CardAtReader, REGISTER_AT_READER));
    }

    if myna {
        if member.has_phone_screen {
            options.push(option(Presentation::PhoneScreenWithCard, PHONE_SCREEN));
        }
        if member.has_notice {
            options.push(option(Presentation::NoticeWithCard, NOTICE));
        }
    }
    options.extend(certificate.take());
    if myna {
        match member.app_copy {
            Some(AppCopy::IssuerSigned) => {
                options.push(option(Presentation::AppSignedWithCard, APP_SIGNED));
            }
            Some(AppCopy::Unverified) => {
                options.push(option(Presentation::AppCopyWithCard, APP_COPY));
            }
            None => {}
        }
    }

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
        options.push(option(Presentation::DeclarationForm, DECLARATION_FORM));
    }

    if options.is_empty() {
        options.push(option(Presentation::FullPaymentThenClaim, FULL_PAYMENT));
    }
    let full_payment_only = options
        .iter()
        .all(|o| o.presentation == Presentation::FullPaymentThenClaim);

    Guidance {
        clinic_problem: (!online)
            .then(|| clinic.problem_ja().map(str::to_string))
            .flatten(),
        options,
        also_present: if full_payment_only {
            Vec::new()
        } else {
            member
                .public_expense
                .iter()
                .map(|name| {
                    format!(
                        "{name}も一緒に見せてください（マイナ保険証や資格確認書だけでは\
                         公費の助成は受けられません）。"
                    )
                })
                .collect()
        },
        card_check: card_check_text(member),
        to_do: to_do(member),
    }
}

/// What the card check on this phone adds, in Japanese.
fn card_check_text(member: &MemberSituation) -> Option<String> {
    if !member.has_card {
        return None;
    }
    let Some(check) = member.phone_check else {
        return Some(
            "このスマートフォンではマイナンバーカードをまだ確認していません。受診に確認は\
             要りません（確認すると、電子証明書の有効期限と暗証番号が使えることが分かります）。"
                .into(),
        );
    };
    let state = match member.certificate {
        Some(ExpiryState::Valid) | None => "電子証明書は有効",
        Some(ExpiryState::ExpiringSoon) => "電子証明書の有効期限が近い",
        Some(ExpiryState::InGrace) => "電子証明書の有効期限は過ぎたが、3か月後の月末までは使える",
        Some(ExpiryState::Ended) => "電子証明書の有効期限から3か月が過ぎている",
    };
    let test = if check.test_anchor {
        "（テスト用証明書のカード）"
    } else {
        ""
    };
    Some(format!(
        "{}にこのスマートフォンでカードを確認しました{test}: {state}、暗証番号も使えました。",
        format_wareki(check.checked_on)
    ))
}

/// What to do outside the clinic, in order.
fn to_do(member: &MemberSituation) -> Vec<GuidanceStep> {
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
            "資格確認書の有効期限が過ぎています。新しい資格確認書が届いていないか、\
             保険者に確認してください。",
        ));
    }
    out
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
            card: None,
            card_five_year_term: false,
            phone_check: None,
            has_qualification_certificate: false,
            qualification_certificate_expired: false,
            has_notice: false,
            has_phone_screen: false,
            app_copy: None,
            public_expense: Vec::new(),
            coverage_lost_on: None,
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

    const READER_DOWN: ClinicSituation = ClinicSituation::READER_DOWN;
    const NO_READER: ClinicSituation = ClinicSituation::NO_READER;
    const POWER_CUT: ClinicSituation = ClinicSituation::POWER_OUT;
    const NETWORK_DOWN: ClinicSituation = ClinicSituation::NETWORK_DOWN;

    fn presented(g: &Guidance) -> Vec<Presentation> {
        g.options.iter().map(|o| o.presentation).collect()
    }

    fn actions(g: &Guidance) -> Vec<GuidanceAction> {
        g.to_do.iter().map(|s| s.action).collect()
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
        // (notice C's flow chart); nowhere to do it when the reader is down.
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

    fn person(birth: NaiveDate) -> MemberData {
        use crate::eligibility::{Relationship, Sex};
        MemberData {
            name: "山田 花子".into(),
            kana: "ヤマダ ハナコ".into(),
            birth_date: birth,
            sex: Sex::Female,
            relationship: Relationship::Insured,
            myna_hoken: None,
            card_expires_on: None,
        }
    }

    fn record(kind: DocumentKind, valid_until: Option<NaiveDate>) -> EligibilityRecord {
        use crate::eligibility::{CopayRate, InsurerNumber, Relationship};
        EligibilityRecord {
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
            lost_on: None,
        }
    }

    fn public_expense(name: &str) -> EligibilityRecord {
        EligibilityRecord {
            insurer_name: name.into(),
            ..record(DocumentKind::PublicExpense, Some(d(2027, 3, 31)))
        }
    }

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

    /// What the household typed by hand gets, with no card check: 本人 and spouse with an
    /// お知らせ, a child with a 資格確認書 and a こども医療証. Every clinic situation names the
    /// card or the 資格確認書 first, and never 10割.
    #[test]
    fn hand_typed_household_without_card_checks() {
        let adult = person(d(1985, 4, 12));
        let child = person(d(2019, 6, 1));
        let notice = [record(DocumentKind::Notice, None)];
        let child_records = [
            record(DocumentKind::Certificate, Some(d(2030, 11, 30))),
            public_expense("こども医療費受給者証"),
        ];
        let mut parent = MemberSituation::from_data(&adult, &notice, None, TODAY);
        parent.app_copy = Some(AppCopy::Unverified);
        let kid = MemberSituation::from_data(&child, &child_records, None, TODAY);
        for (name, clinic) in ClinicSituation::ALL {
            let g = guidance(&parent, &clinic, TODAY);
            let want = if clinic.can_check_online() {
                vec![CardAtReader, NoticeWithCard, AppCopyWithCard]
            } else {
                vec![NoticeWithCard, AppCopyWithCard]
            };
            assert_eq!(presented(&g), want, "{name}");
            assert!(
                g.options[0].explanation.contains("マイナンバーカード"),
                "{name}"
            );
            assert!(
                g.options.iter().all(|o| !o.explanation.contains("10割")),
                "{name}"
            );
            assert!(g.to_do.is_empty(), "{name}");
            assert!(
                g.card_check
                    .as_deref()
                    .unwrap()
                    .contains("まだ確認していません"),
                "{name}"
            );
            let copy = &g.options[g.options.len() - 1];
            assert!(
                copy.never_alone && copy.explanation.contains("写し"),
                "{name}"
            );
            assert!(!copy.explanation.contains("署名を確認"), "{name}");

            let g = guidance(&kid, &clinic, TODAY);
            assert_eq!(presented(&g), [QualificationCertificate], "{name}");
            assert!(!g.options[0].never_alone);
            assert!(g.options[0].explanation.contains("紙の資格確認書"));
            assert_eq!(g.also_present.len(), 1, "{name}");
            assert!(g.also_present[0].starts_with("こども医療費受給者証も一緒に"));
            assert_eq!(g.card_check, None, "no card on record");
        }
    }

    /// Never 10割 for a member whose card works as a マイナ保険証 or who holds an in-date
    /// 資格確認書, whatever else they hold and whatever the clinic's situation; and the first
    /// option then names the card or the 資格確認書.
    #[test]
    fn never_full_payment_with_a_working_card_or_a_certificate() {
        let states = [
            None,
            Some(ExpiryState::Valid),
            Some(ExpiryState::ExpiringSoon),
            Some(ExpiryState::InGrace),
            Some(ExpiryState::Ended),
        ];
        let mut checked = 0;
        for bits in 0..64u32 {
            for certificate in states {
                for card in states {
                    let bit = |n: u32| bits & (1 << n) != 0;
                    let m = MemberSituation {
                        has_card: bit(0),
                        registered: bit(1),
                        certificate,
                        card,
                        has_qualification_certificate: bit(2),
                        has_notice: bit(3),
                        has_phone_screen: bit(4),
                        app_copy: bit(5).then_some(AppCopy::Unverified),
                        ..nothing()
                    };
                    for (name, clinic) in ClinicSituation::ALL {
                        let g = guidance(&m, &clinic, TODAY);
                        assert!(!g.options.is_empty());
                        if m.myna_usable() || m.has_qualification_certificate {
                            checked += 1;
                            assert!(
                                !presented(&g).contains(&FullPaymentThenClaim),
                                "{name} {m:?}"
                            );
                            let first = &g.options[0].explanation;
                            assert!(
                                first.contains("マイナンバーカード")
                                    || first.contains("資格確認書"),
                                "{name} {m:?}"
                            );
                        }
                        for o in &g.options {
                            assert_eq!(o.never_alone, o.presentation.never_alone());
                            if o.never_alone {
                                assert!(o.explanation.contains("マイナンバーカードと一緒に"));
                            }
                        }
                    }
                }
            }
        }
        assert!(checked > 1000, "{checked}");
    }

    /// An issuer-signed copy is named as signed; a hand-entered one as a copy.
    #[test]
    fn app_screen_named_honestly() {
        let signed = MemberSituation {
            has_notice: true,
            app_copy: Some(AppCopy::IssuerSigned),
            ..myna()
        };
        let g = guidance(&signed, &READER_DOWN, TODAY);
        assert_eq!(presented(&g), [NoticeWithCard, AppSignedWithCard]);
        assert!(g.options[1].explanation.contains("電子署名を確認"));
        assert!(!g.options[1].explanation.contains("写し"));
        // A copy is never offered without a working card.
        let no_card = MemberSituation {
            certificate: Some(ExpiryState::Ended),
            ..signed
        };
        assert_eq!(
            presented(&guidance(&no_card, &READER_DOWN, TODAY)),
            [FullPaymentThenClaim]
        );
    }

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
    fn certificate_first_unless_the_card_works() {
        // Unregistered card and a 資格確認書, working reader: the 資格確認書 first, then
        // registering at the reader.
        let both = MemberSituation {
            registered: false,
            has_qualification_certificate: true,
            ..myna()
        };
        assert_eq!(
            presented(&guidance(&both, &ClinicSituation::NORMAL, TODAY)),
            [QualificationCertificate, CardAtReader]
        );
        assert_eq!(
            presented(&guidance(&both, &NO_READER, TODAY)),
            [QualificationCertificate]
        );
    }

    #[test]
    fn card_check_adds_certainty() {
        let s = MemberSituation {
            phone_check: Some(PhoneCheck {
                checked_on: d(2026, 11, 20),
                test_anchor: false,
            }),
            ..myna()
        };
        let g = guidance(&s, &ClinicSituation::NORMAL, TODAY);
        let text = g.card_check.unwrap();
        assert!(text.contains("令和8年11月20日") && text.contains("電子証明書は有効"));
        assert!(text.contains("暗証番号も使えました") && !text.contains("テスト用"));
        // Unchecked: the same options.
        let g2 = guidance(&myna(), &ClinicSituation::NORMAL, TODAY);
        assert_eq!(
            presented(&g2),
            presented(&guidance(&s, &ClinicSituation::NORMAL, TODAY))
        );
        assert!(g2.card_check.unwrap().contains("受診に確認は要りません"));
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
    }
}
