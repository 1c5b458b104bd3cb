//! The QR form of a signed document: `SK1:` + Base45(zlib(signed bytes)), as the EU digital
//! COVID certificate does with `HC1:`. Base45 (RFC 9285) uses only characters of the QR
//! alphanumeric mode.
//!
//! A clinic's USB scanner types the payload as a keyboard would, and three things commonly go
//! wrong on the way; [`from_qr_payload`] undoes them where the mapping is unambiguous
//! (docs/protocol.md, "QR form"):
//!
//! - **Keyboard layout.** The scanner sends key codes for its own layout; the PC reads them
//!   with its own. A scanner set to a US layout on a PC set to the Japanese (JIS, 106/109)
//!   layout types `:` as `+` (US Shift+`;` is JIS `+`), `*` as `(` (Shift+8) and `+` as `~`
//!   (US Shift+`=` is JIS Shift+`^`, `~` or its JIS-Roman overline `‾`); a scanner set to JIS on a
//!   US PC types `:` as `'`, `*` as `"` and `+` as `:` (A. Brouwer, "Keyboard scancodes",
//!   §8 Japanese keyboards, the table of keycaps that differ). Every other character of the
//!   QR alphanumeric set sits on the same key in both. The prefix `SK1:` shows which happened
//!   (`SK1+` or `SK1'`), and in each case the substitution is one-to-one on the payload's
//!   alphabet, so it is undone exactly; a character that the detected layout cannot produce
//!   is refused.
//! - **Full width.** A Japanese input method in full-width mode types `ＳＫ１：…`: full-width
//!   ASCII (U+FF01–U+FF5E) and the ideographic space are folded to ASCII.
//! - **Case.** Some scanners type lower case (or Caps Lock inverts it): Base45 has no lower
//!   case letters, so letters are upper-cased.
//!
//! A text that starts like a payload (`SK1` after folding) but cannot be undone so — kana from
//! an input method in hiragana mode, a character the layout cannot explain — is
//! [`DocumentError::ScannerKeyboard`]: check the scanner's keyboard setting, not a forgery.
//! Normalising never weakens verification: it only chooses the text to decode, and the
//! decoded bytes are then checked exactly as before (canonical Base45, zlib, padding, and the
//! signature over those bytes by the caller).

use miniz_oxide::inflate::TINFLStatus;
use miniz_oxide::inflate::core::{DecompressorOxide, decompress, inflate_flags};

use super::{DocumentError, MAX_SIGNED_BYTES, QR_PREFIX};

/// zlib compression level (miniz's best).
const LEVEL: u8 = 9;

/// The longest Base45 text that can carry [`MAX_SIGNED_BYTES`] of zlib data: 3 characters
/// per 2 bytes. zlib never shrinks incompressible data, so a longer text cannot hold a
/// document within the limit.
const MAX_BASE45_CHARS: usize = MAX_SIGNED_BYTES.div_ceil(2) * 3 + 64;

/// The QR payload for `signed` (normally the bytes from [`super::sign_document`]).
pub fn to_qr_payload(signed: &[u8]) -> String {
    let compressed = miniz_oxide::deflate::compress_to_vec_zlib(signed, LEVEL);
    format!("{QR_PREFIX}{}", base45::encode(compressed))
}

fn bad(reason: &'static str) -> DocumentError {
    DocumentError::BadQr { reason }
}

