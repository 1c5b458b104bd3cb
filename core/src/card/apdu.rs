//! Command APDUs (short, and the extended Le of READ BINARY), response APDUs, and the channel
//! that sends them (handling `61xx` and `6Cxx`, and remembering whether extended-length reads
//! are still in use for the session); [`ExtendedLengthMemory`] keeps a failure of them beyond
//! the session.

use std::sync::atomic::{AtomicBool, Ordering};

use super::error::CardError;
use super::status::StatusWord;
use super::transport::CardTransport;

/// The largest Le of an extended APDU (encoded `00 00 00` without Lc).
pub const EXTENDED_LE_MAX: u32 = 65_536;

/// What a card link remembers beyond one card session: that an extended-length READ BINARY
/// failed on it. A transport (or what owns the transports of one link: the FFI for the app
/// process, the CLI for a PC/SC reader) keeps one, calls
/// [`remember_failure`](Self::remember_failure) from
/// [`CardTransport::extended_length_failed`] and answers
/// [`CardTransport::extended_length`] with [`extended_length`](Self::extended_length).
///
/// It is never forgotten: extended reads only save round trips, and a link that failed one
/// may fail the next (a phone that loses the tag on a long APDU fails the first READ of every
/// session). Reading short costs a few APDUs; reading extended again may cost the check.
#[derive(Debug, Default)]
pub struct ExtendedLengthMemory {
    failed: AtomicBool,
}

impl ExtendedLengthMemory {
    /// A memory with no failure in it.
    pub const fn new() -> Self {
        Self {
            failed: AtomicBool::new(false),
        }
    }

    /// Records that an extended-length APDU failed on this link.
    pub fn remember_failure(&self) {
        self.failed.store(true, Ordering::SeqCst);
    }

    /// True once a failure was recorded.
    pub fn has_failed(&self) -> bool {
        self.failed.load(Ordering::SeqCst)
    }

    /// The capability to report: `false` once an extended-length APDU failed on this link
    /// (without asking `reported`), else what the transport itself reports.
    pub fn extended_length(&self, reported: impl FnOnce() -> bool) -> bool {
        !self.has_failed() && reported()
    }
}

/// A command APDU (ISO 7816-4 cases 1 to 4): short (at most 255 data bytes, Le at most 256),
/// or case 2 extended (no data, a 3-byte Le up to 65,536) for READ BINARY.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Command {
    cla: u8,
    ins: u8,
    p1: u8,
    p2: u8,
    data: Vec<u8>,
    le: Option<u32>,
    /// Le is encoded in the extended form (`00 Le1 Le2`).
    extended: bool,
}

impl Command {
    /// A command with no data and no Le (case 1).
    pub fn new(cla: u8, ins: u8, p1: u8, p2: u8) -> Self {
        Self {
            cla,
            ins,
            p1,
            p2,
            data: Vec::new(),
            le: None,
            extended: false,
        }
    }

    /// Adds command data (Lc = its length). Fails for more than 255 bytes, which would need
    /// an extended APDU.
    pub fn with_data(mut self, data: impl Into<Vec<u8>>) -> Result<Self, CardError> {
        let data = data.into();
        if self.extended {
            return Err(CardError::malformed(
                "command data with an extended Le is not supported",
            ));
        }
        if data.len() > 255 {
            return Err(CardError::malformed(
                "command data longer than a short APDU allows",
            ));
        }
        self.data = data;
        Ok(self)
    }

    /// Sets the expected response length Le, 1 to 256 (256 is encoded as `00`).
    pub fn with_le(mut self, le: u16) -> Result<Self, CardError> {
        if !(1..=256).contains(&le) {
            return Err(CardError::malformed("Le outside 1..=256 for a short APDU"));
        }
        self.le = Some(u32::from(le));
        self.extended = false;
        Ok(self)
    }

