//! The network seam: the platform sends one HTTP request (OkHttp, URLSession, ureq on the
//! desktop). The core builds the requests and judges the answers; it never opens a socket.

/// An HTTP method the protocol uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HttpMethod {
    /// GET.
    Get,
    /// POST.
    Post,
}

/// One header.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HttpHeader {
    /// Name (case-insensitive when compared).
    pub name: String,
    /// Value.
    pub value: String,
}

/// A request for [`HttpTransport::send`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HttpRequest {
    /// GET or POST.
    pub method: HttpMethod,
    /// Absolute URL, already checked by [`ServerUrl`].
    pub url: String,
    /// Request headers.
    pub headers: Vec<HttpHeader>,
    /// Request body (empty for GET).
    pub body: Vec<u8>,
    /// The whole exchange must finish within this many milliseconds.
    pub timeout_ms: u32,
}

/// A complete response. Transports must return an error, never a partial body, when the
/// connection breaks before the body is complete.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HttpResponse {
    /// Status code.
    pub status: u16,
    /// Response headers.
    pub headers: Vec<HttpHeader>,
    /// The body.
    pub body: Vec<u8>,
}

impl HttpResponse {
    /// The first header called `name` (ASCII case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|h| h.name.eq_ignore_ascii_case(name))
            .map(|h| h.value.as_str())
    }
}

/// Why a request got no complete response. Reasons never carry personal data.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
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

/// Sends one request and returns the complete response. Implemented by the platform; blocking,
/// called from a background thread.
pub trait HttpTransport: Send + Sync {
    /// Sends `request`.
    fn send(&self, request: HttpRequest) -> Result<HttpResponse, HttpError>;
}

/// A TLS public-key pin for the issuer: the SHA-256 of a certificate's DER
/// SubjectPublicKeyInfo, written `sha256/` + standard base64 (with padding), the form OkHttp's
/// `CertificatePinner` takes. A connection passes when any certificate of the server's chain
/// has a pinned key (besides the usual certificate checks). The core checks the form; the
/// platform transport enforces the pins (docs/decisions/0008-tls-pins.md).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct SpkiPin([u8; 32]);

/// Why TLS pins are refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum PinError {
    /// Not `sha256/` + the base64 of 32 bytes.
    #[error(
        "a TLS pin must be sha256/ followed by the base64 of 32 bytes (the SHA-256 of the \
         server key's SubjectPublicKeyInfo)"
    )]
    Malformed,
    /// Pins were given for a plain `http://` server, where there is no key to check.
    #[error("TLS pins need an https:// server address")]
    NotHttps,
}

impl SpkiPin {
    /// Reads `sha256/<base64>` (surrounding white space ignored).
    pub fn parse(pin: &str) -> Result<SpkiPin, PinError> {
        use base64::Engine as _;
        let b64 = pin
            .trim()
            .strip_prefix("sha256/")
            .ok_or(PinError::Malformed)?;
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(b64)
            .map_err(|_| PinError::Malformed)?;
        Ok(SpkiPin(bytes.try_into().map_err(|_| PinError::Malformed)?))
    }

    /// Reads the pins for `server`: an empty list means no pinning; pins for a plain
    /// `http://` (development) server are refused rather than silently not checked.
    pub fn parse_for(server: &ServerUrl, pins: &[String]) -> Result<Vec<SpkiPin>, PinError> {
        let pins = pins
            .iter()
            .map(|p| SpkiPin::parse(p))
            .collect::<Result<Vec<_>, _>>()?;
        if !pins.is_empty()
            && !server
                .0
                .get(..8)
                .is_some_and(|s| s.eq_ignore_ascii_case("https://"))
        {
            return Err(PinError::NotHttps);
        }
        Ok(pins)
    }

    /// The pin of a DER-encoded SubjectPublicKeyInfo.
    pub fn of_spki(spki_der: &[u8]) -> SpkiPin {
        use sha2::Digest as _;
        SpkiPin(sha2::Sha256::digest(spki_der).into())
    }

    /// The pin of a DER X.509 certificate's key, or `None` when `der` is not a certificate.
    pub fn of_certificate(der: &[u8]) -> Option<SpkiPin> {
        use der::{Decode as _, Encode as _};
        let cert = x509_cert::Certificate::from_der(der).ok()?;
        let spki = cert.tbs_certificate.subject_public_key_info.to_der().ok()?;
        Some(SpkiPin::of_spki(&spki))
    }

    /// The pinning rule: true when `pins` is empty, or when a certificate of the server's
    /// `chain` (DER, leaf first, as the TLS stack validated it) has one of the pinned keys.
    /// A transport calls it only after the platform's own certificate checks passed.
    pub fn chain_is_pinned(pins: &[SpkiPin], chain: &[Vec<u8>]) -> bool {
        pins.is_empty()
            || chain
                .iter()
                .filter_map(|c| SpkiPin::of_certificate(c))
                .any(|key| pins.contains(&key))
    }

