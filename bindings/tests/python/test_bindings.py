"""Host tests of the generated Python bindings of shikaku-ffi.

Everything goes through the bindings: a KeyStore written here, a CardTransport forwarding to
the virtual card, an HttpTransport on urllib against a loopback issuer served from this file
(its trust list and documents are signed by the `testing` feature of the FFI crate).
"""

import base64
import hashlib
import hmac
import json
import os
import pathlib
import secrets
import ssl
import threading
import urllib.error
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

import shikaku_ffi as sk

ROOT = pathlib.Path(os.environ.get("SHIKAKU_ROOT", pathlib.Path(__file__).resolve().parents[3]))
TARO = str(ROOT / "examples" / "vcard-yamada-taro.toml")
HANAKO = str(ROOT / "examples" / "vcard-yamada-hanako.toml")
SECRET_MARK = "secret-detail-7731"


# --- the three platform seams, written in Python -------------------------------------------


class HmacKeyStore(sk.KeyStore):
    """Wraps the data key with a key-encryption key held here (an HMAC-SHA-256 keystream and
    tag: stdlib only). A different KEK rejects the blob."""

    def __init__(self, kek: bytes):
        self.kek = kek

    def _stream(self, nonce: bytes, n: int) -> bytes:
        out = b""
        counter = 0
        while len(out) < n:
            out += hmac.new(self.kek, b"stream" + nonce + counter.to_bytes(4, "big"), hashlib.sha256).digest()
            counter += 1
        return out[:n]

    def _tag(self, body: bytes) -> bytes:
        return hmac.new(self.kek, b"tag" + body, hashlib.sha256).digest()

    def wrap(self, key):
        nonce = secrets.token_bytes(16)
        ct = bytes(a ^ b for a, b in zip(bytes(key), self._stream(nonce, len(key))))
        body = b"PYK1" + nonce + ct
        return body + self._tag(body)

    def unwrap(self, blob):
        blob = bytes(blob)
        if len(blob) < 4 + 16 + 32 or not blob.startswith(b"PYK1"):
            raise sk.KeyStoreError.Malformed()
        body, tag = blob[:-32], blob[-32:]
        if not hmac.compare_digest(tag, self._tag(body)):
            raise sk.KeyStoreError.Rejected()
        nonce, ct = body[4:20], body[20:]
        return bytes(a ^ b for a, b in zip(ct, self._stream(nonce, len(ct))))


class ThrowingKeyStore(sk.KeyStore):
    def wrap(self, key):
        raise RuntimeError(SECRET_MARK)

    def unwrap(self, blob):
        raise RuntimeError(SECRET_MARK)


class ForwardingTransport(sk.CardTransport):
    """Forwards every APDU to the virtual card; can lose the tag on a chosen INS, and reports
    extended-length APDUs when `extended`."""

    def __init__(self, card, lose_on_ins=None, extended=False):
        self.card = card
        self.lose_on_ins = lose_on_ins
        self.extended = extended
        self.sent = []

    def extended_length(self):
        return self.extended

    def transceive(self, apdu):
        apdu = bytes(apdu)
        self.sent.append(apdu)
        if self.lose_on_ins is not None and len(apdu) > 4 and apdu[1] == self.lose_on_ins and apdu[4] > 0:
            raise sk.TransportError.TagLost()
        return self.card.transceive(apdu)


class ThrowingTransport(sk.CardTransport):
    def transceive(self, apdu):
        raise ValueError(SECRET_MARK)

    def extended_length(self):
        return False


