//! 保険者番号 (insurer number) and 公費負担者番号 (payer number of a 公費負担医療): structure,
//! 法別番号 table and 検証番号 (check digit).
//!
//! Structure (docs/rules.md §4.1): 法別番号 (2) + 都道府県番号 (2) + 保険者別番号 (3) + 検証番号 (1)
//! = 8 digits; 国民健康保険 has no 法別番号 and so 6 digits. The check digit is the Luhn method
//! quoted from MHLW's 保険者番号等の設定要領. A 公費負担者番号 has the same shape (法別番号 +
//! 都道府県番号 + 実施機関番号 + 検証番号) and the same check digit, and its 法別番号 come from the
//! same table as the insurers' (docs/rules.md, "公費負担者番号").

use std::fmt;

use serde::{Deserialize, Serialize};

use super::record::DocumentKind;
use super::text::fold_width;

/// The scheme a 保険者番号 or 公費負担者番号 belongs to, from its 法別番号 (or its length for
/// 国保).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Scheme {
    /// 01 全国健康保険協会 (協会けんぽ).
    KyokaiKenpo,
    /// 02 船員保険.
    Seamen,
    /// 03, 04 日雇特例被保険者.
    DayLaborer,
    /// 06 組合管掌健康保険 (健保組合).
    SocietyManaged,
    /// 07 自衛官等.
    SelfDefenseForces,
    /// 31 国家公務員共済組合.
    NationalPublicServants,
    /// 32 地方公務員等共済組合.
    LocalPublicServants,
    /// 33 警察共済組合.
    Police,
    /// 34 公立学校共済組合・日本私立学校振興・共済事業団.
    Teachers,
    /// 39 後期高齢者医療 (late-stage elderly).
    LateElderly,
    /// 63, 72–75 特例退職被保険者.
    SpecialRetiree,
    /// 67 国民健康保険 退職者医療: abolished (no one is covered by it any more), so a typed
    /// number with it is refused; only records stored earlier can carry it.
    NhiRetiree,
    /// 6-digit 市町村国民健康保険 (no 法別番号).
    NationalHealthInsurance,
    /// A 公費負担医療 (public expense program), national or local: the number is a
    /// 公費負担者番号, never a 保険者番号. [`InsurerNumber::program_label_ja`] names it.
    PublicExpense,
}

impl Scheme {
    /// False for 国保 and 後期高齢者医療, which have no 被扶養者: each member is a 被保険者 of their
    /// own (国民健康保険法 §5; 高齢者の医療の確保に関する法律 §50), so their records are 本人 and
    /// print no 本人・家族の別.
    pub fn has_dependents(self) -> bool {
        !matches!(self, Scheme::NationalHealthInsurance | Scheme::LateElderly)
    }

