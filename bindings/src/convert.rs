//! The core's plain enums and records exposed as they are (uniffi remote types), and small
//! conversions shared by the exports.

use chrono::{DateTime, NaiveDate, Utc};
use shikaku_core::card::CardKind;
use shikaku_core::eligibility::names::NameMatch;
use shikaku_core::eligibility::{DocumentKind, MemberId, RecordId, Relationship, Sex};
use shikaku_core::screen::{
    CardState, ClinicSituation, NoticeCode, Presentation, ProvenanceState, Severity,
};

use crate::error::{ShikakuError, bad_id};

/// 性別.
#[uniffi::remote(Enum)]
pub enum Sex {
    /// 男
    Male,
    /// 女
    Female,
    /// 適用不能 / その他
    Other,
}

/// 本人・家族の別.
#[uniffi::remote(Enum)]
pub enum Relationship {
    /// 本人 (被保険者).
    Insured,
    /// 家族 (被扶養者).
    Dependent,
}

/// Which paper or screen a record comes from.
#[uniffi::remote(Enum)]
pub enum DocumentKind {
    /// 資格情報のお知らせ: valid only together with the My Number Card.
    Notice,
    /// マイナポータルの資格情報: valid only together with the My Number Card.
    Portal,
    /// 資格確認書: stands on its own.
    Certificate,
    /// A 公費 受給者証 (こども医療費受給者証, 重度障がい者医療証 …): shown with the マイナ保険証
    /// or 資格確認書, never instead of it.
    PublicExpense,
}

/// Whether a record can be trusted as issued.
#[uniffi::remote(Enum)]
pub enum ProvenanceState {
    /// 発行元の署名を確認済み.
    Verified,
    /// 手入力・未検証.
    HandEntered,
    /// 署名が無効.
    SignatureInvalid,
    /// 発行元の署名あり・書類の有効期限切れ: the signature verifies, the document's own validity
    /// has passed.
    SignedExpired,
}

/// The My Number Card check badge.
#[uniffi::remote(Enum)]
pub enum CardState {
    /// A genuine card linked to this member (基本4情報 or the signed holder binding): カード照合済み.
    Checked,
    /// A genuine card, but nothing links it to this member: カード真正・本人未照合.
    GenuineNotLinked,
    /// Checked against a test trust anchor, not a J-LIS root (development only).
    TestAnchor,
    /// 未照合.
    NotChecked,
    /// 照合不一致.
    Mismatch,
}

/// How urgent a notice is.
#[uniffi::remote(Enum)]
pub enum Severity {
    /// Information only.
    Info,
    /// Something to do soon.
    Warning,
    /// The document or card can no longer be used as it is.
    Critical,
}

