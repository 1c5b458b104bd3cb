//! The desk's overall outcome (docs/clinic.md, "Acceptance"): whether the receptionist may take
//! what the patient showed as confirmed eligibility, from three things together — the
//! document's verdict ([`DeskVerdict`]: signature, issuer, validity), the **kind** of document
//! the presentation carries (資格確認書, 資格情報のお知らせ, マイナポータル) and the **card**
//! check ([`DeskCardState`]).
//!
//! The rule (spec clinic.md §1): a 資格確認書 stands alone; the お知らせ and the マイナポータル
//! screen are accepted only together with the patient's own My Number Card — never the phone or
//! the paper alone. A phone screen of this app is a copy of the お知らせ / マイナポータル unless
//! the desk verified the issuer's signature **and** the card, and the outcome says exactly that.
//! A card of another person is a refusal, never a pass, and is never recorded.
//!
//! The CLI, the desk page and the apps show what [`DeskOutcome`] says (its label, its tone,
//! its basis and what to do); none of them decides it.

use super::claim::CardCheckMethod;
use super::verify::DeskVerdict;
use crate::eligibility::DocumentKind;

/// What the desk knows of the patient's card for one verification.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DeskCardState {
    /// No card was checked (or the last check failed: a wrong PIN, a reader error).
    NotChecked,
    /// The card matched the document's holder binding without the PIN; nobody has stated yet
    /// that the card's photo is the patient's.
    Matched,
    /// 目視: the card is the patient's by the receptionist's comparison of its photo — a card
    /// that matched the holder binding, or, for a document with no binding, the card's 券面
    /// (氏名, 生年月日, photo) compared by eye with the document and the patient.
    Visual,
    /// PIN: the card matched and signed a fresh challenge after the patient's PIN.
    Pin,
    /// 券面目視: the patient's card was shown and the receptionist compared its 券面 (氏名,
    /// 生年月日 with the document, the photo with the patient) by eye, without matching it on a
    /// reader — no reader (the outage), or a document with no holder binding (spec/clinic.md §1
    /// (2)/(3): the screen or お知らせ together with the physical card).
    Seen,
    /// The card on the reader is another person's: not the card the document is bound to.
    Mismatch,
}

impl DeskCardState {
    /// The stable name used in JSON and by the apps.
    pub fn key(self) -> &'static str {
        match self {
            DeskCardState::NotChecked => "not_checked",
            DeskCardState::Matched => "matched",
            DeskCardState::Visual => "visual",
            DeskCardState::Pin => "pin",
            DeskCardState::Seen => "seen",
            DeskCardState::Mismatch => "mismatch",
        }
    }

    /// The state of a card check recorded in the log.
    pub fn of_method(method: CardCheckMethod) -> DeskCardState {
        match method {
            CardCheckMethod::Pin => DeskCardState::Pin,
            CardCheckMethod::Visual => DeskCardState::Visual,
            CardCheckMethod::Seen => DeskCardState::Seen,
            CardCheckMethod::None => DeskCardState::NotChecked,
        }
    }
}

/// The desk's overall outcome, in one word each.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DeskAcceptance {
    /// 確認済み: an authentic document in force, and either a 資格確認書 or an お知らせ /
    /// マイナポータル screen with the patient's card checked (PIN, or 目視).
    Accepted,
    /// カード確認が必要: an authentic お知らせ / マイナポータル screen in force, but no card
    /// checked yet; the screen alone is not accepted.
    CardRequired,
    /// 別人のカード: the card on the reader is not the document's; refused, never recorded.
    CardMismatch,
    /// The document itself is not confirmed (its [`DeskVerdict`] says why).
    DocumentNotConfirmed,
}

impl DeskAcceptance {
    /// The stable name used in JSON and by the apps.
    pub fn key(self) -> &'static str {
        match self {
            DeskAcceptance::Accepted => "accepted",
            DeskAcceptance::CardRequired => "card_required",
            DeskAcceptance::CardMismatch => "card_mismatch",
            DeskAcceptance::DocumentNotConfirmed => "document_not_confirmed",
        }
    }
}

