"""The host's live view under Pilot, on a real SQLite file that other processes write to.

Sign-ins and leaves come from a REAL separate process (the ``kiosk`` CLI on the same file);
host actions go through the PIN dialog and the form; the clock is injected (frozen/advanced).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
from textual.widgets import DataTable, Input, Static

from db.models import SignInEvent
from db.roster import StaffRecord, upsert_staff
from db.sessions import add_session
from kiosk import config
from kiosk import pin as admin_pin
from kiosk.desk import SignInDesk
from kiosk.i18n import set_language
from kiosk.ui.host_app import build_host_app
from kiosk.ui.screens.host import HostScreen
from tests.conftest import TZ, make_office, wall

KIOSK = str(Path(sys.executable).parent / "kiosk")


class Clock:
    """An injectable clock the test can move."""

    def __init__(self, at):
        self.at = at

    def __call__(self):
        return self.at


def make_app(db, sqlite_url, session_id, clock, **kw):
    settings = config.load(db=sqlite_url)
    return build_host_app(settings, db, clock=clock, session_id=session_id, **kw)


def tile(app, name: str) -> str:
    return str(app.screen.query_one(f"#tile-{name} .count-text", Static).content)


async def until(pilot, check, timeout: float = 3.0) -> float:
    """Wait (polling the real app) until ``check()`` holds; returns the seconds it took."""
    start = time.monotonic()
    while not check():
        if time.monotonic() - start > timeout:
            raise AssertionError(f"not within {timeout}s")
        await pilot.pause(0.05)
    return time.monotonic() - start


def cli(*args: str, home: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "KIOSK_HOME": str(home)}
    return subprocess.run([KIOSK, *args], env=env, capture_output=True, text=True, timeout=30)


def table_text(app, selector: str) -> str:
    table = app.screen.query_one(selector, DataTable)
    return "\n".join(" ".join(str(c) for c in table.get_row_at(i)) for i in range(table.row_count))


async def test_signin_and_leave_by_other_processes_appear(db, sqlite_url, home):
    ids = make_office(db)
    app = make_app(db, sqlite_url, ids["morning"], Clock(wall("2026-11-28 09:02")))
    async with app.run_test(size=(80, 24)) as pilot:
        await until(pilot, lambda: tile(app, "expected") == "应到 4")
        assert tile(app, "attended") == "实到 0" and tile(app, "pending") == "未到 4"
        assert "李四 办公室 A1002" in table_text(app, "#missing-table")
        done = cli("signin", "A1002", "--at", "2026-11-28 08:59", "--kiosk-id", "door-2",
                   "--db", sqlite_url, home=home)
        assert done.returncode == 0, done.stderr
        took = await until(pilot, lambda: tile(app, "attended") == "实到 1")
        assert took < 3.0
        assert "李四 办公室 准时 工号 door-2" in table_text(app, "#host-recent")
        assert "李四" not in table_text(app, "#missing-table")
        assert tile(app, "rate") == "出勤率 25.0%"
        leave = cli("leave", "add", "B2002", "--session", str(ids["morning"]), "--reason", "出差",
                    "--db", sqlite_url, home=home)
        assert leave.returncode == 0, leave.stderr
        await until(pilot, lambda: tile(app, "excused") == "请假 1")
        assert tile(app, "pending") == "未到 2"


async def test_missing_list_filters_as_the_host_types(db, sqlite_url):
    ids = make_office(db)
    app = make_app(db, sqlite_url, ids["morning"], Clock(wall("2026-11-28 09:02")))
    async with app.run_test(size=(80, 24)) as pilot:
        await until(pilot, lambda: app.screen.query_one("#missing-table", DataTable).row_count == 4)
        await pilot.press(*"财务")
        assert table_text(app, "#missing-table").splitlines() == ["王五 财务科 B2001",
                                                                 "赵六 财务科 B2002"]
        await pilot.press("escape")
        assert app.screen.query_one("#missing-table", DataTable).row_count == 4


async def test_manual_signin_and_undo_behind_the_pin(db, sqlite_url, home):
    ids = make_office(db)
    admin_pin.set_pin(home, "246810")
    app = make_app(db, sqlite_url, ids["morning"], Clock(wall("2026-11-28 09:20")), actor="刘主任")
    async with app.run_test(size=(80, 24)) as pilot:
        await until(pilot, lambda: tile(app, "expected") == "应到 4")
        await pilot.press("f3")
        await until(pilot, lambda: app.screen.__class__.__name__ == "PinDialog")
        app.screen.query_one("#pin-input", Input).value = "111111"  # wrong first
        await pilot.press("enter")
        await until(pilot, lambda: not app.screen.query_one("#pin-input", Input).disabled
                    and app.screen.query_one("#pin-input", Input).value == "")
        assert app.screen.__class__.__name__ == "PinDialog"
        app.screen.query_one("#pin-input", Input).value = "246810"
        await pilot.press("enter")
        await until(pilot, lambda: app.screen.__class__.__name__ == "HostActionForm")
        form = app.screen
        form.query_one("#form-staff", Input).value = "a1002"
        form.query_one("#form-reason", Input).value = "忘带胸卡"
        form.query_one("#form-time", Input).value = "08:58"
        form.query_one("#form-reason", Input).focus()
        await pilot.press("enter")
        await until(pilot, lambda: tile(app, "attended") == "实到 1")
        event = SignInEvent.get(SignInEvent.method == "manual")
        assert (event.result, event.note, event.actor, event.staff_key) == ("present", "忘带胸卡",
                                                                            "刘主任", "A1002")
        assert event.at == wall("2026-11-28 08:58")
        assert "李四 办公室 准时 补签" in table_text(app, "#host-recent")
        # undo: still unlocked, so straight to the form
        await pilot.press("f4")
        await until(pilot, lambda: app.screen.__class__.__name__ == "HostActionForm")
        app.screen.query_one("#form-staff", Input).value = "A1002"
        app.screen.query_one("#form-reason", Input).value = "签错了人"
        await pilot.click("#form-ok")
        await until(pilot, lambda: tile(app, "attended") == "实到 0")
        undo = SignInEvent.get(SignInEvent.result == "undo")
        assert (undo.method, undo.note, undo.actor) == ("manual", "签错了人", "刘主任")
        assert SignInEvent.select().where(SignInEvent.staff_key == "A1002").count() == 2
        assert "李四 办公室 撤销签到 补签" in table_text(app, "#host-recent")


async def test_wrong_or_cancelled_pin_does_nothing(db, sqlite_url, home):
    ids = make_office(db)
    admin_pin.set_pin(home, "246810")
    app = make_app(db, sqlite_url, ids["morning"], Clock(wall("2026-11-28 09:20")))
    async with app.run_test(size=(80, 24)) as pilot:
        await until(pilot, lambda: tile(app, "expected") == "应到 4")
        await pilot.press("f2")
        await until(pilot, lambda: app.screen.__class__.__name__ == "PinDialog")
        await pilot.press("escape")
        await until(pilot, lambda: isinstance(app.screen, HostScreen))
    assert SignInEvent.select().count() == 0


async def test_signout_early_leave_and_the_end(db, sqlite_url):
    ids = make_office(db)
    desk = SignInDesk(db, kiosk_id="door-1", tz=TZ)
    clock = Clock(wall("2026-11-28 14:30"))
    app = make_app(db, sqlite_url, ids["finance"], clock)
    async with app.run_test(size=(80, 24)) as pilot:
        await until(pilot, lambda: tile(app, "expected") == "应到 2")
        assert tile(app, "early_leave") == "早退 0"
        desk.sign_in("B2001", at=wall("2026-11-28 13:55"), session_id=ids["finance"])
        desk.sign_in("B2001", at=wall("2026-11-28 14:20"), session_id=ids["finance"])
        await until(pilot, lambda: tile(app, "early_leave") == "早退 1")
        assert "王五 财务科 签退 工号 door-1" in table_text(app, "#host-recent")
        assert tile(app, "pending") == "未到 1"
        assert str(app.screen.query_one("#missing-panel").border_title).startswith("未到名单")
        clock.at = wall("2026-11-28 15:01")  # the session is over: pending is absent
        await until(pilot, lambda: tile(app, "pending") == "缺席 1", timeout=2.5)
        assert str(app.screen.query_one("#missing-panel").border_title) == "缺席名单 1"
        assert "已结束" in str(app.screen.query_one("#host-header", Static).content)


@pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed")
def test_latest_sign_ins_header_lines_up_with_rows_already_there(home):
    """Finding 32: `kiosk host` opened on a session with sign-ins could paint the header with its
    first narrow widths ("时间  姓名  部门") over the wider rows, until the next sign-in. Only a
    real terminal paints before Textual widens the columns (about every other start of the demo
    home at 80x24 did), so this starts the real command in tmux three times and reads the screen."""
    for args in (("demo", "--no-run"), ("signin", "A1001")):
        done = cli(*args, home=home)
        assert done.returncode == 0, (args, done.stderr)
    for attempt in range(3):
        header, row = _recent_lines_on_screen(home, f"kiosk-test-{os.getpid()}-{attempt}")
        for title in ("姓名", "部门", "结果", "方式", "终端"):
            column = header.split().index(title)
            assert cell_x(header, title) == cell_x(row, row.split()[column]), (attempt, header, row)


def _recent_lines_on_screen(home: Path, name: str) -> tuple[str, str]:
    """The 最新签到 header and its first row as `kiosk host` paints them at 80x24."""
    subprocess.run(["tmux", "new-session", "-d", "-s", name, "-x", "80", "-y", "24",
                    f"KIOSK_HOME={home} {KIOSK} host"], check=True, timeout=10)
    try:
        lines: list[str] = []
        deadline = time.monotonic() + 20
        while not any(line.split()[:2] == ["时间", "姓名"] for line in lines if line.strip()):
            assert time.monotonic() < deadline, "\n".join(lines)
            time.sleep(0.2)
            lines = subprocess.run(["tmux", "capture-pane", "-p", "-t", name], capture_output=True,
                                   text=True, timeout=10).stdout.splitlines()
        time.sleep(1.5)  # what stays on screen, not a frame in passing
        lines = subprocess.run(["tmux", "capture-pane", "-p", "-t", name], capture_output=True,
                               text=True, timeout=10).stdout.splitlines()
        at = next(i for i, line in enumerate(lines) if line.split()[:2] == ["时间", "姓名"])
        return lines[at], lines[at + 1]
    finally:
        subprocess.run(["tmux", "kill-session", "-t", name], timeout=10)


def cell_x(line: str, text: str) -> int:
    """The screen column where ``text`` starts (CJK characters are two cells wide)."""
    from rich.cells import cell_len

    return cell_len(line[: line.index(text)])


async def test_morning_session_has_no_early_leave_tile_and_english_works(db, sqlite_url):
    ids = make_office(db)
    set_language("en")
    app = make_app(db, sqlite_url, ids["morning"], Clock(wall("2026-11-28 09:02")))
    async with app.run_test(size=(80, 24)) as pilot:
        await until(pilot, lambda: tile(app, "expected") == "Expected 4")
        assert not app.screen.query_one("#tile-early_leave").display
        assert tile(app, "pending") == "Not yet 4"


async def test_pick_list_of_today_opens_a_session(db, sqlite_url):
    make_office(db)
    app = make_app(db, sqlite_url, None, Clock(wall("2026-11-28 14:01")))  # two open: ask
    async with app.run_test(size=(80, 24)) as pilot:
        await until(pilot, lambda: app.screen.query_one("#pick-list").option_count == 3)
        await pilot.press("enter")
        await until(pilot, lambda: isinstance(app.screen, HostScreen))
        await until(pilot, lambda: tile(app, "expected") == "应到 4")
        assert "机关学习日" in str(app.screen.query_one("#host-header", Static).content)
        await pilot.press("f6")
        await until(pilot, lambda: not isinstance(app.screen, HostScreen))


async def test_the_one_open_session_opens_directly_and_f6_switches(db, sqlite_url):
    make_office(db)
    app = make_app(db, sqlite_url, None, Clock(wall("2026-11-28 08:40")))  # only the morning is open
    async with app.run_test(size=(80, 24)) as pilot:
        await until(pilot, lambda: isinstance(app.screen, HostScreen))
        await until(pilot, lambda: tile(app, "expected") == "应到 4")
        assert "机关学习日" in str(app.screen.query_one("#host-header", Static).content)
        await pilot.press("f6")
        await until(pilot, lambda: not isinstance(app.screen, HostScreen))
        await until(pilot, lambda: app.screen.query_one("#pick-list").option_count == 3)
        await pilot.pause(0.2)
        assert not isinstance(app.screen, HostScreen)  # the list stays to choose from


async def test_f6_opens_the_list_when_started_with_a_session_and_escape_comes_back(db, sqlite_url):
    """Finding 27: `kiosk host --session SID`, F6 did nothing. Now it opens today's list (its hint
    offers Esc), Escape returns to the session watched, Enter on another switches to it."""
    ids = make_office(db)
    app = make_app(db, sqlite_url, ids["morning"], Clock(wall("2026-11-28 14:01")))
    async with app.run_test(size=(80, 24)) as pilot:
        await until(pilot, lambda: tile(app, "expected") == "应到 4")
        await pilot.press("f6")
        await until(pilot, lambda: not isinstance(app.screen, HostScreen))
        await until(pilot, lambda: app.screen.query_one("#pick-list").option_count == 3)
        assert "Esc 返回" in str(app.screen.query_one("#pick-hint", Static).content)
        await pilot.press("escape")
        await until(pilot, lambda: isinstance(app.screen, HostScreen))
        assert app.screen.session_id == ids["morning"]
        await until(pilot, lambda: tile(app, "expected") == "应到 4")
        await pilot.press("f6")
        await until(pilot, lambda: app.screen.query_one("#pick-list").option_count == 3)
        await pilot.press("down", "down", "enter")  # the third of today's sessions
        await until(pilot, lambda: isinstance(app.screen, HostScreen))
        assert app.screen.session_id != ids["morning"]
        await pilot.press("f6")
        await until(pilot, lambda: not isinstance(app.screen, HostScreen))
        await pilot.press("escape")
        await until(pilot, lambda: isinstance(app.screen, HostScreen))
        assert len(app.screen_stack) == 3  # one list beneath, never a growing stack


async def test_the_start_up_list_says_ctrl_q_leaves_it_and_ignores_escape(db, sqlite_url):
    make_office(db)
    app = make_app(db, sqlite_url, None, Clock(wall("2026-11-28 14:01")))  # two open: ask
    async with app.run_test(size=(80, 24)) as pilot:
        await until(pilot, lambda: app.screen.query_one("#pick-list").option_count == 3)
        hint = str(app.screen.query_one("#pick-hint", Static).content)
        assert "Ctrl+Q 退出" in hint and "Esc" not in hint
        await pilot.press("escape")
        await pilot.pause(0.2)
        assert app.screen.query_one("#pick-list").option_count == 3  # still the list
        await pilot.press("enter")
        await until(pilot, lambda: isinstance(app.screen, HostScreen))
        await pilot.press("f6")
        await until(pilot, lambda: not isinstance(app.screen, HostScreen))
        assert "Esc 返回" in str(app.screen.query_one("#pick-hint", Static).content)


async def test_host_actions_without_a_pin_are_refused_and_say_how(db, sqlite_url, home):
    ids = make_office(db)
    app = make_app(db, sqlite_url, ids["morning"], Clock(wall("2026-11-28 09:20")))
    async with app.run_test(size=(80, 24)) as pilot:
        await until(pilot, lambda: tile(app, "expected") == "应到 4")
        for key in ("f2", "f3", "f4"):
            await pilot.press(key)
            await pilot.pause(0.1)
            assert isinstance(app.screen, HostScreen)
        notes = " ".join(str(n.message) for n in app._notifications)
        assert "kiosk init --no-keys --pin 123456" in notes
    assert not admin_pin.has_pin(home)
    assert SignInEvent.select().count() == 0


LONG_DEPARTMENTS = ["机关党委办公室", "综合业务处", "财务审计处", "人力资源处", "信息中心", "后勤服务中心",
                    "法规处", "宣传处", "离退休干部处", "工会", "档案室", "纪检监察室"]
SCROLLBAR_GLYPHS = set("▁▂▃▄▅▆▇▉▊▋▌▍▎▏")


def screen_text(app) -> str:
    return "\n".join(strip.text for strip in app.screen._compositor.render_strips())


@pytest.mark.parametrize("size", [(80, 24), (100, 30), (160, 50)])
async def test_departments_fit_without_scrollbars_between_the_panels(db, sqlite_url, size):
    """Long department names and more rows than fit: every row keeps its %, no ▅▅ between panels."""
    with db.atomic():
        upsert_staff([StaffRecord(f"S{i:03d}", f"S{i:03d}", f"人{i}", LONG_DEPARTMENTS[i % 12], "", ())
                      for i in range(40)])
        sid = add_session({"title": "学习", "kind": "learning_day", "start": wall("2026-11-28 09:00"),
                           "end": wall("2026-11-28 11:00")}, [("all", "")])
    SignInDesk(db, kiosk_id="door-1", tz=TZ).sign_in("S000", at=wall("2026-11-28 08:55"))
    app = make_app(db, sqlite_url, sid, Clock(wall("2026-11-28 09:20")))
    async with app.run_test(size=size) as pilot:
        await until(pilot, lambda: tile(app, "expected") == "应到 40")
        await pilot.pause(0.1)
        text = screen_text(app)
        rows = [line for line in text.splitlines() if line.lstrip().startswith(tuple(LONG_DEPARTMENTS))]
        assert len(rows) >= 8
        assert all("%" in line for line in rows), text
        assert "25%" in text  # 机关党委办公室: 1 of 4
        if size[0] < 120:
            assert not SCROLLBAR_GLYPHS & set(text), text
        if size[0] >= 100:
            assert "█" in text  # room for bars again


async def test_at_80x24_long_department_rows_still_have_bars(db, sqlite_url):
    """Finding 32 / SPEC §5 (rows with bars, at 80x24): with no room for a block bar, the bar is
    drawn behind the percentage — as many of its cells in reverse video as the rate fills."""
    with db.atomic():
        upsert_staff([StaffRecord(f"S{i:03d}", f"S{i:03d}", f"人{i}", LONG_DEPARTMENTS[i % 2], "", ())
                      for i in range(10)])
        sid = add_session({"title": "学习", "kind": "learning_day", "start": wall("2026-11-28 09:00"),
                           "end": wall("2026-11-28 11:00")}, [("all", "")])
    desk = SignInDesk(db, kiosk_id="door-1", tz=TZ)
    for staff_id in ("S000", "S002", "S004", "S006", "S001"):  # 4 of 5, and 1 of 5
        desk.sign_in(staff_id, at=wall("2026-11-28 08:55"))
    app = make_app(db, sqlite_url, sid, Clock(wall("2026-11-28 09:20")))
    async with app.run_test(size=(80, 24)) as pilot:
        await until(pilot, lambda: tile(app, "expected") == "应到 10")
        await pilot.pause(0.2)
        table = app.screen.query_one("#host-departments", DataTable)
        cells = {str(table.get_row_at(i)[0]): table.get_row_at(i)[5] for i in range(table.row_count)}
        assert "█" not in screen_text(app)  # no room for block bars here
        high, low = cells[LONG_DEPARTMENTS[0]], cells[LONG_DEPARTMENTS[1]]
        assert str(high) == "  80%" and str(low) == "  20%"
        assert [(s.start, s.end, str(s.style)) for s in high.spans] == [(0, 4, "reverse")]
        assert [(s.start, s.end, str(s.style)) for s in low.spans] == [(0, 1, "reverse")]
        painted = [seg for strip in app.screen._compositor.render_strips() for seg in strip
                   if seg.style is not None and seg.style.reverse and seg.text.strip()]
        assert any(seg.text.strip() == "80" for seg in painted), painted


async def test_an_unknown_session_is_said_on_screen(db, sqlite_url):
    ids = make_office(db)
    app = make_app(db, sqlite_url, ids["morning"] + 100, Clock(wall("2026-11-28 09:02")))
    async with app.run_test(size=(80, 24)) as pilot:
        header = app.screen.query_one("#host-header", Static)
        await until(pilot, lambda: "场次不存在" in str(header.content))


async def test_live_on_every_engine(any_db, any_url):
    """The same view on PostgreSQL and MariaDB (the portable change detector) as on SQLite."""
    ids = make_office(any_db)
    settings = config.load(db=any_url)
    app = build_host_app(settings, any_db, clock=Clock(wall("2026-11-28 09:02")),
                         session_id=ids["morning"])
    async with app.run_test(size=(80, 24)) as pilot:
        await until(pilot, lambda: tile(app, "expected") == "应到 4")
        SignInDesk(any_db, kiosk_id="door-3", tz=TZ).sign_in("B2001", at=wall("2026-11-28 09:01"))
        await until(pilot, lambda: tile(app, "attended") == "实到 1")
        assert "王五 财务科 准时 工号 door-3" in table_text(app, "#host-recent")


async def test_a_refused_form_stays_open_with_what_was_typed_and_why(db, sqlite_url, home):
    """FINDINGS 12: a 补签 refused (a time in the future) closed the form and lost the reason."""
    ids = make_office(db)
    admin_pin.set_pin(home, "246810")
    app = make_app(db, sqlite_url, ids["morning"], Clock(wall("2026-11-28 09:20")))
    async with app.run_test(size=(80, 24)) as pilot:
        await until(pilot, lambda: tile(app, "expected") == "应到 4")
        await pilot.press("f3")
        await until(pilot, lambda: app.screen.__class__.__name__ == "PinDialog")
        app.screen.query_one("#pin-input", Input).value = "246810"
        await pilot.press("enter")
        await until(pilot, lambda: app.screen.__class__.__name__ == "HostActionForm")
        form = app.screen
        form.query_one("#form-staff", Input).value = "A1002"
        form.query_one("#form-reason", Input).value = "忘带胸卡"
        form.query_one("#form-time", Input).value = "23:59"  # later than now: refused
        form.query_one("#form-reason", Input).focus()
        await pilot.press("enter")
        await until(pilot, lambda: app.screen.__class__.__name__ == "HostActionForm"
                    and app.screen is not form)
        again = app.screen
        assert [again.query_one(f"#form-{f}", Input).value for f in ("staff", "reason", "time")] \
            == ["A1002", "忘带胸卡", "23:59"]
        assert "未来" in str(again.query_one("#form-error").content)
        again.query_one("#form-time", Input).value = "09:05"  # corrected, nothing retyped
        again.query_one("#form-reason", Input).focus()
        await pilot.press("enter")
        await until(pilot, lambda: tile(app, "attended") == "实到 1")
        assert isinstance(app.screen, HostScreen)
    assert SignInEvent.get(SignInEvent.method == "manual").note == "忘带胸卡"


def test_department_percentages_round_like_the_reports():
    from kiosk.ui.widgets.host_departments import whole_percent

    assert [whole_percent(r) for r in (2 / 3, 1 / 3, 0.996, 0.004, 1.0, 0.0)] == [67, 33, 99, 1,
                                                                                 100, 0]


async def test_latest_sign_ins_keep_their_result_and_door_at_80_columns(db, sqlite_url):
    """FINDINGS 12: a 50-character name pushed 结果/方式/终端 off an 80-column screen."""
    ids = make_office(db)
    long_name = "欧阳" + "很长的名字" * 10
    from db.models import Staff

    Staff.update(name=long_name).where(Staff.key == "A1001").execute()
    SignInDesk(db, kiosk_id="east-door", tz=TZ).sign_in("A1001", at=wall("2026-11-28 08:58"))
    app = make_app(db, sqlite_url, ids["morning"], Clock(wall("2026-11-28 09:20")))
    async with app.run_test(size=(80, 24)) as pilot:
        await until(pilot, lambda: tile(app, "attended") == "实到 1")
        await pilot.pause(0.3)
        lines = [s.text for s in app.screen._compositor.render_strips()]
        row = next(line for line in lines if "欧阳" in line)
        assert "准时" in row and "east-door" in row and "…" in row, row
