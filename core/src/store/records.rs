//! The `records` table: its sealed payload and signed bytes, the keyed-hash identity index,
//! the record reads and the record writes.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use rusqlite::types::{FromSqlError, Type, ValueRef};
use rusqlite::{OptionalExtension, params};
use serde::{Deserialize, Serialize};
use zeroize::Zeroizing;

use super::crypto::{Keys, Slot};
use super::error::sealing_failed;
use super::manifest::plain_ok;
use super::{Batch, RowRef, Store, StoreError};
use crate::eligibility::text::fold_width;
use crate::eligibility::{
    EligibilityRecord, InsurerNumber, MemberId, Provenance, RecordId, StoredRecord,
};

/// A member's records, and any record rows that failed to open.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordList {
    /// Records that read correctly, oldest first.
    pub records: Vec<StoredRecord>,
    /// Record rows that are damaged.
    pub corrupt: Vec<RowRef>,
}

/// Provenance as sealed in `records.data`; the signed bytes live in the `signed` column.
#[derive(Serialize, Deserialize)]
enum ProvenancePayload {
    IssuerSigned {
        key_id: String,
    },
    HandEntered {
        #[serde(deserialize_with = "crate::clock::serde_text::instant")]
        entered_at: DateTime<Utc>,
    },
}

/// The sealed payload of a `records` row.
#[derive(Serialize, Deserialize)]
struct RecordPayload {
    member: MemberId,
    record: EligibilityRecord,
    provenance: ProvenancePayload,
}

/// A `records` row as read, borrowed from SQLite's row (no copy of the sealed values).
/// `signed` is never NULL in a row this build wrote (a hand-entered record gets a sealed empty
/// value, so the column does not tell the two kinds apart).
struct RawRecord<'r> {
    id: &'r str,
    member_id: &'r str,
    lookup: &'r [u8],
    data: &'r [u8],
    signed: Option<&'r [u8]>,
}

/// A column's value of the wrong type, as rusqlite reports it.
fn wrong_type(i: usize, ty: Type, e: FromSqlError) -> rusqlite::Error {
    rusqlite::Error::FromSqlConversionFailure(i, ty, Box::new(e))
}

impl<'r> RawRecord<'r> {
    /// The columns `id, member_id, lookup, data, signed` of `r`.
    fn from_row(r: &'r rusqlite::Row<'_>) -> rusqlite::Result<RawRecord<'r>> {
        let text = |i| {
            r.get_ref(i)?
                .as_str()
                .map_err(|e| wrong_type(i, Type::Text, e))
        };
        let blob = |i| {
            r.get_ref(i)?
                .as_blob()
                .map_err(|e| wrong_type(i, Type::Blob, e))
        };
        Ok(RawRecord {
            id: text(0)?,
            member_id: text(1)?,
            lookup: blob(2)?,
            data: blob(3)?,
            signed: r
                .get_ref(4)?
                .as_blob_or_null()
                .map_err(|e| wrong_type(4, Type::Blob, e))?,
        })
    }
}

pub(crate) fn identity_hash(
    keys: &Keys,
    insurer_number: &InsurerNumber,
    symbol: Option<&str>,
    number: &str,
    branch: Option<&str>,
) -> Vec<u8> {
    let fold = |s: &str| fold_width(s).replace(' ', "");
    let symbol = symbol.map(fold).unwrap_or_default();
    let branch = branch.map(fold).unwrap_or_default();
    keys.lookup_hash(
        "record-identity",
        &[insurer_number.as_str(), &symbol, &fold(number), &branch],
    )
}

/// The sealed columns of a `records` row.
struct SealedRecord {
    data: Vec<u8>,
    signed: Vec<u8>,
    lookup: Vec<u8>,
}

impl Store {
    /// Stores a new record for `member` and returns its id.
    pub fn put_record(
        &mut self,
        member: MemberId,
        record: &EligibilityRecord,
        provenance: &Provenance,
    ) -> Result<RecordId, StoreError> {
        self.write(|b| b.put_record(member, record, provenance))
    }

    /// Replaces a record's content and provenance (keeps its id and member).
    pub fn replace_record(
        &mut self,
        id: RecordId,
        record: &EligibilityRecord,
        provenance: &Provenance,
    ) -> Result<(), StoreError> {
        self.write(|b| b.replace_record(id, record, provenance))
    }

    /// Removes a record.
    pub fn remove_record(&mut self, id: RecordId) -> Result<(), StoreError> {
        self.write(|b| b.remove_record(id))
    }

