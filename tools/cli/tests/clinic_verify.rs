//! `shikaku clinic trust import` and `clinic verify` end to end, offline: a genuine
//! presentation is 確認済み with its claim fields; the card on the desk's reader (the virtual
//! card of 山田 太郎) matches its salted binding without a PIN and signs with one; another
//! person's card is refused before any PIN; a forged payload shows no fields and cannot be
//! recorded; a recorded visit appears in the CSV with how the card was checked; an eligibility
//! that starts tomorrow is 有効期間前（資格）, never 確認済み; a PIN that is not 4 digits is
//! refused before the card is asked.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};
use std::process::Output;

use chrono::{DateTime, Duration, NaiveDate, Utc};
use shikaku_core::document::EligibilityDocument;
use shikaku_core::eligibility::DocumentKind;

mod signed;

use signed::{KID, key, root_sec1, signed_trust_list};

mod desk_support;
use desk_support::{PASS, card_spki, desk_command, presented, vcard};

/// 山田 太郎's document, valid for a year (bound to a card by [`presented`]).
fn document(issued_at: DateTime<Utc>) -> EligibilityDocument {
    signed::document(issued_at, issued_at + Duration::days(365))
}

/// 山田 太郎's presentation, bound to his virtual card, signed 2 days ago.
fn taro_payload() -> String {
    taro_payload_from(None)
}

/// [`taro_payload`] with its 有効開始日 on `valid_from`.
fn taro_payload_from(valid_from: Option<NaiveDate>) -> String {
    taro_payload_of(valid_from, DocumentKind::Portal)
}

/// [`taro_payload`] with its 有効開始日 on `valid_from`, as a document of `kind`.
fn taro_payload_of(valid_from: Option<NaiveDate>, kind: DocumentKind) -> String {
    let mut doc = document(Utc::now() - Duration::days(2));
    doc.record.valid_from = valid_from;
    taro_presented(doc, kind)
}

/// `doc` presented as a document of `kind`, bound to 山田 太郎's virtual card, signed by the
/// issuer.
fn taro_presented(doc: EligibilityDocument, kind: DocumentKind) -> String {
    let spki = card_spki("yamada-taro");
    presented(doc, kind, Some(&spki), [5; 16], &key("issuer"), KID)
}

/// Writes the signed trust list and its root into `dir`.
fn trust_files(dir: &Path) -> (PathBuf, PathBuf) {
    let list = dir.join("trust.cose");
    let root = dir.join("root.sec1");
    std::fs::write(&list, signed_trust_list(Utc::now())).unwrap();
    std::fs::write(&root, root_sec1()).unwrap();
    (list, root)
}

fn run(desk: &Path, args: &[&str]) -> Output {
    run_with_pin(desk, "1234", args)
}

/// [`run`] with the patient's PIN `pin` (SHIKAKU_PIN).
fn run_with_pin(desk: &Path, pin: &str, args: &[&str]) -> Output {
    desk_command(desk)
        .args(args)
        .env("SHIKAKU_NEW_PASSPHRASE", PASS)
        .env("SHIKAKU_PIN", pin)
        .output()
        .unwrap()
}

fn out(o: &Output) -> String {
    String::from_utf8(o.stdout.clone()).unwrap()
}

/// The desk's visit log as CSV.
fn log_csv(desk: &Path) -> String {
    let o = run(desk, &["log", "--format", "csv"]);
    assert!(o.status.success(), "{o:?}");
    out(&o)
}

fn err(o: &Output) -> String {
    String::from_utf8(o.stderr.clone()).unwrap()
}

/// `clinic verify` of 山田 太郎's QR with the card `card` (a virtual card's name) and the
/// patient's PIN `pin`, recording the visit by `operator`.
fn verify_with_pin_and_record(desk: &Path, card: &str, pin: &str, operator: &str) -> Output {
    let reader = format!("vcard:{}", vcard(card).display());
    run_with_pin(
        desk,
        pin,
        &[
            "verify",
            &taro_payload(),
            "--card",
            &reader,
            "--pin",
            "--record",
            "--operator",
            operator,
        ],
    )
}

