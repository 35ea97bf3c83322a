"""Consistent copies of the embedded SQLite database, and putting one back.

Both directions go through SQLite's online backup API, never a file copy: a copy of ``kiosk.db``
taken while the kiosk writes could miss the WAL or tear a page, and a file moved over a database
another process holds open would leave that process writing into the replaced inode.

The copy is read inside one read transaction on the source, so it is one moment of the
database however long it takes. In WAL mode a reader never blocks a writer: the kiosk keeps
committing sign-ins (to the WAL) while the copy is read, and since the snapshot is pinned the
backup's steps never restart however often the kiosk writes (bench/backup.py measures both).
"""

from __future__ import annotations

import os
import sqlite3
import time
from dataclasses import dataclass
from pathlib import Path

STEP_PAGES = 1024  # 4 MB of 4 KB pages between flushes
STEP_PAUSE = 0.003  # seconds between steps: the kiosk's own writes go first
SQLITE_OK, SQLITE_BUSY, SQLITE_LOCKED = 0, 5, 6  # a backup step's status
REQUIRED_TABLES = ("schema_version", "staff", "study_session", "sign_in_event", "attendance")


SQLITE_HEADER = b"SQLite format 3\x00"


def is_sqlite_file(path: Path) -> bool:
    """Whether ``path`` starts like an SQLite database (a 0-byte or half-written file does not):
    the cheap test rotation applies to every file named like a backup, which only then counts."""
    try:
        with path.open("rb") as fh:
            return fh.read(16) == SQLITE_HEADER
    except OSError:
        return False


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
    """A connection to ``path``; read-only when asked, or when its folder can't be written (a
    read-only mount, an auditor's copy): then ``immutable``, since a WAL database opened
    read-only still needs to create its -shm file next to it."""
    folder_writable = os.access(Path(path).resolve().parent, os.W_OK)
    if readonly or not folder_writable:
        uri = Path(path).resolve().as_uri() + "?mode=ro" + ("" if folder_writable else "&immutable=1")
        conn = sqlite3.connect(uri, uri=True, timeout=15, isolation_level=None)
    else:
        conn = sqlite3.connect(str(path), timeout=15, isolation_level=None)
    conn.execute("PRAGMA busy_timeout = 15000")
    return conn


def copy_database(source: Path, target: Path, *, step_pages: int = STEP_PAGES,
                  pause: float = STEP_PAUSE) -> int:
    """Write a consistent copy of the live database ``source`` to the new file ``target``.

    ``target`` appears only once it is whole: the copy is written to a hidden ``.partial`` file
    (mode 0600: it holds everyone's attendance), fsync'd, left in rollback-journal mode so the
    one file is the whole backup, then renamed. Returns its size in bytes.
    """
    partial = target.with_name(f".{target.name}.partial")
    fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.fchmod(fd, 0o600)
    try:
        _copy_in_steps(source, partial, fd, step_pages, pause)
        os.fsync(fd)
        os.close(fd)
        fd = -1
        os.replace(partial, target)
        _fsync_folder(target.parent)
        return target.stat().st_size
    except BaseException:
        if fd >= 0:
            os.close(fd)
        for leftover in (partial, Path(f"{partial}-journal")):
            leftover.unlink(missing_ok=True)
        raise


def _copy_in_steps(source: Path, partial: Path, fd: int, step_pages: int, pause: float) -> None:
    """The backup API, ``step_pages`` at a time, inside one read transaction on the source.

    The open read transaction pins one snapshot (WAL: the kiosk's commits go on meanwhile, each
    step reads the same moment, nothing restarts). The copy is written unsynced and flushed to
    disk after every step: one fsync of the whole file at the end would queue the kiosk's next
    commit (its own fsync) behind a hundred megabytes of writeback — a sign-in waiting 60 ms.
    """
    src = _connect(source)  # (read-write: a read-only handle can't open a WAL file alone)
    dst = _connect(partial)
    try:
        dst.execute("PRAGMA journal_mode = OFF")  # a fresh file, renamed only when complete
        dst.execute("PRAGMA synchronous = OFF")
        src.execute("BEGIN")
        src.execute("SELECT COUNT(*) FROM sqlite_master").fetchone()  # the snapshot starts here

        def flushed(status: int, remaining: int, total: int) -> None:
            os.fdatasync(fd)
            if pause and remaining:
                time.sleep(pause)

        src.backup(dst, pages=step_pages, progress=flushed)
        src.execute("COMMIT")
        dst.execute("PRAGMA journal_mode = DELETE")
    finally:
        dst.close()
        src.close()


def check_file(path: Path, *, newest_schema: int) -> Checked:
    """Refuse (:class:`BadBackup`) a file that is damaged or no kiosk database of ours."""
    try:
        with path.open("rb") as fh:
            header = fh.read(16)
    except OSError as exc:
        raise BadBackup("not_sqlite", exc.strerror or str(exc)) from None
    if header != SQLITE_HEADER:
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


def restore_into(source: Path, target: Path, *, keep_as: Path | None = None) -> None:
    """Replace the content of the live database ``target`` with the checked file ``source``.

    The backup API writes through SQLite's own locking, in one transaction: a kiosk that holds
    ``target`` open waits for the lock and then reads the restored data, never a torn file.

    ``keep_as`` gets a copy of what is replaced, taken *inside* that transaction: the first step
    takes the write lock (held until the last), and only then is the committed database copied
    (a reader, which the lock does not block). So every sign-in a door committed before the
    restore is in the kept copy, every later one in the restored database — none falls between
    the two, as one committed after a copy made beforehand would.
    """
    src = _connect(source, readonly=True)
    dst = _connect(target)
    kept: list[Path] = []

    def keep_replaced(status: int, remaining: int, total: int) -> None:
        if keep_as is None or kept or status in (SQLITE_BUSY, SQLITE_LOCKED):  # (no lock yet)
            return
        if status != SQLITE_OK:  # done in one step: a one-page file is no kiosk database
            raise sqlite3.OperationalError("restore ended before the replaced copy was kept")
        copy_database(target, keep_as, pause=0)
        kept.append(keep_as)

    try:  # one page first, so the copy is kept before (nearly) anything is written
        src.backup(dst, pages=-1 if keep_as is None else 1, progress=keep_replaced)
        dst.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        dst.close()
        src.close()


def _fsync_folder(folder: Path) -> None:
    """Make the rename durable (the folder's entry), where the platform allows it."""
    try:
        dir_fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(dir_fd)
    except OSError:
        pass
    finally:
        os.close(dir_fd)
