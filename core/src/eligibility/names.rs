//! Comparing a field of the card's 基本4情報 (氏名, 住所) with the stored record.
//!
//! The card prints names as the register holds them, often with 異体字 (髙, 﨑, 𠮷 …) that a
//! record typed by hand spells with the common form, or in another width or kana script. So a
//! comparison never hard-fails on such differences: it says [`NameMatch::Match`],
//! [`NameMatch::FoldedMatch`] or [`NameMatch::Mismatch`] and always keeps both spellings for
//! the screen to show side by side. See `docs/decisions/0003-name-folding.md`.

use serde::{Deserialize, Serialize};
use unicode_normalization::UnicodeNormalization;

/// How a card field compares with the stored one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum NameMatch {
    /// The same text, up to Unicode canonical equivalence (NFC) and white space (any run of
    /// spaces, including the ideographic U+3000, counts as one separator; ends are trimmed).
    Match,
    /// Equal after folding: NFKC (which also folds full/half width), hiragana → katakana,
    /// ヶ/ヵ → ケ/カ, white space removed, and the 異体字 table ([`fold_name`]).
    FoldedMatch,
    /// Different even after folding.
    Mismatch,
}

impl NameMatch {
    /// The outcome in Japanese, as the apps and the CLI show it.
    pub fn label_ja(self) -> &'static str {
        match self {
            NameMatch::Match => "一致",
            NameMatch::FoldedMatch => "一致（字体の違いあり）",
            NameMatch::Mismatch => "不一致",
        }
    }
}

/// A comparison with both forms kept for display.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NameComparison {
    /// The outcome.
    pub outcome: NameMatch,
    /// The text as on the card.
    pub card: String,
    /// The text as stored.
    pub stored: String,
}

/// Common 異体字 of names and places and the form a hand-typed record most likely uses.
/// Variants that NFKC already maps (e.g. U+FA10 塚 → 塚) need no entry.
const VARIANTS: &[(char, char)] = &[
    ('髙', '高'),
    ('﨑', '崎'),
    ('嵜', '崎'),
    ('碕', '崎'),
    ('𠮷', '吉'),
    ('栁', '柳'),
    // 齊 and 齋 are different characters with different common forms: 齊 → 斉 (せい, 斉藤) and
    // 齋 → 斎 (さい, 斎藤). 斎 and 斉 are not variants of each other, so 斎藤 and 斉藤 differ.
    ('齊', '斉'),
    ('齋', '斎'),
    ('德', '徳'),
    ('邊', '辺'),
    ('邉', '辺'),
    ('澤', '沢'),
    ('濱', '浜'),
    ('廣', '広'),
    ('國', '国'),
    ('眞', '真'),
    ('櫻', '桜'),
    ('嶋', '島'),
    ('嶌', '島'),
    ('舘', '館'),
    ('冨', '富'),
    ('槇', '槙'),
    ('藏', '蔵'),
    ('實', '実'),
    ('惠', '恵'),
    ('榮', '栄'),
    ('壽', '寿'),
    ('龍', '竜'),
    ('兒', '児'),
    ('來', '来'),
    ('淺', '浅'),
    ('增', '増'),
    ('圓', '円'),
    ('條', '条'),
    ('瀨', '瀬'),
    ('淸', '清'),
    ('靜', '静'),
    ('黑', '黒'),
    ('萬', '万'),
    ('彌', '弥'),
    ('豐', '豊'),
    ('禮', '礼'),
    ('會', '会'),
    ('縣', '県'),
    ('驛', '駅'),
    ('晝', '昼'),
    ('曻', '昇'),
    ('渕', '淵'),
    ('籠', '篭'),
];

fn fold_char(c: char) -> Option<char> {
    if c.is_whitespace() {
        return None;
    }
    if let Some(&(_, to)) = VARIANTS.iter().find(|(from, _)| *from == c) {
        return Some(to);
    }
    Some(match c {
        // Hiragana ぁ..ゖ and the iteration marks ゝゞ → katakana (same offset).
        '\u{3041}'..='\u{3096}' | '\u{309D}' | '\u{309E}' => {
            char::from_u32(c as u32 + 0x60).unwrap_or(c)
        }
        'ヶ' => 'ケ',
        'ヵ' => 'カ',
        other => other,
    })
}

/// The folded form used for [`NameMatch::FoldedMatch`]: NFKC (full/half width, compatibility
/// ideographs), hiragana → katakana, ヶ/ヵ → ケ/カ, the 異体字 table, white space removed.
pub fn fold_name(text: &str) -> String {
    text.nfkc().filter_map(fold_char).collect::<String>()
}

/// The same name after [`fold_name`] (as typed, or folded alike). A name that folds to nothing
/// (white space only: blank) names no one and matches nothing, itself included. The
/// one rule of the desk's same-day match (`clinic::same_day`) and of a 被扶養者's 被保険者氏名
/// (`screen::notices_household`).
pub fn same_name(a: &str, b: &str) -> bool {
    let folded = fold_name(a);
    !folded.is_empty() && (a == b || folded == fold_name(b))
}

