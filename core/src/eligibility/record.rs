//! Eligibility records (資格情報), following the オンライン資格確認 result layout
//! (the fields of the 資格情報 documents and of the オンライン資格確認 result: docs/record-json.md, docs/protocol.md).
//! Their hand-entry form is in `record_form`, the 公費 受給者証's part of it in `public_expense`.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use super::insurer::InsurerNumber;
use super::member::{MemberId, Relationship};

uuid_id!(
    /// A record's random, stable id (UUID v4).
    RecordId
);

/// Which document the record comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DocumentKind {
    /// 資格情報のお知らせ (資格情報通知書): valid only together with the My Number Card.
    Notice,
    /// マイナポータルの資格情報 (screen or PDF): valid only together with the My Number Card.
    Portal,
    /// 資格確認書: stands on its own, for people without a マイナ保険証.
    Certificate,
    /// A 公費負担医療 受給者証 (こども医療費受給者証, 重度障がい者医療証, 難病の医療受給者証 …):
    /// shown together with the マイナ保険証 or 資格確認書, which it never replaces (notice B
    /// A11). Its [`EligibilityRecord::insurer_number`] is the 公費負担者番号, its
    /// [`EligibilityRecord::number`] the 受給者番号 and its [`EligibilityRecord::insurer_name`]
    /// the name of the program (docs/record-json.md).
    PublicExpense,
}

impl DocumentKind {
    /// The document's Japanese name.
    pub fn label_ja(self) -> &'static str {
        match self {
            DocumentKind::Notice => "資格情報のお知らせ",
            DocumentKind::Portal => "マイナポータル資格情報",
            DocumentKind::Certificate => "資格確認書",
            DocumentKind::PublicExpense => "公費の受給者証",
        }
    }

    /// The code stored in plaintext (a kind, not personal data).
    pub fn code(self) -> i64 {
        match self {
            DocumentKind::Notice => 1,
            DocumentKind::Portal => 2,
            DocumentKind::Certificate => 3,
            DocumentKind::PublicExpense => 4,
        }
    }

    /// The inverse of [`DocumentKind::code`].
    pub fn from_code(code: i64) -> Option<Self> {
        match code {
            1 => Some(DocumentKind::Notice),
            2 => Some(DocumentKind::Portal),
            3 => Some(DocumentKind::Certificate),
            4 => Some(DocumentKind::PublicExpense),
            _ => None,
        }
    }

    /// True when the document is valid only shown together with the physical My Number Card.
    pub fn needs_card(self) -> bool {
        matches!(self, DocumentKind::Notice | DocumentKind::Portal)
    }

    /// True for a record of health-insurance eligibility (資格情報), false for a 公費 受給者証.
    pub fn is_insurance(self) -> bool {
        self != DocumentKind::PublicExpense
    }

    /// True when holding this document means holding a マイナ保険証: a お知らせ or a
    /// マイナポータル 資格情報 is only issued to holders (notice D).
    pub fn implies_myna_hoken(self) -> bool {
        self.needs_card()
    }

    /// The label of [`EligibilityRecord::insurer_number`] for this kind.
    pub fn payer_number_label_ja(self) -> &'static str {
        match self {
            DocumentKind::PublicExpense => "公費負担者番号",
            _ => "保険者番号",
        }
    }

    /// The label of [`EligibilityRecord::insurer_name`] for this kind.
    pub fn payer_name_label_ja(self) -> &'static str {
        match self {
            DocumentKind::PublicExpense => "受給者証の名称",
            _ => "保険者名称",
        }
    }

    /// The label of [`EligibilityRecord::number`] for this kind.
    pub fn number_label_ja(self) -> &'static str {
        match self {
            DocumentKind::PublicExpense => "受給者番号",
            _ => "番号",
        }
    }
}

/// 一部負担金割合: 1割, 2割 or 3割.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "u8", into = "u8")]
pub enum CopayRate {
    /// 1割 (10 %).
    Ten,
    /// 2割 (20 %).
    Twenty,
    /// 3割 (30 %).
    Thirty,
}

impl CopayRate {
    /// The share in percent.
    pub fn percent(self) -> u8 {
        match self {
            CopayRate::Ten => 10,
            CopayRate::Twenty => 20,
            CopayRate::Thirty => 30,
        }
    }
}

impl TryFrom<u8> for CopayRate {
    type Error = &'static str;
    fn try_from(p: u8) -> Result<Self, Self::Error> {
        match p {
            10 => Ok(CopayRate::Ten),
            20 => Ok(CopayRate::Twenty),
            30 => Ok(CopayRate::Thirty),
            _ => Err("must be 10, 20 or 30 (percent)"),
        }
    }
}

impl From<CopayRate> for u8 {
    fn from(r: CopayRate) -> u8 {
        r.percent()
    }
}

/// 高齢受給者 block (ages 70–74), merged into the 資格確認書 since 2024-12-02.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ElderlyRecipient {
    /// 一部負担金割合 for the 高齢受給者.
    pub copay: CopayRate,
    /// 発効期日.
    #[serde(deserialize_with = "crate::clock::serde_text::date")]
    pub effective_from: NaiveDate,
    /// 有効終了年月日, if printed.
    #[serde(default, deserialize_with = "crate::clock::serde_text::option_date")]
    pub valid_until: Option<NaiveDate>,
}

