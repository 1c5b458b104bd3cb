//! The visit log: append-only entries, chained, with the chain head sealed in the store.
//!
//! Each entry is one `visits` row: its position `seq` (1, 2, …), the keyed hashes of its day and
//! patient (the indexes), the sealed entry, and its link
//!
//! ```text
//! link(0) = 32 zero bytes
//! link(n) = HMAC-SHA-256(chain key, "shikaku/desk/visit-link/v1" ‖ link(n-1) ‖ n ‖ day ‖ patient ‖ data)
//! ```
//!
//! (every part length-prefixed; `patient` with a presence byte; the chain key is
//! `lookup_hash("visit-chain-key")`, derived from the data key). The chain runs over the stored
//! (sealed) bytes, not over a plaintext encoding: verifying it needs no decryption or parsing,
//! there is no canonical form of the plaintext to keep stable, and it covers the index columns
//! too (moving an entry to another day is a change). It is keyed, so a link reveals nothing and
//! nobody without the data key can recompute the chain after an edit: the first position whose
//! link does not match is the first changed one.
//!
//! The head (count and last link) is sealed in `desk_meta('log_head')` and written in the same
//! transaction as the entry, so removing the last entry (or rolling the rows back) is seen too.

use std::borrow::Cow;

use chrono::{DateTime, Days, NaiveDate, Utc};
use hmac::{Hmac, Mac};
use rusqlite::{OptionalExtension, Transaction, params};
use serde::{Deserialize, Serialize};
use sha2::Sha256;
use zeroize::Zeroizing;

use super::ClinicError;
use super::claim::{CardCheckMethod, ClaimFields, DocumentInfo, Verdict, VerifiedVisit};
use super::declaration::{self, Declaration, DeclarationForm};
use super::desk::{DeskBatch, DeskStore, meta_row, meta_slot, sealing_failed};
use super::export;
use super::public_expense::{PublicExpenseEntry, SeenPublicExpense};
use crate::clock::japan_today;
use crate::eligibility::InsurerNumber;
use crate::store::crypto::{Keys, Scratch, Slot};
use crate::store::records::identity_hash;
use crate::store::{RowRef, StoreError};

/// The label of every 申立 entry, in every output: 申立・未検証.
pub const DECLARED_LABEL: &str = "申立・未検証";

/// The longest date range one query reads (one index probe per day).
pub const MAX_RANGE_DAYS: u64 = 3660;

const LINK_LEN: usize = 32;
const HEAD_KEY: &str = "log_head";

/// The chain head: how many entries, and the last link.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Head {
    count: u64,
    last: [u8; LINK_LEN],
}

impl Head {
    pub(super) const EMPTY: Head = Head {
        count: 0,
        last: [0; LINK_LEN],
    };

    fn to_bytes(self) -> [u8; 8 + LINK_LEN] {
        let mut out = [0u8; 8 + LINK_LEN];
        out[..8].copy_from_slice(&self.count.to_be_bytes());
        out[8..].copy_from_slice(&self.last);
        out
    }

    fn from_bytes(b: &[u8]) -> Option<Head> {
        if b.len() != 8 + LINK_LEN {
            return None;
        }
        let mut count = [0u8; 8];
        count.copy_from_slice(&b[..8]);
        let mut last = [0u8; LINK_LEN];
        last.copy_from_slice(&b[8..]);
        Some(Head {
            count: u64::from_be_bytes(count),
            last,
        })
    }
}

pub(super) fn write_head(tx: &Transaction<'_>, keys: &Keys, head: &Head) -> Result<(), StoreError> {
    let sealed = keys
        .seal(meta_slot(HEAD_KEY), &head.to_bytes())
        .ok_or_else(sealing_failed)?;
    tx.execute(
        "INSERT INTO desk_meta (key, value) VALUES (?1, ?2)
         ON CONFLICT(key) DO UPDATE SET value = excluded.value",
        params![HEAD_KEY, sealed],
    )?;
    Ok(())
}

/// The sealed head, or `None` when it is missing or does not open.
fn read_head(conn: &rusqlite::Connection, keys: &Keys) -> Result<Option<Head>, StoreError> {
    let sealed: Option<Vec<u8>> = conn
        .prepare_cached("SELECT value FROM desk_meta WHERE key = ?1")?
        .query_row([HEAD_KEY], |r| r.get(0))
        .optional()?;
    Ok(sealed
        .and_then(|s| keys.open(meta_slot(HEAD_KEY), &s))
        .and_then(|b| Head::from_bytes(&b)))
}

const HEX_DIGITS: &[u8; 16] = b"0123456789abcdef";

/// The two lower-case hex digits of `b`. (Inlined even at `opt-level = "z"`: a read calls it
/// for every byte of an entry's index copy.)
#[inline(always)]
fn hex_pair(b: u8) -> [u8; 2] {
    [
        HEX_DIGITS[usize::from(b >> 4)],
        HEX_DIGITS[usize::from(b & 15)],
    ]
}

pub(super) fn hex(bytes: &[u8]) -> String {
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        s.extend(hex_pair(*b).map(char::from));
    }
    s
}

/// Whether `text` is `hex(bytes)`, compared in place, two digits (one `u16`) at a time (a read
/// checks every entry's index copy this way, without building strings).
fn is_hex_of(text: &str, bytes: &[u8]) -> bool {
    let (pairs, odd) = text.as_bytes().as_chunks::<2>();
    odd.is_empty()
        && pairs.len() == bytes.len()
        && pairs
            .iter()
            .zip(bytes)
            .all(|(pair, b)| *pair == hex_pair(*b))
}

/// The chain's MAC, keyed once per append or check (every link starts from a copy of it): its
/// key is derived from the store's look-up key, so it never leaves the store and changes with
/// the data key.
fn chain_mac(keys: &Keys) -> Hmac<Sha256> {
    let key = Zeroizing::new(keys.lookup_hash("visit-chain-key", &[]));
    // HMAC accepts keys of any length, so `new_from_slice` cannot fail here.
    match <Hmac<Sha256> as Mac>::new_from_slice(&key) {
        Ok(m) => m,
        Err(_) => unreachable!("HMAC takes any key length"),
    }
}

fn put(mac: &mut Hmac<Sha256>, part: &[u8]) {
    mac.update(&(part.len() as u64).to_be_bytes());
    mac.update(part);
}

fn link(
    chain: &Hmac<Sha256>,
    prev: &[u8],
    seq: u64,
    day: &[u8],
    patient: Option<&[u8]>,
    data: &[u8],
) -> [u8; LINK_LEN] {
    let mut mac = chain.clone();
    put(&mut mac, b"shikaku/desk/visit-link/v1");
    put(&mut mac, prev);
    put(&mut mac, &seq.to_be_bytes());
    put(&mut mac, day);
    match patient {
        Some(p) => {
            mac.update(&[1]);
            put(&mut mac, p);
        }
        None => mac.update(&[0]),
    }
    put(&mut mac, data);
    mac.finalize().into_bytes().into()
}

fn day_hash(keys: &Keys, day: NaiveDate) -> Vec<u8> {
    keys.lookup_hash("visit-day", &[&crate::clock::iso_date(day)])
}

/// What an entry records: a verified visit or a 申立.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub enum EntryKind {
    /// A presentation the desk verified, with its card check.
    Verified(VerifiedVisit),
    /// A 被保険者資格申立書: declared by the patient, 申立・未検証.
    Declared(Declaration),
}

