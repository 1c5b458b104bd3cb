//! The 高齢受給者 block of a verified document at the desk. Its 有効期限 is that of the 高齢受給者
//! 負担割合 (re-decided each year from the household's income), not of the eligibility: a
//! document whose eligibility is in force but whose block has passed its 有効期限 is still
//! 確認済み, and the desk is told to confirm today's share before charging it (the household's
//! rule for the same block, `ElderlyExpired`, docs/rules.md §1.3; spec/eligibility.md §1 and §3:
//! the block carries its own 有効開始/終了年月日 and 負担割合; spec/clinic.md §2: the claim needs the
//! 高齢受給者 share and its 発効期日). The verdict and the desk's outcome do not change.
//!
//! A block not yet in force (its 発効期日 after the day of the visit; the household's
//! `ElderlyNotYetEffective`) gets a note too: its share does not apply yet. What applies until
//! then is said only where the law settles it: before the patient's 高齢受給者 start (the 1st of
//! the month after reaching 70, docs/rules.md §1.3) the law sets one share, 3割 (健康保険法
//! §74(1)(i), 国民健康保険法 §42; `screen::calendar::statutory_copay`). From that start on (a
//! new year's block issued ahead of its 発効期日) the law allows 2割 or 3割 and the share in
//! force is the earlier block's, which the document does not carry: the desk is told to confirm it.

use super::verify::DeskVerification;
use crate::screen::calendar::{CopayBasis, statutory_copay};

/// The note shown beside the 負担割合 when the 高齢受給者 block has passed its 有効期限.
const ELDERLY_EXPIRED_NOTE: &str = "高齢受給者の負担割合の有効期限が過ぎています。\
    表示の負担割合が今日も正しいか、新しい資格確認書や負担割合の通知（または保険者）で確認してください。";

/// The note when the block is not in force yet and the patient has not reached the 高齢受給者
/// start: the law sets 3割 today (健康保険法 §74(1)(i)).
const ELDERLY_NOT_YET_GENERAL_NOTE: &str = "高齢受給者の負担割合は、まだ発効していません\
    （発効期日より前です）。今日の負担割合は、高齢受給者になる前の3割です。\
    表示の高齢受給者の負担割合は、発効期日から適用されます。";

/// The note when the block is not in force yet and the law does not settle today's share (the
/// patient is past the 高齢受給者 start: 2割 or 3割, by the earlier block).
const ELDERLY_NOT_YET_NOTE: &str = "高齢受給者の負担割合は、まだ発効していません\
    （発効期日より前です）。表示の高齢受給者の負担割合は発効期日から適用され、今日はまだ適用されません。\
    今日の負担割合は、前の資格確認書や負担割合の通知（または保険者）で確認してください。";

impl DeskVerification {
    /// An amber note for the receptionist beside the 負担割合, when the document's signature
    /// verified and its 高齢受給者 block does not apply on the day of the verification:
    ///
    /// - its 発効期日 is after that day: the share printed there does not apply yet; today's
    ///   share is 3割 when the patient has not reached the 高齢受給者 start (the law sets no
    ///   other), otherwise it is to be confirmed (the earlier block's);
    /// - its 有効期限 passed before that day: the share printed there may no longer apply,
    ///   confirm today's 負担割合.
    ///
    /// 資格 itself is not affected: the verdict stays. Without personal data (no date; a share
    /// only where the law sets it). `None` otherwise (no block, in force, or no 有効期限 printed
    /// and in force from its 発効期日).
    pub fn elderly_note_ja(&self) -> Option<&'static str> {
        let p = self.presentation.as_ref()?;
        let record = &p.document.record;
        let elderly = record.elderly.as_ref()?;
        if self.checked_on < elderly.effective_from {
            let law = statutory_copay(
                p.document.person.birth_date,
                self.checked_on,
                record.insurer_number.is_late_elderly(),
            );
            return Some(match law.map(|l| l.basis) {
                Some(CopayBasis::General) => ELDERLY_NOT_YET_GENERAL_NOTE,
                _ => ELDERLY_NOT_YET_NOTE,
            });
        }
        let until = elderly.valid_until?;
        (self.checked_on > until).then_some(ELDERLY_EXPIRED_NOTE)
    }

    /// The 高齢受給者 line as the desk shows it, when the signature verified: the share, its
    /// 発効期日 and, when printed, its 有効期限 (「2割（発効 2026-08-01、有効期限 2027-07-31）」;
    /// 「2割（発効 2026-08-01）」 without one); 「なし」 when the document carries no block. The
    /// one wording of `clinic verify`, `qr verify` and the desk page.
    pub fn elderly_ja(&self) -> Option<String> {
        let record = &self.presentation.as_ref()?.document.record;
        Some(match &record.elderly {
            None => "なし".to_string(),
            Some(e) => format!(
                "{}割（発効 {}{}）",
                e.copay.percent() / 10,
                crate::clock::iso_date(e.effective_from),
                e.valid_until
                    .map(|u| format!("、有効期限 {}", crate::clock::iso_date(u)))
                    .unwrap_or_default()
            ),
        })
    }
}
