package jp.shikaku.sample

import android.os.Bundle
import androidx.activity.ComponentActivity
import androidx.activity.compose.BackHandler
import androidx.activity.compose.setContent
import androidx.activity.viewModels
import androidx.compose.foundation.clickable
import androidx.compose.foundation.layout.Arrangement
import androidx.compose.foundation.layout.Column
import androidx.compose.foundation.layout.Row
import androidx.compose.foundation.layout.Spacer
import androidx.compose.foundation.layout.fillMaxSize
import androidx.compose.foundation.layout.fillMaxWidth
import androidx.compose.foundation.layout.height
import androidx.compose.foundation.layout.padding
import androidx.compose.foundation.lazy.LazyColumn
import androidx.compose.foundation.lazy.items
import androidx.compose.foundation.text.KeyboardOptions
import androidx.compose.material3.AlertDialog
import androidx.compose.material3.Button
import androidx.compose.material3.Card
import androidx.compose.material3.HorizontalDivider
import androidx.compose.material3.MaterialTheme
import androidx.compose.material3.OutlinedTextField
import androidx.compose.material3.Surface
import androidx.compose.material3.Text
import androidx.compose.material3.TextButton
import androidx.compose.runtime.Composable
import androidx.compose.runtime.getValue
import androidx.compose.ui.Modifier
import androidx.compose.ui.graphics.Color
import androidx.compose.ui.text.font.FontWeight
import androidx.compose.ui.text.input.KeyboardType
import androidx.compose.ui.text.input.PasswordVisualTransformation
import androidx.compose.ui.unit.dp
import androidx.lifecycle.Lifecycle
import androidx.lifecycle.compose.collectAsStateWithLifecycle
import androidx.lifecycle.lifecycleScope
import androidx.lifecycle.repeatOnLifecycle
import jp.shikaku.android.CardFlow
import jp.shikaku.android.CardPurpose
import jp.shikaku.android.HouseholdSession
import jp.shikaku.android.MemberPage
import jp.shikaku.android.NfcCardReader
import jp.shikaku.android.Page
import jp.shikaku.android.SessionState
import jp.shikaku.android.StoreState
import jp.shikaku.android.basicInfoNeedsConsent
import jp.shikaku.android.wantsCard
import jp.shikaku.core.CardState
import jp.shikaku.core.EligibilityScreenView
import jp.shikaku.core.HouseholdOverviewView
import jp.shikaku.core.ProvenanceState
import jp.shikaku.core.Severity
import kotlinx.coroutines.flow.collectLatest
import kotlinx.coroutines.flow.distinctUntilChanged
import kotlinx.coroutines.flow.map
import kotlinx.coroutines.launch

private val RED = Color(0xFFB00020)
private val ORANGE = Color(0xFFE65100)
private val GREEN = Color(0xFF2E7D32)
private val BLUE = Color(0xFF1565C0)
private val PURPLE = Color(0xFF6A1B9A)

/** NFC as the device has it. */
private data class NfcStatus(val available: Boolean, val enabled: Boolean)

/**
 * The single activity. All logic is the library's [HouseholdSession]: this renders its state
 * and forwards events, and keeps reader mode on while the session wants a card.
 */
class MainActivity : ComponentActivity() {
    private val model: SampleViewModel by viewModels()

    override fun onCreate(savedInstanceState: Bundle?) {
        super.onCreate(savedInstanceState)
        val reader = NfcCardReader(this)
        lifecycleScope.launch {
            // Android allows reader mode only while the activity is in front.
            repeatOnLifecycle(Lifecycle.State.RESUMED) {
                model.session.state.map { it.card.wantsCard }.distinctUntilChanged().collectLatest { wanted ->
                    if (wanted) reader.cards().collect { model.onCardEvent(it) }
                }
            }
        }
        setContent {
            MaterialTheme {
                Surface(Modifier.fillMaxSize()) {
                    val state by model.session.state.collectAsStateWithLifecycle()
                    App(state, model.session, NfcStatus(reader.isAvailable, reader.isEnabled))
                }
            }
        }
    }
}

@Composable
private fun App(state: SessionState, session: HouseholdSession, nfc: NfcStatus) {
    BackHandler(enabled = state.page != Page.HOUSEHOLD) { session.back() }
    StoreDialog(state.store, session)
    when (state.page) {
        Page.HOUSEHOLD -> HouseholdList(
            overview = state.overview,
            canSync = state.canSync,
            onOpen = { session.showMember(it) },
            onSync = { session.startSync() },
        )
        Page.MEMBER -> MemberScreen(state.member) { session.startCardCheck(it) }
        Page.CARD -> CardScreen(state.card, session, nfc)
    }
}

