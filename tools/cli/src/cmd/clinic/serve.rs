//! `shikaku clinic serve`: the desk page for a clinic PC (docs/clinic.md, "Desk page").
//!
//! A small HTTP server on the loopback interface only (`127.0.0.1`, a random port unless one is
//! given), reachable only under a per-run random token in the URL path. The page is rendered
//! here, on the server, with no script and no external asset; every rule (the verdict, the
//! claim fields, the log, the CSV) is the core's `clinic` module — this file only calls it and
//! turns its answers into HTML (`desk_page`).
//!
//! With `--card READER` the page also checks the patient's card against the verification on
//! it (`card`: the core's `check_card_at_desk`, without a PIN or with the PIN the patient types;
//! the PIN guard is the core's).
//!
//! A patient nothing can be confirmed for is taken on a 被保険者資格申立書: the page's 申立 form
//! (`declare`) records it through the core as `clinic declare` does, and shows the core's
//! cashier line (the share to collect). A refused form comes back refilled with what was
//! typed, for that answer only.
//!
//! What it keeps in memory: the open desk store (behind a mutex) and what the page shows (the
//! last verification, under a random id, with the card check held for it by the core's
//! `PendingCardCheck`, the last check's answer and the PIN form's single-use token), until it
//! is recorded or replaced by the next scan. A post that went through, and every card post, is
//! answered with a redirect to the page (POST/redirect/GET), so a reload never posts again and
//! the browser keeps no scanned payload or PIN to resubmit; a PIN form can be used once (its
//! token is spent before the card is touched), and so can a 申立 form (its token is spent
//! before it is read).
//! Nothing else is kept — a PIN only for its request, in buffers wiped when dropped —, nothing
//! is written but what the core appends to the encrypted log, and no personal value or PIN
//! appears in a URL (the scanned payload and the forms are POST bodies).

use std::net::{Ipv4Addr, SocketAddr, TcpListener};
use std::path::{Path, PathBuf};
use std::pin::Pin;
use std::process::ExitCode;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration as StdDuration;

use anyhow::{Context as _, Result, bail};
use axum::Router;
use axum::body::{Body, Bytes, HttpBody};
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use chrono::Utc;
use clap::Args;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::service::TowerToHyperService;
use rand_core::{OsRng, RngCore};
use shikaku_core::clinic::export::CsvFlavor;
use shikaku_core::clinic::{
    CardCheckFailure, DESK_FILE, DeclarationForm, DeclarationText, DeskStore, DeskVerification,
    MAX_PUBLIC_EXPENSES, PendingCardCheck, PublicExpenseEntry, TrustSource, VerifyOptions, export,
};
use shikaku_core::clock::japan_today;
use shikaku_core::store::PassphraseKeyStore;
use zeroize::{Zeroize as _, Zeroizing};

use crate::context::passphrase;

mod card;
mod desk_page;

use card::{CardDesk, CardOutcome, CardResult};
use desk_page::{CardPanel, DeclarePanel, Notice, PageView, Pending, Typed};

/// `clinic serve` options.
#[derive(Args)]
pub struct ServeArgs {
    /// The loopback port to listen on (0: a free port chosen by the system).
    #[arg(long, default_value_t = 0)]
    port: u16,
    #[command(flatten)]
    trust_age: super::desk::TrustAgeArg,
    /// Check the patient's card from the page on this reader: `pcsc`, `pcsc:NAME` (connected
    /// for each check) or `vcard:PROFILE.toml` (the virtual card, one card for the whole run).
    #[arg(long, value_name = "READER")]
    card: Option<String>,
    /// Extra trust anchor for the card's certificate (PEM or DER), e.g. a test CA.
    #[arg(long, value_name = "FILE", requires = "card")]
    trust_anchor: Vec<PathBuf>,
}

/// The largest request body accepted (`read_body`): a QR payload is a few kilobytes at most.
const BODY_LIMIT: usize = 16 * 1024;
/// How long a client may take to send its request headers.
const HEADER_TIMEOUT: StdDuration = StdDuration::from_secs(10);
/// The page's Content-Security-Policy: nothing but inline styles, forms posting to the page
/// itself, never framed.
const CSP: &str = "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; \
                   frame-ancestors 'none'; base-uri 'none'";

/// What the page shows between requests: a post changes it and redirects to the page, whose
/// `GET` renders it (POST/redirect/GET).
#[derive(Default)]
struct Screen {
    /// A line for the next page only (taken when it is rendered).
    notice: Option<Notice>,
    /// The last verification, shown until the next scan or its record (one that cannot be
    /// recorded: until a 申立 is recorded).
    shown: Option<PendingVerification>,
}

/// The last verification: shown, and waiting to be recorded when the document is authentic.
struct PendingVerification {
    /// The id its forms carry (`None`: not authentic, nothing to record or check).
    id: Option<String>,
    verification: DeskVerification,
    /// The card check it would be recorded with (the core's rule on later failures).
    card: PendingCardCheck,
    /// The last card check's answer, shown until the next check.
    outcome: Option<CardOutcome>,
    /// The PIN form last rendered for it. Single use: a post spends it before the card is
    /// touched, so a double click or a resent form cannot send the PIN twice.
    attempt: Option<Attempt>,
}

