//! The measuring side of `scripts/store-bench`'s alternating rounds (ADR 0013, "Comparing with
//! SQLCipher: alternating rounds"). SQLCipher cannot be linked into the store bench's binary
//! (two SQLites), so the comparison spans two processes; criterion's stretches of seconds, one
//! process after the other, moved the ratio from 0.86× to 1.74× between two runs on a shared
//! machine. Instead each bench binary, started with `--serve`, prepares its databases once and
//! then runs short turns on request, and the script asks the two processes in turns.
//!
//! The same file is compiled into both binaries (`core/benches/store.rs` and, by path,
//! `benches/sqlcipher/benches/open_read.rs`): both sides are timed by the same code.
//!
//! Protocol, one line each way: the binary prints `ready <operation>…` once its databases are
//! written; then each request `<operation> <iterations>` on stdin runs the operation that many
//! times in a row, each run timed alone, and is answered with the times in nanoseconds, separated
//! by spaces. The binary exits at the end of its input.

use std::io::{BufRead, Write};
use std::time::Instant;

/// Whether the binary was started by `scripts/store-bench` (`--serve`) rather than by criterion.
pub fn requested() -> bool {
    std::env::args().any(|a| a == "--serve")
}

/// Answers the script's requests until its input ends. `operations` are the named operations
/// this binary measures.
pub fn serve(operations: &mut [(&str, &mut dyn FnMut())]) {
    let names: Vec<&str> = operations.iter().map(|(name, _)| *name).collect();
    let mut out = std::io::stdout().lock();
    writeln!(out, "ready {}", names.join(" ")).unwrap();
    out.flush().unwrap();
    for line in std::io::stdin().lock().lines() {
        let line = line.unwrap();
        let (name, iterations) = line
            .split_once(' ')
            .unwrap_or_else(|| panic!("expected `<operation> <iterations>`, got {line:?}"));
        let iterations: usize = iterations.trim().parse().unwrap();
        let (_, operation) = operations
            .iter_mut()
            .find(|(n, _)| *n == name)
            .unwrap_or_else(|| panic!("unknown operation {name:?}; this binary runs {names:?}"));
        let mut times = Vec::with_capacity(iterations);
        for _ in 0..iterations {
            let start = Instant::now();
            operation();
            times.push(start.elapsed().as_nanos());
        }
        let times: Vec<String> = times.iter().map(u128::to_string).collect();
        writeln!(out, "{}", times.join(" ")).unwrap();
        out.flush().unwrap();
    }
}
