//! Envelope encryption of stored values: AES-256-GCM with associated data that names the table,
//! the row, the column and the seal format (every part length-prefixed), plaintexts padded to a
//! bucket size, and keyed hashes for look-ups.
//!
//! Seal format 2 (this build writes only it):
//! `02 ‖ nonce ‖ AES-256-GCM(len ‖ payload ‖ zero padding) ‖ tag`, where `len` is the payload's
//! length (u32, big-endian) and the padded plaintext is [`padded_len`] bytes long; the
//! associated data is `part ‖ part ‖ …` with each part `u32 length ‖ bytes`: the label
//! `shikaku/seal`, the format (u32), the table, the row id and the column.
//! Seal format 1 (`01 ‖ nonce ‖ ciphertext ‖ tag`, associated data
//! `shikaku|seal=1|table|row|column`, no padding) is only opened, to migrate older stores.
//!
//! Opening checks the tag over the whole ciphertext and then decrypts only the length prefix
//! and the payload: the padding is authenticated with the rest but never decrypted (ADR 0010,
//! "Only the payload decrypted").
//!
//! Every value opened through [`Keys::open`] is also checked against the store's sealed row
//! list (see `manifest.rs`), and every value sealed in a write is noted in it.

use std::cell::RefCell;

use hkdf::Hkdf;
use hmac::{Hmac, Mac};
use rand_core::{OsRng, RngCore};
use sha2::Sha256;
use shikaku_aead::{Aes256GcmKey, NONCE_LEN, TAG_LEN};
use zeroize::{Zeroize, Zeroizing};

use super::manifest::{RowCheck, blob_digest};

/// The length prefix inside a format-2 plaintext.
const LEN_PREFIX: usize = 4;
/// The smallest padded plaintext. Every payload the store keeps today (a record with all of
/// its blocks, a card check, a signed document) fits in it, so their sealed lengths say nothing
/// about their content (docs/decisions/0009-store-metadata-integrity.md).
pub(crate) const MIN_BUCKET: usize = 1024;

/// The smallest padded plaintext of a member: name, kana, birth date, sex, relationship, the
/// issuer's id and the card's expiry take a few hundred bytes at most. (A smaller floor than
/// [`MIN_BUCKET`], because members are read most often.)
pub(crate) const MEMBER_BUCKET: usize = 512;

/// The smallest padded plaintext of a desk visit entry (table `visits`): a verified visit with
/// every block and the longest operator's name, and two 公費 with their longest names, fit in
/// it, so a sealed entry's length tells neither its kind nor whether a 公費 — a sensitive
/// category of care — was seen with it (docs/decisions/0010-desk-log-performance.md, §2).
pub(crate) const VISIT_BUCKET: usize = 2048;

/// The padded plaintext length for a payload of `len` bytes in `table`: at least its floor,
/// and above it the next power of two (so a length reveals at most its power of two).
pub(crate) fn padded_len(table: &str, len: usize) -> Option<usize> {
    let floor = match table {
        "members" => MEMBER_BUCKET,
        "visits" => VISIT_BUCKET,
        _ => MIN_BUCKET,
    };
    let framed = len.checked_add(LEN_PREFIX)?;
    framed.max(floor).checked_next_power_of_two()
}

/// A fresh random 256-bit data key.
pub(crate) fn random_data_key() -> Zeroizing<Vec<u8>> {
    let mut k = Zeroizing::new(vec![0u8; 32]);
    OsRng.fill_bytes(k.as_mut_slice());
    k
}

/// The buffers [`Keys::open_in`] reuses for the values one query opens. The plaintext buffer
/// only grows (wiped first, since growing may move it); when dropped, every byte of it that
/// may hold plaintext is wiped: up to the end of the longest part decrypted (a length prefix
/// and its payload, at least one block). Past that it holds ciphertext: the padding is never
/// decrypted.
#[derive(Default)]
pub(crate) struct Scratch {
    buf: Vec<u8>,
    /// Only `buf[..dirty]` may hold plaintext.
    dirty: usize,
    /// The associated data of the value being opened (not secret).
    aad: Vec<u8>,
}

