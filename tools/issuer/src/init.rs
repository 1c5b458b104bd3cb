//! `shikaku issuer init DIR`: development keys, the signed trust list and the TLS files.

use std::path::{Path, PathBuf};

use chrono::{DateTime, Duration, Utc};
use shikaku_core::document::{IssuerKey, TrustList};
use shikaku_core::eligibility::InsurerNumber;

use crate::files::{self, INIT_FILES};
use crate::{IssuerError, keys, tls};

/// The issuer key id `init` uses by default.
pub const DEFAULT_KID: &str = "dev-issuer-1";

/// The 保険者番号 the issuer key may sign for by default: those of `examples/households.toml`
/// (協会けんぽ 東京支部 and 練馬区 国民健康保険).
pub const DEFAULT_INSURERS: [&str; 2] = ["01130012", "138057"];

/// What `init` creates.
#[derive(Debug, Clone)]
pub struct InitOptions {
    /// The issuer key's id in the trust list.
    pub kid: String,
    /// The 保険者番号 the issuer key may sign for (the trust list's scope). `serve` refuses a
    /// data file with a record outside it.
    pub insurers: Vec<InsurerNumber>,
    /// How long the issuer key and the TLS certificates are valid.
    pub validity: Duration,
    /// "Now": the start of validity and the trust list's time of issue.
    pub now: DateTime<Utc>,
}

impl Default for InitOptions {
    /// [`DEFAULT_KID`], [`DEFAULT_INSURERS`], two years from now.
    fn default() -> Self {
        InitOptions {
            kid: DEFAULT_KID.to_owned(),
            insurers: DEFAULT_INSURERS
                .iter()
                .filter_map(|n| InsurerNumber::parse(n).ok())
                .collect(),
            validity: Duration::days(730),
            now: Utc::now(),
        }
    }
}

/// What `init` made.
#[derive(Debug, Clone)]
pub struct InitReport {
    /// The issuer directory.
    pub dir: PathBuf,
    /// The files written, in order.
    pub files: Vec<PathBuf>,
    /// The issuer key id.
    pub kid: String,
    /// End of the issuer key's (and the TLS certificates') validity.
    pub not_after: DateTime<Utc>,
    /// The 保険者番号 the issuer key may sign for.
    pub insurers: Vec<InsurerNumber>,
    /// The root public key, SEC1 compressed, hex (what an app pins; also in `root-public.pem`).
    pub root_public_key_hex: String,
}

/// Initialises `dir` with the default options (see [`InitOptions::default`]).
pub fn init(dir: &Path) -> Result<InitReport, IssuerError> {
    init_with(dir, &InitOptions::default())
}

/// Initialises `dir`: creates it (mode 0700) if needed, refuses when any file of
/// [`INIT_FILES`] is already there, then writes the root key, the root public key, the issuer
/// key, the trust list (version 1, signed by the root; the issuer key valid from `now` for
/// `validity`, scoped to `insurers`) and the TLS CA, server certificate and key. Private keys
/// get mode 0600.
pub fn init_with(dir: &Path, options: &InitOptions) -> Result<InitReport, IssuerError> {
    if let Some(file) = INIT_FILES.iter().find(|f| dir.join(f).exists()) {
        return Err(IssuerError::AlreadyInitialised {
            dir: dir.to_owned(),
            file,
        });
    }
    if options.insurers.is_empty() {
        return Err(IssuerError::config(
            "the issuer key needs at least one 保険者番号",
        ));
    }
    create_dir(dir)?;

    let now = DateTime::from_timestamp(options.now.timestamp(), 0).unwrap_or(options.now);
    let not_after = now + options.validity;
    let root = keys::generate();
    let issuer = keys::generate();
    let trust_list = TrustList {
        version: 1,
        issued_at: now,
        keys: vec![IssuerKey {
            kid: options.kid.clone(),
            public_key: issuer
                .verifying_key()
                .to_encoded_point(false)
                .as_bytes()
                .to_vec(),
            not_before: now,
            not_after,
            insurers: options.insurers.clone(),
        }],
    };
    let signed_list = trust_list.sign(&root)?;
    let tls = tls::generate(now, not_after)?;

    // Everything is made before the first file is written.
    let contents: [(&str, Vec<u8>, u32); 7] = [
        (
            files::ROOT_KEY,
            keys::private_pem(&root)?.into_bytes(),
            0o600,
        ),
        (
            files::ROOT_PUBLIC,
            keys::public_pem(root.verifying_key())?.into_bytes(),
            0o644,
        ),
        (
            files::ISSUER_KEY,
            keys::private_pem(&issuer)?.into_bytes(),
            0o600,
        ),
        (files::TRUST_LIST, signed_list, 0o644),
        (files::TLS_CA, tls.ca_pem.into_bytes(), 0o644),
        (files::TLS_CERT, tls.cert_pem.into_bytes(), 0o644),
        (files::TLS_KEY, tls.key_pem.into_bytes(), 0o600),
    ];
    let mut written = Vec::with_capacity(contents.len());
    for (name, bytes, mode) in &contents {
        let path = dir.join(name);
        files::create_new(&path, bytes, *mode, "issuer file")?;
        written.push(path);
    }
    Ok(InitReport {
        dir: dir.to_owned(),
        files: written,
        kid: options.kid.clone(),
        not_after,
        insurers: options.insurers.clone(),
        root_public_key_hex: root
            .verifying_key()
            .to_encoded_point(true)
            .as_bytes()
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect(),
    })
}

fn create_dir(dir: &Path) -> Result<(), IssuerError> {
    if dir.is_dir() {
        return Ok(());
    }
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        builder.mode(0o700);
    }
    builder
        .create(dir)
        .map_err(|e| IssuerError::io("issuer directory", dir, e))
}
