//! The `shikaku` binary on a household typed in by hand, with no card check on this machine
//!: `guidance` for every clinic situation, `show` / `household` / `guidance` as of
//! a date (`--at`), and `checklist`.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const BIN: &str = env!("CARGO_BIN_EXE_shikaku");
/// A passphrase that meets the strength rule for a new store.
const TEST_PASSPHRASE: &str = "test household passphrase";

const CLINICS: [&str; 5] = [
    "normal",
    "reader-down",
    "no-reader",
    "power-out",
    "network-down",
];

fn run(dir: &Path, args: &[&str]) -> Output {
    Command::new(BIN)
        .arg("--data-dir")
        .arg(dir)
        .args(args)
        .env("SHIKAKU_PASSPHRASE", TEST_PASSPHRASE)
        .env_remove("SHIKAKU_NEW_PASSPHRASE")
        .output()
        .unwrap()
}

/// Runs and returns stdout; the command must succeed.
fn ok(dir: &Path, args: &[&str]) -> String {
    let o = run(dir, args);
    assert!(
        o.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    String::from_utf8(o.stdout).unwrap()
}

fn add_member(dir: &Path, name: &str, kana: &str, birth: &str, sex: &str, rel: &str) -> String {
    ok(
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
            rel,
        ],
    )
    .trim()
    .to_string()
}

fn add_record(dir: &Path, files: &Path, member: &str, file: &str, json: &str) {
    let path: PathBuf = files.join(file);
    std::fs::write(&path, json).unwrap();
    ok(
        dir,
        &[
            "record",
            "add",
            "--member",
            member,
            "--file",
            path.to_str().unwrap(),
        ],
    );
}

/// An empty store in a temporary directory (removed with it), and the files typed into it.
struct Scratch {
    tmp: tempfile::TempDir,
    /// The store's `--data-dir`.
    data: PathBuf,
}

impl Scratch {
    fn new() -> Scratch {
        let tmp = tempfile::tempdir().unwrap();
        let data = tmp.path().join("store");
        Scratch { tmp, data }
    }

    /// `member add`; the new member's id.
    fn member(&self, name: &str, kana: &str, birth: &str, sex: &str, rel: &str) -> String {
        add_member(&self.data, name, kana, birth, sex, rel)
    }

    /// `record add` of `json`, written to `file` beside the store.
    fn record(&self, member: &str, file: &str, json: &str) {
        add_record(&self.data, self.tmp.path(), member, file, json);
    }
}

/// The 8-digit 公費負担者番号 88 13 101 with its check digit (the 保険者番号 rule: weights 2 and
/// 1 from the right of the body, digit sums, 10 minus the last digit of the total).
fn payer_number() -> String {
    let body = "8813101";
    let sum: u32 = body
        .bytes()
        .rev()
        .enumerate()
        .map(|(i, b)| {
            let d = u32::from(b - b'0') * if i % 2 == 0 { 2 } else { 1 };
            d / 10 + d % 10
        })
        .sum();
    format!("{body}{}", (10 - sum % 10) % 10)
}

struct Household {
    _scratch: Scratch,
    dir: PathBuf,
    taro: String,
    hanako: String,
    ichiro: String,
}

/// 本人 with an お知らせ, spouse with an お知らせ, child with a 資格確認書 (to 2030-12-01) and a
/// こども医療証; all typed by hand, no card checks.
fn household() -> Household {
    let s = Scratch::new();
    let taro = s.member("山田 太郎", "ヤマダ タロウ", "1985-04-12", "male", "self");
    let hanako = s.member(
        "山田 花子",
        "ヤマダ ハナコ",
        "1987-09-30",
        "female",
        "dependent",
    );
    let ichiro = s.member(
        "山田 一郎",
        "ヤマダ イチロウ",
        "2019-06-01",
        "male",
        "dependent",
    );
    let insurer = r#""insurer_number":"01130012","insurer_name":"全国健康保険協会 東京支部","symbol":"7340155","number":"42""#;
    s.record(
        &taro,
        "taro.json",
        &format!(
            r#"{{"kind":"notice",{insurer},"branch":"00","relationship":"self","copay_percent":30}}"#
        ),
    );
    s.record(
        &hanako,
        "hanako.json",
        &format!(
            r#"{{"kind":"notice",{insurer},"branch":"01","relationship":"dependent","insured_name":"山田 太郎","copay_percent":30}}"#
        ),
    );
    s.record(
        &ichiro,
        "ichiro.json",
        &format!(
            r#"{{"kind":"certificate",{insurer},"branch":"02","relationship":"dependent","insured_name":"山田 太郎","copay_percent":30,"valid_from":"2025-12-02","valid_until":"2030-12-01"}}"#
        ),
    );
    s.record(
        &ichiro,
        "ichiro-kodomo.json",
        &format!(
            r#"{{"kind":"public_expense","relationship":"dependent","valid_from":"2025-04-01","valid_until":"2027-03-31","public_expense":{{"payer_number":"{}","recipient_number":"1234567","program":"こども医療費受給者証"}}}}"#,
            payer_number()
        ),
    );
    Household {
        dir: s.data.clone(),
        _scratch: s,
        taro,
        hanako,
        ichiro,
    }
}

/// The text of option `n` (1-based) of `guidance`'s output.
fn option(out: &str, n: usize) -> Option<&str> {
    let prefix = format!("{n}. ");
    out.lines().find_map(|l| l.strip_prefix(prefix.as_str()))
}

#[test]
fn hand_typed_household_never_full_payment_in_any_clinic_situation() {
    let h = household();
    for clinic in CLINICS {
        for (who, member) in [("本人", &h.taro), ("配偶者", &h.hanako)] {
            let out = ok(
                &h.dir,
                &["guidance", member, "--clinic", clinic, "--at", "2026-11-23"],
            );
            let first = option(&out, 1).unwrap();
            if clinic == "normal" {
                assert!(
                    first.contains("カードリーダーにマイナンバーカード"),
                    "{who} {clinic}: {out}"
                );
            } else {
                // The マイナポータル screen first, "if you can open it" (not recorded here),
                // then the お知らせ (docs/guidance.md §2).
                assert!(
                    first.starts_with(
                        "［単独では不可・カードと一緒に］スマートフォンでマイナポータルにログインできるなら"
                    ),
                    "{who} {clinic}: {out}"
                );
                assert!(
                    option(&out, 2).unwrap().starts_with(
                        "［単独では不可・カードと一緒に］資格情報のお知らせを、マイナンバーカードと一緒に"
                    ),
                    "{who} {clinic}: {out}"
                );
            }
            assert!(!out.contains("10割"), "{who} {clinic}: {out}");
            assert!(
                out.contains("手入力した資格情報の写し"),
                "{who} {clinic}: {out}"
            );
            assert!(out.contains("まだ確認していません"), "{who} {clinic}");
        }
        let out = ok(
            &h.dir,
            &[
                "guidance",
                &h.ichiro,
                "--clinic",
                clinic,
                "--at",
                "2026-11-23",
            ],
        );
        assert!(
            option(&out, 1)
                .unwrap()
                .starts_with("資格確認書を窓口で見せて"),
            "{clinic}: {out}"
        );
        assert_eq!(option(&out, 2), None, "{clinic}: {out}");
        assert!(!out.contains("10割"), "{clinic}: {out}");
        assert!(
            out.contains("・こども医療費受給者証も一緒に見せてください"),
            "{clinic}: {out}"
        );
    }
    // --clinic all: the five situations in one run, each headed.
    let out = ok(
        &h.dir,
        &["guidance", &h.taro, "--clinic", "all", "--at", "2026-11-23"],
    );
    for clinic in CLINICS {
        assert!(out.contains(&format!("({clinic}) ──")), "{out}");
    }
    assert!(!out.contains("10割"));
    // JSON: one entry per situation, none of them full payment.
    let json: serde_json::Value = serde_json::from_str(&ok(
        &h.dir,
        &[
            "guidance",
            &h.ichiro,
            "--clinic",
            "all",
            "--format",
            "json",
            "--at",
            "2026-11-23",
        ],
    ))
    .unwrap();
    let entries = json.as_array().unwrap();
    assert_eq!(entries.len(), 5);
    for e in entries {
        let first = &e["guidance"]["options"][0];
        assert_eq!(first["presentation"], "qualification_certificate");
        assert_eq!(first["never_alone"], false);
    }
}

