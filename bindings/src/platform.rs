//! The three platform seams as foreign traits, and their adapters to the core's traits.
//!
//! Each error type converts from `uniffi::UnexpectedUniFFICallbackError`, so an exception the
//! platform code did not map (a Kotlin `RuntimeException`, a Python `ValueError`) arrives in
//! the core as a typed error instead of a panic. Only the exception's class name is kept (its
//! message might carry data).

use std::sync::Arc;

use shikaku_core::card as core_card;
use shikaku_core::card::apdu::ExtendedLengthMemory;
use shikaku_core::store as core_store;
use shikaku_core::sync::http as core_http;

/// Keeps only the leading class-like token of an unexpected foreign exception (e.g.
/// `java.lang.IllegalStateException`), never its message.
fn exception_class(e: &uniffi::UnexpectedUniFFICallbackError) -> String {
    let class: String = e
        .reason
        .split([':', ' ', '('])
        .next()
        .unwrap_or_default()
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '$'))
        .take(80)
        .collect();
    if class.is_empty() {
        "unexpected exception in the platform code".into()
    } else {
        format!("unexpected {class} in the platform code")
    }
}

/// Why the platform key store could not wrap or unwrap the data key.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, uniffi::Error)]
pub enum KeyStoreError {
    /// The blob does not open with this device's key (wrong or replaced key).
    #[error("the key does not match this store")]
    Rejected,
    /// The platform key is missing or locked (device locked, key invalidated, …).
    #[error("the key store is unavailable: {reason}")]
    Unavailable {
        /// A short, data-free reason.
        reason: String,
    },
    /// The blob is not one this key store wrote.
    #[error("the wrapped key is malformed")]
    Malformed,
}

impl From<uniffi::UnexpectedUniFFICallbackError> for KeyStoreError {
    fn from(e: uniffi::UnexpectedUniFFICallbackError) -> Self {
        KeyStoreError::Unavailable {
            reason: exception_class(&e),
        }
    }
}

/// Wraps and unwraps the store's 256-bit data key with a platform key (Android Keystore,
/// iOS Keychain / Secure Enclave). Blocking; called from a background thread.
#[uniffi::export(with_foreign)]
pub trait KeyStore: Send + Sync {
    /// Encrypts `key` under the platform key and returns an opaque blob.
    fn wrap(&self, key: Vec<u8>) -> Result<Vec<u8>, KeyStoreError>;
    /// Returns the key inside `blob`; `Rejected` if it does not open with this key.
    fn unwrap(&self, blob: Vec<u8>) -> Result<Vec<u8>, KeyStoreError>;
}

/// Adapts a foreign [`KeyStore`] to the core's.
pub(crate) struct KeyStoreAdapter(pub Arc<dyn KeyStore>);

impl From<KeyStoreError> for core_store::KeyStoreError {
    fn from(e: KeyStoreError) -> Self {
        match e {
            KeyStoreError::Rejected => core_store::KeyStoreError::Rejected,
            KeyStoreError::Unavailable { reason } => {
                core_store::KeyStoreError::Unavailable { reason }
            }
            KeyStoreError::Malformed => core_store::KeyStoreError::Malformed,
        }
    }
}

impl core_store::KeyStore for KeyStoreAdapter {
    fn wrap(&self, key: &[u8]) -> Result<Vec<u8>, core_store::KeyStoreError> {
        // The foreign method takes the key by value, so it gets a copy. uniffi serialises that
        // copy into the buffer it hands over and frees both without wiping (its lowering
        // consumes the Vec and offers no hook to zero it); the platform implementations wipe
        // their own array after use. These short-lived copies for the call are the only ones
        // of the data key outside zeroizing memory (docs/decisions/0001).
        self.0.wrap(key.to_vec()).map_err(Into::into)
    }

    fn unwrap(&self, blob: Vec<u8>) -> Result<Vec<u8>, core_store::KeyStoreError> {
        // The returned key moves (no copy) into the store's zeroizing buffer.
        self.0.unwrap(blob).map_err(Into::into)
    }
}

