"""SPEC §7: each Enter ends one scan however the keys arrive — on the kiosk, in the PIN dialog,
on the admin screen and in the host's form.

A burst is fed the way a terminal delivers it (one write → Textual's XTermParser → the app's
driver, tests/ui/bursts.py), so every key is queued before the first has taken effect; the same
flows are also typed key by key with ``pilot.press``.
"""

from __future__ import annotations

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from textual.widgets import Input

from db import queries
from db.models import SignInEvent
from kiosk import config
from kiosk import pin as admin_pin
from kiosk.badges import keys, payload
from kiosk.ui.host_app import build_host_app
from kiosk.ui.safe_app import paste_pieces
from kiosk.ui.screens.admin import AdminScreen
from kiosk.ui.screens.host import HostScreen
from kiosk.ui.screens.signin import SignInScreen
from kiosk.ui.widgets.result_banner import ResultBanner
from tests.conftest import make_office, wall
from tests.ui.bursts import F2, F3, paste_burst, settled, type_burst
from tests.ui.kiosk_office import PIN, kiosk


def events_in_order() -> list[tuple[str, str, str]]:
    return [(e.staff_key or e.input, e.result, e.reason)
            for e in SignInEvent.select().order_by(SignInEvent.seq)]


def banner_text(app) -> str:
    return app.signin.query_one(ResultBanner).text


@pytest.mark.parametrize("burst", ["A1001\rA1002\r", "A1001\r\nA1002\r\n", "A1001\nA1002\n",
                                   " A1001 \r\rA1002\r"])
async def test_two_scans_in_one_write_are_two_sign_ins(db, home, burst):
    make_office(db)
    app, _ = kiosk(db, home)
    async with app.run_test(size=(80, 24)) as pilot:
        await settled(app, pilot)
        assert type_burst(app, burst) >= 12
        await settled(app, pilot)
        assert "李 四" in banner_text(app)
        assert app.signin.query_one("#scan", Input).value == ""
    assert events_in_order() == [("A1001", "present", ""), ("A1002", "present", "")]


async def test_a_pasted_burst_is_one_scan_per_line(db, home):
    make_office(db)
    app, _ = kiosk(db, home)
    async with app.run_test(size=(80, 24)) as pilot:
        await settled(app, pilot)
        paste_burst(app, "Z9999\r\nA1001\r\nA1002")  # the last line has no Enter yet
        await settled(app, pilot)
        assert app.signin.query_one("#scan", Input).value == "A1002"
        await pilot.press("enter")
        await settled(app, pilot)
    assert events_in_order() == [("Z9999", "rejected", "unknown_staff"), ("A1001", "present", ""),
                                 ("A1002", "present", "")]


async def test_a_long_burst_of_scans_yields_one_outcome_per_enter(db, home):
    make_office(db)
    app, clock = kiosk(db, home)
    scans = ["A1001", "Z1", "A1002", "a1001", "B2001", "", "9" * 300, "B2002"]
    async with app.run_test(size=(80, 24)) as pilot:
        await settled(app, pilot)
        type_burst(app, "".join(s + "\r" for s in scans))
        await settled(app, pilot, rounds=6)
        assert app.is_running
    assert [(r, why or k) for k, r, why in events_in_order()] == [
        ("present", "A1001"), ("rejected", "unknown_staff"), ("present", "A1002"), ("already", "A1001"),
        ("present", "B2001"), ("rejected", "invalid_input"), ("present", "B2002")]


async def test_the_same_scans_typed_key_by_key(db, home):
    make_office(db)
    app, _ = kiosk(db, home)
    async with app.run_test(size=(80, 24)) as pilot:
        await settled(app, pilot)
        await pilot.press(*"A1001", "enter", *"A1002", "enter")
        await settled(app, pilot)
    assert events_in_order() == [("A1001", "present", ""), ("A1002", "present", "")]


