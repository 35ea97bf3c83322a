"""A central PostgreSQL / MariaDB database written by the first release upgrades with
``kiosk init --db URL`` and keeps every person, session, event, leave, report figure and badge.

The dumps (tests/fixtures/release1_centre, made by its ``build.sh`` with the first release's own
commands, main at 8148de2) are loaded with the engines' own clients, as an office would restore
one; ``expected`` files are what the first release printed for that database.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from urllib.parse import urlparse

import pytest

from tests.cli_runner import kiosk

FIXTURES = Path(__file__).parent / "fixtures" / "release1_centre"
COUNTS = ("expected", "present", "late", "excused", "absent", "visitors", "rate")


def load_dump(engine: str, url: str) -> None:
    parsed = urlparse(url)
    dump = FIXTURES / engine / "centre.sql"
    if engine == "postgresql":
        client = shutil.which("psql")
        command = [client, url, "-q", "-v", "ON_ERROR_STOP=1", "-f", str(dump)]
        stdin = None
    else:
        client = shutil.which("mariadb") or shutil.which("mysql")
        command = [client, "-h", parsed.hostname or "127.0.0.1", "-P", str(parsed.port or 3306),
                   "-u", parsed.username or "root", parsed.path.lstrip("/")]
        if parsed.password:
            command.insert(1, f"-p{parsed.password}")
        stdin = dump.open("rb")
    if client is None:
        pytest.skip(f"no {engine} client to load the dump")
    try:
        done = subprocess.run(command, stdin=stdin, capture_output=True, timeout=120)
    finally:
        if stdin is not None:
            stdin.close()
    assert done.returncode == 0, done.stderr.decode(errors="replace")


@pytest.fixture(params=["postgresql", "mysql"])
def centre(request, home, capsys, monkeypatch):
    engine = request.param
    url = request.getfixturevalue("pg_url" if engine == "postgresql" else "mysql_url")
    load_dump(engine, url)
    (home / "keys").mkdir(mode=0o700)  # the admin's home, with the key that signed the badges
    key = home / "keys" / "badge_signing.pem"
    shutil.copyfile(FIXTURES / engine / "keys" / "badge_signing.pem", key)
    key.chmod(0o600)
    monkeypatch.setenv("KIOSK_DB", url)
    before = kiosk(capsys, "staff", "list", "--json")
    assert before.code == 1 and "kiosk init" in before.err  # an old centre is refused first
    run = kiosk(capsys, "init")
    assert run.code == 0, run.err
    assert "mismatch" not in run.out and "不一致" not in run.out
    return FIXTURES / engine


def expected(folder: Path, name: str):
    text = (folder / name).read_text(encoding="utf-8")
    if name.endswith(".jsonl"):
        return [json.loads(line) for line in text.splitlines() if line.strip()]
    return json.loads(text)


def test_a_first_release_centre_keeps_everything(centre, capsys):
    keys = ("staff_id", "name", "department", "groups", "title", "active")
    people = kiosk(capsys, "staff", "list", "--json").json()
    assert [{k: p[k] for k in keys} for p in people] == \
        [{k: p[k] for k in keys} for p in expected(centre, "staff.json")]
    keys = ("title", "kind", "start", "end", "location")
    sessions = kiosk(capsys, "session", "list", "--json").json()
    assert [{k: s[k] for k in keys} for s in sessions] == \
        [{k: s[k] for k in keys} for s in expected(centre, "sessions.json")]
    log = kiosk(capsys, "export", "log", "--month", "2026-11", "--format", "jsonl", "--out", "-")
    keys = ("event_id", "time", "kiosk", "method", "result", "reason", "staff_id", "name",
            "session_title", "input")
    assert [{k: e[k] for k in keys} for e in log.jsonl()] == \
        [{k: e[k] for k in keys} for e in expected(centre, "log_2026-11.jsonl")]
    now = kiosk(capsys, "report", "monthly", "--month", "2026-11", "--format", "json", "--out", "-").json()
    then = expected(centre, "report_2026-11.json")
    assert {k: now["totals"][k] for k in COUNTS} == {k: then["totals"][k] for k in COUNTS}
    for section, name in (("sessions", "title"), ("departments", "department"), ("people", "staff_id")):
        assert [{name: r[name], **{k: r[k] for k in COUNTS}} for r in now[section]] == \
            [{name: r[name], **{k: r[k] for k in COUNTS}} for r in then[section]], section
    for staff_id in ("S002", "S005"):
        payload = kiosk(capsys, "badge", "payload", staff_id)
        assert payload.out.strip() == (centre / f"badge_{staff_id}.txt").read_text().strip()
    again = kiosk(capsys, "init")
    assert again.code == 0 and "0003" not in again.out  # idempotent
