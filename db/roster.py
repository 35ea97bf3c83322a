"""Writing the roster: upsert staff by normalised staff ID, all in one transaction."""

from __future__ import annotations

from dataclasses import dataclass

from db import cards as card_store
from db.models import Department, Staff, StaffGroup, utcnow
from db.register import refresh_all_upcoming


@dataclass(frozen=True)
class StaffRecord:
    """One roster row. ``None`` for title, groups or active means "the file has no such column":
    an existing person keeps what they have, a new one gets "", no groups, active."""

    key: str
    staff_id: str
    name: str
    department: str
    title: str | None = ""
    groups: tuple[str, ...] | None = ()
    active: bool | None = True
    # the work card's number (kiosk.card_numbers) when the file has a card column, else ignored:
    # without the column everyone keeps their card; with it, an empty cell (None) unbinds
    card: int | None = None
    card_column: bool = False


def upsert_staff(records: list[StaffRecord]) -> tuple[int, int, int]:
    """Add or update each record; returns (added, updated, unchanged). Caller holds a transaction.

    An existing person keeps the spelling of their staff ID (``a1001`` in a file updates
    ``A1001`` without renaming it) and any column the file does not carry.
    """
    existing = {row["key"]: row for row in Staff.select().dicts()}
    groups: dict[str, set[str]] = {}
    for key, name in StaffGroup.select(StaffGroup.staff, StaffGroup.name).tuples():
        groups.setdefault(key, set()).add(name)
    known_depts = {n for (n,) in Department.select(Department.name).tuples()}
    next_order = len(known_depts)
    active_after = _check_cards(records, existing)
    added = updated = unchanged = 0
    for rec in records:
        if rec.department not in known_depts:
            Department.insert(name=rec.department, sort_order=next_order).execute()
            known_depts.add(rec.department)
            next_order += 1
        old = existing.get(rec.key)
        fields = {"staff_id": old["staff_id"] if old else rec.staff_id, "name": rec.name,
                  "department": rec.department,
                  "title": rec.title if rec.title is not None else (old["title"] if old else ""),
                  "active": rec.active if rec.active is not None else (old["active"] if old else True)}
        if rec.card_column:
            fields["card"] = rec.card
        had = groups.get(rec.key, set())
        wanted = set(rec.groups) if rec.groups is not None else had
        if old is None:
            Staff.insert(key=rec.key, updated_at=utcnow(), **fields).execute()
            added += 1
        elif any(old[k] != v for k, v in fields.items()) or had != wanted:
            Staff.update(updated_at=utcnow(), **fields).where(Staff.key == rec.key).execute()
            updated += 1
        else:
            unchanged += 1
            continue
        if had != wanted:
            StaffGroup.delete().where(StaffGroup.staff == rec.key).execute()
            if wanted:
                StaffGroup.insert_many([{"staff": rec.key, "name": g} for g in sorted(wanted)]).execute()
    card_store.release_inactive([r.card for r in records if r.card_column and r.card is not None
                                 and active_after[r.key]], utcnow())
    refresh_all_upcoming()
    return added, updated, unchanged


def card_clashes(records: list[StaffRecord]) -> list[tuple[str, str, int]]:
    """What :func:`upsert_staff` would refuse about cards (``(key, other key, card)`` each), for
    a preview that writes nothing."""
    existing = {row["key"]: row for row in Staff.select(Staff.key, Staff.active).dicts()}
    try:
        _check_cards(records, existing)
    except card_store.CardClash as exc:
        return exc.clashes
    return []


def _check_cards(records: list[StaffRecord], existing: dict[str, dict]) -> dict[str, bool]:
    """Each person's active flag after the import; refuses (:class:`db.cards.CardClash`) a file
    that would give two active people one card (a new binding, or a reactivated holder)."""
    active = {r.key: (r.active if r.active is not None
                      else bool(existing.get(r.key, {}).get("active", True))) for r in records}
    clashes = card_store.conflicts({r.key: r.card for r in records if r.card_column}, active)
    if clashes:
        raise card_store.CardClash(clashes)
    return active


def bump_badge_version(key: str, at) -> None:
    """Revoke every badge printed so far; ``updated_at`` moves so sync carries it to kiosks."""
    Staff.update(badge_version=Staff.badge_version + 1, updated_at=at).where(Staff.key == key).execute()
