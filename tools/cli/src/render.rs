//! Plain-text rendering of members and records for the terminal.

use std::fmt::Write;

use chrono::NaiveDate;
use shikaku_core::eligibility::{EligibilityRecord, Member, Provenance, StoredRecord};

/// Terminal width of `s`: ASCII counts 1, everything else (kanji, kana) 2.
fn width(s: &str) -> usize {
    s.chars().map(|c| if c.is_ascii() { 1 } else { 2 }).sum()
}

fn row(out: &mut String, label: &str, value: &str) {
    let pad = 18usize.saturating_sub(width(label));
    let _ = writeln!(out, "    {label}{}{value}", " ".repeat(pad));
}

fn date(d: Option<NaiveDate>) -> String {
    d.map(|d| d.format("%Y-%m-%d").to_string())
        .unwrap_or_else(|| "—".into())
}

/// The provenance badge for the plain `list` output, which does not verify signatures: a signed
/// record is only 発行元の署名付き here; `show` and `household` re-verify and may say 確認済み.
pub fn badge(p: &Provenance) -> &'static str {
    match p {
        Provenance::HandEntered { .. } => "手入力・未検証",
        Provenance::IssuerSigned { .. } => "発行元の署名付き・未検証",
    }
}

/// One member's header line.
pub fn member_line(m: &Member, records: usize) -> String {
    format!(
        "{}  {}  {} ({})  生年月日 {}  性別 {}  records: {}",
        m.id,
        m.data.relationship.label_ja(),
        m.data.name,
        m.data.kana,
        m.data.birth_date.format("%Y-%m-%d"),
        m.data.sex.label_ja(),
        records
    )
}

/// Every field of a record.
pub fn record(r: &StoredRecord) -> String {
    let mut out = String::new();
    let e: &EligibilityRecord = &r.record;
    let _ = writeln!(
        out,
        "  {}  [{}]  id {}",
        e.kind.label_ja(),
        badge(&r.provenance),
        r.id
    );
    row(
        &mut out,
        "保険者番号",
        &format!(
            "{} ({})",
            e.insurer_number,
            e.insurer_number.scheme().label_ja()
        ),
    );
    row(&mut out, "保険者名称", &e.insurer_name);
    row(&mut out, "記号", e.symbol.as_deref().unwrap_or("—"));
    row(&mut out, "番号", &e.number);
    row(&mut out, "枝番", e.branch.as_deref().unwrap_or("—"));
    row(&mut out, "本人・家族の別", e.relationship.label_ja());
    if let Some(n) = &e.insured_name {
        row(&mut out, "被保険者氏名", n);
    }
    row(&mut out, "資格取得年月日", &date(e.acquired_on));
    row(
        &mut out,
        "一部負担金割合",
        &e.copay
            .map(|c| format!("{}割", c.percent() / 10))
            .unwrap_or_else(|| "法定負担割合のとおり".into()),
    );
    row(&mut out, "有効開始年月日", &date(e.valid_from));
    row(&mut out, "有効期限", &date(e.valid_until));
    row(&mut out, "交付年月日", &date(e.issued_on));
    if let Some(el) = &e.elderly {
        row(
            &mut out,
            "高齢受給者",
            &format!(
                "{}割  発効期日 {}  有効期限 {}",
                el.copay.percent() / 10,
                el.effective_from.format("%Y-%m-%d"),
                date(el.valid_until)
            ),
        );
    }
    if let Some(l) = &e.limit {
        row(
            &mut out,
            "限度額適用区分",
            &format!("{}  発効期日 {}", l.category, date(l.effective_from)),
        );
    }
    if e.preschool {
        row(&mut out, "未就学区分", "未就学");
    }
    if let Provenance::HandEntered { entered_at } = &r.provenance {
        row(
            &mut out,
            "入力日時",
            &entered_at.format("%Y-%m-%d %H:%M UTC").to_string(),
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn widths() {
        assert_eq!(width("abc"), 3);
        assert_eq!(width("保険"), 4);
    }
}
