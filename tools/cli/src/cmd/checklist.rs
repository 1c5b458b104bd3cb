//! `shikaku checklist`: notice A's switch checklist to the マイナ保険証 (STEP1–3 and the
//! やることリスト), for one member or every member, from what each holds.

use std::process::ExitCode;

use anyhow::Result;
use clap::Args;
use shikaku_core::screen::{HouseholdSnapshot, switch_checklist};

use crate::context::{Context, resolve_in};
use crate::render::{json, text};
use crate::util::AtArg;

/// The arguments of `checklist`.
#[derive(Args)]
pub struct ChecklistArgs {
    /// Member id (or a unique prefix of it); every member when left out.
    member: Option<String>,
    /// text or json.
    #[arg(long, default_value = "text", value_parser = ["text", "json"])]
    format: String,
    #[command(flatten)]
    at: AtArg,
}

/// Runs `checklist`.
pub fn run(ctx: &Context, args: ChecklistArgs) -> Result<ExitCode> {
    let store = ctx.open()?;
    // One read of the household for every member's checklist.
    let snapshot = HouseholdSnapshot::read(&store, args.at.now())?;
    let ids = match &args.member {
        Some(m) => vec![resolve_in(&snapshot, m)?],
        None => snapshot.members().map(|m| m.id).collect(),
    };
    let mut all = Vec::with_capacity(ids.len());
    for id in ids {
        let c = switch_checklist(&snapshot.member_situation(id)?);
        let name = snapshot
            .members()
            .find(|m| m.id == id)
            .map(|m| m.data.name.clone())
            .unwrap_or_default();
        all.push((id.to_string(), name, c));
    }
    if args.format == "json" {
        out!("{}", json::checklist_json(&all)?);
        return Ok(ExitCode::SUCCESS);
    }
    if all.is_empty() {
        outln!("no members yet (shikaku member add …)");
    }
    for (i, (_, name, c)) in all.iter().enumerate() {
        if i > 0 {
            outln!();
        }
        out!("{}", text::checklist_text(name, c));
    }
    Ok(ExitCode::SUCCESS)
}
