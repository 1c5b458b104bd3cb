//! The Japanese text of the screen's notices, dates in 和暦. The rules in [`super::rules`]
//! decide which notice applies and when; the words are here.

use chrono::NaiveDate;

use super::wareki::format_wareki;

/// The 利用者証明用電子証明書 expires on `expiry`, within the warning window.
pub(super) fn certificate_expiring_soon(expiry: NaiveDate) -> String {
    let e = format_wareki(expiry);
    format!(
        "マイナンバーカードの利用者証明用電子証明書の有効期限は{e}です。\
         お住まいの市区町村の窓口で更新してください。"
    )
}

/// The certificate expired on `expiry`; the card works as a 保険証 until `grace`.
pub(super) fn certificate_in_grace(expiry: NaiveDate, grace: NaiveDate) -> String {
    let (e, g) = (format_wareki(expiry), format_wareki(grace));
    format!(
        "利用者証明用電子証明書の有効期限（{e}）が過ぎています。{g}までは\
         マイナ保険証として使えます。それまでに市区町村の窓口で更新してください。"
    )
}

/// The certificate expired on `expiry` and the 保険証利用登録 was cancelled after `grace`.
pub(super) fn certificate_insurance_use_ended(expiry: NaiveDate, grace: NaiveDate) -> String {
    let (e, g) = (format_wareki(expiry), format_wareki(grace));
    format!(
        "利用者証明用電子証明書の有効期限（{e}）から3か月が過ぎ、{g}で\
         マイナ保険証の利用登録は解除されました。受診には資格確認書が必要です。\
         電子証明書を更新すれば、保険証利用をもう一度申し込めます。"
    )
}

/// The My Number Card expires on `valid_until`, within the warning window.
pub(super) fn card_expiring_soon(valid_until: NaiveDate) -> String {
    let v = format_wareki(valid_until);
    format!(
        "マイナンバーカードの有効期限は{v}です。\
         お住まいの市区町村の窓口でカードを更新してください。"
    )
}

/// The card expired on `valid_until`; it works as a 保険証 until `grace`.
pub(super) fn card_in_grace(valid_until: NaiveDate, grace: NaiveDate) -> String {
    let (v, g) = (format_wareki(valid_until), format_wareki(grace));
    format!(
        "マイナンバーカードの有効期限（{v}）が過ぎています。{g}までは\
         マイナ保険証として使えます。早めにカードを更新してください。"
    )
}

/// The card expired on `valid_until` and stopped working as a 保険証 after `grace`.
pub(super) fn card_expired(valid_until: NaiveDate, grace: NaiveDate) -> String {
    let (v, g) = (format_wareki(valid_until), format_wareki(grace));
    format!(
        "マイナンバーカードの有効期限（{v}）が過ぎ、{g}を最後に\
         マイナ保険証として使えなくなりました。受診には資格確認書が必要です。"
    )
}

/// A お知らせ of a member aged 70–74 without 有効期限; it is valid to `last_day` at the latest.
pub(super) fn elderly_notice_expiry_missing(last_day: NaiveDate) -> String {
    format!(
        "70〜74歳の方の資格情報のお知らせには、負担割合を毎年確認するため\
         1年の有効期限があります。お知らせに印字された有効期限を入力してください\
         （遅くとも75歳の誕生日の前日、{}までです）。",
        format_wareki(last_day)
    )
}

/// The document `doc` ended on `end`, the day before the 75th birthday.
pub(super) fn document_ended_at_75(doc: &str, end: NaiveDate) -> String {
    let e = format_wareki(end);
    format!(
        "75歳の誕生日の前日（{e}）で、この{doc}は使えなくなりました。\
         後期高齢者医療制度の資格確認書またはマイナ保険証で受診してください。"
    )
}

/// The document `doc`'s 有効期限 `end` has passed.
pub(super) fn document_expired(doc: &str, end: NaiveDate) -> String {
    let e = format_wareki(end);
    format!(
        "{doc}の有効期限（{e}）が過ぎています。この{doc}では受診できません。\
         新しいものが届いていないか、保険者に確認してください。"
    )
}

/// The document `doc` is valid until `end`, the day before the 75th birthday.
pub(super) fn document_ends_at_75(doc: &str, end: NaiveDate) -> String {
    let e = format_wareki(end);
    format!(
        "75歳の誕生日から後期高齢者医療制度に移るため、この{doc}は\
         75歳の誕生日の前日（{e}）まで有効です。"
    )
}

/// The document `doc`'s 有効期限 `end` is near.
pub(super) fn document_expiring_soon(doc: &str, end: NaiveDate) -> String {
    let e = format_wareki(end);
    format!("{doc}の有効期限は{e}です。新しいものが届いているか確認してください。")
}

/// The 高齢受給者 負担割合 of `rate` 割 applies from `from`.
pub(super) fn elderly_not_yet_effective(rate: u8, from: NaiveDate) -> String {
    let f = format_wareki(from);
    format!("高齢受給者の負担割合（{rate}割）は{f}（発効期日）から適用されます。")
}

/// The 高齢受給者 負担割合's 有効期限 `end` has passed.
pub(super) fn elderly_expired(end: NaiveDate) -> String {
    format!(
        "高齢受給者の負担割合の有効期限（{}）が過ぎています。\
         新しい負担割合の通知を確認してください。",
        format_wareki(end)
    )
}

/// The 高齢受給者 負担割合 of `rate` 割 ends on `end`, soon.
pub(super) fn elderly_expiring_soon(rate: u8, end: NaiveDate) -> String {
    format!(
        "高齢受給者の負担割合（{rate}割）の有効期限は{}です。",
        format_wareki(end)
    )
}

/// The 高齢受給者 負担割合 of `rate` 割 applies from `from` (until `end`, when known).
pub(super) fn elderly_in_effect(rate: u8, from: NaiveDate, end: Option<NaiveDate>) -> String {
    let f = format_wareki(from);
    let until = end
        .map(|end| format!("、{}まで", format_wareki(end)))
        .unwrap_or_default();
    format!("高齢受給者の負担割合は{rate}割です（{f}から{until}）。")
}

/// A 後期高齢者 holds both a マイナ保険証 and a 資格確認書 under the temporary rule that ends on
/// `until`.
pub(super) fn both_held_late_elderly(until: NaiveDate) -> String {
    format!(
        "後期高齢者医療制度では{}までの暫定的な運用として、マイナ保険証をお持ちの方にも\
         資格確認書が交付されています。どちらでも受診できます。",
        format_wareki(until)
    )
}

/// A マイナ保険証 and a valid 資格確認書 are both held.
pub(super) const BOTH_HELD: &str = "マイナ保険証と資格確認書の両方をお持ちです。原則として両方を持つことは\
                  認められていないため、保険者に確認してください（介助が必要な方などの例外が\
                  あります）。受診はどちらでもできます。";
