"""Offline-first sync against a real central PostgreSQL and MariaDB (skipped when not set).

Kiosk homes are real ``KIOSK_HOME`` folders driven through the real ``kiosk`` command in child
processes (so each has its own process, like a kiosk at a door); the centre is set up with the
same migrations by ``kiosk init --db URL`` and filled through the data layer.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import signal
import stat
import subprocess
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from db import database, ledger, migrations, queries
from db import sync as store
from db.models import Attendance, Leave, SignInEvent, Staff, StudySession, utcnow
from db.roster import StaffRecord, upsert_staff
from db.sessions import add_session
from kiosk import config
from kiosk.badges.keys import public_key_text
from kiosk.badges.payload import sign
from kiosk.desk import SignInDesk
from kiosk.syncer import SyncAgent, arrival_status
from tests.centre_helpers import KIOSK, SECRET, kiosk
from tests.conftest import TZ, make_office, wall

DAY = "2026-03-04"
CLOSED = f"postgresql://kiosk:{SECRET}@127.0.0.1:1/centre"


@dataclass
class Centre:
    url: str
    key: Ed25519PrivateKey
    ids: dict[str, int]

    def badge(self, staff_id: str, version: int = 1) -> str:
        return sign(self.key, staff_id, version)


def new_home(tmp_path: Path, name: str, kiosk_id: str) -> Path:
    """A door's home whose config.toml opens with a comment (the sync must keep it)."""
    home = tmp_path / name
    home.mkdir()
    (home / "config.toml").write_text(f'# door kiosk\n[kiosk]\nid = "{kiosk_id}"\n',
                                      encoding="utf-8")
    return home


@pytest.fixture(params=["postgresql", "mysql"])
def centre(request, tmp_path) -> Centre:
    url = request.getfixturevalue("pg_url" if request.param == "postgresql" else "mysql_url")
    admin = tmp_path / "admin"
    admin.mkdir()
    first = kiosk(admin, "init", "--db", url, "--no-keys")
    assert "0002_sync" in first.stdout
    again = kiosk(admin, "init", "--db", url, "--no-keys")  # idempotent
    assert "0002_sync" not in again.stdout  # (the random database name may hold "0002")
    key = Ed25519PrivateKey.generate()
    handle = database.bind(url)
    assert migrations.current_version(handle) == max(m.version for m in migrations.available())
    assert "badge_version" in {c.name for c in handle.get_columns("sign_in_event")}
    ids = make_office(handle, day=getattr(request.module, "CENTRE_DAY", DAY))
    with handle.atomic():
        queries.set_setting("badge_public_key", public_key_text(key.public_key()))
    handle.close()
    return Centre(url, key, ids)


def at_centre(centre: Centre):
    """Bind the test process to the centre (a test is not a running kiosk)."""
    return database.bind(centre.url)


def signin(home: Path, text: str, when: str, check: int | None = 0) -> dict:
    import json

    done = kiosk(home, "signin", text, "--at", f"{DAY} {when}", "--json", check=check)
    return json.loads(done.stdout.splitlines()[-1])


def local_events(home: Path) -> list[dict]:
    handle = database.bind(config.sqlite_url_for(home))
    try:
        return list(SignInEvent.select().dicts())
    finally:
        handle.close()


