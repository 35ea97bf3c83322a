"""A throw-away PostgreSQL database on the benchmark's server, created and dropped by name."""

from __future__ import annotations

import uuid
from urllib.parse import urlparse, urlunparse


def create_database(base: str, prefix: str) -> tuple[str, str]:
    """A new empty database ``prefix`` + 8 hex digits on ``base``'s server: (its URL, its name)."""
    from db import database

    name = f"{prefix}{uuid.uuid4().hex[:8]}"
    admin = database.make_database(base)
    admin.connect()
    admin.execute_sql(f'CREATE DATABASE "{name}"')
    admin.close()
    return urlunparse(urlparse(base)._replace(path=f"/{name}")), name


def drop_database(base: str, name: str) -> None:
    """Drop ``name``, ending whatever session still holds it."""
    from db import database

    admin = database.make_database(base)
    admin.connect()
    admin.execute_sql("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s",
                      (name,))
    admin.execute_sql(f'DROP DATABASE IF EXISTS "{name}"')
    admin.close()
