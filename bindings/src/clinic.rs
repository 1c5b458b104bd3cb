//! The clinic desk for an Android or iOS clinic tablet: its encrypted store, the trust list,
//! verifying a scanned QR code, the patient's card checked against it, the visit log and its
//! exports (docs/clinic.md).
//!
//! A thin adapter over `shikaku_core::clinic`: every verdict, label and rule is the core's. A
//! verification stays inside the [`ClinicDesk`] object under an opaque id; the foreign side gets
//! a copy to show ([`DeskResult`]) and refers to the verification by its id when it checks the
//! card or records the visit, so a record echoed back by the app is never trusted.

use std::collections::VecDeque;
use std::path::Path;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use chrono::{DateTime, NaiveDate, Utc};
use shikaku_core::card::TrustStore;
use shikaku_core::clinic::{
    self as core_clinic, CardCheckFailure, ClinicError, DEFAULT_TRUST_MAX_AGE_DAYS,
    DeclarationForm, DeskAcceptance, DeskCardCheck, DeskCardState, DeskOutcome, DeskPin, DeskStore,
    DeskTone, DeskVerdict, DeskVerification, LogCheck, LogEntry, LogProblem, PendingCardCheck,
    PublicExpenseEntry, TrustAge, TrustSource, VerifyOptions, export,
};
use shikaku_core::clock::japan_today;
use shikaku_core::document::VerifyingKey;
use shikaku_core::eligibility::{DocumentKind, Relationship, Sex};
use shikaku_core::sync::fetch_trust_list;
use zeroize::Zeroizing;

use crate::convert::{date, time};
use crate::error::{FieldProblem, ShikakuError, invalid};
use crate::platform::{
    CardTransport, CardTransportAdapter, HttpTransport, HttpTransportAdapter, KeyStore,
    KeyStoreAdapter,
};
use crate::sync::{issuer_endpoint, root_key_from};

/// How many verifications a desk keeps for a later card check or record (the oldest is
/// forgotten first). A desk handles one patient at a time; a few spare slots cover a patient
/// who steps aside while the next one is scanned.
const KEPT_VERIFICATIONS: usize = 16;

/// The desk's verdict on a scanned QR code (the core's `DeskVerdict`).
#[uniffi::remote(Enum)]
pub enum DeskVerdict {
    /// 確認済み: authentic, from a listed issuer key, the document and the eligibility in force.
    Confirmed,
    /// 有効期限切れ（書類）: authentic, but the document is past its own validity.
    DocumentExpired,
    /// 有効期限切れ（資格）: authentic, but the eligibility has ended.
    EligibilityExpired,
    /// 有効期間前（資格）: authentic, but the eligibility starts after today (its 有効開始日).
    NotYetValid,
    /// 発行日時が未来: authentic, but issued after the desk's clock (the clock or the document
    /// is wrong); no field shown, not recorded.
    IssuedInFuture,
    /// 発行元不明: the key is not in the desk's trust list, outside its validity, not allowed
    /// for this 保険者番号, or the desk has no trust list yet.
    UnknownIssuer,
    /// 署名不正: the signature does not verify (altered or forged).
    BadSignature,
    /// 形式不正: not a shikaku QR code, truncated, or not a well-formed document.
    Malformed,
}

/// The desk's overall outcome, in one word (the core's `DeskAcceptance`): the document's
/// verdict, its kind and the card together.
#[uniffi::remote(Enum)]
pub enum DeskAcceptance {
    /// 確認済み: an authentic document in force, and either a 資格確認書 or an お知らせ /
    /// マイナポータル screen with the patient's card checked (PIN, or 目視).
    Accepted,
    /// カード確認が必要: an authentic お知らせ / マイナポータル screen in force, but no card
    /// checked yet; the screen alone is not accepted.
    CardRequired,
    /// 別人のカード: the card on the reader is not the document's; refused, never recorded.
    CardMismatch,
    /// The document itself is not confirmed (the verdict says why).
    DocumentNotConfirmed,
}

/// How to show an outcome (the core's `DeskTone`).
#[uniffi::remote(Enum)]
pub enum DeskTone {
    /// Confirmed.
    Green,
    /// Not yet confirmed: `DeskOutcomeView.action` says what to do.
    Amber,
    /// Refused, or the document is not confirmed.
    Red,
}

/// What the desk knows of the patient's card for one verification (the core's
/// `DeskCardState`).
#[uniffi::remote(Enum)]
pub enum DeskCardState {
    /// No card was checked (or the last check failed: a wrong PIN, a reader error).
    NotChecked,
    /// The card matched the document's holder binding without the PIN; nobody has stated yet
    /// that the card's photo is the patient's.
    Matched,
    /// 目視: the card compared with the patient by the receptionist.
    Visual,
    /// PIN: the card matched and signed a fresh challenge after the patient's PIN.
    Pin,
    /// 券面目視: the card's 券面 compared by eye, not matched on a reader (none at the desk, or
    /// a document with no holder binding).
    Seen,
    /// The card on the reader is another person's.
    Mismatch,
}

/// The desk's overall outcome, to show: the large word and its colour, what stands behind it,
/// what to do, and whether `ClinicDesk.record` will take it. Every word is the core's.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct DeskOutcomeView {
    /// The decision.
    pub acceptance: DeskAcceptance,
    /// The word shown in large type: 確認済み, カード確認が必要, 別人のカード（受付不可）, or the
    /// document's verdict.
    pub label: String,
    /// Its colour.
    pub tone: DeskTone,
    /// What stands behind it: which document, its signature, which card check.
    pub basis: String,
    /// What the receptionist does next, if anything.
    pub action: Option<String>,
    /// The card's state the outcome was decided with.
    pub card: DeskCardState,
    /// The kind of document the presentation carries (when its signature verified).
    pub document_kind: Option<DocumentKind>,
    /// False when the presentation carries no holder binding: no card can be matched to it on
    /// the reader, only compared by eye.
    pub holder_bound: bool,
    /// True when `record` will take the visit (with `face_compared` when
    /// `needs_face_statement`).
    pub can_record: bool,
    /// True when recording needs the receptionist's statement that they compared the card with
    /// the patient (`record`'s `face_compared`): show it as a required checkbox.
    pub needs_face_statement: bool,
    /// How eligibility is confirmed, in the claim's words (署名付き資格確認書, 署名付き資格情報＋カード（PIN）, …).
    pub confirmation_label: String,
}

