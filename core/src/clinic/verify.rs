//! Verifying what a patient shows at the desk — the QR code of their phone (typed by a USB
//! scanner, pasted, or read by a camera) — offline, with the rules of the household's sync,
//! and turning it into one verdict a receptionist reads at a glance (docs/clinic.md,
//! "Verdicts").
//!
//! The presentation's signature, issuer key, 保険者番号 scope and content are checked by
//! [`crate::document::verify_presentation`] against the desk's trust list; this module adds
//! what a clinic needs on top: the eligibility itself in force today (started on its 有効開始日,
//! not past its 有効期限 and, for an insurance other than 後期高齢者医療, the day before the 75th
//! birthday — the household screen's rule, `screen::calendar::record_last_day`, docs/rules.md),
//! the document's issue date and age, and the trust list's age.

use chrono::{DateTime, NaiveDate, Utc};

use super::card::DeskCardCheck;
use super::claim::{CardCheckMethod, ClaimFields, DocumentInfo, Verdict, VerifiedVisit};
use super::trust::{DEFAULT_TRUST_MAX_AGE_DAYS, TrustAge};
use super::{ClinicError, DeskStore};
use crate::clock::japan_today;
use crate::document::Validity;
use crate::document::{DocumentError, VerifiedPresentation, from_qr_payload, verify_presentation};
use crate::screen::calendar::record_last_day;

/// The desk's verdict on a scanned QR code, in one word each.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DeskVerdict {
    /// 確認済み: authentic, from a listed issuer key, the document and the eligibility in force.
    Confirmed,
    /// 有効期限切れ（書類）: authentic, but the document is past its own validity.
    DocumentExpired,
    /// 有効期限切れ（資格）: authentic, but the eligibility has ended (有効期限, or the day
    /// before the 75th birthday for an insurance other than 後期高齢者医療).
    EligibilityExpired,
    /// 有効期間前（資格）: authentic, but the eligibility starts after today (its 有効開始日).
    NotYetValid,
    /// 発行元不明: the signing key is not in the desk's trust list, is outside its validity, or
    /// may not sign for this 保険者番号 — or the desk has no trust list yet.
    UnknownIssuer,
    /// 署名不正: the signature does not verify (altered or forged).
    BadSignature,
    /// 形式不正: not a shikaku QR code, truncated, or not a well-formed document.
    Malformed,
}

impl DeskVerdict {
    /// The word shown in large type.
    pub fn label_ja(self) -> &'static str {
        match self {
            DeskVerdict::Confirmed => "確認済み",
            DeskVerdict::DocumentExpired => "有効期限切れ（書類）",
            DeskVerdict::EligibilityExpired => "有効期限切れ（資格）",
            DeskVerdict::NotYetValid => "有効期間前（資格）",
            DeskVerdict::UnknownIssuer => "発行元不明",
            DeskVerdict::BadSignature => "署名不正",
            DeskVerdict::Malformed => "形式不正",
        }
    }

    /// The stable name used in JSON and by the apps.
    pub fn key(self) -> &'static str {
        match self {
            DeskVerdict::Confirmed => "confirmed",
            DeskVerdict::DocumentExpired => "document_expired",
            DeskVerdict::EligibilityExpired => "eligibility_expired",
            DeskVerdict::NotYetValid => "not_yet_valid",
            DeskVerdict::UnknownIssuer => "unknown_issuer",
            DeskVerdict::BadSignature => "bad_signature",
            DeskVerdict::Malformed => "malformed",
        }
    }

    /// True only for [`DeskVerdict::Confirmed`].
    pub fn is_confirmed(self) -> bool {
        self == DeskVerdict::Confirmed
    }

    /// The verdict a visit entry records: only authentic documents have verified fields to
    /// record; the others have none (record a 申立 instead).
    fn recordable(self) -> Option<Verdict> {
        match self {
            DeskVerdict::Confirmed => Some(Verdict::Confirmed),
            DeskVerdict::DocumentExpired => Some(Verdict::DocumentExpired),
            DeskVerdict::EligibilityExpired => Some(Verdict::EligibilityExpired),
            DeskVerdict::NotYetValid => Some(Verdict::NotYetValid),
            DeskVerdict::UnknownIssuer | DeskVerdict::BadSignature | DeskVerdict::Malformed => None,
        }
    }
}

