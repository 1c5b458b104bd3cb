//! Unit tests of the desk: verified visits (which only the core can make), queries, exports,
//! and the bytes on disk.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::Path;

use chrono::{DateTime, NaiveDate, Utc};

use super::declaration::tests::form;
use super::export::{CsvFlavor, SPREADSHEET_TEXT_COLUMNS};
use super::*;
use crate::eligibility::{
    CopayRate, ElderlyRecipient, InsurerNumber, LimitCertification, Relationship, Sex,
};
use crate::store::{MemoryKeyStore, StoreError};

const KEK: [u8; 32] = [5; 32];

fn t(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
}

fn d(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

fn claim(name: &str, number: &str) -> ClaimFields {
    ClaimFields {
        insurer_number: InsurerNumber::parse("01130012").unwrap(),
        symbol: Some("７３４０１５５".into()),
        number: number.into(),
        branch: Some("00".into()),
        name: name.into(),
        kana: "ヤマダ タロウ".into(),
        birth_date: d("1955-04-12"),
        sex: Sex::Male,
        relationship: Relationship::Insured,
        copay: Some(CopayRate::Twenty),
        valid_from: Some(d("2025-12-02")),
        valid_until: Some(d("2030-12-01")),
        elderly: Some(ElderlyRecipient {
            copay: CopayRate::Twenty,
            effective_from: d("2025-05-01"),
            valid_until: None,
        }),
        limit: Some(LimitCertification {
            category: "区分Ⅱ".into(),
            effective_from: None,
        }),
        preschool: false,
    }
}

fn visit(name: &str, number: &str, card: CardCheckMethod) -> VerifiedVisit {
    VerifiedVisit::new(
        claim(name, number),
        card,
        DocumentInfo {
            key_id: "issuer-2026".into(),
            format: 2,
            issued_on: d("2026-11-01"),
            kind: Some(crate::eligibility::DocumentKind::Certificate),
        },
        Verdict::Confirmed,
    )
}

/// A verified visit (a 資格確認書, PIN), for the tests of other modules.
pub(super) fn visit_for_test() -> VerifiedVisit {
    visit("山田 太郎", "420815", CardCheckMethod::Pin)
}

fn open(dir: &Path) -> DeskStore {
    DeskStore::open(dir, &MemoryKeyStore::new(KEK)).unwrap()
}

/// Two verified visits of one patient on two days, a declaration with numbers (and two 公費)
/// and one without.
fn fill(desk: &mut DeskStore) {
    desk.record_visit(
        &visit("山田 太郎", "420815", CardCheckMethod::Pin),
        "受付 花子",
        t("2026-11-26T00:30:00Z"),
    )
    .unwrap();
    desk.declare_with(
        &form(),
        &super::public_expense::tests::two(),
        "受付 花子",
        t("2026-11-27T01:00:00Z"),
    )
    .unwrap();
    desk.record_visit(
        &visit("山田 太郎", "420815", CardCheckMethod::Visual),
        "受付 次郎",
        t("2026-11-27T02:00:00Z"),
    )
    .unwrap();
    let no_numbers = DeclarationForm {
        insurer_number: None,
        number: None,
        ..form()
    };
    desk.declare(&no_numbers, "受付 次郎", t("2026-11-27T14:59:00Z"))
        .unwrap();
}

#[test]
fn entries_round_trip_through_the_indexes() {
    let dir = tempfile::tempdir().unwrap();
    let mut desk = open(&dir.path().join("clinic"));
    fill(&mut desk);
    assert_eq!(desk.log_len().unwrap(), 4);

    let day1 = desk.visits_on(d("2026-11-26")).unwrap();
    assert!(day1.corrupt.is_empty());
    assert_eq!(day1.entries.len(), 1);
    assert_eq!(day1.entries[0].position, 1);
    let EntryKind::Verified(v) = &day1.entries[0].kind else {
        panic!("verified")
    };
    assert_eq!(v.claim(), &claim("山田 太郎", "420815"));
    assert_eq!(v.card(), CardCheckMethod::Pin);
    assert_eq!(day1.entries[0].operator, "受付 花子");
    assert!(day1.entries[0].is_verified());
    assert_eq!(day1.entries[0].status_label_ja(), "確認済み");

    // 14:59 UTC is 23:59 in Japan: still the 27th.
    let day2 = desk.visits_on(d("2026-11-27")).unwrap();
    let positions: Vec<u64> = day2.entries.iter().map(|e| e.position).collect();
    assert_eq!(positions, vec![2, 3, 4]);
    assert!(!day2.entries[0].is_verified());
    assert_eq!(day2.entries[0].status_label_ja(), DECLARED_LABEL);
    assert!(desk.visits_on(d("2026-11-28")).unwrap().entries.is_empty());

    let range = desk
        .visits_between(d("2026-11-20"), d("2026-11-30"))
        .unwrap();
    let positions: Vec<u64> = range.entries.iter().map(|e| e.position).collect();
    assert_eq!(positions, vec![1, 2, 3, 4]);
    assert_eq!(
        desk.visits_between(d("2026-11-27"), d("2026-11-26")),
        Err(ClinicError::Range {
            max_days: MAX_RANGE_DAYS
        })
    );
    assert!(
        desk.visits_between(d("2000-01-01"), d("2026-11-30"))
            .is_err()
    );

    // The patient's last visit, 記号 compared after width folding.
    let n = InsurerNumber::parse("01130012").unwrap();
    let last = desk
        .last_visit(&n, Some("7340155"), "420815", Some("00"))
        .unwrap()
        .unwrap();
    assert_eq!(last.position, 3);
    assert!(
        desk.last_visit(&n, Some("7340155"), "420816", Some("00"))
            .unwrap()
            .is_none()
    );
    // A declaration with numbers is found too (and says what it is).
    let declared = desk
        .last_visit(&n, Some("123"), "4567", Some("00"))
        .unwrap()
        .unwrap();
    assert_eq!(declared.position, 2);
    assert_eq!(declared.status_label_ja(), "申立・未検証");

    assert!(matches!(
        desk.verify_log().unwrap(),
        LogCheck::Intact { entries: 4, .. }
    ));
}

#[test]
fn bad_input_is_refused_and_nothing_is_appended() {
    let dir = tempfile::tempdir().unwrap();
    let mut desk = open(dir.path());
    fill(&mut desk);
    let before = desk.verify_log().unwrap();
    let now = t("2026-11-28T01:00:00Z");
    let bad = DeclarationForm {
        birth_date: "2027-01-01".into(),
        ..form()
    };
    assert!(matches!(
        desk.declare(&bad, "受付", now),
        Err(ClinicError::Invalid(e)) if e.has(crate::eligibility::Field::BirthDate)
    ));
    for op in ["", "  ", "=cmd", "a\nb"] {
        assert!(
            matches!(
                desk.declare(&form(), op, now),
                Err(ClinicError::Operator { .. })
            ),
            "{op:?}"
        );
    }
    // A batch that fails half way writes nothing.
    let res = desk.write(|b| {
        b.declare(&form(), "受付", now)?;
        b.declare(&bad, "受付", now)
    });
    assert!(res.is_err());
    assert_eq!(desk.verify_log().unwrap(), before);
    assert_eq!(desk.log_len().unwrap(), 4);
}

#[test]
fn a_listing_names_the_numbers_or_says_none_were_declared() {
    let dir = tempfile::tempdir().unwrap();
    let mut desk = open(dir.path());
    let now = t("2026-11-28T01:00:00Z");
    desk.declare(&form(), "受付", now).unwrap();
    let none = DeclarationForm {
        insurer_number: None,
        symbol: None,
        number: None,
        branch: None,
        ..form()
    };
    desk.declare(&none, "受付", now).unwrap();
    let list = desk.visits_on(d("2026-11-28")).unwrap();
    let shown: Vec<String> = list.entries.iter().map(export::numbers_ja).collect();
    assert_eq!(shown, ["01130012 １２３ 4567 00", export::NO_NUMBERS_LABEL]);
}

#[test]
fn an_operator_name_is_refused_in_japanese_with_the_public_limit() {
    let dir = tempfile::tempdir().unwrap();
    let mut desk = open(dir.path());
    let now = t("2026-11-28T01:00:00Z");
    let longest = "受".repeat(MAX_OPERATOR_CHARS);
    assert!(desk.declare(&form(), &longest, now).is_ok());
    let too_long = "受".repeat(MAX_OPERATOR_CHARS + 1);
    for (op, ja) in [
        ("", "受付者名を入力してください。".to_string()),
        (
            too_long.as_str(),
            format!("受付者名は{MAX_OPERATOR_CHARS}文字以内にしてください。"),
        ),
        (
            "=cmd",
            "受付者名の先頭に =、+、-、@ は使えません（表計算ソフトが数式として実行するため）。"
                .to_string(),
        ),
        (
            "a\nb",
            "受付者名に使えない文字（制御文字・見えない書式文字）が含まれています。".to_string(),
        ),
        (
            "a\u{200B}b",
            "受付者名に使えない文字（制御文字・見えない書式文字）が含まれています。".to_string(),
        ),
    ] {
        let e = desk.declare(&form(), op, now).unwrap_err();
        // The same words before recording (a form's field check) as after a refused record.
        assert_eq!(operator_refusal_ja(op), Some(ja.clone()), "{op:?}");
        assert_eq!(e.operator_refusal_ja(), Some(ja), "{op:?}");
        // Declared with bad fields too: the operator's part in the same words.
        let e = form()
            .validate_with_operator(op, d("2026-11-28"))
            .map(|_| ())
            .unwrap_err();
        assert!(e.operator_refusal_ja().is_some(), "{op:?}");
    }
    assert_eq!(ClinicError::CardMismatch.operator_refusal_ja(), None);
    assert_eq!(operator_refusal_ja(&longest), None);
    assert_eq!(operator_refusal_ja(" 受付 花子 "), None);
}

#[test]
fn an_append_after_the_last_entry_was_removed_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let mut desk = open(dir.path());
    fill(&mut desk);
    desk.conn
        .execute("DELETE FROM visits WHERE seq = 4", [])
        .unwrap();
    assert_eq!(
        desk.verify_log().unwrap(),
        LogCheck::Broken {
            position: 4,
            problem: LogProblem::Missing
        }
    );
    assert!(matches!(
        desk.declare(&form(), "受付", t("2026-11-28T01:00:00Z")),
        Err(ClinicError::Store(StoreError::Corrupt { .. }))
    ));
    assert_eq!(desk.log_len().unwrap(), 4);
}

