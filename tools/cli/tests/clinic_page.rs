//! `shikaku clinic serve`, the desk page: over plain HTTP (the token, the Host and Origin
//! checks, the headers, a verdict with and without fields, recording, the CSV) and in headless
//! Chromium driven through the DevTools protocol (tests/clinic_page_cdp.py: the scanner's
//! typing and Enter, the verdict and fields in the DOM, recording, the CSV downloaded and read
//! back, a screenshot under target/).
//!
//! The desk is seeded through the core (`DeskStore::import_trust_list`), as a desk that
//! imported its issuer's signed trust list.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration as StdDuration;

use chrono::{DateTime, Duration, Utc};
use shikaku_core::clinic::{DeskStore, export};
use shikaku_core::document::{
    EligibilityDocument, presentation_of, sign_presentation, to_qr_payload,
};
use shikaku_core::store::PassphraseKeyStore;

mod signed;

use signed::{NAME, key, signed_trust_list};

const BIN: &str = env!("CARGO_BIN_EXE_shikaku");
/// A passphrase that meets the strength rule for a new store.
const PASSPHRASE: &str = "clinic desk test passphrase";

fn document(issued_at: DateTime<Utc>) -> EligibilityDocument {
    signed::document(issued_at, issued_at + Duration::days(365))
}

/// The QR payload of a presentation issued 3 days ago, signed by `signer` as `kid`.
fn payload(signer: &str, kid: &str) -> String {
    let doc = document(Utc::now() - Duration::days(3));
    let p = presentation_of(&doc, [7; 16], None).unwrap();
    to_qr_payload(&sign_presentation(&p, &key(signer), kid).unwrap())
}

/// A desk in `dir` holding the trust list (issued a day ago) with the key "issuer-qr".
fn seed_desk(dir: &Path) {
    let now = Utc::now();
    let trust = signed_trust_list(now);
    let ks = PassphraseKeyStore::new(zeroize::Zeroizing::new(PASSPHRASE.to_string()));
    let mut desk = DeskStore::open(dir, &ks).unwrap();
    desk.import_trust_list(&trust, Some(key("root").verifying_key()), now)
        .unwrap();
}

/// A running `shikaku clinic serve`, killed when dropped.
struct Server {
    child: Child,
    url: String,
    port: u16,
    token: String,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn start(desk: &Path) -> Server {
    let mut child = Command::new(BIN)
        .args(["clinic", "--desk-dir"])
        .arg(desk)
        .arg("serve")
        .env("SHIKAKU_PASSPHRASE", PASSPHRASE)
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let url = line.trim().to_string();
    let rest = url.strip_prefix("http://127.0.0.1:").expect(&url);
    let (port, token) = rest.split_once('/').unwrap();
    let token = token.trim_end_matches('/').to_string();
    assert_eq!(token.len(), 32, "{url}");
    assert!(token.bytes().all(|b| b.is_ascii_hexdigit()), "{url}");
    Server {
        port: port.parse().unwrap(),
        token,
        url,
        child,
    }
}

/// One HTTP/1.1 exchange, as raw as a browser's: status, headers (lower-cased names), body.
struct Reply {
    status: u16,
    headers: String,
    body: Vec<u8>,
}

impl Reply {
    fn text(&self) -> String {
        String::from_utf8(self.body.clone()).unwrap()
    }

