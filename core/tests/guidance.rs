//! Guidance from what the member holds, on a household typed in by hand with no card check on
//! this phone: the clinic guidance, the screen's wording, the switch checklist and
//! the screen as of a later date.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use chrono::{DateTime, NaiveDate, Utc};
use common::*;
use shikaku_core::eligibility::insurer::check_digit;
use shikaku_core::eligibility::{
    DocumentKind, EligibilityRecord, MemberId, Provenance, PublicExpenseForm, RecordForm,
    Relationship, Sex,
};
use shikaku_core::screen::{
    Answer, ClinicSituation, GuidanceAction, NoticeCode, Presentation, household_overview,
    member_checklist, member_guidance, member_screen,
};
use shikaku_core::store::{MemoryKeyStore, Store};

/// Noon in Japan on `day` (03:00 UTC): the instant the CLI's `--at` uses.
fn noon(day: NaiveDate) -> DateTime<Utc> {
    day.and_hms_opt(3, 0, 0).unwrap().and_utc()
}

fn now() -> DateTime<Utc> {
    noon(today())
}

/// A こども医療費受給者証 (法別 88, 東京都) valid to the end of the child's school year.
fn child_medical_certificate() -> EligibilityRecord {
    let body = "8813101";
    let payer = format!("{body}{}", check_digit(body).unwrap());
    RecordForm {
        kind: DocumentKind::PublicExpense,
        insurer_number: String::new(),
        insurer_name: String::new(),
        symbol: None,
        number: String::new(),
        branch: None,
        relationship: Relationship::Dependent,
        insured_name: None,
        acquired_on: None,
        copay_percent: None,
        valid_from: Some("2025-04-01".into()),
        valid_until: Some("2027-03-31".into()),
        issued_on: None,
        elderly: None,
        limit: None,
        preschool: false,
        lost_on: None,
        public_expense: Some(PublicExpenseForm {
            payer_number: payer,
            recipient_number: "1234567".into(),
            program: "こども医療費受給者証".into(),
        }),
    }
    .validate(today())
    .unwrap()
}

/// 本人 with an お知らせ, spouse with an お知らせ, child with a 資格確認書 and a こども医療証;
/// everything typed by hand, no card checks.
fn household(dir: &std::path::Path) -> (Store, [MemberId; 3]) {
    use DocumentKind::*;
    use Relationship::*;
    let mut store = Store::open(&dir.join("s.db"), &MemoryKeyStore::new([7; 32])).unwrap();
    let hand = Provenance::HandEntered {
        entered_at: now() - chrono::Duration::days(1),
    };
    let mut add = |data, records: Vec<EligibilityRecord>| {
        let id = store.add_member(&data).unwrap();
        for r in records {
            store.put_record(id, &r, &hand).unwrap();
        }
        id
    };
    let taro = add(
        member(
            "山田 太郎",
            "ヤマダ タロウ",
            "1985-04-12",
            Sex::Male,
            Insured,
        ),
        vec![record(Notice, "01130012", "7340155", "420815", Insured)],
    );
    let hanako = add(
        member(
            "山田 花子",
            "ヤマダ ハナコ",
            "1987-09-30",
            Sex::Female,
            Dependent,
        ),
        vec![record(Notice, "01130012", "7340155", "430927", Dependent)],
    );
    let ichiro = add(
        member(
            "山田 一郎",
            "ヤマダ イチロウ",
            "2019-06-01",
            Sex::Male,
            Dependent,
        ),
        vec![
            record(Certificate, "01130012", "7340155", "440601", Dependent),
            child_medical_certificate(),
        ],
    );
    (store, [taro, hanako, ichiro])
}

