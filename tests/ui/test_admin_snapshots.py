"""Snapshots of the admin's console: the roster and the plan at 80×24 and 160×50 (the plan's
long title and place elided at 80, whole at 160), the plan in English, a form at 80×24.
Frozen data and clock; the console shows no clock."""

from __future__ import annotations

import pytest

from db.models import Staff, StudySession
from kiosk.i18n import set_language
from tests.conftest import make_office
from tests.ui.test_admin_console import console, ready


@pytest.fixture
def app(db, home):
    make_office(db)
    with db.atomic():
        Staff.update(name="王[/]五").where(Staff.key == "B2001").execute()
        # a plan as offices write it: long titles and places, elided at 80 columns (FINDINGS e)
        StudySession.update(title="党组理论学习中心组第十五次集中学习:深入学习贯彻全会精神",
                            location="机关三楼大会议室(东侧)").where(
            StudySession.kind == "central_group").execute()
    built = console(db, home)
    built.cursor_blink = False
    return built


def keys(*pressed):
    async def run(pilot) -> None:
        await ready(pilot)
        for key in pressed:
            await pilot.press(key)
            await pilot.app.workers.wait_for_complete()
            await pilot.pause()
        await ready(pilot)
    return run


@pytest.mark.parametrize("size", [(80, 24), (160, 50)])
def test_roster(snap_compare, app, size):
    assert snap_compare(app, terminal_size=size, run_before=keys())


@pytest.mark.parametrize("size", [(80, 24), (160, 50)])
def test_plan(snap_compare, app, size):
    assert snap_compare(app, terminal_size=size, run_before=keys("f2"))


def test_plan_en(snap_compare, app):
    assert snap_compare(app, terminal_size=(80, 24), run_before=keys("f9", "f2"))
    set_language("zh")


def test_edit_form(snap_compare, app):
    assert snap_compare(app, terminal_size=(80, 24), run_before=keys("down", "enter"))


def test_reports(snap_compare, app):
    async def run(pilot) -> None:
        await keys("f5")(pilot)
        # the default folder is under KIOSK_HOME (a new temporary folder each run): a fixed one
        pilot.app.screen.query_one("#report-folder").value = "/media/usb/报表"
        await pilot.pause()
    assert snap_compare(app, terminal_size=(80, 24), run_before=run)


def test_new_session_form(snap_compare, app):
    """FINDINGS #39: a whole time to edit (today, 09:00–11:00), what to type said under the form."""
    assert snap_compare(app, terminal_size=(80, 24), run_before=keys("f2", "ctrl+n", "tab", "tab"))


def test_card_taken_offers_the_move(snap_compare, app):
    """FINDINGS #23: the refusal names the holder; the hint offers Ctrl+T; the field is empty."""
    async def run(pilot) -> None:
        await keys("ctrl+k")(pilot)
        await pilot.press(*"0169552957", "enter")
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()
        await pilot.press("down", "ctrl+k", *"0169552957", "enter")
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()
    assert snap_compare(app, terminal_size=(80, 24), run_before=run)
