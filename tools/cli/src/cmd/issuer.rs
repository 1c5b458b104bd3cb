//! `shikaku issuer init|serve`: the reference issuer for development, tests and the demo.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Result, anyhow};
use clap::Subcommand;

/// The `issuer` subcommands.
#[derive(Subcommand)]
pub enum IssuerCommand {
    /// Create a development root key, an issuer key, a signed trust list and a TLS CA with a
    /// localhost certificate in DIR (DIR/tls-ca.pem is what clients pass with --ca;
    /// DIR/root-public.pem is the trust-list root they pin with --root).
    Init {
        /// The issuer directory (created; refuses to overwrite keys).
        dir: PathBuf,
    },
    /// Serve the documents of a data file over HTTPS until stopped.
    Serve {
        /// The issuer directory made by `init`.
        #[arg(long)]
        dir: PathBuf,
        /// The data file (see examples/households.toml); editing it bumps versions.
        #[arg(long)]
        data: PathBuf,
        /// Where to listen.
        #[arg(long, default_value = "127.0.0.1:8443")]
        addr: SocketAddr,
        /// Extra trust anchor for card certificates (PEM or DER), e.g. the virtual cards' TEST CA
        /// (`shikaku vcard ca --out FILE`). Repeatable.
        #[arg(long, value_name = "PEM")]
        trust_anchor: Vec<PathBuf>,
        /// The public origin clients reach this issuer at (e.g. https://issuer.example); logins
        /// must be signed for it. Default: https:// + the address it listens on.
        #[arg(long, value_name = "URL")]
        origin: Option<String>,
    },
}

/// Runs `issuer …`.
pub fn run(cmd: IssuerCommand) -> Result<ExitCode> {
    match cmd {
        IssuerCommand::Init { dir } => {
            let report = shikaku_issuer::init(&dir).map_err(|e| anyhow!("issuer init: {e}"))?;
            for f in &report.files {
                outln!("wrote {}", f.display());
            }
            outln!(
                "issuer key {} valid until {}",
                report.kid,
                report.not_after.format("%Y-%m-%d")
            );
            outln!("trust-list root (pin this): {}", report.root_public_key_hex);
            Ok(ExitCode::SUCCESS)
        }
        IssuerCommand::Serve {
            dir,
            data,
            addr,
            trust_anchor,
            origin,
        } => {
            let mut config = shikaku_issuer::ServeConfig::new(dir, data, addr);
            config.trust_anchors = trust_anchor;
            config.origin = origin;
            shikaku_issuer::serve(config).map_err(|e| anyhow!("issuer: {e}"))?;
            Ok(ExitCode::SUCCESS)
        }
    }
}