/// Why an APDU exchange failed. After any of these the card may or may not have processed the
/// command; the core decides what may be resent (never a PIN).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, uniffi::Error)]
pub enum TransportError {
    /// The card left the field (Android `TagLostException`, iOS "tag connection lost").
    #[error("the card was removed or lost contact")]
    TagLost,
    /// The card did not answer in time.
    #[error("the card did not answer in time")]
    Timeout,
    /// Any other failure; `reason` never contains card data.
    #[error("card transport failed: {reason}")]
    Other {
        /// A short, data-free description.
        reason: String,
    },
}

impl From<uniffi::UnexpectedUniFFICallbackError> for TransportError {
    fn from(e: uniffi::UnexpectedUniFFICallbackError) -> Self {
        TransportError::Other {
            reason: exception_class(&e),
        }
    }
}

/// Sends one command APDU to the card and returns the whole response (data, SW1, SW2).
/// Blocking; must not retry on its own (Android `IsoDep.transceive`, iOS
/// `NFCISO7816Tag.sendCommand`).
#[uniffi::export(with_foreign)]
pub trait CardTransport: Send + Sync {
    /// Transmits `apdu` and returns the response including the two status bytes.
    fn transceive(&self, apdu: Vec<u8>) -> Result<Vec<u8>, TransportError>;

    /// Whether this transport carries extended-length APDUs (a 3-byte Le, responses up to
    /// 65,536 bytes): Android `IsoDep.isExtendedLengthApduSupported()`, `true` on iOS. The core
    /// then reads the certificate in one READ BINARY, and falls back to short reads before any
    /// PIN is sent if the card or the reader refuses it. Return `false` when unsure. (uniffi
    /// gives foreign traits no default methods, so every implementation answers.)
    ///
    /// Once an extended read failed, the library stops asking and reads short for the rest of
    /// the app process (every transport, every later tap): a phone that reports extended
    /// support but loses the tag on a long APDU would otherwise fail every check.
    fn extended_length(&self) -> bool;
}

/// The FFI's card link: whatever the app's card transports reach (a phone's NFC controller),
/// for the life of the process, which is the app session. Once an extended-length READ failed
/// on any transport, every later card session of the process is short from its first APDU.
///
/// Process-wide and keyed by nothing, because nothing narrower outlives the failure or names
/// the link: a phone app makes a new transport per tap (Android `IsoDep`, iOS tag session);
/// one check runs several card sessions through different entry points (`card_status`,
/// `Household::check_card`, the desk's `check_card`, a sync's signature), and no object the
/// app holds spans them all without changing every foreign caller; the card is unknown until
/// its certificate is read, which is the read that fails. A card's own refusal (`6700`) is so
/// applied to later cards too: that costs them a few short APDUs, never a failure or a PIN
/// try, whereas forgetting a failing phone costs every check.
static CARD_LINK: ExtendedLengthMemory = ExtendedLengthMemory::new();

/// Adapts a foreign [`CardTransport`] to the core's, answering its extended-length capability
/// through the process's [`CARD_LINK`] memory.
pub(crate) struct CardTransportAdapter(pub Arc<dyn CardTransport>);

impl core_card::CardTransport for CardTransportAdapter {
    fn extended_length(&self) -> bool {
        // After a failure the foreign implementation is not even asked (on Android that is a
        // call into a tag that may be stale).
        CARD_LINK.extended_length(|| self.0.extended_length())
    }

    fn extended_length_failed(&self) {
        CARD_LINK.remember_failure();
    }

    fn transceive(&self, apdu: &[u8]) -> Result<Vec<u8>, core_card::TransportError> {
        // The foreign method takes the command by value, so it gets a copy (for a VERIFY, one
        // holding the PIN). uniffi serialises it into the buffer it hands over and frees both
        // without wiping (its lowering consumes the Vec); the core's own buffer is wiped.
        self.0.transceive(apdu.to_vec()).map_err(|e| match e {
            TransportError::TagLost => core_card::TransportError::TagLost,
            TransportError::Timeout => core_card::TransportError::Timeout,
            TransportError::Other { reason } => core_card::TransportError::Other { reason },
        })
    }
}

/// An HTTP method of the download protocol.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum HttpMethod {
    /// GET.
    Get,
    /// POST.
    Post,
}

/// One HTTP header.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct HttpHeader {
    /// Name (compared case-insensitively).
    pub name: String,
    /// Value.
    pub value: String,
}

