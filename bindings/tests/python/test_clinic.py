"""Host tests of the clinic desk (`ClinicDesk`) through the generated Python bindings: a trust
list and a genuine presentation signed by the `testing` feature of the FFI crate, the
patient's virtual card behind a CardTransport written here, the PIN as bytes."""

import datetime
import json
import os
import pathlib

import pytest

import shikaku_ffi as sk

ROOT = pathlib.Path(os.environ.get("SHIKAKU_ROOT", pathlib.Path(__file__).resolve().parents[3]))
TARO = str(ROOT / "examples" / "vcard-yamada-taro.toml")
HANAKO = str(ROOT / "examples" / "vcard-yamada-hanako.toml")
PIN = b"1234"
OPERATOR = "受付 佐藤"


class XorKeyStore(sk.KeyStore):
    """The data key XORed with a byte: a different byte is a different key."""

    def __init__(self, k: int):
        self.k = k

    def wrap(self, key):
        return bytes(b ^ self.k for b in key)

    def unwrap(self, blob):
        return bytes(b ^ self.k for b in blob)


class Reader(sk.CardTransport):
    """The desk's reader: forwards every APDU to the virtual card."""

    def __init__(self, card):
        self.card = card

    def transceive(self, apdu):
        return self.card.transceive(apdu)

    def extended_length(self):
        return False


@pytest.fixture
def issuer():
    return sk.test_issuer([TARO, HANAKO])


@pytest.fixture
def desk(tmp_path, issuer):
    d = sk.ClinicDesk.open(str(tmp_path / "desk"), XorKeyStore(0x5A))
    assert d.import_trust_list(issuer.trust_list, issuer.root_key) == 1
    return d


def genuine(issuer):
    return sk.test_qr_payload(issuer.presentations[0])


def anchors():
    return sk.DeskCardOptions(allow_last_attempt=False, extra_anchors=[sk.virtual_card_test_ca()])


def test_a_fresh_desk_needs_the_root_and_trusts_nothing(tmp_path, issuer):
    fresh = sk.ClinicDesk.open(str(tmp_path / "fresh"), XorKeyStore(0x11))
    assert fresh.trust_status(None) is None
    with pytest.raises(sk.ShikakuError.TrustList):
        fresh.import_trust_list(issuer.trust_list, None)
    r = fresh.verify(genuine(issuer), None)
    assert r.verdict == sk.DeskVerdict.UNKNOWN_ISSUER
    assert r.verdict_label == "発行元不明"
    assert r.claim is None
    # No list: the core's words to show, the reason's too.
    missing = sk.clinic_trust_missing_notice()
    # The tablet app updates its list from its own screen: no CLI command is named.
    assert missing.startswith("信頼リストがありません。") and missing.endswith("信頼リストを更新してください。")
    assert "shikaku" not in missing
    assert r.trust is None and r.reason == missing


def test_genuine_payload_is_confirmed_with_its_fields(desk, issuer):
    r = desk.verify(genuine(issuer), 30)
    assert r.verdict == sk.DeskVerdict.CONFIRMED
    assert r.verdict_label == "確認済み"
    assert r.reason is None
    assert r.format == 2
    assert r.key_id == "ffi-test-issuer"
    assert r.trust.version == 1 and not r.trust.stale
    c = r.claim
    assert (c.insurer_number, c.number, c.branch, c.name) == ("01130012", "42", "00", "山田 太郎")
    assert c.copay_percent == 30
    # The desk's lines in the core's words, as the desk page shows them.
    assert c.validity_label == "記載なし" and c.elderly_label == "なし"
    assert r.trust.summary.startswith("第1版・発行 ") and r.trust.stale_notice is None
    stale = desk.trust_status(0)
    assert stale.stale and stale.summary == desk.trust_status(None).summary
    assert stale.stale_notice.startswith("信頼リストが古くなっています。")
    # The document is fine, but a マイナポータル screen alone is not 確認済み.
    o = r.outcome
    assert o.acceptance == sk.DeskAcceptance.CARD_REQUIRED
    assert o.label == "カード確認が必要" and o.label != r.verdict_label
    assert o.tone == sk.DeskTone.AMBER
    assert o.document_kind == sk.DocumentKind.PORTAL
    assert o.card == sk.DeskCardState.NOT_CHECKED
    # Recordable only with the card checked, or its 券面 compared by eye (no reader).
    assert o.holder_bound and o.can_record and o.needs_face_statement
    assert "写し" in o.basis and o.action


