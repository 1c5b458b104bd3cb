//! The desk page's HTML: one self-contained document (inline style, no script, no external
//! asset), in Japanese, in type large enough to read across a counter. It shows what the core
//! answered — the verdict's label, the claim fields of an authentic document, the trust list's
//! age and staleness, the card check's answer and the PIN's tries left, today's visits as the
//! core exports them — and decides nothing itself.

use chrono::NaiveDate;
use shikaku_core::card::{CardAudience, PinCounter};
use shikaku_core::clinic::{
    CheckedVisits, ClaimFields, ClinicError, DECLARED_LABEL, DeskCardCheck, DeskOutcome, DeskTone,
    DeskVerification, MAX_INSURER_NAME_CHARS, MAX_NAME_CHARS, MAX_NUMBER_CHARS, MAX_OPERATOR_CHARS,
    MAX_PROGRAM_CHARS, MAX_PUBLIC_EXPENSES, PUBLIC_EXPENSE_SEEN_LABEL, TrustAge, TrustSource,
    export, public_expense_order_ja,
};
use shikaku_core::eligibility::text::MAX_KANA_CHARS;
use shikaku_core::eligibility::{Relationship, Sex};
use zeroize::Zeroizing;

use super::card::{CardOutcome, CardResult};

/// A line above the page's content.
pub(super) enum Notice {
    /// The verification was recorded.
    Recorded {
        /// Its log position.
        position: u64,
        /// The core's notice when the patient already had a visit that day
        /// (`SameDayVisit::notice_ja`): recorded all the same.
        same_day: Option<String>,
    },
    /// A 申立 was recorded (申立・未検証).
    Declared {
        /// Its log position.
        position: u64,
        /// The share to collect at the window, in the core's words (`Declaration::cashier_ja`).
        cashier: String,
        /// The core's notice when the patient already had a visit that day.
        same_day: Option<String>,
    },
    /// Something the operator must read (bad input, a refusal), without personal data.
    Error(String),
}

/// What the receptionist typed on the 申立 form, to put back into it after a refusal so that
/// nothing is lost: the form's fields by name, in buffers wiped when dropped. Held for the
/// request only (it travels in the POST body and back in the answer, never in a URL).
pub(super) struct Typed(Vec<(&'static str, Zeroizing<String>)>);

impl Typed {
    /// The values of the 申立 form's fields ([`DECLARE_FIELDS`]) among a post's fields, as
    /// `value` gives them.
    pub(super) fn from_form<'a>(value: impl Fn(&str) -> Option<&'a str>) -> Typed {
        Typed(
            DECLARE_FIELDS
                .into_iter()
                .filter_map(|name| value(name).map(|v| (name, Zeroizing::new(v.to_string()))))
                .collect(),
        )
    }

    /// The value typed in the field `name` (empty when none).
    fn get(&self, name: &str) -> &str {
        self.0
            .iter()
            .find(|(n, _)| *n == name)
            .map_or("", |(_, v)| v.as_str())
    }
}

/// The 申立 form's part of the page.
pub(super) struct DeclarePanel<'a> {
    /// The form's single-use token (`None`: the page could not make one; the form is not
    /// offered).
    pub token: Option<String>,
    /// What was typed, after a refusal: the form is refilled with it.
    pub typed: Option<&'a Typed>,
}

/// A verification to show, and the id under which the server keeps it for recording (`None`
/// when it cannot be recorded).
pub(super) struct Pending<'a> {
    /// The core's verification.
    pub verification: &'a DeskVerification,
    /// The core's overall outcome with the card checks made so far (before the receptionist
    /// states 目視): what the page shows in large type, and whether it offers 記録.
    pub outcome: DeskOutcome,
    /// The id of the record form, when the document is authentic.
    pub record_id: Option<&'a str>,
    /// The card check's part.
    pub card: CardPanel<'a>,
    /// The core's notice when this patient already has a visit today
    /// (`SameDayVisit::notice_ja`): shown beside 記録, which stays offered.
    pub same_day: Option<String>,
}

/// The card check's part of a verification shown.
pub(super) enum CardPanel<'a> {
    /// The page was started without `--card`: it says how to enable the check.
    NoReader,
    /// The desk has a reader.
    Reader {
        /// The check held for recording (a card that matched this document), if any.
        held: Option<&'a DeskCardCheck>,
        /// What the last check found, when one was made.
        outcome: Option<&'a CardOutcome>,
        /// The single-use token of the PIN form (`None`: no PIN form is shown).
        attempt: Option<&'a str>,
    },
}

/// Everything the page shows.
pub(super) struct PageView<'a> {
    /// Today in Japan.
    pub today: NaiveDate,
    /// The trust list's age (`None`: the desk has none).
    pub trust: Result<Option<TrustAge>, ClinicError>,
    /// What is said when `trust` is `Ok(None)`, in the core's words: no trust list, or the
    /// PC's clock before the list's issue (`DeskStore::trust_missing_ja`).
    pub trust_missing: String,
    /// A line above the content.
    pub notice: Option<Notice>,
    /// The verification just made.
    pub verification: Option<Pending<'a>>,
    /// Today's visits with the state of the log's chain (`DeskStore::visits_between_checked`):
    /// when the listing is not complete (the chain broken: an entry may be missing from every
    /// listing; or a damaged row), the core's line (`CheckedVisits::notice_ja`) is shown above
    /// everything else.
    pub visits: Result<CheckedVisits, ClinicError>,
    /// The 申立 form.
    pub declare: DeclarePanel<'a>,
}

/// The link to the 申立 form, after a line of the core's that says to take a
/// 被保険者資格申立書: the receptionist's way forward is on this page.
fn declare_link(line: &str) -> &'static str {
    if line.contains("申立書") {
        " <a href=\"#declare\" class=\"to-declare\">→ 被保険者資格申立書を入力する</a>"
    } else {
        ""
    }
}

