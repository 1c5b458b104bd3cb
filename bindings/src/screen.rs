//! The screen view models as uniffi records (the apps lay them out without logic of their own),
//! and the `Household` methods that return them.

use chrono::Utc;
use shikaku_core::screen::{
    self, Answer, CardBadge, CardState, ClinicSituation, EligibilityScreen, Freshness, Guidance,
    GuidanceAction, HouseholdOverview, MemberSummary, Notice, NoticeCode, Presentation,
    ProvenanceState, ScreenField, ScreenSection, Severity, SwitchChecklist, TodoStatus,
};

use crate::convert::date;
use crate::error::ShikakuError;
use crate::household::Household;

/// One labelled value of the eligibility screen.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct ScreenFieldView {
    /// Stable id for the apps (e.g. `insurer_number`).
    pub id: String,
    /// The Japanese label.
    pub label: String,
    /// The value as shown (dates in 和暦).
    pub value: String,
    /// A second form when useful (dates in 西暦).
    pub secondary: Option<String>,
}

/// A titled group of fields: the person, or one document.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct ScreenSectionView {
    /// Section title (e.g. 資格確認書).
    pub title: String,
    /// For a record section: its provenance; `None` for the person section.
    pub provenance: Option<ProvenanceState>,
    /// Badge text for `provenance` (発行元の署名を確認済み / 手入力・未検証 / 署名が無効).
    pub provenance_label: Option<String>,
    /// The fields in display order.
    pub fields: Vec<ScreenFieldView>,
}

/// The card-check badge.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct CardBadgeView {
    /// State.
    pub state: CardState,
    /// Badge text (カード照合済み / 未照合 / 照合不一致).
    pub label: String,
    /// When the card was checked (和暦 and time, Japan time).
    pub checked_at: Option<String>,
}

/// How fresh the data is.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct FreshnessView {
    /// What the time is, to head it: 「最終取得日時」 for data fetched by a sync, 「入力日時」 for
    /// hand-entered data (typed in, not fetched).
    pub heading: String,
    /// The time itself (最終取得日時 or 入力日時), Japan time.
    pub label: String,
    /// Its age in words (e.g. 3日前).
    pub age: String,
}

/// A warning or notice with its Japanese message.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct NoticeView {
    /// Which rule produced it.
    pub code: NoticeCode,
    /// How urgent it is.
    pub severity: Severity,
    /// The relevant date, `YYYY-MM-DD` (its meaning depends on `code`).
    pub date: String,
    /// The message in Japanese, dates in 和暦.
    pub message: String,
}

/// Everything the eligibility screen of one member shows.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct EligibilityScreenView {
    /// The member's id.
    pub member_id: String,
    /// 氏名.
    pub name: String,
    /// 本人 or 家族.
    pub relationship: String,
    /// The person section, then one section per record.
    pub sections: Vec<ScreenSectionView>,
    /// The card check badge.
    pub card: CardBadgeView,
    /// 最終取得日時 and its age.
    pub freshness: Option<FreshnessView>,
    /// The fixed notice on how the screen may be used (always shown).
    pub fixed_notice: String,
    /// Warnings and notices, most urgent first.
    pub notices: Vec<NoticeView>,
}

/// One line of the household overview.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct MemberSummaryView {
    /// The member's id.
    pub member_id: String,
    /// 氏名.
    pub name: String,
    /// 本人 or 家族.
    pub relationship: String,
    /// The documents held, each with its provenance badge text.
    pub documents: Vec<String>,
    /// The card badge text.
    pub card: String,
    /// The most urgent notice, if any.
    pub top_notice: Option<String>,
    /// How urgent `top_notice` is (lay out an Info notice as information, not as a warning).
    pub top_notice_severity: Option<Severity>,
    /// 「ほかにお知らせがN件あります（…）」 when the member's screen has notices besides the top
    /// one (show it under the top notice; the others are on the member's screen only).
    pub more_notices: Option<String>,
}

/// The household at a glance.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct HouseholdOverviewView {
    /// Members in display order.
    pub members: Vec<MemberSummaryView>,
    /// Rows that could not be read (never hiding the others).
    pub damaged_rows: u32,
    /// 最終取得日時 of the last sync, if any.
    pub last_sync: Option<FreshnessView>,
}

/// The household overview and every member's eligibility screen, built from one read of the
/// store (one `HouseholdSnapshot`, docs/decisions/0013-store-performance.md): a front end that
/// shows the list and then a member's screen shows them consistent with each other.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct HouseholdScreensView {
    /// The household at a glance.
    pub overview: HouseholdOverviewView,
    /// Each member's eligibility screen, in the order of `overview.members` (the same members,
    /// `member_id` for `member_id`).
    pub screens: Vec<EligibilityScreenView>,
}

