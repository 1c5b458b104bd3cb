//! `shikaku card …`, `shikaku vcard …` and `shikaku inspect cert`: My Number Card checks from the
//! desktop (PC/SC readers or the in-process virtual card).

use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::atomic::AtomicBool;

use anyhow::{Context as _, Result, anyhow, bail};
use chrono::{NaiveDate, Utc};
use clap::Subcommand;
use shikaku_core::card::{
    CardCertificate, CardCheck, CardError, CheckOptions, FieldComparison, MemberMatch,
    PinCounter, TrustStore, card_status, check_card,
};
use shikaku_core::eligibility::names::NameMatch;
use shikaku_core::store::StoredCardCheck;
use zeroize::Zeroizing;

use crate::commands::Context;

/// Environment variable holding the card PIN (4 digits).
pub const PIN_ENV: &str = "SHIKAKU_PIN";

#[derive(Subcommand)]
pub enum CardCommand {
    /// Retry counters and the 利用者証明用 certificate; no PIN is used.
    Status {
        /// `pcsc` (first reader with a card), `pcsc:NAME`, or `vcard:PROFILE.toml`.
        #[arg(long)]
        reader: String,
    },
    /// Check the card: certificate chain to J-LIS, PIN, a fresh challenge signed by the card.
    /// PIN from SHIKAKU_PIN or a no-echo prompt. Exit 0 only when the card checks out.
    Check {
        /// `pcsc`, `pcsc:NAME`, or `vcard:PROFILE.toml`.
        #[arg(long)]
        reader: String,
        /// Store the result for this member (id or prefix).
        #[arg(long)]
        member: Option<String>,
        /// Also read the 基本4情報 with the same PIN and compare it with the member.
        #[arg(long, requires = "member")]
        with_basic_info: bool,
        /// Extra trust anchor (PEM or DER), e.g. a test CA. Repeatable.
        #[arg(long, value_name = "PEM")]
        trust_anchor: Vec<PathBuf>,
        /// Send the PIN even when only one try is left (a wrong PIN then blocks the card).
        #[arg(long)]
        allow_last_attempt: bool,
    },
}

#[derive(Subcommand)]
pub enum VcardCommand {
    /// Present a virtual My Number Card to pcscd through the vpcd driver until stopped.
    Serve {
        /// The card's profile (TOML; see examples/vcard-*.toml).
        #[arg(long)]
        profile: PathBuf,
        /// The vpcd driver's address.
        #[arg(long, default_value = shikaku_vcard::vpcd::DEFAULT_VPCD_ADDR)]
        vpcd: String,
    },
    /// Print (or write) the virtual cards' TEST CA certificate, to pass as --trust-anchor.
    Ca {
        /// Write the PEM here instead of printing it.
        #[arg(long)]
        out: Option<PathBuf>,
    },
}

#[derive(Subcommand)]
pub enum InspectCommand {
    /// Subject, issuer, validity and chain status of a certificate against the J-LIS roots.
    /// Exit 0 only when the chain verifies at that time.
    Cert {
        /// The certificate, DER or PEM.
        file: PathBuf,
        /// Check at this date (YYYY-MM-DD) instead of now.
        #[arg(long)]
        at: Option<String>,
        /// Extra trust anchor (PEM or DER). Repeatable.
        #[arg(long, value_name = "PEM")]
        trust_anchor: Vec<PathBuf>,
    },
}

/// An opened reader: the transport, and whether it is the virtual card (whose TEST CA is
/// then trusted for this check, and said so).
pub struct Reader {
    pub transport: Box<dyn shikaku_core::card::CardTransport>,
    pub label: String,
    virtual_card: bool,
}

pub fn open_reader(spec: &str) -> Result<Reader> {
    if let Some(profile) = spec.strip_prefix("vcard:") {
        let card = shikaku_vcard::card_from_profile_path(profile)
            .map_err(|e| anyhow!("cannot load the virtual card {profile}: {e}"))?;
        return Ok(Reader {
            transport: Box::new(card),
            label: format!("virtual card ({profile})"),
            virtual_card: true,
        });
    }
    let name = match spec {
        "pcsc" => None,
        s => Some(
            s.strip_prefix("pcsc:")
                .ok_or_else(|| anyhow!("--reader must be pcsc, pcsc:NAME or vcard:PROFILE"))?,
        ),
    };
    open_pcsc(name)
}