    /// What the insurance calls the person it covers, whose 被扶養者 a 家族 is: 組合員 under the
    /// 共済組合 laws (国家公務員共済組合法 §2(1)(i); 地方公務員等共済組合法 §2(1)(i), which covers
    /// 警察共済 too), 組合員・加入者 for 法別 34 (公立学校共済組合's 組合員 and 私立学校教職員共済法
    /// §14's 加入者 share it), 被保険者 elsewhere (健康保険法 §3).
    pub fn insured_person_ja(self) -> &'static str {
        match self {
            Scheme::NationalPublicServants | Scheme::LocalPublicServants | Scheme::Police => {
                "組合員"
            }
            Scheme::Teachers => "組合員・加入者",
            _ => "被保険者",
        }
    }

    /// The label of the insured person's name on a 家族's document
    /// ([`Scheme::insured_person_ja`] + 氏名): 「被保険者氏名」, 「組合員氏名」.
    pub fn insured_name_label_ja(self) -> &'static str {
        match self {
            Scheme::NationalPublicServants | Scheme::LocalPublicServants | Scheme::Police => {
                "組合員氏名"
            }
            Scheme::Teachers => "組合員・加入者氏名",
            _ => "被保険者氏名",
        }
    }

    /// The Japanese name of the scheme, for display.
    pub fn label_ja(self) -> &'static str {
        match self {
            Scheme::KyokaiKenpo => "協会けんぽ",
            Scheme::Seamen => "船員保険",
            Scheme::DayLaborer => "日雇特例",
            Scheme::SocietyManaged => "組合管掌健康保険",
            Scheme::SelfDefenseForces => "自衛官等",
            Scheme::NationalPublicServants => "国家公務員共済組合",
            Scheme::LocalPublicServants => "地方公務員等共済組合",
            Scheme::Police => "警察共済組合",
            Scheme::Teachers => "公立学校共済組合等",
            Scheme::LateElderly => "後期高齢者医療",
            Scheme::SpecialRetiree => "特例退職",
            Scheme::NhiRetiree => "国民健康保険（退職者医療、廃止）",
            Scheme::NationalHealthInsurance => "国民健康保険",
            Scheme::PublicExpense => "公費負担医療",
        }
    }

    /// True for the schemes of health insurance (not a 公費).
    pub fn is_insurance(self) -> bool {
        self != Scheme::PublicExpense
    }

    fn from_law_code(code: &str) -> Option<Scheme> {
        Some(match code {
            "01" => Scheme::KyokaiKenpo,
            "02" => Scheme::Seamen,
            "03" | "04" => Scheme::DayLaborer,
            "06" => Scheme::SocietyManaged,
            "07" => Scheme::SelfDefenseForces,
            "31" => Scheme::NationalPublicServants,
            "32" => Scheme::LocalPublicServants,
            "33" => Scheme::Police,
            "34" => Scheme::Teachers,
            "39" => Scheme::LateElderly,
            "63" | "72" | "73" | "74" | "75" => Scheme::SpecialRetiree,
            "67" => Scheme::NhiRetiree,
            code if public_program(code).is_some() => Scheme::PublicExpense,
            _ => return None,
        })
    }
}

/// The 公費負担医療 programs by 法別番号 (MHLW's 法別番号 table of the レセプト rules, see
/// docs/rules.md): the national programs, and 80–98, which prefectures and municipalities use
/// for their own programs (こども医療費助成, 重度障がい者医療 …; the numbers differ by place).
fn public_program(code: &str) -> Option<&'static str> {
    Some(match code {
        "10" => "感染症法（結核患者の適正医療）",
        "11" => "感染症法（結核患者の入院）",
        "12" => "生活保護法（医療扶助）",
        "13" | "14" => "戦傷病者特別援護法",
        "15" => "障害者総合支援法（更生医療）",
        "16" => "障害者総合支援法（育成医療）",
        "17" => "児童福祉法（療育の給付）",
        "18" | "19" => "原子爆弾被爆者援護法",
        "20" => "精神保健福祉法（措置入院）",
        "21" => "障害者総合支援法（精神通院医療）",
        "22" => "麻薬及び向精神薬取締法（措置入院）",
        "23" => "母子保健法（養育医療）",
        "24" => "障害者総合支援法（療養介護医療）",
        "25" => "中国残留邦人等支援法（医療支援給付）",
        "28" | "29" => "感染症法（入院）",
        "30" => "心神喪失者等医療観察法",
        "38" => "肝炎治療特別促進事業",
        "51" => "特定疾患治療研究事業",
        "52" => "児童福祉法（小児慢性特定疾病医療支援）",
        "53" => "児童福祉法（措置等に係る医療の給付）",
        "54" => "難病法（特定医療費）",
        "62" => "特定B型肝炎ウイルス感染者給付金等",
        "66" => "石綿健康被害救済法",
        "79" => "障害者総合支援法（障害児入所医療・肢体不自由児通所医療）",
        "80" | "81" | "82" | "83" | "84" | "85" | "86" | "87" | "88" | "89" | "90" | "91"
        | "92" | "93" | "94" | "95" | "96" | "97" | "98" => {
            "地方公共団体の医療費助成（こども医療費・重度障がい者医療など）"
        }
        _ => return None,
    })
}

