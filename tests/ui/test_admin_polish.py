"""Polish seen at the door (issue 14 item 4), each checked on the real screens."""

from __future__ import annotations

from textual.widgets import Static

from kiosk.ui.screens.host import HostScreen
from kiosk.ui.screens.host_pick import HostPickScreen
from tests.conftest import make_office, wall
from tests.ui.test_host import Clock, make_app, tile, until


async def test_host_pick_list_closes_with_escape(db, sqlite_url):
    make_office(db)
    app = make_app(db, sqlite_url, None, Clock(wall("2026-11-28 14:01")))  # two open: the list
    async with app.run_test(size=(80, 24)) as pilot:
        await until(pilot, lambda: app.screen.query_one("#pick-list").option_count == 3)
        await pilot.press("escape")  # nothing watched yet: the list stays
        await pilot.pause(0.1)
        assert isinstance(app.screen, HostPickScreen)
        await pilot.press("enter")
        await until(pilot, lambda: isinstance(app.screen, HostScreen))
        await until(pilot, lambda: tile(app, "expected") == "应到 4")
        await pilot.press("f6")
        await until(pilot, lambda: isinstance(app.screen, HostPickScreen))
        await pilot.press("escape")  # closes the list: back to the session watched
        await until(pilot, lambda: isinstance(app.screen, HostScreen))
        await until(pilot, lambda: tile(app, "expected") == "应到 4")
        assert "机关学习日" in str(app.screen.query_one("#host-header", Static).content)


def as_256_colours(button) -> tuple:
    """What a 256-colour terminal can tell apart of a button: bar colours, background, underline."""
    from rich.color import ColorSystem

    styles = button.styles

    def colour(value):
        return value.rich_color.downgrade(ColorSystem.EIGHT_BIT).number

    return (colour(styles.border_top[1]), colour(styles.border_bottom[1]),
            colour(styles.background), bool(styles.text_style.underline))


async def test_the_kiosk_admin_screen_shows_focus_in_256_colours(db, home):
    from kiosk.ui.screens.admin import AdminScreen
    from tests.ui.kiosk_office import PIN, kiosk

    make_office(db)
    app, _ = kiosk(db, home)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause(0.3)
        await pilot.press("f2", *PIN, "enter")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert isinstance(app.screen, AdminScreen)
        back, pin_button = app.screen.query_one("#admin-back"), app.screen.query_one("#admin-pin")
        assert back.has_focus
        focused, plain = as_256_colours(back), as_256_colours(pin_button)
        assert focused[3] and not plain[3]
        assert focused[:2] != plain[:2]  # the bars differ once reduced to 256 colours
        await pilot.press("tab")
        await pilot.pause()
        assert pin_button.has_focus and as_256_colours(pin_button)[3]
        assert as_256_colours(pin_button)[:2] != as_256_colours(back)[:2]


async def test_exit_hint_at_80x24_stays_off_the_title_and_whole(db, home):
    from textual.widgets._toast import Toast

    from tests.ui.kiosk_office import kiosk

    make_office(db)
    app, _ = kiosk(db, home, at="2026-11-28 09:02")  # the morning session is open
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await pilot.pause(0.3)
        await app.workers.wait_for_complete()
        await pilot.pause()
        card = app.screen.query_one("#card")
        assert "机关学习日" in str(card.content)
        await pilot.press("ctrl+q")
        await pilot.pause()
        status = app.screen.query_one("#status-line", Static)
        assert str(status.content) == "如需退出,请联系管理员(F2)"
        # the whole hint fits its line (no wide character cut at the edge) …
        assert status.region.width >= len(str(status.content)) * 2
        assert not status.region.overlaps(card.region)
        assert not list(app.screen.query(Toast))  # … and nothing lies over the session card
        await pilot.pause(3.2)
        assert str(status.content) == ""  # back to the standing text


async def test_demo_footer_follows_a_language_switch(db, home):
    from kiosk.i18n import set_language, t
    from tests.ui.kiosk_office import PIN, kiosk

    make_office(db)
    app, _ = kiosk(db, home)
    app.status_hint = lambda: t("demo.hint", ids="A1001", pin="****")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause(0.3)
        status = app.screen.query_one("#status-line", Static)
        assert str(status.content).startswith("演示")
        await pilot.press("f2", *PIN, "enter")
        await app.workers.wait_for_complete()
        await pilot.pause()
        await pilot.click("#lang-en")
        await pilot.pause()
        await pilot.press("escape")
        await pilot.pause()
        assert str(app.signin.query_one("#status-line", Static).content).startswith("Demo")
    set_language("zh")
