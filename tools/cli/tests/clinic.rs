//! `shikaku clinic declare|log|log verify` end to end: a 申立 entry says 申立・未検証 in every
//! format, the CSV is what docs/clinic.md describes, a tampered log fails `log verify` with the
//! entry number, and nothing personal reaches the desk's files in plaintext.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::Path;
use std::process::{Command, Output};

mod desk_support;
use desk_support::{BIN, desk_command};

fn run(desk: &Path, args: &[&str]) -> Output {
    desk_command(desk)
        .args(args)
        .env_remove("SHIKAKU_NEW_PASSPHRASE")
        .output()
        .unwrap()
}

fn stdout(o: &Output) -> String {
    String::from_utf8(o.stdout.clone()).unwrap()
}

fn declare(desk: &Path, name: &str, number: &str) -> Output {
    declare_numbered(desk, name, Some(number))
}

/// A 申立 under `name` (born 1970-05-06, its カナ by the surname), with the 番号 `number` or
/// none.
fn declare_numbered(desk: &Path, name: &str, number: Option<&str>) -> Output {
    // Each patient their own カナ: the same-day notice also finds a visit by 氏名カナ.
    let kana = match name.chars().next() {
        Some('鈴') => "スズキ ハナ",
        Some('田') => "タナカ ハジメ",
        Some('高') => "タカハシ サブロウ",
        _ => "サトウ イチロウ",
    };
    let mut args = vec![
        "declare",
        "--name",
        name,
        "--kana",
        kana,
        "--birth",
        "1970-05-06",
        "--sex",
        "male",
        "--relationship",
        "self",
        "--insurer-name",
        "株式会社サンプル",
        "--insurer-number",
        "01130012",
        "--symbol",
        "１２３",
        "--branch",
        "00",
        "--copay",
        "30",
        "--operator",
        "受付 花子",
    ];
    if let Some(number) = number {
        args.extend(["--number", number]);
    }
    run(desk, &args)
}