/// `s` with the five HTML-special characters escaped (for text and quoted attributes).
fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

const STYLE: &str = "
body{font-family:'Noto Sans CJK JP','Hiragino Sans','Yu Gothic',sans-serif;font-size:22px;
 margin:0 auto;max-width:1100px;padding:16px 24px;color:#111;background:#fff}
h1{font-size:30px;margin:8px 0}
h2{font-size:26px;margin:24px 0 8px}
.trust{font-size:20px;padding:8px 12px;border-radius:6px;background:#eef3f8}
.stale,.none{background:#fff3cd;border:2px solid #c77c00;font-weight:bold}
.notice{font-size:24px;padding:12px;border-radius:6px;margin:12px 0}
.notice.error{background:#fde2e1;border:2px solid #b00020}
.notice.ok{background:#e3f4e5;border:2px solid #1b7f2a}
form.scan input[type=text]{font-size:26px;width:70%;padding:8px}
button{font-size:26px;padding:8px 24px}
.verdict{font-size:64px;font-weight:bold;padding:16px 24px;border-radius:10px;margin:16px 0 8px}
.verdict.ok{background:#1b7f2a;color:#fff}
.verdict.warn{background:#c77c00;color:#fff}
.verdict.ng{background:#b00020;color:#fff}
.reason{font-size:18px;color:#444}
.basis{font-size:24px;margin:4px 0}
.action{font-size:26px;font-weight:bold;padding:8px 12px;border-radius:6px}
.action.warn{background:#fff3cd;border:2px solid #c77c00}
.action.ng{background:#fde2e1;border:2px solid #b00020}
table.claim{border-collapse:collapse;font-size:28px;margin:8px 0}
table.claim th{text-align:left;padding:6px 20px 6px 0;color:#444;font-weight:normal;white-space:nowrap}
table.claim td{padding:6px 0;font-weight:bold}
.doc{font-size:20px;margin:8px 0}
section.card{border:2px solid #888;border-radius:8px;padding:4px 12px 12px;margin:12px 0}
.cardresult{font-size:44px;font-weight:bold;padding:12px 20px;border-radius:10px;margin:8px 0}
.cardresult.ok{background:#1b7f2a;color:#fff}
.cardresult.bound{background:#1f4e8c;color:#fff}
.cardresult.ng{background:#b00020;color:#fff}
.tries{font-size:26px;font-weight:bold}
form.card{display:inline-block;margin:8px 24px 8px 0;vertical-align:top}
form.card input[type=password]{font-size:32px;width:5em;padding:6px;letter-spacing:.3em}
form.card input[type=checkbox],form.record input[type=checkbox]{transform:scale(1.8);margin:0 12px}
form.record{font-size:24px;border:2px solid #888;border-radius:8px;padding:12px;margin:12px 0}
form.record input[type=text]{font-size:24px;padding:6px}
section.declare{border:2px solid #1f4e8c;border-radius:8px;padding:4px 12px 12px;margin:24px 0}
form.declare{font-size:22px}
form.declare input[type=text],form.declare select{font-size:22px;padding:6px;margin:4px 0}
.cashier{font-size:26px;font-weight:bold;padding:8px 12px;border-radius:6px;background:#eef3f8;border:2px solid #1f4e8c}
table.visits{border-collapse:collapse;font-size:18px;width:100%}
table.visits th,table.visits td{border:1px solid #aaa;padding:4px 6px;text-align:left}
";

fn head(title: &str) -> String {
    format!(
        "<!DOCTYPE html>\n<html lang=\"ja\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <meta name=\"referrer\" content=\"same-origin\">\
         <title>{}</title><style>{STYLE}</style></head><body>",
        esc(title)
    )
}

/// A page with only a message (for a refused CSV download).
pub(super) fn error_page(message: &str) -> String {
    format!(
        "{}<h1>受付 資格確認</h1><p class=\"notice error\" id=\"notice\">{}</p>\
         <p><a href=\"./\">戻る</a></p></body></html>",
        head("受付 資格確認"),
        esc(message)
    )
}

fn day(d: NaiveDate) -> String {
    d.format("%Y-%m-%d").to_string()
}

/// The trust list's line: the core's summary, and its words for a stale or missing list.
fn trust_line(view: &PageView<'_>) -> String {
    match &view.trust {
        Ok(Some(t)) => match t.stale_ja(TrustSource::Desk) {
            Some(stale) => format!(
                "<p class=\"trust stale\" id=\"trust\">⚠ 信頼リスト {} — {}</p>",
                esc(&t.summary_ja()),
                esc(&stale)
            ),
            None => format!(
                "<p class=\"trust\" id=\"trust\">信頼リスト {}</p>",
                esc(&t.summary_ja())
            ),
        },
        Ok(None) => format!(
            "<p class=\"trust none\" id=\"trust\">⚠ {}</p>",
            esc(&view.trust_missing)
        ),
        Err(e) => format!(
            "<p class=\"trust none\" id=\"trust\">⚠ 信頼リストを読めませんでした（{}）</p>",
            esc(&e.to_string())
        ),
    }
}

/// The claim fields of `v` as a table; the 負担割合, the 有効期間 and the 高齢受給者 line are the
/// core's words (`copay_ja`, `validity_ja`, `elderly_ja`).
fn claim_table(v: &DeskVerification, c: &ClaimFields) -> String {
    let copay_ja = v.copay_ja().unwrap_or_default();
    let validity = v.validity_ja().unwrap_or_default();
    let elderly = v.elderly_ja().unwrap_or_default();
    let mut rows: Vec<(&str, String)> = vec![
        ("保険者番号", c.insurer_number.as_str().to_string()),
        ("記号", c.symbol.clone().unwrap_or_default()),
        ("番号", c.number.clone()),
        ("枝番", c.branch.clone().unwrap_or_default()),
        ("氏名", c.name.clone()),
        ("カナ", c.kana.clone()),
        ("生年月日", day(c.birth_date)),
        ("性別", c.sex.label_ja().to_string()),
        ("本人・家族", c.relationship.label_ja().to_string()),
        ("負担割合", copay_ja),
        ("有効期間", validity),
        ("高齢受給者", elderly),
    ];
    if let Some(l) = &c.limit {
        rows.push((
            "限度額適用区分",
            format!(
                "{}{}",
                l.category,
                l.effective_from
                    .map(|d| format!("（発効 {}）", day(d)))
                    .unwrap_or_default()
            ),
        ));
    }
    let mut out = String::from("<table class=\"claim\" id=\"claim\">");
    for (label, value) in rows {
        out.push_str(&format!(
            "<tr><th>{}</th><td>{}</td></tr>",
            esc(label),
            esc(&value)
        ));
    }
    out.push_str("</table>");
    out
}

fn verification_section(p: &Pending<'_>) -> String {
    let v = p.verification;
    let o = &p.outcome;
    let class = match o.tone() {
        DeskTone::Green => "ok",
        DeskTone::Amber => "warn",
        DeskTone::Red => "ng",
    };
    let mut out = format!(
        "<section id=\"result\"><p class=\"verdict {class}\" id=\"verdict\" \
         data-verdict=\"{}\" data-acceptance=\"{}\" data-tone=\"{}\">{}</p>",
        esc(v.verdict.key()),
        esc(o.acceptance.key()),
        esc(o.tone().key()),
        esc(o.label_ja())
    );
    out.push_str(&format!(
        "<p class=\"basis\" id=\"basis\">{}</p>",
        esc(&o.basis_ja())
    ));
    if let Some(action) = o.action_ja() {
        out.push_str(&format!(
            "<p class=\"action {class}\" id=\"action\">{}{}</p>",
            esc(action),
            declare_link(action)
        ));
    }
    if let Some(kind) = v.document_kind() {
        out.push_str(&format!(
            "<p class=\"doc\" id=\"document-kind\">書類: {}・検証結果 {}</p>",
            esc(kind.label_ja()),
            esc(v.verdict.label_ja())
        ));
    }
    if let Some(reason) = &v.reason {
        out.push_str(&format!("<p class=\"reason\">詳細: {}</p>", esc(reason)));
    }
    // Only a document whose signature verified has fields; a failed verdict shows none.
    if let Some(claim) = v.claim() {
        out.push_str(&claim_table(v, &claim));
        // The 高齢受給者 block past its 有効期限: the share must be confirmed (the core's note;
        // the outcome above is unchanged).
        if let Some(note) = v.elderly_note_ja() {
            out.push_str(&format!(
                "<p class=\"action warn\" id=\"elderly-note\">{}</p>",
                esc(note)
            ));
        }
        if let (Some(issued), Some(age), Some(doc)) =
            (v.issued_on(), v.document_age_days(), v.document_info())
        {
            out.push_str(&format!(
                "<p class=\"doc\" id=\"document\">書類の発行日 {}（{}日前）・形式 {}・鍵 {}</p>",
                day(issued),
                age,
                doc.format,
                esc(&doc.key_id)
            ));
        }
    }
    if let Some(id) = p.record_id {
        let held = match &p.card {
            CardPanel::Reader {
                held,
                outcome,
                attempt,
            } if v.holder_bound() => {
                out.push_str(&card_section(id, *held, *outcome, *attempt, o));
                *held
            }
            CardPanel::Reader { .. } => {
                out.push_str(
                    "<section class=\"card\" id=\"card\"><h2>カード確認</h2><p id=\"card-result\" \
                     data-card=\"unbound\">この書類にはカードとの結び付けがないため、カードを\
                     リーダーで照合できません。</p></section>",
                );
                None
            }
            CardPanel::NoReader => None,
        };
        // 記録 only when the core's outcome allows it: never with another person's card, and
        // an お知らせ / マイナポータル screen only with its card.
        if o.can_record() {
            if let Some(same_day) = &p.same_day {
                out.push_str(&format!(
                    "<p class=\"action warn\" id=\"same-day\">{}</p>",
                    esc(same_day)
                ));
            }
            out.push_str(&record_form(
                id,
                held,
                o,
                matches!(p.card, CardPanel::NoReader),
            ));
        } else if matches!(p.card, CardPanel::NoReader) && v.holder_bound() {
            out.push_str(
                "<p id=\"no-reader\"><small>このページではカードを確認しません。カード確認は \
                 <code>shikaku clinic serve --card pcsc</code> で起動すると使えます（または \
                 <code>shikaku clinic verify --card</code>）。</small></p>",
            );
        }
    }
    out.push_str("</section>");
    out
}

/// The hidden field every form about the verification shown carries: the server's id for it.
fn hidden_id(id: &str) -> String {
    format!("<input type=\"hidden\" name=\"id\" value=\"{}\">", esc(id))
}

/// Whether the page offers the PIN form after the last check's `outcome` (not when the core
/// reported the PIN blocked), and if so whether with the last try's consent box (when the core
/// reported one try left): `Some(consent box)`, or `None`. Whether the VERIFY may be sent is
/// still the core's call; the server heeds a ticked box only on a form that offered it.
pub(super) fn pin_form(outcome: Option<&CardOutcome>) -> Option<bool> {
    match outcome.and_then(|o| o.tries) {
        Some(PinCounter::Blocked) => None,
        tries => Some(tries == Some(PinCounter::Remaining(1))),
    }
}

/// The card check: the answer in large type, the PIN's tries left, and the two forms (without
/// a PIN; with the PIN the patient types, its single-use `attempt` token, and their consent
/// when one try is left). `desk` is the core's overall outcome: the page asks for the photo to
/// be compared only when it does ([`DeskOutcome::needs_face_statement`]; a 資格確認書 needs no
/// card).
fn card_section(
    id: &str,
    held: Option<&DeskCardCheck>,
    outcome: Option<&CardOutcome>,
    attempt: Option<&str>,
    desk: &DeskOutcome,
) -> String {
    let mut out = String::from("<section class=\"card\" id=\"card\"><h2>カード確認</h2>");
    let result = outcome.map(|o| &o.result);
    let matched = match result {
        Some(CardResult::Matched(check)) => Some(check),
        Some(_) => None,
        None => held,
    };
    match (matched, result) {
        (Some(check), _) => {
            let (class, key) = if check.pin_verified() {
                ("ok", "pin")
            } else {
                ("bound", "bound")
            };
            out.push_str(&format!(
                "<p class=\"cardresult {class}\" id=\"card-result\" data-card=\"{key}\">{}</p>",
                esc(check.label_ja())
            ));
            if !check.pin_verified() && desk.needs_face_statement() {
                out.push_str(
                    "<p>PINは確認していません。券面の顔写真と本人を見比べてから記録してください。</p>",
                );
            }
        }
        // What follows from it (never 確認済み, never recorded) is the core's outcome above
        // (`DeskOutcome::basis_ja`, `action_ja`): the page adds no rule of its own.
        (None, Some(CardResult::Mismatch)) => out.push_str(&format!(
            "<p class=\"cardresult ng\" id=\"card-result\" data-card=\"mismatch\">{}</p>",
            esc(DeskCardCheck::MISMATCH_LABEL_JA)
        )),
        (None, Some(CardResult::Failed(message))) => out.push_str(&format!(
            "<p class=\"notice error\" id=\"card-result\" data-card=\"error\">{}</p>",
            esc(message)
        )),
        (None, _) => {}
    }
    let tries = outcome.and_then(|o| o.tries);
    // The counter in the core's words for the desk (tries left; the last try; a block reset
    // only at the municipal office): `PinCounter::message_ja`.
    if let Some(counter @ (PinCounter::Remaining(_) | PinCounter::Blocked)) = tries {
        out.push_str(&format!(
            "<p class=\"tries\" id=\"pin-tries\">{}</p>",
            esc(&counter.message_ja(CardAudience::Desk))
        ));
    }
    out.push_str(&format!(
        "<form class=\"card\" method=\"post\" action=\"card\">{}\
         <input type=\"hidden\" name=\"mode\" value=\"nopin\">\
         <button type=\"submit\" id=\"card-nopin\">カードを確認（PIN なし）</button></form>",
        hidden_id(id)
    ));
    if let (Some(consent), Some(attempt)) = (pin_form(outcome), attempt) {
        let consent = if consent {
            "<br><label><input type=\"checkbox\" name=\"last\" id=\"last\" required>\
             残りは1回です。間違えるとPINがロックされ、市区町村の窓口でしか解除できないことを\
             本人が了承した</label>"
        } else {
            ""
        };
        out.push_str(&format!(
            "<form class=\"card\" method=\"post\" action=\"card\" autocomplete=\"off\">{}\
             <input type=\"hidden\" name=\"mode\" value=\"pin\">\
             <input type=\"hidden\" name=\"attempt\" value=\"{}\">\
             <label>PIN（4桁・本人が入力） <input type=\"password\" name=\"pin\" id=\"pin\" \
             inputmode=\"numeric\" autocomplete=\"off\" maxlength=\"4\" pattern=\"[0-9]{{4}}\" \
             required></label> <button type=\"submit\" id=\"card-pin\">PINで本人確認</button>\
             {consent}</form>",
            hidden_id(id),
            esc(attempt)
        ));
    }
    out.push_str("</section>");
    out
}

/// The record form: the operator, and what the card check will be recorded as. When the
/// core's outcome needs the receptionist's statement of 目視, the checkbox is required.
fn record_form(
    id: &str,
    held: Option<&DeskCardCheck>,
    outcome: &DeskOutcome,
    no_reader: bool,
) -> String {
    let required = if outcome.needs_face_statement() {
        " required"
    } else {
        ""
    };
    let card = match held {
        Some(check) if check.pin_verified() => format!(
            "<p>カード: {}（PINとして記録されます）</p>",
            esc(check.label_ja())
        ),
        // When the core needs the statement, what to do is its action line above
        // (`DeskOutcome::action_ja`), and a form without it is refused in its words
        // (`ClinicError::record_refusal_ja`): the page restates no rule.
        Some(_) if outcome.needs_face_statement() => format!(
            "<p><label><input type=\"checkbox\" name=\"face\" id=\"face\"{required}>\
             券面の顔写真と本人を目視で確認した</label></p>"
        ),
        Some(_) => "<p><label><input type=\"checkbox\" name=\"face\" id=\"face\">\
                    券面の顔写真と本人を目視で確認した</label><br>\
                    <small>チェックがなければカード確認なしとして記録されます。</small></p>"
            .to_string(),
        // No card matched on a reader (a document with no binding, or no reader at the desk):
        // the 券面 compared by eye, recorded as 券面目視 (spec/clinic.md §1 (2)/(3)).
        None if outcome.needs_face_statement() => format!(
            "<p><label><input type=\"checkbox\" name=\"face\" id=\"face\"{required}>\
             券面を目視で照合した（氏名・生年月日をこの内容と、顔写真を本人と）</label></p>"
        ),
        None if no_reader => "<p><small>このページではカードを確認しません（カード確認なしで\
                              記録されます）。カード確認は <code>shikaku clinic serve --card \
                              pcsc</code> で起動すると使えます（または <code>shikaku clinic \
                              verify --card</code>）。</small></p>"
            .to_string(),
        None => "<p><small>カードは確認していません（カード確認なしで記録されます）。</small></p>"
            .to_string(),
    };
    format!(
        "<form class=\"record\" method=\"post\" action=\"record\" autocomplete=\"off\">{}\
         {card}{}<label>受付者 <input type=\"text\" name=\"operator\" id=\"operator\" \
         maxlength=\"{MAX_OPERATOR_CHARS}\" required autocomplete=\"off\"></label> \
         <button type=\"submit\" id=\"record\">記録</button></form>",
        hidden_id(id),
        public_expense_fields("", None)
    )
}

/// The names of the record form's 公費 fields: `public1_payer` … `public2_program`, the parts
/// of a `PublicExpenseEntry` (read back by the `record` handler).
pub(super) const PUBLIC_EXPENSE_PARTS: [&str; 4] = ["payer", "recipient", "until", "program"];

/// The 公費 受給者証 (第一公費, 第二公費) of the record form or the 申立 form (its element ids
/// start with `id_prefix`), typed from the paper shown beside the insurance; recorded as
/// 受給者証目視・未検証 (the core's label), never verified. Refilled from `typed` (open then).
fn public_expense_fields(id_prefix: &str, typed: Option<&Typed>) -> String {
    let open = if typed.is_some_and(|t| {
        DECLARE_FIELDS
            .iter()
            .any(|name| name.starts_with("public") && !t.get(name).trim().is_empty())
    }) {
        " open"
    } else {
        ""
    };
    let mut out = format!(
        "<details id=\"{id_prefix}public\"{open}><summary>公費の受給者証（医療証）があるとき</summary>\
         <p><small>受給者証を目視して入力します。記録では「{}」です。</small></p>",
        esc(PUBLIC_EXPENSE_SEEN_LABEL)
    );
    for n in 1..=MAX_PUBLIC_EXPENSES {
        let label = |part: &str| match part {
            "payer" => "負担者番号",
            "recipient" => "受給者番号",
            "until" => "有効期限",
            _ => "名称",
        };
        out.push_str(&format!("<p>{}", public_expense_order_ja(n - 1)));
        for part in PUBLIC_EXPENSE_PARTS {
            let max = if part == "program" {
                MAX_PROGRAM_CHARS
            } else {
                20
            };
            let name = format!("public{n}_{part}");
            out.push_str(&format!(
                " <label>{} <input type=\"text\" name=\"{name}\" \
                 id=\"{id_prefix}{name}\" maxlength=\"{max}\" autocomplete=\"off\"{}></label>",
                label(part),
                value_attr(typed, &name)
            ));
        }
        out.push_str("</p>");
    }
    out.push_str("</details>");
    out
}

/// Every field name of the 申立 form, as the `declare` handler reads them back: the core's
/// `DeclarationForm`, the operator, and the 公費 rows named as on the record form
/// (`public{n}_{part}`, [`PUBLIC_EXPENSE_PARTS`]; the test `the_declare_form_names_every_field`
/// keeps them in step).
pub(super) const DECLARE_FIELDS: [&str; 20] = [
    "name",
    "kana",
    "birth",
    "sex",
    "relationship",
    "insurer_name",
    "insurer_number",
    "symbol",
    "number",
    "branch",
    "copay",
    "operator",
    "public1_payer",
    "public1_recipient",
    "public1_until",
    "public1_program",
    "public2_payer",
    "public2_recipient",
    "public2_until",
    "public2_program",
];

/// ` value="…"` with what was typed in `name`, escaped; nothing when nothing was typed.
fn value_attr(typed: Option<&Typed>, name: &str) -> String {
    match typed.map(|t| t.get(name)).filter(|v| !v.is_empty()) {
        Some(v) => format!(" value=\"{}\"", esc(v)),
        None => String::new(),
    }
}

/// A `<select>` of `options` (value, label), the first one empty, with the typed one chosen.
fn select(
    name: &str,
    label: &str,
    options: &[(&str, &str)],
    required: bool,
    typed: Option<&Typed>,
) -> String {
    let chosen = typed.map(|t| t.get(name)).unwrap_or_default();
    let mut out = format!(
        "<label>{label} <select name=\"{name}\" id=\"declare-{name}\"{}>",
        if required { " required" } else { "" }
    );
    for (value, text) in options {
        let selected = if *value == chosen { " selected" } else { "" };
        out.push_str(&format!(
            "<option value=\"{value}\"{selected}>{}</option>",
            esc(text)
        ));
    }
    out.push_str("</select></label>");
    out
}

/// The 被保険者資格申立書 form (`#declare`): always on the page, below the scan form, for a
/// patient nothing can be confirmed for (spec/clinic.md §1 item 5). The fields of the core's
/// `DeclarationForm`, the 公費 rows and the operator, posted to `declare` with the form's
/// single-use token; refilled from `typed` after a refusal. The core validates it.
fn declare_section(panel: &DeclarePanel<'_>) -> String {
    let mut out = String::from(
        "<section class=\"declare\" id=\"declare\"><h2>被保険者資格申立書で受け付ける</h2>\
         <p><small>資格を確認できないとき（読み取れない・書類がない・受け付けられない書類）は、\
         本人に被保険者資格申立書（紙）を書いてもらい、その内容を入力します。記録では「",
    );
    out.push_str(&esc(DECLARED_LABEL));
    out.push_str("」です（住所・電話番号は紙の申立書に残し、入力しません）。</small></p>");
    let Some(token) = &panel.token else {
        out.push_str(
            "<p class=\"notice error\">申立の入力欄を用意できませんでした。\
             ページを読み込み直してください。</p></section>",
        );
        return out;
    };
    let t = panel.typed;
    let text = |name: &str, label: &str, max: usize, required: bool, hint: &str| {
        format!(
            "<label>{label} <input type=\"text\" name=\"{name}\" id=\"declare-{name}\" \
             maxlength=\"{max}\" autocomplete=\"off\"{}{}></label>{hint}<br>",
            if required { " required" } else { "" },
            value_attr(t, name)
        )
    };
    let sexes: Vec<(&str, &str)> = [("", "選んでください")]
        .into_iter()
        .chain([Sex::Male, Sex::Female, Sex::Other].map(|s| (sex_value(s), s.label_ja())))
        .collect();
    let relationships: Vec<(&str, &str)> = [("", "選んでください")]
        .into_iter()
        .chain(
            [Relationship::Insured, Relationship::Dependent]
                .map(|r| (relationship_value(r), r.label_ja())),
        )
        .collect();
    out.push_str(&format!(
        "<form class=\"declare\" method=\"post\" action=\"declare\" autocomplete=\"off\">\
         <input type=\"hidden\" name=\"form\" value=\"{}\">",
        esc(token)
    ));
    out.push_str(&text("name", "氏名", MAX_NAME_CHARS, true, ""));
    out.push_str(&text("kana", "カナ", MAX_KANA_CHARS, false, ""));
    out.push_str(&text(
        "birth",
        "生年月日",
        20,
        true,
        " <small>西暦（1970-05-06）か和暦（昭和45年5月6日、S45.5.6）</small>",
    ));
    out.push_str(&select("sex", "性別", &sexes, true, t));
    out.push(' ');
    out.push_str(&select(
        "relationship",
        "本人・家族",
        &relationships,
        true,
        t,
    ));
    out.push_str("<br>");
    out.push_str(&text(
        "insurer_name",
        "保険者名・勤務先",
        MAX_INSURER_NAME_CHARS,
        true,
        "",
    ));
    out.push_str(&text(
        "insurer_number",
        "保険者番号",
        20,
        false,
        " <small>わかれば</small>",
    ));
    out.push_str(&text("symbol", "記号", MAX_NUMBER_CHARS, false, ""));
    out.push_str(&text("number", "番号", MAX_NUMBER_CHARS, false, ""));
    out.push_str(&text("branch", "枝番", 4, false, " <small>2桁</small>"));
    out.push_str(&select(
        "copay",
        "申告の負担割合",
        &[
            ("", "申告なし"),
            ("10", "1割"),
            ("20", "2割"),
            ("30", "3割"),
        ],
        false,
        t,
    ));
    out.push_str(&public_expense_fields("declare-", t));
    out.push_str(&format!(
        "<p><label>受付者 <input type=\"text\" name=\"operator\" id=\"declare-operator\" \
         maxlength=\"{MAX_OPERATOR_CHARS}\" required autocomplete=\"off\"{}></label> \
         <button type=\"submit\" id=\"declare-submit\">申立を記録</button></p></form></section>",
        value_attr(t, "operator")
    ));
    out
}

/// The value the 申立 form sends for `sex` (the core's `Sex` reads it back).
pub(super) fn sex_value(sex: Sex) -> &'static str {
    match sex {
        Sex::Male => "male",
        Sex::Female => "female",
        Sex::Other => "other",
    }
}

/// The value the 申立 form sends for `relationship` (the core's `Relationship` reads it back).
pub(super) fn relationship_value(r: Relationship) -> &'static str {
    match r {
        Relationship::Insured => "self",
        Relationship::Dependent => "dependent",
    }
}

fn visits_section(view: &PageView<'_>) -> String {
    const SHOWN: [&str; 14] = [
        "受付時刻",
        "確認結果",
        "確認方法",
        "カード確認",
        "氏名",
        "保険者番号",
        "記号",
        "番号",
        "枝番",
        "第一公費負担者番号",
        "第二公費負担者番号",
        "公費確認",
        "受付者",
        "記録番号",
    ];
    let columns: Vec<usize> = SHOWN
        .iter()
        .filter_map(|name| export::CSV_COLUMNS.iter().position(|c| c == name))
        .collect();
    let mut out = format!(
        "<section id=\"visits\"><h2>本日の受付（{}）</h2>",
        day(view.today)
    );
    match &view.visits {
        Err(e) => out.push_str(&format!(
            "<p class=\"notice error\">記録を読めませんでした（{}）</p>",
            esc(&e.to_string())
        )),
        // An incomplete listing is said above everything else, in the core's words (`render`).
        Ok(CheckedVisits { list, .. }) => {
            if list.entries.is_empty() {
                out.push_str("<p>本日の記録はまだありません。</p>");
            } else {
                out.push_str("<table class=\"visits\"><tr>");
                for &i in &columns {
                    out.push_str(&format!("<th>{}</th>", esc(export::CSV_COLUMNS[i])));
                }
                out.push_str("</tr>");
                for e in &list.entries {
                    let cells = export::csv_cells(e);
                    out.push_str("<tr>");
                    for &i in &columns {
                        out.push_str(&format!("<td>{}</td>", esc(&cells[i])));
                    }
                    out.push_str("</tr>");
                }
                out.push_str("</table>");
            }
            out.push_str(
                "<p><a href=\"visits.csv\" id=\"csv\" download>CSV（本日分）をダウンロード</a>\
                 （レセコンへの取り込み用：値は印字どおり）<br>\
                 <a href=\"visits-sheet.csv\" id=\"csv-sheet\" download>CSV（本日分・表計算ソフト用）\
                 </a>（Excel などで開いても保険者番号・番号・枝番の先頭の 0 が\
                 消えないように、番号の列を =\"…\" で書いたもの。取り込みには使わないでください）</p>",
            );
        }
    }
    out.push_str("</section>");
    out
}

/// The whole page.
pub(super) fn render(view: &PageView<'_>) -> String {
    let mut out = head("受付 資格確認");
    out.push_str("<h1>受付 資格確認</h1>");
    out.push_str(&trust_line(view));
    if let Some(broken) = view.visits.as_ref().ok().and_then(CheckedVisits::notice_ja) {
        out.push_str(&format!(
            "<p class=\"notice error\" id=\"log-broken\">{}</p>",
            esc(&broken)
        ));
    }
    match &view.notice {
        Some(Notice::Recorded { position, same_day }) => {
            out.push_str(&format!(
                "<p class=\"notice ok\" id=\"notice\">記録しました（記録番号 {position}）</p>"
            ));
            if let Some(same_day) = same_day {
                out.push_str(&format!(
                    "<p class=\"action warn\" id=\"same-day\">{}</p>",
                    esc(same_day)
                ));
            }
        }
        Some(Notice::Declared {
            position,
            cashier,
            same_day,
        }) => {
            out.push_str(&format!(
                "<p class=\"notice ok\" id=\"notice\">被保険者資格申立書を記録しました\
                 （記録番号 {position}・{}）</p><p class=\"cashier\" id=\"cashier\">{}</p>",
                esc(DECLARED_LABEL),
                esc(cashier)
            ));
            if let Some(same_day) = same_day {
                out.push_str(&format!(
                    "<p class=\"action warn\" id=\"same-day\">{}</p>",
                    esc(same_day)
                ));
            }
        }
        Some(Notice::Error(message)) => out.push_str(&format!(
            "<p class=\"notice error\" id=\"notice\">{}{}</p>",
            esc(message),
            declare_link(message)
        )),
        None => {}
    }
    out.push_str(
        "<form class=\"scan\" method=\"post\" action=\"verify\" autocomplete=\"off\">\
         <label for=\"payload\">QRコード（スキャナーで読み取り）</label><br>\
         <input type=\"text\" name=\"payload\" id=\"payload\" autofocus autocomplete=\"off\" \
         spellcheck=\"false\" maxlength=\"8192\"> <button type=\"submit\">確認</button></form>",
    );
    if let Some(p) = &view.verification {
        out.push_str(&verification_section(p));
    }
    out.push_str(&declare_section(&view.declare));
    out.push_str(&visits_section(view));
    out.push_str("</body></html>");
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use shikaku_core::clinic::{LogCheck, LogProblem, VisitList};
    use shikaku_core::store::RowRef;

    fn view_of(check: LogCheck, corrupt: &[&str]) -> PageView<'static> {
        PageView {
            today: NaiveDate::from_ymd_opt(2026, 11, 29).unwrap(),
            trust: Ok(None),
            trust_missing: TrustSource::Desk.missing_ja(),
            notice: None,
            verification: None,
            visits: Ok(CheckedVisits {
                list: VisitList {
                    entries: Vec::new(),
                    corrupt: corrupt
                        .iter()
                        .map(|id| RowRef {
                            table: "visits",
                            id: id.to_string(),
                        })
                        .collect(),
                },
                check,
            }),
            declare: DeclarePanel {
                token: Some("t0".into()),
                typed: None,
            },
        }
    }

    fn intact() -> LogCheck {
        LogCheck::Intact {
            entries: 8,
            head: "00".into(),
        }
    }

    #[test]
    fn a_broken_log_is_said_above_everything_else() {
        let intact = render(&view_of(intact(), &[]));
        assert!(!intact.contains("log-broken"));
        let broken = render(&view_of(
            LogCheck::Broken {
                position: 7,
                problem: LogProblem::Missing,
            },
            &[],
        ));
        let at = broken
            .find("id=\"log-broken\"")
            .expect("the notice is shown");
        assert!(
            at < broken.find("name=\"payload\"").unwrap(),
            "above the scan field"
        );
        assert!(broken.contains("記録番号 7 に欠落"));
    }

    #[test]
    fn a_missing_trust_list_is_said_in_the_cores_words() {
        let page = render(&view_of(intact(), &[]));
        assert!(
            page.contains(&esc(&TrustSource::Desk.missing_ja())),
            "{page}"
        );
        assert!(page.contains("shikaku clinic trust update"), "{page}");
    }

    #[test]
    fn damaged_rows_are_said_in_the_cores_words() {
        let view = view_of(intact(), &["5"]);
        let page = render(&view);
        let Ok(checked) = &view.visits else {
            unreachable!()
        };
        let core = checked.notice_ja().expect("incomplete");
        assert!(page.contains(&esc(&core)), "{page}");
        assert!(page.contains("記録番号 5 は読み取れず"), "{page}");
        // Not the page's own line any more.
        assert!(!page.contains("記録の一部が破損していて"), "{page}");
    }

    fn failed(tries: Option<PinCounter>) -> CardOutcome {
        CardOutcome {
            result: CardResult::Failed("PINが違います（残り1回）。".into()),
            tries,
        }
    }

    #[test]
    fn the_last_try_needs_the_consent_box_and_a_blocked_pin_no_form() {
        let desk = DeskOutcome::decide(
            shikaku_core::clinic::DeskVerdict::Confirmed,
            Some(shikaku_core::eligibility::DocumentKind::Portal),
            shikaku_core::clinic::DeskCardState::NotChecked,
            true,
        );
        let section = |tries| card_section("ab", None, Some(&failed(tries)), Some("t0"), &desk);
        let two = section(Some(PinCounter::Remaining(2)));
        assert!(two.contains("name=\"pin\"") && !two.contains("name=\"last\""));
        assert!(two.contains("PINの残り回数は2回です。"), "{two}");
        let one = section(Some(PinCounter::Remaining(1)));
        assert!(one.contains("name=\"last\" id=\"last\" required"), "{one}");
        let unknown = section(None);
        assert!(unknown.contains("name=\"pin\"") && !unknown.contains("name=\"last\""));
        assert!(!unknown.contains("残り回数"), "{unknown}");
        let blocked = section(Some(PinCounter::Blocked));
        assert!(!blocked.contains("name=\"pin\""), "{blocked}");
        assert!(blocked.contains("ロックされています"), "{blocked}");
        assert_eq!(pin_form(Some(&failed(Some(PinCounter::Blocked)))), None);
        assert_eq!(
            pin_form(Some(&failed(Some(PinCounter::Remaining(1))))),
            Some(true)
        );
        assert_eq!(pin_form(None), Some(false));
        // The PIN form carries its single-use token; without one there is no PIN form.
        assert!(two.contains("name=\"attempt\" value=\"t0\""), "{two}");
        let untokened = card_section("ab", None, None, None, &desk);
        assert!(!untokened.contains("name=\"pin\""), "{untokened}");
        assert!(untokened.contains("card-nopin"), "{untokened}");
        // Without a reader: no card form, and how to get one.
        let certificate = DeskOutcome::decide(
            shikaku_core::clinic::DeskVerdict::Confirmed,
            Some(shikaku_core::eligibility::DocumentKind::Certificate),
            shikaku_core::clinic::DeskCardState::NotChecked,
            true,
        );
        let form = record_form("ab", None, &certificate, true);
        assert!(
            form.contains("--card") && !form.contains("name=\"face\""),
            "{form}"
        );
        // The core's limit for the operator's name.
        assert!(
            form.contains(&format!("maxlength=\"{MAX_OPERATOR_CHARS}\"")),
            "{form}"
        );
    }

    #[test]
    fn another_persons_card_adds_no_rule_of_the_page() {
        let mismatch = CardOutcome {
            result: CardResult::Mismatch,
            tries: None,
        };
        let desk = DeskOutcome::decide(
            shikaku_core::clinic::DeskVerdict::Confirmed,
            Some(shikaku_core::eligibility::DocumentKind::Portal),
            shikaku_core::clinic::DeskCardState::Mismatch,
            true,
        );
        let section = card_section("ab", None, Some(&mismatch), Some("t0"), &desk);
        assert!(section.contains("data-card=\"mismatch\""), "{section}");
        // The old page said the visit would not be recorded *as a card check*, as if it could
        // be recorded without one; the core says it cannot be recorded at all.
        assert!(!section.contains("記録"), "{section}");
    }

    /// The 申立 form's names: the core's form, the operator, and the 公費 rows as the record
    /// form names them (`public{n}_{part}`), which `public_expenses` reads back.
    #[test]
    fn the_declare_form_names_every_field() {
        let public: Vec<String> = (1..=MAX_PUBLIC_EXPENSES)
            .flat_map(|n| PUBLIC_EXPENSE_PARTS.map(|part| format!("public{n}_{part}")))
            .collect();
        let listed: Vec<&str> = DECLARE_FIELDS
            .iter()
            .copied()
            .filter(|f| f.starts_with("public"))
            .collect();
        assert_eq!(listed, public);
        let html = declare_section(&DeclarePanel {
            token: Some("t0".into()),
            typed: None,
        });
        for name in DECLARE_FIELDS {
            assert!(html.contains(&format!("name=\"{name}\"")), "{name}: {html}");
        }
        assert!(html.contains("name=\"form\" value=\"t0\""), "{html}");
        // Nothing typed: no value, no choice made, the 公費 folded.
        assert!(!html.contains(" value=\"佐"), "{html}");
        assert_eq!(
            html.matches(" selected").count(),
            html.matches("<option value=\"\" selected>").count(),
            "{html}"
        );
        assert_eq!(html.matches(" selected").count(), 3, "{html}");
        assert!(html.contains("<details id=\"declare-public\">"), "{html}");
        // Without a token the form is not offered.
        let none = declare_section(&DeclarePanel {
            token: None,
            typed: None,
        });
        assert!(!none.contains("<form"), "{none}");
    }

    #[test]
    fn the_declare_form_is_refilled_escaped() {
        let sent = [
            ("name", "<script>\"x\"</script>"),
            ("sex", "female"),
            ("relationship", "dependent"),
            ("copay", "20"),
            ("public2_program", "医療証 & 'b'"),
            ("operator", "受付"),
        ];
        let typed = Typed::from_form(|name| sent.iter().find(|(n, _)| *n == name).map(|(_, v)| *v));
        let html = declare_section(&DeclarePanel {
            token: Some("t1".into()),
            typed: Some(&typed),
        });
        assert!(!html.contains("<script>"), "{html}");
        assert!(
            html.contains("value=\"&lt;script&gt;&quot;x&quot;&lt;/script&gt;\""),
            "{html}"
        );
        for chosen in [
            "<option value=\"female\" selected>女</option>",
            "<option value=\"dependent\" selected>家族</option>",
            "<option value=\"20\" selected>2割</option>",
            "<details id=\"declare-public\" open>",
            "value=\"医療証 &amp; &#39;b&#39;\"",
        ] {
            assert!(html.contains(chosen), "{chosen}: {html}");
        }
        assert_eq!(html.matches(" selected").count(), 3, "{html}");
    }

    #[test]
    fn a_line_that_says_declaration_links_to_the_form() {
        assert!(
            declare_link("被保険者資格申立書で受け付けてください。").contains("href=\"#declare\"")
        );
        assert_eq!(declare_link("受付者名を入力してください。"), "");
    }

    #[test]
    fn escapes_markup() {
        assert_eq!(
            esc("<a href=\"x\">&'"),
            "&lt;a href=&quot;x&quot;&gt;&amp;&#39;"
        );
    }
}