    fn header(&self, name: &str) -> Option<String> {
        self.headers.lines().find_map(|l| {
            let (n, v) = l.split_once(':')?;
            n.eq_ignore_ascii_case(name).then(|| v.trim().to_string())
        })
    }
}

fn exchange(port: u16, request: &[u8]) -> Reply {
    let mut s = TcpStream::connect(("127.0.0.1", port)).unwrap();
    s.set_read_timeout(Some(StdDuration::from_secs(20)))
        .unwrap();
    s.write_all(request).unwrap();
    let mut raw = Vec::new();
    s.read_to_end(&mut raw).unwrap();
    let split = raw.windows(4).position(|w| w == b"\r\n\r\n").unwrap();
    let head = String::from_utf8(raw[..split].to_vec()).unwrap();
    let body = raw[split + 4..].to_vec();
    let (status_line, headers) = head.split_once("\r\n").unwrap_or((&head, ""));
    Reply {
        status: status_line.split(' ').nth(1).unwrap().parse().unwrap(),
        headers: headers.to_string(),
        body,
    }
}

fn get(srv: &Server, path: &str, host: &str) -> Reply {
    exchange(
        srv.port,
        format!("GET {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n").as_bytes(),
    )
}

fn host(srv: &Server) -> String {
    format!("127.0.0.1:{}", srv.port)
}

fn form(fields: &[(&str, &str)]) -> String {
    fields
        .iter()
        .map(|(k, v)| {
            format!(
                "{k}={}",
                percent_encoding::utf8_percent_encode(v, percent_encoding::NON_ALPHANUMERIC)
            )
        })
        .collect::<Vec<_>>()
        .join("&")
}

fn post(srv: &Server, path: &str, origin: &str, body: &str) -> Reply {
    exchange(
        srv.port,
        format!(
            "POST {path} HTTP/1.1\r\nHost: {}\r\nOrigin: {origin}\r\n\
             Content-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\n\
             Connection: close\r\n\r\n{body}",
            host(srv),
            body.len()
        )
        .as_bytes(),
    )
}

fn own_origin(srv: &Server) -> String {
    format!("http://127.0.0.1:{}", srv.port)
}

/// The value of the record form's hidden id.
fn record_id(html: &str) -> Option<String> {
    let at = html.find("name=\"id\" value=\"")? + "name=\"id\" value=\"".len();
    Some(html[at..].split('"').next()?.to_string())
}

/// Every byte of every file in `dir`: the desk's files must hold no personal value in clear.
fn assert_no_plaintext(dir: &Path) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        let bytes = std::fs::read(&path).unwrap();
        for needle in [NAME, "ヤマダ", "7340155", "1985-04-12"] {
            assert!(
                !bytes.windows(needle.len()).any(|w| w == needle.as_bytes()),
                "{needle} in clear in {}",
                path.display()
            );
        }
    }
}

