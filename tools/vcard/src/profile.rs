//! The person behind a virtual card: a small TOML file.
//!
//! ```toml
//! name = "山田 太郎"            # family name, a space (ASCII or U+3000), given name
//! kana = "ヤマダ タロウ"          # optional; not on the card, for the demo and the issuer
//! address = "東京都架空区見本町一丁目２番３号"
//! birth_date = 1985-04-12       # a TOML date or a "YYYY-MM-DD" string
//! sex = "male"                  # male | female | not_applicable | unknown (or 1 | 2 | 9 | 0)
//! auth_pin = "1234"             # 利用者証明用 PIN, 4 digits
//! text_pin = "1234"             # 券面事項入力補助用 PIN, 4 digits
//! sign_password = "ABC123"      # 署名用 password, 6–16 of A–Z 0–9
//! seed = "yamada-taro"          # any text: the keys and certificates derive from it
//!
//! [certificate]
//! not_before = 2024-05-01
//! not_after = 2030-04-12        # the 5th birthday after issue, in reality
//! ```
//!
//! The certificates start at 00:00:00 UTC on `not_before` and end at 23:59:59 Japan time
//! (14:59:59 UTC) on `not_after`, as J-LIS's do, so their last day is the same day in Japan.
//!
//! A certificate date may also be written relative to the day the profile is loaded (the day in
//! Japan), so that a profile stays "expired last month" on whatever day a test runs:
//! `"today"`, or `"today-N"` / `"today+N"` followed by `d` (days), `m` (months; a day that the
//! month lacks becomes its last day) or `y` (years), e.g. `not_after = "today-1m"`.
//!
//! Optional keys: `my_number` (12 digits with a valid check digit; by default a fictional number
//! derived from the seed) and `token_label` (default `JPKIAPICCTOKEN2`, the My Number Card; set it
//! to e.g. `JPKIAPGPSETOKEN` to impersonate a smartphone certificate).

use std::path::Path;

use chrono::{Datelike, Days, Months, NaiveDate, Utc};
use serde::Deserialize;
use sha2::{Digest, Sha256};

/// Why a profile could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum ProfileError {
    /// The file could not be read.
    #[error("cannot read profile {path}: {source}")]
    Io {
        /// The path given.
        path: String,
        /// The underlying error.
        source: std::io::Error,
    },
    /// The text is not valid TOML or misses a key.
    #[error("invalid profile TOML: {0}")]
    Toml(#[from] toml::de::Error),
    /// A value is present but unusable (wrong PIN format, bad date, …).
    #[error("invalid profile: {0}")]
    Invalid(String),
}

/// 性別 as written on the card (JIS X 0303 codes).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Sex {
    /// `1` 男.
    Male,
    /// `2` 女.
    Female,
    /// `9` 適用不能 (not applicable).
    NotApplicable,
    /// `0` 不明 (unknown).
    Unknown,
}

impl Sex {
    /// The ASCII digit stored in `DF25`.
    pub fn code(self) -> u8 {
        match self {
            Sex::Male => b'1',
            Sex::Female => b'2',
            Sex::NotApplicable => b'9',
            Sex::Unknown => b'0',
        }
    }

    fn parse(s: &str) -> Option<Sex> {
        match s.trim().to_ascii_lowercase().as_str() {
            "male" | "m" | "1" | "男" | "男性" => Some(Sex::Male),
            "female" | "f" | "2" | "女" | "女性" => Some(Sex::Female),
            "not_applicable" | "9" => Some(Sex::NotApplicable),
            "unknown" | "0" => Some(Sex::Unknown),
            _ => None,
        }
    }
}

