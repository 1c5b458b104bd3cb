//! The `shikaku` binary end to end: hand entry, listing, errors, and what reaches the disk.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;
use support::snapshot;

use std::path::Path;
use std::process::{Command, Output};

const BIN: &str = env!("CARGO_BIN_EXE_shikaku");
/// A passphrase that meets the strength rule for a new store.
const TEST_PASSPHRASE: &str = "test household passphrase";

fn run(dir: &Path, pass: &str, args: &[&str]) -> Output {
    Command::new(BIN)
        .arg("--data-dir")
        .arg(dir)
        .args(args)
        .env("SHIKAKU_PASSPHRASE", pass)
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

/// A failed command: non-zero exit, exactly one line on stderr, no panic or backtrace.
fn assert_clean_failure(o: &Output, expect: &str) {
    assert!(!o.status.success(), "should fail: {}", stdout(o));
    let err = stderr(o);
    assert_eq!(err.lines().count(), 1, "one line: {err:?}");
    assert!(err.starts_with("error: "), "{err}");
    assert!(err.contains(expect), "{err:?} should mention {expect:?}");
    assert!(
        !err.contains("panicked") && !err.contains("backtrace"),
        "{err}"
    );
}

fn add_member(dir: &Path, name: &str, kana: &str, birth: &str, sex: &str, rel: &str) -> String {
    let o = run(
        dir,
        TEST_PASSPHRASE,
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
            rel,
        ],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    stdout(&o).trim().to_string()
}

fn examples() -> &'static Path {
    Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../../examples"))
}

#[test]
fn hand_entry_flow_leaves_no_plaintext_on_disk() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("data");
    let a = add_member(&dir, "山田 太郎", "ﾔﾏﾀﾞ ﾀﾛｳ", "1985-04-12", "male", "self");
    let b = add_member(
        &dir,
        "山田 花子",
        "ヤマダ ハナコ",
        "1987-09-30",
        "female",
        "dependent",
    );
    let c = add_member(
        &dir,
        "田中 ウメ",
        "タナカ ウメ",
        "1952-03-03",
        "female",
        "self",
    );
    for (m, file) in [
        (&a, "record-notice.json"),
        // 家族: her own お知らせ (a record marked 本人 is refused for a 家族 member).
        (&b, "record-notice-dependent.json"),
        (&c, "record-certificate.json"),
    ] {
        let o = run(
            &dir,
            TEST_PASSPHRASE,
            &[
                "record",
                "add",
                "--member",
                &m[..8],
                "--file",
                examples().join(file).to_str().unwrap(),
            ],
        );
        assert!(o.status.success(), "{}", stderr(&o));
    }
    let list = stdout(&run(&dir, TEST_PASSPHRASE, &["list"]));
    assert!(
        list.contains("━━ 世帯の資格情報 ━━\n登録している人: 3人\n"),
        "{list}"
    );
    assert!(
        list.contains(&a) && list.contains("山田 太郎 (ヤマダ タロウ)  生年月日 昭和"),
        "{list}"
    );
    // A name typed where the id belongs is not repeated (no personal data in a message), for
    // the commands that read the household once and for the others.
    for args in [
        &["show", "山田 太郎"][..],
        &["record", "list", "--member", "ヤマダ"],
    ] {
        let o = run(&dir, TEST_PASSPHRASE, args);
        assert!(!o.status.success());
        let err = stderr(&o);
        assert!(
            err.contains("no member's id starts with what was given") && !err.contains("山田"),
            "{err}"
        );
        assert!(!err.contains("ヤマダ"), "{err}");
    }
    let show = run(&dir, TEST_PASSPHRASE, &["show", &c]);
    let show = stdout(&show);
    for expected in [
        "資格確認書",
        "手入力・未検証",
        "138057",
        "高齢受給者",
        "低所得Ⅱ",
        "2割",
    ] {
        assert!(show.contains(expected), "{expected} in {show}");
    }
    assert!(
        !show.contains("検証済み"),
        "hand-entered data is never shown as verified"
    );

    let needles: Vec<&str> = vec![
        "山田",
        "太郎",
        "花子",
        "田中",
        "ウメ",
        "ヤマダ",
        "タロウ",
        "ハナコ",
        "タナカ",
        "1985-04-12",
        "19850412",
        "1987-09-30",
        "19870930",
        "1952-03-03",
        "19520303",
        "01130012",
        "138057",
        "7340155",
        "１２３４５６",
        "練馬",
        "全国健康保険協会",
    ];
    let files = snapshot(&dir);
    assert!(files.keys().any(|f| f.ends_with("shikaku.db")));
    for (file, bytes) in &files {
        for n in &needles {
            assert!(
                !bytes.windows(n.len()).any(|w| w == n.as_bytes()),
                "{n} found in plaintext in {file}"
            );
        }
    }
}

