//! `shikaku clinic serve`, the desk page: over plain HTTP (the token, the Host and Origin
//! checks, the headers, a verdict with and without fields, recording, the CSV), the card check
//! with `--card vcard:…` (山田 太郎's virtual card on the reader: without a PIN, with it, a
//! wrong one and the tries left, the last try's consent, another person's document; a PIN form
//! posted twice sends its PIN once, a consent forged onto a form that did not ask is not
//! heeded), and in
//! headless Chromium driven through the DevTools protocol (tests/clinic_page_cdp.py: the
//! scanner's typing and Enter, the verdict and fields in the DOM, the card check without a PIN,
//! recording, the CSV downloaded and read back, a screenshot under target/).
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
use shikaku_core::document::EligibilityDocument;
use shikaku_core::eligibility::DocumentKind;
use shikaku_core::store::PassphraseKeyStore;

mod signed;

use signed::{NAME, key, signed_trust_list};

mod desk_support;
use desk_support::{BIN, card_spki, presented, vcard};
/// A passphrase that meets the strength rule for a new store.
const PASSPHRASE: &str = "clinic desk test passphrase";

fn document(issued_at: DateTime<Utc>) -> EligibilityDocument {
    signed::document(issued_at, issued_at + Duration::days(365))
}

/// The QR payload of a 資格確認書 (it stands alone) with no holder binding, issued 3 days
/// ago, signed by `signer` as `kid`.
fn payload(signer: &str, kid: &str) -> String {
    kind_payload(signer, kid, DocumentKind::Certificate, None)
}

/// The QR payload of a マイナポータル screen (accepted only with its card) bound to the card
/// whose 利用者証明用 SPKI is `spki` (or to none).
fn bound_payload(signer: &str, kid: &str, spki: Option<&[u8]>) -> String {
    kind_payload(signer, kid, DocumentKind::Portal, spki)
}

/// A presentation of `kind`, issued 3 days ago, bound to `spki` (or to none).
fn kind_payload(signer: &str, kid: &str, kind: DocumentKind, spki: Option<&[u8]>) -> String {
    let doc = document(Utc::now() - Duration::days(3));
    presented(doc, kind, spki, [7; 16], &key(signer), kid)
}

