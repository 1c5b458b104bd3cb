//! Signed test documents shared by the CLI tests that verify QR codes (`qr verify`, `clinic
//! verify`, the desk page): deterministic P-256 keys from a seed, 山田 太郎's document built
//! through the hand-entry forms, and a trust list naming the test issuer key.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use chrono::{DateTime, Duration, NaiveDate, Utc};
use sha2::{Digest, Sha256};
use shikaku_core::document::{EligibilityDocument, IssuerKey, SigningKey, TrustList};
use shikaku_core::eligibility::{InsurerNumber, MemberForm, RecordForm};

/// The issuer key id of [`trust_list`].
pub const KID: &str = "issuer-qr";
/// The member's name in [`document`].
pub const NAME: &str = "山田 太郎";

/// A deterministic P-256 key: SHA-256 of the seed as the scalar.
pub fn key(seed: &str) -> SigningKey {
    SigningKey::from_slice(&Sha256::digest(seed.as_bytes())).unwrap()
}

/// 山田 太郎's マイナポータル record, issued at `issued_at`, valid until `valid_until`, bound to
/// no card (ids `hh-qr` / `p-qr`). The forms are JSON (the hand-entry format), so fields added
/// later with defaults need no change here.
pub fn document(issued_at: DateTime<Utc>, valid_until: DateTime<Utc>) -> EligibilityDocument {
    let day: NaiveDate = shikaku_core::clock::japan_today(issued_at);
    let person: MemberForm = serde_json::from_value(serde_json::json!({
        "name": NAME,
        "kana": "ヤマダ タロウ",
        "birth_date": "1985-04-12",
        "sex": "male",
        "relationship": "self",
    }))
    .unwrap();
    let record = RecordForm::from_json(
        &serde_json::json!({
            "kind": "portal",
            "insurer_number": "01130012",
            "insurer_name": "全国健康保険協会 東京支部",
            "symbol": "7340155",
            "number": "42",
            "branch": "00",
            "relationship": "self",
            "acquired_on": "2015-04-01",
            "copay_percent": 30,
            "issued_on": day.format("%Y-%m-%d").to_string(),
        })
        .to_string(),
    )
    .unwrap();
    EligibilityDocument {
        household_id: "hh-qr".into(),
        person_id: "p-qr".into(),
        version: 1,
        issued_at,
        valid_until,
        person: person.validate(day).unwrap(),
        record: record.validate(day).unwrap(),
        holder_binding: None,
    }
}

/// The trust list (issued a day before `now`) with [`KID`] = `key("issuer")` for 01130012.
pub fn trust_list(now: DateTime<Utc>) -> TrustList {
    TrustList {
        version: 1,
        issued_at: now - Duration::days(1),
        keys: vec![IssuerKey {
            kid: KID.into(),
            public_key: key("issuer")
                .verifying_key()
                .to_encoded_point(false)
                .as_bytes()
                .to_vec(),
            not_before: now - Duration::days(1000),
            not_after: now + Duration::days(300),
            insurers: vec![InsurerNumber::parse("01130012").unwrap()],
        }],
    }
}

/// [`trust_list`] signed by `key("root")`.
pub fn signed_trust_list(now: DateTime<Utc>) -> Vec<u8> {
    trust_list(now).sign(&key("root")).unwrap()
}

/// The root's public key, SEC1 (what `--root` reads).
pub fn root_sec1() -> Vec<u8> {
    key("root")
        .verifying_key()
        .to_encoded_point(true)
        .as_bytes()
        .to_vec()
}