/// How the desk shows an outcome: green (confirmed), amber (not yet: something to do), red
/// (refused or not confirmed).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DeskTone {
    /// Confirmed.
    Green,
    /// Not yet confirmed: the line [`DeskOutcome::action_ja`] says what to do.
    Amber,
    /// Refused, or the document is not confirmed.
    Red,
}

impl DeskTone {
    /// The stable name used by the page and the apps.
    pub fn key(self) -> &'static str {
        match self {
            DeskTone::Green => "green",
            DeskTone::Amber => "amber",
            DeskTone::Red => "red",
        }
    }
}

/// The label of [`DeskAcceptance::CardRequired`].
pub const CARD_REQUIRED_LABEL: &str = "カード確認が必要";
/// The label of [`DeskAcceptance::CardMismatch`].
pub const CARD_MISMATCH_LABEL: &str = "別人のカード（受付不可）";

/// The desk's overall outcome for one verification, or for a recorded visit: the decision and
/// what it was made from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct DeskOutcome {
    /// The decision.
    pub acceptance: DeskAcceptance,
    /// The document's verdict.
    pub verdict: DeskVerdict,
    /// The kind of document the presentation carries; `None` when the document did not verify,
    /// or for a visit recorded before the desk recorded kinds.
    pub kind: Option<DocumentKind>,
    /// The card.
    pub card: DeskCardState,
    /// False when the presentation carries no holder binding: no card can be matched to it
    /// electronically, only its 券面 compared by eye.
    pub holder_bound: bool,
}

/// True for the kinds that are accepted only together with the patient's card.
fn needs_card(kind: DocumentKind) -> bool {
    !matches!(kind, DocumentKind::Certificate)
}

/// The phrase naming a kind in sentences.
fn kind_ja(kind: Option<DocumentKind>) -> &'static str {
    match kind {
        Some(DocumentKind::Notice) => "資格情報のお知らせ",
        Some(DocumentKind::Portal) => "マイナポータルの資格情報",
        Some(DocumentKind::Certificate) => "資格確認書",
        Some(DocumentKind::PublicExpense) => "公費の受給者証",
        None => "資格情報",
    }
}

impl DeskOutcome {
    /// Decides the outcome (the rule of the module's documentation). `kind` `None` is only
    /// for a visit recorded before kinds were: it is taken as it was recorded.
    pub fn decide(
        verdict: DeskVerdict,
        kind: Option<DocumentKind>,
        card: DeskCardState,
        holder_bound: bool,
    ) -> DeskOutcome {
        let acceptance = if card == DeskCardState::Mismatch {
            DeskAcceptance::CardMismatch
        } else if !verdict.is_confirmed() {
            DeskAcceptance::DocumentNotConfirmed
        } else {
            match kind {
                Some(k)
                    if needs_card(k)
                        && !matches!(
                            card,
                            DeskCardState::Pin | DeskCardState::Visual | DeskCardState::Seen
                        ) =>
                {
                    DeskAcceptance::CardRequired
                }
                _ => DeskAcceptance::Accepted,
            }
        };
        DeskOutcome {
            acceptance,
            verdict,
            kind,
            card,
            holder_bound,
        }
    }

    /// True only for [`DeskAcceptance::Accepted`].
    pub fn is_accepted(&self) -> bool {
        self.acceptance == DeskAcceptance::Accepted
    }

