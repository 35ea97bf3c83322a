"""``kiosk admin`` under Pilot: each section driven by keys on a real SQLite office, every
action checked in the database and the event log (the same functions as the CLI)."""

from __future__ import annotations

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from textual.widgets import Input

from db import queries
from db.cards import card_of
from db.models import Attendance, Leave, SignInEvent, Staff, StudySession
from kiosk import pin
from kiosk.config import Settings
from kiosk.i18n import set_language
from kiosk.ui.admin.app import build_admin_app
from kiosk.ui.admin.widgets import DataTable, FormDialog, Static
from tests.conftest import make_office, wall

PIN = "246813"
NOW = "2026-11-20 10:00"


def console(db, home, *, require_pin: bool = False, lang: str = "zh"):
    settings = Settings(home=home, db_url=f"sqlite:///{db.database}", lang=lang,
                        office_name="示范机关", kiosk_id="admin-desk")
    now = wall(NOW)
    return build_admin_app(settings, db, clock=lambda: now, require_pin=require_pin)


async def ready(pilot) -> None:
    for _ in range(200):  # (up to 10 s: a loaded machine)
        tables = pilot.app.screen.query(DataTable)
        if tables and tables.first().row_count:
            break
        await pilot.pause(0.05)
    await pilot.pause()


def table(app) -> DataTable:
    switcher = app.screen.query_one("ContentSwitcher")
    return switcher.query_one(f"#{switcher.current}").query_one(DataTable)


def rows(app) -> list[list[str]]:
    grid = table(app)
    return [[str(c) for c in grid.get_row_at(i)] for i in range(grid.row_count)]


def status(app) -> str:
    return str(app.screen.query_one("#console-status", Static).content)


async def fill(pilot, values: dict[str, str]) -> None:
    """Fill the open form's fields (as typed), then one Enter."""
    form = pilot.app.screen
    assert isinstance(form, FormDialog)
    for name, value in values.items():
        form.query_one(f"#field-{name}", Input).value = value
    await pilot.press("enter")
    await done(pilot)


async def done(pilot) -> None:
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


async def search(pilot, text: str) -> None:
    field = pilot.app.screen.query_one("ContentSwitcher").query_one(
        f"#{pilot.app.screen.query_one('ContentSwitcher').current}-search", Input)
    field.value = text
    await pilot.pause()


async def until(pilot, check, timeout: float = 10.0) -> None:
    """Wait (the real app running) until ``check()`` holds; a loaded machine may be slow."""
    import time

    start = time.monotonic()
    while not check():
        assert time.monotonic() - start < timeout, "not within the time allowed"
        await pilot.pause(0.05)


def audit(result: str) -> list[SignInEvent]:
    return list(SignInEvent.select().where(SignInEvent.result == result))


@pytest.fixture
def office(db):
    ids = make_office(db)
    with db.atomic():
        Staff.update(name="王[/]五").where(Staff.key == "B2001").execute()
    return ids


async def test_pin_gate_opens_the_roster_and_cancel_closes(db, home, office):
    pin.set_pin(home, PIN)
    app = console(db, home, require_pin=True)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert app.screen.__class__.__name__ == "PinDialog"
        await pilot.press(*"000000", "enter")
        await done(pilot)
        assert app.screen.__class__.__name__ == "PinDialog"  # wrong: still asking
        app.screen.query_one(Input).value = PIN
        await pilot.press("enter")
        await done(pilot)
        await ready(pilot)
        assert app.screen.query_one("ContentSwitcher").current == "roster"
        assert len(rows(app)) == 5
    app = console(db, home, require_pin=True)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("escape")
        await pilot.pause()
    assert app.return_code == 1


