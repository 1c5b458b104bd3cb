//! Host-test helpers, compiled only with the `testing` cargo feature (never in the Android,
//! iOS or size builds): a virtual My Number Card the foreign tests forward their
//! `CardTransport` to, the reference issuer (`tools/issuer`) spawned in-process on 127.0.0.1,
//! and a signed trust list with documents for a loopback test issuer written in the test
//! language. Every key here is a TEST key.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, PoisonError};

use chrono::{Duration, Utc};
use p256::ecdsa::SigningKey;
use sha2::{Digest, Sha256};
use shikaku_core::card::CardTransport as _;
use shikaku_core::document::{
    EligibilityDocument, IssuerKey, TrustList, presentation_of, sign_document, sign_presentation,
};
use shikaku_core::eligibility::{DocumentKind, MemberForm, RecordForm, Relationship, Sex};
use shikaku_core::screen::japan_today;
use shikaku_issuer::{RunningIssuer, ServeConfig, files, load_root_public_key, system_clock};
use shikaku_vcard::{
    PinRef, Quirks, VirtualCard, card_from_profile_path, test_ca_der, test_ca_pem,
};

use crate::error::{ShikakuError, invalid};
use crate::platform::TransportError;

/// A virtual My Number Card (TEST keys, test CA) handed to the foreign tests.
#[derive(uniffi::Object)]
pub struct VirtualCardHandle {
    card: VirtualCard,
}

fn test_error(what: &str) -> ShikakuError {
    invalid("testing", "テスト", what)
}

/// Loads a virtual card from a profile file (`examples/vcard-*.toml`).
#[uniffi::export]
pub fn virtual_card(profile_path: String) -> Result<Arc<VirtualCardHandle>, ShikakuError> {
    let card = card_from_profile_path(&profile_path)
        .map_err(|_| test_error("the virtual card profile cannot be loaded"))?;
    Ok(Arc::new(VirtualCardHandle { card }))
}

#[uniffi::export]
impl VirtualCardHandle {
    /// Sends one APDU to the virtual card (what a foreign `CardTransport` forwards to).
    pub fn transceive(&self, apdu: Vec<u8>) -> Result<Vec<u8>, TransportError> {
        self.card.transceive(&apdu).map_err(|e| match e {
            shikaku_core::card::TransportError::TagLost => TransportError::TagLost,
            shikaku_core::card::TransportError::Timeout => TransportError::Timeout,
            shikaku_core::card::TransportError::Other { reason } => {
                TransportError::Other { reason }
            }
        })
    }

    /// The 利用者証明用 PIN's tries left.
    pub fn auth_retries_left(&self) -> u8 {
        self.card.retries_left(PinRef::AuthPin)
    }

    /// Sets the 利用者証明用 PIN's tries left.
    pub fn set_auth_retries_left(&self, tries: u8) {
        self.card.set_retries_left(PinRef::AuthPin, tries);
    }

    /// The 券面事項入力補助AP PIN's tries left.
    pub fn text_retries_left(&self) -> u8 {
        self.card.retries_left(PinRef::TextPin)
    }

    /// Sets the 券面事項入力補助AP PIN's tries left.
    pub fn set_text_retries_left(&self, tries: u8) {
        self.card.set_retries_left(PinRef::TextPin, tries);
    }

    /// Makes the card answer `6700` to every extended-length APDU (`true`), like a card or
    /// reader of short APDUs only, or take them again (`false`, the default).
    pub fn set_refuse_extended(&self, refuse: bool) {
        self.card.set_quirks(Quirks {
            refuse_extended: refuse,
            ..Quirks::default()
        });
    }

    /// The number of extended-length APDUs (a 3-byte Lc or Le) the card has received.
    pub fn extended_apdu_count(&self) -> u64 {
        let n = self
            .card
            .log()
            .iter()
            .filter(|e| matches!(e.command.get(4..), Some([0, _, _, ..])))
            .count();
        u64::try_from(n).unwrap_or(u64::MAX)
    }

    /// The number of APDUs the card has answered so far.
    pub fn apdu_count(&self) -> u64 {
        u64::try_from(self.card.apdu_count()).unwrap_or(u64::MAX)
    }

    /// True if any APDU ever selected the 個人番号 EF (it must never happen).
    pub fn my_number_selected(&self) -> bool {
        self.card.my_number_selected()
    }

    /// SHA-256 of the card's auth key, hex.
    pub fn key_fingerprint(&self) -> String {
        self.card
            .auth_key_fingerprint()
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect()
    }
}