    /// The word shown in large type: 確認済み, カード確認が必要, 別人のカード（受付不可）, or the
    /// document's verdict (有効期限切れ（書類）, 署名不正, …).
    pub fn label_ja(&self) -> &'static str {
        match self.acceptance {
            DeskAcceptance::Accepted => "確認済み",
            DeskAcceptance::CardRequired => CARD_REQUIRED_LABEL,
            DeskAcceptance::CardMismatch => CARD_MISMATCH_LABEL,
            DeskAcceptance::DocumentNotConfirmed => self.verdict.label_ja(),
        }
    }

    /// How to show it.
    pub fn tone(&self) -> DeskTone {
        match self.acceptance {
            DeskAcceptance::Accepted => DeskTone::Green,
            DeskAcceptance::CardRequired => DeskTone::Amber,
            DeskAcceptance::CardMismatch | DeskAcceptance::DocumentNotConfirmed => DeskTone::Red,
        }
    }

    /// What stands behind the outcome, in one Japanese sentence without personal data: which
    /// document, that its signature was verified, and which card check.
    pub fn basis_ja(&self) -> String {
        let kind = kind_ja(self.kind);
        match self.acceptance {
            DeskAcceptance::Accepted => match (self.kind, self.card) {
                (Some(DocumentKind::Certificate), DeskCardState::Pin) => format!(
                    "{kind}の内容です（発行元の署名を確認済み）。マイナンバーカードも PIN で本人確認済みです。"
                ),
                // What was shown is a screen, not the paper 資格確認書 (which stands alone): the
                // content is the issuer's, so the 資格 is confirmed; the paper, when the patient
                // has it, is the document — as the patient's app says
                // (`screen::sections::fixed_notice`: taking the screen in its place is the
                // clinic's call, which this verdict makes).
                (Some(DocumentKind::Certificate), _) => format!(
                    "{kind}の内容です（発行元の署名を確認済み）。資格は確認できました。ただし提示された\
                     のは紙の資格確認書ではなく画面です。紙の資格確認書をお持ちなら、紙でも確かめて\
                     ください。"
                ),
                (None, _) => format!("{kind}の内容です（発行元の署名を確認済み）。"),
                (Some(_), DeskCardState::Pin) => format!(
                    "{kind}の内容（発行元の署名を確認済み）と、本人のマイナンバーカード（PIN で本人確認済み）です。"
                ),
                (Some(_), DeskCardState::Seen) if self.holder_bound => format!(
                    "{kind}の内容（発行元の署名を確認済み）と、マイナンバーカードの券面（目視で照合。カードリーダーでの照合はしていません）です。"
                ),
                (Some(_), _) if self.holder_bound => format!(
                    "{kind}の内容（発行元の署名を確認済み）と、この資格情報に結び付いたマイナンバーカード（顔写真を目視で確認、PIN 未確認）です。"
                ),
                (Some(_), _) => format!(
                    "{kind}の内容（発行元の署名を確認済み）と、マイナンバーカードの券面（目視で照合。カードとの電子的な結び付けはありません）です。"
                ),
            },
            DeskAcceptance::CardRequired => format!(
                "この画面は{kind}の写しです。発行元の署名は確認済みですが、{kind}はマイナンバーカードと一緒の場合だけ使えます。画面・お知らせだけでは受け付けられません。"
            ),
            DeskAcceptance::CardMismatch => format!(
                "このカードは、この{kind}の本人のカードではありません。確認済みにはできず、記録もできません。"
            ),
            DeskAcceptance::DocumentNotConfirmed => match self.verdict {
                DeskVerdict::IssuedInFuture => {
                    "発行日時がこの端末の現在の日時より後のため、この書類では資格を確認できません。"
                        .to_string()
                }
                DeskVerdict::UnknownIssuer | DeskVerdict::BadSignature | DeskVerdict::Malformed => {
                    "発行元の署名を確認できないため、内容は資格の確認に使えません。".to_string()
                }
                _ => format!(
                    "{kind}は本物（発行元の署名を確認済み）ですが、今日の資格の確認にはなりません。"
                ),
            },
        }
    }

    /// What the receptionist does next, when there is something to do.
    pub fn action_ja(&self) -> Option<&'static str> {
        match self.acceptance {
            DeskAcceptance::Accepted => None,
            DeskAcceptance::CardRequired if !self.holder_bound => Some(
                "この書類にはカードとの結び付けがないため、カードを機械で照合できません。\
                 本人のマイナンバーカードを受け取り、券面の氏名・生年月日をこの内容と、顔写真を本人と\
                 目視で照らし合わせてください。照合できたら、記録時に「券面を目視で照合した」を選んでください。",
            ),
            DeskAcceptance::CardRequired if self.card == DeskCardState::Matched => Some(
                "カードはこの資格情報に結び付いています。券面の顔写真と本人を目視で確認し、\
                 記録時に「目視で確認した」を選んでください（または本人が PIN を入力）。",
            ),
            DeskAcceptance::CardRequired => Some(
                "本人のマイナンバーカードを受け取り、カードリーダーでこの資格情報と照合してください\
                 （PIN なしで照合して顔写真を目視、または本人が PIN を入力）。カードリーダーが\
                 使えないときは、券面の氏名・生年月日をこの内容と、顔写真を本人と目視で照らし合わせ、\
                 記録時に「券面を目視で照合した」を選んでください。カードがなければ、\
                 資格確認書か被保険者資格申立書で受け付けてください。",
            ),
            DeskAcceptance::CardMismatch => Some(
                "本人のカードで照合し直すか、資格確認書か被保険者資格申立書で受け付けてください。",
            ),
            // An authentic document can still be recorded, under its own verdict, as evidence
            // of what was shown (`can_record`); that entry is no confirmation, so the 申立 the
            // visit is accepted with is a second entry, on purpose — said before recording.
            DeskAcceptance::DocumentNotConfirmed if self.verdict.is_authentic() => Some(
                "この書類では資格を確認できません。ほかの有効な資格確認書などか、\
                 被保険者資格申立書で受け付けてください。この書類を記録すると、提示された書類の\
                 記録として残りますが、資格の確認にはなりません。申立書で受け付けるときは、\
                 申立書も別の記録として残してください。",
            ),
            DeskAcceptance::DocumentNotConfirmed => Some(
                "この書類では資格を確認できません。ほかの有効な資格確認書などか、\
                 被保険者資格申立書で受け付けてください。",
            ),
        }
    }

    /// True when a visit may be recorded with this outcome once the receptionist states what
    /// [`DeskOutcome::needs_face_statement`] asks: an authentic document (a 申立 otherwise),
    /// never with another person's card, and an お知らせ / マイナポータル screen only with its
    /// card — matched on the reader, or, for a document with no binding, its 券面 compared.
    pub fn can_record(&self) -> bool {
        self.verdict.is_authentic()
            && match self.acceptance {
                DeskAcceptance::CardMismatch => false,
                DeskAcceptance::CardRequired => self.needs_face_statement(),
                DeskAcceptance::Accepted | DeskAcceptance::DocumentNotConfirmed => true,
            }
    }

    /// True when recording needs the receptionist's statement that they compared the card
    /// with the patient (目視): a card matched without the PIN, or a card not matched on a
    /// reader (none at the desk, or a document with no holder binding) whose 券面 can be
    /// compared by eye (spec/clinic.md §1 (2)/(3)). Never for another person's card.
    pub fn needs_face_statement(&self) -> bool {
        self.acceptance == DeskAcceptance::CardRequired
            && matches!(
                self.card,
                DeskCardState::Matched | DeskCardState::NotChecked
            )
    }

    /// How eligibility was confirmed, in the claim's words (spec clinic.md §2; the CSV's
    /// 確認方法).
    pub fn confirmation_ja(&self) -> &'static str {
        match (self.kind, self.card) {
            (Some(DocumentKind::Certificate), DeskCardState::Pin) => {
                "署名付き資格確認書＋カード（PIN）"
            }
            (Some(DocumentKind::Certificate), _) => "署名付き資格確認書",
            (_, DeskCardState::Pin) => "署名付き資格情報＋カード（PIN）",
            (_, DeskCardState::Seen) => "署名付き資格情報＋カード（券面目視・電子照合なし）",
            (_, DeskCardState::Visual) => "署名付き資格情報＋カード（目視）",
            (_, DeskCardState::Mismatch) => "署名付き資格情報（別人のカード）",
            (_, DeskCardState::NotChecked | DeskCardState::Matched) => {
                "署名付き資格情報（カード未確認）"
            }
        }
    }
}
