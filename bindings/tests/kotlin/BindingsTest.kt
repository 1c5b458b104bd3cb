// Host tests of the generated Kotlin bindings of shikaku-ffi (JUnit 5 on the host JVM).
//
// Everything goes through the bindings: a KeyStore on javax.crypto AES-GCM, a CardTransport
// forwarding to the virtual card, an HttpTransport on java.net.http against a loopback issuer
// served from this file (trust list and documents signed by the FFI crate's `testing` feature).

package jp.shikaku.core.test

import com.sun.net.httpserver.HttpExchange
import com.sun.net.httpserver.HttpServer
import java.net.InetSocketAddress
import java.net.URI
import java.net.http.HttpClient
import java.net.http.HttpConnectTimeoutException
import java.net.http.HttpTimeoutException
import java.nio.file.Files
import java.nio.file.Path
import java.nio.file.Paths
import java.security.SecureRandom
import java.time.Duration
import java.util.Base64
import java.util.concurrent.ConcurrentHashMap
import javax.crypto.AEADBadTagException
import javax.crypto.Cipher
import javax.crypto.spec.GCMParameterSpec
import javax.crypto.spec.SecretKeySpec
import javax.net.ssl.SSLContext
import javax.net.ssl.SSLException
import javax.net.ssl.TrustManagerFactory
import jp.shikaku.core.*
import kotlin.test.assertEquals
import kotlin.test.assertFailsWith
import kotlin.test.assertFalse
import kotlin.test.assertNotNull
import kotlin.test.assertNull
import kotlin.test.assertTrue
import org.junit.jupiter.api.AfterEach
import org.junit.jupiter.api.BeforeEach
import org.junit.jupiter.api.Test

private val ROOT: Path = Paths.get(System.getProperty("shikaku.root") ?: System.getenv("SHIKAKU_ROOT") ?: ".")
private val TARO = ROOT.resolve("examples/vcard-yamada-taro.toml").toString()
private val HANAKO = ROOT.resolve("examples/vcard-yamada-hanako.toml").toString()
private const val SECRET_MARK = "secret-detail-7731"

/** The data key wrapped with AES-256-GCM under a key held in memory (the host stand-in for the
 *  Android Keystore key). */
class AesGcmKeyStore(private val kek: ByteArray) : KeyStore {
    private val random = SecureRandom()

    override fun wrap(key: ByteArray): ByteArray {
        val nonce = ByteArray(12).also { random.nextBytes(it) }
        val cipher = Cipher.getInstance("AES/GCM/NoPadding")
        cipher.init(Cipher.ENCRYPT_MODE, SecretKeySpec(kek, "AES"), GCMParameterSpec(128, nonce))
        cipher.updateAAD(MAGIC)
        return MAGIC + nonce + cipher.doFinal(key)
    }

    override fun unwrap(blob: ByteArray): ByteArray {
        if (blob.size < MAGIC.size + 12 + 16 || !blob.copyOfRange(0, MAGIC.size).contentEquals(MAGIC)) {
            throw KeyStoreException.Malformed()
        }
        val nonce = blob.copyOfRange(MAGIC.size, MAGIC.size + 12)
        val cipher = Cipher.getInstance("AES/GCM/NoPadding")
        cipher.init(Cipher.DECRYPT_MODE, SecretKeySpec(kek, "AES"), GCMParameterSpec(128, nonce))
        cipher.updateAAD(MAGIC)
        try {
            return cipher.doFinal(blob, MAGIC.size + 12, blob.size - MAGIC.size - 12)
        } catch (e: AEADBadTagException) {
            throw KeyStoreException.Rejected()
        }
    }

    companion object {
        private val MAGIC = "KTK1".toByteArray()
    }
}

class ThrowingKeyStore : KeyStore {
    override fun wrap(key: ByteArray): ByteArray = throw IllegalStateException(SECRET_MARK)
    override fun unwrap(blob: ByteArray): ByteArray = throw IllegalStateException(SECRET_MARK)
}