#[test]
fn hand_typed_household_gets_the_card_or_the_certificate_first_and_never_full_payment() {
    let dir = tempfile::tempdir().unwrap();
    let (store, [taro, hanako, ichiro]) = household(dir.path());
    for (name, clinic) in ClinicSituation::ALL {
        for id in [taro, hanako] {
            let g = member_guidance(&store, id, &clinic, now()).unwrap();
            let first = g.options[0].presentation;
            let want = if clinic.can_check_online() {
                Presentation::CardAtReader
            } else {
                // The マイナポータル screen, "if you can open it", ranks above the お知らせ
                // (docs/guidance.md §2).
                Presentation::PhoneScreenWithCard
            };
            assert_eq!(first, want, "{name}");
            assert!(
                g.options
                    .iter()
                    .any(|o| o.presentation == Presentation::NoticeWithCard),
                "{name}"
            );
            assert!(g.options[0].explanation.contains("マイナンバーカード"));
            assert!(
                g.options
                    .iter()
                    .any(|o| o.presentation == Presentation::AppCopyWithCard
                        && o.never_alone
                        && o.explanation.contains("手入力した資格情報の写し")),
                "{name}: this app's screen is named as a copy"
            );
            let json = serde_json::to_string(&g).unwrap();
            assert!(!json.contains("10割"), "{name}: {json}");
            assert!(!json.contains("full_payment_then_claim"), "{name}");
            assert!(g.to_do.is_empty(), "{name}");
            assert!(g.also_present.is_empty(), "{name}");
        }
        let g = member_guidance(&store, ichiro, &clinic, now()).unwrap();
        let presented: Vec<_> = g.options.iter().map(|o| o.presentation).collect();
        assert_eq!(
            presented,
            [Presentation::QualificationCertificate],
            "{name}"
        );
        assert!(!serde_json::to_string(&g).unwrap().contains("10割"));
        assert_eq!(g.also_present.len(), 1);
        assert!(g.also_present[0].contains("こども医療費受給者証"));
    }
}

/// The heading of a member's screen: 本人（被保険者）, 家族（被扶養者） or 家族.
fn heading(store: &Store, member: MemberId) -> String {
    member_screen(store, member, now()).unwrap().sections[0]
        .title
        .clone()
}

/// `r` as a document printing only its 資格取得年月日, `on`.
fn acquired(r: EligibilityRecord, on: NaiveDate) -> EligibilityRecord {
    EligibilityRecord {
        acquired_on: Some(on),
        valid_from: None,
        ..r
    }
}

/// A family member's お知らせ of a job's insurance (as 家族), printing only its 資格取得年月日, `on`.
fn dependent_from(on: NaiveDate) -> EligibilityRecord {
    acquired(
        record(
            DocumentKind::Notice,
            "06139992",
            "12",
            "345",
            Relationship::Dependent,
        ),
        on,
    )
}

