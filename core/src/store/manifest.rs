//! The sealed row list: for every row of the store, a digest of each of its columns, sealed in
//! the `meta` row `manifest` and rewritten in every write transaction.
//!
//! Each row's sealed values already cannot be moved to another row (their associated data
//! names the row). The list adds what per-value sealing cannot see:
//! - **an old ciphertext put back** (the same row's earlier value, copied in with plain SQLite):
//!   its digest is not the listed one, so the value does not open ([`Keys::open`] checks every
//!   value against the list) and the row is reported as [`StoreError::Corrupt`], alone;
//! - **a plain column edited** (`ordinal`, `member_id`, `lookup`): the reads that use one check
//!   it against the list, with the same result;
//! - **a row deleted, or one added**: the set of rows is compared with the list when the store
//!   is opened (and whenever another connection has written since), and a difference stops the
//!   store with [`StoreError::Tampered`].
//!
//! What it cannot see: the whole file (or every row together with the list) replaced by an
//! older copy of itself. See docs/decisions/0009-store-metadata-integrity.md.
//!
//! [`Keys::open`]: super::crypto::Keys::open

use std::borrow::Cow;
use std::collections::{HashMap, HashSet};

use rusqlite::types::ValueRef;
use rusqlite::{Connection, OptionalExtension};
use sha2::{Digest as _, Sha256};

use super::crypto::{Keys, Slot};
use super::error::sealing_failed;
use super::{RowRef, StoreError};

/// A column's digest: for a sealed value its AES-GCM tag, for any other value the first 128 bits
/// of SHA-256 over its type and value.
///
/// A sealed value's tag identifies it: [`Keys::open`] compares the tag with the listed one and
/// then decrypts, which authenticates the whole value under that tag; without the key no other
/// value with the same tag can be made, and an older value of the row has another (random) tag.
/// So opening costs no extra hashing.
pub(crate) type Digest = [u8; 16];

/// The columns that hold sealed values (in every listed table).
const SEALED_COLUMNS: [&str; 3] = ["data", "signed", "value"];

/// A column of sealed values, one per row, each sealed under its row's id.
#[derive(Debug, Clone, Copy)]
pub(crate) struct SealedColumn {
    /// The table.
    pub table: &'static str,
    /// The column holding the row's id.
    pub id_column: &'static str,
    /// The sealed column.
    pub column: &'static str,
}

/// Every column of sealed values outside `meta` (whose sealed rows — the canary, the sync
/// state, the row list — each have their own slot): what a migration or a re-key seals again.
pub(crate) const SEALED: [SealedColumn; 5] = [
    SealedColumn {
        table: "members",
        id_column: "id",
        column: "data",
    },
    SealedColumn {
        table: "records",
        id_column: "id",
        column: "data",
    },
    SealedColumn {
        table: "records",
        id_column: "id",
        column: "signed",
    },
    SealedColumn {
        table: "card_checks",
        id_column: "id",
        column: "data",
    },
    SealedColumn {
        table: "presentations",
        id_column: "record_id",
        column: "data",
    },
];

impl SealedColumn {
    /// Every `(id, sealed value)` of this column (NULLs left out).
    pub(crate) fn read_all(&self, conn: &Connection) -> Result<Vec<(String, Vec<u8>)>, StoreError> {
        let SealedColumn {
            table,
            id_column,
            column,
        } = self;
        Ok(conn
            .prepare(&format!(
                "SELECT {id_column}, {column} FROM {table} WHERE {column} IS NOT NULL"
            ))?
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<Result<_, _>>()?)
    }

    /// Replaces the sealed value of row `id`.
    pub(crate) fn update(
        &self,
        conn: &Connection,
        id: &str,
        sealed: &[u8],
    ) -> Result<(), StoreError> {
        let SealedColumn {
            table,
            id_column,
            column,
        } = self;
        conn.prepare_cached(&format!(
            "UPDATE {table} SET {column} = ?1 WHERE {id_column} = ?2"
        ))?
        .execute(rusqlite::params![sealed, id])?;
        Ok(())
    }

    /// The slot of row `id`'s value.
    pub(crate) fn slot<'a>(&self, id: &'a str) -> Slot<'a> {
        Slot {
            table: self.table,
            row: id,
            column: self.column,
        }
    }
}

/// The AES-GCM tag length (the last bytes of a sealed value).
const TAG_LEN: usize = 16;

