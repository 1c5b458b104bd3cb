//! The visit log leaves the desk as CSV (for spreadsheet software and レセコン re-keying) or
//! JSON. Both are built here, from [`LogEntry`]; every 申立 entry says 申立・未検証 in both.
//!
//! CSV: UTF-8 with a BOM (so spreadsheet software detects the encoding), CRLF line ends, one
//! header row ([`CSV_COLUMNS`]), one row per entry, RFC 4180 quoting (a field holding `,`, `"`,
//! CR or LF is quoted, `"` doubled), dates `YYYY-MM-DD`, values as printed (full-width 記号・番号
//! kept). A text value that would start with `=`, `+`, `-` or `@` gets a leading `'` so that a
//! spreadsheet shows it instead of running it as a formula (the desk refuses such values on
//! input; this guards values from elsewhere).

use chrono::NaiveDate;
use serde_json::{Value, json};

use super::claim::CardCheckMethod;
use super::declaration::Declaration;
use super::log::{EntryKind, LogEntry, VisitList};
use super::public_expense::PUBLIC_EXPENSE_SEEN_LABEL;
use crate::clock::japan_time;
use crate::eligibility::{CopayRate, DocumentKind, Relationship, Sex};

/// The CSV header, in column order (documented in docs/clinic.md).
pub const CSV_COLUMNS: [&str; CSV_WIDTH] = [
    "受診日",
    "受付時刻",
    "確認結果",
    "確認方法",
    "カード確認",
    "保険者番号",
    "記号",
    "番号",
    "枝番",
    "氏名",
    "カナ",
    "生年月日",
    "性別",
    "本人・家族",
    "負担割合",
    "有効開始日",
    "有効終了日",
    "高齢受給者負担割合",
    "高齢受給者発効期日",
    "限度額適用区分",
    "限度額発効期日",
    "保険者名称（申立）",
    "書類鍵ID",
    "書類形式",
    "書類発行日",
    "受付者",
    "記録番号",
    "書類種別",
    "未就学",
    // 30–38: the 公費 seen beside the insurance, after every earlier column (an import by
    // position keeps working).
    "第一公費負担者番号",
    "第一公費受給者番号",
    "第一公費名称",
    "第一公費有効期限",
    "第二公費負担者番号",
    "第二公費受給者番号",
    "第二公費名称",
    "第二公費有効期限",
    "公費確認",
];

/// How many columns the CSV has.
pub const CSV_WIDTH: usize = 38;

/// How eligibility was confirmed, in the words of the claim (clinic.md §2).
pub fn confirmation_ja(entry: &LogEntry) -> &'static str {
    match &entry.kind {
        // A 資格確認書 stands alone; a card checked with it is said too.
        EntryKind::Verified(v) if v.document().kind == Some(DocumentKind::Certificate) => {
            match v.card() {
                CardCheckMethod::Pin => "署名付き資格確認書＋カード（PIN）",
                CardCheckMethod::Visual => "署名付き資格確認書＋カード（目視）",
                CardCheckMethod::Seen => "署名付き資格確認書＋カード（券面目視）",
                CardCheckMethod::None => "署名付き資格確認書",
            }
        }
        EntryKind::Verified(v) => match v.card() {
            CardCheckMethod::Pin => "署名付き資格情報＋カード（PIN）",
            CardCheckMethod::Visual => "署名付き資格情報＋カード（目視）",
            CardCheckMethod::Seen => "署名付き資格情報＋カード（券面目視・電子照合なし）",
            CardCheckMethod::None => "署名付き資格情報（カード未確認）",
        },
        EntryKind::Declared(_) => "被保険者資格申立書",
    }
}

fn date(d: Option<NaiveDate>) -> String {
    d.map(crate::clock::iso_date).unwrap_or_default()
}

fn copay(c: Option<CopayRate>) -> String {
    c.map(|c| format!("{}割", c.percent() / 10))
        .unwrap_or_default()
}

/// The 一部負担金割合 cell of a verified entry: as printed, or — printed as 法定負担割合のとおり
/// (none) on a 未就学 child's document — the share the law fixes for 未就学, 2割 (健康保険法
/// §110(2)(i)ロ), marked as the law's so that it is not read as printed.
fn claim_copay(c: Option<CopayRate>, preschool: bool) -> String {
    match c {
        None if preschool => "2割（未就学・法定）".to_string(),
        c => copay(c),
    }
}