/// Why a 保険者番号 or 公費負担者番号 is not valid. Messages never repeat the number itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum InsurerNumberError {
    /// Not 6 or 8 characters long after width folding.
    #[error("must be 8 digits (or 6 for 国民健康保険)")]
    Length,
    /// Contains something other than the digits 0–9.
    #[error("must contain digits only")]
    NotDigits,
    /// The first two digits are not a known 法別番号.
    #[error("unknown 法別番号 (the first two digits)")]
    UnknownLawCode,
    /// 法別番号 67 (国民健康保険 退職者医療) was abolished: no one is covered by it any more.
    #[error("法別番号 67 (退職者医療) was abolished; use the number on the current document")]
    AbolishedLawCode,
    /// The 都道府県番号 is not one of 01 (北海道) to 47 (沖縄県).
    #[error("the 都道府県番号 must be 01 to 47")]
    Prefecture,
    /// The last digit does not match the 検証番号 computed from the others.
    #[error("check digit does not match")]
    CheckDigit,
    /// A 公費負担者番号 where a 保険者番号 is expected.
    #[error("is a 公費負担者番号, not a 保険者番号 (enter a 公費 受給者証 as kind public_expense)")]
    PublicExpenseNumber,
    /// A 保険者番号 where a 公費負担者番号 is expected.
    #[error("is a 保険者番号, not a 公費負担者番号 (8 digits, 法別番号 of a 公費)")]
    NotPublicExpense,
}

/// The 検証番号 for `body` (all digits of a 保険者番号 except the last), as in MHLW's
/// 保険者番号等の設定要領: from the last digit leftwards multiply by 2, 1, 2, …; add the digits of
/// each product; the check digit is 10 minus the last digit of the sum (0 if that is 0).
///
/// Returns `None` if `body` contains anything but ASCII digits.
pub fn check_digit(body: &str) -> Option<u8> {
    let mut sum = 0u32;
    for (i, c) in body.bytes().rev().enumerate() {
        if !c.is_ascii_digit() {
            return None;
        }
        let d = u32::from(c - b'0');
        let p = if i % 2 == 0 { d * 2 } else { d };
        sum += p / 10 + p % 10;
    }
    // `sum % 10` is below 10, so the result fits in a u8.
    Some(((10 - sum % 10) % 10) as u8)
}

/// A validated 保険者番号 (8 digits with a known 法別番号, or 6 digits for 国保) or, on a 公費
/// record ([`DocumentKind::PublicExpense`]), a 公費負担者番号 (8 digits, a 公費 法別番号), with
/// a correct check digit. Stored in half-width digits.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct InsurerNumber(String);

/// Which numbers a parse accepts.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Accept {
    /// 保険者番号 only, as typed today (法別 67 refused).
    Insurer,
    /// 公費負担者番号 only.
    PublicPayer,
    /// Either, and 法別 67: what a stored or received record may carry.
    Stored,
}

impl InsurerNumber {
    /// Validates a 保険者番号 (full-width digits are folded to half-width first). A
    /// 公費負担者番号 is refused ([`InsurerNumberError::PublicExpenseNumber`]), and so is the
    /// abolished 法別番号 67.
    pub fn parse(input: &str) -> Result<Self, InsurerNumberError> {
        Self::parse_as(input, Accept::Insurer)
    }

    /// Validates a 公費負担者番号: 8 digits, a 公費 法別番号, 都道府県 01–47, the same check
    /// digit as a 保険者番号.
    pub fn parse_public_payer(input: &str) -> Result<Self, InsurerNumberError> {
        Self::parse_as(input, Accept::PublicPayer)
    }

