"""``kiosk backup`` / ``kiosk restore`` on a real SQLite home, with a real concurrent writer."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import shutil
import sqlite3
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest

from db import database, migrations
from db.roster import StaffRecord, upsert_staff
from db.sessions import add_session
from kiosk import backups, config
from tests.cli_runner import kiosk
from tests.conftest import wall

ROOT = Path(__file__).resolve().parent.parent
AT = dt.datetime(2026, 11, 28, 1, 30)  # 09:30 Shanghai, inside the session below
PEOPLE = [f"P{n:04d}" for n in range(300)]


@pytest.fixture
def office(home) -> Path:
    """A home whose kiosk.db holds 300 people and one session open at AT."""
    handle = database.bind(f"sqlite:///{home / 'kiosk.db'}")
    migrations.upgrade(handle)
    with handle.atomic():
        upsert_staff([StaffRecord(i, i, f"员工{i}", f"部门{n % 7}") for n, i in enumerate(PEOPLE)])
        add_session({"title": "机关学习日", "kind": "learning_day", "start": wall("2026-11-28 09:00"),
                     "end": wall("2026-11-28 11:00")}, [("all", "")])
    handle.close()
    return home / "kiosk.db"


def events_in(path: Path) -> int:
    with sqlite3.connect(path) as conn:
        return conn.execute("SELECT COUNT(*) FROM sign_in_event").fetchone()[0]


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def sign_in(home: Path, ids: list[str]) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "tests.robustness_child", f"sqlite:///{home / 'kiosk.db'}",
                           AT.isoformat(), "door-1", *ids], cwd=ROOT, capture_output=True, text=True,
                          env={**os.environ, "PYTHONPATH": str(ROOT)}, timeout=120)


@pytest.mark.timeout(180)
def test_backups_taken_while_a_kiosk_writes_are_whole_and_private(office, home, capsys, monkeypatch):
    monkeypatch.setattr(os, "umask", os.umask)  # (restored whatever happens)
    os.umask(0o022)
    writer = subprocess.Popen([sys.executable, "-m", "tests.robustness_child", f"sqlite:///{office}",
                               AT.isoformat(), "door-1", "-"], cwd=ROOT, stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                              env={**os.environ, "PYTHONPATH": str(ROOT)})
    writer.stdin.write("\n".join(PEOPLE * 2) + "\n")  # 600 durable writes, one commit each
    writer.stdin.close()
    made, seen = [], []
    while writer.poll() is None or not made:
        run = kiosk(capsys, "backup", "--keep", "100000", "--json")
        assert run.code == 0, run.err
        made.append(Path(run.json()["path"]))
        seen.append(events_in(office))
    writer.wait(timeout=120)
    out, err = writer.stdout.read(), writer.stderr.read()
    lines = out.splitlines()
    assert len(lines) == 600 and all(line.startswith("ok ") for line in lines), (out[-500:], err)
    assert len(made) >= 2
    counts = []
    for path in made:
        assert path.exists(), (path, [str(p) for p in made], sorted(os.listdir(path.parent)))
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
        assert backups.NAME.match(path.name)
        with sqlite3.connect(path) as conn:
            assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
            assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "delete"  # one whole file
            # each copy is one moment: every attendance row has its event in the same copy
            orphans = conn.execute("SELECT COUNT(*) FROM attendance WHERE event_id IS NOT NULL "
                                   "AND event_id NOT IN (SELECT id FROM sign_in_event)").fetchone()[0]
            arrived = conn.execute("SELECT COUNT(*) FROM attendance WHERE status IN "
                                   "('present', 'late')").fetchone()[0]
            accepted = conn.execute("SELECT COUNT(*) FROM sign_in_event WHERE result IN "
                                    "('present', 'late')").fetchone()[0]
            counts.append(conn.execute("SELECT COUNT(*) FROM sign_in_event").fetchone()[0])
        assert orphans == 0 and arrived == accepted
    assert counts == sorted(counts) and all(c <= s for c, s in zip(counts, seen, strict=True))
    assert counts[0] < 600 <= events_in(office)  # the first copy was taken mid-stream
    assert stat.S_IMODE((home / "backups").stat().st_mode) == 0o700


def test_rotation_keeps_the_newest_and_nothing_else_is_touched(office, home, capsys, tmp_path):
    out = tmp_path / "elsewhere"
    out.mkdir()
    (out / "notes.txt").write_text("the admin's own file")
    (out / "kiosk-old-copy.db").write_text("not one of ours by name")
    made = []
    for _ in range(4):
        run = kiosk(capsys, "backup", "--out", str(out), "--keep", "2", "--json")
        assert run.code == 0, run.err
        made.append(Path(run.json()["path"]))
    left = sorted(p.name for p in out.iterdir())
    assert left == sorted([made[2].name, made[3].name, "notes.txt", "kiosk-old-copy.db"])


def test_default_keep_is_fourteen_and_config_can_change_it(office, home):
    settings = config.load()
    rules = backups.policy(settings)
    assert rules.keep == 14 and rules.folder == home / "backups"
    (home / "config.toml").write_text('[backup]\ndir = "/srv/kiosk-backups"\nkeep = 30\n')
    rules = backups.policy(config.load())
    assert rules.keep == 30 and rules.folder == Path("/srv/kiosk-backups")


def test_backup_refuses_bad_keep_and_server_databases(office, capsys):
    assert kiosk(capsys, "backup", "--keep", "0").code == 2
    run = kiosk(capsys, "backup", "--db", "postgresql://u:secret@db.example/kiosk", "--lang", "en")
    assert run.code == 1 and "pg_dump" in run.err and "secret" not in run.err


def test_restore_puts_a_backup_back_and_keeps_the_replaced_database(office, home, capsys):
    assert sign_in(home, PEOPLE[:10]).returncode == 0
    first = Path(kiosk(capsys, "backup", "--json").json()["path"])
    assert sign_in(home, PEOPLE[10:25]).returncode == 0
    assert events_in(office) == 25
    run = kiosk(capsys, "restore", str(first), "--lang", "en")
    assert run.code == 0, run.err
    assert events_in(office) == 10
    kept = list((home / "backups").glob("before-restore-*.db"))
    assert len(kept) == 1 and events_in(kept[0]) == 25
    assert stat.S_IMODE(kept[0].stat().st_mode) == 0o600
    assert stat.S_IMODE(office.stat().st_mode) == 0o600
    listed = kiosk(capsys, "staff", "list", "--json")
    assert len(listed.json()) == len(PEOPLE)  # the restored home works as before


def _truncated(source: Path, target: Path) -> Path:
    target.write_bytes(source.read_bytes()[: source.stat().st_size // 3])
    return target


def _headers_smashed(source: Path, target: Path) -> Path:
    data = bytearray(source.read_bytes())
    for page in range(1, len(data) // 4096):
        data[page * 4096: page * 4096 + 5] = b"\x0d\x00\x00\x00\xff"
    target.write_bytes(bytes(data))
    return target


@pytest.mark.parametrize("damage", [_truncated, _headers_smashed])
def test_a_damaged_backup_is_refused_and_nothing_changes(office, home, capsys, tmp_path, damage):
    assert sign_in(home, PEOPLE[:5]).returncode == 0
    good = Path(kiosk(capsys, "backup", "--json").json()["path"])
    bad = damage(good, tmp_path / "bad.db")
    before = digest(office)
    run = kiosk(capsys, "restore", str(bad), "--lang", "en")
    assert run.code == 1 and "damaged" in run.err and "Traceback" not in run.err
    assert digest(office) == before
    assert not list((home / "backups").glob("before-restore-*"))


def test_restore_refuses_what_is_no_kiosk_database(office, home, capsys, tmp_path):
    text = tmp_path / "notes.db"
    text.write_text("hello")
    other = tmp_path / "other.db"
    with sqlite3.connect(other) as conn:
        conn.execute("CREATE TABLE t (x)")
    newer = tmp_path / "newer.db"
    newer.write_bytes(office.read_bytes())
    with sqlite3.connect(newer) as conn:
        conn.execute("INSERT INTO schema_version (version, name, applied_at) VALUES (9999, 'x', '')")
    before = digest(office)
    for path, word in ((text, "not an SQLite"), (other, "not a kiosk"), (newer, "newer release"),
                       (tmp_path / "missing.db", "not an SQLite")):
        run = kiosk(capsys, "restore", str(path), "--lang", "en")
        assert run.code == 1 and word in run.err, run.err
    assert digest(office) == before


def test_daily_backup_is_made_once_a_day(office, home):
    now = [dt.datetime(2026, 12, 1, 2, 0, tzinfo=dt.UTC)]
    rules = backups.policy(config.load())
    daily = backups.DailyBackup(config.load(), rules, clock=lambda: now[0])
    assert daily.check() is not None  # none yet: one now
    now[0] += dt.timedelta(hours=23)
    assert daily.check() is None
    now[0] += dt.timedelta(hours=1, seconds=1)
    assert daily.check() is not None
    assert len(backups.backups_in(home / "backups")) == 2


def test_the_timers_backup_is_a_no_op_on_a_day_the_kiosk_made_one(office, home, capsys):
    """The running kiosk's own daily backup and the timer's ``kiosk backup --daily`` make one a
    day between them; a backup asked for by hand is always made."""
    daily = backups.DailyBackup(config.load(), backups.policy(config.load()))
    made = daily.check()
    assert made is not None
    run = kiosk(capsys, "backup", "--daily", "--json")
    assert run.code == 0 and run.json()["made"] is False and run.json()["path"] == str(made.path)
    assert kiosk(capsys, "backup", "--daily", "--lang", "en").out.startswith("Already backed up today")
    assert backups.backups_in(home / "backups") == [made.path]
    by_hand = kiosk(capsys, "backup", "--json").json()
    assert by_hand["made"] is True and len(backups.backups_in(home / "backups")) == 2
    assert daily.check() is None


def test_the_timer_first_then_the_kiosk_makes_none_that_day_even_on_a_25_hour_day(
        office, home, capsys, monkeypatch):
    assert kiosk(capsys, "backup", "--daily", "--json").json()["made"] is True  # none yet: made
    assert backups.DailyBackup(config.load(), backups.policy(config.load())).check() is None
    monkeypatch.setenv("KIOSK_TZ", "Europe/Berlin")  # 2026-10-25 has 25 hours there
    out = home / "dst"
    rules = backups.policy(config.load(), out=str(out))
    backups.private_folder(out)
    first = dt.datetime(2026, 10, 24, 22, 30, tzinfo=dt.UTC)  # 00:30 on the 25th in Berlin
    backups.make_backup(config.load(), rules, first)
    now = [first + dt.timedelta(hours=24, minutes=15)]  # 23:45 the same local day
    daily = backups.DailyBackup(config.load(), rules, clock=lambda: now[0])
    assert daily.check() is None  # a day old, but made today: the day has its backup
    now[0] += dt.timedelta(minutes=30)  # 00:15 on the 26th
    assert daily.check() is not None and len(backups.backups_in(out)) == 2


PACE = 0.01  # seconds between a door's scans: a queue at the door, faster than any real one (a
# door scanning back to back with no pause holds SQLite's write lock nearly all the time, and the
# restore's wait for it could poll in vain until its busy timeout)


class Door:
    """A real kiosk process (tests.robustness_child) driven one scan at a time: each ID is sent
    only once the previous one has been answered, so the door keeps scanning for as long as the
    test wants, never finishing early nor racing ahead of it."""

    def __init__(self, db_path: Path, kiosk_id: str) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "tests.robustness_child", f"sqlite:///{db_path}", AT.isoformat(),
             kiosk_id, "-"], cwd=ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
            stderr=subprocess.PIPE, text=True, bufsize=1, env={**os.environ, "PYTHONPATH": str(ROOT)})

    def scan(self, staff_id: str) -> list[str]:
        """Sign one ID in; its answer ``ok <id> <result> <event id>`` split (or the failure)."""
        self.process.stdin.write(staff_id + "\n")
        self.process.stdin.flush()
        line = self.process.stdout.readline()
        assert line.startswith(f"ok {staff_id} "), (line, self.close())
        return line.split()

    def close(self) -> str:
        """Stop the door (end of its input) and return what it said on stderr."""
        self.process.stdin.close()
        self.process.wait(timeout=60)
        return self.process.stderr.read()


@pytest.mark.timeout(180)
def test_restore_while_a_kiosk_writes_never_breaks_it(office, home, capsys):
    """A door keeps signing people in before, during and after ``kiosk restore``: every sign-in
    it confirmed lands in the right database — before the restore began, in the copy restore
    keeps of the replaced one; once it has ended, in the restored one; in between, in one of the
    two — and the door's own open connection simply carries on in the restored database."""
    import itertools
    import threading

    assert sign_in(home, PEOPLE[:10]).returncode == 0
    first = Path(kiosk(capsys, "backup", "--json").json()["path"])
    door = Door(office, "door-2")
    before = [door.scan(p) for p in PEOPLE[10:40]]  # confirmed after the backup: not in it
    restoring, restored = threading.Event(), threading.Event()
    during: list[list[str]] = []
    after: list[list[str]] = []

    def keep_scanning() -> None:  # until the restore has ended, and 30 scans after that
        queue, again = itertools.cycle(PEOPLE[40:]), iter(PEOPLE[10:40])
        while len(after) < 30:
            ended = restored.is_set()  # then the 30 signed in before: not in the restored database
            answer = door.scan(next(again) if ended else next(queue))
            (after if ended else during if restoring.is_set() else before).append(answer)
            time.sleep(PACE)

    scanning = threading.Thread(target=keep_scanning)
    scanning.start()
    while len(before) < 50 and scanning.is_alive():  # mid-stream when the restore begins
        time.sleep(0.005)
    restoring.set()
    try:
        run = kiosk(capsys, "restore", str(first), "--lang", "en")
    finally:
        restored.set()  # (the door stops 30 scans later whatever happened)
    scanning.join(timeout=120)
    err = door.close()
    assert run.code == 0, run.err
    assert not scanning.is_alive() and len(after) == 30
    assert "Traceback" not in err and "rror" not in err, err
    kept = list((home / "backups").glob("before-restore-*.db"))
    assert len(kept) == 1
    for path in (office, kept[0]):
        with sqlite3.connect(path) as conn:
            assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    live, replaced = _events(office), _events(kept[0])
    confirmed = before + during + after
    assert len(live) == 10 + len(after) + sum(1 for a in during if a[3] in live)
    assert all((a[1], a[2]) == replaced.get(a[3]) for a in before), "lost before the restore"
    assert all((a[1], a[2]) == live.get(a[3]) for a in after), "lost after the restore"
    assert all((a[1], a[2]) in (live.get(a[3]), replaced.get(a[3])) for a in during)
    assert len({a[3] for a in confirmed}) == len(confirmed)
    # the door reads the restored database: those it signed in before are signed in anew there
    assert {a[2] for a in after} <= {"present", "late"}, after
    with sqlite3.connect(office) as conn:
        signed = dict(conn.execute("SELECT staff_id, event_id FROM attendance WHERE event_id IS NOT NULL"))
    assert all(signed.get(a[1]) == a[3] for a in after)


