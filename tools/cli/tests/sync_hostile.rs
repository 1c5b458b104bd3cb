//! The sync client against a server the test controls: a valid flow, then every hostile answer
//! of the acceptance list, each refused with its typed error and the store files byte-identical.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;
use support::snapshot;

use std::path::Path;
use std::sync::Mutex;

use chrono::{DateTime, Duration, NaiveDate, Utc};
use coset::{CoseSign1Builder, HeaderBuilder, TaggedCborSerializable, iana};
use p256::ecdsa::signature::Signer;
use sha2::{Digest, Sha256};
use shikaku_core::card::Pin;
use shikaku_core::document::{
    EligibilityDocument, IssuerKey, PresentationDocument, PresentedFormat, SaltedBinding,
    SigningKey, TrustList, check_presentation_holder, from_qr_payload, presentation_of,
    sign_document, sign_presentation, verify_document, verify_presentation,
};
use shikaku_core::eligibility::{
    DocumentKind, InsurerNumber, MemberForm, RecordForm, Relationship, Sex,
};
use shikaku_core::store::{MemoryKeyStore, Store};
use shikaku_core::sync::http::{
    HttpError, HttpMethod, HttpRequest, HttpResponse, HttpTransport, ServerUrl,
};
use shikaku_core::sync::{SyncConfig, SyncError, SyncStep, sync};
use shikaku_vcard::{VirtualCard, card_from_profile_path};

const KEK: [u8; 32] = [5; 32];
const KID: &str = "issuer-1";

fn key(seed: &str) -> SigningKey {
    SigningKey::from_slice(&Sha256::digest(seed.as_bytes())).unwrap()
}

fn now() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2026-11-23T03:00:00Z")
        .unwrap()
        .to_utc()
}

fn issuer_key(kid: &str, k: &SigningKey, insurers: &[&str], not_after: DateTime<Utc>) -> IssuerKey {
    IssuerKey {
        kid: kid.into(),
        public_key: k
            .verifying_key()
            .to_encoded_point(false)
            .as_bytes()
            .to_vec(),
        not_before: now() - Duration::days(300),
        not_after,
        insurers: insurers
            .iter()
            .map(|n| InsurerNumber::parse(n).unwrap())
            .collect(),
    }
}

fn trust(version: u64, keys: Vec<IssuerKey>) -> Vec<u8> {
    TrustList {
        version,
        issued_at: now() - Duration::days(1),
        keys,
    }
    .sign(&key("root"))
    .unwrap()
}

fn profile(name: &str) -> String {
    format!(
        "{}/../../examples/vcard-yamada-{name}.toml",
        env!("CARGO_MANIFEST_DIR")
    )
}

fn card(name: &str) -> VirtualCard {
    card_from_profile_path(profile(name)).unwrap()
}

/// The example family's documents: (person id, name, kana, birth, sex, relationship, branch, card).
fn document(person: &str, version: u64) -> EligibilityDocument {
    let (name, kana, birth, sex, rel, branch, card_name) = match person {
        "p-taro" => (
            "山田 太郎",
            "ヤマダ タロウ",
            "1985-04-12",
            Sex::Male,
            Relationship::Insured,
            "00",
            "taro",
        ),
        "p-hanako" => (
            "山田 花子",
            "ヤマダ ハナコ",
            "1987-09-30",
            Sex::Female,
            Relationship::Dependent,
            "01",
            "hanako",
        ),
        _ => (
            "山田 健太",
            "ヤマダ ケンタ",
            "2016-06-15",
            Sex::Male,
            Relationship::Dependent,
            "02",
            "kenta",
        ),
    };
    let day = NaiveDate::from_ymd_opt(2026, 11, 20).unwrap();
    let p = MemberForm {
        name: name.into(),
        kana: kana.into(),
        birth_date: birth.into(),
        sex,
        relationship: rel,
        myna_hoken: None,
        card_expires_on: None,
    };
    let r = RecordForm {
        kind: DocumentKind::Portal,
        insurer_number: "01130012".into(),
        insurer_name: "全国健康保険協会 東京支部".into(),
        symbol: Some("7340155".into()),
        number: "42".into(),
        branch: Some(branch.into()),
        relationship: rel,
        insured_name: (rel == Relationship::Dependent).then(|| "山田 太郎".into()),
        acquired_on: Some("2015-04-01".into()),
        copay_percent: Some(30),
        valid_from: None,
        valid_until: None,
        issued_on: Some("2026-11-20".into()),
        elderly: None,
        limit: None,
        preschool: false,
        lost_on: None,
        public_expense: None,
    };
    EligibilityDocument {
        household_id: "hh-yamada".into(),
        person_id: person.into(),
        version,
        issued_at: now() - Duration::days(3),
        valid_until: now() + Duration::days(365),
        person: p.validate(day).unwrap(),
        record: r.validate(day).unwrap(),
        holder_binding: Some(card(card_name).auth_key_fingerprint()),
    }
}

