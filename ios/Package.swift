// swift-tools-version:6.0
// The shikaku Swift package: the Rust core as an XCFramework (built by build-xcframework.sh),
// its generated Swift bindings (ShikakuCore), and the iOS platform seams with a SwiftUI
// eligibility view (ShikakuPlatform). Swift 6 language mode: complete concurrency checking.
import PackageDescription

let package = Package(
    name: "Shikaku",
    platforms: [
        .iOS(.v15),
    ],
    products: [
        .library(name: "ShikakuCore", targets: ["ShikakuCore"]),
        .library(name: "ShikakuPlatform", targets: ["ShikakuPlatform"]),
    ],
    targets: [
        // libshikaku_ffi.a for device and simulator, with the C header and module map
        // (module `shikaku_ffiFFI`).
        .binaryTarget(
            name: "shikaku_ffiFFI",
            path: "build/ShikakuFFI.xcframework"
        ),
        // The uniffi-generated Swift (Sources/ShikakuCore/ShikakuCore.swift, written by
        // build-xcframework.sh; never edited by hand).
        .target(
            name: "ShikakuCore",
            dependencies: ["shikaku_ffiFFI"],
            path: "Sources/ShikakuCore"
        ),
        // MyNumberCardReader (async CoreNFC session) with Household's async card check and
        // sync, Keychain / Secure Enclave key store, URLSession transport, SwiftUI
        // EligibilityView.
        .target(
            name: "ShikakuPlatform",
            dependencies: ["ShikakuCore"],
            path: "Sources/ShikakuPlatform",
            linkerSettings: [
                .linkedFramework("CoreNFC"),
                .linkedFramework("Security"),
            ]
        ),
    ],
    swiftLanguageModes: [.v6]
)
