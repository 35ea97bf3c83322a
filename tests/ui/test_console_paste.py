"""FINDINGS #30: what a paste brings after the Enter that submitted a console form never drives
the screen under it (the roster's filter, where Enter edits the highlighted person).

Each case is the real console under Pilot on a real SQLite office; the keys go through the app's
real driver as one terminal write (``type_burst``: a paste without bracketed paste, a scanner)
or as a bracketed paste (``paste_burst``), with CR, LF and CRLF line ends. After each, the
roster and the plan are compared with what they were: only what the form was for has changed.
"""

from __future__ import annotations

import pytest
from textual.widgets import Input

from db import queries
from db.models import Leave, StudySession
from kiosk.ui.admin.widgets import FormDialog, Static
from tests.ui.bursts import paste_burst, settled, type_burst
from tests.ui.test_admin_console import audit, console, done, office, ready, rows, status, until

__all__ = ["office"]  # (the fixture, shared with the console's own tests)

ENDS = {"CR": "\r", "LF": "\n", "CRLF": "\r\n"}
SEND = {"keys": type_burst, "bracketed": paste_burst}


def test_the_rest_of_a_burst_is_its_non_empty_lines():
    from textual import events

    from kiosk.ui.safe_app import burst_rows, paste_pieces

    keys = paste_pieces("Z002\t测试二\r\n\t\t\r\n \nZ003")
    rows = burst_rows(keys)
    assert [[getattr(k, "text", None) or k.key for k in row] for row in rows] == [
        ["Z002", "tab", "测试二", "enter"], ["Z003"]]
    assert burst_rows([events.Key("enter", "\r"), events.Key("tab", "\t")]) == []


def roster() -> dict[str, dict]:
    return {r["staff_id"]: r for r in queries.roster()}


def plan() -> dict[int, tuple]:
    return {s.id: (s.title, s.start, s.end, s.cancelled_at) for s in StudySession.select()}


async def quiet(app, pilot) -> None:
    """The burst, every form it opened and every action it started are over."""
    await settled(app, pilot)
    await done(pilot)
    await settled(app, pilot)


def form_error(app) -> str:
    """The open form's error line ("" while a new form is still being mounted)."""
    found = app.screen.query("#form-error")
    return str(found.first().content) if found else ""


@pytest.mark.parametrize("end", ENDS)
@pytest.mark.parametrize("how", SEND)
async def test_two_spreadsheet_rows_pasted_into_the_add_form_add_two_people(
        db, home, office, how, end):
    """The finding's exact paste (what Excel puts on the clipboard: tab-separated, two empty
    trailing cells): Z001 and Z002 added, each audited once; nobody else touched."""
    eol = ENDS[end]
    before = roster()
    app = console(db, home)
    async with app.run_test(size=(100, 30)) as pilot:
        await ready(pilot)
        await pilot.press("ctrl+n")
        await pilot.pause()
        SEND[how](app, f"Z001\t测试一\t办公室\t\t{eol}Z002\t测试二\t财务科\t\t{eol}")
        await until(pilot, lambda: queries.staff_row("Z002") is not None)
        await quiet(app, pilot)
        after = roster()
        assert (after["Z001"]["name"], after["Z001"]["department"]) == ("测试一", "办公室")
        assert (after["Z002"]["name"], after["Z002"]["department"]) == ("测试二", "财务科")
        assert after["Z002"]["groups"] == []
        assert {k: v for k, v in after.items() if k not in ("Z001", "Z002")} == before
        assert len(audit("staff_added")) == 2 and not audit("staff_updated")
        assert not isinstance(app.screen, FormDialog)  # the trailing line end: no third form
        assert "Z002" in status(app)


async def test_a_bad_row_stays_in_its_form_and_the_rows_after_it_are_not_used(db, home, office):
    """Row 2 names someone who exists: refused in its own form (what was pasted kept, the
    reason shown, how many lines were left); row 3 is not added, A1001 unchanged."""
    before = roster()
    app = console(db, home)
    async with app.run_test(size=(100, 30)) as pilot:
        await ready(pilot)
        await pilot.press("ctrl+n")
        await pilot.pause()
        type_burst(app, "Z001\t测试一\t办公室\r\nA1001\t冒名\t财务科\r\nZ003\t测试三\t人事科\r\n")
        await until(pilot, lambda: isinstance(app.screen, FormDialog) and "A1001" in form_error(app))
        await quiet(app, pilot)
        form = app.screen
        assert isinstance(form, FormDialog)
        assert form.query_one("#field-staff_id", Input).value == "A1001"
        assert form.query_one("#field-name", Input).value == "冒名"
        assert "1" in form_error(app) and "粘贴" in form_error(app)
        after = roster()
        assert set(after) - set(before) == {"Z001"}
        assert after["A1001"] == before["A1001"]
        await pilot.press("escape")
        await pilot.pause()
        assert not isinstance(app.screen, FormDialog)


