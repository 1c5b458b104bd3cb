//! The `members` table: its sealed payload, the household reads and the member writes.

use rusqlite::types::{Type, ValueRef};
use rusqlite::{OptionalExtension, params};
use serde::{Deserialize, Serialize};
use zeroize::Zeroizing;

use super::crypto::Slot;
use super::error::sealing_failed;
use super::manifest::plain_ok;
use super::{Batch, RowRef, Store, StoreError};
use crate::eligibility::{Member, MemberData, MemberId, Relationship, Sex};

/// The household as stored: members in display order, and any rows that failed to open.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Household {
    /// Members that read correctly, in display order.
    pub members: Vec<Member>,
    /// Member rows that are damaged (each reported on its own).
    pub corrupt: Vec<RowRef>,
}

/// The sealed payload of a `members` row.
#[derive(Serialize, Deserialize)]
struct MemberPayload {
    name: String,
    kana: String,
    #[serde(deserialize_with = "crate::clock::serde_text::date")]
    birth_date: chrono::NaiveDate,
    sex: Sex,
    relationship: Relationship,
    /// The issuer's id for this person, for members that came from a sync.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    issuer_ref: Option<String>,
    /// Whether the member said they hold a マイナ保険証 (absent in rows written before).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    myna_hoken: Option<bool>,
    /// The My Number Card's printed 有効期限 (absent in rows written before).
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::clock::serde_text::option_date"
    )]
    card_expires_on: Option<chrono::NaiveDate>,
}

impl Store {
    /// Adds a member at the end of the household and returns its new id.
    pub fn add_member(&mut self, data: &MemberData) -> Result<MemberId, StoreError> {
        self.write(|b| b.add_member(data))
    }

    /// Replaces a member's data (keeps id and order).
    pub fn update_member(&mut self, id: MemberId, data: &MemberData) -> Result<(), StoreError> {
        self.write(|b| b.update_member(id, data))
    }

    /// Removes a member and all of their records.
    pub fn remove_member(&mut self, id: MemberId) -> Result<(), StoreError> {
        self.write(|b| b.remove_member(id))
    }

    /// All members in display order; damaged rows are listed apart, never hiding the others.
    pub fn household(&self) -> Result<Household, StoreError> {
        self.refresh()?;
        let mut stmt = self
            .conn
            .prepare_cached("SELECT id, ordinal, data FROM members ORDER BY ordinal, rowid")?;
        let mut rows = stmt.query([])?;
        let mut household = Household {
            members: Vec::new(),
            corrupt: Vec::new(),
        };
        // The id and the sealed value are borrowed from the row, not copied.
        while let Some(r) = rows.next()? {
            let wrong = |i, ty, e| rusqlite::Error::FromSqlConversionFailure(i, ty, Box::new(e));
            let id = r
                .get_ref(0)?
                .as_str()
                .map_err(|e| wrong(0, Type::Text, e))?;
            let ord: i64 = r.get(1)?;
            let data = r
                .get_ref(2)?
                .as_blob()
                .map_err(|e| wrong(2, Type::Blob, e))?;
            match self.decode_member(id, ord, data) {
                Ok(m) => household.members.push(m),
                Err(row) => household.corrupt.push(row),
            }
        }
        Ok(household)
    }

    /// One member.
    pub fn member(&self, id: MemberId) -> Result<Member, StoreError> {
        self.refresh()?;
        let key = id.to_string();
        let row = self
            .conn
            .prepare_cached("SELECT ordinal, data FROM members WHERE id = ?1")?
            .query_row([&key], |r| {
                Ok((r.get::<_, i64>(0)?, r.get::<_, Vec<u8>>(1)?))
            })
            .optional()?
            .ok_or(StoreError::NotFound { what: "member" })?;
        self.decode_member(&key, row.0, &row.1)
            .map_err(|row| StoreError::Corrupt { row })
    }

