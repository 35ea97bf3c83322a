"""SPEC §7: everything that comes from data is shown as text, never markup, on every screen.

Real apps under Pilot on a real SQLite office whose names, departments, titles, places and
speakers are markup-like; what is asserted is what the compositor actually draws.
"""

from __future__ import annotations

import ast
from pathlib import Path

from textual.widgets import DataTable, Input, OptionList

from db.models import Attendance, SignInEvent
from db.roster import StaffRecord, upsert_staff
from db.sessions import add_session
from kiosk import config
from kiosk import pin as admin_pin
from kiosk.ui.dialogs import SessionPickDialog
from kiosk.ui.host_app import build_host_app
from kiosk.ui.plain import clean, plain
from kiosk.ui.screens.admin import AdminScreen
from kiosk.ui.screens.host import HostScreen
from kiosk.ui.screens.signin import SignInScreen
from kiosk.ui.widgets.result_banner import ResultBanner
from tests.conftest import wall
from tests.ui.bursts import settled, type_burst
from tests.ui.kiosk_office import PIN, kiosk

UI = Path(__file__).resolve().parents[2] / "kiosk" / "ui"
HOSTILE = {  # staff id → (name, department)
    "M1": ("王[/]五", "[on leave]"),
    "M2": ("[bold]x[/bold]", "[/bold]"),
    "M3": ("[@click=app.quit]退出[/]", "[link=http://x]a[/]"),
    "M4": ("[link=http://x]a[/]", "$name ${x} [b"),
    "M5": ("\\[转义]", "[red]财务[/red]"),
}
TITLE, PLACE, SPEAKER = "[b]机关[/b]学习日 [@click=app.quit]退出[/]", "[on leave]会议室", "[/]刘[/]"


def screen_text(app) -> str:
    """What the terminal shows, line by line (the compositor's strips)."""
    return "\n".join(strip.text for strip in app.screen._compositor.render_strips())


def hostile_office(db, day: str = "2026-11-28", *, second: bool = False) -> dict[str, int]:
    with db.atomic():
        upsert_staff([StaffRecord(k, k, name, dept, "[i]科员[/i]", ("[组]",))
                      for k, (name, dept) in HOSTILE.items()])
        ids = {"morning": add_session({"title": TITLE, "kind": "learning_day",
                                       "start": wall(f"{day} 09:00"), "end": wall(f"{day} 11:00"),
                                       "location": PLACE, "speaker": SPEAKER}, [("all", "")])}
        if second:
            ids["other"] = add_session({"title": "[/]第二场[x]", "kind": "seminar",
                                        "start": wall(f"{day} 09:00"), "end": wall(f"{day} 10:00"),
                                        "location": "[@click=app.quit]"}, [("group", "[组]")])
    return ids


# -- the rule is structural: no screen can forget it -------------------------------------------
def test_no_ui_module_uses_textuals_markup_parsing_widgets_or_app():
    """kiosk/ui shows text only through kiosk.ui.plain's widgets and runs on SafeApp."""
    markup_widgets = {"Static", "Label", "OptionList", "Button", "DataTable", "Markdown", "RichLog",
                      "Log", "Tree", "SelectionList", "RadioButton", "Checkbox", "Switch", "Select"}
    problems = []
    for path in sorted(UI.rglob("*.py")):
        if path.name in ("plain.py", "safe_app.py"):
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        where = path.relative_to(UI.parent.parent)
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module in ("textual.widgets", "textual.app"):
                bad = {a.name for a in node.names} & (markup_widgets | {"App"})
                if bad:
                    problems.append(f"{where}:{node.lineno} imports {sorted(bad)} from {node.module}")
            if isinstance(node, ast.Assign):
                for target in node.targets:
                    if (isinstance(target, ast.Attribute)
                            and target.attr in ("border_title", "border_subtitle")
                            and not (isinstance(node.value, ast.Call)
                                     and getattr(node.value.func, "id", "") == "plain")):
                        problems.append(f"{where}:{node.lineno} sets {target.attr} without plain()")
            if isinstance(node, ast.keyword) and node.arg == "markup" and not (
                    isinstance(node.value, ast.Constant) and node.value.value is False):
                problems.append(f"{where}:{node.lineno} passes markup={ast.unparse(node.value)}")
    assert not problems, "\n".join(problems)


def test_plain_is_literal_and_drops_control_characters():
    assert plain("[bold]x[/bold]").plain == "[bold]x[/bold]"
    assert plain("王[/]五").spans == []
    assert clean("a\x1b]52;c;AAAA\x07b\x9bc\u202e") == "a\\x1b]52;c;AAAA\\x07b\\x9bc\\u202e"
    assert clean("两行\n") == "两行\n"


# -- the kiosk ----------------------------------------------------------------------------------
async def test_markup_like_names_sign_in_and_show_literally(db, home):
    hostile_office(db)
    app, _ = kiosk(db, home, office_name="[b]示范[/b]机关[/")
    async with app.run_test(size=(80, 24)) as pilot:
        await settled(app, pilot)
        shown = screen_text(app)
        assert "[b]示范[/b]机关[/" in shown
        assert "[b]机关[/b]学习日 [@click=app.quit]退出[/]" in shown
        assert "[on leave]会议室" in shown and "[/]刘[/]" in shown
        for staff, (name, dept) in HOSTILE.items():
            type_burst(app, f"{staff}\r")
            await settled(app, pilot)
            banner = app.signin.query_one(ResultBanner)
            assert banner.has_class("-ok"), banner.text
            lines = banner.text.splitlines()
            assert lines[1] == name and lines[2] == f"{dept}  ·  {TITLE}"
            assert name in screen_text(app)
        await pilot.click("#result-name")  # the would-be [@click=app.quit] link: nothing happens
        await pilot.pause()
        assert app.is_running and app.return_code is None
        assert isinstance(app.screen, SignInScreen)
    assert Attendance.select().where(Attendance.status == "present").count() == len(HOSTILE)