class UrllibTransport(sk.HttpTransport):
    """The HttpTransport on urllib: any status is a response; no network is `Offline`."""

    def __init__(self, context=None):
        self.requests = 0
        self.context = context

    def send(self, request):
        self.requests += 1
        method = "GET" if request.method == sk.HttpMethod.GET else "POST"
        data = bytes(request.body) if method == "POST" else None
        req = urllib.request.Request(request.url, data=data, method=method)
        for h in request.headers:
            req.add_header(h.name, h.value)
        timeout = max(request.timeout_ms, 1) / 1000
        try:
            with urllib.request.urlopen(req, timeout=timeout, context=self.context) as resp:
                status, headers, body = resp.status, resp.headers.items(), resp.read()
        except urllib.error.HTTPError as e:
            status, headers, body = e.code, e.headers.items(), e.read()
        except TimeoutError:
            raise sk.HttpError.Timeout()
        except ssl.SSLError as e:
            raise sk.HttpError.Tls(reason=type(e).__name__)
        except urllib.error.URLError as e:
            if isinstance(e.reason, ssl.SSLError):
                raise sk.HttpError.Tls(reason=type(e.reason).__name__)
            raise sk.HttpError.Offline(reason=type(e.reason).__name__)
        return sk.HttpResponse(
            status=status,
            headers=[sk.HttpHeader(name=k, value=v) for k, v in headers],
            body=body,
        )


class ThrowingHttp(sk.HttpTransport):
    def send(self, request):
        raise OSError(SECRET_MARK)


# --- a loopback issuer speaking docs/sync-protocol.md ---------------------------------------


def b64(b: bytes) -> str:
    return base64.urlsafe_b64encode(bytes(b)).rstrip(b"=").decode()


class Issuer:
    def __init__(self, fixture):
        self.fixture = fixture
        self.etag = '"e1"'
        self.challenges = {}
        self.sessions = set()
        issuer = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def reply(self, status, body=b"", ctype="application/json", headers=()):
                self.send_response(status)
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(body)))
                for k, v in headers:
                    self.send_header(k, v)
                self.end_headers()
                self.wfile.write(body)

            def do_GET(self):
                if self.path == "/v1/trust-list":
                    self.reply(200, bytes(issuer.fixture.trust_list), "application/cose")
                elif self.path == "/v1/documents":
                    token = self.headers.get("Authorization", "").removeprefix("Bearer ")
                    if token not in issuer.sessions:
                        self.reply(401, b'{"error":"session"}')
                    elif self.headers.get("If-None-Match") == issuer.etag:
                        self.reply(304)
                    else:
                        body = json.dumps({
                            "household_id": issuer.fixture.household_id,
                            "etag": issuer.etag,
                            "documents": [b64(d) for d in issuer.fixture.documents],
                            "presentations": [b64(p) for p in issuer.fixture.presentations],
                        }).encode()
                        self.reply(200, body, headers=[("ETag", issuer.etag)])
                else:
                    self.reply(404, b'{"error":"not_found"}')

            def do_POST(self):
                n = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(n)
                if self.path == "/v1/challenge":
                    cid = secrets.token_hex(8)
                    issuer.challenges[cid] = secrets.token_bytes(32)
                    self.reply(200, json.dumps({
                        "challenge_id": cid,
                        "challenge": b64(issuer.challenges[cid]),
                        "expires_at": "2099-01-01T00:00:00Z",
                    }).encode())
                elif self.path == "/v1/session":
                    req = json.loads(body)
                    if issuer.challenges.pop(req.get("challenge_id"), None) is None:
                        self.reply(401, b'{"error":"challenge"}')
                    elif not req.get("certificate") or not req.get("signature"):
                        self.reply(400, b'{"error":"bad_request"}')
                    else:
                        token = secrets.token_hex(16)
                        issuer.sessions.add(token)
                        self.reply(200, json.dumps({"session": token, "expires_at": "2099-01-01T00:00:00Z"}).encode())
                else:
                    self.reply(404, b'{"error":"not_found"}')

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()
            self.server = None


@pytest.fixture
def issuer():
    i = Issuer(sk.test_issuer([TARO, HANAKO]))
    yield i
    i.close()


@pytest.fixture
def household(tmp_path):
    return sk.Household.open(str(tmp_path / "h.db"), HmacKeyStore(b"k" * 32))


def settings(issuer, **kw):
    return sk.SyncSettings(
        server_url=issuer.url,
        root_key=issuer.fixture.root_key,
        allow_last_attempt=False,
        timeout_ms=5000,
        allow_insecure_loopback=True,
        **kw,
    )


