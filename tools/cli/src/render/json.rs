//! The view models as pretty-printed JSON, one value per output, ending in a newline.

use anyhow::Result;
use shikaku_core::screen::{EligibilityScreen, HouseholdOverview};

/// A member's screen as JSON.
pub fn screen_json(s: &EligibilityScreen) -> Result<String> {
    Ok(serde_json::to_string_pretty(s)? + "\n")
}

/// The household overview as JSON.
pub fn household_json(h: &HouseholdOverview) -> Result<String> {
    Ok(serde_json::to_string_pretty(h)? + "\n")
}
