"""Properties of the pure parts of SPEC §7: signature redaction, control-character checks and
escapes, JSON that keeps the text, CSV line ends and encodings.

Default run: a few hundred examples per property. ``HYPOTHESIS_PROFILE=ci`` (or
``trust-data-ci``): 10,000 examples each — still seconds, as every function here is pure.
"""

from __future__ import annotations

import base64
import json
import os
import string

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from db.redact import drop_badge_signatures
from kiosk.badges.payload import sign
from kiosk.tabular import TableError, csv_rows, decode
from kiosk.text_safety import (
    clean_document,
    escape_controls,
    first_control,
    has_controls,
    is_control,
    json_text,
)

settings.register_profile("trust-data-dev", max_examples=300, deadline=None,
                          suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("trust-data-ci", max_examples=10_000, deadline=None,
                          suppress_health_check=[HealthCheck.too_slow])
PROFILE = settings.get_profile(
    "trust-data-ci" if os.environ.get("HYPOTHESIS_PROFILE") in ("ci", "trust-data-ci")
    else "trust-data-dev")

KEY = Ed25519PrivateKey.generate()
ID_CHARS = string.ascii_letters + string.digits + "_.-"
staff_ids = st.builds(lambda head, rest: head + rest, st.sampled_from(string.ascii_letters + string.digits),
                      st.text(ID_CHARS, max_size=31))
versions = st.integers(0, 999_999_999)
# text as it arrives from files and scanners: controls, bidi marks, CJK, emoji, surrogates
any_text = st.text(st.characters(codec=None, exclude_categories=()), max_size=40)
noise = st.text(string.printable + "中文\u3000\x1b\x07\x00\u202e", max_size=20)


@PROFILE
@given(staff_ids, versions, noise, noise, st.sampled_from(["", "A", ".x", "\x07", "=="]))
def test_no_signature_survives_redaction(staff_id, version, before, after, glued):
    payload = sign(KEY, staff_id, version)
    signature = payload.rsplit(".", 1)[1]
    for text in (payload, before + payload + glued + after, payload.lower(), payload + glued):
        kept = drop_badge_signatures(text, scanned=True)
        assert signature not in kept and signature.lower() not in kept
        # no long piece of it either (a partial signature is not a badge, but keep none)
        assert not any(signature[i:i + 40] in kept for i in range(0, len(signature) - 40))
    assert drop_badge_signatures(payload) == f"SK1.{staff_id}.{version}"


@PROFILE
@given(any_text, st.booleans())
def test_redaction_is_idempotent_and_leaves_ordinary_text_alone(text, scanned):
    once = drop_badge_signatures(text, scanned=scanned)
    assert drop_badge_signatures(once, scanned=scanned) == once
    if "sk1." not in text.lower() and not scanned:
        assert once == text


@PROFILE
@given(st.binary(min_size=64, max_size=64))
def test_a_bare_signature_is_dropped_from_scanned_input(raw):
    bare = base64.urlsafe_b64encode(raw).rstrip(b"=").decode()
    assert bare not in drop_badge_signatures(bare, scanned=True)


@PROFILE
@given(any_text)
def test_control_checks_agree_and_escapes_remove_every_control(text):
    position = first_control(text)
    assert has_controls(text) == (position is not None) == any(is_control(c) for c in text)
    if position is not None:
        assert is_control(text[position - 1]) and not any(is_control(c) for c in text[:position - 1])
    escaped = escape_controls(text)
    assert not has_controls(escaped)
    assert escaped == text if position is None else escaped != text
    document = clean_document(text)
    assert not any(is_control(c) for c in document if c not in "\n\t\r")
    assert "\r" not in document.replace("\r\n", "")


@PROFILE
@given(st.recursive(st.none() | st.booleans() | st.integers() | any_text,
                    lambda inner: st.lists(inner, max_size=4)
                    | st.dictionaries(any_text, inner, max_size=3), max_leaves=5),
       st.sampled_from([None, 2]))
def test_json_text_keeps_the_data_and_carries_no_raw_control(data, indent):
    text = json_text(data, indent=indent)
    assert json.loads(text) == data
    assert not any(is_control(c) for c in text if c != "\n")
    text.encode("utf-8")  # lone surrogates escaped: always writable


ROW = st.lists(st.text("甲乙丙丁abc123 ,;", min_size=1, max_size=6).map(str.strip).filter(bool),
               min_size=3, max_size=3)


@PROFILE
@given(st.lists(ROW, min_size=1, max_size=6), st.sampled_from(["\n", "\r\n", "\r"]),
       st.sampled_from(["utf-8", "utf-8-sig", "gbk"]))
def test_csv_line_ends_and_encodings_read_the_same_rows(rows, end, encoding):
    lines = [",".join(f'"{c}"' for c in ["h1", "h2", "h3"])] + [",".join(f'"{c}"' for c in r) for r in rows]
    records = csv_rows(decode(end.join(lines).encode(encoding) + end.encode()))
    assert [cells for _, cells in records] == [["h1", "h2", "h3"], *rows]
    assert [n for n, _ in records] == list(range(1, len(rows) + 2))


@PROFILE
@given(st.lists(st.text("甲乙丙丁戊己庚辛壬癸", min_size=1, max_size=5), min_size=2, max_size=8),
       st.data(), st.sampled_from([b"\n", b"\r\n", b"\r"]))
def test_a_line_in_the_other_encoding_is_named(lines, data, end):
    bad = data.draw(st.integers(1, len(lines) - 1))  # the first line sets the file's encoding
    encoded = [line.encode("gbk" if i == bad else "utf-8") for i, line in enumerate(lines)]
    with pytest.raises(TableError) as caught:
        decode(end.join(encoded))
    assert caught.value.values["line"] == bad + 1