/// A loaded, validated profile.
#[derive(Clone, PartialEq, Eq)]
pub struct Profile {
    /// 氏名, normalised to family name + U+3000 + given name.
    pub name: String,
    /// フリガナ, if given. Not stored on the card.
    pub kana: Option<String>,
    /// 住所, as printed on the card.
    pub address: String,
    /// 生年月日.
    pub birth_date: NaiveDate,
    /// 性別.
    pub sex: Sex,
    /// 利用者証明用 PIN (key `0018`), 4 ASCII digits.
    pub auth_pin: String,
    /// 券面事項入力補助用 PIN (key `0011`), 4 ASCII digits.
    pub text_pin: String,
    /// 署名用 password (key `001B`), 6–16 characters A–Z / 0–9.
    pub sign_password: String,
    /// First day of validity of both certificates (00:00:00 UTC), resolved to a date when the
    /// profile was written relative to the load day.
    pub cert_not_before: NaiveDate,
    /// Last day of validity of both certificates: the certificate ends at 23:59:59 Japan time
    /// (14:59:59 UTC) that day, as J-LIS's do.
    pub cert_not_after: NaiveDate,
    /// Seed text; keys, certificates and the default 個人番号 derive from it.
    pub seed: String,
    /// The 12-digit 個人番号 stored in the text AP EF `0001`. Fictional.
    pub my_number: String,
    /// The 32-byte label at the start of the token EF `0006` (without padding).
    pub token_label: String,
}

