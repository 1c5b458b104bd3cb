//! The HTTPS server of docs/sync-protocol.md: axum on tokio, TLS by tokio-rustls (ring).

use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr, TcpListener};
use std::path::PathBuf;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::{Duration as StdDuration, Instant};

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::rejection::BytesRejection;
use axum::extract::{DefaultBodyLimit, Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use chrono::{DateTime, Duration, SecondsFormat, Utc};
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::service::TowerToHyperService;
use rand_core::{OsRng, RngCore};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use shikaku_core::card::{CardCertificate, KeyFingerprint, TrustStore};
use shikaku_core::document::TrustList;
use shikaku_core::sync::http::normalised_origin;
use shikaku_core::sync::login_message;
use tokio::sync::oneshot;
use tokio_rustls::TlsAcceptor;

use crate::data::Data;
use crate::state::Issuer;
use crate::{IssuerError, files, keys, tls};

/// How long a login challenge is valid (it can be used once).
pub const CHALLENGE_LIFETIME: Duration = Duration::minutes(5);

/// How long a session is valid.
pub const SESSION_LIFETIME: Duration = Duration::minutes(15);

/// The most challenges, and the most sessions, held at once by default (beyond that: 503).
pub const MAX_PENDING: usize = 10_000;

/// The most unexpired, unused challenges one client address may hold at once (beyond that:
/// 429). A real login uses its challenge within seconds; a client asking for more is flooding,
/// and must not lock everyone else out by filling the table.
pub const MAX_PENDING_PER_CLIENT: usize = 16;

/// The largest request body accepted (a session request is about 2 KiB).
const MAX_REQUEST_BODY: usize = 64 * 1024;

/// Time allowed for a TLS handshake and for a request's headers.
const IO_TIMEOUT: StdDuration = StdDuration::from_secs(10);

/// The server's clock (injectable for tests).
pub type Clock = Arc<dyn Fn() -> DateTime<Utc> + Send + Sync>;

/// The system clock.
pub fn system_clock() -> Clock {
    Arc::new(Utc::now)
}

/// What `serve` / `spawn` need.
#[derive(Clone)]
pub struct ServeConfig {
    /// The issuer directory made by `init`.
    pub dir: PathBuf,
    /// The data file (re-read on every request; a change bumps versions).
    pub data: PathBuf,
    /// Where to listen, e.g. `127.0.0.1:8443` (port 0 picks a free port).
    pub addr: SocketAddr,
    /// Extra trust anchors (PEM or DER files) for card certificates, besides the J-LIS auth
    /// roots, e.g. the virtual card's test CA.
    pub trust_anchors: Vec<PathBuf>,
    /// The clock.
    pub clock: Clock,
    /// Write one line per request to stderr (method, route, status, time).
    pub log_requests: bool,
    /// The public origin clients reach this issuer at (`https://issuer.example`); logins are
    /// accepted only when the card signed this origin. Default: `https://` + the bound address.
    pub origin: Option<String>,
    /// The most challenges (and sessions) held at once: size it to the expected load.
    pub max_pending: usize,
}

impl ServeConfig {
    /// A configuration with no extra anchors, the system clock and request logging on.
    pub fn new(dir: impl Into<PathBuf>, data: impl Into<PathBuf>, addr: SocketAddr) -> Self {
        ServeConfig {
            dir: dir.into(),
            data: data.into(),
            addr,
            trust_anchors: Vec::new(),
            clock: system_clock(),
            log_requests: true,
            origin: None,
            max_pending: MAX_PENDING,
        }
    }
}

impl std::fmt::Debug for ServeConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ServeConfig")
            .field("dir", &self.dir)
            .field("data", &self.data)
            .field("addr", &self.addr)
            .field("trust_anchors", &self.trust_anchors)
            .field("log_requests", &self.log_requests)
            .field("origin", &self.origin)
            .field("max_pending", &self.max_pending)
            .finish_non_exhaustive()
    }
}

struct Challenge {
    bytes: [u8; 32],
    expires_at: DateTime<Utc>,
    /// The address that asked for it (for the per-client limit).
    client: IpAddr,
}

