"""Snapshots of what issue 10 changed on screen, at 80×24: markup-like data shown literally on
the kiosk, and the PIN dialog locked after three wrong PINs.

Regenerate after an intended change with ``pytest tests/ui/test_trust_snapshots.py --snapshot-update``
and look at the SVGs before committing them.
"""

from __future__ import annotations

from textual.widgets import Input

from db.roster import StaffRecord, upsert_staff
from db.sessions import add_session
from tests.conftest import wall
from tests.ui.kiosk_office import kiosk, steady_field


def hostile_office(db) -> None:
    with db.atomic():
        upsert_staff([StaffRecord("M3", "M3", "[@click=app.quit]退出[/]", "[on leave]科", "", ())])
        add_session({"title": "[b]机关[/b]学习日 王[/]五", "kind": "learning_day",
                     "start": wall("2026-11-28 09:00"), "end": wall("2026-11-28 11:00"),
                     "location": "[link=http://x]三楼[/]", "speaker": "$name"}, [("all", "")])


def test_markup_like_data_on_the_idle_kiosk(db, home, snap_compare):
    hostile_office(db)
    app, _ = kiosk(db, home, at="2026-11-28 08:55", office_name="[b]示范[/b]机关")
    assert snap_compare(app, terminal_size=(80, 24), run_before=steady_field)


def test_markup_like_name_confirmed(db, home, snap_compare):
    hostile_office(db)
    app, _ = kiosk(db, home, at="2026-11-28 09:02")

    async def run_before(pilot) -> None:
        field = await steady_field(pilot)
        field.value = "M3"
        await pilot.press("enter")
        await pilot.pause()

    assert snap_compare(app, terminal_size=(80, 24), run_before=run_before)


def test_pin_dialog_locked(db, home, snap_compare):
    hostile_office(db)
    app, _ = kiosk(db, home, at="2026-11-28 09:02")

    async def run_before(pilot) -> None:
        await steady_field(pilot)
        await pilot.press("f2")
        await pilot.pause()
        field = pilot.app.screen.query_one("#pin-input", Input)
        field.cursor_blink = False
        for wrong in ("000000", "111111", "222222"):
            field.value = wrong
            await pilot.press("enter")
            await pilot.app.workers.wait_for_complete()
            await pilot.pause()

    assert snap_compare(app, terminal_size=(80, 24), run_before=run_before)
