//! Serving the card to pcscd through the vsmartcard `vpcd` driver.
//!
//! The virtual card connects to the driver over TCP (port 35963 for the first reader). Every
//! message either way is a 2-byte big-endian length followed by that many bytes. From vpcd, a
//! 1-byte message is a control command (`00` power off, `01` power on, `02` reset, `04` send the
//! ATR); anything longer is a command APDU, answered with the response APDU. While connected, the
//! reader shows a card; closing the socket removes it.

use std::io::{self, ErrorKind, Read, Write};
use std::net::{TcpStream, ToSocketAddrs};
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread;
use std::time::{Duration, Instant};

use shikaku_core::card::CardTransport;

use crate::card::VirtualCard;

/// The default address of the first vpcd reader.
pub const DEFAULT_VPCD_ADDR: &str = "127.0.0.1:35963";

const CTRL_POWER_OFF: u8 = 0x00;
const CTRL_POWER_ON: u8 = 0x01;
const CTRL_RESET: u8 = 0x02;
const CTRL_GET_ATR: u8 = 0x04;

/// Why serving stopped with an error.
#[derive(Debug, thiserror::Error)]
pub enum VpcdError {
    /// No connection could be made to vpcd within the connect timeout.
    #[error("cannot connect to vpcd at {addr}: {source}")]
    Connect {
        /// The address given.
        addr: String,
        /// The last connection error.
        source: io::Error,
    },
    /// The socket failed after connecting.
    #[error("vpcd socket error: {0}")]
    Io(#[from] io::Error),
    /// vpcd sent something that is not a valid message (e.g. the socket closed mid-message).
    #[error("vpcd protocol error: {0}")]
    Protocol(String),
}

/// How [`serve`] ended without an error.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ServeEnd {
    /// vpcd (pcscd) closed the connection.
    Closed,
    /// The stop flag was set.
    Stopped,
    /// The card returned a transport error (it was taken away with
    /// [`VirtualCard::set_present`] or a fault was injected); the connection was closed so the
    /// reader sees the card removed, as with a real card pulled mid-command.
    CardRemoved,
}

/// Tuning for [`serve_with`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ServeOptions {
    /// How long to keep retrying the connection (pcscd may still be starting). Default 10 s.
    pub connect_timeout: Duration,
    /// How often the stop flag is checked while waiting for vpcd. Default 100 ms.
    pub poll_interval: Duration,
}

impl Default for ServeOptions {
    fn default() -> Self {
        ServeOptions {
            connect_timeout: Duration::from_secs(10),
            poll_interval: Duration::from_millis(100),
        }
    }
}

/// Connects `card` to the vpcd driver at `addr` (e.g. [`DEFAULT_VPCD_ADDR`]) and answers it until
/// the socket closes or `stop` becomes `true`. Retries the connection for up to 10 s.
///
/// Blocking; run it on its own thread if the caller has other work. `stop` is polled every
/// 100 ms. Power off / power on / reset from vpcd reset the card's volatile state (selection,
/// verified PINs); retry counters and the APDU log persist. To present the card again after
/// [`ServeEnd::Closed`] or [`ServeEnd::CardRemoved`], call `serve` again with the same card.
pub fn serve(card: &VirtualCard, addr: &str, stop: &AtomicBool) -> Result<ServeEnd, VpcdError> {
    serve_with(card, addr, stop, &ServeOptions::default())
}

/// [`serve`] with explicit [`ServeOptions`].
pub fn serve_with(
    card: &VirtualCard,
    addr: &str,
    stop: &AtomicBool,
    options: &ServeOptions,
) -> Result<ServeEnd, VpcdError> {
    let Some(mut stream) = connect(addr, stop, options)? else {
        return Ok(ServeEnd::Stopped);
    };
    stream.set_nodelay(true)?;
    stream.set_read_timeout(Some(options.poll_interval.max(Duration::from_millis(1))))?;
    loop {
        let message = match read_message(&mut stream, stop)? {
            Incoming::Message(m) => m,
            Incoming::Closed => return Ok(ServeEnd::Closed),
            Incoming::Stopped => return Ok(ServeEnd::Stopped),
        };
        match message.as_slice() {
            [] => {}
            [CTRL_POWER_OFF] | [CTRL_POWER_ON] | [CTRL_RESET] => card.reset(),
            [CTRL_GET_ATR] => write_message(&mut stream, card.atr())?,
            [_] => {} // Unknown control byte: vpcd defines no answer, so none is sent.
            _ => match card.transceive(&message) {
                Ok(response) => write_message(&mut stream, &response)?,
                Err(_) => {
                    // Closing the socket is how a virtual card leaves the reader.
                    let _ = stream.shutdown(std::net::Shutdown::Both);
                    return Ok(ServeEnd::CardRemoved);
                }
            },
        }
    }
}

