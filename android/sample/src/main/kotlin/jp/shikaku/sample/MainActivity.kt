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
import androidx.compose.runtime.DisposableEffect
import androidx.compose.runtime.LaunchedEffect
import androidx.compose.runtime.getValue
import androidx.compose.runtime.mutableStateOf
import androidx.compose.runtime.remember
import androidx.compose.runtime.setValue
import androidx.compose.ui.Modifier
import androidx.compose.ui.graphics.Color
import androidx.compose.ui.text.font.FontWeight
import androidx.compose.ui.text.input.KeyboardType
import androidx.compose.ui.text.input.PasswordVisualTransformation
import androidx.compose.ui.unit.dp
import jp.shikaku.android.NfcCardReader
import jp.shikaku.core.CardState
import jp.shikaku.core.EligibilityScreenView
import jp.shikaku.core.HouseholdOverviewView
import jp.shikaku.core.ProvenanceState
import jp.shikaku.core.Severity

/** The sample's screens. */
private sealed interface Route {
    data object Household : Route
    data class Member(val id: String) : Route
    data class CardCheck(val id: String) : Route
}

/** The single activity: household list → eligibility screen → card check. */
class MainActivity : ComponentActivity() {
    private val model: SampleViewModel by viewModels()
    private lateinit var reader: NfcCardReader

    override fun onCreate(savedInstanceState: Bundle?) {
        super.onCreate(savedInstanceState)
        reader = NfcCardReader(this)
        model.open()
        setContent {
            MaterialTheme {
                Surface(Modifier.fillMaxSize()) {
                    App(model, reader)
                }
            }
        }
    }

    override fun onPause() {
        super.onPause()
        reader.disable()
    }
}

@Composable
private fun App(model: SampleViewModel, reader: NfcCardReader) {
    var route by remember { mutableStateOf<Route>(Route.Household) }
    model.error?.let { message ->
        AlertDialog(
            onDismissRequest = {},
            title = { Text(if (model.offerReset) "データを開けません" else "エラー") },
            text = {
                Text(
                    if (model.offerReset) {
                        "この端末の鍵でデータを開けません。データを消去して、もう一度ダウンロードしてください。（$message）"
                    } else {
                        message
                    },
                )
            },
            confirmButton = {
                if (model.offerReset) {
                    TextButton(onClick = { model.resetStore() }) { Text("消去してやり直す") }
                } else {
                    TextButton(onClick = { model.open() }) { Text("OK") }
                }
            },
        )
    }
    when (val r = route) {
        Route.Household -> HouseholdList(model.overview) { id ->
            model.loadScreen(id)
            route = Route.Member(id)
        }
        is Route.Member -> {
            BackHandler { route = Route.Household }
            EligibilityScreen(model.screen?.takeIf { it.memberId == r.id }) {
                model.resetCardCheck()
                route = Route.CardCheck(r.id)
            }
        }
        is Route.CardCheck -> {
            BackHandler {
                model.resetCardCheck()
                route = Route.Member(r.id)
            }
            CardCheckScreen(model, reader, r.id) { route = Route.Member(r.id) }
        }
    }
}

@Composable
private fun HouseholdList(overview: HouseholdOverviewView?, onOpen: (String) -> Unit) {
    Column(Modifier.padding(16.dp)) {
        Text("世帯", style = MaterialTheme.typography.headlineSmall)
        overview?.lastSync?.let { Text("最終取得 ${it.label}（${it.age}）") }
        if (overview != null && overview.damagedRows > 0u) {
            Text("読み込めないデータが${overview.damagedRows}件あります", color = Color(0xFFB00020))
        }
        Spacer(Modifier.height(8.dp))
        LazyColumn(verticalArrangement = Arrangement.spacedBy(8.dp)) {
            items(overview?.members.orEmpty(), key = { it.memberId }) { m ->
                Card(Modifier.fillMaxWidth().clickable { onOpen(m.memberId) }) {
                    Column(Modifier.padding(12.dp)) {
                        Text("${m.name}（${m.relationship}）", fontWeight = FontWeight.Bold)
                        m.documents.forEach { Text(it) }
                        Text(m.card)
                        m.topNotice?.let { Text(it, color = Color(0xFFB00020)) }
                    }
                }
            }
        }
    }
}

private fun severityColor(s: Severity): Color = when (s) {
    Severity.CRITICAL -> Color(0xFFB00020)
    Severity.WARNING -> Color(0xFFE65100)
    Severity.INFO -> Color(0xFF1565C0)
}

