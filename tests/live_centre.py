"""A server centre whose plan is of now, and real restricted roles on it (made by the real
``kiosk centre grant-*`` command): for the tests of what doors and hosts do while a session is
open. The centre's bounds on a door (a sign-in for a session long over is not applied) make the
fixed office day of tests/test_sync.py unfit for a door's own scans.
"""

from __future__ import annotations

import datetime as dt
import os
import uuid
from dataclasses import dataclass
from urllib.parse import urlparse, urlunparse

import pytest

from db import database, migrations
from db.sessions import add_session
from tests.centre_helpers import kiosk
from tests.conftest import TZ, make_office

PASSWORD = "L1ve-role-Secret"


@dataclass
class LiveCentre:
    url: str
    engine: str
    ids: dict[str, int]  # make_office's sessions (yesterday) and "now": open at this moment
    day: str  # yesterday, Shanghai

    def owner(self):
        handle = database.make_database(self.url)
        handle.connect()
        return handle


def now_utc() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None, microsecond=0)


@pytest.fixture(params=["postgresql", "mysql"])
def live_centre(request) -> LiveCentre:
    url = request.getfixturevalue("pg_url" if request.param == "postgresql" else "mysql_url")
    day = (dt.datetime.now(TZ) - dt.timedelta(days=1)).strftime("%Y-%m-%d")
    handle = database.bind(url)
    try:
        migrations.upgrade(handle)
        ids = make_office(handle, day=day)
        with handle.atomic():
            now = now_utc()
            ids["now"] = add_session({"title": "此刻的学习", "kind": "learning_day",
                                      "start": now - dt.timedelta(minutes=20),
                                      "end": now + dt.timedelta(hours=2), "location": "三楼"},
                                     [("all", "")])
    finally:
        handle.close()
    return LiveCentre(url, request.param, ids, day)


@pytest.fixture
def role_of(live_centre, tmp_path):
    """``role_of(kind)``: a new login role granted ``kind`` (door, host, admin) by the real
    command; returns (name, URL with its credential). Dropped afterwards."""
    made: list[str] = []
    engine = live_centre.engine
    base = os.environ["KIOSK_TEST_PG_URL" if engine == "postgresql" else "KIOSK_TEST_MYSQL_URL"]

    def make(kind: str) -> tuple[str, str]:
        name = f"kl_{uuid.uuid4().hex[:10]}"
        admin = database.make_database(base)
        admin.connect()
        if engine == "postgresql":
            admin.execute_sql(f"CREATE ROLE {name} LOGIN PASSWORD '{PASSWORD}'")
        else:
            admin.execute_sql(f"CREATE USER '{name}'@'%%' IDENTIFIED BY '{PASSWORD}'")
        admin.close()
        made.append(name)
        kiosk(tmp_path / "owner", "centre", f"grant-{kind}", name, "--db", live_centre.url)
        parsed = urlparse(live_centre.url)
        return name, urlunparse(parsed._replace(
            netloc=f"{name}:{PASSWORD}@{parsed.hostname}:{parsed.port}"))

    yield make
    for name in made:
        owner = database.make_database(live_centre.url if engine == "postgresql" else base)
        owner.connect()
        if engine == "postgresql":
            owner.execute_sql(f"DROP OWNED BY {name}")
            owner.execute_sql(f"DROP ROLE {name}")
        else:
            owner.execute_sql(f"DROP USER IF EXISTS '{name}'@'%%'")
        owner.close()
