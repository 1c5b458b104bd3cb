//! 公費 at the desk: the 公費負担医療 受給者証 (医療証) a patient shows beside the insurance
//! (こども医療費, ひとり親, 重度障害者, 難病, 自立支援 …), which the claim needs too (spec/clinic.md §2:
//! 「公費 (公費負担者番号 8 digits, 受給者番号 7 digits) where present」). Nothing signs a 受給者証:
//! the desk reads the paper by eye and the receptionist types it, so a 公費 is always recorded,
//! shown and exported as [`PUBLIC_EXPENSE_SEEN_LABEL`] (受給者証目視・未検証), whatever the
//! verdict of the insurance beside it.
//!
//! At most two per visit — the claim's 第一公費 and 第二公費, in that order (the order the
//! receptionist types them in) — with distinct 公費負担者番号.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::declaration::check_cell_text;
use crate::eligibility::text::{TOO_FAR_AHEAD, is_too_far_ahead, parse_date};
use crate::eligibility::{
    Field, FieldError, InsurerNumber, InsurerNumberError, ValidationError, parse_recipient_number,
};

/// How many 公費 a visit records at most: the claim's 第一公費 and 第二公費.
pub const MAX_PUBLIC_EXPENSES: usize = 2;

/// The longest 受給者証 name recorded, in characters: the printed names are short
/// (「特定医療費（指定難病）受給者証」 15, 「自立支援医療受給者証（精神通院）」 16), and the widest entry
/// with two of them must still seal to the visit log's one length (`store::crypto::VISIT_BUCKET`).
pub const MAX_PROGRAM_CHARS: usize = 20;

/// How every 公費 at the desk is confirmed: the paper 受給者証 seen, nothing verified.
pub const PUBLIC_EXPENSE_SEEN_LABEL: &str = "受給者証目視・未検証";

/// What the receptionist types from one 公費 受給者証, before validation.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PublicExpenseEntry {
    /// 公費負担者番号 (required): 8 digits, a 公費 法別番号, its check digit verified.
    pub payer_number: String,
    /// 受給者番号, as printed (7 digits). Optional: some 受給者証 print none (法別 30 among
    /// them).
    #[serde(default)]
    pub recipient_number: Option<String>,
    /// The 受給者証's name as printed (こども医療費受給者証 …), if typed.
    #[serde(default)]
    pub program: Option<String>,
    /// Its 有効期限 (`YYYY-MM-DD` or 和暦), if printed.
    #[serde(default)]
    pub valid_until: Option<String>,
}

/// A 公費 受給者証 as recorded with a visit: typed from the paper the receptionist saw, never
/// verified ([`PUBLIC_EXPENSE_SEEN_LABEL`]). Its serde form is the sealed entry's, with short
/// names (so that the widest entry still seals to the visit log's one length,
/// `store::crypto::VISIT_BUCKET`); the exports write their own (`export::entry_json`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SeenPublicExpense {
    /// 公費負担者番号.
    #[serde(rename = "payer")]
    pub payer_number: InsurerNumber,
    /// 受給者番号 (7 half-width digits), when the 受給者証 prints one.
    #[serde(rename = "recipient")]
    pub recipient_number: Option<String>,
    /// The 受給者証's name, as typed.
    #[serde(rename = "name")]
    pub program: Option<String>,
    /// Its 有効期限, as typed.
    #[serde(rename = "until")]
    pub valid_until: Option<NaiveDate>,
}

impl SeenPublicExpense {
    /// The program's label: the name typed, or the one the 法別番号 gives
    /// ([`InsurerNumber::program_label_ja`]).
    pub fn program_ja(&self) -> String {
        match &self.program {
            Some(p) => p.clone(),
            None => self.payer_number.program_label_ja().to_string(),
        }
    }
}

/// The claim's name of the 公費 at `index` (0: 第一公費, 1: 第二公費).
pub fn public_expense_order_ja(index: usize) -> &'static str {
    WHICH[index.min(1)].1
}

/// The prefix of a 公費's failures (`first 公費: …`), and the claim's name of that 公費.
const WHICH: [(&str, &str); 3] = [
    ("first", "第一公費"),
    ("second", "第二公費"),
    ("a third", "3つ目の公費"),
];

