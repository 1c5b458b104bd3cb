//! Test keys and sample data (tests only).

use chrono::{DateTime, NaiveDate, Utc};
use p256::ecdsa::SigningKey;
use sha2::{Digest, Sha256};

use super::{EligibilityDocument, IssuerKey, TrustList};
use crate::eligibility::{
    CopayRate, DocumentKind, ElderlyRecipient, EligibilityRecord, InsurerNumber,
    LimitCertification, MemberData, Relationship, Sex,
};

/// A deterministic P-256 key from a seed (SHA-256 of the seed as the scalar).
pub(crate) fn key_from_seed(seed: &str) -> SigningKey {
    SigningKey::from_slice(&Sha256::digest(seed.as_bytes())).expect("valid scalar")
}

pub(crate) fn t(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).unwrap().to_utc()
}

pub(crate) fn d(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

/// "Now" in the tests.
pub(crate) fn now() -> DateTime<Utc> {
    t("2026-11-23T03:00:00Z")
}

pub(crate) const KID: &str = "issuer-2026";
pub(crate) const INSURER: &str = "01130012";
pub(crate) const OTHER_INSURER: &str = "33120015";

pub(crate) fn issuer_signing_key() -> SigningKey {
    key_from_seed("test issuer 2026")
}

pub(crate) fn root_signing_key() -> SigningKey {
    key_from_seed("test root")
}

pub(crate) fn issuer_key(kid: &str, key: &SigningKey, insurers: &[&str]) -> IssuerKey {
    IssuerKey {
        kid: kid.into(),
        public_key: key
            .verifying_key()
            .to_encoded_point(false)
            .as_bytes()
            .to_vec(),
        not_before: t("2026-01-01T00:00:00Z"),
        not_after: t("2027-12-31T23:59:59Z"),
        insurers: insurers
            .iter()
            .map(|n| InsurerNumber::parse(n).unwrap())
            .collect(),
    }
}

pub(crate) fn trust_list() -> TrustList {
    TrustList {
        version: 1,
        issued_at: t("2026-11-01T00:00:00Z"),
        keys: vec![
            issuer_key(KID, &issuer_signing_key(), &[INSURER]),
            issuer_key("police-2026", &key_from_seed("police"), &[OTHER_INSURER]),
        ],
    }
}

/// A document with every optional field present.
pub(crate) fn document() -> EligibilityDocument {
    EligibilityDocument {
        household_id: "hh-0001".into(),
        person_id: "person-0001".into(),
        version: 3,
        issued_at: t("2026-11-20T00:00:00Z"),
        valid_until: t("2027-11-20T00:00:00Z"),
        person: MemberData {
            name: "山田 太郎".into(),
            kana: "ヤマダ タロウ".into(),
            birth_date: d("1985-04-12"),
            sex: Sex::Male,
            relationship: Relationship::Insured,
            myna_hoken: None,
            card_expires_on: None,
        },
        record: EligibilityRecord {
            kind: DocumentKind::Certificate,
            insurer_number: InsurerNumber::parse(INSURER).unwrap(),
            insurer_name: "全国健康保険協会 東京支部".into(),
            symbol: Some("１２３４５６７".into()),
            number: "８９".into(),
            branch: Some("01".into()),
            relationship: Relationship::Insured,
            insured_name: Some("山田 太郎".into()),
            acquired_on: Some(d("2015-04-01")),
            copay: Some(CopayRate::Thirty),
            valid_from: Some(d("2025-12-02")),
            valid_until: Some(d("2030-12-01")),
            issued_on: Some(d("2025-11-20")),
            elderly: Some(ElderlyRecipient {
                copay: CopayRate::Twenty,
                effective_from: d("2026-08-01"),
                valid_until: Some(d("2027-07-31")),
            }),
            limit: Some(LimitCertification {
                category: "区分Ⅱ".into(),
                effective_from: Some(d("2026-08-01")),
            }),
            preschool: false,
            lost_on: None,
        },
        holder_binding: Some([0x5a; 32]),
    }
}

/// A document with every optional field absent.
pub(crate) fn minimal_document() -> EligibilityDocument {
    let mut doc = document();
    doc.person.relationship = Relationship::Dependent;
    doc.record = EligibilityRecord {
        kind: DocumentKind::Notice,
        insurer_number: InsurerNumber::parse(INSURER).unwrap(),
        insurer_name: "協会けんぽ".into(),
        symbol: None,
        number: "1".into(),
        branch: None,
        relationship: Relationship::Dependent,
        insured_name: None,
        acquired_on: None,
        copay: None,
        valid_from: None,
        valid_until: None,
        issued_on: None,
        elderly: None,
        limit: None,
        preschool: true,
        lost_on: None,
    };
    doc.holder_binding = None;
    doc
}
