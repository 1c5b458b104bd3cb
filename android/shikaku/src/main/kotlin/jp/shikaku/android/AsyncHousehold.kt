package jp.shikaku.android

import jp.shikaku.core.CardCheckOptions
import jp.shikaku.core.CardCheckResult
import jp.shikaku.core.CardStatusInfo
import jp.shikaku.core.CardTransport
import jp.shikaku.core.EligibilityScreenView
import jp.shikaku.core.Household
import jp.shikaku.core.HouseholdOverviewView
import jp.shikaku.core.HouseholdScreensView
import jp.shikaku.core.HttpTransport
import jp.shikaku.core.KeyStore
import jp.shikaku.core.SyncOutcome
import jp.shikaku.core.SyncSettings
import jp.shikaku.core.cardStatus as readCardStatus
import jp.shikaku.core.destroyStore
import kotlinx.coroutines.CoroutineDispatcher
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.withContext

/**
 * The household store with `suspend` functions: every call into the (blocking) core runs on
 * [io], `Dispatchers.IO` by default, so a caller may suspend on the main thread.
 *
 * The core cannot be interrupted: when the caller is cancelled the call still finishes (a card
 * check is still stored), only its result is dropped.
 *
 * @property household the blocking store, for the calls not wrapped here.
 */
class AsyncHousehold(
    val household: Household,
    private val io: CoroutineDispatcher = Dispatchers.IO,
) : AutoCloseable {

    /** The household overview, now. */
    suspend fun overview(): HouseholdOverviewView = withContext(io) { household.overview() }

    /** The household overview and every member's screen, now, from one read of the store
     *  ([Household.overviewWithScreens]): the list agrees with each member's screen. */
    suspend fun overviewWithScreens(): HouseholdScreensView =
        withContext(io) { household.overviewWithScreens() }

    /** The eligibility screen of a member, now. */
    suspend fun screen(memberId: String): EligibilityScreenView =
        withContext(io) { household.screen(memberId) }

    /** [Household.checkCard] on [io]: the card check, stored for the member. [pin] holds the
     *  PIN's ASCII digits; the caller wipes it (`fill(0)`) once this returns. */
    suspend fun checkCard(
        memberId: String,
        transport: CardTransport,
        pin: ByteArray,
        options: CardCheckOptions,
    ): CardCheckResult = withContext(io) { household.checkCard(memberId, transport, pin, options) }

    /** [Household.sync] on [io]: trust list, card login, documents. [pin] as for [checkCard]. */
    suspend fun sync(
        http: HttpTransport,
        card: CardTransport,
        pin: ByteArray,
        settings: SyncSettings,
    ): SyncOutcome = withContext(io) { household.sync(http, card, pin, settings) }

    /** Releases the store (calls still running finish first). */
    override fun close() {
        household.close()
    }

    companion object {
        /** [Household.open] on [io]. */
        suspend fun open(
            path: String,
            keyStore: KeyStore,
            io: CoroutineDispatcher = Dispatchers.IO,
        ): AsyncHousehold = withContext(io) { AsyncHousehold(Household.open(path, keyStore), io) }

        /** [jp.shikaku.core.cardStatus] on [io]: the PIN counters, without spending a try. */
        suspend fun cardStatus(
            transport: CardTransport,
            io: CoroutineDispatcher = Dispatchers.IO,
        ): CardStatusInfo = withContext(io) { readCardStatus(transport) }

        /** [destroyStore] on [io]: the clean reset when the key is lost. */
        suspend fun destroy(path: String, io: CoroutineDispatcher = Dispatchers.IO) {
            withContext(io) { destroyStore(path) }
        }
    }
}
