//! `shikaku clinic declare|log`: the clinic desk's visit log (docs/clinic.md). The desk has its
//! own encrypted store (`--desk-dir`, default the data directory + `/clinic`), opened with a
//! passphrase like the household store's. The rules (validation, the chain, the export
//! formats) are the core's `clinic` module; this file parses, prompts and prints.

pub(crate) mod desk;
mod serve;

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Result, anyhow, bail};
use chrono::{NaiveDate, Utc};
use clap::{Args, Subcommand, ValueEnum};
use shikaku_core::clinic::{
    CheckedVisits, ClinicError, DECLARED_LABEL, DESK_FILE, DeclarationForm, DeclarationText,
    DeskStore, INCOMPLETE_LABEL, LogCheck, LogEntry, PUBLIC_EXPENSE_SEEN_LABEL, PublicExpenseEntry,
    export, public_expense_order_ja,
};
use shikaku_core::clock::japan_today;
use shikaku_core::eligibility::text::parse_date;
use shikaku_core::store::PassphraseKeyStore;
use shikaku_core::store::StoreError;

use crate::context::{Context, PASSPHRASE_ENV, create_private, new_passphrase, passphrase};

/// `clinic` and its options.
#[derive(Args)]
pub struct ClinicArgs {
    /// The desk store's directory (default: the data directory + /clinic).
    #[arg(long, global = true, value_name = "DIR")]
    desk_dir: Option<PathBuf>,
    #[command(subcommand)]
    command: ClinicCommand,
}

/// The `clinic` subcommands.
#[derive(Subcommand)]
pub enum ClinicCommand {
    /// The desk's trust list (the issuer keys presentations are verified against): `update`
    /// fetches it from the issuer, `import` reads a signed file.
    #[command(subcommand)]
    Trust(desk::TrustCommand),
    /// Verify a patient's QR code offline (確認済み / 有効期限切れ / 発行元不明 / 署名不正 /
    /// 形式不正), optionally check their card on the desk's reader and record the visit.
    /// Exit 0 only when 確認済み.
    Verify(desk::VerifyArgs),
    /// Record a 被保険者資格申立書 (what a patient declares when nothing can be verified). It is
    /// always shown and exported as 申立・未検証. Prints the entry's number; on standard error,
    /// the share to collect at the window (窓口負担) and, when the patient already has a visit
    /// today, a notice (お知らせ).
    Declare(DeclareArgs),
    /// The visit log of a day or a date range (default: today in Japan), as text, CSV or JSON,
    /// after checking the whole log's chain: when it is broken, the listing is still written
    /// but marked incomplete, and the exit is 1. `clinic log verify` checks the whole log.
    Log(LogArgs),
    /// Serve the desk page on this PC (loopback only, a secret per run in the URL).
    Serve(serve::ServeArgs),
}

/// What the patient declares (the address and telephone stay on the paper form).
#[derive(Args)]
pub struct DeclareArgs {
    /// 氏名.
    #[arg(long)]
    name: String,
    /// 氏名カナ (katakana).
    #[arg(long)]
    kana: Option<String>,
    /// 生年月日, YYYY-MM-DD or 和暦 (S45.5.6).
    #[arg(long)]
    birth: String,
    /// 性別: male, female or other (男, 女). Required (a claim field): without it, or with
    /// another value, the core refuses the 申立, naming it with every other mistake (as the desk
    /// page does).
    #[arg(long)]
    sex: Option<String>,
    /// self (本人) or dependent (家族). Required (a claim field): without it, or with another
    /// value, the core refuses the 申立, naming it with every other mistake.
    #[arg(long)]
    relationship: Option<String>,
    /// The insurance the patient belongs to: the insurer's name or the employer.
    #[arg(long)]
    insurer_name: String,
    /// 保険者番号, if known.
    #[arg(long)]
    insurer_number: Option<String>,
    /// 記号, if known.
    #[arg(long)]
    symbol: Option<String>,
    /// 番号, if known.
    #[arg(long)]
    number: Option<String>,
    /// 枝番, if known (2 digits).
    #[arg(long)]
    branch: Option<String>,
    /// The share the patient says they pay, in percent: 10, 20 or 30 (another value is refused
    /// by the core in the share's field, with every other mistake).
    #[arg(long, value_name = "PERCENT")]
    copay: Option<String>,
    #[command(flatten)]
    public: PublicExpenseArgs,
    /// The desk operator recording it.
    #[arg(long)]
    operator: String,
}

