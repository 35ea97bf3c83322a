"""Credits outside sessions: writes (each with its audit event) and the reads reports need.

A credit is identified by its person, kind, title and date: recording the same one again changes
its hours (``updated``) or nothing (``unchanged``), so importing a file twice counts nothing twice.
Every write appends an event (``result = "credit"``, the title in ``note``) to the log, like a leave.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

import peewee as pw

from db import ledger
from db.models import Credit, Department, Staff, utcnow

KINDS = ("article", "self_study", "training", "trip", "other")


@dataclass(frozen=True)
class CreditRecord:
    """One validated credit to record (``staff_key`` normalised, ``date`` a local day)."""

    staff_key: str
    kind: str
    title: str
    date: dt.date
    hours: float | None


def record_credits(records: list[CreditRecord], *, actor: str, kiosk_id: str,
                   at: dt.datetime | None = None) -> list[tuple[str, str]]:
    """Record every credit in one transaction; ``[(uid, added|updated|unchanged)]`` in order."""
    at = at or utcnow()
    done = []
    with Credit._meta.database.atomic():
        for record in records:
            done.append(_record_one(record, actor=actor, kiosk_id=kiosk_id, at=at))
    return done


def _record_one(record: CreditRecord, *, actor: str, kiosk_id: str, at: dt.datetime) -> tuple[str, str]:
    held = (Credit.select(Credit.uid, Credit.hours)
            .where((Credit.staff == record.staff_key) & (Credit.kind == record.kind)
                   & (Credit.title == record.title) & (Credit.date == record.date)).first())
    if held is not None and held.hours == record.hours:
        return held.uid, "unchanged"
    event_id = ledger.new_event_id()
    if held is None:
        uid, what = ledger.new_event_id(), "added"
        Credit.insert(uid=uid, staff=record.staff_key, kind=record.kind, title=record.title,
                      date=record.date, hours=record.hours, recorded_at=at, recorded_by=actor[:64],
                      event_id=event_id, updated_at=at).execute()
    else:
        uid, what = held.uid, "updated"
        Credit.update(hours=record.hours, recorded_by=actor[:64], event_id=event_id,
                      updated_at=at).where(Credit.uid == uid).execute()
    hours = "" if record.hours is None else f" {record.hours:g}h"
    ledger.append_event(ledger.Event(
        kiosk_id=kiosk_id, at=at, method="manual", result="credit", reason=record.kind,
        staff_key=record.staff_key, note=f"{record.date.isoformat()}{hours} {record.title}",
        actor=actor, id=event_id))
    return uid, what


def credits_between(first: dt.date, last: dt.date, staff_key: str | None = None) -> list[dict]:
    """Credits dated ``first``..``last`` (inclusive) with the person's ID, name and department,
    by date, then department order and staff ID."""
    query = (Credit.select(Credit.uid, Credit.kind, Credit.title, Credit.date, Credit.hours,
                           Credit.recorded_at, Credit.recorded_by, Staff.key, Staff.staff_id,
                           Staff.name, Staff.department)
             .join(Staff, on=(Credit.staff == Staff.key))
             .join(Department, on=(Staff.department == Department.name))
             .where((Credit.date >= first) & (Credit.date <= last))
             .order_by(Credit.date, Department.sort_order, Staff.key, Credit.id))
    if staff_key is not None:
        query = query.where(Credit.staff == staff_key)
    rows = list(query.dicts())
    for row in rows:
        row["date"] = _day(row["date"])
        row["hours"] = None if row["hours"] is None else float(row["hours"])
    return rows


def credit_sums(first: dt.date, last: dt.date) -> dict[str, dict[str, tuple[float, int]]]:
    """Per person and kind: (hours, how many credits) dated ``first``..``last`` — one GROUP BY."""
    query = (Credit.select(Credit.staff, Credit.kind, pw.fn.COALESCE(pw.fn.SUM(Credit.hours), 0),
                           pw.fn.COUNT(Credit.id))
             .where((Credit.date >= first) & (Credit.date <= last))
             .group_by(Credit.staff, Credit.kind).tuples())
    sums: dict[str, dict[str, tuple[float, int]]] = defaultdict(dict)
    for key, kind, hours, count in query:
        sums[key][kind] = (round(float(hours or 0), 2), int(count))
    return dict(sums)


def _day(value) -> dt.date:
    """A DATE column as ``date`` on every engine (SQLite may hand back text)."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, str):
        return dt.date.fromisoformat(value[:10])
    return value


def staff_exists(key: str) -> bool:
    return Staff.select().where(Staff.key == key).exists()