/// The listed tables and their primary-key column; a table's code is its index here.
const TABLES: [(&str, &str); 5] = [
    ("meta", "key"),
    ("members", "id"),
    ("records", "id"),
    ("card_checks", "id"),
    ("presentations", "record_id"),
];

/// `meta` rows that are not listed: the wrapped key (the platform's blob; a replaced one does
/// not open the canary), the canary, and the list itself.
const UNLISTED_META: [&str; 3] = ["wrapped_key", "canary", "manifest"];

/// Where the list is sealed.
const LIST_SLOT: Slot<'static> = Slot {
    table: "meta",
    row: "manifest",
    column: "value",
};

/// Format tag of the encoded list.
const LIST_MAGIC: &[u8; 4] = b"SRL1";

fn table_code(table: &str) -> Option<u8> {
    TABLES
        .iter()
        .position(|(t, _)| *t == table)
        .and_then(|i| u8::try_from(i).ok())
}

fn table_name(code: u8) -> &'static str {
    TABLES.get(usize::from(code)).map_or("meta", |(t, _)| t)
}

fn listed(table: &str, row: &str) -> bool {
    table != "meta" || !UNLISTED_META.contains(&row)
}

/// The digest of one stored value, tagged by type so that `1`, `'1'` and `x'01'` differ.
pub(crate) fn value_digest(v: ValueRef<'_>) -> Digest {
    let mut h = Sha256::new();
    match v {
        ValueRef::Null => h.update([0]),
        ValueRef::Integer(i) => {
            h.update([1]);
            h.update(i.to_be_bytes());
        }
        ValueRef::Real(f) => {
            h.update([2]);
            h.update(f.to_bits().to_be_bytes());
        }
        ValueRef::Text(t) => {
            h.update([3]);
            h.update(t);
        }
        ValueRef::Blob(b) => {
            h.update([4]);
            h.update(b);
        }
    }
    let full = h.finalize();
    let mut out = [0u8; 16];
    out.copy_from_slice(&full[..16]);
    out
}

/// The digest of a sealed value as stored: its tag (the hash of its bytes if it is too short
/// to be a sealed value; such a value never opens anyway).
pub(crate) fn blob_digest(b: &[u8]) -> Digest {
    if b.len() <= TAG_LEN {
        return value_digest(ValueRef::Blob(b));
    }
    let mut out = [0u8; TAG_LEN];
    out.copy_from_slice(&b[b.len() - TAG_LEN..]);
    out
}

/// The digest of column `column`'s value.
fn column_digest(column: &str, v: ValueRef<'_>) -> Digest {
    match v {
        ValueRef::Blob(b) if SEALED_COLUMNS.contains(&column) => blob_digest(b),
        other => value_digest(other),
    }
}

type RowKey = (u8, String);

/// A column's name as listed: the schema's column names are kept without an allocation each
/// (a list names every column of every row, and is decoded at every open).
type ColumnName = Cow<'static, str>;

/// The column names of the listed tables (other names, from a newer schema, are kept owned).
const KNOWN_COLUMNS: [&str; 6] = ["value", "ordinal", "data", "member_id", "lookup", "signed"];

fn column_name(name: &str) -> ColumnName {
    match KNOWN_COLUMNS.iter().find(|c| **c == name) {
        Some(known) => Cow::Borrowed(known),
        None => Cow::Owned(name.to_string()),
    }
}

/// One row's listed columns: the digest of every column but its key.
type Columns = Vec<(ColumnName, Digest)>;

/// The row list: for each listed row, the digest of every column but its key; one map per
/// table (by its code), keyed by the row's id, so a look-up by `&str` allocates nothing.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Manifest {
    tables: [HashMap<String, Columns>; TABLES.len()],
}

impl Manifest {
    fn row(&self, code: u8, row: &str) -> Option<&Columns> {
        self.tables.get(usize::from(code))?.get(row)
    }

    fn column(&self, code: u8, row: &str, column: &str) -> Option<&Digest> {
        self.row(code, row)?
            .iter()
            .find(|(c, _)| c == column)
            .map(|(_, d)| d)
    }

    fn contains(&self, code: u8, row: &str) -> bool {
        self.row(code, row).is_some()
    }