#[test]
fn bad_input_gives_one_line_errors_and_changes_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("data");
    let a = add_member(
        &dir,
        "山田 太郎",
        "ヤマダ タロウ",
        "1985-04-12",
        "male",
        "self",
    );
    let before = snapshot(&dir);

    let bad_json = tmp.path().join("bad.json");
    std::fs::write(&bad_json, "{\"kind\": ").unwrap();
    assert_clean_failure(
        &run(
            &dir,
            TEST_PASSPHRASE,
            &[
                "record",
                "add",
                "--member",
                &a,
                "--file",
                bad_json.to_str().unwrap(),
            ],
        ),
        "invalid record file",
    );

    let invalid = tmp.path().join("invalid.json");
    std::fs::write(&invalid, r#"{"kind":"certificate","insurer_number":"33120016","insurer_name":"x","number":"1","relationship":"self","valid_until":"2030-01-01"}"#).unwrap();
    assert_clean_failure(
        &run(
            &dir,
            TEST_PASSPHRASE,
            &[
                "record",
                "add",
                "--member",
                &a,
                "--file",
                invalid.to_str().unwrap(),
            ],
        ),
        "保険者番号 (insurer_number): check digit",
    );

    assert_clean_failure(&run(&dir, "wrong", &["list"]), "wrong key or passphrase");
    assert_clean_failure(
        &run(&dir, TEST_PASSPHRASE, &["show", "ffffffff"]),
        "no member",
    );
    assert_clean_failure(
        &run(&dir, TEST_PASSPHRASE, &["show", &uuid_like()]),
        "no such member",
    );
    assert_clean_failure(
        &run(
            &dir,
            TEST_PASSPHRASE,
            &[
                "member",
                "add",
                "--name",
                "x",
                "--kana",
                "ひらがな",
                "--birth",
                "2030-01-01",
                "--sex",
                "male",
                "--relationship",
                "self",
            ],
        ),
        "氏名カナ (kana): must be katakana, not hiragana; 生年月日 (birth_date): must not be in the future",
    );
    assert_eq!(snapshot(&dir), before, "failed commands changed nothing");

    let not_a_store = tmp.path().join("junk");
    std::fs::create_dir(&not_a_store).unwrap();
    std::fs::write(not_a_store.join("shikaku.db"), vec![0x42; 4096]).unwrap();
    assert_clean_failure(
        &run(&not_a_store, TEST_PASSPHRASE, &["list"]),
        "not a shikaku store",
    );
    assert_clean_failure(
        &run(&tmp.path().join("empty"), TEST_PASSPHRASE, &["list"]),
        "no household",
    );
}

