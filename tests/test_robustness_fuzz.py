"""Fuzzing the input a kiosk receives: nothing escapes as an exception, nothing forged verifies.

Profiles: ``ci`` (≥ 10,000 examples for the pure functions) when ``HYPOTHESIS_PROFILE=ci``, else
``dev`` (a few hundred). They are applied per test (never loaded globally), so other modules keep
their own settings; the database-backed property is capped because each example is a commit.
"""

from __future__ import annotations

import base64
import os
import string
import unicodedata
from zoneinfo import ZoneInfo

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from db.queries import set_setting
from kiosk import rules
from kiosk.badges import payload
from kiosk.desk import SignInDesk
from tests.conftest import make_office, wall

settings.register_profile("ci", max_examples=10_000, deadline=None,
                          suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("dev", max_examples=400, deadline=None,
                          suppress_health_check=[HealthCheck.too_slow])
CI = os.environ.get("HYPOTHESIS_PROFILE") == "ci"
PURE = settings.get_profile("ci" if CI else "dev")
WITH_DB = settings(PURE, max_examples=600 if CI else 120,
                   suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])

KEY = Ed25519PrivateKey.generate()
OTHER_KEY = Ed25519PrivateKey.generate()
PUBLIC = KEY.public_key()
GENUINE = {payload.sign(KEY, "A1001", 1), payload.sign(KEY, "B2002", 3)}
CONTROL = {"Cc", "Cf", "Cs", "Co", "Cn"}
RESULTS = {"present", "late", "already", "visitor", "signed_out", "rejected"}

# what a scanner, a keyboard or a hostile badge might type: anything, plus near-misses of IDs
# and of genuine payloads (the shrinker likes these)
any_text = st.one_of(
    st.text(max_size=300),
    st.text(alphabet=string.printable + "\u3000\u200b\ufeff\x00\x7f中文😀", max_size=140),
    st.from_regex(r"\A[ \t\r\n]*[A-Za-z0-9][A-Za-z0-9_.\-]{0,40}[ \t\r\n]*\Z"),
    st.sampled_from(sorted(GENUINE)).flatmap(
        lambda p: st.tuples(st.integers(0, len(p) - 1), st.characters()).map(
            lambda edit: p[:edit[0]] + edit[1] + p[edit[0] + 1:])),
)


def _forged() -> st.SearchStrategy[str]:
    ids = st.from_regex(r"\A[A-Za-z0-9][A-Za-z0-9_.\-]{0,31}\Z")
    versions = st.integers(0, 999_999_999)
    by_other_key = st.tuples(ids, versions).map(lambda iv: payload.sign(OTHER_KEY, *iv))
    spliced = st.tuples(st.sampled_from(sorted(GENUINE)), ids, versions).map(
        lambda g: f"{payload.PREFIX}{g[1]}.{g[2]}.{g[0].rsplit('.', 1)[1]}")
    return st.one_of(by_other_key, spliced, any_text)


@PURE
@given(any_text)
def test_clean_input_accepts_or_refuses_cleanly(raw):
    try:
        text = rules.clean_input(raw)
    except rules.InvalidInput as exc:
        assert exc.detail in ("reason.too_long", "reason.empty", "reason.control_chars")
        return
    assert 0 < len(text) <= rules.MAX_INPUT and text == text.strip(" \t\r\n\u3000")
    assert not any(unicodedata.category(ch) in CONTROL for ch in text)
    logged = rules.sanitise_for_log(raw)
    assert not any(unicodedata.category(ch) in CONTROL for ch in logged)


@PURE
@given(_forged())
def test_no_forged_payload_verifies(text):
    try:
        claim = payload.verify(text, PUBLIC)
    except payload.BadgeError as exc:
        assert exc.reason == "bad_signature"
        return
    assert text in GENUINE, f"forged payload verified: {text!r} → {claim}"


@PURE
@given(any_text)
def test_verify_without_a_key_never_accepts(text):
    with pytest.raises(payload.BadgeError):
        payload.verify(text, None)


@WITH_DB
@given(raw=any_text)
def test_sign_in_never_raises(db_office, raw):
    desk, at = db_office
    outcome = desk.sign_in(raw, at=at)
    assert outcome.result in RESULTS
    if outcome.result == "rejected":
        assert outcome.reason
    outcome.message(ZoneInfo("Asia/Shanghai"))
    outcome.as_json(ZoneInfo("Asia/Shanghai"))


@pytest.fixture
def db_office(db):
    make_office(db)
    public = base64.urlsafe_b64encode(PUBLIC.public_bytes_raw()).rstrip(b"=").decode()
    set_setting("badge_public_key", public)
    return SignInDesk(db, kiosk_id="fuzz", tz=ZoneInfo("Asia/Shanghai")), wall("2026-11-28 09:10")
