//! The Japanese text of the screen's notices, dates in 和暦. The rules in [`super::rules`]
//! decide which notice applies and when; the words are here.

use chrono::{Datelike, Days, NaiveDate};

use super::wareki::format_wareki;
use crate::eligibility::{DocumentKind, EligibilityRecord, Scheme};

/// The insurer of `record` as the notices name it: its 保険者名, or its 保険者番号 when no name
/// was entered.
pub(super) fn insurer_of(record: &EligibilityRecord) -> String {
    if record.insurer_name.trim().is_empty() {
        record.insurer_number.as_str().to_string()
    } else {
        record.insurer_name.clone()
    }
}

/// `record` named for a notice about it, so that a family with several documents knows which
/// one the notice is about, as the screen's 状態 field and the household line do: 「保険者名の
/// 資格確認書」 ([`insurer_of`]); a 公費 受給者証 by its printed name.
pub(super) fn document_name(record: &EligibilityRecord) -> String {
    let insurer = insurer_of(record);
    if record.kind == DocumentKind::PublicExpense {
        insurer
    } else {
        format!("{insurer}の{}", record.kind.label_ja())
    }
}

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

/// The document `named` ([`document_name`]) ended on `end`, the day before the 75th birthday.
/// `myna_usable`: the member's card works as a マイナ保険証 (`MemberSituation::myna_usable`), so
/// it can be named beside the 後期高齢者医療 資格確認書; for a member without one only the
/// 資格確認書 is (as [`coverage_lost`]).
pub(super) fn document_ended_at_75(
    named: &str,
    end: NaiveDate,
    myna_usable: bool,
    give_back: Option<&str>,
) -> String {
    let e = format_wareki(end);
    let with = if myna_usable {
        // Since 2026-08 a 後期 member with a マイナ保険証 is mailed an お知らせ, not a
        // 資格確認書 (seed 003's ③): the card first, the 資格確認書 only if held.
        "マイナ保険証か、後期高齢者医療制度の資格確認書（お持ちなら）"
    } else {
        "後期高齢者医療制度の資格確認書"
    };
    let give_back = give_back.map_or(String::new(), |g| format!("この資格確認書は、{g}"));
    format!(
        "75歳の誕生日の前日（{e}）で、{named}は使えなくなりました。{with}で受診してください。\
         {give_back}"
    )
}

/// The document `named` ([`document_name`], of kind `doc`): its 有効期限 `end` has passed.
pub(super) fn document_expired(named: &str, doc: &str, end: NaiveDate) -> String {
    let e = format_wareki(end);
    format!(
        "{named}の有効期限（{e}）が過ぎています。この{doc}では受診できません。\
         新しいものが届いていないか、保険者に確認してください。"
    )
}

/// [`document_expired`] of an お知らせ or a マイナポータル copy while the card works as a
/// マイナ保険証: the card is used as before; the paper only is not to be shown.
pub(super) fn notice_expired(named: &str, doc: &str, end: NaiveDate) -> String {
    let e = format_wareki(end);
    format!(
        "{named}の有効期限（{e}）が過ぎています。この{doc}は窓口で見せないでください\
         （マイナ保険証はそのまま使えます）。新しいものが届いていないか、保険者に確認してください。"
    )
}

/// The 公費 受給者証 `named` ([`document_name`]): its 有効期限 `end` has passed. Its 助成 no
/// longer applies; the insurance still does; the new one comes from whoever issued it (the
/// 市区町村 or 都道府県 of the program, its 公費負担者), not from the insurer.
pub(super) fn public_expense_expired(named: &str, end: NaiveDate) -> String {
    let e = format_wareki(end);
    format!(
        "{named}の有効期限（{e}）が過ぎています。この受給者証では医療費の助成を受けられません\
         （保険の受診はマイナ保険証や資格確認書でできます）。新しい受給者証が届いていないか、\
         交付した市区町村などの窓口に確認してください。"
    )
}

/// The document `doc` is valid until `end`, the day before the 75th birthday.
/// The message of [`super::rules::NoticeCode::SignedDocumentExpired`].
pub(super) fn signed_document_expired(ended: NaiveDate) -> String {
    let e = format_wareki(ended);
    format!(
        "発行元の署名は確認できますが、この署名付きの写しは{e}で期限が切れています。\
         内容が今も正しいとは限りません。オンラインのときに同期して新しいものを受け取ってください。"
    )
}

pub(super) fn document_ends_at_75(named: &str, end: NaiveDate) -> String {
    let e = format_wareki(end);
    format!(
        "75歳の誕生日から後期高齢者医療制度に移るため、{named}は\
         75歳の誕生日の前日（{e}）まで有効です。"
    )
}

/// The document `named` ([`document_name`]): its 有効期限 `end` is near.
pub(super) fn document_expiring_soon(named: &str, end: NaiveDate) -> String {
    let e = format_wareki(end);
    format!("{named}の有効期限は{e}です。新しいものが届いているか確認してください。")
}

/// The document `named` ([`document_name`], of kind `doc`) ended on `end`, and its renewed one
/// (valid to `next_until`, when it has a last day) is recorded: show that one.
pub(super) fn document_renewed(
    named: &str,
    doc: &str,
    end: NaiveDate,
    next_until: Option<NaiveDate>,
) -> String {
    let e = format_wareki(end);
    let next = match next_until {
        Some(n) => format!("新しい{doc}（{}まで）", format_wareki(n)),
        None => format!("新しい{doc}"),
    };
    format!(
        "{named}（{e}まで）は有効期限が過ぎました。入力済みの{next}を使ってください。\
         古い{doc}は窓口で見せないでください。"
    )
}

