"""Building the real kiosk app on a real SQLite office for Pilot and snapshot tests."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from textual.widgets import Input

from kiosk import pin
from kiosk.config import Settings
from kiosk.ui.app import KioskApp, build_app
from tests.conftest import wall

PIN = "246810"


class FrozenClock:
    """A clock the test moves by hand."""

    def __init__(self, text: str) -> None:
        self.now = wall(text)

    def __call__(self) -> dt.datetime:
        return self.now

    def set(self, text: str) -> None:
        self.now = wall(text)


def kiosk(db, home: Path, at: str = "2026-11-28 09:02", *, lang: str = "zh", with_pin: bool = True,
          qr_only: bool = False, **settings) -> tuple[KioskApp, FrozenClock]:
    if with_pin and not pin.has_pin(home):
        pin.set_pin(home, PIN)
    clock = FrozenClock(at)
    settings.setdefault("office_name", "示范机关")
    config = Settings(home=home, db_url=f"sqlite:///{db.database}", lang=lang,
                      kiosk_id="test-kiosk", **settings)
    return build_app(config, db, clock=clock, qr_only=qr_only), clock


async def ready(app, pilot) -> None:
    """Let the app mount and its workers (today's plan, the first sync look) finish."""
    await pilot.pause()
    await app.workers.wait_for_complete()
    await pilot.pause()


async def steady_field(pilot) -> Input:
    """The kiosk ready with its scan field's cursor not blinking (for a stable snapshot)."""
    await ready(pilot.app, pilot)
    field = pilot.app.signin.query_one("#scan", Input)
    field.cursor_blink = False
    return field


async def open_admin(app, pilot) -> None:
    """F2 and the right PIN: the admin screen, once the PIN check has run."""
    await pilot.press("f2", *PIN, "enter")
    await app.workers.wait_for_complete()
    await pilot.pause()
