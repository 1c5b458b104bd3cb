// OkHttpTransport against a loopback HTTPS server (JDK HttpsServer, a certificate made for the
// test with okhttp-tls). Loopback only: every server here listens on 127.0.0.1.

package jp.shikaku.android

import com.sun.net.httpserver.HttpExchange
import com.sun.net.httpserver.HttpsConfigurator
import com.sun.net.httpserver.HttpsServer
import java.net.InetAddress
import java.net.InetSocketAddress
import java.net.ServerSocket
import java.security.MessageDigest
import java.security.cert.Certificate
import java.util.Base64
import java.util.concurrent.Executors
import java.util.concurrent.atomic.AtomicInteger
import javax.net.ssl.KeyManager
import javax.net.ssl.SSLContext
import javax.net.ssl.TrustManager
import jp.shikaku.core.HttpException
import jp.shikaku.core.HttpHeader
import jp.shikaku.core.HttpMethod
import jp.shikaku.core.HttpRequest
import kotlin.test.assertContentEquals
import kotlin.test.assertEquals
import kotlin.test.assertFailsWith
import kotlin.test.assertTrue
import okhttp3.OkHttpClient
import okhttp3.tls.HandshakeCertificates
import okhttp3.tls.HeldCertificate
import org.junit.jupiter.api.AfterEach
import org.junit.jupiter.api.Test

class OkHttpTransportTest {
    private val loopback = InetAddress.getByName("127.0.0.1")
    private val certificate = HeldCertificate.Builder()
        .addSubjectAlternativeName("127.0.0.1")
        .build()
    private val serverTls = HandshakeCertificates.Builder().heldCertificate(certificate).build()
    private val clientTls = HandshakeCertificates.Builder().addTrustedCertificate(certificate.certificate()).build()
    private val targetHits = AtomicInteger()
    private val pinnedHits = AtomicInteger()
    private val server: HttpsServer = HttpsServer.create(InetSocketAddress(loopback, 0), 0).apply {
        val context = SSLContext.getInstance("TLS")
        context.init(arrayOf<KeyManager>(serverTls.keyManager()), arrayOf<TrustManager>(serverTls.trustManager()), null)
        httpsConfigurator = HttpsConfigurator(context)
        executor = Executors.newFixedThreadPool(4)
        createContext("/echo") { ex -> echo(ex) }
        createContext("/redirect") { ex ->
            ex.responseHeaders.add("Location", "/target")
            ex.sendResponseHeaders(302, -1)
            ex.close()
        }
        createContext("/target") { ex ->
            targetHits.incrementAndGet()
            ex.sendResponseHeaders(200, -1)
            ex.close()
        }
        createContext("/pinned") { ex ->
            pinnedHits.incrementAndGet()
            ex.sendResponseHeaders(200, -1)
            ex.close()
        }
        createContext("/big-declared") { ex -> send(ex, ByteArray(OkHttpTransport.MAX_BODY_BYTES + 1), declared = true) }
        createContext("/big-streamed") { ex -> send(ex, ByteArray(OkHttpTransport.MAX_BODY_BYTES + 1), declared = false) }
        createContext("/exactly-cap") { ex -> send(ex, ByteArray(OkHttpTransport.MAX_BODY_BYTES), declared = false) }
        createContext("/slow") { ex ->
            try {
                Thread.sleep(3_000)
                ex.sendResponseHeaders(200, -1)
            } catch (_: Exception) {
                // The client gave up; nothing to answer.
            } finally {
                ex.close()
            }
        }
        createContext("/cut") { ex ->
            ex.sendResponseHeaders(200, 100)
            try {
                ex.responseBody.write(ByteArray(10))
                ex.responseBody.flush()
                // 10 of 100 bytes: the server drops the connection, the client must not take them.
                ex.close()
            } catch (_: java.io.IOException) {
                // "insufficient bytes written": expected, the connection is closed.
            }
        }
        start()
    }
    private val base = "https://127.0.0.1:${server.address.port}"

    private fun echo(ex: HttpExchange) {
        val body = ex.requestBody.readBytes()
        ex.responseHeaders.add("X-Method", ex.requestMethod)
        ex.responseHeaders.add("X-Seen", ex.requestHeaders.getFirst("X-Test") ?: "")
        ex.responseHeaders.add("ETag", "\"e1\"")
        send(ex, body, declared = true, status = 201)
    }