/// NFC with white space runs collapsed to one ASCII space and the ends trimmed.
fn canonical(text: &str) -> String {
    let nfc: String = text.nfc().collect();
    nfc.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Compares a card field with the stored one; both forms are kept.
pub fn compare_name(card: &str, stored: &str) -> NameComparison {
    let outcome = if canonical(card) == canonical(stored) {
        NameMatch::Match
    } else if fold_name(card) == fold_name(stored) {
        NameMatch::FoldedMatch
    } else {
        NameMatch::Mismatch
    };
    NameComparison {
        outcome,
        card: card.to_owned(),
        stored: stored.to_owned(),
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    fn outcome(card: &str, stored: &str) -> NameMatch {
        compare_name(card, stored).outcome
    }

    /// One rule for "the same person's name" (the desk's same-day match, a 被扶養者's
    /// 被保険者氏名): as typed or folded alike, and a blank name matches nothing, not even itself.
    #[test]
    fn same_name_folds_and_a_blank_name_matches_nothing() {
        assert!(same_name("山田 太郎", "山田 太郎"));
        assert!(same_name("山田\u{3000}太郎", "山田太郎"));
        assert!(same_name("やまだ たろう", "ヤマダ タロウ"));
        assert!(same_name("髙橋", "高橋"));
        assert!(!same_name("山田 太郎", "山田 次郎"));
        for blank in ["", " ", "\u{3000}", " \u{3000} "] {
            assert!(!same_name(blank, blank), "{blank:?}");
            assert!(!same_name(blank, ""), "{blank:?}");
        }
    }

    #[test]
    fn exact_and_white_space() {
        assert_eq!(
            outcome("山田\u{3000}太郎", "山田\u{3000}太郎"),
            NameMatch::Match
        );
        assert_eq!(outcome("山田\u{3000}太郎", "山田 太郎"), NameMatch::Match);
        assert_eq!(outcome(" 山田  太郎 ", "山田 太郎"), NameMatch::Match);
        // Canonically equivalent: が as one code point vs. か + combining dakuten.
        assert_eq!(outcome("ながの", "なか\u{3099}の"), NameMatch::Match);
        assert_eq!(outcome("山田太郎", "山田 太郎"), NameMatch::FoldedMatch);
    }

    #[test]
    fn variant_kanji_fold() {
        let pairs = [
            ("髙橋\u{3000}一郎", "高橋 一郎"),
            ("山﨑\u{3000}花子", "山崎 花子"),
            ("𠮷田\u{3000}茂", "吉田 茂"),
            ("栁田\u{3000}誠", "柳田 誠"),
            ("齊藤\u{3000}実", "斉藤 実"),
            ("齋藤\u{3000}実", "斎藤 実"),
            ("德永\u{3000}光", "徳永 光"),
            ("渡邊\u{3000}健", "渡辺 健"),
            ("渡邉\u{3000}健", "渡辺 健"),
            ("澤田\u{3000}亮", "沢田 亮"),
            ("濱口\u{3000}優", "浜口 優"),
            ("廣瀬\u{3000}学", "広瀬 学"),
            ("國分\u{3000}太一", "国分 太一"),
            ("眞鍋\u{3000}香", "真鍋 香"),
            ("櫻井\u{3000}翔", "桜井 翔"),
            ("中嶋\u{3000}悟", "中島 悟"),
        ];
        for (card, stored) in pairs {
            let c = compare_name(card, stored);
            assert_eq!(c.outcome, NameMatch::FoldedMatch, "{card} / {stored}");
            // Both forms are kept for display.
            assert_eq!(c.card, card);
            assert_eq!(c.stored, stored);
        }
        // A CJK compatibility ideograph is canonically equivalent to its unified form (NFC
        // maps it), so it is a plain match; both spellings are still kept.
        let c = compare_name("\u{FA10}本", "塚本");
        assert_eq!(c.outcome, NameMatch::Match);
        assert_eq!(c.card, "\u{FA10}本");
    }

    #[test]
    fn width_and_kana_fold() {
        assert_eq!(outcome("ﾔﾏﾀﾞ ﾀﾛｳ", "ヤマダ タロウ"), NameMatch::FoldedMatch);
        assert_eq!(
            outcome("やまだ　たろう", "ヤマダ タロウ"),
            NameMatch::FoldedMatch
        );
        assert_eq!(
            outcome("ＪＯＨＮ　ＳＭＩＴＨ", "JOHN SMITH"),
            NameMatch::FoldedMatch
        );
        assert_eq!(
            outcome("東京都千代田区霞ヶ関１－１", "東京都千代田区霞ケ関1-1"),
            NameMatch::FoldedMatch
        );
        assert_eq!(outcome("いすゞ", "イスヾ"), NameMatch::FoldedMatch);
        assert_eq!(fold_name("ｶﾞｸ　がく"), "ガクガク");
    }

    #[test]
    fn different_people_do_not_match() {
        assert_eq!(
            outcome("山田\u{3000}太郎", "山田 次郎"),
            NameMatch::Mismatch
        );
        assert_eq!(outcome("高橋", "髙田"), NameMatch::Mismatch);
        // 斎 and 斉 are different characters (齋→斎 and 齊→斉 are the 異体字 pairs).
        assert_eq!(outcome("斎藤\u{3000}実", "斉藤 実"), NameMatch::Mismatch);
        assert_eq!(outcome("齋藤\u{3000}実", "斉藤 実"), NameMatch::Mismatch);
        assert_eq!(outcome("齊藤\u{3000}実", "斎藤 実"), NameMatch::Mismatch);
        assert_eq!(outcome("", "山田"), NameMatch::Mismatch);
        let c = compare_name("佐藤\u{3000}花子", "鈴木 花子");
        assert_eq!(c.outcome, NameMatch::Mismatch);
        assert_eq!(
            (c.card.as_str(), c.stored.as_str()),
            ("佐藤\u{3000}花子", "鈴木 花子")
        );
    }
}