/// One entry of the visit log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LogEntry {
    /// Its position in the chain (1 for the first entry).
    pub position: u64,
    /// When it was recorded.
    pub recorded_at: DateTime<Utc>,
    /// The desk operator who recorded it.
    pub operator: String,
    /// What it records.
    pub kind: EntryKind,
    /// The 公費 受給者証 seen with it (第一公費, 第二公費), typed at the desk: always
    /// 受給者証目視・未検証 ([`super::PUBLIC_EXPENSE_SEEN_LABEL`]), even beside a verified
    /// insurance. Empty in entries recorded before the desk kept them.
    pub public_expenses: Vec<SeenPublicExpense>,
}

impl LogEntry {
    /// The day of the visit in Japan (受診日).
    pub fn visit_date(&self) -> NaiveDate {
        japan_today(self.recorded_at)
    }

    /// True only for a verified presentation; a 申立 is never verified.
    pub fn is_verified(&self) -> bool {
        matches!(self.kind, EntryKind::Verified(_))
    }

    /// The entry's status as shown and exported: the verdict of a verified visit, or
    /// [`DECLARED_LABEL`] (申立・未検証) for a declaration.
    pub fn status_label_ja(&self) -> &'static str {
        match &self.kind {
            EntryKind::Verified(v) => v.verdict().label_ja(),
            EntryKind::Declared(_) => DECLARED_LABEL,
        }
    }
}

/// The sealed form of an entry (its position is bound in the associated data).
#[derive(Serialize, Deserialize)]
struct EntryPayload<'a> {
    recorded_at: DateTime<Utc>,
    operator: String,
    /// The row's index columns (`day` and `patient`, see [`index_copy`]), sealed with the entry
    /// so that a read can check them without recomputing any hash. (Borrowed from the opened
    /// plaintext when read: hex needs no unescaping.)
    #[serde(borrow)]
    index: Cow<'a, str>,
    body: BodyPayload,
    /// Left out when there are none, so an entry without 公費 seals as before the desk kept
    /// them, and those entries read with none.
    #[serde(default, skip_serializing_if = "Vec::is_empty", rename = "public")]
    public_expenses: Vec<SeenPublicExpense>,
}

/// The sealed copy of a row's index columns: `hex(day):hex(patient)`.
fn index_copy(day: &[u8], patient: Option<&[u8]>) -> String {
    format!("{}:{}", hex(day), patient.map(hex).unwrap_or_default())
}

/// The plaintext an entry seals (padded like every visit entry, see `store::crypto::padded_len`).
fn entry_payload(
    recorded_at: DateTime<Utc>,
    operator: String,
    day: &[u8],
    patient: Option<&[u8]>,
    body: BodyPayload,
    public_expenses: Vec<SeenPublicExpense>,
) -> Result<Zeroizing<Vec<u8>>, StoreError> {
    let payload = EntryPayload {
        recorded_at,
        operator,
        index: Cow::Owned(index_copy(day, patient)),
        body,
        public_expenses,
    };
    serde_json::to_vec(&payload)
        .map(Zeroizing::new)
        .map_err(|_| sealing_failed())
}

/// Whether `copy` is [`index_copy`] of these columns.
fn index_matches(copy: &str, day: &[u8], patient: Option<&[u8]>) -> bool {
    copy.split_once(':')
        .is_some_and(|(d, p)| is_hex_of(d, day) && is_hex_of(p, patient.unwrap_or_default()))
}

#[derive(Serialize, Deserialize)]
enum BodyPayload {
    Verified {
        claim: ClaimFields,
        card: CardCheckMethod,
        document: DocumentInfo,
        verdict: Verdict,
    },
    Declared(Declaration),
}

/// Entries read from the log, and the rows that failed to open (named by position).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VisitList {
    /// The entries that read correctly, in log order.
    pub entries: Vec<LogEntry>,
    /// Damaged rows (`visits/<position>`).
    pub corrupt: Vec<RowRef>,
}

/// What is wrong at the first bad position of the log.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogProblem {
    /// The entry there was changed, or entries were reordered or renumbered.
    Altered,
    /// The entry there is missing (removed from the middle, or the last one removed).
    Missing,
    /// An entry past the sealed head's count: added outside the desk, or the head rolled back.
    Unexpected,
    /// The sealed chain head is missing or damaged (position 0).
    HeadUnreadable,
}

impl LogProblem {
    /// The stable name used in JSON: `altered`, `missing`, `unexpected`, `head_unreadable`.
    pub fn key(self) -> &'static str {
        match self {
            LogProblem::Altered => "altered",
            LogProblem::Missing => "missing",
            LogProblem::Unexpected => "unexpected",
            LogProblem::HeadUnreadable => "head_unreadable",
        }
    }

    /// A short Japanese description.
    pub fn label_ja(self) -> &'static str {
        match self {
            LogProblem::Altered => "改ざん（内容・順序の変更）",
            LogProblem::Missing => "欠落（削除）",
            LogProblem::Unexpected => "記録外の追加",
            LogProblem::HeadUnreadable => "チェーン先頭の破損",
        }
    }
}

/// The result of [`DeskStore::verify_log`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LogCheck {
    /// Every entry chains and the sealed head matches.
    Intact {
        /// The number of entries.
        entries: u64,
        /// The last link, in hex: write it down to anchor the log outside the desk.
        head: String,
    },
    /// The log was changed; `position` is the first bad position (0 = the head itself).
    Broken {
        /// The first bad position (1 = the first entry).
        position: u64,
        /// What is wrong there.
        problem: LogProblem,
    },
}

fn visit_row(seq: u64) -> RowRef {
    RowRef {
        table: "visits",
        id: seq.to_string(),
    }
}

fn corrupt(seq: u64) -> StoreError {
    StoreError::Corrupt {
        row: visit_row(seq),
    }
}

/// The operator's name as recorded (the rule is the declaration's, `declaration::check_operator`).
fn check_operator(operator: &str) -> Result<String, ClinicError> {
    declaration::check_operator(operator).map_err(|reason| ClinicError::Operator { reason })
}

