# shellcheck shell=bash source-path=SCRIPTDIR
# The one way the FFI library is built, sourced by android/build-rust.sh (cdylib per Android
# ABI), ios/build-xcframework.sh (staticlib per iOS slice) and scripts/ffi-size (the x86_64 cdylib
# it measures). What each setting saves is in docs/decisions/0007-ffi-size.md.
#
#   ffi_build TRIPLE CRATE_TYPE PROFILE VARIANT [EXTRA_RUSTC_ARG...]   builds one artefact
#   ffi_artifact TRIPLE CRATE_TYPE PROFILE                              prints its path
#   ffi_uniffi_library TRIPLE CRATE_TYPE PROFILE   prints the library uniffi-bindgen reads
#   ffi_check_exports SHIPPED UNIFFI_LIBRARY [NM]  checks the shipped ELF's exports (see below)
#   ffi_options [--debug] [--tablet]      the build scripts' options: sets FFI_PROFILE, FFI_VARIANT
#
# CRATE_TYPE is `cdylib` or `staticlib`, PROFILE `release` or `debug`. VARIANT is `phone` (the
# patient's app: no clinic desk) or `tablet` (a clinic tablet: shikaku-ffi's `clinic-desk`
# feature, docs/decisions/0011-clinic-desk-build.md); both write the same artefact path, the last
# build wins. Only the one crate type is
# built (`cargo rustc --crate-type`), never the three of bindings/Cargo.toml: a build with the rlib
# and the staticlib beside the cdylib exports the Rust symbols of the rlib and ships ~0.45 MiB
# more. Panics abort the process (`panic = "abort"` for this build only: tests, benches and the
# CLI keep the workspace's `unwind`; docs/decisions/0014-ffi-panic-abort.md). An ELF cdylib ships
# without uniffi's metadata (bindings/ffi-link); the bindings are generated from
# ffi_uniffi_library. The `testing` feature is never enabled. The caller sets the C compiler and
# the linker for cross targets (CC_<triple>, AR_<triple>, CARGO_TARGET_<TRIPLE>_LINKER) and may
# set CARGO_TARGET_DIR. Written for bash 3.2 too (macOS), where an empty "${array[@]}" is an unbound
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
#   (Rust promises no distinct addresses for functions or vtables);
# - lld's -O2: string tail merging in the mergeable string sections (a string that ends another
#   is kept once), ~1 KB; no code changes.
FFI_ELF_LINK_ARGS=("-Wl,-z,max-page-size=16384" "-Wl,--pack-dyn-relocs=android" "-Wl,--icf=all"
  "-Wl,-O2")

# A panic in the shipped library ends the process instead of unwinding into uniffi's
# InternalException (docs/decisions/0014-ffi-panic-abort.md): no landing pads or exception
# tables for the Rust code. Set for both profiles so a --debug app build behaves as a release one;
# cargo ignores `panic` for tests and benches, which never come through here.
FFI_PANIC_ENV=("CARGO_PROFILE_RELEASE_PANIC=abort" "CARGO_PROFILE_DEV_PANIC=abort")

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

# The library uniffi-bindgen generates the bindings from. An ELF cdylib ships without uniffi's
# `UNIFFI_META_*` metadata (bindings/ffi-link links it twice: the shipped library without, this
# one with it); every other artefact carries its metadata itself (the iOS staticlib).
ffi_uniffi_library() {
  local triple=$1 crate_type=$2 profile=$3
  case $crate_type/$triple in
    cdylib/*-linux-android | cdylib/*-linux-androideabi | cdylib/*-linux-gnu)
      echo "${CARGO_TARGET_DIR:-$FFI_BINDINGS_DIR/../target}/$triple/$profile/uniffi/libshikaku_ffi.so"
      ;;
    *) ffi_artifact "$triple" "$crate_type" "$profile" ;;
  esac
}

# Fails unless the shipped ELF library exports no `UNIFFI_META_*` symbol and every other symbol
# the library the bindings were generated from exports: each `uniffi_*`/`ffi_*` function the
# Kotlin bindings look up (through JNA) is there. NM defaults to `nm` (the NDK has llvm-nm).
ffi_check_exports() {
  local shipped=$1 generated_from=$2 nm=${3:-nm} missing
  if "$nm" -D --defined-only "$shipped" | grep -q ' UNIFFI_META_'; then
    echo "$shipped exports uniffi metadata (UNIFFI_META_*): not linked by bindings/ffi-link?" >&2
    return 1
  fi
  missing=$(comm -13 \
    <("$nm" -D --defined-only "$shipped" | awk '{ print $NF }' | sort) \
    <("$nm" -D --defined-only "$generated_from" | awk '$NF !~ /^UNIFFI_META_/ { print $NF }' | sort))
  if [[ -n $missing ]]; then
    echo "$shipped does not export what the bindings call:" >&2
    echo "$missing" >&2
    return 1
  fi
}

ffi_build() {
  local triple=$1 crate_type=$2 profile=$3 variant=$4
  shift 4
  local cargo_args=() rustc_args=() link_env=() arg linker_var
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
    *-linux-android | *-linux-androideabi | *-linux-gnu)
      # The Linux build is the one scripts/ffi-size measures. The NDK's clang links with lld; so
      # does rustc (1.90+) for this target, with its own rust-lld. -fuse-ld=lld keeps lld on
      # older toolchains too (then a system lld), as GNU ld has neither packed relocations nor
      # identical code folding: same linker, same arguments, same size.
      if [[ $triple == *-linux-gnu ]]; then rustc_args+=(-C link-arg=-fuse-ld=lld); fi
      for arg in "${FFI_ELF_LINK_ARGS[@]}"; do rustc_args+=(-C "link-arg=$arg"); done
      if [[ $crate_type == cdylib ]]; then
        # bindings/ffi-link links the shipped library without uniffi's metadata and, beside it,
        # the library uniffi-bindgen reads, with the linker cargo would have used (the caller's
        # CARGO_TARGET_<TRIPLE>_LINKER, or cc). rustc takes the last -C linker, this one.
        linker_var=$(printf 'CARGO_TARGET_%s_LINKER' "${triple//-/_}" | tr '[:lower:]' '[:upper:]')
        link_env=("FFI_LINKER=${!linker_var:-cc}"
          "FFI_UNIFFI_LIBRARY=$(ffi_uniffi_library "$triple" "$crate_type" "$profile")")
        rustc_args+=(-C "linker=$FFI_BINDINGS_DIR/ffi-link")
      fi
      ;;
  esac
  # cc reads CFLAGS_<triple with underscores> for this target only (build scripts stay as they are).
  env "CFLAGS_${triple//-/_}=$FFI_CFLAGS" "${FFI_PANIC_ENV[@]}" ${link_env[@]+"${link_env[@]}"} \
    cargo rustc -p shikaku-ffi --lib --locked --target "$triple" --crate-type "$crate_type" \
    ${cargo_args[@]+"${cargo_args[@]}"} -- ${rustc_args[@]+"${rustc_args[@]}"} "$@"
}
