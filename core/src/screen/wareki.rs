//! 和暦 (Japanese era dates) for the 5 modern eras, from a small table.
//!
//! The era start dates (docs/decisions/0005-wareki.md): 明治 1868-10-23, 大正 1912-07-30,
//! 昭和 1926-12-25, 平成 1989-01-08 (平成元年政令第1号 took effect the day after its
//! publication on 1989-01-07), 令和 2019-05-01 (平成31年政令第143号). Year 1 of an era is
//! written 元年. The table is checked in the tests against `icu_calendar` for every day from
//! 1900-01-01 to 2100-12-31 (docs/decisions/0005-wareki.md).
//!
//! Dates before 1873-01-01 (明治6年) are mapped proleptically: Japan used the lunisolar 天保暦
//! until then, so a date such as 明治元年10月23日 here is the Gregorian day, not the date that
//! was written at the time. `icu_calendar` does the same.

use std::fmt;

use chrono::{Datelike, NaiveDate};
use serde::Serialize;

/// A modern Japanese era (元号).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Era {
    /// 明治 (from 1868-10-23).
    Meiji,
    /// 大正 (from 1912-07-30).
    Taisho,
    /// 昭和 (from 1926-12-25).
    Showa,
    /// 平成 (from 1989-01-08).
    Heisei,
    /// 令和 (from 2019-05-01).
    Reiwa,
}

/// `NaiveDate::from_ymd_opt` in a constant; an invalid date fails the build, not the program.
const fn ymd(y: i32, m: u32, d: u32) -> NaiveDate {
    match NaiveDate::from_ymd_opt(y, m, d) {
        Some(date) => date,
        None => panic!("invalid constant date"),
    }
}

impl Era {
    /// All modern eras, oldest first.
    pub const ALL: [Era; 5] = [Era::Meiji, Era::Taisho, Era::Showa, Era::Heisei, Era::Reiwa];

    /// The first day of the era (Gregorian).
    pub const fn start(self) -> NaiveDate {
        match self {
            Era::Meiji => ymd(1868, 10, 23),
            Era::Taisho => ymd(1912, 7, 30),
            Era::Showa => ymd(1926, 12, 25),
            Era::Heisei => ymd(1989, 1, 8),
            Era::Reiwa => ymd(2019, 5, 1),
        }
    }

    /// The era's name in kanji: 明治, 大正, 昭和, 平成 or 令和.
    pub fn name_ja(self) -> &'static str {
        match self {
            Era::Meiji => "明治",
            Era::Taisho => "大正",
            Era::Showa => "昭和",
            Era::Heisei => "平成",
            Era::Reiwa => "令和",
        }
    }

    /// The JIS X 0301 abbreviation: M, T, S, H or R.
    pub fn letter(self) -> char {
        match self {
            Era::Meiji => 'M',
            Era::Taisho => 'T',
            Era::Showa => 'S',
            Era::Heisei => 'H',
            Era::Reiwa => 'R',
        }
    }

    /// The CLDR era code (`meiji` … `reiwa`), as `icu_calendar` names the eras.
    pub fn cldr_code(self) -> &'static str {
        match self {
            Era::Meiji => "meiji",
            Era::Taisho => "taisho",
            Era::Showa => "showa",
            Era::Heisei => "heisei",
            Era::Reiwa => "reiwa",
        }
    }

    /// The era that contains `date`, or `None` before 明治 (1868-10-23).
    pub fn of(date: NaiveDate) -> Option<Era> {
        Era::ALL.into_iter().rev().find(|era| date >= era.start())
    }

    /// The era named in kanji (`令和`) or by its JIS X 0301 letter (`R`, also lower case).
    pub fn from_name(name: &str) -> Option<Era> {
        Era::ALL.into_iter().find(|era| {
            era.name_ja() == name || name.eq_ignore_ascii_case(&era.letter().to_string())
        })
    }
}

/// A date in 和暦: era, year of the era (1 = 元年), month and day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub struct Wareki {
    /// The era.
    pub era: Era,
    /// The year of the era, 1 for 元年.
    pub year: u32,
    /// The month, 1–12 (the same as the Gregorian month).
    pub month: u32,
    /// The day of the month (the same as the Gregorian day).
    pub day: u32,
}

