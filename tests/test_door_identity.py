"""Every door its own name (FINDINGS #34): a home attaching to a centre with no ``[kiosk] id``
gets a unique, stable one written to its config.toml, and the centre's fleet flags two homes
claiming one id (``duplicate_id``). Real homes driven by the real ``kiosk`` command, real
PostgreSQL and MariaDB centres."""

from __future__ import annotations

import json
import re
import sqlite3
import stat
import tomllib
import uuid
from urllib.parse import urlparse, urlunparse

import pytest

from db import database, migrations
from tests.centre_helpers import kiosk, make_centre, new_home
from tests.conftest import make_office
from tests.kiosk_pty import KioskOnPty

DAY = "2030-03-04"


@pytest.fixture(params=["postgresql", "mysql"])
def centre(request):
    url = request.getfixturevalue("pg_url" if request.param == "postgresql" else "mysql_url")
    make_centre(url, DAY)
    return url


def fleet(tmp_path, url: str) -> dict[str, dict]:
    admin = tmp_path / "admin"
    admin.mkdir(exist_ok=True)
    done = kiosk(admin, "fleet", "--json", "--db", url)
    return {row["kiosk_id"]: row for row in json.loads(done.stdout)}


def configured_id(home) -> str | None:
    text = (home / "config.toml").read_text(encoding="utf-8")
    return tomllib.loads(text).get("kiosk", {}).get("id")


def test_a_fresh_home_attaching_gets_its_own_stable_id(centre, tmp_path):
    homes = [tmp_path / "east", tmp_path / "west"]
    ids = []
    for home in homes:
        done = kiosk(home, "sync", "--once", "--central", centre)
        kiosk_id = configured_id(home)
        assert kiosk_id and re.fullmatch(r"[a-z0-9-]+-[0-9a-f]{4}", kiosk_id), kiosk_id
        assert kiosk_id in done.stdout  # the admin is told the name
        assert stat.S_IMODE((home / "install-id").stat().st_mode) == 0o600
        ids.append(kiosk_id)
    assert ids[0] != ids[1]
    kiosk(homes[0], "sync", "--once")
    assert configured_id(homes[0]) == ids[0]  # stable
    doors = fleet(tmp_path, centre)
    assert set(doors) == set(ids) and "kiosk-1" not in doors
    assert all(door["flags"] == [] for door in doors.values())
    # its scans are counted under that id
    kiosk(homes[1], "signin", "A1001", "--json", check=None)
    kiosk(homes[1], "sync", "--once")
    assert fleet(tmp_path, centre)[ids[1]]["events_today"] == 1


def test_an_id_set_by_the_admin_is_kept(centre, tmp_path):
    home = new_home(tmp_path, "lobby", "lobby-door")
    kiosk(home, "sync", "--once", "--central", centre)
    assert configured_id(home) == "lobby-door"
    assert set(fleet(tmp_path, centre)) == {"lobby-door"}


def test_two_homes_claiming_one_id_are_flagged(centre, tmp_path):
    east = new_home(tmp_path, "east", "door-1")
    west = new_home(tmp_path, "west", "door-1")  # the same config.toml copied to both
    kiosk(east, "sync", "--once", "--central", centre)
    kiosk(east, "sync", "--once")
    assert fleet(tmp_path, centre)["door-1"]["flags"] == []  # one home, many rounds: fine
    kiosk(west, "sync", "--once", "--central", centre)
    doors = fleet(tmp_path, centre)
    assert doors["door-1"]["flags"] == ["duplicate_id"]
    text = kiosk(tmp_path / "admin", "fleet", "--db", centre).stdout
    assert "another home uses this id too" in text


@pytest.mark.timeout(90)
def test_the_first_kiosk_run_names_the_door_and_its_scans(home):
    handle = database.bind(f"sqlite:///{home / 'kiosk.db'}")
    migrations.upgrade(handle)
    make_office(handle)
    handle.close()
    door = KioskOnPty(["run", "--lang", "en"], {"KIOSK_HOME": str(home)})
    try:
        config = home / "config.toml"
        assert door.wait_for(lambda: config.exists() and configured_id(home), 30), door.text[-2000:]
        kiosk_id = configured_id(home)
        assert re.fullmatch(r"[a-z0-9-]+-[0-9a-f]{4}", kiosk_id)
        assert door.wait_for(lambda: b"scan" in door.output.lower(), 20)
        door.type("A1001\r")

        def recorded() -> list[str]:
            with sqlite3.connect(home / "kiosk.db") as conn:
                return [row[0] for row in conn.execute("SELECT kiosk_id FROM sign_in_event")]

        assert door.wait_for(lambda: bool(recorded()), 20), door.text[-2000:]
        assert set(recorded()) == {kiosk_id}
    finally:
        door.proc.terminate()
        door.finish(20)
    again = KioskOnPty(["run", "--lang", "en"], {"KIOSK_HOME": str(home)})
    try:
        assert again.wait_for(lambda: b"scan" in again.output.lower(), 30)
        assert configured_id(home) == kiosk_id  # kept across starts
    finally:
        again.proc.terminate()
        again.finish(20)


@pytest.fixture
def door_urls(centre, tmp_path):
    """Two door roles granted with the real ``kiosk centre grant-door`` (one per door)."""
    engine = database.engine_of(centre)
    names = [f"kd_{uuid.uuid4().hex[:10]}" for _ in range(2)]
    owner = database.make_database(centre)
    owner.connect()
    for name in names:
        if engine == "postgresql":
            owner.execute_sql(f"CREATE ROLE {name} LOGIN PASSWORD 'pw-{name}'")
        else:
            owner.execute_sql(f"CREATE USER '{name}'@'%%' IDENTIFIED BY 'pw-{name}'")
    owner.close()
    (tmp_path / "owner").mkdir()
    parsed = urlparse(centre)
    urls = []
    for name in names:
        kiosk(tmp_path / "owner", "centre", "grant-door", name, "--db", centre)
        netloc = f"{name}:pw-{name}@{parsed.hostname}:{parsed.port}"
        urls.append(urlunparse(parsed._replace(netloc=netloc)))
    yield urls
    owner.connect()
    for name in names:
        if engine == "postgresql":
            owner.execute_sql("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                              "WHERE usename = %s", (name,))
            owner.execute_sql(f"DROP OWNED BY {name}")
            owner.execute_sql(f"DROP ROLE {name}")
        else:
            owner.execute_sql(f"DROP USER '{name}'@'%%'")
    owner.close()


def test_a_door_role_cannot_take_another_doors_id_and_says_so(centre, door_urls, tmp_path):
    east = new_home(tmp_path, "east", "door-1")
    west = new_home(tmp_path, "west", "door-1")
    kiosk(east, "sync", "--once", "--central", door_urls[0])
    taken = kiosk(west, "sync", "--once", "--central", door_urls[1], check=1)  # FINDINGS 26: said
    assert "refused this kiosk's id door-1" in taken.stdout + taken.stderr
    assert "[kiosk] id" in taken.stdout + taken.stderr
    log = (west / "logs" / "kiosk.log").read_text(encoding="utf-8")
    assert "fleet row for kiosk id door-1 refused" in log and "another door holds this id" in log
    assert "pw-kd_" not in log  # never a password
    assert set(fleet(tmp_path, centre)) == {"door-1"}
