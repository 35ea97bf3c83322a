"""Consistent copies of the embedded SQLite database, and putting one back.

Both directions go through SQLite's online backup API, never a file copy: a copy of ``kiosk.db``
taken while the kiosk writes could miss the WAL or tear a page, and a file moved over a database
another process holds open would leave that process writing into the replaced inode.

The copy is taken in one backup step, i.e. one read transaction. In WAL mode a reader never
blocks a writer, so the kiosk keeps committing sign-ins (to the WAL) while the copy is read; a
multi-step backup would instead restart from the first page every time another connection
writes, and might never finish on a busy door.
"""

from __future__ import annotations

import os
import sqlite3
from dataclasses import dataclass
from pathlib import Path

REQUIRED_TABLES = ("schema_version", "staff", "study_session", "sign_in_event", "attendance")


class BadBackup(ValueError):
    """The file is not a sound kiosk database; ``reason`` is one of the keys below."""

    def __init__(self, reason: str, detail: str = "") -> None:
        super().__init__(f"{reason}: {detail}" if detail else reason)
        self.reason = reason  # not_sqlite | damaged | not_kiosk | newer_schema
        self.detail = detail


@dataclass(frozen=True)
class Checked:
    """What :func:`check_file` found in a sound database file."""

    schema_version: int
    pages: int


def _connect(path: Path | str, *, readonly: bool = False) -> sqlite3.Connection:
    if readonly:
        uri = Path(path).resolve().as_uri() + "?mode=ro"
        conn = sqlite3.connect(uri, uri=True, timeout=15, isolation_level=None)
    else:
        conn = sqlite3.connect(str(path), timeout=15, isolation_level=None)
    conn.execute("PRAGMA busy_timeout = 15000")
    return conn


def copy_database(source: Path, target: Path) -> int:
    """Write a consistent copy of the live database ``source`` to the new file ``target``.

    ``target`` is created with mode 0600 (it holds everyone's attendance), fsync'd, and left in
    rollback-journal mode so the one file is the whole backup. Returns its size in bytes.
    """
    fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    os.close(fd)
    try:
        src = _connect(source)  # (read-write: a read-only handle can't open a WAL file alone)
        dst = _connect(target)
        try:
            src.backup(dst, pages=-1)
            dst.execute("PRAGMA journal_mode = DELETE")
        finally:
            dst.close()
            src.close()
        os.chmod(target, 0o600)
        _fsync(target)
        return target.stat().st_size
    except BaseException:
        for leftover in (target, Path(f"{target}-journal"), Path(f"{target}-wal")):
            leftover.unlink(missing_ok=True)
        raise


def check_file(path: Path, *, newest_schema: int) -> Checked:
    """Refuse (:class:`BadBackup`) a file that is damaged or no kiosk database of ours."""
    try:
        with path.open("rb") as fh:
            header = fh.read(16)
    except OSError as exc:
        raise BadBackup("not_sqlite", exc.strerror or str(exc)) from None
    if header != b"SQLite format 3\x00":
        raise BadBackup("not_sqlite")
    try:
        conn = _connect(path, readonly=True)
    except sqlite3.Error as exc:
        raise BadBackup("damaged", str(exc)) from None
    try:
        rows = [r[0] for r in conn.execute("PRAGMA integrity_check(20)")]
        if rows != ["ok"]:
            raise BadBackup("damaged", "; ".join(rows[:3]))
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        missing = [t for t in REQUIRED_TABLES if t not in tables]
        if missing:
            raise BadBackup("not_kiosk", ", ".join(missing))
        version = conn.execute("SELECT MAX(version) FROM schema_version").fetchone()[0] or 0
        pages = conn.execute("PRAGMA page_count").fetchone()[0]
    except sqlite3.DatabaseError as exc:
        raise BadBackup("damaged", str(exc)) from None
    finally:
        conn.close()
    if version > newest_schema:
        raise BadBackup("newer_schema", str(version))
    return Checked(schema_version=version, pages=pages)


def integrity(path: Path) -> list[str]:
    """``PRAGMA integrity_check`` of a database file: ``["ok"]`` when sound."""
    conn = _connect(path, readonly=True)
    try:
        return [r[0] for r in conn.execute("PRAGMA integrity_check(20)")]
    finally:
        conn.close()


def restore_into(source: Path, target: Path) -> None:
    """Replace the content of the live database ``target`` with the checked file ``source``.

    The backup API writes through SQLite's own locking, in one transaction: a kiosk that holds
    ``target`` open waits for the lock and then reads the restored data, never a torn file.
    """
    src = _connect(source, readonly=True)
    dst = _connect(target)
    try:
        src.backup(dst, pages=-1)
        dst.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        dst.close()
        src.close()


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
    try:
        dir_fd = os.open(path.parent, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(dir_fd)
    except OSError:
        pass
    finally:
        os.close(dir_fd)
