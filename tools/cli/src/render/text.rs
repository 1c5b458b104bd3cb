//! The view models for the terminal.

use std::fmt::Write;

use shikaku_core::eligibility::Member;
use shikaku_core::screen::{
    EligibilityScreen, Guidance, HouseholdOverview, Severity, SwitchChecklist,
};
use shikaku_core::sync::SyncStep;

fn width(s: &str) -> usize {
    s.chars().map(|c| if c.is_ascii() { 1 } else { 2 }).sum()
}

fn pad(label: &str, to: usize) -> String {
    format!("{label}{}", " ".repeat(to.saturating_sub(width(label))))
}

fn severity_mark(s: Severity) -> &'static str {
    match s {
        Severity::Critical => "!!",
        Severity::Warning => "! ",
        Severity::Info => "i ",
    }
}

/// The screen for the terminal.
pub fn screen_text(s: &EligibilityScreen) -> String {
    let mut o = String::new();
    let _ = writeln!(o, "━━ 資格情報  {}（{}） ━━", s.name, s.relationship);
    let _ = writeln!(o, "{}", s.fixed_notice);
    let card_time = s
        .card
        .checked_at
        .as_deref()
        .map(|t| format!(" {t}"))
        .unwrap_or_default();
    let _ = writeln!(o, "マイナンバーカード: {}{card_time}", s.card.label);
    if let Some(f) = &s.freshness {
        let _ = writeln!(o, "{}: {}（{}）", f.heading, f.label, f.age);
    }
    for n in &s.notices {
        let _ = writeln!(o, "{} {}", severity_mark(n.severity), n.message);
    }
    for sec in &s.sections {
        let _ = writeln!(o);
        match sec.provenance_label {
            Some(b) => {
                let _ = writeln!(o, "■ {}  [{b}]", sec.title);
            }
            None => {
                let _ = writeln!(o, "■ {}", sec.title);
            }
        }
        for f in &sec.fields {
            let second = f
                .secondary
                .as_deref()
                .map(|x| format!("（{x}）"))
                .unwrap_or_default();
            let _ = writeln!(o, "  {}{}{second}", pad(f.label, 22), f.value);
        }
    }
    o
}

/// The household overview for the terminal. Each member starts a line with their id (to type
/// in other commands; any unique prefix of 4 or more characters will do), then who they are
/// (`people`, the store's members, adds the kana, birth date and sex), the card badge, each
/// document with its provenance badge, and the most urgent notice.
pub fn household_text(h: &HouseholdOverview, people: &[Member]) -> String {
    let mut o = String::from("━━ 世帯の資格情報 ━━\n");
    let _ = writeln!(o, "登録している人: {}人", h.members.len());
    if let Some(f) = &h.last_sync {
        let _ = writeln!(o, "{}: {}（{}）", f.heading, f.label, f.age);
    }
    for m in &h.members {
        let _ = write!(o, "\n{}  {}  {}", m.member_id, m.relationship, m.name);
        if let Some(p) = people.iter().find(|p| p.id.to_string() == m.member_id) {
            let _ = write!(
                o,
                " ({})  生年月日 {}（{}）  性別 {}",
                p.data.kana,
                shikaku_core::screen::format_wareki(p.data.birth_date),
                shikaku_core::screen::format_western(p.data.birth_date),
                p.data.sex.label_ja()
            );
        }
        let _ = writeln!(o, "\n  カード: {}", m.card);
        for d in &m.documents {
            let _ = writeln!(o, "  ・{d}");
        }
        if let Some(n) = &m.top_notice {
            // Only a warning gets 「!」; information is marked as such.
            let mark = m.top_notice_severity.map_or("i ", severity_mark);
            let _ = writeln!(o, "  {mark} {n}");
        }
        if let Some(more) = &m.more_notices {
            let _ = writeln!(o, "  {more}");
        }
    }
    if h.damaged_rows > 0 {
        let _ = writeln!(
            o,
            "\n! {} 件のデータが読めませんでした（破損）",
            h.damaged_rows
        );
    }
    o
}

/// What to present, for the terminal: the options best first (「単独では不可」 on those shown
/// only with the card), what to present as well, what the card check on this phone adds, and
/// what to do.
pub fn guidance_text(g: &Guidance) -> String {
    let mut o = String::new();
    if let Some(p) = &g.clinic_problem {
        let _ = writeln!(o, "医療機関の状況: {p}");
    }
    let _ = writeln!(o, "窓口で見せるもの（上から順に）:");
    for (i, opt) in g.options.iter().enumerate() {
        let alone = if opt.never_alone {
            "［単独では不可・カードと一緒に］"
        } else {
            ""
        };
        let _ = writeln!(o, "{}. {alone}{}", i + 1, opt.explanation);
    }
    if !g.also_present.is_empty() {
        let _ = writeln!(o, "一緒に見せるもの:");
        for a in &g.also_present {
            let _ = writeln!(o, "・{a}");
        }
    }
    if let Some(c) = &g.card_check {
        let _ = writeln!(o, "カードの確認: {c}");
    }
    if !g.to_do.is_empty() {
        let _ = writeln!(o, "やること:");
        for s in &g.to_do {
            let _ = writeln!(o, "・{}", s.explanation);
        }
    }
    o
}

/// Seed 001's switch checklist of one member, for the terminal.
pub fn checklist_text(name: &str, c: &SwitchChecklist) -> String {
    let mut o = String::new();
    let _ = writeln!(o, "━━ マイナ保険証への切替チェックリスト  {name} ━━");
    for s in &c.steps {
        let _ = writeln!(o, "【STEP{}】{}", s.step, s.question);
        let _ = writeln!(o, "  → {}", s.answer.label_ja());
    }
    let _ = writeln!(o, "やることリスト:");
    for item in &c.items {
        let _ = writeln!(
            o,
            "  {} {}  ［{}］",
            item.number,
            item.text,
            item.status.label_ja()
        );
    }
    let _ = writeln!(o, "次にやること: {}", c.next_ja());
    if let Some(note) = c.note {
        let _ = writeln!(o, "※ {note}");
    }
    o
}

/// One step of a sync, as a progress line.
pub fn sync_step(s: &SyncStep) -> String {
    match s {
        SyncStep::TrustList { version } => {
            format!("trust list v{version} verified with the pinned root")
        }
        SyncStep::Challenge => "login challenge received".into(),
        SyncStep::CardSigned => "the card signed the challenge".into(),
        SyncStep::LoggedIn => "logged in".into(),
        SyncStep::NotModified => "no change since the last sync (304)".into(),
        SyncStep::Verified { count } => format!("{count} document(s) verified"),
        SyncStep::Stored { written, unchanged } => {
            format!("stored: {written} new or updated, {unchanged} unchanged")
        }
    }
}