#[test]
fn the_screen_the_overview_and_the_guidance_as_of_a_date() {
    let h = household();
    // The 資格確認書 runs to 2030-12-01: a month before, it is expiring; the day after, expired.
    let before = ok(&h.dir, &["show", &h.ichiro, "--at", "2030-11-20"]);
    assert!(
        before.contains("! ") && before.contains("資格確認書の有効期限は令和12年12月1日です"),
        "{before}"
    );
    let after = ok(&h.dir, &["show", &h.ichiro, "--at", "令和12年12月2日"]);
    assert!(
        after.contains("資格確認書の有効期限（令和12年12月1日）が過ぎています"),
        "{after}"
    );
    let now = ok(&h.dir, &["show", &h.ichiro, "--at", "2026-11-23"]);
    assert!(!now.contains("令和12年12月1日）が過ぎています"));

    let overview = ok(&h.dir, &["household", "--at", "2030-12-02"]);
    assert!(overview.contains("!! "), "{overview}");
    let json: serde_json::Value = serde_json::from_str(&ok(
        &h.dir,
        &["household", "--format", "json", "--at", "2030-12-02"],
    ))
    .unwrap();
    let child = json["members"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["member_id"] == h.ichiro.as_str())
        .unwrap();
    assert_eq!(child["top_notice_severity"], "critical");

    // The day after: no 資格確認書 in force any more, and what to do.
    let g = ok(
        &h.dir,
        &[
            "guidance",
            &h.ichiro,
            "--clinic",
            "normal",
            "--at",
            "2030-12-02",
        ],
    );
    assert!(
        g.contains("やること:") && g.contains("新しい資格確認書が届いていないか"),
        "{g}"
    );
    let g = ok(
        &h.dir,
        &[
            "guidance",
            &h.ichiro,
            "--clinic",
            "normal",
            "--at",
            "2030-12-01",
        ],
    );
    assert!(
        option(&g, 1)
            .unwrap()
            .starts_with("資格確認書を窓口で見せて")
    );

    // A date that does not exist: one clean error line.
    let o = run(&h.dir, &["show", &h.ichiro, "--at", "2030-02-30"]);
    assert!(!o.status.success());
    let err = String::from_utf8(o.stderr).unwrap();
    assert!(err.contains("--at"), "{err}");
    assert!(!err.contains("panicked"));
}

#[test]
fn screen_wording_is_honest() {
    let h = household();
    let taro = ok(&h.dir, &["show", &h.taro, "--at", "2026-11-23"]);
    assert!(taro.contains("■ 本人（被保険者）"), "{taro}");
    assert!(taro.contains("この画面は、手入力した資格情報の写しです。公式の画面ではありません。"));
    assert!(taro.contains(
        "マイナポータルの資格情報画面か紙の資格情報のお知らせを、マイナ保険証（マイナンバーカードの実物）と一緒に"
    ));
    assert!(!taro.contains("限り有効"), "{taro}");
    let hanako = ok(&h.dir, &["show", &h.hanako, "--at", "2026-11-23"]);
    assert!(hanako.contains("■ 家族（被扶養者）"), "{hanako}");
    assert!(!hanako.contains("ご本人"), "{hanako}");
    let ichiro = ok(&h.dir, &["show", &h.ichiro, "--at", "2026-11-23"]);
    assert!(ichiro.contains("見せるのは紙の資格確認書です"), "{ichiro}");
    assert!(!ichiro.contains("単独で提示できます"), "{ichiro}");
    assert!(ichiro.contains("■ こども医療費受給者証"));
    assert!(ichiro.contains("公費負担者番号"));
}

/// Information in the overview is marked as such, not with 「!」.
#[test]
fn overview_marks_information_without_an_exclamation() {
    let s = Scratch::new();
    let dir = s.data.as_path();
    let id = s.member("鈴木 ウメ", "スズキ ウメ", "1954-05-10", "female", "self");
    // Aged 72, a 高齢受給者 2割 in effect: an Info notice (and nothing more urgent).
    s.record(
        &id,
        "ume.json",
        r#"{"kind":"certificate","insurer_number":"138057","insurer_name":"練馬区（国民健康保険）","symbol":"練馬","number":"123456","branch":"00","relationship":"self","copay_percent":20,"valid_from":"2026-08-01","valid_until":"2027-07-31","elderly":{"copay_percent":20,"effective_from":"2026-08-01","valid_until":"2027-07-31"}}"#,
    );
    let out = ok(dir, &["household", "--at", "2026-11-23"]);
    let line = out
        .lines()
        .find(|l| l.contains("高齢受給者の負担割合は2割です"))
        .unwrap_or_else(|| panic!("{out}"));
    assert!(line.starts_with("  i "), "{line:?}");
    assert!(!out.contains("  ! "), "{out}");
}

#[test]
fn checklist_prints_seed_001_for_each_member() {
    let h = household();
    let all = ok(&h.dir, &["checklist", "--at", "2026-11-23"]);
    assert_eq!(
        all.matches("━━ マイナ保険証への切替チェックリスト").count(),
        3,
        "{all}"
    );
    for text in [
        "【STEP1】お手元に有効なマイナンバーカードはありますか？",
        "【STEP2】保険証利用の申し込みはお済みですか？",
        "1 有効なマイナンバーカードをお持ちでない方は、まずは有効なカードを取得",
        "2 マイナンバーカードをお持ちの方は保険証利用の申込み",
        "3 電子証明書の更新をお忘れの方は市区町村の窓口へ",
    ] {
        assert!(all.contains(text), "{text} missing: {all}");
    }
    // 本人 (お知らせ, no check): STEP1 and STEP2 yes, STEP3 not known here.
    let taro = ok(&h.dir, &["checklist", &h.taro]);
    assert!(
        taro.contains("【STEP3】電子証明書の更新をしていますか？\n  → 不明"),
        "{taro}"
    );
    // Items 1 and 2 done, item 3 要確認: not 「なし」, which would read as a switch complete.
    assert!(
        taro.contains("次にやること: 要確認の項目を確かめてください\n"),
        "{taro}"
    );
    // Child (資格確認書 only): no マイナ保険証, but whether there is a card is not known — the
    // 資格確認書 is issued to card holders who have not registered too (notice A's 交付対象者) —
    // so STEP1 is 不明, not いいえ, and item 1 要確認; item 2 is to do on either answer.
    let ichiro = ok(&h.dir, &["checklist", &h.ichiro]);
    assert!(
        ichiro.contains("【STEP1】") && ichiro.contains("→ 不明"),
        "{ichiro}"
    );
    assert!(!ichiro.contains("→ いいえ"), "{ichiro}");
    assert!(
        ichiro.contains("まずは有効なカードを取得  ［要確認］"),
        "{ichiro}"
    );
    assert!(ichiro.contains("次にやること: 2\n"), "{ichiro}");
    assert!(!ichiro.contains("【STEP2】"));
    // JSON for the apps and scripts.
    let json: serde_json::Value =
        serde_json::from_str(&ok(&h.dir, &["checklist", &h.ichiro, "--format", "json"])).unwrap();
    assert_eq!(json[0]["member_id"], h.ichiro.as_str());
    assert_eq!(json[0]["checklist"]["next"], serde_json::json!([2]));
}

