"""``kiosk fleet`` on a real PostgreSQL and MariaDB centre: every door that synced, what it
holds back, its clock, and the doors that need a look (SPEC §8).

Doors are real homes synced by the real ``kiosk sync --once`` in child processes; the fleet is
read by the real ``kiosk fleet --db CENTRE``.
"""

from __future__ import annotations

import datetime as dt
import json
import time

import pytest

from db import database, fleet
from db.models import utcnow
from db.sessions import add_session
from kiosk import __version__
from tests.centre_helpers import SECRET, kiosk, make_centre, new_home

DAY = "2030-03-04"
OFFICE = dt.timezone(dt.timedelta(hours=8))  # the office's zone (last_seen is printed in it)


@pytest.fixture(params=["postgresql", "mysql"])
def centre(request, tmp_path):
    """A centre with the small office and a session open right now (the doors sign in today)."""
    url = request.getfixturevalue("pg_url" if request.param == "postgresql" else "mysql_url")
    make_centre(url, DAY)
    handle = database.bind(url)
    with handle.atomic():
        add_session({"title": "此刻的学习", "kind": "learning_day",
                     "start": utcnow() - dt.timedelta(minutes=5),
                     "end": utcnow() + dt.timedelta(hours=2)}, [("all", "")])
    handle.close()
    return url


def fleet_json(tmp_path, url: str) -> dict[str, dict]:
    done = kiosk(tmp_path / "admin", "fleet", "--json", "--db", url)
    return {row["kiosk_id"]: row for row in json.loads(done.stdout)}


def age_row(url: str, kiosk_id: str, minutes: float) -> None:
    """As if the door had last been heard from ``minutes`` ago (time passing, not a door)."""
    handle = database.make_database(url)
    handle.connect()
    where = fleet.KioskFleet.kiosk_id == kiosk_id
    seen = fleet.KioskFleet.select(fleet.KioskFleet.last_seen).where(where).scalar(handle)
    (fleet.KioskFleet.update(last_seen=seen - dt.timedelta(minutes=minutes)).where(where)
     .execute(handle))
    handle.close()


def test_every_door_that_synced_is_listed_with_its_state(centre, tmp_path):
    (tmp_path / "admin").mkdir()
    assert kiosk(tmp_path / "admin", "fleet", "--json", "--db", centre).stdout.strip() == "[]"
    east = new_home(tmp_path, "east", "east-door")
    west = new_home(tmp_path, "west", "west-door")
    for home in (east, west):
        kiosk(home, "sync", "--once", "--central", centre)
    for staff_id in ("A1001", "A1002", "NOBODY"):
        kiosk(east, "signin", staff_id, "--json", check=None)
    kiosk(west, "signin", "B2001", "--json")
    before = time.time()
    kiosk(east, "sync", "--once")
    doors = fleet_json(tmp_path, centre)
    assert set(doors) == {"east-door", "west-door"}
    east_row = doors["east-door"]
    assert east_row["events_today"] == 3 and east_row["queued"] == 0
    assert doors["west-door"]["events_today"] == 0  # as of its last contact, before its scan
    assert east_row["version"] == __version__ and east_row["flags"] == []
    assert abs(east_row["clock_offset_s"]) < 2  # same machine, same clock
    seen = dt.datetime.fromisoformat(east_row["last_seen"])
    assert seen.utcoffset() == dt.timedelta(hours=8)  # ISO 8601 with the office's offset
    assert abs(seen.timestamp() - before) < 30
    assert set(east_row) >= {"kiosk_id", "last_seen", "events_today", "queued",
                             "clock_offset_s", "version", "flags"}

    # the west door's own round updates its row only
    kiosk(west, "sync", "--once")
    again = fleet_json(tmp_path, centre)
    assert again["west-door"]["events_today"] == 1
    assert again["east-door"] == {**east_row, "silent_s": again["east-door"]["silent_s"]}