impl DeskBatch<'_> {
    /// Records a verified visit at `now`, by `operator`. Returns its position.
    pub fn record_visit(
        &mut self,
        visit: &VerifiedVisit,
        operator: &str,
        now: DateTime<Utc>,
    ) -> Result<u64, ClinicError> {
        self.record_visit_seen(visit, Vec::new(), operator, now)
    }

    /// [`DeskBatch::record_visit`] with the 公費 seen beside it (validated).
    pub(crate) fn record_visit_seen(
        &mut self,
        visit: &VerifiedVisit,
        public_expenses: Vec<SeenPublicExpense>,
        operator: &str,
        now: DateTime<Utc>,
    ) -> Result<u64, ClinicError> {
        let operator = check_operator(operator)?;
        let claim = visit.claim();
        let patient = identity_hash(
            self.keys,
            &claim.insurer_number,
            claim.symbol.as_deref(),
            &claim.number,
            claim.branch.as_deref(),
        );
        let body = BodyPayload::Verified {
            claim: claim.clone(),
            card: visit.card(),
            document: visit.document().clone(),
            verdict: visit.verdict(),
        };
        self.append(body, public_expenses, operator, Some(patient), now)
    }

    /// Validates a 被保険者資格申立書 as of the day in Japan at `now` and records it, by
    /// `operator`, marked 申立・未検証. Returns its position.
    pub fn declare(
        &mut self,
        form: &DeclarationForm,
        operator: &str,
        now: DateTime<Utc>,
    ) -> Result<u64, ClinicError> {
        self.declare_with(form, &[], operator, now)
    }

    /// [`DeskBatch::declare`] with the 公費 受給者証 seen beside the 申立 (`public`, at most
    /// two: [`super::validate_public_expenses`]), validated with the form: every mistake of
    /// both at once.
    pub fn declare_with(
        &mut self,
        form: &DeclarationForm,
        public: &[PublicExpenseEntry],
        operator: &str,
        now: DateTime<Utc>,
    ) -> Result<u64, ClinicError> {
        // Every mistake at once: the operator's name and every field of the form.
        let (d, public_expenses, operator) =
            form.validate_with_public(public, operator, japan_today(now))?;
        let patient = match (&d.insurer_number, &d.number) {
            (Some(insurer), Some(number)) => Some(identity_hash(
                self.keys,
                insurer,
                d.symbol.as_deref(),
                number,
                d.branch.as_deref(),
            )),
            _ => None,
        };
        self.append(
            BodyPayload::Declared(d),
            public_expenses,
            operator,
            patient,
            now,
        )
    }

    /// When the entry at `seq` was recorded (`None` for position 0: an empty log). The entry
    /// is opened inside the append's transaction; one that does not open is damaged.
    fn recorded_at(&self, seq: u64) -> Result<Option<DateTime<Utc>>, StoreError> {
        if seq == 0 {
            return Ok(None);
        }
        let data: Vec<u8> = self
            .tx
            .prepare_cached("SELECT data FROM visits WHERE seq = ?1")?
            .query_row([i64::try_from(seq).map_err(|_| corrupt(seq))?], |r| {
                r.get(0)
            })
            .optional()?
            .ok_or_else(|| corrupt(seq))?;
        let key = Decimal::new(seq);
        let slot = Slot {
            table: "visits",
            row: key.as_str(),
            column: "data",
        };
        let plain = self.keys.open(slot, &data).ok_or_else(|| corrupt(seq))?;
        let p: EntryPayload<'_> = serde_json::from_slice(&plain).map_err(|_| corrupt(seq))?;
        Ok(Some(p.recorded_at))
    }

    fn append(
        &mut self,
        body: BodyPayload,
        public_expenses: Vec<SeenPublicExpense>,
        operator: String,
        patient: Option<Vec<u8>>,
        now: DateTime<Utc>,
    ) -> Result<u64, ClinicError> {
        // Never extend a log whose chain is known to be broken: the whole chain is checked on
        // the first append (or `check_log`/`verify_log`) of this opened store, then only the
        // rows added since and the end (see `check_chain`).
        let head = match check_chain(&self.tx, self.keys, self.chain)? {
            Chain::Intact(head) => head,
            broken @ Chain::Broken { position, .. } => {
                self.chain = Some(broken);
                return Err(if position == 0 {
                    StoreError::Corrupt {
                        row: meta_row(HEAD_KEY),
                    }
                } else {
                    corrupt(position)
                }
                .into());
            }
        };
        // The desk's clock must not be earlier than the log's last entry: after a power cut a
        // PC's clock is often wrong, and an entry dated before the last one would get another
        // 受診日 (spec/clinic.md §2: the claim needs the 受診日) without anyone noticing.
        if let Some(last) = self.recorded_at(head.count)?
            && now < last
        {
            return Err(ClinicError::ClockBehindLog {
                now,
                last,
                last_position: head.count,
            });
        }
        let seq = head.count + 1;
        let key = seq.to_string();
        let day = day_hash(self.keys, japan_today(now));
        let payload = entry_payload(
            now,
            operator,
            &day,
            patient.as_deref(),
            body,
            public_expenses,
        )?;
        let slot = Slot {
            table: "visits",
            row: &key,
            column: "data",
        };
        let data = self.keys.seal(slot, &payload).ok_or_else(sealing_failed)?;
        let new_link = link(
            &chain_mac(self.keys),
            &head.last,
            seq,
            &day,
            patient.as_deref(),
            &data,
        );
        self.tx
            .execute(
                "INSERT INTO visits (seq, day, patient, data, hash) VALUES (?1, ?2, ?3, ?4, ?5)",
                params![
                    i64::try_from(seq).map_err(|_| corrupt(seq))?,
                    day,
                    patient,
                    data,
                    new_link.as_slice()
                ],
            )
            .map_err(StoreError::from)?;
        let new_head = Head {
            count: seq,
            last: new_link,
        };
        write_head(&self.tx, self.keys, &new_head)?;
        self.chain = Some(Chain::Intact(new_head));
        Ok(seq)
    }
}

/// A position in decimal, written on the stack: the row id in the associated data of the entry
/// a read opens (`u64::to_string` would allocate for every entry).
struct Decimal {
    digits: [u8; 20],
    start: usize,
}

impl Decimal {
    fn new(mut n: u64) -> Decimal {
        let mut d = Decimal {
            digits: [b'0'; 20],
            start: 20,
        };
        loop {
            d.start -= 1;
            // `n % 10` < 10, so the cast keeps it exactly; 20 digits hold every u64.
            d.digits[d.start] = b'0' + (n % 10) as u8;
            n /= 10;
            if n == 0 {
                return d;
            }
        }
    }

    fn as_str(&self) -> &str {
        // ASCII digits only, so always UTF-8.
        std::str::from_utf8(&self.digits[self.start..]).unwrap_or_default()
    }
}

/// A `visits` row as SQLite hands it over (`seq, day, patient, data`), borrowed: nothing is
/// copied out of the row before the entry opens.
struct RawEntry<'r> {
    seq: u64,
    day: &'r [u8],
    patient: Option<&'r [u8]>,
    data: &'r [u8],
}

impl<'r> RawEntry<'r> {
    /// The row's columns; one of the wrong type makes the row damaged (`Err` names it).
    fn from_row(r: &'r rusqlite::Row<'_>) -> rusqlite::Result<Result<RawEntry<'r>, RowRef>> {
        let seq = u64::try_from(r.get::<_, i64>(0)?).unwrap_or(0);
        let (day, patient, data) = (r.get_ref(1)?, r.get_ref(2)?, r.get_ref(3)?);
        Ok(
            match (day.as_blob(), patient.as_blob_or_null(), data.as_blob()) {
                (Ok(day), Ok(patient), Ok(data)) => Ok(RawEntry {
                    seq,
                    day,
                    patient,
                    data,
                }),
                _ => Err(visit_row(seq)),
            },
        )
    }
}

impl DeskStore {
    /// Records a verified visit in its own durable transaction. Returns its position.
    pub fn record_visit(
        &mut self,
        visit: &VerifiedVisit,
        operator: &str,
        now: DateTime<Utc>,
    ) -> Result<u64, ClinicError> {
        self.write(|b| b.record_visit(visit, operator, now))
    }

    /// Validates and records a 被保険者資格申立書 (申立・未検証) in its own durable
    /// transaction. Returns its position.
    pub fn declare(
        &mut self,
        form: &DeclarationForm,
        operator: &str,
        now: DateTime<Utc>,
    ) -> Result<u64, ClinicError> {
        self.write(|b| b.declare(form, operator, now))
    }