/// The real path of a member with a 資格確認書 alone (no card known, none checked) whose coverage
/// ended: the 資格喪失日 notice does not say the マイナ保険証 keeps working — the guidance's to-do
/// does not either — while a member with an お知らせ (a registered card) is told so (notice A:
/// 「※新しい保険者によるマイナンバーの資格登録が必要です」; docs/rules.md §3.3).
#[test]
fn the_coverage_lost_notice_follows_the_members_card() {
    let s = Scratch::new();
    let dir = s.data.as_path();
    let insurer = r#""insurer_number":"01130012","insurer_name":"全国健康保険協会 東京支部","symbol":"7340155","number":"42","relationship":"self","copay_percent":30,"lost_on":"2026-11-01""#;
    let kenta = s.member("山田 健太", "ヤマダ ケンタ", "1990-02-14", "male", "self");
    s.record(
        &kenta,
        "kenta.json",
        &format!(r#"{{"kind":"certificate",{insurer},"branch":"00","valid_until":"2030-11-30"}}"#),
    );
    let misaki = s.member("山田 美咲", "ヤマダ ミサキ", "1992-07-03", "female", "self");
    s.record(
        &misaki,
        "misaki.json",
        &format!(r#"{{"kind":"notice",{insurer},"branch":"01"}}"#),
    );
    let lost_line = |out: &str| {
        out.lines()
            .find(|l| l.contains("資格喪失日（令和8年11月1日）から"))
            .unwrap_or_else(|| panic!("{out}"))
            .to_string()
    };
    let overview = ok(dir, &["household", "--at", "2026-11-23"]);
    let certificate_only = ok(dir, &["show", &kenta, "--at", "2026-11-23"]);
    let line = lost_line(&certificate_only);
    assert!(!line.contains("マイナ保険証"), "{line}");
    // 22 days after it: notice A's 5 days are past.
    assert!(line.contains("すぐに事業主"), "{line}");
    let early = lost_line(&ok(dir, &["show", &kenta, "--at", "2026-11-03"]));
    assert!(early.contains("令和8年11月5日までに事業主"), "{early}");
    let g = ok(dir, &["guidance", &kenta, "--at", "2026-11-23"]);
    assert!(!g.contains("そのまま使えます"), "{g}");
    let with_card = ok(dir, &["show", &misaki, "--at", "2026-11-23"]);
    assert!(
        lost_line(&with_card)
            .contains("マイナ保険証は、新しい保険者の登録が済めばそのまま使えます"),
        "{with_card}"
    );
    assert_eq!(
        overview.matches("そのまま使えます").count(),
        1,
        "{overview}"
    );
}

/// A 国保 member who typed in next year's 資格確認書 (有効開始年月日 2026-08-01) beside this
/// year's: until then a notice says from when it works, not to show it before (the desk's
/// 有効期間前) and to show this year's, named with its last day; alone, it points to the
/// guidance. From its first day, no notice (docs/dates.md §4).
#[test]
fn a_certificate_not_started_has_a_notice_saying_what_to_use_until_then() {
    let s = Scratch::new();
    let dir = s.data.as_path();
    let nhi = r#""kind":"certificate","insurer_number":"138057","insurer_name":"練馬区（国民健康保険）","symbol":"練馬","number":"123456","branch":"00","relationship":"self","copay_percent":30"#;
    let next_year = format!(r#"{{{nhi},"valid_from":"2026-08-01","valid_until":"2027-07-31"}}"#);
    let alone = s.member("鈴木 一郎", "スズキ イチロウ", "1980-05-10", "male", "self");
    s.record(&alone, "alone.json", &next_year);
    let both = s.member("鈴木 次郎", "スズキ ジロウ", "1982-05-10", "male", "self");
    s.record(
        &both,
        "this-year.json",
        &format!(r#"{{{nhi},"valid_from":"2025-08-01","valid_until":"2026-07-31"}}"#),
    );
    s.record(&both, "next-year.json", &next_year);
    let starts = "練馬区（国民健康保険）の資格確認書は令和8年8月1日（有効開始年月日）から使えます。\
                  それより前は窓口で見せないでください。";
    let show = ok(dir, &["show", &both, "--at", "2026-07-20"]);
    assert!(
        show.contains(&format!(
            "{starts}それまでは練馬区（国民健康保険）の資格確認書（令和8年7月31日まで）を窓口で見せてください。"
        )),
        "{show}"
    );
    let show = ok(dir, &["show", &alone, "--at", "2026-07-20"]);
    assert!(
        show.contains(&format!(
            "{starts}それまでに受診するときは、「窓口で見せるもの」の案内を見てください。"
        )),
        "{show}"
    );
    // The guidance it points to: it has come, so it is not asked of the insurer.
    let g = ok(dir, &["guidance", &alone, "--at", "2026-07-20"]);
    assert!(
        g.contains("入力済みの資格確認書はまだ使えません") && !g.contains("交付されるので"),
        "{g}"
    );
    // The overview shows each member's most urgent notice: for both, this one, as information
    // (this year's 資格確認書 in its last month asks nothing: next year's is recorded).
    let overview = ok(dir, &["household", "--at", "2026-07-20"]);
    let lines: Vec<&str> = overview.lines().filter(|l| l.contains(starts)).collect();
    assert_eq!(lines.len(), 2, "{overview}");
    assert!(lines.iter().all(|l| l.starts_with("  i ")), "{overview}");
    let overview = ok(dir, &["household", "--at", "2026-08-01"]);
    assert!(
        !overview.contains("有効開始年月日）から使えます"),
        "{overview}"
    );
}

/// This year's 資格確認書 and next year's, both typed in by hand: nothing asks whether the new
/// one has come — in the old one's last month, when the new one starts tomorrow, and on its first
/// day (then an Info names the new one). The guidance tells the two apart by their last day, and
/// the screen and the household list the one in force first, whatever the order of entry.
#[test]
fn a_renewed_certificate_typed_in_is_not_asked_for_and_the_one_in_force_comes_first() {
    let s = Scratch::new();
    let dir = s.data.as_path();
    let nhi = r#""kind":"certificate","insurer_number":"138057","insurer_name":"練馬区（国民健康保険）","symbol":"練馬","number":"123456","branch":"00","relationship":"self","copay_percent":30"#;
    let this_year = format!(r#"{{{nhi},"valid_from":"2025-08-01","valid_until":"2026-07-31"}}"#);
    let next_year = format!(r#"{{{nhi},"valid_from":"2026-08-01","valid_until":"2027-07-31"}}"#);
    let first = s.member("鈴木 一郎", "スズキ イチロウ", "1980-05-10", "male", "self");
    s.record(&first, "this-year.json", &this_year);
    s.record(&first, "next-year.json", &next_year);
    // Next year's typed first.
    let second = s.member("鈴木 次郎", "スズキ ジロウ", "1982-05-10", "male", "self");
    s.record(&second, "next-year.json", &next_year);
    s.record(&second, "this-year.json", &this_year);
    let old = "練馬区（国民健康保険）の資格確認書（令和8年7月31日まで）";
    let new = "練馬区（国民健康保険）の資格確認書（令和9年7月31日まで）";
    for member in [&first, &second] {
        for at in ["2026-07-10", "2026-07-31", "2026-08-01"] {
            let show = ok(dir, &["show", member, "--at", at]);
            let guidance = ok(
                dir,
                &["guidance", member, "--clinic", "reader-down", "--at", at],
            );
            for out in [&show, &guidance] {
                assert!(!out.contains("届いて"), "{at}: {out}");
                assert!(!out.contains("!"), "{at}: {out}");
            }
            // The first record section is the one in force.
            let first_section = show.split("■ 資格確認書").nth(1).unwrap();
            let in_force = if at == "2026-08-01" {
                "令和9年7月31日"
            } else {
                "令和8年7月31日"
            };
            assert!(
                first_section.contains(&format!("有効期限              {in_force}")),
                "{at}: {show}"
            );
        }
        let tomorrow = ok(
            dir,
            &[
                "guidance",
                member,
                "--clinic",
                "reader-down",
                "--at",
                "2026-07-31",
            ],
        );
        assert!(
            tomorrow.contains(&format!(
                "1. {old}を窓口で見せてください。資格確認書だけで受診できます"
            )),
            "{tomorrow}"
        );
        assert!(
            tomorrow.contains(&format!(
                "{new}は令和8年8月1日から使えます。それより前は見せないでください。"
            )),
            "{tomorrow}"
        );
        let today = ok(
            dir,
            &[
                "guidance",
                member,
                "--clinic",
                "reader-down",
                "--at",
                "2026-08-01",
            ],
        );
        assert!(
            today.contains(&format!(
                "1. {new}を窓口で見せてください。資格確認書だけで受診できます"
            )),
            "{today}"
        );
        assert!(
            today.contains(&format!("{old}はもう使えないので、見せないでください。")),
            "{today}"
        );
        let show = ok(dir, &["show", member, "--at", "2026-08-01"]);
        assert!(
            show.contains(&format!(
                "i  {old}は有効期限が過ぎました。入力済みの新しい資格確認書（令和9年7月31日まで）\
                 を使ってください。古い資格確認書は窓口で見せないでください。"
            )),
            "{show}"
        );
    }
    // The household lists the one in force first for both.
    let overview = ok(dir, &["household", "--at", "2026-08-01"]);
    let docs: Vec<&str> = overview
        .lines()
        .filter(|l| l.contains("・資格確認書"))
        .collect();
    assert_eq!(docs.len(), 4, "{overview}");
    for pair in docs.chunks(2) {
        assert!(!pair[0].contains("【"), "{overview}");
        assert!(
            pair[1].contains("【使えません（有効期限切れ）・令和8年7月31日まで】"),
            "{overview}"
        );
    }
}

/// The reviewer's path: a 本人 born 1952-01-10 with a 協会けんぽ 資格確認書 and a 家族 with one of
/// the same 保険者番号 and 記号 (枝番 01, no 資格喪失日). From the 本人's 75th birthday the 家族 is
/// no longer a 被扶養者 (docs/rules.md §1.4): `show` says so, and `guidance` agrees — no
/// 資格確認書, no claim to the former insurer, and the to-do to join 国保 or another family
/// member's insurance.
#[test]
fn a_dependent_after_the_insureds_75th_birthday_is_not_sent_to_the_old_record() {
    let s = Scratch::new();
    let data = s.data.as_path();
    let certificate = |branch: &str, rel: &str| {
        format!(
            r#"{{"kind":"certificate","insurer_number":"01130012","insurer_name":"全国健康保険協会 東京支部",
"symbol":"7340155","number":"43","branch":"{branch}","relationship":"{rel}","acquired_on":"2010-04-01",
"copay_percent":30,"valid_from":"2025-12-02","valid_until":"2030-11-30","issued_on":"2025-11-15"}}"#
        )
    };
    let insured = s.member("山田 一郎", "ヤマダ イチロウ", "1952-01-10", "male", "self");
    s.record(&insured, "self.json", &certificate("00", "self"));
    let dependent = s.member(
        "山田 花子",
        "ヤマダ ハナコ",
        "1956-12-02",
        "female",
        "dependent",
    );
    s.record(&dependent, "dep.json", &certificate("01", "dependent"));
    let guidance = |at: &str| {
        ok(
            data,
            &[
                "guidance",
                &dependent,
                "--clinic",
                "reader-down",
                "--at",
                at,
            ],
        )
    };
    assert!(guidance("2027-01-09").contains("資格確認書だけで受診できます"));

    let show = ok(data, &["show", &dependent, "--at", "2027-01-10"]);
    assert!(show.contains("被扶養者の資格はなくなりました"), "{show}");
    let out = guidance("2027-01-10");
    assert!(!out.contains("資格確認書だけで受診できます"), "{out}");
    assert!(!out.contains("後で保険者に療養費"), "{out}");
    assert!(
        out.contains("国民健康保険") && out.contains("ほかのご家族の健康保険の被扶養者"),
        "{out}"
    );
    // The 被保険者 has left the insurance too (at 75 a 任意継続 ends as well): whether they were
    // in 任意継続 is said in the past.
    assert!(
        out.contains(
            "被保険者を通じて令和9年1月14日までに事業主（被保険者が任意継続だったなら保険者）"
        ),
        "{out}"
    );
    assert!(!out.contains("任意継続なら"), "{out}");
}

/// 佐藤 一郎, born 1952-01-10 (75 on 2027-01-10), with his 協会けんぽ 資格確認書 (2割, to
/// 2030-11-30; with the 高齢受給者 block `elderly`, as JSON, when given) and the 後期高齢者医療 one
/// from the 75th birthday, both typed in: the store and his id.
fn sato_with_both_certificates(elderly: Option<&str>) -> (Scratch, String) {
    let s = Scratch::new();
    let member = s.member("佐藤 一郎", "サトウ イチロウ", "1952-01-10", "male", "self");
    let elderly = elderly.map_or(String::new(), |block| format!(r#","elderly":{block}"#));
    s.record(
        &member,
        "old.json",
        &format!(
            r#"{{"kind":"certificate","insurer_number":"01130012","insurer_name":"全国健康保険協会 東京支部",
"symbol":"7340155","number":"43","branch":"00","relationship":"self","acquired_on":"2010-04-01",
"copay_percent":20,"valid_from":"2025-12-02","valid_until":"2030-11-30","issued_on":"2025-11-15"{elderly}}}"#
        ),
    );
    s.record(
        &member,
        "late.json",
        r#"{"kind":"certificate","insurer_number":"39131008","insurer_name":"東京都後期高齢者医療広域連合",
"number":"12345678","relationship":"self","copay_percent":10,"valid_from":"2027-01-10",
"valid_until":"2028-07-31","issued_on":"2026-11-20"}"#,
    );
    (s, member)
}

/// 佐藤 一郎's 協会けんぽ 資格確認書 (2割, acquired 2010-04-01), valid until `valid_until`.
fn sato_kyokai_certificate(valid_until: &str) -> String {
    format!(
        r#"{{"kind":"certificate","insurer_number":"01130012","insurer_name":"全国健康保険協会 東京支部",
"symbol":"7340155","number":"43","branch":"00","relationship":"self","acquired_on":"2010-04-01",
"copay_percent":20,"valid_from":"2025-12-02","valid_until":"{valid_until}","issued_on":"2025-11-15"}}"#
    )
}

/// 佐藤 一郎's 後期高齢者医療 資格確認書, mailed before his 75th birthday (2027-01-10), printing only
/// that day as its 資格取得年月日.
const SATO_LATE_ELDERLY_FROM_BIRTHDAY: &str = r#"{"kind":"certificate","insurer_number":"39131008",
"insurer_name":"東京都後期高齢者医療広域連合","number":"12345678","relationship":"self",
"acquired_on":"2027-01-10","copay_percent":10,"valid_until":"2028-07-31","issued_on":"2026-11-20"}"#;

