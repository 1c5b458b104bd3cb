#!/usr/bin/env bash
# Builds libshikaku_ffi.so for the four Android ABIs with cargo-ndk (release profile: size
# tuned, debuginfo stripped, symbols kept for uniffi-bindgen) into the library module's
# jniLibs/, and generates the Kotlin bindings into shikaku/build/generated/uniffi/kotlin.
#
# Needs: the Android NDK (ANDROID_NDK_HOME, r27 or newer), `cargo install cargo-ndk`, and
#   rustup target add aarch64-linux-android armv7-linux-androideabi x86_64-linux-android i686-linux-android
# Usage: android/build-rust.sh [--debug]
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/.." && pwd)
PROFILE=release
CARGO_PROFILE_FLAG=--release
if [[ ${1:-} == --debug ]]; then
  PROFILE=debug
  CARGO_PROFILE_FLAG=
fi
JNILIBS=$HERE/shikaku/src/main/jniLibs
GENERATED=$HERE/shikaku/build/generated/uniffi/kotlin
API_LEVEL=26

: "${ANDROID_NDK_HOME:?set ANDROID_NDK_HOME to the NDK (r27 or newer)}"
command -v cargo-ndk >/dev/null || { echo "cargo-ndk missing: cargo install cargo-ndk" >&2; exit 1; }

cd "$ROOT"
for t in aarch64-linux-android armv7-linux-androideabi x86_64-linux-android i686-linux-android; do
  rustup target list --installed | grep -qx "$t" || rustup target add "$t"
done

# SQLite without the extensions the core never uses (as measured by scripts/ffi-size).
# shellcheck source=../bindings/sqlite-flags.sh
source "$ROOT/bindings/sqlite-flags.sh"

# 16 KB page alignment (required for Android 15+ devices with 16 KB pages). With --target,
# RUSTFLAGS reaches only the target artifacts, not build scripts.
export RUSTFLAGS="${RUSTFLAGS:-} -C link-arg=-Wl,-z,max-page-size=16384"

# cargo-ndk copies each library into jniLibs/<abi>/ (stripped of debug info by cargo's profile;
# the symbol table stays, which uniffi-bindgen needs below).
# shellcheck disable=SC2086
cargo ndk \
  --platform "$API_LEVEL" \
  -t arm64-v8a -t armeabi-v7a -t x86_64 -t x86 \
  -o "$JNILIBS" \
  build -p shikaku-ffi $CARGO_PROFILE_FLAG

# The generator: a host build of the workspace's pinned uniffi-bindgen.
cargo build --release -p uniffi-bindgen
rm -rf "$GENERATED"
mkdir -p "$GENERATED"
# Library mode reads the metadata from any slice; the aarch64 one is the reference.
"$ROOT/target/release/uniffi-bindgen" generate \
  "$ROOT/target/aarch64-linux-android/$PROFILE/libshikaku_ffi.so" \
  --language kotlin --config "$ROOT/bindings/uniffi.toml" --out-dir "$GENERATED"

for abi in arm64-v8a armeabi-v7a x86_64 x86; do
  so=$JNILIBS/$abi/libshikaku_ffi.so
  [[ -f $so ]] || { echo "missing $so" >&2; exit 1; }
  # The 16 KB alignment must show in every LOAD segment.
  if command -v llvm-readelf >/dev/null; then
    llvm-readelf -lW "$so" | awk '/LOAD/ && $NF != "0x4000" { bad = 1 } END { exit bad }' \
      || { echo "$so: LOAD segments not 16 KB aligned" >&2; exit 1; }
  fi
  printf '%-12s %8d bytes\n' "$abi" "$(stat -c %s "$so" 2>/dev/null || stat -f %z "$so")"
done
echo "Kotlin bindings: $GENERATED"
