//! shikaku-ffi: the uniffi exports of `shikaku-core` for the Android and iOS apps.
//!
//! A thin adapter: every function converts FFI types to core types, calls the core, and
//! converts back. No rule of the domain lives here.
//!
//! - [`Household`]: the encrypted household store, opened with a platform [`KeyStore`]:
//!   members, records (hand entry with validation), card checks, sync, screens, guidance and
//!   the QR payload.
//! - The three platform seams as foreign traits: [`KeyStore`], [`CardTransport`],
//!   [`HttpTransport`] (`Send + Sync`, blocking, called from a background thread).
//! - One error type for every exported function: [`ShikakuError`]. Its messages carry no
//!   personal data.
//! - With the `clinic-desk` cargo feature only (a clinic tablet build, off for the patient's
//!   phone): the clinic desk, `clinic::ClinicDesk`.
//! - With the `testing` cargo feature only: a virtual My Number Card and signed test documents
//!   for the host binding tests (`testing` module).

mod card;
#[cfg(feature = "clinic-desk")]
pub mod clinic;
mod convert;
mod error;
mod household;
mod inputs;
mod platform;
mod screen;
mod sync;
#[cfg(feature = "testing")]
mod testing;

pub use card::{
    BasicInfoOutcome, CardCheckOptions, CardCheckResult, CardMatch, CardStatusInfo, FieldCompare,
    PinState, card_status,
};
pub use error::{FieldProblem, ShikakuError};
pub use household::{Household, MemberInfo, RecordInfo, destroy_store};
pub use inputs::{
    ElderlyInput, LimitInput, MemberInput, PublicExpenseInput, RecordInput, validate_member,
    validate_record,
};
pub use platform::{
    CardTransport, HttpError, HttpHeader, HttpMethod, HttpRequest, HttpResponse, HttpTransport,
    KeyStore, KeyStoreError, TransportError,
};
pub use screen::{
    CardBadgeView, ChecklistStepView, EligibilityScreenView, FreshnessView, GuidanceOptionView,
    GuidanceStepView, GuidanceView, HouseholdOverviewView, HouseholdScreensView, MemberSummaryView,
    NoticeView, ScreenFieldView, ScreenSectionView, SwitchChecklistView, TodoItemView,
};
pub use sync::{SyncOutcome, SyncSettings, SyncStatus};
#[cfg(feature = "testing")]
pub use testing::{
    ReferenceIssuer, TestIssuer, VirtualCardHandle, reference_issuer, test_issuer, virtual_card,
    virtual_card_test_ca,
};

uniffi::setup_scaffolding!();