fn outcome_view(o: DeskOutcome) -> DeskOutcomeView {
    DeskOutcomeView {
        acceptance: o.acceptance,
        label: o.label_ja().to_string(),
        tone: o.tone(),
        basis: o.basis_ja(),
        action: o.action_ja().map(str::to_string),
        card: o.card,
        document_kind: o.kind,
        holder_bound: o.holder_bound,
        can_record: o.can_record(),
        needs_face_statement: o.needs_face_statement(),
        confirmation_label: o.confirmation_ja().to_string(),
    }
}

/// What is wrong at the first bad position of the visit log (the core's `LogProblem`).
#[uniffi::remote(Enum)]
pub enum LogProblem {
    /// The entry there was changed, or entries were reordered or renumbered.
    Altered,
    /// The entry there is missing (removed from the middle, or the last one removed).
    Missing,
    /// An entry past the sealed head's count: added outside the desk, or the head rolled back.
    Unexpected,
    /// The sealed chain head is missing or damaged (position 0).
    HeadUnreadable,
}

/// The desk's trust list and its age.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct DeskTrustStatus {
    /// The list's version.
    pub version: u64,
    /// When the issuer's root signed it, RFC 3339.
    pub issued_at: String,
    /// When the desk stored it (fetched or imported), RFC 3339.
    pub stored_at: String,
    /// Whole days since `issued_at`.
    pub age_days: i64,
    /// True when the list is older than the desk's limit: show 古い and update it.
    pub stale: bool,
    /// The list in one phrase, in the core's words (as `clinic verify` and the desk page show
    /// it): 「第3版・発行 2026-11-01（28日前）」.
    pub summary: String,
    /// When `stale`, what the receptionist is told, naming how to update the list (the core's
    /// words); `None` while it is not stale.
    pub stale_notice: Option<String>,
}

fn trust_status(a: TrustAge) -> DeskTrustStatus {
    DeskTrustStatus {
        version: a.version,
        issued_at: time(a.issued_at),
        stored_at: time(a.stored_at),
        age_days: a.age_days,
        stale: a.stale,
        summary: a.summary_ja(),
        stale_notice: a.stale_ja(TrustSource::TabletApp),
    }
}

/// Where and how the desk fetches the issuer's trust list.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct TrustUpdateSettings {
    /// The issuer's base URL (https).
    pub server_url: String,
    /// The issuer's root key (SEC1 encoded P-256 point): required for the first list, which
    /// pins it; afterwards it may be omitted, and a different one is refused.
    pub root_key: Option<Vec<u8>>,
    /// Per-request timeout in milliseconds.
    #[uniffi(default = 30000)]
    pub timeout_ms: u32,
    /// Development only: allow plain `http://127.0.0.1` / `localhost`.
    #[uniffi(default)]
    pub allow_insecure_loopback: bool,
    /// Optional TLS public-key pins of the issuer (`sha256/` + base64, as in `SyncSettings`).
    #[uniffi(default)]
    pub tls_pins: Vec<String>,
}

/// The claim fields of a verified document, as the issuer signed them. Dates are `YYYY-MM-DD`.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct DeskClaim {
    /// 保険者番号.
    pub insurer_number: String,
    /// 被保険者等記号, as printed (absent e.g. for 後期高齢者).
    pub symbol: Option<String>,
    /// 番号, as printed.
    pub number: String,
    /// 枝番 (2 digits).
    pub branch: Option<String>,
    /// 氏名.
    pub name: String,
    /// 氏名カナ.
    pub kana: String,
    /// 生年月日.
    pub birth_date: String,
    /// 性別.
    pub sex: Sex,
    /// 本人・家族の別.
    pub relationship: Relationship,
    /// 一部負担金割合 in percent (absent when printed as 法定負担割合のとおり).
    pub copay_percent: Option<u8>,
    /// 未就学区分, as signed.
    pub preschool: bool,
    /// The 負担割合 as the desk shows it (the core's words): 「3割」, 「2割（未就学）」,
    /// 「未就学（法定のとおり：2割）」 or 「法定のとおり」 — never empty.
    pub copay_label: String,
    /// 有効開始年月日.
    pub valid_from: Option<String>,
    /// 有効終了年月日.
    pub valid_until: Option<String>,
    /// The 有効期間 as the desk shows it (the core's words): 「2026-04-01 〜 2027-03-31」, an
    /// end not printed 「—」, neither printed 「記載なし」.
    pub validity_label: String,
    /// The 高齢受給者 line as the desk shows it (the core's words): 「2割（発効 2026-08-01、
    /// 有効期限 2027-07-31）」, 「2割（発効 2026-08-01）」 without a printed 有効期限, 「なし」 without
    /// a block. Show `DeskResult.elderly_note` beside it when present.
    pub elderly_label: String,
    /// 高齢受給者 一部負担金割合 in percent, where present.
    pub elderly_copay_percent: Option<u8>,
    /// 高齢受給者 発効期日, where present.
    pub elderly_effective_from: Option<String>,
    /// 高齢受給者 有効終了年月日, where printed.
    pub elderly_valid_until: Option<String>,
    /// 限度額適用区分, where the patient consented to show it.
    pub limit_category: Option<String>,
    /// 限度額 発効期日, where printed.
    pub limit_effective_from: Option<String>,
}

