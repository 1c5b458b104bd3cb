//! Validation errors that name the field and the reason, never the value.

use std::fmt;

/// A field of a member or an eligibility record, named in validation errors.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Field {
    /// 氏名
    Name,
    /// 氏名カナ
    Kana,
    /// 生年月日
    BirthDate,
    /// 性別
    Sex,
    /// 本人・家族の別
    Relationship,
    /// 書類の種類
    Kind,
    /// 保険者番号
    InsurerNumber,
    /// 保険者名称
    InsurerName,
    /// 被保険者等記号
    Symbol,
    /// 番号
    Number,
    /// 枝番
    Branch,
    /// 被保険者氏名
    InsuredName,
    /// 資格取得年月日
    AcquiredOn,
    /// 一部負担金割合
    Copay,
    /// 有効開始年月日
    ValidFrom,
    /// 有効終了年月日 / 有効期限
    ValidUntil,
    /// 交付年月日
    IssuedOn,
    /// 高齢受給者 一部負担金割合
    ElderlyCopay,
    /// 高齢受給者 発効期日
    ElderlyEffectiveFrom,
    /// 高齢受給者 有効終了年月日
    ElderlyValidUntil,
    /// 限度額適用区分
    LimitCategory,
    /// 限度額適用 発効期日
    LimitEffectiveFrom,
    /// 未就学区分
    Preschool,
    /// マイナ保険証 (a My Number Card registered for 保険証利用) held
    MynaHoken,
    /// マイナンバーカードの有効期限
    CardExpiresOn,
    /// 資格喪失年月日
    LostOn,
    /// 公費負担者番号
    PublicPayerNumber,
    /// 公費負担医療の受給者番号
    PublicRecipientNumber,
    /// 公費の制度名 (受給者証の名称)
    PublicProgram,
    /// 公費 受給者証の有効期限 (a 公費 seen at the clinic desk)
    PublicValidUntil,
}

impl Field {
    /// The Japanese label, as printed on the documents.
    pub fn label_ja(self) -> &'static str {
        match self {
            Field::Name => "氏名",
            Field::Kana => "氏名カナ",
            Field::BirthDate => "生年月日",
            Field::Sex => "性別",
            Field::Relationship => "本人・家族の別",
            Field::Kind => "書類の種類",
            Field::InsurerNumber => "保険者番号",
            Field::InsurerName => "保険者名称",
            Field::Symbol => "記号",
            Field::Number => "番号",
            Field::Branch => "枝番",
            Field::InsuredName => "被保険者氏名",
            Field::AcquiredOn => "資格取得年月日",
            Field::Copay => "一部負担金割合",
            Field::ValidFrom => "有効開始年月日",
            Field::ValidUntil => "有効期限",
            Field::IssuedOn => "交付年月日",
            Field::ElderlyCopay => "高齢受給者 負担割合",
            Field::ElderlyEffectiveFrom => "高齢受給者 発効期日",
            Field::ElderlyValidUntil => "高齢受給者 有効期限",
            Field::LimitCategory => "限度額適用区分",
            Field::LimitEffectiveFrom => "限度額適用 発効期日",
            Field::Preschool => "未就学区分",
            Field::MynaHoken => "マイナ保険証",
            Field::CardExpiresOn => "マイナンバーカードの有効期限",
            Field::LostOn => "資格喪失年月日",
            Field::PublicPayerNumber => "公費負担者番号",
            Field::PublicRecipientNumber => "受給者番号",
            Field::PublicProgram => "受給者証の名称",
            Field::PublicValidUntil => "受給者証の有効期限",
        }
    }

    /// The field's key in the hand-entry JSON (docs/record-json.md).
    pub fn key(self) -> &'static str {
        match self {
            Field::Name => "name",
            Field::Kana => "kana",
            Field::BirthDate => "birth_date",
            Field::Sex => "sex",
            Field::Relationship => "relationship",
            Field::Kind => "kind",
            Field::InsurerNumber => "insurer_number",
            Field::InsurerName => "insurer_name",
            Field::Symbol => "symbol",
            Field::Number => "number",
            Field::Branch => "branch",
            Field::InsuredName => "insured_name",
            Field::AcquiredOn => "acquired_on",
            Field::Copay => "copay_percent",
            Field::ValidFrom => "valid_from",
            Field::ValidUntil => "valid_until",
            Field::IssuedOn => "issued_on",
            Field::ElderlyCopay => "elderly.copay_percent",
            Field::ElderlyEffectiveFrom => "elderly.effective_from",
            Field::ElderlyValidUntil => "elderly.valid_until",
            Field::LimitCategory => "limit.category",
            Field::LimitEffectiveFrom => "limit.effective_from",
            Field::Preschool => "preschool",
            Field::MynaHoken => "myna_hoken",
            Field::CardExpiresOn => "card_expires_on",
            Field::LostOn => "lost_on",
            Field::PublicPayerNumber => "public_expense.payer_number",
            Field::PublicRecipientNumber => "public_expense.recipient_number",
            Field::PublicProgram => "public_expense.program",
            Field::PublicValidUntil => "public_expense.valid_until",
        }
    }
}

/// One failed rule: which field, and why (no value is ever repeated).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError {
    /// The field that failed.
    pub field: Field,
    /// Why, in a short English phrase.
    pub reason: String,
}

impl fmt::Display for FieldError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} ({}): {}",
            self.field.label_ja(),
            self.field.key(),
            self.reason
        )
    }
}

/// Every rule a member or record failed, in field order.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct ValidationError {
    /// The failed rules; never empty.
    pub errors: Vec<FieldError>,
}

impl ValidationError {
    /// True when `field` is among the failures.
    pub fn has(&self, field: Field) -> bool {
        self.errors.iter().any(|e| e.field == field)
    }
}

impl fmt::Display for ValidationError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let parts: Vec<String> = self.errors.iter().map(ToString::to_string).collect();
        write!(f, "invalid input: {}", parts.join("; "))
    }
}

/// Collects field errors while validating a form.
#[derive(Default)]
pub(crate) struct Collector {
    errors: Vec<FieldError>,
}

impl Collector {
    pub(crate) fn push(&mut self, field: Field, reason: impl Into<String>) {
        self.errors.push(FieldError {
            field,
            reason: reason.into(),
        });
    }

    /// Runs `parse` and records its error under `field`.
    pub(crate) fn take<T, E: fmt::Display>(&mut self, field: Field, r: Result<T, E>) -> Option<T> {
        match r {
            Ok(v) => Some(v),
            Err(e) => {
                self.push(field, e.to_string());
                None
            }
        }
    }

    pub(crate) fn finish<T>(self, value: impl FnOnce() -> Option<T>) -> Result<T, ValidationError> {
        if !self.errors.is_empty() {
            return Err(ValidationError {
                errors: self.errors,
            });
        }
        value().ok_or_else(|| ValidationError {
            errors: vec![FieldError {
                field: Field::Kind,
                reason: "incomplete input".into(),
            }],
        })
    }
}
