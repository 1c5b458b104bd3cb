//! The vpcd framing and its serve loop.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use crate::card::PinRef;
use crate::vpcd::{ServeEnd, ServeOptions, serve_with};

use super::*;

// ---------------------------------------------------------------- vpcd

fn frame(data: &[u8]) -> Vec<u8> {
    [&(data.len() as u16).to_be_bytes()[..], data].concat()
}

fn read_frame(s: &mut TcpStream) -> Vec<u8> {
    let mut len = [0u8; 2];
    s.read_exact(&mut len).unwrap();
    let mut data = vec![0u8; usize::from(u16::from_be_bytes(len))];
    s.read_exact(&mut data).unwrap();
    data
}

fn quick() -> ServeOptions {
    ServeOptions {
        connect_timeout: Duration::from_secs(5),
        poll_interval: Duration::from_millis(20),
    }
}

#[test]
fn vpcd_framing_controls_and_apdus() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap().to_string();
    let c = Arc::new(card());
    let stop = Arc::new(AtomicBool::new(false));
    let server = {
        let (c, stop) = (Arc::clone(&c), Arc::clone(&stop));
        std::thread::spawn(move || serve_with(&c, &addr, &stop, &quick()))
    };
    let (mut s, _) = listener.accept().unwrap();
    // ATR request.
    s.write_all(&frame(&[0x04])).unwrap();
    assert_eq!(read_frame(&mut s), h("3B E0 00 FF 81 31 FE 45 14"));
    // Power on (no answer), then an APDU.
    s.write_all(&frame(&[0x01])).unwrap();
    s.write_all(&frame(&h(SELECT_JPKI))).unwrap();
    assert_eq!(read_frame(&mut s), h("90 00"));
    // A frame delivered one byte at a time.
    for b in frame(&h("00 A4 02 0C 02 00 18")) {
        s.write_all(&[b]).unwrap();
        s.flush().unwrap();
        std::thread::sleep(Duration::from_millis(2));
    }
    assert_eq!(read_frame(&mut s), h("90 00"));
    // Two frames in one write.
    let two = [frame(&h(VERIFY_1234)), frame(&h(VERIFY_STATUS))].concat();
    s.write_all(&two).unwrap();
    assert_eq!(read_frame(&mut s), h("90 00"));
    assert_eq!(read_frame(&mut s), h("90 00"));
    // A long response: 256 data bytes + SW.
    s.write_all(&frame(&h("00 A4 02 0C 02 00 0A"))).unwrap();
    assert_eq!(read_frame(&mut s), h("90 00"));
    s.write_all(&frame(&h("00 B0 00 00 00"))).unwrap();
    let r = read_frame(&mut s);
    assert_eq!(r.len(), 258);
    assert_eq!(&r[..256], &c.auth_certificate_der()[..256]);
    // Reset (power cycle) clears the security state; ATR again.
    s.write_all(&frame(&[0x02])).unwrap();
    s.write_all(&frame(&[0x04])).unwrap();
    assert_eq!(read_frame(&mut s), crate::ATR);
    assert!(!c.is_verified(PinRef::AuthPin));
    // Power off, then pcscd goes away: serve returns Closed.
    s.write_all(&frame(&[0x00])).unwrap();
    drop(s);
    assert_eq!(server.join().unwrap().unwrap(), ServeEnd::Closed);
    assert!(!stop.load(Ordering::Relaxed));
    assert_eq!(c.log().len(), 6);
}

#[test]
fn vpcd_stop_flag_and_removed_card() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap().to_string();
    let c = Arc::new(card());
    let stop = Arc::new(AtomicBool::new(false));
    let server = {
        let (c, stop, addr) = (Arc::clone(&c), Arc::clone(&stop), addr.clone());
        std::thread::spawn(move || serve_with(&c, &addr, &stop, &quick()))
    };
    let (mut s, _) = listener.accept().unwrap();
    // Stop while idle, and while half a frame has arrived.
    s.write_all(&[0x00]).unwrap();
    std::thread::sleep(Duration::from_millis(50));
    stop.store(true, Ordering::Relaxed);
    assert_eq!(server.join().unwrap().unwrap(), ServeEnd::Stopped);
    drop(s);

    // A card pulled out: the connection is closed, as pcscd expects of a removed card.
    stop.store(false, Ordering::Relaxed);
    let server = {
        let (c, stop) = (Arc::clone(&c), Arc::clone(&stop));
        std::thread::spawn(move || serve_with(&c, &addr, &stop, &quick()))
    };
    let (mut s, _) = listener.accept().unwrap();
    c.set_present(false);
    s.write_all(&frame(&h(SELECT_JPKI))).unwrap();
    assert_eq!(server.join().unwrap().unwrap(), ServeEnd::CardRemoved);
    let mut buf = [0u8; 1];
    assert_eq!(s.read(&mut buf).unwrap(), 0);
}

#[test]
fn vpcd_connect_failure_and_truncated_frame() {
    // Nobody listens: bind and drop to find a free port.
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let c = card();
    let stop = AtomicBool::new(false);
    let opts = ServeOptions {
        connect_timeout: Duration::from_millis(300),
        poll_interval: Duration::from_millis(20),
    };
    let err = serve_with(&c, &format!("127.0.0.1:{port}"), &stop, &opts).unwrap_err();
    assert!(
        matches!(err, crate::vpcd::VpcdError::Connect { .. }),
        "{err}"
    );

    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap().to_string();
    let server = std::thread::spawn(move || {
        let c = card();
        let stop = AtomicBool::new(false);
        serve_with(&c, &addr, &stop, &quick())
    });
    let (mut s, _) = listener.accept().unwrap();
    s.write_all(&[0x00, 0x05, 0x00, 0xA4]).unwrap();
    drop(s);
    let err = server.join().unwrap().unwrap_err();
    assert!(matches!(err, crate::vpcd::VpcdError::Protocol(_)), "{err}");
}
