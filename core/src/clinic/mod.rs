//! The clinic desk: the second role of the core. A reception desk keeps its own encrypted store
//! (the household store's engine: AES-256-GCM per value, keyed-hash look-ups, no plaintext
//! personal data on disk) holding a tamper-evident visit log, and exports it for claims.
//!
//! - [`DeskStore`]: the desk's file (`desk.db` in a 0700 directory), opened with a
//!   [`crate::store::KeyStore`].
//! - The visit log ([`DeskStore::record_visit`], [`DeskStore::declare`]): append-only entries,
//!   each linked to the previous one, the chain head sealed; [`DeskStore::verify_log`] names the
//!   first bad position of an edited, reordered or removed entry, the last one included.
//! - A verified visit ([`VerifiedVisit`]: the [`ClaimFields`] as the issuer signed them, the
//!   [`CardCheckMethod`], the [`DocumentInfo`] and the [`Verdict`]) is only ever made inside the
//!   core from a verified presentation. A 被保険者資格申立書 ([`DeclarationForm`]) is always
//!   申立・未検証 ([`DECLARED_LABEL`]).
//! - [`export`]: the CSV and JSON the clinic takes away.
//!
//! See docs/clinic.md.

mod claim;
mod declaration;
mod desk;
pub mod export;
mod log;

pub use claim::{CardCheckMethod, ClaimFields, DocumentInfo, Verdict, VerifiedVisit};
pub use declaration::{Declaration, DeclarationForm};
pub use desk::{DESK_FILE, DESK_SCHEMA_VERSION, DeskBatch, DeskStore};
pub use log::{
    DECLARED_LABEL, EntryKind, LogCheck, LogEntry, LogProblem, MAX_RANGE_DAYS, VisitList,
};

use crate::eligibility::ValidationError;
use crate::store::StoreError;

/// What can go wrong at the desk. Messages carry no personal data. After any of them the log is
/// unchanged.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ClinicError {
    /// A declared field breaks the rules; every failing field is named, no values.
    #[error(transparent)]
    Invalid(#[from] ValidationError),
    /// The operator's name is not acceptable.
    #[error("operator name {reason}")]
    Operator {
        /// Why, in a short English phrase.
        reason: &'static str,
    },
    /// A date range that ends before it starts, or is longer than the limit.
    #[error("the date range must not end before it starts nor span more than {max_days} days")]
    Range {
        /// The longest range accepted, in days.
        max_days: u64,
    },
    /// The store failed (wrong key, damaged row, I/O).
    #[error(transparent)]
    Store(#[from] StoreError),
}

#[cfg(test)]
mod tests;