    /// [`DeskBatch::declare_with`] in its own durable transaction: a 申立 with the 公費
    /// 受給者証 seen beside it. Returns its position.
    pub fn declare_with(
        &mut self,
        form: &DeclarationForm,
        public: &[PublicExpenseEntry],
        operator: &str,
        now: DateTime<Utc>,
    ) -> Result<u64, ClinicError> {
        self.write(|b| b.declare_with(form, public, operator, now))
    }

    /// Opens one row (`Err` when it is damaged): the only place a read decrypts, so a query
    /// decrypts exactly the rows it returns. The plaintext goes to the query's `scratch`
    /// buffer (wiped when the query ends); the entry returned owns its fields.
    fn decode(
        &self,
        raw: Result<RawEntry<'_>, RowRef>,
        scratch: &mut Scratch,
    ) -> Result<LogEntry, RowRef> {
        let raw = raw?;
        let bad = || visit_row(raw.seq);
        let key = Decimal::new(raw.seq);
        let slot = Slot {
            table: "visits",
            row: key.as_str(),
            column: "data",
        };
        let plain = self.keys.open_in(slot, raw.data, scratch).ok_or_else(bad)?;
        let p: EntryPayload<'_> = serde_json::from_slice(plain).map_err(|_| bad())?;
        // The index columns are hints: they must equal their sealed copy (the chain covers them
        // too, for `verify_log`).
        if !index_matches(&p.index, raw.day, raw.patient) {
            return Err(bad());
        }
        let kind = match p.body {
            BodyPayload::Verified {
                claim,
                card,
                document,
                verdict,
            } => EntryKind::Verified(VerifiedVisit::new(claim, card, document, verdict)),
            BodyPayload::Declared(d) => EntryKind::Declared(d),
        };
        Ok(LogEntry {
            position: raw.seq,
            recorded_at: p.recorded_at,
            operator: p.operator,
            kind,
            public_expenses: p.public_expenses,
        })
    }

    fn collect_day(
        &self,
        day: NaiveDate,
        list: &mut VisitList,
        scratch: &mut Scratch,
    ) -> Result<(), StoreError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT seq, day, patient, data FROM visits WHERE day = ?1 ORDER BY seq",
        )?;
        let mut rows = stmt.query([day_hash(&self.keys, day)])?;
        while let Some(row) = rows.next()? {
            match self.decode(RawEntry::from_row(row)?, scratch) {
                Ok(e) => list.entries.push(e),
                Err(r) => list.corrupt.push(r),
            }
        }
        Ok(())
    }

    /// The visits of one day (in Japan), in log order, found through the keyed day index.
    pub fn visits_on(&self, day: NaiveDate) -> Result<VisitList, ClinicError> {
        let mut list = VisitList {
            entries: Vec::new(),
            corrupt: Vec::new(),
        };
        let mut scratch = Scratch::default();
        self.collect_day(day, &mut list, &mut scratch)?;
        Ok(list)
    }

    /// The visits from `from` to `to` (both included, days in Japan), day by day in log order.
    /// At most [`MAX_RANGE_DAYS`] days; `from` after `to` is [`ClinicError::Range`].
    pub fn visits_between(&self, from: NaiveDate, to: NaiveDate) -> Result<VisitList, ClinicError> {
        let days = u64::try_from((to - from).num_days()).map_err(|_| ClinicError::Range {
            max_days: MAX_RANGE_DAYS,
        })?;
        if days >= MAX_RANGE_DAYS {
            return Err(ClinicError::Range {
                max_days: MAX_RANGE_DAYS,
            });
        }
        let mut list = VisitList {
            entries: Vec::new(),
            corrupt: Vec::new(),
        };
        let mut scratch = Scratch::default();
        let mut day = from;
        while day <= to {
            self.collect_day(day, &mut list, &mut scratch)?;
            day = match day.checked_add_days(Days::new(1)) {
                Some(d) => d,
                None => break,
            };
        }
        Ok(list)
    }

    /// The patient's last visit (by 保険者番号, 記号, 番号 and 枝番, compared after width folding),
    /// found through the keyed patient index. A damaged entry is [`StoreError::Corrupt`].
    pub fn last_visit(
        &self,
        insurer_number: &InsurerNumber,
        symbol: Option<&str>,
        number: &str,
        branch: Option<&str>,
    ) -> Result<Option<LogEntry>, ClinicError> {
        let hash = identity_hash(&self.keys, insurer_number, symbol, number, branch);
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT seq, day, patient, data FROM visits WHERE patient = ?1
                 ORDER BY seq DESC LIMIT 1",
            )
            .map_err(StoreError::from)?;
        let mut rows = stmt.query([hash]).map_err(StoreError::from)?;
        let Some(row) = rows.next().map_err(StoreError::from)? else {
            return Ok(None);
        };
        let raw = RawEntry::from_row(row).map_err(StoreError::from)?;
        Ok(Some(
            self.decode(raw, &mut Scratch::default())
                .map_err(|row| StoreError::Corrupt { row })?,
        ))
    }

    /// The number of entries, from the sealed head.
    pub fn log_len(&self) -> Result<u64, ClinicError> {
        Ok(read_head(&self.conn, &self.keys)?
            .ok_or(StoreError::Corrupt {
                row: meta_row(HEAD_KEY),
            })?
            .count)
    }

    /// Checks the whole log: every entry's link, the positions 1…n without gaps, and the sealed
    /// head's count and last link. Returns the first bad position, or the intact head. Always
    /// reads the whole chain (≈ 0.2 s at 100,000 entries), and remembers the answer for
    /// [`DeskStore::check_log`] and the appends of this opened store.
    pub fn verify_log(&self) -> Result<LogCheck, ClinicError> {
        self.checked(None)
    }

    /// The log's chain as this opened store knows it: the first call checks the whole chain as
    /// [`DeskStore::verify_log`] does; later calls (and every append) check only the entries
    /// added since — by this store or another program — and that the last entry still carries
    /// the sealed head's link, so they stay cheap. A chain found broken stays broken for this
    /// opened store. A change made by another program to an entry already checked is seen by
    /// the next [`DeskStore::verify_log`] or the next opening of the store.
    pub fn check_log(&self) -> Result<LogCheck, ClinicError> {
        self.checked(self.chain.get())
    }

    fn checked(&self, known: Option<Chain>) -> Result<LogCheck, ClinicError> {
        // One read transaction: the head and the rows are read from the same snapshot.
        let tx = self
            .conn
            .unchecked_transaction()
            .map_err(StoreError::from)?;
        let chain = check_chain(&tx, &self.keys, known)?;
        drop(tx);
        self.chain.set(Some(chain));
        Ok(chain.into())
    }

    /// The visits from `from` to `to` (as [`DeskStore::visits_between`]) with the state of the
    /// log's chain ([`DeskStore::check_log`]): what a listing or an export shows, marked
    /// incomplete when the chain is broken or an entry is damaged.
    pub fn visits_between_checked(
        &self,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<CheckedVisits, ClinicError> {
        let check = self.check_log()?;
        let list = self.visits_between(from, to)?;
        Ok(CheckedVisits { list, check })
    }
}

