//! `shikaku household` (alias `list`): the household overview — each member's id, who they
//! are, their card badge, their documents with provenance badges, and the most urgent notice.

use std::process::ExitCode;

use anyhow::Result;
use clap::Args;
use shikaku_core::screen::household_overview;

use crate::context::Context;
use crate::render::{json, text};
use crate::util::AtArg;

/// The arguments of `household`.
#[derive(Args)]
pub struct HouseholdArgs {
    /// text or json.
    #[arg(long, default_value = "text", value_parser = ["text", "json"])]
    format: String,
    #[command(flatten)]
    at: AtArg,
}

/// Runs `household`.
pub fn run(ctx: &Context, args: HouseholdArgs) -> Result<ExitCode> {
    let store = ctx.open()?;
    let overview = household_overview(&store, args.at.now())?;
    match args.format.as_str() {
        "json" => out!("{}", json::household_json(&overview)?),
        _ => {
            let people = store.household()?.members;
            out!("{}", text::household_text(&overview, &people));
        }
    }
    Ok(ExitCode::SUCCESS)
}
