"""Revoking a badge: bump the person's badge version, audited, so every older badge is refused.

The bump also moves ``Staff.updated_at`` so ``kiosk sync`` carries the new version to every kiosk.
"""

from __future__ import annotations

import datetime as dt

import peewee as pw

from db import ledger, queries
from db.roster import bump_badge_version


def revoke(db: pw.Database, staff_key: str, *, kiosk_id: str, at: dt.datetime,
           actor: str = "admin") -> tuple[dict, int, int] | None:
    """Bump the version in one transaction with its audit event; None for an unknown person."""
    with db.atomic():
        row = queries.staff_row(staff_key)
        if row is None:
            return None
        old = row["badge_version"]
        bump_badge_version(staff_key, at)
        new = queries.staff_row(staff_key)["badge_version"]  # a concurrent revoke may count too
        ledger.append_event(ledger.Event(kiosk_id=kiosk_id, at=at, method="manual",
                                         result="badge_revoked", staff_key=staff_key,
                                         note=f"badge_version {old}->{new}", actor=actor))
    return row, old, new