#[test]
fn wrong_key_and_foreign_file_are_refused_without_change() {
    let dir = tempfile::tempdir().unwrap();
    {
        let mut desk = open(dir.path());
        fill(&mut desk);
    }
    let db = dir.path().join(DESK_FILE);
    let before = std::fs::read(&db).unwrap();
    assert_eq!(
        DeskStore::open(dir.path(), &MemoryKeyStore::new([6; 32])).unwrap_err(),
        StoreError::WrongKey
    );
    assert_eq!(std::fs::read(&db).unwrap(), before);
    // Another SQLite file (here: another application's) is not a desk store.
    let other = tempfile::tempdir().unwrap();
    rusqlite::Connection::open(other.path().join(DESK_FILE))
        .unwrap()
        .execute_batch("PRAGMA application_id = 1397246795; CREATE TABLE meta (k TEXT);")
        .unwrap();
    assert_eq!(
        DeskStore::open(other.path(), &MemoryKeyStore::new(KEK)).unwrap_err(),
        StoreError::NotADatabase
    );
    assert_eq!(open(dir.path()).log_len().unwrap(), 4);
}

#[cfg(unix)]
#[test]
fn files_are_owner_only() {
    use std::os::unix::fs::PermissionsExt as _;
    let dir = tempfile::tempdir().unwrap();
    let desk_dir = dir.path().join("a/clinic");
    let mut desk = open(&desk_dir);
    fill(&mut desk);
    let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode(&desk_dir), 0o700);
    for e in std::fs::read_dir(&desk_dir).unwrap() {
        let p = e.unwrap().path();
        assert_eq!(mode(&p), 0o600, "{}", p.display());
    }
    // An existing directory open to others is narrowed.
    drop(desk);
    std::fs::set_permissions(&desk_dir, std::fs::Permissions::from_mode(0o755)).unwrap();
    open(&desk_dir);
    assert_eq!(mode(&desk_dir), 0o700);
}

