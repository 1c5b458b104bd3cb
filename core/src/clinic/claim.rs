//! What a verified visit holds: the claim fields (レセプト), how the card was checked, which
//! document was verified and the desk's verdict.
//!
//! A [`VerifiedVisit`] can only be made inside the core, from a presentation whose signature
//! verified: nothing outside the core can hand the log a "verified" entry it typed itself. What
//! a patient declares goes through [`super::DeclarationForm`] and is always 申立・未検証.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::eligibility::{
    CopayRate, DocumentKind, ElderlyRecipient, InsurerNumber, LimitCertification, Relationship, Sex,
};

/// The fields a clinic needs for the claim (レセプト), as the issuer signed them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClaimFields {
    /// 保険者番号.
    pub insurer_number: InsurerNumber,
    /// 被保険者等記号, as printed (absent e.g. for 後期高齢者).
    pub symbol: Option<String>,
    /// 番号, as printed.
    pub number: String,
    /// 枝番 (2 digits).
    pub branch: Option<String>,
    /// 氏名.
    pub name: String,
    /// 氏名カナ.
    pub kana: String,
    /// 生年月日.
    pub birth_date: NaiveDate,
    /// 性別.
    pub sex: Sex,
    /// 本人・家族の別.
    pub relationship: Relationship,
    /// 一部負担金割合 (absent when printed as 法定負担割合のとおり).
    pub copay: Option<CopayRate>,
    /// 有効開始年月日.
    pub valid_from: Option<NaiveDate>,
    /// 有効終了年月日.
    pub valid_until: Option<NaiveDate>,
    /// 高齢受給者 (割合, 発効期日), where present.
    pub elderly: Option<ElderlyRecipient>,
    /// 限度額適用区分, where the patient consented to show it.
    pub limit: Option<LimitCertification>,
    /// 未就学区分: a child before the April after their 6th birthday (法定 2割). False in
    /// entries recorded before the desk kept it.
    #[serde(default)]
    pub preschool: bool,
}

/// How the My Number Card was checked at the desk.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CardCheckMethod {
    /// The card signed a fresh challenge after the patient entered the PIN: 本人確認済み（PIN）.
    Pin,
    /// The card matched the document's holder binding without a PIN, and the receptionist
    /// compared the card's face photo with the patient (目視). The PIN was not checked.
    Visual,
    /// 券面目視: the card was shown and its 券面 (氏名, 生年月日, photo) compared by eye, but not
    /// matched on a reader (no reader at the desk, or a document with no holder binding). The
    /// card's certificate and the PIN were not checked.
    Seen,
    /// No card was checked.
    None,
}

impl CardCheckMethod {
    /// The Japanese label shown and exported.
    pub fn label_ja(self) -> &'static str {
        match self {
            CardCheckMethod::Pin => "PIN",
            CardCheckMethod::Visual => "目視（PIN未確認）",
            CardCheckMethod::Seen => "券面目視（カード未照合）",
            CardCheckMethod::None => "なし",
        }
    }

    /// The stable name used in JSON.
    pub fn key(self) -> &'static str {
        match self {
            CardCheckMethod::Pin => "pin",
            CardCheckMethod::Visual => "visual",
            CardCheckMethod::Seen => "seen",
            CardCheckMethod::None => "none",
        }
    }
}

/// The desk's verdict on a presentation whose signature verified. (A presentation from an
/// unknown issuer, with a bad signature or malformed, has no verified fields and is not
/// recorded as a visit; a 申立 entry is recorded instead.)
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    /// 確認済み: signature, issuer and validity all hold.
    Confirmed,
    /// 有効期限切れ（書類）: the document itself is past its validity.
    DocumentExpired,
    /// 有効期限切れ（資格）: the eligibility (有効期間) has ended.
    EligibilityExpired,
    /// 有効期間前（資格）: the eligibility (有効期間) starts after the day of the visit.
    NotYetValid,
}

impl Verdict {
    /// The Japanese label shown and exported.
    pub fn label_ja(self) -> &'static str {
        match self {
            Verdict::Confirmed => "確認済み",
            Verdict::DocumentExpired => "有効期限切れ（書類）",
            Verdict::EligibilityExpired => "有効期限切れ（資格）",
            Verdict::NotYetValid => "有効期間前（資格）",
        }
    }

    /// The stable name used in JSON.
    pub fn key(self) -> &'static str {
        match self {
            Verdict::Confirmed => "confirmed",
            Verdict::DocumentExpired => "document_expired",
            Verdict::EligibilityExpired => "eligibility_expired",
            Verdict::NotYetValid => "not_yet_valid",
        }
    }
}

/// The signed document the desk verified.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DocumentInfo {
    /// The issuer key id (from the trust list) that signed it.
    pub key_id: String,
    /// The document's format version.
    pub format: u32,
    /// The document's issue date.
    pub issued_on: NaiveDate,
    /// Which document the presentation carries (資格確認書, お知らせ, マイナポータル): how
    /// eligibility was confirmed (spec/clinic.md §2). `None` in entries recorded before the desk
    /// kept it.
    #[serde(default)]
    pub kind: Option<DocumentKind>,
}

/// A presentation the desk verified, with the card check: what a visit entry records. It is
/// serialized for export but never deserialized from outside the core.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct VerifiedVisit {
    claim: ClaimFields,
    card: CardCheckMethod,
    document: DocumentInfo,
    verdict: Verdict,
}

impl VerifiedVisit {
    /// Only the core makes one, from a presentation whose signature it verified.
    pub(crate) fn new(
        claim: ClaimFields,
        card: CardCheckMethod,
        document: DocumentInfo,
        verdict: Verdict,
    ) -> VerifiedVisit {
        VerifiedVisit {
            claim,
            card,
            document,
            verdict,
        }
    }

    /// The claim fields, as the issuer signed them.
    pub fn claim(&self) -> &ClaimFields {
        &self.claim
    }

    /// How the card was checked.
    pub fn card(&self) -> CardCheckMethod {
        self.card
    }

    /// The verified document.
    pub fn document(&self) -> &DocumentInfo {
        &self.document
    }

    /// The desk's verdict.
    pub fn verdict(&self) -> Verdict {
        self.verdict
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Entries sealed before the desk kept the document kind and 未就学 still read: both
    /// default (kind unknown, not 未就学), and the rest is as recorded.
    #[test]
    fn entries_recorded_before_kind_and_preschool_still_read() {
        let claim: ClaimFields = serde_json::from_str(
            r#"{"insurer_number":"01130012","symbol":null,"number":"42","branch":"00",
                "name":"山田 太郎","kana":"ヤマダ タロウ","birth_date":"1985-04-12",
                "sex":"male","relationship":"self","copay":30,"valid_from":null,
                "valid_until":null,"elderly":null,"limit":null}"#,
        )
        .unwrap();
        assert!(!claim.preschool);
        assert_eq!(claim.number, "42");
        let doc: DocumentInfo =
            serde_json::from_str(r#"{"key_id":"issuer-2026","format":2,"issued_on":"2026-11-01"}"#)
                .unwrap();
        assert_eq!(doc.kind, None);
        // What is recorded now carries both.
        let now = serde_json::to_value(DocumentInfo {
            kind: Some(DocumentKind::Certificate),
            ..doc
        })
        .unwrap();
        assert_eq!(now["kind"], "certificate");
    }
}