/// Inflates a complete zlib stream into at most [`MAX_SIGNED_BYTES`] (never allocating more),
/// refusing checksum errors and bytes after the stream.
fn inflate(zlib: &[u8]) -> Result<Vec<u8>, DocumentError> {
    let mut out = vec![0u8; MAX_SIGNED_BYTES];
    let mut state = Box::<DecompressorOxide>::default();
    let flags = inflate_flags::TINFL_FLAG_PARSE_ZLIB_HEADER
        | inflate_flags::TINFL_FLAG_USING_NON_WRAPPING_OUTPUT_BUF;
    let (status, consumed, written) = decompress(&mut state, zlib, &mut out, 0, flags);
    match status {
        TINFLStatus::Done if consumed == zlib.len() => {
            out.truncate(written);
            Ok(out)
        }
        TINFLStatus::Done => Err(bad("data after the zlib stream")),
        TINFLStatus::HasMoreOutput => Err(DocumentError::TooLarge {
            limit: MAX_SIGNED_BYTES,
        }),
        TINFLStatus::Adler32Mismatch => Err(bad("zlib checksum does not match")),
        _ => Err(bad("not a valid zlib stream")),
    }
}

/// Refuses a stream whose unused padding bits at the end of the deflate data are not zero,
/// so that changing a character of a payload to another of its alphabet can never leave the
/// decoded bytes unchanged.
/// A bit of the last deflate byte is padding exactly when flipping it leaves the output
/// unchanged; padding bits are the high bits of that byte.
fn check_padding(zlib: &[u8], out: &[u8]) -> Result<(), DocumentError> {
    // 2 header bytes, at least 1 deflate byte, 4 Adler-32 bytes.
    let Some(last) = zlib.len().checked_sub(5).filter(|&i| i >= 2) else {
        return Err(bad("zlib stream too short"));
    };
    let mut probe = zlib.to_vec();
    for bit in (0..8).rev() {
        let mask = 1u8 << bit;
        probe[last] = zlib[last] ^ mask;
        match inflate(&probe) {
            Ok(o) if o == out => {
                if zlib[last] & mask != 0 {
                    return Err(bad("non-zero padding bits in the zlib stream"));
                }
            }
            _ => break,
        }
        probe[last] = zlib[last];
    }
    Ok(())
}

/// The QR alphanumeric set, which a payload's text is made of.
fn in_alphabet(c: char) -> bool {
    c.is_ascii_uppercase() || c.is_ascii_digit() || " $%*+-./:".contains(c)
}

/// How the scanner's keyboard typed the payload, told by the character after `SK1`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Layout {
    /// As printed (`SK1:`).
    AsPrinted,
    /// A US-layout scanner on a JIS-layout PC (`SK1+`).
    UsOnJis,
    /// A JIS-layout scanner on a US-layout PC (`SK1'`).
    JisOnUs,
}

impl Layout {
    fn of(separator: char) -> Option<Layout> {
        match separator {
            ':' => Some(Layout::AsPrinted),
            '+' => Some(Layout::UsOnJis),
            '\'' => Some(Layout::JisOnUs),
            _ => None,
        }
    }

    /// The character of the payload a typed character stands for, or `None` when this layout
    /// cannot have typed it.
    fn undo(self, typed: char) -> Option<char> {
        let c = match (self, typed) {
            (Layout::AsPrinted, c) => c,
            (Layout::UsOnJis, '+') => ':',
            (Layout::UsOnJis, '(') => '*',
            (Layout::UsOnJis, '~' | '\u{203E}') => '+',
            (Layout::UsOnJis, ':' | '*') => return None,
            (Layout::JisOnUs, '\'') => ':',
            (Layout::JisOnUs, '"') => '*',
            (Layout::JisOnUs, ':') => '+',
            (Layout::JisOnUs, '+' | '*') => return None,
            (_, c) => c,
        };
        in_alphabet(c).then_some(c)
    }
}

/// A full-width ASCII character (U+FF01–U+FF5E) or the ideographic space as ASCII, and a
/// lower-case letter in upper case.
fn fold(c: char) -> char {
    let c = match u32::from(c) {
        0x3000 => ' ',
        n @ 0xFF01..=0xFF5E => char::from_u32(n - 0xFEE0).unwrap_or(c),
        _ => c,
    };
    c.to_ascii_uppercase()
}

