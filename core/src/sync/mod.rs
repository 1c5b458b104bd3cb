//! Downloading the household's signed documents while online (docs/sync-protocol.md).
//!
//! - [`http`]: the [`http::HttpTransport`] seam and the server URL policy (https only).
//! - [`sync`]: trust list → card login → documents → verify all → store all in one transaction.

mod client;
pub mod http;

pub use client::{LOGIN_CONTEXT, SyncConfig, SyncError, SyncReport, SyncStep, login_message, sync};