/// At 75, the old 協会けんぽ 資格確認書 (to 2030-11-30, with a 高齢受給者 block) and the new
/// 後期高齢者医療 one (from the 75th birthday) both recorded: the guidance names the one to show
/// and says not to show the old one; `show` marks the old record as ended; the household lines
/// tell the two apart; and no "new 高齢受給者 share" notice comes for a record ended at 75
/// (docs/dates.md §4, docs/guidance.md §2).
#[test]
fn at_75_the_guidance_and_the_screens_name_the_certificate_in_force() {
    let (s, member) = sato_with_both_certificates(Some(
        r#"{"copay_percent":20,"effective_from":"2022-02-01","valid_until":"2030-11-30"}"#,
    ));
    let data = s.data.as_path();
    let at = "2027-01-10";
    let out = ok(
        data,
        &["guidance", &member, "--clinic", "reader-down", "--at", at],
    );
    assert!(
        out.contains("後期高齢者医療の資格確認書（東京都後期高齢者医療広域連合）を窓口で見せて"),
        "{out}"
    );
    assert!(
        out.contains("全国健康保険協会 東京支部の資格確認書はもう使えないので、見せないでください"),
        "{out}"
    );

    let show = ok(data, &["show", &member, "--at", at]);
    let old = show.split("■ ").find(|s| s.contains("01130012")).unwrap();
    assert!(
        old.contains("使えません（75歳の誕生日の前日で終了）"),
        "{show}"
    );
    let late = show.split("■ ").find(|s| s.contains("39131008")).unwrap();
    assert!(!late.contains("使えません"), "{show}");
    assert!(!show.contains("新しい負担割合の通知"), "{show}");

    let list = ok(data, &["household", "--at", at]);
    let lines: Vec<&str> = list
        .lines()
        .filter(|l| l.contains("・資格確認書"))
        .collect();
    assert_eq!(lines.len(), 2, "{list}");
    assert_ne!(lines[0], lines[1], "{list}");
    assert!(
        lines
            .iter()
            .any(|l| l.contains("全国健康保険協会 東京支部") && l.contains("使えません")),
        "{list}"
    );
    assert!(
        lines
            .iter()
            .any(|l| l.contains("東京都後期高齢者医療広域連合") && !l.contains("使えません")),
        "{list}"
    );
}

/// A 後期高齢者医療 資格確認書 entered before the 75th birthday (有効開始年月日 on the birthday) is
/// marked on the screen and in the household line as not started yet, with the day it starts, and
/// the guidance names the 資格確認書 in force and says not to show the other before that day.
#[test]
fn before_75_the_late_elderly_certificate_is_marked_not_started() {
    let (s, member) = sato_with_both_certificates(None);
    let data = s.data.as_path();
    let at = "2027-01-09";
    let show = ok(data, &["show", &member, "--at", at]);
    let late = show.split("■ ").find(|s| s.contains("39131008")).unwrap();
    assert!(
        late.contains("まだ使えません（有効開始年月日より前）（令和9年1月10日から）"),
        "{show}"
    );
    let old = show.split("■ ").find(|s| s.contains("01130012")).unwrap();
    assert!(!old.contains("状態"), "{show}");

    let list = ok(data, &["household", "--at", at]);
    assert!(
        list.lines().any(
            |l| l.contains("東京都後期高齢者医療広域連合【まだ使えません")
                && l.contains("令和9年1月10日から】")
        ),
        "{list}"
    );

    for clinic in ["normal", "reader-down"] {
        let out = ok(data, &["guidance", &member, "--clinic", clinic, "--at", at]);
        assert!(
            out.contains("全国健康保険協会 東京支部の資格確認書を窓口で見せて"),
            "{out}"
        );
        assert!(
            out.contains(
                "後期高齢者医療の資格確認書（東京都後期高齢者医療広域連合）は令和9年1月10日から\
                 使えます。それより前は見せないでください。"
            ),
            "{out}"
        );
    }
    // From the birthday: in force, no mark.
    let show = ok(data, &["show", &member, "--at", "2027-01-10"]);
    let late = show.split("■ ").find(|s| s.contains("39131008")).unwrap();
    assert!(!late.contains("状態"), "{show}");
}

