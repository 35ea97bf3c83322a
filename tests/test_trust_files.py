"""SPEC §7 on files: ``KIOSK_HOME`` is created 0700 and every file the product writes there is
0600 whatever the umask (tested with umask 000); a home made by an earlier release is tightened;
read-only commands work on a read-only home (a real read-only bind mount, in a private mount
namespace so nothing outlives the test)."""

from __future__ import annotations

import logging
import os
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from db import database
from db.roster import StaffRecord, upsert_staff
from tests.cli_runner import kiosk

KIOSK = str(Path(sys.executable).with_name("kiosk"))


@pytest.fixture(autouse=True)
def own_log_file():
    """The CLI's log handler is per process: let this test's home get its own log file."""
    root = logging.getLogger()
    earlier = [h for h in root.handlers if getattr(h, "kiosk_file", False)]
    for h in earlier:
        root.removeHandler(h)
    yield
    for h in [h for h in root.handlers if getattr(h, "kiosk_file", False)]:
        root.removeHandler(h)
        h.close()
    for h in earlier:
        root.addHandler(h)


@pytest.fixture
def open_umask():
    old = os.umask(0)
    yield
    os.umask(old)


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def modes_under(home: Path) -> dict[str, int]:
    return {str(p.relative_to(home)): mode(p) for p in [home, *home.rglob("*")]}


def test_home_and_every_file_in_it_are_private_whatever_the_umask(tmp_path, monkeypatch, capsys,
                                                                  open_umask):
    home = tmp_path / "new" / "home"  # does not exist yet: the product creates it
    monkeypatch.setenv("KIOSK_HOME", str(home))
    assert kiosk(capsys, "init", "--pin", "246810").code == 0
    os.umask(0)  # (the command set its own; the next writers again start from 000)
    kiosk(capsys, "signin", "nobody-here")  # a refusal: written to logs/kiosk.log
    os.umask(0)
    assert kiosk(capsys, "backup").code == 0
    os.umask(0)
    handle = database.bind(f"sqlite:///{home / 'kiosk.db'}")  # WAL and SHM exist while open
    upsert_staff([StaffRecord("A1001", "A1001", "张三", "办公室")])
    try:
        found = modes_under(home)
        assert {"kiosk.db", "kiosk.db-wal", "kiosk.db-shm", "logs", "logs/kiosk.log"} <= set(found)
        assert any(name.endswith(".pem") for name in found)  # the badge signing key
        assert any(name.startswith("backups/") for name in found)
        folders = {name for name in found if (home / name).is_dir()}
        assert {name: m for name, m in found.items() if name in folders} == {n: 0o700 for n in folders}
        assert {name: m for name, m in found.items() if name not in folders} == {
            n: 0o600 for n in found if n not in folders}
    finally:
        handle.close()


def test_a_home_left_open_by_an_earlier_release_is_tightened_by_init(tmp_path, monkeypatch, capsys):
    home = tmp_path / "home"
    monkeypatch.setenv("KIOSK_HOME", str(home))
    assert kiosk(capsys, "init", "--no-keys").code == 0
    kiosk(capsys, "signin", "nobody-here")
    for path, loose in ((home, 0o755), (home / "logs", 0o755), (home / "kiosk.db", 0o644),
                        (home / "logs" / "kiosk.log", 0o644)):
        os.chmod(path, loose)
    assert kiosk(capsys, "staff", "list").code == 0  # (kiosk doctor names them meanwhile)
    assert mode(home / "kiosk.db") == 0o644
    assert kiosk(capsys, "init", "--no-keys").code == 0  # run after every upgrade
    assert (mode(home), mode(home / "logs")) == (0o700, 0o700)
    assert (mode(home / "kiosk.db"), mode(home / "logs" / "kiosk.log")) == (0o600, 0o600)


def _can_mount_read_only() -> bool:
    if shutil.which("unshare") is None or os.geteuid() != 0:
        return False
    probe = subprocess.run(["unshare", "-m", "--propagation", "private", "sh", "-c",
                            "mount --bind /tmp /tmp && mount -o remount,bind,ro /tmp"],
                           capture_output=True, timeout=20)
    return probe.returncode == 0


@pytest.mark.skipif(not _can_mount_read_only(), reason="needs root and mount namespaces")
def test_read_only_commands_work_on_a_read_only_home(tmp_path, monkeypatch, capsys):
    home = tmp_path / "home"
    monkeypatch.setenv("KIOSK_HOME", str(home))
    assert kiosk(capsys, "init", "--no-keys").code == 0
    roster = tmp_path / "roster.csv"
    roster.write_text("工号,姓名,部门\nA1001,张三,办公室\n", encoding="utf-8")
    assert kiosk(capsys, "staff", "import", roster).code == 0
    assert kiosk(capsys, "session", "add", "--title", "学习", "--kind", "lecture", "--start",
                 "2026-11-10 09:00", "--end", "2026-11-10 11:00").code == 0
    assert kiosk(capsys, "signin", "A1001", "--at", "2026-11-10 08:55").code == 0
    commands = [["staff", "list", "--json"], ["session", "list", "--json"],
                ["export", "log", "--format", "jsonl", "--out", "-"],
                ["report", "monthly", "--month", "2026-11", "--format", "json", "--out", "-"],
                ["backup", "--out", str(tmp_path / "copies")],  # an auditor's copy, elsewhere
                ["doctor", "--json"],
                ["signin", "A1001", "--at", "2026-11-10 09:30"]]  # a write: refused in one line
    script = [f"mount --bind '{home}' '{home}'", f"mount -o remount,bind,ro '{home}'",
              f"touch '{home}/probe' 2>/dev/null && echo WRITABLE"]
    for argv in commands:
        quoted = " ".join(f"'{a}'" for a in argv)
        out, err = f"'{tmp_path}/out'", f"'{tmp_path}/err'"
        script.append(f"'{KIOSK}' {quoted} > {out} 2> {err}; "
                      f"echo \"rc=$? $(head -c 300 {out} | tr '\\n' ' ')|$(cat {err})\"")
    env = {**os.environ, "KIOSK_HOME": str(home), "KIOSK_LANG": "en"}
    done = subprocess.run(["unshare", "-m", "--propagation", "private", "sh", "-c", "\n".join(script)],
                          capture_output=True, text=True, env=env, timeout=120)
    lines = done.stdout.splitlines()
    assert "WRITABLE" not in lines, done.stdout
    assert len(lines) == len(commands), done.stdout + done.stderr
    *reads, doctor, last = lines
    # FINDINGS 9: integrity is checked read-only; the one failing line says the home is read-only
    assert doctor.startswith("rc=1 ") and '"name": "integrity", "ok": true' in doctor, doctor
    assert '"name": "disk", "ok": false' in doctor and "OperationalError" not in doctor, doctor
    assert len(list((tmp_path / "copies").glob("*.db"))) == 1  # the backup to a writable folder
    for argv, line in zip(commands[:-2], reads, strict=True):
        assert line.startswith("rc=0 ") and "|" in line and line.endswith("|"), (argv, line)
    assert "张三" in lines[0] and "学习" in lines[1]
    assert last.startswith("rc=1 ") and "read-only" in last and "Traceback" not in last, last
    assert not (home / "probe").exists()
