// A small sample app: household list, the eligibility screen from the core's view model, the
// card check with PIN entry and (when a server is configured) the sync. All logic is the
// library's HouseholdSession; the Compose code only renders its state and forwards events.
plugins {
    id("com.android.application")
    id("org.jetbrains.kotlin.android")
    id("org.jetbrains.kotlin.plugin.compose")
}

android {
    namespace = "jp.shikaku.sample"
    compileSdk = 35

    defaultConfig {
        applicationId = "jp.shikaku.sample"
        minSdk = 26
        targetSdk = 35
        versionCode = 1
        versionName = "0.1.0"
        // The issuer to sync with, e.g. -Pshikaku.serverUrl=https://… -Pshikaku.rootKey=<hex of
        // the SEC1 root key>; without them the sample checks cards only.
        buildConfigField("String", "SERVER_URL", "\"${providers.gradleProperty("shikaku.serverUrl").getOrElse("")}\"")
        buildConfigField("String", "ROOT_KEY_HEX", "\"${providers.gradleProperty("shikaku.rootKey").getOrElse("")}\"")
    }

    buildTypes {
        release {
            isMinifyEnabled = true
            proguardFiles(getDefaultProguardFile("proguard-android-optimize.txt"))
        }
    }

    compileOptions {
        sourceCompatibility = JavaVersion.VERSION_17
        targetCompatibility = JavaVersion.VERSION_17
    }

    kotlinOptions {
        jvmTarget = "17"
    }

    buildFeatures {
        compose = true
        buildConfig = true
    }
}

dependencies {
    implementation(project(":shikaku"))
    implementation(platform("androidx.compose:compose-bom:2024.12.01"))
    implementation("androidx.compose.material3:material3")
    implementation("androidx.compose.ui:ui")
    implementation("androidx.activity:activity-compose:1.9.3")
    implementation("androidx.lifecycle:lifecycle-viewmodel-compose:2.8.7")
    implementation("androidx.lifecycle:lifecycle-runtime-compose:2.8.7")
}
