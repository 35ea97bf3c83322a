"""The monthly and annual report as plain, JSON-ready dicts (the one model every renderer reads).

The figures come from the aggregate queries in :mod:`db.reports`; this module only adds rates,
ranks, warnings, targets and the bulletin. ``now`` (naive UTC) is injected because it decides
which sessions have started (a session whose start is still in the future is in no figure at
all), which pending rows are absent and how many months of the year are left.

Rates are fractions 0–1, unrounded in the model and JSON: ``rate`` = (present + late) / expected
(None when nothing was expected) and ``rate_excluding_excused`` = (present + late) /
(expected − excused).

Visitors (列席) and credit hours (SPEC §2: "Attending (present or late) earns the session's credit
hours"): a visit is an attendance, so it earns the session's credit hours and counts in
``sessions_attended``, but it is not expected, so it is in no rate. Per person, therefore:

* ``attended`` = present + late of the rows where the person was expected (the rate's numerator);
* ``visited`` = sessions attended as a visitor (列席; ``visitors`` counts the same visitor rows);
* ``sessions_attended`` = ``attended`` + ``visited``;
* ``credit_hours`` = the credit hours of exactly those ``sessions_attended`` sessions.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from db import credits as credit_store
from db import queries
from db import reports as figures
from kiosk import timefmt
from kiosk.config import Target
from kiosk.reports import issues

COUNTS = ("expected", "present", "late", "excused", "absent", "pending", "visitors", "early_leaves")


@dataclass(frozen=True)
class ReportOptions:
    """What a report needs besides the period: zone, clock, warning thresholds, targets."""

    tz: ZoneInfo
    now: dt.datetime
    warn_rate_below: float = 0.8
    warn_absences_over: int = 1
    targets: tuple[Target, ...] = ()
    office_name: str = ""
    # [office] bulletin_first_issue: the office's running 第N期 count continues from it (None:
    # numbered per year); see kiosk.reports.issues
    first_issue: int | None = None


Progress = Callable[[str], None]


def _quiet(_step: str) -> None:
    return None


def ratio(part: int, whole: int) -> float | None:
    return part / whole if whole > 0 else None


def _with_rates(row: dict) -> dict:
    """Counts in contract order plus ``attended``, ``rate`` and ``rate_excluding_excused``."""
    out = {key: int(row.get(key, 0)) for key in COUNTS}
    attended = out["present"] + out["late"]
    out["attended"] = attended
    out["rate"] = ratio(attended, out["expected"])
    out["rate_excluding_excused"] = ratio(attended, out["expected"] - out["excused"])
    return out


def monthly(year: int, month: int, options: ReportOptions, progress: Progress = _quiet, *,
            detail: bool = True) -> dict:
    """The monthly report of every session that started in ``year-month`` (local time).

    A month in progress (SPEC §10): every started session is listed with its ``state``
    (``finished`` or ``in_progress``), but totals, departments, people, rates and warnings count
    finished sessions only — a running session's people are neither present nor absent yet.
    ``as_of`` is the moment the figures hold for; ``complete`` says whether the month is over.
    ``detail`` adds the register itself (one entry per row, for the 明细 sheet); JSON leaves it out.
    """
    tz, now = options.tz, options.now
    start, end = timefmt.month_bounds_utc(year, month, tz)
    progress("sessions")
    sessions = [_session_entry(row, tz, now) for row in figures.session_stats(start, end, now)]
    progress("departments")
    departments = _ranked([{"department": row["department"], "people": row["people"],
                            **_with_rates(row)}
                           for row in figures.department_stats(start, end, now, finished=True)])
    progress("people")
    people = [{"staff_id": row["staff_id"], "name": row["name"], "department": row["department"],
               "credit_hours": row["credit_hours"], "sessions_attended": row["sessions_attended"],
               "visited": row["visited"], **_with_rates(row)}
              for row in figures.people_stats(start, end, now, finished=True)]
    progress("totals")
    total_row = figures.totals(start, end, now, finished=True)
    finished = [s for s in sessions if s["state"] == "finished"]
    totals = {"sessions": total_row["sessions"], **_with_rates(total_row),
              "credit_hours": total_row["credit_hours"],
              "kinds": _kind_counts(finished),
              "in_progress": len(sessions) - len(finished)}
    progress("trend")
    trend = _trend(year, month, tz, now)
    issue, unissued = issues.numbering(year, month, tz, now, options.first_issue)
    rows = []
    if detail:
        progress("detail")
        rows = [_detail_entry(row, tz) for row in figures.detail_rows(start, end, now)]
    report = {
        "month": f"{year:04d}-{month:02d}",
        "issue": issue,
        # yearly ("2026年第N期") or running ("第N期"); fixed: stored when a finished month's
        # report was written, never to change
        "issue_scheme": issues.scheme(options.first_issue),
        "issue_fixed": issue is not None and f"{year:04d}-{month:02d}" not in unissued,
        "office": options.office_name,
        "timezone": str(tz.key),
        "period": {"start": timefmt.iso(start, tz), "end": timefmt.iso(end, tz)},
        "generated_at": timefmt.iso(now, tz),
        "as_of": timefmt.iso(now, tz),
        "complete": now >= end,
        "totals": totals,
        "sessions": sessions,
        "departments": departments,
        "people": people,
        "warnings": _warnings(people, options),
        "thresholds": {"warn_rate_below": options.warn_rate_below,
                       "warn_absences_over": options.warn_absences_over},
        "trend": trend,
        "detail": rows,
    }
    from kiosk.reports.bulletin import monthly_bulletin

    report["bulletin"] = monthly_bulletin(report)
    return report


def _session_entry(row: dict, tz: ZoneInfo, now: dt.datetime) -> dict:
    return {"id": row["id"], "title": row["title"], "kind": row["kind"],
            "state": "finished" if row["end"] <= now else "in_progress",
            "start": timefmt.iso(row["start"], tz), "end": timefmt.iso(row["end"], tz),
            "location": row["location"], "speaker": row["speaker"], "credit_hours": row["hours"],
            **_with_rates(row)}


def _detail_entry(row: dict, tz: ZoneInfo) -> dict:
    return {"session_id": row["session_id"], "title": row["title"],
            "start": timefmt.iso(row["start"], tz), "staff_id": row["staff_id"],
            "name": row["name"], "department": row["department"], "status": row["status"],
            "signed_in_at": timefmt.iso(row["signed_in_at"], tz),
            "signed_out_at": timefmt.iso(row["signed_out_at"], tz),
            "early_leave": row["early_leave"], "method": row["method"]}


def _ranked(departments: list[dict]) -> list[dict]:
    """Rank departments by rate (best first; departments with nothing expected last)."""
    order = sorted(range(len(departments)),
                   key=lambda i: (departments[i]["rate"] is None, -(departments[i]["rate"] or 0), i))
    for rank, i in enumerate(order, 1):
        departments[i]["rank"] = rank
    return departments


def _kind_counts(sessions: list[dict]) -> dict[str, int]:
    counts: dict[str, int] = defaultdict(int)
    for s in sessions:
        counts[s["kind"]] += 1
    return dict(counts)


def _warnings(people: list[dict], options: ReportOptions) -> list[dict]:
    """People below the rate threshold or with more than K unexcused absences.

    The rate here leaves out excused sessions as well as running ones: a recorded leave is not a
    breach of study discipline, so it must not put someone on the list.
    """
    out = []
    for person in people:
        reasons = []
        rate = ratio(person["attended"], person["expected"] - person["pending"] - person["excused"])
        if rate is not None and rate < options.warn_rate_below:
            reasons.append("low_rate")
        if person["absent"] > options.warn_absences_over:
            reasons.append("absences")
        if reasons:
            out.append({"staff_id": person["staff_id"], "name": person["name"],
                        "department": person["department"], "rate": rate,
                        "absent": person["absent"], "reasons": reasons})
    return out


def _trend(year: int, month: int, tz: ZoneInfo, now: dt.datetime) -> list[dict]:
    """Month by month from January to ``month``: sessions started; expected, attended and rate of
    the finished ones (a running session joins the rates when it ends, as in :func:`monthly`)."""
    start = timefmt.month_bounds_utc(year, 1, tz)[0]
    end = timefmt.month_bounds_utc(year, month, tz)[1]
    buckets = {m: {"month": f"{year:04d}-{m:02d}", "sessions": 0, "expected": 0, "attended": 0}
               for m in range(1, month + 1)}
    for row in figures.session_stats(start, end, now):
        bucket = buckets[timefmt.local(row["start"], tz).month]
        bucket["sessions"] += 1
        if row["end"] > now:
            continue
        bucket["expected"] += row["expected"]
        bucket["attended"] += row["present"] + row["late"]
    for bucket in buckets.values():
        bucket["rate"] = ratio(bucket["attended"], bucket["expected"])
    return list(buckets.values())


# -- annual ---------------------------------------------------------------------------------------

def year_heading(year: int, options: ReportOptions, left: int) -> dict:
    """The first keys of the annual report and of a person's study record, in this order."""
    return {"year": year, "office": options.office_name, "timezone": str(options.tz.key),
            "generated_at": timefmt.iso(options.now, options.tz), "months_left": left}