    /// Lists `row` with `cols`; the columns it replaced, if it was listed.
    fn insert(&mut self, code: u8, row: String, cols: Columns) -> Option<Columns> {
        self.tables.get_mut(usize::from(code))?.insert(row, cols)
    }

    fn remove(&mut self, code: u8, row: &str) {
        if let Some(t) = self.tables.get_mut(usize::from(code)) {
            t.remove(row);
        }
    }

    fn len(&self) -> usize {
        self.tables.iter().map(HashMap::len).sum()
    }

    /// Every listed row, as (table code, id).
    fn keys(&self) -> impl Iterator<Item = (u8, &str)> {
        (0u8..)
            .zip(&self.tables)
            .flat_map(|(code, t)| t.keys().map(move |id| (code, id.as_str())))
    }

    /// Keeps only the rows in `present`.
    fn retain_present(&mut self, present: &HashSet<RowKey>) {
        for (code, t) in (0u8..).zip(self.tables.iter_mut()) {
            t.retain(|id, _| present.contains(&(code, id.clone())));
        }
    }

    fn encode(&self) -> Option<Vec<u8>> {
        let mut keys: Vec<(u8, &str)> = self.keys().collect();
        keys.sort_unstable();
        let mut out = LIST_MAGIC.to_vec();
        out.extend_from_slice(&u32::try_from(keys.len()).ok()?.to_be_bytes());
        for (code, id) in keys {
            let cols = self.row(code, id)?;
            out.push(code);
            out.push(u8::try_from(id.len()).ok()?);
            out.extend_from_slice(id.as_bytes());
            out.push(u8::try_from(cols.len()).ok()?);
            for (name, d) in cols {
                out.push(u8::try_from(name.len()).ok()?);
                out.extend_from_slice(name.as_bytes());
                out.extend_from_slice(d);
            }
        }
        Some(out)
    }

    fn decode(bytes: &[u8]) -> Option<Manifest> {
        let mut r = Reader(bytes);
        if r.take(4)? != LIST_MAGIC {
            return None;
        }
        let count = u32::from_be_bytes(r.take(4)?.try_into().ok()?);
        let mut list = Manifest::default();
        for _ in 0..count {
            let code = r.byte()?;
            if usize::from(code) >= TABLES.len() {
                return None;
            }
            let id_len = usize::from(r.byte()?);
            let id = std::str::from_utf8(r.take(id_len)?).ok()?.to_string();
            let ncols = r.byte()?;
            let mut cols = Vec::with_capacity(usize::from(ncols));
            for _ in 0..ncols {
                let name_len = usize::from(r.byte()?);
                let name = column_name(std::str::from_utf8(r.take(name_len)?).ok()?);
                let d: Digest = r.take(16)?.try_into().ok()?;
                cols.push((name, d));
            }
            if list.insert(code, id, cols).is_some() {
                return None;
            }
        }
        r.0.is_empty().then_some(list)
    }
}

struct Reader<'a>(&'a [u8]);

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Option<&'a [u8]> {
        if n > self.0.len() {
            return None;
        }
        let (head, rest) = self.0.split_at(n);
        self.0 = rest;
        Some(head)
    }

    fn byte(&mut self) -> Option<u8> {
        self.take(1).map(|b| b[0])
    }
}

/// The row list as a [`Keys`] holds it: off until the store's list is loaded (while a store
/// is created or migrated nothing is checked), then every opened value is checked against it
/// and every value sealed in a write is noted until the write commits.
#[derive(Debug, Default)]
pub(crate) struct RowCheck {
    list: Option<Manifest>,
    /// Values sealed in the current write: (table code, row, column) → digest.
    pending: HashMap<(u8, String, String), Digest>,
    /// SQLite's `data_version` when the list was loaded: it changes when another connection
    /// commits, and then the list is read again.
    data_version: i64,
}

impl RowCheck {
    /// Notes a value sealed in the current write.
    pub(crate) fn note(&mut self, slot: Slot<'_>, digest: Digest) {
        if self.list.is_none() || !listed(slot.table, slot.row) {
            return;
        }
        if let Some(code) = table_code(slot.table) {
            self.pending.insert(
                (code, slot.row.to_string(), slot.column.to_string()),
                digest,
            );
        }
    }

    /// Whether `sealed` is the value listed for `slot` (always, while the list is off).
    pub(crate) fn allows(&self, slot: Slot<'_>, sealed: &[u8]) -> bool {
        self.digest_ok(slot.table, slot.row, slot.column, blob_digest(sealed))
    }

