//! 保険者番号 (insurer number): structure, 法別番号 table and 検証番号 (check digit).
//!
//! Structure (eligibility.md §2): 法別番号 (2) + 都道府県番号 (2) + 保険者別番号 (3) + 検証番号 (1)
//! = 8 digits; 国民健康保険 has no 法別番号 and so 6 digits. The check digit is the Luhn method
//! quoted from MHLW's 保険者番号等の設定要領.

use std::fmt;

use serde::{Deserialize, Serialize};

use super::text::fold_width;

/// The insurance scheme a 保険者番号 belongs to, from its 法別番号 (or its length for 国保).
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
    /// 67 国民健康保険 退職者医療.
    NhiRetiree,
    /// 6-digit 市町村国民健康保険 (no 法別番号).
    NationalHealthInsurance,
}

impl Scheme {
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
            Scheme::NhiRetiree => "国民健康保険（退職者医療）",
            Scheme::NationalHealthInsurance => "国民健康保険",
        }
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
            _ => return None,
        })
    }
}

/// Why a 保険者番号 is not valid. Messages never repeat the number itself.
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
    /// The last digit does not match the 検証番号 computed from the others.
    #[error("check digit does not match")]
    CheckDigit,
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

/// A validated 保険者番号: 8 digits with a known 法別番号, or 6 digits for 国保, with a correct
/// check digit. Stored in half-width digits.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct InsurerNumber(String);

impl InsurerNumber {
    /// Validates `input` (full-width digits are folded to half-width first).
    pub fn parse(input: &str) -> Result<Self, InsurerNumberError> {
        let folded = fold_width(input.trim());
        if !folded.chars().all(|c| c.is_ascii_digit()) {
            return Err(InsurerNumberError::NotDigits);
        }
        match folded.len() {
            8 if Scheme::from_law_code(&folded[..2]).is_none() => {
                return Err(InsurerNumberError::UnknownLawCode);
            }
            8 | 6 => {}
            _ => return Err(InsurerNumberError::Length),
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
        // `parse` only accepts 8-digit numbers whose first two digits are in the table.
        Scheme::from_law_code(&self.0[..2]).unwrap_or(Scheme::NationalHealthInsurance)
    }

    /// True for 後期高齢者医療 (法別番号 39).
    pub fn is_late_elderly(&self) -> bool {
        self.scheme() == Scheme::LateElderly
    }
}

impl TryFrom<String> for InsurerNumber {
    type Error = InsurerNumberError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        InsurerNumber::parse(&value)
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
        // eligibility.md §2: 千葉県警察 and 協会けんぽ東京.
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
    fn serde_validates() {
        let ok: InsurerNumber = serde_json::from_str("\"01130012\"").unwrap();
        assert_eq!(ok.as_str(), "01130012");
        assert!(serde_json::from_str::<InsurerNumber>("\"01130013\"").is_err());
    }
}
