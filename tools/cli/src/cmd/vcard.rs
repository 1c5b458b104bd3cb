//! `shikaku vcard serve|ca`: the virtual My Number Card used by tests and the demo.

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::atomic::AtomicBool;

use anyhow::{Context as _, Result, anyhow};
use clap::Subcommand;

/// The `vcard` subcommands.
#[derive(Subcommand)]
pub enum VcardCommand {
    /// Present a virtual My Number Card to pcscd through the vpcd driver until stopped.
    Serve {
        /// The card's profile (TOML; see examples/vcard-*.toml).
        #[arg(long)]
        profile: PathBuf,
        /// The vpcd driver's address.
        #[arg(long, default_value = shikaku_vcard::vpcd::DEFAULT_VPCD_ADDR)]
        vpcd: String,
    },
    /// Print (or write) the virtual cards' TEST CA certificate, to pass as --trust-anchor.
    Ca {
        /// Write the PEM here instead of printing it.
        #[arg(long)]
        out: Option<PathBuf>,
    },
}

/// Runs `vcard …`.
pub fn run(cmd: VcardCommand) -> Result<ExitCode> {
    match cmd {
        VcardCommand::Serve { profile, vpcd } => {
            let card = shikaku_vcard::card_from_profile_path(&profile)
                .map_err(|e| anyhow!("cannot load the virtual card {}: {e}", profile.display()))?;
            outln!(
                "virtual card {} → vpcd {vpcd} (stop with Ctrl-C)",
                profile.display()
            );
            let stop = AtomicBool::new(false);
            let end = shikaku_vcard::vpcd::serve(&card, &vpcd, &stop)
                .map_err(|e| anyhow!("vpcd: {e}"))?;
            outln!("vpcd session ended: {end:?}");
            Ok(ExitCode::SUCCESS)
        }
        VcardCommand::Ca { out } => {
            let pem = shikaku_vcard::test_ca_pem().map_err(|e| anyhow!("{e}"))?;
            match out {
                Some(path) => {
                    std::fs::write(&path, pem)
                        .with_context(|| format!("cannot write {}", path.display()))?;
                    outln!("wrote {}", path.display());
                }
                None => out!("{pem}"),
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}
