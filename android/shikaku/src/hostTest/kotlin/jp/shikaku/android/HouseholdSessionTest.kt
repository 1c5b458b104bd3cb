// The app logic of HouseholdSession on the host JVM, against the real core (the generated
// bindings and libshikaku_ffi) and the virtual My Number Card.

package jp.shikaku.android

import java.net.ServerSocket
import java.security.KeyStore as JavaKeyStore
import java.security.cert.CertificateFactory
import javax.net.ssl.SSLContext
import javax.net.ssl.TrustManagerFactory
import javax.net.ssl.X509TrustManager
import jp.shikaku.core.BasicInfoOutcome
import jp.shikaku.core.CardState
import jp.shikaku.core.ShikakuException
import jp.shikaku.core.VirtualCardHandle
import jp.shikaku.core.referenceIssuer
import jp.shikaku.core.testIssuer
import jp.shikaku.core.virtualCard
import jp.shikaku.core.virtualCardTestCa
import kotlin.test.assertContentEquals
import kotlin.test.assertEquals
import kotlin.test.assertFalse
import kotlin.test.assertIs
import kotlin.test.assertNotNull
import kotlin.test.assertNotSame
import kotlin.test.assertNull
import kotlin.test.assertSame
import kotlin.test.assertTrue
import okhttp3.OkHttpClient
import org.junit.jupiter.api.AfterEach
import org.junit.jupiter.api.Test

class HouseholdSessionTest {
    private val fx = Fixture()

    @AfterEach
    fun tearDown() = fx.close()

    private fun session(sync: SyncSetup? = null, keys: SoftwareKeys = fx.keys) = HouseholdSession(
        storePath = fx.path,
        keyStore = AndroidKeystoreKeyStore(keys),
        scope = fx.scope,
        forgetKey = { keys.delete() },
        sync = sync,
        extraAnchors = listOf(virtualCardTestCa()),
    )

    private fun HouseholdSession.card() = state.value.card

    /** The PIN array the session holds after submit: the digits as ASCII, nothing else. */
    private fun HouseholdSession.heldPinOf(digits: String): ByteArray {
        val held = assertNotNull(heldPin, "a PIN is held after submit")
        assertContentEquals(digits.toByteArray(Charsets.US_ASCII), held)
        return held
    }

    /** [held] was wiped (every byte 0) and the session holds no PIN any more. */
    private fun HouseholdSession.assertLetGo(held: ByteArray) {
        assertTrue(held.all { it == 0.toByte() }, "the held PIN is wiped")
        assertNull(heldPin)
    }

    /** Opens the session, types and submits [pin] for a check of [memberId]. */
    private fun HouseholdSession.readyToCheck(memberId: String, pin: String = "1234") {
        await(open())
        startCardCheck(memberId)
        onPinInput(pin)
        submitPin()
    }

    @Test
    fun opensTheStoreThenShowsTheListAMembersScreenAndTheCardFlowWithBackInReverse() {
        val id = fx.addTaro()
        val s = session()
        assertEquals(StoreState.Opening, s.state.value.store)
        await(s.open())
        assertEquals(StoreState.Ready, s.state.value.store)
        assertEquals(listOf(id), s.state.value.overview?.members?.map { it.memberId })
        assertEquals(Page.HOUSEHOLD, s.state.value.page)

        await(s.showMember(id))
        val screen = assertNotNull(s.state.value.member?.screen)
        assertEquals(CardState.NOT_CHECKED, screen.card.state)
        assertEquals(Page.MEMBER, s.state.value.page)

        s.startCardCheck(id)
        assertEquals(CardFlow.EnterPin(CardTask.Check(id)), s.card())
        assertEquals(Page.CARD, s.state.value.page)

        assertTrue(s.back())
        assertEquals(Page.MEMBER, s.state.value.page)
        assertTrue(s.back())
        assertEquals(Page.HOUSEHOLD, s.state.value.page)
        assertFalse(s.back())
    }

    @Test
    fun anUnknownMemberShowsAMessageInsteadOfAScreen() {
        fx.addTaro()
        val s = session()
        await(s.open())
        await(s.showMember("not-a-member-id"))
        val page = assertNotNull(s.state.value.member)
        assertNull(page.screen)
        assertEquals("この人のデータが見つかりません。", page.error)
    }