/// The peer address of the connection a request came on.
#[derive(Debug, Clone, Copy)]
struct ClientAddr(IpAddr);

struct Session {
    card: KeyFingerprint,
    expires_at: DateTime<Utc>,
}

struct AppState {
    clock: Clock,
    /// This issuer's normalised origin, the one a login signature must name.
    origin: String,
    max_pending: usize,
    log_requests: bool,
    anchors: TrustStore,
    trust_list: Vec<u8>,
    trust_list_etag: String,
    challenges: Mutex<HashMap<String, Challenge>>,
    /// Keyed by SHA-256 of the token, so the table never holds a usable token.
    sessions: Mutex<HashMap<[u8; 32], Session>>,
    issuer: Mutex<Issuer>,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    // Every critical section leaves the maps consistent; a panic elsewhere does not matter.
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

/// Everything loaded and checked before the socket is opened.
struct Prepared {
    state: Arc<AppState>,
    tls: TlsAcceptor,
}

/// The normalised origin logins must be bound to: the configured one, or the bound address's.
fn origin_of(config: &ServeConfig, addr: SocketAddr) -> String {
    normalised_origin(
        &config
            .origin
            .clone()
            .unwrap_or_else(|| format!("https://{addr}")),
    )
}

fn prepare(config: &ServeConfig, origin: String) -> Result<Prepared, IssuerError> {
    let dir = &config.dir;
    let now = (config.clock)();
    let root = keys::load_root_public_key(&dir.join(files::ROOT_PUBLIC))?;
    let list_path = dir.join(files::TRUST_LIST);
    let trust_list = files::read(&list_path, "trust list")?;
    let list = TrustList::verify(&trust_list, &root, now)
        .map_err(|e| IssuerError::bad_file(&list_path, format!("trust list: {e}")))?;
    let key = keys::load_signing_key(&dir.join(files::ISSUER_KEY))?;
    let entry = list
        .keys
        .iter()
        .find(|k| k.verifying_key().ok().as_ref() == Some(key.verifying_key()))
        .ok_or_else(|| {
            IssuerError::bad_file(&list_path, "the issuer key is not in the trust list")
        })?;
    if !entry.is_valid_at(now) {
        return Err(IssuerError::config(format!(
            "the issuer key {} is valid only from {} to {}: run init in a new directory",
            entry.kid, entry.not_before, entry.not_after
        )));
    }
    let mut anchors =
        TrustStore::jlis_auth().map_err(|e| IssuerError::config(format!("J-LIS roots: {e}")))?;
    for path in &config.trust_anchors {
        let bytes = files::read(path, "trust anchor")?;
        anchors
            .add_extra_anchor(&bytes)
            .map_err(|_| IssuerError::bad_file(path, "not an X.509 certificate (PEM or DER)"))?;
    }
    let mut issuer = Issuer::new(
        config.data.clone(),
        dir.join(files::STATE),
        key,
        entry.kid.clone(),
        entry.insurers.clone(),
    )?;
    // Fail now, not on the first request, when the data file is unusable.
    issuer.refresh(now)?;
    let tls = TlsAcceptor::from(tls::server_config(
        &dir.join(files::TLS_CERT),
        &dir.join(files::TLS_KEY),
    )?);
    let trust_list_etag = etag_of(&[&trust_list]);
    Ok(Prepared {
        state: Arc::new(AppState {
            clock: Arc::clone(&config.clock),
            origin,
            max_pending: config.max_pending.max(1),
            log_requests: config.log_requests,
            anchors,
            trust_list,
            trust_list_etag,
            challenges: Mutex::new(HashMap::new()),
            sessions: Mutex::new(HashMap::new()),
            issuer: Mutex::new(issuer),
        }),
        tls,
    })
}

fn bind(addr: SocketAddr) -> Result<TcpListener, IssuerError> {
    let listener = TcpListener::bind(addr)
        .map_err(|e| IssuerError::config(format!("cannot listen on {addr}: {e}")))?;
    listener
        .set_nonblocking(true)
        .map_err(|e| IssuerError::config(format!("cannot listen on {addr}: {e}")))?;
    Ok(listener)
}

fn runtime() -> Result<tokio::runtime::Runtime, IssuerError> {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_io()
        .enable_time()
        .build()
        .map_err(|e| IssuerError::config(format!("cannot start the runtime: {e}")))
}

/// Serves until the process ends (or the listener fails). Prints the address it listens on to
/// stderr.
pub fn serve(config: ServeConfig) -> Result<(), IssuerError> {
    let listener = bind(config.addr)?;
    let addr = listener
        .local_addr()
        .map_err(|e| IssuerError::config(format!("listener: {e}")))?;
    let prepared = prepare(&config, origin_of(&config, addr))?;
    eprintln!("issuer: listening on https://{addr}");
    let (_keep, shutdown) = oneshot::channel::<()>();
    runtime()?.block_on(run(listener, prepared, shutdown))
}

/// A server running on a background thread (see [`spawn`]). Dropping it stops it too.
#[derive(Debug)]
pub struct RunningIssuer {
    addr: SocketAddr,
    shutdown: Option<oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<Result<(), IssuerError>>>,
}

impl RunningIssuer {
    /// The address it listens on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `https://127.0.0.1:PORT` (or the bound address).
    pub fn url(&self) -> String {
        format!("https://{}", self.addr)
    }