def test_skewed_and_silent_doors_are_flagged(centre, tmp_path):
    (tmp_path / "admin").mkdir()
    handle = database.make_database(centre)
    handle.connect()
    contact = fleet.Contact(kiosk_id="lobby", day="", events_today=0, queued=7, version="0.1.0")
    fleet.report_contact(handle, contact, clock=lambda: time.time() + 185)  # 3 min 5 s fast
    fleet.report_contact(handle, fleet.Contact("annex", "", 0, 0, "0.1.0"))
    fleet.report_contact(handle, fleet.Contact("hall", "", 0, 0, "0.1.0"),
                         clock=lambda: time.time() - 30)  # within the 2 minutes
    handle.close()
    age_row(centre, "annex", 15)  # silent for 15 minutes while a session is open
    doors = fleet_json(tmp_path, centre)
    assert doors["lobby"]["flags"] == ["clock_skew"] and doors["lobby"]["queued"] == 7
    assert 184 < doors["lobby"]["clock_offset_s"] < 187
    assert doors["annex"]["flags"] == ["silent"] and doors["annex"]["silent_s"] >= 15 * 60
    assert doors["hall"]["flags"] == []
    text = kiosk(tmp_path / "admin", "fleet", "--db", centre).stdout
    lines = {line.split()[0]: line for line in text.splitlines() if line.strip()}
    assert "⚠" in lines["lobby"] and "clock off by +3 min 5 s" in lines["lobby"]
    assert "⚠" in lines["annex"] and "silent for 15 min" in lines["annex"]
    assert "⚠" not in lines["hall"]
    assert "3 kiosks, 2 need attention" in text


def test_a_silent_door_is_not_flagged_when_no_session_is_open(tmp_path, pg_url):
    make_centre(pg_url, DAY)  # sessions in 2030 only: nothing open now
    (tmp_path / "admin").mkdir()
    door = new_home(tmp_path, "door", "night-door")
    kiosk(door, "sync", "--once", "--central", pg_url)
    age_row(pg_url, "night-door", 60 * 12)
    assert fleet_json(tmp_path, pg_url)["night-door"]["flags"] == []


def test_fleet_of_an_unreachable_centre_says_so_without_the_password(tmp_path):
    (tmp_path / "admin").mkdir()
    done = kiosk(tmp_path / "admin", "fleet", "--db",
                 f"postgresql://kiosk:{SECRET}@127.0.0.1:1/centre", check=1)
    assert SECRET not in done.stdout + done.stderr and "127.0.0.1:1" in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1


def scribble(url: str, kiosk_id: str, **values) -> None:
    """What a door's credential may write into its own row, as raw SQL (FINDINGS #35)."""
    handle = database.make_database(url)
    handle.connect()
    fleet.report_contact(handle, fleet.Contact(kiosk_id, "", 0, 0, "0.1.0"))
    if values:
        where = fleet.KioskFleet.kiosk_id == kiosk_id
        fleet.KioskFleet.update(**values).where(where).execute(handle)
    handle.close()


def test_what_a_door_writes_into_its_row_never_breaks_the_fleet_listing(centre, tmp_path):
    (tmp_path / "admin").mkdir()
    postgres = centre.startswith("postgresql")
    # MariaDB holds no NaN/inf: a huge offset is what a door can write there
    scribble(centre, "east-door", version="\x1b[2J\x1b]0;X\x07[b]v[/b]", queued=-5,
             clock_offset_s=float("nan") if postgres else 1e30)
    scribble(centre, "west-door", clock_offset_s=float("-inf") if postgres else -1e30,
             events_today=2**31 - 1, day=dt.datetime.now(OFFICE).date().isoformat())
    scribble(centre, "ok-door")
    done = kiosk(tmp_path / "admin", "fleet", "--json", "--db", centre)

    def no_constants(name):
        raise AssertionError(f"not JSON: {name}")

    doors = {row["kiosk_id"]: row for row in json.loads(done.stdout, parse_constant=no_constants)}
    east = doors["east-door"]
    assert east["clock_offset_s"] is None and east["queued"] is None
    assert set(east["flags"]) == {"clock_unknown", "queue_unknown"}
    assert "\x1b" not in done.stdout  # control characters escaped in JSON
    west = doors["west-door"]
    assert west["flags"] == ["clock_unknown", "count_unknown"] and west["events_today"] is None
    assert doors["ok-door"]["flags"] == [] and doors["ok-door"]["clock_offset_s"] is not None

    text = kiosk(tmp_path / "admin", "fleet", "--db", centre)
    assert "\x1b" not in text.stdout and "\x07" not in text.stdout
    lines = {line.split()[0]: line for line in text.stdout.splitlines() if line.strip()}
    assert "⚠" in lines["east-door"] and "clock unknown" in lines["east-door"]
    assert "queue count invalid" in lines["east-door"] and "[b]v[/b]" in lines["east-door"]
    assert "⚠" not in lines["ok-door"]
    assert "3 kiosks, 2 need attention" in text.stdout
