//! What a card error means for the person in front of the card, in Japanese: the one wording of
//! the PIN rules (counter first, never a resend after a lost answer, the last try only with
//! consent, a blocked PIN only at the municipal office) that the apps, the desk page and the
//! CLI show. Two audiences: the card holder with the card on their own phone (NFC, 暗証番号,
//! かざす), and a receptionist at a clinic desk with the card on the desk's reader (the patient
//! types the PIN; 置き直す). No personal data: the English detail (data-free, see
//! [`CardError`]) is appended only where nothing more specific can be said.
//!
//! The same rules for a PIN retry counter read without a PIN ([`PinCounter::message_ja`],
//! before the PIN is typed; [`PinCounter::reread_message_ja`], read again after a lost answer
//! to a VERIFY): a state, not an error, worded here so that no app words a PIN rule itself.
//! And a failed 基本4情報 step beside a good check ([`TextApFailure::message_ja`]). Sources of
//! the rules: docs/card-check.md ("What the user is told").

use super::{CardError, PinCounter, PinKind, TextApFailure};

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
            Self::PinBlocked { .. } => blocked_ja(audience).into(),
            Self::LastAttemptNeedsConsent { .. } if holder => "暗証番号の残り回数が1回です。\
                 間違えるとロックされ、市区町村の窓口での初期化が必要になります（暗証番号は\
                 送っていません）。"
                .into(),
            Self::LastAttemptNeedsConsent { .. } => "PINの残りは1回です。間違えるとロックされる\
                 ため、本人の了承のチェックがなければ送りません（PINは送っていません）。"
                .into(),
            Self::PinStateUnknown { .. } => state_unknown_ja(audience).into(),
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

impl PinCounter {
    /// What this counter, read without a PIN (no try spent), means for the person about to
    /// type the PIN, in Japanese, for `audience` (the same for either PIN of the card): the
    /// tries left; at one try left, that a wrong PIN blocks it and that the last try is sent
    /// only with consent; a blocked PIN is reset only at the municipal office (the words of
    /// [`CardError::PinBlocked`]); a counter the card did not report (already verified): no PIN
    /// was sent, present the card again (the words of [`CardError::PinStateUnknown`]).
    pub fn message_ja(self, audience: CardAudience) -> String {
        match self {
            Self::Remaining(n) => {
                let name = if audience == CardAudience::Holder {
                    "暗証番号"
                } else {
                    "PIN"
                };
                format!("{name}の残り回数は{n}回です。") + last_try_ja(n, audience)
            }
            Self::AlreadyVerified => state_unknown_ja(audience).into(),
            Self::Blocked => blocked_ja(audience).into(),
        }
    }

    /// The same counter read again because the answer to a VERIFY was lost (the card may have
    /// counted that try; [`CardError::verify_in_flight`]): that it was read again and nothing
    /// was resent, then what it says — the PIN may be typed again (at one try left, sent only
    /// with consent), or, blocked, only the municipal office resets it. A counter the card did
    /// not report: the PIN may be typed again, and the counter is read before it is sent
    /// (the PIN guard never sends a PIN blind).
    pub fn reread_message_ja(self, audience: CardAudience) -> String {
        let holder = audience == CardAudience::Holder;
        let (name, again) = if holder {
            ("暗証番号", "暗証番号をもう一度入力してください")
        } else {
            ("PIN", "PINをもう一度入力してもらってください")
        };
        // Pieces joined, not `format!`: the phone library carries this (its size budget).
        match self {
            Self::Remaining(n) => [
                name,
                "の残り回数を読み直しました（残り",
                &n.to_string(),
                "回、",
                name,
                "は再送していません）。",
                again,
                "。",
                last_try_ja(n, audience),
            ]
            .concat(),
            Self::AlreadyVerified => [
                "カードが",
                name,
                "の残り回数を示しませんでした。",
                again,
                "（送る前に、カードで残り回数を確かめます）。",
            ]
            .concat(),
            Self::Blocked => [name, "の残り回数を読み直しました。", blocked_ja(audience)].concat(),
        }
    }
}

