//! `card check` and `inspect cert` on cards whose 利用者証明用 certificate has expired.
//!
//! The example `vcard-yamada-kazuko-expired-last-month.toml` has a certificate that expired one
//! month before the day the test runs, so it is inside the 保険証 grace period (the card works as a
//! マイナ保険証 until the end of the 3rd month after the expiry; notice A) on any run date:
//! `card check --member` accepts and stores it, the screen shows when the grace period ends, and
//! `inspect cert` still fails for the certificate. `vcard-yamada-misaki-expired.toml` (expired
//! 2025-02-14) is past its grace period: refused, nothing stored.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use chrono::{Days, Months, NaiveDate, Utc};
use serde_json::Value;
use shikaku_core::clock::japan_today;
use shikaku_core::screen::calendar::insurance_grace_last_day;
use shikaku_core::screen::format_wareki;

const BIN: &str = env!("CARGO_BIN_EXE_shikaku");
/// A passphrase that meets the strength rule for a new store.
const TEST_PASSPHRASE: &str = "test household passphrase";
const IN_GRACE: &str = "vcard-yamada-kazuko-expired-last-month.toml";
const PAST_GRACE: &str = "vcard-yamada-misaki-expired.toml";

fn profile(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../examples")
        .join(name)
}

fn shikaku(dir: &Path, args: &[&str]) -> Output {
    Command::new(BIN)
        .arg("--data-dir")
        .arg(dir)
        .args(args)
        .env("SHIKAKU_PASSPHRASE", TEST_PASSPHRASE)
        .env("SHIKAKU_PIN", "1234")
        .env_remove("SHIKAKU_NEW_PASSPHRASE")
        .output()
        .unwrap()
}

fn stdout(o: &Output) -> String {
    String::from_utf8(o.stdout.clone()).unwrap()
}

fn stderr(o: &Output) -> String {
    String::from_utf8(o.stderr.clone()).unwrap()
}

