"""A door's credential cannot rewrite history (FINDINGS 1, 2, 4): the tester's attacks, replayed
on real PostgreSQL and MariaDB centres with door roles granted by the real ``kiosk centre
grant-door``, fail — and what real doors do (a live door's scans, an offline door catching up in
order, two doors and the earliest sign-in) still applies.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import uuid
from urllib.parse import urlparse, urlunparse

import peewee as pw
import pytest

from db import database, fleet
from db.models import Attendance, SignInEvent, StudySession, utcnow
from db.sync.centre_guard_sql import ORDER_SLACK_MINUTES, STALE_HOURS
from db.sync.centre_sql import NOT_APPLIED
from tests.centre_helpers import add_open_session, recent_day
from tests.conftest import wall
from tests.test_sync import centre, kiosk  # noqa: F401 — the centre fixture

CENTRE_DAY = recent_day()  # the office's day (yesterday): over, but not long over
PASSWORD = "b0unds-Secret"


@pytest.fixture
def doors(centre, tmp_path):  # noqa: F811
    """Three door roles (east, west, and one never used), granted by the real command; yields a
    function giving a connected handle with a role's own credential."""
    engine = database.engine_of(centre.url)
    base = os.environ["KIOSK_TEST_PG_URL" if engine == "postgresql" else "KIOSK_TEST_MYSQL_URL"]
    names = {k: f"kb_{k}_{uuid.uuid4().hex[:8]}" for k in ("east", "west", "spare")}
    admin = database.make_database(base)
    admin.connect()
    for name in names.values():
        if engine == "postgresql":
            admin.execute_sql(f"CREATE ROLE {name} LOGIN PASSWORD '{PASSWORD}'")
        else:
            admin.execute_sql(f"CREATE USER '{name}'@'%%' IDENTIFIED BY '{PASSWORD}'")
    admin.close()
    (tmp_path / "owner").mkdir()
    for name in names.values():
        kiosk(tmp_path / "owner", "centre", "grant-door", name, "--db", centre.url)
    parsed = urlparse(centre.url)
    handles: list[pw.Database] = []

    def connect(door: str) -> pw.Database:
        netloc = f"{names[door]}:{PASSWORD}@{parsed.hostname}:{parsed.port}"
        handle = database.make_database(urlunparse(parsed._replace(netloc=netloc)))
        handle.connect()
        handles.append(handle)
        return handle

    yield connect
    for handle in handles:
        handle.close()
    owner = database.make_database(centre.url if engine == "postgresql" else base)
    owner.connect()
    for name in names.values():
        if engine == "postgresql":
            owner.execute_sql(f"DROP OWNED BY {name}")
            owner.execute_sql(f"DROP ROLE {name}")
        else:
            owner.execute_sql(f"DROP USER '{name}'@'%%'")
    owner.close()


def insert(door: pw.Database, kiosk_id: str, at: dt.datetime, staff: str, session_uid: str,
           result: str = "present", extra: dict | None = None) -> str:
    """One event INSERTed with a door's credential, the way the tester did with psql."""
    row = {"id": str(uuid.uuid4()), "seq": 1, "kiosk_id": kiosk_id, "at": at, "method": "id",
           "result": result, "reason": "", "staff_key": staff, "session_uid": session_uid,
           "input": "", "note": "", "actor": "", **(extra or {})}
    q = door.quote
    columns = ", ".join(f"{q[0]}{c}{q[1]}" for c in row)
    with door.atomic():
        door.execute_sql(f"INSERT INTO sign_in_event ({columns}) VALUES "
                         f"({', '.join(['%s'] * len(row))})", list(row.values()))
    return row["id"]


def contact(door: pw.Database, kiosk_id: str, clock_offset: float = 0.0) -> None:
    """The door's own fleet row, written by the real code a door runs each round."""
    with door.atomic():
        fleet.report_contact(door, fleet.Contact(kiosk_id, "", 0, 0, "test"),
                             clock=lambda: dt.datetime.now(dt.UTC).timestamp() + clock_offset)