fn desk_claim(v: &DeskVerification) -> Option<DeskClaim> {
    let c = v.claim()?;
    Some(DeskClaim {
        preschool: v.preschool().unwrap_or_default(),
        copay_label: v.copay_ja().unwrap_or_default(),
        validity_label: v.validity_ja().unwrap_or_default(),
        elderly_label: v.elderly_ja().unwrap_or_default(),
        insurer_number: c.insurer_number.as_str().to_string(),
        symbol: c.symbol,
        number: c.number,
        branch: c.branch,
        name: c.name,
        kana: c.kana,
        birth_date: date(c.birth_date),
        sex: c.sex,
        relationship: c.relationship,
        copay_percent: c.copay.map(|r| r.percent()),
        valid_from: c.valid_from.map(date),
        valid_until: c.valid_until.map(date),
        elderly_copay_percent: c.elderly.as_ref().map(|e| e.copay.percent()),
        elderly_effective_from: c.elderly.as_ref().map(|e| date(e.effective_from)),
        elderly_valid_until: c.elderly.as_ref().and_then(|e| e.valid_until).map(date),
        limit_category: c.limit.as_ref().map(|l| l.category.clone()),
        limit_effective_from: c.limit.as_ref().and_then(|l| l.effective_from).map(date),
    })
}

/// The outcome of verifying one scanned QR code, to show. The document's fields
/// (`claim`, `issued_on`, `document_age_days`, `format`, `key_id`) are present only when its
/// signature verified; they are never filled from an unverified payload.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct DeskResult {
    /// The opaque id of this verification inside the desk: pass it to
    /// `ClinicDesk.check_card` and `ClinicDesk.record`.
    pub verification_id: u64,
    /// The desk's overall outcome before any card check: show `outcome.label` in large type,
    /// not the document's verdict (an お知らせ or マイナポータル screen is カード確認が必要 until
    /// its card is checked). `ClinicDesk.outcome` gives it again after a card check.
    pub outcome: DeskOutcomeView,
    /// The document's verdict (signature, issuer, validity).
    pub verdict: DeskVerdict,
    /// The document verdict's word (確認済み, 署名不正, …): about the document only.
    pub verdict_label: String,
    /// Why the verdict is not 確認済み, in Japanese for the receptionist, with what to do, and
    /// without personal data (no date or number); `None` when confirmed.
    pub reason: Option<String>,
    /// An amber note beside the 負担割合 when the 高齢受給者 block does not apply today: not yet in
    /// force (its 発効期日 is later; the note says which share applies today where the law sets
    /// it, else to confirm it) or past its 有効期限 (confirm today's share). The verdict and the
    /// outcome are unchanged: the eligibility is not affected. Without a date; `None` otherwise.
    pub elderly_note: Option<String>,
    /// The day in Japan the verification ran, `YYYY-MM-DD`.
    pub checked_on: String,
    /// The document's issue date in Japan, `YYYY-MM-DD`.
    pub issued_on: Option<String>,
    /// Whole days from the document's issue to the verification.
    pub document_age_days: Option<i64>,
    /// The document's format version (2: presentation, 1: full document).
    pub format: Option<u32>,
    /// The issuer key id that signed it.
    pub key_id: Option<String>,
    /// The desk's trust list and its age; `None` when the desk has none yet (then show
    /// `clinic_trust_missing_notice()`).
    pub trust: Option<DeskTrustStatus>,
    /// The claim fields, as the issuer signed them.
    pub claim: Option<DeskClaim>,
}

/// A card that matched the verified document at the desk.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct CardAtDesk {
    /// What the desk shows: 本人確認済み（PIN）, or この資格情報に結び付いたカード（PIN未確認）
    /// (then the receptionist compares the card's photo with the patient).
    pub label: String,
    /// True when the card signed the desk's fresh challenge after the PIN.
    pub pin_verified: bool,
    /// SHA-256 of the card's 利用者証明用 key (hex).
    pub key_fingerprint: String,
    /// The overall outcome with this card, before the receptionist states 目視
    /// (`ClinicDesk.outcome` with `face_compared` gives it after).
    pub outcome: DeskOutcomeView,
    /// The card certificate's notAfter, RFC 3339.
    pub certificate_not_after: String,
}

/// Options of `ClinicDesk.check_card` (the PIN is a separate argument, never in a record).
#[derive(Debug, Clone, Default, PartialEq, Eq, uniffi::Record)]
pub struct DeskCardOptions {
    /// Send the PIN even when only one try is left (the patient consented).
    #[uniffi(default)]
    pub allow_last_attempt: bool,
    /// Extra trust anchors (DER or PEM certificates), for test cards only. Empty in production:
    /// the embedded J-LIS roots are used.
    #[uniffi(default)]
    pub extra_anchors: Vec<Vec<u8>>,
}

/// What the receptionist types from a 被保険者資格申立書. Validated by the core; always
/// recorded, shown and exported as 申立・未検証.
#[derive(Debug, Clone, Default, PartialEq, Eq, uniffi::Record)]
pub struct DeclarationInput {
    /// 氏名 (required).
    pub name: String,
    /// 氏名カナ, if given.
    #[uniffi(default)]
    pub kana: Option<String>,
    /// 生年月日 (required; `YYYY-MM-DD` or 和暦).
    pub birth_date: String,
    /// 性別 (required: a claim field). `None` is refused by `declare` (and
    /// `same_day_visit_of_declaration`) as `ShikakuError::InvalidInput` with the problem `sex`,
    /// beside every other failing field.
    #[uniffi(default)]
    pub sex: Option<Sex>,
    /// 本人・家族の別 (required: a claim field). `None` is refused by `declare` (and
    /// `same_day_visit_of_declaration`) as `ShikakuError::InvalidInput` with the problem
    /// `relationship`, beside every other failing field.
    #[uniffi(default)]
    pub relationship: Option<Relationship>,
    /// The insurer's name or the employer (required).
    pub insurer_name: String,
    /// 保険者番号, if known (its check digit is verified).
    #[uniffi(default)]
    pub insurer_number: Option<String>,
    /// 記号, if known.
    #[uniffi(default)]
    pub symbol: Option<String>,
    /// 番号, if known.
    #[uniffi(default)]
    pub number: Option<String>,
    /// 枝番, if known (2 digits).
    #[uniffi(default)]
    pub branch: Option<String>,
    /// The share the patient says they pay, in percent (10, 20 or 30), if stated.
    #[uniffi(default)]
    pub copay_percent: Option<u8>,
    /// The 公費 受給者証 the patient shows beside the 申立 (第一公費, 第二公費; at most two),
    /// recorded as typed and always 受給者証目視・未検証.
    #[uniffi(default)]
    pub public_expenses: Vec<DeskPublicExpenseInput>,
}