    /// Whether a value with digest `d` is the value listed for this column of this row.
    fn digest_ok(&self, table: &str, row: &str, column: &str, d: Digest) -> bool {
        let Some(list) = &self.list else {
            return true;
        };
        if !listed(table, row) {
            return true;
        }
        let Some(code) = table_code(table) else {
            return false;
        };
        if !self.pending.is_empty()
            && let Some(p) = self
                .pending
                .get(&(code, row.to_string(), column.to_string()))
        {
            return *p == d;
        }
        list.column(code, row, column) == Some(&d)
    }

    fn clear_pending(&mut self) {
        self.pending.clear();
    }
}

/// Calls `f` with every listed row now in the file, as (table code, id), without copying the
/// ids (one statement: opening prepares it once).
fn for_each_row(
    conn: &Connection,
    mut f: impl FnMut(u8, &str) -> Result<(), StoreError>,
) -> Result<(), StoreError> {
    let sql = TABLES
        .iter()
        .enumerate()
        .map(|(code, (table, pk))| format!("SELECT {code}, {pk} FROM {table}"))
        .collect::<Vec<_>>()
        .join(" UNION ALL ");
    let mut stmt = conn.prepare_cached(&sql)?;
    let mut rows = stmt.query([])?;
    while let Some(r) = rows.next()? {
        let code: u8 = r.get(0)?;
        let id = r.get_ref(1)?.as_str().map_err(|e| {
            rusqlite::Error::FromSqlConversionFailure(1, rusqlite::types::Type::Text, Box::new(e))
        })?;
        if listed(table_name(code), id) {
            f(code, id)?;
        }
    }
    Ok(())
}

/// Every listed row now in the file.
fn current_rows(conn: &Connection) -> Result<HashSet<RowKey>, StoreError> {
    let mut out = HashSet::new();
    for_each_row(conn, |code, id| {
        out.insert((code, id.to_string()));
        Ok(())
    })?;
    Ok(out)
}

/// Whether the rows now in the file are exactly the listed rows (the ids are each table's
/// primary key, so counting the listed ones found is enough).
fn rows_match(conn: &Connection, list: &Manifest) -> Result<bool, StoreError> {
    let (mut found, mut unlisted) = (0usize, false);
    for_each_row(conn, |code, id| {
        if list.contains(code, id) {
            found += 1;
        } else {
            unlisted = true;
        }
        Ok(())
    })?;
    Ok(!unlisted && found == list.len())
}

/// The digests of every column of one row but its key; `None` if the row does not exist.
fn row_digests(conn: &Connection, code: u8, row: &str) -> Result<Option<Columns>, StoreError> {
    let (table, pk) = TABLES
        .get(usize::from(code))
        .copied()
        .ok_or(StoreError::Tampered {
            row: RowRef {
                table: "meta",
                id: "manifest".into(),
            },
        })?;
    let mut stmt = conn.prepare_cached(&format!("SELECT * FROM {table} WHERE {pk} = ?1"))?;
    let names: Vec<ColumnName> = stmt.column_names().into_iter().map(column_name).collect();
    Ok(stmt
        .query_row([row], |r| {
            let mut cols = Vec::with_capacity(names.len());
            for (i, name) in names.iter().enumerate() {
                if name != pk {
                    cols.push((name.clone(), column_digest(name, r.get_ref(i)?)));
                }
            }
            Ok(cols)
        })
        .optional()?)
}

fn tampered(code: u8, id: &str) -> StoreError {
    StoreError::Tampered {
        row: RowRef {
            table: table_name(code),
            id: id.to_string(),
        },
    }
}

/// The list of every row as it is now (a new store, a migration, a re-key).
pub(crate) fn build(conn: &Connection) -> Result<Manifest, StoreError> {
    let mut list = Manifest::default();
    for (code, id) in current_rows(conn)? {
        if let Some(cols) = row_digests(conn, code, &id)? {
            list.insert(code, id, cols);
        }
    }
    Ok(list)
}

/// Seals `list` with `keys` into the `meta` row `manifest`.
pub(crate) fn save(conn: &Connection, keys: &Keys, list: &Manifest) -> Result<(), StoreError> {
    let encoded = zeroize::Zeroizing::new(list.encode().ok_or_else(sealing_failed)?);
    let sealed = keys.seal(LIST_SLOT, &encoded).ok_or_else(sealing_failed)?;
    conn.execute(
        "INSERT INTO meta (key, value) VALUES ('manifest', ?1)
         ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        [&sealed],
    )?;
    Ok(())
}

