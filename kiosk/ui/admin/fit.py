"""Fitting a console table to the terminal's width (SPEC §11: usable at 80×24).

A table wider than its screen cuts its right-hand columns off (the plan's 类型 and 地点 at 80
columns) behind a horizontal scrollbar nobody sees. So each section says how its columns give
way: long text is elided with "…" down to a shortest width, the least important column first,
and a column that may go is left out only when even the shortest widths do not fit. Widths are
terminal cells (a Chinese character takes two). Pure functions: no Textual here.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from rich.cells import cell_len

ELLIPSIS = "…"


@dataclass(frozen=True)
class Fit:
    """How one column gives way on a narrow screen.

    ``least``: the cells it may be elided to (0: never elided — an id, a date, a time);
    ``order``: columns with a higher order give way first (elided, then dropped);
    ``drop``: it may be left out when the shortest widths still do not fit.
    """

    least: int = 0
    order: int = 0
    drop: bool = False


WHOLE = Fit()


def elide(text: str, cells: int) -> str:
    """``text`` in at most ``cells`` terminal cells, ending in "…" when it was cut."""
    if cell_len(text) <= cells:
        return text
    if cells <= 0:
        return ""
    out, used = [], 0
    for char in text:
        width = cell_len(char)
        if used + width > cells - 1:
            break
        out.append(char)
        used += width
    return "".join(out) + ELLIPSIS


def fit_columns(labels: Sequence[str], rows: Sequence[Sequence[str]], fits: Sequence[Fit],
                width: int, padding: int = 1) -> tuple[list[int], list[int]]:
    """The columns to show (indexes, in order) and each one's width in cells, so that the
    table (each column plus ``padding`` on both sides) fits in ``width`` where it can."""
    natural = [max([cell_len(labels[i])] + [cell_len(str(r[i])) for r in rows])
               for i in range(len(labels))]
    shown = list(range(len(labels)))
    givers = sorted(shown, key=lambda i: -fits[i].order)
    while True:
        widths = {i: natural[i] for i in shown}
        room = width - sum(2 * padding for _ in shown)
        for i in givers:  # elide, least important first, each down to its shortest
            if i not in widths or not fits[i].least:
                continue
            excess = sum(widths.values()) - room
            if excess <= 0:
                break
            least = min(natural[i], max(fits[i].least, cell_len(labels[i]), 1))
            widths[i] = max(least, widths[i] - excess)
        if sum(widths.values()) <= room:
            break
        droppable = [i for i in givers if i in shown and fits[i].drop]
        if not droppable:
            break  # nothing more can give way: the table scrolls sideways
        shown.remove(droppable[0])
    return shown, [widths[i] for i in shown]


def fitted(labels: Sequence[str], rows: Sequence[tuple[str, Sequence[str]]],
           fits: Sequence[Fit], width: int, padding: int = 1
           ) -> tuple[list[tuple[str, int]], list[tuple[str, list[str]]]]:
    """``(label, width)`` of each column shown and the rows' cells elided to those widths."""
    shown, widths = fit_columns(labels, [cells for _, cells in rows], fits, width, padding)
    columns = [(elide(labels[i], w), w) for i, w in zip(shown, widths, strict=True)]
    return columns, [(key, [elide(str(cells[i]), w) for i, w in zip(shown, widths, strict=True)])
                     for key, cells in rows]
