//! Phase 1 of a sync: everything that talks to the network and the card, and verifies what
//! arrives. It reads nothing from the store but a [`SyncSnapshot`] taken beforehand, so the
//! apps need not hold the store (and block their screens) while the network is slow.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use chrono::{DateTime, Utc};
use der::Encode as _;

use super::error::SyncError;
use super::http::{HttpMethod, HttpTransport};
use super::protocol::{
    ChallengeBody, Client, DocumentsBody, ErrorBody, MAX_DOCUMENTS, SessionBody, SessionRequest,
    header, json, login_message, protocol,
};
use super::{SyncConfig, SyncStep};
use crate::card::{CardCertificate, CardTransport, KeyFingerprint, Pin, sign_challenge};
use crate::document::{
    DocumentError, TrustList, VerifiedDocument, VerifyingKey, check_presentation_holder,
    trust_list_untimed, trust_update_is_rollback, verify_document, verify_presentation_document,
};
use crate::store::{Store, StoreError, SyncState};

/// A copy of the sync state, taken from the store before the download starts. The commit
/// phase refuses to store anything if the state changed in between.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyncSnapshot {
    pub(super) state: SyncState,
}

impl SyncSnapshot {
    /// Reads the sync state (a short read; the caller may release the store afterwards).
    pub fn take(store: &Store) -> Result<SyncSnapshot, StoreError> {
        Ok(SyncSnapshot {
            state: store.sync_state()?,
        })
    }
}

/// What the server sent, all of it verified, not yet stored: the input of
/// [`super::commit()`].
#[derive(Debug, Clone)]
pub struct Downloaded {
    pub(super) snapshot: SyncSnapshot,
    /// The server it came from (normalised URL).
    pub(super) server: String,
    pub(super) root: VerifyingKey,
    pub(super) trust: TrustList,
    pub(super) trust_bytes: Vec<u8>,
    /// The trust list stored before this sync (signature checked, time checks off), for the
    /// rollback check of stored documents signed by keys that have left the list since.
    pub(super) previous_trust: Option<TrustList>,
    pub(super) documents: Option<DocumentSet>,
    pub(super) now: DateTime<Utc>,
}

/// The household's documents, as the server sent them (absent after a 304).
#[derive(Debug, Clone)]
pub(super) struct DocumentSet {
    pub household_id: String,
    pub etag: String,
    pub verified: Vec<VerifiedDocument>,
    /// The signed presentation of each verified document, in the same order, each verified
    /// and agreeing with its document.
    pub presentations: Vec<Vec<u8>>,
}

/// The root in force: the pinned one, never silently replaced by another.
fn root_in_force(
    state: &SyncState,
    given: Option<&VerifyingKey>,
) -> Result<VerifyingKey, SyncError> {
    let pinned = match &state.root_key {
        Some(sec1) => {
            Some(
                VerifyingKey::from_sec1_bytes(sec1).map_err(|_| SyncError::Untrusted {
                    reason: "the pinned trust-list root key is damaged".into(),
                })?,
            )
        }
        None => None,
    };
    match (pinned, given) {
        (Some(p), Some(g)) if p != *g => Err(SyncError::RootChanged),
        (Some(p), _) => Ok(p),
        (None, Some(g)) => Ok(*g),
        (None, None) => Err(SyncError::Untrusted {
            reason: "no trust-list root is pinned yet; the first sync needs one".into(),
        }),
    }
}

