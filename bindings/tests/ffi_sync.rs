//! The FFI's `Household::sync` against an issuer the test controls (in Rust, through the same
//! foreign-trait objects a phone passes): the store is not held while the network is slow,
//! a root other than the pinned one is refused without touching the store, a malformed PIN
//! costs neither a request nor an APDU, and `overview_with_screens` gives the list and every
//! member's screen from one read.
#![cfg(feature = "testing")]
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::mpsc::{Receiver, Sender, channel};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use shikaku_ffi::{
    CardTransport, Household, HttpError, HttpMethod, HttpRequest, HttpResponse, HttpTransport,
    KeyStore, KeyStoreError, MemberInput, ShikakuError, SyncSettings, TestIssuer, TransportError,
    VirtualCardHandle, test_issuer, virtual_card,
};

struct XorKeys;

impl KeyStore for XorKeys {
    fn wrap(&self, key: Vec<u8>) -> Result<Vec<u8>, KeyStoreError> {
        Ok(key.iter().map(|b| b ^ 0x5a).collect())
    }
    fn unwrap(&self, blob: Vec<u8>) -> Result<Vec<u8>, KeyStoreError> {
        Ok(blob.iter().map(|b| b ^ 0x5a).collect())
    }
}

struct Card(Arc<VirtualCardHandle>);

impl CardTransport for Card {
    fn transceive(&self, apdu: Vec<u8>) -> Result<Vec<u8>, TransportError> {
        self.0.transceive(apdu)
    }
    fn extended_length(&self) -> bool {
        false
    }
}

fn profile(name: &str) -> String {
    format!(
        "{}/../examples/vcard-yamada-{name}.toml",
        env!("CARGO_MANIFEST_DIR")
    )
}

/// An issuer answering the sync protocol from a [`TestIssuer`] fixture. With `gate`, the
/// trust-list request reports that it has started and then waits to be released.
struct Issuer {
    fixture: TestIssuer,
    gate: Option<Gate>,
}

/// "The request has started" (to the test) and "go on" (from the test).
type Gate = (Mutex<Sender<()>>, Mutex<Receiver<()>>);

fn ok(body: Vec<u8>) -> Result<HttpResponse, HttpError> {
    Ok(HttpResponse {
        status: 200,
        headers: vec![],
        body,
    })
}

impl HttpTransport for Issuer {
    fn send(&self, r: HttpRequest) -> Result<HttpResponse, HttpError> {
        let path = r.url.trim_start_matches("https://issuer.test");
        match (r.method, path) {
            (HttpMethod::Get, "/v1/trust-list") => {
                if let Some((started, release)) = &self.gate {
                    started.lock().unwrap().send(()).unwrap();
                    release.lock().unwrap().recv().unwrap();
                }
                ok(self.fixture.trust_list.clone())
            }
            (HttpMethod::Post, "/v1/challenge") => ok(format!(
                r#"{{"challenge_id":"c1","challenge":"{}"}}"#,
                B64.encode([7u8; 32])
            )
            .into_bytes()),
            (HttpMethod::Post, "/v1/session") => ok(br#"{"session":"s1"}"#.to_vec()),
            (HttpMethod::Get, "/v1/documents") => {
                let docs: Vec<String> = self
                    .fixture
                    .documents
                    .iter()
                    .map(|d| B64.encode(d))
                    .collect();
                let presentations: Vec<String> = self
                    .fixture
                    .presentations
                    .iter()
                    .map(|p| B64.encode(p))
                    .collect();
                ok(serde_json::to_vec(&serde_json::json!({
                    "household_id": self.fixture.household_id,
                    "etag": "\"e1\"",
                    "documents": docs,
                    "presentations": presentations,
                }))
                .unwrap())
            }
            _ => Ok(HttpResponse {
                status: 404,
                headers: vec![],
                body: vec![],
            }),
        }
    }
}

fn settings(root_key: Vec<u8>) -> SyncSettings {
    SyncSettings {
        server_url: "https://issuer.test".into(),
        root_key,
        allow_last_attempt: false,
        timeout_ms: 5000,
        allow_insecure_loopback: false,
        tls_pins: vec![],
    }
}

/// Every store file but a WAL index (`-shm`: frame counters and hashes, no data; the household
/// store keeps its index in memory and makes none), as a digest per file.
fn snapshot(dir: &Path) -> BTreeMap<String, String> {
    use sha2::Digest as _;
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| !p.display().to_string().ends_with("-shm"))
        .map(|p| {
            let digest = sha2::Sha256::digest(std::fs::read(&p).unwrap());
            (p.display().to_string(), format!("{digest:x}"))
        })
        .collect()
}

