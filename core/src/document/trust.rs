//! The trust list: the issuer keys, each with its validity and the 保険者番号 it may sign for,
//! signed as a COSE_Sign1 (ES256) by a root key pinned in the app.

use chrono::{DateTime, Duration, Utc};
use ciborium::Value;
use p256::ecdsa::{SigningKey, VerifyingKey};
use p256::pkcs8::DecodePublicKey;

use super::cbor::{self, Fields, malformed, time, time_v};
use super::cose;
use super::{DocumentError, FORMAT_VERSION, MAX_SIGNED_BYTES, TRUST_LIST_CONTENT_TYPE};
use crate::eligibility::InsurerNumber;

/// Keys of the trust-list map.
mod key {
    pub const FORMAT: u64 = 0;
    pub const VERSION: u64 = 1;
    pub const ISSUED_AT: u64 = 2;
    pub const KEYS: u64 = 3;
}

/// Keys of one issuer-key map.
mod issuer_key {
    pub const KID: u64 = 1;
    pub const PUBLIC_KEY: u64 = 2;
    pub const NOT_BEFORE: u64 = 3;
    pub const NOT_AFTER: u64 = 4;
    pub const INSURERS: u64 = 5;
}

/// How far in the future a trust list's `issued_at` may lie (clock skew of the device).
const MAX_CLOCK_SKEW: Duration = Duration::hours(24);

/// One issuer signing key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IssuerKey {
    /// The key id documents name in their COSE `kid` (1–64 of `A–Z a–z 0–9 - . _ :`).
    pub kid: String,
    /// The P-256 public key: SEC1 (compressed or uncompressed) or SubjectPublicKeyInfo DER.
    pub public_key: Vec<u8>,
    /// Start of validity (inclusive).
    pub not_before: DateTime<Utc>,
    /// End of validity (inclusive).
    pub not_after: DateTime<Utc>,
    /// The 保険者番号 this key may sign documents for.
    pub insurers: Vec<InsurerNumber>,
}

impl IssuerKey {
    /// The public key, parsed.
    pub fn verifying_key(&self) -> Result<VerifyingKey, DocumentError> {
        let parsed = if self.public_key.first() == Some(&0x30) {
            VerifyingKey::from_public_key_der(&self.public_key).ok()
        } else {
            VerifyingKey::from_sec1_bytes(&self.public_key).ok()
        };
        parsed.ok_or(malformed(
            "trust list key",
            "public key is not a P-256 key (SEC1 or SubjectPublicKeyInfo)",
        ))
    }

    /// True when `now` lies within `not_before ..= not_after`.
    pub fn is_valid_at(&self, now: DateTime<Utc>) -> bool {
        self.not_before <= now && now <= self.not_after
    }
}

/// The signed list of issuer keys.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TrustList {
    /// Monotonic version, starting at 1; only newer versions replace the one held.
    pub version: u64,
    /// When the root signed it (whole seconds).
    pub issued_at: DateTime<Utc>,
    /// The issuer keys, with unique ids.
    pub keys: Vec<IssuerKey>,
}

impl TrustList {
    /// The key with id `kid`, if listed.
    pub fn key(&self, kid: &str) -> Option<&IssuerKey> {
        self.keys.iter().find(|k| k.kid == kid)
    }

    /// Checks the content: version, key ids (valid, unique), public keys, validity periods,
    /// 保険者番号 (no duplicates within a key).
    pub fn validate(&self) -> Result<(), DocumentError> {
        let invalid = |reason: &str| DocumentError::InvalidContent {
            reason: reason.to_owned(),
        };
        if self.version == 0 {
            return Err(invalid("trust list version must be at least 1"));
        }
        for (i, k) in self.keys.iter().enumerate() {
            if !cose::kid_is_valid(&k.kid) {
                return Err(invalid("trust list key id is not a valid key id"));
            }
            if self.keys[..i].iter().any(|o| o.kid == k.kid) {
                return Err(invalid("trust list key id listed twice"));
            }
            k.verifying_key()?;
            if k.not_after < k.not_before {
                return Err(invalid("trust list key not_after is before not_before"));
            }
            for (j, n) in k.insurers.iter().enumerate() {
                if k.insurers[..j].contains(n) {
                    return Err(invalid("trust list key lists a 保険者番号 twice"));
                }
            }
        }
        Ok(())
    }

    /// Signs the list with the root key.
    pub fn sign(&self, root: &SigningKey) -> Result<Vec<u8>, DocumentError> {
        self.validate()?;
        let payload = cbor::encode(&self.to_value()?, "trust list")?;
        cose::sign(payload, TRUST_LIST_CONTENT_TYPE, None, root)
    }

