//! The cashier's line after a 申立: which share to collect at the window for a patient whose
//! eligibility could not be confirmed (spec/clinic.md §1 items 5 and 6). The clinic treats them
//! at the share they state and claims as usual; when they state none, the law's share for their
//! age on the day of the visit where the law settles one (`screen::calendar::statutory_copay`,
//! the household's and the 申立 validation's rule). 10割 with 療養費 claimed later is only the
//! last resort.

use chrono::NaiveDate;

use super::declaration::Declaration;
use crate::eligibility::{CopayRate, InsurerNumber};
use crate::screen::calendar::{CopayBasis, late_elderly_on, statutory_copay};

/// Said when a 公費 受給者証 was recorded with the 申立: the insurance share is not what is
/// collected then.
const PUBLIC_EXPENSE_JA: &str = "公費の受給者証があるため、窓口で受け取る額はこの割合どおりではなく、\
    受給者証の助成や自己負担の上限で変わります。受給者証の内容で確かめてください。";

/// The last sentence of every cashier line (spec/clinic.md §1 item 6).
const LAST_RESORT_JA: &str = "10割を受け取って後で保険者に療養費を請求してもらうのは、\
    申立でも受け付けられないときの最後の手段です。";

/// Which of the law's shares applies when no one declared one ([`Declaration::undeclared_share`]):
/// what the cashier's line names and how the exports mark it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum UndeclaredShare {
    /// 未就学: 2割.
    Preschool,
    /// From school age to 69: 3割.
    General,
    /// 70–74: the law's 2割, or 3割 for a 現役並み所得者.
    Elderly,
}

impl UndeclaredShare {
    /// The mark after the share, in the CSV's 負担割合 cell: 「2割（…）」.
    pub(crate) fn csv_ja(self) -> &'static str {
        match self {
            UndeclaredShare::Preschool | UndeclaredShare::General => "申告なし・法定",
            UndeclaredShare::Elderly => "申告なし・法定。現役並み所得者は3割",
        }
    }

    /// The FHIR `costToBeneficiary` label.
    pub(crate) fn fhir_ja(self) -> &'static str {
        match self {
            UndeclaredShare::Preschool | UndeclaredShare::General => {
                "一部負担金割合（申告なし・法定）"
            }
            UndeclaredShare::Elderly => "一部負担金割合（申告なし・法定。現役並み所得者は3割）",
        }
    }
}

impl Declaration {
    /// Whether the patient is under 後期高齢者医療 on `day`: a declared 後期 number (法別 39), or
    /// from the 75th birthday whatever is declared (高齢者の医療の確保に関する法律 §50).
    fn under_late_elderly(&self, day: NaiveDate) -> bool {
        self.insurer_number
            .as_ref()
            .is_some_and(InsurerNumber::is_late_elderly)
            || late_elderly_on(self.birth_date, day)
    }

    /// The share to collect at the window for this 申立 on `day` (the day of the visit in
    /// Japan): the declared share when stated; otherwise the law's share for the patient's age
    /// where the law settles one — 未就学 2割 (健康保険法 §110(2)(i)ロ, 国民健康保険法 §42), 3割
    /// from school age to 69 (健康保険法 §74(1)(i), §110(2)(i)イ, 国民健康保険法 §42), 2割 at 70–74
    /// (健康保険法 §74(1)(ii), §110(2)(i)ハ, 国民健康保険法 §42; 3割 for a 現役並み所得者, which only the patient or the
    /// insurer knows: [`Declaration::cashier_ja`] says to ask). `None` under 後期高齢者医療 (75 or
    /// over, or a declared 後期 number): 1, 2 or 3割 by income (高齢者の医療の確保に関する法律
    /// §67), which the patient must state or the insurer confirm.
    pub fn cashier_share(&self, day: NaiveDate) -> Option<CopayRate> {
        self.copay
            .or_else(|| self.undeclared_share(day).map(|(c, _)| c))
    }