    @Test
    fun aCheckedCardIsStoredAndTheScreenShowsIt() {
        val id = fx.addTaro()
        val card = virtualCard(TARO)
        val s = session()
        s.readyToCheck(id)
        val held = s.heldPinOf("1234")
        await(s.showMember(id))
        assertTrue(s.state.value.card.wantsCard)
        val link = VirtualCardLink(card)
        isoDepOn(link).use { await(s.onCard(it)) }

        val checked = assertIs<CardFlow.Checked>(s.card())
        // The check is done: the array the core was handed is wiped, not just dropped.
        s.assertLetGo(held)
        assertEquals(card.keyFingerprint(), checked.result.keyFingerprint)
        // The 基本4情報 were read and compared: the core's default for a member's check.
        assertEquals(BasicInfoOutcome.Read, checked.result.basicInfo)
        assertNotNull(checked.result.matched)
        assertNull(checked.result.basicInfoMessageJa)
        assertFalse(s.card().wantsCard)
        // The virtual card chains to a TEST anchor: the core never shows it as a real check.
        assertEquals(CardState.TEST_ANCHOR, s.state.value.member?.screen?.card?.state)
        assertEquals(s.state.value.member?.screen?.card?.label, s.state.value.overview?.members?.single()?.card)
        assertFalse(card.myNumberSelected())
        s.cancelCard()
        assertEquals(Page.MEMBER, s.state.value.page)
    }

    @Test
    fun aWrongPinAsksForThePinAgainWithTheTriesLeft() {
        val id = fx.addTaro()
        val card = virtualCard(TARO)
        val s = session()
        s.readyToCheck(id, pin = "9999")
        val held = s.heldPinOf("9999")
        isoDepOn(VirtualCardLink(card)).use { await(s.onCard(it)) }

        val again = assertIs<CardFlow.EnterPin>(s.card())
        s.assertLetGo(held)
        assertEquals(2, again.retriesLeft)
        // The core's words for the card holder (CardError::message_ja), through the FFI.
        assertEquals("暗証番号が違います（残り2回）。", again.notice)
        assertEquals(PinInput.EMPTY, again.pin)
        assertEquals(2u.toUByte(), card.authRetriesLeft())
    }

    @Test
    fun theLastTryIsSentOnlyAfterConsentAndWithTheSamePin() {
        val id = fx.addTaro()
        val card = virtualCard(TARO)
        card.setAuthRetriesLeft(1u)
        val s = session()
        s.readyToCheck(id)
        val held = s.heldPinOf("1234")
        val first = VirtualCardLink(card)
        isoDepOn(first).use { await(s.onCard(it)) }

        // The core refused to send the PIN: nothing was spent, the user is asked, and the same
        // array is kept, intact, for the consented try.
        // With the core's words for the holder (CardError::message_ja), not the app's.
        assertEquals(
            CardFlow.NeedsConsent(
                CardTask.Check(id),
                "暗証番号の残り回数が1回です。間違えるとロックされ、市区町村の窓口での初期化が必要になります（暗証番号は送っていません）。",
            ),
            s.card(),
        )
        assertSame(held, s.heldPinOf("1234"))
        assertEquals(0, first.sent.count(::isPinVerify))
        assertEquals(1u.toUByte(), card.authRetriesLeft())

        s.consentToLastAttempt()
        assertEquals(
            CardFlow.WaitingForCard(CardTask.Check(id), CardPurpose.RUN_TASK, lastAttempt = true),
            s.card(),
        )
        val second = VirtualCardLink(card)
        isoDepOn(second).use { await(s.onCard(it)) }
        assertIs<CardFlow.Checked>(s.card())
        s.assertLetGo(held)
        val verifies = pinVerifiesByApplication(second.sent)
        assertTrue(verifies.isNotEmpty() && verifies.values.all { it == 1 }, "each PIN sent once: $verifies")
        assertEquals(3u.toUByte(), card.authRetriesLeft())
    }