    private fun send(ex: HttpExchange, body: ByteArray, declared: Boolean, status: Int = 200) {
        ex.sendResponseHeaders(status, if (declared) body.size.toLong() else 0)
        ex.responseBody.use { it.write(body) }
    }

    @AfterEach
    fun tearDown() {
        server.stop(0)
        (server.executor as java.util.concurrent.ExecutorService).shutdownNow()
    }

    private fun trusting() = OkHttpTransport(
        OkHttpClient.Builder().sslSocketFactory(clientTls.sslSocketFactory(), clientTls.trustManager()).build(),
    )

    private fun get(path: String, timeoutMs: UInt = 5_000u) =
        HttpRequest(HttpMethod.GET, "$base$path", emptyList(), ByteArray(0), timeoutMs)

    @Test
    fun postsTheBodyAndHeadersAndReturnsStatusHeadersAndBody() {
        val request = HttpRequest(
            HttpMethod.POST,
            "$base/echo",
            listOf(HttpHeader("X-Test", "v1"), HttpHeader("Content-Type", "application/json")),
            "{\"a\":1}".toByteArray(),
            5_000u,
        )
        val response = trusting().send(request)
        assertEquals(201.toUShort(), response.status)
        assertContentEquals("{\"a\":1}".toByteArray(), response.body)
        fun header(name: String) = response.headers.single { it.name.equals(name, ignoreCase = true) }.value
        assertEquals("POST", header("X-Method"))
        assertEquals("v1", header("X-Seen"))
        assertEquals("\"e1\"", header("ETag"))
    }

    @Test
    fun aRedirectIsReturnedAsItIsAndNotFollowed() {
        val response = trusting().send(get("/redirect"))
        assertEquals(302.toUShort(), response.status)
        assertEquals(0, targetHits.get())
    }

    @Test
    fun aBodyOverTheCapIsRefusedDeclaredOrStreamed() {
        val declared = assertFailsWith<HttpException.Other> { trusting().send(get("/big-declared")) }
        assertTrue(declared.reason.contains("larger than"))
        assertFailsWith<HttpException.Other> { trusting().send(get("/big-streamed")) }
        assertEquals(OkHttpTransport.MAX_BODY_BYTES, trusting().send(get("/exactly-cap")).body.size)
    }

    /** The pin of [cert]'s key, computed here from the JDK's SubjectPublicKeyInfo encoding. */
    private fun pinOf(cert: Certificate): String =
        "sha256/" + Base64.getEncoder().encodeToString(MessageDigest.getInstance("SHA-256").digest(cert.publicKey.encoded))

    @Test
    fun aPinOfTheServersKeyPassesAndAPinOfAnotherKeyIsTlsBeforeTheRequestIsSent() {
        val ours = pinOf(certificate.certificate())
        val other = pinOf(HeldCertificate.Builder().build().certificate())
        assertEquals(200.toUShort(), trusting().send(get("/pinned").copy(tlsPins = listOf(ours))).status)
        assertEquals(200.toUShort(), trusting().send(get("/pinned").copy(tlsPins = listOf(other, ours))).status)
        assertEquals(2, pinnedHits.get())
        assertFailsWith<HttpException.Tls> { trusting().send(get("/pinned").copy(tlsPins = listOf(other))) }
        assertEquals(2, pinnedHits.get(), "a pin mismatch ends the connection before the request")
        // No pins: the certificate checks alone, as before.
        assertEquals(200.toUShort(), trusting().send(get("/pinned")).status)
    }

    @Test
    fun aServerSlowerThanTheRequestTimeoutIsTimeout() {
        val started = System.nanoTime()
        assertFailsWith<HttpException.Timeout> { trusting().send(get("/slow", timeoutMs = 300u)) }
        assertTrue(System.nanoTime() - started < 2_500_000_000L, "the call timeout ends the wait")
    }

    @Test
    fun anUntrustedCertificateIsTls() {
        assertFailsWith<HttpException.Tls> { OkHttpTransport().send(get("/echo")) }
    }

    @Test
    fun aBodyCutShortIsInterruptedNeverPartial() {
        assertFailsWith<HttpException.Interrupted> { trusting().send(get("/cut")) }
    }

    @Test
    fun aClosedPortIsOffline() {
        val port = ServerSocket(0, 1, loopback).use { it.localPort }
        val request = HttpRequest(HttpMethod.GET, "https://127.0.0.1:$port/", emptyList(), ByteArray(0), 5_000u)
        assertFailsWith<HttpException.Offline> { trusting().send(request) }
    }
}