    fn decode_member(&self, id: &str, ord: i64, sealed: &[u8]) -> Result<Member, RowRef> {
        let bad = || RowRef {
            table: "members",
            id: id.to_string(),
        };
        let slot = Slot {
            table: "members",
            row: id,
            column: "data",
        };
        let plain = self.keys.open(slot, sealed).ok_or_else(bad)?;
        let p: MemberPayload = serde_json::from_slice(&plain).map_err(|_| bad())?;
        // The display order is the one plain column: it must be the listed one.
        if !plain_ok(&self.keys, "members", id, "ordinal", ValueRef::Integer(ord)) {
            return Err(bad());
        }
        Ok(Member {
            id: id.parse().map_err(|_| bad())?,
            order: u32::try_from(ord).map_err(|_| bad())?,
            issuer_ref: p.issuer_ref,
            data: MemberData {
                name: p.name,
                kana: p.kana,
                birth_date: p.birth_date,
                sex: p.sex,
                relationship: p.relationship,
                myna_hoken: p.myna_hoken,
                card_expires_on: p.card_expires_on,
            },
        })
    }

    /// The member the issuer knows as `issuer_ref`, if any.
    pub fn member_by_issuer_ref(&self, issuer_ref: &str) -> Result<Option<Member>, StoreError> {
        let hh = self.household()?;
        Ok(hh
            .members
            .into_iter()
            .find(|m| m.issuer_ref.as_deref() == Some(issuer_ref)))
    }
}

impl Batch<'_> {
    fn seal_member(
        &self,
        id: &str,
        data: &MemberData,
        issuer_ref: Option<&str>,
    ) -> Result<Vec<u8>, StoreError> {
        let payload = Zeroizing::new(
            serde_json::to_vec(&MemberPayload {
                name: data.name.clone(),
                kana: data.kana.clone(),
                birth_date: data.birth_date,
                sex: data.sex,
                relationship: data.relationship,
                issuer_ref: issuer_ref.map(str::to_string),
                myna_hoken: data.myna_hoken,
                card_expires_on: data.card_expires_on,
            })
            .map_err(|_| sealing_failed())?,
        );
        let slot = Slot {
            table: "members",
            row: id,
            column: "data",
        };
        self.keys.seal(slot, &payload).ok_or_else(sealing_failed)
    }

    /// Adds a member at the end of the household.
    pub fn add_member(&mut self, data: &MemberData) -> Result<MemberId, StoreError> {
        self.add_member_with_ref(data, None)
    }

    /// Adds a member that the issuer knows as `issuer_ref` (see [`Store::member_by_issuer_ref`]).
    pub fn add_member_with_ref(
        &mut self,
        data: &MemberData,
        issuer_ref: Option<&str>,
    ) -> Result<MemberId, StoreError> {
        let id = MemberId::random();
        let key = id.to_string();
        let sealed = self.seal_member(&key, data, issuer_ref)?;
        let ordinal: i64 = self.tx.query_row(
            "SELECT coalesce(max(ordinal) + 1, 0) FROM members",
            [],
            |r| r.get(0),
        )?;
        self.tx.execute(
            "INSERT INTO members (id, ordinal, data) VALUES (?1, ?2, ?3)",
            params![key, ordinal, sealed],
        )?;
        Ok(id)
    }

    /// Replaces a member's data, keeping the issuer reference.
    pub fn update_member(&mut self, id: MemberId, data: &MemberData) -> Result<(), StoreError> {
        let key = id.to_string();
        let sealed_old: Vec<u8> = self
            .tx
            .query_row("SELECT data FROM members WHERE id = ?1", [&key], |r| {
                r.get(0)
            })
            .optional()?
            .ok_or(StoreError::NotFound { what: "member" })?;
        let slot = Slot {
            table: "members",
            row: &key,
            column: "data",
        };
        let old: MemberPayload = self
            .keys
            .open(slot, &sealed_old)
            .and_then(|p| serde_json::from_slice(&p).ok())
            .ok_or(StoreError::Corrupt {
                row: RowRef {
                    table: "members",
                    id: key.clone(),
                },
            })?;
        let sealed = self.seal_member(&key, data, old.issuer_ref.as_deref())?;
        let n = self.tx.execute(
            "UPDATE members SET data = ?2 WHERE id = ?1",
            params![key, sealed],
        )?;
        if n == 0 {
            return Err(StoreError::NotFound { what: "member" });
        }
        Ok(())
    }

    /// Removes a member and their records.
    pub fn remove_member(&mut self, id: MemberId) -> Result<(), StoreError> {
        let n = self
            .tx
            .execute("DELETE FROM members WHERE id = ?1", [id.to_string()])?;
        if n == 0 {
            return Err(StoreError::NotFound { what: "member" });
        }
        Ok(())
    }
}
