// IsoDepCardTransport's exception mapping, against an IsoDep double (IsoDepLink).

package jp.shikaku.android

import android.nfc.TagLostException
import java.io.IOException
import jp.shikaku.core.CardCheckOptions
import jp.shikaku.core.Household
import jp.shikaku.core.TransportException
import jp.shikaku.core.virtualCard
import jp.shikaku.core.virtualCardTestCa
import kotlin.test.assertContentEquals
import kotlin.test.assertEquals
import kotlin.test.assertFailsWith
import kotlin.test.assertFalse
import kotlin.test.assertTrue
import org.junit.jupiter.api.Test

/** An IsoDep double that answers with [reply] or throws [failure]. */
private class ScriptedLink(
    connected: Boolean = true,
    private val failure: Throwable? = null,
    private val dropsConnection: Boolean = false,
    private val closeFailure: IOException? = null,
) : IsoDepLink {
    override var isConnected: Boolean = connected
    var connects = 0
    var timeoutSet = 0
    var closes = 0

    override fun connect() {
        connects++
        isConnected = true
    }

    override fun setTimeout(timeoutMs: Int) {
        timeoutSet = timeoutMs
    }

    override fun transceive(apdu: ByteArray): ByteArray {
        if (dropsConnection) isConnected = false
        failure?.let { throw it }
        return byteArrayOf(0x90.toByte(), 0x00)
    }

    override fun close() {
        closes++
        closeFailure?.let { throw it }
    }
}

private val SELECT = byteArrayOf(0x00, 0xA4.toByte(), 0x04, 0x0C, 0x00)

class IsoDepCardTransportTest {
    @Test
    fun connectsWhenNeededAndSetsTheTimeout() {
        val idle = ScriptedLink(connected = false)
        IsoDepCardTransport(idle, 7_000)
        assertEquals(1, idle.connects)
        assertEquals(7_000, idle.timeoutSet)

        val connected = ScriptedLink(connected = true)
        IsoDepCardTransport(connected, IsoDepCardTransport.DEFAULT_TIMEOUT_MS)
        assertEquals(0, connected.connects)
        assertEquals(20_000, connected.timeoutSet)
    }

    @Test
    fun passesTheResponseThroughWithTheStatusWord() {
        val transport = IsoDepCardTransport(ScriptedLink(), 5_000)
        assertContentEquals(byteArrayOf(0x90.toByte(), 0x00), transport.transceive(SELECT))
    }

    @Test
    fun aTagThatLeftIsTagLost() {
        val transport = IsoDepCardTransport(ScriptedLink(failure = TagLostException("Tag was lost.")), 5_000)
        assertFailsWith<TransportException.TagLost> { transport.transceive(SELECT) }
    }

    @Test
    fun aStaleTagIsTagLost() {
        val outOfDate = IsoDepCardTransport(ScriptedLink(failure = SecurityException("Tag is out of date")), 5_000)
        assertFailsWith<TransportException.TagLost> { outOfDate.transceive(SELECT) }
        val closed = IsoDepCardTransport(ScriptedLink(failure = IllegalStateException("Call connect() first!")), 5_000)
        assertFailsWith<TransportException.TagLost> { closed.transceive(SELECT) }
    }

    @Test
    fun aTimeoutIsTimeout() {
        val transport = IsoDepCardTransport(ScriptedLink(failure = IOException("Transceive timed out")), 5_000)
        assertFailsWith<TransportException.Timeout> { transport.transceive(SELECT) }
    }

    @Test
    fun anotherIoFailureIsTagLostOnceDisconnectedAndOtherwiseOtherWithoutItsMessage() {
        val gone = IsoDepCardTransport(ScriptedLink(failure = IOException("Transceive failed"), dropsConnection = true), 5_000)
        assertFailsWith<TransportException.TagLost> { gone.transceive(SELECT) }

        val still = IsoDepCardTransport(ScriptedLink(failure = IOException("card said 1234")), 5_000)
        val other = assertFailsWith<TransportException.Other> { still.transceive(SELECT) }
        assertEquals("IsoDep IOException", other.reason)
        assertFalse(other.message.orEmpty().contains("1234"))
    }

    @Test
    fun closingATagThatIsGoneIsQuiet() {
        val link = ScriptedLink(closeFailure = IOException("gone"))
        IsoDepCardTransport(link, 5_000).close()
        assertEquals(1, link.closes)
    }

    @Test
    fun theCoreChecksTheVirtualCardThroughTheTransport() {
        val fx = Fixture()
        try {
            val id = fx.addTaro()
            val card = virtualCard(TARO)
            val link = VirtualCardLink(card)
            Household.open(fx.path, AndroidKeystoreKeyStore(fx.keys)).use { household ->
                val options = CardCheckOptions(allowLastAuthAttempt = false, readBasicInfo = true, extraAnchors = listOf(virtualCardTestCa()))
                val result = IsoDepCardTransport(link, 5_000).use { household.checkCard(id, it, "1234".toByteArray(), options) }
                assertEquals(card.keyFingerprint(), result.keyFingerprint)
            }
            assertTrue(link.closed)
            val verifies = pinVerifiesByApplication(link.sent)
            assertTrue(verifies.isNotEmpty() && verifies.values.all { it == 1 }, "each PIN sent once: $verifies")
        } finally {
            fx.close()
        }
    }

    @Test
    fun extendedLengthIsReportedOnlyWhenTheStackCarriesIt() {
        val card = virtualCard(TARO)
        assertFalse(IsoDepCardTransport(VirtualCardLink(card), 5_000).extendedLength())
        val supported = VirtualCardLink(card, isExtendedLengthApduSupported = true, maxTransceiveLength = 65_279)
        assertTrue(IsoDepCardTransport(supported, 5_000).extendedLength())
        // Supported, but a transceive limit no longer than a short APDU: short.
        val capped = VirtualCardLink(card, isExtendedLengthApduSupported = true, maxTransceiveLength = 261)
        assertFalse(IsoDepCardTransport(capped, 5_000).extendedLength())
        // A double that says nothing (the interface defaults): short.
        assertFalse(IsoDepCardTransport(ScriptedLink(), 5_000).extendedLength())
    }

    @Test
    fun extendedReadsAndTheFallbackOfACardRefusingThemSpendNoPinTry() {
        val fx = Fixture()
        try {
            val id = fx.addTaro()
            val options = CardCheckOptions(allowLastAuthAttempt = false, readBasicInfo = true, extraAnchors = listOf(virtualCardTestCa()))
            Household.open(fx.path, AndroidKeystoreKeyStore(fx.keys)).use { household ->
                for (refuse in listOf(false, true)) {
                    val card = virtualCard(TARO)
                    card.setRefuseExtended(refuse)
                    card.setAuthRetriesLeft(2u)
                    val link = VirtualCardLink(card, isExtendedLengthApduSupported = true, maxTransceiveLength = 65_279)
                    val result = IsoDepCardTransport(link, 5_000).use { household.checkCard(id, it, "1234".toByteArray(), options) }
                    assertEquals(card.keyFingerprint(), result.keyFingerprint)
                    // Refused: only the first extended READ was sent, then short reads.
                    assertEquals(if (refuse) 1uL else 2uL, card.extendedApduCount())
                    assertEquals(jp.shikaku.core.PinState.Remaining(2u), result.retriesBefore)
                    val verifies = pinVerifiesByApplication(link.sent)
                    assertTrue(verifies.isNotEmpty() && verifies.values.all { it == 1 }, "each PIN sent once: $verifies")
                }
            }
        } finally {
            fx.close()
        }
    }
}
