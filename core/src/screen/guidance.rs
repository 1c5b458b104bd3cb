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

use std::borrow::Cow;

use chrono::NaiveDate;
use serde::Serialize;

use super::calendar::ExpiryState;
use super::text_ja::{self, JoinAfterLoss};
use super::to_do::to_do;
use super::wareki::format_wareki;

// The switch checklist was first defined here; its paths under `screen::guidance` stay valid.
pub use super::checklist::{
    Answer, ChecklistStep, STEP1_QUESTION, STEP2_QUESTION, STEP3_NOTE, STEP3_QUESTION,
    SwitchChecklist, TODO1, TODO2, TODO3, TodoItem, TodoStatus, switch_checklist,
};
// What the member holds and what to do outside the clinic were first defined here; their paths
// under `screen::guidance` stay valid.
pub use super::situation::{AppCopy, DependentStatusLoss, MemberSituation, PhoneCheck};
pub use super::to_do::{GuidanceAction, GuidanceStep};

/// The last day any old 健康保険証 could be used: issued ones stayed valid to their printed
/// expiry, at most 2025-12-01 (改正法の経過措置; notice C, docs/dates.md).
pub const OLD_INSURANCE_CARD_LAST_DAY: NaiveDate = match NaiveDate::from_ymd_opt(2025, 12, 1) {
    Some(d) => d,
    None => panic!("constant date"),
};

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

    /// The situation's short name in Japanese, for a heading or a picker (停電, 通信障害, …);
    /// named by its first problem in the order of [`ClinicSituation::problem_ja`].
    pub fn label_ja(&self) -> &'static str {
        if !self.reader_present {
            "カードリーダーのない医療機関"
        } else if !self.power {
            "停電"
        } else if !self.reader_working {
            "カードリーダーの故障"
        } else if !self.network {
            "通信障害"
        } else {
            "通常（カードリーダーが使える）"
        }
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

const CARD_AT_READER: &str = "受付の顔認証付きカードリーダーにマイナンバーカードを置き、\
     顔認証または暗証番号で本人確認をしてください。";
/// Added to the reader's options after the coverage ended.
const READER_AFTER_LOSS: &str = "資格を喪失した保険の情報では受診できません。新しい保険の加入手続きが\
     済んでいれば、その資格で確認されます。";
const REGISTER_AT_READER: &str = "マイナンバーカードをカードリーダーに置いてください。\
     保険証利用の申込みがまだなら、その場で申し込んでから使えます。";
const QUALIFICATION_CERTIFICATE: &str = "資格確認書を窓口で見せてください。資格確認書だけで受診できます\
     （カードリーダーは要りません）。";
const PHONE_SCREEN: &str = "スマートフォンでマイナポータルの資格情報画面（保存したPDFでも可）を開き、\
     マイナンバーカードと一緒に見せてください。画面だけでは受診できません。";
/// [`PHONE_SCREEN`] for a member with a working マイナ保険証 whose マイナポータル screen this app
/// has not recorded: every registered holder can open it — 「マイナポータルでオンライン資格確認等
/// システムに登録されているご自身の資格情報を確認することができます。「資格情報のお知らせ」を携帯して
/// いないときも、事前にマイナポータルから医療保険の資格情報をダウンロードしておくと、スマートフォン
/// さえあれば、資格情報を見ることができます」 (a 健康保険組合's 「マイナ保険証特設ページ」,
/// docs/guidance.md §2) — and the desk ranks it
/// above the お知らせ (docs/guidance.md §2 item 2, spec clinic.md §1); it needs the phone's network
/// and a login with the card, hence "if you can open it".
const PHONE_SCREEN_IF_YOU_CAN: &str = "スマートフォンでマイナポータルにログインできるなら\
     （スマートフォンの通信とマイナンバーカードが要ります）、資格情報画面（事前に保存したPDFでも可）を\
     開き、マイナンバーカードと一緒に見せてください。画面だけでは受診できません。";
const NOTICE: &str = "資格情報のお知らせを、マイナンバーカードと一緒に見せてください。\
     お知らせだけでは受診できません。";
/// Before the 10割 of a member who holds an お知らせ or a 資格情報 screen (マイナポータル, this
/// app's copy) but whose card does not work as a マイナ保険証: each is shown only together with
/// that card ([`NOTICE`]; `docs/guidance.md` §1), so holding one is not a way in.
const COPY_NEEDS_WORKING_CARD: &str = "資格情報のお知らせや資格情報の画面は、マイナ保険証として\
     使えるカードと一緒に見せるものなので、今は窓口で使えません。";
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
/// [`DECLARATION_FORM`] for a member aged 75 or over with no 後期高齢者医療 record in force: the
/// insurance they belong to is 後期高齢者医療 (高齢者の医療の確保に関する法律 §50, §52(1)), not the
/// recorded one, and a 申立書 declares the insurance of now (spec clinic.md §1 item 5); its share
/// (1〜3割, §67) is not known to the app.
pub(super) const DECLARATION_AT_75: &str = "マイナンバーカードで資格を確認できないときは、窓口で\
     「被保険者資格申立書」に記入すれば、通常の負担割合で受診できます。75歳からは後期高齢者医療\
     制度の加入者なので、申立書には後期高齢者医療（お住まいの都道府県の後期高齢者医療広域連合）を\
     書いてください。それまでの保険は書かないでください。";
const FULL_PAYMENT: &str = "保険証として使えるものがありません。いったん全額（10割）を支払い、\
     後で保険者に療養費を申請してください。マイナ保険証を使えない方には\
     資格確認書が交付されるので、保険者に問い合わせてください。";
/// With nothing recorded for the member ([`MemberSituation::nothing_recorded`]) the app does
/// not know what they hold: what would work, and the 10割 only when none of it is at hand.
/// Worded for every clinic situation: the マイナ保険証 without a working reader needs the
/// マイナポータル screen or the お知らせ with it, or the 申立書 (docs/guidance.md §2).
const NOTHING_RECORDED: &str = "この方の保険の情報は、このアプリにまだ入力されていません。\
     資格確認書をお持ちなら、それを窓口で見せてください（資格確認書だけで受診できます）。\
     マイナ保険証（保険証利用登録をしたマイナンバーカード）をお持ちなら、カードリーダーで\
     読めないときは、マイナポータルの資格情報画面か資格情報のお知らせと一緒に見せるか、\
     窓口で「被保険者資格申立書」に記入してください。どれもないときは、いったん全額（10割）を\
     支払い、後で加入している保険者に療養費を申請してください。資格確認書か資格情報のお知らせの\
     内容、または保険証利用登録の有無を入力すると、ここに見せるものが出ます。";
/// [`FULL_PAYMENT`] for a member with no insurance document recorded
/// ([`MemberSituation::no_insurance_document`]) but something else known (their word on the
/// 保険証利用登録, or a card): the app does not know which paper they hold, and a member without a
/// マイナ保険証 is sent a 資格確認書 (notice A: 「交付申請は不要」; notice D), so it is asked for
/// first and 10割 is only for when none is at hand — not 「保険証として使えるものがありません」.
const NO_DOCUMENT_RECORDED: &str = "資格確認書は、このアプリにまだ入力されていません。マイナ保険証を\
     お持ちでない方には、保険者から資格確認書が送られます（申請が要らない保険者もあります）。\
     お持ちなら、それを窓口で見せてください（資格確認書だけで受診できます）。見当たらないときは、\
     いったん全額（10割）を支払い、後で加入している保険者に療養費を申請し、資格確認書のことも\
     問い合わせてください。資格確認書の内容を入力すると、ここに見せるものが出ます。";
/// [`FULL_PAYMENT`] for a member whose recorded 資格確認書 is past its 有効期限 (not lost, not ended
/// at 75) with nothing else usable ([`MemberSituation::qualification_certificate_expired`]): the
/// member is still insured, and the insurer renews the 資格確認書 (健康保険法施行規則 §50 検認・更新,
/// eligibility research §1 [S18][S19]; a 国保's is yearly, [S51]), so the new one — delivered but
/// not typed in — is asked for first, as the to-do step asks the insurer whether it has been sent.
const FULL_PAYMENT_CERTIFICATE_EXPIRED: &str = "記録の資格確認書は有効期限が過ぎています。新しい\
     資格確認書が届いていれば、それを窓口で見せてください（資格確認書だけで受診できます）。\
     見当たらないときは、いったん全額（10割）を支払い、後で加入している保険者に療養費を申請してください。\
     新しい資格確認書を入力すると、ここに見せるものが出ます。";
/// [`FULL_PAYMENT_CERTIFICATE_EXPIRED`] when the new 資格確認書 is already recorded but starts
/// later (a gap after the old one's 有効期限): it has come, so it is not asked for, and it must
/// not be shown before its first day ([`not_started_text`] follows with that day).
const FULL_PAYMENT_CERTIFICATE_EXPIRED_NEW_ONE_LATER: &str = "記録の資格確認書は有効期限が過ぎていて、\
     入力済みの新しい資格確認書はまだ使えません。それが使えるようになる前に受診するときは、いったん\
     全額（10割）を支払い、後で加入している保険者に療養費を申請してください。";
/// [`FULL_PAYMENT`] when the member's 資格確認書 is recorded but starts later, with nothing before
/// it (the first one typed in before its 有効開始年月日): it has come, so it is not asked of the
/// insurer ([`not_started_text`] follows with its first day).
const FULL_PAYMENT_NEW_ONE_LATER: &str = "入力済みの資格確認書はまだ使えません。それが使えるようになる前に\
     受診するときは、いったん全額（10割）を支払い、後で加入している保険者に療養費を申請してください。";