#[test]
fn the_desk_page_over_http() {
    let tmp = tempfile::tempdir().unwrap();
    let desk = tmp.path().join("desk");
    seed_desk(&desk);
    let srv = start(&desk);
    let t = srv.token.clone();
    let h = host(&srv);

    // Without the token, with another token, with another Host: refused, nothing in the body.
    for (path, host, status) in [
        ("/".to_string(), h.clone(), 404),
        ("/visits.csv".to_string(), h.clone(), 404),
        (format!("/{}/", "0".repeat(32)), h.clone(), 404),
        (format!("/{}/visits.csv", &t[..31]), h.clone(), 404),
        (format!("/{t}"), h.clone(), 404),
        (format!("/{t}/"), format!("evil.example:{}", srv.port), 403),
        (format!("/{t}/visits.csv"), "127.0.0.1".to_string(), 403),
    ] {
        let r = get(&srv, &path, &host);
        assert_eq!(r.status, status, "{path} Host {host}");
        assert!(r.body.is_empty(), "{path}: {}", r.text());
        assert_eq!(r.header("cache-control").as_deref(), Some("no-store"));
    }

    // The page: no cache, a strict policy, no CORS, the scanner field focused.
    let r = get(&srv, &format!("/{t}/"), &h);
    assert_eq!(r.status, 200);
    assert_eq!(r.header("cache-control").as_deref(), Some("no-store"));
    let csp = r.header("content-security-policy").unwrap();
    assert!(
        csp.contains("default-src 'none'") && csp.contains("form-action 'self'"),
        "{csp}"
    );
    assert!(r.header("access-control-allow-origin").is_none());
    let html = r.text();
    assert!(
        html.contains("name=\"payload\" id=\"payload\" autofocus"),
        "{html}"
    );
    assert!(html.contains("信頼リスト 第1版"), "{html}");
    assert!(!html.contains("<script"), "{html}");
    assert!(html.contains("本日の記録はまだありません"), "{html}");

    let genuine = payload("issuer", "issuer-qr");
    let verify = format!("/{t}/verify");

    // A form posted from another origin, or with none: refused before it is read.
    let body = form(&[("payload", &genuine)]);
    assert_eq!(
        post(&srv, &verify, "http://evil.example", &body).status,
        403
    );
    assert_eq!(post(&srv, &verify, "null", &body).status, 403);

    // An empty scan: a clear message.
    let r = post(
        &srv,
        &verify,
        &own_origin(&srv),
        &form(&[("payload", "  ")]),
    );
    assert_eq!(r.status, 400);
    assert!(
        r.text().contains("QRコードが読み取れていません"),
        "{}",
        r.text()
    );

    // A forged signature: its verdict, no field, nothing to record.
    let forged = payload("stranger", "issuer-qr");
    let r = post(
        &srv,
        &verify,
        &own_origin(&srv),
        &form(&[("payload", &forged)]),
    );
    assert_eq!(r.status, 200);
    let html = r.text();
    assert!(
        html.contains("data-verdict=\"bad_signature\">署名不正<"),
        "{html}"
    );
    assert!(!html.contains(NAME) && !html.contains("01130012"), "{html}");
    assert!(
        !html.contains("確認済み") && record_id(&html).is_none(),
        "{html}"
    );

    // Not a QR of ours: 形式不正, no field.
    let r = post(
        &srv,
        &verify,
        &own_origin(&srv),
        &form(&[("payload", "SK1:not base45")]),
    );
    assert!(r.text().contains(">形式不正<") && !r.text().contains(NAME));

    // The genuine presentation: 確認済み with every claim field, the document's age.
    let r = post(
        &srv,
        &verify,
        &own_origin(&srv),
        &form(&[("payload", &genuine)]),
    );
    assert_eq!(r.status, 200);
    let html = r.text();
    assert!(
        html.contains("data-verdict=\"confirmed\">確認済み<"),
        "{html}"
    );
    for shown in [
        "<th>保険者番号</th><td>01130012</td>",
        "<th>記号</th><td>7340155</td>",
        "<th>番号</th><td>42</td>",
        "<th>枝番</th><td>00</td>",
        "<th>氏名</th><td>山田 太郎</td>",
        "<th>カナ</th><td>ヤマダ タロウ</td>",
        "<th>生年月日</th><td>1985-04-12</td>",
        "<th>性別</th><td>男</td>",
        "<th>本人・家族</th><td>本人</td>",
        "<th>負担割合</th><td>3割</td>",
        "<th>高齢受給者</th><td>なし</td>",
        "（3日前）",
    ] {
        assert!(html.contains(shown), "{shown} missing: {html}");
    }
    // The payload is not echoed back into the page.
    assert!(!html.contains(&genuine[..40]), "{html}");
    let id = record_id(&html).expect("a record form");
    assert_eq!(id.len(), 32);

    // Recording: a forged id is refused and drops the waiting verification too.
    let record = format!("/{t}/record");
    let r = post(
        &srv,
        &record,
        &own_origin(&srv),
        &form(&[("id", &"f".repeat(32)), ("operator", "受付 花子")]),
    );
    assert_eq!(r.status, 409);
    let r = post(
        &srv,
        &record,
        &own_origin(&srv),
        &form(&[("id", &id), ("operator", "受付 花子")]),
    );
    assert_eq!(r.status, 409, "{}", r.text());

    // Scan again; an empty operator name is refused with a message and the form stays.
    let r = post(
        &srv,
        &verify,
        &own_origin(&srv),
        &form(&[("payload", &genuine)]),
    );
    let id = record_id(&r.text()).unwrap();
    let r = post(
        &srv,
        &record,
        &own_origin(&srv),
        &form(&[("id", &id), ("operator", " ")]),
    );
    assert_eq!(r.status, 400);
    assert!(
        r.text().contains("受付者名を確認してください"),
        "{}",
        r.text()
    );
    assert_eq!(record_id(&r.text()).as_deref(), Some(id.as_str()));
    let r = post(
        &srv,
        &record,
        &own_origin(&srv),
        &form(&[("id", &id), ("operator", "受付 花子"), ("face", "on")]),
    );
    assert_eq!(r.status, 200, "{}", r.text());
    let html = r.text();
    assert!(html.contains("記録しました（記録番号 1）"), "{html}");
    assert!(
        html.contains("<td>確認済み</td>") && html.contains("<td>山田 太郎</td>"),
        "{html}"
    );
    // Recorded once: the same id again is refused.
    let r = post(
        &srv,
        &record,
        &own_origin(&srv),
        &form(&[("id", &id), ("operator", "受付 花子")]),
    );
    assert_eq!(r.status, 409);

    // The CSV: an attachment, BOM, the core's header, the visit.
    let r = get(&srv, &format!("/{t}/visits.csv"), &h);
    assert_eq!(r.status, 200);
    assert!(
        r.header("content-disposition")
            .unwrap()
            .starts_with("attachment; filename=\"visits-"),
        "{}",
        r.headers
    );
    assert_eq!(r.header("cache-control").as_deref(), Some("no-store"));
    check_csv(&r.body);

    drop(srv);
    let o = Command::new(BIN)
        .args(["clinic", "--desk-dir"])
        .arg(&desk)
        .args(["log", "verify"])
        .env("SHIKAKU_PASSPHRASE", PASSPHRASE)
        .output()
        .unwrap();
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(
        o.status.success() && out.contains("intact: 1 entries"),
        "{out}"
    );
    assert_no_plaintext(&desk);
}