#[cfg(feature = "pcsc")]
fn open_pcsc(name: Option<&str>) -> Result<Reader> {
    let t = crate::pcsc_transport::PcscTransport::connect(name)?;
    Ok(Reader {
        label: format!("PC/SC reader {:?}", t.reader),
        transport: Box::new(t),
        virtual_card: false,
    })
}

#[cfg(not(feature = "pcsc"))]
fn open_pcsc(_name: Option<&str>) -> Result<Reader> {
    bail!(
        "this build has no PC/SC support: build with `cargo build -p shikaku-cli --features pcsc` \
         (needs libpcsclite-dev), or use --reader vcard:PROFILE"
    )
}

fn read_anchor(path: &Path) -> Result<Vec<u8>> {
    std::fs::read(path).with_context(|| format!("cannot read trust anchor {}", path.display()))
}

pub fn pin() -> Result<Zeroizing<String>> {
    if let Ok(p) = std::env::var(PIN_ENV) {
        return Ok(Zeroizing::new(p));
    }
    if !std::io::stdin().is_terminal() {
        bail!("no PIN: set {PIN_ENV} or run in a terminal");
    }
    Ok(Zeroizing::new(rpassword::prompt_password(
        "利用者証明用電子証明書 PIN (4 digits): ",
    )?))
}

fn counter(c: PinCounter) -> String {
    match c {
        PinCounter::Remaining(n) => format!("{n} tries left"),
        PinCounter::AlreadyVerified => "verified in this session".into(),
        PinCounter::Blocked => "BLOCKED (reset at the municipal office)".into(),
    }
}