fn add_member(dir: &Path, name: &str, kana: &str, birth: &str, sex: &str) -> String {
    let o = shikaku(
        dir,
        &[
            "member",
            "add",
            "--name",
            name,
            "--kana",
            kana,
            "--birth",
            birth,
            "--sex",
            sex,
            "--relationship",
            "self",
        ],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    stdout(&o).trim().to_string()
}

fn card_check(dir: &Path, profile_name: &str, member: &str) -> Output {
    let reader = format!("vcard:{}", profile(profile_name).display());
    shikaku(
        dir,
        &["card", "check", "--reader", &reader, "--member", member],
    )
}

/// The last day of the grace period of a certificate that expired one month before `today`.
fn grace_end_for(today: NaiveDate) -> NaiveDate {
    let expired_on = today.checked_sub_months(Months::new(1)).unwrap();
    insurance_grace_last_day(expired_on).unwrap()
}

fn screen_json(dir: &Path, member: &str, at: Option<NaiveDate>) -> Value {
    let at = at.map(|d| d.to_string());
    let mut args = vec!["show", member, "--format", "json"];
    if let Some(at) = &at {
        args.extend(["--at", at.as_str()]);
    }
    let o = shikaku(dir, &args);
    assert!(o.status.success(), "{}", stderr(&o));
    serde_json::from_str(&stdout(&o)).unwrap()
}

/// The notices of a screen as (code, date) pairs.
fn notices(screen: &Value) -> Vec<(String, String)> {
    screen["notices"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| {
            (
                n["code"].as_str().unwrap().to_owned(),
                n["date"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

#[test]
fn certificate_expired_last_month_is_checked_in_grace_stored_and_shown_with_the_grace_end() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("data");
    let id = add_member(&dir, "山田 和子", "ヤマダ カズコ", "1958-10-05", "female");
    // The day in Japan is read before and after the check, in case it changes in between.
    let before = japan_today(Utc::now());
    let o = card_check(&dir, IN_GRACE, &id);
    let after = japan_today(Utc::now());
    let out = stdout(&o);
    assert!(o.status.success(), "{out}{}", stderr(&o));
    assert!(out.contains("card check: OK"), "{out}");
    assert!(out.contains("EXPIRED at the check"), "{out}");
    assert!(out.contains("as of the certificate's end"), "{out}");
    assert!(out.contains("signature: a fresh challenge signed by the card verified"));
    assert!(
        out.contains(&format!("result stored for member {id}")),
        "{out}"
    );
    let grace = [grace_end_for(before), grace_end_for(after)]
        .into_iter()
        .find(|g| out.contains(&format!("until {g}")))
        .unwrap_or_else(|| panic!("no grace end in {out}"));

    // The screen follows the grace rules for the stored check: in grace, with its last day.
    let screen = screen_json(&dir, &id, None);
    assert_eq!(screen["card"]["state"], "TestAnchor", "{screen}");
    assert!(
        notices(&screen).contains(&("certificate_in_grace".to_owned(), grace.to_string())),
        "{screen}"
    );
    let text = stdout(&shikaku(&dir, &["show", &id]));
    assert!(text.contains(&format_wareki(grace)), "{text}");
    // The day after the grace period, the same stored check says 保険証利用 is cancelled.
    let later = screen_json(&dir, &id, grace.checked_add_days(Days::new(1)));
    assert!(
        notices(&later).contains(&(
            "certificate_insurance_use_ended".to_owned(),
            grace.to_string()
        )),
        "{later}"
    );
}

#[test]
fn certificate_past_the_grace_period_is_refused_and_nothing_is_stored() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("data");
    let id = add_member(&dir, "山田 美咲", "ヤマダ ミサキ", "2012-02-14", "female");
    let o = card_check(&dir, PAST_GRACE, &id);
    assert_eq!(o.status.code(), Some(1), "{}", stdout(&o));
    let err = stderr(&o);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains("expired"), "{err}");
    assert!(err.contains("grace period"), "{err}");
    assert!(!stdout(&o).contains("result stored"), "{}", stdout(&o));
    let screen = screen_json(&dir, &id, None);
    assert_eq!(screen["card"]["state"], "NotChecked", "{screen}");
    assert!(
        !notices(&screen)
            .iter()
            .any(|(code, _)| code.starts_with("certificate_")),
        "{screen}"
    );
}

#[test]
fn inspect_cert_still_fails_for_a_certificate_in_grace() {
    let tmp = tempfile::tempdir().unwrap();
    let before = japan_today(Utc::now());
    let card = shikaku_vcard::card_from_profile_path(profile(IN_GRACE)).unwrap();
    let after = japan_today(Utc::now());
    let cert = tmp.path().join("auth.der");
    std::fs::write(&cert, card.auth_certificate_der()).unwrap();
    let ca = tmp.path().join("test-ca.pem");
    std::fs::write(&ca, shikaku_vcard::test_ca_pem().unwrap()).unwrap();
    let inspect = |extra: &[&str]| {
        Command::new(BIN)
            .args(["inspect", "cert"])
            .arg(&cert)
            .arg("--trust-anchor")
            .arg(&ca)
            .args(extra)
            .output()
            .unwrap()
    };
    let o = inspect(&[]);
    let out = stdout(&o);
    assert_eq!(o.status.code(), Some(1), "{out}{}", stderr(&o));
    assert!(out.contains("chain: NOT verified"), "{out}");
    assert!(out.contains("expired"), "{out}");
    assert!(
        [grace_end_for(before), grace_end_for(after)]
            .iter()
            .any(|g| out.contains(&format!("マイナ保険証 until {g}"))),
        "{out}"
    );
    // On its last day (in Japan) the certificate itself was valid.
    let last_day = before.checked_sub_months(Months::new(1)).unwrap();
    let o = inspect(&["--at", &last_day.to_string()]);
    assert!(o.status.success(), "{}", stdout(&o));
    // `--at` is every command's (AtArg): 和暦 too, at noon in Japan (it took only YYYY-MM-DD).
    let o = inspect(&["--at", &shikaku_core::screen::format_wareki(last_day)]);
    assert!(o.status.success(), "{}{}", stdout(&o), stderr(&o));
    // Without the test CA it chains to nothing, expired or not.
    let o = Command::new(BIN)
        .args(["inspect", "cert"])
        .arg(&cert)
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(1));
    assert!(!stdout(&o).contains("grace period"), "{}", stdout(&o));
}
