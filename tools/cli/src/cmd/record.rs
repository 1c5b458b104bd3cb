//! `shikaku record add|list|show|replace|remove`: hand entry of a record from a JSON file
//! (docs/record-json.md), the member's records with their ids, one record as that JSON to
//! correct it (a 資格喪失日 to type in, a digit mistyped) and enter it again in its place, and
//! removing one (an old document no longer in use: the screen's `InsurancesOverlap` notice
//! offers it).

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context as _, Result, anyhow, bail};
use chrono::Utc;
use clap::Subcommand;
use shikaku_core::clock::iso_date;
use shikaku_core::eligibility::{MAX_RECORD_JSON_BYTES, RecordForm, RecordId};
use shikaku_core::screen::view::provenance_state;

use crate::context::{Context, resolve_member};
use crate::util::AtArg;

/// The `record` subcommands.
#[derive(Subcommand)]
pub enum RecordCommand {
    /// Enter a record from a JSON file (docs/record-json.md); prints the new record id. It is
    /// always shown as 手入力・未検証.
    Add {
        /// Member id (or a unique prefix).
        #[arg(long)]
        member: String,
        /// The record as JSON.
        #[arg(long, value_name = "FILE.json")]
        file: PathBuf,
    },
    /// List a member's records: id, document, 保険者名, 記号・番号, 有効期限, 資格喪失日 and
    /// the badge.
    List {
        /// Member id (or a unique prefix).
        #[arg(long)]
        member: String,
        #[command(flatten)]
        at: AtArg,
    },
    /// Print one record as hand-entry JSON (docs/record-json.md), to correct it and enter it
    /// again with `record replace`.
    Show {
        /// The record id (the full id, as `record list` prints it).
        #[arg(long)]
        record: String,
    },
    /// Enter a corrected record from a JSON file in place of one (same id and member). It is
    /// then shown as 手入力・未検証, whatever it was before (an issuer-signed record too).
    Replace {
        /// The record id (the full id, as `record list` prints it).
        #[arg(long)]
        record: String,
        /// The corrected record as JSON.
        #[arg(long, value_name = "FILE.json")]
        file: PathBuf,
    },
    /// Remove one record (the full id, as `record list` prints it).
    Remove {
        /// The record id.
        #[arg(long)]
        record: String,
    },
}

/// Runs `record …`.
pub fn run(ctx: &Context, cmd: RecordCommand) -> Result<ExitCode> {
    match cmd {
        RecordCommand::Add { member, file } => {
            let form = read_record_file(&file)?;
            let mut store = ctx.open()?;
            let m = resolve_member(&store, &member)?;
            outln!("{}", store.enter_record(m.id, &form, Utc::now())?);
        }
        RecordCommand::List { member, at } => {
            let store = ctx.open()?;
            let m = resolve_member(&store, &member)?;
            let now = at.now();
            let trust = store.trust_list(now)?;
            let list = store.records(m.id)?;
            let day = |d: Option<chrono::NaiveDate>| d.map_or("-".to_string(), iso_date);
            for r in &list.records {
                let rec = &r.record;
                outln!(
                    "{}  {}  {}  {}{}  有効期限 {}  資格喪失日 {}  {}",
                    r.id,
                    rec.kind.label_ja(),
                    rec.insurer_name,
                    rec.symbol
                        .as_deref()
                        .map_or(String::new(), |s| format!("{s}・")),
                    rec.number,
                    day(rec.valid_until),
                    day(rec.lost_on),
                    provenance_state(r, trust.as_ref(), now).label_ja()
                );
            }
            if list.records.is_empty() && list.corrupt.is_empty() {
                outln!("（記録はありません）");
            }
            if !list.corrupt.is_empty() {
                outln!("読めない記録: {}件", list.corrupt.len());
            }
        }
        RecordCommand::Show { record } => {
            let id = record_id(&record)?;
            let stored = ctx.open()?.record(id)?;
            outln!("{}", RecordForm::from(&stored.record).to_json());
        }
        RecordCommand::Replace { record, file } => {
            let id = record_id(&record)?;
            // The file is read before the store is opened: a bad file leaves the record as it was.
            let form = read_record_file(&file)?;
            ctx.open()?.reenter_record(id, &form, Utc::now())?;
            outln!("replaced {id} (手入力・未検証)");
        }
        RecordCommand::Remove { record } => {
            let id = record_id(&record)?;
            ctx.open()?.remove_record(id)?;
            outln!("removed {id}");
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn record_id(text: &str) -> Result<RecordId> {
    text.trim()
        .parse()
        .map_err(|_| anyhow!("not a record id (see `shikaku record list`)"))
}

fn read_record_file(path: &Path) -> Result<RecordForm> {
    use std::io::Read as _;
    let cannot_read = || format!("cannot read {}", path.display());
    // The core's limit, with one byte more read to tell a larger file: never more than that,
    // whatever the file says of its size (a FIFO or a device says 0).
    let mut bytes = Vec::new();
    std::fs::File::open(path)
        .and_then(|f| {
            f.take(MAX_RECORD_JSON_BYTES as u64 + 1)
                .read_to_end(&mut bytes)
        })
        .with_context(cannot_read)?;
    if bytes.len() > MAX_RECORD_JSON_BYTES {
        bail!(
            "{} is too large for a record (over {} bytes)",
            path.display(),
            MAX_RECORD_JSON_BYTES
        );
    }
    let text =
        String::from_utf8(bytes).map_err(|_| anyhow!("{} is not UTF-8 text", path.display()))?;
    RecordForm::from_json(&text).map_err(|e| anyhow!("invalid record file {}: {e}", path.display()))
}
