//! The test issuer of the benchmarks of signed documents (`store`'s signed household, the
//! sync's `documents`, the clinic desk's `desk_verify`): deterministic P-256 keys and the one
//! trust list naming the issuer for 全国健康保険協会 東京支部 (01130012), so the three measure
//! the same keys and list.

use chrono::{DateTime, Duration, Utc};
use sha2::{Digest, Sha256};
use shikaku_core::document::{IssuerKey, SigningKey, TrustList};
use shikaku_core::eligibility::InsurerNumber;

/// A deterministic P-256 key: SHA-256 of the seed as the scalar.
pub fn key(seed: &str) -> SigningKey {
    SigningKey::from_slice(&Sha256::digest(seed.as_bytes())).unwrap()
}

/// The trust list of version 1, issued a day before `now`, listing `issuer`'s key as `kid`
/// (valid from `days_before` days before `now` to 300 days after) for 01130012.
pub fn trust_list(
    issuer: &SigningKey,
    kid: &str,
    now: DateTime<Utc>,
    days_before: i64,
) -> TrustList {
    TrustList {
        version: 1,
        issued_at: now - Duration::days(1),
        keys: vec![IssuerKey {
            kid: kid.into(),
            public_key: issuer
                .verifying_key()
                .to_encoded_point(false)
                .as_bytes()
                .to_vec(),
            not_before: now - Duration::days(days_before),
            not_after: now + Duration::days(300),
            insurers: vec![InsurerNumber::parse("01130012").unwrap()],
        }],
    }
}
