package jp.shikaku.android

import android.app.Activity
import android.nfc.NfcAdapter
import android.nfc.Tag
import android.nfc.tech.IsoDep
import android.os.Bundle
import java.io.IOException
import kotlinx.coroutines.channels.awaitClose
import kotlinx.coroutines.channels.onFailure
import kotlinx.coroutines.flow.Flow
import kotlinx.coroutines.flow.callbackFlow
import kotlinx.coroutines.flow.emptyFlow

/** What reader mode saw. */
sealed interface CardEvent {
    /**
     * An IsoDep tag, connected. The collector owns [transport]: it runs the core with it and
     * closes it (`transport.use { … }`).
     */
    class Connected(val transport: IsoDepCardTransport) : CardEvent

    /** A tag without IsoDep (a transit card, an NFC sticker): not a My Number Card. */
    data object NotIsoDep : CardEvent

    /** An IsoDep tag that left (or went stale) before it could be connected. */
    data object ConnectFailed : CardEvent
}

/** Reader mode behind a seam: the host tests drive it with a double. */
internal interface ReaderMode {
    /** Starts reader mode; [onTag] runs on a binder thread with the tag's IsoDep, or null. */
    fun enable(onTag: (IsoDepLink?) -> Unit)

    /** Stops reader mode. */
    fun disable()
}

/** The [Flow] of [NfcCardReader.cards] over any [ReaderMode]. */
internal fun readerEvents(mode: ReaderMode, timeoutMs: Int): Flow<CardEvent> = callbackFlow {
    mode.enable { link ->
        val event = when (link) {
            null -> CardEvent.NotIsoDep
            else -> try {
                CardEvent.Connected(IsoDepCardTransport(link, timeoutMs))
            } catch (_: IOException) {
                CardEvent.ConnectFailed
            } catch (_: SecurityException) {
                CardEvent.ConnectFailed
            } catch (_: IllegalStateException) {
                CardEvent.ConnectFailed
            }
        }
        // Nobody collects any more: a connection nobody will use is closed here.
        trySend(event).onFailure { (event as? CardEvent.Connected)?.transport?.close() }
    }
    awaitClose { mode.disable() }
}

/**
 * Reader mode for the My Number Card: NFC-A and NFC-B (the card is Type B; some phones report
 * it on A first), NDEF check skipped (the card has no NDEF and probing costs time and can
 * disturb the IsoDep session), platform sounds off (the app gives its own feedback).
 *
 * Collect [cards] only while the activity is resumed (Android refuses reader mode otherwise),
 * e.g. inside `repeatOnLifecycle(Lifecycle.State.RESUMED)`.
 */
class NfcCardReader(private val activity: Activity) {
    private val adapter: NfcAdapter? = NfcAdapter.getDefaultAdapter(activity)

    /** True when the device has NFC at all. */
    val isAvailable: Boolean get() = adapter != null

    /** True when NFC is switched on in the settings. */
    val isEnabled: Boolean get() = adapter?.isEnabled == true

    /**
     * Reader mode while collected: every tag discovered becomes a [CardEvent]; cancelling the
     * collection turns reader mode off. Keep collecting while the core works with a card: turning
     * reader mode off ends the card's connection. Empty when the device has no NFC.
     *
     * @param timeoutMs the transceive timeout of each [IsoDepCardTransport].
     */
    fun cards(timeoutMs: Int = IsoDepCardTransport.DEFAULT_TIMEOUT_MS): Flow<CardEvent> {
        val nfc = adapter ?: return emptyFlow()
        return readerEvents(PlatformReaderMode(nfc, activity), timeoutMs)
    }

    private class PlatformReaderMode(
        private val adapter: NfcAdapter,
        private val activity: Activity,
    ) : ReaderMode {
        override fun enable(onTag: (IsoDepLink?) -> Unit) {
            val flags = NfcAdapter.FLAG_READER_NFC_A or
                NfcAdapter.FLAG_READER_NFC_B or
                NfcAdapter.FLAG_READER_SKIP_NDEF_CHECK or
                NfcAdapter.FLAG_READER_NO_PLATFORM_SOUNDS
            val extras = Bundle().apply {
                // Fewer presence checks while the card computes a signature.
                putInt(NfcAdapter.EXTRA_READER_PRESENCE_CHECK_DELAY, PRESENCE_CHECK_DELAY_MS)
            }
            adapter.enableReaderMode(
                activity,
                { tag: Tag -> onTag(IsoDep.get(tag)?.let(::PlatformIsoDepLink)) },
                flags,
                extras,
            )
        }

        override fun disable() {
            adapter.disableReaderMode(activity)
        }
    }

    private companion object {
        const val PRESENCE_CHECK_DELAY_MS = 1_000
    }
}
