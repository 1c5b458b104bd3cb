//! 被保険者資格申立書: what a patient declares when nothing can be verified (no card reader, no
//! verifiable document). The clinic treats the patient at the declared share and claims as
//! usual; the claim is matched to the insurer afterwards. A declaration is always
//! 申立・未検証: nothing in it was checked against an issuer.
//!
//! Only what the claim needs is kept. The address and telephone number the paper form also
//! asks for stay on the paper form: the desk does not store them.

use chrono::{Months, NaiveDate};
use serde::{Deserialize, Serialize};

use crate::eligibility::text::{KanaError, fold_kana, fold_width, parse_date};
use crate::eligibility::{
    CopayRate, Field, FieldError, InsurerNumber, Relationship, Sex, ValidationError,
};
use crate::screen::calendar::{late_elderly_on, statutory_copay};

use super::ClinicError;
use super::public_expense::{PublicExpenseEntry, SeenPublicExpense, validate_public_expenses};

/// The earliest birth date accepted (as for members).
const EARLIEST_BIRTH: NaiveDate = match NaiveDate::from_ymd_opt(1890, 1, 1) {
    Some(d) => d,
    None => panic!("constant date"),
};

/// What the receptionist types from a 被保険者資格申立書, before validation.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DeclarationForm {
    /// 氏名 (required).
    pub name: String,
    /// 氏名カナ, if given (half-width katakana is folded).
    pub kana: Option<String>,
    /// 生年月日 (required; `YYYY-MM-DD` or 和暦).
    pub birth_date: String,
    /// 性別 (required: a claim field, spec/clinic.md §2; `None` is refused by
    /// [`DeclarationForm::validate`], naming the field).
    pub sex: Option<Sex>,
    /// 本人・家族の別 (required: a claim field, spec/clinic.md §2; `None` is refused by
    /// [`DeclarationForm::validate`], naming the field).
    pub relationship: Option<Relationship>,
    /// The insurance the patient belongs to: the insurer's name or the employer (required).
    pub insurer_name: String,
    /// 保険者番号, if known.
    pub insurer_number: Option<String>,
    /// 記号, if known (kept as typed, full-width included).
    pub symbol: Option<String>,
    /// 番号, if known (kept as typed).
    pub number: Option<String>,
    /// 枝番, if known (2 digits).
    pub branch: Option<String>,
    /// The share the patient says they pay, in percent (10, 20 or 30), if stated.
    pub copay_percent: Option<u8>,
}

/// A validated declaration. Nothing in it is verified: it is always shown as 申立・未検証.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Declaration {
    /// 氏名.
    pub name: String,
    /// 氏名カナ.
    pub kana: Option<String>,
    /// 生年月日.
    pub birth_date: NaiveDate,
    /// 性別. Always present in a 申立 validated now; `None` only in an entry recorded before
    /// the desk required it.
    pub sex: Option<Sex>,
    /// 本人・家族の別. Always present in a 申立 validated now; `None` only in an entry recorded
    /// before the desk required it.
    pub relationship: Option<Relationship>,
    /// The insurer's name or the employer, as declared.
    pub insurer_name: String,
    /// 保険者番号 (check digit verified), if declared.
    pub insurer_number: Option<InsurerNumber>,
    /// 記号, as declared.
    pub symbol: Option<String>,
    /// 番号, as declared.
    pub number: Option<String>,
    /// 枝番, as declared (2 half-width digits).
    pub branch: Option<String>,
    /// The share the patient says they pay.
    pub copay: Option<CopayRate>,
}

fn present(s: &Option<String>) -> Option<&str> {
    s.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

/// A free-text value that ends up in an exported spreadsheet cell: the usual text rules, and
/// no leading `=`, `+`, `-` or `@` (a spreadsheet would run it as a formula).
pub(crate) fn check_cell_text(s: &str, max: usize) -> Result<String, &'static str> {
    let t = crate::eligibility::check_text(s, max)?;
    if t.starts_with(['=', '+', '-', '@']) {
        return Err("must not start with =, +, - or @ (a spreadsheet would run it as a formula)");
    }
    Ok(t)
}

/// The longest 氏名 a 申立 records, in characters (after runs of white space are folded to
/// one): what a form's `maxlength` says.
pub const MAX_NAME_CHARS: usize = 60;

/// The longest insurer's or employer's name a 申立 records, in characters.
pub const MAX_INSURER_NAME_CHARS: usize = 100;

/// The longest 記号 or 番号 a 申立 records, in characters.
pub const MAX_NUMBER_CHARS: usize = 20;

/// The longest desk operator's name an entry records, in characters (after runs of white
/// space are folded to one): what a form's `maxlength` says.
pub const MAX_OPERATOR_CHARS: usize = 60;

/// The rule for the desk operator's name recorded with an entry (as the visit log checks it):
/// free text that ends up in an exported cell, at most [`MAX_OPERATOR_CHARS`] characters.
pub(crate) fn check_operator(operator: &str) -> Result<String, &'static str> {
    check_cell_text(operator, MAX_OPERATOR_CHARS)
}

