//! The household store object and the free functions around it.

use std::path::Path;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use chrono::Utc;
use shikaku_core::card::{self as core_card, CardKind, CheckOptions, PinCounter};
use shikaku_core::document::VerifyingKey;
use shikaku_core::eligibility::names::NameMatch;
use shikaku_core::eligibility::{
    DocumentKind, ElderlyForm, LimitForm, Member, MemberForm, Provenance, RecordForm, Relationship,
    Sex, StoredRecord,
};
use shikaku_core::screen::{self, ClinicSituation, japan_today};
use shikaku_core::store::{Store, StoredCardCheck};
use shikaku_core::sync::http::ServerUrl;
use shikaku_core::sync::{SyncConfig, SyncSnapshot, commit, download, repin_root};

use crate::convert::{date, time};
use crate::error::{FieldProblem, ShikakuError, invalid};
use crate::platform::{
    CardTransport, CardTransportAdapter, HttpTransport, HttpTransportAdapter, KeyStore,
    KeyStoreAdapter,
};
use crate::screen::{EligibilityScreenView, GuidanceView, HouseholdOverviewView};

/// A member as entered, before validation.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct MemberInput {
    /// 氏名 in kanji as on the card, family and given name separated by a space.
    pub name: String,
    /// 氏名カナ (katakana; half-width is folded).
    pub kana: String,
    /// 生年月日, `YYYY-MM-DD`.
    pub birth_date: String,
    /// 性別.
    pub sex: Sex,
    /// 本人 or 家族.
    pub relationship: Relationship,
}

/// The 高齢受給者 block of a [`RecordInput`].
#[derive(Debug, Clone, Default, PartialEq, Eq, uniffi::Record)]
pub struct ElderlyInput {
    /// 負担割合 in percent: 10, 20 or 30.
    #[uniffi(default)]
    pub copay_percent: Option<u8>,
    /// 発効期日, `YYYY-MM-DD`.
    #[uniffi(default)]
    pub effective_from: Option<String>,
    /// 有効期限, `YYYY-MM-DD`.
    #[uniffi(default)]
    pub valid_until: Option<String>,
}

/// The 限度額適用 block of a [`RecordInput`].
#[derive(Debug, Clone, Default, PartialEq, Eq, uniffi::Record)]
pub struct LimitInput {
    /// 適用区分 as printed.
    pub category: String,
    /// 発効期日, `YYYY-MM-DD`.
    #[uniffi(default)]
    pub effective_from: Option<String>,
}

/// A record typed from a paper 資格確認書 or 資格情報のお知らせ, before validation (the
/// hand-entry format of docs/record-json.md).
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct RecordInput {
    /// Which document.
    pub kind: DocumentKind,
    /// 保険者番号 (6 or 8 digits; full-width accepted).
    pub insurer_number: String,
    /// 保険者名称.
    pub insurer_name: String,
    /// 記号, as printed.
    #[uniffi(default)]
    pub symbol: Option<String>,
    /// 番号, as printed.
    pub number: String,
    /// 枝番, 2 digits.
    #[uniffi(default)]
    pub branch: Option<String>,
    /// 本人 or 家族.
    pub relationship: Relationship,
    /// 被保険者氏名 (on a dependent's document).
    #[uniffi(default)]
    pub insured_name: Option<String>,
    /// 資格取得年月日, `YYYY-MM-DD`.
    #[uniffi(default)]
    pub acquired_on: Option<String>,
    /// 一部負担金割合 in percent (10, 20, 30); absent for 法定負担割合のとおり.
    #[uniffi(default)]
    pub copay_percent: Option<u8>,
    /// 有効開始年月日, `YYYY-MM-DD`.
    #[uniffi(default)]
    pub valid_from: Option<String>,
    /// 有効期限, `YYYY-MM-DD` (required for a 資格確認書).
    #[uniffi(default)]
    pub valid_until: Option<String>,
    /// 交付年月日, `YYYY-MM-DD`.
    #[uniffi(default)]
    pub issued_on: Option<String>,
    /// 高齢受給者 block.
    #[uniffi(default)]
    pub elderly: Option<ElderlyInput>,
    /// 限度額適用 block.
    #[uniffi(default)]
    pub limit: Option<LimitInput>,
    /// 未就学区分.
    #[uniffi(default)]
    pub preschool: bool,
}

