//! The visit log as FHIR R4 with the JP Core profiles (JAMI / 日本HL7協会, jp-core-v1x), the form
//! 電子カルテ and other clinic systems read: one `Bundle` (type `collection`) per export, and per
//! visit a `Patient` (JP_Patient), a `Coverage` (JP_Coverage) and an `Encounter` for the 受診日,
//! with each payer once as an `Organization` (JP_Organization). Damaged rows, which cannot be
//! exported, are listed in one `OperationOutcome` (docs/clinic.md, "FHIR").
//!
//! The JP Core rules followed (spec/clinic.md §3; jp-core-v1x `JP_Coverage.fsh` and its
//! example `JP_Coverage_Example.fsh`):
//! - the payer's `identifier` has the system `urn:oid:1.2.392.100495.20.3.61` (保険者番号);
//! - `Coverage.extension` carries 記号, 番号 and 枝番 (`JP_Coverage_InsuredPerson…`), the
//!   `insuranceIdentifier` is `保険者番号:記号:番号:枝番` (an absent part is the empty string),
//!   `subscriberId` is `記号:番号` and `dependent` the 枝番, all as printed;
//! - `type` is `v3-ActCode#PUBLICPOL`; `relationship` uses the MHLW 被保険者区分 (1 被保険者,
//!   2 被扶養者);
//! - names are `JP_HumanName`: the 漢字 name (`IDE`) and the カナ (`SYL`), each with its
//!   `iso21090-EN-representation` extension.
//!
//! - a 公費 seen with the visit is one more `Coverage` of 保険種別 8 (`urn:oid:1.2.392.100495.20.2.61`,
//!   the JP Core 電子処方箋 examples' 公費 Coverage): `subscriberId` the 受給者番号, `order` 1 or 2
//!   (第一公費, 第二公費), `period.end` its 有効期限, its payer an `Organization` whose identifier
//!   has the system `urn:oid:1.2.392.100495.20.3.71` (公費負担者番号), tagged 受給者証目視・未検証.
//!
//! The desk knows no clinic patient number (カルテ番号), so each `Patient` is identified by its
//! own `urn:uuid` (the identifier JP_Patient requires). How eligibility was confirmed — the
//! same words as the CSV's 確認方法 — and the entry's status (確認済み, 申立・未検証, …) are
//! tags on the `Coverage`, so a declared entry is never mistaken for a verified one.

use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, SecondsFormat, Utc};
use serde_json::{Value, json};
use uuid::Uuid;

use super::export::confirmation_ja;
use super::log::{CheckedVisits, EntryKind, LogEntry, VisitList};
use super::public_expense::{PUBLIC_EXPENSE_SEEN_LABEL, SeenPublicExpense};
use crate::eligibility::{CopayRate, InsurerNumber, Relationship, Sex};

const JP_PATIENT: &str = "http://jpfhir.jp/fhir/core/StructureDefinition/JP_Patient";
const JP_COVERAGE: &str = "http://jpfhir.jp/fhir/core/StructureDefinition/JP_Coverage";
const JP_ORGANIZATION: &str = "http://jpfhir.jp/fhir/core/StructureDefinition/JP_Organization";
const EXT_BASE: &str = "http://jpfhir.jp/fhir/core/Extension/StructureDefinition/";
const INSURER_NUMBER_OID: &str = "urn:oid:1.2.392.100495.20.3.61";
/// 公費負担者番号 (jp-core-v1x `guide-urlmap.md`; the 電子処方箋 profile's `publicPayer`).
const PUBLIC_PAYER_NUMBER_OID: &str = "urn:oid:1.2.392.100495.20.3.71";
/// 保険種別コード (厚生労働省 電子処方箋 CDA 記述仕様 別表11): 8 is 公費.
const INSURANCE_CATEGORY: &str = "urn:oid:1.2.392.100495.20.2.61";
/// How a 公費 was confirmed: the paper seen at the desk.
const PUBLIC_EXPENSE_SEEN: &str = "公費受給者証（目視）";
const MEMBER_ID_SYSTEM: &str = "http://jpfhir.jp/fhir/clins/Idsystem/JP_Insurance_memberID";
const NAME_REPRESENTATION: &str =
    "http://hl7.org/fhir/StructureDefinition/iso21090-EN-representation";
