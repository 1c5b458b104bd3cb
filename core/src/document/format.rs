//! The signed eligibility document's content: the model ([`EligibilityDocument`] and its
//! validation) and its CBOR layout (docs/protocol.md, "Document format"), written canonically
//! and read strictly. Signing and verification are in `verify`.

use chrono::{DateTime, NaiveDate, Utc};
use ciborium::Value;

use super::cbor::{self, Fields, malformed, time, time_v};
use super::{DocumentError, FORMAT_VERSION, MAX_SIGNED_BYTES};
use crate::clock::japan_today;
use crate::eligibility::{
    CopayRate, DocumentKind, ElderlyRecipient, EligibilityRecord, InsurerNumber,
    LimitCertification, MemberData, MemberForm, RecordForm, Relationship, Sex,
};

/// Keys of the top-level document map.
mod key {
    pub const FORMAT: u64 = 0;
    pub const HOUSEHOLD_ID: u64 = 1;
    pub const PERSON_ID: u64 = 2;
    pub const VERSION: u64 = 3;
    pub const ISSUED_AT: u64 = 4;
    pub const VALID_UNTIL: u64 = 5;
    pub const PERSON: u64 = 6;
    pub const RECORD: u64 = 7;
    pub const HOLDER_BINDING: u64 = 8;
}

/// Keys of the person map.
mod person_key {
    pub const NAME: u64 = 1;
    pub const KANA: u64 = 2;
    pub const BIRTH_DATE: u64 = 3;
    pub const SEX: u64 = 4;
    pub const RELATIONSHIP: u64 = 5;
}

/// Keys of the record map.
mod record_key {
    pub const KIND: u64 = 1;
    pub const INSURER_NUMBER: u64 = 2;
    pub const INSURER_NAME: u64 = 3;
    pub const SYMBOL: u64 = 4;
    pub const NUMBER: u64 = 5;
    pub const BRANCH: u64 = 6;
    pub const RELATIONSHIP: u64 = 7;
    pub const INSURED_NAME: u64 = 8;
    pub const ACQUIRED_ON: u64 = 9;
    pub const COPAY: u64 = 10;
    pub const VALID_FROM: u64 = 11;
    pub const VALID_UNTIL: u64 = 12;
    pub const ISSUED_ON: u64 = 13;
    pub const ELDERLY: u64 = 14;
    pub const LIMIT: u64 = 15;
    pub const PRESCHOOL: u64 = 16;
}

/// Keys of the 高齢受給者 map (record key 14).
mod elderly_key {
    pub const COPAY: u64 = 1;
    pub const EFFECTIVE_FROM: u64 = 2;
    pub const VALID_UNTIL: u64 = 3;
}

/// Keys of the 限度額 map (record key 15).
mod limit_key {
    pub const CATEGORY: u64 = 1;
    pub const EFFECTIVE_FROM: u64 = 2;
}

/// One member's eligibility as an issuer signs it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EligibilityDocument {
    /// The issuer's household id (opaque, 1–64 printable ASCII characters).
    pub household_id: String,
    /// The issuer's stable id of the person (opaque, 1–64 printable ASCII characters).
    pub person_id: String,
    /// Monotonic per person, starting at 1: a newer document has a larger version.
    pub version: u64,
    /// When the issuer signed it (whole seconds; finer parts are dropped when signing).
    pub issued_at: DateTime<Utc>,
    /// Until when the document itself is valid (not the same as the record's 有効期限).
    pub valid_until: DateTime<Utc>,
    /// The member: 氏名, 氏名カナ, 生年月日, 性別, 本人/家族.
    pub person: MemberData,
    /// The eligibility record (資格情報).
    pub record: EligibilityRecord,
    /// SHA-256 of the member's JPKI auth SubjectPublicKeyInfo; absent for a member without a
    /// card.
    pub holder_binding: Option<[u8; 32]>,
}