    /// Stops accepting, drops open connections and waits for the thread.
    pub fn stop(mut self) -> Result<(), IssuerError> {
        self.stop_inner()
    }

    fn stop_inner(&mut self) -> Result<(), IssuerError> {
        if let Some(tx) = self.shutdown.take() {
            // The server may already be gone; then there is nothing to stop.
            let _ = tx.send(());
        }
        match self.thread.take() {
            Some(t) => t
                .join()
                .map_err(|_| IssuerError::config("the issuer thread panicked"))?,
            None => Ok(()),
        }
    }
}

impl Drop for RunningIssuer {
    fn drop(&mut self) {
        // Errors cannot be reported from drop; `stop` reports them.
        let _ = self.stop_inner();
    }
}

/// Loads and checks everything, binds `config.addr`, and serves on a background thread.
/// Returns once the socket is listening.
pub fn spawn(config: ServeConfig) -> Result<RunningIssuer, IssuerError> {
    let listener = bind(config.addr)?;
    let addr = listener
        .local_addr()
        .map_err(|e| IssuerError::config(format!("listener: {e}")))?;
    let prepared = prepare(&config, origin_of(&config, addr))?;
    let rt = runtime()?;
    let (tx, rx) = oneshot::channel();
    let thread = std::thread::Builder::new()
        .name("shikaku-issuer".into())
        .spawn(move || rt.block_on(run(listener, prepared, rx)))
        .map_err(|e| IssuerError::config(format!("cannot start the issuer thread: {e}")))?;
    Ok(RunningIssuer {
        addr,
        shutdown: Some(tx),
        thread: Some(thread),
    })
}

async fn run(
    listener: TcpListener,
    prepared: Prepared,
    shutdown: oneshot::Receiver<()>,
) -> Result<(), IssuerError> {
    let listener = tokio::net::TcpListener::from_std(listener)
        .map_err(|e| IssuerError::config(format!("listener: {e}")))?;
    let app = router(prepared.state);
    let acceptor = prepared.tls;
    let accept_loop = tokio::spawn(async move {
        loop {
            let Ok((tcp, peer)) = listener.accept().await else {
                // Out of descriptors or similar: back off instead of spinning.
                tokio::time::sleep(StdDuration::from_millis(50)).await;
                continue;
            };
            let acceptor = acceptor.clone();
            let app = app.clone().layer(axum::Extension(ClientAddr(peer.ip())));
            tokio::spawn(async move {
                let Ok(Ok(stream)) = tokio::time::timeout(IO_TIMEOUT, acceptor.accept(tcp)).await
                else {
                    return;
                };
                // A client that goes away mid-request is not the server's error.
                let _ = hyper::server::conn::http1::Builder::new()
                    .timer(TokioTimer::new())
                    .header_read_timeout(IO_TIMEOUT)
                    .serve_connection(TokioIo::new(stream), TowerToHyperService::new(app))
                    .await;
            });
        }
    });
    // A sent value or a dropped sender both mean stop. (`serve` keeps its sender for ever.)
    let _ = shutdown.await;
    accept_loop.abort();
    Ok(())
}

fn router(state: Arc<AppState>) -> Router {
    Router::new()
        .route("/v1/challenge", post(challenge))
        .route("/v1/session", post(session))
        .route("/v1/documents", get(documents))
        .route("/v1/trust-list", get(trust_list))
        .fallback(|| async { error(StatusCode::NOT_FOUND, "not_found") })
        .method_not_allowed_fallback(|| async {
            error(StatusCode::METHOD_NOT_ALLOWED, "method_not_allowed")
        })
        .layer(DefaultBodyLimit::max(MAX_REQUEST_BODY))
        .layer(middleware::from_fn_with_state(Arc::clone(&state), log))
        .with_state(state)
}

/// One line per request: method, route (one of the four known paths, never another raw path), status and
/// time. No headers, bodies, tokens or addresses.
async fn log(State(state): State<Arc<AppState>>, request: Request, next: Next) -> Response {
    let started = Instant::now();
    let method = request.method().clone();
    let route: &'static str = match request.uri().path() {
        "/v1/challenge" => "/v1/challenge",
        "/v1/session" => "/v1/session",
        "/v1/documents" => "/v1/documents",
        "/v1/trust-list" => "/v1/trust-list",
        _ => "-",
    };
    let response = next.run(request).await;
    if state.log_requests {
        eprintln!(
            "issuer: {method} {route} {} {:.1}ms",
            response.status().as_u16(),
            started.elapsed().as_secs_f64() * 1000.0
        );
    }
    response
}

