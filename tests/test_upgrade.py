"""A home written by the first release upgrades with ``kiosk init`` and keeps every record.

The fixture (tests/fixtures/release1_home, see its README) was made by the first release's own
commands; ``expected/`` holds what that release printed. Every later migration runs against it
here: people, sessions, events, leaves, report figures and badges must all survive.
"""

from __future__ import annotations

import json
import shutil
import sqlite3
from pathlib import Path

import pytest

from tests.cli_runner import kiosk

FIXTURE = Path(__file__).parent / "fixtures" / "release1_home"
EXPECTED = FIXTURE / "expected"
COUNTS = ("expected", "present", "late", "excused", "absent", "visitors", "rate")


def expected(name: str):
    text = (EXPECTED / name).read_text(encoding="utf-8")
    if name.endswith(".jsonl"):
        return [json.loads(line) for line in text.splitlines() if line.strip()]
    return json.loads(text)


def install_release1_home(home: Path) -> Path:
    """Copy the fixture into ``home`` as the first release left it on disk."""
    shutil.copyfile(FIXTURE / "kiosk.sqlite", home / "kiosk.db")
    shutil.copyfile(FIXTURE / "admin_pin.json", home / "admin_pin.json")
    (home / "keys").mkdir(mode=0o700)
    shutil.copyfile(FIXTURE / "keys" / "badge_signing.pem", home / "keys" / "badge_signing.pem")
    for path in (home / "kiosk.db", home / "admin_pin.json", home / "keys" / "badge_signing.pem"):
        path.chmod(0o600)
    return home / "kiosk.db"


@pytest.fixture
def upgraded(home, capsys) -> Path:
    db_path = install_release1_home(home)
    run = kiosk(capsys, "init")
    assert run.code == 0, run.err
    return db_path


def test_fixture_is_the_first_release_schema():
    with sqlite3.connect(FIXTURE / "kiosk.sqlite") as conn:
        versions = [v for (v,) in conn.execute("SELECT version FROM schema_version ORDER BY 1")]
    assert versions == [1, 2]


def test_init_upgrades_to_the_current_schema_and_is_idempotent(upgraded, capsys):
    from db import migrations

    latest = max(m.version for m in migrations.available())
    with sqlite3.connect(upgraded) as conn:
        versions = {v for (v,) in conn.execute("SELECT version FROM schema_version")}
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert versions == {m.version for m in migrations.available()}
    again = kiosk(capsys, "init")
    assert again.code == 0 and str(latest) in again.out


def test_every_person_survives(upgraded, capsys):
    run = kiosk(capsys, "staff", "list", "--json")
    assert run.code == 0, run.err
    keys = ("staff_id", "name", "department", "groups", "title", "active")
    assert [{k: p[k] for k in keys} for p in run.json()] == \
        [{k: p[k] for k in keys} for p in expected("staff.json")]


def test_every_session_survives(upgraded, capsys):
    run = kiosk(capsys, "session", "list", "--json")
    keys = ("title", "kind", "start", "end", "location")
    assert [{k: s[k] for k in keys} for s in run.json()] == \
        [{k: s[k] for k in keys} for s in expected("sessions.json")]


def test_every_event_survives(upgraded, capsys):
    run = kiosk(capsys, "export", "log", "--month", "2026-11", "--format", "jsonl", "--out", "-")
    assert run.code == 0, run.err
    keys = ("event_id", "time", "kiosk", "method", "result", "reason", "staff_id", "name",
            "session_title", "input")
    assert [{k: e[k] for k in keys} for e in run.jsonl()] == \
        [{k: e[k] for k in keys} for e in expected("log_2026-11.jsonl")]
    with sqlite3.connect(upgraded) as conn:
        ids = {i: r for i, r in conn.execute("SELECT id, result FROM sign_in_event")}
    assert ids == {e["id"]: e["result"] for e in expected("events.json")}  # leave, revocation too


def test_every_report_figure_survives(upgraded, capsys):
    run = kiosk(capsys, "report", "monthly", "--month", "2026-11", "--format", "json", "--out", "-")
    assert run.code == 0, run.err
    now, then = run.json(), expected("report_2026-11.json")
    assert {k: now["totals"][k] for k in COUNTS} == {k: then["totals"][k] for k in COUNTS}
    for section, name in (("sessions", "title"), ("departments", "department"),
                          ("people", "staff_id")):
        assert [{name: r[name], **{k: r[k] for k in COUNTS}} for r in now[section]] == \
            [{name: r[name], **{k: r[k] for k in COUNTS}} for r in then[section]], section
    assert [(p["staff_id"], p["credit_hours"]) for p in now["people"]] == \
        [(p["staff_id"], p["credit_hours"]) for p in then["people"]]
    assert now["totals"]["excused"] == 1 and now["totals"]["visitors"] == 1  # the leave, visitor


def test_badges_and_revocation_survive(upgraded, capsys):
    for staff_id in ("S002", "S005"):
        run = kiosk(capsys, "badge", "payload", staff_id)
        assert run.code == 0, run.err
        assert run.out.strip() == (EXPECTED / f"badge_{staff_id}.txt").read_text().strip()


def _one_release_behind(home: Path) -> None:
    from db import migrations

    latest = max(m.version for m in migrations.available())
    with sqlite3.connect(home / "kiosk.db") as conn:
        conn.execute("DELETE FROM schema_version WHERE version = ?", (latest,))


@pytest.mark.parametrize("command", ["run", "host", "signin"])
def test_an_out_of_date_home_is_refused_with_one_line_saying_kiosk_init(home, capsys, command):
    assert kiosk(capsys, "init").code == 0
    _one_release_behind(home)
    words = [command, "A1001"] if command == "signin" else [command]
    run = kiosk(capsys, *words, "--lang", "en")
    assert run.code == 1 and run.out == ""
    assert len(run.err.strip().splitlines()) == 1 and "run kiosk init" in run.err
    assert "earlier release" in run.err and "Traceback" not in run.err
    assert kiosk(capsys, "init").code == 0  # and kiosk init is indeed the way out
    assert "earlier release" not in kiosk(capsys, "signin", "A1001", "--lang", "en").err


def test_the_first_release_home_is_refused_until_kiosk_init(home, capsys):
    from db import migrations

    install_release1_home(home)
    run = kiosk(capsys, "run", "--lang", "en")
    if max(m.version for m in migrations.available()) > 2:  # once a later migration exists
        assert run.code == 1 and "run kiosk init" in run.err and "schema 2" in run.err
    assert kiosk(capsys, "init").code == 0
    assert "run kiosk init" not in kiosk(capsys, "run", "--lang", "en").err
