//! The view models the apps lay out without logic of their own: one [`EligibilityScreen`] per
//! member and a [`HouseholdOverview`]. Built from the store (data flows store → view only).
//!
//! A record is shown as 発行元の署名を確認済み only when its stored signed bytes verify *now*
//! against the trust list kept by the last sync (itself re-verified with the pinned root) and
//! equal the stored record. Hand-entered records are always 手入力・未検証.

use chrono::{DateTime, Utc};
use serde::Serialize;

use super::calendar::{
    RecordEnded, late_elderly_on, record_ended, record_in_force, record_not_started,
};
use super::checklist::{SwitchChecklist, switch_checklist};
use super::guidance::{AppCopy, ClinicSituation, Guidance, MemberSituation, guidance};
use super::notices_household::HouseholdContext;
use super::rules::{Notice, NoticeCode, Severity, member_notices_in, order_by_severity};
use super::sections::{
    age, card_badge, date_field, fixed_notice, japan_time, record_section, text_field,
};
use super::snapshot::{HouseholdSnapshot, MemberRead};
pub use crate::clock::japan_today;
use crate::document::{TrustList, reverify_stored_record};
use crate::eligibility::{
    EligibilityRecord, Member, MemberData, MemberId, Provenance, Relationship, StoredRecord,
};
use crate::store::{Store, StoreError, StoredCardCheck};

// The household overview was first defined here; its paths under `screen::view` stay valid.
pub use super::overview::{HouseholdOverview, MemberSummary, household_overview};

/// Whether a record can be trusted as issued.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum ProvenanceState {
    /// Signed by a trusted issuer key, verified now: 発行元の署名を確認済み.
    Verified,
    /// Entered by hand: 手入力・未検証.
    HandEntered,
    /// Signed, but the signature does not verify now (or no trust list to check it): 署名が無効.
    SignatureInvalid,
    /// The issuer's signature verifies, but the document's own validity (`valid_until`) has
    /// passed: 発行元の署名あり・書類の有効期限切れ. Shown with a notice naming the day it ended.
    SignedExpired,
}

impl ProvenanceState {
    /// The badge text.
    pub fn label_ja(self) -> &'static str {
        match self {
            ProvenanceState::Verified => "発行元の署名を確認済み",
            ProvenanceState::HandEntered => "手入力・未検証",
            ProvenanceState::SignatureInvalid => "署名が無効",
            ProvenanceState::SignedExpired => "発行元の署名あり・書類の有効期限切れ",
        }
    }
}

/// The My Number Card check badge.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum CardState {
    /// A genuine card (chained to a J-LIS root), linked to this member by their 基本4情報 or by
    /// the holder binding of their signed record: カード照合済み.
    Checked,
    /// A genuine card, but nothing links it to this member (no 基本4情報 compared, no signed
    /// holder binding): カード真正・本人未照合.
    GenuineNotLinked,
    /// Checked against a caller-supplied test trust anchor, not a J-LIS root (development and
    /// the demo's virtual cards): テスト用証明書で照合（本番の照合ではありません）.
    TestAnchor,
    /// Not checked: 未照合.
    NotChecked,
    /// Checked, but the card does not match the member or their signed record: 照合不一致.
    Mismatch,
}

/// One labelled value.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ScreenField {
    /// Stable id for the apps (e.g. `insurer_number`).
    pub id: &'static str,
    /// The Japanese label.
    pub label: &'static str,
    /// The value as shown (dates in 和暦).
    pub value: String,
    /// A second form when useful (dates in 西暦).
    pub secondary: Option<String>,
}

/// A titled group of fields, e.g. one document.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ScreenSection {
    /// Section title (e.g. 資格確認書).
    pub title: String,
    /// For a record section: its provenance; `None` for the person section.
    pub provenance: Option<ProvenanceState>,
    /// Badge text for `provenance`.
    pub provenance_label: Option<&'static str>,
    /// The fields in display order.
    pub fields: Vec<ScreenField>,
}

