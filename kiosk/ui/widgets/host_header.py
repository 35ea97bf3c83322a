"""The session header of the host view: what, when, where, who speaks, and the time left."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from rich.text import Text

from kiosk import rules, timefmt
from kiosk.i18n import t
from kiosk.ui.plain import Static


def span(delta: dt.timedelta) -> str:
    """``H:MM:SS`` of a non-negative duration."""
    seconds = max(0, int(delta.total_seconds()))
    return f"{seconds // 3600}:{seconds % 3600 // 60:02d}:{seconds % 60:02d}"


def time_left(session: rules.SessionView, now: dt.datetime) -> str:
    if now < session.start:
        return t("host.header.not_started", left=span(session.start - now))
    if now <= session.end:
        return t("host.header.time_left", left=span(session.end - now))
    return t("host.header.ended")


class HostHeader(Static):
    """Two lines: title and kind; time, place, speaker and the time left (ticks with the clock)."""

    def show(self, session: rules.SessionView | None, now: dt.datetime, tz: ZoneInfo,
              status: str = "") -> None:
        if session is None:
            self.update(Text(status or t("host.header.loading")))
            return
        text = Text()
        text.append(session.title, style="bold")
        text.append(f"  {t(f'kind.{session.kind}')}")
        if session.require_signout:
            text.append(f"  [{t('host.header.signout')}]")
        text.append("\n")
        text.append(f"{timefmt.hhmm(session.start, tz)}–{timefmt.hhmm(session.end, tz)}")
        if session.location:
            text.append(f"  {session.location}")
        if session.speaker:
            text.append(f"  {t('host.header.speaker', speaker=session.speaker)}")
        text.append(f"  {time_left(session, now)}", style="bold")
        if status:
            text.append(f"  {status}", style="italic")
        self.update(text)
