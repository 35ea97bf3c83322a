"""``kiosk demo`` fills only a demo home of its own, marked as such, and logs into it."""

from __future__ import annotations

import hashlib
import sqlite3

from kiosk.demo_home import MARKER
from tests.cli_runner import kiosk


def digest(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def demo_setting(path) -> str | None:
    with sqlite3.connect(path) as conn:
        row = conn.execute("SELECT value FROM setting WHERE key = 'demo_office'").fetchone()
    return row[0] if row else None


def test_refuses_a_home_holding_real_data_and_changes_nothing(home, capsys, tmp_path):
    assert kiosk(capsys, "init").code == 0
    roster = tmp_path / "staff.csv"
    roster.write_text("staff_id,name,department\nR001,真实员工,办公室\n", encoding="utf-8")
    assert kiosk(capsys, "staff", "import", str(roster)).code == 0
    before = digest(home / "kiosk.db")
    run = kiosk(capsys, "demo", "--no-run", "--lang", "en")
    assert run.code == 1 and "holds real data" in run.err and "staff 1" in run.err
    assert len(run.err.strip().splitlines()) == 1
    assert digest(home / "kiosk.db") == before and not (home / MARKER).exists()
    assert [p["staff_id"] for p in kiosk(capsys, "staff", "list", "--json").json()] == ["R001"]


def test_refuses_a_set_up_home_even_before_its_first_person(home, capsys):
    assert kiosk(capsys, "init", "--pin", "135790").code == 0  # PIN and signing key, no one yet
    run = kiosk(capsys, "demo", "--no-run", "--lang", "en")
    assert run.code == 1 and "admin_pin.json" in run.err


def test_refuses_a_real_database_named_with_db(home, capsys, tmp_path):
    real = tmp_path / "office.db"
    assert kiosk(capsys, "init", "--no-keys", "--db", f"sqlite:///{real}").code == 0
    assert kiosk(capsys, "session", "add", "--title", "真实场次", "--kind", "lecture", "--start",
                 "2026-11-02 09:00", "--end", "2026-11-02 10:00", "--db", f"sqlite:///{real}").code == 0
    before = digest(real)
    run = kiosk(capsys, "demo", "--no-run", "--db", f"sqlite:///{real}", "--lang", "en")
    assert run.code == 1 and "sessions 1" in run.err and digest(real) == before


def test_an_empty_home_becomes_a_marked_demo_home_and_stays_one(home, capsys):
    assert kiosk(capsys, "demo", "--no-run").code == 0
    assert (home / MARKER).exists() and "kiosk demo" in (home / MARKER).read_text(encoding="utf-8")
    assert demo_setting(home / "kiosk.db") == "1"
    assert kiosk(capsys, "demo", "--no-run").code == 0  # its own demo home: filled again
    assert "demo office in" in (home / "logs" / "kiosk.log").read_text(encoding="utf-8")


def test_the_default_demo_home_gets_the_demo_and_its_log(capsys, monkeypatch, tmp_path):
    monkeypatch.delenv("KIOSK_HOME")
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    real, demo = tmp_path / "data" / "study-kiosk", tmp_path / "data" / "study-kiosk" / "demo"
    assert kiosk(capsys, "demo", "--no-run").code == 0
    assert (demo / MARKER).exists() and demo_setting(demo / "kiosk.db") == "1"
    assert f"demo office in {demo}" in (demo / "logs" / "kiosk.log").read_text(encoding="utf-8")
    real_log = real / "logs" / "kiosk.log"
    assert not real_log.exists() or "demo office" not in real_log.read_text(encoding="utf-8")
    assert not (real / "kiosk.db").exists()