/// A hand-entered member without a card (田中 ウメ, 本人): the member id.
fn add_ume(household: &Household) -> String {
    household
        .add_member(MemberInput {
            name: "田中 ウメ".into(),
            kana: "タナカ ウメ".into(),
            birth_date: "1952-03-03".into(),
            sex: shikaku_core::eligibility::Sex::Female,
            relationship: shikaku_core::eligibility::Relationship::Insured,
            myna_hoken: None,
            card_expires_on: None,
        })
        .unwrap()
}

#[test]
fn screen_returns_while_a_sync_is_blocked_in_the_http_transport() {
    let dir = tempfile::tempdir().unwrap();
    let household = Household::open(
        dir.path().join("h.db").display().to_string(),
        Arc::new(XorKeys),
    )
    .unwrap();
    let member = add_ume(&household);
    let (started_tx, started_rx) = channel();
    let (release_tx, release_rx) = channel();
    let issuer = Arc::new(Issuer {
        fixture: test_issuer(vec![profile("taro")]).unwrap(),
        gate: Some((Mutex::new(started_tx), Mutex::new(release_rx))),
    });
    let root = issuer.fixture.root_key.clone();
    let syncing = {
        let household = household.clone();
        let issuer = issuer.clone();
        std::thread::spawn(move || {
            let card = Arc::new(Card(virtual_card(profile("taro")).unwrap()));
            household.sync(issuer, card, b"1234".to_vec(), settings(root))
        })
    };
    // The sync is now inside HttpTransport.send; the screen must not wait for it.
    started_rx.recv_timeout(Duration::from_secs(30)).unwrap();
    let (done_tx, done_rx) = channel();
    {
        let household = household.clone();
        let member = member.clone();
        std::thread::spawn(move || {
            let screen = household.screen(member).map(|s| s.name);
            let overview = household.overview().map(|o| o.members.len());
            let both = household.overview_with_screens().map(|b| b.screens.len());
            done_tx.send((screen, overview, both)).unwrap();
        });
    }
    let (screen, overview, both) = done_rx
        .recv_timeout(Duration::from_secs(20))
        .expect("screen() waited for the blocked sync");
    assert_eq!(screen.unwrap(), "田中 ウメ");
    assert_eq!(overview.unwrap(), 1);
    assert_eq!(both.unwrap(), 1);
    release_tx.send(()).unwrap();
    let outcome = syncing.join().unwrap().unwrap();
    assert_eq!(outcome.written, 1);
    assert_eq!(household.members().unwrap().len(), 2);
}

#[test]
fn a_sync_with_another_root_is_refused_as_root_changed_and_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let household = Household::open(
        dir.path().join("h.db").display().to_string(),
        Arc::new(XorKeys),
    )
    .unwrap();
    let issuer = Arc::new(Issuer {
        fixture: test_issuer(vec![profile("taro")]).unwrap(),
        gate: None,
    });
    let card =
        || -> Arc<dyn CardTransport> { Arc::new(Card(virtual_card(profile("taro")).unwrap())) };
    household
        .sync(
            issuer.clone(),
            card(),
            b"1234".to_vec(),
            settings(issuer.fixture.root_key.clone()),
        )
        .unwrap();
    let other_root = p256::ecdsa::SigningKey::from_slice(&[7u8; 32])
        .unwrap()
        .verifying_key()
        .to_encoded_point(true)
        .as_bytes()
        .to_vec();
    let before = snapshot(dir.path());
    let err = household
        .sync(
            issuer.clone(),
            card(),
            b"1234".to_vec(),
            settings(other_root.clone()),
        )
        .unwrap_err();
    assert_eq!(err, ShikakuError::RootChanged);
    assert_eq!(snapshot(dir.path()), before, "store files changed");
    // The explicit re-pin is the way to another root; the old root is then refused in turn.
    household.repin_root(other_root).unwrap();
    let err = household
        .sync(
            issuer.clone(),
            card(),
            b"1234".to_vec(),
            settings(issuer.fixture.root_key.clone()),
        )
        .unwrap_err();
    assert_eq!(err, ShikakuError::RootChanged);
}

/// An HTTP transport and a card that count what reaches them.
struct Counted<T> {
    inner: T,
    calls: std::sync::atomic::AtomicUsize,
}

impl<T> Counted<T> {
    fn new(inner: T) -> Arc<Self> {
        Arc::new(Counted {
            inner,
            calls: std::sync::atomic::AtomicUsize::new(0),
        })
    }
    fn calls(&self) -> usize {
        self.calls.load(std::sync::atomic::Ordering::SeqCst)
    }
}

