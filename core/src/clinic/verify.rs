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

use chrono::{DateTime, Duration, NaiveDate, Utc};

use super::acceptance::{DeskCardState, DeskOutcome};
use super::claim::{CardCheckMethod, ClaimFields, DocumentInfo, Verdict, VerifiedVisit};
use super::declaration::with_operator;
use super::pending::PendingCardCheck;
use super::public_expense::{PublicExpenseEntry, validate_public_expenses};
use super::trust::{
    DEFAULT_TRUST_MAX_AGE_DAYS, DeskTrust, TrustAge, TrustClockBehind, TrustSource,
};
use super::{ClinicError, DeskStore};
use crate::clock::japan_today;
use crate::document::Validity;
use crate::document::{
    DocumentError, PresentedFormat, VerifiedPresentation, from_qr_payload, verify_presentation,
};
use crate::eligibility::DocumentKind;
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
    /// 発行日時が未来: authentic, but issued later than the desk's clock says it is now (beyond
    /// [`FUTURE_ISSUE_TOLERANCE_MINUTES`]): the desk's clock is wrong, or the document is. Not
    /// shown, not recorded.
    IssuedInFuture,
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
            DeskVerdict::IssuedInFuture => "発行日時が未来",
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
            DeskVerdict::IssuedInFuture => "issued_in_future",
            DeskVerdict::UnknownIssuer => "unknown_issuer",
            DeskVerdict::BadSignature => "bad_signature",
            DeskVerdict::Malformed => "malformed",
        }
    }

    /// True only for [`DeskVerdict::Confirmed`]. The document only: whether the desk may take
    /// it as confirmed eligibility also depends on its kind and the card
    /// ([`DeskVerification::outcome`]).
    pub fn is_confirmed(self) -> bool {
        self == DeskVerdict::Confirmed
    }

    /// True when the signature verified (every verdict but 発行元不明, 署名不正 and 形式不正).
    pub fn is_authentic(self) -> bool {
        self.recordable().is_some()
    }

    /// The verdict a visit entry records: only authentic documents have verified fields to
    /// record; the others have none (record a 申立 instead).
    fn recordable(self) -> Option<Verdict> {
        match self {
            DeskVerdict::Confirmed => Some(Verdict::Confirmed),
            DeskVerdict::DocumentExpired => Some(Verdict::DocumentExpired),
            DeskVerdict::EligibilityExpired => Some(Verdict::EligibilityExpired),
            DeskVerdict::NotYetValid => Some(Verdict::NotYetValid),
            DeskVerdict::IssuedInFuture
            | DeskVerdict::UnknownIssuer
            | DeskVerdict::BadSignature
            | DeskVerdict::Malformed => None,
        }
    }
}

/// How far (in minutes) a document's issue time may lie after the desk's clock before the desk
/// calls it [`DeskVerdict::IssuedInFuture`]: the issuer's and the desk's clocks differ a little.
pub const FUTURE_ISSUE_TOLERANCE_MINUTES: i64 = 10;

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
    /// When the desk holds a trust list but its clock is before the list's issue time (so
    /// `trust` is `None`): the PC's date and time are wrong
    /// ([`DeskVerification::trust_missing_ja`]). `None` otherwise.
    pub trust_clock_behind: Option<TrustClockBehind>,
    /// Why the verdict is not 確認済み, in one or two Japanese sentences for the receptionist,
    /// with what to do; without personal data (no date, no number: e.g. 「75歳到達により
    /// 後期高齢者医療へ移行しています。…」, never the birth date). `None` when confirmed.
    pub reason: Option<String>,
}

impl DeskVerification {
    /// What the receptionist is told when `trust` is `None`: check the PC's clock when the
    /// desk's list is there but issued after the desk's clock ([`TrustClockBehind::notice_ja`]),
    /// else that there is no trust list ([`TrustSource::missing_ja`] of `source`).
    pub fn trust_missing_ja(&self, source: TrustSource) -> String {
        match self.trust_clock_behind {
            Some(c) => c.notice_ja(),
            None => source.missing_ja(),
        }
    }

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

    /// Whole days from the document's issue to the verification. Never negative: a document
    /// issued after the desk's clock is [`DeskVerdict::IssuedInFuture`] and shows nothing.
    pub fn document_age_days(&self) -> Option<i64> {
        self.issued_on().map(|d| (self.checked_on - d).num_days())
    }

    /// The signed 未就学区分, when the signature verified. (Not yet kept in the visit log: see
    /// docs/clinic.md.)
    pub fn preschool(&self) -> Option<bool> {
        self.presentation
            .as_ref()
            .map(|p| p.document.record.preschool)
    }

