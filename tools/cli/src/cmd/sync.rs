//! `shikaku sync` and `shikaku qr …`: download the household's signed documents, and show or
//! verify one as a QR payload (`SK1:` + Base45(zlib(COSE))).

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context as _, Result, anyhow, bail};
use chrono::Utc;
use clap::{Args, Subcommand};
use shikaku_core::document::{TrustList, VerifyingKey, from_qr_payload, verify_document};
use shikaku_core::sync::http::ServerUrl;
use shikaku_core::sync::{SyncConfig, SyncStep, sync};

use crate::card::{open_reader, pin};
use crate::commands::{Context, resolve};
use crate::http_transport::UreqTransport;

#[derive(Args)]
pub struct SyncArgs {
    /// The issuer's base URL (https://…).
    #[arg(long)]
    server: String,
    /// The card that logs in: `pcsc`, `pcsc:NAME` or `vcard:PROFILE.toml`.
    #[arg(long)]
    reader: String,
    /// Trust only this CA for the server's TLS certificate (PEM), e.g. a development issuer's.
    #[arg(long, value_name = "PEM")]
    ca: Option<PathBuf>,
    /// The trust-list root public key to pin (PEM or SEC1); remembered after the first sync.
    #[arg(long, value_name = "PEM")]
    root: Option<PathBuf>,
    /// Allow plain http:// to 127.0.0.1 / localhost (development only).
    #[arg(long)]
    dev_insecure_http: bool,
    /// Send the PIN even when only one try is left.
    #[arg(long)]
    allow_last_attempt: bool,
}

#[derive(Subcommand)]
pub enum QrCommand {
    /// Print a member's signed document as an `SK1:` payload and draw it as a QR code.
    Show {
        /// Member id (or prefix).
        member: String,
        /// Also write the QR code as a PNG image.
        #[arg(long, value_name = "FILE")]
        png: Option<PathBuf>,
    },
    /// Verify an `SK1:` payload offline; exit 0 only when it is valid.
    Verify {
        /// The payload (`SK1:…`).
        payload: String,
        /// A signed trust list (COSE) to verify against, with --root; default: the one stored
        /// by the last sync.
        #[arg(long, value_name = "FILE", requires = "root")]
        trust_list: Option<PathBuf>,
        /// The root public key for --trust-list (PEM or SEC1).
        #[arg(long, value_name = "PEM")]
        root: Option<PathBuf>,
    },
}

/// Reads a P-256 public key: PEM (SubjectPublicKeyInfo) or raw SEC1 bytes.
pub fn read_root(path: &Path) -> Result<VerifyingKey> {
    let bytes = std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))?;
    if let Ok(text) = std::str::from_utf8(&bytes)
        && text.contains("-----BEGIN PUBLIC KEY-----")
    {
        use p256::pkcs8::DecodePublicKey;
        return VerifyingKey::from_public_key_pem(text)
            .map_err(|_| anyhow!("{} is not a P-256 public key", path.display()));
    }
    VerifyingKey::from_sec1_bytes(&bytes)
        .map_err(|_| anyhow!("{} is not a P-256 public key (PEM or SEC1)", path.display()))
}

pub fn step_line(s: &SyncStep) -> String {
    match s {
        SyncStep::TrustList { version } => {
            format!("trust list v{version} verified with the pinned root")
        }
        SyncStep::Challenge => "login challenge received".into(),
        SyncStep::CardSigned => "the card signed the challenge".into(),
        SyncStep::LoggedIn => "logged in".into(),
        SyncStep::NotModified => "no change since the last sync (304)".into(),
        SyncStep::Verified { count } => format!("{count} document(s) verified"),
        SyncStep::Stored { written, unchanged } => {
            format!("stored: {written} new or updated, {unchanged} unchanged")
        }
    }
}

pub fn run_sync(ctx: &Context, args: SyncArgs) -> Result<ExitCode> {
    let server = ServerUrl::parse(&args.server, args.dev_insecure_http)?;
    let mut store = ctx.open_or_create()?;
    // The core pins the root on the first sync and refuses a different one afterwards.
    let root = args.root.as_deref().map(read_root).transpose()?;
    let ca = match &args.ca {
        Some(p) => Some(std::fs::read(p).with_context(|| format!("cannot read {}", p.display()))?),
        None => None,
    };
    let http = UreqTransport::new(ca.as_deref())?;
    let reader = open_reader(&args.reader)?;
    let pin = pin()?;
    let config = SyncConfig {
        server,
        root,
        allow_last_attempt: args.allow_last_attempt,
        timeout_ms: 15_000,
    };
    outln!(
        "sync with {} using {}",
        config.server.as_str(),
        reader.label
    );
    let mut lines = Vec::new();
    let result = sync(
        &mut store,
        &http,
        reader.transport.as_ref(),
        &pin,
        &config,
        Utc::now(),
        &mut |s| {
            // Progress is printed as it happens; a closed stdout must not abort the sync.
            let line = step_line(&s);
            println_safe(&line);
            lines.push(line);
        },
    );
    let report = result.map_err(|e| anyhow!("sync failed: {e} (nothing stored was changed)"))?;
    outln!(
        "sync done at {} (trust list v{})",
        report.at.format("%Y-%m-%d %H:%M:%S UTC"),
        report.trust_list_version
    );
    Ok(ExitCode::SUCCESS)
}

