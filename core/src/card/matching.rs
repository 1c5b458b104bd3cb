//! Comparing the card's 基本4情報 with a stored member: name, birth date and sex, each as
//! `Match`, `FoldedMatch` or `Mismatch`, always keeping both forms for display (the kanji on the
//! card and in an insurer's system legitimately differ: 髙/高, 﨑/崎, …). Never a hard failure.

use serde::{Deserialize, Serialize};

use super::text_ap::{BasicInfo, CardSex};
use crate::eligibility::names::{NameComparison, NameMatch, compare_name};
use crate::eligibility::{MemberData, Sex};

/// One compared field: the outcome and both forms as shown.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldComparison {
    /// Equal, equal after folding, or different.
    pub outcome: NameMatch,
    /// The card's form.
    pub card: String,
    /// The stored member's form.
    pub stored: String,
}

impl From<NameComparison> for FieldComparison {
    fn from(c: NameComparison) -> Self {
        FieldComparison {
            outcome: c.outcome,
            card: c.card,
            stored: c.stored,
        }
    }
}

/// The card's 基本4情報 compared with a member. The address is not compared (records carry
/// none), and nothing here is stored unless the caller stores the whole check encrypted.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MemberMatch {
    /// 氏名.
    pub name: FieldComparison,
    /// 生年月日 (`YYYY-MM-DD` on both sides).
    pub birth_date: FieldComparison,
    /// 性別.
    pub sex: FieldComparison,
}

impl MemberMatch {
    /// The weakest of the three outcomes.
    pub fn overall(&self) -> NameMatch {
        let all = [self.name.outcome, self.birth_date.outcome, self.sex.outcome];
        if all.contains(&NameMatch::Mismatch) {
            NameMatch::Mismatch
        } else if all.contains(&NameMatch::FoldedMatch) {
            NameMatch::FoldedMatch
        } else {
            NameMatch::Match
        }
    }
}

fn exact(card: String, stored: String) -> FieldComparison {
    let outcome = if card == stored {
        NameMatch::Match
    } else {
        NameMatch::Mismatch
    };
    FieldComparison {
        outcome,
        card,
        stored,
    }
}

fn sex_label(s: CardSex) -> &'static str {
    match s {
        CardSex::Male => "男",
        CardSex::Female => "女",
        CardSex::NotApplicable => "適用不能",
        CardSex::Unknown => "不明",
    }
}

/// Compares the card's 基本4情報 with `member`.
pub fn match_member(info: &BasicInfo, member: &MemberData) -> MemberMatch {
    let card_birth = match info.birth_date() {
        Some(d) => crate::clock::iso_date(d),
        None => info.birth_date.clone(),
    };
    let sex_matches = matches!(
        (info.sex, member.sex),
        (CardSex::Male, Sex::Male)
            | (CardSex::Female, Sex::Female)
            | (CardSex::NotApplicable, Sex::Other)
    );
    MemberMatch {
        name: compare_name(&info.name, &member.name).into(),
        birth_date: exact(card_birth, crate::clock::iso_date(member.birth_date)),
        sex: FieldComparison {
            outcome: if sex_matches {
                NameMatch::Match
            } else {
                NameMatch::Mismatch
            },
            card: sex_label(info.sex).into(),
            stored: member.sex.label_ja().into(),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::eligibility::{MemberForm, Relationship};

    fn member(name: &str, birth: &str, sex: Sex) -> MemberData {
        MemberForm {
            name: name.into(),
            kana: "ヤマダ".into(),
            birth_date: birth.into(),
            sex,
            relationship: Relationship::Insured,
            myna_hoken: None,
            card_expires_on: None,
        }
        .validate(chrono::NaiveDate::from_ymd_opt(2026, 11, 23).unwrap())
        .unwrap()
    }

    fn info(name: &str, birth: &str, sex: CardSex) -> BasicInfo {
        BasicInfo {
            name: name.into(),
            address: "東京都千代田区千代田１－１".into(),
            birth_date: birth.into(),
            sex,
        }
    }

    #[test]
    fn outcomes_per_field() {
        let m = member("髙橋 一郎", "1985-04-12", Sex::Male);
        let same = match_member(&info("髙橋\u{3000}一郎", "19850412", CardSex::Male), &m);
        assert_eq!(same.name.outcome, NameMatch::Match);
        assert_eq!(same.overall(), NameMatch::Match);

        let folded = match_member(&info("高橋\u{3000}一郎", "19850412", CardSex::Male), &m);
        assert_eq!(folded.name.outcome, NameMatch::FoldedMatch);
        assert_eq!(folded.overall(), NameMatch::FoldedMatch);
        assert_eq!(folded.name.card, "高橋\u{3000}一郎", "both forms kept");
        assert_eq!(folded.name.stored, "髙橋 一郎");

        let other = match_member(&info("髙橋\u{3000}一郎", "19850413", CardSex::Female), &m);
        assert_eq!(other.birth_date.outcome, NameMatch::Mismatch);
        assert_eq!(other.birth_date.card, "1985-04-13");
        assert_eq!(other.sex.outcome, NameMatch::Mismatch);
        assert_eq!(
            (other.sex.card.as_str(), other.sex.stored.as_str()),
            ("女", "男")
        );
        assert_eq!(other.overall(), NameMatch::Mismatch);

        // An incomplete register date is shown as on the card, and does not match.
        let odd = match_member(&info("髙橋 一郎", "19850400", CardSex::Male), &m);
        assert_eq!(odd.birth_date.card, "19850400");
        assert_eq!(odd.birth_date.outcome, NameMatch::Mismatch);
    }
}