async def test_roster_search_add_edit_deactivate(db, home, office):
    app = console(db, home)
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(pilot)
        names = [r[1] for r in rows(app)]
        assert "王[/]五" in names  # data is text: shown literally, nothing crashed
        await pilot.press(*"财务")
        await pilot.pause()
        assert {r[2] for r in rows(app)} == {"财务科"}
        await search(pilot, "")
        await pilot.press("ctrl+n")
        await pilot.pause()
        await fill(pilot, {"staff_id": "D4001", "name": "孙[b]八", "department": "信息科",
                           "groups": "党员", "title": "科员"})
        assert "D4001" in status(app)
        assert queries.staff_row("D4001")["name"] == "孙[b]八"
        await search(pilot, "D4001")
        await pilot.press("enter")  # Enter on the filtered row: edit
        await pilot.pause()
        await fill(pilot, {"title": "副科长"})
        assert queries.staff_row("D4001")["title"] == "副科长"
        await pilot.press("ctrl+d")
        await pilot.pause()
        assert isinstance(app.screen, FormDialog)
        await pilot.press("enter")
        await done(pilot)
        assert queries.staff_row("D4001")["active"] is False
        assert rows(app)[0][5] == "否"
        assert len(audit("staff_added")) == len(audit("staff_updated")) == len(
            audit("deactivated")) == 1


async def test_a_refused_form_keeps_what_was_typed(db, home, office):
    app = console(db, home)
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(pilot)
        await pilot.press("ctrl+n")
        await pilot.pause()
        await fill(pilot, {"staff_id": "A1001", "name": "重复", "department": "办公室"})
        assert isinstance(app.screen, FormDialog)  # still open, with the reason
        assert "A1001" in str(app.screen.query_one("#form-error").content)
        assert app.screen.query_one("#field-name", Input).value == "重复"
        await pilot.press("escape")
        await pilot.pause()
        assert queries.staff_row("A1001")["name"] == "张三"


async def test_roster_import_previews_before_writing(db, home, office, tmp_path):
    path = tmp_path / "roster.csv"
    path.write_text("工号,姓名,部门\nA1001,张三,办公室\nA1002,李思,办公室\nE5001,新人,信息科\n",
                    encoding="utf-8")
    app = console(db, home)
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(pilot)
        await pilot.press("ctrl+o")
        await pilot.pause()
        await fill(pilot, {"file": str(tmp_path)})  # the stick's folder: its tables are named
        assert "roster.csv" in str(app.screen.query_one("#form-error").content)
        await fill(pilot, {"file": str(path)})
        preview = str(app.screen.query_one("#form-body", Static).content)
        assert "第 3 行" in preview and "李四 → 李思" in preview and "E5001" in preview
        assert queries.staff_row("E5001") is None  # nothing written yet
        await pilot.press("enter")
        await done(pilot)
        assert queries.staff_row("E5001")["name"] == "新人"
        assert queries.staff_row("A1002")["name"] == "李思"
        assert "新增 1" in status(app)
        path.write_text("工号,姓名,部门\nA1001,,办公室\n", encoding="utf-8")
        await pilot.press("ctrl+o")
        await pilot.pause()
        await fill(pilot, {"file": str(path)})
        assert "第 2 行" in str(app.screen.query_one("#form-body", Static).content)
        # with a problem the dialog does not offer Enter (seen in tmux: it said "Enter 导入")
        assert "有问题,未导入" in str(app.screen.query_one(".form-title").content)
        hint = str(app.screen.query_one("#form-hint").content)
        assert "Esc 返回" in hint and "Enter" not in hint
        await pilot.press("enter")  # refused: the file has a problem
        await done(pilot)
        assert isinstance(app.screen, FormDialog)
        await pilot.press("escape")
        await pilot.pause()
        assert queries.staff_row("A1001")["name"] == "张三"


async def test_plan_add_edit_cancel_and_months(db, home, office):
    app = console(db, home)
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(pilot)
        await pilot.press("f2")
        await pilot.pause()
        await done(pilot)
        assert str(app.screen.query_one("#plan-month").content) == "2026年11月"
        assert [r[4] for r in rows(app)] == ["机关学习日", "中心组集中学习", "财务培训"]
        await pilot.press("ctrl+n")
        await pilot.pause()
        await fill(pilot, {"title": "专题讲座", "kind": "专题报告会", "start": "2026-11-25 09:00",
                           "end": "2026-11-25 10:30", "audience": "dept:办公室"})
        added = StudySession.get(StudySession.title == "专题讲座")
        assert added.kind == "lecture"
        assert Attendance.select().where(Attendance.session == added.id).count() == 2
        await search(pilot, "专题讲座")
        await pilot.press("enter")
        await pilot.pause()
        await fill(pilot, {"audience": "all", "location": "礼堂"})
        assert "参加对象" in status(app)
        assert Attendance.select().where(Attendance.session == added.id).count() == 4
        await pilot.press("ctrl+d")
        await pilot.pause()
        await fill(pilot, {"reason": "主讲人出差"})
        added = StudySession.get_by_id(added.id)
        assert added.cancelled_at is not None and added.cancel_reason == "主讲人出差"
        assert rows(app)[0][1].startswith("已取消")
        await search(pilot, "")
        await pilot.press("ctrl+right")
        await done(pilot)
        assert str(app.screen.query_one("#plan-month").content) == "2026年12月"
        assert rows(app) == []


