//! `shikaku inspect cert`: a certificate's subject, issuer, validity and chain status against
//! the J-LIS roots.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context as _, Result, anyhow};
use clap::Subcommand;
use shikaku_core::card::{CardCertificate, CardError, TrustStore};
use shikaku_core::clock::japan_today;
use shikaku_core::screen::calendar::{
    certificate_expiry_date, expiry_state, insurance_grace_last_day,
};

use crate::util::{AtArg, read_anchor};

/// The `inspect` subcommands.
#[derive(Subcommand)]
pub enum InspectCommand {
    /// Subject, issuer, validity and chain status of a certificate against the J-LIS roots.
    /// Exit 0 only when the chain verifies at that time (an expired certificate fails, even
    /// inside the 保険証 grace period in which `card check` still accepts it).
    Cert {
        /// The certificate, DER or PEM.
        file: PathBuf,
        /// Check as of this day (YYYY-MM-DD or 和暦), at noon in Japan, instead of now.
        #[command(flatten)]
        at: AtArg,
        /// Extra trust anchor (PEM or DER). Repeatable.
        #[arg(long, value_name = "PEM")]
        trust_anchor: Vec<PathBuf>,
    },
}

/// Runs `inspect …`.
pub fn run(cmd: InspectCommand) -> Result<ExitCode> {
    let InspectCommand::Cert {
        file,
        at,
        trust_anchor,
    } = cmd;
    let bytes = std::fs::read(&file).with_context(|| format!("cannot read {}", file.display()))?;
    let cert = CardCertificate::from_der_or_pem(&bytes)
        .map_err(|e| anyhow!("{} is not a certificate: {e}", file.display()))?;
    // The same `--at` as every other command: noon in Japan on that day (ISO or 和暦).
    let when = at.now();
    let mut store = TrustStore::jlis_auth()?;
    for p in &trust_anchor {
        store.add_extra_anchor(&read_anchor(p)?)?;
    }
    outln!("subject: {}", cert.subject());
    outln!("issuer:  {}", cert.issuer());
    outln!(
        "valid:   {} → {}",
        cert.not_before().format("%Y-%m-%d %H:%M:%S UTC"),
        cert.not_after().format("%Y-%m-%d %H:%M:%S UTC")
    );
    outln!("key fingerprint: {}", cert.key_fingerprint().to_hex());
    // A trusted root itself: no chain to build, only its own validity.
    if cert.is_signed_by(&cert)
        && let Some(root) = store.find_issuer(&cert)
        && root.anchor_key == cert.key_fingerprint()
    {
        return Ok(match cert.check_validity(when) {
            Ok(()) => {
                outln!(
                    "chain: this is the trusted root {} (valid at {})",
                    root.anchor_label,
                    when.format("%Y-%m-%d")
                );
                ExitCode::SUCCESS
            }
            Err(e) => {
                outln!(
                    "chain: trusted root {}, NOT valid at {}: {e}",
                    root.anchor_label,
                    when.format("%Y-%m-%d")
                );
                ExitCode::FAILURE
            }
        });
    }
    match store.verify(&cert, when) {
        Ok(chain) => {
            outln!(
                "chain: verified to {} at {}",
                chain.anchor_label,
                when.format("%Y-%m-%d")
            );
            Ok(ExitCode::SUCCESS)
        }
        Err(e) => {
            outln!("chain: NOT verified at {}: {e}", when.format("%Y-%m-%d"));
            if let CardError::CertificateExpired { not_after } = e
                && let Ok(chain) = store.verify_as_of_expiry(&cert)
                && let Some(last) = insurance_grace_last_day(certificate_expiry_date(not_after))
            {
                // Still a failure: this command inspects the certificate's validity. The card
                // check accepts it during the grace period, which is worth saying. In grace or
                // not is the core's rule (`expiry_state`), as the card check and the screens.
                let state = expiry_state(certificate_expiry_date(not_after), japan_today(when));
                if state.usable_as_insurance() {
                    outln!(
                        "grace period: verified to {} as of the certificate's end; a card with \
                         this certificate works as a マイナ保険証 until {last}, and \
                         `shikaku card check` accepts it until then",
                        chain.anchor_label
                    );
                } else {
                    outln!("grace period: ended on {last}");
                }
            }
            Ok(ExitCode::FAILURE)
        }
    }
}