/// The 資格確認書 `named` ([`document_name`]) ended on `end`; the member's card works as a
/// マイナ保険証 and the same insurer's `with` (資格情報のお知らせ, マイナポータル) is recorded: no new
/// 資格確認書 is to be waited for (docs/dates.md §4).
pub(super) fn certificate_taken_over_by_myna(named: &str, end: NaiveDate, with: &str) -> String {
    let e = format_wareki(end);
    format!(
        "{named}（{e}まで）は有効期限が過ぎました。マイナ保険証をお使いの方には、\
         新しい資格確認書は原則として届きません。医療機関ではマイナンバーカードで受診してください\
         （カードリーダーが使えないときは、{with}をカードと一緒に見せます）。\
         古い資格確認書は窓口で見せないでください。"
    )
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

/// What the マイナ保険証 does once the member has joined new insurance: it keeps working once the
/// new insurer has registered the member (notice A: 「就職や転職後の保険証の切り替え・更新が不要。
/// ※新しい保険者によるマイナンバーの資格登録が必要です」). Said only to a member whose card works
/// as a マイナ保険証 (`MemberSituation::myna_usable`), by the to-do and by [`coverage_lost`] alike.
pub(super) const MYNA_AFTER_JOINING: &str =
    "マイナ保険証は、新しい保険者の登録が済めばそのまま使えます。";

/// The insurance a member joins after a record is lost (資格喪失日), from the lost record's scheme,
/// whose record it was (本人・家族) and the member's age (docs/rules.md §3.3): the one rule of the
/// screen's `CoverageLost` notice, the guidance's to-do and its options.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum JoinAfterLoss {
    /// The 被保険者's own 協会けんぽ, 健保組合 or 船員保険 (法別 01, 02, 06): a new employer's
    /// insurance, a family member's as 被扶養者, 国保 — or 任意継続 with the same insurer, two
    /// months insured before the loss, applied for within 20 days counted from the 資格喪失日
    /// (健康保険法 §3(4), §37(1); 協会けんぽ: 喪失日 4月1日 → 4月20日), the next business day when
    /// the 20th is a 土日祝日.
    Continuation,
    /// A 共済 組合員's own record (法別 31–34): as [`JoinAfterLoss::Continuation`], but a year
    /// before the loss and 20 days counted from the 退職日, the day before the 資格喪失日
    /// (国家公務員共済組合連合会, kokkoukyosai.or.jp; 大分県, pref.oita.jp: 「5月31日に退職のときは
    /// 6月19日まで」).
    MutualAid,
    /// No 任意継続: a 国保, a 被扶養者's record (only a 被保険者 of two months can continue:
    /// 健康保険法 §3(4)), 日雇, 特例退職, 自衛官等.
    Other,
    /// A 後期 record lost under 75 (a 障害認定, 65–74): by application, and withdrawable, so
    /// 後期 again (a new 障害認定 application where the member lives now) or 国保 and the rest
    /// (群馬県後期高齢者医療広域連合, gunma-kouiki.jp).
    Disability,
    /// 75 or over: 後期高齢者医療 again, the prefecture's 広域連合 where the member lives
    /// (高齢者の医療の確保に関する法律 §50); neither 国保 (国民健康保険法 §6(8)) nor an employer's
    /// insurance is open.
    LateElderly,
}

impl JoinAfterLoss {
    /// For a record of `scheme`, the member's own (`dependent` false) or a 家族 one, lost by a
    /// member who is (`late_elderly`) or is not 75 or over.
    pub(super) fn of(scheme: Scheme, dependent: bool, late_elderly: bool) -> JoinAfterLoss {
        match scheme {
            _ if late_elderly => JoinAfterLoss::LateElderly,
            Scheme::LateElderly => JoinAfterLoss::Disability,
            _ if dependent => JoinAfterLoss::Other,
            Scheme::KyokaiKenpo | Scheme::Seamen | Scheme::SocietyManaged => {
                JoinAfterLoss::Continuation
            }
            Scheme::NationalPublicServants
            | Scheme::LocalPublicServants
            | Scheme::Police
            | Scheme::Teachers => JoinAfterLoss::MutualAid,
            _ => JoinAfterLoss::Other,
        }
    }

    /// A 被保険者 who lost a record of `scheme` may continue it by 任意継続
    /// ([`JoinAfterLoss::Continuation`], [`JoinAfterLoss::MutualAid`]), their 被扶養者 with them.
    pub(super) fn insured_can_continue(scheme: Scheme) -> bool {
        matches!(
            JoinAfterLoss::of(scheme, false, false),
            JoinAfterLoss::Continuation | JoinAfterLoss::MutualAid
        )
    }

    /// The last day to apply for 任意継続 after a loss on `lost_on` (the 20th day), and the day
    /// it is offered until (past a Saturday or Sunday; the app knows no 祝日, which the text
    /// names); `None` where there is no 任意継続.
    fn continuation_days(self, lost_on: NaiveDate) -> Option<(NaiveDate, NaiveDate)> {
        let days = match self {
            JoinAfterLoss::Continuation => 19,
            JoinAfterLoss::MutualAid => 18,
            _ => return None,
        };
        let last = lost_on.checked_add_days(chrono::Days::new(days))?;
        let until = match last.weekday() {
            chrono::Weekday::Sat => last.checked_add_days(chrono::Days::new(2))?,
            chrono::Weekday::Sun => last.succ_opt()?,
            _ => last,
        };
        Some((last, until))
    }

