//! The rules of docs/rules.md through the store: a hand entry is refused when it disagrees with
//! its member, a 公費 受給者証 is kept with the member's records, and the new member fields
//! survive a reopen.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use chrono::{DateTime, Utc};
use common::*;
use shikaku_core::eligibility::{
    DocumentKind, ElderlyForm, Field, MemberForm, PublicExpenseForm, RecordForm, Relationship, Sex,
};
use shikaku_core::screen::rules::{
    HouseholdMember, NoticeCode, household_notices, member_notices_for,
};
use shikaku_core::store::{EntryError, MemoryKeyStore, Store};

fn now() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2026-11-23T03:00:00Z")
        .unwrap()
        .to_utc()
}

fn form(kind: DocumentKind, insurer: &str, rel: Relationship) -> RecordForm {
    RecordForm {
        kind,
        insurer_number: insurer.into(),
        insurer_name: "保険者".into(),
        symbol: Some("7340155".into()),
        number: "42".into(),
        branch: None,
        relationship: rel,
        insured_name: None,
        acquired_on: None,
        copay_percent: None,
        valid_from: None,
        valid_until: None,
        issued_on: None,
        elderly: None,
        limit: None,
        preschool: false,
        lost_on: None,
        public_expense: None,
    }
}

fn invalid(
    r: Result<impl std::fmt::Debug, EntryError>,
) -> shikaku_core::eligibility::ValidationError {
    match r {
        Err(EntryError::Invalid(e)) => e,
        other => panic!("expected a validation error, got {other:?}"),
    }
}

fn open(dir: &std::path::Path) -> Store {
    Store::open(&dir.join("s.db"), &MemoryKeyStore::new([9; 32])).unwrap()
}

#[test]
fn cross_field_refusals_at_hand_entry() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = open(dir.path());
    let forty = store
        .add_member(&member(
            "山田 太郎",
            "ヤマダ タロウ",
            "1986-04-01",
            Sex::Male,
            Relationship::Insured,
        ))
        .unwrap();
    let child = store
        .add_member(&member(
            "山田 健太",
            "ヤマダ ケンタ",
            "2016-06-15",
            Sex::Male,
            Relationship::Dependent,
        ))
        .unwrap();

    // The 40-year-old: a 後期 record (本人, so the form passes) is refused by age.
    let late = form(DocumentKind::Notice, "39131008", Relationship::Insured);
    let e = invalid(store.enter_record(forty, &late, now()));
    assert!(e.has(Field::InsurerNumber), "{e}");
    // … and marked 家族 with a 1割 高齢受給者 block: the form's own rules.
    let mut worse = late.clone();
    worse.relationship = Relationship::Dependent;
    worse.elderly = Some(ElderlyForm {
        copay_percent: Some(10),
        effective_from: Some("2026-08-01".into()),
        valid_until: None,
    });
    let e = invalid(store.enter_record(forty, &worse, now()));
    assert!(
        e.has(Field::Relationship) && e.has(Field::ElderlyCopay),
        "{e}"
    );
    // A 高齢受給者 block at 40, on an ordinary insurer.
    let mut block = form(DocumentKind::Notice, "01130012", Relationship::Insured);
    block.elderly = worse.elderly.clone().map(|mut e| {
        e.copay_percent = Some(20);
        e
    });
    assert!(invalid(store.enter_record(forty, &block, now())).has(Field::ElderlyEffectiveFrom));
    // A member marked 家族 with a record marked 本人.
    let e = invalid(store.enter_record(
        child,
        &form(DocumentKind::Notice, "01130012", Relationship::Insured),
        now(),
    ));
    assert!(e.has(Field::Relationship), "{e}");
    // A 資格確認書 valid to 2040.
    let mut long = form(
        DocumentKind::Certificate,
        "01130012",
        Relationship::Dependent,
    );
    long.valid_until = Some("令和22年3月31日".into());
    assert!(invalid(store.enter_record(child, &long, now())).has(Field::ValidUntil));
    // Errors carry no values.
    let msg = invalid(store.enter_record(forty, &late, now())).to_string();
    assert!(!msg.contains("39131008") && !msg.contains("1986"), "{msg}");
    // Nothing was stored, and a replacement is checked the same way.
    assert!(store.records(forty).unwrap().records.is_empty());
    let ok = form(DocumentKind::Notice, "01130012", Relationship::Dependent);
    let id = store.enter_record(child, &ok, now()).unwrap();
    let e = invalid(store.reenter_record(
        id,
        &form(DocumentKind::Notice, "01130012", Relationship::Insured),
        now(),
    ));
    assert!(e.has(Field::Relationship));
}

