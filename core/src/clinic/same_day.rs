//! A patient's earlier visit on the same day: a notice for the receptionist when recording, never
//! a refusal (a second visit the same day is legitimate: a 再診, another department, a result to
//! hear). The patient is found through the visit log's keyed patient index
//! ([`DeskStore::last_visit`]: 保険者番号, 記号, 番号 and 枝番, compared after width folding), so
//! one entry is decrypted and nothing of the patient's identity is on disk in plaintext. A 申立
//! that declared its 保険者番号 and 番号 is found too, and a 申立 being recorded gets the same
//! notice ([`DeskStore::same_day_visit_of_declaration`]).
//!
//! When the numbers find nothing — a 申立 without 保険者番号 or 番号 (the patient did not know
//! them), or numbers typed differently on the two visits — the day's entries are read (through
//! the keyed day index, decrypted in memory only) and a visit of the same 生年月日 and the same
//! 氏名 or 氏名カナ (compared by [`same_name`]: width, hiragana/katakana, 異体字, spaces) is
//! named instead, in words that say so ([`SameDayMatch::NameAndBirthDate`]).

use chrono::{DateTime, NaiveDate, Utc};

use super::EntryKind;
use super::verify::DeskVerification;
use super::{ClaimFields, ClinicError, Declaration, DeskStore};
use crate::clock::{japan_time, japan_today};
use crate::eligibility::InsurerNumber;
use crate::eligibility::names::same_name;

/// The patient's visit already in the log on the day of a new one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SameDayVisit {
    /// Its position in the log (記録番号).
    pub position: u64,
    /// When it was recorded.
    pub recorded_at: DateTime<Utc>,
    /// True for a verified presentation, false for a 申立.
    pub verified: bool,
    /// How it was found.
    pub matched_by: SameDayMatch,
}

/// How a [`SameDayVisit`] was found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SameDayMatch {
    /// By the same 保険者番号, 記号, 番号 and 枝番: the same patient.
    Numbers,
    /// By the same 生年月日 and 氏名 or 氏名カナ ([`same_name`]), the numbers having found
    /// nothing: most likely the same patient, for the receptionist to confirm.
    NameAndBirthDate,
    /// By the same 保険者番号, 記号, 番号 and 枝番, but with another 生年月日, or another 氏名
    /// and 氏名カナ: not a 再受診 — a mistyped 枝番, or someone else's numbers — for the
    /// receptionist to check before recording.
    NumbersOtherPerson,
}

impl SameDayVisit {
    /// The receptionist's notice: the patient already has a visit today, which entry and when;
    /// recording another is allowed. Found by name and birth date, it says so and asks to
    /// confirm it is the same person; found by the numbers with another person's 氏名 or
    /// 生年月日, it asks to check the numbers. No personal data.
    pub fn notice_ja(&self) -> String {
        let at = format!(
            "記録番号 {}、{} 受付{}",
            self.position,
            crate::clock::hour_minute(japan_time(self.recorded_at)),
            if self.verified { "" } else { "・申立" }
        );
        match self.matched_by {
            SameDayMatch::Numbers => format!(
                "この方は本日すでに受付の記録があります（{at}）。\
                 同じ日の再受診であれば、このまま記録して構いません。"
            ),
            SameDayMatch::NameAndBirthDate => format!(
                "同じ氏名（またはカナ）・生年月日の方の受付の記録が本日すでにあります（{at}）。\
                 同じ方かどうか確かめてください。同じ方の同じ日の再受診であれば、\
                 このまま記録して構いません。"
            ),
            SameDayMatch::NumbersOtherPerson => format!(
                "同じ保険者番号・記号・番号・枝番の受付の記録が本日すでにありますが、氏名または\
                 生年月日が違います（{at}）。枝番の打ち間違いや、別の方の番号でないか確かめて\
                 ください。"
            ),
        }
    }
}

/// Who a visit is for, as far as the name-and-birth-date look-up compares it.
struct Person<'a> {
    name: &'a str,
    kana: Option<&'a str>,
    birth_date: NaiveDate,
}

impl Person<'_> {
    /// The same 生年月日, and the same 氏名 or the same 氏名カナ ([`same_name`]: a name that
    /// folds to nothing matches nothing).
    fn is(&self, other: &Person<'_>) -> bool {
        self.birth_date == other.birth_date
            && (same_name(self.name, other.name)
                || matches!((self.kana, other.kana), (Some(a), Some(b)) if same_name(a, b)))
    }
}