    /// The 負担割合 as the desk shows it, when the signature verified: the printed share
    /// (「3割」), with 「（未就学）」 for a pre-school child; 「未就学（法定のとおり：2割）」 when the
    /// document says 法定負担割合のとおり for a pre-school child (健康保険法 §110(2)(i)ロ);
    /// otherwise 「法定のとおり」 — never an empty cell.
    pub fn copay_ja(&self) -> Option<String> {
        let p = self.presentation.as_ref()?;
        let r = &p.document.record;
        Some(match (r.copay, r.preschool) {
            (Some(c), true) => format!("{}割（未就学）", c.percent() / 10),
            (Some(c), false) => format!("{}割", c.percent() / 10),
            (None, true) => "未就学（法定のとおり：2割）".to_string(),
            (None, false) => "法定のとおり".to_string(),
        })
    }

    /// The 有効期間 as the desk shows it, when the signature verified: 「2026-04-01 〜 2027-03-31」,
    /// an end not printed as 「—」 (「2026-04-01 〜 —」), and 「記載なし」 when neither is printed.
    /// The one wording of `clinic verify`, `qr verify` and the desk page.
    pub fn validity_ja(&self) -> Option<String> {
        let r = &self.presentation.as_ref()?.document.record;
        let day = |d: Option<NaiveDate>| d.map_or_else(|| "—".to_string(), crate::clock::iso_date);
        Some(match (r.valid_from, r.valid_until) {
            (None, None) => "記載なし".to_string(),
            (from, until) => format!("{} 〜 {}", day(from), day(until)),
        })
    }

    /// The kind of document the presentation carries (資格確認書, 資格情報のお知らせ,
    /// マイナポータル), when its signature verified.
    pub fn document_kind(&self) -> Option<DocumentKind> {
        self.presentation.as_ref().map(|p| p.document.record.kind)
    }

    /// True when the presentation carries a holder binding, so that the patient's card can be
    /// matched to it on the desk's reader; false for a document with none (its card can only
    /// be compared by eye) or one whose signature did not verify.
    pub fn holder_bound(&self) -> bool {
        self.presentation.as_ref().is_some_and(|p| match &p.format {
            PresentedFormat::Presentation => p.document.holder.is_some(),
            PresentedFormat::FullDocument { holder_binding } => holder_binding.is_some(),
        })
    }

    /// The desk's overall outcome with the card in state `card` (docs/clinic.md,
    /// "Acceptance"): the document's verdict, its kind and the card together.
    pub fn outcome(&self, card: DeskCardState) -> DeskOutcome {
        DeskOutcome::decide(
            self.verdict,
            self.document_kind(),
            card,
            self.holder_bound(),
        )
    }

    /// The overall outcome with the card check held for this verification and, when no PIN was
    /// checked, the receptionist's statement that they compared the card with the patient
    /// (`face_compared`: 目視).
    pub fn outcome_with(&self, card: &PendingCardCheck, face_compared: bool) -> DeskOutcome {
        self.outcome(card.state(face_compared, self.holder_bound()))
    }

