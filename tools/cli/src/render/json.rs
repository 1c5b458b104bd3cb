//! The view models as pretty-printed JSON, one value per output, ending in a newline.

use anyhow::Result;
use serde_json::{Map, Value};
use shikaku_core::screen::{EligibilityScreen, Guidance, HouseholdOverview, SwitchChecklist};

/// A member's screen as JSON.
pub fn screen_json(s: &EligibilityScreen) -> Result<String> {
    Ok(serde_json::to_string_pretty(s)? + "\n")
}

/// The household overview as JSON.
pub fn household_json(h: &HouseholdOverview) -> Result<String> {
    Ok(serde_json::to_string_pretty(h)? + "\n")
}

/// The guidance for one or more clinic situations, as a JSON array of
/// `{"clinic": name, "guidance": …}`.
pub fn guidance_json(all: &[(&str, Guidance)]) -> Result<String> {
    let mut entries = Vec::with_capacity(all.len());
    for (clinic, guidance) in all {
        let mut entry = Map::new();
        entry.insert("clinic".into(), Value::from(*clinic));
        entry.insert("guidance".into(), serde_json::to_value(guidance)?);
        entries.push(Value::Object(entry));
    }
    Ok(serde_json::to_string_pretty(&entries)? + "\n")
}

/// The switch checklist of one or more members, as a JSON array of
/// `{"member_id": id, "name": name, "checklist": …}`.
pub fn checklist_json(all: &[(String, String, SwitchChecklist)]) -> Result<String> {
    let mut entries = Vec::with_capacity(all.len());
    for (member_id, name, checklist) in all {
        let mut entry = Map::new();
        entry.insert("member_id".into(), Value::from(member_id.as_str()));
        entry.insert("name".into(), Value::from(name.as_str()));
        entry.insert("checklist".into(), serde_json::to_value(checklist)?);
        entries.push(Value::Object(entry));
    }
    Ok(serde_json::to_string_pretty(&entries)? + "\n")
}
