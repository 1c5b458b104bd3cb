//! The one error type of the document module. No variant carries personal data: reasons are
//! fixed texts, and validation reasons name fields, never their values.

/// Why a signed document, a trust list or a QR payload was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DocumentError {
    /// The input is larger than the format allows; it was not parsed.
    #[error("input is larger than {limit} bytes")]
    TooLarge {
        /// The limit in bytes.
        limit: usize,
    },
    /// Not the expected CBOR / COSE structure: truncated, wrong type, unknown or duplicate key,
    /// missing field, non-canonical encoding, ….
    #[error("malformed {at}: {reason}")]
    Malformed {
        /// Where: a fixed name of the structure or field.
        at: &'static str,
        /// Why, a fixed text.
        reason: &'static str,
    },
    /// The COSE header names an algorithm other than ES256 (or none).
    #[error("unsupported signature algorithm (only ES256 is accepted)")]
    UnsupportedAlgorithm,
    /// The signing key id is not in the trust list.
    #[error("unknown issuer key {kid:?}")]
    UnknownKey {
        /// The key id from the document (restricted to `A–Z a–z 0–9 - . _ :`, at most 64).
        kid: String,
    },
    /// The issuer key is outside its validity period (expired, or not yet valid).
    #[error("issuer key is outside its validity period")]
    KeyExpired,
    /// The issuer key is valid but not allowed to sign for the document's 保険者番号.
    #[error("issuer key is not allowed to sign for this 保険者番号")]
    KeyNotAllowedForInsurer,
    /// The signature does not verify.
    #[error("signature does not verify")]
    BadSignature,
    /// The version is not newer than the one already held.
    #[error("version is not newer than the one held (rollback)")]
    Rollback,
    /// Well-formed and signed, but the content breaks the model's rules.
    #[error("invalid content: {reason}")]
    InvalidContent {
        /// Which rule failed (field names only, never values).
        reason: String,
    },
    /// The document is bound to another card, or to no card at all.
    #[error("the document is not bound to this card")]
    HolderMismatch,
    /// The QR payload is not `SK1:` + Base45(zlib(…)).
    #[error("bad QR payload: {reason}")]
    BadQr {
        /// Why, a fixed text.
        reason: &'static str,
    },
    /// A scanned text that starts like a QR payload (`SK1`, after folding full width and case)
    /// but was typed in a way that cannot be undone unambiguously: a keyboard layout that
    /// does not explain every character, or kana from a Japanese input method. The scanner's
    /// keyboard setting is the likely cause, not a forgery.
    #[error(
        "the scanned text looks like a shikaku QR code typed with another keyboard layout or \
         input mode: check the scanner's keyboard setting (US or Japanese layout) and that \
         Japanese input (IME) is off, then scan again"
    )]
    ScannerKeyboard,
    /// The record has a 資格喪失日 (`lost_on`): the signed formats cannot carry it, and a
    /// document signed without it would show the lost coverage as in force. Nothing is signed.
    #[error(
        "the record has a 資格喪失日 (lost_on), which a signed document cannot carry: \
         coverage that has been lost is not signed"
    )]
    LostCoverage,
    /// A stored record that is not issuer-signed was given for re-verification.
    #[error("the record is not issuer-signed")]
    NotIssuerSigned,
    /// A stored record differs from the document its signature covers.
    #[error("the stored record does not match its signed document")]
    StoredMismatch,
}

impl DocumentError {
    /// What the receptionist is told when a scanned text was typed wrongly
    /// ([`DocumentError::ScannerKeyboard`]); `None` for every other error.
    pub fn scanner_hint_ja(&self) -> Option<&'static str> {
        match self {
            DocumentError::ScannerKeyboard => Some(
                "読み取った文字がキーボード設定の違いで崩れています（偽造ではありません）。\
                 スキャナーのキーボード設定（US配列／日本語配列）と、日本語入力（IME）がオフであることを確認して、もう一度読み取ってください。",
            ),
            _ => None,
        }
    }
}