async def test_f2_and_the_pin_in_one_write_open_admin_and_enter_goes_back(db, home):
    make_office(db)
    app, _ = kiosk(db, home)
    async with app.run_test(size=(80, 24)) as pilot:
        await settled(app, pilot)
        type_burst(app, f"{F2}{PIN}\r")
        await settled(app, pilot)
        assert isinstance(app.screen, AdminScreen)
        type_burst(app, "\rA1001\r")  # Enter on the focused "back" button, then a scan
        await settled(app, pilot)
        assert isinstance(app.screen, SignInScreen)
        assert "张 三" in banner_text(app)
    assert events_in_order() == [("A1001", "present", "")]


async def test_a_badge_scanned_into_the_pin_dialog_then_a_second_scan(db, home):
    make_office(db)
    key = Ed25519PrivateKey.generate()
    with db.atomic():
        queries.set_setting("badge_public_key", keys.public_key_text(key.public_key()))
    app, _ = kiosk(db, home)
    async with app.run_test(size=(80, 24)) as pilot:
        await settled(app, pilot)
        type_burst(app, f"{F2}{payload.sign(key, 'A1002', 1)}\rA1001\r")
        await settled(app, pilot)
        assert isinstance(app.screen, SignInScreen)
        assert "张 三" in banner_text(app)
    assert [(k, r) for k, r, _ in events_in_order()] == [("A1002", "present"), ("A1001", "present")]


async def test_the_host_form_in_one_write_fills_each_field(db, home):
    """F3, the PIN, then ``忘带胸卡⇥08:58⏎``: the reason and the time land in their own fields."""
    ids = make_office(db)
    admin_pin.set_pin(home, PIN)
    settings = config.load(db=f"sqlite:///{db.database}")
    app = build_host_app(settings, db, clock=lambda: wall("2026-11-28 09:20"),
                         session_id=ids["morning"], actor="host")
    async with app.run_test(size=(80, 24)) as pilot:
        for _ in range(40):
            await pilot.pause(0.05)
            if app.screen.query_one("#missing-table").row_count == 4:
                break
        app.screen.query_one("#missing-table").focus()
        await pilot.press("down")  # the second missing person: 李四 (A1002)
        type_burst(app, f"{F3}{PIN}\r忘带胸卡\t08:58\r")
        await settled(app, pilot)
        for _ in range(100):
            await pilot.pause(0.05)
            if SignInEvent.select().count() and isinstance(app.screen, HostScreen):
                break
        assert isinstance(app.screen, HostScreen)
    event = SignInEvent.get(SignInEvent.method == "manual")
    assert (event.staff_key, event.note, event.result) == ("A1002", "忘带胸卡", "present")
    assert event.at == wall("2026-11-28 08:58")


async def test_the_host_form_typed_key_by_key(db, home):
    ids = make_office(db)
    admin_pin.set_pin(home, PIN)
    settings = config.load(db=f"sqlite:///{db.database}")
    app = build_host_app(settings, db, clock=lambda: wall("2026-11-28 09:20"),
                         session_id=ids["morning"], actor="host")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause(0.3)
        await pilot.press("f3", *PIN, "enter")
        for _ in range(40):
            await pilot.pause(0.05)
            if app.screen.__class__.__name__ == "HostActionForm":
                break
        app.screen.query_one("#form-staff", Input).value = "B2001"
        await pilot.press(*"出差", "tab", *"09:05", "enter")
        for _ in range(100):
            await pilot.pause(0.05)
            if SignInEvent.select().count() and isinstance(app.screen, HostScreen):
                break
    event = SignInEvent.get(SignInEvent.method == "manual")
    assert (event.staff_key, event.note, event.at) == ("B2001", "出差", wall("2026-11-28 09:05"))


def test_paste_pieces_are_text_runs_and_keys():
    pieces = paste_pieces("忘带胸卡\t22:10\r\nA\rB\n")
    assert [getattr(p, "text", None) or p.key for p in pieces] == [
        "忘带胸卡", "tab", "22:10", "enter", "A", "enter", "B", "enter"]
