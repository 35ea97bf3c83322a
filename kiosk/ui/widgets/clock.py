"""The kiosk clock: big digits for the time and the date with its weekday, in the office zone."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from zoneinfo import ZoneInfo

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Digits

from kiosk import timefmt
from kiosk.i18n import t
from kiosk.ui.plain import Static


def date_line(local: dt.datetime) -> str:
    weekday = t("ui.weekday").split(",")[local.weekday()]
    return t("ui.date", year=local.year, month=local.month, day=local.day, weekday=weekday)


class KioskClock(Vertical):
    """Ticks once a second from an injected clock (frozen in tests and snapshots)."""

    DEFAULT_CSS = """
    KioskClock { width: auto; height: auto; align-horizontal: right; }
    KioskClock Digits { width: auto; }
    KioskClock #clock-date { width: auto; text-style: bold; }
    """

    def __init__(self, clock: Callable[[], dt.datetime], tz: ZoneInfo, **kwargs) -> None:
        super().__init__(**kwargs)
        self.clock = clock
        self.tz = tz

    def compose(self) -> ComposeResult:
        yield Digits("", id="clock-digits")
        yield Static("", id="clock-date")

    def on_mount(self) -> None:
        self.tick()
        self.set_interval(1.0, self.tick)

    def tick(self) -> None:
        now = timefmt.local(self.clock(), self.tz)
        self.query_one(Digits).update(now.strftime("%H:%M:%S"))
        self.query_one("#clock-date", Static).update(date_line(now))