/// A record kept from before a change of 本人・家族 is corrected in place (its 資格喪失日 typed
/// in, entered again as it was otherwise): the correction keeps its 本人・家族 and is not
/// refused for differing from the member's, as the member change kept it. A correction that
/// changes 本人・家族 away from the member's still is.
#[test]
fn a_record_from_before_a_change_of_relationship_is_corrected_in_place() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = open(dir.path());
    let son = store
        .add_member(&member(
            "山田 健太",
            "ヤマダ ケンタ",
            "2004-05-10",
            Sex::Male,
            Relationship::Dependent,
        ))
        .unwrap();
    let as_dependent = form(DocumentKind::Notice, "01130012", Relationship::Dependent);
    let old = store.enter_record(son, &as_dependent, now()).unwrap();
    // A job of his own: 本人 from now on; the 家族 record is kept.
    let data = store.member(son).unwrap().data;
    store
        .change_member(
            son,
            &MemberForm {
                relationship: Relationship::Insured,
                ..MemberForm::from(&data)
            },
            now(),
        )
        .unwrap();
    let own = form(DocumentKind::Notice, "06139992", Relationship::Insured);
    store.enter_record(son, &own, now()).unwrap();
    // The 家族 record's 資格喪失日, typed in.
    let mut lost = RecordForm::from(&store.record(old).unwrap().record);
    lost.lost_on = Some("2026-11-01".into());
    store.reenter_record(old, &lost, now()).unwrap();
    let stored = store.record(old).unwrap().record;
    assert_eq!(stored.relationship, Relationship::Dependent);
    assert!(stored.lost_on.is_some());
    // Another insurer's 家族 record typed in place of the old one is a new record, refused as
    // `record add` refuses it.
    let elsewhere = RecordForm {
        insurer_number: "06139992".into(),
        ..lost.clone()
    };
    let e = invalid(store.reenter_record(old, &elsewhere, now()));
    assert!(e.has(Field::Relationship), "{e}");
    // Nor is another 資格 under the same 保険者番号 (one 協会けんぽ 支部 covers every employer
    // of its prefecture): another 記号 and 番号 is a new record too; one of them corrected is
    // still the same record.
    let another = RecordForm {
        symbol: Some("1111111".into()),
        number: "7".into(),
        ..lost.clone()
    };
    let e = invalid(store.reenter_record(old, &another, now()));
    assert!(e.has(Field::Relationship), "{e}");
    let symbol_fixed = RecordForm {
        symbol: Some("7340165".into()),
        ..lost.clone()
    };
    store.reenter_record(old, &symbol_fixed, now()).unwrap();
    // Compared as the 記号 is everywhere, after width folding: typed in full width, the
    // 番号 corrected, it is the same record.
    let number_fixed = RecordForm {
        symbol: Some("７３４０１６５".into()),
        number: "43".into(),
        ..lost.clone()
    };
    store.reenter_record(old, &number_fixed, now()).unwrap();
    // A correction that makes his own record 家族 again is refused, and changes nothing.
    let own_id = store.records(son).unwrap().records[1].id;
    let e = invalid(store.reenter_record(
        own_id,
        &form(DocumentKind::Notice, "06139992", Relationship::Dependent),
        now(),
    ));
    assert!(e.has(Field::Relationship), "{e}");
    assert_eq!(
        store.record(own_id).unwrap().record.relationship,
        Relationship::Insured
    );
    // A 家族's 国保 record (本人: 国保 has no 被扶養者) is no history either: a 被用者保険 本人
    // record typed in its place is refused for the 家族 member, as a new one would be.
    let wife = store
        .add_member(&member(
            "山田 花子",
            "ヤマダ ハナコ",
            "1987-09-30",
            Sex::Female,
            Relationship::Dependent,
        ))
        .unwrap();
    let mut nhi = form(DocumentKind::Notice, "138057", Relationship::Insured);
    nhi.symbol = None;
    let nhi_id = store.enter_record(wife, &nhi, now()).unwrap();
    let e = invalid(store.reenter_record(
        nhi_id,
        &form(DocumentKind::Notice, "06139992", Relationship::Insured),
        now(),
    ));
    assert!(e.has(Field::Relationship), "{e}");
}