    /// What a visit entry records of the document.
    pub fn document_info(&self) -> Option<DocumentInfo> {
        let p = self.presentation.as_ref()?;
        Some(DocumentInfo {
            key_id: p.kid.clone(),
            format: u32::try_from(p.format_version()).unwrap_or(u32::MAX),
            issued_on: japan_today(p.document.issued_at),
            kind: Some(p.document.record.kind),
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
        preschool: r.preschool,
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
            Some(
                if end.at_75 {
                    "75歳到達により後期高齢者医療へ移行しています。この保険の資格は終わっています\
                     （後期高齢者医療の資格確認書などを確認してください）。"
                } else {
                    "資格の有効期限が過ぎています。"
                }
                .to_string(),
            ),
        ),
        // Ends before it starts: it will never be in force, whatever today is.
        (Some(end), Some(from)) if end.last_day < from => (
            DeskVerdict::EligibilityExpired,
            Some(
                if end.at_75 {
                    "75歳到達により、この資格は有効開始日より前に終わります（使える期間がありません）。"
                } else {
                    "資格の有効期限が有効開始日より前です（使える期間がありません）。"
                }
                .to_string(),
            ),
        ),
        (_, Some(from)) if today < from => (
            DeskVerdict::NotYetValid,
            Some("資格の有効開始日より前です（有効期間の開始日から使えます）。".to_string()),
        ),
        _ => (DeskVerdict::Confirmed, None),
    }
}

fn failure(e: &DocumentError, source: TrustSource) -> (DeskVerdict, String) {
    let verdict = match e {
        DocumentError::UnknownKey { .. }
        | DocumentError::KeyExpired
        | DocumentError::KeyNotAllowedForInsurer => DeskVerdict::UnknownIssuer,
        DocumentError::BadSignature => DeskVerdict::BadSignature,
        _ => DeskVerdict::Malformed,
    };
    (verdict, failure_ja(e, source))
}

/// Why a payload did not verify, for the receptionist, in Japanese and without any value from
/// the payload; an unknown key's reason names the command that updates the verifier's trust
/// list (`source`).
fn failure_ja(e: &DocumentError, source: TrustSource) -> String {
    if let Some(hint) = e.scanner_hint_ja() {
        return hint.to_string();
    }
    match e {
        DocumentError::UnknownKey { .. } => format!(
            "署名した発行元の鍵が、信頼リストにありません。信頼リストを更新してください{}。\
             更新しても同じなら、発行元を確認できない書類です。",
            source
                .update_command()
                .map_or(String::new(), |c| format!("（{c}）"))
        ),
        DocumentError::KeyExpired => "署名した発行元の鍵は、有効期間外です。".to_string(),
        DocumentError::KeyNotAllowedForInsurer => {
            "署名した発行元の鍵は、この保険者番号の書類には使えません。".to_string()
        }
        DocumentError::BadSignature => {
            "署名が一致しません。内容が書き換えられているか、偽造された書類です。".to_string()
        }
        _ => "shikaku の QR コードとして読み取れません（途中で切れている、別の QR コード、\
              または形式が正しくない）。もう一度読み取ってください。"
            .to_string(),
    }
}

/// Verifies a QR payload (`SK1:…`) offline against `trust` at `now`, by the desk's rules:
/// what [`DeskStore::verify_payload`] does with the desk's own list, for a verifier that holds
/// its trust list elsewhere (the household's `qr verify`, checking a code as a clinic would).
/// `source` says where the list comes from, for the reasons that name the command updating it.
/// Never fails: a bad payload, or no trust list (`None`), is a verdict.
pub fn verify_payload_with(
    payload: &str,
    trust: Option<&DeskTrust>,
    source: TrustSource,
    options: VerifyOptions,
    now: DateTime<Utc>,
) -> DeskVerification {
    verify_payload_inner(payload, trust, None, source, options, now)
}

/// [`verify_payload_with`], told (`clock_behind`) when the verifier's list is there but issued
/// after its clock: the reason for a missing list is then the clock's.
fn verify_payload_inner(
    payload: &str,
    trust: Option<&DeskTrust>,
    clock_behind: Option<TrustClockBehind>,
    source: TrustSource,
    options: VerifyOptions,
    now: DateTime<Utc>,
) -> DeskVerification {
    let checked_on = japan_today(now);
    let age = trust.map(|t| t.age(now, options.max_trust_age_days));
    let clock_behind = clock_behind.filter(|_| trust.is_none());
    let outcome = |verdict, presentation, reason| DeskVerification {
        verdict,
        presentation,
        trust: age,
        trust_clock_behind: clock_behind,
        checked_on,
        reason,
    };
    let signed = match from_qr_payload(payload.trim()) {
        Ok(b) => b,
        Err(e) => {
            return outcome(DeskVerdict::Malformed, None, Some(failure_ja(&e, source)));
        }
    };
    let Some(trust) = trust else {
        let reason = match clock_behind {
            Some(c) => c.notice_ja(),
            None => source.missing_ja(),
        };
        return outcome(DeskVerdict::UnknownIssuer, None, Some(reason));
    };
    let verified = match verify_presentation(&signed, &trust.list, now) {
        Ok(v) => v,
        Err(e) => {
            let (verdict, reason) = failure(&e, source);
            return outcome(verdict, None, Some(reason));
        }
    };
    // Issued after "now": the desk's clock or the document is wrong. Nothing of it is shown.
    if verified.document.issued_at > now + Duration::minutes(FUTURE_ISSUE_TOLERANCE_MINUTES) {
        return outcome(
            DeskVerdict::IssuedInFuture,
            None,
            Some(
                "書類の発行日時が、この端末の現在の日時より後です。この端末の日付と時刻を\
                 確認してください。正しければ、書類が正しくありません。"
                    .into(),
            ),
        );
    }
    let (verdict, reason) = match verified.validity {
        Validity::Expired { .. } => (
            DeskVerdict::DocumentExpired,
            Some(
                "提示用の書類の有効期限が過ぎています。患者さんのアプリで資格情報を取得し直して\
                 もらってください。"
                    .into(),
            ),
        ),
        Validity::Valid => eligibility_verdict(&verified, checked_on),
    };
    outcome(verdict, Some(verified), reason)
}

impl DeskStore {
    /// Verifies a scanned QR payload (`SK1:…`) offline against the desk's trust list at `now`
    /// ([`verify_payload_with`]). Never fails on a bad payload: that is a verdict. Fails only
    /// when the desk store itself cannot be read.
    pub fn verify_payload(
        &self,
        payload: &str,
        options: VerifyOptions,
        now: DateTime<Utc>,
    ) -> Result<DeskVerification, ClinicError> {
        let trust = self.trust(now)?;
        let clock_behind = match trust {
            Some(_) => None,
            None => self.trust_clock_behind(now)?,
        };
        Ok(verify_payload_inner(
            payload,
            trust.as_ref(),
            clock_behind,
            self.trust_source,
            options,
            now,
        ))
    }