#[test]
fn the_screen_says_what_it_is() {
    let dir = tempfile::tempdir().unwrap();
    let (store, [taro, hanako, ichiro]) = household(dir.path());
    let s = member_screen(&store, taro, now()).unwrap();
    assert_eq!(s.sections[0].title, "本人（被保険者）");
    assert!(s.fixed_notice.contains("手入力した資格情報の写し"));
    assert!(s.fixed_notice.contains("公式の画面ではありません"));
    assert!(s.fixed_notice.contains("マイナポータルの資格情報画面"));
    assert!(s.fixed_notice.contains("紙の資格情報のお知らせ"));
    assert!(!s.fixed_notice.contains("限り有効"), "{}", s.fixed_notice);

    let s = member_screen(&store, hanako, now()).unwrap();
    assert_eq!(s.sections[0].title, "家族（被扶養者）");
    assert!(s.sections.iter().all(|sec| sec.title != "ご本人"));
    // A 家族 in 国保 (no 被扶養者 there: each member a 被保険者 of their own) is headed 家族
    // alone, also once the 国保 is lost or has expired (review of 2026-12-01: it flipped back).
    let mut store = store;
    let grandma = store
        .add_member(&member(
            "山田 ハル",
            "ヤマダ ハル",
            "1960-01-20",
            Sex::Female,
            Relationship::Dependent,
        ))
        .unwrap();
    let nhi = record(
        DocumentKind::Notice,
        "138057",
        "7340155",
        "1",
        Relationship::Insured,
    );
    let hand = Provenance::HandEntered {
        entered_at: now() - chrono::Duration::days(1),
    };
    let id = store.put_record(grandma, &nhi, &hand).unwrap();
    assert_eq!(heading(&store, grandma), "家族");
    let lost = EligibilityRecord {
        lost_on: Some(today() - chrono::Days::new(1)),
        ..nhi
    };
    store.replace_record(id, &lost, &hand).unwrap();
    assert_eq!(heading(&store, grandma), "家族");
    // A 被用者保険 record as 家族 typed in ahead (her child's insurance, from next month): the
    // 被扶養者 to come.
    let coming = dependent_from(today() + chrono::Days::new(10));
    store.put_record(grandma, &coming, &hand).unwrap();
    assert_eq!(heading(&store, grandma), "家族（被扶養者）");
    // A 家族 whose 被用者保険 paper expired and who then joined 国保: the paper is taken over
    // (after its 有効期限), so nothing current is a 被扶養者's (review of 2026-12-01).
    let spouse = store
        .add_member(&member(
            "山田 夏子",
            "ヤマダ ナツコ",
            "1980-05-05",
            Sex::Female,
            Relationship::Dependent,
        ))
        .unwrap();
    let mut expired = record(
        DocumentKind::Certificate,
        "01130012",
        "7340155",
        "42",
        Relationship::Dependent,
    );
    expired.valid_until = Some(today() - chrono::Days::new(60));
    store.put_record(spouse, &expired, &hand).unwrap();
    assert_eq!(
        heading(&store, spouse),
        "家族（被扶養者）",
        "expired only: still one"
    );
    let joined = acquired(
        record(
            DocumentKind::Notice,
            "138057",
            "7340155",
            "2",
            Relationship::Insured,
        ),
        today() - chrono::Days::new(30),
    );
    store.put_record(spouse, &joined, &hand).unwrap();
    assert_eq!(heading(&store, spouse), "家族");
    // A 家族 record typed ahead (a job's insurance from next month) while the 国保 is in force:
    // a 国保 被保険者 until then (review of 2026-12-01).
    let ahead = dependent_from(today() + chrono::Days::new(20));
    store.put_record(spouse, &ahead, &hand).unwrap();
    assert_eq!(heading(&store, spouse), "家族");
    // From the 75th birthday nobody is a 被扶養者 (後期高齢者医療), records or none.
    let elder = store
        .add_member(&member(
            "山田 トメ",
            "ヤマダ トメ",
            "1948-03-03",
            Sex::Female,
            Relationship::Dependent,
        ))
        .unwrap();
    assert_eq!(heading(&store, elder), "家族");

    let s = member_screen(&store, ichiro, now()).unwrap();
    assert!(s.fixed_notice.contains("見せるのは紙の資格確認書"));
    assert!(s.fixed_notice.contains("資格確認書の代わりにはなりません"));
    assert!(!s.fixed_notice.contains("単独で提示できます"));
    assert!(s.fixed_notice.contains("紙の受給者証"));
    let public = s
        .sections
        .iter()
        .find(|sec| sec.title == "こども医療費受給者証")
        .unwrap();
    let labels: Vec<_> = public.fields.iter().map(|f| f.label).collect();
    assert!(labels.contains(&"公費負担者番号") && labels.contains(&"受給者番号"));
    assert!(!labels.contains(&"一部負担金割合"));
    assert!(!labels.contains(&"本人・家族の別"));
}

#[test]
fn overview_severity_follows_the_top_notice() {
    let dir = tempfile::tempdir().unwrap();
    let (store, ids) = household(dir.path());
    // 2030-11-15: the child's 資格確認書 (to 2030-12-01) is expiring soon; the others' お知らせ
    // too (same printed 有効期限 in the fixture).
    let later = noon(NaiveDate::from_ymd_opt(2030, 11, 15).unwrap());
    let o = household_overview(&store, later).unwrap();
    for (summary, id) in o.members.iter().zip(ids) {
        let s = member_screen(&store, id, later).unwrap();
        assert_eq!(
            summary.top_notice_severity,
            s.notices.first().map(|n| n.severity)
        );
        assert_eq!(
            summary.top_notice,
            s.notices.first().map(|n| n.message.clone())
        );
        // The others are counted, so that a parent knows to open the member's screen.
        let others = s.notices.len().saturating_sub(1);
        assert_eq!(
            summary.more_notices.is_some(),
            others > 0,
            "{:?}",
            summary.more_notices
        );
        if let Some(more) = &summary.more_notices {
            assert!(
                more.starts_with(&format!("ほかにお知らせが{others}件あります")),
                "{more}"
            );
        }
    }
    assert!(o.members.iter().any(|m| m.top_notice_severity.is_some()));
    assert!(
        o.members.iter().any(|m| m.more_notices.is_some()),
        "the fixture's 2030 household has a member with more than one notice"
    );
}

