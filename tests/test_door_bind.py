"""A door's binding at the centre (FINDINGS 34, 11, 31, 32), as real door roles on PostgreSQL
and MariaDB, through the real ``kiosk`` command where the tester used it:

- renaming a door (its ``[kiosk] id``) carries the binding along by its install id; its scans
  under either id count, its old fleet row goes once silent, and a copy of its disk that renames
  it is noticed by the real door, which pushes nothing until the owner acts
  (``kiosk centre rebind``);
- a role not yet bound is held to the centre's clock from its first event, and ``kiosk init``
  binds every door role that has delivered events (to its latest kiosk id);
- a door whose clock was stepped back is judged in its own clock (up to 15 min behind), a
  thief's backdating beyond that is not.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import shutil
import subprocess

import pytest

from db import fleet
from db.models import utcnow
from db.sync.centre_guard_sql import BEHIND_LIMIT_SECONDS, ORDER_SLACK_MINUTES
from db.sync.centre_sql import NOT_APPLIED
from tests.centre_helpers import add_open_session
from tests.test_centre_roles import door_role  # noqa: F401 — a login role with no rights yet
from tests.test_door_bounds import CENTRE_DAY, Centre, doors, insert, last_heard  # noqa: F401
from tests.test_sync import KIOSK, centre, kiosk, new_home  # noqa: F401 — the centre fixture

assert CENTRE_DAY  # (the centre fixture reads this module's office day)


def binding(owner: Centre, role: str) -> tuple | None:
    rows = owner.db.execute_sql(
        "SELECT kiosk_id, latest_at, renamed_from FROM kiosk_door WHERE "
        + ("role" if "postgres" in type(owner.db).__name__.lower() else "`role`") + " = %s",
        (role,)).fetchall()
    return rows[0] if rows else None


def rename(home, kiosk_id: str) -> None:
    """The README's way: edit ``id = …`` in config.toml (the tester's sed)."""
    path = home / "config.toml"
    text = re.sub(r'(?m)^id = .*$', f'id = "{kiosk_id}"', path.read_text(encoding="utf-8"))
    path.write_text(text, encoding="utf-8")


def signin(home, staff: str, session: int) -> None:
    done = json.loads(kiosk(home, "signin", staff, "--session", str(session), "--json").stdout)
    assert done["result"] in ("present", "late", "visitor"), done


def test_a_renamed_door_keeps_counting_and_a_copy_that_renames_it_is_noticed(
        centre, door_role, tmp_path):  # noqa: F811
    role, url = door_role
    owner_home = tmp_path / "owner"
    kiosk(owner_home, "centre", "grant-door", role, "--db", centre.url)
    session = add_open_session(centre.url, late_after=60, started_minutes_ago=5)
    door = new_home(tmp_path, "door", "vm-6338")  # the generated id of its first day
    kiosk(door, "sync", "--once", "--central", url)
    owner = Centre(centre.url)
    try:
        assert binding(owner, role)[0] == "vm-6338"
        signin(door, "A1001", session)  # queued under the old id, not yet pushed
        rename(door, "east-door")  # the README's first-day clean-up
        signin(door, "A1002", session)
        done = kiosk(door, "sync", "--once")
        assert "0 still queued" in done.stdout and "did not apply" not in done.stderr, done.stderr
        for staff, kiosk_id in (("A1001", "vm-6338"), ("A1002", "east-door")):
            assert owner.row(session, staff)[0] == "present"
            assert owner.row(session, staff)[2] == kiosk_id
        assert binding(owner, role)[0::2] == ("east-door", "vm-6338")
        # FINDINGS 11: the old row is not a silent door once it has been quiet for a while
        listed = json.loads(kiosk(owner_home, "fleet", "--json", "--db", centre.url).stdout)
        assert {d["kiosk_id"] for d in listed} == {"vm-6338", "east-door"}
        later = utcnow() + fleet.SILENCE_LIMIT * 2  # (the rows are the centre's to stamp)
        listed = fleet.list_doors(owner.db, later.date().isoformat(), later)
        assert [d.kiosk_id for d in listed] == ["east-door"]
        # or the owner removes it at once
        gone = kiosk(owner_home, "fleet", "--forget", "vm-6338", "--db", centre.url)
        assert "vm-6338" in gone.stdout
        assert "vm-6338" in kiosk(owner_home, "fleet", "--forget", "vm-6338", "--db", centre.url,
                                  check=1).stderr
        listed = json.loads(kiosk(owner_home, "fleet", "--json", "--db", centre.url).stdout)
        assert [d["kiosk_id"] for d in listed] == ["east-door"]

        # a copy of the door's disk (credential and install id) renames it elsewhere
        copy = tmp_path / "copy"
        shutil.copytree(door, copy)
        rename(copy, "west-lobby")
        kiosk(copy, "sync", "--once")
        assert binding(owner, role)[0::2] == ("west-lobby", "east-door")
        # the real door notices at its next round, and keeps its scan rather than push it
        signin(door, "B2001", session)
        noticed = kiosk(door, "sync", "--once", check=1)
        assert "renamed kiosk id east-door to west-lobby" in noticed.stdout + noticed.stderr
        assert owner.row(session, "B2001")[1] is None
        zh = kiosk(door, "sync", "--once", check=1, env={"KIOSK_LANG": "zh"})
        assert "磁盘被复制" in zh.stdout + zh.stderr
        # the owner moves it back; the kept scan then counts
        moved = kiosk(owner_home, "centre", "rebind", role, "east-door", "--db", centre.url)
        assert "east-door" in moved.stdout and "west-lobby" in moved.stdout
        done = kiosk(door, "sync", "--once")
        assert "0 still queued" in done.stdout and "did not apply" not in done.stderr, done.stderr
        assert owner.row(session, "B2001")[0:3:2] == ("present", "east-door")
    finally:
        owner.close()


def test_rebind_is_the_owners_and_refuses_another_doors_id(centre, doors, tmp_path):  # noqa: F811
    owner_home = tmp_path / "owner"
    owner = Centre(centre.url)
    east, west = doors("east"), doors("west")
    session = add_open_session(centre.url, late_after=60, started_minutes_ago=5)
    try:
        uid = owner.uid(session)
        from tests.test_door_bounds import contact

        contact(east, "east-door")
        contact(west, "west-door")
        role = owner.event(insert(east, "east-door", utcnow(), "A1001", uid))["received_by"]
        role = role.split("@")[0]
        taken = kiosk(owner_home, "centre", "rebind", role, "west-door", "--db", centre.url,
                      check=1)
        assert "west-door" in taken.stderr and "kb_west_" in taken.stderr, taken.stderr
        kiosk(owner_home, "centre", "rebind", role, "east-lobby", "--db", centre.url)
        # an old-build door (no install id) renamed: its scans under the new id count
        event = insert(east, "east-lobby", utcnow(), "A1002", uid)
        assert NOT_APPLIED not in owner.note(event)
        assert owner.row(session, "A1002")[2] == "east-lobby"
        # and no credential but the owner's may move a binding
        not_door = kiosk(owner_home, "centre", "rebind", "nobody_here", "x", "--db", centre.url,
                         check=1)
        assert "grant-door" in not_door.stderr
    finally:
        owner.close()


def test_an_unbound_role_is_held_to_the_centres_clock(centre, doors, tmp_path):  # noqa: F811
    """FINDINGS 31: a never-used credential's first event cannot be backdated; ``kiosk init``
    binds a door role left unbound (history of several kiosk ids) to its latest id."""
    owner = Centre(centre.url)
    spare, east = doors("spare"), doors("east")
    session = add_open_session(centre.url, late_after=5, started_minutes_ago=40)
    try:
        uid = owner.uid(session)
        first = insert(spare, "new-door", utcnow() - dt.timedelta(minutes=35), "A1001", uid)
        assert owner.note(first) == f"{NOT_APPLIED}:out_of_order"
        assert owner.row(session, "A1001")[1] is None
        # its binding was made at the centre's now
        role = owner.event(first)["received_by"].split("@")[0]
        kiosk_id, latest, _ = binding(owner, role)
        assert kiosk_id == "new-door" and abs(latest - utcnow()) < dt.timedelta(minutes=1)
        now_scan = insert(spare, "new-door", utcnow(), "A1002", uid)
        assert NOT_APPLIED not in owner.note(now_scan)

        # a door with a history of two ids, left unbound by an upgrade (as 0014 did)
        from tests.test_door_bounds import contact

        contact(east, "north-door")
        insert(east, "north-door", utcnow(), "B2001", uid)
        with owner.db.atomic():
            owner.db.execute_sql("DELETE FROM kiosk_door")
        contact(east, "vm-452f")  # it binds itself anew; then unbound again by the "upgrade"
        with owner.db.atomic():
            owner.db.execute_sql("DELETE FROM kiosk_door")
        kiosk(tmp_path / "owner", "init", "--db", centre.url, "--no-keys")
        east_role = owner.event(now_scan)["received_by"]  # (any event: only to read the shape)
        assert east_role
        bound = {row[0]: row[1:] for row in owner.db.execute_sql(
            "SELECT kiosk_id, latest_at FROM kiosk_door").fetchall()}
        assert set(bound) == {"vm-452f", "new-door"}, bound  # each to its latest id
        assert abs(bound["vm-452f"][0] - utcnow()) < dt.timedelta(minutes=1)
        # the tester's backdating with either id now fails
        for kiosk_id in ("vm-452f", "north-door"):
            late = insert(east, kiosk_id, utcnow() - dt.timedelta(minutes=35), "B2002", uid)
            assert owner.note(late).startswith(NOT_APPLIED), kiosk_id
        assert owner.row(session, "B2002")[1] is None
    finally:
        owner.close()


def test_a_door_whose_clock_was_stepped_back_is_judged_in_its_own_clock(centre, doors):  # noqa: F811
    """FINDINGS 32: the door reports (its clock 10 min behind now) before it pushes; its scans
    then count. A thief claiming a clock further behind gains no more than the limit."""
    owner = Centre(centre.url)
    east = doors("east")
    session = add_open_session(centre.url, late_after=60, started_minutes_ago=50)
    try:
        uid = owner.uid(session)

        def report(offset_s: float, queued: int) -> None:
            with east.atomic():
                fleet.report_contact(east, fleet.Contact("east-door", "", 0, queued, "test"),
                                     clock=lambda: dt.datetime.now(dt.UTC).timestamp() + offset_s)

        report(0, 0)  # rounds at the real time
        report(-600, 1)  # the clock stepped back 10 min; the door reports before pushing
        stepped = insert(east, "east-door", utcnow() - dt.timedelta(minutes=10), "A1001", uid)
        assert NOT_APPLIED not in owner.note(stepped)
        assert owner.row(session, "A1001")[0] == "present"
        report(-600, 0)
        again = insert(east, "east-door", utcnow() - dt.timedelta(minutes=9), "A1002", uid)
        assert NOT_APPLIED not in owner.note(again)
        # a thief claiming its clock is 40 min behind: judged as at most 15 min behind
        report(-2400, 1)
        limit = BEHIND_LIMIT_SECONDS // 60 + ORDER_SLACK_MINUTES
        forged = insert(east, "east-door", utcnow() - dt.timedelta(minutes=limit + 5), "B2001", uid)
        assert owner.note(forged) == f"{NOT_APPLIED}:out_of_order"
        assert owner.row(session, "B2001")[1] is None
        # a clock running fast is judged as on time: a fix back to the right time costs nothing
        report(+720, 0)
        report(0, 1)
        right = insert(east, "east-door", utcnow(), "B2002", uid)
        assert NOT_APPLIED not in owner.note(right)
    finally:
        owner.close()


@pytest.mark.skipif(shutil.which("faketime") is None, reason="needs faketime (apt install faketime)")
def test_the_testers_door_stepped_back_ten_minutes(centre, door_role, tmp_path):  # noqa: F811
    """FINDINGS 32 exactly: rounds at the real time, then ``faketime -f -10m``: a sign-in and
    ``kiosk sync --once`` count at the centre."""
    import os

    role, url = door_role
    kiosk(tmp_path / "owner", "centre", "grant-door", role, "--db", centre.url)
    session = add_open_session(centre.url, late_after=60, started_minutes_ago=30)
    door = new_home(tmp_path, "door", "door-b")
    kiosk(door, "sync", "--once", "--central", url)

    def behind(*args: str) -> subprocess.CompletedProcess:
        done = subprocess.run([shutil.which("faketime"), "-f", "-10m", KIOSK, *args],
                              capture_output=True, text=True, timeout=60,
                              env={**os.environ, "KIOSK_HOME": str(door), "KIOSK_LANG": "en"})
        assert done.returncode == 0, done.stdout + done.stderr
        return done

    behind("signin", "A1001", "--session", str(session), "--json")
    done = behind("sync", "--once")
    assert "0 still queued" in done.stdout and "did not apply" not in done.stderr, done.stderr
    owner = Centre(centre.url)
    try:
        assert owner.row(session, "A1001")[0] == "present"
    finally:
        owner.close()
