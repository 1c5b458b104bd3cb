//! Small readers shared by several commands: key and certificate files, the clinic
//! situations named on the command line, and the day a screen is shown for (`--at`).

use std::path::Path;

use anyhow::{Context as _, Result, anyhow};
use chrono::{DateTime, Duration, NaiveDate, NaiveTime, Utc};
use shikaku_core::clock::JST_OFFSET_HOURS;
use shikaku_core::document::VerifyingKey;
use shikaku_core::screen::ClinicSituation;

/// The clinic situations the CLI names (`--clinic`), as the core names them
/// ([`ClinicSituation::ALL`]).
pub const CLINIC_SITUATIONS: [&str; 5] = [
    ClinicSituation::ALL[0].0,
    ClinicSituation::ALL[1].0,
    ClinicSituation::ALL[2].0,
    ClinicSituation::ALL[3].0,
    ClinicSituation::ALL[4].0,
];

/// `--at DATE`: what a screen says on another day (a coming expiry, or a date pinned by a
/// test). The day is taken at noon in Japan (03:00 UTC), so every date rule sees that day in
/// Japan, and a signature or trust list is checked as of that instant.
#[derive(clap::Args, Debug, Clone, Default)]
pub struct AtArg {
    /// Show it as of this day (YYYY-MM-DD or 和暦 such as 令和9年4月1日 / R9.4.1), at noon in
    /// Japan; default: now.
    #[arg(long, value_name = "DATE", value_parser = parse_day)]
    pub at: Option<NaiveDate>,
}

impl AtArg {
    /// The instant to show: noon in Japan on `--at`, or now.
    pub fn now(&self) -> DateTime<Utc> {
        self.at.map_or_else(Utc::now, noon_in_japan)
    }
}

/// Noon in Japan (UTC+9) on `day`, as an instant: 03:00 UTC.
pub fn noon_in_japan(day: NaiveDate) -> DateTime<Utc> {
    day.and_time(NaiveTime::MIN).and_utc() + Duration::hours(12 - JST_OFFSET_HOURS)
}

/// A day as typed on the command line (the core's date parser: ISO or 和暦).
fn parse_day(s: &str) -> std::result::Result<NaiveDate, String> {
    shikaku_core::eligibility::text::parse_date(s).map_err(|e| format!("the date {e}"))
}

/// Reads a P-256 public key: PEM (SubjectPublicKeyInfo) or raw SEC1 bytes.
pub fn read_root(path: &Path) -> Result<VerifyingKey> {
    let bytes = std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))?;
    if let Ok(text) = std::str::from_utf8(&bytes)
        && text.contains("-----BEGIN PUBLIC KEY-----")
    {
        use p256::pkcs8::DecodePublicKey;
        return VerifyingKey::from_public_key_pem(text)
            .map_err(|_| anyhow!("{} is not a P-256 public key", path.display()));
    }
    VerifyingKey::from_sec1_bytes(&bytes)
        .map_err(|_| anyhow!("{} is not a P-256 public key (PEM or SEC1)", path.display()))
}

/// Reads a trust anchor file (PEM or DER; parsed by the caller).
pub fn read_anchor(path: &Path) -> Result<Vec<u8>> {
    std::fs::read(path).with_context(|| format!("cannot read trust anchor {}", path.display()))
}

/// The clinic situation called `name` (one of [`CLINIC_SITUATIONS`]; anything else is
/// `normal`).
pub fn clinic_situation(name: &str) -> ClinicSituation {
    ClinicSituation::ALL
        .iter()
        .find(|(n, _)| *n == name)
        .map_or(ClinicSituation::NORMAL, |&(_, s)| s)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn at_is_noon_in_japan() {
        let day = NaiveDate::from_ymd_opt(2027, 3, 31).unwrap();
        let t = noon_in_japan(day);
        assert_eq!(t.to_rfc3339(), "2027-03-31T03:00:00+00:00");
        assert_eq!(shikaku_core::clock::japan_today(t), day);
        assert_eq!(parse_day("令和9年3月31日"), Ok(day));
        assert!(parse_day("2027-02-30").is_err());
    }

    #[test]
    fn clinic_situations_by_name() {
        assert_eq!(clinic_situation("normal"), ClinicSituation::NORMAL);
        assert!(!clinic_situation("reader-down").reader_working);
        assert!(!clinic_situation("no-reader").reader_present);
        assert!(!clinic_situation("power-out").power);
        assert!(!clinic_situation("network-down").network);
        assert_eq!(CLINIC_SITUATIONS[1], "reader-down");
    }
}