fn signed(person: &str, version: u64) -> Vec<u8> {
    sign_document(&document(person, version), &key("issuer"), KID).unwrap()
}

/// COSE_Sign1 over arbitrary payload bytes, with any algorithm label, signed by the issuer key.
fn raw_cose(payload: Vec<u8>, alg: iana::Algorithm) -> Vec<u8> {
    let protected = HeaderBuilder::new()
        .algorithm(alg)
        .key_id(KID.as_bytes().to_vec())
        .content_type("application/vnd.shikaku.eligibility+cbor".into())
        .build();
    let sign1 = CoseSign1Builder::new()
        .protected(protected)
        .payload(payload)
        .create_signature(b"", |tbs| {
            let sig: p256::ecdsa::Signature = key("issuer").sign(tbs);
            sig.to_bytes().to_vec()
        })
        .build();
    sign1.to_tagged_vec().unwrap()
}

fn payload_of(cose: &[u8]) -> Vec<u8> {
    coset::CoseSign1::from_tagged_slice(cose)
        .unwrap()
        .payload
        .unwrap()
}

#[derive(Clone)]
enum Answer {
    Ok,
    Status(u16),
    Error(HttpError),
    Body(Vec<u8>),
}

/// The SubjectPublicKeyInfo DER of a virtual card's 利用者証明用 key.
fn card_spki(card: &VirtualCard) -> Vec<u8> {
    use p256::pkcs8::der::Encode as _;
    shikaku_core::card::CardCertificate::from_der(card.auth_certificate_der())
        .unwrap()
        .x509()
        .tbs_certificate
        .subject_public_key_info
        .to_der()
        .unwrap()
}

/// Every key that signs documents in these tests, by kid.
fn signing_keys() -> Vec<(&'static str, SigningKey)> {
    vec![
        (KID, key("issuer")),
        ("issuer-2", key("issuer 2")),
        ("someone-else", key("issuer")),
    ]
}

/// The presentation an honest issuer signs beside `signed` (with the same key, salted with a
/// fixed salt so that the answer is stable), or `None` when `signed` is not a document these
/// tests' keys signed.
fn presentation_for(signed: &[u8]) -> Option<Vec<u8>> {
    let keys = signing_keys();
    let all = TrustList {
        version: 1,
        issued_at: now() - Duration::days(1),
        keys: keys
            .iter()
            .map(|(kid, k)| issuer_key(kid, k, &["01130012"], now() + Duration::days(300)))
            .collect(),
    };
    let v = verify_document(signed, &all, now()).ok()?;
    let spki = ["taro", "hanako", "kenta"]
        .into_iter()
        .map(|n| card_spki(&card(n)))
        .find(|spki| v.document.holder_binding == Some(Sha256::digest(spki).into()));
    let p = presentation_of(&v.document, [9; 16], spki.as_deref()).ok()?;
    let (_, k) = keys.iter().find(|(kid, _)| *kid == v.kid)?;
    sign_presentation(&p, k, &v.kid).ok()
}

/// The controlled server. Documents and the trust list can be swapped between syncs.
struct Server {
    trust: Mutex<Vec<u8>>,
    docs: Mutex<Vec<Vec<u8>>>,
    /// The presentations sent; `None`: the honest ones ([`presentation_for`]).
    presentations: Mutex<Option<Vec<Vec<u8>>>>,
    etag: Mutex<String>,
    documents_answer: Mutex<Answer>,
}

fn b64(b: &[u8]) -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(b)
}

fn ok(body: Vec<u8>) -> Result<HttpResponse, HttpError> {
    Ok(HttpResponse {
        status: 200,
        headers: vec![],
        body,
    })
}