impl TextApFailure {
    /// Why the 基本4情報 were not read, beside a good card check, in Japanese, for `audience`:
    /// that the card itself was checked, then the failure in the words of the card errors,
    /// naming the 券面事項入力補助 PIN (it has its own counter, so it can differ from the PIN
    /// that passed): wrong (tries left), blocked (the municipal office), its last try not sent
    /// without its own consent, tries lost since it was last entered right (not sent without
    /// consent: it may not be the PIN typed), a lost answer to its VERIFY (not resent; its
    /// counter read first), or another failure (hold the card again; the data-free English
    /// detail stays for logs and the CLI).
    pub fn message_ja(&self, audience: CardAudience) -> String {
        const HEAD: &str = "カードの確認はできましたが、基本4情報は読み取れませんでした。";
        const TEXT_PIN: &str = "券面事項入力補助用の";
        let pin = PinKind::TextAp;
        // The failure as the card error it was: the same words, naming the text PIN.
        let error = match self {
            Self::WrongPin { retries_left } => CardError::WrongPin {
                retries_left: *retries_left,
                pin,
            },
            Self::PinBlocked => CardError::PinBlocked { pin },
            Self::NeedsConsent => CardError::LastAttemptNeedsConsent { pin },
            Self::TriesLost { retries_left } => {
                let who = match audience {
                    CardAudience::Holder => "",
                    CardAudience::Desk => "患者さんが",
                };
                return [
                    HEAD,
                    TEXT_PIN,
                    "暗証番号は、前に間違えた分だけ残り回数が減っています（残り",
                    &retries_left.to_string(),
                    "回）。利用者証明用と違う暗証番号かもしれないので、送っていません。同じ暗証番号だと",
                    who,
                    "分かっているときだけ、送ることに同意してもう一度読み取ってください。",
                ]
                .concat();
            }
            Self::CardError {
                verify_in_flight: true,
                ..
            } => CardError::TagLost {
                verify_in_flight: true,
            },
            // The detail is English and data-free, for logs and the CLI; the holder and the
            // desk get Japanese.
            Self::CardError { .. } => {
                return [HEAD, "カードをかざし直して、もう一度読み取ってください。"].concat();
            }
        };
        let text_pin = if error.verify_in_flight() {
            ""
        } else {
            TEXT_PIN
        };
        [HEAD, text_pin, &error.message_ja(audience)].concat()
    }
}

/// A blocked PIN (an error or a counter): only the municipal office resets it.
fn blocked_ja(audience: CardAudience) -> &'static str {
    match audience {
        CardAudience::Holder => {
            "暗証番号がロックされています。お住まいの市区町村の窓口で初期化してください。"
        }
        CardAudience::Desk => {
            "PINがロックされています。解除は市区町村の窓口でのみできます。PINなしの確認と目視で\
             受け付けてください。"
        }
    }
}

/// A counter the card did not report (already verified): no PIN was sent; present the card
/// again.
fn state_unknown_ja(audience: CardAudience) -> &'static str {
    match audience {
        CardAudience::Holder => {
            "カードの状態が分かりません。カードをいったん離し、もう一度かざしてください\
             （暗証番号は送っていません）。"
        }
        CardAudience::Desk => {
            "カードの状態が分かりません。カードをいったんリーダーから外し、置き直してください\
             （PINは送っていません）。"
        }
    }
}

