//! The parts of a member's eligibility screen: the fields of the person and of each record
//! (dates in 和暦 with 西暦 as the second form), the card badge, the fixed notice on how the
//! screen may be used, and the times shown with their age.

use chrono::{DateTime, Duration, NaiveDate, Utc};

use super::calendar::{
    CopayBasis, RecordEnded, preschool_share_ended, record_ended, record_not_started,
    statutory_copay,
};
use super::notices_household::HouseholdContext;
use super::notices_record::elderly_share_typed_ahead;
use super::takeover::TakeoverCause;
use super::view::{CardBadge, CardState, ProvenanceState, ScreenField, ScreenSection};
use super::wareki::{format_wareki, format_western};
use crate::card::AnchorSource;
use crate::eligibility::names::NameMatch;
use crate::eligibility::{DocumentKind, EligibilityRecord, StoredRecord};
use crate::store::StoredCardCheck;

/// What the screen is and how its documents are used at the clinic (docs/guidance.md §4; notice
/// C): the official fallback is the マイナポータル 資格情報画面 or the paper お知らせ, each with the
/// card; this screen is a copy, official only insofar as its issuer signed it; a 資格確認書 is
/// presented on paper, not as this screen; a 公費 医療証 is presented as well.
///
/// `held` is every record shown, with its provenance and whether it is usable today: in force
/// ([`record_in_force`](super::calendar::record_in_force)) and, for an お知らせ or a 資格情報
/// screen, beside a card that works as a マイナ保険証. What the screen is speaks of all of them;
/// how a document is used at the clinic only of the usable ones, so that an ended 資格確認書 or
/// お知らせ (or one not started yet, or an お知らせ whose card no longer works) is never called
/// usable here: its own 状態 and the notices say why. When none is usable the notice says so of
/// this screen's records only (the マイナ保険証 itself may still work at the reader).
pub(super) fn fixed_notice(held: &[(&EligibilityRecord, ProvenanceState, bool)]) -> String {
    if held.is_empty() {
        return "資格情報はまだ登録されていません。".into();
    }
    let verified =
        |h: &&(&EligibilityRecord, ProvenanceState, bool)| h.1 == ProvenanceState::Verified;
    let usable = || held.iter().filter(|h| h.2);
    let any = |kind: DocumentKind| usable().any(|h| h.0.kind == kind);
    let card_docs = usable().any(|h| h.0.kind.needs_card());
    let signed_card_docs = usable().filter(verified).any(|h| h.0.kind.needs_card());
    let mut out = String::from(if held.iter().all(|h| verified(&h)) {
        "この画面は、発行元の電子署名を確認した資格情報の表示です。"
    } else if held.iter().any(|h| verified(&h)) {
        "この画面には、発行元の電子署名を確認した資格情報と、手入力など署名を確認できない\
         資格情報の写しがあります。写しは公式の画面ではありません。"
    } else {
        "この画面は、手入力した資格情報の写しです。公式の画面ではありません。"
    });
    if usable().next().is_none() {
        out.push_str("この画面の資格情報は、どれも今日は窓口で使えません。");
    }
    if card_docs {
        out.push_str(
            "医療機関では、マイナポータルの資格情報画面か紙の資格情報のお知らせを、\
             マイナ保険証（マイナンバーカードの実物）と一緒に見せてください。\
             どれも単独では受診できません。",
        );
        if signed_card_docs {
            out.push_str(
                "署名を確認した資格情報は、この画面をマイナンバーカード（実物）と一緒に\
                 見せることもできます。",
            );
        }
    }
    if any(DocumentKind::Certificate) {
        // A signed one can be read and verified at the desk (its QR code), which then says the
        // same: the content is the issuer's, the paper is the document, and taking the screen
        // in its place is the clinic's call (`clinic::DeskOutcome::basis_ja`).
        out.push_str(
            if usable()
                .filter(verified)
                .any(|h| h.0.kind == DocumentKind::Certificate)
            {
                "資格確認書は単独で使えますが、見せるのは紙の資格確認書です。紙がないときは、\
                 署名を確認したこの画面（QRコード）を医療機関が読み取って内容を確かめられることが\
                 ありますが、紙の代わりに受け付けるかどうかは医療機関の判断です。"
            } else {
                "資格確認書は単独で使えますが、見せるのは紙の資格確認書です。\
                 この画面は資格確認書の代わりにはなりません。"
            },
        );
    }
    if any(DocumentKind::PublicExpense) {
        out.push_str(
            "公費の受給者証（医療証）は、マイナ保険証や資格確認書と一緒に、\
             紙の受給者証を見せてください。",
        );
    }
    out
}