impl Scratch {
    /// Makes `buf` at least `ct.len()` bytes long and returns `dirty`.
    fn room_for(&mut self, ct: &[u8]) -> usize {
        if self.buf.len() < ct.len() {
            self.wipe();
            let mut grown = Vec::with_capacity(ct.len());
            // Filled with the ciphertext (a copy, not a byte loop), overwritten when it opens.
            grown.extend_from_slice(ct);
            self.buf = grown;
        }
        self.dirty
    }

    fn wipe(&mut self) {
        if let Some(used) = self.buf.get_mut(..self.dirty) {
            used.zeroize();
        }
        self.dirty = 0;
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        self.wipe();
    }
}

/// Where a sealed value lives; becomes the associated data, so a ciphertext moved to another
/// table, row or column (or read under another seal format) fails to open.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Slot<'a> {
    pub table: &'a str,
    pub row: &'a str,
    pub column: &'a str,
}

/// The keys derived from one data key, for one seal format, and the row list that every
/// opened value is checked against.
pub(crate) struct Keys {
    /// AES-256-GCM, compiled in shikaku-aead at full speed (ADR 0010).
    aead: Aes256GcmKey,
    lookup: Zeroizing<[u8; 32]>,
    seal_format: u32,
    /// The store's sealed row list, once loaded (off while a store is created or migrated).
    pub(super) rows: RefCell<RowCheck>,
}

impl Keys {
    /// Derives the value key and the look-up key from `data_key` with HKDF-SHA-256, for seal
    /// format 1 (open only) or 2. The row check starts off.
    pub(crate) fn derive(data_key: &[u8], seal_format: u32) -> Option<Keys> {
        if data_key.len() != 32 || !(1..=2).contains(&seal_format) {
            return None;
        }
        let hk = Hkdf::<Sha256>::new(None, data_key);
        let mut enc = Zeroizing::new([0u8; 32]);
        let mut lookup = Zeroizing::new([0u8; 32]);
        hk.expand(b"shikaku/store/v1/aead", enc.as_mut()).ok()?;
        hk.expand(b"shikaku/store/v1/lookup", lookup.as_mut())
            .ok()?;
        Some(Keys {
            aead: Aes256GcmKey::new(&enc),
            lookup,
            seal_format,
            rows: RefCell::new(RowCheck::default()),
        })
    }

    fn aad(&self, slot: Slot<'_>) -> Vec<u8> {
        let mut out = Vec::with_capacity(64 + slot.row.len());
        self.aad_into(slot, &mut out);
        out
    }

    /// The associated data of `slot`, written over `out`.
    fn aad_into(&self, slot: Slot<'_>, out: &mut Vec<u8>) {
        out.clear();
        if self.seal_format == 1 {
            for (i, p) in ["shikaku|seal=1", slot.table, slot.row, slot.column]
                .iter()
                .enumerate()
            {
                if i > 0 {
                    out.push(b'|');
                }
                out.extend_from_slice(p.as_bytes());
            }
            return;
        }
        let format = self.seal_format.to_be_bytes();
        let parts: [&[u8]; 5] = [
            b"shikaku/seal",
            &format,
            slot.table.as_bytes(),
            slot.row.as_bytes(),
            slot.column.as_bytes(),
        ];
        for p in parts {
            // Tables, ids and column names are short; a part over 4 GiB cannot occur, and
            // saturating keeps distinct inputs distinct in practice.
            out.extend_from_slice(&u32::try_from(p.len()).unwrap_or(u32::MAX).to_be_bytes());
            out.extend_from_slice(p);
        }
    }

