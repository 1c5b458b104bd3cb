//! Text folding shared by validation and comparison: width (全角/半角) and katakana.

use unicode_normalization::UnicodeNormalization;

/// Folds full-width ASCII to half-width and half-width katakana to full-width (Unicode NFKC),
/// and turns every run of white space (including U+3000) into one ASCII space, trimmed.
pub fn fold_width(input: &str) -> String {
    let nfkc: String = input.nfkc().collect();
    nfkc.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Compares two 記号 or 番号 values the way clinic software does: after width folding and
/// with white space removed (eligibility.md §2: stored as printed, compared after folding).
pub fn same_code(a: &str, b: &str) -> bool {
    let strip = |s: &str| fold_width(s).replace(' ', "");
    strip(a) == strip(b)
}

/// True for a character allowed in a 氏名カナ after folding: full-width katakana (including
/// ヴ, small kana, the long-vowel mark ー and the middle dot ・) or a space.
fn is_kana_char(c: char) -> bool {
    c == ' ' || ('\u{30A1}'..='\u{30FA}').contains(&c) || c == 'ー' || c == '・'
}

/// Why a 氏名カナ is not acceptable.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KanaError {
    /// Nothing but white space.
    Empty,
    /// Hiragana where katakana is expected.
    Hiragana,
    /// Any other non-katakana character.
    NotKatakana,
}

/// Folds a 氏名カナ (half-width katakana becomes full-width) and checks it is katakana.
pub fn fold_kana(input: &str) -> Result<String, KanaError> {
    let folded = fold_width(input);
    if folded.is_empty() {
        return Err(KanaError::Empty);
    }
    if let Some(bad) = folded.chars().find(|c| !is_kana_char(*c)) {
        return Err(if ('\u{3041}'..='\u{3096}').contains(&bad) {
            KanaError::Hiragana
        } else {
            KanaError::NotKatakana
        });
    }
    Ok(folded)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn width_folding() {
        assert_eq!(fold_width("１２３４５"), "12345");
        assert_eq!(fold_width("ﾔﾏﾀﾞ　ﾀﾛｳ"), "ヤマダ タロウ");
        assert_eq!(fold_width("  a\u{3000}\u{3000}b "), "a b");
    }

    #[test]
    fn codes_compare_after_folding() {
        assert!(same_code("１２３４５", "12345"));
        assert!(same_code("12 345", "１２３４５"));
        assert!(!same_code("12345", "12346"));
        assert!(same_code("①", "1"));
    }

    #[test]
    fn kana_rules() {
        assert_eq!(fold_kana("ﾔﾏﾀﾞ ﾀﾛｳ"), Ok("ヤマダ タロウ".into()));
        assert_eq!(
            fold_kana("ヴァイオレット・ロー"),
            Ok("ヴァイオレット・ロー".into())
        );
        assert_eq!(fold_kana("やまだ"), Err(KanaError::Hiragana));
        assert_eq!(fold_kana("山田"), Err(KanaError::NotKatakana));
        assert_eq!(fold_kana("YAMADA"), Err(KanaError::NotKatakana));
        assert_eq!(fold_kana(" \u{3000}"), Err(KanaError::Empty));
    }
}
