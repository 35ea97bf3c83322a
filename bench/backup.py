"""Backup of a year's database, and what the kiosk's sign-ins wait while it runs.

A year of an office of 5,000 (``gen_office.py``: 1,000,000+ register rows) plus a session open
now. Timed, best of ``--rounds``:

- ``kiosk backup`` as the product makes it (``kiosk.backups.make_backup``: SQLite's online backup
  API in one step, journal mode set, fsync, rotation), and the whole ``kiosk backup`` command;
- baselines in the same run: a plain file copy with fsync (what a naive ``cp`` costs, though it
  is not safe while the kiosk writes) and the bare ``sqlite3`` backup API with nothing around it.

Then sign-ins through the real ``SignInDesk`` (the kiosk's durable write, paced one per 20 ms
like a queue at the door) are timed with no backup running, while the kiosk's own daily backup
runs in its thread, and while a ``kiosk backup`` process (the systemd timer) runs. The kiosk's
scan-to-screen budget is 50 ms; the sign-in's share of it is what is printed.

    python bench/backup.py [--rounds 3] [--backups 5]
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parent))
import gen_office  # noqa: E402
from homes import kiosk_env  # noqa: E402
from timing import best_of  # noqa: E402

TZ = ZoneInfo("Asia/Shanghai")
PACE = 0.020


def build(home: Path) -> dict:
    from db import database
    from db.sessions import add_session

    info = gen_office.generate(f"sqlite:///{home / 'kiosk.db'}")
    handle = database.bind(f"sqlite:///{home / 'kiosk.db'}")
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None, microsecond=0)
    with handle.atomic():
        add_session({"title": "基准·备份期间签到", "kind": "lecture", "start": now - dt.timedelta(minutes=10),
                     "end": now + dt.timedelta(hours=3)}, [("all", "")])
    handle.execute_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    handle.close()
    return info


def plain_copy(source: Path, target: Path) -> None:
    shutil.copyfile(source, target)
    fd = os.open(target, os.O_RDONLY)
    os.fsync(fd)
    os.close(fd)
    target.unlink()


def bare_api(source: Path, target: Path) -> None:
    src, dst = sqlite3.connect(source), sqlite3.connect(target)
    src.backup(dst)
    dst.close()
    src.close()
    target.unlink()


class Door:
    """The kiosk's sign-in path: one durable sign-in per call, timed."""

    def __init__(self, home: Path) -> None:
        from db import database
        from kiosk.desk import SignInDesk

        self.db = database.bind(f"sqlite:///{home / 'kiosk.db'}")
        self.desk = SignInDesk(self.db, kiosk_id="bench-door", tz=TZ)
        self.next = 1

    def sign_in_while(self, busy) -> list[float]:
        """Sign people in, one per PACE, while ``busy()``; the milliseconds each took."""
        waits = []
        while busy() or len(waits) < 5:
            staff = f"S{self.next:05d}"
            self.next = self.next % gen_office.STAFF + 1
            began = time.perf_counter()
            outcome = self.desk.sign_in(staff)
            waits.append((time.perf_counter() - began) * 1000)
            assert outcome.result in ("present", "late", "already"), outcome
            time.sleep(max(0.0, PACE - waits[-1] / 1000))
        return waits


def summary(waits: list[float]) -> str:
    waits = sorted(waits)
    p99 = waits[min(len(waits) - 1, int(len(waits) * 0.99))]
    return (f"{len(waits)} sign-ins: p50 {statistics.median(waits):.1f} ms, p99 {p99:.1f} ms, "
            f"max {waits[-1]:.1f} ms")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--backups", type=int, default=5,
                        help="backups of each kind taken while sign-ins are timed")
    args = parser.parse_args()
    from kiosk import backups, config

    with tempfile.TemporaryDirectory(prefix="bench-backup-") as tmp:
        home = Path(tmp) / "home"
        home.mkdir()
        info = build(home)
        db_file = home / "kiosk.db"
        size = db_file.stat().st_size
        print(f"office: {info['staff']} staff, {info['sessions']} sessions, "
              f"{info['attendance']:,} register rows; kiosk.db {size / 1e6:.0f} MB "
              f"(built in {info['seconds']:.0f} s)")
        os.environ["KIOSK_HOME"] = str(home)
        settings = config.load()
        rules = backups.BackupPolicy(folder=Path(tmp) / "backups", keep=2)
        scratch = Path(tmp) / "scratch.db"

        copy_s = best_of(lambda: plain_copy(db_file, scratch), args.rounds)
        bare_s = best_of(lambda: bare_api(db_file, scratch), args.rounds)
        ours_s = best_of(lambda: backups.make_backup(settings, rules), args.rounds)
        kiosk = str(Path(sys.executable).parent / "kiosk")
        command = [kiosk, "backup", "--out", str(rules.folder), "--keep", "2"]
        cli_s = best_of(lambda: subprocess.run(command, env=kiosk_env(home), check=True,
                                            capture_output=True), args.rounds)
        print(f"plain file copy + fsync (unsafe while writing): {copy_s:.2f} s")
        print(f"bare sqlite3 backup API:                        {bare_s:.2f} s")
        print(f"kiosk backup (make_backup):                     {ours_s:.2f} s  "
              f"({ours_s / bare_s:.2f}x the bare API, {ours_s / copy_s:.2f}x a plain copy)")
        print(f"kiosk backup (whole command):                   {cli_s:.2f} s")

        door = Door(home)
        quiet_until = time.monotonic() + 8.0
        quiet = door.sign_in_while(lambda: time.monotonic() < quiet_until)

        in_thread, in_process, one_step = [], [], []
        for _ in range(args.backups):
            done = threading.Event()
            worker = threading.Thread(target=lambda d=done: (bare_api(db_file, scratch), d.set()))
            worker.start()  # baseline: the bare API in one step, one fsync at the end
            one_step += door.sign_in_while(lambda d=done: not d.is_set())
            worker.join()
            done = threading.Event()
            worker = threading.Thread(target=lambda d=done: (backups.make_backup(settings, rules), d.set()))
            worker.start()  # the running kiosk's own daily backup, a thread of the kiosk process
            in_thread += door.sign_in_while(lambda d=done: not d.is_set())
            worker.join()
            proc = subprocess.Popen(command, env=kiosk_env(home), stdout=subprocess.DEVNULL)
            in_process += door.sign_in_while(lambda p=proc: p.poll() is None)
            assert proc.returncode == 0
        newest = backups.newest(rules.folder)
        with sqlite3.connect(newest) as conn:
            ok = conn.execute("PRAGMA integrity_check").fetchone()[0]
        print(f"sign-ins, no backup running:           {summary(quiet)}")
        print(f"sign-ins during a bare one-step backup: {summary(one_step)} (baseline)")
        print(f"sign-ins during the kiosk's own backup: {summary(in_thread)} ({args.backups} backups)")
        print(f"sign-ins during a kiosk backup process: {summary(in_process)} ({args.backups} backups)")
        worst = max(max(in_thread), max(in_process))
        print(f"worst wait during a backup: {worst:.1f} ms of the 50 ms scan-to-screen budget "
              f"({'within' if worst < 50 else 'OVER'}); last backup integrity_check: {ok}")
        door.db.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
