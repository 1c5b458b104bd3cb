//! Passphrases: from the environment or a no-echo prompt on a terminal, never from arguments.

use std::io::IsTerminal;

use anyhow::{Result, bail};
use zeroize::Zeroizing;

/// Environment variable holding the store passphrase.
pub const PASSPHRASE_ENV: &str = "SHIKAKU_PASSPHRASE";
/// Environment variable holding the new passphrase for `passphrase change`.
pub const NEW_PASSPHRASE_ENV: &str = "SHIKAKU_NEW_PASSPHRASE";

fn prompt(label: &str) -> Result<Zeroizing<String>> {
    if !std::io::stdin().is_terminal() {
        bail!("no passphrase: set {PASSPHRASE_ENV} or run in a terminal");
    }
    Ok(Zeroizing::new(rpassword::prompt_password(label)?))
}

fn checked(p: Zeroizing<String>) -> Result<Zeroizing<String>> {
    if p.trim().is_empty() {
        bail!("the passphrase must not be empty");
    }
    Ok(p)
}

/// The passphrase of an existing store.
pub fn passphrase() -> Result<Zeroizing<String>> {
    match std::env::var(PASSPHRASE_ENV) {
        Ok(p) => checked(Zeroizing::new(p)),
        Err(_) => checked(prompt("Passphrase: ")?),
    }
}

/// A new passphrase (`env` if set, else asked twice).
pub fn new_passphrase(env: &str, label: &str) -> Result<Zeroizing<String>> {
    if let Ok(p) = std::env::var(env) {
        return checked(Zeroizing::new(p));
    }
    let first = checked(prompt(&format!("{label}: "))?)?;
    let again = prompt(&format!("{label} (again): "))?;
    if *first != *again {
        bail!("the passphrases do not match");
    }
    Ok(first)
}