/// What the receptionist types from one 公費 受給者証 (医療証) the patient shows beside the
/// insurance: nothing signs it, so it is recorded, listed and exported as 受給者証目視・未検証
/// (the core's `PublicExpenseEntry`). A visit takes at most two, with different 公費負担者番号.
#[derive(Debug, Clone, Default, PartialEq, Eq, uniffi::Record)]
pub struct DeskPublicExpenseInput {
    /// 公費負担者番号 (required; 8 digits, its check digit verified).
    pub payer_number: String,
    /// 受給者番号 (7 digits), if the 受給者証 prints one.
    #[uniffi(default)]
    pub recipient_number: Option<String>,
    /// The 受給者証's name as printed (at most 20 characters), if typed.
    #[uniffi(default)]
    pub program: Option<String>,
    /// Its 有効期限 (`YYYY-MM-DD` or 和暦), if printed; a past one is refused.
    #[uniffi(default)]
    pub valid_until: Option<String>,
}

impl From<DeskPublicExpenseInput> for PublicExpenseEntry {
    fn from(p: DeskPublicExpenseInput) -> Self {
        PublicExpenseEntry {
            payer_number: p.payer_number,
            recipient_number: p.recipient_number,
            program: p.program,
            valid_until: p.valid_until,
        }
    }
}

fn public_entries(public: Vec<DeskPublicExpenseInput>) -> Vec<PublicExpenseEntry> {
    public.into_iter().map(PublicExpenseEntry::from).collect()
}

impl From<DeclarationInput> for DeclarationForm {
    fn from(d: DeclarationInput) -> Self {
        DeclarationForm {
            name: d.name,
            kana: d.kana,
            birth_date: d.birth_date,
            sex: d.sex,
            relationship: d.relationship,
            insurer_name: d.insurer_name,
            insurer_number: d.insurer_number,
            symbol: d.symbol,
            number: d.number,
            branch: d.branch,
            copay_percent: d.copay_percent,
        }
    }
}

/// One entry of the visit log, to list.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct DeskVisit {
    /// Its position in the log (1 for the first entry).
    pub position: u64,
    /// When it was recorded, RFC 3339.
    pub recorded_at: String,
    /// The day of the visit in Japan (受診日), `YYYY-MM-DD`.
    pub visit_date: String,
    /// The desk operator who recorded it.
    pub operator: String,
    /// True for a verified presentation; false for a 申立 (never verified). It speaks of the
    /// insurance only: a 公費 recorded beside it is never verified (its cells, 公費確認, say
    /// 受給者証目視・未検証).
    pub verified: bool,
    /// 確認済み / 有効期限切れ（書類） / 有効期限切れ（資格） / 有効期間前（資格） / 申立・未検証.
    pub status_label: String,
    /// How eligibility was confirmed, in the claim's words (署名付き資格情報＋カード（PIN）, …).
    pub confirmation_label: String,
    /// The entry's CSV cells, in the order of `clinic_csv_columns()`.
    pub cells: Vec<String>,
}

fn desk_visit(e: &LogEntry) -> DeskVisit {
    DeskVisit {
        position: e.position,
        recorded_at: time(e.recorded_at),
        visit_date: date(e.visit_date()),
        operator: e.operator.clone(),
        verified: e.is_verified(),
        status_label: e.status_label_ja().to_string(),
        confirmation_label: export::confirmation_ja(e).to_string(),
        cells: export::csv_cells(e).into_iter().collect(),
    }
}

/// The visits of a date range, and the damaged rows (never silently dropped), with the state of
/// the log's chain (the core's `CheckedVisits`): an app shows `notice` above the listing when it
/// is not complete.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct DeskVisits {
    /// The entries that read correctly, in log order.
    pub visits: Vec<DeskVisit>,
    /// The positions of the rows that could not be read.
    pub corrupt_positions: Vec<u64>,
    /// True when the log's chain is intact and every row of the range read correctly: the
    /// listing is complete. False when an entry may be missing from it (an entry removed,
    /// changed or moved to another day is otherwise missing without a trace).
    pub complete: bool,
    /// When the listing is not complete, the receptionist's line in Japanese (the chain's first
    /// bad position, the damaged rows left out; no personal data), to show above the listing;
    /// `None` when it is complete.
    pub notice: Option<String>,
}

/// The patient's visit already in the log today, for a notice beside 記録: a second visit the
/// same day is recorded all the same (the core's `SameDayVisit`).
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct SameDayVisitView {
    /// Its log position (記録番号).
    pub position: u64,
    /// When it was recorded, RFC 3339.
    pub recorded_at: String,
    /// True for a verified presentation, false for a 申立.
    pub verified: bool,
    /// Found by the same 生年月日 and 氏名 or 氏名カナ, the numbers having found nothing
    /// (`SameDayMatch::NameAndBirthDate`): most likely the same patient, for the receptionist
    /// to confirm (the `notice` asks so) — an app may ask it as a question. False when found by
    /// the same 保険者番号, 記号, 番号 and 枝番 — also when the earlier visit is of another
    /// 氏名 or 生年月日 (`numbers_of_another_person`).
    pub confirm_same_person: bool,
    /// Found by the same 保険者番号, 記号, 番号 and 枝番, but the earlier visit is of another
    /// 氏名 or 生年月日 (`SameDayMatch::NumbersOtherPerson`): not a 再受診 — check the numbers
    /// (a mistyped 枝番, someone else's numbers) before recording; the `notice` says so.
    pub numbers_of_another_person: bool,
    /// The receptionist's notice, in Japanese, without personal data.
    pub notice: String,
}

