"""Bind the one database chosen at run time (SQLite, PostgreSQL or MySQL/MariaDB) from a URL.

SQLite is tuned for durability: WAL journal with ``synchronous=FULL``. In WAL mode ``NORMAL``
only syncs the WAL at checkpoints, so a power cut can roll back transactions that were already
reported committed; ``FULL`` fsyncs the WAL on every commit, which is what "a sign-in confirmed on
screen is already on disk" requires. ``busy_timeout`` lets concurrent writers (kiosk, host, CLI,
sync) wait for each other instead of surfacing "database is locked".
"""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import unquote, urlparse

import peewee

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


class MySQLDatabase(peewee.MySQLDatabase):
    """MySQL/MariaDB with microsecond timestamps, so 'earliest sign-in wins' stays exact."""

    field_types = {**peewee.MySQLDatabase.field_types, "DATETIME": "DATETIME(6)"}


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


def make_database(url: str) -> peewee.Database:
    """Create (not yet connect) the Peewee database for ``url``."""
    engine = engine_of(url)
    if engine == "sqlite":
        path = sqlite_path(url)
        if path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        # IMMEDIATE transactions: two writers queue on busy_timeout instead of failing with
        # "database is locked" when a read lock would have to be upgraded mid-transaction.
        return peewee.SqliteDatabase(
            path, pragmas=SQLITE_PRAGMAS, check_same_thread=False, timeout=15,
            lock_type="IMMEDIATE",
        )
    from playhouse.db_url import parse as parse_db_url  # server URLs only (start-up time)

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
        return peewee.PostgresqlDatabase(name, **params)
    params.setdefault("connect_timeout", 5)
    params.setdefault("charset", "utf8mb4")
    if "passwd" in params:  # playhouse's URL parser still uses PyMySQL's deprecated name
        params["password"] = params.pop("passwd")
    return MySQLDatabase(name, **params)


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
