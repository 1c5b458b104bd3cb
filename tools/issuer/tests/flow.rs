//! The issuer end to end on loopback: `init`, then a spawned HTTPS server, a plain HTTPS client
//! (ureq + rustls, the issuer's TLS CA as the only root) and the example family's virtual cards
//! doing the signing.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use chrono::{DateTime, Duration, Utc};
use serde_json::{Value, json};
use shikaku_core::card::{CardTransport, Pin, sign_challenge};
use shikaku_core::document::{
    PresentedFormat, TrustList, VerifiedDocument, VerifiedPresentation, check_presentation_holder,
    verify_document, verify_presentation_document,
};
use shikaku_issuer::{
    Clock, IssuerError, RunningIssuer, ServeConfig, files, init, init_with, load_root_public_key,
    load_signing_key, spawn,
};
use shikaku_vcard::{Profile, VirtualCard};
use ureq::tls::{PemItem, RootCerts, TlsConfig};

const PIN: &str = "1234";

/// [`PIN`], checked, as `sign_challenge` takes it.
fn pin() -> Pin {
    Pin::from_bytes(PIN.as_bytes()).unwrap()
}

fn example(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../examples")
        .join(name)
}

fn card(name: &str) -> VirtualCard {
    shikaku_vcard::card_from_profile_path(example(&format!("vcard-yamada-{name}.toml"))).unwrap()
}

/// A valid card under the test CA whose key is in no data file.
fn stranger() -> VirtualCard {
    let text = std::fs::read_to_string(example("vcard-yamada-taro.toml"))
        .unwrap()
        .replace(
            "shikaku-example/yamada-taro",
            "shikaku-issuer-test/stranger",
        );
    VirtualCard::new(Profile::from_toml_str(&text).unwrap()).unwrap()
}

struct Env {
    _tmp: tempfile::TempDir,
    dir: PathBuf,
    data: PathBuf,
    anchor: PathBuf,
    offset: Arc<AtomicI64>,
}

impl Env {
    fn new() -> Env {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("issuer");
        init(&dir).unwrap();
        let data = tmp.path().join("households.toml");
        std::fs::copy(example("households.toml"), &data).unwrap();
        let anchor = tmp.path().join("test-ca.pem");
        std::fs::write(&anchor, shikaku_vcard::test_ca_pem().unwrap()).unwrap();
        Env {
            _tmp: tmp,
            dir,
            data,
            anchor,
            offset: Arc::new(AtomicI64::new(0)),
        }
    }

    fn now(&self) -> DateTime<Utc> {
        Utc::now() + Duration::seconds(self.offset.load(Ordering::SeqCst))
    }

    fn advance(&self, by: Duration) {
        self.offset.fetch_add(by.num_seconds(), Ordering::SeqCst);
    }

    fn config(&self, with_test_anchor: bool) -> ServeConfig {
        let offset = Arc::clone(&self.offset);
        let clock: Clock =
            Arc::new(move || Utc::now() + Duration::seconds(offset.load(Ordering::SeqCst)));
        let mut config = ServeConfig::new(&self.dir, &self.data, "127.0.0.1:0".parse().unwrap());
        if with_test_anchor {
            config.trust_anchors.push(self.anchor.clone());
        }
        config.clock = clock;
        config.log_requests = false;
        config
    }

    fn start(&self) -> Client {
        self.start_with(true)
    }

    fn start_with(&self, with_test_anchor: bool) -> Client {
        let server = spawn(self.config(with_test_anchor)).unwrap();
        Client::new(&self.dir, server, Arc::clone(&self.offset))
    }

    fn edit_data(&self, from: &str, to: &str) {
        let text = std::fs::read_to_string(&self.data).unwrap();
        assert!(text.contains(from));
        std::fs::write(&self.data, text.replacen(from, to, 1)).unwrap();
    }

