//! Rollback decisions: versions only move forward, and the decision must not depend on the
//! clock. A stored trust list or document whose key has expired since, or a phone whose clock
//! was set back, must not let an older version in. So the version of what is stored is read
//! from bytes whose signature is checked, with every time check off.

use chrono::{DateTime, Utc};

use super::{TrustList, VerifyingKey, verify_document};

/// A point far enough ahead that no trust list is "issued in the future" relative to it, and
/// early enough that adding the allowed clock skew stays inside chrono's range.
fn end_of_time() -> DateTime<Utc> {
    // 9999-12-31T00:00:00Z is a valid timestamp (chrono reaches year 262143).
    DateTime::from_timestamp(253_402_214_400, 0).unwrap_or(DateTime::<Utc>::MAX_UTC)
}

/// Verifies a stored trust list's signature with `root` and decodes it, with time checks off.
/// `None` when the bytes are not a trust list signed by `root`.
pub fn trust_list_untimed(bytes: &[u8], root: &VerifyingKey) -> Option<TrustList> {
    TrustList::verify(bytes, root, end_of_time()).ok()
}

/// True when `new` (signed as `new_bytes`, already verified with `root`) would roll back the
/// stored trust list `stored`: a lower version, or the same version with other bytes. The stored
/// list's version is read with time checks off ([`trust_list_untimed`]); stored bytes that no
/// longer verify with `root` stop nothing (there is no version to protect).
pub fn trust_update_is_rollback(
    stored: Option<&[u8]>,
    new_bytes: &[u8],
    new: &TrustList,
    root: &VerifyingKey,
) -> bool {
    let Some(stored_bytes) = stored else {
        return false;
    };
    match trust_list_untimed(stored_bytes, root) {
        Some(old) => {
            new.version < old.version || (new.version == old.version && stored_bytes != new_bytes)
        }
        None => false,
    }
}

/// The version of a signed document whose signature verifies with a key (of the same key id,
/// allowed for the document's 保険者番号) in any of `lists`, with the keys' validity periods
/// ignored. `None` when no key verifies it.
pub fn document_version_untimed(bytes: &[u8], lists: &[&TrustList]) -> Option<u64> {
    lists.iter().find_map(|list| {
        let mut timeless = (*list).clone();
        for key in &mut timeless.keys {
            key.not_before = DateTime::<Utc>::MIN_UTC;
            key.not_after = DateTime::<Utc>::MAX_UTC;
        }
        verify_document(bytes, &timeless, end_of_time())
            .ok()
            .map(|v| v.document.version)
    })
}