#[test]
fn declare_list_export_and_verify() {
    let tmp = tempfile::tempdir().unwrap();
    let desk = tmp.path().join("clinic");
    // Nothing yet: a clear error, nothing created.
    let o = run(&desk, &["log"]);
    assert!(!o.status.success());
    assert!(String::from_utf8_lossy(&o.stderr).contains("no clinic desk"));
    assert!(!desk.exists());

    let o = declare(&desk, "佐藤, \"一郎\"", "4567");
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert_eq!(stdout(&o).trim(), "1");
    // The share to collect, in the core's words: as declared (3割), after the entry's line.
    let err = String::from_utf8_lossy(&o.stderr);
    let recorded = err.find("recorded entry 1").expect("the entry's line");
    let cashier = err
        .find("窓口負担: 申告の3割を受け取ってください（申立・未検証。")
        .expect("the cashier's line");
    assert!(recorded < cashier, "{err}");
    assert!(err.contains("療養費"), "{err}");
    // The core's label of a 申立.
    assert!(
        String::from_utf8_lossy(&o.stderr).contains(shikaku_core::clinic::DECLARED_LABEL),
        "{o:?}"
    );
    assert!(declare(&desk, "鈴木 花", "4568").status.success());

    // Bad input: a typed error naming the field, nothing appended.
    let o = run(
        &desk,
        &[
            "declare",
            "--name",
            "X",
            "--birth",
            "2999-01-01",
            "--insurer-name",
            "Y",
            "--operator",
            "受付",
        ],
    );
    assert!(!o.status.success());
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("birth_date") && !err.contains("2999"), "{err}");

    let text = stdout(&run(&desk, &["log"]));
    assert_eq!(text.lines().count(), 2, "{text}");
    assert!(text.lines().all(|l| l.contains("申立・未検証")), "{text}");

    let o = run(&desk, &["log", "--format", "csv"]);
    assert!(o.status.success());
    let csv = stdout(&o);
    assert!(csv.starts_with('\u{FEFF}'));
    let lines: Vec<&str> = csv.trim_start_matches('\u{FEFF}').split("\r\n").collect();
    assert_eq!(lines.len(), 4, "header, 2 rows, empty after the last CRLF");
    assert!(lines[0].starts_with("受診日,受付時刻,確認結果,確認方法,"));
    assert!(lines[1].contains(",申立・未検証,被保険者資格申立書,"));
    assert!(
        lines[1].contains(",\"佐藤, \"\"一郎\"\"\","),
        "{}",
        lines[1]
    );
    assert!(lines[2].contains(",申立・未検証,"));

    let json: String = stdout(&run(&desk, &["log", "--format", "json"]));
    assert!(json.contains("\"status\":\"申立・未検証\""));
    assert!(json.contains("\"verified\":false"));
    assert!(!json.contains("\"verified\":true"));

    // FHIR R4 (JP Core): a Bundle whose Coverages say 申立・未検証.
    let o = run(&desk, &["log", "--format", "fhir"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let b: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(b["resourceType"], "Bundle");
    let coverages: Vec<&serde_json::Value> = b["entry"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| &e["resource"])
        .filter(|r| r["resourceType"] == "Coverage")
        .collect();
    assert_eq!(coverages.len(), 2);
    for c in coverages {
        assert_eq!(c["meta"]["tag"][0]["display"], "申立・未検証");
    }

    // A range that ends before it starts.
    let o = run(
        &desk,
        &["log", "--from", "2026-02-01", "--to", "2026-01-01"],
    );
    assert!(!o.status.success());

    let o = run(&desk, &["log", "verify"]);
    assert!(o.status.success(), "{}", stdout(&o));
    assert!(stdout(&o).starts_with("intact: 2 entries"));

    // Wrong passphrase: refused, nothing changed.
    let o = Command::new(BIN)
        .args(["clinic", "--desk-dir"])
        .arg(&desk)
        .args(["log", "verify"])
        .env("SHIKAKU_PASSPHRASE", "another passphrase entirely")
        .output()
        .unwrap();
    assert!(!o.status.success());
    assert!(String::from_utf8_lossy(&o.stderr).contains("wrong key or passphrase"));

    // Nothing personal in the desk's files.
    for e in std::fs::read_dir(&desk).unwrap() {
        let bytes = std::fs::read(e.unwrap().path()).unwrap();
        for needle in [
            "佐藤",
            "鈴木",
            "1970-05-06",
            "01130012",
            "4567",
            "花子",
            "サンプル",
        ] {
            let n = needle.as_bytes();
            assert!(!bytes.windows(n.len()).any(|w| w == n), "{needle} on disk");
        }
    }

    // The last entry removed with plain SQLite: `log verify` fails and names it.
    {
        let c = rusqlite::Connection::open(desk.join("desk.db")).unwrap();
        c.execute("DELETE FROM visits WHERE seq = 2", []).unwrap();
    }
    let o = run(&desk, &["log", "verify"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stdout(&o).contains("BROKEN at entry 2"), "{}", stdout(&o));
    // And nothing more is appended to a broken log.
    assert!(!declare(&desk, "田中 一", "4569").status.success());
}

#[test]
fn declare_tells_of_the_patients_earlier_visit_today() {
    let tmp = tempfile::tempdir().unwrap();
    let desk = tmp.path().join("clinic");
    let notice = |o: &Output| {
        String::from_utf8_lossy(&o.stderr)
            .lines()
            .find_map(|l| l.strip_prefix("お知らせ: ").map(str::to_string))
    };
    let first = declare(&desk, "佐藤 一郎", "4567");
    assert!(first.status.success(), "{first:?}");
    assert_eq!(notice(&first), None, "{first:?}");
    // The same 保険者番号, 記号, 番号 and 枝番 again the same day: recorded, with the core's
    // notice naming the first entry (the words of `clinic verify --record` and the desk page).
    let again = declare(&desk, "佐藤 一郎", "4567");
    assert!(again.status.success(), "{again:?}");
    assert_eq!(stdout(&again).trim(), "2", "stdout stays the entry number");
    let n = notice(&again).expect("a same-day notice");
    assert!(
        n.starts_with("この方は本日すでに受付の記録があります（記録番号 1、"),
        "{n}"
    );
    assert!(
        n.contains("受付・申立）")
            && n.ends_with("同じ日の再受診であれば、このまま記録して構いません。"),
        "{n}"
    );
    assert!(!n.contains("佐藤") && !n.contains("4567"), "{n}");
    // Another patient (another 番号): no notice.
    let other = declare(&desk, "鈴木 花", "4568");
    assert!(other.status.success());
    assert_eq!(notice(&other), None, "{other:?}");
    // Without a 番号 the numbers cannot find the patient: the earlier visit of the same 氏名
    // and 生年月日 is named, asking to confirm it is the same person; recorded all the same.
    let o = declare_numbered(&desk, "佐藤 一郎", None);
    assert!(o.status.success(), "{o:?}");
    let n = notice(&o).expect("a same-day notice by name and birth date");
    assert!(
        n.starts_with(
            "同じ氏名（またはカナ）・生年月日の方の受付の記録が本日すでにあります（記録番号 2、"
        ) && n.contains("同じ方かどうか確かめてください"),
        "{n}"
    );
    assert!(!n.contains("佐藤"), "{n}");
    // Another name without a 番号: no notice.
    let o = declare_numbered(&desk, "高橋 三郎", None);
    assert!(o.status.success(), "{o:?}");
    assert_eq!(notice(&o), None, "{o:?}");
}

#[test]
fn verify_and_serve_spell_the_trust_age_flag_alike() {
    for sub in ["verify", "serve"] {
        let o = Command::new(BIN)
            .args(["clinic", sub, "--help"])
            .output()
            .unwrap();
        assert!(o.status.success(), "{o:?}");
        let help = stdout(&o);
        assert!(help.contains("--max-trust-age-days"), "{sub}: {help}");
        assert!(
            !help.contains("--trust-max-age-days"),
            "{sub}: hidden alias shown"
        );
        // Either spelling parses (clap reads it before --help); a typo does not.
        for (flag, ok) in [
            ("--max-trust-age-days", true),
            ("--trust-max-age-days", true),
            ("--trust-age-days", false),
        ] {
            let o = Command::new(BIN)
                .args(["clinic", sub, flag, "5", "--help"])
                .output()
                .unwrap();
            assert_eq!(o.status.success(), ok, "{sub} {flag}: {o:?}");
        }
    }
}

#[test]
fn declare_reports_a_bad_operator_name_with_every_failing_field_and_creates_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let desk = tmp.path().join("clinic");
    let o = run(
        &desk,
        &[
            "declare",
            "--name",
            "X",
            "--birth",
            "2999-01-01",
            "--insurer-name",
            "Y",
            "--branch",
            "1",
            "--operator",
            "=佐藤",
        ],
    );
    assert!(!o.status.success(), "{o:?}");
    let err = String::from_utf8_lossy(&o.stderr);
    // The operator's refusal in the core's words first, as `clinic verify --record` says it.
    assert!(
        err.contains(
            "受付者名の先頭に =、+、-、@ は使えません（表計算ソフトが数式として実行するため）。"
        ),
        "{err}"
    );
    for part in ["operator name", "birth_date", "branch"] {
        assert!(err.contains(part), "{part} in {err}");
    }
    // No value typed is repeated.
    assert!(!err.contains("2999") && !err.contains("佐藤"), "{err}");
    assert!(!desk.exists(), "a refused 申立 creates no desk");
}

/// `--public` records the 公費 受給者証 seen beside a 申立: a mistake names the 公費 and its
/// field and records nothing; a good one is in the text listing and the CSV's 公費 columns,
/// marked 受給者証目視・未検証.
#[test]
fn declare_with_public_expenses() {
    let tmp = tempfile::tempdir().unwrap();
    let desk = tmp.path().join("clinic");
    let args = |public: &'static str| {
        vec![
            "declare",
            "--name",
            "田中 一",
            "--birth",
            "2019-05-06",
            "--sex",
            "female",
            "--relationship",
            "dependent",
            "--insurer-name",
            "株式会社サンプル",
            "--public",
            public,
            "--operator",
            "受付 花子",
        ]
    };
    // A check digit wrong, a 受給者番号 of 6 digits: both named, nothing created.
    let o = run(&desk, &args("88131017:123456"));
    assert!(!o.status.success());
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("public_expense.payer_number")
            && err.contains("public_expense.recipient_number")
            && err.contains("first 公費")
            && !err.contains("123456"),
        "{err}"
    );
    assert!(!desk.exists());

    let o = run(
        &desk,
        &args("８８１３１０１６:1234567:R9.3.31:子ども医療証"),
    );
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("with 1 公費 (受給者証目視・未検証)"), "{err}");
    // No share declared, a child at school (born 2019-05-06: 未就学 to 2026-03-31): the
    // core's line says the law's 3割.
    assert!(
        err.contains("窓口負担: 3割を受け取ってください（負担割合の申告なし。法定の割合"),
        "{err}"
    );
    // With the 公費 受給者証: what is collected follows it.
    assert!(
        err.contains("受給者証の助成や自己負担の上限で変わります"),
        "{err}"
    );
    let text = stdout(&run(&desk, &["log"]));
    assert!(
        text.contains("第一公費: 88131016（受給者証目視・未検証）"),
        "{text}"
    );
    let csv = stdout(&run(&desk, &["log", "--format", "csv"]));
    let lines: Vec<&str> = csv.trim_start_matches('\u{FEFF}').split("\r\n").collect();
    let header: Vec<&str> = lines[0].split(',').collect();
    let row: Vec<&str> = lines[1].split(',').collect();
    let cell = |name: &str| row[header.iter().position(|c| *c == name).unwrap()];
    assert_eq!(cell("第一公費負担者番号"), "88131016");
    assert_eq!(cell("第一公費受給者番号"), "1234567");
    assert_eq!(cell("第一公費有効期限"), "2027-03-31");
    assert_eq!(cell("第一公費名称"), "子ども医療証");
    assert_eq!(cell("公費確認"), "受給者証目視・未検証");
    assert_eq!(cell("確認結果"), "申立・未検証");
}