/**
 * Forwards every APDU to the virtual card; can lose the tag on a VERIFY with data, and reports
 * extended-length APDUs when [extended] (as IsoDep does on a phone that supports them).
 */
class ForwardingTransport(
    private val card: VirtualCardHandle,
    private val loseOnIns: Int? = null,
    private val extended: Boolean = false,
) : CardTransport {
    val sent = mutableListOf<ByteArray>()

    override fun extendedLength(): Boolean = extended

    override fun transceive(apdu: ByteArray): ByteArray {
        sent.add(apdu)
        if (loseOnIns != null && apdu.size > 4 && apdu[1].toInt() == loseOnIns && apdu[4].toInt() != 0) {
            throw TransportException.TagLost()
        }
        return card.transceive(apdu)
    }
}

class ThrowingTransport : CardTransport {
    override fun transceive(apdu: ByteArray): ByteArray = throw RuntimeException(SECRET_MARK)
    override fun extendedLength(): Boolean = false
}

/** The HttpTransport on java.net.http: any status is a response; no connection is Offline. */
class JavaNetTransport(sslContext: SSLContext? = null) : HttpTransport {
    private val client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5))
        .apply { if (sslContext != null) sslContext(sslContext) }
        .build()

    override fun send(request: HttpRequest): HttpResponse {
        val builder = java.net.http.HttpRequest.newBuilder(URI.create(request.url))
            .timeout(Duration.ofMillis(request.timeoutMs.toLong().coerceAtLeast(1)))
        request.headers.forEach { builder.header(it.name, it.value) }
        when (request.method) {
            HttpMethod.GET -> builder.GET()
            HttpMethod.POST -> builder.POST(java.net.http.HttpRequest.BodyPublishers.ofByteArray(request.body))
        }
        val response = try {
            client.send(builder.build(), java.net.http.HttpResponse.BodyHandlers.ofByteArray())
        } catch (e: HttpConnectTimeoutException) {
            throw HttpException.Timeout()
        } catch (e: HttpTimeoutException) {
            throw HttpException.Timeout()
        } catch (e: SSLException) {
            throw HttpException.Tls(e.javaClass.simpleName)
        } catch (e: java.net.ConnectException) {
            throw HttpException.Offline("connection refused")
        } catch (e: java.io.IOException) {
            throw HttpException.Interrupted(e.javaClass.simpleName)
        }
        val headers = response.headers().map().flatMap { (name, values) -> values.map { HttpHeader(name, it) } }
        return HttpResponse(response.statusCode().toUShort(), headers, response.body())
    }
}

class ThrowingHttp : HttpTransport {
    override fun send(request: HttpRequest): HttpResponse = throw UnsupportedOperationException(SECRET_MARK)
}

/** An SSLContext trusting only the given PEM certificates (the issuer's development CA). */
fun sslContextTrusting(pem: String): SSLContext {
    val certificates = java.security.cert.CertificateFactory.getInstance("X.509")
        .generateCertificates(pem.byteInputStream())
    val store = java.security.KeyStore.getInstance(java.security.KeyStore.getDefaultType())
    store.load(null, null)
    certificates.forEachIndexed { i, c -> store.setCertificateEntry("ca$i", c) }
    val trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm())
    trust.init(store)
    return SSLContext.getInstance("TLS").apply { init(null, trust.trustManagers, null) }
}

private fun b64(bytes: ByteArray): String = Base64.getUrlEncoder().withoutPadding().encodeToString(bytes)

/** A loopback issuer speaking docs/sync-protocol.md. */
class LoopbackIssuer(val fixture: TestIssuer) {
    private val etag = "\"e1\""
    private val challenges = ConcurrentHashMap<String, ByteArray>()
    private val sessions = ConcurrentHashMap.newKeySet<String>()
    private val random = SecureRandom()
    private val server: HttpServer = HttpServer.create(InetSocketAddress("127.0.0.1", 0), 0)
    val url: String