const INSURED_PERSON_CATEGORY: &str =
    "http://jpfhir.jp/fhir/core/mhlw/CodeSystem/InsuredPersonCategory";
const ACT_CODE: &str = "http://terminology.hl7.org/CodeSystem/v3-ActCode";
/// The code system of this desk's own tags (how eligibility was confirmed, the entry's status).
pub const TAG_SYSTEM: &str = "urn:shikaku:clinic-desk";

/// What one entry contributes, before the references are joined up.
struct Visit<'a> {
    name: &'a str,
    kana: Option<&'a str>,
    birth_date: NaiveDate,
    sex: Option<Sex>,
    relationship: Option<Relationship>,
    insurer_number: Option<&'a InsurerNumber>,
    insurer_name: Option<&'a str>,
    symbol: Option<&'a str>,
    number: Option<&'a str>,
    branch: Option<&'a str>,
    copay: Option<CopayRate>,
    /// No share printed or declared, where the law settles one: the law's share, exported with
    /// its label — a 未就学 child's document printed 法定負担割合のとおり (2割, 健康保険法
    /// §110(2)(i)ロ), or a 申立 without a share (the cashier's line, `Declaration::undeclared_share`).
    statutory: Option<(CopayRate, &'static str)>,
    valid_from: Option<NaiveDate>,
    valid_until: Option<NaiveDate>,
    /// (label, share) pairs beyond the main one: the 高齢受給者 share.
    extra_copay: Option<(CopayRate, NaiveDate)>,
    limit: Option<&'a str>,
}

fn visit(e: &LogEntry) -> Visit<'_> {
    match &e.kind {
        EntryKind::Verified(v) => {
            let c = v.claim();
            Visit {
                name: &c.name,
                kana: Some(&c.kana),
                birth_date: c.birth_date,
                sex: Some(c.sex),
                relationship: Some(c.relationship),
                insurer_number: Some(&c.insurer_number),
                insurer_name: None,
                symbol: c.symbol.as_deref(),
                number: Some(&c.number),
                branch: c.branch.as_deref(),
                copay: c.copay,
                statutory: (c.copay.is_none() && c.preschool)
                    .then_some((CopayRate::Twenty, "一部負担金割合（未就学・法定のとおり）")),
                valid_from: c.valid_from,
                valid_until: c.valid_until,
                extra_copay: c.elderly.as_ref().map(|x| (x.copay, x.effective_from)),
                limit: c.limit.as_ref().map(|l| l.category.as_str()),
            }
        }
        EntryKind::Declared(d) => Visit {
            name: &d.name,
            kana: d.kana.as_deref(),
            birth_date: d.birth_date,
            sex: d.sex,
            relationship: d.relationship,
            insurer_number: d.insurer_number.as_ref(),
            insurer_name: Some(&d.insurer_name),
            symbol: d.symbol.as_deref(),
            number: d.number.as_deref(),
            branch: d.branch.as_deref(),
            copay: d.copay,
            statutory: d
                .undeclared_share(e.visit_date())
                .map(|(rate, mark)| (rate, mark.fhir_ja())),
            valid_from: None,
            valid_until: None,
            extra_copay: None,
            limit: None,
        },
    }
}

fn new_url() -> String {
    format!("urn:uuid:{}", Uuid::new_v4())
}

fn date(d: NaiveDate) -> String {
    crate::clock::iso_date(d)
}

/// A name as JP_HumanName: the whole as `text`, and family / given when it has a space (half-
/// or full-width) between them.
fn human_name(text: &str, representation: &str) -> Value {
    let mut name = json!({
        "extension": [{ "url": NAME_REPRESENTATION, "valueCode": representation }],
        "use": "official",
        "text": text,
    });
    if let Some((family, given)) = text.split_once([' ', '\u{3000}']) {
        let (family, given) = (family.trim(), given.trim());
        if !family.is_empty() && !given.is_empty() {
            name["family"] = json!(family);
            name["given"] = json!([given]);
        }
    }
    name
}