/// The screen and the guidance as of a later date: the 資格確認書 printed to 2030-12-01 has
/// expired on 2030-12-02, and the guidance says to ask the insurer for the new one.
#[test]
fn the_screen_as_of_a_date() {
    let dir = tempfile::tempdir().unwrap();
    let (store, [_, _, ichiro]) = household(dir.path());
    let last = noon(NaiveDate::from_ymd_opt(2030, 12, 1).unwrap());
    let after = noon(NaiveDate::from_ymd_opt(2030, 12, 2).unwrap());
    let end = NaiveDate::from_ymd_opt(2030, 12, 1).unwrap();
    // (The こども医療証 ended on 2027-03-31: its own notice has that date.)
    let certificate_expired = |at| {
        member_screen(&store, ichiro, at)
            .unwrap()
            .notices
            .iter()
            .any(|n| n.code == NoticeCode::DocumentExpired && n.date == end)
    };
    assert!(!certificate_expired(last));
    assert!(certificate_expired(after));
    let g = member_guidance(&store, ichiro, &ClinicSituation::NORMAL, last).unwrap();
    assert_eq!(
        g.options[0].presentation,
        Presentation::QualificationCertificate
    );
    let g = member_guidance(&store, ichiro, &ClinicSituation::NORMAL, after).unwrap();
    assert_eq!(
        g.options[0].presentation,
        Presentation::FullPaymentThenClaim
    );
    assert_eq!(
        g.to_do.iter().map(|s| s.action).collect::<Vec<_>>(),
        [GuidanceAction::AskForNewQualificationCertificate]
    );
}

#[test]
fn checklist_from_what_the_member_holds() {
    let dir = tempfile::tempdir().unwrap();
    let (store, [taro, _, ichiro]) = household(dir.path());
    // お知らせ: a registered card; its certificate was never checked here (STEP3 unknown).
    let c = member_checklist(&store, taro, now()).unwrap();
    let answers: Vec<_> = c.steps.iter().map(|s| (s.step, s.answer)).collect();
    assert_eq!(
        answers,
        [(1, Answer::Yes), (2, Answer::Yes), (3, Answer::Unknown)]
    );
    assert!(c.next.is_empty());
    // 資格確認書 only: no マイナ保険証, but whether there is a card is not known (it is issued to
    // card holders who have not registered too: notice A's 交付対象者) → STEP1 不明; 2 to do.
    let c = member_checklist(&store, ichiro, now()).unwrap();
    assert_eq!(c.steps[0].answer, Answer::Unknown);
    assert_eq!(c.next, [2]);
}

/// A store with one child born 2019-06-01 (未就学 to 2026-03-31) and a hand-typed お知らせ with
/// `copay` as its 一部負担金割合 (issued 2025-11-20).
fn child_with_notice(
    copay: Option<shikaku_core::eligibility::CopayRate>,
) -> (tempfile::TempDir, Store, MemberId) {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(&dir.path().join("s.db"), &MemoryKeyStore::new([7; 32])).unwrap();
    let id = store
        .add_member(&member(
            "山田 一郎",
            "ヤマダ イチロウ",
            "2019-06-01",
            Sex::Male,
            Relationship::Insured,
        ))
        .unwrap();
    let mut r = record(
        DocumentKind::Notice,
        "01130012",
        "7340155",
        "440601",
        Relationship::Insured,
    );
    r.copay = copay;
    store
        .put_record(id, &r, &Provenance::HandEntered { entered_at: now() })
        .unwrap();
    (dir, store, id)
}

