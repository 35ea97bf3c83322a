"""Writing a file only its owner may read — the admin PIN hash, the badge signing key, a config
that may hold the centre's password — atomically, so a crash never leaves half a file.

The temporary file is created with mode 0600 (never readable by others, even for a moment),
fsync'd, then renamed over the target; on any failure it is removed and the target untouched.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

PRIVATE_UMASK = 0o077  # files 0600, folders 0700: the home holds personal data and secrets


def write_private(path: Path, data: bytes) -> None:
    """Replace ``path`` with ``data``, mode 0600; raises OSError with nothing changed."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, 0o600)  # O_CREAT's mode is ignored if the temp file already existed
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def make_process_private() -> None:
    """Every file and folder this process creates is its owner's only (0600/0700), whatever
    umask the shell, the service manager or a desktop session handed us: SQLite's database and
    its -wal/-shm, log files (also after rotation), backups, exports."""
    os.umask(PRIVATE_UMASK)


def ensure_private_home(home: Path) -> None:
    """Create ``home`` 0700 (parents as needed). An existing home is left as it is (``kiosk
    doctor`` names loose modes, ``kiosk init`` tightens them). Never raises: read-only commands
    still work on a read-only home."""
    if home.exists():
        return
    try:
        home.mkdir(parents=True, exist_ok=True, mode=0o700)
        os.chmod(home, 0o700)
    except OSError:
        pass


def tighten_home(home: Path, database_file: str | None) -> None:
    """What ``kiosk init`` (run after every upgrade) does to a home an earlier release made with
    the umask's modes: the home and its folders 0700, its files 0600 — the database with its
    -wal/-shm, logs, backups, keys, config. Only paths this user owns; others are left."""
    if not home.is_dir():
        return
    tighten(home, 0o700)
    for path in home.rglob("*"):
        if path.is_symlink():
            continue
        tighten(path, 0o700 if path.is_dir() else 0o600)
    if database_file:
        for part in (database_file, f"{database_file}-wal", f"{database_file}-shm"):
            tighten(part, 0o600)


def tighten(path: Path | str, mode: int) -> None:
    """Remove group/other bits from a path we own (no-op if absent, foreign or already tight)."""
    try:
        info = os.stat(path)
    except OSError:
        return
    if info.st_uid == os.geteuid() and stat.S_IMODE(info.st_mode) & 0o077:
        try:
            os.chmod(path, mode)
        except OSError:
            pass