/// [`FULL_PAYMENT_NEW_ONE_LATER`] for a member under 75 whose recorded 後期高齢者医療 record
/// starts on `from` ([`MemberSituation::late_elderly_from`]): until then the insurance they hold
/// now covers them (高齢者の医療の確保に関する法律 §52(1)), not recorded here, so its
/// 資格確認書 or the マイナ保険証 is what to show; 10割 only without either. When that insurance
/// is recorded but its 資格確認書 is past its 有効期限 (`current_expired`:
/// [`MemberSituation::qualification_certificate_expired`]), it is not asked to be entered: the
/// new one is asked of its insurer, as for any expired 資格確認書 (docs/guidance.md §2).
fn before_late_elderly(from: NaiveDate, current_expired: bool, myna_possible: bool) -> String {
    // The マイナ保険証 named only when the member may hold one (registered, or not known): one
    // who said they hold none is not sent to it.
    let (or_myna, either) = if myna_possible {
        ("か、マイナ保険証", "どちらも")
    } else {
        ("", "")
    };
    let what = if current_expired {
        format!(
            "入力済みの今の保険の資格確認書は有効期限が過ぎています。新しい資格確認書が届いていないか\
             今の保険の保険者に確認し、届いたらそれ{or_myna}を窓口で見せてください（新しい\
             資格確認書を入力すると、ここに見せるものが出ます）。"
        )
    } else {
        format!(
            "その資格確認書{or_myna}を窓口で見せてください（今の保険をこのアプリに入力すると、\
             ここに見せるものが出ます）。"
        )
    };
    format!(
        "後期高齢者医療は{}からです。それまでは今の保険（国民健康保険や勤め先の健康保険など）が\
         使えます。{what}{either}ないときは、いったん全額（10割）を支払い、後で今の保険の\
         保険者に療養費を申請してください。",
        format_wareki(from)
    )
}

/// When the clinic cannot read cards and the app does not know whether the member's card is
/// registered (`MemberSituation::registration_unknown`: nothing said, no お知らせ or マイナポータル
/// record — a 後期 資格確認書 alone among them, which everyone got until 2026-07-31 and, since
/// 2026-08, a holder of a マイナ保険証 gets an お知らせ in place of): a registered card goes with
/// the マイナポータル screen or the お知らせ (seed 003: 「スマホのみでの受診は不可」), before 10割.
const IF_REGISTERED_OFFLINE: &str = "マイナンバーカードを保険証として登録しているなら、\
     マイナポータルの資格情報画面（事前に保存したPDFでも可）か資格情報のお知らせを、カードと一緒に\
     見せてください（画面やお知らせだけでは受診できません）。";

/// [`REGISTER_AT_READER`] when the app does not know whether the member has a card.
const UNKNOWN_CARD_AT_READER: &str = "マイナンバーカードをお持ちなら、カードリーダーに置いてください。\
     保険証利用の申込みがまだなら、その場で申し込んでから使えます。";
/// [`FULL_PAYMENT`] for a member whose 資格確認書 ended the day before the 75th birthday: the
/// 保険者 is now the 後期高齢者医療広域連合, whose counter is at the 市区町村 — not the insurer
/// printed on the old document (高齢者の医療の確保に関する法律 §48, §52(1)).
/// The 後期高齢者医療広域連合 sends its 資格確認書 to a new member without a マイナ保険証 (a
/// 被保険者 from the 75th birthday, 高齢者の医療の確保に関する法律 §52(1); eligibility research §4
/// [S53] on its 資格確認書), so it is asked for first, as an expired one's renewal is.
pub(super) const FULL_PAYMENT_AT_75: &str = "75歳からは後期高齢者医療制度の加入者です。後期高齢者医療の\
     資格確認書が届いていれば、それを窓口で見せてください（資格確認書だけで受診できます）。\
     見当たらないときは、いったん全額（10割）を支払い、後で療養費を申請してください。\
     療養費の申請も資格確認書の問い合わせも、お住まいの市区町村の後期高齢者医療の窓口です。";
/// Before [`FULL_PAYMENT_AT_75`] for a member of 75 or over whose recorded insurance was lost
/// (a 後期 one on a move to another prefecture among them): the 資格確認書 the text asks for is
/// the new one, not the lost one (docs/rules.md §3.3).
const LOST_CERTIFICATE: &str =
    "資格を喪失した保険の資格確認書は使えません（新しく届いたものだけが使えます）。";

/// The 10割 of a member of 75 or over whose recorded insurance was lost: [`LOST_CERTIFICATE`]
/// and [`FULL_PAYMENT_AT_75`].
fn late_elderly_after_loss() -> String {
    format!("{LOST_CERTIFICATE}{FULL_PAYMENT_AT_75}")
}

/// [`PHONE_SCREEN_IF_YOU_CAN`] for a member whose every recorded insurance has ended (a
/// 資格喪失日, or a 被扶養者 whose 被保険者 turned 75): the マイナポータル screen shows the new
/// insurance only once the new insurer has registered the member (seed 001: 「※新しい保険者による
/// マイナンバーの資格登録が必要です」; seed 002 A17: about 5 days after the 届出); the ended one does
/// not get them seen (docs/rules.md §3.3).
const PHONE_SCREEN_AFTER_LOSS: &str = "新しい保険に加入し、その保険者の登録が済んでいれば、\
     マイナポータルの資格情報画面に新しい保険が表示されます。スマートフォンでマイナポータルに\
     ログインできるなら（スマートフォンの通信とマイナンバーカードが要ります）、その画面を\
     マイナンバーカードと一緒に見せてください。画面だけでは受診できません。\
     表示が資格を喪失した保険のままなら、その画面はまだ使えません。";
/// Where a member goes whose every recorded insurance has ended, when that insurance is not
/// 後期高齢者医療 (`MemberSituation::next_is_late_elderly` has its own texts): the texts of the
/// 申立書 and the 10割 options say which insurance the member joins next and where the 療養費 is
/// claimed, never the insurer of the ended record for that status (docs/rules.md §1.4, §3.3).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum NextInsurance<'a> {
    /// The member's own 被用者保険 ended by its 資格喪失日: 国保 at the 市区町村 (国民健康保険法
    /// §7: from the day the other coverage ends; §54 療養費), a new employer's insurance or a
    /// family member's as 被扶養者 (健康保険法 §87, §110), or 任意継続 with the same insurer
    /// (`text_ja::JoinAfterLoss::Continuation`, `MutualAid`), which starts on the 資格喪失日 as a
    /// new 資格 with new documents. `continuation_open`: it can still be applied for today, so
    /// one who has not joined anything yet may still choose it.
    Own { continuation_open: bool },
    /// The member's own coverage with no 任意継続 ended (a 国保 on a move or a job, a 被扶養者's
    /// own record, a 障害認定's 後期 record under 75): as [`NextInsurance::Own`] without it.
    /// `disability`: the 後期 record of a 障害認定, so 後期高齢者医療 by a new application is named
    /// beside the rest, as the notice and the to-do say (`JoinAfterLoss::Disability`).
    OwnOther { disability: bool },
    /// A 被扶養者 whose 被保険者 turned 75 and moved to 後期高齢者医療: 国保 or the family member's
    /// insurance whose 被扶養者 they become (健康保険法 §110); their former 被扶養者 status no
    /// longer covers them (docs/rules.md §1.4 "Dependents"), though that family member may be on
    /// the same insurer. Also one whose 被保険者 lost that insurance and joined one without
    /// 被扶養者 of their own, typed in (国保, 後期, or as someone else's 被扶養者:
    /// `MemberSituation::via_insured`).
    DependentAt75,
    /// A 被扶養者 whose 被保険者 lost that insurance: the 被保険者's new insurance as their
    /// 被扶養者 (a new employer's, or — `continuation`, where that insurance has it — 任意継続:
    /// the same insurer, new documents; `named` when typed in), or 国保. `insured`: what that
    /// insurance calls the 被保険者 (`Scheme::insured_person_ja`: 組合員 for a 共済).
    DependentWithInsured {
        continuation: bool,
        insured: &'static str,
        named: Option<&'a str>,
    },
}

impl<'a> NextInsurance<'a> {
    /// `None` while some recorded insurance has not ended, and for a member of 75 or over
    /// (`MemberSituation::late_elderly`: 後期高齢者医療 again, the `…_AT_75` texts).
    fn of(member: &'a MemberSituation, today: NaiveDate) -> Option<NextInsurance<'a>> {
        if member.dependent_status_lost_on.is_some() {
            Some(match member.via_insured() {
                Some(continuation) => NextInsurance::DependentWithInsured {
                    continuation,
                    insured: member.insured_person_ja(),
                    named: member.insured_next_named(),
                },
                None => NextInsurance::DependentAt75,
            })
        } else {
            match member.join_after_loss()? {
                JoinAfterLoss::Continuation | JoinAfterLoss::MutualAid => {
                    Some(NextInsurance::Own {
                        continuation_open: member.continuation_open(today),
                    })
                }
                join @ (JoinAfterLoss::Other | JoinAfterLoss::Disability) => {
                    Some(NextInsurance::OwnOther {
                        disability: join == JoinAfterLoss::Disability,
                    })
                }
                JoinAfterLoss::LateElderly => None,
            }
        }
    }

    /// The insurance beside a new employer's, a family member's and 国保: 「任意継続、」 where
    /// the member may have chosen it (a 被用者保険 lost) — for what they may still join, only
    /// while it can be applied for (`open_only`) — and 後期 by a 障害認定.
    fn also(self, open_only: bool) -> &'static str {
        match self {
            NextInsurance::Own { continuation_open } if continuation_open || !open_only => {
                "任意継続、"
            }
            NextInsurance::OwnOther { disability: true } => "後期高齢者医療（障害認定）、",
            _ => "",
        }
    }