impl PendingVerification {
    /// True when a form's `id` names this verification (compared in constant time).
    fn named(&self, id: &str) -> bool {
        self.id
            .as_ref()
            .is_some_and(|own| same_secret(own.as_bytes(), id.as_bytes()))
    }
}

/// A rendered PIN form: its random single-use token, and whether it offered the last try's
/// consent box (only then is a ticked box passed to the core).
struct Attempt {
    token: String,
    consent_offered: bool,
}

/// What the server shares between requests.
struct DeskState {
    desk: Mutex<DeskStore>,
    screen: Mutex<Screen>,
    /// The single-use token of the 申立 form last rendered: a post spends it, so a double
    /// click or a resent form records the 申立 once. Its own lock, never held with another.
    declare_form: Mutex<Option<String>>,
    token: String,
    /// The `Host` values a browser on this machine sends for the page.
    hosts: [String; 2],
    /// The `Origin` values a form of the page itself sends.
    origins: [String; 2],
    options: VerifyOptions,
    /// The card reader (`--card`), if any.
    card: Option<Arc<CardDesk>>,
}

impl DeskState {
    fn desk(&self) -> MutexGuard<'_, DeskStore> {
        // A panic while holding the lock leaves no half-written entry: each append is one
        // SQLite transaction, rolled back when it is dropped unfinished.
        self.desk.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn screen(&self) -> MutexGuard<'_, Screen> {
        // The screen is replaced whole or changed field by field; a panic leaves it showable.
        self.screen.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// A fresh token for the 申立 form about to be rendered, replacing the earlier one (only
    /// the form last rendered can record); `None` when the random source failed.
    fn new_declare_form(&self) -> Option<String> {
        let token = random_hex().ok();
        *self
            .declare_form
            .lock()
            .unwrap_or_else(PoisonError::into_inner) = token.clone();
        token
    }

    /// Spends the 申立 form's token: true when `sent` is the one last rendered (compared in
    /// constant time). Either way the token is gone.
    fn spend_declare_form(&self, sent: &str) -> bool {
        self.declare_form
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .take()
            .is_some_and(|own| same_secret(own.as_bytes(), sent.as_bytes()))
    }

    /// The verification `p` to show, with the card check held for it, the last check's answer
    /// and (when the page offers the PIN form) a fresh single-use token for that form, which
    /// replaces any earlier one: only the form last rendered can send a PIN.
    fn shown<'a>(&self, p: &'a mut PendingVerification) -> Pending<'a> {
        p.attempt = match (&self.card, &p.id) {
            (Some(_), Some(_)) => desk_page::pin_form(p.outcome.as_ref()).and_then(|consent| {
                random_hex().ok().map(|token| Attempt {
                    token,
                    consent_offered: consent,
                })
            }),
            _ => None,
        };
        let p = &*p;
        // The patient's visit already recorded today: a notice beside 記録 (a damaged entry
        // there is the log's problem, said above everything by the log check).
        let same_day = self
            .desk()
            .same_day_visit_of(&p.verification, Utc::now())
            .ok()
            .flatten()
            .map(|s| s.notice_ja());
        Pending {
            verification: &p.verification,
            same_day,
            outcome: p.verification.outcome_with(&p.card, false),
            record_id: p.id.as_deref(),
            card: match self.card {
                Some(_) => CardPanel::Reader {
                    held: p.card.held(),
                    outcome: p.outcome.as_ref(),
                    attempt: p.attempt.as_ref().map(|a| a.token.as_str()),
                },
                None => CardPanel::NoReader,
            },
        }
    }
}

/// 32 hex digits (128 bits) from the operating system's random source.
fn random_hex() -> Result<String> {
    let mut bytes = [0u8; 16];
    OsRng
        .try_fill_bytes(&mut bytes)
        .map_err(|e| anyhow::anyhow!("the system's random source failed: {e}"))?;
    Ok(bytes.iter().map(|b| format!("{b:02x}")).collect())
}

