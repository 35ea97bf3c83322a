"""FINDINGS 6: a door never shows a healthy sync over a sign-in the centre did not count.

A door role's sign-in timed 20 minutes ahead (a door clock running fast) is kept at the centre but
not applied; the door, through the real ``kiosk sync``, learns it by id, logs it and says so, and
warns of a clock off the centre's. Real PostgreSQL and MariaDB centres, real door roles.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import subprocess

import peewee as pw
import pytest

from db import database
from db.models import SignInEvent
from db.sync.centre_sql import NOT_APPLIED
from kiosk.i18n import set_language
from kiosk.ui.widgets.sync_mark import SyncState
from tests.centre_helpers import add_open_session, recent_day
from tests.conftest import TZ
from tests.test_centre_roles import door_role  # noqa: F401 — a login role with no rights yet
from tests.test_sync import KIOSK, centre, kiosk, new_home  # noqa: F401 — the centre fixture

CENTRE_DAY = recent_day()


def local(at: dt.datetime) -> str:
    return at.astimezone(TZ).strftime("%Y-%m-%d %H:%M")


def test_a_sign_in_the_centre_did_not_apply_is_told_at_the_door(centre, door_role, tmp_path):  # noqa: F811
    role, url = door_role
    kiosk(tmp_path / "owner", "centre", "grant-door", role, "--db", centre.url)
    session = add_open_session(centre.url, late_after=60, started_minutes_ago=30)
    door = new_home(tmp_path, "door", "door-1")
    kiosk(door, "sync", "--once", "--central", url)  # the door's round: it is heard from now
    now = dt.datetime.now(dt.UTC)
    fine = json.loads(kiosk(door, "signin", "A1001", "--session", str(session), "--json").stdout)
    # a sign-in this door timed a quarter of an hour before its own last round
    backdated = json.loads(kiosk(door, "signin", "A1002", "--session", str(session), "--at",
                                 local(now - dt.timedelta(minutes=15)), "--json").stdout)
    assert fine["result"] == backdated["result"] == "present"  # the door confirmed both
    done = kiosk(door, "sync", "--once")
    assert "0 still queued" in done.stdout
    assert "did not apply 1 of this kiosk's events today" in done.stderr, done.stderr
    zh = kiosk(door, "sync", "--once", env={"KIOSK_LANG": "zh"})  # remembered, in the door's words
    assert "中心保留但未采用本机今天的 1 条记录" in zh.stderr, zh.stderr
    owner = database.make_database(centre.url)
    owner.connect()
    try:
        held = (SignInEvent.select(SignInEvent.id, SignInEvent.note)
                .where(SignInEvent.staff_key == "A1002").tuples().execute(owner))
        (event_id, note), = list(held)
        assert note.startswith(NOT_APPLIED)
    finally:
        owner.close()
    log = (door / "logs" / "kiosk.log").read_text(encoding="utf-8")
    assert f"did not apply event {event_id} (present A1002" in log and ": out_of_order" in log, log


@pytest.mark.skipif(shutil.which("faketime") is None, reason="needs faketime (apt install faketime)")
@pytest.mark.parametrize("centre", ["postgresql"], indirect=True)
def test_a_door_whose_clock_is_fast_says_so(centre, door_role, tmp_path):  # noqa: F811
    role, url = door_role
    kiosk(tmp_path / "owner", "centre", "grant-door", role, "--db", centre.url)
    session = add_open_session(centre.url)
    door = new_home(tmp_path, "door", "door-1")
    faketime = shutil.which("faketime")
    done = kiosk(door, "sync", "--once", "--central", url)
    assert "clock" not in done.stderr

    def fast(*args: str) -> subprocess.CompletedProcess:
        done = subprocess.run([faketime, "-f", "+20m", KIOSK, *args], capture_output=True,
                              text=True, timeout=60, env={**os.environ, "KIOSK_HOME": str(door),
                                                          "KIOSK_LANG": "en"})
        assert done.returncode == 0, done.stdout + done.stderr
        return done

    # the tester's door (FINDINGS 6): 20 minutes fast, a sign-in confirmed, then its round
    assert json.loads(fast("signin", "A1001", "--session", str(session), "--json").stdout
                      )["result"] in ("present", "late")
    done = fast("sync", "--once")
    assert "0 still queued" in done.stdout
    assert "This kiosk's clock is off the centre's by +20 min" in done.stderr, done.stderr
    assert "did not apply 1 of this kiosk's events today" in done.stderr, done.stderr


def test_the_status_line_names_what_the_centre_did_not_take():
    set_language("zh")
    try:
        healthy = SyncState(local_only=False, reachable=True, queued=0, clock_offset_s=30.0)
        assert healthy.label() == "● 中心已连接 · 待上传 0" and not healthy.warning
        state = SyncState(local_only=False, reachable=True, queued=0, not_applied=2,
                          clock_offset_s=1200.0)
        assert state.label() == "● 中心已连接 · 待上传 0 · 中心未采用 2 条 · 时钟偏差 +20min"
        assert state.warning and "中心未采用 2 条" in state.detail()
        slow = SyncState(local_only=False, reachable=True, clock_offset_s=-150.0)
        assert slow.label().endswith("时钟偏差 -2min")
    finally:
        set_language("en")


@pytest.mark.parametrize("centre", ["mysql"], indirect=True)
def test_a_mariadb_door_granted_before_the_upgrade_may_ask(centre, door_role, tmp_path):  # noqa: F811
    """A door account granted before 0014 gets EXECUTE on the verdicts from the owner's next
    ``kiosk init`` (as 0013 does for its procedure), not only from a new grant-door."""
    role, _ = door_role
    kiosk(tmp_path / "owner", "centre", "grant-door", role, "--db", centre.url)
    owner = database.make_database(centre.url)
    owner.connect()
    try:
        name = owner.execute_sql("SELECT DATABASE()").fetchone()[0]
        owner.execute_sql(f"REVOKE EXECUTE ON PROCEDURE `{name}`.`kiosk_door_verdicts` "
                          f"FROM '{role}'@'%%'")

        def granted() -> bool:
            rows = owner.execute_sql(f"SHOW GRANTS FOR '{role}'@'%%'").fetchall()
            return any("kiosk_door_verdicts" in row[0] for row in rows)

        assert not granted()
        kiosk(tmp_path / "owner", "init", "--db", centre.url, "--no-keys")
        assert granted()
    finally:
        owner.close()


def test_a_question_cut_off_by_the_network_is_asked_again(centre, db):  # noqa: F811
    """Review m2: the question "which of my events did you not apply?" failing on a dropped
    connection must not be answered "none" for good: the error reaches the caller (the round
    keeps the ids to ask again), while a centre that cannot say at all answers None."""
    from db.sync import verdicts

    central = database.make_database(centre.url)
    central.connect()
    try:
        assert verdicts.not_applied(central, ["no-such-id"]) == {}  # the routine answers
        killer = database.make_database(centre.url)
        killer.connect()
        if "postgres" in centre.url:
            pid = central.execute_sql("SELECT pg_backend_pid()").fetchone()[0]
            killer.execute_sql("SELECT pg_terminate_backend(%s)", (pid,))
        else:
            pid = central.execute_sql("SELECT CONNECTION_ID()").fetchone()[0]
            killer.execute_sql(f"KILL {int(pid)}")
        killer.close()
        with pytest.raises((pw.OperationalError, pw.InterfaceError)):
            verdicts.not_applied(central, ["no-such-id"])
    finally:
        if not central.is_closed():
            try:
                central.close()
            except (pw.OperationalError, pw.InterfaceError):
                pass
    verdicts.ask_again(["a", "b"])  # the door's own home remembers them until asked
    assert verdicts.still_to_ask() == ["a", "b"]
    verdicts.ask_again([])
    assert verdicts.still_to_ask() == []
