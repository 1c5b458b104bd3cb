"""The FFI library as the apps ship it, driven from Python.

scripts/bindings-test builds libshikaku_ffi.so with bindings/build-ffi.sh's `ffi_build` (the
cdylib alone, `panic = "abort"`, the app builds' SQLite options, linked by bindings/ffi-link
without uniffi's metadata, no `testing` feature) and generates this module's bindings from the
metadata library linked beside it, as android/build-rust.sh generates the Kotlin. Loading the
module runs uniffi's check of every function's checksum against the library, so a shipped
library that does not export what its bindings call fails here, not in an app.

The variant under test (`SHIKAKU_VARIANT`: phone or tablet) decides whether the clinic desk is
there (docs/decisions/0011-clinic-desk-build.md).
"""

import datetime
import os

import pytest

import shikaku_ffi as sk

VARIANT = os.environ["SHIKAKU_VARIANT"]


class XorKeyStore(sk.KeyStore):
    """The data key XORed with a byte: a different byte is a different key."""

    def __init__(self, k: int):
        self.k = k

    def wrap(self, key):
        return bytes(b ^ self.k for b in key)

    def unwrap(self, blob):
        return bytes(b ^ self.k for b in blob)


def member(**kw):
    base = dict(name="山田 太郎", kana="ヤマダ タロウ", birth_date="1985-04-12",
                sex=sk.Sex.MALE, relationship=sk.Relationship.INSURED)
    base.update(kw)
    return sk.MemberInput(**base)


def test_a_household_is_stored_read_back_and_refused_to_another_key(tmp_path):
    path = str(tmp_path / "h.db")
    household = sk.Household.open(path, XorKeyStore(0x33))
    mid = household.add_member(member())
    with pytest.raises(sk.ShikakuError.InvalidInput) as e:
        household.add_member(member(kana="やまだ"))
    assert [p.field for p in e.value.problems] == ["kana"]
    # The household holds its file until the object is freed; the exception's traceback
    # holds it too (its frame's `self`).
    del household, e

    again = sk.Household.open(path, XorKeyStore(0x33))
    both = again.overview_with_screens()
    assert [m.member_id for m in both.overview.members] == [mid]
    assert [s.member_id for s in both.screens] == [mid]
    del again
    with pytest.raises(sk.ShikakuError.Key) as e:
        sk.Household.open(path, XorKeyStore(0x34))
    assert e.value.wrong_key


def test_the_clinic_desk_is_only_in_the_tablet_library():
    assert hasattr(sk, "ClinicDesk") == (VARIANT == "tablet")


@pytest.mark.skipif(VARIANT != "tablet", reason="the phone library has no clinic desk")
def test_the_desk_records_a_declaration_and_its_log_verifies(tmp_path):
    desk = sk.ClinicDesk.open(str(tmp_path / "desk"), XorKeyStore(0x5A))
    assert desk.trust_status(None) is None
    form = sk.DeclarationInput(
        name="山田 花子", kana=None, birth_date="1987-09-03", sex=sk.Sex.FEMALE,
        relationship=sk.Relationship.INSURED,
        insurer_name="全国健康保険協会", insurer_number=None, symbol=None, number=None,
        branch=None, copay_percent=None)
    assert desk.declare(form, "受付 佐藤") == 1
    # 受診日 is the day in Japan: a range around today holds it at any hour.
    today = datetime.date.today()
    days = [(today + datetime.timedelta(days=d)).isoformat() for d in (-1, 1)]
    [visit] = desk.visits(*days).visits
    assert not visit.verified and visit.status_label == "申立・未検証"
    status = desk.verify_log()
    assert isinstance(status, sk.LogStatus.INTACT) and status.entries == 1
