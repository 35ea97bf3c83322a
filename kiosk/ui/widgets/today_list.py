"""Today's schedule beside the session card, on terminals wide enough to spare the columns."""

from __future__ import annotations

from rich.text import Text

from kiosk import timefmt
from kiosk.i18n import t
from kiosk.ui.plain import plain
from kiosk.ui.widgets.today_view import TodayView


class TodayList(TodayView):
    """Each session today, time then title: open now (●), still to come (○) or over (✓)."""

    def refresh_text(self) -> None:
        self.border_title = plain(t("ui.today.title"))
        super().refresh_text()

    def _text(self) -> Text:
        out = Text()
        if not self.plan.today:
            out.append(t("ui.card.none_today"), style="dim")
            return out
        open_ids = {s.id for s in self.plan.open_now}
        later_ids = {s.id for s in self.plan.later}
        for i, s in enumerate(self.plan.today):
            if i:
                out.append("\n\n")
            if s.id in open_ids:
                mark, style = "● ", "bold"
            elif s.id in later_ids:
                mark, style = "○ ", ""
            else:
                mark, style = "✓ ", "dim"
            when = f"{timefmt.hhmm(s.start, self.tz)}–{timefmt.hhmm(s.end, self.tz)}"
            out.append(f"{mark}{when}\n", style=style)
            out.append(f"  {s.title}", style=style)
        return out
