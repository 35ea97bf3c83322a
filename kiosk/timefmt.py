"""Conversions between stored naive-UTC timestamps and wall-clock times in the office's zone."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from zoneinfo import ZoneInfo

WALL_FORMAT = "%Y-%m-%d %H:%M"
MIN_YEAR, MAX_YEAR = 1970, 2200


class BadTime(ValueError):
    """A typed time or date that does not parse; ``value`` is what was typed."""

    def __init__(self, value: str, kind: str = "time", tz: str = "") -> None:
        super().__init__(value)
        self.value = value
        self.kind = kind  # time | date | month | nonexistent | ambiguous (the last two: DST)
        self.tz = tz


def utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


# ``YYYY-MM-DD HH:MM`` and the forms people type for it: ``/`` or ``.`` or 年月日 between the
# date's parts, one-digit month/day/hour, seconds, ``T``; full-width digits and ``：`` (a Chinese
# input method left in 全角) are read as their ASCII selves first (NFKC).
_DATE = r"(?P<y>\d{4})\s*[-/.年]\s*(?P<mo>\d{1,2})\s*[-/.月]\s*(?P<d>\d{1,2})"
_CLOCK = r"(?P<h>\d{1,2}):(?P<mi>\d{2})(?::(?P<s>\d{2}))?"
# (patterns, compiled by ``re`` at their first use and cached there: every command imports this
# module, few parse a typed time — start-up time)
_WALL = rf"{_DATE}(?:\s*[日号]\s*|\s+|\s*T\s*){_CLOCK}"
# what the console completes from the date it shows: ``MM-DD HH:MM``, ``DD HH:MM``, ``HH:MM``
_MONTH_DAY = rf"(?P<mo>\d{{1,2}})\s*[-/.月]\s*(?P<d>\d{{1,2}})(?:\s*[日号]\s*|\s+){_CLOCK}"
_DAY = rf"(?P<d>\d{{1,2}})(?:\s*[日号]\s*|\s+){_CLOCK}"
_ONLY_CLOCK = _CLOCK


def _tidy(text: str) -> str:
    return unicodedata.normalize("NFKC", text or "").strip()


def parse_local(text: str) -> dt.datetime:
    """A typed wall-clock time (``YYYY-MM-DD HH:MM`` or a common variant, see ``_WALL``) as a
    naive local datetime; :class:`BadTime` otherwise. Never guesses a missing year or date."""
    found = re.fullmatch(_WALL, _tidy(text))
    if found is None:
        raise BadTime(text, "time")
    parts = {k: int(v) for k, v in found.groupdict(default="0").items()}
    try:
        local = dt.datetime(parts["y"], parts["mo"], parts["d"], parts["h"], parts["mi"], parts["s"])
    except ValueError:
        raise BadTime(text, "time") from None
    if not MIN_YEAR <= local.year <= MAX_YEAR:  # far-off years overflow a UTC conversion
        raise BadTime(text, "time")
    return local


def parse_wall(text: str, tz: ZoneInfo) -> dt.datetime:
    """``YYYY-MM-DD HH:MM`` (seconds optional, ``T``, ``/`` and one-digit parts allowed) in
    ``tz`` → naive UTC."""
    return to_utc(parse_local(text), tz, text)


def complete_wall(text: str, base: dt.date) -> str:
    """What a form that shows the date ``base`` makes of a shortened time: ``MM-DD HH:MM`` in
    ``base``'s year, ``DD HH:MM`` in its month, ``HH:MM`` on that day; anything else unchanged
    (a full time, or text :func:`parse_wall` will refuse as typed)."""
    value = _tidy(text)
    for pattern, date in ((_ONLY_CLOCK, lambda g: (base.month, base.day)),
                          (_DAY, lambda g: (base.month, int(g["d"]))),
                          (_MONTH_DAY, lambda g: (int(g["mo"]), int(g["d"])))):
        found = re.fullmatch(pattern, value)
        if found is not None:
            month, day = date(found.groupdict())
            return (f"{base.year:04d}-{month:02d}-{day:02d} "
                    f"{int(found['h']):02d}:{found['mi']}")
    return text


def to_utc(local: dt.datetime, tz: ZoneInfo, text: str = "") -> dt.datetime:
    """A naive wall-clock time in ``tz`` → naive UTC; a time that a daylight-saving change skips
    (does not exist) or repeats (occurs twice) is refused rather than silently shifted or guessed.
    """
    first = local.replace(tzinfo=tz, fold=0).astimezone(dt.UTC)
    second = local.replace(tzinfo=tz, fold=1).astimezone(dt.UTC)
    if first != second:
        back = first.astimezone(tz).replace(tzinfo=None)
        kind = "ambiguous" if back == local else "nonexistent"
        raise BadTime(text or local.strftime(WALL_FORMAT), kind, str(tz))
    return first.replace(tzinfo=None)


def parse_date(text: str) -> dt.date:
    try:
        day = dt.date.fromisoformat((text or "").strip())
    except ValueError:
        raise BadTime(text, "date") from None
    if not MIN_YEAR <= day.year <= MAX_YEAR:
        raise BadTime(text, "date")
    return day


def parse_month(text: str) -> tuple[int, int]:
    value = (text or "").strip()
    try:
        year, month = value.split("-")
        y, m = int(year), int(month)
        if len(year) != 4 or not 1 <= m <= 12 or not MIN_YEAR <= y <= MAX_YEAR:
            raise ValueError
        return y, m
    except ValueError:
        raise BadTime(text, "month") from None


def local(utc_naive: dt.datetime, tz: ZoneInfo) -> dt.datetime:
    return utc_naive.replace(tzinfo=dt.UTC).astimezone(tz)


def iso(utc_naive: dt.datetime | None, tz: ZoneInfo) -> str | None:
    """ISO 8601 with the zone's offset, seconds precision (e.g. 2026-11-28T09:00:00+08:00)."""
    if utc_naive is None:
        return None
    return local(utc_naive, tz).replace(microsecond=0).isoformat()


def hhmm(utc_naive: dt.datetime, tz: ZoneInfo) -> str:
    """``HH:MM`` in ``tz``. Formatted by hand: ``strftime`` costs ~4 µs, once per scan on every
    confirmation line (bench/scans.py)."""
    t = local(utc_naive, tz)
    return f"{t.hour:02d}:{t.minute:02d}"


def wall(utc_naive: dt.datetime, tz: ZoneInfo) -> str:
    return local(utc_naive, tz).strftime(WALL_FORMAT)


def day_bounds_utc(day: dt.date, tz: ZoneInfo) -> tuple[dt.datetime, dt.datetime]:
    """The UTC instants at which ``day`` begins and ends in ``tz``."""
    start = dt.datetime.combine(day, dt.time(), tz)
    end = start + dt.timedelta(days=1)
    return (start.astimezone(dt.UTC).replace(tzinfo=None),
            end.astimezone(dt.UTC).replace(tzinfo=None))


def month_bounds_utc(year: int, month: int, tz: ZoneInfo) -> tuple[dt.datetime, dt.datetime]:
    first = dt.date(year, month, 1)
    nxt = dt.date(year + (month == 12), month % 12 + 1, 1)
    return day_bounds_utc(first, tz)[0], day_bounds_utc(nxt, tz)[0]


def year_bounds_utc(year: int, tz: ZoneInfo) -> tuple[dt.datetime, dt.datetime]:
    """The UTC instants at which ``year`` begins and ends in ``tz``."""
    return month_bounds_utc(year, 1, tz)[0], month_bounds_utc(year, 12, tz)[1]
