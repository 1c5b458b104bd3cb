//! `shikaku demo`: the main job. A family's eligibility downloaded from the reference issuer
//! with their (virtual) My Number Cards, then — with the issuer stopped, fully offline — the
//! 本人's card checked, a grandparent's 資格確認書 entered by hand, and the screens and the
//! guidance for a clinic whose card reader is down; last, the clinic's own desk (its power
//! out, offline) verifies the 本人's QR code and card and records the visit.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Result, anyhow, bail};
use chrono::Utc;
use shikaku_core::card::{CheckOptions, Pin, TrustStore, check_card};
use shikaku_core::clinic::{
    DeskPin, DeskStore, PendingCardCheck, VerifyOptions, check_card_at_desk, export,
};
use shikaku_core::clock::japan_today;
use shikaku_core::eligibility::{Member, MemberForm, RecordForm, Relationship, Sex};
use shikaku_core::screen::HouseholdSnapshot;
use shikaku_core::screen::guidance::guidance;
use shikaku_core::store::{PassphraseKeyStore, Store, StoredCardCheck};
use shikaku_core::sync::http::ServerUrl;
use shikaku_core::sync::{SyncConfig, sync};
use shikaku_vcard::{Profile, VirtualCard};
use zeroize::Zeroizing;

use crate::context::{Context, create_private, create_private_dir};
use crate::render::html::screen_html;
use crate::render::text::{guidance_text, household_text, screen_text, sync_step};
use crate::transport::http::UreqTransport;
use crate::util::{clinic_situation, read_root};

/// The demo store's passphrase (the store is throwaway); it meets the strength rule like any
/// new passphrase (tested below).
const PASSPHRASE: &str = "shikaku-demo-household";
/// The demo clinic desk's passphrase (throwaway, like the household's).
const DESK_PASSPHRASE: &str = "shikaku-demo-clinic-desk";
/// The virtual cards' PIN (examples/vcard-*.toml).
const PIN: &str = "1234";

const HOUSEHOLDS: &str = include_str!(concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../examples/households.toml"
));
const TARO: &str = include_str!(concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../examples/vcard-yamada-taro.toml"
));
const UME_RECORD: &str = include_str!(concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../examples/record-certificate.json"
));

fn step(n: u32, text: &str) -> Result<()> {
    outln!("\n[{n}/9] {text}");
    Ok(())
}

/// Runs the demo in the directory given with `--data-dir`, or in a new temporary directory.
pub fn run(ctx: &Context) -> Result<ExitCode> {
    story(ctx.explicit_dir())?;
    Ok(ExitCode::SUCCESS)
}