    fn trust_list(&self) -> TrustList {
        let root = load_root_public_key(&self.dir.join(files::ROOT_PUBLIC)).unwrap();
        let bytes = std::fs::read(self.dir.join(files::TRUST_LIST)).unwrap();
        TrustList::verify(&bytes, &root, self.now()).unwrap()
    }
}

struct Reply {
    status: u16,
    etag: Option<String>,
    content_type: Option<String>,
    body: Vec<u8>,
}

impl Reply {
    fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap()
    }

    fn error(&self) -> String {
        self.json()["error"].as_str().unwrap().to_owned()
    }
}

struct Client {
    server: RunningIssuer,
    agent: ureq::Agent,
    /// The server clock's offset from the system clock.
    offset: Arc<AtomicI64>,
}

impl Client {
    fn new(dir: &Path, server: RunningIssuer, offset: Arc<AtomicI64>) -> Client {
        let pem = std::fs::read(dir.join(files::TLS_CA)).unwrap();
        let roots: Vec<_> = ureq::tls::parse_pem(&pem)
            .filter_map(|i| match i.unwrap() {
                PemItem::Certificate(c) => Some(c.to_owned()),
                _ => None,
            })
            .collect();
        assert_eq!(roots.len(), 1);
        let config = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .tls_config(
                TlsConfig::builder()
                    .root_certs(RootCerts::Specific(Arc::new(roots)))
                    .build(),
            )
            .build();
        Client {
            server,
            agent: ureq::Agent::new_with_config(config),
            offset,
        }
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.server.url())
    }

    fn reply(r: Result<ureq::http::Response<ureq::Body>, ureq::Error>) -> Reply {
        let mut r = r.unwrap();
        let header = |name: &str| {
            r.headers()
                .get(name)
                .map(|v| v.to_str().unwrap().to_owned())
        };
        let (etag, content_type) = (header("etag"), header("content-type"));
        Reply {
            status: r.status().as_u16(),
            etag,
            content_type,
            body: r.body_mut().read_to_vec().unwrap(),
        }
    }

    fn post(&self, path: &str, body: &[u8]) -> Reply {
        let request = self
            .agent
            .post(self.url(path))
            .header("Content-Type", "application/json");
        Self::reply(if body.is_empty() {
            request.send_empty()
        } else {
            request.send(body)
        })
    }

    fn get(&self, path: &str, headers: &[(&str, &str)]) -> Reply {
        let mut request = self.agent.get(self.url(path));
        for (k, v) in headers {
            request = request.header(*k, *v);
        }
        Self::reply(request.call())
    }

    /// `POST /v1/challenge` → (id, challenge bytes).
    fn challenge(&self) -> (String, Vec<u8>) {
        let r = self.post("/v1/challenge", b"");
        assert_eq!(r.status, 200);
        assert_eq!(r.content_type.as_deref(), Some("application/json"));
        let v = r.json();
        let bytes = B64.decode(v["challenge"].as_str().unwrap()).unwrap();
        assert_eq!(bytes.len(), 32);
        let expires = DateTime::parse_from_rfc3339(v["expires_at"].as_str().unwrap()).unwrap();
        let now = Utc::now() + Duration::seconds(self.offset.load(Ordering::SeqCst));
        let left = expires.to_utc() - now;
        assert!(left > Duration::minutes(4) && left <= Duration::minutes(5) + Duration::seconds(1));
        (v["challenge_id"].as_str().unwrap().to_owned(), bytes)
    }

    fn session_request(&self, id: &str, card: &dyn CardTransport, signed_bytes: &[u8]) -> Reply {
        self.session_request_for(&self.server.url(), id, card, signed_bytes)
    }

    /// A login whose signature names `origin` (a relaying server would name its own).
    fn session_request_for(
        &self,
        origin: &str,
        id: &str,
        card: &dyn CardTransport,
        signed_bytes: &[u8],
    ) -> Reply {
        let origin = shikaku_core::sync::http::normalised_origin(origin);
        let message = shikaku_core::sync::login_message(&origin, id, signed_bytes);
        let signed = sign_challenge(card, &pin(), &message, false).unwrap();
        let body = json!({
            "challenge_id": id,
            "certificate": B64.encode(&signed.certificate_der),
            "signature": B64.encode(&signed.signature),
        });
        self.post("/v1/session", body.to_string().as_bytes())
    }

    /// The full login; returns the session token.
    fn login(&self, card: &dyn CardTransport) -> String {
        let (id, challenge) = self.challenge();
        let r = self.session_request(&id, card, &challenge);
        assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.body));
        r.json()["session"].as_str().unwrap().to_owned()
    }

    fn documents(&self, session: &str, if_none_match: Option<&str>) -> Reply {
        let auth = format!("Bearer {session}");
        let mut headers = vec![("Authorization", auth.as_str())];
        if let Some(etag) = if_none_match {
            headers.push(("If-None-Match", etag));
        }
        self.get("/v1/documents", &headers)
    }
}