/// A stored member.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct MemberInfo {
    /// Random stable id.
    pub id: String,
    /// Display order (0 first).
    pub order: u32,
    /// 氏名.
    pub name: String,
    /// 氏名カナ.
    pub kana: String,
    /// 生年月日, `YYYY-MM-DD`.
    pub birth_date: String,
    /// 性別.
    pub sex: Sex,
    /// 本人 or 家族.
    pub relationship: Relationship,
    /// True when the member came from a sync (the issuer knows them).
    pub from_issuer: bool,
}

/// A stored record, in short (the screen shows the whole of it).
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct RecordInfo {
    /// Random stable id.
    pub id: String,
    /// The member it belongs to.
    pub member_id: String,
    /// Which document.
    pub kind: DocumentKind,
    /// True when entered by hand (手入力・未検証); false when signed by an issuer.
    pub hand_entered: bool,
    /// 保険者名称.
    pub insurer_name: String,
    /// 有効期限, `YYYY-MM-DD`, if any.
    pub valid_until: Option<String>,
}

/// Options of [`Household::check_card`].
#[derive(Debug, Clone, Default, PartialEq, Eq, uniffi::Record)]
pub struct CardCheckOptions {
    /// Send the PIN even when only one try is left (the user consented).
    #[uniffi(default)]
    pub allow_last_attempt: bool,
    /// Also read the 基本4情報 with the same PIN and compare it with the member.
    #[uniffi(default)]
    pub read_basic_info: bool,
    /// Extra trust anchors (DER or PEM certificates), for test cards only. Empty in production:
    /// the embedded J-LIS roots are used.
    #[uniffi(default)]
    pub extra_anchors: Vec<Vec<u8>>,
}

/// A PIN retry counter as the card reports it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum PinState {
    /// This many tries are left (at least 1).
    Remaining {
        /// Tries left.
        tries: u8,
    },
    /// Already verified in this session (the counter is not reported).
    AlreadyVerified,
    /// Blocked: only the municipal office can reset it.
    Blocked,
}

impl From<PinCounter> for PinState {
    fn from(c: PinCounter) -> Self {
        match c {
            PinCounter::Remaining(tries) => PinState::Remaining { tries },
            PinCounter::AlreadyVerified => PinState::AlreadyVerified,
            PinCounter::Blocked => PinState::Blocked,
        }
    }
}

/// One field of the card's 基本4情報 compared with the member, both forms kept for display.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct FieldCompare {
    /// Equal, equal after folding, or different.
    pub outcome: NameMatch,
    /// The card's form.
    pub card: String,
    /// The stored member's form.
    pub stored: String,
}

/// The 基本4情報 comparison (the address is never compared or returned).
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct CardMatch {
    /// 氏名.
    pub name: FieldCompare,
    /// 生年月日.
    pub birth_date: FieldCompare,
    /// 性別.
    pub sex: FieldCompare,
    /// The weakest of the three.
    pub overall: NameMatch,
}

/// A successful card check, already stored for the member.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct CardCheckResult {
    /// Which kind of JPKI token answered.
    pub card_kind: CardKind,
    /// SHA-256 of the card's auth key (hex): the holder binding.
    pub key_fingerprint: String,
    /// The certificate's notAfter, RFC 3339.
    pub certificate_not_after: String,
    /// The auth PIN counter as read before the VERIFY.
    pub retries_before: PinState,
    /// When the check happened, RFC 3339.
    pub checked_at: String,
    /// The 基本4情報 comparison, when it was read.
    pub matched: Option<CardMatch>,
}