fn person_of(kind: &EntryKind) -> Person<'_> {
    match kind {
        EntryKind::Verified(v) => {
            let c = v.claim();
            Person {
                name: &c.name,
                kana: Some(&c.kana),
                birth_date: c.birth_date,
            }
        }
        EntryKind::Declared(d) => Person {
            name: &d.name,
            kana: d.kana.as_deref(),
            birth_date: d.birth_date,
        },
    }
}

impl DeskStore {
    /// The last visit of the patient of `claim` (by 保険者番号, 記号, 番号 and 枝番) when it was
    /// recorded on `day` (in Japan); else a visit that day of the same 生年月日 and 氏名 or
    /// 氏名カナ (a 申立 made without the numbers, [`SameDayMatch::NameAndBirthDate`]); `None`
    /// when there is neither. A damaged entry found by the numbers is
    /// [`crate::store::StoreError::Corrupt`].
    pub fn same_day_visit(
        &self,
        claim: &ClaimFields,
        day: NaiveDate,
    ) -> Result<Option<SameDayVisit>, ClinicError> {
        let person = Person {
            name: &claim.name,
            kana: Some(&claim.kana),
            birth_date: claim.birth_date,
        };
        if let Some(found) = self.same_day_visit_by(
            &claim.insurer_number,
            claim.symbol.as_deref(),
            &claim.number,
            claim.branch.as_deref(),
            &person,
            day,
        )? {
            return Ok(Some(found));
        }
        self.same_day_visit_of_person(&person, day)
    }

    fn same_day_visit_by(
        &self,
        insurer_number: &InsurerNumber,
        symbol: Option<&str>,
        number: &str,
        branch: Option<&str>,
        person: &Person<'_>,
        day: NaiveDate,
    ) -> Result<Option<SameDayVisit>, ClinicError> {
        let last = self.last_visit(insurer_number, symbol, number, branch)?;
        Ok(last
            .filter(|e| e.visit_date() == day)
            .map(|e| SameDayVisit {
                position: e.position,
                recorded_at: e.recorded_at,
                verified: e.is_verified(),
                // The numbers are the patient's only when the person is too.
                matched_by: if person.is(&person_of(&e.kind)) {
                    SameDayMatch::Numbers
                } else {
                    SameDayMatch::NumbersOtherPerson
                },
            }))
    }

    /// The last visit on `day` of the same 生年月日 and 氏名 or 氏名カナ as `person` (the day's
    /// entries read through the keyed day index; damaged ones are skipped: the notice is a
    /// courtesy, and the day's list reports them).
    fn same_day_visit_of_person(
        &self,
        person: &Person<'_>,
        day: NaiveDate,
    ) -> Result<Option<SameDayVisit>, ClinicError> {
        let list = self.visits_on(day)?;
        Ok(list
            .entries
            .iter()
            .rev()
            .find(|e| person.is(&person_of(&e.kind)))
            .map(|e| SameDayVisit {
                position: e.position,
                recorded_at: e.recorded_at,
                verified: e.is_verified(),
                matched_by: SameDayMatch::NameAndBirthDate,
            }))
    }

    /// [`DeskStore::same_day_visit`] for the patient of a 申立 about to be recorded (`d`, from
    /// [`crate::clinic::DeclarationForm::validate_with_operator`]), on the day in Japan at
    /// `now`: the same notice as for a verified presentation. Ask it before
    /// [`DeskStore::declare`] (afterwards the 申立 itself is the patient's last visit). Found by
    /// the numbers when the 申立 declares its 保険者番号 and 番号 (the log's patient index needs
    /// both; 記号 and 枝番 as declared); else, or when they find nothing, by the same 生年月日
    /// and 氏名 or 氏名カナ ([`SameDayMatch::NameAndBirthDate`]).
    pub fn same_day_visit_of_declaration(
        &self,
        d: &Declaration,
        now: DateTime<Utc>,
    ) -> Result<Option<SameDayVisit>, ClinicError> {
        let day = japan_today(now);
        let person = Person {
            name: &d.name,
            kana: d.kana.as_deref(),
            birth_date: d.birth_date,
        };
        if let (Some(insurer), Some(number)) = (&d.insurer_number, &d.number)
            && let Some(found) = self.same_day_visit_by(
                insurer,
                d.symbol.as_deref(),
                number,
                d.branch.as_deref(),
                &person,
                day,
            )?
        {
            return Ok(Some(found));
        }
        self.same_day_visit_of_person(&person, day)
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
