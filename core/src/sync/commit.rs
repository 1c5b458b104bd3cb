//! Phase 2 of a sync: match the verified documents with what is stored, refuse rollbacks and
//! documents bound to another card, and store everything in one transaction. Short: the apps
//! hold the store only for this and for the snapshot.

use super::download::Downloaded;
use super::error::SyncError;
use super::{SyncReport, SyncStep};
use crate::document::{
    EligibilityDocument, TrustList, VerifiedDocument, VerifyingKey, document_version_untimed,
    presentation_matches_document,
};
use crate::eligibility::{MemberId, Provenance, RecordId};
use crate::store::{Store, StoreError, SyncState};

/// What to do with one verified document.
struct Planned {
    verified: VerifiedDocument,
    /// The signed presentation of the document (verified, agreeing with it).
    presentation: Vec<u8>,
    /// The unchanged stored record that has no presentation agreeing with it yet.
    missing_presentation: Option<RecordId>,
    member: Option<MemberId>,
    replace: Option<RecordId>,
    unchanged: bool,
}

fn root_sec1(root: &VerifyingKey) -> Vec<u8> {
    root.to_encoded_point(true).as_bytes().to_vec()
}

/// Stores what [`super::download()`] verified, in one transaction with the new sync state. The
/// first sync pins the root. Refused, with the store unchanged, when the store's sync state
/// changed since the snapshot (another sync finished first), on a rollback of any document,
/// or on a document bound to another card than the one last checked for its member.
pub fn commit(
    store: &mut Store,
    downloaded: Downloaded,
    progress: &mut dyn FnMut(SyncStep),
) -> Result<SyncReport, SyncError> {
    let Downloaded {
        snapshot,
        server,
        root,
        trust,
        trust_bytes,
        previous_trust,
        documents,
        now,
    } = downloaded;
    if store.sync_state()? != snapshot.state {
        return Err(SyncError::Concurrent);
    }
    let state = snapshot.state;
    let mut new_state = SyncState {
        server: Some(server),
        etag: state.etag.clone(),
        last_success: Some(now),
        household_id: state.household_id.clone(),
        trust_list: Some(trust_bytes),
        root_key: Some(state.root_key.clone().unwrap_or_else(|| root_sec1(&root))),
    };
    let Some(docs) = documents else {
        store.write(|b| b.set_sync_state(&new_state))?;
        return Ok(SyncReport {
            not_modified: true,
            written: 0,
            unchanged: 0,
            trust_list_version: trust.version,
            at: now,
        });
    };
    let lists: Vec<&TrustList> = std::iter::once(&trust)
        .chain(previous_trust.as_ref())
        .collect();
    let plan = plan(store, docs.verified, docs.presentations, &lists)?;

    new_state.etag = Some(docs.etag);
    new_state.household_id = Some(docs.household_id);
    let (mut written, mut unchanged) = (0, 0);
    store.write(|b| {
        for p in &plan {
            if p.unchanged {
                // A record synced before presentations existed gets its presentation now.
                if let Some(id) = p.missing_presentation {
                    b.put_presentation(id, &p.presentation)?;
                }
                unchanged += 1;
                continue;
            }
            let doc: &EligibilityDocument = &p.verified.document;
            let member = match p.member {
                Some(id) => {
                    b.update_member(id, &doc.person)?;
                    id
                }
                None => b.add_member_with_ref(&doc.person, Some(&doc.person_id))?,
            };
            let provenance = p.verified.provenance();
            let record = match p.replace {
                Some(id) => {
                    b.replace_record(id, &doc.record, &provenance)?;
                    id
                }
                None => b.put_record(member, &doc.record, &provenance)?,
            };
            b.put_presentation(record, &p.presentation)?;
            written += 1;
        }
        b.set_sync_state(&new_state)
    })?;
    progress(SyncStep::Stored { written, unchanged });
    Ok(SyncReport {
        not_modified: false,
        written,
        unchanged,
        trust_list_version: trust.version,
        at: now,
    })
}

/// Matches verified documents with stored members and records, refusing rollbacks and
/// documents bound to a card other than the one last checked for that member. A stored
/// document's version is read with its signature checked and time checks off
/// ([`document_version_untimed`]), against the new and the previous trust list.
fn plan(
    store: &Store,
    verified: Vec<VerifiedDocument>,
    presentations: Vec<Vec<u8>>,
    lists: &[&TrustList],
) -> Result<Vec<Planned>, SyncError> {
    let mut out = Vec::with_capacity(verified.len());
    for (v, presentation) in verified.into_iter().zip(presentations) {
        let Some(member) = store.member_by_issuer_ref(&v.document.person_id)? else {
            out.push(Planned {
                verified: v,
                presentation,
                missing_presentation: None,
                member: None,
                replace: None,
                unchanged: false,
            });
            continue;
        };
        if let Some(check) = store.card_check(member.id)?
            && v.document.holder_binding != Some(check.check.key_fingerprint.0)
        {
            return Err(SyncError::HolderMismatch);
        }
        let mut replace = None;
        let mut unchanged = false;
        let mut missing_presentation = None;
        for r in store.records(member.id)?.records {
            let Provenance::IssuerSigned { signed_bytes, .. } = &r.provenance else {
                continue;
            };
            replace = Some(r.id);
            if *signed_bytes == v.signed_bytes {
                unchanged = true;
                if !store
                    .presentation(r.id)?
                    .is_some_and(|p| presentation_matches_document(&p, signed_bytes))
                {
                    missing_presentation = Some(r.id);
                }
                continue;
            }
            // A stored document that verifies under no known key (signature checked, times
            // ignored) may be replaced by any newer valid one.
            if let Some(old) = document_version_untimed(signed_bytes, lists)
                && v.document.version <= old
            {
                return Err(SyncError::Rollback);
            }
        }
        out.push(Planned {
            verified: v,
            presentation,
            missing_presentation,
            member: Some(member.id),
            replace,
            unchanged,
        });
    }
    Ok(out)
}

/// Re-pins the trust-list root: the explicit, separate operation a sync never performs by
/// itself. The stored trust list and ETag are dropped (they belong to the old root), so the
/// next sync fetches everything afresh under the new root; until then no stored signed record
/// shows as verified.
pub fn repin_root(store: &mut Store, root: &VerifyingKey) -> Result<(), StoreError> {
    let mut state = store.sync_state()?;
    state.root_key = Some(root_sec1(root));
    state.trust_list = None;
    state.etag = None;
    store.write(|b| b.set_sync_state(&state))
}
