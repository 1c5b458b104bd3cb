//! The desk's trust list: the issuer keys a presentation is verified against, signed by a root
//! the desk pins the first time (like the household's first sync), replaced only by a newer
//! version, and shown with its age on every verification (docs/clinic.md, "Trust").
//!
//! A desk that goes online fetches the list from the issuer (`GET /v1/trust-list`,
//! [`DeskStore::update_trust_list`]); one that never does imports the signed file
//! ([`DeskStore::import_trust_list`]). Either way the same checks run: the signature with the
//! pinned root, the rollback rule of the household's sync
//! ([`crate::document::trust_update_is_rollback`]), and nothing stored unless all pass.

use chrono::{DateTime, Duration, Utc};
use rusqlite::OptionalExtension;

use super::ClinicError;
use super::desk::{DeskStore, meta_row, meta_slot, sealing_failed};
use crate::document::{TrustList, VerifyingKey, trust_list_untimed, trust_update_is_rollback};
use crate::store::StoreError;
use crate::sync::fetch_trust_list;
use crate::sync::http::{HttpTransport, ServerUrl};

/// Days after its issue from which a trust list is called stale on every verification, unless
/// the desk sets its own limit. A product choice: issuers rotate and withdraw keys through the
/// list, and a month is long enough for a desk that is offline through an outage, short enough
/// that a withdrawn key does not go unnoticed for long.
pub const DEFAULT_TRUST_MAX_AGE_DAYS: u32 = 30;

const ROOT: &str = "trust_root";
const LIST: &str = "trust_list";
const FETCHED_AT: &str = "trust_fetched_at";

/// The trust list the desk verifies with, and how old it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeskTrust {
    /// The verified list.
    pub list: TrustList,
    /// When the desk stored it (fetched or imported).
    pub stored_at: DateTime<Utc>,
}

/// The age of the desk's trust list, shown beside every verdict.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TrustAge {
    /// The list's version.
    pub version: u64,
    /// When the root signed it.
    pub issued_at: DateTime<Utc>,
    /// When the desk stored it.
    pub stored_at: DateTime<Utc>,
    /// Whole days since `issued_at`.
    pub age_days: i64,
    /// True when `age_days` is over the desk's limit: the desk should update its list.
    pub stale: bool,
}

/// Where a verifier's trust list comes from, so that the desk's words name the command that
/// updates it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TrustSource {
    /// The desk's own list (`shikaku clinic trust update` / `import`).
    Desk,
    /// The household's list, kept by `shikaku sync` (`shikaku qr verify`).
    Household,
    /// The clinic tablet app's list (the FFI's `ClinicDesk`): updated from the app, so no
    /// command is named.
    TabletApp,
}

impl TrustSource {
    /// The command that fetches (or imports) the list, as the receptionist types it; `None`
    /// for the tablet app, which updates it from its own screen.
    pub fn update_command(self) -> Option<&'static str> {
        match self {
            TrustSource::Desk => Some("shikaku clinic trust update（または import）"),
            TrustSource::Household => Some("shikaku sync"),
            TrustSource::TabletApp => None,
        }
    }

    /// 「…で更新してください」 with the command, or 「信頼リストを更新してください」 in the app.
    fn update_ja(self, verb: &str) -> String {
        match self.update_command() {
            Some(command) => format!("{command} で{verb}ください。"),
            None => "信頼リストを更新してください。".to_string(),
        }
    }

    /// What the receptionist is told when the verifier has no trust list: no QR code can be
    /// confirmed, and the command that gets one. The one wording of `clinic verify`, the desk
    /// page and the verdict's reason.
    pub fn missing_ja(self) -> String {
        format!(
            "信頼リストがありません。QRコードの発行元を確認できません。{}",
            self.update_ja("取り込んで")
        )
    }
}

/// The desk holds a trust list signed by its pinned root, but the desk's clock (`now`) is
/// before the list's issue time (`issued_at`, beyond the day of skew [`TrustList::verify`]
/// allows), so the list cannot be used: the PC's date and time are wrong (after a power cut),
/// not the list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TrustClockBehind {
    /// The desk's clock.
    pub now: DateTime<Utc>,
    /// When the root signed the stored list.
    pub issued_at: DateTime<Utc>,
}

impl TrustClockBehind {
    /// What the receptionist is told: check the PC's date and time, with both times in Japan to
    /// the minute; no personal data.
    pub fn notice_ja(&self) -> String {
        format!(
            "PCの日付・時刻を確認してください。この端末の現在の日時（{}）が、信頼リストの発行日時\
             （{}）より前のため、信頼リストを使えません（信頼リストは取り込み済みです）。\
             日付・時刻を正しく直してから、もう一度読み取ってください。",
            super::japan_minute(self.now),
            super::japan_minute(self.issued_at)
        )
    }
}