/// The demo in `data_dir` (a new temporary directory when `None`).
fn story(data_dir: Option<&Path>) -> Result<()> {
    let work = tempfile::Builder::new().prefix("shikaku-demo-").tempdir()?;
    let store_dir: PathBuf = match data_dir {
        Some(d) => {
            if d.join("shikaku.db").exists() {
                bail!(
                    "{} already holds a store; the demo needs an empty directory",
                    d.display()
                );
            }
            create_private_dir(d)?;
            d.to_path_buf()
        }
        None => work.path().join("data"),
    };
    create_private_dir(&store_dir)?;
    outln!("== shikaku demo ==");
    outln!(
        "encrypted store: {} (temporary unless --data-dir)",
        store_dir.display()
    );

    step(
        1,
        "the reference issuer: development keys, trust list, TLS certificate",
    )?;
    let issuer_dir = work.path().join("issuer");
    let report = shikaku_issuer::init(&issuer_dir).map_err(|e| anyhow!("issuer init: {e}"))?;
    outln!(
        "  issuer key {} (trust list v1, root {}…)",
        report.kid,
        &report.root_public_key_hex[..16]
    );
    let data = work.path().join("households.toml");
    std::fs::write(&data, HOUSEHOLDS)?;
    let test_ca = work.path().join("vcard-test-ca.pem");
    std::fs::write(
        &test_ca,
        shikaku_vcard::test_ca_pem().map_err(|e| anyhow!("{e}"))?,
    )?;

    step(2, "start the issuer on loopback (HTTPS)")?;
    let mut config = shikaku_issuer::ServeConfig::new(&issuer_dir, &data, "127.0.0.1:0".parse()?);
    config.trust_anchors = vec![test_ca.clone()];
    config.log_requests = false;
    let running = shikaku_issuer::spawn(config).map_err(|e| anyhow!("issuer: {e}"))?;
    outln!("  listening at {}", running.url());

    step(3, "the family's virtual My Number Cards (TEST keys)")?;
    let taro = VirtualCard::new(Profile::from_toml_str(TARO).map_err(|e| anyhow!("{e}"))?)
        .map_err(|e| anyhow!("{e}"))?;
    outln!(
        "  本人 山田 太郎: card key {}…",
        hex8(&taro.auth_key_fingerprint())
    );

    step(
        4,
        "sync: the 本人 logs in with the card (PIN 1234) and downloads the household",
    )?;
    let ks = PassphraseKeyStore::new(Zeroizing::new(PASSPHRASE.to_string()));
    let mut store = Store::open(&store_dir.join("shikaku.db"), &ks)?;
    let ca = std::fs::read(issuer_dir.join("tls-ca.pem"))?;
    let sync_config = SyncConfig {
        server: ServerUrl::parse(&running.url(), false)?,
        root: Some(read_root(&issuer_dir.join("root-public.pem"))?),
        allow_last_attempt: false,
        timeout_ms: 15_000,
    };
    let http = UreqTransport::new(Some(&ca))?;
    let mut lines = Vec::new();
    let report = sync(
        &mut store,
        &http,
        &taro,
        &Pin::from_bytes(PIN.as_bytes())?,
        &sync_config,
        Utc::now(),
        &mut |s| lines.push(s),
    )
    .map_err(|e| anyhow!("sync failed: {e}"))?;
    for s in &lines {
        outln!("  {}", sync_step(s));
    }
    outln!("  stored {} document(s)", report.written);

    step(5, "stop the issuer: from here on everything is offline")?;
    running.stop().map_err(|e| anyhow!("issuer: {e}"))?;
    outln!("  issuer stopped");

    step(
        6,
        "check the 本人's card (PIN 1234): certificate chain, PIN guard, signature, 基本4情報",
    )?;
    let me = store
        .member_by_issuer_ref("p-0001")?
        .ok_or_else(|| anyhow!("the 本人 was not downloaded"))?;
    let options = CheckOptions {
        read_basic_info: true,
        extra_anchors: vec![std::fs::read(&test_ca)?],
        ..CheckOptions::default()
    };
    let check = check_card(
        &taro,
        &Pin::from_bytes(PIN.as_bytes())?,
        options,
        Utc::now(),
    )?;
    let stored = StoredCardCheck::for_member(&me, check);
    outln!(
        "  genuine card, signature verified; 基本4情報 compared with the member: {}",
        stored
            .matched
            .as_ref()
            .map_or("not read", |m| m.overall().label_ja())
    );
    store.put_card_check(&stored)?;

    step(
        7,
        "the grandparent has no card: her 資格確認書 is entered by hand",
    )?;
    let ume = MemberForm {
        name: "田中 ウメ".into(),
        kana: "タナカ ウメ".into(),
        birth_date: "1952-03-03".into(),
        sex: Sex::Female,
        relationship: Relationship::Insured,
        myna_hoken: None,
        card_expires_on: None,
    }
    .validate(japan_today(Utc::now()))?;
    let ume_id = store.add_member(&ume)?;
    store.enter_record(ume_id, &RecordForm::from_json(UME_RECORD)?, Utc::now())?;
    outln!("  entered (shown as 手入力・未検証)");

    step(8, "the screens")?;
    let now = Utc::now();
    // One read of the household for the overview, the screen and every member's guidance.
    let snapshot = HouseholdSnapshot::read(&store, now)?;
    let people: Vec<Member> = snapshot.members().cloned().collect();
    out!("{}", household_text(&snapshot.overview()?, &people));
    outln!();
    let screen = snapshot.member_screen(me.id)?;
    out!("{}", screen_text(&screen));
    let html = std::env::temp_dir().join("shikaku-demo-screen.html");
    let _ = std::fs::remove_file(&html);
    {
        use std::io::Write as _;
        create_private(&html)?.write_all(screen_html(&screen).as_bytes())?;
    }
    outln!("\nHTML screen: {}", html.display());

    outln!("\n== the clinic's card reader is down: what to present ==");
    for m in people {
        let g = guidance(
            &snapshot.member_situation(m.id)?,
            &clinic_situation("reader-down"),
            japan_today(now),
        );
        outln!("\n{}（{}）", m.data.name, m.data.relationship.label_ja());
        out!("{}", guidance_text(&g));
    }

    clinic_scene(
        &store,
        me.id,
        &taro,
        &issuer_dir,
        &test_ca,
        &work.path().join("clinic"),
    )
}

