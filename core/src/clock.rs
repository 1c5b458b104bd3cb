//! The one "today" of the domain.
//!
//! Every date rule of Japanese health insurance (validity periods, ages, the end of a grace
//! period) is about calendar days in Japan, whatever the phone's time zone. Callers pass the
//! instant (`now`) and the core turns it into the day in Japan here, and nowhere else.

use chrono::{DateTime, Duration, NaiveDate, NaiveDateTime, Utc};

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
}