/// The presentations of a 200 answer, verified with the trust list, each agreeing with the
/// document at the same place, and their signed bytes.
fn presentations(env: &Env, r: &Reply) -> Vec<(VerifiedPresentation, Vec<u8>)> {
    let (_, docs) = verified(env, r);
    let v = r.json();
    let list = env.trust_list();
    let presentations = v["presentations"].as_array().unwrap();
    assert_eq!(presentations.len(), docs.len());
    presentations
        .iter()
        .zip(&docs)
        .map(|(p, d)| {
            let bytes = B64.decode(p.as_str().unwrap()).unwrap();
            let p = verify_presentation_document(&bytes, &list, env.now()).unwrap();
            assert_eq!(p.format, PresentedFormat::Presentation);
            assert_eq!(p.kid, d.kid);
            assert!(p.document.agrees_with(&d.document));
            (p, bytes)
        })
        .collect()
}

/// The SubjectPublicKeyInfo DER of a virtual card's 利用者証明用 key.
fn card_spki(card: &VirtualCard) -> Vec<u8> {
    use der::Encode as _;
    shikaku_core::card::CardCertificate::from_der(card.auth_certificate_der())
        .unwrap()
        .x509()
        .tbs_certificate
        .subject_public_key_info
        .to_der()
        .unwrap()
}

/// The documents of a 200 answer, verified with the trust list.
fn verified(env: &Env, r: &Reply) -> (String, Vec<VerifiedDocument>) {
    assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.body));
    let v = r.json();
    let etag = v["etag"].as_str().unwrap().to_owned();
    assert_eq!(r.etag.as_deref(), Some(format!("\"{etag}\"").as_str()));
    let list = env.trust_list();
    let docs = v["documents"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            let bytes = B64.decode(d.as_str().unwrap()).unwrap();
            verify_document(&bytes, &list, env.now()).unwrap()
        })
        .collect::<Vec<_>>();
    for d in &docs {
        assert_eq!(d.document.household_id, v["household_id"].as_str().unwrap());
        assert_eq!(d.kid, "dev-issuer-1");
    }
    (etag, docs)
}

fn ids_and_versions(docs: &[VerifiedDocument]) -> Vec<(String, u64)> {
    docs.iter()
        .map(|d| (d.document.person_id.clone(), d.document.version))
        .collect()
}