fn needles() -> Vec<(&'static str, Vec<u8>)> {
    let mut out: Vec<(&'static str, String)> = vec![
        ("name", "山田".into()),
        ("name", "太郎".into()),
        ("name", "佐藤".into()),
        ("name", "一郎".into()),
        ("kana", "ヤマダ".into()),
        ("kana", "サトウ".into()),
        ("birth", "1955-04-12".into()),
        ("birth", "1970-05-06".into()),
        ("insurer_number", "01130012".into()),
        ("symbol", "７３４０１５５".into()),
        ("symbol", "7340155".into()),
        ("number", "420815".into()),
        ("number", "4567".into()),
        ("insurer_name", "株式会社サンプル".into()),
        ("operator", "花子".into()),
        ("operator", "次郎".into()),
        ("limit", "区分Ⅱ".into()),
        ("visit_day", "2026-11-27".into()),
        ("verdict", "confirmed".into()),
        ("public_payer", "88131016".into()),
        ("public_recipient", "1234567".into()),
        ("public_program", "子ども医療証".into()),
    ];
    // UTF-16 too, in case anything wrote text that way.
    let utf16: Vec<(&'static str, Vec<u8>)> = out
        .iter()
        .map(|(l, s)| (*l, s.encode_utf16().flat_map(u16::to_le_bytes).collect()))
        .collect();
    let mut bytes: Vec<(&'static str, Vec<u8>)> =
        out.drain(..).map(|(l, s)| (l, s.into_bytes())).collect();
    bytes.extend(utf16);
    bytes
}

fn scan(dir: &Path) -> Vec<(String, &'static str)> {
    let mut hits = Vec::new();
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        let bytes = std::fs::read(&p).unwrap();
        for (label, n) in needles() {
            if bytes.windows(n.len()).any(|w| w == n.as_slice()) {
                hits.push((p.display().to_string(), label));
            }
        }
    }
    hits
}

#[test]
fn no_personal_value_in_plaintext_on_disk() {
    let dir = tempfile::tempdir().unwrap();
    // The scan can find things.
    std::fs::write(dir.path().join("probe"), "佐藤 1970-05-06").unwrap();
    assert_eq!(scan(dir.path()).len(), 2);
    std::fs::remove_file(dir.path().join("probe")).unwrap();

    let mut desk = open(dir.path());
    fill(&mut desk);
    assert!(
        std::fs::read_dir(dir.path()).unwrap().any(|e| e
            .unwrap()
            .path()
            .to_string_lossy()
            .ends_with("-wal")),
        "WAL present while open"
    );
    assert_eq!(scan(dir.path()), vec![]);
    // Queries leave nothing behind either.
    let _ = desk
        .visits_between(d("2026-11-20"), d("2026-11-30"))
        .unwrap();
    drop(desk);
    assert_eq!(scan(dir.path()), vec![]);
}

/// A strict RFC 4180 reader (test-only): fields, quoted fields with doubled quotes, CRLF rows.
fn read_csv(s: &str) -> Vec<Vec<String>> {
    let mut rows = Vec::new();
    let mut row = Vec::new();
    let mut field = String::new();
    let mut chars = s.chars().peekable();
    let mut quoted = false;
    while let Some(c) = chars.next() {
        if quoted {
            match c {
                '"' if chars.peek() == Some(&'"') => {
                    chars.next();
                    field.push('"');
                }
                '"' => quoted = false,
                _ => field.push(c),
            }
            continue;
        }
        match c {
            '"' => {
                assert!(field.is_empty(), "quote inside an unquoted field");
                quoted = true;
            }
            ',' => row.push(std::mem::take(&mut field)),
            '\r' => {
                assert_eq!(chars.next(), Some('\n'), "CR without LF");
                row.push(std::mem::take(&mut field));
                rows.push(std::mem::take(&mut row));
            }
            '\n' => panic!("bare LF"),
            _ => field.push(c),
        }
    }
    assert!(
        !quoted && field.is_empty() && row.is_empty(),
        "unterminated"
    );
    rows
}

#[test]
fn csv_has_bom_header_quoting_and_reads_back() {
    let dir = tempfile::tempdir().unwrap();
    let mut desk = open(dir.path());
    let tricky = "山田, \"太郎\"\u{3000}二世";
    desk.record_visit(
        &visit(tricky, "420815", CardCheckMethod::None),
        "受付 花子",
        t("2026-11-27T00:30:00Z"),
    )
    .unwrap();
    desk.declare(&form(), "受付 花子", t("2026-11-27T01:00:00Z"))
        .unwrap();
    let formula = VerifiedVisit::new(
        claim("=1+1", "420815"),
        CardCheckMethod::Pin,
        visit("x", "1", CardCheckMethod::Pin).document().clone(),
        Verdict::DocumentExpired,
    );
    desk.record_visit(&formula, "受付 花子", t("2026-11-27T02:00:00Z"))
        .unwrap();
    let list = desk.visits_on(d("2026-11-27")).unwrap();
    let csv = export::to_csv(&list.entries);
    assert!(csv.starts_with('\u{FEFF}'));
    assert!(csv.ends_with("\r\n"));
    assert!(csv.contains("\"山田, \"\"太郎\"\"\u{3000}二世\""), "{csv}");
    let rows = read_csv(csv.trim_start_matches('\u{FEFF}'));
    assert_eq!(rows.len(), 4);
    assert_eq!(rows[0], export::CSV_COLUMNS.to_vec());
    let col = |name: &str| export::CSV_COLUMNS.iter().position(|c| *c == name).unwrap();
    assert_eq!(rows[1][col("氏名")], tricky);
    assert_eq!(rows[1][col("受診日")], "2026-11-27");
    assert_eq!(rows[1][col("受付時刻")], "09:30");
    assert_eq!(rows[1][col("生年月日")], "1955-04-12");
    assert_eq!(rows[1][col("記号")], "７３４０１５５", "as printed");
    assert_eq!(rows[1][col("負担割合")], "2割");
    assert_eq!(rows[1][col("確認結果")], "確認済み");
    // A 資格確認書: the document kind is how eligibility was confirmed (spec clinic.md §2).
    assert_eq!(rows[1][col("確認方法")], "署名付き資格確認書");
    assert_eq!(rows[1][col("書類種別")], "資格確認書");
    assert_eq!(rows[1][col("未就学")], "");
    assert_eq!(rows[2][col("書類種別")], "");
    assert_eq!(rows[2][col("確認結果")], "申立・未検証");
    assert_eq!(rows[2][col("確認方法")], "被保険者資格申立書");
    assert_eq!(rows[2][col("保険者名称（申立）")], "株式会社サンプル");
    assert_eq!(rows[3][col("氏名")], "'=1+1", "formula guarded");
    assert_eq!(rows[3][col("確認結果")], "有効期限切れ（書類）");
    for (row, e) in rows[1..].iter().zip(&list.entries) {
        let mut cells = export::csv_cells(e).to_vec();
        if e.position == 3 {
            cells[col("氏名")] = "'=1+1".into();
        }
        assert_eq!(*row, cells);
    }
}

#[test]
fn a_declaration_is_marked_unverified_in_every_output() {
    let dir = tempfile::tempdir().unwrap();
    let mut desk = open(dir.path());
    fill(&mut desk);
    let list = desk
        .visits_between(d("2026-11-26"), d("2026-11-27"))
        .unwrap();
    let json: serde_json::Value =
        serde_json::from_str(&export::to_json(&list, d("2026-11-26"), d("2026-11-27"))).unwrap();
    assert_eq!(json["format"], "shikaku-clinic-visits");
    assert_eq!(json["from"], "2026-11-26");
    let entries = json["entries"].as_array().unwrap();
    assert_eq!(entries.len(), 4);
    let csv = export::to_csv(&list.entries);
    let rows = read_csv(csv.trim_start_matches('\u{FEFF}'));
    for (i, e) in list.entries.iter().enumerate() {
        let declared = matches!(e.kind, EntryKind::Declared(_));
        let j = &entries[i];
        assert_eq!(j["position"], e.position);
        assert_eq!(j["verified"], !declared);
        assert_eq!(j["kind"], if declared { "declaration" } else { "verified" });
        assert_eq!(
            j["status"] == "申立・未検証",
            declared,
            "json status of {}",
            e.position
        );
        assert_eq!(rows[i + 1][2] == "申立・未検証", declared);
        assert_eq!(e.status_label_ja() == DECLARED_LABEL, declared);
        if declared {
            assert_eq!(j["document"], serde_json::Value::Null);
            assert_eq!(j["verdict"], serde_json::Value::Null);
        } else {
            assert_eq!(j["document"]["key_id"], "issuer-2026");
            assert_eq!(j["claim"]["elderly"]["copay_percent"], 20);
        }
    }
    assert_eq!(entries[0]["card_check"], "pin");
    assert_eq!(entries[2]["card_check"], "visual");
    assert_eq!(entries[1]["claim"]["birth_date"], "1970-05-06");
    assert_eq!(entries[1]["claim"]["insurer_name"], "株式会社サンプル");
}

#[test]
fn an_index_column_that_disagrees_with_its_entry_is_a_damaged_row() {
    let dir = tempfile::tempdir().unwrap();
    let mut desk = open(dir.path());
    fill(&mut desk);
    // Entry 2 moved to the first day, entry 3 made to look like the declared patient's.
    desk.conn
        .execute_batch(
            "UPDATE visits SET day = (SELECT day FROM visits WHERE seq = 1) WHERE seq = 2;
             UPDATE visits SET patient = (SELECT patient FROM visits WHERE seq = 2) WHERE seq = 3;",
        )
        .unwrap();
    let day1 = desk.visits_on(d("2026-11-26")).unwrap();
    assert_eq!(day1.entries.len(), 1);
    assert_eq!(day1.corrupt.len(), 1);
    assert_eq!(day1.corrupt[0].id, "2");
    let n = InsurerNumber::parse("01130012").unwrap();
    assert!(matches!(
        desk.last_visit(&n, Some("123"), "4567", Some("00")),
        Err(ClinicError::Store(StoreError::Corrupt { row })) if row.id == "3"
    ));
    assert_eq!(
        desk.verify_log().unwrap(),
        LogCheck::Broken {
            position: 2,
            problem: LogProblem::Altered
        }
    );
}

#[test]
fn the_spreadsheet_csv_keeps_leading_zeros_and_the_data_csv_is_as_printed() {
    let dir = tempfile::tempdir().unwrap();
    let mut desk = open(dir.path());
    desk.record_visit(
        &visit("山田 太郎", "0042", CardCheckMethod::Pin),
        "受付 花子",
        t("2026-11-27T00:30:00Z"),
    )
    .unwrap();
    // A 申立 with a number that is not digits only: left as it is in both.
    desk.declare(&form(), "受付 花子", t("2026-11-27T01:00:00Z"))
        .unwrap();
    let list = desk.visits_on(d("2026-11-27")).unwrap();
    let col = |name: &str| export::CSV_COLUMNS.iter().position(|c| *c == name).unwrap();

    // For a レセコン import: every value exactly as printed, no formula.
    let data = export::to_csv(&list.entries);
    assert_eq!(data, export::to_csv_for(&list.entries, CsvFlavor::Data));
    let rows = read_csv(data.trim_start_matches('\u{FEFF}'));
    assert_eq!(rows[1][col("保険者番号")], "01130012");
    assert_eq!(rows[1][col("番号")], "0042");
    assert_eq!(rows[1][col("枝番")], "00");
    assert!(!data.contains("=\""), "{data}");

    // For a spreadsheet: the digit-only number columns as text formulas (what Excel and
    // LibreOffice show as 01130012, 0042, 00); everything else as in the data file.
    let sheet = export::to_csv_for(&list.entries, CsvFlavor::Spreadsheet);
    assert!(sheet.starts_with('\u{FEFF}') && sheet.ends_with("\r\n"));
    let srows = read_csv(sheet.trim_start_matches('\u{FEFF}'));
    assert_eq!(srows[0], rows[0], "the same header");
    assert_eq!(srows[1][col("保険者番号")], "=\"01130012\"");
    assert_eq!(srows[1][col("番号")], "=\"0042\"");
    assert_eq!(srows[1][col("枝番")], "=\"00\"");
    // 記号 full-width as printed: not a number to a spreadsheet, left alone.
    assert_eq!(srows[1][col("記号")], "７３４０１５５");
    assert!(sheet.contains(",\"=\"\"01130012\"\"\","), "{sheet}");
    for (s, r) in srows.iter().zip(&rows) {
        for (i, (a, b)) in s.iter().zip(r).enumerate() {
            if !SPREADSHEET_TEXT_COLUMNS.contains(&export::CSV_COLUMNS[i]) {
                assert_eq!(a, b, "column {}", export::CSV_COLUMNS[i]);
            }
        }
    }
}

#[test]
fn record_refusals_are_worded_for_the_receptionist_once() {
    let mismatch = ClinicError::CardMismatch.record_refusal_ja().unwrap();
    assert!(mismatch.contains("別人のカード") && mismatch.contains("被保険者資格申立書"));
    let required = ClinicError::CardRequired.record_refusal_ja().unwrap();
    assert!(required.contains("マイナンバーカードと一緒の場合だけ使えます"));
    assert!(
        !required.contains("  "),
        "no stray spaces from line continuations"
    );
    assert_eq!(ClinicError::NoHolderBinding.record_refusal_ja(), None);
}

/// 公費 受給者証 seen at the desk: recorded with a verified visit or a 申立, read back as typed,
/// and in every output marked 受給者証目視・未検証 — beside a 確認済み insurance too: the CSV's
/// columns 30–38 (after every earlier column), the JSON, and one FHIR Coverage of 保険種別 8 each
/// with its 公費負担者 (`urn:oid:1.2.392.100495.20.3.71`). A mistake in one records nothing.
#[test]
fn public_expenses_are_recorded_seen_and_exported_unverified() {
    let dir = tempfile::tempdir().unwrap();
    let mut desk = open(dir.path());
    let two = super::public_expense::tests::two();
    let seen = validate_public_expenses(&two, d("2026-11-27")).unwrap();
    desk.write(|b| {
        b.record_visit_seen(
            &visit("山田 太郎", "0042", CardCheckMethod::Pin),
            seen.clone(),
            "受付 花子",
            t("2026-11-27T00:30:00Z"),
        )
    })
    .unwrap();
    desk.declare_with(&form(), &two[1..], "受付 花子", t("2026-11-27T01:00:00Z"))
        .unwrap();
    // Without: as before.
    desk.declare(&form(), "受付 花子", t("2026-11-27T02:00:00Z"))
        .unwrap();

    // A bad 公費 with a bad form field: every mistake at once, nothing appended.
    let mut bad = two.clone();
    bad[1].recipient_number = Some("12".into());
    let bad_form = DeclarationForm {
        birth_date: "2027-01-01".into(),
        ..form()
    };
    let Err(ClinicError::Invalid(e)) =
        desk.declare_with(&bad_form, &bad, "受付", t("2026-11-27T03:00:00Z"))
    else {
        panic!("refused")
    };
    assert!(e.has(crate::eligibility::Field::BirthDate));
    assert!(e.has(crate::eligibility::Field::PublicRecipientNumber));
    assert_eq!(desk.log_len().unwrap(), 3);

    let list = desk.visits_on(d("2026-11-27")).unwrap();
    assert_eq!(list.entries[0].public_expenses, seen);
    assert!(list.entries[0].is_verified());
    assert_eq!(list.entries[1].public_expenses, seen[1..]);
    assert!(list.entries[2].public_expenses.is_empty());

    // CSV: the earlier columns where they were, then the 公費.
    let col = |name: &str| export::CSV_COLUMNS.iter().position(|c| *c == name).unwrap();
    assert_eq!(col("未就学"), 28);
    assert_eq!(col("第一公費負担者番号"), 29);
    assert_eq!(export::CSV_COLUMNS.len(), export::CSV_WIDTH);
    let rows = read_csv(export::to_csv(&list.entries).trim_start_matches('\u{FEFF}'));
    assert!(rows.iter().all(|r| r.len() == export::CSV_WIDTH));
    let first = &rows[1];
    assert_eq!(first[col("確認結果")], "確認済み");
    assert_eq!(first[col("第一公費負担者番号")], "88131016");
    assert_eq!(first[col("第一公費受給者番号")], "1234567");
    assert_eq!(first[col("第一公費名称")], "子ども医療証");
    assert_eq!(first[col("第一公費有効期限")], "2027-03-31");
    assert_eq!(
        first[col("第二公費負担者番号")],
        seen[1].payer_number.as_str()
    );
    assert_eq!(first[col("第二公費受給者番号")], "");
    assert_eq!(first[col("第二公費名称")], seen[1].program_ja());
    assert_eq!(first[col("公費確認")], PUBLIC_EXPENSE_SEEN_LABEL);
    // The 申立's one 公費 is its 第一公費.
    assert_eq!(
        rows[2][col("第一公費負担者番号")],
        seen[1].payer_number.as_str()
    );
    assert_eq!(rows[2][col("第二公費負担者番号")], "");
    assert_eq!(rows[3][col("公費確認")], "");
    // In a spreadsheet the 受給者番号 keeps its leading zeros like the other numbers.
    let sheet = read_csv(
        export::to_csv_for(&list.entries, CsvFlavor::Spreadsheet).trim_start_matches('\u{FEFF}'),
    );
    assert_eq!(sheet[1][col("第一公費受給者番号")], "=\"1234567\"");
    assert_eq!(sheet[1][col("第一公費負担者番号")], "=\"88131016\"");

    // JSON.
    let json: serde_json::Value =
        serde_json::from_str(&export::to_json(&list, d("2026-11-27"), d("2026-11-27"))).unwrap();
    let p = &json["entries"][0]["public_expenses"];
    assert_eq!(p[0]["order"], 1);
    assert_eq!(p[0]["payer_number"], "88131016");
    assert_eq!(p[0]["recipient_number"], "1234567");
    assert_eq!(p[0]["valid_until"], "2027-03-31");
    assert_eq!(p[0]["confirmation"], PUBLIC_EXPENSE_SEEN_LABEL);
    assert_eq!(p[1]["recipient_number"], serde_json::Value::Null);
    assert_eq!(json["entries"][2]["public_expenses"], serde_json::json!([]));

    // FHIR: a Coverage of 保険種別 8 per 公費, its payer by 公費負担者番号, each payer once.
    let bundle: serde_json::Value =
        serde_json::from_str(&fhir::to_fhir_bundle(&list, t("2026-11-28T00:00:00Z"))).unwrap();
    let resources: Vec<&serde_json::Value> = bundle["entry"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| &e["resource"])
        .collect();
    let public: Vec<&&serde_json::Value> = resources
        .iter()
        .filter(|r| r["resourceType"] == "Coverage" && r["type"]["coding"][0]["code"] == "8")
        .collect();
    assert_eq!(public.len(), 3);
    let c = public[0];
    assert_eq!(
        c["type"]["coding"][0]["system"],
        "urn:oid:1.2.392.100495.20.2.61"
    );
    assert_eq!(c["subscriberId"], "1234567");
    assert_eq!(c["order"], 1);
    assert_eq!(c["period"]["end"], "2027-03-31");
    assert_eq!(c["meta"]["tag"][0]["display"], PUBLIC_EXPENSE_SEEN_LABEL);
    assert_eq!(public[1]["order"], 2);
    assert!(public[1].get("subscriberId").is_none());
    let payers: Vec<&str> = resources
        .iter()
        .filter(|r| r["resourceType"] == "Organization")
        .map(|r| r["identifier"][0]["system"].as_str().unwrap_or_default())
        .collect();
    assert_eq!(
        payers
            .iter()
            .filter(|s| **s == "urn:oid:1.2.392.100495.20.3.71")
            .count(),
        2,
        "{payers:?}"
    );
    let payor = |c: &serde_json::Value| c["payor"][0]["reference"].as_str().unwrap().to_string();
    assert_eq!(payor(public[1]), payor(public[2]));
}
