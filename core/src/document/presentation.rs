//! The presentation document (format version 2, docs/protocol.md, "Presentation document"):
//! what the QR code shows a clinic. An issuer signs it beside each full
//! [`EligibilityDocument`] with the same keys and the same strict COSE/CBOR rules, but it holds
//! only what a receptionist needs to confirm eligibility: the person, the record's claim fields
//! and the validity. Left out: the issuer's household and person ids, the document version,
//! 資格取得年月日 and the 限度額 block (an income bracket). Instead of the raw holder binding
//! (SHA-256 of the card's key, the same value everywhere the card is used) it carries a random
//! salt and SHA-256(salt ‖ SPKI DER), which a clinic can still check against the card's
//! 利用者証明用 certificate but which links nothing across documents.
//!
//! A clinic verifies what it scans with [`verify_presentation`], which also accepts a format 1
//! full document (QR codes shown before presentations existed) and says which format it was.

use chrono::{DateTime, NaiveDate, Utc};
use ciborium::Value;
use p256::ecdsa::SigningKey;
use sha2::{Digest, Sha256};

use super::cbor::{self, Fields, malformed, time, time_v};
use super::format::{
    EligibilityDocument, decode_person, decode_record, invalid, person_form, person_value,
    record_form, record_value,
};
use super::trust::{IssuerKey, TrustList};
use super::{
    DocumentError, MAX_SIGNED_BYTES, PRESENTATION_CONTENT_TYPE, PRESENTATION_FORMAT_VERSION, cose,
    verify_document,
};
use crate::clock::japan_today;
use crate::eligibility::{
    CopayRate, DocumentKind, ElderlyRecipient, EligibilityRecord, InsurerNumber, MemberData,
    Relationship,
};

/// Keys of the top-level presentation map.
mod key {
    pub const FORMAT: u64 = 0;
    pub const ISSUED_AT: u64 = 1;
    pub const VALID_UNTIL: u64 = 2;
    pub const PERSON: u64 = 3;
    pub const RECORD: u64 = 4;
    pub const SALT: u64 = 5;
    pub const SALTED_BINDING: u64 = 6;
}

/// Length of the salt of a salted holder binding.
pub const SALT_LEN: usize = 16;

/// The record fields a presentation carries: those of the [`EligibilityRecord`] a receptionist
/// needs, without 資格取得年月日, 限度額 and 資格喪失年月日.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PresentedRecord {
    /// Which document this is.
    pub kind: DocumentKind,
    /// 保険者番号.
    pub insurer_number: InsurerNumber,
    /// 保険者名称.
    pub insurer_name: String,
    /// 被保険者等記号.
    pub symbol: Option<String>,
    /// 番号.
    pub number: String,
    /// 枝番.
    pub branch: Option<String>,
    /// 本人・家族の別.
    pub relationship: Relationship,
    /// 被保険者氏名 (on a dependent's record).
    pub insured_name: Option<String>,
    /// 一部負担金割合.
    pub copay: Option<CopayRate>,
    /// 有効開始年月日.
    pub valid_from: Option<NaiveDate>,
    /// 有効終了年月日 / 有効期限.
    pub valid_until: Option<NaiveDate>,
    /// 交付年月日.
    pub issued_on: Option<NaiveDate>,
    /// 高齢受給者 block.
    pub elderly: Option<ElderlyRecipient>,
    /// 未就学区分.
    pub preschool: bool,
}

impl From<&EligibilityRecord> for PresentedRecord {
    fn from(r: &EligibilityRecord) -> Self {
        PresentedRecord {
            kind: r.kind,
            insurer_number: r.insurer_number.clone(),
            insurer_name: r.insurer_name.clone(),
            symbol: r.symbol.clone(),
            number: r.number.clone(),
            branch: r.branch.clone(),
            relationship: r.relationship,
            insured_name: r.insured_name.clone(),
            copay: r.copay,
            valid_from: r.valid_from,
            valid_until: r.valid_until,
            issued_on: r.issued_on,
            elderly: r.elderly.clone(),
            preschool: r.preschool,
        }
    }
}

