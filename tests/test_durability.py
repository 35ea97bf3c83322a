"""A sign-in the kiosk has confirmed survives the process being killed with SIGKILL at once.

The child is the real ``kiosk signin --json`` on a real SQLite file (WAL, synchronous=FULL); the
parent reads confirmations as they are printed and kills the child the moment it has read one,
so the child never gets to close the database, checkpoint the WAL or exit cleanly.
"""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys

from db import database
from db.roster import StaffRecord, upsert_staff
from db.sessions import add_session
from tests.conftest import wall

PEOPLE = [f"D{3000 + i}" for i in range(60)]


def office(sqlite_url: str) -> None:
    from db import migrations

    handle = database.bind(sqlite_url)
    migrations.upgrade(handle)
    with handle.atomic():
        upsert_staff([StaffRecord(p, p, f"测试{i}", "办公室") for i, p in enumerate(PEOPLE)])
        add_session({"title": "机关学习日", "kind": "learning_day", "start": wall("2026-11-28 09:00"),
                     "end": wall("2026-11-28 11:00")}, [("all", "")])
    handle.close()


def child(home, sqlite_url: str, *args: str) -> subprocess.Popen:
    env = {**os.environ, "KIOSK_HOME": str(home), "KIOSK_DB": sqlite_url, "PYTHONUNBUFFERED": "1"}
    return subprocess.Popen([sys.executable, "-c", "from kiosk.cli import main; main()", "signin", *args,
                             "--json", "--at", "2026-11-28 09:02"],
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=env, text=True)


def read_then_kill(proc: subprocess.Popen, lines: int) -> list[dict]:
    confirmed = []
    for _ in range(lines):
        line = proc.stdout.readline()
        assert line, "the child ended before confirming"
        confirmed.append(json.loads(line))
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=10)
    return confirmed


def stored(path) -> tuple[dict[str, str], str, set[str]]:
    con = sqlite3.connect(path)
    try:
        integrity = con.execute("PRAGMA integrity_check").fetchone()[0]
        rows = dict(con.execute("SELECT staff_id, status FROM attendance WHERE signed_in_at IS NOT NULL"))
        events = {r[0] for r in con.execute("SELECT id FROM sign_in_event")}
    finally:
        con.close()
    return rows, integrity, events


def test_confirmed_sign_in_survives_sigkill(tmp_path, home):
    path = tmp_path / "kiosk.db"
    url = f"sqlite:///{path}"
    office(url)
    proc = child(home, url, PEOPLE[0])
    [confirmed] = read_then_kill(proc, 1)
    assert confirmed["result"] == "present" and confirmed["staff_id"] == PEOPLE[0]
    rows, integrity, events = stored(path)
    assert integrity == "ok"
    assert rows.get(PEOPLE[0]) == "present"
    assert confirmed["event_id"] in events


def test_sigkill_in_the_middle_of_a_stream_keeps_every_confirmed_one(tmp_path, home):
    path = tmp_path / "kiosk.db"
    url = f"sqlite:///{path}"
    office(url)
    ids = tmp_path / "ids.txt"
    ids.write_text("\n".join(PEOPLE) + "\n", encoding="utf-8")
    proc = child(home, url, "--from-file", str(ids))
    confirmed = read_then_kill(proc, 7)
    assert proc.returncode == -signal.SIGKILL  # killed, not finished: the kill landed mid-stream
    rows, integrity, events = stored(path)
    assert integrity == "ok"
    for c in confirmed:
        assert rows.get(c["staff_id"]) == "present", c
        assert c["event_id"] in events
