package jp.shikaku.android

import java.io.ByteArrayOutputStream
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
import okhttp3.CertificatePinner
import okhttp3.Headers
import okhttp3.MediaType
import okhttp3.OkHttpClient
import okhttp3.Request
import okhttp3.RequestBody
import okhttp3.ResponseBody
import okio.BufferedSink

/**
 * The network seam on Android: one blocking OkHttp call per request, with the request's own
 * timeout for the whole exchange. Any HTTP status is a response (the core judges it); only a
 * missing or incomplete answer is an error. Redirects are not followed (the protocol has none),
 * and a body larger than [maxBodyBytes] is refused without being read to the end (a declared
 * `Content-Length` over the cap before any of it is read).
 *
 * TLS pins: when the request carries pins ([HttpRequest.tlsPins], `sha256/<base64>` of a
 * SubjectPublicKeyInfo, checked by the core), OkHttp's `CertificatePinner` refuses the
 * connection unless a certificate of the server's chain has one of those keys; the failure is
 * [HttpException.Tls]. No pins: the platform's certificate checks only.
 *
 * @param client the base client (e.g. with a custom trust manager); its redirect and retry
 *   settings are overridden.
 * @param maxBodyBytes the largest response body accepted (a household's documents are a few
 *   KiB each).
 */
class OkHttpTransport(
    client: OkHttpClient = OkHttpClient(),
    private val maxBodyBytes: Int = MAX_BODY_BYTES,
) : HttpTransport {
    private val base: OkHttpClient = client.newBuilder()
        .followRedirects(false)
        .followSslRedirects(false)
        .retryOnConnectionFailure(false)
        .build()

    /** Sends [request] and returns the complete response. */
    override fun send(request: HttpRequest): HttpResponse {
        val headers = Headers.Builder().apply {
            request.headers.forEach { add(it.name, it.value) }
        }.build()
        val (method, body) = when (request.method) {
            HttpMethod.GET -> "GET" to null
            HttpMethod.POST -> "POST" to BytesBody(request.body)
        }
        val okRequest = Request.Builder()
            .url(request.url)
            .headers(headers)
            .method(method, body)
            .build()
        val client = base.newBuilder()
            .callTimeout(request.timeoutMs.toLong(), TimeUnit.MILLISECONDS)
            .apply {
                if (request.tlsPins.isNotEmpty()) {
                    val host = okRequest.url.host
                    certificatePinner(
                        CertificatePinner.Builder().apply {
                            request.tlsPins.forEach { add(host, it) }
                        }.build(),
                    )
                }
            }
            .build()
        val call = client.newCall(okRequest)
        try {
            call.execute().use { response ->
                val received = response.headers
                return HttpResponse(
                    status = response.code.toUShort(),
                    headers = (0 until received.size).map { HttpHeader(received.name(it), received.value(it)) },
                    body = response.body?.let(::readCapped) ?: ByteArray(0),
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

    /** The whole body, or an error: never a partial body, never more than [maxBodyBytes]. */
    private fun readCapped(body: ResponseBody): ByteArray {
        if (body.contentLength() > maxBodyBytes) {
            throw HttpException.Other(tooLarge())
        }
        val out = ByteArrayOutputStream()
        val chunk = ByteArray(CHUNK_BYTES)
        body.byteStream().use { input ->
            while (true) {
                val n = input.read(chunk)
                if (n < 0) break
                if (out.size() + n > maxBodyBytes) {
                    throw HttpException.Other(tooLarge())
                }
                out.write(chunk, 0, n)
            }
        }
        return out.toByteArray()
    }

    private fun tooLarge() = "the answer is larger than $maxBodyBytes bytes"

    /** The request body as it is; the content type travels in the request's own headers. */
    private class BytesBody(private val bytes: ByteArray) : RequestBody() {
        override fun contentType(): MediaType? = null

        override fun contentLength(): Long = bytes.size.toLong()

        override fun writeTo(sink: BufferedSink) {
            sink.write(bytes)
        }
    }

    companion object {
        /** 1 MiB, as the desktop client. */
        const val MAX_BODY_BYTES: Int = 1024 * 1024
        private const val CHUNK_BYTES = 8 * 1024
    }
}