/// What the card tells without a PIN (no try is spent).
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct CardStatusInfo {
    /// Which kind of JPKI token answered.
    pub card_kind: CardKind,
    /// The 利用者証明用 PIN counter: show it before asking for the PIN.
    pub auth_pin: PinState,
    /// The 券面事項入力補助 PIN counter, when the card has that application.
    pub text_pin: Option<PinState>,
    /// The auth certificate's notAfter, RFC 3339.
    pub certificate_not_after: String,
    /// SHA-256 of the card's auth key (hex).
    pub key_fingerprint: String,
}

/// Where and how to sync.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct SyncSettings {
    /// The issuer's base URL (https).
    pub server_url: String,
    /// The pinned root key that signs the trust list (SEC1 encoded P-256 point).
    pub root_key: Vec<u8>,
    /// Send the PIN even when only one try is left (the user consented).
    #[uniffi(default)]
    pub allow_last_attempt: bool,
    /// Per-request timeout in milliseconds.
    #[uniffi(default = 30000)]
    pub timeout_ms: u32,
    /// Development only: allow plain `http://127.0.0.1` / `localhost`.
    #[uniffi(default)]
    pub allow_insecure_loopback: bool,
}

/// How a successful sync ended.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct SyncOutcome {
    /// True when the server answered "not modified".
    pub not_modified: bool,
    /// Documents stored (new or newer versions).
    pub written: u32,
    /// Documents already stored as they are.
    pub unchanged: u32,
    /// The trust list version in force.
    pub trust_list_version: u64,
    /// When it finished, RFC 3339.
    pub at: String,
}

/// What the last successful sync left.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct SyncStatus {
    /// The server it came from.
    pub server: Option<String>,
    /// When the last sync succeeded, RFC 3339.
    pub last_success: Option<String>,
    /// The household id the issuer gave.
    pub household_id: Option<String>,
}

impl From<MemberInput> for MemberForm {
    fn from(m: MemberInput) -> Self {
        MemberForm {
            name: m.name,
            kana: m.kana,
            birth_date: m.birth_date,
            sex: m.sex,
            relationship: m.relationship,
        }
    }
}

impl From<RecordInput> for RecordForm {
    fn from(r: RecordInput) -> Self {
        RecordForm {
            kind: r.kind,
            insurer_number: r.insurer_number,
            insurer_name: r.insurer_name,
            symbol: r.symbol,
            number: r.number,
            branch: r.branch,
            relationship: r.relationship,
            insured_name: r.insured_name,
            acquired_on: r.acquired_on,
            copay_percent: r.copay_percent,
            valid_from: r.valid_from,
            valid_until: r.valid_until,
            issued_on: r.issued_on,
            elderly: r.elderly.map(|e| ElderlyForm {
                copay_percent: e.copay_percent,
                effective_from: e.effective_from,
                valid_until: e.valid_until,
            }),
            limit: r.limit.map(|l| LimitForm {
                category: l.category,
                effective_from: l.effective_from,
            }),
            preschool: r.preschool,
        }
    }
}

fn member_info(m: Member) -> MemberInfo {
    MemberInfo {
        id: m.id.to_string(),
        order: m.order,
        name: m.data.name,
        kana: m.data.kana,
        birth_date: date(m.data.birth_date),
        sex: m.data.sex,
        relationship: m.data.relationship,
        from_issuer: m.issuer_ref.is_some(),
    }
}

fn record_info(r: StoredRecord) -> RecordInfo {
    RecordInfo {
        id: r.id.to_string(),
        member_id: r.member.to_string(),
        kind: r.record.kind,
        hand_entered: matches!(r.provenance, Provenance::HandEntered { .. }),
        insurer_name: r.record.insurer_name,
        valid_until: r.record.valid_until.map(date),
    }
}

fn root_key_from(sec1: &[u8]) -> Result<VerifyingKey, ShikakuError> {
    VerifyingKey::from_sec1_bytes(sec1).map_err(|_| {
        invalid(
            "root_key",
            "ルート鍵",
            "is not a SEC1-encoded P-256 public key",
        )
    })
}

fn problems(r: Result<(), ShikakuError>) -> Vec<FieldProblem> {
    match r {
        Err(ShikakuError::InvalidInput { problems, .. }) => problems,
        _ => Vec::new(),
    }
}