def test_a_portal_screen_is_recorded_only_with_its_card_seen(desk, issuer):
    r = desk.verify(genuine(issuer), None)
    # No card checked and nobody compared its 券面: not recorded.
    with pytest.raises(sk.ShikakuError.InvalidInput):
        desk.record(r.verification_id, False, OPERATOR)
    assert desk.visits(r.checked_on, r.checked_on).visits == []
    # No reader, the card's 券面 compared by eye (spec clinic.md §1 (2)): recorded as 券面目視.
    desk.record(r.verification_id, True, OPERATOR)
    assert len(desk.visits(r.checked_on, r.checked_on).visits) == 1


def test_tampered_payload_shows_no_fields_and_is_not_recorded(desk, issuer):
    p = genuine(issuer)
    at = len(p) // 2
    altered = p[:at] + ("B" if p[at] == "A" else "A") + p[at + 1:]
    r = desk.verify(altered, None)
    assert r.verdict in (sk.DeskVerdict.BAD_SIGNATURE, sk.DeskVerdict.MALFORMED)
    assert r.reason
    assert r.claim is None and r.issued_on is None and r.key_id is None and r.format is None
    with pytest.raises(sk.ShikakuError.NotRecordable):
        desk.record(r.verification_id, True, OPERATOR)
    with pytest.raises(sk.ShikakuError.NotRecordable):
        desk.check_card(r.verification_id, Reader(sk.virtual_card(TARO)), None, anchors())
    assert desk.visits(r.checked_on, r.checked_on).visits == []


def test_card_with_pin_record_export_and_log(desk, issuer):
    r = desk.verify(genuine(issuer), None)
    hanako = sk.virtual_card(HANAKO)
    tries = hanako.auth_retries_left()
    with pytest.raises(sk.ShikakuError.CardMismatch):
        desk.check_card(r.verification_id, Reader(hanako), PIN, anchors())
    assert hanako.auth_retries_left() == tries
    # Another person's card: a red refusal, never recorded.
    refused = desk.outcome(r.verification_id, True)
    assert refused.acceptance == sk.DeskAcceptance.CARD_MISMATCH
    assert refused.label == "別人のカード（受付不可）" and refused.tone == sk.DeskTone.RED
    assert not refused.can_record
    with pytest.raises(sk.ShikakuError.CardMismatch):
        desk.record(r.verification_id, True, OPERATOR)

    taro = sk.virtual_card(TARO)
    without_pin = desk.check_card(r.verification_id, Reader(taro), None, anchors())
    assert not without_pin.pin_verified
    assert without_pin.label == "この資格情報に結び付いたカード（PIN未確認）"
    with pytest.raises(sk.ShikakuError.WrongPin):
        desk.check_card(r.verification_id, Reader(taro), b"9999", anchors())
    card = desk.check_card(r.verification_id, Reader(taro), PIN, anchors())
    assert card.pin_verified
    assert card.label == "本人確認済み（PIN）"
    assert card.key_fingerprint == taro.key_fingerprint()
    assert card.outcome.acceptance == sk.DeskAcceptance.ACCEPTED
    assert card.outcome.label == "確認済み" and card.outcome.tone == sk.DeskTone.GREEN

    assert desk.same_day_visit(r.verification_id) is None
    assert desk.record(r.verification_id, False, OPERATOR) == 1
    with pytest.raises(sk.ShikakuError.Store):
        desk.record(r.verification_id, False, OPERATOR)
    # The same patient scanned again today: a notice naming the entry, not a refusal.
    same = desk.same_day_visit(desk.verify(genuine(issuer), None).verification_id)
    assert same.position == 1 and same.verified and "記録番号 1" in same.notice

    day = r.checked_on
    listed = desk.visits(day, day)
    assert listed.corrupt_positions == []
    assert listed.complete and listed.notice is None
    [v] = listed.visits
    assert v.verified and v.status_label == "確認済み"
    assert v.confirmation_label == "署名付き資格情報＋カード（PIN）"
    assert dict(zip(sk.clinic_csv_columns(), v.cells))["カード確認"] == "PIN"

    csv = desk.export_csv(day, day)
    assert csv.startswith("\ufeff受診日,")
    lines = csv.split("\r\n")
    assert len(lines) == 3 and lines[2] == ""
    assert "山田 太郎" in lines[1] and "署名付き資格情報＋カード（PIN）" in lines[1]
    assert ",01130012," in lines[1]
    sheet = desk.export_spreadsheet_csv(day, day)
    assert ',"=""01130012""",' in sheet and ',"=""00""",' in sheet
    assert len(json.loads(desk.export_json(day, day))["entries"]) == 1

    # FHIR R4 (JP Core): parsed by the FHIR R4B models of fhir.resources (a validator from
    # outside the project); the Coverage carries the JP Core member id and the confirmation tag.
    from fhir.resources.R4B.bundle import Bundle
    bundle = Bundle.model_validate(json.loads(desk.export_fhir(day, day)))
    kinds = [e.resource.get_resource_type() for e in bundle.entry]
    assert sorted(kinds) == ["Coverage", "Encounter", "Organization", "Patient"]
    [cov] = [e.resource for e in bundle.entry if e.resource.get_resource_type() == "Coverage"]
    assert cov.identifier[0].value.startswith("01130012:")
    assert cov.meta.tag[1].display == "署名付き資格情報＋カード（PIN）"

    log = desk.verify_log()
    assert isinstance(log, sk.LogStatus.INTACT)
    assert log.entries == 1 and len(log.head) == 64

    for o in (r, card, listed):
        assert "1234" not in repr(o) and "9999" not in repr(o)