/// Options of a verification.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct VerifyOptions {
    /// Days after its issue from which the trust list is called stale.
    pub max_trust_age_days: u32,
}

impl Default for VerifyOptions {
    fn default() -> Self {
        VerifyOptions {
            max_trust_age_days: DEFAULT_TRUST_MAX_AGE_DAYS,
        }
    }
}

/// The outcome of verifying one scanned QR code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeskVerification {
    /// The verdict.
    pub verdict: DeskVerdict,
    /// The document, when its signature verified (for every verdict but the last three).
    pub presentation: Option<VerifiedPresentation>,
    /// The desk's trust list and its age; `None` when the desk has none yet.
    pub trust: Option<TrustAge>,
    /// The day in Japan the verification ran.
    pub checked_on: NaiveDate,
    /// Why the verdict is not 確認済み, in English words without personal data (for logs
    /// and support), `None` when confirmed.
    pub reason: Option<String>,
}

impl DeskVerification {
    /// The claim fields as the issuer signed them, when the signature verified.
    pub fn claim(&self) -> Option<ClaimFields> {
        self.presentation.as_ref().map(claim_fields)
    }

    /// The document's issue date (Japan), when the signature verified.
    pub fn issued_on(&self) -> Option<NaiveDate> {
        self.presentation
            .as_ref()
            .map(|p| japan_today(p.document.issued_at))
    }

    /// Whole days from the document's issue to the verification.
    pub fn document_age_days(&self) -> Option<i64> {
        self.issued_on()
            .map(|d| (self.checked_on - d).num_days().max(0))
    }

    /// What a visit entry records of the document.
    pub fn document_info(&self) -> Option<DocumentInfo> {
        let p = self.presentation.as_ref()?;
        Some(DocumentInfo {
            key_id: p.kid.clone(),
            format: u32::try_from(p.format_version()).unwrap_or(u32::MAX),
            issued_on: japan_today(p.document.issued_at),
        })
    }
}

/// The claim fields of a verified presentation. A format 2 presentation carries no 限度額;
/// a format 1 full document's 限度額 is not taken either (it is an income bracket the patient
/// has not chosen to show).
pub fn claim_fields(p: &VerifiedPresentation) -> ClaimFields {
    let person = &p.document.person;
    let r = &p.document.record;
    ClaimFields {
        insurer_number: r.insurer_number.clone(),
        symbol: r.symbol.clone(),
        number: r.number.clone(),
        branch: r.branch.clone(),
        name: person.name.clone(),
        kana: person.kana.clone(),
        birth_date: person.birth_date,
        sex: person.sex,
        relationship: r.relationship,
        copay: r.copay,
        valid_from: r.valid_from,
        valid_until: r.valid_until,
        elderly: r.elderly.clone(),
        limit: None,
    }
}

/// The desk's verdict on an authentic document within its own validity, on `today`: the
/// eligibility ended ([`record_last_day`]: its 有効期限, cut to the day before the 75th birthday
/// unless the insurer is a 後期高齢者医療広域連合), not started yet (its 有効開始日), or in force.
/// An eligibility that has already ended, or that ends before it starts (e.g. cut at 75 before
/// its 有効開始日), is called ended even when it starts after today: it will never be in force.
fn eligibility_verdict(
    p: &VerifiedPresentation,
    today: NaiveDate,
) -> (DeskVerdict, Option<String>) {
    let r = &p.document.record;
    let end = record_last_day(
        r.kind,
        &r.insurer_number,
        r.valid_until,
        p.document.person.birth_date,
    );
    match (end, r.valid_from) {
        (Some(end), _) if today > end.last_day => (
            DeskVerdict::EligibilityExpired,
            Some(format!("the eligibility ended on {}", end.last_day)),
        ),
        // Ends before it starts: it will never be in force, whatever today is.
        (Some(end), Some(from)) if end.last_day < from => (
            DeskVerdict::EligibilityExpired,
            Some(format!(
                "the eligibility ends on {} before it starts on {from}",
                end.last_day
            )),
        ),
        (_, Some(from)) if today < from => (
            DeskVerdict::NotYetValid,
            Some(format!("the eligibility starts on {from}")),
        ),
        _ => (DeskVerdict::Confirmed, None),
    }
}

