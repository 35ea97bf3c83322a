"""FINDINGS 21: a door of an earlier release syncing with a centre upgraded (and re-granted)
for a newer one meets a right the new grants no longer give it (on MariaDB, SELECT on
``setting``); it was told to run ``kiosk centre grant-door`` — already done, and no help. It is
told to upgrade itself."""

from __future__ import annotations

from db import database
from tests.test_centre_roles import door_role  # noqa: F401 — the fixture
from tests.test_sync import centre, kiosk, new_home  # noqa: F401 — the fixtures


def test_a_door_older_than_its_centre_is_told_to_upgrade(centre, door_role, tmp_path):  # noqa: F811
    role, door_url = door_role
    kiosk(tmp_path / "admin", "centre", "grant-door", role, "--db", centre.url)
    door = new_home(tmp_path, "door", "door-1")
    kiosk(door, "sync", "--once", "--central", door_url)
    owner = database.make_database(centre.url)
    owner.connect()
    try:  # the centre moves to a release this door does not know, whose grants differ
        owner.execute_sql("INSERT INTO schema_version (version, name, applied_at) "
                          "VALUES (999, 'from the future', '2030-01-01')")
        revoke = ("REVOKE SELECT ON public_setting FROM " + role if "postgres" in centre.url
                  else f"REVOKE SELECT ON public_setting FROM '{role}'@'%%'")
        owner.execute_sql(revoke)
    finally:
        owner.close()
    done = kiosk(door, "sync", "--once", check=1)
    assert "runs a newer release (schema 999" in done.stderr, done.stderr
    assert "grant-door" not in done.stderr