def test_two_kiosks_offline_then_synced(centre, tmp_path):
    door1 = new_home(tmp_path, "door1", "door-1")
    door2 = new_home(tmp_path, "door2", "door-2")
    for home in (door1, door2):
        done = kiosk(home, "sync", "--once", "--central", centre.url)
        assert "0 still queued" in done.stdout
        conf = home / "config.toml"
        assert stat.S_IMODE(conf.stat().st_mode) == 0o600
        text = conf.read_text(encoding="utf-8")
        assert text.startswith('# door kiosk\n[kiosk]\nid = "door-') and "[sync]" in text
        assert config.load(home=home, environ={}).central_url == centre.url
        # the roster and the public key came down; no private key went anywhere near the home
        staff = kiosk(home, "staff", "list", "--json").stdout
        assert "A1001" in staff and "C3001" in staff
        for path in home.rglob("*"):
            if path.is_file():
                assert b"PRIVATE KEY" not in path.read_bytes(), path
        payload = kiosk(home, "badge", "payload", "A1001", check=None)
        assert payload.returncode == 1 and "SK1." not in payload.stdout

    # the centre goes away (a closed port, with a password in the URL): sign-ins continue
    down = {"KIOSK_CENTRAL": CLOSED}
    assert signin(door1, "A1001", "08:55")["result"] == "present"
    assert signin(door1, centre.badge("A1002"), "08:56")["result"] == "present"
    assert signin(door2, centre.badge("A1001"), "08:50")["result"] == "present"  # earlier, door 2
    assert signin(door2, "B2001", "09:10")["result"] == "late"
    assert signin(door2, "NOBODY", "09:11", check=1)["reason"] == "unknown_staff"
    failed = kiosk(door1, "sync", "--once", env=down, check=1)
    assert "2 events still queued" in failed.stderr and "127.0.0.1:1" in failed.stderr
    failed = kiosk(door2, "sync", "--once", "--central", CLOSED, check=1)
    assert "3 events still queued" in failed.stderr
    logs = "".join(p.read_text(encoding="utf-8") for h in (door1, door2)
                   for p in (h / "logs").glob("*.log*"))
    assert SECRET not in failed.stdout + failed.stderr + logs
    assert CLOSED not in (door2 / "config.toml").read_text(encoding="utf-8")  # already configured

    # two rounds of syncing from both doors
    for _ in range(2):
        for home in (door1, door2):
            kiosk(home, "sync", "--once")
    events = local_events(door1) + local_events(door2)
    assert len(events) == 5 and all(e["pushed_at"] is not None for e in events)

    handle = at_centre(centre)
    rows = list(SignInEvent.select().dicts())
    assert sorted(r["id"] for r in rows) == sorted(e["id"] for e in events)
    assert all(r["received_at"] is not None for r in rows)
    by_id = {r["id"]: r for r in rows}
    for e in events:
        assert (by_id[e["id"]]["at"], by_id[e["id"]]["kiosk_id"]) == (e["at"], e["kiosk_id"])
    morning = centre.ids["morning"]
    signed = {r.staff_id: r for r in Attendance.select().where(
        (Attendance.session == morning) & Attendance.signed_in_at.is_null(False))}
    assert set(signed) == {"A1001", "A1002", "B2001"}
    assert (signed["A1001"].signed_in_at, signed["A1001"].kiosk_id) == (wall(f"{DAY} 08:50"), "door-2")
    assert signed["A1001"].method == "qr" and signed["A1001"].status == "present"
    assert signed["B2001"].status == "late"
    # the centre's monthly report counts the person who signed in at both doors once (made as of
    # that evening: DAY lies in the future, and a report leaves out sessions not yet started)
    from kiosk.reports import ReportOptions, monthly

    data = monthly(int(DAY[:4]), int(DAY[5:7]), ReportOptions(tz=TZ, now=wall(f"{DAY} 18:00")),
                   detail=False)
    handle.close()
    person = next(p for p in data["people"] if p["staff_id"] == "A1001")
    assert (person["present"], person["late"]) == (1, 0)
    morning_row = next(s for s in data["sessions"] if s["id"] == morning)
    assert (morning_row["present"], morning_row["late"]) == (2, 1)


