//! One read of the household for every screen: each member, their records and card check read
//! once, the sync state read once and the trust list verified once; the overview and each
//! member's screen and situation (for the guidance and the checklist) are then built from it
//! without touching the store again, with what the household decides about each member's
//! records (`rules::household_contexts`).

use std::cell::OnceCell;

use chrono::{DateTime, Utc};

use super::notices_household::household_notices_in;
use super::overview::{HouseholdOverview, overview_from};
use super::rules::{HouseholdContext, HouseholdMember, Notice, household_contexts};
use super::situation::MemberSituation;
use super::view::{EligibilityScreen, SignatureCheck, check_signature, screen_for, situation_for};
use crate::clock::japan_today;
use crate::document::TrustList;
use crate::eligibility::{EligibilityRecord, Member, MemberId};
use crate::store::{RecordList, RowRef, Store, StoreError, StoredCardCheck};

/// One member as read.
#[derive(Debug)]
pub(super) struct MemberRead {
    pub member: Member,
    pub records: RecordList,
    /// The card check, or why it could not be read (a damaged check fails this member's
    /// screen and the overview, as reading it alone would).
    pub card: Result<Option<StoredCardCheck>, StoreError>,
    /// The notices this member gets because of another member of the household.
    pub from_household: Vec<Notice>,
    /// What the rest of the household decides about this member's records.
    pub household: HouseholdContext,
    /// Each record's signature checked at the snapshot's time, in the order of `records`
    /// (checked once, when the screen or the situation first asks: [`HouseholdSnapshot::signatures`]).
    signatures: OnceCell<Vec<SignatureCheck>>,
}

/// The household as read once at `now`, from which [`HouseholdSnapshot::overview`] and every
/// [`HouseholdSnapshot::member_screen`] are built: build the overview and the screens the user
/// may open from one snapshot instead of reading the store again for each.
#[derive(Debug)]
pub struct HouseholdSnapshot {
    pub(super) now: DateTime<Utc>,
    pub(super) trust: Option<TrustList>,
    pub(super) members: Vec<MemberRead>,
    /// Member rows that could not be read.
    pub(super) corrupt: Vec<RowRef>,
    /// When the last sync succeeded.
    pub(super) last_sync: Option<DateTime<Utc>>,
    /// Each member's screen (in the order of `members`), built once when first asked for.
    screens: OnceCell<Vec<Result<EligibilityScreen, StoreError>>>,
}

impl HouseholdSnapshot {
    /// Reads the household at `now`: every member in display order with their records and
    /// card check, the sync state, and the trust list verified with the pinned root.
    pub fn read(store: &Store, now: DateTime<Utc>) -> Result<HouseholdSnapshot, StoreError> {
        store.read_consistent(|store| Self::read_in(store, now))
    }

    fn read_in(store: &Store, now: DateTime<Utc>) -> Result<HouseholdSnapshot, StoreError> {
        let sync = store.sync_state()?;
        let trust = sync.trust_list(now);
        let household = store.household()?;
        // One statement for every record and one for every card check, whatever the size of
        // the household.
        let mut records = store.records_by_member()?;
        let mut checks = store.card_checks_by_member()?;
        let mut members = Vec::with_capacity(household.members.len());
        for member in household.members {
            let key = member.id.to_string();
            let records = records.remove(&key).unwrap_or(RecordList {
                records: Vec::new(),
                corrupt: Vec::new(),
            });
            let card = checks.remove(&key).transpose();
            members.push(MemberRead {
                member,
                records,
                card,
                from_household: Vec::new(),
                household: HouseholdContext::default(),
                signatures: OnceCell::new(),
            });
        }
        let held: Vec<Vec<EligibilityRecord>> = members
            .iter()
            .map(|m| m.records.records.iter().map(|r| r.record.clone()).collect())
            .collect();
        let family: Vec<HouseholdMember<'_>> = members
            .iter()
            .zip(&held)
            .map(|(m, records)| HouseholdMember {
                member: &m.member.data,
                records,
            })
            .collect();
        let contexts = household_contexts(&family);
        let notices = household_notices_in(&family, &contexts, japan_today(now));
        for ((m, n), c) in members.iter_mut().zip(notices).zip(contexts) {
            m.from_household = n;
            m.household = c;
        }
        Ok(HouseholdSnapshot {
            now,
            trust,
            members,
            corrupt: household.corrupt,
            last_sync: sync.last_success,
            screens: OnceCell::new(),
        })
    }