def annual(year: int, options: ReportOptions, progress: Progress = _quiet) -> dict:
    """Per person: credit hours and sessions attended in ``year`` against the targets.

    Only sessions that have started by ``now`` count (as in :func:`monthly`); ``sessions_attended``
    = ``attended`` (as expected) + ``visited`` (列席). ``credit_hours`` = ``session_hours`` (the
    hours of those sessions) + the hours credited outside sessions (``credits``: articles,
    self-study, training, trips dated in the year).
    """
    tz, now = options.tz, options.now
    start, end = timefmt.year_bounds_utc(year, tz)
    progress("people")
    by_person: dict[str, list[dict]] = defaultdict(list)
    for row in figures.people_kind_stats(start, end, now):
        by_person[row["key"]].append(row)
    credited = credit_store.credit_sums(dt.date(year, 1, 1), dt.date(year, 12, 31))
    progress("roster")
    roster = [r for r in queries.roster()
              if r["active"] or r["key"] in by_person or r["key"] in credited]
    left = months_left(year, now, tz)
    people = [annual_person(person, by_person.get(person["key"], []),
                             credited.get(person["key"], {}), options.targets, left)
              for person in roster]
    return {
        **year_heading(year, options, left),
        "targets": [{"name": t.name, "who": t.who, "metric": t.metric, "required": t.required,
                     "kinds": list(t.kinds), "sources": list(t.sources)} for t in options.targets],
        "summary": {"people": len(people), "behind": sum(1 for p in people if p["behind"]),
                    "on_track": sum(1 for p in people if not p["behind"])},
        "people": people,
    }


