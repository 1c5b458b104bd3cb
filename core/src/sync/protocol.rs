//! The wire side of the download protocol (docs/sync-protocol.md): the login message the card
//! signs, the JSON bodies, and requests through the platform's [`HttpTransport`].

use serde::{Deserialize, Serialize};

use super::SyncConfig;
use super::error::SyncError;
use super::http::{HttpHeader, HttpMethod, HttpRequest, HttpResponse, HttpTransport, ServerUrl};

/// The context every login signature is bound to (version 2: bound to the server's origin
/// and the challenge id as well).
pub const LOGIN_CONTEXT: &[u8] = b"shikaku-login/v2\0";

fn push_field(m: &mut Vec<u8>, field: &[u8]) {
    // Every field is length-prefixed (u32, big-endian), so no two different (origin, id,
    // challenge) triples give the same bytes. Fields longer than u32::MAX do not occur (the
    // challenge is at most 64 bytes, the id and origin are short strings); saturate anyway.
    let len = u32::try_from(field.len()).unwrap_or(u32::MAX);
    m.extend_from_slice(&len.to_be_bytes());
    m.extend_from_slice(field);
}

/// The bytes the card signs to log in: [`LOGIN_CONTEXT`], then the server's normalised origin
/// ([`super::http::ServerUrl::origin`]), the challenge id and the challenge, each
/// length-prefixed. Binding the context means a hostile server cannot relay another service's
/// JPKI login challenge; binding the origin means a hostile issuer the user syncs with cannot
/// relay the real issuer's challenge and use the signature there (the issuer checks that the
/// origin is its own).
pub fn login_message(origin: &str, challenge_id: &str, challenge: &[u8]) -> Vec<u8> {
    let mut m = LOGIN_CONTEXT.to_vec();
    push_field(&mut m, origin.as_bytes());
    push_field(&mut m, challenge_id.as_bytes());
    push_field(&mut m, challenge);
    m
}

/// The largest number of documents accepted in one answer.
pub(super) const MAX_DOCUMENTS: usize = 64;

/// The largest answer body the core accepts (1 MiB), whatever the platform transport lets
/// through: a household's documents are a few KiB each, at most 64 of them.
pub const MAX_RESPONSE_BYTES: usize = 1024 * 1024;

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
    /// The presentation document of each document, in the same order.
    pub presentations: Vec<String>,
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
        send(
            self.http,
            HttpRequest {
                method,
                url: self.config.server.join(path),
                headers,
                body,
                timeout_ms: self.config.timeout_ms,
            },
        )
    }
}

/// Sends one request; an answer over [`MAX_RESPONSE_BYTES`] is a protocol error.
fn send(http: &dyn HttpTransport, request: HttpRequest) -> Result<HttpResponse, SyncError> {
    let response = http.send(request)?;
    if response.body.len() > MAX_RESPONSE_BYTES {
        return Err(protocol("the answer is larger than 1 MiB"));
    }
    Ok(response)
}

/// Fetches the issuer's signed trust list (`GET /v1/trust-list`, no login) for a device that
/// keeps a trust list without a household, such as a clinic desk. The bytes are not verified
/// here: the caller verifies them with its pinned root and its rollback rule.
pub fn fetch_trust_list(
    http: &dyn HttpTransport,
    server: &ServerUrl,
    timeout_ms: u32,
) -> Result<Vec<u8>, SyncError> {
    let r = send(
        http,
        HttpRequest {
            method: HttpMethod::Get,
            url: server.join("/v1/trust-list"),
            headers: vec![],
            body: vec![],
            timeout_ms,
        },
    )?;
    if r.status != 200 {
        return Err(SyncError::Server { status: r.status });
    }
    Ok(r.body)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_login_message_binds_origin_id_and_challenge_unambiguously() {
        let m = login_message("https://a.example", "c1", &[7; 32]);
        assert!(m.starts_with(b"shikaku-login/v2\0"));
        assert_ne!(m, login_message("https://b.example", "c1", &[7; 32]));
        assert_ne!(m, login_message("https://a.example", "c2", &[7; 32]));
        assert_ne!(m, login_message("https://a.example", "c1", &[8; 32]));
        // Moving bytes between fields changes the message (length prefixes).
        assert_ne!(
            login_message("https://a.example", "c1x", &[7; 31]),
            login_message("https://a.example", "c1", &[b'x'; 32])
        );
    }
}
