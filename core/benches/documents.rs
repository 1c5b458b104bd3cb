//! Verifying and storing a household of 6 signed documents (no network): the sync's work
//! after the download. `cargo bench -p shikaku-core --bench documents`
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use std::hint::black_box;

use chrono::{DateTime, Duration, NaiveDate, Utc};
use criterion::{Criterion, criterion_group, criterion_main};
use shikaku_core::document::{
    EligibilityDocument, forget_verified_signatures, sign_document, verify_document,
};
use shikaku_core::eligibility::{
    DocumentKind, MemberForm, RecordForm, RecordId, Relationship, Sex,
};
use shikaku_core::store::{MemoryKeyStore, Store};

#[path = "support/signed.rs"]
mod signed;
use signed::{key, trust_list};

fn now() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2026-11-23T03:00:00Z")
        .unwrap()
        .to_utc()
}

fn document(i: usize) -> EligibilityDocument {
    let day = NaiveDate::from_ymd_opt(2026, 11, 20).unwrap();
    let rel = if i == 0 {
        Relationship::Insured
    } else {
        Relationship::Dependent
    };
    EligibilityDocument {
        household_id: "hh-bench".into(),
        person_id: format!("p-{i}"),
        version: 1,
        issued_at: now() - Duration::days(1),
        valid_until: now() + Duration::days(365),
        person: MemberForm {
            name: format!(
                "山田 {}",
                ["太郎", "花子", "健太", "美咲", "次郎", "三郎"][i]
            ),
            kana: "ヤマダ タロウ".into(),
            birth_date: format!("{}-04-12", 1960 + i * 8),
            sex: Sex::Female,
            relationship: rel,
            myna_hoken: None,
            card_expires_on: None,
        }
        .validate(day)
        .unwrap(),
        record: RecordForm {
            kind: DocumentKind::Portal,
            insurer_number: "01130012".into(),
            insurer_name: "全国健康保険協会 東京支部".into(),
            symbol: Some("7340155".into()),
            number: "42".into(),
            branch: Some(format!("{i:02}")),
            relationship: rel,
            insured_name: (i > 0).then(|| "山田 太郎".into()),
            acquired_on: Some("2015-04-01".into()),
            copay_percent: Some(30),
            valid_from: None,
            valid_until: None,
            issued_on: Some("2026-11-20".into()),
            elderly: None,
            limit: None,
            preschool: false,
            lost_on: None,
            public_expense: None,
        }
        .validate(day)
        .unwrap(),
        holder_binding: Some([i as u8; 32]),
    }
}

fn bench(c: &mut Criterion) {
    let issuer = key("issuer");
    let trust = trust_list(&issuer, "issuer-1", now(), 10);
    let signed: Vec<Vec<u8>> = (0..6)
        .map(|i| sign_document(&document(i), &issuer, "issuer-1").unwrap())
        .collect();
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(&dir.path().join("s.db"), &MemoryKeyStore::new([1; 32])).unwrap();
    // The household as a first sync leaves it; each iteration replaces the six records.
    let mut ids: Vec<RecordId> = Vec::new();
    for s in &signed {
        let v = verify_document(s, &trust, now()).unwrap();
        let m = store
            .write(|b| b.add_member_with_ref(&v.document.person, Some(&v.document.person_id)))
            .unwrap();
        ids.push(
            store
                .put_record(m, &v.document.record, &v.provenance())
                .unwrap(),
        );
    }
    // Documents new to the process (what a sync downloads): every signature verified in full
    // (`forget_verified_signatures`; a signature verified before is remembered).
    c.bench_function("verify_and_store_6_documents", |b| {
        b.iter(|| {
            forget_verified_signatures();
            let verified: Vec<_> = signed
                .iter()
                .map(|s| verify_document(s, &trust, now()).unwrap())
                .collect();
            store
                .write(|b| {
                    for (v, id) in verified.iter().zip(&ids) {
                        b.replace_record(*id, &v.document.record, &v.provenance())?;
                    }
                    Ok(())
                })
                .unwrap();
            black_box(verified.len())
        })
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