/// The DER of the virtual cards' TEST CA, to pass in `CardCheckOptions.extra_anchors`.
#[uniffi::export]
pub fn virtual_card_test_ca() -> Result<Vec<u8>, ShikakuError> {
    test_ca_der().map_err(|_| test_error("the test CA cannot be made"))
}

/// What a loopback test issuer serves: a trust list signed by a TEST root, and one signed
/// document per card profile (the first is 本人, the others 家族), bound to that card.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct TestIssuer {
    /// The trust list (COSE bytes), served at `/v1/trust-list`.
    pub trust_list: Vec<u8>,
    /// The TEST root key (SEC1) to pin in `SyncSettings.root_key`.
    pub root_key: Vec<u8>,
    /// The household id of the documents.
    pub household_id: String,
    /// The signed documents (COSE bytes), in profile order.
    pub documents: Vec<Vec<u8>>,
    /// The signed presentation of each document (COSE bytes), in the same order: the
    /// `presentations` list of the documents answer.
    pub presentations: Vec<Vec<u8>>,
}

fn key(seed: &str) -> Result<SigningKey, ShikakuError> {
    SigningKey::from_slice(&Sha256::digest(seed.as_bytes()))
        .map_err(|_| test_error("test key derivation failed"))
}

const KID: &str = "ffi-test-issuer";
const INSURER: &str = "01130012";

/// Signs a trust list and one document per card profile (valid from a few days ago for a
/// year), for a test issuer written in the foreign language.
#[uniffi::export]
pub fn test_issuer(card_profiles: Vec<String>) -> Result<TestIssuer, ShikakuError> {
    let now = Utc::now();
    let today = japan_today(now);
    let root = key("shikaku-ffi test root")?;
    let issuer = key("shikaku-ffi test issuer")?;
    let insurer = shikaku_core::eligibility::InsurerNumber::parse(INSURER)
        .map_err(|_| test_error("test insurer number"))?;
    let trust = TrustList {
        version: 1,
        issued_at: now - Duration::days(1),
        keys: vec![IssuerKey {
            kid: KID.into(),
            public_key: issuer
                .verifying_key()
                .to_encoded_point(false)
                .as_bytes()
                .to_vec(),
            not_before: now - Duration::days(30),
            not_after: now + Duration::days(730),
            insurers: vec![insurer],
        }],
    }
    .sign(&root)
    .map_err(|_| test_error("trust list signing failed"))?;
    let mut documents = Vec::new();
    let mut presentations = Vec::new();
    for (i, path) in card_profiles.iter().enumerate() {
        let card = card_from_profile_path(path)
            .map_err(|_| test_error("the virtual card profile cannot be loaded"))?;
        let p = card.profile();
        let relationship = if i == 0 {
            Relationship::Insured
        } else {
            Relationship::Dependent
        };
        let sex = match p.sex {
            shikaku_vcard::Sex::Male => Sex::Male,
            shikaku_vcard::Sex::Female => Sex::Female,
            _ => Sex::Other,
        };
        let person = MemberForm {
            name: p.name.clone(),
            kana: p.kana.clone().unwrap_or_else(|| "テスト".into()),
            birth_date: p.birth_date.format("%Y-%m-%d").to_string(),
            sex,
            relationship,
            myna_hoken: None,
            card_expires_on: None,
        }
        .validate(today)
        .map_err(|_| test_error("profile person does not validate"))?;
        let record = RecordForm {
            kind: DocumentKind::Portal,
            insurer_number: INSURER.into(),
            insurer_name: "全国健康保険協会 東京支部".into(),
            symbol: Some("7340155".into()),
            number: "42".into(),
            branch: Some(format!("{i:02}")),
            relationship,
            insured_name: None,
            acquired_on: Some("2015-04-01".into()),
            copay_percent: Some(30),
            valid_from: None,
            valid_until: None,
            issued_on: None,
            elderly: None,
            limit: None,
            preschool: false,
            lost_on: None,
            public_expense: None,
        }
        .validate(today)
        .map_err(|_| test_error("test record does not validate"))?;
        let doc = EligibilityDocument {
            household_id: "hh-ffi-test".into(),
            person_id: format!("person-{i}"),
            version: 1,
            issued_at: now - Duration::days(2),
            valid_until: now + Duration::days(365),
            person,
            record,
            holder_binding: Some(card.auth_key_fingerprint()),
        };
        documents.push(
            sign_document(&doc, &issuer, KID).map_err(|_| test_error("document signing failed"))?,
        );
        let spki = {
            use p256::pkcs8::der::Encode as _;
            shikaku_core::card::CardCertificate::from_der(card.auth_certificate_der())
                .ok()
                .and_then(|c| {
                    c.x509()
                        .tbs_certificate
                        .subject_public_key_info
                        .to_der()
                        .ok()
                })
                .ok_or_else(|| test_error("the card's key cannot be read"))?
        };
        // A fixed salt per member: a test fixture need not draw a fresh one.
        let salt = [0x5a ^ u8::try_from(i).unwrap_or(0); 16];
        presentations.push(
            presentation_of(&doc, salt, Some(&spki))
                .and_then(|p| sign_presentation(&p, &issuer, KID))
                .map_err(|_| test_error("presentation signing failed"))?,
        );
    }
    Ok(TestIssuer {
        trust_list: trust,
        root_key: root
            .verifying_key()
            .to_encoded_point(true)
            .as_bytes()
            .to_vec(),
        household_id: "hh-ffi-test".into(),
        documents,
        presentations,
    })
}

