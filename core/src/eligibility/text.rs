//! Text folding shared by validation and comparison: width (全角/半角) and katakana; and the
//! one parser of typed dates (西暦 and 和暦).

use chrono::{Datelike, NaiveDate};
use unicode_normalization::UnicodeNormalization;

use crate::screen::wareki::{Era, Wareki};

/// Why a typed date was refused (a fixed phrase; the value is never repeated).
const DATE_SHAPE: &str = "must be a date written YYYY-MM-DD or in 和暦 (令和7年4月1日, R7.4.1)";
const DATE_NOT_REAL: &str = "is not a real calendar date";
const DATE_BEFORE_ERA: &str = "is before the first day of that era";

/// Parses a date as people type it from a paper document, normalised to a calendar day:
///
/// - `2025-04-01` (ISO 8601), `2025年4月1日`, `2025/4/1` or `2025.4.1` (a 4-digit year);
/// - 和暦 with the era in kanji or its JIS X 0301 letter: `令和7年4月1日`, `令和元年5月1日`,
///   `平成31年4月30日`, `R7.4.1`, `R07.04.01`, `H31/4/30`, `r7-4-1`, `R元.5.1`, `R7年4月1日`.
///
/// Full-width digits and letters, the era ligatures ㍻ and ㋿ (NFKC) and spaces are accepted.
/// A 和暦 date before its era's first day (令和元年4月30日) is refused; a year past the era's
/// end is counted on (平成32年3月31日 = 2020-03-31), as documents printed before the change of
/// era show them. The error is a fixed phrase; the value is never repeated.
pub fn parse_date(input: &str) -> Result<NaiveDate, &'static str> {
    let folded: String = fold_width(input).chars().filter(|c| *c != ' ').collect();
    if let Some(iso) = parse_iso(&folded) {
        return iso;
    }
    let mut rest = folded.as_str();
    let era = Era::ALL.into_iter().find_map(|era| {
        let tail = rest
            .strip_prefix(era.name_ja())
            .or_else(|| rest.strip_prefix(era.letter()))
            .or_else(|| rest.strip_prefix(era.letter().to_ascii_lowercase()))?;
        Some((era, tail))
    });
    let era = match era {
        Some((era, tail)) => {
            rest = tail;
            Some(era)
        }
        None => None,
    };
    let (year, rest) = match rest.strip_prefix('元') {
        Some(tail) if era.is_some() => (1, tail),
        _ => take_number(rest).ok_or(DATE_SHAPE)?,
    };
    let (month, day) = month_and_day(rest).ok_or(DATE_SHAPE)?;
    match era {
        Some(era) => {
            let wareki = Wareki {
                era,
                year,
                month,
                day,
            };
            wareki.to_date().ok_or_else(|| {
                // The same day counted from the era's first year exists: it precedes the era.
                let western = era
                    .start()
                    .year()
                    .checked_add(i32::try_from(year).unwrap_or(i32::MAX))
                    .and_then(|y| y.checked_sub(1))
                    .and_then(|y| NaiveDate::from_ymd_opt(y, month, day));
                if year > 0 && western.is_some() {
                    DATE_BEFORE_ERA
                } else {
                    DATE_NOT_REAL
                }
            })
        }
        // 西暦 with kanji, or with a separator: 2025年4月1日, 2025/4/1, 2025.4.1 (a 4-digit
        // year: never an era's).
        None if (1000..=9999).contains(&year) => {
            let year = i32::try_from(year).map_err(|_| DATE_SHAPE)?;
            NaiveDate::from_ymd_opt(year, month, day).ok_or(DATE_NOT_REAL)
        }
        None => Err(DATE_SHAPE),
    }
}

/// How many years ahead of today a date typed from a document may be. The longest period a
/// document the forms take prints is a 公費 受給者証 of a child's program, valid at most until the
/// first 3月31日 after the 18th birthday (羽島市 http://www.city.hashima.lg.jp/5621.html:
/// 「18歳到達後の最初の年度末まで」; under 19 years for a newborn); a 資格確認書 is valid for at
/// most 5 years (seed 003), a 高齢受給者証 for one. A date further ahead is a typing error, most
/// often a year typed with one digit too many (令和90年 for 令和9年), which would show the
/// document in force for a lifetime (PRODUCT: 20 years).
pub const MAX_YEARS_AHEAD: u32 = 20;

