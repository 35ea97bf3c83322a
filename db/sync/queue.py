"""The local side of a push: which events wait for the centre, and acknowledging them.

Local events with ``pushed_at IS NULL`` go up in batches; only after the central commit are the
local rows marked ``pushed_at``. A kill between the two re-sends the batch next time, which the
centre ignores (see :mod:`db.sync.push`).
"""

from __future__ import annotations

import datetime as dt

from db.models import SignInEvent
from db.signin_sql import to_datetime
from db.sync.common import EVENT_COLUMNS, MARK_CHUNK, PUSH_BATCH, _chunks


def queued_count() -> int:
    """Local events the centre has not acknowledged yet."""
    return SignInEvent.select().where(SignInEvent.pushed_at.is_null()).count()


def queued_batch(limit: int = PUSH_BATCH) -> list[dict]:
    """The oldest unacknowledged local events, in the order they happened here.

    Each row carries ``session_uid``, by which the centre attributes it. Plain SQL and tuples
    (a push reads thousands of rows; model rows cost more than the read).
    """
    db = SignInEvent._meta.database
    left, right = db.quote[0], db.quote[1]

    def q(name: str) -> str:
        return f"{left}{name}{right}"

    # an event written without its session's uid (by code that predates it) gets it here
    columns = ", ".join(f"COALESCE(e.{q(c)}, s.{q('uid')})" if c == "session_uid" else f"e.{q(c)}"
                        for c in EVENT_COLUMNS)
    sql = (f"SELECT {columns} FROM {q('sign_in_event')} e LEFT JOIN {q('study_session')} s "
           f"ON s.{q('id')} = e.{q('session_id')} "
           f"WHERE e.{q('pushed_at')} IS NULL ORDER BY e.{q('seq')}, e.{q('id')} LIMIT {int(limit)}")
    rows = [dict(zip(EVENT_COLUMNS, values, strict=True)) for values in db.execute_sql(sql).fetchall()]
    for row in rows:
        for name in ("at", "pushed_at", "received_at"):
            row[name] = to_datetime(row[name])
    return rows


def mark_pushed(event_ids: list[str], at: dt.datetime) -> None:
    """Acknowledge a pushed batch locally: one short transaction, one plain ``UPDATE … WHERE id
    IN (…)`` per chunk (Peewee's expression building for thousands of ids cost more than
    SQLite's own work)."""
    db = SignInEvent._meta.database
    left, right = db.quote[0], db.quote[1]
    stamp = SignInEvent.pushed_at.db_value(at)
    with db.atomic():
        for chunk in _chunks(event_ids, MARK_CHUNK):
            db.execute_sql(f"UPDATE {left}sign_in_event{right} SET {left}pushed_at{right} = {db.param} "
                           f"WHERE {left}pushed_at{right} IS NULL AND {left}id{right} IN ("
                           + ", ".join([db.param] * len(chunk)) + ")", [stamp, *chunk])

