//! Why a sync failed. After any of these the stored data is exactly as before.

use super::http::HttpError;
use crate::card::CardError;
use crate::document::DocumentError;
use crate::store::StoreError;

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
    /// A document or the trust list is not signed by a trusted, valid, allowed key, or no
    /// trust-list root is known yet.
    #[error("not trusted: {reason}")]
    Untrusted {
        /// Why.
        reason: String,
    },
    /// The trust-list root given differs from the one pinned by the first sync. The store is
    /// never re-pinned by a sync; changing the root is a separate, explicit operation
    /// ([`super::repin_root`]).
    #[error("the trust-list root differs from the pinned one (not re-pinned)")]
    RootChanged,
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
    /// Another sync changed the store while this one was downloading; nothing of this one
    /// was stored (try again).
    #[error("the store changed during the sync (another sync finished first); try again")]
    Concurrent,
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
