"""SPEC §7's admin PIN gate, without a screen: 6 digits for a new PIN, the escalating lockout
kept beside the hash (0600, across restarts), and the CLI's refusal of a short PIN."""

from __future__ import annotations

import os
import stat

import pytest

from kiosk import pin
from tests.cli_runner import kiosk

T0 = 1_800_000_000.0


@pytest.mark.parametrize("value", ["12345", "1234", "12345a", "abcdef", "１２３４５６", "1" * 33, ""])
def test_a_new_pin_needs_6_to_32_digits(home, value):
    with pytest.raises(pin.PinError):
        pin.set_pin(home, value)
    assert not pin.has_pin(home)


@pytest.mark.parametrize("value", ["123456", " 987654 ", "1" * 32])
def test_six_or_more_digits_are_a_pin(home, value):
    pin.set_pin(home, value)
    assert pin.check_pin(home, value.strip())


def test_the_lock_escalates_30s_1_2_4_minutes_capped_at_15():
    locks = [pin.lock_seconds(n) for n in range(1, 12)]
    assert locks == [0, 0, 30, 60, 120, 240, 480, 900, 900, 900, 900]


def test_wrong_pins_lock_the_gate_and_only_the_right_pin_resets_it(home):
    pin.set_pin(home, "246810")
    assert pin.verify(home, "111111", T0) == pin.Check(False, 0, 1, counted=True)
    assert pin.verify(home, "222222", T0 + 1) == pin.Check(False, 0, 2, counted=True)
    assert pin.verify(home, "333333", T0 + 2) == pin.Check(False, 30, 3, counted=True)
    # locked: even the right PIN is not checked (and nothing is counted)
    assert pin.verify(home, "246810", T0 + 10) == pin.Check(False, 22, 3)
    assert pin.lockout(home, T0 + 10).failures == 3
    # the lock over, a fourth wrong PIN locks for a minute, a fifth for two
    assert pin.verify(home, "444444", T0 + 33).locked_for == 60
    assert pin.locked_for(home, T0 + 33 + 59) == 1 and pin.locked_for(home, T0 + 33 + 60) == 0
    assert pin.verify(home, "555555", T0 + 100).locked_for == 120
    assert pin.verify(home, "246810", T0 + 221) == pin.Check(True, 0)
    assert pin.lockout(home, T0 + 221).failures == 0
    assert pin.verify(home, "111111", T0 + 222) == pin.Check(False, 0, 1, counted=True)


def test_the_count_survives_a_restart_in_a_private_file(home):
    """A restart is a new process reading the home: the lock is in the file, 0600 whatever the umask."""
    pin.set_pin(home, "246810")
    old = os.umask(0)
    try:
        for n in range(4):
            pin.record_failure(home, T0 + n)
    finally:
        os.umask(old)
    path = home / pin.LOCK_FILE
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert not list(home.glob(".admin_pin_lock.json.*"))  # written atomically: no temp left
    import subprocess
    import sys

    code = (f"from pathlib import Path; from kiosk import pin; "
            f"print(pin.locked_for(Path({str(home)!r}), {T0 + 3 + 10}))")
    assert subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=True).stdout.strip() == "50"


def test_a_clock_set_back_never_lengthens_the_lock(home):
    pin.set_pin(home, "246810")
    for _ in range(3):
        pin.record_failure(home, T0)
    assert pin.locked_for(home, T0 - 86000) == 30  # not a day


def test_a_day_without_a_wrong_pin_forgets_the_count(home):
    pin.set_pin(home, "246810")
    for _ in range(5):
        pin.record_failure(home, T0)
    assert pin.lockout(home, T0 + pin.FORGET_AFTER + 1).failures == 0
    assert pin.verify(home, "999999", T0 + pin.FORGET_AFTER + 1).failures == 1