/// The receptionist's words for the 公費 among `errors` ([`validate_public_expenses`]'s): for
/// each, which 公費 and which field, and the rule where one word says it; no value. `None` when
/// no 公費 field failed.
pub(crate) fn refusal_ja(errors: &[FieldError]) -> Option<String> {
    let lines: Vec<String> = errors
        .iter()
        .filter_map(|e| {
            let (which, reason) = e.reason.split_once(" 公費: ")?;
            let (_, which) = WHICH.iter().find(|(en, _)| *en == which)?;
            Some(match e.field {
                Field::PublicPayerNumber if reason.starts_with("at most") => {
                    format!("公費は{MAX_PUBLIC_EXPENSES}つ（第一公費・第二公費）までです")
                }
                Field::PublicPayerNumber if reason.starts_with("is the same") => {
                    format!("{which}の公費負担者番号が第一公費と同じです")
                }
                Field::PublicPayerNumber => {
                    format!("{which}の{}", payer_reason_ja(reason.parse().ok()))
                }
                Field::PublicRecipientNumber => format!("{which}の受給者番号（7桁）"),
                Field::PublicProgram => format!("{which}の{}", program_reason_ja(reason)),
                Field::PublicValidUntil if reason.starts_with("has passed") => {
                    format!("{which}の有効期限が過ぎています（期限切れの受給者証は使えません）")
                }
                Field::PublicValidUntil if reason == TOO_FAR_AHEAD => {
                    format!("{which}の有効期限の年（20年より先の日付です）")
                }
                Field::PublicValidUntil => format!("{which}の有効期限（日付）"),
                _ => return None,
            })
        })
        .collect();
    if lines.is_empty() {
        None
    } else {
        Some(format!(
            "公費の入力を確認してください（記録していません）: {}。",
            lines.join("、")
        ))
    }
}

/// The 公費負担者番号's refusal, by why ([`PayerProblem`]; `None`: an empty field).
fn payer_reason_ja(problem: Option<PayerProblem>) -> &'static str {
    match problem {
        None => "公費負担者番号を入力してください",
        Some(PayerProblem::Insurer) => {
            "公費負担者番号の欄に保険者番号が入っています（受給者証の公費負担者番号、8桁）"
        }
        Some(PayerProblem::CheckDigit) => "公費負担者番号の検証番号（最後の1桁）が合いません",
        Some(PayerProblem::Prefecture) => "公費負担者番号の都道府県番号（3・4桁目、01〜47）",
        Some(PayerProblem::LawCode) => "公費負担者番号の法別番号（最初の2桁）",
        Some(PayerProblem::Digits) => "公費負担者番号（8桁の数字）",
    }
}

/// Why a 公費負担者番号 was refused, read back from the reason [`validate_public_expenses`]
/// gave (the [`InsurerNumberError`]'s words, or "is required").
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum PayerProblem {
    Insurer,
    CheckDigit,
    Prefecture,
    LawCode,
    Digits,
}

impl std::str::FromStr for PayerProblem {
    type Err = ();

    fn from_str(reason: &str) -> Result<Self, ()> {
        use InsurerNumberError as E;
        let is = |e: E| reason == e.to_string();
        if reason == PAYER_REQUIRED {
            Err(())
        } else if is(E::NotPublicExpense) {
            Ok(PayerProblem::Insurer)
        } else if is(E::CheckDigit) {
            Ok(PayerProblem::CheckDigit)
        } else if is(E::Prefecture) {
            Ok(PayerProblem::Prefecture)
        } else if is(E::UnknownLawCode) || is(E::AbolishedLawCode) {
            Ok(PayerProblem::LawCode)
        } else {
            Ok(PayerProblem::Digits)
        }
    }
}

/// The reason of an empty 公費負担者番号.
const PAYER_REQUIRED: &str = "is required";

/// The name's refusal, by the text rule it broke (`check_cell_text`'s reasons).
fn program_reason_ja(reason: &str) -> String {
    if reason.starts_with("must not start with") {
        "名称（先頭に =、+、-、@ は使えません）".into()
    } else if reason.starts_with("must not contain") {
        "名称（改行や見えない文字は使えません）".into()
    } else {
        format!("名称（{MAX_PROGRAM_CHARS}文字まで）")
    }
}

