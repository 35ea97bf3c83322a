"""The centre's rules against a door that misbehaves (FINDINGS 36, 19, 26), on the real servers.

Each test makes a real role / account, grants it with the real ``kiosk centre grant-door``, and
then acts with the door's own credential the way a stolen door's disk would let anyone act.
"""

from __future__ import annotations

import datetime as dt
import json
import uuid

import peewee as pw
import pytest

from db import database
from db.models import Attendance, Leave, SignInEvent, StudySession
from db.sync.centre_sql import NOT_APPLIED
from tests.centre_helpers import heard_from, recent_day
from tests.test_centre_roles import door_role  # noqa: F401 — the role fixture
from tests.test_sync import centre, kiosk  # noqa: F401 — the centre fixture

DAY = CENTRE_DAY = recent_day()  # the office's day: a door's sign-ins for it still apply

SIGNATURE = "Q" * 40 + "abcdefghijklmnopqrstuvwxyz-_0123456789ABCDEFGH"  # 86 base64url chars
assert len(SIGNATURE) == 86
MORNING_UTC = {"early": f"{DAY} 00:50:00", "late": f"{DAY} 01:30:00"}  # 09:00 Shanghai + 5 min


def granted(centre, door_role, tmp_path):  # noqa: F811
    role, url = door_role
    kiosk(tmp_path / "owner", "centre", "grant-door", role, "--db", centre.url)
    heard_from(centre.url, role, "east-door", dt.datetime.fromisoformat(f"{DAY} 00:00:00"))
    owner = database.make_database(centre.url)
    owner.connect()
    door = database.make_database(url)
    door.connect()
    uid = (StudySession.select(StudySession.uid)
           .where(StudySession.id == centre.ids["morning"]).scalar(owner))
    return owner, door, uid


def add_event(door: pw.Database, session_uid: str, staff: str, result: str, at: str,
              method: str = "id", note: str = "", text: str = "", reason: str = "") -> str:
    """One event INSERTed with the door's credential, as a push (or anyone with it) would."""
    event_id = str(uuid.uuid4())
    with door.atomic():
        door.execute_sql(
            "INSERT INTO sign_in_event (id, seq, kiosk_id, at, method, result, reason, staff_key, "
            "session_uid, input, note, actor) VALUES (%s, 1, 'east-door', %s, %s, %s, %s, %s, %s, "
            "%s, %s, 'x')", (event_id, at, method, result, reason, staff, session_uid, text, note))
    return event_id


def register(owner: pw.Database, session_id: int) -> dict[str, tuple]:
    rows = (Attendance.select(Attendance.staff, Attendance.status, Attendance.signed_in_at)
            .where(Attendance.session == session_id).tuples().execute(owner))
    return {staff: (status, str(at) if at else None) for staff, status, at in rows}


@pytest.mark.parametrize("centre", ["postgresql"], indirect=True)
def test_a_door_cannot_shadow_the_centres_tables_with_temp_tables(centre, door_role, tmp_path):  # noqa: F811
    owner, door, uid = granted(centre, door_role, tmp_path)
    try:
        paths = owner.execute_sql("SELECT proname, array_to_string(proconfig, ',') FROM pg_proc "
                                  "WHERE proname LIKE 'kiosk%%'").fetchall()
        assert {"kiosk_apply_events", "kiosk_stamp_receiver", "kiosk_door_bounds",
                "kiosk_fleet_bounds", "kiosk_door_verdicts"} <= {name for name, _ in paths}, paths
        assert all(c.endswith("pg_temp") for _, c in paths), paths
        # the tester's attack (FINDINGS 36): the door's private copy of the plan, starting in 2099
        with door.atomic():
            door.execute_sql("CREATE TEMP TABLE study_session AS SELECT * FROM public.study_session")
            door.execute_sql("UPDATE pg_temp.study_session SET start = '2099-01-01'")
            door.execute_sql("CREATE TEMP TABLE staff AS SELECT * FROM public.staff")
            door.execute_sql("UPDATE pg_temp.staff SET badge_version = 0")
        add_event(door, uid, "A1002", "present", MORNING_UTC["late"])
        # the centre applied its own plan: a 09:30 arrival at a 09:00 session is late
        assert register(owner, centre.ids["morning"])["A1002"][0] == "late"
    finally:
        door.close()
        owner.close()


