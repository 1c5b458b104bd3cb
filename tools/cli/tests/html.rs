//! The HTML screen rendered in headless Chromium (Debian `chromium`, with `fonts-noto-cjk`):
//! the key text is in the rendered page, and a PNG screenshot is saved under target/.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};
use std::process::Command;

const BIN: &str = env!("CARGO_BIN_EXE_shikaku");
/// A passphrase that meets the strength rule for a new store.
const TEST_PASSPHRASE: &str = "test household passphrase";

fn shikaku(dir: &Path, args: &[&str]) -> String {
    let o = Command::new(BIN)
        .arg("--data-dir")
        .arg(dir)
        .args(args)
        .env("SHIKAKU_PASSPHRASE", TEST_PASSPHRASE)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    String::from_utf8(o.stdout).unwrap()
}

fn chromium(args: &[&str]) -> std::process::Output {
    let profile = tempfile::tempdir().unwrap();
    Command::new("chromium")
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--hide-scrollbars",
        ])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .args(args)
        .output()
        .expect("chromium is installed (scripts/test-all installs Debian's chromium)")
}

#[test]
fn html_screen_renders_in_chromium() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("data");
    let examples = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples");
    let id = shikaku(
        &dir,
        &[
            "member",
            "add",
            "--name",
            "田中 ウメ",
            "--kana",
            "タナカ ウメ",
            "--birth",
            "1952-03-03",
            "--sex",
            "female",
            "--relationship",
            "self",
        ],
    );
    let id = id.trim();
    shikaku(
        &dir,
        &[
            "record",
            "add",
            "--member",
            id,
            "--file",
            examples.join("record-certificate.json").to_str().unwrap(),
        ],
    );
    let html = tmp.path().join("screen.html");
    shikaku(
        &dir,
        &[
            "show",
            id,
            "--format",
            "html",
            "--out",
            html.to_str().unwrap(),
        ],
    );
    let url = format!("file://{}", html.display());

    // The rendered DOM holds the key text.
    let dom = chromium(&["--dump-dom", &url]);
    let dom = String::from_utf8_lossy(&dom.stdout);
    for key in [
        "田中 ウメ",
        "資格確認書",
        "手入力・未検証",
        "138057",
        "令和9年7月31日",
        "2割",
        // Not 「資格確認書は単独で提示できます」: on a phone that reads as "this screen is
        // enough"; the paper 資格確認書 is what is presented.
        "見せるのは紙の資格確認書です",
    ] {
        assert!(dom.contains(key), "{key} missing from the rendered page");
    }
    assert!(!dom.contains("発行元の署名を確認済み"));

    // A screenshot, saved under target/ for people to look at.
    let png: PathBuf = Path::new(env!("CARGO_TARGET_TMPDIR")).join("eligibility-screen.png");
    let _ = std::fs::remove_file(&png);
    let o = chromium(&[
        "--window-size=900,1500",
        &format!("--screenshot={}", png.display()),
        &url,
    ]);
    assert!(
        png.exists(),
        "no screenshot: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    let decoder = png::Decoder::new(std::io::BufReader::new(std::fs::File::open(&png).unwrap()));
    let mut reader = decoder.read_info().unwrap();
    let mut buf = vec![0; reader.output_buffer_size().unwrap()];
    let info = reader.next_frame(&mut buf).unwrap();
    assert_eq!((info.width, info.height), (900, 1500));
    // Not a blank page: a real share of dark (text) pixels.
    let dark = buf
        .chunks(info.line_size / info.width as usize)
        .filter(|p| p[0] < 80)
        .count();
    let share = dark as f64 / f64::from(info.width * info.height);
    assert!(share > 0.02 && share < 0.6, "dark share {share}");
    eprintln!("screenshot: {}", png.display());
}
