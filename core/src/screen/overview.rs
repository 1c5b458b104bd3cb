//! The household overview: one line per member (the documents held, the card badge, the most
//! urgent notice) and the last sync, built from each member's screen.

use chrono::{DateTime, Utc};
use serde::Serialize;

use super::rules::Severity;
use super::sections::{ENDED_FIELD_ID, NOT_STARTED_FIELD_ID, age, japan_time};
use super::snapshot::HouseholdSnapshot;
use super::view::{Freshness, ScreenSection};
use crate::store::{Store, StoreError};

/// One line of the household overview.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MemberSummary {
    /// The member's id.
    pub member_id: String,
    /// 氏名.
    pub name: String,
    /// 本人 or 家族.
    pub relationship: &'static str,
    /// The documents held, with their provenance badge text.
    pub documents: Vec<String>,
    /// The card badge text.
    pub card: String,
    /// The most urgent notice, if any.
    pub top_notice: Option<String>,
    /// How urgent [`MemberSummary::top_notice`] is (an Info notice is not a warning).
    pub top_notice_severity: Option<Severity>,
    /// 「ほかにお知らせがN件あります（…の画面で確認してください）」 when the member's screen has
    /// notices besides the top one: the overview shows one line per member, and the others (a
    /// 資格確認書 to return, a share to type) are on the member's screen only.
    pub more_notices: Option<String>,
}

/// The household at a glance.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct HouseholdOverview {
    /// Members in display order.
    pub members: Vec<MemberSummary>,
    /// Rows that could not be read (never hiding the others).
    pub damaged_rows: usize,
    /// 最終取得日時 of the last sync, if any.
    pub last_sync: Option<Freshness>,
}

/// One document of the overview: its title and provenance badge, then its 保険者名 (unless the
/// title is that name, as for a 公費 受給者証) and, for a record that has ended or not started yet,
/// the screen's mark (`sections::status_field`), so that two records of one kind can be told apart
/// — at 75 the former insurer's 資格確認書 and the 後期高齢者医療 one. `None` for the person section.
fn document_line(sec: &ScreenSection) -> Option<String> {
    let mut line = format!("{}（{}）", sec.title, sec.provenance_label?);
    let field = |id: &str| sec.fields.iter().find(|f| f.id == id);
    if let Some(name) =
        field("insurer_name").filter(|f| !f.value.is_empty() && f.value != sec.title)
    {
        line.push_str(&format!(" {}", name.value));
    }
    if let Some(ended) = field(ENDED_FIELD_ID).or_else(|| field(NOT_STARTED_FIELD_ID)) {
        line.push_str(&format!("【{}", ended.value));
        if let Some(day) = &ended.secondary {
            line.push_str(&format!("・{day}"));
        }
        line.push('】');
    }
    Some(line)
}

/// The household overview at `now` (one read of the household; to build member screens too,
/// read a [`HouseholdSnapshot`] once and build both from it).
pub fn household_overview(
    store: &Store,
    now: DateTime<Utc>,
) -> Result<HouseholdOverview, StoreError> {
    HouseholdSnapshot::read(store, now)?.overview()
}

/// The overview built from a snapshot: one line per member, from that member's screen.
pub(super) fn overview_from(snap: &HouseholdSnapshot) -> Result<HouseholdOverview, StoreError> {
    let mut members = Vec::with_capacity(snap.members.len());
    let mut damaged = snap.corrupt.len();
    for (m, s) in snap.members.iter().zip(snap.screens()) {
        let s = s.as_ref().map_err(Clone::clone)?;
        damaged += m.records.corrupt.len();
        members.push(MemberSummary {
            member_id: s.member_id.clone(),
            name: s.name.clone(),
            relationship: s.relationship,
            documents: s.sections.iter().filter_map(document_line).collect(),
            card: s.card.label.clone(),
            top_notice: s.notices.first().map(|n| n.message.clone()),
            top_notice_severity: s.notices.first().map(|n| n.severity),
            more_notices: super::text_ja::more_notices(s.notices.len().saturating_sub(1)),
        });
    }
    let last_sync = snap.last_sync.map(|t| Freshness {
        heading: super::view::FETCHED_AT,
        label: japan_time(t),
        age: age(t, snap.now),
    });
    Ok(HouseholdOverview {
        members,
        damaged_rows: damaged,
        last_sync,
    })
}