    /// The members that read correctly, in display order.
    pub fn members(&self) -> impl Iterator<Item = &Member> {
        self.members.iter().map(|m| &m.member)
    }

    /// The household overview.
    pub fn overview(&self) -> Result<HouseholdOverview, StoreError> {
        overview_from(self)
    }

    /// The eligibility screen of `member`: [`StoreError::NotFound`] when the household has no
    /// such member, [`StoreError::Corrupt`] when its row (or its card check) is damaged.
    pub fn member_screen(&self, member: MemberId) -> Result<EligibilityScreen, StoreError> {
        let i = self.position(member)?;
        self.screens()
            .get(i)
            .cloned()
            .unwrap_or(Err(StoreError::NotFound { what: "member" }))
    }

    /// What `member` holds, as the guidance and the checklist see it, with what the rest of the
    /// household decides about their records (the same rule as their screen,
    /// `calendar::record_in_force`): [`StoreError::NotFound`] when the household has no such
    /// member, [`StoreError::Corrupt`] when its row (or its card check) is damaged.
    pub fn member_situation(&self, member: MemberId) -> Result<MemberSituation, StoreError> {
        let m = self
            .members
            .get(self.position(member)?)
            .ok_or(StoreError::NotFound { what: "member" })?;
        let check = m.card.clone()?;
        Ok(situation_for(
            &m.member,
            &m.records.records,
            self.signatures(m),
            check.as_ref(),
            &m.household,
            self.now,
        ))
    }

    /// Every member's screen in display order, by value, as [`HouseholdSnapshot::member_screen`]
    /// gives each (a damaged row or card check fails that member's only): for a front end that
    /// takes the overview first and then every screen, without copying them.
    pub fn into_member_screens(self) -> Vec<Result<EligibilityScreen, StoreError>> {
        self.screens();
        self.screens.into_inner().unwrap_or_default()
    }

    /// The index of `member` in `members`, or why it is not there.
    fn position(&self, member: MemberId) -> Result<usize, StoreError> {
        let key = member.to_string();
        self.members
            .iter()
            .position(|m| m.member.id == member)
            .ok_or_else(|| match self.corrupt.iter().find(|r| r.id == key) {
                Some(row) => StoreError::Corrupt { row: row.clone() },
                None => StoreError::NotFound { what: "member" },
            })
    }

    /// Every member's screen, in display order (built once).
    pub(super) fn screens(&self) -> &[Result<EligibilityScreen, StoreError>] {
        self.screens
            .get_or_init(|| self.members.iter().map(|m| self.screen(m)).collect())
    }

    /// The screen of one member as read.
    fn screen(&self, m: &MemberRead) -> Result<EligibilityScreen, StoreError> {
        let check = m.card.clone()?;
        Ok(screen_for(
            m,
            self.signatures(m),
            check.as_ref(),
            self.last_sync,
            self.now,
        ))
    }

    /// Each of `m`'s records' signature checked at the snapshot's time against its trust list,
    /// once for the screen and the situation alike.
    fn signatures<'a>(&self, m: &'a MemberRead) -> &'a [SignatureCheck] {
        m.signatures.get_or_init(|| {
            m.records
                .records
                .iter()
                .map(|r| check_signature(r, self.trust.as_ref(), self.now))
                .collect()
        })
    }
}
