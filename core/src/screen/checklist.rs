//! The switch checklist to the マイナ保険証 (notice A, STEP1–STEP3 and to-do items 1–3),
//! evaluated for a member's situation.

use serde::Serialize;

use super::calendar::ExpiryState;
use super::guidance::MemberSituation;

/// An answer in the switch checklist.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Answer {
    /// はい.
    Yes,
    /// いいえ.
    No,
    /// Not known from the data.
    Unknown,
}

impl Answer {
    /// はい, いいえ, or that the data does not tell.
    pub fn label_ja(self) -> &'static str {
        match self {
            Answer::Yes => "はい",
            Answer::No => "いいえ",
            Answer::Unknown => "不明（このアプリの記録からは分かりません）",
        }
    }
}

/// One STEP of notice A's マイナ保険証への切替チェックリスト that was reached.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ChecklistStep {
    /// 1, 2 or 3.
    pub step: u8,
    /// The question, worded as in notice A.
    pub question: &'static str,
    /// The member's answer.
    pub answer: Answer,
}

/// Where a to-do item stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum TodoStatus {
    /// Already done.
    Done,
    /// To do (listed in [`SwitchChecklist::next`]).
    ToDo,
    /// Not needed (a new card comes with a new certificate).
    NotNeeded,
    /// Not known from the data: check it.
    Unknown,
}

impl TodoStatus {
    /// 済み, やること, 不要 or 要確認.
    pub fn label_ja(self) -> &'static str {
        match self {
            TodoStatus::Done => "済み",
            TodoStatus::ToDo => "やること",
            TodoStatus::NotNeeded => "不要",
            TodoStatus::Unknown => "要確認",
        }
    }
}

/// One item of notice A's やることリスト.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TodoItem {
    /// 1, 2 or 3.
    pub number: u8,
    /// The item, worded as in notice A.
    pub text: &'static str,
    /// Where it stands.
    pub status: TodoStatus,
}

/// The switch checklist evaluated for a member.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SwitchChecklist {
    /// The STEPs reached, in order.
    pub steps: Vec<ChecklistStep>,
    /// The three to-do items, numbered 1–3.
    pub items: Vec<TodoItem>,
    /// The item numbers to do, in order (empty when the switch is complete).
    pub next: Vec<u8>,
    /// Seed 001's ※ note, when it applies (the certificate expired more than 3 months ago).
    pub note: Option<&'static str>,
}

impl SwitchChecklist {
    /// What to do next, in Japanese: the items in order (「1 → 2」); 「なし」 only when nothing is
    /// left to do *and* nothing is unknown; when nothing is known to be done but some item is
    /// 要確認 (nothing recorded yet, or a certificate never checked on this phone), to check
    /// those — 「なし」 would read as a switch complete.
    pub fn next_ja(&self) -> String {
        if !self.next.is_empty() {
            let order: Vec<String> = self.next.iter().map(u8::to_string).collect();
            order.join(" → ")
        } else if self.items.iter().any(|i| i.status == TodoStatus::Unknown) {
            "要確認の項目を確かめてください".into()
        } else {
            "なし".into()
        }
    }
}

/// STEP1's question (notice A).
pub const STEP1_QUESTION: &str = "お手元に有効なマイナンバーカードはありますか？(カードをお持ちの場合、期限は切れていませんか？)";
/// STEP2's question (notice A).
pub const STEP2_QUESTION: &str = "保険証利用の申し込みはお済みですか？";
/// STEP3's question (notice A).
pub const STEP3_QUESTION: &str = "電子証明書の更新をしていますか？";
/// To-do item 1 (notice A).
pub const TODO1: &str = "有効なマイナンバーカードをお持ちでない方は、まずは有効なカードを取得";
/// To-do item 2 (notice A).
pub const TODO2: &str = "マイナンバーカードをお持ちの方は保険証利用の申込み";
/// To-do item 3 (notice A).
pub const TODO3: &str = "電子証明書の更新をお忘れの方は市区町村の窓口へ";
/// Seed 001's ※ under STEP3.
pub const STEP3_NOTE: &str = "電子証明書の有効期限から3ヶ月が経過している場合は、保険証利用が解除されるため2を実施ください。";