impl PresentedRecord {
    /// The record with the fields a presentation leaves out absent: the form that the shared
    /// record codec writes and the model's rules validate.
    fn to_record(&self) -> EligibilityRecord {
        EligibilityRecord {
            kind: self.kind,
            insurer_number: self.insurer_number.clone(),
            insurer_name: self.insurer_name.clone(),
            symbol: self.symbol.clone(),
            number: self.number.clone(),
            branch: self.branch.clone(),
            relationship: self.relationship,
            insured_name: self.insured_name.clone(),
            acquired_on: None,
            copay: self.copay,
            valid_from: self.valid_from,
            valid_until: self.valid_until,
            issued_on: self.issued_on,
            elderly: self.elderly.clone(),
            limit: None,
            preschool: self.preschool,
            // Not in the format: a record with one is never signed (`DocumentError::LostCoverage`).
            lost_on: None,
        }
    }
}

/// The salted holder binding: a random salt and SHA-256(salt ‖ SPKI DER) of the member's JPKI
/// 利用者証明用 key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SaltedBinding {
    /// 16 random bytes, fresh for every presentation signed.
    pub salt: [u8; SALT_LEN],
    /// SHA-256(salt ‖ SPKI DER).
    pub hash: [u8; 32],
}

impl SaltedBinding {
    /// The binding of `spki_der` under `salt`.
    pub fn new(salt: [u8; SALT_LEN], spki_der: &[u8]) -> SaltedBinding {
        SaltedBinding {
            salt,
            hash: salted_hash(&salt, spki_der),
        }
    }

    /// True when `spki_der` is the key this binding was made of.
    pub fn matches(&self, spki_der: &[u8]) -> bool {
        salted_hash(&self.salt, spki_der) == self.hash
    }
}

fn salted_hash(salt: &[u8; SALT_LEN], spki_der: &[u8]) -> [u8; 32] {
    let mut h = Sha256::new();
    h.update(salt);
    h.update(spki_der);
    h.finalize().into()
}

/// One member's eligibility as a clinic sees it (format version 2).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PresentationDocument {
    /// When the issuer signed it (whole seconds).
    pub issued_at: DateTime<Utc>,
    /// Until when the document itself is valid.
    pub valid_until: DateTime<Utc>,
    /// The member: 氏名, 氏名カナ, 生年月日, 性別, 本人/家族.
    pub person: MemberData,
    /// The record's claim fields.
    pub record: PresentedRecord,
    /// The salted holder binding; absent for a member without a card.
    pub holder: Option<SaltedBinding>,
}

impl PresentationDocument {
    /// True once `now` is past the document's own validity.
    pub fn is_expired(&self, now: DateTime<Utc>) -> bool {
        now > self.valid_until
    }

    /// Checks the content with the model's own rules as of the day of issue, as
    /// [`EligibilityDocument::validate`] does.
    pub fn validate(&self) -> Result<(), DocumentError> {
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
        let record = self.record.to_record();
        let validated = record_form(&record)
            .validate_signed(issue_day)
            .map_err(|e| invalid(e.to_string()))?;
        if validated != record {
            return Err(invalid("record fields are not in normal form"));
        }
        if self.person.relationship != self.record.relationship {
            return Err(invalid("person and record disagree on 本人・家族の別"));
        }
        Ok(())
    }

    /// True when this presentation carries exactly `doc`'s content (person, record fields,
    /// validity) and, if `doc` is bound to a card, a salted binding of the same key — checked
    /// through the raw binding, `SHA-256(spki)`, only when the SPKI is known. A presentation
    /// signed by another key than its full document is the caller's check (sync does it).
    pub fn agrees_with(&self, doc: &EligibilityDocument) -> bool {
        let content = self.issued_at == doc.issued_at
            && self.valid_until == doc.valid_until
            && self.person == presented_person(&doc.person)
            && self.record == PresentedRecord::from(&doc.record);
        content && self.holder.is_some() == doc.holder_binding.is_some()
    }
}

/// The person as documents carry it (the model's app-side fields absent).
fn presented_person(p: &MemberData) -> MemberData {
    MemberData {
        myna_hoken: None,
        card_expires_on: None,
        ..p.clone()
    }
}

