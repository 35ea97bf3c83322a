"""SPEC §7's PIN gate on screen: wrong PINs lock the dialog (escalating), the lock survives a
restart of the kiosk, and each wrong PIN is an ``admin_pin_failed`` event in ``kiosk export log``."""

from __future__ import annotations

from textual.widgets import Input, Static

from db.models import SignInEvent
from kiosk import config
from kiosk import pin as admin_pin
from kiosk.ui.dialogs import PinDialog, wait_text
from kiosk.ui.host_app import build_host_app
from kiosk.ui.screens.admin import AdminScreen
from tests.cli_runner import kiosk as cli
from tests.conftest import make_office, wall
from tests.ui.bursts import F2, settled, type_burst
from tests.ui.kiosk_office import PIN, kiosk


def pin_error(app) -> str:
    return str(app.screen.query_one("#pin-error", Static).content)


async def try_pin(app, pilot, value: str) -> None:
    field = app.screen.query_one("#pin-input", Input)
    field.value = value
    await pilot.press("enter")
    await settled(app, pilot)


async def test_wrong_pins_lock_and_the_lock_survives_a_restart(db, home, capsys):
    make_office(db)
    app, _ = kiosk(db, home)
    async with app.run_test(size=(80, 24)) as pilot:
        await settled(app, pilot)
        await pilot.press("f2")
        await pilot.pause()
        await try_pin(app, pilot, "000000")
        assert pin_error(app) == "PIN 不正确(再错 2 次将暂时锁定)"
        await try_pin(app, pilot, "111111")
        await try_pin(app, pilot, "222222")
        assert pin_error(app) == "错误次数过多,已锁定:请 30 秒后再试"
        await try_pin(app, pilot, PIN)  # the right PIN, but locked: not even checked
        assert isinstance(app.screen, PinDialog) and "后再试" in pin_error(app)
        assert app.bells == 4
    # the kiosk restarts (a new app on the same home): still locked
    again, _ = kiosk(db, home)
    async with again.run_test(size=(80, 24)) as pilot:
        await settled(again, pilot)
        type_burst(again, f"{F2}{PIN}\r")
        await settled(again, pilot)
        assert isinstance(again.screen, PinDialog) and "后再试" in pin_error(again)
    assert admin_pin.lockout(home).failures == 3
    events = list(SignInEvent.select().where(SignInEvent.result == admin_pin.FAILED)
                  .order_by(SignInEvent.seq))
    assert [(e.reason, e.note, e.kiosk_id, e.actor) for e in events] == [
        ("wrong_pin", "failures=1 lock_s=0", "test-kiosk", "kiosk"),
        ("wrong_pin", "failures=2 lock_s=0", "test-kiosk", "kiosk"),
        ("wrong_pin", "failures=3 lock_s=30", "test-kiosk", "kiosk")]
    assert all(e.at == wall("2026-11-28 09:02") for e in events)
    # audited: the export shows them, and no typed PIN anywhere in it
    run = cli(capsys, "export", "log", "--format", "jsonl", "--out", "-", "--db", f"sqlite:///{db.database}")
    assert run.code == 0, run.err
    rows = [r for r in run.jsonl() if r["result"] == "admin_pin_failed"]
    assert len(rows) == 3 and rows[0]["reason"] == "wrong_pin"
    for secret in ("000000", "111111", "222222", PIN):
        assert secret not in run.out


async def test_after_the_lock_the_right_pin_opens_admin_and_resets_the_count(db, home, monkeypatch):
    monkeypatch.setattr(admin_pin, "FIRST_LOCK", 0.5)
    make_office(db)
    app, _ = kiosk(db, home, lang="en")
    async with app.run_test(size=(80, 24)) as pilot:
        await settled(app, pilot)
        await pilot.press("f2")
        await pilot.pause()
        for wrong in ("000000", "111111", "222222"):
            await try_pin(app, pilot, wrong)
        assert pin_error(app).startswith("Too many wrong PINs: locked, try again in")
        await pilot.pause(0.6)
        await try_pin(app, pilot, PIN)
        assert isinstance(app.screen, AdminScreen)
    assert admin_pin.lockout(home).failures == 0


async def test_a_wrong_pin_at_the_host_view_is_audited_too(db, home):
    ids = make_office(db)
    admin_pin.set_pin(home, PIN)
    settings = config.load(db=f"sqlite:///{db.database}")
    app = build_host_app(settings, db, clock=lambda: wall("2026-11-28 09:20"),
                         session_id=ids["morning"], actor="刘主任")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause(0.3)
        await pilot.press("f3")
        for _ in range(40):
            await pilot.pause(0.05)
            if isinstance(app.screen, PinDialog):
                break
        await try_pin(app, pilot, "999999")
        assert isinstance(app.screen, PinDialog)
    event = SignInEvent.get(SignInEvent.result == admin_pin.FAILED)
    assert (event.actor, event.note, event.method) == ("刘主任", "failures=1 lock_s=0", "pin")


