//! The store's errors, and how a damaged row is named in them (table and random id only).

/// Identifies one stored row in an error, by table and random id (never personal data).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct RowRef {
    /// The table: `members`, `records`, `card_checks`, `presentations` or `meta`.
    pub table: &'static str,
    /// The row's random id (or the meta key).
    pub id: String,
}

impl std::fmt::Display for RowRef {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}", self.table, self.id)
    }
}

/// What can go wrong with the store. Messages carry no personal data.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StoreError {
    /// The key (or passphrase) does not open this store. Nothing was changed.
    #[error("wrong key or passphrase for this store (nothing was changed)")]
    WrongKey,
    /// One row failed to decrypt or decode; the other rows are unaffected.
    #[error("stored row {row} is damaged or was tampered with")]
    Corrupt {
        /// The damaged row.
        row: RowRef,
    },
    /// The store's rows disagree with its sealed row list: a row was deleted or added (or the
    /// list itself is missing or damaged) outside shikaku. Nothing was changed.
    #[error("the store was tampered with: row {row} was deleted or added outside shikaku")]
    Tampered {
        /// The first row found missing or unlisted.
        row: RowRef,
    },
    /// The file is not a shikaku store.
    #[error("the file is not a shikaku store")]
    NotADatabase,
    /// The store was written by a newer version of shikaku.
    #[error("the store has schema version {found}; this build supports up to {supported}")]
    SchemaTooNew {
        /// The store's version.
        found: u32,
        /// The newest version this build knows.
        supported: u32,
    },
    /// A member or record with that id does not exist.
    #[error("no such {what}")]
    NotFound {
        /// `member` or `record`.
        what: &'static str,
    },
    /// The platform key store could not be used.
    #[error("the key store is unavailable: {reason}")]
    KeyUnavailable {
        /// A short, data-free reason.
        reason: String,
    },
    /// The file system or SQLite failed.
    #[error("storage error: {reason}")]
    Io {
        /// A short, data-free reason.
        reason: String,
    },
}

impl From<rusqlite::Error> for StoreError {
    fn from(e: rusqlite::Error) -> Self {
        match e.sqlite_error_code() {
            Some(rusqlite::ErrorCode::NotADatabase) => StoreError::NotADatabase,
            // Another session holds the file (the household store is held by one connection
            // while it is open) and did not let go within the busy timeout.
            Some(rusqlite::ErrorCode::DatabaseBusy) => StoreError::Io {
                reason: "the store is in use by another session".into(),
            },
            _ => StoreError::Io {
                reason: e.to_string(),
            },
        }
    }
}

/// The error for a value that could not be sealed.
pub(super) fn sealing_failed() -> StoreError {
    StoreError::Io {
        reason: "encryption failed".into(),
    }
}
