//! End to end through a real PC/SC stack: pcscd with the vpcd driver, `shikaku vcard serve`
//! presenting the virtual card, and `shikaku card check --reader pcsc`. Needs the Debian packages
//! pcscd and vsmartcard-vpcd (scripts/test-all installs them) and the `pcsc` feature.
#![cfg(feature = "pcsc")]
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::Path;
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_shikaku");

/// Kills and reaps the child when dropped, so a failing assertion leaves nothing running.
struct Guard(Child, &'static str);

impl Drop for Guard {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
        eprintln!("stopped {} (pid {})", self.1, self.0.id());
    }
}

fn profile() -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../examples/vcard-yamada-taro.toml")
        .display()
        .to_string()
}

fn shikaku(args: &[&str], pin: Option<&str>) -> Output {
    let mut c = Command::new(BIN);
    c.args(args);
    match pin {
        Some(p) => c.env("SHIKAKU_PIN", p),
        None => c.env_remove("SHIKAKU_PIN"),
    };
    c.output().unwrap()
}

fn pcscd_running() -> bool {
    Command::new("pidof")
        .arg("pcscd")
        .stdout(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

#[test]
fn card_check_through_pcscd_and_vpcd() {
    assert!(
        Path::new("/usr/sbin/pcscd").exists(),
        "pcscd is not installed (scripts/test-all installs pcscd and vsmartcard-vpcd)"
    );
    // Start our own pcscd (stopped by its pid at the end) unless one is already serving.
    let _pcscd = (!pcscd_running()).then(|| {
        Guard(
            Command::new("/usr/sbin/pcscd")
                .arg("--foreground")
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .unwrap(),
            "pcscd",
        )
    });
    let _card = Guard(
        Command::new(BIN)
            .args([
                "vcard",
                "serve",
                "--profile",
                &profile(),
                "--vpcd",
                "127.0.0.1:35963",
            ])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
        "shikaku vcard serve",
    );
    // Wait until pcscd shows the virtual card in a reader.
    let deadline = Instant::now() + Duration::from_secs(20);
    let status = loop {
        let o = shikaku(&["card", "status", "--reader", "pcsc"], None);
        if o.status.success() || Instant::now() > deadline {
            break o;
        }
        std::thread::sleep(Duration::from_millis(200));
    };
    let out = String::from_utf8_lossy(&status.stdout);
    assert!(
        status.status.success(),
        "card status: {}",
        String::from_utf8_lossy(&status.stderr)
    );
    assert!(out.contains("Virtual PCD"), "{out}");
    assert!(out.contains("利用者証明用 PIN: 3 tries left"), "{out}");

    let ca = tempfile::NamedTempFile::new().unwrap();
    assert!(
        shikaku(&["vcard", "ca", "--out", ca.path().to_str().unwrap()], None)
            .status
            .success()
    );
    let anchor = ca.path().to_str().unwrap();

    // Without the test CA the virtual card is not trusted (it is no J-LIS card).
    let o = shikaku(&["card", "check", "--reader", "pcsc"], Some("1234"));
    assert!(!o.status.success());
    assert!(String::from_utf8_lossy(&o.stderr).contains("not issued by a trusted J-LIS root"));

    let o = shikaku(
        &[
            "card",
            "check",
            "--reader",
            "pcsc",
            "--trust-anchor",
            anchor,
        ],
        Some("1234"),
    );
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(
        o.status.success(),
        "right PIN: {out}\n{}",
        String::from_utf8_lossy(&o.stderr)
    );
    assert!(
        out.contains("card check: OK") && out.contains("3 tries left"),
        "{out}"
    );

    let o = shikaku(
        &[
            "card",
            "check",
            "--reader",
            "pcsc",
            "--trust-anchor",
            anchor,
        ],
        Some("9999"),
    );
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(!o.status.success());
    assert!(
        err.contains("wrong") && err.contains("tries left: 2"),
        "{err}"
    );

    // The wrong try is remembered by the card; a right PIN resets it.
    let o = shikaku(&["card", "status", "--reader", "pcsc"], None);
    assert!(String::from_utf8_lossy(&o.stdout).contains("2 tries left"));
    let o = shikaku(
        &[
            "card",
            "check",
            "--reader",
            "pcsc",
            "--trust-anchor",
            anchor,
        ],
        Some("1234"),
    );
    assert!(o.status.success());
    let o = shikaku(&["card", "status", "--reader", "pcsc"], None);
    assert!(String::from_utf8_lossy(&o.stdout).contains("3 tries left"));
}
