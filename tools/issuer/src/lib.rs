//! The reference issuer of signed eligibility documents (architecture.md, "Signed eligibility
//! documents and sync"; the HTTP contract is docs/sync-protocol.md).
//!
//! - [`init`] creates a development directory: a root key, an issuer key, a trust list signed
//!   by the root, and a TLS CA with a `localhost` / `127.0.0.1` server certificate
//!   (file names in [`files`]).
//! - [`serve`] / [`spawn`] run the HTTPS download protocol over a data file of households
//!   ([`data`], example: `examples/households.toml`): card login with a challenge, the
//!   household's signed documents with ETag / If-None-Match, and the trust list.
//! - Editing the data file bumps versions: a state file in the directory keeps, per person, the
//!   hash of what was last signed, its version and its time of issue ([`state`]).
//!
//! **Development only**: the keys live in plain files (mode 0600) and the TLS CA is made for
//! loopback. Nothing here logs or returns personal data: request logs are method, route,
//! status and time; errors name files, positions and fields, never values.

pub mod data;
mod error;
pub mod files;
mod init;
mod keys;
mod server;
pub mod state;
mod tls;

pub use error::IssuerError;
pub use init::{DEFAULT_INSURERS, DEFAULT_KID, InitOptions, InitReport, init, init_with};
pub use keys::{load_root_public_key, load_signing_key};
pub use server::{
    CHALLENGE_LIFETIME, Clock, MAX_PENDING, MAX_PENDING_PER_CLIENT, RunningIssuer,
    SESSION_LIFETIME, ServeConfig, serve, spawn, system_clock,
};
pub use state::{DOCUMENT_REFRESH_AFTER, DOCUMENT_VALIDITY};