    /// Sets an extended Le, 1 to 65,536, for a command without data (case 2 extended):
    /// `00 Le1 Le2`, where `00 00 00` means 65,536.
    pub fn with_extended_le(mut self, le: u32) -> Result<Self, CardError> {
        if !self.data.is_empty() {
            return Err(CardError::malformed(
                "an extended Le with command data is not supported",
            ));
        }
        if !(1..=EXTENDED_LE_MAX).contains(&le) {
            return Err(CardError::malformed(
                "Le outside 1..=65536 for an extended APDU",
            ));
        }
        self.le = Some(le);
        self.extended = true;
        Ok(self)
    }

    /// True when the Le is in the extended form.
    pub fn is_extended(&self) -> bool {
        self.extended
    }

    /// The instruction byte.
    pub fn ins(&self) -> u8 {
        self.ins
    }

    /// The encoded APDU: `CLA INS P1 P2 [Lc data] [Le]`, or `CLA INS P1 P2 00 Le1 Le2` with an
    /// extended Le.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(7 + self.data.len());
        out.extend_from_slice(&[self.cla, self.ins, self.p1, self.p2]);
        if !self.data.is_empty() {
            // Fits: `with_data` refuses more than 255 bytes.
            out.push(self.data.len() as u8);
            out.extend_from_slice(&self.data);
        }
        match (self.le, self.extended) {
            (Some(le), true) => {
                // 65536 is encoded as 00 00; `with_extended_le` keeps le within 1..=65536 and
                // the command without data, so the Le follows the header directly.
                out.push(0x00);
                out.extend_from_slice(&[((le >> 8) & 0xFF) as u8, (le & 0xFF) as u8]);
            }
            (Some(le), false) => {
                // 256 is encoded as 00; `with_le` keeps le within 1..=256.
                out.push((le & 0xFF) as u8);
            }
            (None, _) => {}
        }
        out
    }

    /// SELECT a DF by AID, no FCI: `00 A4 04 0C Lc AID`.
    pub fn select_df(aid: &[u8]) -> Result<Self, CardError> {
        Self::new(0x00, 0xA4, 0x04, 0x0C).with_data(aid)
    }

    /// SELECT an EF by its 2-byte id under the current DF: `00 A4 02 0C 02 id`.
    pub fn select_ef(ef: u16) -> Self {
        Self {
            data: ef.to_be_bytes().to_vec(),
            ..Self::new(0x00, 0xA4, 0x02, 0x0C)
        }
    }

    /// READ BINARY of the current EF: `00 B0 off_hi off_lo Le`. Fails for offsets above
    /// `7FFF` (the 15-bit limit without an SFI).
    pub fn read_binary(offset: u16, le: u16) -> Result<Self, CardError> {
        if offset > 0x7FFF {
            return Err(CardError::malformed("READ BINARY offset above 7FFF"));
        }
        let [p1, p2] = offset.to_be_bytes();
        Self::new(0x00, 0xB0, p1, p2).with_le(le)
    }

    /// READ BINARY of the current EF with an extended Le (1 to 65,536):
    /// `00 B0 off_hi off_lo 00 Le1 Le2`. Fails for offsets above `7FFF`.
    pub fn read_binary_extended(offset: u16, le: u32) -> Result<Self, CardError> {
        if offset > 0x7FFF {
            return Err(CardError::malformed("READ BINARY offset above 7FFF"));
        }
        let [p1, p2] = offset.to_be_bytes();
        Self::new(0x00, 0xB0, p1, p2).with_extended_le(le)
    }

    /// Empty VERIFY for the current key EF (reads the retry counter, spends no try):
    /// `00 20 00 80`.
    pub fn verify_status() -> Self {
        Self::new(0x00, 0x20, 0x00, 0x80)
    }

    /// GET RESPONSE: `00 C0 00 00 Le`.
    pub fn get_response(le: u16) -> Result<Self, CardError> {
        Self::new(0x00, 0xC0, 0x00, 0x00).with_le(le)
    }

    /// The same command with another (short) Le (for a `6Cxx` answer).
    fn with_replaced_le(&self, le: u16) -> Result<Self, CardError> {
        self.clone().with_le(le)
    }
}

