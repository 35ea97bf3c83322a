"""Bind the one database chosen at run time (SQLite, PostgreSQL or MySQL/MariaDB) from a URL.

SQLite is tuned for durability: WAL journal with ``synchronous=FULL``. In WAL mode ``NORMAL``
only syncs the WAL at checkpoints, so a power cut can roll back transactions that were already
reported committed; ``FULL`` fsyncs the WAL on every commit, which is what "a sign-in confirmed on
screen is already on disk" requires. ``busy_timeout`` lets concurrent writers (kiosk, host, CLI,
sync) wait for each other instead of surfacing "database is locked".
"""

from __future__ import annotations

import math
import os
import re
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlparse

import peewee

from db import drivers

proxy = peewee.DatabaseProxy()

SQLITE_PRAGMAS = {
    "journal_mode": "wal",
    "synchronous": 2,  # FULL: fsync the WAL on every commit
    "foreign_keys": 1,
    "busy_timeout": 15000,
    "cache_size": -16000,
}


class DatabaseUrlError(ValueError):
    """The URL names no engine we support, or is malformed."""


class UnreachableDatabase(RuntimeError):
    """The database could not be opened; the message never contains a password."""


LONGEST_REPLY = 300.0  # seconds: the bound of any server reply on an unbounded connection


class DatabaseFileGone(RuntimeError):
    """The database file this process opened was deleted or replaced under it: a commit now
    would land in a file nobody will read again, so nothing is committed."""


class HomeDatabase(peewee.SqliteDatabase):
    """The home's SQLite file, which must stay the file it opened.

    Deleted (``rm kiosk.db``) or replaced by another file (``mv copy kiosk.db``) while a kiosk
    runs, SQLite keeps writing the old, unlinked file: every sign-in the screen confirmed would be
    gone at the next start. So each commit first checks that the path still names the file first
    opened (device and inode; one ``stat``, about a microsecond) and refuses with
    :class:`DatabaseFileGone` otherwise; a new connection to another file is refused the same way.
    ``kiosk restore`` writes into the same file through SQLite, which this allows.
    """

    _identity: tuple[int, int] | None = None

    def _connect(self):
        if self._identity is not None and not os.path.exists(self.database):
            raise DatabaseFileGone(f"{self.database}: deleted")  # (connecting would create it)
        conn = super()._connect()
        if self.database != ":memory:":
            try:
                self.check_file()
            except DatabaseFileGone:
                conn.close()
                raise
        return conn

    def check_file(self) -> None:
        """Raise :class:`DatabaseFileGone` unless the path still names the file first opened."""
        try:
            st = os.stat(self.database)
        except FileNotFoundError:
            raise DatabaseFileGone(f"{self.database}: deleted") from None
        identity = (st.st_dev, st.st_ino)
        if self._identity is None:
            self._identity = identity
        elif identity != self._identity:
            raise DatabaseFileGone(f"{self.database}: replaced by another file")

    def commit(self):
        if self.database != ":memory:":
            self.check_file()  # raised inside the atomic block: it rolls back, nothing is lost
        return super().commit()


# a kiosk never waits on a person inside a transaction: one idle in it this long has lost its
# client (a door gone mid-push), and its locks would stall every other door (FINDINGS 29)
IDLE_IN_TRANSACTION_S = 30


@dataclass(frozen=True)
class Timeouts:
    """Bounds of every exchange with a database server (seconds; SPEC §8: 10 s each).

    ``connect``: reaching the server and logging in. ``statement``: how long the server may work
    on one statement (it cancels it itself). ``read``: how long we wait, beyond that, for a reply
    that the network stopped delivering — so no statement waits more than ``statement + read``.
    """

    connect: float = 10.0
    statement: float = 10.0
    read: float = 10.0

    @property
    def reply(self) -> float:
        """The longest wait for one statement's reply."""
        return self.statement + self.read

    @property
    def lock(self) -> float:
        """How long a statement waits for rows another connection holds (whole seconds, at
        least 1): shorter than ``statement``, so the wait is named as such (FINDINGS 29)."""
        return float(max(1, round(self.statement / 2)))


class MySQLDatabase(peewee.MySQLDatabase):
    """MySQL/MariaDB with microsecond timestamps, so 'earliest sign-in wins' stays exact."""

    field_types = {**peewee.MySQLDatabase.field_types, "DATETIME": "DATETIME(6)"}
    timeouts: Timeouts | None = None

    def _connect(self):
        """With timeouts: the login handshake bounded by the connect timeout (PyMySQL would
        use the read timeout), then statements by the server and replies by the socket."""
        if self.timeouts is None:
            return super()._connect()
        bounds = self.timeouts
        self.connect_params.update(connect_timeout=bounds.connect, read_timeout=bounds.connect,
                                   write_timeout=bounds.connect)
        conn = super()._connect()
        conn._read_timeout = conn._write_timeout = bounds.reply  # PyMySQL's per-read socket bound
        _limit_mysql_statements(conn, bounds.statement)
        return conn