def test_wait_text_reads_naturally():
    assert [wait_text(s) for s in (30, 60, 90, 900)] == ["30 秒", "1 分钟", "1 分 30 秒", "15 分钟"]


async def test_locked_the_dialog_stays_up_so_the_pin_never_falls_into_the_scan_field(db, home, monkeypatch):
    """FINDINGS #28: the lock (30 s) outlasted the idle close (20 s); the dialog closed while
    locked and the admin's next try went into the scan field and the sign-in log."""
    from kiosk.ui import dialogs

    monkeypatch.setattr(dialogs, "IDLE_SECONDS", 0.6)
    monkeypatch.setattr(admin_pin, "FIRST_LOCK", 1.5)
    make_office(db)
    app, _ = kiosk(db, home, lang="en")
    async with app.run_test(size=(80, 24)) as pilot:
        await settled(app, pilot)
        await pilot.press("f2")
        await pilot.pause()
        for wrong in ("000000", "111111", "222222"):
            await try_pin(app, pilot, wrong)
        assert pin_error(app) == "Too many wrong PINs: locked, try again in 2 s"
        await pilot.pause(1.0)  # past the idle time, still locked: the message stays, counting down
        assert isinstance(app.screen, PinDialog) and pin_error(app).endswith("in 1 s")
        for _ in range(80):  # the lock runs out (its one-second countdown may lag on a busy
            await pilot.pause(0.05)  # machine); the idle time starts again from there
            if pin_error(app).startswith("Unlocked"):
                break
        assert isinstance(app.screen, PinDialog) and pin_error(app) == "Unlocked: you can enter the PIN again"
        await pilot.press(*PIN, "enter")  # typed as the admin would: into the dialog
        await settled(app, pilot)
        assert isinstance(app.screen, AdminScreen)
    assert SignInEvent.select().where(SignInEvent.result != admin_pin.FAILED).count() == 0


async def test_opened_while_locked_it_says_so_and_closes_after_the_lock_and_idle_time(db, home, monkeypatch):
    from kiosk.ui import dialogs
    from kiosk.ui.screens.signin import SignInScreen

    monkeypatch.setattr(dialogs, "IDLE_SECONDS", 0.5)
    monkeypatch.setattr(admin_pin, "FIRST_LOCK", 1.0)
    make_office(db)
    app, _ = kiosk(db, home, lang="en")
    for _ in range(3):
        admin_pin.verify(home, "000000")
    async with app.run_test(size=(80, 24)) as pilot:
        await settled(app, pilot)
        await pilot.press("f2")
        await pilot.pause()
        assert pin_error(app).startswith("Too many wrong PINs: locked, try again in")
        await pilot.pause(0.7)
        assert isinstance(app.screen, PinDialog)
        for _ in range(40):
            await pilot.pause(0.1)
            if isinstance(app.screen, SignInScreen):
                break
        assert isinstance(app.screen, SignInScreen)  # not up for ever: lock + idle time, then gone


async def test_a_lock_of_minutes_holds_with_the_dialog_up_and_the_door_still_open(db, home, monkeypatch):
    """FINDINGS d: past the 2 min lock (4, 8, 15 min) the dialog closed on idle while still
    locked. It stays up counting down, a PIN typed meanwhile is not checked (nor counted), and
    a staff ID scanned meanwhile still signs in."""
    import time

    from kiosk.ui import dialogs
    from kiosk.ui.screens.signin import SignInScreen

    monkeypatch.setattr(dialogs, "IDLE_SECONDS", 0.3)
    make_office(db)
    app, _ = kiosk(db, home, lang="en")
    start = time.time() - 500  # six wrong PINs, each after the lock before it: the last locks 4 min
    for at in (start, start + 1, start + 2, start + 40, start + 110, time.time() - 5):
        assert admin_pin.verify(home, "000000", now=at).counted
    assert 230 < admin_pin.locked_for(home) <= 235
    async with app.run_test(size=(80, 24)) as pilot:
        await settled(app, pilot)
        await pilot.press("f2")
        await pilot.pause()
        assert pin_error(app).startswith("Too many wrong PINs: locked, try again in 3 min 5")
        await pilot.pause(1.5)  # five times the idle time: still up, still counting
        assert isinstance(app.screen, PinDialog) and "3 min 5" in pin_error(app)
        await pilot.press(*PIN, "enter")  # the right PIN, while locked: the lock holds
        await settled(app, pilot)
        assert isinstance(app.screen, PinDialog) and "locked" in pin_error(app)
        assert admin_pin.lockout(home).failures == 6 and admin_pin.locked_for(home) > 200
        await pilot.press(*"A1001", "enter")  # someone at the door meanwhile
        await settled(app, pilot)
        assert isinstance(app.screen, SignInScreen)
        assert "张 三" in app.screen.query_one("#banner").text
        await pilot.press("f2")  # opened again while locked: it says so at once
        await pilot.pause()
        assert isinstance(app.screen, PinDialog) and "3 min" in pin_error(app)
    assert [e.result for e in SignInEvent.select().order_by(SignInEvent.seq)] == ["present"]