/// The refusal of a date more than [`MAX_YEARS_AHEAD`] years after today (the value is never
/// repeated).
pub const TOO_FAR_AHEAD: &str = "is more than 20 years ahead; check the year (a digit too many?)";

/// Whether a typed document date lies more than [`MAX_YEARS_AHEAD`] years after `today` (the
/// same day of the month, clamped to the month's end; a date beyond the calendar's range is far
/// ahead too).
pub fn is_too_far_ahead(date: NaiveDate, today: NaiveDate) -> bool {
    today
        .checked_add_months(chrono::Months::new(MAX_YEARS_AHEAD * 12))
        .is_none_or(|limit| date > limit)
}

/// `YYYY-MM-DD` exactly: `Some(result)` when the shape is ISO, `None` to try the other forms.
pub(crate) fn parse_iso(s: &str) -> Option<Result<NaiveDate, &'static str>> {
    let shape_ok = s.len() == 10
        && s.bytes().enumerate().all(|(i, b)| {
            if i == 4 || i == 7 {
                b == b'-'
            } else {
                b.is_ascii_digit()
            }
        });
    shape_ok.then(|| crate::clock::parse_digit_date(s, Some(b'-')).ok_or(DATE_NOT_REAL))
}

/// A run of 1–4 ASCII digits at the start of `s`, and what follows.
fn take_number(s: &str) -> Option<(u32, &str)> {
    let len = s.bytes().take_while(u8::is_ascii_digit).count();
    if len == 0 || len > 4 {
        return None;
    }
    Some((s[..len].parse().ok()?, &s[len..]))
}

/// `年M月D日` (the final 日 optional) or `.M.D` with one separator out of `.`, `/` and `-`;
/// the month and the day.
fn month_and_day(s: &str) -> Option<(u32, u32)> {
    if let Some(rest) = s.strip_prefix('年') {
        let (month, rest) = take_number(rest)?;
        let rest = rest.strip_prefix('月')?;
        let (day, rest) = take_number(rest)?;
        return matches!(rest, "" | "日").then_some((month, day));
    }
    let sep = s.chars().next().filter(|c| matches!(c, '.' | '/' | '-'))?;
    let (month, rest) = take_number(&s[1..])?;
    let (day, rest) = take_number(rest.strip_prefix(sep)?)?;
    rest.is_empty().then_some((month, day))
}

/// Folds full-width ASCII to half-width and half-width katakana to full-width (Unicode NFKC),
/// and turns every run of white space (including U+3000) into one ASCII space, trimmed.
pub fn fold_width(input: &str) -> String {
    let nfkc: String = input.nfkc().collect();
    nfkc.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Compares two 記号 or 番号 values the way clinic software does: after width folding and
/// with white space and dashes removed (docs/rules.md §4.1: stored as printed, compared after
/// folding; a 記号 printed 「7340-155」 on one document and typed 7340155 from another is one
/// 記号 — the dash, whichever one a keyboard gives (－, ‐, −, ー), separates and means nothing).
pub fn same_code(a: &str, b: &str) -> bool {
    if a == b {
        return true;
    }
    // Printable ASCII without white space or a dash folds to itself: two such values that
    // differ are different codes (the common case, decided without normalising).
    let plain = |s: &str| s.bytes().all(|b| b.is_ascii_graphic() && b != b'-');
    if plain(a) && plain(b) {
        return false;
    }
    let strip = |s: &str| {
        fold_width(s)
            .chars()
            .filter(|c| !c.is_whitespace() && !is_dash(*c))
            .collect::<String>()
    };
    strip(a) == strip(b)
}

/// A dash or a character typed for one in a code: the hyphen-minus, the Unicode hyphens and
/// dashes, the minus sign and the katakana long-vowel mark (a Japanese keyboard's 「ー」).
fn is_dash(c: char) -> bool {
    matches!(c, '-' | '\u{2010}'..='\u{2015}' | '\u{2212}' | 'ー')
}

/// True for a character allowed in a 氏名カナ after folding: full-width katakana (including
/// ヴ, small kana, the long-vowel mark ー and the middle dot ・) or a space.
fn is_kana_char(c: char) -> bool {
    c == ' ' || ('\u{30A1}'..='\u{30FA}').contains(&c) || c == 'ー' || c == '・'
}

/// Why a 氏名カナ is not acceptable.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KanaError {
    /// Nothing but white space.
    Empty,
    /// Hiragana where katakana is expected.
    Hiragana,
    /// Any other non-katakana character.
    NotKatakana,
    /// More than [`MAX_KANA_CHARS`] characters after folding.
    TooLong,
}

