package jp.shikaku.android

import android.content.Context
import android.content.pm.PackageManager
import android.os.Build
import android.security.keystore.KeyGenParameterSpec
import android.security.keystore.KeyPermanentlyInvalidatedException
import android.security.keystore.KeyProperties
import android.security.keystore.StrongBoxUnavailableException
import android.security.keystore.UserNotAuthenticatedException
import java.security.GeneralSecurityException
import java.security.KeyStore as JavaKeyStore
import javax.crypto.AEADBadTagException
import javax.crypto.Cipher
import javax.crypto.KeyGenerator
import javax.crypto.SecretKey
import javax.crypto.spec.GCMParameterSpec
import jp.shikaku.core.KeyStore
import jp.shikaku.core.KeyStoreException

/**
 * Where the wrapping key lives: the Android Keystore on a device, a double in the host tests.
 * Every member may throw a `GeneralSecurityException`.
 */
internal interface WrappingKeys {
    /** The wrapping key, or null when there is none (yet, or any more). */
    fun find(): SecretKey?

    /** Creates the wrapping key. */
    fun create(): SecretKey

    /** Deletes the wrapping key. */
    fun delete()

    /** A fresh AES-GCM cipher for the wrapping key. */
    fun cipher(): Cipher
}

/** The Android Keystore: an AES-256-GCM key in StrongBox when the device has one. */
private class AndroidKeystoreKeys(private val context: Context, private val alias: String) : WrappingKeys {
    private fun keystore(): JavaKeyStore =
        JavaKeyStore.getInstance(ANDROID_KEYSTORE).apply { load(null) }

    override fun find(): SecretKey? = keystore().getKey(alias, null) as? SecretKey

    private fun spec(strongBox: Boolean): KeyGenParameterSpec {
        val builder = KeyGenParameterSpec.Builder(
            alias,
            KeyProperties.PURPOSE_ENCRYPT or KeyProperties.PURPOSE_DECRYPT,
        )
            .setBlockModes(KeyProperties.BLOCK_MODE_GCM)
            .setEncryptionPaddings(KeyProperties.ENCRYPTION_PADDING_NONE)
            .setKeySize(256)
            .setRandomizedEncryptionRequired(true)
        if (strongBox && Build.VERSION.SDK_INT >= Build.VERSION_CODES.P) {
            builder.setIsStrongBoxBacked(true)
        }
        return builder.build()
    }

    private fun hasStrongBox(): Boolean =
        Build.VERSION.SDK_INT >= Build.VERSION_CODES.P &&
            context.packageManager.hasSystemFeature(PackageManager.FEATURE_STRONGBOX_KEYSTORE)

    override fun create(): SecretKey {
        val generator = KeyGenerator.getInstance(KeyProperties.KEY_ALGORITHM_AES, ANDROID_KEYSTORE)
        if (hasStrongBox()) {
            try {
                generator.init(spec(strongBox = true))
                return generator.generateKey()
            } catch (_: StrongBoxUnavailableException) {
                // Declared but not usable for this key: fall back to the TEE below.
            }
        }
        generator.init(spec(strongBox = false))
        return generator.generateKey()
    }

    override fun delete() {
        keystore().deleteEntry(alias)
    }

    override fun cipher(): Cipher = Cipher.getInstance(AndroidKeystoreKeyStore.TRANSFORMATION)

    private companion object {
        const val ANDROID_KEYSTORE = "AndroidKeyStore"
    }
}

/**
 * The key seam on Android: the store's data key is wrapped with an AES-256-GCM key that lives
 * in the Android Keystore (in StrongBox when the device has one) and never leaves it.
 *
 * Blob layout: `"AKS1"` ‖ 12-byte IV ‖ ciphertext+tag, the magic as associated data.
 * A missing key on unwrap (app data restored to another device, key deleted) is `Rejected`:
 * the app then offers the clean reset and a new download.
 */
class AndroidKeystoreKeyStore internal constructor(private val keys: WrappingKeys) : KeyStore {

    /**
     * @param context used only to ask whether the device has StrongBox.
     * @param alias the Keystore alias of the wrapping key.
     */
    constructor(context: Context, alias: String = DEFAULT_ALIAS) :
        this(AndroidKeystoreKeys(context, alias))

    /** Wraps the store's data key (creating the Keystore key on first use). */
    override fun wrap(key: ByteArray): ByteArray {
        try {
            val secret = keys.find() ?: keys.create()
            val cipher = keys.cipher()
            cipher.init(Cipher.ENCRYPT_MODE, secret)
            cipher.updateAAD(MAGIC)
            val ciphertext = cipher.doFinal(key)
            val iv = cipher.iv
            if (iv == null || iv.size != IV_LENGTH) {
                throw KeyStoreException.Unavailable("unexpected IV length")
            }
            return MAGIC + iv + ciphertext
        } catch (e: UserNotAuthenticatedException) {
            throw KeyStoreException.Unavailable("the device is locked")
        } catch (e: KeyPermanentlyInvalidatedException) {
            throw KeyStoreException.Unavailable("the Keystore key was invalidated")
        } catch (e: GeneralSecurityException) {
            throw KeyStoreException.Unavailable("Keystore ${e.javaClass.simpleName}")
        } finally {
            key.fill(0)
        }
    }

    /** Unwraps the store's data key; a wrong or missing Keystore key is `Rejected`. */
    override fun unwrap(blob: ByteArray): ByteArray {
        if (blob.size < MAGIC.size + IV_LENGTH + TAG_BITS / 8 ||
            !blob.copyOfRange(0, MAGIC.size).contentEquals(MAGIC)
        ) {
            throw KeyStoreException.Malformed()
        }
        try {
            val secret = keys.find() ?: throw KeyStoreException.Rejected()
            val iv = blob.copyOfRange(MAGIC.size, MAGIC.size + IV_LENGTH)
            val cipher = keys.cipher()
            cipher.init(Cipher.DECRYPT_MODE, secret, GCMParameterSpec(TAG_BITS, iv))
            cipher.updateAAD(MAGIC)
            return cipher.doFinal(blob, MAGIC.size + IV_LENGTH, blob.size - MAGIC.size - IV_LENGTH)
        } catch (e: AEADBadTagException) {
            throw KeyStoreException.Rejected()
        } catch (e: UserNotAuthenticatedException) {
            throw KeyStoreException.Unavailable("the device is locked")
        } catch (e: KeyPermanentlyInvalidatedException) {
            throw KeyStoreException.Rejected()
        } catch (e: GeneralSecurityException) {
            throw KeyStoreException.Unavailable("Keystore ${e.javaClass.simpleName}")
        }
    }

    /** Deletes the Keystore key (after the store itself was destroyed). */
    fun deleteKey() {
        keys.delete()
    }

    companion object {
        /** The default Keystore alias. */
        const val DEFAULT_ALIAS = "jp.shikaku.store-key-wrap"
        internal const val TRANSFORMATION = "AES/GCM/NoPadding"
        private const val IV_LENGTH = 12
        private const val TAG_BITS = 128
        private val MAGIC = "AKS1".toByteArray(Charsets.US_ASCII)
    }
}
