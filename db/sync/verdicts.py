"""Which of this door's pushed events the centre kept but did not apply (FINDINGS 6).

A server centre keeps every event a door role delivers, but applies only what the door itself
could have scanned then (:mod:`db.sync.centre_guard_sql`, migration 0011's rules): a door whose
clock runs 20 minutes fast confirms a sign-in on screen that the centre then does not count. So
after each push the door asks, by the ids it just pushed, which ones the centre marked
``not_applied_door_role`` (``kiosk_door_verdicts``: a role sees only what it delivered itself),
logs each and remembers them in ``sync_state`` for its status line ("中心未采用 N 条"). The host
sees the same events as 待核实 and can 补签 them with a reason.

A centre without the routine (older schema, SQLite) or a role without the right to call it
answers None: unknown, never a failed round.
"""

from __future__ import annotations

import json

import peewee as pw

from db.sync.common import _engine, get_state, set_state

NOT_APPLIED = "not_applied_door_role"  # as db.sync.centre_sql.NOT_APPLIED (not imported: SQL module)
STATE_KEY = "centre.not_applied"
PENDING_KEY = "centre.verdicts_to_ask"
MAX_PENDING = 20_000
# MariaDB: no routine (1305), no right to call it (1370), no right on a table (1142): unknown
CANNOT_SAY = (1305, 1370, 1142)
TIME_REASON = "time"  # 0011's bare mark on a door's own kind: ahead of the centre, or outside the window
# what each reason means, for the door's log (read by the office's IT, in English like the log)
EXPLAINED = {
    TIME_REASON: "timed more than 15 min ahead of the centre's clock, or outside its session's window",
    "out_of_order": "timed more than 5 min before the latest time the centre had from this door",
    "other_kiosk": "it names a kiosk id another door's credential holds",
    "stale_session": "its session ended more than 72 h before it arrived",
}


def reason_of(note: str) -> str:
    """``out_of_order`` from ``not_applied_door_role:out_of_order …``; a bare mark is 0011's,
    which for a door's own kinds means the time (ahead of the centre's clock, outside the window)."""
    rest = (note or "")[len(NOT_APPLIED):]
    if rest.startswith(":"):
        return rest[1:].split(" ", 1)[0] or TIME_REASON
    return TIME_REASON


def not_applied(central: pw.Database, ids: list[str]) -> dict[str, str] | None:
    """{event id: reason} for those of ``ids`` this role delivered and the centre did not apply;
    None when the centre cannot say (no routine there, or no right to call it)."""
    if not ids:
        return {}
    engine = _engine(central)
    if engine == "sqlite":
        return {}  # a SQLite centre applies in Python, for the owner: nothing is held back
    try:
        with central.atomic():  # a savepoint: a refusal undoes only this
            if engine == "postgresql":
                rows = central.execute_sql("SELECT id, note FROM kiosk_door_verdicts(%s::text[])",
                                           (list(ids),)).fetchall()
            else:
                cursor = central.execute_sql("CALL kiosk_door_verdicts(%s)", (json.dumps(ids),))
                rows = cursor.fetchall()
                while cursor.nextset():  # the CALL's own status result
                    pass
    except (pw.ProgrammingError, pw.InternalError):
        return None
    except pw.OperationalError as exc:
        if engine == "mysql" and exc.args and exc.args[0] in CANNOT_SAY:
            return None
        raise  # the connection failed (timeout, dropped): ask again next round (ask_again)
    return {event_id: reason_of(note) for event_id, note in rows}


def still_to_ask() -> list[str]:
    """Ids pushed in a round whose question failed on the way (the connection dropped)."""
    try:
        ids = json.loads(get_state(PENDING_KEY) or "[]")
    except ValueError:
        return []
    return [str(i) for i in ids] if isinstance(ids, list) else []


def ask_again(ids: list[str]) -> None:
    """Keep ``ids`` to ask about at the next round (bounded: the newest ones)."""
    set_state(PENDING_KEY, json.dumps(ids[-MAX_PENDING:]))


def remember(found: dict[str, str], day: str) -> int:
    """Add ``found`` to the local record of ``day`` (the door's local date; a new day starts a
    new count); the number of not-applied events on record for that day."""
    held = held_back(day)
    if found:
        held.update(found)
        set_state(STATE_KEY, json.dumps({"day": day, "events": held}, sort_keys=True))
    return len(held)


def held_back(day: str) -> dict[str, str]:
    """{event id: reason} the centre did not apply, as recorded on ``day`` (empty on another)."""
    try:
        record = json.loads(get_state(STATE_KEY) or "{}")
    except ValueError:
        return {}
    if not isinstance(record, dict) or record.get("day") != day:
        return {}
    events = record.get("events")
    return dict(events) if isinstance(events, dict) else {}