/// The `--card` option that puts the virtual card `name` on the desk's reader.
fn card_option(name: &str) -> String {
    format!("vcard:{}", vcard(name).display())
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

/// Starts `clinic serve` with `extra` options; its standard error goes to `log` when given.
fn start(desk: &Path, extra: &[&str], log: Option<&Path>) -> Server {
    let stderr = match log {
        Some(path) => Stdio::from(std::fs::File::create(path).unwrap()),
        None => Stdio::inherit(),
    };
    let mut child = Command::new(BIN)
        .args(["clinic", "--desk-dir"])
        .arg(desk)
        .arg("serve")
        .args(extra)
        .env("SHIKAKU_PASSPHRASE", PASSPHRASE)
        .stdout(Stdio::piped())
        .stderr(stderr)
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

/// One HTTP/1.1 exchange, as raw as a browser's: status, headers (lower-cased names), body,
/// and whether it is the page a `303 See Other` sent the browser to.
struct Reply {
    status: u16,
    headers: String,
    body: Vec<u8>,
    redirected: bool,
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
        redirected: false,
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

/// A form posted as a browser posts it: a `303 See Other` to the page (`./`) is followed with
/// a `GET`, whose answer is returned (`redirected`).
fn post(srv: &Server, path: &str, origin: &str, body: &str) -> Reply {
    let r = post_raw(srv, path, origin, body);
    if r.status != 303 {
        return r;
    }
    assert!(r.body.is_empty(), "{}", r.text());
    assert_eq!(r.header("location").as_deref(), Some("./"), "{}", r.headers);
    let page = format!("{}/", &path[..path.rfind('/').unwrap()]);
    Reply {
        redirected: true,
        ..get(srv, &page, &host(srv))
    }
}

/// A form posted, and the server's own answer.
fn post_raw(srv: &Server, path: &str, origin: &str, body: &str) -> Reply {
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
    let srv = start(&desk, &[], None);
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
        html.contains(
            "data-verdict=\"bad_signature\" data-acceptance=\"document_not_confirmed\" \
             data-tone=\"red\">署名不正<"
        ),
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
    assert!(r.text().contains("\">形式不正<") && !r.text().contains(NAME));

    // The genuine presentation: 確認済み with every claim field, the document's age.
    let r = post(
        &srv,
        &verify,
        &own_origin(&srv),
        &form(&[("payload", &genuine)]),
    );
    assert_eq!(r.status, 200);
    assert!(
        r.redirected,
        "a scan is answered with a redirect to the page"
    );
    let html = r.text();
    assert!(
        html.contains(
            "data-verdict=\"confirmed\" data-acceptance=\"accepted\" data-tone=\"green\">確認済み<"
        ),
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
    // Without --card: no card check on the page, and it says how to have one.
    assert!(
        !html.contains("action=\"card\"") && html.contains("--card pcsc"),
        "{html}"
    );
    let r = post(
        &srv,
        &format!("/{t}/card"),
        &own_origin(&srv),
        &form(&[("id", &id), ("mode", "nopin")]),
    );
    assert_eq!(r.status, 400);
    assert!(r.text().contains("--card pcsc"), "{}", r.text());

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
    // The core's Japanese reason (ClinicError::operator_refusal_ja), no English half.
    assert!(
        r.text().contains("受付者名を入力してください。"),
        "{}",
        r.text()
    );
    assert!(!r.text().contains("operator name"), "{}", r.text());
    assert_eq!(record_id(&r.text()).as_deref(), Some(id.as_str()));
    // The record form offers the 公費 受給者証 (typed, seen); a mistake in one is named in
    // Japanese with its field, nothing recorded, the visit still waiting.
    assert!(
        r.text().contains("name=\"public1_payer\"")
            && r.text().contains("name=\"public2_program\""),
        "{}",
        r.text()
    );
    let r = post(
        &srv,
        &record,
        &own_origin(&srv),
        &form(&[
            ("id", &id),
            ("operator", "受付 花子"),
            ("face", "on"),
            ("public1_payer", "88131017"),
        ]),
    );
    assert_eq!(r.status, 400);
    assert!(
        r.text().contains(
            "公費の入力を確認してください（記録していません）: \
             第一公費の公費負担者番号の検証番号（最後の1桁）が合いません。"
        ),
        "{}",
        r.text()
    );
    assert_eq!(record_id(&r.text()).as_deref(), Some(id.as_str()));
    // A 第二公費 typed alone is not recorded as the first: the empty 第一公費 is named.
    let r = post(
        &srv,
        &record,
        &own_origin(&srv),
        &form(&[
            ("id", &id),
            ("operator", "受付 花子"),
            ("face", "on"),
            ("public2_payer", "88131016"),
        ]),
    );
    assert_eq!(r.status, 400);
    assert!(
        r.text()
            .contains("第一公費の公費負担者番号を入力してください"),
        "{}",
        r.text()
    );
    let r = post(
        &srv,
        &record,
        &own_origin(&srv),
        &form(&[
            ("id", &id),
            ("operator", "受付 花子"),
            ("face", "on"),
            ("public1_payer", "88131016"),
            ("public1_recipient", "1234567"),
            ("public2_payer", ""),
        ]),
    );
    assert_eq!(r.status, 200, "{}", r.text());
    assert!(
        r.text().contains("<td>88131016</td>")
            && r.text().contains("<td>受給者証目視・未検証</td>"),
        "{}",
        r.text()
    );
    assert!(
        r.redirected,
        "a record is answered with a redirect to the page"
    );
    let html = r.text();
    assert!(html.contains("記録しました（記録番号 1）"), "{html}");
    assert!(
        html.contains("<td>確認済み</td>") && html.contains("<td>山田 太郎</td>"),
        "{html}"
    );
    // The notice is shown once: a reload shows the page without it, and posts nothing.
    let again = get(&srv, &format!("/{t}/"), &h).text();
    assert!(!again.contains("記録しました"), "{again}");
    assert!(again.contains("<td>山田 太郎</td>"), "{again}");
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
    check_csv(&r.body, "なし");
    assert!(r.text().contains(",01130012,"), "as printed: {}", r.text());
    // The spreadsheet's CSV: the same rows, the number columns as text formulas so that a
    // spreadsheet keeps 01130012 and 枝番 00.
    let sheet = get(&srv, &format!("/{t}/visits-sheet.csv"), &h);
    assert_eq!(sheet.status, 200);
    assert!(
        sheet
            .header("content-disposition")
            .unwrap()
            .ends_with("-spreadsheet.csv\""),
        "{}",
        sheet.headers
    );
    let text = sheet.text();
    assert!(text.contains(",\"=\"\"01130012\"\"\","), "{text}");
    assert!(text.contains(",\"=\"\"00\"\"\","), "{text}");
    assert!(
        get(&srv, &format!("/{t}/"), &h)
            .text()
            .contains("href=\"visits-sheet.csv\"")
    );

    // A マイナポータル screen with no holder binding, on a page without a reader: not
    // 確認済み; the page says no card can be matched and what to do, and records it only
    // with the receptionist's statement that they compared the card's 券面 by eye.
    let portal = post(
        &srv,
        &verify,
        &own_origin(&srv),
        &form(&[("payload", &bound_payload("issuer", "issuer-qr", None))]),
    );
    let html = portal.text();
    assert!(
        html.contains("data-verdict=\"confirmed\" data-acceptance=\"card_required\" data-tone=\"amber\">カード確認が必要<"),
        "{html}"
    );
    assert!(html.contains("書類: マイナポータル資格情報"), "{html}");
    assert!(html.contains("結び付けがない"), "{html}");
    assert!(
        html.contains("name=\"face\" id=\"face\" required>券面を目視で照合した"),
        "{html}"
    );
    let id = record_id(&html).unwrap();
    let r = post(
        &srv,
        &record,
        &own_origin(&srv),
        &form(&[("id", &id), ("operator", "受付 花子")]),
    );
    assert_eq!(r.status, 400, "{}", r.text());
    assert!(r.text().contains("記録できません"), "{}", r.text());
    check_csv(&get(&srv, &format!("/{t}/visits.csv"), &h).body, "なし");

    // A post over the body limit (16 KiB) is refused whole, with nothing on the screen; the
    // page still answers.
    for path in ["verify", "record", "card"] {
        let big = form(&[("payload", &"A".repeat(16 * 1024))]);
        let r = post_raw(&srv, &format!("/{t}/{path}"), &own_origin(&srv), &big);
        assert_eq!(r.status, 413, "{path}");
        assert!(r.body.is_empty(), "{path}: {}", r.text());
    }
    assert_eq!(get(&srv, &format!("/{t}/"), &h).status, 200);

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

/// The rows of a downloaded CSV (UTF-8 BOM, the core's header checked), as cells.
fn csv_rows(bytes: &[u8]) -> Vec<Vec<String>> {
    assert!(bytes.starts_with("\u{FEFF}".as_bytes()), "no BOM");
    let text = std::str::from_utf8(bytes).unwrap();
    let mut lines = text.trim_start_matches('\u{FEFF}').split("\r\n");
    assert_eq!(lines.next().unwrap(), export::CSV_COLUMNS.join(","));
    let rows: Vec<Vec<String>> = lines
        .take_while(|l| !l.is_empty())
        .map(|l| l.split(',').map(str::to_string).collect())
        .collect();
    assert!(text.ends_with("\r\n"), "{text}");
    for row in &rows {
        assert_eq!(row.len(), export::CSV_COLUMNS.len(), "{text}");
    }
    rows
}

/// The cell of `row` in the column `name`.
fn col<'a>(row: &'a [String], name: &str) -> &'a str {
    &row[export::CSV_COLUMNS.iter().position(|c| *c == name).unwrap()]
}

/// The downloaded CSV: exactly one visit (the genuine one), its card check recorded as `card`.
fn check_csv(bytes: &[u8], card: &str) {
    let rows = csv_rows(bytes);
    assert_eq!(rows.len(), 1, "{rows:?}");
    let row = &rows[0];
    assert_eq!(col(row, "確認結果"), "確認済み");
    assert_eq!(col(row, "カード確認"), card);
    assert_eq!(col(row, "氏名"), NAME);
    assert_eq!(col(row, "保険者番号"), "01130012");
    assert_eq!(col(row, "記号"), "7340155");
    assert_eq!(col(row, "受付者"), "受付 花子");
    assert_eq!(col(row, "記録番号"), "1");
}

/// The id of the verification a scan of `payload` left waiting, and the page.
fn scan(srv: &Server, payload: &str) -> (String, String) {
    let r = post(
        srv,
        &format!("/{}/verify", srv.token),
        &own_origin(srv),
        &form(&[("payload", payload)]),
    );
    assert_eq!(r.status, 200);
    let html = r.text();
    assert!(html.contains("data-verdict=\"confirmed\""), "{html}");
    (record_id(&html).expect("a record form"), html)
}

/// The single-use token of the PIN form on a page.
/// Every random value the page carries in its forms (verification ids, PIN-form tokens, the
/// 申立 form's token: at least 16 hex digits), which may hold a PIN's digits by chance (a
/// CI run met 「…641234ee…」) and are left out of the PIN search; a PIN echoed into a field
/// (4 digits) is not one of them.
fn random_values(html: &str) -> Vec<String> {
    let mut out = Vec::new();
    for name in ["id", "attempt", "form"] {
        let marker = format!("name=\"{name}\" value=\"");
        for (at, _) in html.match_indices(&marker) {
            let value = html[at + marker.len()..].split('"').next().unwrap_or("");
            if value.len() >= 16 && value.bytes().all(|b| b.is_ascii_hexdigit()) {
                out.push(value.to_string());
            }
        }
    }
    out
}

fn attempt_token(html: &str) -> Option<String> {
    let marker = "name=\"attempt\" value=\"";
    let at = html.find(marker)? + marker.len();
    Some(html[at..].split('"').next()?.to_string())
}

/// The card form posted for the verification `id`, as a browser does (the redirect followed):
/// status and page. A PIN is posted with the token of the PIN form the page shows now (read
/// with a `GET`, as the page on the screen), unless `fields` name one.
fn card_check(srv: &Server, id: &str, fields: &[(&str, &str)]) -> (u16, String) {
    let token;
    let mut all = vec![("id", id)];
    all.extend_from_slice(fields);
    if fields.contains(&("mode", "pin")) && !fields.iter().any(|(k, _)| *k == "attempt") {
        let page = get(srv, &format!("/{}/", srv.token), &host(srv)).text();
        token = attempt_token(&page).expect("a PIN form");
        all.push(("attempt", &token));
    }
    let r = post(
        srv,
        &format!("/{}/card", srv.token),
        &own_origin(srv),
        &form(&all),
    );
    assert!(r.redirected, "a card check is answered with a redirect");
    (r.status, r.text())
}

/// The card check's answer on a page (`data-card`), and the PIN's tries left shown.
fn card_answer(html: &str) -> (Option<&str>, Option<&str>) {
    let after = |marker: &str, end: char| {
        html.find(marker)
            .map(|at| &html[at + marker.len()..])
            .and_then(|rest| rest.split(end).next())
    };
    // 「PINの残り回数は2回です。…」 (the core's words): "2回".
    (after("data-card=\"", '"'), after("PINの残り回数は", 'で'))
}

/// Records the verification `id` as 受付 花子 (with `face` ticked when asked): the page.
fn record_visit(srv: &Server, id: &str, face: bool) -> String {
    let mut fields = vec![("id", id), ("operator", "受付 花子")];
    if face {
        fields.push(("face", "on"));
    }
    let r = post(
        srv,
        &format!("/{}/record", srv.token),
        &own_origin(srv),
        &form(&fields),
    );
    assert_eq!(r.status, 200, "{}", r.text());
    r.text()
}

/// The PIN of 山田 太郎's virtual card, and a wrong one.
const PIN: &str = "1234";
const WRONG_PIN: &str = "8642";

#[test]
fn the_card_check_on_the_desk_page() {
    let tmp = tempfile::tempdir().unwrap();
    let desk = tmp.path().join("desk");
    seed_desk(&desk);
    let log = tmp.path().join("serve.log");
    let reader = card_option("yamada-taro");
    let srv = start(&desk, &["--card", &reader], Some(&log));
    let taro = bound_payload("issuer", "issuer-qr", Some(&card_spki("yamada-taro")));
    let hanako = bound_payload("issuer", "issuer-qr", Some(&card_spki("yamada-hanako")));
    // Every body the server sent, and every id it made (random hex, left out of the PIN
    // search).
    let mut bodies: Vec<String> = Vec::new();
    let mut ids: Vec<String> = Vec::new();
    let mut keep = |html: &str| {
        bodies.push(html.to_string());
        ids.extend(random_values(html));
    };

    // No verification, no card form.
    let page = get(&srv, &format!("/{}/", srv.token), &host(&srv)).text();
    assert!(!page.contains("action=\"card\""), "{page}");

    // A verification: both card forms; the PIN field is a password field that no browser
    // fills in, with no value; no consent asked for yet.
    let (id, html) = scan(&srv, &taro);
    keep(&html);
    assert!(html.contains("カードを確認（PIN なし）"), "{html}");
    assert!(
        html.contains(
            "<input type=\"password\" name=\"pin\" id=\"pin\" inputmode=\"numeric\" \
             autocomplete=\"off\""
        ),
        "{html}"
    );
    assert!(!html.contains("name=\"last\""), "{html}");
    // A マイナポータル screen with no card checked yet: not 確認済み; it is recorded only once
    // its card is checked, or its 券面 compared by eye (the required box: spec §1 (2)).
    assert!(html.contains("data-acceptance=\"card_required\""), "{html}");
    assert!(html.contains(">カード確認が必要<"), "{html}");
    assert!(html.contains("id=\"action\""), "{html}");
    assert!(
        html.contains("name=\"face\" id=\"face\" required>券面を目視で照合した"),
        "{html}"
    );

    // Another origin, or a forged id: refused; the forged id drops the waiting one.
    let r = post(
        &srv,
        &format!("/{}/card", srv.token),
        "http://evil.example",
        &form(&[("id", &id), ("mode", "nopin")]),
    );
    assert_eq!(r.status, 403);
    let (_, html) = card_check(&srv, &"0".repeat(32), &[("mode", "nopin")]);
    assert!(html.contains("この確認結果は記録できません"), "{html}");
    assert!(!html.contains("action=\"card\""), "{html}");
    let (_, html) = card_check(&srv, &id, &[("mode", "nopin")]);
    assert!(html.contains("この確認結果は記録できません"), "{html}");

    // Without the PIN: the bound card; the tries left read from the card; 目視 offered.
    let (id, html) = scan(&srv, &taro);
    keep(&html);
    let (status, html) = card_check(&srv, &id, &[("mode", "nopin")]);
    keep(&html);
    assert_eq!(status, 200, "{html}");
    assert_eq!(card_answer(&html), (Some("bound"), Some("3回")), "{html}");
    assert!(
        html.contains(">この資格情報に結び付いたカード（PIN未確認）<"),
        "{html}"
    );
    // Matched without the PIN: still カード確認が必要 until the photo is compared, and the
    // 目視 box is required to record.
    assert!(html.contains(">カード確認が必要<"), "{html}");
    assert!(
        html.contains("name=\"face\" id=\"face\" required>券面の顔写真と本人を目視で確認した"),
        "{html}"
    );
    assert!(html.contains("見比べてから記録してください"), "{html}");
    // No restatement of the acceptance rule by the page: the core's action says it.
    assert!(!html.contains("確認しないと記録できません"), "{html}");
    let r = post(
        &srv,
        &format!("/{}/record", srv.token),
        &own_origin(&srv),
        &form(&[("id", &id), ("operator", "受付 花子")]),
    );
    assert_eq!(r.status, 400, "{}", r.text());
    assert!(r.text().contains("記録できません"), "{}", r.text());
    let html = record_visit(&srv, &id, true);
    keep(&html);
    assert!(html.contains("記録しました（記録番号 1）"), "{html}");
    assert!(html.contains("<td>目視（PIN未確認）</td>"), "{html}");

    // A wrong PIN: the tries left the core reported; the card counted it once (3 → 2).
    let (id, html) = scan(&srv, &taro);
    keep(&html);
    let (status, html) = card_check(&srv, &id, &[("mode", "pin"), ("pin", WRONG_PIN)]);
    keep(&html);
    assert_eq!(status, 200, "{html}");
    assert_eq!(card_answer(&html), (Some("error"), Some("2回")), "{html}");
    assert!(html.contains("PINが違います（残り2回）"), "{html}");
    assert!(!html.contains("name=\"last\""), "{html}");
    // Nothing held after the wrong PIN: only the 券面 compared by eye (券面目視) could record it.
    assert!(html.contains("required>券面を目視で照合した"), "{html}");
    let (_, html) = card_check(&srv, &id, &[("mode", "nopin")]);
    keep(&html);
    assert_eq!(card_answer(&html), (Some("bound"), Some("2回")), "{html}");

    // A PIN that is not 4 digits: nothing sent, the counter unchanged.
    let (_, html) = card_check(&srv, &id, &[("mode", "pin"), ("pin", "12a")]);
    keep(&html);
    assert!(html.contains("PINは4桁の数字です"), "{html}");
    let (_, html) = card_check(&srv, &id, &[("mode", "nopin")]);
    keep(&html);
    assert_eq!(card_answer(&html).1, Some("2回"), "{html}");

    // Wrong again: one try left, and the page asks for the patient's consent.
    let (_, html) = card_check(&srv, &id, &[("mode", "pin"), ("pin", WRONG_PIN)]);
    keep(&html);
    assert_eq!(card_answer(&html), (Some("error"), Some("1回")), "{html}");
    assert!(
        html.contains("name=\"last\" id=\"last\" required"),
        "{html}"
    );
    // Without the consent the core sends no VERIFY: the counter stays at 1.
    let (_, html) = card_check(&srv, &id, &[("mode", "pin"), ("pin", WRONG_PIN)]);
    keep(&html);
    assert_eq!(card_answer(&html), (Some("error"), Some("1回")), "{html}");
    assert!(html.contains("PINは送っていません"), "{html}");
    assert!(html.contains("name=\"last\""), "{html}");
    let (_, html) = card_check(&srv, &id, &[("mode", "nopin")]);
    keep(&html);
    assert_eq!(card_answer(&html), (Some("bound"), Some("1回")), "{html}");

    // With the consent and the right PIN: 本人確認済み（PIN）, recorded as PIN.
    let (_, html) = card_check(&srv, &id, &[("mode", "pin"), ("pin", PIN), ("last", "on")]);
    keep(&html);
    assert_eq!(card_answer(&html).0, Some("pin"), "{html}");
    assert!(html.contains(">本人確認済み（PIN）<"), "{html}");
    assert!(
        html.contains("data-acceptance=\"accepted\" data-tone=\"green\">確認済み<"),
        "{html}"
    );
    assert!(!html.contains("name=\"face\""), "{html}");
    let html = record_visit(&srv, &id, false);
    keep(&html);
    assert!(html.contains("記録しました（記録番号 2）"), "{html}");
    // The right PIN reset the counter.
    let fresh_tries = |keep: &mut dyn FnMut(&str)| {
        let (id, html) = scan(&srv, &taro);
        keep(&html);
        let (_, html) = card_check(&srv, &id, &[("mode", "nopin")]);
        keep(&html);
        card_answer(&html).1.map(str::to_string)
    };
    assert_eq!(fresh_tries(&mut keep).as_deref(), Some("3回"));

    // Another person's document (bound to 花子's card) with 太郎's card: refused in large
    // type, with or without the PIN, and no try spent; never 確認済み, never recorded.
    let (id, html) = scan(&srv, &hanako);
    keep(&html);
    for fields in [&[("mode", "nopin")][..], &[("mode", "pin"), ("pin", PIN)]] {
        let (status, html) = card_check(&srv, &id, fields);
        keep(&html);
        assert_eq!(status, 200, "{html}");
        assert_eq!(card_answer(&html), (Some("mismatch"), None), "{html}");
        assert!(
            html.contains("このカードは、この資格情報の本人のカードではありません"),
            "{html}"
        );
        assert!(!html.contains("本人確認済み") && !html.contains("name=\"face\""));
        // Only the core's consequence (確認済みにはできず、記録もできません), no contradicting
        // line of the page's own.
        assert!(!html.contains("カード確認としては記録されません"), "{html}");
        assert!(html.contains("記録もできません"), "{html}");
        assert!(
            html.contains(
                "data-acceptance=\"card_mismatch\" data-tone=\"red\">別人のカード（受付不可）<"
            ),
            "{html}"
        );
        assert!(!html.contains("data-tone=\"green\""), "{html}");
        assert!(!html.contains("action=\"record\""), "{html}");
    }
    // A record posted anyway is refused by the core.
    let r = post(
        &srv,
        &format!("/{}/record", srv.token),
        &own_origin(&srv),
        &form(&[("id", &id), ("operator", "受付 花子"), ("face", "on")]),
    );
    assert_eq!(r.status, 400, "{}", r.text());
    assert!(r.text().contains("別人のカードです"), "{}", r.text());
    keep(&r.text());
    assert_eq!(fresh_tries(&mut keep).as_deref(), Some("3回"));

    // A 資格確認書 bound to 太郎's card, matched without the PIN: 確認済み on its own, so the
    // page does not ask for the photo to be compared before recording (the core does not).
    let certificate = kind_payload(
        "issuer",
        "issuer-qr",
        DocumentKind::Certificate,
        Some(&card_spki("yamada-taro")),
    );
    let (id, html) = scan(&srv, &certificate);
    keep(&html);
    let (_, html) = card_check(&srv, &id, &[("mode", "nopin")]);
    keep(&html);
    assert_eq!(card_answer(&html).0, Some("bound"), "{html}");
    assert!(html.contains("data-acceptance=\"accepted\""), "{html}");
    assert!(!html.contains("見比べてから記録してください"), "{html}");
    assert!(
        !html.contains("name=\"face\" id=\"face\" required"),
        "{html}"
    );

    // The CSV: 目視 and PIN; nothing for the refused card.
    let r = get(&srv, &format!("/{}/visits.csv", srv.token), &host(&srv));
    assert_eq!(r.status, 200);
    let rows = csv_rows(&r.body);
    let cards: Vec<(&str, &str, &str)> = rows
        .iter()
        .map(|r| (col(r, "確認結果"), col(r, "カード確認"), col(r, "確認方法")))
        .collect();
    assert_eq!(
        cards,
        [
            (
                "確認済み",
                "目視（PIN未確認）",
                "署名付き資格情報＋カード（目視）"
            ),
            ("確認済み", "PIN", "署名付き資格情報＋カード（PIN）"),
        ]
    );
    bodies.push(r.text());

    // The PINs typed appear in no answer and in nothing the server printed.
    let token = srv.token.clone();
    drop(srv);
    bodies.push(std::fs::read_to_string(&log).unwrap().replace(&token, ""));
    for body in &bodies {
        let body = ids.iter().fold(body.clone(), |b, id| b.replace(id, ""));
        for pin in [PIN, WRONG_PIN] {
            assert!(!body.contains(pin), "the PIN {pin} in {body}");
        }
    }
    assert_no_plaintext(&desk);
}

/// The PIN form posted as `fields` (id, mode, pin, attempt, …) exactly as given: the page
/// the browser ends on.
fn post_card(srv: &Server, fields: &[(&str, &str)]) -> String {
    let r = post(
        srv,
        &format!("/{}/card", srv.token),
        &own_origin(srv),
        &form(fields),
    );
    assert!(r.redirected && r.status == 200, "{}", r.text());
    r.text()
}

#[test]
fn a_pin_form_sends_its_pin_once_and_its_consent_only_when_it_asked() {
    let tmp = tempfile::tempdir().unwrap();
    let desk = tmp.path().join("desk");
    seed_desk(&desk);
    let reader = card_option("yamada-taro");
    let srv = start(&desk, &["--card", &reader], None);
    let taro = bound_payload("issuer", "issuer-qr", Some(&card_spki("yamada-taro")));
    // The tries left as a fresh check without a PIN reads them (a new scan, no try spent).
    let fresh_tries = || {
        let (id, _) = scan(&srv, &taro);
        let (_, html) = card_check(&srv, &id, &[("mode", "nopin")]);
        card_answer(&html).1.map(str::to_string)
    };
    assert_eq!(fresh_tries().as_deref(), Some("3回"));

    // A wrong PIN posted twice with the same form (a double click, a resent form): the card
    // counts it once, and the second answer says it was already done.
    let (id, html) = scan(&srv, &taro);
    let attempt = attempt_token(&html).expect("a PIN form with its token");
    assert_eq!(attempt.len(), 32);
    let fields = [
        ("id", id.as_str()),
        ("mode", "pin"),
        ("pin", WRONG_PIN),
        ("attempt", &attempt),
    ];
    let first = post_card(&srv, &fields);
    assert_eq!(card_answer(&first), (Some("error"), Some("2回")), "{first}");
    assert!(!first.contains("処理済み"), "{first}");
    let second = post_card(&srv, &fields);
    assert!(second.contains("この操作は処理済みです"), "{second}");
    assert_eq!(card_answer(&second).1, Some("2回"), "{second}");
    // Each page renders a new token; the spent one stays spent.
    let next = attempt_token(&second).unwrap();
    assert_ne!(next, attempt);
    assert!(post_card(&srv, &fields).contains("この操作は処理済みです"));
    // No token, or a made-up one: no card access either.
    let no_token = post_card(&srv, &[("id", &id), ("mode", "pin"), ("pin", WRONG_PIN)]);
    assert!(no_token.contains("この操作は処理済みです"), "{no_token}");
    let made_up = "a".repeat(32);
    let forged = post_card(
        &srv,
        &[
            ("id", &id),
            ("mode", "pin"),
            ("pin", WRONG_PIN),
            ("attempt", &made_up),
        ],
    );
    assert!(forged.contains("この操作は処理済みです"), "{forged}");
    assert_eq!(fresh_tries().as_deref(), Some("2回"), "counted once");

    // Down to one try left with a form that offered no consent box.
    let (id, html) = scan(&srv, &taro);
    let attempt = attempt_token(&html).unwrap();
    let page = post_card(
        &srv,
        &[
            ("id", &id),
            ("mode", "pin"),
            ("pin", WRONG_PIN),
            ("attempt", &attempt),
        ],
    );
    assert_eq!(card_answer(&page).1, Some("1回"), "{page}");
    // A new scan: its PIN form knows nothing of the counter and offers no box. A consent
    // field forged onto it is not heeded: no VERIFY, the card is not blocked.
    let (id, html) = scan(&srv, &taro);
    assert!(!html.contains("name=\"last\""), "{html}");
    let attempt = attempt_token(&html).unwrap();
    let page = post_card(
        &srv,
        &[
            ("id", &id),
            ("mode", "pin"),
            ("pin", WRONG_PIN),
            ("attempt", &attempt),
            ("last", "on"),
        ],
    );
    assert!(page.contains("PINは送っていません"), "{page}");
    assert_eq!(card_answer(&page).1, Some("1回"), "{page}");
    assert_eq!(
        fresh_tries().as_deref(),
        Some("1回"),
        "no VERIFY at one try left"
    );

    // The form that offered the box, ticked, with the right PIN: 本人確認済み（PIN）, the counter
    // back at 3.
    let (id, _) = scan(&srv, &taro);
    let (_, html) = card_check(&srv, &id, &[("mode", "nopin")]);
    assert!(
        html.contains("name=\"last\" id=\"last\" required"),
        "{html}"
    );
    let attempt = attempt_token(&html).unwrap();
    let page = post_card(
        &srv,
        &[
            ("id", &id),
            ("mode", "pin"),
            ("pin", PIN),
            ("attempt", &attempt),
            ("last", "on"),
        ],
    );
    assert_eq!(card_answer(&page).0, Some("pin"), "{page}");
    // A reload of the result posts nothing and still shows it.
    let reload = get(&srv, &format!("/{}/", srv.token), &host(&srv)).text();
    assert_eq!(card_answer(&reload).0, Some("pin"), "{reload}");
    assert_eq!(fresh_tries().as_deref(), Some("3回"));
}

#[test]
fn the_desk_page_in_chromium() {
    let tmp = tempfile::tempdir().unwrap();
    let desk = tmp.path().join("desk");
    seed_desk(&desk);
    let reader = card_option("yamada-taro");
    let srv = start(&desk, &["--card", &reader], None);
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
    let genuine = bound_payload("issuer", "issuer-qr", Some(&card_spki("yamada-taro")));
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

    // After the scanner's Enter: the verdict and the fields, read from the live DOM. A
    // マイナポータル screen is not 確認済み before its card is checked.
    assert_eq!(text("verdict"), "カード確認が必要", "{report}");
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
    // 「カードを確認（PIN なし）」: the card on the reader is the document's.
    assert_eq!(
        text("card"),
        "この資格情報に結び付いたカード（PIN未確認）",
        "{report}"
    );
    assert!(text("pin_tries").contains("3回"), "{report}");
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
    check_csv(&std::fs::read(&csv).unwrap(), "目視（PIN未確認）");

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

#[test]
fn a_patient_already_recorded_today_gets_a_notice_beside_record() {
    let tmp = tempfile::tempdir().unwrap();
    let desk = tmp.path().join("desk");
    seed_desk(&desk);
    let srv = start(&desk, &[], None);
    let genuine = payload("issuer", "issuer-qr");
    let (id, html) = scan(&srv, &genuine);
    assert!(!html.contains("id=\"same-day\""), "{html}");
    let html = record_visit(&srv, &id, false);
    assert!(html.contains("記録しました（記録番号 1）"), "{html}");
    assert!(!html.contains("id=\"same-day\""), "{html}");
    // The same patient again: the core's notice beside 記録, which stays offered.
    let (id, html) = scan(&srv, &genuine);
    assert!(
        html.contains("id=\"same-day\">この方は本日すでに受付の記録があります（記録番号 1、"),
        "{html}"
    );
    assert!(html.contains("action=\"record\""), "{html}");
    let html = record_visit(&srv, &id, false);
    assert!(html.contains("記録しました（記録番号 2）"), "{html}");
    assert!(
        html.contains("id=\"same-day\">この方は本日すでに受付の記録があります（記録番号 1、"),
        "{html}"
    );
}

#[test]
fn an_expired_elderly_block_is_confirmed_with_an_amber_note_on_the_page() {
    use shikaku_core::eligibility::{CopayRate, ElderlyRecipient};
    let tmp = tempfile::tempdir().unwrap();
    let desk = tmp.path().join("desk");
    seed_desk(&desk);
    let srv = start(&desk, &[], None);
    let today = shikaku_core::clock::japan_today(Utc::now());
    let elderly = |until| {
        let mut doc = document(Utc::now() - Duration::days(3));
        doc.person.birth_date = chrono::NaiveDate::from_ymd_opt(1954, 5, 6).unwrap();
        doc.record.copay = Some(CopayRate::Twenty);
        doc.record.elderly = Some(ElderlyRecipient {
            copay: CopayRate::Twenty,
            effective_from: today - Duration::days(400),
            valid_until: Some(until),
        });
        // A 資格確認書 (its 有効期限 300 days from today), with no card binding.
        presented(
            doc,
            DocumentKind::Certificate,
            None,
            [7; 16],
            &key("issuer"),
            "issuer-qr",
        )
    };
    // `scan` checks 確認済み: the eligibility is not affected.
    let (_, html) = scan(&srv, &elderly(today));
    assert!(!html.contains("id=\"elderly-note\""), "{html}");
    let until = today.pred_opt().unwrap();
    let (_, html) = scan(&srv, &elderly(until));
    assert!(
        html.contains(
            "<p class=\"action warn\" id=\"elderly-note\">高齢受給者の負担割合の有効期限が過ぎています。"
        ),
        "{html}"
    );
    // The 高齢受給者 line in the core's words (DeskVerification::elderly_ja), as clinic verify.
    let line = format!(
        "<th>高齢受給者</th><td>2割（発効 {}、有効期限 {}）</td>",
        today - Duration::days(400),
        until
    );
    assert!(html.contains(&line), "{html}");
}

/// The 申立 form's single-use token on a page.
fn declare_token(html: &str) -> String {
    let at = html.find("name=\"form\" value=\"").expect("the 申立 form")
        + "name=\"form\" value=\"".len();
    html[at..].split('"').next().unwrap().to_string()
}

/// A 申立 as the page's form posts it: every field of the core's `DeclarationForm`, a 公費 row
/// and the operator; `changes` replace or add fields (an empty value: the field left empty).
fn declaration<'a>(token: &'a str, changes: &[(&'a str, &'a str)]) -> Vec<(&'a str, &'a str)> {
    let mut fields = vec![
        ("form", token),
        ("name", "佐藤 一郎"),
        ("kana", "ｻﾄｳ ｲﾁﾛｳ"),
        ("birth", "昭和45年5月6日"),
        ("sex", "male"),
        ("relationship", "self"),
        ("insurer_name", "株式会社サンプル"),
        ("insurer_number", "01130012"),
        ("symbol", "１２３"),
        ("number", "4567"),
        ("branch", "00"),
        ("copay", ""),
        ("public1_payer", "88131016"),
        ("public1_recipient", "1234567"),
        ("public1_until", ""),
        ("public1_program", ""),
        ("public2_payer", ""),
        ("operator", "受付 花子"),
    ];
    for (name, value) in changes {
        match fields.iter_mut().find(|(n, _)| n == name) {
            Some(f) => f.1 = value,
            None => fields.push((name, value)),
        }
    }
    fields
}

/// The rows of today's CSV from the page.
fn todays_rows(srv: &Server) -> Vec<Vec<String>> {
    let r = get(srv, &format!("/{}/visits.csv", srv.token), &host(srv));
    assert_eq!(r.status, 200);
    csv_rows(&r.body)
}

/// The receptionist's way forward after a refusal: the page's 申立 form. A refusal that says
/// 申立書 points at it; a form refused by the core answers 400 with every reason in the core's
/// words and the form refilled (escaped), nothing recorded; a form posted twice, from an older
/// page, to another run's token or from another origin records nothing; a good one is recorded
/// as 申立・未検証 with its fields, and the page says the entry, the share to collect and the
/// same-day notice.
#[test]
fn a_declaration_is_taken_on_the_desk_page() {
    let tmp = tempfile::tempdir().unwrap();
    let desk = tmp.path().join("desk");
    seed_desk(&desk);
    let srv = start(&desk, &[], None);
    let t = srv.token.clone();
    let h = host(&srv);
    let declare = format!("/{t}/declare");

    // Always on the page, below the scan form, with every field of the core's form.
    let html = get(&srv, &format!("/{t}/"), &h).text();
    let form_at = html
        .find("<section class=\"declare\" id=\"declare\">")
        .expect("the 申立 form");
    assert!(html.find("name=\"payload\"").unwrap() < form_at, "{html}");
    assert!(html[form_at..].contains("action=\"declare\""), "{html}");
    for name in [
        "name",
        "kana",
        "birth",
        "sex",
        "relationship",
        "insurer_name",
        "insurer_number",
        "symbol",
        "number",
        "branch",
        "copay",
        "public1_payer",
        "public2_program",
        "operator",
    ] {
        assert!(
            html[form_at..].contains(&format!("name=\"{name}\"")),
            "{name}: {html}"
        );
    }
    assert!(!html.contains("<script"), "{html}");

    // A document the desk cannot accept: its refusal says 申立書 and points at the form.
    let forged = payload("stranger", "issuer-qr");
    let r = post(
        &srv,
        &format!("/{t}/verify"),
        &own_origin(&srv),
        &form(&[("payload", &forged)]),
    );
    let html = r.text();
    let action = &html[html.find("id=\"action\"").expect("the action line")..];
    let action = &action[..action.find("</p>").unwrap()];
    assert!(
        action.contains("被保険者資格申立書") && action.contains("href=\"#declare\""),
        "{action}"
    );

    // 性別 missing, a name with markup: 400, the core's reason, the typed values back (escaped),
    // the chosen 本人・家族 still chosen, nothing recorded.
    let token = declare_token(&html);
    let tricky = "佐藤 <b>\"一郎\"</b> & 'x'";
    let fields = declaration(&token, &[("sex", ""), ("name", tricky)]);
    let r = post(&srv, &declare, &own_origin(&srv), &form(&fields));
    assert_eq!(r.status, 400, "{}", r.text());
    let html = r.text();
    assert!(
        html.contains("性別を選んでください（レセプトに必要な項目です）。"),
        "{html}"
    );
    assert!(
        !html.contains("invalid input") && !html.contains("(sex)"),
        "{html}"
    );
    assert!(
        html.contains(
            "name=\"name\" id=\"declare-name\" maxlength=\"60\" autocomplete=\"off\" required \
             value=\"佐藤 &lt;b&gt;&quot;一郎&quot;&lt;/b&gt; &amp; &#39;x&#39;\""
        ),
        "{html}"
    );
    assert!(!html.contains("<b>\"一郎\""), "{html}");
    for kept in [
        "id=\"declare-birth\" maxlength=\"20\" autocomplete=\"off\" required value=\"昭和45年5月6日\"",
        "id=\"declare-symbol\" maxlength=\"20\" autocomplete=\"off\" value=\"１２３\"",
        "<option value=\"self\" selected>本人</option>",
        "name=\"public1_payer\" id=\"declare-public1_payer\" maxlength=\"20\" autocomplete=\"off\" value=\"88131016\"",
        "<details id=\"declare-public\" open>",
        "id=\"declare-operator\" maxlength=\"60\" required autocomplete=\"off\" value=\"受付 花子\"",
    ] {
        assert!(html.contains(kept), "{kept}: {html}");
    }
    assert!(!html.contains("<option value=\"male\" selected>"), "{html}");
    assert!(html.contains("本日の記録はまだありません"), "{html}");
    // The typed values are in the answer only, never in a URL.
    assert!(r.header("location").is_none());

    // Every mistake at once, each in the core's words: the operator, the fields, the 公費.
    let token = declare_token(&html);
    let fields = declaration(
        &token,
        &[
            ("birth", "2999-01-01"),
            ("branch", "1"),
            ("relationship", ""),
            ("public1_payer", "88131017"),
            ("operator", " "),
        ],
    );
    let r = post(&srv, &declare, &own_origin(&srv), &form(&fields));
    assert_eq!(r.status, 400, "{}", r.text());
    let html = r.text();
    for says in [
        "受付者名を入力してください。",
        "申立書の入力を確認してください（記録していません）: ",
        "生年月日が今日より後の日付です。",
        "枝番は2桁の数字です",
        "本人・家族の別を選んでください",
        "第一公費の公費負担者番号の検証番号（最後の1桁）が合いません",
    ] {
        assert!(html.contains(says), "{says}: {html}");
    }
    assert!(!html.contains("operator name"), "{html}");

    // The token of an older page, or one already spent: 409, nothing recorded, the form
    // refilled with a fresh token.
    let fresh = declare_token(&html);
    let r = post(
        &srv,
        &declare,
        &own_origin(&srv),
        &form(&declaration(&token, &[])),
    );
    assert_eq!(r.status, 409, "{}", r.text());
    assert!(r.text().contains("送信済みか、古いページ"), "{}", r.text());
    assert!(r.text().contains("value=\"佐藤 一郎\""), "{}", r.text());
    assert_ne!(
        declare_token(&r.text()),
        fresh,
        "a fresh token with each page"
    );
    // Another run's token in the path, another origin: refused before anything is read.
    let good = form(&declaration(&declare_token(&r.text()), &[]));
    let other = format!("/{}/declare", "0".repeat(32));
    assert_eq!(post_raw(&srv, &other, &own_origin(&srv), &good).status, 404);
    assert_eq!(
        post_raw(&srv, &declare, "http://evil.example", &good).status,
        403
    );
    // Over the body limit: refused whole.
    let big = form(&[("name", &"A".repeat(16 * 1024))]);
    assert_eq!(
        post_raw(&srv, &declare, &own_origin(&srv), &big).status,
        413
    );
    assert!(
        todays_rows(&srv).is_empty(),
        "nothing recorded on a refusal"
    );

    // A good 申立 (no share declared, 56 years old): recorded, and the page says the entry,
    // 申立・未検証 and the share the law sets (the core's line).
    let html = get(&srv, &format!("/{t}/"), &h).text();
    let token = declare_token(&html);
    let body = form(&declaration(&token, &[]));
    // Posted twice at once (a double click): the browser shows the second answer only, so
    // the first one's redirect is not followed. The second records nothing and shows what
    // the first recorded: its number and the share to collect.
    let r = post_raw(&srv, &declare, &own_origin(&srv), &body);
    assert_eq!(r.status, 303, "{}", r.text());
    let r = post(&srv, &declare, &own_origin(&srv), &body);
    assert_eq!(r.status, 409, "{}", r.text());
    let html = r.text();
    assert!(
        html.contains("被保険者資格申立書を記録しました（記録番号 1・申立・未検証）"),
        "{html}"
    );
    assert!(
        html.contains(
            "id=\"cashier\">窓口負担: 3割を受け取ってください（負担割合の申告なし。法定の割合"
        ),
        "{html}"
    );
    // A 公費 受給者証 recorded with it: the amount follows the 受給者証.
    assert!(
        html.contains("受給者証の助成や自己負担の上限で変わります"),
        "{html}"
    );
    assert!(html.contains("療養費"), "{html}");
    assert!(!html.contains("id=\"same-day\""), "{html}");
    // Nothing typed is put back once recorded.
    assert!(!html.contains("value=\"佐藤 一郎\""), "{html}");
    // The forged document's verdict that sent the receptionist to the 申立書 is gone.
    assert!(!html.contains("id=\"action\""), "{html}");
    // The same form once more: the token is spent and no notice waits, nothing recorded.
    let r = post(&srv, &declare, &own_origin(&srv), &body);
    assert_eq!(r.status, 409, "{}", r.text());
    assert!(
        r.text().contains("送信済みか、古いページのもの"),
        "{}",
        r.text()
    );
    // (That answer's form, refilled, carries the token now current.)
    let html = r.text();
    let rows = todays_rows(&srv);
    assert_eq!(rows.len(), 1, "{rows:?}");
    let row = &rows[0];
    for (column, value) in [
        ("確認結果", "申立・未検証"),
        ("確認方法", "被保険者資格申立書"),
        ("氏名", "佐藤 一郎"),
        ("カナ", "サトウ イチロウ"),
        ("生年月日", "1970-05-06"),
        ("性別", "男"),
        ("本人・家族", "本人"),
        ("保険者番号", "01130012"),
        ("記号", "１２３"),
        ("番号", "4567"),
        ("枝番", "00"),
        // None declared: the share the cashier's line named, marked as the law's.
        ("負担割合", "3割（申告なし・法定）"),
        ("保険者名称（申立）", "株式会社サンプル"),
        ("第一公費負担者番号", "88131016"),
        ("第一公費受給者番号", "1234567"),
        ("公費確認", "受給者証目視・未検証"),
        ("受付者", "受付 花子"),
        ("記録番号", "1"),
    ] {
        assert_eq!(col(row, column), value, "{column}");
    }

    // The same patient again, declaring 3割: the same-day notice and the declared share.
    let token = declare_token(&html);
    let r = post(
        &srv,
        &declare,
        &own_origin(&srv),
        &form(&declaration(&token, &[("copay", "30")])),
    );
    assert_eq!(r.status, 200, "{}", r.text());
    let html = r.text();
    assert!(html.contains("（記録番号 2・申立・未検証）"), "{html}");
    assert!(
        html.contains("id=\"cashier\">窓口負担: 申告の3割を受け取ってください"),
        "{html}"
    );
    assert!(
        html.contains("id=\"same-day\">この方は本日すでに受付の記録があります（記録番号 1、"),
        "{html}"
    );

    drop(srv);
    // The log: both entries, intact; `clinic log` lists them as 申立・未検証.
    let log = |args: &[&str]| {
        Command::new(BIN)
            .args(["clinic", "--desk-dir"])
            .arg(&desk)
            .args(args)
            .env("SHIKAKU_PASSPHRASE", PASSPHRASE)
            .output()
            .unwrap()
    };
    let o = log(&["log", "verify"]);
    assert!(
        o.status.success() && String::from_utf8_lossy(&o.stdout).contains("intact: 2 entries"),
        "{o:?}"
    );
    let o = log(&["log"]);
    let text = String::from_utf8_lossy(&o.stdout);
    assert_eq!(text.lines().count(), 2, "{text}");
    assert!(
        text.lines()
            .all(|l| l.contains("申立・未検証") && l.contains("佐藤 一郎")),
        "{text}"
    );
    // Nothing typed reaches the desk's files in clear.
    for entry in std::fs::read_dir(&desk).unwrap() {
        let path = entry.unwrap().path();
        let bytes = std::fs::read(&path).unwrap();
        for needle in ["佐藤", "サトウ", "株式会社サンプル", "1970-05-06"] {
            assert!(
                !bytes.windows(needle.len()).any(|w| w == needle.as_bytes()),
                "{needle} in clear in {}",
                path.display()
            );
        }
    }
}