def test_declaration_is_validated_and_always_unverified(desk, issuer):
    form = sk.DeclarationInput(
        name="山田 花子", kana=None, birth_date="1987-09-03", sex=sk.Sex.FEMALE,
        relationship=sk.Relationship.INSURED,
        insurer_name="全国健康保険協会", insurer_number="01130013", symbol=None, number=None,
        branch=None, copay_percent=None)
    with pytest.raises(sk.ShikakuError.InvalidInput) as e:
        desk.declare(form, OPERATOR)
    assert [p.field for p in e.value.problems] == ["insurer_number"]
    # A bad operator name too: every failure in one answer, the operator first.
    with pytest.raises(sk.ShikakuError.InvalidInput) as e:
        desk.declare(form, "=cmd")
    assert [p.field for p in e.value.problems] == ["operator", "insurer_number"]
    # What to show for it: the core's words, the same before recording.
    assert sk.clinic_operator_refusal("=cmd") == (
        "受付者名の先頭に =、+、-、@ は使えません（表計算ソフトが数式として実行するため）。")
    assert sk.clinic_operator_refusal("") == "受付者名を入力してください。"
    assert sk.clinic_operator_refusal(OPERATOR) is None
    # 性別 and 本人・家族の別 are claim fields: required, named with the other failures.
    form.sex, form.relationship = None, None
    with pytest.raises(sk.ShikakuError.InvalidInput) as e:
        desk.declare(form, OPERATOR)
    assert [p.field for p in e.value.problems] == ["sex", "relationship", "insurer_number"]
    form.sex, form.relationship = sk.Sex.FEMALE, sk.Relationship.INSURED
    form.insurer_number = None
    assert desk.same_day_visit_of_declaration(form) is None
    assert desk.declare(form, OPERATOR) == 1
    # Declared with its numbers, twice the same day: the second is told of the first before
    # it is recorded (the core's notice, as for a verification).
    form.insurer_number, form.number = "01130012", "12345"
    # The numbers find nothing: the 申立 of the same 氏名 and 生年月日 is named, as such.
    first = desk.same_day_visit_of_declaration(form)
    assert first.position == 1 and not first.verified and first.confirm_same_person
    assert "同じ方かどうか確かめてください" in first.notice and "山田" not in first.notice
    assert desk.declare(form, OPERATOR) == 2
    same = desk.same_day_visit_of_declaration(form)
    assert same.position == 2 and not same.verified and "記録番号 2" in same.notice
    assert not same.confirm_same_person
    assert "山田" not in same.notice
    form.insurer_number = "01130013"
    with pytest.raises(sk.ShikakuError.InvalidInput):
        desk.same_day_visit_of_declaration(form)
    form.insurer_number = "01130012"
    day = desk.verify(genuine(issuer), None).checked_on
    [v, _] = desk.visits(day, day).visits
    assert not v.verified and v.status_label == "申立・未検証"
    assert "申立・未検証" in desk.export_csv(day, day)

    # With a 公費 受給者証 shown beside it (typed, never verified): a bad one is named with
    # the form's fields; a good one is in the listing's cells and the FHIR export, whose
    # Coverage of 保険種別 8 and 公費負担者 Organization the R4B models (from outside) accept.
    bad = sk.DeskPublicExpenseInput(payer_number="88131017", recipient_number="123")
    form.public_expenses = [bad]
    with pytest.raises(sk.ShikakuError.InvalidInput) as e:
        desk.declare(form, OPERATOR)
    assert [p.field for p in e.value.problems] == [
        "public_expense.payer_number", "public_expense.recipient_number"]
    assert all(p.reason.startswith("first 公費: ") for p in e.value.problems)
    form.public_expenses = [sk.DeskPublicExpenseInput(
        payer_number="88131016", recipient_number="1234567", program="子ども医療証",
        # Within the desk's 20 years ahead, and not past on the machine's today.
        valid_until=f"{datetime.date.today().year + 3}-03-31")]
    assert desk.declare(form, OPERATOR) == 3
    cells = dict(zip(sk.clinic_csv_columns(), desk.visits(day, day).visits[2].cells))
    assert cells["第一公費負担者番号"] == "88131016" and cells["第一公費受給者番号"] == "1234567"
    assert cells["公費確認"] == "受給者証目視・未検証" and cells["確認結果"] == "申立・未検証"
    from fhir.resources.R4B.bundle import Bundle
    bundle = Bundle.model_validate(json.loads(desk.export_fhir(day, day)))
    [public] = [e.resource for e in bundle.entry
                if e.resource.get_resource_type() == "Coverage"
                and e.resource.type.coding[0].code == "8"]
    assert public.subscriberId == "1234567" and public.order == 1
    assert public.meta.tag[0].display == "受給者証目視・未検証"
    payers = [e.resource for e in bundle.entry
              if e.resource.get_resource_type() == "Organization"
              and e.resource.identifier
              and e.resource.identifier[0].system == "urn:oid:1.2.392.100495.20.3.71"]
    assert [o.identifier[0].value for o in payers] == ["88131016"]


