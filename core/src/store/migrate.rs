//! The move to seal format 2 (schema 3): every sealed value of an older store opened with the
//! format-1 keys and sealed again with the format-2 keys of the same data key, in the
//! migration's transaction (see `migrations/0003_no_plaintext_hints.sql`).

use rusqlite::Transaction;

use super::StoreError;
use super::crypto::{Keys, Slot};
use super::error::sealing_failed;
use super::manifest;
use super::open::{CANARY, CANARY_SLOT};

/// The first schema version whose values are sealed in format 2.
const FORMAT_2_SCHEMA: u32 = 3;

/// The seal format of a store at schema `version`.
pub(super) fn seal_format_at(version: u32) -> u32 {
    if version < FORMAT_2_SCHEMA { 1 } else { 2 }
}

/// Every sealed column: table, the column holding the row's id (each value is sealed under
/// it), column, and a filter for `meta`.
const SEALED: [(&str, &str, &str, &str); 6] = [
    ("members", "id", "data", ""),
    ("records", "id", "data", ""),
    ("records", "id", "signed", ""),
    ("card_checks", "id", "data", ""),
    ("presentations", "record_id", "data", ""),
    ("meta", "key", "value", "AND key = 'sync_state'"),
];

/// Re-seals every value from `old` (format 1) to `new` (format 2), fills the `signed` column of
/// hand-entered records with a sealed empty value, re-seals the canary, and writes the row list.
/// A value that does not open with `old` (already damaged) is kept as it is: it stays reported
/// as damaged, for its row only, and the other rows move on.
pub(super) fn reseal(tx: &Transaction<'_>, old: &Keys, new: &Keys) -> Result<(), StoreError> {
    for (table, id_column, column, filter) in SEALED {
        let rows: Vec<(String, Vec<u8>)> = tx
            .prepare(&format!(
                "SELECT {id_column}, {column} FROM {table} WHERE {column} IS NOT NULL {filter}"
            ))?
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<Result<_, _>>()?;
        let mut update = tx.prepare(&format!(
            "UPDATE {table} SET {column} = ?1 WHERE {id_column} = ?2"
        ))?;
        for (id, sealed) in rows {
            let slot = Slot {
                table,
                row: &id,
                column,
            };
            let Some(plain) = old.open(slot, &sealed) else {
                continue;
            };
            let resealed = new.seal(slot, &plain).ok_or_else(sealing_failed)?;
            update.execute(rusqlite::params![resealed, id])?;
        }
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
