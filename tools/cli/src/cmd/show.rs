//! `shikaku show`: a member's eligibility screen as terminal text, an HTML page or JSON.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context as _, Result};
use clap::Args;
use shikaku_core::screen::HouseholdSnapshot;

use crate::context::{Context, create_private, resolve_in};
use crate::render::{html, json, text};
use crate::util::AtArg;

/// The arguments of `show`.
#[derive(Args)]
pub struct ShowArgs {
    /// Member id (or a unique prefix of it).
    member: String,
    /// text (terminal), html (a self-contained page) or json (the view model).
    #[arg(long, default_value = "text", value_parser = ["text", "html", "json"])]
    format: String,
    /// Write to this file instead of standard output.
    #[arg(long, value_name = "FILE")]
    out: Option<PathBuf>,
    #[command(flatten)]
    at: AtArg,
}

/// Runs `show`.
pub fn run(ctx: &Context, args: ShowArgs) -> Result<ExitCode> {
    let store = ctx.open()?;
    // One read of the household (the screen needs the rest of it: docs/rules.md §1.4).
    let snapshot = HouseholdSnapshot::read(&store, args.at.now())?;
    let screen = snapshot.member_screen(resolve_in(&snapshot, &args.member)?)?;
    let page = match args.format.as_str() {
        "html" => html::screen_html(&screen),
        "json" => json::screen_json(&screen)?,
        _ => text::screen_text(&screen),
    };
    match args.out {
        Some(path) => {
            use std::io::Write as _;
            create_private(&path)?
                .write_all(page.as_bytes())
                .with_context(|| format!("cannot write {}", path.display()))?;
            outln!("wrote {}", path.display());
        }
        None => out!("{page}"),
    }
    Ok(ExitCode::SUCCESS)
}