fn println_safe(line: &str) {
    use std::io::Write as _;
    let _ = writeln!(std::io::stdout().lock(), "  {line}");
}

pub fn run_qr(ctx: &Context, cmd: QrCommand) -> Result<ExitCode> {
    match cmd {
        QrCommand::Show { member, png } => {
            let store = ctx.open()?;
            let m = resolve(&store, &member)?;
            let (_, payload) = store.member_qr_payload(m.id)?.ok_or_else(|| {
                anyhow!(
                    "this member has no signed document (sync first); hand-entered records have no QR"
                )
            })?;
            let code =
                qrcode::QrCode::with_error_correction_level(payload.as_bytes(), qrcode::EcLevel::L)
                    .map_err(|e| anyhow!("cannot make a QR code: {e}"))?;
            outln!("{payload}");
            let art = code
                .render::<qrcode::render::unicode::Dense1x2>()
                .quiet_zone(true)
                .build();
            outln!("{art}");
            if let Some(path) = png {
                write_png(&code, &path)?;
                outln!("wrote {}", path.display());
            }
            Ok(ExitCode::SUCCESS)
        }
        QrCommand::Verify {
            payload,
            trust_list,
            root,
        } => {
            let trust = match (trust_list, root) {
                (Some(tl), Some(root)) => {
                    let bytes = std::fs::read(&tl)
                        .with_context(|| format!("cannot read {}", tl.display()))?;
                    TrustList::verify(&bytes, &read_root(&root)?, Utc::now())
                        .map_err(|e| anyhow!("the trust list does not verify: {e}"))?
                }
                _ => {
                    let store = ctx.open()?;
                    if store.sync_state()?.trust_list.is_none() {
                        bail!("no trust list: sync first, or pass --trust-list and --root");
                    }
                    store.trust_list(Utc::now())?.ok_or_else(|| {
                        anyhow!("the stored trust list does not verify with the pinned root")
                    })?
                }
            };
            let verdict = from_qr_payload(payload.trim())
                .and_then(|bytes| verify_document(&bytes, &trust, Utc::now()));
            match verdict {
                Ok(v) => {
                    let d = &v.document;
                    outln!(
                        "signature VALID — 発行元の署名を確認済み (issuer key {})",
                        v.kid
                    );
                    outln!("  氏名        {} ({})", d.person.name, d.person.kana);
                    outln!("  生年月日    {}", d.person.birth_date.format("%Y-%m-%d"));
                    outln!(
                        "  保険者番号  {}  {}",
                        d.record.insurer_number,
                        d.record.insurer_name
                    );
                    outln!(
                        "  記号・番号  {} ・ {}  枝番 {}",
                        d.record.symbol.as_deref().unwrap_or("—"),
                        d.record.number,
                        d.record.branch.as_deref().unwrap_or("—")
                    );
                    outln!(
                        "  版          {} (発行 {})",
                        d.version,
                        d.issued_at.format("%Y-%m-%d")
                    );
                    if d.is_expired(Utc::now()) {
                        outln!(
                            "  note: the document's own validity ended {}",
                            d.valid_until.format("%Y-%m-%d")
                        );
                    }
                    outln!("  valid only together with the physical My Number Card");
                    Ok(ExitCode::SUCCESS)
                }
                Err(e) => {
                    outln!("INVALID — {e}");
                    Ok(ExitCode::FAILURE)
                }
            }
        }
    }
}

/// Writes the QR code as an 8-bit grey PNG, 6 pixels per module, with a 4-module quiet zone.
fn write_png(code: &qrcode::QrCode, path: &Path) -> Result<()> {
    const SCALE: usize = 6;
    const QUIET: usize = 4;
    let width = code.width();
    let colors = code.to_colors();
    let side = (width + 2 * QUIET) * SCALE;
    let mut pixels = vec![255u8; side * side];
    for (i, c) in colors.iter().enumerate() {
        if *c == qrcode::Color::Dark {
            let (x, y) = (i % width + QUIET, i / width + QUIET);
            for dy in 0..SCALE {
                let row = (y * SCALE + dy) * side;
                pixels[row + x * SCALE..row + (x + 1) * SCALE].fill(0);
            }
        }
    }
    let file =
        std::fs::File::create(path).with_context(|| format!("cannot write {}", path.display()))?;
    let side32 = u32::try_from(side).map_err(|_| anyhow!("QR code too large"))?;
    let mut enc = png::Encoder::new(std::io::BufWriter::new(file), side32, side32);
    enc.set_color(png::ColorType::Grayscale);
    enc.set_depth(png::BitDepth::Eight);
    enc.write_header()?.write_image_data(&pixels)?;
    Ok(())
}