    /// 任意継続 can still be applied for on `today`.
    pub(super) fn continuation_open(self, lost_on: NaiveDate, today: NaiveDate) -> bool {
        self.continuation_days(lost_on)
            .is_some_and(|(_, until)| today <= until)
    }

    /// What to join, in a sentence or two; 任意継続 only while it can be applied for on `today`
    /// (its last day said: the 20th day, or — once that Saturday or Sunday has passed — the
    /// Monday it moved to, never a day already past; review of 2026-12-01).
    pub(super) fn join_ja(self, lost_on: NaiveDate, today: NaiveDate) -> String {
        match self {
            JoinAfterLoss::LateElderly => String::from(
                "75歳以上の方の保険は後期高齢者医療です（ほかの都道府県へ転居したときは、転居先の\
                 後期高齢者医療広域連合）。お住まいの市区町村の後期高齢者医療の窓口で手続きを\
                 確かめてください。",
            ),
            JoinAfterLoss::Disability => String::from(
                "障害認定で後期高齢者医療に加入していた方は、お住まいの市区町村の窓口で、後期高齢者\
                 医療（障害認定の申請）か国民健康保険などへの加入を確かめてください。",
            ),
            _ => {
                let mut text = String::from(
                    "新しい勤務先の健康保険、ご家族の健康保険の被扶養者、またはお住まいの\
                     市区町村の国民健康保険に加入してください。",
                );
                if let Some((last, until)) = self.continuation_days(lost_on)
                    && today <= until
                {
                    let last = if today > last { until } else { last };
                    text.push_str(&format!(
                        "退職したときは、それまで{}以上加入していれば、{}（土日祝日なら翌営業日）\
                         までに申し出ると任意継続も選べます。",
                        if self == JoinAfterLoss::MutualAid {
                            "1年"
                        } else {
                            "2か月"
                        },
                        format_wareki(last)
                    ));
                }
                text
            }
        }
    }

    /// Where a 資格確認書 of the lost record goes back: through the employer within 5 days for a
    /// 被用者保険 (notice A), through the 所属所 (the office the 組合員 worked at) for a 共済
    /// (公立学校共済組合 富山支部: 「所属所を通じて速やかに返却」; 長野支部: 任意継続になる方も
    /// 現職中の証は所属所へ), to the insurer for 国保 and 後期 (docs/rules.md §3.3), and for a
    /// 日雇 or 特例退職 record, which no single employer holds and no 任意継続 follows
    /// (INFERENCE: a 特例退職被保険者 is a retiree; a 日雇特例被保険者 works for many). 法別 34
    /// is both 公立学校共済組合 and 私学共済, whose 学校法人 returns the 資格確認書 with its
    /// 資格喪失報告書 (pmac.shigaku.go.jp, 加入者資格を喪失するとき: 「学校法人等は、「資格喪失
    /// 報告書」に加入者証や加入者被扶養者証、資格確認書を添付して提出してください」).
    ///
    /// `since` is the day the coverage (or the 被扶養者 status) ended (`None`: not known — a
    /// record taken over by a later one, `super::takeover` — so the deadline is past telling and
    /// the text says 「すぐに」), `today` the day shown:
    /// notice A's 「資格を喪失したとき、又は被扶養者でなくなったときは、5日以内に資格確認書を
    /// 事業主に提出」 is said with its last day (the first one counted) while it lasts; after it
    /// the text says 「すぐに」, since a deadline already past is no instruction.
    pub(super) fn give_back_ja(
        scheme: Scheme,
        since: Option<NaiveDate>,
        today: NaiveDate,
        holder: Holder,
    ) -> String {
        // A 家族's goes back through the 被保険者 (the 組合員 of a 共済; notice A: 「被扶養者で
        // なくなったときは…事業主に提出」), and 任意継続 is the 被保険者's, not the 家族's: said
        // in the past when the 被保険者 has left that insurance (at 75 a 任意継続 ends too:
        // 健康保険法 §38, 「後期高齢者医療の被保険者等となったとき」), as for the 被保険者's own.
        let dependent = holder != Holder::Insured;
        let was = if holder == Holder::DependentOfFormerInsured {
            "だった"
        } else {
            ""
        };
        let (through, continued) = if dependent {
            ("被保険者を通じて", format!("被保険者が任意継続{was}なら"))
        } else {
            ("", "任意継続被保険者だった方は".to_string())
        };
        match scheme {
            Scheme::DayLaborer | Scheme::SpecialRetiree => {
                format!("{through}保険者へ返してください。")
            }
            Scheme::NationalHealthInsurance | Scheme::NhiRetiree | Scheme::LateElderly => {
                "保険者（市区町村など）へ返してください。".into()
            }
            Scheme::NationalPublicServants | Scheme::LocalPublicServants | Scheme::Police => {
                if dependent {
                    format!(
                        "組合員を通じて速やかに所属所（組合員が任意継続{was}なら共済組合）へ\
                         返してください。"
                    )
                } else {
                    "速やかに所属所（任意継続組合員だった方は共済組合）へ返してください。".into()
                }
            }
            Scheme::Teachers => format!(
                "{}速やかに所属所または勤務先の学校法人（{}共済組合または私学事業団）へ\
                 返してください。",
                if dependent {
                    "組合員・加入者を通じて"
                } else {
                    ""
                },
                if dependent {
                    format!("組合員・加入者が任意継続{was}なら")
                } else {
                    "任意継続だった方は".to_string()
                }
            ),
            _ => match since.and_then(|s| s.checked_add_days(Days::new(4))) {
                Some(last) if today <= last => format!(
                    "{through}{}までに事業主（{continued}保険者）へ返してください（5日以内）。",
                    format_wareki(last)
                ),
                _ => format!("{through}すぐに事業主（{continued}保険者）へ返してください。"),
            },
        }
    }
}

