//! Strict CBOR reading and writing on top of `ciborium::Value`.
//!
//! ciborium accepts duplicate map keys, trailing bytes and non-minimal encodings; everything
//! here adds the checks the document format needs: a size cap before parsing, a small nesting
//! limit, no trailing bytes, no duplicate map keys anywhere in the tree, and typed access to
//! integer-keyed maps that rejects unknown keys and wrong types.

use std::collections::BTreeSet;

use chrono::{DateTime, Utc};
use ciborium::Value;

use super::DocumentError;

/// Nesting deeper than this is rejected (the formats nest at most four levels).
const MAX_DEPTH: usize = 16;

/// Shorthand for a [`DocumentError::Malformed`].
pub(crate) fn malformed(at: &'static str, reason: &'static str) -> DocumentError {
    DocumentError::Malformed { at, reason }
}

/// Decodes exactly one CBOR item from `bytes` (at most `limit` bytes), rejecting trailing
/// bytes and duplicate map keys at any depth.
pub(crate) fn decode(bytes: &[u8], limit: usize, at: &'static str) -> Result<Value, DocumentError> {
    if bytes.len() > limit {
        return Err(DocumentError::TooLarge { limit });
    }
    let mut rest = bytes;
    let value: Value = ciborium::de::from_reader_with_recursion_limit(&mut rest, MAX_DEPTH)
        .map_err(|_| {
            malformed(
                at,
                "not well-formed CBOR (truncated, invalid or nested too deep)",
            )
        })?;
    if !rest.is_empty() {
        return Err(malformed(at, "trailing bytes after the CBOR item"));
    }
    check_no_duplicate_keys(&value, at)?;
    Ok(value)
}

/// Encodes `value` (minimal-length integers and definite lengths, as ciborium writes them).
pub(crate) fn encode(value: &Value, at: &'static str) -> Result<Vec<u8>, DocumentError> {
    let mut out = Vec::new();
    ciborium::ser::into_writer(value, &mut out).map_err(|_| malformed(at, "cannot encode CBOR"))?;
    Ok(out)
}

/// Fails if any map in the tree has two keys that decode to the same value.
pub(crate) fn check_no_duplicate_keys(
    value: &Value,
    at: &'static str,
) -> Result<(), DocumentError> {
    match value {
        Value::Map(entries) => {
            let mut seen = BTreeSet::new();
            for (k, v) in entries {
                // Equal keys re-encode to equal bytes: ciborium always writes the shortest form.
                if !seen.insert(encode(k, at)?) {
                    return Err(malformed(at, "duplicate map key"));
                }
                check_no_duplicate_keys(k, at)?;
                check_no_duplicate_keys(v, at)?;
            }
            Ok(())
        }
        Value::Array(items) => items
            .iter()
            .try_for_each(|v| check_no_duplicate_keys(v, at)),
        Value::Tag(_, inner) => check_no_duplicate_keys(inner, at),
        _ => Ok(()),
    }
}

/// An integer-keyed CBOR map being taken apart field by field. [`Fields::finish`] rejects any
/// key that was not taken.
pub(crate) struct Fields {
    at: &'static str,
    entries: Vec<(u64, Value)>,
}

impl Fields {
    /// Expects a map whose keys are all unsigned integers.
    pub(crate) fn new(value: Value, at: &'static str) -> Result<Self, DocumentError> {
        let Value::Map(map) = value else {
            return Err(malformed(at, "expected a map"));
        };
        let mut entries = Vec::with_capacity(map.len());
        for (k, v) in map {
            let key = match k {
                Value::Integer(i) => u64::try_from(i).map_err(|_| malformed(at, "unknown key"))?,
                _ => return Err(malformed(at, "unknown key")),
            };
            entries.push((key, v));
        }
        Ok(Fields { at, entries })
    }

    fn take(&mut self, key: u64) -> Option<Value> {
        let i = self.entries.iter().position(|(k, _)| *k == key)?;
        Some(self.entries.swap_remove(i).1)
    }

    /// An optional field of any type.
    pub(crate) fn opt(&mut self, key: u64) -> Option<Value> {
        self.take(key)
    }

    /// A required field of any type.
    pub(crate) fn req(&mut self, key: u64, at: &'static str) -> Result<Value, DocumentError> {
        self.take(key)
            .ok_or(malformed(at, "missing required field"))
    }

    /// Fails if keys are left that were not taken.
    pub(crate) fn finish(self) -> Result<(), DocumentError> {
        if self.entries.is_empty() {
            Ok(())
        } else {
            Err(malformed(self.at, "unknown key"))
        }
    }
}

/// Expects a text string.
pub(crate) fn text(v: Value, at: &'static str) -> Result<String, DocumentError> {
    match v {
        Value::Text(s) => Ok(s),
        _ => Err(malformed(at, "expected a text string")),
    }
}