impl HttpTransport for Server {
    fn send(&self, r: HttpRequest) -> Result<HttpResponse, HttpError> {
        let path = r.url.trim_start_matches("https://issuer.test");
        match (r.method, path) {
            (HttpMethod::Get, "/v1/trust-list") => ok(self.trust.lock().unwrap().clone()),
            (HttpMethod::Post, "/v1/challenge") => ok(format!(
                r#"{{"challenge_id":"c1","challenge":"{}","expires_at":"2026-11-23T03:05:00Z"}}"#,
                b64(&[7u8; 32])
            )
            .into_bytes()),
            (HttpMethod::Post, "/v1/session") => {
                ok(br#"{"session":"s1","expires_at":"2026-11-23T04:00:00Z"}"#.to_vec())
            }
            (HttpMethod::Get, "/v1/documents") => {
                let etag = self.etag.lock().unwrap().clone();
                let inm = r
                    .headers
                    .iter()
                    .find(|h| h.name == "If-None-Match")
                    .map(|h| h.value.clone());
                match self.documents_answer.lock().unwrap().clone() {
                    Answer::Error(e) => Err(e),
                    Answer::Status(s) => Ok(HttpResponse {
                        status: s,
                        headers: vec![],
                        body: b"{\"error\":\"x\"}".to_vec(),
                    }),
                    Answer::Body(b) => ok(b),
                    Answer::Ok if inm.as_deref() == Some(etag.as_str()) => Ok(HttpResponse {
                        status: 304,
                        headers: vec![],
                        body: vec![],
                    }),
                    Answer::Ok => {
                        let signed = self.docs.lock().unwrap().clone();
                        let presentations: Vec<String> =
                            match self.presentations.lock().unwrap().clone() {
                                Some(p) => p.iter().map(|p| b64(p)).collect(),
                                None => signed
                                    .iter()
                                    .map(|d| b64(&presentation_for(d).unwrap_or_default()))
                                    .collect(),
                            };
                        let docs: Vec<String> = signed.iter().map(|d| b64(d)).collect();
                        let body = serde_json::json!({
                            "household_id": "hh-yamada",
                            "etag": etag,
                            "documents": docs,
                            "presentations": presentations,
                        });
                        ok(serde_json::to_vec(&body).unwrap())
                    }
                }
            }
            _ => Ok(HttpResponse {
                status: 404,
                headers: vec![],
                body: vec![],
            }),
        }
    }
}

fn server() -> Server {
    Server {
        trust: Mutex::new(trust(
            1,
            vec![issuer_key(
                KID,
                &key("issuer"),
                &["01130012"],
                now() + Duration::days(300),
            )],
        )),
        docs: Mutex::new(vec![
            signed("p-taro", 1),
            signed("p-hanako", 1),
            signed("p-kenta", 1),
        ]),
        presentations: Mutex::new(None),
        etag: Mutex::new("\"e1\"".into()),
        documents_answer: Mutex::new(Answer::Ok),
    }
}

fn config() -> SyncConfig {
    SyncConfig {
        server: ServerUrl::parse("https://issuer.test", false).unwrap(),
        root: Some(*key("root").verifying_key()),
        allow_last_attempt: false,
        timeout_ms: 5000,
    }
}

/// The PIN `digits`, checked, as the core's sync takes it.
fn pin(digits: &str) -> Pin {
    Pin::from_bytes(digits.as_bytes()).unwrap()
}

fn run(
    path: &Path,
    server: &Server,
    card: &VirtualCard,
) -> Result<shikaku_core::sync::SyncReport, SyncError> {
    let mut store = Store::open(path, &MemoryKeyStore::new(KEK)).unwrap();
    let mut steps = Vec::new();
    let r = sync(
        &mut store,
        server,
        card,
        &pin("1234"),
        &config(),
        now(),
        &mut |s| steps.push(s),
    );
    if r.is_ok() {
        assert!(
            matches!(steps.first(), Some(SyncStep::TrustList { version: _ })),
            "{steps:?}"
        );
    }
    r
}

#[test]
fn valid_sync_then_304_then_newer_version() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("s.db");
    let srv = server();
    let taro = card("taro");
    let r = run(&path, &srv, &taro).unwrap();
    assert_eq!((r.not_modified, r.written, r.unchanged), (false, 3, 0));
    {
        let store = Store::open(&path, &MemoryKeyStore::new(KEK)).unwrap();
        let hh = store.household().unwrap();
        assert_eq!(hh.members.len(), 3);
        let taro_m = store.member_by_issuer_ref("p-taro").unwrap().unwrap();
        assert_eq!(taro_m.data.name, "山田 太郎");
        let recs = store.records(taro_m.id).unwrap().records;
        assert_eq!(recs.len(), 1);
        assert!(matches!(
            recs[0].provenance,
            shikaku_core::eligibility::Provenance::IssuerSigned { .. }
        ));
        assert_eq!(store.sync_state().unwrap().etag.as_deref(), Some("\"e1\""));
    }
    // Same ETag: 304, nothing but the sync time written.
    let r = run(&path, &srv, &taro).unwrap();
    assert!(r.not_modified);
    // A newer version of one document; the others unchanged and not rewritten.
    *srv.docs.lock().unwrap() = vec![
        signed("p-taro", 2),
        signed("p-hanako", 1),
        signed("p-kenta", 1),
    ];
    *srv.etag.lock().unwrap() = "\"e2\"".into();
    let r = run(&path, &srv, &taro).unwrap();
    assert_eq!((r.written, r.unchanged), (1, 2));
    // An older version is a rollback.
    *srv.docs.lock().unwrap() = vec![
        signed("p-taro", 1),
        signed("p-hanako", 1),
        signed("p-kenta", 1),
    ];
    *srv.etag.lock().unwrap() = "\"e3\"".into();
    let before = snapshot(dir.path());
    assert_eq!(run(&path, &srv, &taro).unwrap_err(), SyncError::Rollback);
    assert_eq!(snapshot(dir.path()), before);
}

