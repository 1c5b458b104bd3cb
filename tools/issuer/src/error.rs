//! The issuer's error type. No variant carries personal data: data-file problems name the
//! position (household / member number) and the field, never a value.

use std::path::PathBuf;

use shikaku_core::document::DocumentError;

/// Why an issuer operation failed.
#[derive(Debug, thiserror::Error)]
pub enum IssuerError {
    /// `init` found keys already in the directory and left everything as it was.
    #[error("{}: already holds issuer keys ({file}); refusing to overwrite", dir.display())]
    AlreadyInitialised {
        /// The directory.
        dir: PathBuf,
        /// The first existing file found.
        file: &'static str,
    },
    /// Reading or writing a file failed.
    #[error("{what} ({}): {source}", path.display())]
    Io {
        /// What the file is.
        what: &'static str,
        /// The file.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// A key, certificate or signed file in the issuer directory is unusable.
    #[error("{}: {reason}", path.display())]
    BadFile {
        /// The file.
        path: PathBuf,
        /// Why (a fixed text).
        reason: String,
    },
    /// The data file is invalid (the reason names positions and fields, never values).
    #[error("data file {}: {reason}", path.display())]
    Data {
        /// The data file.
        path: PathBuf,
        /// Why.
        reason: String,
    },
    /// Generating a key or a certificate failed.
    #[error("key or certificate generation failed: {reason}")]
    Crypto {
        /// Why.
        reason: String,
    },
    /// Signing a document or the trust list failed.
    #[error("signing failed: {0}")]
    Document(#[from] DocumentError),
    /// The server configuration is unusable (address, TLS, issuer key validity, …).
    #[error("{reason}")]
    Config {
        /// Why.
        reason: String,
    },
}

impl IssuerError {
    pub(crate) fn io(what: &'static str, path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        IssuerError::Io {
            what,
            path: path.into(),
            source,
        }
    }

    pub(crate) fn bad_file(path: impl Into<PathBuf>, reason: impl Into<String>) -> Self {
        IssuerError::BadFile {
            path: path.into(),
            reason: reason.into(),
        }
    }

    pub(crate) fn crypto(reason: impl std::fmt::Display) -> Self {
        IssuerError::Crypto {
            reason: reason.to_string(),
        }
    }

    pub(crate) fn config(reason: impl Into<String>) -> Self {
        IssuerError::Config {
            reason: reason.into(),
        }
    }
}
