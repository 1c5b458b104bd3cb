//! `shikaku record add`: hand entry of a record from a JSON file (docs/record-json.md).

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context as _, Result, anyhow, bail};
use chrono::Utc;
use clap::Subcommand;
use shikaku_core::eligibility::{MAX_RECORD_JSON_BYTES, RecordForm};

use crate::context::{Context, resolve_member};

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
}

/// Runs `record …`.
pub fn run(ctx: &Context, cmd: RecordCommand) -> Result<ExitCode> {
    let RecordCommand::Add { member, file } = cmd;
    let form = read_record_file(&file)?;
    let mut store = ctx.open()?;
    let m = resolve_member(&store, &member)?;
    outln!("{}", store.enter_record(m.id, &form, Utc::now())?);
    Ok(ExitCode::SUCCESS)
}

fn read_record_file(path: &Path) -> Result<RecordForm> {
    let meta =
        std::fs::metadata(path).with_context(|| format!("cannot read {}", path.display()))?;
    // The core's limit, checked on the file's size first so that a huge file is not read.
    if meta.len() > MAX_RECORD_JSON_BYTES as u64 {
        bail!(
            "{} is too large for a record ({} bytes)",
            path.display(),
            meta.len()
        );
    }
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("cannot read {} as UTF-8 text", path.display()))?;
    RecordForm::from_json(&text).map_err(|e| anyhow!("invalid record file {}: {e}", path.display()))
}
