//! Re-keying: a passphrase change (or a new platform key) gets a new data key, not only a new
//! wrapping of the old one. Otherwise an old copy of the store plus the old passphrase would
//! still open everything written after the change.

use zeroize::Zeroizing;

use super::crypto::{Keys, random_data_key};
use super::error::sealing_failed;
use super::manifest::{SEALED, SealedColumn};
use super::open::{CANARY, CANARY_SLOT, SEAL_FORMAT, meta_get, meta_row};
use super::records::identity_hash;
use super::sync_state::SYNC_SLOT;
use super::{KeyStore, KeyStoreError, RowRef, Store, StoreError};
use crate::eligibility::{MemberId, RecordId};

/// One sealed value, opened with the old keys, to be sealed again with the new ones.
struct Value {
    column: SealedColumn,
    id: String,
    plain: Zeroizing<Vec<u8>>,
}

impl Store {
    /// Replaces the data key: a new random key wrapped by `new`, every sealed value and every
    /// keyed-hash look-up made again under it, the canary and the sync state too, all in one
    /// transaction. The old wrapped key is overwritten in the file (`secure_delete`) and the
    /// WAL's old frames are zeroed, so a copy of the store taken before, opened with the old
    /// passphrase, cannot read what is written after. A damaged row stops the re-key before
    /// anything changes.
    pub fn rekey(&mut self, new: &dyn KeyStore) -> Result<(), StoreError> {
        // Only what the row list vouches for is sealed again and listed anew.
        self.refresh()?;
        super::manifest::verify_all(&self.conn, &self.keys)?;
        let data_key = random_data_key();
        let keys = Keys::derive(&data_key, SEAL_FORMAT).ok_or(StoreError::WrongKey)?;
        let wrapped = new.wrap(&data_key[..]).map_err(|e| match e {
            KeyStoreError::Unavailable { reason } => StoreError::KeyUnavailable { reason },
            other => StoreError::KeyUnavailable {
                reason: other.to_string(),
            },
        })?;

        // Everything is read and opened with the old keys first.
        let mut values = Vec::new();
        for column in SEALED {
            for (id, sealed) in column.read_all(&self.conn)? {
                let plain = self.keys.open(column.slot(&id), &sealed).ok_or_else(|| {
                    StoreError::Corrupt {
                        row: RowRef {
                            table: column.table,
                            id: id.clone(),
                        },
                    }
                })?;
                values.push(Value { column, id, plain });
            }
        }
        let sync_state = match meta_get(&self.conn, "sync_state")? {
            Some(sealed) => Some(self.keys.open(SYNC_SLOT, &sealed).ok_or(
                StoreError::Corrupt {
                    row: meta_row("sync_state"),
                },
            )?),
            None => None,
        };
        // The look-ups hash values inside the sealed rows: read them through the store.
        let mut record_lookups = Vec::new();
        let ids: Vec<String> = self
            .conn
            .prepare("SELECT id FROM records")?
            .query_map([], |r| r.get(0))?
            .collect::<Result<_, _>>()?;
        for id in ids {
            let rid: RecordId = id.parse().map_err(|_| StoreError::Corrupt {
                row: RowRef {
                    table: "records",
                    id: id.clone(),
                },
            })?;
            let r = self.record(rid)?.record;
            let hash = identity_hash(
                &keys,
                &r.insurer_number,
                r.symbol.as_deref(),
                &r.number,
                r.branch.as_deref(),
            );
            record_lookups.push((id, hash));
        }
        let mut card_lookups = Vec::new();
        let members: Vec<(String, String)> = self
            .conn
            .prepare("SELECT id, member_id FROM card_checks")?
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<Result<_, _>>()?;
        for (id, member) in members {
            let mid: MemberId = member.parse().map_err(|_| StoreError::Corrupt {
                row: RowRef {
                    table: "card_checks",
                    id: id.clone(),
                },
            })?;
            if let Some(c) = self.card_check(mid)? {
                let hash = keys.lookup_hash("card-key", &[&c.check.key_fingerprint.to_hex()]);
                card_lookups.push((id, hash));
            }
        }

        // Then everything is written under the new key in one transaction.
        let canary = keys.seal(CANARY_SLOT, CANARY).ok_or_else(sealing_failed)?;
        self.checkpoint_on_close(true)?;
        let tx = self.conn.transaction()?;
        for v in &values {
            let sealed = keys
                .seal(v.column.slot(&v.id), &v.plain)
                .ok_or_else(sealing_failed)?;
            v.column.update(&tx, &v.id, &sealed)?;
        }
        for (id, hash) in &record_lookups {
            tx.execute(
                "UPDATE records SET lookup = ?1 WHERE id = ?2",
                rusqlite::params![hash, id],
            )?;
        }
        for (id, hash) in &card_lookups {
            tx.execute(
                "UPDATE card_checks SET lookup = ?1 WHERE id = ?2",
                rusqlite::params![hash, id],
            )?;
        }
        if let Some(plain) = &sync_state {
            let sealed = keys.seal(SYNC_SLOT, plain).ok_or_else(sealing_failed)?;
            tx.execute(
                "UPDATE meta SET value = ?1 WHERE key = 'sync_state'",
                [&sealed],
            )?;
        }
        tx.execute("UPDATE meta SET value = ?1 WHERE key = 'canary'", [&canary])?;
        tx.execute(
            "UPDATE meta SET value = ?1 WHERE key = 'wrapped_key'",
            [&wrapped],
        )?;
        let list = super::manifest::build(&tx)?;
        super::manifest::save(&tx, &keys, &list)?;
        tx.commit()?;
        super::manifest::hand_over(&self.keys, &keys, list);
        self.keys = keys;
        self.data_key = data_key;
        self.scrub_wal()
    }

    /// Copies every WAL frame into the database and zeroes the WAL's old frames (earlier page
    /// images, which may hold a replaced wrapped key), then truncates it. Safe while open:
    /// after a RESTART checkpoint no frame is read again and the next write starts over.
    pub(super) fn scrub_wal(&mut self) -> Result<(), StoreError> {
        self.conn.execute_batch("PRAGMA wal_checkpoint(RESTART);")?;
        let wal = super::file::sidecar(&self.path, "-wal");
        if let Ok(m) = std::fs::symlink_metadata(&wal)
            && m.file_type().is_file()
        {
            super::open::zero_fill(&wal, m.len()).map_err(|e| StoreError::Io {
                reason: e.kind().to_string(),
            })?;
        }
        self.conn
            .execute_batch("PRAGMA wal_checkpoint(TRUNCATE);")?;
        Ok(())
    }
}