    @Test
    fun theTextPinsLastTryIsSpentOnlyAfterConsentWithThePinTypedAgain() {
        val id = fx.addTaro()
        val card = virtualCard(TARO)
        card.setTextRetriesLeft(1u)
        val s = session()
        s.readyToCheck(id)
        val held = s.heldPinOf("1234")
        val first = VirtualCardLink(card)
        isoDepOn(first).use { await(s.onCard(it)) }

        // The check itself succeeded; the 基本4情報 step sent nothing to the 券面事項入力補助AP and
        // says why in the core's words. The PIN is not kept for a later try.
        val checked = assertIs<CardFlow.Checked>(s.card())
        s.assertLetGo(held)
        assertEquals(BasicInfoOutcome.NeedsConsent, checked.result.basicInfo)
        assertTrue(checked.result.basicInfoNeedsConsent)
        assertNotNull(checked.result.basicInfoMessageJa)
        assertEquals(1, pinVerifiesByApplication(first.sent).size, "only the 利用者証明用 PIN was sent")
        assertEquals(1u.toUByte(), card.textRetriesLeft())

        // Consent: the PIN is typed again, and the next check may spend the last try.
        s.consentToTextLastAttempt()
        assertEquals(CardFlow.EnterPin(CardTask.Check(id, spendTextLastTry = true)), s.card())
        s.onPinInput("1234")
        s.submitPin()
        val again = s.heldPinOf("1234")
        val second = VirtualCardLink(card)
        isoDepOn(second).use { await(s.onCard(it)) }
        val read = assertIs<CardFlow.Checked>(s.card())
        s.assertLetGo(again)
        assertEquals(BasicInfoOutcome.Read, read.result.basicInfo)
        assertFalse(read.result.basicInfoNeedsConsent)
        assertNotNull(read.result.matched)
        val verifies = pinVerifiesByApplication(second.sent)
        assertTrue(verifies.size == 2 && verifies.values.all { it == 1 }, "each PIN sent once: $verifies")
        assertEquals(3u.toUByte(), card.textRetriesLeft())

        // Nothing to consent to after a check that read them: ignored.
        s.consentToTextLastAttempt()
        assertSame(read, s.card())
    }

    @Test
    fun decliningTheLastTrySendsNothingAndForgetsThePin() {
        val id = fx.addTaro()
        val card = virtualCard(TARO)
        card.setAuthRetriesLeft(1u)
        val s = session()
        s.readyToCheck(id)
        isoDepOn(VirtualCardLink(card)).use { await(s.onCard(it)) }
        assertIs<CardFlow.NeedsConsent>(s.card())
        val held = s.heldPinOf("1234")

        s.cancelCard()
        assertEquals(CardFlow.Idle, s.card())
        s.assertLetGo(held)
        s.startCardCheck(id)
        assertEquals(PinInput.EMPTY, assertIs<CardFlow.EnterPin>(s.card()).pin)
        assertEquals(1u.toUByte(), card.authRetriesLeft())
    }

    @Test
    fun aTagLostDuringVerifyReadsTheCounterAgainBeforeAskingForThePin() {
        val id = fx.addTaro()
        val card = virtualCard(TARO)
        val s = session()
        s.readyToCheck(id)
        val held = s.heldPinOf("1234")
        val lost = VirtualCardLink(card, loseWhen = ::isPinVerify)
        isoDepOn(lost).use { await(s.onCard(it)) }

        val reread = assertIs<CardFlow.WaitingForCard>(s.card())
        assertEquals(CardPurpose.READ_COUNTER, reread.purpose)
        // The PIN is asked again after the counter: this one is let go.
        s.assertLetGo(held)
        assertTrue(reread.notice.orEmpty().contains("もう一度かざして"))
        // The VERIFY was sent once and never again.
        assertEquals(1, lost.sent.count(::isPinVerify))

        val counter = VirtualCardLink(card)
        isoDepOn(counter).use { await(s.onCard(it)) }
        val entry = assertIs<CardFlow.EnterPin>(s.card())
        assertEquals(card.authRetriesLeft().toInt(), entry.retriesLeft)
        // The core's words for the counter read again (PinCounter::reread_message_ja).
        assertEquals(
            "暗証番号の残り回数を読み直しました（残り${card.authRetriesLeft()}回、暗証番号は再送していません）。" +
                "暗証番号をもう一度入力してください。",
            entry.notice,
        )
        assertEquals(0, counter.sent.count(::isPinVerify))
    }

