"""The demo's own home: marked as a demo, and never a home (or database) holding real data.

``kiosk demo`` invents 200 people and a year of attendance. Written into an office's real home
it would mix invented sign-ins into real reports and sign demo badges with the office's key, so
the demo fills a home only if it is new and empty or already marked as a demo, and marks it:
a file in the folder (for the admin who finds it) and a setting in the database (for a
``--db`` database, which has no folder).
"""

from __future__ import annotations

from pathlib import Path

import peewee as pw

from db import database, queries
from kiosk.config import Settings

MARKER = "DEMO-HOME.txt"
SETTING = "demo_office"
MARKER_TEXT = (
    "This folder is a study-kiosk demo home, made by `kiosk demo`: every person, session and\n"
    "sign-in in it is invented. Delete the folder to remove the demo.\n"
    "本文件夹是 kiosk demo 生成的演示数据目录,其中的人员、场次和签到均为虚构;删除本文件夹即可移除演示。\n"
)
SETUP_FILES = ("admin_pin.json", "keys/badge_signing.pem", "config.toml")
LABELS = {"staff": "staff", "study_session": "sessions", "sign_in_event": "sign-ins"}


class RealHome(Exception):
    """The home holds real data; ``found`` says what (for the one-line refusal)."""

    def __init__(self, found: str) -> None:
        super().__init__(found)
        self.found = found


def is_marked(home: Path) -> bool:
    return (home / MARKER).is_file()


def check(settings: Settings, db: pw.Database | None) -> None:
    """Raise :class:`RealHome` unless this home (and its database) may hold the demo.

    ``db`` is the bound database, or None when there is none yet (a new SQLite home).
    """
    home = settings.home
    marked_db = db is not None and queries.has_table(db, "setting") and queries.get_setting(SETTING)
    if is_marked(home) or marked_db:
        return
    if db is not None:
        counts = queries.office_counts(db)
        if any(counts.values()):
            raise RealHome(", ".join(f"{LABELS[k]} {v}" for k, v in counts.items() if v))
    setup = [name for name in SETUP_FILES if (home / name).exists()]
    if setup:
        raise RealHome(", ".join(setup))


def mark(settings: Settings) -> None:
    """Mark the home folder and the bound database as the demo's."""
    home = settings.home
    home.mkdir(parents=True, exist_ok=True)
    if not is_marked(home):
        (home / MARKER).write_text(MARKER_TEXT, encoding="utf-8")
    queries.set_setting(SETTING, "1")


def existing_database(settings: Settings) -> bool:
    """Whether the home's database exists already (a server database always does)."""
    if not settings.is_sqlite:
        return True
    return Path(database.sqlite_path(settings.db_url)).exists()
