"""PostgreSQL: the centre's owner-rights functions cannot be made to run a door's code (REVIEW B1).

CVE-2018-1058's pattern: a role that may CREATE in a schema on a ``SECURITY DEFINER`` function's
search path defines a better-matching overload of a built-in it calls (``left(varchar, integer)``,
``=`` on ``varchar``) and its body then runs as the owner. PostgreSQL ≤ 14 lets PUBLIC create in
``public`` (and keeps that on an upgraded cluster), so each test here gives the door that right
the way such a cluster does, then acts as the door's real login with the real grants.
"""

from __future__ import annotations

import uuid

import peewee as pw
import pytest

from db import database
from db.models import StudySession
from tests.centre_helpers import add_open_session, recent_day
from tests.test_centre_roles import door_role  # noqa: F401 — the role fixture
from tests.test_sync import centre, kiosk  # noqa: F401 — the centre fixture

CENTRE_DAY = recent_day()

# the door's code: when it runs with someone else's rights (inside the owner's trigger), it hands
# the door every right on every table and records that it ran
HIJACK = """
CREATE TABLE public.kiosk_hijack_ran (who text);
GRANT ALL ON public.kiosk_hijack_ran TO PUBLIC;
CREATE FUNCTION public.kiosk_take(text) RETURNS void LANGUAGE plpgsql AS $f$
BEGIN
  IF current_user <> session_user THEN
    INSERT INTO public.kiosk_hijack_ran VALUES (current_user);
    EXECUTE 'GRANT ALL ON ALL TABLES IN SCHEMA public TO ' || quote_ident(session_user);
  END IF;
END $f$;
CREATE FUNCTION public.left(character varying, integer) RETURNS text LANGUAGE plpgsql AS $f$
BEGIN PERFORM public.kiosk_take('left'); RETURN pg_catalog.left($1::text, $2); END $f$;
CREATE FUNCTION public.kiosk_eq(character varying, character varying) RETURNS boolean
LANGUAGE plpgsql AS $f$
BEGIN PERFORM public.kiosk_take('eq'); RETURN $1::text OPERATOR(pg_catalog.=) $2::text; END $f$;
CREATE OPERATOR public.= (LEFTARG = character varying, RIGHTARG = character varying,
                          FUNCTION = public.kiosk_eq);
CREATE FUNCTION public.regexp_replace(character varying, text, text, text) RETURNS text
LANGUAGE plpgsql AS $f$
BEGIN PERFORM public.kiosk_take('regexp');
  RETURN pg_catalog.regexp_replace($1::text, $2, $3, $4); END $f$;
"""


def _connect(url: str) -> pw.Database:
    handle = database.make_database(url)
    handle.connect()
    return handle


@pytest.mark.parametrize("centre", ["postgresql"], indirect=True)
def test_a_door_that_may_create_in_the_schema_cannot_run_code_as_the_owner(
        centre, door_role, tmp_path):  # noqa: F811
    role, door_url = door_role
    kiosk(tmp_path / "owner", "centre", "grant-door", role, "--db", centre.url)
    session = add_open_session(centre.url)
    owner = _connect(centre.url)
    door = _connect(door_url)
    try:
        # a cluster made on PostgreSQL <= 14 (or upgraded from one): anyone may create in public
        owner.execute_sql(f'GRANT CREATE ON SCHEMA public TO "{role}"')
        uid = StudySession.select(StudySession.uid).where(StudySession.id == session).scalar(owner)
        with door.atomic():
            door.execute_sql(HIJACK)
        # a scan (fires the bounds, the stamp and the apply) and a 补签 (marked: a door's refused kind)
        for method, note in (("id", ""), ("manual", "SK1.A1001.1." + "x" * 40)):
            with door.atomic():
                door.execute_sql(
                    "INSERT INTO sign_in_event (id, seq, kiosk_id, at, method, result, reason, "
                    "staff_key, session_uid, input, note, actor) VALUES (%s, 1, 'east-door', "
                    "now() AT TIME ZONE 'utc', %s, 'present', '', 'A1001', %s, %s, %s, 'x')",
                    (str(uuid.uuid4()), method, uid, "A1001", note))
        ran = owner.execute_sql("SELECT who FROM public.kiosk_hijack_ran").fetchall()
        assert ran == [], ran
        held = door.execute_sql(
            "SELECT has_table_privilege('attendance', 'DELETE'), "
            "has_table_privilege('sign_in_event', 'UPDATE'), "
            "has_table_privilege('kiosk_door', 'DELETE')").fetchone()
        assert held == (False, False, False)
        # the centre still did its job: the scan applied, the 补签 kept but marked
        notes = [n for (n,) in owner.execute_sql(
            "SELECT note FROM sign_in_event WHERE received_by = %s ORDER BY method", (role,))]
        assert notes[0] == "" and notes[1].startswith("not_applied_door_role"), notes
        status = owner.execute_sql("SELECT status FROM attendance WHERE session_id = %s "
                                   "AND staff_id = 'A1001'", (session,)).fetchone()
        assert status == ("present",)
        paths = owner.execute_sql(
            "SELECT proname, array_to_string(proconfig, ',') FROM pg_proc p "
            "JOIN pg_namespace n ON n.oid = p.pronamespace "
            "WHERE n.nspname = 'public' AND proname LIKE 'kiosk%%' AND proconfig IS NOT NULL"
        ).fetchall()
        assert len(paths) >= 8 and all(c == "search_path=pg_catalog, pg_temp"
                                       for _, c in paths), paths
    finally:
        door.close()
        with owner.atomic():
            owner.execute_sql("DROP OWNED BY " + f'"{role}"')
        owner.close()


