package jp.shikaku.sample

import android.app.Application
import androidx.compose.runtime.getValue
import androidx.compose.runtime.mutableStateOf
import androidx.compose.runtime.setValue
import androidx.lifecycle.AndroidViewModel
import java.io.File
import java.util.concurrent.ExecutorService
import java.util.concurrent.Executors
import jp.shikaku.android.AndroidKeystoreKeyStore
import jp.shikaku.android.IsoDepCardTransport
import jp.shikaku.core.CardCheckOptions
import jp.shikaku.core.CardCheckResult
import jp.shikaku.core.EligibilityScreenView
import jp.shikaku.core.Household
import jp.shikaku.core.HouseholdOverviewView
import jp.shikaku.core.PinState
import jp.shikaku.core.ShikakuException
import jp.shikaku.core.cardStatus
import jp.shikaku.core.destroyStore

/** Where the card check is. */
sealed interface CardCheckState {
    /** Waiting for the PIN; [retriesLeft] is known after a card was read, [message] explains
     *  the last failure. */
    data class EnterPin(val retriesLeft: Int? = null, val message: String? = null) : CardCheckState

    /** Reader mode is on: hold the card to the phone. */
    data class Waiting(val pin: String, val allowLastAttempt: Boolean) : CardCheckState

    /** One try is left: ask before sending the PIN. */
    data class NeedsConsent(val pin: String) : CardCheckState

    /** The check succeeded and was stored. */
    data class Done(val result: CardCheckResult) : CardCheckState

    /** The PIN is blocked or the card cannot be used; nothing more to try here. */
    data class Failed(val message: String) : CardCheckState
}

/** Holds the household store and runs every core call on one background thread. */
class SampleViewModel(private val app: Application) : AndroidViewModel(app) {
    private val worker: ExecutorService = Executors.newSingleThreadExecutor()
    private val storePath: String = File(app.filesDir, "household.db").path
    private var household: Household? = null

    /** The household list. */
    var overview by mutableStateOf<HouseholdOverviewView?>(null)
        private set

    /** The eligibility screen of the selected member. */
    var screen by mutableStateOf<EligibilityScreenView?>(null)
        private set

    /** A data-free error to show, or a reset offer when the key is lost. */
    var error by mutableStateOf<String?>(null)
        private set

    /** True when the store's key is lost and only a reset helps. */
    var offerReset by mutableStateOf(false)
        private set

    /** The card check's state. */
    var cardCheck by mutableStateOf<CardCheckState>(CardCheckState.EnterPin())
        private set

    private fun background(block: () -> Unit) {
        worker.execute {
            try {
                block()
            } catch (e: ShikakuException) {
                error = e.message
            }
        }
    }

    /** Opens (or creates) the store and loads the household list. */
    fun open() = background {
        try {
            household = Household.open(storePath, AndroidKeystoreKeyStore(app))
            offerReset = false
            overview = household?.overview()
        } catch (e: ShikakuException.Key) {
            offerReset = e.wrongKey
            error = e.message
        }
    }

    /** Destroys the unreadable store (after the user agreed) and starts afresh. */
    fun resetStore() = background {
        household?.close()
        household = null
        destroyStore(storePath)
        AndroidKeystoreKeyStore(app).deleteKey()
        error = null
        open()
    }

    /** Loads the eligibility screen of [memberId]. */
    fun loadScreen(memberId: String) = background {
        screen = household?.screen(memberId)
    }

    /** Starts a card check: the PIN is kept only until the card was read. */
    fun startCardCheck(pin: String) {
        cardCheck = CardCheckState.Waiting(pin, allowLastAttempt = false)
    }

    /** The user agreed to spend the last try. */
    fun consentToLastAttempt() {
        val state = cardCheck
        if (state is CardCheckState.NeedsConsent) {
            cardCheck = CardCheckState.Waiting(state.pin, allowLastAttempt = true)
        }
    }

    /** Back to the PIN entry (cancel, or after a result). */
    fun resetCardCheck() {
        cardCheck = CardCheckState.EnterPin()
    }

    /**
     * A card was tapped while [CardCheckState.Waiting]: runs on the NFC binder thread (blocking
     * calls are fine there). The counter is read first (no try spent), so the screen always
     * shows the tries left and asks before the last one.
     */
    fun onCard(memberId: String, transport: IsoDepCardTransport) {
        val state = cardCheck as? CardCheckState.Waiting ?: return
        val store = household ?: return
        cardCheck = try {
            when (val counter = cardStatus(transport).authPin) {
                is PinState.Blocked -> CardCheckState.Failed(BLOCKED)
                is PinState.Remaining ->
                    if (counter.tries.toInt() == 1 && !state.allowLastAttempt) {
                        CardCheckState.NeedsConsent(state.pin)
                    } else {
                        check(store, memberId, transport, state)
                    }
                is PinState.AlreadyVerified -> check(store, memberId, transport, state)
            }
        } catch (e: ShikakuException) {
            failure(e)
        }
    }

    private fun check(
        store: Household,
        memberId: String,
        transport: IsoDepCardTransport,
        state: CardCheckState.Waiting,
    ): CardCheckState = try {
        val result = store.checkCard(
            memberId,
            transport,
            state.pin,
            CardCheckOptions(
                allowLastAttempt = state.allowLastAttempt,
                readBasicInfo = true,
                extraAnchors = emptyList(),
            ),
        )
        screen = store.screen(memberId)
        overview = store.overview()
        CardCheckState.Done(result)
    } catch (e: ShikakuException) {
        failure(e)
    }

    private fun failure(e: ShikakuException): CardCheckState = when (e) {
        is ShikakuException.WrongPin ->
            CardCheckState.EnterPin(e.retriesLeft.toInt(), "暗証番号が違います。残り${e.retriesLeft}回です。")
        is ShikakuException.LastAttemptNeedsConsent -> CardCheckState.EnterPin(1, "残り1回です。")
        is ShikakuException.PinUnusable ->
            if (e.blocked) CardCheckState.Failed(BLOCKED) else CardCheckState.EnterPin(message = "暗証番号は数字4桁です。")
        is ShikakuException.Card ->
            if (e.verifyInFlight) {
                CardCheckState.EnterPin(message = "読み取り中にカードが離れました。残り回数を確認するため、もう一度かざしてください。")
            } else if (e.retryable) {
                CardCheckState.EnterPin(message = "カードが離れました。動かさずにもう一度かざしてください。")
            } else {
                CardCheckState.Failed("このカードは確認できませんでした。（${e.message}）")
            }
        else -> CardCheckState.Failed(e.message ?: "エラーが発生しました。")
    }

    override fun onCleared() {
        worker.shutdown()
        household?.close()
        household = null
    }

    private companion object {
        const val BLOCKED = "暗証番号がロックされています。お住まいの市区町村の窓口で初期化してください。"
    }
}
