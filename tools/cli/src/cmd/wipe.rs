//! `shikaku wipe --yes`: delete the store; needs no passphrase (the reset for a forgotten one).

use std::process::ExitCode;

use anyhow::{Result, bail};
use clap::Args;
use shikaku_core::store::Store;

use crate::context::Context;

/// The arguments of `wipe`.
#[derive(Args)]
pub struct WipeArgs {
    /// Confirm.
    #[arg(long)]
    yes: bool,
}

/// Runs `wipe`.
pub fn run(ctx: &Context, args: WipeArgs) -> Result<ExitCode> {
    if !args.yes {
        bail!("this deletes every member and record; run again with --yes");
    }
    Store::destroy(&ctx.db())?;
    outln!("wiped {}", ctx.dir().display());
    Ok(ExitCode::SUCCESS)
}