def test_roster_change_and_revoked_badge_are_pulled(centre, tmp_path):
    door = new_home(tmp_path, "door", "door-1")
    handle = at_centre(centre)
    with handle.atomic():  # a 中心组 session that has not started (DAY is past: no future sign-ins)
        upcoming = add_session({"title": "中心组专题学习", "kind": "central_group",
                                "start": wall("2099-01-05 14:00"), "end": wall("2099-01-05 16:00")},
                               [("group", "中心组")])
    handle.close()
    kiosk(door, "sync", "--once", "--central", centre.url)
    old_badge = centre.badge("A1001", 1)
    handle = at_centre(centre)
    with handle.atomic():
        upsert_staff([StaffRecord("B2002", "B2002", "赵六", "财务科", "科员", ("中心组",),
                                  active=False)])
        ledger.add_leave(centre.ids["finance"], "B2001", "外出培训", "admin", ledger.new_event_id(),
                         utcnow())
        (StudySession.update(location="二号会议室", updated_at=utcnow())
         .where(StudySession.id == centre.ids["central"]).execute())
    handle.close()
    kiosk(tmp_path / "admin", "badge", "revoke", "A1001", "--db", centre.url)  # the real command
    handle = at_centre(centre)
    # the revocation happened that morning, before the scan below (sign-ins cannot be in the future)
    (SignInEvent.update(at=wall(f"{DAY} 08:00")).where(SignInEvent.result == "badge_revoked")
     .execute())
    later_edit = dt.datetime(2031, 1, 1)  # an unrelated edit after the scan: the audit event rules
    Staff.update(updated_at=later_edit).where(Staff.key == "A1001").execute()
    handle.close()
    # before the kiosk hears of it, the revoked badge still works there …
    assert signin(door, old_badge, "08:55")["result"] == "present"
    kiosk(door, "sync", "--once")
    # … and the centre flags that sign-in: the badge was revoked before the scan's time
    handle = at_centre(centre)
    flagged = list(SignInEvent.select().where(SignInEvent.note.contains(store.REVOKED_FLAG)))
    assert [(e.staff_key, e.badge_version) for e in flagged] == [("A1001", 1)]
    handle.close()
    # after the pull: the old badge is refused, the new one works, the deactivation holds
    refused = signin(door, old_badge, "13:50", check=1)
    assert refused["reason"] == "revoked_badge"
    assert signin(door, centre.badge("A1001", 2), "13:51")["result"] == "present"
    assert signin(door, "B2002", "13:52", check=1)["reason"] == "inactive_staff"
    handle = database.bind(config.sqlite_url_for(door))
    expected = {r.staff_id for r in Attendance.select().where(Attendance.session == upcoming)}
    assert expected == {"A1001"}  # B2002 dropped from a session that has not started
    assert StudySession.get_by_id(centre.ids["central"]).location == "二号会议室"
    leave = Leave.get((Leave.session == centre.ids["finance"]) & (Leave.staff == "B2001"))
    assert leave.reason == "外出培训"
    assert Attendance.get((Attendance.session == centre.ids["finance"])
                          & (Attendance.staff == "B2001")).status == "excused"
    handle.close()


def test_ten_kiosk_processes_sync_at_once(centre, tmp_path):
    first = new_home(tmp_path, "door0", "door-0")
    kiosk(first, "sync", "--once", "--central", centre.url)
    offsets = [5, 2, 8, 0, 9, 3, 7, 1, 6, 4]  # door-3 is earliest for everyone
    homes = [first] + [new_home(tmp_path, f"door{i}", f"door-{i}") for i in range(1, 10)]
    for i, home in enumerate(homes[1:], 1):
        for part in first.glob("kiosk.db*"):
            shutil.copy(part, home / part.name)
        conf = (first / "config.toml").read_text(encoding="utf-8")
        (home / "config.toml").write_text(conf.replace("door-0", f"door-{i}"), encoding="utf-8")
    for i, home in enumerate(homes):
        handle = database.bind(config.sqlite_url_for(home))
        desk = SignInDesk(handle, kiosk_id=f"door-{i}", tz=TZ)
        for n, staff_id in enumerate(["A1001", "A1002", "B2001", "B2002"]):
            out = desk.sign_in(staff_id, at=wall(f"{DAY} 08:40") + dt.timedelta(minutes=offsets[i],
                                                                              seconds=n))
            assert out.result == "present"
        handle.close()
    for _ in range(2):
        procs = [subprocess.Popen([KIOSK, "sync", "--once"], stdout=subprocess.PIPE,
                                  stderr=subprocess.PIPE, text=True,
                                  env={**os.environ, "KIOSK_HOME": str(h), "KIOSK_LANG": "en"})
                 for h in homes]
        for p in procs:
            out, err = p.communicate(timeout=90)
            assert p.returncode == 0, out + err
    handle = at_centre(centre)
    ids = [r for (r,) in SignInEvent.select(SignInEvent.id).tuples()]
    assert len(ids) == len(set(ids)) == 40
    morning = Attendance.select().where((Attendance.session == centre.ids["morning"])
                                        & Attendance.signed_in_at.is_null(False))
    assert {(r.staff_id, r.kiosk_id) for r in morning} == {
        (k, "door-3") for k in ["A1001", "A1002", "B2001", "B2002"]}
    handle.close()


