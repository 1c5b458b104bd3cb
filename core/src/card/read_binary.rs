//! Chunked READ BINARY with short APDUs: the first chunk gives the TLV header and so the
//! object's length; the rest is read in chunks of at most 256 bytes at increasing offsets.
//! The `FF` filler after the object is dropped.

use super::apdu::{Channel, Command};
use super::error::CardError;
use super::status::StatusWord;
use super::tlv::{self, TlvError};

/// The largest Le of a short APDU.
pub(crate) const CHUNK: usize = 256;
/// READ BINARY without an SFI reaches offsets up to `7FFF`; no object can be longer.
const MAX_OBJECT: usize = 0x8000;

/// Reads one chunk at `offset`. `9000` and `6282` (end of file, data returned) are accepted.
fn read_chunk(ch: &mut Channel<'_>, offset: usize, le: usize) -> Result<Vec<u8>, CardError> {
    let offset = u16::try_from(offset)
        .map_err(|_| CardError::malformed("READ BINARY offset beyond 7FFF"))?;
    let le = u16::try_from(le).map_err(|_| CardError::malformed("Le above 256"))?;
    let response = ch.exchange(&Command::read_binary(offset, le)?)?;
    match response.status {
        StatusWord::Ok | StatusWord::EndOfFile => Ok(response.data),
        StatusWord::OffsetOutOfRange => Ok(Vec::new()),
        sw => Err(CardError::UnexpectedStatus { sw }),
    }
}

/// Reads up to `len` bytes (at most 256) from offset 0 of the current EF; a card may answer
/// fewer (`6282`, or a short `9000`).
pub(crate) fn read_prefix(ch: &mut Channel<'_>, len: usize) -> Result<Vec<u8>, CardError> {
    let mut data = read_chunk(ch, 0, len.min(CHUNK))?;
    data.truncate(len);
    Ok(data)
}

/// Reads the single TLV object (DER certificate or private-class file) that the current EF
/// holds, without its filler.
pub(crate) fn read_object(ch: &mut Channel<'_>) -> Result<Vec<u8>, CardError> {
    let mut data = read_chunk(ch, 0, CHUNK)?;
    let total = tlv::object_len(&data)?;
    if total > MAX_OBJECT {
        return Err(CardError::malformed(
            "TLV length beyond the largest card file",
        ));
    }
    while data.len() < total {
        let chunk = read_chunk(ch, data.len(), (total - data.len()).min(CHUNK))?;
        if chunk.is_empty() {
            return Err(TlvError::Truncated {
                needed: total,
                available: data.len(),
            }
            .into());
        }
        data.extend_from_slice(&chunk);
    }
    data.truncate(total);
    Ok(data)
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;
    use crate::card::mock::{MockTransport, hex, read_steps, to_hex};

    fn read_script(object: &[u8], pad: usize) -> MockTransport {
        MockTransport::new().then(read_steps(object, pad))
    }

    fn der_object(len: usize) -> Vec<u8> {
        // 30 82 LL LL + len bytes of a counting pattern.
        let mut v = vec![0x30, 0x82, (len >> 8) as u8, len as u8];
        v.extend((0..len).map(|i| (i % 251) as u8));
        v
    }

    #[test]
    fn reads_a_certificate_in_256_byte_chunks() {
        let cert = der_object(1569); // 1573 bytes in all, like the real auth certificate
        let mock = read_script(&cert, 300);
        let got = read_object(&mut Channel::new(&mock)).unwrap();
        assert_eq!(got, cert);
        mock.assert_done();
        let log = mock.log();
        assert_eq!(log.len(), 7); // ceil(1573 / 256)
        assert_eq!(to_hex(&log[1]), "00B0010000");
        assert_eq!(to_hex(&log[6]), "00B0060025"); // the last 0x25 bytes at 0x600
    }

    #[test]
    fn small_file_with_filler_is_one_read() {
        let object = hex("FF20 06 DF21 03 010203");
        let mock = read_script(&object, 100);
        assert_eq!(read_object(&mut Channel::new(&mock)).unwrap(), object);
        assert_eq!(mock.log().len(), 1);
    }

    #[test]
    fn short_reads_and_6282_continue_at_the_new_offset() {
        let object = der_object(296); // 300 bytes
        let mut first = object[..100].to_vec();
        first.extend_from_slice(&hex("6282"));
        let mut second = object[100..300].to_vec();
        second.extend_from_slice(&hex("9000"));
        let mock = MockTransport::new()
            .expect_bytes(hex("00B0000000"), first)
            .expect_bytes(hex("00B00064C8"), second);
        assert_eq!(read_object(&mut Channel::new(&mock)).unwrap(), object);
        mock.assert_done();
    }

    #[test]
    fn six_c_in_the_first_read_is_followed() {
        let object = hex("3003 020105");
        let mut answer = object.clone();
        answer.extend_from_slice(&hex("9000"));
        let mock = MockTransport::new()
            .expect("00B0000000", "6C05")
            .expect_bytes(hex("00B0000005"), answer);
        assert_eq!(read_object(&mut Channel::new(&mock)).unwrap(), object);
    }

    #[test]
    fn truncated_file_is_a_typed_error() {
        let object = der_object(400);
        let mut first = object[..256].to_vec();
        first.extend_from_slice(&hex("9000"));
        let mock = MockTransport::new()
            .expect_bytes(hex("00B0000000"), first)
            .expect("00B0010094", "6B00");
        let err = read_object(&mut Channel::new(&mock)).unwrap_err();
        assert_eq!(
            err,
            CardError::from(TlvError::Truncated {
                needed: 404,
                available: 256
            })
        );
        // The card says 6282 with no data: also truncated, not an endless loop.
        let mut first = object[..256].to_vec();
        first.extend_from_slice(&hex("9000"));
        let mock = MockTransport::new()
            .expect_bytes(hex("00B0000000"), first)
            .expect("00B0010094", "6282");
        assert!(matches!(
            read_object(&mut Channel::new(&mock)),
            Err(CardError::Malformed { .. })
        ));
    }

    #[test]
    fn filler_only_file_and_errors() {
        let mut answer = vec![0xFF; 256];
        answer.extend_from_slice(&hex("9000"));
        let mock = MockTransport::new().expect_bytes(hex("00B0000000"), answer);
        assert_eq!(
            read_object(&mut Channel::new(&mock)),
            Err(TlvError::Empty.into())
        );
        let mock = MockTransport::new().expect("00B0000000", "6982");
        assert_eq!(
            read_object(&mut Channel::new(&mock)),
            Err(CardError::UnexpectedStatus {
                sw: StatusWord::SecurityStatusNotSatisfied
            })
        );
        let mock = MockTransport::new().expect("00B0000000", "3080 9000");
        assert_eq!(
            read_object(&mut Channel::new(&mock)),
            Err(TlvError::UnsupportedLength.into())
        );
    }

    #[test]
    fn prefix_reads() {
        let mock = MockTransport::new().expect("00B0000004", "41424344 9000");
        assert_eq!(read_prefix(&mut Channel::new(&mock), 4).unwrap(), b"ABCD");
        let mock = MockTransport::new().expect("00B0000004", "4142 6282");
        assert_eq!(read_prefix(&mut Channel::new(&mock), 4).unwrap(), b"AB");
        let mock = MockTransport::new().expect("00B0000004", "6A82");
        assert!(read_prefix(&mut Channel::new(&mock), 4).is_err());
    }
}
