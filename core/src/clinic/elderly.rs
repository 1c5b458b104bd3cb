//! The 高齢受給者 block of a verified document at the desk. Its 有効期限 is that of the 高齢受給者
//! 負担割合 (re-decided each year from the household's income), not of the eligibility: a
//! document whose eligibility is in force but whose block has passed its 有効期限 is still
//! 確認済み, and the desk is told to confirm today's share before charging it (the household's
//! rule for the same block, `ElderlyExpired`, docs/rules.md §1.3; spec/eligibility.md §1 and §3:
//! the block carries its own 有効開始/終了年月日 and 負担割合; spec/clinic.md §2: the claim needs the
//! 高齢受給者 share and its 発効期日). The verdict and the desk's outcome do not change.

use super::verify::DeskVerification;

/// The note shown beside the 負担割合 when the 高齢受給者 block has passed its 有効期限.
const ELDERLY_EXPIRED_NOTE: &str = "高齢受給者の負担割合の有効期限が過ぎています。\
    表示の負担割合が今日も正しいか、新しい資格確認書や負担割合の通知（または保険者）で確認してください。";

impl DeskVerification {
    /// An amber note for the receptionist when the document's signature verified and its
    /// 高齢受給者 block has a 有効期限 that passed before the day of the verification: the share
    /// printed there may no longer apply, confirm today's 負担割合 (資格 itself is not affected:
    /// the verdict stays). Without personal data (no date, no share). `None` otherwise (no
    /// block, no 有効期限 printed, or still in force).
    pub fn elderly_note_ja(&self) -> Option<&'static str> {
        let elderly = self
            .presentation
            .as_ref()?
            .document
            .record
            .elderly
            .as_ref()?;
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
                e.effective_from.format("%Y-%m-%d"),
                e.valid_until
                    .map(|u| format!("、有効期限 {}", u.format("%Y-%m-%d")))
                    .unwrap_or_default()
            ),
        })
    }
}
