"""Per-department counts with an attendance bar, one row per department in the office's order."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import DataTable

from db.live import DepartmentCounts
from kiosk.i18n import t

BAR_WIDTH = 5
WIDE_BAR_WIDTH = 20
WIDE_FROM = 120  # terminal columns from which the bars get longer


def bar(rate: float | None, width: int = BAR_WIDTH) -> str:
    """``█████░░░ 62%``: filled blocks for the attendance rate (rounded down, 100% only if full)."""
    if rate is None:
        return "░" * width + "   —"
    filled = int(rate * width)
    return "█" * filled + "░" * (width - filled) + f" {int(rate * 100):3d}%"


class HostDepartments(DataTable):
    """A read-only table; rebuilt only when the numbers changed."""

    def __init__(self, **kwargs) -> None:
        super().__init__(cursor_type="none", zebra_stripes=True, **kwargs)
        self._shown: tuple | None = None

    def on_mount(self) -> None:
        self.add_columns(t("host.col.department"), t("host.dcol.expected"),
                         t("host.dcol.attended"), t("host.dcol.excused"),
                         t("host.dcol.pending"), t("host.col.bar"))

    def show(self, departments: tuple[DepartmentCounts, ...], *, ended: bool) -> None:
        width = WIDE_BAR_WIDTH if self.app.size.width >= WIDE_FROM else BAR_WIDTH
        key = (departments, ended, width)
        if key == self._shown:
            return
        self._shown = key
        self.clear()
        self.columns[list(self.columns)[4]].label = t(  # 未到 → 缺席 after the end
            "host.dcol.absent" if ended else "host.dcol.pending")
        for dept in departments:
            c = dept.counts
            self.add_row(Text(dept.name), str(c.expected), str(c.attended), str(c.excused),
                         str(c.pending), bar(c.rate, width))