    /// The 32 hash bytes.
    pub fn as_bytes(&self) -> &[u8; 32] {
        &self.0
    }
}

impl std::fmt::Display for SpkiPin {
    /// `sha256/<base64>`, as [`SpkiPin::parse`] reads it and OkHttp expects it.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        use base64::Engine as _;
        let b64 = base64::engine::general_purpose::STANDARD.encode(self.0);
        write!(f, "sha256/{b64}")
    }
}

/// Why a server URL is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum UrlError {
    /// Not an absolute `https://host[:port][/path]` URL.
    #[error("the server address must be an https:// URL")]
    NotHttps,
    /// Plain HTTP is allowed only to this machine, and only with the development option.
    #[error("plain http:// is allowed only to 127.0.0.1 or localhost with the development option")]
    InsecureNotAllowed,
    /// Malformed (user info, query, fragment, control characters, empty host).
    #[error("the server address is malformed")]
    Malformed,
}

/// A checked server base URL: `https://…`, or `http://127.0.0.1|localhost|[::1]` when the
/// development option allowed it. No trailing slash.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServerUrl(String);

impl ServerUrl {
    /// Checks `url`. `allow_insecure_loopback` is the explicit development option.
    pub fn parse(url: &str, allow_insecure_loopback: bool) -> Result<ServerUrl, UrlError> {
        let url = url.trim().trim_end_matches('/');
        let (scheme, rest) = url.split_once("://").ok_or(UrlError::NotHttps)?;
        let authority = rest.split('/').next().unwrap_or_default();
        if authority.is_empty()
            || rest.chars().any(|c| c.is_control() || c.is_whitespace())
            || rest.contains(['@', '?', '#'])
        {
            return Err(UrlError::Malformed);
        }
        let host = if let Some(v6) = authority.strip_prefix('[') {
            v6.split(']').next().unwrap_or_default()
        } else {
            authority.split(':').next().unwrap_or_default()
        };
        match scheme.to_ascii_lowercase().as_str() {
            "https" => Ok(ServerUrl(url.to_string())),
            "http" => {
                let loopback = matches!(host, "127.0.0.1" | "localhost" | "::1");
                if loopback && allow_insecure_loopback {
                    Ok(ServerUrl(url.to_string()))
                } else {
                    Err(UrlError::InsecureNotAllowed)
                }
            }
            _ => Err(UrlError::NotHttps),
        }
    }

    /// `base + path` (`path` starts with `/`).
    pub fn join(&self, path: &str) -> String {
        format!("{}{path}", self.0)
    }

    /// The URL as given (normalised: no trailing slash).
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The origin the login is bound to: lower-case scheme and host, and the port only when it
    /// is not the scheme's default (`https://issuer.example`, `http://127.0.0.1:8080`). The
    /// path is not part of it.
    pub fn origin(&self) -> String {
        normalised_origin(&self.0)
    }
}

/// The normalised origin of an absolute URL (see [`ServerUrl::origin`]). The issuer applies the
/// same function to its own public URL, so both sides agree byte for byte.
pub fn normalised_origin(url: &str) -> String {
    let url = url.trim();
    let (scheme, rest) = url.split_once("://").unwrap_or(("https", url));
    let scheme = scheme.to_ascii_lowercase();
    let authority = rest
        .split('/')
        .next()
        .unwrap_or_default()
        .to_ascii_lowercase();
    let default_port = if scheme == "http" { ":80" } else { ":443" };
    let authority = authority
        .strip_suffix(default_port)
        .unwrap_or(&authority)
        .to_string();
    format!("{scheme}://{authority}")
}

#[cfg(test)]
mod tests {

    #[test]
    fn the_login_origin_is_normalised_the_same_way_on_both_sides() {
        let o = |u: &str| ServerUrl::parse(u, true).unwrap().origin();
        assert_eq!(o("https://Issuer.Example/api/"), "https://issuer.example");
        assert_eq!(o("https://issuer.example:443"), "https://issuer.example");
        assert_eq!(o("https://127.0.0.1:8443/x"), "https://127.0.0.1:8443");
        assert_eq!(o("http://localhost:80"), "http://localhost");
        assert_eq!(
            normalised_origin("HTTPS://[::1]:9443"),
            "https://[::1]:9443"
        );
    }

    use super::*;