@Composable
private fun StoreDialog(store: StoreState, session: HouseholdSession) {
    when (store) {
        StoreState.Opening, StoreState.Ready -> Unit
        is StoreState.KeyLost -> AlertDialog(
            onDismissRequest = {},
            title = { Text("データを開けません") },
            text = { Text(store.message) },
            confirmButton = { TextButton(onClick = { session.resetStore() }) { Text("消去してやり直す") } },
        )
        is StoreState.Unavailable -> AlertDialog(
            onDismissRequest = {},
            title = { Text("エラー") },
            text = { Text(store.message) },
            confirmButton = { TextButton(onClick = { session.open() }) { Text("もう一度") } },
        )
    }
}

@Composable
private fun HouseholdList(
    overview: HouseholdOverviewView?,
    canSync: Boolean,
    onOpen: (String) -> Unit,
    onSync: () -> Unit,
) {
    Column(Modifier.padding(16.dp)) {
        Text("世帯", style = MaterialTheme.typography.headlineSmall)
        overview?.lastSync?.let { Text("${it.heading} ${it.label}（${it.age}）") }
        if (overview != null && overview.damagedRows > 0u) {
            Text("読み込めないデータが${overview.damagedRows}件あります", color = RED)
        }
        if (canSync) {
            Button(onClick = onSync) { Text("資格情報を取得") }
        }
        Spacer(Modifier.height(8.dp))
        LazyColumn(verticalArrangement = Arrangement.spacedBy(8.dp)) {
            items(overview?.members.orEmpty(), key = { it.memberId }) { m ->
                Card(Modifier.fillMaxWidth().clickable { onOpen(m.memberId) }) {
                    Column(Modifier.padding(12.dp)) {
                        Text("${m.name}（${m.relationship}）", fontWeight = FontWeight.Bold)
                        m.documents.forEach { Text(it) }
                        Text(m.card)
                        m.topNotice?.let { notice ->
                            // As urgent as the core says: an Info notice is not a warning.
                            val severity = m.topNoticeSeverity ?: Severity.INFO
                            Text("${severityMark(severity)} $notice", color = severityColor(severity))
                        }
                        m.moreNotices?.let { Text(it) }
                    }
                }
            }
        }
    }
}

@Composable
private fun MemberScreen(member: MemberPage?, onCheckCard: (String) -> Unit) {
    val screen = member?.screen
    val error = member?.error
    when {
        error != null -> Text(error, Modifier.padding(16.dp), color = RED)
        screen == null -> Text("読み込み中…", Modifier.padding(16.dp))
        else -> EligibilityScreen(screen) { onCheckCard(screen.memberId) }
    }
}

private fun cardColor(state: CardState): Color = when (state) {
    CardState.CHECKED -> GREEN
    CardState.GENUINE_NOT_LINKED -> ORANGE
    CardState.TEST_ANCHOR -> PURPLE
    CardState.NOT_CHECKED -> Color.Gray
    CardState.MISMATCH -> RED
}

private fun severityColor(severity: Severity): Color = when (severity) {
    Severity.CRITICAL -> RED
    Severity.WARNING -> ORANGE
    Severity.INFO -> BLUE
}

/** The household list's mark of a top notice: 「!」 only for a warning, 「i」 for information. */
private fun severityMark(severity: Severity): String = when (severity) {
    Severity.CRITICAL -> "!!"
    Severity.WARNING -> "!"
    Severity.INFO -> "i"
}

private fun provenanceColor(provenance: ProvenanceState?): Color = when (provenance) {
    ProvenanceState.VERIFIED -> GREEN
    ProvenanceState.HAND_ENTERED -> ORANGE
    ProvenanceState.SIGNATURE_INVALID -> RED
    ProvenanceState.SIGNED_EXPIRED -> ORANGE
    null -> Color.Gray
}

/** Lays out the core's view model as it is: no rule of its own. */
@Composable
private fun EligibilityScreen(screen: EligibilityScreenView, onCheckCard: () -> Unit) {
    LazyColumn(Modifier.padding(16.dp), verticalArrangement = Arrangement.spacedBy(8.dp)) {
        item {
            Text("${screen.name}（${screen.relationship}）", style = MaterialTheme.typography.headlineSmall)
            Text(screen.fixedNotice, fontWeight = FontWeight.Bold)
            Row(horizontalArrangement = Arrangement.spacedBy(8.dp)) {
                Text(screen.card.label, color = cardColor(screen.card.state))
                screen.card.checkedAt?.let { Text(it) }
            }
            screen.freshness?.let { Text("${it.heading} ${it.label}（${it.age}）") }
        }
        items(screen.notices) { n ->
            Text(n.message, color = severityColor(n.severity))
        }
        items(screen.sections) { section ->
            Card(Modifier.fillMaxWidth()) {
                Column(Modifier.padding(12.dp)) {
                    Row(horizontalArrangement = Arrangement.spacedBy(8.dp)) {
                        Text(section.title, fontWeight = FontWeight.Bold)
                        section.provenanceLabel?.let { Text(it, color = provenanceColor(section.provenance)) }
                    }
                    HorizontalDivider()
                    section.fields.forEach { f ->
                        Row(Modifier.fillMaxWidth(), horizontalArrangement = Arrangement.SpaceBetween) {
                            Text(f.label)
                            Column {
                                Text(f.value)
                                f.secondary?.let { Text(it, style = MaterialTheme.typography.bodySmall) }
                            }
                        }
                    }
                }
            }
        }
        item {
            Button(onClick = onCheckCard, modifier = Modifier.fillMaxWidth()) { Text("マイナンバーカードで照合") }
        }
    }
}

