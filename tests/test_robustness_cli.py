"""The CLI on a broken machine: a full or read-only disk, a deleted or garbage database file, a
corrupted config.toml. Each must end in one clear line on stderr and exit code 1, never a
traceback. Runs the real ``kiosk`` entry point in child processes (a file-size limit or a mount
must apply to the whole process), plus start-up checks of ``kiosk signin``.
"""

from __future__ import annotations

import os
import resource
import shutil
import sqlite3
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

from kiosk.i18n import set_language, t
from tests.conftest import make_office

ROOT = Path(__file__).resolve().parent.parent
ENTRY = "import sys; from kiosk.cli import main; sys.exit(main())"


def kiosk(home: Path, *args: str, preexec=None) -> subprocess.CompletedProcess:
    env = {**os.environ, "KIOSK_HOME": str(home), "KIOSK_LANG": "en", "PYTHONPATH": str(ROOT)}
    env.pop("KIOSK_DB", None)
    return subprocess.run([sys.executable, "-c", ENTRY, *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=60, preexec_fn=preexec)


def english(key: str, **values) -> str:
    set_language("en")
    try:
        return t(key, **values)
    finally:
        set_language("zh")


def refused(run: subprocess.CompletedProcess, expected: str | None = None) -> None:
    assert run.returncode == 1, (run.returncode, run.stderr)
    assert "Traceback" not in run.stderr and "Logging error" not in run.stderr, run.stderr
    lines = run.stderr.strip().splitlines()
    assert len(lines) == 1, run.stderr
    if expected is not None:
        assert lines[0] == expected, lines[0]


@pytest.fixture
def office_home(db, home, sqlite_url) -> Path:
    """KIOSK_HOME holding a migrated database with the small office, checkpointed."""
    make_office(db)
    db.execute_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    db.close()
    shutil.copy(sqlite_url.split("///", 1)[1], home / "kiosk.db")
    return home


SCANS = ["A1001", "A1002", "B2001", "B2002"]
AT = ["--at", "2026-11-28 09:01"]


def test_corrupted_config(office_home):
    config = office_home / "config.toml"
    for text in (b"[kiosk\nid = ", b'[kiosk]\nallow_typed_id = "yes"\n', b"\xff\xfe[kiosk]\n",
                 b"kiosk = 3\n"):
        config.write_bytes(text)
        run = kiosk(office_home, "signin", "A1001", *AT)
        refused(run)
        assert run.stderr.startswith(english("cli.config_invalid", detail="")), run.stderr


def test_deleted_database_is_not_recreated(office_home):
    (office_home / "kiosk.db").unlink()
    refused(kiosk(office_home, "signin", "A1001", *AT), english("cli.db_not_initialised"))
    refused(kiosk(office_home, "staff", "list"), english("cli.db_not_initialised"))
    assert not (office_home / "kiosk.db").exists()


def test_garbage_database_file(office_home):
    (office_home / "kiosk.db").write_bytes(os.urandom(8192))
    run = kiosk(office_home, "signin", "A1001", *AT)
    refused(run)
    assert "damaged" in run.stderr and "cannot reach" not in run.stderr


def test_full_disk_by_file_size_limit(office_home, tmp_path):
    """RLIMIT_FSIZE at the database's size: the WAL cannot grow past it, so some scan's commit
    fails; earlier scans were confirmed and stay; the failing one is reported in one line."""
    path = office_home / "kiosk.db"
    many = tmp_path / "scans.txt"
    many.write_text("\n".join(SCANS * 400) + "\n", encoding="utf-8")
    limit = 24 * 1024  # small enough that a few hundred events overflow the WAL

    def cap() -> None:
        resource.setrlimit(resource.RLIMIT_FSIZE, (max(limit, path.stat().st_size), resource.RLIM_INFINITY))

    run = kiosk(office_home, "signin", "--from-file", str(many), *AT, "--json", preexec=cap)
    refused(run, english("cli.disk_full"))
    confirmed = [line for line in run.stdout.splitlines() if line.strip()]
    assert 0 < len(confirmed) < len(SCANS) * 400
    con = sqlite3.connect(path)
    try:
        assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert con.execute("SELECT COUNT(*) FROM sign_in_event").fetchone()[0] == len(confirmed)
    finally:
        con.close()


def _mount_tmpfs(target: Path, size: str) -> bool:
    if os.geteuid() != 0 or shutil.which("mount") is None:
        return False
    target.mkdir(parents=True, exist_ok=True)
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(target)],
                          capture_output=True)
    return done.returncode == 0


