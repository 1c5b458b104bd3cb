// AndroidKeystoreKeyStore's wrap/unwrap and its error mapping, with the Keystore replaced by a
// software key and ciphers that fail as the Keystore's do.

package jp.shikaku.android

import android.security.keystore.KeyPermanentlyInvalidatedException
import android.security.keystore.UserNotAuthenticatedException
import java.security.KeyStoreException as JavaKeyStoreException
import jp.shikaku.core.Household
import jp.shikaku.core.KeyStoreException
import jp.shikaku.core.ShikakuException
import kotlin.test.assertContentEquals
import kotlin.test.assertEquals
import kotlin.test.assertFailsWith
import kotlin.test.assertFalse
import kotlin.test.assertTrue
import org.junit.jupiter.api.Test

class AndroidKeystoreKeyStoreTest {
    private fun dataKey() = ByteArray(32) { (it * 7).toByte() }

    @Test
    fun wrapsWithANewKeyOnFirstUseAndUnwrapsTheSameKey() {
        val keys = SoftwareKeys()
        val store = AndroidKeystoreKeyStore(keys)
        val input = dataKey()
        val blob = store.wrap(input)
        assertEquals(1, keys.created)
        assertTrue(input.all { it == 0.toByte() }, "the plaintext key is wiped after wrapping")
        assertContentEquals("AKS1".toByteArray(), blob.copyOfRange(0, 4))
        assertEquals(4 + 12 + 32 + 16, blob.size)
        assertContentEquals(dataKey(), store.unwrap(blob))
        store.wrap(dataKey())
        assertEquals(1, keys.created, "the existing key is reused")
    }

    @Test
    fun aMissingOrDifferentKeyIsRejected() {
        val keys = SoftwareKeys()
        val blob = AndroidKeystoreKeyStore(keys).wrap(dataKey())
        keys.delete()
        assertFailsWith<KeyStoreException.Rejected> { AndroidKeystoreKeyStore(keys).unwrap(blob) }
        keys.create()
        assertFailsWith<KeyStoreException.Rejected> { AndroidKeystoreKeyStore(keys).unwrap(blob) }
    }

    @Test
    fun aTamperedOrForeignBlobIsRejectedOrMalformed() {
        val keys = SoftwareKeys()
        val store = AndroidKeystoreKeyStore(keys)
        val blob = store.wrap(dataKey())
        blob[blob.size - 1] = (blob[blob.size - 1].toInt() xor 1).toByte()
        assertFailsWith<KeyStoreException.Rejected> { store.unwrap(blob) }
        assertFailsWith<KeyStoreException.Malformed> { store.unwrap(ByteArray(10)) }
        val foreign = store.wrap(dataKey()).also { it[0] = 'X'.code.toByte() }
        assertFailsWith<KeyStoreException.Malformed> { store.unwrap(foreign) }
    }

    @Test
    fun aLockedDeviceIsUnavailableBothWays() {
        val keys = SoftwareKeys()
        val blob = AndroidKeystoreKeyStore(keys).wrap(dataKey())
        keys.failure = UserNotAuthenticatedException()
        val store = AndroidKeystoreKeyStore(keys)
        val wrap = assertFailsWith<KeyStoreException.Unavailable> { store.wrap(dataKey()) }
        assertEquals("the device is locked", wrap.reason)
        val unwrap = assertFailsWith<KeyStoreException.Unavailable> { store.unwrap(blob) }
        assertEquals("the device is locked", unwrap.reason)
    }

    @Test
    fun anInvalidatedKeyCannotWrapAndRejectsOnUnwrap() {
        val keys = SoftwareKeys()
        val blob = AndroidKeystoreKeyStore(keys).wrap(dataKey())
        keys.failure = KeyPermanentlyInvalidatedException()
        val store = AndroidKeystoreKeyStore(keys)
        val wrap = assertFailsWith<KeyStoreException.Unavailable> { store.wrap(dataKey()) }
        assertEquals("the Keystore key was invalidated", wrap.reason)
        assertFailsWith<KeyStoreException.Rejected> { store.unwrap(blob) }
    }

    @Test
    fun anyOtherKeystoreFailureIsUnavailableWithOnlyItsClass() {
        val keys = SoftwareKeys()
        val blob = AndroidKeystoreKeyStore(keys).wrap(dataKey())
        keys.findFailure = JavaKeyStoreException("keystore2 said 4711")
        val store = AndroidKeystoreKeyStore(keys)
        val wrap = assertFailsWith<KeyStoreException.Unavailable> { store.wrap(dataKey()) }
        assertEquals("Keystore KeyStoreException", wrap.reason)
        val unwrap = assertFailsWith<KeyStoreException.Unavailable> { store.unwrap(blob) }
        assertFalse(unwrap.reason.contains("4711"))
    }

    @Test
    fun theCoreOpensItsStoreWithItAndRefusesAnotherDevicesKey() {
        val fx = Fixture()
        try {
            fx.addTaro()
            Household.open(fx.path, AndroidKeystoreKeyStore(fx.keys)).use { assertEquals(1, it.members().size) }
            val other = assertFailsWith<ShikakuException.Key> { Household.open(fx.path, AndroidKeystoreKeyStore(SoftwareKeys())) }
            assertTrue(other.wrongKey)
            fx.keys.failure = UserNotAuthenticatedException()
            val locked = assertFailsWith<ShikakuException.Key> { Household.open(fx.path, AndroidKeystoreKeyStore(fx.keys)) }
            assertFalse(locked.wrongKey)
        } finally {
            fx.close()
        }
    }
}