/// At one try left: a wrong PIN blocks the card, so the last try is sent only with consent
/// ([`CardError::LastAttemptNeedsConsent`]). Empty otherwise.
fn last_try_ja(tries_left: u8, audience: CardAudience) -> &'static str {
    match (tries_left, audience) {
        (1, CardAudience::Holder) => {
            "間違えるとロックされ、市区町村の窓口での初期化が必要になります。最後の1回は、\
             了承を確かめてから送ります。"
        }
        (1, CardAudience::Desk) => {
            "間違えるとロックされるため、本人の了承のチェックがなければ送りません。"
        }
        _ => "",
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
    fn each_pin_counter_state_is_worded_for_both_audiences() {
        for kind in [PinKind::JpkiAuth, PinKind::TextAp] {
            for a in BOTH {
                let (name, other) = match a {
                    CardAudience::Holder => ("暗証番号", "PIN"),
                    CardAudience::Desk => ("PIN", "暗証番号"),
                };
                let every = [
                    PinCounter::Remaining(3),
                    PinCounter::Remaining(2),
                    PinCounter::Remaining(1),
                    PinCounter::AlreadyVerified,
                    PinCounter::Blocked,
                ];
                for c in every {
                    for m in [c.message_ja(a), c.reread_message_ja(a)] {
                        // Each audience in its own words; never an empty notice.
                        assert!(m.contains(name) && !m.contains(other), "{a:?}: {m}");
                        assert!(m.ends_with('。'), "{m}");
                    }
                }

                // Tries left, nothing about a block while more than one is left.
                let three = PinCounter::Remaining(3).message_ja(a);
                assert!(three.contains("残り回数は3回"), "{three}");
                assert!(
                    !three.contains("ロック") && !three.contains("了承"),
                    "{three}"
                );
                // The last try: a wrong PIN blocks, so it is sent only with consent.
                let last = PinCounter::Remaining(1).message_ja(a);
                assert!(
                    last.contains("1回") && last.contains("ロック") && last.contains("了承"),
                    "{last}"
                );
                // Blocked: only the municipal office, the same words as the error.
                let blocked = PinCounter::Blocked.message_ja(a);
                assert!(blocked.contains("市区町村の窓口"), "{blocked}");
                assert_eq!(blocked, CardError::PinBlocked { pin: kind }.message_ja(a));
                // Not reported: nothing was sent, the card is presented again.
                let unknown = PinCounter::AlreadyVerified.message_ja(a);
                assert_eq!(
                    unknown,
                    CardError::PinStateUnknown { pin: kind }.message_ja(a)
                );
                assert!(unknown.contains("送っていません"), "{unknown}");

                // Read again after a lost answer: said so, nothing resent, the PIN asked again.
                let two = PinCounter::Remaining(2).reread_message_ja(a);
                for part in [
                    "読み直しました",
                    "残り2回",
                    "再送していません",
                    "もう一度入力",
                ] {
                    assert!(two.contains(part), "{part}: {two}");
                }
                assert!(!two.contains("ロック") && !two.contains("了承"), "{two}");
                let last = PinCounter::Remaining(1).reread_message_ja(a);
                for part in [
                    "読み直しました",
                    "残り1回",
                    "ロック",
                    "了承",
                    "もう一度入力",
                ] {
                    assert!(last.contains(part), "{part}: {last}");
                }
                // Blocked by the lost try: the office, and no PIN asked for.
                let blocked = PinCounter::Blocked.reread_message_ja(a);
                assert!(
                    blocked.contains("読み直しました") && blocked.contains("市区町村の窓口"),
                    "{blocked}"
                );
                assert!(!blocked.contains("入力"), "{blocked}");
                // Not reported: the PIN may be typed, the counter is read before it is sent.
                let unknown = PinCounter::AlreadyVerified.reread_message_ja(a);
                assert!(
                    unknown.contains("もう一度入力") && unknown.contains("残り回数を確かめます"),
                    "{unknown}"
                );
            }
        }
        // The holder is told where the block is lifted; the desk, how to go on without a PIN.
        assert!(
            PinCounter::Blocked
                .message_ja(CardAudience::Holder)
                .contains("初期化してください")
        );
        assert!(
            PinCounter::Blocked
                .reread_message_ja(CardAudience::Desk)
                .contains("目視で受け付けて")
        );
        assert_eq!(
            PinCounter::Remaining(2).reread_message_ja(CardAudience::Holder),
            "暗証番号の残り回数を読み直しました（残り2回、暗証番号は再送していません）。\
             暗証番号をもう一度入力してください。"
        );
    }

    #[test]
    fn a_failed_basic_info_step_is_worded_beside_the_good_check() {
        for a in BOTH {
            let all = [
                TextApFailure::WrongPin { retries_left: 2 },
                TextApFailure::PinBlocked,
                TextApFailure::NeedsConsent,
                TextApFailure::TriesLost { retries_left: 2 },
                TextApFailure::CardError {
                    message: "the card answered with status 6A82".into(),
                    verify_in_flight: false,
                },
                TextApFailure::CardError {
                    message: "the card was removed or lost contact".into(),
                    verify_in_flight: true,
                },
            ];
            for f in &all {
                let m = f.message_ja(a);
                assert!(
                    m.starts_with("カードの確認はできましたが、基本4情報は"),
                    "{m}"
                );
            }
            let [wrong, blocked, consent, tries_lost, other, lost] = all.map(|f| f.message_ja(a));
            assert!(
                tries_lost.contains("残り2回")
                    && tries_lost.contains("送っていません")
                    && tries_lost.contains("同意"),
                "{tries_lost}"
            );
            assert!(
                wrong.contains("券面事項入力補助用の") && wrong.contains("残り2回"),
                "{wrong}"
            );
            assert!(blocked.contains("市区町村の窓口"), "{blocked}");
            assert!(
                consent.contains("1回") && consent.contains("送っていません"),
                "{consent}"
            );
            assert!(
                other.contains("かざし直して") && !other.contains("6A82"),
                "{other}"
            );
            assert!(
                lost.contains("再送していません") && lost.contains("残り回数"),
                "{lost}"
            );
        }
        assert_eq!(
            TextApFailure::WrongPin { retries_left: 1 }.message_ja(CardAudience::Holder),
            "カードの確認はできましたが、基本4情報は読み取れませんでした。\
             券面事項入力補助用の暗証番号が違います（残り1回）。"
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
