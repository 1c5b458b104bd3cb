//! Opening the card reader named by `--reader`: `pcsc` (the first reader holding a card),
//! `pcsc:NAME`, or `vcard:PROFILE.toml` (the in-process virtual card).

use anyhow::{Result, anyhow};
use shikaku_core::card::CardTransport;

/// An opened reader: the transport, and whether it is the virtual card (whose TEST CA is
/// then trusted for a check, and said so).
pub struct Reader {
    /// The card's transport.
    pub transport: Box<dyn CardTransport>,
    /// What to call the reader in messages.
    pub label: String,
    /// True for a `vcard:` reader.
    pub virtual_card: bool,
}

/// Opens the reader named by `spec`.
pub fn open_reader(spec: &str) -> Result<Reader> {
    if let Some(profile) = spec.strip_prefix("vcard:") {
        let card = shikaku_vcard::card_from_profile_path(profile)
            .map_err(|e| anyhow!("cannot load the virtual card {profile}: {e}"))?;
        return Ok(Reader {
            transport: Box::new(card),
            label: format!("virtual card ({profile})"),
            virtual_card: true,
        });
    }
    let name = match spec {
        "pcsc" => None,
        s => Some(
            s.strip_prefix("pcsc:")
                .ok_or_else(|| anyhow!("--reader must be pcsc, pcsc:NAME or vcard:PROFILE"))?,
        ),
    };
    open_pcsc(name)
}

#[cfg(feature = "pcsc")]
fn open_pcsc(name: Option<&str>) -> Result<Reader> {
    let t = super::pcsc::PcscTransport::connect(name)?;
    Ok(Reader {
        label: format!("PC/SC reader {:?}", t.reader),
        transport: Box::new(t),
        virtual_card: false,
    })
}

#[cfg(not(feature = "pcsc"))]
fn open_pcsc(_name: Option<&str>) -> Result<Reader> {
    anyhow::bail!(
        "this build has no PC/SC support: build with `cargo build -p shikaku-cli --features pcsc` \
         (needs libpcsclite-dev), or use --reader vcard:PROFILE"
    )
}
