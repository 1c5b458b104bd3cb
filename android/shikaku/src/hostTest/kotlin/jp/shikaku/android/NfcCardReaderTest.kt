// The reader-mode Flow of NfcCardReader, over a ReaderMode double.

package jp.shikaku.android

import java.io.IOException
import kotlin.test.assertEquals
import kotlin.test.assertIs
import kotlin.test.assertTrue
import kotlinx.coroutines.CompletableDeferred
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.flow.onStart
import kotlinx.coroutines.flow.take
import kotlinx.coroutines.flow.toList
import kotlinx.coroutines.launch
import kotlinx.coroutines.runBlocking
import kotlinx.coroutines.withTimeout
import org.junit.jupiter.api.Test

/** Reader mode as the NFC service drives it: tags arrive on another thread. */
private class FakeReaderMode : ReaderMode {
    @Volatile var onTag: ((IsoDepLink?) -> Unit)? = null
    val enabled = CompletableDeferred<Unit>()
    @Volatile var disabled = 0

    override fun enable(onTag: (IsoDepLink?) -> Unit) {
        this.onTag = onTag
        enabled.complete(Unit)
    }

    override fun disable() {
        disabled++
    }

    fun discover(link: IsoDepLink?) {
        val callback = checkNotNull(onTag)
        Thread { callback(link) }.apply { start() }.join()
    }
}

private class RefusingLink(private val failure: Exception) : IsoDepLink {
    override val isConnected = false
    override fun connect() = throw failure
    override fun setTimeout(timeoutMs: Int) = Unit
    override fun transceive(apdu: ByteArray): ByteArray = throw IOException("not connected")
    override fun close() = Unit
}

class NfcCardReaderTest {
    @Test
    fun everyTagBecomesAnEventAndStoppingTurnsReaderModeOff() = runBlocking {
        val mode = FakeReaderMode()
        val link = VirtualCardLink(jp.shikaku.core.virtualCard(TARO))
        val events = launch(Dispatchers.Default) {
            mode.enabled.await()
            mode.discover(null)
            mode.discover(RefusingLink(IOException("Tag was lost.")))
            mode.discover(RefusingLink(SecurityException("Tag is out of date")))
            mode.discover(link)
        }
        val seen = withTimeout(10_000) { readerEvents(mode, 4_000).take(4).toList() }
        events.join()

        assertEquals(CardEvent.NotIsoDep, seen[0])
        assertEquals(CardEvent.ConnectFailed, seen[1])
        assertEquals(CardEvent.ConnectFailed, seen[2])
        val connected = assertIs<CardEvent.Connected>(seen[3])
        assertTrue(link.isConnected)
        assertEquals(4_000, link.timeoutMs)
        connected.transport.close()
        assertTrue(link.closed)
        assertEquals(1, mode.disabled)
    }

    @Test
    fun aCardDiscoveredAfterTheCollectorLeftIsClosedNotLeaked() = runBlocking {
        val mode = FakeReaderMode()
        val first = VirtualCardLink(jp.shikaku.core.virtualCard(TARO))
        val seen = withTimeout(10_000) {
            readerEvents(mode, 4_000)
                .onStart { launch(Dispatchers.Default) { mode.enabled.await(); mode.discover(first) } }
                .take(1)
                .toList()
        }
        assertIs<CardEvent.Connected>(seen.single()).transport.close()
        assertEquals(1, mode.disabled)

        val late = VirtualCardLink(jp.shikaku.core.virtualCard(TARO))
        mode.discover(late)
        assertTrue(late.closed)
    }
}
