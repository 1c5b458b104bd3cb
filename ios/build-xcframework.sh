#!/usr/bin/env bash
# shellcheck source-path=SCRIPTDIR
# Builds the Rust core for iOS as an XCFramework (device: aarch64-apple-ios; simulator:
# aarch64-apple-ios-sim + x86_64-apple-ios combined with lipo), and generates the Swift
# bindings, header and module map (uniffi-bindgen-swift) for the Swift package in ios/.
#
# Each slice is built by ffi_build (bindings/build-ffi.sh): the staticlib alone, with the
# release profile (panics abort: docs/decisions/0014-ffi-panic-abort.md), SQLite options and C
# flags that scripts/ffi-size measures (the Apple linker then keeps only what the app reaches).
# The archive keeps uniffi's metadata, which uniffi-bindgen-swift reads.
#
# Needs: macOS with Xcode (xcodebuild, lipo) and
#   rustup target add aarch64-apple-ios aarch64-apple-ios-sim x86_64-apple-ios
# Usage: ios/build-xcframework.sh [--debug] [--tablet]
#   --tablet: the clinic tablet's library, with the clinic desk (`ClinicDesk`); without it, the
#   patient's phone library (docs/decisions/0011-clinic-desk-build.md). Both write the same
#   XCFramework and ShikakuCore.swift: build the variant the app being packaged needs.
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/.." && pwd)
# shellcheck source=../bindings/build-ffi.sh
source "$ROOT/bindings/build-ffi.sh"
ffi_options "$@"
PROFILE=$FFI_PROFILE
VARIANT=$FFI_VARIANT
TARGET_DIR=${CARGO_TARGET_DIR:-$ROOT/target}
BUILD=$HERE/build
GEN=$BUILD/generated
XCFRAMEWORK=$BUILD/ShikakuFFI.xcframework
LIBNAME=libshikaku_ffi.a

command -v xcodebuild >/dev/null || { echo "xcodebuild missing: run on macOS with Xcode" >&2; exit 1; }
cd "$ROOT"
for t in aarch64-apple-ios aarch64-apple-ios-sim x86_64-apple-ios; do
  rustup target list --installed | grep -qx "$t" || rustup target add "$t"
done

export IPHONEOS_DEPLOYMENT_TARGET=15.0
for t in aarch64-apple-ios aarch64-apple-ios-sim x86_64-apple-ios; do
  ffi_build "$t" staticlib "$PROFILE" "$VARIANT"
done

# Generate from the host-independent metadata of the device slice (strip = "debuginfo" keeps
# the symbols uniffi-bindgen reads).
cargo build --release --locked -p uniffi-bindgen
rm -rf "$GEN" "$XCFRAMEWORK"
mkdir -p "$GEN/headers" "$BUILD/sim"
"$TARGET_DIR/release/uniffi-bindgen-swift" "$TARGET_DIR/aarch64-apple-ios/$PROFILE/$LIBNAME" "$GEN" \
  --swift-sources --headers --modulemap --xcframework \
  --module-name shikaku_ffiFFI --modulemap-filename module.modulemap
mv "$GEN"/*.h "$GEN/module.modulemap" "$GEN/headers/"
cp "$GEN/ShikakuCore.swift" "$HERE/Sources/ShikakuCore/ShikakuCore.swift"

# One simulator library for both simulator architectures.
lipo -create \
  "$TARGET_DIR/aarch64-apple-ios-sim/$PROFILE/$LIBNAME" \
  "$TARGET_DIR/x86_64-apple-ios/$PROFILE/$LIBNAME" \
  -output "$BUILD/sim/$LIBNAME"

xcodebuild -create-xcframework \
  -library "$TARGET_DIR/aarch64-apple-ios/$PROFILE/$LIBNAME" -headers "$GEN/headers" \
  -library "$BUILD/sim/$LIBNAME" -headers "$GEN/headers" \
  -output "$XCFRAMEWORK"

echo "XCFramework ($VARIANT): $XCFRAMEWORK"
echo "Swift bindings: $HERE/Sources/ShikakuCore/ShikakuCore.swift"