@pytest.mark.parametrize("centre", ["postgresql"], indirect=True)
def test_grants_take_create_on_the_schema_away_and_init_and_doctor_say_so(
        centre, door_role, tmp_path):  # noqa: F811
    role, door_url = door_role
    owner = _connect(centre.url)
    group = f"kg_{uuid.uuid4().hex[:10]}"
    try:
        # PostgreSQL <= 14's default, and the door itself given CREATE by hand
        owner.execute_sql("GRANT CREATE ON SCHEMA public TO PUBLIC")
        owner.execute_sql(f'GRANT CREATE ON SCHEMA public TO "{role}"')
        statement = 'REVOKE CREATE ON SCHEMA "public" FROM PUBLIC'
        init = kiosk(tmp_path / "owner", "init", "--db", centre.url, "--no-keys")
        assert "any role may create objects in schema public" in init.stderr
        assert statement in init.stderr
        doctor = kiosk(tmp_path / "owner", "doctor", "--db", centre.url, check=1)
        assert "any role may create objects in schema public" in doctor.stdout, doctor.stdout
        assert statement in doctor.stdout

        done = kiosk(tmp_path / "owner", "centre", "grant-door", role, "--db", centre.url)
        assert statement in done.stdout
        assert f'REVOKE CREATE ON SCHEMA "public" FROM "{role}"' in done.stdout
        assert owner.execute_sql(
            "SELECT has_schema_privilege('public', 'public', 'CREATE'), "
            "has_schema_privilege(%s, 'public', 'CREATE')", (role,)).fetchone() == (False, False)
        door = _connect(door_url)
        try:
            with pytest.raises(pw.ProgrammingError, match="permission denied for schema public"):
                with door.atomic():
                    door.execute_sql("CREATE FUNCTION public.left(character varying, integer) "
                                     "RETURNS text LANGUAGE sql AS 'SELECT NULL::text'")
        finally:
            door.close()
        assert "any role may create" not in kiosk(tmp_path / "owner", "doctor", "--db",
                                                  centre.url, check=None).stdout

        # CREATE through a role the door is a member of: refused, nothing granted
        owner.execute_sql(f'CREATE ROLE "{group}" NOLOGIN')
        owner.execute_sql(f'GRANT CREATE ON SCHEMA public TO "{group}"')
        owner.execute_sql(f'GRANT "{group}" TO "{role}"')
        owner.execute_sql(f'REVOKE INSERT ON sign_in_event FROM "{role}"')
        refused = kiosk(tmp_path / "owner", "centre", "grant-host", role, "--db", centre.url,
                        check=1)
        assert f"{role} may still create objects in schema public" in refused.stderr
        assert "Traceback" not in refused.stderr
        assert owner.execute_sql("SELECT has_table_privilege(%s, 'sign_in_event', 'INSERT')",
                                 (role,)).fetchone() == (False,)
    finally:
        owner.execute_sql(f'DROP OWNED BY "{group}"') if _exists(owner, group) else None
        owner.execute_sql(f'DROP ROLE IF EXISTS "{group}"')
        owner.close()


def _exists(db: pw.Database, role: str) -> bool:
    return db.execute_sql("SELECT 1 FROM pg_roles WHERE rolname = %s", (role,)).fetchone() is not None
