//! Command APDUs: decoding (ISO 7816-3/4 cases, CLA and INS), status words, response framing
//! (`61xx` / GET RESPONSE under [`Quirks`]) and the routing of each command to the card.

use super::VirtualCard;
use super::state::State;

/// Optional behaviours of some real cards and readers, off by default, so that a reader's
/// handling of `61xx` and `6Cxx` can be exercised end to end.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Quirks {
    /// T=0 style: every response with data is announced as `61xx` and must be fetched with
    /// GET RESPONSE `00 C0 00 00 Le` (in pieces if Le is smaller; the last piece carries the
    /// original status word). Any other command discards what was not fetched.
    pub get_response: bool,
    /// A short READ BINARY whose Le runs past the end of the file answers `6Cxx` (xx = the bytes
    /// left) instead of the remainder with `6282`; COMPUTE DIGITAL SIGNATURE with Le < 256 answers
    /// `6C00` instead of `6700`.
    pub le_correction: bool,
    /// The card takes short APDUs only: any command with an extended Lc or Le (`00` then two
    /// length bytes) answers `6700`, as a card or reader without extended-length support may.
    pub refuse_extended: bool,
}

// Status words.
pub(super) const SW_OK: u16 = 0x9000;
pub(super) const SW_END_OF_FILE: u16 = 0x6282;
pub(super) const SW_WRONG_LENGTH: u16 = 0x6700;
pub(super) const SW_CHANNEL_UNSUPPORTED: u16 = 0x6881;
pub(super) const SW_SM_UNSUPPORTED: u16 = 0x6882;
pub(super) const SW_CHAINING_UNSUPPORTED: u16 = 0x6884;
pub(super) const SW_INCOMPATIBLE_FILE: u16 = 0x6981;
pub(super) const SW_SECURITY_NOT_SATISFIED: u16 = 0x6982;
pub(super) const SW_BLOCKED: u16 = 0x6984;
pub(super) const SW_CONDITIONS_NOT_SATISFIED: u16 = 0x6985;
pub(super) const SW_NO_CURRENT_EF: u16 = 0x6986;
pub(super) const SW_WRONG_DATA: u16 = 0x6A80;
pub(super) const SW_NOT_FOUND: u16 = 0x6A82;
pub(super) const SW_WRONG_P1P2: u16 = 0x6A86;
pub(super) const SW_REF_NOT_FOUND: u16 = 0x6A88;
pub(super) const SW_OFFSET_BEYOND: u16 = 0x6B00;
pub(super) const SW_INS_UNSUPPORTED: u16 = 0x6D00;
pub(super) const SW_CLA_UNSUPPORTED: u16 = 0x6E00;
pub(super) const SW_NO_DIAGNOSIS: u16 = 0x6F00;

/// A parsed command APDU.
pub(super) struct Command<'a> {
    pub(super) ins: u8,
    pub(super) p1: u8,
    pub(super) p2: u8,
    pub(super) data: &'a [u8],
    /// `None`: no Le field. `Some(n)`: Ne, with short `00` = 256 and extended `0000` = 65536.
    pub(super) le: Option<usize>,
    /// Lc or Le was in the extended (3-byte / 2-byte) form.
    pub(super) extended: bool,
}

/// Splits an APDU into its fields (ISO 7816-3 cases 1–4, short and extended).
fn parse(apdu: &[u8]) -> Result<Command<'_>, u16> {
    let (header, body) = apdu.split_at_checked(4).ok_or(SW_WRONG_LENGTH)?;
    // A body of three or more bytes starting with 00 is an extended Lc or Le (a short Lc of
    // zero is not allowed).
    let extended = matches!(body, [0, _, _, ..]);
    let (data, le) = match body {
        [] => (&body[..0], None),
        [le] => (
            &body[..0],
            Some(if *le == 0 { 256 } else { usize::from(*le) }),
        ),
        [0, hi, lo] => {
            let n = usize::from(u16::from_be_bytes([*hi, *lo]));
            (&body[..0], Some(if n == 0 { 65536 } else { n }))
        }
        [0, hi, lo, rest @ ..] => {
            let lc = usize::from(u16::from_be_bytes([*hi, *lo]));
            if lc == 0 {
                return Err(SW_WRONG_LENGTH);
            }
            match rest.len().checked_sub(lc) {
                Some(0) => (rest, None),
                Some(2) => {
                    let n = usize::from(u16::from_be_bytes([rest[lc], rest[lc + 1]]));
                    (&rest[..lc], Some(if n == 0 { 65536 } else { n }))
                }
                _ => return Err(SW_WRONG_LENGTH),
            }
        }
        [lc, rest @ ..] => {
            let lc = usize::from(*lc);
            match rest.len().checked_sub(lc) {
                Some(0) => (rest, None),
                Some(1) => {
                    let le = rest[lc];
                    (
                        &rest[..lc],
                        Some(if le == 0 { 256 } else { usize::from(le) }),
                    )
                }
                _ => return Err(SW_WRONG_LENGTH),
            }
        }
    };
    Ok(Command {
        ins: header[1],
        p1: header[2],
        p2: header[3],
        data,
        le,
        extended,
    })
}

