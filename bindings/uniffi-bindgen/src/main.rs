//! `uniffi-bindgen`: generates the Kotlin, Swift and Python bindings from the built
//! `shikaku_ffi` library (library mode).

fn main() {
    uniffi::uniffi_bindgen_main();
}