/// Compares two byte strings in time independent of where they differ.
fn same_secret(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// Runs `clinic serve` on the desk store in `dir`: prints the page's URL and serves until the
/// process is stopped (Ctrl-C).
pub fn run(dir: &Path, args: ServeArgs) -> Result<ExitCode> {
    if !dir.join(DESK_FILE).is_file() {
        bail!(
            "no clinic desk in {} yet: create it and import the issuer's trust list first \
             (docs/clinic.md)",
            dir.display()
        );
    }
    let card = match &args.card {
        Some(spec) => Some(Arc::new(CardDesk::open(spec, &args.trust_anchor)?)),
        None => None,
    };
    let desk = DeskStore::open(dir, &PassphraseKeyStore::new(passphrase()?))?;
    let token = random_hex()?;
    let listener = TcpListener::bind(SocketAddr::from((Ipv4Addr::LOCALHOST, args.port)))
        .with_context(|| format!("cannot listen on 127.0.0.1:{}", args.port))?;
    listener.set_nonblocking(true)?;
    let port = listener.local_addr()?.port();
    let state = Arc::new(DeskState {
        desk: Mutex::new(desk),
        screen: Mutex::new(Screen::default()),
        declare_form: Mutex::new(None),
        hosts: [format!("127.0.0.1:{port}"), format!("localhost:{port}")],
        origins: [
            format!("http://127.0.0.1:{port}"),
            format!("http://localhost:{port}"),
        ],
        token,
        options: args.trust_age.options(),
        card,
    });
    let url = format!("http://127.0.0.1:{port}/{}/", state.token);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_io()
        .enable_time()
        .build()
        .context("cannot start the server's runtime")?;
    outln!("{url}");
    eprintln!(
        "desk page: open the address above in a browser on this PC (loopback only; the \
         address holds this run's secret — do not share it). Ctrl-C stops it."
    );
    match &state.card {
        Some(card) => eprintln!("desk page: the card check reads {}", card.label()),
        None => eprintln!("desk page: no card check (start with --card READER for one)"),
    }
    runtime.block_on(serve(listener, state))?;
    Ok(ExitCode::SUCCESS)
}

async fn serve(listener: TcpListener, state: Arc<DeskState>) -> Result<()> {
    let listener = tokio::net::TcpListener::from_std(listener)?;
    let app = router(state);
    loop {
        let Ok((tcp, _peer)) = listener.accept().await else {
            // Out of descriptors or similar: back off instead of spinning.
            tokio::time::sleep(StdDuration::from_millis(50)).await;
            continue;
        };
        let app = app.clone();
        tokio::spawn(async move {
            // A browser that goes away mid-request is not the server's error.
            let _ = hyper::server::conn::http1::Builder::new()
                .timer(TokioTimer::new())
                .header_read_timeout(HEADER_TIMEOUT)
                .serve_connection(TokioIo::new(tcp), TowerToHyperService::new(app))
                .await;
        });
    }
}

fn router(state: Arc<DeskState>) -> Router {
    let base = format!("/{}", state.token);
    Router::new()
        .route(&format!("{base}/"), get(index))
        .route(&format!("{base}/verify"), post(verify))
        .route(&format!("{base}/record"), post(record))
        .route(&format!("{base}/declare"), post(declare))
        .route(&format!("{base}/card"), post(card))
        .route(&format!("{base}/visits.csv"), get(csv))
        .route(&format!("{base}/visits-sheet.csv"), get(csv_sheet))
        .fallback(|| async { refused(StatusCode::NOT_FOUND) })
        .layer(middleware::from_fn_with_state(Arc::clone(&state), guard))
        .with_state(state)
}

/// An empty refusal.
fn refused(status: StatusCode) -> Response {
    (status, Body::empty()).into_response()
}

/// Every request passes here first: the `Host` must be this loopback address and port (a
/// DNS-rebinding page has another), a form post must come from the page itself, and the path
/// must start with the run's token. Every answer, refusals included, gets the headers that
/// keep it out of caches, frames and other origins.
async fn guard(State(state): State<Arc<DeskState>>, req: Request, next: Next) -> Response {
    let mut response = match admit(&state, &req) {
        None => next.run(req).await,
        Some(status) => refused(status),
    };
    let h = response.headers_mut();
    let set = |h: &mut HeaderMap, name, value: &'static str| {
        h.insert(name, HeaderValue::from_static(value));
    };
    set(h, header::CACHE_CONTROL, "no-store");
    set(h, header::CONTENT_SECURITY_POLICY, CSP);
    set(h, header::X_CONTENT_TYPE_OPTIONS, "nosniff");
    // Not `no-referrer`: under it a browser sends `Origin: null` with the page's own form
    // posts. Nothing here links elsewhere.
    set(h, header::REFERRER_POLICY, "same-origin");
    set(h, header::X_FRAME_OPTIONS, "DENY");
    set(
        h,
        header::HeaderName::from_static("cross-origin-resource-policy"),
        "same-origin",
    );
    set(
        h,
        header::HeaderName::from_static("cross-origin-opener-policy"),
        "same-origin",
    );
    response
}

/// `None` when the request may go on, else the refusal's status.
fn admit(state: &DeskState, req: &Request) -> Option<StatusCode> {
    let host = req
        .headers()
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .unwrap_or_default();
    if !state.hosts.iter().any(|h| h == host) {
        return Some(StatusCode::FORBIDDEN);
    }
    if req.method() != Method::GET && req.method() != Method::HEAD {
        // A form of this page sends its own origin; anything else (another site, a sandboxed
        // frame's "null", none at all) is refused.
        let origin = req
            .headers()
            .get(header::ORIGIN)
            .and_then(|h| h.to_str().ok())
            .unwrap_or_default();
        if !state.origins.iter().any(|o| o == origin) {
            return Some(StatusCode::FORBIDDEN);
        }
    }
    let first = req
        .uri()
        .path()
        .strip_prefix('/')
        .and_then(|p| p.split_once('/'))
        .map(|(first, _)| first)
        .unwrap_or_default();
    if !same_secret(first.as_bytes(), state.token.as_bytes()) {
        return Some(StatusCode::NOT_FOUND);
    }
    None
}

/// A form field: its name, and its value in a buffer wiped when dropped (a PIN, a payload).
type Field = (String, Zeroizing<Vec<u8>>);

/// `+` as a space and `%XX` decoded, in buffers wiped when dropped. Decoding never lengthens,
/// so each buffer is allocated once at its full size and no reallocation leaves a copy behind.
fn form_decode(s: &[u8]) -> Zeroizing<Vec<u8>> {
    let mut plus = Zeroizing::new(Vec::with_capacity(s.len()));
    plus.extend(s.iter().map(|b| if *b == b'+' { b' ' } else { *b }));
    let mut out = Zeroizing::new(Vec::with_capacity(s.len()));
    out.extend(percent_encoding::percent_decode(&plus));
    out
}