/// The 一部負担金割合 cell of a 申立 visited on `day`: as declared, or — none declared — the share
/// the law sets for the patient's age that day, which the cashier's line said to collect
/// ([`Declaration::undeclared_share`]), marked as the law's and not declared (at 70–74 with
/// 「現役並み所得者は3割」); empty under 後期高齢者医療 (1, 2 or 3割 by income: no share the law
/// settles by age).
fn declared_copay(d: &Declaration, day: NaiveDate) -> String {
    match (d.copay, d.undeclared_share(day)) {
        (Some(c), _) => copay(Some(c)),
        (None, Some((c, mark))) => format!("{}割（{}）", c.percent() / 10, mark.csv_ja()),
        (None, None) => String::new(),
    }
}

fn text(s: Option<&str>) -> String {
    s.unwrap_or_default().to_string()
}

/// What a listing shows for an entry that records none of 保険者番号, 記号, 番号, 枝番 (a 申立
/// that declared none of them).
pub const NO_NUMBERS_LABEL: &str = "番号不明";

/// The entry's 保険者番号, 記号, 番号 and 枝番 as recorded (the CSV's cells), separated by
/// spaces, the empty ones left out; [`NO_NUMBERS_LABEL`] when none is recorded.
pub fn numbers_ja(e: &LogEntry) -> String {
    let cells = csv_cells(e);
    let ids: Vec<&str> = ["保険者番号", "記号", "番号", "枝番"]
        .into_iter()
        .filter_map(|name| CSV_COLUMNS.iter().position(|c| *c == name))
        .map(|i| cells[i].as_str())
        .filter(|v| !v.is_empty())
        .collect();
    if ids.is_empty() {
        NO_NUMBERS_LABEL.to_string()
    } else {
        ids.join(" ")
    }
}

/// The 公費 cells of an entry (columns 30–38): each 公費's 負担者番号, 受給者番号, name and
/// 有効期限, then how they were confirmed ([`PUBLIC_EXPENSE_SEEN_LABEL`], empty without 公費).
fn public_cells(e: &LogEntry) -> [String; 9] {
    let cells = |i: usize| -> [String; 4] {
        e.public_expenses.get(i).map_or_else(Default::default, |p| {
            [
                p.payer_number.as_str().to_string(),
                text(p.recipient_number.as_deref()),
                p.program_ja(),
                date(p.valid_until),
            ]
        })
    };
    let [a, b, c, d] = cells(0);
    let [f, g, h, i] = cells(1);
    let seen = if e.public_expenses.is_empty() {
        String::new()
    } else {
        PUBLIC_EXPENSE_SEEN_LABEL.to_string()
    };
    [a, b, c, d, f, g, h, i, seen]
}

/// One entry as the CSV's cells, in [`CSV_COLUMNS`] order.
pub fn csv_cells(e: &LogEntry) -> [String; CSV_WIDTH] {
    let mut cells: [String; CSV_WIDTH] = std::array::from_fn(|_| String::new());
    for (cell, value) in cells
        .iter_mut()
        .zip(insurance_cells(e).into_iter().chain(public_cells(e)))
    {
        *cell = value;
    }
    cells
}

/// Columns 1–29: the visit and its insurance.
fn insurance_cells(e: &LogEntry) -> [String; 29] {
    let visit_day = date(Some(e.visit_date()));
    let time = crate::clock::hour_minute(japan_time(e.recorded_at));
    let status = e.status_label_ja().to_string();
    let confirmation = confirmation_ja(e).to_string();
    let operator = e.operator.clone();
    let position = e.position.to_string();
    match &e.kind {
        EntryKind::Verified(v) => {
            let c = v.claim();
            let doc = v.document();
            [
                visit_day,
                time,
                status,
                confirmation,
                v.card().label_ja().to_string(),
                c.insurer_number.as_str().to_string(),
                text(c.symbol.as_deref()),
                c.number.clone(),
                text(c.branch.as_deref()),
                c.name.clone(),
                c.kana.clone(),
                date(Some(c.birth_date)),
                c.sex.label_ja().to_string(),
                c.relationship.label_ja().to_string(),
                claim_copay(c.copay, c.preschool),
                date(c.valid_from),
                date(c.valid_until),
                copay(c.elderly.as_ref().map(|x| x.copay)),
                date(c.elderly.as_ref().map(|x| x.effective_from)),
                text(c.limit.as_ref().map(|l| l.category.as_str())),
                date(c.limit.as_ref().and_then(|l| l.effective_from)),
                String::new(),
                doc.key_id.clone(),
                doc.format.to_string(),
                date(Some(doc.issued_on)),
                operator,
                position,
                text(doc.kind.map(DocumentKind::label_ja)),
                if c.preschool { "未就学" } else { "" }.to_string(),
            ]
        }
        EntryKind::Declared(d) => [
            visit_day,
            time,
            status,
            confirmation,
            CardCheckMethod::None.label_ja().to_string(),
            text(d.insurer_number.as_ref().map(|n| n.as_str())),
            text(d.symbol.as_deref()),
            text(d.number.as_deref()),
            text(d.branch.as_deref()),
            d.name.clone(),
            text(d.kana.as_deref()),
            date(Some(d.birth_date)),
            text(d.sex.map(Sex::label_ja)),
            text(d.relationship.map(Relationship::label_ja)),
            declared_copay(d, e.visit_date()),
            String::new(),
            String::new(),
            String::new(),
            String::new(),
            String::new(),
            String::new(),
            d.insurer_name.clone(),
            String::new(),
            String::new(),
            String::new(),
            operator,
            position,
            String::new(),
            if d.preschool_on(e.visit_date()) {
                "未就学"
            } else {
                ""
            }
            .to_string(),
        ],
    }
}