fn connect(
    addr: &str,
    stop: &AtomicBool,
    options: &ServeOptions,
) -> Result<Option<TcpStream>, VpcdError> {
    let deadline = Instant::now() + options.connect_timeout;
    loop {
        let error = match addr.to_socket_addrs() {
            Ok(addrs) => {
                let mut last = io::Error::new(ErrorKind::NotFound, "address resolved to nothing");
                for a in addrs {
                    match TcpStream::connect_timeout(
                        &a,
                        options.connect_timeout.max(Duration::from_millis(100)),
                    ) {
                        Ok(s) => return Ok(Some(s)),
                        Err(e) => last = e,
                    }
                }
                last
            }
            Err(e) => {
                return Err(VpcdError::Connect {
                    addr: addr.to_owned(),
                    source: e,
                });
            }
        };
        if stop.load(Ordering::Relaxed) {
            return Ok(None);
        }
        if Instant::now() >= deadline {
            return Err(VpcdError::Connect {
                addr: addr.to_owned(),
                source: error,
            });
        }
        thread::sleep(Duration::from_millis(200));
    }
}

enum Incoming {
    Message(Vec<u8>),
    Closed,
    Stopped,
}

/// Fills `buf` completely. `Ok(false)`: the peer closed before the first byte.
fn fill(
    stream: &mut TcpStream,
    buf: &mut [u8],
    stop: &AtomicBool,
) -> Result<Option<bool>, VpcdError> {
    let mut got = 0;
    while got < buf.len() {
        if stop.load(Ordering::Relaxed) {
            return Ok(None);
        }
        match stream.read(&mut buf[got..]) {
            Ok(0) if got == 0 => return Ok(Some(false)),
            Ok(0) => {
                return Err(VpcdError::Protocol(format!(
                    "connection closed after {got} of {} bytes",
                    buf.len()
                )));
            }
            Ok(n) => got += n,
            Err(e)
                if matches!(
                    e.kind(),
                    ErrorKind::WouldBlock | ErrorKind::TimedOut | ErrorKind::Interrupted
                ) => {}
            Err(e)
                if matches!(
                    e.kind(),
                    ErrorKind::ConnectionReset | ErrorKind::ConnectionAborted
                ) && got == 0 =>
            {
                return Ok(Some(false));
            }
            Err(e) => return Err(e.into()),
        }
    }
    Ok(Some(true))
}

fn read_message(stream: &mut TcpStream, stop: &AtomicBool) -> Result<Incoming, VpcdError> {
    let mut len = [0u8; 2];
    match fill(stream, &mut len, stop)? {
        None => return Ok(Incoming::Stopped),
        Some(false) => return Ok(Incoming::Closed),
        Some(true) => {}
    }
    let mut message = vec![0u8; usize::from(u16::from_be_bytes(len))];
    match fill(stream, &mut message, stop)? {
        None => Ok(Incoming::Stopped),
        // A zero-length message reads nothing and reports "closed before the first byte".
        Some(false) if !message.is_empty() => Err(VpcdError::Protocol(
            "connection closed after a length prefix".to_owned(),
        )),
        Some(_) => Ok(Incoming::Message(message)),
    }
}

fn write_message(stream: &mut TcpStream, data: &[u8]) -> Result<(), VpcdError> {
    let len = u16::try_from(data.len()).map_err(|_| {
        VpcdError::Protocol(format!("response of {} bytes is too long", data.len()))
    })?;
    let mut frame = Vec::with_capacity(2 + data.len());
    frame.extend_from_slice(&len.to_be_bytes());
    frame.extend_from_slice(data);
    stream.write_all(&frame)?;
    Ok(())
}