impl TrustAge {
    /// The list in one phrase: 「第3版・発行 2026-11-01（28日前）」 (the issue day in Japan).
    pub fn summary_ja(&self) -> String {
        format!(
            "第{}版・発行 {}（{}日前）",
            self.version,
            crate::clock::iso_date(crate::clock::japan_today(self.issued_at)),
            self.age_days
        )
    }

    /// When the list is stale, what the receptionist is told, naming the command that updates
    /// it; `None` while it is not.
    pub fn stale_ja(&self, source: TrustSource) -> Option<String> {
        self.stale.then(|| {
            format!(
                "信頼リストが古くなっています。{}",
                source.update_ja("更新して")
            )
        })
    }
}

impl DeskTrust {
    /// Its age at `now` against a limit of `max_age_days`.
    pub fn age(&self, now: DateTime<Utc>, max_age_days: u32) -> TrustAge {
        let age_days = (now - self.list.issued_at).num_days().max(0);
        TrustAge {
            version: self.list.version,
            issued_at: self.list.issued_at,
            stored_at: self.stored_at,
            age_days,
            stale: now - self.list.issued_at > Duration::days(i64::from(max_age_days)),
        }
    }
}

fn trust_error(reason: impl Into<String>) -> ClinicError {
    ClinicError::Trust {
        reason: reason.into(),
    }
}

const NO_ROOT: &str = "no root is pinned yet: the first trust list needs the issuer's root key";

/// The root a desk that has no trust list yet pins with its first one: `root`, which is
/// required ([`ClinicError::Trust`] without it). Check it before fetching or creating
/// anything for a new desk (`clinic trust update` on a desk that does not exist yet), so that
/// the refusal leaves nothing behind.
pub fn first_trust_root(root: Option<&VerifyingKey>) -> Result<VerifyingKey, ClinicError> {
    root.copied().ok_or_else(|| trust_error(NO_ROOT))
}

/// A new desk's first trust list (`bytes`), checked as [`DeskStore::import_trust_list`]
/// checks it on a desk with no pinned root: `root` is required and the list must verify with
/// it. Call it before creating the desk store for that list (`clinic trust import|update` on a
/// desk that does not exist yet), so that a refused list leaves no desk behind.
pub fn check_first_trust_list(
    bytes: &[u8],
    root: Option<&VerifyingKey>,
    now: DateTime<Utc>,
) -> Result<TrustList, ClinicError> {
    let root = first_trust_root(root)?;
    verify_list(bytes, &root, now)
}

fn verify_list(
    bytes: &[u8],
    root: &VerifyingKey,
    now: DateTime<Utc>,
) -> Result<TrustList, ClinicError> {
    TrustList::verify(bytes, root, now)
        .map_err(|e| trust_error(format!("the trust list does not verify: {e}")))
}

impl DeskStore {
    fn meta_open(&self, key: &str) -> Result<Option<Vec<u8>>, StoreError> {
        let sealed: Option<Vec<u8>> = self
            .conn
            .prepare_cached("SELECT value FROM desk_meta WHERE key = ?1")?
            .query_row([key], |r| r.get(0))
            .optional()?;
        match sealed {
            None => Ok(None),
            Some(s) => self
                .keys
                .open(meta_slot(key), &s)
                .map(|v| Some(v.to_vec()))
                .ok_or(StoreError::Corrupt { row: meta_row(key) }),
        }
    }

    /// The root pinned by the first trust-list import or update; `None` before.
    pub fn pinned_root(&self) -> Result<Option<VerifyingKey>, ClinicError> {
        match self.meta_open(ROOT)? {
            None => Ok(None),
            Some(sec1) => VerifyingKey::from_sec1_bytes(&sec1).map(Some).map_err(|_| {
                ClinicError::Store(StoreError::Corrupt {
                    row: meta_row(ROOT),
                })
            }),
        }
    }

    /// The stored trust list, verified with the pinned root; `None` when there is none or it
    /// does not verify (then nothing is shown as confirmed). The verified list is kept in memory
    /// until this object stores another one: the bytes on disk change only through it, and a
    /// list that verified once keeps verifying (the only time check is "not issued more than a
    /// day in the future", which time only relaxes).
    pub fn trust(&self, now: DateTime<Utc>) -> Result<Option<DeskTrust>, ClinicError> {
        if let Some(cached) = self.trust_cache.borrow().as_ref() {
            return Ok(Some(cached.clone()));
        }
        let read = self.read_trust(now)?;
        self.trust_cache.replace(read.clone());
        Ok(read)
    }