    /// The insurance the member may have joined already, as the 申立書 would name it.
    fn joined(self) -> String {
        match self {
            NextInsurance::Own { .. } | NextInsurance::OwnOther { .. } => format!(
                "新しい勤務先の健康保険、{}ご家族の健康保険の被扶養者、\
                 または市区町村で手続きをした国民健康保険",
                self.also(false)
            ),
            NextInsurance::DependentAt75 => {
                "市区町村で手続きをした国民健康保険、またはご家族の健康保険の被扶養者".into()
            }
            NextInsurance::DependentWithInsured {
                continuation,
                insured,
                named,
            } => format!(
                "{}の被扶養者、または市区町村で手続きをした国民健康保険",
                text_ja::insured_new_insurance(insured, continuation, named)
            ),
        }
    }

    /// Where the 療養費 is claimed: by one who may not have joined yet (`before_joining`: 任意継続
    /// only while it can be applied for), or by one with nothing usable, who may have joined it
    /// in time and wait for its documents.
    fn claim_to(self, before_joining: bool) -> String {
        match self {
            NextInsurance::Own { .. } | NextInsurance::OwnOther { .. } => format!(
                "お住まいの市区町村の国民健康保険、{}勤務先やご家族の健康保険",
                self.also(before_joining)
            ),
            NextInsurance::DependentAt75 => {
                "お住まいの市区町村の国民健康保険か、被扶養者になるご家族の健康保険".into()
            }
            NextInsurance::DependentWithInsured {
                continuation,
                insured,
                named,
            } => format!(
                "{}か、お住まいの市区町村の国民健康保険",
                text_ja::insured_new_insurance(insured, continuation, named)
            ),
        }
    }

    /// Why the ended record's insurer is not where the 療養費 goes: who is before what.
    fn not_claimed(self) -> (Cow<'static, str>, &'static str) {
        const LOST: &str = "資格を喪失した保険の資格では申請できません。";
        match self {
            NextInsurance::Own { .. } | NextInsurance::OwnOther { .. } => ("".into(), LOST),
            // The lost 資格, not the insurer: the family member whose 被扶養者 they become may
            // be on that same insurer (one 協会けんぽ 支部, one company's 健保組合; review of
            // 2026-11-30).
            NextInsurance::DependentAt75 => (
                "被扶養者の資格がなくなったため、".into(),
                "これまでの資格では申請できません。",
            ),
            NextInsurance::DependentWithInsured { insured, .. } => (
                format!("{insured}とともに被扶養者の資格もなくなったため、").into(),
                LOST,
            ),
        }
    }

    /// What the 申立書 must not name.
    fn not_declared(self) -> &'static str {
        match self {
            NextInsurance::Own { .. } | NextInsurance::OwnOther { .. } => {
                "資格を喪失した保険を書かないでください。"
            }
            NextInsurance::DependentAt75 | NextInsurance::DependentWithInsured { .. } => {
                "被扶養者だったこれまでの保険を書かないでください。"
            }
        }
    }

    /// [`DECLARATION_FORM`] after the coverage ended: a 被保険者資格申立書 declares the insurance
    /// the patient belongs to now — insurer or employer — and the claim is matched to that
    /// insurer afterwards (spec clinic.md §1 item 5; the form asks for 保険種別, 保険者名,
    /// 事業所名: docs/rules.md §3.3's sources), so it is true only for the insurance joined next,
    /// and it is the way for a member whose new insurer has not registered them yet (one of the
    /// causes MHLW lists: 資格(無効)/資格情報なし while the insurer's data is being registered).
    /// Naming the ended insurance would declare coverage that has ended (INFERENCE: its insurer
    /// pays nothing from that day, docs/rules.md §3.3).
    fn declaration(self) -> String {
        format!(
            "新しい保険にもう加入しているなら（{}）、新しい保険者の登録がまだでカードで確認できなく\
             ても、窓口で「被保険者資格申立書」にその新しい保険を書いて記入すれば、通常の負担割合で\
             受診できます。申立書は今加入している保険を申し立てるものなので、{}",
            self.joined(),
            self.not_declared()
        )
    }

    /// The last option of a member who may not have joined new insurance yet: no 申立書 is
    /// true then; 10割, and the 療養費 claim to the insurance joined next.
    fn full_payment_before_joining(self) -> String {
        let not_claimed = self.not_claimed();
        format!(
            "まだ新しい保険に加入していないときは、いったん全額（10割）を支払い、加入してから、\
             その保険（{}）に療養費を申請してください。{}{}",
            self.claim_to(true),
            not_claimed.0,
            not_claimed.1
        )
    }

    /// The 申立書 of `next`, or with none (75 or over: 後期 again, or 75 with no 後期 record)
    /// [`DECLARATION_AT_75`].
    fn declaration_for(next: Option<NextInsurance>) -> String {
        next.map_or_else(|| DECLARATION_AT_75.into(), NextInsurance::declaration)
    }

    /// [`NextInsurance::full_payment_before_joining`] of `next`, or with none (75 or over)
    /// [`late_elderly_after_loss`].
    fn before_joining_for(next: Option<NextInsurance>) -> String {
        next.map_or_else(
            late_elderly_after_loss,
            NextInsurance::full_payment_before_joining,
        )
    }

    /// [`FULL_PAYMENT`] when nothing else is usable.
    fn full_payment(self) -> String {
        let not_claimed = self.not_claimed();
        format!(
            "保険証として使えるものがありません。いったん全額（10割）を支払い、後で療養費を\
             申請してください。申請先は新しく加入する保険（{}）です。{}{}",
            self.claim_to(false),
            not_claimed.0,
            not_claimed.1
        )
    }
}

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
/// - Nothing recorded yet ([`MemberSituation::nothing_recorded`]) → not "nothing usable": the
///   card at the reader if the member has one (when the clinic can check online), else what
///   would work, and the 10割 only when none of it is at hand — with the hint to enter the
///   documents.
/// - Every recorded insurance ended (a 資格喪失日, or a 被扶養者 whose 被保険者 turned 75) with a
///   working マイナ保険証 → the card and the マイナポータル screen work once the new insurer has
///   registered the member; the 申立書 only for the new insurance already joined, never the ended
///   one; last, 10割 for when no new insurance has been joined yet (docs/guidance.md §2).
/// - Nothing usable → pay in full and claim 療養費. Never for a member whose card works as a
///   マイナ保険証 or who holds a 資格確認書 in force (`calendar::record_in_force`), except last
///   for the member above.
pub fn guidance(member: &MemberSituation, clinic: &ClinicSituation, today: NaiveDate) -> Guidance {
    let online = clinic.can_check_online();
    let myna = member.myna_usable();
    let coverage_ended =
        member.coverage_lost_on.is_some() || member.dependent_status_lost_on.is_some();
    let next = NextInsurance::of(member, today);
    let mut options = Vec::new();

    // At the reader after the coverage ended: only the new insurance, once its insurer has
    // registered the member (docs/rules.md §3.3).
    let at_reader = |text: &str| {
        if coverage_ended {
            format!("{text}{READER_AFTER_LOSS}")
        } else {
            text.to_string()
        }
    };
    if online && myna {
        let mut text = at_reader(CARD_AT_READER);
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
        options.push(option(
            Presentation::CardAtReader,
            at_reader(REGISTER_AT_READER),
        ));
    }

    let mut certificate = member.has_qualification_certificate.then(|| {
        option(
            Presentation::QualificationCertificate,
            certificate_text(member),
        )
    });
    if !online || !myna {
        options.extend(certificate.take());
    }
    if register_here && member.has_qualification_certificate {
        options.push(option(
            Presentation::CardAtReader,
            at_reader(REGISTER_AT_READER),
        ));
    }

    if myna {
        // Every registered holder can open the マイナポータル screen; worded "if you can" when
        // this app has not recorded it (the 申立書 stays the way on below).
        options.push(option(
            Presentation::PhoneScreenWithCard,
            if member.has_phone_screen {
                PHONE_SCREEN
            } else if coverage_ended {
                PHONE_SCREEN_AFTER_LOSS
            } else {
                PHONE_SCREEN_IF_YOU_CAN
            },
        ));
        if member.has_notice {
            options.push(option(Presentation::NoticeWithCard, notice_text(member)));
        } else if !member.notices_named.not_started.is_empty() {
            // Only an お知らせ that starts later is recorded (a 後期 one mailed before the 75th
            // birthday, a new insurer's before its 資格取得日): until then the insurance held
            // now covers the member, and its own お知らせ, if at hand, goes with the card
            // (seed 003: 「資格情報のお知らせ＋マイナンバーカード」).
            options.push(option(
                Presentation::NoticeWithCard,
                notice_not_started_text(member),
            ));
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
        options.push(option(
            Presentation::DeclarationForm,
            // At 75 the insurance is 後期高齢者医療 whatever ended the recorded one (a 資格喪失日
            // typed for the 75th birthday among them, or a 後期 record lost on a move).
            if next.is_some() || member.next_is_late_elderly() {
                NextInsurance::declaration_for(next)
            } else {
                DECLARATION_FORM.into()
            },
        ));
        if coverage_ended {
            // The 申立書 is true only once new insurance has been joined.
            options.push(option(
                Presentation::FullPaymentThenClaim,
                NextInsurance::before_joining_for(next),
            ));
        }
    }

    // A card registered at the reader after the coverage ended finds the new insurance only
    // once its insurer has registered the member: when the reader is all there is, the 申立書 of
    // the insurance already joined (the card is then a マイナ保険証 whose 資格 the reader cannot
    // confirm) and the 10割 of the insurance joined next stay as the ways on.
    if coverage_ended
        && !options.is_empty()
        && options
            .iter()
            .all(|o| o.presentation == Presentation::CardAtReader)
    {
        options.push(option(
            Presentation::DeclarationForm,
            NextInsurance::declaration_for(next),
        ));
        options.push(option(
            Presentation::FullPaymentThenClaim,
            NextInsurance::before_joining_for(next),
        ));
    }

    if options.is_empty() && member.nothing_recorded {
        if online {
            options.push(option(Presentation::CardAtReader, UNKNOWN_CARD_AT_READER));
        }
        options.push(option(Presentation::FullPaymentThenClaim, NOTHING_RECORDED));
    }
    if options.is_empty() {
        let after_loss = next.map(NextInsurance::full_payment).or_else(|| {
            (member.join_after_loss() == Some(JoinAfterLoss::LateElderly))
                .then(late_elderly_after_loss)
        });
        let before_late = member.late_elderly_next().map(|from| {
            before_late_elderly(
                from,
                member.qualification_certificate_expired,
                member.registered || member.registration_unknown,
            )
        });
        let text = if let Some(after_loss) = &after_loss {
            after_loss
        } else if let Some(before_late) = &before_late {
            before_late
        } else if member.qualification_certificate_ended_at_75 {
            FULL_PAYMENT_AT_75
        } else if member.no_insurance_document {
            NO_DOCUMENT_RECORDED
        } else if member.qualification_certificate_expired
            && !member.certificates_not_started.is_empty()
        {
            FULL_PAYMENT_CERTIFICATE_EXPIRED_NEW_ONE_LATER
        } else if member.qualification_certificate_expired {
            FULL_PAYMENT_CERTIFICATE_EXPIRED
        } else if !member.certificates_not_started.is_empty() {
            FULL_PAYMENT_NEW_ONE_LATER
        } else {
            FULL_PAYMENT
        };
        // Whether the card is registered is not known (a 後期 資格確認書 alone, nothing said):
        // if it is, the reader confirms the member, and without a reader the screen or the
        // お知らせ goes with the card; say so before 10割.
        if member.registration_unknown
            && !coverage_ended
            && member.card.is_none_or(ExpiryState::usable_as_insurance)
            && member
                .certificate
                .is_none_or(ExpiryState::usable_as_insurance)
        {
            options.push(if online {
                option(Presentation::CardAtReader, UNKNOWN_CARD_AT_READER)
            } else {
                option(Presentation::PhoneScreenWithCard, IF_REGISTERED_OFFLINE)
            });
        }
        // A 資格確認書 that starts later is not usable today; say from when it is. An お知らせ or
        // a screen held goes only with a card that works as a マイナ保険証 (the option `NOTICE`):
        // without one, say why it is not offered, before 「使えるものがありません」.
        let copy_held = !myna
            && !coverage_ended
            && (member.has_notice || member.has_phone_screen || member.app_copy.is_some());
        options.push(option(
            Presentation::FullPaymentThenClaim,
            format!(
                "{}{text}{}",
                if copy_held {
                    COPY_NEEDS_WORKING_CARD
                } else {
                    ""
                },
                not_started_text(member)
            ),
        ));
    }
    // 10割 alone has nothing to show the 医療証 with — unless its text asks to show a 資格確認書
    // that may have come (an expired one, or none recorded): the 医療証 goes with that one.
    let full_payment_only = options
        .iter()
        .all(|o| o.presentation == Presentation::FullPaymentThenClaim)
        && !((member.qualification_certificate_expired || member.no_insurance_document)
            && !coverage_ended);

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
        card_check: card_check_text(member, today),
        to_do: to_do(member, today),
    }
}

