//! BER-TLV headers and values as the card uses them: DER certificates (`30 82 ..`) and the
//! private-class files of the 券面事項入力補助AP (`FF20`, `DF21`…). Lengths in short form or
//! long form with one or two length bytes (`81 xx`, `82 xx xx`).

/// Why a TLV could not be parsed. Messages never contain the data.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum TlvError {
    /// The input ended inside a tag, a length or a value.
    #[error("TLV truncated: {needed} bytes needed, {available} available")]
    Truncated {
        /// Bytes the TLV claims (from the start of the input).
        needed: usize,
        /// Bytes there are.
        available: usize,
    },
    /// The input is empty or only `FF`/`00` filler.
    #[error("no TLV (empty or only filler)")]
    Empty,
    /// Indefinite length (`80`) or more than two length bytes: not used by the card.
    #[error("unsupported TLV length encoding")]
    UnsupportedLength,
    /// A tag longer than three bytes.
    #[error("TLV tag too long")]
    TagTooLong,
    /// A different tag than the structure requires.
    #[error("unexpected TLV tag {found:X} where {expected:X} was required")]
    UnexpectedTag {
        /// The tag the structure requires.
        expected: u32,
        /// The tag found.
        found: u32,
    },
}

impl From<TlvError> for super::error::CardError {
    fn from(error: TlvError) -> Self {
        Self::Malformed {
            what: error.to_string(),
        }
    }
}

/// A decoded TLV header.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Header {
    /// The tag bytes as a big-endian number (e.g. `0x30`, `0xFF20`, `0xDF21`).
    pub tag: u32,
    /// Bytes taken by the tag and the length.
    pub header_len: usize,
    /// Bytes of the value.
    pub value_len: usize,
}

impl Header {
    /// Tag, length and value together.
    pub fn total_len(&self) -> usize {
        self.header_len + self.value_len
    }
}

/// Decodes the tag and length at the start of `input` (the value itself need not be there).
pub fn parse_header(input: &[u8]) -> Result<Header, TlvError> {
    let truncated = |needed| TlvError::Truncated {
        needed,
        available: input.len(),
    };
    let first = *input.first().ok_or(TlvError::Empty)?;
    let mut tag = u32::from(first);
    let mut pos = 1;
    if first & 0x1F == 0x1F {
        // Multi-byte tag: subsequent bytes while bit 8 is set.
        loop {
            let b = *input.get(pos).ok_or_else(|| truncated(pos + 1))?;
            tag = (tag << 8) | u32::from(b);
            pos += 1;
            if b & 0x80 == 0 {
                break;
            }
            if pos >= 3 {
                return Err(TlvError::TagTooLong);
            }
        }
    }
    let len_byte = *input.get(pos).ok_or_else(|| truncated(pos + 1))?;
    pos += 1;
    let value_len = match len_byte {
        0x00..=0x7F => usize::from(len_byte),
        0x81 => {
            let b = *input.get(pos).ok_or_else(|| truncated(pos + 1))?;
            pos += 1;
            usize::from(b)
        }
        0x82 => {
            let hi = *input.get(pos).ok_or_else(|| truncated(pos + 2))?;
            let lo = *input.get(pos + 1).ok_or_else(|| truncated(pos + 2))?;
            pos += 2;
            usize::from(u16::from_be_bytes([hi, lo]))
        }
        _ => return Err(TlvError::UnsupportedLength),
    };
    Ok(Header {
        tag,
        header_len: pos,
        value_len,
    })
}

/// One TLV: its tag and value, borrowed from the input.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Tlv<'a> {
    /// The tag as a big-endian number.
    pub tag: u32,
    /// The value bytes.
    pub value: &'a [u8],
}

/// Parses the TLV at the start of `input`; returns it and the bytes after it.
pub fn parse_one(input: &[u8]) -> Result<(Tlv<'_>, &[u8]), TlvError> {
    let header = parse_header(input)?;
    let end = header.total_len();
    if input.len() < end {
        return Err(TlvError::Truncated {
            needed: end,
            available: input.len(),
        });
    }
    Ok((
        Tlv {
            tag: header.tag,
            value: &input[header.header_len..end],
        },
        &input[end..],
    ))
}

