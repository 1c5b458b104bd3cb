//! A patient's earlier visit on the same day: a notice for the receptionist when recording, never
//! a refusal (a second visit the same day is legitimate: a 再診, another department, a result to
//! hear). The patient is found through the visit log's keyed patient index
//! ([`DeskStore::last_visit`]: 保険者番号, 記号, 番号 and 枝番, compared after width folding), so
//! one entry is decrypted and nothing of the patient's identity is on disk in plaintext. A 申立
//! that declared its 保険者番号 and 番号 is found too, and a 申立 being recorded gets the same
//! notice ([`DeskStore::same_day_visit_of_declaration`]).

use chrono::{DateTime, NaiveDate, Utc};

use super::verify::DeskVerification;
use super::{ClaimFields, ClinicError, Declaration, DeskStore};
use crate::clock::{japan_time, japan_today};
use crate::eligibility::InsurerNumber;

/// The patient's visit already in the log on the day of a new one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SameDayVisit {
    /// Its position in the log (記録番号).
    pub position: u64,
    /// When it was recorded.
    pub recorded_at: DateTime<Utc>,
    /// True for a verified presentation, false for a 申立.
    pub verified: bool,
}

impl SameDayVisit {
    /// The receptionist's notice: the patient already has a visit today, which entry and when;
    /// recording another is allowed. No personal data.
    pub fn notice_ja(&self) -> String {
        format!(
            "この方は本日すでに受付の記録があります（記録番号 {}、{} 受付{}）。\
             同じ日の再受診であれば、このまま記録して構いません。",
            self.position,
            japan_time(self.recorded_at).format("%H:%M"),
            if self.verified { "" } else { "・申立" }
        )
    }
}

impl DeskStore {
    /// The last visit of the patient of `claim` (by 保険者番号, 記号, 番号 and 枝番) when it was
    /// recorded on `day` (in Japan); `None` when the patient has no visit that day. A damaged
    /// entry is [`crate::store::StoreError::Corrupt`].
    pub fn same_day_visit(
        &self,
        claim: &ClaimFields,
        day: NaiveDate,
    ) -> Result<Option<SameDayVisit>, ClinicError> {
        self.same_day_visit_by(
            &claim.insurer_number,
            claim.symbol.as_deref(),
            &claim.number,
            claim.branch.as_deref(),
            day,
        )
    }

    fn same_day_visit_by(
        &self,
        insurer_number: &InsurerNumber,
        symbol: Option<&str>,
        number: &str,
        branch: Option<&str>,
        day: NaiveDate,
    ) -> Result<Option<SameDayVisit>, ClinicError> {
        let last = self.last_visit(insurer_number, symbol, number, branch)?;
        Ok(last
            .filter(|e| e.visit_date() == day)
            .map(|e| SameDayVisit {
                position: e.position,
                recorded_at: e.recorded_at,
                verified: e.is_verified(),
            }))
    }

    /// [`DeskStore::same_day_visit`] for the patient of a 申立 about to be recorded (`d`, from
    /// [`crate::clinic::DeclarationForm::validate_with_operator`]), on the day in Japan at
    /// `now`: the same notice as for a verified presentation. Ask it before
    /// [`DeskStore::declare`] (afterwards the 申立 itself is the patient's last visit). Found
    /// only when the 申立 declares its 保険者番号 and 番号 (the log's patient index needs both;
    /// 記号 and 枝番 as declared); `None` otherwise.
    pub fn same_day_visit_of_declaration(
        &self,
        d: &Declaration,
        now: DateTime<Utc>,
    ) -> Result<Option<SameDayVisit>, ClinicError> {
        match (&d.insurer_number, &d.number) {
            (Some(insurer), Some(number)) => self.same_day_visit_by(
                insurer,
                d.symbol.as_deref(),
                number,
                d.branch.as_deref(),
                japan_today(now),
            ),
            _ => Ok(None),
        }
    }

    /// [`DeskStore::same_day_visit`] for the patient of the verification `v`, on the day in
    /// Japan at `now`: what to tell the receptionist before and after recording it. `None`
    /// when the document is not authentic (nothing of it can be recorded or looked up).
    pub fn same_day_visit_of(
        &self,
        v: &DeskVerification,
        now: DateTime<Utc>,
    ) -> Result<Option<SameDayVisit>, ClinicError> {
        match v.claim() {
            Some(claim) => self.same_day_visit(&claim, japan_today(now)),
            None => Ok(None),
        }
    }
}