    /// Verifies a signed trust list with the pinned root key: the same strictness as documents
    /// (16 KiB, duplicate and unknown keys, canonical encoding, ES256 only). A list issued more
    /// than 24 hours after `now` is refused.
    pub fn verify(
        bytes: &[u8],
        root: &VerifyingKey,
        now: DateTime<Utc>,
    ) -> Result<TrustList, DocumentError> {
        let opened = cose::open(bytes, TRUST_LIST_CONTENT_TYPE)?;
        if opened.kid.is_some() {
            return Err(malformed("protected header", "a trust list carries no kid"));
        }
        cose::verify(root, &opened.tbs, &opened.signature)?;
        let list = Self::from_value(cbor::decode(
            &opened.payload,
            MAX_SIGNED_BYTES,
            "trust list",
        )?)?;
        if cbor::encode(&list.to_value()?, "trust list")? != opened.payload {
            return Err(malformed("trust list", "not in canonical form"));
        }
        list.validate()?;
        if list.issued_at > now + MAX_CLOCK_SKEW {
            return Err(DocumentError::InvalidContent {
                reason: "trust list is issued in the future".to_owned(),
            });
        }
        Ok(list)
    }

    /// Accepts `new` to replace `current` only if its version is strictly greater.
    pub fn accept_update(
        current: Option<&TrustList>,
        new: &TrustList,
    ) -> Result<(), DocumentError> {
        match current {
            Some(c) if new.version <= c.version => Err(DocumentError::Rollback),
            _ => Ok(()),
        }
    }

    pub(crate) fn to_value(&self) -> Result<Value, DocumentError> {
        let mut keys = Vec::with_capacity(self.keys.len());
        for k in &self.keys {
            keys.push(cbor::map(vec![
                (issuer_key::KID, Some(Value::Text(k.kid.clone()))),
                (
                    issuer_key::PUBLIC_KEY,
                    Some(Value::Bytes(k.public_key.clone())),
                ),
                (
                    issuer_key::NOT_BEFORE,
                    Some(time_v(k.not_before, "trust list key.not_before")?),
                ),
                (
                    issuer_key::NOT_AFTER,
                    Some(time_v(k.not_after, "trust list key.not_after")?),
                ),
                (
                    issuer_key::INSURERS,
                    Some(Value::Array(
                        k.insurers
                            .iter()
                            .map(|n| Value::Text(n.as_str().to_owned()))
                            .collect(),
                    )),
                ),
            ]));
        }
        Ok(cbor::map(vec![
            (key::FORMAT, Some(Value::Integer(FORMAT_VERSION.into()))),
            (key::VERSION, Some(Value::Integer(self.version.into()))),
            (
                key::ISSUED_AT,
                Some(time_v(self.issued_at, "trust list.issued_at")?),
            ),
            (key::KEYS, Some(Value::Array(keys))),
        ]))
    }

    fn from_value(v: Value) -> Result<TrustList, DocumentError> {
        let mut f = Fields::new(v, "trust list")?;
        if cbor::uint(
            f.req(key::FORMAT, "trust list.format")?,
            "trust list.format",
        )? != FORMAT_VERSION
        {
            return Err(malformed("trust list.format", "unsupported format version"));
        }
        let version = cbor::uint(
            f.req(key::VERSION, "trust list.version")?,
            "trust list.version",
        )?;
        let issued_at = time(
            f.req(key::ISSUED_AT, "trust list.issued_at")?,
            "trust list.issued_at",
        )?;
        let mut keys = Vec::new();
        for k in cbor::array(f.req(key::KEYS, "trust list.keys")?, "trust list.keys")? {
            keys.push(Self::key_from_value(k)?);
        }
        f.finish()?;
        Ok(TrustList {
            version,
            issued_at,
            keys,
        })
    }

    fn key_from_value(v: Value) -> Result<IssuerKey, DocumentError> {
        const AT: &str = "trust list key";
        let mut f = Fields::new(v, AT)?;
        let kid = cbor::text(f.req(issuer_key::KID, "trust list key.kid")?, AT)?;
        let public_key = cbor::bytes(
            f.req(issuer_key::PUBLIC_KEY, "trust list key.public_key")?,
            AT,
        )?;
        let not_before = time(
            f.req(issuer_key::NOT_BEFORE, "trust list key.not_before")?,
            "trust list key.not_before",
        )?;
        let not_after = time(
            f.req(issuer_key::NOT_AFTER, "trust list key.not_after")?,
            "trust list key.not_after",
        )?;
        let mut insurers = Vec::new();
        for n in cbor::array(
            f.req(issuer_key::INSURERS, "trust list key.insurers")?,
            "trust list key.insurers",
        )? {
            let s = cbor::text(n, "trust list key.insurers")?;
            let parsed = InsurerNumber::parse(&s)
                .ok()
                .filter(|p| p.as_str() == s)
                .ok_or_else(|| DocumentError::InvalidContent {
                    reason: "trust list key lists an invalid 保険者番号".to_owned(),
                })?;
            insurers.push(parsed);
        }
        f.finish()?;
        Ok(IssuerKey {
            kid,
            public_key,
            not_before,
            not_after,
            insurers,
        })
    }
}