impl EligibilityDocument {
    /// True once `now` is past the document's own validity.
    pub fn is_expired(&self, now: DateTime<Utc>) -> bool {
        now > self.valid_until
    }

    /// Checks the content with the model's own rules: ids, version, times, and the person and
    /// record re-validated by [`MemberForm::validate`] and [`RecordForm::validate`] as of the
    /// day of issue (Japan time), so an old document is never refused for being old. Values
    /// must already be in the normal form those rules produce.
    ///
    /// A record with a 資格喪失日 (`lost_on`) is [`DocumentError::LostCoverage`]: the format
    /// has no field for it, and signing the record without it would present lost coverage as
    /// in force.
    pub fn validate(&self) -> Result<(), DocumentError> {
        if self.record.lost_on.is_some() {
            return Err(DocumentError::LostCoverage);
        }
        check_id(&self.household_id, "household_id")?;
        check_id(&self.person_id, "person_id")?;
        if self.version == 0 {
            return Err(invalid("version must be at least 1"));
        }
        if self.valid_until < self.issued_at {
            return Err(invalid("valid_until must not be before issued_at"));
        }
        let issue_day = japan_today(self.issued_at);
        let person = person_form(&self.person)
            .validate(issue_day)
            .map_err(|e| invalid(e.to_string()))?;
        if person != self.person {
            return Err(invalid("person fields are not in normal form"));
        }
        let record = record_form(&self.record)
            .validate_signed(issue_day)
            .map_err(|e| invalid(e.to_string()))?;
        if record != self.record {
            return Err(invalid("record fields are not in normal form"));
        }
        if self.person.relationship != self.record.relationship {
            return Err(invalid("person and record disagree on 本人・家族の別"));
        }
        Ok(())
    }
}

pub(super) fn invalid(reason: impl Into<String>) -> DocumentError {
    DocumentError::InvalidContent {
        reason: reason.into(),
    }
}

fn check_id(id: &str, name: &str) -> Result<(), DocumentError> {
    if (1..=64).contains(&id.len()) && id.bytes().all(|b| b.is_ascii_graphic()) {
        Ok(())
    } else {
        Err(invalid(format!(
            "{name} must be 1–64 printable ASCII characters"
        )))
    }
}

fn ymd(d: NaiveDate) -> String {
    crate::clock::iso_date(d)
}

pub(super) fn person_form(p: &MemberData) -> MemberForm {
    MemberForm::from(p)
}

pub(super) fn record_form(r: &EligibilityRecord) -> RecordForm {
    RecordForm::from(r)
}

// ---- encoding ----

fn text_v(s: &str) -> Value {
    Value::Text(s.to_owned())
}

fn uint_v(n: u64) -> Value {
    Value::Integer(n.into())
}

fn date_v(d: NaiveDate) -> Value {
    Value::Text(ymd(d))
}

fn sex_code(s: Sex) -> u64 {
    match s {
        Sex::Male => 1,
        Sex::Female => 2,
        Sex::Other => 9,
    }
}

fn relationship_code(r: Relationship) -> u64 {
    match r {
        Relationship::Insured => 1,
        Relationship::Dependent => 2,
    }
}

fn kind_code(k: DocumentKind) -> Result<u64, DocumentError> {
    match k {
        DocumentKind::Notice => Ok(1),
        DocumentKind::Portal => Ok(2),
        DocumentKind::Certificate => Ok(3),
        // Format 1 carries health-insurance eligibility only; a 公費 受給者証 is hand-entered.
        DocumentKind::PublicExpense => Err(invalid(
            "a 公費 受給者証 (kind public_expense) is not part of the signed document format",
        )),
    }
}

/// The person map (shared with the presentation document).
pub(super) fn person_value(p: &MemberData) -> Value {
    cbor::map(vec![
        (person_key::NAME, Some(text_v(&p.name))),
        (person_key::KANA, Some(text_v(&p.kana))),
        (person_key::BIRTH_DATE, Some(date_v(p.birth_date))),
        (person_key::SEX, Some(uint_v(sex_code(p.sex)))),
        (
            person_key::RELATIONSHIP,
            Some(uint_v(relationship_code(p.relationship))),
        ),
    ])
}