/// The fields of an `application/x-www-form-urlencoded` body. A field whose name is not UTF-8
/// is left out.
fn form_fields(body: &[u8]) -> Vec<Field> {
    body.split(|b| *b == b'&')
        .filter(|pair| !pair.is_empty())
        .filter_map(|pair| {
            let (k, v) = match pair.iter().position(|b| *b == b'=') {
                Some(i) => (&pair[..i], &pair[i + 1..]),
                None => (pair, &[][..]),
            };
            let name = std::str::from_utf8(&form_decode(k)).ok()?.to_owned();
            Some((name, form_decode(v)))
        })
        .collect()
}

/// Reads a form post's body (a PIN, a payload) into one buffer of `limit` bytes, allocated at
/// that size before the first byte (so no growth leaves a copy behind) and wiped when dropped:
/// by the handler once the fields are decoded, and here on every refusal — a body over
/// `limit` (`413`), a body that breaks off or fails (`400`). Each chunk handed over by the HTTP
/// library is wiped once copied, when nothing else holds it; one still shared with the
/// library's read buffer can only be dropped: that buffer, which the request passed through
/// (headers and body), is the library's own, reused or freed by it, and cannot be wiped from
/// here.
async fn read_body<B>(mut body: B, limit: usize) -> Result<Zeroizing<Vec<u8>>, StatusCode>
where
    B: HttpBody<Data = Bytes> + Unpin,
{
    let mut out = Zeroizing::new(Vec::with_capacity(limit));
    loop {
        let frame = match std::future::poll_fn(|cx| Pin::new(&mut body).poll_frame(cx)).await {
            None => return Ok(out),
            Some(Ok(frame)) => frame,
            // What was read so far is wiped with `out`.
            Some(Err(_)) => return Err(StatusCode::BAD_REQUEST),
        };
        // A trailer frame carries no body bytes.
        let Ok(chunk) = frame.into_data() else {
            continue;
        };
        let fits = chunk.len() <= limit - out.len();
        if fits {
            out.extend_from_slice(&chunk);
        }
        wipe(chunk);
        if !fits {
            return Err(StatusCode::PAYLOAD_TOO_LARGE);
        }
    }
}

/// Wipes a chunk of a request body when this is its only holder (else it can only be dropped).
fn wipe(chunk: Bytes) {
    if let Ok(mut bytes) = chunk.try_into_mut() {
        bytes.as_mut().zeroize();
    }
}

/// [`read_body`] with the page's limit, for a handler: the body, or the refusal to answer.
async fn form_body(body: Body) -> Result<Zeroizing<Vec<u8>>, Response> {
    read_body(body, BODY_LIMIT).await.map_err(refused)
}

/// The value of the field `name`, as sent (the last one wins).
fn field_bytes<'a>(fields: &'a [Field], name: &str) -> Option<&'a [u8]> {
    fields
        .iter()
        .rev()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_slice())
}

/// The value of the field `name` as text (`None` when it is missing or not UTF-8).
fn field<'a>(fields: &'a [Field], name: &str) -> Option<&'a str> {
    field_bytes(fields, name).and_then(|v| std::str::from_utf8(v).ok())
}

/// The page with `notice` and, when given, a verification, today's visits from the log, and
/// the 申立 form (with a fresh single-use token; refilled from `typed` after a refusal).
fn page(
    state: &DeskState,
    status: StatusCode,
    notice: Option<Notice>,
    shown: Option<Pending<'_>>,
    typed: Option<&Typed>,
) -> Response {
    let now = Utc::now();
    let today = japan_today(now);
    let desk = state.desk();
    let trust = match &shown {
        Some(p) => Ok(p.verification.trust),
        None => desk
            .trust(now)
            .map(|t| t.map(|t| t.age(now, state.options.max_trust_age_days))),
    };
    let trust_missing = match &shown {
        Some(p) => p.verification.trust_missing_ja(TrustSource::Desk),
        None => desk
            .trust_missing_ja(now)
            .unwrap_or_else(|_| TrustSource::Desk.missing_ja()),
    };
    // The whole chain once for this desk, then only what was added since (docs/clinic.md).
    let visits = desk.visits_between_checked(today, today);
    drop(desk);
    let view = PageView {
        today,
        trust,
        trust_missing,
        notice,
        verification: shown,
        visits,
        declare: DeclarePanel {
            token: state.new_declare_form(),
            typed,
        },
    };
    html(status, desk_page::render(&view))
}