/// 性別 and 本人・家族 are claim fields: a 申立 without them is refused by the core, each named
/// (in Japanese first, then for scripts), with every other mistake, and nothing is created.
#[test]
fn declare_without_sex_or_relationship_is_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let desk = tmp.path().join("clinic");
    let o = run(
        &desk,
        &[
            "declare",
            "--name",
            "佐藤 一郎",
            "--birth",
            "1970-05-06",
            "--insurer-name",
            "株式会社サンプル",
            "--branch",
            "1",
            "--operator",
            "受付 花子",
        ],
    );
    assert!(!o.status.success(), "{o:?}");
    let err = String::from_utf8_lossy(&o.stderr);
    for part in [
        "申立書の入力を確認してください（記録していません）: ",
        "性別を選んでください（レセプトに必要な項目です）。",
        "本人・家族の別を選んでください（レセプトに必要な項目です）。",
        "枝番は2桁の数字です",
        "(sex)",
        "(relationship)",
        "(branch)",
    ] {
        assert!(err.contains(part), "{part} in {err}");
    }
    assert!(!err.contains("佐藤") && !err.contains("1970"), "{err}");
    assert!(!desk.exists(), "a refused 申立 creates no desk");
    // Values that are not among the choices: the core's reasons, all at once, as on the desk
    // page (not an English parser error stopping at the first).
    let o = run(
        &desk,
        &[
            "declare",
            "--name",
            "佐藤 一郎",
            "--birth",
            "1970-05-06",
            "--sex",
            "M",
            "--relationship",
            "x",
            "--copay",
            "abc",
            "--insurer-name",
            "株式会社サンプル",
            "--operator",
            "受付 花子",
        ],
    );
    assert!(!o.status.success(), "{o:?}");
    let err = String::from_utf8_lossy(&o.stderr);
    for part in [
        "性別を選んでください",
        "本人・家族の別を選んでください",
        "申告の負担割合は1割・2割・3割のどれかです",
    ] {
        assert!(err.contains(part), "{part} in {err}");
    }
    assert!(!desk.exists(), "a refused 申立 creates no desk");
    // With both, the same 申立 is recorded.
    let o = run(
        &desk,
        &[
            "declare",
            "--name",
            "佐藤 一郎",
            "--birth",
            "1970-05-06",
            "--sex",
            "male",
            "--relationship",
            "self",
            "--insurer-name",
            "株式会社サンプル",
            "--operator",
            "受付 花子",
        ],
    );
    assert!(o.status.success(), "{o:?}");
    assert_eq!(stdout(&o).trim(), "1");
    // No share declared at 56: the law's 3割.
    assert!(
        String::from_utf8_lossy(&o.stderr)
            .contains("窓口負担: 3割を受け取ってください（負担割合の申告なし。法定の割合"),
        "{o:?}"
    );
}
