"""``kiosk doctor``: every check passes on a sound home and names the fix when it fails."""

from __future__ import annotations

import datetime as dt
import os
import sqlite3

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from db import database, migrations, queries
from kiosk import backups, config, doctor
from kiosk.badges.keys import public_key_text, write_private_key
from tests.cli_runner import kiosk

CHECKS = ["schema", "integrity", "disk", "modes", "clock", "key", "centre", "backup", "log"]


@pytest.fixture
def private_umask():
    old = os.umask(0o077)
    yield
    os.umask(old)


@pytest.fixture
def sound(home, capsys, private_umask):
    home.chmod(0o700)  # (made by the test's fixture, not by kiosk)
    assert kiosk(capsys, "init").code == 0
    return home


def checks(capsys, *extra: str) -> tuple[int, dict[str, dict]]:
    run = kiosk(capsys, "doctor", "--json", "--lang", "en", *extra)
    data = run.json()
    assert [c["name"] for c in data["checks"]] == CHECKS
    assert data["ok"] == (run.code == 0)
    return run.code, {c["name"]: c for c in data["checks"]}


def failed(found: dict[str, dict]) -> set[str]:
    return {name for name, c in found.items() if not c["ok"]}


def test_a_sound_new_home_passes_with_notes_for_what_does_not_apply(sound, capsys):
    code, found = checks(capsys)
    assert code == 0, [c for c in found.values() if not c["ok"]]
    assert found["centre"]["note"] and found["clock"]["note"]  # no centre configured
    assert found["backup"]["note"]  # less than a day old, no backup yet
    text = kiosk(capsys, "doctor", "--lang", "en")
    assert text.code == 0 and len(text.out.splitlines()) == len(CHECKS) + 1
    assert all(line.startswith("ok") for line in text.out.splitlines()[:-1])


def _age_home(home, days: int) -> None:
    with sqlite3.connect(home / "kiosk.db") as conn:
        conn.execute("UPDATE schema_version SET applied_at = ?",
                     ((dt.datetime.now(dt.UTC) - dt.timedelta(days=days)).replace(tzinfo=None)
                      .isoformat(" "),))


def test_backup_age(sound, capsys):
    _age_home(sound, 30)
    code, found = checks(capsys)
    assert code == 1 and failed(found) == {"backup"} and "kiosk backup" in found["backup"]["fix"]
    rules = backups.policy(config.load())
    backups.make_backup(config.load(), rules, dt.datetime.now(dt.UTC) - dt.timedelta(days=3))
    code, found = checks(capsys)
    assert code == 1 and failed(found) == {"backup"} and "7" in found["backup"]["detail"]
    assert kiosk(capsys, "backup").code == 0
    code, found = checks(capsys)
    assert code == 0, found


def test_a_backup_dated_in_the_future_is_flagged_and_the_age_is_the_files(sound, capsys):
    """FINDINGS #39: doctor once said "-274.7 h ago" and passed; the age is the file's own time,
    and a backup dated after now (this clock behind, or ahead when it was made) is flagged."""
    _age_home(sound, 30)
    rules = backups.policy(config.load())
    ahead = backups.make_backup(config.load(), rules, dt.datetime.now(dt.UTC) + dt.timedelta(days=11))
    code, found = checks(capsys)
    assert code == 1 and failed(found) == {"backup"}
    assert "dated after" in found["backup"]["detail"] and str(ahead.path) in found["backup"]["detail"]
    assert "timedatectl" in found["backup"]["fix"]
    ahead.path.unlink()  # the admin's fix once the clock is known to be right
    made = backups.make_backup(config.load(), rules)
    three_days = (dt.datetime.now(dt.UTC) - dt.timedelta(days=3)).timestamp()
    os.utime(made.path, (three_days, three_days))  # its name says now, its file three days ago
    code, found = checks(capsys)
    assert code == 1 and failed(found) == {"backup"} and "72." in found["backup"]["detail"]


def test_loose_file_modes_name_the_chmod(sound, capsys):
    (sound / "kiosk.db").chmod(0o644)
    (sound / "keys").chmod(0o755)
    code, found = checks(capsys)
    assert code == 1 and failed(found) == {"modes"}
    assert f"chmod 600 {sound / 'kiosk.db'}" in found["modes"]["fix"]
    assert f"chmod 700 {sound / 'keys'}" in found["modes"]["fix"]