/// A 後期高齢者医療 資格確認書 mailed before the 75th birthday that prints only its 資格取得年月日
/// (the birthday, no 有効開始年月日) is accepted when typed in before that day, and the screen
/// and the guidance treat it as not started until then (`EligibilityRecord::starts_on`).
#[test]
fn before_75_a_late_elderly_certificate_with_only_its_acquired_on_is_not_started() {
    let s = Scratch::new();
    let data = s.data.as_path();
    let member = s.member("佐藤 一郎", "サトウ イチロウ", "1952-01-10", "male", "self");
    s.record(&member, "old.json", &sato_kyokai_certificate("2030-11-30"));
    s.record(&member, "late.json", SATO_LATE_ELDERLY_FROM_BIRTHDAY);
    let at = "2027-01-09";
    let show = ok(data, &["show", &member, "--at", at]);
    let late = show.split("■ ").find(|s| s.contains("39131008")).unwrap();
    assert!(
        late.contains("まだ使えません（資格取得年月日より前）（令和9年1月10日から）"),
        "{show}"
    );
    let out = ok(
        data,
        &["guidance", &member, "--clinic", "reader-down", "--at", at],
    );
    assert!(
        out.contains("全国健康保険協会 東京支部の資格確認書を窓口で見せて"),
        "{out}"
    );
    assert!(
        out.contains(
            "後期高齢者医療の資格確認書（東京都後期高齢者医療広域連合）は令和9年1月10日から\
             使えます。それより前は見せないでください。"
        ),
        "{out}"
    );
    let show = ok(data, &["show", &member, "--at", "2027-01-10"]);
    let late = show.split("■ ").find(|s| s.contains("39131008")).unwrap();
    assert!(!late.contains("状態"), "{show}");
    let out = ok(
        data,
        &[
            "guidance",
            &member,
            "--clinic",
            "reader-down",
            "--at",
            "2027-01-10",
        ],
    );
    assert!(
        out.contains("後期高齢者医療の資格確認書（東京都後期高齢者医療広域連合）を窓口で見せて"),
        "{out}"
    );
}

/// A 74-year-old who typed in only the 後期高齢者医療 資格確認書 mailed before the 75th birthday:
/// until the birthday the insurance held now covers them (not recorded), so the guidance sends
/// them to its 資格確認書 or the マイナ保険証 before any 10割, and the screen's notice says the
/// same; from the birthday the 後期 one is shown.
#[test]
fn before_75_with_only_the_late_elderly_certificate_the_current_insurance_is_named() {
    let s = Scratch::new();
    let data = s.data.as_path();
    let member = s.member("佐藤 一郎", "サトウ イチロウ", "1952-01-10", "male", "self");
    s.record(&member, "late.json", SATO_LATE_ELDERLY_FROM_BIRTHDAY);
    let at = "2027-01-02";
    let out = ok(
        data,
        &["guidance", &member, "--clinic", "reader-down", "--at", at],
    );
    assert!(
        out.contains("後期高齢者医療は令和9年1月10日からです。それまでは今の保険"),
        "{out}"
    );
    assert!(
        !out.contains("入力済みの資格確認書はまだ使えません"),
        "{out}"
    );
    let show = ok(data, &["show", &member, "--at", at]);
    assert!(
        show.contains("令和9年1月10日（資格取得年月日）から使えます")
            && show
                .contains("それまでは今の保険（国民健康保険や勤め先の健康保険など）の資格確認書か"),
        "{show}"
    );
    let out = ok(
        data,
        &[
            "guidance",
            &member,
            "--clinic",
            "reader-down",
            "--at",
            "2027-01-10",
        ],
    );
    assert!(out.contains("1. 資格確認書を窓口で見せてください"), "{out}");
    assert!(!out.contains("今の保険"), "{out}");
}

/// A 74-year-old whose current insurance's 資格確認書 is typed in but past its 有効期限, with the
/// 後期高齢者医療 one typed in ahead of the 75th birthday: until the birthday the current insurance
/// covers them, so the guidance and the to-do ask its insurer for the new 資格確認書 — not to
/// enter the current insurance, which is entered already.
#[test]
fn before_75_with_the_current_certificate_expired_its_insurer_is_asked_for_the_new_one() {
    let s = Scratch::new();
    let data = s.data.as_path();
    let member = s.member("佐藤 一郎", "サトウ イチロウ", "1952-01-10", "male", "self");
    s.record(&member, "old.json", &sato_kyokai_certificate("2026-12-31"));
    s.record(&member, "late.json", SATO_LATE_ELDERLY_FROM_BIRTHDAY);
    let out = ok(
        data,
        &[
            "guidance",
            &member,
            "--clinic",
            "reader-down",
            "--at",
            "2027-01-05",
        ],
    );
    assert!(
        out.contains("後期高齢者医療は令和9年1月10日からです。")
            && out.contains(
                "入力済みの今の保険の資格確認書は有効期限が過ぎています。新しい資格確認書が\
                 届いていないか今の保険の保険者に確認し"
            ),
        "{out}"
    );
    assert!(!out.contains("今の保険をこのアプリに入力すると"), "{out}");
    let to_do = out.split("やること:").nth(1).unwrap_or_default();
    assert!(
        to_do.contains(
            "令和9年1月10日より前の分の新しい資格確認書が届いていないか、今の保険の保険者に確認"
        ),
        "{out}"
    );
    assert!(
        !to_do.contains("それより前の期間の資格について、保険者"),
        "{out}"
    );
    assert!(
        out.contains("届いたらそれか、マイナ保険証を窓口で"),
        "{out}"
    );
    // One who said they hold no マイナ保険証 is not sent to it.
    ok(data, &["member", "change", &member, "--myna-hoken", "no"]);
    let out = ok(
        data,
        &[
            "guidance",
            &member,
            "--clinic",
            "reader-down",
            "--at",
            "2027-01-05",
        ],
    );
    assert!(
        out.contains("届いたらそれを窓口で見せてください")
            && out.contains("。ないときは、いったん全額"),
        "{out}"
    );
    assert!(!out.contains("か、マイナ保険証"), "{out}");

    // The same household with the current 資格確認書 in force: shown, no 10割.
    let out = ok(
        data,
        &[
            "guidance",
            &member,
            "--clinic",
            "reader-down",
            "--at",
            "2026-12-20",
        ],
    );
    assert!(
        out.contains("全国健康保険協会 東京支部の資格確認書を窓口で見せて"),
        "{out}"
    );
    assert!(!out.contains("10割"), "{out}");
}

/// A 74-year-old with a マイナ保険証 who typed in only the 後期高齢者医療 お知らせ mailed before the
/// 75th birthday: before it the guidance names that お知らせ with its first day (not to be shown
/// before it) and offers the current insurance's お知らせ with the card; from the birthday the
/// お知らせ is offered as usual.
#[test]
fn before_75_with_only_the_late_elderly_notice_the_guidance_names_its_first_day() {
    let s = Scratch::new();
    let data = s.data.as_path();
    let member = s.member("鈴木 次郎", "スズキ ジロウ", "1952-01-10", "male", "self");
    s.record(
        &member,
        "late.json",
        r#"{"kind":"notice","insurer_number":"39131008","insurer_name":"東京都後期高齢者医療広域連合",
"number":"12345678","relationship":"self","acquired_on":"2027-01-10","copay_percent":10,
"issued_on":"2026-11-20"}"#,
    );
    for clinic in ["normal", "reader-down"] {
        let out = ok(
            data,
            &[
                "guidance",
                &member,
                "--clinic",
                clinic,
                "--at",
                "2027-01-05",
            ],
        );
        assert!(
            out.contains(
                "今の保険の資格情報のお知らせをお持ちなら、マイナンバーカードと一緒に見せて\
                 ください。お知らせだけでは受診できません。後期高齢者医療の資格情報のお知らせ\
                 （東京都後期高齢者医療広域連合）は令和9年1月10日から使えます。それより前は\
                 見せないでください。"
            ),
            "{out}"
        );
        assert!(out.contains("被保険者資格申立書"), "{out}");
    }
    let out = ok(
        data,
        &[
            "guidance",
            &member,
            "--clinic",
            "reader-down",
            "--at",
            "2027-01-10",
        ],
    );
    assert!(
        out.contains("資格情報のお知らせを、マイナンバーカードと一緒に見せてください。"),
        "{out}"
    );
    assert!(!out.contains("今の保険"), "{out}");
    assert!(!out.contains("から使えます"), "{out}");
}

