// The shikaku Android build: the `shikaku` library (AAR) and a `sample` app.
// The Rust library and the Kotlin bindings come from `./build-rust.sh` (run it first).
pluginManagement {
    repositories {
        google()
        mavenCentral()
        gradlePluginPortal()
    }
}

dependencyResolutionManagement {
    repositoriesMode.set(RepositoriesMode.FAIL_ON_PROJECT_REPOS)
    repositories {
        google()
        mavenCentral()
    }
}

rootProject.name = "shikaku-android"
include(":shikaku", ":sample")
