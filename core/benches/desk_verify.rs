//! A clinic desk verifying one scanned QR code new to it: `DeskStore::verify_payload` end to end
//! (the trust list the desk verified with its pinned root at its first scan and keeps,
//! `DeskStore::trust`; Base45 + zlib, the COSE signature verified in full, the strict CBOR, the
//! verdict), for a format 2 presentation and a format 1 full document. Goal: ≤ 2 ms (issue:
//! clinic desk).
//!
//! `cargo bench -p shikaku-core --bench desk_verify`
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use std::hint::black_box;

use chrono::{DateTime, Duration, Utc};
use criterion::{Criterion, criterion_group, criterion_main};
use sha2::{Digest, Sha256};
use shikaku_core::clinic::{DeskStore, DeskVerdict, VerifyOptions};
use shikaku_core::clock::japan_today;
use shikaku_core::document::{
    EligibilityDocument, forget_verified_signatures, presentation_of, sign_document,
    sign_presentation, to_qr_payload,
};
use shikaku_core::eligibility::{MemberForm, RecordForm};
use shikaku_core::store::MemoryKeyStore;

#[path = "support/signed.rs"]
mod signed;
use signed::{key, trust_list};

fn document(now: DateTime<Utc>, spki: &[u8]) -> EligibilityDocument {
    let issued_at = now - Duration::days(2);
    let day = japan_today(issued_at);
    let person: MemberForm = serde_json::from_value(serde_json::json!({
        "name": "山田 太郎", "kana": "ヤマダ タロウ", "birth_date": "1985-04-12",
        "sex": "male", "relationship": "self",
    }))
    .unwrap();
    let record = RecordForm::from_json(
        &serde_json::json!({
            "kind": "portal", "insurer_number": "01130012",
            "insurer_name": "全国健康保険協会 東京支部", "symbol": "7340155", "number": "42",
            "branch": "00", "relationship": "self", "acquired_on": "2015-04-01",
            "copay_percent": 30, "issued_on": day.format("%Y-%m-%d").to_string(),
        })
        .to_string(),
    )
    .unwrap();
    EligibilityDocument {
        household_id: "hh-bench".into(),
        person_id: "p-bench".into(),
        version: 1,
        issued_at,
        valid_until: issued_at + Duration::days(365),
        person: person.validate(day).unwrap(),
        record: record.validate(day).unwrap(),
        holder_binding: Some(Sha256::digest(spki).into()),
    }
}

fn bench(c: &mut Criterion) {
    let now = Utc::now();
    let dir = tempfile::tempdir().unwrap();
    let mut desk =
        DeskStore::open(&dir.path().join("desk"), &MemoryKeyStore::new([4; 32])).unwrap();
    let list = trust_list(&key("issuer"), "issuer-bench", now, 100);
    let root = key("root");
    desk.import_trust_list(&list.sign(&root).unwrap(), Some(root.verifying_key()), now)
        .unwrap();
    let spki = b"a card's SubjectPublicKeyInfo (stand-in bytes)";
    let doc = document(now, spki);
    let p = presentation_of(&doc, [1; 16], Some(spki)).unwrap();
    let v2 = to_qr_payload(&sign_presentation(&p, &key("issuer"), "issuer-bench").unwrap());
    let v1 = to_qr_payload(&sign_document(&doc, &key("issuer"), "issuer-bench").unwrap());
    for payload in [&v2, &v1] {
        let v = desk
            .verify_payload(payload, VerifyOptions::default(), now)
            .unwrap();
        assert_eq!(v.verdict, DeskVerdict::Confirmed);
    }
    // A patient's QR code new to the desk: its signature verified in full (one scanned before
    // is remembered: `forget_verified_signatures`; the desk keeps its verified trust list).
    c.bench_function("desk: verify one presentation (format 2)", |b| {
        b.iter(|| {
            forget_verified_signatures();
            black_box(
                desk.verify_payload(black_box(&v2), VerifyOptions::default(), now)
                    .unwrap(),
            )
        })
    });
    c.bench_function("desk: verify one full document (format 1)", |b| {
        b.iter(|| {
            forget_verified_signatures();
            black_box(
                desk.verify_payload(black_box(&v1), VerifyOptions::default(), now)
                    .unwrap(),
            )
        })
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