@pytest.mark.parametrize("centre", ["postgresql", "mysql"], indirect=True)
def test_a_doors_host_kinds_are_kept_but_never_change_the_register(centre, door_role, tmp_path):  # noqa: F811
    owner, door, uid = granted(centre, door_role, tmp_path)
    morning = centre.ids["morning"]
    try:
        # its own kinds still apply: a scan's sign-in, a scan's sign-out, a rejected attempt
        add_event(door, uid, "A1001", "present", MORNING_UTC["early"], method="qr")
        add_event(door, uid, "A1001", "signed_out", f"{DAY} 03:00:00", method="qr")
        add_event(door, uid, None, "rejected", MORNING_UTC["early"], reason="unknown_staff",
                  text="Z9")
        before = register(owner, morning)
        assert before["A1001"][0] == "present"
        # a host's kinds delivered by a door change nothing: undo, leave, withdrawal, 补签, and
        # a forged earlier sign-in with a non-scan method
        add_event(door, uid, "A1001", "undo", f"{DAY} 03:10:00", method="manual")
        add_event(door, uid, "B2001", "leave", f"{DAY} 00:10:00", method="manual", note="出差")
        add_event(door, uid, "B2002", "present", MORNING_UTC["early"], method="manual")
        add_event(door, uid, "A1002", "late", MORNING_UTC["late"], method="admin")
        add_event(door, uid, "A1001", "badge_revoked", f"{DAY} 00:00:00", method="manual",
                  note="badge_version 1->2")
        # and a scan no door could have made then: years ahead, or after the session ended
        add_event(door, uid, "A1002", "late", "2099-01-01 00:00:00", method="id")
        add_event(door, uid, "B2001", "late", f"{DAY} 05:00:00", method="card")
        assert register(owner, morning) == before
        assert not Leave.select().where(Leave.session == morning).exists(owner)
        notes = dict(SignInEvent.select(SignInEvent.result, SignInEvent.note)
                     .where(SignInEvent.note.startswith(NOT_APPLIED)).tuples().execute(owner))
        assert set(notes) == {"undo", "leave", "present", "late", "badge_revoked"}, notes
        assert SignInEvent.select().where(SignInEvent.note.startswith(NOT_APPLIED)).count(owner) == 7
        assert notes["leave"] == f"{NOT_APPLIED} 出差"
        # the door's sign-in by QR is not flagged by its own forged revocation
        assert not SignInEvent.select().where(SignInEvent.note.contains("revoked_badge")).exists(owner)
        # the owner (and a host) still records them: a leave the owner delivers applies
        with owner.atomic():
            owner.execute_sql(
                "INSERT INTO sign_in_event (id, seq, kiosk_id, at, method, result, reason, "
                "staff_key, session_uid, input, note, actor) VALUES (%s, 1, 'host', %s, 'manual', "
                "'leave', '', 'B2001', %s, '', '出差', 'host')",
                (str(uuid.uuid4()), f"{DAY} 00:20:00", uid))
        assert register(owner, morning)["B2001"][0] == "excused"
    finally:
        door.close()
        owner.close()