    /// When no share was declared, [`Declaration::cashier_share`] and how the exports mark it:
    /// the law's share for the patient's age — at 70–74 with the note that a 現役並み所得者 pays
    /// 3割 (健康保険法 §74(1)(iii)), which only the patient or the insurer knows, so that a claim
    /// reviewer does not read the 2割 as settled. `None` when a share was declared, and under
    /// 後期高齢者医療.
    pub(crate) fn undeclared_share(&self, day: NaiveDate) -> Option<(CopayRate, UndeclaredShare)> {
        if self.copay.is_some() {
            return None;
        }
        Some(
            match statutory_copay(self.birth_date, day, self.under_late_elderly(day))?.basis {
                CopayBasis::Preschool => (CopayRate::Twenty, UndeclaredShare::Preschool),
                CopayBasis::ElderlyRecipient => (CopayRate::Twenty, UndeclaredShare::Elderly),
                CopayBasis::General => (CopayRate::Thirty, UndeclaredShare::General),
                CopayBasis::LateElderly => return None,
            },
        )
    }

    /// The cashier's line for this 申立 on `day` (the day of the visit in Japan), in Japanese:
    /// the share to collect ([`Declaration::cashier_share`]) and why — as declared (申立・未検証),
    /// or the law's for the patient's age, naming the law —, or, under 後期高齢者医療 without a
    /// declared share, that the patient must state it or the insurer be asked; always ending with
    /// 10割 and 療養費 later being only the last resort (spec/clinic.md §1 item 6). No personal
    /// value (no name, no date).
    /// `with_public_expense`: a 公費 受給者証 was recorded with the 申立 — then the line adds that
    /// what is collected follows that 受給者証 (its 助成, its 自己負担上限), not the share alone.
    pub fn cashier_ja(&self, day: NaiveDate, with_public_expense: bool) -> String {
        let share = match (self.copay, self.undeclared_share(day)) {
            (Some(c), _) => format!(
                "窓口負担: 申告の{}割を受け取ってください（申立・未検証。請求の後で保険者と照合されます）。",
                c.percent() / 10
            ),
            // 健康保険法 §110(2)(i)ロ (家族療養費), 国民健康保険法 §42: 未就学 2割.
            (None, Some((c, UndeclaredShare::Preschool))) => format!(
                "窓口負担: {}割を受け取ってください（負担割合の申告なし。未就学の法定の割合：\
                 健康保険法 第110条、国民健康保険法 第42条）。",
                c.percent() / 10
            ),
            // 健康保険法 §74(1)(i) (本人), §110(2)(i)イ (家族), 国民健康保険法 §42: 3割.
            (None, Some((c, UndeclaredShare::General))) => format!(
                "窓口負担: {}割を受け取ってください（負担割合の申告なし。法定の割合：\
                 健康保険法 第74条・第110条、国民健康保険法 第42条）。",
                c.percent() / 10
            ),
            // 健康保険法 §74(1)(ii), (iii) (本人), §110(2)(i)ハ, ニ (家族), 国民健康保険法 §42: 2割,
            // 現役並み所得者 3割.
            (None, Some((c, UndeclaredShare::Elderly))) => format!(
                "窓口負担: {}割を受け取ってください（負担割合の申告なし。70〜74歳の法定の割合：\
                 健康保険法 第74条・第110条、国民健康保険法 第42条）。現役並み所得の方は3割です。\
                 本人に資格確認書か資格情報のお知らせ（高齢受給者証をお持ちならそれ）の\
                 負担割合で確かめてもらってください。",
                c.percent() / 10
            ),
            // 高齢者の医療の確保に関する法律 §67: 1, 2 or 3割 by income.
            (None, None) => "窓口負担: 後期高齢者医療の負担割合は所得により1割・2割・3割です\
                  （高齢者医療確保法 第67条）。本人に負担割合を申告してもらうか、\
                  保険者（後期高齢者医療広域連合）に確かめてください。"
                .to_string(),
        };
        // A 公費 受給者証 shown with it (こども医療費, 難病, 生活保護 …) changes what is paid at the
        // window: the 助成 or the 自己負担上限 of that 受給者証, which the desk reads off it.
        let public = if with_public_expense {
            PUBLIC_EXPENSE_JA
        } else {
            ""
        };
        format!("{share}{public}{LAST_RESORT_JA}")
    }

