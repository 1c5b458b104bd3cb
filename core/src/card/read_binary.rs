//! Reading a TLV file with READ BINARY: the first answer gives the TLV header and so the
//! object's length; the rest is read at increasing offsets. The `FF` filler after the object
//! is dropped.
//!
//! Two modes, per session ([`Channel`]):
//! - **extended** (the transport says it carries extended APDUs): the first READ asks for the
//!   whole EF (`00 B0 00 00 00 00 00`, Le 65,536), so a certificate is one APDU;
//! - **short**: chunks of at most 256 bytes.
//!
//! An extended READ refused with `6700` or `6Cxx`, answered with no data or with more than it
//! asked for, or lost to a transport error **while no VERIFY has been sent in the session**,
//! is read again with short APDUs, and the session stays short. A READ BINARY changes nothing
//! on the card, so re-reading it is safe; after a VERIFY a transport error is returned as it
//! is (the card may be gone, and nothing that could resend a PIN is ever retried).
//!
//! Either way the transport is told that extended length failed
//! ([`extended_length_failed`](super::transport::CardTransport::extended_length_failed)), so
//! that the next session on the same link (the same phone or reader) reads short from its
//! first APDU.

use super::apdu::{Channel, Command, EXTENDED_LE_MAX};
use super::error::CardError;
use super::status::StatusWord;
use super::tlv::{self, TlvError};

/// The largest Le of a short APDU.
pub(crate) const CHUNK: usize = 256;
/// READ BINARY without an SFI reaches offsets up to `7FFF`; no object can be longer.
const MAX_OBJECT: usize = 0x8000;

/// The answer of a short READ BINARY: `9000` and `6282` (end of file, data returned) give
/// the data, `6B00` (offset beyond the end) none.
fn read_data(status: StatusWord, data: Vec<u8>) -> Result<Vec<u8>, CardError> {
    match status {
        StatusWord::Ok | StatusWord::EndOfFile => Ok(data),
        StatusWord::OffsetOutOfRange => Ok(Vec::new()),
        sw => Err(CardError::UnexpectedStatus { sw }),
    }
}

/// Reads one short chunk (Le at most 256) at `offset`.
fn read_short(ch: &mut Channel<'_>, offset: u16, le: usize) -> Result<Vec<u8>, CardError> {
    let le = u16::try_from(le.min(CHUNK)).map_err(|_| CardError::malformed("Le above 256"))?;
    let response = ch.exchange(&Command::read_binary(offset, le)?)?;
    read_data(response.status, response.data)
}

/// Reads up to `le` bytes at `offset` with one extended READ BINARY. `Ok(None)` when the
/// card, the reader or the transport refused it in a way that a short read may get past. A
/// transport error after a VERIFY is returned, but the session is switched to short reads
/// first, so the link remembers it (the exchange may have failed because of its length).
fn read_extended(
    ch: &mut Channel<'_>,
    offset: u16,
    le: usize,
) -> Result<Option<Vec<u8>>, CardError> {
    let le = u32::try_from(le)
        .ok()
        .filter(|le| *le <= EXTENDED_LE_MAX)
        .ok_or_else(|| CardError::malformed("Le above 65536"))?;
    let response = match ch.exchange(&Command::read_binary_extended(offset, le)?) {
        Ok(response) => response,
        Err(
            CardError::TagLost { .. } | CardError::Timeout { .. } | CardError::Transport { .. },
        ) if !ch.verify_sent() => return Ok(None),
        Err(
            error @ (CardError::TagLost { .. }
            | CardError::Timeout { .. }
            | CardError::Transport { .. }),
        ) => {
            ch.fall_back_to_short();
            return Err(error);
        }
        Err(error) => return Err(error),
    };
    match response.status {
        StatusWord::WrongLength | StatusWord::ResendWithLe(_) => Ok(None),
        StatusWord::Ok | StatusWord::EndOfFile
            if response.data.is_empty() || response.data.len() > le as usize =>
        {
            Ok(None)
        }
        status => read_data(status, response.data).map(Some),
    }
}

/// Reads one chunk at `offset`: extended while the session allows it (`le` up to 65,536),
/// else short (`le` capped at 256). A refused extended read switches the session to short
/// reads and reads the chunk again that way.
fn read_chunk(ch: &mut Channel<'_>, offset: usize, le: usize) -> Result<Vec<u8>, CardError> {
    let offset = u16::try_from(offset)
        .ok()
        .filter(|o| *o <= 0x7FFF)
        .ok_or_else(|| CardError::malformed("READ BINARY offset beyond 7FFF"))?;
    if ch.extended_reads() && le > CHUNK {
        if let Some(data) = read_extended(ch, offset, le)? {
            return Ok(data);
        }
        ch.fall_back_to_short();
    }
    read_short(ch, offset, le)
}