#[test]
fn init_creates_every_file_and_refuses_to_overwrite() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("issuer");
    let report = init(&dir).unwrap();
    assert_eq!(report.files.len(), files::INIT_FILES.len());
    assert_eq!(report.kid, "dev-issuer-1");
    for name in files::INIT_FILES {
        let path = dir.join(name);
        assert!(path.is_file(), "{name}");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
            if name.ends_with("key.pem") {
                assert_eq!(mode, 0o600, "{name}");
            }
        }
    }
    // The files are what they claim to be.
    let root = load_root_public_key(&dir.join(files::ROOT_PUBLIC)).unwrap();
    let root_private = load_signing_key(&dir.join(files::ROOT_KEY)).unwrap();
    assert_eq!(root_private.verifying_key(), &root);
    assert_eq!(report.root_public_key_hex.len(), 66, "SEC1 compressed, hex");
    let issuer = load_signing_key(&dir.join(files::ISSUER_KEY)).unwrap();
    let list = TrustList::verify(
        &std::fs::read(dir.join(files::TRUST_LIST)).unwrap(),
        &root,
        Utc::now(),
    )
    .unwrap();
    assert_eq!(list.version, 1);
    let key = list.key("dev-issuer-1").unwrap();
    assert_eq!(&key.verifying_key().unwrap(), issuer.verifying_key());
    assert!(key.is_valid_at(Utc::now()));
    assert!(key.not_after > Utc::now() + Duration::days(729));
    let scope: Vec<&str> = key.insurers.iter().map(|n| n.as_str()).collect();
    assert_eq!(scope, ["01130012", "138057"]);
    let ca = std::fs::read_to_string(dir.join(files::TLS_CA)).unwrap();
    assert!(ca.starts_with("-----BEGIN CERTIFICATE-----"));

    // A second init changes nothing.
    let before: Vec<Vec<u8>> = files::INIT_FILES
        .iter()
        .map(|f| std::fs::read(dir.join(f)).unwrap())
        .collect();
    assert!(matches!(
        init(&dir),
        Err(IssuerError::AlreadyInitialised { .. })
    ));
    let after: Vec<Vec<u8>> = files::INIT_FILES
        .iter()
        .map(|f| std::fs::read(dir.join(f)).unwrap())
        .collect();
    assert_eq!(before, after);
}