/// The presentation of `doc`: its person, record claim fields and validity, and — when the
/// member has a card — the salted binding of `spki` under `salt` (a fresh random salt for each
/// presentation signed). `spki` must be the key `doc` is bound to (SHA-256(spki) equal to its
/// holder binding) and absent when `doc` has none; otherwise [`DocumentError::HolderMismatch`].
/// A record with a 資格喪失日 is [`DocumentError::LostCoverage`] (a presentation cannot carry
/// it).
pub fn presentation_of(
    doc: &EligibilityDocument,
    salt: [u8; SALT_LEN],
    spki: Option<&[u8]>,
) -> Result<PresentationDocument, DocumentError> {
    // A presentation has no field for the 資格喪失日 either: lost coverage is never presented.
    if doc.record.lost_on.is_some() {
        return Err(DocumentError::LostCoverage);
    }
    let holder = match (doc.holder_binding, spki) {
        (None, None) => None,
        (Some(raw), Some(spki)) if <[u8; 32]>::from(Sha256::digest(spki)) == raw => {
            Some(SaltedBinding::new(salt, spki))
        }
        _ => return Err(DocumentError::HolderMismatch),
    };
    Ok(PresentationDocument {
        holder,
        ..content_of(doc)
    })
}

/// `doc`'s presentation fields, without a holder binding.
fn content_of(doc: &EligibilityDocument) -> PresentationDocument {
    PresentationDocument {
        issued_at: doc.issued_at,
        valid_until: doc.valid_until,
        person: presented_person(&doc.person),
        record: PresentedRecord::from(&doc.record),
        holder: None,
    }
}

// ---- codec ----

pub(super) fn to_value(p: &PresentationDocument) -> Result<Value, DocumentError> {
    Ok(cbor::map(vec![
        (
            key::FORMAT,
            Some(Value::Integer(PRESENTATION_FORMAT_VERSION.into())),
        ),
        (key::ISSUED_AT, Some(time_v(p.issued_at, "issued_at")?)),
        (
            key::VALID_UNTIL,
            Some(time_v(p.valid_until, "valid_until")?),
        ),
        (key::PERSON, Some(person_value(&p.person))),
        (key::RECORD, Some(record_value(&p.record.to_record())?)),
        (key::SALT, p.holder.map(|h| Value::Bytes(h.salt.to_vec()))),
        (
            key::SALTED_BINDING,
            p.holder.map(|h| Value::Bytes(h.hash.to_vec())),
        ),
    ]))
}

fn from_value(v: Value) -> Result<PresentationDocument, DocumentError> {
    let mut f = Fields::new(v, "presentation")?;
    if cbor::uint(f.req(key::FORMAT, "format")?, "format")? != PRESENTATION_FORMAT_VERSION {
        return Err(malformed("format", "unsupported format version"));
    }
    let issued_at = time(f.req(key::ISSUED_AT, "issued_at")?, "issued_at")?;
    let valid_until = time(f.req(key::VALID_UNTIL, "valid_until")?, "valid_until")?;
    let person = decode_person(f.req(key::PERSON, "person")?)?;
    let record = decode_record(f.req(key::RECORD, "record")?)?;
    if record.acquired_on.is_some() || record.limit.is_some() {
        return Err(malformed(
            "record",
            "資格取得年月日 and 限度額 are not part of a presentation",
        ));
    }
    let salt = f
        .opt(key::SALT)
        .map(|v| {
            <[u8; SALT_LEN]>::try_from(cbor::bytes(v, "salt")?)
                .map_err(|_| malformed("salt", "must be 16 bytes"))
        })
        .transpose()?;
    let hash = f
        .opt(key::SALTED_BINDING)
        .map(|v| {
            <[u8; 32]>::try_from(cbor::bytes(v, "salted_binding")?)
                .map_err(|_| malformed("salted_binding", "must be 32 bytes"))
        })
        .transpose()?;
    let holder = match (salt, hash) {
        (Some(salt), Some(hash)) => Some(SaltedBinding { salt, hash }),
        (None, None) => None,
        _ => {
            return Err(malformed(
                "salted_binding",
                "salt and salted binding go together",
            ));
        }
    };
    f.finish()?;
    Ok(PresentationDocument {
        issued_at,
        valid_until,
        person,
        record: PresentedRecord::from(&record),
        holder,
    })
}

/// Decodes and validates a payload: strict CBOR, the layout, the canonical encoding, the
/// content.
fn decode_payload(payload: &[u8]) -> Result<PresentationDocument, DocumentError> {
    let doc = from_value(cbor::decode(payload, MAX_SIGNED_BYTES, "presentation")?)?;
    if cbor::encode(&to_value(&doc)?, "presentation")? != payload {
        return Err(malformed("presentation", "not in canonical form"));
    }
    doc.validate()?;
    Ok(doc)
}

// ---- signing and verification ----