/// The operator's name as recorded beside `fields` (what else the receptionist typed, validated):
/// both, or every failure of the two at once ([`ClinicError::Operator`], [`ClinicError::Invalid`],
/// or [`ClinicError::Declaration`] when both fail).
pub(crate) fn with_operator<T>(
    operator: &str,
    fields: Result<T, ValidationError>,
) -> Result<(T, String), ClinicError> {
    match (check_operator(operator), fields) {
        (Ok(operator), Ok(v)) => Ok((v, operator)),
        (Err(reason), Ok(_)) => Err(ClinicError::Operator { reason }),
        (Ok(_), Err(fields)) => Err(ClinicError::Invalid(fields)),
        (Err(operator), Err(fields)) => Err(ClinicError::Declaration { operator, fields }),
    }
}

/// Why the desk would refuse `operator` as the name recorded with an entry, in the
/// receptionist's words (the same as [`ClinicError::operator_refusal_ja`] gives after a refused
/// record or 申立): empty, longer than [`MAX_OPERATOR_CHARS`], a character that cannot be used, or
/// a leading `=`, `+`, `-`, `@`. Without the name itself. `None` when the name is acceptable. For
/// a form that checks the field before recording (the apps; the desk page shows the refusal).
pub fn operator_refusal_ja(operator: &str) -> Option<String> {
    check_operator(operator).err().map(operator_reason_ja)
}

/// Why the operator's name was refused, in the receptionist's words, from the reason
/// [`check_operator`] gave (no value of the name).
pub(crate) fn operator_reason_ja(reason: &str) -> String {
    match reason {
        "must not be empty" => "受付者名を入力してください。".to_string(),
        "is too long" => format!("受付者名は{MAX_OPERATOR_CHARS}文字以内にしてください。"),
        "must not contain control characters"
        | "must not contain invisible formatting characters" => {
            "受付者名に使えない文字（制御文字・見えない書式文字）が含まれています。".to_string()
        }
        r if r.starts_with("must not start with") => {
            "受付者名の先頭に =、+、-、@ は使えません（表計算ソフトが数式として実行するため）。"
                .to_string()
        }
        _ => "受付者名を確認してください。".to_string(),
    }
}

/// A 申立 as typed into text fields — the desk page's form, `clinic declare`'s options — before
/// [`DeclarationForm::from_text`] reads it. `None` and blank text are both "not given".
#[derive(Debug, Clone, Copy, Default)]
pub struct DeclarationText<'a> {
    /// 氏名.
    pub name: &'a str,
    /// 氏名カナ.
    pub kana: Option<&'a str>,
    /// 生年月日 (`YYYY-MM-DD` or 和暦).
    pub birth_date: &'a str,
    /// 性別: a [`Sex`] as its `FromStr` reads it (`male`, `女`, …).
    pub sex: Option<&'a str>,
    /// 本人・家族の別: a [`Relationship`] as its `FromStr` reads it (`self`, `dependent`, …).
    pub relationship: Option<&'a str>,
    /// The insurer's name or the employer.
    pub insurer_name: &'a str,
    /// 保険者番号.
    pub insurer_number: Option<&'a str>,
    /// 記号.
    pub symbol: Option<&'a str>,
    /// 番号.
    pub number: Option<&'a str>,
    /// 枝番.
    pub branch: Option<&'a str>,
    /// The share in percent (`10`, `20`, `30`; full-width digits are folded).
    pub copay: Option<&'a str>,
}

impl DeclarationForm {
    /// The form as typed in `text`, one reading for every desk front end (the page and the
    /// CLI): blank optional fields are not given; a 性別 or 本人・家族 that is not one of the
    /// choices is not given either, and a share that is not a number reads as 0, so that
    /// [`DeclarationForm::validate`] names each of them with every other mistake, in Japanese,
    /// instead of the front end stopping at the first.
    pub fn from_text(text: DeclarationText<'_>) -> Self {
        let given = |v: Option<&str>| {
            v.map(str::trim)
                .filter(|v| !v.is_empty())
                .map(str::to_string)
        };
        DeclarationForm {
            name: text.name.to_string(),
            kana: given(text.kana),
            birth_date: text.birth_date.to_string(),
            sex: given(text.sex).and_then(|s| s.parse().ok()),
            relationship: given(text.relationship).and_then(|r| r.parse().ok()),
            insurer_name: text.insurer_name.to_string(),
            insurer_number: given(text.insurer_number),
            symbol: given(text.symbol),
            number: given(text.number),
            branch: given(text.branch),
            copay_percent: given(text.copay).map(|c| fold_width(&c).parse().unwrap_or(0)),
        }
    }

