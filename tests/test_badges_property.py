"""Property: no alteration of a valid badge payload ever verifies.

Default run: a few hundred examples per property (fast). For the thorough run set
``HYPOTHESIS_PROFILE=ci`` (or ``badges-ci``): 10,000 examples each. The profile is applied to
these tests only, so other modules keep their own settings.
"""

from __future__ import annotations

import base64
import os
import string

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kiosk.badges.payload import BadgeError, sign, verify

settings.register_profile("badges-dev", max_examples=300, deadline=None,
                          suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("badges-ci", max_examples=10_000, deadline=None,
                          suppress_health_check=[HealthCheck.too_slow])
PROFILE = settings.get_profile(
    "badges-ci" if os.environ.get("HYPOTHESIS_PROFILE") in ("ci", "badges-ci") else "badges-dev")

KEY = Ed25519PrivateKey.generate()
PUBLIC = KEY.public_key()
VALID = [sign(KEY, staff_id, version) for staff_id, version in
         [("A1001", 1), ("a1001", 2), ("B-2.0_1", 7), ("Z" * 32, 999_999_999), ("9", 0)]]
PRINTABLE = string.printable + "中文\u3000\x00\x7f"


def rejected(text: str) -> bool:
    try:
        verify(text, PUBLIC)
    except BadgeError as exc:
        return exc.reason == "bad_signature"
    return False


@st.composite
def mutations(draw) -> tuple[str, str]:
    original = draw(st.sampled_from(VALID))
    kind = draw(st.sampled_from(["replace", "insert", "delete", "swap", "case", "truncate",
                                 "duplicate", "sigbit", "version", "staff"]))
    text = original
    if kind == "replace":
        i = draw(st.integers(0, len(text) - 1))
        text = text[:i] + draw(st.sampled_from(PRINTABLE)) + text[i + 1:]
    elif kind == "insert":
        i = draw(st.integers(0, len(text)))
        text = text[:i] + draw(st.text(PRINTABLE, min_size=1, max_size=4)) + text[i:]
    elif kind == "delete":
        i = draw(st.integers(0, len(text) - 1))
        j = draw(st.integers(i + 1, min(len(text), i + 5)))
        text = text[:i] + text[j:]
    elif kind == "swap":
        i = draw(st.integers(0, len(text) - 2))
        text = text[:i] + text[i + 1] + text[i] + text[i + 2:]
    elif kind == "case":
        i = draw(st.integers(0, len(text) - 1))
        text = text[:i] + text[i].swapcase() + text[i + 1:]
    elif kind == "truncate":
        text = text[:draw(st.integers(0, len(text) - 1))]
    elif kind == "duplicate":
        i = draw(st.integers(0, len(text) - 1))
        text = text[:i] + text[i:] + text[i:]
    elif kind == "sigbit":  # a validly encoded, different signature
        body, sig = text.rsplit(".", 1)
        raw = bytearray(base64.urlsafe_b64decode(sig + "=="))
        bit = draw(st.integers(0, 511))
        raw[bit // 8] ^= 1 << (bit % 8)
        text = body + "." + base64.urlsafe_b64encode(bytes(raw)).rstrip(b"=").decode()
    elif kind == "version":
        prefix, rest = text.split(".", 1)
        staff_id, version, sig = rest.rsplit(".", 2)
        other = draw(st.integers(0, 10**10).filter(lambda v: str(v) != version))
        text = f"{prefix}.{staff_id}.{draw(st.sampled_from(['', '0', '00']))}{other}.{sig}"
    else:
        prefix, rest = text.split(".", 1)
        staff_id, version, sig = rest.rsplit(".", 2)
        other = draw(st.from_regex(r"[A-Za-z0-9][A-Za-z0-9_.\-]{0,31}", fullmatch=True))
        text = f"{prefix}.{other}.{version}.{sig}"
    return original, text


def test_every_valid_payload_verifies():
    assert all(not rejected(v) for v in VALID)


@settings(PROFILE)
@given(mutations())
def test_mutated_payloads_never_verify(case):
    original, text = case
    if text != original:
        assert rejected(text), (original, text)


@settings(PROFILE)
@given(st.text(PRINTABLE, max_size=200))
def test_arbitrary_text_never_verifies(text):
    assert rejected(text)


@pytest.mark.parametrize("text", VALID)
def test_no_key_no_verification(text):
    with pytest.raises(BadgeError):
        verify(text, None)
