//! The wire side of the download protocol (docs/sync-protocol.md): the login message the card
//! signs, the JSON bodies, and requests through the platform's [`HttpTransport`].

use serde::{Deserialize, Serialize};

use super::SyncConfig;
use super::error::SyncError;
use super::http::{HttpHeader, HttpMethod, HttpRequest, HttpResponse, HttpTransport};

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

/// The largest number of documents accepted in one answer.
pub(super) const MAX_DOCUMENTS: usize = 64;

#[derive(Deserialize)]
pub(super) struct ChallengeBody {
    pub challenge_id: String,
    pub challenge: String,
}

#[derive(Serialize)]
pub(super) struct SessionRequest<'a> {
    pub challenge_id: &'a str,
    pub certificate: String,
    pub signature: String,
}

#[derive(Deserialize)]
pub(super) struct SessionBody {
    pub session: String,
}

#[derive(Deserialize)]
pub(super) struct DocumentsBody {
    pub household_id: String,
    pub etag: String,
    pub documents: Vec<String>,
}

#[derive(Deserialize)]
pub(super) struct ErrorBody {
    pub error: String,
}

pub(super) fn protocol(reason: &str) -> SyncError {
    SyncError::Protocol {
        reason: reason.to_string(),
    }
}

pub(super) fn json<T: for<'de> Deserialize<'de>>(
    r: &HttpResponse,
    what: &str,
) -> Result<T, SyncError> {
    serde_json::from_slice(&r.body)
        .map_err(|_| protocol(&format!("{what} is not the expected JSON")))
}

pub(super) fn header(name: &str, value: impl Into<String>) -> HttpHeader {
    HttpHeader {
        name: name.into(),
        value: value.into(),
    }
}

/// Sends requests to the configured server with the configured timeout.
pub(super) struct Client<'a> {
    pub http: &'a dyn HttpTransport,
    pub config: &'a SyncConfig,
}

impl Client<'_> {
    pub fn send(
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
