//! What the store keeps of the issuer's signatures, read back for the screen, the QR code and
//! the clinic's checks: the pinned trust-list root, the trust list in force, and the signed
//! bytes of issuer-signed records. A hand-entered record has no signed form, hence no QR code.
//!
//! The QR code shows a record's presentation document (format 2, docs/protocol.md): only what
//! a clinic needs, with a salted holder binding. A record synced before presentations existed
//! has none; its QR code is then the full signed document (format 1), which still verifies at
//! a clinic (and says it is format 1) until the next sync stores the presentation.

use chrono::{DateTime, Utc};

use super::{Store, StoreError, SyncState};
use crate::document::{TrustList, VerifyingKey, presentation_matches_document, to_qr_payload};
use crate::eligibility::{MemberId, Provenance, RecordId, StoredRecord};

/// The signed bytes of a record: `Some` only for an issuer-signed one.
pub fn signed_bytes(record: &StoredRecord) -> Option<&[u8]> {
    match &record.provenance {
        Provenance::IssuerSigned { signed_bytes, .. } => Some(signed_bytes),
        Provenance::HandEntered { .. } => None,
    }
}

impl SyncState {
    /// The trust list this state keeps, verified now with its pinned root; `None` when there
    /// is none, or when it no longer verifies (see [`Store::trust_list`]).
    pub fn trust_list(&self, now: DateTime<Utc>) -> Option<TrustList> {
        let (Some(bytes), Some(root)) = (&self.trust_list, &self.root_key) else {
            return None;
        };
        let root = VerifyingKey::from_sec1_bytes(root).ok()?;
        TrustList::verify(bytes, &root, now).ok()
    }
}

impl Store {
    /// The trust-list root pinned by the first sync (or by [`crate::sync::repin_root`]).
    /// `None` before the first sync; a damaged stored key is [`StoreError::Corrupt`].
    pub fn pinned_root(&self) -> Result<Option<VerifyingKey>, StoreError> {
        let state = self.sync_state()?;
        match state.root_key {
            None => Ok(None),
            Some(sec1) => {
                VerifyingKey::from_sec1_bytes(&sec1)
                    .map(Some)
                    .map_err(|_| StoreError::Corrupt {
                        row: super::RowRef {
                            table: "meta",
                            id: "sync_state".into(),
                        },
                    })
            }
        }
    }

    /// The trust list kept by the last sync, verified now with the pinned root; `None` when
    /// there is none, or when it no longer verifies (then nothing signed shows as verified).
    pub fn trust_list(&self, now: DateTime<Utc>) -> Result<Option<TrustList>, StoreError> {
        Ok(self.sync_state()?.trust_list(now))
    }

    /// The signed bytes a record's QR code carries: its presentation document when one is
    /// stored and agrees with the record's signed document, else the full signed document
    /// (format 1: a record synced before presentations existed). `None` for a hand-entered
    /// record, which has no signed form to show.
    pub fn qr_bytes(&self, record: &StoredRecord) -> Result<Option<Vec<u8>>, StoreError> {
        let Some(full) = signed_bytes(record) else {
            return Ok(None);
        };
        Ok(Some(match self.presentation(record.id)? {
            Some(p) if presentation_matches_document(&p, full) => p,
            _ => full.to_vec(),
        }))
    }

    /// The QR payload (`SK1:` + Base45(zlib(signed bytes))) of a record, from
    /// [`Store::qr_bytes`]: `None` for a hand-entered record.
    pub fn qr_payload(&self, record: RecordId) -> Result<Option<String>, StoreError> {
        Ok(self
            .qr_bytes(&self.record(record)?)?
            .map(|b| to_qr_payload(&b)))
    }

    /// The member's first issuer-signed record and its QR payload ([`Store::qr_payload`]), if
    /// the member has one.
    pub fn member_qr_payload(
        &self,
        member: MemberId,
    ) -> Result<Option<(RecordId, String)>, StoreError> {
        for r in self.records(member)?.records {
            if let Some(bytes) = self.qr_bytes(&r)? {
                return Ok(Some((r.id, to_qr_payload(&bytes))));
            }
        }
        Ok(None)
    }
}