    #[test]
    fn url_policy() {
        let ok = |u: &str, dev: bool| ServerUrl::parse(u, dev).map(|s| s.as_str().to_string());
        assert_eq!(
            ok("https://issuer.example.jp/", false),
            Ok("https://issuer.example.jp".into())
        );
        assert_eq!(
            ok("https://127.0.0.1:8443/api", false),
            Ok("https://127.0.0.1:8443/api".into())
        );
        assert_eq!(
            ok("http://127.0.0.1:8080", true),
            Ok("http://127.0.0.1:8080".into())
        );
        assert_eq!(ok("http://localhost", true), Ok("http://localhost".into()));
        assert_eq!(ok("http://[::1]:80", true), Ok("http://[::1]:80".into()));
        assert_eq!(
            ok("http://127.0.0.1:8080", false),
            Err(UrlError::InsecureNotAllowed)
        );
        assert_eq!(
            ok("http://example.jp", true),
            Err(UrlError::InsecureNotAllowed)
        );
        assert_eq!(
            ok("http://127.0.0.2", true),
            Err(UrlError::InsecureNotAllowed)
        );
        assert_eq!(
            ok("http://localhost.evil.jp", true),
            Err(UrlError::InsecureNotAllowed)
        );
        assert_eq!(ok("ftp://x", true), Err(UrlError::NotHttps));
        assert_eq!(ok("issuer.example.jp", false), Err(UrlError::NotHttps));
        assert_eq!(
            ok("https://user@127.0.0.1", false),
            Err(UrlError::Malformed)
        );
        assert_eq!(ok("https://x/?q=1", false), Err(UrlError::Malformed));
        assert_eq!(ok("https:///path", false), Err(UrlError::Malformed));
        assert_eq!(ok("https://a b", false), Err(UrlError::Malformed));
        let u = ServerUrl::parse("https://h/base/", false).unwrap();
        assert_eq!(u.join("/v1/challenge"), "https://h/base/v1/challenge");
    }

    #[test]
    fn header_lookup_is_case_insensitive() {
        let r = HttpResponse {
            status: 200,
            headers: vec![HttpHeader {
                name: "ETag".into(),
                value: "\"x\"".into(),
            }],
            body: vec![],
        };
        assert_eq!(r.header("etag"), Some("\"x\""));
        assert_eq!(r.header("content-type"), None);
    }

    #[test]
    fn tls_pins_are_sha256_of_the_spki_in_base64() {
        // OkHttp's documented example form: 32 zero bytes.
        let zero = "sha256/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=";
        assert_eq!(SpkiPin::parse(zero).unwrap().as_bytes(), &[0; 32]);
        assert_eq!(
            SpkiPin::parse(&format!(" {zero}\n")).unwrap().to_string(),
            zero
        );
        let pin = SpkiPin::of_spki(b"spki");
        assert_eq!(SpkiPin::parse(&pin.to_string()), Ok(pin));
        for bad in [
            "",
            "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=",
            "sha1/AAAAAAAAAAAAAAAAAAAAAAAAAAA=",
            "sha256/AAAA",
            "sha256/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
            "sha256/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=",
            "sha256/!AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=",
        ] {
            assert_eq!(SpkiPin::parse(bad), Err(PinError::Malformed), "{bad}");
        }
        let https = ServerUrl::parse("HTTPS://issuer.example", false).unwrap();
        let http = ServerUrl::parse("http://127.0.0.1:8080", true).unwrap();
        assert_eq!(SpkiPin::parse_for(&https, &[]), Ok(vec![]));
        assert_eq!(SpkiPin::parse_for(&http, &[]), Ok(vec![]));
        assert_eq!(
            SpkiPin::parse_for(&https, &[zero.into(), pin.to_string()]),
            Ok(vec![SpkiPin([0; 32]), pin])
        );
        assert_eq!(
            SpkiPin::parse_for(&https, &[zero.into(), "x".into()]),
            Err(PinError::Malformed)
        );
        assert_eq!(
            SpkiPin::parse_for(&http, &[zero.into()]),
            Err(PinError::NotHttps)
        );
    }

    #[test]
    fn a_chain_is_pinned_when_any_certificate_has_a_pinned_key() {
        use base64::Engine as _;
        // A real certificate (the embedded J-LIS auth root, 2015) and its pin as openssl
        // computes it: `openssl x509 -pubkey -noout | openssl pkey -pubin -outform der |
        // openssl dgst -sha256 -binary | base64`.
        let pem = include_str!("../../data/jlis/auth_ca_2015.pem");
        let b64: String = pem.lines().filter(|l| !l.starts_with("-----")).collect();
        let cert = base64::engine::general_purpose::STANDARD
            .decode(b64.trim())
            .unwrap();
        let pin = SpkiPin::of_certificate(&cert).unwrap();
        assert_eq!(
            pin.to_string(),
            "sha256/yhuA2+brIEDYJY7JZHT+v9O4dkUmoctqkKoKgEJvQ7A="
        );
        let other = SpkiPin([1; 32]);
        assert!(SpkiPin::chain_is_pinned(&[], &[]));
        assert!(SpkiPin::chain_is_pinned(
            &[other, pin],
            &[b"junk".to_vec(), cert.clone()]
        ));
        assert!(!SpkiPin::chain_is_pinned(
            &[other],
            std::slice::from_ref(&cert)
        ));
        assert!(!SpkiPin::chain_is_pinned(&[pin], &[]));
        assert_eq!(SpkiPin::of_certificate(b"junk"), None);
    }
}