#[derive(Serialize)]
struct ErrorBody {
    error: &'static str,
}

fn error(status: StatusCode, code: &'static str) -> Response {
    (status, axum::Json(ErrorBody { error: code })).into_response()
}

/// `N` random bytes from the operating system, or `None` when it has none to give.
fn random<const N: usize>() -> Option<[u8; N]> {
    let mut bytes = [0u8; N];
    OsRng.try_fill_bytes(&mut bytes).ok()?;
    Some(bytes)
}

fn no_randomness() -> Response {
    error(StatusCode::SERVICE_UNAVAILABLE, "unavailable")
}

fn rfc3339(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Secs, true)
}

#[derive(Serialize)]
struct ChallengeBody {
    challenge_id: String,
    challenge: String,
    expires_at: String,
}

async fn challenge(
    State(state): State<Arc<AppState>>,
    axum::Extension(ClientAddr(client)): axum::Extension<ClientAddr>,
) -> Response {
    let now = (state.clock)();
    let (Some(id), Some(bytes)) = (random::<16>(), random::<32>()) else {
        return no_randomness();
    };
    let id = B64.encode(id);
    let expires_at = now + CHALLENGE_LIFETIME;
    {
        let mut challenges = lock(&state.challenges);
        let held = challenges
            .values()
            .filter(|c| c.client == client && c.expires_at >= now)
            .count();
        if held >= MAX_PENDING_PER_CLIENT {
            return error(StatusCode::TOO_MANY_REQUESTS, "rate_limited");
        }
        if challenges.len() >= state.max_pending {
            challenges.retain(|_, c| c.expires_at >= now);
            if challenges.len() >= state.max_pending {
                return error(StatusCode::SERVICE_UNAVAILABLE, "busy");
            }
        }
        challenges.insert(
            id.clone(),
            Challenge {
                bytes,
                expires_at,
                client,
            },
        );
    }
    axum::Json(ChallengeBody {
        challenge_id: id,
        challenge: B64.encode(bytes),
        expires_at: rfc3339(expires_at),
    })
    .into_response()
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SessionRequest {
    challenge_id: String,
    certificate: String,
    signature: String,
}

#[derive(Serialize)]
struct SessionBody {
    session: String,
    expires_at: String,
}

async fn session(
    State(state): State<Arc<AppState>>,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    let now = (state.clock)();
    // An unreadable or oversized body is answered in the protocol's JSON form too.
    let Ok(body) = body else {
        return error(StatusCode::BAD_REQUEST, "bad_request");
    };
    let Ok(request) = serde_json::from_slice::<SessionRequest>(&body) else {
        return error(StatusCode::BAD_REQUEST, "bad_request");
    };
    let (Ok(certificate), Ok(signature)) = (
        B64.decode(request.certificate.as_bytes()),
        B64.decode(request.signature.as_bytes()),
    ) else {
        return error(StatusCode::BAD_REQUEST, "bad_request");
    };
    // Single use: the challenge is gone from here on, whatever the outcome.
    let challenge = lock(&state.challenges).remove(&request.challenge_id);
    let Some(challenge) = challenge.filter(|c| now <= c.expires_at) else {
        return error(StatusCode::UNAUTHORIZED, "challenge");
    };
    let Ok(certificate) = CardCertificate::from_der(&certificate) else {
        return error(StatusCode::UNAUTHORIZED, "certificate");
    };
    if state.anchors.verify(&certificate, now).is_err() {
        return error(StatusCode::UNAUTHORIZED, "certificate");
    }
    if certificate
        .verify_signature(
            &login_message(&state.origin, &request.challenge_id, &challenge.bytes),
            &signature,
        )
        .is_err()
    {
        return error(StatusCode::UNAUTHORIZED, "signature");
    }
    let card = certificate.key_fingerprint();
    {
        let mut issuer = lock(&state.issuer);
        match issuer.refresh(now) {
            Ok(data) if data.person_for_card(&card).is_some() => {}
            Ok(_) => return error(StatusCode::FORBIDDEN, "unknown_person"),
            Err(e) => return data_failure(&state, &e),
        }
    }
    let Some(token) = random::<32>() else {
        return no_randomness();
    };
    let expires_at = now + SESSION_LIFETIME;
    {
        let mut sessions = lock(&state.sessions);
        if sessions.len() >= state.max_pending {
            sessions.retain(|_, s| s.expires_at >= now);
            if sessions.len() >= state.max_pending {
                return error(StatusCode::SERVICE_UNAVAILABLE, "busy");
            }
        }
        sessions.insert(Sha256::digest(token).into(), Session { card, expires_at });
    }
    axum::Json(SessionBody {
        session: B64.encode(token),
        expires_at: rfc3339(expires_at),
    })
    .into_response()
}

/// The data file could not be used: 500, and the reason (positions and fields only) on
/// stderr.
fn data_failure(state: &AppState, e: &IssuerError) -> Response {
    if state.log_requests {
        eprintln!("issuer: {e}");
    }
    error(StatusCode::INTERNAL_SERVER_ERROR, "data")
}

/// The card of a valid session named by `Authorization: Bearer …`.
fn session_card(
    state: &AppState,
    headers: &HeaderMap,
    now: DateTime<Utc>,
) -> Option<KeyFingerprint> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.trim().split_once(' ')?;
    if !scheme.eq_ignore_ascii_case("bearer") {
        return None;
    }
    let token = B64.decode(token.trim().as_bytes()).ok()?;
    let key: [u8; 32] = Sha256::digest(&token).into();
    let mut sessions = lock(&state.sessions);
    match sessions.get(&key) {
        Some(s) if now <= s.expires_at => Some(s.card),
        Some(_) => {
            sessions.remove(&key);
            None
        }
        None => None,
    }
}

