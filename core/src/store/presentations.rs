//! The `presentations` table: the signed presentation document (docs/protocol.md,
//! "Presentation document") kept beside an issuer-signed record, sealed under the record's id.
//! It is what the QR code shows; the record's full signed document stays the stored form.
//! A presentation goes with its record: removing the record removes it.

use rusqlite::{OptionalExtension, params};

use super::crypto::Slot;
use super::error::sealing_failed;
use super::{Batch, RowRef, Store, StoreError};
use crate::eligibility::RecordId;

const TABLE: &str = "presentations";

fn slot(record: &str) -> Slot<'_> {
    Slot {
        table: TABLE,
        row: record,
        column: "data",
    }
}

impl Store {
    /// The signed presentation bytes kept for `record`: `None` when it has none (a
    /// hand-entered record, or one synced before presentations existed). A row that does not
    /// open is [`StoreError::Corrupt`].
    pub fn presentation(&self, record: RecordId) -> Result<Option<Vec<u8>>, StoreError> {
        let key = record.to_string();
        let sealed: Option<Vec<u8>> = self
            .conn
            .prepare_cached("SELECT data FROM presentations WHERE record_id = ?1")?
            .query_row([&key], |r| r.get(0))
            .optional()?;
        let Some(sealed) = sealed else {
            return Ok(None);
        };
        let plain = self
            .keys
            .open(slot(&key), &sealed)
            .ok_or(StoreError::Corrupt {
                row: RowRef {
                    table: TABLE,
                    id: key,
                },
            })?;
        Ok(Some(plain.to_vec()))
    }

    /// [`Batch::put_presentation`] in a transaction of its own.
    pub fn put_presentation(&mut self, record: RecordId, signed: &[u8]) -> Result<(), StoreError> {
        self.write(|b| b.put_presentation(record, signed))
    }
}

impl Batch<'_> {
    /// Stores `signed` (the presentation's signed bytes) for `record`, replacing any earlier
    /// one. The caller has verified it against the record's signed document (sync does).
    pub fn put_presentation(&mut self, record: RecordId, signed: &[u8]) -> Result<(), StoreError> {
        let key = record.to_string();
        let exists: Option<i64> = self
            .tx
            .query_row("SELECT 1 FROM records WHERE id = ?1", [&key], |r| r.get(0))
            .optional()?;
        if exists.is_none() {
            return Err(StoreError::NotFound { what: "record" });
        }
        let sealed = self
            .keys
            .seal(slot(&key), signed)
            .ok_or_else(sealing_failed)?;
        self.tx.execute(
            "INSERT INTO presentations (record_id, data) VALUES (?1, ?2)
             ON CONFLICT (record_id) DO UPDATE SET data = excluded.data",
            params![key, sealed],
        )?;
        Ok(())
    }

    /// Removes `record`'s presentation, if it has one (the record stays).
    pub fn remove_presentation(&mut self, record: RecordId) -> Result<(), StoreError> {
        self.tx.execute(
            "DELETE FROM presentations WHERE record_id = ?1",
            [record.to_string()],
        )?;
        Ok(())
    }
}