/// A job change typed in without any date that tells which insurance is the current one (the new
/// 資格確認書 without its 資格取得年月日, the old one without its 資格喪失日): both are in force by
/// their dates, which cannot be (one insurance at a time), so the screen warns and asks for the
/// date; with the new one's 資格取得年月日 typed the old one is taken over and the warning goes.
#[test]
fn two_insurances_in_force_without_dates_are_warned_of() {
    let kyokai = r#"{"kind":"certificate","insurer_number":"01130012","insurer_name":"全国健康保険協会 東京支部",
"symbol":"7340155","number":"43","branch":"00","relationship":"self","valid_until":"2030-11-30",
"issued_on":"2025-11-15"}"#;
    let kokuho = |acquired: &str| {
        format!(
            r#"{{"kind":"certificate","insurer_number":"138057","insurer_name":"練馬区","number":"1234567",
"relationship":"self","valid_until":"2027-07-31","issued_on":"2026-10-01"{acquired}}}"#
        )
    };
    let s = Scratch::new();
    let member = s.member("田中 三郎", "タナカ サブロウ", "1980-05-10", "male", "self");
    s.record(&member, "kyokai.json", kyokai);
    s.record(&member, "kokuho.json", &kokuho(""));
    let show = ok(s.data.as_path(), &["show", &member, "--at", "2026-11-30"]);
    assert!(
        show.contains(
            "全国健康保険協会 東京支部の資格確認書と練馬区の資格確認書が、どちらも今日使えるものとして\
             入力されています。"
        ) && show.contains("新しいほうの資格取得年月日か、古いほうの資格喪失日を入力してください"),
        "{show}"
    );
    // The guidance says the same: the current one's only, and the to-do asks for the date.
    let out = ok(
        s.data.as_path(),
        &[
            "guidance",
            &member,
            "--clinic",
            "reader-down",
            "--at",
            "2026-11-30",
        ],
    );
    assert!(
        out.contains(
            "全国健康保険協会 東京支部の資格確認書と練馬区の資格確認書のうち、今加入している保険の\
             ものを窓口で見せてください。"
        ),
        "{out}"
    );
    assert!(
        out.split("やること:")
            .nth(1)
            .is_some_and(|t| t.contains("今の保険の書類に資格取得年月日を")),
        "{out}"
    );

    let s = Scratch::new();
    let member = s.member("田中 三郎", "タナカ サブロウ", "1980-05-10", "male", "self");
    s.record(&member, "kyokai.json", kyokai);
    s.record(
        &member,
        "kokuho.json",
        &kokuho(r#","acquired_on":"2026-10-01""#),
    );
    let show = ok(s.data.as_path(), &["show", &member, "--at", "2026-11-30"]);
    assert!(!show.contains("どちらも今日使える"), "{show}");
    // The old one typed with no date at all: it cannot be placed (it might be the newer), so
    // both stay, and its own 資格取得年月日 is what is asked for.
    let s2 = Scratch::new();
    let other = s2.member("田中 三郎", "タナカ サブロウ", "1980-05-10", "male", "self");
    s2.record(
        &other,
        "kyokai.json",
        &kyokai.replace(r#""issued_on":"2025-11-15""#, r#""copay_percent":30"#),
    );
    s2.record(
        &other,
        "kokuho.json",
        &kokuho(r#","acquired_on":"2026-10-01""#),
    );
    let shown = ok(s2.data.as_path(), &["show", &other, "--at", "2026-11-30"]);
    assert!(
        shown.contains(
            "日付のない全国健康保険協会 東京支部の資格確認書の資格取得年月日（なければ有効開始年月日）を\
             入力してください"
        ),
        "{shown}"
    );
    // An old document without any date can be deleted instead: `record list` gives its id,
    // `record remove` deletes it, and the warning is gone.
    assert!(
        shown.contains("もう使わない古い書類なら、その入力を削除してもかまいません"),
        "{shown}"
    );
    let list = ok(s2.data.as_path(), &["record", "list", "--member", &other]);
    assert_eq!(list.lines().count(), 2, "{list}");
    let old = list
        .lines()
        .find(|l| l.contains("全国健康保険協会 東京支部"))
        .unwrap();
    assert!(
        old.contains("資格確認書") && old.ends_with("手入力・未検証"),
        "{old}"
    );
    let id = old.split_whitespace().next().unwrap();
    let removed = ok(s2.data.as_path(), &["record", "remove", "--record", id]);
    assert_eq!(removed.trim(), format!("removed {id}"));
    let shown = ok(s2.data.as_path(), &["show", &other, "--at", "2026-11-30"]);
    assert!(!shown.contains("どちらも今日使える"), "{shown}");
    // Removed once: a second time is an error, not a silent success.
    let again = run(s2.data.as_path(), &["record", "remove", "--record", id]);
    assert!(!again.status.success());
    let out = ok(
        s.data.as_path(),
        &[
            "guidance",
            &member,
            "--clinic",
            "reader-down",
            "--at",
            "2026-11-30",
        ],
    );
    assert!(out.contains("練馬区の資格確認書を窓口で見せて"), "{out}");
    assert!(
        out.contains("全国健康保険協会 東京支部の資格確認書はもう使えないので"),
        "{out}"
    );
}

/// A retiree who typed the new 国保 資格確認書 without any date beside the old employer's, acquired
/// years before and now expired: the old one does not take over the new one (a record without a
/// start of its own may be the newer), so the 国保 one is offered and no 10割.
#[test]
fn an_undated_new_certificate_is_not_taken_over_by_the_old_one() {
    let s = Scratch::new();
    let data = s.data.as_path();
    let member = s.member("田中 三郎", "タナカ サブロウ", "1960-05-10", "male", "self");
    s.record(
        &member,
        "kyokai.json",
        r#"{"kind":"certificate","insurer_number":"01130012","insurer_name":"全国健康保険協会 東京支部",
"symbol":"7340155","number":"42","relationship":"self","acquired_on":"2015-04-01","valid_until":"2025-11-30"}"#,
    );
    s.record(
        &member,
        "kokuho.json",
        r#"{"kind":"certificate","insurer_number":"138057","insurer_name":"練馬区（国民健康保険）","symbol":"練馬",
"number":"999","relationship":"self","valid_until":"2027-07-31"}"#,
    );
    let out = ok(
        data,
        &[
            "guidance",
            &member,
            "--clinic",
            "reader-down",
            "--at",
            "2026-11-30",
        ],
    );
    assert!(out.contains("資格確認書を窓口で見せてください"), "{out}");
    assert!(!out.contains("10割"), "{out}");
    let show = ok(data, &["show", &member, "--at", "2026-11-30"]);
    assert!(!show.contains("新しい資格（"), "{show}");
}

/// A member whose insurance was lost on 11/1 and whose next employer's お知らせ starts on 12/1:
/// between the two there is no insurance, so the guidance says what a lost coverage needs and
/// does not send them to a current insurance's お知らせ.
#[test]
fn a_gap_before_a_later_notice_is_a_lost_coverage() {
    let s = Scratch::new();
    let data = s.data.as_path();
    let member = s.member("田中 三郎", "タナカ サブロウ", "1980-05-10", "male", "self");
    ok(data, &["member", "change", &member, "--myna-hoken", "yes"]);
    s.record(
        &member,
        "old.json",
        r#"{"kind":"notice","insurer_number":"01130012","insurer_name":"全国健康保険協会 東京支部",
"symbol":"7340155","number":"42","relationship":"self","acquired_on":"2015-04-01","lost_on":"2026-11-01"}"#,
    );
    s.record(
        &member,
        "new.json",
        r#"{"kind":"notice","insurer_number":"06139992","insurer_name":"山田商事健康保険組合",
"symbol":"12","number":"345","relationship":"self","acquired_on":"2026-12-01"}"#,
    );
    let out = ok(
        data,
        &[
            "guidance",
            &member,
            "--clinic",
            "reader-down",
            "--at",
            "2026-11-15",
        ],
    );
    assert!(
        !out.contains("今の保険の資格情報のお知らせをお持ちなら"),
        "{out}"
    );
    assert!(out.contains("資格喪失日（令和8年11月1日）から"), "{out}");
}

/// A 74-year-old whose 国保 資格確認書 expired on 7/31, whose next one (from 12/1, to the day
/// before the 75th birthday) is typed in, and whose 後期高齢者医療 one is typed in too: the next
/// 国保 one comes first — the guidance names it from its first day and the to-do asks about the
/// days before it, not about the whole time before 後期.
#[test]
fn before_75_a_current_insurance_renewal_typed_in_comes_before_the_late_elderly_text() {
    let s = Scratch::new();
    let data = s.data.as_path();
    let member = s.member("佐藤 一郎", "サトウ イチロウ", "1952-01-10", "male", "self");
    ok(data, &["member", "change", &member, "--myna-hoken", "no"]);
    let kokuho = |from: &str, until: &str| {
        format!(
            r#"{{"kind":"certificate","insurer_number":"138057","insurer_name":"練馬区（国民健康保険）",
"number":"999","relationship":"self","copay_percent":20,"valid_from":"{from}","valid_until":"{until}"}}"#
        )
    };
    s.record(&member, "k1.json", &kokuho("2025-08-01", "2026-07-31"));
    s.record(&member, "k2.json", &kokuho("2026-12-01", "2027-01-09"));
    s.record(&member, "late.json", SATO_LATE_ELDERLY_FROM_BIRTHDAY);
    let out = ok(
        data,
        &[
            "guidance",
            &member,
            "--clinic",
            "reader-down",
            "--at",
            "2026-11-15",
        ],
    );
    assert!(
        !out.contains("後期高齢者医療は令和9年1月10日からです"),
        "{out}"
    );
    assert!(out.contains("令和8年12月1日から使えます"), "{out}");
    let to_do = out.split("やること:").nth(1).unwrap_or_default();
    assert!(!to_do.contains("後期高齢者医療が始まる"), "{out}");
    assert!(to_do.contains("それより前の期間の資格について"), "{out}");
}