impl Wareki {
    /// The era year as written: `元年` for year 1, otherwise `7年`.
    pub fn year_ja(&self) -> String {
        if self.year == 1 {
            "元年".to_string()
        } else {
            format!("{}年", self.year)
        }
    }

    /// The JIS X 0301 form, e.g. `R07.12.02` (year 1 is `01`).
    pub fn jis_x0301(&self) -> String {
        format!(
            "{}{:02}.{:02}.{:02}",
            self.era.letter(),
            self.year,
            self.month,
            self.day
        )
    }
}

impl fmt::Display for Wareki {
    /// `令和7年12月2日`, `令和元年5月1日`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut s = String::with_capacity(DATE_CAPACITY);
        self.push_ja(&mut s);
        f.write_str(&s)
    }
}

/// Room for the longest date either form writes (`平成31年12月31日` is 23 bytes in UTF-8).
const DATE_CAPACITY: usize = 24;

/// Appends the decimal digits of `n` (a screen shows dozens of dates, each with two or three
/// numbers: written directly, without the formatting machinery, they cost a fraction).
fn push_decimal(out: &mut String, n: u32) {
    let mut digits = [0u8; 10];
    let mut i = digits.len();
    let mut n = n;
    loop {
        i -= 1;
        // `n % 10` is below 10, so the cast keeps it whole.
        digits[i] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    for &d in &digits[i..] {
        out.push(char::from(d));
    }
}

impl Wareki {
    /// Appends `令和7年12月2日` (`元年` for year 1) to `out`.
    fn push_ja(&self, out: &mut String) {
        out.push_str(self.era.name_ja());
        if self.year == 1 {
            out.push_str("元年");
        } else {
            push_decimal(out, self.year);
            out.push('年');
        }
        push_decimal(out, self.month);
        out.push('月');
        push_decimal(out, self.day);
        out.push('日');
    }
}

impl Wareki {
    /// The Gregorian date of this 和暦 date. `None` when the month or day does not exist or
    /// the date is before the era's first day (令和元年4月30日). A year past the era's end is
    /// counted on (平成32年 = 2020): documents printed before an era change carry such dates.
    pub fn to_date(&self) -> Option<NaiveDate> {
        if self.year == 0 {
            return None;
        }
        let year = self
            .era
            .start()
            .year()
            .checked_add(i32::try_from(self.year).ok()?)?
            .checked_sub(1)?;
        let date = NaiveDate::from_ymd_opt(year, self.month, self.day)?;
        (date >= self.era.start()).then_some(date)
    }
}

/// The 和暦 of a Gregorian date; `None` before 明治 (1868-10-23).
pub fn to_wareki(date: NaiveDate) -> Option<Wareki> {
    let era = Era::of(date)?;
    // `date >= era.start()`, so the difference is at least 0 and fits a u32.
    let year = u32::try_from(date.year() - era.start().year() + 1).ok()?;
    Some(Wareki {
        era,
        year,
        month: date.month(),
        day: date.day(),
    })
}

/// A date in 和暦 as shown to people: `令和7年12月2日`, `令和元年5月1日`. Dates before 明治
/// fall back to the western form of [`format_western`].
pub fn format_wareki(date: NaiveDate) -> String {
    match to_wareki(date) {
        Some(w) => {
            let mut s = String::with_capacity(DATE_CAPACITY);
            w.push_ja(&mut s);
            s
        }
        None => format_western(date),
    }
}

/// A date in 西暦 as shown to people: `2025年12月2日`.
pub fn format_western(date: NaiveDate) -> String {
    let mut s = String::with_capacity(DATE_CAPACITY);
    if date.year() < 0 {
        s.push('-');
    }
    push_decimal(&mut s, date.year().unsigned_abs());
    s.push('年');
    push_decimal(&mut s, date.month());
    s.push('月');
    push_decimal(&mut s, date.day());
    s.push('日');
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn both_forms_match_the_formatting_machinery_on_every_day() {
        // Every day from before 明治 to 2100, against the plain `format!` of each form.
        let mut day = d(1868, 1, 1);
        while day <= d(2100, 12, 31) {
            let western = format!("{}年{}月{}日", day.year(), day.month(), day.day());
            assert_eq!(format_western(day), western);
            let expected = match to_wareki(day) {
                Some(w) => format!("{}{}{}月{}日", w.era.name_ja(), w.year_ja(), w.month, w.day),
                None => western,
            };
            assert_eq!(format_wareki(day), expected);
            if let Some(w) = to_wareki(day) {
                assert_eq!(w.to_string(), expected);
            }
            day = day.succ_opt().unwrap();
        }
        assert_eq!(format_western(d(-44, 3, 15)), "-44年3月15日");
    }

    #[test]
    fn era_boundaries() {
        let cases = [
            (d(1868, 10, 22), None),
            (d(1868, 10, 23), Some("明治元年10月23日")),
            (d(1912, 7, 29), Some("明治45年7月29日")),
            (d(1912, 7, 30), Some("大正元年7月30日")),
            (d(1926, 12, 24), Some("大正15年12月24日")),
            (d(1926, 12, 25), Some("昭和元年12月25日")),
            (d(1927, 1, 1), Some("昭和2年1月1日")),
            (d(1989, 1, 7), Some("昭和64年1月7日")),
            (d(1989, 1, 8), Some("平成元年1月8日")),
            (d(1990, 1, 1), Some("平成2年1月1日")),
            (d(2019, 4, 30), Some("平成31年4月30日")),
            (d(2019, 5, 1), Some("令和元年5月1日")),
            (d(2019, 12, 31), Some("令和元年12月31日")),
            (d(2020, 1, 1), Some("令和2年1月1日")),
            (d(2025, 12, 2), Some("令和7年12月2日")),
        ];
        for (date, want) in cases {
            assert_eq!(
                to_wareki(date).map(|w| w.to_string()).as_deref(),
                want,
                "{date}"
            );
        }
    }

    #[test]
    fn formats() {
        assert_eq!(format_wareki(d(2025, 12, 2)), "令和7年12月2日");
        assert_eq!(format_wareki(d(2019, 5, 1)), "令和元年5月1日");
        assert_eq!(format_wareki(d(1868, 1, 1)), "1868年1月1日");
        assert_eq!(format_western(d(2025, 12, 2)), "2025年12月2日");
        let w = to_wareki(d(2025, 12, 2)).unwrap();
        assert_eq!(w.jis_x0301(), "R07.12.02");
        assert_eq!(w.year_ja(), "7年");
        assert_eq!(to_wareki(d(1989, 1, 8)).unwrap().jis_x0301(), "H01.01.08");
        assert_eq!(to_wareki(d(1926, 12, 25)).unwrap().era.letter(), 'S');
        assert_eq!(
            serde_json::to_value(w).unwrap(),
            serde_json::json!({"era": "reiwa", "year": 7, "month": 12, "day": 2})
        );
    }

    #[test]
    fn wareki_to_date_round_trips_and_refuses_days_before_the_era() {
        let w = |era, year, month, day| Wareki {
            era,
            year,
            month,
            day,
        };
        assert_eq!(w(Era::Reiwa, 7, 4, 1).to_date(), Some(d(2025, 4, 1)));
        assert_eq!(w(Era::Reiwa, 1, 5, 1).to_date(), Some(d(2019, 5, 1)));
        assert_eq!(w(Era::Reiwa, 1, 4, 30).to_date(), None);
        assert_eq!(w(Era::Heisei, 31, 4, 30).to_date(), Some(d(2019, 4, 30)));
        assert_eq!(w(Era::Heisei, 1, 1, 7).to_date(), None);
        assert_eq!(w(Era::Heisei, 1, 1, 8).to_date(), Some(d(1989, 1, 8)));
        // Printed before the change of era: counted on.
        assert_eq!(w(Era::Heisei, 32, 3, 31).to_date(), Some(d(2020, 3, 31)));
        assert_eq!(w(Era::Showa, 64, 1, 7).to_date(), Some(d(1989, 1, 7)));
        assert_eq!(w(Era::Reiwa, 0, 5, 1).to_date(), None);
        assert_eq!(w(Era::Reiwa, 7, 2, 29).to_date(), None);
        assert_eq!(w(Era::Reiwa, 8, 2, 29).to_date(), None);
        assert_eq!(w(Era::Reiwa, 6, 2, 29).to_date(), Some(d(2024, 2, 29)));
        let mut date = d(1900, 1, 1);
        while date <= d(2100, 12, 31) {
            assert_eq!(to_wareki(date).and_then(|w| w.to_date()), Some(date));
            date = date + chrono::Days::new(17);
        }
        assert_eq!(Era::from_name("令和"), Some(Era::Reiwa));
        assert_eq!(Era::from_name("h"), Some(Era::Heisei));
        assert_eq!(Era::from_name("S"), Some(Era::Showa));
        assert_eq!(Era::from_name("X"), None);
        assert_eq!(Era::from_name("平"), None);
    }

    #[test]
    fn eras_are_ordered_and_contiguous() {
        for pair in Era::ALL.windows(2) {
            assert!(pair[0].start() < pair[1].start());
            assert!(pair[0] < pair[1]);
            let last = pair[1].start().pred_opt().unwrap();
            assert_eq!(Era::of(last), Some(pair[0]));
            assert_eq!(Era::of(pair[1].start()), Some(pair[1]));
        }
    }

    /// `icu_calendar`'s `Japanese` calendar is built on the same CLDR era data. Its documented
    /// differences from other implementations (docs/decisions/0005-wareki.md), handled explicitly:
    /// - ICU4J documents 平成 as starting 1989-01-07; ICU4X (this crate) starts it 1989-01-08
    ///   like the 政令, and we assert that on both sides of the boundary below rather than skip it.
    /// - Java's `JapaneseEra` starts 明治 on 1868-01-01; ICU4X starts it 1868-10-23 like our
    ///   table and gives the Gregorian era `ce` before: asserted below as well.
    /// - Both map 明治1–5 proleptically onto the Gregorian calendar (see the module docs).
    fn icu_era_year(date: NaiveDate) -> (String, i32) {
        use icu_calendar::Date;
        use icu_calendar::cal::Japanese;
        let iso = Date::try_new_iso(
            date.year(),
            u8::try_from(date.month()).unwrap(),
            u8::try_from(date.day()).unwrap(),
        )
        .unwrap();
        let jp = iso.to_calendar(Japanese::new());
        let ey = jp.era_year();
        assert_eq!(u32::from(jp.month().ordinal), date.month(), "{date}");
        assert_eq!(u32::from(jp.day_of_month().0), date.day(), "{date}");
        (ey.era.to_string(), ey.year)
    }

    #[test]
    fn icu_documented_differences_are_pinned() {
        assert_eq!(icu_era_year(d(1989, 1, 7)), ("showa".to_string(), 64));
        assert_eq!(icu_era_year(d(1989, 1, 8)), ("heisei".to_string(), 1));
        assert_eq!(icu_era_year(d(1868, 10, 22)).0, "ce");
        assert_eq!(to_wareki(d(1868, 10, 22)), None);
        assert_eq!(icu_era_year(d(1868, 10, 23)), ("meiji".to_string(), 1));
    }

    #[test]
    fn agrees_with_icu_calendar_every_day_1900_to_2100() {
        let mut date = d(1900, 1, 1);
        let end = d(2100, 12, 31);
        let mut days = 0u32;
        while date <= end {
            let ours = to_wareki(date).unwrap();
            let (era, year) = icu_era_year(date);
            assert_eq!(era, ours.era.cldr_code(), "{date}");
            assert_eq!(i64::from(year), i64::from(ours.year), "{date}");
            date = date.succ_opt().unwrap();
            days += 1;
        }
        // 201 years, 49 of them leap years (1900 and 2100 are not).
        assert_eq!(days, 201 * 365 + 49);
    }
}
