//! The eligibility screen as a self-contained, printable HTML page (no scripts, no external
//! resources).

use std::fmt::Write;

use shikaku_core::screen::{CardState, EligibilityScreen, ProvenanceState, Severity};

fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

const CSS: &str = "
body{font-family:'Noto Sans CJK JP','Hiragino Sans','Yu Gothic',sans-serif;background:#fff;color:#000;
 margin:0;padding:24px;font-size:22px;line-height:1.5}
h1{font-size:34px;margin:0 0 8px} h2{font-size:26px;margin:28px 0 8px;border-bottom:3px solid #000}
.notice{border:4px solid #000;padding:12px 16px;font-weight:bold;font-size:24px;margin:12px 0}
.badge{display:inline-block;padding:2px 12px;border-radius:6px;font-weight:bold;font-size:20px;margin-left:8px}
.verified{background:#0b5d1e;color:#fff} .hand{background:#fff;color:#000;border:3px dashed #000}
.invalid{background:#b00020;color:#fff} .expired{background:#fff;color:#8a4b00;border:3px solid #8a4b00} .card-ok{background:#0b5d1e;color:#fff}
.card-none{background:#555;color:#fff} .card-bad{background:#b00020;color:#fff}
.card-unlinked{background:#fff;color:#e65100;border:3px solid #e65100} .card-test{background:#6a1b9a;color:#fff}
table{border-collapse:collapse;width:100%} th,td{text-align:left;padding:6px 8px;border-bottom:1px solid #444;vertical-align:top}
th{width:34%;font-weight:normal;color:#222} td{font-weight:bold;font-size:26px} .sub{font-weight:normal;font-size:18px;color:#333}
.warn{background:#fff3c4;border-left:8px solid #000;padding:8px 12px;margin:6px 0} .crit{background:#ffd6d6}
.info{background:#eef3fb;border-left:8px solid #555;padding:8px 12px;margin:6px 0}
.meta{font-size:20px}
@media print{body{padding:0;font-size:16pt} .badge{border:2px solid #000}}
";

fn badge_class(p: ProvenanceState) -> &'static str {
    match p {
        ProvenanceState::Verified => "verified",
        ProvenanceState::HandEntered => "hand",
        ProvenanceState::SignatureInvalid => "invalid",
        ProvenanceState::SignedExpired => "expired",
    }
}

/// The card badge's class, one per state, in the apps' colours (Android sample and iOS
/// `EligibilityView`): green 照合済み, orange (outlined) カード真正・本人未照合, purple for a
/// test certificate, grey 未照合, red 照合不一致.
fn card_class(state: CardState) -> &'static str {
    match state {
        CardState::Checked => "card-ok",
        CardState::GenuineNotLinked => "card-unlinked",
        CardState::TestAnchor => "card-test",
        CardState::NotChecked => "card-none",
        CardState::Mismatch => "card-bad",
    }
}

/// The screen as a self-contained, printable HTML page.
pub fn screen_html(s: &EligibilityScreen) -> String {
    let mut o = String::new();
    let _ = write!(
        o,
        "<!doctype html><html lang=\"ja\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">\
         <title>資格情報 — {}</title><style>{CSS}</style></head><body>",
        esc(&s.name)
    );
    let card_class = card_class(s.card.state);
    let _ = write!(
        o,
        "<h1>資格情報 {}（{}）</h1>",
        esc(&s.name),
        esc(s.relationship)
    );
    let _ = write!(
        o,
        "<div class=\"notice\" id=\"fixed-notice\">{}</div>",
        esc(&s.fixed_notice)
    );
    let _ = write!(
        o,
        "<p class=\"meta\">マイナンバーカード <span class=\"badge {card_class}\" id=\"card-badge\">{}</span> {}</p>",
        esc(&s.card.label),
        esc(s.card.checked_at.as_deref().unwrap_or(""))
    );
    if let Some(f) = &s.freshness {
        let _ = write!(
            o,
            "<p class=\"meta\" id=\"freshness\">{} {}（{}）</p>",
            f.heading,
            esc(&f.label),
            esc(&f.age)
        );
    }
    for n in &s.notices {
        // Information is not styled as a warning.
        let class = match n.severity {
            Severity::Critical => "warn crit",
            Severity::Warning => "warn",
            Severity::Info => "info",
        };
        let _ = write!(o, "<div class=\"{class}\">{}</div>", esc(&n.message));
    }
    for sec in &s.sections {
        let _ = write!(o, "<h2>{}", esc(&sec.title));
        if let (Some(p), Some(label)) = (sec.provenance, sec.provenance_label) {
            let _ = write!(
                o,
                "<span class=\"badge {}\">{}</span>",
                badge_class(p),
                esc(label)
            );
        }
        o.push_str("</h2><table>");
        for f in &sec.fields {
            let _ = write!(
                o,
                "<tr id=\"{}\"><th>{}</th><td>{}",
                f.id,
                esc(f.label),
                esc(&f.value)
            );
            if let Some(x) = &f.secondary {
                let _ = write!(o, " <span class=\"sub\">（{}）</span>", esc(x));
            }
            o.push_str("</td></tr>");
        }
        o.push_str("</table>");
    }
    o.push_str("</body></html>\n");
    o
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Each card state has its own look: a genuine card not linked to the member and a test
    /// certificate are not greyed like a card never checked.
    #[test]
    fn every_card_state_has_its_own_badge() {
        let states = [
            CardState::Checked,
            CardState::GenuineNotLinked,
            CardState::TestAnchor,
            CardState::NotChecked,
            CardState::Mismatch,
        ];
        let classes: std::collections::HashSet<_> = states.iter().map(|s| card_class(*s)).collect();
        assert_eq!(classes.len(), states.len());
        for class in classes {
            assert!(CSS.contains(&format!(".{class}{{")), "{class} has no style");
        }
    }

    #[test]
    fn html_escapes() {
        assert_eq!(
            esc("<a href='x'>&\"</a>"),
            "&lt;a href=&#39;x&#39;&gt;&amp;&quot;&lt;/a&gt;"
        );
    }
}