def test_a_listing_with_an_entry_removed_says_it_is_incomplete(tmp_path, desk, issuer):
    import sqlite3

    form = sk.DeclarationInput(
        name="山田 花子", kana=None, birth_date="1987-09-03", sex=sk.Sex.FEMALE,
        relationship=sk.Relationship.INSURED,
        insurer_name="全国健康保険協会", insurer_number=None, symbol=None, number=None,
        branch=None, copay_percent=None)
    for position in (1, 2, 3):
        assert desk.declare(form, OPERATOR) == position
    day = desk.verify(genuine(issuer), None).checked_on
    assert desk.visits(day, day).complete
    # An entry removed outside the desk: the listing shows the two left, and says so in the
    # core's words (CheckedVisits::notice_ja), never silently.
    with sqlite3.connect(str(tmp_path / "desk" / "desk.db")) as db:
        db.execute("DELETE FROM visits WHERE seq = 2")
    db.close()
    reopened = sk.ClinicDesk.open(str(tmp_path / "desk"), XorKeyStore(0x5A))
    listed = reopened.visits(day, day)
    assert [v.position for v in listed.visits] == [1, 3]
    assert not listed.complete
    assert "記録番号 2" in listed.notice and "不完全" in listed.notice


def test_another_key_does_not_open_the_desk(tmp_path, issuer):
    path = str(tmp_path / "desk2")
    sk.ClinicDesk.open(path, XorKeyStore(1)).import_trust_list(issuer.trust_list, issuer.root_key)
    with pytest.raises(sk.ShikakuError.Key) as e:
        sk.ClinicDesk.open(path, XorKeyStore(2))
    assert e.value.wrong_key