pub(super) fn date_field(id: &'static str, label: &'static str, d: NaiveDate) -> ScreenField {
    ScreenField {
        id,
        label,
        value: format_wareki(d),
        secondary: Some(format_western(d)),
    }
}

pub(super) fn text_field(
    id: &'static str,
    label: &'static str,
    value: impl Into<String>,
) -> ScreenField {
    ScreenField {
        id,
        label,
        value: value.into(),
        secondary: None,
    }
}

pub(super) fn japan_time(t: DateTime<Utc>) -> String {
    let local = crate::clock::japan_time(t);
    format!(
        "{} {}",
        format_wareki(local.date()),
        crate::clock::hour_minute(local)
    )
}

/// How long ago `t` was at `now`, in words. A time later than `now` is 「未来の日時」 only when
/// it falls on a later day in Japan: the screen's dates are days (docs/guidance.md §5), and a
/// `now` that stands for a day — the CLI's `--at` is noon of it — must not call an entry made
/// that afternoon future; it is 「今日」.
pub(super) fn age(t: DateTime<Utc>, now: DateTime<Utc>) -> String {
    let d = now - t;
    if d < Duration::zero() {
        if crate::clock::japan_today(t) == crate::clock::japan_today(now) {
            "今日".into()
        } else {
            "未来の日時".into()
        }
    } else if d < Duration::hours(1) {
        format!("{}分前", d.num_minutes())
    } else if d < Duration::days(1) {
        format!("{}時間前", d.num_hours())
    } else {
        format!("{}日前", d.num_days())
    }
}

/// The 一部負担金割合 field: the share when typed; when it was not, nothing is invented (an
/// absent share is not shown as if 「法定負担割合のとおり」 were printed) and the share the law
/// sets for the member's age on `today` is given as the second form. `None` for a 公費
/// 受給者証, which has no share of its own here.
fn copay_field(
    e: &EligibilityRecord,
    birth: NaiveDate,
    household: &HouseholdContext,
    today: NaiveDate,
) -> Option<ScreenField> {
    if !e.kind.is_insurance() {
        return None;
    }
    Some(match e.copay {
        // A 2割 after 就学 is shown as typed, with the share that applies since (notice
        // `PreschoolEnds` when printed before 就学, else `CopayImplausible`).
        // A 2割 typed before the 高齢受給者 start from the document sent ahead is dated: a
        // clinic reading the screen before that day charges the share until then (notice
        // `ElderlyRecipientStarts` says the same, review of 2026-11-30).
        Some(c) => ScreenField {
            secondary: preschool_share_ended(e, birth, today)
                .and_then(|last| {
                    Some(format!(
                        "{}から3割（就学後）",
                        format_wareki(last.succ_opt()?)
                    ))
                })
                .or_else(|| {
                    let from = elderly_share_typed_ahead(e, birth, household, today)?;
                    Some(format!(
                        "{}から。それまでは{}",
                        format_wareki(from),
                        super::text_ja::ELDERLY_SHARE_BEFORE
                    ))
                }),
            ..text_field("copay", "一部負担金割合", format!("{}割", c.percent() / 10))
        },
        None => ScreenField {
            id: "copay",
            label: "一部負担金割合",
            value: "（入力されていません）".into(),
            secondary: statutory_copay(birth, today, e.insurer_number.is_late_elderly()).map(
                |law| {
                    let mut shares: Vec<String> = law
                        .allowed_percent()
                        .iter()
                        .map(|p| format!("{}割", p / 10))
                        .collect();
                    // 「1割、2割または3割」.
                    let last = shares.pop().unwrap_or_default();
                    let shares = if shares.is_empty() {
                        last
                    } else {
                        format!("{}または{last}", shares.join("、"))
                    };
                    // Among several, income decides (70–74: 現役並み 3割, 健康保険法 §74(1)(iii);
                    // 後期: 高齢者の医療の確保に関する法律 §67); one is the age's.
                    match law.basis {
                        CopayBasis::ElderlyRecipient | CopayBasis::LateElderly => {
                            format!("法定の割合（所得による）: {shares}")
                        }
                        CopayBasis::Preschool | CopayBasis::General => {
                            format!("年齢による法定の割合: {shares}")
                        }
                    }
                },
            ),
        },
    })
}

