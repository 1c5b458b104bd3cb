//! Serves a virtual My Number Card to pcscd's vpcd driver until pcscd closes the connection.
//!
//! `cargo run -p shikaku-vcard --example vcard_serve -- examples/vcard-yamada-taro.toml [127.0.0.1:35963]`
//!
//! The `shikaku vcard serve` command does the same; this example needs no CLI.

use std::process::ExitCode;
use std::sync::atomic::AtomicBool;

fn main() -> ExitCode {
    let mut args = std::env::args().skip(1);
    let Some(profile) = args.next() else {
        eprintln!("usage: vcard_serve PROFILE.toml [HOST:PORT]");
        return ExitCode::from(2);
    };
    let addr = args
        .next()
        .unwrap_or_else(|| shikaku_vcard::vpcd::DEFAULT_VPCD_ADDR.to_owned());
    let card = match shikaku_vcard::card_from_profile_path(&profile) {
        Ok(card) => card,
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::FAILURE;
        }
    };
    eprintln!("serving {} to vpcd at {addr}", card.profile().name);
    let stop = AtomicBool::new(false);
    match shikaku_vcard::vpcd::serve(&card, &addr, &stop) {
        Ok(end) => {
            eprintln!("done: {end:?} after {} APDUs", card.apdu_count());
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("{e}");
            ExitCode::FAILURE
        }
    }
}