async def test_a_row_with_a_control_character_is_refused_like_an_import_row(db, home, office):
    before = roster()
    app = console(db, home)
    async with app.run_test(size=(100, 30)) as pilot:
        await ready(pilot)
        await pilot.press("ctrl+n")
        await pilot.pause()
        paste_burst(app, "Z001\t测试一\t办公室\r\nZ002\t测\x07试\t财务科\r\n")
        await until(pilot, lambda: queries.staff_row("Z001") is not None)
        await quiet(app, pilot)
        assert isinstance(app.screen, FormDialog) and form_error(app)
        assert queries.staff_row("Z002") is None
        assert {k: v for k, v in roster().items() if k != "Z001"} == before


@pytest.mark.parametrize("first", [True, False])
async def test_a_row_wider_than_the_form_is_refused_not_wrapped_round(db, home, office, first):
    """Seven cells for five fields (a spreadsheet with 手机, 备注): typed, Tab would wrap round
    and put them over 工号 and 姓名; as the first line (typed) or a later one (filled), the
    line is refused in its form and nobody is added from it."""
    wide = "Z009\t测试九\t办公室\t党员\t科员\t13800000000\t备注\r\n"
    text = wide if first else "Z001\t测试一\t办公室\r\n" + wide
    before = roster()
    app = console(db, home)
    async with app.run_test(size=(100, 30)) as pilot:
        await ready(pilot)
        await pilot.press("ctrl+n")
        await pilot.pause()
        type_burst(app, text)
        await until(pilot, lambda: isinstance(app.screen, FormDialog) and "5" in form_error(app))
        await quiet(app, pilot)
        assert app.screen.query_one("#field-staff_id", Input).value == "Z009"
        added = set(roster()) - set(before)
        assert added == (set() if first else {"Z001"})
        assert queries.staff_row("13800000000") is None and queries.staff_row("Z009") is None


async def test_a_row_with_an_arrow_key_is_not_submitted(db, home, office):
    before = roster()
    app = console(db, home)
    async with app.run_test(size=(100, 30)) as pilot:
        await ready(pilot)
        await pilot.press("ctrl+n")
        await pilot.pause()
        type_burst(app, "Z001\t测试一\t办公室\rZ002\x1b[A\t测试二\t财务科\rZ003\t三\t人事科\r")
        await until(pilot, lambda: isinstance(app.screen, FormDialog) and "1" in form_error(app))
        await quiet(app, pilot)
        assert set(roster()) - set(before) == {"Z001"}


@pytest.mark.parametrize("how", SEND)
async def test_two_titles_pasted_into_the_new_session_form_add_two_sessions(db, home, office, how):
    """`新学习A⏎新学习B⏎` in 学习计划 (Ctrl+N): two new sessions; the plan's own unchanged."""
    before = plan()
    app = console(db, home)
    async with app.run_test(size=(100, 30)) as pilot:
        await ready(pilot)
        await pilot.press("f2")
        await ready(pilot)
        await pilot.press("ctrl+n")
        await pilot.pause()
        SEND[how](app, "新学习A\r新学习B\r")
        await until(pilot, lambda: StudySession.select().where(
            StudySession.title == "新学习B").exists())
        await quiet(app, pilot)
        after = plan()
        assert sorted(v[0] for k, v in after.items() if k not in before) == ["新学习A", "新学习B"]
        assert {k: v for k, v in after.items() if k in before} == before
        assert not audit("session_edited")
        assert not isinstance(app.screen, FormDialog)