    /// Validates the form and the name of the `operator` recording it as of `today` (the day
    /// in Japan), reporting every failure at once: the operator's name
    /// ([`ClinicError::Operator`]), the fields ([`ClinicError::Invalid`]), or both
    /// ([`ClinicError::Declaration`]). Returns the declaration and the operator's name as
    /// recorded. Call it before [`crate::clinic::DeskStore::declare`] so that the receptionist
    /// sees every mistake of the form in one answer.
    pub fn validate_with_operator(
        &self,
        operator: &str,
        today: NaiveDate,
    ) -> Result<(Declaration, String), ClinicError> {
        self.validate_with_public(&[], operator, today)
            .map(|(d, _, operator)| (d, operator))
    }

    /// [`DeclarationForm::validate_with_operator`] with the 公費 受給者証 seen beside the 申立
    /// ([`super::validate_public_expenses`]): their failures are among the form's fields, so
    /// the receptionist sees every mistake of both in one answer.
    pub fn validate_with_public(
        &self,
        public: &[PublicExpenseEntry],
        operator: &str,
        today: NaiveDate,
    ) -> Result<(Declaration, Vec<SeenPublicExpense>, String), ClinicError> {
        let fields = match (
            self.validate(today),
            validate_public_expenses(public, today),
        ) {
            (Ok(d), Ok(p)) => Ok((d, p)),
            (Err(mut form), Err(public)) => {
                form.errors.extend(public.errors);
                Err(form)
            }
            (Err(fields), Ok(_)) | (Ok(_), Err(fields)) => Err(fields),
        };
        with_operator(operator, fields).map(|((d, p), operator)| (d, p, operator))
    }

    /// Validates the form as of `today` (the day in Japan), naming every field that fails.
    pub fn validate(&self, today: NaiveDate) -> Result<Declaration, ValidationError> {
        let mut errors = Vec::new();
        let mut take = |field: Field, r: Result<String, &'static str>| match r {
            Ok(v) => Some(v),
            Err(reason) => {
                errors.push(FieldError {
                    field,
                    reason: reason.into(),
                });
                None
            }
        };
        let name = take(Field::Name, check_cell_text(&self.name, MAX_NAME_CHARS));
        let kana = present(&self.kana)
            .and_then(|k| take(Field::Kana, fold_kana(k).map_err(KanaError::reason)));
        let insurer_name = take(
            Field::InsurerName,
            check_cell_text(&self.insurer_name, MAX_INSURER_NAME_CHARS),
        );
        let symbol = present(&self.symbol)
            .and_then(|s| take(Field::Symbol, check_cell_text(s, MAX_NUMBER_CHARS)));
        let number = present(&self.number)
            .and_then(|s| take(Field::Number, check_cell_text(s, MAX_NUMBER_CHARS)));
        let branch = present(&self.branch).and_then(|b| {
            let folded = fold_width(b);
            take(
                Field::Branch,
                if folded.len() == 2 && folded.bytes().all(|d| d.is_ascii_digit()) {
                    Ok(folded)
                } else {
                    Err("must be exactly 2 digits")
                },
            )
        });
        let mut birth_date = None;
        match parse_date(&self.birth_date) {
            Ok(b) if b > today => errors.push(FieldError {
                field: Field::BirthDate,
                reason: "must not be in the future".into(),
            }),
            Ok(b) if b < EARLIEST_BIRTH => errors.push(FieldError {
                field: Field::BirthDate,
                reason: "must not be before 1890".into(),
            }),
            Ok(b) => birth_date = Some(b),
            Err(reason) => errors.push(FieldError {
                field: Field::BirthDate,
                reason: reason.into(),
            }),
        }
        // 性別 and 本人・家族の別 are claim fields (spec/clinic.md §2): a 申立 without them could
        // not be claimed.
        for (field, missing) in [
            (Field::Sex, self.sex.is_none()),
            (Field::Relationship, self.relationship.is_none()),
        ] {
            if missing {
                errors.push(FieldError {
                    field,
                    reason: REQUIRED.into(),
                });
            }
        }
        let insurer_number = match present(&self.insurer_number).map(InsurerNumber::parse) {
            None => None,
            Some(Ok(n)) => Some(n),
            Some(Err(e)) => {
                errors.push(FieldError {
                    field: Field::InsurerNumber,
                    reason: e.to_string(),
                });
                None
            }
        };
        let copay = match self.copay_percent.map(CopayRate::try_from) {
            None => None,
            Some(Ok(c)) => Some(c),
            Some(Err(reason)) => {
                errors.push(FieldError {
                    field: Field::Copay,
                    reason: reason.into(),
                });
                None
            }
        };
        if let Some(birth) = birth_date {
            errors.extend(implausible(
                birth,
                today,
                insurer_number.as_ref(),
                self.relationship,
                copay,
            ));
        }
        if !errors.is_empty() {
            return Err(ValidationError { errors });
        }
        match (name, insurer_name, birth_date) {
            (Some(name), Some(insurer_name), Some(birth_date)) => Ok(Declaration {
                name,
                kana,
                birth_date,
                sex: self.sex,
                relationship: self.relationship,
                insurer_name,
                insurer_number,
                symbol,
                number,
                branch,
                copay,
            }),
            _ => Err(ValidationError {
                errors: vec![FieldError {
                    field: Field::Name,
                    reason: "incomplete input".into(),
                }],
            }),
        }
    }
}