def member_input(**kw):
    base = dict(name="山田 太郎", kana="ヤマダ タロウ", birth_date="1985-04-12",
                sex=sk.Sex.MALE, relationship=sk.Relationship.INSURED)
    base.update(kw)
    return sk.MemberInput(**base)


def record_input(**kw):
    base = dict(kind=sk.DocumentKind.CERTIFICATE, insurer_number="01130012",
                insurer_name="全国健康保険協会 東京支部", symbol="7340155", number="42",
                branch="00", relationship=sk.Relationship.INSURED, insured_name=None,
                acquired_on="2015-04-01", copay_percent=30, valid_from=None,
                valid_until="2030-12-01", issued_on=None, elderly=None, limit=None,
                preschool=False)
    base.update(kw)
    return sk.RecordInput(**base)


def check_options(**kw):
    base = dict(allow_last_auth_attempt=False, allow_last_text_attempt=False, read_basic_info=True,
                extra_anchors=[sk.virtual_card_test_ca()])
    base.update(kw)
    return sk.CardCheckOptions(**base)


# --- the whole flow ---------------------------------------------------------------------------


def test_sync_check_card_screen_overview_guidance_qr(household, issuer):
    card = sk.virtual_card(TARO)
    http = UrllibTransport()
    outcome = household.sync(http, ForwardingTransport(card), b"1234", settings(issuer))
    assert (outcome.not_modified, outcome.written, outcome.unchanged) == (False, 2, 0)
    assert outcome.trust_list_version == 1
    members = household.members()
    assert [m.relationship for m in members] == [sk.Relationship.INSURED, sk.Relationship.DEPENDENT]
    assert all(m.from_issuer for m in members)
    taro = members[0]

    status = sk.card_status(ForwardingTransport(card))
    assert status.auth_pin == sk.PinState.REMAINING(tries=3)
    assert status.key_fingerprint == card.key_fingerprint()

    result = household.check_card(taro.id, ForwardingTransport(card), b"1234", check_options())
    assert result.key_fingerprint == card.key_fingerprint()
    assert result.matched is not None and result.matched.overall != sk.NameMatch.MISMATCH
    assert not card.my_number_selected()

    screen = household.screen(taro.id)
    # The virtual card chains to a caller-supplied TEST anchor, never shown as a real check.
    assert screen.card.state == sk.CardState.TEST_ANCHOR
    # The result carries the core's badge, the same as the screen's, and each field's outcome
    # in the core's words.
    assert result.badge == screen.card
    assert result.matched.name.label in ("一致", "一致（字体の違いあり）")
    assert screen.freshness.heading == "最終取得日時"
    assert screen.sections[0].provenance is None
    record = screen.sections[1]
    assert record.provenance == sk.ProvenanceState.VERIFIED
    assert record.provenance_label == "発行元の署名を確認済み"
    assert any(f.id == "insurer_number" and f.value == "01130012" for f in record.fields)
    assert "マイナンバーカード" in screen.fixed_notice
    assert screen.freshness is not None

    overview = household.overview()
    assert len(overview.members) == 2 and overview.damaged_rows == 0
    assert overview.members[0].card == screen.card.label
    assert overview.members[1].card == "未照合"
    assert overview.last_sync is not None

    # The list and every screen from one read: the same members, in order, the same badges.
    both = household.overview_with_screens()
    assert [m.member_id for m in both.overview.members] == [s.member_id for s in both.screens]
    assert [m.member_id for m in both.overview.members] == [m.id for m in members]
    assert [m.card for m in both.overview.members] == [s.card.label for s in both.screens]
    assert both.screens[0].sections == screen.sections and both.screens[0].card == screen.card

    offline = sk.ClinicSituation(reader_present=True, reader_working=True, power=False, network=True)
    guidance = household.guidance(taro.id, offline)
    assert guidance.clinic_problem and guidance.options
    assert guidance.options[0].presentation != sk.Presentation.CARD_AT_READER

    records = household.records(taro.id)
    assert len(records) == 1 and not records[0].hand_entered
    assert household.qr_payload(records[0].id).startswith("SK1:")

    again = household.sync(http, ForwardingTransport(card), b"1234", settings(issuer))
    assert again.not_modified
    assert household.sync_status().household_id == "hh-ffi-test"

    # Hanako's card (genuine, right PIN) for Taro: the check succeeds, but the badge says
    # 照合不一致 — the app shows that, not a success of its own.
    other = household.check_card(taro.id, ForwardingTransport(sk.virtual_card(HANAKO)), b"1234",
                                 check_options())
    assert other.badge.state == sk.CardState.MISMATCH
    assert other.badge.label == "照合不一致"
    assert other.matched.overall == sk.NameMatch.MISMATCH
    assert household.screen(taro.id).card == other.badge


