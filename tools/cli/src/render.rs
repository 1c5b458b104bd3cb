//! The plain `list` output: one line per member with the ids to type in other commands.

use shikaku_core::eligibility::{Member, Provenance};

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
