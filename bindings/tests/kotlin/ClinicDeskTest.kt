// Host tests of the clinic desk (`ClinicDesk`) through the generated Kotlin bindings: a trust
// list and a genuine presentation signed by the FFI crate's `testing` feature, the patient's
// virtual card behind a CardTransport written here, the PIN as a ByteArray.

package jp.shikaku.core.test

import java.nio.file.Files
import java.nio.file.Path
import java.nio.file.Paths
import jp.shikaku.core.*
import kotlin.test.assertEquals
import kotlin.test.assertFailsWith
import kotlin.test.assertFalse
import kotlin.test.assertIs
import kotlin.test.assertNotNull
import kotlin.test.assertNull
import kotlin.test.assertTrue
import org.junit.jupiter.api.AfterEach
import org.junit.jupiter.api.BeforeEach
import org.junit.jupiter.api.Test

private val DESK_ROOT: Path =
    Paths.get(System.getProperty("shikaku.root") ?: System.getenv("SHIKAKU_ROOT") ?: ".")
private val DESK_TARO = DESK_ROOT.resolve("examples/vcard-yamada-taro.toml").toString()
private val DESK_HANAKO = DESK_ROOT.resolve("examples/vcard-yamada-hanako.toml").toString()
private const val DESK_PIN = "1234"

/** The desk tablet's key store stand-in: the data key XORed with a byte (the wrap is not what
 *  these tests are about; a different byte is a different key). */
class DeskXorKeyStore(private val k: Byte) : KeyStore {
    override fun wrap(key: ByteArray): ByteArray = ByteArray(key.size) { (key[it].toInt() xor k.toInt()).toByte() }
    override fun unwrap(blob: ByteArray): ByteArray = ByteArray(blob.size) { (blob[it].toInt() xor k.toInt()).toByte() }
}

/** The desk's reader: forwards every APDU to the virtual card. */
class DeskReader(private val card: VirtualCardHandle) : CardTransport {
    override fun transceive(apdu: ByteArray): ByteArray = card.transceive(apdu)
    override fun extendedLength(): Boolean = false
}

class ClinicDeskTest {
    private lateinit var dir: Path
    private lateinit var desk: ClinicDesk
    private lateinit var issuer: TestIssuer

    @BeforeEach
    fun setUp() {
        dir = Files.createTempDirectory("shikaku-desk-kt")
        issuer = testIssuer(listOf(DESK_TARO, DESK_HANAKO))
        desk = ClinicDesk.open(dir.resolve("desk").toString(), DeskXorKeyStore(0x5a))
        assertEquals(1uL, desk.importTrustList(issuer.trustList, issuer.rootKey))
    }

    @AfterEach
    fun tearDown() {
        desk.close()
        dir.toFile().deleteRecursively()
    }

    private fun genuine(): String = testQrPayload(issuer.presentations[0])

    private fun anchors() = DeskCardOptions(allowLastAttempt = false, extraAnchors = listOf(virtualCardTestCa()))

    private fun today(): String = desk.verify(genuine(), null).checkedOn

    @Test
    fun trustListIsPinnedAndShownWithItsAge() {
        val status = assertNotNull(desk.trustStatus(null))
        assertEquals(1uL, status.version)
        assertFalse(status.stale)
        // The list in the core's words, as the desk page shows it.
        assertTrue(status.summary.startsWith("第1版・発行 "), status.summary)
        assertNull(status.staleNotice)
        val stale = assertNotNull(desk.trustStatus(0u))
        assertTrue(stale.stale)
        assertEquals(status.summary, stale.summary)
        assertTrue(assertNotNull(stale.staleNotice).startsWith("信頼リストが古くなっています。"), stale.staleNotice)
        // Without a root, a fresh desk refuses its first list.
        ClinicDesk.open(dir.resolve("fresh").toString(), DeskXorKeyStore(0x11)).use { fresh ->
            assertNull(fresh.trustStatus(null))
            assertFailsWith<ShikakuException.TrustList> { fresh.importTrustList(issuer.trustList, null) }
            val r = fresh.verify(genuine(), null)
            assertEquals(DeskVerdict.UNKNOWN_ISSUER, r.verdict)
            assertNull(r.claim)
            // No list: the core's words to show (the verdict's reason says the same).
            val missing = clinicTrustMissingNotice()
            // The tablet app updates its list from its own screen: no CLI command is named.
            assertTrue(missing.startsWith("信頼リストがありません。") && missing.endsWith("信頼リストを更新してください。"), missing)
            assertFalse(missing.contains("shikaku"), missing)
            assertNull(r.trust)
            assertEquals(missing, r.reason)
        }
    }

