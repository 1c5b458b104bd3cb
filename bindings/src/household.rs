//! The household store object: opening it, its members and records (hand entry), and the QR
//! payload of a signed record. Card checks, sync and screens are further `impl Household`
//! blocks in `card.rs`, `sync.rs` and `screen.rs`.

use std::path::Path;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use chrono::Utc;
use shikaku_core::eligibility::{
    DocumentKind, Member, MemberForm, Provenance, RecordForm, Relationship, Sex, StoredRecord,
};
use shikaku_core::store::Store;

use crate::convert::date;
use crate::error::{ShikakuError, invalid};
use crate::inputs::{MemberInput, RecordInput, today};
use crate::platform::{KeyStore, KeyStoreAdapter};

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
    pub(crate) sync_lock: Mutex<()>,
}

impl Household {
    pub(crate) fn store(&self) -> MutexGuard<'_, Store> {
        // The shipped library aborts on a panic (ADR 0014), so a poisoned lock is met only in
        // the unwinding builds (tests, host bindings). There a panic inside a call cannot have
        // left a half-written store (every write is one transaction): safe to take over.
        self.store.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

#[uniffi::export]
impl Household {
    /// Opens the store at `path`, creating it (with a new data key wrapped by `key_store`) if
    /// the file does not exist. A wrong or lost key is `ShikakuError::Key` and changes nothing.
    /// The household holds its file alone until it is closed (or dropped): open one per app
    /// session and share it (the sync and the card checks go through it). A second open of
    /// the same file waits up to 5 seconds and then fails with `ShikakuError::Store` ("in use
    /// by another session"). On iOS keep `path` in the app's own container, never an App Group
    /// container: iOS ends a process suspended while holding a lock on a shared file.
    #[uniffi::constructor]
    pub fn open(path: String, key_store: Arc<dyn KeyStore>) -> Result<Arc<Self>, ShikakuError> {
        let store = Store::open(Path::new(&path), &KeyStoreAdapter(key_store))?;
        Ok(Arc::new(Household {
            store: Mutex::new(store),
            sync_lock: Mutex::new(()),
        }))
    }

    /// Moves the store to another key store (e.g. a new platform key): a new data key, wrapped
    /// by `key_store`, every row sealed again under it in one transaction, so a copy of the
    /// store from before cannot open what is written after, even with the old key.
    pub fn rewrap(&self, key_store: Arc<dyn KeyStore>) -> Result<(), ShikakuError> {
        Ok(self.store().rekey(&KeyStoreAdapter(key_store))?)
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

    /// Validates and replaces a member's data, keeping their records; a change of 生年月日 that
    /// a stored record no longer fits (a 後期 record, a 高齢受給者 block) is refused.
    pub fn update_member(&self, member_id: String, input: MemberInput) -> Result<(), ShikakuError> {
        let id = crate::convert::member_id(&member_id)?;
        Ok(self
            .store()
            .change_member(id, &MemberForm::from(input), Utc::now())?)
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
