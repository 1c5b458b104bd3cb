//! The `card_checks` table: the latest card check of each member, found by member or by the
//! keyed hash of the card's key.

use std::collections::HashMap;

use rusqlite::types::ValueRef;
use rusqlite::{OptionalExtension, params};
use serde::{Deserialize, Serialize};
use zeroize::Zeroizing;

use super::crypto::Slot;
use super::error::sealing_failed;
use super::manifest::plain_ok;
use super::{Batch, RowRef, Store, StoreError};
use crate::card::{CardCheck, KeyFingerprint, MemberMatch};
use crate::eligibility::{Member, MemberId};

const TABLE: &str = "card_checks";

/// A card check as stored for a member: the result, and how the card's 基本4情報 compared
/// with the member (when it was read).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoredCardCheck {
    /// The member checked.
    pub member: MemberId,
    /// The check's result (its `checked_at` is when it happened).
    pub check: CardCheck,
    /// The 基本4情報 comparison, if the 基本4情報 was read.
    pub matched: Option<MemberMatch>,
}

impl StoredCardCheck {
    /// What is stored for `member` after `check`: the 基本4情報 (when read) compared with the
    /// member, and the card's address dropped — nothing compares it, so it is not kept.
    pub fn for_member(member: &Member, mut check: CardCheck) -> StoredCardCheck {
        let matched = check
            .basic_info
            .info()
            .map(|info| crate::card::match_member(info, &member.data));
        if let Some(info) = check.basic_info.info_mut() {
            zeroize::Zeroize::zeroize(&mut info.address);
        }
        StoredCardCheck {
            member: member.id,
            check,
            matched,
        }
    }
}

impl Store {
    /// The latest card check stored for `member`, if any.
    pub fn card_check(&self, member: MemberId) -> Result<Option<StoredCardCheck>, StoreError> {
        self.refresh()?;
        let key = member.to_string();
        let row = self
            .conn
            .prepare_cached("SELECT id, data FROM card_checks WHERE member_id = ?1")?
            .query_row([&key], |r| {
                Ok((r.get::<_, String>(0)?, r.get::<_, Vec<u8>>(1)?))
            })
            .optional()?;
        row.map(|(id, sealed)| self.decode_card_check(id, &key, &sealed))
            .transpose()
    }

    /// Every member's card check in one statement, by the member's id (a damaged one as its
    /// error): the household snapshot's read (`screen::HouseholdSnapshot`).
    pub(crate) fn card_checks_by_member(
        &self,
    ) -> Result<HashMap<String, Result<StoredCardCheck, StoreError>>, StoreError> {
        self.refresh()?;
        let mut stmt = self
            .conn
            .prepare_cached("SELECT id, member_id, data FROM card_checks")?;
        let rows = stmt.query_map([], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, Vec<u8>>(2)?,
            ))
        })?;
        let mut out = HashMap::new();
        for row in rows {
            let (id, member, sealed) = row?;
            let check = self.decode_card_check(id, &member, &sealed);
            out.insert(member, check);
        }
        Ok(out)
    }

    /// Opens the card check of row `id`, which must be `member`'s.
    fn decode_card_check(
        &self,
        id: String,
        member: &str,
        sealed: &[u8],
    ) -> Result<StoredCardCheck, StoreError> {
        let slot = Slot {
            table: "card_checks",
            row: &id,
            column: "data",
        };
        let stored = self
            .keys
            .open(slot, sealed)
            .and_then(|plain| serde_json::from_slice::<StoredCardCheck>(&plain).ok())
            .filter(|c| c.member.to_string() == member);
        stored.ok_or(StoreError::Corrupt {
            row: RowRef {
                table: "card_checks",
                id,
            },
        })
    }

    /// The members whose latest card check saw the card key with this fingerprint (found
    /// through the keyed-hash index).
    pub fn members_with_card(&self, key: &KeyFingerprint) -> Result<Vec<MemberId>, StoreError> {
        self.refresh()?;
        let hash = self.keys.lookup_hash("card-key", &[&key.to_hex()]);
        let mut stmt = self.conn.prepare_cached(
            "SELECT id, member_id FROM card_checks WHERE lookup = ?1 ORDER BY rowid",
        )?;
        let rows = stmt.query_map([&hash], |r| {
            Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?))
        })?;
        let mut out = Vec::new();
        for row in rows {
            let (id, member) = row?;
            // The look-up and the owner must be the listed ones (not put back or moved).
            let listed = plain_ok(&self.keys, TABLE, &id, "lookup", ValueRef::Blob(&hash))
                && plain_ok(
                    &self.keys,
                    TABLE,
                    &id,
                    "member_id",
                    ValueRef::Text(member.as_bytes()),
                );
            match member.parse() {
                Ok(m) if listed => out.push(m),
                _ => {
                    return Err(StoreError::Corrupt {
                        row: RowRef { table: TABLE, id },
                    });
                }
            }
        }
        Ok(out)
    }

    /// Stores `check` as the latest card check of its member (replacing the previous one).
    pub fn put_card_check(&mut self, check: &StoredCardCheck) -> Result<(), StoreError> {
        self.write(|b| b.put_card_check(check))
    }
}

impl Batch<'_> {
    /// Stores `check` as the latest card check of its member (replacing the previous one).
    pub fn put_card_check(&mut self, check: &StoredCardCheck) -> Result<(), StoreError> {
        let member = check.member.to_string();
        let exists: Option<i64> = self
            .tx
            .query_row("SELECT 1 FROM members WHERE id = ?1", [&member], |r| {
                r.get(0)
            })
            .optional()?;
        if exists.is_none() {
            return Err(StoreError::NotFound { what: "member" });
        }
        let id = uuid::Uuid::new_v4().to_string();
        let payload = Zeroizing::new(serde_json::to_vec(check).map_err(|_| sealing_failed())?);
        let slot = Slot {
            table: "card_checks",
            row: &id,
            column: "data",
        };
        let sealed = self.keys.seal(slot, &payload).ok_or_else(sealing_failed)?;
        let lookup = self
            .keys
            .lookup_hash("card-key", &[&check.check.key_fingerprint.to_hex()]);
        self.tx
            .execute("DELETE FROM card_checks WHERE member_id = ?1", [&member])?;
        self.tx.execute(
            "INSERT INTO card_checks (id, member_id, lookup, data) VALUES (?1, ?2, ?3, ?4)",
            params![id, member, lookup, sealed],
        )?;
        Ok(())
    }
}