/// Syncs once successfully, then applies `hostile` to the server and expects `check(err)` and
/// byte-identical store files.
fn hostile(name: &str, setup: impl FnOnce(&Server), check: impl Fn(&SyncError) -> bool) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("s.db");
    let srv = server();
    let taro = card("taro");
    run(&path, &srv, &taro).unwrap();
    *srv.etag.lock().unwrap() = "\"e-next\"".into();
    setup(&srv);
    let before = snapshot(dir.path());
    let err = run(&path, &srv, &taro).expect_err(name);
    assert!(check(&err), "{name}: unexpected {err:?}");
    assert_eq!(snapshot(dir.path()), before, "{name}: store files changed");
    eprintln!("{name}: {err}");
}

fn set_doc(s: &Server, i: usize, bytes: Vec<u8>) {
    s.docs.lock().unwrap()[i] = bytes;
}

/// The honest presentations of the server's current documents, with `change` applied.
fn set_presentations(s: &Server, change: impl FnOnce(&mut Vec<Vec<u8>>)) {
    let mut p: Vec<Vec<u8>> = s
        .docs
        .lock()
        .unwrap()
        .iter()
        .map(|d| presentation_for(d).unwrap())
        .collect();
    change(&mut p);
    *s.presentations.lock().unwrap() = Some(p);
}

fn protocol(e: &SyncError) -> bool {
    matches!(e, SyncError::Protocol { .. })
}