def test_sigkill_during_push_loses_and_doubles_nothing(centre, tmp_path):
    door = new_home(tmp_path, "door", "door-1")
    kiosk(door, "sync", "--once", "--central", centre.url)
    total = 20_000
    handle = database.bind(config.sqlite_url_for(door))
    start = wall(f"{DAY} 08:00")
    rows = [{"id": f"00000000-0000-4000-8000-{n:012d}", "seq": n, "kiosk_id": "door-1",
             "at": start + dt.timedelta(seconds=n), "method": "id", "result": "rejected",
             "reason": "unknown_staff", "staff_key": f"X{n}", "input": f"X{n}"}
            for n in range(total)]
    with handle.atomic():
        for i in range(0, total, 2000):
            SignInEvent.insert_many(rows[i:i + 2000]).execute()
    handle.close()
    proc = subprocess.Popen([KIOSK, "sync", "--once"], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE,
                            env={**os.environ, "KIOSK_HOME": str(door), "KIOSK_LANG": "en"})
    central = database.make_database(centre.url)
    central.connect()
    killed = False
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        count = SignInEvent.select().count(central)
        if count and proc.poll() is None:
            proc.send_signal(signal.SIGKILL)
            killed = True
            break
        if proc.poll() is not None:
            break
        time.sleep(0.005)
    proc.wait(timeout=30)
    assert killed, "the push finished before it could be killed"
    assert SignInEvent.select().count(central) < total
    kiosk(door, "sync", "--once")
    kiosk(door, "sync", "--once")
    assert SignInEvent.select().count(central) == total
    assert SignInEvent.select(SignInEvent.id).distinct().count(central) == total
    central.close()
    assert all(e["pushed_at"] is not None for e in local_events(door))


