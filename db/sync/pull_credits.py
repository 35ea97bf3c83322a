"""Pull of credits (articles, self-study, training, trips) from the centre, like leaves.

Credits are recorded by the admin at the centre; a door (or an admin home mirroring the centre)
pulls those changed since its watermark (``updated_at`` minus the overlap) and matches them by
``uid``, the identity a credit has in every home. A credit whose person this database lacks is
skipped, so one missing row never blocks the later pulls.
"""

from __future__ import annotations

import datetime as dt

import peewee as pw

from db.models import Credit, Staff

CREDIT_FIELDS = (Credit.uid, Credit.staff, Credit.kind, Credit.title, Credit.date, Credit.hours,
                 Credit.recorded_at, Credit.recorded_by, Credit.event_id, Credit.updated_at)


def read_credits(central: pw.Database, mark: dt.datetime | None, overlap: dt.timedelta) -> list[dict]:
    query = Credit.select(*CREDIT_FIELDS)
    if mark is not None:
        query = query.where(Credit.updated_at >= mark - overlap)
    return list(query.dicts().execute(central))



def apply_credits(rows: list[dict]) -> int:
    """Credits as the centre holds them; returns how many changed locally."""
    changed = 0
    for r in rows:
        held = Credit.select(*CREDIT_FIELDS).where(Credit.uid == r["uid"]).dicts().first()
        if held is not None and _same(held, r):
            continue
        if held is None:
            if not Staff.select().where(Staff.key == r["staff"]).exists():
                continue
            Credit.insert(**r).execute()
        else:
            Credit.update(**{k: v for k, v in r.items() if k != "uid"}).where(
                Credit.uid == r["uid"]).execute()
        changed += 1
    return changed


def _same(held: dict, row: dict) -> bool:
    """Equal field by field (SQLite hands a DATE back as text, the servers as ``date``)."""
    return all(str(held[k]) == str(row[k]) for k in row)