/// Who opens the CSV (docs/clinic.md, "CSV": leading zeros).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum CsvFlavor {
    /// For a レセコン import or any program that reads the file: every value exactly as printed
    /// (`01130012`, 枝番 `00`), nothing added.
    #[default]
    Data,
    /// For opening in spreadsheet software (Excel, Numbers, LibreOffice), which would read a
    /// value of digits as a number and drop its leading zeros (`01130012` → 1130012, `00` → 0):
    /// the number columns ([`SPREADSHEET_TEXT_COLUMNS`]) holding digits only are written as the
    /// text formula `="01130012"`, which the spreadsheet shows as `01130012`. Not for an import:
    /// the formula would be read literally.
    Spreadsheet,
}

/// The columns a spreadsheet would turn into numbers: 保険者番号, 記号, 番号, 枝番, and each
/// 公費's 負担者番号 and 受給者番号.
pub const SPREADSHEET_TEXT_COLUMNS: [&str; 8] = [
    "保険者番号",
    "記号",
    "番号",
    "枝番",
    "第一公費負担者番号",
    "第一公費受給者番号",
    "第二公費負担者番号",
    "第二公費受給者番号",
];

/// True when `value` is digits only (ASCII), the values a spreadsheet reads as numbers.
fn is_ascii_number(value: &str) -> bool {
    !value.is_empty() && value.bytes().all(|b| b.is_ascii_digit())
}

/// Appends one field as a text formula (`="…"`, RFC 4180 quoted): only for digits.
fn push_text_formula(out: &mut String, digits: &str) {
    out.push_str("\"=\"\"");
    out.push_str(digits);
    out.push_str("\"\"\"");
}

/// Appends one RFC 4180 field.
fn push_field(out: &mut String, value: &str) {
    let guarded;
    let value = if value.starts_with(['=', '+', '-', '@']) {
        guarded = format!("'{value}");
        guarded.as_str()
    } else {
        value
    };
    if value.contains([',', '"', '\r', '\n']) {
        out.push('"');
        out.push_str(&value.replace('"', "\"\""));
        out.push('"');
    } else {
        out.push_str(value);
    }
}

fn push_row<S: AsRef<str>>(out: &mut String, cells: &[S]) {
    for (i, c) in cells.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        push_field(out, c.as_ref());
    }
    out.push_str("\r\n");
}

/// The entries as CSV for a program (a レセコン import): BOM, header, one CRLF-terminated row
/// per entry, every value as printed ([`CsvFlavor::Data`]).
pub fn to_csv(entries: &[LogEntry]) -> String {
    to_csv_for(entries, CsvFlavor::Data)
}

/// The entries as CSV for `flavor`: the same header, rows and values; for
/// [`CsvFlavor::Spreadsheet`] the number columns that hold digits only are text formulas, so
/// that their leading zeros survive opening the file in a spreadsheet.
pub fn to_csv_for(entries: &[LogEntry], flavor: CsvFlavor) -> String {
    let text_columns: Vec<usize> = match flavor {
        CsvFlavor::Data => Vec::new(),
        CsvFlavor::Spreadsheet => CSV_COLUMNS
            .iter()
            .enumerate()
            .filter(|(_, c)| SPREADSHEET_TEXT_COLUMNS.contains(c))
            .map(|(i, _)| i)
            .collect(),
    };
    let mut out = String::from("\u{FEFF}");
    push_row(&mut out, &CSV_COLUMNS);
    for e in entries {
        let cells = csv_cells(e);
        for (i, c) in cells.iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            if text_columns.contains(&i) && is_ascii_number(c) {
                push_text_formula(&mut out, c);
            } else {
                push_field(&mut out, c);
            }
        }
        out.push_str("\r\n");
    }
    out
}