/// `--public`, the same for `clinic declare` and `clinic verify --record`.
#[derive(Args)]
pub(crate) struct PublicExpenseArgs {
    /// A 公費 受給者証 shown beside the insurance, as typed from the paper:
    /// `負担者番号[:受給者番号[:有効期限[:名称]]]` (an empty part is left out). Once for the 第一公費,
    /// again for the 第二公費; recorded and exported as 受給者証目視・未検証.
    #[arg(long = "public", value_name = "PAYER[:RECIPIENT[:UNTIL[:NAME]]]", value_parser = public_expense)]
    pub(crate) entries: Vec<PublicExpenseEntry>,
}

/// One `--public` value: the parts as typed, in the order printed on most 受給者証; the core
/// validates them.
fn public_expense(s: &str) -> Result<PublicExpenseEntry, String> {
    let mut parts = s.splitn(4, ':').map(str::trim);
    let part = |p: Option<&str>| p.filter(|p| !p.is_empty()).map(str::to_string);
    // The core checks every part (an empty 公費負担者番号 too); a refusal here would have clap
    // echo the whole value.
    let payer_number = parts.next().unwrap_or_default().to_string();
    Ok(PublicExpenseEntry {
        payer_number,
        recipient_number: part(parts.next()),
        valid_until: part(parts.next()),
        program: part(parts.next()),
    })
}

/// How `clinic log` prints.
#[derive(Clone, Copy, ValueEnum)]
pub enum LogFormat {
    /// One line per entry.
    Text,
    /// CSV for spreadsheets and レセコン re-keying (UTF-8 with BOM, CRLF; docs/clinic.md).
    Csv,
    /// JSON with stable field names (docs/clinic.md).
    Json,
    /// FHIR R4 with the JP Core profiles: a Bundle of Patient, Coverage, Encounter and the
    /// payers (docs/clinic.md).
    Fhir,
}

/// `clinic log` options, or `clinic log verify`.
#[derive(Args)]
#[command(args_conflicts_with_subcommands = true)]
pub struct LogArgs {
    #[command(subcommand)]
    command: Option<LogCommand>,
    /// First day (in Japan), YYYY-MM-DD or 和暦 (default: --to, or today).
    #[arg(long)]
    from: Option<String>,
    /// Last day (in Japan), included (default: today).
    #[arg(long)]
    to: Option<String>,
    /// Output format.
    #[arg(long, value_enum, default_value = "text")]
    format: LogFormat,
    /// Write to this new file (created owner-only) instead of standard output.
    #[arg(long, value_name = "FILE")]
    out: Option<PathBuf>,
}

/// `clinic log verify`.
#[derive(Subcommand)]
pub enum LogCommand {
    /// Check the whole log's chain and sealed head. Exit 0 only when it is intact; otherwise
    /// prints the first bad entry number.
    Verify,
}

/// Runs `clinic …`.
pub fn run(ctx: &Context, args: ClinicArgs) -> Result<ExitCode> {
    let dir = args.desk_dir.unwrap_or_else(|| ctx.dir().join("clinic"));
    match args.command {
        ClinicCommand::Trust(c) => desk::trust(&dir, c),
        ClinicCommand::Verify(a) => desk::verify(&mut open(&dir, false)?, a),
        ClinicCommand::Declare(a) => declare(&dir, a),
        ClinicCommand::Log(LogArgs {
            command: Some(LogCommand::Verify),
            ..
        }) => verify(&dir),
        ClinicCommand::Log(a) => log(&dir, a),
        ClinicCommand::Serve(a) => serve::run(&dir, a),
    }
}