/// A response APDU: data and the status word.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Response {
    /// The response data (without SW1 SW2).
    pub data: Vec<u8>,
    /// The status word.
    pub status: StatusWord,
}

impl Response {
    /// Splits raw response bytes into data and status word; fewer than two bytes is malformed.
    pub fn parse(bytes: &[u8]) -> Result<Self, CardError> {
        match bytes {
            [data @ .., sw1, sw2] => Ok(Self {
                data: data.to_vec(),
                status: StatusWord::from_bytes(*sw1, *sw2),
            }),
            _ => Err(CardError::malformed("response shorter than a status word")),
        }
    }
}

/// Converts the count byte of `61xx`/`6Cxx` (where `00` means 256) into a length.
fn count(n: u8) -> u16 {
    if n == 0 { 256 } else { u16::from(n) }
}

/// Which application the channel last selected; used to refuse, as a second line of defence,
/// any SELECT of the 個人番号 EF while the 券面事項入力補助AP is current.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Application {
    Jpki,
    Text,
}

/// The most GET RESPONSE rounds accepted for one command (64 × 256 bytes is far more than any
/// EF of the card holds).
const MAX_GET_RESPONSE: usize = 64;

/// Sends commands over a [`CardTransport`], follows `61xx` with GET RESPONSE and resends a short
/// command once on `6Cxx`.
///
/// One channel is one card session. It starts with extended-length reads when the transport
/// says it can carry them ([`CardTransport::extended_length`]) and drops to short reads for
/// the rest of the session once they fail ([`Channel::fall_back_to_short`]), telling the
/// transport so that the next session starts short ([`CardTransport::extended_length_failed`]).
/// It also remembers whether a VERIFY with a PIN was sent, so that nothing after it is ever
/// retried.
pub(crate) struct Channel<'t> {
    transport: &'t dyn CardTransport,
    current: Option<Application>,
    extended: bool,
    verify_sent: bool,
}

/// True for a command that would select or read EF `0001` (the 個人番号 in the
/// 券面事項入力補助AP), in any encoding ISO 7816-4 offers:
/// - SELECT by file id `00 01`, whatever P1/P2;
/// - SELECT by path (P1 = `08` from the MF, `09` from the current DF) ending in `00 01`;
/// - READ BINARY (`B0`) by short EF id 1 (P1 = `81`);
/// - READ BINARY odd INS (`B1`), whose P1-P2 = `0001` names file id `0001` or short EF id 1,
///   and the `81` form as for `B0`;
/// - READ RECORD (`B2`/`B3`) of short EF id 1 (P2 bits 8–4 = 1).
fn touches_ef_0001(apdu: &[u8]) -> bool {
    let path_ends_in_0001 = |data: &[u8]| data.len() >= 2 && data.ends_with(&[0x00, 0x01]);
    match apdu {
        [_, 0xA4, _, _, 0x02, 0x00, 0x01, ..] => true,
        [_, 0xA4, 0x08 | 0x09, _, lc, data @ ..] => {
            let n = usize::from(*lc).min(data.len());
            path_ends_in_0001(&data[..n])
        }
        [_, 0xB0 | 0xB1, 0x81, ..] => true,
        [_, 0xB1, 0x00, 0x01, ..] => true,
        [_, 0xB2 | 0xB3, _, p2, ..] => p2 >> 3 == 1,
        _ => false,
    }
}

impl<'t> Channel<'t> {
    pub(crate) fn new(transport: &'t dyn CardTransport) -> Self {
        Self {
            transport,
            current: None,
            extended: transport.extended_length(),
            verify_sent: false,
        }
    }

    /// True while READ BINARY may use an extended Le in this session.
    pub(crate) fn extended_reads(&self) -> bool {
        self.extended
    }