/// Runs the network and card part of a sync and verifies everything that arrived. Touches no
/// store: on success, hand the result to [`super::commit()`]. The PIN comes already checked
/// for its format ([`Pin::from_bytes`]), parsed once by the caller; it is sent only after
/// the trust list and the server's challenge, behind the card's PIN guard.
pub fn download(
    snapshot: &SyncSnapshot,
    http: &dyn HttpTransport,
    card: &dyn CardTransport,
    pin: &Pin,
    config: &SyncConfig,
    now: DateTime<Utc>,
    progress: &mut dyn FnMut(SyncStep),
) -> Result<Downloaded, SyncError> {
    let client = Client { http, config };
    let state = &snapshot.state;
    // Before any request or PIN try: the root must be the pinned one.
    let root = root_in_force(state, config.root.as_ref())?;

    // 1. The trust list, verified with the root; never older than the stored one. The stored
    //    list's version is read with time checks off, so neither an expired key nor a clock
    //    set back can skip the check.
    let r = client.send(HttpMethod::Get, "/v1/trust-list", vec![], vec![])?;
    if r.status != 200 {
        return Err(SyncError::Server { status: r.status });
    }
    let trust = TrustList::verify(&r.body, &root, now).map_err(|e| match e {
        DocumentError::BadSignature | DocumentError::UnsupportedAlgorithm => SyncError::Untrusted {
            reason: format!("trust list: {e}"),
        },
        other => SyncError::from(other),
    })?;
    let previous_trust = state
        .trust_list
        .as_deref()
        .and_then(|b| trust_list_untimed(b, &root));
    if trust_update_is_rollback(state.trust_list.as_deref(), &r.body, &trust, &root) {
        return Err(SyncError::Rollback);
    }
    let trust_bytes = r.body;
    progress(SyncStep::TrustList {
        version: trust.version,
    });

    // 2–4. Log in with the card.
    let r = client.send(HttpMethod::Post, "/v1/challenge", vec![], vec![])?;
    if r.status != 200 {
        return Err(SyncError::Server { status: r.status });
    }
    let ch: ChallengeBody = json(&r, "challenge")?;
    let challenge = B64
        .decode(ch.challenge.as_bytes())
        .map_err(|_| protocol("challenge is not base64url"))?;
    if !(16..=64).contains(&challenge.len()) {
        return Err(protocol("challenge has a wrong length"));
    }
    if !(1..=128).contains(&ch.challenge_id.len())
        || !ch.challenge_id.chars().all(|c| c.is_ascii_graphic())
    {
        return Err(protocol(
            "challenge id is not 1–128 printable ASCII characters",
        ));
    }
    progress(SyncStep::Challenge);
    let signed = sign_challenge(
        card,
        pin,
        &login_message(&config.server.origin(), &ch.challenge_id, &challenge),
        config.allow_last_attempt,
    )?;
    let card_cert = CardCertificate::from_der(&signed.certificate_der)?;
    let card_key: KeyFingerprint = card_cert.key_fingerprint();
    let card_spki = card_cert
        .x509()
        .tbs_certificate
        .subject_public_key_info
        .to_der()
        .map_err(|_| protocol("the card's key does not encode"))?;
    progress(SyncStep::CardSigned);
    let body = serde_json::to_vec(&SessionRequest {
        challenge_id: &ch.challenge_id,
        certificate: B64.encode(&signed.certificate_der),
        signature: B64.encode(&signed.signature),
    })
    .map_err(|_| protocol("cannot encode the login"))?;
    let r = client.send(
        HttpMethod::Post,
        "/v1/session",
        vec![header("Content-Type", "application/json")],
        body,
    )?;
    match r.status {
        200 => {}
        400 | 401 | 403 => {
            let code = json::<ErrorBody>(&r, "error")
                .map(|e| {
                    e.error
                        .chars()
                        .filter(char::is_ascii_graphic)
                        .take(40)
                        .collect()
                })
                .unwrap_or_else(|_| format!("HTTP {}", r.status));
            return Err(SyncError::LoginRejected { code });
        }
        status => return Err(SyncError::Server { status }),
    }
    let session: SessionBody = json(&r, "session")?;
    progress(SyncStep::LoggedIn);

    // 5. Documents, conditional on the stored ETag from the same server.
    let mut headers = vec![header(
        "Authorization",
        format!("Bearer {}", session.session),
    )];
    let same_server = state.server.as_deref() == Some(config.server.as_str());
    if let (true, Some(etag)) = (same_server, &state.etag) {
        headers.push(header("If-None-Match", etag.clone()));
    }
    let r = client.send(HttpMethod::Get, "/v1/documents", headers, vec![])?;
    let mut downloaded = Downloaded {
        snapshot: snapshot.clone(),
        server: config.server.as_str().to_string(),
        root,
        trust,
        trust_bytes,
        previous_trust,
        documents: None,
        now,
    };
    match r.status {
        304 if same_server && state.etag.is_some() => {
            progress(SyncStep::NotModified);
            return Ok(downloaded);
        }
        200 => {}
        401 | 403 => {
            return Err(SyncError::LoginRejected {
                code: "session".into(),
            });
        }
        status => return Err(SyncError::Server { status }),
    }
    let docs: DocumentsBody = json(&r, "documents")?;
    if docs.documents.is_empty() || docs.documents.len() > MAX_DOCUMENTS {
        return Err(protocol("wrong number of documents"));
    }

    // 6. Verify every document before storing any.
    let mut verified = Vec::with_capacity(docs.documents.len());
    for d in &docs.documents {
        let bytes = B64
            .decode(d.as_bytes())
            .map_err(|_| protocol("document is not base64url"))?;
        verified.push(verify_document(&bytes, &downloaded.trust, now)?);
    }
    let mut seen = std::collections::HashSet::new();
    for v in &verified {
        if v.document.household_id != docs.household_id {
            return Err(SyncError::InvalidDocument {
                reason: "a document belongs to another household".into(),
            });
        }
        if !seen.insert(v.document.person_id.clone()) {
            return Err(SyncError::InvalidDocument {
                reason: "two documents for the same person".into(),
            });
        }
    }
    // The logged-in card must be bound to exactly one of the documents: its holder's own.
    let own = verified
        .iter()
        .filter(|v| v.document.holder_binding == Some(card_key.0))
        .count();
    if own != 1 {
        return Err(SyncError::HolderMismatch);
    }
    // Each document's presentation (what the QR code shows): verified with the same rules,
    // signed by the same key, and carrying the same content; for the logged-in card's own
    // document, salted-bound to that card's key.
    if docs.presentations.len() != docs.documents.len() {
        return Err(protocol("not one presentation per document"));
    }
    let mut presentations = Vec::with_capacity(verified.len());
    for (v, p) in verified.iter().zip(&docs.presentations) {
        let bytes = B64
            .decode(p.as_bytes())
            .map_err(|_| protocol("presentation is not base64url"))?;
        let vp = verify_presentation_document(&bytes, &downloaded.trust, now)?;
        if vp.kid != v.kid || !vp.document.agrees_with(&v.document) {
            return Err(protocol("a presentation does not agree with its document"));
        }
        if v.document.holder_binding == Some(card_key.0)
            && check_presentation_holder(&vp, &card_spki).is_err()
        {
            return Err(protocol("a presentation does not agree with its document"));
        }
        presentations.push(bytes);
    }
    progress(SyncStep::Verified {
        count: verified.len(),
    });
    downloaded.documents = Some(DocumentSet {
        household_id: docs.household_id,
        etag: docs.etag,
        verified,
        presentations,
    });
    Ok(downloaded)
}
