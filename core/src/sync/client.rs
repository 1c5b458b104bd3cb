//! The sync client: trust list → card login → documents → verify all → store all at once.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::http::{
    HttpError, HttpHeader, HttpMethod, HttpRequest, HttpResponse, HttpTransport, ServerUrl,
};
use crate::card::{CardCertificate, CardError, CardTransport, KeyFingerprint, sign_challenge};
use crate::document::{
    DocumentError, EligibilityDocument, TrustList, VerifiedDocument, VerifyingKey,
    reverify_provenance, verify_document,
};
use crate::eligibility::{MemberId, Provenance, RecordId};
use crate::store::{Store, StoreError, SyncState};

/// The context every login signature is bound to.
pub const LOGIN_CONTEXT: &[u8] = b"shikaku-login/v1\0";

/// The bytes the card signs to log in: [`LOGIN_CONTEXT`] followed by the server's challenge.
/// Binding the context means a hostile server cannot relay another service's JPKI login
/// challenge and obtain a signature it could use there.
pub fn login_message(challenge: &[u8]) -> Vec<u8> {
    let mut m = LOGIN_CONTEXT.to_vec();
    m.extend_from_slice(challenge);
    m
}

/// What the client needs to know besides the store, the card and the network.
#[derive(Debug, Clone)]
pub struct SyncConfig {
    /// The issuer's base URL (checked: https, or loopback http with the development option).
    pub server: ServerUrl,
    /// The pinned root key that signs the trust list.
    pub root: VerifyingKey,
    /// Send the PIN even when only one try is left (the user consented).
    pub allow_last_attempt: bool,
    /// Per-request timeout in milliseconds.
    pub timeout_ms: u32,
}

/// A step of the sync, reported as it happens (for progress display).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SyncStep {
    /// The trust list was fetched and verified.
    TrustList {
        /// Its version.
        version: u64,
    },
    /// The server's login challenge arrived.
    Challenge,
    /// The card signed the challenge (PIN accepted).
    CardSigned,
    /// The server accepted the login.
    LoggedIn,
    /// Nothing changed on the server since the last sync (HTTP 304).
    NotModified,
    /// Documents arrived and every one verified.
    Verified {
        /// How many.
        count: usize,
    },
    /// They were stored in one transaction.
    Stored {
        /// Documents that were new or newer.
        written: usize,
        /// Documents identical to the stored ones (not rewritten).
        unchanged: usize,
    },
}

/// How a successful sync ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyncReport {
    /// True when the server answered 304 and nothing but the sync time was written.
    pub not_modified: bool,
    /// Documents stored (new or newer versions).
    pub written: usize,
    /// Documents already stored as they are.
    pub unchanged: usize,
    /// The trust list version in force.
    pub trust_list_version: u64,
    /// When it finished.
    pub at: DateTime<Utc>,
}

