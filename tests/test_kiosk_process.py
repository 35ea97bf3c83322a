"""The whole ``kiosk run`` process on a terminal: its daily backup, and a crash that is loud."""

from __future__ import annotations

import signal
import sqlite3

import pytest

from db import database, migrations
from kiosk.cli import screens
from kiosk.i18n import set_language, t
from tests.conftest import make_office
from tests.kiosk_pty import KioskOnPty

BREAK_SIGN_IN = """
from kiosk.ui.screens import signin
def broken(self, raw, method=None, session_id=None):
    raise RuntimeError("injected failure inside the app")
signin.SignInScreen.sign_in = broken
"""


@pytest.fixture
def kiosk_home(home):
    handle = database.bind(f"sqlite:///{home / 'kiosk.db'}")
    migrations.upgrade(handle)
    make_office(handle)
    handle.close()
    return home


def _log(home) -> str:
    path = home / "logs" / "kiosk.log"
    return path.read_text(encoding="utf-8") if path.exists() else ""


@pytest.mark.timeout(90)
def test_run_backs_up_by_itself_then_a_crash_inside_the_app_exits_1_and_is_logged(kiosk_home):
    door = KioskOnPty(["run", "--lang", "en"], {"KIOSK_HOME": str(kiosk_home)}, prelude=BREAK_SIGN_IN)
    backups = kiosk_home / "backups"
    assert door.wait_for(lambda: any(backups.glob("kiosk-*Z.db")), 30), door.text[-2000:]
    made = next(backups.glob("kiosk-*Z.db"))
    with sqlite3.connect(made) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert conn.execute("SELECT COUNT(*) FROM staff").fetchone()[0] == 5
    assert door.wait_for(lambda: b"A1001" in door.output or b"scan" in door.output.lower(), 10)
    door.type("A1001\r")
    code = door.finish(30)
    assert code == 1, door.text[-2000:]
    log = _log(kiosk_home)
    assert "RuntimeError: injected failure inside the app" in log and "Traceback" in log
    assert "internal error (RuntimeError)" in door.text or "(RuntimeError)" in door.text
    assert "Traceback" not in door.text  # the door's screen gets one line, the log the details
    assert "backup written" in log


@pytest.mark.timeout(90)
def test_host_crash_exits_non_zero(kiosk_home):
    prelude = """
from kiosk.ui import host_app
original = host_app.build_host_app
def build(*args, **kwargs):
    app = original(*args, **kwargs)
    app.call_later(lambda: 1 / 0)
    return app
host_app.build_host_app = build
"""
    door = KioskOnPty(["host", "--lang", "en"], {"KIOSK_HOME": str(kiosk_home)}, prelude=prelude)
    code = door.finish(40)
    assert code == 1, door.text[-2000:]
    assert "ZeroDivisionError" in _log(kiosk_home)


REPORT_MODULES = """
import os, sys, threading, time
def _report():
    while not os.path.exists(ASK):
        time.sleep(0.05)
    with open(ASK + ".modules", "w") as out:
        out.write("\\n".join(sorted(m for m, v in list(sys.modules.items()) if v is not None)))
    os._exit(0)
threading.Thread(target=_report, daemon=True).start()
"""


@pytest.mark.timeout(90)
def test_run_on_a_sqlite_home_loads_no_server_driver_nor_export_library(kiosk_home, tmp_path):
    """``kiosk run`` on its SQLite home imports neither psycopg2/PyMySQL (Peewee is imported
    without them, db.drivers) nor the report libraries (start-up time, bench/startup.py); asked
    once the screen is up and a sign-in went through."""
    ask = tmp_path / "ask"
    door = KioskOnPty(["run", "--lang", "en"], {"KIOSK_HOME": str(kiosk_home)},
                      prelude=f"ASK = {str(ask)!r}\n" + REPORT_MODULES)
    assert door.wait_for(lambda: b"scan" in door.output.lower(), 30), door.text[-2000:]
    door.type("A1001\r")
    set_language("en")
    try:  # the office's sessions are on 2026-11-28: a refusal, after the desk did its work
        refusal = t("reason.no_open_session").encode()
    finally:
        set_language("zh")
    assert door.wait_for(lambda: refusal in door.output, 10), door.text[-2000:]
    ask.touch()
    door.finish(30)
    loaded = set((tmp_path / "ask.modules").read_text().split())
    assert "kiosk.ui.app" in loaded and "peewee" in loaded  # the kiosk really ran
    heavy = {"psycopg2", "psycopg", "pymysql", "MySQLdb", "openpyxl", "docx", "playhouse.migrate"}
    assert loaded & heavy == set(), loaded & heavy


@pytest.mark.timeout(120)
@pytest.mark.parametrize("signum, code", [(signal.SIGINT, 130), (signal.SIGTERM, 143),
                                          (signal.SIGHUP, 129)])
def test_run_ended_by_a_signal_from_outside_never_exits_0(kiosk_home, signum, code):
    """FINDINGS #37: SIGINT from a supervisor script or ``timeout -s INT`` ended ``kiosk run``
    with 0, which reads as a deliberate quit (SPEC §7: only the admin screen's quit is 0)."""
    door = KioskOnPty(["run", "--lang", "en"], {"KIOSK_HOME": str(kiosk_home)})

    def events() -> int:
        with sqlite3.connect(kiosk_home / "kiosk.db") as conn:
            return conn.execute("SELECT COUNT(*) FROM sign_in_event").fetchone()[0]

    try:
        assert door.wait_for(lambda: b"staff ID / badge" in door.output, 30), door.text[-2000:]
        door.type("A1001\r")
        assert door.wait_for(lambda: events() == 1, 20), door.text[-2000:]  # the app is at work
        door.proc.send_signal(signum)
    finally:
        ended = door.finish(60)  # (killed if it is still running: no kiosk left behind)
    assert (ended if ended >= 0 else 128 - ended) == code, door.text[-2000:]
    assert "Traceback" not in door.text and events() == 1



REPORT_CACHE = """
import os, threading, time
def _report():
    while not os.path.exists(ASK):
        time.sleep(0.05)
    from db import database  # a connection opened now, as a thread worker's is
    size = database.proxy.obj.execute_sql("PRAGMA cache_size").fetchone()[0]
    with open(ASK + ".cache", "w") as out:
        out.write(str(size))
    os._exit(0)
threading.Thread(target=_report, daemon=True).start()
"""


@pytest.mark.timeout(90)
def test_run_bounds_the_page_cache_of_its_connections(kiosk_home, tmp_path):
    """FINDINGS #36: the resident memory of ``kiosk run`` grew with the scans, as each long-lived
    connection's SQLite page cache filled toward db/'s 16 MB with the pages its own sign-ins
    appended (bench/scan_memory.py); the running kiosk's connections keep SQLite's default."""
    ask = tmp_path / "ask"
    door = KioskOnPty(["run", "--lang", "en"], {"KIOSK_HOME": str(kiosk_home)},
                      prelude=f"ASK = {str(ask)!r}\n{REPORT_CACHE}")
    try:
        assert door.wait_for(lambda: b"staff ID / badge" in door.output, 30), door.text[-2000:]
        ask.touch()
        assert door.wait_for(lambda: (tmp_path / "ask.cache").exists(), 20), door.text[-2000:]
    finally:
        door.finish(30)
    assert int((tmp_path / "ask.cache").read_text()) == -screens.RUN_PAGE_CACHE_KIB
    assert database.SQLITE_PRAGMAS["cache_size"] == -16000  # a one-off command keeps its own