/// A desk with the trust list imported.
fn desk(tmp: &Path) -> PathBuf {
    let (list, root) = trust_files(tmp);
    let desk = tmp.join("desk");
    let o = run(
        &desk,
        &[
            "trust",
            "import",
            list.to_str().unwrap(),
            "--root",
            root.to_str().unwrap(),
        ],
    );
    assert!(o.status.success(), "{o:?}");
    assert!(out(&o).contains("trust list v1"));
    desk
}

#[test]
fn a_genuine_qr_is_confirmed_offline_with_its_fields_and_nothing_recorded_unless_asked() {
    let tmp = tempfile::tempdir().unwrap();
    let desk = desk(tmp.path());
    let o = run(
        &desk,
        &["verify", &taro_payload_of(None, DocumentKind::Certificate)],
    );
    let text = out(&o);
    assert!(o.status.success(), "{o:?}");
    assert!(text.contains("判定: 確認済み"), "{text}");
    assert!(text.contains("書類の種類: 資格確認書"), "{text}");
    assert!(text.contains("確認方法: 署名付き資格確認書"), "{text}");
    assert!(text.contains("氏名: 山田 太郎"), "{text}");
    assert!(text.contains("保険者番号: 01130012"), "{text}");
    assert!(text.contains("2 日前"), "{text}");
    assert!(text.contains("形式2"), "{text}");
    assert!(text.contains("信頼リスト: 第1版"), "{text}");
    assert!(
        !log_csv(&desk).contains("山田"),
        "nothing recorded unless asked"
    );
}

#[test]
fn the_card_with_pin_is_checked_and_the_visit_recorded_and_exported() {
    let tmp = tempfile::tempdir().unwrap();
    let desk = desk(tmp.path());
    let o = verify_with_pin_and_record(&desk, "yamada-taro", "1234", "受付 佐藤");
    let text = out(&o);
    assert!(o.status.success(), "{o:?}");
    assert!(text.contains("カード: 本人確認済み（PIN）"), "{text}");
    assert!(text.contains("記録: 第1件"), "{text}");
    let csv = log_csv(&desk);
    assert!(csv.contains("山田 太郎"), "{csv}");
    assert!(csv.contains("PIN"), "{csv}");
    assert!(run(&desk, &["log", "verify"]).status.success());
    // Without the PIN: the card matches; 目視 only when the receptionist says so.
    let reader = format!("vcard:{}", vcard("yamada-taro").display());
    let o = run(
        &desk,
        &[
            "verify",
            &taro_payload(),
            "--card",
            &reader,
            "--face-compared",
            "--record",
            "--operator",
            "受付 佐藤",
        ],
    );
    let text = out(&o);
    assert!(o.status.success(), "{o:?}");
    assert!(
        text.contains("この資格情報に結び付いたカード（PIN未確認）"),
        "{text}"
    );
    assert!(text.contains("記録: 第2件"), "{text}");
    let csv = log_csv(&desk);
    assert!(csv.contains("目視"), "{csv}");
}

#[test]
fn another_persons_card_is_refused_and_nothing_recorded() {
    let tmp = tempfile::tempdir().unwrap();
    let desk = desk(tmp.path());
    let o = verify_with_pin_and_record(&desk, "yamada-hanako", "1234", "受付");
    assert!(!o.status.success(), "{o:?}");
    // The overall outcome is the refusal, and nothing says 確認済み.
    let text = out(&o);
    assert!(text.contains("判定: 別人のカード（受付不可）"), "{text}");
    // The core's label alone: no tone words of the CLI's own (the page adds none either).
    assert!(text.contains("判定: 別人のカード（受付不可）\n"), "{text}");
    assert!(!text.contains("判定: 確認済み"), "{text}");
    assert!(text.contains("書類の検証: 確認済み"), "{text}");
    let err = err(&o);
    assert!(
        err.contains("not the card the document is bound to"),
        "{err}"
    );
    // The core's words for the refusal, as the desk page shows them.
    let ja = shikaku_core::clinic::ClinicError::CardMismatch
        .record_refusal_ja()
        .unwrap();
    assert!(err.contains(ja), "{err}");
    let csv = log_csv(&desk);
    assert!(!csv.contains("山田"), "{csv}");
}