async def test_leave_record_and_withdraw(db, home, office):
    app = console(db, home)
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(pilot)
        await pilot.press("f3")
        await done(pilot)
        await pilot.press("ctrl+n")
        await pilot.pause()
        await pilot.press("tab")  # the session's number: where to find it, said under the form
        await pilot.pause()
        assert "^L" in str(app.screen.query_one("#form-field-hint").content)
        await fill(pilot, {"staff_id": "b2001", "session": str(office["morning"]),
                           "reason": "外出[开会]"})
        leave = Leave.get(Leave.staff == "B2001")
        assert leave.reason == "外出[开会]" and leave.withdrawn_at is None
        await done(pilot)
        assert rows(app)[0][2:6] == ["B2001", "王[/]五", "外出[开会]", "有效"]  # fit at 80 columns
        await pilot.press("enter")  # Enter on a leave: withdraw (asks first)
        await pilot.pause()
        await pilot.press("enter")
        await done(pilot)
        assert Leave.get(Leave.staff == "B2001").withdrawn_at is not None
        row = Attendance.get((Attendance.session == office["morning"]) & (Attendance.staff == "B2001"))
        assert row.status == "pending"
        assert rows(app)[0][5] == "已撤销"


async def test_badges_sheet_for_a_department_and_revoke(db, home, office, tmp_path):
    from kiosk.badges.keys import public_key_text, write_private_key

    key = Ed25519PrivateKey.generate()
    write_private_key(home, key)
    with db.atomic():
        queries.set_setting("badge_public_key", public_key_text(key.public_key()))
    out = tmp_path / "usb"
    app = console(db, home)
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(pilot)
        await pilot.press("f4")
        await done(pilot)
        await search(pilot, "财务科")
        await pilot.press("ctrl+p")
        await pilot.pause()
        await fill(pilot, {"folder": str(out)})
        sheet = out / "badges.html"
        assert sheet.exists() and str(sheet) in status(app)
        html = sheet.read_text(encoding="utf-8")
        assert "赵六" in html and "张三" not in html
        await pilot.press("ctrl+r")
        await pilot.pause()
        await pilot.press("enter")
        await done(pilot)
        assert queries.staff_row("B2001")["badge_version"] == 2
        assert len(audit("badge_revoked")) == 1


async def test_reports_written_to_the_folder_picked(db, home, office, tmp_path):
    out = tmp_path / "stick"
    app = console(db, home)
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(pilot)
        await pilot.press("f5")
        await pilot.pause()
        screen = app.screen
        screen.query_one("#report-period", Input).value = "2026-11"
        screen.query_one("#report-formats", Input).value = "json,md"
        screen.query_one("#report-folder", Input).value = str(out)
        await pilot.press("enter")
        await done(pilot)
        result = str(screen.query_one("#report-result", Static).content)
        assert str(out / "monthly-2026-11.json") in result
        assert (out / "monthly-2026-11.md").read_text(encoding="utf-8").strip()
        screen.query_one("#report-period", Input).value = "2026"  # a year: docx left out
        screen.query_one("#report-formats", Input).value = "docx,json"
        await pilot.press("enter")
        await done(pilot)
        assert (out / "annual-2026.json").exists() and not (out / "annual-2026.docx").exists()
        screen.query_one("#report-period", Input).value = "2026-11"
        screen.query_one("#report-formats", Input).value = "docx"
        await pilot.press("enter")
        await done(pilot)
        assert (out / "monthly-2026-11.docx").read_bytes()[:2] == b"PK"  # a Word document
        assert "[office]" not in str(screen.query_one("#report-result", Static).content)
        screen.query_one("#report-formats", Input).value = "pdf"
        await pilot.press("enter")
        await done(pilot)
        assert "pdf" in str(screen.query_one("#report-result", Static).content)


