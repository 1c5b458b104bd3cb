//! The desktop `CardTransport`: a PC/SC reader through pcsc-lite (`pcsc` crate).
//! Built only with the `pcsc` feature, because it links libpcsclite.

use std::collections::BTreeMap;
use std::ffi::CString;
use std::sync::{Arc, Mutex, PoisonError};

use anyhow::{Result, anyhow, bail};
use shikaku_core::card::apdu::ExtendedLengthMemory;
use shikaku_core::card::{CardTransport, TransportError};

/// What each reader remembers for the life of the process, by reader name: whether an
/// extended-length APDU failed on it. A connection is made per command or per desk check
/// (`clinic serve --card pcsc` connects at each check, and a check runs several card
/// sessions), so the memory cannot live in the connection; another reader of the machine
/// keeps its own.
static READERS: Mutex<BTreeMap<String, Arc<ExtendedLengthMemory>>> = Mutex::new(BTreeMap::new());

/// The memory of the reader called `name` (made on first use).
fn reader_memory(name: &str) -> Arc<ExtendedLengthMemory> {
    // A poisoned map still holds whole entries (an insert cannot be half done).
    let mut readers = READERS.lock().unwrap_or_else(PoisonError::into_inner);
    readers.entry(name.to_owned()).or_default().clone()
}

/// One connected card, **exclusive** mode, any protocol (T=0 or T=1). Exclusive so that no
/// other program on the machine can select another file between our SELECT of a PIN key and
/// the VERIFY (which would spend a try on a key whose counter we never read).
pub struct PcscTransport {
    card: Mutex<pcsc::Card>,
    /// The reader's name, for messages.
    pub reader: String,
    /// The reader's memory of a failed extended-length APDU ([`reader_memory`]).
    link: Arc<ExtendedLengthMemory>,
}

impl PcscTransport {
    /// Connects to the card in the reader called `name`, or in the first reader that holds a
    /// card when `name` is `None`.
    pub fn connect(name: Option<&str>) -> Result<PcscTransport> {
        let ctx = pcsc::Context::establish(pcsc::Scope::User)
            .map_err(|e| anyhow!("cannot reach the PC/SC service (is pcscd running?): {e}"))?;
        let len = ctx
            .list_readers_len()
            .map_err(|e| anyhow!("cannot list readers: {e}"))?;
        let mut buf = vec![0u8; len];
        let readers: Vec<CString> = match ctx.list_readers(&mut buf) {
            Ok(names) => names.map(CString::from).collect(),
            Err(pcsc::Error::NoReadersAvailable) => Vec::new(),
            Err(e) => bail!("cannot list readers: {e}"),
        };
        if readers.is_empty() {
            bail!("no smart-card reader found");
        }
        let mut last_err = None;
        for reader in &readers {
            let shown = reader.to_string_lossy().into_owned();
            if name.is_some_and(|n| n != shown) {
                continue;
            }
            match ctx.connect(reader, pcsc::ShareMode::Exclusive, pcsc::Protocols::ANY) {
                Ok(card) => {
                    return Ok(PcscTransport {
                        card: Mutex::new(card),
                        link: reader_memory(&shown),
                        reader: shown,
                    });
                }
                Err(e) => last_err = Some((shown, e)),
            }
        }
        match (name, last_err) {
            (Some(n), None) => bail!("no reader called {n:?}"),
            (_, Some((r, pcsc::Error::NoSmartcard))) => bail!("no card in reader {r:?}"),
            (_, Some((r, pcsc::Error::SharingViolation))) => {
                bail!("another program is using the card in {r:?}; close it and try again")
            }
            (_, Some((r, e))) => bail!("cannot connect to the card in {r:?}: {e}"),
            (None, None) => bail!("no reader holds a card"),
        }
    }
}

impl CardTransport for PcscTransport {
    /// pcsc-lite carries extended APDUs (a response buffer of `MAX_BUFFER_SIZE_EXTENDED`) when
    /// the reader's driver does; whether this reader and card do is only known by trying. A
    /// reader or card that cannot fails the extended READ BINARY (`6700`, or an error from
    /// `SCardTransmit`) before any PIN is sent, and the core then reads in short APDUs, and
    /// tells us: from then on this reader reports `false` for the rest of the process.
    fn extended_length(&self) -> bool {
        self.link.extended_length(|| true)
    }

    fn extended_length_failed(&self) {
        self.link.remember_failure();
    }

    fn transceive(&self, apdu: &[u8]) -> Result<Vec<u8>, TransportError> {
        let card = self.card.lock().map_err(|_| TransportError::Other {
            reason: "reader lock poisoned".into(),
        })?;
        let mut buf = vec![0u8; pcsc::MAX_BUFFER_SIZE_EXTENDED];
        match card.transmit(apdu, &mut buf) {
            Ok(r) => Ok(r.to_vec()),
            Err(pcsc::Error::RemovedCard | pcsc::Error::ResetCard | pcsc::Error::NoSmartcard) => {
                Err(TransportError::TagLost)
            }
            Err(pcsc::Error::Timeout) => Err(TransportError::Timeout),
            Err(e) => Err(TransportError::Other {
                reason: e.to_string(),
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_reader_remembers_its_own_failure_for_the_process() {
        let a = "shikaku unit-test reader A";
        let b = "shikaku unit-test reader B";
        assert!(reader_memory(a).extended_length(|| true));
        reader_memory(a).remember_failure();
        // A later connection to the same reader gets the same memory; another reader not.
        assert!(!reader_memory(a).extended_length(|| true));
        assert!(reader_memory(b).extended_length(|| true));
    }
}