/// One way to get insured care, with a Japanese explanation.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct GuidanceOptionView {
    /// What to present.
    pub presentation: Presentation,
    /// Never enough on its own: only together with the physical My Number Card (show it so).
    pub never_alone: bool,
    /// What to do, in Japanese.
    pub explanation: String,
}

/// Something to do outside the clinic.
#[uniffi::remote(Enum)]
pub enum GuidanceAction {
    /// Coverage ended by a 資格喪失日: join the new insurance, return the 資格確認書.
    JoinNewInsurance,
    /// Apply for a new My Number Card.
    NewCard,
    /// Renew the 利用者証明用電子証明書 at the 市区町村.
    RenewCertificate,
    /// Apply again for the 保険証利用.
    RegisterAgain,
    /// Ask the insurer for a 資格確認書.
    RequestQualificationCertificate,
    /// The 資格確認書 expired: ask the insurer for the new one.
    AskForNewQualificationCertificate,
    /// Two insurance records of different 資格 are both in force: type the date that tells
    /// which is current.
    EnterMissingDate,
}

/// One thing to do, with its Japanese text.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct GuidanceStepView {
    /// What to do.
    pub action: GuidanceAction,
    /// How, in Japanese.
    pub explanation: String,
}

/// What to present at the clinic, best first, from what the member holds.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct GuidanceView {
    /// Why the clinic cannot check cards online, when it cannot (Japanese).
    pub clinic_problem: Option<String>,
    /// The options, best first; never empty.
    pub options: Vec<GuidanceOptionView>,
    /// Documents to present as well (each 公費 医療証), in Japanese.
    pub also_present: Vec<String>,
    /// What a card check on this phone showed, or that there was none (never needed to see a
    /// doctor); `None` when no card is on record.
    pub card_check: Option<String>,
    /// What to do outside the clinic, in order.
    pub to_do: Vec<GuidanceStepView>,
}

/// An answer in the switch checklist.
#[uniffi::remote(Enum)]
pub enum Answer {
    /// はい.
    Yes,
    /// いいえ.
    No,
    /// Not known from the data.
    Unknown,
}

/// Where a to-do item of the switch checklist stands.
#[uniffi::remote(Enum)]
pub enum TodoStatus {
    /// Already done.
    Done,
    /// To do.
    ToDo,
    /// Not needed.
    NotNeeded,
    /// Not known from the data: check it.
    Unknown,
}

/// One STEP of the switch checklist that was reached.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct ChecklistStepView {
    /// 1, 2 or 3.
    pub step: u8,
    /// The question, worded as in the insurer's checklist.
    pub question: String,
    /// The member's answer.
    pub answer: Answer,
    /// The answer in Japanese (はい / いいえ / 不明…).
    pub answer_label: String,
}

/// One item of the switch checklist's やることリスト.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct TodoItemView {
    /// 1, 2 or 3.
    pub number: u8,
    /// The item, worded as in the insurer's checklist.
    pub text: String,
    /// Where it stands.
    pub status: TodoStatus,
    /// The status in Japanese (済み / やること / 不要 / 要確認).
    pub status_label: String,
}

/// The switch checklist to the マイナ保険証, evaluated for a member.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct SwitchChecklistView {
    /// The STEPs reached, in order.
    pub steps: Vec<ChecklistStepView>,
    /// The three to-do items, numbered 1–3.
    pub items: Vec<TodoItemView>,
    /// The item numbers to do, in order (empty when the switch is complete). `u32`, not
    /// `u8`: a list of bytes would reach Kotlin and Python as a byte array.
    pub next: Vec<u32>,
    /// What to do next in the core's words: 「1 → 2」, 「なし」 only when nothing is left and
    /// nothing is unknown, else that the data cannot tell yet (show this, not an empty `next`
    /// as 「なし」).
    pub next_label: String,
    /// The checklist's ※ note, when it applies.
    pub note: Option<String>,
}

fn field(f: ScreenField) -> ScreenFieldView {
    ScreenFieldView {
        id: f.id.into(),
        label: f.label.into(),
        value: f.value,
        secondary: f.secondary,
    }
}

fn section(s: ScreenSection) -> ScreenSectionView {
    ScreenSectionView {
        title: s.title,
        provenance: s.provenance,
        provenance_label: s.provenance_label.map(Into::into),
        fields: s.fields.into_iter().map(field).collect(),
    }
}

pub(crate) fn badge(b: CardBadge) -> CardBadgeView {
    CardBadgeView {
        state: b.state,
        label: b.label,
        checked_at: b.checked_at,
    }
}

fn freshness(f: Freshness) -> FreshnessView {
    FreshnessView {
        heading: f.heading.to_string(),
        label: f.label,
        age: f.age,
    }
}

fn notice(n: Notice) -> NoticeView {
    NoticeView {
        code: n.code,
        severity: n.severity,
        date: date(n.date),
        message: n.message,
    }
}