/// What an opened store knows of its chain (`None` in the store: not checked yet).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Chain {
    /// Checked up to this head.
    Intact(Head),
    /// Broken at this position.
    Broken { position: u64, problem: LogProblem },
}

impl From<Chain> for LogCheck {
    fn from(c: Chain) -> LogCheck {
        match c {
            Chain::Intact(h) => LogCheck::Intact {
                entries: h.count,
                head: hex(&h.last),
            },
            Chain::Broken { position, problem } => LogCheck::Broken { position, problem },
        }
    }
}

/// Checks the chain against the sealed head. With `known` intact up to a head that the sealed
/// one has not gone back from, only the rows after it are read (plus the row at the head, which
/// must carry the head's link); a problem found so, or no `known`, reads the whole chain, which
/// names the first bad position. A `known` broken chain is returned as it is.
fn check_chain(
    conn: &rusqlite::Connection,
    keys: &Keys,
    known: Option<Chain>,
) -> Result<Chain, StoreError> {
    if let Some(broken @ Chain::Broken { .. }) = known {
        return Ok(broken);
    }
    let Some(head) = read_head(conn, keys)? else {
        return Ok(Chain::Broken {
            position: 0,
            problem: LogProblem::HeadUnreadable,
        });
    };
    if let Some(Chain::Intact(from)) = known
        && from.count <= head.count
        && end_matches(conn, &head)?
        && let intact @ Chain::Intact(_) = walk(conn, keys, from, &head)?
    {
        return Ok(intact);
    }
    walk(conn, keys, Head::EMPTY, &head)
}

/// Whether the row at the head's count carries the head's link (an empty log: no row 1).
fn end_matches(conn: &rusqlite::Connection, head: &Head) -> Result<bool, StoreError> {
    let Ok(count) = i64::try_from(head.count) else {
        return Ok(false);
    };
    let last: Option<Vec<u8>> = conn
        .prepare_cached("SELECT hash FROM visits WHERE seq = ?1")?
        .query_row([count], |r| r.get(0))
        .optional()?;
    Ok(match last {
        Some(h) => head.count > 0 && h.as_slice() == head.last,
        None => head.count == 0,
    })
}

/// Walks the chain from `from` (an intact prefix: its count and last link; [`Head::EMPTY`] for
/// the whole log) to the end, and compares the end with the sealed `head`.
fn walk(
    conn: &rusqlite::Connection,
    keys: &Keys,
    from: Head,
    head: &Head,
) -> Result<Chain, StoreError> {
    let broken = |position, problem| Ok(Chain::Broken { position, problem });
    // The whole log includes rows at positions 0 and below (never written by the desk).
    let after = if from.count == 0 {
        i64::MIN
    } else {
        i64::try_from(from.count).map_err(|_| corrupt(from.count))?
    };
    let mut stmt = conn.prepare_cached(
        "SELECT seq, day, patient, data, hash FROM visits WHERE seq > ?1 ORDER BY seq",
    )?;
    let mut rows = stmt.query([after])?;
    let chain = chain_mac(keys);
    let mut prev = from.last;
    let mut expected: u64 = from.count + 1;
    while let Some(r) = rows.next()? {
        let seq = u64::try_from(r.get::<_, i64>(0)?).unwrap_or(0);
        if expected > head.count {
            return broken(seq.max(expected), LogProblem::Unexpected);
        }
        if seq != expected {
            return broken(expected, LogProblem::Missing);
        }
        let raw = RawEntry::from_row(r)?;
        let hash = r.get_ref(4)?;
        let (Ok(raw), Ok(hash)) = (raw, hash.as_blob()) else {
            return broken(seq, LogProblem::Altered);
        };
        let l = link(&chain, &prev, seq, raw.day, raw.patient, raw.data);
        if l.as_slice() != hash {
            return broken(seq, LogProblem::Altered);
        }
        prev = l;
        expected += 1;
    }
    if expected - 1 < head.count {
        return broken(expected, LogProblem::Missing);
    }
    if prev != head.last {
        return broken(head.count, LogProblem::Altered);
    }
    Ok(Chain::Intact(*head))
}

impl LogCheck {
    /// True when the chain and the sealed head are intact.
    pub fn is_intact(&self) -> bool {
        matches!(self, LogCheck::Intact { .. })
    }

    /// The line shown to the receptionist when the log is broken (`None` when intact): where,
    /// what, and that entries from there on cannot be trusted. No personal data.
    pub fn notice_ja(&self) -> Option<String> {
        match *self {
            LogCheck::Intact { .. } => None,
            LogCheck::Broken {
                position: 0,
                problem,
            } => Some(format!(
                "受付記録簿が壊れています（{}）。記録簿全体が信頼できず、一覧・出力は不完全な可能性があります。管理者に連絡してください。",
                problem.label_ja()
            )),
            LogCheck::Broken { position, problem } => Some(format!(
                "受付記録簿が壊れています：記録番号 {position} に{}。記録番号 {position} 以降は信頼できず、一覧・出力は不完全な可能性があります。管理者に連絡してください。",
                problem.label_ja()
            )),
        }
    }

    /// The check as a JSON object: `{"intact": true, "entries", "head"}` or `{"intact": false,
    /// "position", "problem" (`altered` | `missing` | `unexpected` | `head_unreadable`),
    /// "notice" (the Japanese line)}`.
    pub fn to_json(&self) -> serde_json::Value {
        match self {
            LogCheck::Intact { entries, head } => {
                serde_json::json!({"intact": true, "entries": entries, "head": head})
            }
            LogCheck::Broken { position, problem } => serde_json::json!({
                "intact": false,
                "position": position,
                "problem": problem.key(),
                "notice": self.notice_ja(),
            }),
        }
    }
}

/// A listing of the log with the state of its chain ([`DeskStore::visits_between_checked`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckedVisits {
    /// The entries listed, and the damaged rows among them.
    pub list: VisitList,
    /// The whole log's chain.
    pub check: LogCheck,
}

/// The 確認結果 cell of the marker row an incomplete CSV starts with.
pub const INCOMPLETE_LABEL: &str = "記録簿破損・出力不完全";

impl CheckedVisits {
    /// True when the chain is intact and every listed row read correctly: the listing is
    /// complete.
    pub fn is_complete(&self) -> bool {
        self.check.is_intact() && self.list.corrupt.is_empty()
    }

    /// What the receptionist is told when the listing is not complete (`None` when it is):
    /// the chain's first bad position, and the damaged rows left out.
    pub fn notice_ja(&self) -> Option<String> {
        let mut parts: Vec<String> = self.check.notice_ja().into_iter().collect();
        if !self.list.corrupt.is_empty() {
            let rows: Vec<&str> = self.list.corrupt.iter().map(|r| r.id.as_str()).collect();
            parts.push(format!(
                "記録番号 {} は読み取れず、表示・出力されていません。",
                rows.join("・")
            ));
        }
        (!parts.is_empty()).then(|| parts.join(""))
    }

    /// The first position from which the log cannot be trusted: the chain's first bad
    /// position, else the first damaged row.
    fn first_bad(&self) -> Option<u64> {
        match self.check {
            LogCheck::Broken { position, .. } => Some(position),
            LogCheck::Intact { .. } => self
                .list
                .corrupt
                .iter()
                .filter_map(|r| r.id.parse().ok())
                .min(),
        }
    }

