//! `shikaku sync`: download the household's signed documents, logging in with the card.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context as _, Result, anyhow};
use chrono::Utc;
use clap::Args;
use shikaku_core::card::Pin;
use shikaku_core::sync::http::ServerUrl;
use shikaku_core::sync::{SyncConfig, sync};

use crate::context::{Context, pin};
use crate::render::text;
use crate::transport::http::UreqTransport;
use crate::transport::reader::open_reader;
use crate::util::read_root;

/// The arguments of `sync`.
#[derive(Args)]
pub struct SyncArgs {
    /// The issuer's base URL (https://…).
    #[arg(long)]
    server: String,
    /// The card that logs in: `pcsc`, `pcsc:NAME` or `vcard:PROFILE.toml`.
    #[arg(long)]
    reader: String,
    /// Trust only this CA for the server's TLS certificate (PEM), e.g. a development issuer's.
    #[arg(long, value_name = "PEM")]
    ca: Option<PathBuf>,
    /// The trust-list root public key to pin (PEM or SEC1); remembered after the first sync.
    #[arg(long, value_name = "PEM")]
    root: Option<PathBuf>,
    /// Allow plain http:// to 127.0.0.1 / localhost (development only).
    #[arg(long)]
    dev_insecure_http: bool,
    /// Send the PIN even when only one try is left.
    #[arg(long)]
    allow_last_attempt: bool,
}

/// Runs `sync`.
pub fn run(ctx: &Context, args: SyncArgs) -> Result<ExitCode> {
    let server = ServerUrl::parse(&args.server, args.dev_insecure_http)?;
    let mut store = ctx.open_or_create()?;
    // The core pins the root on the first sync and refuses a different one afterwards.
    let root = args.root.as_deref().map(read_root).transpose()?;
    let ca = match &args.ca {
        Some(p) => Some(std::fs::read(p).with_context(|| format!("cannot read {}", p.display()))?),
        None => None,
    };
    let http = UreqTransport::new(ca.as_deref())?;
    let reader = open_reader(&args.reader)?;
    // Checked as soon as it is read (bytes, no further text copy): the typed text is wiped at
    // the end of this statement, and a bad format is refused before any request is sent.
    let pin = Pin::from_bytes(pin()?.as_bytes())
        .map_err(|e| anyhow!("sync not started: {e} (nothing was sent)"))?;
    let config = SyncConfig {
        server,
        root,
        allow_last_attempt: args.allow_last_attempt,
        timeout_ms: 15_000,
    };
    outln!(
        "sync with {} using {}",
        config.server.as_str(),
        reader.label
    );
    let result = sync(
        &mut store,
        &http,
        reader.transport.as_ref(),
        &pin,
        &config,
        Utc::now(),
        // Progress is printed as it happens; a closed stdout must not abort the sync.
        &mut |s| println_safe(&text::sync_step(&s)),
    );
    let report = result.map_err(|e| anyhow!("sync failed: {e} (nothing stored was changed)"))?;
    outln!(
        "sync done at {} (trust list v{})",
        report.at.format("%Y-%m-%d %H:%M:%S UTC"),
        report.trust_list_version
    );
    Ok(ExitCode::SUCCESS)
}

fn println_safe(line: &str) {
    use std::io::Write as _;
    let _ = writeln!(std::io::stdout().lock(), "  {line}");
}
