package jp.shikaku.android

import jp.shikaku.core.ShikakuException

/**
 * The Japanese messages of a [HouseholdSession]: what went wrong and the way out, from the
 * core's typed errors. The core's messages are data-free (no names, numbers, PINs or card
 * contents), so its detail may be shown in parentheses.
 */
object SessionMessages {
    // No PIN rule is worded here: a PIN or card error's words are the core's (`messageJa`), and
    // so are those of a PIN counter read again after a lost answer (`PinState.rereadMessageJa()`).

    /** Reader mode saw a tag it could not use. */
    const val TAG_UNREADABLE = "カードを読み取れませんでした。マイナンバーカードを、動かさずにかざしてください。"

    /** The message for [e]. */
    fun of(e: ShikakuException): String = when (e) {
        // The PIN and card errors in the core's words for the card holder (the PIN rules are
        // the core's: CardError::message_ja), the same in every app.
        is ShikakuException.WrongPin -> e.messageJa
        is ShikakuException.LastAttemptNeedsConsent -> e.messageJa
        is ShikakuException.PinUnusable -> e.messageJa
        is ShikakuException.Card -> e.messageJa
        is ShikakuException.Network ->
            "サーバーに接続できませんでした。通信できる場所でもう一度お試しください。（${e.detail}）"
        is ShikakuException.Sync -> "サーバーの応答を受け付けられませんでした。（${e.detail}）"
        is ShikakuException.RootChanged ->
            "サーバーのルート鍵が、最初に取得したときのものと違います。何も変更していません。"
        is ShikakuException.Key ->
            if (e.wrongKey) {
                "この端末の鍵でデータを開けません。データを消去して、もう一度ダウンロードしてください。"
            } else {
                "端末の鍵を使えません。画面のロックを解除して、もう一度お試しください。（${e.detail}）"
            }
        is ShikakuException.Store ->
            if (e.notFound) "この人のデータが見つかりません。" else "データを読み書きできませんでした。（${e.detail}）"
        is ShikakuException.InvalidInput -> "設定または入力に誤りがあります。（${e.detail}）"
        // The clinic desk's refusals (ClinicDesk); a household session never meets them.
        is ShikakuException.TrustList, is ShikakuException.CardMismatch, is ShikakuException.NotRecordable ->
            "この操作は受付端末用です。（${e.message}）"
    }
}
