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

/// An instant written in RFC 3339 as chrono's `Serialize` writes a `DateTime<Utc>`
/// (`2026-11-30T13:16:16Z`, `…16.123456789Z`): the date, `T` (or `t`, or a space), the time to
/// the second with up to 9 digits of fraction, and `Z` (or `z`) or an offset `±HH:MM`. `None`
/// for anything else, or a time that does not exist. A second of 60 is a leap second, as
/// chrono writes one.
pub fn parse_rfc3339(s: &str) -> Option<DateTime<Utc>> {
    let b = s.as_bytes();
    let date = parse_digit_date(s.get(..10)?, Some(b'-'))?;
    if !matches!(b.get(10), Some(b'T' | b't' | b' ')) {
        return None;
    }
    let two = |at: usize| -> Option<u32> {
        let (h, l) = (*b.get(at)?, *b.get(at + 1)?);
        (h.is_ascii_digit() && l.is_ascii_digit())
            .then(|| u32::from(h - b'0') * 10 + u32::from(l - b'0'))
    };
    if b.get(13) != Some(&b':') || b.get(16) != Some(&b':') {
        return None;
    }
    let (hour, minute, second) = (two(11)?, two(14)?, two(17)?);
    let mut at = 19;
    let mut nanos = 0u32;
    if b.get(at) == Some(&b'.') {
        at += 1;
        let digits = b
            .get(at..)?
            .iter()
            .take_while(|c| c.is_ascii_digit())
            .count();
        if digits == 0 || digits > 9 {
            return None;
        }
        for &c in &b[at..at + digits] {
            nanos = nanos * 10 + u32::from(c - b'0');
        }
        nanos *= 10u32.pow(9 - u32::try_from(digits).ok()?);
        at += digits;
    }
    let offset_minutes: i64 = match b.get(at..)? {
        [b'Z' | b'z'] => 0,
        [sign @ (b'+' | b'-'), _, _, b':', _, _] => {
            let minutes = i64::from(two(at + 1)?) * 60 + i64::from(two(at + 4)?);
            if *sign == b'-' { -minutes } else { minutes }
        }
        _ => return None,
    };
    // A leap second (60) is chrono's nanosecond past 1e9 in the 59th second.
    let (second, nanos) = if second == 60 {
        (59, nanos.checked_add(1_000_000_000)?)
    } else {
        (second, nanos)
    };
    let time = chrono::NaiveTime::from_hms_nano_opt(hour, minute, second, nanos)?;
    let local = date.and_time(time);
    local
        .checked_sub_signed(Duration::minutes(offset_minutes))
        .map(|utc| utc.and_utc())
}

/// serde for the dates and instants the core stores, read by [`parse_digit_date`] and
/// [`parse_rfc3339`] (written by chrono's `Serialize`, unchanged): chrono's own `Deserialize`
/// goes through its general format parser, which the phone library then does not carry
/// (docs/decisions/0007-ffi-size.md, round 9). A value in another shape or of another type is an
/// error that names the shape, never the value (it may be a birth date): the readers ask a
/// self-describing format (the store's JSON) what the value is, so that serde's own type error,
/// which prints the value, never arises.
pub mod serde_text {
    use chrono::{DateTime, NaiveDate, Utc};
    use serde::{Deserializer, de};

    struct Text<T> {
        parse: fn(&str) -> Option<T>,
        expected: &'static str,
    }

    impl<T> de::Visitor<'_> for Text<T> {
        type Value = T;

        fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str(self.expected)
        }

        fn visit_str<E: de::Error>(self, v: &str) -> Result<T, E> {
            (self.parse)(v).ok_or_else(|| self.refused())
        }

        // Another type: refused without the value (serde's default error would print it).
        fn visit_bool<E: de::Error>(self, _: bool) -> Result<T, E> {
            Err(self.refused())
        }

        fn visit_i64<E: de::Error>(self, _: i64) -> Result<T, E> {
            Err(self.refused())
        }

        fn visit_u64<E: de::Error>(self, _: u64) -> Result<T, E> {
            Err(self.refused())
        }

        fn visit_f64<E: de::Error>(self, _: f64) -> Result<T, E> {
            Err(self.refused())
        }

        fn visit_bytes<E: de::Error>(self, _: &[u8]) -> Result<T, E> {
            Err(self.refused())
        }
    }

    impl<T> Text<T> {
        fn refused<E: de::Error>(&self) -> E {
            E::custom(format_args!("not {}", self.expected))
        }
    }

    struct Optional<T>(Text<T>);

    impl<'de, T> de::Visitor<'de> for Optional<T> {
        type Value = Option<T>;

        fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            write!(f, "{} or null", self.0.expected)
        }

        fn visit_none<E: de::Error>(self) -> Result<Option<T>, E> {
            Ok(None)
        }

        fn visit_unit<E: de::Error>(self) -> Result<Option<T>, E> {
            Ok(None)
        }

        fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Option<T>, D::Error> {
            d.deserialize_any(self.0).map(Some)
        }
    }

    const DATE: Text<NaiveDate> = Text {
        parse: |s| super::parse_digit_date(s, Some(b'-')).or_else(|| signed_year_date(s)),
        expected: "a date YYYY-MM-DD",
    };

    /// A date chrono writes with a signed year outside 0–9999 (`+11018-01-01`): a typed 和暦
    /// can reach it (令和9000年), and what was stored must read back (review of 2026-11-30).
    fn signed_year_date(s: &str) -> Option<NaiveDate> {
        use chrono::Datelike;
        let negative = match s.as_bytes().first()? {
            b'+' => false,
            b'-' => true,
            _ => return None,
        };
        let rest = s.get(1..)?;
        let (year, month_day) = rest.split_at(rest.len().checked_sub(6)?);
        if year.len() < 4 || !year.bytes().all(|c| c.is_ascii_digit()) {
            return None;
        }
        // The month and day, checked in a leap year (2000) and set on the year after.
        let md = super::parse_digit_date(&format!("2000{month_day}"), Some(b'-'))?;
        let year: i32 = year.parse().ok()?;
        NaiveDate::from_ymd_opt(if negative { -year } else { year }, md.month(), md.day())
    }

    const INSTANT: Text<DateTime<Utc>> = Text {
        parse: super::parse_rfc3339,
        expected: "an RFC 3339 time",
    };

    /// A `YYYY-MM-DD` date.
    pub fn date<'de, D: Deserializer<'de>>(d: D) -> Result<NaiveDate, D::Error> {
        d.deserialize_any(DATE)
    }

    /// A `YYYY-MM-DD` date or null (with `#[serde(default)]`, also absent).
    pub fn option_date<'de, D: Deserializer<'de>>(d: D) -> Result<Option<NaiveDate>, D::Error> {
        d.deserialize_option(Optional(DATE))
    }

    /// An RFC 3339 instant.
    pub fn instant<'de, D: Deserializer<'de>>(d: D) -> Result<DateTime<Utc>, D::Error> {
        d.deserialize_any(INSTANT)
    }

    /// An RFC 3339 instant or null (with `#[serde(default)]`, also absent).
    pub fn option_instant<'de, D: Deserializer<'de>>(
        d: D,
    ) -> Result<Option<DateTime<Utc>>, D::Error> {
        d.deserialize_option(Optional(INSTANT))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    /// What chrono's `Serialize` writes reads back to the same instant; an offset is applied;
    /// another shape is refused; the answers are chrono's own parser's, where it accepts.
    #[test]
    fn rfc3339_instants_read_as_chrono_writes_them() {
        use chrono::TimeZone;
        let base = Utc.with_ymd_and_hms(2026, 11, 30, 13, 16, 16).unwrap();
        for nanos in [0, 123_000_000, 123_456_000, 123_456_789, 1] {
            let at = base + Duration::nanoseconds(nanos);
            let json = serde_json::to_string(&at).unwrap();
            assert_eq!(parse_rfc3339(json.trim_matches('"')), Some(at), "{json}");
        }
        for text in [
            "2026-11-30T22:16:16+09:00",
            "2026-11-30T08:46:16.5-04:30",
            "2026-11-30t13:16:16z",
            "2026-11-30 13:16:16Z",
            "9999-12-31T23:59:59Z",
            "1970-01-01T00:00:00+00:00",
        ] {
            assert_eq!(
                parse_rfc3339(text),
                Some(DateTime::parse_from_rfc3339(text).unwrap().to_utc()),
                "{text}"
            );
        }
        // A leap second, as chrono writes one.
        let leap = NaiveDate::from_ymd_opt(2016, 12, 31)
            .unwrap()
            .and_hms_nano_opt(23, 59, 59, 1_500_000_000)
            .unwrap()
            .and_utc();
        let json = serde_json::to_string(&leap).unwrap();
        assert_eq!(parse_rfc3339(json.trim_matches('"')), Some(leap), "{json}");
        for bad in [
            "2026-11-30",
            "2026-11-30T13:16Z",
            "2026-11-30T13:16:16",
            "2026-11-30T13:16:16.Z",
            "2026-11-30T13:16:16.1234567890Z",
            "2026-11-30T24:00:00Z",
            "2026-13-01T00:00:00Z",
            "2026-11-30T13:16:16+0900",
            "2026-11-30T13:16:16Z ",
            "+2026-11-30T13:16:16Z",
            "２０２６-11-30T13:16:16Z",
        ] {
            assert_eq!(parse_rfc3339(bad), None, "{bad}");
        }
    }

    /// The serde readers take what chrono writes, null and absence where optional, and refuse
    /// another shape with an error that names the shape, not the value (a birth date).
    #[test]
    fn serde_text_reads_chronos_output_and_hides_the_value() {
        #[derive(serde::Serialize, serde::Deserialize, Debug, PartialEq)]
        struct Row {
            #[serde(deserialize_with = "serde_text::date")]
            born: NaiveDate,
            #[serde(default, deserialize_with = "serde_text::option_date")]
            until: Option<NaiveDate>,
            #[serde(deserialize_with = "serde_text::instant")]
            at: DateTime<Utc>,
            #[serde(default, deserialize_with = "serde_text::option_instant")]
            last: Option<DateTime<Utc>>,
        }
        let row = Row {
            born: NaiveDate::from_ymd_opt(1980, 4, 12).unwrap(),
            until: Some(NaiveDate::from_ymd_opt(2030, 7, 31).unwrap()),
            at: t("2026-11-30T13:16:16.25Z"),
            last: None,
        };
        let json = serde_json::to_string(&row).unwrap();
        assert_eq!(serde_json::from_str::<Row>(&json).unwrap(), row);
        // A signed year, as chrono writes one beyond 9999 (a typed 令和9000年).
        let far_row = Row {
            born: NaiveDate::from_ymd_opt(-1, 2, 28).unwrap(),
            until: NaiveDate::from_ymd_opt(11018, 1, 1),
            at: row.at,
            last: None,
        };
        let json = serde_json::to_string(&far_row).unwrap();
        assert!(json.contains("+11018-01-01"), "{json}");
        assert_eq!(serde_json::from_str::<Row>(&json).unwrap(), far_row);
        let absent: Row =
            serde_json::from_str(r#"{"born":"1980-04-12","at":"2026-11-30T13:16:16Z"}"#).unwrap();
        assert_eq!((absent.until, absent.last), (None, None));
        let e = serde_json::from_str::<Row>(r#"{"born":"1980-4-12","at":"2026-11-30T13:16:16Z"}"#)
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("a date YYYY-MM-DD") && !e.contains("1980"),
            "{e}"
        );
        let e = serde_json::from_str::<Row>(r#"{"born":19800412,"at":"2026-11-30T13:16:16Z"}"#)
            .unwrap_err()
            .to_string();
        assert!(!e.contains("19800412"), "{e}");
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