pub fn run_card(ctx: &Context, cmd: CardCommand) -> Result<ExitCode> {
    match cmd {
        CardCommand::Status { reader } => {
            let r = open_reader(&reader)?;
            let s = card_status(r.transport.as_ref())?;
            outln!("reader: {}", r.label);
            outln!("card: {}", s.card_kind.label_ja());
            outln!("利用者証明用 PIN: {}", counter(s.auth_pin));
            if let Some(t) = s.text_pin {
                outln!("券面事項入力補助 PIN: {}", counter(t));
            }
            outln!("certificate subject: {}", s.certificate.subject);
            outln!("certificate issuer:  {}", s.certificate.issuer);
            outln!(
                "certificate valid:   {} → {}",
                s.certificate.not_before.format("%Y-%m-%d"),
                s.certificate.not_after.format("%Y-%m-%d")
            );
            Ok(ExitCode::SUCCESS)
        }
        CardCommand::Check {
            reader,
            member,
            with_basic_info,
            trust_anchor,
            allow_last_attempt,
        } => {
            // Open the store first: a wrong passphrase must not cost a card interaction.
            let target = match &member {
                Some(m) => {
                    let store = ctx.open()?;
                    let found = crate::commands::resolve(&store, m)?;
                    Some((store, found))
                }
                None => None,
            };
            let mut anchors = trust_anchor
                .iter()
                .map(|p| read_anchor(p))
                .collect::<Result<Vec<_>>>()?;
            let r = open_reader(&reader)?;
            if r.virtual_card {
                anchors.push(shikaku_vcard::test_ca_der().map_err(|e| anyhow!("{e}"))?);
            }
            let pin = pin()?;
            outln!("reader: {}", r.label);
            if r.virtual_card {
                outln!("trusting the virtual cards' TEST CA for this check");
            }
            let options = CheckOptions {
                allow_last_attempt,
                read_basic_info: with_basic_info,
                extra_anchors: anchors,
                trust_store: None,
            };
            let check = match check_card(r.transport.as_ref(), &pin, options, Utc::now()) {
                Ok(c) => c,
                Err(e) => return Err(card_failure(e)),
            };
            print_check(&check)?;
            if let Some((mut store, m)) = target {
                let stored = StoredCardCheck::for_member(&m, check);
                if let Some(mm) = &stored.matched {
                    print_match(mm)?;
                }
                let mismatch = stored
                    .matched
                    .as_ref()
                    .is_some_and(|mm| mm.overall() == NameMatch::Mismatch);
                store.put_card_check(&stored)?;
                outln!("result stored for member {}", m.id);
                if mismatch {
                    outln!(
                        "card check: the card is genuine but its 基本4情報 do not match this member"
                    );
                    return Ok(ExitCode::FAILURE);
                }
            }
            outln!("card check: OK");
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// Adds what to do next to a card error.
fn card_failure(e: CardError) -> anyhow::Error {
    let hint = match &e {
        CardError::WrongPin { .. } => " — check the PIN before trying again",
        CardError::LastAttemptNeedsConsent { .. } => {
            " — pass --allow-last-attempt only if you are sure of the PIN"
        }
        e if e.verify_in_flight() => {
            " — the card may have counted that PIN try; run `shikaku card status` before retrying"
        }
        _ => "",
    };
    anyhow!("card check failed: {e}{hint}")
}

fn print_check(c: &CardCheck) -> Result<()> {
    outln!("card: {}", c.card_kind.label_ja());
    outln!("key fingerprint: {}", c.key_fingerprint.to_hex());
    outln!(
        "利用者証明用電子証明書: valid {} → {}",
        c.certificate_not_before.format("%Y-%m-%d"),
        c.certificate_not_after.format("%Y-%m-%d")
    );
    outln!("chain: verified to {}", c.chain.anchor_label);
    outln!("signature: a fresh challenge signed by the card verified");
    outln!("PIN before this check: {}", counter(c.retries_left));
    outln!(
        "checked at: {}",
        c.checked_at.format("%Y-%m-%d %H:%M:%S UTC")
    );
    Ok(())
}

fn print_field(label: &str, f: &FieldComparison) -> Result<()> {
    outln!(
        "  {label}: {}  (card: {} / stored: {})",
        f.outcome.label_ja(),
        f.card,
        f.stored
    );
    Ok(())
}

fn print_match(m: &MemberMatch) -> Result<()> {
    outln!(
        "基本4情報 compared with the member: {}",
        m.overall().label_ja()
    );
    print_field("氏名", &m.name)?;
    print_field("生年月日", &m.birth_date)?;
    print_field("性別", &m.sex)?;
    Ok(())
}

pub fn run_vcard(cmd: VcardCommand) -> Result<ExitCode> {
    match cmd {
        VcardCommand::Serve { profile, vpcd } => {
            let card = shikaku_vcard::card_from_profile_path(&profile)
                .map_err(|e| anyhow!("cannot load the virtual card {}: {e}", profile.display()))?;
            outln!(
                "virtual card {} → vpcd {vpcd} (stop with Ctrl-C)",
                profile.display()
            );
            let stop = AtomicBool::new(false);
            let end = shikaku_vcard::vpcd::serve(&card, &vpcd, &stop)
                .map_err(|e| anyhow!("vpcd: {e}"))?;
            outln!("vpcd session ended: {end:?}");
            Ok(ExitCode::SUCCESS)
        }
        VcardCommand::Ca { out } => {
            let pem = shikaku_vcard::test_ca_pem().map_err(|e| anyhow!("{e}"))?;
            match out {
                Some(path) => {
                    std::fs::write(&path, pem)
                        .with_context(|| format!("cannot write {}", path.display()))?;
                    outln!("wrote {}", path.display());
                }
                None => out!("{pem}"),
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}

pub fn run_inspect(cmd: InspectCommand) -> Result<ExitCode> {
    let InspectCommand::Cert {
        file,
        at,
        trust_anchor,
    } = cmd;
    let bytes = std::fs::read(&file).with_context(|| format!("cannot read {}", file.display()))?;
    let cert = CardCertificate::from_der_or_pem(&bytes)
        .map_err(|e| anyhow!("{} is not a certificate: {e}", file.display()))?;
    let when = match at {
        Some(d) => NaiveDate::parse_from_str(&d, "%Y-%m-%d")
            .map_err(|_| anyhow!("--at must be a date written YYYY-MM-DD"))?
            .and_hms_opt(12, 0, 0)
            .ok_or_else(|| anyhow!("--at is not a valid date"))?
            .and_utc(),
        None => Utc::now(),
    };
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
            Ok(ExitCode::FAILURE)
        }
    }
}