/// The card badge with its text and time.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CardBadge {
    /// State.
    pub state: CardState,
    /// Badge text (カード照合済み / 未照合 / 照合不一致).
    pub label: String,
    /// When the card was checked (和暦 and time, Japan time).
    pub checked_at: Option<String>,
}

/// How fresh the data is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Freshness {
    /// What the time is, to head it: 「最終取得日時」 for data fetched by a sync, 「入力日時」 for
    /// hand-entered data (typed in, not fetched).
    pub heading: &'static str,
    /// 最終取得日時 (the last successful sync) or 入力日時 (the latest hand entry), Japan time.
    pub label: String,
    /// Its age in words (e.g. 3日前).
    pub age: String,
}

/// [`Freshness::heading`] of the last sync's time.
pub const FETCHED_AT: &str = "最終取得日時";
/// [`Freshness::heading`] of the latest hand entry's time.
pub const ENTERED_AT: &str = "入力日時";

/// Everything the eligibility screen of one member shows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EligibilityScreen {
    /// The member's id.
    pub member_id: String,
    /// 氏名.
    pub name: String,
    /// 本人 or 家族.
    pub relationship: &'static str,
    /// The person section, then one section per record: those in force first, then those not
    /// started yet, then those that have ended (each group in the order entered).
    pub sections: Vec<ScreenSection>,
    /// The card check badge.
    pub card: CardBadge,
    /// 最終取得日時 and its age.
    pub freshness: Option<Freshness>,
    /// The fixed notice on how the screen may be used.
    pub fixed_notice: String,
    /// Warnings and notices, most urgent first.
    pub notices: Vec<Notice>,
}

/// The provenance state of a stored record, checked now.
pub fn provenance_state(
    record: &StoredRecord,
    trust: Option<&TrustList>,
    now: DateTime<Utc>,
) -> ProvenanceState {
    check_signature(record, trust, now).state
}

/// A stored record's signature as checked at one time: its [`ProvenanceState`] and, when the
/// signature verifies (the document in force or expired), what the screens and the situation
/// take from the signed document. A [`HouseholdSnapshot`] checks each record once
/// (`MemberRead::signatures`): an ECDSA verification is the costliest step of a signed
/// household's screens (docs/decisions/0013-store-performance.md, "Signed records").
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct SignatureCheck {
    /// What the badge says.
    pub state: ProvenanceState,
    /// The signed document's holder binding, when the signature verifies.
    pub binding: Option<[u8; 32]>,
    /// The signed document's end of validity, when the signature verifies.
    pub valid_until: Option<DateTime<Utc>>,
}

impl SignatureCheck {
    /// True when the signature verifies and the document is in force now.
    pub fn verified(&self) -> bool {
        self.state == ProvenanceState::Verified
    }
}

/// The signature of `record` checked at `now` against `trust`: the stored signed bytes verify
/// and equal the stored record ([`reverify_stored_record`]).
pub(super) fn check_signature(
    record: &StoredRecord,
    trust: Option<&TrustList>,
    now: DateTime<Utc>,
) -> SignatureCheck {
    let unverified = |state| SignatureCheck {
        state,
        binding: None,
        valid_until: None,
    };
    match (&record.provenance, trust) {
        (Provenance::HandEntered { .. }, _) => unverified(ProvenanceState::HandEntered),
        (Provenance::IssuerSigned { .. }, Some(t)) => {
            match reverify_stored_record(record, t, now) {
                Ok(v) => SignatureCheck {
                    state: if v.document.is_expired(now) {
                        ProvenanceState::SignedExpired
                    } else {
                        ProvenanceState::Verified
                    },
                    binding: v.document.holder_binding,
                    valid_until: Some(v.document.valid_until),
                },
                Err(_) => unverified(ProvenanceState::SignatureInvalid),
            }
        }
        (Provenance::IssuerSigned { .. }, None) => unverified(ProvenanceState::SignatureInvalid),
    }
}