    @Test
    fun genuinePayloadIsConfirmedWithItsFields() {
        val r = desk.verify(genuine(), 30u)
        assertEquals(DeskVerdict.CONFIRMED, r.verdict)
        assertEquals("確認済み", r.verdictLabel)
        assertNull(r.reason)
        assertEquals(2u, r.format)
        assertEquals("ffi-test-issuer", r.keyId)
        assertNotNull(r.issuedOn)
        assertEquals(1uL, assertNotNull(r.trust).version)
        val claim = assertNotNull(r.claim)
        assertEquals("01130012", claim.insurerNumber)
        assertEquals("42", claim.number)
        assertEquals("00", claim.branch)
        assertEquals("山田 太郎", claim.name)
        assertEquals(Relationship.INSURED, claim.relationship)
        assertEquals(30.toUByte(), claim.copayPercent)
        // The 有効期間 and 高齢受給者 lines in the core's words (neither printed; no block).
        assertEquals("記載なし", claim.validityLabel)
        assertEquals("なし", claim.elderlyLabel)
        // The document is fine, but a マイナポータル screen alone is not 確認済み.
        val o = r.outcome
        assertEquals(DeskAcceptance.CARD_REQUIRED, o.acceptance)
        assertEquals("カード確認が必要", o.label)
        assertEquals(DeskTone.AMBER, o.tone)
        assertEquals(DocumentKind.PORTAL, o.documentKind)
        assertEquals(DeskCardState.NOT_CHECKED, o.card)
        assertTrue(o.holderBound)
        // Recordable only with the card checked, or its 券面 compared by eye (no reader).
        assertTrue(o.canRecord && o.needsFaceStatement)
        assertTrue(o.basis.contains("写し"), o.basis)
        assertNotNull(o.action)
    }

    @Test
    fun portalScreenIsRecordedOnlyWithItsCardSeen() {
        val r = desk.verify(genuine(), null)
        // No card checked and nobody compared its 券面: not recorded.
        assertFailsWith<ShikakuException.InvalidInput> { desk.record(r.verificationId, false, "受付 佐藤") }
        assertTrue(desk.visits(r.checkedOn, r.checkedOn).visits.isEmpty())
        // No reader, the card's 券面 compared by eye (spec clinic.md §1 (2)): recorded as 券面目視.
        desk.record(r.verificationId, true, "受付 佐藤")
        assertEquals(1, desk.visits(r.checkedOn, r.checkedOn).visits.size)
    }

    @Test
    fun tamperedPayloadShowsNoFieldsAndIsNotRecorded() {
        val p = genuine()
        val at = p.length / 2
        val altered = p.substring(0, at) + (if (p[at] == 'A') 'B' else 'A') + p.substring(at + 1)
        val r = desk.verify(altered, null)
        assertTrue(r.verdict == DeskVerdict.BAD_SIGNATURE || r.verdict == DeskVerdict.MALFORMED, r.verdictLabel)
        assertNotNull(r.reason)
        assertNull(r.claim)
        assertNull(r.issuedOn)
        assertNull(r.keyId)
        assertFailsWith<ShikakuException.NotRecordable> { desk.record(r.verificationId, true, "受付 佐藤") }
        val card = virtualCard(DESK_TARO)
        assertFailsWith<ShikakuException.NotRecordable> {
            desk.checkCard(r.verificationId, DeskReader(card), null, anchors())
        }
        val list = desk.visits(r.checkedOn, r.checkedOn)
        assertTrue(list.visits.isEmpty())
    }

