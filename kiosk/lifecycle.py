"""The admin's life-cycle actions — one service for the CLI and the ``kiosk admin`` console.

Nothing is deleted: a person who left is deactivated, a session is edited or cancelled (kept,
with its reason), a leave recorded by mistake is withdrawn. Each action validates its input by
the same rules as adding (``kiosk.plan.build_session``, the roster's row checks), writes in one
transaction together with its audit event, and bumps the change stamps ``kiosk sync`` pulls by.
A refusal raises :class:`Refused` whose text is already translated (one line for a person).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

import peewee as pw

from db import cards as card_store
from db import corrections, ledger, lifecycle, queries
from db.roster import StaffRecord, upsert_staff
from db.sessions import add_session, upsert_session
from kiosk import card_numbers, cards, rules, timefmt
from kiosk.i18n import t
from kiosk.plan import PlanError, build_session

MAX_REASON = 500
# the fields ``kiosk session edit`` may change, in the order they are reported
EDITABLE = ("title", "kind", "start", "end", "audience", "location", "speaker", "credit_hours")


class Refused(Exception):
    """An action refused; ``str(exc)`` is one translated line."""


@dataclass(frozen=True)
class SessionEdit:
    """What an edit changed: field names, and how the expected list (应到) followed."""

    session_id: int
    changed: tuple[str, ...]
    added: int = 0
    demoted: int = 0
    removed: int = 0


@dataclass
class AdminActions:
    """The admin's writes against the bound database, audited under ``kiosk_id``/``actor``."""

    db: pw.Database
    tz: ZoneInfo
    kiosk_id: str = "admin"
    actor: str = "admin"
    clock: Callable[[], dt.datetime] = field(default=timefmt.utc_now)
    # the refusal when this home mirrors a centre (:func:`mirror_refusal`); "" = its own data
    mirror_of: str = ""

    def refuse_on_mirror(self) -> None:
        """A roster or plan change on a mirror home would be undone by the next pull (or stop
        the sync: rows the centre does not hold): refused, naming where it belongs (SPEC §8)."""
        if self.mirror_of:
            raise Refused(self.mirror_of)

    # -- roster ---------------------------------------------------------------------------------
    def save_staff(self, record: StaffRecord) -> str:
        """Add or update one person (the roster import's own write); "added" | "updated" |
        "unchanged"."""
        self.refuse_on_mirror()
        at = self.clock()
        with self.db.atomic():
            existed = queries.staff_row(record.key) is not None
            added, updated, _ = upsert_staff([record])
            result = "added" if added else "updated" if updated else "unchanged"
            if result != "unchanged":
                self._audit("staff_added" if not existed else "staff_updated", at,
                            staff_key=record.key)
        return result

    def import_roster(self, records: list[StaffRecord]) -> tuple[int, int, int]:
        """Write a parsed roster (all or nothing); (added, updated, unchanged).

        (Like ``kiosk session add``, an import adds no event to the sign-in log: the rows it
        writes carry their change time, which is what sync and the log's readers rely on —
        except for work cards, whose every change is audited: ``kiosk.cards.audit_changes``.)
        """
        self.refuse_on_mirror()
        with self.db.atomic():
            cards_before = card_store.cards_by_key()
            counts = upsert_staff(records)
            cards.audit_changes(cards_before, kiosk_id=self.kiosk_id, at=self.clock(),
                                actor=self.actor)
            return counts

    def deactivate(self, staff_text: str) -> dict:
        """Deactivate a person; their history stays. Returns their roster row."""
        self.refuse_on_mirror()
        key = rules.normalise_staff_id(staff_text or "")
        at = self.clock()
        with self.db.atomic():
            row = self.person(key, staff_text)
            if not lifecycle.deactivate_staff(key, at):
                raise Refused(t("admin.already_inactive", staff_id=row["staff_id"], name=row["name"]))
            self._audit("deactivated", at, staff_key=key)
        return row

    # -- work cards ----------------------------------------------------------------------------
    def bind_card(self, staff_text: str, card_text: str, formats: tuple[str, ...]) -> cards.Binding:
        """Bind the presented card (``kiosk card bind``'s own rules); a refusal stays a
        :class:`cards.CardRefused` so the console can offer its way past ``card.taken``."""
        self.refuse_on_mirror()  # a mirror home's cards come from the centre
        return cards.bind(self.db, staff_text, card_text, kiosk_id=self.kiosk_id, at=self.clock(),
                          actor=self.actor, formats=formats)

    def move_card(self, holder_text: str, staff_text: str, card_text: str,
                  formats: tuple[str, ...]) -> tuple[cards.Binding, cards.Binding]:
        """The card an active colleague holds, moved to ``staff_text``: their binding removed and
        this one made in one transaction (both audited, as ``card unbind`` then ``card bind``).
        Refused, nothing changed, when the holder no longer holds this card or the bind fails."""
        self.refuse_on_mirror()
        at = self.clock()
        readings = card_numbers.readings(card_numbers.tidy(card_text), formats)
        try:
            with self.db.atomic():
                if card_store.card_of(rules.normalise_staff_id(holder_text)) not in readings:
                    raise Refused(t("console.card_moved_meanwhile"))
                released = cards.unbind(self.db, holder_text, kiosk_id=self.kiosk_id, at=at,
                                        actor=self.actor)
                bound = cards.bind(self.db, staff_text, card_text, kiosk_id=self.kiosk_id, at=at,
                                   actor=self.actor, formats=formats)
        except cards.CardRefused as exc:
            raise Refused(exc.message()) from None
        return released, bound

    # -- the plan -------------------------------------------------------------------------------
    def add_session(self, **options) -> int:
        """Add a session exactly as ``kiosk session add`` does; its id."""
        self.refuse_on_mirror()
        try:
            item = build_session(tz=self.tz, **options)
        except PlanError as exc:
            raise Refused(str(exc)) from None
        with self.db.atomic():
            return add_session(item.fields, item.audience)

    def import_plan(self, items: list) -> list[tuple[int, str]]:
        """Write a parsed study plan (all or nothing); (id, added|updated|unchanged) per row."""
        self.refuse_on_mirror()
        with self.db.atomic():
            return [upsert_session(item.fields, item.audience) for item in items]

    def person(self, key: str, staff_text: str | None) -> dict:
        """The roster row of ``key`` (normalised from ``staff_text``, named in the refusal)."""
        row = queries.staff_row(key) if key else None
        if row is None:
            raise Refused(t("cli.unknown_staff", value=(staff_text or "").strip()[:64]))
        return row

    def session(self, session_id: int) -> dict:
        row = queries.session_by_id(session_id)
        if row is None:
            raise Refused(t("reason.session_not_found", session=session_id))
        return row

    def current_options(self, row: dict) -> dict:
        """A session as the text options ``build_session`` takes (what an edit starts from)."""
        return {"title": row["title"], "kind": row["kind"],
                "start": timefmt.wall(row["start"], self.tz), "end": timefmt.wall(row["end"], self.tz),
                "audience": rules.audience_spec(rules.audience_from_terms(row["audience"])),
                "location": row["location"], "speaker": row["speaker"],
                "credit_hours": row["credit_hours"], "require_signout": bool(row["require_signout"]),
                "open_before": row["open_before"], "late_after": row["late_after"]}

    def edit_session(self, session_id: int, **changes) -> SessionEdit:
        """Change some of a session's fields (``None`` = keep); the expected list follows the
        audience and no sign-in is lost (someone signed in who is no longer in the audience stays
        present/late as a visitor). Refused: unknown or cancelled session, invalid values,
        nothing to change."""
        self.refuse_on_mirror()
        at = self.clock()
        with self.db.atomic():
            row = self.session(session_id)
            if row["cancelled_at"] is not None:
                raise Refused(t("admin.session_cancelled", session=session_id))
            options = self.current_options(row)
            options.update({k: v for k, v in changes.items() if v is not None})
            try:
                item = build_session(tz=self.tz, **options)
            except PlanError as exc:
                raise Refused(str(exc)) from None
            fields = {k: v for k, v in item.fields.items() if row[k] != v}
            audience_changed = sorted(item.audience) != sorted(row["audience"])
            changed = tuple(k for k in EDITABLE
                            if k in fields or (k == "audience" and audience_changed))
            if not changed:
                raise Refused(t("admin.nothing_changed", session=session_id))
            added, demoted, removed = lifecycle.update_session(
                session_id, fields, item.audience if audience_changed else None, at)
            self._audit("session_edited", at, session_id=session_id, note=",".join(changed))
        return SessionEdit(session_id, changed, added, demoted, removed)

    def cancel_session(self, session_id: int, reason: str) -> dict:
        """Cancel a session: kept and shown as cancelled, refuses sign-ins, out of every report."""
        self.refuse_on_mirror()
        reason = clean_reason(reason)
        if not reason:
            raise Refused(t("admin.reason_required"))
        at = self.clock()
        with self.db.atomic():
            row = self.session(session_id)
            if not lifecycle.cancel_session(session_id, reason, at):
                raise Refused(t("admin.session_cancelled", session=session_id))
            self._audit("session_cancel", at, session_id=session_id, note=reason)
        return row

    # -- leaves ---------------------------------------------------------------------------------
    def record_leave(self, staff_text: str, session_id: int, reason: str) -> tuple[dict, bool]:
        """A leave with its reason, through the same desk as ``kiosk leave add``; returns
        (person, already signed in)."""
        from kiosk.desk import SignInDesk

        reason = clean_reason(reason)
        if not reason:
            raise Refused(t("cli.leave_reason_required"))
        desk = SignInDesk(self.db, kiosk_id=self.kiosk_id, tz=self.tz, clock=self.clock)
        try:
            return desk.record_leave(staff_text, session_id, reason, actor=self.actor)
        except LookupError as exc:
            detail = {"unknown_staff": t("cli.unknown_staff", value=(staff_text or "").strip()[:64]),
                      "session_not_found": t("reason.session_not_found", session=session_id),
                      "not_expected": t("reason.not_expected"),
                      "not_applied": t("reason.not_applied"),
                      "door_home": t("reason.door_home"),
                      "door_credential": t("reason.door_credential")}
            raise Refused(detail.get(str(exc), str(exc))) from None

    def withdraw_leave(self, staff_text: str, session_id: int) -> dict:
        """Withdraw a leave recorded by mistake: the person is expected again; the leave and its
        event stay in the record."""
        key = rules.normalise_staff_id(staff_text or "")
        at = self.clock()
        if corrections.door_home(self.db):  # the centre would keep it, never apply it
            raise Refused(t("reason.door_home"))
        with self.db.atomic():
            if corrections.door_credential(self.db):  # a door's credential at the centre itself
                raise Refused(t("reason.door_credential"))
            row = self.person(key, staff_text)
            self.session(session_id)
            if corrections.centre_applies(self.db):
                withdrawn = self._withdraw_at_centre(row, key, session_id, at)
            elif lifecycle.withdraw_leave(session_id, key, at, self.actor):
                self._audit("leave_withdrawn", at, staff_key=key, session_id=session_id)
                withdrawn = True
            else:
                raise Refused(t("admin.no_leave", staff_id=row["staff_id"], session=session_id))
        if not withdrawn:  # kept by the centre, not applied: a door's credential (committed)
            raise Refused(t("reason.not_applied"))
        return row

    def _withdraw_at_centre(self, row: dict, key: str, session_id: int, at: dt.datetime) -> bool:
        """At a server centre the withdrawal is an event its rules apply (FINDINGS 28): a host
        withdraws a leave as it records one, with no right to write ``leave``. Timed not before
        the leave (the rule withdraws a leave recorded at or before it). Applied?"""
        held = lifecycle.standing_leave(session_id, key)
        if held is None:
            raise Refused(t("admin.no_leave", staff_id=row["staff_id"], session=session_id))
        corrections.deliver(self.db, ledger.Event(
            kiosk_id=self.kiosk_id, at=max(at, held["recorded_at"]), method="manual",
            result="leave_withdrawn", staff_key=key, session_id=session_id, actor=self.actor,
            id=ledger.new_event_id()))
        return lifecycle.standing_leave(session_id, key) is None

    def _audit(self, result: str, at: dt.datetime, *, staff_key: str | None = None,
               session_id: int | None = None, note: str = "") -> str:
        return ledger.append_event(ledger.Event(kiosk_id=self.kiosk_id, at=at, method="manual",
                                                result=result, staff_key=staff_key,
                                                session_id=session_id, note=note, actor=self.actor))