/// Why a 後期高齢者医療 number is refused before 65.
const LATE_NUMBER_TOO_YOUNG: &str =
    "is a 後期高齢者医療 number, which starts at 75 (65 with a disability certification)";

/// The start of why a declared share is refused (the shares the law allows follow, then `)`).
const LAW_SHARE_PREFIX: &str = "is not a share the law sets at this age (";

/// Why 家族 is refused under 後期高齢者医療.
const NO_DEPENDENT_UNDER_LATE: &str = "cannot be 家族 under 後期高齢者医療 (it has no 被扶養者)";

/// Why a required choice (性別, 本人・家族の別) was refused: it was not made.
pub(crate) const REQUIRED: &str = "is required (a claim field)";

/// Why a declared 保険者番号 that is not a 後期高齢者医療 one is refused from the 75th birthday
/// (高齢者の医療の確保に関する法律 §50), in the receptionist's words; no value.
pub(crate) const LATE_ELDERLY_ONLY_JA: &str = "75歳以上の方は後期高齢者医療の被保険者です（高齢者の医療の確保に関する法律 第50条）。\
     保険者番号は後期高齢者医療広域連合の番号（39で始まる8桁）です。わからなければ空欄にしてください";

/// What cannot be true of a declaration, by the law's rules for the person's age and scheme
/// (spec/eligibility.md §3, docs/rules.md §2; the same rules as the household's screens,
/// `screen::calendar::statutory_copay`):
/// - a declared share the law does not set for this age: 未就学 2割, then 3割 to 69, 2 or 3割
///   from 70 to 74, 1, 2 or 3割 under 後期高齢者医療 (the patient pays the legal share; a wrong
///   one is a typing or memory error, and the field may be left empty);
/// - 後期高齢者医療 (保険者番号 39…) before 65 (it starts at 75, or at 65 with a disability
///   certification);
/// - 家族 under 後期高齢者医療 (a 39… number, or from the 75th birthday whatever is declared): it
///   has no 被扶養者, everyone is insured in their own right;
/// - from the 75th birthday (`screen::calendar::late_elderly_on`, the household's rule), a
///   保険者番号 other than a 後期高齢者医療 one: everyone 75 or over is its 被保険者
///   (高齢者の医療の確保に関する法律 §50; the 生活保護 recipients §51 excludes have no insurance to
///   declare), so the share is one 後期 sets (1, 2 or 3割, §67) whether a number is declared
///   or not.
fn implausible(
    birth: NaiveDate,
    today: NaiveDate,
    insurer: Option<&InsurerNumber>,
    relationship: Option<Relationship>,
    copay: Option<CopayRate>,
) -> Vec<FieldError> {
    let mut errors = Vec::new();
    let late_number = insurer.is_some_and(InsurerNumber::is_late_elderly);
    let seventy_five = late_elderly_on(birth, today);
    if seventy_five && insurer.is_some() && !late_number {
        errors.push(FieldError {
            field: Field::InsurerNumber,
            reason: LATE_ELDERLY_ONLY_JA.into(),
        });
    }
    // The law's share at 75 or over is 後期's, whatever number is declared (or none).
    let late = late_number || seventy_five;
    if late_number {
        let sixty_fifth = birth.checked_add_months(Months::new(65 * 12));
        if sixty_fifth.is_none_or(|d| today < d) {
            errors.push(FieldError {
                field: Field::InsurerNumber,
                reason: LATE_NUMBER_TOO_YOUNG.into(),
            });
        }
    }
    // 後期高齢者医療 has no 被扶養者: from the 75th birthday (whatever number is declared, or
    // none) or with a 後期 number, the patient is insured in their own right (§50, §52).
    if late && relationship == Some(Relationship::Dependent) {
        errors.push(FieldError {
            field: Field::Relationship,
            reason: NO_DEPENDENT_UNDER_LATE.into(),
        });
    }
    if let (Some(c), Some(law)) = (copay, statutory_copay(birth, today, late))
        && !law.allows(c.percent())
    {
        let allowed: Vec<String> = law
            .allowed_percent()
            .iter()
            .map(|p| format!("{}割", p / 10))
            .collect();
        errors.push(FieldError {
            field: Field::Copay,
            reason: format!(
                "{LAW_SHARE_PREFIX}{}); leave it empty if unsure",
                allowed.join(" or ")
            ),
        });
    }
    errors
}

/// What is wrong with the fields of a 申立 (`errors`, [`DeclarationForm::validate`]'s), in the
/// receptionist's words: one sentence per failing field, naming it and, where one phrase says
/// it, the rule; no value. The 公費 typed beside it are left out (`public_expense::refusal_ja`
/// says them). `None` when no field of the form itself failed.
pub(crate) fn fields_refusal_ja(errors: &[FieldError]) -> Option<String> {
    let lines: Vec<String> = errors.iter().filter_map(field_reason_ja).collect();
    if lines.is_empty() {
        None
    } else {
        Some(format!(
            "申立書の入力を確認してください（記録していません）: {}",
            lines.join("")
        ))
    }
}