/// A record typed in is corrected in place: `record show` prints it as hand-entry JSON, the
/// user types the 資格喪失日 into it, and `record replace` enters it again under the same id,
/// as 手入力・未検証, and the screen then shows it as ended. A bad file, a record that breaks
/// the rules or an unknown id changes nothing.
#[test]
fn a_record_is_shown_as_json_corrected_and_entered_again() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("data");
    let a = add_member(
        &dir,
        "山田 太郎",
        "ヤマダ タロウ",
        "1985-04-12",
        "male",
        "self",
    );
    let typed = examples().join("record-notice.json");
    let o = run(
        &dir,
        TEST_PASSPHRASE,
        &[
            "record",
            "add",
            "--member",
            &a,
            "--file",
            typed.to_str().unwrap(),
        ],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let id = stdout(&o).trim().to_string();

    let o = run(&dir, TEST_PASSPHRASE, &["record", "show", "--record", &id]);
    assert!(o.status.success(), "{}", stderr(&o));
    let shown: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    let example: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&typed).unwrap()).unwrap();
    assert_eq!(shown, example, "the example prints back as it was typed");

    // Corrected: the 資格喪失日 typed in.
    let mut corrected = shown.clone();
    corrected["lost_on"] = "令和8年11月1日".into();
    let file = tmp.path().join("corrected.json");
    std::fs::write(&file, serde_json::to_string(&corrected).unwrap()).unwrap();

    // What does not change the record: a broken file, a record the rules refuse, another id.
    let before = snapshot(&dir);
    let broken = tmp.path().join("broken.json");
    std::fs::write(&broken, "{\"kind\": ").unwrap();
    let replace = |record: &str, file: &Path| {
        run(
            &dir,
            TEST_PASSPHRASE,
            &[
                "record",
                "replace",
                "--record",
                record,
                "--file",
                file.to_str().unwrap(),
            ],
        )
    };
    assert_clean_failure(&replace(&id, &broken), "invalid record file");
    let mut refused = corrected.clone();
    refused["lost_on"] = "2015-03-01".into();
    let refused_file = tmp.path().join("refused.json");
    std::fs::write(&refused_file, serde_json::to_string(&refused).unwrap()).unwrap();
    assert_clean_failure(&replace(&id, &refused_file), "資格喪失年月日 (lost_on)");
    assert_clean_failure(&replace(&uuid_like(), &file), "no such record");
    // A file that gives no size (a device, a FIFO) is read no further than the core's limit.
    assert_clean_failure(
        &replace(&id, Path::new("/dev/zero")),
        "too large for a record",
    );
    assert_clean_failure(&replace(&id, tmp.path()), "cannot read");
    assert_clean_failure(
        &run(
            &dir,
            TEST_PASSPHRASE,
            &["record", "show", "--record", &uuid_like()],
        ),
        "no such record",
    );
    assert_eq!(snapshot(&dir), before, "failed commands changed nothing");

    let o = replace(&id, &file);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stdout(&o).contains("手入力・未検証"), "{}", stdout(&o));
    let o = run(
        &dir,
        TEST_PASSPHRASE,
        &["record", "list", "--member", &a, "--at", "2026-11-28"],
    );
    let list = stdout(&o);
    assert_eq!(list.lines().count(), 1, "{list}");
    assert!(
        list.starts_with(&id)
            && list.contains("資格喪失日 2026-11-01")
            && list.contains("手入力・未検証"),
        "{list}"
    );
    let o = run(&dir, TEST_PASSPHRASE, &["record", "show", "--record", &id]);
    let again: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(again["lost_on"], "2026-11-01");
    let o = run(&dir, TEST_PASSPHRASE, &["show", &a, "--at", "2026-11-28"]);
    assert!(stdout(&o).contains("資格喪失"), "{}", stdout(&o));
}

#[test]
fn list_is_the_household_overview_with_ids_and_the_screen_badges() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("data");
    let a = add_member(
        &dir,
        "山田 太郎",
        "ヤマダ タロウ",
        "1985-04-12",
        "male",
        "self",
    );
    let o = run(
        &dir,
        TEST_PASSPHRASE,
        &[
            "record",
            "add",
            "--member",
            &a,
            "--file",
            examples().join("record-notice.json").to_str().unwrap(),
        ],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let list = run(&dir, TEST_PASSPHRASE, &["list"]);
    let household = run(&dir, TEST_PASSPHRASE, &["household"]);
    assert!(list.status.success(), "{}", stderr(&list));
    assert_eq!(stdout(&list), stdout(&household), "one overview");
    let text = stdout(&list);
    // The member's line starts with the id, so scripts can take its first word.
    let line = text.lines().find(|l| l.contains("山田 太郎")).unwrap();
    assert_eq!(line.split_whitespace().next(), Some(a.as_str()), "{text}");
    // The screen's badge texts, not a vocabulary of the CLI's own.
    assert!(
        text.contains("資格情報のお知らせ（手入力・未検証）"),
        "{text}"
    );
    assert!(text.contains("カード: 未照合"), "{text}");
    assert!(!text.contains("発行元の署名付き"), "{text}");
    let json = stdout(&run(&dir, TEST_PASSPHRASE, &["list", "--format", "json"]));
    assert!(json.contains(&format!("\"member_id\": \"{a}\"")), "{json}");
}

fn uuid_like() -> String {
    "00000000-0000-4000-8000-000000000000".into()
}

