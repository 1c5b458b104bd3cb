#!/usr/bin/env python3
"""Regenerates fuzz/seeds/<target>/ from real bytes: the J-LIS roots (core/data/jlis, DER via
openssl), the example record JSON, a spec-shaped 基本4情報 file (docs/card-protocol.md (基本4情報)) and typical
response APDUs. Run from anywhere: python3 fuzz/seeds/make_seeds.py"""
import os, shutil, subprocess, pathlib

HERE = pathlib.Path(__file__).resolve().parent
FUZZ = HERE.parent
ROOT = FUZZ.parent


def put(target, name, data):
    d = HERE / target
    d.mkdir(exist_ok=True)
    (d / name).write_bytes(data)


def tlv(tag, value):
    t = tag.to_bytes(2 if tag > 0xFF else 1, "big")
    n = len(value)
    if n < 0x80:
        l = bytes([n])
    elif n < 0x100:
        l = bytes([0x81, n])
    else:
        l = bytes([0x82]) + n.to_bytes(2, "big")
    return t + l + value


def basic_info(name, address, birth, sex):
    fields = [tlv(0xDF22, name.encode()), tlv(0xDF23, address.encode()),
              tlv(0xDF24, birth.encode()), tlv(0xDF25, sex.encode())]
    body_len = 11 + sum(map(len, fields))
    header_len = 3 if body_len < 0x80 else 4 if body_len < 0x100 else 5
    at, offsets = header_len + 11, b""
    for f in fields:
        offsets += at.to_bytes(2, "big")
        at += len(f)
    return tlv(0xFF20, tlv(0xDF21, offsets) + b"".join(fields))


# certificate: the J-LIS roots as PEM and DER, the fuzz test PKI (DER).
for pem in sorted((ROOT / "core/data/jlis").glob("*.pem")):
    der = subprocess.run(["openssl", "x509", "-in", str(pem), "-outform", "DER"],
                         check=True, capture_output=True).stdout
    put("certificate", pem.stem + ".der", der)
    put("certificate", pem.stem + ".pem", pem.read_bytes())
for name in ["ca.der", "leaf.der"]:
    put("certificate", "testpki_" + name, (FUZZ / "testpki" / name).read_bytes())

# record_json: the examples.
for js in sorted((ROOT / "examples").glob("record-*.json")):
    put("record_json", js.name, js.read_bytes())

# basic_info: short form, 81 and 82 container lengths (the spec's example offsets), filler.
short = basic_info("山田\u3000太郎", "東京都千代田区千代田１－１", "19800217", "1")
put("basic_info", "yamada_filler", short + b"\xff" * 40)
put("basic_info", "spec_offsets", basic_info("山" * 5, "川" * 18, "19700101", "0"))
put("basic_info", "long_81", basic_info("佐藤\u3000花子", "北海道" * 20, "20010101", "2"))
put("basic_info", "long_82", basic_info("佐藤\u3000花子", "北海道" * 40, "20010101", "9"))

# tlv: the same files, a DER certificate head, the 個人番号 EF shape, multi-byte tags.
put("tlv", "basic_info", short + b"\xff" * 8)
put("tlv", "cert_head", (HERE / "certificate" / "auth_ca_2023.der").read_bytes()[:300])
put("tlv", "ff10", bytes.fromhex("FF100C") + b"123456789012" + b"\xff\xff")
put("tlv", "multi", bytes.fromhex("7F2182000A 5F812201AA DF2200 0403010203 FFFFFF"))
put("tlv", "filler", b"\xff" * 16)

# apdu_response: typical answers.
for name, hexa in [("ok", "9000"), ("retries", "63C2"), ("not_found", "6A82"),
                   ("data_ok", "0102030405 9000"), ("more", "0102 6110"),
                   ("resend", "6C20"), ("eof", "4142 6282"), ("blocked", "6984")]:
    put("apdu_response", name, bytes.fromhex(hexa))

# card_flow: byte 0 = flow (0 status, 1 check, 2 sign, 3 CA cert; +4 = allow last try);
# then one op per APDU, 3 = the honest card.
honest = b"\x03" * 64
put("card_flow", "status_honest", b"\x00" + honest)
put("card_flow", "check_honest", b"\x01" + honest)
put("card_flow", "check_honest_allow_last", b"\x05" + honest)
put("card_flow", "sign_honest", b"\x02" + honest)
put("card_flow", "ca_honest", b"\x03" + honest)
# check with the auth counter at one try left (63C1) and no consent.
put("card_flow", "check_last_try", b"\x01" + b"\x03" * 8 + b"\x03\x06\x01" + b"\x03" * 30)
# status on a card without the text AP (6A82 to its SELECT).
put("card_flow", "status_no_text_ap", b"\x00" + b"\x03" * 10 + b"\x02\x6a\x82" + b"\x03" * 8)
# a transport failure during the VERIFY.
put("card_flow", "check_tag_lost", b"\x01" + b"\x03" * 10 + b"\x04\x00" + b"\x03" * 20)
# the text AP's SELECT answered 6C8A, resent with Le (once a false positive of the harness).
put("card_flow", "check_text_select_6c_resend",
    bytes.fromhex("0103030303031303030303030303026c8a03a74103030103030303030303"))
# the text AP's SELECT answered 6103, completed by GET RESPONSE (once a false positive too).
put("card_flow", "check_text_select_61xx",
    bytes.fromhex("051f03030303030303030303010303026103ffbfbfbfcd6cbc232f0303"))