impl std::fmt::Debug for Profile {
    // The 個人番号 and the PINs stay out of debug output even for test data: logs get copied.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Profile")
            .field("name", &self.name)
            .field("kana", &self.kana)
            .field("address", &self.address)
            .field("birth_date", &self.birth_date)
            .field("sex", &self.sex)
            .field("cert_not_before", &self.cert_not_before)
            .field("cert_not_after", &self.cert_not_after)
            .field("seed", &self.seed)
            .field("token_label", &self.token_label)
            .finish_non_exhaustive()
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawProfile {
    name: String,
    kana: Option<String>,
    address: String,
    birth_date: toml::Value,
    sex: toml::Value,
    auth_pin: String,
    text_pin: String,
    sign_password: String,
    seed: String,
    my_number: Option<String>,
    token_label: Option<String>,
    certificate: RawCertificate,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCertificate {
    not_before: toml::Value,
    not_after: toml::Value,
}

fn invalid(msg: impl Into<String>) -> ProfileError {
    ProfileError::Invalid(msg.into())
}

/// A date relative to `today`: `today`, `today-N…` or `today+N…` with the unit `d`, `m` or `y`.
/// `None` when `text` is not of that form; an error when it is but the date is out of range.
fn relative_date(
    field: &str,
    text: &str,
    today: NaiveDate,
) -> Option<Result<NaiveDate, ProfileError>> {
    let rest = text.trim().strip_prefix("today")?;
    if rest.is_empty() {
        return Some(Ok(today));
    }
    let bad = || {
        invalid(format!(
            "{field}: {text:?} is not today, today-N or today+N with d, m or y"
        ))
    };
    let (later, rest) = match rest.split_at_checked(1) {
        Some(("+", rest)) => (true, rest),
        Some(("-", rest)) => (false, rest),
        _ => return Some(Err(bad())),
    };
    let Some((count, unit)) = rest.split_at_checked(rest.len().saturating_sub(1)) else {
        return Some(Err(bad()));
    };
    let Ok(count) = count.parse::<u32>() else {
        return Some(Err(bad()));
    };
    let months = |n: u32| {
        if later {
            today.checked_add_months(Months::new(n))
        } else {
            today.checked_sub_months(Months::new(n))
        }
    };
    let date = match unit {
        "d" if later => today.checked_add_days(Days::new(u64::from(count))),
        "d" => today.checked_sub_days(Days::new(u64::from(count))),
        "m" => months(count),
        "y" => count.checked_mul(12).and_then(months),
        _ => return Some(Err(bad())),
    };
    Some(date.ok_or_else(|| invalid(format!("{field}: {text:?} is out of range"))))
}

fn parse_date(field: &str, v: &toml::Value, today: NaiveDate) -> Result<NaiveDate, ProfileError> {
    if let toml::Value::String(s) = v
        && let Some(date) = relative_date(field, s, today)
    {
        return date;
    }
    let text = match v {
        toml::Value::String(s) => s.clone(),
        toml::Value::Datetime(d) => match (d.date, d.time) {
            (Some(date), None) => {
                format!("{:04}-{:02}-{:02}", date.year, date.month, date.day)
            }
            _ => return Err(invalid(format!("{field}: give a date without a time"))),
        },
        _ => return Err(invalid(format!("{field}: expected a date YYYY-MM-DD"))),
    };
    NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d")
        .map_err(|_| invalid(format!("{field}: {text:?} is not a date YYYY-MM-DD")))
}

/// Normalises "山田 太郎" / "山田　太郎" to family + U+3000 + given.
fn normalise_name(name: &str) -> String {
    let name = name.trim();
    match name.split_once([' ', '\u{3000}']) {
        Some((family, given)) => format!("{}\u{3000}{}", family.trim(), given.trim()),
        None => name.to_owned(),
    }
}

fn is_four_digits(pin: &str) -> bool {
    pin.len() == 4 && pin.bytes().all(|b| b.is_ascii_digit())
}

/// Whether `pw` has the shape of a 署名用 password: 6–16 characters, A–Z and 0–9.
pub(crate) fn is_sign_password(pw: &str) -> bool {
    (6..=16).contains(&pw.len())
        && pw
            .bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
}

/// Whether `pin` has the shape of a 4-digit PIN.
pub(crate) fn is_pin(pin: &str) -> bool {
    is_four_digits(pin)
}

/// The check digit of an 11-digit 個人番号 body (番号法施行令 §8).
pub fn my_number_check_digit(body: &[u8; 11]) -> u8 {
    // P_n counts from the rightmost of the 11 digits; Q_n = n + 1 (n ≤ 6) or n − 5 (n ≥ 7).
    let sum: u32 = body
        .iter()
        .rev()
        .enumerate()
        .map(|(i, &d)| {
            let n = i as u32 + 1;
            let q = if n <= 6 { n + 1 } else { n - 5 };
            u32::from(d) * q
        })
        .sum();
    let r = sum % 11;
    if r <= 1 { 0 } else { (11 - r) as u8 }
}

fn valid_my_number(s: &str) -> bool {
    if s.len() != 12 || !s.bytes().all(|b| b.is_ascii_digit()) {
        return false;
    }
    let mut body = [0u8; 11];
    for (slot, b) in body.iter_mut().zip(s.bytes()) {
        *slot = b - b'0';
    }
    s.as_bytes()[11] - b'0' == my_number_check_digit(&body)
}

/// A fictional 個人番号 derived from the seed, with a valid check digit.
fn derived_my_number(seed: &str) -> String {
    let digest = Sha256::new()
        .chain_update(b"shikaku-vcard/v1/my-number\0")
        .chain_update(seed.as_bytes())
        .finalize();
    let mut body = [0u8; 11];
    for (slot, b) in body.iter_mut().zip(digest.iter()) {
        *slot = b % 10;
    }
    let check = my_number_check_digit(&body);
    body.iter()
        .chain(std::iter::once(&check))
        .map(|d| char::from(b'0' + d))
        .collect()
}

impl Profile {
    /// Parses and validates a profile from TOML text; relative certificate dates count from
    /// today in Japan.
    pub fn from_toml_str(text: &str) -> Result<Profile, ProfileError> {
        Profile::from_toml_str_on(text, shikaku_core::clock::japan_today(Utc::now()))
    }

    /// [`Profile::from_toml_str`] with relative certificate dates counted from `today`.
    pub fn from_toml_str_on(text: &str, today: NaiveDate) -> Result<Profile, ProfileError> {
        let raw: RawProfile = toml::from_str(text)?;
        let sex = match &raw.sex {
            toml::Value::String(s) => Sex::parse(s),
            toml::Value::Integer(i) => Sex::parse(&i.to_string()),
            _ => None,
        }
        .ok_or_else(|| invalid("sex: expected male, female, not_applicable or unknown"))?;
        let name = normalise_name(&raw.name);
        if name.is_empty() {
            return Err(invalid("name is empty"));
        }
        if raw.address.trim().is_empty() {
            return Err(invalid("address is empty"));
        }
        // Generous bounds that keep the 基本4情報 file's u16 offsets far from overflowing.
        if name.len() > 512 || raw.address.len() > 2048 {
            return Err(invalid("name or address is implausibly long"));
        }
        if !is_four_digits(&raw.auth_pin) {
            return Err(invalid("auth_pin must be 4 ASCII digits"));
        }
        if !is_four_digits(&raw.text_pin) {
            return Err(invalid("text_pin must be 4 ASCII digits"));
        }
        if !is_sign_password(&raw.sign_password) {
            return Err(invalid(
                "sign_password must be 6 to 16 characters, upper-case A-Z and 0-9",
            ));
        }
        if raw.seed.is_empty() {
            return Err(invalid("seed is empty"));
        }
        let birth_date = match &raw.birth_date {
            toml::Value::String(s) if s.trim().starts_with("today") => {
                return Err(invalid("birth_date: give a date, not a relative one"));
            }
            other => parse_date("birth_date", other, today)?,
        };
        let not_before = &raw.certificate.not_before;
        let cert_not_before = parse_date("certificate.not_before", not_before, today)?;
        let cert_not_after =
            parse_date("certificate.not_after", &raw.certificate.not_after, today)?;
        if cert_not_after < cert_not_before {
            return Err(invalid("certificate.not_after is before not_before"));
        }
        // The test CA is valid 2000-01-01 .. 2049-12-31 (UTCTime); keep leaves inside it.
        for (field, d) in [
            ("not_before", cert_not_before),
            ("not_after", cert_not_after),
        ] {
            if !(2000..=2049).contains(&d.year()) {
                return Err(invalid(format!(
                    "certificate.{field} must lie in 2000..=2049 (the test CA's validity)"
                )));
            }
        }
        let my_number = match raw.my_number {
            Some(n) if valid_my_number(&n) => n,
            Some(_) => {
                return Err(invalid(
                    "my_number must be 12 digits with a valid check digit",
                ));
            }
            None => derived_my_number(&raw.seed),
        };
        let token_label = raw
            .token_label
            .unwrap_or_else(|| "JPKIAPICCTOKEN2".to_owned());
        if token_label.len() > 32 || !token_label.is_ascii() {
            return Err(invalid("token_label must be at most 32 ASCII characters"));
        }
        Ok(Profile {
            name,
            kana: raw.kana,
            address: raw.address.trim().to_owned(),
            birth_date,
            sex,
            auth_pin: raw.auth_pin,
            text_pin: raw.text_pin,
            sign_password: raw.sign_password,
            cert_not_before,
            cert_not_after,
            seed: raw.seed,
            my_number,
            token_label,
        })
    }

    /// Reads and validates a profile file.
    pub fn load(path: impl AsRef<Path>) -> Result<Profile, ProfileError> {
        let path = path.as_ref();
        let text = std::fs::read_to_string(path).map_err(|source| ProfileError::Io {
            path: path.display().to_string(),
            source,
        })?;
        Profile::from_toml_str(&text)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    const MINIMAL: &str = r#"
name = "見本 一郎"
address = "東京都架空区見本町１－１"
birth_date = 1990-01-02
sex = "male"
auth_pin = "1234"
text_pin = "5678"
sign_password = "ABC123"
seed = "unit"
[certificate]
not_before = "2024-01-01"
not_after = 2029-01-02
"#;

    #[test]
    fn parses_minimal_profile() {
        let p = Profile::from_toml_str(MINIMAL).unwrap();
        assert_eq!(p.name, "見本\u{3000}一郎");
        assert_eq!(p.birth_date, NaiveDate::from_ymd_opt(1990, 1, 2).unwrap());
        assert_eq!(p.sex, Sex::Male);
        assert_eq!(
            p.cert_not_before,
            NaiveDate::from_ymd_opt(2024, 1, 1).unwrap()
        );
        assert_eq!(p.token_label, "JPKIAPICCTOKEN2");
        assert!(valid_my_number(&p.my_number));
        assert_eq!(p.my_number, derived_my_number("unit"));
        let dbg = format!("{p:?}");
        assert!(!dbg.contains(&p.my_number) && !dbg.contains("5678"));
    }

    #[test]
    fn rejects_bad_values() {
        for (from, to) in [
            ("auth_pin = \"1234\"", "auth_pin = \"12345\""),
            ("text_pin = \"5678\"", "text_pin = \"56a8\""),
            ("sign_password = \"ABC123\"", "sign_password = \"abc123\""),
            ("sex = \"male\"", "sex = \"x\""),
            ("birth_date = 1990-01-02", "birth_date = \"1990-13-02\""),
            ("not_after = 2029-01-02", "not_after = 2023-01-02"),
            ("not_after = 2029-01-02", "not_after = 2050-01-02"),
            (
                "seed = \"unit\"",
                "seed = \"unit\"\nmy_number = \"123456789012\"",
            ),
            ("seed = \"unit\"", "seed = \"unit\"\nsurprise = 1"),
        ] {
            let text = MINIMAL.replace(from, to);
            assert_ne!(text, MINIMAL);
            assert!(Profile::from_toml_str(&text).is_err(), "accepted: {to}");
        }
    }

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    fn with_dates(before: &str, after: &str) -> String {
        MINIMAL
            .replace(
                "not_before = \"2024-01-01\"",
                &format!("not_before = {before}"),
            )
            .replace("not_after = 2029-01-02", &format!("not_after = {after}"))
    }

    #[test]
    fn relative_certificate_dates_count_from_the_load_day() {
        let today = d(2026, 3, 31);
        let p =
            Profile::from_toml_str_on(&with_dates("\"today-61m\"", "\"today-1m\""), today).unwrap();
        // One month before 31 March is the end of February.
        assert_eq!(p.cert_not_after, d(2026, 2, 28));
        assert_eq!(p.cert_not_before, d(2021, 2, 28));
        for (text, date) in [
            ("today", today),
            ("today+1d", d(2026, 4, 1)),
            ("today-31d", d(2026, 2, 28)),
            ("today+5y", d(2031, 3, 31)),
            ("today-4m", d(2025, 11, 30)),
        ] {
            let p =
                Profile::from_toml_str_on(&with_dates("2020-01-01", &format!("\"{text}\"")), today)
                    .unwrap();
            assert_eq!(p.cert_not_after, date, "{text}");
        }
        // Absolute dates do not move.
        let p = Profile::from_toml_str_on(MINIMAL, d(2040, 1, 1)).unwrap();
        assert_eq!(p.cert_not_after, d(2029, 1, 2));
        for bad in [
            "today-",
            "today-1",
            "today*1m",
            "today-1w",
            "today--1m",
            "today-xm",
            "today1m",
        ] {
            assert!(
                Profile::from_toml_str_on(&with_dates("2020-01-01", &format!("\"{bad}\"")), today)
                    .is_err(),
                "accepted {bad}"
            );
        }
        // Relative dates still have to fit the test CA and the order of the dates.
        for (before, after) in [
            ("2020-01-01", "\"today+30y\""),
            ("\"today\"", "\"today-1d\""),
        ] {
            assert!(
                Profile::from_toml_str_on(&with_dates(before, after), today).is_err(),
                "accepted {before} .. {after}"
            );
        }
        // A birth date is never relative.
        let text = MINIMAL.replace("birth_date = 1990-01-02", "birth_date = \"today\"");
        assert!(Profile::from_toml_str_on(&text, today).is_err());
    }

    #[test]
    fn my_number_check_digit_known_value() {
        // Body 12345678901, digits from the right weighted 2,3,4,5,6,7,2,3,4,5,6:
        // 1·2 + 0·3 + 9·4 + 8·5 + 7·6 + 6·7 + 5·2 + 4·3 + 3·4 + 2·5 + 1·6 = 212;
        // 212 mod 11 = 3, so the check digit is 11 − 3 = 8.
        assert_eq!(my_number_check_digit(&[1, 2, 3, 4, 5, 6, 7, 8, 9, 0, 1]), 8);
        assert!(valid_my_number("123456789018"));
        assert!(!valid_my_number("123456789019"));
    }

    #[test]
    fn sex_codes() {
        for (s, c) in [
            ("female", b'2'),
            ("9", b'9'),
            ("unknown", b'0'),
            ("男", b'1'),
        ] {
            assert_eq!(Sex::parse(s).unwrap().code(), c);
        }
    }
}