/// An absent 一部負担金割合 is not shown as if 「法定負担割合のとおり」 were printed; the share the
/// law sets for the member's age is given beside it.
#[test]
fn absent_copay_is_not_invented() {
    let (_dir, store, id) = child_with_notice(None);
    let s = member_screen(&store, id, now()).unwrap();
    let copay = s.sections[1]
        .fields
        .iter()
        .find(|f| f.id == "copay")
        .unwrap();
    assert_eq!(copay.value, "（入力されていません）");
    assert_eq!(
        copay.secondary.as_deref(),
        Some("年齢による法定の割合: 3割")
    );
    let json = serde_json::to_string(&s).unwrap();
    assert!(!json.contains("法定負担割合のとおり"));
    // Before the first 31 March after reaching 6 (2026-03-31): 未就学, 2割.
    let s = member_screen(
        &store,
        id,
        noon(NaiveDate::from_ymd_opt(2025, 6, 1).unwrap()),
    )
    .unwrap();
    let copay = s.sections[1]
        .fields
        .iter()
        .find(|f| f.id == "copay")
        .unwrap();
    assert_eq!(
        copay.secondary.as_deref(),
        Some("年齢による法定の割合: 2割")
    );
}

/// A 2割 printed before 就学 is shown as typed, with the share the law sets since the 4月1日
/// after 未就学 ended beside it (docs/rules.md §1.2), as the `PreschoolEnds` notice says: the
/// screen is not left showing 2割 alone for a pupil.
#[test]
fn a_preschool_share_is_shown_with_the_share_since_school() {
    // Issued 2025-11-20, while 未就学 (to 2026-03-31).
    let (_dir, store, id) = child_with_notice(Some(shikaku_core::eligibility::CopayRate::Twenty));
    let copay = |day| {
        member_screen(&store, id, noon(day)).unwrap().sections[1]
            .fields
            .iter()
            .find(|f| f.id == "copay")
            .unwrap()
            .clone()
    };
    let pupil = copay(NaiveDate::from_ymd_opt(2026, 4, 1).unwrap());
    assert_eq!(pupil.value, "2割");
    assert_eq!(
        pupil.secondary.as_deref(),
        Some("令和8年4月1日から3割（就学後）")
    );
    let preschool = copay(NaiveDate::from_ymd_opt(2026, 3, 31).unwrap());
    assert_eq!(preschool.value, "2割");
    assert_eq!(preschool.secondary, None);
}

/// The screen and the overview carry the notices that come from another member: the 被扶養者
/// of a 被保険者 who turns 75 loses that status on the birthday.
#[test]
fn a_dependent_is_told_when_the_insured_turns_75() {
    use Relationship::*;
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(&dir.path().join("s.db"), &MemoryKeyStore::new([7; 32])).unwrap();
    let hand = Provenance::HandEntered { entered_at: now() };
    // Turns 75 on 2026-12-10, seventeen days after today.
    let insured = store
        .add_member(&member(
            "山田 一夫",
            "ヤマダ カズオ",
            "1951-12-10",
            Sex::Male,
            Insured,
        ))
        .unwrap();
    let mut own = record(DocumentKind::Notice, "01130012", "7340155", "1", Insured);
    own.valid_until = None;
    store.put_record(insured, &own, &hand).unwrap();
    let spouse = store
        .add_member(&member(
            "山田 和子",
            "ヤマダ カズコ",
            "1958-05-05",
            Sex::Female,
            Dependent,
        ))
        .unwrap();
    let mut theirs = record(DocumentKind::Notice, "01130012", "7340155", "1", Dependent);
    theirs.valid_until = None;
    store.put_record(spouse, &theirs, &hand).unwrap();

    let s = member_screen(&store, spouse, now()).unwrap();
    let notice = s
        .notices
        .iter()
        .find(|n| n.code == NoticeCode::DependentLosesStatusAt75)
        .unwrap_or_else(|| panic!("{:?}", s.notices));
    assert_eq!(notice.date, NaiveDate::from_ymd_opt(2026, 12, 10).unwrap());
    let o = household_overview(&store, now()).unwrap();
    let summary = o
        .members
        .iter()
        .find(|m| m.member_id == spouse.to_string())
        .unwrap();
    assert_eq!(
        summary.top_notice_severity,
        s.notices.first().map(|n| n.severity)
    );
    assert!(
        !member_screen(&store, insured, now())
            .unwrap()
            .notices
            .iter()
            .any(|n| n.code == NoticeCode::DependentLosesStatusAt75)
    );
}