/// Signs `doc` with the issuer key `signing_key` whose trust-list id is `kid`, as a tagged
/// COSE_Sign1 whose content type is [`PRESENTATION_CONTENT_TYPE`] (so that it can never be
/// taken for a full document, nor the reverse). The content is validated first.
pub fn sign_presentation(
    doc: &PresentationDocument,
    signing_key: &SigningKey,
    kid: &str,
) -> Result<Vec<u8>, DocumentError> {
    if !cose::kid_is_valid(kid) {
        return Err(malformed("kid", "must be 1–64 of A–Z a–z 0–9 - . _ :"));
    }
    doc.validate()?;
    let payload = cbor::encode(&to_value(doc)?, "presentation")?;
    cose::sign(payload, PRESENTATION_CONTENT_TYPE, Some(kid), signing_key)
}

/// Which format a verified QR code was, and the holder binding it carries in that format.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PresentedFormat {
    /// Format 1: a full [`EligibilityDocument`] (shown before presentations existed). Its raw
    /// holder binding, SHA-256(SPKI), if any; the view holds only the presentation fields.
    FullDocument {
        /// SHA-256 of the card's SPKI DER.
        holder_binding: Option<[u8; 32]>,
    },
    /// Format 2: a [`PresentationDocument`]; its binding is in
    /// [`PresentationDocument::holder`].
    Presentation,
}

/// Whether a verified document is still within its own validity.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Validity {
    /// Within its validity at the time of verification.
    Valid,
    /// Authentic, but past its own `valid_until` (shown as expired, never as valid).
    Expired {
        /// The document's `valid_until`.
        since: DateTime<Utc>,
    },
}

/// A QR code's document whose signature, key, 保険者番号 scope and content have been checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifiedPresentation {
    /// The format it came in (1 or 2), with a format 1 document's raw binding.
    pub format: PresentedFormat,
    /// The presentation fields (for format 1, those of the full document; its
    /// [`PresentationDocument::holder`] is then `None`, see [`PresentedFormat::FullDocument`]).
    pub document: PresentationDocument,
    /// The id of the issuer key that signed it.
    pub kid: String,
    /// Valid, or expired since when (as of the `now` it was verified at).
    pub validity: Validity,
}

impl VerifiedPresentation {
    /// The format version: 1 (full document) or 2 (presentation).
    pub fn format_version(&self) -> u64 {
        match self.format {
            PresentedFormat::FullDocument { .. } => super::FORMAT_VERSION,
            PresentedFormat::Presentation => PRESENTATION_FORMAT_VERSION,
        }
    }
}

/// What a clinic reads off a verification, in one word each.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// Authentic and within its validity (確認済み).
    Valid,
    /// Authentic but past the document's own validity (有効期限切れ).
    DocumentExpired,
    /// The signing key is not in the trust list, is outside its validity period, or may not
    /// sign for this 保険者番号 (発行元不明).
    UnknownIssuerKey,
    /// The signature does not verify (署名不正).
    BadSignature,
    /// Not a well-formed QR code, COSE structure or document (形式不正).
    Malformed,
}

impl Verdict {
    /// The verdict of a [`verify_presentation`] result.
    pub fn of(result: &Result<VerifiedPresentation, DocumentError>) -> Verdict {
        match result {
            Ok(v) => match v.validity {
                Validity::Valid => Verdict::Valid,
                Validity::Expired { .. } => Verdict::DocumentExpired,
            },
            Err(
                DocumentError::UnknownKey { .. }
                | DocumentError::KeyExpired
                | DocumentError::KeyNotAllowedForInsurer,
            ) => Verdict::UnknownIssuerKey,
            Err(DocumentError::BadSignature) => Verdict::BadSignature,
            Err(_) => Verdict::Malformed,
        }
    }
}

/// The trust-list key that signed a COSE_Sign1 whose kid is `kid`, valid at `now`.
fn signing_key(
    trust: &TrustList,
    kid: Option<String>,
    now: DateTime<Utc>,
) -> Result<(&IssuerKey, String), DocumentError> {
    let kid = kid.ok_or(malformed("protected header", "missing kid"))?;
    let key = trust
        .key(&kid)
        .ok_or_else(|| DocumentError::UnknownKey { kid: kid.clone() })?;
    if !key.is_valid_at(now) {
        return Err(DocumentError::KeyExpired);
    }
    Ok((key, kid))
}