async def test_markup_like_titles_in_the_pick_list_and_the_admin_screen(db, home):
    ids = hostile_office(db, second=True)
    app, _ = kiosk(db, home)
    async with app.run_test(size=(100, 30), notifications=True) as pilot:
        await settled(app, pilot)
        type_burst(app, "M3\r")  # in the audience of both open sessions: the pick list
        await settled(app, pilot)
        assert isinstance(app.screen, SessionPickDialog)
        shown = screen_text(app)
        assert "[@click=app.quit]退出[/]" in shown and "[/]第二场[x]" in shown
        assert "([@click=app.quit])" in shown
        await pilot.press("escape")
        await pilot.pause()
        type_burst(app, f"\x1bOQ{PIN}\r")  # F2 and the PIN
        await settled(app, pilot)
        assert isinstance(app.screen, AdminScreen)
        options = app.screen.query_one("#session-list", OptionList)
        index = next(i for i in range(options.option_count)
                     if options.get_option_at_index(i).id == str(ids["other"]))
        options.focus()
        options.highlighted = index
        await pilot.press("enter")
        await settled(app, pilot)
        assert "[/]第二场[x]" in screen_text(app)
        toasts = " ".join(str(n.message) for n in app._notifications)
        assert "[/]第二场[x]" in toasts
        assert app.is_running and app.chosen_session_id == ids["other"]


async def test_an_error_while_showing_a_scan_is_a_refusal_and_the_kiosk_carries_on(db, home, monkeypatch,
                                                                                     caplog):
    """A bug in the banner (forced here: its text raises once) ends nothing; the next scan shows."""
    hostile_office(db)
    original = ResultBanner._lines
    calls = []

    def failing_once(self):
        calls.append(1)
        if len(calls) == 1:
            raise RuntimeError("a bug in the banner")
        return original(self)

    monkeypatch.setattr(ResultBanner, "_lines", failing_once)
    app, _ = kiosk(db, home)
    async with app.run_test(size=(80, 24)) as pilot:
        await settled(app, pilot)
        type_burst(app, "M1\r")
        await settled(app, pilot)
        banner = app.signin.query_one(ResultBanner)
        assert banner.has_class("-bad") and "无法显示结果" in banner.text
        assert app.bells == 1 and app.is_running
        type_burst(app, "M1\r")  # scanned again: the sign-in was kept, and now it shows
        await settled(app, pilot)
        assert "已签到" in banner.text and "王[/]五" in banner.text
    assert "showing a sign-in failed: RuntimeError" in caplog.text
    assert app.return_code is None or app.return_code == 0
    assert SignInEvent.select().where(SignInEvent.result == "present").count() == 1


# -- the host view ------------------------------------------------------------------------------
def host_app(db, home, session_id, at):
    settings = config.load(db=f"sqlite:///{db.database}")
    return build_host_app(settings, db, clock=lambda: wall(at), session_id=session_id, actor="host")


async def test_host_view_shows_markup_like_data_literally(db, home):
    ids = hostile_office(db)
    from kiosk.desk import SignInDesk
    from tests.conftest import TZ

    SignInDesk(db, kiosk_id="[b]door[/b]", tz=TZ).sign_in("M2", at=wall("2026-11-28 08:58"))
    admin_pin.set_pin(home, PIN)
    app = host_app(db, home, ids["morning"], "2026-11-28 09:20")
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        for _ in range(40):
            await pilot.pause(0.05)
            if app.screen.query_one("#missing-table", DataTable).row_count == 4:
                break
        shown = screen_text(app)
        assert TITLE in shown and PLACE in shown
        assert "[bold]x[/bold]" in shown and "[b]door[/b]" in shown  # the latest sign-ins
        assert "[@click=app.quit]退出[/]" in shown and "[link=http://x]a[/]" in shown  # missing
        assert "[on leave]" in shown and "[red]财务[/red]" in shown  # departments
        # a 补签 of a markup-like name: the form, and the notification naming them
        type_burst(app, f"\x1bOR{PIN}\r")  # F3, then the PIN
        await settled(app, pilot)
        assert app.screen.__class__.__name__ == "HostActionForm"
        app.screen.query_one("#form-staff", Input).value = "M3"
        type_burst(app, "[b]忘带[/b]胸卡\r")
        await settled(app, pilot)
        assert isinstance(app.screen, HostScreen)
        for _ in range(40):
            await pilot.pause(0.05)
            if app._notifications:
                break
        toasts = " ".join(str(n.message) for n in app._notifications)
        assert "[@click=app.quit]退出[/]" in toasts
        assert app.is_running
    event = SignInEvent.get(SignInEvent.method == "manual")
    assert event.note == "[b]忘带[/b]胸卡" and event.staff_key == "M3"


async def test_host_pick_list_shows_markup_like_titles_literally(db, home):
    hostile_office(db, second=True)
    app = host_app(db, home, None, "2026-11-28 09:20")
    async with app.run_test(size=(100, 30)) as pilot:
        for _ in range(40):
            await pilot.pause(0.05)
            if app.screen.query("#pick-list") and app.screen.query_one("#pick-list").option_count:
                break
        shown = screen_text(app)
        assert TITLE in shown and "[/]第二场[x]" in shown and "([@click=app.quit])" in shown
        assert app.is_running
