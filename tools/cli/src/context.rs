//! What the commands share about this machine and its user: where the store lives, opening
//! (or creating) it, the passphrase (a new one must pass the core's strength rule) and the card PIN (from the environment or a no-echo prompt,
//! never from arguments), finding a member by id or prefix, and creating private export files.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};

use anyhow::{Context as _, Result, anyhow, bail};
use shikaku_core::eligibility::{Member, MemberId};
use shikaku_core::screen::HouseholdSnapshot;
use shikaku_core::store::{PassphraseKeyStore, Store, check_passphrase_strength};
use zeroize::Zeroizing;

/// Environment variable holding the store passphrase.
pub const PASSPHRASE_ENV: &str = "SHIKAKU_PASSPHRASE";
/// Environment variable holding the new passphrase for `passphrase change`.
pub const NEW_PASSPHRASE_ENV: &str = "SHIKAKU_NEW_PASSPHRASE";
/// Environment variable holding the card PIN (4 digits).
pub const PIN_ENV: &str = "SHIKAKU_PIN";

/// Where the store lives.
pub struct Context {
    dir: PathBuf,
    /// True when the user named the directory with `--data-dir`.
    explicit: bool,
}

impl Context {
    /// The store in `data_dir`, or in the OS data directory + `shikaku` when `None`.
    pub fn new(data_dir: Option<PathBuf>) -> Result<Context> {
        let explicit = data_dir.is_some();
        let dir = match data_dir {
            Some(d) => d,
            None => dirs::data_dir()
                .ok_or_else(|| anyhow!("no data directory on this system; pass --data-dir"))?
                .join("shikaku"),
        };
        Ok(Context { dir, explicit })
    }

    /// The store's directory.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The directory given with `--data-dir`, if any.
    pub fn explicit_dir(&self) -> Option<&Path> {
        self.explicit.then_some(self.dir.as_path())
    }

    /// The store's database file.
    pub fn db(&self) -> PathBuf {
        self.dir.join("shikaku.db")
    }

    fn exists(&self) -> bool {
        self.db().is_file()
    }

    /// Opens an existing store; never creates one.
    pub fn open(&self) -> Result<Store> {
        if !self.exists() {
            bail!(
                "no household in {} yet (add a member with `shikaku member add`)",
                self.dir.display()
            );
        }
        let ks = PassphraseKeyStore::new(passphrase()?);
        Ok(Store::open(&self.db(), &ks)?)
    }

    /// Opens the store, creating it (and asking for a new passphrase) on first use.
    pub fn open_or_create(&self) -> Result<Store> {
        if self.exists() {
            return self.open();
        }
        let pass = new_passphrase(PASSPHRASE_ENV, "New passphrase for this household")?;
        create_private_dir(&self.dir)?;
        Ok(Store::open(&self.db(), &PassphraseKeyStore::new(pass))?)
    }
}

/// Creates the store's directory (and its parents) readable by the owner only; an existing
/// directory is narrowed to the owner too (it holds nothing but the store).
pub fn create_private_dir(dir: &Path) -> Result<()> {
    let mut b = std::fs::DirBuilder::new();
    b.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut b, 0o700);
    b.create(dir)
        .with_context(|| format!("cannot create {}", dir.display()))?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700))
            .with_context(|| format!("cannot restrict {}", dir.display()))?;
    }
    Ok(())
}

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

/// `p` if it meets the strength rule for a new passphrase.
fn strong(p: Zeroizing<String>) -> Result<Zeroizing<String>> {
    check_passphrase_strength(&p)?;
    Ok(p)
}

/// The passphrase of an existing store (any non-empty one: the rule applies to new ones).
pub fn passphrase() -> Result<Zeroizing<String>> {
    match std::env::var(PASSPHRASE_ENV) {
        Ok(p) => checked(Zeroizing::new(p)),
        Err(_) => checked(prompt("Passphrase: ")?),
    }
}

/// A new passphrase (`env` if set, else asked twice) that meets the core's strength rule
/// ([`check_passphrase_strength`]); a weak one is refused with the rule in the message.
pub fn new_passphrase(env: &str, label: &str) -> Result<Zeroizing<String>> {
    if let Ok(p) = std::env::var(env) {
        return strong(Zeroizing::new(p));
    }
    let first = strong(prompt(&format!("{label}: "))?)?;
    let again = prompt(&format!("{label} (again): "))?;
    if *first != *again {
        bail!("the passphrases do not match");
    }
    Ok(first)
}

/// The card PIN: from [`PIN_ENV`], or a no-echo prompt on a terminal. The text is wiped when
/// dropped; callers parse it into the core's checked PIN (`card::Pin`, `clinic::DeskPin`) in
/// the statement that reads it, so it lives no longer than that.
pub fn pin() -> Result<Zeroizing<String>> {
    if let Ok(p) = std::env::var(PIN_ENV) {
        return Ok(Zeroizing::new(p));
    }
    if !std::io::stdin().is_terminal() {
        bail!("no PIN: set {PIN_ENV} or run in a terminal");
    }
    Ok(Zeroizing::new(rpassword::prompt_password(
        "利用者証明用電子証明書 PIN (4 digits): ",
    )?))
}

/// Finds a member by full id or unique prefix (at least 4 characters).
pub fn resolve_member(store: &Store, key: &str) -> Result<Member> {
    let key = key.trim().to_ascii_lowercase();
    if let Ok(id) = key.parse::<MemberId>() {
        return Ok(store.member(id)?);
    }
    if key.len() < 4 {
        bail!("give at least 4 characters of the member id (see `shikaku household`)");
    }
    let hh = store.household()?;
    let mut hits = hh
        .members
        .into_iter()
        .filter(|m| m.id.to_string().starts_with(&key));
    match (hits.next(), hits.next()) {
        (Some(m), None) => Ok(m),
        (None, _) => bail!("no member's id starts with what was given (see `shikaku household`)"),
        (Some(_), Some(_)) => bail!("{key} matches several members; give more of the id"),
    }
}

/// The id of the member `key` names among the members of `snapshot` (the full id, or a unique
/// prefix of at least 4 characters, as [`resolve_member`]), so that a command built from a
/// [`HouseholdSnapshot`] reads the household once. A full id is taken as given: the snapshot's
/// own lookups say when no such member exists or its row is damaged.
pub fn resolve_in(snapshot: &HouseholdSnapshot, key: &str) -> Result<MemberId> {
    let key = key.trim().to_ascii_lowercase();
    if let Ok(id) = key.parse::<MemberId>() {
        return Ok(id);
    }
    if key.len() < 4 {
        bail!("give at least 4 characters of the member id (see `shikaku household`)");
    }
    let mut hits = snapshot
        .members()
        .filter(|m| m.id.to_string().starts_with(&key));
    match (hits.next(), hits.next()) {
        (Some(m), None) => Ok(m.id),
        (None, _) => bail!("no member's id starts with what was given (see `shikaku household`)"),
        (Some(_), Some(_)) => bail!("{key} matches several members; give more of the id"),
    }
}

/// Creates `path` for an export of personal data: a new file (an existing one, or a link, is
/// refused), readable by the owner only, with a warning that it is an unencrypted copy.
pub fn create_private(path: &Path) -> Result<std::fs::File> {
    let mut o = std::fs::OpenOptions::new();
    o.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut o, 0o600);
    let f = o
        .open(path)
        .with_context(|| format!("cannot create {} (it must not exist yet)", path.display()))?;
    eprintln!(
        "note: {} is an unencrypted copy of personal data; delete it when done",
        path.display()
    );
    Ok(f)
}