#[test]
fn validate_insurer_number_names_the_scheme_and_refuses_impossible_numbers() {
    let run = |n: &str| {
        Command::new(BIN)
            .args(["validate", "insurer-number", n])
            .output()
            .unwrap()
    };
    let stderr = |o: &std::process::Output| String::from_utf8_lossy(&o.stderr).into_owned();
    for (number, scheme) in [
        ("01130012", "保険者番号: 協会けんぽ"),
        ("06139992", "保険者番号: 組合管掌健康保険"),
        ("138057", "保険者番号: 国民健康保険"),
        ("39131008", "保険者番号: 後期高齢者医療"),
        ("33120015", "保険者番号: 警察共済組合"),
        (
            "54016027",
            "公費負担者番号: 公費負担医療：難病法（特定医療費）",
        ),
    ] {
        let o = run(number);
        assert!(o.status.success(), "{number}");
        assert_eq!(stdout(&o), "valid\n");
        assert_eq!(stderr(&o), format!("{scheme}\n"), "{number}");
    }
    // 都道府県 00 and 99 (valid check digits), the abolished 法別 67.
    for (number, reason) in [
        ("01001007", "invalid: the 都道府県番号 must be 01 to 47\n"),
        ("01991009", "invalid: the 都道府県番号 must be 01 to 47\n"),
        (
            "67130013",
            "invalid: 法別番号 67 (退職者医療) was abolished; use the number on the current document\n",
        ),
    ] {
        let o = run(number);
        assert_eq!(o.status.code(), Some(1), "{number}");
        assert_eq!(stdout(&o), reason, "{number}");
    }
}

#[test]
fn validate_insurer_number() {
    let o = Command::new(BIN)
        .args(["validate", "insurer-number", "33120015"])
        .output()
        .unwrap();
    assert!(o.status.success());
    assert_eq!(stdout(&o), "valid\n");
    let o = Command::new(BIN)
        .args(["validate", "insurer-number", "33120016"])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(stdout(&o), "invalid: check digit does not match\n");
    let o = Command::new(BIN)
        .args(["validate", "insurer-number", "0113"])
        .output()
        .unwrap();
    assert_eq!(
        stdout(&o),
        "invalid: must be 8 digits (or 6 for 国民健康保険)\n"
    );
}

#[test]
fn passphrase_change_and_wipe() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("data");
    add_member(
        &dir,
        "山田 太郎",
        "ヤマダ タロウ",
        "1985-04-12",
        "male",
        "self",
    );
    let o = Command::new(BIN)
        .arg("--data-dir")
        .arg(&dir)
        .args(["passphrase", "change"])
        .env("SHIKAKU_PASSPHRASE", TEST_PASSPHRASE)
        .env("SHIKAKU_NEW_PASSPHRASE", "a brand new household passphrase")
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", stderr(&o));
    assert_clean_failure(&run(&dir, TEST_PASSPHRASE, &["list"]), "wrong key");
    assert!(
        stdout(&run(&dir, "a brand new household passphrase", &["list"])).contains("山田 太郎")
    );
    assert_clean_failure(&run(&dir, "x", &["wipe"]), "--yes");
    let o = run(&dir, "forgotten", &["wipe", "--yes"]);
    assert!(o.status.success());
    assert!(snapshot(&dir).is_empty());
}

#[test]
fn demo_runs_in_a_temporary_store() {
    let o = Command::new(BIN)
        .arg("demo")
        .env_remove("SHIKAKU_PASSPHRASE")
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", stderr(&o));
    let out = stdout(&o);
    for expected in [
        "stored: 3 new or updated",
        "issuer stopped",
        "━━ 世帯の資格情報 ━━",
        "発行元の署名を確認済み",
        "手入力・未検証",
        "テスト用証明書で照合",
        // The screen says what it is: not 「この画面は、マイナンバーカード（実物）と
        // 一緒に提示したときに限り有効です」, but what is signed and what to show with the card.
        "この画面は、発行元の電子署名を確認した資格情報の表示です",
        "紙の資格情報のお知らせを、マイナ保険証（マイナンバーカードの実物）と一緒に見せてください",
        "カードリーダーが故障",
        "資格確認書だけで受診できます",
        // The clinic scene: the desk, offline, verifies the QR and the card with the PIN and
        // prints the CSV line of the visit.
        "書類: 資格情報のお知らせ・確認済み（山田 太郎",
        // An お知らせ is 確認済み only with its card: here the card with the PIN.
        "判定: 確認済み（資格情報のお知らせの内容（発行元の署名を確認済み）と、本人のマイナンバーカード（PIN で本人確認済み）です。）",
        "カード: 本人確認済み（PIN）",
        "recorded as visit 1",
        ",確認済み,署名付き資格情報＋カード（PIN）,PIN,",
    ] {
        assert!(out.contains(expected), "{expected} missing:\n{out}");
    }
    let line = out
        .lines()
        .find(|l| l.starts_with("encrypted store: "))
        .unwrap();
    let dir = line
        .trim_start_matches("encrypted store: ")
        .split(' ')
        .next()
        .unwrap();
    assert!(!Path::new(dir).exists(), "the temporary store is removed");
}

