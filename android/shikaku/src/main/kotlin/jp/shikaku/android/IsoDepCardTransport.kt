package jp.shikaku.android

import android.app.Activity
import android.nfc.NfcAdapter
import android.nfc.Tag
import android.nfc.TagLostException
import android.nfc.tech.IsoDep
import android.os.Bundle
import java.io.IOException
import jp.shikaku.core.CardTransport
import jp.shikaku.core.TransportException

/**
 * The card seam on Android: APDUs over [IsoDep].
 *
 * Blocking; call the core (and so [transceive]) from a background thread — the reader-mode
 * callback of [NfcCardReader] already runs on one. The transport never retries: the core
 * decides what may be resent (never a PIN VERIFY).
 *
 * @param isoDep the tag's IsoDep technology, from [NfcCardReader] or `IsoDep.get(tag)`.
 * @param timeoutMs the transceive timeout; RSA signing on the card takes seconds, so at least
 *   5 s, by default 20 s.
 */
class IsoDepCardTransport(
    private val isoDep: IsoDep,
    timeoutMs: Int = DEFAULT_TIMEOUT_MS,
) : CardTransport, AutoCloseable {

    init {
        if (!isoDep.isConnected) {
            isoDep.connect()
        }
        isoDep.timeout = timeoutMs
    }

    /** Sends one command APDU and returns the response with SW1 SW2. */
    override fun transceive(apdu: ByteArray): ByteArray {
        try {
            return isoDep.transceive(apdu)
        } catch (e: TagLostException) {
            throw TransportException.TagLost()
        } catch (e: SecurityException) {
            // "Tag is out of date": the tag left and another (or the same) was discovered.
            throw TransportException.TagLost()
        } catch (e: IllegalStateException) {
            // Called after close() or from a stale tag object.
            throw TransportException.TagLost()
        } catch (e: IOException) {
            val message = e.message.orEmpty()
            if (message.contains("timeout", ignoreCase = true) || message.contains("timed out", ignoreCase = true)) {
                throw TransportException.Timeout()
            }
            if (!isoDep.isConnected) {
                throw TransportException.TagLost()
            }
            // Only the exception class: its message could in theory carry data.
            throw TransportException.Other("IsoDep ${e.javaClass.simpleName}")
        }
    }

    /** Closes the connection to the tag (no more APDUs can be sent). */
    override fun close() {
        try {
            isoDep.close()
        } catch (_: IOException) {
            // The tag is already gone; nothing to release.
        }
    }

    companion object {
        /** 20 s: a 2048-bit RSA signature on an older card plus the PIN VERIFY fit well within. */
        const val DEFAULT_TIMEOUT_MS = 20_000
    }
}

/**
 * Reader mode for the My Number Card: NFC-A and NFC-B (the card is Type B; some phones report
 * it on A first), NDEF check skipped (the card has no NDEF and probing costs time and can
 * disturb the IsoDep session), platform sounds off (the app gives its own feedback).
 *
 * Call [enable] in `onResume` and [disable] in `onPause`.
 */
class NfcCardReader(private val activity: Activity) {
    private val adapter: NfcAdapter? = NfcAdapter.getDefaultAdapter(activity)

    /** True when the device has NFC at all. */
    val isAvailable: Boolean get() = adapter != null

    /** True when NFC is switched on in the settings. */
    val isEnabled: Boolean get() = adapter?.isEnabled == true

    /**
     * Starts reader mode; [onCard] runs on a binder thread (blocking calls are fine there) with
     * a connected transport for every IsoDep tag discovered. Tags without IsoDep are ignored.
     */
    fun enable(onCard: (IsoDepCardTransport) -> Unit) {
        val nfc = adapter ?: return
        val flags = NfcAdapter.FLAG_READER_NFC_A or
            NfcAdapter.FLAG_READER_NFC_B or
            NfcAdapter.FLAG_READER_SKIP_NDEF_CHECK or
            NfcAdapter.FLAG_READER_NO_PLATFORM_SOUNDS
        val extras = Bundle().apply {
            // Fewer presence checks while the card computes a signature.
            putInt(NfcAdapter.EXTRA_READER_PRESENCE_CHECK_DELAY, PRESENCE_CHECK_DELAY_MS)
        }
        nfc.enableReaderMode(activity, { tag: Tag ->
            val isoDep = IsoDep.get(tag) ?: return@enableReaderMode
            val transport = try {
                IsoDepCardTransport(isoDep)
            } catch (_: IOException) {
                return@enableReaderMode
            }
            transport.use(onCard)
        }, flags, extras)
    }

    /** Stops reader mode. */
    fun disable() {
        adapter?.disableReaderMode(activity)
    }

    private companion object {
        const val PRESENCE_CHECK_DELAY_MS = 1_000
    }
}