/// A notice for each issuer-signed record whose signature verifies but whose document's own
/// validity has passed: the badge alone says "expired", the notice says since when and what to do.
fn signed_expired_notices(signatures: &[SignatureCheck]) -> Vec<Notice> {
    signatures
        .iter()
        .filter(|s| s.state == ProvenanceState::SignedExpired)
        .filter_map(|s| s.valid_until)
        .map(|valid_until| {
            let ended = crate::clock::japan_today(valid_until);
            Notice {
                code: NoticeCode::SignedDocumentExpired,
                severity: Severity::Warning,
                date: ended,
                message: super::text_ja::signed_document_expired(ended),
            }
        })
        .collect()
}

/// The eligibility screen of `member` at `now` (one read of the household, whose other members
/// give some notices; to build several screens, read a [`HouseholdSnapshot`] once).
pub fn member_screen(
    store: &Store,
    member: MemberId,
    now: DateTime<Utc>,
) -> Result<EligibilityScreen, StoreError> {
    HouseholdSnapshot::read(store, now)?.member_screen(member)
}

/// The screen of member `read`, from what was read of them: their records, the card `check`,
/// the last sync, the trust list, what the household decides about their records and the
/// notices they get because of another member.
pub(super) fn screen_for(
    read: &MemberRead,
    signatures: &[SignatureCheck],
    check: Option<&StoredCardCheck>,
    sync: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
) -> EligibilityScreen {
    let m = &read.member;
    let records = &read.records.records;
    let today = japan_today(now);
    let mut sections = vec![ScreenSection {
        // 本人 (被保険者) or 家族 (被扶養者): a dependent's screen is not headed ご本人.
        title: match m.data.relationship {
            Relationship::Insured => "本人（被保険者）".into(),
            Relationship::Dependent => "家族（被扶養者）".into(),
        },
        provenance: None,
        provenance_label: None,
        fields: vec![
            text_field("name", "氏名", m.data.name.clone()),
            text_field("kana", "氏名カナ", m.data.kana.clone()),
            date_field("birth_date", "生年月日", m.data.birth_date),
            text_field("sex", "性別", m.data.sex.label_ja()),
        ],
    }];
    // The record sections by rank (below), each group in the order entered.
    let mut ranked: [Vec<ScreenSection>; 3] = Default::default();
    let mut bindings = Vec::new();
    let mut latest_entry: Option<DateTime<Utc>> = None;
    let mut states = Vec::with_capacity(records.len());
    let mut in_force = Vec::with_capacity(records.len());
    // A card bound to a verifying signed record in force: a マイナ保険証, as `situation_for` says.
    let mut bound_card = false;
    debug_assert_eq!(records.len(), signatures.len());
    for (r, signature) in records.iter().zip(signatures) {
        let state = signature.state;
        states.push(state);
        if signature.verified() {
            bound_card |= signature.binding.is_some()
                && r.record.kind.needs_card()
                && record_in_force(&r.record, m.data.birth_date, &read.household, today);
            bindings.extend(signature.binding);
        }
        if let Provenance::HandEntered { entered_at } = &r.provenance {
            latest_entry = latest_entry.max(Some(*entered_at));
        }
        // The records in force first, then those not started yet, then those that have ended:
        // the document to show today heads the screen (and the household line), whatever the
        // order they were typed in — next year's 資格確認書 typed before this year's ends, or
        // this year's kept after next year's has started.
        // (Grouped rather than sorted: a stable sort of the sections would add ~3 KB of sort
        // code to the phone library.)
        let now_in_force = record_in_force(&r.record, m.data.birth_date, &read.household, today);
        in_force.push(now_in_force);
        let rank = if now_in_force {
            0
        } else if record_not_started(&r.record, today).is_some()
            && record_ended(&r.record, m.data.birth_date, &read.household, today).is_none()
        {
            1
        } else {
            2
        };
        ranked[rank].push(record_section(
            r,
            state,
            m.data.birth_date,
            &read.household,
            today,
        ));
    }
    // A 家族 whose insurance is 国保 or 後期高齢者医療 is no 被扶養者: those have none, each
    // member is a 被保険者 of their own (国民健康保険法 §5, 高齢者の医療の確保に関する法律 §50;
    // review of 2026-12-01: a spouse who joined 国保 was headed 家族（被扶養者）). 「被扶養者」 is
    // said only of a member with a 被用者保険 record in force, or one not lost, taken over or
    // ended with the 被保険者's (past its 有効期限 only, or to come: the status goes on without
    // its paper) while no 国保 or 後期 record is in force, or with no insurance record at all
    // (the member's own 家族, as typed); never from the 75th birthday (後期高齢者医療 by law).
    if m.data.relationship == Relationship::Dependent {
        let (mut any, mut employee_now, mut employee_kept, mut other_now) =
            (false, false, false, false);
        for (r, &now) in records.iter().zip(&in_force) {
            if !r.record.kind.is_insurance() {
                continue;
            }
            any = true;
            if !r.record.insurer_number.scheme().has_dependents() {
                other_now |= now;
                continue;
            }
            employee_now |= now;
            // Taken over also after it expired (review of 2026-12-01).
            employee_kept |= !read.household.taken_over_by(&r.record, today)
                && !matches!(
                    record_ended(&r.record, m.data.birth_date, &read.household, today),
                    Some(RecordEnded::Lost(_) | RecordEnded::DependentStatus(_))
                );
        }
        let dependent = employee_now || (employee_kept && !other_now);
        if (any && !dependent) || late_elderly_on(m.data.birth_date, today) {
            sections[0].title = "家族".into();
        }
    }
    for group in ranked {
        sections.extend(group);
    }
    let synced = if records
        .iter()
        .any(|r| matches!(r.provenance, Provenance::IssuerSigned { .. }))
    {
        sync
    } else {
        None
    };
    let (fresh_heading, fresh_at) = match synced {
        Some(t) => (FETCHED_AT, Some(t)),
        None => (ENTERED_AT, latest_entry),
    };
    let plain: Vec<EligibilityRecord> = records.iter().map(|r| r.record.clone()).collect();
    let card = card_badge(check, &bindings);
    // The notices speak of the マイナ保険証 as the guidance does: from the same situation (a card
    // bound to a verifying signed record counts), without verifying the records again.
    let myna_usable =
        with_bound_card(&m.data, &plain, check, &read.household, bound_card, today).myna_usable();
    // Usable at the clinic today: in force, and an お知らせ or 資格情報 screen only beside a card
    // that works as a マイナ保険証 (the guidance's rule, `COPY_NEEDS_WORKING_CARD`).
    let held: Vec<(&EligibilityRecord, ProvenanceState, bool)> = plain
        .iter()
        .zip(states.iter().copied())
        .zip(in_force.iter().copied())
        .map(|((r, state), in_force)| (r, state, in_force && (myna_usable || !r.kind.needs_card())))
        .collect();
    let mut notices = member_notices_in(
        &m.data,
        &plain,
        check.map(|c| &c.check),
        &read.household,
        myna_usable,
        today,
    );
    notices.extend(signed_expired_notices(signatures));
    notices.extend(read.from_household.iter().cloned());
    order_by_severity(&mut notices);
    EligibilityScreen {
        member_id: m.id.to_string(),
        name: m.data.name.clone(),
        relationship: m.data.relationship.label_ja(),
        sections,
        card,
        freshness: fresh_at.map(|t| Freshness {
            heading: fresh_heading,
            label: japan_time(t),
            age: age(t, now),
        }),
        fixed_notice: fixed_notice(&held),
        notices,
    }
}

