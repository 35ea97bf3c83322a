"""The desk caches the sessions near now (SQLite); any write, from this connection or another
process, must be seen by the very next scan — the cache may only save work, never change an answer."""

from __future__ import annotations

import sqlite3
from zoneinfo import ZoneInfo

from db.sessions import add_session
from kiosk.desk import SignInDesk
from tests.conftest import make_office, wall

TZ = ZoneInfo("Asia/Shanghai")


def test_session_added_on_this_connection_is_seen_at_once(db):
    make_office(db)
    desk = SignInDesk(db, kiosk_id="door-1", tz=TZ)
    at = wall("2026-11-28 12:00")
    assert desk.sign_in("A1001", at=at).reason == "no_open_session"
    assert desk.sign_in("A1002", at=at).reason == "no_open_session"  # served from the cache
    with db.atomic():
        sid = add_session({"title": "午间加场", "kind": "lecture", "start": wall("2026-11-28 12:00"),
                           "end": wall("2026-11-28 13:00")}, [("all", "")])
    out = desk.sign_in("A1001", at=at.replace(second=5))
    assert (out.result, out.session_id) == ("present", sid)


def test_changes_by_another_process_are_seen_at_once(db, sqlite_url):
    ids = make_office(db)
    desk = SignInDesk(db, kiosk_id="door-1", tz=TZ)
    at = wall("2026-11-28 09:10")
    assert desk.sign_in("A1001", at=at).result == "late"
    assert desk.sign_in("A1002", at=at).result == "late"
    other = sqlite3.connect(sqlite_url.split("///", 1)[1])
    with other:  # another kiosk's admin moves the morning session's start later
        other.execute("UPDATE study_session SET start = ? WHERE id = ?",
                      (str(wall("2026-11-28 09:30")), ids["morning"]))
    other.close()
    assert desk.sign_in("B2001", at=at).result == "present"
    other = sqlite3.connect(sqlite_url.split("///", 1)[1])
    with other:  # … and signs B2002 in from their own kiosk
        other.execute("UPDATE attendance SET status = 'present', signed_in_at = ? "
                      "WHERE session_id = ? AND staff_id = 'B2002'", (str(at), ids["morning"]))
    other.close()
    out = desk.sign_in("B2002", at=at)
    assert out.result == "already" and out.already_at == at


def test_audience_change_elsewhere_is_seen(db, sqlite_url):
    make_office(db)
    desk = SignInDesk(db, kiosk_id="door-1", tz=TZ)
    at = wall("2026-11-28 12:00")
    other = sqlite3.connect(sqlite_url.split("///", 1)[1])
    with other:  # another process adds a session with no audience yet
        sid = other.execute(
            "INSERT INTO study_session (title, kind, start, \"end\", location, speaker, open_before, "
            "late_after, require_signout, updated_at) VALUES ('加场', 'lecture', ?, ?, '', '', 30, 5, 0, ?)",
            (str(wall("2026-11-28 12:00")), str(wall("2026-11-28 13:00")), str(at))).lastrowid
    assert desk.sign_in("A1002", at=at).result == "visitor"  # fills the cache: nobody expected
    with other:  # … then names its audience: the central group
        other.execute("INSERT INTO session_audience (session_id, kind, value) VALUES (?, 'group', '中心组')",
                      (sid,))
    other.close()
    out = desk.sign_in("B2002", at=at)
    assert (out.result, out.session_id) == ("present", sid)