/// One failing field of a 申立 in Japanese (a sentence ending in 「。」), or `None` for a 公費
/// field.
fn field_reason_ja(e: &FieldError) -> Option<String> {
    let label = e.field.label_ja();
    let reason = e.reason.as_str();
    let text = |s: &str| -> String {
        match s {
            "must not be empty" => format!("{label}を入力してください。"),
            "is too long" => format!("{label}が長すぎます。"),
            "must not contain control characters"
            | "must not contain invisible formatting characters" => {
                format!("{label}に使えない文字（制御文字・見えない書式文字）が含まれています。")
            }
            r if r.starts_with("must not start with") => format!(
                "{label}の先頭に =、+、-、@ は使えません（表計算ソフトが数式として実行するため）。"
            ),
            _ => format!("{label}を確認してください。"),
        }
    };
    Some(match e.field {
        Field::PublicPayerNumber
        | Field::PublicRecipientNumber
        | Field::PublicProgram
        | Field::PublicValidUntil => return None,
        Field::Sex | Field::Relationship if reason == REQUIRED => {
            format!("{label}を選んでください（レセプトに必要な項目です）。")
        }
        Field::Relationship if reason == NO_DEPENDENT_UNDER_LATE => {
            "後期高齢者医療（75歳以上、または39で始まる保険者番号）には家族（被扶養者）がありません。\
             本人を選んでください。"
                .to_string()
        }
        Field::Kana if reason == KanaError::Hiragana.reason() => {
            "氏名カナはカタカナで入力してください（ひらがなは使えません）。".to_string()
        }
        Field::Kana if reason == KanaError::NotKatakana.reason() => {
            "氏名カナはカタカナで入力してください。".to_string()
        }
        Field::BirthDate if reason == "must not be in the future" => {
            "生年月日が今日より後の日付です。".to_string()
        }
        Field::BirthDate if reason == "must not be before 1890" => {
            "生年月日が1890年より前です。".to_string()
        }
        Field::BirthDate => "生年月日を西暦（1970-05-06）か和暦（昭和45年5月6日、S45.5.6）で\
                             入力してください。"
            .to_string(),
        Field::InsurerNumber if reason == LATE_ELDERLY_ONLY_JA => format!("{reason}。"),
        Field::InsurerNumber if reason == LATE_NUMBER_TOO_YOUNG => {
            "39で始まる保険者番号は後期高齢者医療の番号で、75歳（障害認定があれば65歳）からです。\
             わからなければ空欄にしてください。"
                .to_string()
        }
        Field::InsurerNumber => insurer_number_reason_ja(reason).to_string(),
        Field::Branch => "枝番は2桁の数字です（わからなければ空欄）。".to_string(),
        Field::Copay => match reason.strip_prefix(LAW_SHARE_PREFIX) {
            Some(rest) => format!(
                "申告の負担割合は、この年齢では法律の割合（{}）ではありません。\
                 わからなければ空欄にしてください。",
                rest.split(')').next().unwrap_or_default().replace(" or ", "か")
            ),
            None => "申告の負担割合は1割・2割・3割のどれかです（わからなければ空欄）。".to_string(),
        },
        _ => text(reason),
    })
}

