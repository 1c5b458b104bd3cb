#!/usr/bin/env bash
# shellcheck source-path=SCRIPTDIR
# Builds libshikaku_ffi.so for the four Android ABIs into the library module's jniLibs/, and
# generates the Kotlin bindings into shikaku/build/generated/uniffi/kotlin.
#
# Each ABI is built by ffi_build (bindings/build-ffi.sh): the cdylib alone, with the release
# profile (size tuned, debuginfo stripped, panics abort), the SQLite options and the link
# arguments that scripts/ffi-size measures. The NDK's clang is the C compiler and the linker (set
# here per target, as cargo-ndk would; bindings/ffi-link runs it). The shipped .so carries no
# uniffi metadata: the Kotlin bindings are generated from the library linked beside it with the
# metadata (ffi_uniffi_library), and every ABI's .so is checked to export all it calls.
#
# Needs: the Android NDK (ANDROID_NDK_HOME, r27 or newer) and
#   rustup target add aarch64-linux-android armv7-linux-androideabi x86_64-linux-android i686-linux-android
# Usage: android/build-rust.sh [--debug] [--tablet]
#   --tablet: the clinic tablet's library, with the clinic desk (`ClinicDesk`); without it, the
#   patient's phone library (docs/decisions/0011-clinic-desk-build.md). Both write the same
#   jniLibs/ and generated Kotlin: build the variant the app being packaged needs.
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/.." && pwd)
# shellcheck source=../bindings/build-ffi.sh
source "$ROOT/bindings/build-ffi.sh"
ffi_options "$@"
PROFILE=$FFI_PROFILE
VARIANT=$FFI_VARIANT
TARGET_DIR=${CARGO_TARGET_DIR:-$ROOT/target}
JNILIBS=$HERE/shikaku/src/main/jniLibs
GENERATED=$HERE/shikaku/build/generated/uniffi/kotlin
# minSdk of android/shikaku; also what the packed relocations need (API 23+).
API_LEVEL=26

: "${ANDROID_NDK_HOME:?set ANDROID_NDK_HOME to the NDK (r27 or newer)}"
case "$(uname -s)" in
  Linux) NDK_HOST=linux-x86_64 ;;
  Darwin) NDK_HOST=darwin-x86_64 ;; # a universal binary in the NDK, Apple silicon included
  *) echo "unsupported build host $(uname -s): use Linux or macOS" >&2; exit 1 ;;
esac
TOOLCHAIN=$ANDROID_NDK_HOME/toolchains/llvm/prebuilt/$NDK_HOST/bin
[[ -x $TOOLCHAIN/clang ]] || { echo "no NDK clang in $TOOLCHAIN" >&2; exit 1; }

cd "$ROOT"
# ABI, Rust target, the NDK's clang target (armv7 is "armv7a-…" for clang).
ABIS=(
  "arm64-v8a aarch64-linux-android aarch64-linux-android"
  "armeabi-v7a armv7-linux-androideabi armv7a-linux-androideabi"
  "x86_64 x86_64-linux-android x86_64-linux-android"
  "x86 i686-linux-android i686-linux-android"
)
for entry in "${ABIS[@]}"; do
  read -r _ triple _ <<<"$entry"
  rustup target list --installed | grep -qx "$triple" || rustup target add "$triple"
done


for entry in "${ABIS[@]}"; do
  read -r abi triple clang_target <<<"$entry"
  var=${triple//-/_}
  upper=$(printf '%s' "$var" | tr '[:lower:]' '[:upper:]')
  clang="$TOOLCHAIN/$clang_target$API_LEVEL-clang"
  export "CC_$var=$clang" "AR_$var=$TOOLCHAIN/llvm-ar" "CARGO_TARGET_${upper}_LINKER=$clang"
  ffi_build "$triple" cdylib "$PROFILE" "$VARIANT"
  mkdir -p "$JNILIBS/$abi"
  cp "$(ffi_artifact "$triple" cdylib "$PROFILE")" "$JNILIBS/$abi/libshikaku_ffi.so"
done

# The generator: a host build of the workspace's pinned uniffi-bindgen.
cargo build --release --locked -p uniffi-bindgen
rm -rf "$GENERATED"
mkdir -p "$GENERATED"
# Library mode reads the metadata from any ABI's metadata library; the aarch64 one is the
# reference (the shipped .so has none: bindings/ffi-link). The crate's own bindings/uniffi.toml
# (package jp.shikaku.core) is found through cargo metadata, as scripts/bindings-test relies on;
# uniffi 0.32's --config takes only a global config file and ignores a crate-style one.
"$TARGET_DIR/release/uniffi-bindgen" generate \
  "$(ffi_uniffi_library aarch64-linux-android cdylib "$PROFILE")" \
  --language kotlin --out-dir "$GENERATED"

stripped=$(mktemp)
trap 'rm -f "$stripped"' EXIT
for entry in "${ABIS[@]}"; do
  read -r abi triple _ <<<"$entry"
  so=$JNILIBS/$abi/libshikaku_ffi.so
  [[ -f $so ]] || { echo "missing $so" >&2; exit 1; }
  # Every function the generated Kotlin looks up is exported, the metadata is not.
  ffi_check_exports "$so" "$(ffi_uniffi_library "$triple" cdylib "$PROFILE")" "$TOOLCHAIN/llvm-nm"
  # The 16 KB alignment must show in every LOAD segment.
  "$TOOLCHAIN/llvm-readelf" -lW "$so" | awk '/LOAD/ && $NF != "0x4000" { bad = 1 } END { exit bad }' \
    || { echo "$so: LOAD segments not 16 KB aligned" >&2; exit 1; }
  # The APK carries it stripped (the Android Gradle plugin strips native libraries); the
  # stripped size is the figure scripts/ffi-size reports for x86_64.
  "$TOOLCHAIN/llvm-strip" --strip-all -o "$stripped" "$so"
  printf '%-12s %9d bytes, %9d stripped\n' "$abi" \
    "$(wc -c <"$so" | tr -d ' ')" "$(wc -c <"$stripped" | tr -d ' ')"
done
echo "variant: $VARIANT; Kotlin bindings: $GENERATED"
