//! ISO 7816-4 status words (SW1 SW2) as a typed value.

use serde::{Deserialize, Serialize};

/// The status word that ends every response APDU, decoded into the cases the My Number Card
/// uses. [`StatusWord::raw`] gives the two bytes back.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum StatusWord {
    /// `90 00`: success (an empty VERIFY also answers this when the key is already verified).
    Ok,
    /// `61 xx`: more response bytes are waiting; fetch them with GET RESPONSE (`xx = 00` means
    /// 256).
    BytesAvailable(u8),
    /// `6C xx`: wrong Le; resend the command with Le = `xx` (`00` means 256).
    ResendWithLe(u8),
    /// `63 Cx`: verification failed or, for an empty VERIFY, `x` tries are left.
    RetriesLeft(u8),
    /// `63 00`: verification failed on a key without a retry counter.
    VerificationFailed,
    /// `62 82`: end of file reached before Le bytes were read (the data is still returned).
    EndOfFile,
    /// `67 00`: wrong Lc or Le.
    WrongLength,
    /// `69 82`: security status not satisfied (a PIN is needed first).
    SecurityStatusNotSatisfied,
    /// `69 84`: the key is blocked (every attempt after the block answers this).
    Blocked,
    /// `69 85`: conditions of use not satisfied.
    ConditionsNotSatisfied,
    /// `69 86`: command not allowed (no current EF).
    NoCurrentEf,
    /// `6A 82`: file or application not found.
    FileNotFound,
    /// `6A 86`: incorrect P1-P2.
    IncorrectP1P2,
    /// `6B 00`: wrong parameters (an offset beyond the end of the EF).
    OffsetOutOfRange,
    /// `6D 00`: instruction not supported.
    InsNotSupported,
    /// Any other status word, kept as the raw value.
    Other(u16),
}

impl StatusWord {
    /// Decodes SW1 SW2.
    pub fn from_bytes(sw1: u8, sw2: u8) -> Self {
        match (sw1, sw2) {
            (0x90, 0x00) => Self::Ok,
            (0x61, n) => Self::BytesAvailable(n),
            (0x6C, n) => Self::ResendWithLe(n),
            (0x63, 0x00) => Self::VerificationFailed,
            (0x63, n) if n & 0xF0 == 0xC0 => Self::RetriesLeft(n & 0x0F),
            (0x62, 0x82) => Self::EndOfFile,
            (0x67, 0x00) => Self::WrongLength,
            (0x69, 0x82) => Self::SecurityStatusNotSatisfied,
            (0x69, 0x84) => Self::Blocked,
            (0x69, 0x85) => Self::ConditionsNotSatisfied,
            (0x69, 0x86) => Self::NoCurrentEf,
            (0x6A, 0x82) => Self::FileNotFound,
            (0x6A, 0x86) => Self::IncorrectP1P2,
            (0x6B, 0x00) => Self::OffsetOutOfRange,
            (0x6D, 0x00) => Self::InsNotSupported,
            (a, b) => Self::Other(u16::from_be_bytes([a, b])),
        }
    }

    /// The status word as the 16-bit value `SW1 << 8 | SW2`.
    pub fn raw(self) -> u16 {
        match self {
            Self::Ok => 0x9000,
            Self::BytesAvailable(n) => 0x6100 | u16::from(n),
            Self::ResendWithLe(n) => 0x6C00 | u16::from(n),
            Self::RetriesLeft(n) => 0x63C0 | u16::from(n & 0x0F),
            Self::VerificationFailed => 0x6300,
            Self::EndOfFile => 0x6282,
            Self::WrongLength => 0x6700,
            Self::SecurityStatusNotSatisfied => 0x6982,
            Self::Blocked => 0x6984,
            Self::ConditionsNotSatisfied => 0x6985,
            Self::NoCurrentEf => 0x6986,
            Self::FileNotFound => 0x6A82,
            Self::IncorrectP1P2 => 0x6A86,
            Self::OffsetOutOfRange => 0x6B00,
            Self::InsNotSupported => 0x6D00,
            Self::Other(raw) => raw,
        }
    }

    /// True for `90 00`.
    pub fn is_ok(self) -> bool {
        self == Self::Ok
    }
}

impl std::fmt::Display for StatusWord {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:04X}", self.raw())
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    #[test]
    fn decodes_every_named_status_word() {
        let cases = [
            (0x9000, StatusWord::Ok),
            (0x6110, StatusWord::BytesAvailable(0x10)),
            (0x6100, StatusWord::BytesAvailable(0)),
            (0x6C20, StatusWord::ResendWithLe(0x20)),
            (0x63C2, StatusWord::RetriesLeft(2)),
            (0x63C0, StatusWord::RetriesLeft(0)),
            (0x6300, StatusWord::VerificationFailed),
            (0x6282, StatusWord::EndOfFile),
            (0x6700, StatusWord::WrongLength),
            (0x6982, StatusWord::SecurityStatusNotSatisfied),
            (0x6984, StatusWord::Blocked),
            (0x6985, StatusWord::ConditionsNotSatisfied),
            (0x6986, StatusWord::NoCurrentEf),
            (0x6A82, StatusWord::FileNotFound),
            (0x6A86, StatusWord::IncorrectP1P2),
            (0x6B00, StatusWord::OffsetOutOfRange),
            (0x6D00, StatusWord::InsNotSupported),
            (0x6A80, StatusWord::Other(0x6A80)),
            (0x6310, StatusWord::Other(0x6310)),
        ];
        for (raw, sw) in cases {
            let [a, b] = u16::to_be_bytes(raw);
            assert_eq!(StatusWord::from_bytes(a, b), sw, "{raw:04X}");
            assert_eq!(sw.raw(), raw);
        }
        assert_eq!(StatusWord::RetriesLeft(3).to_string(), "63C3");
    }
}