def test_hand_entry_is_validated_and_shown_unverified(household):
    mid = household.add_member(member_input())
    rid = household.add_record(mid, record_input())
    screen = household.screen(mid)
    assert screen.sections[1].provenance == sk.ProvenanceState.HAND_ENTERED
    # Typed in, not fetched: the time is headed as such.
    assert screen.freshness.heading == "入力日時"
    assert screen.card.state == sk.CardState.NOT_CHECKED
    with pytest.raises(sk.ShikakuError.InvalidInput):
        household.qr_payload(rid)
    json_id = household.add_record_json(mid, json.dumps({
        "kind": "notice", "insurer_number": "01130012", "insurer_name": "協会けんぽ",
        "number": "42", "relationship": "self"}))
    assert len(household.records(mid)) == 2 and json_id != rid


def test_bad_hand_entry_names_fields_without_values(household):
    with pytest.raises(sk.ShikakuError.InvalidInput) as e:
        household.add_member(member_input(kana="やまだ", birth_date="1985-02-30"))
    fields = {p.field for p in e.value.problems}
    assert fields == {"kana", "birth_date"}
    assert "やまだ" not in str(e.value) and "1985-02-30" not in str(e.value)

    mid = household.add_member(member_input())
    with pytest.raises(sk.ShikakuError.InvalidInput) as e:
        household.add_record(mid, record_input(insurer_number="01130013", copay_percent=25, branch="x"))
    assert {p.field for p in e.value.problems} == {"insurer_number", "copay_percent", "branch"}
    assert all(p.label for p in e.value.problems)
    assert household.records(mid) == []

    problems = sk.validate_record(record_input(valid_until=None))
    assert [p.field for p in problems] == ["valid_until"]
    assert sk.validate_member(member_input()) == []
    with pytest.raises(sk.ShikakuError.InvalidInput):
        household.add_record_json(mid, '{"kind": "notice", "unknown": 1}')


def test_wrong_pin_reports_retries_and_last_try_needs_consent(household):
    card = sk.virtual_card(TARO)
    mid = household.add_member(member_input())
    with pytest.raises(sk.ShikakuError.WrongPin) as e:
        household.check_card(mid, ForwardingTransport(card), b"9999", check_options())
    assert e.value.retries_left == 2
    # The core's words for the card holder (CardError::message_ja), the same in every app.
    assert e.value.message_ja == "暗証番号が違います（残り2回）。"
    assert card.auth_retries_left() == 2

    card.set_auth_retries_left(1)
    before = card.apdu_count()
    with pytest.raises(sk.ShikakuError.LastAttemptNeedsConsent):
        household.check_card(mid, ForwardingTransport(card), b"1234", check_options())
    assert card.auth_retries_left() == 1
    assert card.apdu_count() > before
    # The counter read again after a lost answer, in the core's words
    # (PinCounter::reread_message_ja): the last try only with consent; blocked: the office.
    last = sk.card_status(ForwardingTransport(card)).auth_pin
    assert last == sk.PinState.REMAINING(tries=1)
    assert "読み直しました（残り1回" in last.reread_message_ja() and "了承" in last.reread_message_ja()
    card.set_auth_retries_left(0)
    blocked = sk.card_status(ForwardingTransport(card)).auth_pin
    assert blocked == sk.PinState.BLOCKED()
    assert blocked.reread_message_ja() == (
        "暗証番号の残り回数を読み直しました。"
        "暗証番号がロックされています。お住まいの市区町村の窓口で初期化してください。")
    card.set_auth_retries_left(1)

    result = household.check_card(mid, ForwardingTransport(card), b"1234",
                                  check_options(allow_last_auth_attempt=True))
    assert result.retries_before == sk.PinState.REMAINING(tries=1)
    assert card.auth_retries_left() == 3
    assert result.basic_info == sk.BasicInfoOutcome.READ()

    with pytest.raises(sk.ShikakuError.PinUnusable) as e:
        household.check_card(mid, ForwardingTransport(card), b"12a4", check_options())
    assert not e.value.blocked


