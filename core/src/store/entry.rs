//! Hand entry: a record typed from a paper 資格確認書 or 資格情報のお知らせ is validated as of the
//! day in Japan and stored as [`Provenance::HandEntered`], so that it is always shown as
//! 手入力・未検証. The CLI, the demo and the apps call these and decide nothing themselves.

use chrono::{DateTime, Utc};

use super::{Store, StoreError};
use crate::clock::japan_today;
use crate::eligibility::{
    MemberForm, MemberId, Provenance, RecordForm, RecordId, ValidationError,
    check_corrected_record_for_member, check_record_for_member, check_records_for_changed_member,
};

/// Why a hand entry was not stored. The store is unchanged after either.
#[derive(Debug, thiserror::Error)]
pub enum EntryError {
    /// The typed record breaks the model's rules; every failing field is named, no values.
    #[error(transparent)]
    Invalid(#[from] ValidationError),
    /// The store failed, or the member or record does not exist.
    #[error(transparent)]
    Store(#[from] StoreError),
}

fn hand_entered(now: DateTime<Utc>) -> Provenance {
    Provenance::HandEntered { entered_at: now }
}

impl Store {
    /// Validates a hand-typed record (as of the day in Japan at `now`), on its own and against
    /// the member ([`check_record_for_member`]: 本人/家族, 後期 age, 高齢受給者 years), and stores
    /// it for `member`, marked hand-entered. Returns the new record's id.
    pub fn enter_record(
        &mut self,
        member: MemberId,
        form: &RecordForm,
        now: DateTime<Utc>,
    ) -> Result<RecordId, EntryError> {
        let today = japan_today(now);
        let record = form.validate(today)?;
        check_record_for_member(&self.member(member)?.data, &record, today)?;
        Ok(self.put_record(member, &record, &hand_entered(now))?)
    }

    /// Validates a member's changed data (as of the day in Japan at `now`) and puts it in place
    /// of the member's, keeping their id, order and records. The records are checked again
    /// against the new data where they depend on the age ([`check_records_for_changed_member`]:
    /// 後期 age and dates, 高齢受給者 years, told as the 生年月日's problem); not for 本人・家族,
    /// which a member changes when their own status changed (a job of their own), keeping the
    /// records of before as history.
    pub fn change_member(
        &mut self,
        id: MemberId,
        form: &MemberForm,
        now: DateTime<Utc>,
    ) -> Result<(), EntryError> {
        let today = japan_today(now);
        let data = form.validate(today)?;
        self.member(id)?;
        let records = self.records(id)?;
        check_records_for_changed_member(&data, records.records.iter().map(|r| &r.record), today)?;
        Ok(self.update_member(id, &data)?)
    }

    /// Validates a hand-typed record, on its own and against the record's member
    /// ([`check_corrected_record_for_member`]: not its 本人・家族の別 when it corrects a record
    /// kept from before a change of it), and puts it in place of the record `id` (whatever that record's provenance
    /// was), marked hand-entered. An issuer-signed record so corrected (its 資格喪失日 typed in)
    /// is shown as 手入力・未検証 from then on and loses its signed presentation, so no QR code
    /// is offered for it; a later sync matches only issuer-signed records, so it stores the
    /// issuer's document again as a record of its own beside it (docs/record-json.md).
    pub fn reenter_record(
        &mut self,
        id: RecordId,
        form: &RecordForm,
        now: DateTime<Utc>,
    ) -> Result<(), EntryError> {
        let today = japan_today(now);
        let record = form.validate(today)?;
        let before = self.record(id)?;
        check_corrected_record_for_member(
            &self.member(before.member)?.data,
            &record,
            &before.record,
            today,
        )?;
        Ok(self.replace_record(id, &record, &hand_entered(now))?)
    }
}
