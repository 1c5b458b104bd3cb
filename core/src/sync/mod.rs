//! Downloading the household's signed documents while online (docs/sync-protocol.md).
//!
//! A sync runs in two phases, so that the apps hold the store only briefly:
//! 1. [`download()`] (network and card, no store): the trust list, verified with the pinned root
//!    and never older than the stored one → card login → the documents, every one verified;
//! 2. [`commit()`] (store, one transaction): matching with stored members, rollback and holder
//!    checks, and the write.
//!
//! [`sync`] runs both on one store. The root is pinned by the first sync and never re-pinned
//! by a sync ([`SyncError::RootChanged`]); [`repin_root`] is the explicit way to change it.
//!
//! - [`http`]: the [`http::HttpTransport`] seam and the server URL policy (https only).

mod commit;
mod download;
mod error;
pub mod http;
mod protocol;

use chrono::{DateTime, Utc};

pub use commit::{commit, repin_root};
pub use download::{Downloaded, SyncSnapshot, download};
pub use error::SyncError;
pub use protocol::{LOGIN_CONTEXT, MAX_RESPONSE_BYTES, fetch_trust_list, login_message};

use crate::card::{CardTransport, Pin};
use crate::document::VerifyingKey;
use crate::store::Store;
use http::{HttpTransport, ServerUrl};

/// What the client needs to know besides the store, the card and the network.
#[derive(Debug, Clone)]
pub struct SyncConfig {
    /// The issuer's base URL (checked: https, or loopback http with the development option).
    pub server: ServerUrl,
    /// The trust-list root key. Required for the first sync (it is then pinned); afterwards
    /// `None` uses the pinned root, and a different key is refused
    /// ([`SyncError::RootChanged`]).
    pub root: Option<VerifyingKey>,
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

/// Runs one sync on `store` (both phases). On any error the store is untouched; on success
/// every document was verified before any was written, and all were written in one
/// transaction with the new sync state. The PIN comes already checked for its format
/// ([`Pin::from_bytes`], at the caller's boundary).
pub fn sync(
    store: &mut Store,
    http: &dyn HttpTransport,
    card: &dyn CardTransport,
    pin: &Pin,
    config: &SyncConfig,
    now: DateTime<Utc>,
    progress: &mut dyn FnMut(SyncStep),
) -> Result<SyncReport, SyncError> {
    let snapshot = SyncSnapshot::take(store)?;
    let downloaded = download(&snapshot, http, card, pin, config, now, progress)?;
    commit(store, downloaded, progress)
}
