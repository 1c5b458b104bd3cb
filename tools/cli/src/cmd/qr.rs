//! `shikaku qr show|verify`: a member's signed document as a QR payload (`SK1:` +
//! Base45(zlib(COSE))), and offline verification of one.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context as _, Result, anyhow, bail};
use chrono::Utc;
use clap::Subcommand;
use shikaku_core::document::{TrustList, from_qr_payload, verify_document};

use crate::context::{Context, create_private, resolve_member};
use crate::util::read_root;

/// The `qr` subcommands.
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

/// Runs `qr …`.
pub fn run(ctx: &Context, cmd: QrCommand) -> Result<ExitCode> {
    match cmd {
        QrCommand::Show { member, png } => show(ctx, &member, png.as_deref()),
        QrCommand::Verify {
            payload,
            trust_list,
            root,
        } => verify(ctx, &payload, trust_list.as_deref(), root.as_deref()),
    }
}

fn show(ctx: &Context, member: &str, png: Option<&Path>) -> Result<ExitCode> {
    let store = ctx.open()?;
    let m = resolve_member(&store, member)?;
    let (_, payload) = store.member_qr_payload(m.id)?.ok_or_else(|| {
        anyhow!("this member has no signed document (sync first); hand-entered records have no QR")
    })?;
    let code = qrcode::QrCode::with_error_correction_level(payload.as_bytes(), qrcode::EcLevel::L)
        .map_err(|e| anyhow!("cannot make a QR code: {e}"))?;
    outln!("{payload}");
    let art = code
        .render::<qrcode::render::unicode::Dense1x2>()
        .quiet_zone(true)
        .build();
    outln!("{art}");
    if let Some(path) = png {
        write_png(&code, path)?;
        outln!("wrote {}", path.display());
    }
    Ok(ExitCode::SUCCESS)
}

fn verify(
    ctx: &Context,
    payload: &str,
    trust_list: Option<&Path>,
    root: Option<&Path>,
) -> Result<ExitCode> {
    let trust = match (trust_list, root) {
        (Some(tl), Some(root)) => {
            let bytes =
                std::fs::read(tl).with_context(|| format!("cannot read {}", tl.display()))?;
            TrustList::verify(&bytes, &read_root(root)?, Utc::now())
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
            let now = Utc::now();
            // The issue date and the document's age come first: a receptionist judges an old
            // copy by them before reading anything else.
            outln!(
                "発行 {} ({} days ago)",
                shikaku_core::clock::japan_today(d.issued_at).format("%Y-%m-%d"),
                (now - d.issued_at).num_days().max(0)
            );
            let expired = d.is_expired(now);
            if expired {
                outln!(
                    "EXPIRED — 有効期限切れ: signed by issuer key {}, but the document's own validity ended {}",
                    v.kid,
                    shikaku_core::clock::japan_today(d.valid_until).format("%Y-%m-%d")
                );
            } else {
                outln!(
                    "signature VALID — 発行元の署名を確認済み (issuer key {})",
                    v.kid
                );
            }
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
            outln!("  版          {}", d.version);
            outln!("  valid only together with the physical My Number Card");
            Ok(if expired {
                ExitCode::FAILURE
            } else {
                ExitCode::SUCCESS
            })
        }
        Err(e) => {
            outln!("INVALID — {e}");
            Ok(ExitCode::FAILURE)
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
    // The code carries personal data: owner-only, a new file, no link followed.
    let file = create_private(path)?;
    let side32 = u32::try_from(side).map_err(|_| anyhow!("QR code too large"))?;
    let mut enc = png::Encoder::new(std::io::BufWriter::new(file), side32, side32);
    enc.set_color(png::ColorType::Grayscale);
    enc.set_depth(png::BitDepth::Eight);
    enc.write_header()?.write_image_data(&pixels)?;
    Ok(())
}