    /// A member's records, oldest first; damaged rows are listed apart.
    pub fn records(&self, member: MemberId) -> Result<RecordList, StoreError> {
        self.refresh()?;
        let mut stmt = self.conn.prepare_cached(
            "SELECT id, member_id, lookup, data, signed FROM records WHERE member_id = ?1
             ORDER BY rowid",
        )?;
        let mut rows = stmt.query([member.to_string()])?;
        let mut list = RecordList {
            records: Vec::new(),
            corrupt: Vec::new(),
        };
        while let Some(row) = rows.next()? {
            let raw = RawRecord::from_row(row)?;
            match self.decode_record(&raw) {
                Ok(r) => list.records.push(r),
                Err(row) => list.corrupt.push(row),
            }
        }
        Ok(list)
    }

    /// Every member's records (oldest first, damaged rows apart) in one statement, by the
    /// owner's id: the household snapshot's read (`screen::HouseholdSnapshot`).
    pub(crate) fn records_by_member(&self) -> Result<HashMap<String, RecordList>, StoreError> {
        self.refresh()?;
        let mut stmt = self.conn.prepare_cached(
            "SELECT id, member_id, lookup, data, signed FROM records ORDER BY rowid",
        )?;
        let mut rows = stmt.query([])?;
        let mut out: HashMap<String, RecordList> = HashMap::new();
        while let Some(row) = rows.next()? {
            let raw = RawRecord::from_row(row)?;
            let decoded = self.decode_record(&raw);
            let list = out
                .entry(raw.member_id.to_string())
                .or_insert_with(|| RecordList {
                    records: Vec::new(),
                    corrupt: Vec::new(),
                });
            match decoded {
                Ok(r) => list.records.push(r),
                Err(row) => list.corrupt.push(row),
            }
        }
        Ok(out)
    }

    /// One record.
    pub fn record(&self, id: RecordId) -> Result<StoredRecord, StoreError> {
        self.refresh()?;
        let mut stmt = self.conn.prepare_cached(
            "SELECT id, member_id, lookup, data, signed FROM records WHERE id = ?1",
        )?;
        let mut rows = stmt.query([id.to_string()])?;
        let row = rows
            .next()?
            .ok_or(StoreError::NotFound { what: "record" })?;
        self.decode_record(&RawRecord::from_row(row)?)
            .map_err(|row| StoreError::Corrupt { row })
    }

    /// Ids of the records whose 保険者番号, 記号, 番号 and 枝番 equal these (after width
    /// folding), found through the keyed-hash index without decrypting anything.
    pub fn find_records(
        &self,
        insurer_number: &InsurerNumber,
        symbol: Option<&str>,
        number: &str,
        branch: Option<&str>,
    ) -> Result<Vec<RecordId>, StoreError> {
        self.refresh()?;
        let hash = identity_hash(&self.keys, insurer_number, symbol, number, branch);
        let mut stmt = self
            .conn
            .prepare_cached("SELECT id FROM records WHERE lookup = ?1 ORDER BY rowid")?;
        let ids = stmt.query_map([&hash], |r| r.get::<_, String>(0))?;
        let mut out = Vec::new();
        for id in ids {
            let id = id?;
            // A look-up put back from an older version of the row is not the listed one.
            let listed = plain_ok(&self.keys, "records", &id, "lookup", ValueRef::Blob(&hash));
            match id.parse() {
                Ok(rid) if listed => out.push(rid),
                _ => {
                    return Err(StoreError::Corrupt {
                        row: RowRef {
                            table: "records",
                            id,
                        },
                    });
                }
            }
        }
        Ok(out)
    }

    fn decode_record(&self, raw: &RawRecord) -> Result<StoredRecord, RowRef> {
        let bad = || RowRef {
            table: "records",
            id: raw.id.to_string(),
        };
        let slot = |column| Slot {
            table: "records",
            row: raw.id,
            column,
        };
        let plain = self.keys.open(slot("data"), raw.data).ok_or_else(bad)?;
        let p: RecordPayload = serde_json::from_slice(&plain).map_err(|_| bad())?;
        // `signed` is never NULL. A hand-entered record's is a sealed empty value that is never
        // used: it is only checked against the row list, not decrypted (reads stay cheap).
        let signed = raw.signed.ok_or_else(bad)?;
        let provenance = match p.provenance {
            ProvenancePayload::IssuerSigned { key_id } => Provenance::IssuerSigned {
                key_id,
                signed_bytes: self
                    .keys
                    .open(slot("signed"), signed)
                    .ok_or_else(bad)?
                    .to_vec(),
            },
            ProvenancePayload::HandEntered { entered_at }
                if plain_ok(
                    &self.keys,
                    "records",
                    raw.id,
                    "signed",
                    ValueRef::Blob(signed),
                ) =>
            {
                Provenance::HandEntered { entered_at }
            }
            ProvenancePayload::HandEntered { .. } => return Err(bad()),
        };
        // The plain columns: the owner must agree with the sealed payload, and the owner and
        // the look-up must be the listed values (not edited, not put back).
        if *p
            .member
            .0
            .hyphenated()
            .encode_lower(&mut uuid::Uuid::encode_buffer())
            != *raw.member_id
            || !plain_ok(
                &self.keys,
                "records",
                raw.id,
                "member_id",
                ValueRef::Text(raw.member_id.as_bytes()),
            )
            || !plain_ok(
                &self.keys,
                "records",
                raw.id,
                "lookup",
                ValueRef::Blob(raw.lookup),
            )
        {
            return Err(bad());
        }
        Ok(StoredRecord {
            id: raw.id.parse().map_err(|_| bad())?,
            member: p.member,
            record: p.record,
            provenance,
        })
    }
}

