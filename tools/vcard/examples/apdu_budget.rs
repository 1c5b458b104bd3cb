//! Prints the APDUs and bytes of a card check against the virtual card, for short and
//! extended-length READ BINARY, with the virtual card's own 利用者証明用 certificate and one
//! grown to 1,573 bytes (the size of a real one), beside each mode's minimum and the time
//! modelled at 212 kbit/s, 5 ms per APDU and 500 ms per RSA signature.
//!
//! The minimum of a check is SELECT JPKI AP, SELECT `000A`, the certificate READs
//! (ceil(size/256) short, 1 extended), SELECT `0018`, the retry-counter read (required: no PIN
//! is sent before it), VERIFY, SELECT `0017`, SIGN. The 基本4情報 adds SELECT text AP,
//! SELECT `0011`, its counter, VERIFY, SELECT `0002` and its READs. Above the minimum the check
//! sends only the token EF (SELECT `0006` + one READ): the card kind, which nothing else on the
//! card gives (docs/decisions/0012-extended-length.md).
//!
//! `cargo run --release -p shikaku-vcard --example apdu_budget [PROFILE.toml]`
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use chrono::Utc;
use shikaku_core::card::{CheckOptions, Pin, check_card};
use shikaku_vcard::card::basic_info_ef;
use shikaku_vcard::{Profile, Quirks, VirtualCard};

const BITS_PER_SECOND: f64 = 212_000.0;
const PER_APDU_MS: f64 = 5.0;
const PER_SIGNATURE_MS: f64 = 500.0;
/// The size of a real 利用者証明用 certificate (the my-number/myna test vector).
const REAL_CERTIFICATE: usize = 1573;

fn model_ms(apdus: usize, bytes: usize, signatures: usize) -> f64 {
    bytes as f64 * 8.0 / BITS_PER_SECOND * 1000.0
        + apdus as f64 * PER_APDU_MS
        + signatures as f64 * PER_SIGNATURE_MS
}

/// How the reader and the card handle extended-length APDUs.
#[derive(Clone, Copy)]
enum Mode {
    /// The transport reports short APDUs only.
    Short,
    /// The transport and the card carry extended APDUs.
    Extended,
    /// The transport reports extended APDUs, the card refuses them (`6700`): the fallback.
    Refused,
}

impl Mode {
    fn label(self) -> &'static str {
        match self {
            Mode::Short => "short",
            Mode::Extended => "extended",
            Mode::Refused => "ext→short",
        }
    }
}

fn run(card: &VirtualCard, mode: Mode, basic_info: bool) -> (usize, usize, usize) {
    card.set_extended_length(!matches!(mode, Mode::Short));
    card.set_quirks(Quirks {
        refuse_extended: matches!(mode, Mode::Refused),
        ..Quirks::default()
    });
    card.reset();
    card.clear_log();
    let options = CheckOptions {
        read_basic_info: basic_info,
        extra_anchors: vec![shikaku_vcard::test_ca_der().unwrap()],
        ..CheckOptions::default()
    };
    let check = check_card(
        card,
        &Pin::from_bytes(b"1234").unwrap(),
        options,
        Utc::now(),
    )
    .unwrap();
    assert_eq!(check.basic_info.info().is_some(), basic_info);
    assert!(
        !card.my_number_selected(),
        "the 個人番号 EF was never selected"
    );
    let log = card.log();
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
    let profile = Profile::load(&path).unwrap();
    let info = basic_info_ef(&profile).len();
    let cards = [
        VirtualCard::new(profile.clone()).unwrap(),
        VirtualCard::with_auth_certificate_size(profile, REAL_CERTIFICATE).unwrap(),
    ];
    let reads = |n: usize, extended: bool| if extended { 1 } else { n.div_ceil(256) };
    println!(
        "基本4情報 EF {info} B; model: {} kbit/s, {PER_APDU_MS} ms/APDU, {PER_SIGNATURE_MS} ms/RSA",
        BITS_PER_SECOND / 1000.0
    );
    println!(
        "{:<9} {:<10} {:<18} {:>5} {:>7} {:>6} {:>7} {:>8} {:>8}",
        "cert B", "mode", "flow", "APDUs", "minimum", "above", "sent B", "recv B", "model ms"
    );
    for card in &cards {
        let cert = card.auth_certificate_der().len();
        for mode in [Mode::Short, Mode::Extended, Mode::Refused] {
            let extended = matches!(mode, Mode::Extended);
            // SELECT AP, SELECT 000A, READs, SELECT 0018, counter, VERIFY, SELECT 0017, SIGN.
            let min_check = 2 + reads(cert, extended) + 3 + 2;
            // + SELECT text AP, SELECT 0011, counter, VERIFY, SELECT 0002, READs.
            let min_info = min_check + 5 + reads(info, extended);
            for (flow, with_info, min) in [
                ("check", false, min_check),
                ("check + basic info", true, min_info),
            ] {
                let (apdus, sent, recv) = run(card, mode, with_info);
                println!(
                    "{cert:<9} {:<10} {flow:<18} {apdus:>5} {min:>7} {:>+6} {sent:>7} {recv:>8} \
                     {:>8.0}",
                    mode.label(),
                    apdus as isize - min as isize,
                    model_ms(apdus, sent + recv, 1)
                );
            }
        }
    }
    println!(
        "above the minimum: the token EF (SELECT 0006 + READ, the card kind); ext→short adds the \
         refused extended READ"
    );
}