def test_extended_length_reads_and_their_fallback_spend_no_pin_try(household):
    card = sk.virtual_card(TARO)
    mid = household.add_member(member_input())
    before = card.apdu_count()
    household.check_card(mid, ForwardingTransport(card), b"1234", check_options())
    short = card.apdu_count() - before
    assert card.extended_apdu_count() == 0
    # The certificate and the 基本4情報 in one extended READ BINARY each.
    before = card.apdu_count()
    household.check_card(mid, ForwardingTransport(card, extended=True), b"1234", check_options())
    assert card.extended_apdu_count() == 2
    assert card.apdu_count() - before < short
    # A card that refuses them: one refused READ, then short reads, before any PIN.
    refusing = sk.virtual_card(TARO)
    refusing.set_refuse_extended(True)
    refusing.set_auth_retries_left(2)
    transport = ForwardingTransport(refusing, extended=True)
    result = household.check_card(mid, transport, b"1234", check_options())
    assert refusing.extended_apdu_count() == 1
    assert refusing.apdu_count() == short + 1
    assert result.retries_before == sk.PinState.REMAINING(tries=2)
    assert sum(1 for a in transport.sent if len(a) > 5 and a[1] == 0x20) == 2
    assert refusing.auth_retries_left() == 3


def test_consent_is_per_pin_and_a_text_ap_failure_stands_beside_the_check(household):
    card = sk.virtual_card(TARO)
    mid = household.add_member(member_input())
    card.set_auth_retries_left(1)
    card.set_text_retries_left(1)
    result = household.check_card(mid, ForwardingTransport(card), b"1234",
                                  check_options(allow_last_auth_attempt=True))
    assert result.basic_info == sk.BasicInfoOutcome.NEEDS_CONSENT()
    # Why, beside the good check, in the core's words for the holder (TextApFailure::message_ja).
    assert result.basic_info_message_ja.startswith(
        "カードの確認はできましたが、基本4情報は読み取れませんでした。券面事項入力補助用の暗証番号の残り回数が1回")
    assert result.matched is None
    assert card.text_retries_left() == 1
    assert card.auth_retries_left() == 3

    # With its own consent the text PIN's last try is used.
    read = household.check_card(mid, ForwardingTransport(card), b"1234",
                                check_options(allow_last_text_attempt=True))
    assert read.basic_info == sk.BasicInfoOutcome.READ()
    assert read.basic_info_message_ja is None
    assert card.text_retries_left() == 3

    # read_basic_info left out: the core's default for a member's check (CheckOptions::for_member).
    default = household.check_card(mid, ForwardingTransport(card), b"1234",
                                   sk.CardCheckOptions(extra_anchors=[sk.virtual_card_test_ca()]))
    assert default.basic_info == sk.BasicInfoOutcome.READ()
    assert default.matched is not None


def test_tag_lost_during_verify_is_typed_and_not_resent(household):
    card = sk.virtual_card(TARO)
    mid = household.add_member(member_input())
    transport = ForwardingTransport(card, lose_on_ins=0x20)
    with pytest.raises(sk.ShikakuError.Card) as e:
        household.check_card(mid, transport, b"1234", check_options())
    assert e.value.retryable and e.value.verify_in_flight
    assert sum(1 for a in transport.sent if a[1] == 0x20 and len(a) > 4 and a[4] > 0) == 1