/// 限度額適用区分 block (printed only on request).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LimitCertification {
    /// 適用区分 as printed (e.g. ア, イ, 現役並みⅢ, 区分Ⅱ).
    pub category: String,
    /// 発効期日, if printed.
    #[serde(default, deserialize_with = "crate::clock::serde_text::option_date")]
    pub effective_from: Option<NaiveDate>,
}

/// One validated eligibility record of a member.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EligibilityRecord {
    /// Which document this is.
    pub kind: DocumentKind,
    /// 保険者番号.
    pub insurer_number: InsurerNumber,
    /// 保険者名称.
    pub insurer_name: String,
    /// 被保険者等記号, as printed (may be absent, e.g. 後期高齢者).
    pub symbol: Option<String>,
    /// 番号 (被保険者等番号), as printed.
    pub number: String,
    /// 枝番, 2 digits.
    pub branch: Option<String>,
    /// 本人・家族の別.
    pub relationship: Relationship,
    /// 被保険者氏名 (the insured person's name, on a dependent's record).
    pub insured_name: Option<String>,
    /// 資格取得年月日.
    #[serde(default, deserialize_with = "crate::clock::serde_text::option_date")]
    pub acquired_on: Option<NaiveDate>,
    /// 一部負担金割合 (absent when printed as 法定負担割合のとおり).
    pub copay: Option<CopayRate>,
    /// 有効開始年月日.
    #[serde(default, deserialize_with = "crate::clock::serde_text::option_date")]
    pub valid_from: Option<NaiveDate>,
    /// 有効終了年月日 / 有効期限.
    #[serde(default, deserialize_with = "crate::clock::serde_text::option_date")]
    pub valid_until: Option<NaiveDate>,
    /// 交付年月日.
    #[serde(default, deserialize_with = "crate::clock::serde_text::option_date")]
    pub issued_on: Option<NaiveDate>,
    /// 高齢受給者 block.
    pub elderly: Option<ElderlyRecipient>,
    /// 限度額適用区分 block.
    pub limit: Option<LimitCertification>,
    /// 未就学区分: the member has not yet started school.
    pub preschool: bool,
    /// 資格喪失年月日: the first day without this coverage (after leaving a job, or a
    /// dependent who is no longer one). From that day the record is shown as ended.
    #[serde(default, deserialize_with = "crate::clock::serde_text::option_date")]
    pub lost_on: Option<NaiveDate>,
}

impl EligibilityRecord {
    /// True when coverage has been lost on `today` ([`EligibilityRecord::lost_on`] reached).
    pub fn is_lost(&self, today: NaiveDate) -> bool {
        self.lost_on.is_some_and(|lost| today >= lost)
    }

    /// The first day the record applies, when it prints one: the later of its 有効開始年月日 and
    /// its 資格取得年月日. Before it there is no coverage to show: a 後期高齢者医療 資格確認書 mailed
    /// before the 75th birthday prints the birthday as its 資格取得年月日 (高齢者の医療の確保に関する
    /// 法律 §52(1)), often with no 有効開始年月日 (docs/rules.md §3.3).
    pub fn starts_on(&self) -> Option<NaiveDate> {
        match (self.valid_from, self.acquired_on) {
            (Some(from), Some(acquired)) => Some(from.max(acquired)),
            (from, acquired) => from.or(acquired),
        }
    }
}

/// Where a record came from. Only [`Provenance::IssuerSigned`] may ever be shown as verified,
/// and only after its signature verifies again.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Provenance {
    /// Signed by an issuer: the signing key's id and the exact signed bytes (COSE_Sign1).
    IssuerSigned {
        /// The issuer key id from the trust list.
        key_id: String,
        /// The signed document as received.
        signed_bytes: Vec<u8>,
    },
    /// Entered by hand from a paper document: always shown as 手入力・未検証.
    HandEntered {
        /// When it was entered.
        #[serde(deserialize_with = "crate::clock::serde_text::instant")]
        entered_at: DateTime<Utc>,
    },
}

impl Provenance {
    /// The code stored in plaintext (a kind): 1 signed, 2 hand-entered.
    pub fn code(&self) -> i64 {
        match self {
            Provenance::IssuerSigned { .. } => 1,
            Provenance::HandEntered { .. } => 2,
        }
    }
}

/// A record as stored for a member.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredRecord {
    /// Random stable id.
    pub id: RecordId,
    /// The member it belongs to.
    pub member: MemberId,
    /// The record.
    pub record: EligibilityRecord,
    /// Where it came from.
    pub provenance: Provenance,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::eligibility::record_form::tests::{form, today};

    #[test]
    fn stored_serde_rejects_bad_values() {
        let r = form().validate(today()).unwrap();
        let json = serde_json::to_string(&r).unwrap();
        let back: EligibilityRecord = serde_json::from_str(&json).unwrap();
        assert_eq!(back, r);
        let tampered = json.replace("\"copay\":30", "\"copay\":31");
        assert!(serde_json::from_str::<EligibilityRecord>(&tampered).is_err());
    }

    #[test]
    fn codes_round_trip() {
        for k in [
            DocumentKind::Notice,
            DocumentKind::Portal,
            DocumentKind::Certificate,
            DocumentKind::PublicExpense,
        ] {
            assert_eq!(DocumentKind::from_code(k.code()), Some(k));
        }
        assert_eq!(DocumentKind::from_code(9), None);
        assert!(!DocumentKind::Certificate.needs_card());
        assert!(DocumentKind::Notice.needs_card());
    }
}