/// What `member` holds at `now`, from the stored data ([`MemberSituation::in_household`]) and
/// what the rest of the household decides about their records (a 被扶養者 whose 被保険者 turned
/// 75, docs/rules.md §1.4): one read of the household ([`HouseholdSnapshot::member_situation`]).
pub fn member_situation(
    store: &Store,
    member: MemberId,
    now: DateTime<Utc>,
) -> Result<MemberSituation, StoreError> {
    HouseholdSnapshot::read(store, now)?.member_situation(member)
}

/// The situation of member `m`, from what was read of them: `stored` records, the card `check`,
/// the trust list and what the household decides (`household`). Adds what only the store knows:
/// this app's copy of an in-force お知らせ / マイナポータル record (issuer-signed when one verifies
/// now), and a card bound to a verifying signed record — such a member holds a マイナ保険証 even
/// when the card was never checked on this phone.
pub(super) fn situation_for(
    m: &Member,
    stored: &[StoredRecord],
    signatures: &[SignatureCheck],
    check: Option<&StoredCardCheck>,
    household: &HouseholdContext,
    now: DateTime<Utc>,
) -> MemberSituation {
    debug_assert_eq!(stored.len(), signatures.len());
    let today = japan_today(now);
    let in_force = |r: &StoredRecord| {
        r.record.kind.needs_card()
            && record_in_force(&r.record, m.data.birth_date, household, today)
    };
    let mut app_copy = None;
    let mut bound_card = false;
    for (_, signature) in stored.iter().zip(signatures).filter(|(r, _)| in_force(r)) {
        let verified = signature.verified();
        bound_card |= verified && signature.binding.is_some();
        app_copy = Some(if verified || app_copy == Some(AppCopy::IssuerSigned) {
            AppCopy::IssuerSigned
        } else {
            AppCopy::Unverified
        });
    }
    // A signed 資格確認書 in force that verifies: its screen's QR code can be read at the desk.
    let signed_certificate = stored.iter().zip(signatures).any(|(r, signature)| {
        r.record.kind == crate::eligibility::DocumentKind::Certificate
            && signature.verified()
            && record_in_force(&r.record, m.data.birth_date, household, today)
    });
    let records: Vec<EligibilityRecord> = stored.iter().map(|r| r.record.clone()).collect();
    let mut situation = with_bound_card(&m.data, &records, check, household, bound_card, today);
    situation.app_copy = app_copy;
    situation.signed_certificate = signed_certificate;
    situation
}

