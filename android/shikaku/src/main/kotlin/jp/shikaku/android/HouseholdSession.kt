package jp.shikaku.android

import jp.shikaku.core.CardCheckOptions
import jp.shikaku.core.CardTransport
import jp.shikaku.core.HttpTransport
import jp.shikaku.core.KeyStore
import jp.shikaku.core.PinState
import jp.shikaku.core.ShikakuException
import jp.shikaku.core.SyncSettings
import kotlinx.coroutines.CoroutineDispatcher
import kotlinx.coroutines.CoroutineScope
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.Job
import kotlinx.coroutines.flow.MutableStateFlow
import kotlinx.coroutines.flow.StateFlow
import kotlinx.coroutines.flow.asStateFlow
import kotlinx.coroutines.flow.update
import kotlinx.coroutines.launch
import kotlinx.coroutines.sync.Mutex
import kotlinx.coroutines.sync.withLock

/**
 * Where and how to sync.
 *
 * @property serverUrl the issuer's base URL (https).
 * @property rootKey the pinned root key of the trust list (SEC1 P-256 point).
 * @property http the transport, e.g. [OkHttpTransport].
 * @property timeoutMs per-request timeout.
 * @property allowInsecureLoopback development only: plain http to 127.0.0.1 / localhost.
 */
class SyncSetup(
    val serverUrl: String,
    val rootKey: ByteArray,
    val http: HttpTransport,
    val timeoutMs: UInt = 30_000u,
    val allowInsecureLoopback: Boolean = false,
)

/**
 * The app logic of a household app, without Android types: opening the store (and the clean
 * reset when its key is lost), the household list and a member's screen, and the card flow of
 * a card check or a sync (PIN entry, waiting for the card, the last-try consent, the result),
 * published as one [StateFlow] of [SessionState]. A UI renders [state] and forwards events.
 *
 * Every rule is the core's: the session never decides about the PIN itself (with one try left
 * the core sends nothing and answers `LastAttemptNeedsConsent`), and after a VERIFY whose
 * outcome is unknown it reads the counter again as the core asks before the PIN is asked again.
 *
 * Event functions return at once; those that work launch in [scope] and return the [Job].
 *
 * @param storePath the store's file.
 * @param keyStore the platform key store, e.g. [AndroidKeystoreKeyStore].
 * @param scope where the work runs, e.g. a ViewModel's scope.
 * @param forgetKey deletes the platform key after the store was destroyed (the clean reset);
 *   must not throw.
 * @param sync the server to sync with, if any.
 * @param extraAnchors extra trust anchors for test cards only; empty in production.
 * @param io where the blocking core runs.
 */