/// [`super::rules::NoticeCode::InsurancesOverlap`]: `a` and `b` (named by
/// `situation::certificate_name`) both in force, of different 資格. One public health insurance
/// at a time (国民健康保険法 §6, 健康保険法 §3(7)), so one has ended; the date that says which is
/// asked for: of `undated`, the one that prints no start of its own, when the other prints one.
pub(super) fn insurances_overlap(a: &str, b: &str, undated: Option<&str>) -> String {
    let ask = match undated {
        // The other one prints its start: this one's decides which is the current one.
        Some(name) => {
            format!("日付のない{name}の資格取得年月日（なければ有効開始年月日）を入力してください")
        }
        None => "新しいほうの資格取得年月日か、古いほうの資格喪失日を入力してください".to_string(),
    };
    format!(
        "{a}と{b}が、どちらも今日使えるものとして入力されています。医療保険には一度に一つしか\
         加入できないため、どちらかはもう使えないはずです。{ask}（わからないときは保険者に確認して\
         ください）。それまでは、今加入している保険のものだけを窓口で見せてください。もう使わない古い\
         書類なら、その入力を削除してもかまいません（資格確認書そのものは返却が必要です）。"
    )
}

/// Whose 資格確認書 goes back ([`JoinAfterLoss::give_back_ja`]): the 被保険者's own, or a
/// 被扶養者's through the 被保険者 — who still holds that insurance (the 家族 left it: a job of
/// their own, an income over the limit), or has left it too (a 資格喪失日, the 75th birthday),
/// when whether they were in 任意継続 is said in the past.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Holder {
    /// The 被保険者 (組合員, 加入者): the document is their own.
    Insured,
    /// A 被扶養者 whose 被保険者 still holds the insurance.
    Dependent,
    /// A 被扶養者 whose 被保険者 has left the insurance (the status ended with it).
    DependentOfFormerInsured,
}

/// The insurance a 被扶養者 whose 被保険者 lost theirs joins as that 被保険者's 被扶養者: 任意継続
/// named only where the 被保険者 may have chosen it (`MemberSituation::insured_may_continue`).
/// `insured`: what the lost insurance called the 被保険者 ([`Scheme::insured_person_ja`]).
/// `named`: the 被保険者's next insurance typed in (`notices_household::InsuredNext`, one with
/// 被扶養者), named instead: 「被保険者の新しい保険（山田商事健康保険組合）」.
pub(super) fn insured_new_insurance(
    insured: &str,
    continuation: bool,
    named: Option<&str>,
) -> String {
    if let Some(named) = named {
        format!("{insured}の新しい保険（{named}）")
    } else if continuation {
        format!("{insured}の新しい保険（新しい勤務先の健康保険や任意継続）")
    } else {
        format!("{insured}の新しい保険（新しい勤務先の健康保険など）")
    }
}

/// The record `doc` of `insurer` ([`insurer_of`]) was lost on `lost_on` (資格喪失日); notice
/// A's advice. The lost 資格 is named, not the insurer's coverage: under 任意継続 the same
/// insurer covers the member again, with new documents. `give_back`: the 資格確認書's
/// ([`JoinAfterLoss::give_back_ja`]), `None` for a document not returned. `join`: what to join
/// ([`JoinAfterLoss::join_ja`]), `None` once another insurance record of the member is in force
/// (the member has joined: only what ended and the give-back are said). `myna_usable`: the
/// member's card works as a マイナ保険証, so it
/// keeps working after the new insurer's registration ([`MYNA_AFTER_JOINING`]); for a member
/// without one (a 資格確認書 alone: the 健康保険組合's 「マイナ保険証特設ページ」 (docs/guidance.md
/// §2): 資格確認書の発行対象 「マイナンバーカードを持っていない方 / 健康保険証として利用登録して
/// いない方」) that is not said.
pub(super) fn coverage_lost(
    insurer: &str,
    doc: &str,
    lost_on: NaiveDate,
    give_back: Option<&str>,
    join: Option<&str>,
    myna_usable: bool,
) -> String {
    let l = format_wareki(lost_on);
    let myna = if myna_usable { MYNA_AFTER_JOINING } else { "" };
    let give_back = give_back.map_or(String::new(), |g| format!("この資格確認書は、{g}"));
    match join {
        Some(join) => format!(
            "資格喪失日（{l}）から、この{doc}の資格（{insurer}）では受診できません。{give_back}{join}\
             新しい保険者の資格確認書または資格情報のお知らせを受け取ってください。{myna}"
        ),
        None => format!(
            "資格喪失日（{l}）から、この{doc}の資格（{insurer}）では受診できません。{give_back}"
        ),
    }
}

