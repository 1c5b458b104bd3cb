//! `shikaku validate …`: check a value without storing anything.

use std::process::ExitCode;

use anyhow::Result;
use clap::Subcommand;
use shikaku_core::eligibility::InsurerNumber;

/// The `validate` subcommands.
#[derive(Subcommand)]
pub enum ValidateCommand {
    /// Check a 保険者番号: prints `valid` or `invalid: <reason>`; exit 0 / 1.
    InsurerNumber {
        /// The number (6 or 8 digits).
        number: String,
    },
}

/// Runs `validate …`.
pub fn run(cmd: ValidateCommand) -> Result<ExitCode> {
    let ValidateCommand::InsurerNumber { number } = cmd;
    Ok(match InsurerNumber::parse(&number) {
        Ok(_) => {
            outln!("valid");
            ExitCode::SUCCESS
        }
        Err(e) => {
            outln!("invalid: {e}");
            ExitCode::FAILURE
        }
    })
}
