//! The eligibility screen's building blocks: 和暦 dates, the expiry and "both held" rules,
//! and the guidance on what to present at the clinic. Everything here is a pure function of
//! its inputs and `today`; nothing reads the clock. The date rules and their sources are in
//! docs/dates.md.

pub mod guidance;
pub mod rules;
pub mod view;
pub mod wareki;

pub use guidance::{
    ClinicSituation, Guidance, GuidanceOption, MemberSituation, Presentation, SwitchChecklist,
    switch_checklist,
};
pub use rules::{ExpiryState, Notice, NoticeCode, Severity, member_notices};
pub use view::{
    CardBadge, CardState, EligibilityScreen, Freshness, HouseholdOverview, MemberSummary,
    ProvenanceState, ScreenField, ScreenSection, household_overview, japan_today, member_guidance,
    member_screen, provenance_state,
};
pub use wareki::{Era, Wareki, format_wareki, format_western, to_wareki};