/// The downloaded CSV: UTF-8 BOM, the core's header, exactly one visit (the genuine one).
fn check_csv(bytes: &[u8]) {
    assert!(bytes.starts_with("\u{FEFF}".as_bytes()), "no BOM");
    let text = std::str::from_utf8(bytes).unwrap();
    let mut lines = text.trim_start_matches('\u{FEFF}').split("\r\n");
    assert_eq!(lines.next().unwrap(), export::CSV_COLUMNS.join(","));
    let row: Vec<&str> = lines.next().unwrap().split(',').collect();
    assert_eq!(row.len(), export::CSV_COLUMNS.len(), "{text}");
    let col = |name: &str| row[export::CSV_COLUMNS.iter().position(|c| *c == name).unwrap()];
    assert_eq!(col("確認結果"), "確認済み");
    assert_eq!(col("氏名"), NAME);
    assert_eq!(col("保険者番号"), "01130012");
    assert_eq!(col("記号"), "7340155");
    assert_eq!(col("受付者"), "受付 花子");
    assert_eq!(col("記録番号"), "1");
    assert_eq!(lines.next(), Some(""), "{text}");
    assert_eq!(lines.next(), None, "{text}");
}

#[test]
fn the_desk_page_in_chromium() {
    let tmp = tempfile::tempdir().unwrap();
    let desk = tmp.path().join("desk");
    seed_desk(&desk);
    let srv = start(&desk);
    let downloads = tmp.path().join("downloads");
    std::fs::create_dir(&downloads).unwrap();
    let png: PathBuf = Path::new(env!("CARGO_TARGET_TMPDIR")).join("clinic-page.png");
    let _ = std::fs::remove_file(&png);
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/clinic_page_cdp.py");
    let mut child = Command::new("python3")
        .arg(&script)
        .arg(&srv.url)
        .arg(&downloads)
        .arg(&png)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("python3 runs tests/clinic_page_cdp.py");
    // The payload goes in on standard input, as the scanner's keystrokes would.
    let genuine = payload("issuer", "issuer-qr");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(genuine.as_bytes())
        .unwrap();
    let o = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert!(o.status.success(), "the Chromium driver failed: {stderr}");
    let report: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let text = |k: &str| report[k].as_str().unwrap_or_default().to_string();

    // After the scanner's Enter: the verdict and the fields, read from the live DOM.
    assert_eq!(text("verdict"), "確認済み", "{report}");
    let claim = text("claim");
    for shown in [
        "01130012",
        "7340155",
        NAME,
        "ヤマダ タロウ",
        "1985-04-12",
        "3割",
    ] {
        assert!(claim.contains(shown), "{shown} missing: {claim}");
    }
    assert!(text("document").contains("3日前"), "{report}");
    assert!(text("trust").contains("信頼リスト 第1版"), "{report}");
    // The payload with one character changed, in the same page: refused, and no field.
    assert!(
        ["署名不正", "形式不正"].contains(&text("forged_verdict").as_str()),
        "{report}"
    );
    assert_eq!(report["forged_claim"], serde_json::Value::Null, "{report}");
    // After 記録: the notice and the visit in today's table.
    assert!(
        text("notice").contains("記録しました（記録番号 1）"),
        "{report}"
    );
    assert!(text("visits").contains(NAME), "{report}");
    // A request without the token, from the browser: refused.
    assert_eq!(report["no_token_status"], 404, "{report}");

    // The CSV the browser downloaded.
    let csv = PathBuf::from(text("csv_path"));
    assert!(csv.starts_with(&downloads), "{report}");
    check_csv(&std::fs::read(&csv).unwrap());

    // The screenshot: a real page, not a blank one.
    assert!(png.exists(), "no screenshot");
    let decoder = png::Decoder::new(BufReader::new(std::fs::File::open(&png).unwrap()));
    let mut reader = decoder.read_info().unwrap();
    let mut buf = vec![0; reader.output_buffer_size().unwrap()];
    let info = reader.next_frame(&mut buf).unwrap();
    let bytes_per_pixel = info.line_size / info.width as usize;
    let dark = buf
        .chunks(bytes_per_pixel)
        .filter(|p| p[0] < 80 && p[1] < 80 && p[2] < 80)
        .count();
    let share = dark as f64 / f64::from(info.width * info.height);
    assert!(share > 0.005 && share < 0.6, "dark share {share}");
    eprintln!("screenshot: {}", png.display());
    drop(srv);
    assert_no_plaintext(&desk);
}