@pytest.mark.parametrize("centre", ["postgresql", "mysql"], indirect=True)
def test_the_centre_never_stores_a_badge_signature_an_old_door_sends(centre, door_role, tmp_path):  # noqa: F811
    owner, door, uid = granted(centre, door_role, tmp_path)
    try:
        payload = f"SK1.B2002.1.{SIGNATURE}"
        add_event(door, uid, "B2002", "rejected", MORNING_UTC["early"], method="qr",
                  reason="bad_signature", text=payload + "Q", note=f"scan {payload}")
        add_event(door, uid, None, "rejected", MORNING_UTC["early"], reason="invalid_input",
                  text=SIGNATURE)
        add_event(door, uid, None, "rejected", MORNING_UTC["early"], reason="unknown_staff",
                  text="1234567890" * 5)
        stored = sorted(SignInEvent.select(SignInEvent.input, SignInEvent.note).tuples()
                        .execute(owner))
        assert stored == sorted([("SK1.B2002.1", "scan SK1.B2002.1"), ("…", ""),
                                 ("1234567890" * 5, "")]), stored
    finally:
        door.close()
        owner.close()
    # and the export, a second line of defence, prints none either (rows written before the
    # trigger existed: put one back as the owner, bypassing nothing but the trigger's reach)
    handle = database.make_database(centre.url)
    handle.connect()
    with handle.atomic():
        SignInEvent.update(input=f"SK1.B2002.1.{SIGNATURE}").where(
            SignInEvent.reason == "bad_signature").execute(handle)
    handle.close()
    out = kiosk(tmp_path / "owner", "export", "log", "--format", "jsonl", "--out", "-",
                "--db", centre.url).stdout
    inputs = [json.loads(line)["input"] for line in out.splitlines()]
    assert "SK1.B2002.1" in inputs and not any(SIGNATURE[:40] in i for i in inputs), inputs
    # and the owner's next `kiosk init` scrubs what an old door pushed before the upgrade
    kiosk(tmp_path / "owner", "init", "--db", centre.url, "--no-keys")
    handle = database.make_database(centre.url)
    handle.connect()
    try:
        held = [i for (i,) in SignInEvent.select(SignInEvent.input).tuples().execute(handle)]
    finally:
        handle.close()
    assert "SK1.B2002.1" in held and not any(SIGNATURE[:40] in i for i in held), held


@pytest.mark.parametrize("centre", ["postgresql", "mysql"], indirect=True)
def test_a_refused_right_is_named_as_one_in_every_command(centre, door_role, tmp_path):  # noqa: F811
    role, url = door_role
    kiosk(tmp_path / "owner", "centre", "grant-door", role, "--db", centre.url)
    home = tmp_path / "work"
    home.mkdir()
    roster = tmp_path / "r.csv"
    roster.write_text("staff_id,name,department\nN5001,新人,办公室\n", encoding="utf-8")
    cases = [(("staff", "import", str(roster)), "staff", "admin"),
             (("session", "add", "--title", "x", "--kind", "lecture", "--start", f"{DAY} 15:00",
               "--end", f"{DAY} 16:00"), "study_session", "admin"),
             (("export", "log", "--format", "csv", "--out", "-"), "sign_in_event", "host")]
    for args, table, kind in cases:
        done = kiosk(home, *args, "--db", url, check=1)
        line = done.stderr.strip()
        assert line == (f"permission denied for table {table}: run `kiosk centre grant-{kind} "
                        "ROLE` on the centre"), (args, done.stderr)
        zh = kiosk(home, *args, "--db", url, check=1, env={"KIOSK_LANG": "zh"}).stderr
        assert "无法连接" not in zh and f"grant-{kind}" in zh, zh
    # a door's credential may not record a leave: refused before anything is written, saying
    # whose credential it takes, and no grant to re-run (review m3; FINDINGS 20)
    leave = kiosk(home, "leave", "add", "B2001", "--session", str(centre.ids["morning"]),
                  "--reason", "x", "--db", url, check=1).stderr
    assert "credential is a door's" in leave and "grant-" not in leave, leave


