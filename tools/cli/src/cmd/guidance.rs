//! `shikaku guidance`: what to present at the clinic, for a member and the clinic's situation
//! (or every situation), from what the member holds.

use std::process::ExitCode;

use anyhow::Result;
use clap::Args;
use shikaku_core::screen::guidance::guidance;
use shikaku_core::screen::{ClinicSituation, HouseholdSnapshot, japan_today};

use crate::context::{Context, resolve_in};
use crate::render::{json, text};
use crate::util::{AtArg, CLINIC_SITUATIONS, clinic_situation};

/// The arguments of `guidance`.
#[derive(Args)]
pub struct GuidanceArgs {
    /// Member id (or a unique prefix of it).
    member: String,
    /// The clinic's situation: normal, reader-down, no-reader, power-out, network-down, or all
    /// (each of them in turn).
    #[arg(long, default_value = "reader-down", value_parser = clinic_names())]
    clinic: String,
    /// text or json.
    #[arg(long, default_value = "text", value_parser = ["text", "json"])]
    format: String,
    #[command(flatten)]
    at: AtArg,
}

fn clinic_names() -> Vec<&'static str> {
    CLINIC_SITUATIONS.iter().copied().chain(["all"]).collect()
}

/// Runs `guidance`.
pub fn run(ctx: &Context, args: GuidanceArgs) -> Result<ExitCode> {
    let store = ctx.open()?;
    let now = args.at.now();
    // One read of the household: the member's situation does not depend on the clinic's.
    let snapshot = HouseholdSnapshot::read(&store, now)?;
    let member = snapshot.member_situation(resolve_in(&snapshot, &args.member)?)?;
    let situations: Vec<(&str, ClinicSituation)> = if args.clinic == "all" {
        ClinicSituation::ALL.to_vec()
    } else {
        vec![(args.clinic.as_str(), clinic_situation(&args.clinic))]
    };
    let all: Vec<_> = situations
        .into_iter()
        .map(|(name, clinic)| (name, guidance(&member, &clinic, japan_today(now))))
        .collect();
    if args.format == "json" {
        out!("{}", json::guidance_json(&all)?);
        return Ok(ExitCode::SUCCESS);
    }
    let several = all.len() > 1;
    for (i, (name, g)) in all.iter().enumerate() {
        if several {
            if i > 0 {
                outln!();
            }
            outln!("── {} ({name}) ──", clinic_situation(name).label_ja());
        }
        out!("{}", text::guidance_text(g));
    }
    Ok(ExitCode::SUCCESS)
}