#[test]
fn full_flow_documents_etag_versions_and_trust_list() {
    let env = Env::new();
    let client = env.start();
    let (taro, hanako, kenta) = (card("taro"), card("hanako"), card("kenta"));

    // The 被保険者 sees the whole household.
    let session = client.login(&taro);
    let r = client.documents(&session, None);
    let (etag, docs) = verified(&env, &r);
    assert_eq!(
        ids_and_versions(&docs),
        [
            ("p-0001".to_owned(), 1),
            ("p-0002".to_owned(), 1),
            ("p-0003".to_owned(), 1)
        ]
    );
    assert_eq!(r.json()["household_id"], "hh-0001");
    for (doc, c) in docs.iter().zip([&taro, &hanako, &kenta]) {
        assert_eq!(doc.document.holder_binding, Some(c.auth_key_fingerprint()));
    }
    assert_eq!(docs[0].document.person.name, "山田 太郎");
    assert_eq!(docs[2].document.record.branch.as_deref(), Some("02"));
    assert!(docs[0].document.valid_until > env.now() + Duration::days(89));

    // A dependent sees only themself.
    let hanako_session = client.login(&hanako);
    let r = client.documents(&hanako_session, None);
    let (hanako_etag, hanako_docs) = verified(&env, &r);
    assert_eq!(ids_and_versions(&hanako_docs), [("p-0002".to_owned(), 1)]);
    assert_eq!(hanako_docs[0].signed_bytes, docs[1].signed_bytes);

    // Same again: the same ETag; If-None-Match (quoted as in HTTP, or as the body gives it) → 304.
    let again = client.documents(&session, None);
    assert_eq!(verified(&env, &again).0, etag);
    for inm in [format!("\"{etag}\""), etag.clone(), format!("W/\"{etag}\"")] {
        let r = client.documents(&session, Some(&inm));
        assert_eq!(r.status, 304);
        assert!(r.body.is_empty());
        assert_eq!(r.etag.as_deref(), Some(format!("\"{etag}\"").as_str()));
    }
    assert_eq!(
        client
            .documents(&session, Some("\"something-else\""))
            .status,
        200
    );

    // The data file changes for 健太: a new ETag, and only his version moves.
    env.edit_data(
        "acquired_on = \"2016-06-20\"",
        "acquired_on = \"2016-07-01\"",
    );
    let r = client.documents(&session, Some(&format!("\"{etag}\"")));
    let (etag2, docs2) = verified(&env, &r);
    assert_ne!(etag2, etag);
    assert_eq!(
        ids_and_versions(&docs2),
        [
            ("p-0001".to_owned(), 1),
            ("p-0002".to_owned(), 1),
            ("p-0003".to_owned(), 2)
        ]
    );
    assert_eq!(docs2[0].signed_bytes, docs[0].signed_bytes);
    assert_ne!(docs2[2].signed_bytes, docs[2].signed_bytes);
    assert_eq!(
        docs2[2].document.record.acquired_on.unwrap().to_string(),
        "2016-07-01"
    );
    // 花子 sees nothing new.
    assert_eq!(
        client
            .documents(&hanako_session, Some(&format!("\"{hanako_etag}\"")))
            .status,
        304
    );

    // The trust list, as init wrote it.
    let r = client.get("/v1/trust-list", &[]);
    assert_eq!(r.status, 200);
    assert_eq!(r.content_type.as_deref(), Some("application/cose"));
    assert_eq!(
        r.body,
        std::fs::read(env.dir.join(files::TRUST_LIST)).unwrap()
    );
    let tl_etag = r.etag.clone().unwrap();
    assert_eq!(
        client
            .get("/v1/trust-list", &[("If-None-Match", &tl_etag)])
            .status,
        304
    );

    // A restart keeps versions and ETag; writing the same content again changes nothing.
    client.server.stop().unwrap();
    std::fs::write(&env.data, std::fs::read(&env.data).unwrap()).unwrap();
    let client = env.start();
    let session = client.login(&taro);
    assert_eq!(
        client
            .documents(&session, Some(&format!("\"{etag2}\"")))
            .status,
        304
    );

    // Changing 健太 back to earlier content still moves his version forward.
    let text = std::fs::read_to_string(&env.data).unwrap();
    env.edit_data(
        "acquired_on = \"2016-07-01\"",
        "acquired_on = \"2016-06-20\"",
    );
    let (_, docs3) = verified(&env, &client.documents(&session, None));
    assert_eq!(docs3[2].document.version, 3);
    std::fs::write(&env.data, text).unwrap();
    let (_, docs4) = verified(&env, &client.documents(&session, None));
    assert_eq!(docs4[2].document.version, 4);
}

#[test]
fn a_presentation_beside_each_document_salted_per_version() {
    let env = Env::new();
    let client = env.start();
    let (taro, hanako, kenta) = (card("taro"), card("hanako"), card("kenta"));
    let session = client.login(&taro);
    let r = client.documents(&session, None);
    let (_, docs) = verified(&env, &r);
    let first = presentations(&env, &r);
    assert_eq!(first.len(), 3);
    for ((p, bytes), (d, card)) in first.iter().zip(docs.iter().zip([&taro, &hanako, &kenta])) {
        // What a clinic does not need is not in it.
        let raw = d.document.holder_binding.unwrap();
        for needle in [
            d.document.household_id.as_bytes(),
            d.document.person_id.as_bytes(),
            &raw[..],
        ] {
            assert!(!bytes.windows(needle.len()).any(|w| w == needle));
        }
        // Its salted binding matches its member's card, and no other member's.
        check_presentation_holder(p, &card_spki(card)).unwrap();
        let other = if std::ptr::eq(card, &taro) {
            &hanako
        } else {
            &taro
        };
        assert!(check_presentation_holder(p, &card_spki(other)).is_err());
    }
    let salts: Vec<_> = first
        .iter()
        .map(|(p, _)| p.document.holder.unwrap().salt)
        .collect();
    assert!(salts[0] != salts[1] && salts[1] != salts[2] && salts[0] != salts[2]);

    // The same version: the same presentation, also after a restart.
    client.server.stop().unwrap();
    let client = env.start();
    let session = client.login(&taro);
    let again = presentations(&env, &client.documents(&session, None));
    assert_eq!(
        again.iter().map(|(_, b)| b).collect::<Vec<_>>(),
        first.iter().map(|(_, b)| b).collect::<Vec<_>>()
    );
    // A new version of 健太's document: a new salt for him only.
    env.edit_data(
        "acquired_on = \"2016-06-20\"",
        "acquired_on = \"2016-07-01\"",
    );
    let next = presentations(&env, &client.documents(&session, None));
    assert_eq!(next[0].1, first[0].1);
    assert_ne!(next[2].0.document.holder.unwrap().salt, salts[2]);
    check_presentation_holder(&next[2].0, &card_spki(&kenta)).unwrap();
}