    /// Short reads for the rest of the session (the card, the reader or the transport refused
    /// an extended READ BINARY), and the transport is told
    /// ([`CardTransport::extended_length_failed`]) so that later sessions on the same link
    /// start short. Told once per session.
    pub(crate) fn fall_back_to_short(&mut self) {
        if self.extended {
            self.extended = false;
            self.transport.extended_length_failed();
        }
    }

    /// True once a VERIFY carrying a PIN was handed to the transport in this session (whatever
    /// came back): from then on a failed command is never retried.
    pub(crate) fn verify_sent(&self) -> bool {
        self.verify_sent
    }

    /// Sends one command; a transport failure here never has a VERIFY in flight.
    fn raw(&self, command: &Command) -> Result<Response, CardError> {
        self.send(&command.to_bytes(), false)
    }

    /// Sends `bytes` as they are. The bytes are only lent to the transport: no copy is made
    /// here, so a VERIFY's PIN lives only in the caller's (wiped) buffer.
    fn send(&self, bytes: &[u8], verify_in_flight: bool) -> Result<Response, CardError> {
        // 番号法 §20: no code path builds this, and the channel refuses it anyway: any SELECT
        // of file id 0001 (whatever P1/P2) and any READ BINARY by short EF id 1, in every
        // application (the core never needs the JPKI sign certificate in 0001 either).
        if touches_ef_0001(bytes) {
            return Err(CardError::malformed("refused to select or read EF 0001"));
        }
        let answer = self
            .transport
            .transceive(bytes)
            .map_err(|e| CardError::from_transport(e, verify_in_flight))?;
        Response::parse(&answer)
    }

    /// Sends a VERIFY carrying a PIN, encoded by the caller in a buffer it wipes
    /// (`Pin::verify_command`); the channel makes no copy of it. A transport failure is
    /// reported with `verify_in_flight: true`, and nothing is ever resent or followed up.
    pub(crate) fn exchange_verify(&mut self, apdu: &[u8]) -> Result<Response, CardError> {
        self.verify_sent = true;
        self.send(apdu, true)
    }

    /// Sends `command` (never a VERIFY with a PIN) and returns the final response after
    /// `61xx`/`6Cxx` handling. A `6Cxx` answer to an extended command is returned as it is:
    /// the caller falls back to short reads.
    pub(crate) fn exchange(&mut self, command: &Command) -> Result<Response, CardError> {
        let mut response = self.raw(command)?;
        if let StatusWord::ResendWithLe(n) = response.status
            && !command.is_extended()
        {
            response = self.raw(&command.with_replaced_le(count(n))?)?;
        }
        let mut rounds = 0;
        while let StatusWord::BytesAvailable(n) = response.status {
            rounds += 1;
            if rounds > MAX_GET_RESPONSE {
                return Err(CardError::malformed("endless GET RESPONSE chain"));
            }
            let mut next = self.raw(&Command::get_response(count(n))?)?;
            let mut data = std::mem::take(&mut response.data);
            data.append(&mut next.data);
            response = Response {
                data,
                status: next.status,
            };
        }
        Ok(response)
    }

    /// SELECT an application by AID and remember which one is current. Any failure status is
    /// returned as `Ok(Err(status))` for the caller to interpret.
    pub(crate) fn select_application(
        &mut self,
        aid: &[u8],
        which: Application,
    ) -> Result<Result<(), StatusWord>, CardError> {
        // Until the card answers, nothing is known to be selected.
        self.current = None;
        let response = self.exchange(&Command::select_df(aid)?)?;
        if response.status.is_ok() {
            self.current = Some(which);
            Ok(Ok(()))
        } else {
            Ok(Err(response.status))
        }
    }

    /// The application selected last (if the SELECT succeeded).
    pub(crate) fn current(&self) -> Option<Application> {
        self.current
    }

    /// SELECT an EF of the current application; anything but `9000` is an error.
    pub(crate) fn select_ef(&mut self, ef: u16) -> Result<(), CardError> {
        let response = self.exchange(&Command::select_ef(ef))?;
        expect_ok(&response)
    }
}