/// The reference issuer (`tools/issuer`) running in this process: HTTPS on 127.0.0.1 with its
/// development TLS CA, development keys, the given data file, and the virtual cards' TEST CA as
/// an extra trust anchor for the card login.
#[derive(uniffi::Object)]
pub struct ReferenceIssuer {
    running: Mutex<Option<RunningIssuer>>,
    url: String,
    tls_ca_pem: String,
    root_key: Vec<u8>,
}

/// Initialises an issuer directory under `work_dir` and spawns the reference issuer serving
/// `data_file` (e.g. `examples/households.toml`) on a free loopback port.
#[uniffi::export]
pub fn reference_issuer(
    work_dir: String,
    data_file: String,
) -> Result<Arc<ReferenceIssuer>, ShikakuError> {
    let work = Path::new(&work_dir);
    let dir = work.join("issuer");
    shikaku_issuer::init(&dir).map_err(|_| test_error("the issuer directory cannot be made"))?;
    let anchor = work.join("vcard-test-ca.pem");
    let pem = test_ca_pem().map_err(|_| test_error("the test CA cannot be made"))?;
    std::fs::write(&anchor, pem).map_err(|_| test_error("the test CA cannot be written"))?;
    let running = shikaku_issuer::spawn(ServeConfig {
        dir: dir.clone(),
        data: PathBuf::from(data_file),
        addr: ([127, 0, 0, 1], 0).into(),
        trust_anchors: vec![anchor],
        clock: system_clock(),
        log_requests: false,
        origin: None,
        max_pending: shikaku_issuer::MAX_PENDING,
    })
    .map_err(|_| test_error("the reference issuer cannot start"))?;
    let tls_ca_pem = std::fs::read_to_string(dir.join(files::TLS_CA))
        .map_err(|_| test_error("the issuer's TLS CA cannot be read"))?;
    let root = load_root_public_key(&dir.join(files::ROOT_PUBLIC))
        .map_err(|_| test_error("the issuer's root key cannot be read"))?;
    Ok(Arc::new(ReferenceIssuer {
        url: running.url(),
        running: Mutex::new(Some(running)),
        tls_ca_pem,
        root_key: root.to_encoded_point(true).as_bytes().to_vec(),
    }))
}

#[uniffi::export]
impl ReferenceIssuer {
    /// The base URL, `https://127.0.0.1:<port>`.
    pub fn url(&self) -> String {
        self.url.clone()
    }

    /// The development TLS CA (PEM) the HTTP transport must trust.
    pub fn tls_ca_pem(&self) -> String {
        self.tls_ca_pem.clone()
    }

    /// The issuer's root key (SEC1) to pin in `SyncSettings.root_key`.
    pub fn root_key(&self) -> Vec<u8> {
        self.root_key.clone()
    }

    /// Stops the server (idempotent).
    pub fn stop(&self) -> Result<(), ShikakuError> {
        let running = self
            .running
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .take();
        match running {
            Some(r) => r
                .stop()
                .map_err(|_| test_error("the reference issuer did not stop cleanly")),
            None => Ok(()),
        }
    }
}

/// The QR payload (`SK1:` + Base45(zlib)) of signed bytes, e.g. one of
/// `TestIssuer.presentations`, as a patient's phone shows it to a clinic desk.
#[uniffi::export]
pub fn test_qr_payload(document: Vec<u8>) -> String {
    shikaku_core::document::to_qr_payload(&document)
}
