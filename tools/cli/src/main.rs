//! `shikaku`: the command-line face of shikaku-core — hand entry, the household overview, the
//! screen, inspection, and the demo.

/// Writes to stdout, returning an error (instead of panicking) when stdout is closed.
macro_rules! out {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        write!(std::io::stdout().lock(), $($arg)*)?
    }};
}

/// [`out!`] with a newline.
macro_rules! outln {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        writeln!(std::io::stdout().lock(), $($arg)*)?
    }};
}

mod card;
mod commands;
mod demo;
mod http_transport;
mod issuer_cmd;
#[cfg(feature = "pcsc")]
mod pcsc_transport;
mod render;
mod secret;
mod sync_cmd;
mod view_render;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

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
    Member(commands::MemberCommand),
    /// Enter eligibility records by hand (from a paper 資格確認書 or 資格情報のお知らせ).
    #[command(subcommand)]
    Record(commands::RecordCommand),
    /// The household overview, with member ids.
    List,
    /// A member's eligibility screen: every field, badges, notices.
    Show {
        /// Member id (or a unique prefix of it).
        member: String,
        /// text (terminal), html (a self-contained page) or json (the view model).
        #[arg(long, default_value = "text", value_parser = ["text", "html", "json"])]
        format: String,
        /// Write to this file instead of standard output.
        #[arg(long, value_name = "FILE")]
        out: Option<PathBuf>,
    },
    /// The household overview from the screen view model.
    Household {
        /// text or json.
        #[arg(long, default_value = "text", value_parser = ["text", "json"])]
        format: String,
    },
    /// What to present at the clinic, for a member and the clinic's situation.
    Guidance {
        /// Member id (or a unique prefix of it).
        member: String,
        /// The clinic's situation: normal, reader-down, no-reader, power-out or network-down.
        #[arg(long, default_value = "reader-down",
              value_parser = ["normal", "reader-down", "no-reader", "power-out", "network-down"])]
        clinic: String,
    },
    /// Check a value without storing anything.
    #[command(subcommand)]
    Validate(commands::ValidateCommand),
    /// Change the store's passphrase (the data key is re-wrapped; nothing else changes).
    #[command(subcommand)]
    Passphrase(commands::PassphraseCommand),
    /// Delete the store and everything in it. Works without the passphrase (the reset for a
    /// forgotten one).
    Wipe {
        /// Confirm.
        #[arg(long)]
        yes: bool,
    },
    /// Check a My Number Card (PC/SC reader or virtual card).
    #[command(subcommand)]
    Card(card::CardCommand),
    /// The virtual My Number Card used by tests and the demo.
    #[command(subcommand)]
    Vcard(card::VcardCommand),
    /// Look at certificates.
    #[command(subcommand)]
    Inspect(card::InspectCommand),
    /// Download the household's signed documents (card login; needs the network).
    Sync(sync_cmd::SyncArgs),
    /// Show a signed document as a QR payload, or verify one offline.
    #[command(subcommand)]
    Qr(sync_cmd::QrCommand),
    /// The reference issuer (development, tests, demo).
    #[command(subcommand)]
    Issuer(issuer_cmd::IssuerCommand),
    /// Run the demo: a family synced from the reference issuer with virtual cards, then
    /// offline: card check, hand entry, screens and guidance, in a temporary store.
    Demo,
}

fn main() -> ExitCode {
    // Never print a backtrace (it could hold data); one line and a non-zero exit instead.
    std::panic::set_hook(Box::new(|_| {
        eprintln!("error: internal error (this is a bug in shikaku)");
    }));
    let cli = Cli::parse();
    let result = match commands::Context::new(cli.data_dir) {
        Ok(ctx) => commands::run(&ctx, cli.command),
        Err(e) => Err(e),
    };
    match result {
        Ok(code) => code,
        // The reader went away (`shikaku list | head`): not an error.
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
