"""Shared fixtures: an isolated KIOSK_HOME, real databases (SQLite file, PostgreSQL, MariaDB),
and a small office to sign in to. PostgreSQL/MariaDB tests skip unless KIOSK_TEST_PG_URL /
KIOSK_TEST_MYSQL_URL are set; CI sets both. Each test gets its own database and drops it."""

from __future__ import annotations

import datetime as dt
import os
import uuid
from pathlib import Path
from urllib.parse import urlparse, urlunparse
from zoneinfo import ZoneInfo

import pytest

from db import database, migrations
from db.roster import StaffRecord, upsert_staff
from db.sessions import add_session

TZ = ZoneInfo("Asia/Shanghai")


@pytest.fixture(autouse=True)
def isolated_env(tmp_path, monkeypatch):
    """Keep the machine's own config, database and language out of every test."""
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("KIOSK_HOME", str(home))
    for var in ("KIOSK_DB", "KIOSK_TZ", "KIOSK_LANG", "KIOSK_CENTRAL", "KIOSK_ADMIN_PIN"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("LANG", "C.UTF-8")
    monkeypatch.delenv("LC_ALL", raising=False)
    from kiosk.i18n import set_language

    set_language("zh")
    yield home


@pytest.fixture
def home(isolated_env) -> Path:
    return isolated_env


def _server_db(url_var: str, engine: str):
    base = os.environ.get(url_var)
    if not base:
        pytest.skip(f"{url_var} not set")
    name = f"kt_{uuid.uuid4().hex[:12]}"
    admin = database.make_database(base)
    admin.connect()
    if engine == "postgresql":
        admin.execute_sql(f'CREATE DATABASE "{name}"')
    else:
        admin.execute_sql(f"CREATE DATABASE `{name}` CHARACTER SET utf8mb4 COLLATE utf8mb4_bin")
    admin.close()
    parsed = urlparse(base)
    url = urlunparse(parsed._replace(path=f"/{name}"))
    return url, name, base


def _drop_server_db(base: str, name: str, engine: str) -> None:
    admin = database.make_database(base)
    admin.connect()
    # a test that stalled a connection on purpose (tests/relay.py) may leave one behind: end it
    # first, so the drop neither fails ("being accessed") nor waits on its locks
    if engine == "postgresql":
        admin.execute_sql(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s", (name,))
        admin.execute_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    else:
        for (pid,) in admin.execute_sql("SELECT ID FROM information_schema.PROCESSLIST "
                                        "WHERE DB = %s AND ID <> CONNECTION_ID()", (name,)).fetchall():
            try:
                admin.execute_sql(f"KILL {int(pid)}")
            except Exception:  # (it ended meanwhile)
                pass
        admin.execute_sql(f"DROP DATABASE IF EXISTS `{name}`")
    admin.close()


def _server_url(url_var: str, engine: str):
    """A fresh database's URL for the test, dropped after it (the bound connection closed first)."""
    url, name, base = _server_db(url_var, engine)
    yield url
    if database.proxy.obj is not None and not database.proxy.obj.is_closed():
        database.proxy.obj.close()
    _drop_server_db(base, name, engine)


@pytest.fixture
def pg_url():
    yield from _server_url("KIOSK_TEST_PG_URL", "postgresql")


@pytest.fixture
def mysql_url():
    yield from _server_url("KIOSK_TEST_MYSQL_URL", "mysql")


@pytest.fixture
def sqlite_url(tmp_path) -> str:
    return f"sqlite:///{tmp_path / 'kiosk.db'}"


@pytest.fixture(params=["sqlite", "postgresql", "mysql"])
def any_url(request, tmp_path):
    """The same test on SQLite, PostgreSQL and MariaDB (the latter two skip when not set)."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'kiosk.db'}"
    elif request.param == "postgresql":
        yield request.getfixturevalue("pg_url")
    else:
        yield request.getfixturevalue("mysql_url")


def _migrated(url: str):
    """The database at ``url`` migrated and bound to the models, closed after the test."""
    handle = database.bind(url)
    migrations.upgrade(handle)
    yield handle
    handle.close()


@pytest.fixture
def db(sqlite_url):
    """A migrated SQLite database file, bound to the models."""
    yield from _migrated(sqlite_url)


@pytest.fixture
def any_db(any_url):
    yield from _migrated(any_url)


def wall(text: str) -> dt.datetime:
    """'2026-11-28 09:00' Shanghai time → naive UTC."""
    return (dt.datetime.strptime(text, "%Y-%m-%d %H:%M").replace(tzinfo=TZ)
            .astimezone(dt.UTC).replace(tzinfo=None))


SMALL_ROSTER = [
    StaffRecord("A1001", "A1001", "张三", "办公室", "主任", ("中心组", "党员")),
    StaffRecord("A1002", "A1002", "李四", "办公室", "科员", ("党员",)),
    StaffRecord("B2001", "B2001", "王五", "财务科", "科长", ()),
    StaffRecord("B2002", "B2002", "赵六", "财务科", "科员", ("中心组",)),
    StaffRecord("C3001", "C3001", "欧阳娜娜", "人事科", "", (), active=False),
]


def make_office(handle, day: str = "2026-11-28") -> dict[str, int]:
    """Roster of five (one inactive) and three sessions on ``day`` (Shanghai):
    morning 09:00-11:00 for all, central group 14:00-16:00 (group 中心组),
    and a finance-only one 14:00-15:00 overlapping it."""
    with handle.atomic():
        upsert_staff(SMALL_ROSTER)
        ids = {
            "morning": add_session({"title": "机关学习日", "kind": "learning_day",
                                    "start": wall(f"{day} 09:00"), "end": wall(f"{day} 11:00"),
                                    "location": "三楼会议室", "speaker": "刘主任"}, [("all", "")]),
            "central": add_session({"title": "中心组集中学习", "kind": "central_group",
                                    "start": wall(f"{day} 14:00"), "end": wall(f"{day} 16:00"),
                                    "location": "一号会议室"}, [("group", "中心组")]),
            "finance": add_session({"title": "财务培训", "kind": "training",
                                    "start": wall(f"{day} 14:00"), "end": wall(f"{day} 15:00"),
                                    "require_signout": True}, [("dept", "财务科")]),
        }
    return ids