/// The id of the field that marks a record which has ended ([`status_field`]).
pub(super) const ENDED_FIELD_ID: &str = "ended";

/// The id of the field that marks a record which has not started yet ([`status_field`]).
pub(super) const NOT_STARTED_FIELD_ID: &str = "not_started";

/// The mark on a record that is no longer in force on `today` (`calendar::record_ended`: its
/// 資格喪失日, a 被扶養者's status ended at the 被保険者's 75th birthday, the day before the
/// member's 75th birthday — docs/dates.md §4 `DocumentEndsAt75` — or its 有効期限), so that the
/// screen says which record the notice 「…使えなくなりました」 is about; and the mark on a record
/// that has not started yet (`calendar::record_not_started`: its 有効開始年月日, or a later
/// 資格取得年月日, is after today — a 後期高齢者医療 資格確認書 entered before the 75th birthday),
/// 「まだ使えません（有効開始年月日より前）」 (「資格取得年月日より前」 when that date sets the
/// start) with the first day it can be used, so that it is not shown at the desk before that
/// day (the desk's 有効期間前, docs/clinic.md). `None` while in force.
fn status_field(
    e: &EligibilityRecord,
    birth: NaiveDate,
    household: &HouseholdContext,
    today: NaiveDate,
) -> Option<ScreenField> {
    let Some(ended) = record_ended(e, birth, household, today) else {
        return record_not_started(e, today).map(|from| ScreenField {
            id: NOT_STARTED_FIELD_ID,
            label: "状態",
            // The printed date that sets the start (`EligibilityRecord::starts_on`).
            value: if e.valid_from == Some(from) {
                "まだ使えません（有効開始年月日より前）"
            } else {
                "まだ使えません（資格取得年月日より前）"
            }
            .into(),
            secondary: Some(format!("{}から", format_wareki(from))),
        });
    };
    // The day the record ended: its last day (…まで), or the first day without it (…から).
    let (value, day, side) = match ended {
        RecordEnded::Lost(d) => ("使えません（資格喪失日から）", d, "から"),
        // The 被保険者's 75th birthday or 資格喪失日: the household's notice says which.
        RecordEnded::DependentStatus(d) => ("使えません（被扶養者でなくなった日から）", d, "から"),
        RecordEnded::TakenOver(d, TakeoverCause::OtherInsurance) => {
            ("使えません（新しい資格の取得日から）", d, "から")
        }
        RecordEnded::TakenOver(d, TakeoverCause::SameCoverageLost) => {
            ("使えません（資格喪失日から）", d, "から")
        }
        RecordEnded::TakenOver(d, TakeoverCause::Reissued) => (
            "使えません（新しく交付された資格確認書に替わりました）",
            d,
            "から",
        ),
        RecordEnded::At75(d) => ("使えません（75歳の誕生日の前日で終了）", d, "まで"),
        RecordEnded::Expired(d) => ("使えません（有効期限切れ）", d, "まで"),
    };
    Some(ScreenField {
        id: ENDED_FIELD_ID,
        label: "状態",
        value: value.into(),
        secondary: Some(format!("{}{side}", format_wareki(day))),
    })
}

