//! The move to seal format 2 (schema 3): every sealed value of an older store opened with the
//! format-1 keys and sealed again with the format-2 keys of the same data key, in the
//! migration's transaction (see `migrations/0003_no_plaintext_hints.sql`).

use rusqlite::Transaction;

use super::StoreError;
use super::crypto::{Keys, Slot};
use super::error::sealing_failed;
use super::manifest::{self, SEALED};
use super::open::{CANARY, CANARY_SLOT, meta_get};
use super::sync_state::SYNC_SLOT;

/// The first schema version whose values are sealed in format 2.
const FORMAT_2_SCHEMA: u32 = 3;

/// The seal format of a store at schema `version`.
pub(super) fn seal_format_at(version: u32) -> u32 {
    if version < FORMAT_2_SCHEMA { 1 } else { 2 }
}

/// Re-seals every value from `old` (format 1) to `new` (format 2), fills the `signed` column of
/// hand-entered records with a sealed empty value, re-seals the canary, and writes the row list.
/// A value that does not open with `old` (already damaged) is kept as it is: it stays reported
/// as damaged, for its row only, and the other rows move on.
pub(super) fn reseal(tx: &Transaction<'_>, old: &Keys, new: &Keys) -> Result<(), StoreError> {
    for sealed_column in SEALED {
        for (id, sealed) in sealed_column.read_all(tx)? {
            let slot = sealed_column.slot(&id);
            let Some(plain) = old.open(slot, &sealed) else {
                continue;
            };
            let resealed = new.seal(slot, &plain).ok_or_else(sealing_failed)?;
            sealed_column.update(tx, &id, &resealed)?;
        }
    }
    if let Some(sealed) = meta_get(tx, "sync_state")?
        && let Some(plain) = old.open(SYNC_SLOT, &sealed)
    {
        let resealed = new.seal(SYNC_SLOT, &plain).ok_or_else(sealing_failed)?;
        tx.execute(
            "UPDATE meta SET value = ?1 WHERE key = 'sync_state'",
            [&resealed],
        )?;
    }
    let hand_entered: Vec<String> = tx
        .prepare("SELECT id FROM records WHERE signed IS NULL")?
        .query_map([], |r| r.get(0))?
        .collect::<Result<_, _>>()?;
    for id in hand_entered {
        let slot = Slot {
            table: "records",
            row: &id,
            column: "signed",
        };
        let empty = new.seal(slot, &[]).ok_or_else(sealing_failed)?;
        tx.execute(
            "UPDATE records SET signed = ?1 WHERE id = ?2",
            rusqlite::params![empty, id],
        )?;
    }
    let canary = new.seal(CANARY_SLOT, CANARY).ok_or_else(sealing_failed)?;
    tx.execute("UPDATE meta SET value = ?1 WHERE key = 'canary'", [&canary])?;
    let list = manifest::build(tx)?;
    manifest::save(tx, new, &list)
}