impl HttpTransport for Counted<Issuer> {
    fn send(&self, r: HttpRequest) -> Result<HttpResponse, HttpError> {
        self.calls.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        self.inner.send(r)
    }
}

impl CardTransport for Counted<Card> {
    fn transceive(&self, apdu: Vec<u8>) -> Result<Vec<u8>, TransportError> {
        self.calls.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        self.inner.transceive(apdu)
    }
    fn extended_length(&self) -> bool {
        false
    }
}

#[test]
fn a_malformed_pin_is_refused_before_any_request_or_apdu() {
    let dir = tempfile::tempdir().unwrap();
    let household = Household::open(
        dir.path().join("h.db").display().to_string(),
        Arc::new(XorKeys),
    )
    .unwrap();
    let fixture = test_issuer(vec![profile("taro")]).unwrap();
    let root = fixture.root_key.clone();
    let issuer = Counted::new(Issuer {
        fixture,
        gate: None,
    });
    let card = Counted::new(Card(virtual_card(profile("taro")).unwrap()));
    // The PIN is checked where it enters, so a bad one costs no trust-list fetch and no
    // challenge from the server (the core used to check it only at the card login).
    for bad in [
        &b"12a4"[..],
        b"123",
        b"12345",
        b"\xff\xfe12",
        "１２３４".as_bytes(),
    ] {
        let err = household
            .sync(
                issuer.clone(),
                card.clone(),
                bad.to_vec(),
                settings(root.clone()),
            )
            .unwrap_err();
        assert!(
            matches!(err, ShikakuError::PinUnusable { blocked: false, .. }),
            "{err:?}"
        );
    }
    assert_eq!(issuer.calls(), 0, "no request for a malformed PIN");
    assert_eq!(card.calls(), 0, "no APDU for a malformed PIN");
    // The same transports with the right PIN: the count is of real traffic.
    household
        .sync(
            issuer.clone(),
            card.clone(),
            b"1234".to_vec(),
            settings(root),
        )
        .unwrap();
    assert!(issuer.calls() >= 4 && card.calls() > 0);
}

#[test]
fn overview_with_screens_gives_the_list_and_every_screen_of_one_read() {
    let dir = tempfile::tempdir().unwrap();
    let household = Household::open(
        dir.path().join("h.db").display().to_string(),
        Arc::new(XorKeys),
    )
    .unwrap();
    let empty = household.overview_with_screens().unwrap();
    assert!(empty.overview.members.is_empty() && empty.screens.is_empty());
    let issuer = Arc::new(Issuer {
        fixture: test_issuer(vec![profile("taro")]).unwrap(),
        gate: None,
    });
    let root = issuer.fixture.root_key.clone();
    let card = Arc::new(Card(virtual_card(profile("taro")).unwrap()));
    household
        .sync(issuer, card, b"1234".to_vec(), settings(root))
        .unwrap();
    let hand = add_ume(&household);
    let both = household.overview_with_screens().unwrap();
    let listed: Vec<&str> = both
        .overview
        .members
        .iter()
        .map(|m| m.member_id.as_str())
        .collect();
    let screened: Vec<&str> = both.screens.iter().map(|s| s.member_id.as_str()).collect();
    assert_eq!(
        listed, screened,
        "one screen per listed member, in its order"
    );
    assert!(listed.len() >= 2 && listed.contains(&hand.as_str()));
    assert_eq!(both.overview.damaged_rows, 0);
    for (line, screen) in both.overview.members.iter().zip(&both.screens) {
        // The line is the screen's summary: the same read.
        assert_eq!(line.name, screen.name);
        assert_eq!(line.card, screen.card.label);
        assert_eq!(
            line.top_notice.as_deref(),
            screen.notices.first().map(|n| n.message.as_str())
        );
        let documents = screen
            .sections
            .iter()
            .filter(|s| s.provenance_label.is_some())
            .count();
        assert_eq!(line.documents.len(), documents);
        // And what `screen` reads alone for the unchanged store (the age of the data aside).
        let alone = household.screen(screen.member_id.clone()).unwrap();
        assert_eq!(
            (&alone.sections, &alone.card, &alone.notices),
            (&screen.sections, &screen.card, &screen.notices)
        );
    }
    assert_eq!(household.overview().unwrap().members, both.overview.members);
    assert!(
        both.overview.members.iter().any(|m| m
            .documents
            .iter()
            .any(|d| d.contains("発行元の署名を確認済み"))),
        "the synced documents are listed: {:?}",
        both.overview.members
    );
}