/// [`MemberSituation::in_household`] of `member`, with `bound_card`: a card bound to a verifying
/// signed record in force makes the member a マイナ保険証 holder even when the card was never
/// checked on this phone — unless they said they hold none.
fn with_bound_card(
    member: &MemberData,
    records: &[EligibilityRecord],
    check: Option<&StoredCardCheck>,
    household: &HouseholdContext,
    bound_card: bool,
    today: chrono::NaiveDate,
) -> MemberSituation {
    let mut situation =
        MemberSituation::in_household(member, records, household, check.map(|c| &c.check), today);
    if bound_card && member.myna_hoken != Some(false) {
        situation.has_card = true;
        situation.registered = true;
    }
    situation
}

/// What to present, for `member` at a clinic in `clinic`'s situation at `now`, from what the
/// member holds ([`member_situation`]).
pub fn member_guidance(
    store: &Store,
    member: MemberId,
    clinic: &ClinicSituation,
    now: DateTime<Utc>,
) -> Result<Guidance, StoreError> {
    let situation = member_situation(store, member, now)?;
    Ok(guidance(&situation, clinic, japan_today(now)))
}

/// Seed 001's switch checklist to the マイナ保険証, for `member` at `now`, from what the
/// member holds ([`member_situation`]).
pub fn member_checklist(
    store: &Store,
    member: MemberId,
    now: DateTime<Utc>,
) -> Result<SwitchChecklist, StoreError> {
    Ok(switch_checklist(&member_situation(store, member, now)?))
}