    /// `02 ‖ nonce ‖ ciphertext ‖ tag` of the padded `plaintext`, with a fresh random nonce.
    /// In a write, the new value is noted in the row list.
    pub(crate) fn seal(&self, slot: Slot<'_>, plaintext: &[u8]) -> Option<Vec<u8>> {
        if self.seal_format != 2 {
            return None;
        }
        let total = padded_len(slot.table, plaintext.len())?;
        let len = u32::try_from(plaintext.len()).ok()?.to_be_bytes();
        let mut nonce = [0u8; NONCE_LEN];
        OsRng.fill_bytes(&mut nonce);
        let aad = self.aad(slot);
        // Built and encrypted in place: `02 ‖ nonce ‖ len ‖ payload ‖ zero padding`, then the
        // tag appended.
        let head = 1 + NONCE_LEN;
        let mut out = Vec::with_capacity(head + total + TAG_LEN);
        out.push(2);
        out.extend_from_slice(&nonce);
        out.extend_from_slice(&len);
        out.extend_from_slice(plaintext);
        out.resize(head + total, 0);
        match self
            .aead
            .encrypt_in_place_detached(&nonce, &aad, &mut out[head..])
        {
            Ok(tag) => out.extend_from_slice(&tag),
            Err(_) => {
                // Still the plaintext.
                out.zeroize();
                return None;
            }
        }
        self.rows.borrow_mut().note(slot, blob_digest(&out));
        Some(out)
    }

    /// Opens a value sealed for exactly this slot, and (once the row list is loaded) listed
    /// in it with exactly these bytes; `None` on any mismatch or damage.
    pub(crate) fn open(&self, slot: Slot<'_>, sealed: &[u8]) -> Option<Zeroizing<Vec<u8>>> {
        let (nonce, ct, tag) = self.split(slot, sealed)?;
        // Wiped when dropped, also when it does not open.
        let mut plain = Zeroizing::new(vec![0u8; ct.len()]);
        let aad = self.aad(slot);
        let opened = self
            .aead
            .decrypt_detached_prefix_into(nonce, &aad, ct, tag, &mut plain, self.needed())
            .ok()?;
        let payload = self.payload(plain.get(..opened)?)?;
        plain.copy_within(payload.clone(), 0);
        // The tail (zeroed with the rest of the buffer when it is dropped) is cut off.
        plain.truncate(payload.len());
        Some(plain)
    }

