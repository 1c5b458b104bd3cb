//! The desk commands of the CLI's clinic tests: `shikaku --data-dir <desk's parent>/household
//! clinic --desk-dir <desk>` with the test passphrase. Each test file adds its own environment.
#![allow(dead_code)]

use std::path::Path;
use std::process::Command;

/// The binary under test.
pub const BIN: &str = env!("CARGO_BIN_EXE_shikaku");
/// The passphrase of every test store.
pub const PASS: &str = "kingfisher meadow lantern 42";

/// `shikaku clinic` on the desk at `desk` (its household beside it), with `SHIKAKU_PASSPHRASE`.
pub fn desk_command(desk: &Path) -> Command {
    let mut c = Command::new(BIN);
    c.arg("--data-dir")
        .arg(desk.parent().unwrap().join("household"))
        .arg("clinic")
        .arg("--desk-dir")
        .arg(desk)
        .env("SHIKAKU_PASSPHRASE", PASS);
    c
}