fn same_day_view(v: shikaku_core::clinic::SameDayVisit) -> SameDayVisitView {
    SameDayVisitView {
        position: v.position,
        recorded_at: time(v.recorded_at),
        verified: v.verified,
        confirm_same_person: v.matched_by == shikaku_core::clinic::SameDayMatch::NameAndBirthDate,
        numbers_of_another_person: v.matched_by
            == shikaku_core::clinic::SameDayMatch::NumbersOtherPerson,
        notice: v.notice_ja(),
    }
}

/// The result of checking the visit log's chain.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Enum)]
pub enum LogStatus {
    /// Every entry chains and the sealed head matches.
    Intact {
        /// The number of entries.
        entries: u64,
        /// The last link, in hex: write it down to anchor the log outside the desk.
        head: String,
    },
    /// The log was changed.
    Broken {
        /// The first bad position (1 = the first entry; 0 = the head itself).
        position: u64,
        /// What is wrong there.
        problem: LogProblem,
        /// A short Japanese description of the problem.
        label: String,
    },
}

/// The CSV export's header, in column order (docs/clinic.md).
#[uniffi::export]
pub fn clinic_csv_columns() -> Vec<String> {
    export::CSV_COLUMNS.iter().map(|c| c.to_string()).collect()
}

/// What the receptionist is told while the desk has no trust list (`ClinicDesk.trust_status`
/// and `DeskResult.trust` are `None`): no QR code can be confirmed, and to update the list. The
/// core's words, as `clinic verify` and the desk page show them, without their CLI command
/// (the app updates its list from its own screen).
#[uniffi::export]
pub fn clinic_trust_missing_notice() -> String {
    TrustSource::TabletApp.missing_ja()
}

/// Why the desk would refuse `operator` as the name recorded with a visit or a 申立, in the
/// receptionist's words (the core's, as the desk page shows them): empty, longer than 60
/// characters, a character that cannot be used, or a leading `=`, `+`, `-`, `@`. `None` when
/// the name is acceptable. Check the field with it before `record` or `declare`, and show it
/// when they answer `ShikakuError::InvalidInput` with the problem `operator`.
#[uniffi::export]
pub fn clinic_operator_refusal(operator: String) -> Option<String> {
    core_clinic::operator_refusal_ja(&operator)
}

impl From<ClinicError> for ShikakuError {
    fn from(e: ClinicError) -> Self {
        match e {
            ClinicError::Invalid(v) => v.into(),
            ClinicError::Operator { reason } => invalid("operator", "受付者", reason),
            ClinicError::Declaration { operator, fields } => {
                // Every failure at once: the operator's name, then the form's fields.
                let detail = format!("operator name {operator}; {fields}");
                let mut problems = vec![FieldProblem {
                    field: "operator".into(),
                    label: "受付者".into(),
                    reason: operator.into(),
                }];
                if let ShikakuError::InvalidInput { problems: p, .. } = fields.into() {
                    problems.extend(p);
                }
                ShikakuError::InvalidInput { problems, detail }
            }
            ClinicError::Range { .. } => invalid("to", "期間", &e.to_string()),
            ClinicError::Store(s) => s.into(),
            ClinicError::Trust { reason } => ShikakuError::TrustList { detail: reason },
            ClinicError::Sync(s) => s.into(),
            ClinicError::Card(c) => c.into(),
            ClinicError::CardMismatch => ShikakuError::CardMismatch,
            ClinicError::CardRequired => invalid(
                "face_compared",
                "カード確認",
                "this document is accepted only with the patient's card: check the card, or record a declaration",
            ),
            ClinicError::NoHolderBinding => invalid(
                "verification_id",
                "カード照合",
                "the document carries no card binding: compare the card by eye",
            ),
            // The desk's clock earlier than the log's last entry: the reason is the core's
            // Japanese (check the PC's date and time), as the CLI and the desk page say it.
            ClinicError::ClockBehindLog { .. } => invalid(
                "clock",
                "PCの日付・時刻",
                &e.clock_refusal_ja().unwrap_or_else(|| e.to_string()),
            ),
            ClinicError::NotRecordable => ShikakuError::NotRecordable,
        }
    }
}

impl CardCheckFailure for ShikakuError {
    fn is_card_mismatch(&self) -> bool {
        matches!(self, ShikakuError::CardMismatch)
    }
}

fn day(field: &str, label: &str, s: &str) -> Result<NaiveDate, ShikakuError> {
    NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d")
        .map_err(|_| invalid(field, label, "is not a date YYYY-MM-DD"))
}

/// A verification kept for a later card check or record, with the card check held for it
/// (the core's rule: a later failed or refused check clears an earlier success).
struct Kept {
    id: u64,
    verification: DeskVerification,
    card: PendingCardCheck,
}

struct Pending {
    next_id: u64,
    kept: VecDeque<Kept>,
}

impl Pending {
    fn position(&self, id: u64) -> Result<usize, ShikakuError> {
        self.kept
            .iter()
            .position(|k| k.id == id)
            .ok_or_else(|| ShikakuError::Store {
                not_found: true,
                detail: "no such verification (unknown, already recorded, or forgotten)".into(),
            })
    }
}

/// A clinic reception desk: its encrypted store (the visit log and the trust list) in a
/// directory, opened with a platform [`KeyStore`]. Thread-safe; make the calls from a
/// background thread (card and network calls block).
#[derive(uniffi::Object)]
pub struct ClinicDesk {
    store: Mutex<DeskStore>,
    pending: Mutex<Pending>,
}

impl std::fmt::Debug for ClinicDesk {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ClinicDesk").finish_non_exhaustive()
    }
}