    /// [`Keys::open`] into `scratch`, a buffer reused for the values a query opens one after
    /// another: decrypted straight from `sealed` into it, with no allocation per value and one
    /// wipe when `scratch` is dropped. The payload is borrowed from `scratch` until the next
    /// value is opened.
    pub(crate) fn open_in<'s>(
        &self,
        slot: Slot<'_>,
        sealed: &[u8],
        scratch: &'s mut Scratch,
    ) -> Option<&'s [u8]> {
        let (nonce, ct, tag) = self.split(slot, sealed)?;
        self.aad_into(slot, &mut scratch.aad);
        let before = scratch.room_for(ct);
        // Until the decryption says how much it wrote, all of it may hold plaintext.
        scratch.dirty = before.max(ct.len());
        let out = &mut scratch.buf[..ct.len()];
        // Nothing is written unless the tag matches; then `opened` bytes hold plaintext (past
        // them, an earlier value's plaintext lies before `before`, or this one's ciphertext).
        let Ok(opened) = self.aead.decrypt_detached_prefix_into(
            nonce,
            &scratch.aad,
            ct,
            tag,
            out,
            self.needed(),
        ) else {
            scratch.dirty = before;
            return None;
        };
        scratch.dirty = before.max(opened);
        let payload = self.payload(&scratch.buf[..opened])?;
        scratch.buf.get(payload)
    }

    /// How much of a plaintext of this seal format is decrypted, told from its first block:
    /// in format 2 the length prefix and the payload (the padding after them is authenticated
    /// by the tag with the rest, but never decrypted: ADR 0010, "Only the payload decrypted");
    /// in format 1 all of it.
    fn needed(&self) -> fn(&[u8]) -> usize {
        fn prefix_and_payload(first: &[u8]) -> usize {
            first.first_chunk::<LEN_PREFIX>().map_or(0, |p| {
                usize::try_from(u32::from_be_bytes(*p))
                    .map_or(usize::MAX, |len| len.saturating_add(LEN_PREFIX))
            })
        }
        fn all(_: &[u8]) -> usize {
            usize::MAX
        }
        if self.seal_format == 1 {
            all
        } else {
            prefix_and_payload
        }
    }

    /// The nonce, ciphertext and tag of `sealed` if it is a value of this seal format listed
    /// for `slot` in the row list (always, while the list is off).
    fn split<'v>(
        &self,
        slot: Slot<'_>,
        sealed: &'v [u8],
    ) -> Option<(&'v [u8; NONCE_LEN], &'v [u8], &'v [u8; TAG_LEN])> {
        let format = u8::try_from(self.seal_format).ok()?;
        if sealed.len() < 1 + NONCE_LEN + TAG_LEN || sealed[0] != format {
            return None;
        }
        if !self.rows.borrow().allows(slot, sealed) {
            return None;
        }
        let (nonce, rest) = sealed[1..].split_first_chunk::<NONCE_LEN>()?;
        let (ct, tag) = rest.split_last_chunk::<TAG_LEN>()?;
        Some((nonce, ct, tag))
    }

    /// Where the payload lies in the decrypted part of a plaintext (what [`Keys::needed`]
    /// asked for): all of it in seal format 1; in format 2 after the length prefix, if the
    /// length it gives lies within the plaintext.
    fn payload(&self, decrypted: &[u8]) -> Option<std::ops::Range<usize>> {
        if self.seal_format == 1 {
            return Some(0..decrypted.len());
        }
        let (prefix, rest) = decrypted.split_first_chunk::<LEN_PREFIX>()?;
        let len = usize::try_from(u32::from_be_bytes(*prefix)).ok()?;
        rest.get(..len)?;
        Some(LEN_PREFIX..LEN_PREFIX + len)
    }

    /// HMAC-SHA-256 of `parts` (length-prefixed) under the look-up key, domain-separated by
    /// `purpose`: equal inputs give equal hashes, nothing readable reaches the index.
    pub(crate) fn lookup_hash(&self, purpose: &str, parts: &[&str]) -> Vec<u8> {
        // HMAC accepts keys of any length, so `new_from_slice` cannot fail here.
        let mut mac = match <Hmac<Sha256> as Mac>::new_from_slice(self.lookup.as_ref()) {
            Ok(m) => m,
            Err(_) => unreachable!("HMAC takes any key length"),
        };
        mac.update(purpose.as_bytes());
        for p in parts {
            mac.update(&(p.len() as u64).to_be_bytes());
            mac.update(p.as_bytes());
        }
        mac.finalize().into_bytes().to_vec()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn slot(row: &str) -> Slot<'_> {
        Slot {
            table: "members",
            row,
            column: "data",
        }
    }

    /// A value sealed the way seal format 1 did (for the migration's tests).
    pub(crate) fn seal_v1(keys: &Keys, slot: Slot<'_>, plaintext: &[u8]) -> Vec<u8> {
        let nonce = [7u8; NONCE_LEN];
        let aad = format!("shikaku|seal=1|{}|{}|{}", slot.table, slot.row, slot.column);
        let ct = keys
            .aead
            .encrypt(&nonce, aad.as_bytes(), plaintext)
            .unwrap();
        [&[1u8][..], &nonce, &ct].concat()
    }

    #[test]
    fn seal_open_and_binding() {
        let keys = Keys::derive(&[9; 32], 2).unwrap();
        let a = keys.seal(slot("a"), b"hello").unwrap();
        assert_eq!(a[0], 2, "format byte");
        assert_eq!(keys.open(slot("a"), &a).unwrap().as_slice(), b"hello");
        assert!(keys.open(slot("b"), &a).is_none(), "other row");
        let other_col = Slot {
            column: "signed",
            ..slot("a")
        };
        assert!(keys.open(other_col, &a).is_none(), "other column");
        let other_table = Slot {
            table: "records",
            ..slot("a")
        };
        assert!(keys.open(other_table, &a).is_none(), "other table");
        let v1 = Keys::derive(&[9; 32], 1).unwrap();
        assert!(v1.open(slot("a"), &a).is_none(), "other seal format");
        assert!(
            v1.seal(slot("a"), b"hello").is_none(),
            "format 1 is never written"
        );
        assert!(
            Keys::derive(&[8; 32], 2)
                .unwrap()
                .open(slot("a"), &a)
                .is_none(),
            "other key"
        );
        assert_ne!(keys.seal(slot("a"), b"hello").unwrap(), a, "fresh nonce");
        assert!(Keys::derive(&[0; 31], 2).is_none());
        assert!(Keys::derive(&[9; 32], 3).is_none());
        assert!(keys.seal(slot("a"), b"").is_some(), "empty values seal");
        assert_eq!(
            keys.open(slot("a"), &keys.seal(slot("a"), b"").unwrap())
                .unwrap()
                .as_slice(),
            b""
        );
    }

    #[test]
    fn format_1_values_still_open_with_format_1_keys() {
        let v1 = Keys::derive(&[9; 32], 1).unwrap();
        let old = seal_v1(&v1, slot("a"), b"hello");
        assert_eq!(v1.open(slot("a"), &old).unwrap().as_slice(), b"hello");
        assert!(v1.open(slot("b"), &old).is_none());
        assert!(
            Keys::derive(&[9; 32], 2)
                .unwrap()
                .open(slot("a"), &old)
                .is_none()
        );
    }

    #[test]
    fn associated_data_parts_cannot_run_into_each_other() {
        // In format 1 these two slots gave the same associated data ("…|a|b|c|d"), so a value
        // of one opened as the other.
        let keys = Keys::derive(&[9; 32], 2).unwrap();
        let one = Slot {
            table: "a",
            row: "b|c",
            column: "d",
        };
        let two = Slot {
            table: "a|b",
            row: "c",
            column: "d",
        };
        let sealed = keys.seal(one, b"x").unwrap();
        assert!(keys.open(two, &sealed).is_none());
        assert_ne!(keys.aad(one), keys.aad(two));
        let v1 = Keys::derive(&[9; 32], 1).unwrap();
        assert_eq!(
            v1.aad(one),
            v1.aad(two),
            "the format-1 weakness, kept only to migrate"
        );
    }

    #[test]
    fn lengths_are_padded_to_buckets() {
        let keys = Keys::derive(&[9; 32], 2).unwrap();
        let record = Slot {
            table: "records",
            row: "a",
            column: "data",
        };
        let len = |n: usize| keys.seal(record, &vec![b'x'; n]).unwrap().len();
        let overhead = 1 + NONCE_LEN + TAG_LEN;
        let member_len = |n: usize| keys.seal(slot("a"), &vec![b'x'; n]).unwrap().len();
        assert_eq!(member_len(0), MEMBER_BUCKET + overhead);
        assert_eq!(
            member_len(MEMBER_BUCKET - LEN_PREFIX),
            MEMBER_BUCKET + overhead
        );
        assert_eq!(member_len(MEMBER_BUCKET), MIN_BUCKET + overhead);
        assert_eq!(len(0), MIN_BUCKET + overhead);
        assert_eq!(len(MIN_BUCKET - LEN_PREFIX), MIN_BUCKET + overhead);
        assert_eq!(len(MIN_BUCKET - LEN_PREFIX + 1), 2 * MIN_BUCKET + overhead);
        assert_eq!(len(3000), 4096 + overhead);
        for n in [0, 1, 500, 1020, 1021, 5000] {
            let v = vec![b'y'; n];
            let s = keys.seal(slot("a"), &v).unwrap();
            assert_eq!(keys.open(slot("a"), &s).unwrap().as_slice(), v.as_slice());
        }
        assert_eq!(padded_len("records", usize::MAX), None);
    }

    #[test]
    fn opening_in_a_scratch_buffer_matches_open_and_tracks_what_to_wipe() {
        let keys = Keys::derive(&[9; 32], 2).unwrap();
        let record = |row| Slot {
            table: "records",
            row,
            column: "data",
        };
        // Payloads of 1 KiB and 2 KiB padded lengths, in an order that grows the buffer.
        let values: Vec<Vec<u8>> = [10usize, 700, 1500, 3, 1020]
            .iter()
            .map(|n| (0..*n).map(|i| (i % 250 + 1) as u8).collect())
            .collect();
        let sealed: Vec<Vec<u8>> = values
            .iter()
            .map(|v| keys.seal(record("r"), v).unwrap())
            .collect();
        let mut scratch = Scratch::default();
        let mut longest = 0;
        for (v, s) in values.iter().zip(&sealed) {
            assert_eq!(
                keys.open_in(record("r"), s, &mut scratch).unwrap(),
                v.as_slice()
            );
            assert_eq!(keys.open(record("r"), s).unwrap().as_slice(), v.as_slice());
            longest = longest.max((LEN_PREFIX + v.len()).max(16));
            // Only the payloads (at least a block each) held plaintext; since the 2 KiB value
            // grew the buffer (wiping the old one), the longest payload counts from there.
            assert_eq!(scratch.dirty, longest);
            if v.len() == 1500 {
                longest = LEN_PREFIX + 1500;
            }
        }
        // A value that does not open (another row) leaves the buffer usable and counted.
        assert!(
            keys.open_in(record("x"), &sealed[1], &mut scratch)
                .is_none()
        );
        assert_eq!(
            keys.open_in(record("r"), &sealed[0], &mut scratch).unwrap(),
            values[0].as_slice()
        );
        // Sealed by hand: a length prefix that runs past the plaintext is refused, and all of
        // that value counts as plaintext to wipe.
        let nonce = [3u8; NONCE_LEN];
        let aad = keys.aad(record("p"));
        let seal_raw = |plain: &[u8]| {
            [
                &[2u8][..],
                &nonce,
                &keys.aead.encrypt(&nonce, &aad, plain).unwrap(),
            ]
            .concat()
        };
        let mut too_long = vec![0u8; MIN_BUCKET];
        too_long[..LEN_PREFIX].copy_from_slice(&1021u32.to_be_bytes());
        assert!(keys.open(record("p"), &seal_raw(&too_long)).is_none());
        let mut fresh = Scratch::default();
        assert!(
            keys.open_in(record("p"), &seal_raw(&too_long), &mut fresh)
                .is_none()
        );
        assert_eq!(fresh.dirty, MIN_BUCKET);
        fresh.wipe();
        assert!(fresh.buf.iter().all(|b| *b == 0), "wiped");
        // The padding is authenticated with the rest but never decrypted: bytes other than
        // zeros there (which only the key's holder could seal) do not change the payload, and
        // only the payload's block counts as plaintext.
        let mut odd_padding = vec![0u8; MIN_BUCKET];
        odd_padding[3] = 1;
        odd_padding[4] = b'x';
        odd_padding[100] = 1;
        assert_eq!(
            keys.open(record("p"), &seal_raw(&odd_padding))
                .unwrap()
                .as_slice(),
            b"x"
        );
        let mut fresh = Scratch::default();
        assert_eq!(
            keys.open_in(record("p"), &seal_raw(&odd_padding), &mut fresh)
                .unwrap(),
            b"x"
        );
        assert_eq!(fresh.dirty, 16);
        scratch.wipe();
        assert_eq!(scratch.dirty, 0);
        assert!(scratch.buf[..longest].iter().all(|b| *b == 0));
    }

    #[test]
    fn lookup_hash_is_keyed_and_unambiguous() {
        let k1 = Keys::derive(&[1; 32], 2).unwrap();
        let k2 = Keys::derive(&[2; 32], 2).unwrap();
        assert_eq!(
            k1.lookup_hash("p", &["a", "b"]),
            k1.lookup_hash("p", &["a", "b"])
        );
        assert_ne!(
            k1.lookup_hash("p", &["a", "b"]),
            k2.lookup_hash("p", &["a", "b"])
        );
        assert_ne!(
            k1.lookup_hash("p", &["ab", ""]),
            k1.lookup_hash("p", &["a", "b"])
        );
        assert_ne!(k1.lookup_hash("p", &["a"]), k1.lookup_hash("q", &["a"]));
        assert_eq!(
            k1.lookup_hash("p", &["a"]),
            Keys::derive(&[1; 32], 1).unwrap().lookup_hash("p", &["a"]),
            "look-ups do not change with the seal format (the migration keeps them)"
        );
    }
}