fn failure(e: &DocumentError) -> (DeskVerdict, String) {
    let verdict = match e {
        DocumentError::UnknownKey { .. }
        | DocumentError::KeyExpired
        | DocumentError::KeyNotAllowedForInsurer => DeskVerdict::UnknownIssuer,
        DocumentError::BadSignature => DeskVerdict::BadSignature,
        _ => DeskVerdict::Malformed,
    };
    (verdict, e.to_string())
}

impl DeskStore {
    /// Verifies a scanned QR payload (`SK1:…`) offline against the desk's trust list at `now`.
    /// Never fails on a bad payload: that is a verdict. Fails only when the desk store itself
    /// cannot be read.
    pub fn verify_payload(
        &self,
        payload: &str,
        options: VerifyOptions,
        now: DateTime<Utc>,
    ) -> Result<DeskVerification, ClinicError> {
        let trust = self.trust(now)?;
        let checked_on = japan_today(now);
        let age = trust
            .as_ref()
            .map(|t| t.age(now, options.max_trust_age_days));
        let outcome = |verdict, presentation, reason| DeskVerification {
            verdict,
            presentation,
            trust: age,
            checked_on,
            reason,
        };
        let signed = match from_qr_payload(payload.trim()) {
            Ok(b) => b,
            Err(e) => return Ok(outcome(DeskVerdict::Malformed, None, Some(e.to_string()))),
        };
        let Some(trust) = trust else {
            return Ok(outcome(
                DeskVerdict::UnknownIssuer,
                None,
                Some("this desk has no trust list yet".into()),
            ));
        };
        let verified = match verify_presentation(&signed, &trust.list, now) {
            Ok(v) => v,
            Err(e) => {
                let (verdict, reason) = failure(&e);
                return Ok(outcome(verdict, None, Some(reason)));
            }
        };
        let (verdict, reason) = match verified.validity {
            Validity::Expired { since } => (
                DeskVerdict::DocumentExpired,
                Some(format!("the document expired at {}", since.to_rfc3339())),
            ),
            Validity::Valid => eligibility_verdict(&verified, checked_on),
        };
        Ok(outcome(verdict, Some(verified), reason))
    }

    /// Records a verification in the visit log, by `operator` at `now`, with how the card was
    /// checked: `card` is the desk's card check against this very presentation (if any), and
    /// `face_compared` the receptionist's statement that the card's photo is the patient's
    /// (needed for 目視 when the PIN was not checked). Only an authentic document can be
    /// recorded as a visit ([`ClinicError::NotRecordable`] otherwise: record a 申立).
    pub fn record_verification(
        &mut self,
        verification: &DeskVerification,
        card: Option<&DeskCardCheck>,
        face_compared: bool,
        operator: &str,
        now: DateTime<Utc>,
    ) -> Result<u64, ClinicError> {
        let (Some(verdict), Some(p)) = (
            verification.verdict.recordable(),
            verification.presentation.as_ref(),
        ) else {
            return Err(ClinicError::NotRecordable);
        };
        let method = match card {
            None => CardCheckMethod::None,
            Some(c) => {
                if !c.is_for(p) {
                    return Err(ClinicError::NotRecordable);
                }
                c.method(face_compared)
            }
        };
        let document = verification
            .document_info()
            .ok_or(ClinicError::NotRecordable)?;
        let visit = VerifiedVisit::new(claim_fields(p), method, document, verdict);
        self.record_visit(&visit, operator, now)
    }
}