fn html(status: StatusCode, body: String) -> Response {
    (
        status,
        [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
        body,
    )
        .into_response()
}

/// The page as the screen holds it, with `notice` (else the screen's own, which is taken: it
/// is shown once; with `notice` given, the screen's own waits for the next page).
fn screen_page(state: &DeskState, status: StatusCode, notice: Option<Notice>) -> Response {
    screen_page_with(state, status, notice, None)
}

/// [`screen_page`] with the 申立 form refilled from `typed`.
fn screen_page_with(
    state: &DeskState,
    status: StatusCode,
    notice: Option<Notice>,
    typed: Option<&Typed>,
) -> Response {
    let mut screen = state.screen();
    let notice = notice.or_else(|| screen.notice.take());
    let shown = screen.shown.as_mut().map(|p| state.shown(p));
    page(state, status, notice, shown, typed)
}

/// The answer to a post that changed the screen: `303 See Other` to the page, so that the
/// browser shows it with a `GET` and a reload does not post the form again.
fn to_page() -> Response {
    (
        StatusCode::SEE_OTHER,
        [(header::LOCATION, HeaderValue::from_static("./"))],
        Body::empty(),
    )
        .into_response()
}

async fn index(State(state): State<Arc<DeskState>>) -> Response {
    screen_page(&state, StatusCode::OK, None)
}

async fn verify(State(state): State<Arc<DeskState>>, body: Body) -> Response {
    let fields = match form_body(body).await {
        Ok(body) => form_fields(&body),
        Err(refusal) => return refusal,
    };
    let payload = field(&fields, "payload").unwrap_or_default().trim();
    if payload.is_empty() {
        return page(
            &state,
            StatusCode::BAD_REQUEST,
            Some(Notice::Error(
                "QRコードが読み取れていません。入力欄にスキャナーで読み取ってください。".into(),
            )),
            None,
            None,
        );
    }
    let result = state
        .desk()
        .verify_payload(payload, state.options, Utc::now());
    let verification = match result {
        Ok(v) => v,
        Err(e) => {
            return page(
                &state,
                StatusCode::INTERNAL_SERVER_ERROR,
                Some(Notice::Error(format!("確認できませんでした（{e}）"))),
                None,
                None,
            );
        }
    };
    // Only an authentic document can be recorded; anything else leaves nothing waiting.
    let id = match verification.presentation {
        Some(_) => match random_hex() {
            Ok(id) => Some(id),
            Err(e) => {
                return page(
                    &state,
                    StatusCode::INTERNAL_SERVER_ERROR,
                    Some(Notice::Error(format!("確認できませんでした（{e}）"))),
                    None,
                    None,
                );
            }
        },
        None => None,
    };
    *state.screen() = Screen {
        notice: None,
        shown: Some(PendingVerification {
            id,
            verification,
            card: PendingCardCheck::new(),
            outcome: None,
            attempt: None,
        }),
    };
    to_page()
}

/// The answer to a record form about a verification that is no longer waiting.
fn stale(state: &DeskState) -> Response {
    page(
        state,
        StatusCode::CONFLICT,
        Some(Notice::Error(STALE.into())),
        None,
        None,
    )
}

/// The notice for a form about a verification that is no longer waiting.
const STALE: &str = "この確認結果は記録できません（記録済みか、別のQRコードを読み取った後です）。\
                     もう一度QRコードを読み取ってください。";

/// The notice for a PIN form posted again (a double click, a resent form) or unknown.
const PROCESSED: &str = "この操作は処理済みです（同じPINの送信は一度だけです）。PINは送っていません。\
                         下の結果を確かめ、必要なら表示中のフォームからもう一度入力してください。";

/// `POST card`: checks the card on the reader against the verification waiting under `id`,
/// without a PIN (`mode=nopin`) or with the PIN the patient typed (`mode=pin`, `pin`, the
/// form's single-use `attempt` token, and `last` when they consented to spend the last try —
/// heeded only when that form offered the box). The token is spent under the screen's lock
/// before the card is touched: a form posted twice sends its PIN once, the second post is
/// answered 処理済み. The PIN stays in wiped buffers, is handed to the core as bytes and
/// dropped with the request; it is never shown back. The answer is a redirect to the page,
/// which shows the check's result.
async fn card(State(state): State<Arc<DeskState>>, body: Body) -> Response {
    let fields = match form_body(body).await {
        Ok(body) => form_fields(&body),
        Err(refusal) => return refusal,
    };
    let Some(reader) = state.card.clone() else {
        return page(
            &state,
            StatusCode::BAD_REQUEST,
            Some(Notice::Error(
                "このページはカードを確認しません。`shikaku clinic serve --card pcsc` で\
                 起動してください（または `shikaku clinic verify --card`）。"
                    .into(),
            )),
            None,
            None,
        );
    };
    let id = field(&fields, "id").unwrap_or_default().to_owned();
    let with_pin = field(&fields, "mode") == Some("pin");
    let claimed = {
        let mut screen = state.screen();
        match screen.shown.as_mut().filter(|p| p.named(&id)) {
            None => {
                // As for 記録: a stale or forged id drops the waiting verification too.
                screen.shown = None;
                screen.notice = Some(Notice::Error(STALE.into()));
                None
            }
            Some(p) => {
                // Spent whatever the form sent: only the form last rendered can send a PIN,
                // and only once.
                let attempt = p.attempt.take();
                let consent = if with_pin {
                    let sent = field(&fields, "attempt").unwrap_or_default();
                    attempt
                        .filter(|a| same_secret(a.token.as_bytes(), sent.as_bytes()))
                        .map(|a| a.consent_offered && field(&fields, "last").is_some())
                } else {
                    Some(false)
                };
                match consent {
                    Some(consent) => Some((p.verification.clone(), consent)),
                    None => {
                        screen.notice = Some(Notice::Error(PROCESSED.into()));
                        None
                    }
                }
            }
        }
    };
    let Some((verification, consent)) = claimed else {
        return to_page();
    };
    // The card is slow (and a PC/SC reader blocks): off the server's threads. The fields (the
    // PIN among them) move into the task and are wiped when it ends. The result is put on the
    // screen by the task itself, so it is kept even if the browser went away meanwhile.
    let task_state = Arc::clone(&state);
    let task_id = id.clone();
    let checked = tokio::task::spawn_blocking(move || {
        let pin = with_pin.then(|| (field_bytes(&fields, "pin").unwrap_or_default(), consent));
        let outcome = reader.check(&verification, pin);
        drop(fields);
        show_card_outcome(&task_state, &task_id, outcome);
    })
    .await;
    if checked.is_err() {
        show_card_outcome(
            &state,
            &id,
            CardOutcome {
                result: CardResult::Failed(
                    "カードの確認が途中で止まりました。カードを置き直して、もう一度押してください。"
                        .into(),
                ),
                tries: None,
            },
        );
    }
    to_page()
}

/// Puts a card check's answer on the screen for the verification `id`: the core's
/// `PendingCardCheck` decides what is then held for recording (a refused or failed check
/// leaves nothing, even after an earlier match).
fn show_card_outcome(state: &DeskState, id: &str, outcome: CardOutcome) {
    let mut screen = state.screen();
    match screen.shown.as_mut().filter(|p| p.named(id)) {
        Some(p) => {
            let matched = match &outcome.result {
                CardResult::Matched(check) => Ok(check.clone()),
                CardResult::Mismatch => Err(Refused::Mismatch),
                CardResult::Failed(_) => Err(Refused::Failed),
            };
            // The answer is shown from `outcome`; what is held is read when recording.
            let _ = p.card.apply(matched);
            p.outcome = Some(outcome);
        }
        // Another QR code was scanned meanwhile: this check belongs to no waiting one.
        None => screen.notice = Some(Notice::Error(STALE.into())),
    }
}

/// Why a card check from the page did not match, as the core's held check needs it.
enum Refused {
    /// Another person's card: remembered until a card matches.
    Mismatch,
    /// Anything else (the PIN, the reader, the certificate).
    Failed,
}

impl CardCheckFailure for Refused {
    fn is_card_mismatch(&self) -> bool {
        matches!(self, Refused::Mismatch)
    }
}

async fn record(State(state): State<Arc<DeskState>>, body: Body) -> Response {
    let fields = match form_body(body).await {
        Ok(body) => form_fields(&body),
        Err(refusal) => return refusal,
    };
    let id = field(&fields, "id").unwrap_or_default();
    let operator = field(&fields, "operator").unwrap_or_default().trim();
    let face_compared = field(&fields, "face").is_some();
    let public = public_expenses(&fields);
    let mut screen = state.screen();
    let Some(p) = screen.shown.take().filter(|p| p.named(id)) else {
        // Put nothing back: a stale or forged id must not keep the waiting one either.
        drop(screen);
        return stale(&state);
    };
    let now = Utc::now();
    let (same_day, result) = {
        let mut desk = state.desk();
        // Looked up before this visit is recorded: the patient's earlier visit today, if any.
        let same_day = desk.same_day_visit_of(&p.verification, now).ok().flatten();
        let result = desk.record_verification_with(
            &p.verification,
            &p.card,
            face_compared,
            &public,
            operator,
            now,
        );
        (same_day, result)
    };
    match result {
        Ok(position) => {
            screen.notice = Some(Notice::Recorded {
                position,
                same_day: same_day.map(|s| s.notice_ja()),
            });
            to_page()
        }
        Err(e) => {
            // The core's words: the operator's name, or the acceptance rule's refusals.
            let message = refusal_message(&e);
            // Still waiting: the operator fixes the name and records again.
            screen.shown = Some(p);
            drop(screen);
            screen_page(
                &state,
                StatusCode::BAD_REQUEST,
                Some(Notice::Error(message)),
            )
        }
    }
}

/// The notice for a 申立 form that is not the one last rendered: posted twice (a double
/// click, a resent form) or from an older page. Nothing is recorded; the form is refilled.
const DECLARE_STALE: &str = "この申立のフォームは送信済みか、古いページのものです（記録していません）。\
     下の「本日の受付」で記録済みか確かめ、まだなら入力内容を確かめてもう一度「申立を記録」を押してください。";

/// `POST declare`: records a 被保険者資格申立書 typed on the page's 申立 form (the core's
/// `DeclarationForm`, the 公費 rows, the operator), as `clinic declare` does: the core
/// validates every field at once, the patient's visit already recorded today is looked up
/// before the 申立 is appended, and the cashier's line is the core's. The form's single-use
/// token is spent first: a form posted twice records once. Recorded: a redirect to the page,
/// which shows the entry's number, 申立・未検証, the share to collect and the same-day notice.
/// Refused: `400` (`409` for a spent or older form) with every reason in the core's words
/// and the form refilled with what was typed (escaped), nothing recorded. The values travel
/// in the POST body and back in the answer only; nothing of them is kept.
async fn declare(State(state): State<Arc<DeskState>>, body: Body) -> Response {
    let fields = match form_body(body).await {
        Ok(body) => form_fields(&body),
        Err(refusal) => return refusal,
    };
    let typed = Typed::from_form(|name| field(&fields, name));
    if !state.spend_declare_form(field(&fields, "form").unwrap_or_default()) {
        // A form sent twice (a double click): the first one was recorded, and its notice — the
        // entry's number and what to collect — is what the receptionist needs, not the form.
        let recorded = {
            let mut screen = state.screen();
            if matches!(screen.notice, Some(Notice::Declared { .. })) {
                screen.notice.take()
            } else {
                None
            }
        };
        return match recorded {
            Some(notice) => screen_page_with(&state, StatusCode::CONFLICT, Some(notice), None),
            None => screen_page_with(
                &state,
                StatusCode::CONFLICT,
                Some(Notice::Error(DECLARE_STALE.into())),
                Some(&typed),
            ),
        };
    }
    // The core's one reading of typed text (as `clinic declare` reads its options).
    let text = |name: &str| field(&fields, name).unwrap_or_default();
    let form = DeclarationForm::from_text(DeclarationText {
        name: text("name"),
        kana: field(&fields, "kana"),
        birth_date: text("birth"),
        sex: field(&fields, "sex"),
        relationship: field(&fields, "relationship"),
        insurer_name: text("insurer_name"),
        insurer_number: field(&fields, "insurer_number"),
        symbol: field(&fields, "symbol"),
        number: field(&fields, "number"),
        branch: field(&fields, "branch"),
        copay: field(&fields, "copay"),
    });
    let public = public_expenses(&fields);
    let operator = field(&fields, "operator").unwrap_or_default();
    let now = Utc::now();
    let today = japan_today(now);
    let result = {
        let mut desk = state.desk();
        // Every mistake at once, before the log is touched; then the patient's earlier visit
        // today, looked up before this 申立 is appended (as `clinic declare`).
        form.validate_with_public(&public, operator, today)
            .and_then(|(declared, _, _)| {
                let same_day = desk
                    .same_day_visit_of_declaration(&declared, now)
                    .ok()
                    .flatten();
                desk.declare_with(&form, &public, operator, now)
                    .map(|position| (position, declared, same_day))
            })
    };
    match result {
        Ok((position, declared, same_day)) => {
            let mut screen = state.screen();
            screen.notice = Some(Notice::Declared {
                position,
                cashier: declared.cashier_ja(today, !public.is_empty()),
                same_day: same_day.map(|s| s.notice_ja()),
            });
            // The scan whose verdict sent the receptionist to the 申立書 has been acted on: a
            // document that cannot be recorded is not shown any more (its 「申立書で受け付けて
            // ください」 would read as still to do). One that can be recorded stays: the core
            // says to record it as evidence too (a second entry on purpose).
            if screen.shown.as_ref().is_some_and(|p| p.id.is_none()) {
                screen.shown = None;
            }
            to_page()
        }
        Err(e) => {
            // The core's words: the operator's name, the form's fields, the 公費, the clock.
            let message = refusal_message(&e);
            screen_page_with(
                &state,
                StatusCode::BAD_REQUEST,
                Some(Notice::Error(message)),
                Some(&typed),
            )
        }
    }
}

/// A refused record or 申立 in the core's words (`ClinicError::refusals_ja`), else the error's
/// own message.
fn refusal_message(e: &shikaku_core::clinic::ClinicError) -> String {
    let ja = e.refusals_ja();
    if ja.is_empty() {
        format!("記録できませんでした（{e}）。")
    } else {
        ja.join(" ")
    }
}

/// The 公費 typed on the record form or the 申立 form (`public1_payer` …,
/// `desk_page::PUBLIC_EXPENSE_PARTS`), in
/// their rows: every row up to the last one with anything typed, so a 第二公費 typed alone is
/// sent behind an empty 第一公費 (the core's refusal names it) and never recorded as the first.
fn public_expenses(fields: &[Field]) -> Vec<PublicExpenseEntry> {
    let rows: Vec<[Option<String>; 4]> = (1..=MAX_PUBLIC_EXPENSES)
        .map(|n| {
            desk_page::PUBLIC_EXPENSE_PARTS.map(|part| {
                field(fields, &format!("public{n}_{part}"))
                    .map(str::trim)
                    .filter(|v| !v.is_empty())
                    .map(str::to_string)
            })
        })
        .collect();
    let typed = rows
        .iter()
        .rposition(|row| row.iter().any(Option::is_some))
        .map_or(0, |last| last + 1);
    rows.into_iter()
        .take(typed)
        .map(|[payer, recipient, until, program]| PublicExpenseEntry {
            payer_number: payer.unwrap_or_default(),
            recipient_number: recipient,
            valid_until: until,
            program,
        })
        .collect()
}

/// Today's visits as the CSV for a レセコン import (every value as printed).
async fn csv(State(state): State<Arc<DeskState>>) -> Response {
    today_csv(&state, CsvFlavor::Data)
}

/// Today's visits as the CSV for a spreadsheet (the number columns as text formulas, so that
/// their leading zeros survive; docs/clinic.md "CSV").
async fn csv_sheet(State(state): State<Arc<DeskState>>) -> Response {
    today_csv(&state, CsvFlavor::Spreadsheet)
}

fn today_csv(state: &DeskState, flavor: CsvFlavor) -> Response {
    let today = japan_today(Utc::now());
    let suffix = match flavor {
        CsvFlavor::Data => "",
        CsvFlavor::Spreadsheet => "-spreadsheet",
    };
    let checked = state.desk().visits_between_checked(today, today);
    match checked {
        Ok(checked) if checked.is_complete() => (
            StatusCode::OK,
            [
                (
                    header::CONTENT_TYPE,
                    HeaderValue::from_static("text/csv; charset=utf-8"),
                ),
                (
                    header::CONTENT_DISPOSITION,
                    // A date is always a valid header value; the fallback is never used.
                    HeaderValue::from_str(&format!(
                        "attachment; filename=\"visits-{}{suffix}.csv\"",
                        today.format("%Y-%m-%d")
                    ))
                    .unwrap_or(HeaderValue::from_static("attachment")),
                ),
            ],
            export::to_csv_for(&checked.list.entries, flavor),
        )
            .into_response(),
        // A damaged row, or a broken chain (an entry deleted or moved to another day would be
        // missing without a trace): no download, the receptionist's line instead.
        Ok(checked) => html(
            StatusCode::INTERNAL_SERVER_ERROR,
            desk_page::error_page(&format!(
                "{} `shikaku clinic log verify` で確認してください。",
                checked.notice_ja().unwrap_or_default()
            )),
        ),
        Err(e) => html(
            StatusCode::INTERNAL_SERVER_ERROR,
            desk_page::error_page(&format!("記録を読めませんでした（{e}）。")),
        ),
    }
}

#[cfg(test)]
mod tests {
    use std::collections::VecDeque;
    use std::task::{Context, Poll};

    use hyper::body::Frame;

    use super::*;

    /// A request body as the HTTP library hands it over: chunks, then the end, or a failure.
    struct Chunks(VecDeque<Result<Bytes, &'static str>>);

    impl HttpBody for Chunks {
        type Data = Bytes;
        type Error = &'static str;
        fn poll_frame(
            mut self: Pin<&mut Self>,
            _: &mut Context<'_>,
        ) -> Poll<Option<Result<Frame<Bytes>, Self::Error>>> {
            Poll::Ready(self.0.pop_front().map(|c| c.map(Frame::data)))
        }
    }

    fn read(chunks: &[Result<&'static [u8], &'static str>], limit: usize) -> ReadOutcome {
        let body = Chunks(chunks.iter().map(|c| c.map(Bytes::from_static)).collect());
        let runtime = tokio::runtime::Builder::new_current_thread()
            .build()
            .expect("a current-thread runtime");
        runtime.block_on(read_body(body, limit))
    }

    /// What `read_body` gives: the body in a buffer wiped when dropped, or the refusal.
    type ReadOutcome = Result<Zeroizing<Vec<u8>>, StatusCode>;

    #[test]
    fn a_body_is_read_into_one_wiped_buffer_of_the_limit_never_grown() {
        let chunks = [Ok(&b"mode=pin&pi"[..]), Ok(b"n=12"), Ok(b"34&attempt=ab")];
        let body = read(&chunks, 64).unwrap();
        assert_eq!(&body[..], b"mode=pin&pin=1234&attempt=ab");
        assert_eq!(field(&form_fields(&body), "pin"), Some("1234"));
        // Allocated at the limit before the first chunk and never grown: no reallocation left
        // a copy of the PIN behind, and the one buffer is wiped when dropped.
        assert_eq!(body.capacity(), 64);
        // A body of exactly the limit, in chunks, still fits without growing.
        let full = read(&[Ok(&[b'a'; 40][..]), Ok(&[b'b'; 24])], 64).unwrap();
        assert_eq!((full.len(), full.capacity()), (64, 64));
        assert!(read(&[], 64).unwrap().is_empty());
    }

    #[test]
    fn a_body_over_the_limit_or_broken_off_is_refused() {
        assert_eq!(
            read(&[Ok(&[b'a'; 40][..]), Ok(&[b'b'; 25])], 64).unwrap_err(),
            StatusCode::PAYLOAD_TOO_LARGE
        );
        assert_eq!(
            read(&[Ok(&[b'a'; 65][..])], 64).unwrap_err(),
            StatusCode::PAYLOAD_TOO_LARGE
        );
        assert_eq!(
            read(&[Ok(&b"pin=12"[..]), Err("connection reset")], 64).unwrap_err(),
            StatusCode::BAD_REQUEST
        );
    }

    #[test]
    fn form_fields_decode_plus_and_percent() {
        let f = form_fields(b"payload=SK1%3AAB+C%25&face=on&operator=%E5%8F%97%E4%BB%98&x");
        assert_eq!(field(&f, "payload"), Some("SK1:AB C%"));
        assert_eq!(field(&f, "face"), Some("on"));
        assert_eq!(field(&f, "operator"), Some("受付"));
        assert_eq!(field(&f, "x"), Some(""));
        assert_eq!(field(&f, "missing"), None);
        // Not UTF-8: left out.
        assert_eq!(field(&form_fields(b"a=%FF"), "a"), None);
    }

    #[test]
    fn secrets_compare_whole() {
        assert!(same_secret(b"abcd", b"abcd"));
        assert!(!same_secret(b"abcd", b"abce"));
        assert!(!same_secret(b"abcd", b"abc"));
        assert!(!same_secret(b"", b"a"));
    }

    #[test]
    fn tokens_are_128_bit_hex_and_differ() -> Result<()> {
        let (a, b) = (random_hex()?, random_hex()?);
        assert_eq!(a.len(), 32);
        assert!(a.bytes().all(|c| c.is_ascii_hexdigit()));
        assert_ne!(a, b);
        Ok(())
    }
}