fn data_version(conn: &Connection) -> Result<i64, StoreError> {
    Ok(conn
        .prepare_cached("PRAGMA data_version")?
        .query_row([], |r| r.get(0))?)
}

/// Reads the sealed list, compares its rows with the file's, and makes it the list `keys`
/// checks against. A missing or unreadable list, a listed row that is gone or a row that is not
/// listed is [`StoreError::Tampered`].
pub(crate) fn load(conn: &Connection, keys: &Keys) -> Result<(), StoreError> {
    // The version first: a commit by another connection after it makes the next
    // [`refresh`] read the list again.
    let version = data_version(conn)?;
    let sealed: Option<Vec<u8>> = conn
        .prepare_cached("SELECT value FROM meta WHERE key = 'manifest'")?
        .query_row([], |r| r.get(0))
        .optional()?;
    install_list(conn, keys, version, sealed)
}

/// The `meta` row holding the sealed list.
pub(crate) const LIST_ROW: &str = "manifest";

/// [`load`], the sealed list (the `meta` row [`LIST_ROW`]) read already in the caller's read
/// transaction (the open reads it with the key rows), which the version is read in too.
pub(crate) fn load_sealed(
    conn: &Connection,
    keys: &Keys,
    sealed: Option<Vec<u8>>,
) -> Result<(), StoreError> {
    install_list(conn, keys, data_version(conn)?, sealed)
}

fn install_list(
    conn: &Connection,
    keys: &Keys,
    version: i64,
    sealed: Option<Vec<u8>>,
) -> Result<(), StoreError> {
    let list_row = || tampered(0, "manifest");
    let sealed = sealed.ok_or_else(list_row)?;
    let plain = keys.open(LIST_SLOT, &sealed).ok_or_else(list_row)?;
    let list = Manifest::decode(&plain).ok_or_else(list_row)?;
    if !rows_match(conn, &list)? {
        let present = current_rows(conn)?;
        // The first difference in table order (then id), so the report does not vary.
        let missing = list
            .keys()
            .filter(|(code, id)| !present.contains(&(*code, id.to_string())));
        let added = present
            .iter()
            .filter(|(code, id)| !list.contains(*code, id))
            .map(|(code, id)| (*code, id.as_str()));
        if let Some((code, id)) = missing.chain(added).min() {
            return Err(tampered(code, id));
        }
    }
    let mut rows = keys.rows.borrow_mut();
    rows.list = Some(list);
    rows.pending.clear();
    rows.data_version = version;
    Ok(())
}

/// Reads the list again if another connection has committed since it was loaded.
pub(crate) fn refresh(conn: &Connection, keys: &Keys) -> Result<(), StoreError> {
    let loaded = {
        let rows = keys.rows.borrow();
        rows.list.is_some().then_some(rows.data_version)
    };
    match loaded {
        Some(v) if v == data_version(conn)? => Ok(()),
        _ => load(conn, keys),
    }
}

/// Starts a write: nothing sealed yet.
pub(crate) fn begin(keys: &Keys) {
    keys.rows.borrow_mut().clear_pending();
}

/// Ends a write that did not commit: what it sealed is forgotten.
pub(crate) fn abandon(keys: &Keys) {
    keys.rows.borrow_mut().clear_pending();
}

/// Before a write commits: the list with every row this write sealed a value of listed again
/// (all of its columns), the rows it deleted (cascades included) dropped, sealed into `meta`.
/// Returns the new list, to [`install`] once the transaction has committed.
pub(crate) fn finish(conn: &Connection, keys: &Keys) -> Result<Manifest, StoreError> {
    let (mut next, touched) = {
        let rows = keys.rows.borrow();
        let Some(list) = rows.list.clone() else {
            // Writes only run on a store whose list is loaded.
            return Err(tampered(0, "manifest"));
        };
        let touched: HashSet<RowKey> = rows
            .pending
            .keys()
            .map(|(code, row, _)| (*code, row.clone()))
            .collect();
        (list, touched)
    };
    for (code, row) in touched {
        match row_digests(conn, code, &row)? {
            Some(cols) => {
                next.insert(code, row, cols);
            }
            None => {
                next.remove(code, &row);
            }
        }
    }
    let present = current_rows(conn)?;
    next.retain_present(&present);
    if let Some((code, id)) = present.iter().find(|(code, id)| !next.contains(*code, id)) {
        return Err(tampered(*code, id));
    }
    save(conn, keys, &next)?;
    Ok(next)
}

