"""The home's backups: where they go, what they are called, how many are kept, the daily one.

Backups are named by the UTC time they were taken (``kiosk-20261201T081500Z.db``) so they never
collide across a DST change and say when they were made without opening them. Only files with
that name that hold an SQLite database are counted and rotated: whatever else the admin keeps in
the folder (and the copy ``kiosk restore`` keeps of the database it replaced, and a 0-byte file
under a backup's name) is left alone.

Neither the name nor the file's time can be trusted to say which backup is newest once the clock
has been wrong: a door whose clock runs behind (a dead RTC battery, an isolated LAN) writes
backups dated before the ones it already has, and one whose clock once ran ahead leaves backups
dated in the future. So rotation never deletes the backup it has just written, and counts a file
dated after it (after "now") as older than all the others: it was written before the present, by
a clock that was ahead of the one writing now.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import logging
import os
import re
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from db import backup as sqlite_backup
from db import database
from kiosk.config import ConfigError, Settings

log = logging.getLogger("kiosk.backup")

DEFAULT_KEEP = 14
DAY = dt.timedelta(days=1)
NAME = re.compile(r"^kiosk-(\d{8}T\d{6})Z(?:-(\d+))?\.db$")
CHECK_EVERY = 3600.0  # seconds between the running kiosk's "is a backup due?" checks
FUTURE_SLACK = dt.timedelta(minutes=5)  # a backup dated later than now plus this is "from the future"


class NotEmbedded(RuntimeError):
    """The database is a server (PostgreSQL/MySQL): its own dump tools back it up."""


@dataclass(frozen=True)
class BackupPolicy:
    folder: Path
    keep: int = DEFAULT_KEEP
    daily: bool = True


@dataclass(frozen=True)
class Made:
    path: Path
    size: int
    seconds: float
    removed: tuple[Path, ...]


def policy(settings: Settings, *, out: str | None = None, keep: int | None = None) -> BackupPolicy:
    """``[backup] dir / keep / daily`` from config.toml, overridden by the command's options."""
    table = settings.raw.get("backup", {})
    if not isinstance(table, dict):
        raise ConfigError("config.not_table", name="backup")
    folder = Path(out or table.get("dir") or "backups").expanduser()
    if not folder.is_absolute():
        folder = settings.home / folder if not out else folder.resolve()
    value = keep if keep is not None else table.get("keep", DEFAULT_KEEP)
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ConfigError("config.backup_keep", value=repr(value))
    daily = table.get("daily", True)
    if not isinstance(daily, bool):
        raise ConfigError("config.not_bool", where="backup.daily")
    return BackupPolicy(folder=folder, keep=value, daily=daily)


def database_file(settings: Settings) -> Path:
    if database.engine_of(settings.db_url) != "sqlite":
        raise NotEmbedded(database.redact_url(settings.db_url))
    return Path(database.sqlite_path(settings.db_url))


def backup_name(now: dt.datetime, folder: Path) -> Path:
    """``kiosk-<UTC time>Z.db``; a second one within the same second gets the next ``-N``."""
    stamp = now.astimezone(dt.UTC).strftime("%Y%m%dT%H%M%S")
    same = [_order(p)[1] for p in named_in(folder) if NAME.match(p.name).group(1) == stamp]
    if not same and not (folder / f"kiosk-{stamp}Z.db").exists():
        return folder / f"kiosk-{stamp}Z.db"
    return folder / f"kiosk-{stamp}Z-{max(same, default=0) + 1}.db"


def _order(path: Path) -> tuple[str, int]:
    match = NAME.match(path.name)
    return match.group(1), int(match.group(2) or 0)


def named_in(folder: Path) -> list[Path]:
    """Every file in the folder named like a backup, whatever it holds."""
    try:
        return [p for p in folder.iterdir() if NAME.match(p.name) and p.is_file()]
    except (FileNotFoundError, NotADirectoryError, PermissionError):
        return []  # (an unreadable folder: kiosk doctor names it, with the chown that fixes it)


def backups_in(folder: Path, now: dt.datetime | None = None) -> list[Path]:
    """This folder's backups, oldest first: the files named like one that hold an SQLite database,
    by the time they were written (mtime) — except that one dated after ``now`` (default: the
    clock) plus a few minutes counts as older than every other, see the module's docstring."""
    limit = ((now or dt.datetime.now(dt.UTC)) + FUTURE_SLACK).timestamp()
    found = []
    for path in named_in(folder):
        try:
            written = path.stat().st_mtime
        except OSError:  # (gone meanwhile)
            continue
        if sqlite_backup.is_sqlite_file(path):
            found.append((written <= limit, written, _order(path), path))
    return [row[-1] for row in sorted(found)]


def taken_at(path: Path) -> dt.datetime | None:
    """When the backup was written, by its file's time (None: the file is gone)."""
    try:
        return dt.datetime.fromtimestamp(path.stat().st_mtime, dt.UTC)
    except OSError:
        return None


def from_future(path: Path, now: dt.datetime) -> bool:
    """Dated after ``now`` (plus a few minutes): this clock is behind, or was ahead back then."""
    when = taken_at(path)
    return when is not None and when > now + FUTURE_SLACK


