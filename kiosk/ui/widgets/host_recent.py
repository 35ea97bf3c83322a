"""The latest sign-ins of the session: time, name, department, result, method and kiosk."""

from __future__ import annotations

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

    def show(self, recent: tuple[RecentSignIn, ...], tz: ZoneInfo) -> None:
        if recent == self._shown:
            return
        self._shown = recent
        self.clear()
        for r in recent:
            self.add_row(timefmt.local(r.at, tz).strftime("%H:%M:%S"), cut(r.name or r.staff_id, NAME),
                         cut(r.department, DEPARTMENT), t(f"host.result.{r.result}"),
                         method_text(r.method), cut(r.kiosk_id, KIOSK))