fn today() -> chrono::NaiveDate {
    // The core's one "today": the calendar day in Japan.
    japan_today(Utc::now())
}

/// Validates a member form as of today (Japan) without storing it. Empty = valid.
#[uniffi::export]
pub fn validate_member(input: MemberInput) -> Vec<FieldProblem> {
    problems(
        MemberForm::from(input)
            .validate(today())
            .map(drop)
            .map_err(Into::into),
    )
}

/// Validates a record form as of today (Japan) without storing it. Empty = valid.
#[uniffi::export]
pub fn validate_record(input: RecordInput) -> Vec<FieldProblem> {
    problems(
        RecordForm::from(input)
            .validate(today())
            .map(drop)
            .map_err(Into::into),
    )
}

/// Reads what the card tells without a PIN: the retry counters (show them before asking for
/// the PIN), the card kind and the certificate's expiry. No try is spent.
#[uniffi::export]
pub fn card_status(transport: Arc<dyn CardTransport>) -> Result<CardStatusInfo, ShikakuError> {
    let s = core_card::card_status(&CardTransportAdapter(transport))?;
    Ok(CardStatusInfo {
        card_kind: s.card_kind,
        auth_pin: s.auth_pin.into(),
        text_pin: s.text_pin.map(Into::into),
        certificate_not_after: time(s.certificate.not_after),
        key_fingerprint: s.certificate.key_fingerprint.to_hex(),
    })
}

/// Removes the store's files without opening it: the clean reset offered when the key is
/// lost (`ShikakuError::Key` with `wrong_key`). Missing files are not an error.
#[uniffi::export]
pub fn destroy_store(path: String) -> Result<(), ShikakuError> {
    Ok(Store::destroy(Path::new(&path))?)
}

/// The household's encrypted store. Thread-safe: calls are serialised on one SQLite
/// connection; make them from a background thread (card and network calls block).
#[derive(uniffi::Object)]
pub struct Household {
    store: Mutex<Store>,
    /// Serialises syncs (a sync holds `store` only for its snapshot and its commit).
    sync_lock: Mutex<()>,
}

impl Household {
    fn store(&self) -> MutexGuard<'_, Store> {
        // A panic inside a call cannot leave a half-written store (every write is one
        // transaction), so a poisoned lock is safe to take over.
        self.store.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

#[uniffi::export]
impl Household {
    /// Opens the store at `path`, creating it (with a new data key wrapped by `key_store`) if
    /// the file does not exist. A wrong or lost key is `ShikakuError::Key` and changes nothing.
    #[uniffi::constructor]
    pub fn open(path: String, key_store: Arc<dyn KeyStore>) -> Result<Arc<Self>, ShikakuError> {
        let store = Store::open(Path::new(&path), &KeyStoreAdapter(key_store))?;
        Ok(Arc::new(Household {
            store: Mutex::new(store),
            sync_lock: Mutex::new(()),
        }))
    }

    /// Wraps the same data key with another key store (e.g. a new platform key).
    pub fn rewrap(&self, key_store: Arc<dyn KeyStore>) -> Result<(), ShikakuError> {
        Ok(self.store().rewrap(&KeyStoreAdapter(key_store))?)
    }

    /// The members in display order (damaged rows are counted in `overview`).
    pub fn members(&self) -> Result<Vec<MemberInfo>, ShikakuError> {
        Ok(self
            .store()
            .household()?
            .members
            .into_iter()
            .map(member_info)
            .collect())
    }

    /// Validates and adds a member at the end of the household; returns the new id.
    pub fn add_member(&self, input: MemberInput) -> Result<String, ShikakuError> {
        let data = MemberForm::from(input).validate(today())?;
        Ok(self.store().add_member(&data)?.to_string())
    }

    /// Validates and replaces a member's data.
    pub fn update_member(&self, member_id: String, input: MemberInput) -> Result<(), ShikakuError> {
        let id = crate::convert::member_id(&member_id)?;
        let data = MemberForm::from(input).validate(today())?;
        Ok(self.store().update_member(id, &data)?)
    }