fn patient(v: &Visit<'_>, url: &str) -> Value {
    let mut names = vec![human_name(v.name, "IDE")];
    if let Some(kana) = v.kana.filter(|k| !k.trim().is_empty()) {
        names.push(human_name(kana, "SYL"));
    }
    let mut p = json!({
        "resourceType": "Patient",
        "meta": { "profile": [JP_PATIENT] },
        // No カルテ番号 at the desk: the resource's own id (JP_Patient requires one).
        "identifier": [{ "system": "urn:ietf:rfc:3986", "value": url }],
        "name": names,
        "birthDate": date(v.birth_date),
    });
    if let Some(sex) = v.sex {
        p["gender"] = json!(match sex {
            Sex::Male => "male",
            Sex::Female => "female",
            Sex::Other => "other",
        });
    }
    p
}

fn organization(number: Option<&InsurerNumber>, name: Option<&str>) -> Value {
    let mut o = json!({
        "resourceType": "Organization",
        "meta": { "profile": [JP_ORGANIZATION] },
        "type": [{ "coding": [{
            "system": "http://terminology.hl7.org/CodeSystem/organization-type",
            "code": "pay",
            "display": "Payer",
        }]}],
    });
    if let Some(n) = number {
        let system = if n.is_public_expense() {
            PUBLIC_PAYER_NUMBER_OID
        } else {
            INSURER_NUMBER_OID
        };
        o["identifier"] = json!([{ "system": system, "value": n.as_str() }]);
    }
    if let Some(name) = name.filter(|n| !n.trim().is_empty()) {
        o["name"] = json!(name);
    }
    o
}

fn copay_cost(rate: CopayRate, label: &str) -> Value {
    json!({
        "type": {
            "coding": [{
                "system": "http://terminology.hl7.org/CodeSystem/coverage-copay-type",
                "code": "copaypct",
            }],
            "text": label,
        },
        "valueQuantity": {
            "value": rate.percent(),
            "unit": "%",
            "system": "http://unitsofmeasure.org",
            "code": "%",
        },
    })
}

fn coverage(e: &LogEntry, v: &Visit<'_>, patient_url: &str, payer_url: &str) -> Value {
    let part = |s: Option<&str>| s.unwrap_or_default().to_string();
    let mut extension = Vec::new();
    for (name, value) in [
        ("JP_Coverage_InsuredPersonSymbol", v.symbol),
        ("JP_Coverage_InsuredPersonNumber", v.number),
        ("JP_Coverage_InsuredPersonSubNumber", v.branch),
    ] {
        if let Some(value) = value {
            extension.push(json!({ "url": format!("{EXT_BASE}{name}"), "valueString": value }));
        }
    }
    let mut c = json!({
        "resourceType": "Coverage",
        "meta": {
            "profile": [JP_COVERAGE],
            "tag": [
                { "system": TAG_SYSTEM, "code": "status", "display": e.status_label_ja() },
                { "system": TAG_SYSTEM, "code": "confirmation", "display": confirmation_ja(e) },
            ],
        },
        "status": "active",
        "type": { "coding": [{ "system": ACT_CODE, "code": "PUBLICPOL" }] },
        "beneficiary": { "reference": patient_url },
        "payor": [{ "reference": payer_url }],
    });
    if !extension.is_empty() {
        c["extension"] = json!(extension);
    }
    // The member id only when the insurance and the person's number are both known.
    if let (Some(insurer), Some(number)) = (v.insurer_number, v.number) {
        c["identifier"] = json!([{
            "system": MEMBER_ID_SYSTEM,
            "value": format!(
                "{}:{}:{}:{}",
                insurer.as_str(),
                part(v.symbol),
                number,
                part(v.branch)
            ),
            "assigner": { "reference": payer_url },
        }]);
        c["subscriberId"] = json!(format!("{}:{}", part(v.symbol), number));
    }
    if let Some(branch) = v.branch {
        c["dependent"] = json!(branch);
    }
    if let Some(r) = v.relationship {
        let (code, display) = match r {
            Relationship::Insured => ("1", "被保険者"),
            Relationship::Dependent => ("2", "被扶養者"),
        };
        c["relationship"] = json!({ "coding": [{
            "system": INSURED_PERSON_CATEGORY, "code": code, "display": display,
        }]});
    }
    if v.valid_from.is_some() || v.valid_until.is_some() {
        let mut period = json!({});
        if let Some(d) = v.valid_from {
            period["start"] = json!(date(d));
        }
        if let Some(d) = v.valid_until {
            period["end"] = json!(date(d));
        }
        c["period"] = period;
    }
    let mut costs = Vec::new();
    if let Some(rate) = v.copay {
        costs.push(copay_cost(rate, "一部負担金割合"));
    } else if let Some((rate, label)) = v.statutory {
        costs.push(copay_cost(rate, label));
    }
    if let Some((rate, from)) = v.extra_copay {
        costs.push(copay_cost(
            rate,
            &format!("高齢受給者 一部負担金割合（発効期日 {}）", date(from)),
        ));
    }
    if !costs.is_empty() {
        c["costToBeneficiary"] = json!(costs);
    }
    if let Some(category) = v.limit {
        c["class"] = json!([{ "type": { "text": "限度額適用区分" }, "value": category }]);
    }
    c
}

