package jp.shikaku.android

import java.io.IOException
import java.io.InterruptedIOException
import java.net.ConnectException
import java.net.NoRouteToHostException
import java.net.SocketTimeoutException
import java.net.UnknownHostException
import java.util.concurrent.TimeUnit
import javax.net.ssl.SSLException
import jp.shikaku.core.HttpException
import jp.shikaku.core.HttpHeader
import jp.shikaku.core.HttpMethod
import jp.shikaku.core.HttpRequest
import jp.shikaku.core.HttpResponse
import jp.shikaku.core.HttpTransport
import okhttp3.Headers
import okhttp3.OkHttpClient
import okhttp3.Request
import okhttp3.RequestBody.Companion.toRequestBody

/**
 * The network seam on Android: one blocking OkHttp call per request, with the request's own
 * timeout for the whole exchange. Any HTTP status is a response (the core judges it); only a
 * missing or incomplete answer is an error. Redirects are not followed (the protocol has none).
 */
class OkHttpTransport(
    client: OkHttpClient = OkHttpClient(),
) : HttpTransport {
    private val base: OkHttpClient = client.newBuilder()
        .followRedirects(false)
        .followSslRedirects(false)
        .retryOnConnectionFailure(false)
        .build()

    /** Sends [request] and returns the complete response. */
    override fun send(request: HttpRequest): HttpResponse {
        val client = base.newBuilder()
            .callTimeout(request.timeoutMs.toLong(), TimeUnit.MILLISECONDS)
            .build()
        val headers = Headers.Builder().apply {
            request.headers.forEach { add(it.name, it.value) }
        }.build()
        val body = when (request.method) {
            HttpMethod.GET -> null
            HttpMethod.POST -> request.body.toRequestBody(null)
        }
        val call = client.newCall(
            Request.Builder()
                .url(request.url)
                .headers(headers)
                .method(if (request.method == HttpMethod.GET) "GET" else "POST", body)
                .build(),
        )
        try {
            call.execute().use { response ->
                // bytes() reads the whole body or throws: never a partial body.
                val bytes = response.body?.bytes() ?: ByteArray(0)
                return HttpResponse(
                    status = response.code.toUShort(),
                    headers = response.headers.map { (name, value) -> HttpHeader(name, value) },
                    body = bytes,
                )
            }
        } catch (e: SocketTimeoutException) {
            throw HttpException.Timeout()
        } catch (e: UnknownHostException) {
            throw HttpException.Offline("unknown host")
        } catch (e: ConnectException) {
            throw HttpException.Offline("connection refused")
        } catch (e: NoRouteToHostException) {
            throw HttpException.Offline("no route to host")
        } catch (e: SSLException) {
            throw HttpException.Tls(e.javaClass.simpleName)
        } catch (e: InterruptedIOException) {
            // OkHttp's call timeout surfaces as InterruptedIOException("timeout").
            throw HttpException.Timeout()
        } catch (e: IOException) {
            throw HttpException.Interrupted(e.javaClass.simpleName)
        }
    }
}