impl KanaError {
    /// The reason shown beside the field (the forms' wording; no part of the value).
    pub fn reason(self) -> &'static str {
        match self {
            KanaError::Empty => "must not be empty",
            KanaError::Hiragana => "must be katakana, not hiragana",
            KanaError::NotKatakana => "must be katakana",
            KanaError::TooLong => "is too long",
        }
    }
}

/// The longest 氏名カナ accepted, in characters after folding. A reading is longer than the
/// 氏名 it reads (the 氏名 limit is 60): 100 leaves room for long foreign names written in
/// katakana, while a pasted page of text is refused with a clear error instead of being stored,
/// signed or printed on a desk's CSV.
pub const MAX_KANA_CHARS: usize = 100;

/// Folds a 氏名カナ (half-width katakana becomes full-width) and checks it is katakana of at
/// most [`MAX_KANA_CHARS`] characters.
pub fn fold_kana(input: &str) -> Result<String, KanaError> {
    let folded = fold_width(input);
    if folded.is_empty() {
        return Err(KanaError::Empty);
    }
    if folded.chars().count() > MAX_KANA_CHARS {
        return Err(KanaError::TooLong);
    }
    if let Some(bad) = folded.chars().find(|c| !is_kana_char(*c)) {
        return Err(if ('\u{3041}'..='\u{3096}').contains(&bad) {
            KanaError::Hiragana
        } else {
            KanaError::NotKatakana
        });
    }
    Ok(folded)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kana_length_is_limited_after_folding() {
        let longest = "ア".repeat(MAX_KANA_CHARS);
        assert_eq!(fold_kana(&longest).as_deref(), Ok(longest.as_str()));
        assert_eq!(fold_kana(&format!("{longest}ア")), Err(KanaError::TooLong));
        // Half-width input folds first: 100 ｱ are 100 ア; a ﾞ joins its kana.
        assert!(fold_kana(&"ｶﾞ".repeat(MAX_KANA_CHARS)).is_ok());
        assert_eq!(fold_kana(&"ア".repeat(100_000)), Err(KanaError::TooLong));
        assert_eq!(KanaError::TooLong.reason(), "is too long");
    }

    #[test]
    fn width_folding() {
        assert_eq!(fold_width("１２３４５"), "12345");
        assert_eq!(fold_width("ﾔﾏﾀﾞ　ﾀﾛｳ"), "ヤマダ タロウ");
        assert_eq!(fold_width("  a\u{3000}\u{3000}b "), "a b");
    }

    #[test]
    fn codes_compare_after_folding() {
        assert!(same_code("１２３４５", "12345"));
        assert!(same_code("12 345", "１２３４５"));
        assert!(!same_code("12345", "12346"));
        assert!(same_code("①", "1"));
        // Dashes separate and mean nothing, whichever a keyboard gives.
        assert!(same_code("7340-155", "7340155"));
        assert!(same_code("7340－155", "7340155"));
        assert!(same_code("7340ー155", "7340‐155"));
        assert!(same_code("7340−155", "7340155"));
        assert!(!same_code("7340-155", "7340156"));
    }

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn dates_typed_in_wareki_are_normalised() {
        for (input, want) in [
            ("2025-04-01", d(2025, 4, 1)),
            (" 2025-04-01 ", d(2025, 4, 1)),
            ("２０２５－０４－０１", d(2025, 4, 1)),
            ("2025年4月1日", d(2025, 4, 1)),
            ("令和7年4月1日", d(2025, 4, 1)),
            ("令和７年４月１日", d(2025, 4, 1)),
            ("令和 7年 4月 1日", d(2025, 4, 1)),
            ("令和7年4月1", d(2025, 4, 1)),
            ("R7.4.1", d(2025, 4, 1)),
            ("R07.04.01", d(2025, 4, 1)),
            ("r7.4.1", d(2025, 4, 1)),
            ("Ｒ７．４．１", d(2025, 4, 1)),
            ("R7/4/1", d(2025, 4, 1)),
            ("R7-4-1", d(2025, 4, 1)),
            ("R7年4月1日", d(2025, 4, 1)),
            ("平成31年4月30日", d(2019, 4, 30)),
            ("H31.4.30", d(2019, 4, 30)),
            ("令和元年5月1日", d(2019, 5, 1)),
            ("令和1年5月1日", d(2019, 5, 1)),
            ("R元.5.1", d(2019, 5, 1)),
            ("平成元年1月8日", d(1989, 1, 8)),
            ("昭和60年4月12日", d(1985, 4, 12)),
            ("S60.4.12", d(1985, 4, 12)),
            ("大正15年12月24日", d(1926, 12, 24)),
            ("明治45年7月29日", d(1912, 7, 29)),
            ("\u{337B}31年4月30日", d(2019, 4, 30)),
            // Printed before the change of era: counted on.
            ("平成32年3月31日", d(2020, 3, 31)),
        ] {
            assert_eq!(parse_date(input), Ok(want), "{input}");
        }
    }

    /// 西暦 with a slash or a dot, as people write it (a 4-digit year, the same separator twice).
    #[test]
    fn western_dates_with_slashes_or_dots_are_read() {
        for input in [
            "1985/04/12",
            "1985/4/12",
            "１９８５／４／１２",
            "1985.4.12",
            "1985-4-12",
        ] {
            assert_eq!(
                parse_date(input),
                NaiveDate::from_ymd_opt(1985, 4, 12).ok_or(""),
                "{input}"
            );
        }
    }

    #[test]
    fn dates_that_are_not_real_or_not_typed_as_dates_are_refused() {
        for (input, why) in [
            ("7.4.1", DATE_SHAPE),
            ("25/4/1", DATE_SHAPE),
            ("2025/4.1", DATE_SHAPE),
            ("2025/2/30", DATE_NOT_REAL),
            ("令和7.4/1", DATE_SHAPE),
            ("令和7年4月", DATE_SHAPE),
            ("令和年4月1日", DATE_SHAPE),
            ("元年5月1日", DATE_SHAPE),
            ("X7.4.1", DATE_SHAPE),
            ("R12345.4.1", DATE_SHAPE),
            ("someday", DATE_SHAPE),
            ("", DATE_SHAPE),
            ("25年4月1日", DATE_SHAPE),
            ("2025-02-30", DATE_NOT_REAL),
            ("2025年2月29日", DATE_NOT_REAL),
            ("令和7年2月29日", DATE_NOT_REAL),
            ("R7.13.1", DATE_NOT_REAL),
            ("R0.5.1", DATE_NOT_REAL),
            ("令和元年4月30日", DATE_BEFORE_ERA),
            ("平成元年1月7日", DATE_BEFORE_ERA),
        ] {
            assert_eq!(parse_date(input), Err(why), "{input}");
        }
    }

    #[test]
    fn kana_rules() {
        assert_eq!(fold_kana("ﾔﾏﾀﾞ ﾀﾛｳ"), Ok("ヤマダ タロウ".into()));
        assert_eq!(
            fold_kana("ヴァイオレット・ロー"),
            Ok("ヴァイオレット・ロー".into())
        );
        assert_eq!(fold_kana("やまだ"), Err(KanaError::Hiragana));
        assert_eq!(fold_kana("山田"), Err(KanaError::NotKatakana));
        assert_eq!(fold_kana("YAMADA"), Err(KanaError::NotKatakana));
        assert_eq!(fold_kana(" \u{3000}"), Err(KanaError::Empty));
    }
}