async def test_more_lines_after_an_edit_are_not_used_and_said(db, home, office):
    """An edit form is one person's: the lines pasted after its Enter are left, and said."""
    before = roster()
    app = console(db, home)
    async with app.run_test(size=(100, 30)) as pilot:
        await ready(pilot)
        app.screen.query_one("#roster-search", Input).value = "B2002"
        await pilot.pause()
        await pilot.press("ctrl+e")
        await pilot.pause()
        app.screen.query_one("#field-name", Input).value = ""
        type_burst(app, "赵六六\r李四改\t办公室\r\n")
        await until(pilot, lambda: queries.staff_row("B2002")["name"] == "赵六六")
        await quiet(app, pilot)
        after = roster()
        assert {k: v for k, v in after.items() if k != "B2002"} == {
            k: v for k, v in before.items() if k != "B2002"}
        assert not isinstance(app.screen, FormDialog)
        assert "赵六六" in status(app) and "1" in status(app) and "粘贴" in status(app)
        assert len(audit("staff_updated")) == 1


async def test_a_paste_into_the_list_edits_nobody(db, home, office):
    """Rows pasted while the list has the focus (Ctrl+N forgotten): Enter there would edit the
    highlighted person with the rest of the paste; nothing opens, nothing changes, it is said."""
    before = roster()
    app = console(db, home)
    async with app.run_test(size=(100, 30)) as pilot:
        await ready(pilot)
        type_burst(app, "A1001\r高小明\t财务科\r")
        await until(pilot, lambda: "Ctrl+N" in status(app))
        await quiet(app, pilot)
        assert not isinstance(app.screen, FormDialog)
        assert roster() == before and not audit("staff_updated")
        await pilot.press("enter")  # a lone Enter (typed) still opens the highlighted person
        await pilot.pause()
        assert isinstance(app.screen, FormDialog)


async def test_two_leaves_pasted_into_the_leave_form_record_two(db, home, office):
    morning = office["morning"]
    before = roster()
    app = console(db, home)
    async with app.run_test(size=(100, 30)) as pilot:
        await ready(pilot)
        await pilot.press("f3")
        await done(pilot)
        await pilot.press("ctrl+n")
        await pilot.pause()
        paste_burst(app, f"A1002\t{morning}\t病假\nB2001\t{morning}\t事假\n")
        await until(pilot, lambda: Leave.select().count() == 2)
        await quiet(app, pilot)
        assert {(x.staff_id, x.reason) for x in Leave.select()} == {("A1002", "病假"),
                                                                    ("B2001", "事假")}
        assert roster() == before and not isinstance(app.screen, FormDialog)
        assert [r[2] for r in rows(app)].count("A1002") == 1


async def test_a_confirmation_takes_one_enter_and_leaves_the_rest(db, home, office):
    """Revoking a badge (F4, Ctrl+R) with a burst behind its Enter: one revoke; the second
    Enter does not revoke the next person's badge (the row the cursor moved to)."""
    before = roster()
    app = console(db, home)
    async with app.run_test(size=(100, 30)) as pilot:
        await ready(pilot)
        await pilot.press("f4")
        await ready(pilot)
        await pilot.press("ctrl+r")
        await pilot.pause()
        type_burst(app, "\r\x12\r")  # Enter, Ctrl+R, Enter
        await until(pilot, lambda: len(audit("badge_revoked")) == 1)
        await quiet(app, pilot)
        assert len(audit("badge_revoked")) == 1 and not isinstance(app.screen, FormDialog)
        after = roster()
        assert sum(after[k]["badge_version"] != before[k]["badge_version"] for k in before) == 1


async def test_a_report_is_written_once_and_the_rest_of_the_paste_is_said(db, home, office,
                                                                          tmp_path):
    out = tmp_path / "stick"
    app = console(db, home)
    async with app.run_test(size=(100, 30)) as pilot:
        await ready(pilot)
        await pilot.press("f5")
        await pilot.pause()
        screen = app.screen
        screen.query_one("#report-period", Input).value = "2026-11"
        screen.query_one("#report-formats", Input).value = "json"
        screen.query_one("#report-folder", Input).value = str(out)
        type_burst(app, "\r2026\r")
        await until(pilot, lambda: (out / "monthly-2026-11.json").exists())
        await quiet(app, pilot)
        result = str(screen.query_one("#report-result", Static).content)
        assert "粘贴" in result and str(out / "monthly-2026-11.json") in result
        assert screen.query_one("#report-period", Input).value == "2026-11"
        assert not (out / "annual-2026.json").exists()
