"""Binding work cards to people (SPEC §12): the one place the CLI and the admin console call.

:func:`bind` and :func:`unbind` each run in one transaction with their audit event
(``card_bound`` / ``card_unbound``, method ``manual``, the card masked in the note), and refuse
with :class:`CardRefused` — a translation key and its values — whatever the caller shows it on.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import peewee as pw

from db import cards as card_store
from db import ledger, queries
from kiosk import card_numbers, rules, timefmt
from kiosk.i18n import t


class CardRefused(Exception):
    """A binding refused; ``key`` and ``values`` make its one translated line."""

    def __init__(self, key: str, **values: object) -> None:
        super().__init__(key)
        self.key = key
        self.values = values

    def message(self) -> str:
        return t(self.key, **self.values)


@dataclass
class Binding:
    """What a bind or unbind did: the person, their card now and before (numbers, not text)."""

    staff: dict
    card: int | None
    previous: int | None
    changed: bool = True
    released: list[str] = field(default_factory=list)  # inactive people the card was taken from
    shadowed_by: list[str] = field(default_factory=list)  # staff IDs a scan of it would match

    def as_json(self) -> dict:
        return {"staff_id": self.staff["staff_id"], "name": self.staff["name"],
                "card": _masked(self.card), "previous": _masked(self.previous),
                "changed": self.changed, "released": self.released,
                "shadowed_by": self.shadowed_by}

    def message(self) -> str:
        who = {"name": self.staff["name"], "staff_id": self.staff["staff_id"]}
        if self.card is None:
            return t("card.unbound", card=_masked(self.previous), **who)
        if not self.changed:
            return t("card.already", card=_masked(self.card), **who)
        if self.previous is not None:
            return t("card.rebound", old=_masked(self.previous), card=_masked(self.card), **who)
        return t("card.bound", card=_masked(self.card), **who)

    def warnings(self) -> list[str]:
        lines = []
        if self.released:
            lines.append(t("card.released", ids=", ".join(self.released)))
        if self.shadowed_by:
            lines.append(t("card.shadowed", ids=", ".join(self.shadowed_by)))
        return lines


def _masked(card: int | None) -> str | None:
    return None if card is None else card_numbers.mask(card)


def read_card(text: str, formats=card_numbers.DEFAULT_FORMATS) -> int:
    """The card a typed or presented number names (see ``card_numbers.parse``), or refused."""
    card = card_numbers.parse(text, formats)
    if card is None:
        raise CardRefused("card.invalid", value=card_numbers.mask_text(text.strip()[:40]))
    return card


def bind(db: pw.Database, staff_text: str, card_text: str, *, kiosk_id: str,
         at: dt.datetime | None = None, actor: str = "admin",
         formats: tuple[str, ...] = card_numbers.DEFAULT_FORMATS) -> Binding:
    """Bind the card ``card_text`` to the active person ``staff_text``, replacing their old one.

    The number is read as a door would read it: when any of its readings is the card the
    person holds, nothing changes (no event); when any is another active person's card, it is
    refused (unbind it there first). Otherwise the first reading is bound, replacing the
    person's old card, and an inactive holder's binding is released.
    """
    card = read_card(card_text, formats)
    readings = card_numbers.readings(card_numbers.tidy(card_text), formats)
    at = at or timefmt.utc_now()
    with db.atomic():
        person = _person(staff_text)
        if not person["active"]:
            raise CardRefused("card.inactive_staff", name=person["name"],
                              staff_id=person["staff_id"])
        previous = card_store.card_of(person["key"])
        if previous in readings:
            return Binding(person, previous, previous, changed=False,
                           shadowed_by=_shadowed_by(previous, formats, person["key"]))
        for other in readings:
            holder = card_store.active_holder(other, besides=person["key"])
            if holder is not None:
                raise CardRefused("card.taken", card=card_numbers.mask(other),
                                  name=holder["name"], staff_id=holder["staff_id"])
        shadowed = _shadowed_by(card, formats, person["key"])
        try:
            released = card_store.set_card(person["key"], card, at)
        except card_store.CardTaken as exc:
            raise CardRefused("card.taken", card=card_numbers.mask(card),
                              name=exc.holder["name"], staff_id=exc.holder["staff_id"]) from None
        note = f"card {_masked(previous)} -> {_masked(card)}" if previous else f"card {_masked(card)}"
        if released:
            note += f"; released from {', '.join(released)}"
        ledger.append_event(ledger.Event(kiosk_id=kiosk_id, at=at, method="manual",
                                         result="card_bound", staff_key=person["key"],
                                         note=note, actor=actor))
    return Binding(person, card, previous, released=released, shadowed_by=shadowed)


def unbind(db: pw.Database, staff_text: str, *, kiosk_id: str, at: dt.datetime | None = None,
           actor: str = "admin") -> Binding:
    """Remove the person's card binding; refused when they hold none (nothing to do)."""
    at = at or timefmt.utc_now()
    with db.atomic():
        person = _person(staff_text)
        previous = card_store.card_of(person["key"])
        if previous is None:
            raise CardRefused("card.none_bound", name=person["name"], staff_id=person["staff_id"])
        card_store.set_card(person["key"], None, at)
        ledger.append_event(ledger.Event(kiosk_id=kiosk_id, at=at, method="manual",
                                         result="card_unbound", staff_key=person["key"],
                                         note=f"card {_masked(previous)}", actor=actor))
    return Binding(person, None, previous)


def audit_changes(before: dict[str, int], *, kiosk_id: str, at: dt.datetime, actor: str = "admin",
                  how: str = "roster import") -> int:
    """Audit every card binding that changed since ``before`` (``db.cards.cards_by_key()`` read
    earlier in the same transaction), e.g. by a roster import: one ``card_bound`` or
    ``card_unbound`` event per person, noted with ``how``. Returns how many."""
    after = card_store.cards_by_key()
    changed = 0
    for key in sorted(set(before) | set(after)):
        old, new = before.get(key), after.get(key)
        if old == new:
            continue
        if new is None:
            result, note = "card_unbound", f"card {_masked(old)}"
        else:
            result = "card_bound"
            note = f"card {_masked(old)} -> {_masked(new)}" if old else f"card {_masked(new)}"
        ledger.append_event(ledger.Event(kiosk_id=kiosk_id, at=at, method="manual", result=result,
                                         staff_key=key, note=f"{note} ({how})", actor=actor))
        changed += 1
    return changed


def _person(staff_text: str) -> dict:
    row = queries.staff_row(rules.normalise_staff_id(staff_text))
    if row is None:
        raise CardRefused("card.unknown_staff", staff_id=staff_text.strip()[:40])
    return row


def _shadowed_by(card: int, formats: tuple[str, ...], besides: str) -> list[str]:
    """Staff IDs equal to a form of ``card`` a reader may type: a scan of the card would sign
    *them* in (a staff ID is matched before a card), so the admin is told."""
    texts = {rules.normalise_staff_id(text) for name, text in card_numbers.forms(card).items()
             if name in formats}
    return sorted(r["staff_id"] for r in map(queries.staff_row, sorted(texts - {besides})) if r)


def bound_cards() -> list[dict]:
    """Everyone holding a card: staff ID, name, department, active and the card masked."""
    return [{"staff_id": r["staff_id"], "name": r["name"], "department": r["department"],
             "active": r["active"], "card": card_numbers.mask(r["card"])}
            for r in card_store.bound()]