/// The 資格確認書 option's text: [`QUALIFICATION_CERTIFICATE`] when one 資格確認書 is recorded;
/// when more are (at 75 the former insurer's, cut the day before the birthday, beside the
/// 後期高齢者医療 one: docs/dates.md §4), it names the one in force to show and each ended one
/// not to show — the desk would turn an ended one away (docs/clinic.md, 有効期限切れ（資格）).
fn certificate_text(member: &MemberSituation) -> String {
    // What the screen is: a copy, or — for a signed one that verifies — what the desk says of
    // its QR code (`clinic::DeskOutcome::basis_ja`, `sections::fixed_notice`).
    let screen = if member.signed_certificate {
        "見せるのは紙の資格確認書です。紙がないときは、署名を確認したこのアプリの画面（QRコード）を\
         医療機関が読み取って内容を確かめられることがありますが、紙の代わりに受け付けるかどうかは\
         医療機関の判断です。"
    } else {
        "見せるのは紙の資格確認書です。このアプリの画面は写しで、資格確認書の代わりにはなりません。"
    };
    let share = share_text(member, "資格確認書");
    if member.certificates_in_force.is_empty()
        || member.certificates_in_force.len()
            + member.certificates_ended.len()
            + member.certificates_not_started.len()
            < 2
    {
        return format!("{QUALIFICATION_CERTIFICATE}{screen}{share}");
    }
    // Two in force of different 資格 (`insurances_overlap`): only the current one's, which the
    // dates typed do not tell (the to-do asks for them).
    let which = if member.insurances_overlap {
        format!(
            "{}のうち、今加入している保険のものを",
            member.certificates_in_force.join("と")
        )
    } else {
        format!("{}を", member.certificates_in_force.join("か"))
    };
    let mut text = format!(
        "{which}窓口で見せてください。資格確認書だけで受診できます（カードリーダーは要りません）。\
         {screen}{share}"
    );
    if !member.certificates_ended.is_empty() {
        text.push_str(&format!(
            "{}はもう使えないので、見せないでください。",
            member.certificates_ended.join("と")
        ));
    }
    text.push_str(&not_started_text(member));
    text
}

/// Which paper prints the share when the law leaves it to the member and none is typed
/// ([`MemberSituation::share_not_recorded`]; the screen's `CopayNotRecorded` says the same): the
/// clinic reads it off the paper when the card cannot be read (docs/rules.md §1.5). `doc`: the
/// option's document (資格確認書, or 資格情報のお知らせ). Empty otherwise.
fn share_text(member: &MemberSituation, doc: &str) -> String {
    use super::situation::ShareNotRecorded;
    let (why, paper) = match member.share_not_recorded {
        Some(ShareNotRecorded::LateElderly) => (
            "負担割合（1割・2割・3割）はこの記録に入力されていないので",
            "負担割合が印字された後期高齢者医療の",
        ),
        Some(ShareNotRecorded::ElderlyRecipient) => (
            "負担割合（2割・3割）はこの記録に入力されていないので",
            "70歳以降に保険者から届いた、負担割合が印字された",
        ),
        Some(ShareNotRecorded::ElderlyRecipientBefore70) => (
            "記録の負担割合は70歳になる前の書類のもので、70歳からの負担割合（2割・3割）とは限らないので",
            "70歳以降に保険者から届いた、負担割合が印字された",
        ),
        None => return String::new(),
    };
    format!("{why}、{paper}{doc}を見せてください。")
}

/// For each recorded 資格確認書 that has not started yet (at 75, the 後期高齢者医療 one entered
/// before the birthday): 「…は令和9年3月3日から使えます。それより前は見せないでください」 — the desk
/// would not confirm it before its 有効開始年月日 (有効期間前, docs/clinic.md). Empty when none.
fn not_started_text(member: &MemberSituation) -> String {
    member
        .certificates_not_started
        .iter()
        .map(|(name, from)| {
            format!(
                "{name}は{}から使えます。それより前は見せないでください。",
                format_wareki(*from)
            )
        })
        .collect()
}

/// [`NOTICE`], naming the お知らせ to show and those not to when several are recorded and some
/// are not in force (`MemberSituation::notices_named`: at 75, the former insurer's and the
/// 後期高齢者医療 one), as the 資格確認書 are named.
fn notice_text(member: &MemberSituation) -> String {
    let named = &member.notices_named;
    let share = share_text(member, "資格情報のお知らせ");
    if named.in_force.is_empty() {
        return format!("{NOTICE}{share}");
    }
    let mut text = format!(
        "{}を、マイナンバーカードと一緒に見せてください。お知らせだけでは受診できません。",
        named.in_force.join("か")
    );
    for name in &named.ended {
        text.push_str(&format!("{name}はもう使えないので、見せないでください。"));
    }
    for (name, from) in &named.not_started {
        text.push_str(&format!(
            "{name}は{}から使えます。それより前は見せないでください。",
            format_wareki(*from)
        ));
    }
    text.push_str(&share);
    text
}

/// [`NOTICE`] for a member whose recorded お知らせ all start later
/// ([`MemberSituation::notices_named`] without one in force): the お知らせ of the insurance held
/// now, if at hand, and each recorded one with its first day, not to be shown before it.
fn notice_not_started_text(member: &MemberSituation) -> String {
    let mut text = String::from(
        "今の保険の資格情報のお知らせをお持ちなら、マイナンバーカードと一緒に見せてください。\
         お知らせだけでは受診できません。",
    );
    for (name, from) in &member.notices_named.not_started {
        text.push_str(&format!(
            "{name}は{}から使えます。それより前は見せないでください。",
            format_wareki(*from)
        ));
    }
    text
}

