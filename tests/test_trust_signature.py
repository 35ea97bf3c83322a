"""SPEC §7: a badge's signature is never stored — not in the event log (accepted or rejected,
forged or altered), not in any export, not in the log file — and migration m0009 scrubs the
signatures older releases stored. Real CLI, real databases (SQLite, PostgreSQL, MariaDB)."""

from __future__ import annotations

import zipfile
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from db import database, migrations
from db.ledger import new_event_id, next_seq
from db.models import SchemaVersion, SignInEvent
from kiosk.badges import payload as badge_payload
from tests.cli_runner import kiosk
from tests.conftest import make_office, wall
from tests.test_sync import DAY, centre, new_home  # noqa: F401 — the centre fixture
from tests.test_sync import kiosk as door_kiosk

AT = "2026-11-28 08:55"


def _setup(capsys, url: str) -> str:
    """``kiosk init`` (makes the signing key), the small office; the good payload of A1001."""
    run = kiosk(capsys, "init", "--db", url)
    assert run.code == 0, run.err
    handle = database.bind(url)
    make_office(handle)
    handle.close()
    run = kiosk(capsys, "badge", "payload", "A1001", "--db", url)
    assert run.code == 0, run.err
    return run.out.strip()


def _signature(payload: str) -> str:
    return payload.rsplit(".", 1)[1]


def _export_bytes(capsys, url: str, tmp_path: Path) -> dict[str, bytes]:
    out = {}
    for fmt in ("csv", "xlsx", "jsonl"):
        path = tmp_path / f"log.{fmt}"
        run = kiosk(capsys, "export", "log", "--format", fmt, "--out", path, "--db", url)
        assert run.code == 0, run.err
        data = path.read_bytes()
        if fmt == "xlsx":  # every part of the workbook, unzipped
            with zipfile.ZipFile(path) as book:
                data = b"".join(book.read(name) for name in book.namelist())
        out[fmt] = data
    run = kiosk(capsys, "export", "log", "--format", "csv", "--out", "-", "--db", url)
    out["stdout"] = run.out.encode("utf-8")
    return out


def test_no_signature_in_the_log_exports_or_log_file_on_every_engine(any_url, home, tmp_path, capsys):
    good = _setup(capsys, any_url)
    sig = _signature(good)
    forged = badge_payload.sign(Ed25519PrivateKey.generate(), "A1002", 1)
    attempts = {
        "accepted": (good, "present"),
        "again": (good, "already"),
        "forged": (forged, "rejected"),
        "altered": (good + "A", "rejected"),           # an altered copy still carries the real one
        "other id": (good.replace("A1001", "A1002"), "rejected"),
        "control": (good + "\x07", "rejected"),        # invalid_input: logged from the raw text
        "too long": (good + "." + good + good, "rejected"),
        "lower": (good.replace("SK1.", "sk1."), "rejected"),
    }
    for what, (text, result) in attempts.items():
        run = kiosk(capsys, "signin", text, "--at", AT, "--json", "--db", any_url)
        assert run.json()["result"] == result, (what, run.out, run.err)
    handle = database.bind(any_url)
    rows = list(SignInEvent.select(SignInEvent.input, SignInEvent.note, SignInEvent.result).tuples())
    handle.close()
    assert len(rows) == len(attempts)
    stored = " ".join(f"{i} {n}" for i, n, _ in rows)
    assert sig not in stored and _signature(forged) not in stored
    assert not any(len(part) >= 40 for part in stored.replace(".", " ").split())
    # what stays says which badge was scanned, accepted or not
    inputs = [i for i, _, _ in rows]
    assert inputs.count("SK1.A1001.1") >= 3 and "SK1.A1002.1" in inputs
    assert any(i.startswith("SK1.A1001.1") and "\\x07" in i for i in inputs)
    for fmt, data in _export_bytes(capsys, any_url, tmp_path).items():
        assert sig.encode() not in data and _signature(forged).encode() not in data, fmt
        assert b"SK1.A1001.1" in data, fmt
    log = (home / "logs" / "kiosk.log")
    assert not log.exists() or sig not in log.read_text("utf-8")