/// The record map (shared with the presentation document, which leaves out 資格取得年月日 and
/// 限度額 by passing a record without them).
pub(super) fn record_value(r: &EligibilityRecord) -> Result<Value, DocumentError> {
    let elderly = r.elderly.as_ref().map(|e| {
        cbor::map(vec![
            (elderly_key::COPAY, Some(uint_v(e.copay.percent().into()))),
            (elderly_key::EFFECTIVE_FROM, Some(date_v(e.effective_from))),
            (elderly_key::VALID_UNTIL, e.valid_until.map(date_v)),
        ])
    });
    let limit = r.limit.as_ref().map(|l| {
        cbor::map(vec![
            (limit_key::CATEGORY, Some(text_v(&l.category))),
            (limit_key::EFFECTIVE_FROM, l.effective_from.map(date_v)),
        ])
    });
    Ok(cbor::map(vec![
        (record_key::KIND, Some(uint_v(kind_code(r.kind)?))),
        (
            record_key::INSURER_NUMBER,
            Some(text_v(r.insurer_number.as_str())),
        ),
        (record_key::INSURER_NAME, Some(text_v(&r.insurer_name))),
        (record_key::SYMBOL, r.symbol.as_deref().map(text_v)),
        (record_key::NUMBER, Some(text_v(&r.number))),
        (record_key::BRANCH, r.branch.as_deref().map(text_v)),
        (
            record_key::RELATIONSHIP,
            Some(uint_v(relationship_code(r.relationship))),
        ),
        (
            record_key::INSURED_NAME,
            r.insured_name.as_deref().map(text_v),
        ),
        (record_key::ACQUIRED_ON, r.acquired_on.map(date_v)),
        (
            record_key::COPAY,
            r.copay.map(|c| uint_v(c.percent().into())),
        ),
        (record_key::VALID_FROM, r.valid_from.map(date_v)),
        (record_key::VALID_UNTIL, r.valid_until.map(date_v)),
        (record_key::ISSUED_ON, r.issued_on.map(date_v)),
        (record_key::ELDERLY, elderly),
        (record_key::LIMIT, limit),
        (record_key::PRESCHOOL, Some(Value::Bool(r.preschool))),
    ]))
}

/// The document as a CBOR value, keys in ascending order (the canonical form).
pub(crate) fn to_value(doc: &EligibilityDocument) -> Result<Value, DocumentError> {
    let person = person_value(&doc.person);
    let record = record_value(&doc.record)?;
    Ok(cbor::map(vec![
        (key::FORMAT, Some(uint_v(FORMAT_VERSION))),
        (key::HOUSEHOLD_ID, Some(text_v(&doc.household_id))),
        (key::PERSON_ID, Some(text_v(&doc.person_id))),
        (key::VERSION, Some(uint_v(doc.version))),
        (key::ISSUED_AT, Some(time_v(doc.issued_at, "issued_at")?)),
        (
            key::VALID_UNTIL,
            Some(time_v(doc.valid_until, "valid_until")?),
        ),
        (key::PERSON, Some(person)),
        (key::RECORD, Some(record)),
        (
            key::HOLDER_BINDING,
            doc.holder_binding.map(|b| Value::Bytes(b.to_vec())),
        ),
    ]))
}

// ---- decoding ----

fn date(v: Value, at: &'static str) -> Result<NaiveDate, DocumentError> {
    let s = cbor::text(v, at)?;
    if s.len() != 10 {
        return Err(malformed(at, "expected a date YYYY-MM-DD"));
    }
    crate::eligibility::parse_iso_date(&s).map_err(|_| malformed(at, "expected a date YYYY-MM-DD"))
}

