//! Versions that follow the data file: the state file (`state.json` in the issuer directory)
//! maps each person id to the hash of the content last signed for them, its version and its
//! time of issue.
//!
//! On every (re)load of the data file each person's content (household id, person, record,
//! holder binding) is hashed. A person seen for the first time gets version 1; a person whose
//! hash changed, or whose document is older than [`DOCUMENT_REFRESH_AFTER`], gets version + 1
//! and a new time of issue. The state file is written (atomically) **before** any document of
//! the new version is served, and entries are never removed, so a version never goes down —
//! not across restarts, and not when a person is removed from the data file and added again.
//! Signatures are deterministic (RFC 6979), so an unchanged person's document is
//! byte-identical across requests and restarts. Its presentation (the QR form) gets a fresh
//! random salt with every new version; the salt is kept in the state entry, so the presentation
//! too — and the ETag, which covers both — stays byte-identical until the version moves.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

use chrono::{DateTime, Duration, Utc};
use p256::ecdsa::SigningKey;
use rand_core::{OsRng, RngCore};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use shikaku_core::document::{
    EligibilityDocument, SALT_LEN, presentation_of, sign_document, sign_presentation,
};
use shikaku_core::eligibility::{EligibilityRecord, InsurerNumber, MemberData};

use crate::data::Data;
use crate::{IssuerError, files};

/// How long a document is valid from its time of issue.
pub const DOCUMENT_VALIDITY: Duration = Duration::days(90);

/// When a document is re-issued (version + 1) even without a change, so that a device that
/// syncs always holds one with at least 60 days left.
pub const DOCUMENT_REFRESH_AFTER: Duration = Duration::days(30);

/// One person's entry in the state file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Entry {
    /// SHA-256 (hex) of the signed content, without version and times.
    pub hash: String,
    /// The current version (from 1).
    pub version: u64,
    /// When the current version was issued (whole seconds).
    pub issued_at: DateTime<Utc>,
    /// The salt of the current version's presentation (its salted holder binding), 32 hex
    /// digits: drawn fresh for every new version, kept so that the presentation is signed once
    /// per version and stays byte-identical across reloads and restarts. Absent in state files
    /// written before presentations existed (one is drawn on the next load).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub salt: Option<String>,
}

/// The state file's layout.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StateFile {
    /// Layout version, 1.
    pub format: u32,
    /// Person id → entry. Entries are never removed.
    pub people: BTreeMap<String, Entry>,
}

impl StateFile {
    /// Loads the state file, or an empty state when there is none yet.
    pub fn load(path: &Path) -> Result<StateFile, IssuerError> {
        match std::fs::read(path) {
            Ok(bytes) => {
                let state: StateFile = serde_json::from_slice(&bytes)
                    .map_err(|_| IssuerError::bad_file(path, "not a valid state file"))?;
                if state.format != 1 {
                    return Err(IssuerError::bad_file(path, "unknown state file format"));
                }
                Ok(state)
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(StateFile {
                format: 1,
                people: BTreeMap::new(),
            }),
            Err(e) => Err(IssuerError::io("state file", path, e)),
        }
    }

    fn save(&self, path: &Path) -> Result<(), IssuerError> {
        let json = serde_json::to_vec_pretty(self)
            .map_err(|_| IssuerError::bad_file(path, "cannot encode the state"))?;
        files::replace(path, &json, "state file")
    }
}

/// What is hashed for a person: everything signed except version and times.
#[derive(Serialize)]
struct Content<'a> {
    household_id: &'a str,
    person: &'a MemberData,
    record: &'a EligibilityRecord,
    holder_binding: Option<String>,
}

fn to_hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// A fresh random salt for a presentation's holder binding.
fn fresh_salt() -> Result<[u8; SALT_LEN], IssuerError> {
    let mut salt = [0u8; SALT_LEN];
    OsRng
        .try_fill_bytes(&mut salt)
        .map_err(|_| IssuerError::config("no randomness for a presentation's salt"))?;
    Ok(salt)
}

/// A stored salt: 32 hex digits.
fn parse_salt(hex: &str) -> Option<[u8; SALT_LEN]> {
    if hex.len() != SALT_LEN * 2 || !hex.is_ascii() {
        return None;
    }
    let mut out = [0u8; SALT_LEN];
    for (i, pair) in hex.as_bytes().chunks_exact(2).enumerate() {
        out[i] = u8::from_str_radix(std::str::from_utf8(pair).ok()?, 16).ok()?;
    }
    Some(out)
}

fn whole_seconds(t: DateTime<Utc>) -> DateTime<Utc> {
    DateTime::from_timestamp(t.timestamp(), 0).unwrap_or(t)
}

/// A person's signed document, and the presentation signed beside it.
#[derive(Debug, Clone)]
pub(crate) struct Signed {
    pub household_id: String,
    pub bytes: Vec<u8>,
    /// The presentation document (format 2): what the app shows as the QR code, its holder
    /// binding salted with the version's own random salt.
    pub presentation: Vec<u8>,
}

/// The documents as of the last load, with the state behind them.
pub(crate) struct Issuer {
    data_path: PathBuf,
    state_path: PathBuf,
    key: SigningKey,
    kid: String,
    insurers: Vec<InsurerNumber>,
    state: StateFile,
    /// SHA-256 of the data file bytes last loaded.
    loaded: Option<[u8; 32]>,
    data: Option<Data>,
    signed: HashMap<String, Signed>,
}

