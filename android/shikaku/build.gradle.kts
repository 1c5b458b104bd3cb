// The shikaku Android library: the Rust core (jniLibs, from ../build-rust.sh), its generated
// Kotlin bindings (package jp.shikaku.core), the platform seams (IsoDep, Android Keystore,
// OkHttp), reader mode as a Flow, and the app logic without Android types (HouseholdSession).
// Compiled and tested on the host without the SDK by scripts/platform-test (src/hostTest,
// ../api-subset).
plugins {
    id("com.android.library")
    id("org.jetbrains.kotlin.android")
}

android {
    namespace = "jp.shikaku.android"
    compileSdk = 35

    defaultConfig {
        minSdk = 26
        consumerProguardFiles("consumer-rules.pro")
    }

    sourceSets {
        getByName("main") {
            // Written by ../build-rust.sh with uniffi-bindgen (never edited by hand).
            java.srcDir("build/generated/uniffi/kotlin")
            jniLibs.srcDir("src/main/jniLibs")
        }
    }

    buildTypes {
        release {
            isMinifyEnabled = false
        }
    }

    compileOptions {
        sourceCompatibility = JavaVersion.VERSION_17
        targetCompatibility = JavaVersion.VERSION_17
    }

    kotlinOptions {
        jvmTarget = "17"
    }

    packaging {
        jniLibs {
            // 16 KB page-size devices need uncompressed, aligned libraries.
            useLegacyPackaging = false
        }
    }
}

dependencies {
    // uniffi's Kotlin bindings call the library through JNA (the AAR carries libjnidispatch).
    api("net.java.dev.jna:jna:5.15.0@aar")
    // StateFlow, Flow and suspend functions in the API (HouseholdSession, NfcCardReader.cards,
    // AsyncHousehold). 1.8.0: the version the host tests compile and run against
    // (scripts/platform-test, from the kotlin-compiler package).
    api("org.jetbrains.kotlinx:kotlinx-coroutines-android:1.8.0")
    implementation("com.squareup.okhttp3:okhttp:4.12.0")
    implementation("androidx.annotation:annotation:1.9.1")
}