#[test]
fn a_forged_or_truncated_payload_shows_no_fields_and_cannot_be_recorded() {
    let tmp = tempfile::tempdir().unwrap();
    let desk = desk(tmp.path());
    let good = taro_payload();
    let truncated = &good[..good.len() - 9];
    let o = run(
        &desk,
        &["verify", truncated, "--record", "--operator", "受付"],
    );
    let text = out(&o);
    assert_eq!(o.status.code(), Some(1), "{o:?}");
    assert!(text.contains("判定: 形式不正"), "{text}");
    assert!(!text.contains("山田"), "{text}");
    let csv = log_csv(&desk);
    assert!(!csv.contains("山田"), "{csv}");
    // A desk without a trust list confirms nothing.
    let empty = tmp.path().join("desk-empty");
    let (list, _) = trust_files(tmp.path());
    let o = run(&empty, &["trust", "import", list.to_str().unwrap()]);
    assert!(
        !o.status.success(),
        "the first import needs the root: {o:?}"
    );
}

#[test]
fn an_eligibility_starting_tomorrow_is_not_yet_valid_and_recorded_as_such() {
    let tmp = tempfile::tempdir().unwrap();
    let desk = desk(tmp.path());
    let today = shikaku_core::clock::japan_today(Utc::now());
    let tomorrow = today.succ_opt().unwrap();
    let o = run(
        &desk,
        &[
            "verify",
            &taro_payload_from(Some(tomorrow)),
            "--record",
            "--operator",
            "受付 佐藤",
        ],
    );
    let text = out(&o);
    assert_eq!(o.status.code(), Some(1), "only 確認済み exits 0: {o:?}");
    assert!(text.contains("判定: 有効期間前（資格）"), "{text}");
    assert!(text.contains(&format!("有効期間: {tomorrow} 〜")), "{text}");
    assert!(text.contains("記録: 第1件"), "{text}");
    // Recorded as evidence of what was shown, not as a confirmation: the 申立 it is accepted
    // with is a second entry, and the desk says so before recording.
    assert!(
        text.contains("提示された書類の記録として残りますが、資格の確認にはなりません。申立書で受け付けるときは、申立書も別の記録として残してください。"),
        "{text}"
    );
    let csv = log_csv(&desk);
    assert!(csv.contains("有効期間前（資格）"), "{csv}");
    assert!(!csv.contains("確認済み"), "{csv}");
    let json: serde_json::Value =
        serde_json::from_str(&out(&run(&desk, &["log", "--format", "json"]))).unwrap();
    assert_eq!(json["entries"][0]["verdict"], "not_yet_valid");
    // Starting today: 確認済み (a 資格確認書; a マイナポータル screen with its card).
    let o = run(
        &desk,
        &[
            "verify",
            &taro_payload_of(Some(today), DocumentKind::Certificate),
        ],
    );
    assert!(o.status.success(), "{o:?}");
    assert!(out(&o).contains("判定: 確認済み"));
}