/// Opens the desk store; creates it (asking for a new passphrase) only when `create`.
fn open(dir: &Path, create: bool) -> Result<DeskStore> {
    let exists = dir.join(DESK_FILE).is_file();
    let pass = if exists {
        passphrase()?
    } else if create {
        new_passphrase(PASSPHRASE_ENV, "New passphrase for this clinic desk")?
    } else {
        bail!(
            "no clinic desk in {} yet (start with `shikaku clinic trust import` or `update`)",
            dir.display()
        );
    };
    Ok(DeskStore::open(dir, &PassphraseKeyStore::new(pass))?)
}

fn declare(dir: &Path, a: DeclareArgs) -> Result<ExitCode> {
    // Read as the desk page reads its form (the core's one reading of typed text).
    let form = DeclarationForm::from_text(DeclarationText {
        name: &a.name,
        kana: a.kana.as_deref(),
        birth_date: &a.birth,
        sex: a.sex.as_deref(),
        relationship: a.relationship.as_deref(),
        insurer_name: &a.insurer_name,
        insurer_number: a.insurer_number.as_deref(),
        symbol: a.symbol.as_deref(),
        number: a.number.as_deref(),
        branch: a.branch.as_deref(),
        copay: a.copay.as_deref(),
    });
    let now = Utc::now();
    // Every mistake of the form at once (the operator's name included), and before a new desk
    // is created or a passphrase asked.
    let (declared, _, _) =
        match form.validate_with_public(&a.public.entries, &a.operator, japan_today(now)) {
            Ok(valid) => valid,
            // An unacceptable operator name, the form's fields and the 公費 typed wrong in the
            // core's words first (as `clinic verify --record` and the desk page say them), then
            // every failing field for scripts.
            Err(e) => {
                let ja = e.refusals_ja();
                if ja.is_empty() {
                    return Err(e.into());
                }
                bail!("{}\n(nothing recorded: {e})", ja.join("\n"))
            }
        };
    let mut desk = open(dir, true)?;
    // The patient's visit already recorded today (by the declared 保険者番号 and 番号, else by
    // 生年月日 and 氏名 or カナ), looked up before this one is: the core's notice, as `clinic verify --record` and the desk page
    // show it; not a refusal. (A damaged entry there is the log's problem, said by the append.)
    let same_day = desk
        .same_day_visit_of_declaration(&declared, now)
        .ok()
        .flatten();
    let position = match desk.declare_with(&form, &a.public.entries, &a.operator, now) {
        Ok(p) => p,
        Err(e @ ClinicError::Store(StoreError::Corrupt { .. } | StoreError::Tampered { .. })) => {
            // The append found the log broken (or a row damaged): say where, in Japanese too,
            // and the way forward (the core's words).
            if let Some(n) = desk.check_log()?.notice_ja() {
                eprintln!("{n}");
            }
            if let Some(ja) = e.log_refusal_ja() {
                eprintln!("{ja}");
            }
            bail!(
                "{e}; nothing was recorded: a damaged log is not extended (run `shikaku clinic log verify`)"
            )
        }
        // The desk's clock earlier than the log's last entry: the core's words first.
        Err(e) => match e.clock_refusal_ja() {
            Some(ja) => bail!("{ja}\n(nothing recorded: {e})"),
            None => return Err(e.into()),
        },
    };
    outln!("{position}");
    eprintln!("recorded entry {position}: 被保険者資格申立書 ({DECLARED_LABEL})");
    if !a.public.entries.is_empty() {
        eprintln!(
            "with {} 公費 ({PUBLIC_EXPENSE_SEEN_LABEL})",
            a.public.entries.len()
        );
    }
    // The share to collect at the window: the core's line (declared, else the law's by age).
    eprintln!(
        "{}",
        declared.cashier_ja(japan_today(now), !a.public.entries.is_empty())
    );
    if let Some(earlier) = same_day {
        eprintln!("お知らせ: {}", earlier.notice_ja());
    }
    Ok(ExitCode::SUCCESS)
}

fn day(label: &str, s: &str) -> Result<NaiveDate> {
    parse_date(s).map_err(|e| anyhow!("--{label}: {e}"))
}