/// Which rule produced a notice.
#[uniffi::remote(Enum)]
pub enum NoticeCode {
    /// The 利用者証明用電子証明書 expires within 3 months.
    CertificateExpiringSoon,
    /// The certificate has expired but the card still works as a 保険証.
    CertificateInGrace,
    /// The grace period is over: a 資格確認書 is needed.
    CertificateInsuranceUseEnded,
    /// The My Number Card expires within 3 months.
    CardExpiringSoon,
    /// The card has expired but still works as a 保険証.
    CardInGrace,
    /// The card has expired and its grace period is over.
    CardExpired,
    /// A document expires within a month.
    DocumentExpiringSoon,
    /// A document's 有効期限 has passed.
    DocumentExpired,
    /// An issuer-signed document's own validity has passed (its signature still verifies).
    SignedDocumentExpired,
    /// The 75th birthday ends the document.
    DocumentEndsAt75,
    /// A お知らせ of a member aged 70–74 has no recorded 有効期限.
    ElderlyNoticeExpiryMissing,
    /// The 高齢受給者 負担割合 is not yet in effect.
    ElderlyNotYetEffective,
    /// The 高齢受給者 負担割合 is in effect.
    ElderlyInEffect,
    /// The 高齢受給者 負担割合 ends within a month.
    ElderlyExpiringSoon,
    /// The 高齢受給者 負担割合 has expired.
    ElderlyExpired,
    /// A マイナ保険証 and a valid 資格確認書 are both held.
    BothHeld,
    /// The record's 資格喪失日 has come: the record is ended.
    CoverageLost,
    /// The record has a 資格喪失日 ahead.
    CoverageEnding,
    /// 未就学 (2割) ends within 3 months.
    PreschoolEnds,
    /// The record's 未就学区分 disagrees with the birth date.
    PreschoolFlagMismatch,
    /// The record's 負担割合 is not one the law sets for the member's age and scheme.
    CopayImplausible,
    /// No 負担割合 is recorded where the law leaves it to the member (70–74, 後期高齢者医療): type
    /// it in and carry the document that prints it.
    CopayNotRecorded,
    /// 高齢受給者 status starts within 3 months, or today.
    ElderlyRecipientStarts,
    /// The card and its certificate end on the same day (issued under 18): a new card is needed.
    CardAndCertificateExpiring,
    /// The 被保険者 whose 被扶養者 this member is turns 75: the member loses 被扶養者 status.
    DependentLosesStatusAt75,
    /// A document has not started yet (有効開始年月日 after today): not to be shown before then.
    DocumentNotStarted,
    /// Two insurance records of different 資格 are both in force, which cannot be: the date that
    /// ends the old one or starts the new one is asked for.
    InsurancesOverlap,
}

/// What to present at the reception.
#[uniffi::remote(Enum)]
pub enum Presentation {
    /// The card at the 顔認証付きカードリーダー.
    CardAtReader,
    /// The マイナポータル 資格情報 screen together with the card.
    PhoneScreenWithCard,
    /// The 資格情報のお知らせ together with the card.
    NoticeWithCard,
    /// The 資格確認書 on its own.
    QualificationCertificate,
    /// This app's screen of a hand-entered お知らせ / マイナポータル record, with the card: a
    /// copy, not an official document.
    AppCopyWithCard,
    /// This app's screen of an issuer-signed record that verifies, with the card.
    AppSignedWithCard,
    /// An old 健康保険証 within its validity.
    OldInsuranceCard,
    /// The 被保険者資格申立書.
    DeclarationForm,
    /// Pay in full and claim 療養費 afterwards.
    FullPaymentThenClaim,
}

/// How a card field compares with the stored one.
#[uniffi::remote(Enum)]
pub enum NameMatch {
    /// The same text.
    Match,
    /// Equal after folding (width, kana, 異体字).
    FoldedMatch,
    /// Different.
    Mismatch,
}

/// What kind of JPKI token answered.
#[uniffi::remote(Enum)]
pub enum CardKind {
    /// A マイナンバーカード.
    MyNumberCard,
    /// An old 住民基本台帳カード.
    JukiCard,
    /// The スマホ用電子証明書 of an Android phone.
    SmartphoneAndroid,
    /// The スマホ用電子証明書 of an iPhone.
    SmartphoneIos,
}

/// The clinic's side of the guidance.
#[uniffi::remote(Record)]
pub struct ClinicSituation {
    /// A 顔認証付きカードリーダー is installed.
    pub reader_present: bool,
    /// The reader works.
    pub reader_working: bool,
    /// The power is on.
    pub power: bool,
    /// The network to オンライン資格確認 is up.
    pub network: bool,
}

pub(crate) fn member_id(id: &str) -> Result<MemberId, ShikakuError> {
    id.parse().map_err(|_| bad_id("member"))
}

pub(crate) fn record_id(id: &str) -> Result<RecordId, ShikakuError> {
    id.parse().map_err(|_| bad_id("record"))
}

/// `YYYY-MM-DD`.
pub(crate) fn date(d: NaiveDate) -> String {
    shikaku_core::clock::iso_date(d)
}

/// RFC 3339 in UTC, whole seconds.
pub(crate) fn time(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}