    /** A check whose VERIFY lost its answer, then the card (which counted that try, at [left]) presented again. */
    private fun lostThenReread(left: UByte): Triple<HouseholdSession, String, VirtualCardHandle> {
        val id = fx.addTaro()
        val card = virtualCard(TARO)
        val s = session()
        s.readyToCheck(id)
        isoDepOn(VirtualCardLink(card, loseWhen = ::isPinVerify)).use { await(s.onCard(it)) }
        assertEquals(CardPurpose.READ_COUNTER, assertIs<CardFlow.WaitingForCard>(s.card()).purpose)
        card.setAuthRetriesLeft(left)
        val counter = VirtualCardLink(card)
        isoDepOn(counter).use { await(s.onCard(it)) }
        assertEquals(0, counter.sent.count(::isPinVerify))
        return Triple(s, id, card)
    }

    @Test
    fun aCounterReadAgainAtItsLastTrySaysSoAndStillAsksForConsent() {
        val (s, id, card) = lostThenReread(1u)
        val entry = assertIs<CardFlow.EnterPin>(s.card())
        assertEquals(1, entry.retriesLeft)
        // The core's words: read again, nothing resent, a wrong PIN blocks, consent first.
        val notice = assertNotNull(entry.notice)
        for (part in listOf("読み直しました", "残り1回", "再送していません", "ロック", "了承")) {
            assertTrue(notice.contains(part), "$part: $notice")
        }
        s.onPinInput("1234")
        s.submitPin()
        isoDepOn(VirtualCardLink(card)).use { await(s.onCard(it)) }
        assertEquals(CardTask.Check(id), assertIs<CardFlow.NeedsConsent>(s.card()).task)
        assertEquals(1u.toUByte(), card.authRetriesLeft())
    }

    @Test
    fun aCounterReadAgainThatIsBlockedEndsTheFlowWithTheCoresWords() {
        val (s, id, _) = lostThenReread(0u)
        assertEquals(
            CardFlow.Failed(
                CardTask.Check(id),
                "暗証番号の残り回数を読み直しました。暗証番号がロックされています。お住まいの市区町村の窓口で初期化してください。",
                canRetry = false,
            ),
            s.card(),
        )
        s.retry()
        assertIs<CardFlow.Failed>(s.card())
    }

    @Test
    fun aTagLostBeforeVerifyKeepsThePinForTheNextTap() {
        val id = fx.addTaro()
        val card = virtualCard(TARO)
        val s = session()
        s.readyToCheck(id)
        val held = s.heldPinOf("1234")
        val lost = VirtualCardLink(card, loseWhen = { true })
        isoDepOn(lost).use { await(s.onCard(it)) }

        val waiting = assertIs<CardFlow.WaitingForCard>(s.card())
        assertEquals(CardPurpose.RUN_TASK, waiting.purpose)
        assertEquals("カードが離れました。動かさずにもう一度かざしてください。", waiting.notice)
        assertEquals(0, lost.sent.count(::isPinVerify))
        assertSame(held, s.heldPinOf("1234"))

        isoDepOn(VirtualCardLink(card)).use { await(s.onCard(it)) }
        assertIs<CardFlow.Checked>(s.card())
        s.assertLetGo(held)
    }

    @Test
    fun aBlockedPinEndsTheFlowWithoutARetry() {
        val id = fx.addTaro()
        val card = virtualCard(TARO)
        card.setAuthRetriesLeft(0u)
        val s = session()
        s.readyToCheck(id)
        val held = s.heldPinOf("1234")
        isoDepOn(VirtualCardLink(card)).use { await(s.onCard(it)) }

        assertEquals(
            CardFlow.Failed(
                CardTask.Check(id),
                "暗証番号がロックされています。お住まいの市区町村の窓口で初期化してください。",
                canRetry = false,
            ),
            s.card(),
        )
        s.assertLetGo(held)
        s.retry()
        assertIs<CardFlow.Failed>(s.card())
    }