def last_heard(owner: Centre, kiosk_id: str, at: dt.datetime) -> None:
    """As if the door bound to ``kiosk_id`` was last heard from at ``at`` (the centre's time: the
    watermark is the centre's, a test cannot move the centre's clock back)."""
    with owner.db.atomic():
        owner.db.execute_sql("UPDATE kiosk_door SET latest_at = %s WHERE kiosk_id = %s",
                             (at, kiosk_id))


class Centre:
    """The owner's view: sessions by uid, the register, the events' notes."""

    def __init__(self, url: str) -> None:
        self.db = database.make_database(url)
        self.db.connect()

    def uid(self, session_id: int) -> str:
        return StudySession.select(StudySession.uid).where(StudySession.id == session_id).scalar(self.db)

    def row(self, session_id: int, staff: str) -> tuple | None:
        found = (Attendance.select(Attendance.status, Attendance.signed_in_at, Attendance.kiosk_id,
                                   Attendance.signed_out_at)
                 .where((Attendance.session == session_id) & (Attendance.staff == staff))
                 .tuples().execute(self.db))
        return next(iter(found), None)

    def note(self, event_id: str) -> str:
        return SignInEvent.select(SignInEvent.note).where(SignInEvent.id == event_id).scalar(self.db)

    def event(self, event_id: str) -> dict:
        return SignInEvent.select().where(SignInEvent.id == event_id).dicts().get(self.db)

    def close(self) -> None:
        self.db.close()


def test_a_stolen_door_cannot_put_a_sign_in_before_another_doors_real_one(centre, doors):  # noqa: F811
    """FINDINGS 1: west-door's real late sign-in stays late, whatever east's credential claims."""
    session = add_open_session(centre.url, "中心组学习", late_after=5, started_minutes_ago=40)
    owner = Centre(centre.url)
    east, west, spare = doors("east"), doors("west"), doors("spare")
    try:
        uid = owner.uid(session)
        start = utcnow() - dt.timedelta(minutes=40)
        contact(west, "west-door")
        contact(east, "east-door")  # both doors alive, reporting every round
        real = insert(west, "west-door", utcnow().replace(microsecond=0), "A1001", uid)
        held = owner.row(session, "A1001")
        assert held[0] == "late" and held[2] == "west-door" and NOT_APPLIED not in owner.note(real)
        before_start = start - dt.timedelta(minutes=2)
        # the tester's forgery: east's credential, west's kiosk id, a time before the start
        forged = insert(east, "west-door", before_start, "A1001", uid)
        # the same with east's own kiosk id: before the last time east's door was heard from
        own = insert(east, "east-door", before_start, "A1001", uid)
        # a credential never used yet, claiming west's id (its first delivery binds nothing)
        fresh = insert(spare, "west-door", before_start, "A1001", uid)
        assert owner.row(session, "A1001") == held  # still late, at west-door's time
        assert owner.note(forged) == f"{NOT_APPLIED}:other_kiosk"
        assert owner.note(own) == f"{NOT_APPLIED}:out_of_order"
        assert owner.note(fresh) == f"{NOT_APPLIED}:other_kiosk"
        # kept, every one, and stamped with the role that delivered it
        assert len({owner.event(e)["received_by"].split("@")[0] for e in (forged, own)}) == 1
        # east can still do what east's door does: sign someone in at about now
        now_scan = insert(east, "east-door", utcnow().replace(microsecond=0), "A1002", uid)
        assert owner.row(session, "A1002")[0:3:2] == ("late", "east-door")
        assert NOT_APPLIED not in owner.note(now_scan)
        # a clock step back within the slack is a real door's, and still applies
        step = utcnow() - dt.timedelta(minutes=ORDER_SLACK_MINUTES - 2)
        insert(east, "east-door", step.replace(microsecond=0), "B2001", uid)
        assert owner.row(session, "B2001")[0] == "late"
    finally:
        owner.close()


