package jp.shikaku.android

import jp.shikaku.core.BasicInfoOutcome
import jp.shikaku.core.CardCheckResult
import jp.shikaku.core.EligibilityScreenView
import jp.shikaku.core.HouseholdOverviewView
import jp.shikaku.core.SyncOutcome

/** Everything an app screen shows of a [HouseholdSession]; immutable, replaced on every change. */
data class SessionState(
    /** Whether the store is open. */
    val store: StoreState = StoreState.Opening,
    /** The household list (null until the store is open). */
    val overview: HouseholdOverviewView? = null,
    /** The member whose eligibility screen is shown, if any. */
    val member: MemberPage? = null,
    /** The card check or sync in progress. */
    val card: CardFlow = CardFlow.Idle,
    /** True when the session was given a server to sync with. */
    val canSync: Boolean = false,
) {
    /** Which page to show: the card flow over the member's screen over the household list. */
    val page: Page
        get() = when {
            card != CardFlow.Idle -> Page.CARD
            member != null -> Page.MEMBER
            else -> Page.HOUSEHOLD
        }
}

/** The app's pages. */
enum class Page {
    /** The household list. */
    HOUSEHOLD,

    /** One member's eligibility screen. */
    MEMBER,

    /** PIN entry, waiting for the card, the result. */
    CARD,
}

/** The store's state. */
sealed interface StoreState {
    /** Being opened. */
    data object Opening : StoreState

    /** Open. */
    data object Ready : StoreState

    /** This device's key does not open the store (lost or replaced): only the reset helps. */
    data class KeyLost(val message: String) : StoreState

    /** Cannot be opened now (device locked, storage failure): opening again may help. */
    data class Unavailable(val message: String) : StoreState
}

/** One member's page: the core's screen view model once loaded, or why it is not. */
data class MemberPage(
    /** The member's id. */
    val memberId: String,
    /** The eligibility screen (null while loading or after [error]). */
    val screen: EligibilityScreenView? = null,
    /** A data-free message when the screen could not be loaded. */
    val error: String? = null,
)

/** What a card operation is for. */
sealed interface CardTask {
    /**
     * Check a member's My Number Card and store the result for the member.
     *
     * @property spendTextLastTry the user agreed to spend the 券面事項入力補助 PIN's last try (or a
     *   try after it lost some), after a check whose 基本4情報 step sent nothing
     *   ([HouseholdSession.consentToTextLastAttempt]); never set otherwise.
     */
    data class Check(val memberId: String, val spendTextLastTry: Boolean = false) : CardTask

    /** Download the household's signed documents (the card logs in to the issuer). */
    data object Sync : CardTask
}

/** Why the card is wanted. */
enum class CardPurpose {
    /** To run the task with the PIN entered. */
    RUN_TASK,

    /** To read the PIN counter again (no PIN is sent) after a VERIFY whose outcome is unknown. */
    READ_COUNTER,
}

/** Where a card check or sync is. */
sealed interface CardFlow {
    /** Nothing in progress. */
    data object Idle : CardFlow

    /**
     * Waiting for the PIN.
     *
     * @property pin what was typed so far.
     * @property retriesLeft the tries left, when the card told (after a wrong PIN or a counter
     *   read).
     * @property notice why the PIN is asked again, if it is.
     */
    data class EnterPin(
        val task: CardTask,
        val pin: PinInput = PinInput.EMPTY,
        val retriesLeft: Int? = null,
        val notice: String? = null,
    ) : CardFlow

    /**
     * Reader mode is wanted: the user holds the card to the phone.
     *
     * @property lastAttempt the user agreed to spend the last PIN try.
     * @property notice why the card is asked for again, if it is.
     */
    data class WaitingForCard(
        val task: CardTask,
        val purpose: CardPurpose,
        val lastAttempt: Boolean = false,
        val notice: String? = null,
    ) : CardFlow

    /** The card is being read: it must stay where it is. */
    data class Reading(val task: CardTask, val purpose: CardPurpose) : CardFlow

    /**
     * The core sent nothing because one try is left: ask before spending it.
     *
     * @property message what a wrong last try costs, in the core's words for the card holder
     *   (show it with the question; the app words no PIN rule itself).
     */
    data class NeedsConsent(val task: CardTask, val message: String) : CardFlow

    /** The card check succeeded and was stored for the member. */
    data class Checked(val memberId: String, val result: CardCheckResult) : CardFlow

    /** The sync succeeded. */
    data class Synced(val outcome: SyncOutcome) : CardFlow

    /** The operation ended without success; [canRetry] offers to start it again. */
    data class Failed(val task: CardTask, val message: String, val canRetry: Boolean) : CardFlow
}

/**
 * The 基本4情報 step sent nothing because the 券面事項入力補助 PIN has one try left
 * (`NeedsConsent`) or has lost tries since it was last entered right (`TriesLost`): the core
 * asks the app to ask the user ([CardCheckResult.basicInfoMessageJa] says why) before a check
 * with `allowLastTextAttempt` ([HouseholdSession.consentToTextLastAttempt]).
 */
val CardCheckResult.basicInfoNeedsConsent: Boolean
    get() = basicInfo is BasicInfoOutcome.NeedsConsent || basicInfo is BasicInfoOutcome.TriesLost

/** True while reader mode must be on: waiting for the card, and while it is read. */
val CardFlow.wantsCard: Boolean
    get() = this is CardFlow.WaitingForCard || this is CardFlow.Reading

/**
 * The PIN as typed: ASCII digits only, at most [LENGTH]. [toString] never shows it, so a
 * logged state carries no PIN. Whether a PIN is acceptable is the core's decision; this only
 * shapes the input.
 */
class PinInput private constructor(
    /** The digits typed. */
    val digits: String,
) {
    /** True when [LENGTH] digits were typed. */
    val isComplete: Boolean get() = digits.length == LENGTH

    override fun equals(other: Any?): Boolean = other is PinInput && other.digits == digits

    override fun hashCode(): Int = digits.hashCode()

    override fun toString(): String = "PinInput(${digits.length} of $LENGTH digits)"

    /**
     * The digits as ASCII bytes in a new array, as the core takes a PIN; the caller wipes it.
     * No other text is made of them on the way.
     */
    internal fun asciiBytes(): ByteArray = ByteArray(digits.length) { digits[it].code.toByte() }

    companion object {
        /** The 利用者証明用暗証番号 has 4 digits. */
        const val LENGTH = 4

        /** Nothing typed. */
        val EMPTY = PinInput("")

        /** Keeps the ASCII digits of [text], at most [LENGTH]. */
        fun of(text: String): PinInput = PinInput(text.filter { it in '0'..'9' }.take(LENGTH))
    }
}