    @Test
    fun cardsAndIncompletePinsAreIgnoredUnlessTheSessionWaits() {
        val id = fx.addTaro()
        val card = virtualCard(TARO)
        val s = session()
        await(s.open())
        assertNull(s.onCard(CountingTransport(card)))
        s.startCardCheck(id)
        s.onPinInput("12")
        s.submitPin()
        assertIs<CardFlow.EnterPin>(s.card())
        assertNull(s.heldPin)
        val transport = CountingTransport(card)
        assertNull(s.onCard(transport))
        assertTrue(transport.sent.isEmpty())
        s.onTagUnreadable()
        assertNull(assertIs<CardFlow.EnterPin>(s.card()).notice)
    }

    @Test
    fun anUnreadableTagIsExplainedWhileWaiting() {
        val id = fx.addTaro()
        val s = session()
        s.readyToCheck(id)
        s.onTagUnreadable()
        assertEquals(SessionMessages.TAG_UNREADABLE, assertIs<CardFlow.WaitingForCard>(s.card()).notice)
    }

    @Test
    fun thePinKeepsAsciiDigitsOnlyAndIsNeverPrinted() {
        val id = fx.addTaro()
        val s = session()
        await(s.open())
        s.startCardCheck(id)
        s.onPinInput("1a2３3 45")
        val entry = assertIs<CardFlow.EnterPin>(s.card())
        assertEquals("1234", entry.pin.digits)
        assertTrue(entry.pin.isComplete)
        // The member's random id is left out: it could hold those digits by chance.
        assertFalse(s.state.value.toString().replace(id, "").contains("1234"))
        s.submitPin()
        assertFalse(s.state.value.toString().replace(id, "").contains("1234"))
        // What was typed does not outlive the submit in the state: only the session holds it.
        assertIs<CardFlow.WaitingForCard>(s.card())
        s.heldPinOf("1234")
    }

    @Test
    fun cancellingOrClosingWipesTheHeldPinAndANewSubmitHoldsAFreshArray() {
        val id = fx.addTaro()
        val card = virtualCard(TARO)
        val s = session()
        s.readyToCheck(id)
        val first = s.heldPinOf("1234")
        s.cancelCard()
        s.assertLetGo(first)

        s.startCardCheck(id)
        s.onPinInput("5678")
        s.submitPin()
        val second = s.heldPinOf("5678")
        assertNotSame(first, second)
        s.close()
        s.assertLetGo(second)
        // A card after close: the store is gone, nothing is sent.
        val transport = CountingTransport(card)
        s.onCard(transport)?.let(::await)
        assertIs<CardFlow.Failed>(s.card())
        assertEquals(0, transport.sent.count(::isPinVerify))
        assertEquals(3u.toUByte(), card.authRetriesLeft())
    }

    @Test
    fun syncWhileOfflineFailsWithARetryAndChangesNothing() {
        val fixture = testIssuer(listOf(TARO))
        val closedPort = ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress()).use { it.localPort }
        val s = session(SyncSetup("https://127.0.0.1:$closedPort", fixture.rootKey, OkHttpTransport(), timeoutMs = 5_000u))
        await(s.open())
        assertTrue(s.state.value.canSync)
        s.startSync()
        s.onPinInput("1234")
        s.submitPin()
        val held = s.heldPinOf("1234")
        val card = virtualCard(TARO)
        isoDepOn(VirtualCardLink(card)).use { await(s.onCard(it)) }