#[test]
fn a_presentation_that_does_not_agree_with_its_document_is_refused() {
    // Next version of every document, so that a sync would write all three.
    let next = |s: &Server| {
        *s.docs.lock().unwrap() = vec![
            signed("p-taro", 2),
            signed("p-hanako", 2),
            signed("p-kenta", 2),
        ];
    };
    // The honest presentations of the next versions pass (so each case below fails for its
    // own reason).
    {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("s.db");
        let srv = server();
        run(&path, &srv, &card("taro")).unwrap();
        next(&srv);
        *srv.etag.lock().unwrap() = "\"e-next\"".into();
        set_presentations(&srv, |_| {});
        assert_eq!(run(&path, &srv, &card("taro")).unwrap().written, 3);
    }
    hostile(
        "presentations swapped between members",
        |s| {
            next(s);
            set_presentations(s, |p| p.swap(1, 2));
        },
        protocol,
    );
    hostile(
        "presentation with another validity",
        |s| {
            next(s);
            let mut d = document("p-kenta", 2);
            d.valid_until -= Duration::days(1);
            let spki = card_spki(&card("kenta"));
            let p = presentation_of(&d, [9; 16], Some(&spki)).unwrap();
            let p = sign_presentation(&p, &key("issuer"), KID).unwrap();
            set_presentations(s, |ps| ps[2] = p);
        },
        protocol,
    );
    hostile(
        "presentation with another 番号",
        |s| {
            next(s);
            let mut d = document("p-hanako", 2);
            d.record.number = "43".into();
            let spki = card_spki(&card("hanako"));
            let p = presentation_of(&d, [9; 16], Some(&spki)).unwrap();
            let p = sign_presentation(&p, &key("issuer"), KID).unwrap();
            set_presentations(s, |ps| ps[1] = p);
        },
        protocol,
    );
    hostile(
        "the logged-in card's presentation bound to another card",
        |s| {
            next(s);
            let mut p: PresentationDocument = presentation_of(
                &document("p-taro", 2),
                [9; 16],
                Some(&card_spki(&card("taro"))),
            )
            .unwrap();
            p.holder = Some(SaltedBinding::new([9; 16], &card_spki(&card("hanako"))));
            let p = sign_presentation(&p, &key("issuer"), KID).unwrap();
            set_presentations(s, |ps| ps[0] = p);
        },
        protocol,
    );
    hostile(
        "one presentation missing",
        |s| {
            next(s);
            set_presentations(s, |p| {
                p.pop();
            });
        },
        protocol,
    );
    hostile(
        "a full document in place of a presentation",
        |s| {
            next(s);
            set_presentations(s, |p| p[0] = signed("p-taro", 2));
        },
        |e| matches!(e, SyncError::InvalidDocument { .. }),
    );
    hostile(
        "a presentation signed by a key not in the trust list",
        |s| {
            next(s);
            let spki = card_spki(&card("kenta"));
            let p = presentation_of(&document("p-kenta", 2), [9; 16], Some(&spki)).unwrap();
            let p = sign_presentation(&p, &key("stranger"), "stranger-1").unwrap();
            set_presentations(s, |ps| ps[2] = p);
        },
        |e| matches!(e, SyncError::Untrusted { .. }),
    );
    hostile(
        "no presentations at all (an issuer from before presentations)",
        |s| {
            next(s);
            let docs: Vec<String> = s.docs.lock().unwrap().iter().map(|d| b64(d)).collect();
            let body = serde_json::json!({
                "household_id": "hh-yamada", "etag": "x", "documents": docs,
            });
            *s.documents_answer.lock().unwrap() = Answer::Body(serde_json::to_vec(&body).unwrap());
        },
        protocol,
    );
}

#[test]
fn the_qr_code_of_a_synced_record_is_its_presentation() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("s.db");
    let srv = server();
    run(&path, &srv, &card("taro")).unwrap();
    let trust_list = TrustList::verify(
        &srv.trust.lock().unwrap(),
        key("root").verifying_key(),
        now(),
    )
    .unwrap();
    let store = Store::open(&path, &MemoryKeyStore::new(KEK)).unwrap();
    let scan = |person: &str| {
        let m = store.member_by_issuer_ref(person).unwrap().unwrap();
        let (_, payload) = store.member_qr_payload(m.id).unwrap().unwrap();
        let bytes = from_qr_payload(&payload).unwrap();
        (
            bytes.clone(),
            verify_presentation(&bytes, &trust_list, now()).unwrap(),
        )
    };
    for (person, name, other) in [
        ("p-taro", "taro", "hanako"),
        ("p-hanako", "hanako", "kenta"),
        ("p-kenta", "kenta", "taro"),
    ] {
        let (bytes, v) = scan(person);
        assert_eq!(v.format, PresentedFormat::Presentation, "{person}");
        assert_eq!(v.format_version(), 2);
        // No household id, no person id, no raw binding, no 限度額 block.
        let raw = card(name).auth_key_fingerprint();
        for needle in [b"hh-yamada".as_slice(), person.as_bytes(), &raw[..]] {
            assert!(
                !bytes.windows(needle.len()).any(|w| w == needle),
                "{person}"
            );
        }
        assert!(v.document.agrees_with(&document(person, 1)));
        check_presentation_holder(&v, &card_spki(&card(name))).unwrap();
        assert!(check_presentation_holder(&v, &card_spki(&card(other))).is_err());
    }
    drop(store);

    // A record synced before presentations existed (no row): its QR is the full document,
    // format 1, until a sync brings the presentation.
    {
        let mut store = Store::open(&path, &MemoryKeyStore::new(KEK)).unwrap();
        for person in ["p-taro", "p-hanako", "p-kenta"] {
            let m = store.member_by_issuer_ref(person).unwrap().unwrap();
            let id = store.records(m.id).unwrap().records[0].id;
            store.write(|b| b.remove_presentation(id)).unwrap();
        }
        let m = store.member_by_issuer_ref("p-taro").unwrap().unwrap();
        let (_, payload) = store.member_qr_payload(m.id).unwrap().unwrap();
        let v =
            verify_presentation(&from_qr_payload(&payload).unwrap(), &trust_list, now()).unwrap();
        assert_eq!(v.format_version(), 1);
        check_presentation_holder(&v, &card_spki(&card("taro"))).unwrap();
    }
    *srv.etag.lock().unwrap() = "\"e-upgraded\"".into();
    let r = run(&path, &srv, &card("taro")).unwrap();
    assert_eq!((r.written, r.unchanged), (0, 3));
    let store = Store::open(&path, &MemoryKeyStore::new(KEK)).unwrap();
    let m = store.member_by_issuer_ref("p-taro").unwrap().unwrap();
    let (_, payload) = store.member_qr_payload(m.id).unwrap().unwrap();
    let v = verify_presentation(&from_qr_payload(&payload).unwrap(), &trust_list, now()).unwrap();
    assert_eq!(v.format_version(), 2);
}

