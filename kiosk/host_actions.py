"""The session host's actions — leave (请假), manual sign-in (补签), undo — as one service.

The host screen (and tests) call these; each checks its inputs, decides by the same rules as the
kiosk (on time or late by the session's ``late_after``), and writes an audited event in the same
transaction as the register change. Refusals come back as an outcome with a reason, never raised.

Against a server centre whose rules run in the database (migration 0008+) the host only adds the
event (through the door's push, :func:`db.corrections.deliver`) and reads the register back in
the same transaction: the centre's rules change the register with the owner's rights, so a host
role needs no right to write it (SPEC §13). On an embedded home the rules run here, as at a door.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from zoneinfo import ZoneInfo

import peewee as pw

from db import corrections, ledger, queries
from kiosk import rules, timefmt
from kiosk.desk import FUTURE_TOLERANCE, SignInDesk
from kiosk.sign_in_outcome import session_view, staff_view
from kiosk.text_safety import has_controls

MAX_REASON = 500


@dataclass(frozen=True)
class HostOutcome:
    """``result``: leave | present | late | visitor | already | undone | refused."""

    result: str
    reason: str = ""  # for refused: reason_required, unknown_staff, inactive_staff, ...
    staff_id: str = ""
    name: str = ""
    department: str = ""
    at: dt.datetime | None = None
    already_at: dt.datetime | None = None
    event_id: str = ""

    @property
    def accepted(self) -> bool:
        return self.result != "refused"


class HostActions:
    """Host actions against the bound database, recorded under this terminal's kiosk id."""

    def __init__(self, db: pw.Database, *, tz: ZoneInfo, kiosk_id: str = "host",
                 clock: Callable[[], dt.datetime] = timefmt.utc_now) -> None:
        self.db = db
        self.tz = tz
        self.kiosk_id = kiosk_id
        self.clock = clock

    def record_leave(self, staff: str, session_id: int, reason: str, actor: str,
                     at: dt.datetime | None = None) -> HostOutcome:
        """A leave with its reason (the same path as ``kiosk leave add``)."""
        reason = _clean_reason(reason)
        if not reason:
            return HostOutcome("refused", "reason_required")
        if has_controls(reason):
            return HostOutcome("refused", "control_chars")
        desk = SignInDesk(self.db, kiosk_id=self.kiosk_id, tz=self.tz, clock=self.clock)
        try:
            row, signed_in = desk.record_leave(staff, session_id, reason, actor=actor, at=at)
        except LookupError as exc:
            return HostOutcome("refused", str(exc), staff_id=rules.normalise_staff_id(staff))
        return HostOutcome("leave", "already_signed_in" if signed_in else "", row["staff_id"],
                           row["name"], row["department"], at or self.clock())

    def manual_signin(self, staff: str, session_id: int, reason: str, actor: str,
                      at: dt.datetime | None = None) -> HostOutcome:
        """补签: present or late by the session's rules at ``at`` (default now), method manual."""
        now = self.clock()
        at = at or now
        reason = _clean_reason(reason)
        key = rules.normalise_staff_id(staff)
        with self.db.atomic():
            found = self._checked(key, session_id, reason)
            if isinstance(found, HostOutcome):
                return found
            person, session = found
            if not person.active:
                return _refused("inactive_staff", person)
            if at > now + FUTURE_TOLERANCE:  # 补签 records an arrival that has happened
                return _refused("future_time", person)
            if at < session.opens:
                return _refused("not_open_yet", person)
            held = queries.recorded_for(key, [session_id]).get(session_id)
            if held and held["signed_in_at"] is not None:
                return HostOutcome("already", "", person.staff_id, person.name, person.department,
                                   at, already_at=held["signed_in_at"])
            expected = bool(held and held["expected"]) or session.audience.includes(person)
            status = rules.arrival_status(session, at)
            if corrections.centre_applies(self.db):
                return self._centre_signin(person, session_id, status if expected else "visitor",
                                           at, reason, actor)
            fresh, event_id = corrections.manual_signin(
                session_id, key, status=status, expected=expected, at=at, reason=reason,
                actor=actor, kiosk_id=self.kiosk_id)
        if not fresh:
            held = queries.recorded_for(key, [session_id]).get(session_id) or {}
            return HostOutcome("already", "", person.staff_id, person.name, person.department, at,
                               already_at=held.get("signed_in_at"), event_id=event_id)
        return HostOutcome(status if expected else "visitor", "", person.staff_id, person.name,
                           person.department, at, event_id=event_id)

    def undo_signin(self, staff: str, session_id: int, reason: str, actor: str,
                    at: dt.datetime | None = None) -> HostOutcome:
        """Undo a mistaken sign-in: an audited ``undo`` event; the original event stays."""
        at = at or self.clock()
        reason = _clean_reason(reason)
        key = rules.normalise_staff_id(staff)
        with self.db.atomic():
            found = self._checked(key, session_id, reason)
            if isinstance(found, HostOutcome):
                return found
            person, _session = found
            if corrections.centre_applies(self.db):
                return self._centre_undo(person, session_id, at, reason, actor)
            event_id = corrections.undo_signin(session_id, key, at=at, reason=reason, actor=actor,
                                               kiosk_id=self.kiosk_id)
        if event_id is None:
            return _refused("not_signed_in", person)
        return HostOutcome("undone", "", person.staff_id, person.name, person.department, at,
                           event_id=event_id)

    def _centre_signin(self, person: rules.StaffView, session_id: int, result: str,
                       at: dt.datetime, reason: str, actor: str) -> HostOutcome:
        """补签 at a centre: the event only, then the register as the centre's rules left it."""
        event_id = corrections.deliver(self.db, ledger.Event(
            kiosk_id=self.kiosk_id, at=at, method="manual", result=result,
            staff_key=person.key, session_id=session_id, note=reason, actor=actor,
            id=ledger.new_event_id()))
        row = corrections.register_row(session_id, person.key)
        if row is None or row["signed_in_at"] is None:  # kept but not applied
            return _refused(corrections.why_not_applied(event_id), person)
        if row["event_id"] != event_id:  # another sign-in got there first
            return HostOutcome("already", "", person.staff_id, person.name, person.department,
                               at, already_at=row["signed_in_at"], event_id=event_id)
        # as the centre recorded it (someone in the audience with no register row yet is kept
        # as a visitor there: the centre's rule does not read audiences)
        return HostOutcome(row["status"] if row["expected"] else "visitor", "", person.staff_id,
                           person.name, person.department, at, event_id=event_id)

    def _centre_undo(self, person: rules.StaffView, session_id: int, at: dt.datetime,
                     reason: str, actor: str) -> HostOutcome:
        """Undo at a centre: the event only (its time not before the sign-in it undoes, which
        the centre's rule requires), then the register read back."""
        held = corrections.register_row(session_id, person.key)
        if held is None or held["signed_in_at"] is None:
            return _refused("not_signed_in", person)
        at = max(at, held["signed_in_at"])
        event_id = corrections.deliver(self.db, ledger.Event(
            kiosk_id=self.kiosk_id, at=at, method="manual", result="undo",
            staff_key=person.key, session_id=session_id, note=reason, actor=actor,
            id=ledger.new_event_id()))
        row = corrections.register_row(session_id, person.key)
        if row is not None and row["signed_in_at"] is not None:
            return _refused("not_applied", person)
        return HostOutcome("undone", "", person.staff_id, person.name, person.department, at,
                           event_id=event_id)

    def _checked(self, key: str, session_id: int, reason: str):
        """(person, session) for an audited action, or the refusal: no reason, unknown person or
        session."""
        if not reason:
            return HostOutcome("refused", "reason_required")
        if has_controls(reason):
            return HostOutcome("refused", "control_chars")
        if corrections.door_home(self.db):  # the centre would keep it, never apply it
            return HostOutcome("refused", "door_home", staff_id=key)
        if corrections.door_credential(self.db):  # a door's credential at the centre itself
            return HostOutcome("refused", "door_credential", staff_id=key)
        row = queries.staff_row(key)
        if row is None:
            return HostOutcome("refused", "unknown_staff", staff_id=key)
        person = staff_view(row)
        session_row = queries.session_by_id(session_id)
        if session_row is None:
            return _refused("session_not_found", person)
        return person, session_view(session_row)


def _clean_reason(reason: str) -> str:
    return " ".join((reason or "").split())[:MAX_REASON]


def _refused(reason: str, person: rules.StaffView) -> HostOutcome:
    return HostOutcome("refused", reason, person.staff_id, person.name, person.department)