def annual_person(person: dict, rows: list[dict], credited: dict[str, tuple[float, int]],
                  targets: tuple[Target, ...], left: int) -> dict:
    """One person's year: ``rows`` from :func:`db.reports.people_kind_stats`, ``credited`` =
    {credit kind: (hours, count)}; the annual report's row, also the study record's figures."""
    session_hours = round(sum(r["credit_hours"] for r in rows), 2)
    credit_hours = round(sum(hours for hours, _ in credited.values()), 2)
    progress = [_target_progress(target, rows, credited, left) for target in targets
                if applies(target, person["groups"])]
    return {
        "staff_id": person["staff_id"], "name": person["name"],
        "department": person["department"], "groups": person["groups"],
        "credit_hours": round(session_hours + credit_hours, 2),
        "session_hours": session_hours,
        "sessions_attended": sum(r["sessions_attended"] for r in rows),
        "attended": sum(r["present"] + r["late"] for r in rows),
        "visited": sum(r["visited"] for r in rows),
        "expected": sum(r["expected"] for r in rows),
        "absent": sum(r["absent"] for r in rows),
        "credits": {"hours": credit_hours, "articles": credited.get("article", (0, 0))[1],
                    "by_kind": {kind: {"hours": h, "count": n} for kind, (h, n) in credited.items()}},
        "targets": progress,
        "behind": any(not t["met"] for t in progress),
    }


def applies(target: Target, groups: list[str]) -> bool:
    return target.who == "all" or (target.who.startswith("group:")
                                   and target.who.split(":", 1)[1] in groups)


def months_left(year: int, now: dt.datetime, tz: ZoneInfo) -> int:
    """Months of ``year`` still left to study in, the current one included (on 1 December: 1;
    0 for a past year, 12 for a future one)."""
    today = timefmt.local(now, tz)
    if year < today.year:
        return 0
    if year > today.year:
        return 12
    return 13 - today.month


def _target_progress(target: Target, rows: list[dict], credited: dict[str, tuple[float, int]],
                     left: int) -> dict:
    chosen = [r for r in rows if not target.kinds or r["kind"] in target.kinds]
    if target.metric == "hours":
        sources = set(target.sources) or {"sessions", *credited}
        hours = sum(r["credit_hours"] for r in chosen) if "sessions" in sources else 0
        hours += sum(h for kind, (h, _) in credited.items() if kind in sources)
        achieved: float = round(hours, 2)
    elif target.metric == "articles":
        achieved = credited.get("article", (0, 0))[1]
    else:
        achieved = sum(r["sessions_attended"] for r in chosen)
    required = target.required
    required_out = int(required) if float(required).is_integer() else required
    shortfall = max(0.0, required - achieved)
    shortfall_out = int(shortfall) if float(shortfall).is_integer() else round(shortfall, 2)
    return {"name": target.name, "metric": target.metric, "required": required_out,
            "achieved": achieved, "met": achieved >= required, "shortfall": shortfall_out,
            "per_month_needed": round(shortfall / left, 2) if left and shortfall else None}
