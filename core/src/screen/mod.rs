//! The eligibility screen's building blocks: 和暦 dates, calendar arithmetic, the expiry and
//! "both held" notices, the guidance on what to present at the clinic and the switch
//! checklist. Everything here is a pure function of its inputs and `today`; nothing reads the
//! clock. The date rules and their sources are in docs/dates.md.

pub mod calendar;
pub mod checklist;
pub mod guidance;
mod notices_card;
mod notices_household;
mod notices_record;
mod overview;
pub mod rules;
mod sections;
mod situation;
mod snapshot;
mod takeover;
mod text_ja;
mod to_do;
pub mod view;
pub mod wareki;

pub use calendar::ExpiryState;
pub use checklist::{
    Answer, ChecklistStep, SwitchChecklist, TodoItem, TodoStatus, switch_checklist,
};
pub use guidance::{
    AppCopy, ClinicSituation, DependentStatusLoss, Guidance, GuidanceAction, GuidanceOption,
    GuidanceStep, MemberSituation, PhoneCheck, Presentation,
};
pub use rules::{Notice, NoticeCode, Severity, member_notices};
pub use snapshot::HouseholdSnapshot;
pub use view::{
    CardBadge, CardState, EligibilityScreen, Freshness, HouseholdOverview, MemberSummary,
    ProvenanceState, ScreenField, ScreenSection, household_overview, japan_today, member_checklist,
    member_guidance, member_screen, member_situation, provenance_state,
};
pub use wareki::{Era, Wareki, format_wareki, format_western, to_wareki};