/// The document `named` ([`document_name`]) is taken over by the new 資格 with `by`
/// ([`insurer_of`]; the same insurer under 任意継続) acquired on `on`: one public health
/// insurance at a time, so the old coverage ended no later than that day (`super::takeover`).
/// `give_back`: where a 資格確認書 goes ([`JoinAfterLoss::give_back_ja`]).
pub(super) fn taken_over_by_other_insurance(
    named: &str,
    by: &str,
    on: NaiveDate,
    give_back: Option<&str>,
) -> String {
    let give_back = give_back.map_or(String::new(), |g| format!("この資格確認書は、{g}"));
    format!(
        "新しい資格（{by}、{}取得）が入力されているため、{named}（これまでの資格）は使えません\
         （健康保険の資格は一度に一つだけで、これまでの資格は遅くともその日に終わっています）。\
         {give_back}",
        format_wareki(on)
    )
}

/// The 国保 of a member whose 被用者保険 (a job's) started on `joined_on`
/// ([`taken_over_by_other_insurance`]): it does not end by itself — the 世帯主 files its
/// 資格喪失 with the 市区町村 (a 国保組合's member with the 組合) within 14 days (国民健康保険法
/// §9(1), 国民健康保険法施行規則 §13; 初日不算入, 民法 §140: the 14th day after `joined_on` is
/// the last), with the new insurance's document (大野城市: 「健康保険の変更は、市では把握できない
/// ため、届け出が必要です」). Said as 「まだなら」: the app does not know whether it was done; once
/// the 14 days have passed, 「すぐに」, since a deadline already past is no instruction.
pub(super) fn nhi_leave_filing(joined_on: NaiveDate, today: NaiveDate) -> String {
    let how = "新しい保険の資格確認書か資格情報のお知らせなどを持って、お住まいの市区町村\
               （国保組合ならその組合）に国民健康保険をやめる届出をしてください";
    let (when, late) = match joined_on.checked_add_days(Days::new(NHI_FILING_DAYS)) {
        Some(last) if today <= last => (
            format!("{}までに（加入した日から14日以内）", format_wareki(last)),
            "",
        ),
        _ => (
            "すぐに".to_string(),
            "（期限は加入した日から14日以内ですが、過ぎていても届出は必要です）",
        ),
    };
    format!(
        "国民健康保険は、ほかの健康保険に加入しても自動では終わりません。届出がまだなら、\
         {when}、{how}{late}。"
    )
}

/// The days of the 国保's 資格喪失 filing after the event (国民健康保険法施行規則 §13).
const NHI_FILING_DAYS: u64 = 14;

/// The document `named` ([`document_name`]) prints no 資格喪失日, but another paper of the same
/// 資格 does (`super::takeover`, [`super::takeover::TakeoverCause::SameCoverageLost`]): the 資格
/// ended on `on`, and this paper with it (or it had expired before: either way not usable, so
/// no 「その日から」). `give_back`: where a 資格確認書 goes.
pub(super) fn same_coverage_lost(named: &str, on: NaiveDate, give_back: Option<&str>) -> String {
    let give_back = give_back.map_or(String::new(), |g| format!("この資格確認書は、{g}"));
    format!(
        "資格喪失日（{}）でこの資格はなくなったため、{named}も使えません。{give_back}",
        format_wareki(on)
    )
}

/// The 資格確認書 `named` ([`document_name`]) was reissued from `on` (`super::takeover`).
pub(super) fn reissued(named: &str, on: NaiveDate) -> String {
    format!(
        "{named}は、{}から新しく交付された資格確認書に替わりました。古い資格確認書は使えないので、\
         新しいほうを窓口で見せてください。",
        format_wareki(on)
    )
}

/// Coverage by `insurer` ([`insurer_of`]) under the record `doc` ends on `lost_on` (a
/// 資格喪失日 ahead); `next`: the next insurance typed in, which the member has joined.
pub(super) fn coverage_ending(
    insurer: &str,
    doc: &str,
    lost_on: NaiveDate,
    next: Option<&super::notices_record::NextInsurance>,
) -> String {
    let then = match next {
        Some(n) => format!(
            "次の保険として{}の書類（{}から）が入力されています。これまでの資格がなくなる日\
             からはそちらを使ってください。",
            n.insurer,
            format_wareki(n.from)
        ),
        None => "次の保険への加入手続きを済ませてください。".into(),
    };
    format!(
        "資格喪失日は{}です。その日から、この{doc}の資格（{insurer}）では受診できません。{then}",
        format_wareki(lost_on)
    )
}

/// What to use until a document not started yet starts ([`document_not_started`]).
pub(super) enum UntilThen {
    /// The 資格確認書 in force through the day before, each named as the guidance names it
    /// (`situation::certificate_label`).
    Certificates(Vec<String>),
    /// The member's card works as a マイナ保険証.
    MynaHoken,
    /// A 後期高齢者医療 record of a member under 75: the insurance held now covers them until it
    /// starts (`MemberSituation::late_elderly_from`).
    CurrentInsurance,
    /// Nothing the record tells: the guidance (「窓口で見せるもの」) says what to present.
    Guidance,
}