fn opt_date(v: Option<Value>, at: &'static str) -> Result<Option<NaiveDate>, DocumentError> {
    v.map(|v| date(v, at)).transpose()
}

fn opt_text(v: Option<Value>, at: &'static str) -> Result<Option<String>, DocumentError> {
    v.map(|v| cbor::text(v, at)).transpose()
}

fn copay(v: Value, at: &'static str) -> Result<CopayRate, DocumentError> {
    let p = cbor::uint(v, at)?;
    u8::try_from(p)
        .ok()
        .and_then(|p| CopayRate::try_from(p).ok())
        .ok_or(malformed(at, "must be 10, 20 or 30"))
}

fn relationship(v: Value, at: &'static str) -> Result<Relationship, DocumentError> {
    match cbor::uint(v, at)? {
        1 => Ok(Relationship::Insured),
        2 => Ok(Relationship::Dependent),
        _ => Err(malformed(at, "must be 1 (本人) or 2 (家族)")),
    }
}

/// Reads a person map (shared with the presentation document).
pub(super) fn decode_person(v: Value) -> Result<MemberData, DocumentError> {
    let mut f = Fields::new(v, "person")?;
    let name = cbor::text(f.req(person_key::NAME, "person.name")?, "person.name")?;
    let kana = cbor::text(f.req(person_key::KANA, "person.kana")?, "person.kana")?;
    let birth_date = date(
        f.req(person_key::BIRTH_DATE, "person.birth_date")?,
        "person.birth_date",
    )?;
    let sex = match cbor::uint(f.req(person_key::SEX, "person.sex")?, "person.sex")? {
        1 => Sex::Male,
        2 => Sex::Female,
        9 => Sex::Other,
        _ => return Err(malformed("person.sex", "must be 1, 2 or 9")),
    };
    let relationship = relationship(
        f.req(person_key::RELATIONSHIP, "person.relationship")?,
        "person.relationship",
    )?;
    f.finish()?;
    Ok(MemberData {
        name,
        kana,
        birth_date,
        sex,
        relationship,
        myna_hoken: None,
        card_expires_on: None,
    })
}

fn decode_elderly(v: Value) -> Result<ElderlyRecipient, DocumentError> {
    let mut f = Fields::new(v, "record.elderly")?;
    let copay = copay(
        f.req(elderly_key::COPAY, "record.elderly.copay")?,
        "record.elderly.copay",
    )?;
    let effective_from = date(
        f.req(elderly_key::EFFECTIVE_FROM, "record.elderly.effective_from")?,
        "record.elderly.effective_from",
    )?;
    let valid_until = opt_date(
        f.opt(elderly_key::VALID_UNTIL),
        "record.elderly.valid_until",
    )?;
    f.finish()?;
    Ok(ElderlyRecipient {
        copay,
        effective_from,
        valid_until,
    })
}

fn decode_limit(v: Value) -> Result<LimitCertification, DocumentError> {
    let mut f = Fields::new(v, "record.limit")?;
    let category = cbor::text(
        f.req(limit_key::CATEGORY, "record.limit.category")?,
        "record.limit.category",
    )?;
    let effective_from = opt_date(
        f.opt(limit_key::EFFECTIVE_FROM),
        "record.limit.effective_from",
    )?;
    f.finish()?;
    Ok(LimitCertification {
        category,
        effective_from,
    })
}

