"""``kiosk host``: the command's refusals (the screen itself is tested under Pilot)."""

from __future__ import annotations

from tests.cli_runner import kiosk
from tests.conftest import make_office


def test_unknown_session_is_refused(capsys, db, sqlite_url):
    make_office(db)
    run = kiosk(capsys, "host", "--session", "999", "--db", sqlite_url)
    assert run.code == 1
    assert run.err.strip() == "场次不存在:999"


def test_uninitialised_database_is_refused(capsys, tmp_path):
    run = kiosk(capsys, "host", "--session", "1", "--db", f"sqlite:///{tmp_path / 'empty.db'}")
    assert run.code == 1 and "kiosk init" in run.err and "Traceback" not in run.err