    init {
        server.createContext("/") { ex -> handle(ex) }
        server.start()
        url = "http://127.0.0.1:${server.address.port}"
    }

    private fun reply(ex: HttpExchange, status: Int, body: ByteArray = ByteArray(0), type: String = "application/json") {
        ex.responseHeaders.add("Content-Type", type)
        if (status == 200 && ex.requestURI.path == "/v1/documents") ex.responseHeaders.add("ETag", etag)
        ex.sendResponseHeaders(status, if (body.isEmpty()) -1 else body.size.toLong())
        if (body.isNotEmpty()) ex.responseBody.use { it.write(body) } else ex.close()
    }

    private fun randomHex(n: Int) = ByteArray(n).also { random.nextBytes(it) }.joinToString("") { "%02x".format(it) }

    private fun field(json: String, name: String): String? =
        Regex("\"$name\"\\s*:\\s*\"([^\"]*)\"").find(json)?.groupValues?.get(1)

    private fun handle(ex: HttpExchange) {
        val body = ex.requestBody.readBytes()
        when (ex.requestMethod to ex.requestURI.path) {
            "GET" to "/v1/trust-list" -> reply(ex, 200, fixture.trustList, "application/cose")
            "POST" to "/v1/challenge" -> {
                val id = randomHex(8)
                val challenge = ByteArray(32).also { random.nextBytes(it) }
                challenges[id] = challenge
                reply(ex, 200, """{"challenge_id":"$id","challenge":"${b64(challenge)}","expires_at":"2099-01-01T00:00:00Z"}""".toByteArray())
            }
            "POST" to "/v1/session" -> {
                val json = String(body)
                when {
                    challenges.remove(field(json, "challenge_id") ?: "") == null -> reply(ex, 401, """{"error":"challenge"}""".toByteArray())
                    field(json, "certificate").isNullOrEmpty() || field(json, "signature").isNullOrEmpty() ->
                        reply(ex, 400, """{"error":"bad_request"}""".toByteArray())
                    else -> {
                        val token = randomHex(16)
                        sessions.add(token)
                        reply(ex, 200, """{"session":"$token","expires_at":"2099-01-01T00:00:00Z"}""".toByteArray())
                    }
                }
            }
            "GET" to "/v1/documents" -> {
                val token = ex.requestHeaders.getFirst("Authorization")?.removePrefix("Bearer ") ?: ""
                when {
                    token !in sessions -> reply(ex, 401, """{"error":"session"}""".toByteArray())
                    ex.requestHeaders.getFirst("If-None-Match") == etag -> reply(ex, 304)
                    else -> {
                        val docs = fixture.documents.joinToString(",") { "\"${b64(it)}\"" }
                        val presentations = fixture.presentations.joinToString(",") { "\"${b64(it)}\"" }
                        reply(ex, 200, """{"household_id":"${fixture.householdId}","etag":"${etag.replace("\"", "\\\"")}","documents":[$docs],"presentations":[$presentations]}""".toByteArray())
                    }
                }
            }
            else -> reply(ex, 404, """{"error":"not_found"}""".toByteArray())
        }
    }

    private var stopped = false

    fun close() {
        if (!stopped) {
            stopped = true
            server.stop(0)
        }
    }
}

class BindingsTest {
    private lateinit var dir: Path
    private lateinit var issuer: LoopbackIssuer
    private lateinit var household: Household

    @BeforeEach
    fun setUp() {
        dir = Files.createTempDirectory("shikaku-kt")
        issuer = LoopbackIssuer(testIssuer(listOf(TARO, HANAKO)))
        household = Household.open(dir.resolve("h.db").toString(), AesGcmKeyStore(ByteArray(32) { 7 }))
    }