/// The clinic's power is out: its desk (a laptop on battery, no network) verifies the 本人's QR
/// code and card with the PIN, records the visit and prints the CSV line for the claim.
fn clinic_scene(
    store: &Store,
    member: shikaku_core::eligibility::MemberId,
    card: &VirtualCard,
    issuer_dir: &Path,
    test_ca: &Path,
    desk_dir: &Path,
) -> Result<()> {
    step(
        9,
        "at the clinic the power is out: the desk, offline, checks the 本人's QR code and card",
    )?;
    let now = Utc::now();
    let ks = PassphraseKeyStore::new(Zeroizing::new(DESK_PASSPHRASE.to_string()));
    let mut desk = DeskStore::open(desk_dir, &ks)?;
    // The desk took the issuer's trust list while it was online (here: the issuer's file).
    let list = std::fs::read(issuer_dir.join("trust-list.cose"))?;
    let root = read_root(&issuer_dir.join("root-public.pem"))?;
    let kept = desk.import_trust_list(&list, Some(&root), now)?;
    outln!("  the desk's trust list: v{}", kept.version);
    let (_, payload) = store
        .member_qr_payload(member)?
        .ok_or_else(|| anyhow!("the 本人 has no QR code"))?;
    outln!(
        "  scanned: {}…",
        payload.chars().take(24).collect::<String>()
    );
    let v = desk.verify_payload(&payload, VerifyOptions::default(), now)?;
    let claim = v
        .claim()
        .ok_or_else(|| anyhow!("the desk could not verify the QR code"))?;
    outln!(
        "  書類: {}・{}（{} {} 番号 {}）",
        v.document_kind().map_or("—", |k| k.label_ja()),
        v.verdict.label_ja(),
        claim.name,
        claim.insurer_number.as_str(),
        claim.number
    );
    let mut trust = TrustStore::jlis_auth()?;
    trust.add_extra_anchor(&std::fs::read(test_ca)?)?;
    let pin = DeskPin::from_bytes(PIN.as_bytes(), false)?;
    let mut held = PendingCardCheck::new();
    let check = held.apply(check_card_at_desk(card, &v, Some(pin), &trust, now))?;
    outln!("  カード: {}", check.label_ja());
    let outcome = v.outcome_with(&held, false);
    outln!("  判定: {}（{}）", outcome.label_ja(), outcome.basis_ja());
    let n = desk.record_verification(&v, &held, false, "受付 佐藤", now)?;
    outln!("  recorded as visit {n}; the CSV line for the レセコン:");
    let today = desk.visits_on(japan_today(now))?;
    let csv = export::to_csv(&today.entries);
    for line in csv.trim_start_matches('\u{feff}').lines().take(2) {
        outln!("  {line}");
    }
    Ok(())
}

fn hex8(b: &[u8]) -> String {
    b.iter().take(8).map(|x| format!("{x:02x}")).collect()
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_demo_passphrase_meets_the_strength_rule() {
        assert_eq!(
            shikaku_core::store::check_passphrase_strength(super::PASSPHRASE),
            Ok(())
        );
        assert_eq!(
            shikaku_core::store::check_passphrase_strength(super::DESK_PASSPHRASE),
            Ok(())
        );
    }
}