/// The payload as printed in the QR code, from what a scanner typed (see the module's
/// documentation): unchanged when it already is, else folded and with the keyboard layout's
/// substitutions undone.
fn as_printed(typed: &str) -> Result<std::borrow::Cow<'_, str>, DocumentError> {
    if typed.starts_with(QR_PREFIX) && typed.chars().all(in_alphabet) {
        return Ok(std::borrow::Cow::Borrowed(typed));
    }
    let folded: Vec<char> = typed.chars().map(fold).collect();
    if folded.len() > MAX_BASE45_CHARS + QR_PREFIX.len() {
        return Err(DocumentError::TooLarge {
            limit: MAX_SIGNED_BYTES,
        });
    }
    let (Some(['S', 'K', '1']), Some(&separator)) = (folded.get(..3), folded.get(3)) else {
        return Err(bad("missing the SK1: prefix"));
    };
    let layout = Layout::of(separator).ok_or(DocumentError::ScannerKeyboard)?;
    let body: Option<String> = folded[4..].iter().map(|c| layout.undo(*c)).collect();
    let body = body.ok_or(DocumentError::ScannerKeyboard)?;
    Ok(std::borrow::Cow::Owned(format!("{QR_PREFIX}{body}")))
}

/// Decodes a QR payload back to the signed bytes: the `SK1:` prefix, canonical Base45, a zlib
/// stream that inflates to at most 16 KiB (a zip bomb stops there). The result still has to
/// go through [`super::verify_document`].
///
/// What a scanner typed with another keyboard layout, in full width or in lower case is first
/// turned back into the printed payload where that is unambiguous (see the module's
/// documentation); a text that starts like a payload but cannot be turned back is
/// [`DocumentError::ScannerKeyboard`].
pub fn from_qr_payload(payload: &str) -> Result<Vec<u8>, DocumentError> {
    let printed = as_printed(payload)?;
    let body = printed
        .strip_prefix(QR_PREFIX)
        .ok_or(bad("missing the SK1: prefix"))?;
    if body.len() > MAX_BASE45_CHARS {
        return Err(DocumentError::TooLarge {
            limit: MAX_SIGNED_BYTES,
        });
    }
    let zlib = base45::decode(body).map_err(|_| bad("not valid Base45"))?;
    // RFC 9285 decoders must refuse values out of range; base45 3 wraps a final pair above
    // 255, so insist on the one canonical spelling.
    if base45::encode(&zlib) != body {
        return Err(bad("not valid Base45"));
    }
    let out = inflate(&zlib)?;
    check_padding(&zlib, &out)?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base45_is_rfc_9285() {
        // RFC 9285 §4.3 examples.
        assert_eq!(base45::encode(b"AB"), "BB8");
        assert_eq!(base45::encode(b"Hello!!"), "%69 VD92EX0");
        assert_eq!(base45::encode(b"base-45"), "UJCLQE7W581");
        assert_eq!(base45::decode("QED8WEX0").unwrap(), b"ietf!");
    }

    #[test]
    fn round_trip_and_prefix() {
        let data: Vec<u8> = (0..3000u32).map(|i| (i * 7 % 251) as u8).collect();
        let qr = to_qr_payload(&data);
        assert!(qr.starts_with("SK1:"));
        assert!(
            qr[4..]
                .bytes()
                .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b" $%*+-./:".contains(&b))
        );
        assert_eq!(from_qr_payload(&qr).unwrap(), data);
        assert!(matches!(
            from_qr_payload(&qr.replacen("SK1:", "HC1:", 1)),
            Err(DocumentError::BadQr { .. })
        ));
        assert!(matches!(
            from_qr_payload(&qr[4..]),
            Err(DocumentError::BadQr { .. })
        ));
        assert!(from_qr_payload("").is_err());
        assert!(from_qr_payload("SK1:").is_err());
    }

    #[test]
    fn bad_base45_and_zlib_are_typed() {
        // A character outside the QR alphanumeric set is not Base45; one dangling character
        // neither.
        assert_eq!(
            from_qr_payload("SK1:AB#"),
            Err(DocumentError::ScannerKeyboard)
        );
        assert_eq!(
            from_qr_payload("SK1:ABCD"),
            Err(DocumentError::BadQr {
                reason: "not valid Base45"
            })
        );
        assert!(matches!(
            from_qr_payload("SK1:BB8B"),
            Err(DocumentError::BadQr { .. })
        ));
        // ":::" is 44 + 44·45 + 44·2025 = 91124 > 65535.
        assert!(matches!(
            from_qr_payload("SK1::::"),
            Err(DocumentError::BadQr { .. })
        ));
        // A final pair above 255 ("::" = 2024) is refused, not wrapped.
        assert!(matches!(
            from_qr_payload("SK1:BB8::"),
            Err(DocumentError::BadQr { .. })
        ));
        // Valid Base45 of bytes that are not zlib.
        assert_eq!(
            from_qr_payload(&format!("SK1:{}", base45::encode(b"not zlib at all"))),
            Err(DocumentError::BadQr {
                reason: "not a valid zlib stream"
            })
        );
        // Checksum damaged.
        let mut z = miniz_oxide::deflate::compress_to_vec_zlib(b"hello hello hello", 9);
        let n = z.len();
        z[n - 1] ^= 1;
        assert_eq!(
            from_qr_payload(&format!("SK1:{}", base45::encode(&z))),
            Err(DocumentError::BadQr {
                reason: "zlib checksum does not match"
            })
        );
        // Bytes after the stream.
        let mut z = miniz_oxide::deflate::compress_to_vec_zlib(b"hello", 9);
        z.push(0);
        assert!(from_qr_payload(&format!("SK1:{}", base45::encode(&z))).is_err());
    }

    #[test]
    fn zip_bomb_stops_at_16_kib() {
        let bomb = miniz_oxide::deflate::compress_to_vec_zlib(&vec![0u8; 10 * 1024 * 1024], 9);
        assert!(bomb.len() < 20_000, "{}", bomb.len());
        assert_eq!(
            from_qr_payload(&format!("SK1:{}", base45::encode(&bomb))),
            Err(DocumentError::TooLarge {
                limit: MAX_SIGNED_BYTES
            })
        );
        // Exactly the limit is fine; one byte more is not.
        let at_limit = vec![7u8; MAX_SIGNED_BYTES];
        assert_eq!(
            from_qr_payload(&to_qr_payload(&at_limit)).unwrap(),
            at_limit
        );
        assert!(matches!(
            from_qr_payload(&to_qr_payload(&vec![7u8; MAX_SIGNED_BYTES + 1])),
            Err(DocumentError::TooLarge { .. })
        ));
        // An over-long text is refused before decoding.
        let long = format!("SK1:{}", "0".repeat(MAX_BASE45_CHARS + 3));
        assert!(matches!(
            from_qr_payload(&long),
            Err(DocumentError::TooLarge { .. })
        ));
    }

    #[test]
    fn padding_bits_must_be_zero() {
        // Find a stream whose last deflate byte has unused high bits, set one, and expect a refusal.
        let mut found = false;
        for n in 1..200usize {
            let data: Vec<u8> = (0..n).map(|i| (i * 31 % 17) as u8).collect();
            let z = miniz_oxide::deflate::compress_to_vec_zlib(&data, 9);
            let last = z.len() - 5;
            let mut forged = z.clone();
            forged[last] |= 0x80;
            if forged == z || inflate(&forged).ok().as_deref() != Some(&data[..]) {
                continue;
            }
            found = true;
            assert_eq!(
                from_qr_payload(&format!("SK1:{}", base45::encode(&forged))),
                Err(DocumentError::BadQr {
                    reason: "non-zero padding bits in the zlib stream"
                })
            );
            assert_eq!(
                from_qr_payload(&format!("SK1:{}", base45::encode(&z))).unwrap(),
                data
            );
        }
        assert!(found);
    }
}