/// The document `named` ([`document_name`]) starts on `from` (its 有効開始年月日, or its
/// 資格取得年月日 when `acquired` — `EligibilityRecord::starts_on`): not to be shown before, and
/// what to use until then — the guidance's words for a 資格確認書 not started
/// (「…は令和9年3月3日から使えます。それより前は見せないでください」).
/// `None`: nothing to say (a 公費 受給者証, which no insurance document replaces).
pub(super) fn document_not_started(
    named: &str,
    from: NaiveDate,
    acquired: bool,
    until_then: Option<UntilThen>,
) -> String {
    let f = format_wareki(from);
    let until_then = match until_then {
        Some(UntilThen::Certificates(names)) => {
            format!("それまでは{}を窓口で見せてください。", names.join("か"))
        }
        Some(UntilThen::MynaHoken) => String::from("それまでは、マイナ保険証で受診してください。"),
        Some(UntilThen::CurrentInsurance) => String::from(
            "それまでは今の保険（国民健康保険や勤め先の健康保険など）の資格確認書か、\
             マイナ保険証で受診してください。",
        ),
        Some(UntilThen::Guidance) => {
            String::from("それまでに受診するときは、「窓口で見せるもの」の案内を見てください。")
        }
        None => String::new(),
    };
    format!(
        "{named}は{f}（{}）から使えます。それより前は窓口で見せないでください。{until_then}",
        if acquired {
            "資格取得年月日"
        } else {
            "有効開始年月日"
        }
    )
}

/// 未就学 (2割) ends on `last_day`.
pub(super) fn preschool_ends(last_day: NaiveDate) -> String {
    format!(
        "未就学（負担割合2割）は{}までです。翌日（小学校入学の年の4月1日）から\
         負担割合は3割になります。",
        format_wareki(last_day)
    )
}

/// A record's 2割 was the 未就学 share, which ended on `last_day`: 3割 from the next day.
pub(super) fn preschool_share_ended(last_day: NaiveDate) -> String {
    format!(
        "記録の負担割合（2割）は未就学の間のものです。未就学の期間は{}で終わり、\
         翌日（小学校入学の年の4月1日）から負担割合は3割です。",
        format_wareki(last_day)
    )
}

/// A record is still marked 未就学 though 未就学 ended on `last_day`.
pub(super) fn preschool_flag_past(last_day: NaiveDate) -> String {
    format!(
        "未就学の期間は{}で終わっていますが、記録は未就学のままです。\
         新しい書類の記載を確認してください。",
        format_wareki(last_day)
    )
}

/// The typed share of `percent` is not one the law sets for the member (`why`: for whom), or not
/// the one its record's 高齢受給者 block prints; `allowed` lists the shares it could be.
pub(super) fn copay_implausible(percent: u8, allowed: &[u8], why: &str) -> String {
    let allowed: Vec<String> = allowed.iter().map(|p| format!("{}割", p / 10)).collect();
    format!(
        "記録の負担割合（{}割）は、{why}の負担割合（{}）と合いません。\
         書類の記載を確認してください。",
        percent / 10,
        allowed.join("または")
    )
}

/// No 負担割合 is recorded where the law leaves it to the member: 2割 or 3割 for a 高齢受給者
/// (70–74), or, `late_elderly`, 1割, 2割 or 3割 under 後期高齢者医療. Which document prints it
/// (docs/rules.md §1.5): the 資格確認書 or the お知らせ since the 高齢受給者証 was merged into them;
/// the 後期高齢者医療 資格確認書 (窓口負担割合).
///
/// `pre_70`: the record's share of that many 割 was printed on a document issued before the
/// 高齢受給者 start (the under-70 share), so it is not the member's share now; the notice says so.
pub(super) fn copay_missing(late_elderly: bool, pre_70: Option<u8>) -> String {
    // `printed_on`: the documents that print the share. For 70–74, the ones sent for 高齢受給者
    // status (a 資格確認書 or お知らせ issued before 70 does not print it: docs/rules.md §1.5).
    let (who, shares, printed_on, documents, with_card) = if late_elderly {
        (
            "後期高齢者医療",
            "1割、2割または3割で、所得によって",
            "後期高齢者医療の資格確認書",
            "後期高齢者医療の資格確認書",
            "",
        )
    } else {
        (
            "70〜74歳の方",
            "2割または3割で、人によって",
            "70歳以降に保険者から届いた資格確認書または資格情報のお知らせ",
            "資格確認書または資格情報のお知らせ",
            "（資格情報のお知らせはマイナンバーカードと一緒に）",
        )
    };
    let recorded = match pre_70 {
        Some(rate) => format!(
            "記録の負担割合（{rate}割）は70歳になる前に交付された書類のもので、70歳からの\
             負担割合とは限りません。"
        ),
        None => "この記録には負担割合が入力されていません。".to_string(),
    };
    format!(
        "{who}の負担割合は{shares}違いますが、{recorded}\
         {printed_on}に印字された負担割合を入力してください。マイナ保険証がカードリーダーで\
         読み取れないときは、医療機関は負担割合を書類で確かめます。受診には負担割合が印字された\
         {documents}を持って行ってください{with_card}。"
    )
}

