"""第N期: the bulletin's issue number, stable once issued.

A month has a bulletin (and a number) when at least one session started in it. Numbers follow
one of two schemes:

* ``yearly`` (default): "2026年第N期", counted from 1 each January;
* ``running`` (``[office] bulletin_first_issue = 48``): "第N期", one count across the years that
  continues the office's own (it has printed 47 issues: the first this system numbers is 48).

*Issued* means a finished month's report was written (``kiosk report monthly``, the console's
报表): from then on that month's number — and the number of every earlier month of the scheme
with a bulletin — is stored (:mod:`db.bulletin_issues`) and never changes. A month not issued yet
gets the next free numbers: first the months that gained their first session after a later month
was issued (a session entered late for October after November went out as 第3期 makes October
第4期 — never a second 第3期), then the months after the last issued one, in month order. With
nothing stored this is the plain count of months with a session (yearly: since January).

Storing is best effort: on a read-only home, or a centre credential that may not write settings,
the numbers are computed the same way and simply not remembered.
"""

from __future__ import annotations

import datetime as dt
import logging
from zoneinfo import ZoneInfo

import peewee as pw

from db import bulletin_issues as store
from kiosk import timefmt

log = logging.getLogger("kiosk.reports")

YEARLY, RUNNING = "yearly", "running"


def scheme(first_issue: int | None) -> str:
    return RUNNING if first_issue else YEARLY


def assign(with_sessions: list[str], stored: dict[str, int], first: int) -> dict[str, int]:
    """Numbers for the months in ``with_sessions`` (``YYYY-MM``, sorted) not in ``stored``: after
    the highest stored number (or from ``first``), late months (before the last stored one) first,
    then the others, each group in month order. Pure: the rule itself, tested on its own."""
    latest = max(stored) if stored else None
    top = max(stored.values()) if stored else first - 1
    pending = [m for m in with_sessions if m not in stored]
    late = [m for m in pending if latest is not None and m < latest]
    later = [m for m in pending if latest is None or m > latest]
    return {m: top + rank for rank, m in enumerate(late + later, 1)}


def _months_with_sessions(year: int, month: int, tz: ZoneInfo, now: dt.datetime,
                          running: bool) -> list[str]:
    """``YYYY-MM`` of every month up to ``year-month`` in the scheme's scope with a held session."""
    since = None if running else timefmt.month_bounds_utc(year, 1, tz)[0]
    until = timefmt.month_bounds_utc(year, month, tz)[1]
    months = {timefmt.local(start, tz).strftime("%Y-%m")
              for start in store.started_session_starts(since, until, now)}
    return sorted(months)


def _stored(year: int, running: bool, kind: str) -> dict[str, int]:
    held = store.issued(kind)
    return held if running else {m: n for m, n in held.items() if m.startswith(f"{year:04d}-")}


def numbering(year: int, month: int, tz: ZoneInfo, now: dt.datetime,
              first_issue: int | None) -> tuple[int | None, dict[str, int]]:
    """(this month's number or None, the numbers to store when it is issued: this month's and
    every earlier month's of the scope that has a session and no stored number)."""
    kind = scheme(first_issue)
    running = kind == RUNNING
    key = f"{year:04d}-{month:02d}"
    with_sessions = _months_with_sessions(year, month, tz, now, running)
    if key not in with_sessions:
        return None, {}
    stored = _stored(year, running, kind)
    fresh = assign(with_sessions, stored, first_issue if running else 1)
    return stored.get(key, fresh.get(key)), fresh


def record(report: dict, tz: ZoneInfo, now: dt.datetime, first_issue: int | None) -> bool:
    """Remember the numbers once a finished month's report is written; False when the month is
    not finished, has no bulletin, or the database may not be written (then nothing changes)."""
    if not report.get("complete") or report.get("issue") is None:
        return False
    year, month = (int(part) for part in report["month"].split("-"))
    try:
        _, fresh = numbering(year, month, tz, now, first_issue)
        store.record_issued(scheme(first_issue), fresh)  # one transaction: rolled back on error
    except pw.DatabaseError as exc:  # read-only home, or a role without write on settings
        log.info("bulletin issue numbers not stored (%s): computed, not remembered",
                 exc.__class__.__name__)
        return False
    return True