/// Verifies a signed presentation (format 2) against `trust` at `now` with the rules of
/// [`verify_document`]: at most 16 KiB, a strict tagged COSE_Sign1 with the presentation
/// content type, ES256 with a low-S signature, a kid in the trust list, that key valid at
/// `now` and allowed to sign for the record's 保険者番号, the strict canonical payload and the
/// model's rules. The document's own validity is not an error: see [`Validity`].
pub fn verify_presentation_document(
    bytes: &[u8],
    trust: &TrustList,
    now: DateTime<Utc>,
) -> Result<VerifiedPresentation, DocumentError> {
    let opened = cose::open(bytes, PRESENTATION_CONTENT_TYPE)?;
    let (key, kid) = signing_key(trust, opened.kid, now)?;
    cose::verify(&key.verifying_key()?, &opened.tbs, &opened.signature)?;
    let document = decode_payload(&opened.payload)?;
    if !key.insurers.contains(&document.record.insurer_number) {
        return Err(DocumentError::KeyNotAllowedForInsurer);
    }
    Ok(VerifiedPresentation {
        format: PresentedFormat::Presentation,
        validity: validity(document.valid_until, now),
        document,
        kid,
    })
}

fn validity(valid_until: DateTime<Utc>, now: DateTime<Utc>) -> Validity {
    if now > valid_until {
        Validity::Expired { since: valid_until }
    } else {
        Validity::Valid
    }
}

/// Verifies what a clinic scans (the signed bytes from [`super::from_qr_payload`]): a format 2
/// presentation ([`verify_presentation_document`]) or a format 1 full document
/// ([`verify_document`], same rules), told apart by the COSE content type. The result says
/// which format it was; [`Verdict::of`] turns it into one word.
pub fn verify_presentation(
    signed: &[u8],
    trust: &TrustList,
    now: DateTime<Utc>,
) -> Result<VerifiedPresentation, DocumentError> {
    match verify_presentation_document(signed, trust, now) {
        Err(e) if e == wrong_content_type() => {}
        other => return other,
    }
    // Not a presentation: a format 1 full document, or neither (then the same error again).
    let verified = verify_document(signed, trust, now)?;
    let full = verified.document;
    Ok(VerifiedPresentation {
        format: PresentedFormat::FullDocument {
            holder_binding: full.holder_binding,
        },
        validity: validity(full.valid_until, now),
        document: content_of(&full),
        kid: verified.kid,
    })
}

/// The error [`cose::open`] gives for a COSE_Sign1 of another content type.
fn wrong_content_type() -> DocumentError {
    malformed("protected header", "wrong content type")
}

/// Checks that a verified QR code is bound to the card whose 利用者証明用 certificate has
/// the SubjectPublicKeyInfo `spki_der`: format 2 through the salted binding, format 1 through
/// the raw SHA-256. A document bound to no card matches no card:
/// [`DocumentError::HolderMismatch`].
pub fn check_presentation_holder(
    verified: &VerifiedPresentation,
    spki_der: &[u8],
) -> Result<(), DocumentError> {
    let ok = match &verified.format {
        PresentedFormat::Presentation => verified
            .document
            .holder
            .is_some_and(|h| h.matches(spki_der)),
        PresentedFormat::FullDocument { holder_binding } => {
            holder_binding.is_some_and(|raw| raw == <[u8; 32]>::from(Sha256::digest(spki_der)))
        }
    };
    if ok {
        Ok(())
    } else {
        Err(DocumentError::HolderMismatch)
    }
}

/// True when the signed `presentation` and the signed full `document` were signed by the same
/// key id and carry the same content ([`PresentationDocument::agrees_with`]). Structure only:
/// neither signature is checked here (both were verified when they were stored; a clinic
/// verifies what it scans). The store uses it so that a QR code never shows a presentation
/// left over from another version of its record.
pub fn presentation_matches_document(presentation: &[u8], document: &[u8]) -> bool {
    let (Ok(p), Ok(d)) = (
        cose::open(presentation, PRESENTATION_CONTENT_TYPE),
        cose::open(document, super::DOCUMENT_CONTENT_TYPE),
    ) else {
        return false;
    };
    if p.kid.is_none() || p.kid != d.kid {
        return false;
    }
    match (
        decode_payload(&p.payload),
        super::format::decode_payload(&d.payload),
    ) {
        (Ok(p), Ok(d)) => p.agrees_with(&d),
        _ => false,
    }
}