/// A job change typed in as users do: the new employer's 資格確認書 (with its 資格取得年月日)
/// beside the old one, which carries no 資格喪失日 (only its 交付年月日: an old one with no date
/// at all cannot be placed and is `two_insurances_in_force_without_dates_are_warned_of`). One
/// insurance at a time (国民健康保険法 §6, 健康保険法 §3(7)): from the new 資格取得年月日 the old
/// one is not offered, the screen marks it and says to give it back; before that day the old one
/// is the one to show.
#[test]
fn a_new_employers_certificate_takes_over_the_old_one_from_its_acquired_on() {
    let s = Scratch::new();
    let data = s.data.as_path();
    let member = s.member("山田 太郎", "ヤマダ タロウ", "1985-04-12", "male", "self");
    s.record(
        &member,
        "old.json",
        r#"{"kind":"certificate","insurer_number":"01130012","insurer_name":"全国健康保険協会 東京支部",
"symbol":"7340155","number":"43","branch":"00","relationship":"self","valid_until":"2030-11-30",
"issued_on":"2025-11-15"}"#,
    );
    s.record(
        &member,
        "new.json",
        r#"{"kind":"certificate","insurer_number":"06139992","insurer_name":"山田商事健康保険組合",
"symbol":"12","number":"345","branch":"00","relationship":"self","acquired_on":"2026-11-21",
"valid_until":"2031-10-31"}"#,
    );
    let out = ok(
        data,
        &[
            "guidance",
            &member,
            "--clinic",
            "reader-down",
            "--at",
            "2026-11-30",
        ],
    );
    assert!(
        out.contains("山田商事健康保険組合の資格確認書を窓口で見せて")
            && out.contains(
                "全国健康保険協会 東京支部の資格確認書はもう使えないので、見せないでください"
            ),
        "{out}"
    );
    assert!(!out.contains("か山田商事"), "{out}");
    let show = ok(data, &["show", &member, "--at", "2026-11-30"]);
    assert!(
        show.contains("新しい資格（山田商事健康保険組合、令和8年11月21日取得）が入力されているため、全国健康保険協会 東京支部の資格確認書（これまでの資格）は使えません")
            && show.contains("この資格確認書は、すぐに事業主"),
        "{show}"
    );
    let old = show.split("■ ").find(|s| s.contains("01130012")).unwrap();
    assert!(
        old.contains("使えません（新しい資格の取得日から）（令和8年11月21日から）"),
        "{show}"
    );
    let before = ok(
        data,
        &[
            "guidance",
            &member,
            "--clinic",
            "reader-down",
            "--at",
            "2026-11-20",
        ],
    );
    assert!(
        before.contains("全国健康保険協会 東京支部の資格確認書を窓口で見せて"),
        "{before}"
    );
}

/// A 資格確認書 reissued with a new 負担割合 (a later 交付年月日, the same 記号・番号 and
/// 有効期限) replaces the old one: the guidance names one paper, by its 交付年月日, and says not
/// to show the other.
#[test]
fn a_reissued_certificate_replaces_the_old_one() {
    let s = Scratch::new();
    let data = s.data.as_path();
    let member = s.member("鈴木 一郎", "スズキ イチロウ", "1956-12-15", "male", "self");
    let fields = r#""kind":"certificate","insurer_number":"01130012","insurer_name":"全国健康保険協会 東京支部",
"symbol":"7340155","number":"43","branch":"00","relationship":"self","valid_until":"2030-11-30""#;
    s.record(
        &member,
        "old.json",
        &format!(r#"{{{fields},"copay_percent":30,"issued_on":"2025-12-01"}}"#),
    );
    s.record(
        &member,
        "new.json",
        &format!(
            r#"{{{fields},"copay_percent":20,"issued_on":"2026-11-25",
"elderly":{{"copay_percent":20,"effective_from":"2027-01-01"}}}}"#
        ),
    );
    let out = ok(
        data,
        &[
            "guidance",
            &member,
            "--clinic",
            "reader-down",
            "--at",
            "2027-02-01",
        ],
    );
    assert!(
        out.contains("全国健康保険協会 東京支部の資格確認書（令和8年11月25日交付）を窓口で見せて")
            && out.contains(
                "全国健康保険協会 東京支部の資格確認書（令和7年12月1日交付）はもう使えないので"
            ),
        "{out}"
    );
    let show = ok(data, &["show", &member, "--at", "2027-02-01"]);
    assert!(
        show.contains("新しく交付された資格確認書に替わりました"),
        "{show}"
    );
}

/// At 75 with two お知らせ recorded (the former insurer's and the 後期高齢者医療 one mailed
/// before the birthday): the guidance names the one to show with the card and the one not to,
/// as it names 資格確認書 — before the birthday and from it.
#[test]
fn at_75_the_notice_to_show_is_named() {
    let s = Scratch::new();
    let data = s.data.as_path();
    let member = ok(
        data,
        &[
            "member",
            "add",
            "--name",
            "佐藤 一郎",
            "--kana",
            "サトウ イチロウ",
            "--birth",
            "1952-01-10",
            "--sex",
            "male",
            "--relationship",
            "self",
            "--myna-hoken",
            "yes",
        ],
    )
    .trim()
    .to_string();
    s.record(
        &member,
        "old.json",
        r#"{"kind":"notice","insurer_number":"01130012","insurer_name":"全国健康保険協会 東京支部",
"symbol":"7340155","number":"43","branch":"00","relationship":"self","copay_percent":20}"#,
    );
    s.record(
        &member,
        "late.json",
        r#"{"kind":"notice","insurer_number":"39131008","insurer_name":"東京都後期高齢者医療広域連合",
"number":"12345678","relationship":"self","acquired_on":"2027-01-10","copay_percent":10}"#,
    );
    let before = ok(
        data,
        &[
            "guidance",
            &member,
            "--clinic",
            "reader-down",
            "--at",
            "2027-01-09",
        ],
    );
    assert!(
        before.contains(
            "全国健康保険協会 東京支部の資格情報のお知らせを、マイナンバーカードと一緒に見せてください"
        ) && before.contains(
            "後期高齢者医療の資格情報のお知らせ（東京都後期高齢者医療広域連合）は令和9年1月10日から使えます"
        ),
        "{before}"
    );
    let after = ok(
        data,
        &[
            "guidance",
            &member,
            "--clinic",
            "reader-down",
            "--at",
            "2027-01-10",
        ],
    );
    assert!(
        after.contains(
            "後期高齢者医療の資格情報のお知らせ（東京都後期高齢者医療広域連合）を、マイナンバーカードと一緒に"
        ) && after.contains(
            "全国健康保険協会 東京支部の資格情報のお知らせはもう使えないので、見せないでください"
        ),
        "{after}"
    );
}

/// A 生年月日 changed so that a stored record no longer fits (a 後期 record without its date for
/// a member now under 75, or a 後期 record for a member of 46) is refused as the 生年月日's
/// problem, and the member is unchanged.
#[test]
fn a_birth_date_change_that_a_stored_record_does_not_fit_is_refused() {
    let s = Scratch::new();
    let data = s.data.as_path();
    let member = s.member("伊藤 誠", "イトウ マコト", "1950-12-20", "male", "self");
    s.record(
        &member,
        "late.json",
        r#"{"kind":"certificate","insurer_number":"39131008","insurer_name":"東京都後期高齢者医療広域連合",
"number":"12345678","relationship":"self","copay_percent":10,"valid_until":"2027-07-31"}"#,
    );
    let before = ok(data, &["show", &member, "--at", "2026-11-30"]);
    for birth in ["2099-12-20", "1951-12-20", "1980-12-20"] {
        let o = run(data, &["member", "change", &member, "--birth", birth]);
        assert!(!o.status.success(), "{birth}");
        let err = String::from_utf8_lossy(&o.stderr);
        assert!(err.contains("birth_date"), "{birth}: {err}");
    }
    assert_eq!(ok(data, &["show", &member, "--at", "2026-11-30"]), before);
    ok(
        data,
        &["member", "change", &member, "--birth", "1950-12-21"],
    );
}

