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
}