/// `61xx`: `xx` more bytes available (`00` = 256 or more).
fn more_data(n: usize) -> u16 {
    0x6100 | (n.min(256) & 0xFF) as u16
}

pub(super) fn sw(code: u16) -> Vec<u8> {
    code.to_be_bytes().to_vec()
}

pub(super) fn with_sw(mut data: Vec<u8>, code: u16) -> Vec<u8> {
    data.extend_from_slice(&code.to_be_bytes());
    data
}

impl VirtualCard {
    /// What the card, as an in-process transport, reports as
    /// [`CardTransport::extended_length`](shikaku_core::card::CardTransport::extended_length)
    /// (`false` initially: a reader of short APDUs). The card itself takes extended APDUs either
    /// way unless [`Quirks::refuse_extended`] is on.
    pub fn set_extended_length(&self, supported: bool) {
        self.state().extended_length = supported;
    }

    /// Switches [`Quirks`] on or off (all off initially).
    pub fn set_quirks(&self, quirks: Quirks) {
        let mut st = self.state();
        st.quirks = quirks;
        st.pending = None;
    }

    /// Processes one command APDU and returns the response, without transport faults or logging
    /// side effects beyond the card state. Used by [`CardTransport::transceive`].
    pub(super) fn process(&self, st: &mut State, apdu: &[u8]) -> Vec<u8> {
        let get_response = apdu.starts_with(&[0x00, 0xC0]);
        if !get_response {
            // Any other command discards an unread response.
            st.pending = None;
        }
        let response = match self.dispatch(st, apdu) {
            Ok(resp) => resp,
            Err(code) => sw(code),
        };
        if st.quirks.get_response && !get_response && response.len() > 2 {
            let (data, code) = response.split_at(response.len() - 2);
            st.pending = Some((data.to_vec(), u16::from_be_bytes([code[0], code[1]])));
            return sw(more_data(data.len()));
        }
        response
    }

    fn dispatch(&self, st: &mut State, apdu: &[u8]) -> Result<Vec<u8>, u16> {
        let (&cla, &ins) = match apdu {
            [cla, ins, ..] => (cla, ins),
            _ => return Err(SW_WRONG_LENGTH),
        };
        check_cla(cla)?;
        let required_cla = match ins {
            0xA4 | 0xB0 | 0x20 | 0x24 | 0x84 | 0xC0 => 0x00,
            0x2A => 0x80,
            _ => return Err(SW_INS_UNSUPPORTED),
        };
        if cla != required_cla {
            return Err(SW_CLA_UNSUPPORTED);
        }
        let cmd = parse(apdu)?;
        if cmd.extended && st.quirks.refuse_extended {
            return Err(SW_WRONG_LENGTH);
        }
        match cmd.ins {
            0xA4 => self.select(st, &cmd),
            0xB0 => self.read_binary(st, &cmd),
            0x20 => self.verify(st, &cmd),
            0x24 => self.change_reference_data(st, &cmd),
            0x2A => self.compute_signature(st, &cmd),
            0xC0 => Self::get_response(st, &cmd),
            _ => self.get_challenge(st, &cmd),
        }
    }

    /// GET RESPONSE `00 C0 00 00 Le`: the next part of a response announced with `61xx`.
    fn get_response(st: &mut State, cmd: &Command<'_>) -> Result<Vec<u8>, u16> {
        if cmd.p1 != 0 || cmd.p2 != 0 {
            return Err(SW_WRONG_P1P2);
        }
        let le = match (cmd.data.is_empty(), cmd.le) {
            (true, Some(le)) => le,
            _ => return Err(SW_WRONG_LENGTH),
        };
        let (mut data, final_sw) = st.pending.take().ok_or(SW_CONDITIONS_NOT_SATISFIED)?;
        if le >= data.len() {
            return Ok(with_sw(data, final_sw));
        }
        let rest = data.split_off(le);
        let announce = more_data(rest.len());
        st.pending = Some((rest, final_sw));
        Ok(with_sw(data, announce))
    }
}

/// CLA: `00` (interindustry) and `80` (proprietary) only; logical channels, secure messaging and
/// command chaining are refused with their own status words.
fn check_cla(cla: u8) -> Result<(), u16> {
    match cla {
        0x00 | 0x80 => Ok(()),
        c if c & 0xE0 == 0 => Err(if c & 0x0C != 0 {
            SW_SM_UNSUPPORTED
        } else if c & 0x03 != 0 {
            SW_CHANNEL_UNSUPPORTED
        } else {
            SW_CHAINING_UNSUPPORTED
        }),
        _ => Err(SW_CLA_UNSUPPORTED),
    }
}
