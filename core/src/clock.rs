//! The one "today" of the domain.
//!
//! Every date rule of Japanese health insurance (validity periods, ages, the end of a grace
//! period) is about calendar days in Japan, whatever the phone's time zone. Callers pass the
//! instant (`now`) and the core turns it into the day in Japan here, and nowhere else.

use chrono::{DateTime, Duration, NaiveDate, NaiveDateTime, Timelike, Utc};

/// Japan Standard Time is UTC+9 all year (no daylight saving time since 1951).
pub const JST_OFFSET_HOURS: i64 = 9;

/// The calendar day in Japan (UTC+9) at the instant `now`.
pub fn japan_today(now: DateTime<Utc>) -> NaiveDate {
    japan_time(now).date()
}

/// The wall-clock time in Japan (UTC+9) at the instant `now`. Saturates at the end of chrono's
/// range (year 262143), far beyond any date a document or certificate carries.
pub fn japan_time(now: DateTime<Utc>) -> NaiveDateTime {
    let utc = now.naive_utc();
    utc.checked_add_signed(Duration::hours(JST_OFFSET_HOURS))
        .unwrap_or(utc)
}

/// A day written `YYYY-MM-DD` (ISO 8601), the one way the core writes a date into a form, a
/// file, a key or an export. chrono's `Display` of a date writes exactly this for the years
/// 0–9999 (and, like `%Y`, a signed year beyond them) without the strftime machinery, which the
/// phone library then does not carry (docs/decisions/0007-ffi-size.md, round 8).
pub fn iso_date(d: NaiveDate) -> String {
    d.to_string()
}

/// The time of day written `HH:MM`, as the screens and the desk show a time.
pub fn hour_minute(t: NaiveDateTime) -> String {
    format!("{:02}:{:02}", t.hour(), t.minute())
}

/// A date written in ASCII digits as `YYYY-MM-DD` (`separator` `Some(b'-')`) or `YYYYMMDD`
/// (`None`), exactly: no other length, no sign, no space, two digits for the month and the day.
/// `None` when the shape differs or the date does not exist (`2026-02-30`).
pub fn parse_digit_date(s: &str, separator: Option<u8>) -> Option<NaiveDate> {
    let b = s.as_bytes();
    let (month_at, day_at) = match separator {
        Some(sep) if b.len() == 10 && b.get(4) == Some(&sep) && b.get(7) == Some(&sep) => (5, 8),
        None if b.len() == 8 => (4, 6),
        _ => return None,
    };
    let number = |from: usize, len: usize| {
        b.get(from..from + len)?.iter().try_fold(0u32, |n, &c| {
            c.is_ascii_digit().then(|| n * 10 + u32::from(c - b'0'))
        })
    };
    let year = i32::try_from(number(0, 4)?).ok()?;
    NaiveDate::from_ymd_opt(year, number(month_at, 2)?, number(day_at, 2)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    #[test]
    fn the_day_in_japan_changes_at_15_00_utc() {
        let d = |s| japan_today(t(s)).to_string();
        assert_eq!(d("2026-03-31T14:59:59Z"), "2026-03-31");
        assert_eq!(d("2026-03-31T15:00:00Z"), "2026-04-01");
        assert_eq!(d("2026-12-31T15:00:00Z"), "2027-01-01");
    }

    #[test]
    fn dates_are_written_and_read_as_iso_digits() {
        let d = NaiveDate::from_ymd_opt(2026, 3, 1).unwrap();
        assert_eq!(iso_date(d), "2026-03-01");
        assert_eq!(iso_date(d), d.format("%Y-%m-%d").to_string());
        let early = NaiveDate::from_ymd_opt(7, 12, 31).unwrap();
        assert_eq!(iso_date(early), early.format("%Y-%m-%d").to_string());
        assert_eq!(hour_minute(japan_time(t("2026-03-31T15:05:00Z"))), "00:05");
        assert_eq!(parse_digit_date("2026-03-01", Some(b'-')), Some(d));
        assert_eq!(parse_digit_date("20260301", None), Some(d));
        for bad in [
            "2026-3-01",
            "2026-03-1",
            "2026/03/01",
            "+026-03-01",
            " 2026-03-01",
            "2026-03-01 ",
            "2026-02-30",
            "2026-13-01",
            "2026-00-10",
            "２０２６-03-01",
            "",
        ] {
            assert_eq!(parse_digit_date(bad, Some(b'-')), None, "{bad:?}");
        }
        for bad in [
            "2026031",
            "202603010",
            "2026 301",
            "19800000",
            "1980    ",
            "2026-301",
        ] {
            assert_eq!(parse_digit_date(bad, None), None, "{bad:?}");
        }
    }
}