/// What the card check on this phone adds, in Japanese: the day of the check, what it proved
/// (the PIN worked), and the certificate's state — as of `today`, said so when the check was
/// on an earlier day (review of 2026-12-01: 「12月1日に…確認しました: …3か月が過ぎている」 read as
/// what the check had found).
fn card_check_text(member: &MemberSituation, today: NaiveDate) -> Option<String> {
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
        Some(ExpiryState::Valid) | None => "電子証明書は有効です",
        Some(ExpiryState::ExpiringSoon) => "電子証明書の有効期限が近づいています",
        Some(ExpiryState::InGrace) => {
            "電子証明書の有効期限は過ぎましたが、保険証利用の登録があれば3か月後の月末までは\
             マイナ保険証として使えます"
        }
        Some(ExpiryState::Ended) => "電子証明書の有効期限から3か月が過ぎています",
    };
    let test = if check.test_anchor {
        "テスト用証明書のカード。"
    } else {
        ""
    };
    let when = if check.checked_on < today {
        "今日の時点で、"
    } else {
        ""
    };
    Some(format!(
        "{}にこのスマートフォンでカードを確認しました（{test}暗証番号も使えました）。{when}{state}。",
        format_wareki(check.checked_on)
    ))
}

#[cfg(test)]
pub(super) mod test_fixtures {
    //! Builders shared by the guidance tests (here and in the `situation` and `to_do` modules).

    use chrono::NaiveDate;

    use super::{Guidance, GuidanceAction, MemberSituation, Presentation};
    use crate::eligibility::{DocumentKind, EligibilityRecord, MemberData};
    use crate::screen::calendar::ExpiryState;

    pub(crate) fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    pub(crate) const TODAY: NaiveDate = match NaiveDate::from_ymd_opt(2026, 11, 23) {
        Some(d) => d,
        None => panic!(),
    };

    /// A registered card with a valid certificate and nothing else.
    pub(crate) fn myna() -> MemberSituation {
        MemberSituation {
            has_card: true,
            registered: true,
            certificate: Some(ExpiryState::Valid),
            card: None,
            certificate_expires_on: None,
            card_valid_until: None,
            card_five_year_term: false,
            phone_check: None,
            has_qualification_certificate: false,
            qualification_certificate_expired: false,
            qualification_certificate_ended_at_75: false,
            certificates_in_force: Vec::new(),
            certificates_ended: Vec::new(),
            certificates_not_started: Vec::new(),
            has_notice: false,
            notices_named: Default::default(),
            has_phone_screen: false,
            app_copy: None,
            public_expense: Vec::new(),
            coverage_lost_on: None,
            coverage_lost_scheme: None,
            coverage_lost_as_dependent: false,
            dependent_status_lost_on: None,
            dependent_status_lost_by: None,
            insured_next: None,
            dependent_status_lost_implied: false,
            lost_certificate_recorded: false,
            share_not_recorded: None,
            old_insurance_card_until: None,
            nothing_recorded: false,
            registration_unknown: false,
            late_elderly_not_recorded: false,
            late_elderly_from: None,
            insurances_overlap: false,
            signed_certificate: false,
            infant_not_recorded: None,
            late_elderly: false,
            no_insurance_document: false,
        }
    }

    pub(crate) fn nothing() -> MemberSituation {
        MemberSituation {
            has_card: false,
            registered: false,
            certificate: None,
            ..myna()
        }
    }

    pub(crate) fn presented(g: &Guidance) -> Vec<Presentation> {
        g.options.iter().map(|o| o.presentation).collect()
    }

    pub(crate) fn actions(g: &Guidance) -> Vec<GuidanceAction> {
        g.to_do.iter().map(|s| s.action).collect()
    }

