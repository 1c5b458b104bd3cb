//! The desktop `HttpTransport`: ureq 3 over rustls, trusting either the public web roots or
//! exactly the CA given with `--ca` (the development issuer's).

use std::io::ErrorKind;
use std::sync::Arc;
use std::time::Duration;

use anyhow::{Result, anyhow, bail};
use shikaku_core::sync::http::{
    HttpError, HttpHeader, HttpMethod, HttpRequest, HttpResponse, HttpTransport,
};
use ureq::tls::{PemItem, RootCerts, TlsConfig};

/// The largest response body accepted (a household's documents are a few KiB each).
const MAX_BODY: u64 = 1024 * 1024;

/// ureq with a fixed set of roots.
pub struct UreqTransport {
    roots: RootCerts,
}

impl UreqTransport {
    /// Trusts the public web roots, or only the certificates in `ca_pem` when given.
    pub fn new(ca_pem: Option<&[u8]>) -> Result<UreqTransport> {
        let roots = match ca_pem {
            None => RootCerts::WebPki,
            Some(pem) => {
                let mut certs = Vec::new();
                for item in ureq::tls::parse_pem(pem) {
                    if let PemItem::Certificate(c) =
                        item.map_err(|_| anyhow!("the --ca file is not valid PEM"))?
                    {
                        certs.push(c.to_owned());
                    }
                }
                if certs.is_empty() {
                    bail!("the --ca file holds no certificate");
                }
                RootCerts::Specific(Arc::new(certs))
            }
        };
        Ok(UreqTransport { roots })
    }

    fn agent(&self, timeout: Duration) -> ureq::Agent {
        let config = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .timeout_global(Some(timeout))
            .max_redirects(0)
            .tls_config(TlsConfig::builder().root_certs(self.roots.clone()).build())
            .build();
        ureq::Agent::new_with_config(config)
    }
}

fn map_error(e: ureq::Error) -> HttpError {
    match e {
        ureq::Error::Timeout(_) => HttpError::Timeout,
        ureq::Error::HostNotFound | ureq::Error::ConnectionFailed => HttpError::Offline {
            reason: e.to_string(),
        },
        ureq::Error::Tls(_) | ureq::Error::Rustls(_) => HttpError::Tls {
            reason: e.to_string(),
        },
        ureq::Error::Io(io) => match io.kind() {
            ErrorKind::ConnectionRefused | ErrorKind::NotFound | ErrorKind::AddrNotAvailable => {
                HttpError::Offline {
                    reason: io.kind().to_string(),
                }
            }
            ErrorKind::TimedOut | ErrorKind::WouldBlock => HttpError::Timeout,
            _ => HttpError::Interrupted {
                reason: io.kind().to_string(),
            },
        },
        other => HttpError::Other {
            reason: other.to_string(),
        },
    }
}

impl HttpTransport for UreqTransport {
    fn send(&self, request: HttpRequest) -> Result<HttpResponse, HttpError> {
        let agent = self.agent(Duration::from_millis(u64::from(request.timeout_ms)));
        let result = match request.method {
            HttpMethod::Get => {
                let mut r = agent.get(&request.url);
                for h in &request.headers {
                    r = r.header(&h.name, &h.value);
                }
                r.call()
            }
            HttpMethod::Post => {
                let mut r = agent.post(&request.url);
                for h in &request.headers {
                    r = r.header(&h.name, &h.value);
                }
                r.send(&request.body[..])
            }
        };
        let mut response = result.map_err(map_error)?;
        let status = response.status().as_u16();
        let headers = response
            .headers()
            .iter()
            .filter_map(|(k, v)| {
                Some(HttpHeader {
                    name: k.as_str().to_string(),
                    value: v.to_str().ok()?.to_string(),
                })
            })
            .collect();
        let body = response
            .body_mut()
            .with_config()
            .limit(MAX_BODY)
            .read_to_vec()
            .map_err(map_error)?;
        Ok(HttpResponse {
            status,
            headers,
            body,
        })
    }
}