    /// Validates the number of a record of `kind`: a 公費負担者番号 for
    /// [`DocumentKind::PublicExpense`], a 保険者番号 otherwise.
    pub fn parse_for(kind: DocumentKind, input: &str) -> Result<Self, InsurerNumberError> {
        if kind.is_insurance() {
            Self::parse(input)
        } else {
            Self::parse_public_payer(input)
        }
    }

    /// Validates either kind of number and tells which scheme it belongs to (for
    /// `validate insurer-number`). The abolished 法別番号 67 is refused.
    pub fn identify(input: &str) -> Result<Self, InsurerNumberError> {
        let n = Self::parse_as(input, Accept::Stored)?;
        if n.scheme() == Scheme::NhiRetiree {
            return Err(InsurerNumberError::AbolishedLawCode);
        }
        Ok(n)
    }

    fn parse_as(input: &str, accept: Accept) -> Result<Self, InsurerNumberError> {
        let folded = fold_width(input.trim());
        if !folded.chars().all(|c| c.is_ascii_digit()) {
            return Err(InsurerNumberError::NotDigits);
        }
        let scheme = match folded.len() {
            8 => Scheme::from_law_code(&folded[..2]).ok_or(InsurerNumberError::UnknownLawCode)?,
            6 if accept == Accept::PublicPayer => return Err(InsurerNumberError::NotPublicExpense),
            6 => Scheme::NationalHealthInsurance,
            _ => return Err(InsurerNumberError::Length),
        };
        match (accept, scheme) {
            (Accept::Insurer, Scheme::PublicExpense) => {
                return Err(InsurerNumberError::PublicExpenseNumber);
            }
            (Accept::Insurer, Scheme::NhiRetiree) => {
                return Err(InsurerNumberError::AbolishedLawCode);
            }
            (Accept::PublicPayer, s) if s != Scheme::PublicExpense => {
                return Err(InsurerNumberError::NotPublicExpense);
            }
            _ => {}
        }
        // 8 digits: 法別 + 都道府県; 6 digits (国保): 都道府県 first.
        let prefecture = if folded.len() == 8 {
            &folded[2..4]
        } else {
            &folded[..2]
        };
        if !prefecture_ok(prefecture, folded.len()) {
            return Err(InsurerNumberError::Prefecture);
        }
        let (body, last) = folded.split_at(folded.len() - 1);
        let expected = check_digit(body).ok_or(InsurerNumberError::NotDigits)?;
        if last.as_bytes()[0] - b'0' != expected {
            return Err(InsurerNumberError::CheckDigit);
        }
        Ok(InsurerNumber(folded))
    }

    /// The number as half-width digits.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The scheme, from the 法別番号 (or 国保 for a 6-digit number).
    pub fn scheme(&self) -> Scheme {
        if self.0.len() == 6 {
            return Scheme::NationalHealthInsurance;
        }
        // Every parse only accepts 8-digit numbers whose first two digits are in the table.
        Scheme::from_law_code(&self.0[..2]).unwrap_or(Scheme::NationalHealthInsurance)
    }

    /// The 法別番号 (the first two digits), `None` for a 6-digit 国保 number.
    pub fn law_code(&self) -> Option<&str> {
        (self.0.len() == 8).then(|| &self.0[..2])
    }

    /// True for 後期高齢者医療 (法別番号 39).
    pub fn is_late_elderly(&self) -> bool {
        self.scheme() == Scheme::LateElderly
    }

    /// True for a 公費負担者番号.
    pub fn is_public_expense(&self) -> bool {
        self.scheme() == Scheme::PublicExpense
    }

    /// What the number belongs to, in Japanese: the scheme, and for a 公費 the program of its
    /// 法別番号 (`公費負担医療：難病法（特定医療費）`).
    pub fn program_label_ja(&self) -> String {
        match self.law_code().and_then(public_program) {
            Some(program) => format!("{}：{program}", Scheme::PublicExpense.label_ja()),
            None => self.scheme().label_ja().to_string(),
        }
    }
}

