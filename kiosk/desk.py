"""SignInDesk: the one path every sign-in takes — kiosk screen, CLI, scanner, camera.

It cleans the input, verifies a badge, gathers the facts from the database, lets the pure rules
decide, and writes the event and the attendance in one transaction. When :meth:`sign_in`
returns, the outcome is committed (and on SQLite fsync'd), so the screen may say "done".
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from dataclasses import replace
from zoneinfo import ZoneInfo

import peewee as pw

from db import corrections, ledger, queries, signin_sql
from db.database import root_cause
from kiosk import card_numbers, rules, timefmt
from kiosk.badges import payload as badge_payload
from kiosk.sign_in_outcome import SignInOutcome, session_view, staff_view

log = logging.getLogger("kiosk.desk")
PUBLIC_KEY_SETTING = "badge_public_key"
FUTURE_TOLERANCE = dt.timedelta(minutes=1)  # clocks of kiosks and the admin's PC differ a little


def _logged_input(out: SignInOutcome, text: str) -> str:
    """What the event keeps of the input: a refusal's sanitised copy, and for any badge scan
    ``SK1.<id>.<version>`` (the ledger drops the signature from whatever it is given)."""
    if out.result == "rejected" or badge_payload.looks_like_badge(text):
        return rules.sanitise_for_log(text)
    return ""


NEAR_CACHE_SPAN = dt.timedelta(minutes=30)


class _NearCache:
    """Session views near ``start``…``until``, valid while the database's stamp is ``stamp``.

    (A plain class: a dataclass costs ~0.5 ms of every command's start-up to create.)
    """

    __slots__ = ("stamp", "start", "until", "sessions", "ids", "person_sql", "always")

    def __init__(self, stamp: tuple | None, start: dt.datetime, until: dt.datetime,
                 sessions: list[rules.SessionView]) -> None:
        self.stamp = stamp
        self.start = start
        self.until = until
        self.sessions = sessions
        self.ids = tuple(s.id for s in sessions)
        # signin_sql.person_sql(len(ids)), kept for the scans this cache serves
        self.person_sql = signin_sql.person_sql(len(self.ids)) if stamp is not None else ""
        # every session is near any instant of start…until: no filtering per scan
        low, high = until - queries.NEAR_AFTER, start + queries.NEAR_BEFORE
        self.always = all(s.start <= high and s.end >= low for s in sessions)

    def within(self, at: dt.datetime) -> list[rules.SessionView]:
        """The cached sessions near ``at`` (``start <= at <= until``)."""
        return self.sessions if self.always else SignInDesk._within(self.sessions, at)


class SignInDesk:
    """Runs sign-ins against the bound database for one kiosk."""

    def __init__(self, db: pw.Database, *, kiosk_id: str, tz: ZoneInfo,
                 allow_typed_id: bool = True, signout_grace: int = 10,
                 clock: Callable[[], dt.datetime] = timefmt.utc_now, cards_enabled: bool = True,
                 card_formats: tuple[str, ...] = card_numbers.DEFAULT_FORMATS,
                 withhold: Callable[[str], bool] | None = None) -> None:
        self.db = db
        # "is this text a secret?" (the kiosk: the admin PIN typed at the scan field while the PIN
        # dialog is not up): asked only of refused scans; such a scan is logged with no input
        self.withhold = withhold
        self.kiosk_id = kiosk_id
        self.tz = tz
        self.allow_typed_id = allow_typed_id
        self.signout_grace = signout_grace
        self.clock = clock
        self.cards_enabled = cards_enabled
        self.card_formats = card_formats
        self._public_key = None
        self._public_key_text: str | None = None
        self._near: _NearCache | None = None

    # -- badges -----------------------------------------------------------------------------
    def public_key(self):
        """The badge verify key from the database, re-read when it changes (sync, rotation)."""
        text = queries.get_setting(PUBLIC_KEY_SETTING)
        if text != self._public_key_text:
            self._public_key_text = text
            self._public_key = badge_payload.public_key_from_text(text)
        return self._public_key

    # -- the sign-in --------------------------------------------------------------------------
    def sign_in(self, raw: str, *, method: str | None = None, at: dt.datetime | None = None,
                session_id: int | None = None, ask: bool = False) -> SignInOutcome:
        """Decide and record one sign-in; durable when it returns.

        An ``at`` more than :data:`FUTURE_TOLERANCE` after the clock (``kiosk signin --at``) is
        refused as ``future_time``: a register must not hold arrivals that have not happened.

        ``ask`` (the kiosk screen, which can ask "which session?"): an ``ambiguous_session``
        outcome with choices is a question, not yet an outcome, and writes nothing; the screen
        then records the answer — the sign-in chosen, or :meth:`refuse_unchosen` — so each scan
        leaves one event, whichever way it ends.
        """
        if at is None:
            at = self.clock()
        elif at > self.clock() + FUTURE_TOLERANCE:
            return self._reject_input(raw, method or "id", at, "reason.future_time",
                                      reason="future_time")
        try:
            text = rules.clean_input(raw)
        except rules.InvalidInput as exc:
            return self._reject_input(raw, method or "id", at, exc.detail)
        badge = badge_payload.looks_like_badge(text)
        method = method or ("qr" if badge else "id")
        if not badge and not rules.is_valid_staff_id(text):
            return self._reject_input(raw, method, at, "reason.invalid_input")
        try:
            with signin_sql.ScanTransaction(self.db) as scan:  # db.atomic(), cheaper on SQLite
                outcome = self._decide(text, badge, method, at, session_id, scan)
                if ask and outcome.reason == "ambiguous_session" and outcome.choices:
                    outcome.extra["text"] = text  # for refuse_unchosen
                    log.info("asking which session for %s", outcome.staff_id)
                    return outcome
                ask_secret = outcome.result == "rejected" and self.withhold is not None
                if not ask_secret:
                    self._record(outcome, text, at, scan)
            if ask_secret:  # decided, nothing written: the secret check (scrypt, ~50 ms for a
                secret = self.withhold(text)  # PIN-shaped scan) holds no lock, then one write
                with signin_sql.ScanTransaction(self.db) as scan:
                    self._record(outcome, text, at, scan, secret=secret)
        except pw.OperationalError as exc:
            cause = root_cause(exc)  # a full disk: raise the reason, not "cannot rollback"
            if cause is not exc:
                raise cause from None
            raise
        stamp = outcome.extra.pop("stamp", None)
        if self._near is not None and stamp is not None and self._near.stamp == stamp:
            self._near.stamp = signin_sql.restamp(stamp)  # our own commit changed no session
        # the event log in the database is the record of every scan; the file log keeps refusals
        (log.info if outcome.result == "rejected" else log.debug)(
            "sign-in %s %s %s", outcome.result, outcome.reason, outcome.staff_id)
        return outcome

    def _sessions_near(self, at: dt.datetime, stamp: tuple | None) -> list[rules.SessionView]:
        """``queries.sessions_near(at)`` as views, cached while nothing is written to the database.

        On SQLite ``stamp`` (read inside this transaction) proves that no connection committed
        anything since the cache was filled; elsewhere (no cheap proof) the query runs each time.
        """
        if stamp is None:
            return [session_view(r) for r in queries.sessions_near(at)]
        near = self._near
        if near is None or not near.start <= at <= near.until:
            until = at + NEAR_CACHE_SPAN
            near = self._near = _NearCache(stamp, at, until, [
                session_view(r) for r in queries.sessions_near(at, until)])
        return near.within(at)

    def _facts(self, key: str, at: dt.datetime, scan: signin_sql.ScanTransaction):
        """(staff row, sessions near ``at`` or None, their register rows or None, stamp).

        With the sessions cached (SQLite), one statement reads the person, their register rows
        at the cached sessions and the data version that proves the cache still holds; else the
        stamp is read, a stale cache dropped, and the caller reads the rest one query at a time.
        """
        near = self._near
        if near is not None and near.stamp is not None and near.start <= at <= near.until:
            stamp, row, held = signin_sql.person_at(key, near.ids, near.person_sql, scan.conn)
            if stamp == near.stamp:
                return row, near.within(at), held, stamp
        stamp = signin_sql.data_stamp()
        if near is not None and near.stamp != stamp:
            self._near = None
        return queries.staff_row(key), None, None, stamp

    @staticmethod
    def _within(sessions: list[rules.SessionView], at: dt.datetime) -> list[rules.SessionView]:
        low, high = at - queries.NEAR_AFTER, at + queries.NEAR_BEFORE
        return [s for s in sessions if s.start <= high and s.end >= low]

    def _decide(self, text: str, badge: bool, method: str, at: dt.datetime,
                session_id: int | None, scan: signin_sql.ScanTransaction) -> SignInOutcome:
        card_mask = ""
        if badge:
            try:
                claim = badge_payload.verify(text, self.public_key())
            except badge_payload.BadgeError as exc:
                return SignInOutcome("rejected", exc.reason, at=at, method=method)
            key = claim.staff_key
            row, sessions, held, stamp = self._facts(key, at, scan)
        else:
            key, row, sessions, held, stamp = rules.normalise_staff_id(text), None, None, None, None
            if self.allow_typed_id:  # a staff ID first: a card only when no staff ID matches
                row, sessions, held, stamp = self._facts(key, at, scan)
            if row is None:
                card = self._card_holder(text, scan)
                if card is None and not self.allow_typed_id:
                    return SignInOutcome("rejected", "typed_id_disabled", at=at, method=method,
                                         detail="card.typed_id_disabled" if self.cards_enabled else "")
                if card is not None:
                    key, card_mask, method = card[0], card_numbers.mask(card[1]), "card"
                    if not self.cards_enabled:
                        return SignInOutcome("rejected", "card_disabled", at=at, method=method,
                                             card=card_mask)
                    row, sessions, held, stamp = self._facts(key, at, scan)
        if row is None:
            out = SignInOutcome("rejected", "unknown_staff", at=at, method=method,
                                staff_id=key if not badge else claim.staff_key)
            if not badge and card_numbers.looks_like_card(text, self.card_formats):
                # an unbound card (or a long number): never logged in full
                out.staff_id, out.card, out.detail = None, card_numbers.mask_text(text), "card.unknown"
            out.extra["stamp"] = stamp
            return out
        person = staff_view(row)
        if badge and claim.version != person.badge_version:
            out = SignInOutcome("rejected", at=at, method=method, staff_id=person.staff_id,
                                name=person.name, department=person.department)
            out.extra["stamp"] = stamp
            out.reason = "revoked_badge" if claim.version < person.badge_version else "bad_signature"
            return out
        if sessions is None:
            sessions = self._sessions_near(at, stamp)
        if session_id is not None and all(s.id != session_id for s in sessions):
            sessions = sessions + [session_view(r) for r in [queries.session_by_id(session_id)]
                                   if r and r.get("cancelled_at") is None]
            held = None
        if held is None:
            held = queries.recorded_for(key, [s.id for s in sessions])
        recorded = {sid: rules.Recorded(r["status"], bool(r["expected"]), r["signed_in_at"],
                                        r["signed_out_at"]) for sid, r in held.items()}
        decision = rules.decide(person, sessions, recorded, at, session_id, self.signout_grace)
        extra = {"stamp": stamp, "expected": decision.expected, "staff_key": key}
        if badge:  # kept in the event so the centre can flag a badge it revoked before this scan
            extra["badge_version"] = claim.version
        return SignInOutcome(
            decision.result, decision.reason, at, person.staff_id, person.name, person.department,
            decision.session, decision.status, decision.already_at, decision.early_leave, method,
            already_door=self._other_door(decision.result, decision.session, key),
            choices=decision.choices, card=card_mask, extra=extra,
            next_session=(self._next_today(sessions, at) if decision.reason == "no_open_session"
                          else None))

    def _card_holder(self, text: str, scan: signin_sql.ScanTransaction) -> tuple[str, int] | None:
        """``(staff key, card)`` of the person bound to the card ``text`` reads as, or None."""
        wanted = card_numbers.readings(text, self.card_formats)
        if not wanted:
            return None
        found = card_numbers.choose(signin_sql.card_holders(wanted, scan.conn), wanted)
        return None if found is None else (found[0], found[1])

    def _other_door(self, result: str, session: rules.SessionView | None, key: str) -> str:
        """For an "already": the other door that recorded the sign-in ("" when it was this one)."""
        if result != "already" or session is None:
            return ""
        door = queries.signed_in_door(session.id, key)
        return door if door != self.kiosk_id else ""

    def _next_today(self, sessions: list[rules.SessionView], at: dt.datetime):
        day_start, day_end = timefmt.day_bounds_utc(timefmt.local(at, self.tz).date(), self.tz)
        today = [s for s in sessions if day_start <= s.start < day_end]
        return rules.next_session(today, at)

    def _record(self, out: SignInOutcome, text: str, at: dt.datetime,
                scan: signin_sql.ScanTransaction, note: str = "", *, secret: bool = False) -> None:
        """Write the outcome. ``secret``: ``withhold`` found the text a secret — asked before
        the transaction, never inside it (the PIN check is slow, and the lock is every door's)."""
        key = out.extra.get("staff_key")
        if secret:
            # a secret typed where a scan goes: the refusal is kept, the text (nor its last
            # four digits as a card, nor the "staff ID" in the file log) is not
            out.staff_id, out.card, text = None, "", ""
        event = ledger.Event(self.kiosk_id, at, out.method, out.result, out.reason, key,
                             out.session.id if out.session else None,
                             out.card or (_logged_input(out, text) if text else ""),
                             note=note, id=ledger.new_event_id(),
                             badge_version=out.extra.get("badge_version"))
        if out.result in ("present", "late", "visitor"):
            fresh = ledger.mark_signed_in(out.session_id, key, status=out.status,
                                          expected=out.extra["expected"], at=at,
                                          method=out.method, kiosk_id=self.kiosk_id,
                                          event_id=event.id, via=scan)
            if not fresh:  # another kiosk got there first inside our wait for the lock
                held = queries.recorded_for(key, [out.session_id])[out.session_id]
                out.result, out.already_at = "already", held["signed_in_at"]
                out.already_door = self._other_door("already", out.session, key)
                event.result = "already"
        elif out.result == "signed_out":
            ledger.mark_signed_out(out.session_id, key, at, out.early_leave)
            event.note = "early_leave" if out.early_leave else ""
        out.event_id = ledger.append_event(event, via=scan)

    def refuse_unchosen(self, asked: SignInOutcome, why: str) -> SignInOutcome:
        """Record a question left unanswered (``sign_in(ask=True)``): the "which session?" list
        closed by the next scan, Esc or its timeout. The refusal is the scan's own event, like
        any other (``rejected``/``ambiguous_session``, the person, the scan's time and method);
        ``why`` (``next_scan``, ``cancelled``, ``timeout``) goes in its note."""
        out = replace(asked, extra=dict(asked.extra))
        text = out.extra.pop("text", "")
        out.extra.pop("stamp", None)
        secret = self.withhold is not None and self.withhold(text)
        with signin_sql.ScanTransaction(self.db) as scan:
            self._record(out, text, out.at or self.clock(), scan, note=f"unchosen:{why}",
                         secret=secret)
        log.info("sign-in rejected ambiguous_session %s (no session chosen: %s)", out.staff_id, why)
        return out

    def _reject_input(self, raw: str, method: str, at: dt.datetime, detail: str,
                      reason: str = "invalid_input") -> SignInOutcome:
        out = SignInOutcome("rejected", reason, at=at, method=method, detail=detail)
        with self.db.atomic():
            out.event_id = ledger.append_event(ledger.Event(
                kiosk_id=self.kiosk_id, at=at, method=method, result="rejected",
                reason=reason, input=rules.sanitise_for_log(raw)))
        log.info("sign-in rejected %s (%s)", reason, detail)
        return out

    # -- leave ----------------------------------------------------------------------------------
    def record_leave(self, staff_text: str, session_id: int, reason: str, actor: str = "admin",
                     at: dt.datetime | None = None) -> tuple[dict, bool]:
        """Record a leave with its audit event; returns (person row, already signed in)."""
        at = at or self.clock()
        key = rules.normalise_staff_id(staff_text)
        if corrections.door_home(self.db):  # the centre would keep it, never apply it
            raise LookupError("door_home")
        if corrections.door_credential(self.db):  # a door's credential at the centre itself
            raise LookupError("door_credential")
        with self.db.atomic():
            row = queries.staff_row(key)
            if row is None:
                raise LookupError("unknown_staff")
            if queries.session_by_id(session_id) is None:
                raise LookupError("session_not_found")
            held = queries.recorded_for(key, [session_id]).get(session_id)
            if held is None or not held["expected"]:  # a leave is for someone expected
                raise LookupError("not_expected")
            event = ledger.Event(kiosk_id=self.kiosk_id, at=at, method="manual", result="leave",
                                 staff_key=key, session_id=session_id, note=reason, actor=actor,
                                 id=ledger.new_event_id())
            applied = True
            if corrections.centre_applies(self.db):  # the centre's rules record it (SPEC §13)
                corrections.deliver(self.db, event)
                applied = ledger.has_leave(session_id, key)
            else:
                ledger.add_leave(session_id, key, reason, actor, event.id, at)
                ledger.append_event(event)
        if not applied:  # the event is kept, but a door's role may not record a leave
            raise LookupError("not_applied")
        return row, held["signed_in_at"] is not None