/// 高齢受給者 status starts on `start` (the 1st of the month after reaching 70).
/// On the start day itself (`started`) it is said in the past, and the share the document
/// prints is asked for (the screen's `CopayNotRecorded` starts the next day). Before it, with a
/// 2割 typed from the document sent ahead (`typed_ahead`,
/// `notices_record::elderly_share_ahead`), the document has come: the notice says from when
/// that 2割 applies and the share until then ([`ELDERLY_SHARE_BEFORE`]).
pub(super) fn elderly_recipient_starts(
    start: NaiveDate,
    started: bool,
    typed_ahead: bool,
) -> String {
    if typed_ahead && !started {
        return format!(
            "{}から高齢受給者となり、負担割合は2割になります。入力されている2割はその日からの\
             負担割合で、それまでは{ELDERLY_SHARE_BEFORE}です。",
            format_wareki(start)
        );
    }
    let (become_, document) = if started {
        (
            "なりました",
            "が届いています。その負担割合を入力してください",
        )
    } else {
        ("なります", "が届きます")
    };
    format!(
        "{}から高齢受給者となり、負担割合は2割（現役並み所得の方は3割）に{become_}。\
         保険者から負担割合を記した書類（資格確認書または資格情報のお知らせ）{document}。",
        format_wareki(start)
    )
}

/// The share before the 高齢受給者 start, at 69: an adult's 3割 — a 被保険者's (健康保険法
/// §74(1)(i), 国民健康保険法 §42(1)(i)) and a 被扶養者's (家族療養費 7割, 健康保険法 §110(2)(i)イ).
/// A member entering 後期高齢者医療 by a 障害認定 gets no 高齢受給者 start
/// (`notices_record::elderly_start_announced`). A 国保 may lower the share by its 条例 or 規約
/// (国民健康保険法 §43(1)); the rare member concerned reads it on their document.
pub(super) const ELDERLY_SHARE_BEFORE: &str = "3割";

/// The household overview's line under a member's top notice when `others` more are on the
/// member's screen; `None` for none.
pub(super) fn more_notices(others: usize) -> Option<String> {
    (others > 0)
        .then(|| format!("ほかにお知らせが{others}件あります（この人の画面で確認してください）"))
}

/// The My Number Card and its certificate both end on `valid_until` (a card issued under 18):
/// a new card is needed, not a certificate renewal.
pub(super) fn card_and_certificate_expiring(valid_until: NaiveDate) -> String {
    format!(
        "マイナンバーカードと電子証明書の有効期限は、どちらも{}です。電子証明書の更新では\
         足りず、新しいカードが必要です。交付まで1か月ほどかかるため、早めに市区町村で\
         申請してください。",
        format_wareki(valid_until)
    )
}

/// What ended a 被扶養者's documents with the 被保険者's coverage
/// ([`dependent_loses_status_with_insured`]).
pub(super) struct InsuredLoss<'a> {
    /// What the insurance calls the 被保険者 ([`Scheme::insured_person_ja`]).
    pub(super) insured: &'a str,
    /// The insurer of the ended coverage ([`insurer_of`]).
    pub(super) insurer: &'a str,
    /// The dependent's documents on it (「保険者名の資格確認書」).
    pub(super) named: &'a str,
    /// The 被保険者's 資格喪失日 — or, when `implied`, the 資格取得年月日 of their new 資格 that
    /// took the old one over (`super::takeover`): the old one ended no later than that day.
    pub(super) on: NaiveDate,
    /// `on` is the new 資格's 資格取得年月日, not a 資格喪失日 typed on the old record.
    pub(super) implied: bool,
    /// The day has come.
    pub(super) past: bool,
    /// The 被保険者's insurance has 任意継続 ([`JoinAfterLoss::insured_can_continue`]).
    pub(super) continuation: bool,
    /// Another insurance record of the dependent is in force: they have joined.
    pub(super) covered_again: bool,
    /// Where the dependent's 資格確認書 goes back ([`JoinAfterLoss::give_back_ja`]), when one
    /// of the documents is one.
    pub(super) give_back: Option<String>,
    /// The 被保険者's next insurance, when typed in.
    pub(super) next: Option<&'a super::notices_household::InsuredNext>,
    /// Before the day: the dependent's next insurance typed in, starting by then.
    pub(super) joined: Option<&'a super::notices_record::NextInsurance>,
}

/// What a 被扶養者 whose 被保険者 lost that insurance joins (docs/rules.md §1.4 "Dependents"): the
/// 被保険者's new insurance as their 被扶養者 — named when typed in (`next`), and not offered when
/// it has no 被扶養者 (国保, 後期高齢者医療: then another family member's insurance is, in the
/// words of [`NHI_OR_FAMILY`]) — or 国保 at the 市区町村. `before`: said before the day, to
/// prepare.
pub(super) fn dependent_join_after_insured_loss(
    insured: &str,
    continuation: bool,
    next: Option<&super::notices_household::InsuredNext>,
    before: bool,
) -> String {
    let act = if before {
        "準備してください"
    } else {
        "してください"
    };
    match next {
        Some(n) if !n.through_insured => {
            let family = if before {
                NHI_OR_FAMILY_BEFORE
            } else {
                NHI_OR_FAMILY
            };
            if n.as_dependent {
                format!(
                    "{insured}は新しい保険（{}）に被扶養者として{}ため、{insured}の\
                     被扶養者にはなれません。{family}",
                    n.insurer,
                    if before {
                        "加入する"
                    } else {
                        "加入している"
                    }
                )
            } else {
                format!(
                    "{insured}の新しい保険（{}）には被扶養者の制度がありません。{family}",
                    n.insurer
                )
            }
        }
        _ => format!(
            "{}の被扶養者になるか、お住まいの市区町村で国民健康保険に加入する手続きを{act}。",
            insured_new_insurance(insured, continuation, next.map(|n| n.insurer.as_str()))
        ),
    }
}