    /// [`export::to_csv`] of the entries (the data flavour), marked as
    /// [`CheckedVisits::to_csv_for`] marks it.
    pub fn to_csv(&self) -> String {
        self.to_csv_for(export::CsvFlavor::Data)
    }

    /// [`export::to_csv_for`] of the entries; when the listing is not complete, a marker row
    /// comes first after the header: 確認結果 [`INCOMPLETE_LABEL`] and the notice, 記録番号 the
    /// first bad position, every other cell empty.
    pub fn to_csv_for(&self, flavor: export::CsvFlavor) -> String {
        let csv = export::to_csv_for(&self.list.entries, flavor);
        let Some(notice) = self.notice_ja() else {
            return csv;
        };
        let mut cells: Vec<String> = vec![String::new(); export::CSV_COLUMNS.len()];
        cells[2] = csv_cell(&format!("{INCOMPLETE_LABEL}：{notice}"));
        if let Some(p) = self.first_bad()
            && let Some(i) = export::CSV_COLUMNS.iter().position(|c| *c == "記録番号")
        {
            cells[i] = p.to_string();
        }
        let row = cells.join(",") + "\r\n";
        match csv.find("\r\n") {
            Some(i) => format!("{}{row}{}", &csv[..i + 2], &csv[i + 2..]),
            None => csv + &row,
        }
    }

    /// [`export::to_json`] of the listing, with `complete` ([`CheckedVisits::is_complete`]) and
    /// `log_check` ([`LogCheck::to_json`]) added.
    pub fn to_json(&self, from: NaiveDate, to: NaiveDate) -> String {
        let json = export::to_json(&self.list, from, to);
        match serde_json::from_str::<serde_json::Value>(&json) {
            Ok(serde_json::Value::Object(mut doc)) => {
                doc.insert("complete".into(), self.is_complete().into());
                doc.insert("log_check".into(), self.check.to_json());
                serde_json::Value::Object(doc).to_string()
            }
            // `to_json` always writes one object.
            _ => json,
        }
    }
}