    /// Whether the share the law sets for the patient on `day`, when no share was declared, is
    /// 未就学's (健康保険法 §110(2)(i)ロ): the export marks it so, as for a verified document.
    pub(crate) fn preschool_on(&self, day: NaiveDate) -> bool {
        matches!(
            self.undeclared_share(day),
            Some((_, UndeclaredShare::Preschool))
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clinic::DeclarationForm;
    use crate::clinic::declaration::tests::{form, today};

    fn declared(birth: &str, copay: Option<u8>, number: Option<&str>) -> Declaration {
        DeclarationForm {
            birth_date: birth.into(),
            copay_percent: copay,
            insurer_number: number.map(str::to_string),
            ..form()
        }
        .validate(today())
        .unwrap()
    }

    /// A declared share is the one to collect, whatever the age; said as declared.
    #[test]
    fn a_declared_share_is_collected_as_declared() {
        // today() is 2026-11-28.
        for (birth, copay, number) in [
            ("1970-05-06", 30, Some("01130012")),
            ("2022-05-06", 20, None),
            ("1954-05-06", 30, None),
            ("1936-05-01", 10, None),
        ] {
            let d = declared(birth, Some(copay), number);
            assert_eq!(d.cashier_share(today()).map(|c| c.percent()), Some(copay));
            let line = d.cashier_ja(today(), false);
            assert!(
                line.starts_with(&format!(
                    "窓口負担: 申告の{}割を受け取ってください",
                    copay / 10
                )),
                "{line}"
            );
            assert!(line.ends_with(LAST_RESORT_JA), "{line}");
        }
    }

    /// What the exports mark a share no one declared with, at the edges of 70–74: 3割 in the
    /// month of the 70th birthday, the 高齢受給者 2割 (with the 現役並み note) from the 1st of the
    /// month after — from the birthday itself for one born on the 1st —, through the day before
    /// the 75th birthday; nothing from that birthday, with a declared share or a 後期 number.
    #[test]
    fn the_exports_mark_the_70_to_74_share_as_the_laws_2_or_3_by_income() {
        use UndeclaredShare::{Elderly, General, Preschool};
        // today() is 2026-11-28.
        for (birth, copay, number, expected) in [
            ("1956-11-15", None, None, Some((30, General))),
            ("1956-11-02", None, None, Some((30, General))),
            ("1956-12-01", None, None, Some((30, General))),
            ("1956-11-01", None, None, Some((20, Elderly))),
            ("1956-10-31", None, None, Some((20, Elderly))),
            ("1951-11-29", None, None, Some((20, Elderly))),
            ("1951-11-28", None, None, None),
            ("1954-05-06", Some(20), None, None),
            ("1954-05-06", None, Some("39131156"), None),
            ("2022-05-06", None, None, Some((20, Preschool))),
        ] {
            let d = declared(birth, copay, number);
            assert_eq!(
                d.undeclared_share(today()).map(|(c, m)| (c.percent(), m)),
                expected,
                "{birth}"
            );
        }
        assert_eq!(General.csv_ja(), "申告なし・法定");
        assert_eq!(Preschool.csv_ja(), General.csv_ja());
        assert!(Elderly.csv_ja().ends_with("現役並み所得者は3割"));
        assert!(Elderly.fhir_ja().ends_with("現役並み所得者は3割）"));
    }

    /// Without a declared share: the law's by age on the day — 未就学 2割, 3割 to 69, 2割 at
    /// 70–74 (with the 現役並み caveat) —, and under 後期高齢者医療 no share but ask.
    #[test]
    fn without_a_declared_share_the_law_decides_by_age_on_the_day() {
        let cases = [
            // 未就学 until the March 31 after the 6th birthday (2029-03-31).
            ("2022-05-06", Some(20), "未就学の法定の割合"),
            // 未就学 is a 被扶養者's 家族療養費 under 健康保険法 (§110), and 国保 §42.
            (
                "2022-05-06",
                Some(20),
                "健康保険法 第110条、国民健康保険法 第42条",
            ),
            // Born 2020-04-01: 6 on 2026-03-31 (the day before the birthday), 未就学 to that
            // day, 3割 since.
            ("2020-04-01", Some(30), "申告なし。法定の割合"),
            ("1970-05-06", Some(30), "申告なし。法定の割合"),
            (
                "1970-05-06",
                Some(30),
                "健康保険法 第74条・第110条、国民健康保険法 第42条",
            ),
            // 72: 2割, 3割 for 現役並み.
            // Where the share is printed since the 高齢受給者証 was merged into them on
            // 2024-12-02 (review of 2026-12-01: the line sent the patient to the 受給者証).
            ("1954-05-06", Some(20), "現役並み所得の方は3割"),
            ("1954-05-06", Some(20), "資格確認書か資格情報のお知らせ"),
            (
                "1954-05-06",
                Some(20),
                "健康保険法 第74条・第110条、国民健康保険法 第42条",
            ),
            // 75 today (the birthday itself): 後期.
            ("1951-11-28", None, "所得により1割・2割・3割"),
            ("1936-05-01", None, "所得により1割・2割・3割"),
        ];
        for (birth, share, says) in cases {
            let d = declared(birth, None, None);
            assert_eq!(
                d.cashier_share(today()).map(|c| c.percent()),
                share,
                "{birth}"
            );
            let line = d.cashier_ja(today(), false);
            assert!(line.contains(says), "{birth}: {line}");
            assert!(line.ends_with(LAST_RESORT_JA), "{line}");
            match share {
                Some(p) => assert!(
                    line.starts_with(&format!("窓口負担: {}割を受け取ってください", p / 10)),
                    "{line}"
                ),
                None => {
                    assert!(line.contains("本人に負担割合を申告してもらうか"), "{line}");
                    assert!(line.contains("高齢者医療確保法 第67条"), "{line}");
                }
            }
        }
        // The day before the 75th birthday: still 70–74's 2割.
        let d = declared("1951-11-29", None, None);
        assert_eq!(d.cashier_share(today()), Some(CopayRate::Twenty));
        // A declared 後期 number at 66 (a disability certification): 後期's rule, no share.
        let d = declared("1960-05-06", None, Some("39131156"));
        assert_eq!(d.cashier_share(today()), None);
        assert!(d.cashier_ja(today(), false).contains("後期高齢者医療"));
    }

    /// With a 公費 受給者証 recorded, the line says the insurance share is not what is collected;
    /// without one it does not.
    #[test]
    fn a_public_expense_changes_what_is_collected() {
        let d = declared("2022-05-06", None, None);
        let with = d.cashier_ja(today(), true);
        assert!(
            with.contains("受給者証の助成や自己負担の上限で変わります"),
            "{with}"
        );
        assert!(with.ends_with(LAST_RESORT_JA), "{with}");
        assert!(!d.cashier_ja(today(), false).contains("受給者証"));
        assert!(d.preschool_on(today()));
        assert!(!declared("1970-05-06", None, None).preschool_on(today()));
        assert!(!declared("2022-05-06", Some(20), None).preschool_on(today()));
    }

    /// The line carries no personal value.
    #[test]
    fn the_line_names_no_one() {
        let d = declared("1970-05-06", None, Some("01130012"));
        let line = d.cashier_ja(today(), false);
        for value in ["佐藤", "1970", "01130012", "サンプル"] {
            assert!(!line.contains(value), "{value} in {line}");
        }
    }
}