def test_migration_m0009_scrubs_stored_signatures_on_every_engine(any_url, home, tmp_path, capsys):
    good = _setup(capsys, any_url)
    sig = _signature(good)
    handle = database.bind(any_url)
    old_rows = [(good, ""), (good + "\\x07", ""), ("A1001", ""), ("", f"pasted {good} by mistake"),
                (good[:120] + "…", "")]
    for text, note in old_rows:  # written as a release before m0009 did (no ledger in between)
        SignInEvent.insert(id=new_event_id(), seq=next_seq(), kiosk_id="old", at=wall(AT),
                           method="qr", result="rejected", reason="bad_signature", input=text,
                           note=note).execute()
    # back to a schema before m0009 (the migrations after it run again, as an upgrade would)
    SchemaVersion.delete().where(SchemaVersion.version >= 9).execute()
    assert not migrations.is_current(handle)
    handle.close()
    run = kiosk(capsys, "init", "--db", any_url)
    assert run.code == 0, run.err
    handle = database.bind(any_url)
    rows = {(i, n) for i, n in SignInEvent.select(SignInEvent.input, SignInEvent.note).tuples()}
    assert migrations.is_current(handle)
    handle.close()
    assert rows == {("SK1.A1001.1", ""), ("SK1.A1001.1\\x07", ""), ("A1001", ""),
                    ("", "pasted SK1.A1001.1 by mistake"), ("SK1.A1001.1…", "")}
    assert sig[:40] not in str(rows)


def test_the_log_file_never_holds_a_payload(home, capsys):
    """Whatever a log line carries (an error message quoting the input, say), the file keeps
    ``SK1.<id>.<version>`` only."""
    import logging

    from kiosk.cli.log_file import setup_logging

    good = "SK1.A1001.1." + "Ab-_" * 21 + "xy"
    root = logging.getLogger()
    earlier = [h for h in root.handlers if getattr(h, "kiosk_file", False)]  # another test's home
    for h in earlier:
        root.removeHandler(h)
    path = setup_logging(home)
    try:
        logging.getLogger("kiosk.test").warning("odd scan %r \x1b[2J", good)
        for h in logging.getLogger().handlers:
            h.flush()
    finally:
        for h in list(logging.getLogger().handlers):
            if getattr(h, "kiosk_file", False):
                logging.getLogger().removeHandler(h)
                h.close()
        for h in earlier:
            root.addHandler(h)
    text = path.read_text("utf-8")
    assert "SK1.A1001.1'" in text and "Ab-_Ab-_" not in text and "\x1b" not in text


def test_the_centre_never_receives_a_signature(centre, tmp_path):  # noqa: F811
    """A door scans a good, an altered and a forged badge and syncs: the centre's event log holds
    ``SK1.<id>.<version>`` and no signature (PostgreSQL and MariaDB centres)."""
    import json


    door = new_home(tmp_path, "door", "door-1")
    door_kiosk(door, "sync", "--once", "--central", centre.url)
    good = centre.badge("A1001", 1)
    forged = badge_payload.sign(Ed25519PrivateKey.generate(), "A1002", 1)
    for text in (good, good + "A", forged):
        done = door_kiosk(door, "signin", text, "--at", f"{DAY} 08:55", "--json", check=None)
        assert json.loads(done.stdout.splitlines()[-1])["result"] in ("present", "rejected")
    assert "0 still queued" in door_kiosk(door, "sync", "--once").stdout
    handle = database.bind(centre.url)
    inputs = [i for (i,) in SignInEvent.select(SignInEvent.input).where(SignInEvent.kiosk_id == "door-1")
              .tuples()]
    handle.close()
    assert len(inputs) == 3 and inputs.count("SK1.A1001.1") == 2 and "SK1.A1002.1" in inputs
    assert not any(_signature(good) in i or _signature(forged) in i for i in inputs)
