"""A person's study record for a year (学习档案): what the department head signs in the annual
assessment (年度考核).

Every session the person was expected at or attended (date, kind, title, status, hours earned),
their leaves, their credits outside sessions, and the annual targets with progress — the same
figures as ``kiosk report annual`` (:func:`kiosk.reports.model.annual_person`), for one person.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from db import credits as credit_store
from db import person as person_store
from db import queries
from db import reports as figures
from kiosk import timefmt
from kiosk.reports.model import ReportOptions, annual_person, months_left, year_heading


def person_record(staff_key: str, year: int, options: ReportOptions) -> dict | None:
    """The record of ``staff_key`` for ``year``; None when there is no such person."""
    row = queries.staff_row(staff_key)
    if row is None:
        return None
    tz, now = options.tz, options.now
    start, end = timefmt.year_bounds_utc(year, tz)
    kinds = figures.people_kind_stats(start, end, now, staff_key=staff_key)
    credits = credit_store.credits_between(dt.date(year, 1, 1), dt.date(year, 12, 31), staff_key)
    sums: dict[str, list] = defaultdict(lambda: [0.0, 0])
    for credit in credits:
        sums[credit["kind"]][0] += credit["hours"] or 0
        sums[credit["kind"]][1] += 1
    credited = {kind: (round(hours, 2), count) for kind, (hours, count) in sums.items()}
    left = months_left(year, now, tz)
    person = {"key": staff_key, "staff_id": row["staff_id"], "name": row["name"],
              "department": row["department"], "groups": list(row["groups"])}
    progress = annual_person(person, kinds, credited, options.targets, left)
    sessions = [_session(r, tz) for r in person_store.session_rows(staff_key, start, end, now)]
    return {
        **year_heading(year, options, left),
        "person": {"staff_id": row["staff_id"], "name": row["name"], "department": row["department"],
                   "groups": list(row["groups"]), "title": row.get("title", ""),
                   "active": bool(row.get("active", True))},
        "summary": {k: progress[k] for k in ("credit_hours", "session_hours", "sessions_attended",
                                             "attended", "visited", "expected", "absent")}
        | {"late": sum(1 for s in sessions if s["status"] == "late"),
           "excused": sum(1 for s in sessions if s["status"] == "excused"),
           "credit_hours_outside": progress["credits"]["hours"],
           "articles": progress["credits"]["articles"]},
        "sessions": sessions,
        "leaves": [{"session_id": r["session_id"], "date": timefmt.local(r["start"], tz).date().isoformat(),
                    "kind": r["kind"], "title": r["title"], "reason": r["reason"],
                    "recorded_by": r["recorded_by"], "recorded_at": timefmt.iso(r["recorded_at"], tz)}
                   for r in person_store.leave_rows(staff_key, start, end)],
        "credits": [{"uid": c["uid"], "date": c["date"].isoformat(), "kind": c["kind"],
                     "title": c["title"], "hours": c["hours"]} for c in credits],
        "targets": progress["targets"],
    }


def _session(row: dict, tz) -> dict:
    return {"session_id": row["session_id"], "date": timefmt.local(row["start"], tz).date().isoformat(),
            "start": timefmt.iso(row["start"], tz), "kind": row["kind"], "title": row["title"],
            "location": row["location"], "status": row["status"], "hours": row["hours"],
            "signed_in_at": timefmt.iso(row["signed_in_at"], tz), "early_leave": row["early_leave"]}
