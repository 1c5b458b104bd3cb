//! `shikaku guidance`: what to present at the clinic, for a member and the clinic's situation.

use std::process::ExitCode;

use anyhow::Result;
use chrono::Utc;
use clap::Args;
use shikaku_core::screen::member_guidance;

use crate::context::{Context, resolve_member};
use crate::render::text;
use crate::util::{CLINIC_SITUATIONS, clinic_situation};

/// The arguments of `guidance`.
#[derive(Args)]
pub struct GuidanceArgs {
    /// Member id (or a unique prefix of it).
    member: String,
    /// The clinic's situation: normal, reader-down, no-reader, power-out or network-down.
    #[arg(long, default_value = "reader-down", value_parser = CLINIC_SITUATIONS)]
    clinic: String,
}

/// Runs `guidance`.
pub fn run(ctx: &Context, args: GuidanceArgs) -> Result<ExitCode> {
    let store = ctx.open()?;
    let m = resolve_member(&store, &args.member)?;
    let situation = clinic_situation(&args.clinic);
    let g = member_guidance(&store, m.id, &situation, Utc::now())?;
    out!("{}", text::guidance_text(&g));
    Ok(ExitCode::SUCCESS)
}