#[test]
fn a_portal_or_oshirase_screen_without_the_card_is_not_confirmed_nor_recorded() {
    let tmp = tempfile::tempdir().unwrap();
    let desk = desk(tmp.path());
    for (kind, name) in [
        (DocumentKind::Portal, "マイナポータル資格情報"),
        (DocumentKind::Notice, "資格情報のお知らせ"),
    ] {
        let o = run(
            &desk,
            &[
                "verify",
                &taro_payload_of(None, kind),
                "--record",
                "--operator",
                "受付 佐藤",
            ],
        );
        let text = out(&o);
        assert!(!o.status.success(), "{o:?}");
        assert!(text.contains("書類の検証: 確認済み"), "{text}");
        assert!(text.contains(&format!("書類の種類: {name}")), "{text}");
        assert!(text.contains("判定: カード確認が必要\n"), "{text}");
        assert!(!text.contains("判定: 確認済み"), "{text}");
        assert!(text.contains("写し"), "{text}");
        assert!(
            err(&o).contains("accepted only with the patient's card"),
            "{o:?}"
        );
        let ja = shikaku_core::clinic::ClinicError::CardRequired
            .record_refusal_ja()
            .unwrap();
        assert!(err(&o).contains(ja), "{o:?}");
    }
    assert!(!log_csv(&desk).contains("山田"), "nothing recorded");
    // With the card matched but the photo not compared: still not 確認済み, not recorded.
    let reader = format!("vcard:{}", vcard("yamada-taro").display());
    let o = run(
        &desk,
        &[
            "verify",
            &taro_payload(),
            "--card",
            &reader,
            "--record",
            "--operator",
            "受付 佐藤",
        ],
    );
    assert!(!o.status.success(), "{o:?}");
    assert!(out(&o).contains("判定: カード確認が必要"), "{o:?}");
    assert!(out(&o).contains("顔写真"), "{o:?}");
    assert!(!log_csv(&desk).contains("山田"), "nothing recorded");
}

/// No reader (the outage): a card-bound マイナポータル screen with the physical card shown and
/// its 券面 compared by eye (`--face-compared`) is 確認済み and recorded as 券面目視 — never as a
/// card matched on a reader (spec/clinic.md §1 (2)).
#[test]
fn a_bound_screen_with_its_card_seen_and_no_reader_is_recorded_as_seen() {
    let tmp = tempfile::tempdir().unwrap();
    let desk = desk(tmp.path());
    let o = run(
        &desk,
        &[
            "verify",
            &taro_payload(),
            "--face-compared",
            "--record",
            "--operator",
            "受付",
        ],
    );
    let text = out(&o);
    assert!(o.status.success(), "{o:?}");
    assert!(text.contains("判定: 確認済み"), "{text}");
    assert!(
        text.contains("確認方法: 署名付き資格情報＋カード（券面目視・電子照合なし）"),
        "{text}"
    );
    assert!(text.contains("記録: 第1件"), "{text}");
    let csv = log_csv(&desk);
    assert!(
        csv.contains("署名付き資格情報＋カード（券面目視・電子照合なし）,券面目視（カード未照合）"),
        "{csv}"
    );
    assert!(!csv.contains("目視（PIN未確認）"), "{csv}");
}

#[test]
fn a_certificate_with_its_card_matched_asks_for_no_photo_comparison() {
    let tmp = tempfile::tempdir().unwrap();
    let desk = desk(tmp.path());
    let reader = format!("vcard:{}", vcard("yamada-taro").display());
    let certificate = taro_payload_of(None, DocumentKind::Certificate);
    let o = run(&desk, &["verify", &certificate, "--card", &reader]);
    let text = out(&o);
    assert!(o.status.success(), "{o:?}");
    assert!(text.contains("判定: 確認済み\n"), "{text}");
    // A 資格確認書 stands alone: the core needs no 目視 statement, so none is asked for.
    assert!(!text.contains("見比べてください"), "{text}");
    // A マイナポータル screen matched the same way is asked for it.
    let portal = taro_payload_of(None, DocumentKind::Portal);
    let o = run(&desk, &["verify", &portal, "--card", &reader]);
    assert!(out(&o).contains("見比べてください"), "{o:?}");
}

#[test]
fn an_unacceptable_operator_name_is_refused_in_the_cores_words() {
    let tmp = tempfile::tempdir().unwrap();
    let desk = desk(tmp.path());
    let certificate = taro_payload_of(None, DocumentKind::Certificate);
    let o = run(
        &desk,
        &["verify", &certificate, "--record", "--operator", " "],
    );
    assert!(!o.status.success(), "{o:?}");
    // As the desk page says it (ClinicError::operator_refusal_ja), the English after it.
    assert!(err(&o).contains("受付者名を入力してください。"), "{o:?}");
    assert!(err(&o).contains("operator name"), "{o:?}");
    assert!(!log_csv(&desk).contains("山田"), "nothing recorded");
}