    @Test
    fun cardWithPinThenRecordExportAndLog() {
        val r = desk.verify(genuine(), null)
        val taro = virtualCard(DESK_TARO)
        // Another person's card: refused, no PIN try spent.
        val hanako = virtualCard(DESK_HANAKO)
        val tries = hanako.authRetriesLeft()
        assertFailsWith<ShikakuException.CardMismatch> {
            desk.checkCard(r.verificationId, DeskReader(hanako), DESK_PIN.toByteArray(), anchors())
        }
        assertEquals(tries, hanako.authRetriesLeft())
        // The outcome is a red refusal, and the visit is not recorded.
        val refused = desk.outcome(r.verificationId, true)
        assertEquals(DeskAcceptance.CARD_MISMATCH, refused.acceptance)
        assertEquals("別人のカード（受付不可）", refused.label)
        assertEquals(DeskTone.RED, refused.tone)
        assertFalse(refused.canRecord)
        assertFailsWith<ShikakuException.CardMismatch> { desk.record(r.verificationId, true, "受付 佐藤") }
        // A wrong PIN, then the right one, as bytes.
        val wrong = assertFailsWith<ShikakuException.WrongPin> {
            desk.checkCard(r.verificationId, DeskReader(taro), "9999".toByteArray(), anchors())
        }
        val pin = DESK_PIN.toByteArray()
        val card = desk.checkCard(r.verificationId, DeskReader(taro), pin, anchors())
        pin.fill(0)
        assertTrue(card.pinVerified)
        assertEquals("本人確認済み（PIN）", card.label)
        assertEquals(taro.keyFingerprint(), card.keyFingerprint)
        assertEquals(DeskAcceptance.ACCEPTED, card.outcome.acceptance)
        assertEquals("確認済み", card.outcome.label)
        assertEquals(DeskTone.GREEN, card.outcome.tone)

        assertNull(desk.sameDayVisit(r.verificationId))
        assertEquals(1uL, desk.record(r.verificationId, false, "受付 佐藤"))
        // The verification is spent.
        val spent = assertFailsWith<ShikakuException.Store> { desk.record(r.verificationId, false, "受付 佐藤") }
        assertTrue(spent.notFound)
        // The same patient scanned again today: a notice naming the entry, not a refusal.
        val same = assertNotNull(desk.sameDayVisit(desk.verify(genuine(), null).verificationId))
        assertEquals(1uL, same.position)
        assertTrue(same.verified)
        assertFalse(same.confirmSamePerson)
        assertTrue(same.notice.contains("記録番号 1"), same.notice)

        val day = r.checkedOn
        val visits = desk.visits(day, day)
        assertTrue(visits.corruptPositions.isEmpty())
        // The checked listing: complete, so no notice.
        assertTrue(visits.complete)
        assertNull(visits.notice)
        assertEquals(1, visits.visits.size)
        val v = visits.visits[0]
        assertTrue(v.verified)
        assertEquals("確認済み", v.statusLabel)
        assertEquals("署名付き資格情報＋カード（PIN）", v.confirmationLabel)
        assertEquals(clinicCsvColumns().size, v.cells.size)

        val csv = desk.exportCsv(day, day)
        assertTrue(csv.startsWith("\uFEFF受診日,"), "the CSV starts with the BOM and the header")
        val lines = csv.split("\r\n")
        assertEquals(3, lines.size)
        assertTrue(lines[1].contains("山田 太郎"))
        assertTrue(lines[1].contains("署名付き資格情報＋カード（PIN）"))
        assertTrue(lines[1].contains(",01130012,"), "as printed for an import")
        val sheet = desk.exportSpreadsheetCsv(day, day)
        assertTrue(sheet.contains(",\"=\"\"01130012\"\"\","), sheet)
        assertTrue(sheet.contains(",\"=\"\"00\"\"\","), sheet)
        assertTrue(desk.exportJson(day, day).contains("\"entries\""))
        val fhir = desk.exportFhir(day, day)
        assertTrue(fhir.contains("\"resourceType\": \"Bundle\""), fhir)
        assertTrue(fhir.contains("JP_Coverage"), fhir)

        val log = assertIs<LogStatus.Intact>(desk.verifyLog())
        assertEquals(1uL, log.entries)

        // No object the PIN went near shows its digits.
        val shown = listOf(r, card, visits, wrong, wrong.message, desk, anchors(), taro, DeskReader(taro))
        for (o in shown) {
            assertFalse(o.toString().contains(DESK_PIN), "toString of ${o.javaClass.simpleName}")
            assertFalse(o.toString().contains("9999"), "toString of ${o.javaClass.simpleName}")
        }
    }

    @Test
    fun declarationIsValidatedAndAlwaysUnverified() {
        val bad = assertFailsWith<ShikakuException.InvalidInput> {
            desk.declare(
                DeclarationInput(
                    name = "山田 花子", birthDate = "1987-09-03", sex = Sex.FEMALE,
                    relationship = Relationship.INSURED, insurerName = "全国健康保険協会",
                    insurerNumber = "01130013",
                ),
                "受付 佐藤",
            )
        }
        assertEquals(listOf("insurer_number"), bad.problems.map { it.field })
        // 性別 and 本人・家族の別 are claim fields: required, each named.
        val missing = assertFailsWith<ShikakuException.InvalidInput> {
            desk.declare(DeclarationInput(name = "山田 花子", birthDate = "1987-09-03", insurerName = "全国健康保険協会"), "受付 佐藤")
        }
        assertEquals(listOf("sex", "relationship"), missing.problems.map { it.field })
        // A bad operator name: named among the problems; its words are the core's.
        val op = assertFailsWith<ShikakuException.InvalidInput> {
            desk.declare(
                DeclarationInput(
                    name = "山田 花子", birthDate = "1987-09-03", sex = Sex.FEMALE,
                    relationship = Relationship.INSURED, insurerName = "全国健康保険協会",
                ),
                "=cmd",
            )
        }
        assertEquals(listOf("operator"), op.problems.map { it.field })
        assertEquals(
            "受付者名の先頭に =、+、-、@ は使えません（表計算ソフトが数式として実行するため）。",
            clinicOperatorRefusal("=cmd"),
        )
        assertEquals("受付者名を入力してください。", clinicOperatorRefusal(""))
        assertNull(clinicOperatorRefusal("受付 佐藤"))
        assertEquals(
            1uL,
            desk.declare(
                DeclarationInput(
                    name = "山田 花子", birthDate = "1987-09-03", sex = Sex.FEMALE,
                    relationship = Relationship.INSURED, insurerName = "全国健康保険協会",
                ),
                "受付 佐藤",
            ),
        )
        val day = today()
        val v = desk.visits(day, day).visits.single()
        assertFalse(v.verified)
        assertEquals("申立・未検証", v.statusLabel)
        assertTrue(desk.exportCsv(day, day).contains("申立・未検証"))
    }
}