/// Parses the TLV at the start of `input` and requires its tag to be `tag`.
pub fn expect_tag(input: &[u8], tag: u32) -> Result<(Tlv<'_>, &[u8]), TlvError> {
    let (tlv, rest) = parse_one(input)?;
    if tlv.tag != tag {
        return Err(TlvError::UnexpectedTag {
            expected: tag,
            found: tlv.tag,
        });
    }
    Ok((tlv, rest))
}

/// True when `bytes` is only `FF` or `00` filler (or empty).
pub fn is_filler(bytes: &[u8]) -> bool {
    bytes.iter().all(|&b| b == 0xFF || b == 0x00)
}

/// The length of the one TLV a file holds, from its first bytes; the `FF` filler after it is
/// not counted. Fails if `first` is filler only.
pub fn object_len(first: &[u8]) -> Result<usize, TlvError> {
    if is_filler(first) {
        return Err(TlvError::Empty);
    }
    Ok(parse_header(first)?.total_len())
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;
    use crate::card::mock::hex;

    #[test]
    fn short_and_long_lengths() {
        assert_eq!(
            parse_header(&hex("0403")).unwrap(),
            Header {
                tag: 0x04,
                header_len: 2,
                value_len: 3
            }
        );
        let h = parse_header(&hex("3081 C8")).unwrap();
        assert_eq!((h.tag, h.header_len, h.value_len), (0x30, 3, 0xC8));
        let h = parse_header(&hex("3082 0621")).unwrap();
        assert_eq!(
            (h.tag, h.header_len, h.value_len, h.total_len()),
            (0x30, 4, 0x621, 1573)
        );
        let h = parse_header(&hex("FF20 81 90")).unwrap();
        assert_eq!((h.tag, h.header_len, h.value_len), (0xFF20, 4, 0x90));
        let h = parse_header(&hex("DF21 08")).unwrap();
        assert_eq!((h.tag, h.header_len, h.value_len), (0xDF21, 3, 8));
        let h = parse_header(&hex("7F21 82 0233")).unwrap();
        assert_eq!((h.tag, h.total_len()), (0x7F21, 568));
        let h = parse_header(&hex("5F8122 01")).unwrap();
        assert_eq!((h.tag, h.header_len), (0x5F8122, 4));
    }

    #[test]
    fn rejects_bad_encodings() {
        assert_eq!(parse_header(&[]), Err(TlvError::Empty));
        assert_eq!(
            parse_header(&hex("30")),
            Err(TlvError::Truncated {
                needed: 2,
                available: 1
            })
        );
        assert!(matches!(
            parse_header(&hex("3082 06")),
            Err(TlvError::Truncated { .. })
        ));
        assert!(matches!(
            parse_header(&hex("3081")),
            Err(TlvError::Truncated { .. })
        ));
        assert!(matches!(
            parse_header(&hex("FF")),
            Err(TlvError::Truncated { .. })
        ));
        assert_eq!(parse_header(&hex("3080")), Err(TlvError::UnsupportedLength));
        assert_eq!(
            parse_header(&hex("3083 010000")),
            Err(TlvError::UnsupportedLength)
        );
        assert_eq!(parse_header(&hex("1F8181 01")), Err(TlvError::TagTooLong));
    }

    #[test]
    fn values_and_truncation() {
        let input = hex("DF22 02 4142 DF23 00");
        let (tlv, rest) = parse_one(&input).unwrap();
        assert_eq!(tlv.tag, 0xDF22);
        assert_eq!(tlv.value, b"AB");
        assert_eq!(rest, &hex("DF2300")[..]);
        assert_eq!(
            parse_one(&hex("DF22 05 4142")),
            Err(TlvError::Truncated {
                needed: 8,
                available: 5
            })
        );
        assert_eq!(
            expect_tag(&hex("DF23 00"), 0xDF22),
            Err(TlvError::UnexpectedTag {
                expected: 0xDF22,
                found: 0xDF23
            })
        );
    }

    #[test]
    fn object_length_ignores_filler() {
        assert_eq!(object_len(&hex("3003 020101 FFFFFFFF")), Ok(5));
        assert_eq!(object_len(&hex("FFFFFFFF")), Err(TlvError::Empty));
        assert_eq!(object_len(&hex("0000")), Err(TlvError::Empty));
        assert_eq!(object_len(&hex("FF10 0C")), Ok(15));
    }
}
