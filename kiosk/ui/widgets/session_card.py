"""Today's session card: what people are signing in to right now, or what comes next today."""

from __future__ import annotations

from rich.text import Text

from kiosk import rules, timefmt
from kiosk.i18n import t
from kiosk.ui.today import TodayPlan
from kiosk.ui.widgets.today_view import TodayView

__all__ = ["SessionCard", "TodayPlan"]


class SessionCard(TodayView):
    """Title, kind, time, place and speaker of the open session (or the next one today)."""

    def show(self, plan: TodayPlan) -> None:
        self.set_class(plan.current is None, "-idle")
        super().show(plan)

    def _text(self) -> Text:
        plan = self.plan
        out = Text(justify="center")
        if not plan.loaded:
            out.append(t("ui.db_error") if plan.error else t("ui.loading"), style="bold")
            return out
        current = plan.current
        if current is None:
            out.append(t("ui.card.none_open") if plan.today else t("ui.card.none_today"), style="bold")
            if plan.later:
                nxt = plan.later[0]
                out.append("\n\n" + t("ui.card.next") + "  ", style="bold")
                out.append(nxt.title, style="bold reverse")
                out.append("\n" + self._when_where(nxt))
                out.append("\n" + t("ui.card.opens_at", time=timefmt.hhmm(nxt.opens, self.tz)))
            return out
        label = t("ui.card.fixed") if plan.chosen is not None else t("ui.card.open_now")
        out.append(f"{label} · {t(f'kind.{current.kind}')}\n", style="italic")
        out.append(current.title, style="bold")
        out.append("\n" + self._when_where(current))
        late = t("ui.card.late_from", time=timefmt.hhmm(current.late_from, self.tz))
        out.append("\n" + late, style="dim")
        others = len(plan.open_now) - (0 if plan.chosen is not None else 1)
        if plan.chosen is None and others > 0:
            out.append("\n" + t("ui.card.several", count=others), style="bold")
        if plan.later:
            items = ", ".join(f"{timefmt.hhmm(s.start, self.tz)} {s.title}" for s in plan.later[:2])
            out.append("\n" + t("ui.card.later_today", items=items), style="dim")
        return out

    def _when_where(self, session: rules.SessionView) -> str:
        parts = [t("ui.card.time", start=timefmt.hhmm(session.start, self.tz),
                   end=timefmt.hhmm(session.end, self.tz))]
        if session.location:
            parts.append(t("ui.card.place", place=session.location))
        if session.speaker:
            parts.append(t("ui.card.speaker", speaker=session.speaker))
        return "  ·  ".join(parts)