#[test]
fn hostile_answers_are_refused_and_change_nothing() {
    hostile(
        "bad signature",
        |s| {
            let mut d = signed("p-taro", 2);
            let n = d.len();
            d[n - 5] ^= 1;
            set_doc(s, 0, d);
        },
        |e| matches!(e, SyncError::Untrusted { .. }),
    );
    hostile(
        "unknown kid",
        |s| {
            set_doc(
                s,
                1,
                sign_document(&document("p-hanako", 2), &key("issuer"), "someone-else").unwrap(),
            );
        },
        |e| matches!(e, SyncError::Untrusted { reason } if reason.contains("unknown issuer key")),
    );
    hostile(
        "expired key",
        |s| {
            *s.trust.lock().unwrap() = trust(
                2,
                vec![issuer_key(
                    KID,
                    &key("issuer"),
                    &["01130012"],
                    now() - Duration::days(1),
                )],
            );
        },
        |e| matches!(e, SyncError::Untrusted { reason } if reason.contains("validity")),
    );
    hostile(
        "key not allowed for that 保険者番号",
        |s| {
            *s.trust.lock().unwrap() = trust(
                2,
                vec![issuer_key(
                    KID,
                    &key("issuer"),
                    &["33120015"],
                    now() + Duration::days(10),
                )],
            );
        },
        |e| matches!(e, SyncError::Untrusted { reason } if reason.contains("保険者番号")),
    );
    hostile(
        "wrong algorithm",
        |s| {
            set_doc(
                s,
                0,
                raw_cose(payload_of(&signed("p-taro", 2)), iana::Algorithm::ES384),
            );
        },
        |e| matches!(e, SyncError::Untrusted { reason } if reason.contains("algorithm")),
    );
    hostile(
        "over 16 KiB",
        |s| {
            set_doc(
                s,
                0,
                raw_cose(vec![0x40; 17 * 1024], iana::Algorithm::ES256),
            );
        },
        |e| matches!(e, SyncError::InvalidDocument { reason } if reason.contains("larger")),
    );
    hostile(
        "truncated CBOR",
        |s| {
            let d = signed("p-taro", 2);
            set_doc(s, 0, d[..d.len() / 2].to_vec());
        },
        |e| matches!(e, SyncError::InvalidDocument { .. }),
    );
    hostile(
        "duplicate map keys",
        |s| {
            let payload = payload_of(&signed("p-taro", 2));
            let mut v: ciborium::Value = ciborium::from_reader(&payload[..]).unwrap();
            if let ciborium::Value::Map(m) = &mut v {
                let first = m[0].clone();
                m.push(first);
            }
            let mut dup = Vec::new();
            ciborium::into_writer(&v, &mut dup).unwrap();
            set_doc(s, 0, raw_cose(dup, iana::Algorithm::ES256));
        },
        |e| matches!(e, SyncError::InvalidDocument { reason } if reason.contains("duplicate")),
    );
    hostile(
        "a valid document bound to another card",
        |s| {
            let mut d = document("p-taro", 2);
            d.holder_binding = Some(card("kenta").auth_key_fingerprint());
            set_doc(s, 0, sign_document(&d, &key("issuer"), KID).unwrap());
        },
        |e| *e == SyncError::HolderMismatch,
    );
    hostile(
        "HTTP 500",
        |s| {
            *s.documents_answer.lock().unwrap() = Answer::Status(500);
        },
        |e| *e == SyncError::Server { status: 500 },
    );
    hostile(
        "timeout",
        |s| {
            *s.documents_answer.lock().unwrap() = Answer::Error(HttpError::Timeout);
        },
        |e| *e == SyncError::Timeout,
    );
    hostile(
        "connection cut mid-body",
        |s| {
            *s.documents_answer.lock().unwrap() = Answer::Error(HttpError::Interrupted {
                reason: "unexpected end of file".into(),
            });
        },
        |e| matches!(e, SyncError::Interrupted { .. }),
    );
    hostile(
        "truncated JSON body",
        |s| {
            *s.documents_answer.lock().unwrap() =
                Answer::Body(br#"{"household_id":"hh-yamada","etag":"x","documents":["#.to_vec());
        },
        |e| matches!(e, SyncError::Protocol { .. }),
    );
    hostile(
        "an answer over 1 MiB (the transport let it through; the core caps it)",
        |s| {
            let mut big = br#"{"household_id":"hh-yamada","etag":"x","documents":[""#.to_vec();
            big.resize(shikaku_core::sync::MAX_RESPONSE_BYTES + 1, b'A');
            *s.documents_answer.lock().unwrap() = Answer::Body(big);
        },
        |e| matches!(e, SyncError::Protocol { reason } if reason.contains("1 MiB")),
    );
    hostile(
        "garbage",
        |s| {
            *s.documents_answer.lock().unwrap() = Answer::Body(vec![0xff, 0x00, 0x13]);
        },
        |e| matches!(e, SyncError::Protocol { .. }),
    );
    hostile(
        "offline",
        |s| {
            *s.documents_answer.lock().unwrap() = Answer::Error(HttpError::Offline {
                reason: "connection refused".into(),
            });
        },
        |e| matches!(e, SyncError::Offline { .. }),
    );
    hostile(
        "trust list rollback",
        |s| {
            *s.trust.lock().unwrap() = trust(
                1,
                vec![issuer_key(
                    KID,
                    &key("issuer"),
                    &["01130012", "33120015"],
                    now() + Duration::days(10),
                )],
            );
        },
        |e| *e == SyncError::Rollback,
    );
    hostile(
        "trust list signed by another root",
        |s| {
            *s.trust.lock().unwrap() = TrustList {
                version: 5,
                issued_at: now(),
                keys: vec![],
            }
            .sign(&key("not the root"))
            .unwrap();
        },
        |e| matches!(e, SyncError::Untrusted { .. }),
    );
    hostile(
        "document of another household",
        |s| {
            let mut d = document("p-kenta", 2);
            d.household_id = "hh-other".into();
            set_doc(s, 2, sign_document(&d, &key("issuer"), KID).unwrap());
        },
        |e| matches!(e, SyncError::InvalidDocument { .. }),
    );
}

#[test]
fn wrong_pin_fails_before_anything_is_stored() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("s.db");
    let srv = server();
    let taro = card("taro");
    let mut store = Store::open(&path, &MemoryKeyStore::new(KEK)).unwrap();
    let err = sync(
        &mut store,
        &srv,
        &taro,
        &pin("9999"),
        &config(),
        now(),
        &mut |_| {},
    )
    .unwrap_err();
    assert!(
        matches!(
            err,
            SyncError::Card(shikaku_core::card::CardError::WrongPin {
                retries_left: 2,
                ..
            })
        ),
        "{err:?}"
    );
    assert!(store.household().unwrap().members.is_empty());
    assert_eq!(store.sync_state().unwrap(), Default::default());
}