/// One 公費 seen with the visit as a JP_Coverage of 保険種別 8 (公費), as the JP Core 電子処方箋
/// examples write one (`JP_Coverage_ePrescriptionData_publicPayment`): `subscriberId` the
/// 受給者番号, `payor` the 公費負担者 (`order` 1 for the 第一公費, 2 for the 第二), `period.end`
/// its 有効期限; tagged 受給者証目視・未検証 whatever the insurance's status.
fn public_coverage(
    p: &SeenPublicExpense,
    order: usize,
    patient_url: &str,
    payer_url: &str,
) -> Value {
    let mut c = json!({
        "resourceType": "Coverage",
        "meta": {
            "profile": [JP_COVERAGE],
            "tag": [
                { "system": TAG_SYSTEM, "code": "status", "display": PUBLIC_EXPENSE_SEEN_LABEL },
                { "system": TAG_SYSTEM, "code": "confirmation", "display": PUBLIC_EXPENSE_SEEN },
            ],
        },
        "status": "active",
        "type": {
            "coding": [{ "system": INSURANCE_CATEGORY, "code": "8", "display": "公費" }],
            "text": p.program_ja(),
        },
        "beneficiary": { "reference": patient_url },
        "payor": [{ "reference": payer_url }],
        "order": order,
    });
    if let Some(r) = &p.recipient_number {
        c["subscriberId"] = json!(r);
    }
    if let Some(d) = p.valid_until {
        c["period"] = json!({ "end": date(d) });
    }
    c
}

fn encounter(e: &LogEntry, patient_url: &str) -> Value {
    json!({
        "resourceType": "Encounter",
        // Received at the desk: the visit has begun, its end is not the desk's to know.
        "status": "arrived",
        "class": { "system": ACT_CODE, "code": "AMB", "display": "ambulatory" },
        "subject": { "reference": patient_url },
        "period": { "start": e.recorded_at.to_rfc3339_opts(SecondsFormat::Secs, true) },
    })
}

/// The visits of `list` as one FHIR R4 `Bundle` (JSON, pretty-printed), built at `now`. The
/// visits stay in the list's order; each payer appears once (by 保険者番号, or by the declared
/// name when no number was declared).
pub fn to_fhir_bundle(list: &VisitList, now: DateTime<Utc>) -> String {
    bundle(list, None, now)
}

impl CheckedVisits {
    /// The listing as a FHIR Bundle ([`to_fhir_bundle`]); when the log's chain is broken, its
    /// notice heads the `OperationOutcome` (the export may lack entries no day finds).
    pub fn to_fhir(&self, now: DateTime<Utc>) -> String {
        bundle(&self.list, self.check.notice_ja().as_deref(), now)
    }
}