def test_exceptions_in_python_platform_code_arrive_typed(tmp_path, household, issuer):
    mid = household.add_member(member_input())
    with pytest.raises(sk.ShikakuError.Card) as e:
        household.check_card(mid, ThrowingTransport(), b"1234", check_options())
    assert not e.value.verify_in_flight and SECRET_MARK not in str(e.value)

    with pytest.raises(sk.ShikakuError.Network) as e:
        household.sync(ThrowingHttp(), ForwardingTransport(sk.virtual_card(TARO)), b"1234", settings(issuer))
    assert SECRET_MARK not in str(e.value)

    with pytest.raises(sk.ShikakuError.Key) as e:
        sk.Household.open(str(tmp_path / "other.db"), ThrowingKeyStore())
    assert not e.value.wrong_key and SECRET_MARK not in str(e.value)


def test_wrong_key_is_refused_and_reset_works(tmp_path):
    path = str(tmp_path / "k.db")
    h = sk.Household.open(path, HmacKeyStore(b"a" * 32))
    h.add_member(member_input())
    del h
    with pytest.raises(sk.ShikakuError.Key) as e:
        sk.Household.open(path, HmacKeyStore(b"b" * 32))
    assert e.value.wrong_key
    assert len(sk.Household.open(path, HmacKeyStore(b"a" * 32)).members()) == 1
    sk.destroy_store(path)
    assert sk.Household.open(path, HmacKeyStore(b"b" * 32)).members() == []


def test_sync_refuses_a_wrong_root_and_an_offline_server(household, issuer):
    card = sk.virtual_card(TARO)
    bad_root = bytearray(issuer.fixture.root_key)
    bad_root[-1] ^= 1
    with pytest.raises((sk.ShikakuError.Sync, sk.ShikakuError.InvalidInput)):
        household.sync(UrllibTransport(), ForwardingTransport(card), b"1234",
                       sk.SyncSettings(server_url=issuer.url, root_key=bytes(bad_root), allow_last_attempt=False,
                                       timeout_ms=5000, allow_insecure_loopback=True))
    issuer.close()
    with pytest.raises(sk.ShikakuError.Network):
        household.sync(UrllibTransport(), ForwardingTransport(card), b"1234", settings(issuer))
    with pytest.raises(sk.ShikakuError.InvalidInput) as e:
        household.sync(UrllibTransport(), ForwardingTransport(card), b"1234",
                       sk.SyncSettings(server_url=issuer.url, root_key=issuer.fixture.root_key,
                                       allow_last_attempt=False, timeout_ms=5000, allow_insecure_loopback=False))
    assert [p.field for p in e.value.problems] == ["server_url"]
    assert household.members() == []


# --- the reference issuer (tools/issuer) over HTTPS on loopback ---------------------------------


def test_sync_with_the_reference_issuer_over_https(tmp_path, household):
    issuer = sk.reference_issuer(str(tmp_path / "ref"), str(ROOT / "examples" / "households.toml"))
    try:
        card = sk.virtual_card(TARO)
        context = ssl.create_default_context(cadata=issuer.tls_ca_pem())
        conf = sk.SyncSettings(server_url=issuer.url(), root_key=issuer.root_key(),
                               allow_last_attempt=False, timeout_ms=10000, allow_insecure_loopback=False)
        assert issuer.url().startswith("https://127.0.0.1:")

        # Without the development CA the TLS handshake fails, typed.
        with pytest.raises(sk.ShikakuError.Network):
            household.sync(UrllibTransport(), ForwardingTransport(card), b"1234", conf)

        outcome = household.sync(UrllibTransport(context), ForwardingTransport(card), b"1234", conf)
        members = household.members()
        assert outcome.written == len(members) >= 2 and not outcome.not_modified
        taro = next(m for m in members if m.name.replace("\u3000", " ") == "山田 太郎")
        household.check_card(taro.id, ForwardingTransport(card), b"1234", check_options())
        screen = household.screen(taro.id)
        assert screen.sections[1].provenance == sk.ProvenanceState.VERIFIED
        assert screen.card.state == sk.CardState.TEST_ANCHOR

        again = household.sync(UrllibTransport(context), ForwardingTransport(card), b"1234", conf)
        assert again.not_modified and again.written == 0
    finally:
        issuer.stop()


# --- guidance from what the member holds, and the switch checklist -------------------


