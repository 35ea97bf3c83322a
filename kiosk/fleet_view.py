"""The fleet in words: what ``kiosk fleet`` prints and what the host view's doors line says.

A door's id comes from the door's own config file, so it is data: control characters are
dropped before it reaches a terminal, and the host view shows it as text, never markup.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from zoneinfo import ZoneInfo

from db.fleet import Door
from kiosk import timefmt
from kiosk.i18n import t


def clean(text: str) -> str:
    """Text without control characters (a door id printed to a terminal or the host view)."""
    return "".join(ch for ch in text if unicodedata.category(ch) not in ("Cc", "Cf"))


def offset_text(seconds: float) -> str:
    """A clock offset as people read it: ``+0.4 s``, ``-3 min 5 s``, ``+2 h 1 min``."""
    sign = "-" if seconds < 0 else "+"
    whole = abs(seconds)
    if whole < 60:
        return f"{sign}{whole:.1f} s"
    minutes, secs = divmod(int(round(whole)), 60)
    if minutes < 60:
        return f"{sign}{minutes} min {secs} s"
    hours, minutes = divmod(minutes, 60)
    return f"{sign}{hours} h {minutes} min"


def short_offset(seconds: float) -> str:
    """The same, compact for the host view's one line: ``+40s``, ``+3min``, ``-2h``."""
    sign = "-" if seconds < 0 else "+"
    whole = abs(seconds)
    if whole < 120:
        return f"{sign}{whole:.0f}s"
    if whole < 7200:
        return f"{sign}{whole / 60:.0f}min"
    return f"{sign}{whole / 3600:.0f}h"


def minutes(delta: dt.timedelta) -> int:
    return int(delta.total_seconds() // 60)


def as_json(door: Door, tz: ZoneInfo) -> dict:
    """One object of ``kiosk fleet --json`` (SPEC §8 keys, plus ``flags`` and ``silent_s``)."""
    return {"kiosk_id": door.kiosk_id, "last_seen": timefmt.iso(door.last_seen, tz),
            "events_today": door.events_today, "queued": door.queued,
            "clock_offset_s": round(door.clock_offset_s, 3), "version": door.version,
            "flags": list(door.flags), "silent_s": int(door.silent_for.total_seconds())}


def warnings(door: Door) -> str:
    """The flags of one door in words ("" when all is well)."""
    parts = []
    if "clock_skew" in door.flags:
        parts.append(t("fleet.flag.clock_skew", offset=offset_text(door.clock_offset_s)))
    if "silent" in door.flags:
        parts.append(t("fleet.flag.silent", minutes=minutes(door.silent_for)))
    return "; ".join(parts)


def table_rows(doors: list[Door], tz: ZoneInfo) -> tuple[list[str], list[list[str]]]:
    headers = [t(f"fleet.col.{name}") for name in
               ("kiosk_id", "last_seen", "events_today", "queued", "clock_offset_s", "version",
                "flags")]
    rows = [[clean(d.kiosk_id), timefmt.iso(d.last_seen, tz) or "", str(d.events_today),
             str(d.queued), offset_text(d.clock_offset_s), clean(d.version),
             ("⚠ " + warnings(d)) if d.flags else "✓"] for d in doors]
    return headers, rows


def door_line(door: Door) -> str:
    """One door on the host view's doors line: flagged ones say why, others their count."""
    name = clean(door.kiosk_id)
    if "silent" in door.flags:
        return t("fleet.door.silent", kiosk=name, minutes=minutes(door.silent_for))
    if "clock_skew" in door.flags:
        return t("fleet.door.skew", kiosk=name, offset=short_offset(door.clock_offset_s))
    if door.queued:
        return t("fleet.door.queued", kiosk=name, events=door.events_today, queued=door.queued)
    return t("fleet.door.ok", kiosk=name, events=door.events_today)
