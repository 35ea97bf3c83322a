"""Peewee is imported without the server drivers (db.drivers); a server URL loads its own.

Each check runs the real ``kiosk`` entry point in a fresh process, so the driver is really
imported late (in this test process another test may have imported it already).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DRIVERS = ("psycopg2", "psycopg", "pymysql", "MySQLdb")

# runs one command; prints its exit code and the drivers loaded before and after it
CHILD = """
import json, sys
from kiosk.cli import main
before = sorted(m for m in {drivers!r} if sys.modules.get(m))
sys.argv = ["kiosk", *{argv!r}]
try:
    main()
except SystemExit as exc:
    code = exc.code
after = sorted(m for m in {drivers!r} if sys.modules.get(m))
print(json.dumps({{"code": code, "before": before, "after": after}}))
"""


def run_kiosk(home: Path, *argv: str) -> tuple[dict, str]:
    env = {**os.environ, "KIOSK_HOME": str(home), "KIOSK_LANG": "en", "PYTHONPATH": str(ROOT)}
    env.pop("KIOSK_DB", None)
    done = subprocess.run([sys.executable, "-c", CHILD.format(drivers=DRIVERS, argv=list(argv))],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    lines = done.stdout.strip().splitlines()
    assert lines, done.stderr
    return json.loads(lines[-1]), "\n".join(lines[:-1]) + done.stderr


@pytest.mark.parametrize("engine, driver", [("postgresql", "psycopg2"), ("mysql", "pymysql")])
def test_a_server_url_loads_its_driver_and_works(request, home, tmp_path, engine, driver):
    url = request.getfixturevalue("pg_url" if engine == "postgresql" else "mysql_url")
    result, out = run_kiosk(home, "init", "--db", url, "--no-keys")
    # (playhouse.migrate, which the migrations use, imports psycopg2 itself)
    assert result["code"] == 0 and result["before"] == [] and driver in result["after"], out
    roster = tmp_path / "roster.csv"
    roster.write_text("工号,姓名,部门\nA1001,张三,办公室\n", encoding="utf-8")
    result, out = run_kiosk(home, "staff", "import", str(roster), "--db", url)
    assert result["code"] == 0 and driver in result["after"], out
    result, out = run_kiosk(home, "session", "add", "--title", "机关学习日", "--kind", "lecture",
                            "--start", "2026-11-28 09:00", "--end", "2026-11-28 11:00",
                            "--db", url)
    assert result["code"] == 0, out
    result, out = run_kiosk(home, "signin", "A1001", "--at", "2026-11-28 09:01", "--json",
                            "--db", url)
    assert result["code"] == 0 and driver in result["after"], out
    signed = json.loads(out.strip().splitlines()[0])
    assert (signed["result"], signed["name"], signed["session_title"]) == ("present", "张三", "机关学习日")


def test_sqlite_commands_load_no_driver(home, tmp_path):
    url = f"sqlite:///{tmp_path / 'kiosk.db'}"
    assert run_kiosk(home, "init", "--db", url, "--no-keys")[0]["code"] == 0
    for argv in (["staff", "list", "--db", url], ["session", "list", "--db", url],
                 ["signin", "A1001", "--db", url]):
        result, out = run_kiosk(home, *argv)
        assert result["code"] in (0, 1) and (result["before"], result["after"]) == ([], []), out


def test_binding_twice_changes_nothing():
    """``load`` after the driver is bound (every server database made binds again)."""
    import peewee

    from db import drivers

    drivers.load("postgresql")
    first = (peewee.psycopg2, peewee.Psycopg2Adapter.txn_idle)
    drivers.load("postgresql")
    assert (peewee.psycopg2, peewee.Psycopg2Adapter.txn_idle) == first
    assert first[0] is not None and first[0] is sys.modules["psycopg2"]
    drivers.load("mysql")
    assert peewee.mysql is sys.modules["pymysql"]
