"""The admin PIN, stored only as a salted scrypt hash in ``KIOSK_HOME/admin_pin.json``.

scrypt (n=2^14, r=8) costs ~50 ms per guess, which is the point: a PIN is short, so the hash
must be slow to brute-force if the file is copied off a kiosk.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
from pathlib import Path

from kiosk.private_file import write_private

FILE = "admin_pin.json"
N, R, P = 2**14, 8, 1
MIN_LEN, MAX_LEN = 4, 32


class PinError(ValueError):
    """A PIN that is too short, too long or not digits/letters."""


def _hash(pin: str, salt: bytes, n: int = N, r: int = R, p: int = P) -> bytes:
    return hashlib.scrypt(pin.encode("utf-8"), salt=salt, n=n, r=r, p=p, dklen=32)


def validate(pin: str) -> str:
    pin = pin.strip()
    if not (MIN_LEN <= len(pin) <= MAX_LEN) or not pin.isalnum() or not pin.isascii():
        raise PinError(pin)
    return pin


def set_pin(home: Path, pin: str) -> None:
    pin = validate(pin)
    salt = os.urandom(16)
    record = {"kdf": "scrypt", "n": N, "r": R, "p": P,
              "salt": base64.b64encode(salt).decode(), "hash": base64.b64encode(_hash(pin, salt)).decode()}
    write_private(home / FILE, json.dumps(record).encode("ascii"))


def has_pin(home: Path) -> bool:
    return (home / FILE).exists()


def check_pin(home: Path, pin: str) -> bool:
    """True when ``pin`` matches; False for a wrong PIN or a missing/damaged record."""
    try:
        record = json.loads((home / FILE).read_text())
        salt = base64.b64decode(record["salt"])
        expected = base64.b64decode(record["hash"])
        got = _hash(pin.strip(), salt, int(record["n"]), int(record["r"]), int(record["p"]))
    except (OSError, ValueError, KeyError, TypeError):
        return False
    return hmac.compare_digest(got, expected)