/// `Ok` for `9000`, [`CardError::UnexpectedStatus`] otherwise.
pub(crate) fn expect_ok(response: &Response) -> Result<(), CardError> {
    if response.status.is_ok() {
        Ok(())
    } else {
        Err(CardError::UnexpectedStatus {
            sw: response.status,
        })
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;
    use crate::card::mock::{MockTransport, hex};

    #[test]
    fn encodes_each_case() {
        assert_eq!(Command::new(0, 0x20, 0, 0x80).to_bytes(), hex("00200080"));
        assert_eq!(Command::verify_status().to_bytes(), hex("00200080"));
        assert_eq!(
            Command::select_df(&hex("D392F000260100000001"))
                .unwrap()
                .to_bytes(),
            hex("00A4040C0AD392F000260100000001")
        );
        assert_eq!(Command::select_ef(0x000A).to_bytes(), hex("00A4020C02000A"));
        assert_eq!(
            Command::read_binary(0x0100, 256).unwrap().to_bytes(),
            hex("00B0010000")
        );
        assert_eq!(
            Command::read_binary(0, 0x20).unwrap().to_bytes(),
            hex("00B0000020")
        );
        assert_eq!(
            Command::get_response(0x10).unwrap().to_bytes(),
            hex("00C0000010")
        );
        assert_eq!(
            Command::new(0x80, 0x2A, 0x00, 0x80)
                .with_data(vec![1, 2])
                .unwrap()
                .with_le(256)
                .unwrap()
                .to_bytes(),
            hex("802A0080020102 00")
        );
    }

    #[test]
    fn encodes_an_extended_le_without_lc() {
        assert_eq!(
            Command::read_binary_extended(0, EXTENDED_LE_MAX)
                .unwrap()
                .to_bytes(),
            hex("00B00000 000000")
        );
        assert_eq!(
            Command::read_binary_extended(0x0100, 0x0525)
                .unwrap()
                .to_bytes(),
            hex("00B00100 000525")
        );
        assert_eq!(
            Command::read_binary_extended(0x7FFF, 1).unwrap().to_bytes(),
            hex("00B07FFF 000001")
        );
        assert!(Command::read_binary_extended(0x8000, 1).is_err());
        assert!(Command::read_binary_extended(0, 0).is_err());
        assert!(Command::read_binary_extended(0, EXTENDED_LE_MAX + 1).is_err());
        // Data and an extended Le do not mix (no command here needs both).
        assert!(
            Command::new(0, 0xB0, 0, 0)
                .with_data(vec![1])
                .unwrap()
                .with_extended_le(1)
                .is_err()
        );
        assert!(
            Command::new(0, 0xB0, 0, 0)
                .with_extended_le(1)
                .unwrap()
                .with_data(vec![1])
                .is_err()
        );
        assert!(Command::read_binary_extended(0, 300).unwrap().is_extended());
        assert!(!Command::read_binary(0, 255).unwrap().is_extended());
    }

    #[test]
    fn six_c_to_an_extended_command_is_returned_not_followed() {
        let mock = MockTransport::new().expect("00B00000000000", "6C00");
        let mut ch = Channel::new(&mock);
        let r = ch
            .exchange(&Command::read_binary_extended(0, EXTENDED_LE_MAX).unwrap())
            .unwrap();
        assert_eq!(r.status, StatusWord::ResendWithLe(0));
        mock.assert_done();
    }

    #[test]
    fn refuses_what_a_short_apdu_cannot_carry() {
        assert!(Command::new(0, 0, 0, 0).with_data(vec![0; 256]).is_err());
        assert!(Command::new(0, 0, 0, 0).with_data(vec![0; 255]).is_ok());
        assert!(Command::new(0, 0, 0, 0).with_le(0).is_err());
        assert!(Command::new(0, 0, 0, 0).with_le(257).is_err());
        assert!(Command::read_binary(0x8000, 1).is_err());
        assert!(Command::read_binary(0x7FFF, 1).is_ok());
    }

    #[test]
    fn parses_responses() {
        let r = Response::parse(&hex("0102 9000")).unwrap();
        assert_eq!(r.data, vec![1, 2]);
        assert_eq!(r.status, StatusWord::Ok);
        assert_eq!(
            Response::parse(&hex("6A82")).unwrap().data,
            Vec::<u8>::new()
        );
        assert!(matches!(
            Response::parse(&hex("90")),
            Err(CardError::Malformed { .. })
        ));
        assert!(Response::parse(&[]).is_err());
    }

    #[test]
    fn follows_61xx_with_get_response() {
        let mock = MockTransport::new()
            .expect("00B0000000", "0102 6103")
            .expect("00C0000003", "030405 6100")
            .expect("00C0000000", "06 9000");
        let mut ch = Channel::new(&mock);
        let r = ch.exchange(&Command::read_binary(0, 256).unwrap()).unwrap();
        assert_eq!(r.data, vec![1, 2, 3, 4, 5, 6]);
        assert_eq!(r.status, StatusWord::Ok);
        mock.assert_done();
    }

    #[test]
    fn resends_once_with_the_le_of_6cxx() {
        let mock = MockTransport::new()
            .expect("00B0000000", "6C11")
            .expect("00B0000011", "AABB 9000");
        let mut ch = Channel::new(&mock);
        let r = ch.exchange(&Command::read_binary(0, 256).unwrap()).unwrap();
        assert_eq!(r.data, vec![0xAA, 0xBB]);
        mock.assert_done();

        // A second 6Cxx is returned, not followed forever.
        let mock = MockTransport::new()
            .expect("00B0000000", "6C11")
            .expect("00B0000011", "6C12");
        let r = Channel::new(&mock)
            .exchange(&Command::read_binary(0, 256).unwrap())
            .unwrap();
        assert_eq!(r.status, StatusWord::ResendWithLe(0x12));
    }

    #[test]
    fn stops_an_endless_get_response_chain() {
        let mut mock = MockTransport::new().expect("00B0000000", "6101");
        for _ in 0..MAX_GET_RESPONSE {
            mock = mock.expect("00C0000001", "00 6101");
        }
        let r = Channel::new(&mock).exchange(&Command::read_binary(0, 256).unwrap());
        assert!(matches!(r, Err(CardError::Malformed { .. })));
    }

    #[test]
    fn the_channel_refuses_ef_0001_outside_jpki() {
        let mock = MockTransport::new();
        let mut ch = Channel::new(&mock);
        assert!(ch.select_ef(0x0001).is_err());
        assert!(mock.log().is_empty());
    }

    #[test]
    fn every_form_of_selecting_or_reading_ef_0001_is_refused() {
        for refused in [
            hex("00A4020C020001"),
            hex("00A40200020001"),
            hex("00A4000C020001"),
            hex("80A4020C020001"),
            hex("00B0810000"),
            hex("00B1810000"),
            // Odd-INS READ BINARY with file id / short EF id 0001 in P1-P2.
            hex("00B10001045403020000"),
            hex("00B1000100"),
            // SELECT by path from the MF or the current DF, ending in 0001.
            hex("00A4080C020001"),
            hex("00A4080C04D3920001"),
            hex("00A4090C020001"),
            hex("00A40904040010000100"),
            // READ RECORD of short EF id 1.
            hex("00B2010C00"),
        ] {
            assert!(touches_ef_0001(&refused), "{refused:02X?}");
            let mock = crate::card::mock::MockTransport::new();
            let ch = Channel::new(&mock);
            assert!(ch.send(&refused, false).is_err());
            mock.assert_done();
        }
        for allowed in [
            hex("00A4020C020002"),
            hex("00A4020C02000A"),
            hex("00B0000000"),
            hex("00B0820000"),
            hex("00B1000200"),
            hex("00A4080C020002"),
            hex("00A4080C0400010002"),
            hex("00B201140000"),
        ] {
            assert!(!touches_ef_0001(&allowed), "{allowed:02X?}");
        }
    }
}
