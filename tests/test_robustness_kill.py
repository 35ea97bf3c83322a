"""SIGKILL at random moments during 300 scans: every confirmed sign-in survives, the file is sound.

A child process signs people in through the real SignInDesk and prints a line after each
``sign_in`` returns (what the screen would confirm). The parent kills it with SIGKILL after a
random number of confirmations plus a random sub-millisecond delay — usually in the middle of the
next transaction — then checks, on the database file as a fresh connection finds it, that each
confirmed scan has its attendance and its event, and that ``PRAGMA integrity_check`` is ``ok``.
The remaining people are scanned by the next child, until all 300 are in.
"""

from __future__ import annotations

import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from db.roster import StaffRecord, upsert_staff
from db.sessions import add_session
from tests.conftest import wall

ROOT = Path(__file__).resolve().parent.parent
SCANS = 300
AT = wall("2026-11-28 09:01")


def _office(handle) -> list[str]:
    ids = [f"K{n:04d}" for n in range(1, SCANS + 1)]
    with handle.atomic():
        upsert_staff([StaffRecord(i, i, f"员工{i}", f"部门{n % 7}") for n, i in enumerate(ids)])
        add_session({"title": "机关学习日", "kind": "learning_day", "start": wall("2026-11-28 09:00"),
                     "end": wall("2026-11-28 11:00")}, [("all", "")])
    return ids


def _child(url: str, ids: list[str]) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "tests.robustness_child", url, AT.isoformat(), "door-1", "-"],
        cwd=ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)})


def _check(path: Path, confirmed: dict[str, str]) -> None:
    con = sqlite3.connect(path)
    try:
        assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        signed = {k for (k,) in con.execute(
            "SELECT staff_id FROM attendance WHERE signed_in_at IS NOT NULL")}
        events = {e for (e,) in con.execute("SELECT id FROM sign_in_event")}
    finally:
        con.close()
    lost = sorted(k for k in confirmed if k not in signed)
    assert not lost, f"confirmed but not in the register: {lost[:10]}"
    missing_events = sorted(k for k, e in confirmed.items() if e not in events)
    assert not missing_events, f"confirmed but no event: {missing_events[:10]}"


@pytest.mark.timeout(120)
def test_sigkill_never_loses_a_confirmed_scan(db, sqlite_url, tmp_path):
    ids = _office(db)
    db.close()
    path = Path(sqlite_url.split("///", 1)[1])
    seed = random.randrange(1_000_000)
    rng = random.Random(seed)
    confirmed: dict[str, str] = {}
    kills = 0
    for _ in range(12):
        todo = [i for i in ids if i not in confirmed]
        if not todo:
            break
        child = _child(sqlite_url, todo)
        child.stdin.write("\n".join(todo) + "\n")
        child.stdin.close()
        stop_after = rng.randrange(0, min(len(todo), 120))
        seen = 0
        for line in child.stdout:
            parts = line.split()
            assert parts[0] == "ok", f"seed {seed}: {line}"
            confirmed[parts[1]] = parts[3]
            seen += 1
            if seen > stop_after:
                time.sleep(rng.random() / 2000)  # 0–0.5 ms: usually inside the next transaction
                child.send_signal(signal.SIGKILL)
                kills += 1
                break
        for line in child.stdout:  # whatever it had printed before it died was confirmed too
            parts = line.split()
            if parts and parts[0] == "ok":
                confirmed[parts[1]] = parts[3]
        child.wait(timeout=30)
        _check(path, confirmed)
    assert kills >= 3, f"seed {seed}"
    assert len(confirmed) == SCANS or kills == 12