@pytest.mark.parametrize("centre", ["postgresql", "mysql"], indirect=True)
def test_a_mirror_home_refuses_roster_plan_and_card_changes_and_keeps_leaves(centre, tmp_path):  # noqa: F811
    from kiosk.config import load
    from kiosk.lifecycle import AdminActions, Refused, mirror_refusal
    from tests.test_sync import new_home

    door = new_home(tmp_path, "door", "door-1")
    kiosk(door, "sync", "--once", "--central", centre.url)
    roster = tmp_path / "r.csv"
    roster.write_text("staff_id,name,department\nN5001,新人,办公室\n", encoding="utf-8")
    plan = tmp_path / "p.csv"
    plan.write_text("title,kind,start,end\n本地会,other,2026-03-04 17:00,2026-03-04 18:00\n",
                    encoding="utf-8")
    morning = str(centre.ids["morning"])
    refused_commands = [
        ("session", "add", "--title", "本地加的", "--kind", "other", "--start", f"{DAY} 17:00",
         "--end", f"{DAY} 18:00"),
        ("session", "import", str(plan)),
        ("session", "edit", morning, "--title", "改名"),
        ("session", "cancel", morning, "--reason", "x"),
        ("staff", "import", str(roster)),
        ("staff", "add", "N5002", "--name", "新人", "--department", "办公室"),
        ("staff", "deactivate", "A1002"),
        ("card", "bind", "A1001", "0123456789"),
        ("card", "unbind", "A1001"),
    ]
    host = database.redact_url(centre.url)
    for args in refused_commands:
        done = kiosk(door, *args, check=1)
        assert done.stderr.strip() == (f"this home mirrors {host}: run it there with --db URL "
                                       "(roster, plan and cards are kept at the centre)"), (args, done.stderr)
    # nothing changed, and the sync goes on
    assert "本地" not in kiosk(door, "session", "list").stdout
    assert "0 still queued" in kiosk(door, "sync", "--once").stdout
    # a dry run changes nothing and stays allowed; so does a leave (it travels as an event)
    kiosk(door, "staff", "import", str(roster), "--dry-run")
    kiosk(door, "leave", "add", "B2001", "--session", morning, "--reason", "出差")
    # the admin console's actions refuse the same way (it builds them with mirror_refusal)
    settings = load({"KIOSK_HOME": str(door), "KIOSK_LANG": "en"})
    line = mirror_refusal(settings)
    handle = database.bind(settings.db_url)
    try:
        actions = AdminActions(handle, tz=settings.tz, mirror_of=line)
        with pytest.raises(Refused) as refusal:
            actions.deactivate("A1002")
        assert line and str(refusal.value) == line and host in line
    finally:
        handle.close()


@pytest.fixture(params=["postgresql", "mysql"])
def roster_centre(request, tmp_path) -> str:
    """A centre that holds a roster (A1001 张三 办公室 …) but no plan yet."""
    from db.roster import upsert_staff
    from tests.conftest import SMALL_ROSTER

    url = request.getfixturevalue("pg_url" if request.param == "postgresql" else "mysql_url")
    kiosk(tmp_path, "init", "--db", url, "--no-keys")
    handle = database.bind(url)
    try:
        with handle.atomic():
            upsert_staff(SMALL_ROSTER)
    finally:
        handle.close()
    return url


def test_adopt_names_people_who_differ_and_changes_nothing_until_told(roster_centre, tmp_path):
    from db.models import Staff
    from tests.test_sync import new_home

    home = new_home(tmp_path, "office", "office-door")
    kiosk(home, "init")
    roster = tmp_path / "o.csv"
    roster.write_text("staff_id,name,department\nA1001,别人张三,财务科\nA1002,李四,办公室\n"
                      "Z9001,新同事,办公室\n", encoding="utf-8")
    kiosk(home, "staff", "import", str(roster))
    kiosk(home, "session", "add", "--title", "本地学习", "--kind", "lecture", "--start",
          f"{DAY} 09:00", "--end", f"{DAY} 11:00")
    done = kiosk(home, "sync", "--once", "--adopt", "--central", roster_centre, check=1)
    lines = done.stderr.strip().splitlines()
    assert "1 people under the same staff ID" in lines[0] and "--keep-centre-roster" in lines[0]
    assert lines[1:] == ["A1001: here 别人张三 / 财务科, at the centre 张三 / 办公室"], lines
    handle = database.make_database(roster_centre)
    handle.connect()
    try:  # nothing changed on either side
        assert not StudySession.select().exists(handle)
        assert Staff.select().count(handle) == 5
    finally:
        handle.close()
    assert "别人张三" in kiosk(home, "staff", "list").stdout
    assert "central" not in (home / "config.toml").read_text(encoding="utf-8")
    # told to keep the centre's records, it adopts (and says so in the usual line)
    done = kiosk(home, "sync", "--once", "--adopt", "--keep-centre-roster", "--central",
                 roster_centre)
    assert "1 sessions" in done.stdout
    listed = {p["staff_id"]: p["name"] for p in json.loads(kiosk(home, "staff", "list",
                                                                 "--json").stdout)}
    assert listed["A1001"] == "张三" and listed["Z9001"] == "新同事"