impl From<EligibilityScreen> for EligibilityScreenView {
    fn from(s: EligibilityScreen) -> Self {
        EligibilityScreenView {
            member_id: s.member_id,
            name: s.name,
            relationship: s.relationship.into(),
            sections: s.sections.into_iter().map(section).collect(),
            card: badge(s.card),
            freshness: s.freshness.map(freshness),
            fixed_notice: s.fixed_notice,
            notices: s.notices.into_iter().map(notice).collect(),
        }
    }
}

fn summary(m: MemberSummary) -> MemberSummaryView {
    MemberSummaryView {
        member_id: m.member_id,
        name: m.name,
        relationship: m.relationship.into(),
        documents: m.documents,
        card: m.card,
        top_notice: m.top_notice,
        top_notice_severity: m.top_notice_severity,
        more_notices: m.more_notices,
    }
}

impl From<HouseholdOverview> for HouseholdOverviewView {
    fn from(o: HouseholdOverview) -> Self {
        HouseholdOverviewView {
            members: o.members.into_iter().map(summary).collect(),
            damaged_rows: u32::try_from(o.damaged_rows).unwrap_or(u32::MAX),
            last_sync: o.last_sync.map(freshness),
        }
    }
}

impl From<Guidance> for GuidanceView {
    fn from(g: Guidance) -> Self {
        GuidanceView {
            clinic_problem: g.clinic_problem,
            options: g
                .options
                .into_iter()
                .map(|o| GuidanceOptionView {
                    presentation: o.presentation,
                    never_alone: o.never_alone,
                    explanation: o.explanation,
                })
                .collect(),
            also_present: g.also_present,
            card_check: g.card_check,
            to_do: g
                .to_do
                .into_iter()
                .map(|s| GuidanceStepView {
                    action: s.action,
                    explanation: s.explanation,
                })
                .collect(),
        }
    }
}

impl From<SwitchChecklist> for SwitchChecklistView {
    fn from(c: SwitchChecklist) -> Self {
        let next_label = c.next_ja();
        SwitchChecklistView {
            steps: c
                .steps
                .into_iter()
                .map(|s| ChecklistStepView {
                    step: s.step,
                    question: s.question.into(),
                    answer: s.answer,
                    answer_label: s.answer.label_ja().into(),
                })
                .collect(),
            items: c
                .items
                .into_iter()
                .map(|i| TodoItemView {
                    number: i.number,
                    text: i.text.into(),
                    status: i.status,
                    status_label: i.status.label_ja().into(),
                })
                .collect(),
            next_label,
            next: c.next.into_iter().map(u32::from).collect(),
            note: c.note.map(Into::into),
        }
    }
}

#[uniffi::export]
impl Household {
    /// The eligibility screen of a member, now.
    pub fn screen(&self, member_id: String) -> Result<EligibilityScreenView, ShikakuError> {
        let id = crate::convert::member_id(&member_id)?;
        Ok(screen::member_screen(&self.store(), id, Utc::now())?.into())
    }

    /// The household overview, now.
    pub fn overview(&self) -> Result<HouseholdOverviewView, ShikakuError> {
        Ok(screen::household_overview(&self.store(), Utc::now())?.into())
    }

    /// The household overview and every member's screen, now, from one read of the store: what
    /// the list shows of a member is what that member's screen shows, even if a sync or a card
    /// check is stored in between (two calls to `overview` and `screen` are two reads). Fails
    /// when `overview` fails: damaged member rows and records are counted in `damaged_rows`
    /// (a damaged member has no line and no screen), a damaged card check fails the read.
    pub fn overview_with_screens(&self) -> Result<HouseholdScreensView, ShikakuError> {
        // The store is held for the read only; the views are built after it is released.
        let snapshot = screen::HouseholdSnapshot::read(&self.store(), Utc::now())?;
        let overview = snapshot.overview()?;
        let screens = snapshot
            .into_member_screens()
            .into_iter()
            .map(|s| s.map(Into::into))
            .collect::<Result<Vec<EligibilityScreenView>, _>>()?;
        Ok(HouseholdScreensView {
            overview: overview.into(),
            screens,
        })
    }

    /// What the member should present at a clinic in the given situation, best first, from
    /// what the member holds (a card check on this phone is not needed).
    pub fn guidance(
        &self,
        member_id: String,
        clinic: ClinicSituation,
    ) -> Result<GuidanceView, ShikakuError> {
        let id = crate::convert::member_id(&member_id)?;
        Ok(screen::member_guidance(&self.store(), id, &clinic, Utc::now())?.into())
    }

    /// The switch checklist to the マイナ保険証 (STEP1–3 and the やることリスト) for a member,
    /// now, from what the member holds.
    pub fn checklist(&self, member_id: String) -> Result<SwitchChecklistView, ShikakuError> {
        let id = crate::convert::member_id(&member_id)?;
        Ok(screen::member_checklist(&self.store(), id, Utc::now())?.into())
    }
}
