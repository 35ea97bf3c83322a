"""A real central database and real door homes, driven through the real ``kiosk`` command in
child processes (each door its own process, like a kiosk at a door). Shared by the fleet tests."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import uuid
from pathlib import Path
from urllib.parse import urlparse, urlunparse

from db import database, migrations
from db.roster import StaffRecord, upsert_staff
from tests.conftest import make_office

KIOSK = str(Path(sys.executable).parent / "kiosk")
SECRET = "S3cretPW-never-shown"


def kiosk(home: Path, *args: str, env: dict | None = None, check: int | None = 0,
          timeout: float = 120) -> subprocess.CompletedProcess:
    full_env = {**os.environ, "KIOSK_HOME": str(home), "KIOSK_LANG": "en", **(env or {})}
    done = subprocess.run([KIOSK, *args], env=full_env, capture_output=True, text=True,
                          timeout=timeout)
    if check is not None:
        assert done.returncode == check, done.stdout + done.stderr
    return done


def new_home(tmp_path: Path, name: str, kiosk_id: str, extra: str = "") -> Path:
    home = tmp_path / name
    home.mkdir()
    (home / "config.toml").write_text(f'[kiosk]\nid = "{kiosk_id}"\n{extra}', encoding="utf-8")
    return home


def make_centre(url: str, day: str, staff: int = 0) -> dict[str, int]:
    """Migrate the centre and give it the small office (plus ``staff`` more people)."""
    handle = database.bind(url)
    try:
        migrations.upgrade(handle)
        ids = make_office(handle, day=day)
        if staff:
            with handle.atomic():
                upsert_staff([StaffRecord(f"X{i:05d}", f"X{i:05d}", f"同事{i}", "办公室", "科员",
                                          ("党员",)) for i in range(staff)])
        return ids
    finally:
        handle.close()


def with_password_user(url: str) -> str:
    """``url`` as a user who logs in with a password (SECRET): MariaDB checks it (drop the user
    with :func:`drop_password_user`); PostgreSQL here trusts local connections, so the URL just
    carries it."""
    parsed = urlparse(url)
    if parsed.scheme.startswith("postgres"):
        return urlunparse(parsed._replace(netloc=f"postgres:{SECRET}@{parsed.hostname}:{parsed.port}"))
    user = f"k{uuid.uuid4().hex[:8]}"
    name = parsed.path.lstrip("/")
    admin = database.make_database(url)
    admin.connect()
    anywhere = "'%%'"  # '%' escaped for PyMySQL's parameter formatting
    admin.execute_sql(f"CREATE USER '{user}'@{anywhere} IDENTIFIED BY '{SECRET}'")
    admin.execute_sql(f"GRANT ALL ON `{name}`.* TO '{user}'@{anywhere}")
    admin.close()
    return urlunparse(parsed._replace(netloc=f"{user}:{SECRET}@{parsed.hostname}:{parsed.port}"))


def drop_password_user(admin_url: str, url: str) -> None:
    parsed = urlparse(url)
    if parsed.scheme.startswith("postgres"):
        return
    admin = database.make_database(admin_url)
    admin.connect()
    admin.execute_sql(f"DROP USER IF EXISTS '{parsed.username}'@'%%'")
    admin.close()


def recent_day() -> str:
    """Yesterday in Shanghai (``YYYY-MM-DD``): the test office's sessions on it are over, yet
    ended less than ``centre_guard_sql.STALE_HOURS`` ago, so a door's sign-ins for them still
    apply at the centre (a module sets ``CENTRE_DAY = recent_day()`` for the ``centre`` fixture)."""
    import datetime as dt

    from tests.conftest import TZ

    return (dt.datetime.now(TZ).date() - dt.timedelta(days=1)).isoformat()


def add_open_session(url: str, title: str = "当前学习", late_after: int = 30,
                     started_minutes_ago: int = 1) -> int:
    """A session for everyone whose sign-in window is open now (started a minute ago): what a
    live door signs people in to at about now."""
    import datetime as dt

    from db.models import utcnow
    from db.sessions import add_session

    now = utcnow().replace(microsecond=0)
    handle = database.bind(url)
    try:
        with handle.atomic():
            start = now - dt.timedelta(minutes=started_minutes_ago)
            return add_session({"title": title, "kind": "other", "start": start,
                                "end": now + dt.timedelta(hours=1), "late_after": late_after},
                               [("all", "")])
    finally:
        handle.close()


def heard_from(url: str, role: str, kiosk_id: str, at) -> None:
    """Bind door ``role`` to ``kiosk_id`` as if last heard from at ``at`` (naive UTC, the
    centre's time): a door offline since then, whose scans of that day are in its order. (Since
    migration 0018 an unbound role is held to the centre's clock from its first event, and a test
    cannot move the centre's clock back.) The owner's own ``kiosk centre rebind``, then the time."""
    kiosk(Path(tempfile.mkdtemp()), "centre", "rebind", role, kiosk_id, "--db", url)
    owner = database.make_database(url)
    owner.connect()
    try:
        with owner.atomic():
            owner.execute_sql("UPDATE kiosk_door SET latest_at = %s WHERE kiosk_id = %s",
                              (at, kiosk_id))
    finally:
        owner.close()