/// Why a sync failed. After any of these the stored data is exactly as before.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SyncError {
    /// No network or the server is unreachable.
    #[error("offline or the server is unreachable ({reason})")]
    Offline {
        /// Data-free reason.
        reason: String,
    },
    /// A request timed out.
    #[error("the server did not answer in time")]
    Timeout,
    /// The connection broke mid-answer.
    #[error("the connection broke before the answer was complete ({reason})")]
    Interrupted {
        /// Data-free reason.
        reason: String,
    },
    /// TLS failed.
    #[error("secure connection failed ({reason})")]
    Tls {
        /// Data-free reason.
        reason: String,
    },
    /// The server answered with an unexpected HTTP status.
    #[error("the server answered HTTP {status}")]
    Server {
        /// The status code.
        status: u16,
    },
    /// The server refused the card login.
    #[error("the server refused the login ({code})")]
    LoginRejected {
        /// The server's error code (`challenge`, `certificate`, `signature`, `unknown_person`).
        code: String,
    },
    /// The answer is not what the protocol says (garbage, truncated JSON, bad base64, …).
    #[error("the server's answer is malformed ({reason})")]
    Protocol {
        /// Data-free reason.
        reason: String,
    },
    /// A document or the trust list is not signed by a trusted, valid, allowed key.
    #[error("not trusted: {reason}")]
    Untrusted {
        /// Why.
        reason: String,
    },
    /// A document is malformed or breaks the model's rules.
    #[error("invalid document: {reason}")]
    InvalidDocument {
        /// Why (no values).
        reason: String,
    },
    /// A document or trust list is older than the one stored.
    #[error("the server sent an older version than the one stored (rollback refused)")]
    Rollback,
    /// A document is bound to another card than the one it must belong to.
    #[error("a document is bound to another My Number Card")]
    HolderMismatch,
    /// The card step failed (PIN guard, transport, certificate).
    #[error("card: {0}")]
    Card(#[from] CardError),
    /// The store failed.
    #[error("store: {0}")]
    Store(#[from] StoreError),
}

impl From<HttpError> for SyncError {
    fn from(e: HttpError) -> Self {
        match e {
            HttpError::Offline { reason } | HttpError::Other { reason } => {
                SyncError::Offline { reason }
            }
            HttpError::Timeout => SyncError::Timeout,
            HttpError::Interrupted { reason } => SyncError::Interrupted { reason },
            HttpError::Tls { reason } => SyncError::Tls { reason },
        }
    }
}

impl From<DocumentError> for SyncError {
    fn from(e: DocumentError) -> Self {
        match e {
            DocumentError::Rollback => SyncError::Rollback,
            DocumentError::HolderMismatch => SyncError::HolderMismatch,
            DocumentError::BadSignature
            | DocumentError::UnknownKey { .. }
            | DocumentError::KeyExpired
            | DocumentError::KeyNotAllowedForInsurer
            | DocumentError::UnsupportedAlgorithm => SyncError::Untrusted {
                reason: e.to_string(),
            },
            other => SyncError::InvalidDocument {
                reason: other.to_string(),
            },
        }
    }
}

#[derive(Deserialize)]
struct ChallengeBody {
    challenge_id: String,
    challenge: String,
}

#[derive(Serialize)]
struct SessionRequest<'a> {
    challenge_id: &'a str,
    certificate: String,
    signature: String,
}

#[derive(Deserialize)]
struct SessionBody {
    session: String,
}

#[derive(Deserialize)]
struct DocumentsBody {
    household_id: String,
    etag: String,
    documents: Vec<String>,
}

#[derive(Deserialize)]
struct ErrorBody {
    error: String,
}

fn protocol(reason: &str) -> SyncError {
    SyncError::Protocol {
        reason: reason.to_string(),
    }
}

fn json<T: for<'de> Deserialize<'de>>(r: &HttpResponse, what: &str) -> Result<T, SyncError> {
    serde_json::from_slice(&r.body)
        .map_err(|_| protocol(&format!("{what} is not the expected JSON")))
}

/// The largest number of documents accepted in one answer.
const MAX_DOCUMENTS: usize = 64;

struct Client<'a> {
    http: &'a dyn HttpTransport,
    config: &'a SyncConfig,
}

impl Client<'_> {
    fn send(
        &self,
        method: HttpMethod,
        path: &str,
        headers: Vec<HttpHeader>,
        body: Vec<u8>,
    ) -> Result<HttpResponse, SyncError> {
        Ok(self.http.send(HttpRequest {
            method,
            url: self.config.server.join(path),
            headers,
            body,
            timeout_ms: self.config.timeout_ms,
        })?)
    }
}

fn header(name: &str, value: impl Into<String>) -> HttpHeader {
    HttpHeader {
        name: name.into(),
        value: value.into(),
    }
}

/// What to do with one verified document.
struct Planned {
    verified: VerifiedDocument,
    member: Option<MemberId>,
    replace: Option<RecordId>,
    unchanged: bool,
}