async def test_a_bulletin_without_an_issuing_office_says_where_to_set_it(db, home, office,
                                                                          tmp_path):
    """No ``[office] name`` nor ``bulletin_issuer``: the Word bulletin is written (date alone on
    its issuing line) and the console says where to name the office, as ``kiosk report`` does."""
    from dataclasses import replace

    app = console(db, home)
    app.settings = replace(app.settings, office_name="")
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(pilot)
        await pilot.press("f5")
        await pilot.pause()
        screen = app.screen
        screen.query_one("#report-period", Input).value = "2026-11"
        screen.query_one("#report-formats", Input).value = "docx,json"
        screen.query_one("#report-folder", Input).value = str(tmp_path / "usb")
        screen.query_one("#report-period", Input).focus()
        await pilot.press("enter")
        await done(pilot)
        result = str(screen.query_one("#report-result", Static).content)
        assert (tmp_path / "usb" / "monthly-2026-11.docx").exists()
        assert "[office]" in result and "bulletin_issuer" in result, result


async def test_language_switch_keeps_the_section(db, home, office):
    app = console(db, home)
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(pilot)
        await pilot.press("f2")
        await pilot.pause()
        await pilot.press("f9")
        await done(pilot)
        tabs = str(app.screen.query_one("#console-tabs", Static).content)
        assert "Roster" in tabs and "Plan" in tabs
        assert app.screen.query_one("ContentSwitcher").current == "plan"
        await pilot.press("f9")
        await pilot.pause()
        assert "人员" in str(app.screen.query_one("#console-tabs", Static).content)
    set_language("zh")


async def test_the_status_line_speaks_the_new_language_after_f9(db, home, office, tmp_path):
    """FINDINGS f: the last result stayed in the old language after F9 (the screen recomposed
    with the text as it was said). It is said again in the new one, and back; the report's
    result too."""
    app = console(db, home)
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(pilot)
        await search(pilot, "A1002")
        await pilot.press("ctrl+d")
        await pilot.pause()
        await pilot.press("enter")
        await done(pilot)
        assert status(app).startswith("已停用 A1002")
        await pilot.press("f9")
        await done(pilot)
        assert status(app).startswith("Deactivated A1002") and "已停用" not in status(app)
        await pilot.press("f5")
        await pilot.pause()
        screen = app.screen
        screen.query_one("#report-period", Input).value = "2026-11"
        screen.query_one("#report-formats", Input).value = "csv"
        screen.query_one("#report-folder", Input).value = str(tmp_path / "usb")
        await pilot.press("enter")
        await done(pilot)
        assert "files written" in str(screen.query_one("#report-result", Static).content)
        await pilot.press("f9")
        await done(pilot)
        assert status(app).startswith("已停用 A1002")
        result = str(app.screen.query_one("#report-result", Static).content)
        assert result.startswith("已生成 1 个文件") and "monthly-2026-11.csv" in result, result
    set_language("zh")


async def test_bind_a_work_card_by_presenting_it(db, home, office):
    app = console(db, home)
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(pilot)
        await pilot.press("ctrl+k")  # the highlighted person: A1001
        await pilot.pause()
        await fill(pilot, {"card": "0169552957"})  # what a reader types (then its Enter)
        assert card_of("A1001") == 169552957
        assert "2957" in status(app) and "0169552957" not in status(app)
        await pilot.press("down", "ctrl+k")
        await pilot.pause()
        await fill(pilot, {"card": "3D2C1B0A"})  # the same card, another reader form
        assert isinstance(app.screen, FormDialog)  # refused: A1001 holds it
        assert card_of("A1002") is None


def test_kiosk_admin_needs_a_pin_and_a_terminal(db, home, capsys):
    from tests.cli_runner import kiosk

    url = f"sqlite:///{db.database}"
    refused = kiosk(capsys, "admin", "--db", url)
    assert refused.code == 1 and "PIN" in refused.err and "Traceback" not in refused.err
    pin.set_pin(home, PIN)
    not_a_tty = kiosk(capsys, "admin", "--db", url)  # (pytest's output is not a terminal)
    assert not_a_tty.code == 1 and "kiosk admin" in not_a_tty.err