    pub(crate) fn person(birth: NaiveDate) -> MemberData {
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

    pub(crate) fn record(kind: DocumentKind, valid_until: Option<NaiveDate>) -> EligibilityRecord {
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

    pub(crate) fn public_expense(name: &str) -> EligibilityRecord {
        EligibilityRecord {
            insurer_name: name.into(),
            ..record(DocumentKind::PublicExpense, Some(d(2027, 3, 31)))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::test_fixtures::*;
    use super::*;
    use crate::eligibility::{DocumentKind, EligibilityRecord};
    use Presentation::*;

    const READER_DOWN: ClinicSituation = ClinicSituation::READER_DOWN;
    const NO_READER: ClinicSituation = ClinicSituation::NO_READER;
    const POWER_CUT: ClinicSituation = ClinicSituation::POWER_OUT;
    const NETWORK_DOWN: ClinicSituation = ClinicSituation::NETWORK_DOWN;

    /// On the 高齢受給者 start day the screen's notice asks for the printed share, and the
    /// guidance names the paper that prints it; the day before, the start is only announced
    /// (review of 2026-11-30: the guidance said nothing on the day itself).
    #[test]
    fn on_the_elderly_start_day_the_option_names_the_paper_that_prints_the_share() {
        let member = person(d(1956, 12, 1));
        let typed = [EligibilityRecord {
            copay: None,
            ..record(DocumentKind::Certificate, Some(d(2027, 7, 31)))
        }];
        let day_before = MemberSituation::from_data(&member, &typed, None, d(2026, 11, 30));
        assert_eq!(day_before.share_not_recorded, None);
        let today = d(2026, 12, 1);
        let s = MemberSituation::from_data(&member, &typed, None, today);
        assert_eq!(
            s.share_not_recorded,
            Some(super::super::situation::ShareNotRecorded::ElderlyRecipient)
        );
        let g = guidance(&s, &READER_DOWN, today);
        assert!(
            g.options
                .iter()
                .any(|o| o.presentation == QualificationCertificate
                    && o.explanation
                        .contains("負担割合が印字された資格確認書を見せてください")),
            "{:?}",
            g.options
        );
    }

    /// 70–74 with no share typed (the law leaves it to the member, 2割 or 3割): the 資格確認書
    /// option says which paper prints it, as the screen's `CopayNotRecorded` does; with the
    /// share typed, nothing more (review of 2026-11-30).
    #[test]
    fn at_70_to_74_without_the_share_the_option_names_the_paper_that_prints_it() {
        let member = person(d(1955, 3, 10));
        let today = d(2026, 11, 30);
        let typed = [EligibilityRecord {
            copay: None,
            ..record(DocumentKind::Certificate, Some(d(2027, 7, 31)))
        }];
        let s = MemberSituation::from_data(&member, &typed, None, today);
        assert_eq!(
            s.share_not_recorded,
            Some(super::super::situation::ShareNotRecorded::ElderlyRecipient)
        );
        let g = guidance(&s, &READER_DOWN, today);
        let certificate = g
            .options
            .iter()
            .find(|o| o.presentation == QualificationCertificate)
            .expect("the 資格確認書 option");
        assert!(
            certificate.explanation.contains(
                "70歳以降に保険者から届いた、負担割合が印字された資格確認書を見せてください"
            ),
            "{}",
            certificate.explanation
        );
        let with_share = [EligibilityRecord {
            copay: Some(crate::eligibility::CopayRate::Twenty),
            ..typed[0].clone()
        }];
        let s = MemberSituation::from_data(&member, &with_share, None, today);
        assert_eq!(s.share_not_recorded, None);
        // A 3割 from a paper issued before 70 (the under-70 share): said so, not 「入力されていない」.
        let before_70 = [EligibilityRecord {
            copay: Some(crate::eligibility::CopayRate::Thirty),
            issued_on: Some(d(2024, 12, 1)),
            ..typed[0].clone()
        }];
        let pre = MemberSituation::from_data(&member, &before_70, None, today);
        let g = guidance(&pre, &READER_DOWN, today);
        assert!(
            g.options.iter().any(|o| o
                .explanation
                .contains("記録の負担割合は70歳になる前の書類のもので")),
            "{:?}",
            g.options
        );
        assert!(
            guidance(&s, &READER_DOWN, today)
                .options
                .iter()
                .all(|o| !o.explanation.contains("負担割合（2割・3割）"))
        );
    }

    /// 75 on 2026-12-10 with a マイナ保険証 and the former insurer's お知らせ (ended the day
    /// before), no 後期 record typed: the 申立書 names 後期高齢者医療, not the former insurance;
    /// with the 後期 record typed, the usual words. Without a 後期 資格確認書 typed, the 10割 option
    /// of a member without a マイナ保険証 asks for the 後期 one first.
    #[test]
    fn at_75_the_declaration_names_late_elderly_insurance() {
        use crate::eligibility::{InsurerNumber, MemberData};
        let elder = MemberData {
            myna_hoken: Some(true),
            ..person(d(1951, 12, 10))
        };
        let today = d(2026, 12, 15);
        let notice = [record(DocumentKind::Notice, None)];
        let s = MemberSituation::from_data(&elder, &notice, None, today);
        assert!(s.late_elderly_not_recorded);
        let g = guidance(&s, &READER_DOWN, today);
        let declaration = g
            .options
            .iter()
            .find(|o| o.presentation == DeclarationForm)
            .expect("a 申立書 option");
        assert_eq!(declaration.explanation, DECLARATION_AT_75);
        let late = EligibilityRecord {
            insurer_number: InsurerNumber::parse("39131016").unwrap(),
            valid_from: Some(d(2026, 12, 10)),
            ..record(DocumentKind::Notice, None)
        };
        let s = MemberSituation::from_data(&elder, &[notice[0].clone(), late], None, today);
        assert!(!s.late_elderly_not_recorded);
        // The former record with its 資格喪失日 typed for the 75th birthday: still 後期高齢者医療
        // to declare, and the 10割 option is the 75's, not "before joining new insurance".
        let lost = [EligibilityRecord {
            lost_on: Some(d(2026, 12, 10)),
            ..record(DocumentKind::Notice, None)
        }];
        let s = MemberSituation::from_data(&elder, &lost, None, today);
        assert!(s.late_elderly_not_recorded && s.coverage_lost_on.is_some());
        let g = guidance(&s, &READER_DOWN, today);
        let texts: Vec<&str> = g.options.iter().map(|o| o.explanation.as_str()).collect();
        assert!(texts.contains(&DECLARATION_AT_75), "{texts:?}");
        let at_75_after_loss = late_elderly_after_loss();
        assert!(texts.contains(&at_75_after_loss.as_str()), "{texts:?}");
        let after_loss = NextInsurance::Own {
            continuation_open: false,
        }
        .declaration();
        assert!(!texts.contains(&after_loss.as_str()), "{texts:?}");
        // Without a マイナ保険証, the 後期 資格確認書 is asked for before 10割.
        let without = MemberData {
            myna_hoken: Some(false),
            ..elder
        };
        let kyokai = [record(DocumentKind::Certificate, Some(d(2030, 11, 30)))];
        let s = MemberSituation::from_data(&without, &kyokai, None, today);
        let g = guidance(&s, &READER_DOWN, today);
        assert_eq!(presented(&g), [FullPaymentThenClaim]);
        assert!(
            g.options[0].explanation.starts_with(
                "75歳からは後期高齢者医療制度の加入者です。後期高齢者医療の資格確認書が届いていれば"
            ),
            "{}",
            g.options[0].explanation
        );
    }

    /// A 後期高齢者 whose 後期 資格確認書 ended on 2026-07-31 and who said nothing about the
    /// 保険証利用登録: everyone got that 資格確認書 until then, so it tells nothing about the card
    /// (docs/rules.md §3.1). At a clinic that can check online, the card at the reader is offered
    /// before 10割; not at one that cannot, and not once the member said there is no registration.
    #[test]
    fn registration_unknown_offers_the_card_at_the_reader_before_full_payment() {
        use crate::eligibility::InsurerNumber;
        let elder = person(d(1945, 2, 10));
        let late = [EligibilityRecord {
            insurer_number: InsurerNumber::parse("39131016").unwrap(),
            symbol: None,
            valid_from: Some(d(2025, 8, 1)),
            ..record(DocumentKind::Certificate, Some(d(2026, 7, 31)))
        }];
        let today = d(2026, 11, 29);
        let s = MemberSituation::from_data(&elder, &late, None, today);
        assert!(s.registration_unknown && !s.myna_usable());
        let g = guidance(&s, &ClinicSituation::NORMAL, today);
        assert_eq!(presented(&g), [CardAtReader, FullPaymentThenClaim]);
        assert_eq!(g.options[0].explanation, UNKNOWN_CARD_AT_READER);
        // When the card cannot be read: the screen or the お知らせ with the card, if it is
        // registered (since 2026-08 a 後期 member with a マイナ保険証 gets an お知らせ).
        let g = guidance(&s, &READER_DOWN, today);
        assert_eq!(presented(&g), [PhoneScreenWithCard, FullPaymentThenClaim]);
        assert_eq!(g.options[0].explanation, IF_REGISTERED_OFFLINE);
        // A card known to be past its 有効期限 and grace: not offered.
        let dead = crate::eligibility::MemberData {
            card_expires_on: Some(d(2026, 1, 10)),
            ..elder.clone()
        };
        let s = MemberSituation::from_data(&dead, &late, None, today);
        assert_eq!(
            presented(&guidance(&s, &ClinicSituation::NORMAL, today)),
            [FullPaymentThenClaim]
        );
        let said_no = crate::eligibility::MemberData {
            myna_hoken: Some(false),
            ..elder
        };
        let s = MemberSituation::from_data(&said_no, &late, None, today);
        assert!(!s.registration_unknown);
        assert_eq!(
            presented(&guidance(&s, &ClinicSituation::NORMAL, today)),
            [FullPaymentThenClaim]
        );
        assert_eq!(
            presented(&guidance(&s, &READER_DOWN, today)),
            [FullPaymentThenClaim]
        );
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
                vec![CardAtReader, PhoneScreenWithCard, DeclarationForm],
            ),
            (
                "② no reader, nothing else",
                myna(),
                NO_READER,
                TODAY,
                vec![PhoneScreenWithCard, DeclarationForm],
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
                vec![PhoneScreenWithCard, NoticeWithCard],
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
        assert_eq!(
            presented(&g),
            [CardAtReader, PhoneScreenWithCard, DeclarationForm]
        );
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
            [
                CardAtReader,
                PhoneScreenWithCard,
                NoticeWithCard,
                QualificationCertificate
            ]
        );
        assert_eq!(
            presented(&guidance(&both, &POWER_CUT, TODAY)),
            [
                QualificationCertificate,
                PhoneScreenWithCard,
                NoticeWithCard
            ]
        );
        // The 申立書 is the last resort behind a working reader too (the card may fail).
        let g = guidance(&myna(), &ClinicSituation::NORMAL, TODAY);
        assert_eq!(
            presented(&g),
            [CardAtReader, PhoneScreenWithCard, DeclarationForm]
        );
        let g = guidance(&myna(), &READER_DOWN, TODAY);
        assert_eq!(presented(&g), [PhoneScreenWithCard, DeclarationForm]);
        assert!(g.options[0].explanation.contains("ログインできるなら"));
        assert!(g.options[1].explanation.contains("被保険者資格申立書"));
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
            [CardAtReader, PhoneScreenWithCard, DeclarationForm]
        );
    }

    #[test]
    fn clinic_situation_labels() {
        let labels: Vec<&str> = ClinicSituation::ALL
            .iter()
            .map(|(_, s)| s.label_ja())
            .collect();
        assert_eq!(
            labels,
            [
                "通常（カードリーダーが使える）",
                "カードリーダーの故障",
                "カードリーダーのない医療機関",
                "停電",
                "通信障害"
            ]
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

    /// A member just added, nothing typed in yet (a child, say): the app does not know what
    /// they hold, so it never says they hold nothing — the card at the reader if they have
    /// one, else what would work, the 10割 only as the last resort, and the hint to enter the
    /// documents. With the member's word that the card is not registered but no document typed,
    /// the 資格確認書 such a member is sent is asked for before 10割; once an insurance document
    /// is recorded and none is usable, "nothing usable" is an answer again.
    #[test]
    fn nothing_recorded_is_not_nothing_held() {
        let child = person(d(2023, 5, 5));
        let unknown = MemberSituation::from_data(&child, &[], None, TODAY);
        assert!(unknown.nothing_recorded);
        for (name, clinic) in ClinicSituation::ALL {
            let g = guidance(&unknown, &clinic, TODAY);
            let want = if clinic.can_check_online() {
                vec![CardAtReader, FullPaymentThenClaim]
            } else {
                vec![FullPaymentThenClaim]
            };
            assert_eq!(presented(&g), want, "{name}");
            for o in &g.options {
                assert!(!o.explanation.contains("使えるものがありません"), "{name}");
            }
            let last = &g.options[g.options.len() - 1].explanation;
            assert!(last.contains("まだ入力されていません"), "{name}");
            assert!(last.contains("資格確認書をお持ちなら"), "{name}");
        }
        // A 公費 医療証 alone says nothing about the insurance either.
        let with_kodomo = MemberSituation::from_data(
            &child,
            &[public_expense("こども医療費受給者証")],
            None,
            TODAY,
        );
        assert!(with_kodomo.nothing_recorded);

        let mut said_no = child.clone();
        said_no.myna_hoken = Some(false);
        let known = MemberSituation::from_data(&said_no, &[], None, TODAY);
        assert!(!known.nothing_recorded && known.no_insurance_document);
        // Said "no マイナ保険証" with no document typed: such a member is sent a 資格確認書, so it is
        // asked for before 10割 — not 「保険証として使えるものがありません」.
        for (name, clinic) in ClinicSituation::ALL {
            let g = guidance(&known, &clinic, TODAY);
            assert_eq!(presented(&g), [FullPaymentThenClaim], "{name}");
            let text = &g.options[0].explanation;
            assert!(!text.contains("使えるものがありません"), "{name}: {text}");
            assert!(
                text.starts_with("資格確認書は、このアプリにまだ入力されていません。")
                    && text.contains("お持ちなら、それを窓口で見せてください")
                    && text.contains("見当たらないときは、いったん全額（10割）"),
                "{name}: {text}"
            );
        }
        // With a document recorded (here a マイナポータル screen that has expired, the card not
        // registered), nothing usable is an answer again.
        let expired = [record(DocumentKind::Portal, Some(d(2026, 1, 31)))];
        let s = MemberSituation::from_data(&said_no, &expired, None, TODAY);
        assert!(!s.no_insurance_document);
        let g = guidance(&s, &ClinicSituation::NORMAL, TODAY);
        assert!(g.options[0].explanation.contains("使えるものがありません"));
        // An insurance document, even one that has ended, is a record too.
        let ended = [record(DocumentKind::Certificate, Some(d(2026, 1, 31)))];
        assert!(!MemberSituation::from_data(&child, &ended, None, TODAY).nothing_recorded);
    }

    /// A newborn with nothing recorded is told to file for their coverage (as a 被扶養者 or in
    /// 国保); a child of one year, or a newborn whose document is typed in, is not.
    #[test]
    fn a_newborn_is_told_to_file_for_their_coverage() {
        let newborn = person(d(2026, 11, 20));
        let s = MemberSituation::from_data(&newborn, &[], None, TODAY);
        assert_eq!(s.infant_not_recorded, Some(d(2026, 11, 20)));
        let g = guidance(&s, &READER_DOWN, TODAY);
        assert_eq!(g.to_do[0].action, GuidanceAction::JoinNewInsurance);
        assert_eq!(g.to_do[0].explanation, super::super::to_do::NEWBORN);
        // Within 5 days of the birth the periods are said as they run; from the 6th day the
        // to-do says 「すぐに」 and that the 5 days have passed, the 14 of 国保 still running;
        // after the 14th, that both have (a deadline already past is no instruction: review of
        // 2026-11-30, 57 days after the birth it still said 「（5日以内）」).
        for (day, text) in [
            (d(2026, 11, 20), super::super::to_do::NEWBORN),
            (d(2026, 11, 25), super::super::to_do::NEWBORN),
            (d(2026, 11, 26), super::super::to_do::NEWBORN_PAST_5),
            (d(2026, 12, 4), super::super::to_do::NEWBORN_PAST_5),
            (d(2026, 12, 5), super::super::to_do::NEWBORN_LATE),
        ] {
            let s = MemberSituation::from_data(&newborn, &[], None, day);
            assert_eq!(
                guidance(&s, &READER_DOWN, day).to_do[0].explanation,
                text,
                "{day}"
            );
        }
        // Not on a day before the birth.
        let before = MemberSituation::from_data(&newborn, &[], None, d(2026, 11, 19));
        assert_eq!(before.infant_not_recorded, None);
        let one = person(d(2025, 11, 1));
        assert_eq!(
            MemberSituation::from_data(&one, &[], None, TODAY).infant_not_recorded,
            None
        );
        let typed = [record(DocumentKind::Certificate, Some(d(2030, 11, 30)))];
        let s = MemberSituation::from_data(&newborn, &typed, None, TODAY);
        assert_eq!(s.infant_not_recorded, None);
        assert!(guidance(&s, &READER_DOWN, TODAY).to_do.is_empty());
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
                vec![
                    CardAtReader,
                    PhoneScreenWithCard,
                    NoticeWithCard,
                    AppCopyWithCard,
                ]
            } else {
                vec![PhoneScreenWithCard, NoticeWithCard, AppCopyWithCard]
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

            // The 資格確認書 expired: 10割 alone, but its text asks to show the new one if it has
            // come, so the 医療証 is still named to go with it.
            let expired = MemberSituation {
                has_qualification_certificate: false,
                qualification_certificate_expired: true,
                ..kid.clone()
            };
            let g = guidance(&expired, &clinic, TODAY);
            assert_eq!(presented(&g), [FullPaymentThenClaim], "{name}");
            assert!(g.options[0].explanation.contains("届いていれば"), "{name}");
            assert_eq!(g.also_present.len(), 1, "{name}");
        }
    }

    /// After the coverage ended, a card not registered yet is offered for registering at the
    /// reader — which finds the new insurance only once its insurer has registered the member —
    /// so the 10割 of the insurance joined next stays after it.
    #[test]
    fn after_a_loss_registering_at_the_reader_is_not_the_only_way() {
        let s = MemberSituation {
            registered: false,
            coverage_lost_on: Some(d(2026, 11, 1)),
            ..myna()
        };
        let g = guidance(&s, &ClinicSituation::NORMAL, TODAY);
        assert_eq!(
            presented(&g),
            [CardAtReader, DeclarationForm, FullPaymentThenClaim]
        );
        assert!(g.options[0].explanation.ends_with(READER_AFTER_LOSS));
        assert!(
            g.options[1]
                .explanation
                .starts_with("新しい保険にもう加入しているなら")
        );
        assert_eq!(
            g.options[2].explanation,
            NextInsurance::Own {
                continuation_open: false
            }
            .full_payment_before_joining()
        );
        // Still insured: registering at the reader is the way, alone.
        let insured = MemberSituation {
            coverage_lost_on: None,
            ..s
        };
        let g = guidance(&insured, &ClinicSituation::NORMAL, TODAY);
        assert_eq!(presented(&g), [CardAtReader]);
        assert!(!g.options[0].explanation.contains(READER_AFTER_LOSS));
    }

    /// An お知らせ (or a 資格情報 screen) held with a card that no longer works as a マイナ保険証:
    /// it is shown only with a working card, so the 10割 says why it is not offered; with a
    /// working card it is offered as before.
    #[test]
    fn a_notice_without_a_working_card_is_said_not_to_be_usable() {
        let s = MemberSituation {
            card: Some(ExpiryState::Ended),
            has_notice: true,
            ..myna()
        };
        for (name, clinic) in ClinicSituation::ALL {
            let g = guidance(&s, &clinic, TODAY);
            assert_eq!(presented(&g), [FullPaymentThenClaim], "{name}");
            let text = &g.options[0].explanation;
            assert!(text.starts_with(COPY_NEEDS_WORKING_CARD), "{name}: {text}");
            assert!(
                text.contains("保険証として使えるものがありません"),
                "{name}: {text}"
            );
        }
        let without = MemberSituation {
            has_notice: false,
            ..s.clone()
        };
        let g = guidance(&without, &READER_DOWN, TODAY);
        assert!(!g.options[0].explanation.contains("お知らせ"));
        let working = MemberSituation {
            card: None,
            ..s.clone()
        };
        let g = guidance(&working, &READER_DOWN, TODAY);
        assert!(presented(&g).contains(&NoticeWithCard));
        assert!(
            g.options
                .iter()
                .all(|o| !o.explanation.contains(COPY_NEEDS_WORKING_CARD))
        );
    }

    /// Never 10割 for a member whose card works as a マイナ保険証 or who holds a 資格確認書 in
    /// force, whatever else they hold and whatever the clinic's situation; and the first
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

    /// Every holder of a working マイナ保険証 can open the マイナポータル 資格情報 screen, ranked
    /// above the お知らせ (docs/guidance.md §2 item 2): it is offered — worded 「ログインできる
    /// なら」 when this app has not recorded it — so the app copy's 「マイナポータルの画面も紙の
    /// お知らせもないときは」 never names an option that was not given.
    #[test]
    fn the_portal_is_offered_before_the_copy_that_names_it() {
        let notice_only = MemberSituation {
            has_notice: true,
            app_copy: Some(AppCopy::Unverified),
            ..myna()
        };
        let g = guidance(&notice_only, &READER_DOWN, TODAY);
        assert_eq!(
            presented(&g),
            [PhoneScreenWithCard, NoticeWithCard, AppCopyWithCard]
        );
        assert!(g.options[0].explanation.contains("ログインできるなら"));
        assert!(
            g.options[0]
                .explanation
                .contains("マイナンバーカードと一緒に")
        );
        let recorded = MemberSituation {
            has_phone_screen: true,
            ..notice_only.clone()
        };
        let g = guidance(&recorded, &READER_DOWN, TODAY);
        assert!(!g.options[0].explanation.contains("ログインできるなら"));
        for bits in 0..16u32 {
            let bit = |n: u32| bits & (1 << n) != 0;
            let m = MemberSituation {
                has_notice: bit(0),
                has_phone_screen: bit(1),
                has_qualification_certificate: bit(2),
                app_copy: Some(if bit(3) {
                    AppCopy::IssuerSigned
                } else {
                    AppCopy::Unverified
                }),
                ..myna()
            };
            for (name, clinic) in ClinicSituation::ALL {
                let g = guidance(&m, &clinic, TODAY);
                for (i, o) in g.options.iter().enumerate() {
                    if o.explanation.contains("マイナポータルの画面も") {
                        assert!(
                            g.options[..i]
                                .iter()
                                .any(|p| p.presentation == PhoneScreenWithCard),
                            "{name} {m:?}"
                        );
                    }
                }
            }
        }
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
        assert_eq!(
            presented(&g),
            [PhoneScreenWithCard, NoticeWithCard, AppSignedWithCard]
        );
        assert!(g.options[2].explanation.contains("電子署名を確認"));
        assert!(!g.options[2].explanation.contains("写し"));
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

    /// The 後期高齢者医療 資格確認書 of a member born 1952-01-10: from the 75th birthday
    /// (2027-01-10) to 2028-07-31.
    fn late_elderly_certificate() -> EligibilityRecord {
        EligibilityRecord {
            insurer_number: crate::eligibility::InsurerNumber::parse("39131008").unwrap(),
            insurer_name: "東京都後期高齢者医療広域連合".into(),
            valid_from: Some(d(2027, 1, 10)),
            ..record(DocumentKind::Certificate, Some(d(2028, 7, 31)))
        }
    }

    /// At 75 with the former insurer's 資格確認書 (ended the day before the birthday) and the
    /// 後期高齢者医療 one recorded: the option names the one to show and the one not to show;
    /// with one 資格確認書 recorded, the text stays general.
    #[test]
    fn at_75_the_certificate_in_force_is_named() {
        let member = person(d(1952, 1, 10));
        let old = record(DocumentKind::Certificate, Some(d(2030, 11, 30)));
        let late = late_elderly_certificate();
        let today = d(2027, 1, 10);
        let both = MemberSituation::from_data(&member, &[old.clone(), late.clone()], None, today);
        let g = guidance(&both, &READER_DOWN, today);
        assert_eq!(presented(&g), [QualificationCertificate]);
        let text = &g.options[0].explanation;
        assert!(
            text.starts_with("後期高齢者医療の資格確認書（東京都後期高齢者医療広域連合）を窓口で"),
            "{text}"
        );
        assert!(
            text.contains("協会けんぽの資格確認書はもう使えないので、見せないでください"),
            "{text}"
        );
        // The day before: the old one is in force, the new one not yet started — named too.
        let before = d(2027, 1, 9);
        let s = MemberSituation::from_data(&member, &[old.clone(), late.clone()], None, before);
        let text = &guidance(&s, &READER_DOWN, before).options[0].explanation;
        assert!(text.starts_with("協会けんぽの資格確認書を窓口で"), "{text}");
        assert!(!text.contains("もう使えない"), "{text}");
        // One recorded: the general text.
        let s = MemberSituation::from_data(&member, &[late], None, today);
        let text = &guidance(&s, &READER_DOWN, today).options[0].explanation;
        assert!(text.starts_with("資格確認書を窓口で見せて"), "{text}");
    }

    /// A member whose every recorded insurance has ended (a 資格喪失日, or a 被扶養者 whose
    /// 被保険者 turned 75) and whose card still works as a マイナ保険証: the 申立書 declares the
    /// insurance the patient belongs to now (spec clinic.md §1), so it is offered only for the
    /// new insurance already joined — the way while the new insurer's registration is pending —
    /// never for the ended one; the マイナポータル screen shows the new insurance only once
    /// registered; and 10割 comes last, for when no new insurance has been joined yet. In every
    /// clinic situation.
    #[test]
    fn after_the_coverage_ended_the_declaration_is_only_for_the_new_insurance() {
        let lost = MemberSituation {
            coverage_lost_on: Some(d(2026, 10, 1)),
            ..myna()
        };
        let dependent = MemberSituation {
            dependent_status_lost_on: Some(d(2026, 10, 1)),
            dependent_status_lost_by: Some(crate::screen::DependentStatusLoss::InsuredAt75(
                crate::eligibility::Scheme::KyokaiKenpo,
            )),
            ..myna()
        };
        for (m, declared_not, claim) in [
            (
                &lost,
                "資格を喪失した保険を書かないで",
                // 2026-10-01 + 20 days: past 任意継続's window on TODAY.
                "お住まいの市区町村の国民健康保険、勤務先やご家族の健康保険",
            ),
            (
                &dependent,
                "被扶養者だったこれまでの保険を書かないで",
                "被扶養者になるご家族の健康保険",
            ),
        ] {
            for (name, clinic) in ClinicSituation::ALL {
                let g = guidance(m, &clinic, TODAY);
                let kinds = presented(&g);
                let mut want = vec![PhoneScreenWithCard, DeclarationForm, FullPaymentThenClaim];
                if clinic.can_check_online() {
                    want.insert(0, CardAtReader);
                }
                assert_eq!(kinds, want, "{name}");
                let text = |p: Presentation| {
                    g.options
                        .iter()
                        .find(|o| o.presentation == p)
                        .map(|o| o.explanation.as_str())
                        .unwrap_or_default()
                };
                let declaration = text(DeclarationForm);
                assert!(
                    declaration.starts_with("新しい保険にもう加入しているなら")
                        && declaration.contains("その新しい保険を書いて")
                        && declaration.contains(declared_not),
                    "{name}: {declaration}"
                );
                let portal = text(PhoneScreenWithCard);
                assert!(portal.contains("登録が済んでいれば"), "{name}: {portal}");
                let last = text(FullPaymentThenClaim);
                assert!(
                    last.starts_with("まだ新しい保険に加入していないときは")
                        && last.contains(claim),
                    "{name}: {last}"
                );
            }
        }
        // Still insured: the plain 申立書, and no 10割.
        let g = guidance(&myna(), &READER_DOWN, TODAY);
        assert_eq!(presented(&g), [PhoneScreenWithCard, DeclarationForm]);
        assert_eq!(g.options[1].explanation, DECLARATION_FORM);
    }

    /// A 資格確認書 not started yet (its 有効開始年月日 after today: the 後期高齢者医療 one entered
    /// before the 75th birthday) is never the one to show: beside the one in force, the guidance
    /// names the one to show and says from when the other can be used; alone, it is not offered
    /// (the desk's 有効期間前) and the 10割 option says from when it can be used.
    #[test]
    fn a_certificate_not_started_is_not_shown_before_it_starts() {
        let member = person(d(1952, 1, 10));
        let old = record(DocumentKind::Certificate, Some(d(2030, 11, 30)));
        let late = late_elderly_certificate();
        let before = d(2026, 11, 29);
        let s = MemberSituation::from_data(&member, &[old.clone(), late.clone()], None, before);
        assert_eq!(
            s.certificates_not_started,
            [(
                "後期高齢者医療の資格確認書（東京都後期高齢者医療広域連合）".to_string(),
                d(2027, 1, 10)
            )]
        );
        for clinic in ClinicSituation::ALL.map(|(_, c)| c) {
            let g = guidance(&s, &clinic, before);
            assert_eq!(presented(&g), [QualificationCertificate]);
            let text = &g.options[0].explanation;
            assert!(
                text.starts_with("協会けんぽの資格確認書を窓口で見せて"),
                "{text}"
            );
            assert!(
                text.ends_with(
                    "後期高齢者医療の資格確認書（東京都後期高齢者医療広域連合）は令和9年1月10日から\
                     使えます。それより前は見せないでください。"
                ),
                "{text}"
            );
        }
        // Only the one not started: not offered; the 10割 option says from when it works.
        let s = MemberSituation::from_data(&member, std::slice::from_ref(&late), None, before);
        assert!(!s.has_qualification_certificate);
        let g = guidance(&s, &READER_DOWN, before);
        assert_eq!(presented(&g), [PhoneScreenWithCard, FullPaymentThenClaim]);
        assert!(
            g.options[1]
                .explanation
                .contains("令和9年1月10日から使えます。それより前は見せないでください"),
            "{}",
            g.options[1].explanation
        );
        // From its first day it is in force and no longer "not started".
        let s = MemberSituation::from_data(&member, &[old, late], None, d(2027, 1, 10));
        assert!(s.certificates_not_started.is_empty());
    }

    /// This year's and next year's 資格確認書 of one insurer have the same name: the guidance
    /// tells them apart by their last day, so 「…を窓口で見せてください」 and 「…はもう使えない」
    /// or 「…から使えます」 never name the same words — the day before the new one starts
    /// (tomorrow) and on its first day (today).
    #[test]
    fn this_years_and_next_years_certificate_are_told_apart() {
        let member = person(d(1980, 5, 10));
        let this_year = EligibilityRecord {
            valid_from: Some(d(2025, 8, 1)),
            ..record(DocumentKind::Certificate, Some(d(2026, 7, 31)))
        };
        let next_year = EligibilityRecord {
            valid_from: Some(d(2026, 8, 1)),
            ..record(DocumentKind::Certificate, Some(d(2027, 7, 31)))
        };
        let old = "協会けんぽの資格確認書（令和8年7月31日まで）";
        let new = "協会けんぽの資格確認書（令和9年7月31日まで）";
        for records in [
            [this_year.clone(), next_year.clone()],
            [next_year.clone(), this_year.clone()],
        ] {
            let s = MemberSituation::from_data(&member, &records, None, d(2026, 7, 31));
            assert_eq!(s.certificates_in_force, [old]);
            assert_eq!(
                s.certificates_not_started,
                [(new.to_string(), d(2026, 8, 1))]
            );
            let g = guidance(&s, &READER_DOWN, d(2026, 7, 31));
            assert_eq!(presented(&g), [QualificationCertificate]);
            let text = &g.options[0].explanation;
            assert!(text.starts_with(&format!("{old}を窓口で見せて")), "{text}");
            assert!(
                text.ends_with(&format!(
                    "{new}は令和8年8月1日から使えます。それより前は見せないでください。"
                )),
                "{text}"
            );
            assert!(g.to_do.is_empty(), "{:?}", g.to_do);
            let s = MemberSituation::from_data(&member, &records, None, d(2026, 8, 1));
            assert_eq!(s.certificates_in_force, [new]);
            assert_eq!(s.certificates_ended, [old]);
            let g = guidance(&s, &READER_DOWN, d(2026, 8, 1));
            let text = &g.options[0].explanation;
            assert!(text.starts_with(&format!("{new}を窓口で見せて")), "{text}");
            assert!(
                text.ends_with(&format!("{old}はもう使えないので、見せないでください。")),
                "{text}"
            );
            assert!(g.to_do.is_empty(), "{:?}", g.to_do);
        }
        // One 資格確認書 alone keeps its plain name.
        let s = MemberSituation::from_data(&member, &[this_year], None, d(2026, 7, 31));
        assert_eq!(s.certificates_in_force, ["協会けんぽの資格確認書"]);
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

    /// The card check's line says what the check proved on its day and the certificate's state
    /// today, and says 「今日の時点で」 when the check was on an earlier day: a check that saw a
    /// valid certificate is not reported as having found it expired (review of 2026-12-01).
    #[test]
    fn a_card_check_of_an_earlier_day_is_not_reported_as_finding_todays_state() {
        let checked = |on, certificate| MemberSituation {
            phone_check: Some(crate::screen::situation::PhoneCheck {
                checked_on: on,
                test_anchor: false,
            }),
            certificate: Some(certificate),
            ..myna()
        };
        let same_day = checked(TODAY, ExpiryState::Valid);
        assert_eq!(
            guidance(&same_day, &NO_READER, TODAY).card_check.unwrap(),
            "令和8年11月23日にこのスマートフォンでカードを確認しました（暗証番号も使えました）。\
             電子証明書は有効です。"
        );
        let later = checked(d(2026, 6, 1), ExpiryState::Ended);
        assert_eq!(
            guidance(&later, &NO_READER, TODAY).card_check.unwrap(),
            "令和8年6月1日にこのスマートフォンでカードを確認しました（暗証番号も使えました）。\
             今日の時点で、電子証明書の有効期限から3か月が過ぎています。"
        );
    }
}