    /// Removes a member and all of their records.
    pub fn remove_member(&self, member_id: String) -> Result<(), ShikakuError> {
        let id = crate::convert::member_id(&member_id)?;
        Ok(self.store().remove_member(id)?)
    }

    /// A member's records, oldest first.
    pub fn records(&self, member_id: String) -> Result<Vec<RecordInfo>, ShikakuError> {
        let id = crate::convert::member_id(&member_id)?;
        Ok(self
            .store()
            .records(id)?
            .records
            .into_iter()
            .map(record_info)
            .collect())
    }

    /// Validates a hand-entered record and stores it for the member (always shown as
    /// 手入力・未検証); returns the new record id.
    pub fn add_record(
        &self,
        member_id: String,
        input: RecordInput,
    ) -> Result<String, ShikakuError> {
        let id = crate::convert::member_id(&member_id)?;
        let form = RecordForm::from(input);
        Ok(self
            .store()
            .enter_record(id, &form, Utc::now())?
            .to_string())
    }

    /// Like [`Household::add_record`], from the hand-entry JSON (docs/record-json.md).
    pub fn add_record_json(&self, member_id: String, json: String) -> Result<String, ShikakuError> {
        let id = crate::convert::member_id(&member_id)?;
        let form = RecordForm::from_json(&json).map_err(|e| {
            invalid(
                "json",
                "入力データ",
                &format!("not valid hand-entry JSON ({e})"),
            )
        })?;
        Ok(self
            .store()
            .enter_record(id, &form, Utc::now())?
            .to_string())
    }

    /// Validates and replaces a record with a hand-entered one.
    pub fn replace_record(
        &self,
        record_id: String,
        input: RecordInput,
    ) -> Result<(), ShikakuError> {
        let id = crate::convert::record_id(&record_id)?;
        let form = RecordForm::from(input);
        Ok(self.store().reenter_record(id, &form, Utc::now())?)
    }

    /// Removes a record.
    pub fn remove_record(&self, record_id: String) -> Result<(), ShikakuError> {
        let id = crate::convert::record_id(&record_id)?;
        Ok(self.store().remove_record(id)?)
    }

    /// Checks the member's My Number Card (certificate chain, PIN, a fresh signature;
    /// optionally the 基本4情報) and stores the result for the member.
    ///
    /// The PIN guard is the core's: the counter is read first; with one try left nothing is
    /// sent unless `options.allow_last_attempt` (`ShikakuError::LastAttemptNeedsConsent`);
    /// a VERIFY is never resent. The store is not locked while the card is read.
    pub fn check_card(
        &self,
        member_id: String,
        transport: Arc<dyn CardTransport>,
        pin: String,
        options: CardCheckOptions,
    ) -> Result<CardCheckResult, ShikakuError> {
        let id = crate::convert::member_id(&member_id)?;
        // The member must exist before a PIN try is spent.
        let member = self.store().member(id)?;
        let check = core_card::check_card(
            &CardTransportAdapter(transport),
            &pin,
            CheckOptions {
                allow_last_attempt: options.allow_last_attempt,
                read_basic_info: options.read_basic_info,
                extra_anchors: options.extra_anchors,
                trust_store: None,
            },
            Utc::now(),
        )?;
        // The comparison and what is kept (no address) are core's: the same as the CLI.
        let StoredCardCheck { check, matched, .. } = {
            let stored = StoredCardCheck::for_member(&member, check);
            self.store().put_card_check(&stored)?;
            stored
        };
        let compare = |f: core_card::FieldComparison| FieldCompare {
            outcome: f.outcome,
            card: f.card,
            stored: f.stored,
        };
        Ok(CardCheckResult {
            card_kind: check.card_kind,
            key_fingerprint: check.key_fingerprint.to_hex(),
            certificate_not_after: time(check.certificate_not_after),
            retries_before: check.retries_left.into(),
            checked_at: time(check.checked_at),
            matched: matched.map(|m| {
                let overall = m.overall();
                CardMatch {
                    name: compare(m.name),
                    birth_date: compare(m.birth_date),
                    sex: compare(m.sex),
                    overall,
                }
            }),
        })
    }