        val failed = assertIs<CardFlow.Failed>(s.card())
        s.assertLetGo(held)
        assertEquals(CardTask.Sync, failed.task)
        assertTrue(failed.canRetry)
        assertTrue(failed.message.startsWith("サーバーに接続できませんでした。"), failed.message)
        assertEquals(0, s.state.value.overview?.members?.size)
        assertEquals(3u.toUByte(), card.authRetriesLeft())
        s.retry()
        assertEquals(CardFlow.EnterPin(CardTask.Sync), s.card())
    }

    @Test
    fun syncWithTheReferenceIssuerOverOkHttpFillsTheHousehold() {
        val issuer = referenceIssuer(fx.dir.resolve("issuer").toString(), ROOT.resolve("examples/households.toml").toString())
        try {
            val http = OkHttpTransport(clientTrusting(issuer.tlsCaPem()))
            val s = session(SyncSetup(issuer.url(), issuer.rootKey(), http, timeoutMs = 10_000u))
            await(s.open())
            s.startSync()
            s.onPinInput("1234")
            s.submitPin()
            isoDepOn(VirtualCardLink(virtualCard(TARO))).use { await(s.onCard(it)) }

            val synced = assertIs<CardFlow.Synced>(s.card())
            val members = assertNotNull(s.state.value.overview).members
            assertTrue(members.size >= 2)
            assertEquals(members.size.toUInt(), synced.outcome.written)
        } finally {
            issuer.stop()
        }
    }

    @Test
    fun withoutAServerThereIsNoSync() {
        val s = session()
        await(s.open())
        assertFalse(s.state.value.canSync)
        s.startSync()
        assertEquals(CardFlow.Idle, s.card())
    }

    @Test
    fun aLostKeyOffersTheResetWhichStartsAnEmptyStore() {
        fx.addTaro()
        val otherDevice = SoftwareKeys()
        val s = session(keys = otherDevice)
        await(s.open())
        val lost = assertIs<StoreState.KeyLost>(s.state.value.store)
        assertTrue(lost.message.contains("データを消去"))
        assertNull(s.state.value.overview)

        await(s.resetStore())
        assertEquals(StoreState.Ready, s.state.value.store)
        assertEquals(0, s.state.value.overview?.members?.size)
        assertEquals(1, otherDevice.deleted)
    }

    @Test
    fun theResetDestroysNothingUnlessTheKeyIsLost() {
        val id = fx.addTaro()
        val s = session()
        await(s.open())
        await(s.resetStore())
        assertEquals(StoreState.Ready, s.state.value.store)
        assertEquals(listOf(id), s.state.value.overview?.members?.map { it.memberId })
        assertEquals(0, fx.keys.deleted)
    }

    @Test
    fun aLockedDeviceIsUnavailableNotLostAndOpeningAgainWorks() {
        fx.addTaro()
        fx.keys.failure = android.security.keystore.UserNotAuthenticatedException()
        val s = session()
        await(s.open())
        val unavailable = assertIs<StoreState.Unavailable>(s.state.value.store)
        assertTrue(unavailable.message.contains("ロックを解除"))
        fx.keys.failure = null
        await(s.open())
        assertEquals(StoreState.Ready, s.state.value.store)
    }

    @Test
    fun everyErrorHasAMessageWithTheWayOut() {
        // The PIN and card errors show the core's words as they come (CardError::message_ja).
        assertEquals("core words", SessionMessages.of(ShikakuException.WrongPin(2u, "core words")))
        assertEquals("blocked words", SessionMessages.of(ShikakuException.PinUnusable(true, "blocked", "blocked words")))
        assertEquals("format words", SessionMessages.of(ShikakuException.PinUnusable(false, "format", "format words")))
        assertEquals("lost words", SessionMessages.of(ShikakuException.Card(true, true, "lost", "lost words")))
        assertEquals("last words", SessionMessages.of(ShikakuException.LastAttemptNeedsConsent("last words")))
        assertTrue(SessionMessages.of(ShikakuException.Network("offline")).contains("通信できる場所"))
        assertTrue(SessionMessages.of(ShikakuException.Key(true, "wrong key")).contains("データを消去"))
        assertTrue(SessionMessages.of(ShikakuException.Store(true, "no such member")).contains("見つかりません"))
    }

    private fun clientTrusting(pem: String): OkHttpClient {
        val certificates = CertificateFactory.getInstance("X.509").generateCertificates(pem.byteInputStream())
        val store = JavaKeyStore.getInstance(JavaKeyStore.getDefaultType()).apply { load(null, null) }
        certificates.forEachIndexed { i, c -> store.setCertificateEntry("ca$i", c) }
        val factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm()).apply { init(store) }
        val trust = factory.trustManagers.filterIsInstance<X509TrustManager>().single()
        val tls = SSLContext.getInstance("TLS").apply { init(null, arrayOf(trust), null) }
        return OkHttpClient.Builder().sslSocketFactory(tls.socketFactory, trust).build()
    }
}