pub(super) fn record_section(
    r: &StoredRecord,
    state: ProvenanceState,
    birth: NaiveDate,
    household: &HouseholdContext,
    today: NaiveDate,
) -> ScreenSection {
    let e: &EligibilityRecord = &r.record;
    let mut f: Vec<ScreenField> = status_field(e, birth, household, today)
        .into_iter()
        .collect();
    f.extend([
        text_field(
            "insurer_number",
            e.kind.payer_number_label_ja(),
            e.insurer_number.as_str(),
        ),
        text_field(
            "insurer_name",
            e.kind.payer_name_label_ja(),
            e.insurer_name.clone(),
        ),
    ]);
    if let Some(s) = &e.symbol {
        f.push(text_field("symbol", "記号", s.clone()));
    }
    f.push(text_field(
        "number",
        e.kind.number_label_ja(),
        e.number.clone(),
    ));
    if let Some(b) = &e.branch {
        f.push(text_field("branch", "枝番", b.clone()));
    }
    // 国保 and 後期 have no 被扶養者 (each member is a 被保険者), and their documents print no
    // 本人・家族の別: shown only where it is printed.
    if e.kind.is_insurance() && e.insurer_number.scheme().has_dependents() {
        f.push(text_field(
            "relationship",
            "本人・家族の別",
            e.relationship.label_ja(),
        ));
    }
    if let Some(n) = &e.insured_name {
        f.push(text_field(
            "insured_name",
            e.insurer_number.scheme().insured_name_label_ja(),
            n.clone(),
        ));
    }
    if let Some(d) = e.acquired_on {
        f.push(date_field("acquired_on", "資格取得年月日", d));
    }
    if let Some(d) = e.lost_on {
        f.push(date_field("lost_on", "資格喪失年月日", d));
    }
    f.extend(copay_field(e, birth, household, today));
    if let Some(d) = e.valid_from {
        f.push(date_field("valid_from", "有効開始年月日", d));
    }
    if let Some(d) = e.valid_until {
        f.push(date_field("valid_until", "有効期限", d));
    }
    if let Some(d) = e.issued_on {
        f.push(date_field("issued_on", "交付年月日", d));
    }
    if let Some(el) = &e.elderly {
        f.push(text_field(
            "elderly_copay",
            "高齢受給者 負担割合",
            format!("{}割", el.copay.percent() / 10),
        ));
        f.push(date_field(
            "elderly_effective_from",
            "高齢受給者 発効期日",
            el.effective_from,
        ));
        if let Some(u) = el.valid_until {
            f.push(date_field("elderly_valid_until", "高齢受給者 有効期限", u));
        }
    }
    if let Some(l) = &e.limit {
        f.push(text_field(
            "limit_category",
            "限度額適用区分",
            l.category.clone(),
        ));
        if let Some(d) = l.effective_from {
            f.push(date_field("limit_effective_from", "限度額適用 発効期日", d));
        }
    }
    if e.preschool {
        f.push(text_field("preschool", "未就学区分", "未就学"));
    }
    ScreenSection {
        title: match e.kind {
            // The 受給者証's own printed name (こども医療費受給者証 …).
            DocumentKind::PublicExpense => e.insurer_name.clone(),
            kind => kind.label_ja().to_string(),
        },
        provenance: Some(state),
        provenance_label: Some(state.label_ja()),
        fields: f,
    }
}