/// Reads up to `len` bytes (at most 256) from offset 0 of the current EF with one short
/// READ BINARY; a card may answer fewer (`6282`, or a short `9000`).
pub(crate) fn read_prefix(ch: &mut Channel<'_>, len: usize) -> Result<Vec<u8>, CardError> {
    let mut data = read_chunk(ch, 0, len.min(CHUNK))?;
    data.truncate(len);
    Ok(data)
}

/// Reads the single TLV object (DER certificate or private-class file) that the current EF
/// holds, without its filler: one extended READ of the whole EF in extended mode, else
/// 256-byte chunks.
pub(crate) fn read_object(ch: &mut Channel<'_>) -> Result<Vec<u8>, CardError> {
    let whole_ef = EXTENDED_LE_MAX as usize;
    let mut data = read_chunk(ch, 0, whole_ef)?;
    let total = tlv::object_len(&data)?;
    if total > MAX_OBJECT {
        return Err(CardError::malformed(
            "TLV length beyond the largest card file",
        ));
    }
    while data.len() < total {
        let chunk = read_chunk(ch, data.len(), total - data.len())?;
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
    use crate::card::mock::{MockTransport, extended_read_step, hex, read_steps, to_hex};
    use crate::card::transport::TransportError;

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
    fn extended_mode_reads_a_certificate_in_one_apdu() {
        let cert = der_object(1569);
        let mock = MockTransport::new()
            .extended()
            .then(vec![extended_read_step(&cert, 219)]);
        let mut ch = Channel::new(&mock);
        assert_eq!(read_object(&mut ch).unwrap(), cert);
        mock.assert_done();
        assert!(ch.extended_reads());
        // A card that answers less than asked: the rest at the new offset, still extended.
        let mut first = cert[..1024].to_vec();
        first.extend_from_slice(&hex("9000"));
        let mut rest = cert[1024..].to_vec();
        rest.extend_from_slice(&hex("9000"));
        let mock = MockTransport::new()
            .extended()
            .expect_bytes(hex("00B00000000000"), first)
            .expect_bytes(hex("00B00400000225"), rest);
        assert_eq!(read_object(&mut Channel::new(&mock)).unwrap(), cert);
        mock.assert_done();
    }

    /// The script of a card that refuses the extended READ with `refusal`, then the short
    /// reads of `cert`.
    fn refused_then_short(cert: &[u8], refusal: &str) -> MockTransport {
        MockTransport::new()
            .extended()
            .expect("00B00000000000", refusal)
            .then(read_steps(cert, 300))
    }

    #[test]
    fn a_refused_extended_read_falls_back_to_short_reads_for_the_session() {
        let cert = der_object(1569);
        for refusal in ["6700", "6C00", "6C25", "9000", "6282"] {
            let mock = refused_then_short(&cert, refusal);
            let mut ch = Channel::new(&mock);
            assert_eq!(read_object(&mut ch).unwrap(), cert, "{refusal}");
            mock.assert_done();
            assert!(!ch.extended_reads(), "{refusal}");
            assert_eq!(mock.log().len(), 1 + 7);
        }
        // The session stays short: the next object is read in 256-byte chunks at once.
        let mock = refused_then_short(&cert, "6700").then(read_steps(&cert, 0));
        let mut ch = Channel::new(&mock);
        read_object(&mut ch).unwrap();
        assert_eq!(read_object(&mut ch).unwrap(), cert);
        mock.assert_done();
        // An answer longer than the Le asked for is a wrong-length answer too.
        let mut long = cert[1024..].to_vec();
        long.extend_from_slice(&[0xFF; 300]);
        long.extend_from_slice(&hex("9000"));
        let mut first = cert[..1024].to_vec();
        first.extend_from_slice(&hex("9000"));
        let mock = MockTransport::new()
            .extended()
            .expect_bytes(hex("00B00000000000"), first)
            .expect_bytes(hex("00B00400000225"), long)
            .then(read_steps(&cert, 0).split_off(4));
        let mut ch = Channel::new(&mock);
        assert_eq!(read_object(&mut ch).unwrap(), cert);
        mock.assert_done();
        assert!(!ch.extended_reads());
    }

    #[test]
    fn a_transport_error_before_any_verify_falls_back_after_one_never() {
        let cert = der_object(1569);
        for error in [
            TransportError::TagLost,
            TransportError::Timeout,
            TransportError::Other {
                reason: "extended APDU refused by the reader".into(),
            },
        ] {
            let mock = MockTransport::new()
                .extended()
                .then(read_steps(&cert, 0))
                .fail_once_at(0, error.clone());
            let mut ch = Channel::new(&mock);
            assert_eq!(read_object(&mut ch).unwrap(), cert);
            mock.assert_done();
            assert_eq!(to_hex(&mock.log()[0]), "00B00000000000");
            assert_eq!(to_hex(&mock.log()[1]), "00B0000000");
            assert!(!ch.extended_reads());

            // After a VERIFY was sent in the session, the error is returned and nothing is
            // retried.
            let mock = MockTransport::new()
                .extended()
                .expect("002000800431323334", "9000")
                .then(read_steps(&cert, 0))
                .fail_once_at(1, error.clone());
            let mut ch = Channel::new(&mock);
            ch.exchange_verify(&hex("002000800431323334")).unwrap();
            assert_eq!(
                read_object(&mut ch),
                Err(CardError::from_transport(error, false))
            );
            assert_eq!(mock.log().len(), 2);
        }
    }

    #[test]
    fn a_fallback_is_remembered_by_the_link_so_the_next_session_starts_short() {
        let cert = der_object(1569);
        let refused = || {
            MockTransport::new()
                .extended()
                .expect("00B00000000000", "6700")
        };
        // The extended READ (APDU #0) fails and takes no script step.
        let transport_error = || {
            MockTransport::new().extended().fail_once_at(
                0,
                TransportError::Other {
                    reason: "tag lost on a long APDU".into(),
                },
            )
        };
        for mock in [refused(), transport_error()] {
            // First session: one extended READ, refused, then short reads; the transport is
            // told once.
            let mock = mock.then(read_steps(&cert, 0)).then(read_steps(&cert, 0));
            let mut first = Channel::new(&mock);
            assert_eq!(read_object(&mut first).unwrap(), cert);
            assert_eq!(mock.extended_failures(), 1);
            assert_eq!(mock.extended_reads(), 1);
            // Second session over the same link: short from its first APDU.
            let sent = mock.log().len();
            let mut second = Channel::new(&mock);
            assert!(!second.extended_reads());
            assert_eq!(read_object(&mut second).unwrap(), cert);
            mock.assert_done();
            assert_eq!(to_hex(&mock.log()[sent]), "00B0000000");
            assert_eq!(
                mock.extended_reads(),
                1,
                "no extended READ in the second session"
            );
            assert_eq!(mock.extended_failures(), 1);
        }
        // A successful extended session tells nothing: the next one is extended too.
        let mock = MockTransport::new().extended().then(vec![
            extended_read_step(&cert, 219),
            extended_read_step(&cert, 219),
        ]);
        read_object(&mut Channel::new(&mock)).unwrap();
        read_object(&mut Channel::new(&mock)).unwrap();
        mock.assert_done();
        assert_eq!((mock.extended_reads(), mock.extended_failures()), (2, 0));
        // A refusal that is not about the length (6982) is an error, not a length failure.
        let mock = MockTransport::new()
            .extended()
            .expect("00B00000000000", "6982");
        assert!(read_object(&mut Channel::new(&mock)).is_err());
        assert_eq!(mock.extended_failures(), 0);
        assert!(Channel::new(&mock).extended_reads());
    }

    #[test]
    fn a_transport_error_after_a_verify_is_returned_and_remembered() {
        let cert = der_object(1569);
        // The extended READ (APDU #1) fails and takes no script step; the short reads are
        // the next session's.
        let mock = MockTransport::new()
            .extended()
            .expect("002000800431323334", "9000")
            .then(read_steps(&cert, 0))
            .fail_once_at(1, TransportError::TagLost);
        let mut ch = Channel::new(&mock);
        ch.exchange_verify(&hex("002000800431323334")).unwrap();
        assert_eq!(
            read_object(&mut ch),
            Err(CardError::from_transport(TransportError::TagLost, false))
        );
        // Nothing was retried in that session, but the link remembers the failure.
        assert_eq!(mock.log().len(), 2);
        assert_eq!(mock.extended_failures(), 1);
        let mut next = Channel::new(&mock);
        assert!(!next.extended_reads());
        assert_eq!(read_object(&mut next).unwrap(), cert);
        mock.assert_done();
        assert_eq!(to_hex(&mock.log()[2]), "00B0000000");
        assert_eq!(mock.extended_reads(), 1);
    }

    #[test]
    fn other_refusals_of_an_extended_read_are_errors() {
        let mock = MockTransport::new()
            .extended()
            .expect("00B00000000000", "6982");
        assert_eq!(
            read_object(&mut Channel::new(&mock)),
            Err(CardError::UnexpectedStatus {
                sw: StatusWord::SecurityStatusNotSatisfied
            })
        );
        mock.assert_done();
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