impl ClinicDesk {
    fn store(&self) -> MutexGuard<'_, DeskStore> {
        // Poisoned only in the unwinding builds (the shipped library aborts, ADR 0014); every
        // write is one transaction, so a panic cannot have left a half-written log behind.
        self.store.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn pending(&self) -> MutexGuard<'_, Pending> {
        self.pending.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn keep(&self, verification: DeskVerification) -> u64 {
        let mut p = self.pending();
        p.next_id += 1;
        let id = p.next_id;
        if p.kept.len() >= KEPT_VERIFICATIONS {
            p.kept.pop_front();
        }
        p.kept.push_back(Kept {
            id,
            verification,
            card: PendingCardCheck::new(),
        });
        id
    }

    fn import(
        &self,
        bytes: &[u8],
        root: Option<&VerifyingKey>,
        now: DateTime<Utc>,
    ) -> Result<u64, ShikakuError> {
        Ok(self.store().import_trust_list(bytes, root, now)?.version)
    }
}

#[uniffi::export]
impl ClinicDesk {
    /// Opens the desk store in the directory `dir` (created owner-only when missing, with a
    /// new data key wrapped by `key_store`). A wrong or lost key is `ShikakuError::Key` and
    /// changes nothing.
    #[uniffi::constructor]
    pub fn open(dir: String, key_store: Arc<dyn KeyStore>) -> Result<Arc<Self>, ShikakuError> {
        // Its words send the receptionist to the app's own update, not to a CLI command.
        let store = DeskStore::open(Path::new(&dir), &KeyStoreAdapter(key_store))?
            .with_trust_source(TrustSource::TabletApp);
        Ok(Arc::new(ClinicDesk {
            store: Mutex::new(store),
            pending: Mutex::new(Pending {
                next_id: 0,
                kept: VecDeque::new(),
            }),
        }))
    }

    /// Verifies and stores a signed trust list (e.g. a file carried to an offline desk). The
    /// first list pins `root_key` (SEC1, required then); afterwards it may be omitted, and a
    /// different root is refused (`ShikakuError::TrustList`), as is an older list. Nothing is
    /// stored on any failure. Returns the version now in force.
    pub fn import_trust_list(
        &self,
        bytes: Vec<u8>,
        root_key: Option<Vec<u8>>,
    ) -> Result<u64, ShikakuError> {
        let root = root_key.as_deref().map(root_key_from).transpose()?;
        self.import(&bytes, root.as_ref(), Utc::now())
    }

    /// Fetches the issuer's trust list (`GET /v1/trust-list`, no login, no card) and stores it
    /// with `import_trust_list`'s checks. The store is not locked while the network is slow.
    /// Returns the version now in force.
    pub fn update_trust_list(
        &self,
        http: Arc<dyn HttpTransport>,
        settings: TrustUpdateSettings,
    ) -> Result<u64, ShikakuError> {
        let (server, tls_pins) = issuer_endpoint(
            &settings.server_url,
            settings.allow_insecure_loopback,
            &settings.tls_pins,
        )?;
        let root = settings
            .root_key
            .as_deref()
            .map(root_key_from)
            .transpose()?;
        // The core's `DeskStore::update_trust_list` in two steps: the fetch, then the import
        // (every check) under the store's lock.
        let bytes = fetch_trust_list(
            &HttpTransportAdapter { http, tls_pins },
            &server,
            settings.timeout_ms,
        )?;
        self.import(&bytes, root.as_ref(), Utc::now())
    }

    /// The desk's trust list and its age against `max_trust_age_days` (default 30), with the
    /// core's words for it (`summary`, `stale_notice`); `None` when the desk has none, or the
    /// stored one no longer verifies (show `clinic_trust_missing_notice()`).
    pub fn trust_status(
        &self,
        max_trust_age_days: Option<u32>,
    ) -> Result<Option<DeskTrustStatus>, ShikakuError> {
        let now = Utc::now();
        let trust = self.store().trust(now).map_err(ShikakuError::from)?;
        Ok(trust.map(|t| {
            trust_status(t.age(
                now,
                max_trust_age_days.unwrap_or(DEFAULT_TRUST_MAX_AGE_DAYS),
            ))
        }))
    }

    /// Verifies a scanned QR payload (`SK1:…`) offline against the desk's trust list. A bad
    /// payload is a verdict, not an error. `max_trust_age_days` (default 30) is when the trust
    /// list is called stale. Nothing is recorded; the verification is kept under
    /// `DeskResult.verification_id` for `check_card` and `record`.
    pub fn verify(
        &self,
        payload: String,
        max_trust_age_days: Option<u32>,
    ) -> Result<DeskResult, ShikakuError> {
        let options = VerifyOptions {
            max_trust_age_days: max_trust_age_days.unwrap_or(DEFAULT_TRUST_MAX_AGE_DAYS),
        };
        let v = self.store().verify_payload(&payload, options, Utc::now())?;
        let document = v.document_info();
        let result = DeskResult {
            verification_id: 0,
            outcome: outcome_view(v.outcome(DeskCardState::NotChecked)),
            verdict: v.verdict,
            verdict_label: v.verdict.label_ja().to_string(),
            reason: v.reason.clone(),
            elderly_note: v.elderly_note_ja().map(str::to_string),
            checked_on: date(v.checked_on),
            issued_on: v.issued_on().map(date),
            document_age_days: v.document_age_days(),
            format: document.as_ref().map(|d| d.format),
            key_id: document.map(|d| d.key_id),
            trust: v.trust.map(trust_status),
            claim: desk_claim(&v),
        };
        Ok(DeskResult {
            verification_id: self.keep(v),
            ..result
        })
    }

