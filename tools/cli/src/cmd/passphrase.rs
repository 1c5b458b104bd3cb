//! `shikaku passphrase change`: a new data key wrapped under a new, strong passphrase.

use std::process::ExitCode;

use anyhow::Result;
use clap::Subcommand;
use shikaku_core::store::PassphraseKeyStore;

use crate::context::{Context, NEW_PASSPHRASE_ENV, new_passphrase};

/// The `passphrase` subcommands.
#[derive(Subcommand)]
pub enum PassphraseCommand {
    /// Change the passphrase: old from SHIKAKU_PASSPHRASE or a prompt, new from
    /// SHIKAKU_NEW_PASSPHRASE or a prompt (asked twice). The new one needs at least 15
    /// characters, at least 6 different ones, no keyboard or alphabet run, and must not be
    /// built from a common password; the store is then wrapped at the desktop Argon2id cost.
    Change,
}

/// Runs `passphrase …`.
pub fn run(ctx: &Context, cmd: PassphraseCommand) -> Result<ExitCode> {
    let PassphraseCommand::Change = cmd;
    let mut store = ctx.open()?;
    let new = new_passphrase(NEW_PASSPHRASE_ENV, "New passphrase")?;
    // A new data key, every row sealed again: a copy of the store from before the change,
    // with the old passphrase, cannot open what is written after it. The new wrapping uses
    // the desktop Argon2id cost, whatever the old blob's was.
    store.rekey(&PassphraseKeyStore::new(new))?;
    outln!("passphrase changed");
    Ok(ExitCode::SUCCESS)
}