    @AfterEach
    fun tearDown() {
        issuer.close()
        household.close()
        dir.toFile().deleteRecursively()
    }

    private fun settings(allowInsecure: Boolean = true) = SyncSettings(
        serverUrl = issuer.url,
        rootKey = issuer.fixture.rootKey,
        allowLastAttempt = false,
        timeoutMs = 5000u,
        allowInsecureLoopback = allowInsecure,
    )

    private fun memberInput(kana: String = "ヤマダ タロウ", birth: String = "1985-04-12") =
        MemberInput("山田 太郎", kana, birth, Sex.MALE, Relationship.INSURED)

    private fun recordInput(
        insurerNumber: String = "01130012",
        copay: UByte? = 30u,
        branch: String? = "00",
        validUntil: String? = "2030-12-01",
    ) = RecordInput(
        kind = DocumentKind.CERTIFICATE,
        insurerNumber = insurerNumber,
        insurerName = "全国健康保険協会 東京支部",
        symbol = "7340155",
        number = "42",
        branch = branch,
        relationship = Relationship.INSURED,
        insuredName = null,
        acquiredOn = "2015-04-01",
        copayPercent = copay,
        validFrom = null,
        validUntil = validUntil,
        issuedOn = null,
        elderly = null,
        limit = null,
        preschool = false,
    )

    private fun options(allowLast: Boolean = false, allowLastText: Boolean = false) = CardCheckOptions(
        allowLastAuthAttempt = allowLast,
        allowLastTextAttempt = allowLastText,
        readBasicInfo = true,
        extraAnchors = listOf(virtualCardTestCa()),
    )

    @Test
    fun syncThenCardCheckThenScreenOverviewGuidanceAndQr() {
        val card = virtualCard(TARO)
        val http = JavaNetTransport()
        val outcome = household.sync(http, ForwardingTransport(card), "1234".toByteArray(), settings())
        assertEquals(Triple(false, 2u, 0u), Triple(outcome.notModified, outcome.written, outcome.unchanged))
        val members = household.members()
        assertEquals(listOf(Relationship.INSURED, Relationship.DEPENDENT), members.map { it.relationship })
        assertTrue(members.all { it.fromIssuer })
        val taro = members[0]

        val status = cardStatus(ForwardingTransport(card))
        assertEquals(PinState.Remaining(3u), status.authPin)
        assertEquals(card.keyFingerprint(), status.keyFingerprint)

        val result = household.checkCard(taro.id, ForwardingTransport(card), "1234".toByteArray(), options())
        assertEquals(card.keyFingerprint(), result.keyFingerprint)
        val matched = assertNotNull(result.matched)
        assertTrue(matched.overall != NameMatch.MISMATCH)
        assertFalse(card.myNumberSelected())

        val screen = household.screen(taro.id)
        // The virtual card chains to a caller-supplied TEST anchor, never shown as a real check.
        assertEquals(CardState.TEST_ANCHOR, screen.card.state)
        // The result carries the core's badge, the same as the screen's.
        assertEquals(screen.card, result.badge)
        assertTrue(matched.name.label.startsWith("一致"), matched.name.label)
        assertEquals("最終取得日時", screen.freshness?.heading)
        assertNull(screen.sections[0].provenance)
        val record = screen.sections[1]
        assertEquals(ProvenanceState.VERIFIED, record.provenance)
        assertEquals("発行元の署名を確認済み", record.provenanceLabel)
        assertTrue(record.fields.any { it.id == "insurer_number" && it.value == "01130012" })
        assertTrue(screen.fixedNotice.contains("マイナンバーカード"))
        assertNotNull(screen.freshness)

        val overview = household.overview()
        assertEquals(2, overview.members.size)
        assertEquals(0u, overview.damagedRows)
        assertEquals(screen.card.label, overview.members[0].card)
        assertEquals("未照合", overview.members[1].card)

        // The list and every screen from one read: the same members, in order, the same badges.
        val both = household.overviewWithScreens()
        assertEquals(both.overview.members.map { it.memberId }, both.screens.map { it.memberId })
        assertEquals(members.map { it.id }, both.screens.map { it.memberId })
        assertEquals(both.overview.members.map { it.card }, both.screens.map { it.card.label })
        assertEquals(screen.sections, both.screens[0].sections)
        assertEquals(screen.card, both.screens[0].card)

        val guidance = household.guidance(taro.id, ClinicSituation(readerPresent = true, readerWorking = true, power = false, network = true))
        assertNotNull(guidance.clinicProblem)
        assertTrue(guidance.options.first().presentation != Presentation.CARD_AT_READER)

        val records = household.records(taro.id)
        assertEquals(1, records.size)
        assertFalse(records[0].handEntered)
        assertTrue(household.qrPayload(records[0].id).startsWith("SK1:"))

        assertTrue(household.sync(http, ForwardingTransport(card), "1234".toByteArray(), settings()).notModified)
        assertEquals("hh-ffi-test", household.syncStatus().householdId)

        // Hanako's card (genuine, right PIN) for Taro: the check succeeds, the badge says 照合不一致.
        val other = household.checkCard(taro.id, ForwardingTransport(virtualCard(HANAKO)), "1234".toByteArray(), options())
        assertEquals(CardState.MISMATCH, other.badge.state)
        assertEquals("照合不一致", other.badge.label)
        assertEquals(household.screen(taro.id).card, other.badge)
    }

