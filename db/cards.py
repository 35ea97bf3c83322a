"""Writing work-card bindings (``Staff.card``): one card per person, unique among active staff.

The database holds a plain (non-unique) index on the column: uniqueness holds among *active*
staff only, which no portable index expresses, so every write checks it here, inside the
caller's transaction. When an active person takes a card an inactive one still holds, the inactive
one's binding is released, so reactivating them later cannot make a card name two people.
Every change moves ``Staff.updated_at``, so ``kiosk sync`` carries it to the doors.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from db.models import Department, Staff


class CardClash(ValueError):
    """Writing these cards would give two active people the same card: ``(key, other, card)``."""

    def __init__(self, clashes: list[tuple[str, str, int]]) -> None:
        super().__init__(", ".join(f"{k}/{o}" for k, o, _ in clashes))
        self.clashes = clashes


class CardTaken(ValueError):
    """The card is bound to another active person (``holder`` is their staff row as a dict)."""

    def __init__(self, card: int, holder: dict) -> None:
        super().__init__(holder["staff_id"])
        self.card = card
        self.holder = holder


def cards_by_key() -> dict[str, int]:
    """Everyone's card (only those holding one): staff key → card."""
    return dict(Staff.select(Staff.key, Staff.card).where(Staff.card.is_null(False)).tuples())


def holders(card: int) -> list[dict]:
    """Everyone bound to ``card`` (key, staff_id, name, active), active first."""
    q = (Staff.select(Staff.key, Staff.staff_id, Staff.name, Staff.active)
         .where(Staff.card == card).order_by(Staff.active.desc(), Staff.key))
    return list(q.dicts())


def card_of(key: str) -> int | None:
    row = Staff.select(Staff.card).where(Staff.key == key).tuples().first()
    return row[0] if row else None


def active_holder(card: int, besides: str) -> dict | None:
    """The active person other than ``besides`` who holds ``card``, or None."""
    return next((h for h in holders(card) if h["active"] and h["key"] != besides), None)


def set_card(key: str, card: int | None, at: dt.datetime) -> list[str]:
    """Bind ``card`` to ``key`` (None: unbind); the keys of inactive holders it was released from.

    Raises :class:`CardTaken` when another active person holds it. Caller holds a transaction.
    """
    released: list[str] = []
    if card is not None:
        for holder in holders(card):
            if holder["key"] == key:
                continue
            if holder["active"]:
                raise CardTaken(card, holder)
            released.append(holder["key"])
        if released:
            Staff.update(card=None, updated_at=at).where(Staff.key.in_(released)).execute()
    Staff.update(card=card, updated_at=at).where(Staff.key == key).execute()
    return released


def conflicts(wanted: dict[str, int | None], active: dict[str, bool]) -> list[tuple[str, str, int]]:
    """Pairs of active people who would share a card once ``wanted`` (key → card) is written
    over what the database holds; ``active`` is each key's active flag after the write.

    Returns ``(key, other key, card)`` for every such pair that involves someone in ``wanted``
    or ``active`` (``key`` that one); a clash among people the write does not touch is not its own.
    """
    final: dict[str, int | None] = {}
    flags: dict[str, bool] = {}
    for key, card, is_active in Staff.select(Staff.key, Staff.card, Staff.active).where(
            Staff.card.is_null(False)).tuples():
        final[key], flags[key] = card, bool(is_active)
    final.update(wanted)
    flags.update(active)
    touched = set(wanted) | set(active)
    seen: dict[int, str] = {}
    out = []
    # people the write does not touch first, so a clash is reported on the one it touches
    for key in sorted(final, key=lambda k: (k in touched, k)):
        card = final[key]
        if card is None or not flags.get(key, True):
            continue
        if card not in seen:
            seen[card] = key
        elif key in touched or seen[card] in touched:
            out.append((key, seen[card], card))
    return out


def release_inactive(cards: Iterable[int], at: dt.datetime) -> int:
    """Unbind these cards (just given to active people) from inactive people; how many."""
    cards = sorted(set(cards))
    keys = [k for (k,) in Staff.select(Staff.key).where(
        Staff.card.in_(cards) & ~Staff.active).tuples()] if cards else []
    if keys:
        Staff.update(card=None, updated_at=at).where(Staff.key.in_(keys)).execute()
    return len(keys)


def bound() -> list[dict]:
    """Everyone holding a card (key, staff_id, name, department, active, card), in roster order."""
    q = (Staff.select(Staff.key, Staff.staff_id, Staff.name, Staff.department, Staff.active,
                      Staff.card)
         .join(Department).where(Staff.card.is_null(False))
         .order_by(Department.sort_order, Department.name, Staff.key))
    return list(q.dicts())
