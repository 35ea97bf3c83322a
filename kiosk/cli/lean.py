"""Start-up trimming for ``kiosk signin`` (scanner scripts) and ``kiosk run`` (the kiosk screen).

Peewee imports every database driver it knows when it is itself imported: psycopg2 and PyMySQL
(which pulls in cryptography) cost ~30-40 ms, a tenth of a 1,000-line ``kiosk signin --from-file``
run (bench/scans.py) and of the kiosk's start-up (bench/startup.py). When the command is one of
these and nothing that could name a server database — the arguments, ``KIOSK_DB``,
``KIOSK_CENTRAL``, the home's ``config.toml`` — mentions one, every database this process can
open is the home's SQLite file, so the drivers are marked absent before Peewee is first imported.
Any other command, or any mention of PostgreSQL/MySQL anywhere, leaves the import untouched.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping, Sequence

LEAN_COMMANDS = ("signin", "run")
SERVER_WORDS = (b"postgres", b"mysql", b"mariadb")
DRIVERS = ("psycopg2", "psycopg2cffi", "psycopg", "pymysql", "MySQLdb")


def command_word(words: list[str]) -> str | None:
    """The command's first word, skipping options given before it (``kiosk --db URL staff …``)."""
    skip = False
    for word in words:
        if skip:
            skip = False
        elif word in ("--db", "--lang"):
            skip = True
        elif not word.startswith("-"):
            return word
    return None


def skip_server_drivers(argv: Sequence[str], environ: Mapping[str, str] | None = None) -> bool:
    """Mark the server drivers absent for a SQLite-only ``kiosk signin``; True if it did."""
    environ = os.environ if environ is None else environ
    if "peewee" in sys.modules or any(name in sys.modules for name in DRIVERS):
        return False
    command = command_word(list(argv))
    if command not in LEAN_COMMANDS:
        return False
    from kiosk.config import CONFIG_FILE, home_from_environment

    texts = [word.encode("utf-8", "replace") for word in argv]
    texts += [environ.get(name, "").encode("utf-8", "replace") for name in ("KIOSK_DB", "KIOSK_CENTRAL")]
    try:
        texts.append((home_from_environment(environ) / CONFIG_FILE).read_bytes())
    except FileNotFoundError:
        pass
    except OSError:
        return False
    blob = b"\n".join(texts).lower()
    if any(word in blob for word in SERVER_WORDS):
        return False
    for name in DRIVERS:
        sys.modules[name] = None  # type: ignore[assignment]  # "import name" → ImportError
    return True