@Composable
private fun CardScreen(card: CardFlow, session: HouseholdSession, nfc: NfcStatus) {
    Column(Modifier.padding(16.dp), verticalArrangement = Arrangement.spacedBy(12.dp)) {
        Text("マイナンバーカード", style = MaterialTheme.typography.headlineSmall)
        if (!nfc.available) {
            Text("この端末はNFCに対応していません。")
            return@Column
        }
        if (!nfc.enabled) {
            Text("設定でNFCをオンにしてください。")
        }
        when (card) {
            CardFlow.Idle -> Unit
            is CardFlow.EnterPin -> {
                card.notice?.let { Text(it, color = RED) }
                card.retriesLeft?.let { Text("利用者証明用暗証番号の残り回数: ${it}回") }
                OutlinedTextField(
                    value = card.pin.digits,
                    onValueChange = { session.onPinInput(it) },
                    label = { Text("利用者証明用暗証番号（数字4桁）") },
                    visualTransformation = PasswordVisualTransformation(),
                    keyboardOptions = KeyboardOptions(keyboardType = KeyboardType.NumberPassword),
                    singleLine = true,
                )
                Button(onClick = { session.submitPin() }, enabled = card.pin.isComplete) { Text("カードを読み取る") }
            }
            is CardFlow.WaitingForCard -> {
                card.notice?.let { Text(it, color = RED) }
                when (card.purpose) {
                    CardPurpose.RUN_TASK ->
                        Text("マイナンバーカードをスマートフォンの背面にかざし、終わるまで動かさないでください。")
                    CardPurpose.READ_COUNTER ->
                        Text("暗証番号の残り回数を読み直します。カードをもう一度かざしてください（暗証番号は送りません）。")
                }
                if (card.lastAttempt) Text("最後の1回として照合します。", color = RED)
                TextButton(onClick = { session.cancelCard() }) { Text("キャンセル") }
            }
            is CardFlow.Reading -> Text("読み取り中です。カードを動かさないでください。")
            is CardFlow.NeedsConsent -> AlertDialog(
                onDismissRequest = { session.cancelCard() },
                title = { Text("残り1回です") },
                // What a wrong last try costs is the core's (card.message); the question is the app's.
                text = { Text("${card.message}\nこの暗証番号で照合しますか？") },
                confirmButton = { TextButton(onClick = { session.consentToLastAttempt() }) { Text("照合する") } },
                dismissButton = { TextButton(onClick = { session.cancelCard() }) { Text("やめる") } },
            )
            is CardFlow.Checked -> {
                // The core's badge for the member with this check stored, never an "OK" of the
                // app's own: a check that succeeded can still be 照合不一致 or a test anchor.
                val badge = card.result.badge
                Text(badge.label, color = cardColor(badge.state))
                // A failed 基本4情報 step stands beside the good check: why, in the core's words.
                card.result.basicInfoMessageJa?.let { Text(it, color = ORANGE) }
                // The 券面事項入力補助 PIN was not sent (one try left, or tries lost): the core's words
                // above say what a wrong try costs; spending it is the user's explicit choice, with
                // the PIN typed again.
                if (card.result.basicInfoNeedsConsent) {
                    TextButton(onClick = { session.consentToTextLastAttempt() }) {
                        Text("残りの回数を使って基本4情報を読む（暗証番号を入れ直します）")
                    }
                }
                card.result.matched?.let {
                    Text("氏名  ${it.name.label}  カード: ${it.name.card} / 登録: ${it.name.stored}")
                    Text("生年月日  ${it.birthDate.label}  カード: ${it.birthDate.card} / 登録: ${it.birthDate.stored}")
                    Text("性別  ${it.sex.label}  カード: ${it.sex.card} / 登録: ${it.sex.stored}")
                }
                Button(onClick = { session.cancelCard() }) { Text("資格情報に戻る") }
            }
            is CardFlow.Synced -> {
                Text("取得しました（新規・更新 ${card.outcome.written}件、変更なし ${card.outcome.unchanged}件）。", color = GREEN)
                Button(onClick = { session.cancelCard() }) { Text("世帯に戻る") }
            }
            is CardFlow.Failed -> {
                Text(card.message, color = RED)
                if (card.canRetry) {
                    Button(onClick = { session.retry() }) { Text("もう一度") }
                }
                Button(onClick = { session.cancelCard() }) { Text("戻る") }
            }
        }
    }
}