/// A strong ETag over the given parts: 32 hex digits of SHA-256 over each part's length and
/// bytes.
fn etag_of(parts: &[&[u8]]) -> String {
    let mut h = Sha256::new();
    for p in parts {
        h.update((p.len() as u64).to_be_bytes());
        h.update(p);
    }
    h.finalize()[..16]
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// True when `If-None-Match` names `etag` (quoted or not, weak or not) or is `*`.
fn not_modified(headers: &HeaderMap, etag: &str) -> bool {
    headers
        .get_all(header::IF_NONE_MATCH)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(|t| {
            let t = t.trim();
            t.strip_prefix("W/").unwrap_or(t).trim_matches('"')
        })
        .any(|t| t == "*" || t == etag)
}

fn quoted(etag: &str) -> Option<HeaderValue> {
    HeaderValue::from_str(&format!("\"{etag}\"")).ok()
}

fn not_modified_response(etag: &str) -> Response {
    let mut r = StatusCode::NOT_MODIFIED.into_response();
    if let Some(v) = quoted(etag) {
        r.headers_mut().insert(header::ETAG, v);
    }
    r
}

#[derive(Serialize)]
struct DocumentsBody {
    household_id: String,
    etag: String,
    documents: Vec<String>,
    /// The presentation of each document, in the same order.
    presentations: Vec<String>,
}

async fn documents(State(state): State<Arc<AppState>>, headers: HeaderMap) -> Response {
    let now = (state.clock)();
    let Some(card) = session_card(&state, &headers, now) else {
        return error(StatusCode::UNAUTHORIZED, "session");
    };
    let (household_id, docs) = {
        let mut issuer = lock(&state.issuer);
        let ids = match issuer.refresh(now) {
            Ok(data) => match data.person_for_card(&card) {
                Some((h, p)) => (
                    h.id.clone(),
                    Data::visible_to(h, p)
                        .iter()
                        .map(|m| m.id.clone())
                        .collect::<Vec<_>>(),
                ),
                // The card was removed from the data file after login.
                None => return error(StatusCode::FORBIDDEN, "unknown_person"),
            },
            Err(e) => return data_failure(&state, &e),
        };
        let mut docs = Vec::with_capacity(ids.1.len());
        for id in &ids.1 {
            match issuer.signed(id) {
                Some(s) if s.household_id == ids.0 => {
                    docs.push((s.bytes.clone(), s.presentation.clone()))
                }
                _ => {
                    return data_failure(
                        &state,
                        &IssuerError::config("a document is missing after a reload"),
                    );
                }
            }
        }
        (ids.0, docs)
    };
    let mut parts: Vec<&[u8]> = vec![household_id.as_bytes()];
    for (doc, presentation) in &docs {
        parts.push(doc);
        parts.push(presentation);
    }
    let etag = etag_of(&parts);
    if not_modified(&headers, &etag) {
        return not_modified_response(&etag);
    }
    let mut response = axum::Json(DocumentsBody {
        household_id,
        etag: etag.clone(),
        documents: docs.iter().map(|(d, _)| B64.encode(d)).collect(),
        presentations: docs.iter().map(|(_, p)| B64.encode(p)).collect(),
    })
    .into_response();
    if let Some(v) = quoted(&etag) {
        response.headers_mut().insert(header::ETAG, v);
    }
    response
}

async fn trust_list(State(state): State<Arc<AppState>>, headers: HeaderMap) -> Response {
    if not_modified(&headers, &state.trust_list_etag) {
        return not_modified_response(&state.trust_list_etag);
    }
    let mut response = Response::new(Body::from(state.trust_list.clone()));
    let h = response.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/cose"),
    );
    if let Some(v) = quoted(&state.trust_list_etag) {
        h.insert(header::ETAG, v);
    }
    response
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    #[test]
    fn if_none_match_forms() {
        let mut h = HeaderMap::new();
        assert!(!not_modified(&h, "abc"));
        for v in ["\"abc\"", "abc", "W/\"abc\"", "\"x\", \"abc\"", "*"] {
            h.insert(header::IF_NONE_MATCH, HeaderValue::from_str(v).unwrap());
            assert!(not_modified(&h, "abc"), "{v}");
        }
        h.insert(header::IF_NONE_MATCH, HeaderValue::from_static("\"abd\""));
        assert!(!not_modified(&h, "abc"));
    }

    #[test]
    fn etag_depends_on_boundaries() {
        assert_ne!(etag_of(&[b"ab", b"c"]), etag_of(&[b"a", b"bc"]));
        assert_eq!(etag_of(&[b"ab"]).len(), 32);
    }
}