fn text_line(e: &LogEntry) -> String {
    let c = export::csv_cells(e);
    let col = |name: &str| {
        export::CSV_COLUMNS
            .iter()
            .position(|n| *n == name)
            .map_or("", |i| c[i].as_str())
    };
    let mut line = format!(
        "#{:<5} {} {}  {}  {}  {}  {}  受付: {}",
        e.position,
        col("受診日"),
        col("受付時刻"),
        e.status_label_ja(),
        col("確認方法"),
        col("氏名"),
        export::numbers_ja(e),
        e.operator,
    );
    for (i, p) in e.public_expenses.iter().enumerate() {
        line.push_str(&format!(
            "  {}: {}（{PUBLIC_EXPENSE_SEEN_LABEL}）",
            public_expense_order_ja(i),
            p.payer_number.as_str()
        ));
    }
    line
}

/// `clinic log`: the entries of the range, checked against the whole log's chain. When the
/// chain is broken or an entry is damaged, the listing or export is still written, marked
/// incomplete (text: the notice first; CSV: a marker row after the header; JSON: `complete`
/// false and `log_check`), the receptionist's line goes to standard error, and the exit is 1.
fn log(dir: &Path, a: LogArgs) -> Result<ExitCode> {
    let today = japan_today(Utc::now());
    let to = a.to.as_deref().map(|s| day("to", s)).transpose()?;
    let from = a.from.as_deref().map(|s| day("from", s)).transpose()?;
    let to = to.unwrap_or(today);
    let from = from.unwrap_or(to);
    let desk = open(dir, false)?;
    let checked: CheckedVisits = desk.visits_between_checked(from, to)?;
    let notice = checked.notice_ja();
    let body = match a.format {
        LogFormat::Csv => checked.to_csv(),
        LogFormat::Json => checked.to_json(from, to) + "\n",
        LogFormat::Fhir => checked.to_fhir(Utc::now()) + "\n",
        LogFormat::Text => {
            let mut s = String::new();
            if let Some(n) = &notice {
                s.push_str(&format!("【{INCOMPLETE_LABEL}】{n}\n"));
            }
            for e in &checked.list.entries {
                s.push_str(&text_line(e));
                s.push('\n');
            }
            if checked.list.entries.is_empty() {
                s.push_str(&format!("no visits from {from} to {to}\n"));
            }
            s
        }
    };
    match &a.out {
        Some(path) => create_private(path)?.write_all(body.as_bytes())?,
        None => out!("{body}"),
    }
    if let Some(n) = notice {
        eprintln!("{n}");
        let at = match checked.check {
            LogCheck::Broken { position: 0, .. } => "the chain head is damaged".to_string(),
            LogCheck::Broken { position, problem } => {
                format!("the log is broken at entry {position} ({problem:?})")
            }
            LogCheck::Intact { .. } => {
                let rows: Vec<&str> = checked.list.corrupt.iter().map(|r| r.id.as_str()).collect();
                format!("entries {} are damaged and not shown", rows.join(", "))
            }
        };
        eprintln!(
            "error: {at}; this listing is incomplete{}; run `shikaku clinic log verify`",
            if a.out.is_some() {
                " (the file written is marked so)"
            } else {
                ""
            }
        );
        return Ok(ExitCode::FAILURE);
    }
    Ok(ExitCode::SUCCESS)
}

fn verify(dir: &Path) -> Result<ExitCode> {
    let desk = open(dir, false)?;
    match desk.verify_log()? {
        LogCheck::Intact { entries, head } => {
            outln!("intact: {entries} entries; chain head {head}");
            Ok(ExitCode::SUCCESS)
        }
        LogCheck::Broken { position, problem } => {
            let at = if position == 0 {
                "the chain head".to_string()
            } else {
                format!("entry {position}")
            };
            outln!(
                "BROKEN at {at}: {} ({problem:?}); entries from there on cannot be trusted",
                problem.label_ja()
            );
            if let Some(n) = (LogCheck::Broken { position, problem }).notice_ja() {
                outln!("{n}");
            }
            Ok(ExitCode::FAILURE)
        }
    }
}
