"""Two doors, one centre (SPEC §8): a person who signed in at the east door is "already signed in
at HH:MM (east-door)" at the west door within 2 s — between the west door's full rounds.

The east door is a real home driven by the real ``kiosk`` command in a child process; the west
door is the real kiosk app under Pilot; the centre is a real PostgreSQL / MariaDB.
"""

from __future__ import annotations

import datetime as dt
import json
import tempfile
import time
import uuid
from pathlib import Path
from urllib.parse import urlparse, urlunparse

import pytest
from textual.widgets import Input

from db import database
from db.models import utcnow
from db.sessions import add_session
from kiosk.syncer import SyncAgent
from kiosk.ui.widgets.result_banner import ResultBanner
from tests.centre_helpers import kiosk as cli
from tests.centre_helpers import make_centre, new_home
from tests.conftest import TZ
from tests.ui.kiosk_office import kiosk

DAY = "2030-03-04"


@pytest.fixture(params=["postgresql", "mysql"])
def centre_url(request):
    """The office, with a session open now (a door pulls the register of today's sessions)."""
    url = request.getfixturevalue("pg_url" if request.param == "postgresql" else "mysql_url")
    make_centre(url, DAY)
    handle = database.bind(url)
    with handle.atomic():
        add_session({"title": "此刻的学习", "kind": "learning_day",
                     "start": utcnow() - dt.timedelta(minutes=10),
                     "end": utcnow() + dt.timedelta(hours=2)}, [("all", "")])
    handle.close()
    return url


@pytest.fixture
def door_url(centre_url):
    """The centre as a least-privilege door role sees it (``kiosk centre grant-door``)."""
    if database.engine_of(centre_url) != "postgresql":
        pytest.skip("one engine is enough here: tests/test_centre_roles.py covers both")
    name = f"kd_{uuid.uuid4().hex[:10]}"
    owner = database.make_database(centre_url)
    owner.connect()
    owner.execute_sql(f"CREATE ROLE {name} LOGIN PASSWORD 'door-pw'")
    owner.close()
    parsed = urlparse(centre_url)
    admin_home = Path(tempfile.mkdtemp())
    cli(admin_home, "centre", "grant-door", name, "--db", centre_url)
    yield urlunparse(parsed._replace(netloc=f"{name}:door-pw@{parsed.hostname}:{parsed.port}"))
    owner.connect()
    owner.execute_sql("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = %s",
                      (name,))
    owner.execute_sql(f"DROP OWNED BY {name}")
    owner.execute_sql(f"DROP ROLE {name}")
    owner.close()


async def test_second_door_knows_within_two_seconds(db, home, tmp_path, centre_url):
    await second_door(db, home, tmp_path, centre_url, centre_url)


async def test_second_door_with_a_door_role_knows_too(db, home, tmp_path, centre_url, door_url):
    await second_door(db, home, tmp_path, centre_url, door_url)


async def second_door(db, home, tmp_path, centre_url: str, west_url: str) -> None:
    east = new_home(tmp_path, "east", "east-door")
    cli(east, "sync", "--once", "--central", centre_url)
    later = (dt.datetime.now(TZ) + dt.timedelta(minutes=1)).strftime("%Y-%m-%d %H:%M")
    app, _ = kiosk(db, home, at=later, central_url=west_url, sync_interval=60.0)
    database.proxy.initialize(db)
    assert SyncAgent(app.settings).run_once().error == ""  # the west door mirrors the centre
    async with app.run_test(size=(80, 24)) as pilot:
        while app.sync_state.reachable is not True:
            await pilot.pause(0.05)
        rounds = app.sync_loop.rounds
        east_scan = json.loads(cli(east, "signin", "A1001", "--json").stdout)
        cli(east, "sync", "--once")  # the east door's push (its kiosk does it right after the scan)
        pushed = time.monotonic()
        while time.monotonic() < pushed + 2.0:
            await pilot.pause(0.05)
        app.signin.query_one("#scan", Input).value = "A1001"
        await pilot.press("enter")
        await pilot.pause()
        text = app.signin.query_one(ResultBanner).text
        at = dt.datetime.fromisoformat(east_scan["at"]).strftime("%H:%M")
        assert f"已于 {at} 在 east-door 签到" in text, text
        assert app.sync_loop.rounds == rounds  # no full round in between: the look did it
        assert app.sync_loop.looks >= 1
