// Shared doubles and fixtures of the host tests of the shikaku Android library.

package jp.shikaku.android

import android.nfc.TagLostException
import java.nio.file.Files
import java.nio.file.Path
import java.nio.file.Paths
import java.security.AlgorithmParameters
import java.security.GeneralSecurityException
import java.security.Key
import java.security.Provider
import java.security.SecureRandom
import java.security.spec.AlgorithmParameterSpec
import javax.crypto.Cipher
import javax.crypto.CipherSpi
import javax.crypto.SecretKey
import javax.crypto.spec.SecretKeySpec
import jp.shikaku.core.CardTransport
import jp.shikaku.core.Household
import jp.shikaku.core.MemberInput
import jp.shikaku.core.Relationship
import jp.shikaku.core.Sex
import jp.shikaku.core.TransportException
import jp.shikaku.core.VirtualCardHandle
import kotlinx.coroutines.CoroutineScope
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.Job
import kotlinx.coroutines.SupervisorJob
import kotlinx.coroutines.cancel
import kotlinx.coroutines.runBlocking
import kotlinx.coroutines.withTimeout

val ROOT: Path = Paths.get(System.getProperty("shikaku.root") ?: System.getenv("SHIKAKU_ROOT") ?: ".")
val TARO: String = ROOT.resolve("examples/vcard-yamada-taro.toml").toString()

/** 山田 太郎 as on the virtual card `vcard-yamada-taro.toml`. */
val TARO_INPUT = MemberInput("山田 太郎", "ヤマダ タロウ", "1985-04-12", Sex.MALE, Relationship.INSURED)

/** INS of VERIFY. */
const val VERIFY: Int = 0x20

/** True for a VERIFY that carries a PIN (a counter read has no data). */
fun isPinVerify(apdu: ByteArray): Boolean = apdu.size > 4 && apdu[1].toInt() == VERIFY && apdu[4].toInt() != 0

/**
 * How often a PIN was sent to each application (the AID of the last SELECT by name before the
 * VERIFY). With the 基本4情報 the same PIN also opens the 券面事項入力補助AP: two
 * applications, each to get the PIN at most once.
 */
fun pinVerifiesByApplication(sent: List<ByteArray>): Map<String, Int> {
    var application = ""
    val counts = mutableMapOf<String, Int>()
    for (apdu in sent) {
        if (apdu.size > 5 && apdu[1] == 0xA4.toByte() && apdu[2] == 0x04.toByte()) {
            application = apdu.copyOfRange(5, 5 + apdu[4].toInt()).joinToString("") { "%02X".format(it) }
        } else if (isPinVerify(apdu)) {
            counts[application] = (counts[application] ?: 0) + 1
        }
    }
    return counts
}

/** Waits for a job of the session (null: the event was ignored, a test failure). */
fun await(job: Job?) {
    requireNotNull(job) { "the session ignored the event" }
    runBlocking { withTimeout(60_000) { job.join() } }
}

/**
 * The Android Keystore's place taken by software: an AES key in memory, and on demand a cipher
 * whose init throws what the Keystore's would ([failure]).
 */
class SoftwareKeys : WrappingKeys {
    @Volatile var key: SecretKey? = null
    @Volatile var failure: GeneralSecurityException? = null
    @Volatile var findFailure: GeneralSecurityException? = null
    @Volatile var created = 0
    @Volatile var deleted = 0

    override fun find(): SecretKey? {
        findFailure?.let { throw it }
        return key
    }

    override fun create(): SecretKey {
        val bytes = ByteArray(32).also { SecureRandom().nextBytes(it) }
        return SecretKeySpec(bytes, "AES").also {
            key = it
            created++
        }
    }

    override fun delete() {
        key = null
        deleted++
    }

    override fun cipher(): Cipher =
        failure?.let { FailingCipher(it) } ?: Cipher.getInstance(AndroidKeystoreKeyStore.TRANSFORMATION)
}

/** A cipher whose init throws [failure], as the Keystore's does for a locked or invalidated key. */
class FailingCipher(failure: GeneralSecurityException) :
    Cipher(FailingSpi(failure), TestProvider, AndroidKeystoreKeyStore.TRANSFORMATION)

