//! `shikaku qr show|verify`: a member's QR payload (`SK1:` + Base45(zlib(COSE))) — the
//! presentation document (format 2), or for a record synced before presentations existed the
//! full signed document (format 1) — and offline verification of either, as a clinic does it
//! (the desk's verification and words, from the core: `clinic::verify_payload_with`).

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context as _, Result, anyhow, bail};
use chrono::Utc;
use clap::Subcommand;
use shikaku_core::clinic::{DeskCardState, DeskTrust, VerifyOptions, verify_payload_with};
use shikaku_core::document::TrustList;

use crate::cmd::clinic::desk::{TrustSource, print_outcome, print_verification};
use crate::context::{Context, create_private, resolve_member};
use crate::util::read_root;

/// The `qr` subcommands.
#[derive(Subcommand)]
pub enum QrCommand {
    /// Print a member's presentation document (what a clinic needs, nothing more) as an `SK1:`
    /// payload and draw it as a QR code.
    Show {
        /// Member id (or prefix).
        member: String,
        /// Also write the QR code as a PNG image.
        #[arg(long, value_name = "FILE")]
        png: Option<PathBuf>,
    },
    /// Verify an `SK1:` payload offline (format 2 presentation or format 1 full document) the
    /// way a clinic desk does (`clinic verify`, without a card): the document's verdict, its
    /// issue date and age, the fields as signed, and what it is worth without the card. Exit 0
    /// only when the verdict is 確認済み.
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
    let (record, payload) = store.member_qr_payload(m.id)?.ok_or_else(|| {
        anyhow!("this member has no signed document (sync first); hand-entered records have no QR")
    })?;
    let stored = store.record(record)?;
    let full = shikaku_core::store::signed_bytes(&stored);
    let is_full_document = store.qr_bytes(&stored)?.as_deref() == full;
    let code = qrcode::QrCode::with_error_correction_level(payload.as_bytes(), qrcode::EcLevel::L)
        .map_err(|e| anyhow!("cannot make a QR code: {e}"))?;
    outln!("{payload}");
    let art = code
        .render::<qrcode::render::unicode::Dense1x2>()
        .quiet_zone(true)
        .build();
    outln!("{art}");
    if is_full_document {
        outln!(
            "format 1: the full signed document (synced before presentations existed; it still \
             verifies, and the next sync replaces it with the presentation)"
        );
    } else {
        outln!(
            "format 2: the presentation document (no issuer ids, no 限度額, salted card binding)"
        );
    }
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
    let now = Utc::now();
    let trust = match (trust_list, root) {
        (Some(tl), Some(root)) => {
            let bytes =
                std::fs::read(tl).with_context(|| format!("cannot read {}", tl.display()))?;
            let list = TrustList::verify(&bytes, &read_root(root)?, now)
                .map_err(|e| anyhow!("the trust list does not verify: {e}"))?;
            DeskTrust {
                list,
                stored_at: now,
            }
        }
        _ => {
            let store = ctx.open()?;
            let state = store.sync_state()?;
            if state.trust_list.is_none() {
                bail!("no trust list: sync first, or pass --trust-list and --root");
            }
            let list = store.trust_list(now)?.ok_or_else(|| {
                anyhow!("the stored trust list does not verify with the pinned root")
            })?;
            let stored_at = state.last_success.unwrap_or(list.issued_at);
            DeskTrust { list, stored_at }
        }
    };
    // The desk's verification and words (the core's): the document's verdict, with the
    // eligibility's own dates and the 75th birthday, and what it is worth without a card.
    let v = verify_payload_with(
        payload,
        Some(&trust),
        TrustSource::Household,
        VerifyOptions::default(),
        now,
    );
    print_verification(&v, TrustSource::Household)?;
    if v.presentation.is_some() {
        outln!("カードなしで提示した場合:");
        print_outcome(&v.outcome(DeskCardState::NotChecked))?;
    }
    Ok(if v.verdict.is_confirmed() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
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