def _limit_mysql_statements(conn, seconds: float) -> None:
    """The server cancels a statement after ``seconds``: MariaDB's ``max_statement_time``, else
    MySQL's ``max_execution_time`` (milliseconds, SELECTs only)."""
    with conn.cursor() as cursor:
        try:
            cursor.execute("SET SESSION max_statement_time = %s", (float(seconds),))
        except Exception:  # not MariaDB
            try:
                cursor.execute("SET SESSION max_execution_time = %s", (int(seconds * 1000),))
            except Exception:
                pass
        # MariaDB keeps no per-account settings: the connection bounds its own lock waits and
        # its open transaction (10.3+: the server ends a session idle in one; FINDINGS 29)
        for name, value in (("innodb_lock_wait_timeout", int(max(1, round(seconds / 2)))),
                            ("idle_transaction_timeout", IDLE_IN_TRANSACTION_S)):
            try:
                cursor.execute(f"SET SESSION {name} = %s", (value,))
            except Exception:  # (an older server without it)
                pass


def redact_url(url: str) -> str:
    """A printable form of a database URL: engine and host:port/name, never credentials."""
    try:
        parsed = urlparse(url)
    except ValueError:
        return "<invalid database url>"
    if parsed.scheme.startswith("sqlite"):
        return f"sqlite:///{sqlite_path(url)}"
    host = parsed.hostname or "localhost"
    port = f":{parsed.port}" if _safe_port(parsed) else ""
    return f"{parsed.scheme}://{host}{port}{parsed.path}"


def url_user(url: str) -> str:
    """The user name a database URL logs in as ("" when none): never its password."""
    try:
        return unquote(urlparse(url).username or "")
    except ValueError:
        return ""


def _safe_port(parsed) -> int | None:
    try:
        return parsed.port
    except ValueError:
        return None


def redact_text(text: str, url: str | None = None) -> str:
    """Remove any password that a driver echoed into an error message."""
    text = re.sub(r"(://[^:/@\s]*:)[^@\s]*@", r"\1***@", text)
    text = re.sub(r"(password\s*=\s*)\S+", r"\1***", text, flags=re.I)
    if url:
        parsed = urlparse(url)
        if parsed.password:
            text = text.replace(unquote(parsed.password), "***")
    return text


def engine_of(url: str) -> str:
    try:
        scheme = urlparse(url).scheme.split("+")[0]
    except ValueError:
        raise DatabaseUrlError("malformed database url") from None
    if scheme in ("sqlite",):
        return "sqlite"
    if scheme in ("postgres", "postgresql"):
        return "postgresql"
    if scheme in ("mysql", "mariadb"):
        return "mysql"
    raise DatabaseUrlError(f"unsupported database url scheme {scheme!r}")


def make_database(url: str, timeouts: Timeouts | None = None) -> peewee.Database:
    """Create (not yet connect) the Peewee database for ``url``.

    With ``timeouts`` (a centre, as a sync round, ``kiosk doctor`` or ``--adopt`` reach it), a
    server connection is bounded in every phase; without (the host view, the admin's commands on
    a server), its connect takes at most 5 s and a reply at most :data:`LONGEST_REPLY`, which no
    statement of ours comes near but which ends a wait on a server that stopped answering.
    """
    engine = engine_of(url)
    if engine == "sqlite":
        path = sqlite_path(url)
        if path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            if os.path.exists(path) and not _writable(path):
                return _read_only_sqlite(path)
        # IMMEDIATE transactions: two writers queue on busy_timeout instead of failing with
        # "database is locked" when a read lock would have to be upgraded mid-transaction.
        return HomeDatabase(
            path, pragmas=SQLITE_PRAGMAS, check_same_thread=False, timeout=15,
            lock_type="IMMEDIATE",
        )
    from playhouse.db_url import parse as parse_db_url  # server URLs only (start-up time)

    drivers.load(engine)  # imported now, not with Peewee (db.drivers)

    try:
        params = parse_db_url(url.replace("mariadb://", "mysql://", 1))
        urlparse(url).port  # noqa: B018 — raises for a port out of range
    except ValueError as exc:  # "Invalid IPv6 URL", "Port out of range" …: never echo the URL
        raise DatabaseUrlError(f"{redact_url(url)}: {exc}") from None
    params.pop("engine", None)
    name = params.pop("database", None)
    if not name:
        raise DatabaseUrlError("the database url names no database")
    if engine == "postgresql":
        params.setdefault("connect_timeout", 5)
        if timeouts is not None:
            _bound_postgresql(params, timeouts)
        else:
            from db.watchdog import pg_cursor_class

            params.setdefault("cursor_factory", pg_cursor_class(LONGEST_REPLY))
        return peewee.PostgresqlDatabase(name, **params)
    params.setdefault("connect_timeout", 5)
    params.setdefault("read_timeout", LONGEST_REPLY)
    params.setdefault("write_timeout", LONGEST_REPLY)
    params.setdefault("charset", "utf8mb4")
    if "passwd" in params:  # playhouse's URL parser still uses PyMySQL's deprecated name
        params["password"] = params.pop("passwd")
    _check_mysql_options(url, params)
    db = MySQLDatabase(name, **params)
    db.timeouts = timeouts
    return db