def newest(folder: Path, now: dt.datetime | None = None) -> Path | None:
    found = backups_in(folder, now)
    return found[-1] if found else None


def newest_backup(settings: Settings) -> Path | None:
    """The newest backup of this home in its configured folder (a bad ``[backup]`` table: none),
    which a home that lost its database is restored from rather than initialised anew."""
    try:
        return newest(policy(settings).folder)
    except ConfigError:
        return None


def private_folder(folder: Path) -> None:
    """Create the folder 0700; a folder we made is never readable by others, whatever umask."""
    if not folder.exists():
        folder.mkdir(parents=True, mode=0o700)
        os.chmod(folder, 0o700)


def make_backup(settings: Settings, rules: BackupPolicy, now: dt.datetime | None = None) -> Made:
    """Copy the live database into ``rules.folder`` and rotate; raises OSError/sqlite3.Error.

    The file is dated (its mtime) with the same time as its name. Two backups into one folder
    (the timer's and the kiosk's own) take turns, so neither's rotation sees the other half-done.
    """
    source = database_file(settings)
    if not source.exists():
        raise FileNotFoundError(2, "No such file or directory", str(source))
    private_folder(rules.folder)
    now = now or dt.datetime.now(dt.UTC)
    with _folder_lock(rules.folder):
        target = backup_name(now, rules.folder)
        started = time.perf_counter()
        size = sqlite_backup.copy_database(source, target)
        seconds = time.perf_counter() - started
        os.utime(target, (now.timestamp(), now.timestamp()))
        removed = rotate(rules.folder, rules.keep, made=target)
    log.info("backup written: %s (%d bytes, %.2f s); %d old removed", target, size, seconds,
             len(removed))
    return Made(target, size, seconds, tuple(removed))


@contextlib.contextmanager
def _folder_lock(folder: Path) -> Iterator[None]:
    """An exclusive ``flock`` on the backup folder for one backup's write and rotation."""
    fd = os.open(folder, os.O_RDONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # (closing releases the lock)


def rotate(folder: Path, keep: int, made: Path | None = None) -> list[Path]:
    """Delete all but the newest ``keep`` backups; returns what went.

    ``made``, the backup just written, is always one of those kept, and the order is judged by
    its time: a backup dated after it was written before it, by a clock that ran ahead.
    """
    now = taken_at(made) if made is not None else None
    others = [p for p in backups_in(folder, now) if p != made]
    room = keep - 1 if made is not None else keep
    doomed = others[:-room] if room > 0 else others
    for path in doomed:
        path.unlink(missing_ok=True)
    return doomed


def due(rules: BackupPolicy, now: dt.datetime, tz: dt.tzinfo | None = None) -> bool:
    """A daily backup is due when the newest one is a day old (or there is none) — and, given
    the office's time zone, none was made on this local day: the running kiosk's own daily
    backup and the timer's (``kiosk backup --daily``) make one a day between them."""
    last = newest(rules.folder, now)
    when = taken_at(last) if last else None
    if when is None or from_future(last, now):  # (a clock set back a year)
        return True
    if tz is not None and made_today(rules, now, tz):
        return False
    return now - when >= DAY


def made_today(rules: BackupPolicy, now: dt.datetime, tz: dt.tzinfo) -> Path | None:
    """The newest backup in the folder when it was taken on ``now``'s local day, else None
    (one dated in the future does not count: this clock is behind, or was ahead then)."""
    last = newest(rules.folder, now)
    when = taken_at(last) if last else None
    if when is None or from_future(last, now):
        return None
    if when.astimezone(tz).date() != now.astimezone(tz).date():
        return None
    return last


class DailyBackup:
    """The running kiosk's own backup: checked hourly in a background thread, made when due.

    A failure (full disk, folder gone) is logged and retried at the next check; it never
    reaches the sign-in screen, which keeps working whatever happens to the backup folder.
    """

    def __init__(self, settings: Settings, rules: BackupPolicy, *, every: float = CHECK_EVERY,
                 clock=lambda: dt.datetime.now(dt.UTC)) -> None:
        self.settings, self.rules, self.every, self.clock = settings, rules, every, clock
        self.stop = threading.Event()
        self.made: list[Made] = []
        self.thread = threading.Thread(target=self._loop, name="daily-backup", daemon=True)

    def start(self) -> DailyBackup:
        self.thread.start()
        return self

    def check(self) -> Made | None:
        if not due(self.rules, self.clock(), self.settings.tz):
            return None
        made = make_backup(self.settings, self.rules, self.clock())
        self.made.append(made)
        return made

    def _loop(self) -> None:
        while not self.stop.is_set():
            try:
                self.check()
            except Exception:  # logged with its traceback; the kiosk goes on signing people in
                log.exception("daily backup failed")
            self.stop.wait(self.every)


def start_daily(settings: Settings) -> DailyBackup | None:
    """Start the daily backup for ``kiosk run`` (embedded SQLite homes with it enabled)."""
    try:
        rules = policy(settings)
        database_file(settings)
    except NotEmbedded:
        log.info("daily backup off: the database is a server; back it up with its own tools")
        return None
    if not rules.daily:
        return None
    return DailyBackup(settings, rules).start()