fn bundle(list: &VisitList, chain_notice: Option<&str>, now: DateTime<Utc>) -> String {
    let mut entries: Vec<Value> = Vec::new();
    let mut payers: HashMap<String, String> = HashMap::new();
    for e in &list.entries {
        let v = visit(e);
        let payer_key = match (v.insurer_number, v.insurer_name) {
            (Some(n), _) => format!("number:{}", n.as_str()),
            (None, name) => format!("name:{}", name.unwrap_or_default()),
        };
        let payer_url = match payers.get(&payer_key) {
            Some(url) => url.clone(),
            None => {
                let url = new_url();
                entries.push(json!({
                    "fullUrl": url,
                    "resource": organization(v.insurer_number, v.insurer_name),
                }));
                payers.insert(payer_key, url.clone());
                url
            }
        };
        let patient_url = new_url();
        entries.push(json!({ "fullUrl": patient_url, "resource": patient(&v, &patient_url) }));
        entries.push(json!({
            "fullUrl": new_url(),
            "resource": coverage(e, &v, &patient_url, &payer_url),
        }));
        for (i, p) in e.public_expenses.iter().enumerate() {
            // A 公費負担者 once too, apart from the insurers (another identifier system).
            let key = format!("public:{}", p.payer_number.as_str());
            let payer_url = match payers.get(&key) {
                Some(url) => url.clone(),
                None => {
                    let url = new_url();
                    entries.push(json!({
                        "fullUrl": url,
                        "resource": organization(Some(&p.payer_number), None),
                    }));
                    payers.insert(key, url.clone());
                    url
                }
            };
            entries.push(json!({
                "fullUrl": new_url(),
                "resource": public_coverage(p, i + 1, &patient_url, &payer_url),
            }));
        }
        entries.push(json!({
            "fullUrl": new_url(),
            "resource": encounter(e, &patient_url),
        }));
    }
    let mut issues: Vec<Value> = Vec::new();
    if let Some(notice) = chain_notice {
        issues.push(json!({ "severity": "error", "code": "processing", "diagnostics": notice }));
    }
    issues.extend(list.corrupt.iter().map(|r| {
        json!({
            "severity": "error",
            "code": "processing",
            "diagnostics": format!(
                "記録 {} は読めません（破損または改ざん）。この書き出しに含まれていません。",
                r.id
            ),
        })
    }));
    if !issues.is_empty() {
        entries.push(json!({
            "fullUrl": new_url(),
            "resource": { "resourceType": "OperationOutcome", "issue": issues },
        }));
    }
    let bundle = json!({
        "resourceType": "Bundle",
        "type": "collection",
        "timestamp": now.to_rfc3339_opts(SecondsFormat::Secs, true),
        "entry": entries,
    });
    // Serialising a `Value` cannot fail (string keys only); the fallback is never taken.
    serde_json::to_string_pretty(&bundle).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clinic::claim::{CardCheckMethod, ClaimFields, DocumentInfo, Verdict};
    use crate::clinic::{Declaration, VerifiedVisit};
    use crate::store::RowRef;

    fn at(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    /// The claim fields of JP Core's own Coverage example (`JP_Coverage_Example.fsh`: 記号
    /// あいう, 番号 １８７ in full width, 枝番 05), with a valid 8-digit 保険者番号.
    fn claim() -> ClaimFields {
        serde_json::from_value(json!({
            "insurer_number": "01130012",
            "symbol": "あいう",
            "number": "１８７",
            "branch": "05",
            "name": "山田 太郎",
            "kana": "ヤマダ タロウ",
            "birth_date": "1955-04-12",
            "sex": "male",
            "relationship": "dependent",
            "copay": 20,
            "valid_from": "2025-12-02",
            "valid_until": "2030-12-01",
            "elderly": { "copay": 20, "effective_from": "2025-05-01", "valid_until": null },
            "limit": { "category": "区分Ⅱ", "effective_from": null },
        }))
        .unwrap()
    }

    fn verified(position: u64, card: CardCheckMethod) -> LogEntry {
        LogEntry {
            position,
            recorded_at: at("2026-11-27T02:00:00Z"),
            operator: "受付 次郎".into(),
            kind: EntryKind::Verified(VerifiedVisit::new(
                claim(),
                card,
                DocumentInfo {
                    key_id: "issuer-2026".into(),
                    format: 2,
                    issued_on: NaiveDate::from_ymd_opt(2026, 11, 1).unwrap(),
                    kind: Some(crate::eligibility::DocumentKind::Portal),
                },
                Verdict::Confirmed,
            )),
            public_expenses: Vec::new(),
        }
    }

    fn declared(position: u64) -> LogEntry {
        LogEntry {
            position,
            recorded_at: at("2026-11-27T03:00:00Z"),
            operator: "受付 次郎".into(),
            kind: EntryKind::Declared(Declaration {
                name: "佐藤　一郎".into(),
                kana: None,
                birth_date: NaiveDate::from_ymd_opt(1970, 5, 6).unwrap(),
                sex: None,
                relationship: None,
                insurer_name: "株式会社サンプル".into(),
                insurer_number: None,
                symbol: None,
                number: Some("4567".into()),
                branch: None,
                copay: Some(CopayRate::try_from(30u8).unwrap()),
            }),
            public_expenses: Vec::new(),
        }
    }

    fn bundle(list: &VisitList) -> Value {
        serde_json::from_str(&to_fhir_bundle(list, at("2026-11-28T09:00:00Z"))).unwrap()
    }

    fn resources<'a>(b: &'a Value, kind: &str) -> Vec<&'a Value> {
        b["entry"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| &e["resource"])
            .filter(|r| r["resourceType"] == kind)
            .collect()
    }

    fn list(entries: Vec<LogEntry>, corrupt: Vec<RowRef>) -> VisitList {
        VisitList { entries, corrupt }
    }

    #[test]
    fn a_verified_visit_is_a_jp_core_coverage_as_in_the_profiles_example() {
        let b = bundle(&list(vec![verified(1, CardCheckMethod::Pin)], vec![]));
        assert_eq!(b["resourceType"], "Bundle");
        assert_eq!(b["type"], "collection");
        let cov = resources(&b, "Coverage");
        assert_eq!(cov.len(), 1);
        let c = cov[0];
        assert_eq!(c["meta"]["profile"][0], JP_COVERAGE);
        // The example's member id, subscriber id and dependent, in its format.
        assert_eq!(c["identifier"][0]["system"], MEMBER_ID_SYSTEM);
        assert_eq!(c["identifier"][0]["value"], "01130012:あいう:１８７:05");
        assert_eq!(c["subscriberId"], "あいう:１８７");
        assert_eq!(c["dependent"], "05");
        assert_eq!(c["type"]["coding"][0]["code"], "PUBLICPOL");
        let ext: Vec<(String, String)> = c["extension"]
            .as_array()
            .unwrap()
            .iter()
            .map(|x| {
                (
                    x["url"].as_str().unwrap().to_string(),
                    x["valueString"].as_str().unwrap().to_string(),
                )
            })
            .collect();
        assert_eq!(
            ext,
            [
                ("JP_Coverage_InsuredPersonSymbol", "あいう"),
                ("JP_Coverage_InsuredPersonNumber", "１８７"),
                ("JP_Coverage_InsuredPersonSubNumber", "05"),
            ]
            .map(|(n, v)| (format!("{EXT_BASE}{n}"), v.to_string()))
        );
        assert_eq!(c["relationship"]["coding"][0]["code"], "2");
        assert_eq!(c["period"]["start"], "2025-12-02");
        assert_eq!(c["period"]["end"], "2030-12-01");
        assert_eq!(c["costToBeneficiary"][0]["valueQuantity"]["value"], 20);
        assert!(
            c["costToBeneficiary"][1]["type"]["text"]
                .as_str()
                .unwrap()
                .contains("高齢受給者")
        );
        assert_eq!(c["class"][0]["value"], "区分Ⅱ");
        let tags = c["meta"]["tag"].as_array().unwrap();
        assert_eq!(tags[1]["display"], "署名付き資格情報＋カード（PIN）");
        // The payer, by its 保険者番号 OID.
        let org = resources(&b, "Organization");
        assert_eq!(org.len(), 1);
        assert_eq!(org[0]["identifier"][0]["system"], INSURER_NUMBER_OID);
        assert_eq!(org[0]["identifier"][0]["value"], "01130012");
        // The patient: 漢字 and カナ names, split at the space, with their representation.
        let p = resources(&b, "Patient")[0];
        assert_eq!(p["name"][0]["extension"][0]["valueCode"], "IDE");
        assert_eq!(p["name"][0]["family"], "山田");
        assert_eq!(p["name"][0]["given"][0], "太郎");
        assert_eq!(p["name"][1]["extension"][0]["valueCode"], "SYL");
        assert_eq!(p["name"][1]["text"], "ヤマダ タロウ");
        assert_eq!(p["gender"], "male");
        assert_eq!(p["birthDate"], "1955-04-12");
        assert!(p["identifier"][0]["value"].is_string());
        let enc = resources(&b, "Encounter")[0];
        assert_eq!(enc["period"]["start"], "2026-11-27T02:00:00Z");
    }

    #[test]
    fn every_reference_resolves_inside_the_bundle_and_payers_appear_once() {
        let b = bundle(&list(
            vec![
                verified(1, CardCheckMethod::Visual),
                verified(2, CardCheckMethod::None),
                declared(3),
            ],
            vec![],
        ));
        let urls: Vec<&str> = b["entry"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["fullUrl"].as_str().unwrap())
            .collect();
        let mut unique = urls.clone();
        unique.sort_unstable();
        unique.dedup();
        assert_eq!(unique.len(), urls.len(), "fullUrls are unique");
        for c in resources(&b, "Coverage") {
            for r in [&c["beneficiary"]["reference"], &c["payor"][0]["reference"]] {
                assert!(urls.contains(&r.as_str().unwrap()), "{r} resolves");
            }
        }
        for e in resources(&b, "Encounter") {
            assert!(urls.contains(&e["subject"]["reference"].as_str().unwrap()));
        }
        // Two visits of the same insurance, one declared employer: two payers.
        assert_eq!(resources(&b, "Organization").len(), 2);
        assert_eq!(resources(&b, "Patient").len(), 3);
        assert_eq!(resources(&b, "Coverage").len(), 3);
    }

    #[test]
    fn a_declaration_is_tagged_unverified_and_says_only_what_was_declared() {
        let b = bundle(&list(vec![declared(7)], vec![]));
        let c = resources(&b, "Coverage")[0];
        let tags = c["meta"]["tag"].as_array().unwrap();
        assert_eq!(tags[0]["display"], "申立・未検証");
        assert_eq!(tags[1]["display"], "被保険者資格申立書");
        // No 保険者番号 declared: no member id, no period; the number alone as an extension.
        assert!(c.get("identifier").is_none());
        assert!(c.get("period").is_none());
        assert!(c.get("relationship").is_none());
        assert_eq!(c["extension"].as_array().unwrap().len(), 1);
        let org = resources(&b, "Organization")[0];
        assert!(org.get("identifier").is_none());
        assert_eq!(org["name"], "株式会社サンプル");
        let p = resources(&b, "Patient")[0];
        assert!(p.get("gender").is_none());
        assert_eq!(p["name"].as_array().unwrap().len(), 1);
        // A full-width space separates family and given names too.
        assert_eq!(p["name"][0]["family"], "佐藤");
        assert_eq!(p["name"][0]["given"][0], "一郎");
    }

    #[test]
    fn damaged_rows_are_reported_not_dropped_silently() {
        let b = bundle(&list(
            vec![verified(1, CardCheckMethod::Pin)],
            vec![RowRef {
                table: "visits",
                id: "2".into(),
            }],
        ));
        let oo = resources(&b, "OperationOutcome");
        assert_eq!(oo.len(), 1);
        assert_eq!(oo[0]["issue"][0]["severity"], "error");
        assert!(
            oo[0]["issue"][0]["diagnostics"]
                .as_str()
                .unwrap()
                .contains("記録 2")
        );
    }

    #[test]
    fn a_broken_chain_heads_the_outcome() {
        use crate::clinic::{LogCheck, LogProblem};
        let checked = CheckedVisits {
            list: list(vec![verified(1, CardCheckMethod::Pin)], vec![]),
            check: LogCheck::Broken {
                position: 7,
                problem: LogProblem::Missing,
            },
        };
        let b: Value = serde_json::from_str(&checked.to_fhir(at("2026-11-28T09:00:00Z"))).unwrap();
        let oo = resources(&b, "OperationOutcome");
        assert_eq!(oo.len(), 1);
        let text = oo[0]["issue"][0]["diagnostics"].as_str().unwrap();
        assert!(text.contains('7'), "{text}");
        assert_eq!(resources(&b, "Coverage").len(), 1);
    }

    #[test]
    fn an_empty_range_is_an_empty_collection() {
        let b = bundle(&list(vec![], vec![]));
        assert_eq!(b["entry"].as_array().unwrap().len(), 0);
        assert_eq!(b["timestamp"], "2026-11-28T09:00:00Z");
    }
}