    @Test
    fun handEntryIsValidatedAndShownUnverified() {
        val id = household.addMember(memberInput())
        val rid = household.addRecord(id, recordInput())
        val screen = household.screen(id)
        assertEquals(ProvenanceState.HAND_ENTERED, screen.sections[1].provenance)
        // Typed in, not fetched: the time is headed as such.
        assertEquals("入力日時", screen.freshness?.heading)
        assertEquals(CardState.NOT_CHECKED, screen.card.state)
        assertFailsWith<ShikakuException.InvalidInput> { household.qrPayload(rid) }
    }

    @Test
    fun badHandEntryNamesTheFieldsNeverTheValues() {
        val e = assertFailsWith<ShikakuException.InvalidInput> {
            household.addMember(memberInput(kana = "やまだ", birth = "1985-02-30"))
        }
        assertEquals(setOf("kana", "birth_date"), e.problems.map { it.field }.toSet())
        assertFalse(e.message.orEmpty().contains("やまだ") || e.message.orEmpty().contains("1985-02-30"))

        val id = household.addMember(memberInput())
        val r = assertFailsWith<ShikakuException.InvalidInput> {
            household.addRecord(id, recordInput(insurerNumber = "01130013", copay = 25u, branch = "x"))
        }
        assertEquals(setOf("insurer_number", "copay_percent", "branch"), r.problems.map { it.field }.toSet())
        assertTrue(household.records(id).isEmpty())
        assertEquals(listOf("valid_until"), validateRecord(recordInput(validUntil = null)).map { it.field })
        assertTrue(validateMember(memberInput()).isEmpty())
    }

