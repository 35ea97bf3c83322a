"""The base of the widgets drawn from today's plan (the session card, today's list)."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from rich.text import Text

from kiosk.ui.plain import Static
from kiosk.ui.today import TodayPlan


class TodayView(Static):
    """Holds the latest :class:`TodayPlan` and redraws from it: when a new plan arrives
    (:meth:`show`) and when the language changes (:meth:`refresh_text`)."""

    def __init__(self, tz: ZoneInfo, **kwargs) -> None:
        super().__init__("", **kwargs)
        self.tz = tz
        self.plan = TodayPlan()

    def show(self, plan: TodayPlan) -> None:
        self.plan = plan
        self.refresh_text()

    def refresh_text(self) -> None:
        self.update(self._text())

    def _text(self) -> Text:
        raise NotImplementedError