class HouseholdSession(
    private val storePath: String,
    private val keyStore: KeyStore,
    private val scope: CoroutineScope,
    private val forgetKey: () -> Unit = {},
    private val sync: SyncSetup? = null,
    private val extraAnchors: List<ByteArray> = emptyList(),
    private val io: CoroutineDispatcher = Dispatchers.IO,
) : AutoCloseable {
    private val mutableState = MutableStateFlow(SessionState(canSync = sync != null))

    /** What to show. */
    val state: StateFlow<SessionState> = mutableState.asStateFlow()

    private val storeLock = Mutex()

    @Volatile
    private var household: AsyncHousehold? = null

    /** Guards every change of [SessionState.card] together with [pin]. */
    private val cardLock = Any()

    /**
     * The PIN of the task in progress, as ASCII digits, handed to the core as is; never part of
     * [state] once submitted, and wiped ([dropPin]) whenever it is let go. Guarded by [cardLock].
     */
    private var pin: ByteArray? = null

    /**
     * The array of the PIN held for the task in progress (not a copy), or null: for the host
     * tests, which check that it is wiped once the task no longer needs it.
     */
    internal val heldPin: ByteArray?
        get() = synchronized(cardLock) { pin }

    // ---- the store ------------------------------------------------------------------------

    /** Opens (or creates) the store and loads the household list. */
    fun open(): Job = scope.launch { openStore() }

    /**
     * After [StoreState.KeyLost] only (otherwise nothing happens): destroys the unreadable store
     * and the key, then opens afresh.
     */
    fun resetStore(): Job = scope.launch {
        storeLock.withLock {
            if (state.value.store !is StoreState.KeyLost) return@launch
            household?.close()
            household = null
            try {
                AsyncHousehold.destroy(storePath, io)
            } catch (e: ShikakuException) {
                mutableState.update { it.copy(store = StoreState.Unavailable(SessionMessages.of(e))) }
                return@launch
            }
            forgetKey()
        }
        openStore()
    }

    private suspend fun openStore() = storeLock.withLock {
        if (household != null) return@withLock
        mutableState.update { it.copy(store = StoreState.Opening) }
        val opened = try {
            AsyncHousehold.open(storePath, keyStore, io)
        } catch (e: ShikakuException) {
            mutableState.update { it.copy(store = storeProblem(e)) }
            return@withLock
        }
        try {
            val overview = opened.overview()
            household = opened
            mutableState.update { it.copy(store = StoreState.Ready, overview = overview) }
        } catch (e: ShikakuException) {
            opened.close()
            mutableState.update { it.copy(store = storeProblem(e)) }
        }
    }

    private fun storeProblem(e: ShikakuException): StoreState =
        if (e is ShikakuException.Key && e.wrongKey) {
            StoreState.KeyLost(SessionMessages.of(e))
        } else {
            StoreState.Unavailable(SessionMessages.of(e))
        }

    // ---- pages ----------------------------------------------------------------------------

    /** Shows a member's eligibility screen. */
    fun showMember(memberId: String): Job {
        mutableState.update { it.copy(member = MemberPage(memberId)) }
        return scope.launch { loadMember(memberId) }
    }

    private suspend fun loadMember(memberId: String) {
        val store = household ?: return
        val page = try {
            MemberPage(memberId, screen = store.screen(memberId))
        } catch (e: ShikakuException) {
            MemberPage(memberId, error = SessionMessages.of(e))
        }
        mutableState.update { if (it.member?.memberId == memberId) it.copy(member = page) else it }
    }

    /** After a check or a sync: the list and the open member's screen from one read of the
     *  store, so the list's line and the screen never show two different moments. */
    private suspend fun refresh() {
        val store = household ?: return
        val both = try {
            store.overviewWithScreens()
        } catch (e: ShikakuException) {
            mutableState.update { it.copy(store = storeProblem(e)) }
            state.value.member?.let { loadMember(it.memberId) }
            return
        }
        mutableState.update { current ->
            val page = current.member
            val screen = page?.let { p -> both.screens.firstOrNull { it.memberId == p.memberId } }
            current.copy(
                overview = both.overview,
                member = if (page != null && screen != null) MemberPage(page.memberId, screen = screen) else page,
            )
        }
        // A member the list no longer has (removed, or its row damaged): its own read says why.
        val open = state.value.member
        if (open != null && both.screens.none { it.memberId == open.memberId }) loadMember(open.memberId)
    }

    /**
     * Goes back one page: leaves the card flow (not while the card is read), then the member's
     * screen. False when there is nothing to go back to (the app may close).
     */
    fun back(): Boolean {
        val current = state.value
        return when (current.page) {
            Page.CARD -> {
                cancelCard()
                true
            }
            Page.MEMBER -> {
                mutableState.update { it.copy(member = null) }
                true
            }
            Page.HOUSEHOLD -> false
        }
    }

    // ---- the card flow --------------------------------------------------------------------

    /** Under [cardLock]: moves the card flow to [next]; the held PIN is wiped unless [keepPin]. */
    private fun setCard(next: CardFlow, keepPin: Boolean) {
        if (!keepPin) dropPin()
        mutableState.update { it.copy(card = next) }
    }

    /** Under [cardLock]: wipes the held PIN and lets it go. */
    private fun dropPin() {
        pin?.fill(0)
        pin = null
    }

    private fun start(task: CardTask) = synchronized(cardLock) {
        when (state.value.card) {
            is CardFlow.Reading, is CardFlow.WaitingForCard, is CardFlow.NeedsConsent -> Unit
            CardFlow.Idle, is CardFlow.EnterPin, is CardFlow.Checked, is CardFlow.Synced,
            is CardFlow.Failed,
            -> setCard(CardFlow.EnterPin(task), keepPin = false)
        }
    }

    /** Starts a check of [memberId]'s card: PIN entry first. */
    fun startCardCheck(memberId: String) = start(CardTask.Check(memberId))

    /** Starts a sync (the card logs in): PIN entry first. Nothing happens without a server. */
    fun startSync() {
        if (sync != null) start(CardTask.Sync)
    }

    /** The PIN field changed. */
    fun onPinInput(text: String) = synchronized(cardLock) {
        val entry = state.value.card as? CardFlow.EnterPin ?: return@synchronized
        setCard(entry.copy(pin = PinInput.of(text)), keepPin = false)
    }

    /** The PIN was submitted: wait for the card. */
    fun submitPin() = synchronized(cardLock) {
        val entry = state.value.card as? CardFlow.EnterPin ?: return@synchronized
        if (!entry.pin.isComplete) return@synchronized
        dropPin()
        pin = entry.pin.asciiBytes()
        setCard(CardFlow.WaitingForCard(entry.task, CardPurpose.RUN_TASK), keepPin = true)
    }

    /** The user agreed to spend the last try: the same PIN is sent at the next tap. */
    fun consentToLastAttempt() = synchronized(cardLock) {
        val asking = state.value.card as? CardFlow.NeedsConsent ?: return@synchronized
        setCard(
            CardFlow.WaitingForCard(asking.task, CardPurpose.RUN_TASK, lastAttempt = true),
            keepPin = true,
        )
    }

    /**
     * After a check whose 基本4情報 step sent nothing to the 券面事項入力補助AP
     * ([basicInfoNeedsConsent]: its PIN has one try left, or has lost tries since it was last
     * entered right), the user read the core's words ([CardCheckResult.basicInfoMessageJa]) and
     * agreed to spend a try: the PIN is typed again and the check runs with
     * `allowLastTextAttempt`. Ignored in any other state. The 利用者証明用 PIN keeps its own
     * rule (its last try still asks through [CardFlow.NeedsConsent]).
     */
    fun consentToTextLastAttempt() = synchronized(cardLock) {
        val checked = state.value.card as? CardFlow.Checked ?: return@synchronized
        if (!checked.result.basicInfoNeedsConsent) return@synchronized
        setCard(CardFlow.EnterPin(CardTask.Check(checked.memberId, spendTextLastTry = true)), keepPin = false)
    }

    /** After a failure that may be retried: PIN entry again. */
    fun retry() = synchronized(cardLock) {
        val failed = state.value.card as? CardFlow.Failed ?: return@synchronized
        if (failed.canRetry) setCard(CardFlow.EnterPin(failed.task), keepPin = false)
    }

    /** Leaves the card flow (cancel, decline the last try, or done); not while the card is read. */
    fun cancelCard() = synchronized(cardLock) {
        if (state.value.card !is CardFlow.Reading) setCard(CardFlow.Idle, keepPin = false)
    }

    /** Reader mode saw a tag that is not usable (no IsoDep, or gone before it connected). */
    fun onTagUnreadable() = synchronized(cardLock) {
        val waiting = state.value.card as? CardFlow.WaitingForCard ?: return@synchronized
        setCard(waiting.copy(notice = SessionMessages.TAG_UNREADABLE), keepPin = true)
    }

    /**
     * A card was presented. Ignored (null) unless the session waits for one; otherwise the work
     * runs in [scope] and the returned job ends when [state] shows the outcome. The caller keeps
     * the transport open until then and closes it afterwards.
     */
    fun onCard(transport: CardTransport): Job? {
        val (waiting, pinToSend) = synchronized(cardLock) {
            val waiting = state.value.card as? CardFlow.WaitingForCard ?: return null
            setCard(CardFlow.Reading(waiting.task, waiting.purpose), keepPin = true)
            waiting to pin
        }
        return scope.launch {
            var kept = false
            try {
                val (next, keepPin) = when (waiting.purpose) {
                    CardPurpose.RUN_TASK -> runTask(waiting, transport, pinToSend)
                    CardPurpose.READ_COUNTER -> readCounter(waiting, transport)
                }
                synchronized(cardLock) {
                    if (state.value.card is CardFlow.Reading) {
                        setCard(next, keepPin)
                        kept = keepPin
                    }
                }
                if (next is CardFlow.Checked || next is CardFlow.Synced) refresh()
            } finally {
                // Whatever ended the work (even a cancelled scope): a PIN nothing keeps is wiped.
                if (!kept) {
                    synchronized(cardLock) { if (pinToSend != null && pin === pinToSend) dropPin() }
                }
            }
        }
    }

    /** The next state and whether the PIN is kept for it. */
    private suspend fun runTask(
        waiting: CardFlow.WaitingForCard,
        transport: CardTransport,
        pinToSend: ByteArray?,
    ): Pair<CardFlow, Boolean> {
        val store = household
            ?: return CardFlow.Failed(waiting.task, STORE_CLOSED, canRetry = false) to false
        // No PIN held (the session let it go): ask for it again; nothing is sent.
        // Otherwise the held array crosses the FFI as is; the session wipes it when it lets go.
        val pinBytes = pinToSend ?: return CardFlow.EnterPin(waiting.task) to false
        return try {
            when (val task = waiting.task) {
                is CardTask.Check -> {
                    // The consent asked for here is the 利用者証明用 PIN's (the only PIN whose
                    // last try ends in LastAttemptNeedsConsent); the 券面事項入力補助 PIN's is
                    // spent only when the user agreed after a check that sent it nothing
                    // (consentToTextLastAttempt), and its outcome is the result's basicInfo.
                    // Whether the 基本4情報 are read is the core's default for a member's check
                    // (CheckOptions::for_member: read).
                    val options = CardCheckOptions(
                        allowLastAuthAttempt = waiting.lastAttempt,
                        allowLastTextAttempt = task.spendTextLastTry,
                        extraAnchors = extraAnchors,
                    )
                    CardFlow.Checked(task.memberId, store.checkCard(task.memberId, transport, pinBytes, options))
                }
                CardTask.Sync -> {
                    val setup = sync
                        ?: return CardFlow.Failed(task, NO_SERVER, canRetry = false) to false
                    val settings = SyncSettings(
                        serverUrl = setup.serverUrl,
                        rootKey = setup.rootKey,
                        allowLastAttempt = waiting.lastAttempt,
                        timeoutMs = setup.timeoutMs,
                        allowInsecureLoopback = setup.allowInsecureLoopback,
                    )
                    CardFlow.Synced(store.sync(setup.http, transport, pinBytes, settings))
                }
            } to false
        } catch (e: ShikakuException) {
            afterFailure(waiting, e)
        }
    }

    private fun afterFailure(waiting: CardFlow.WaitingForCard, e: ShikakuException): Pair<CardFlow, Boolean> {
        val task = waiting.task
        val message = SessionMessages.of(e)
        return when (e) {
            is ShikakuException.WrongPin ->
                CardFlow.EnterPin(task, retriesLeft = e.retriesLeft.toInt(), notice = message) to false
            is ShikakuException.LastAttemptNeedsConsent -> CardFlow.NeedsConsent(task, message) to true
            is ShikakuException.PinUnusable ->
                if (e.blocked) {
                    CardFlow.Failed(task, message, canRetry = false) to false
                } else {
                    CardFlow.EnterPin(task, notice = message) to false
                }
            is ShikakuException.Card -> when {
                // The core asks for the counter to be read again before the PIN is asked again.
                e.verifyInFlight ->
                    CardFlow.WaitingForCard(task, CardPurpose.READ_COUNTER, notice = message) to false
                // Nothing was decided on the card: the same PIN at the next tap.
                e.retryable -> waiting.copy(notice = message) to true
                else -> CardFlow.Failed(task, message, canRetry = true) to false
            }
            is ShikakuException.Network, is ShikakuException.Sync ->
                CardFlow.Failed(task, message, canRetry = true) to false
            // A changed root is re-pinned only by an explicit, confirmed call: not from here.
            is ShikakuException.RootChanged,
            is ShikakuException.Key, is ShikakuException.Store, is ShikakuException.InvalidInput,
            // The clinic desk's refusals: a household session never meets them.
            is ShikakuException.TrustList, is ShikakuException.CardMismatch, is ShikakuException.NotRecordable,
            ->
                CardFlow.Failed(task, message, canRetry = false) to false
        }
    }

    private suspend fun readCounter(
        waiting: CardFlow.WaitingForCard,
        transport: CardTransport,
    ): Pair<CardFlow, Boolean> {
        val task = waiting.task
        return try {
            val counter = AsyncHousehold.cardStatus(transport, io).authPin
            // What the counter read again means is the core's (PinCounter::reread_message_ja):
            // nothing resent, the PIN asked again (its last try only with consent), or blocked.
            val notice = counter.rereadMessageJa()
            when (counter) {
                is PinState.Remaining -> CardFlow.EnterPin(task, retriesLeft = counter.tries.toInt(), notice = notice)
                is PinState.AlreadyVerified -> CardFlow.EnterPin(task, notice = notice)
                is PinState.Blocked -> CardFlow.Failed(task, notice, canRetry = false)
            } to false
        } catch (e: ShikakuException) {
            val message = SessionMessages.of(e)
            if (e is ShikakuException.Card && e.retryable) {
                waiting.copy(notice = message) to false
            } else {
                CardFlow.Failed(task, message, canRetry = true) to false
            }
        }
    }

    /** Wipes the PIN held, if any, and releases the store. */
    override fun close() {
        synchronized(cardLock) { dropPin() }
        household?.close()
        household = null
    }

    private companion object {
        const val STORE_CLOSED = "データを開けていません。"
        const val NO_SERVER = "取得先のサーバーが設定されていません。"
    }
}