    @Test
    fun wrongPinShowsRetriesAndTheLastTryNeedsConsent() {
        val card = virtualCard(TARO)
        val id = household.addMember(memberInput())
        val wrong = assertFailsWith<ShikakuException.WrongPin> {
            household.checkCard(id, ForwardingTransport(card), "9999".toByteArray(), options())
        }
        assertEquals(2u.toUByte(), wrong.retriesLeft)
        // The core's words for the card holder (CardError::message_ja), the same in every app.
        assertEquals("暗証番号が違います（残り2回）。", wrong.messageJa)
        assertEquals(2u.toUByte(), card.authRetriesLeft())

        card.setAuthRetriesLeft(1u)
        assertFailsWith<ShikakuException.LastAttemptNeedsConsent> {
            household.checkCard(id, ForwardingTransport(card), "1234".toByteArray(), options())
        }
        assertEquals(1u.toUByte(), card.authRetriesLeft())
        // The counter read again (after a lost answer), in the core's words
        // (PinCounter::reread_message_ja): the last try blocks when wrong, so only with consent.
        val last = cardStatus(ForwardingTransport(card)).authPin
        assertEquals(PinState.Remaining(1u), last)
        val reread = last.rereadMessageJa()
        assertTrue(reread.startsWith("暗証番号の残り回数を読み直しました（残り1回") && reread.contains("了承"), reread)

        val ok = household.checkCard(id, ForwardingTransport(card), "1234".toByteArray(), options(allowLast = true))
        assertEquals(PinState.Remaining(1u), ok.retriesBefore)
        assertEquals(3u.toUByte(), card.authRetriesLeft())
        assertEquals(BasicInfoOutcome.Read, ok.basicInfo)
    }

    @Test
    fun extendedLengthReadsAndTheirFallbackSpendNoPinTry() {
        val card = virtualCard(TARO)
        val id = household.addMember(memberInput())
        var before = card.apduCount()
        household.checkCard(id, ForwardingTransport(card), "1234".toByteArray(), options())
        val short = card.apduCount() - before
        assertEquals(0uL, card.extendedApduCount())
        // The certificate and the 基本4情報 in one extended READ BINARY each.
        before = card.apduCount()
        household.checkCard(id, ForwardingTransport(card, extended = true), "1234".toByteArray(), options())
        assertEquals(2uL, card.extendedApduCount())
        assertTrue(card.apduCount() - before < short)
        // A card that refuses them: one refused READ, then short reads, before any PIN.
        val refusing = virtualCard(TARO)
        refusing.setRefuseExtended(true)
        refusing.setAuthRetriesLeft(2u)
        val transport = ForwardingTransport(refusing, extended = true)
        val result = household.checkCard(id, transport, "1234".toByteArray(), options())
        assertEquals(1uL, refusing.extendedApduCount())
        assertEquals(short + 1uL, refusing.apduCount())
        assertEquals(PinState.Remaining(2u), result.retriesBefore)
        val verifies = transport.sent.count { it.size > 5 && it[1] == 0x20.toByte() }
        assertEquals(2, verifies, "one VERIFY per PIN")
        assertEquals(3u.toUByte(), refusing.authRetriesLeft())
    }

    @Test
    fun aMemberCheckReadsTheBasicInfoByTheCoresDefault() {
        val card = virtualCard(TARO)
        val id = household.addMember(memberInput())
        // readBasicInfo left out (null): the core's default for a member's check (CheckOptions::for_member).
        val defaults = CardCheckOptions(extraAnchors = listOf(virtualCardTestCa()))
        assertNull(defaults.readBasicInfo)
        val result = household.checkCard(id, ForwardingTransport(card), "1234".toByteArray(), defaults)
        assertEquals(BasicInfoOutcome.Read, result.basicInfo)
        assertNotNull(result.matched)
        val without = household.checkCard(
            id, ForwardingTransport(card), "1234".toByteArray(), defaults.copy(readBasicInfo = false),
        )
        assertEquals(BasicInfoOutcome.NotRequested, without.basicInfo)
    }