/// A 家族 who now has a job of their own: their 本人 資格確認書 is refused while the member is a
/// 家族, with the way out named; `member change --relationship self` keeps their records (the
/// old 被扶養者 one is still listed), and then the new one is stored. A change the form refuses
/// (a 生年月日 in the future) changes nothing.
#[test]
fn a_dependent_with_a_job_of_their_own_is_changed_to_self_and_keeps_their_records() {
    let s = Scratch::new();
    let data = s.data.as_path();
    let daughter = s.member(
        "山田 花子",
        "ヤマダ ハナコ",
        "2003-05-01",
        "female",
        "dependent",
    );
    s.record(
        &daughter,
        "old.json",
        r#"{"kind":"certificate","insurer_number":"01130012","insurer_name":"全国健康保険協会 東京支部",
"symbol":"7340155","number":"43","branch":"02","relationship":"dependent","insured_name":"山田 太郎",
"valid_from":"2025-12-02","valid_until":"2030-11-30","lost_on":"2026-04-01"}"#,
    );
    let own = s.tmp.path().join("own.json");
    std::fs::write(
        &own,
        r#"{"kind":"certificate","insurer_number":"06132013","insurer_name":"関東ITソフトウェア健康保険組合",
"symbol":"1203","number":"5521","branch":"00","relationship":"self","acquired_on":"2026-04-01",
"valid_from":"2026-04-01","valid_until":"2031-03-31"}"#,
    )
    .unwrap();
    let add = [
        "record",
        "add",
        "--member",
        &daughter,
        "--file",
        own.to_str().unwrap(),
    ];
    let refused = run(data, &add);
    assert!(!refused.status.success());
    let err = String::from_utf8_lossy(&refused.stderr);
    assert!(err.contains("change the member first"), "{err}");

    let before = ok(data, &["show", &daughter, "--at", "2026-11-30"]);
    let bad = run(
        data,
        &["member", "change", &daughter, "--birth", "2099-01-01"],
    );
    assert!(!bad.status.success());
    assert_eq!(ok(data, &["show", &daughter, "--at", "2026-11-30"]), before);

    let changed = ok(
        data,
        &["member", "change", &daughter, "--relationship", "self"],
    );
    assert!(changed.starts_with("changed "), "{changed}");
    ok(data, &add);
    let show = ok(data, &["show", &daughter, "--at", "2026-11-30"]);
    assert!(show.contains("山田 花子"), "{show}");
    assert!(show.contains("01130012"), "the old record is kept: {show}");
    assert!(show.contains("06132013"), "{show}");

    // Her mother, still the 被保険者's 被扶養者 on the same insurance: the daughter's old 家族
    // record (and its 資格喪失日) is not a 被保険者's own, so the mother keeps her status.
    let mother = s.member(
        "山田 花江",
        "ヤマダ ハナエ",
        "1960-02-02",
        "female",
        "dependent",
    );
    s.record(
        &mother,
        "mother.json",
        r#"{"kind":"certificate","insurer_number":"01130012","insurer_name":"全国健康保険協会 東京支部",
"symbol":"7340155","number":"43","branch":"01","relationship":"dependent","insured_name":"山田 太郎",
"valid_from":"2025-12-02","valid_until":"2030-11-30"}"#,
    );
    let show = ok(data, &["show", &mother, "--at", "2026-11-30"]);
    assert!(!show.contains("被扶養者の資格"), "{show}");
    let out = ok(
        data,
        &[
            "guidance",
            &mother,
            "--clinic",
            "reader-down",
            "--at",
            "2026-11-30",
        ],
    );
    assert!(out.contains("資格確認書を窓口で見せてください"), "{out}");
    assert!(!out.contains("10割"), "{out}");
}

/// Hand-entered data is headed 「入力日時」 (typed in, not fetched), and `show --at` today — noon
/// of the day — never calls an entry made this afternoon 「未来の日時」 (docs/guidance.md §5).
#[test]
fn hand_entered_time_is_an_entry_time_and_not_future_on_its_day() {
    let s = Scratch::new();
    let data = s.data.as_path();
    let member = s.member("山田 太郎", "ヤマダ タロウ", "1985-04-12", "male", "self");
    let record = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/record-notice.json"),
    )
    .unwrap();
    s.record(&member, "n.json", &record);
    let today = (chrono::Utc::now() + chrono::Duration::hours(9))
        .date_naive()
        .to_string();
    let show = ok(data, &["show", &member, "--at", &today]);
    assert!(show.contains("入力日時: "), "{show}");
    assert!(!show.contains("最終取得日時"), "{show}");
    assert!(!show.contains("未来の日時"), "{show}");
}

/// A 72-year-old's 国保 資格確認書 typed in without its 負担割合: the screen and the household ask
/// for the share printed on the document (the clinic needs it when the card cannot be read); the
/// same with the share typed says nothing of it.
#[test]
fn at_72_a_record_without_its_share_asks_for_the_document_that_prints_it() {
    let s = Scratch::new();
    let dir = s.data.as_path();
    let nhi = r#""kind":"certificate","insurer_number":"138057","insurer_name":"練馬区（国民健康保険）","symbol":"練馬","number":"223456","branch":"00","relationship":"self","valid_from":"2026-08-01","valid_until":"2027-07-31""#;
    let without = s.member(
        "高齢 花子",
        "コウレイ ハナコ",
        "1954-06-15",
        "female",
        "self",
    );
    s.record(&without, "without.json", &format!("{{{nhi}}}"));
    let with = s.member(
        "高齢 一郎",
        "コウレイ イチロウ",
        "1954-06-20",
        "male",
        "self",
    );
    s.record(
        &with,
        "with.json",
        &format!(r#"{{{nhi},"copay_percent":20}}"#),
    );
    let asks = "70〜74歳の方の負担割合は2割または3割で、人によって違いますが、この記録には負担割合が入力されていません。\
                70歳以降に保険者から届いた資格確認書または資格情報のお知らせに印字された負担割合を入力してください。";
    let show = ok(dir, &["show", &without, "--at", "2026-12-01"]);
    assert!(show.contains(&format!("!  {asks}")), "{show}");
    assert!(
        show.contains("（入力されていません）（法定の割合（所得による）: 2割または3割）"),
        "{show}"
    );
    let show = ok(dir, &["show", &with, "--at", "2026-12-01"]);
    assert!(!show.contains("負担割合が入力されていません"), "{show}");
    let overview = ok(dir, &["household", "--at", "2026-12-01"]);
    assert_eq!(overview.matches(asks).count(), 1, "{overview}");
}

/// A 5-year-old's 資格確認書 typed in by hand, without the 未就学区分 (the paper does not print it)
/// and without a share: no warning; the screen shows the law's 2割 (未就学 to the first 31 March
/// after reaching 6, here 令和10年3月31日), and the end is announced from 3 months before.
#[test]
fn a_preschool_child_typed_in_without_the_preschool_flag_gets_no_warning() {
    let s = Scratch::new();
    let dir = s.data.as_path();
    let child = s.member(
        "山田 さくら",
        "ヤマダ サクラ",
        "2021-09-10",
        "female",
        "dependent",
    );
    s.record(
        &child,
        "child.json",
        r#"{"kind":"certificate","insurer_number":"01130012","insurer_name":"全国健康保険協会 東京支部","symbol":"7340155","number":"42","branch":"02","relationship":"dependent","valid_from":"2025-12-02","valid_until":"2030-11-30"}"#,
    );
    let show = ok(dir, &["show", &child, "--at", "2026-12-01"]);
    assert!(!show.contains("未就学区分"), "{show}");
    assert!(!show.contains("\n!"), "{show}");
    assert!(
        show.contains("（入力されていません）（年齢による法定の割合: 2割）"),
        "{show}"
    );
    let overview = ok(dir, &["household", "--at", "2026-12-01"]);
    assert!(!overview.contains("  !"), "{overview}");
    let show = ok(dir, &["show", &child, "--at", "2028-01-05"]);
    assert!(
        show.contains("i  未就学（負担割合2割）は令和10年3月31日までです。"),
        "{show}"
    );
}

/// A member added with `--myna-hoken no` and no document typed yet: the guidance asks for the
/// 資格確認書 such a member is sent before 10割, in every clinic situation, and never says that
/// nothing usable is held.
#[test]
fn a_member_without_a_myna_hoken_and_no_document_typed_is_asked_for_the_certificate() {
    let s = Scratch::new();
    let dir = s.data.as_path();
    let id = ok(
        dir,
        &[
            "member",
            "add",
            "--name",
            "山田 花子",
            "--kana",
            "ヤマダ ハナコ",
            "--birth",
            "1987-09-03",
            "--sex",
            "female",
            "--relationship",
            "self",
            "--myna-hoken",
            "no",
        ],
    )
    .trim()
    .to_string();
    let all = ok(dir, &["guidance", &id, "--clinic", "all"]);
    assert_eq!(
        all.matches("1. 資格確認書は、このアプリにまだ入力されていません。")
            .count(),
        CLINICS.len(),
        "{all}"
    );
    assert!(!all.contains("使えるものがありません"), "{all}");
}