def test_old_schema_says_kiosk_init(sound, capsys):
    latest = max(m.version for m in migrations.available())
    with sqlite3.connect(sound / "kiosk.db") as conn:
        conn.execute("DELETE FROM schema_version WHERE version = ?", (latest,))
    code, found = checks(capsys)
    assert code == 1 and "schema" in failed(found) and found["schema"]["fix"] == "run kiosk init"


def test_damaged_database_fails_integrity_without_crashing(sound, capsys, tmp_path):
    bad = tmp_path / "bad.db"
    data = bytearray((sound / "kiosk.db").read_bytes())
    with sqlite3.connect(sound / "kiosk.db") as conn:
        root = conn.execute("SELECT rootpage FROM sqlite_master WHERE name = 'staff'").fetchone()[0]
    data[(root - 1) * 4096: (root - 1) * 4096 + 8] = b"\x0d\x00\x00\x00\x09\xff\xff\x00"
    bad.write_bytes(bytes(data))
    code, found = checks(capsys, "--db", f"sqlite:///{bad}")
    assert code == 1 and "integrity" in failed(found) and "kiosk restore" in found["integrity"]["fix"]


def test_signing_key_that_is_not_the_published_one(sound, capsys):
    write_private_key(sound, Ed25519PrivateKey.generate())
    code, found = checks(capsys)
    assert code == 1 and failed(found) == {"key"} and "--rotate" in found["key"]["fix"]


def test_kiosk_without_a_verify_key(home, capsys, private_umask):
    home.chmod(0o700)
    assert kiosk(capsys, "init", "--no-keys").code == 0
    code, found = checks(capsys)
    assert code == 1 and failed(found) == {"key"} and "kiosk sync" in found["key"]["fix"]


def test_unreachable_centre_is_named_without_its_password(sound, capsys, monkeypatch):
    monkeypatch.setenv("KIOSK_CENTRAL", "postgresql://kiosk:Sup3rSecret@127.0.0.1:1/centre")
    run = kiosk(capsys, "doctor", "--lang", "en")
    assert run.code == 1 and "Sup3rSecret" not in run.out + run.err
    code, found = checks(capsys)
    assert failed(found) == {"centre"} and found["clock"]["note"]


def test_reachable_centre_clock_and_published_key(home, capsys, pg_url, monkeypatch, private_umask):
    home.chmod(0o700)
    assert kiosk(capsys, "init", "--no-keys").code == 0
    assert kiosk(capsys, "init", "--no-keys", "--db", pg_url).code == 0
    key = Ed25519PrivateKey.generate()
    handle = database.bind(pg_url)
    with handle.atomic():
        queries.set_setting("badge_public_key", public_key_text(key.public_key()))
    handle.close()
    local = database.bind(config.sqlite_url_for(home))
    with local.atomic():  # an old key: the centre has moved on
        queries.set_setting("badge_public_key", public_key_text(Ed25519PrivateKey.generate().public_key()))
    local.close()
    monkeypatch.setenv("KIOSK_CENTRAL", pg_url)
    code, found = checks(capsys)
    assert found["centre"]["ok"] and found["clock"]["ok"] and not found["clock"]["note"]
    assert abs(int(found["clock"]["detail"].split()[0])) <= 5
    assert failed(found) == {"key"} and "kiosk sync" in found["key"]["fix"]
    assert kiosk(capsys, "sync", "--once").code == 0
    code, found = checks(capsys)
    assert code == 0, found


def test_big_log_and_low_disk(sound, capsys, monkeypatch):
    (sound / "logs").mkdir(exist_ok=True)
    (sound / "logs" / "kiosk.log.1").write_bytes(b"x" * (doctor.MAX_LOG_BYTES + 1))
    monkeypatch.setattr(doctor, "MIN_FREE_BYTES", 1 << 60)  # more than any disk here holds
    code, found = checks(capsys)
    assert code == 1 and failed(found) == {"log", "disk"}
