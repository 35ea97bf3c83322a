"""The latest sign-ins of the session: time, name, department, result, method and kiosk."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from rich.text import Text

from db.live import RecentSignIn
from kiosk import timefmt
from kiosk.i18n import t
from kiosk.ui.plain import DataTable

# widest name, department and door shown (terminal cells): the result, method and door columns
# stay on an 80-column screen however long a name the roster holds (FINDINGS 12)
NAME, DEPARTMENT, KIOSK = 14, 12, 12


def cut(text: str, cells: int) -> Text:
    """``text`` as plain text, at most ``cells`` wide, ending in … when cut."""
    shown = Text(text, no_wrap=True)
    shown.truncate(cells, overflow="ellipsis")
    return shown


def method_text(method: str) -> str:
    return t(f"method.{method}")


class HostRecent(DataTable):
    def __init__(self, **kwargs) -> None:
        super().__init__(cursor_type="none", zebra_stripes=True, **kwargs)
        self._shown: tuple | None = None

    def _update_dimensions(self, new_rows) -> None:
        """Textual widens the columns for new rows when idle; a header a real terminal painted
        before that stayed narrow over the wider rows until the next change (finding 32, about
        every other start): once the widths are known, drop the rendered lines and repaint."""
        super()._update_dimensions(new_rows)
        self._clear_caches()
        self.refresh()

    def on_mount(self) -> None:
        self.add_columns(t("host.col.time"), t("host.col.name"), t("host.col.department"),
                         t("host.col.result"), t("host.col.method"), t("host.col.kiosk"))

    def show(self, recent: tuple[RecentSignIn, ...], tz: ZoneInfo,
             now: dt.datetime | None = None) -> None:
        """``now``: the view's clock (naive UTC): an event of another day shows its date."""
        today = timefmt.local(now or timefmt.utc_now(), tz).date()
        if (recent, today) == self._shown:
            return
        self._shown = (recent, today)
        self.clear()
        for r in recent:
            result = t(f"host.result.{r.result}")
            if r.held:  # the centre kept it but the register does not hold it
                result = t("host.result.held", result=result)
            self.add_row(when(r.at, tz, today), cut(r.name or r.staff_id, NAME),
                         cut(r.department, DEPARTMENT), result, method_text(r.method),
                         cut(r.kiosk_id, KIOSK))


def when(at: dt.datetime, tz: ZoneInfo, today: dt.date) -> str:
    """The time of an event of today; with its date when it is of another day (a 2099 sign-in
    a door delivered must not read as this morning's)."""
    moment = timefmt.local(at, tz)
    if moment.date() == today:
        return moment.strftime("%H:%M:%S")
    if moment.year == today.year:
        return moment.strftime("%m-%d %H:%M")
    return moment.strftime("%Y-%m-%d")