def test_read_only_disk(office_home, tmp_path):
    """A read-only file system (a tmpfs remounted ro, as root) or a read-only folder (others)."""
    place = tmp_path / f"ro-{uuid.uuid4().hex[:6]}"
    if _mount_tmpfs(place, "4m"):
        try:
            shutil.copy(office_home / "kiosk.db", place / "kiosk.db")
            subprocess.run(["mount", "-o", "remount,ro", str(place)], check=True)
            refused(kiosk(place, "signin", "A1001", *AT), english("cli.disk_full"))
            refused(kiosk(place, "leave", "add", "A1002", "--session", "1", "--reason", "x"),
                    english("cli.disk_full"))
        finally:
            subprocess.run(["umount", str(place)], capture_output=True)
    elif os.geteuid() != 0:
        place.mkdir()
        shutil.copy(office_home / "kiosk.db", place / "kiosk.db")
        (place / "kiosk.db").chmod(0o444)
        place.chmod(0o555)
        try:
            refused(kiosk(place, "signin", "A1001", *AT), english("cli.disk_full"))
        finally:
            place.chmod(0o755)
    else:
        pytest.skip("root without mount: cannot make a read-only file system here")


def test_full_file_system_including_the_log(office_home, tmp_path):
    """A tmpfs that fills up: the database and the log file both fail to write."""
    place = tmp_path / f"full-{uuid.uuid4().hex[:6]}"
    size = (office_home / "kiosk.db").stat().st_size + 64 * 1024
    if not _mount_tmpfs(place, str(size)):
        pytest.skip("no tmpfs mount here (needs root)")
    try:
        shutil.copy(office_home / "kiosk.db", place / "kiosk.db")
        many = tmp_path / "scans.txt"
        many.write_text("\n".join(SCANS * 600) + "\n", encoding="utf-8")
        refused(kiosk(place, "signin", "--from-file", str(many), *AT), english("cli.disk_full"))
    finally:
        subprocess.run(["umount", str(place)], capture_output=True)


def test_signin_start_up_stays_lean(office_home):
    """``kiosk signin`` on an SQLite home imports neither Textual nor the server drivers nor the
    export libraries (start-up time, bench/scans.py): Peewee is imported without its drivers
    (db.drivers), whatever the entry point (here ``python -c``, not the console script)."""
    env = {**os.environ, "KIOSK_HOME": str(office_home), "PYTHONPATH": str(ROOT)}
    env.pop("KIOSK_DB", None)
    code = ("import sys\n"
            "from kiosk.cli import main\n"
            "sys.argv = ['kiosk', 'signin', 'A1001', '--at', '2026-11-28 09:01']\n"
            "try:\n    main()\nexcept SystemExit:\n    pass\n"
            "import db.signin_sql\n"
            "heavy = sorted(m for m in ('textual', 'rich', 'openpyxl', 'docx', 'PIL', 'qrcode', 'cv2',"
            " 'cryptography', 'playhouse.migrate', 'psycopg2', 'psycopg', 'pymysql', 'MySQLdb')"
            " if sys.modules.get(m))\n"
            "print(heavy, db.signin_sql.current().__class__.__name__)\n")
    run = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True,
                         text=True, timeout=60)
    assert run.stdout.strip().splitlines()[-1] == "[] HomeDatabase", run.stdout + run.stderr
    assert "机关学习日" in run.stdout, run.stdout  # it signed in (the morning session's title)


def test_command_groups_match_the_parser():
    """The start-up shortcut's map (command word → module) agrees with the full parser."""
    import argparse
    import importlib

    from kiosk import cli

    for name in cli.GROUPS:
        try:
            module = importlib.import_module(f"kiosk.cli.{name}")
        except ModuleNotFoundError:
            continue
        parser = argparse.ArgumentParser()
        commands = parser.add_subparsers()
        module.register(commands, cli.common_options())
        for word in commands.choices:
            assert cli.COMMAND_GROUPS.get(word) == name, (word, name)
