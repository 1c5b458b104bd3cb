//! `shikaku checklist`: notice A's switch checklist to the マイナ保険証 (STEP1–3 and the
//! やることリスト), for one member or every member, from what each holds.

use std::process::ExitCode;

use anyhow::Result;
use clap::Args;
use shikaku_core::screen::member_checklist;

use crate::context::{Context, resolve_member};
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
    let members = match &args.member {
        Some(m) => vec![resolve_member(&store, m)?],
        None => store.household()?.members,
    };
    let now = args.at.now();
    let mut all = Vec::with_capacity(members.len());
    for m in &members {
        let c = member_checklist(&store, m.id, now)?;
        all.push((m.id.to_string(), m.data.name.clone(), c));
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