fn vcard_profile(name: &str) -> String {
    examples().join(name).display().to_string()
}

#[test]
fn card_check_with_basic_info_is_stored_for_the_member() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("data");
    let id = add_member(
        &dir,
        "山田 太郎",
        "ヤマダ タロウ",
        "1985-04-12",
        "male",
        "self",
    );
    let reader = format!("vcard:{}", vcard_profile("vcard-yamada-taro.toml"));
    let o = Command::new(BIN)
        .arg("--data-dir")
        .arg(&dir)
        .args([
            "card",
            "check",
            "--reader",
            &reader,
            "--member",
            &id[..8],
            "--with-basic-info",
        ])
        .env("SHIKAKU_PASSPHRASE", TEST_PASSPHRASE)
        .env("SHIKAKU_PIN", "1234")
        .output()
        .unwrap();
    let out = stdout(&o);
    assert!(o.status.success(), "{out}{}", stderr(&o));
    assert!(out.contains("card check: OK"), "{out}");
    assert!(out.contains("氏名: 一致"), "{out}");
    assert!(
        out.contains(&format!("result stored for member {id}")),
        "{out}"
    );
    // The 基本4情報 (with the address) is stored only sealed.
    for (file, bytes) in snapshot(&dir) {
        for n in ["山田", "1985", "東京都"] {
            assert!(
                !bytes.windows(n.len()).any(|w| w == n.as_bytes()),
                "{n} in {file}"
            );
        }
    }
    // Wrong passphrase: refused before the card is touched.
    let o = Command::new(BIN)
        .arg("--data-dir")
        .arg(&dir)
        .args(["card", "check", "--reader", &reader, "--member", &id])
        .env("SHIKAKU_PASSPHRASE", "nope")
        .env("SHIKAKU_PIN", "1234")
        .output()
        .unwrap();
    assert_clean_failure(&o, "wrong key");
    assert!(!stdout(&o).contains("reader:"), "the card was not used");
}

#[test]
fn card_errors_are_typed_one_liners() {
    let reader = format!("vcard:{}", vcard_profile("vcard-yamada-taro.toml"));
    let check = |pin: &str, extra: &[&str]| {
        Command::new(BIN)
            .args(["card", "check", "--reader", &reader])
            .args(extra)
            .env("SHIKAKU_PIN", pin)
            .output()
            .unwrap()
    };
    assert_clean_failure(&check("12345", &[]), "exactly 4 digits");
    assert_clean_failure(&check("1111", &[]), "tries left: 2");
    let expired = format!(
        "vcard:{}",
        vcard_profile("vcard-yamada-misaki-expired.toml")
    );
    let o = Command::new(BIN)
        .args(["card", "check", "--reader", &expired])
        .env("SHIKAKU_PIN", "1234")
        .output()
        .unwrap();
    assert_clean_failure(&o, "expired");
    assert_clean_failure(
        &Command::new(BIN)
            .args(["card", "status", "--reader", "vcard:/nonexistent.toml"])
            .output()
            .unwrap(),
        "cannot load the virtual card",
    );
    assert_clean_failure(
        &Command::new(BIN)
            .args(["card", "status", "--reader", "floppy"])
            .output()
            .unwrap(),
        "--reader must be",
    );
}

#[test]
fn a_malformed_pin_stops_a_sync_before_any_connection() {
    let dir = tempfile::tempdir().unwrap();
    shikaku_issuer::init(&dir.path().join("issuer")).unwrap();
    // A server that never answers: any request would at least connect to it.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.set_nonblocking(true).unwrap();
    let url = format!(
        "https://127.0.0.1:{}",
        listener.local_addr().unwrap().port()
    );
    let reader = format!("vcard:{}", vcard_profile("vcard-yamada-taro.toml"));
    for bad in ["12a4", "123", "12345", "１２３４"] {
        let o = Command::new(BIN)
            .arg("--data-dir")
            .arg(dir.path().join("data"))
            .args(["sync", "--server", &url, "--reader", &reader, "--root"])
            .arg(dir.path().join("issuer/root-public.pem"))
            .env("SHIKAKU_PASSPHRASE", TEST_PASSPHRASE)
            .env("SHIKAKU_PIN", bad)
            .output()
            .unwrap();
        assert_clean_failure(&o, "exactly 4 digits");
        assert!(stderr(&o).contains("nothing was sent"), "{}", stderr(&o));
    }
    assert_eq!(
        listener.accept().map(|_| ()).unwrap_err().kind(),
        std::io::ErrorKind::WouldBlock,
        "a malformed PIN opened a connection to the server"
    );
}