/** Lays out the core's view model as it is: no rule of its own. */
@Composable
private fun EligibilityScreen(screen: EligibilityScreenView?, onCheckCard: () -> Unit) {
    if (screen == null) {
        Text("読み込み中…", Modifier.padding(16.dp))
        return
    }
    LazyColumn(Modifier.padding(16.dp), verticalArrangement = Arrangement.spacedBy(8.dp)) {
        item {
            Text("${screen.name}（${screen.relationship}）", style = MaterialTheme.typography.headlineSmall)
            Text(screen.fixedNotice, fontWeight = FontWeight.Bold)
            val cardColor = when (screen.card.state) {
                CardState.CHECKED -> Color(0xFF2E7D32)
                CardState.MISMATCH -> Color(0xFFB00020)
                CardState.NOT_CHECKED -> Color.Gray
            }
            Row(horizontalArrangement = Arrangement.spacedBy(8.dp)) {
                Text(screen.card.label, color = cardColor)
                screen.card.checkedAt?.let { Text(it) }
            }
            screen.freshness?.let { Text("最終取得 ${it.label}（${it.age}）") }
        }
        items(screen.notices) { n ->
            Text(n.message, color = severityColor(n.severity))
        }
        items(screen.sections) { section ->
            Card(Modifier.fillMaxWidth()) {
                Column(Modifier.padding(12.dp)) {
                    Row(horizontalArrangement = Arrangement.spacedBy(8.dp)) {
                        Text(section.title, fontWeight = FontWeight.Bold)
                        section.provenanceLabel?.let { label ->
                            val color = when (section.provenance) {
                                ProvenanceState.VERIFIED -> Color(0xFF2E7D32)
                                ProvenanceState.HAND_ENTERED -> Color(0xFFE65100)
                                ProvenanceState.SIGNATURE_INVALID -> Color(0xFFB00020)
                                null -> Color.Gray
                            }
                            Text(label, color = color)
                        }
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
private fun CardCheckScreen(model: SampleViewModel, reader: NfcCardReader, memberId: String, onDone: () -> Unit) {
    val state = model.cardCheck
    // Reader mode only while waiting for the card.
    DisposableEffect(state is CardCheckState.Waiting) {
        if (state is CardCheckState.Waiting) {
            reader.enable { transport -> model.onCard(memberId, transport) }
        }
        onDispose { reader.disable() }
    }
    Column(Modifier.padding(16.dp), verticalArrangement = Arrangement.spacedBy(12.dp)) {
        Text("カードの照合", style = MaterialTheme.typography.headlineSmall)
        if (!reader.isAvailable) {
            Text("この端末はNFCに対応していません。")
            return@Column
        }
        if (!reader.isEnabled) {
            Text("設定でNFCをオンにしてください。")
        }
        when (state) {
            is CardCheckState.EnterPin -> PinEntry(state) { pin -> model.startCardCheck(pin) }
            is CardCheckState.Waiting -> {
                Text("マイナンバーカードをスマートフォンの背面にかざし、終わるまで動かさないでください。")
                if (state.allowLastAttempt) Text("最後の1回として照合します。", color = Color(0xFFB00020))
                TextButton(onClick = { model.resetCardCheck() }) { Text("キャンセル") }
            }
            is CardCheckState.NeedsConsent -> AlertDialog(
                onDismissRequest = { model.resetCardCheck() },
                title = { Text("残り1回です") },
                text = {
                    Text("暗証番号を間違えるとロックされ、市区町村の窓口での初期化が必要になります。この暗証番号で照合しますか？")
                },
                confirmButton = { TextButton(onClick = { model.consentToLastAttempt() }) { Text("照合する") } },
                dismissButton = { TextButton(onClick = { model.resetCardCheck() }) { Text("やめる") } },
            )
            is CardCheckState.Done -> {
                val matched = state.result.matched
                Text("照合しました。", color = Color(0xFF2E7D32))
                matched?.let {
                    Text("氏名  カード: ${it.name.card} / 登録: ${it.name.stored}")
                    Text("生年月日  カード: ${it.birthDate.card} / 登録: ${it.birthDate.stored}")
                }
                Button(onClick = {
                    model.resetCardCheck()
                    onDone()
                }) { Text("資格情報に戻る") }
            }
            is CardCheckState.Failed -> {
                Text(state.message, color = Color(0xFFB00020))
                Button(onClick = {
                    model.resetCardCheck()
                    onDone()
                }) { Text("戻る") }
            }
        }
    }
}

@Composable
private fun PinEntry(state: CardCheckState.EnterPin, onSubmit: (String) -> Unit) {
    var pin by remember { mutableStateOf("") }
    LaunchedEffect(state) { pin = "" }
    state.message?.let { Text(it, color = Color(0xFFB00020)) }
    state.retriesLeft?.let { Text("利用者証明用暗証番号の残り回数: ${it}回") }
    OutlinedTextField(
        value = pin,
        onValueChange = { v -> pin = v.filter(Char::isDigit).take(4) },
        label = { Text("利用者証明用暗証番号（数字4桁）") },
        visualTransformation = PasswordVisualTransformation(),
        keyboardOptions = KeyboardOptions(keyboardType = KeyboardType.NumberPassword),
        singleLine = true,
    )
    Button(onClick = { onSubmit(pin) }, enabled = pin.length == 4) { Text("カードを読み取る") }
}