fn present(s: &Option<String>) -> Option<&str> {
    s.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

/// Validates the 公費 typed for one visit as of `today` (the day in Japan), naming every field
/// that fails, each reason prefixed with which 公費 it is (`first 公費: …`): at most
/// [`MAX_PUBLIC_EXPENSES`], each 公費負担者番号 valid and different from the other's, a
/// 受給者番号 of 7 digits when typed, a name fit for an exported cell, and an 有効期限 not before
/// `today` (an expired 受給者証 is not used for the visit).
pub fn validate_public_expenses(
    entries: &[PublicExpenseEntry],
    today: NaiveDate,
) -> Result<Vec<SeenPublicExpense>, ValidationError> {
    let mut errors = Vec::new();
    let mut push = |field: Field, which: &str, reason: &str| {
        errors.push(FieldError {
            field,
            reason: format!("{which} 公費: {reason}"),
        });
    };
    if entries.len() > MAX_PUBLIC_EXPENSES {
        push(
            Field::PublicPayerNumber,
            "a third",
            "at most 2 per visit (第一公費 and 第二公費)",
        );
    }
    let mut out = Vec::new();
    for (i, e) in entries.iter().enumerate().take(MAX_PUBLIC_EXPENSES) {
        // `i` is below MAX_PUBLIC_EXPENSES (2), and WHICH has 3 entries.
        let (which, _) = WHICH[i];
        let payer = match InsurerNumber::parse_public_payer(&e.payer_number) {
            _ if e.payer_number.trim().is_empty() => {
                push(Field::PublicPayerNumber, which, PAYER_REQUIRED);
                None
            }
            Ok(n) if out.iter().any(|o: &SeenPublicExpense| o.payer_number == n) => {
                push(
                    Field::PublicPayerNumber,
                    which,
                    "is the same 公費負担者番号 as the first",
                );
                None
            }
            Ok(n) => Some(n),
            Err(err) => {
                push(Field::PublicPayerNumber, which, &err.to_string());
                None
            }
        };
        let recipient = match present(&e.recipient_number).map(parse_recipient_number) {
            Some(Err(reason)) => {
                push(Field::PublicRecipientNumber, which, reason);
                None
            }
            Some(Ok(r)) => Some(Some(r)),
            None => Some(None),
        };
        let program = match present(&e.program).map(|p| check_cell_text(p, MAX_PROGRAM_CHARS)) {
            Some(Err(reason)) => {
                push(Field::PublicProgram, which, reason);
                None
            }
            Some(Ok(p)) => Some(Some(p)),
            None => Some(None),
        };
        let valid_until = match present(&e.valid_until).map(parse_date) {
            Some(Ok(d)) if d < today => {
                push(
                    Field::PublicValidUntil,
                    which,
                    "has passed (an expired 受給者証 is not used for this visit)",
                );
                None
            }
            Some(Ok(d)) if is_too_far_ahead(d, today) => {
                push(Field::PublicValidUntil, which, TOO_FAR_AHEAD);
                None
            }
            Some(Ok(d)) => Some(Some(d)),
            Some(Err(reason)) => {
                push(Field::PublicValidUntil, which, reason);
                None
            }
            None => Some(None),
        };
        if let (Some(payer_number), Some(recipient_number), Some(program), Some(valid_until)) =
            (payer, recipient, program, valid_until)
        {
            out.push(SeenPublicExpense {
                payer_number,
                recipient_number,
                program,
                valid_until,
            });
        }
    }
    if errors.is_empty() {
        Ok(out)
    } else {
        Err(ValidationError { errors })
    }
}

#[cfg(test)]
pub(crate) mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 30).unwrap()
    }

    /// A こども医療費 受給者証 of 東京都 (法別 88, 都道府県 13) and a 難病 one (法別 54), as a
    /// receptionist types them: full width, spaces, 和暦.
    pub(crate) fn two() -> Vec<PublicExpenseEntry> {
        vec![
            PublicExpenseEntry {
                payer_number: "８８１３１０１６".into(),
                recipient_number: Some("１２３ ４５６７".into()),
                program: Some("子ども医療証".into()),
                valid_until: Some("令和9年3月31日".into()),
            },
            PublicExpenseEntry {
                payer_number: format!(
                    "5413101{}",
                    crate::eligibility::insurer::check_digit("5413101").unwrap()
                ),
                recipient_number: None,
                program: None,
                valid_until: None,
            },
        ]
    }

    #[test]
    fn two_public_expenses_are_recorded_as_typed_and_folded() {
        let seen = validate_public_expenses(&two(), today()).unwrap();
        assert_eq!(seen.len(), 2);
        assert_eq!(seen[0].payer_number.as_str(), "88131016");
        assert_eq!(seen[0].recipient_number.as_deref(), Some("1234567"));
        assert_eq!(seen[0].program_ja(), "子ども医療証");
        assert_eq!(seen[0].valid_until, NaiveDate::from_ymd_opt(2027, 3, 31));
        // No 受給者番号 (法別 30 prints none, for one), no name typed: the 法別番号's.
        assert_eq!(seen[1].recipient_number, None);
        assert_eq!(
            seen[1].program_ja(),
            seen[1].payer_number.program_label_ja()
        );
        assert_eq!(public_expense_order_ja(0), "第一公費");
        assert_eq!(public_expense_order_ja(1), "第二公費");
        assert!(validate_public_expenses(&[], today()).unwrap().is_empty());
    }

    /// Every mistake at once, each saying which 公費 and which field, no value.
    #[test]
    fn every_mistake_is_named_with_its_public_expense() {
        let mut bad = two();
        bad[0].payer_number = "01130012".into(); // a 保険者番号, not a 公費
        bad[0].recipient_number = Some("123456".into());
        bad[0].program = Some("=HYPERLINK(1)".into());
        bad[1].valid_until = Some("2026-11-29".into());
        let err = validate_public_expenses(&bad, today()).unwrap_err();
        let reasons: Vec<(Field, &str)> = err
            .errors
            .iter()
            .map(|e| (e.field, e.reason.as_str()))
            .collect();
        assert_eq!(reasons.len(), 4, "{reasons:?}");
        assert!(
            reasons
                .iter()
                .any(|(f, r)| *f == Field::PublicPayerNumber && r.starts_with("first 公費: "))
        );
        assert!(reasons.iter().any(
            |(f, r)| *f == Field::PublicRecipientNumber && *r == "first 公費: must be 7 digits"
        ));
        assert!(
            reasons.iter().any(|(f, r)| *f == Field::PublicProgram
                && r.starts_with("first 公費: must not start with"))
        );
        assert!(reasons.iter().any(
            |(f, r)| *f == Field::PublicValidUntil && r.starts_with("second 公費: has passed")
        ));
        assert!(!format!("{err:?}").contains("123456"));

        // A year typed with a digit too many (令和90年 for 令和9年), in the receptionist's words.
        let mut far = two();
        far[0].valid_until = Some("令和90年3月31日".into());
        let err = validate_public_expenses(&far, today()).unwrap_err();
        assert_eq!(err.errors.len(), 1, "{err}");
        assert_eq!(
            crate::clinic::ClinicError::Invalid(err)
                .public_expense_refusal_ja()
                .as_deref(),
            Some(
                "公費の入力を確認してください（記録していません）: \
                 第一公費の有効期限の年（20年より先の日付です）。"
            )
        );
        // The same payer twice; a third 公費.
        let same = [two()[0].clone(), two()[0].clone()];
        let err = validate_public_expenses(&same, today()).unwrap_err();
        assert_eq!(
            err.errors[0].reason,
            "second 公費: is the same 公費負担者番号 as the first"
        );
        let three = [two()[0].clone(), two()[1].clone(), two()[0].clone()];
        let err = validate_public_expenses(&three, today()).unwrap_err();
        assert!(err.errors[0].reason.contains("at most 2"));
        // In the receptionist's words: which 公費, which field, no value.
        let mut bad = two();
        bad[0].recipient_number = Some("123456".into());
        bad[1].valid_until = Some("2026-11-29".into());
        let err = crate::clinic::ClinicError::Invalid(
            validate_public_expenses(&bad, today()).unwrap_err(),
        );
        assert_eq!(
            err.public_expense_refusal_ja().as_deref(),
            Some(
                "公費の入力を確認してください（記録していません）: 第一公費の受給者番号（7桁）、\
                 第二公費の有効期限が過ぎています（期限切れの受給者証は使えません）。"
            )
        );
        let err = crate::clinic::ClinicError::Invalid(
            validate_public_expenses(&same, today()).unwrap_err(),
        );
        assert!(
            err.public_expense_refusal_ja()
                .unwrap()
                .contains("第二公費の公費負担者番号が第一公費と同じです")
        );
        // Each 公費負担者番号 problem in its own words: a 保険者番号 typed there, the check digit,
        // the 都道府県番号, an empty field; a name's rule.
        let said = |payer: &str, program: Option<&str>| {
            let entry = PublicExpenseEntry {
                payer_number: payer.into(),
                program: program.map(str::to_string),
                ..PublicExpenseEntry::default()
            };
            crate::clinic::ClinicError::Invalid(
                validate_public_expenses(&[entry], today()).unwrap_err(),
            )
            .public_expense_refusal_ja()
            .unwrap()
        };
        assert!(
            said("01130012", None)
                .contains("第一公費の公費負担者番号の欄に保険者番号が入っています")
        );
        assert!(said("88131017", None).contains("検証番号（最後の1桁）が合いません"));
        assert!(said("88481015", None).contains("都道府県番号（3・4桁目、01〜47）"));
        assert!(said(" ", None).contains("第一公費の公費負担者番号を入力してください"));
        assert!(said("1234", None).contains("公費負担者番号（8桁の数字）"));
        assert!(said("88131016", Some("=1")).contains("名称（先頭に =、+、-、@ は使えません）"));
        assert!(said("88131016", Some("a\nb")).contains("名称（改行や見えない文字は使えません）"));
        assert!(said("88131016", Some(&"あ".repeat(21))).contains("名称（20文字まで）"));
        // Its last day is still good.
        let mut last_day = two();
        last_day[0].valid_until = Some("2026-11-30".into());
        assert!(validate_public_expenses(&last_day, today()).is_ok());
    }
}
