"""The host's corrections to the register — manual sign-in (补签) and undo — as audited writes.

Each correction is an event in the append-only log (method ``manual``, the host's reason in
``note``, who did it in ``actor``) next to the change of the attendance row; history is never
edited or deleted. The caller wraps each call in ``db.atomic()`` so both land together.
"""

from __future__ import annotations

import datetime as dt

from db import ledger


def manual_signin(session_id: int, staff_key: str, *, status: str, expected: bool,
                  at: dt.datetime, reason: str, actor: str, kiosk_id: str) -> tuple[bool, str]:
    """Record a 补签; returns (fresh, event id). Not fresh: someone had already signed in."""
    event_id = ledger.new_event_id()
    fresh = ledger.mark_signed_in(session_id, staff_key, status=status, expected=expected, at=at,
                                  method="manual", kiosk_id=kiosk_id, event_id=event_id)
    result = ("visitor" if not expected else status) if fresh else "already"
    ledger.append_event(ledger.Event(kiosk_id=kiosk_id, at=at, method="manual", result=result,
                                     staff_key=staff_key, session_id=session_id, note=reason,
                                     actor=actor, id=event_id))
    return fresh, event_id


def undo_signin(session_id: int, staff_key: str, *, at: dt.datetime, reason: str, actor: str,
                kiosk_id: str) -> str | None:
    """Return a mistaken sign-in to pending (or excused, if a leave exists); the event id or None.

    The sign-in's own event stays in the log; the ``undo`` event records who reverted it and why.
    """
    had_leave = ledger.has_leave(session_id, staff_key)
    if not ledger.undo_signin(session_id, staff_key, had_leave):
        return None
    return ledger.append_event(ledger.Event(kiosk_id=kiosk_id, at=at, method="manual",
                                            result="undo", staff_key=staff_key,
                                            session_id=session_id, note=reason, actor=actor))