def test_a_session_long_over_is_not_a_doors_business(centre, doors):  # noqa: F811
    """FINDINGS 1: a sign-in at last week's session, delivered now, is kept but not applied."""
    owner = Centre(centre.url)
    east = doors("east")
    try:
        with owner.db.atomic():
            last_week = wall(f"{(utcnow() - dt.timedelta(days=7)).date()} 09:00")
            StudySession.update(start=last_week, end=last_week + dt.timedelta(hours=2)).where(
                StudySession.id == centre.ids["central"]).execute(owner.db)
        uid = owner.uid(centre.ids["central"])
        contact(east, "east-door")
        last_heard(owner, "east-door", last_week)  # offline since: its scans are in order
        event = insert(east, "east-door", last_week + dt.timedelta(minutes=2), "A1001", uid)
        assert owner.note(event) == f"{NOT_APPLIED}:stale_session"
        assert owner.row(centre.ids["central"], "A1001")[1] is None  # still not signed in
        assert STALE_HOURS >= 60  # a door offline Friday evening to Monday morning catches up
    finally:
        owner.close()


def test_an_offline_door_catches_up_in_order_and_the_earliest_sign_in_wins(centre, doors):  # noqa: F811
    """What real doors do still applies: yesterday's scans of a door that was offline since
    before them arrive today, in the order it made them, and beat a later scan at another door;
    once the door has been heard from, a scan dated before that contact no longer does."""
    owner = Centre(centre.url)
    east, west = doors("east"), doors("west")
    morning = centre.ids["morning"]
    day = CENTRE_DAY
    try:
        uid = owner.uid(morning)
        contact(west, "west-door")  # west too was offline since yesterday morning
        last_heard(owner, "west-door", wall(f"{day} 09:00"))
        late_at_west = insert(west, "west-door", wall(f"{day} 09:40"), "A1002", uid)
        assert owner.row(morning, "A1002")[0] == "late"
        # east was last heard from yesterday at 08:00 (its clock then), then went offline
        yesterday_8 = wall(f"{day} 08:00")
        contact(east, "east-door")
        last_heard(owner, "east-door", yesterday_8)
        catch_up = [(wall(f"{day} 08:52"), "A1001", "present"),
                    (wall(f"{day} 09:20"), "A1002", "late"),
                    (wall(f"{day} 10:58"), "A1001", "signed_out")]
        ids = [insert(east, "east-door", at, who, uid, result) for at, who, result in catch_up]
        assert not any(NOT_APPLIED in owner.note(i) for i in ids)
        assert owner.row(morning, "A1001")[0:3:2] == ("present", "east-door")
        assert owner.row(morning, "A1001")[3] == wall(f"{day} 10:58")
        a1002 = owner.row(morning, "A1002")  # east's 09:20 beats west's 09:40
        assert (a1002[0], a1002[1], a1002[2]) == ("late", wall(f"{day} 09:20"), "east-door")
        assert NOT_APPLIED not in owner.note(late_at_west)
        # back online: its round reports in; a scan dated yesterday now is a rewrite
        contact(east, "east-door")
        rewrite = insert(east, "east-door", wall(f"{day} 08:59"), "B2002", uid)
        assert owner.note(rewrite) == f"{NOT_APPLIED}:out_of_order"
        assert owner.row(morning, "B2002")[1] is None
    finally:
        owner.close()


def test_the_centre_stamps_its_own_receive_time(centre, doors):  # noqa: F811
    """FINDINGS 2: received_at/pushed_at are the centre's, whatever the door sends (2000-01-01,
    NULL), so the README's stolen-door review finds every event the door delivered."""
    owner = Centre(centre.url)
    east = doors("east")
    try:
        before = owner.db.execute_sql(
            "SELECT CAST(now() AT TIME ZONE 'UTC' AS timestamp)"
            if database.engine_of(centre.url) == "postgresql" else "SELECT UTC_TIMESTAMP(6)"
        ).fetchone()[0].replace(tzinfo=None) - dt.timedelta(seconds=1)
        sent = [insert(east, "east-door", utcnow(), None, None, "rejected",
                       {"reason": "unknown_staff", "received_at": dt.datetime(2000, 1, 1),
                        "pushed_at": dt.datetime(2000, 1, 1), "received_by": "someone"}),
                insert(east, "east-door", utcnow(), None, None, "rejected",
                       {"reason": "unknown_staff", "received_at": None})]
        for event_id in sent:
            stored = owner.event(event_id)
            assert before <= stored["received_at"] <= before + dt.timedelta(minutes=1), stored
            assert stored["pushed_at"] == stored["received_at"]
        like = ("received_by = %s" if database.engine_of(centre.url) == "postgresql"
                else "SUBSTRING_INDEX(received_by, '@', 1) = %s")
        role = owner.event(sent[0])["received_by"].split("@")[0]
        found = owner.db.execute_sql(f"SELECT count(*) FROM sign_in_event WHERE {like} "
                                     "AND received_at > %s", (role, before)).fetchone()[0]
        assert found == 2  # the review query of the README
    finally:
        owner.close()