def _check_mysql_options(url: str, params: dict) -> None:
    """Refuse, naming it, a URL option PyMySQL does not take or a character set it does not
    know: PyMySQL itself would fail at connect with a TypeError or AttributeError."""
    try:
        import inspect

        import pymysql.charset
        import pymysql.connections
    except ImportError:  # the driver's absence is reported when connecting
        return
    known = inspect.signature(pymysql.connections.Connection.__init__).parameters
    unknown = sorted(set(params) - set(known))
    if unknown:
        raise DatabaseUrlError(f"{redact_url(url)}: unknown option {', '.join(unknown)}")
    charset = params.get("charset")
    if not isinstance(charset, str) or pymysql.charset.charset_by_name(charset) is None:
        raise DatabaseUrlError(f"{redact_url(url)}: unknown charset {charset!r}")


def _bound_postgresql(params: dict, timeouts: Timeouts) -> None:
    """libpq's connect timeout (whole seconds, at least 2), the server's ``statement_timeout``,
    and a client-side read deadline (:mod:`db.watchdog`): psycopg2 has none of its own."""
    from db.watchdog import pg_cursor_class

    params["connect_timeout"] = max(2, math.ceil(timeouts.connect))
    statement_ms = int(timeouts.statement * 1000)
    lock_ms = int(timeouts.lock * 1000)
    idle_ms = IDLE_IN_TRANSACTION_S * 1000
    params["options"] = (f"{params.get('options', '')} -c statement_timeout={statement_ms} "
                         f"-c lock_timeout={lock_ms} "
                         f"-c idle_in_transaction_session_timeout={idle_ms}").strip()
    params["cursor_factory"] = pg_cursor_class(timeouts.reply)
    # a dead peer (not a stalled one) is noticed by TCP within ~connect seconds
    params.setdefault("keepalives", 1)
    params.setdefault("keepalives_idle", max(1, int(timeouts.connect)))
    params.setdefault("keepalives_interval", 2)
    params.setdefault("keepalives_count", 3)


def _writable(path: str) -> bool:
    """Can this process write the database file and create its -wal/-shm next to it?"""
    return os.access(path, os.W_OK) and os.access(os.path.dirname(os.path.abspath(path)), os.W_OK)


def _read_only_sqlite(path: str) -> peewee.SqliteDatabase:
    """A database file in a home we may read but not write (a read-only mount, a copy handed
    to an auditor): opened ``immutable`` — WAL mode would otherwise need to create its -shm file
    — so read-only commands work; a write is refused by SQLite as "readonly"."""
    from urllib.parse import quote

    return peewee.SqliteDatabase(
        f"file:{quote(os.path.abspath(path))}?mode=ro&immutable=1", uri=True,
        pragmas={"foreign_keys": 1, "cache_size": -16000}, check_same_thread=False)


def sqlite_path(url: str) -> str:
    """The file path in ``sqlite:///relative`` or ``sqlite:////absolute``."""
    rest = url.split("://", 1)[1]
    rest = rest.split("?", 1)[0]
    if rest.startswith("/"):
        rest = rest[1:]
    return unquote(rest) or ":memory:"


def bind(url: str) -> peewee.Database:
    """Bind the models' proxy to the database at ``url`` and open a connection.

    Raises :class:`UnreachableDatabase` with a password-free message if it cannot be opened.
    """
    db = make_database(url)
    try:
        db.connect(reuse_if_open=True)
    except (peewee.OperationalError, peewee.DatabaseError, OSError) as exc:
        raise UnreachableDatabase(
            f"{redact_url(url)} — {redact_text(_first_line(exc), url)}"
        ) from None
    proxy.initialize(db)
    return db


def root_cause(exc: BaseException) -> BaseException:
    """The error a failed rollback hid: SQLite undoes a transaction itself on a full disk, so
    Peewee's own rollback then fails with "cannot rollback" and masks the real reason."""
    while "cannot rollback" in str(exc) and exc.__context__ is not None:
        exc = exc.__context__
    return exc


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[0] if text else exc.__class__.__name__