    /// Records a verification in the visit log, by `operator` at `now`, with the card check
    /// held for it (`card`: the checks made at the desk against this very presentation) and
    /// `face_compared`, the receptionist's statement that they compared the card with the
    /// patient (目視; needed when the PIN was not checked). The visit is recorded only when its
    /// outcome allows it ([`DeskOutcome::can_record`]): an authentic document
    /// ([`ClinicError::NotRecordable`] otherwise: record a 申立), never with another person's
    /// card ([`ClinicError::CardMismatch`]), and an お知らせ / マイナポータル screen only with
    /// its card ([`ClinicError::CardRequired`]). So a visit recorded under 確認済み always has
    /// a card behind it, unless the document is a 資格確認書.
    pub fn record_verification(
        &mut self,
        verification: &DeskVerification,
        card: &PendingCardCheck,
        face_compared: bool,
        operator: &str,
        now: DateTime<Utc>,
    ) -> Result<u64, ClinicError> {
        self.record_verification_with(verification, card, face_compared, &[], operator, now)
    }

    /// [`DeskStore::record_verification`] with the 公費 受給者証 seen beside the insurance
    /// (`public`, at most two: [`super::validate_public_expenses`]). Once the visit may be
    /// recorded, the 公費 and the operator's name are checked together (every failure at once:
    /// [`ClinicError::Invalid`], [`ClinicError::Operator`], [`ClinicError::Declaration`]); a
    /// failure records nothing. They are recorded as typed, 受給者証目視・未検証, whatever the
    /// verdict of the insurance.
    pub fn record_verification_with(
        &mut self,
        verification: &DeskVerification,
        card: &PendingCardCheck,
        face_compared: bool,
        public: &[PublicExpenseEntry],
        operator: &str,
        now: DateTime<Utc>,
    ) -> Result<u64, ClinicError> {
        let (Some(verdict), Some(p)) = (
            verification.verdict.recordable(),
            verification.presentation.as_ref(),
        ) else {
            return Err(ClinicError::NotRecordable);
        };
        let outcome = verification.outcome_with(card, face_compared);
        if outcome.card == DeskCardState::Mismatch {
            return Err(ClinicError::CardMismatch);
        }
        if !outcome.can_record() || outcome.needs_face_statement() {
            return Err(ClinicError::CardRequired);
        }
        let method = match card.held() {
            Some(c) => {
                if !c.is_for(p) {
                    return Err(ClinicError::NotRecordable);
                }
                c.method(face_compared)
            }
            // No card matched on a reader (none at the desk, or a document with no holder
            // binding) and a document that needs its card: its 券面 compared by eye, recorded
            // as such, never as a reader's check. (A 資格確認書 needs none: nothing to record.)
            None if outcome.card == DeskCardState::Seen
                && verification
                    .outcome(DeskCardState::NotChecked)
                    .needs_face_statement() =>
            {
                CardCheckMethod::Seen
            }
            None => CardCheckMethod::None,
        };
        let document = verification
            .document_info()
            .ok_or(ClinicError::NotRecordable)?;
        let (public_expenses, _) =
            with_operator(operator, validate_public_expenses(public, japan_today(now)))?;
        let visit = VerifiedVisit::new(claim_fields(p), method, document, verdict);
        self.write(|b| b.record_visit_seen(&visit, public_expenses, operator, now))
    }
}