def test_push_is_idempotent_and_the_earliest_sign_in_wins(centre, tmp_path):
    """A batch retried after a lost reply, and an earlier scan that arrives later."""
    central = database.make_database(centre.url)
    central.connect()
    morning = centre.ids["morning"]

    def event(eid: str, staff: str, when: str, kiosk_id: str, result="present", **extra) -> dict:
        return {"id": f"00000000-0000-4000-8000-{eid:>012}", "seq": 1, "kiosk_id": kiosk_id,
                "at": wall(f"{DAY} {when}"), "method": "id", "result": result, "reason": "",
                "staff_key": staff, "session_id": morning, "input": "", "note": "", "actor": "",
                "pushed_at": None, "received_at": None, "badge_version": None, **extra}

    leave = event("1", "A1002", "08:00", "host", result="leave", method="manual",
                  note="出差", actor="host")
    late = event("2", "A1001", "09:20", "door-1", result="late")
    store.push_batch(central, [leave, late], arrival_status)
    store.push_batch(central, [leave, late], arrival_status)  # the reply was lost: sent again
    early = event("3", "A1001", "08:45", "door-2")
    signed = event("4", "A1002", "08:58", "door-2")
    gone = event("5", "A1001", "10:30", "door-2", result="signed_out", note="early_leave")
    store.push_batch(central, [early, signed, gone], arrival_status)
    store.push_batch(central, [late], arrival_status)  # the later one again: changes nothing
    finance = centre.ids["finance"]
    visitor = event("6", "A1001", "13:55", "door-1", result="visitor", session_id=finance)
    stranger = event("7", "LOCAL9", "08:59", "door-1")  # known only to that kiosk
    store.push_batch(central, [visitor, stranger], arrival_status)
    store.push_batch(central, [visitor, stranger], arrival_status)
    assert SignInEvent.select().count(central) == 7
    seen = (Attendance.select().where((Attendance.session == finance) & (Attendance.staff == "A1001"))
            .get(central))
    assert (seen.expected, seen.status, seen.signed_in_at) == (False, "present", visitor["at"])
    assert not Attendance.select().where(Attendance.staff == "LOCAL9").exists(central)

    def row(staff: str) -> Attendance:
        return (Attendance.select().where((Attendance.session == morning)
                                          & (Attendance.staff == staff)).get(central))

    a1001, a1002 = row("A1001"), row("A1002")
    assert (a1001.status, a1001.signed_in_at, a1001.kiosk_id) == ("present", early["at"], "door-2")
    assert (a1001.signed_out_at, a1001.early_leave) == (gone["at"], True)
    assert (a1002.status, a1002.signed_in_at) == ("present", signed["at"])  # sign-in beats leave
    kept = Leave.select().where((Leave.session == morning) & (Leave.staff == "A1002"))
    assert [lv.reason for lv in kept.execute(central)] == ["出差"]  # … the leave is kept
    # a badge scan is flagged only if the centre revoked that version before the scan's time
    (Staff.update(badge_version=2).where(Staff.key == "B2002")).execute(central)
    store.push_batch(central, [event("10", "B2002", "09:00", "admin", result="badge_revoked",
                                     method="manual", session_id=None,
                                     note="badge_version 1->2")], arrival_status)
    before = event("11", "B2002", "08:59", "door-1", method="qr", badge_version=1)
    after = event("12", "B2002", "09:01", "door-2", method="qr", badge_version=1)
    store.push_batch(central, [before, after], arrival_status)
    notes = dict(SignInEvent.select(SignInEvent.id, SignInEvent.note)
                 .where(SignInEvent.id.in_([before["id"], after["id"]])).tuples().execute(central))
    assert (notes[before["id"]], notes[after["id"]]) == ("", store.REVOKED_FLAG)
    # a host's undo at a kiosk clears that sign-in at the centre, however often it is sent
    mistaken = event("8", "B2001", "09:10", "door-1", result="late")
    undo = event("9", "B2001", "09:15", "door-1", result="undo", method="manual", note="扫错")
    store.push_batch(central, [mistaken, undo], arrival_status)
    store.push_batch(central, [mistaken, undo], arrival_status)
    b2001 = row("B2001")
    assert (b2001.status, b2001.signed_in_at, b2001.event_id) == ("pending", None, None)
    central.close()


def test_pushed_text_arrives_exactly_as_written(centre):
    """Whatever a person typed or a host noted reaches the centre byte for byte (the PostgreSQL
    push sends each column as one array literal: quotes, backslashes, braces must survive)."""
    central = database.make_database(centre.url)
    central.connect()
    awkward = ['a "quoted" \\ back\\slash', "{braces},commas", "NULL", "", "  spaced  ",
               "行\n换\t制表 ✓", "\\", '"', "'; DROP TABLE staff; --"]
    rows = [{"id": f"00000000-0000-4000-9000-{n:012d}", "seq": n, "kiosk_id": "door-1",
             "at": wall(f"{DAY} 08:{n:02d}") + dt.timedelta(microseconds=n), "method": "id",
             "result": "unknown", "reason": "not_found", "staff_key": None if n % 2 else text,
             "session_id": None, "input": text, "note": text, "actor": text, "pushed_at": None,
             "received_at": None, "badge_version": n if n % 3 else None}
            for n, text in enumerate(awkward)]
    store.push_batch(central, rows, arrival_status)
    store.push_batch(central, rows, arrival_status)
    got = {r["id"]: r for r in SignInEvent.select().where(SignInEvent.result == "unknown")
           .dicts().execute(central)}
    assert len(got) == len(rows)
    for r in rows:
        held = got[r["id"]]
        fields = ("seq", "at", "staff_key", "session_id", "input", "note", "actor", "badge_version")
        assert {k: held[k] for k in fields} == {k: r[k] for k in fields}
        assert held["received_at"] is not None
    central.close()


