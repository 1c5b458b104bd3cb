//! The `card_checks` table: the latest card check of each member, found by member or by the
//! keyed hash of the card's key.

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
        let row = self
            .conn
            .prepare_cached("SELECT id, data FROM card_checks WHERE member_id = ?1")?
            .query_row([member.to_string()], |r| {
                Ok((r.get::<_, String>(0)?, r.get::<_, Vec<u8>>(1)?))
            })
            .optional()?;
        let Some((id, sealed)) = row else {
            return Ok(None);
        };
        let bad = || StoreError::Corrupt {
            row: RowRef {
                table: "card_checks",
                id: id.clone(),
            },
        };
        let slot = Slot {
            table: "card_checks",
            row: &id,
            column: "data",
        };
        let plain = self.keys.open(slot, &sealed).ok_or_else(bad)?;
        let stored: StoredCardCheck = serde_json::from_slice(&plain).map_err(|_| bad())?;
        if stored.member != member {
            return Err(bad());
        }
        Ok(Some(stored))
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