/// One CSV cell, RFC 4180 quoted when it holds `,`, `"`, CR or LF.
fn csv_cell(s: &str) -> String {
    if s.contains([',', '"', '\r', '\n']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;
    use crate::eligibility::{CopayRate, ElderlyRecipient, LimitCertification, Relationship, Sex};
    use crate::store::crypto::padded_len;

    fn date(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    /// A verified visit with every optional block (高齢受給者, 限度額, 有効期間) and longer names
    /// than most.
    fn full_visit() -> BodyPayload {
        BodyPayload::Verified {
            claim: ClaimFields {
                insurer_number: InsurerNumber::parse("01130012").unwrap(),
                symbol: Some("７３４０１５５".into()),
                number: "12345678".into(),
                branch: Some("00".into()),
                name: "長谷川 小百合子".into(),
                kana: "ハセガワ サユリコ".into(),
                birth_date: date("1950-04-12"),
                sex: Sex::Female,
                relationship: Relationship::Dependent,
                copay: Some(CopayRate::Twenty),
                valid_from: Some(date("2025-12-02")),
                valid_until: Some(date("2030-12-01")),
                elderly: Some(ElderlyRecipient {
                    copay: CopayRate::Twenty,
                    effective_from: date("2025-05-01"),
                    valid_until: Some(date("2027-07-31")),
                }),
                limit: Some(LimitCertification {
                    category: "区分Ⅱ".into(),
                    effective_from: Some(date("2025-08-01")),
                }),
                preschool: false,
            },
            card: CardCheckMethod::Visual,
            document: DocumentInfo {
                key_id: "issuer-2026-tokyo".into(),
                format: 2,
                issued_on: date("2026-11-01"),
                kind: Some(crate::eligibility::DocumentKind::Notice),
            },
            verdict: Verdict::EligibilityExpired,
        }
    }

    fn declaration(with_numbers: bool) -> BodyPayload {
        let mut form = crate::clinic::declaration::tests::form();
        if !with_numbers {
            (form.insurer_number, form.symbol, form.number, form.branch) = (None, None, None, None);
        }
        BodyPayload::Declared(form.validate(date("2026-11-28")).unwrap())
    }

    #[test]
    fn every_kind_of_entry_seals_to_the_same_length() {
        let now: DateTime<Utc> = "2026-11-26T00:30:00.123456789Z".parse().unwrap();
        let (day, patient) = ([1u8; 32], [2u8; 32]);
        let padded = |body, operator: &str, patient: Option<&[u8]>, public| {
            let p = entry_payload(now, operator.into(), &day, patient, body, public).unwrap();
            padded_len("visits", p.len()).unwrap()
        };
        // The longest operator name `check_operator` takes: 60 characters.
        let long_operator = "受".repeat(60);
        // Two 公費 with the longest names, of 4-byte characters, and every field.
        let longest = |payer: &str| SeenPublicExpense {
            payer_number: InsurerNumber::parse_public_payer(payer).unwrap(),
            recipient_number: Some("1234567".into()),
            program: Some("𠮷".repeat(crate::clinic::MAX_PROGRAM_CHARS)),
            valid_until: Some(date("2027-03-31")),
        };
        let two = || vec![longest("88131016"), longest("12131017")];
        let lengths = [
            padded(full_visit(), "受付 花子", Some(&patient), Vec::new()),
            padded(full_visit(), &long_operator, Some(&patient), Vec::new()),
            padded(full_visit(), &long_operator, Some(&patient), two()),
            padded(declaration(true), "受付 花子", Some(&patient), Vec::new()),
            padded(declaration(true), &long_operator, Some(&patient), two()),
            padded(declaration(false), "受付 花子", None, Vec::new()),
        ];
        // The length of a sealed entry tells neither verified from declared, nor which blocks
        // an entry has, nor whether a 公費 was seen (docs/decisions/0010-desk-log-performance.md).
        assert!(lengths.iter().all(|l| *l == lengths[0]), "{lengths:?}");
        assert_eq!(lengths[0], crate::store::crypto::VISIT_BUCKET);
        // Even a 申立 with every field at the desk's limits, in 4-byte characters where the
        // rules allow them (the カナ is katakana), with the longest operator name and two 公費
        // likewise.
        let widest = DeclarationForm {
            name: "𠮷".repeat(60),
            kana: Some("ア".repeat(crate::eligibility::text::MAX_KANA_CHARS)),
            insurer_name: "𠮷".repeat(100),
            symbol: Some("𠮷".repeat(20)),
            number: Some("𠮷".repeat(20)),
            ..crate::clinic::declaration::tests::form()
        };
        let widest = BodyPayload::Declared(widest.validate(date("2026-11-28")).unwrap());
        let p = entry_payload(
            now,
            long_operator.clone(),
            &day,
            Some(&patient),
            widest,
            two(),
        )
        .unwrap();
        assert_eq!(
            padded_len("visits", p.len()),
            Some(crate::store::crypto::VISIT_BUCKET),
            "{} bytes",
            p.len()
        );
    }

    mod chain {
        //! A broken chain is said, never skipped: listings and exports are marked incomplete,
        //! appends refuse; the check is whole once per opened store, then incremental.
        use super::*;
        use crate::clinic::declaration::tests::form;
        use crate::store::MemoryKeyStore;

        const KEK: [u8; 32] = [6; 32];

        fn t(s: &str) -> DateTime<Utc> {
            s.parse().unwrap()
        }

        fn open(dir: &std::path::Path) -> DeskStore {
            DeskStore::open(dir, &MemoryKeyStore::new(KEK)).unwrap()
        }

        /// `DeskStore::declare` itself reports a bad operator name with every failing field
        /// (it checked the operator first and stopped there), and records nothing.
        #[test]
        fn declare_reports_the_operator_and_every_field_at_once() {
            let dir = tempfile::tempdir().unwrap();
            let mut desk = open(dir.path());
            let mut bad = form();
            bad.birth_date = "not a date".into();
            let err = desk
                .declare(&bad, "   ", t("2026-11-28T01:00:00Z"))
                .unwrap_err();
            let ClinicError::Declaration { fields, .. } = err else {
                panic!("{err:?}")
            };
            assert_eq!(fields.errors.len(), 1, "{fields:?}");
            assert_eq!(
                desk.visits_on("2026-11-28".parse().unwrap())
                    .unwrap()
                    .entries,
                []
            );
        }

        /// Ten 申立 entries over two days (five each); the store reopened, so nothing is known
        /// of its chain.
        fn ten(dir: &std::path::Path) -> DeskStore {
            let mut desk = open(dir);
            for i in 0..10 {
                let now = if i < 5 {
                    t("2026-11-28T01:00:00Z")
                } else {
                    t("2026-11-29T01:00:00Z")
                };
                desk.declare(&form(), "受付 花子", now).unwrap();
            }
            drop(desk);
            open(dir)
        }

        /// One byte of entry `seq`'s sealed data flipped, with plain SQLite.
        fn flip_data_byte(conn: &rusqlite::Connection, seq: i64) {
            let mut data: Vec<u8> = conn
                .query_row("SELECT data FROM visits WHERE seq = ?1", [seq], |r| {
                    r.get(0)
                })
                .unwrap();
            data[40] ^= 1;
            conn.execute(
                "UPDATE visits SET data = ?2 WHERE seq = ?1",
                params![seq, data],
            )
            .unwrap();
        }

        fn range(desk: &DeskStore) -> CheckedVisits {
            desk.visits_between_checked(date("2026-11-28"), date("2026-11-29"))
                .unwrap()
        }

        fn refused_at(r: Result<u64, ClinicError>, at: &str) {
            match r {
                Err(ClinicError::Store(StoreError::Corrupt { row })) => assert_eq!(row.id, at),
                other => panic!("{other:?}"),
            }
        }

        #[test]
        fn a_middle_entry_deleted_is_said_by_listings_exports_and_appends() {
            let dir = tempfile::tempdir().unwrap();
            let desk = ten(dir.path());
            let whole = range(&desk);
            assert!(whole.is_complete() && whole.notice_ja().is_none());
            assert_eq!(whole.list.entries.len(), 10);
            assert!(!whole.to_csv().contains(INCOMPLETE_LABEL));
            drop(desk);

            let c = rusqlite::Connection::open(dir.path().join("desk.db")).unwrap();
            c.execute("DELETE FROM visits WHERE seq = 7", []).unwrap();
            drop(c);
            let mut desk = open(dir.path());
            let listed = range(&desk);
            // The listing itself has no damaged row: only the chain knows.
            assert!(listed.list.corrupt.is_empty());
            assert_eq!(listed.list.entries.len(), 9);
            assert_eq!(
                listed.check,
                LogCheck::Broken {
                    position: 7,
                    problem: LogProblem::Missing
                }
            );
            assert!(!listed.is_complete());
            let notice = listed.notice_ja().unwrap();
            assert!(
                notice.contains("記録番号 7") && notice.contains("欠落"),
                "{notice}"
            );
            // The CSV: the marker row right after the header, then the nine entries.
            let csv = listed.to_csv();
            let rows: Vec<&str> = csv.split("\r\n").collect();
            assert_eq!(rows.len(), 12, "header, marker, 9 entries, empty");
            let marker: Vec<&str> = rows[1].split(',').collect();
            assert_eq!(marker.len(), export::CSV_COLUMNS.len());
            assert!(marker[2].starts_with(INCOMPLETE_LABEL), "{}", rows[1]);
            assert_eq!(marker[26], "7");
            assert!(
                marker
                    .iter()
                    .enumerate()
                    .all(|(i, c)| i == 2 || i == 26 || c.is_empty())
            );
            // The spreadsheet flavour carries the same marker row.
            let sheet = listed.to_csv_for(export::CsvFlavor::Spreadsheet);
            let sheet_rows: Vec<&str> = sheet.split("\r\n").collect();
            assert_eq!(sheet_rows[1], rows[1]);
            assert_eq!(sheet_rows.len(), rows.len());
            // The JSON: the entries, and the check.
            let j: serde_json::Value =
                serde_json::from_str(&listed.to_json(date("2026-11-28"), date("2026-11-29")))
                    .unwrap();
            assert_eq!(j["complete"], false);
            assert_eq!(j["log_check"]["intact"], false);
            assert_eq!(j["log_check"]["position"], 7);
            assert_eq!(j["log_check"]["problem"], "missing");
            assert_eq!(j["entries"].as_array().unwrap().len(), 9);
            assert_eq!(j["format"], "shikaku-clinic-visits");
            // An append onto it is refused, and nothing is written.
            refused_at(
                desk.declare(&form(), "受付", t("2026-11-29T02:00:00Z")),
                "7",
            );
            assert_eq!(desk.log_len().unwrap(), 10);
            // Reopened, the first append finds it by itself (no check asked before).
            drop(desk);
            let mut desk = open(dir.path());
            refused_at(
                desk.declare(&form(), "受付", t("2026-11-29T02:00:00Z")),
                "7",
            );
            assert_eq!(desk.log_len().unwrap(), 10);
        }

        #[test]
        fn an_entry_moved_to_another_day_or_edited_is_said() {
            type Tamper = fn(&rusqlite::Connection);
            let tampers: [(Tamper, u64); 2] = [
                // A day column set to something no day hashes to: the entry leaves every day.
                (
                    |c| {
                        c.execute("UPDATE visits SET day = zeroblob(32) WHERE seq = 4", [])
                            .map(drop)
                            .unwrap()
                    },
                    4,
                ),
                // The sealed bytes edited.
                (|c| flip_data_byte(c, 9), 9),
            ];
            for (tamper, at) in tampers {
                let dir = tempfile::tempdir().unwrap();
                drop(ten(dir.path()));
                tamper(&rusqlite::Connection::open(dir.path().join("desk.db")).unwrap());
                let mut desk = open(dir.path());
                let listed = range(&desk);
                assert_eq!(
                    listed.check,
                    LogCheck::Broken {
                        position: at,
                        problem: LogProblem::Altered
                    },
                    "entry {at}"
                );
                assert!(!listed.is_complete());
                assert!(listed.to_csv().contains(INCOMPLETE_LABEL));
                refused_at(
                    desk.declare(&form(), "受付", t("2026-11-29T02:00:00Z")),
                    &at.to_string(),
                );
            }
        }

        #[test]
        fn the_head_damaged_is_position_zero() {
            let dir = tempfile::tempdir().unwrap();
            drop(ten(dir.path()));
            let c = rusqlite::Connection::open(dir.path().join("desk.db")).unwrap();
            c.execute(
                "UPDATE desk_meta SET value = x'00' WHERE key = 'log_head'",
                [],
            )
            .unwrap();
            drop(c);
            let mut desk = open(dir.path());
            let check = desk.check_log().unwrap();
            assert_eq!(
                check,
                LogCheck::Broken {
                    position: 0,
                    problem: LogProblem::HeadUnreadable
                }
            );
            assert!(check.notice_ja().unwrap().contains("記録簿全体"));
            match desk.declare(&form(), "受付", t("2026-11-29T02:00:00Z")) {
                Err(ClinicError::Store(StoreError::Corrupt { row })) => {
                    assert_eq!(row.table, "desk_meta")
                }
                other => panic!("{other:?}"),
            }
        }

        #[test]
        fn entries_appended_by_another_program_are_checked_incrementally() {
            let dir = tempfile::tempdir().unwrap();
            let mut a = ten(dir.path());
            assert!(a.check_log().unwrap().is_intact());
            // Another process (the desk page while the CLI runs) appends two entries.
            let mut b = open(dir.path());
            b.declare(&form(), "受付", t("2026-11-29T02:00:00Z"))
                .unwrap();
            b.declare(&form(), "受付", t("2026-11-29T02:00:00Z"))
                .unwrap();
            assert!(matches!(
                a.check_log().unwrap(),
                LogCheck::Intact { entries: 12, .. }
            ));
            assert_eq!(
                a.declare(&form(), "受付", t("2026-11-29T03:00:00Z"))
                    .unwrap(),
                13
            );
            // One of those appended since `a` last looked is edited: `a` sees it.
            b.declare(&form(), "受付", t("2026-11-29T03:00:00Z"))
                .unwrap();
            b.declare(&form(), "受付", t("2026-11-29T03:00:00Z"))
                .unwrap();
            flip_data_byte(&b.conn, 14);
            refused_at(a.declare(&form(), "受付", t("2026-11-29T04:00:00Z")), "14");
            assert_eq!(
                a.check_log().unwrap(),
                LogCheck::Broken {
                    position: 14,
                    problem: LogProblem::Altered
                }
            );
            // The last entry removed after `b` checked: its next append sees the end.
            let dir = tempfile::tempdir().unwrap();
            let mut b = ten(dir.path());
            assert!(b.check_log().unwrap().is_intact());
            b.conn
                .execute("DELETE FROM visits WHERE seq = 10", [])
                .unwrap();
            refused_at(b.declare(&form(), "受付", t("2026-11-29T04:00:00Z")), "10");
        }

        /// A desk clock earlier than the log's last entry (a PC whose clock went back after a
        /// power cut) is refused, typed, with nothing recorded; the same time, or later, is not.
        #[test]
        fn an_entry_earlier_than_the_last_one_is_refused() {
            let dir = tempfile::tempdir().unwrap();
            let mut desk = open(dir.path());
            let last = t("2026-12-05T01:00:00Z");
            assert_eq!(desk.declare(&form(), "受付", last).unwrap(), 1);
            let err = desk
                .declare(&form(), "受付", t("2020-01-01T00:00:00Z"))
                .unwrap_err();
            assert_eq!(
                err,
                ClinicError::ClockBehindLog {
                    now: t("2020-01-01T00:00:00Z"),
                    last,
                    last_position: 1
                }
            );
            let ja = err.clock_refusal_ja().unwrap();
            assert!(ja.contains("PCの日付・時刻を確認してください"), "{ja}");
            assert!(ja.contains("2020-01-01 09:00"), "{ja}");
            assert!(ja.contains("記録番号 1、2026-12-05 10:00"), "{ja}");
            let f = form();
            assert!(!ja.contains(&f.name) && !err.to_string().contains(&f.name));
            // A verified visit is refused the same way, a second earlier.
            let visit = crate::clinic::tests::visit_for_test();
            assert!(matches!(
                desk.record_visit(&visit, "受付", last - chrono::Duration::seconds(1)),
                Err(ClinicError::ClockBehindLog { .. })
            ));
            assert_eq!(desk.log_len().unwrap(), 1);
            assert!(matches!(
                desk.verify_log().unwrap(),
                LogCheck::Intact { entries: 1, .. }
            ));
            // The same instant and later are fine; a reopened store reads the last entry too.
            assert_eq!(desk.record_visit(&visit, "受付", last).unwrap(), 2);
            drop(desk);
            let mut desk = open(dir.path());
            assert!(matches!(
                desk.declare(&form(), "受付", t("2026-12-04T23:00:00Z")),
                Err(ClinicError::ClockBehindLog {
                    last_position: 2,
                    ..
                })
            ));
            assert_eq!(
                desk.declare(&form(), "受付", t("2026-12-05T02:00:00Z"))
                    .unwrap(),
                3
            );
        }

        #[test]
        fn a_batch_that_rolls_back_leaves_the_known_chain_as_it_was() {
            let dir = tempfile::tempdir().unwrap();
            let mut desk = ten(dir.path());
            assert!(desk.check_log().unwrap().is_intact());
            let bad = DeclarationForm {
                birth_date: "2999-01-01".into(),
                ..form()
            };
            let now = t("2026-11-29T02:00:00Z");
            assert!(
                desk.write(|b| {
                    b.declare(&form(), "受付", now)?;
                    b.declare(&bad, "受付", now)
                })
                .is_err()
            );
            // Still the head of 10, not the rolled-back 11th entry's.
            let head = read_head(&desk.conn, &desk.keys).unwrap().unwrap();
            assert_eq!(head.count, 10);
            assert_eq!(desk.chain.get(), Some(Chain::Intact(head)));
            assert_eq!(desk.declare(&form(), "受付", now).unwrap(), 11);
            assert!(matches!(
                desk.check_log().unwrap(),
                LogCheck::Intact { entries: 11, .. }
            ));
        }
    }

    #[test]
    fn positions_are_written_in_decimal() {
        for n in [0, 1, 9, 10, 99, 100, 12345, u64::MAX / 3, u64::MAX] {
            assert_eq!(Decimal::new(n).as_str(), n.to_string());
        }
    }

    #[test]
    fn index_copies_compare_in_place() {
        let (day, patient) = ([0xa5u8; 32], [0x0fu8; 32]);
        let copy = index_copy(&day, Some(&patient));
        assert!(index_matches(&copy, &day, Some(&patient)));
        assert!(!index_matches(&copy, &day, None));
        assert!(!index_matches(&copy, &patient, Some(&day)));
        assert!(!index_matches(&copy, &day, Some(&patient[..31])));
        assert!(!index_matches(&copy.to_uppercase(), &day, Some(&patient)));
        assert!(!index_matches(&copy.replace(':', ""), &day, Some(&patient)));
        // Longer and shorter than one 32-byte block, and a difference in the last digit.
        let long: Vec<u8> = (0..=80).collect();
        assert!(is_hex_of(&hex(&long), &long));
        assert!(is_hex_of(&hex(&long[..5]), &long[..5]));
        let mut wrong = hex(&long);
        wrong.pop();
        wrong.push('1');
        assert!(!is_hex_of(&wrong, &long));
        assert!(is_hex_of("", &[]));
        let no_patient = index_copy(&day, None);
        assert!(index_matches(&no_patient, &day, None));
        assert!(!index_matches(&no_patient, &day, Some(&patient)));
    }
}
