//! The card side of a clinic desk's check: the 利用者証明用 certificate, read without a PIN
//! and chained to the J-LIS roots before anything else happens, so that a card which cannot
//! belong to the presented document is refused before any PIN try.

use chrono::{DateTime, Utc};

use super::apdu::Channel;
use super::cert::{CardCertificate, ChainStatus, TrustStore};
use super::check::verify_certificate;
use super::error::CardError;
use super::jpki;
use super::transport::CardTransport;

/// Reads the card's 利用者証明用 certificate (no PIN, no try spent) and checks it as a card
/// check does before its PIN: chained to `trust` at `now` with the leaf's profile, an expired
/// certificate only inside the 保険証 grace period.
pub fn read_verified_auth_certificate(
    transport: &dyn CardTransport,
    trust: &TrustStore,
    now: DateTime<Utc>,
) -> Result<(CardCertificate, ChainStatus), CardError> {
    let mut ch = Channel::new(transport);
    jpki::select(&mut ch)?;
    let certificate = CardCertificate::from_der(&jpki::read_auth_certificate(&mut ch)?)?;
    let chain = verify_certificate(trust, &certificate, now)?;
    Ok((certificate, chain))
}