def _events(path: Path) -> dict[str, tuple[str, str]]:
    """Event id → (staff ID, result) of every sign-in event in a database file."""
    with sqlite3.connect(path) as conn:
        rows = conn.execute("SELECT id, staff_key, result FROM sign_in_event").fetchall()
    return {event: (staff, result) for event, staff, result in rows}


def _dated(path: Path, when: dt.datetime) -> Path:
    os.utime(path, (when.timestamp(), when.timestamp()))
    return path


def test_a_backup_made_while_the_clock_is_behind_is_kept_and_those_dated_later_go_first(
        office, home, capsys):
    """FINDINGS #39: a door whose clock runs behind (a dead RTC battery) makes backups dated before
    the ones it has; the one just written is never the one rotation deletes, and those dated
    after it (written earlier, by a clock that was ahead of this one) are deleted first."""
    made = [Path(kiosk(capsys, "backup", "--keep", "3", "--json").json()["path"]) for _ in range(3)]
    now = dt.datetime.now(dt.UTC)
    for n, path in enumerate(made):
        _dated(path, now - dt.timedelta(hours=3 - n))  # three, an hour apart
    behind = dt.datetime(2025, 6, 1, 0, 0, tzinfo=dt.UTC)
    rules = backups.policy(config.load(), keep=3)
    daily = backups.DailyBackup(config.load(), rules, clock=lambda: behind)
    first = daily.check()  # the newest is "from the future": a backup is due
    assert first is not None and first.path.name == "kiosk-20250601T000000Z.db"
    assert first.path.exists() and events_in(first.path) == 0 and first.removed == (made[0],)
    assert backups.backups_in(home / "backups", behind) == [made[1], made[2], first.path]
    run = kiosk(capsys, "backup", "--keep", "3", "--json")  # then the clock is put right
    assert run.code == 0 and Path(run.json()["path"]).exists()
    # now the 2025 one is dated earliest: the oldest (by the clock's word, the one left to trust)
    assert run.json()["removed"] == [str(first.path)]