fn sync_at(
    path: &Path,
    server: &Server,
    config: &SyncConfig,
    at: DateTime<Utc>,
) -> Result<shikaku_core::sync::SyncReport, SyncError> {
    let mut store = Store::open(path, &MemoryKeyStore::new(KEK)).unwrap();
    sync(
        &mut store,
        server,
        &card("taro"),
        &pin("1234"),
        config,
        at,
        &mut |_| {},
    )
}

#[test]
fn the_first_sync_pins_the_root_and_a_different_root_is_refused_not_re_pinned() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("s.db");
    let srv = server();
    // No root known yet and none given: refused before any request.
    let no_root = SyncConfig {
        root: None,
        ..config()
    };
    assert!(matches!(
        sync_at(&path, &srv, &no_root, now()),
        Err(SyncError::Untrusted { .. })
    ));
    sync_at(&path, &srv, &config(), now()).unwrap();
    let pinned = Store::open(&path, &MemoryKeyStore::new(KEK))
        .unwrap()
        .pinned_root()
        .unwrap();
    assert_eq!(pinned, Some(*key("root").verifying_key()));

    // Another root (with a trust list it signed) is refused; the store is byte-identical.
    *srv.trust.lock().unwrap() = TrustList {
        version: 9,
        issued_at: now() - Duration::days(1),
        keys: vec![issuer_key(
            KID,
            &key("issuer"),
            &["01130012"],
            now() + Duration::days(300),
        )],
    }
    .sign(&key("other root"))
    .unwrap();
    let other = SyncConfig {
        root: Some(*key("other root").verifying_key()),
        ..config()
    };
    let before = snapshot(dir.path());
    let taro = card("taro");
    let err = {
        let mut store = Store::open(&path, &MemoryKeyStore::new(KEK)).unwrap();
        sync(
            &mut store,
            &srv,
            &taro,
            &pin("1234"),
            &other,
            now(),
            &mut |_| {},
        )
        .unwrap_err()
    };
    assert_eq!(err, SyncError::RootChanged);
    assert_eq!(snapshot(dir.path()), before);
    // Refused before the card was asked for anything.
    assert_eq!(taro.apdu_count(), 0);

    // Re-pinning is the explicit operation; then the new root's list is accepted.
    {
        let mut store = Store::open(&path, &MemoryKeyStore::new(KEK)).unwrap();
        shikaku_core::sync::repin_root(&mut store, &key("other root").verifying_key().clone())
            .unwrap();
    }
    sync_at(&path, &srv, &other, now()).unwrap();
    // Without a root in the config the pinned one is used.
    sync_at(&path, &srv, &no_root, now()).unwrap();
}

