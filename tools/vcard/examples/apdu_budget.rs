//! Prints the APDUs and bytes of a card check against the virtual card, next to the minimum
//! (the SELECTs + ceil(size/256) READs + VERIFY + SIGN), and the time modelled at 212 kbit/s,
//! 5 ms per APDU and 500 ms per RSA signature.
//!
//! `cargo run --release -p shikaku-vcard --example apdu_budget [PROFILE.toml]`
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use chrono::Utc;
use shikaku_core::card::{CheckOptions, check_card};
use shikaku_vcard::card::basic_info_ef;
use shikaku_vcard::{VirtualCard, card_from_profile_path};

const BITS_PER_SECOND: f64 = 212_000.0;
const PER_APDU_MS: f64 = 5.0;
const PER_SIGNATURE_MS: f64 = 500.0;

fn model_ms(apdus: usize, bytes: usize, signatures: usize) -> f64 {
    bytes as f64 * 8.0 / BITS_PER_SECOND * 1000.0
        + apdus as f64 * PER_APDU_MS
        + signatures as f64 * PER_SIGNATURE_MS
}

fn run(card: &VirtualCard, basic_info: bool) -> (usize, usize, usize) {
    card.clear_log();
    let options = CheckOptions {
        read_basic_info: basic_info,
        extra_anchors: vec![shikaku_vcard::test_ca_der().unwrap()],
        ..CheckOptions::default()
    };
    check_card(card, "1234", options, Utc::now()).unwrap();
    let log = card.log();
    assert!(
        !card.my_number_selected(),
        "the 個人番号 EF was never selected"
    );
    let sent: usize = log.iter().map(|e| e.command.len()).sum();
    let received: usize = log
        .iter()
        .filter_map(|e| e.response.as_ref())
        .map(Vec::len)
        .sum();
    (log.len(), sent, received)
}

fn main() {
    let path = std::env::args().nth(1).unwrap_or_else(|| {
        concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../examples/vcard-yamada-taro.toml"
        )
        .into()
    });
    let card = card_from_profile_path(&path).unwrap();
    let cert = card.auth_certificate_der().len();
    let info = basic_info_ef(card.profile()).len();
    let reads = |n: usize| n.div_ceil(256);
    // SELECT JPKI AP, SELECT 000A, READs, SELECT 0018, VERIFY, SELECT 0017, SIGN.
    let min_plain = 2 + reads(cert) + 2 + 2;
    // + SELECT text AP, SELECT 0011, VERIFY, SELECT 0002, READs.
    let min_info = min_plain + 4 + reads(info);
    println!("auth certificate {cert} B, 基本4情報 EF {info} B");
    println!(
        "{:<22} {:>6} {:>8} {:>10} {:>10} {:>9}",
        "", "APDUs", "minimum", "sent B", "recv B", "model ms"
    );
    for (label, with_info, min) in [
        ("check", false, min_plain),
        ("check + 基本4情報", true, min_info),
    ] {
        let (apdus, sent, recv) = run(&card, with_info);
        println!(
            "{label:<22} {apdus:>6} {min:>8} {sent:>10} {recv:>10} {:>9.0}",
            model_ms(apdus, sent + recv, 1)
        );
    }
}
