package jp.shikaku.sample

import android.app.Application
import androidx.lifecycle.AndroidViewModel
import androidx.lifecycle.viewModelScope
import java.io.File
import java.security.GeneralSecurityException
import jp.shikaku.android.AndroidKeystoreKeyStore
import jp.shikaku.android.CardEvent
import jp.shikaku.android.HouseholdSession
import jp.shikaku.android.OkHttpTransport
import jp.shikaku.android.SyncSetup

/**
 * Gives the library's [HouseholdSession] (all of the app logic) its Android pieces: the store
 * file, the Keystore, the ViewModel's scope and the server from the build configuration.
 */
class SampleViewModel(app: Application) : AndroidViewModel(app) {
    private val keyStore = AndroidKeystoreKeyStore(app)

    /** The app logic; the UI renders its state and forwards events to it. */
    val session = HouseholdSession(
        storePath = File(app.filesDir, "household.db").path,
        keyStore = keyStore,
        scope = viewModelScope,
        forgetKey = ::forgetKey,
        sync = syncSetup(),
    )

    init {
        session.open()
    }

    /** Forwards a reader-mode event; a connected card stays open until the session is done. */
    suspend fun onCardEvent(event: CardEvent) {
        when (event) {
            is CardEvent.Connected -> event.transport.use { session.onCard(it)?.join() }
            CardEvent.NotIsoDep, CardEvent.ConnectFailed -> session.onTagUnreadable()
        }
    }

    private fun forgetKey() {
        try {
            keyStore.deleteKey()
        } catch (_: GeneralSecurityException) {
            // The old Keystore key stays and wraps the new store's key: still safe to use.
        }
    }

    override fun onCleared() {
        session.close()
    }

    private companion object {
        /** The issuer from `-Pshikaku.serverUrl` and `-Pshikaku.rootKey` (hex), if given. */
        fun syncSetup(): SyncSetup? {
            val hex = BuildConfig.ROOT_KEY_HEX
            if (BuildConfig.SERVER_URL.isEmpty() || hex.length % 2 != 0 || hex.any { Character.digit(it, 16) < 0 }) {
                return null
            }
            val rootKey = ByteArray(hex.length / 2) { i ->
                ((Character.digit(hex[2 * i], 16) shl 4) or Character.digit(hex[2 * i + 1], 16)).toByte()
            }
            return SyncSetup(BuildConfig.SERVER_URL, rootKey, OkHttpTransport())
        }
    }
}