/** The provider a [FailingCipher] names (it registers nothing). */
object TestProvider : Provider("ShikakuTestKeystore", "1", "host-test stand-in for the Android Keystore")

class FailingSpi(private val failure: GeneralSecurityException) : CipherSpi() {
    private fun unused(): Nothing = throw IllegalStateException("not initialised")
    override fun engineInit(opmode: Int, key: Key?, random: SecureRandom?) = throw failure
    override fun engineInit(opmode: Int, key: Key?, params: AlgorithmParameterSpec?, random: SecureRandom?) = throw failure
    override fun engineInit(opmode: Int, key: Key?, params: AlgorithmParameters?, random: SecureRandom?) = throw failure
    override fun engineSetMode(mode: String?) = unused()
    override fun engineSetPadding(padding: String?) = unused()
    override fun engineGetBlockSize(): Int = unused()
    override fun engineGetOutputSize(inputLen: Int): Int = unused()
    override fun engineGetIV(): ByteArray = unused()
    override fun engineGetParameters(): AlgorithmParameters = unused()
    override fun engineUpdate(input: ByteArray?, inputOffset: Int, inputLen: Int): ByteArray = unused()
    override fun engineUpdate(input: ByteArray?, inputOffset: Int, inputLen: Int, output: ByteArray?, outputOffset: Int): Int = unused()
    override fun engineDoFinal(input: ByteArray?, inputOffset: Int, inputLen: Int): ByteArray = unused()
    override fun engineDoFinal(input: ByteArray?, inputOffset: Int, inputLen: Int, output: ByteArray?, outputOffset: Int): Int = unused()
}

/**
 * An IsoDep double in front of the virtual card: the tag "leaves" (Android's TagLostException)
 * on the APDU [loseWhen] picks, and is then disconnected.
 */
class VirtualCardLink(
    private val card: VirtualCardHandle,
    private val loseWhen: (ByteArray) -> Boolean = { false },
    override val isExtendedLengthApduSupported: Boolean = false,
    override val maxTransceiveLength: Int = IsoDepCardTransport.SHORT_APDU_MAX,
) : IsoDepLink {
    val sent = mutableListOf<ByteArray>()
    @Volatile override var isConnected: Boolean = false
    @Volatile var timeoutMs: Int = 0
    @Volatile var closed = false

    override fun connect() {
        isConnected = true
    }

    override fun setTimeout(timeoutMs: Int) {
        this.timeoutMs = timeoutMs
    }

    override fun transceive(apdu: ByteArray): ByteArray {
        check(!closed) { "closed" }
        sent.add(apdu)
        if (loseWhen(apdu)) {
            isConnected = false
            throw TagLostException("Tag was lost.")
        }
        return card.transceive(apdu)
    }

    override fun close() {
        closed = true
        isConnected = false
    }
}

/** The platform transport over the virtual card. */
fun isoDepOn(link: VirtualCardLink): IsoDepCardTransport = IsoDepCardTransport(link, 5_000)

/** A CardTransport that counts what it forwards (for tests that need no IsoDep). */
class CountingTransport(private val card: VirtualCardHandle) : CardTransport {
    val sent = mutableListOf<ByteArray>()
    override fun extendedLength(): Boolean = false
    override fun transceive(apdu: ByteArray): ByteArray {
        sent.add(apdu)
        return card.transceive(apdu)
    }
}

/** Throws TransportException.TagLost for every APDU. */
class GoneTransport : CardTransport {
    override fun extendedLength(): Boolean = false
    override fun transceive(apdu: ByteArray): ByteArray = throw TransportException.TagLost()
}

/** A temporary directory, a software key and a scope for one test. */
class Fixture : AutoCloseable {
    val dir: Path = Files.createTempDirectory("shikaku-android")
    val keys = SoftwareKeys()
    val path: String = dir.resolve("household.db").toString()
    val scope = CoroutineScope(SupervisorJob() + Dispatchers.Default)

    /** Adds 山田 太郎 to the store (created on first use) and returns his id. */
    fun addTaro(): String = Household.open(path, AndroidKeystoreKeyStore(keys)).use { it.addMember(TARO_INPUT) }

    override fun close() {
        scope.cancel()
        dir.toFile().deleteRecursively()
    }
}
