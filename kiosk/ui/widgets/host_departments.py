"""Per-department counts with an attendance bar, one row per department in the office's order."""

from __future__ import annotations

from rich.cells import cell_len
from rich.text import Text

from db.live import DepartmentCounts
from kiosk.i18n import t
from kiosk.ui.plain import DataTable

BAR_WIDTH = 5
WIDE_BAR_WIDTH = 20
WIDE_FROM = 120  # terminal columns from which the bars get longer
MIN_BAR = 3  # a bar shorter than this says nothing: then the percentage alone
PERCENT = 5  # " 100%"
PADDING = 2  # DataTable's cell padding, one column each side


def bar(rate: float | None, width: int = BAR_WIDTH) -> str | Text:
    """``█████░░░ 62%``: filled blocks for the attendance rate (blocks rounded down; the number as
    :func:`whole_percent`).

    ``width`` 0 (a narrow terminal with long department names, e.g. 80x24) draws the bar behind
    the percentage instead: its cells shown in reverse video, as many as the rate fills — still
    a bar (SPEC §5: rows with bars at 80x24), on any console, in the five cells of the number.
    """
    percent = "   —" if rate is None else f"{whole_percent(rate):3d}%"
    if width <= 0:
        return inline_bar(rate, f" {percent}")
    filled = 0 if rate is None else int(rate * width)
    return "█" * filled + "░" * (width - filled) + " " + percent


def whole_percent(rate: float) -> int:
    """The rate as a whole percentage, rounded as the reports round (2/3: 67, their 66.7%), but
    never 100 unless everyone came, nor 0 when someone did."""
    value = round(rate * 100)
    if rate < 1:
        value = min(value, 99)
    if rate > 0:
        value = max(value, 1)
    return value


def inline_bar(rate: float | None, text: str) -> Text:
    """``text`` with its first cells (the rate's share of them, rounded down) in reverse video."""
    filled = 0 if rate is None else int(rate * len(text))
    shown = Text(text)
    if filled:
        shown.stylize("reverse", 0, filled)
    return shown


def bar_width(space: int, preferred: int) -> int:
    """The longest bar up to ``preferred`` that leaves room for the percentage in ``space`` columns."""
    fits = space - PADDING - PERCENT - 1
    return min(preferred, fits) if fits >= MIN_BAR else 0


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
        self.columns[list(self.columns)[4]].label = Text(t(  # 未到 → 缺席 after the end
            "host.dcol.absent" if ended else "host.dcol.pending"))
        preferred = WIDE_BAR_WIDTH if self.app.size.width >= WIDE_FROM else BAR_WIDTH
        space = self.scrollable_content_region.width
        width = bar_width(space - self._other_columns(departments), preferred) if space else preferred
        key = (departments, ended, width)
        if key == self._shown:
            return
        self._shown = key
        self.clear()
        for dept in departments:
            c = dept.counts
            self.add_row(Text(dept.name), str(c.expected), str(c.attended), str(c.excused),
                         str(c.pending), bar(c.rate, width))

    def _other_columns(self, departments: tuple[DepartmentCounts, ...]) -> int:
        """Columns taken by everything left of the bar, as the table will lay it out."""
        labels = [str(c.label) for c in self.columns.values()][:5]
        cells = [[d.name, str(d.counts.expected), str(d.counts.attended), str(d.counts.excused),
                  str(d.counts.pending)] for d in departments]
        return sum(max([cell_len(labels[i])] + [cell_len(row[i]) for row in cells]) + PADDING
                   for i in range(len(labels)))