def test_a_damaged_lock_file_is_no_lock_and_a_new_pin_clears_it(home):
    pin.set_pin(home, "246810")
    (home / pin.LOCK_FILE).write_text("{not json")
    assert pin.locked_for(home) == 0
    for _ in range(3):
        pin.record_failure(home)
    pin.set_pin(home, "135790")
    assert pin.locked_for(home) == 0


@pytest.mark.parametrize("lang, words", [("zh", "6-32位数字"), ("en", "6-32 digits")])
def test_kiosk_init_refuses_a_short_pin_in_one_translated_line(home, capsys, monkeypatch, lang, words):
    monkeypatch.setenv("KIOSK_LANG", lang)
    run = kiosk(capsys, "init", "--pin", "12345")
    assert run.code == 1 and words in run.err and len(run.err.strip().splitlines()) == 1
    assert not pin.has_pin(home) and not (home / "kiosk.db").exists()
    run = kiosk(capsys, "init", "--pin", "123456", "--no-keys")
    assert run.code == 0 and pin.check_pin(home, "123456")


def test_the_scan_fields_matcher_keeps_the_hash_and_reads_a_changed_file_again(home):
    """The kiosk asks of every refused PIN-shaped scan; the record stays in memory until the
    file changes (a new PIN is a new file renamed over the old one)."""
    matches = pin.matcher(home)
    assert not matches("123456")  # no PIN set
    pin.set_pin(home, "123456")
    assert matches("123456") and not matches("654321") and not matches("A123456")
    path = home / pin.FILE
    before = path.stat()
    other = home / "other"
    pin.set_pin(other, "654321")  # the same length of record, written into this file in place
    with path.open("r+b") as fh:
        fh.write((other / pin.FILE).read_bytes())
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert path.stat().st_size == before.st_size and pin.check_pin(home, "654321")
    assert matches("123456") and not matches("654321")  # unchanged to stat: the kept hash
    pin.set_pin(home, "24681357")  # changed: read again
    assert matches("24681357") and not matches("123456")
    path.unlink()
    assert not matches("24681357")
    path.write_text("{damaged")
    assert not matches("24681357")


def test_the_pin_check_of_a_refused_scan_holds_no_write_lock(db, home, tmp_path):
    """The ~50 ms scrypt check runs between the scan's decision and its write: another door
    (another connection) can commit meanwhile. The PIN is still never stored."""
    import sqlite3
    from zoneinfo import ZoneInfo

    from db.models import SignInEvent
    from kiosk.desk import SignInDesk
    from tests.conftest import make_office, wall

    make_office(db)
    pin.set_pin(home, "20261201")
    real, door_b = pin.matcher(home), []

    def withhold(text: str) -> bool:  # the real matcher, with another door writing meanwhile
        other = sqlite3.connect(tmp_path / "kiosk.db", timeout=0, isolation_level=None)
        try:
            other.execute("BEGIN IMMEDIATE")
            other.execute("UPDATE setting SET value = value WHERE 0")
            other.execute("COMMIT")
            door_b.append("wrote")
        except sqlite3.OperationalError as exc:
            door_b.append(str(exc))
        finally:
            other.close()
        return real(text)

    desk = SignInDesk(db, kiosk_id="door-a", tz=ZoneInfo("Asia/Shanghai"), withhold=withhold)
    for text in ("20261201", "98765432", "A1001"):
        desk.sign_in(text, at=wall("2026-11-28 09:30"))
    assert door_b == ["wrote", "wrote"]  # asked of the two refused scans only, lock free both times
    events = [(e.result, e.reason, e.input) for e in
              SignInEvent.select().where(SignInEvent.kiosk_id == "door-a").order_by(SignInEvent.seq)]
    assert events[0] == ("rejected", "unknown_staff", "")  # the PIN: refused, not kept
    assert events[1][:2] == ("rejected", "unknown_staff") and events[1][2].endswith("5432")  # (as a card)
    assert events[2][:2] == ("late", "") and len(events) == 3
