//! What the apps type in, before validation: member and record forms, and validating them
//! without storing.

use chrono::Utc;
use shikaku_core::eligibility::{
    DocumentKind, ElderlyForm, LimitForm, MemberForm, PublicExpenseForm, RecordForm, Relationship,
    Sex,
};
use shikaku_core::screen::japan_today;

use crate::error::{FieldProblem, ShikakuError};

/// A member as entered, before validation.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct MemberInput {
    /// 氏名 in kanji as on the card, family and given name separated by a space.
    pub name: String,
    /// 氏名カナ (katakana; half-width is folded).
    pub kana: String,
    /// 生年月日, `YYYY-MM-DD` or 和暦 (令和7年4月1日, R7.4.1).
    pub birth_date: String,
    /// 性別.
    pub sex: Sex,
    /// 本人 or 家族.
    pub relationship: Relationship,
    /// Holds a My Number Card registered for 保険証利用 (マイナ保険証); absent when not said.
    #[uniffi(default)]
    pub myna_hoken: Option<bool>,
    /// The My Number Card's printed 有効期限, `YYYY-MM-DD` or 和暦.
    #[uniffi(default)]
    pub card_expires_on: Option<String>,
}

/// The 高齢受給者 block of a [`RecordInput`].
#[derive(Debug, Clone, Default, PartialEq, Eq, uniffi::Record)]
pub struct ElderlyInput {
    /// 負担割合 in percent: 10, 20 or 30.
    #[uniffi(default)]
    pub copay_percent: Option<u8>,
    /// 発効期日, `YYYY-MM-DD` or 和暦.
    #[uniffi(default)]
    pub effective_from: Option<String>,
    /// 有効期限, `YYYY-MM-DD` or 和暦.
    #[uniffi(default)]
    pub valid_until: Option<String>,
}

/// The 限度額適用 block of a [`RecordInput`].
#[derive(Debug, Clone, Default, PartialEq, Eq, uniffi::Record)]
pub struct LimitInput {
    /// 適用区分 as printed.
    pub category: String,
    /// 発効期日, `YYYY-MM-DD` or 和暦.
    #[uniffi(default)]
    pub effective_from: Option<String>,
}

/// The 公費 block of a [`RecordInput`] (kind `PublicExpense`).
#[derive(Debug, Clone, Default, PartialEq, Eq, uniffi::Record)]
pub struct PublicExpenseInput {
    /// 公費負担者番号, 8 digits.
    pub payer_number: String,
    /// 受給者番号, 7 digits.
    pub recipient_number: String,
    /// The 受給者証's name as printed (こども医療費受給者証 …).
    pub program: String,
}

/// A record typed from a paper 資格確認書 or 資格情報のお知らせ, before validation (the
/// hand-entry format of docs/record-json.md).
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct RecordInput {
    /// Which document.
    pub kind: DocumentKind,
    /// 保険者番号 (6 or 8 digits; full-width accepted). Empty for a 公費 受給者証.
    pub insurer_number: String,
    /// 保険者名称. Empty for a 公費 受給者証.
    pub insurer_name: String,
    /// 記号, as printed.
    #[uniffi(default)]
    pub symbol: Option<String>,
    /// 番号, as printed. Empty for a 公費 受給者証.
    pub number: String,
    /// 枝番, 2 digits.
    #[uniffi(default)]
    pub branch: Option<String>,
    /// 本人 or 家族.
    pub relationship: Relationship,
    /// 被保険者氏名 (on a dependent's document).
    #[uniffi(default)]
    pub insured_name: Option<String>,
    /// 資格取得年月日, `YYYY-MM-DD` or 和暦.
    #[uniffi(default)]
    pub acquired_on: Option<String>,
    /// 一部負担金割合 in percent (10, 20, 30); absent for 法定負担割合のとおり.
    #[uniffi(default)]
    pub copay_percent: Option<u8>,
    /// 有効開始年月日, `YYYY-MM-DD` or 和暦.
    #[uniffi(default)]
    pub valid_from: Option<String>,
    /// 有効期限, `YYYY-MM-DD` or 和暦 (required for a 資格確認書 and a 公費 受給者証).
    #[uniffi(default)]
    pub valid_until: Option<String>,
    /// 交付年月日, `YYYY-MM-DD` or 和暦.
    #[uniffi(default)]
    pub issued_on: Option<String>,
    /// 高齢受給者 block.
    #[uniffi(default)]
    pub elderly: Option<ElderlyInput>,
    /// 限度額適用 block.
    #[uniffi(default)]
    pub limit: Option<LimitInput>,
    /// 未就学区分.
    #[uniffi(default)]
    pub preschool: bool,
    /// 資格喪失年月日, `YYYY-MM-DD` or 和暦.
    #[uniffi(default)]
    pub lost_on: Option<String>,
    /// The 公費 受給者証's numbers and name (kind `PublicExpense` only).
    #[uniffi(default)]
    pub public_expense: Option<PublicExpenseInput>,
}

impl From<MemberInput> for MemberForm {
    fn from(m: MemberInput) -> Self {
        MemberForm {
            name: m.name,
            kana: m.kana,
            birth_date: m.birth_date,
            sex: m.sex,
            relationship: m.relationship,
            myna_hoken: m.myna_hoken,
            card_expires_on: m.card_expires_on,
        }
    }
}

impl From<RecordInput> for RecordForm {
    fn from(r: RecordInput) -> Self {
        RecordForm {
            kind: r.kind,
            insurer_number: r.insurer_number,
            insurer_name: r.insurer_name,
            symbol: r.symbol,
            number: r.number,
            branch: r.branch,
            relationship: r.relationship,
            insured_name: r.insured_name,
            acquired_on: r.acquired_on,
            copay_percent: r.copay_percent,
            valid_from: r.valid_from,
            valid_until: r.valid_until,
            issued_on: r.issued_on,
            elderly: r.elderly.map(|e| ElderlyForm {
                copay_percent: e.copay_percent,
                effective_from: e.effective_from,
                valid_until: e.valid_until,
            }),
            limit: r.limit.map(|l| LimitForm {
                category: l.category,
                effective_from: l.effective_from,
            }),
            preschool: r.preschool,
            lost_on: r.lost_on,
            public_expense: r.public_expense.map(|p| PublicExpenseForm {
                payer_number: p.payer_number,
                recipient_number: p.recipient_number,
                program: p.program,
            }),
        }
    }
}

fn problems(r: Result<(), ShikakuError>) -> Vec<FieldProblem> {
    match r {
        Err(ShikakuError::InvalidInput { problems, .. }) => problems,
        _ => Vec::new(),
    }
}

pub(crate) fn today() -> chrono::NaiveDate {
    // The core's one "today": the calendar day in Japan.
    japan_today(Utc::now())
}

/// Validates a member form as of today (Japan) without storing it. Empty = valid.
#[uniffi::export]
pub fn validate_member(input: MemberInput) -> Vec<FieldProblem> {
    problems(
        MemberForm::from(input)
            .validate(today())
            .map(drop)
            .map_err(Into::into),
    )
}

/// Validates a record form as of today (Japan) without storing it. Empty = valid.
#[uniffi::export]
pub fn validate_record(input: RecordInput) -> Vec<FieldProblem> {
    problems(
        RecordForm::from(input)
            .validate(today())
            .map(drop)
            .map_err(Into::into),
    )
}