/// True when `code` is a 都道府県番号 (01 北海道 … 47 沖縄県). For the 6-digit 国保 numbers only
/// 00 and 99 are refused: their first digits are the 都道府県 too, but numbers outside 01–47
/// are kept as accepted before (a 国保組合 number of an unknown series must not be refused).
fn prefecture_ok(code: &str, len: usize) -> bool {
    let Ok(n) = code.parse::<u8>() else {
        return false;
    };
    if len == 8 {
        (1..=47).contains(&n)
    } else {
        n != 0 && n != 99
    }
}

impl TryFrom<String> for InsurerNumber {
    type Error = InsurerNumberError;
    /// Reads a stored or received number: a 保険者番号 or a 公費負担者番号, 法別 67 included (a
    /// record stored before it was refused must still open).
    fn try_from(value: String) -> Result<Self, Self::Error> {
        InsurerNumber::parse_as(&value, Accept::Stored)
    }
}

impl From<InsurerNumber> for String {
    fn from(value: InsurerNumber) -> String {
        value.0
    }
}

impl fmt::Display for InsurerNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn worked_examples_pass() {
        // docs/rules.md §4.1: 千葉県警察 and 協会けんぽ東京.
        assert_eq!(check_digit("3312001"), Some(5));
        assert_eq!(
            InsurerNumber::parse("33120015").map(|n| n.scheme()),
            Ok(Scheme::Police)
        );
        assert_eq!(
            InsurerNumber::parse("01130012").map(|n| n.scheme()),
            Ok(Scheme::KyokaiKenpo)
        );
    }

    #[test]
    fn every_single_digit_change_of_the_worked_example_fails() {
        let good = b"33120015";
        for pos in 0..good.len() {
            for d in b'0'..=b'9' {
                if d == good[pos] {
                    continue;
                }
                let mut bad = *good;
                bad[pos] = d;
                let s = std::str::from_utf8(&bad).unwrap();
                assert!(InsurerNumber::parse(s).is_err(), "{s} must be rejected");
            }
        }
    }

    #[test]
    fn table_of_rules() {
        use InsurerNumberError::*;
        let cases: &[(&str, Result<Scheme, InsurerNumberError>)] = &[
            ("01130012", Ok(Scheme::KyokaiKenpo)),
            ("０１１３００１２", Ok(Scheme::KyokaiKenpo)), // full-width folded
            (" 01130012 ", Ok(Scheme::KyokaiKenpo)),
            ("39131008", Ok(Scheme::LateElderly)),
            ("06139992", Ok(Scheme::SocietyManaged)),
            ("138057", Ok(Scheme::NationalHealthInsurance)),
            ("01130013", Err(CheckDigit)),
            ("138058", Err(CheckDigit)),
            ("0113001", Err(Length)),
            ("011300120", Err(Length)),
            ("", Err(Length)),
            ("0113001a", Err(NotDigits)),
            ("01-30012", Err(NotDigits)),
            ("05130010", Err(UnknownLawCode)),
            ("99130010", Err(UnknownLawCode)),
            ("488007", Ok(Scheme::NationalHealthInsurance)),
        ];
        for (input, expected) in cases {
            let got = InsurerNumber::parse(input).map(|n| n.scheme());
            assert_eq!(&got, expected, "input {input:?}");
        }
    }

    #[test]
    fn late_elderly_starts_with_39() {
        let n = InsurerNumber::parse("39131008").unwrap();
        assert!(n.is_late_elderly());
        assert!(n.as_str().starts_with("39"));
        assert!(!InsurerNumber::parse("01130012").unwrap().is_late_elderly());
    }

    #[test]
    fn prefecture_must_be_01_to_47() {
        // Valid check digits, impossible 都道府県番号.
        for body in ["0100001", "0199001", "0148001", "3900001"] {
            let n = format!("{body}{}", check_digit(body).unwrap());
            assert_eq!(
                InsurerNumber::parse(&n),
                Err(InsurerNumberError::Prefecture),
                "{n}"
            );
        }
        for body in ["0101001", "0147001"] {
            let n = format!("{body}{}", check_digit(body).unwrap());
            assert!(InsurerNumber::parse(&n).is_ok(), "{n}");
        }
        // 6-digit 国保: 00 and 99 refused.
        for body in ["00800", "99800"] {
            let n = format!("{body}{}", check_digit(body).unwrap());
            assert_eq!(
                InsurerNumber::parse(&n),
                Err(InsurerNumberError::Prefecture)
            );
        }
    }

    #[test]
    fn abolished_law_code_67_is_refused_but_stored_ones_still_open() {
        let body = "6713001";
        let n = format!("{body}{}", check_digit(body).unwrap());
        assert_eq!(
            InsurerNumber::parse(&n),
            Err(InsurerNumberError::AbolishedLawCode)
        );
        assert_eq!(
            InsurerNumber::identify(&n),
            Err(InsurerNumberError::AbolishedLawCode)
        );
        let stored: InsurerNumber = serde_json::from_str(&format!("\"{n}\"")).unwrap();
        assert_eq!(stored.scheme(), Scheme::NhiRetiree);
    }

    #[test]
    fn public_payer_number_has_the_same_check_digit() {
        // The worked example of a 難病 (法別 54) 公費負担者番号: 5401602 → 7.
        assert_eq!(check_digit("5401602"), Some(7));
        let n = InsurerNumber::parse_public_payer("54016027").unwrap();
        assert!(n.is_public_expense());
        assert_eq!(n.scheme(), Scheme::PublicExpense);
        assert_eq!(n.law_code(), Some("54"));
        assert_eq!(n.program_label_ja(), "公費負担医療：難病法（特定医療費）");
        assert_eq!(
            InsurerNumber::parse_public_payer("54016028"),
            Err(InsurerNumberError::CheckDigit)
        );
        // Not a 保険者番号, and a 保険者番号 is not a 公費負担者番号.
        assert_eq!(
            InsurerNumber::parse("54016027"),
            Err(InsurerNumberError::PublicExpenseNumber)
        );
        assert_eq!(
            InsurerNumber::parse_public_payer("01130012"),
            Err(InsurerNumberError::NotPublicExpense)
        );
        assert_eq!(
            InsurerNumber::parse_public_payer("138057"),
            Err(InsurerNumberError::NotPublicExpense)
        );
        // A local program (法別 88, 東京都 13).
        let local = InsurerNumber::parse_for(DocumentKind::PublicExpense, "88131016").unwrap();
        assert!(local.program_label_ja().contains("医療費助成"));
        assert_eq!(
            InsurerNumber::parse_for(DocumentKind::Notice, "88131016"),
            Err(InsurerNumberError::PublicExpenseNumber)
        );
    }

    #[test]
    fn identify_names_the_scheme() {
        let scheme = |s: &str| InsurerNumber::identify(s).map(|n| n.program_label_ja());
        assert_eq!(scheme("01130012").as_deref(), Ok("協会けんぽ"));
        assert_eq!(scheme("06139992").as_deref(), Ok("組合管掌健康保険"));
        assert_eq!(scheme("138057").as_deref(), Ok("国民健康保険"));
        assert_eq!(scheme("39131008").as_deref(), Ok("後期高齢者医療"));
        assert_eq!(
            scheme("54016027").as_deref(),
            Ok("公費負担医療：難病法（特定医療費）")
        );
        // Errors never repeat the number.
        let msg = InsurerNumber::identify("01130013").unwrap_err().to_string();
        assert!(!msg.contains("0113"), "{msg}");
    }

    #[test]
    fn serde_validates() {
        let ok: InsurerNumber = serde_json::from_str("\"01130012\"").unwrap();
        assert_eq!(ok.as_str(), "01130012");
        assert!(serde_json::from_str::<InsurerNumber>("\"01130013\"").is_err());
    }
}