    @Test
    fun aTextPinThatLostTriesIsNotSentTheTypedPinWithoutConsent() {
        val card = virtualCard(TARO)
        val id = household.addMember(memberInput())
        // A try of the 券面事項入力補助 PIN lost since its last success (most likely to the same
        // PIN, when the holder set the two PINs apart): nothing is sent to it without consent.
        card.setTextRetriesLeft(2u)
        val result = household.checkCard(id, ForwardingTransport(card), "1234".toByteArray(), options())
        assertEquals(BasicInfoOutcome.TriesLost(2u), result.basicInfo)
        val why = assertNotNull(result.basicInfoMessageJa)
        assertTrue(why.contains("残り2回") && why.contains("送っていません"), why)
        assertEquals(2u.toUByte(), card.textRetriesLeft())
        // With the text PIN's consent it is sent once (here the PINs are the same: read, reset).
        val read = household.checkCard(id, ForwardingTransport(card), "1234".toByteArray(), options(allowLastText = true))
        assertEquals(BasicInfoOutcome.Read, read.basicInfo)
        assertEquals(3u.toUByte(), card.textRetriesLeft())
    }

    @Test
    fun consentIsPerPinAndATextApFailureStandsBesideTheStoredCheck() {
        val card = virtualCard(TARO)
        val id = household.addMember(memberInput())
        card.setAuthRetriesLeft(1u)
        card.setTextRetriesLeft(1u)
        // Consent for the 利用者証明用 PIN only: the good check is stored, the text PIN's last
        // try is not spent.
        val result = household.checkCard(id, ForwardingTransport(card), "1234".toByteArray(), options(allowLast = true))
        assertEquals(BasicInfoOutcome.NeedsConsent, result.basicInfo)
        // Why, beside the good check, in the core's words for the holder (TextApFailure::message_ja).
        val why = assertNotNull(result.basicInfoMessageJa)
        assertTrue(why.startsWith("カードの確認はできましたが、基本4情報は読み取れませんでした。"), why)
        assertTrue(why.contains("券面事項入力補助用の暗証番号の残り回数が1回"), why)
        assertNull(result.matched)
        assertEquals(1u.toUByte(), card.textRetriesLeft())
        assertEquals(3u.toUByte(), card.authRetriesLeft())
        // With its own consent the text PIN's last try is used.
        val read = household.checkCard(id, ForwardingTransport(card), "1234".toByteArray(), options(allowLastText = true))
        assertEquals(BasicInfoOutcome.Read, read.basicInfo)
        assertNull(read.basicInfoMessageJa)
        assertNotNull(read.matched)
        assertEquals(3u.toUByte(), card.textRetriesLeft())
    }

    @Test
    fun thePinCrossesAsBytesAndIsInNoObjectsToString() {
        // The PIN is a ByteArray parameter the caller can wipe, never a String, never a field.
        for (name in listOf("checkCard", "sync")) {
            val methods = Household::class.java.methods.filter { it.name == name }
            assertTrue(methods.isNotEmpty(), name)
            methods.forEach { assertEquals(ByteArray::class.java, it.parameterTypes[2], name) }
        }
        for (cls in listOf(CardCheckOptions::class.java, SyncSettings::class.java, CardCheckResult::class.java)) {
            assertTrue(cls.declaredFields.none { it.name.equals("pin", ignoreCase = true) }, cls.name)
        }
        val card = virtualCard(TARO)
        val id = household.addMember(memberInput())
        val pin = "9876".toByteArray()
        val opts = options()
        val conf = settings()
        val wrong = assertFailsWith<ShikakuException.WrongPin> {
            household.checkCard(id, ForwardingTransport(card), pin, opts)
        }
        pin.fill(0)
        for (shown in listOf(wrong.toString(), wrong.message.orEmpty(), opts.toString(), conf.toString())) {
            assertFalse(shown.contains("9876"), shown)
        }
    }

    @Test
    fun tagLostDuringVerifyIsTypedAndNotResent() {
        val card = virtualCard(TARO)
        val id = household.addMember(memberInput())
        val transport = ForwardingTransport(card, loseOnIns = 0x20)
        val e = assertFailsWith<ShikakuException.Card> { household.checkCard(id, transport, "1234".toByteArray(), options()) }
        assertTrue(e.retryable && e.verifyInFlight)
        assertEquals(1, transport.sent.count { it[1].toInt() == 0x20 && it.size > 4 && it[4].toInt() != 0 })
    }

