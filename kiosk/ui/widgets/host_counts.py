"""The host's big counts: one tile per count, each with its label AND number as plain text.

``应到 12`` is always written as text beside its label (a screen reader or a copy of the screen
reads it); on a tall, wide terminal big digits are drawn above it too (CSS shows them).
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Grid, Vertical
from textual.widgets import Digits

from db.live import Counts
from kiosk.i18n import t
from kiosk.ui.plain import Static

TILES = ("expected", "attended", "late", "excused", "pending", "visitors", "early_leave", "rate")


def rate_text(rate: float | None) -> str:
    return "—" if rate is None else f"{rate * 100:.1f}%"


def tile_values(counts: Counts, *, ended: bool) -> dict[str, tuple[str, str]]:
    """tile id → (label, value) in the office's terms; 未到 reads 缺席 once the session is over."""
    return {
        "expected": (t("host.count.expected"), str(counts.expected)),
        "attended": (t("host.count.attended"), str(counts.attended)),
        "late": (t("host.count.late"), str(counts.late)),
        "excused": (t("host.count.excused"), str(counts.excused)),
        "pending": (t("host.count.absent" if ended else "host.count.pending"), str(counts.pending)),
        "visitors": (t("host.count.visitors"), str(counts.visitors)),
        "early_leave": (t("host.count.early_leave"), str(counts.early_leave)),
        "rate": (t("host.count.rate"), rate_text(counts.rate)),
    }


class HostCounts(Grid):
    """A grid of count tiles; 早退 shows only for sessions that require sign-out."""

    def compose(self) -> ComposeResult:
        for name in TILES:
            with Vertical(id=f"tile-{name}", classes="count-tile"):
                yield Digits("", classes="count-digits")
                yield Static("", classes="count-text")

    def show(self, counts: Counts, *, ended: bool, signout: bool) -> None:
        for name, (label, value) in tile_values(counts, ended=ended).items():
            tile = self.query_one(f"#tile-{name}", Vertical)
            tile.display = signout or name != "early_leave"
            tile.set_class(ended and name == "pending" and counts.pending > 0, "-alert")
            tile.query_one(".count-digits", Digits).update(value.replace("—", "-").rstrip("%"))
            tile.query_one(".count-text", Static).update(f"{label} {value}")
