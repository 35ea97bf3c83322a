"""The 第N期 numbers of bulletins already issued, kept as ``setting`` rows, and the sessions that
decide which months have a bulletin at all.

An issued number must never change: the office has circulated it. Each is one row
``bulletin_issue:<scheme>:<YYYY-MM>`` = ``<number>`` (``scheme``: ``yearly`` or ``running``), written
once and never updated. Rows of the ``setting`` table other than the pulled ones stay where they
are written (a door's pull leaves them alone), and the centre's admin role may write settings, so
no migration or grant is needed. The numbering itself is :mod:`kiosk.reports.issues`.
"""

from __future__ import annotations

import datetime as dt

from db.models import Setting, StudySession

PREFIX = "bulletin_issue:"


def _key(scheme: str, month: str) -> str:
    return f"{PREFIX}{scheme}:{month}"


def issued(scheme: str) -> dict[str, int]:
    """{``YYYY-MM``: number} of every bulletin issued under ``scheme`` (the table is small: a few
    settings and one row per issued month, so it is read whole and filtered here)."""
    head = f"{PREFIX}{scheme}:"
    out: dict[str, int] = {}
    for key, value in Setting.select(Setting.key, Setting.value).tuples():
        if key.startswith(head):
            try:
                out[key[len(head):]] = int(value)
            except ValueError:  # a hand-edited row: ignored rather than breaking every report
                continue
    return out


def record_issued(scheme: str, numbers: dict[str, int]) -> int:
    """Store the numbers of months not stored yet (an existing row is never overwritten, even when
    two admins issue the same month at once); returns how many rows were added."""
    if not numbers:
        return 0
    database = Setting._meta.database
    added = 0
    with database.atomic():
        held = issued(scheme)
        for month, number in sorted(numbers.items()):
            if month in held:
                continue
            (Setting.insert(key=_key(scheme, month), value=str(number))
             .on_conflict_ignore().execute())
            added += 1
    return added


def started_session_starts(since: dt.datetime | None, until: dt.datetime,
                           now: dt.datetime) -> list[dt.datetime]:
    """Start times (naive UTC) of the sessions held — started by ``now``, not cancelled — that
    start in ``[since, until)`` (``since`` None: from the first one ever), as the reports count."""
    condition = ((StudySession.start < until) & (StudySession.start <= now)
                 & StudySession.cancelled_at.is_null())
    if since is not None:
        condition &= StudySession.start >= since
    return [start for (start,) in StudySession.select(StudySession.start).where(condition).tuples()]