@pytest.mark.skipif(shutil.which("faketime") is None, reason="needs faketime (apt install faketime)")
def test_kiosk_backup_with_a_clock_a_year_behind_keeps_what_it_says_it_wrote(office, home, capsys):
    """The tester's reproduction: the real ``kiosk backup`` under a clock set back to 2025."""
    for _ in range(3):
        assert kiosk(capsys, "backup", "--keep", "3").code == 0
    before = set(backups.backups_in(home / "backups"))
    done = subprocess.run([shutil.which("faketime"), "2025-06-01 08:00:00",
                           str(Path(sys.executable).with_name("kiosk")), "backup", "--keep", "3",
                           "--json"], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    path = Path(json.loads(done.stdout)["path"])
    assert path.name.startswith("kiosk-20250601T0800") and path.exists()
    with sqlite3.connect(path) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    left = set(backups.backups_in(home / "backups"))
    assert path in left and len(left) == 3 and len(before - left) == 1


def test_a_file_named_like_a_backup_that_holds_none_is_neither_counted_nor_kept_instead(
        office, home, capsys, tmp_path):
    out = tmp_path / "bkx"
    out.mkdir()
    empty = out / "kiosk-20991231T235959Z.db"
    empty.touch()  # the tester's 0-byte "2099" file
    text = out / "kiosk-20991230T000000Z.db"
    text.write_text("notes, not a database")
    _dated(text, dt.datetime(2099, 12, 30, tzinfo=dt.UTC))
    first = kiosk(capsys, "backup", "--out", str(out), "--keep", "1", "--json")
    assert first.code == 0 and first.json()["removed"] == []
    assert Path(first.json()["path"]).stat().st_size > 0 and empty.exists() and text.exists()
    second = kiosk(capsys, "backup", "--out", str(out), "--keep", "1", "--lang", "en")
    assert second.code == 0 and "1 kept" in second.out, second.out
    assert backups.backups_in(out) == [backups.newest(out)] and not Path(first.json()["path"]).exists()
    assert empty.exists() and text.exists()  # not ours to judge: left alone, never counted


def test_two_backups_into_one_folder_at_once_each_keep_their_own(office, home, tmp_path):
    """The timer's and the kiosk's backup take turns on the folder: with ``keep 1`` one of the
    two survives, never neither."""
    import threading

    out = tmp_path / "both"
    backups.private_folder(out)
    rules = backups.policy(config.load(), out=str(out), keep=1)
    made: list[backups.Made] = []
    racers = [threading.Thread(target=lambda: made.append(backups.make_backup(config.load(), rules)))
              for _ in range(4)]
    for racer in racers:
        racer.start()
    for racer in racers:
        racer.join(timeout=60)
    assert len(made) == 4 and len(backups.backups_in(out)) == 1
    assert backups.backups_in(out)[0] in {m.path for m in made}
