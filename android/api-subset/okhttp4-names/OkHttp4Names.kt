// Host builds only (never in the AAR): Debian ships OkHttp 3.13.1, the library is written
// against OkHttp 4.12 (build.gradle.kts). OkHttp 4 turned these Java accessors into Kotlin
// properties with the same JVM names (`code()`, `body()`, `headers()`, `size()`, `url()`,
// `host()`); the extension properties below give 3.13 the 4.x names, so OkHttpTransport.kt compiles
// unchanged and runs the same calls. A member always wins over an extension, so with 4.x on
// the classpath this file would change nothing.
package jp.shikaku.android

import okhttp3.Headers
import okhttp3.HttpUrl
import okhttp3.Request
import okhttp3.Response
import okhttp3.ResponseBody

internal val Response.code: Int get() = code()

internal val Response.body: ResponseBody? get() = body()

internal val Response.headers: Headers get() = headers()

internal val Headers.size: Int get() = size()

internal val Request.url: HttpUrl get() = url()

internal val HttpUrl.host: String get() = host()