@pytest.mark.parametrize("centre", ["postgresql", "mysql"], indirect=True)
def test_an_admin_role_keeps_who_is_expected_but_never_rewrites_a_sign_in(centre, door_role, tmp_path):  # noqa: F811
    from tests.test_centre_roles import refused

    role, url = door_role
    owner_home = tmp_path / "owner"
    kiosk(owner_home, "init", "--db", centre.url, "--no-keys")  # (re-run: refreshes the rules)
    kiosk(owner_home, "centre", "grant-admin", role, "--db", centre.url)
    again = kiosk(owner_home, "centre", "grant-admin", role, "--db", centre.url)  # idempotent
    assert "attendance" in again.stdout
    owner = database.make_database(centre.url)
    owner.connect()
    uid = (StudySession.select(StudySession.uid)
           .where(StudySession.id == centre.ids["morning"]).scalar(owner))
    with owner.atomic():  # a door's sign-in, applied by the centre's rules
        owner.execute_sql(
            "INSERT INTO sign_in_event (id, seq, kiosk_id, at, method, result, reason, staff_key, "
            "session_uid, input, note, actor) VALUES (%s, 1, 'east', %s, 'id', 'late', '', "
            "'A1002', %s, '', '', '')", (str(uuid.uuid4()), MORNING_UTC["late"], uid))
    before = register(owner, centre.ids["morning"])
    assert before["A1002"][0] == "late"
    admin = database.make_database(url)
    admin.connect()
    try:
        for sql in ("UPDATE attendance SET status = 'present'",
                    "UPDATE attendance SET signed_in_at = NULL",
                    "DELETE FROM attendance",
                    "INSERT INTO attendance (session_id, staff_id, expected, status, early_leave) "
                    "VALUES (2, 'B2001', FALSE, 'present', FALSE)"):
            message = refused(admin, sql)
            assert "denied" in message, (sql, message)
        # its bookkeeping still works: expected rows, pending <-> excused
        with admin.atomic():
            admin.execute_sql("UPDATE attendance SET expected = expected")
            admin.execute_sql("UPDATE attendance SET status = 'excused' WHERE status = 'pending' "
                              "AND staff_id = 'A1001'")
    finally:
        admin.close()
    after = register(owner, centre.ids["morning"])
    assert after["A1002"] == before["A1002"] and after["A1001"][0] == "excused"
    owner.close()
    # and the admin's real commands work with just these rights
    home = tmp_path / "work"
    home.mkdir()
    roster = tmp_path / "roster.csv"
    roster.write_text("staff_id,name,department\nN5001,新人,办公室\n", encoding="utf-8")
    kiosk(home, "staff", "import", str(roster), "--db", url)
    made = kiosk(home, "session", "add", "--title", "新增学习", "--kind", "lecture", "--start",
                 "2030-03-04 15:00", "--end", "2030-03-04 16:00", "--json", "--db", url)
    sid = str(json.loads(made.stdout)["id"])
    kiosk(home, "session", "edit", sid, "--audience", "dept:财务科", "--db", url)
    kiosk(home, "leave", "add", "B2001", "--session", sid, "--reason", "出差", "--db", url)
    kiosk(home, "leave", "cancel", "B2001", "--session", sid, "--db", url)
    kiosk(home, "staff", "deactivate", "N5001", "--db", url)
    kiosk(home, "session", "cancel", sid, "--reason", "改期", "--db", url)
    kiosk(home, "badge", "revoke", "A1001", "--db", url)
    kiosk(home, "credit", "add", "A1001", "--kind", "article", "--title", "学习心得", "--date",
          "2026-01-05", "--hours", "2", "--db", url)


@pytest.mark.parametrize("centre", ["postgresql", "mysql"], indirect=True)
def test_a_door_granted_before_the_upgrade_is_known_as_a_door(centre, door_role, tmp_path):  # noqa: F811
    from db.sync.centre_sql import ROLE_TABLE

    owner, door, uid = granted(centre, door_role, tmp_path)
    role = door_role[0]
    try:
        with owner.atomic():  # as a centre whose door was granted by the previous release
            owner.execute_sql(f"DELETE FROM {ROLE_TABLE}")
        kiosk(tmp_path / "owner", "init", "--db", centre.url, "--no-keys")
        kinds = dict(owner.execute_sql(f"SELECT role, kind FROM {ROLE_TABLE}").fetchall())
        assert kinds == {role: "door"}, kinds
        add_event(door, uid, "B2001", "leave", f"{DAY} 00:10:00", method="manual", note="x")
        assert not Leave.select().exists(owner)
    finally:
        door.close()
        owner.close()
