"""Prepared KIOSK_HOMEs for the benchmarks: a roster of N staff and a session open right now.

Built through the project's own writers (``db.roster.upsert_staff``, ``db.sessions.add_session``)
so the benchmarks measure the database the product itself would have made.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import sqlite3
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

DEPARTMENTS = 40
SESSION_TITLE = "机关学习日·基准测试"


def staff_ids(count: int) -> list[str]:
    return [f"B{n:05d}" for n in range(1, count + 1)]


def prepare_home(home: Path, staff: int = 1000, *, open_now: bool = True,
                 title: str = SESSION_TITLE, admin_pin: str | None = None) -> dict:
    """Create ``home`` with a migrated SQLite database, ``staff`` people and (optionally) a
    session running from 10 minutes ago for two hours, audience everyone."""
    from db import database, migrations
    from db.roster import StaffRecord, upsert_staff
    from db.sessions import add_session

    home.mkdir(parents=True, exist_ok=True)
    path = home / "kiosk.db"
    handle = database.bind(f"sqlite:///{path}")
    migrations.upgrade(handle)
    records = [
        StaffRecord(sid, sid, f"员工{n:05d}", f"部门{n % DEPARTMENTS:02d}", "科员",
                    ("中心组",) if n % 25 == 0 else ())
        for n, sid in enumerate(staff_ids(staff), 1)
    ]
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None).replace(microsecond=0)
    session_id = None
    with handle.atomic():
        upsert_staff(records)
        if open_now:
            session_id = add_session({"title": title, "kind": "learning_day",
                                      "start": now - dt.timedelta(minutes=10),
                                      "end": now + dt.timedelta(hours=2),
                                      "location": "三楼会议室", "speaker": "刘主任"}, [("all", "")])
    handle.execute_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    handle.close()
    if admin_pin:  # else the kiosk opens with the first-run "set a PIN" dialog
        from kiosk import pin

        pin.set_pin(home, admin_pin)
    return {"home": home, "db": path, "session_id": session_id, "at": now}


def clone_home(source: Path, target: Path) -> Path:
    """A byte-for-byte copy of a prepared home (the database checkpointed first)."""
    con = sqlite3.connect(source / "kiosk.db")
    con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    con.close()
    if target.exists():
        shutil.rmtree(target)
    shutil.copytree(source, target, ignore=shutil.ignore_patterns("*-wal", "*-shm", "logs"))
    return target


def kiosk_env(home: Path, **extra: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update({"KIOSK_HOME": str(home), "KIOSK_LANG": "zh", "KIOSK_TZ": "Asia/Shanghai"})
    env.pop("KIOSK_DB", None)
    env.update(extra)
    return env


def kiosk_command() -> list[str]:
    """The installed ``kiosk`` console script next to this interpreter, else ``-m kiosk``-style."""
    script = Path(sys.executable).parent / "kiosk"
    if script.exists():
        return [str(script)]
    return [sys.executable, "-c", "import sys; from kiosk.cli import main; sys.exit(main())"]


def machine() -> str:
    import platform

    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{os.cpu_count()} CPUs, {cpu}, Python {platform.python_version()}"


def table(rows: list[tuple], header: tuple) -> str:
    cells = [tuple(str(c) for c in header)] + [tuple(str(c) for c in r) for r in rows]
    widths = [max(len(r[i]) for r in cells) for i in range(len(header))]
    lines = ["  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)) for r in cells]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)