#[test]
fn a_pin_that_is_not_four_digits_is_refused_before_the_card_and_nothing_recorded() {
    let tmp = tempfile::tempdir().unwrap();
    let desk = desk(tmp.path());
    for bad in ["12a4", "12345", "１２３４"] {
        let o = verify_with_pin_and_record(&desk, "yamada-taro", bad, "受付");
        assert!(!o.status.success(), "{o:?}");
        let err = err(&o);
        assert!(err.contains("the PIN must be exactly 4 digits"), "{err}");
        assert!(
            !out(&o).contains("TEST CA"),
            "the reader was not even opened"
        );
    }
    let csv = log_csv(&desk);
    assert!(!csv.contains("山田"), "{csv}");
}

#[test]
fn a_refused_first_trust_list_leaves_no_desk_behind() {
    let tmp = tempfile::tempdir().unwrap();
    let (list, _) = trust_files(tmp.path());
    let desk = tmp.path().join("desk-new");
    // No root the first time: refused before the desk is created.
    let o = run(&desk, &["trust", "import", list.to_str().unwrap()]);
    assert!(!o.status.success(), "{o:?}");
    assert!(err(&o).contains("the first trust list needs"), "{o:?}");
    assert!(!desk.exists(), "nothing created");
    // A root the list is not signed by: refused, nothing created either.
    let other = tmp.path().join("other.sec1");
    std::fs::write(
        &other,
        signed::key("another root")
            .verifying_key()
            .to_encoded_point(true)
            .as_bytes(),
    )
    .unwrap();
    let o = run(
        &desk,
        &[
            "trust",
            "import",
            list.to_str().unwrap(),
            "--root",
            other.to_str().unwrap(),
        ],
    );
    assert!(!o.status.success(), "{o:?}");
    assert!(err(&o).contains("does not verify"), "{o:?}");
    assert!(!desk.exists(), "nothing created");
    // `update` without a root on a new desk: refused before anything is fetched or created.
    let o = run(
        &desk,
        &[
            "trust",
            "update",
            "--server",
            "http://127.0.0.1:9",
            "--dev-insecure-http",
        ],
    );
    assert!(!o.status.success(), "{o:?}");
    assert!(err(&o).contains("the first trust list needs"), "{o:?}");
    assert!(!desk.exists(), "nothing created");
}

#[test]
fn a_second_visit_the_same_day_is_recorded_with_a_notice() {
    let tmp = tempfile::tempdir().unwrap();
    let desk = desk(tmp.path());
    let payload = taro_payload_of(None, DocumentKind::Certificate);
    let record = |desk: &Path| {
        run(
            desk,
            &["verify", &payload, "--record", "--operator", "受付 佐藤"],
        )
    };
    let o = record(&desk);
    assert!(o.status.success(), "{o:?}");
    assert!(out(&o).contains("記録: 第1件"), "{o:?}");
    assert!(!out(&o).contains("お知らせ"), "{o:?}");
    // The same patient again: recorded (a notice, not a refusal), the earlier entry named.
    let o = record(&desk);
    let text = out(&o);
    assert!(o.status.success(), "{o:?}");
    assert!(text.contains("記録: 第2件"), "{text}");
    assert!(
        text.contains("お知らせ: この方は本日すでに受付の記録があります（記録番号 1、"),
        "{text}"
    );
    // Verifying without recording says nothing of it.
    let o = run(&desk, &["verify", &payload]);
    assert!(!out(&o).contains("お知らせ"), "{o:?}");
}

/// 山田 太郎's 資格確認書 at 73 (born 1954-05-06) with a 高齢受給者 block (2割) whose 有効期限 is
/// `elderly_until`.
fn elderly_payload(elderly_until: NaiveDate) -> String {
    let today = shikaku_core::clock::japan_today(Utc::now());
    elderly_block_payload(
        NaiveDate::from_ymd_opt(1954, 5, 6).unwrap(),
        today - Duration::days(400),
        elderly_until,
    )
}