impl Batch<'_> {
    fn sealed_record(
        &self,
        id: &str,
        member: MemberId,
        record: &EligibilityRecord,
        provenance: &Provenance,
    ) -> Result<SealedRecord, StoreError> {
        // A hand-entered record's `signed` column holds a sealed empty value.
        let (meta, signed) = match provenance {
            Provenance::IssuerSigned {
                key_id,
                signed_bytes,
            } => (
                ProvenancePayload::IssuerSigned {
                    key_id: key_id.clone(),
                },
                signed_bytes.as_slice(),
            ),
            Provenance::HandEntered { entered_at } => (
                ProvenancePayload::HandEntered {
                    entered_at: *entered_at,
                },
                &[][..],
            ),
        };
        let payload = Zeroizing::new(
            serde_json::to_vec(&RecordPayload {
                member,
                record: record.clone(),
                provenance: meta,
            })
            .map_err(|_| sealing_failed())?,
        );
        let slot = |column| Slot {
            table: "records",
            row: id,
            column,
        };
        let data = self
            .keys
            .seal(slot("data"), &payload)
            .ok_or_else(sealing_failed)?;
        let signed = self
            .keys
            .seal(slot("signed"), signed)
            .ok_or_else(sealing_failed)?;
        let lookup = identity_hash(
            self.keys,
            &record.insurer_number,
            record.symbol.as_deref(),
            &record.number,
            record.branch.as_deref(),
        );
        Ok(SealedRecord {
            data,
            signed,
            lookup,
        })
    }

    /// Stores a new record for `member`.
    pub fn put_record(
        &mut self,
        member: MemberId,
        record: &EligibilityRecord,
        provenance: &Provenance,
    ) -> Result<RecordId, StoreError> {
        let exists: Option<i64> = self
            .tx
            .query_row(
                "SELECT 1 FROM members WHERE id = ?1",
                [member.to_string()],
                |r| r.get(0),
            )
            .optional()?;
        if exists.is_none() {
            return Err(StoreError::NotFound { what: "member" });
        }
        let id = RecordId::random();
        let key = id.to_string();
        let SealedRecord {
            data,
            signed,
            lookup,
        } = self.sealed_record(&key, member, record, provenance)?;
        self.tx.execute(
            "INSERT INTO records (id, member_id, lookup, data, signed)
             VALUES (?1, ?2, ?3, ?4, ?5)",
            params![key, member.to_string(), lookup, data, signed],
        )?;
        Ok(id)
    }

    /// Replaces a record's content and provenance; a record no longer issuer-signed loses its
    /// presentation.
    pub fn replace_record(
        &mut self,
        id: RecordId,
        record: &EligibilityRecord,
        provenance: &Provenance,
    ) -> Result<(), StoreError> {
        let key = id.to_string();
        let member: String = self
            .tx
            .query_row("SELECT member_id FROM records WHERE id = ?1", [&key], |r| {
                r.get(0)
            })
            .optional()?
            .ok_or(StoreError::NotFound { what: "record" })?;
        let member: MemberId = member.parse().map_err(|_| StoreError::Corrupt {
            row: RowRef {
                table: "records",
                id: key.clone(),
            },
        })?;
        let SealedRecord {
            data,
            signed,
            lookup,
        } = self.sealed_record(&key, member, record, provenance)?;
        self.tx.execute(
            "UPDATE records SET lookup = ?2, data = ?3, signed = ?4 WHERE id = ?1",
            params![key, lookup, data, signed],
        )?;
        // A presentation goes with the signed record it was issued for: not with content typed
        // in its place (a sync puts the new one after this).
        if !matches!(provenance, Provenance::IssuerSigned { .. }) {
            self.remove_presentation(id)?;
        }
        Ok(())
    }

    /// Removes a record.
    pub fn remove_record(&mut self, id: RecordId) -> Result<(), StoreError> {
        let n = self
            .tx
            .execute("DELETE FROM records WHERE id = ?1", [id.to_string()])?;
        if n == 0 {
            return Err(StoreError::NotFound { what: "record" });
        }
        Ok(())
    }
}
