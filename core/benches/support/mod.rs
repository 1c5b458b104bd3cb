//! Paired measurements for the benchmarks that hold a ratio goal against plaintext SQLite.
//!
//! Criterion measures one function for seconds, then the next: on a shared 2-core machine a
//! figure moves by ±20 % from one such stretch to the next, so two separate stretches can make
//! or break a ratio goal. Here the encrypted and the plaintext work run in turns, thousands of
//! times, each timed on its own (the order swapped every round): each pair shares the
//! machine's state, and the ratio of the medians holds from run to run.

use std::time::Instant;

/// Pairs to measure: `bench_rounds` in a benchmark run (`--bench` among the arguments), a few
/// in test mode (`cargo test --bench …`), which only exercises the code.
pub fn rounds(bench_rounds: usize) -> usize {
    if std::env::args().any(|a| a == "--bench") {
        bench_rounds
    } else {
        3
    }
}

/// Medians of paired measurements and the percentiles of the pairs' ratios.
pub struct Pairs {
    /// Median of the encrypted side, µs per operation.
    pub encrypted_us: f64,
    /// Median of the plaintext side, µs per operation.
    pub plaintext_us: f64,
    /// 10th, 50th and 90th percentile of encrypted / plaintext, pair by pair.
    pub ratios: [f64; 3],
}

/// Runs `encrypted` and `plaintext` in turns, `rounds` times, each `batch` times in a row per
/// turn (short operations are timed in batches), the order swapped every round so that neither
/// always finds the other's cache state.
pub fn paired(
    rounds: usize,
    batch: u32,
    mut encrypted: impl FnMut(),
    mut plaintext: impl FnMut(),
) -> Pairs {
    let time = |f: &mut dyn FnMut()| {
        let t = Instant::now();
        for _ in 0..batch {
            f();
        }
        t.elapsed().as_secs_f64() * 1e6 / f64::from(batch)
    };
    let mut enc = Vec::with_capacity(rounds);
    let mut plain = Vec::with_capacity(rounds);
    for i in 0..rounds {
        if i % 2 == 0 {
            enc.push(time(&mut encrypted));
            plain.push(time(&mut plaintext));
        } else {
            plain.push(time(&mut plaintext));
            enc.push(time(&mut encrypted));
        }
    }
    let mut ratios: Vec<f64> = enc.iter().zip(&plain).map(|(e, p)| e / p).collect();
    let at = |v: &mut Vec<f64>, q: f64| {
        v.sort_by(f64::total_cmp);
        v[((v.len() - 1) as f64 * q).round() as usize]
    };
    Pairs {
        encrypted_us: at(&mut enc, 0.5),
        plaintext_us: at(&mut plain, 0.5),
        ratios: [
            at(&mut ratios, 0.1),
            at(&mut ratios, 0.5),
            at(&mut ratios, 0.9),
        ],
    }
}

/// Prints one table (markdown) of paired measurements to stderr, beside criterion's output.
pub fn pairs_table(group: &str, rounds: usize, goal: &str, rows: &[(&str, Pairs)]) {
    eprintln!("\n{group}, encrypted and plaintext in pairs ({rounds} pairs each, goal {goal}):");
    eprintln!(
        "| measurement | encrypted | plaintext | ratio of medians | pair ratios: 10th / 50th / 90th percentile |"
    );
    eprintln!("|---|---:|---:|---:|---:|");
    for (name, p) in rows {
        eprintln!(
            "| {name} | {:.1} µs | {:.1} µs | {:.2}× | {:.2}× / {:.2}× / {:.2}× |",
            p.encrypted_us,
            p.plaintext_us,
            p.encrypted_us / p.plaintext_us,
            p.ratios[0],
            p.ratios[1],
            p.ratios[2]
        );
    }
}