#[test]
fn hand_typed_household_with_a_public_expense_record_reopens() {
    let dir = tempfile::tempdir().unwrap();
    let (parent, child) = {
        let mut store = open(dir.path());
        let parent = store
            .add_member(
                &MemberForm {
                    name: "山田 花子".into(),
                    kana: "ヤマダ ハナコ".into(),
                    birth_date: "昭和62年7月7日".into(),
                    sex: Sex::Female,
                    relationship: Relationship::Insured,
                    myna_hoken: Some(true),
                    card_expires_on: Some("R15.7.7".into()),
                }
                .validate(today())
                .unwrap(),
            )
            .unwrap();
        let child = store
            .add_member(
                &MemberForm {
                    name: "山田 健太".into(),
                    kana: "ヤマダ ケンタ".into(),
                    birth_date: "2023-05-10".into(),
                    sex: Sex::Male,
                    relationship: Relationship::Dependent,
                    myna_hoken: Some(false),
                    card_expires_on: None,
                }
                .validate(today())
                .unwrap(),
            )
            .unwrap();
        let mut notice = form(DocumentKind::Notice, "01130012", Relationship::Insured);
        notice.copay_percent = Some(30);
        store.enter_record(parent, &notice, now()).unwrap();
        let mut certificate = form(
            DocumentKind::Certificate,
            "01130012",
            Relationship::Dependent,
        );
        certificate.valid_until = Some("R12.11.30".into());
        certificate.copay_percent = Some(20);
        certificate.preschool = true;
        store.enter_record(child, &certificate, now()).unwrap();
        let public = RecordForm {
            kind: DocumentKind::PublicExpense,
            insurer_number: String::new(),
            insurer_name: String::new(),
            symbol: None,
            number: String::new(),
            valid_until: Some("令和12年3月31日".into()),
            public_expense: Some(PublicExpenseForm {
                payer_number: "88131016".into(),
                recipient_number: "1234567".into(),
                program: "乳幼児医療費助成 医療証".into(),
            }),
            ..form(DocumentKind::PublicExpense, "", Relationship::Dependent)
        };
        store.enter_record(child, &public, now()).unwrap();
        (parent, child)
    };

    let store = open(dir.path());
    let p = store.member(parent).unwrap();
    assert_eq!(p.data.myna_hoken, Some(true));
    assert_eq!(
        p.data.card_expires_on,
        chrono::NaiveDate::from_ymd_opt(2033, 7, 7)
    );
    let c = store.member(child).unwrap();
    let records: Vec<_> = store
        .records(child)
        .unwrap()
        .records
        .into_iter()
        .map(|r| r.record)
        .collect();
    let kinds: Vec<_> = records.iter().map(|r| r.kind).collect();
    assert_eq!(
        kinds,
        [DocumentKind::Certificate, DocumentKind::PublicExpense]
    );
    assert!(records[1].insurer_number.is_public_expense());
    assert_eq!(c.data.holds_myna_hoken(&records), Some(false));
    // The 3-year-old's record agrees with the birth date: no age notice.
    let notices = member_notices_for(&c.data, &records, None, today());
    assert!(
        notices.iter().all(|n| !matches!(
            n.code,
            NoticeCode::PreschoolFlagMismatch | NoticeCode::CopayImplausible
        )),
        "{notices:?}"
    );
    // Nobody is 75 soon: no household notice.
    let parent_records: Vec<_> = store
        .records(parent)
        .unwrap()
        .records
        .into_iter()
        .map(|r| r.record)
        .collect();
    let hh = household_notices(
        &[
            HouseholdMember {
                member: &p.data,
                records: &parent_records,
            },
            HouseholdMember {
                member: &c.data,
                records: &records,
            },
        ],
        today(),
    );
    assert!(hh.iter().all(Vec::is_empty));
}

#[test]
fn example_records_validate() {
    for (name, json) in [
        (
            "record-certificate.json",
            include_str!("../../examples/record-certificate.json"),
        ),
        (
            "record-notice.json",
            include_str!("../../examples/record-notice.json"),
        ),
        (
            "record-public-expense.json",
            include_str!("../../examples/record-public-expense.json"),
        ),
        (
            "record-wareki.json",
            include_str!("../../examples/record-wareki.json"),
        ),
    ] {
        let form = RecordForm::from_json(json).unwrap_or_else(|e| panic!("{name}: {e}"));
        let record = form
            .validate(today())
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        if name == "record-wareki.json" {
            assert_eq!(
                record.valid_until,
                chrono::NaiveDate::from_ymd_opt(2030, 11, 30)
            );
            assert_eq!(
                record.acquired_on,
                chrono::NaiveDate::from_ymd_opt(2019, 4, 1)
            );
        }
        if name == "record-public-expense.json" {
            assert_eq!(record.kind, DocumentKind::PublicExpense);
        }
    }
}