def test_a_door_keeps_one_fleet_row_with_the_centres_time(centre, doors, tmp_path):  # noqa: F811
    """FINDINGS 4: a door cannot move its own last_seen, and cannot add phantom doors."""
    owner = Centre(centre.url)
    east, spare = doors("east"), doors("spare")
    add_open_session(centre.url)  # a session is open: a silent door is flagged
    try:
        contact(east, "east-door")
        with east.atomic():  # the tester's update of its own row: the centre's time is kept
            east.execute_sql("UPDATE kiosk_fleet SET last_seen = %s WHERE kiosk_id = 'east-door'",
                             (dt.datetime(2036, 1, 1),))
        seen = (fleet.KioskFleet.select(fleet.KioskFleet.last_seen)
                .where(fleet.KioskFleet.kiosk_id == "east-door").scalar(owner.db))
        assert abs(seen - utcnow()) < dt.timedelta(minutes=1)
        for door, kiosk_id in ((east, "south-door"), (spare, "east-door")):
            with pytest.raises(pw.DatabaseError) as refused:
                with door.atomic():
                    door.execute_sql(
                        "INSERT INTO kiosk_fleet (kiosk_id, last_seen, door_time, clock_offset_s, "
                        "day, events_today, queued, version) VALUES (%s, %s, %s, 0, '', 0, 0, 'x')",
                        (kiosk_id, dt.datetime(2036, 1, 1), dt.datetime(2036, 1, 1)))
            assert "another door" in str(refused.value) or "one row, its own" in str(refused.value), \
                str(refused.value)
        # the fleet lists east once, at the centre's time; never a phantom, never 2036
        listed = json.loads(kiosk(tmp_path / "owner", "fleet", "--json", "--db", centre.url).stdout)
        assert [d["kiosk_id"] for d in listed] == ["east-door"]
        assert listed[0]["last_seen"][:4] != "2036"
        # and a spare credential's first row binds it to that id: it then keeps that one only
        contact(spare, "north-door")
        with pytest.raises(pw.DatabaseError):
            contact(spare, "north-door-2")
    finally:
        owner.close()


def test_a_reinit_keeps_the_door_rules_after_the_older_ones(centre, doors, tmp_path):  # noqa: F811
    """The door's mark must come first in the note: 0011's revoked-badge flag runs before it,
    also after ``kiosk init`` re-creates 0011's triggers (MariaDB orders by creation)."""
    kiosk(tmp_path / "owner", "init", "--db", centre.url, "--no-keys")
    owner = Centre(centre.url)
    east = doors("east")
    try:
        with owner.db.atomic():
            owner.db.execute_sql("UPDATE staff SET badge_version = 2, updated_at = %s "
                                 "WHERE staff_id = 'A1001'", (dt.datetime(2000, 1, 1),))
            last_week = utcnow() - dt.timedelta(days=7)
            StudySession.update(start=last_week, end=last_week + dt.timedelta(hours=2)).where(
                StudySession.id == centre.ids["central"]).execute(owner.db)
        uid = owner.uid(centre.ids["central"])
        contact(east, "east-door")
        last_heard(owner, "east-door", last_week)
        event = insert(east, "east-door", last_week + dt.timedelta(minutes=1), "A1001", uid,
                       extra={"method": "qr", "badge_version": 1})
        assert owner.note(event) == f"{NOT_APPLIED}:stale_session revoked_badge_at_centre"
        assert owner.row(centre.ids["central"], "A1001")[1] is None
    finally:
        owner.close()
