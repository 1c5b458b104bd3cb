//! `shikaku`: the command-line face of shikaku-core — hand entry, the household overview, the
//! screen, card checks, sync, inspection, and the demo.
//!
//! This file holds the command line (clap) and the dispatch only. Dependencies flow one way:
//! `main` → [`cmd`] (one module per subcommand, none using another) → [`context`] (store,
//! passphrase, PIN, member ids, private files), [`render`] (terminal text, HTML, JSON),
//! [`transport`] (HTTP, PC/SC, card readers) and [`util`] (key files, clinic situations). The
//! domain's rules (today, hand entry, root pinning, QR eligibility, the stored trust list,
//! labels) are the core's: the commands call them and decide nothing themselves.

#[macro_use]
mod out;

mod cmd;
mod context;
mod render;
mod transport;
mod util;

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Result;
use clap::{Parser, Subcommand};

use crate::context::Context;

/// Keeps a household's health-insurance eligibility (資格情報) encrypted on this machine.
#[derive(Parser)]
#[command(name = "shikaku", version, about)]
struct Cli {
    /// Where the encrypted store lives (default: the OS data directory + /shikaku).
    #[arg(long, global = true, value_name = "DIR")]
    data_dir: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Add, change or remove household members.
    #[command(subcommand)]
    Member(cmd::member::MemberCommand),
    /// Enter eligibility records by hand (from a paper 資格確認書 or 資格情報のお知らせ).
    #[command(subcommand)]
    Record(cmd::record::RecordCommand),
    /// The household overview: member ids, documents with their badges, card checks, notices.
    #[command(visible_alias = "list")]
    Household(cmd::household::HouseholdArgs),
    /// A member's eligibility screen: every field, badges, notices.
    Show(cmd::show::ShowArgs),
    /// What to present at the clinic, for a member and the clinic's situation.
    Guidance(cmd::guidance::GuidanceArgs),
    /// The switch checklist to the マイナ保険証 (STEP1–3 and what to do), per member.
    Checklist(cmd::checklist::ChecklistArgs),
    /// Check a value without storing anything.
    #[command(subcommand)]
    Validate(cmd::validate::ValidateCommand),
    /// Change the store's passphrase (the data key is re-wrapped; nothing else changes).
    #[command(subcommand)]
    Passphrase(cmd::passphrase::PassphraseCommand),
    /// Delete the store and everything in it. Works without the passphrase (the reset for a
    /// forgotten one).
    Wipe(cmd::wipe::WipeArgs),
    /// Check a My Number Card (PC/SC reader or virtual card).
    #[command(subcommand)]
    Card(cmd::card::CardCommand),
    /// The virtual My Number Card used by tests and the demo.
    #[command(subcommand)]
    Vcard(cmd::vcard::VcardCommand),
    /// Look at certificates.
    #[command(subcommand)]
    Inspect(cmd::inspect::InspectCommand),
    /// Download the household's signed documents (card login; needs the network).
    Sync(cmd::sync::SyncArgs),
    /// Show a signed document as a QR payload, or verify one offline.
    #[command(subcommand)]
    Qr(cmd::qr::QrCommand),
    /// The clinic desk: record a 被保険者資格申立書, list, export and verify the visit log.
    Clinic(Box<cmd::clinic::ClinicArgs>),
    /// The reference issuer (development, tests, demo).
    #[command(subcommand)]
    Issuer(cmd::issuer::IssuerCommand),
    /// Run the demo: a family synced from the reference issuer with virtual cards, then
    /// offline: card check, hand entry, screens and guidance, in a temporary store.
    Demo,
}

/// Runs one subcommand.
fn dispatch(ctx: &Context, command: Command) -> Result<ExitCode> {
    match command {
        Command::Member(c) => cmd::member::run(ctx, c),
        Command::Record(c) => cmd::record::run(ctx, c),
        Command::Household(a) => cmd::household::run(ctx, a),
        Command::Show(a) => cmd::show::run(ctx, a),
        Command::Guidance(a) => cmd::guidance::run(ctx, a),
        Command::Checklist(a) => cmd::checklist::run(ctx, a),
        Command::Validate(c) => cmd::validate::run(c),
        Command::Passphrase(c) => cmd::passphrase::run(ctx, c),
        Command::Wipe(a) => cmd::wipe::run(ctx, a),
        Command::Card(c) => cmd::card::run(ctx, c),
        Command::Vcard(c) => cmd::vcard::run(c),
        Command::Inspect(c) => cmd::inspect::run(c),
        Command::Sync(a) => cmd::sync::run(ctx, a),
        Command::Qr(c) => cmd::qr::run(ctx, c),
        Command::Clinic(a) => cmd::clinic::run(ctx, *a),
        Command::Issuer(c) => cmd::issuer::run(c),
        Command::Demo => cmd::demo::run(ctx),
    }
}

fn main() -> ExitCode {
    // Never print a backtrace (it could hold data); one line and a non-zero exit instead.
    std::panic::set_hook(Box::new(|_| {
        eprintln!("error: internal error (this is a bug in shikaku)");
    }));
    let cli = Cli::parse();
    let result = match Context::new(cli.data_dir) {
        Ok(ctx) => dispatch(&ctx, cli.command),
        Err(e) => Err(e),
    };
    match result {
        Ok(code) => code,
        // The reader went away (`shikaku household | head`): not an error.
        Err(e)
            if e.downcast_ref::<std::io::Error>()
                .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe) =>
        {
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}
