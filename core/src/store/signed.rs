//! What the store keeps of the issuer's signatures, read back for the screen, the QR code and
//! the clinic's checks: the pinned trust-list root, the trust list in force, and the signed
//! bytes of issuer-signed records. A hand-entered record has no signed form, hence no QR code.

use chrono::{DateTime, Utc};

use super::{Store, StoreError};
use crate::document::{TrustList, VerifyingKey, to_qr_payload};
use crate::eligibility::{MemberId, Provenance, RecordId, StoredRecord};

/// The signed bytes of a record: `Some` only for an issuer-signed one.
pub fn signed_bytes(record: &StoredRecord) -> Option<&[u8]> {
    match &record.provenance {
        Provenance::IssuerSigned { signed_bytes, .. } => Some(signed_bytes),
        Provenance::HandEntered { .. } => None,
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
        let state = self.sync_state()?;
        let (Some(bytes), Some(root)) = (state.trust_list, state.root_key) else {
            return Ok(None);
        };
        let Ok(root) = VerifyingKey::from_sec1_bytes(&root) else {
            return Ok(None);
        };
        Ok(TrustList::verify(&bytes, &root, now).ok())
    }

    /// The QR payload (`SK1:` + Base45(zlib(signed bytes))) of a record: `None` for a
    /// hand-entered record, which has no signed form to show.
    pub fn qr_payload(&self, record: RecordId) -> Result<Option<String>, StoreError> {
        Ok(signed_bytes(&self.record(record)?).map(to_qr_payload))
    }

    /// The member's issuer-signed record and its QR payload, if the member has one.
    pub fn member_qr_payload(
        &self,
        member: MemberId,
    ) -> Result<Option<(RecordId, String)>, StoreError> {
        Ok(self
            .records(member)?
            .records
            .iter()
            .find_map(|r| signed_bytes(r).map(|b| (r.id, to_qr_payload(b)))))
    }
}