#[test]
fn documents_are_reissued_before_they_get_old() {
    let env = Env::new();
    let client = env.start();
    let taro = card("taro");
    let session = client.login(&taro);
    let (etag, docs) = verified(&env, &client.documents(&session, None));
    assert!(docs.iter().all(|d| d.document.version == 1));
    env.advance(Duration::days(31));
    // The old session expired meanwhile.
    let r = client.documents(&session, Some(&etag));
    assert_eq!((r.status, r.error().as_str()), (401, "session"));
    let session = client.login(&taro);
    let (etag2, docs2) = verified(&env, &client.documents(&session, Some(&etag)));
    assert_ne!(etag, etag2);
    assert!(docs2.iter().all(|d| d.document.version == 2));
    assert!(docs2[0].document.issued_at > docs[0].document.issued_at + Duration::days(30));
}

#[test]
fn login_rejections() {
    let env = Env::new();
    let client = env.start();
    let taro = card("taro");
    let unauthorized = |r: Reply, code: &str| {
        assert_eq!(
            (r.status, r.error().as_str()),
            (401, code),
            "{}",
            String::from_utf8_lossy(&r.body)
        );
    };

    // Unknown challenge.
    let (_, challenge) = client.challenge();
    unauthorized(
        client.session_request("no-such-challenge", &taro, &challenge),
        "challenge",
    );

    // A challenge is used once, even by the right card.
    let (id, challenge) = client.challenge();
    assert_eq!(client.session_request(&id, &taro, &challenge).status, 200);
    unauthorized(client.session_request(&id, &taro, &challenge), "challenge");

    // A failed attempt uses the challenge up too.
    let (id, challenge) = client.challenge();
    unauthorized(
        client.session_request(&id, &taro, b"other bytes"),
        "signature",
    );
    unauthorized(client.session_request(&id, &taro, &challenge), "challenge");

    // Expired (5 minutes).
    let (id, challenge) = client.challenge();
    env.advance(Duration::minutes(5) + Duration::seconds(2));
    unauthorized(client.session_request(&id, &taro, &challenge), "challenge");

    // Not a card the data file knows.
    let (id, challenge) = client.challenge();
    let r = client.session_request(&id, &stranger(), &challenge);
    assert_eq!((r.status, r.error().as_str()), (403, "unknown_person"));

    // Malformed requests.
    for body in [
        &b"{"[..],
        br#"{"challenge_id":"x","certificate":"***","signature":"AA"}"#,
        br#"{"challenge_id":"x","certificate":"AA","signature":"AA","extra":1}"#,
    ] {
        let r = client.post("/v1/session", body);
        assert_eq!((r.status, r.error().as_str()), (400, "bad_request"));
    }
    // Over 64 KiB: refused (the server may answer before the client has sent it all, and
    // the client may then see the connection closed instead of the answer).
    let big = vec![b' '; 100 * 1024];
    if let Ok(mut r) = client.agent.post(client.url("/v1/session")).send(&big[..]) {
        assert_eq!(r.status().as_u16(), 400);
        let body: Value = serde_json::from_slice(&r.body_mut().read_to_vec().unwrap()).unwrap();
        assert_eq!(body["error"], "bad_request");
    }

    // Not a certificate.
    let (id, challenge) = client.challenge();
    let signed = sign_challenge(&taro, &pin(), &challenge, false).unwrap();
    let body = json!({
        "challenge_id": id,
        "certificate": B64.encode(b"not DER"),
        "signature": B64.encode(&signed.signature),
    });
    unauthorized(
        client.post("/v1/session", body.to_string().as_bytes()),
        "certificate",
    );

    // Missing, unknown and expired sessions.
    unauthorized(client.get("/v1/documents", &[]), "session");
    unauthorized(
        client.get("/v1/documents", &[("Authorization", "Bearer AAAA")]),
        "session",
    );
    unauthorized(
        client.get("/v1/documents", &[("Authorization", "Basic AAAA")]),
        "session",
    );
    let session = client.login(&taro);
    assert_eq!(client.documents(&session, None).status, 200);
    env.advance(Duration::minutes(16));
    unauthorized(client.documents(&session, None), "session");

    // Unknown paths and methods.
    let r = client.get("/v1/nothing", &[]);
    assert_eq!((r.status, r.error().as_str()), (404, "not_found"));
    let r = client.get("/v1/challenge", &[]);
    assert_eq!((r.status, r.error().as_str()), (405, "method_not_allowed"));
}