async def test_a_leave_from_the_plan_names_its_session(db, home, office):
    app = console(db, home)
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(pilot)
        await pilot.press("f2")
        await done(pilot)
        await pilot.press("ctrl+l")  # the highlighted (first) session: the morning one
        await pilot.pause()
        assert app.screen.query_one("#field-session", Input).value == str(office["morning"])
        await fill(pilot, {"staff_id": "A1002", "reason": "病假"})
        assert Leave.get(Leave.staff == "A1002").session_id == office["morning"]


async def test_a_form_typed_in_one_burst_is_one_submission(db, home, office):
    """``D5001⇥孙八⇥信息科⏎`` in one terminal write fills three fields and submits once; a second
    ``⏎`` in the same write is an empty line of the paste: no second add, no form opened on the
    roster (tests/ui/test_console_paste.py has the pasted rows of FINDINGS #30)."""
    from tests.ui.bursts import settled, type_burst

    app = console(db, home)
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(pilot)
        await pilot.press("ctrl+n")
        await pilot.pause()
        type_burst(app, "D5001\t孙八\t信息科\r")
        await until(pilot, lambda: queries.staff_row("D5001") is not None)
        await settled(app, pilot)
        await done(pilot)
        person = queries.staff_row("D5001")
        assert (person["name"], person["department"]) == ("孙八", "信息科")
        assert len(audit("staff_added")) == 1
        assert not isinstance(app.screen, FormDialog)
        await pilot.press("ctrl+n")
        await pilot.pause()
        type_burst(app, "D5002\t周九\t信息科\r\r")
        await until(pilot, lambda: queries.staff_row("D5002") is not None)
        await settled(app, pilot)
        await done(pilot)
        assert queries.staff_row("D5002")["name"] == "周九"
        assert len(audit("staff_added")) == 2  # the second Enter added nobody


async def test_left_alone_the_console_locks_and_asks_for_the_pin(db, home, office):
    from kiosk.ui.admin.app import LockScreen

    pin.set_pin(home, PIN)
    app = console(db, home, require_pin=True)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        app.screen.query_one(Input).value = PIN
        await pilot.press("enter")
        await done(pilot)
        await ready(pilot)
        app.idle_lock = 0.6  # (ten minutes in use)
        await pilot.press("down")  # a key: the countdown starts again
        await pilot.pause(0.2)
        assert not any(isinstance(s, LockScreen) for s in app.screen_stack)
        await pilot.pause(0.7)
        assert app.screen.__class__.__name__ == "PinDialog"
        assert isinstance(app.screen_stack[-2], LockScreen)  # nothing of the data under it
        app.screen.query_one(Input).value = PIN
        await pilot.press("enter")
        await done(pilot)
        assert app.screen.query_one("ContentSwitcher").current == "roster"
        await pilot.pause(0.9)
        await pilot.press("escape")  # locked again; Escape at the PIN closes the console
        await pilot.pause()
    assert app.return_code == 1


