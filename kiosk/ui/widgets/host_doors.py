"""The doors line of the host view: every door syncing with this centre, in one row.

Flagged doors (a clock off by more than 2 minutes, silent for more than 10 during an open
session) come first, in the warning colour, saying why; the others show today's count and what
they still hold back. Hidden when no door has ever synced (a standalone office has no doors).
Door ids are data: shown as text, never markup.
"""

from __future__ import annotations

from rich.text import Text

from db.fleet import Door
from kiosk.cli.tables import width as cells
from kiosk.fleet_view import door_line
from kiosk.i18n import t
from kiosk.ui.plain import Static


class HostDoors(Static):
    def __init__(self, **kwargs) -> None:
        super().__init__("", **kwargs)
        self.doors: list[Door] = []
        self.display = False

    def show(self, doors: list[Door]) -> None:
        self.doors = doors
        self.display = bool(doors)
        self.redraw()

    def on_resize(self) -> None:
        self.redraw()

    def redraw(self) -> None:
        room = max(20, self.size.width - 2) if self.size.width else 76
        ordered = sorted(self.doors, key=lambda d: (not d.flags, d.kiosk_id))
        text = Text(t("fleet.doors", count=len(ordered)), style="bold")
        used = cells(text.plain)
        for i, door in enumerate(ordered):
            part = " " + door_line(door)
            more = len(ordered) - i - 1
            tail = f" +{more}" if more else ""
            if used + cells(part + tail) > room and i:
                text.append(f" +{len(ordered) - i}", style="bold")
                break
            text.append(part, style="bold yellow" if door.flags else "")
            used += cells(part)
        self.update(text)
