//! Shared fixtures for the store tests: a household and the personal values it contains.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeMap;
use std::path::Path;

use chrono::NaiveDate;
use shikaku_core::eligibility::{
    DocumentKind, EligibilityRecord, MemberData, MemberForm, RecordForm, Relationship, Sex,
};

pub fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 23).unwrap()
}

pub fn member(name: &str, kana: &str, birth: &str, sex: Sex, rel: Relationship) -> MemberData {
    MemberForm {
        name: name.into(),
        kana: kana.into(),
        birth_date: birth.into(),
        sex,
        relationship: rel,
        myna_hoken: None,
        card_expires_on: None,
    }
    .validate(today())
    .unwrap()
}

pub fn record(
    kind: DocumentKind,
    insurer: &str,
    symbol: &str,
    number: &str,
    rel: Relationship,
) -> EligibilityRecord {
    RecordForm {
        kind,
        insurer_number: insurer.into(),
        insurer_name: "全国健康保険協会 東京支部".into(),
        symbol: Some(symbol.into()),
        number: number.into(),
        branch: Some(
            if rel == Relationship::Insured {
                "00"
            } else {
                "01"
            }
            .into(),
        ),
        relationship: rel,
        insured_name: (rel == Relationship::Dependent).then(|| "山田 太郎".into()),
        acquired_on: Some("2015-04-01".into()),
        copay_percent: Some(30),
        valid_from: Some("2025-12-02".into()),
        valid_until: Some("2030-12-01".into()),
        issued_on: Some("2025-11-20".into()),
        elderly: None,
        limit: None,
        preschool: false,
        lost_on: None,
        public_expense: None,
    }
    .validate(today())
    .unwrap()
}

/// Three members, each with records.
pub fn family() -> Vec<(MemberData, Vec<EligibilityRecord>)> {
    use DocumentKind::*;
    use Relationship::*;
    vec![
        (
            member(
                "山田 太郎",
                "ヤマダ タロウ",
                "1985-04-12",
                Sex::Male,
                Insured,
            ),
            vec![
                record(Notice, "01130012", "7340155", "420815", Insured),
                record(Portal, "01130012", "7340155", "420815", Insured),
            ],
        ),
        (
            member(
                "山田 花子",
                "ヤマダ ハナコ",
                "1987-09-30",
                Sex::Female,
                Dependent,
            ),
            vec![record(Notice, "01130012", "7340155", "430927", Dependent)],
        ),
        (
            member(
                "鈴木 ウメ",
                "スズキ ウメ",
                "1950-02-28",
                Sex::Female,
                Insured,
            ),
            vec![record(Certificate, "39131008", "8812", "60417733", Insured)],
        ),
    ]
}

/// Every personal value of `family()` as the bytes that must never appear on disk.
pub fn personal_needles() -> Vec<(String, Vec<u8>)> {
    let mut out = Vec::new();
    let mut add = |label: &str, s: String| out.push((label.to_string(), s.into_bytes()));
    for (m, records) in family() {
        for part in m.name.split(' ') {
            add("name", part.to_string());
        }
        add("name", m.name.clone());
        for part in m.kana.split(' ') {
            add("kana", part.to_string());
        }
        add("birth", m.birth_date.format("%Y-%m-%d").to_string());
        add("birth", m.birth_date.format("%Y%m%d").to_string());
        for r in records {
            add("insurer_number", r.insurer_number.as_str().to_string());
            add("symbol", r.symbol.clone().unwrap());
            add("number", r.number.clone());
            add("insurer_name", "全国健康保険協会".into());
        }
    }
    out
}

/// Returns (file, label) for every needle found in any file under `dir`.
pub fn scan_dir(dir: &Path, needles: &[(String, Vec<u8>)]) -> Vec<(String, String)> {
    let mut hits = Vec::new();
    for (name, bytes) in snapshot(dir) {
        for (label, needle) in needles {
            if bytes.windows(needle.len()).any(|w| w == needle.as_slice()) {
                hits.push((name.clone(), label.clone()));
            }
        }
    }
    hits
}

/// All files under `dir` (recursively) with their bytes.
pub fn snapshot(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut out = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else {
                out.insert(p.display().to_string(), std::fs::read(&p).unwrap());
            }
        }
    }
    out
}