async def test_each_card_tap_is_one_scan_and_a_taken_card_can_be_moved_here(db, home, office):
    """FINDINGS #23: after a refused tap the field is empty, so the next tap is read alone (the
    same refusal, not "unreadable"); the refusal names the holder without sending the clerk to
    the command line, and Ctrl+T (asked first) moves the card here, both changes audited."""
    app = console(db, home)
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(pilot)
        await pilot.press("ctrl+k")  # A1001 holds the card first
        await pilot.pause()
        await pilot.press(*"0169552957", "enter")
        await done(pilot)
        assert card_of("A1001") == 169552957
        await pilot.press("down", "ctrl+k")  # A1002
        await pilot.pause()
        form = app.screen
        for _ in range(2):  # the clerk taps again, as one does
            await pilot.press(*"0169552957", "enter")
            await done(pilot)
            assert form.query_one("#field-card", Input).value == ""
            error = str(form.query_one("#form-error").content)
            assert "张三(A1001)" in error and "kiosk" not in error, error
        assert "Ctrl+T" in str(form.query_one("#form-hint").content)
        assert card_of("A1002") is None
        await pilot.press("ctrl+t")
        await pilot.pause()
        assert isinstance(app.screen, FormDialog) and app.screen is not form
        await pilot.press("escape")  # not yet: nothing moved, the card form still open
        await pilot.pause()
        assert app.screen is form and card_of("A1001") == 169552957
        await pilot.press("ctrl+t")
        await pilot.pause()
        await pilot.press("enter")
        await done(pilot)
        assert not isinstance(app.screen, FormDialog)
        assert card_of("A1002") == 169552957 and card_of("A1001") is None
        assert "张三" in status(app) and "李四" in status(app)
        assert len(audit("card_unbound")) == 1 and len(audit("card_bound")) == 2
        await pilot.press("ctrl+k")  # a tap in another form: read alone, refused as unreadable
        await pilot.pause()
        await pilot.press(*"ZZ9", "enter")
        await done(pilot)
        assert "ZZ9" in str(app.screen.query_one("#form-error").content)
        assert app.screen.query_one("#field-card", Input).value == ""


async def test_a_new_session_starts_from_a_real_time_the_clerk_edits(db, home, office):
    """FINDINGS #39: the form holds a whole time (the month shown, 09:00–11:00), Tab selects it,
    and what a clerk types over it is read: ``05 9:00`` (the 5th of the month shown), an end
    that moved with the start, ``2026/12/06 14:30`` with an end of ``16:00`` (the start's day)."""
    from tests.ui.bursts import settled, type_burst

    app = console(db, home)
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(pilot)
        await pilot.press("f2")
        await done(pilot)
        await pilot.press("ctrl+right")  # December
        await done(pilot)
        await pilot.press("ctrl+n")
        await pilot.pause()
        form = app.screen
        assert form.query_one("#field-start", Input).value == "2026-12-01 09:00"
        assert form.query_one("#field-end", Input).value == "2026-12-01 11:00"
        form.query_one("#field-title", Input).value = "控制台学习"
        await pilot.press("tab", "tab", *"05 9:00")
        await pilot.pause()
        assert form.query_one("#field-start", Input).value == "05 9:00"  # typed over, as selected
        assert form.query_one("#field-end", Input).value == "2026-12-05 11:00"  # moved along
        await pilot.press("enter")
        await done(pilot)
        made = StudySession.get(StudySession.title == "控制台学习")
        assert (made.start, made.end) == (wall("2026-12-05 09:00"), wall("2026-12-05 11:00"))
        assert "12-05 09:00–11:00" in status(app)  # the end on the same day: its time alone
        await pilot.press("ctrl+n")
        await pilot.pause()
        app.screen.query_one("#field-title", Input).value = "下午学习"
        await pilot.press("tab", "tab")
        type_burst(app, "2026/12/06 14:30\t16:00\r")
        await until(pilot, lambda: StudySession.select().where(
            StudySession.title == "下午学习").exists())
        await settled(app, pilot)
        made = StudySession.get(StudySession.title == "下午学习")
        assert (made.start, made.end) == (wall("2026-12-06 14:30"), wall("2026-12-06 16:00"))
        assert {r[4] for r in rows(app)} >= {"控制台学习", "下午学习"}


async def test_moving_a_session_keeps_its_length(db, home, office):
    """Edit: a new start typed over the old one (``29 14:00``, the session's month) carries the
    end along, keeping the length; the sign-ins and the expected list are the edit's own."""
    app = console(db, home)
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(pilot)
        await pilot.press("f2")
        await done(pilot)
        await search(pilot, "财务培训")
        await pilot.press("enter")
        await pilot.pause()
        form = app.screen
        before = StudySession.get(StudySession.title == "财务培训")
        await pilot.press("tab", "tab", *"29 14:00")
        await pilot.pause()
        assert form.query_one("#field-end", Input).value == "2026-11-29 15:00"  # one hour, as before
        await pilot.press("enter")
        await done(pilot)
        after = StudySession.get_by_id(before.id)
        assert (after.start, after.end) == (wall("2026-11-29 14:00"), wall("2026-11-29 15:00"))
        assert "开始时间" in status(app) and "结束时间" in status(app)