/// A request for [`HttpTransport::send`].
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct HttpRequest {
    /// GET or POST.
    pub method: HttpMethod,
    /// Absolute URL (https, or loopback http in development).
    pub url: String,
    /// Request headers.
    pub headers: Vec<HttpHeader>,
    /// Request body (empty for GET).
    pub body: Vec<u8>,
    /// The whole exchange must finish within this many milliseconds.
    pub timeout_ms: u32,
    /// TLS public-key pins of the issuer, each `sha256/<base64 of the SHA-256 of a
    /// SubjectPublicKeyInfo>` (OkHttp's `CertificatePinner` form), checked by the core. When
    /// not empty the transport must refuse the connection (`HttpError::Tls`) unless a
    /// certificate of the server's chain has one of these keys. Empty: no pinning.
    #[uniffi(default)]
    pub tls_pins: Vec<String>,
}

/// A complete response (never a partial body: a broken connection is an error).
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct HttpResponse {
    /// Status code.
    pub status: u16,
    /// Response headers.
    pub headers: Vec<HttpHeader>,
    /// The whole body.
    pub body: Vec<u8>,
}

/// Why a request got no complete response. Reasons never carry personal data.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, uniffi::Error)]
pub enum HttpError {
    /// No network, DNS failure, connection refused.
    #[error("offline or the server is unreachable: {reason}")]
    Offline {
        /// Short, data-free reason.
        reason: String,
    },
    /// The request did not finish in time.
    #[error("the server did not answer in time")]
    Timeout,
    /// TLS failed (untrusted certificate, wrong host name, …).
    #[error("secure connection failed: {reason}")]
    Tls {
        /// Short, data-free reason.
        reason: String,
    },
    /// The connection broke before the response was complete.
    #[error("the connection broke before the answer was complete: {reason}")]
    Interrupted {
        /// Short, data-free reason.
        reason: String,
    },
    /// Anything else.
    #[error("HTTP failed: {reason}")]
    Other {
        /// Short, data-free reason.
        reason: String,
    },
}

impl From<uniffi::UnexpectedUniFFICallbackError> for HttpError {
    fn from(e: uniffi::UnexpectedUniFFICallbackError) -> Self {
        HttpError::Other {
            reason: exception_class(&e),
        }
    }
}

/// Sends one HTTP request and returns the complete response (OkHttp, URLSession). Blocking;
/// called from a background thread.
#[uniffi::export(with_foreign)]
pub trait HttpTransport: Send + Sync {
    /// Sends `request`.
    fn send(&self, request: HttpRequest) -> Result<HttpResponse, HttpError>;
}

/// The pinning rule, for a platform transport that checks the pins itself (URLSession in its
/// server-trust challenge): true when `pins` is empty, or when a certificate of the server's
/// `chain` (DER, as the platform validated it) has one of the pinned keys. A pin that is not
/// `sha256/<base64 of 32 bytes>` makes the answer false. Call it only after the platform's
/// own certificate checks passed.
#[uniffi::export]
pub fn tls_chain_is_pinned(chain: Vec<Vec<u8>>, pins: Vec<String>) -> bool {
    match pins
        .iter()
        .map(|p| core_http::SpkiPin::parse(p))
        .collect::<Result<Vec<_>, _>>()
    {
        Ok(pins) => core_http::SpkiPin::chain_is_pinned(&pins, &chain),
        Err(_) => false,
    }
}

/// Adapts a foreign [`HttpTransport`] to the core's, attaching the sync's TLS pins (already
/// checked by [`core_http::SpkiPin`]) to every request.
pub(crate) struct HttpTransportAdapter {
    /// The platform transport.
    pub http: Arc<dyn HttpTransport>,
    /// The pins, in their normalised `sha256/…` form.
    pub tls_pins: Vec<core_http::SpkiPin>,
}

fn headers_to_core(h: Vec<HttpHeader>) -> Vec<core_http::HttpHeader> {
    h.into_iter()
        .map(|h| core_http::HttpHeader {
            name: h.name,
            value: h.value,
        })
        .collect()
}