/// Makes `list` (committed) the list `keys` checks against.
pub(crate) fn install(keys: &Keys, list: Manifest) {
    let mut rows = keys.rows.borrow_mut();
    rows.list = Some(list);
    rows.pending.clear();
}

/// Moves the loaded list's connection state to `new` (re-keyed) with `list` as its list.
pub(crate) fn hand_over(old: &Keys, new: &Keys, list: Manifest) {
    let version = old.rows.borrow().data_version;
    let mut rows = new.rows.borrow_mut();
    rows.list = Some(list);
    rows.pending.clear();
    rows.data_version = version;
}

/// Whether a plain (unsealed) column read from a row is the listed value; `false` reports the
/// row as damaged.
pub(crate) fn plain_ok(
    keys: &Keys,
    table: &str,
    row: &str,
    column: &str,
    value: ValueRef<'_>,
) -> bool {
    keys.rows
        .borrow()
        .digest_ok(table, row, column, column_digest(column, value))
}

/// Checks every column of every row against the list (before a re-key lists them again).
pub(crate) fn verify_all(conn: &Connection, keys: &Keys) -> Result<(), StoreError> {
    let rows = keys.rows.borrow();
    let Some(list) = &rows.list else {
        return Err(tampered(0, "manifest"));
    };
    for (code, id) in current_rows(conn)? {
        let cols = row_digests(conn, code, &id)?;
        if cols.as_ref() != list.row(code, &id) {
            return Err(StoreError::Corrupt {
                row: RowRef {
                    table: table_name(code),
                    id,
                },
            });
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn list_round_trips_and_rejects_damage() {
        let mut m = Manifest::default();
        m.insert(
            1,
            "a".into(),
            vec![("data".into(), [1; 16]), ("ordinal".into(), [2; 16])],
        );
        m.insert(0, "sync_state".into(), vec![("value".into(), [3; 16])]);
        // A column this build does not know (a newer schema's) is kept as well.
        m.insert(2, "r".into(), vec![("later".into(), [4; 16])]);
        let bytes = m.encode().unwrap();
        assert_eq!(Manifest::decode(&bytes), Some(m.clone()));
        assert_eq!(Manifest::decode(&bytes[..bytes.len() - 1]), None);
        let mut longer = bytes.clone();
        longer.push(0);
        assert_eq!(Manifest::decode(&longer), None);
        assert_eq!(Manifest::decode(b"SRL2\0\0\0\0"), None);
    }

    #[test]
    fn digests_are_typed() {
        assert_ne!(
            value_digest(ValueRef::Integer(49)),
            value_digest(ValueRef::Text(b"1"))
        );
        assert_ne!(
            value_digest(ValueRef::Text(b"1")),
            value_digest(ValueRef::Blob(b"1"))
        );
        assert_ne!(
            value_digest(ValueRef::Null),
            value_digest(ValueRef::Blob(b""))
        );
    }

    #[test]
    fn an_unlisted_or_changed_value_is_refused_once_loaded() {
        let slot = Slot {
            table: "records",
            row: "r1",
            column: "data",
        };
        let mut check = RowCheck::default();
        assert!(check.allows(slot, b"anything"), "off: no list yet");
        let mut list = Manifest::default();
        list.insert(2, "r1".into(), vec![("data".into(), blob_digest(b"v1"))]);
        check.list = Some(list);
        assert!(check.allows(slot, b"v1"));
        assert!(!check.allows(slot, b"v0"), "an older value put back");
        assert!(
            !check.allows(Slot { row: "r2", ..slot }, b"v1"),
            "unlisted row"
        );
        check.note(slot, blob_digest(b"v2"));
        assert!(check.allows(slot, b"v2"), "sealed in this write");
        assert!(!check.allows(slot, b"v1"));
        check.clear_pending();
        assert!(check.allows(slot, b"v1"));
        let canary = Slot {
            table: "meta",
            row: "canary",
            column: "value",
        };
        assert!(check.allows(canary, b"x"), "the canary is not listed");
    }
}
