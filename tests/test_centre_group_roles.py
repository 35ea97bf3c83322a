"""A door (or host, or admin) granted through a group role would escape the centre's rules, which
know a door by its login (REVIEW M1): grant-* refuses a role that is not a login's own, on both
servers, and the login in the group gets nothing."""

from __future__ import annotations

import datetime as dt
import os
import uuid
from urllib.parse import urlparse, urlunparse

import pytest

from db import database
from db.models import StudySession
from tests.centre_helpers import add_open_session, recent_day
from tests.test_sync import centre, kiosk  # noqa: F401 — the centre fixture

CENTRE_DAY = recent_day()
PASSWORD = "gr0up-Secret"


def _admin(centre_url: str):
    engine = database.engine_of(centre_url)
    base = os.environ["KIOSK_TEST_PG_URL" if engine == "postgresql" else "KIOSK_TEST_MYSQL_URL"]
    handle = database.make_database(centre_url if engine == "postgresql" else base)
    handle.connect()
    return handle, engine


@pytest.mark.parametrize("kind", ["door", "admin"])
def test_a_group_role_is_refused_and_its_member_gets_nothing(centre, kind, tmp_path):  # noqa: F811
    admin, engine = _admin(centre.url)
    group, member = f"kg_{uuid.uuid4().hex[:10]}", f"km_{uuid.uuid4().hex[:10]}"
    if engine == "postgresql":
        admin.execute_sql(f"CREATE ROLE {group} NOLOGIN")
        admin.execute_sql(f"CREATE ROLE {member} LOGIN PASSWORD '{PASSWORD}' IN ROLE {group}")
    else:
        admin.execute_sql(f"CREATE ROLE {group}")
        admin.execute_sql(f"CREATE USER '{member}'@'%%' IDENTIFIED BY '{PASSWORD}'")
        admin.execute_sql(f"GRANT {group} TO '{member}'@'%%'")
        admin.execute_sql(f"SET DEFAULT ROLE {group} FOR '{member}'@'%%'")
    parsed = urlparse(centre.url)
    member_url = urlunparse(parsed._replace(
        netloc=f"{member}:{PASSWORD}@{parsed.hostname}:{parsed.port}"))
    try:
        refused = kiosk(tmp_path / "owner", "centre", f"grant-{kind}", group, "--db", centre.url,
                        check=1)
        assert f"{group} is a group role" in refused.stderr, refused.stderr
        assert "one credential per door" in refused.stderr and "Traceback" not in refused.stderr
        assert len(refused.stderr.strip().splitlines()) == 1
        zh = kiosk(tmp_path / "owner", "centre", f"grant-{kind}", group, "--db", centre.url,
                   env={"KIOSK_LANG": "zh"}, check=1)
        assert "组角色" in zh.stderr

        # the reviewer's attack: the member's 补签, 9 minutes back, under a made-up kiosk id
        session = add_open_session(centre.url)
        owner = database.make_database(centre.url)
        owner.connect()
        uid = StudySession.select(StudySession.uid).where(StudySession.id == session).scalar(owner)
        door = database.make_database(member_url)
        at = (dt.datetime.now(dt.UTC).replace(tzinfo=None) - dt.timedelta(minutes=9))
        try:  # (MariaDB refuses the member the database itself)
            with pytest.raises(Exception, match="(?i)denied"):
                door.connect()
                with door.atomic():
                    door.execute_sql(
                        "INSERT INTO sign_in_event (id, seq, kiosk_id, at, method, result, "
                        "reason, staff_key, session_uid, input, note, actor) VALUES "
                        "(%s, 1, 'x', %s, 'manual', 'present', '', 'A1001', %s, '', '', 'x')",
                        (str(uuid.uuid4()), at, uid))
        finally:
            door.close()
        assert owner.execute_sql("SELECT count(*) FROM attendance WHERE session_id = %s "
                                 "AND signed_in_at IS NOT NULL", (session,)).fetchone() == (0,)
        owner.close()

        # a login that others are members of (PostgreSQL): a group all the same
        if engine == "postgresql":
            leader = f"kl_{uuid.uuid4().hex[:10]}"
            admin.execute_sql(f"CREATE ROLE {leader} LOGIN")
            admin.execute_sql(f"GRANT {leader} TO {member}")
            try:
                again = kiosk(tmp_path / "owner", "centre", f"grant-{kind}", leader,
                              "--db", centre.url, check=1)
                assert f"{leader} is a group role" in again.stderr
            finally:
                admin.execute_sql(f"DROP ROLE {member}")
                admin.execute_sql(f"DROP ROLE {leader}")
    finally:
        if engine == "postgresql":
            admin.execute_sql(f"DROP OWNED BY {group}")
            admin.execute_sql(f"DROP ROLE IF EXISTS {member}")
            admin.execute_sql(f"DROP ROLE {group}")
        else:
            admin.execute_sql(f"DROP USER IF EXISTS '{member}'@'%%'")
            admin.execute_sql(f"DROP ROLE IF EXISTS {group}")
        admin.close()
