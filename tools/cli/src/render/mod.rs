//! Renderers of the core's view models, without logic of their own: everything shown comes
//! from `EligibilityScreen`, `HouseholdOverview`, `Guidance` and the sync steps. Badges use the
//! labels the screen view model carries, so every output speaks one vocabulary.

pub mod html;
pub mod json;
pub mod text;