    /// Checks the patient's card on `transport` against the verification `verification_id`:
    /// the certificate chain to J-LIS and the document's holder binding without a PIN (a card
    /// of another person is `ShikakuError::CardMismatch`, before any PIN); then, with `pin`,
    /// a signature over a fresh challenge behind the PIN guard (counter first, the last try
    /// only with `options.allow_last_attempt`, never resent).
    ///
    /// `pin` is the PIN's ASCII digits as bytes (Kotlin `ByteArray`, Swift `Data`), never a
    /// string, so that the caller can wipe its array once the call returns; the Rust side
    /// wipes its copy. A successful check is kept with the verification and used by `record`;
    /// a failed or refused one (the PIN's format included) clears what was kept, as on the
    /// desk page (the core's `PendingCardCheck`). The store is not locked while the card is
    /// read.
    pub fn check_card(
        &self,
        verification_id: u64,
        transport: Arc<dyn CardTransport>,
        pin: Option<Vec<u8>>,
        options: DeskCardOptions,
    ) -> Result<CardAtDesk, ShikakuError> {
        // The PIN comes as bytes the caller can wipe (as `Household.check_card`); this copy is
        // wiped when dropped, and the core checks the bytes themselves (no text is made).
        let pin = pin.map(Zeroizing::new);
        let verification = {
            let p = self.pending();
            let i = p.position(verification_id)?;
            p.kept[i].verification.clone()
        };
        let checked = (|| -> Result<DeskCardCheck, ShikakuError> {
            let desk_pin = pin
                .as_deref()
                .map(|b| DeskPin::from_bytes(b, options.allow_last_attempt))
                .transpose()?;
            let mut trust = TrustStore::jlis_auth()?;
            for anchor in &options.extra_anchors {
                trust.add_extra_anchor(anchor)?;
            }
            Ok(core_clinic::check_card_at_desk(
                &CardTransportAdapter(transport),
                &verification,
                desk_pin,
                &trust,
                Utc::now(),
            )?)
        })();
        let mut p = self.pending();
        let i = p.position(verification_id)?;
        let kept = &mut p.kept[i];
        let check = kept.card.apply(checked)?.clone();
        Ok(CardAtDesk {
            label: check.label_ja().to_string(),
            pin_verified: check.pin_verified(),
            key_fingerprint: check.key_fingerprint().to_hex(),
            certificate_not_after: time(check.certificate_not_after()),
            outcome: outcome_view(kept.verification.outcome_with(&kept.card, false)),
        })
    }

    /// The overall outcome of the verification `verification_id` now: with the card checks
    /// made for it (another person's card: 別人のカード until a card matches) and
    /// `face_compared`, the receptionist's statement that they compared the card with the
    /// patient (目視). Show its label and colour, not the document's verdict.
    pub fn outcome(
        &self,
        verification_id: u64,
        face_compared: bool,
    ) -> Result<DeskOutcomeView, ShikakuError> {
        let p = self.pending();
        let kept = &p.kept[p.position(verification_id)?];
        Ok(outcome_view(
            kept.verification.outcome_with(&kept.card, face_compared),
        ))
    }

    /// The visit already recorded today (in Japan) for the patient of the verification
    /// `verification_id` (by 保険者番号, 記号, 番号 and 枝番, a 申立 that declared them
    /// included; else by the same 生年月日 and 氏名 or 氏名カナ, a 申立 without numbers, whose
    /// `notice` asks to confirm it is the same person), if any: show its `notice` beside 記録,
    /// before `record`. A notice, not a
    /// refusal: a second visit the same day is recorded all the same. `None` when there is none
    /// or the document is not authentic.
    pub fn same_day_visit(
        &self,
        verification_id: u64,
    ) -> Result<Option<SameDayVisitView>, ShikakuError> {
        let verification = {
            let p = self.pending();
            let i = p.position(verification_id)?;
            p.kept[i].verification.clone()
        };
        Ok(self
            .store()
            .same_day_visit_of(&verification, Utc::now())?
            .map(same_day_view))
    }

    /// The visit already recorded today (in Japan) for the patient a 申立 `form` declares (by
    /// its 保険者番号, 記号, 番号 and 枝番 when it declares the 保険者番号 and 番号; else, or when
    /// they find nothing, by the same 生年月日 and 氏名 or 氏名カナ, whose `notice` asks to
    /// confirm it is the same person), if any: show its `notice` before `declare`, as
    /// `same_day_visit` does for a verification. A form that does not validate is one
    /// `ShikakuError::InvalidInput` naming its fields, as `declare` would say.
    pub fn same_day_visit_of_declaration(
        &self,
        form: DeclarationInput,
    ) -> Result<Option<SameDayVisitView>, ShikakuError> {
        let now = Utc::now();
        let declared = DeclarationForm::from(form).validate(japan_today(now))?;
        Ok(self
            .store()
            .same_day_visit_of_declaration(&declared, now)?
            .map(same_day_view))
    }

    /// Records the verification `verification_id` in the visit log by `operator`, with the
    /// card check made for it (if any): PIN; or 目視 when the card matched on the reader and
    /// `face_compared` (the receptionist compared the card's photo with the patient); or
    /// 券面目視 when no card was matched and `face_compared` (no reader: the card's 券面
    /// compared by eye); otherwise no card check. Only what the outcome allows is recorded
    /// (`DeskOutcomeView.can_record`): an authentic document (`ShikakuError::NotRecordable`
    /// otherwise: record a 申立 with `declare`), never after another person's card
    /// (`ShikakuError::CardMismatch`), and an お知らせ / マイナポータル screen only with its card
    /// checked or seen (`ShikakuError::InvalidInput` without `face_compared`). Returns the entry's position; the verification is then forgotten. Ask
    /// `same_day_visit` first to tell the receptionist of the patient's earlier visit today.
    /// `public_expenses`: the 公費 受給者証 shown beside it (at most two), recorded as typed,
    /// 受給者証目視・未検証 whatever the document's verdict; a mistake in one is
    /// `ShikakuError::InvalidInput` naming it, and nothing is recorded.
    #[uniffi::method(default(public_expenses = []))]
    pub fn record(
        &self,
        verification_id: u64,
        face_compared: bool,
        operator: String,
        public_expenses: Vec<DeskPublicExpenseInput>,
    ) -> Result<u64, ShikakuError> {
        let mut p = self.pending();
        let i = p.position(verification_id)?;
        let kept = &p.kept[i];
        let position = self.store().record_verification_with(
            &kept.verification,
            &kept.card,
            face_compared,
            &public_entries(public_expenses),
            &operator,
            Utc::now(),
        )?;
        p.kept.remove(i);
        Ok(position)
    }