pub(super) fn card_badge(
    check: Option<&StoredCardCheck>,
    signed_bindings: &[[u8; 32]],
) -> CardBadge {
    let Some(c) = check else {
        return CardBadge {
            state: CardState::NotChecked,
            label: "未照合".into(),
            checked_at: None,
        };
    };
    let member_mismatch = c
        .matched
        .as_ref()
        .is_some_and(|m| m.overall() == NameMatch::Mismatch);
    let bound = signed_bindings.contains(&c.check.key_fingerprint.0);
    let binding_mismatch = !signed_bindings.is_empty() && !bound;
    let linked = bound
        || c.matched
            .as_ref()
            .is_some_and(|m| m.overall() != NameMatch::Mismatch);
    let (state, label) = if member_mismatch || binding_mismatch {
        (CardState::Mismatch, "照合不一致")
    } else if c.check.chain.anchor_source == AnchorSource::Extra {
        (
            CardState::TestAnchor,
            "テスト用証明書で照合（本番の照合ではありません）",
        )
    } else if !linked {
        (CardState::GenuineNotLinked, "カード真正・本人未照合")
    } else {
        (CardState::Checked, "カード照合済み")
    };
    CardBadge {
        state,
        label: label.into(),
        checked_at: Some(japan_time(c.check.checked_at)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::eligibility::CopayRate;
    use crate::screen::rules::test_fixtures::{d, record};
    use chrono::TimeZone;

    /// A 2割 typed before the 高齢受給者 start from the document sent ahead (an お知らせ issued
    /// within the announcement, no 有効開始年月日) is dated in its field, with the share until
    /// then; from the start day it is the share in force and shown alone. A 3割 is not dated,
    /// nor a 2割 on a document issued before the announcement (asked to be checked instead).
    #[test]
    fn a_2_wari_typed_ahead_of_the_elderly_start_is_dated() {
        let born = d(1956, 12, 1); // 高齢受給者 from 2026-12-01.
        let two = EligibilityRecord {
            copay: Some(CopayRate::Twenty),
            issued_on: Some(d(2026, 11, 20)),
            ..record(DocumentKind::Notice, None)
        };
        let alone = HouseholdContext::default();
        let field = |r: &EligibilityRecord, today| copay_field(r, born, &alone, today).unwrap();
        let before = field(&two, d(2026, 11, 30));
        assert_eq!(before.value, "2割");
        assert_eq!(
            before.secondary.as_deref(),
            Some("令和8年12月1日から。それまでは3割")
        );
        assert_eq!(field(&two, d(2026, 12, 1)).secondary, None);
        let three = EligibilityRecord {
            copay: Some(CopayRate::Thirty),
            ..two.clone()
        };
        assert_eq!(field(&three, d(2026, 11, 30)).secondary, None);
        let early = EligibilityRecord {
            issued_on: Some(d(2026, 8, 1)),
            ..two
        };
        assert_eq!(field(&early, d(2026, 11, 30)).secondary, None);
    }

    /// A time later than `now` on the same day in Japan is 「今日」, not 「未来の日時」 (the CLI's
    /// `--at` of today is noon; an entry made at 17:38 is not in the future of that day); a later
    /// day is.
    #[test]
    fn later_the_same_day_is_not_future() {
        // 2026-11-29 12:00 JST = 03:00 UTC; 17:38 JST = 08:38 UTC.
        let noon = Utc.with_ymd_and_hms(2026, 11, 29, 3, 0, 0).unwrap();
        let evening = Utc.with_ymd_and_hms(2026, 11, 29, 8, 38, 0).unwrap();
        assert_eq!(age(evening, noon), "今日");
        assert_eq!(age(noon, evening), "5時間前");
        // 2026-11-30 00:10 JST: the next day in Japan.
        let next_day = Utc.with_ymd_and_hms(2026, 11, 29, 15, 10, 0).unwrap();
        assert_eq!(age(next_day, noon), "未来の日時");
    }

    /// A 資格確認書 is presented on paper: a hand-typed one's screen is no substitute; a signed
    /// one's may be read at the desk, and taking it in the paper's place is the clinic's call —
    /// what the desk's verdict says of it too (`clinic::DeskOutcome::basis_ja`).
    #[test]
    fn a_signed_certificate_screen_says_what_the_desk_says() {
        let certificate = crate::screen::rules::test_fixtures::record(
            DocumentKind::Certificate,
            NaiveDate::from_ymd_opt(2030, 11, 30),
        );
        let hand = fixed_notice(&[(&certificate, ProvenanceState::HandEntered, true)]);
        assert!(
            hand.contains(
                "見せるのは紙の資格確認書です。この画面は資格確認書の代わりにはなりません。"
            ),
            "{hand}"
        );
        let signed = fixed_notice(&[(&certificate, ProvenanceState::Verified, true)]);
        assert!(
            signed.contains("見せるのは紙の資格確認書です。紙がないときは、署名を確認したこの画面")
                && signed.contains("紙の代わりに受け付けるかどうかは医療機関の判断です。"),
            "{signed}"
        );
        assert!(!signed.contains("代わりにはなりません"), "{signed}");
    }
}