/// Seed 001's checklist for a member: STEP1 (a valid card?) NO → 1 → 2; STEP2 (registered?)
/// NO → 2; STEP3 (certificate renewed?) NO → 3, and → 2 as well when the certificate expired
/// more than 3 months ago (※). One addition to the flow chart: when STEP2 is NO and the
/// certificate has already expired, 3 comes before 2, because registering needs a valid
/// certificate. A card past its own printed 有効期限 is not a valid card (STEP1: 「期限は切れて
/// いませんか？」), even while it still works as a 保険証 in its grace period.
///
/// STEP1 is いいえ only for a card known to be past its 有効期限: the data records a card (its
/// registration, its 有効期限, a check) but never that there is none. A 資格確認書 tells only that
/// the member has no マイナ保険証 — it is issued to 「マイナンバーカードを持っているが、健康保険証
/// 利用登録を行っていない方」 and 「マイナンバーカードの電子証明書の有効期限が切れている方」 as well
/// as to those without a card (notice A's 交付対象者; the 健康保険組合's 「マイナ保険証特設ページ」, docs/guidance.md
/// §2: 「マイナンバーカードを健康保険証として利用登録していない方」) — so with no card known STEP1 is 不明 and item 1 要確認. Item 2 is
/// still to do: not registered, it follows on either answer (NO → 1 → 2; YES, STEP2 NO → 2).
pub fn switch_checklist(member: &MemberSituation) -> SwitchChecklist {
    let mut steps = Vec::new();
    let mut next = Vec::new();
    let mut note = None;
    let cert = member.certificate;
    let has_valid_card =
        member.has_card && !matches!(member.card, Some(ExpiryState::InGrace | ExpiryState::Ended));
    let cert_expired = matches!(cert, Some(ExpiryState::InGrace | ExpiryState::Ended));

    let step = |n: u8, question: &'static str, yes: Option<bool>| ChecklistStep {
        step: n,
        question,
        answer: match yes {
            Some(true) => Answer::Yes,
            Some(false) => Answer::No,
            None => Answer::Unknown,
        },
    };

    // STEP1 is answered only from a card that is known: valid (はい) or past its 有効期限
    // (いいえ). With no card known the app cannot tell that there is none (不明).
    let card_known = member.has_card;
    steps.push(step(
        1,
        STEP1_QUESTION,
        card_known.then_some(has_valid_card),
    ));
    // With nothing recorded every item is 不明 too (the flow chart needs the member's own
    // answer).
    let known = card_known || !member.nothing_recorded;
    // Whether the card is registered may be unknown though something is recorded (a 後期
    // 資格確認書 alone, which everyone got until 2026-07-31): item 2 is then 要確認, not やること.
    let registration_known = known && !member.registration_unknown;
    if !card_known {
        if registration_known && !member.registered {
            next.push(2);
        }
    } else if !has_valid_card {
        next.extend([1, 2]);
    } else {
        let registered = (!member.registration_unknown).then_some(member.registered);
        steps.push(step(2, STEP2_QUESTION, registered));
        if registered.is_none() {
            // 不明: the member answers STEP2 (and STEP3 after it) themselves.
        } else if !member.registered {
            if cert_expired {
                next.push(3);
            }
            next.push(2);
        } else {
            let renewed = cert.map(|s| matches!(s, ExpiryState::Valid | ExpiryState::ExpiringSoon));
            steps.push(step(3, STEP3_QUESTION, renewed));
            if renewed == Some(false) {
                next.push(3);
                if cert == Some(ExpiryState::Ended) {
                    next.push(2);
                    note = Some(STEP3_NOTE);
                }
            }
        }
    }

    let status = |n: u8, done: Option<bool>| {
        if next.contains(&n) {
            TodoStatus::ToDo
        } else {
            match done {
                Some(true) => TodoStatus::Done,
                Some(false) => TodoStatus::NotNeeded,
                None => TodoStatus::Unknown,
            }
        }
    };
    let cert_done = match cert {
        _ if !card_known => None,
        _ if !has_valid_card => Some(false),
        None => None,
        Some(s) => Some(matches!(s, ExpiryState::Valid | ExpiryState::ExpiringSoon)),
    };
    let known_or = |done: Option<bool>| if known { done } else { None };
    let items = vec![
        TodoItem {
            number: 1,
            text: TODO1,
            status: status(1, card_known.then_some(has_valid_card)),
        },
        TodoItem {
            number: 2,
            text: TODO2,
            status: status(2, registration_known.then_some(member.registered)),
        },
        TodoItem {
            number: 3,
            text: TODO3,
            status: status(3, known_or(cert_done)),
        },
    ];
    SwitchChecklist {
        steps,
        items,
        next,
        note,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::eligibility::DocumentKind;
    use crate::screen::guidance::test_fixtures::{TODAY, d, myna, nothing, person, record};

    /// A 後期 資格確認書 alone says nothing of the 保険証利用登録 (everyone got one until
    /// 2026-07-31, docs/rules.md §3.1): item 2 is 要確認, not やること; a non-後期 one alone says
    /// the card is not registered (item 2 やること).
    #[test]
    fn a_late_elderly_certificate_alone_leaves_the_registration_to_check() {
        use crate::eligibility::{EligibilityRecord, InsurerNumber};
        let elder = person(d(1945, 2, 10));
        let late = [EligibilityRecord {
            insurer_number: InsurerNumber::parse("39131016").unwrap(),
            symbol: None,
            ..record(DocumentKind::Certificate, Some(d(2027, 7, 31)))
        }];
        let s = MemberSituation::from_data(&elder, &late, None, TODAY);
        let c = switch_checklist(&s);
        assert_eq!(c.items[1].status, TodoStatus::Unknown);
        assert!(!c.next.contains(&2));
        let other = [record(DocumentKind::Certificate, Some(d(2027, 7, 31)))];
        let s = MemberSituation::from_data(&elder, &other, None, TODAY);
        assert_eq!(switch_checklist(&s).items[1].status, TodoStatus::ToDo);
        // With the card known (its printed 有効期限), STEP2 is 不明 too, not いいえ.
        let with_card = crate::eligibility::MemberData {
            card_expires_on: Some(d(2030, 2, 10)),
            ..elder
        };
        let s = MemberSituation::from_data(&with_card, &late, None, TODAY);
        let c = switch_checklist(&s);
        assert_eq!(c.steps[1].answer, Answer::Unknown, "{c:?}");
        assert_eq!(c.items[1].status, TodoStatus::Unknown);
        assert!(!c.next.contains(&2));
    }

    /// 「なし」 only when nothing is to do and nothing is 要確認 (it said なし for a member with
    /// nothing recorded, every item 要確認).
    #[test]
    fn next_says_none_only_when_nothing_is_unknown() {
        let item = |number, status| TodoItem {
            number,
            text: TODO1,
            status,
        };
        let list = |next: Vec<u8>, statuses: [TodoStatus; 3]| SwitchChecklist {
            steps: Vec::new(),
            items: (1..=3).zip(statuses).map(|(n, s)| item(n, s)).collect(),
            next,
            note: None,
        };
        use TodoStatus::{Done, NotNeeded, ToDo, Unknown};
        assert_eq!(list(vec![1, 2], [ToDo, ToDo, NotNeeded]).next_ja(), "1 → 2");
        assert_eq!(list(vec![], [Done, Done, NotNeeded]).next_ja(), "なし");
        assert_eq!(
            list(vec![], [Unknown, Unknown, Unknown]).next_ja(),
            "要確認の項目を確かめてください"
        );
        assert_eq!(
            list(vec![], [Done, Done, Unknown]).next_ja(),
            "要確認の項目を確かめてください"
        );
    }

    /// A card known to be past its printed 有効期限 (and its grace period), not registered: the
    /// member of seed 001's STEP1 NO.
    fn card_past_expiry() -> MemberSituation {
        MemberSituation {
            registered: false,
            certificate: None,
            card: Some(ExpiryState::Ended),
            ..myna()
        }
    }

    fn statuses(c: &SwitchChecklist) -> Vec<TodoStatus> {
        c.items.iter().map(|i| i.status).collect()
    }

    fn answers(c: &SwitchChecklist) -> Vec<(u8, Answer)> {
        c.steps.iter().map(|s| (s.step, s.answer)).collect()
    }

    /// With nothing recorded the app cannot say the member has no card: STEP1 and every item
    /// are 不明, and nothing is put forward as the next step.
    #[test]
    fn nothing_recorded_answers_unknown() {
        let unknown = MemberSituation {
            nothing_recorded: true,
            ..nothing()
        };
        let c = switch_checklist(&unknown);
        assert_eq!(answers(&c), [(1, Answer::Unknown)]);
        assert_eq!(statuses(&c), [TodoStatus::Unknown; 3]);
        assert!(c.next.is_empty());
        // A card known to be past its 有効期限: STEP1 NO → 1 → 2 (seed 001).
        let c = switch_checklist(&card_past_expiry());
        assert_eq!(answers(&c), [(1, Answer::No)]);
        assert_eq!(c.next, [1, 2]);
    }

    /// A 資格確認書 alone says the member has no マイナ保険証, not that they have no card: it is
    /// issued to card holders who have not registered it, or whose certificate expired, too
    /// (notice A's 交付対象者; the 「マイナ保険証特設ページ」's 発行対象). STEP1 is 不明 and item 1 要確認 — not いいえ
    /// and 「まずは有効なカードを取得」 for a child who may well have a card — and item 2 is to do
    /// on either answer (seed 001: NO → 1 → 2, STEP2 NO → 2).
    #[test]
    fn a_certificate_alone_does_not_answer_step1() {
        let child = person(d(2019, 6, 1));
        let certificate = [record(DocumentKind::Certificate, Some(d(2030, 11, 30)))];
        let s = MemberSituation::from_data(&child, &certificate, None, TODAY);
        assert!(!s.has_card && !s.registered && !s.nothing_recorded);
        let c = switch_checklist(&s);
        assert_eq!(answers(&c), [(1, Answer::Unknown)]);
        assert_eq!(
            statuses(&c),
            [TodoStatus::Unknown, TodoStatus::ToDo, TodoStatus::Unknown]
        );
        assert_eq!(c.next, [2]);
        assert_eq!(c.note, None);
        // The member's own "no マイナ保険証" does not say there is no card either.
        let said_no = crate::eligibility::MemberData {
            myna_hoken: Some(false),
            ..child.clone()
        };
        let c = switch_checklist(&MemberSituation::from_data(&said_no, &[], None, TODAY));
        assert_eq!(answers(&c), [(1, Answer::Unknown)]);
        assert_eq!(c.next, [2]);
        // Neither does the bare situation with no card known.
        assert_eq!(
            answers(&switch_checklist(&nothing())),
            [(1, Answer::Unknown)]
        );
        // A card whose 有効期限 is typed answers it.
        let typed = crate::eligibility::MemberData {
            card_expires_on: Some(d(2030, 4, 1)),
            ..child
        };
        let c = switch_checklist(&MemberSituation::from_data(
            &typed,
            &certificate,
            None,
            TODAY,
        ));
        assert_eq!(answers(&c), [(1, Answer::Yes), (2, Answer::No)]);
        assert_eq!(c.next, [2]);
    }

    #[test]
    fn seed_001_checklist() {
        use Answer::*;
        use TodoStatus::*;
        // STEP1 NO → 1 → 2.
        let c = switch_checklist(&card_past_expiry());
        assert_eq!(answers(&c), [(1, No)]);
        assert_eq!(c.next, [1, 2]);
        assert_eq!(statuses(&c), [ToDo, ToDo, NotNeeded]);
        // STEP1 YES, STEP2 NO → 2.
        let c = switch_checklist(&MemberSituation {
            registered: false,
            ..myna()
        });
        assert_eq!(answers(&c), [(1, Yes), (2, No)]);
        assert_eq!(c.next, [2]);
        assert_eq!(statuses(&c), [Done, ToDo, Done]);
        // … with an expired certificate: 3 first.
        let c = switch_checklist(&MemberSituation {
            registered: false,
            certificate: Some(ExpiryState::InGrace),
            ..myna()
        });
        assert_eq!(c.next, [3, 2]);
        // STEP3 YES: all done (expiring soon is still valid).
        for cert in [ExpiryState::Valid, ExpiryState::ExpiringSoon] {
            let c = switch_checklist(&MemberSituation {
                certificate: Some(cert),
                ..myna()
            });
            assert_eq!(answers(&c), [(1, Yes), (2, Yes), (3, Yes)]);
            assert!(c.next.is_empty());
            assert_eq!(statuses(&c), [Done, Done, Done]);
            assert_eq!(c.note, None);
        }
        // STEP3 NO within 3 months → 3.
        let c = switch_checklist(&MemberSituation {
            certificate: Some(ExpiryState::InGrace),
            ..myna()
        });
        assert_eq!(answers(&c)[2], (3, No));
        assert_eq!(c.next, [3]);
        assert_eq!(statuses(&c), [Done, Done, ToDo]);
        // STEP3 NO past 3 months → 3 → 2 with the ※ note.
        let c = switch_checklist(&MemberSituation {
            certificate: Some(ExpiryState::Ended),
            ..myna()
        });
        assert_eq!(c.next, [3, 2]);
        assert_eq!(statuses(&c), [Done, ToDo, ToDo]);
        assert_eq!(c.note, Some(STEP3_NOTE));
        // Certificate unknown: STEP3 cannot be answered.
        let c = switch_checklist(&MemberSituation {
            certificate: None,
            ..myna()
        });
        assert_eq!(answers(&c)[2], (3, Answer::Unknown));
        assert_eq!(statuses(&c)[2], TodoStatus::Unknown);
        assert!(c.next.is_empty());
        // The wording is notice A's.
        assert_eq!(
            c.items[0].text,
            "有効なマイナンバーカードをお持ちでない方は、まずは有効なカードを取得"
        );
        assert_eq!(
            c.items[1].text,
            "マイナンバーカードをお持ちの方は保険証利用の申込み"
        );
        assert_eq!(
            c.items[2].text,
            "電子証明書の更新をお忘れの方は市区町村の窓口へ"
        );
    }

    /// A card past its printed 有効期限 is not a valid card (STEP1), in its grace period too:
    /// 1 (a new card) → 2 (register it), and no certificate renewal (the new card brings one).
    #[test]
    fn expired_card_is_step1_no() {
        for card in [ExpiryState::InGrace, ExpiryState::Ended] {
            let c = switch_checklist(&MemberSituation {
                card: Some(card),
                ..myna()
            });
            assert_eq!(answers(&c), [(1, Answer::No)], "{card:?}");
            assert_eq!(c.next, [1, 2]);
            assert_eq!(
                statuses(&c),
                [TodoStatus::ToDo, TodoStatus::ToDo, TodoStatus::NotNeeded]
            );
        }
        // Expiring soon is still valid.
        let c = switch_checklist(&MemberSituation {
            card: Some(ExpiryState::ExpiringSoon),
            ..myna()
        });
        assert_eq!(answers(&c)[0], (1, Answer::Yes));
        assert!(c.next.is_empty());
    }
}