#[test]
fn inspect_cert_exit_codes() {
    let jlis = |f: &str| {
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../core/data/jlis")
            .join(f)
            .display()
            .to_string()
    };
    let run = |args: &[&str]| {
        Command::new(BIN)
            .args(["inspect", "cert"])
            .args(args)
            .output()
            .unwrap()
    };
    let o = run(&[&jlis("auth_ca_2023.pem")]);
    assert!(o.status.success(), "{}", stdout(&o));
    assert!(
        stdout(&o).contains("trusted root J-LIS auth 2023"),
        "{}",
        stdout(&o)
    );
    assert_eq!(
        run(&[&jlis("auth_ca_2015.pem")]).status.code(),
        Some(1),
        "expired 2025-10-19"
    );
    assert!(
        run(&[&jlis("auth_ca_2015.pem"), "--at", "2020-01-01"])
            .status
            .success()
    );
    assert_eq!(
        run(&[&jlis("sign_ca_2023.pem")]).status.code(),
        Some(1),
        "a sign root is no auth root"
    );
    let tmp = tempfile::tempdir().unwrap();
    let junk = tmp.path().join("x.der");
    std::fs::write(&junk, b"\x30\x03\x02\x01\x01").unwrap();
    assert_clean_failure(&run(&[junk.to_str().unwrap()]), "is not a certificate");
}

#[test]
fn review_regressions_badge_mismatch_and_json_values() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("data");
    let taro = add_member(
        &dir,
        "山田 太郎",
        "ヤマダ タロウ",
        "1985-04-12",
        "male",
        "self",
    );
    let hanako = add_member(
        &dir,
        "鈴木 花子",
        "スズキ ハナコ",
        "1990-01-01",
        "female",
        "dependent",
    );
    let reader = format!("vcard:{}", vcard_profile("vcard-yamada-taro.toml"));
    let check = |member: &str| {
        Command::new(BIN)
            .arg("--data-dir")
            .arg(&dir)
            .args([
                "card",
                "check",
                "--reader",
                &reader,
                "--member",
                member,
                "--with-basic-info",
            ])
            .env("SHIKAKU_PASSPHRASE", TEST_PASSPHRASE)
            .env("SHIKAKU_PIN", "1234")
            .output()
            .unwrap()
    };
    // The right person, but a virtual card under a TEST anchor: never カード照合済み.
    assert!(check(&taro).status.success());
    let show = stdout(&run(&dir, TEST_PASSPHRASE, &["show", &taro]));
    assert!(!show.contains("カード照合済み"), "{show}");
    assert!(show.contains("テスト用証明書で照合"), "{show}");
    // Someone else's card: genuine, but the 基本4情報 do not match → non-zero exit, 照合不一致.
    let o = check(&hanako);
    assert_eq!(o.status.code(), Some(1), "{}", stdout(&o));
    assert!(stdout(&run(&dir, TEST_PASSPHRASE, &["show", &hanako])).contains("照合不一致"));
    // --with-basic-info without --member is refused (it would read personal data for nothing).
    let o = Command::new(BIN)
        .args(["card", "check", "--reader", &reader, "--with-basic-info"])
        .env("SHIKAKU_PIN", "1234")
        .output()
        .unwrap();
    assert!(!o.status.success());
    // A malformed record file: the error never repeats the value found.
    let f = tmp.path().join("typed.json");
    std::fs::write(&f, r#"{"kind":"notice","insurer_number":"01130012","insurer_name":"x","number":60417733,"relationship":"self"}"#).unwrap();
    let o = run(
        &dir,
        TEST_PASSPHRASE,
        &[
            "record",
            "add",
            "--member",
            &taro,
            "--file",
            f.to_str().unwrap(),
        ],
    );
    assert_clean_failure(&o, "line 1");
    assert!(!stderr(&o).contains("60417733"), "{}", stderr(&o));
}
