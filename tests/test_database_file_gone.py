"""FINDINGS 8: the database file deleted or replaced under a running kiosk.

SQLite keeps writing a file that was unlinked; a kiosk that confirmed sign-ins into it lost them
all at its next start. The home's database now refuses to commit once its path names another
file (or none), on the real SQLite file, and the home then says "restore", never "init".
"""

from __future__ import annotations

import os
from zoneinfo import ZoneInfo

import pytest

from db import backup as db_backup
from db.database import DatabaseFileGone
from db.models import Attendance, SignInEvent
from kiosk.desk import SignInDesk
from tests.cli_runner import kiosk
from tests.conftest import make_office, wall


def _desk(db) -> SignInDesk:
    return SignInDesk(db, kiosk_id="door", tz=ZoneInfo("Asia/Shanghai"),
                      clock=lambda: wall("2026-11-28 09:02"))


def _signed_in(path) -> set[str]:
    import sqlite3

    con = sqlite3.connect(path)
    try:
        return {r[0] for r in con.execute("SELECT staff_key FROM sign_in_event")}
    finally:
        con.close()


@pytest.mark.parametrize("how", ["deleted", "replaced"])
def test_a_scan_into_a_file_no_longer_at_the_path_is_refused_not_confirmed(db, how, tmp_path):
    make_office(db)
    desk = _desk(db)
    assert desk.sign_in("A1001").accepted
    path = db.database
    if how == "deleted":
        for suffix in ("", "-wal", "-shm"):
            if os.path.exists(path + suffix):
                os.unlink(path + suffix)
    else:  # an admin's `mv copy kiosk.db`: another file at the same path
        db_backup.copy_database(path, tmp_path / "copy.db")
        os.replace(tmp_path / "copy.db", path)
    with pytest.raises(DatabaseFileGone):
        desk.sign_in("A1002")
    with pytest.raises(DatabaseFileGone):  # a plain atomic write (a leave, an import) too
        with db.atomic():
            SignInEvent.update(note="x").execute()
    if how == "replaced":  # the file now at the path holds the copy: A1001 only, nothing lost
        assert _signed_in(path) == {"A1001"}


def test_a_restore_writes_into_the_same_file_and_the_kiosk_goes_on(db, tmp_path):
    make_office(db)
    desk = _desk(db)
    assert desk.sign_in("A1001").accepted
    copy = tmp_path / "copy.db"
    db_backup.copy_database(db.database, copy)
    db.close()
    db_backup.restore_into(copy, db.database)
    assert desk.sign_in("A1002").accepted  # the same file (the backup API wrote into it)
    assert {a.staff_id for a in Attendance.select().where(Attendance.signed_in_at.is_null(False))} \
        >= {"A1001", "A1002"}


def test_an_emptied_home_with_backups_says_restore_never_init(home, capsys):
    assert kiosk(capsys, "demo", "--no-run").code == 0
    assert kiosk(capsys, "backup").code == 0
    [kept] = (home / "backups").glob("kiosk-*.db")
    for name in ("kiosk.db", "kiosk.db-wal", "kiosk.db-shm"):
        (home / name).unlink(missing_ok=True)
    run = kiosk(capsys, "staff", "list")
    assert run.code == 1 and f"kiosk restore {kept}" in run.err and "kiosk init" not in run.err
    doctor = kiosk(capsys, "doctor")
    assert doctor.code == 1 and f"kiosk restore {kept}" in doctor.out
    assert kiosk(capsys, "restore", kept).code == 0
    assert kiosk(capsys, "staff", "list").code == 0  # the office is back