#[test]
fn a_certificate_from_an_untrusted_ca_is_refused() {
    let env = Env::new();
    // Without the virtual cards' test CA only the J-LIS roots are trusted.
    let client = env.start_with(false);
    let (id, challenge) = client.challenge();
    let r = client.session_request(&id, &card("taro"), &challenge);
    assert_eq!((r.status, r.error().as_str()), (401, "certificate"));
}

#[test]
fn a_broken_data_file_is_a_500_and_recovers() {
    let env = Env::new();
    let client = env.start();
    let taro = card("taro");
    let session = client.login(&taro);
    let good = std::fs::read(&env.data).unwrap();
    env.edit_data("kana = \"ヤマダ ハナコ\"", "kana = \"やまだ はなこ\"");
    let r = client.documents(&session, None);
    assert_eq!((r.status, r.error().as_str()), (500, "data"));
    std::fs::write(&env.data, good).unwrap();
    let (_, docs) = verified(&env, &client.documents(&session, None));
    assert_eq!(docs.len(), 3);
    assert!(docs.iter().all(|d| d.document.version == 1));
}

#[test]
fn serve_refuses_data_outside_the_issuer_keys_scope() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("issuer");
    let options = shikaku_issuer::InitOptions {
        insurers: vec![shikaku_core::eligibility::InsurerNumber::parse("01130012").unwrap()],
        ..Default::default()
    };
    init_with(&dir, &options).unwrap();
    let mut config = ServeConfig::new(
        &dir,
        example("households.toml"),
        "127.0.0.1:0".parse().unwrap(),
    );
    config.log_requests = false;
    let err = spawn(config).unwrap_err();
    let text = err.to_string();
    assert!(
        matches!(err, IssuerError::Data { .. }) && text.contains("138057"),
        "{text}"
    );
    assert!(!text.contains("田中"), "{text}");
}

