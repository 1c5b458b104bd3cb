//! Open + read the household of `core/benches/store.rs` from SQLCipher, with a raw key and with
//! SQLCipher's default key derivation. The same operation as that benchmark's
//! `household_6x3/encrypted_open_and_read` (shikaku) and `plaintext_open_and_read`.
//!
//! Started with `--serve` (by `scripts/store-bench`), the binary runs no criterion benchmark: it
//! answers requests for short turns of the two open + reads, timed by the store bench's own code
//! (`core/benches/support/serve.rs`), which the script alternates with that bench's turns.
//!
//! `scripts/store-bench` (both binaries in alternating rounds, one table), or criterion alone:
//! `cargo bench --manifest-path benches/sqlcipher/Cargo.toml`
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use std::hint::black_box;
use std::path::PathBuf;
use std::time::Duration;

use criterion::{Criterion, criterion_group};
use shikaku_sqlcipher_bench::{Key, cipher_version, open, read, write};

#[path = "../../../core/benches/support/serve.rs"]
mod serve;

const RAW: Key<'static> = Key::Raw([3; 32]);
const PASSPHRASE: Key<'static> = Key::Passphrase("correct horse battery staple");

/// The household written with a raw key and with a passphrase, in a directory that lives as long
/// as the returned handle: (directory, raw-key database, passphrase database).
fn databases() -> (tempfile::TempDir, PathBuf, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let raw = dir.path().join("raw.db");
    let kdf = dir.path().join("kdf.db");
    let bytes = write(&raw, RAW).unwrap();
    write(&kdf, PASSPHRASE).unwrap();
    assert_eq!(read(&raw, RAW).unwrap(), 18);
    assert_eq!(read(&kdf, PASSPHRASE).unwrap(), 18);
    let version = cipher_version(&open(&raw, RAW).unwrap()).unwrap();
    eprintln!("SQLCipher {version}; 6 members × 3 records, {bytes} bytes of JSON payload");
    (dir, raw, kdf)
}

fn bench(c: &mut Criterion) {
    let (_dir, raw, kdf) = databases();

    let mut g = c.benchmark_group("sqlcipher_household_6x3");
    g.bench_function("raw_key_open_and_read", |b| {
        b.iter(|| black_box(read(&raw, RAW).unwrap()))
    });
    // PBKDF2 at every open makes each iteration take tens of milliseconds: fewer samples.
    g.sample_size(10).measurement_time(Duration::from_secs(10));
    g.bench_function("default_kdf_open_and_read", |b| {
        b.iter(|| black_box(read(&kdf, PASSPHRASE).unwrap()))
    });
    g.finish();
}

/// `--serve`: both databases written once, then turns on request (`serve.rs`).
fn serve_rounds() {
    let (_dir, raw, kdf) = databases();
    serve::serve(&mut [
        ("sqlcipher_raw_key", &mut || {
            black_box(read(&raw, RAW).unwrap());
        }),
        ("sqlcipher_default_kdf", &mut || {
            black_box(read(&kdf, PASSPHRASE).unwrap());
        }),
    ]);
}

criterion_group!(benches, bench);

fn main() {
    if serve::requested() {
        serve_rounds();
    } else {
        // What `criterion_main!(benches)` expands to.
        benches();
        Criterion::default().configure_from_args().final_summary();
    }
}
