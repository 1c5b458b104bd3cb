//! Sync with the issuer: settings, the sync itself, re-pinning the trust-list root, and what the
//! last sync left.

use std::sync::{Arc, PoisonError};

use chrono::Utc;
use shikaku_core::document::VerifyingKey;
use shikaku_core::sync::http::{ServerUrl, SpkiPin};
use shikaku_core::sync::{SyncConfig, SyncSnapshot, commit, download, repin_root};

use crate::convert::time;
use crate::error::{ShikakuError, invalid};
use crate::household::Household;
use crate::platform::{CardTransport, CardTransportAdapter, HttpTransport, HttpTransportAdapter};

/// Where and how to sync.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct SyncSettings {
    /// The issuer's base URL (https).
    pub server_url: String,
    /// The pinned root key that signs the trust list (SEC1 encoded P-256 point).
    pub root_key: Vec<u8>,
    /// Send the PIN even when only one try is left (the user consented).
    #[uniffi(default)]
    pub allow_last_attempt: bool,
    /// Per-request timeout in milliseconds.
    #[uniffi(default = 30000)]
    pub timeout_ms: u32,
    /// Development only: allow plain `http://127.0.0.1` / `localhost`.
    #[uniffi(default)]
    pub allow_insecure_loopback: bool,
    /// Optional TLS public-key pins of the issuer: `sha256/` + base64 of the SHA-256 of a
    /// certificate's SubjectPublicKeyInfo (OkHttp's `CertificatePinner` form). Not empty: the
    /// connection must also present one of these keys in its chain. Empty: no pinning.
    #[uniffi(default)]
    pub tls_pins: Vec<String>,
}

/// How a successful sync ended.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct SyncOutcome {
    /// True when the server answered "not modified".
    pub not_modified: bool,
    /// Documents stored (new or newer versions).
    pub written: u32,
    /// Documents already stored as they are.
    pub unchanged: u32,
    /// The trust list version in force.
    pub trust_list_version: u64,
    /// When it finished, RFC 3339.
    pub at: String,
}

/// What the last successful sync left.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct SyncStatus {
    /// The server it came from.
    pub server: Option<String>,
    /// When the last sync succeeded, RFC 3339.
    pub last_success: Option<String>,
    /// The household id the issuer gave.
    pub household_id: Option<String>,
}

/// A root key as the apps hand it over: a SEC1-encoded P-256 public key, else the typed field
/// error. The one reading of `root_key` for the household's sync and re-pin and the desk's trust
/// list.
pub(crate) fn root_key_from(sec1: &[u8]) -> Result<VerifyingKey, ShikakuError> {
    VerifyingKey::from_sec1_bytes(sec1).map_err(|_| {
        invalid(
            "root_key",
            "ルート鍵",
            "is not a SEC1-encoded P-256 public key",
        )
    })
}

/// The issuer's address and TLS pins as the core checks them (`ServerUrl::parse`, then
/// `SpkiPin::parse_for`: the pins' form, and `https://` only): one reading for the household's
/// sync and the desk's trust-list update.
pub(crate) fn issuer_endpoint(
    server_url: &str,
    allow_insecure_loopback: bool,
    tls_pins: &[String],
) -> Result<(ServerUrl, Vec<SpkiPin>), ShikakuError> {
    let server = ServerUrl::parse(server_url, allow_insecure_loopback)?;
    let pins = SpkiPin::parse_for(&server, tls_pins)
        .map_err(|e| invalid("tls_pins", "サーバー公開鍵のピン", &e.to_string()))?;
    Ok((server, pins))
}

#[uniffi::export]
impl Household {
    /// Downloads the household's signed documents: trust list, card login (PIN guard as in
    /// `check_card`), documents; every document is verified before any is stored, all in one
    /// transaction. On any error the store is unchanged.
    pub fn sync(
        &self,
        http: Arc<dyn HttpTransport>,
        card: Arc<dyn CardTransport>,
        pin: Vec<u8>,
        settings: SyncSettings,
    ) -> Result<SyncOutcome, ShikakuError> {
        // The PIN comes as bytes the caller can wipe (see `check_card`); checked at once, before
        // any request, and this copy is wiped when the parse returns.
        let pin = crate::card::checked_pin(pin)?;
        let (server, tls_pins) = issuer_endpoint(
            &settings.server_url,
            settings.allow_insecure_loopback,
            &settings.tls_pins,
        )?;
        let root = root_key_from(&settings.root_key)?;
        let config = SyncConfig {
            server,
            root: Some(root),
            allow_last_attempt: settings.allow_last_attempt,
            timeout_ms: settings.timeout_ms,
        };
        // One sync at a time; the store itself is held only for the snapshot and the commit,
        // so screens stay responsive while the network and the card are slow.
        let _one_sync = self
            .sync_lock
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        let snapshot = SyncSnapshot::take(&self.store())?;
        let downloaded = download(
            &snapshot,
            &HttpTransportAdapter { http, tls_pins },
            &CardTransportAdapter(card),
            &pin,
            &config,
            Utc::now(),
            &mut |_| {},
        )?;
        let report = commit(&mut self.store(), downloaded, &mut |_| {})?;
        Ok(SyncOutcome {
            not_modified: report.not_modified,
            written: u32::try_from(report.written).unwrap_or(u32::MAX),
            unchanged: u32::try_from(report.unchanged).unwrap_or(u32::MAX),
            trust_list_version: report.trust_list_version,
            at: time(report.at),
        })
    }

    /// Pins another trust-list root: the explicit step a sync never takes by itself (a sync
    /// with a root other than the pinned one fails with `ShikakuError::RootChanged`). The
    /// stored trust list is dropped; until the next sync no signed record shows as verified.
    pub fn repin_root(&self, root_key: Vec<u8>) -> Result<(), ShikakuError> {
        let root = root_key_from(&root_key)?;
        let _one_sync = self
            .sync_lock
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        Ok(repin_root(&mut self.store(), &root)?)
    }

    /// What the last successful sync left.
    pub fn sync_status(&self) -> Result<SyncStatus, ShikakuError> {
        let s = self.store().sync_state()?;
        Ok(SyncStatus {
            server: s.server,
            last_success: s.last_success.map(time),
            household_id: s.household_id,
        })
    }
}
