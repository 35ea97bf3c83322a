"""The admin PIN, stored only as a salted scrypt hash in ``KIOSK_HOME/admin_pin.json``.

scrypt (n=2^14, r=8) costs ~50 ms per guess, which is the point: a PIN is short, so the hash
must be slow to brute-force if the file is copied off a kiosk.

A new PIN has at least 6 digits (a million guesses, where 4 letters-or-digits were the weak
gate of issue 10). At the door, guessing is slowed by an escalating lockout (SPEC §7): after
``LOCK_AFTER`` wrong PINs in a row the gate refuses to check for 30 s, and every further wrong
PIN doubles it (1, 2, 4 … minutes) up to 15 minutes. The count lives beside the hash in
``admin_pin_lock.json`` (0600, written atomically), so a restart — pulling the plug — does not
reset it; only the right PIN does (or a day without a wrong one). Each wrong PIN is also an
audited event in the sign-in log (``admin_pin_failed``, see :func:`log_failure`).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import math
import os
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

from kiosk.private_file import write_private

FILE = "admin_pin.json"
LOCK_FILE = "admin_pin_lock.json"
N, R, P = 2**14, 8, 1
MIN_LEN, MAX_LEN = 6, 32
LOCK_AFTER = 3  # wrong PINs in a row before the first lock
FIRST_LOCK, MAX_LOCK = 30.0, 900.0  # seconds: 30 s, then 1, 2, 4 … minutes, at most 15
FORGET_AFTER = 86400.0  # a day without a wrong PIN forgets the count
FAILED = "admin_pin_failed"  # the event's result in the sign-in log


class PinError(ValueError):
    """A PIN that is too short, too long or not digits/letters."""


def _hash(pin: str, salt: bytes, n: int = N, r: int = R, p: int = P) -> bytes:
    return hashlib.scrypt(pin.encode("utf-8"), salt=salt, n=n, r=r, p=p, dklen=32)


def validate(pin: str) -> str:
    """A new PIN: 6 to 32 ASCII digits (surrounding spaces ignored)."""
    pin = pin.strip()
    if not (MIN_LEN <= len(pin) <= MAX_LEN) or not pin.isdigit() or not pin.isascii():
        raise PinError(pin)
    return pin


def set_pin(home: Path, pin: str) -> None:
    """Store a new PIN (validated) and forget earlier wrong PINs."""
    pin = validate(pin)
    salt = os.urandom(16)
    record = {"kdf": "scrypt", "n": N, "r": R, "p": P,
              "salt": base64.b64encode(salt).decode(), "hash": base64.b64encode(_hash(pin, salt)).decode()}
    write_private(home / FILE, json.dumps(record).encode("ascii"))
    (home / LOCK_FILE).unlink(missing_ok=True)


def has_pin(home: Path) -> bool:
    return (home / FILE).exists()


class _Stored(NamedTuple):
    """The stored hash and the scrypt parameters it was made with."""

    salt: bytes
    hash: bytes
    n: int
    r: int
    p: int

    def matches(self, pin: str) -> bool:
        got = _hash(pin.strip(), self.salt, self.n, self.r, self.p)
        return hmac.compare_digest(got, self.hash)


def _read(path: Path) -> _Stored | None:
    """The PIN record at ``path``; None when missing or damaged."""
    try:
        record = json.loads(path.read_text())
        return _Stored(base64.b64decode(record["salt"]), base64.b64decode(record["hash"]),
                       int(record["n"]), int(record["r"]), int(record["p"]))
    except (OSError, ValueError, KeyError, TypeError):
        return None


def check_pin(home: Path, pin: str) -> bool:
    """True when ``pin`` matches; False for a wrong PIN or a missing/damaged record."""
    stored = _read(home / FILE)
    try:
        return stored is not None and stored.matches(pin)
    except ValueError:  # scrypt parameters it cannot use (a hand-edited record)
        return False


def shaped_like_a_pin(text: str) -> bool:
    """6–32 ASCII digits: what :func:`validate` lets a PIN be (cheap: no hashing)."""
    return MIN_LEN <= len(text) <= MAX_LEN and text.isascii() and text.isdigit()


def matcher(home: Path) -> Callable[[str], bool]:
    """"Is this text the admin PIN?" for the kiosk's refused scans (FINDINGS #28: a PIN typed
    while the PIN dialog is not up lands in the scan field, and must never reach the event log,
    the exports or the centre). Only text shaped like a PIN (6–32 ASCII digits) pays the ~50 ms
    scrypt check, and only when a scan was refused anyway; the desk makes it outside the scan's
    write transaction. The record is kept in memory and read again only when the file changes
    (another inode, size or mtime: a new PIN is written to a new file and renamed over)."""
    path = home / FILE
    seen: list = [None, None]  # (inode, size, mtime) of the file last read, its record

    def current() -> _Stored | None:
        try:
            st = os.stat(path)
        except OSError:
            seen[:] = [None, None]
            return None
        key = (st.st_ino, st.st_size, st.st_mtime_ns)
        if key != seen[0]:
            seen[:] = [key, _read(path)]
        return seen[1]

    def matches(text: str) -> bool:
        if not shaped_like_a_pin(text):
            return False
        stored = current()
        try:
            return stored is not None and stored.matches(text)
        except ValueError:
            return False

    return matches


# -- the lockout ----------------------------------------------------------------------------------
@dataclass(frozen=True)
class Lockout:
    """Wrong PINs in a row, when the last one was, and how long it locks the gate (seconds)."""

    failures: int = 0
    last: float = 0.0
    lock: float = 0.0

    def remaining(self, now: float) -> float:
        """Seconds the gate stays locked; never more than the lock itself (a clock set back)."""
        if not self.lock:
            return 0.0
        return max(0.0, min(self.lock, self.last + self.lock - now))


def lock_seconds(failures: int) -> float:
    """0 for the first ``LOCK_AFTER - 1`` wrong PINs, then 30 s, 60 s, 120 s … capped at 900 s."""
    if failures < LOCK_AFTER:
        return 0.0
    return min(MAX_LOCK, FIRST_LOCK * 2 ** (failures - LOCK_AFTER))


def lockout(home: Path, now: float | None = None) -> Lockout:
    """The recorded lockout (a missing or damaged file is no lockout; a day old, forgotten)."""
    now = time.time() if now is None else now
    try:
        record = json.loads((home / LOCK_FILE).read_text())
        failures, last = int(record["failures"]), float(record["last"])
    except (OSError, ValueError, KeyError, TypeError):
        return Lockout()
    if failures <= 0 or now - last > FORGET_AFTER:
        return Lockout()
    return Lockout(failures, last, lock_seconds(failures))


def locked_for(home: Path, now: float | None = None) -> int:
    """Whole seconds until the gate checks a PIN again (0: it checks now)."""
    now = time.time() if now is None else now
    return math.ceil(lockout(home, now).remaining(now))


def record_failure(home: Path, now: float | None = None) -> Lockout:
    """Count one more wrong PIN (kept across restarts); the lockout it starts."""
    now = time.time() if now is None else now
    failures = lockout(home, now).failures + 1
    write_private(home / LOCK_FILE, json.dumps({"failures": failures, "last": now}).encode("ascii"))
    return Lockout(failures, now, lock_seconds(failures))


def record_success(home: Path) -> None:
    """The right PIN: the count starts again from zero."""
    (home / LOCK_FILE).unlink(missing_ok=True)


class Check(NamedTuple):
    ok: bool
    locked_for: int  # seconds still locked (nothing was checked) or the lock this failure started
    failures: int = 0  # wrong PINs in a row
    counted: bool = False  # this attempt was checked and wrong (an audited failure)


def verify(home: Path, pin: str, now: float | None = None) -> Check:
    """The gate: refuse while locked (without hashing), else check and count the outcome."""
    now = time.time() if now is None else now
    wait = locked_for(home, now)
    if wait:
        return Check(False, wait, lockout(home, now).failures)
    if check_pin(home, pin):
        record_success(home)
        return Check(True, 0)
    after = record_failure(home, now)
    return Check(False, math.ceil(after.lock), after.failures, counted=True)


def log_failure(db, *, kiosk_id: str, at, failures: int, lock: int, actor: str) -> None:
    """The audited event of a wrong PIN: result ``admin_pin_failed`` in the sign-in event log.

    The typed PIN is never stored; the note says how many wrong PINs in a row and the lock.
    """
    from db import ledger  # loaded on first use: the CLI's start-up never needs it

    with db.connection_context(), db.atomic():
        ledger.append_event(ledger.Event(kiosk_id=kiosk_id, at=at, method="pin", result=FAILED,
                                         reason="wrong_pin", note=f"failures={failures} lock_s={lock}",
                                         actor=actor))
