//! `shikaku validate …`: check a value without storing anything.

use std::process::ExitCode;

use anyhow::Result;
use clap::Subcommand;
use shikaku_core::eligibility::InsurerNumber;

/// The `validate` subcommands.
#[derive(Subcommand)]
pub enum ValidateCommand {
    /// Check a 保険者番号 (or a 公費負担者番号): prints `valid` or `invalid: <reason>`; exit 0 / 1.
    /// For a valid number, the scheme it belongs to (協会けんぽ, 組合管掌健康保険, 国民健康保険,
    /// 後期高齢者医療, a 公費 …) follows on standard error, so that standard output stays one word.
    InsurerNumber {
        /// The number (6 or 8 digits).
        number: String,
    },
}

/// Runs `validate …`.
pub fn run(cmd: ValidateCommand) -> Result<ExitCode> {
    let ValidateCommand::InsurerNumber { number } = cmd;
    Ok(match InsurerNumber::identify(&number) {
        Ok(n) => {
            outln!("valid");
            let kind = if n.is_public_expense() {
                "公費負担者番号"
            } else {
                "保険者番号"
            };
            // What the number is, for a person reading along; a closed stderr is not an error.
            let _ = {
                use std::io::Write as _;
                writeln!(std::io::stderr().lock(), "{kind}: {}", n.program_label_ja())
            };
            ExitCode::SUCCESS
        }
        Err(e) => {
            outln!("invalid: {e}");
            ExitCode::FAILURE
        }
    })
}
