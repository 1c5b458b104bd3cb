//! The card seam: the platform (Android IsoDep, iOS CoreNFC, PC/SC, a virtual card) moves APDUs.

/// Why a transceive failed. The variants matter to the PIN guard: after *any* of them the
/// card may or may not have processed the command.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TransportError {
    /// The card left the field (Android `TagLostException`, iOS "tag connection lost").
    #[error("the card was removed or lost contact")]
    TagLost,
    /// The card did not answer in time.
    #[error("the card did not answer in time")]
    Timeout,
    /// Any other transport failure; `reason` never contains card data.
    #[error("card transport failed: {reason}")]
    Other {
        /// A short, data-free description for logs and support.
        reason: String,
    },
}

/// Sends one command APDU to the card and returns the whole response APDU (data followed by
/// SW1 SW2).
///
/// Implementations block; the platform calls the core from a background thread. They must not
/// retry a command on their own: the core decides what may be resent.
///
/// The command is lent, not given: a VERIFY carries the PIN, and the core wipes its buffer
/// when the call returns. An implementation that copies the bytes (to log them, or to hand
/// them to the platform) must wipe or drop that copy as soon as it is sent.
pub trait CardTransport: Send + Sync {
    /// Transmits `apdu` and returns the response including the two status bytes.
    fn transceive(&self, apdu: &[u8]) -> Result<Vec<u8>, TransportError>;

    /// Whether this transport can carry extended-length APDUs (ISO 7816-4: a 3-byte Le and a
    /// response of up to 65,536 data bytes). Android reports `IsoDep.isExtendedLengthApduSupported()`,
    /// iOS and PC/SC report `true`.
    ///
    /// It is only a hint: the core then reads the certificate with one extended READ BINARY
    /// before any PIN is sent, and falls back to short 256-byte reads for the rest of the
    /// session if the card, the reader or the transport refuses it (`6700`, `6Cxx`, a
    /// wrong-length answer, or a transport error — the last only while no VERIFY was sent).
    /// The default is `false`: short APDUs only.
    ///
    /// A transport that reported `true` should answer `false` once
    /// [`extended_length_failed`](CardTransport::extended_length_failed) was called, for as long
    /// as the link it stands for lasts (the reader, the phone's NFC for the app session), so
    /// that the next card session goes short from its first APDU.
    fn extended_length(&self) -> bool {
        false
    }

    /// Called by the core when an extended-length READ BINARY failed on this transport (the
    /// card, the reader or the transport refused it, answered it with a wrong length, or the
    /// exchange failed) and the core dropped to short reads. The core calls it at most once
    /// per card session, and sends the same command again short only while no VERIFY was sent.
    ///
    /// Remember it beyond the card session (e.g. with
    /// [`ExtendedLengthMemory`](super::apdu::ExtendedLengthMemory)) and answer
    /// [`extended_length`](CardTransport::extended_length) `false` afterwards: a phone that
    /// reports extended support but loses the tag on a long APDU otherwise fails the first
    /// READ of every session, and a check opens several. The default does nothing.
    fn extended_length_failed(&self) {}
}