    @Test
    fun exceptionsThrownInKotlinArriveAsTypedErrors() {
        val id = household.addMember(memberInput())
        val card = assertFailsWith<ShikakuException.Card> {
            household.checkCard(id, ThrowingTransport(), "1234".toByteArray(), options())
        }
        assertFalse(card.verifyInFlight)
        assertFalse(card.message.orEmpty().contains(SECRET_MARK))

        val net = assertFailsWith<ShikakuException.Network> {
            household.sync(ThrowingHttp(), ForwardingTransport(virtualCard(TARO)), "1234".toByteArray(), settings())
        }
        assertFalse(net.message.orEmpty().contains(SECRET_MARK))

        val key = assertFailsWith<ShikakuException.Key> {
            Household.open(dir.resolve("other.db").toString(), ThrowingKeyStore())
        }
        assertFalse(key.wrongKey)
        assertFalse(key.message.orEmpty().contains(SECRET_MARK))
    }

    @Test
    fun wrongKeyIsRefusedAndResetWorks() {
        val path = dir.resolve("k.db").toString()
        Household.open(path, AesGcmKeyStore(ByteArray(32) { 1 })).use { it.addMember(memberInput()) }
        val e = assertFailsWith<ShikakuException.Key> { Household.open(path, AesGcmKeyStore(ByteArray(32) { 2 })) }
        assertTrue(e.wrongKey)
        destroyStore(path)
        Household.open(path, AesGcmKeyStore(ByteArray(32) { 2 })).use { assertTrue(it.members().isEmpty()) }
    }

    @Test
    fun offlineServerAndPlainHttpWithoutTheDevelopmentOptionAreRefused() {
        val insecure = assertFailsWith<ShikakuException.InvalidInput> {
            household.sync(JavaNetTransport(), ForwardingTransport(virtualCard(TARO)), "1234".toByteArray(), settings(allowInsecure = false))
        }
        assertEquals(listOf("server_url"), insecure.problems.map { it.field })
        issuer.close()
        assertFailsWith<ShikakuException.Network> {
            household.sync(JavaNetTransport(), ForwardingTransport(virtualCard(TARO)), "1234".toByteArray(), settings())
        }
        assertTrue(household.members().isEmpty())
    }

    @Test
    fun syncWithTheReferenceIssuerOverHttps() {
        val reference = referenceIssuer(dir.resolve("ref").toString(), ROOT.resolve("examples/households.toml").toString())
        try {
            val card = virtualCard(TARO)
            val conf = SyncSettings(
                serverUrl = reference.url(),
                rootKey = reference.rootKey(),
                allowLastAttempt = false,
                timeoutMs = 10_000u,
                allowInsecureLoopback = false,
            )
            assertTrue(reference.url().startsWith("https://127.0.0.1:"))
            // Without the development CA the TLS handshake fails, typed.
            assertFailsWith<ShikakuException.Network> {
                household.sync(JavaNetTransport(), ForwardingTransport(card), "1234".toByteArray(), conf)
            }
            val http = JavaNetTransport(sslContextTrusting(reference.tlsCaPem()))
            val outcome = household.sync(http, ForwardingTransport(card), "1234".toByteArray(), conf)
            val members = household.members()
            assertTrue(members.size >= 2)
            assertEquals(members.size.toUInt(), outcome.written)
            val taro = members.first { it.name.replace('\u3000', ' ') == "山田 太郎" }
            household.checkCard(taro.id, ForwardingTransport(card), "1234".toByteArray(), options())
            val screen = household.screen(taro.id)
            assertEquals(ProvenanceState.VERIFIED, screen.sections[1].provenance)
            assertEquals(CardState.TEST_ANCHOR, screen.card.state)
            assertTrue(household.sync(http, ForwardingTransport(card), "1234".toByteArray(), conf).notModified)
        } finally {
            reference.stop()
        }
    }
}