def test_signins_during_a_sync_land_in_the_local_file(centre, tmp_path, monkeypatch):
    """The kiosk screen signs in on its thread while the agent syncs on another."""
    door = new_home(tmp_path, "door", "door-1")
    kiosk(door, "sync", "--once", "--central", centre.url)
    monkeypatch.setenv("KIOSK_HOME", str(door))
    settings = config.load()
    local = database.bind(settings.db_url)
    desk = SignInDesk(local, kiosk_id="door-1", tz=TZ)
    agent = SyncAgent(settings)
    stop = threading.Event()
    reports = []

    def syncing():
        while not stop.is_set():
            reports.append(agent.run_once())

    worker = threading.Thread(target=syncing)
    worker.start()
    outcomes = []
    try:
        for n in range(40):
            staff = ["A1001", "A1002", "B2001", "B2002"][n % 4]
            outcomes.append(desk.sign_in(staff, at=wall(f"{DAY} 08:40") + dt.timedelta(seconds=n)))
    finally:
        stop.set()
        worker.join(timeout=60)
    assert not worker.is_alive() and reports and all(r.reachable and not r.error for r in reports)
    assert [o.result for o in outcomes[:4]] == ["present"] * 4
    assert SignInEvent.select().count() == 40  # every sign-in is in the kiosk's own file
    assert database.proxy.obj is local
    final = agent.run_once()
    assert (final.reachable, final.queued, final.error) == (True, 0, "")
    central = database.make_database(centre.url)
    central.connect()
    pushed = list(SignInEvent.select().dicts().execute(central))
    assert len(pushed) == 40 and all(r["received_at"] and r["kiosk_id"] == "door-1" for r in pushed)
    central.close()
    local.close()


def test_credits_recorded_at_the_centre_reach_the_door(centre, tmp_path):
    """Credits travel like leaves (SPEC §10): added or changed at the centre, pulled by a door,
    matched by their uid; the door's annual report counts them."""
    import json

    door = new_home(tmp_path, "door", "door-1")
    kiosk(door, "sync", "--once", "--central", centre.url)
    admin = tmp_path / "admin"
    kiosk(admin, "credit", "add", "A1001", "--kind", "article", "--title", "调研报告",
          "--date", "2026-03-01", "--db", centre.url)
    kiosk(admin, "credit", "add", "A1001", "--kind", "self_study", "--title", "自学",
          "--date", "2026-03-02", "--hours", "2", "--db", centre.url)
    kiosk(door, "sync", "--once")
    pulled = json.loads(kiosk(door, "credit", "list", "--json").stdout)
    assert [(c["kind"], c["title"], c["hours"]) for c in pulled] == [
        ("article", "调研报告", None), ("self_study", "自学", 2.0)]
    at_centre_now = json.loads(kiosk(admin, "credit", "list", "--json", "--db", centre.url).stdout)
    assert [c["uid"] for c in pulled] == [c["uid"] for c in at_centre_now]
    kiosk(admin, "credit", "add", "A1001", "--kind", "self_study", "--title", "自学",
          "--date", "2026-03-02", "--hours", "3.5", "--db", centre.url)
    kiosk(door, "sync", "--once")
    kiosk(door, "sync", "--once")  # a second round changes nothing and doubles nothing
    pulled = json.loads(kiosk(door, "credit", "list", "--json").stdout)
    assert [c["hours"] for c in pulled] == [None, 3.5]
    year = json.loads(kiosk(door, "report", "annual", "--year", "2026", "--format", "json").stdout)
    a1001 = next(p for p in year["people"] if p["staff_id"] == "A1001")
    assert a1001["credits"]["articles"] == 1 and a1001["credits"]["hours"] == 3.5