/// Runs one sync. On any error the store is untouched; on success every document was verified
/// before any was written, and all were written in one transaction with the new sync state.
pub fn sync(
    store: &mut Store,
    http: &dyn HttpTransport,
    card: &dyn CardTransport,
    pin: &str,
    config: &SyncConfig,
    now: DateTime<Utc>,
    progress: &mut dyn FnMut(SyncStep),
) -> Result<SyncReport, SyncError> {
    let client = Client { http, config };
    let state = store.sync_state()?;

    // 1. The trust list, verified with the pinned root; never older than the stored one.
    let r = client.send(HttpMethod::Get, "/v1/trust-list", vec![], vec![])?;
    if r.status != 200 {
        return Err(SyncError::Server { status: r.status });
    }
    let trust = TrustList::verify(&r.body, &config.root, now).map_err(|e| match e {
        DocumentError::BadSignature | DocumentError::UnsupportedAlgorithm => SyncError::Untrusted {
            reason: format!("trust list: {e}"),
        },
        other => SyncError::from(other),
    })?;
    if let Some(stored) = state
        .trust_list
        .as_deref()
        .and_then(|b| TrustList::verify(b, &config.root, now).ok())
        && (trust.version < stored.version
            || (trust.version == stored.version
                && state.trust_list.as_deref() != Some(&r.body[..])))
    {
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
    progress(SyncStep::Challenge);
    let signed = sign_challenge(
        card,
        pin,
        &login_message(&challenge),
        config.allow_last_attempt,
    )?;
    let card_key: KeyFingerprint =
        CardCertificate::from_der(&signed.certificate_der)?.key_fingerprint();
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
    let mut new_state = SyncState {
        server: Some(config.server.as_str().to_string()),
        etag: state.etag.clone(),
        last_success: Some(now),
        household_id: state.household_id.clone(),
        trust_list: Some(trust_bytes),
        root_key: Some(config.root.to_encoded_point(true).as_bytes().to_vec()),
    };
    match r.status {
        304 if same_server && state.etag.is_some() => {
            store.write(|b| b.set_sync_state(&new_state))?;
            progress(SyncStep::NotModified);
            return Ok(SyncReport {
                not_modified: true,
                written: 0,
                unchanged: 0,
                trust_list_version: trust.version,
                at: now,
            });
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
        verified.push(verify_document(&bytes, &trust, now)?);
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
    let plan = plan(store, verified, &trust, now)?;
    progress(SyncStep::Verified { count: plan.len() });

    // 7. Store everything at once.
    new_state.etag = Some(docs.etag);
    new_state.household_id = Some(docs.household_id);
    let (mut written, mut unchanged) = (0, 0);
    store.write(|b| {
        for p in &plan {
            if p.unchanged {
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
            match p.replace {
                Some(id) => b.replace_record(id, &doc.record, &provenance)?,
                None => {
                    b.put_record(member, &doc.record, &provenance)?;
                }
            }
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
/// documents bound to a card other than the one last checked for that member.
fn plan(
    store: &Store,
    verified: Vec<VerifiedDocument>,
    trust: &TrustList,
    now: DateTime<Utc>,
) -> Result<Vec<Planned>, SyncError> {
    let mut out = Vec::with_capacity(verified.len());
    for v in verified {
        let Some(member) = store.member_by_issuer_ref(&v.document.person_id)? else {
            out.push(Planned {
                verified: v,
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
        for r in store.records(member.id)?.records {
            let Provenance::IssuerSigned { signed_bytes, .. } = &r.provenance else {
                continue;
            };
            replace = Some(r.id);
            if *signed_bytes == v.signed_bytes {
                unchanged = true;
                continue;
            }
            // A stored document that no longer verifies (e.g. its key left the trust list)
            // may be replaced by any newer valid one.
            if let Ok(old) = reverify_provenance(&r.provenance, trust, now)
                && v.document.version <= old.document.version
            {
                return Err(SyncError::Rollback);
            }
        }
        out.push(Planned {
            verified: v,
            member: Some(member.id),
            replace,
            unchanged,
        });
    }
    Ok(out)
}