/// A 被扶養者 who cannot join through the 被保険者 (their 75th birthday, or a new insurance
/// without 被扶養者): 国保, or another family member's insurance as 被扶養者.
pub(super) const NHI_OR_FAMILY: &str = "お住まいの市区町村で国民健康保険に加入するか、ほかのご家族の健康保険の被扶養者になる手続きをしてください。";

/// [`NHI_OR_FAMILY`] before the day.
const NHI_OR_FAMILY_BEFORE: &str = "お住まいの市区町村で国民健康保険に加入するか、ほかのご家族の健康保険の被扶養者になる手続きを準備してください。";

/// Before a 被扶養者's status ends: the next insurance typed in, else what to prepare.
fn dependent_next_ja(
    joined: Option<&super::notices_record::NextInsurance>,
    prepare: &str,
) -> String {
    match joined {
        Some(n) => format!(
            "次の保険として{}の書類（{}から）が入力されています。これまでの資格がなくなる日\
             からはそちらを使ってください。",
            n.insurer,
            format_wareki(n.from)
        ),
        None => prepare.to_string(),
    }
}

/// The 被保険者's record on `insurer` has its 資格喪失日: the 被扶養者's status on it ends the same
/// day, and the dependent's documents on it with it. The next step: the 被保険者's new insurance
/// as 被扶養者 (a new employer's, or 任意継続), or 国保 (docs/rules.md §1.4 "Dependents", §3.3);
/// once the dependent is covered again, only what ended and where a 資格確認書 goes back.
pub(super) fn dependent_loses_status_with_insured(loss: &InsuredLoss<'_>) -> String {
    let InsuredLoss {
        insured,
        insurer,
        named,
        on,
        implied,
        past,
        continuation,
        covered_again,
        next: insured_next,
        ref give_back,
        joined,
    } = *loss;
    let l = format_wareki(on);
    let give_back = give_back
        .as_deref()
        .map_or(String::new(), former_certificate_back);
    if past {
        // Another insurance of the member in force: they have joined, so the next step is not
        // said (as the 本人's `coverage_lost`).
        let next = if covered_again {
            String::new()
        } else {
            dependent_join_after_insured_loss(insured, continuation, insured_next, false)
        };
        let why = if implied {
            format!(
                "{insured}の新しい資格（{l}取得）が入力されているため、{insurer}のこれまでの資格は\
                 遅くともその日に終わり、これまでの被扶養者の資格もなくなりました。"
            )
        } else {
            format!(
                "{insured}が{insurer}の資格を喪失したため（資格喪失日 {l}）、その日からこれまでの\
                 被扶養者の資格もなくなりました。"
            )
        };
        format!("{why}{named}（これまでの資格）では受診できません。{give_back}{next}")
    } else {
        let prepare = match insured_next {
            Some(_) => dependent_join_after_insured_loss(insured, continuation, insured_next, true),
            None => format!(
                "{insured}の新しい保険の被扶養者になるか、お住まいの市区町村で国民健康保険に加入する\
                 手続きを準備してください。"
            ),
        };
        let next = dependent_next_ja(joined, &prepare);
        if implied {
            format!(
                "{insured}の新しい資格の取得日は{l}です。その日までに{insurer}のこれまでの資格は\
                 終わり、被扶養者の資格もなくなり、{named}は使えなくなります。{next}"
            )
        } else {
            format!(
                "{insured}の{insurer}の資格喪失日は{l}です。その日から被扶養者の資格もなくなり、\
                 {named}は使えなくなります。{next}"
            )
        }
    }
}

/// Where a 被扶養者's former 資格確認書 goes back, `where_to` being
/// [`JoinAfterLoss::give_back_ja`]'s words: 「これまでの資格確認書は、…」.
pub(super) fn former_certificate_back(where_to: &str) -> String {
    format!("これまでの資格確認書は、{where_to}")
}

/// The 被保険者 of a dependent turns 75 on `birthday`; the dependent loses 被扶養者 status on
/// `insurer`'s insurance ([`insurer_of`]), and with it the documents `named` (「保険者名の
/// 資格確認書と資格情報のお知らせ」).
pub(super) fn dependent_loses_status_at_75(
    insured: &str,
    insurer: &str,
    named: &str,
    birthday: NaiveDate,
    past: bool,
    covered_again: bool,
    joined: Option<&super::notices_record::NextInsurance>,
) -> String {
    let b = format_wareki(birthday);
    if past {
        let next = if covered_again { "" } else { NHI_OR_FAMILY };
        // Where the 資格確認書 goes back, said by the caller after this text (`give_back`).
        format!(
            "{insured}が75歳になり（{b}）後期高齢者医療制度に移ったため、{insurer}の被扶養者の\
             資格はなくなりました。{named}では受診できません。{next}"
        )
    } else {
        let next = dependent_next_ja(joined, &format!("それまでに、{NHI_OR_FAMILY_BEFORE}"));
        format!(
            "{insured}が{b}に75歳になり後期高齢者医療制度に移るため、その日に{insurer}の\
             被扶養者の資格がなくなり、{named}は使えなくなります。{next}"
        )
    }
}
