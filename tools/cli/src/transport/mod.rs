//! How the CLI reaches the outside: the issuer over HTTPS ([`http`]), a card in a PC/SC reader
//! ([`pcsc`], with the `pcsc` feature), and opening the reader named by `--reader` ([`reader`]).

pub mod http;
#[cfg(feature = "pcsc")]
pub mod pcsc;
pub mod reader;
