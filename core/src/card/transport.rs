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
}
