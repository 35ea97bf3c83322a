"""Every central round is bounded (SPEC §8): a centre that stops answering mid-transfer ends
``kiosk sync --once`` with exit 1 within 45 s, saying so, never showing the password.

The centre is a real PostgreSQL / MariaDB reached through a relay on 127.0.0.1 (tests/relay.py)
that forwards faithfully and then stops forwarding while keeping the connection open — what a
frozen firewall or VPN looks like to a door, and what no socket keepalive notices.
"""

from __future__ import annotations

import json
import time
from urllib.parse import urlparse

import pytest

from db import database
from db.models import SignInEvent
from kiosk import config
from tests.centre_helpers import (
    SECRET,
    drop_password_user,
    kiosk,
    make_centre,
    new_home,
    with_password_user,
)
from tests.relay import Relay

DAY = "2030-03-04"
BOUND_S = 45


@pytest.fixture(params=["postgresql", "mysql"])
def centre_url(request):
    url = request.getfixturevalue("pg_url" if request.param == "postgresql" else "mysql_url")
    make_centre(url, DAY, staff=400)  # a roster big enough that a first pull is a real transfer
    with_password = with_password_user(url)
    yield with_password
    drop_password_user(url, with_password)


def relay_to(url: str, stall_after: int | None = None) -> Relay:
    parsed = urlparse(url)
    return Relay(parsed.hostname, parsed.port, stall_after=stall_after)


def queued(home) -> int:
    handle = database.bind(config.sqlite_url_for(home))
    try:
        return SignInEvent.select().where(SignInEvent.pushed_at.is_null()).count()
    finally:
        handle.close()


def test_centre_that_stops_answering_mid_transfer(centre_url, tmp_path):
    # a full first round through a faithful relay: how many bytes the centre sends
    probe = new_home(tmp_path, "probe", "probe")
    faithful = relay_to(centre_url)
    kiosk(probe, "sync", "--once", "--central", faithful.url(centre_url))
    total = faithful.server_bytes
    faithful.close()
    assert total > 20_000  # the roster really travelled

    # a new door with two scans waiting (refused: it has no roster yet, but logged all the
    # same); its first round stalls half way through the centre's reply
    door = new_home(tmp_path, "door", "door-1")
    kiosk(door, "init", "--no-keys")
    for staff_id in ("A1001", "A1002"):
        kiosk(door, "signin", staff_id, "--at", f"{DAY} 08:55", "--json", check=1)
    broken = relay_to(centre_url, stall_after=total // 2)
    started = time.monotonic()
    done = kiosk(door, "sync", "--once", "--central", broken.url(centre_url), check=1)
    elapsed = time.monotonic() - started
    assert broken.server_bytes == total // 2  # it did stop mid-transfer
    broken.close()
    assert elapsed < BOUND_S, elapsed
    assert "stopped answering" in done.stderr, done.stderr
    # the push went first and was acknowledged before the stall: nothing waits, nothing is lost
    assert "0 events still queued" in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1 and "Traceback" not in done.stderr
    logs = "".join(p.read_text(encoding="utf-8") for p in (door / "logs").glob("*.log*"))
    assert SECRET not in done.stdout + done.stderr + logs
    assert queued(door) == 0
    assert "X00399" not in kiosk(door, "staff", "list", "--json").stdout  # the pull was cut

    # the path heals: the next round goes straight to the centre and finishes the job
    healed = kiosk(door, "sync", "--once", "--central", centre_url)
    assert "0 still queued" in healed.stdout
    assert "X00399" in kiosk(door, "staff", "list", "--json").stdout


def test_centre_that_accepts_but_never_answers(centre_url, tmp_path):
    """The relay takes the TCP connection and forwards nothing: the connect timeout ends it."""
    door = new_home(tmp_path, "door", "door-1", extra="[sync]\nconnect_timeout = 3\n")
    dead = relay_to(centre_url)
    dead.stall()
    started = time.monotonic()
    done = kiosk(door, "sync", "--once", "--central", dead.url(centre_url), check=1)
    elapsed = time.monotonic() - started
    dead.close()
    assert elapsed < 3 + 10 + 5, elapsed  # connect, plus at most one statement's reply wait
    assert "0 events still queued" in done.stderr and SECRET not in done.stderr


def test_timeouts_come_from_config(tmp_path):
    home = tmp_path / "h"
    home.mkdir()
    (home / "config.toml").write_text("[sync]\nconnect_timeout = 4\nread_timeout = 7.5\n",
                                      encoding="utf-8")
    settings = config.load(home=home, environ={})
    assert settings.sync_timeouts == (4.0, 10.0, 7.5)
    (home / "config.toml").write_text("[sync]\nstatement_timeout = 0\n", encoding="utf-8")
    with pytest.raises(config.ConfigError, match="sync.statement_timeout"):
        config.load(home=home, environ={})


def handshake_bytes(url: str) -> int:
    """What the server sends while a bounded client logs in (through a faithful relay)."""
    relay = relay_to(url)
    handle = database.make_database(relay.url(url), database.Timeouts())
    handle.connect()
    time.sleep(0.3)  # the relay counts a chunk just after forwarding it
    sent = relay.server_bytes
    handle.close()
    relay.close()
    return sent


def test_doctor_bounded_by_the_same_timeouts(centre_url, tmp_path):
    """``kiosk doctor`` asks the centre too: logged in, then no answer — it still finishes."""
    home = new_home(tmp_path, "door", "door-1", extra="[sync]\nconnect_timeout = 2\n"
                                                      "statement_timeout = 1\nread_timeout = 1\n")
    kiosk(home, "init", "--no-keys")
    relay = relay_to(centre_url, stall_after=handshake_bytes(centre_url))
    started = time.monotonic()
    done = kiosk(home, "doctor", "--json", env={"KIOSK_CENTRAL": relay.url(centre_url)},
                 check=1)
    elapsed = time.monotonic() - started
    relay.close()
    assert elapsed < 20, elapsed  # two checks ask the centre: ~2 s each
    checks = {c["name"]: c for c in json.loads(done.stdout)["checks"]}
    detail = checks["centre"]["detail"]
    assert not checks["centre"]["ok"] and ("no answer" in detail or "timed out" in detail), detail
    assert SECRET not in done.stdout + done.stderr


@pytest.mark.parametrize("engine", ["postgresql", "mysql"])
def test_every_server_connection_has_a_last_resort_bound(engine, request, monkeypatch):
    """The host view and the admin's commands on a server: no sync timeouts, but a reply that
    never comes still ends (after ``LONGEST_REPLY``, 300 s; 2 s here)."""
    url = request.getfixturevalue("pg_url" if engine == "postgresql" else "mysql_url")
    monkeypatch.setattr(database, "LONGEST_REPLY", 2.0)
    relay = relay_to(url)
    handle = database.make_database(relay.url(url))
    handle.connect()
    assert handle.execute_sql("SELECT 1").fetchone()[0] == 1
    relay.stall()
    started = time.monotonic()
    with pytest.raises(database.peewee.OperationalError):
        handle.execute_sql("SELECT 2").fetchone()
    assert time.monotonic() - started < 5
    relay.close()
    # the 2 s bound must not outlive the test: the fixture's DROP DATABASE (torn down before
    # monkeypatch, having been set up after it) would run under it and fail on a loaded machine
    monkeypatch.undo()