fn date_json(d: Option<NaiveDate>) -> Value {
    d.map_or(Value::Null, |d| Value::String(crate::clock::iso_date(d)))
}

fn sex_key(s: Sex) -> &'static str {
    match s {
        Sex::Male => "male",
        Sex::Female => "female",
        Sex::Other => "other",
    }
}

fn relationship_key(r: Relationship) -> &'static str {
    match r {
        Relationship::Insured => "self",
        Relationship::Dependent => "dependent",
    }
}

/// One entry as a JSON object with stable field names (docs/clinic.md).
pub fn entry_json(e: &LogEntry) -> Value {
    let (kind, verdict, card, claim, document) = match &e.kind {
        EntryKind::Verified(v) => {
            let c = v.claim();
            let d = v.document();
            (
                "verified",
                json!(v.verdict().key()),
                json!(v.card().key()),
                json!({
                    "insurer_number": c.insurer_number.as_str(),
                    "insurer_name": null,
                    "symbol": c.symbol,
                    "number": c.number,
                    "branch": c.branch,
                    "name": c.name,
                    "kana": c.kana,
                    "birth_date": date_json(Some(c.birth_date)),
                    "sex": sex_key(c.sex),
                    "relationship": relationship_key(c.relationship),
                    "copay_percent": c.copay.map(CopayRate::percent),
                    "valid_from": date_json(c.valid_from),
                    "valid_until": date_json(c.valid_until),
                    "elderly": c.elderly.as_ref().map(|x| json!({
                        "copay_percent": x.copay.percent(),
                        "effective_from": date_json(Some(x.effective_from)),
                        "valid_until": date_json(x.valid_until),
                    })),
                    "limit": c.limit.as_ref().map(|l| json!({
                        "category": l.category,
                        "effective_from": date_json(l.effective_from),
                    })),
                    "preschool": c.preschool,
                }),
                json!({
                    "key_id": d.key_id,
                    "format": d.format,
                    "issued_on": date_json(Some(d.issued_on)),
                    "kind": d.kind,
                }),
            )
        }
        EntryKind::Declared(d) => (
            "declaration",
            Value::Null,
            Value::Null,
            json!({
                "insurer_number": d.insurer_number.as_ref().map(|n| n.as_str()),
                "insurer_name": d.insurer_name,
                "symbol": d.symbol,
                "number": d.number,
                "branch": d.branch,
                "name": d.name,
                "kana": d.kana,
                "birth_date": date_json(Some(d.birth_date)),
                "sex": d.sex.map(sex_key),
                "relationship": d.relationship.map(relationship_key),
                "copay_percent": d.copay.map(CopayRate::percent),
                "valid_from": null,
                "valid_until": null,
                "elderly": null,
                "limit": null,
                "preschool": null,
            }),
            Value::Null,
        ),
    };
    json!({
        "position": e.position,
        "visit_date": date_json(Some(e.visit_date())),
        "recorded_at": e.recorded_at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        "kind": kind,
        "verified": e.is_verified(),
        "status": e.status_label_ja(),
        "confirmation": confirmation_ja(e),
        "verdict": verdict,
        "card_check": card,
        "operator": e.operator,
        "claim": claim,
        "document": document,
        "public_expenses": e.public_expenses.iter().enumerate().map(|(i, p)| json!({
            "order": i + 1,
            "payer_number": p.payer_number.as_str(),
            "recipient_number": p.recipient_number,
            "program": p.program_ja(),
            "valid_until": date_json(p.valid_until),
            "confirmation": PUBLIC_EXPENSE_SEEN_LABEL,
        })).collect::<Vec<_>>(),
    })
}

/// A range of the log as one JSON document: `format`, `version`, `from`, `to`, `entries` and
/// `corrupt` (the positions of damaged rows, which are not exported).
pub fn to_json(list: &VisitList, from: NaiveDate, to: NaiveDate) -> String {
    let corrupt: Vec<Value> = list
        .corrupt
        .iter()
        .filter_map(|r| r.id.parse::<u64>().ok())
        .map(|p| json!(p))
        .collect();
    let doc = json!({
        "format": "shikaku-clinic-visits",
        "version": 1,
        "from": date_json(Some(from)),
        "to": date_json(Some(to)),
        "entries": list.entries.iter().map(entry_json).collect::<Vec<_>>(),
        "corrupt": corrupt,
    });
    doc.to_string()
}