impl Issuer {
    pub(crate) fn new(
        data_path: PathBuf,
        state_path: PathBuf,
        key: SigningKey,
        kid: String,
        insurers: Vec<InsurerNumber>,
    ) -> Result<Issuer, IssuerError> {
        let state = StateFile::load(&state_path)?;
        Ok(Issuer {
            data_path,
            state_path,
            key,
            kid,
            insurers,
            state,
            loaded: None,
            data: None,
            signed: HashMap::new(),
        })
    }

    fn data_error(&self, reason: impl Into<String>) -> IssuerError {
        IssuerError::Data {
            path: self.data_path.clone(),
            reason: reason.into(),
        }
    }

    /// Reads the data file and, when it changed (or a document is due for refresh), validates
    /// it, assigns versions, saves the state and signs the documents. On error the previous
    /// documents stay as they were (and the caller reports the error).
    pub(crate) fn refresh(&mut self, now: DateTime<Utc>) -> Result<&Data, IssuerError> {
        let bytes = files::read(&self.data_path, "data file")?;
        let digest: [u8; 32] = Sha256::digest(&bytes).into();
        let stale = self.data.as_ref().is_some_and(|d| {
            d.people().any(|(_, p)| {
                self.state
                    .people
                    .get(&p.id)
                    .is_some_and(|e| now > e.issued_at + DOCUMENT_REFRESH_AFTER)
            })
        });
        if self.loaded != Some(digest) || stale || self.data.is_none() {
            self.reload(&bytes, now)?;
            self.loaded = Some(digest);
        }
        self.data
            .as_ref()
            .ok_or_else(|| self.data_error("not loaded"))
    }

    fn reload(&mut self, bytes: &[u8], now: DateTime<Utc>) -> Result<(), IssuerError> {
        let text = std::str::from_utf8(bytes).map_err(|_| self.data_error("not UTF-8 text"))?;
        let data = Data::parse(text, shikaku_core::clock::japan_today(now))
            .map_err(|r| self.data_error(r))?;
        for (h_index, h) in data.households.iter().enumerate() {
            for (m_index, m) in h.members.iter().enumerate() {
                if !self.insurers.contains(&m.record.insurer_number) {
                    return Err(self.data_error(format!(
                        "household #{}, member #{}: the issuer key may not sign for 保険者番号 {} \
                         (run init with that 保険者番号)",
                        h_index + 1,
                        m_index + 1,
                        m.record.insurer_number.as_str()
                    )));
                }
            }
        }
        let issued_now = whole_seconds(now);
        let mut next = self.state.clone();
        let mut documents = Vec::new();
        let mut card_keys = Vec::new();
        let mut salts = Vec::new();
        for (h, m) in data.people() {
            let content = Content {
                household_id: &h.id,
                person: &m.person,
                record: &m.record,
                holder_binding: m.card.map(|c| c.to_hex()),
            };
            let json = serde_json::to_vec(&content)
                .map_err(|_| self.data_error("cannot encode a person"))?;
            let hash = to_hex(&Sha256::digest(&json));
            let mut entry = match next.people.get(&m.id) {
                Some(e) if e.hash == hash && now <= e.issued_at + DOCUMENT_REFRESH_AFTER => {
                    e.clone()
                }
                Some(e) => Entry {
                    hash,
                    version: e.version.saturating_add(1),
                    issued_at: issued_now,
                    salt: None,
                },
                None => Entry {
                    hash,
                    version: 1,
                    issued_at: issued_now,
                    salt: None,
                },
            };
            let salt = match entry.salt.as_deref().and_then(parse_salt) {
                Some(salt) => salt,
                None => {
                    let salt = fresh_salt()?;
                    entry.salt = Some(to_hex(&salt));
                    salt
                }
            };
            salts.push(salt);
            documents.push(EligibilityDocument {
                household_id: h.id.clone(),
                person_id: m.id.clone(),
                version: entry.version,
                issued_at: entry.issued_at,
                valid_until: entry.issued_at + DOCUMENT_VALIDITY,
                person: m.person.clone(),
                record: m.record.clone(),
                holder_binding: m.card.map(|c| c.0),
            });
            card_keys.push(m.card_key.clone());
            next.people.insert(m.id.clone(), entry);
        }
        // Sign everything before anything is saved or replaced.
        let mut signed = HashMap::with_capacity(documents.len());
        for ((doc, card_key), salt) in documents.iter().zip(&card_keys).zip(salts) {
            let bytes = sign_document(doc, &self.key, &self.kid)?;
            let presentation = presentation_of(doc, salt, card_key.as_deref())?;
            let presentation = sign_presentation(&presentation, &self.key, &self.kid)?;
            signed.insert(
                doc.person_id.clone(),
                Signed {
                    household_id: doc.household_id.clone(),
                    bytes,
                    presentation,
                },
            );
        }
        if next != self.state {
            next.save(&self.state_path)?;
            self.state = next;
        }
        self.signed = signed;
        self.data = Some(data);
        Ok(())
    }

    /// The signed document of a person (after [`Issuer::refresh`]).
    pub(crate) fn signed(&self, person_id: &str) -> Option<&Signed> {
        self.signed.get(person_id)
    }
}
