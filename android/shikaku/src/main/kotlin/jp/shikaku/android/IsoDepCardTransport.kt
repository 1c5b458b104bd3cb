package jp.shikaku.android

import android.nfc.TagLostException
import android.nfc.tech.IsoDep
import java.io.IOException
import jp.shikaku.core.CardTransport
import jp.shikaku.core.TransportException

/**
 * What [IsoDepCardTransport] needs of a tag's [IsoDep]: the seam the host tests replace with a
 * double (IsoDep is final and only the NFC service makes one).
 */
internal interface IsoDepLink {
    /** True while the tag is connected. */
    val isConnected: Boolean

    /** Connects to the tag (blocking). */
    fun connect()

    /** Sets the transceive timeout in milliseconds. */
    fun setTimeout(timeoutMs: Int)

    /** `IsoDep.isExtendedLengthApduSupported()` (API 16); short APDUs only by default. */
    val isExtendedLengthApduSupported: Boolean get() = false

    /** `IsoDep.getMaxTransceiveLength()` (API 14); a short APDU's 261 bytes by default. */
    val maxTransceiveLength: Int get() = IsoDepCardTransport.SHORT_APDU_MAX

    /** Sends one command APDU (blocking). */
    fun transceive(apdu: ByteArray): ByteArray

    /** Closes the connection. */
    fun close()
}

/** The platform [IsoDep] behind the seam. */
internal class PlatformIsoDepLink(private val isoDep: IsoDep) : IsoDepLink {
    override val isConnected: Boolean get() = isoDep.isConnected

    override fun connect() = isoDep.connect()

    override fun setTimeout(timeoutMs: Int) {
        isoDep.timeout = timeoutMs
    }

    override val isExtendedLengthApduSupported: Boolean get() = isoDep.isExtendedLengthApduSupported

    override val maxTransceiveLength: Int get() = isoDep.maxTransceiveLength

    override fun transceive(apdu: ByteArray): ByteArray = isoDep.transceive(apdu)

    override fun close() = isoDep.close()
}

/**
 * The card seam on Android: APDUs over [IsoDep].
 *
 * Blocking; call the core (and so [transceive]) off the main thread — [NfcCardReader.cards]
 * hands the transport to a coroutine, and [AsyncHousehold] runs the core on
 * `Dispatchers.IO`. The transport never retries: the core decides what may be resent (never a
 * PIN VERIFY).
 *
 * Connecting may throw `IOException` (the tag already left), `SecurityException` or
 * `IllegalStateException` (a stale tag object).
 */
class IsoDepCardTransport internal constructor(
    private val link: IsoDepLink,
    timeoutMs: Int,
) : CardTransport, AutoCloseable {

    /**
     * @param isoDep the tag's IsoDep technology, from `IsoDep.get(tag)`.
     * @param timeoutMs the transceive timeout; RSA signing on the card takes seconds, so at
     *   least 5 s, by default 20 s.
     */
    constructor(isoDep: IsoDep, timeoutMs: Int = DEFAULT_TIMEOUT_MS) :
        this(PlatformIsoDepLink(isoDep), timeoutMs)

    init {
        if (!link.isConnected) {
            link.connect()
        }
        link.setTimeout(timeoutMs)
    }

    /**
     * Extended-length APDUs: reported when the phone's NFC stack says it carries them
     * (`IsoDep.isExtendedLengthApduSupported()`) and its transceive limit
     * (`IsoDep.getMaxTransceiveLength()`) is above a short APDU's 261 bytes. The core then reads
     * the certificate in one READ BINARY; if the card refuses it (`6700`) or the read fails
     * before any PIN is sent, it reads in short APDUs instead. A stale tag answers `false`
     * (short APDUs are always safe).
     */
    override fun extendedLength(): Boolean =
        try {
            link.isExtendedLengthApduSupported && link.maxTransceiveLength > SHORT_APDU_MAX
        } catch (_: RuntimeException) {
            false
        }

    /** Sends one command APDU and returns the response with SW1 SW2. */
    override fun transceive(apdu: ByteArray): ByteArray {
        try {
            return link.transceive(apdu)
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
            if (message.contains("timeout", ignoreCase = true) ||
                message.contains("timed out", ignoreCase = true)
            ) {
                throw TransportException.Timeout()
            }
            if (!link.isConnected) {
                throw TransportException.TagLost()
            }
            // Only the exception class: its message could in theory carry data.
            throw TransportException.Other("IsoDep ${e.javaClass.simpleName}")
        }
    }

    /** Closes the connection to the tag (no more APDUs can be sent). */
    override fun close() {
        try {
            link.close()
        } catch (_: IOException) {
            // The tag is already gone; nothing to release.
        }
    }

    companion object {
        /** 20 s: a 2048-bit RSA signature on an older card plus the PIN VERIFY fit well within. */
        const val DEFAULT_TIMEOUT_MS = 20_000

        /** The longest short command APDU: header, Lc, 255 data bytes, Le. */
        const val SHORT_APDU_MAX = 261
    }
}