/// A declared 保険者番号's refusal in Japanese, by the core's reason ([`InsurerNumberError`]).
fn insurer_number_reason_ja(reason: &str) -> &'static str {
    use crate::eligibility::InsurerNumberError as E;
    let is = |e: E| reason == e.to_string();
    if is(E::Length) {
        "保険者番号は8桁（国民健康保険は6桁）です。わからなければ空欄にしてください。"
    } else if is(E::NotDigits) {
        "保険者番号は数字だけです。"
    } else if is(E::CheckDigit) {
        "保険者番号の検証番号（最後の1桁）が合いません。番号を確かめるか、わからなければ空欄にしてください。"
    } else if is(E::UnknownLawCode) {
        "保険者番号の法別番号（最初の2桁）が正しくありません。"
    } else if is(E::AbolishedLawCode) {
        "法別番号67（退職者医療）は廃止されています。今の保険の保険者番号を入力してください。"
    } else if is(E::Prefecture) {
        "保険者番号の都道府県番号（3・4桁目、01〜47）が正しくありません。"
    } else if is(E::PublicExpenseNumber) {
        "保険者番号の欄に公費負担者番号が入っています（公費は公費の欄に入力してください）。"
    } else {
        "保険者番号を確認してください。"
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    pub(crate) fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 28).unwrap()
    }

    pub(crate) fn form() -> DeclarationForm {
        DeclarationForm {
            name: "佐藤 一郎".into(),
            kana: Some("ｻﾄｳ ｲﾁﾛｳ".into()),
            birth_date: "1970-05-06".into(),
            sex: Some(Sex::Male),
            relationship: Some(Relationship::Insured),
            insurer_name: "株式会社サンプル".into(),
            insurer_number: Some("01130012".into()),
            symbol: Some("１２３".into()),
            number: Some("4567".into()),
            branch: Some("００".into()),
            copay_percent: Some(30),
        }
    }

    #[test]
    fn validates_and_folds() {
        let d = form().validate(today()).unwrap();
        assert_eq!(d.kana.as_deref(), Some("サトウ イチロウ"));
        assert_eq!(d.symbol.as_deref(), Some("１２３"), "kept as typed");
        assert_eq!(d.branch.as_deref(), Some("00"));
        assert_eq!(d.copay, Some(CopayRate::Thirty));
        let minimal = DeclarationForm {
            name: "佐藤 一郎".into(),
            birth_date: "昭和45年5月6日".into(),
            sex: Some(Sex::Male),
            relationship: Some(Relationship::Insured),
            insurer_name: "不明".into(),
            ..Default::default()
        };
        let d = minimal.validate(today()).unwrap();
        assert_eq!(d.birth_date, NaiveDate::from_ymd_opt(1970, 5, 6).unwrap());
        assert_eq!(d.insurer_number, None);
    }

    /// The text of the desk page's form and of `clinic declare`: blank is not given, a value
    /// not among the choices is not given (and refused with the rest), a share is folded from
    /// full width and, when not a number, refused in its own field.
    #[test]
    fn typed_text_is_read_once_for_every_front_end() {
        let typed = DeclarationText {
            name: "佐藤 一郎",
            kana: Some("  "),
            birth_date: "1970-05-06",
            sex: Some(" female "),
            relationship: Some("self"),
            insurer_name: "株式会社サンプル",
            insurer_number: Some(""),
            symbol: Some(" １２３ "),
            number: None,
            branch: None,
            copay: Some("３０"),
        };
        let form = DeclarationForm::from_text(typed);
        assert_eq!(form.kana, None);
        assert_eq!(form.insurer_number, None);
        assert_eq!(form.symbol.as_deref(), Some("１２３"));
        assert_eq!(form.sex, Some(Sex::Female));
        assert_eq!(form.relationship, Some(Relationship::Insured));
        assert_eq!(form.copay_percent, Some(30));
        assert!(form.validate(today()).is_ok());
        let wrong = DeclarationForm::from_text(DeclarationText {
            sex: Some("M?"),
            relationship: Some("boss"),
            copay: Some("abc"),
            ..typed
        });
        assert_eq!((wrong.sex, wrong.relationship), (None, None));
        assert_eq!(wrong.copay_percent, Some(0));
        let e = wrong.validate(today()).unwrap_err();
        assert!(
            e.has(Field::Sex) && e.has(Field::Relationship) && e.has(Field::Copay),
            "{e:?}"
        );
    }

    #[test]
    fn a_share_the_law_does_not_set_at_this_age_is_refused() {
        let at = |birth: &str, copay: u8| DeclarationForm {
            birth_date: birth.into(),
            copay_percent: Some(copay),
            ..form()
        };
        // today() is 2026-11-28.
        for (birth, ok, bad) in [
            ("2022-05-06", 20, 30), // 未就学 (to 2029-03-31)
            ("1970-05-06", 30, 10), // 56
            ("1954-05-06", 20, 10), // 72: 2 or 3割
        ] {
            assert!(at(birth, ok).validate(today()).is_ok(), "{birth} {ok}");
            let e = at(birth, bad).validate(today()).unwrap_err();
            assert!(e.has(Field::Copay), "{birth} {bad}: {e}");
            assert_eq!(e.errors.len(), 1);
        }
        // Not stated: nothing to check.
        let none = DeclarationForm {
            birth_date: "2022-05-06".into(),
            copay_percent: None,
            ..form()
        };
        assert!(none.validate(today()).is_ok());
    }

    #[test]
    fn late_elderly_insurance_needs_the_age_and_has_no_dependents() {
        let late = |birth: &str, rel, copay| DeclarationForm {
            birth_date: birth.into(),
            insurer_number: Some("39131156".into()),
            symbol: None,
            relationship: Some(rel),
            copay_percent: Some(copay),
            ..form()
        };
        assert!(
            late("1949-05-06", Relationship::Insured, 10)
                .validate(today())
                .is_ok()
        );
        // 65 with a disability certification is possible; 64 is not.
        assert!(
            late("1961-11-28", Relationship::Insured, 10)
                .validate(today())
                .is_ok()
        );
        let e = late("1961-11-29", Relationship::Insured, 10)
            .validate(today())
            .unwrap_err();
        assert!(e.has(Field::InsurerNumber), "{e}");
        let e = late("1949-05-06", Relationship::Dependent, 10)
            .validate(today())
            .unwrap_err();
        assert!(e.has(Field::Relationship), "{e}");
        assert!(!e.has(Field::InsurerNumber));
    }

    /// From the 75th birthday the patient is under 後期高齢者医療 (高齢者の医療の確保に関する
    /// 法律 §50): its shares (1, 2 or 3割) with or without a declared number, and a number of
    /// another scheme is refused in the receptionist's words.
    #[test]
    fn at_75_the_share_is_late_elderlys_and_only_its_number_is_accepted() {
        let at = |birth: &str, number: Option<&str>, copay| DeclarationForm {
            birth_date: birth.into(),
            insurer_name: "東京都後期高齢者医療広域連合".into(),
            insurer_number: number.map(str::to_string),
            symbol: None,
            number: None,
            branch: None,
            copay_percent: Some(copay),
            ..form()
        };
        // 90, no number declared: 1, 2 and 3割 are all the law's.
        for copay in [10, 20, 30] {
            let d = at("1936-05-01", None, copay).validate(today()).unwrap();
            assert_eq!(d.copay.map(|c| c.percent()), Some(copay));
            assert!(
                at("1936-05-01", Some("39131156"), copay)
                    .validate(today())
                    .is_ok()
            );
        }
        // A 協会けんぽ number at 80: refused, whatever the share, in the number's field.
        for copay in [10, 30] {
            let e = at("1946-05-01", Some("01130012"), copay)
                .validate(today())
                .unwrap_err();
            assert!(e.has(Field::InsurerNumber), "{e}");
            assert!(!e.has(Field::Copay), "{e}");
            assert_eq!(e.errors.len(), 1, "{e}");
            assert!(
                e.to_string()
                    .contains("75歳以上の方は後期高齢者医療の被保険者です")
            );
            assert!(!e.to_string().contains("01130012"));
        }
        // The 75th birthday is the day (born 1951-11-28: 75 on 2026-11-28, today()); the day
        // before, the 70–74 rule (2 or 3割) and the 協会けんぽ number stand.
        assert!(at("1951-11-28", None, 10).validate(today()).is_ok());
        assert!(
            at("1951-11-28", Some("01130012"), 10)
                .validate(today())
                .unwrap_err()
                .has(Field::InsurerNumber)
        );
        let e = at("1951-11-29", None, 10).validate(today()).unwrap_err();
        assert!(e.has(Field::Copay) && !e.has(Field::InsurerNumber), "{e}");
        assert!(
            at("1951-11-29", Some("01130012"), 30)
                .validate(today())
                .is_ok()
        );
    }

    #[test]
    fn a_bad_operator_name_is_reported_with_every_failing_field() {
        let bad = DeclarationForm {
            birth_date: "2999-01-01".into(),
            branch: Some("1".into()),
            ..form()
        };
        let (d, op) = form()
            .validate_with_operator(" 受付 花子 ", today())
            .unwrap();
        assert_eq!(
            (d, op.as_str()),
            (form().validate(today()).unwrap(), "受付 花子")
        );
        match bad.validate_with_operator("=cmd", today()) {
            Err(e @ ClinicError::Declaration { .. }) => {
                let ClinicError::Declaration { operator, fields } = &e else {
                    unreachable!()
                };
                assert!(!operator.is_empty());
                assert!(
                    fields.has(Field::BirthDate) && fields.has(Field::Branch),
                    "{e}"
                );
                let text = e.to_string();
                assert!(
                    text.contains("operator name") && text.contains("birth_date"),
                    "{text}"
                );
                assert!(!text.contains("cmd") && !text.contains("2999"), "{text}");
            }
            other => panic!("{other:?}"),
        }
        // One kind of failure alone keeps its own error.
        assert!(matches!(
            form().validate_with_operator("", today()),
            Err(ClinicError::Operator { .. })
        ));
        assert!(matches!(
            bad.validate_with_operator("受付", today()),
            Err(ClinicError::Invalid(e)) if e.has(Field::BirthDate) && e.has(Field::Branch)
        ));
    }

    #[test]
    fn names_every_failing_field_without_values() {
        let bad = DeclarationForm {
            name: "=HYPERLINK(\"x\")".into(),
            kana: Some("さとう".into()),
            birth_date: "2999-01-01".into(),
            insurer_name: " ".into(),
            insurer_number: Some("01130013".into()),
            branch: Some("1".into()),
            copay_percent: Some(25),
            ..form()
        };
        let e = bad.validate(today()).unwrap_err();
        for f in [
            Field::Name,
            Field::Kana,
            Field::BirthDate,
            Field::InsurerName,
            Field::InsurerNumber,
            Field::Branch,
            Field::Copay,
        ] {
            assert!(e.has(f), "{f:?} in {e}");
        }
        assert!(!e.to_string().contains("HYPERLINK"));
    }

    /// 性別 and 本人・家族の別 are claim fields (spec/clinic.md §2): a 申立 without them is
    /// refused, each named, with every other failing field, in English and in Japanese.
    #[test]
    fn sex_and_relationship_are_required() {
        let without = DeclarationForm {
            sex: None,
            relationship: None,
            ..form()
        };
        let e = without.validate(today()).unwrap_err();
        assert!(e.has(Field::Sex) && e.has(Field::Relationship), "{e}");
        assert_eq!(e.errors.len(), 2, "{e}");
        assert!(e.to_string().contains("sex") && e.to_string().contains("relationship"));
        let ja = fields_refusal_ja(&e.errors).unwrap();
        assert!(
            ja.contains("性別を選んでください") && ja.contains("本人・家族の別を選んでください"),
            "{ja}"
        );
        // One missing, with another mistake: both named.
        let e = DeclarationForm {
            relationship: None,
            branch: Some("1".into()),
            ..form()
        }
        .validate(today())
        .unwrap_err();
        assert!(e.has(Field::Relationship) && e.has(Field::Branch) && !e.has(Field::Sex));
        for sex in [Sex::Male, Sex::Female, Sex::Other] {
            let d = DeclarationForm {
                sex: Some(sex),
                ..form()
            }
            .validate(today())
            .unwrap();
            assert_eq!(d.sex, Some(sex));
        }
    }

    /// From the 75th birthday the patient is under 後期高齢者医療, which has no 家族, whether a
    /// 後期 number is declared or none.
    #[test]
    fn no_dependent_at_75_even_without_a_number() {
        let at = |birth: &str, rel| DeclarationForm {
            birth_date: birth.into(),
            insurer_number: None,
            relationship: Some(rel),
            copay_percent: None,
            ..form()
        };
        let e = at("1946-05-01", Relationship::Dependent)
            .validate(today())
            .unwrap_err();
        assert!(e.has(Field::Relationship) && e.errors.len() == 1, "{e}");
        assert!(
            fields_refusal_ja(&e.errors)
                .unwrap()
                .contains("家族（被扶養者）がありません"),
        );
        assert!(
            at("1946-05-01", Relationship::Insured)
                .validate(today())
                .is_ok()
        );
        // The day before the 75th birthday, a 家族 is still possible.
        assert!(
            at("1951-11-29", Relationship::Dependent)
                .validate(today())
                .is_ok()
        );
    }

    /// Every failing field of the form is said in Japanese, named, without its value; the 公費
    /// are left to their own refusal.
    #[test]
    fn every_failing_field_is_said_in_japanese_without_values() {
        let bad = DeclarationForm {
            name: "=HYPERLINK(\"x\")".into(),
            kana: Some("さとう".into()),
            birth_date: "2999-01-01".into(),
            insurer_name: " ".into(),
            insurer_number: Some("01130013".into()),
            branch: Some("1".into()),
            copay_percent: Some(25),
            sex: None,
            ..form()
        };
        let e = bad.validate(today()).unwrap_err();
        let ja = fields_refusal_ja(&e.errors).unwrap();
        for says in [
            "申立書の入力を確認してください（記録していません）: ",
            "氏名の先頭に =、+、-、@ は使えません",
            "氏名カナはカタカナで入力してください（ひらがなは使えません）。",
            "生年月日が今日より後の日付です。",
            "保険者名称を入力してください。",
            "保険者番号の検証番号（最後の1桁）が合いません。",
            "枝番は2桁の数字です",
            "申告の負担割合は1割・2割・3割のどれかです",
            "性別を選んでください",
        ] {
            assert!(ja.contains(says), "{says} not in {ja}");
        }
        for value in ["HYPERLINK", "さとう", "2999", "01130013"] {
            assert!(!ja.contains(value), "{value} in {ja}");
        }
        // A share the law does not set at this age: the law's shares, in Japanese.
        let e = DeclarationForm {
            birth_date: "1954-05-06".into(),
            copay_percent: Some(10),
            ..form()
        }
        .validate(today())
        .unwrap_err();
        let ja = fields_refusal_ja(&e.errors).unwrap();
        assert!(ja.contains("法律の割合（2割か3割）ではありません"), "{ja}");
        // A number of another scheme at 80, and a 後期 number at 60: the core's words.
        for (birth, number, says) in [
            (
                "1946-05-01",
                "01130012",
                "75歳以上の方は後期高齢者医療の被保険者です",
            ),
            (
                "1966-05-01",
                "39131156",
                "39で始まる保険者番号は後期高齢者医療の番号で",
            ),
        ] {
            let e = DeclarationForm {
                birth_date: birth.into(),
                insurer_number: Some(number.into()),
                copay_percent: None,
                ..form()
            }
            .validate(today())
            .unwrap_err();
            let ja = fields_refusal_ja(&e.errors).unwrap();
            assert!(ja.contains(says), "{ja}");
        }
        // Only 公費 failed: nothing for the form itself.
        let public = vec![crate::clinic::PublicExpenseEntry {
            payer_number: "88131017".into(),
            ..Default::default()
        }];
        let err = form()
            .validate_with_public(&public, "受付", today())
            .unwrap_err();
        assert_eq!(err.declaration_refusal_ja(), None);
        assert!(err.public_expense_refusal_ja().is_some());
        let err = bad.validate_with_public(&public, "", today()).unwrap_err();
        let ja = err.declaration_refusal_ja().unwrap();
        assert!(
            ja.contains("性別を選んでください") && !ja.contains("公費"),
            "{ja}"
        );
        assert!(err.operator_refusal_ja().is_some());
    }
}
