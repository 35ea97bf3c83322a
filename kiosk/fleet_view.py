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


def clean(text: str, limit: int = 32) -> str:
    """Text without control characters (a door id or version printed to a terminal or the host
    view), cut to ``limit`` characters: the door wrote it, so it is data, never layout."""
    text = "".join(ch for ch in str(text) if unicodedata.category(ch) not in ("Cc", "Cf"))
    return text if len(text) <= limit else text[:limit - 1] + "…"


def unknown() -> str:
    return t("fleet.unknown")


def offset_text(seconds: float | None) -> str:
    """A clock offset as people read it: ``+0.4 s``, ``-3 min 5 s``, ``+2 h 1 min``."""
    if seconds is None:
        return unknown()
    sign = "-" if seconds < 0 else "+"
    whole = abs(seconds)
    if whole < 60:
        return f"{sign}{whole:.1f} s"
    minutes, secs = divmod(int(round(whole)), 60)
    if minutes < 60:
        return f"{sign}{minutes} min {secs} s"
    hours, minutes = divmod(minutes, 60)
    return f"{sign}{hours} h {minutes} min"


def short_offset(seconds: float | None) -> str:
    """The same, compact for the host view's one line: ``+40s``, ``+3min``, ``-2h``."""
    if seconds is None:
        return "?"
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
            "clock_offset_s": (None if door.clock_offset_s is None
                               else round(door.clock_offset_s, 3)),
            "version": door.version,
            "flags": list(door.flags), "silent_s": int(door.silent_for.total_seconds())}


def warnings(door: Door) -> str:
    """The flags of one door in words ("" when all is well)."""
    parts = []
    if "clock_skew" in door.flags:
        parts.append(t("fleet.flag.clock_skew", offset=offset_text(door.clock_offset_s)))
    if "silent" in door.flags:
        parts.append(t("fleet.flag.silent", minutes=minutes(door.silent_for)))
    for flag in ("duplicate_id", "clock_unknown", "count_unknown", "queue_unknown"):
        if flag in door.flags:
            parts.append(t(f"fleet.flag.{flag}"))
    return "; ".join(parts)


def table_rows(doors: list[Door], tz: ZoneInfo) -> tuple[list[str], list[list[str]]]:
    headers = [t(f"fleet.col.{name}") for name in
               ("kiosk_id", "last_seen", "events_today", "queued", "clock_offset_s", "version",
                "flags")]
    rows = [[clean(d.kiosk_id, 64), timefmt.iso(d.last_seen, tz) or unknown(), count(d.events_today),
             count(d.queued), offset_text(d.clock_offset_s), clean(d.version),
             ("⚠ " + warnings(d)) if d.flags else "✓"] for d in doors]
    return headers, rows


def count(value: int | None) -> str:
    return unknown() if value is None else str(value)


def door_line(door: Door) -> str:
    """One door on the host view's doors line: flagged ones say why, others their count."""
    name = clean(door.kiosk_id, 20)
    if "duplicate_id" in door.flags:
        return t("fleet.door.duplicate", kiosk=name)
    if "silent" in door.flags:
        return t("fleet.door.silent", kiosk=name, minutes=minutes(door.silent_for))
    if "clock_skew" in door.flags or "clock_unknown" in door.flags:
        return t("fleet.door.skew", kiosk=name, offset=short_offset(door.clock_offset_s))
    if door.queued is None or door.events_today is None:
        return t("fleet.door.unknown", kiosk=name)
    if door.queued:
        return t("fleet.door.queued", kiosk=name, events=door.events_today, queued=door.queued)
    return t("fleet.door.ok", kiosk=name, events=door.events_today)
