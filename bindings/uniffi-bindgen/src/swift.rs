//! `uniffi-bindgen-swift`: the Swift generator with the XCFramework layout (sources, headers
//! and module map written separately, as `ios/build-xcframework.sh` needs them).

fn main() {
    uniffi::uniffi_bindgen_swift();
}