/// Expects a byte string.
pub(crate) fn bytes(v: Value, at: &'static str) -> Result<Vec<u8>, DocumentError> {
    match v {
        Value::Bytes(b) => Ok(b),
        _ => Err(malformed(at, "expected a byte string")),
    }
}

/// Expects an unsigned integer that fits in 64 bits.
pub(crate) fn uint(v: Value, at: &'static str) -> Result<u64, DocumentError> {
    match v {
        Value::Integer(i) => {
            u64::try_from(i).map_err(|_| malformed(at, "expected an unsigned integer"))
        }
        _ => Err(malformed(at, "expected an unsigned integer")),
    }
}

/// Expects a boolean.
pub(crate) fn boolean(v: Value, at: &'static str) -> Result<bool, DocumentError> {
    match v {
        Value::Bool(b) => Ok(b),
        _ => Err(malformed(at, "expected a boolean")),
    }
}

/// Expects an array.
pub(crate) fn array(v: Value, at: &'static str) -> Result<Vec<Value>, DocumentError> {
    match v {
        Value::Array(a) => Ok(a),
        _ => Err(malformed(at, "expected an array")),
    }
}

/// Builds an integer-keyed map from `(key, value)` pairs, leaving out absent values.
pub(crate) fn map(entries: Vec<(u64, Option<Value>)>) -> Value {
    Value::Map(
        entries
            .into_iter()
            .filter_map(|(k, v)| v.map(|v| (Value::Integer(k.into()), v)))
            .collect(),
    )
}

/// The largest timestamp accepted: 9999-12-31T23:59:59Z.
const MAX_TIMESTAMP: u64 = 253_402_300_799;

/// A time as whole seconds since 1970-01-01T00:00:00Z (finer parts are dropped); times before
/// 1970 or after 9999 are refused.
pub(crate) fn time_v(t: DateTime<Utc>, at: &'static str) -> Result<Value, DocumentError> {
    u64::try_from(t.timestamp())
        .ok()
        .filter(|s| *s <= MAX_TIMESTAMP)
        .map(|s| Value::Integer(s.into()))
        .ok_or(malformed(at, "time must be between 1970 and 9999"))
}

/// Expects a time written by [`time_v`].
pub(crate) fn time(v: Value, at: &'static str) -> Result<DateTime<Utc>, DocumentError> {
    let secs = uint(v, at)?;
    if secs > MAX_TIMESTAMP {
        return Err(malformed(at, "time after 9999"));
    }
    i64::try_from(secs)
        .ok()
        .and_then(|s| DateTime::from_timestamp(s, 0))
        .ok_or(malformed(at, "time out of range"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn duplicate_keys_are_found_at_any_depth() {
        // {1: 1, 1: 2}
        assert!(matches!(
            decode(&[0xa2, 0x01, 0x01, 0x01, 0x02], 100, "t"),
            Err(DocumentError::Malformed {
                reason: "duplicate map key",
                ..
            })
        ));
        // [{"a": 1, "a": 1}]
        let nested = [0x81, 0xa2, 0x61, b'a', 0x01, 0x61, b'a', 0x01];
        assert!(decode(&nested, 100, "t").is_err());
        // Non-minimal encoding of the same key (0x18 0x01 is 1 written long) is still a duplicate.
        assert!(decode(&[0xa2, 0x01, 0x01, 0x18, 0x01, 0x02], 100, "t").is_err());
        assert!(decode(&[0xa2, 0x01, 0x01, 0x02, 0x02], 100, "t").is_ok());
    }

    #[test]
    fn trailing_bytes_size_and_depth() {
        assert!(decode(&[0x01, 0x01], 100, "t").is_err());
        assert_eq!(
            decode(&[0x01; 10], 9, "t"),
            Err(DocumentError::TooLarge { limit: 9 })
        );
        let deep = [0x81u8; 40];
        let mut deep = deep.to_vec();
        deep.push(0x01);
        assert!(decode(&deep, 100, "t").is_err());
    }

    #[test]
    fn fields_reject_unknown_and_wrong_types() {
        let v = decode(&[0xa2, 0x01, 0x61, b'x', 0x02, 0xf5], 100, "t").unwrap();
        let mut f = Fields::new(v.clone(), "t").unwrap();
        assert_eq!(text(f.req(1, "t").unwrap(), "t").unwrap(), "x");
        assert!(f.finish().is_err());
        let mut f = Fields::new(v, "t").unwrap();
        assert!(uint(f.req(1, "t").unwrap(), "t").is_err());
        assert!(f.req(3, "t").is_err());
        // Negative and text keys are unknown keys.
        assert!(Fields::new(decode(&[0xa1, 0x20, 0x01], 100, "t").unwrap(), "t").is_err());
        assert!(Fields::new(decode(&[0xa1, 0x61, b'a', 0x01], 100, "t").unwrap(), "t").is_err());
    }
}