#[test]
fn a_rolled_back_trust_list_is_refused_even_with_the_clock_set_back_two_days() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("s.db");
    let srv = server();
    let keys = vec![issuer_key(
        KID,
        &key("issuer"),
        &["01130012"],
        now() + Duration::days(300),
    )];
    // Version 3, issued just now: with the clock set back two days it is "from the future".
    *srv.trust.lock().unwrap() = TrustList {
        version: 3,
        issued_at: now(),
        keys: keys.clone(),
    }
    .sign(&key("root"))
    .unwrap();
    sync_at(&path, &srv, &config(), now()).unwrap();
    // The server rolls back to an older, genuinely signed version 2.
    *srv.trust.lock().unwrap() = TrustList {
        version: 2,
        issued_at: now() - Duration::days(5),
        keys,
    }
    .sign(&key("root"))
    .unwrap();
    *srv.etag.lock().unwrap() = "\"e-next\"".into();
    let before = snapshot(dir.path());
    let set_back = now() - Duration::days(2);
    assert_eq!(
        sync_at(&path, &srv, &config(), set_back).unwrap_err(),
        SyncError::Rollback
    );
    assert_eq!(snapshot(dir.path()), before);
}

#[test]
fn a_rolled_back_document_is_refused_even_when_its_old_key_has_expired() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("s.db");
    let srv = server();
    *srv.docs.lock().unwrap() = vec![
        signed("p-taro", 2),
        signed("p-hanako", 1),
        signed("p-kenta", 1),
    ];
    sync_at(&path, &srv, &config(), now()).unwrap();
    // The old key has expired; a new key signs an older version of the 本人's document.
    *srv.trust.lock().unwrap() = trust(
        2,
        vec![
            issuer_key(
                KID,
                &key("issuer"),
                &["01130012"],
                now() - Duration::days(1),
            ),
            issuer_key(
                "issuer-2",
                &key("issuer 2"),
                &["01130012"],
                now() + Duration::days(300),
            ),
        ],
    );
    let resign = |person: &str, v: u64| {
        sign_document(&document(person, v), &key("issuer 2"), "issuer-2").unwrap()
    };
    *srv.docs.lock().unwrap() = vec![
        resign("p-taro", 1),
        resign("p-hanako", 2),
        resign("p-kenta", 2),
    ];
    *srv.etag.lock().unwrap() = "\"e-next\"".into();
    let before = snapshot(dir.path());
    assert_eq!(
        sync_at(&path, &srv, &config(), now()).unwrap_err(),
        SyncError::Rollback
    );
    assert_eq!(snapshot(dir.path()), before);
}