    /// Validates and records a 被保険者資格申立書 by `operator` (always 申立・未検証), with the
    /// 公費 of `form.public_expenses`. Failing fields are one `ShikakuError::InvalidInput`
    /// naming every one of them, the operator's name (`operator`), a missing 性別 (`sex`) or
    /// 本人・家族の別 (`relationship`) and the 公費's included, no values. Returns the entry's position. Ask `same_day_visit_of_declaration` first to tell
    /// the receptionist of the patient's earlier visit today.
    pub fn declare(&self, form: DeclarationInput, operator: String) -> Result<u64, ShikakuError> {
        let public = public_entries(form.public_expenses.clone());
        let form = DeclarationForm::from(form);
        let now = Utc::now();
        // Every mistake at once (the core's rule), before the log is touched.
        form.validate_with_public(&public, &operator, japan_today(now))?;
        Ok(self.store().declare_with(&form, &public, &operator, now)?)
    }

    /// The cashier's line for the 申立 `form` today (a day in Japan), in Japanese, for the desk
    /// to show once `declare` recorded it: the share to collect — as declared, else the law's for
    /// the patient's age (未就学 2割, 3割 to 69, 2割 at 70–74 with the 現役並み 3割 to check), and
    /// under 後期高齢者医療 without a declared share that it must be stated or asked of the
    /// insurer; with a 公費 受給者証 in `form`, that it changes what is collected — and that 10割
    /// with 療養費 later is only the last resort (the core's
    /// `Declaration::cashier_ja`, what `shikaku clinic declare` and the desk page say). A form
    /// that does not validate fails as in `declare` (`ShikakuError::InvalidInput`).
    pub fn declaration_cashier_line(&self, form: DeclarationInput) -> Result<String, ShikakuError> {
        let today = japan_today(Utc::now());
        let with_public_expense = !form.public_expenses.is_empty();
        let declared = DeclarationForm::from(form).validate(today)?;
        Ok(declared.cashier_ja(today, with_public_expense))
    }

    /// The visits from `from` to `to` (`YYYY-MM-DD`, days in Japan, both included; at most
    /// 3660 days), in log order, the damaged rows, and whether the listing is complete: the
    /// whole log's chain is checked as for the exports, and `notice` says what may be missing.
    pub fn visits(&self, from: String, to: String) -> Result<DeskVisits, ShikakuError> {
        let checked = self
            .store()
            .visits_between_checked(day("from", "開始日", &from)?, day("to", "終了日", &to)?)?;
        Ok(DeskVisits {
            visits: checked.list.entries.iter().map(desk_visit).collect(),
            corrupt_positions: checked
                .list
                .corrupt
                .iter()
                .filter_map(|r| r.id.parse::<u64>().ok())
                .collect(),
            complete: checked.is_complete(),
            notice: checked.notice_ja(),
        })
    }

    /// The visits from `from` to `to` as CSV for the claim (UTF-8 with BOM, CRLF, a Japanese
    /// header row; docs/clinic.md "CSV").
    /// When the log's chain is broken or an entry is damaged, a marker row follows the header
    /// (確認結果 記録簿破損・出力不完全 and the notice; docs/clinic.md "CSV").
    pub fn export_csv(&self, from: String, to: String) -> Result<String, ShikakuError> {
        let checked = self
            .store()
            .visits_between_checked(day("from", "開始日", &from)?, day("to", "終了日", &to)?)?;
        Ok(checked.to_csv_for(export::CsvFlavor::Data))
    }

    /// The visits from `from` to `to` as CSV for opening in spreadsheet software: as
    /// `export_csv`, but the number columns (保険者番号, 記号, 番号, 枝番) that hold digits only are
    /// text formulas (`="01130012"`), so that their leading zeros survive. Not for an import
    /// (docs/clinic.md "CSV").
    pub fn export_spreadsheet_csv(&self, from: String, to: String) -> Result<String, ShikakuError> {
        let checked = self
            .store()
            .visits_between_checked(day("from", "開始日", &from)?, day("to", "終了日", &to)?)?;
        Ok(checked.to_csv_for(export::CsvFlavor::Spreadsheet))
    }

    /// The visits from `from` to `to` as one JSON document, with `complete` and the log's
    /// check (docs/clinic.md "JSON").
    pub fn export_json(&self, from: String, to: String) -> Result<String, ShikakuError> {
        let (from, to) = (day("from", "開始日", &from)?, day("to", "終了日", &to)?);
        Ok(self
            .store()
            .visits_between_checked(from, to)?
            .to_json(from, to))
    }

    /// The visits from `from` to `to` as a FHIR R4 Bundle with the JP Core profiles (Patient,
    /// Coverage, Encounter, the payers; a broken chain or damaged entries in an
    /// OperationOutcome; docs/clinic.md "FHIR R4 (JP Core)").
    pub fn export_fhir(&self, from: String, to: String) -> Result<String, ShikakuError> {
        let (from, to) = (day("from", "開始日", &from)?, day("to", "終了日", &to)?);
        Ok(self
            .store()
            .visits_between_checked(from, to)?
            .to_fhir(Utc::now()))
    }

    /// Checks the visit log's chain and sealed head: intact, or the first bad position.
    pub fn verify_log(&self) -> Result<LogStatus, ShikakuError> {
        Ok(match self.store().verify_log()? {
            LogCheck::Intact { entries, head } => LogStatus::Intact { entries, head },
            LogCheck::Broken { position, problem } => LogStatus::Broken {
                position,
                problem,
                label: problem.label_ja().to_string(),
            },
        })
    }
}
