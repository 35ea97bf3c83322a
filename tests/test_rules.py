"""The sign-in rules as pure functions: no database, no clock, no screen."""

from __future__ import annotations

import datetime as dt

import pytest

from kiosk import rules
from kiosk.rules import Audience, Recorded, SessionView, StaffView

T0 = dt.datetime(2026, 11, 28, 1, 0)  # 09:00 Shanghai


EVERYONE = Audience(everyone=True)


def session(sid=1, start=T0, minutes=120, audience=EVERYONE, **kw) -> SessionView:
    return SessionView(id=sid, title=f"S{sid}", kind="lecture", start=start,
                       end=start + dt.timedelta(minutes=minutes), audience=audience, **kw)


ZHANG = StaffView("A1", "A1", "张三", "办公室", frozenset({"中心组"}))


def at(minutes: float) -> dt.datetime:
    return T0 + dt.timedelta(minutes=minutes)


@pytest.mark.parametrize("raw,expected", [
    ("  A1001\r\n", "A1001"), ("A1001\n", "A1001"), ("\tA1001 ", "A1001"), ("\u3000A1\u3000", "A1"),
])
def test_clean_input_strips_scanner_noise(raw, expected):
    assert rules.clean_input(raw) == expected


@pytest.mark.parametrize("raw,detail", [
    ("x" * 257, "reason.too_long"), ("", "reason.empty"), ("\r\n", "reason.empty"),
    ("A\x00B", "reason.control_chars"), ("A\x1b[31m", "reason.control_chars"),
    ("A\u200bB", "reason.control_chars"),
])
def test_clean_input_refuses(raw, detail):
    with pytest.raises(rules.InvalidInput) as err:
        rules.clean_input(raw)
    assert err.value.detail == detail


def test_256_characters_is_still_accepted():
    assert len(rules.clean_input("A" * 256)) == 256


def test_window_opens_30_minutes_before_and_closes_at_end():
    s = session()
    assert not rules.window_open(s, at(-30.01))
    assert rules.window_open(s, at(-30)) and rules.window_open(s, at(120))
    assert not rules.window_open(s, at(120.01))


def test_late_strictly_after_grace():
    s = session()
    assert rules.arrival_status(s, at(5)) == "present"
    assert rules.arrival_status(s, at(5) + dt.timedelta(seconds=1)) == "late"


def test_audience_terms():
    aud = rules.parse_audience("dept:财务科, group：中心组,staff:b2")
    assert aud.includes(ZHANG)
    assert aud.includes(StaffView("B2", "b2", "x", "人事科"))
    assert not aud.includes(StaffView("C3", "C3", "x", "人事科"))
    assert rules.parse_audience("all").everyone
    with pytest.raises(ValueError):
        rules.parse_audience("dept:")
    with pytest.raises(ValueError):
        rules.parse_audience("floor:3")


def test_decide_present_late_already_visitor():
    s = session(audience=Audience(departments=frozenset({"办公室"})))
    assert rules.decide(ZHANG, [s], {}, at(0)).result == "present"
    assert rules.decide(ZHANG, [s], {}, at(6)).result == "late"
    held = {1: Recorded("present", True, signed_in_at=at(-9))}
    d = rules.decide(ZHANG, [s], held, at(10))
    assert d.result == "already" and d.already_at == at(-9)
    outsider = StaffView("Z9", "Z9", "路人", "人事科")
    v = rules.decide(outsider, [s], {}, at(1))
    assert (v.result, v.status, v.expected) == ("visitor", "present", False)


def test_excused_person_who_arrives_is_present():
    s = session()
    held = {1: Recorded("excused", True)}
    assert rules.decide(ZHANG, [s], held, at(0)).result == "present"


def test_inactive_and_nothing_open():
    s = session()
    gone = StaffView("A1", "A1", "张三", "办公室", active=False)
    assert rules.decide(gone, [s], {}, at(0)).reason == "inactive_staff"
    assert rules.decide(ZHANG, [s], {}, at(200)).reason == "no_open_session"


def test_several_open_sessions():
    mine = session(1, audience=Audience(groups=frozenset({"中心组"})))
    other = session(2, audience=Audience(departments=frozenset({"财务科"})))
    both = session(3)
    assert rules.decide(ZHANG, [mine, other], {}, at(0)).session.id == 1
    d = rules.decide(ZHANG, [mine, both], {}, at(0))
    assert d.reason == "ambiguous_session" and {s.id for s in d.choices} == {1, 3}
    assert rules.decide(ZHANG, [mine, both], {}, at(0), chosen=3).session.id == 3


def test_signout_rules():
    s = session(require_signout=True)
    held = {1: Recorded("present", True, signed_in_at=at(-5))}
    assert rules.decide(ZHANG, [s], held, at(-1)).result == "already"  # before start
    d = rules.decide(ZHANG, [s], held, at(60), signout_grace=10)
    assert d.result == "signed_out" and d.early_leave
    d = rules.decide(ZHANG, [s], held, at(115), signout_grace=10)
    assert d.result == "signed_out" and not d.early_leave
    out = {1: Recorded("present", True, signed_in_at=at(-5), signed_out_at=at(115))}
    assert rules.decide(ZHANG, [s], out, at(118)).result == "already"


def test_next_session():
    s1, s2 = session(1, start=at(120)), session(2, start=at(300))
    assert rules.next_session([s2, s1], at(0)).id == 1
    assert rules.next_session([s1], at(100)) is None  # already open


def test_sanitise_for_log_escapes_and_caps():
    text = rules.sanitise_for_log("a\x1b[2J" + "x" * 500)
    assert "\x1b" not in text and text.startswith("a\\x1b") and len(text) <= 121