    /// When the desk has no usable trust list at `now` ([`DeskStore::trust`] is `None`) only
    /// because the desk's clock is before the stored list's issue time (the list verifies with
    /// the pinned root with time checks off): the PC's clock is wrong, not the list. `None`
    /// otherwise.
    pub fn trust_clock_behind(
        &self,
        now: DateTime<Utc>,
    ) -> Result<Option<TrustClockBehind>, ClinicError> {
        if self.trust(now)?.is_some() {
            return Ok(None);
        }
        let (Some(root), Some(bytes)) = (self.pinned_root()?, self.meta_open(LIST)?) else {
            return Ok(None);
        };
        Ok(trust_list_untimed(&bytes, &root)
            .map(|list| TrustClockBehind {
                now,
                issued_at: list.issued_at,
            })
            .filter(|c| c.issued_at > now))
    }

    /// What the receptionist is told when the desk has no usable trust list at `now`: the
    /// clock's problem ([`TrustClockBehind::notice_ja`]) when that is why, else
    /// [`TrustSource::missing_ja`].
    pub fn trust_missing_ja(&self, now: DateTime<Utc>) -> Result<String, ClinicError> {
        Ok(match self.trust_clock_behind(now)? {
            Some(c) => c.notice_ja(),
            None => self.trust_source.missing_ja(),
        })
    }

    fn read_trust(&self, now: DateTime<Utc>) -> Result<Option<DeskTrust>, ClinicError> {
        let (Some(root), Some(bytes)) = (self.pinned_root()?, self.meta_open(LIST)?) else {
            return Ok(None);
        };
        let Ok(list) = TrustList::verify(&bytes, &root, now) else {
            return Ok(None);
        };
        let stored_at = self
            .meta_open(FETCHED_AT)?
            .and_then(|b| String::from_utf8(b).ok())
            .and_then(|s| DateTime::parse_from_rfc3339(&s).ok())
            .map(|t| t.with_timezone(&Utc))
            .ok_or(ClinicError::Store(StoreError::Corrupt {
                row: meta_row(FETCHED_AT),
            }))?;
        Ok(Some(DeskTrust { list, stored_at }))
    }

    /// Verifies a signed trust list (`bytes`, e.g. a file carried to an offline desk) and
    /// stores it. The first list pins `root` (required then); afterwards `root` may be omitted,
    /// and a different one is refused, never re-pinned. A list that is older than the stored
    /// one, or of the same version with other bytes, is refused. Nothing is stored on any
    /// failure.
    pub fn import_trust_list(
        &mut self,
        bytes: &[u8],
        root: Option<&VerifyingKey>,
        now: DateTime<Utc>,
    ) -> Result<TrustList, ClinicError> {
        let pinned = self.pinned_root()?;
        let root = match (pinned, root) {
            (Some(p), Some(g)) if p != *g => {
                return Err(trust_error(
                    "the root differs from the one this desk pinned (not re-pinned)",
                ));
            }
            (Some(p), _) => p,
            (None, Some(g)) => *g,
            (None, None) => return Err(trust_error(NO_ROOT)),
        };
        let list = verify_list(bytes, &root, now)?;
        let stored = self.meta_open(LIST)?;
        if trust_update_is_rollback(stored.as_deref(), bytes, &list, &root) {
            return Err(trust_error(
                "the trust list is older than the one this desk holds",
            ));
        }
        let sec1 = root.to_encoded_point(false);
        let stamp = now.to_rfc3339();
        let values: [(&str, &[u8]); 3] = [
            (ROOT, sec1.as_bytes()),
            (LIST, bytes),
            (FETCHED_AT, stamp.as_bytes()),
        ];
        let mut sealed = Vec::with_capacity(values.len());
        for (key, value) in values {
            let s = self
                .keys
                .seal(meta_slot(key), value)
                .ok_or_else(sealing_failed)?;
            sealed.push((key, s));
        }
        let tx = self.conn.transaction().map_err(StoreError::from)?;
        for (key, s) in &sealed {
            tx.execute(
                "INSERT INTO desk_meta (key, value) VALUES (?1, ?2)
                 ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                rusqlite::params![key, s],
            )
            .map_err(StoreError::from)?;
        }
        tx.commit().map_err(StoreError::from)?;
        self.trust_cache.replace(None);
        Ok(list)
    }

    /// Fetches the issuer's trust list (`GET /v1/trust-list`, no login, no card) and stores it
    /// with [`DeskStore::import_trust_list`]'s checks.
    pub fn update_trust_list(
        &mut self,
        http: &dyn HttpTransport,
        server: &ServerUrl,
        timeout_ms: u32,
        root: Option<&VerifyingKey>,
        now: DateTime<Utc>,
    ) -> Result<TrustList, ClinicError> {
        let bytes = fetch_trust_list(http, server, timeout_ms)?;
        self.import_trust_list(&bytes, root, now)
    }
}