CLINICS = [
    sk.ClinicSituation(reader_present=True, reader_working=True, power=True, network=True),
    sk.ClinicSituation(reader_present=True, reader_working=False, power=True, network=True),
    sk.ClinicSituation(reader_present=False, reader_working=True, power=True, network=True),
    sk.ClinicSituation(reader_present=True, reader_working=True, power=False, network=True),
    sk.ClinicSituation(reader_present=True, reader_working=True, power=True, network=False),
]


def test_guidance_from_what_is_held_and_the_checklist(household):
    import datetime

    # Typed by hand, no card check: the 本人's お知らせ means a registered card.
    taro = household.add_member(member_input())
    household.add_record(taro, record_input(kind=sk.DocumentKind.NOTICE, valid_until=None))
    child = household.add_member(member_input(
        name="山田 一郎", kana="ヤマダ イチロウ", birth_date="2019-06-01",
        relationship=sk.Relationship.DEPENDENT))
    household.add_record(child, record_input(
        relationship=sk.Relationship.DEPENDENT, insured_name="山田 太郎", branch="02"))
    household.add_record(child, sk.RecordInput(
        kind=sk.DocumentKind.PUBLIC_EXPENSE, insurer_number="", insurer_name="", number="",
        relationship=sk.Relationship.DEPENDENT,
        valid_until=f"{datetime.date.today().year + 1}-03-31",
        public_expense=sk.PublicExpenseInput(payer_number="88131016", recipient_number="1234567",
                                             program="こども医療費受給者証")))

    for clinic in CLINICS:
        g = household.guidance(taro, clinic)
        kinds = [o.presentation for o in g.options]
        # The card at the reader when the clinic can check it; otherwise the マイナポータル
        # screen (offered to every working マイナ保険証) before the お知らせ, each with the card.
        assert kinds[0] in (sk.Presentation.CARD_AT_READER, sk.Presentation.PHONE_SCREEN_WITH_CARD)
        assert sk.Presentation.NOTICE_WITH_CARD in kinds
        assert sk.Presentation.FULL_PAYMENT_THEN_CLAIM not in kinds
        copy = next(o for o in g.options if o.presentation == sk.Presentation.APP_COPY_WITH_CARD)
        assert copy.never_alone and "写し" in copy.explanation
        assert "まだ確認していません" in g.card_check
        assert g.to_do == []

        g = household.guidance(child, clinic)
        assert [o.presentation for o in g.options] == [sk.Presentation.QUALIFICATION_CERTIFICATE]
        assert not g.options[0].never_alone
        assert len(g.also_present) == 1 and "こども医療費受給者証" in g.also_present[0]

    c = household.checklist(taro)
    assert [s.answer for s in c.steps] == [sk.Answer.YES, sk.Answer.YES, sk.Answer.UNKNOWN]
    assert c.next == [] and c.note is None
    # Nothing to do, but STEP3 not known: the core's words say so, never 「なし」.
    assert c.next_label == "要確認の項目を確かめてください"
    # 資格確認書 only: no マイナ保険証, but whether there is a card is not known (it is issued to
    # card holders who have not registered too), so STEP1 is 不明 and item 1 要確認; 2 is to do.
    c = household.checklist(child)
    assert [s.step for s in c.steps] == [1] and c.steps[0].answer == sk.Answer.UNKNOWN
    assert c.steps[0].answer_label == "不明（このアプリの記録からは分かりません）"
    assert c.next == [2] and c.next_label == "2"
    assert [i.status for i in c.items] == [sk.TodoStatus.UNKNOWN, sk.TodoStatus.TO_DO, sk.TodoStatus.UNKNOWN]
    assert c.items[0].status_label == "要確認"

    screen = household.screen(child)
    assert screen.sections[0].title == "家族（被扶養者）"
    assert "見せるのは紙の資格確認書です" in screen.fixed_notice
    overview = household.overview()
    for m in overview.members:
        assert (m.top_notice is None) == (m.top_notice_severity is None)
        # Notices besides the top one are counted, never without a top one.
        assert m.more_notices is None or (
            m.top_notice is not None and m.more_notices.startswith("ほかにお知らせが")
        )
