//! `shikaku show`: a member's eligibility screen as terminal text, an HTML page or JSON.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context as _, Result};
use clap::Args;
use shikaku_core::screen::member_screen;

use crate::context::{Context, create_private, resolve_member};
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
    let m = resolve_member(&store, &args.member)?;
    let screen = member_screen(&store, m.id, args.at.now())?;
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