impl core_http::HttpTransport for HttpTransportAdapter {
    fn send(
        &self,
        r: core_http::HttpRequest,
    ) -> Result<core_http::HttpResponse, core_http::HttpError> {
        let request = HttpRequest {
            method: match r.method {
                core_http::HttpMethod::Get => HttpMethod::Get,
                core_http::HttpMethod::Post => HttpMethod::Post,
            },
            url: r.url,
            headers: r
                .headers
                .into_iter()
                .map(|h| HttpHeader {
                    name: h.name,
                    value: h.value,
                })
                .collect(),
            body: r.body,
            timeout_ms: r.timeout_ms,
            tls_pins: self.tls_pins.iter().map(ToString::to_string).collect(),
        };
        match self.http.send(request) {
            Ok(resp) => Ok(core_http::HttpResponse {
                status: resp.status,
                headers: headers_to_core(resp.headers),
                body: resp.body,
            }),
            Err(e) => Err(match e {
                HttpError::Offline { reason } => core_http::HttpError::Offline { reason },
                HttpError::Timeout => core_http::HttpError::Timeout,
                HttpError::Tls { reason } => core_http::HttpError::Tls { reason },
                HttpError::Interrupted { reason } => core_http::HttpError::Interrupted { reason },
                HttpError::Other { reason } => core_http::HttpError::Other { reason },
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use std::sync::Mutex;

    use super::*;
    use core_http::HttpTransport as _;

    /// Records the pins of every request and answers 204.
    #[derive(Default)]
    struct Recorder(Mutex<Vec<Vec<String>>>);

    impl HttpTransport for Recorder {
        fn send(&self, request: HttpRequest) -> Result<HttpResponse, HttpError> {
            self.0.lock().unwrap().push(request.tls_pins);
            Ok(HttpResponse {
                status: 204,
                headers: vec![],
                body: vec![],
            })
        }
    }

    fn request() -> core_http::HttpRequest {
        core_http::HttpRequest {
            method: core_http::HttpMethod::Get,
            url: "https://issuer.test/v1/trust-list".into(),
            headers: vec![],
            body: vec![],
            timeout_ms: 1000,
        }
    }

    #[test]
    fn every_request_carries_the_syncs_tls_pins_in_normalised_form() {
        let pin = "sha256/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=";
        let server = core_http::ServerUrl::parse("https://issuer.test", false).unwrap();
        let recorder = Arc::new(Recorder::default());
        let adapter = HttpTransportAdapter {
            http: recorder.clone(),
            tls_pins: core_http::SpkiPin::parse_for(&server, &[format!("  {pin}\n")]).unwrap(),
        };
        adapter.send(request()).unwrap();
        adapter.send(request()).unwrap();
        let unpinned = HttpTransportAdapter {
            http: recorder.clone(),
            tls_pins: vec![],
        };
        unpinned.send(request()).unwrap();
        assert_eq!(
            *recorder.0.lock().unwrap(),
            vec![vec![pin.to_string()], vec![pin.to_string()], vec![]]
        );
    }

    #[test]
    fn the_pinning_rule_for_platform_transports() {
        use base64::Engine as _;
        let pem = include_str!("../../core/data/jlis/auth_ca_2015.pem");
        let b64: String = pem.lines().filter(|l| !l.starts_with("-----")).collect();
        let cert = base64::engine::general_purpose::STANDARD
            .decode(b64.trim())
            .unwrap();
        // As openssl computes it (see core::sync::http's test).
        let ours = "sha256/yhuA2+brIEDYJY7JZHT+v9O4dkUmoctqkKoKgEJvQ7A=".to_string();
        let other = "sha256/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=".to_string();
        let chain = vec![cert];
        assert!(tls_chain_is_pinned(chain.clone(), vec![]));
        assert!(tls_chain_is_pinned(chain.clone(), vec![ours.clone()]));
        assert!(tls_chain_is_pinned(
            chain.clone(),
            vec![other.clone(), ours.clone()]
        ));
        assert!(!tls_chain_is_pinned(chain.clone(), vec![other]));
        // A malformed pin never widens the rule to "no pinning".
        assert!(!tls_chain_is_pinned(chain.clone(), vec!["sha256/x".into()]));
        assert!(!tls_chain_is_pinned(
            chain,
            vec![ours.clone(), "bad".into()]
        ));
        assert!(!tls_chain_is_pinned(vec![], vec![ours]));
    }
}
