//! `shikaku qr show|verify`: a member's QR payload (`SK1:` + Base45(zlib(COSE))) — the
//! presentation document (format 2), or for a record synced before presentations existed the
//! full signed document (format 1) — and offline verification of either, as a clinic does it.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context as _, Result, anyhow, bail};
use chrono::Utc;
use clap::Subcommand;
use shikaku_core::document::{
    PresentedFormat, TrustList, Validity, Verdict, VerifiedPresentation, from_qr_payload,
    verify_presentation,
};
use shikaku_core::eligibility::{Relationship, Sex};

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
    /// Verify an `SK1:` payload offline (format 2 presentation or format 1 full document);
    /// exit 0 only when it is valid.
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
    let now = Utc::now();
    let result =
        from_qr_payload(payload.trim()).and_then(|bytes| verify_presentation(&bytes, &trust, now));
    let verdict = Verdict::of(&result);
    match result {
        Ok(v) => {
            print_verified(&v, now)?;
            Ok(if verdict == Verdict::Valid {
                ExitCode::SUCCESS
            } else {
                ExitCode::FAILURE
            })
        }
        Err(e) => {
            let what = match verdict {
                Verdict::UnknownIssuerKey => "発行元不明 (issuer key not trusted for this)",
                Verdict::BadSignature => "署名不正 (bad signature)",
                _ => "形式不正 (malformed)",
            };
            outln!("INVALID — {what}: {e}");
            Ok(ExitCode::FAILURE)
        }
    }
}

fn print_verified(v: &VerifiedPresentation, now: chrono::DateTime<Utc>) -> Result<()> {
    let d = &v.document;
    let day = |t| shikaku_core::clock::japan_today(t).format("%Y-%m-%d");
    let date = |o: Option<chrono::NaiveDate>| {
        o.map(|d| d.format("%Y-%m-%d").to_string())
            .unwrap_or_else(|| "—".into())
    };
    // The issue date, the document's age and its format come first: a receptionist judges an
    // old copy by them before reading anything else.
    let format = match v.format {
        PresentedFormat::Presentation => "format 2 (presentation)",
        PresentedFormat::FullDocument { .. } => {
            "format 1 (full document, from before presentations)"
        }
    };
    outln!(
        "発行 {} ({} days ago) · {format}",
        day(d.issued_at),
        (now - d.issued_at).num_days().max(0)
    );
    match v.validity {
        Validity::Expired { since } => outln!(
            "EXPIRED — 有効期限切れ: signed by issuer key {}, but the document's own validity ended {}",
            v.kid,
            day(since)
        ),
        Validity::Valid => outln!(
            "signature VALID — 発行元の署名を確認済み (issuer key {})",
            v.kid
        ),
    }
    let p = &d.person;
    let r = &d.record;
    outln!("  氏名        {} ({})", p.name, p.kana);
    let sex = match p.sex {
        Sex::Male => "男",
        Sex::Female => "女",
        Sex::Other => "その他",
    };
    outln!(
        "  生年月日    {}  性別 {sex}",
        p.birth_date.format("%Y-%m-%d")
    );
    let relationship = match r.relationship {
        Relationship::Insured => "本人",
        Relationship::Dependent => "家族",
    };
    outln!("  本人・家族  {relationship}");
    outln!("  保険者番号  {}  {}", r.insurer_number, r.insurer_name);
    outln!(
        "  記号・番号  {} ・ {}  枝番 {}",
        r.symbol.as_deref().unwrap_or("—"),
        r.number,
        r.branch.as_deref().unwrap_or("—")
    );
    if let Some(name) = &r.insured_name {
        outln!("  被保険者氏名 {name}");
    }
    outln!(
        "  負担割合    {}",
        r.copay
            .map(|c| format!("{}割", c.percent() / 10))
            .unwrap_or_else(|| "—".into())
    );
    outln!(
        "  有効期間    {} 〜 {}",
        date(r.valid_from),
        date(r.valid_until)
    );
    if let Some(e) = &r.elderly {
        outln!(
            "  高齢受給者  {}割 ({} 〜 {})",
            e.copay.percent() / 10,
            e.effective_from.format("%Y-%m-%d"),
            date(e.valid_until)
        );
    }
    if r.preschool {
        outln!("  未就学");
    }
    let bound = match &v.format {
        PresentedFormat::Presentation if d.holder.is_some() => {
            "bound to a My Number Card (salted binding)"
        }
        PresentedFormat::FullDocument {
            holder_binding: Some(_),
        } => "bound to a My Number Card",
        _ => "bound to no card",
    };
    outln!("  {bound}; valid only together with the physical My Number Card");
    Ok(())
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