def mirror_refusal(settings) -> str:
    """One line refusing a local roster/plan/card change when the bound database mirrors a
    centre (``[sync] central`` set and not the database itself); "" otherwise. Leaves are not
    refused here: they travel to the centre as events, applied there for a host's or an admin's
    credential (a door's home refuses them: :func:`db.corrections.door_home`)."""
    from db import database

    central = (settings.central_url or "").strip()
    if not central or settings.db_url.strip() == central:
        return ""
    return t("sync.mirror_refused", centre=database.redact_url(central))


def clean_reason(reason: str | None) -> str:
    """A reason as one trimmed line; control characters are refused, not silently dropped."""
    text = (reason or "").strip()
    if any(not ch.isprintable() for ch in text):
        raise Refused(t("admin.bad_text"))
    return text[:MAX_REASON]


def staff_record(staff_id: str, name: str, department: str, groups: str | None = None,
                 title: str | None = None, active: bool | None = None) -> StaffRecord:
    """One person from typed values, checked by the roster import's own row rules.

    ``None`` keeps what the roster holds (as an import file without that column would).
    """
    from kiosk.roster import _parse_row  # the import's row validation, not a copy of it

    cells = [staff_id or "", name or "", department or "", groups or "", title or "",
             "" if active is None else ("1" if active else "0")]
    cols = {"staff_id": 0, "name": 1, "department": 2}
    for index, (column, value) in enumerate((("groups", groups), ("title", title),
                                             ("active", active)), start=3):
        if value is not None:
            cols[column] = index
    record, errors = _parse_row(cells, cols)
    if record is None:
        raise Refused("; ".join(errors))
    return record
