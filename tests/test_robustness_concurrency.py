"""Concurrent writers on one SQLite file: three kiosks signing in, the CLI recording leaves, a
reader polling the counts — no "database is locked" ever surfaces and no sign-in is lost."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from db.roster import StaffRecord, upsert_staff
from db.sessions import add_session
from tests.conftest import wall
from tests.test_robustness_kill import AT

ROOT = Path(__file__).resolve().parent.parent
KIOSKS = 3
PER_KIOSK = 100
LEAVES = 6

READER = r"""
import sys, time
from pathlib import Path
from db import database
handle = database.bind(sys.argv[1])
stop = Path(sys.argv[2])
polls = 0
while not stop.exists():
    for status, count in handle.execute_sql(
            "SELECT status, COUNT(*) FROM attendance GROUP BY status").fetchall():
        pass
    handle.execute_sql("SELECT COUNT(*) FROM sign_in_event").fetchone()
    polls += 1
    time.sleep(0.005)
print(f"polls {polls}")
"""


def _env(home: Path) -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(ROOT), "KIOSK_HOME": str(home), "KIOSK_LANG": "en"}


@pytest.mark.timeout(120)
def test_concurrent_writers_never_surface_locked(home, tmp_path):
    from db import database, migrations

    url = f"sqlite:///{home / 'kiosk.db'}"
    handle = database.bind(url)
    migrations.upgrade(handle)
    signers = [[f"S{k}{n:03d}" for n in range(PER_KIOSK)] for k in range(KIOSKS)]
    on_leave = [f"L{n:03d}" for n in range(LEAVES)]
    with handle.atomic():
        upsert_staff([StaffRecord(i, i, f"员工{i}", f"部门{n % 5}")
                      for n, i in enumerate([i for ids in signers for i in ids] + on_leave)])
        session_id = add_session({"title": "机关学习日", "kind": "learning_day",
                                  "start": wall("2026-11-28 09:00"), "end": wall("2026-11-28 11:00")},
                                 [("all", "")])
    handle.close()

    stop = tmp_path / "stop"
    reader = subprocess.Popen([sys.executable, "-c", READER, url, str(stop)], cwd=ROOT,
                              env=_env(home), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    kiosks = [subprocess.Popen([sys.executable, "-m", "tests.robustness_child", url, AT.isoformat(),
                                f"door-{k}", *ids], cwd=ROOT, env=_env(home), stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True) for k, ids in enumerate(signers)]
    leave_runs: list[subprocess.CompletedProcess] = []

    def add_leaves() -> None:
        for staff_id in on_leave:
            leave_runs.append(subprocess.run(
                [sys.executable, "-c", "import sys; from kiosk.cli import main; sys.exit(main())",
                 "leave", "add", staff_id, "--session", str(session_id), "--reason", "出差"],
                cwd=ROOT, env=_env(home), capture_output=True, text=True, timeout=60))

    cli = threading.Thread(target=add_leaves)
    cli.start()
    outputs = [k.communicate(timeout=90) for k in kiosks]
    cli.join(timeout=90)
    stop.touch()
    reader_out, reader_err = reader.communicate(timeout=30)

    for out, err in outputs + [(reader_out, reader_err)] + [(r.stdout, r.stderr) for r in leave_runs]:
        assert "locked" not in (out + err).lower(), out + err
        assert "Traceback" not in err, err
    for (out, _err), ids in zip(outputs, signers, strict=True):
        lines = out.splitlines()
        assert all(line.startswith("ok ") for line in lines), [x for x in lines if not x.startswith("ok")]
        assert [line.split()[1] for line in lines] == ids
    assert len(leave_runs) == LEAVES and all(r.returncode == 0 for r in leave_runs), \
        [r.stderr for r in leave_runs]
    assert reader.returncode == 0 and reader_out.startswith("polls ")

    handle = database.bind(url)
    signed = {k for (k,) in handle.execute_sql(
        "SELECT staff_id FROM attendance WHERE signed_in_at IS NOT NULL").fetchall()}
    excused = {k for (k,) in handle.execute_sql(
        "SELECT staff_id FROM attendance WHERE status = 'excused'").fetchall()}
    events = handle.execute_sql("SELECT COUNT(*) FROM sign_in_event").fetchone()[0]
    handle.close()
    assert signed == {i for ids in signers for i in ids}
    assert excused == set(on_leave)
    assert events == KIOSKS * PER_KIOSK + LEAVES
