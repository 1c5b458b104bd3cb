//! What a card error means for the person in front of the card, in Japanese: the one wording of
//! the PIN rules (counter first, never a resend after a lost answer, the last try only with
//! consent, a blocked PIN only at the municipal office) that the apps, the desk page and the
//! CLI show. Two audiences: the card holder with the card on their own phone (NFC, 暗証番号,
//! かざす), and a receptionist at a clinic desk with the card on the desk's reader (the patient
//! types the PIN; 置き直す). No personal data: the English detail (data-free, see
//! [`CardError`]) is appended only where nothing more specific can be said.

use super::CardError;

/// Who reads a card error, and where the card is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CardAudience {
    /// The card holder, the card held to their own phone (NFC).
    Holder,
    /// A receptionist at a clinic desk, the card on the desk's reader.
    Desk,
}

impl CardError {
    /// True when presenting the card again may help by itself: it left the field or did not
    /// answer in time (with a VERIFY in flight, only after the retry counter is read again,
    /// [`CardError::verify_in_flight`]). Not for a failure of the reader or the platform.
    pub fn can_retry(&self) -> bool {
        matches!(self, Self::TagLost { .. } | Self::Timeout { .. })
    }

    /// What went wrong and what to do next, in Japanese, for `audience`.
    pub fn message_ja(&self, audience: CardAudience) -> String {
        let holder = audience == CardAudience::Holder;
        let pin = if holder { "暗証番号" } else { "PIN" };
        if self.verify_in_flight() {
            // The card may have counted a try: never resend, read the counter first.
            return if holder {
                "読み取り中にカードが離れました。暗証番号の残り回数を確かめるため、もう一度\
                 かざしてください（暗証番号は再送していません）。"
                    .into()
            } else {
                "PINの確認中にカードとの通信が切れました。回数が数えられたか分からないため、\
                 PINは再送していません。カードを置き直し、「カードを確認（PIN なし）」で残り回数を\
                 確かめてください。"
                    .into()
            };
        }
        match self {
            Self::InvalidPinFormat => format!("{pin}は4桁の数字です。カードには送っていません。"),
            Self::WrongPin { retries_left, .. } => {
                format!("{pin}が違います（残り{retries_left}回）。")
            }
            Self::PinBlocked { .. } if holder => "暗証番号がロックされています。お住まいの\
                 市区町村の窓口で初期化してください。"
                .into(),
            Self::PinBlocked { .. } => "PINがロックされています。解除は市区町村の窓口でのみ\
                 できます。PINなしの確認と目視で受け付けてください。"
                .into(),
            Self::LastAttemptNeedsConsent { .. } if holder => "暗証番号の残り回数が1回です。\
                 間違えるとロックされ、市区町村の窓口での初期化が必要になります（暗証番号は\
                 送っていません）。"
                .into(),
            Self::LastAttemptNeedsConsent { .. } => "PINの残りは1回です。間違えるとロックされる\
                 ため、本人の了承のチェックがなければ送りません（PINは送っていません）。"
                .into(),
            Self::PinStateUnknown { .. } if holder => "カードの状態が分かりません。カードを\
                 いったん離し、もう一度かざしてください（暗証番号は送っていません）。"
                .into(),
            Self::PinStateUnknown { .. } => "カードの状態が分かりません。カードをいったん\
                 リーダーから外し、置き直してください（PINは送っていません）。"
                .into(),
            Self::TagLost { .. } | Self::Timeout { .. } if holder => {
                "カードが離れました。動かさずにもう一度かざしてください。".into()
            }
            Self::TagLost { .. } | Self::Timeout { .. } | Self::Transport { .. } if !holder => {
                format!("カードと通信できませんでした。カードを置き直してください（{self}）。")
            }
            Self::Transport { .. } => format!("カードと通信できませんでした（{self}）。"),
            Self::NotAMyNumberCard => "マイナンバーカードではありません。".into(),
            _ if holder => format!("このカードは確認できませんでした（{self}）。"),
            _ => format!("カードを確認できませんでした（{self}）。"),
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::card::{PinKind, TransportError};

    const BOTH: [CardAudience; 2] = [CardAudience::Holder, CardAudience::Desk];

    #[test]
    fn the_pin_rules_are_said_to_both_audiences() {
        let pin = PinKind::JpkiAuth;
        for a in BOTH {
            // A lost answer to a VERIFY: never resent, the counter read first.
            for e in [
                CardError::from_transport(TransportError::TagLost, true),
                CardError::from_transport(TransportError::Timeout, true),
                CardError::from_transport(
                    TransportError::Other {
                        reason: "reader gone".into(),
                    },
                    true,
                ),
            ] {
                let m = e.message_ja(a);
                assert!(
                    m.contains("再送していません") && m.contains("残り回数"),
                    "{m}"
                );
            }
            let blocked = CardError::PinBlocked { pin }.message_ja(a);
            assert!(blocked.contains("市区町村の窓口"), "{blocked}");
            let last = CardError::LastAttemptNeedsConsent { pin }.message_ja(a);
            assert!(
                last.contains("1回") && last.contains("送っていません"),
                "{last}"
            );
            let wrong = CardError::WrongPin {
                retries_left: 2,
                pin,
            }
            .message_ja(a);
            assert!(wrong.contains("残り2回"), "{wrong}");
            let format = CardError::InvalidPinFormat.message_ja(a);
            assert!(format.contains("4桁") && format.contains("送っていません"));
            let unknown = CardError::PinStateUnknown { pin }.message_ja(a);
            assert!(unknown.contains("送っていません"), "{unknown}");
        }
        // Each in its audience's words.
        assert!(
            CardError::InvalidPinFormat
                .message_ja(CardAudience::Holder)
                .starts_with("暗証番号")
        );
        assert!(
            CardError::InvalidPinFormat
                .message_ja(CardAudience::Desk)
                .starts_with("PIN")
        );
        assert!(
            CardError::PinBlocked { pin }
                .message_ja(CardAudience::Desk)
                .contains("目視で受け付けて")
        );
    }

    #[test]
    fn only_a_card_that_left_or_did_not_answer_is_retried_as_it_is() {
        assert!(CardError::from_transport(TransportError::TagLost, false).can_retry());
        assert!(CardError::from_transport(TransportError::Timeout, true).can_retry());
        let other = CardError::from_transport(TransportError::Other { reason: "x".into() }, false);
        assert!(!other.can_retry());
        assert!(!CardError::BadSignature.can_retry());
        assert!(
            CardError::from_transport(TransportError::TagLost, false)
                .message_ja(CardAudience::Holder)
                .contains("かざして")
        );
        assert!(
            CardError::from_transport(TransportError::TagLost, false)
                .message_ja(CardAudience::Desk)
                .contains("置き直して")
        );
    }
}