    /// Downloads the household's signed documents: trust list, card login (PIN guard as in
    /// `check_card`), documents; every document is verified before any is stored, all in one
    /// transaction. On any error the store is unchanged.
    pub fn sync(
        &self,
        http: Arc<dyn HttpTransport>,
        card: Arc<dyn CardTransport>,
        pin: String,
        settings: SyncSettings,
    ) -> Result<SyncOutcome, ShikakuError> {
        let server = ServerUrl::parse(&settings.server_url, settings.allow_insecure_loopback)?;
        let root = root_key_from(&settings.root_key)?;
        let config = SyncConfig {
            server,
            root: Some(root),
            allow_last_attempt: settings.allow_last_attempt,
            timeout_ms: settings.timeout_ms,
        };
        // One sync at a time; the store itself is held only for the snapshot and the commit,
        // so screens stay responsive while the network and the card are slow.
        let _one_sync = self.sync_lock.lock().unwrap_or_else(PoisonError::into_inner);
        let snapshot = SyncSnapshot::take(&self.store())?;
        let downloaded = download(
            &snapshot,
            &HttpTransportAdapter(http),
            &CardTransportAdapter(card),
            &pin,
            &config,
            Utc::now(),
            &mut |_| {},
        )?;
        let report = commit(&mut self.store(), downloaded, &mut |_| {})?;
        Ok(SyncOutcome {
            not_modified: report.not_modified,
            written: u32::try_from(report.written).unwrap_or(u32::MAX),
            unchanged: u32::try_from(report.unchanged).unwrap_or(u32::MAX),
            trust_list_version: report.trust_list_version,
            at: time(report.at),
        })
    }

    /// Pins another trust-list root: the explicit step a sync never takes by itself (a sync
    /// with a root other than the pinned one fails with `ShikakuError::RootChanged`). The
    /// stored trust list is dropped; until the next sync no signed record shows as verified.
    pub fn repin_root(&self, root_key: Vec<u8>) -> Result<(), ShikakuError> {
        let root = root_key_from(&root_key)?;
        let _one_sync = self.sync_lock.lock().unwrap_or_else(PoisonError::into_inner);
        Ok(repin_root(&mut self.store(), &root)?)
    }

    /// What the last successful sync left.
    pub fn sync_status(&self) -> Result<SyncStatus, ShikakuError> {
        let s = self.store().sync_state()?;
        Ok(SyncStatus {
            server: s.server,
            last_success: s.last_success.map(time),
            household_id: s.household_id,
        })
    }

    /// The eligibility screen of a member, now.
    pub fn screen(&self, member_id: String) -> Result<EligibilityScreenView, ShikakuError> {
        let id = crate::convert::member_id(&member_id)?;
        Ok(screen::member_screen(&self.store(), id, Utc::now())?.into())
    }

    /// The household overview, now.
    pub fn overview(&self) -> Result<HouseholdOverviewView, ShikakuError> {
        Ok(screen::household_overview(&self.store(), Utc::now())?.into())
    }

    /// What the member should present at a clinic in the given situation, best first.
    pub fn guidance(
        &self,
        member_id: String,
        clinic: ClinicSituation,
    ) -> Result<GuidanceView, ShikakuError> {
        let id = crate::convert::member_id(&member_id)?;
        Ok(screen::member_guidance(&self.store(), id, &clinic, Utc::now())?.into())
    }

    /// The QR payload (`SK1:` + Base45(zlib(signed document))) of an issuer-signed record,
    /// for a clinic device to verify offline. Hand-entered records have none.
    pub fn qr_payload(&self, record_id: String) -> Result<String, ShikakuError> {
        let id = crate::convert::record_id(&record_id)?;
        self.store().qr_payload(id)?.ok_or_else(|| {
            invalid(
                "record_id",
                "記録",
                "a hand-entered record has no signed form to show as a QR code",
            )
        })
    }
}