/// 山田 太郎's 資格確認書 as of `birth` with a 高齢受給者 block (2割) from `effective_from` to
/// `elderly_until`.
fn elderly_block_payload(
    birth: NaiveDate,
    effective_from: NaiveDate,
    elderly_until: NaiveDate,
) -> String {
    use shikaku_core::eligibility::{CopayRate, ElderlyRecipient};
    let mut doc = document(Utc::now() - Duration::days(2));
    doc.person.birth_date = birth;
    doc.record.copay = Some(CopayRate::Twenty);
    doc.record.elderly = Some(ElderlyRecipient {
        copay: CopayRate::Twenty,
        effective_from,
        valid_until: Some(elderly_until),
    });
    // A 資格確認書: its 有効期限 300 days from today.
    taro_presented(doc, DocumentKind::Certificate)
}

#[test]
fn an_expired_elderly_block_is_still_confirmed_with_a_note_to_confirm_the_share() {
    let tmp = tempfile::tempdir().unwrap();
    let desk = desk(tmp.path());
    let today = shikaku_core::clock::japan_today(Utc::now());
    let note = "※注意: 高齢受給者の負担割合の有効期限が過ぎています。";
    let o = run(&desk, &["verify", &elderly_payload(today)]);
    assert!(o.status.success(), "{o:?}");
    assert!(out(&o).contains("判定: 確認済み"), "{o:?}");
    assert!(
        !out(&o).contains(note),
        "in force to the end of today: {o:?}"
    );
    let o = run(
        &desk,
        &["verify", &elderly_payload(today.pred_opt().unwrap())],
    );
    let text = out(&o);
    assert!(o.status.success(), "the eligibility is not affected: {o:?}");
    assert!(text.contains("判定: 確認済み"), "{text}");
    assert!(text.contains(note), "{text}");
    // The 高齢受給者 line in the core's words (DeskVerification::elderly_ja), as the desk page.
    let until = today.pred_opt().unwrap();
    let line = format!(
        "高齢受給者: 2割（発効 {}、有効期限 {until}）\n",
        today - Duration::days(400)
    );
    assert!(text.contains(&line), "{text}");
}

#[test]
fn an_elderly_block_not_yet_in_force_is_confirmed_with_a_note_on_todays_share() {
    let tmp = tempfile::tempdir().unwrap();
    let desk = desk(tmp.path());
    let today = shikaku_core::clock::japan_today(Utc::now());
    let note = "※注意: 高齢受給者の負担割合は、まだ発効していません";
    // 73 (born 1954-05-06), a new block from tomorrow: the law allows 2割 or 3割 today, so the
    // note says only that the printed share does not apply yet and asks to confirm today's.
    let renewal = |from: NaiveDate| {
        elderly_block_payload(
            NaiveDate::from_ymd_opt(1954, 5, 6).unwrap(),
            from,
            from + Duration::days(364),
        )
    };
    let o = run(&desk, &["verify", &renewal(today.succ_opt().unwrap())]);
    let text = out(&o);
    assert!(o.status.success(), "the eligibility is not affected: {o:?}");
    assert!(text.contains("判定: 確認済み"), "{text}");
    let line = text
        .lines()
        .find(|l| l.contains(note))
        .unwrap_or_else(|| panic!("no note: {text}"));
    assert!(line.contains("今日はまだ適用されません"), "{line}");
    assert!(!line.contains("3割") && !line.contains("2割"), "{line}");
    // In force from its 発効期日: no note.
    let o = run(&desk, &["verify", &renewal(today)]);
    assert!(o.status.success(), "{o:?}");
    assert!(!out(&o).contains("※注意"), "{o:?}");
    // 69: before the 高齢受給者 start the law sets 3割, and the note says so.
    let birth = today
        .checked_sub_months(chrono::Months::new(69 * 12))
        .unwrap();
    let from = today + Duration::days(400);
    let o = run(
        &desk,
        &[
            "verify",
            &elderly_block_payload(birth, from, from + Duration::days(364)),
        ],
    );
    let text = out(&o);
    assert!(text.contains("判定: 確認済み"), "{text}");
    assert!(
        text.contains(&format!(
            "{note}（発効期日より前です）。今日の負担割合は、高齢受給者になる前の3割です。"
        )),
        "{text}"
    );
}