#[test]
fn a_login_relayed_through_a_second_server_is_refused() {
    // The real issuer, and a second loopback server standing for a hostile issuer the user
    // syncs with. The hostile one passes on the real issuer's challenge; the card then signs
    // the hostile server's origin, so the real issuer refuses the relayed signature.
    let env = Env::new();
    let real = env.start();
    let hostile = env.start();
    let hostile_origin = hostile.server.url();
    assert_ne!(hostile_origin, real.server.url());
    let taro = card("taro");
    let (id, challenge) = real.challenge();
    let r = real.session_request_for(&hostile_origin, &id, &taro, &challenge);
    assert_eq!(
        (r.status, r.error().as_str()),
        (401, "signature"),
        "{}",
        String::from_utf8_lossy(&r.body)
    );
    // A signature naming another challenge id is refused as well.
    let (id, challenge) = real.challenge();
    let (other_id, _) = real.challenge();
    let message = shikaku_core::sync::login_message(
        &shikaku_core::sync::http::normalised_origin(&real.server.url()),
        &other_id,
        &challenge,
    );
    let signed = sign_challenge(&taro, &pin(), &message, false).unwrap();
    let body = json!({
        "challenge_id": id,
        "certificate": B64.encode(&signed.certificate_der),
        "signature": B64.encode(&signed.signature),
    });
    let r = real.post("/v1/session", body.to_string().as_bytes());
    assert_eq!((r.status, r.error().as_str()), (401, "signature"));
    // The same card logging in to the real issuer directly is accepted.
    let (id, challenge) = real.challenge();
    assert_eq!(real.session_request(&id, &taro, &challenge).status, 200);
}

/// `POST /v1/challenge` over a TLS connection made from the loopback address `from` (e.g.
/// 127.0.0.2, a second client on this machine); returns the HTTP status.
fn challenge_from(dir: &Path, server: &RunningIssuer, from: std::net::IpAddr) -> u16 {
    use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
    use tokio_rustls::rustls;
    let pem = std::fs::read(dir.join(files::TLS_CA)).unwrap();
    let mut roots = rustls::RootCertStore::empty();
    for item in ureq::tls::parse_pem(&pem) {
        if let PemItem::Certificate(c) = item.unwrap() {
            roots
                .add(rustls::pki_types::CertificateDer::from(c.der().to_vec()))
                .unwrap();
        }
    }
    let config = rustls::ClientConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .unwrap()
    .with_root_certificates(roots)
    .with_no_client_auth();
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let socket = tokio::net::TcpSocket::new_v4().unwrap();
        socket.bind((from, 0).into()).unwrap();
        let tcp = socket.connect(server.addr()).await.unwrap();
        let name = rustls::pki_types::ServerName::try_from("127.0.0.1").unwrap();
        let mut tls = tokio_rustls::TlsConnector::from(Arc::new(config))
            .connect(name, tcp)
            .await
            .unwrap();
        tls.write_all(
            b"POST /v1/challenge HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
        )
        .await
        .unwrap();
        let mut answer = Vec::new();
        let _ = tls.read_to_end(&mut answer).await;
        let head = String::from_utf8_lossy(&answer);
        head.split(' ').nth(1).unwrap().parse().unwrap()
    })
}

#[test]
fn a_real_login_is_served_while_another_client_floods_challenges() {
    let env = Env::new();
    // A table sized to the load (here: small, so that a flood could fill it).
    let mut config = env.config(true);
    config.max_pending = 64;
    let client = Client::new(&env.dir, spawn(config).unwrap(), Arc::clone(&env.offset));
    let flooder: std::net::IpAddr = [127, 0, 0, 2].into();
    let mut statuses = std::collections::BTreeMap::<u16, usize>::new();
    for _ in 0..100 {
        *statuses
            .entry(challenge_from(&env.dir, &client.server, flooder))
            .or_default() += 1;
    }
    // The flooder gets its share and then 429, never filling the table.
    assert_eq!(
        statuses.get(&200).copied(),
        Some(shikaku_issuer::MAX_PENDING_PER_CLIENT),
        "{statuses:?}"
    );
    assert_eq!(
        statuses.get(&429).copied(),
        Some(100 - shikaku_issuer::MAX_PENDING_PER_CLIENT),
        "{statuses:?}"
    );
    // Meanwhile a real login from another address goes through.
    let taro = card("taro");
    let session = client.login(&taro);
    assert!(!session.is_empty());
}
