# shellcheck shell=bash source-path=SCRIPTDIR
# The one way the FFI library is built, sourced by android/build-rust.sh (cdylib per Android
# ABI), ios/build-xcframework.sh (staticlib per iOS slice) and scripts/ffi-size (the x86_64 cdylib
# it measures). What each setting saves is in docs/decisions/0007-ffi-size.md.
#
#   ffi_build TRIPLE CRATE_TYPE PROFILE VARIANT [EXTRA_RUSTC_ARG...]   builds one artefact
#   ffi_artifact TRIPLE CRATE_TYPE PROFILE                              prints its path
#   ffi_options [--debug] [--tablet]      the build scripts' options: sets FFI_PROFILE, FFI_VARIANT
#
# CRATE_TYPE is `cdylib` or `staticlib`, PROFILE `release` or `debug`. VARIANT is `phone` (the
# patient's app: no clinic desk) or `tablet` (a clinic tablet: shikaku-ffi's `clinic-desk`
# feature, docs/decisions/0011-clinic-desk-build.md); both write the same artefact path, the last
# build wins. Only the one crate type is
# built (`cargo rustc --crate-type`), never the three of bindings/Cargo.toml: a build with the rlib
# and the staticlib beside the cdylib exports the Rust symbols of the rlib and ships ~0.45 MiB
# more. The `testing` feature is never enabled. The caller sets the C compiler and the linker for
# cross targets (CC_<triple>, AR_<triple>, CARGO_TARGET_<TRIPLE>_LINKER) and may set
# CARGO_TARGET_DIR. Written for bash 3.2 too (macOS), where an empty "${array[@]}" is an unbound
# variable under `set -u`.

FFI_BINDINGS_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=sqlite-flags.sh
source "$FFI_BINDINGS_DIR/sqlite-flags.sh"

# C code of the library (SQLite) without unwind tables: no Rust panic unwinds through SQLite
# (rusqlite catches panics in every callback it registers), so its .eh_frame only served crash
# unwinders, which fall back to frame pointers.
FFI_CFLAGS="-fno-asynchronous-unwind-tables -fno-unwind-tables"

# Link arguments of every ELF (Android, and the Linux build that scripts/ffi-size measures):
# - 16 KB pages: required on Android 15+ devices with 16 KB pages (build-rust.sh checks every
#   LOAD segment);
# - Android packed relocations (APS2), read by the dynamic linker from API 23 (minSdk is 26):
#   the ~5,000 relative relocations of vtables and tables shrink from 24 bytes each;
# - identical code folding: monomorphised generics that compile to the same code are kept once
#   (Rust promises no distinct addresses for functions or vtables).
FFI_ELF_LINK_ARGS=("-Wl,-z,max-page-size=16384" "-Wl,--pack-dyn-relocs=android" "-Wl,--icf=all")

# shellcheck disable=SC2034 # FFI_PROFILE and FFI_VARIANT are read by the sourcing script
ffi_options() {
  local arg
  FFI_PROFILE=release
  FFI_VARIANT=phone
  for arg in "$@"; do
    case $arg in
      --debug) FFI_PROFILE=debug ;;
      --tablet) FFI_VARIANT=tablet ;;
      *) echo "usage: $0 [--debug] [--tablet]" >&2; return 2 ;;
    esac
  done
}

ffi_artifact() {
  local triple=$1 crate_type=$2 profile=$3 file
  case $crate_type in
    cdylib) file=libshikaku_ffi.so ;;
    staticlib) file=libshikaku_ffi.a ;;
    *) echo "ffi_artifact: crate type $crate_type" >&2; return 2 ;;
  esac
  echo "${CARGO_TARGET_DIR:-$FFI_BINDINGS_DIR/../target}/$triple/$profile/$file"
}

ffi_build() {
  local triple=$1 crate_type=$2 profile=$3 variant=$4
  shift 4
  local cargo_args=() rustc_args=() arg
  case $profile in
    release) cargo_args=(--release) ;;
    debug) ;;
    *) echo "ffi_build: profile $profile" >&2; return 2 ;;
  esac
  case $variant in
    phone) ;;
    tablet) cargo_args+=(--features clinic-desk) ;;
    *) echo "ffi_build: variant $variant (phone or tablet)" >&2; return 2 ;;
  esac
  case $triple in
    *-linux-android | *-linux-androideabi)
      for arg in "${FFI_ELF_LINK_ARGS[@]}"; do rustc_args+=(-C "link-arg=$arg"); done
      ;;
    *-linux-gnu)
      # The Linux build scripts/ffi-size measures. The NDK's clang links with lld; so does rustc
      # (1.90+) for this target, with its own rust-lld. -fuse-ld=lld keeps lld on older
      # toolchains too (then a system lld), as GNU ld has neither packed relocations nor
      # identical code folding: same linker, same arguments, same size.
      rustc_args+=(-C link-arg=-fuse-ld=lld)
      for arg in "${FFI_ELF_LINK_ARGS[@]}"; do rustc_args+=(-C "link-arg=$arg"); done
      ;;
  esac
  # cc reads CFLAGS_<triple with underscores> for this target only (build scripts stay as they are).
  env "CFLAGS_${triple//-/_}=$FFI_CFLAGS" \
    cargo rustc -p shikaku-ffi --lib --locked --target "$triple" --crate-type "$crate_type" \
    ${cargo_args[@]+"${cargo_args[@]}"} -- ${rustc_args[@]+"${rustc_args[@]}"} "$@"
}