/// Reads a record map (shared with the presentation document).
pub(super) fn decode_record(v: Value) -> Result<EligibilityRecord, DocumentError> {
    use record_key as k;
    let mut f = Fields::new(v, "record")?;
    let kind = match cbor::uint(f.req(k::KIND, "record.kind")?, "record.kind")? {
        1 => DocumentKind::Notice,
        2 => DocumentKind::Portal,
        3 => DocumentKind::Certificate,
        _ => return Err(malformed("record.kind", "must be 1, 2 or 3")),
    };
    let insurer_number = cbor::text(
        f.req(k::INSURER_NUMBER, "record.insurer_number")?,
        "record.insurer_number",
    )?;
    let insurer_number = InsurerNumber::parse(&insurer_number)
        .ok()
        .filter(|n| n.as_str() == insurer_number)
        .ok_or_else(|| invalid("保険者番号 (insurer_number) is not a valid 保険者番号"))?;
    let record = EligibilityRecord {
        kind,
        insurer_number,
        insurer_name: cbor::text(
            f.req(k::INSURER_NAME, "record.insurer_name")?,
            "record.insurer_name",
        )?,
        symbol: opt_text(f.opt(k::SYMBOL), "record.symbol")?,
        number: cbor::text(f.req(k::NUMBER, "record.number")?, "record.number")?,
        branch: opt_text(f.opt(k::BRANCH), "record.branch")?,
        relationship: relationship(
            f.req(k::RELATIONSHIP, "record.relationship")?,
            "record.relationship",
        )?,
        insured_name: opt_text(f.opt(k::INSURED_NAME), "record.insured_name")?,
        acquired_on: opt_date(f.opt(k::ACQUIRED_ON), "record.acquired_on")?,
        copay: f
            .opt(k::COPAY)
            .map(|v| copay(v, "record.copay"))
            .transpose()?,
        valid_from: opt_date(f.opt(k::VALID_FROM), "record.valid_from")?,
        valid_until: opt_date(f.opt(k::VALID_UNTIL), "record.valid_until")?,
        issued_on: opt_date(f.opt(k::ISSUED_ON), "record.issued_on")?,
        elderly: f.opt(k::ELDERLY).map(decode_elderly).transpose()?,
        limit: f.opt(k::LIMIT).map(decode_limit).transpose()?,
        preschool: cbor::boolean(f.req(k::PRESCHOOL, "record.preschool")?, "record.preschool")?,
        // Not in the format: a record with one is never signed (`DocumentError::LostCoverage`).
        lost_on: None,
    };
    f.finish()?;
    Ok(record)
}

fn from_value(v: Value) -> Result<EligibilityDocument, DocumentError> {
    let mut f = Fields::new(v, "document")?;
    if cbor::uint(f.req(key::FORMAT, "format")?, "format")? != FORMAT_VERSION {
        return Err(malformed("format", "unsupported format version"));
    }
    let household_id = cbor::text(f.req(key::HOUSEHOLD_ID, "household_id")?, "household_id")?;
    let person_id = cbor::text(f.req(key::PERSON_ID, "person_id")?, "person_id")?;
    let version = cbor::uint(f.req(key::VERSION, "version")?, "version")?;
    let issued_at = time(f.req(key::ISSUED_AT, "issued_at")?, "issued_at")?;
    let valid_until = time(f.req(key::VALID_UNTIL, "valid_until")?, "valid_until")?;
    let person = decode_person(f.req(key::PERSON, "person")?)?;
    let record = decode_record(f.req(key::RECORD, "record")?)?;
    let holder_binding = f
        .opt(key::HOLDER_BINDING)
        .map(|v| {
            <[u8; 32]>::try_from(cbor::bytes(v, "holder_binding")?)
                .map_err(|_| malformed("holder_binding", "must be 32 bytes"))
        })
        .transpose()?;
    f.finish()?;
    Ok(EligibilityDocument {
        household_id,
        person_id,
        version,
        issued_at,
        valid_until,
        person,
        record,
        holder_binding,
    })
}

/// Decodes and validates a payload: strict CBOR, the layout, the canonical encoding (the
/// payload must be exactly what [`to_value`] writes for the decoded document), the content.
pub(super) fn decode_payload(payload: &[u8]) -> Result<EligibilityDocument, DocumentError> {
    let doc = from_value(cbor::decode(payload, MAX_SIGNED_BYTES, "document")?)?;
    if cbor::encode(&to_value(&doc)?, "document")? != payload {
        return Err(malformed("document", "not in canonical form"));
    }
    doc.validate()?;
    Ok(doc)
}
